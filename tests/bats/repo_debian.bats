#!/usr/bin/env bats
# brig repo and Debian bases: bases named by suite (debian11, debian12,
# debian13; debian is debian12's alias), debootstrap's progress and log, each
# base's origin, version and checksum, the host's apt mirror as default, and
# "already present". Tests that build a base run a stand-in debootstrap
# (tests/bats/fakes/debootstrap, no network); the last ones read the real base
# that tests/fixtures/debian-base.sh made once with debootstrap.

load lifecycle_helper

FAKES="$BATS_TEST_DIRNAME/fakes"

setup() {
    brig_setup
    export FAKE_DEBOOTSTRAP_ARGS="$BATS_TEST_TMPDIR/args"
}

teardown() {
    life_teardown
    local m
    [ ! -f "$BATS_TEST_TMPDIR/mounts" ] || while read -r m; do umount "$m"; done <"$BATS_TEST_TMPDIR/mounts"
}

fake_brig() {
    PATH="$FAKES:$PATH" "$BRIG_BIN" "$@"
}

@test "repo base=debian12 and base=debian13 make Debian bases side by side, named by suite" {
    run fake_brig repo action=get sources=base base=debian12
    same "$status" 0 "debian12 exit"
    same "${lines[-1]}" "base debian12: ready" "debian12"
    output_has "debootstrap bookworm"
    [[ "$(cat "$FAKE_DEBOOTSTRAP_ARGS")" =~ \ bookworm\ $W/basejail/\.tmp-debian12-[0-9]+/root\ http ]]
    run fake_brig repo action=get sources=base base=debian13
    same "${lines[-1]}" "base debian13: ready" "debian13"
    [[ "$(cat "$FAKE_DEBOOTSTRAP_ARGS")" =~ \ trixie\ $W/basejail/ ]]
    same "$(cat "$W/basejail/debian12/etc/debian_version")" 12.11 "debian12's tree"
    same "$(cat "$W/basejail/debian13/etc/debian_version")" 13.1 "debian13's tree"
    ok brig repo action=list --json
    same "$(jq -r '[.[] | .base + "=" + .kind + "/" + .version] | join(",")' <<<"$output")" \
        "debian12=debian/bookworm 12.11,debian13=debian/trixie 13.1" "bases"
}

@test "a Debian base is minbase with systemd as its init system" {
    ok fake_brig repo action=get base=debian12
    local args
    args=$(cat "$FAKE_DEBOOTSTRAP_ARGS")
    [[ "$args" == *"--variant=minbase"* ]]
    [[ "$args" == *"--include=systemd-sysv,dbus,iproute2,procps"* ]]
    [[ "$args" == *"--debian-installer"* ]]
}

@test "repo base=debian stays the alias of debian12 (bookworm) and takes suite=" {
    ok fake_brig repo action=get base=debian
    [[ "$(cat "$FAKE_DEBOOTSTRAP_ARGS")" == *" bookworm $W/basejail/"* ]]
    ok brig repo action=remove base=debian
    ok fake_brig repo action=get base=debian suite=trixie
    [[ "$(cat "$FAKE_DEBOOTSTRAP_ARGS")" == *" trixie $W/basejail/"* ]]
    ok brig repo action=list --json
    same "$(jq -r '.[0].version' <<<"$output")" "trixie 13.1" "version"
}

@test "repo refuses an unknown Debian name and a suite= that contradicts the name" {
    assert_rejected 2 "brig knows debian11 (bullseye), debian12 (bookworm), debian13 (trixie)" \
        fake_brig repo action=get base=debian99
    assert_rejected 2 "base=debian12 is bookworm: suite=trixie goes with base=debian" \
        fake_brig repo action=get base=debian12 suite=trixie
    assert_rejected 2 "suite= goes with base=debian" \
        fake_brig repo action=get base=busybox suite=trixie
    assert_rejected 2 "not a Debian suite name" fake_brig repo action=get base=debian suite='x;y'
    [ ! -e "$FAKE_DEBOOTSTRAP_ARGS" ]
    [ -z "$(ls -A "$W/basejail")" ]
}

@test "repo shows debootstrap's progress as bars that reach 100 % on a terminal" {
    PATH="$FAKES:$PATH" script -qec "'$BRIG_BIN' repo action=get base=debian12" \
        "$BATS_TEST_TMPDIR/tty" </dev/null >/dev/null
    local tty
    tty=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty")
    # each phase's line ends with its bar full
    [[ "$tty" =~ Downloading\ Release\ file\ +\[#{30}\]\ 100%$'\n' ]]
    [[ "$tty" =~ Extracting\ packages\ +\[#{30}\]\ 100%$'\n' ]]
    [[ "$tty" =~ Configuring\ base\ system\ +\[#{30}\]\ 100%$'\n'base\ debian12:\ ready ]]
    # and starts empty (later frames are drawn at most ten times a second)
    [[ "$tty" =~ Extracting\ packages\ +\[\ {30}\]\ +0% ]]
}

@test "without a terminal, repo prints each debootstrap phase once and where the log is" {
    run fake_brig repo action=get base=debian12
    same "$status" 0 "exit"
    same "${lines[0]}" \
        "base debian12: debootstrap bookworm from $(conf_mirror) (log: $W/var/log/repo/debian12.log)" \
        "first line"
    same "$(grep -c '^base debian12: Extracting packages$' <<<"$output")" 1 "one line per phase"
    output_has "base debian12: Configuring base system"
}

conf_mirror() {
    sed -n 's/^debian_mirror="\(.*\)";$/\1/p' "$W/etc/brig.conf"
}

@test "debootstrap's whole output is kept in var/log/repo/NAME.log" {
    ok fake_brig repo action=get base=debian12
    local log="$W/var/log/repo/debian12.log"
    [ -f "$log" ]
    grep -q "^brig: debootstrap --variant=minbase --include=systemd-sysv,dbus,iproute2,procps bookworm " "$log"
    grep -q "^fake: extracting package 3$" "$log"
    grep -q "^I: Retrieving InRelease$" "$log"
    grep -q "^I: Base system installed successfully.$" "$log"
}

@test "debootstrap holds the lock of its staging directory, so no tidy-up removes it" {
    ok fake_brig repo action=get base=debian12
    grep -Eq "^fake: fd [0-9]+ $W/basejail/\.tmp-debian12-[0-9]+$" "$W/var/log/repo/debian12.log"
    grep -Eq "^fake: fd 3 pipe:" "$W/var/log/repo/debian12.log"
}

@test "debootstrap runs in a mount namespace of its own, so its mounts die with it" {
    ok fake_brig repo action=get base=debian12
    local ns
    ns=$(sed -n 's/^fake: mntns //p' "$W/var/log/repo/debian12.log")
    [[ "$ns" =~ ^mnt:\[[0-9]+\]$ ]]
    [ "$ns" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "a failed debootstrap says why, names its log and leaves no base" {
    run env FAKE_DEBOOTSTRAP_FAIL=1 PATH="$FAKES:$PATH" "$BRIG_BIN" repo action=get base=debian12
    same "$status" 1 "exit"
    same "${lines[-1]}" \
        "brig: repo: base debian12: debootstrap bookworm failed (status 1): Couldn't download package zlib1g; log: $W/var/log/repo/debian12.log" \
        "error"
    grep -q "^fake: 404 Not Found$" "$W/var/log/repo/debian12.log"
    [ ! -e "$W/basejail/debian12" ]
    [ -z "$(ls -A "$W/basejail")" ]
}

@test "a debootstrap that leaves no Debian system is a failure" {
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    printf '#!/bin/sh\nexit 0\n' >"$BATS_TEST_TMPDIR/bin/debootstrap"
    chmod +x "$BATS_TEST_TMPDIR/bin/debootstrap"
    run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" "$BRIG_BIN" repo action=get base=debian12
    same "$status" 1 "exit"
    output_has "left no Debian system (no /etc/debian_version)"
    [ ! -e "$W/basejail/debian12" ]
}

@test "repo list shows brig.conf's debian_mirror as the origin of a Debian base" {
    ok brig initenv debian_mirror=http://mirror.test/debian
    ok fake_brig repo action=get base=debian12
    [[ "$(cat "$FAKE_DEBOOTSTRAP_ARGS")" == *" http://mirror.test/debian" ]]
    same "$(cat "$W/basejail/debian12/etc/apt-sources")" "deb http://mirror.test/debian bookworm main" \
        "mirror given to debootstrap"
    ok brig repo
    [[ "${lines[0]}" =~ ^BASE\ +KIND\ +VERSION\ +SIZE\ +CREATED\ +ORIGIN\ +CHECKSUM$ ]]
    [[ "${lines[1]}" =~ ^debian12\ +debian\ +bookworm\ 12\.11\ +[0-9]+\ +[-0-9T:]+Z\ +http://mirror\.test/debian\ +sha256:[0-9a-f]{12}$ ]]
    ok brig repo action=list --json
    same "$(jq -r '.[0].origin' <<<"$output")" http://mirror.test/debian "json origin"
}

@test "every base records its origin, version and a checksum of its tree" {
    ok brig repo action=get base=busybox
    ok fake_brig repo action=get base=debian12
    ok brig repo action=list --json
    local bb
    bb=$(busybox 2>&1 | head -n1 | sed 's/ (.*//')
    same "$(jq -r '.[] | select(.base == "busybox") | .origin' <<<"$output")" /bin/busybox "busybox origin"
    same "$(jq -r '.[] | select(.base == "busybox") | .version' <<<"$output")" "$bb" "busybox version"
    [[ "$(jq -r '.[] | select(.base == "busybox") | .checksum' <<<"$output")" =~ ^sha256:[0-9a-f]{64}$ ]]
    [[ "$(jq -r '.[] | select(.base == "debian12") | .checksum' <<<"$output")" =~ ^sha256:[0-9a-f]{64}$ ]]
    # the checksum is of the tree: the same files give the same one
    local a b
    a=$(jq -r '.[] | select(.base == "debian12") | .checksum' <<<"$output")
    ok brig repo action=remove base=debian12
    ok fake_brig repo action=get base=debian12
    ok brig repo action=list --json
    b=$(jq -r '.[] | select(.base == "debian12") | .checksum' <<<"$output")
    same "$b" "$a" "checksum of the same tree"
}

@test "repo action=get of a base that exists succeeds and says already present" {
    ok brig repo action=get base=busybox
    ok brig repo action=get base=busybox
    same "$output" "base busybox: already present" "busybox again"
    ok fake_brig repo action=get base=debian12
    rm "$FAKE_DEBOOTSTRAP_ARGS"
    ok fake_brig repo action=get base=debian12
    same "$output" "base debian12: already present" "debian12 again"
    [ ! -e "$FAKE_DEBOOTSTRAP_ARGS" ]
    ok brig repo action=get base=debian12 --dry-run
    same "$output" "base debian12: already present" "dry run"
}

@test "two repo gets of one base at once both succeed, and one base is made" {
    fake_brig repo action=get base=debian12 >"$BATS_TEST_TMPDIR/a" 2>&1 &
    local a=$!
    fake_brig repo action=get base=debian12 >"$BATS_TEST_TMPDIR/b" 2>&1 &
    local b=$!
    wait "$a" || { cat "$BATS_TEST_TMPDIR/a"; return 1; }
    wait "$b" || { cat "$BATS_TEST_TMPDIR/b"; return 1; }
    cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" | grep -q "^base debian12: ready$"
    ok brig repo action=list --json
    same "$(jq length <<<"$output")" 1 "bases"
    same "$(ls -A "$W/basejail")" "$(printf 'debian12\ndebian12.meta')" "basejail"
}

# A private copy of the host's apt sources naming $1, and os-release $2.
fake_apt() {
    local d="$BATS_TEST_TMPDIR/apt"
    mkdir -p "$d/sources.list.d"
    : >"$d/sources.list"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n\n' "$1" \
        >"$d/sources.list.d/debian.sources"
    printf 'ID=%s\nVERSION_CODENAME=bookworm\n' "$2" >"$d/os-release"
    # the namespaces of tests/netns-run.sh keep these mounts from the host
    mount --bind "$d/sources.list.d" /etc/apt/sources.list.d
    echo /etc/apt/sources.list.d >>"$BATS_TEST_TMPDIR/mounts"
    if [ -e /etc/apt/sources.list ]; then
        mount --bind "$d/sources.list" /etc/apt/sources.list
        echo /etc/apt/sources.list >>"$BATS_TEST_TMPDIR/mounts"
    fi
    mount --bind "$d/os-release" "$(readlink -f /etc/os-release)"
    readlink -f /etc/os-release >>"$BATS_TEST_TMPDIR/mounts"
}

@test "debian_mirror defaults to the host's apt mirror on a Debian host" {
    fake_apt http://apt-mirror.test/debian/ debian
    export BRIG_WORKDIR="$BATS_TEST_TMPDIR/w2"
    ok brig initenv
    same "$(grep '^debian_mirror=' "$BRIG_WORKDIR/etc/brig.conf")" \
        'debian_mirror="http://apt-mirror.test/debian";' "brig.conf"
    ok brig repo action=get base=debian12 --dry-run
    same "$output" "base debian12: would be built with debootstrap bookworm from http://apt-mirror.test/debian" \
        "dry run"
}

@test "debian_mirror defaults to deb.debian.org on a host that is not Debian" {
    fake_apt http://apt-mirror.test/ubuntu ubuntu
    export BRIG_WORKDIR="$BATS_TEST_TMPDIR/w2"
    ok brig initenv
    same "$(grep '^debian_mirror=' "$BRIG_WORKDIR/etc/brig.conf")" \
        'debian_mirror="http://deb.debian.org/debian";' "brig.conf"
}

@test "the cached Debian 12 base was made by debootstrap with systemd, from the host's mirror" {
    brig_debian_base debian12
    ok brig repo action=list --json
    local fix
    fix=$(brig_fixture_dir debian12)
    same "$(jq -r '.[] | select(.base == "debian12") | .kind' <<<"$output")" debian "kind"
    [[ "$(jq -r '.[] | select(.base == "debian12") | .version' <<<"$output")" =~ ^bookworm\ 12\.[0-9]+$ ]]
    same "$(jq -r '.[] | select(.base == "debian12") | .origin' <<<"$output")" \
        "$(sed -n 's/^debian_mirror="\(.*\)";$/\1/p' "$fix/etc/brig.conf")" "origin"
    [[ "$(jq -r '.[] | select(.base == "debian12") | .checksum' <<<"$output")" =~ ^sha256:[0-9a-f]{64}$ ]]
    same "$(readlink "$W/basejail/debian12/sbin/init")" /lib/systemd/systemd "init"
    [ -x "$W/basejail/debian12/usr/bin/dbus-daemon" ] || [ -x "$W/basejail/debian12/usr/bin/dbus-broker" ]
    [ -x "$W/basejail/debian12/usr/bin/ps" ] && [ -x "$W/basejail/debian12/usr/bin/ip" -o -x "$W/basejail/debian12/bin/ip" ]
    grep -q "^I: Base system installed successfully.$" "$fix/var/log/repo/debian12.log"
    # brig drew the real debootstrap's phases as bars that ended full
    local tty
    tty=$(tr -d '\r' <"$fix/progress.tty")
    [[ "$tty" =~ Extracting\ packages\ +\[#{30}\]\ 100%$'\n' ]]
    [[ "$tty" =~ Configuring\ base\ system\ +\[#{30}\]\ 100%$'\n'base\ debian12:\ ready ]]
}

@test "jails are made from the cached Debian base, thin and thick, and the cache stays as it was" {
    brig_debian_base debian12
    ok brig repo action=get base=debian12
    same "$output" "base debian12: already present" "get"
    ok brig jcreate jname=${P}d1 base=debian12 ip4_addr=0 exec_start= exec_stop=
    ok brig jcreate jname=${P}d2 base=debian12 baserw=1 ip4_addr=0
    ok brig jstart jname=${P}d1
    ok brig jexec jname=${P}d1 -- cat /etc/debian_version
    same "$output" "$(cat "$W/basejail/debian12/etc/debian_version")" "the thin jail's root"
    ok brig jstop jname=${P}d1
    same "$(cat "$W/jails-data/${P}d2-data/etc/debian_version")" \
        "$(cat "$(brig_fixture_dir debian12)/basejail/debian12/etc/debian_version")" "thick copy"
    run touch "$W/basejail/debian12/etc/written"
    [ "$status" -ne 0 ]
    [ ! -e "$(brig_fixture_dir debian12)/basejail/debian12/etc/written" ]
}
