#!/usr/bin/env bats
# brig jcreate: record a new jail, from key=value arguments and/or a jconf file.

load helper
load foundation_helper

setup() {
    brig_setup
}

@test "jcreate records a jail with the documented defaults" {
    ok brig jcreate jname=web1
    same "$output" "web1: created (ip4_addr=10.199.0.2/16)" "jcreate"
    ok brig jget jname=web1
    has_line "host_hostname: web1.my.domain"
    has_line "exec_start: /bin/sh /etc/rc"
    has_line "exec_stop: /bin/sh /etc/rc.shutdown"
    has_line "persist: 1"
    has_line "devfs_ruleset: 4"
    has_line "vnet: 0"
    has_line "base: busybox"
    has_line "baserw: 0"
    has_line "path: $W/jails/web1"
    has_line "data: $W/jails-data/web1-data"
    has_line "interface: auto"
    has_line "nic_hwaddr: 0"
}

@test "jcreate makes the jail's root, data and system directories" {
    ok brig jcreate jname=web1
    [ -d "$W/jails/web1" ]
    [ -d "$W/jails-data/web1-data" ]
    [ -d "$W/jails-system/web1" ]
}

@test "a vnet jail defaults to ip4_addr=0 and devfs_ruleset=5" {
    ok brig jcreate jname=v1 vnet=1
    same "$output" "v1: created (ip4_addr=0)" "jcreate"
    same "$(jparam v1 ip4_addr)" 0 ip4_addr
    same "$(jparam v1 devfs_ruleset)" 5 devfs_ruleset
    same "$(jparam v1 ci_gw4)" auto ci_gw4
}

@test "a vnet jail gets NIC 0 in the NIC table" {
    ok brig jcreate jname=v1 vnet=1 nic_hwaddr=02:00:00:00:00:0a
    same "$(sqlite3 "$W/var/db/local.sqlite" \
        "select idx || ' ' || parent || ' ' || hwaddr from jailnic")" \
        "0 auto 02:00:00:00:00:0a" "jailnic"
}

@test "ip4_addr=DHCP takes the pool's first free addresses in order" {
    ok brig jcreate jname=web1 ip4_addr=DHCP
    same "$output" "web1: created (ip4_addr=10.199.0.2/16)" "first"
    ok brig jcreate jname=web2 ip4_addr=DHCP
    same "$output" "web2: created (ip4_addr=10.199.0.3/16)" "second"
    same "$(jparam web2 ip4_addr)" 10.199.0.3/16 "stored"
}

@test "DHCP skips an address a jail holds statically" {
    ok brig jcreate jname=static ip4_addr=10.199.0.2
    ok brig jcreate jname=dyn ip4_addr=DHCP
    same "$output" "dyn: created (ip4_addr=10.199.0.3/16)" "jcreate"
}

@test "50 parallel jcreate ip4_addr=DHCP get 50 distinct addresses" {
    ok brig jcreate jname=first ip4_addr=10.0.0.1
    local i
    for i in $(seq 1 50); do
        "$BRIG_BIN" jcreate jname="p$i" ip4_addr=DHCP >"$BATS_TEST_TMPDIR/out$i" 2>&1 &
    done
    wait
    run cat "$BATS_TEST_TMPDIR"/out*
    [ "${#lines[@]}" -eq 50 ]
    output_lacks "brig:"
    same "$(jail_count)" 51 "jails"
    ok brig jls display=ip4_addr header=0
    lines=("${lines[@]:1}")
    same "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 50 "distinct addresses"
    same "$(printf '%s\n' "${lines[@]}" | sort -t. -k4 -n | head -1)" 10.199.0.2/16 "lowest"
    same "$(printf '%s\n' "${lines[@]}" | sort -t. -k4 -n | tail -1)" 10.199.0.51/16 "highest"
}

@test "parallel first jcreates on a fresh workdir all succeed" {
    local i
    for i in $(seq 1 8); do
        "$BRIG_BIN" jcreate jname="p$i" >"$BATS_TEST_TMPDIR/out$i" 2>&1 &
    done
    wait
    run cat "$BATS_TEST_TMPDIR"/out*
    output_lacks "brig:"
    same "$(jail_count)" 8 "jails"
}

@test "a base that does not exist is refused" {
    assert_rejected 2 "base 'nosuch' does not exist (brig repo action=get sources=base base=nosuch)" \
        brig jcreate jname=web1 base=nosuch
    assert_rejected 2 "base '../busybox' must start with a letter or digit" \
        brig jcreate jname=web1 base=../busybox
}

@test "a removed jail's DHCP address is given to the next jail" {
    ok brig jcreate jname=web1
    ok brig jcreate jname=web2
    ok brig jremove jname=web1
    ok brig jcreate jname=web3
    same "$output" "web3: created (ip4_addr=10.199.0.2/16)" "jcreate"
}

@test "a removed jail's static address can be used again" {
    ok brig jcreate jname=web1 ip4_addr=10.0.0.5/24
    ok brig jremove jname=web1
    ok brig jcreate jname=web2 ip4_addr=10.0.0.5/24
}

@test "ip4_addr takes a list of IPv4 and IPv6 addresses with prefixes and interfaces" {
    ok brig jcreate jname=web1 'ip4_addr=10.0.0.5,10.0.0.6/24,fd00::5/64,eth0|10.0.0.7'
    same "$(jparam web1 ip4_addr)" '10.0.0.5,10.0.0.6/24,fd00::5/64,eth0|10.0.0.7' ip4_addr
}

@test "ip4_addr=0 gives the jail no address" {
    ok brig jcreate jname=web1 ip4_addr=0
    same "$output" "web1: created (ip4_addr=0)" "jcreate"
}

@test "ip4_addr=REALDHCP is accepted for a vnet jail" {
    ok brig jcreate jname=v1 vnet=1 ip4_addr=REALDHCP
    same "$(jparam v1 ip4_addr)" REALDHCP ip4_addr
}

@test "parameters given on the command line are stored as given" {
    ok brig jcreate jname=web1 host_hostname=www.example.org devfs_ruleset=6 persist=0 \
        memoryuse=512m pcpu=50 cpuset=0,0-0 astart=1 b_order=3 'exec_start=/bin/echo "hi" $x'
    ok brig jget jname=web1
    has_line "host_hostname: www.example.org"
    has_line "devfs_ruleset: 6"
    has_line "persist: 0"
    has_line "memoryuse: 512m"
    has_line "pcpu: 50"
    has_line "cpuset: 0,0-0"
    has_line 'exec_start: /bin/echo "hi" $x'
}

@test "jcreate jconf= reads a jconf file with comments, quotes and escapes" {
    local f
    f=$(jconf_file web1.jconf <<'EOF2'
# a CBSD-style jconf
jname="web1";

  host_hostname = 'web.example.org' ; # trailing comment
ip4_addr=10.0.0.9/24
exec_start="/bin/echo \"quoted\" \$HOME \\ done";
exec_stop='/bin/echo single $HOME'
devfs_ruleset="6"
EOF2
)
    ok brig jcreate jconf="$f"
    same "$output" "web1: created (ip4_addr=10.0.0.9/24)" "jcreate"
    same "$(jparam web1 host_hostname)" web.example.org host_hostname
    same "$(jparam web1 exec_start)" '/bin/echo "quoted" $HOME \ done' exec_start
    same "$(jparam web1 exec_stop)" '/bin/echo single $HOME' exec_stop
    same "$(jparam web1 devfs_ruleset)" 6 devfs_ruleset
}

@test "command-line parameters override the jconf file" {
    local f
    f=$(jconf_file web1.jconf <<'EOF2'
jname="web1";
ip4_addr="10.0.0.9/24";
devfs_ruleset="6";
EOF2
)
    ok brig jcreate jconf="$f" ip4_addr=10.0.0.10/24 jname=web2
    same "$output" "web2: created (ip4_addr=10.0.0.10/24)" "jcreate"
    same "$(jparam web2 devfs_ruleset)" 6 devfs_ruleset
}

@test "jcreate without jname= and jconf= is a usage error" {
    assert_rejected 2 "brig: jcreate: jname= or jconf= is required" brig jcreate vnet=1
}

@test "jcreate with an empty jname is refused" {
    assert_rejected 2 "jname is empty" brig jcreate jname=
}

@test "a jname with a path is refused" {
    assert_rejected 2 "jname '../x' must start with a letter or digit" brig jcreate jname=../x
    assert_rejected 2 "jname '/etc' must start with a letter or digit" brig jcreate jname=/etc
    assert_rejected 2 "jname 'a/b' may hold only letters, digits, '_' and '-'" brig jcreate jname=a/b
    assert_rejected 2 "jname 'a..' may hold only letters, digits, '_' and '-'" brig jcreate jname=a..
}

@test "a jname of 64 characters is refused, 63 (a host name label) are accepted" {
    local n63 n64
    n63=$(printf 'a%.0s' $(seq 63))
    n64=${n63}b
    assert_rejected 2 "jname is longer than 63 characters" brig jcreate jname="$n64"
    ok brig jcreate jname="$n63" host_hostname="$n63"
}

@test "a jname whose default host name passes the kernel's 64 characters is refused at jcreate" {
    local n54 n55
    n54=$(printf 'a%.0s' $(seq 54))
    n55=${n54}b
    assert_rejected 2 "host_hostname: host name is 65 characters, more than 64 (the default is \${hostjname}.my.domain: give a shorter jname or host_hostname=)" \
        brig jcreate jname="$n55"
    ok brig jcreate jname="$n54"
    ok brig jget jname="$n54" host_hostname
    same "$output" "host_hostname: $n54.my.domain" "jget"
}

@test "jcreate refuses the network or broadcast address of a vnet jail's subnet" {
    assert_rejected 2 "10.1.2.255 is the broadcast address of /24" brig jcreate jname=v1 vnet=1 \
        ip4_addr=10.1.2.255
    assert_rejected 2 "10.1.2.0 is the network address of /24" brig jcreate jname=v1 vnet=1 \
        ip4_addr=10.1.2.0
    assert_rejected 2 "10.199.0.0 is the network address of the node's pool 10.199.0.0/16" \
        brig jcreate jname=v1 vnet=1 ip4_addr=10.199.0.0/8
    ok brig jcreate jname=v1 vnet=1 ip4_addr=10.1.2.254
}

@test "jcreate refuses what only a start used to refuse: iface|address on a vnet jail, REALDHCP under the linuxulator" {
    assert_rejected 2 "ip4_addr: 'iface|address' applies only to jails without vnet" \
        brig jcreate jname=v1 vnet=1 ip4_addr='eth0|10.1.2.3/24'
    assert_rejected 2 "ip4_addr=REALDHCP in an emulator=linux jail: start the Linux DHCP client from exec_start" \
        brig jcreate jname=v1 vnet=1 ip4_addr=REALDHCP emulator=linux
    ok brig jcreate jname=v1 vnet=1 ip4_addr=REALDHCP
    assert_rejected 2 "ip4_addr=REALDHCP in an emulator=linux jail" brig jset jname=v1 emulator=linux
}

@test "jcreate refuses memoryuse below 1m and a cpuset beyond the host's CPUs" {
    assert_rejected 2 "memoryuse: '100k' is below the minimum of 1m" brig jcreate jname=web1 \
        memoryuse=100k
    assert_rejected 2 "cpuset: CPU 4000 is not on this host" brig jcreate jname=web1 cpuset=4000
}

@test "a jname with '_' gets a host name with '-'" {
    ok brig jcreate jname=web_1
    ok brig jget jname=web_1 host_hostname
    same "$output" "host_hostname: web-1.my.domain" "jget"
}

@test "a jname starting with '-' is refused" {
    assert_rejected 2 "jname '-x' must start with a letter or digit" brig jcreate jname=-x
}

@test "a jname with shell metacharacters is refused" {
    assert_rejected 2 "jname 'a;rm -rf /' may hold only" brig jcreate 'jname=a;rm -rf /'
    assert_rejected 2 "jname '\$(id)' must start with a letter or digit" brig jcreate 'jname=$(id)'
    assert_rejected 2 "jname 'a\$(id)' may hold only" brig jcreate 'jname=a$(id)'
    assert_rejected 2 "jname 'a\`id\`' may hold only" brig jcreate 'jname=a`id`'
    assert_rejected 2 "jname 'a|b' may hold only" brig jcreate 'jname=a|b'
    assert_rejected 2 "jname 'a*' may hold only" brig jcreate 'jname=a*'
    [ ! -e "$W/jails/a;rm -rf " ]
}

@test "a jname with a space is refused" {
    assert_rejected 2 "jname 'a b' may hold only letters, digits, '_' and '-'" brig jcreate 'jname=a b'
}

@test "a jname with a newline is refused in one line" {
    assert_rejected 2 "may hold only letters, digits, '_' and '-'" brig jcreate "jname=a
b"
}

@test "a duplicate jname is refused" {
    ok brig jcreate jname=web1
    assert_rejected 2 "brig: jcreate: web1: a jail named 'web1' already exists" brig jcreate jname=web1
}

@test "a static address held by another jail is refused, naming that jail" {
    ok brig jcreate jname=web1 ip4_addr=10.0.0.5/24
    assert_rejected 2 "web2: ip4_addr: address 10.0.0.5 is already used by jail web1" \
        brig jcreate jname=web2 ip4_addr=10.0.0.5/24
    assert_rejected 2 "address 10.0.0.5 is already used by jail web1" \
        brig jcreate jname=web2 ip4_addr=10.0.0.5/16
    [ ! -e "$W/jails/web2" ]
}

@test "an IPv6 address held by another jail is refused whatever its spelling" {
    ok brig jcreate jname=web1 ip4_addr=fd00::5
    assert_rejected 2 "address fd00::5 is already used by jail web1" \
        brig jcreate jname=web2 ip4_addr=FD00:0::5/64
}

@test "a DHCP address held by another jail is refused as a static one" {
    ok brig jcreate jname=web1 ip4_addr=DHCP
    assert_rejected 2 "address 10.199.0.2 is already used by jail web1" \
        brig jcreate jname=web2 ip4_addr=10.199.0.2/16
}

@test "the same address twice in one list is refused" {
    assert_rejected 2 "ip4_addr: address 10.0.0.7 is listed twice" brig jcreate jname=web1 ip4_addr=10.0.0.7,10.0.0.7
}

@test "the node's gateway address is refused as a jail address" {
    assert_rejected 2 "10.199.0.1" brig jcreate jname=web1 ip4_addr=10.199.0.1/16
}

@test "an IPv4 address with an octet above 255 is refused" {
    assert_rejected 2 "ip4_addr: bad IPv4 address '10.0.0.256'" brig jcreate jname=web1 ip4_addr=10.0.0.256
}

@test "an IPv4 prefix above 32 is refused" {
    assert_rejected 2 "ip4_addr: bad prefix length in '1.2.3.4/33' (0..32)" \
        brig jcreate jname=web1 ip4_addr=1.2.3.4/33
}

@test "an IPv6 prefix above 128 is refused" {
    assert_rejected 2 "ip4_addr: bad prefix length in 'fd00::1/129' (0..128)" \
        brig jcreate jname=web1 ip4_addr=fd00::1/129
}

@test "a prefix that is not a number is refused" {
    assert_rejected 2 "bad prefix length in '10.0.0.1/ab'" brig jcreate jname=web1 ip4_addr=10.0.0.1/ab
    assert_rejected 2 "bad prefix length in '10.0.0.1/'" brig jcreate jname=web1 ip4_addr=10.0.0.1/
    assert_rejected 2 "bad prefix length in '10.0.0.1/-1'" brig jcreate jname=web1 ip4_addr=10.0.0.1/-1
}

@test "an empty element in an address list is refused" {
    assert_rejected 2 "ip4_addr: empty element in list '10.0.0.1,,10.0.0.2'" \
        brig jcreate jname=web1 ip4_addr=10.0.0.1,,10.0.0.2
    assert_rejected 2 "empty element in list '10.0.0.1,'" brig jcreate jname=web1 ip4_addr=10.0.0.1,
}

@test "an address that is not an address is refused" {
    assert_rejected 2 "ip4_addr: bad IPv4 address 'abc'" brig jcreate jname=web1 ip4_addr=abc
    assert_rejected 2 "ip4_addr: bad IPv6 address 'fd00:::1'" brig jcreate jname=web1 ip4_addr=fd00:::1
    assert_rejected 2 "ip4_addr" brig jcreate jname=web1 ip4_addr=
}

@test "an address with a bad interface name is refused" {
    assert_rejected 2 "bad interface name 'e th0'" brig jcreate jname=web1 'ip4_addr=e th0|10.0.0.1'
}

@test "ip4_addr=REALDHCP without vnet is refused" {
    assert_rejected 2 "ip4_addr=REALDHCP needs vnet=1 (a DHCP client needs its own stack)" \
        brig jcreate jname=web1 ip4_addr=REALDHCP
}

@test "ci_gw4 on a jail without vnet is refused" {
    assert_rejected 2 "ci_gw4 applies only to vnet=1 jails" brig jcreate jname=web1 ci_gw4=10.0.0.1
}

@test "a bad ci_gw4 is refused" {
    assert_rejected 2 "ci_gw4: bad IPv4 address '10.0.0'" brig jcreate jname=v1 vnet=1 ci_gw4=10.0.0
}

@test "a multicast MAC is refused" {
    assert_rejected 2 "nic_hwaddr: MAC address '01:00:5e:00:00:01' is multicast" \
        brig jcreate jname=v1 vnet=1 nic_hwaddr=01:00:5e:00:00:01
}

@test "a short or malformed MAC is refused" {
    assert_rejected 2 "nic_hwaddr: bad MAC address '02:00:00:00:00'" \
        brig jcreate jname=v1 vnet=1 nic_hwaddr=02:00:00:00:00
    assert_rejected 2 "bad MAC address '02-00-00-00-00-01'" \
        brig jcreate jname=v1 vnet=1 nic_hwaddr=02-00-00-00-00-01
    assert_rejected 2 "bad MAC address '02:00:00:00:00:0g'" \
        brig jcreate jname=v1 vnet=1 nic_hwaddr=02:00:00:00:00:0g
}

@test "a MAC held by another jail is refused" {
    ok brig jcreate jname=v1 vnet=1 nic_hwaddr=02:aa:bb:cc:dd:ee
    assert_rejected 2 "is already used by jail v1" \
        brig jcreate jname=v2 vnet=1 nic_hwaddr=02:AA:BB:CC:DD:EE
}

@test "booleans accept only 0 and 1" {
    assert_rejected 2 "vnet: '2' is not 0 or 1" brig jcreate jname=web1 vnet=2
    assert_rejected 2 "persist: 'yes' is not 0 or 1" brig jcreate jname=web1 persist=yes
    assert_rejected 2 "baserw: 'true' is not 0 or 1" brig jcreate jname=web1 baserw=true
    assert_rejected 2 "astart: '' is not 0 or 1" brig jcreate jname=web1 astart=
}

@test "integers out of range are refused" {
    assert_rejected 2 "devfs_ruleset: 70000 is out of range 0..65535" \
        brig jcreate jname=web1 devfs_ruleset=70000
    assert_rejected 2 "pcpu: 101 is out of range 0..100" brig jcreate jname=web1 pcpu=101
    assert_rejected 2 "b_order: '-1' is not a number" brig jcreate jname=web1 b_order=-1
    assert_rejected 2 "stop_timeout: '1e3' is not a number" brig jcreate jname=web1 stop_timeout=1e3
    assert_rejected 2 "maxproc: '99999999999999999999' is not a number" \
        brig jcreate jname=web1 maxproc=99999999999999999999
}

@test "a size with an unknown unit is refused" {
    assert_rejected 2 "memoryuse: '12q' is not a size (e.g. 512m)" brig jcreate jname=web1 memoryuse=12q
    assert_rejected 2 "memoryuse: 'm' is not a size" brig jcreate jname=web1 memoryuse=m
}

@test "a backwards or bad cpuset is refused" {
    assert_rejected 2 "cpuset: bad CPU range '3-1'" brig jcreate jname=web1 cpuset=3-1
    assert_rejected 2 "cpuset: bad CPU 'x'" brig jcreate jname=web1 cpuset=0,x
}

@test "a bad host name is refused" {
    assert_rejected 2 "host_hostname: bad host name 'bad_host'" brig jcreate jname=web1 host_hostname=bad_host
    assert_rejected 2 "host_hostname: bad host name '-a.b'" brig jcreate jname=web1 host_hostname=-a.b
}

@test "a relative path or one with '..' is refused" {
    assert_rejected 2 "path: path 'rel' is not absolute" brig jcreate jname=web1 path=rel
    assert_rejected 2 "path '/tmp/../etc' holds '..'" brig jcreate jname=web1 path=/tmp/../etc
}

@test "a data directory that already exists is refused with exit 1" {
    mkdir -p "$BATS_TEST_TMPDIR/there"
    assert_rejected 1 "data directory $BATS_TEST_TMPDIR/there already exists" \
        brig jcreate jname=web1 data="$BATS_TEST_TMPDIR/there"
}

@test "a root path that is a non-empty directory is refused" {
    mkdir -p "$BATS_TEST_TMPDIR/full"
    : >"$BATS_TEST_TMPDIR/full/keep"
    assert_rejected 1 "$BATS_TEST_TMPDIR/full" brig jcreate jname=web1 path="$BATS_TEST_TMPDIR/full"
    [ -e "$BATS_TEST_TMPDIR/full/keep" ]
}

@test "an unknown emulator is refused" {
    assert_rejected 2 "emulator: 'bsd' is not one of the choices" brig jcreate jname=web1 emulator=bsd
}

@test "a bad name server list is refused" {
    assert_rejected 2 "jnameserver: bad IPv4 address 'abc'" brig jcreate jname=web1 jnameserver=8.8.8.8,abc
}

@test "a bad interface name is refused" {
    assert_rejected 2 "interface: bad interface name 'br 0'" brig jcreate jname=web1 'interface=br 0'
    assert_rejected 2 "interface name 'abcdefghijklmnop' must be 1 to 15 characters" \
        brig jcreate jname=web1 interface=abcdefghijklmnop
}

@test "a value longer than 4096 characters is refused" {
    assert_rejected 2 "exec_start: value longer than 4096 characters" \
        brig jcreate jname=web1 exec_start="$(head -c 5000 /dev/zero | tr '\0' x)"
}

@test "an unknown parameter gets a did-you-mean hint" {
    assert_rejected 2 "unknown parameter 'ip4_adr' (did you mean 'ip4_addr'?)" \
        brig jcreate jname=web1 ip4_adr=10.0.0.1
    assert_rejected 2 "unknown parameter 'devfs_rulset' (did you mean 'devfs_ruleset'?)" \
        brig jcreate jname=web1 devfs_rulset=5
}

@test "an unknown parameter far from any is refused" {
    assert_rejected 2 "unknown parameter 'frobnicate' (see brig jcreate --help)" \
        brig jcreate jname=web1 frobnicate=1
}

@test "jcreate vnet=1 is refused on a node whose kernel has no VIMAGE" {
    node_without_vimage
    assert_rejected 2 "vnet=1 needs a kernel with VIMAGE (network namespaces); this node's inventory has vimage_feature=0" \
        brig jcreate jname=v1 vnet=1
    [ ! -e "$W/jails/v1" ]
    ok brig jcreate jname=web1 vnet=0
}

@test "a jconf with an unterminated quote is refused, naming the line" {
    local f
    f=$(printf '# x\njname="web1\n' | jconf_file bad.jconf)
    assert_rejected 2 "jconf $f: line 2: unterminated '\"'" brig jcreate jconf="$f"
}

@test "a jconf line without '=' is refused, naming the line" {
    local f
    f=$(printf 'jname "web1"\n' | jconf_file bad.jconf)
    assert_rejected 2 "jconf $f: line 1: missing '=' after the key" brig jcreate jconf="$f"
}

@test "a jconf with a bad key is refused, naming the line" {
    local f
    f=$(printf 'jname="web1"\n\n9lives="1"\n' | jconf_file bad.jconf)
    assert_rejected 2 "jconf $f: line 3: bad key" brig jcreate jconf="$f"
}

@test "a jconf with an unknown escape is refused, naming the line" {
    local f
    f=$(printf 'jname="web1"\nexec_start="a\\q"\n' | jconf_file bad.jconf)
    assert_rejected 2 "jconf $f: line 2: unknown escape '\\q'" brig jcreate jconf="$f"
}

@test "a jconf with text after a value is refused, naming the line" {
    local f
    f=$(printf 'jname="web1" vnet="1"\n' | jconf_file bad.jconf)
    assert_rejected 2 "jconf $f: line 1: unexpected text after the value" brig jcreate jconf="$f"
}

@test "a jconf with an unquoted value holding a quote is refused, naming the line" {
    local f
    f=$(printf 'jname=web"1"\n' | jconf_file bad.jconf)
    assert_rejected 2 "line 1: quote the value" brig jcreate jconf="$f"
}

@test "a jconf with an unknown parameter is refused, naming the line and a hint" {
    local f
    f=$(printf 'jname="web1"\n# comment\n\nip4_adr="10.0.0.1"\n' | jconf_file bad.jconf)
    assert_rejected 2 "line 4: unknown parameter 'ip4_adr' (did you mean 'ip4_addr'?)" \
        brig jcreate jconf="$f"
}

@test "a jconf with a bad value is refused, naming the line" {
    local f
    f=$(printf 'jname="web1"\npcpu="500"\n' | jconf_file bad.jconf)
    assert_rejected 2 "line 2" brig jcreate jconf="$f"
    output_has "pcpu: 500 is out of range 0..100"
}

@test "a jconf without jname is refused" {
    local f
    f=$(printf 'vnet="1"\n' | jconf_file bad.jconf)
    assert_rejected 2 "jname= is required" brig jcreate jconf="$f"
}

@test "a jconf that does not exist is refused" {
    assert_rejected 2 "jconf: open $BATS_TEST_TMPDIR/none.jconf: No such file or directory" \
        brig jcreate jconf="$BATS_TEST_TMPDIR/none.jconf"
}

@test "a jconf that cannot be read is refused" {
    assert_rejected 2 "jconf: read $BATS_TEST_TMPDIR: Is a directory" brig jcreate jconf="$BATS_TEST_TMPDIR"
}

@test "a jconf holding a NUL byte is refused" {
    local f
    f=$(printf 'jname="web1"\n\0\n' | jconf_file bad.jconf)
    assert_rejected 2 "holds a NUL byte" brig jcreate jconf="$f"
}

@test "addresses no jail may have are refused: loopback, multicast, broadcast, network, unspecified" {
    local a
    for a in 'lo|127.0.0.1/8' 127.0.0.2 ::1 224.0.0.5 ff02::1 255.255.255.255 0.0.0.0 :: \
        10.1.2.255/24 10.1.2.0/24 10.1.0.0/16; do
        assert_rejected 2 "ip4_addr" brig jcreate jname=bad ip4_addr="$a"
    done
    assert_rejected 2 "127.0.0.1 is a loopback address" brig jcreate jname=bad ip4_addr='lo|127.0.0.1/8'
    assert_rejected 2 "10.1.2.255 is the broadcast address of /24" brig jcreate jname=bad \
        ip4_addr=10.1.2.255/24
    assert_rejected 2 "10.1.2.0 is the network address of /24" brig jcreate jname=bad \
        ip4_addr=10.1.2.0/24
    [ ! -e "$W/jails/bad" ]
}

@test "a link-local address is refused as a host alias, allowed inside a VNET jail" {
    assert_rejected 2 "169.254.1.1 is link-local" brig jcreate jname=bad ip4_addr=169.254.1.1/16
    assert_rejected 2 "fe80::1 is link-local" brig jcreate jname=bad ip4_addr=fe80::1/64
    ok brig jcreate jname=v vnet=1 ip4_addr=169.254.1.1/16
    ok brig jcreate jname=pt ip4_addr=10.1.2.1/31
}

@test "jconf= of a file not every user may read names the line, never its text" {
    local f
    assert_rejected 2 "jconf /etc/shadow: line 1: bad key" brig jcreate jconf=/etc/shadow
    output_lacks '$'
    f=$(printf 'root:$6$secrethash:19000:0:99999:7:::\n' | jconf_file shadow)
    chmod 0600 "$f"
    assert_rejected 2 "jconf $f: line 1: bad key" brig jcreate jconf="$f"
    output_lacks secrethash
    f=$(printf 'hunter2 is the password\n' | jconf_file pw)
    chmod 0600 "$f"
    assert_rejected 2 "line 1: missing '=' after the key" brig jcreate jconf="$f"
    output_lacks hunter2
    f=$(printf 'hunter2="x";\n' | jconf_file pw2)
    chmod 0600 "$f"
    assert_rejected 2 "line 1: unknown parameter" brig jcreate jconf="$f"
    output_lacks hunter2
    f=$(printf 'jname="web1";\nmaxproc="hunter2";\n' | jconf_file pw3)
    chmod 0600 "$f"
    assert_rejected 2 "line 2: maxproc: bad value" brig jcreate jconf="$f"
    output_lacks hunter2
}

@test "a zero MAC is refused" {
    assert_rejected 2 "nic_hwaddr: MAC address '00:00:00:00:00:00' is all zeros" \
        brig jcreate jname=v1 vnet=1 nic_hwaddr=00:00:00:00:00:00
    assert_rejected 2 "is multicast" brig jcreate jname=v1 vnet=1 nic_hwaddr=ff:ff:ff:ff:ff:ff
}

@test "path and data may not be host system directories, the workdir's own, or another jail's" {
    local p
    for p in / /etc /etc/brigx /usr /var "$W" "$W/var/db/x" "$W/etc/x" "$W/basejail/x" \
        "$W/jails" "$W/jails-system/x" "$(dirname "$W")"; do
        assert_rejected 2 "path $(cd / && realpath -m "$p")" brig jcreate jname=bad path="$p"
        assert_rejected 2 "data" brig jcreate jname=bad data="$p"
    done
    ok brig jcreate jname=web1
    assert_rejected 2 "overlaps jail web1's data" brig jcreate jname=bad \
        data="$W/jails-data/web1-data/upper"
    assert_rejected 2 "overlaps jail web1's path" brig jcreate jname=bad path="$W/jails/web1/x"
    assert_rejected 2 "overlaps jail web1's data" brig jcreate jname=bad path="$W/jails-data"/web1-data/upper/etc
    ln -s /etc "$BATS_TEST_TMPDIR/etclink"
    assert_rejected 2 "is in the host's /etc" brig jcreate jname=bad data="$BATS_TEST_TMPDIR/etclink/x"
    assert_rejected 2 "cannot be used" brig jcreate jname=bad data="/srv/a,upperdir=/etc"
    [ ! -e "$W/jails/bad" ] && [ ! -e "$W/jails-system/bad" ]
}

@test "another jail's path that is a symbolic link in jails/ is followed when checking for overlaps" {
    ok brig jcreate jname=web1
    mkdir -p "$BATS_TEST_TMPDIR/elsewhere" "$W/jails"
    rmdir "$W/jails/web1" 2>/dev/null || true
    ln -s "$BATS_TEST_TMPDIR/elsewhere" "$W/jails/web1"
    assert_rejected 2 "overlaps jail web1's path $(realpath "$BATS_TEST_TMPDIR/elsewhere")" \
        brig jcreate jname=bad path="$BATS_TEST_TMPDIR/elsewhere/sub"
    ok brig jcreate jname=web2
}
