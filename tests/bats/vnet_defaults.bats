#!/usr/bin/env bats
# What a jail made with the defaults can do on the network: ping without raw
# sockets (ICMP datagram sockets through net.ipv4.ping_group_range in the
# jail's own network namespace) and resolve names.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "a default VNET jail (no allow_raw_sockets) pings another jail and the gateway" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.71/16
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.72/16
    in_jail ${P}a ping -c1 -W2 10.199.0.72
    same "$status" 0 "a pings b: $output"
    output_has "1 packets received"
    in_jail ${P}b ping -c1 -W2 10.199.0.1
    same "$status" 0 "b pings the gateway: $output"
    # still no raw sockets: busybox's own ping needs one
    in_jail ${P}a busybox ping -c1 -W1 10.199.0.72
    [ "$status" -ne 0 ]
}

@test "a default jail pings over IPv6 without raw sockets, as an unprivileged user too" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.73/16,fd00::73/64
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.74/16,fd00::74/64
    in_jail ${P}a ping -6 -c1 -W2 fd00::74
    same "$status" 0 "a pings b over IPv6: $output"
    in_jail ${P}a su -s /bin/sh nobody -c '/bin/ping -c1 -W2 10.199.0.74'
    same "$status" 0 "nobody pings b: $output"
    # a login shell's ping is brig's too, though busybox's shell prefers its applets
    in_jail ${P}a sh -l -c 'ping -c1 -W2 fd00::74'
    same "$status" 0 "ping in a login shell: $output"
}

@test "ping_group_range covers the jail's groups, in a jail without VNET as well" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.75/16
    jail_up jname=${P}h ip4_addr=0
    in_jail ${P}a cat /proc/sys/net/ipv4/ping_group_range
    same "$(echo $output)" "0 65535" "the VNET jail's range (the groups its user namespace maps)"
    in_jail ${P}h cat /proc/sys/net/ipv4/ping_group_range
    same "$(echo $output)" "0 65535" "the range of a jail without VNET"
    in_jail ${P}h ping -c1 -W2 127.0.0.1
    same "$status" 0 "the jail without VNET pings its loopback: $output"
}

@test "a privileged jail (userns=0) lets every group ping" {
    jail_up jname=${P}z vnet=1 ip4_addr=10.199.0.76/16 userns=0
    in_jail ${P}z cat /proc/sys/net/ipv4/ping_group_range
    same "$(echo $output)" "0 2147483647" "the range"
    in_jail ${P}z ping -c1 -W2 10.199.0.1
    same "$status" 0 "ping from the privileged jail: $output"
}
