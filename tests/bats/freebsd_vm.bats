#!/usr/bin/env bats
# brig --os=freebsd with VMs: a bhyve VM is recorded like a QEMU one; bstart,
# bstop, bcreate and bremove with --dry-run print the bhyve(8) plan a FreeBSD
# host would run (tests/golden/vm_*.plan hold the plan builder's cases).

load helper
load foundation_helper

setup() {
    brig_setup
    unset BRIG_FREEBSD_RELEASE
}

fbsd() {
    "$BRIG_BIN" --os=freebsd "$@"
}

vm_count() {
    sqlite3 "$W/var/db/local.sqlite" "SELECT count(*) FROM jails WHERE emulator='bhyve'"
}

@test "bcreate with --os=freebsd records a bhyve VM that boots through UEFI" {
    ok fbsd bcreate jname=vm1 imgsize=1g
    same "$output" "vm1: created (ip4_addr=REALDHCP)" bcreate
    ok fbsd bget jname=vm1 emulator vm_efi
    has_line "emulator: bhyve"
    has_line "vm_efi: uefi"
}

@test "bcreate --dry-run with --os=freebsd prints the VM's directory and truncate of its raw disk" {
    ok fbsd bcreate jname=vm1 imgsize=20g --dry-run
    has_line "mkdir -m 0700 $W/vm/vm1"
    has_line "truncate -s 20G $W/vm/vm1/disk0.raw"
    same "$(vm_count)" 0 "VMs recorded"
    [ ! -e "$W/vm/vm1" ]
}

@test "bcreate refuses imgtype=qcow2 for bhyve in one line naming raw, and records nothing" {
    assert_rejected 2 "imgtype=qcow2: bhyve reads raw disks only (imgtype=raw)" \
        fbsd bcreate jname=vm1 imgtype=qcow2
    [ ! -e "$W/vm/vm1" ]
}

@test "bcreate refuses what bhyve cannot boot: BIOS for a Linux guest, a kernel given directly" {
    assert_rejected 2 "vm_efi=bios: bhyve has no BIOS" fbsd bcreate jname=vm1 vm_efi=bios
    : >"$BATS_TEST_TMPDIR/vmlinuz"
    assert_rejected 2 "kernel=: bhyve boots no kernel directly" \
        fbsd bcreate jname=vm1 kernel="$BATS_TEST_TMPDIR/vmlinuz"
}

@test "a comma in vnc_password is refused at bcreate and bset: it would end bhyve's fbuf option" {
    assert_rejected 2 "vnc_password: bhyve's option lists are comma-separated" \
        fbsd bcreate jname=vm1 vm_vnc_port=5901 vnc_password=a,w=1
    ok fbsd bcreate jname=vm1 vm_vnc_port=5901
    assert_rejected 2 "vnc_password: bhyve's option lists are comma-separated" \
        fbsd bset jname=vm1 vnc_password=a,w=1
}

@test "bstart --dry-run runs bhyve under daemon(8) with the VM's tap, disk, console and firmware" {
    ok fbsd bcreate jname=vm1 vm_cpus=2 vm_ram=2g imgsize=1g
    local id
    id=$(sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='vm1'")
    ok fbsd bstart jname=vm1 --dry-run
    has_line "kldload -n vmm"
    has_line "ifconfig tap${id}0 create"
    has_line "ifconfig brig0 addm tap${id}0"
    output_has "daemon -f -o $W/jails-system/vm1/bhyve.log -p $W/jails-system/vm1/bhyve.pid bhyve -c 2 -m 2G "
    output_has " -s 2,virtio-blk,$W/vm/vm1/disk0.raw "
    output_has " -l com1,/dev/nmdm${id}A -l bootrom,/usr/local/share/uefi-firmware/BHYVE_UEFI.fd "
    [ "${lines[-2]##* }" = vm1 ]
}

@test "bstop --dry-run presses the power button, waits hard_timeout, then destroys the VM and its tap" {
    ok fbsd bcreate jname=vm1 imgsize=1g hard_timeout=12
    ok fbsd bstop jname=vm1 --dry-run
    has_line "pkill -TERM -F $W/jails-system/vm1/bhyve.pid -x bhyve || true"
    output_has "while it prints 'bhyve' (at most 12 s)"
    has_line "bhyvectl --vm=vm1 --force-poweroff || true"
    has_line "bhyvectl --vm=vm1 --destroy || true"
    output_has "destroy || true"
}

@test "bremove --dry-run prints what goes and changes nothing; bremove removes the VM" {
    ok fbsd bcreate jname=vm1 imgsize=1m
    local before
    before=$(db_dump)
    ok fbsd bremove jname=vm1 --dry-run
    has_line "bhyvectl --vm=vm1 --destroy || true"
    has_line "rm -rf $W/vm/vm1"
    same "$(db_dump)" "$before" "database after --dry-run"
    [ -e "$W/vm/vm1/disk0.raw" ]
    ok fbsd bremove jname=vm1
    same "$(vm_count)" 0 "VMs left"
    [ ! -e "$W/vm/vm1" ]
}

@test "bstart and bstop with --os=freebsd but no --dry-run are refused" {
    ok fbsd bcreate jname=vm1 imgsize=1m
    assert_rejected 2 "add --dry-run" fbsd bstart jname=vm1
    assert_rejected 2 "add --dry-run" fbsd bstop jname=vm1
}

@test "a hostile VNC password stays one argv word and renders quoted, so a paste runs nothing" {
    ok fbsd bcreate jname=vm1 imgsize=1m vm_vnc_port=5901 'vnc_password=$(id)|;`'
    ok fbsd bstart jname=vm1 --dry-run
    output_has " -s '29,fbuf,tcp=127.0.0.1:5901,w=1024,h=768,password=\$(id)|;\`' "
    local cmd
    cmd=$(printf '%s\n' "${lines[@]}" | grep '^daemon ')
    # sh parses the rendered line back into the same words: the password is one of them
    eval "set -- $cmd"
    local w found=0
    for w in "$@"; do
        [ "$w" = '29,fbuf,tcp=127.0.0.1:5901,w=1024,h=768,password=$(id)|;`' ] && found=1
    done
    same "$found" 1 "password word after sh's parsing"
}

# The full plan, byte for byte, against tests/golden/cli-vm.plan (the workdir
# is written as /var/lib/brig there). BRIG_GOLDEN_UPDATE=1 rewrites it.
@test "the bstart plan of a cloud-init VM with VNC matches the golden file" {
    local golden="$BATS_TEST_DIRNAME/../golden/cli-vm.plan"
    ok fbsd bcreate jname=web1 vm_cpus=2 vm_ram=2g imgsize=20g ip4_addr=10.199.0.20/16 \
        ci_user_add=alice vm_vnc_port=5920 vnc_password=s3cr3t
    run fbsd bstart jname=web1 --dry-run
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    local got="${output//"$W"//var/lib/brig}"
    if [ "${BRIG_GOLDEN_UPDATE:-}" = 1 ]; then
        printf '%s\n' "$got" >"$golden"
    fi
    diff -u "$golden" <(printf '%s\n' "$got")
}
