#!/usr/bin/env bats
# VNET jails: each has its own network stack with eth0 on a bridge; addresses,
# default routes and MACs come from the jail's record, and jails, gateway and
# host reach each other.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "two VNET jails on brig0 ping each other and the gateway, and the host pings them" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.21/16 allow_raw_sockets=1
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.22/16 allow_raw_sockets=1
    jail_pings ${P}a 10.199.0.22
    same "$status" 0 "a pings b: $output"
    jail_pings ${P}b 10.199.0.21
    same "$status" 0 "b pings a: $output"
    jail_pings ${P}a 10.199.0.1
    same "$status" 0 "a pings the gateway: $output"
    host_ping 10.199.0.21
    host_ping 10.199.0.22
}

@test "ip4_addr=0 leaves eth0 up with no IPv4 address and no default route" {
    jail_up jname=${P}a vnet=1 ip4_addr=0
    in_jail ${P}a ip -o link show dev eth0
    output_has "UP"
    same "$(jail_ipv4 ${P}a eth0)" "" "IPv4 on eth0"
    in_jail ${P}a ip route
    same "$output" "" "routes"
    in_jail ${P}a ip -o link show dev lo
    output_has "UP"
}

@test "static IPv4 and IPv6 addresses, and the default route via the bridge (ci_gw4=auto)" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.50/16,fd00::50/64
    same "$(jail_ipv4 ${P}a eth0)" 10.199.0.50 "IPv4"
    in_jail ${P}a ip -6 -o addr show dev eth0
    output_has "fd00::50/64"
    in_jail ${P}a ip route
    has_line "default via 10.199.0.1 dev eth0 "
}

@test "a VNET jail's IPv6 address is usable, not tentative, when exec_start runs" {
    jail_up jname=${P}d vnet=1 ip4_addr=fd00::52/64 \
        exec_start='ip -6 addr show dev eth0 >/tmp/at_start' exec_stop=true
    in_jail ${P}d grep -A1 " fd00::52/64 " /tmp/at_start
    output_has "fd00::52/64"
    output_lacks "tentative"
}

@test "IPv6: none on host ends or on a NIC without an IPv6 address; link-local with one, or with ip4_addr=0" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.60/16
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.61/16,fd00::61/64
    jail_up jname=${P}c vnet=1 ip4_addr=0
    in_jail ${P}a ip -6 -o addr show dev eth0
    same "$output" "" "IPv6 addresses on a's eth0"
    # the bridge's router advertisements (c's IPv6 serves them) give a no address either
    in_jail ${P}a cat /proc/sys/net/ipv6/conf/eth0/accept_ra
    same "$output" 0 "a's accept_ra"
    in_jail ${P}b ip -6 -o addr show dev eth0
    output_has "fe80::"
    in_jail ${P}c ip -6 -o addr show dev eth0
    output_has "fe80::"
    local l n=0
    for l in /sys/class/net/bj*; do
        l=${l##*/}
        same "$(cat /proc/sys/net/ipv6/conf/"$l"/disable_ipv6)" 1 "disable_ipv6 of $l"
        n=$((n + 1))
    done
    same "$n" 3 "host ends"
    # jail root can turn it on
    in_jail ${P}a sh -c 'sysctl -w net.ipv6.conf.eth0.addr_gen_mode=0 && ip -6 -o addr show dev eth0'
    output_has "fe80::"
}

@test "two VNET jails reach each other over IPv6 across the bridge, whose ports have no IPv6" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.63/16,fd00::63/64 allow_raw_sockets=1
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.64/16,fd00::64/64 allow_raw_sockets=1
    jail_pings ${P}a -6 fd00::64
    same "$status" 0 "a pings b over IPv6: $output"
    jail_pings ${P}b -6 fd00::63
    same "$status" 0 "b pings a over IPv6: $output"
}

@test "ci_gw4=0 sets no default route, ci_gw4=<addr> sets that one" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.51/16 ci_gw4=0
    in_jail ${P}a ip route
    output_lacks "default"
    output_has "10.199.0.0/16 dev eth0"
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.52/16 ci_gw4=10.199.0.254
    in_jail ${P}b ip route
    has_line "default via 10.199.0.254 dev eth0 "
}

@test "50 jails created in parallel with ip4_addr=DHCP get 50 distinct addresses" {
    local i pids=()
    for i in $(seq 1 50); do
        "$BRIG_BIN" jcreate jname=${P}p$i vnet=1 ip4_addr=DHCP >"$BATS_TEST_TMPDIR/c$i" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    ok brig jls display=ip4_addr header=0
    same "$(wc -l <<<"$output")" 50 "jails"
    same "$(sort -u <<<"$output" | wc -l)" 50 "distinct addresses"
    ! grep -v '^10\.199\.' <<<"$output"
}

@test "the MAC is stable across restarts, differs between jails, and is locally administered unicast" {
    jail_up jname=${P}a vnet=1 ip4_addr=0
    jail_up jname=${P}b vnet=1 ip4_addr=0
    local ma mb first
    ma=$(jail_mac ${P}a eth0)
    mb=$(jail_mac ${P}b eth0)
    [ -n "$ma" ] && [ -n "$mb" ]
    [ "$ma" != "$mb" ]
    first=$((16#${ma%%:*}))
    same "$((first & 2))" 2 "locally administered bit of $ma"
    same "$((first & 1))" 0 "multicast bit of $ma"
    ok brig jrestart jname=${P}a
    same "$(jail_mac ${P}a eth0)" "$ma" "MAC after a restart"
    ok brig jnic jname=${P}a --json
    same "$(jq -r '.[0].mac' <<<"$output")" "$ma" "jnic shows it"
}

@test "a jail with two NICs on two bridges reaches both" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=10.199.0.31/16 allow_raw_sockets=1
    ok brig jnic jname=${P}a action=add parent=br1 ip4_addr=10.77.0.31/24
    ok brig jstart jname=${P}a
    same "$(jail_ipv4 ${P}a eth0)" 10.199.0.31 "eth0"
    same "$(jail_ipv4 ${P}a eth1)" 10.77.0.31 "eth1"
    jail_pings ${P}a 10.199.0.1
    same "$status" 0 "gateway on brig0: $output"
    jail_pings ${P}a 10.77.0.1
    same "$status" 0 "gateway on br1: $output"
    local id
    id=$(sqlite3 "$W/var/db/local.sqlite" "select id from jails where jname='${P}a'")
    ip link show "bj${id}n1" | grep -q "master br1"
    ip link show "bj${id}n0" | grep -q "master brig0"
}

@test "live jnic add makes eth1 appear in the running jail, and remove makes it go" {
    ok brig bridge action=create name=br1 addr=10.77.0.1/24
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.32/16 allow_raw_sockets=1
    ok brig jnic jname=${P}a action=add parent=br1 ip4_addr=10.77.0.32/24
    jail_has_link ${P}a eth1
    jail_pings ${P}a 10.77.0.1
    same "$status" 0 "ping over the new NIC: $output"
    ok brig jnic jname=${P}a action=remove nic=1
    ! jail_has_link ${P}a eth1
}
