#!/usr/bin/env bats
# brig jset: change a jail's parameters.

load helper
load foundation_helper

setup() {
    brig_setup
    ok brig jcreate jname=web1
}

@test "jset changes a parameter and jget shows it" {
    ok brig jset jname=web1 devfs_ruleset=6
    same "$(jparam web1 devfs_ruleset)" 6 devfs_ruleset
}

@test "jset changes several parameters at once and leaves the others alone" {
    ok brig jset jname=web1 persist=0 host_hostname=www.example.org exec_start="/bin/sh -c 'sleep 1'"
    same "$(jparam web1 persist)" 0 persist
    same "$(jparam web1 host_hostname)" www.example.org host_hostname
    same "$(jparam web1 exec_start)" "/bin/sh -c 'sleep 1'" exec_start
    same "$(jparam web1 devfs_ruleset)" 4 devfs_ruleset
    same "$(jparam web1 ip4_addr)" 10.199.0.2/16 ip4_addr
}

@test "jset of a new static address frees the old DHCP one" {
    ok brig jset jname=web1 ip4_addr=10.0.0.5/24
    same "$(jparam web1 ip4_addr)" 10.0.0.5/24 ip4_addr
    ok brig jcreate jname=web2
    same "$output" "web2: created (ip4_addr=10.199.0.2/16)" "jcreate"
}

@test "jset ip4_addr=DHCP takes an address from the pool" {
    ok brig jset jname=web1 ip4_addr=0
    ok brig jcreate jname=web2
    ok brig jset jname=web1 ip4_addr=DHCP
    same "$(jparam web1 ip4_addr)" 10.199.0.3/16 ip4_addr
}

@test "jset may set an immutable parameter to the value it already has" {
    ok brig jset jname=web1 path="$W/jails/web1" base=busybox
}

@test "jset vnet=1 adds NIC 0 and vnet=0 removes it" {
    ok brig jset jname=web1 vnet=1 ip4_addr=0
    same "$(sqlite3 "$W/var/db/local.sqlite" "select count(*) from jailnic")" 1 "NICs"
    ok brig jset jname=web1 vnet=0
    same "$(sqlite3 "$W/var/db/local.sqlite" "select count(*) from jailnic")" 0 "NICs"
}

@test "jset prints nothing on success" {
    ok brig jset jname=web1 astart=1
    [ -z "$output" ]
}

@test "jset without jname= is refused" {
    assert_rejected 2 "brig: jset: jname= is required" brig jset devfs_ruleset=6
}

@test "jset with no parameter is refused" {
    assert_rejected 2 "brig: jset: no parameter to set (param=value)" brig jset jname=web1
}

@test "jset of a jail that does not exist is refused" {
    assert_rejected 2 "brig: jset: web2: no such jail" brig jset jname=web2 persist=0
}

@test "jset with a bad jname is refused" {
    assert_rejected 2 "jname 'web1;id' may hold only" brig jset 'jname=web1;id' persist=0
}

@test "jset cannot rename a jail" {
    assert_rejected 2 "jname cannot be changed" brig jset jname=web1 jname=web2
}

@test "jset cannot change the path" {
    assert_rejected 2 "brig: jset: web1: path cannot be changed after jcreate" \
        brig jset jname=web1 path=/tmp/elsewhere
}

@test "jset base= to a base the workdir lacks names the command that gets it" {
    assert_rejected 2 "brig: jset: web1: base 'debian' does not exist (brig repo action=get sources=base base=debian)" \
        brig jset jname=web1 base=debian
}

@test "jset cannot change the data directory or baserw" {
    assert_rejected 2 "data cannot be changed after jcreate" brig jset jname=web1 data=/tmp/d
    assert_rejected 2 "baserw cannot be changed after jcreate" brig jset jname=web1 baserw=1
}

@test "jset refuses bad values and changes nothing" {
    assert_rejected 2 "brig: jset: web1: vnet: '2' is not 0 or 1" brig jset jname=web1 vnet=2
    assert_rejected 2 "pcpu: 101 is out of range 0..100" brig jset jname=web1 pcpu=101
    assert_rejected 2 "memoryuse: '1x' is not a size" brig jset jname=web1 memoryuse=1x
    assert_rejected 2 "ip4_addr: bad IPv4 address '300.1.1.1'" brig jset jname=web1 ip4_addr=300.1.1.1
    assert_rejected 2 "cpuset: bad CPU range '3-1'" brig jset jname=web1 cpuset=3-1
}

@test "jset refuses a bad value even when other values are good" {
    assert_rejected 2 "persist: 'yes' is not 0 or 1" brig jset jname=web1 devfs_ruleset=6 persist=yes
    same "$(jparam web1 devfs_ruleset)" 4 devfs_ruleset
}

@test "jset refuses an unknown parameter with a hint" {
    assert_rejected 2 "brig: jset: unknown parameter 'ip4_adr' (did you mean 'ip4_addr'?)" \
        brig jset jname=web1 ip4_adr=10.0.0.1
}

@test "jset refuses an address held by another jail, naming it" {
    ok brig jcreate jname=web2 ip4_addr=10.0.0.9/24
    assert_rejected 2 "web1: ip4_addr: address 10.0.0.9 is already used by jail web2" \
        brig jset jname=web1 ip4_addr=10.0.0.9/24
}

@test "jset refuses ip4_addr=REALDHCP on a jail without vnet" {
    assert_rejected 2 "ip4_addr=REALDHCP needs vnet=1" brig jset jname=web1 ip4_addr=REALDHCP
}

@test "jset refuses vnet=1 on a node whose kernel has no VIMAGE" {
    node_without_vimage
    assert_rejected 2 "brig: jset: web1: vnet=1 needs a kernel with VIMAGE (network namespaces)" \
        brig jset jname=web1 vnet=1
}

@test "jset --json is refused" {
    assert_rejected 2 "jset has no listing for --json" brig jset jname=web1 persist=0 --json
}

@test "jset refuses a loopback or broadcast address and changes nothing" {
    ok brig jcreate jname=al ip4_addr=10.1.2.3/24
    assert_rejected 2 "127.0.0.1 is a loopback address" brig jset jname=al ip4_addr='lo|127.0.0.1/8'
    assert_rejected 2 "10.1.2.255 is the broadcast address of /24" brig jset jname=al \
        ip4_addr=10.1.2.255/24
    same "$(jparam al ip4_addr)" 10.1.2.3/24 "ip4_addr"
}

@test "jset refuses memoryuse below the minimum of 1m and changes nothing" {
    assert_rejected 2 "memoryuse: '512' is below the minimum of 1m" brig jset jname=web1 memoryuse=512
    assert_rejected 2 "memoryuse: '100k' is below the minimum of 1m" brig jset jname=web1 \
        memoryuse=100k
    same "$(jparam web1 memoryuse)" 0 memoryuse
    ok brig jset jname=web1 memoryuse=1m
    same "$(jparam web1 memoryuse)" 1m memoryuse
}

@test "jset refuses a cpuset naming CPUs this host does not have" {
    local last online
    online=$(cat /sys/devices/system/cpu/online)
    last=${online##*[-,]}
    assert_rejected 2 "cpuset: CPU $((last + 1)) is not on this host (CPUs $online)" \
        brig jset jname=web1 cpuset=0-$((last + 1))
    assert_rejected 2 "cpuset: CPU 4000 is not on this host" brig jset jname=web1 cpuset=4000
    ok brig jset jname=web1 cpuset="$online"
    same "$(jparam web1 cpuset)" "$online" cpuset
}

@test "jconfig param=value checks values as jset does" {
    assert_rejected 2 "memoryuse: '100k' is below the minimum of 1m" brig jconfig jname=web1 \
        memoryuse=100k
}

@test "jset refuses the network or broadcast address of a vnet jail's subnet" {
    ok brig jset jname=web1 vnet=1 ip4_addr=10.1.2.3
    assert_rejected 2 "10.1.2.255 is the broadcast address of /24" brig jset jname=web1 \
        ip4_addr=10.1.2.255
    assert_rejected 2 "10.1.2.0 is the network address of /24" brig jset jname=web1 \
        ip4_addr=10.1.2.0
    assert_rejected 2 "10.199.255.255 is the broadcast address of the node's pool 10.199.0.0/16" \
        brig jset jname=web1 ip4_addr=10.199.255.255/8
    same "$(jparam web1 ip4_addr)" 10.1.2.3 ip4_addr
}

@test "jset host_hostname longer than the kernel's 64 characters is refused" {
    local long
    long=$(printf 'a%.0s' $(seq 60)).example.org
    assert_rejected 2 "host_hostname: host name is 72 characters, more than 64" \
        brig jset jname=web1 host_hostname=$long
}
