#!/usr/bin/env bats
# Jails without VNET, as FreeBSD has them: a network stack of their own with
# their own loopback and only their ip4_addr addresses, routed to them by the
# host. They serve on their addresses; they reach no host loopback listener,
# no host abstract socket, and can bind no other address.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
    life_teardown
}

# Build a static helper from tests/bats/helpers into jail $1's root (and the test's tmpdir).
# True once something on the host listens on TCP port $1.
listening_tcp() {
    awk -v p="$(printf ':%04X' "$1")" '$4 == "0A" && index($2, p) { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6
}

helper_into() {
    gcc -static -O2 -o "$BATS_TEST_TMPDIR/$2" "$BATS_TEST_DIRNAME/helpers/$2.c"
    [ -z "$1" ] || cp "$BATS_TEST_TMPDIR/$2" "$W/jails/$1/$2"
}

# Start a non-VNET jail $1 with address $2 that serves HTTP on port 80.
web_up() {
    mkdir -p "$BATS_TEST_TMPDIR/www"
    jail_up jname="$1" ip4_addr="$2" exec_start='httpd -p 80 -h /etc' exec_stop=true "${@:3}"
}

@test "a jail without VNET serves on its own address to the host and to other jails" {
    web_up ${P}h1 10.199.0.50
    ok brig jexec jname=${P}h1 -- ip -o addr show
    output_has "10.199.0.50/32"
    output_lacks "10.199.0.1"
    run wget -q -O - http://10.199.0.50/hostname
    [ "$status" -eq 0 ]
    jail_up jname=${P}v1 vnet=1 ip4_addr=10.199.0.51 exec_start=true exec_stop=true
    ok brig jexec jname=${P}v1 -- wget -q -O - http://10.199.0.50/hostname
}

@test "a jail without VNET adds nothing to the host's addresses and leaves no route or neighbour entry" {
    jail_up jname=${P}h0 ip4_addr=0 exec_start=true exec_stop=true
    local addrs routes neigh
    addrs=$(ip -o addr show | grep -v ' bj' | awk '{ print $2, $4 }' | sort)
    routes=$(ip route show | sed 's/ linkdown//')
    neigh=$(ip neigh show proxy)
    web_up ${P}h2 10.199.0.52
    same "$(ip -o addr show | grep -v ' bj' | awk '{ print $2, $4 }' | sort)" "$addrs" "host addresses"
    ok brig jstop jname=${P}h2
    same "$(ip route show | sed 's/ linkdown//')" "$routes" "host routes after jstop"
    same "$(ip neigh show proxy)" "$neigh" "proxy entries after jstop"
    same "$(count_links)" 0 "brig links after jstop"
}

@test "a jail without VNET reaches no host listener on 127.0.0.1" {
    busybox nc -l -p 9931 >/dev/null 2>&1 3>&- &
    LISTENER=$!
    wait_for 60 listening_tcp 9931
    web_up ${P}h3 10.199.0.53
    run brig jexec jname=${P}h3 -- sh -c 'echo x | nc -w1 127.0.0.1 9931'
    [ "$status" -ne 0 ]
    # its own loopback works
    ok brig jexec jname=${P}h3 -- wget -q -O - http://127.0.0.1/hostname
}

@test "a jail without VNET reaches no host abstract unix socket" {
    web_up ${P}h4 10.199.0.54
    helper_into ${P}h4 unix_abstract
    "$BATS_TEST_TMPDIR/unix_abstract" listen brig-test-$P >"$BATS_TEST_TMPDIR/heard" 3>&- &
    LISTENER=$!
    wait_for 60 grep -q "@brig-test-$P\$" /proc/net/unix
    run brig jexec jname=${P}h4 -- /unix_abstract connect brig-test-$P
    [ "$status" -eq 1 ]
    output_has "Connection refused"
    # the same program on the host does reach it
    ok "$BATS_TEST_TMPDIR/unix_abstract" connect brig-test-$P
}

@test "a jail without VNET can bind only its own addresses" {
    web_up ${P}h5 10.199.0.55
    run brig jexec jname=${P}h5 -- httpd -f -p 10.199.0.1:8080
    [ "$status" -ne 0 ]
    output_has "ddress"
    ok brig jexec jname=${P}h5 -- sh -c 'httpd -p 10.199.0.55:8080 -h /etc && echo bound'
    has_line bound
}

@test "allow_raw_sockets=1 in a jail without VNET sees only its own links, not the host's bridge" {
    web_up ${P}h6 10.199.0.56 allow_raw_sockets=1
    ok brig jexec jname=${P}h6 -- ip -o link show
    output_lacks "brig0"
    output_lacks " bj"
    jail_pings ${P}h6 10.199.0.1
    same "$status" 0 "ping: $output"
    output_has "1 packets received"
}

@test "a jail without VNET cannot change its addresses" {
    web_up ${P}h7 10.199.0.57
    run brig jexec jname=${P}h7 -- ip addr add 10.199.0.1/32 dev eth0
    [ "$status" -ne 0 ]
    run brig jexec jname=${P}h7 -- ip -o addr show dev eth0
    output_lacks "10.199.0.1/"
}

@test "jstart refuses an address the host already has, adds nothing and removes nothing" {
    ip link add ${P:0:8}b type bridge
    ip link set ${P:0:8}b up
    ip addr add 10.55.0.1/24 dev ${P:0:8}b
    ok brig jcreate jname=${P}al ip4_addr="${P:0:8}b|10.55.0.9/24,${P:0:8}b|10.55.0.1/24" exec_start=true
    run brig jstart jname=${P}al
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines of output"
    output_has "10.55.0.1 is already on ${P:0:8}b"
    same "$(jstatus ${P}al)" stopped "status"
    ip -o addr show dev ${P:0:8}b | grep -q " 10.55.0.1/24"
    same "$(ip neigh show proxy)" "" "proxy entries"
    ok brig recover
    ip -o addr show dev ${P:0:8}b | grep -q " 10.55.0.1/24"
    ip link del ${P:0:8}b
}

@test "an address on another interface, iface|addr, is answered for there while the jail runs" {
    ip link add ${P:0:8}c type bridge
    ip link set ${P:0:8}c up
    ip addr add 10.56.0.1/24 dev ${P:0:8}c
    web_up ${P}ai "${P:0:8}c|10.56.0.7/24"
    ip neigh show proxy | grep -q "10.56.0.7 dev ${P:0:8}c"
    run wget -q -O - http://10.56.0.7/hostname
    [ "$status" -eq 0 ]
    ip addr add 10.56.0.8/24 dev ${P:0:8}c
    ok brig jstop jname=${P}ai
    ip -o addr show dev ${P:0:8}c | grep -q " 10.56.0.8/24"
    ip -o addr show dev ${P:0:8}c | grep -q " 10.56.0.1/24"
    same "$(ip neigh show proxy)" "" "proxy entries after jstop"
    ip link del ${P:0:8}c
}

@test "interface=0 leaves the address to the administrator: the jail holds it, no interface answers for it" {
    local neigh
    neigh=$(ip neigh show proxy)
    web_up ${P}i0 10.199.0.61 interface=0
    ok brig jexec jname=${P}i0 -- ip -o addr show
    output_has "10.199.0.61/32"
    same "$(ip neigh show proxy)" "$neigh" "proxy entries"
    run wget -q -O - http://10.199.0.61/hostname
    [ "$status" -eq 0 ]
    ok brig jstop jname=${P}i0
    same "$(ip neigh show proxy)" "$neigh" "proxy entries after jstop"
}
