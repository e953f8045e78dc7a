#!/usr/bin/env bats
# Thin and thick jails: a thin jail (baserw=0) writes into its own data dir
# over the shared read-only base; a thick jail (baserw=1) has its own copy.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

@test "thin jail: writes land in jails-data/<jail>-data/upper and the base stays unchanged" {
    local J=${P}tk1 sum_before sum_after
    sum_before=$(cd "$W/basejail/busybox" && find . -printf '%p %s %m\n' | sort | md5sum)
    jail_up jname=$J ip4_addr=0 exec_start=true exec_stop=true
    ok brig jexec jname=$J -- sh -c 'echo new >/etc/newfile; echo changed >>/etc/passwd; rm /bin/rev'
    local up="$W/jails-data/$J-data/upper"
    same "$(cat "$up/etc/newfile")" new "new file in upper"
    grep -q changed "$up/etc/passwd"
    ! grep -q changed "$W/basejail/busybox/etc/passwd"
    [ -e "$W/basejail/busybox/bin/rev" ]
    sum_after=$(cd "$W/basejail/busybox" && find . -printf '%p %s %m\n' | sort | md5sum)
    same "$sum_after" "$sum_before" "the base's files"
    # the changes survive a restart
    ok brig jrestart jname=$J
    ok brig jexec jname=$J -- cat /etc/newfile
    same "$output" new "after jrestart"
    run brig jexec jname=$J -- ls /bin/rev
    [ "$status" -ne 0 ]
}

@test "thin jails share the base but not each other's writes" {
    jail_up jname=${P}tk1 ip4_addr=0 exec_start=true exec_stop=true
    jail_up jname=${P}tk2 ip4_addr=0 exec_start=true exec_stop=true
    ok brig jexec jname=${P}tk1 -- sh -c 'echo one >/root/mine'
    run brig jexec jname=${P}tk2 -- cat /root/mine
    [ "$status" -ne 0 ]
}

@test "thin jail: the base is read-only from inside even for root" {
    jail_up jname=${P}tk1 ip4_addr=0 exec_start=true exec_stop=true
    ok brig jexec jname=${P}tk1 -- sh -c 'echo x >/bin/busybox-copy'
    [ ! -e "$W/basejail/busybox/bin/busybox-copy" ]
}

@test "thick jail: baserw=1 has its own full copy of the base" {
    local J=${P}tk1
    ok brig jcreate jname=$J ip4_addr=0 baserw=1 exec_start=true exec_stop=true
    local data="$W/jails-data/$J-data"
    [ -x "$data/bin/busybox" ] || {
        echo "no copy of the base in $data: $(ls "$data")" >&2
        return 1
    }
    same "$(cmp "$data/bin/busybox" "$W/basejail/busybox/bin/busybox" && echo same)" same "busybox copy"
    ok brig jstart jname=$J
    ok brig jexec jname=$J -- sh -c 'echo thick >/etc/newfile; rm /bin/rev'
    same "$(cat "$data/etc/newfile")" thick "file in the thick copy"
    [ ! -e "$data/bin/rev" ]
    [ -e "$W/basejail/busybox/bin/rev" ]
    [ ! -e "$W/basejail/busybox/etc/newfile" ]
    ok brig jstop jname=$J
    assert_nothing_left
}

@test "thick jail: it starts without the base it was copied from" {
    local J=${P}tk1
    ok brig jcreate jname=$J ip4_addr=0 baserw=1 exec_start=true exec_stop=true
    mv "$W/basejail/busybox" "$W/basejail/moved"
    run brig jstart jname=$J
    mv "$W/basejail/moved" "$W/basejail/busybox"
    [ "$status" -eq 0 ] || {
        echo "a thick jail needs no base, but: $output" >&2
        return 1
    }
    ok brig jstop jname=$J
}

@test "jremove of a thin jail removes its data and keeps the base" {
    local J=${P}tk1
    jail_up jname=$J ip4_addr=0 exec_start=true exec_stop=true
    ok brig jstop jname=$J
    ok brig jremove jname=$J
    [ ! -e "$W/jails-data/$J-data" ]
    [ -x "$W/basejail/busybox/bin/busybox" ]
    assert_nothing_left
}
