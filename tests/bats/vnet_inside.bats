#!/usr/bin/env bats
# Inside a VNET jail root has its own stack: addresses, routes and a firewall
# it sets itself, none of which touch the host; tun devices exist when the
# jail's devfs ruleset unhides them.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "root inside a VNET jail adds addresses and routes without touching the host" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.60/16
    local addrs routes
    # a link-local address of the bridge may still be in duplicate address detection
    addrs=$(ip -o addr show | sed 's/ tentative//')
    routes=$(ip route show table all)
    in_jail ${P}a ip addr add 10.55.0.1/24 dev eth0
    same "$status" 0 "ip addr add: $output"
    in_jail ${P}a ip route add 10.66.0.0/16 via 10.199.0.1
    same "$status" 0 "ip route add: $output"
    in_jail ${P}a ip -o addr show dev eth0
    output_has "10.55.0.1/24"
    in_jail ${P}a ip route
    has_line "10.66.0.0/16 via 10.199.0.1 dev eth0 "
    same "$(ip -o addr show | sed 's/ tentative//')" "$addrs" "the host's addresses"
    same "$(ip route show table all)" "$routes" "the host's routes"
}

# Copy nft and the libraries it needs into the jail's writable layer.
install_nft() {
    local upper="$W/jails-data/$1-data/upper" f
    mkdir -p "$upper/usr/sbin"
    cp -L /usr/sbin/nft "$upper/usr/sbin/nft"
    for f in $(ldd /usr/sbin/nft | grep -o '/[^ ]*'); do
        mkdir -p "$upper$(dirname "$f")"
        cp -L "$f" "$upper$f"
    done
}

@test "a firewall inside a VNET jail drops pings to it and leaves the host's ruleset alone" {
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=10.199.0.61/16
    install_nft ${P}a
    ok brig jstart jname=${P}a
    host_ping 10.199.0.61
    local before
    before=$(nft -s list ruleset)
    in_jail ${P}a /usr/sbin/nft add table inet f
    same "$status" 0 "nft add table: $output"
    in_jail ${P}a /usr/sbin/nft add chain inet f in '{ type filter hook input priority 0; }'
    same "$status" 0 "nft add chain: $output"
    in_jail ${P}a /usr/sbin/nft add rule inet f in icmp type echo-request drop
    same "$status" 0 "nft add rule: $output"
    ! host_ping_once 10.199.0.61
    same "$(nft -s list ruleset)" "$before" "the host's ruleset"
    in_jail ${P}a /usr/sbin/nft list ruleset
    output_has "icmp type echo-request drop"
}

@test "a ruleset unhiding tun gives the jail /dev/net/tun; the default VNET ruleset does not" {
    devfs_rules_tun
    jail_up jname=${P}t vnet=1 ip4_addr=0 devfs_ruleset=8
    jail_up jname=${P}n vnet=1 ip4_addr=0
    in_jail ${P}t ls -l /dev/net/tun
    same "$status" 0 "tun with ruleset 8: $output"
    output_has "10,"
    in_jail ${P}n ls /dev/net/tun
    [ "$status" -ne 0 ]
}
