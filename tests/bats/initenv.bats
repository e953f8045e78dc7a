#!/usr/bin/env bats
# brig initenv: create or update the workdir, brig.conf and the database.

load helper
load foundation_helper

setup() {
    brig_setup
}

# initenv with a bad setting: exit 2, one line, and neither the database nor brig.conf change.
initenv_rejected() {
    local want=$1
    shift
    local conf_before
    conf_before=$(cat "$W/etc/brig.conf")
    assert_rejected 2 "$want" brig initenv "$@"
    same "$(cat "$W/etc/brig.conf")" "$conf_before" "brig.conf"
}

@test "initenv's success message goes to stdout, without the prefix of an error, and nothing to stderr" {
    local w="$BATS_TEST_TMPDIR/new"
    brig initenv workdir="$w" nodename=fresh.test >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    same "$(cat "$BATS_TEST_TMPDIR/out")" "workdir $w is ready (node fresh.test, pool 10.199.0.0/16)" "stdout"
    same "$(cat "$BATS_TEST_TMPDIR/err")" "" "stderr"
    brig initenv workdir="$w" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
    same "$(cat "$BATS_TEST_TMPDIR/out")" "workdir $w is ready (node fresh.test, pool 10.199.0.0/16)" "stdout again"
    same "$(cat "$BATS_TEST_TMPDIR/err")" "" "stderr again"
}

@test "initenv creates the workdir layout, brig.conf, devfs.rules and the database" {
    local w="$BATS_TEST_TMPDIR/new"
    ok brig initenv workdir="$w" nodename=fresh.test
    same "$output" "workdir $w is ready (node fresh.test, pool 10.199.0.0/16)" "message"
    for d in etc var/db basejail jails jails-data jails-system; do
        [ -d "$w/$d" ] || { echo "missing $d" >&2; return 1; }
    done
    [ -f "$w/etc/brig.conf" ]
    [ -f "$w/etc/devfs.rules" ]
    [ -f "$w/var/db/local.sqlite" ]
    [ -f "$w/nc.inventory" ]
}

@test "brig.conf holds every setting as key=\"value\" with the defaults" {
    run cat "$W/etc/brig.conf"
    has_line 'nodename="node1.test";'
    has_line 'nodeippool="10.199.0.0/16";'
    has_line 'bridge="brig0";'
    has_line '# gateway4="10.199.0.1/16"; (follows nodeippool unless set)'
    has_line 'uplink="auto";'
    has_line 'nat_enable="0";'
    has_line 'default_base="busybox";'
}

@test "devfs.rules holds the FreeBSD default rulesets" {
    run cat "$W/etc/devfs.rules"
    output_has "[devfsrules_hide_all=1]"
    output_has "[devfsrules_jail=4]"
    output_has "[devfsrules_jail_vnet=5]"
}

@test "initenv without nodename= takes the host name" {
    local w="$BATS_TEST_TMPDIR/plain"
    local host
    host=$(hostname)
    [[ "$host" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || host=localhost
    ok brig initenv workdir="$w"
    output_has "(node $host, pool 10.199.0.0/16)"
}

@test "the gateway defaults to the pool's first address" {
    local w="$BATS_TEST_TMPDIR/pool"
    ok brig initenv workdir="$w" nodeippool=10.42.0.0/24
    output_has "pool 10.42.0.0/24"
    ok brig inventory workdir="$w"
    output_has "10.42.0.1/24"
}

@test "changing the pool later moves the default gateway into the new pool" {
    ok brig initenv nodeippool=10.42.0.0/24
    ok brig inventory
    output_has "10.42.0.1/24"
    output_lacks "10.199.0.1"
}

@test "a gateway given explicitly stays when the pool changes" {
    ok brig initenv gateway4=10.199.0.254/16
    ok brig initenv nodeippool=10.199.0.0/16 nat_enable=1
    run cat "$W/etc/brig.conf"
    has_line 'gateway4="10.199.0.254/16";'
}

@test "initenv is idempotent: run again, it keeps jails and settings" {
    ok brig initenv nodeippool=10.42.0.0/16 nat_enable=1
    ok brig jcreate jname=web1
    local conf db
    conf=$(cat "$W/etc/brig.conf")
    ok brig initenv
    output_has "(node node1.test, pool 10.42.0.0/16)"
    same "$(cat "$W/etc/brig.conf")" "$conf" "brig.conf"
    same "$(jparam web1 ip4_addr)" "10.42.0.2/16" "web1's address"
    [ -d "$W/jails/web1" ]
}

@test "initenv with one setting changes that setting and keeps the others" {
    ok brig initenv nat_enable=1
    ok brig initenv bridge=br7
    run cat "$W/etc/brig.conf"
    has_line 'nat_enable="1";'
    has_line 'bridge="br7";'
    has_line 'nodename="node1.test";'
}

@test "initenv keeps an edited devfs.rules" {
    printf '[mine=9]\nadd path tun* unhide\n' >>"$W/etc/devfs.rules"
    local before
    before=$(cat "$W/etc/devfs.rules")
    ok brig initenv
    same "$(cat "$W/etc/devfs.rules")" "$before" "devfs.rules"
}

@test "a new pool is used for the next DHCP address" {
    ok brig initenv nodeippool=192.168.77.0/24
    ok brig jcreate jname=web1 ip4_addr=DHCP
    same "$output" "web1: created (ip4_addr=192.168.77.2/24)" "jcreate"
}

@test "initenv refuses an unknown setting and suggests the nearest" {
    initenv_rejected "brig: initenv: unknown parameter 'nodenme' (did you mean 'nodename'?)" \
        nodenme=x
}

@test "initenv refuses an unknown setting far from any" {
    initenv_rejected "unknown parameter 'frobnicate' (see brig initenv --help)" frobnicate=1
}

@test "initenv with a bad pool prefix changes nothing" {
    initenv_rejected "nodeippool" nodeippool=10.0.0.0/33
}

@test "initenv with a pool that is not an address changes nothing" {
    initenv_rejected "nodeippool" nodeippool=abc
}

@test "initenv with a bad node name changes nothing" {
    initenv_rejected "nodename" nodename=bad_name
}

@test "initenv with nat_enable other than 0 or 1 changes nothing" {
    initenv_rejected "nat_enable" nat_enable=yes
}

@test "initenv with a bridge name longer than an interface name changes nothing" {
    initenv_rejected "bridge" bridge=averyveryverylongbridge
}

@test "initenv with a gateway without prefix changes nothing" {
    initenv_rejected "gateway4" gateway4=10.199.0.1
}

@test "initenv with a mirror that is not a URL changes nothing" {
    initenv_rejected "debian_mirror" debian_mirror=deb.debian.org
}

@test "initenv with a default base that is not a name changes nothing" {
    initenv_rejected "default_base" default_base=../etc
}

@test "initenv on a workdir that is a file fails with exit 1" {
    local f="$BATS_TEST_TMPDIR/afile"
    : >"$f"
    assert_rejected 1 "not a directory" brig initenv workdir="$f"
    [ -f "$f" ] && [ ! -s "$f" ]
}

@test "initenv refuses a relative workdir" {
    assert_rejected 2 "workdir 'w2' is not an absolute path" brig initenv workdir=w2
    [ ! -e w2 ]
}
