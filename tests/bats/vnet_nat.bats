#!/usr/bin/env bats
# nat_enable=1: the default bridge's subnet is masqueraded to the uplink, so a
# VNET jail reaches a host that has no route back to the jails' subnet.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "with nat_enable=1 a jail pings an outside host that routes nothing back to it" {
    outside_host "out$P" up0 192.0.2.1/24 192.0.2.2/24
    ok brig initenv nat_enable=1 uplink=up0
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16 allow_raw_sockets=1
    run ip -n "out$P" route get 10.199.0.40
    [ "$status" -ne 0 ] # the outside host has no way back but the masquerade
    jail_pings ${P}a 192.0.2.2
    same "$status" 0 "ping through NAT: $output"
    run nft list table ip brig
    same "$status" 0 "brig's table"
    output_has "10.199.0.0/16"
    output_has 'oifname "up0"'
    output_has "masquerade"
}

@test "with nat_enable=1 a workdir that takes over another's idle bridge masquerades too" {
    outside_host "out$P" up0 192.0.2.1/24 192.0.2.2/24
    # another workdir, without NAT, makes the node's bridge and leaves it idle
    local mine=$W
    W="$BATS_TEST_TMPDIR/other"
    BRIG_WORKDIR=$W
    ok brig initenv uplink=up0
    brig_busybox_base
    jail_up jname=${P}o vnet=1 ip4_addr=10.199.0.41/16
    ok brig jstop jname=${P}o
    ok brig jremove jname=${P}o
    W=$mine
    BRIG_WORKDIR=$W
    ok brig initenv nat_enable=1 uplink=up0
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_pings ${P}a 192.0.2.2
    same "$status" 0 "ping through NAT on the bridge taken over: $output"
}

@test "without nat_enable the same ping gets no answer" {
    outside_host "out$P" up0 192.0.2.1/24 192.0.2.2/24
    ok brig initenv uplink=up0
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16 allow_raw_sockets=1
    sysctl -qw net.ipv4.ip_forward=1
    in_jail ${P}a ping -c1 -W1 192.0.2.2
    [ "$status" -ne 0 ]
    run nft list table ip brig
    [ "$status" -ne 0 ]
}
