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
    # a failed test's VM is stopped at once (its bridge with it, or the next
    # test's workdir finds the bridge another's); an interrupted one recovered
    for d in "$W"/vm/*/; do
        [ -d "$d" ] || continue
        "$BRIG_BIN" bset jname="$(basename "$d")" hard_timeout=0 >/dev/null 2>&1
        "$BRIG_BIN" bstop jname="$(basename "$d")" >/dev/null 2>&1
        "$BRIG_BIN" recover jname="$(basename "$d")" >/dev/null 2>&1
    done
    return 0
}

# The fixture kernel and initramfs: built once by tests/fixtures/vm-kernel.sh.
vm_fixture() {
    local fix script=$BATS_TEST_DIRNAME/../fixtures/vm-kernel.sh
    fix=$(brig_fixture_dir vm)
    # the script remakes the initramfs when its files changed (brig.spoof=
    # came later than some caches), and says "cached" otherwise
    if [ -x "$script" ]; then
        "$script" "$BATS_TEST_DIRNAME/../../build" >&2 || return 1
    elif [ ! -f "$fix/vmlinuz" ] || [ ! -f "$fix/initrd.img" ]; then
        skip "no VM kernel: tests/fixtures/vm-kernel.sh is not on this branch"
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
    if nft list chain bridge brig "bt${2}n0" >/dev/null 2>&1; then
        echo "the port filter of bt${2}n0 is left" >&2
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

# File $2 of VM $1's seed ISO, read back from the ISO.
seed_file() {
    isoinfo -R -i "$W/vm/$1/seed.iso" -x "/$2"
}

@test "bset ci_* on a stopped VM rewrites its seed; a bad value changes neither record nor seed" {
    ok brig bcreate jname=v1 imgsize=0 kernel=/etc/hostname ip4_addr=10.199.0.51/16 ci_jname=guest1
    run seed_file v1 meta-data
    output_has 'local-hostname: "guest1"'
    ok brig bset jname=v1 ci_jname=guest2 ci_user_add=alice ci_gw4=10.199.0.254
    output_lacks "next start"
    run seed_file v1 meta-data
    output_has 'local-hostname: "guest2"'
    run seed_file v1 user-data
    output_has "alice"
    run seed_file v1 network-config
    output_has "10.199.0.51/16"
    output_has "10.199.0.254"
    # ci_ip4_addr is the NIC's address, as at bcreate
    ok brig bset jname=v1 ci_ip4_addr=10.199.0.52/16
    ok brig bget jname=v1 ip4_addr
    has_line "ip4_addr: 10.199.0.52/16"
    run seed_file v1 network-config
    output_has "10.199.0.52/16"
    same "$(stat -c %u "$W/vm/v1/seed.iso")" "$(stat -c %u "$W/vm/v1")" "owner of the new seed"
    same "$(stat -c %a "$W/vm/v1/seed.iso")" 400 "mode of the new seed"
    local sum
    sum=$(sha256sum <"$W/vm/v1/seed.iso")
    assert_rejected 2 "ci_jname" brig bset jname=v1 ci_jname=bad_name
    assert_rejected 2 "ci_user_pubkey: one line" brig bset jname=v1 "ci_user_pubkey=ssh-ed25519 AAAA
runcmd: [reboot]"
    assert_rejected 2 "" brig bset jname=v1 ci_ip4_addr=10.199.0.999/16
    same "$(sha256sum <"$W/vm/v1/seed.iso")" "$sum" "the seed after refused changes"
    [ -z "$(ls "$W/vm/v1" | grep -v -e '^seed.iso$')" ]
    # a change that leaves the seed as it was does not write it
    ok brig bset jname=v1 vm_ram=256m
    same "$(sha256sum <"$W/vm/v1/seed.iso")" "$sum" "the seed after vm_ram="
}

# VM $1's id, and its NIC 0's MAC as QEMU gets it.
vm_id() {
    sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='$1'"
}
vm_mac() {
    "$BRIG_BIN" bstart jname="$1" --dry-run | grep -o 'virtio-net-pci,netdev=net0,mac=[0-9a-f:]*'
}

@test "bclone copies a stopped VM: new id, MAC, IPAM address and id range, its disk sparse, a seed for the new name" {
    ok brig bcreate jname=v1 imgsize=1g ip4_addr=DHCP ci_user_add=alice
    local disk1="$W/vm/v1/disk0.raw"
    printf 'brig-disk-marker' | dd of="$disk1" bs=1 seek=$((512 << 20)) conv=notrunc 2>/dev/null
    echo "old console" >"$W/vm/v1/console.log"
    ok brig bclone old=v1 new=v2
    has_line "v1: cloned to v2 (ip4_addr=$("$BRIG_BIN" bget jname=v2 ip4_addr | sed 's/^ip4_addr: //'))"
    local ip1 ip2
    ip1=$("$BRIG_BIN" bget jname=v1 ip4_addr)
    ip2=$("$BRIG_BIN" bget jname=v2 ip4_addr)
    [[ "$ip2" == "ip4_addr: 10.199."* ]]
    [ "$ip1" != "$ip2" ]
    [ "$(vm_id v1)" != "$(vm_id v2)" ]
    [ "$(vm_mac v1)" != "$(vm_mac v2)" ]
    # the disk: the same bytes, still sparse, owned by the new VM's id
    local disk2="$W/vm/v2/disk0.raw"
    cmp "$disk1" "$disk2"
    same "$(stat -c %s "$disk2")" 1073741824 "size of the copy"
    [ "$(du -k "$disk2" | cut -f1)" -lt 1024 ]
    [ "$(stat -c %u "$W/vm/v2")" != "$(stat -c %u "$W/vm/v1")" ]
    same "$(stat -c %u "$disk2")" "$(stat -c %u "$W/vm/v2")" "owner of the copied disk"
    same "$(stat -c %u "$W/vm/v2/seed.iso")" "$(stat -c %u "$W/vm/v2")" "owner of the new seed"
    run seed_file v2 meta-data
    output_has 'instance-id: "v2"'
    output_has 'local-hostname: "v2"'
    run seed_file v2 user-data
    output_has alice
    [ ! -e "$W/vm/v2/console.log" ]
    [ ! -e "$W/vm/v2/.cloning" ]
    same "$(ls -A "$W/vm" | tr '\n' ' ')" "v1 v2 " "the VM directories"
    # the copy is a VM of its own: removing it leaves the old one whole
    ok brig bremove jname=v2
    same "$(dd if="$disk1" bs=1 skip=$((512 << 20)) count=16 2>/dev/null)" brig-disk-marker \
        "the old disk after bremove of the copy"
    ok brig bget jname=v1 ip4_addr
}

@test "bclone refuses a bad or taken name, a jail and a missing VM, with nothing made" {
    ok brig bcreate jname=v1 imgsize=1m ip4_addr=10.199.0.70/16
    ok brig jcreate jname=j1 ip4_addr=0
    assert_rejected 2 "new 'bad/x' may hold only" brig bclone old=v1 new=bad/x
    assert_rejected 2 "new= is required" brig bclone old=v1
    assert_rejected 2 "bclone takes new=, not jname=" brig bclone old=v1 new=v2 jname=v3
    assert_rejected 2 "j1: is a jail" brig bclone old=j1 new=v2
    run brig bclone old=nosuch new=v2
    [ "$status" -ne 0 ]
    output_has nosuch
    # the static address is the old VM's: the clone needs another
    assert_rejected 2 "10.199.0.70" brig bclone old=v1 new=v2
    run brig bclone old=v1 new=j1
    [ "$status" -ne 0 ]
    same "$(ls -A "$W/vm" | tr '\n' ' ')" "v1 " "the VM directories"
    ok brig bclone old=v1 new=v2 ip4_addr=10.199.0.71/16
    ok brig bget jname=v2 ip4_addr
    has_line "ip4_addr: 10.199.0.71/16"
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

@test "a VM's tap drops frames from a MAC or address not the VM's, as a jail's veth does" {
    vm_fixture
    # the guest tries 10.199.0.77 and 02:00:00:00:00:77 once its own address works
    ok brig bcreate jname=vm4 vm_ram=128m imgsize=0 kernel="$KERNEL" initrd="$INITRD" \
        ip4_addr=10.199.0.60/16 nic_hwaddr=02:00:00:00:00:60 append="console=ttyS0 \
brig.ip=10.199.0.60/16 brig.gw=10.199.0.1 brig.spoof=10.199.0.77,02:00:00:00:00:77"
    local id
    id=$(sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='vm4'")
    ok brig bstart jname=vm4
    run nft list chain bridge brig "bt${id}n0"
    [ "$status" -eq 0 ]
    output_has "ether saddr != 02:00:00:00:00:60 drop"
    output_has "jump bj${id}"
    run nft list chain bridge brig "bj${id}"
    output_has "10.199.0.60"
    wait_console vm4 180 "brig-vm: reach .* from own addresses"
    run grep "brig-vm: reach" "$W/vm/vm4/console.log"
    output_has "brig-vm: reach 10.199.0.1 from ip 10.199.0.77 fail"
    output_has "brig-vm: reach 10.199.0.1 from mac 02:00:00:00:00:77 fail"
    output_has "brig-vm: reach 10.199.0.1 from own addresses ok"
    ok brig bstop jname=vm4
    nothing_left vm4 "$id"
    run nft list chain bridge brig "bj${id}"
    [ "$status" -ne 0 ]
}

@test "nic_filter=0 puts no filter on a VM's tap" {
    vm_fixture
    ok brig bcreate jname=vm5 vm_ram=128m imgsize=0 kernel="$KERNEL" initrd="$INITRD" \
        append="console=ttyS0" nic_filter=0 hard_timeout=1
    local id
    id=$(sqlite3 "$W/var/db/local.sqlite" "SELECT id FROM jails WHERE jname='vm5'")
    ok brig bstart jname=vm5
    run ip -o link show "bt${id}n0"
    output_has "master brig0"
    run nft list chain bridge brig "bt${id}n0"
    [ "$status" -ne 0 ]
    ok brig bstop jname=vm5
    nothing_left vm5 "$id"
}

@test "the next bstart boots with the seed bset wrote; a running VM takes it at its next start" {
    vm_fixture
    ok brig bcreate jname=vm6 vm_ram=128m imgsize=0 kernel="$KERNEL" initrd="$INITRD" \
        append="console=ttyS0" ip4_addr=10.199.0.61/16 ci_jname=first hard_timeout=1
    ok brig bset jname=vm6 ci_jname=second
    ok brig bstart jname=vm6
    wait_console vm6 180 "brig-vm: ready"
    run grep "brig-vm: hostname" "$W/vm/vm6/console.log"
    output_has "brig-vm: hostname second"
    output_lacks "first"
    ok brig bset jname=vm6 ci_jname=third
    has_line "vm6: applies at the next start (brig bstop jname=vm6; brig bstart jname=vm6): ci_jname"
    run seed_file vm6 meta-data
    output_has 'local-hostname: "third"'
    ok brig bstop jname=vm6
}

@test "bclone refuses a running VM and changes nothing" {
    vm_fixture
    ok brig bcreate jname=vm7 vm_ram=128m imgsize=1m kernel="$KERNEL" initrd="$INITRD" \
        append="console=ttyS0" hard_timeout=1
    ok brig bstart jname=vm7
    assert_rejected 2 "vm7: is running (stop it first: brig bstop jname=vm7)" \
        brig bclone old=vm7 new=vm8
    [ ! -e "$W/vm/vm8" ]
    [ ! -e "$W/vm/.clone-vm8" ]
    ok brig bstop jname=vm7
    ok brig bclone old=vm7 new=vm8
}

@test "bclone killed at any point leaves no VM; recover or the next bclone clears what it copied" {
    case "$("$BRIG_BIN" --version)" in
    *"fault injection"*) ;;
    *) skip "needs a -Dfault_injection=true build" ;;
    esac
    ok brig bcreate jname=v1 imgsize=64m ip4_addr=DHCP ci_jname=guest
    local point before
    before=$(db_dump)
    # before the copy, before the new directory is in place, before the commit
    for point in bclone:1 bclone:2 bclone:3; do
        run env BRIG_FAULT=$point "$BRIG_BIN" bclone old=v1 new=v2
        same "$status" 137 "$point: exit status"
        same "$(db_dump)" "$before" "$point: the store"
        run brig bls header=0 display=jname
        same "$output" "v1" "$point: bls"
        ok brig recover
        same "$(ls -A "$W/vm" | tr '\n' ' ')" "v1 " "$point: the VM directories after recover"
    done
    # killed with the directory in place: the next bclone of the name clears it
    run env BRIG_FAULT=bclone:3 "$BRIG_BIN" bclone old=v1 new=v2
    same "$status" 137 "exit status"
    [ -e "$W/vm/v2/.cloning" ]
    ok brig bclone old=v1 new=v2
    [ ! -e "$W/vm/v2/.cloning" ]
    same "$(ls -A "$W/vm" | tr '\n' ' ')" "v1 v2 " "the VM directories"
    # a recover leaves a finished clone alone
    ok brig recover
    [ -e "$W/vm/v2/disk0.raw" ]
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
