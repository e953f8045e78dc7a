# Helpers for the tests of running jails: setup with the busybox base,
# teardown that stops everything, and snapshots of what a jail may leave
# behind on the host (mounts, cgroups, links, processes, fds, zombies).
#
# The cgroup hierarchies are the machine's own (tests/netns-run.sh binds them
# into its namespace), so teardown removes whatever cgroup a jail of this
# workdir may have left, and the tests use jail names of their own.

load helper
load foundation_helper

# A prefix for the jail names of one test: cgroups are named after the jail
# and shared with any other brig on the machine, so names must not collide.
P=r$RANDOM

# A fresh workdir with the busybox base.
life_setup() {
    brig_setup || return 1
    brig_busybox_base
}

# The workdir's node id: its jails' cgroups are brig/<nodeid>/<jname>.
node_id() {
    sed -n 's/^nodeid="\([a-z0-9]*\)";$/\1/p' "$W/etc/brig.conf" 2>/dev/null
}

# Names of the jails recorded in this test's workdir.
life_jnames() {
    [ -f "$W/var/db/local.sqlite" ] || return 0
    sqlite3 "$W/var/db/local.sqlite" "select jname from jails" 2>/dev/null
}

# Stop every jail of the workdir, undo what a crash left, and remove any
# cgroup of its jails that is still there.
life_teardown() {
    [ -n "${W:-}" ] && [ -d "$W" ] || return 0
    local n d id
    id=$(node_id)
    "$BRIG_BIN" jstop jname='*' >/dev/null 2>&1 || true
    "$BRIG_BIN" recover >/dev/null 2>&1 || true
    for n in $(life_jnames); do
        for d in /sys/fs/cgroup/*/brig/"$id/$n" /sys/fs/cgroup/brig/"$id/$n"; do
            [ -d "$d" ] || continue
            find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        done
    done
    grep -o " $W/[^ ]* " /proc/self/mountinfo 2>/dev/null | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# One jail's status as jls shows it (running or stopped).
jstatus() {
    "$BRIG_BIN" jls display=jname,status header=0 | awk -v j="$1" '$1 == j { print $2 }'
}

# The pid jls shows for a jail (0 when stopped).
jpid() {
    "$BRIG_BIN" jls display=jname,pid header=0 | awk -v j="$1" '$1 == j { print $2 }'
}

# Create a jail with the given parameters and start it; fail showing the output.
jail_up() {
    ok brig jcreate "$@" || return 1
    local jn
    jn=$(printf '%s\n' "$@" | sed -n 's/^jname=//p')
    ok brig jstart jname="$jn"
}

# Mount points under the workdir (the jails' roots and anything below them).
count_mounts() {
    awk -v w="$W/" 'index($5, w) == 1' /proc/self/mountinfo | wc -l
}

# All lines of the mount table, of any kind.
count_all_mounts() {
    wc -l </proc/self/mountinfo
}

# cgroup directories of the workdir's jails, in any hierarchy.
count_cgroups() {
    local n total=0 c
    for n in $(life_jnames); do
        c=$(find /sys/fs/cgroup -path "*/brig/$(node_id)/$n" -type d 2>/dev/null | wc -l)
        total=$((total + c))
    done
    echo "$total"
}

# Host-side links brig made for VNET jails.
count_links() {
    ip -o link show | awk -F': ' '{ print $2 }' | grep -c '^bj' || true
}

# Port filter chains (brig's, named after host ends) in the test's namespace.
count_filters() {
    nft list table bridge brig 2>/dev/null | grep -c '^[[:space:]]*chain bj' || true
}

# Every link in the test's network namespace.
count_all_links() {
    ip -o link show | wc -l
}

# Jail inits (brig-init) alive in the test's pid namespace.
count_inits() {
    local c
    c=$(pgrep -xc brig-init 2>/dev/null) || c=0
    echo "$c"
}

# Zombie processes in the test's pid namespace.
count_zombies() {
    ps -eo stat= | grep -c '^Z' || true
}

# Open fds of the test's shell.
count_fds() {
    ls "/proc/$BASHPID/fd" | wc -l
}

# One line per resource: name and count.
life_snapshot() {
    echo "mounts $(count_all_mounts)"
    echo "workdir_mounts $(count_mounts)"
    echo "cgroups $(count_cgroups)"
    echo "links $(count_all_links)"
    echo "bj_links $(count_links)"
    echo "port_filters $(count_filters)"
    echo "inits $(count_inits)"
    echo "zombies $(count_zombies)"
    echo "fds $(count_fds)"
}

# Fail, showing both, unless two snapshots are equal.
# True once life_snapshot is $1 again (what a stop frees, such as a network
# namespace's links, the kernel may free a moment after).
settled_to() {
    [ "$(life_snapshot)" = "$1" ]
}

snapshot_same() {
    [ "$1" = "$2" ] && return 0
    echo "before:" >&2
    echo "$1" >&2
    echo "after:" >&2
    echo "$2" >&2
    return 1
}

# Fail, saying what is left, unless no jail of the workdir left anything:
# no mount under the workdir, no cgroup, no bj* link or port filter, no jail init.
assert_nothing_left() {
    local what="${1:-}" m c l f i
    m=$(count_mounts)
    c=$(count_cgroups)
    l=$(count_links)
    f=$(count_filters)
    i=$(count_inits)
    if [ "$m" -ne 0 ] || [ "$c" -ne 0 ] || [ "$l" -ne 0 ] || [ "$f" -ne 0 ] || [ "$i" -ne 0 ]; then
        echo "${what:+$what: }left behind: mounts=$m cgroups=$c bj_links=$l port_filters=$f inits=$i" >&2
        awk -v w="$W/" 'index($5, w) == 1 { print "  mount " $5 }' /proc/self/mountinfo >&2
        local n
        for n in $(life_jnames); do
            find /sys/fs/cgroup -path "*/brig/$(node_id)/$n" -type d 2>/dev/null | sed 's/^/  cgroup /' >&2
        done
        return 1
    fi
}

# Fail unless the build has fault injection (BRIG_FAULT); skip with why.
need_fault_injection() {
    case "$("$BRIG_BIN" --version)" in
    *"fault injection"*) return 0 ;;
    esac
    skip "needs a -Dfault_injection=true build (brig --version mentions fault injection)"
}

# Wait up to $2 tenths of a second for jail $1 to reach status $3.
wait_status() {
    local end=$((SECONDS + 120))
    until [ "$(jstatus "$1")" = "$2" ]; do
        if [ "$SECONDS" -ge "$end" ]; then
            echo "$1: status $(jstatus "$1"), wanted $2" >&2
            return 1
        fi
        sleep 0.1
    done
}

# Ping from jail $1 (further arguments: ping's) one echo at a time until one
# comes back, for at most a minute: on a loaded machine the first echo may
# wait on ARP or neighbour discovery longer than its own timeout. Sets status
# and output as run does, from the last try.
jail_pings() {
    local j=$1 end=$((SECONDS + 60))
    shift
    while :; do
        run "$BRIG_BIN" jexec jname="$j" -- ping -c1 -W2 "$@"
        if [ "$status" -eq 0 ] || [ "$SECONDS" -ge "$end" ]; then
            return 0
        fi
        sleep 0.2
    done
}
