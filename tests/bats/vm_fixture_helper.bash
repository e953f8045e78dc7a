# Boot the test VM (tests/fixtures/vm-kernel.sh) or the cloud image
# (tests/fixtures/vm-cloud-image.sh) with plain qemu-system-x86_64 under TCG,
# on a tap of a bridge in the test's private network namespace.

VM_FIXTURES=${BRIG_FIXTURES:-$BATS_TEST_DIRNAME/../../build/fixtures}
CIDATA_TOOL=${CIDATA_TOOL:-$(dirname "$BRIG_BIN")/../tests/cidata-tool}

# Skip, saying what to run, when fixture file $1 was not made.
vm_need_fixture() {
    [ -f "$1" ] || skip "no $1: run $2 build first (it downloads)"
    command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
}

# Bridge vmbr0 with address $1 (A.B.C.D/NN) and tap vmtap0 on it.
vm_bridge() {
    ip link add vmbr0 type bridge
    ip addr add "$1" dev vmbr0
    ip link set vmbr0 up
    ip tuntap add dev vmtap0 mode tap
    ip link set vmtap0 master vmbr0
    ip link set vmtap0 up
}

# Start QEMU in the background: vm_start KERNEL INITRD APPEND [qemu args...].
# The serial console goes to $BATS_TEST_TMPDIR/serial.log, QMP to qmp.sock.
vm_start() {
    local kernel=$1 initrd=$2 append=$3
    shift 3
    VM_LOG=$BATS_TEST_TMPDIR/serial.log
    VM_QMP=$BATS_TEST_TMPDIR/qmp.sock
    qemu-system-x86_64 -accel tcg -m "${VM_RAM:-256}" -display none -no-reboot \
        -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 $append" \
        -serial "file:$VM_LOG" -qmp "unix:$VM_QMP,server=on,wait=off" \
        -daemonize -pidfile "$BATS_TEST_TMPDIR/qemu.pid" "$@"
    VM_PID=$(cat "$BATS_TEST_TMPDIR/qemu.pid")
}

# A NIC on vmtap0 with MAC $1.
vm_nic_args() {
    echo "-netdev tap,id=n0,ifname=vmtap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$1"
}

# True while the QEMU process runs (a zombie has exited).
vm_running() {
    local st
    st=$(cut -d' ' -f3 "/proc/$VM_PID/stat" 2>/dev/null) || return 1
    [ "$st" != Z ]
}

# Wait up to $2 seconds (default 300: TCG on a busy machine) for line $1 in
# the serial log; fails, showing the log's end, when QEMU exits or time runs out.
vm_wait_for() {
    local i
    for ((i = 0; i < ${2:-300}; i++)); do
        grep -qF -- "$1" "$VM_LOG" 2>/dev/null && return 0
        vm_running || break
        sleep 1
    done
    grep -qF -- "$1" "$VM_LOG" 2>/dev/null && return 0
    echo "no '$1' on the serial console; its end:" >&2
    tail -n 30 "$VM_LOG" >&2
    return 1
}

# Send QMP command $1 (after the capabilities handshake).
vm_qmp() {
    printf '{"execute":"qmp_capabilities"}\n{"execute":"%s"}\n' "$1" |
        socat -t 2 - "UNIX-CONNECT:$VM_QMP"
}

# Wait up to $1 seconds for QEMU to exit.
vm_wait_exit() {
    local i
    for ((i = 0; i < $1; i++)); do
        vm_running || return 0
        sleep 1
    done
    return 1
}

vm_teardown() {
    if [ -n "${VM_PID:-}" ] && vm_running; then
        kill "$VM_PID"
        vm_wait_exit 10 || kill -9 "$VM_PID"
    fi
    if [ -f "$BATS_TEST_TMPDIR/dnsmasq.pid" ]; then
        kill "$(cat "$BATS_TEST_TMPDIR/dnsmasq.pid")" 2>/dev/null || true
    fi
    ip link del vmtap0 2>/dev/null || true
    ip link del vmbr0 2>/dev/null || true
}

# True when the serial console showed line $1 exactly (its CRs dropped);
# shows the console's brig-vm lines when not.
vm_saw() {
    tr -d '\r' <"$VM_LOG" | grep -qx -- "$1" && return 0
    echo "no line '$1' on the serial console; its brig-vm lines:" >&2
    tr -d '\r' <"$VM_LOG" | grep 'brig-vm:' >&2
    return 1
}

# Like vm_saw, with a basic regular expression for the whole line.
vm_saw_re() {
    tr -d '\r' <"$VM_LOG" | grep -qx -- "$1" && return 0
    echo "no line matching '$1' on the serial console; its brig-vm lines:" >&2
    tr -d '\r' <"$VM_LOG" | grep 'brig-vm:' >&2
    return 1
}
