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
    printf 'NAME="Tarball Linux"\nPRETTY_NAME="Tarball Linux 1.0"\n' >"$r/etc/os-release"
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
    [[ "${lines[0]}" =~ ^BASE\ +KIND\ +VERSION\ +SIZE\ +CREATED\ +ORIGIN\ +CHECKSUM$ ]]
    [[ "${lines[1]}" =~ ^busybox\ +busybox\ +BusyBox\ v[0-9.]+\ +[0-9]+\ +[-0-9T:]+Z\ +/bin/busybox\ +sha256:[0-9a-f]{12}$ ]]
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

@test "repo file= records the tarball as origin, the system's version, and both checksums" {
    local xz sum
    xz=$(make_tarball J xz)
    sum=$(sha256sum "$xz" | cut -c1-64)
    ok brig repo action=get base=txz file="$xz"
    ok brig repo action=list --json
    same "$(jq -r '.[0].origin' <<<"$output")" "$xz" "origin"
    same "$(jq -r '.[0].version' <<<"$output")" "Tarball Linux 1.0" "version from os-release"
    same "$(jq -r '.[0].sha256' <<<"$output")" "$sum" "the tarball's sha256"
    [[ "$(jq -r '.[0].checksum' <<<"$output")" =~ ^sha256:[0-9a-f]{64}$ ]]
}

@test "repo file= on a terminal draws bars that reach 100 % and end their lines" {
    # a plain tar larger than one read: its last entry is read before its end
    local r="$BATS_TEST_TMPDIR/big" t="$BATS_TEST_TMPDIR/big.tar" sum
    mkdir -p "$r/etc"
    head -c 3000000 /dev/urandom >"$r/etc/blob"
    tar -C "$r" -cf "$t" .
    script -qec "'$BRIG_BIN' repo action=get base=big file='$t'" "$BATS_TEST_TMPDIR/tty" \
        </dev/null >/dev/null
    local tty
    tty=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty")
    [[ "$tty" =~ extract\ +\[#{30}\]\ 100%$'\n'base\ big:\ ready ]]
    sum=$(sha256sum "$t" | cut -c1-64)
    script -qec "'$BRIG_BIN' repo action=get base=big2 file='$t' sha256=$sum" \
        "$BATS_TEST_TMPDIR/tty" </dev/null >/dev/null
    tty=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty")
    [[ "$tty" =~ verify\ +\[#{30}\]\ 100%$'\n'extract ]]
    [[ "$tty" =~ extract\ +\[#{30}\]\ 100%$'\n'base\ big2:\ ready ]]
}

@test "repo file= of a base that exists says already present and imports nothing" {
    local gz
    gz=$(make_tarball z gz)
    ok brig repo action=get base=tgz file="$gz"
    ok brig repo action=get base=tgz file=/nonexistent.tar.gz
    same "$output" "base tgz: already present" "output"
    same "$(cat "$W/basejail/tgz/etc/marker")" from-tarball "the base"
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
