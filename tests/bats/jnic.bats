#!/usr/bin/env bats
# brig jnic: a VNET jail's NIC table (CBSD's jailnic): list, add, remove and
# set rows; on a running jail add and remove act at once.

load vnet_helper

setup() {
    vnet_setup
    ok brig jcreate jname=${P}n1 vnet=1 ip4_addr=10.199.0.10/16 allow_raw_sockets=1
}

teardown() {
    vnet_teardown
}

jail_id() {
    sqlite3 "$W/var/db/local.sqlite" "select id from jails where jname='$1'"
}

@test "jnic list shows NIC 0 with its bridge, derived MAC and host end" {
    ok brig jnic jname=${P}n1
    [[ "${lines[0]}" =~ ^IDX\ +NAME\ +PARENT\ +BRIDGE\ +HWADDR\ +MAC\ +MTU\ +IP4_ADDR\ +HOST\ +NIC_FILTER$ ]]
    ok brig jnic jname=${P}n1 action=list --json
    local id
    id=$(jail_id ${P}n1)
    same "$(jq -r '.[0] | "\(.idx) \(.name) \(.parent) \(.bridge) \(.hwaddr) \(.mtu) \(.ip4_addr) \(.host)"' <<<"$output")" \
        "0 eth0 auto brig0 0 0 10.199.0.10/16 bj${id}n0" "NIC 0"
    local mac
    mac=$(jq -r '.[0].mac' <<<"$output")
    [[ "$mac" =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]]
    ok brig jstart jname=${P}n1
    same "$(jail_mac ${P}n1 eth0)" "$mac" "the MAC the jail has is the one jnic shows"
}

@test "jnic add appends the next index with its defaults, and set changes it" {
    ok brig jnic jname=${P}n1 action=add
    same "$output" "${P}n1: eth1 added (ip4_addr=0)" "add output"
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.5.5/16 mtu=1400 hwaddr=02:00:00:aa:bb:cc
    same "$output" "${P}n1: eth2 added (ip4_addr=10.199.5.5/16)" "add output"
    ok brig jnic jname=${P}n1 --json
    same "$(jq -r '.[2] | "\(.idx) \(.parent) \(.hwaddr) \(.mac) \(.mtu) \(.ip4_addr)"' <<<"$output")" \
        "2 auto 02:00:00:aa:bb:cc 02:00:00:aa:bb:cc 1400 10.199.5.5/16" "eth2"
    ok brig jnic jname=${P}n1 action=set nic=2 mtu=1300 ip4_addr=10.199.5.6/16
    same "$output" "${P}n1: eth2 updated (ip4_addr=10.199.5.6/16)" "set output"
    ok brig jnic jname=${P}n1 --json
    same "$(jq -r '.[2] | "\(.mtu) \(.ip4_addr)"' <<<"$output")" "1300 10.199.5.6/16" "eth2 after set"
    ok brig jnic jname=${P}n1 action=add nic=7
    has_line "${P}n1: eth7 added (ip4_addr=0)"
    ok brig jnic jname=${P}n1 action=add
    has_line "${P}n1: eth8 added (ip4_addr=0)"
}

@test "jnic add ip4_addr=DHCP takes a free address from the pool" {
    ok brig jnic jname=${P}n1 action=add ip4_addr=DHCP
    same "$output" "${P}n1: eth1 added (ip4_addr=10.199.0.2/16)" "add output"
    ok brig jcreate jname=${P}n2 vnet=1 ip4_addr=DHCP
    same "$output" "${P}n2: created (ip4_addr=10.199.0.3/16)" "the next jail's address"
}

@test "jnic remove deletes a row and frees its address" {
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.5.5/16
    ok brig jnic jname=${P}n1 action=remove nic=1
    same "$output" "${P}n1: eth1 removed" "remove output"
    ok brig jnic jname=${P}n1 --json
    same "$(jq length <<<"$output")" 1 "rows"
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.5.5/16
}

@test "jnic refuses bad input and changes nothing" {
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.5.5/16
    assert_rejected 2 "eth0 is the jail's own NIC: change it with jset" brig jnic jname=${P}n1 action=remove nic=0
    assert_rejected 2 "eth0 is the jail's own NIC" brig jnic jname=${P}n1 action=set nic=0 mtu=1400
    assert_rejected 2 "nic= is required" brig jnic jname=${P}n1 action=remove
    assert_rejected 2 "no eth4" brig jnic jname=${P}n1 action=remove nic=4
    assert_rejected 2 "nic: 100 is out of range 0..99" brig jnic jname=${P}n1 action=add nic=100
    assert_rejected 2 "eth1 already exists" brig jnic jname=${P}n1 action=add nic=1
    assert_rejected 2 "parent: bad interface name 'br/1'" brig jnic jname=${P}n1 action=add parent=br/1
    assert_rejected 2 "hwaddr: MAC address '01:00:00:00:00:01' is multicast" \
        brig jnic jname=${P}n1 action=add hwaddr=01:00:00:00:00:01
    assert_rejected 2 "mtu: 10 is out of range 68..65535" brig jnic jname=${P}n1 action=add mtu=10
    assert_rejected 2 "ip4_addr" brig jnic jname=${P}n1 action=add ip4_addr=10.1.1.300
    assert_rejected 2 "address 10.199.0.10 is already used by jail ${P}n1" \
        brig jnic jname=${P}n1 action=add ip4_addr=10.199.0.10/16
    assert_rejected 2 "address 10.199.0.10 is already used" brig jnic jname=${P}n1 action=set nic=1 ip4_addr=10.199.5.5,10.199.0.10/16
    assert_rejected 2 "ip4_addr=DHCP takes addresses from nodeippool" \
        brig jnic jname=${P}n1 action=add parent=br1 ip4_addr=DHCP
    assert_rejected 2 "nothing to change" brig jnic jname=${P}n1 action=set nic=1
    assert_rejected 2 "action=list takes only jname=" brig jnic jname=${P}n1 nic=1
    assert_rejected 2 "action: 'del' is not one of list, add, remove, set" brig jnic jname=${P}n1 action=del
    assert_rejected 2 "jname= is required" brig jnic action=list
    assert_rejected 2 "nosuch: no such jail" brig jnic jname=nosuch
}

@test "jnic refuses the network or broadcast address of a NIC's subnet" {
    assert_rejected 2 "ip4_addr: 10.1.2.255 is the broadcast address of /24" \
        brig jnic jname=${P}n1 action=add ip4_addr=10.1.2.255
    assert_rejected 2 "ip4_addr: 10.1.2.0 is the network address of /24" \
        brig jnic jname=${P}n1 action=add ip4_addr=10.1.2.0
    assert_rejected 2 "10.199.255.255 is the broadcast address of the node's pool 10.199.0.0/16" \
        brig jnic jname=${P}n1 action=add ip4_addr=10.199.255.255/8
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.1.2.254
}

@test "jnic is only for vnet=1 jails" {
    ok brig jcreate jname=${P}s1 ip4_addr=0
    assert_rejected 2 "${P}s1: not a vnet=1 jail" brig jnic jname=${P}s1 action=add
    assert_rejected 2 "${P}s1: not a vnet=1 jail" brig jnic jname=${P}s1
}

@test "jnic add on a running jail brings ethN up inside at once, and remove takes it away" {
    ok brig jstart jname=${P}n1
    ! jail_has_link ${P}n1 eth1
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.6.6/16
    same "$output" "${P}n1: eth1 added (ip4_addr=10.199.6.6/16), up now" "add output"
    jail_has_link ${P}n1 eth1
    same "$(jail_ipv4 ${P}n1 eth1)" 10.199.6.6 "eth1's address"
    host_ping 10.199.6.6
    local id
    id=$(jail_id ${P}n1)
    ip link show "bj${id}n1" | grep -q "master brig0"
    ok brig jnic jname=${P}n1 action=remove nic=1
    same "$output" "${P}n1: eth1 removed (gone from the running jail)" "remove output"
    ! jail_has_link ${P}n1 eth1
    run ip link show "bj${id}n1"
    [ "$status" -ne 0 ]
    ok brig jstop jname=${P}n1
    assert_nothing_left
}

@test "a failed live add leaves neither a row nor a link" {
    ok brig jstart jname=${P}n1
    local before
    before=$(db_dump)
    run brig jnic jname=${P}n1 action=add parent=nobr0 ip4_addr=10.199.6.6/16
    same "$status" 1 "exit"
    same "${#lines[@]}" 1 "one line"
    output_has "nobr0 is not a bridge"
    same "$(db_dump)" "$before" "database"
    ! jail_has_link ${P}n1 eth1
    same "$(count_links)" 1 "bj links"
}

@test "jnic set on a running jail says to restart, and the restart applies it" {
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.6.6/16
    ok brig jstart jname=${P}n1
    ok brig jnic jname=${P}n1 action=set nic=1 ip4_addr=10.199.6.7/16
    same "$output" "${P}n1: eth1 updated (ip4_addr=10.199.6.7/16); the jail is running: restart the jail to apply" "set output"
    same "$(jail_ipv4 ${P}n1 eth1)" 10.199.6.6 "before the restart"
    ok brig jrestart jname=${P}n1
    same "$(jail_ipv4 ${P}n1 eth1)" 10.199.6.7 "after the restart"
}

@test "NICs added while stopped come up with the jail and go with it" {
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.6.6/16
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.6.8/16
    ok brig jstart jname=${P}n1
    same "$(jail_ipv4 ${P}n1 eth2)" 10.199.6.8 "eth2"
    same "$(count_links)" 3 "bj links"
    ok brig jstop jname=${P}n1
    assert_nothing_left
}

@test "a NIC's own mtu is the jail end's; the host end keeps the bridge's, which does not change" {
    local bmtu
    ok brig jstart jname=${P}n1
    bmtu=$(cat /sys/class/net/brig0/mtu)
    ok brig jstop jname=${P}n1
    ok brig jnic jname=${P}n1 action=add ip4_addr=10.199.6.6/16 mtu=1400
    ok brig jstart jname=${P}n1
    in_jail ${P}n1 ip -o link show dev eth1
    output_has " mtu 1400 "
    same "$(cat /sys/class/net/bj$(jail_id ${P}n1)n1/mtu)" "$bmtu" "host end"
    same "$(cat /sys/class/net/brig0/mtu)" "$bmtu" "bridge"
}
