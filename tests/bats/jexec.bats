#!/usr/bin/env bats
# brig jexec: a command runs inside a running jail with stdin, stdout and
# stderr passed through, and its exit status becomes brig's.

load lifecycle_helper

setup() {
    life_setup
    ok brig jcreate jname=${P}xe1 ip4_addr=0 exec_start=true
}

teardown() {
    life_teardown
}

@test "jexec runs the command inside the jail and returns its exit status" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1 -- /bin/sh -c 'echo out; echo err >&2; exit 7'
    same "$status" 7 "exit status"
    has_line out
    has_line err
    run brig jexec jname=${P}xe1 -- true
    same "$status" 0 "true"
    run brig jexec jname=${P}xe1 -- false
    same "$status" 1 "false"
}

@test "jexec passes stdin through" {
    ok brig jstart jname=${P}xe1
    run bash -c "echo hi | '$BRIG_BIN' jexec jname=${P}xe1 -- cat"
    same "$status" 0 "exit status"
    same "$output" hi "cat's output"
    run bash -c "seq 1 5000 | '$BRIG_BIN' jexec jname=${P}xe1 -- wc -l"
    same "$(echo $output)" 5000 "lines through stdin"
}

@test "jexec reports a command killed by a signal as 128+signal" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1 -- /bin/sh -c 'kill -9 $$'
    same "$status" 137 "exit status"
}

@test "jexec on a stopped jail fails with not running" {
    run brig jexec jname=${P}xe1 -- true
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "${P}xe1: not running"
}

@test "jexec without a command is refused" {
    ok brig jstart jname=${P}xe1
    assert_rejected 2 "no command" brig jexec jname=${P}xe1
}

@test "jexec of a program that is not in the jail fails and says so" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1 -- /nonexistent
    [ "$status" -ne 0 ]
    output_has "/nonexistent"
}

@test "jexec user= runs as that user of the jail, an unknown user is refused" {
    ok brig jstart jname=${P}xe1
    ok brig jexec jname=${P}xe1 user=nobody -- id
    output_has "uid=65534(nobody)"
    assert_rejected 2 "no user nosuch" brig jexec jname=${P}xe1 user=nosuch -- id
}

@test "jexec runs in the jail's namespaces and cgroup" {
    ok brig jstart jname=${P}xe1
    ok brig jexec jname=${P}xe1 -- hostname
    same "$output" ${P}xe1.my.domain "host name"
    ok brig jexec jname=${P}xe1 -- ps -o pid,comm
    has_line "    1 brig-init"
    ok brig jexec jname=${P}xe1 -- cat /proc/self/cgroup
    # the jail's cgroup is the root of its cgroup namespace
    local l
    for l in "${lines[@]}"; do
        [[ "$l" == *:/ ]] || {
            echo "not in the jail's cgroup: $l" >&2
            return 1
        }
    done
    # from the host: the jexec'd process is in the same cgroups as the jail's init
    "$BRIG_BIN" jexec jname=${P}xe1 -- sleep 1000 &
    local bg=$! i pid=
    for ((i = 0; i < 30; i++)); do
        pid=$(pgrep -xf 'sleep 1000') && break
        sleep 0.1
    done
    local mine init
    mine=$(cat "/proc/$pid/cgroup")
    init=$(cat "/proc/$(jpid ${P}xe1)/cgroup")
    kill "$pid" 2>/dev/null || true
    wait "$bg" || true
    same "$mine" "$init" "cgroups of the jexec'd process and of the init"
    [[ "$init" == *"/brig/$(node_id)/${P}xe1"* ]] || {
        echo "the init is in no cgroup of the jail: $init" >&2
        return 1
    }
}

@test "jexec sees the jail's files, not the host's" {
    ok brig jstart jname=${P}xe1
    echo host-only >"$BATS_TEST_TMPDIR/marker"
    run brig jexec jname=${P}xe1 -- cat "$BATS_TEST_TMPDIR/marker"
    [ "$status" -ne 0 ]
    ok brig jexec jname=${P}xe1 -- ls /
    output_lacks work
}
