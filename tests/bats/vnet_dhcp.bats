#!/usr/bin/env bats
# ip4_addr=REALDHCP: a DHCP client runs inside the VNET jail against the
# dnsmasq brig runs on its bridge. As the article says, the client needs bpf,
# which the jail's devfs ruleset must unhide.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "REALDHCP with the default ruleset, which hides bpf, is refused before the start with the hint" {
    ok brig jcreate jname=${P}d vnet=1 ip4_addr=REALDHCP
    run brig jstart jname=${P}d
    same "$status" 2 "exit"
    output_has "eth0: ip4_addr=REALDHCP, but its devfs ruleset hides bpf*"
    output_has "(devfs_ruleset=5;"
    ! ls "$W"/var/run/dnsmasq-*.pid 2>/dev/null
    same "${#lines[@]}" 1 "one line: $output"
    output_has "devfs ruleset hides bpf*"
    output_has "add path 'bpf*' unhide"
    same "$(jstatus ${P}d)" stopped "status"
    same "$(count_links)" 0 "bj links"
    assert_nothing_left
}

@test "REALDHCP with the article's bpf ruleset gets an address from the pool's top quarter" {
    devfs_rules_dhcp
    ok brig jcreate jname=${P}d vnet=1 ip4_addr=REALDHCP
    ok brig jconfig jname=${P}d devfs_ruleset=7
    ok brig jstart jname=${P}d
    local a
    a=$(jail_ipv4 ${P}d eth0)
    [ -n "$a" ]
    # pool 10.199.0.0/16: the top quarter is 10.199.192.0 and above
    local third
    third=$(cut -d. -f3 <<<"$a")
    [ "${a%.*.*}" = 10.199 ] && [ "$third" -ge 192 ]
    host_ping "$a"
    local lease
    lease=$(awk -v ip="$a" '$3 == ip { print $1 - systime() }' "$W"/var/run/*.leases 2>/dev/null | head -n1)
    echo "# $a leased for ${lease:-?} s" >&3
}
