#!/usr/bin/env bats
# expose: port forwards from the host's addresses to a jail's address (nftables
# DNAT in brig's table "ip brig"), live while the jail runs.

load vnet_helper

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

# A web server on port 80 of jail $1 answering "$2".
jail_httpd() {
    ok brig jexec jname="$1" -- sh -c "mkdir -p /tmp/www && echo $2 >/tmp/www/index.html && httpd -p 80 -h /tmp/www"
}

# GET / from address $1 port $2, from the host or, with $3, from jail $3
# (the page in $output).
http_get() {
    if [ -n "${3:-}" ]; then
        run "$BRIG_BIN" jexec jname="$3" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $1 $2"
    else
        run timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3"
    fi
}

# brig's port forward rules in the whole ruleset (none: no output).
forward_rules() {
    nft list ruleset | grep -E 'brig expose|dnat to|expose_' || true
}

@test "expose forwards a host port to a jail's service and stops at jstop" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_httpd ${P}a hello-from-a
    http_get 10.199.0.1 8080
    [ "$status" -ne 0 ] # nothing listens on the host's port
    ok brig expose jname=${P}a action=add proto=tcp in=8080 out=80
    output_has "tcp *:8080 -> 10.199.0.40:80 added, forwarding now"
    http_get 10.199.0.1 8080
    same "$status" 0 "GET through the forward: $output"
    output_has hello-from-a
    ok brig jstop jname=${P}a
    http_get 10.199.0.1 8080
    [ "$status" -ne 0 ]
    same "$(forward_rules)" "" "rules of brig after jstop"
    run nft list table ip brig
    [ "$status" -ne 0 ]
}

@test "expose keeps the forward: the next jstart forwards again" {
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    ok brig expose jname=${P}a action=add in=8080 out=80
    output_has "it forwards while the jail runs"
    same "$(forward_rules)" "" "no rule while the jail is stopped"
    ok brig jstart jname=${P}a
    jail_httpd ${P}a hello-again
    http_get 10.199.0.1 8080
    same "$status" 0 "GET after jstart: $output"
    output_has hello-again
    ok brig expose jname=${P}a
    output_has "${P}a"
    output_has "8080"
    ok brig expose --json
    output_has '"in": 8080'
    output_has '"live": 1'
}

@test "expose reaches the jail from another jail through the host's address (hairpin)" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_up jname=${P}b vnet=1 ip4_addr=10.199.0.41/16
    jail_httpd ${P}a hairpin-ok
    ok brig expose jname=${P}a action=add in=8080 out=80
    http_get 10.199.0.1 8080 ${P}b
    same "$status" 0 "GET from the other jail: $output"
    output_has hairpin-ok
}

@test "expose forwards udp" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    ok brig expose jname=${P}a action=add proto=udp in=5353 out=53
    # busybox's nc has no UDP: a UDP server in the jail's network namespace
    local pid
    pid=$(brig jls display=jname,pid header=0 | awk -v j=${P}a '$1 == j { print $2 }')
    [ -n "$pid" ]
    nsenter -t "$pid" -n /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.199.0.40", 53))
s.settimeout(300)
d, a = s.recvfrom(100)
open(sys.argv[1], "w").write(d.decode().strip() + " from " + a[0] + "\n")
' "$BATS_TEST_TMPDIR/udp.txt" &
    # until the server, started in the background, has one (a minute at most)
    local end=$((SECONDS + 60))
    until [ -s "$BATS_TEST_TMPDIR/udp.txt" ] || [ "$SECONDS" -ge "$end" ]; do
        echo udp-hello >/dev/udp/10.199.0.1/5353
        sleep 0.2
    done
    wait
    run cat "$BATS_TEST_TMPDIR/udp.txt"
    output_has "udp-hello from 10.199.0.1"
    run nft list chain ip brig expose_pre
    output_has "udp dport 5353"
}

@test "expose addr= forwards one host address, reached from an outside host" {
    outside_host "out$P" up0 192.0.2.1/24 192.0.2.2/24
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_httpd ${P}a from-outside
    ok brig expose jname=${P}a action=add in=8080 out=80 addr=192.0.2.1
    run ip netns exec "out$P" timeout 5 bash -c "exec 3<>/dev/tcp/192.0.2.1/8080 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3"
    same "$status" 0 "GET from the outside host: $output"
    output_has from-outside
    # the bridge's address is not forwarded
    http_get 10.199.0.1 8080
    [ "$status" -ne 0 ]
}

@test "expose action=remove on a running jail stops the forward at once" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_httpd ${P}a bye
    ok brig expose jname=${P}a action=add in=8080 out=80
    ok brig expose jname=${P}a mode=delete in=8080
    output_has "removed (no longer forwarding)"
    http_get 10.199.0.1 8080
    [ "$status" -ne 0 ]
    same "$(forward_rules)" "" "rules of brig after the last remove"
    ok brig expose jname=${P}a action=remove in=8080
    output_has "nothing to remove"
}

@test "expose refuses a port already forwarded, to any jail, and changes nothing" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    ok brig jcreate jname=${P}b vnet=1 ip4_addr=10.199.0.41/16
    ok brig expose jname=${P}a action=add in=8080 out=80
    local before
    before=$(nft -s list ruleset)
    assert_rejected 2 "tcp port 8080 is already forwarded to jail ${P}a" \
        brig expose jname=${P}b action=add in=8080 out=81
    assert_rejected 2 "already forwarded" brig expose jname=${P}a action=add in=8080 out=80
    assert_rejected 2 "already forwarded" brig expose jname=${P}b action=add in=8080 addr=10.199.0.1
    same "$(nft -s list ruleset)" "$before" "ruleset after refusals"
    # another protocol is another port
    ok brig expose jname=${P}b action=add proto=udp in=8080
}

@test "expose refuses bad input and a jail without an address with exit 2" {
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    ok brig jcreate jname=${P}n vnet=1 ip4_addr=0
    assert_rejected 2 "no IPv4 address to forward to" brig expose jname=${P}n action=add in=8080
    assert_rejected 2 "proto" brig expose jname=${P}a action=add proto=sctp in=8080
    assert_rejected 2 "in" brig expose jname=${P}a action=add in=0
    assert_rejected 2 "in" brig expose jname=${P}a action=add in=65536
    assert_rejected 2 "in" brig expose jname=${P}a action=add in='80;drop'
    assert_rejected 2 "in= (the host's port) is required" brig expose jname=${P}a action=add out=80
    assert_rejected 2 "out" brig expose jname=${P}a action=add in=8080 out=x
    assert_rejected 2 "not an IPv4 address" brig expose jname=${P}a action=add in=8080 addr='1.2.3.4 drop'
    assert_rejected 2 "not an IPv4 address" brig expose jname=${P}a action=add in=8080 addr=fd00::1
    assert_rejected 2 "not an IPv4 address" brig expose jname=${P}a action=add in=8080 addr=10.0.0.0/8
    assert_rejected 2 "not one of list, add, remove" brig expose jname=${P}a action=flush
    assert_rejected 2 "out= goes with action=add only" brig expose jname=${P}a action=remove in=1 out=2
    assert_rejected 2 "no such jail" brig expose jname=${P}zz action=add in=8080
    assert_rejected 2 "jname" brig expose action=add in=8080
    same "$(forward_rules)" "" "no rule after refusals"
}

@test "expose rules and records go with jremove" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    ok brig expose jname=${P}a action=add in=8080 out=80
    ok brig jremove jname=${P}a force=1
    same "$(forward_rules)" "" "rules of brig after jremove"
    ok brig expose
    same "$(echo "$output" | grep -c "${P}a")" 0 "forwards listed after jremove"
}

@test "expose and nat_enable share brig's table: each leaves the other's rules" {
    outside_host "out$P" up0 192.0.2.1/24 192.0.2.2/24
    ok brig initenv nat_enable=1 uplink=up0
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    ok brig expose jname=${P}a action=add in=8080 out=80
    ok brig expose jname=${P}a action=remove in=8080
    run nft list chain ip brig postrouting
    same "$status" 0 "NAT chain after the last forward went"
    output_has masquerade
}

@test "expose forwards survive the removal of the last NAT rule" {
    outside_host "out$P" up0 192.0.2.1/24 192.0.2.2/24
    ok brig initenv uplink=up0
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_httpd ${P}a still-here
    ok brig expose jname=${P}a action=add in=8080 out=80
    # a bridge made with nat_enable=1 brings the only NAT rule, and takes it along
    ok brig initenv nat_enable=1 uplink=up0
    ok brig bridge action=create name=brt$P addr=10.77.0.1/24
    run nft list chain ip brig postrouting
    output_has "10.77.0.0/24"
    ok brig bridge action=remove name=brt$P
    run nft list chain ip brig expose_pre
    same "$status" 0 "forward chain after the last NAT rule went: $output"
    http_get 10.199.0.1 8080
    output_has still-here
}

@test "expose on a FreeBSD jail is recorded and its jstart plan has the ipfw fwd rule" {
    ok brig --os=freebsd jcreate jname=${P}f vnet=1 ip4_addr=10.0.0.9/24
    ok brig --os=freebsd expose jname=${P}f action=add in=8080 out=80
    output_has "it forwards while the jail runs"
    ok brig --os=freebsd jstart jname=${P}f --dry-run
    output_has "ipfw -q add 5000"
    output_has "fwd 10.0.0.9,80 tcp from any to me 8080 in"
    ok brig --os=freebsd jstop jname=${P}f --dry-run
    output_has "ipfw -q delete 5000"
}
