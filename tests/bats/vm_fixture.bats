#!/usr/bin/env bats
# The test VM that the VM tests boot: Debian's cloud kernel and a busybox
# initramfs (tests/fixtures/vm-kernel.sh, made once, cached under
# ${BRIG_FIXTURES:-build/fixtures}/vm). Under TCG it prints its markers on the
# serial console, takes its address from the kernel line, a cidata seed that
# brig writes, or DHCP, pings its gateway, and powers off on ACPI's power
# button. Everything runs on a bridge inside the test's private namespace.
# Runtime: small (four boots, about 30 s each under TCG on an idle machine).

load helper
load vm_fixture_helper

setup() {
    brig_require_netns
    VM_KERNEL=$VM_FIXTURES/vm/vmlinuz
    VM_INITRD=$VM_FIXTURES/vm/initrd.img
    vm_need_fixture "$VM_INITRD" tests/fixtures/vm-kernel.sh
}

teardown() {
    vm_teardown
}

@test "the test VM boots to its marker, takes brig.ip from the kernel line and pings the bridge" {
    vm_bridge 10.78.0.1/24
    # shellcheck disable=SC2046
    vm_start "$VM_KERNEL" "$VM_INITRD" "brig.ip=10.78.0.5/24 brig.gw=10.78.0.1" \
        $(vm_nic_args 02:00:00:78:00:05)
    vm_wait_for "brig-vm: ready"
    vm_saw "brig-vm: up"
    vm_saw "brig-vm: ip 10.78.0.5/24 (static)"
    vm_saw "brig-vm: ping 10.78.0.1 ok"
    vm_saw "brig-vm: acpid running"
    # the address is really the guest's: the bridge reaches it
    busybox ping -c 1 -W 5 10.78.0.5
}

@test "QMP system_powerdown powers the test VM off through its acpid" {
    vm_start "$VM_KERNEL" "$VM_INITRD" "" -nic none
    vm_wait_for "brig-vm: ready"
    vm_saw "brig-vm: no eth0"
    vm_saw "brig-vm: ip none"
    vm_qmp system_powerdown
    vm_wait_for "brig-vm: power button, powering off" 60
    vm_wait_exit 60
    grep -q "reboot: Power down" "$VM_LOG"
}

@test "a cidata seed written by brig names the test VM and gives its address and gateway" {
    vm_bridge 10.78.0.1/24
    "$CIDATA_TOOL" "$BATS_TEST_TMPDIR/seed.iso" instance_id=iid-seed1 hostname=seeded \
        user=alice ip4_addr=10.78.0.6/24 gw4=10.78.0.1 mac=02:00:00:78:00:06
    # shellcheck disable=SC2046
    vm_start "$VM_KERNEL" "$VM_INITRD" "" $(vm_nic_args 02:00:00:78:00:06) \
        -drive "file=$BATS_TEST_TMPDIR/seed.iso,media=cdrom,readonly=on"
    vm_wait_for "brig-vm: ready"
    vm_saw "brig-vm: hostname seeded"
    vm_saw "brig-vm: ip 10.78.0.6/24 (seed)"
    vm_saw "brig-vm: ping 10.78.0.1 ok"
    busybox ping -c 1 -W 5 10.78.0.6
}

@test "with neither address nor seed the test VM takes a DHCP lease; brig.noacpi=1 ignores the power button" {
    vm_bridge 10.78.0.1/24
    dnsmasq --conf-file=/dev/null --port=0 --interface=vmbr0 --bind-interfaces \
        --dhcp-range=10.78.0.50,10.78.0.59,255.255.255.0,1h --dhcp-option=3,10.78.0.1 \
        --dhcp-leasefile="$BATS_TEST_TMPDIR/leases" --pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid"
    # shellcheck disable=SC2046
    vm_start "$VM_KERNEL" "$VM_INITRD" "brig.noacpi=1" $(vm_nic_args 02:00:00:78:00:07)
    vm_wait_for "brig-vm: ready"
    vm_saw_re "brig-vm: ip 10\.78\.0\.5[0-9]/24 (dhcp)"
    vm_saw "brig-vm: ping 10.78.0.1 ok"
    grep -q "02:00:00:78:00:07" "$BATS_TEST_TMPDIR/leases"
    vm_saw "brig-vm: acpi ignored"
    vm_qmp system_powerdown
    if vm_wait_exit 10; then
        echo "the VM powered off despite brig.noacpi=1" >&2
        return 1
    fi
    run grep -q "power button" "$VM_LOG"
    [ "$status" -eq 1 ]
}

@test "the seed tool refuses a hostile hostname with one line and writes no seed" {
    run "$CIDATA_TOOL" "$BATS_TEST_TMPDIR/seed.iso" instance_id=i1 "hostname=a
runcmd: [reboot]"
    [ "$status" -eq 2 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"cloud-init hostname: may hold only"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/seed.iso" ]
    [ -z "$(ls "$BATS_TEST_TMPDIR" | grep seed)" ]
}
