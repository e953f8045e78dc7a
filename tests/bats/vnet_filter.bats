#!/usr/bin/env bats
# Bridge port filters: a VNET jail's root may change its eth0 as it likes, but
# what leaves it for the bridge carries only the NIC's own MAC and, when brig
# knows them, its own addresses, so no jail takes the gateway's or another
# jail's traffic. nic_filter=0 turns this off for a router jail. The rules live
# in nftables' table "bridge brig", one chain per filtered NIC named after its
# host end (and one per jail for its addresses), and go with the NIC.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

# Open a TCP connection from jail $1 to $2 port 9 and give up after a second:
# traffic (ARP first) from whatever source address the jail picks, with no raw
# socket.
knock() {
    "$BRIG_BIN" jexec jname="$1" -- sh -c "nc -w1 $2 9 </dev/null" >/dev/null 2>&1 || true
}

# How many ICMP echo requests jail $1's stack has received.
echos_in() {
    "$BRIG_BIN" jexec jname="$1" -- cat /proc/net/snmp |
        awk '$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
             $1 == "Icmp:" { print $c["InEchos"] }'
}

# The MAC jail $1 has for neighbour $2 ("" when none).
neigh_mac() {
    "$BRIG_BIN" jexec jname="$1" -- ip neigh show "$2" |
        awk '{ for (i = 1; i <= NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

# The host end of NIC $2 of jail $1, as jnic lists it.
host_end() {
    "$BRIG_BIN" jnic jname="$1" --json | jq -r ".[] | select(.idx == $2) | .host"
}

# "idx nic_filter" of each NIC of jail $1, one a line.
nic_filters() {
    "$BRIG_BIN" jnic jname="$1" --json | jq -r '.[] | "\(.idx) \(.nic_filter)"'
}

# The names of brig's port filter chains, one a line.
filter_chains() {
    nft list table bridge brig 2>/dev/null | awk '$1 == "chain" && $2 ~ /^bj/ { print $2 }'
}

# Everything of brig's table that names port $1 (chains, map elements).
filter_mentions() {
    nft list table bridge brig 2>/dev/null | grep -c "$1" || true
}

gateway_mac() {
    cat /sys/class/net/brig0/address
}

@test "a jail that takes the gateway's address poisons no other jail's ARP cache" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.31/16
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.32/16 allow_raw_sockets=1
    jail_pings ${P}b 10.199.0.1
    same "$status" 0 "b pings the gateway: $output"
    same "$(neigh_mac ${P}b 10.199.0.1)" "$(gateway_mac)" "b's MAC for the gateway, before"
    # a's root (without raw sockets) makes itself the gateway and speaks from
    # that address to b
    in_jail ${P}a sh -c 'ip addr flush dev eth0 && ip addr add 10.199.0.1/16 dev eth0'
    same "$status" 0 "a takes the gateway's address: $output"
    knock ${P}a 10.199.0.32
    same "$(neigh_mac ${P}b 10.199.0.1)" "$(gateway_mac)" "b's MAC for the gateway, after"
    local before
    before=$(echos_in ${P}a)
    in_jail ${P}b ping -c3 -W2 10.199.0.1
    same "$status" 0 "b pings the gateway again: $output"
    same "$(echos_in ${P}a)" "$before" "echo requests a received for the gateway"
    host_ping 10.199.0.1
}

@test "a jail that takes another jail's MAC and address receives none of its traffic" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.41/16 allow_raw_sockets=1
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.42/16
    jail_up jname=${P}c vnet=1 ip4_addr=10.199.0.43/16 allow_raw_sockets=1
    jail_pings ${P}c 10.199.0.42
    same "$status" 0 "c pings b: $output"
    local bmac
    bmac=$(jail_mac ${P}b eth0)
    in_jail ${P}a sh -c "ip link set eth0 down && ip link set eth0 address $bmac &&
                          ip addr flush dev eth0 && ip addr add 10.199.0.42/16 dev eth0 &&
                          ip link set eth0 up"
    same "$status" 0 "a takes b's MAC and address: $output"
    same "$(jail_mac ${P}a eth0)" "$bmac" "a's new MAC"
    knock ${P}a 10.199.0.43
    local a0 b0
    a0=$(echos_in ${P}a)
    b0=$(echos_in ${P}b)
    in_jail ${P}c ping -c3 -W2 10.199.0.42
    same "$status" 0 "c pings b while a pretends to be b: $output"
    same "$(echos_in ${P}a)" "$a0" "echo requests a received"
    [ "$(echos_in ${P}b)" -ge $((b0 + 3)) ] || {
        echo "b received $(($(echos_in ${P}b) - b0)) of c's 3 echo requests" >&2
        return 1
    }
}

@test "a jail sends only from its own addresses, IPv4 and IPv6; nic_filter=0 lets a router send from any" {
    jail_up jname=${P}f vnet=1 ip4_addr=10.199.0.51/16,fd00::51/64 allow_raw_sockets=1
    jail_up jname=${P}r vnet=1 ip4_addr=10.199.0.52/16,fd00::52/64 nic_filter=0 \
        allow_raw_sockets=1
    jail_up jname=${P}p vnet=1 ip4_addr=10.199.0.53/16,fd00::53/64
    jail_pings ${P}f 10.199.0.53
    same "$status" 0 "f pings p from its own address: $output"
    jail_pings ${P}f -6 fd00::53
    same "$status" 0 "f pings p from its own IPv6 address: $output"
    in_jail ${P}f sh -c 'sysctl -qw net.ipv6.conf.eth0.accept_dad=0 &&
                          ip addr add 10.199.9.51/16 dev eth0 && ip -6 addr add fd00::951/64 dev eth0'
    same "$status" 0 "f adds addresses: $output"
    in_jail ${P}f ping -c1 -W2 -I 10.199.9.51 10.199.0.53
    [ "$status" -ne 0 ] || { echo "f pinged p from an address not its own: $output" >&2; return 1; }
    in_jail ${P}f ping -6 -c1 -W2 -I fd00::951 fd00::53
    [ "$status" -ne 0 ] || { echo "f pinged p from an IPv6 address not its own: $output" >&2; return 1; }
    in_jail ${P}r sh -c 'sysctl -qw net.ipv6.conf.eth0.accept_dad=0 &&
                          ip addr add 10.199.9.52/16 dev eth0 && ip -6 addr add fd00::952/64 dev eth0'
    same "$status" 0 "r adds addresses: $output"
    jail_pings ${P}r -I 10.199.9.52 10.199.0.53
    same "$status" 0 "the router pings p from another address: $output"
    jail_pings ${P}r -6 -I fd00::952 fd00::53
    same "$status" 0 "the router pings p from another IPv6 address: $output"
    local pr
    pr=$(host_end ${P}r 0)
    same "$(filter_mentions "$pr")" 0 "rules for the router's port"
    run nft list chain bridge brig "${pr%n0}"
    [ "$status" -ne 0 ] || { echo "the router jail has an address chain: $output" >&2; return 1; }
    [ "$(filter_mentions "$(host_end ${P}f 0)")" -ge 2 ]
}

@test "ip4_addr=0: any address, but only the NIC's own MAC" {
    jail_up jname=${P}z vnet=1 ip4_addr=0 allow_raw_sockets=1
    jail_up jname=${P}p vnet=1 ip4_addr=10.199.0.61/16
    in_jail ${P}z sh -c 'ip addr add 10.199.7.7/16 dev eth0 && ping -c1 -W2 10.199.0.61'
    same "$status" 0 "z pings p from the address it chose: $output"
    in_jail ${P}z sh -c 'ip addr add 10.199.7.8/16 dev eth0 && ping -c1 -W2 -I 10.199.7.8 10.199.0.61'
    same "$status" 0 "z pings p from another address it chose: $output"
    in_jail ${P}z sh -c 'ip neigh flush all; ip link set eth0 down && ip link set eth0 address 02:00:00:00:77:77 &&
                          ip link set eth0 up && ping -c1 -W2 10.199.0.61'
    [ "$status" -ne 0 ] || { echo "z pinged p from a MAC not its own: $output" >&2; return 1; }
}

@test "REALDHCP gets its lease through a MAC-only filter" {
    devfs_rules_dhcp
    ok brig jcreate jname=${P}d vnet=1 ip4_addr=REALDHCP devfs_ruleset=7
    ok brig jstart jname=${P}d
    local a port
    a=$(jail_ipv4 ${P}d eth0)
    [ -n "$a" ] || { echo "no lease" >&2; return 1; }
    host_ping "$a"
    port=$(host_end ${P}d 0)
    run nft list chain bridge brig "$port"
    same "$status" 0 "the chain of $port: $output"
    output_has "ether saddr != $(jail_mac ${P}d eth0) drop"
    output_lacks "ip saddr"
    output_lacks "jump"
}

@test "jnic add and remove on a running jail add and remove that NIC's filter; nic_filter=0 adds none" {
    jail_up jname=${P}n vnet=1 ip4_addr=10.199.0.71/16
    ok brig jnic action=add jname=${P}n nic=1 ip4_addr=10.199.0.72/16
    ok brig jnic action=add jname=${P}n nic=2 ip4_addr=10.199.0.73/16 nic_filter=0
    local p0 p1 p2 j
    p0=$(host_end ${P}n 0)
    p1=$(host_end ${P}n 1)
    p2=$(host_end ${P}n 2)
    j=${p0%n0}
    ok nft list chain bridge brig "$p1"
    output_has "jump $j"
    # the jail's addresses, eth2's too: any of its NICs may answer for them
    ok nft list chain bridge brig "$j"
    output_has "ip saddr != { 10.199.0.71, 10.199.0.72, 10.199.0.73 } drop"
    same "$(filter_mentions "$p2")" 0 "rules for eth2 (nic_filter=0)"
    same "$(nic_filters ${P}n)" "$(printf '0 1\n1 1\n2 0')" "nic_filter of each NIC"
    ok brig jnic action=remove jname=${P}n nic=1
    same "$(filter_mentions "$p1")" 0 "rules for the removed eth1"
    ok nft list chain bridge brig "$j"
    output_has "ip saddr != { 10.199.0.71, 10.199.0.73 } drop"
    [ "$(filter_mentions "$p0")" -ge 2 ]
}

@test "nic_filter takes 0 or 1: anything else is refused and changes nothing" {
    ok brig jcreate jname=${P}v vnet=1 ip4_addr=10.199.0.81/16
    assert_rejected 2 "nic_filter" brig jcreate jname=${P}w vnet=1 nic_filter=yes
    assert_rejected 2 "nic_filter" brig jset jname=${P}v nic_filter=2
    ok brig jnic action=add jname=${P}v nic=1
    assert_rejected 2 "nic_filter" brig jnic action=set jname=${P}v nic=1 nic_filter=on
    assert_rejected 2 "nic_filter" brig jnic action=add jname=${P}v nic=2 nic_filter=-1
    ok brig jset jname=${P}v nic_filter=0
    same "$(nic_filters ${P}v)" "$(printf '0 0\n1 1')" "nic_filter after jset"
    ok brig jnic action=set jname=${P}v nic=1 nic_filter=0
    same "$(nic_filters ${P}v)" "$(printf '0 0\n1 0')" "nic_filter after jnic set"
}

@test "jstop and jremove leave no filter of the jail, and other tables as they were" {
    nft add table bridge other
    nft add chain bridge other fw '{ type filter hook forward priority 0; policy accept; }'
    nft add rule bridge other fw ether saddr 02:00:00:00:00:99 drop
    nft add table ip brig_other
    local others
    others=$(nft list table bridge other; nft list table ip brig_other)
    jail_up jname=${P}s vnet=1 ip4_addr=10.199.0.91/16
    ok brig jnic action=add jname=${P}s nic=1 ip4_addr=0
    local p0 p1
    p0=$(host_end ${P}s 0)
    p1=$(host_end ${P}s 1)
    [ "$(filter_mentions "$p0")" -ge 2 ] && [ "$(filter_mentions "$p1")" -ge 2 ]
    ok brig jstop jname=${P}s
    same "$(filter_mentions "$p0")" 0 "rules of eth0 after jstop"
    same "$(filter_mentions "$p1")" 0 "rules of eth1 after jstop"
    ok brig jstart jname=${P}s
    [ "$(filter_mentions "$p0")" -ge 2 ]
    ok brig jremove jname=${P}s force=1
    same "$(filter_chains)" "" "port filter chains after jremove"
    same "$(nft list table bridge other; nft list table ip brig_other)" "$others" "other tables"
}

@test "brig killed after the network step: brig recover removes the jail's filter" {
    need_fault_injection
    nft add table bridge other
    local others
    others=$(nft list table bridge other)
    ok brig jcreate jname=${P}k vnet=1 ip4_addr=10.199.0.95/16
    local k
    k=$(brig jstart jname=${P}k --dry-run | grep '\. network$' | cut -d. -f1)
    [ -n "$k" ] || { echo "no network step in the plan" >&2; return 1; }
    run env BRIG_FAULT="jstart:$k:after" "$BRIG_BIN" jstart jname=${P}k
    same "$status" 137 "jstart killed: $output"
    [ "$(filter_chains | wc -l)" -ge 1 ] || { echo "no filter after the network step" >&2; return 1; }
    ok brig recover
    same "$(filter_chains)" "" "port filter chains after recover"
    same "$(count_links)" 0 "bj links"
    same "$(nft list table bridge other)" "$others" "the other table"
}

# brig's table as nft lists it, each jail's ids and MACs replaced by its name
# ($P dropped): "bj<id>" -> "bj-<name>", the MAC of its NIC n -> "mac-<name>-n".
listed_filters() {
    local out j id n mac
    out=$(nft list table bridge brig)
    for j in "$@"; do
        id=$(host_end "$j" 0)
        id=${id%n0}
        out=$(printf '%s\n' "$out" | sed -E "s/\\b${id}(n[0-9]+)?\\b/bj-${j#"$P"}\\1/g")
        for n in $("$BRIG_BIN" jnic jname="$j" --json | jq -r '.[].idx'); do
            mac=$(jail_mac "$j" "eth$n")
            out=$(printf '%s\n' "$out" | sed "s/\\b$mac\\b/mac-${j#"$P"}-$n/g")
        done
    done
    printf '%s\n' "$out"
}

@test "the port filters of single-NIC, multi-NIC, IPv4, IPv6 and MAC-only jails are the ruleset brig has always made" {
    jail_up jname=${P}four vnet=1 ip4_addr=10.199.0.11/16
    jail_up jname=${P}dual vnet=1 ip4_addr=10.199.0.12/16,fd00::12/64,fd00::13/64
    jail_up jname=${P}six vnet=1 ip4_addr=fd00::14/64
    jail_up jname=${P}any vnet=1 ip4_addr=0
    ok brig jcreate jname=${P}multi vnet=1 ip4_addr=10.199.0.21/16
    ok brig jnic action=add jname=${P}multi nic=1 ip4_addr=10.199.0.22/16,fd00::22/64
    ok brig jnic action=add jname=${P}multi nic=2 ip4_addr=0
    ok brig jnic action=add jname=${P}multi nic=3 ip4_addr=10.199.0.23/16 nic_filter=0
    ok brig jstart jname=${P}multi
    local got
    got=$(listed_filters ${P}four ${P}dual ${P}six ${P}any ${P}multi)
    same "$got" "$(cat "$BATS_TEST_DIRNAME/golden/port_filters.nft")" "brig's table"
    # starting again over what is there changes nothing
    ok brig jstop jname=${P}dual
    ok brig jstart jname=${P}dual
    ok brig jstop jname=${P}multi
    ok brig jstart jname=${P}multi
    got=$(listed_filters ${P}four ${P}dual ${P}six ${P}any ${P}multi)
    same "$(printf '%s\n' "$got" | sort)" "$(sort "$BATS_TEST_DIRNAME/golden/port_filters.nft")" \
        "brig's table after restarts"
}
