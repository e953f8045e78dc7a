#!/usr/bin/env bats
# Two workdirs on one host: each has its own node id, and a jail of one never
# touches a jail of the same name in the other (cgroups, bridge).

load lifecycle_helper
load vnet_helper

setup() {
    life_setup
    export W2="$BATS_TEST_TMPDIR/w2"
    BRIG_WORKDIR="$W2" "$BRIG_BIN" initenv nodename=node2.test >/dev/null
    mkdir -p "$W2/basejail"
    cp -a "$W/basejail/busybox" "$W2/basejail/busybox"
    [ ! -e "$W/basejail/busybox.meta" ] || cp -a "$W/basejail/busybox.meta" "$W2/basejail/"
}

teardown() {
    BRIG_WORKDIR="$W2" "$BRIG_BIN" jstop jname='*' >/dev/null 2>&1 || true
    BRIG_WORKDIR="$W2" "$BRIG_BIN" recover >/dev/null 2>&1 || true
    vnet_teardown
}

brig2() {
    BRIG_WORKDIR="$W2" "$BRIG_BIN" "$@"
}

@test "initenv gives each workdir its own node id, kept by a second initenv" {
    local a b
    a=$(node_id)
    b=$(W=$W2 node_id)
    [ -n "$a" ] && [ -n "$b" ]
    [ "$a" != "$b" ]
    ok brig initenv nat_enable=0
    same "$(node_id)" "$a" "node id after a second initenv"
}

@test "a workdir without a node id gets one on first use, and keeps it" {
    sed -i '/^nodeid=/d' "$W/etc/brig.conf"
    ok brig jls
    local a
    a=$(node_id)
    [ -n "$a" ]
    ok brig jls
    same "$(node_id)" "$a" "node id on the next command"
}

@test "jstop in one workdir leaves the same-named jail of another workdir running" {
    ok brig jcreate jname=${P}tw ip4_addr=0 exec_start='sleep 1000 &'
    ok brig2 jcreate jname=${P}tw ip4_addr=0 exec_start='sleep 1001 &'
    ok brig jstart jname=${P}tw
    ok brig2 jstart jname=${P}tw
    local pid2
    pid2=$(BRIG_WORKDIR="$W2" "$BRIG_BIN" jls display=jname,pid header=0 | awk '{ print $2 }')
    ok brig jstop jname=${P}tw
    same "$(jstatus ${P}tw)" stopped "status in the first workdir"
    same "$(W=$W2 BRIG_WORKDIR=$W2 jstatus ${P}tw)" running "status in the second workdir"
    [ -e "/proc/$pid2" ]
    pgrep -xf 'sleep 1001' >/dev/null
    ! pgrep -xf 'sleep 1000'
    ok brig2 jstop jname=${P}tw
}

@test "a second workdir with the default bridge is refused while the first one's exists" {
    ok brig jcreate jname=${P}tb vnet=1 ip4_addr=DHCP exec_start=true
    ok brig jstart jname=${P}tb
    ok brig2 jcreate jname=${P}tb vnet=1 ip4_addr=DHCP exec_start=true
    run brig2 jstart jname=${P}tb
    same "$status" 1 "exit status"
    output_has "bridge brig0 belongs to another brig workdir"
    same "$(BRIG_WORKDIR=$W2 "$BRIG_BIN" jls display=status header=0)" stopped "status"
}

@test "a workdir whose pool overlaps another bridge's is refused" {
    ok brig jcreate jname=${P}tb vnet=1 ip4_addr=DHCP exec_start=true
    ok brig jstart jname=${P}tb
    ok brig2 initenv bridge=brigw2
    ok brig2 jcreate jname=${P}tb vnet=1 ip4_addr=DHCP exec_start=true
    run brig2 jstart jname=${P}tb
    same "$status" 1 "exit status"
    output_has "nodeippool 10.199.0.0/16 overlaps 10.199.0.1/16 on brig0"
    ok brig2 initenv nodeippool=10.198.0.0/16
    ok brig2 jset jname=${P}tb ip4_addr=DHCP
    ok brig2 jstart jname=${P}tb
}
