#!/usr/bin/env bats
# brig jrename: a stopped jail under a new name; its directories, host name
# (when derived from the name) and records follow, and an interrupted rename
# is undone by the next command on the jail.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

@test "a renamed jail starts under its new name with its files, address and derived host name" {
    jail_up jname=${P}a vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c 'echo kept >/root/f'
    local ip
    ip=$(brig jget jname=${P}a ip4_addr | awk '{ print $NF }')
    ok brig jstop jname=${P}a
    ok brig jrename old=${P}a new=${P}b
    has_line "${P}a: renamed to ${P}b"
    [ ! -e "$W/jails/${P}a" ] && [ ! -e "$W/jails-data/${P}a-data" ] && [ ! -e "$W/jails-system/${P}a" ]
    [ -d "$W/jails-data/${P}b-data/upper" ] && [ -d "$W/jails-system/${P}b" ]
    ok brig jls display=jname,ip4_addr,host_hostname,path header=0
    has_line "${P}b  $ip  ${P}b.my.domain  $W/jails/${P}b"
    output_lacks "${P}a "
    ok brig jstart jname=${P}b
    # its cgroup (none while stopped) and the alias of its host end take the new name
    [ -n "$(find /sys/fs/cgroup -path "*/brig/$(node_id)/${P}b" -type d)" ]
    [ -z "$(find /sys/fs/cgroup -path "*/brig/$(node_id)/${P}a" -type d)" ]
    ok ip -o link show
    output_has "${P}b-eth0"
    output_lacks "${P}a-eth0"
    ok brig jexec jname=${P}b -- sh -c 'cat /root/f; hostname; ip -o addr show eth0'
    output_has kept
    output_has "${P}b.my.domain"
    output_has "$ip"
    ok brig jstop jname=${P}b
    ok brig jremove jname=${P}b
    [ ! -e "$W/jails-data/${P}b-data" ]
}

@test "a host name given by the user stays as it is, and host_hostname= gives another" {
    ok brig jcreate jname=${P}a host_hostname=web.example.org exec_start=true exec_stop=true
    ok brig jrename old=${P}a new=${P}b
    ok brig jget jname=${P}b host_hostname
    output_has web.example.org
    ok brig jrename old=${P}b new=${P}c host_hostname=db.example.org
    ok brig jget jname=${P}c host_hostname
    output_has db.example.org
    assert_rejected 2 "host_hostname" brig jrename old=${P}c new=${P}d host_hostname=-bad-
}

@test "jrename refuses a running jail, a name in use and bad names, changing nothing" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    ok brig jcreate jname=${P}c exec_start=true exec_stop=true
    assert_rejected 2 "a jail named ${P}c exists" brig jrename old=${P}a new=${P}c
    assert_rejected 2 "may hold only" brig jrename old=${P}a new=${P}/x
    assert_rejected 2 "same name" brig jrename old=${P}a new=${P}a
    assert_rejected 2 "new= is required" brig jrename old=${P}a
    assert_rejected 2 "no such jail" brig jrename old=${P}none new=${P}b
    ok brig jstart jname=${P}a
    assert_rejected 2 "is running" brig jrename old=${P}a new=${P}b
    [ "$(jstatus ${P}a)" = running ]
    [ -d "$W/jails-system/${P}a" ] && [ ! -e "$W/jails-system/${P}b" ]
}

@test "a new name whose derived host name would be too long is refused" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    local long
    long=${P}$(printf 'x%.0s' $(seq 1 $((60 - ${#P}))))
    assert_rejected 2 "host_hostname" brig jrename old=${P}a new=$long
    [ -d "$W/jails-system/${P}a" ]
}

@test "a directory left in the new name's place is refused" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    mkdir -p "$W/jails-data/${P}b-data"
    assert_rejected 2 "${P}b-data exists" brig jrename old=${P}a new=${P}b
    [ -d "$W/jails-data/${P}a-data" ]
}

# Crash brig with BRIG_FAULT=$1 during a rename of ${P}a to ${P}b.
crash_rename() {
    run env BRIG_FAULT="$1" "$BRIG_BIN" jrename old=${P}a new=${P}b
    [ "$status" -eq 137 ] || {
        echo "$1: wanted death by SIGKILL (137), got $status: $output" >&2
        return 1
    }
}

@test "jrename killed between any two of its steps leaves the jail whole under one name" {
    need_fault_injection
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    ok brig jstart jname=${P}a
    ok brig jexec jname=${P}a -- sh -c 'echo kept >/root/f'
    ok brig jstop jname=${P}a
    local point
    for point in jrename:1 jrename:2 jrename:3 jrename:4; do
        crash_rename $point
        # the next command on the jail undoes the rename
        ok brig jstart jname=${P}a
        ok brig jexec jname=${P}a -- cat /root/f
        same "$output" kept "$point: the jail's file"
        ok brig jstop jname=${P}a
        [ ! -e "$W/jails-data/${P}b-data" ] && [ ! -e "$W/jails-system/${P}b" ] || {
            echo "$point: the new name's directories are left" >&2
            return 1
        }
        [ -z "$(ls -A "$W/jails-system" | grep '^\.rename-')" ]
    done
    # killed after the record changed: the rename is complete
    crash_rename jrename:4:after
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- cat /root/f
    same "$output" kept "after the commit"
    ok brig jstop jname=${P}b
    [ -z "$(ls -A "$W/jails-system" | grep '^\.rename-')" ]
    [ ! -e "$W/jails-system/${P}a" ]
}
