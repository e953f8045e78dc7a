#!/usr/bin/env bats
# brig jstop: the jail's init and every process in it end, jls shows it
# stopped, and nothing of it stays on the host.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

@test "jstop ends the jail: stopped, pid 0, init gone, nothing left on the host" {
    ok brig jcreate jname=${P}so1 ip4_addr=0
    ok brig jstart jname=${P}so1
    local pid
    pid=$(jpid ${P}so1)
    ok brig jstop jname=${P}so1
    same "$output" "${P}so1: stopped" "jstop output"
    same "$(jstatus ${P}so1)" stopped "status"
    same "$(jpid ${P}so1)" 0 "pid"
    [ ! -e "/proc/$pid" ]
    assert_nothing_left
}

@test "jstop ends every process of the jail, not only its init" {
    ok brig jcreate jname=${P}so1 ip4_addr=0 exec_start='sleep 1000 & sleep 1001 &'
    ok brig jstart jname=${P}so1
    pgrep -xf 'sleep 1000' >/dev/null
    ok brig jstop jname=${P}so1
    ! pgrep -xf 'sleep 1000'
    ! pgrep -xf 'sleep 1001'
    assert_nothing_left
}

@test "jstop of a stopped jail says already stopped and exits 0" {
    ok brig jcreate jname=${P}so1 ip4_addr=0
    local before
    before=$(db_dump)
    ok brig jstop jname=${P}so1
    same "$output" "${P}so1: already stopped" "jstop output"
    same "$(db_dump)" "$before" "database"
}

@test "jstop of a list, glob or astart=1 with some jails stopped stops the others and exits 0" {
    local n
    for n in ${P}so1 ${P}so2 ${P}so3; do ok brig jcreate jname=$n ip4_addr=0 exec_start=true astart=1; done
    ok brig jstart jname=${P}so1,${P}so3
    ok brig jstop jname=${P}so1,${P}so2
    has_line "${P}so1: stopped"
    has_line "${P}so2: already stopped"
    ok brig jstop jname="${P}so*" jobs=0
    has_line "${P}so1: already stopped"
    has_line "${P}so3: stopped"
    ok brig jstop astart=1
    same "${#lines[@]}" 3 "lines"
    has_line "${P}so2: already stopped"
    same "$(jstatus ${P}so1) $(jstatus ${P}so2) $(jstatus ${P}so3)" "stopped stopped stopped" "statuses"
    assert_nothing_left
}

@test "jstop of a VNET jail removes its host-side interface" {
    ok brig jcreate jname=${P}so1 vnet=1 ip4_addr=10.77.0.2/24
    ok brig jstart jname=${P}so1
    same "$(count_links)" 1 "bj links while running"
    ok brig jexec jname=${P}so1 -- ip -o addr show eth0
    output_has "10.77.0.2/24"
    ok brig jstop jname=${P}so1
    assert_nothing_left
}

@test "jstop of several VNET jails removes their host-side interfaces before it returns, and no other jail's" {
    local n pid
    for n in ${P}so1 ${P}so2 ${P}so3; do
        ok brig jcreate jname=$n vnet=1 ip4_addr=0
    done
    ok brig jstart jname="${P}so*"
    same "$(count_links)" 3 "bj links while running"
    # a jail's network namespace held by a host process outlives its init:
    # its host end still goes with the stop
    pid=$(jpid ${P}so2)
    exec 9</proc/$pid/ns/net
    ok brig jstop jname=${P}so1,${P}so2
    has_line "${P}so1: stopped"
    has_line "${P}so2: stopped"
    local left
    left=$(count_links)
    exec 9<&-
    same "$left" 1 "bj links after the stop"
    ok brig jexec jname=${P}so3 -- ip -o link show eth0
    ok brig jstop jname=${P}so3
    assert_nothing_left
}

@test "jstop jname=glob stops the matching running jails" {
    local n
    for n in ${P}so1 ${P}so2 ${P}sx1; do ok brig jcreate jname=$n ip4_addr=0 exec_start=true; done
    ok brig jstart jname="${P}so*,${P}sx1"
    ok brig jstop jname="${P}so*"
    has_line "${P}so1: stopped"
    has_line "${P}so2: stopped"
    same "$(jstatus ${P}so1) $(jstatus ${P}so2) $(jstatus ${P}sx1)" "stopped stopped running" "statuses"
}

@test "jstop runs exec_stop inside the jail before it ends" {
    ok brig jcreate jname=${P}so1 ip4_addr=0 exec_start=true exec_stop='echo bye >/root/stopped'
    ok brig jstart jname=${P}so1
    ok brig jstop jname=${P}so1
    same "$(cat "$W/jails-data/${P}so1-data/upper/root/stopped")" bye "file written by exec_stop"
}

@test "stop_timeout: a process that ignores SIGTERM is killed after stop_timeout" {
    ok brig jcreate jname=${P}so1 ip4_addr=0 stop_timeout=1 exec_stop=true \
        exec_start="trap '' TERM; sleep 1000 &"
    ok brig jstart jname=${P}so1
    local t0 t1
    t0=$(date +%s%N)
    ok brig jstop jname=${P}so1
    t1=$(date +%s%N)
    echo "# jstop took $(((t1 - t0) / 1000000)) ms" >&3
    ! pgrep -xf 'sleep 1000'
    grep -q "processes still running after 1 s, killing them" "$W/jails-system/${P}so1/console.log"
    assert_nothing_left
}

@test "a jail that was stopped starts again" {
    ok brig jcreate jname=${P}so1 ip4_addr=0 exec_start=true
    ok brig jstart jname=${P}so1
    ok brig jstop jname=${P}so1
    ok brig jstart jname=${P}so1
    same "$(jstatus ${P}so1)" running "status"
    ok brig jexec jname=${P}so1 -- true
}

@test "a jail that fills the workdir's file system is still stopped, and the next command records it" {
    local small="$BATS_TEST_TMPDIR/small"
    mkdir -p "$small"
    mount -t tmpfs -o size=48m tmpfs "$small"
    local base=$W/basejail
    export W="$small/w" BRIG_WORKDIR="$small/w"
    ok brig initenv nodename=node1.test
    cp -a "$base/busybox" "$W/basejail/"
    [ ! -e "$base/busybox.meta" ] || cp -a "$base/busybox.meta" "$W/basejail/"
    ok brig jcreate jname=${P}full ip4_addr=0 exec_start='sleep 1000 &'
    ok brig jstart jname=${P}full
    run brig jexec jname=${P}full -- dd if=/dev/zero of=/fill bs=1M
    run brig jstop jname=${P}full
    if [ "$status" -ne 0 ]; then
        output_has "${P}full: stopped, but its state could not be recorded"
    fi
    ! pgrep -xf 'sleep 1000'
    same "$(count_inits)" 0 "jail inits"
    rm -f "$W/jails-data/${P}full-data/upper/fill"
    ok brig recover
    same "$(jstatus ${P}full)" stopped "status"
    ok brig jstart jname=${P}full
    ok brig jstop jname=${P}full
    assert_nothing_left
    ok brig jremove jname=${P}full
    umount "$small"
}
