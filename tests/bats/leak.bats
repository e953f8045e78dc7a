#!/usr/bin/env bats
# Leaks: many start/stop cycles leave the host as they found it. Counted
# before and after: mount table lines, cgroups of the jail, links, jail
# inits, zombies, and the fds of the test's shell. The time per cycle is
# printed, not asserted.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# Run $2 start/stop cycles of jail $1, failing at the first error; print ms per cycle.
cycles() {
    local j=$1 n=$2 i t0 t1
    t0=$(date +%s%N)
    for ((i = 1; i <= n; i++)); do
        "$BRIG_BIN" jstart jname="$j" >/dev/null || {
            echo "cycle $i: jstart failed" >&2
            return 1
        }
        "$BRIG_BIN" jstop jname="$j" >/dev/null || {
            echo "cycle $i: jstop failed" >&2
            return 1
        }
    done
    t1=$(date +%s%N)
    echo "# $j: $n cycles, $(((t1 - t0) / n / 1000)) us per start+stop" >&3
}

@test "200 start/stop cycles of a jail leak no mount, cgroup, link, process, fd or zombie" {
    local J=${P}lk1 before after
    ok brig jcreate jname=$J ip4_addr=0 exec_start=true exec_stop=true
    # one cycle first: whatever is made once per node (top-level cgroups) exists
    cycles $J 1
    before=$(life_snapshot)
    cycles $J 200
    wait_for 60 settled_to "$before" || true
    after=$(life_snapshot)
    snapshot_same "$before" "$after"
    assert_nothing_left
}

@test "50 start/stop cycles of a VNET jail leak no interface, mount, cgroup or fd" {
    local J=${P}lk2 before after
    ok brig jcreate jname=$J vnet=1 ip4_addr=10.44.0.2/24 exec_start=true exec_stop=true \
        memoryuse=64m maxproc=100
    cycles $J 1
    before=$(life_snapshot)
    cycles $J 50
    wait_for 60 settled_to "$before" || true
    after=$(life_snapshot)
    snapshot_same "$before" "$after"
    assert_nothing_left
}

@test "100 jexec into a running jail leak no process, fd or zombie" {
    local J=${P}lk3 before after i
    ok brig jcreate jname=$J ip4_addr=0 exec_start=true exec_stop=true
    ok brig jstart jname=$J
    "$BRIG_BIN" jexec jname=$J -- true
    before=$(life_snapshot)
    for ((i = 0; i < 100; i++)); do
        "$BRIG_BIN" jexec jname=$J -- true
    done
    wait_for 60 settled_to "$before" || true
    after=$(life_snapshot)
    snapshot_same "$before" "$after"
    ok brig jexec jname=$J -- ps -o comm=
    same "$output" brig-init$'\n'brig-log$'\n'ps "processes in the jail"
}
