#!/usr/bin/env bats
# What a jail made with the defaults can do on the network: ping without raw
# sockets (ICMP datagram sockets through net.ipv4.ping_group_range in the
# jail's own network namespace) and resolve names.

load vnet_helper

bats_require_minimum_version 1.5.0

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

@test "a default VNET jail (no allow_raw_sockets) pings another jail and the gateway" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.71/16
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.72/16
    jail_pings ${P}a 10.199.0.72
    same "$status" 0 "a pings b: $output"
    output_has "1 packets received"
    jail_pings ${P}b 10.199.0.1
    same "$status" 0 "b pings the gateway: $output"
    # still no raw sockets: busybox's own ping needs one
    in_jail ${P}a busybox ping -c1 -W1 10.199.0.72
    [ "$status" -ne 0 ]
}

@test "a default jail pings over IPv6 without raw sockets, as an unprivileged user too" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.73/16,fd00::73/64
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.74/16,fd00::74/64
    jail_pings ${P}a -6 fd00::74
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
    jail_pings ${P}h 127.0.0.1
    same "$status" 0 "the jail without VNET pings its loopback: $output"
}

@test "a privileged jail (userns=0) lets every group ping" {
    jail_up jname=${P}z vnet=1 ip4_addr=10.199.0.76/16 userns=0
    in_jail ${P}z cat /proc/sys/net/ipv4/ping_group_range
    same "$(echo $output)" "0 2147483647" "the range"
    jail_pings ${P}z 10.199.0.1
    same "$status" 0 "ping from the privileged jail: $output"
}

# Give the host (the test's mount namespace) an /etc/resolv.conf of $1.
host_resolv() {
    printf '%b' "$1" >"$BATS_TEST_TMPDIR/resolv.conf"
    mount --bind "$BATS_TEST_TMPDIR/resolv.conf" /etc/resolv.conf
    HOST_RESOLV=1
}

host_resolv_undo() {
    [ -z "${HOST_RESOLV:-}" ] || umount /etc/resolv.conf
    [ -z "${DNS_PID:-}" ] || kill "$DNS_PID" 2>/dev/null || true
}

@test "names resolve: jnameserver=auto names the host's name server the jail reaches" {
    ip link add dns0 type veth peer name dns1
    ip addr add 192.0.2.53/32 dev dns0
    ip link set dns0 up
    ip link set dns1 up
    dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
        --listen-address=192.0.2.53 --address=/www.example.test/192.0.2.80 \
        --pid-file="$BATS_TEST_TMPDIR/dns.pid" 2>/dev/null &
    DNS_PID=$!
    host_resolv 'search example.test\nnameserver 127.0.0.53\nnameserver 192.0.2.53\n'
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.81/16
    output_lacks "note"
    in_jail ${P}a cat /etc/resolv.conf
    has_line "nameserver 192.0.2.53"
    output_lacks "127.0.0.53"
    # (dnsmasq refuses the AAAA query: only the A answer counts)
    in_jail ${P}a nslookup -type=a www.example.test
    output_has "Address: 192.0.2.80"
    host_resolv_undo
}

@test "with no host name server in reach, jstart says so in one note and the jail has none" {
    host_resolv 'nameserver 127.0.0.53\nnameserver 198.51.100.53\n'
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=10.199.0.82/16
    run --separate-stderr "$BRIG_BIN" jstart jname=${P}a
    same "$status" 0 "jstart: $output $stderr"
    same "$stderr" "brig: jstart: ${P}a: note: no name server: the host's (127.0.0.53, 198.51.100.53) are out of the jail's reach; set jnameserver= (or nat_enable=1 in brig.conf)" "the note"
    in_jail ${P}a grep -c "^nameserver" /etc/resolv.conf
    same "$output" 0 "name servers in the jail's resolv.conf"
    host_resolv_undo
}

@test "jnameserver=auto with nat_enable=1 reaches a name server beyond the host; a list or 0 is kept" {
    host_resolv 'nameserver 198.51.100.53\nnameserver fe80::1%eth0\n'
    ok brig initenv nat_enable=1
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.83/16
    in_jail ${P}a cat /etc/resolv.conf
    same "$output" "nameserver 198.51.100.53" "resolv.conf"
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.84/16 jnameserver=192.0.2.1,2001:db8::1
    in_jail ${P}b cat /etc/resolv.conf
    same "$output" "$(printf 'nameserver 192.0.2.1\nnameserver 2001:db8::1')" "resolv.conf"
    jail_up jname=${P}c vnet=1 ip4_addr=10.199.0.85/16 jnameserver=0
    in_jail ${P}c cat /etc/resolv.conf
    same "$output" "" "the base's resolv.conf"
    host_resolv_undo
}

@test "jnameserver=auto leaves the resolv.conf of a jail that configures itself (ip4_addr=0)" {
    host_resolv 'nameserver 198.51.100.53\n'
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=0 exec_start='/bin/sh -c "echo nameserver 192.0.2.9 >/etc/resolv.conf"'
    run --separate-stderr "$BRIG_BIN" jstart jname=${P}a
    same "$status" 0 "jstart: $output $stderr"
    same "$stderr" "" "notes"
    ok brig jstop jname=${P}a
    ok brig jstart jname=${P}a
    in_jail ${P}a cat /etc/resolv.conf
    same "$output" "nameserver 192.0.2.9" "the jail's own resolv.conf"
    host_resolv_undo
}

@test "the base's ping takes busybox's options and refuses bad ones with exit 2" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.77/16
    in_jail ${P}a ping -c2 -i 0.2 -A -t 9 -s 100 -p ab -I 10.199.0.77 -q 10.199.0.1
    same "$status" 0 "ping with options: $output"
    output_has "2 packets received"
    output_lacks "bytes from"
    in_jail ${P}a ping -c1 -W1 -I eth0 10.199.0.1
    same "$status" 0 "ping -I eth0: $output"
    local bad
    for bad in "-t 0" "-p zz" "-c -1" "-s 70000" "-x" "-I 192.0.2.9"; do
        # shellcheck disable=SC2086
        in_jail ${P}a ping $bad -c1 10.199.0.1
        same "$status" 2 "ping $bad: $output"
    done
    in_jail ${P}a ping -c1 -W1 name.invalid
    same "$status" 2 "ping of a name that does not resolve: $output"
    output_has "bad address 'name.invalid'"
}

# Send ICMP echo replies from the host to jail address $1, with the id of
# the ICMP socket of jail $2 (its ping's), sequence numbers 0 to $3-1, each
# $4 times, for at least $5 seconds (0: once).
forge_replies() {
    # the ping runs in the background: wait for its socket (a minute at most)
    local port= end=$((SECONDS + 60))
    until [ -n "$port" ]; do
        [ "$SECONDS" -lt "$end" ] || return 1
        port=$("$BRIG_BIN" jexec jname="$2" -- cat /proc/net/icmp | awk 'NR == 2 { split($2, a, ":"); print a[2] }')
    done
    python3 - "$1" "$((16#$port))" "$3" "$4" "$5" <<'PY'
import socket, struct, sys, time
dst, ident, nseq, times, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
end = time.time() + secs
while True:
    for seq in range(nseq):
        body = struct.pack("!BBHHH", 0, 0, 0, ident, seq) + b"\0" * 56
        pkt = body[:2] + struct.pack("!H", csum(body)) + body[4:]
        for _ in range(times):
            sk.sendto(pkt, (dst, 0))
    if time.time() >= end:
        break
PY
}

@test "the base's ping counts no reply from a host it did not ping, and no duplicate" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.78/16
    # 10.199.0.99 is nobody's: every reply the jail gets is the host's forgery
    "$BRIG_BIN" jexec jname=${P}a -- sh -c '/bin/ping -c3 -i 0.5 -W2 10.199.0.99 >/tmp/ping.out 2>&1; echo "exit $?" >>/tmp/ping.out' &
    local bg=$!
    forge_replies 10.199.0.78 ${P}a 3 2 0
    wait "$bg"
    in_jail ${P}a cat /tmp/ping.out
    output_has "3 packets transmitted, 0 packets received"
    output_has "exit 1"
    output_lacks "bytes from"
}

@test "a flood of replies holds off neither the base's ping's deadline nor its next request" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.79/16
    # timed inside the jail, so that a slow jexec on a loaded machine does not count
    "$BRIG_BIN" jexec jname=${P}a -- sh -c 's=$(date +%s); /bin/ping -q -c1000 -i 0.2 -w 2 10.199.0.99 >/tmp/ping.out 2>&1; r=$?; echo "took $(($(date +%s) - s))" >>/tmp/ping.out; echo "exit $r" >>/tmp/ping.out' &
    local bg=$!
    # a flood of 15 s: a ping it held off would take that long
    forge_replies 10.199.0.79 ${P}a 1 1 15 &
    local flood=$!
    wait "$bg"
    wait "$flood" || true
    in_jail ${P}a cat /tmp/ping.out
    local took
    took=$(echo "$output" | sed -n 's/^took \([0-9]*\)$/\1/p')
    [ -n "$took" ] && [ "$took" -le 8 ] || {
        echo "ping -w 2 took $took s under the flood: $output" >&2
        return 1
    }
    # a request every 0.2 s for 2 s: about ten (five at least on a loaded machine), not one
    local sent
    sent=$(echo "$output" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
    [ "$sent" -ge 5 ] || {
        echo "sent $sent requests under the flood: $output" >&2
        return 1
    }
}

@test "the base's ping is a plain program: not setuid, not setgid" {
    local f
    for f in "$W/basejail/busybox/bin/ping" "$W/basejail/busybox/bin/ping6"; do
        same "$(stat -c %a "$f")" 755 "mode of $f"
    done
}
