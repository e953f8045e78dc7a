# Helpers for the VNET tests: jails with their own network stack on brig's
# bridges, "outside hosts" as extra network namespaces, and commands run
# inside a jail. Everything lives in the private namespaces of
# tests/netns-run.sh; outside hosts are removed by vnet_teardown.

load lifecycle_helper

# The host has no ping of its own here: busybox's. One echo at a time until
# one comes back, for at most a minute: on a loaded machine the first may
# wait on ARP or neighbour discovery longer than an echo's own timeout.
host_ping() {
    local end=$((SECONDS + 60))
    until busybox ping -c1 -W2 "$@" >/dev/null; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.2
    done
}

# One echo only: for a test that wants no answer.
host_ping_once() {
    busybox ping -c1 -W2 "$@" >/dev/null
}

vnet_setup() {
    life_setup || return 1
    VNET_NETNS=()
}

# Stop the jails, then remove the outside hosts and bridges this test made.
vnet_teardown() {
    life_teardown
    local ns l
    for ns in "${VNET_NETNS[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    nft delete table ip brig 2>/dev/null || true
    nft delete table bridge brig 2>/dev/null || true
    # the network namespace is the whole test run's: leave it as the next test expects
    for l in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
        [ "$l" = lo ] || ip link del "$l" 2>/dev/null || true
    done
    pkill_dnsmasq_of_workdir
}

# dnsmasq instances this workdir started (found by their pid files).
pkill_dnsmasq_of_workdir() {
    local f pid
    for f in "$W"/var/run/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
}

# Make an outside host: netns $1 joined to the test's namespace by a veth
# pair ($2 on our side with address $3, eth0 inside with address $4).
outside_host() {
    local ns=$1 here=$2 here_addr=$3 there_addr=$4
    ip netns add "$ns" || return 1
    VNET_NETNS+=("$ns")
    ip link add "$here" type veth peer name eth0 netns "$ns" || return 1
    ip addr add "$here_addr" dev "$here"
    ip link set "$here" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$there_addr" dev eth0
    ip -n "$ns" link set eth0 up
}

# Run a command in a running jail (output in $output, status in $status).
in_jail() {
    local j=$1
    shift
    run "$BRIG_BIN" jexec jname="$j" -- "$@"
}

# The IPv4 addresses (without prefix) of interface $2 inside jail $1, one a line.
jail_ipv4() {
    "$BRIG_BIN" jexec jname="$1" -- ip -4 -o addr show dev "$2" |
        awk '{ for (i = 1; i <= NF; i++) if ($i == "inet") { sub(/\/.*/, "", $(i + 1)); print $(i + 1) } }'
}

# The MAC of interface $2 inside jail $1.
jail_mac() {
    "$BRIG_BIN" jexec jname="$1" -- cat "/sys/class/net/$2/address" 2>/dev/null ||
        "$BRIG_BIN" jexec jname="$1" -- ip -o link show dev "$2" |
        awk '{ for (i = 1; i <= NF; i++) if ($i == "link/ether") print $(i + 1) }'
}

# Does the jail have interface $2?
jail_has_link() {
    "$BRIG_BIN" jexec jname="$1" -- ip -o link show dev "$2" >/dev/null 2>&1
}

# Append the article's ruleset for DHCP in VNET jails (number 7) to etc/devfs.rules.
devfs_rules_dhcp() {
    cat >>"$W/etc/devfs.rules" <<'RULES'

[devfsrules_jail_vnet_dhcp=7]
add include $devfsrules_jail_vnet
add path 'bpf*' unhide
RULES
}

# Append a ruleset (number 8) that also unhides tun devices.
devfs_rules_tun() {
    cat >>"$W/etc/devfs.rules" <<'RULES'

[devfsrules_jail_vnet_tun=8]
add include $devfsrules_jail_vnet
add path 'tun*' unhide
RULES
}
