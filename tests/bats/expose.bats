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

# GET http://$1/ from the host (output in $output).
host_get() {
    run timeout 5 busybox wget -q -T 3 -O - "http://$1/"
}

# brig's port forward rules in the whole ruleset (none: no output).
brig_forward_rules() {
    nft list ruleset | grep -E 'brig expose|dnat to' || true
}

@test "expose forwards a host port to a jail's service and stops at jstop" {
    jail_up jname=${P}a vnet=1 ip4_addr=10.199.0.40/16
    jail_httpd ${P}a hello-from-a
    ok brig expose jname=${P}a action=add proto=tcp in=8080 out=80
    output_has "forwarding now"
    host_get 10.199.0.1:8080
    same "$status" 0 "GET through the forward: $output"
    output_has hello-from-a
    ok brig jstop jname=${P}a
    host_get 10.199.0.1:8080
    [ "$status" -ne 0 ]
    same "$(brig_forward_rules)" "" "rules of brig after jstop"
    run nft list table ip brig
    [ "$status" -ne 0 ]
}
