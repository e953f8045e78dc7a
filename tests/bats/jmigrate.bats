#!/usr/bin/env bats
# jmigrate: a jail moved to another node through ssh. The second node is a
# network and mount namespace of the test's own (made with unshare, gone with
# its process), joined to the test's by a veth, with a workdir of its own and
# a real sshd on a key made here. Every failure leaves the jail here, whole
# and as it was.

load lifecycle_helper

NET=192.168.213
PORT=2222

setup() {
    life_setup
    WB=$BATS_TEST_TMPDIR/wb
    T=$BATS_TEST_TMPDIR/ssh
    BPID=
    SSHD=
}

teardown() {
    if [ -n "$BPID" ]; then
        hostb "$BRIG_BIN" jstop jname='*' >/dev/null 2>&1 || true
        hostb "$BRIG_BIN" recover >/dev/null 2>&1 || true
        local id d
        id=$(sed -n 's/^nodeid="\([a-z0-9]*\)";$/\1/p' "$WB/etc/brig.conf" 2>/dev/null)
        [ -z "$id" ] || for d in /sys/fs/cgroup/*/brig/"$id"/* /sys/fs/cgroup/brig/"$id"/*; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
    fi
    ip link del mga 2>/dev/null || true
    [ -z "$SSHD" ] || kill "$SSHD" 2>/dev/null || true
    [ -z "$BPID" ] || kill "$BPID" 2>/dev/null || true
    life_teardown
}

# Run a command on the second node, with its workdir.
hostb() {
    BRIG_WORKDIR=$WB nsenter -t "$BPID" -n -m "$@"
}

# The second node: its namespaces, the veth, its workdir with the busybox
# base, and sshd on $NET.2:$PORT taking only the key made here.
hostb_up() {
    # like tests/netns-run.sh: a fresh sysfs over the cgroup hierarchies, and
    # a private /run for sshd
    unshare --net --mount --propagation private -- sh -c '
        mkdir -p /run/brig-test-cg && mount --rbind /sys/fs/cgroup /run/brig-test-cg &&
        mount -t sysfs sysfs /sys && mount --move /run/brig-test-cg /sys/fs/cgroup &&
        mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd && ip link set lo up &&
        exec sleep 100000' &
    BPID=$!
    local i
    for i in $(seq 50); do
        [ "$(readlink /proc/$BPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
            hostb test -d /run/sshd && break
        sleep 0.1
    done
    ip link del mga 2>/dev/null || true
    ip link add mga type veth peer name mgb netns "$BPID"
    ip addr add $NET.1/24 dev mga
    ip link set mga up
    hostb ip addr add $NET.2/24 dev mgb
    hostb ip link set mgb up
    hostb "$BRIG_BIN" initenv nodename=node2.test >/dev/null
    mkdir -p "$WB/basejail"
    cp -a "$W/basejail/busybox" "$W/basejail/busybox.meta" "$WB/basejail/"
    mkdir -p "$T"
    ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
    ssh-keygen -q -t ed25519 -N '' -f "$T/key"
    cp "$T/key.pub" "$T/authorized_keys"
    cat >"$T/sshd_config" <<EOF
ListenAddress $NET.2:$PORT
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PidFile none
EOF
    hostb /usr/sbin/sshd -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
    SSHD=$!
    export BRIG_SSH_OPTS="-i $T/key -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR"
    NODE="ssh://root@$NET.2:$PORT$WB"
    for i in $(seq 50); do
        ssh $BRIG_SSH_OPTS -o BatchMode=yes -p $PORT root@$NET.2 true 2>/dev/null && return 0
        sleep 0.1
    done
    echo "sshd did not answer: $(cat "$T/sshd.log")" >&2
    return 1
}

# jmigrate of jail $1 to the second node, with brig's own program there.
migrate() {
    "$BRIG_BIN" jmigrate jname="$1" node="$NODE" remote_brig="$BRIG_BIN" "${@:2}"
}

# What jail $1 shows of /srv from inside (names, owners, modes, links, data),
# on this node or, with BRIG_WORKDIR and a prefix command, on the other.
inside_view() {
    "$@" "$BRIG_BIN" jexec jname="$J" -- sh -c \
        'cd / && find srv | sort | while read -r f; do
             stat -c "%n %u:%g %a %h %F" "$f"; [ -L "$f" ] && readlink "$f"; done;
         cat srv/f; md5sum srv/big'
}

# A running VNET jail $J at 10.199.0.50 behind the default bridge, with files of
# several owners, links and a 4 MiB file that takes some time to send.
make_source() {
    J=${P}m
    jail_up jname=$J vnet=1 ip4_addr=10.199.0.50/16 exec_start=true exec_stop=true "$@"
    ok brig jexec jname=$J -- sh -c \
        'mkdir -p /srv/d && echo hello >/srv/f && chown 7:8 /srv/f && chmod 640 /srv/f &&
         ln /srv/f /srv/h && ln -s ../srv/f /srv/rel && chown 1000:1000 /srv/d &&
         chmod 1777 /srv/d && head -c 4194304 /dev/urandom >/srv/big'
}

# Fail unless jail $J is here, running (or $1: stopped), with the view $2.
intact_here() {
    same "$(jstatus $J)" "${1:-running}" "the jail's state here"
    [ "${1:-running}" = running ] || ok brig jstart jname=$J
    same "$(inside_view)" "$2" "the jail's files here"
}

# Fail unless the second node has no jail and nothing of one in its workdir.
nothing_there() {
    same "$(hostb "$BRIG_BIN" jls display=jname header=0)" "" "jails on the other node"
    same "$(ls "$WB/jails-data" "$WB/jails-system" 2>/dev/null | grep -c "$J")" 0 "its directories there"
}

@test "a running jail migrates: it answers ping at its new place with the same files and owners, and is gone here" {
    hostb_up
    make_source
    local want
    want=$(inside_view)
    ok busybox ping -c1 -W2 10.199.0.50 # reachable here first (the test's node has the bridge)
    ok migrate $J
    [ "${#lines[@]}" -eq 1 ]
    output_has "migrated $J to $NET.2 in "
    output_has " MiB at "
    output_has "(started there)"
    # gone here: no record, no directories
    [ -z "$(jstatus $J)" ]
    [ ! -e "$W/jails-data/$J-data" ] && [ ! -e "$W/jails-system/$J" ]
    same "$(hostb "$BRIG_BIN" jls display=jname,status header=0 | tr -s ' ')" "$J running" "there"
    run hostb busybox ping -c1 -W2 10.199.0.50
    [ "$status" -eq 0 ] || { echo "no answer at the new place: $output" >&2; return 1; }
    same "$(inside_view hostb)" "$want" "the jail's view at the new place"
    # the owners there are in the other node's own range, as the jail sees them the same
    local idmap
    idmap=$(sqlite3 "$WB/var/db/local.sqlite" "select idmap from jails where jname = '$J'")
    same "$(stat -c %u "$WB/jails-data/$J-data/upper/srv/f")" "$((idmap + 7))" "the host owner there"
}

@test "a stopped jail migrates stopped, and starts there" {
    hostb_up
    make_source
    ok brig jstop jname=$J
    ok migrate $J
    output_lacks "started there"
    same "$(hostb "$BRIG_BIN" jls display=jname,status header=0 | tr -s ' ')" "$J stopped" "there"
    ok hostb "$BRIG_BIN" jstart jname=$J
    ok hostb "$BRIG_BIN" jexec jname=$J -- cat /srv/f
    output_has hello
}

@test "a transfer cut midway leaves the jail here running and whole, and nothing there" {
    hostb_up
    make_source
    local want
    want=$(inside_view)
    # an ssh that carries only the first 300 KB of the archive
    printf '#!/bin/sh\nhead -c 300000 | ssh "$@"\n' >"$T/cut-ssh"
    chmod +x "$T/cut-ssh"
    run migrate $J ssh="$T/cut-ssh"
    [ "$status" -eq 1 ] || { echo "exit $status: $output" >&2; return 1; }
    [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output" >&2; return 1; }
    output_has "brig: jmigrate: $J: import on $NET.2:"
    output_has "truncated"
    intact_here running "$want"
    ok busybox ping -c1 -W2 10.199.0.50
    nothing_there
}

@test "the remote jimport refusing the jail (a name in use there) leaves it here and changes nothing" {
    hostb_up
    make_source
    hostb "$BRIG_BIN" jcreate jname=$J >/dev/null
    local before want
    before=$(db_dump)
    want=$(inside_view)
    run migrate $J
    [ "$status" -eq 1 ] && [ "${#lines[@]}" -eq 1 ] || { echo "exit $status: $output" >&2; return 1; }
    output_has "has a jail named $J already"
    same "$(db_dump)" "$before" "the database here"
    intact_here running "$want"
}

@test "a failed start there removes the copy there and starts the jail here again" {
    hostb_up
    # the bridge the jail's NIC uses exists only on this node
    ip link add mgbr0 type bridge
    ip link set mgbr0 up
    make_source interface=mgbr0
    local want
    want=$(inside_view)
    run migrate $J
    [ "$status" -eq 1 ] && [ "${#lines[@]}" -eq 1 ] || { echo "exit $status: $output" >&2; return 1; }
    output_has "start on $NET.2 (its copy there was removed)"
    intact_here running "$want"
    nothing_there
}

@test "an unreachable node fails in one line before the jail is stopped" {
    hostb_up
    make_source
    local pid before
    pid=$(jpid $J)
    before=$(db_dump)
    run "$BRIG_BIN" jmigrate jname=$J node="ssh://root@$NET.2:$((PORT + 1))$WB" remote_brig="$BRIG_BIN"
    [ "$status" -eq 1 ] && [ "${#lines[@]}" -eq 1 ] || { echo "exit $status: $output" >&2; return 1; }
    output_has "brig: jmigrate: $J: node $NET.2: ssh to $NET.2: "
    output_has "Connection refused"
    same "$(jpid $J)" "$pid" "the jail's init (never stopped)"
    same "$(db_dump)" "$before" "the database"
    # a node without brig's workdir is refused the same way
    run "$BRIG_BIN" jmigrate jname=$J node="ssh://root@$NET.2:$PORT/nowhere" remote_brig="$BRIG_BIN"
    [ "$status" -eq 1 ] && [ "${#lines[@]}" -eq 1 ] || { echo "exit $status: $output" >&2; return 1; }
    output_has "is not initialised"
    same "$(jpid $J)" "$pid" "the jail's init (never stopped)"
}

@test "bad node URLs and options are refused with exit 2 and nothing changed" {
    make_source
    local pid url
    pid=$(jpid $J)
    for url in http://host ssh:// ssh://-oProxyCommand=x ssh://host:0 ssh://host:65536 \
        ssh://host:22x 'ssh://us;er@host' ssh://-l@host 'ssh://host/w d' 'ssh://host/a/../b' \
        'ssh://host/$(id)' 'ssh://[::1' 'ssh://[zz]' ssh://host..x ssh://-host 'ssh://ho$t'; do
        assert_rejected 2 "node" brig jmigrate jname=$J node="$url"
    done
    assert_rejected 2 "remote_brig is empty" brig jmigrate jname=$J node=ssh://host remote_brig=
    assert_rejected 2 "unknown parameter" brig jmigrate jname=$J node=ssh://host locked=1
    assert_rejected 2 "node" brig jmigrate jname=$J
    # CBSD's name for it points here
    assert_rejected 2 "CBSD's jcoldmigrate is brig jmigrate" brig jcoldmigrate jname=$J
    same "$(jpid $J)" "$pid" "the jail's init"
}

@test "jmigrate killed midway leaves the jail here whole; recover starts it again" {
    need_fault_injection
    hostb_up
    make_source
    local want
    want=$(inside_view)
    run env BRIG_FAULT=jmigrate:2 "$BRIG_BIN" jmigrate jname=$J node="$NODE" remote_brig="$BRIG_BIN"
    [ "$status" -eq 137 ] || { echo "wanted death by SIGKILL, got $status: $output" >&2; return 1; }
    same "$(jstatus $J)" stopped "the jail here after the kill"
    ok brig recover jname=$J
    output_has "kept here after an interrupted jmigrate, and started"
    intact_here running "$want"
    # the cut stream left nothing there (the import there ends when ssh dies)
    local i
    for i in $(seq 50); do
        [ -z "$(hostb "$BRIG_BIN" jls display=jname header=0)" ] && break
        sleep 0.1
    done
    nothing_there
}

@test "jmigrate killed after the copy there runs keeps the stopped jail here" {
    need_fault_injection
    hostb_up
    make_source
    run env BRIG_FAULT=jmigrate:4 "$BRIG_BIN" jmigrate jname=$J node="$NODE" remote_brig="$BRIG_BIN"
    [ "$status" -eq 137 ] || { echo "wanted death by SIGKILL, got $status: $output" >&2; return 1; }
    ok brig recover jname=$J
    output_has "kept here after an interrupted jmigrate"
    output_lacks "started"
    same "$(jstatus $J)" stopped "the jail here"
    same "$(hostb "$BRIG_BIN" jls display=jname,status header=0 | tr -s ' ')" "$J running" "there"
}
