#!/usr/bin/env bats
# persist: with persist=0 a jail ends with its last process; with persist=1 it
# lives on without any.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

@test "persist=0: the jail ends when its last process exits and starts again" {
    # the last process ends when the test says so, whatever the machine's load
    ok brig jcreate jname=${P}pe1 ip4_addr=0 persist=0 exec_stop=true \
        exec_start='rm -f /last-end; (until [ -e /last-end ]; do sleep 0.1; done) >/dev/null 2>&1 &'
    ok brig jstart jname=${P}pe1
    same "$(jstatus ${P}pe1)" running "status while the last process runs"
    ok brig jexec jname=${P}pe1 -- touch /last-end
    wait_status ${P}pe1 stopped
    same "$(count_inits)" 0 "inits after the last process exited"
    ok brig jstart jname=${P}pe1
    same "$(jstatus ${P}pe1)" running "status after the next jstart"
    ok brig jexec jname=${P}pe1 -- touch /last-end
    wait_status ${P}pe1 stopped
    ok brig recover
    assert_nothing_left
}

@test "persist=0: a jail whose exec_start leaves nothing running stops by itself" {
    ok brig jcreate jname=${P}pe1 ip4_addr=0 persist=0 exec_stop=true exec_start='/bin/sleep 1'
    ok brig jstart jname=${P}pe1
    wait_status ${P}pe1 stopped
    ok brig jstop jname=${P}pe1
    output_has "${P}pe1: already stopped"
    assert_nothing_left
}

@test "persist=0: jstop of a jail that ended by itself says already stopped and cleans up" {
    ok brig jcreate jname=${P}pe1 ip4_addr=0 persist=0 exec_stop=true exec_start='/bin/sleep 0.3 &'
    ok brig jstart jname=${P}pe1
    wait_status ${P}pe1 stopped
    ok brig jstop jname=${P}pe1
    same "$output" "${P}pe1: already stopped (cleaned up after its init, which had ended)" "jstop output"
    assert_nothing_left
}

@test "persist=0: recover cleans up after a jail that ended by itself and says so" {
    ok brig jcreate jname=${P}pe1 ip4_addr=0 persist=0 exec_stop=true exec_start='/bin/sleep 0.3 &'
    ok brig jcreate jname=${P}pe2 ip4_addr=0 exec_start=true
    ok brig jstart jname=${P}pe1
    wait_status ${P}pe1 stopped
    ok brig recover
    same "${#lines[@]}" 2 "lines: $output"
    has_line "${P}pe1: cleaned up after its init, which had ended"
    has_line "${P}pe2: nothing to do"
    ok brig recover jname=${P}pe1
    same "$output" "${P}pe1: nothing to do" "recover again"
    assert_nothing_left
}

@test "recover without jails says there is nothing to do" {
    ok brig recover
    same "$output" "no jails: nothing to do" "recover output"
}

@test "persist=1: the jail lives on with no process but its init and its console logger" {
    ok brig jcreate jname=${P}pe1 ip4_addr=0 persist=1 exec_start=true
    ok brig jstart jname=${P}pe1
    same "$(jstatus ${P}pe1)" running "status"
    ok brig jexec jname=${P}pe1 -- ps -o comm=
    same "$(echo $output)" "brig-init brig-log ps" "processes: the init, brig-log and ps"
}
