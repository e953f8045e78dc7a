#!/usr/bin/env bats
# VIMAGE has had leaks; brig's VNET jails must not: hundreds of start/stop
# cycles leave the same links, mounts, cgroups, fds and processes as before.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

# Cycles to run, and the time budget that may cut them short (seconds).
LEAK_CYCLES=${BRIG_LEAK_CYCLES:-500}
LEAK_SECONDS=${BRIG_LEAK_SECONDS:-170}

@test "500 VNET start/stop cycles (or as many as fit in about 3 minutes) leak nothing" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    ok brig jcreate jname=${P}l vnet=1 ip4_addr=10.199.0.70/16,fd00::70/64 allow_raw_sockets=1
    ok brig jnic jname=${P}l action=add parent=br1 ip4_addr=10.77.0.70/24
    # one warm-up cycle: the default bridge and the cgroup parents are made once
    ok brig jstart jname=${P}l
    ok brig jstop jname=${P}l
    local before after i start=$SECONDS
    before=$(life_snapshot)
    for ((i = 1; i <= LEAK_CYCLES; i++)); do
        "$BRIG_BIN" jstart jname=${P}l >/dev/null || { echo "cycle $i: jstart failed" >&2; return 1; }
        if ((i % 50 == 1)); then
            host_ping 10.199.0.70 || { echo "cycle $i: no answer" >&2; return 1; }
        fi
        "$BRIG_BIN" jstop jname=${P}l >/dev/null || { echo "cycle $i: jstop failed" >&2; return 1; }
        ((SECONDS - start < LEAK_SECONDS)) || break
    done
    ((i > LEAK_CYCLES)) && i=$LEAK_CYCLES
    echo "# $i cycles in $((SECONDS - start)) s" >&3
    # the last stop's network namespace may go a moment after it returns
    wait_for 60 settled_to "$before" || true
    after=$(life_snapshot)
    snapshot_same "$before" "$after"
    assert_nothing_left
}

# True once processes $1 and $2 are in one network namespace.
same_netns() {
    [ "$(readlink /proc/"$1"/ns/net)" = "$(readlink /proc/"$2"/ns/net)" ]
}

@test "jstop removes the NICs even while a host process holds the jail's network namespace" {
    jail_up jname=${P}h vnet=1 ip4_addr=10.199.0.71/16
    local pid holder
    pid=$(jpid ${P}h)
    # the namespace outlives the jail: the kernel does not tear the pair down
    nsenter --net=/proc/"$pid"/ns/net sleep 1000 &
    holder=$!
    wait_for 60 same_netns "$holder" "$pid"
    ok brig jstop jname=${P}h
    same "$(count_links)" 0 "host ends after jstop"
    same "$(nsenter --net=/proc/"$holder"/ns/net ip -o link show | grep -c eth0 || true)" 0 \
        "eth0 in the held namespace"
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    assert_nothing_left
}
