#!/usr/bin/env bats
# Virtual machines: bcreate, bls, bget, bset, bremove, bstart, bstop, bconsole.
# The boots run QEMU under TCG with the kernel and busybox initramfs that
# tests/fixtures/vm-kernel.sh builds; they print "brig-vm: up" on the serial
# console, take a lease from brig's dnsmasq, ping the gateway, and power off on
# the ACPI power button unless the kernel line says brig.noacpi=1.

bats_require_minimum_version 1.5.0
load helper
load foundation_helper

setup() {
    brig_setup
}

teardown() {
    local d
    # a failed test's QEMU goes with its VM's cgroup
    for d in "$W"/vm/*/; do
        [ -d "$d" ] && "$BRIG_BIN" recover jname="$(basename "$d")" >/dev/null 2>&1
    done
    return 0
}

# The fixture kernel and initramfs: built once by tests/fixtures/vm-kernel.sh.
vm_fixture() {
    local fix script=$BATS_TEST_DIRNAME/../fixtures/vm-kernel.sh
    fix=$(brig_fixture_dir vm)
    if [ ! -f "$fix/vmlinuz" ] || [ ! -f "$fix/initrd.img" ]; then
        [ -x "$script" ] || skip "no VM kernel: tests/fixtures/vm-kernel.sh is not on this branch"
        "$script" "$BATS_TEST_DIRNAME/../../build" >&2 || return 1
    fi
    fix=$(cd "$fix" && pwd -P)
    KERNEL=$fix/vmlinuz
    INITRD=$fix/initrd.img
}

# Wait up to $2 seconds for VM $1's console log to hold a line matching $3.
wait_console() {
    local i log="$W/vm/$1/console.log"
    for ((i = 0; i < $2 * 5; i++)); do
        grep -q -- "$3" "$log" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "no '$3' on $1's console in $2 s:" >&2
    cat "$log" >&2 2>/dev/null
    return 1
}

# The STATUS of VM $1 in bls.
vm_status() {
    "$BRIG_BIN" bls display=jname,status header=0 | awk -v n="$1" '$1 == n { print $2 }'
}

# Fail unless nothing of VM $1 (id $2) runs or is left: QEMU, its tap, its sockets.
nothing_left() {
    if pgrep -f "guest=$1( |\$)" >/dev/null; then
        echo "a QEMU of $1 still runs" >&2
        return 1
    fi
    if ip link show "bt${2}n0" >/dev/null 2>&1; then
        echo "tap bt${2}n0 is left" >&2
        return 1
    fi
    if [ -e "$W/vm/$1/qmp.sock" ] || [ -e "$W/vm/$1/console.sock" ]; then
        echo "a socket of $1 is left" >&2
        return 1
    fi
}

@test "bcreate records a VM beside the jails, with a sparse disk owned by the VM's own id" {
    ok brig bcreate jname=vm1 vm_ram=256m vm_cpus=2 imgsize=1g
    output_has "vm1: created"
    local disk="$W/vm/vm1/disk0.raw"
    same "$(stat -c %s "$disk")" 1073741824 "disk size"
    same "$(du -k "$disk" | cut -f1)" 0 "blocks the new disk uses"
    [ "$(stat -c %u "$disk")" -ne 0 ]
    same "$(stat -c %u "$W/vm/vm1")" "$(stat -c %u "$disk")" "owner of the VM's directory"
    ok brig bls --json
    same "$(jq -r '.[0].jname, .[0].vm_cpus, .[0].vm_ram, .[0].status' <<<"$output" | tr '\n' ' ')" \
        "vm1 2 256m stopped " "bls --json"
    ok brig bget jname=vm1 vm_ram emulator
    has_line "vm_ram: 256m"
    has_line "emulator: qemu"
    ok brig jls header=0
    output_lacks vm1
    ok brig bset jname=vm1 vm_ram=1g
    ok brig bget jname=vm1 vm_ram
    has_line "vm_ram: 1g"
}

@test "bremove --dry-run names the VM's directories and changes nothing" {
    ok brig bcreate jname=vm1 imgsize=1m
    local before
    before=$(db_dump)
    ok brig bremove jname=vm1 --dry-run
    same "$output" "# vm1: its record, $W/vm/vm1 and $W/jails-system/vm1 would be removed" \
        "bremove --dry-run"
    same "$(db_dump)" "$before" "database after --dry-run"
    [ -e "$W/vm/vm1/disk0.raw" ]
}

@test "bcreate imgtype=qcow2 makes the disk with qemu-img" {
    ok brig bcreate jname=vm1 imgtype=qcow2 imgsize=2g
    run qemu-img info --output=json "$W/vm/vm1/disk0.qcow2"
    [ "$status" -eq 0 ]
    same "$(jq -r '.format, ."virtual-size"' <<<"$output" | tr '\n' ' ')" "qcow2 2147483648 " "qemu-img info"
}

@test "bad VM input exits 2 with nothing created" {
    local bad
    for bad in "jname=bad/x" "jname=v1 imgsize=12x" "jname=v1 vm_ram=1m" "jname=v1 vm_ram=0" \
        "jname=v1 vm_cpus=0" "jname=v1 vm_cpus=65" "jname=v1 vm_iso=/nonexistent.iso" \
        "jname=v1 vm_iso=relative.iso" "jname=v1 imgtype=vmdk" "jname=v1 vm_efi=none" \
        "jname=v1 base=busybox" "jname=v1 vnc_password=x" "jname=v1 emulator=jail"; do
        # shellcheck disable=SC2086
        assert_rejected 2 "" brig bcreate $bad || {
            echo "accepted: bcreate $bad" >&2
            return 1
        }
    done
    [ ! -e "$W/vm/v1" ]
    [ -z "$(ls -A "$W/vm" 2>/dev/null)" ]
    assert_rejected 2 "vm_ram applies to VMs" brig jcreate jname=j1 vm_ram=1g
    ok brig bcreate jname=v1 imgsize=0
    assert_rejected 2 "imgsize cannot be changed" brig bset jname=v1 imgsize=2g
    assert_rejected 2 "vm_cpus: 0 is out of range" brig bset jname=v1 vm_cpus=0
    # the password goes into a QMP command: a quote could add commands of its own
    assert_rejected 2 "vnc_password: printable characters only, no quote or backslash" \
        brig bset jname=v1 vm_vnc_port=5901 'vnc_password=a"}x'
}

@test "ci_* parameters give the VM a cidata seed, attached as a virtio disk; bad ones exit 2" {
    assert_rejected 2 "ci_jname" brig bcreate jname=v1 ci_jname=bad_name
    assert_rejected 2 "ci_user_pubkey needs ci_user_add" brig bcreate jname=v1 ci_user_pubkey=x
    [ ! -e "$W/vm/v1" ]
    ok brig bcreate jname=v1 imgsize=0 kernel=/etc/hostname ip4_addr=10.199.0.50/16 ci_jname=guest1 \
        ci_user_add=alice
    local seed="$W/vm/v1/seed.iso"
    same "$(stat -c %u "$seed")" "$(stat -c %u "$W/vm/v1")" "owner of the seed"
    same "$(dd if="$seed" bs=1 skip=32808 count=6 2>/dev/null)" cidata "volume label"
    ok brig bstart jname=v1 --dry-run
    output_has "file=/proc/self/fd/99/seed.iso,format=raw,readonly=on,if=virtio"
    ok brig bremove jname=v1
    [ ! -e "$W/vm/v1" ]
}

@test "b* verbs refuse a jail and j* verbs a VM's parameters" {
    ok brig jcreate jname=j1 ip4_addr=0
    assert_rejected 2 "j1: is a jail" brig bstart jname=j1
    assert_rejected 2 "j1: is a jail" brig bset jname=j1 vm_ram=1g
    run brig bremove jname=j1
    [ "$status" -eq 2 ]
    ok brig jget jname=j1
    ok brig bcreate jname=v1 imgsize=0
    assert_rejected 2 "v1: is a VM" brig jremove jname=v1
    assert_rejected 2 "v1: is a VM" brig jremove jname=v1 force=1
    [ -d "$W/vm/v1" ]
}

@test "bstart --dry-run shows QEMU's argv: TCG without /dev/kvm, sandbox, tap fds, no VNC unless asked" {
    ok brig bcreate jname=vm1 imgsize=64m kernel=/etc/hostname append="console=ttyS0 a='b c'"
    ok brig bstart jname=vm1 --dry-run
    output_has "qemu-system-x86_64 -name guest=vm1"
    output_has "-sandbox on"
    output_has "-daemonize"
    output_has "-netdev tap,id=net0,fd=100"
    output_has "a='\\''b c'\\''"
    output_lacks "-vnc"
    [ -e /dev/kvm ] || output_has "-accel tcg"
    ok brig bset jname=vm1 vm_vnc_port=5901
    ok brig bstart jname=vm1 --dry-run
    output_has "-vnc 127.0.0.1:1"
    [ ! -e "$W/vm/vm1/qmp.sock" ]
}

@test "a VM boots under TCG, takes a lease, pings the gateway, and bstop powers it off through ACPI" {
    vm_fixture
    ok brig bcreate jname=vm1 vm_ram=256m imgsize=64m kernel="$KERNEL" initrd="$INITRD" \
        append="console=ttyS0"
    local id uid
    id=$(sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='vm1'")
    ok brig bstart jname=vm1
    has_line "vm1: started"
    same "$(vm_status vm1)" running "bls status"
    # QEMU runs as the VM's own id, never root, and its tap is on the bridge
    uid=$(ps -o uid= -p "$(pgrep -f "guest=vm1( |$)")" | tr -d " ")
    [ "$uid" -ne 0 ]
    same "$uid" "$(stat -c %u "$W/vm/vm1")" "QEMU's uid"
    run ip -o link show "bt${id}n0"
    output_has "master brig0"
    wait_console vm1 180 "brig-vm: up"
    wait_console vm1 120 "brig-vm: ping .* ok"
    run grep "brig-vm: ip " "$W/vm/vm1/console.log"
    output_has "brig-vm: ip 10.199."
    # bconsole attaches to the serial console and ~. detaches
    run bash -c "(sleep 1; printf '\n~.') | '$BRIG_BIN' bconsole jname=vm1"
    [ "$status" -eq 0 ]
    output_has "[connected to the serial console"
    output_has "[detached]"
    run brig bremove jname=vm1
    [ "$status" -eq 1 ]
    output_has "is running (stop it first, or force=1)"
    ok brig bstop jname=vm1
    has_line "vm1: stopped"
    same "$(vm_status vm1)" stopped "bls status after bstop"
    wait_console vm1 1 "Power down"
    nothing_left vm1 "$id"
    ok brig bremove jname=vm1
    [ ! -e "$W/vm/vm1" ]
    ok brig bls header=0
    same "$output" "" "bls after bremove"
}

@test "a guest that ignores the ACPI power button is ended after hard_timeout" {
    vm_fixture
    ok brig bcreate jname=vm2 vm_ram=128m imgsize=0 kernel="$KERNEL" initrd="$INITRD" \
        append="console=ttyS0 brig.noacpi=1" hard_timeout=2
    local id
    id=$(sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='vm2'")
    ok brig bstart jname=vm2
    wait_console vm2 180 "brig-vm: ping"
    ok brig bstop jname=vm2
    has_line "vm2: stopped"
    same "$(vm_status vm2)" stopped "bls status"
    run grep -c "Power down" "$W/vm/vm2/console.log"
    same "$output" 0 "power-down messages of a guest that ignores ACPI"
    nothing_left vm2 "$id"
}

@test "SIGKILL of brig during bstart or bstop leaves nothing once recovered" {
    case "$("$BRIG_BIN" --version)" in
    *"fault injection"*) ;;
    *) skip "needs a -Dfault_injection=true build" ;;
    esac
    vm_fixture
    ok brig bcreate jname=vm3 vm_ram=128m imgsize=0 kernel="$KERNEL" initrd="$INITRD" \
        append="console=ttyS0" hard_timeout=1
    local id point
    id=$(sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='vm3'")
    # before the taps, after them, and after QEMU started
    for point in bstart:4 bstart:4:after bstart:5:after; do
        run env BRIG_FAULT=$point "$BRIG_BIN" bstart jname=vm3
        same "$status" 137 "$point: exit status"
        ok brig recover jname=vm3
        nothing_left vm3 "$id" || {
            echo "after $point" >&2
            return 1
        }
        same "$(vm_status vm3)" stopped "$point: bls status"
    done
    ok brig bstart jname=vm3
    run env BRIG_FAULT=bstop:1 "$BRIG_BIN" bstop jname=vm3
    same "$status" 137 "bstop:1: exit status"
    ok brig recover jname=vm3
    nothing_left vm3 "$id"
}
