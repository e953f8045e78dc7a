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
    ok brig2 initenv ifprefix=c
    ok brig2 jstart jname=${P}tb
    ok ip -o link show cj1n0
    output_has "${P}tb-eth0 brig node $(W=$W2 node_id)"
}

@test "jail ids two workdirs share meet in host interface names: the second is refused, the first keeps its link and filter" {
    ok brig jcreate jname=${P}ta vnet=1 ip4_addr=10.199.0.5/16 exec_start=true
    ok brig jstart jname=${P}ta
    ok ip -o link show bj1n0
    output_has "${P}ta-eth0 brig node $(node_id)"
    local before conf
    before=$(nft list chain bridge brig bj1n0)
    # the running jail's stop finds its link by the prefix it was made with
    conf=$(cat "$W/etc/brig.conf")
    run brig initenv ifprefix=d
    same "$status" 1 "exit status"
    output_has "ifprefix: jails or VMs of this workdir are running (or a start or stop is unfinished): stop them, or run brig recover, first"
    same "$(cat "$W/etc/brig.conf")" "$conf" "brig.conf"
    ok brig2 initenv bridge=brigw2 nodeippool=10.198.0.0/16
    ok brig2 jcreate jname=${P}tb vnet=1 ip4_addr=10.198.0.5/16 exec_start=true
    run brig2 jstart jname=${P}tb
    same "$status" 1 "exit status"
    output_has "host interface bj1n0 belongs to another brig workdir (brig node $(node_id)): give this workdir interface names of its own with brig initenv ifprefix="
    same "$(BRIG_WORKDIR=$W2 "$BRIG_BIN" jls display=status header=0)" stopped "status"
    # the first workdir's port: still its own, on its bridge, with its filter
    ok ip -o link show bj1n0
    output_has "master brig0"
    output_has "${P}ta-eth0 brig node $(node_id)"
    same "$(nft list chain bridge brig bj1n0)" "$before" "the first jail's port filter"
    ok brig jexec jname=${P}ta -- ping -c1 -W5 10.199.0.1
    # a bad prefix is refused and changes nothing
    run brig2 initenv ifprefix=b1
    same "$status" 2 "exit status"
    output_has "ifprefix: 'b1' is not 1 to 3 lower-case letters"
    ok brig2 initenv ifprefix=bb
    ok brig2 jstart jname=${P}tb
    ok ip -o link show bbj1n0
    output_has "master brigw2"
    ok brig2 jexec jname=${P}tb -- ping -c1 -W5 10.198.0.1
    ok brig jexec jname=${P}ta -- ping -c1 -W5 10.199.0.1
    ok brig2 jstop jname=${P}tb
    ok ip -o link show bj1n0
    ! ip link show bbj1n0 2>/dev/null
    ok brig jstop jname=${P}ta
    ! ip link show bj1n0 2>/dev/null
}
