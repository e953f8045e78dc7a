#!/usr/bin/env bats
# brig without root: a verb that acts on this kernel's jails, bridges or bases
# says "brig: VERB needs root" (exit 2) before it touches anything; the others
# work for anyone on a workdir of their own, and say the same of root's.

load helper
load foundation_helper

NOBODY=65534

setup() {
    brig_setup
    ok brig jcreate jname=web1 ip4_addr=0
    U=$(mktemp -d /tmp/brig-user.XXXXXX)
    chown "$NOBODY:$NOBODY" "$U"
}

teardown() {
    [ -z "${U:-}" ] || rm -rf "$U"
}

# Run brig as an unprivileged user with workdir $1.
as_user() {
    local wd=$1
    shift
    run setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
        sh -c 'cd / && BRIG_WORKDIR="$0" exec "$@"' "$wd" "$BRIG_BIN" "$@"
}

# As the user, fail unless brig says "brig: $1 needs root$2" alone, with exit
# 2, and the database is as it was.
refused_as_user() {
    local want="brig: $1 needs root$2" wd=$3 before
    shift 3
    before=$(db_dump)
    as_user "$wd" "$@"
    same "$status" 2 "exit status of brig $*: $output"
    same "$output" "$want" "brig $*"
    same "$(db_dump)" "$before" "database after brig $*"
}

@test "without root, every verb that acts on jails, bridges or bases says it needs root and changes nothing" {
    local -a cmds=(
        "jcreate jname=web2" "jset jname=web1 astart=1" "jconfig jname=web1 astart=1"
        "jremove jname=web1" "jstart jname=web1" "jstop jname=web1" "jrestart jname=web1"
        "jlogin jname=web1" "recover" "bridge action=create name=br9"
        "bridge action=remove name=br9" "jnic jname=web1 action=add" "repo action=get base=busybox"
        "repo action=remove base=busybox"
    )
    local c
    for c in "${cmds[@]}"; do
        # shellcheck disable=SC2086
        refused_as_user "${c%% *}" "" "$W" $c
        # the same on a workdir of the user's own: the kernel is root's
        # shellcheck disable=SC2086
        refused_as_user "${c%% *}" "" "$U/w" $c
    done
    refused_as_user jexec "" "$W" jexec jname=web1 -- true
    same "$(jail_count)" 1 "jails"
}

@test "without root, a verb that needs only the workdir says it needs root on root's workdir" {
    local c
    for c in jls "jget jname=web1" inventory repo bridge "jnic jname=web1" "initenv nodename=x"; do
        # shellcheck disable=SC2086
        refused_as_user "${c%% *}" " (this user cannot write workdir $W)" "$W" $c
    done
    refused_as_user initenv " (this user cannot write workdir /var/lib/brig-none/w)" \
        /var/lib/brig-none/w initenv
    [ ! -e /var/lib/brig-none ]
}

@test "without root: --version, help (on any workdir), and a workdir of the user's own with records and plans" {
    as_user "$U/w" --version
    same "$status" 0 "--version: $output"
    as_user "$U/w" --help
    same "$status" 0 "--help: $output"
    as_user "$U/w" jstart --help
    same "$status" 0 "jstart --help: $output"
    as_user "$W" help jstart
    same "$status" 0 "help jstart on root's workdir: $output"
    output_has "usage: brig jstart"
    as_user "$U/w" initenv nodename=user.test
    same "$status" 0 "initenv: $output"
    as_user "$U/w" --os=freebsd jcreate jname=bsd1 ip4_addr=0
    same "$status" 0 "jcreate --os=freebsd: $output"
    as_user "$U/w" --os=freebsd jset jname=bsd1 astart=1
    same "$status" 0 "jset --os=freebsd: $output"
    as_user "$U/w" jls display=jname,astart,status header=0
    same "$status" 0 "jls: $output"
    same "$output" "bsd1  1  stopped" "jls"
    as_user "$U/w" jget jname=bsd1 astart
    same "$output" "astart: 1" "jget"
    as_user "$U/w" --os=freebsd jstart jname=bsd1 --dry-run
    same "$status" 0 "jstart --os=freebsd --dry-run: $output"
    output_has "jail"
    as_user "$U/w" jstart jname=bsd1 --dry-run
    same "$status" 0 "jstart --dry-run: $output"
    as_user "$U/w" inventory
    same "$status" 0 "inventory: $output"
    as_user "$U/w" repo
    same "$status" 0 "repo: $output"
    as_user "$U/w" bridge
    same "$status" 0 "bridge: $output"
}
