#!/usr/bin/env bats
# brig --os=freebsd: jail records are the same for both kernels; acting on the
# FreeBSD kernel from this host prints the plan (jail.conf text and the argv
# of every command) that a FreeBSD host would run.

load helper
load foundation_helper

FBASE=freebsd14_1-amd64

setup() {
    brig_setup
    unset BRIG_FREEBSD_RELEASE
}

fbsd() {
    "$BRIG_BIN" --os=freebsd "$@"
}

# The article's ruleset for a DHCP client in a VNET jail, appended to etc/devfs.rules.
add_bpf_ruleset() {
    cat >>"$W/etc/devfs.rules" <<'EOF'

[devfsrules_jail_vnet_dhcp=7]
add include $devfsrules_jail_vnet
add path 'bpf*' unhide
EOF
}

@test "jcreate with --os=freebsd records a jail without --dry-run and without a base" {
    ok fbsd jcreate jname=v1 vnet=1 ip4_addr=10.199.0.9/16 base=$FBASE
    same "$output" "v1: created (ip4_addr=10.199.0.9/16)" "jcreate"
    [ ! -e "$W/basejail/$FBASE" ]
    [ ! -e "$W/basejail/busybox" ]
    same "$(jparam v1 base)" "$FBASE" base
}

@test "jls, jget, jset and jremove work with --os=freebsd without --dry-run" {
    ok fbsd jcreate jname=v1 vnet=1 base=$FBASE
    ok fbsd jls header=0 display=jname,status
    same "$output" "v1  stopped" jls
    ok fbsd jset jname=v1 maxproc=50
    ok fbsd jget jname=v1 maxproc
    same "$output" "maxproc: 50" jget
    ok fbsd jremove jname=v1
    same "$(jail_count)" 0 "jails left"
}

@test "jstart --dry-run prints the VNET jail's jail.conf and its epair, rename and address" {
    ok fbsd jcreate jname=v1 vnet=1 ip4_addr=10.199.0.9/16 base=$FBASE
    ok fbsd jstart jname=v1 --dry-run
    has_line "# jail.conf written to $W/jails-system/v1/jail.conf"
    has_line "v1 {"
    has_line '    vnet = "new";'
    has_line "    path = \"$W/jails/v1\";"
    has_line 'epair0=$(ifconfig epair create)'
    has_line 'ifconfig "${epair0}" name bj1e0a'
    has_line 'ifconfig "${epair0%a}b" name bj1e0b'
    has_line "ifconfig brig0 addm bj1e0a"
    has_line "jail -f $W/jails-system/v1/jail.conf -c v1"
    has_line "ifconfig bj1e0b vnet v1"
    has_line "ifconfig -j v1 bj1e0b name eth0"
    has_line "ifconfig -j v1 eth0 inet 10.199.0.9/16 alias"
    has_line "route -j v1 add default 10.199.0.1"
    # on a dry run no bridge is known to exist: the plan creates the node's bridge
    has_line 'newbridge0=$(ifconfig bridge create)'
    has_line 'ifconfig "${newbridge0}" name brig0'
    has_line "ifconfig brig0 inet 10.199.0.1/16"
}

@test "jstart --dry-run changes nothing and leaves the jail stopped" {
    ok fbsd jcreate jname=v1 vnet=1 ip4_addr=10.199.0.9/16 base=$FBASE
    local before
    before=$(db_dump)
    ok fbsd jstart jname=v1 --dry-run
    same "$(db_dump)" "$before" "database"
    [ ! -e "$W/jails-system/v1/jail.conf" ]
    ok brig jls header=0 display=jname,status
    same "$output" "v1  stopped" jls
}

@test "resource limits become rctl rules before the jail is created, and are removed at stop" {
    ok fbsd jcreate jname=v1 vnet=1 base=$FBASE memoryuse=512m maxproc=100 pcpu=50 openfiles=1024
    ok fbsd jstart jname=v1 --dry-run
    has_line "rctl -a jail:v1:memoryuse:deny=512M"
    has_line "#    undo: rctl -r jail:v1:memoryuse:deny=512M"
    has_line "rctl -a jail:v1:maxproc:deny=100"
    has_line "rctl -a jail:v1:pcpu:deny=50"
    has_line "rctl -a jail:v1:openfiles:deny=1024/process"
    local rctl jail
    rctl=$(printf '%s\n' "$output" | grep -n '^rctl -a' | head -1 | cut -d: -f1)
    jail=$(printf '%s\n' "$output" | grep -n '^jail -f .* -c v1$' | cut -d: -f1)
    [ "$rctl" -lt "$jail" ]
    ok fbsd jstop jname=v1 --dry-run
    has_line "rctl -r jail:v1 || true"
}

@test "REALDHCP with the VNET default ruleset is refused by the FreeBSD plan with the recipe" {
    ok fbsd jcreate jname=d2 vnet=1 ip4_addr=REALDHCP base=$FBASE
    assert_rejected 2 "eth0: ip4_addr=REALDHCP, but its devfs ruleset hides bpf*, which the DHCP client needs (devfs_ruleset=5; hint: a ruleset with add include \$devfsrules_jail_vnet and add path 'bpf*' unhide" \
        fbsd jstart jname=d2 --dry-run
}

@test "devfs_ruleset=7 from the article's bpf section loads ruleset 7 after what it includes" {
    add_bpf_ruleset
    ok fbsd jcreate jname=d1 vnet=1 ip4_addr=REALDHCP devfs_ruleset=7 base=$FBASE
    ok fbsd jstart jname=d1 --dry-run
    has_line '    devfs_ruleset = "7";'
    has_line "devfs rule -s 5 add path pf unhide"
    has_line "devfs rule -s 7 delset"
    has_line "devfs rule -s 7 add include 5"
    has_line "devfs rule -s 7 add path 'bpf*' unhide"
    has_line "jexec d1 dhclient eth0"
    # loaded only when the kernel's copy differs
    has_line "devfs rule -s 7 show"
    has_line "#      100 include 5"
    has_line "#      200 path bpf* unhide"
    local five seven
    five=$(printf '%s\n' "$output" | grep -n '^devfs rule -s 5 delset$' | cut -d: -f1)
    seven=$(printf '%s\n' "$output" | grep -n '^devfs rule -s 7 delset$' | cut -d: -f1)
    [ "$five" -lt "$seven" ]
}

@test "a jail naming a ruleset devfs.rules lacks fails at jstart with one clear line" {
    ok fbsd jcreate jname=d9 vnet=1 devfs_ruleset=9 base=$FBASE
    run fbsd jstart jname=d9 --dry-run
    [ "$status" -eq 2 ] || { echo "exit $status: $output" >&2; return 1; }
    [ "${#lines[@]}" -eq 1 ] || { echo "wanted one line: $output" >&2; return 1; }
    same "$output" \
        "brig: jstart: d9: devfs_ruleset=9: $W/etc/devfs.rules: no ruleset number 9" error
}

@test "an emulator=linux VNET jail keeps the epair's name inside" {
    ok fbsd jcreate jname=l1 vnet=1 emulator=linux ip4_addr=10.199.0.7/16 base=$FBASE
    ok fbsd jstart jname=l1 --dry-run
    has_line "ifconfig bj1e0b vnet l1"
    has_line "ifconfig -j l1 bj1e0b inet 10.199.0.7/16 alias"
    has_line "ifconfig -j l1 bj1e0b up"
    output_lacks "name eth0"
}

@test "jstart, jstop, jexec and inventory with --os=freebsd but no --dry-run are refused" {
    ok fbsd jcreate jname=v1 vnet=1 base=$FBASE
    assert_rejected 2 "--os=freebsd on this host can only render plans: add --dry-run" \
        fbsd jstart jname=v1
    assert_rejected 2 "add --dry-run" fbsd jstop jname=v1
    assert_rejected 2 "add --dry-run" fbsd jrestart jname=v1
    assert_rejected 2 "add --dry-run" fbsd jexec jname=v1 -- /bin/true
    assert_rejected 2 "add --dry-run" fbsd inventory
    assert_rejected 2 "add --dry-run" fbsd repo action=get sources=base
}

@test "a jail created from a jconf file gets its values in the plan" {
    local f
    f=$(jconf_file web.jconf <<EOF
jname="web1";
vnet="1";
base="$FBASE";
ip4_addr="10.199.0.20/16,fd00::20/64";
host_hostname="web1.example.org";
maxproc="64";
EOF
    )
    ok fbsd jcreate jconf="$f"
    ok fbsd jstart jname=web1 --dry-run
    has_line '    host.hostname = "web1.example.org";'
    has_line "ifconfig -j web1 eth0 inet 10.199.0.20/16 alias"
    has_line "ifconfig -j web1 eth0 inet6 fd00::20/64 alias"
    has_line "rctl -a jail:web1:maxproc:deny=64"
}

@test "hostile values stay quoted in jail.conf and in the commands" {
    local hook
    hook=$(printf 'echo "a $HOME" '"'"'q'"'"'\necho b; rm -rf /')
    ok fbsd jcreate jname=h1 vnet=1 base=$FBASE "exec_start=$hook" \
        'exec_prestart=touch "/tmp/x;y" $(id) `id`' 'path=/tmp/we ird"$x/h1'
    ok fbsd jstart jname=h1 --dry-run
    has_line '    path = "/tmp/we ird\"\$x/h1";'
    has_line "timeout 180 /bin/sh -c 'touch \"/tmp/x;y\" \$(id) \`id\`' >>$W/jails-system/h1/console.log 2>&1"
    has_line "timeout 180 jexec h1 /bin/sh -c 'echo \"a \$HOME\" '\\''q'\\''"
    has_line "echo b; rm -rf /' >>$W/jails-system/h1/console.log 2>&1"
    has_line "mount -t nullfs -o ro $W/basejail/$FBASE '/tmp/we ird\"\$x/h1'"
}

@test "jstop --dry-run destroys the epairs, removes the jail and unmounts" {
    ok fbsd jcreate jname=v1 vnet=1 ip4_addr=10.199.0.9/16 base=$FBASE
    ok fbsd jstop jname=v1 --dry-run
    has_line "timeout 180 jexec v1 /bin/sh -c '/bin/sh /etc/rc.shutdown' >>$W/jails-system/v1/console.log 2>&1"
    has_line "ifconfig bj1e0a destroy || true"
    has_line "jail -f $W/jails-system/v1/jail.conf -r v1"
    has_line "umount $W/jails/v1"
    output_lacks "epair create"
}

@test "BRIG_FREEBSD_RELEASE=13.2 configures the jail through jexec (no ifconfig -j before 13.3)" {
    ok fbsd jcreate jname=v1 vnet=1 ip4_addr=10.199.0.9/16 base=$FBASE
    BRIG_FREEBSD_RELEASE=13.2 run fbsd jstart jname=v1 --dry-run
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    has_line "jexec v1 ifconfig bj1e0b name eth0"
    has_line "jexec v1 route add default 10.199.0.1"
    output_lacks "ifconfig -j"
    BRIG_FREEBSD_RELEASE=fourteen run fbsd jstart jname=v1 --dry-run
    [ "$status" -eq 2 ]
    same "$output" \
        "brig: jstart: v1: BRIG_FREEBSD_RELEASE=fourteen: expected a release such as 14.1" error
}

@test "inventory --dry-run prints the sysctl commands and records nothing" {
    local before
    before=$(cat "$W/nc.inventory")
    ok fbsd inventory --dry-run
    has_line 'vimage_feature=$(sysctl -n kern.features.vimage) || true'
    has_line 'racct=$(sysctl -n kern.racct.enable) || true'
    has_line 'osrelease=$(sysctl -n kern.osrelease)'
    has_line 'kldstat -q -m zfs || true'
    same "$(cat "$W/nc.inventory")" "$before" nc.inventory
}

@test "repo action=get --dry-run prints the fetch and extraction of base.txz and kernel.txz" {
    ok fbsd repo action=get sources=base ver=14.1 arch=amd64 --dry-run
    has_line "fetch -o $W/basejail/.$FBASE-base.txz https://download.freebsd.org/releases/amd64/14.1-RELEASE/base.txz"
    has_line "tar -xpf $W/basejail/.$FBASE-base.txz -C $W/basejail/$FBASE"
    ok fbsd repo action=get sources=kernel ver=13.2 --dry-run
    has_line "fetch -o $W/kernel/.freebsd13_2-amd64-kernel.txz https://download.freebsd.org/releases/amd64/13.2-RELEASE/kernel.txz"
    [ ! -e "$W/basejail/$FBASE" ]
    assert_rejected 2 "ver=14.x: expected a release such as 14.1" \
        fbsd repo action=get sources=base ver=14.x --dry-run
    assert_rejected 2 "base= does not apply to FreeBSD releases" \
        fbsd repo action=get base=busybox --dry-run
}

@test "repo arch= takes the mirrors' machine/machine_arch pair, or one word naming it" {
    ok fbsd repo action=get sources=base ver=14.1 arch=arm64/aarch64 --dry-run
    has_line "fetch -o $W/basejail/.freebsd14_1-aarch64-base.txz https://download.freebsd.org/releases/arm64/aarch64/14.1-RELEASE/base.txz"
    ok fbsd repo action=get sources=base ver=14.1 arch=arm64 --dry-run
    has_line "tar -xpf $W/basejail/.freebsd14_1-aarch64-base.txz -C $W/basejail/freebsd14_1-aarch64"
    assert_rejected 2 "arch=arm64_aarch64: expected machine/machine_arch" \
        fbsd repo action=get sources=base ver=14.1 arch=arm64_aarch64 --dry-run
    assert_rejected 2 "arch=powerpc: expected machine/machine_arch" \
        fbsd repo action=get sources=base ver=14.1 arch=powerpc --dry-run
    assert_rejected 2 "arch=../x: expected machine/machine_arch" \
        fbsd repo action=get sources=base ver=14.1 arch=../x --dry-run
}

# The full plan, byte for byte, against tests/golden/cli-vnet.plan (the
# workdir is written as /var/lib/brig there). BRIG_GOLDEN_UPDATE=1 rewrites it.
@test "the plan of a VNET jail with limits and the bpf ruleset matches the golden file" {
    local golden="$BATS_TEST_DIRNAME/../golden/cli-vnet.plan"
    add_bpf_ruleset
    ok fbsd jcreate jname=web1 vnet=1 ip4_addr=10.199.0.10/16 base=$FBASE devfs_ruleset=7 \
        memoryuse=1g maxproc=200 host_hostname=web1.example.org
    run fbsd jstart jname=web1 --dry-run
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    local got="${output//"$W"//var/lib/brig}"
    if [ "${BRIG_GOLDEN_UPDATE:-}" = 1 ]; then
        printf '%s\n' "$got" >"$golden"
    fi
    diff -u "$golden" <(printf '%s\n' "$got")
}
