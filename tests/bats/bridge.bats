#!/usr/bin/env bats
# brig bridge: list the host's bridges with their addresses, members and the
# jails that use them; create one; remove one unless a jail still uses it.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "bridge action=create makes a bridge with its address and MTU, and list shows it" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24 mtu=1400
    same "$output" "br1: created" "create output"
    ip -o -4 addr show dev br1 | grep -q "inet 10.77.0.1/24"
    same "$(cat /sys/class/net/br1/mtu)" 1400 "mtu"
    ok brig bridge
    [[ "${lines[0]}" =~ ^NAME\ +MTU\ +STATE\ +ADDRESSES\ +MEMBERS\ +DEFAULT\ +JAILS$ ]]
    [[ "${lines[1]}" =~ ^br1\ +1400\ +up\ +10.77.0.1/24\ +-\ +0\ +0$ ]]
    ok brig bridge action=list --json
    same "$(jq -r '.[] | select(.name == "br1") | "\(.mtu) \(.state) \(.addresses) \(.members) \(.default) \(.jails)"' <<<"$output")" \
        "1400 up 10.77.0.1/24 - 0 0" "br1 in json"
}

@test "bridge list marks the default bridge and counts the jails that use each bridge" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    ok brig jcreate jname=${P}b1 vnet=1 ip4_addr=DHCP
    ok brig jcreate jname=${P}b2 vnet=1 ip4_addr=0
    ok brig jnic jname=${P}b2 action=add parent=br1 ip4_addr=10.77.0.5/24
    ok brig jstart jname=${P}b1
    ok brig bridge --json
    # with the IPv6 gateway of nodeip6pool=auto, a unique local /64
    [[ "$(jq -r '.[] | select(.name == "brig0") | "\(.default) \(.jails) \(.addresses)"' <<<"$output")" =~ ^"1 2 10.199.0.1/16,fd"[0-9a-f:]+::1/64$ ]] || {
        echo "brig0: $output" >&2
        return 1
    }
    same "$(jq -r '.[] | select(.name == "br1") | "\(.default) \(.jails)"' <<<"$output")" "0 1" "br1"
    local id
    id=$(sqlite3 "$W/var/db/local.sqlite" "select id from jails where jname='${P}b1'")
    same "$(jq -r '.[] | select(.name == "brig0") | .members' <<<"$output")" "bj${id}n0" "members"
}

@test "bridge create refuses bad names, addresses and MTUs, and an existing bridge" {
    assert_rejected 2 "brig: bridge: name: bad interface name 'a/b'" brig bridge action=create name=a/b
    assert_rejected 2 "must be 1 to 15 characters" brig bridge action=create name=abcdefghijklmnopq
    assert_rejected 2 "name= is required" brig bridge action=create
    assert_rejected 2 "addr" brig bridge action=create name=br2 addr=10.1.2.300/24
    assert_rejected 2 "mtu: 20 is out of range 68..65535" brig bridge action=create name=br2 mtu=20
    assert_rejected 2 "action: 'make' is not one of list, create, remove" brig bridge action=make
    run ip link show br2
    [ "$status" -ne 0 ]
    ok brig bridge action=create name=br1
    assert_rejected 2 "bridge br1 already exists" brig bridge action=create name=br1
    ip link add vx0 type veth peer name vx1
    assert_rejected 2 "vx0 exists and is not a bridge" brig bridge action=create name=vx0
    assert_rejected 2 "vx0 is not a bridge" brig bridge action=remove name=vx0
}

@test "bridge create refuses a subnet that overlaps another bridge's or the node's pool" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    assert_rejected 2 "addr: 10.77.0.0/16 overlaps bridge br1's 10.77.0.1/24" \
        brig bridge action=create name=br2 addr=10.77.9.1/16
    assert_rejected 2 "addr: 10.77.0.128/25 overlaps bridge br1's 10.77.0.1/24" \
        brig bridge action=create name=br2 addr=10.77.0.129/25
    assert_rejected 2 "addr: 10.199.5.0/24 overlaps the node's pool 10.199.0.0/16 (nodeippool)" \
        brig bridge action=create name=br2 addr=10.199.5.1/24
    run ip link show br2
    [ "$status" -ne 0 ]
    ok brig bridge action=create name=br2 addr=10.78.0.1/24
}

@test "bridge remove deletes an unused bridge" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    ok brig bridge action=remove name=br1
    same "$output" "br1: removed" "remove output"
    run ip link show br1
    [ "$status" -ne 0 ]
    assert_rejected 2 "no such bridge br1" brig bridge action=remove name=br1
}

@test "bridge remove refuses while a recorded jail uses it, even with force=1" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    ok brig jcreate jname=${P}b1 vnet=1 interface=br1 ip4_addr=10.77.0.9/24
    assert_rejected 1 "br1: used by jail ${P}b1" brig bridge action=remove name=br1
    assert_rejected 1 "br1: used by jail ${P}b1" brig bridge action=remove name=br1 force=1
    ip link show br1 >/dev/null
}

@test "bridge remove refuses while links are attached, and force=1 removes it anyway" {
    ok brig bridge action=create name=br1
    ip link add vx0 type veth peer name vx1
    ip link set vx0 master br1
    assert_rejected 1 "bridge br1 has 1 link attached (vx0)" brig bridge action=remove name=br1
    ok brig bridge action=remove name=br1 force=1
    run ip link show br1
    [ "$status" -ne 0 ]
    ip link show vx0 >/dev/null
}

@test "bridge remove stops the bridge's DHCP server" {
    devfs_rules_dhcp
    ok brig jcreate jname=${P}d1 vnet=1 ip4_addr=REALDHCP devfs_ruleset=7
    ok brig jstart jname=${P}d1
    local pid
    pid=$(cat "$W/var/run/"*brig0*.pid 2>/dev/null | head -n1)
    [ -n "$pid" ] && kill -0 "$pid"
    ok brig jstop jname=${P}d1
    ok brig jremove jname=${P}d1
    ok brig bridge action=remove name=brig0
    ! kill -0 "$pid" 2>/dev/null
}

@test "bridge remove takes the bridge's NAT rule away" {
    ok brig initenv nat_enable=1
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    nft list table ip brig | grep -q "10.77.0.0/24"
    ok brig bridge action=remove name=br1
    run nft list table ip brig
    output_lacks "10.77.0.0/24"
}

@test "bridge options are checked against the action" {
    assert_rejected 2 "force= goes with action=remove only" brig bridge action=create name=br1 force=1
    assert_rejected 2 "addr= and mtu= go with action=create only" brig bridge action=remove name=br1 mtu=1400
    assert_rejected 2 "unknown parameter 'nmae' (did you mean 'name'?)" brig bridge action=create nmae=br1
}
