#!/usr/bin/env bats
# Non-VNET jails: ip4_addr is added as an alias to a host interface at jstart
# and removed at jstop, and brig never takes over or removes an address of
# the host's own.

load vnet_helper

setup() {
    vnet_setup
    ip link add brt0 type bridge
    ip link set brt0 up
    ip addr add 10.55.0.1/24 dev brt0
}

teardown() {
    vnet_teardown
}

# Whether the host has address $1 (without prefix) on any interface.
host_has() {
    ip -o addr show | grep -q " $1/"
}

@test "a non-VNET jail's address is an alias on the host while it runs, and goes at jstop" {
    jail_up jname=${P}al ip4_addr='brt0|10.55.0.7/24' exec_start=true
    host_has 10.55.0.7
    ok brig jstop jname=${P}al
    ! host_has 10.55.0.7
    host_has 10.55.0.1
}

@test "jstart refuses an address the host already has and leaves it there" {
    ok brig jcreate jname=${P}al ip4_addr='brt0|10.55.0.9/24,brt0|10.55.0.1/24' exec_start=true
    run brig jstart jname=${P}al
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines of output"
    output_has "10.55.0.1 is already on brt0"
    same "$(jstatus ${P}al)" stopped "status"
    host_has 10.55.0.1
    ! host_has 10.55.0.9
    ok brig recover
    host_has 10.55.0.1
}

@test "jstop removes the jail's alias and none of the host's addresses" {
    jail_up jname=${P}al ip4_addr='brt0|10.55.0.7/24' exec_start=true
    ip addr add 10.55.0.8/24 dev brt0
    ok brig jstop jname=${P}al
    host_has 10.55.0.8
    host_has 10.55.0.1
    ! host_has 10.55.0.7
}
