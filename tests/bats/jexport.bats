#!/usr/bin/env bats
# jexport and jimport: a jail written to one archive (a manifest, its own files
# with owners relative to the jail, a content digest) and made again from it in
# another workdir with another id range; hostile archives refused with exit 2
# and nothing created.

load lifecycle_helper

setup() {
    life_setup
    W1=$W
    W2=$BATS_TEST_TMPDIR/w2
    BRIG_WORKDIR=$W2 "$BRIG_BIN" initenv nodename=node2.test >/dev/null
    mkdir -p "$W2/basejail"
    cp -a "$W1/basejail/busybox" "$W1/basejail/busybox.meta" "$W2/basejail/"
    # another id range: a jail of the second workdir takes the range after the first's
    BRIG_WORKDIR=$W2 "$BRIG_BIN" jcreate jname=${P}pad >/dev/null
}

teardown() {
    W=$W2 BRIG_WORKDIR=$W2 life_teardown
    W=$W1 BRIG_WORKDIR=$W1 life_teardown
}

# brig on the second workdir.
brig2() {
    BRIG_WORKDIR=$W2 "$BRIG_BIN" "$@"
}

# What jail $1 shows of /srv and /etc from inside: names, owners, modes, links.
inside_view() {
    "$BRIG_BIN" jexec jname="$1" -- sh -c \
        'cd / && find srv etc | sort | while read -r f; do
             stat -c "%n %u:%g %a %h %F" "$f"; [ -L "$f" ] && readlink "$f"; done; cat srv/f' |
        grep -v '^etc/resolv.conf\|^etc/hosts'
}

# A jail with files of several owners, a hard link, symlinks, a whiteout and an xattr.
make_source() {
    jail_up jname=$1 "${@:2}" exec_start=true exec_stop=true
    ok brig jexec jname=$1 -- sh -c \
        'mkdir -p /srv/d && echo hello >/srv/f && chown 7:8 /srv/f && chmod 640 /srv/f &&
         ln /srv/f /srv/h && ln -s ../srv/f /srv/rel && ln -s /srv/f /srv/abs &&
         chown 1000:1000 /srv/d && chmod 1777 /srv/d && mkfifo /srv/p && rm /bin/ls'
    ok brig jstop jname=$1
}

# The data dir of jail $1 in workdir $2 that holds its own files.
layer_of() {
    if [ -d "$2/jails-data/$1-data/upper" ]; then echo "$2/jails-data/$1-data/upper"; else echo "$2/jails-data/$1-data"; fi
}

# The first id of jail $1's range in workdir $2.
idmap_in() {
    sqlite3 "$2/var/db/local.sqlite" "select idmap from jails where jname = '$1'"
}

# Everything an import could leave behind in workdir $1.
leftovers() {
    sqlite3 "$1/var/db/local.sqlite" .dump
    ls -a "$1/jails" "$1/jails-data" "$1/jails-system" "$1/basejail" 2>/dev/null
    cat /etc/subuid /etc/subgid
}

# Assert that importing archive $2 into the second workdir fails with exit 2, one
# line holding $1, and leaves nothing. Extra arguments go to jimport.
import_refused() {
    local want=$1 archive=$2 before after
    shift 2
    before=$(leftovers "$W2")
    run brig2 jimport in="$archive" "$@"
    after=$(leftovers "$W2")
    [ "$status" -eq 2 ] || { echo "exit $status: $output" >&2; return 1; }
    [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output" >&2; return 1; }
    output_has "$want"
    same "$after" "$before" "what the workdir holds"
}

@test "an exported thin jail imported into another workdir has the same files, owners as the jail sees them, modes, hard links and symlinks, and starts" {
    make_source ${P}a
    python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.note", b"kept")' \
        "$(layer_of ${P}a "$W1")/srv/f"
    ok brig jstart jname=${P}a
    local want
    want=$(inside_view ${P}a)
    ok brig jstop jname=${P}a
    ok brig jexport jname=${P}a
    [ -f "$W1/export/${P}a.tar.zst" ]
    ok brig2 jimport in="$W1/export/${P}a.tar.zst"
    output_has "${P}a: imported"
    [ "$(idmap_in ${P}a "$W2")" != "$(idmap_in ${P}a "$W1")" ]
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jstart jname=${P}a
    same "$(BRIG_WORKDIR=$W2 inside_view ${P}a)" "$want" "the jail's view"
    # the whiteout came along: the removed file stays removed
    BRIG_WORKDIR=$W2 run "$BRIG_BIN" jexec jname=${P}a -- test -e /bin/ls
    [ "$status" -eq 1 ]
    same "$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.note").decode())' \
        "$(layer_of ${P}a "$W2")/srv/f")" kept "the xattr"
    # on the host, the files belong to the new range
    same "$(stat -c %u "$(layer_of ${P}a "$W2")/srv/f")" "$(($(idmap_in ${P}a "$W2") + 7))" "host owner"
}

@test "a thick jail's whole root travels, shifted to the new range" {
    make_source ${P}t baserw=1
    ok brig jstart jname=${P}t
    local want
    want=$(inside_view ${P}t)
    ok brig jstop jname=${P}t
    ok brig jexport jname=${P}t compress=xz out="$BATS_TEST_TMPDIR/t.tar.xz"
    xz -t "$BATS_TEST_TMPDIR/t.tar.xz"
    ok brig2 jimport in="$BATS_TEST_TMPDIR/t.tar.xz"
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jstart jname=${P}t
    same "$(BRIG_WORKDIR=$W2 inside_view ${P}t)" "$want" "the jail's view"
    same "$(stat -c %u "$W2/jails-data/${P}t-data/bin/busybox")" "$(idmap_in ${P}t "$W2")" "base file owner"
}

@test "jexport out=- and jimport in=- stream, compressed or not, and jname= names the copy" {
    make_source ${P}s
    brig jexport jname=${P}s out=- compress=none | brig2 jimport in=- jname=${P}c >"$BATS_TEST_TMPDIR/out"
    grep -q "${P}c: imported" "$BATS_TEST_TMPDIR/out"
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jstart jname=${P}c
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jexec jname=${P}c -- cat /srv/h
    output_has hello
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jexec jname=${P}c -- hostname
    output_has "${P}c"
    # a compressed stream is the compressor's alone, with nothing after it
    brig jexport jname=${P}s out=- | brig2 jimport in=- jname=${P}z >"$BATS_TEST_TMPDIR/out"
    grep -q "${P}z: imported" "$BATS_TEST_TMPDIR/out"
    brig jexport jname=${P}s out=- compress=xz | xz -t
}

@test "a full=1 archive brings the thin jail's base: a workdir without it gets the base and the jail starts" {
    make_source ${P}f
    ok brig jexport jname=${P}f full=1 out="$BATS_TEST_TMPDIR/f.tar.zst"
    rm -rf "$W2/basejail/busybox" "$W2/basejail/busybox.meta"
    ok brig2 jimport in="$BATS_TEST_TMPDIR/f.tar.zst"
    same "$(sed -n 's/^checksum=//p' "$W2/basejail/busybox.meta")" \
        "$(sed -n 's/^checksum=//p' "$W1/basejail/busybox.meta")" "the base's checksum"
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jstart jname=${P}f
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" jexec jname=${P}f -- cat /srv/f
    output_has hello
    # a workdir that has the base reads the archive's copy and keeps its own
    ok brig jimport in="$BATS_TEST_TMPDIR/f.tar.zst" jname=${P}g
}

@test "a full=1 archive whose base was altered is refused, and no base is left" {
    make_source ${P}x
    ok brig jexport jname=${P}x full=1 compress=none out="$BATS_TEST_TMPDIR/x.tar"
    rm -rf "$W2/basejail/busybox" "$W2/basejail/busybox.meta"
    local off
    off=$(grep -abo 'ELF' "$BATS_TEST_TMPDIR/x.tar" | head -1 | cut -d: -f1)
    printf 'X' | dd of="$BATS_TEST_TMPDIR/x.tar" bs=1 seek="$((off + 40))" conv=notrunc 2>/dev/null
    import_refused "does not match its checksum" "$BATS_TEST_TMPDIR/x.tar"
    [ ! -e "$W2/basejail/busybox" ]
}

@test "jexport refuses a running jail, an unknown compression and an existing out file" {
    make_source ${P}r
    ok brig jstart jname=${P}r
    run brig jexport jname=${P}r
    [ "$status" -eq 1 ]
    output_has "is running"
    [ ! -e "$W1/export/${P}r.tar.zst" ]
    ok brig jstop jname=${P}r
    run brig jexport jname=${P}r compress=lz4
    [ "$status" -eq 2 ]
    output_has "is not zstd, xz or none"
    touch "$BATS_TEST_TMPDIR/there"
    run brig jexport jname=${P}r out="$BATS_TEST_TMPDIR/there"
    [ "$status" -eq 2 ]
    output_has "exists"
    [ ! -s "$BATS_TEST_TMPDIR/there" ]
}

@test "jimport refuses a name in use, takes a new one, and picks a fresh DHCP address" {
    jail_up jname=${P}n vnet=1 ip4_addr=DHCP exec_start=true exec_stop=true
    ok brig jstop jname=${P}n
    ok brig jexport jname=${P}n out="$BATS_TEST_TMPDIR/n.tar.zst"
    local before
    before=$(leftovers "$W1")
    run brig jimport in="$BATS_TEST_TMPDIR/n.tar.zst"
    [ "$status" -eq 2 ]
    same "$(leftovers "$W1")" "$before" "the workdir"
    ok brig jimport in="$BATS_TEST_TMPDIR/n.tar.zst" jname=${P}m
    [ "$(jparam ${P}m ip4_addr)" != "$(jparam ${P}n ip4_addr)" ]
    [ "$(sqlite3 "$W/var/db/local.sqlite" "select idmap from jails where jname = '${P}m'")" != \
      "$(sqlite3 "$W/var/db/local.sqlite" "select idmap from jails where jname = '${P}n'")" ]
}

@test "jimport refuses an address in use unless ip4_addr= gives another" {
    jail_up jname=${P}i ip4_addr=10.199.9.9 exec_start=true exec_stop=true
    ok brig jstop jname=${P}i
    ok brig jexport jname=${P}i out="$BATS_TEST_TMPDIR/i.tar.zst"
    local before
    before=$(leftovers "$W1")
    run brig jimport in="$BATS_TEST_TMPDIR/i.tar.zst" jname=${P}j
    [ "$status" -eq 2 ]
    output_has "10.199.9.9"
    same "$(leftovers "$W1")" "$before" "the workdir"
    ok brig jimport in="$BATS_TEST_TMPDIR/i.tar.zst" jname=${P}j ip4_addr=10.199.9.10
    output_has "${P}j: imported"
}

@test "jimport of a thin jail whose base is missing is refused with the repo command to get it" {
    make_source ${P}b
    ok brig jexport jname=${P}b out="$BATS_TEST_TMPDIR/b.tar.zst"
    rm -rf "$W2/basejail/busybox" "$W2/basejail/busybox.meta"
    import_refused "brig repo action=get base=busybox" "$BATS_TEST_TMPDIR/b.tar.zst"
}

@test "jimport refuses a base that differs from the exporter's" {
    make_source ${P}e
    ok brig jexport jname=${P}e out="$BATS_TEST_TMPDIR/e.tar.zst"
    sed -i 's/^checksum=.*/checksum="sha256:0000000000000000000000000000000000000000000000000000000000000000"/' \
        "$W2/basejail/busybox.meta"
    import_refused "differs from the one the jail was made on" "$BATS_TEST_TMPDIR/e.tar.zst"
}

@test "jimport refuses a damaged archive (a changed byte) and a truncated stream" {
    make_source ${P}d
    ok brig jexport jname=${P}d compress=none out="$BATS_TEST_TMPDIR/d.tar"
    cp "$BATS_TEST_TMPDIR/d.tar" "$BATS_TEST_TMPDIR/bad.tar"
    # the content of /srv/f: hello -> jello
    local off
    off=$(grep -abo 'hello' "$BATS_TEST_TMPDIR/bad.tar" | head -1 | cut -d: -f1)
    printf 'j' | dd of="$BATS_TEST_TMPDIR/bad.tar" bs=1 seek="$off" conv=notrunc 2>/dev/null
    import_refused "content checksum mismatch" "$BATS_TEST_TMPDIR/bad.tar"
    head -c $(($(stat -c %s "$BATS_TEST_TMPDIR/d.tar") / 2)) "$BATS_TEST_TMPDIR/d.tar" >"$BATS_TEST_TMPDIR/half.tar"
    import_refused "truncated" "$BATS_TEST_TMPDIR/half.tar"
    head -c 3000 "$BATS_TEST_TMPDIR/d.tar" >"$BATS_TEST_TMPDIR/short.tar"
    import_refused "truncated" "$BATS_TEST_TMPDIR/short.tar"
    echo "not an archive" >"$BATS_TEST_TMPDIR/junk"
    import_refused "not a brig jail archive" "$BATS_TEST_TMPDIR/junk"
}

# Build a crafted archive $1 from the manifest of jail $2's export and the
# entries described by the python statements that follow (t is the tarfile).
craft() {
    local out=$1 jail=$2 body=$3
    [ -e "$BATS_TEST_TMPDIR/src.tar" ] || ok brig jexport jname=$jail compress=none out="$BATS_TEST_TMPDIR/src.tar"
    python3 - "$BATS_TEST_TMPDIR/src.tar" "$out" "$BATS_TEST_TMPDIR" <<EOF
import io, sys, tarfile
src, out, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
man = tarfile.open(src).extractfile("brig-manifest").read()
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def add(name, data=b"", **kw):
    i = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(i, k, v)
    if i.type == tarfile.REGTYPE:
        i.size = len(data)
    t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
add("brig-manifest", man)
add("root", type=tarfile.DIRTYPE, mode=0o755)
$body
add("brig-digest", b"sha256:" + b"0" * 64 + b"\n")
t.close()
EOF
}

@test "jimport refuses entries that escape the jail's root: '..', absolute paths, symlinks and hard links pointing out" {
    make_source ${P}h
    craft "$BATS_TEST_TMPDIR/dotdot.tar" ${P}h 'add("root/../../../../escaped", b"x")'
    import_refused "'..'" "$BATS_TEST_TMPDIR/dotdot.tar"
    craft "$BATS_TEST_TMPDIR/abs.tar" ${P}h "add('$BATS_TEST_TMPDIR/escaped', b'x')"
    import_refused "absolute" "$BATS_TEST_TMPDIR/abs.tar"
    craft "$BATS_TEST_TMPDIR/sym.tar" ${P}h \
        'add("root/up", type=tarfile.SYMTYPE, linkname="../../../../../..")
add("root/up/escaped", b"x")'
    import_refused "points out of the jail's root" "$BATS_TEST_TMPDIR/sym.tar"
    craft "$BATS_TEST_TMPDIR/hard.tar" ${P}h 'add("root/pw", type=tarfile.LNKTYPE, linkname="/etc/passwd")'
    import_refused "absolute" "$BATS_TEST_TMPDIR/hard.tar"
    craft "$BATS_TEST_TMPDIR/hard2.tar" ${P}h 'add("root/pw", type=tarfile.LNKTYPE, linkname="brig-manifest")'
    import_refused "unexpected entry" "$BATS_TEST_TMPDIR/hard2.tar"
    craft "$BATS_TEST_TMPDIR/other.tar" ${P}h 'add("elsewhere/x", b"x")'
    import_refused "unexpected entry" "$BATS_TEST_TMPDIR/other.tar"
    [ ! -e "$BATS_TEST_TMPDIR/escaped" ]
    ! find / -xdev -name escaped 2>/dev/null | grep -q .
}

@test "jimport refuses device nodes but overlay whiteouts, and owners outside the jail's ids" {
    make_source ${P}v
    craft "$BATS_TEST_TMPDIR/blk.tar" ${P}v 'add("root/sda", type=tarfile.BLKTYPE, devmajor=8, devminor=0)'
    import_refused "device node" "$BATS_TEST_TMPDIR/blk.tar"
    craft "$BATS_TEST_TMPDIR/chr.tar" ${P}v 'add("root/mem", type=tarfile.CHRTYPE, devmajor=1, devminor=1)'
    import_refused "device node" "$BATS_TEST_TMPDIR/chr.tar"
    craft "$BATS_TEST_TMPDIR/uid.tar" ${P}v 'add("root/f", b"x", uid=70000)'
    import_refused "owner outside the jail's ids" "$BATS_TEST_TMPDIR/uid.tar"
    # a whiteout passes the entry checks: this one fails only at the digest
    craft "$BATS_TEST_TMPDIR/wo.tar" ${P}v 'add("root/gone", type=tarfile.CHRTYPE, devmajor=0, devminor=0)'
    import_refused "content checksum mismatch" "$BATS_TEST_TMPDIR/wo.tar"
}

@test "jimport refuses an oversized manifest, a manifest of unknown keys and one of a newer format" {
    make_source ${P}o
    python3 - "$BATS_TEST_TMPDIR/big.tar" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT)
data = b"# " + b"x" * 70000 + b"\n"
i = tarfile.TarInfo("brig-manifest"); i.size = len(data)
t.addfile(i, io.BytesIO(data)); t.close()
EOF
    import_refused "manifest is larger than" "$BATS_TEST_TMPDIR/big.tar"
    craft "$BATS_TEST_TMPDIR/k.tar" ${P}o 'pass'
    python3 - "$BATS_TEST_TMPDIR/k.tar" "$BATS_TEST_TMPDIR" <<'EOF'
import io, sys, tarfile
src, tmp = sys.argv[1], sys.argv[2]
man = tarfile.open(src).extractfile("brig-manifest").read()
for name, new in (("unknown", man + b'exec_evil="x";\n'),
                  ("newer", man.replace(b'brig_archive_format="2"', b'brig_archive_format="3"')),
                  ("path", man + b'path="/etc";\n')):
    t = tarfile.open(tmp + "/" + name + ".tar", "w", format=tarfile.PAX_FORMAT)
    i = tarfile.TarInfo("brig-manifest"); i.size = len(new)
    t.addfile(i, io.BytesIO(new)); t.close()
EOF
    import_refused "unknown key 'exec_evil'" "$BATS_TEST_TMPDIR/unknown.tar"
    import_refused "archive format 3 is not one this brig reads" "$BATS_TEST_TMPDIR/newer.tar"
    import_refused "path is not part of an archive" "$BATS_TEST_TMPDIR/path.tar"
}

@test "jexport and jimport show their progress on a terminal, and nothing of it elsewhere" {
    make_source ${P}g
    on_tty_ok jexport jname=${P}g out="$BATS_TEST_TMPDIR/g.tar.zst"
    output_has "export"
    output_has "MiB"
    BRIG_WORKDIR=$W2 on_tty_ok jimport in="$BATS_TEST_TMPDIR/g.tar.zst"
    output_has "import"
    output_has "100%"
    ok brig jexport jname=${P}g out="$BATS_TEST_TMPDIR/g2.tar.zst"
    output_lacks "MiB"
}

# Copy archive $1 to $2 with its manifest changed by the python statement $3
# (man: the manifest's bytes); every other entry as it was, digest included.
remanifest() {
    python3 - "$1" "$2" "$3" <<'PY'
import io, sys, tarfile
src, out, change = sys.argv[1], sys.argv[2], sys.argv[3]
s = tarfile.open(src)
t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
for i in s.getmembers():
    if i.name == "brig-manifest":
        man = s.extractfile(i).read()
        exec(change)
        i.size = len(man)
        t.addfile(i, io.BytesIO(man))
    else:
        t.addfile(i, s.extractfile(i) if i.isreg() else None)
t.close()
PY
}

# jail $1's NICs in workdir $2 as jnic shows them: index, parent, MAC, MTU, addresses.
nics_of() {
    BRIG_WORKDIR=$2 "$BRIG_BIN" jnic jname="$1" --json |
        jq -r '.[] | "\(.idx) \(.parent) \(.hwaddr) \(.mtu) \(.ip4_addr)"'
}

# A VNET jail with MACs of its own, NICs beyond eth0 (static and DHCP), a host
# directory and a port forward.
make_rows_source() {
    mkdir -p "$BATS_TEST_TMPDIR/share"
    ok brig jcreate jname=$1 vnet=1 ip4_addr=10.199.7.7/16 nic_hwaddr=02:00:00:aa:bb:00
    ok brig jnic jname=$1 action=add hwaddr=02:00:00:aa:bb:01 mtu=1400 ip4_addr=DHCP
    ok brig jnic jname=$1 action=add ip4_addr=10.199.5.5/16 nic_filter=0
    ok brig jfstab jname=$1 action=add src="$BATS_TEST_TMPDIR/share" dst=/mnt/share ro=1
    ok brig expose jname=$1 action=add in=8080 out=80
}

@test "a jail's NICs beyond eth0, host directories and port forwards travel with it, MACs and static addresses kept" {
    make_rows_source ${P}r
    ok brig jset jname=${P}r exec_prestart='touch /tmp/x'
    ok brig jexport jname=${P}r out="$BATS_TEST_TMPDIR/r.tar.zst"
    ok brig2 jimport in="$BATS_TEST_TMPDIR/r.tar.zst"
    # what reaches out of the jail is named before its first start
    output_has "brig: jimport: ${P}r: exec_prestart runs on the host as root: touch /tmp/x"
    output_has "brig: jimport: ${P}r: mounts the host's $BATS_TEST_TMPDIR/share at /mnt/share (ro)"
    output_has "brig: jimport: ${P}r: forwards the host's tcp port 8080 to the jail's 80"
    # eth1's DHCP address is a pick of the importing workdir's pool
    same "$(nics_of ${P}r "$W2" | sed 's/^1 \(.*\) 10\.199\.[0-9.]*\/16$/1 \1 DHCP/')" \
        "0 auto 02:00:00:aa:bb:00 0 10.199.7.7/16
1 auto 02:00:00:aa:bb:01 1400 DHCP
2 auto 0 0 10.199.5.5/16" "the NICs"
    same "$(BRIG_WORKDIR=$W2 "$BRIG_BIN" jnic jname=${P}r --json | jq -r '.[2].nic_filter')" \
        "$(brig jnic jname=${P}r --json | jq -r '.[2].nic_filter')" "eth2's nic_filter"
    same "$(BRIG_WORKDIR=$W2 "$BRIG_BIN" jfstab jname=${P}r)" "$(brig jfstab jname=${P}r)" "jfstab"
    same "$(BRIG_WORKDIR=$W2 "$BRIG_BIN" expose jname=${P}r)" "$(brig expose jname=${P}r)" "expose"
    BRIG_WORKDIR=$W2 ok "$BRIG_BIN" expose jname=${P}r
    output_has 8080
}

@test "jimport refuses a NIC's static address in use with one line and changes nothing" {
    make_rows_source ${P}r
    ok brig jexport jname=${P}r out="$BATS_TEST_TMPDIR/r.tar.zst"
    ok brig2 jimport in="$BATS_TEST_TMPDIR/r.tar.zst"
    # a second copy: eth0 gets an address of its own, eth2's is taken
    import_refused "10.199.5.5" "$BATS_TEST_TMPDIR/r.tar.zst" jname=${P}q ip4_addr=10.199.7.8/16
}

@test "jimport where the MACs are taken derives new ones; a forwarded port taken is refused" {
    make_rows_source ${P}r
    ok brig jexport jname=${P}r compress=none out="$BATS_TEST_TMPDIR/r.tar"
    remanifest "$BATS_TEST_TMPDIR/r.tar" "$BATS_TEST_TMPDIR/r2.tar" \
        'man = man.replace(b" 10.199.5.5/16 ", b" 10.199.5.6/16 ")'
    local before
    before=$(leftovers "$W1")
    run brig jimport in="$BATS_TEST_TMPDIR/r2.tar" jname=${P}q ip4_addr=10.199.7.8/16
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    output_has "tcp port 8080 is already forwarded to jail ${P}r"
    same "$(leftovers "$W1")" "$before" "the workdir"
    ok brig expose jname=${P}r action=remove in=8080
    ok brig jimport in="$BATS_TEST_TMPDIR/r2.tar" jname=${P}q ip4_addr=10.199.7.8/16
    same "$(nics_of ${P}q "$W1" | cut -d' ' -f1,3)" "0 0
1 0
2 0" "MACs derived for the copy"
    [ "$(brig jnic jname=${P}q --json | jq -r '.[0].mac')" != "02:00:00:aa:bb:00" ]
}

@test "an archive of format 1, without rows, is still imported" {
    make_source ${P}o
    ok brig jexport jname=${P}o compress=none out="$BATS_TEST_TMPDIR/o.tar"
    remanifest "$BATS_TEST_TMPDIR/o.tar" "$BATS_TEST_TMPDIR/o1.tar" \
        'man = man.replace(b"brig_archive_format=\"2\"", b"brig_archive_format=\"1\"")'
    tar -xOf "$BATS_TEST_TMPDIR/o1.tar" brig-manifest | grep -q 'brig_archive_format="1"'
    ok brig2 jimport in="$BATS_TEST_TMPDIR/o1.tar"
    output_has "${P}o: imported"
}

@test "jimport refuses hostile rows with one line and nothing left: another jail's files, a dst out of the jail, a bad bridge name, rows in format 1" {
    make_rows_source ${P}r
    ok brig jexport jname=${P}r compress=none out="$BATS_TEST_TMPDIR/r.tar"
    local share=$BATS_TEST_TMPDIR/share
    remanifest "$BATS_TEST_TMPDIR/r.tar" "$BATS_TEST_TMPDIR/h1.tar" \
        "man = man.replace(b'$share /mnt/share', b'$W2/jails-data/${P}pad-data /mnt/share')"
    import_refused "is in brig's workdir" "$BATS_TEST_TMPDIR/h1.tar"
    remanifest "$BATS_TEST_TMPDIR/r.tar" "$BATS_TEST_TMPDIR/h2.tar" \
        "man = man.replace(b'$share /mnt/share', b'$share /../../etc')"
    import_refused "no '.' or '..'" "$BATS_TEST_TMPDIR/h2.tar"
    remanifest "$BATS_TEST_TMPDIR/r.tar" "$BATS_TEST_TMPDIR/h3.tar" \
        'man = man.replace(b"export_nic=\"2 auto", b"export_nic=\"2 br;x\$(id)")'
    import_refused "parent" "$BATS_TEST_TMPDIR/h3.tar"
    remanifest "$BATS_TEST_TMPDIR/r.tar" "$BATS_TEST_TMPDIR/h4.tar" \
        'man = man.replace(b"brig_archive_format=\"2\"", b"brig_archive_format=\"1\"")'
    import_refused "archive format 1 has no" "$BATS_TEST_TMPDIR/h4.tar"
    remanifest "$BATS_TEST_TMPDIR/r.tar" "$BATS_TEST_TMPDIR/h5.tar" \
        "man = man.replace(b'$share', b'$BATS_TEST_TMPDIR/nowhere')"
    import_refused "nowhere" "$BATS_TEST_TMPDIR/h5.tar"
}

@test "bexport and bimport carry a VM's record, its sparse disk as sparse and its seed ISO" {
    ok brig bcreate jname=${P}v imgsize=1g ci_jname=guest1 ip4_addr=10.199.8.8/16
    local disk=$W1/vm/${P}v/disk0.raw
    printf 'boot sector' | dd of="$disk" conv=notrunc 2>/dev/null
    head -c 1048576 /dev/urandom | dd of="$disk" bs=1M seek=512 conv=notrunc 2>/dev/null
    ok brig bexport jname=${P}v compress=none out="$BATS_TEST_TMPDIR/v.tar"
    # the archive holds the data, not the 1 GiB of holes
    [ "$(stat -c %s "$BATS_TEST_TMPDIR/v.tar")" -lt $((8 * 1048576)) ]
    ok brig2 bimport in="$BATS_TEST_TMPDIR/v.tar"
    output_has "${P}v: imported"
    local disk2=$W2/vm/${P}v/disk0.raw
    cmp "$disk" "$disk2"
    same "$(stat -c %s "$disk2")" 1073741824 "the disk's size"
    [ "$(du -k "$disk2" | cut -f1)" -lt 8192 ]
    cmp "$W1/vm/${P}v/seed.iso" "$W2/vm/${P}v/seed.iso"
    same "$(stat -c %u "$disk2")" "$(idmap_in ${P}v "$W2")" "the disk's owner"
    same "$(BRIG_WORKDIR=$W2 "$BRIG_BIN" bget jname=${P}v imgsize ci_jname ip4_addr)" \
        "$(brig bget jname=${P}v imgsize ci_jname ip4_addr)" "the record"
    # a copy under another name and address gets a seed that says so
    ok brig bimport in="$BATS_TEST_TMPDIR/v.tar" jname=${P}w ip4_addr=10.199.8.9/16
    cmp "$disk" "$W1/vm/${P}w/disk0.raw"
    ! cmp -s "$W1/vm/${P}v/seed.iso" "$W1/vm/${P}w/seed.iso"
    grep -aq "10.199.8.9" "$W1/vm/${P}w/seed.iso"
}

@test "jexport refuses a VM and bexport a jail; jimport refuses a VM's archive and bimport a jail's" {
    ok brig jcreate jname=${P}j
    ok brig bcreate jname=${P}v imgsize=1m
    assert_rejected 2 "${P}v: is a VM (bexport exports it)" brig jexport jname=${P}v out="$BATS_TEST_TMPDIR/x"
    assert_rejected 2 "${P}j: is a jail (jexport exports it)" brig bexport jname=${P}j out="$BATS_TEST_TMPDIR/x"
    [ ! -e "$BATS_TEST_TMPDIR/x" ]
    ok brig bexport jname=${P}v out="$BATS_TEST_TMPDIR/v.tar.zst"
    ok brig jexport jname=${P}j out="$BATS_TEST_TMPDIR/j.tar.zst"
    import_refused "the archive holds a VM (bimport imports it)" "$BATS_TEST_TMPDIR/v.tar.zst"
    local before
    before=$(leftovers "$W2")
    run brig2 bimport in="$BATS_TEST_TMPDIR/j.tar.zst"
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    output_has "the archive holds a jail (jimport imports it)"
    same "$(leftovers "$W2")" "$before" "the workdir"
}

@test "bimport refuses a VM archive with a link in the VM's directory, and leaves nothing" {
    ok brig bcreate jname=${P}v imgsize=0 ci_jname=guest1
    ok brig bexport jname=${P}v compress=none out="$BATS_TEST_TMPDIR/v.tar"
    python3 - "$BATS_TEST_TMPDIR/v.tar" "$BATS_TEST_TMPDIR/evil.tar" <<'PY'
import io, sys, tarfile
s = tarfile.open(sys.argv[1])
t = tarfile.open(sys.argv[2], "w", format=tarfile.PAX_FORMAT)
for i in s.getmembers():
    if i.name == "brig-digest":
        l = tarfile.TarInfo("vm/disk1.raw"); l.type = tarfile.SYMTYPE; l.linkname = "/etc/shadow"
        t.addfile(l)
    t.addfile(i, s.extractfile(i) if i.isreg() else None)
t.close()
PY
    local before
    before=$(leftovers "$W2")
    run brig2 bimport in="$BATS_TEST_TMPDIR/evil.tar"
    [ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
    output_has "is not a file or directory"
    same "$(leftovers "$W2")" "$before" "the workdir"
    [ ! -e "$W2/vm/${P}v" ]
}
