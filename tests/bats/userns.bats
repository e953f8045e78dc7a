#!/usr/bin/env bats
# Unprivileged jails (userns=1, the default): jail root is a host user of the
# jail's own id range, its network stack belongs to it alone, one base serves
# every thin jail through an idmapped mount, and nothing the jail writes is of
# use to a host user.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# Build the netnsid probe (a static program) into jail $1's root.
probe_into() {
    gcc -static -O2 -o "$BATS_TEST_TMPDIR/netnsid_probe" "$BATS_TEST_DIRNAME/helpers/netnsid_probe.c"
    cp "$BATS_TEST_TMPDIR/netnsid_probe" "$W/jails/$1/netnsid_probe"
}

# The host uid of a running jail's init (its real uid as the host sees it).
init_uid() {
    awk '/^Uid:/ { print $2 }' "/proc/$(jpid "$1")/status"
}

# The first id of jail $1's range, as the store holds it.
idmap_of() {
    sqlite3 "$W/var/db/local.sqlite" "select idmap from jails where jname = '$1'"
}

@test "a VNET jail's root cannot list, delete, create or move the host's links through netnsids" {
    jail_up jname=${P}n1 vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    jail_up jname=${P}n2 vnet=1 ip4_addr=DHCP allow_raw_sockets=1 exec_start=true exec_stop=true
    probe_into ${P}n1
    local before
    before=$(ip -o link show | awk -F': ' '{ print $2 }' | sort)
    ok brig jexec jname=${P}n1 -- /netnsid_probe brig0
    has_line "refused"
    output_lacks "REACHED"
    same "$(ip -o link show | awk -F': ' '{ print $2 }' | sort)" "$before" "the host's links"
    jail_pings ${P}n2 10.199.0.1
    same "$status" 0 "ping: $output"
}

@test "with userns=0 the same probe reaches the host: the probe can tell" {
    jail_up jname=${P}p1 vnet=1 ip4_addr=DHCP userns=0 exec_start=true exec_stop=true
    probe_into ${P}p1
    run brig jexec jname=${P}p1 -- /netnsid_probe brig0 list
    [ "$status" -eq 1 ]
    output_has "REACHED"
}

@test "a VNET jail's root keeps full control of its own stack: addresses, routes, firewall" {
    jail_up jname=${P}s1 vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    ok brig jexec jname=${P}s1 -- sh -c \
        'ip addr add 192.0.2.9/32 dev eth0 && ip route add 198.51.100.0/24 dev eth0 &&
         ip link add dummy9 type dummy 2>/dev/null; ip -o addr show dev eth0; ip route'
    output_has "192.0.2.9/32"
    output_has "198.51.100.0/24"
    local host_fwd
    host_fwd=$(cat /proc/sys/net/ipv4/conf/all/accept_local)
    ok brig jexec jname=${P}s1 -- sh -c 'echo $((1 - '"$host_fwd"')) >/proc/sys/net/ipv4/conf/all/accept_local && cat /proc/sys/net/ipv4/conf/all/accept_local'
    same "$output" $((1 - host_fwd)) "the jail's own accept_local"
    same "$(cat /proc/sys/net/ipv4/conf/all/accept_local)" "$host_fwd" "the host's accept_local"
}

@test "jail root is an unprivileged host user of the jail's own range; ranges never overlap" {
    jail_up jname=${P}u1 exec_start=true exec_stop=true ip4_addr=0
    jail_up jname=${P}u2 exec_start=true exec_stop=true ip4_addr=0
    local a b
    a=$(idmap_of ${P}u1)
    b=$(idmap_of ${P}u2)
    [ "$a" -ge 16777216 ] && [ "$b" -ge 16777216 ]
    [ $((a - b)) -ge 65536 ] || [ $((b - a)) -ge 65536 ]
    same "$(init_uid ${P}u1)" "$a" "host uid of jail 1's root"
    same "$(init_uid ${P}u2)" "$b" "host uid of jail 2's root"
    grep -qx "brig:$a:65536" /etc/subuid
    grep -qx "brig:$b:65536" /etc/subgid
    ok brig jexec jname=${P}u1 -- cat /proc/self/uid_map
    output_has "$a"
}

@test "a range is registered in /etc/subuid and /etc/subgid until jremove; another tool's range is skipped" {
    echo "someone:16777216:131072" >>/etc/subuid
    ok brig jcreate jname=${P}r1 ip4_addr=0
    local a
    a=$(idmap_of ${P}r1)
    [ "$a" -ge $((16777216 + 131072)) ]
    grep -qx "brig:$a:65536" /etc/subuid
    grep -qx "brig:$a:65536" /etc/subgid
    ok brig jremove jname=${P}r1
    run grep -x "brig:$a:65536" /etc/subuid /etc/subgid
    [ "$status" -ne 0 ]
    grep -qx "someone:16777216:131072" /etc/subuid
}

@test "what jail root writes belongs to its range on the host; the shared base stays the host's" {
    jail_up jname=${P}w1 exec_start=true exec_stop=true ip4_addr=0
    local a
    a=$(idmap_of ${P}w1)
    ok brig jexec jname=${P}w1 -- sh -c 'echo x >/etc/by-root; echo y >>/etc/passwd; ls -ln /etc/by-root'
    output_has " 0 "
    same "$(stat -c %u:%g "$W/jails-data/${P}w1-data/upper/etc/by-root")" "$a:$a" "owner on the host"
    same "$(stat -c %u:%g "$W/jails-data/${P}w1-data/upper/etc/passwd")" "$a:$a" "owner of a copied-up file"
    same "$(stat -c %u "$W/basejail/busybox/etc/passwd")" 0 "the base's owner"
    run grep -c . "$W/basejail/busybox/etc/passwd"
    ok brig jexec jname=${P}w1 -- ls -ln /bin/busybox
    output_has " 0 "
}

@test "a setuid-root file planted by jail root gives a host user nothing" {
    jail_up jname=${P}x1 exec_start=true exec_stop=true ip4_addr=0
    gcc -static -O2 -o "$W/jails/${P}x1/euid" "$BATS_TEST_DIRNAME/helpers/euid.c"
    ok brig jexec jname=${P}x1 -- sh -c 'cp /euid /bin/rootsh && chmod 4755 /bin/rootsh && ls -ln /bin/rootsh'
    output_has "-rwsr-xr-x"
    output_has " 0 "
    local f="$W/jails-data/${P}x1-data/upper/bin/rootsh"
    [ "$(stat -c %u "$f")" != 0 ]
    # the workdir keeps host users out; given a way in, they run it as the jail's id, never as root
    # (setpriv holds its capabilities up to its exec: a shell of the user's does the exec)
    run setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "$f"
    [ "$status" -ne 0 ]
    output_has "Permission denied"
    local open
    open=$(mktemp -d /tmp/brig-suid.XXXXXX)
    chmod 755 "$open"
    cp -a "$f" "$open/rootsh"
    run setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "$open/rootsh"
    rm -rf "$open"
    same "$output" "$(idmap_of ${P}x1)" "euid of the planted file"
}

@test "a thick jail's copy of the base is owned by its range" {
    ok brig jcreate jname=${P}t1 baserw=1 ip4_addr=0 exec_start=true exec_stop=true
    local a
    a=$(idmap_of ${P}t1)
    same "$(stat -c %u:%g "$W/jails-data/${P}t1-data/bin/busybox")" "$a:$a" "owner of the copy"
    ok brig jstart jname=${P}t1
    ok brig jexec jname=${P}t1 -- sh -c 'ls -ln /bin/busybox; echo x >/etc/t; ls -ln /etc/t'
    output_lacks "65534"
    same "$(stat -c %u "$W/jails-data/${P}t1-data/etc/t")" "$a" "owner of a new file"
}

@test "userns=0 keeps a privileged jail, and userns cannot change after jcreate" {
    jail_up jname=${P}z1 userns=0 exec_start=true exec_stop=true ip4_addr=0
    same "$(init_uid ${P}z1)" 0 "host uid of a privileged jail's root"
    same "$(idmap_of ${P}z1)" "" "range of a privileged jail"
    ok brig jstop jname=${P}z1
    assert_rejected 2 "userns" brig jset jname=${P}z1 userns=1
}

@test "an unprivileged jail starts and stops cleanly many times without leaks" {
    ok brig jcreate jname=${P}l1 vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    local before after i
    before=$(life_snapshot)
    for i in 1 2 3 4 5; do
        ok brig jstart jname=${P}l1
        ok brig jstop jname=${P}l1
    done
    after=$(life_snapshot)
    same "$after" "$before" "resources after 5 cycles"
}

@test "a FIFO or a link jail root leaves at /etc/hosts and /etc/resolv.conf does not hang its next start" {
    jail_up jname=${P}f1 vnet=1 ip4_addr=DHCP jnameserver=192.0.2.53 exec_start=true exec_stop=true
    ok brig jexec jname=${P}f1 -- sh -c 'rm -f /etc/hosts /etc/resolv.conf &&
        mkfifo /etc/hosts && ln -s /proc/1/root/etc/shadow /etc/resolv.conf'
    ok brig jstop jname=${P}f1
    ok timeout 20 "$BRIG_BIN" jstart jname=${P}f1
    ok brig jexec jname=${P}f1 -- sh -c 'test -f /etc/hosts && test ! -L /etc/resolv.conf && cat /etc/resolv.conf'
    has_line "nameserver 192.0.2.53"
}
