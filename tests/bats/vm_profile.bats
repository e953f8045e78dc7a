#!/usr/bin/env bats
# VM profiles (vm_os_profile=): etc/vm-profiles/NAME.conf names an image, its
# sha256 and format, and defaults; bcreate fetches the image once (over http
# from a server the test runs inside its own network namespace), keeps it only
# when the digest is the profile's, and writes the VM's first disk from it.

bats_require_minimum_version 1.5.0
load helper
load foundation_helper

setup() {
    brig_setup
    command -v qemu-img >/dev/null || skip "qemu-img is not installed"
    mkdir -p "$W/etc/vm-profiles" "$BATS_TEST_TMPDIR/www"
    # a raw image: a marker at its start and at 1 MiB, holes between
    IMG=$BATS_TEST_TMPDIR/www/img.raw
    printf 'brig-image-start' >"$IMG"
    printf 'brig-image-1m' | dd of="$IMG" bs=1 seek=1048576 conv=notrunc status=none
    truncate -s 4M "$IMG"
    SHA=$(sha256sum "$IMG" | cut -d' ' -f1)
    HTTPD_PID=
}

teardown() {
    [ -z "$HTTPD_PID" ] || kill "$HTTPD_PID" 2>/dev/null || true
}

# busybox httpd on 127.0.0.1 of the test's namespace, serving www/.
serve() {
    busybox httpd -f -p 127.0.0.1:18089 -h "$BATS_TEST_TMPDIR/www" &
    HTTPD_PID=$!
    wait_for 10 busybox wget -q -O /dev/null http://127.0.0.1:18089/img.raw
}

profile() { # $1 name, rest: lines
    local name=$1
    shift
    printf '%s\n' "$@" >"$W/etc/vm-profiles/$name.conf"
}

@test "bcreate vm_os_profile= fetches the image once, checks its sha256, and writes the first disk from it with the profile's defaults" {
    serve
    profile deb "image=\"http://127.0.0.1:18089/img.raw\";" "sha256=\"$SHA\";" \
        'description="a test image";' 'vm_ram="256m";' 'imgsize="8m";' 'vm_cpus="2";'
    ok brig bcreate jname=${P}p1 vm_os_profile=deb vm_cpus=1
    ok brig bget jname=${P}p1 vm_os_profile vm_ram vm_cpus imgsize
    has_line "vm_os_profile: deb"
    has_line "vm_ram: 256m"
    has_line "vm_cpus: 1"
    has_line "imgsize: 8m"
    local disk=$W/vm/${P}p1/disk0.raw
    same "$(stat -c %s "$disk")" 8388608 "disk size"
    same "$(head -c 16 "$disk")" brig-image-start "the disk's first bytes"
    same "$(dd if="$disk" bs=1 skip=1048576 count=13 status=none)" brig-image-1m "the bytes at 1 MiB"
    # sparse: the holes stayed holes
    [ "$(stat -c %b "$disk")" -lt 1024 ]
    same "$(stat -c %u "$disk")" "$(stat -c %u "$W/vm/${P}p1")" "the disk's owner is the VM's id"
    # kept once, under its digest; the next VM needs no server
    same "$(ls "$W/vm/.images")" "$SHA.raw" "the image cache"
    kill "$HTTPD_PID"
    HTTPD_PID=
    ok brig bcreate jname=${P}p2 vm_os_profile=deb imgtype=qcow2
    same "$(qemu-img info --output=json "$W/vm/${P}p2/disk0.qcow2" | jq -r '.format, ."virtual-size"' | tr '\n' ' ')" \
        "qcow2 8388608 " "the second VM's disk"
    # the profile is fixed at bcreate
    run brig bset jname=${P}p1 vm_os_profile=other
    same "$status" 2 "exit status of bset"
}

@test "an image whose sha256 is not the profile's is refused and nothing is kept" {
    serve
    profile bad "image=\"http://127.0.0.1:18089/img.raw\";" \
        "sha256=\"$(printf x | sha256sum | cut -d' ' -f1)\";"
    local before
    before=$(db_dump)
    run brig bcreate jname=${P}p1 vm_os_profile=bad
    same "$status" 1 "exit status"
    output_has "vm_os_profile bad: http://127.0.0.1:18089/img.raw has sha256 $SHA, the profile says"
    output_has ": refused"
    same "$(db_dump)" "$before" "the store"
    [ ! -e "$W/vm/${P}p1" ]
    same "$(ls -A "$W/vm/.images")" "" "the image cache"
}

@test "a qcow2 image is converted and grown; one with a backing or data file of the host is refused" {
    local q=$BATS_TEST_TMPDIR/img.qcow2 evil=$BATS_TEST_TMPDIR/evil.qcow2
    qemu-img convert -q -f raw -O qcow2 "$IMG" "$q"
    profile q "image=\"$q\";" "sha256=\"$(sha256sum "$q" | cut -d' ' -f1)\";" 'format="qcow2";' \
        'imgsize="16m";'
    ok brig bcreate jname=${P}q1 vm_os_profile=q
    same "$(stat -c %s "$W/vm/${P}q1/disk0.raw")" 16777216 "disk size"
    same "$(head -c 16 "$W/vm/${P}q1/disk0.raw")" brig-image-start "the disk's first bytes"

    qemu-img create -q -f qcow2 -F raw -b /etc/passwd "$evil" 1M
    profile evil "image=\"$evil\";" "sha256=\"$(sha256sum "$evil" | cut -d' ' -f1)\";" \
        'format="qcow2";' 'imgsize="16m";'
    local before
    before=$(db_dump)
    run brig bcreate jname=${P}q2 vm_os_profile=evil
    same "$status" 1 "exit status"
    output_has "vm_os_profile evil: image: a qcow2 image with a backing file is refused"
    same "$(db_dump)" "$before" "the store"
    [ ! -e "$W/vm/${P}q2" ]

    qemu-img create -q -f qcow2 -o data_file=/etc/hostname,data_file_raw=on "$evil.d" 1M 2>/dev/null ||
        skip "this qemu-img makes no qcow2 with a data file"
    profile evil2 "image=\"$evil.d\";" "sha256=\"$(sha256sum "$evil.d" | cut -d' ' -f1)\";" \
        'format="qcow2";' 'imgsize="16m";'
    run brig bcreate jname=${P}q3 vm_os_profile=evil2
    same "$status" 1 "exit status"
    output_has "a qcow2 image with a data file is refused"
    [ ! -e "$W/vm/${P}q3" ]
}

@test "bad profiles and names exit 2 and change nothing" {
    profile noimage "sha256=\"$SHA\";"
    profile nosha "image=\"$IMG\";"
    profile relative 'image="img.raw";' "sha256=\"$SHA\";"
    profile ftp 'image="ftp://127.0.0.1/img.raw";' "sha256=\"$SHA\";"
    profile badsha "image=\"$IMG\";" 'sha256="xyz";'
    profile jname "image=\"$IMG\";" "sha256=\"$SHA\";" 'jname="other";'
    profile kernel "image=\"$IMG\";" "sha256=\"$SHA\";" 'kernel="/etc/shadow";'
    profile jailparam "image=\"$IMG\";" "sha256=\"$SHA\";" 'allow_mount="1";'
    profile fmt "image=\"$IMG\";" "sha256=\"$SHA\";" 'format="vmdk";'
    profile small "image=\"$IMG\";" "sha256=\"$SHA\";" 'imgsize="2m";'
    profile badval "image=\"$IMG\";" "sha256=\"$SHA\";" 'vm_cpus="lots";'
    local before
    before=$(db_dump)
    local case
    for case in "missing:no profile missing" "../etc/x:is not a profile name" \
        ".hidden:is not a profile name" "noimage:no image=" "nosha:no sha256=" \
        "relative:a URL or an absolute path" "ftp:http, https or file only" "badsha:sha256" \
        "jname:line 3: 'jname' is not for a profile" "kernel:line 3: 'kernel' is not for a profile" \
        "jailparam:line 3: 'allow_mount' is not for a profile" "fmt:format: raw or qcow2" \
        "small:imgsize 2097152 is smaller than the image" "badval:vm_cpus"; do
        run brig bcreate jname=${P}b1 vm_os_profile="${case%%:*}"
        same "$status" 2 "exit status for ${case%%:*} ($output)"
        output_has "${case#*:}"
        [ ! -e "$W/vm/${P}b1" ]
    done
    same "$(db_dump)" "$before" "the store"
}
