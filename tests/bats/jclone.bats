#!/usr/bin/env bats
# brig jclone: a stopped jail copied to a new jail with an id range, MAC and
# DHCP address of its own; thin jails copy their own layer (the base stays
# shared), thick jails their whole tree.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# The first id of jail $1's range, as the store holds it.
idmap_of() {
    sqlite3 "$W/var/db/local.sqlite" "select idmap from jails where jname = '$1'"
}

# What the jail's root sees of the files fill_jail made: owners, modes, link
# counts, types, link targets, contents, and what its layer hides of the base.
VIEW='for p in / /root /root/f /root/h /root/s /d /d/g /dev/null /usr/share /usr/share/n; do
        stat -c "%n %u:%g %a %h %F" $p; done
      readlink /root/s; cat /root/f /d/g /usr/share/n; ls /bin/ls 2>&1; ls -a /usr/share'

# Give jail $1 (running) files of every kind, with owners of its own.
fill_jail() {
    ok brig jexec jname="$1" -- sh -c '
        echo hi >/root/f && ln /root/f /root/h && ln -s ../etc/passwd /root/s &&
        mkdir /d && echo g >/d/g && chown 5:6 /d && chown 7:8 /d/g && chmod 2750 /d &&
        chmod 4711 /root/f && rm /bin/ls &&
        rm -rf /usr/share && mkdir /usr/share && echo n >/usr/share/n'
}

@test "a thin jail's clone holds the same files, owners, modes, hard links, symlinks and whiteouts as the jail sees them" {
    jail_up jname=${P}a vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    fill_jail ${P}a
    ok brig jexec jname=${P}a -- sh -c "$VIEW"
    local want=$output
    ok brig jstop jname=${P}a
    setfattr -n user.brig_test -v kept "$W/jails-data/${P}a-data/upper/root/f"
    ok brig jclone old=${P}a new=${P}b
    output_has "${P}a: cloned to ${P}b"
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- sh -c "$VIEW"
    same "$output" "$want" "the clone's view"
    output_has "/d 5:6 2750 2 directory"
    output_has "/root/f 0:0 4711 2 regular file"
    # the base is shared, not copied: the clone's layer holds only the jail's own files
    [ ! -e "$W/jails-data/${P}b-data/upper/bin/busybox" ]
    same "$(getfattr --only-values -n user.brig_test "$W/jails-data/${P}b-data/upper/root/f")" kept "user xattr"
    same "$(getfattr --only-values -n trusted.overlay.opaque "$W/jails-data/${P}b-data/upper/usr/share")" y \
        "the opaque directory"
}

@test "the clone's files belong to its own id range, not the original's" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    fill_jail ${P}a
    ok brig jstop jname=${P}a
    ok brig jclone old=${P}a new=${P}b
    local a b
    a=$(idmap_of ${P}a)
    b=$(idmap_of ${P}b)
    [ -n "$b" ] && [ "$a" != "$b" ]
    same "$(stat -c %u:%g "$W/jails-data/${P}b-data/upper/d/g")" "$((b + 7)):$((b + 8))" "host owner of d/g"
    same "$(stat -c %u:%g "$W/jails-data/${P}a-data/upper/d/g")" "$((a + 7)):$((a + 8))" "the original's"
    grep -qx "brig:$b:65536" /etc/subuid
    grep -qx "brig:$b:65536" /etc/subgid
}

@test "the clone starts beside the original with its own address and MAC, and they reach each other" {
    jail_up jname=${P}a vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    ok brig jstop jname=${P}a
    ok brig jclone old=${P}a new=${P}b
    ok brig jstart jname=${P}a
    ok brig jstart jname=${P}b
    local ipa ipb maca macb
    ipa=$(brig jget jname=${P}a ip4_addr | awk '{ print $NF }')
    ipb=$(brig jget jname=${P}b ip4_addr | awk '{ print $NF }')
    [ -n "$ipb" ] && [ "$ipa" != "$ipb" ]
    maca=$(brig jexec jname=${P}a -- ip link show eth0 | awk '/link\/ether/ { print $2 }')
    macb=$(brig jexec jname=${P}b -- ip link show eth0 | awk '/link\/ether/ { print $2 }')
    [ -n "$macb" ] && [ "$maca" != "$macb" ]
    ok brig jexec jname=${P}b -- ip -o addr show eth0
    output_has "${ipb%/*}/"
    jail_pings ${P}b "${ipa%/*}"
    same "$status" 0 "ping: $output"
}

@test "a thick jail's clone copies its whole tree" {
    ok brig jcreate jname=${P}t baserw=1 exec_start=true exec_stop=true
    ok brig jstart jname=${P}t
    fill_jail ${P}t
    ok brig jexec jname=${P}t -- sh -c "$VIEW"
    local want=$output
    ok brig jstop jname=${P}t
    ok brig jclone old=${P}t new=${P}u
    [ -x "$W/jails-data/${P}u-data/bin/busybox" ]
    ok brig jstart jname=${P}u
    ok brig jexec jname=${P}u -- sh -c "$VIEW"
    same "$output" "$want" "the thick clone's view"
}

@test "a static address must be given anew: the old one is refused as in use, a new one is taken" {
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=10.199.5.5/16 exec_start=true exec_stop=true
    assert_rejected 2 "10.199.5.5 is already used by jail ${P}a" brig jclone old=${P}a new=${P}b
    [ ! -e "$W/jails-data/${P}b-data" ] && [ ! -e "$W/jails/${P}b" ] && [ ! -e "$W/jails-system/${P}b" ]
    ok brig jclone old=${P}a new=${P}b ip4_addr=10.199.5.6/16
    output_has "ip4_addr=10.199.5.6/16"
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- ip -o addr show eth0
    output_has "10.199.5.6/16"
}

@test "jclone refuses a name in use, a running jail, bad names and unknown parameters, changing nothing" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    ok brig jcreate jname=${P}c exec_start=true exec_stop=true
    assert_rejected 2 "already" brig jclone old=${P}a new=${P}c
    assert_rejected 2 "new= is required" brig jclone old=${P}a
    assert_rejected 2 "may hold only" brig jclone old=${P}a new=${P}/x
    assert_rejected 2 "unknown parameter" brig jclone old=${P}a new=${P}b no_such=1
    assert_rejected 2 "no such jail" brig jclone old=${P}none new=${P}b
    ok brig jstart jname=${P}a
    assert_rejected 2 "is running" brig jclone old=${P}a new=${P}b
    [ ! -e "$W/jails-data/${P}b-data" ] && [ ! -e "$W/jails-system/${P}b" ]
    ! grep -q "${P}b" /etc/subuid
}

@test "a symlink in the jail's layer that points outside is copied as a link, never followed" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    ok brig jstart jname=${P}a
    ok brig jstop jname=${P}a
    mkdir -p "$BATS_TEST_TMPDIR/host/secret"
    echo secret >"$BATS_TEST_TMPDIR/host/secret/file"
    local up="$W/jails-data/${P}a-data/upper" a
    a=$(idmap_of ${P}a)
    ln -s "$BATS_TEST_TMPDIR/host/secret" "$up/escape"
    ln -s "$BATS_TEST_TMPDIR/host/secret/file" "$up/escape_file"
    chown -h "$a:$a" "$up/escape" "$up/escape_file"
    ok brig jclone old=${P}a new=${P}b
    local upb="$W/jails-data/${P}b-data/upper"
    [ -L "$upb/escape" ] && [ -L "$upb/escape_file" ]
    same "$(readlink "$upb/escape")" "$BATS_TEST_TMPDIR/host/secret" "the link's target"
    same "$(stat -c %u:%g "$BATS_TEST_TMPDIR/host/secret/file")" "0:0" "the host file's owner"
    same "$(stat -c %u:%g "$BATS_TEST_TMPDIR/host/secret")" "0:0" "the host dir's owner"
}

@test "the clone's extra NICs get their own MACs and DHCP addresses; a static one must be changed first" {
    ok brig jcreate jname=${P}a vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    ok brig jnic jname=${P}a action=add ip4_addr=DHCP hwaddr=02:00:00:aa:bb:cc
    ok brig jclone old=${P}a new=${P}b
    ok brig jnic jname=${P}b action=list
    output_lacks "02:00:00:aa:bb:cc"
    local a1 b1
    a1=$(brig jnic jname=${P}a action=list --json | jq -r '.[] | select(.idx == 1) | .ip4_addr')
    b1=$(brig jnic jname=${P}b action=list --json | jq -r '.[] | select(.idx == 1) | .ip4_addr')
    [ -n "$b1" ] && [ "$b1" != null ] && [ "$a1" != "$b1" ]
    ok brig jstart jname=${P}a
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- ip -o addr show eth1
    output_has "${b1%/*}/"
    jail_pings ${P}a "${b1%/*}"
    same "$status" 0 "ping: $output"
    ok brig jstop jname=${P}a
    ok brig jnic jname=${P}a action=add ip4_addr=10.199.7.7/16
    assert_rejected 2 "nic=2 (change or remove it on ${P}a first)" brig jclone old=${P}a new=${P}c
    [ ! -e "$W/jails-data/${P}c-data" ]
}

@test "a sparse file in the jail's layer stays sparse in the clone" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c 'echo head >/root/sparse && dd if=/dev/zero of=/root/sparse bs=1 count=1 seek=1073741824 conv=notrunc 2>/dev/null'
    ok brig jstop jname=${P}a
    ok brig jclone old=${P}a new=${P}b
    local f="$W/jails-data/${P}b-data/upper/root/sparse"
    same "$(stat -c %s "$f")" 1073741825 "the clone's size"
    [ "$(stat -c %b "$f")" -lt 1024 ] || { echo "the clone allocated $(stat -c %b "$f") blocks" >&2; return 1; }
    same "$(head -c 4 "$f")" head "its data"
}

@test "the clone mounts the same host directories (jfstab) as the original" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    mkdir -p "$BATS_TEST_TMPDIR/share"
    echo shared >"$BATS_TEST_TMPDIR/share/file"
    ok brig jfstab jname=${P}a action=add src="$BATS_TEST_TMPDIR/share" dst=/srv/share ro=1
    ok brig jclone old=${P}a new=${P}b
    ok brig jfstab jname=${P}b
    output_has /srv/share
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- cat /srv/share/file
    same "$output" shared "the host file seen in the clone"
}
