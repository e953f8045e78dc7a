#!/usr/bin/env bats
# IPv6 on brig's bridges: the node's IPv6 pool (nodeip6pool) gives the default
# bridge an IPv6 gateway, ci_gw6 the jail's IPv6 default route, and with
# nat_enable=1 jails reach the outside over IPv6 as over IPv4.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
    nft delete table ip6 brig 2>/dev/null || true
}

# An outside host over IPv6: netns $1 joined by a veth ($2 on our side).
outside_host6() {
    local ns=$1 here=$2
    outside_host "$ns" "$here" 192.0.2.1/24 192.0.2.2/24 || return 1
    ip addr add 2001:db8:1::1/64 dev "$here" nodad
    ip -n "$ns" addr add 2001:db8:1::2/64 dev eth0 nodad
}

@test "the default bridge gets the IPv6 gateway of nodeip6pool; a jail's IPv6 default route goes there (ci_gw6=auto)" {
    ok brig initenv nodeip6pool=fd42:99::/64
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.90/16,fd42:99::90/64
    run ip -6 -o addr show dev brig0
    output_has "fd42:99::1/64"
    in_jail ${P}a ip -6 route show default
    output_has "default via fd42:99::1 dev eth0"
    jail_pings ${P}a -6 fd42:99::1
    same "$status" 0 "the jail pings its IPv6 gateway: $output"
}

@test "nodeip6pool=auto (the default) is a unique local /64 of this host and bridge, written to brig.conf" {
    run grep '^nodeip6pool=' "$W/etc/brig.conf"
    same "$output" 'nodeip6pool="auto";' "brig.conf"
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.91/16
    run ip -6 -o addr show dev brig0 scope global
    [[ "$output" =~ inet6\ (fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4})::1/64 ]] || {
        echo "no unique local gateway on brig0: $output" >&2
        return 1
    }
    local prefix=${BASH_REMATCH[1]}
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.92/16,$prefix::92/64
    in_jail ${P}b ip -6 route show default
    output_has "default via $prefix::1 dev eth0"
}

@test "a dual-stack jail reaches an outside host over IPv6 and IPv4 through the bridge with nat_enable=1" {
    outside_host6 "out$P" up0
    ok brig initenv nat_enable=1 uplink=up0 nodeip6pool=fd42:98::/64
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.93/16,fd42:98::93/64
    run ip -n "out$P" -6 route get fd42:98::93
    [ "$status" -ne 0 ] # the outside host has no way back but the masquerade
    jail_pings ${P}a -6 2001:db8:1::2
    same "$status" 0 "IPv6 ping through NAT: $output"
    jail_pings ${P}a 192.0.2.2
    same "$status" 0 "IPv4 ping through NAT: $output"
    run nft list table ip6 brig
    same "$status" 0 "brig's ip6 table"
    output_has "fd42:98::/64"
    output_has "masquerade"
    same "$(cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "IPv6 forwarding"
}

@test "enabling IPv6 forwarding keeps the host's interfaces taking router advertisements" {
    outside_host6 "out$P" up0
    sysctl -qw net.ipv6.conf.up0.accept_ra=1
    sysctl -qw net.ipv6.conf.all.forwarding=0
    ok brig initenv nat_enable=1 uplink=up0 nodeip6pool=fd42:97::/64
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.94/16,fd42:97::94/64
    same "$(cat /proc/sys/net/ipv6/conf/up0/accept_ra)" 2 "accept_ra of up0"
}

@test "ci_gw6=0 sets no IPv6 default route; ci_gw6=<addr> sets that one" {
    ok brig initenv nodeip6pool=fd42:96::/64
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.95/16,fd42:96::95/64 ci_gw6=0
    in_jail ${P}a ip -6 route show default
    same "$output" "" "IPv6 default routes"
    in_jail ${P}a ip route show default
    has_line "default via 10.199.0.1 dev eth0 "
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.96/16,fd42:96::96/64 ci_gw6=fd42:96::fe
    in_jail ${P}b ip -6 route show default
    output_has "default via fd42:96::fe dev eth0"
}

@test "nodeip6pool=0 gives the bridge no IPv6 address and jails no IPv6 default route" {
    ok brig initenv nodeip6pool=0
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.97/16,fd00::97/64
    run ip -6 -o addr show dev brig0 scope global
    same "$output" "" "global IPv6 addresses on brig0"
    in_jail ${P}a ip -6 route show default
    same "$output" "" "IPv6 default routes"
}

@test "bad ci_gw6 and nodeip6pool values are refused and change nothing" {
    assert_rejected 2 "ci_gw6: '10.0.0.1' is not an IPv6 address" \
        brig jcreate jname=${P}a vnet=1 ci_gw6=10.0.0.1
    assert_rejected 2 "ci_gw6 applies only to vnet=1 jails" \
        brig jcreate jname=${P}a vnet=0 ci_gw6=fd00::1
    assert_rejected 2 "ci_gw6" brig jcreate jname=${P}a vnet=1 ci_gw6=nonsense
    local before
    before=$(cat "$W/etc/brig.conf")
    run "$BRIG_BIN" initenv nodeip6pool=fd00::/96
    same "$status" 2 "exit status: $output"
    output_has "is not an IPv6 prefix of /8 to /64"
    run "$BRIG_BIN" initenv nodeip6pool=10.0.0.0/16
    same "$status" 2 "exit status: $output"
    run "$BRIG_BIN" initenv nodeip6pool=fd00::
    same "$status" 2 "exit status: $output"
    same "$(cat "$W/etc/brig.conf")" "$before" "brig.conf"
}

@test "ip4_addr=DHCP,DHCPv6 picks an IPv4 and an IPv6 address from the node's pools; a jail reaches the other over IPv6" {
    ok brig initenv nodeip6pool=fd42:94::/64
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=DHCP,DHCPv6
    ok brig jcreate jname=${P}b vnet=1 ip4_addr=DHCPv6,10.199.0.98/16
    ok brig jget jname=${P}a ip4_addr
    output_has "fd42:94::2/64"
    output_has "10.199.0."
    ok brig jget jname=${P}b ip4_addr
    output_has "fd42:94::3/64,10.199.0.98/16"
    ok brig jstart jname=${P}a
    ok brig jstart jname=${P}b
    jail_pings ${P}b -6 fd42:94::2
    same "$status" 0 "b pings a over IPv6: $output"
    in_jail ${P}a ip -6 route show default
    output_has "default via fd42:94::1 dev eth0"
    # a static address in the pool is taken as given, and the picks skip it
    ok brig jcreate jname=${P}c vnet=1 ip4_addr=fd42:94::4/64
    ok brig jcreate jname=${P}d vnet=1 ip4_addr=DHCPv6
    ok brig jget jname=${P}d ip4_addr
    output_has "fd42:94::5/64"
    # the IPv6 gateway is nobody's address
    assert_rejected 2 "fd42:94::1 is the gateway of bridge brig0 (nodeip6pool)" \
        brig jcreate jname=${P}e vnet=1 ip4_addr=fd42:94::1/64
    assert_rejected 2 "DHCP and DHCPv6 may each appear once" \
        brig jcreate jname=${P}e vnet=1 ip4_addr=DHCPv6,DHCPv6
}

@test "ip4_addr=DHCPv6 without an IPv6 pool is refused" {
    ok brig initenv nodeip6pool=0
    assert_rejected 2 "ip4_addr=DHCPv6: the node has no IPv6 pool (nodeip6pool=0)" \
        brig jcreate jname=${P}a vnet=1 ip4_addr=DHCPv6
}

# The global IPv6 address of interface $2 inside jail $1, waiting up to 10 s
# for SLAAC (the jail solicits a router every 4 s until one answers) and for
# its duplicate address detection (a tentative address answers nobody).
jail_slaac6() {
    local a end=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$end" ]; do
        a=$("$BRIG_BIN" jexec jname="$1" -- ip -6 -o addr show dev "$2" scope global 2>/dev/null |
            awk '!/tentative/ { for (i = 1; i <= NF; i++) if ($i == "inet6") { sub(/\/.*/, "", $(i + 1)); print $(i + 1) } }' |
            head -n1)
        [ -n "$a" ] && { echo "$a"; return 0; }
        sleep 0.2
    done
    return 1
}

@test "SLAAC: an ip4_addr=0 jail takes an IPv6 address and route from the bridge's router advertisements" {
    ok brig initenv nodeip6pool=fd42:93::/64
    jail_up jname=${P}s vnet=1 ip4_addr=0
    local a
    a=$(jail_slaac6 ${P}s eth0) || {
        echo "no address from router advertisements" >&2
        return 1
    }
    [[ "$a" == fd42:93::* ]]
    in_jail ${P}s ip -6 route show default
    output_has "default via fe80::"
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.99/16,fd42:93::99/64
    jail_pings ${P}b -6 "$a"
    same "$status" 0 "a static jail pings the SLAAC jail: $output"
    # the static jail takes nothing from the advertisements: its address alone
    sleep 5
    in_jail ${P}b ip -6 -o addr show dev eth0 scope global
    same "$(wc -l <<<"$output")" 1 "global addresses of the static jail: $output"
    output_has "fd42:93::99/64"
    in_jail ${P}b ip -6 route show default
    same "${#lines[@]}" 1 "default routes: $output"
    output_has "default via fd42:93::1 dev eth0"
}

@test "SLAAC: a REALDHCP jail gets an IPv6 address from the router advertisements beside its DHCP lease" {
    devfs_rules_dhcp
    ok brig initenv nodeip6pool=fd42:92::/64
    ok brig jcreate jname=${P}d vnet=1 ip4_addr=REALDHCP
    ok brig jconfig jname=${P}d devfs_ruleset=7
    ok brig jstart jname=${P}d
    [ -n "$(jail_ipv4 ${P}d eth0)" ]
    local a
    a=$(jail_slaac6 ${P}d eth0) || {
        echo "no IPv6 address" >&2
        return 1
    }
    [[ "$a" == fd42:92::* ]]
    run ps -o args= -p "$(cat "$W/var/run/dnsmasq-brig0.pid")"
    output_has "--enable-ra"
    output_has "--dhcp-range=fd42:92::1:0,fd42:92::1:ffff,slaac,64,1h"
}

@test "nodeip6pool=0: no router advertisements, an ip4_addr=0 jail has no global IPv6 address" {
    ok brig initenv nodeip6pool=0
    jail_up jname=${P}s vnet=1 ip4_addr=0
    sleep 1
    in_jail ${P}s ip -6 -o addr show dev eth0 scope global
    same "$output" "" "global IPv6 addresses"
}
