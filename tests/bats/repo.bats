#!/usr/bin/env bats
# brig repo: get, list and remove bases; import a rootfs tarball with file=,
# checked against sha256= and refused when it would write outside the base.

load lifecycle_helper

setup() {
    brig_setup
}

teardown() {
    life_teardown
}

# A small rootfs tarball: busybox, /bin/sh and a marker. $1: z (gz) or J (xz).
make_tarball() {
    local r="$BATS_TEST_TMPDIR/rootfs" out="$BATS_TEST_TMPDIR/rootfs.tar.$2"
    mkdir -p "$r/bin" "$r/etc" "$r/root" "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    ln -sf busybox "$r/bin/sh"
    ln -sf busybox "$r/bin/cat"
    echo "from-tarball" >"$r/etc/marker"
    tar -C "$r" -c"$1"f "$out" .
    echo "$out"
}

# A tarball with an entry named $1 (written by python, which keeps '..').
evil_tarball() {
    local out="$BATS_TEST_TMPDIR/evil.tar"
    python3 - "$out" "$1" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("etc/ok")
    i.size = 1
    t.addfile(i, io.BytesIO(b"x"))
    i = tarfile.TarInfo(sys.argv[2])
    i.size = 4
    t.addfile(i, io.BytesIO(b"evil"))
PY
    echo "$out"
}

@test "repo action=get base=busybox makes a base that jails run from" {
    ok brig repo action=get sources=base base=busybox
    same "$output" "base busybox: ready" "output"
    [ -x "$W/basejail/busybox/bin/busybox" ]
    [ -e "$W/basejail/busybox/etc/rc" ]
    ok brig jcreate jname=${P}rp1 ip4_addr=0
    ok brig jstart jname=${P}rp1
    ok brig jexec jname=${P}rp1 -- echo works
    same "$output" works "jexec"
}

@test "repo lists bases as a table and as JSON" {
    ok brig repo action=get sources=base base=busybox
    ok brig repo
    [[ "${lines[0]}" =~ ^BASE\ +KIND\ +SIZE\ +CREATED\ +SOURCE$ ]]
    [[ "${lines[1]}" =~ ^busybox\ +busybox\ +[0-9]+\ + ]]
    ok brig repo action=list --json
    same "$(jq -r '.[0].base' <<<"$output")" busybox "json base"
    same "$(jq -r '.[0].kind' <<<"$output")" busybox "json kind"
    same "$(jq -r '.[0].size | type' <<<"$output")" number "json size type"
}

@test "repo file= imports a gzip and an xz tarball, and a jail runs from it" {
    local gz xz
    gz=$(make_tarball z gz)
    xz=$(make_tarball J xz)
    ok brig repo action=get base=tgz file="$gz"
    same "$output" "base tgz: ready" "gz import"
    ok brig repo action=get base=txz file="$xz"
    same "$(cat "$W/basejail/txz/etc/marker")" from-tarball "marker from the xz tarball"
    same "$(cat "$W/basejail/tgz/etc/marker")" from-tarball "marker from the gz tarball"
    ok brig repo
    [[ "$output" =~ tgz\ +tarball ]]
    [[ "$output" =~ txz\ +tarball ]]
    ok brig jcreate jname=${P}rp1 base=txz ip4_addr=0 exec_start= exec_stop=
    ok brig jstart jname=${P}rp1
    ok brig jexec jname=${P}rp1 -- cat /etc/marker
    same "$output" from-tarball "the jail's root"
}

@test "repo file= with the right sha256 imports, with a wrong one is refused and leaves no base" {
    local xz sum
    xz=$(make_tarball J xz)
    sum=$(sha256sum "$xz" | cut -c1-64)
    ok brig repo action=get base=good file="$xz" sha256="$sum"
    run brig repo action=get base=bad file="$xz" sha256="$(printf '0%.0s' {1..64})"
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "sha256 mismatch"
    [ ! -e "$W/basejail/bad" ]
    [ ! -e "$W/basejail/bad.meta" ]
    ok brig repo action=list --json
    same "$(jq -r '[.[].base] | join(",")' <<<"$output")" good "bases"
}

@test "repo file= refuses a tarball with a '..' entry and writes nothing outside" {
    local t
    t=$(evil_tarball ../evil)
    run brig repo action=get base=dd file="$t"
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "'..'"
    [ ! -e "$W/basejail/evil" ]
    [ ! -e "$W/evil" ]
    [ ! -e "$W/basejail/dd" ]
    t=$(evil_tarball etc/../../../evil2)
    run brig repo action=get base=dd file="$t"
    same "$status" 1 "exit status"
    [ ! -e "$W/evil2" ] && [ ! -e "$W/basejail/evil2" ]
    [ ! -e "$W/basejail/dd" ]
}

@test "repo file= refuses a missing file and a file that is not a tarball" {
    run brig repo action=get base=x file="$BATS_TEST_TMPDIR/nope.tar"
    [ "$status" -ne 0 ]
    same "${#lines[@]}" 1 "lines"
    [ ! -e "$W/basejail/x" ]
    echo "not a tarball" >"$BATS_TEST_TMPDIR/junk.tar.gz"
    run brig repo action=get base=x file="$BATS_TEST_TMPDIR/junk.tar.gz"
    [ "$status" -ne 0 ]
    same "${#lines[@]}" 1 "lines"
    [ ! -e "$W/basejail/x" ]
}

@test "repo base=nope without file= is refused" {
    assert_rejected 2 "base=nope" brig repo action=get base=nope
    [ ! -e "$W/basejail/nope" ]
}

@test "repo action=remove is refused while a jail uses the base and works once none does" {
    local gz
    gz=$(make_tarball z gz)
    ok brig repo action=get base=mine file="$gz"
    ok brig jcreate jname=${P}rp1 base=mine ip4_addr=0
    assert_rejected 1 "used by 1 jail (${P}rp1)" brig repo action=remove base=mine
    [ -d "$W/basejail/mine" ]
    ok brig jremove jname=${P}rp1
    ok brig repo action=remove base=mine
    same "$output" "base mine: removed" "output"
    [ ! -e "$W/basejail/mine" ]
    ok brig repo action=list --json
    same "$(jq length <<<"$output")" 0 "bases left"
}

@test "repo action=remove of a base that does not exist fails" {
    run brig repo action=remove base=nope
    [ "$status" -ne 0 ]
    same "${#lines[@]}" 1 "lines"
}
