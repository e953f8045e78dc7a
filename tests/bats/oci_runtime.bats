#!/usr/bin/env bats
# brig-runc, brig as an OCI runtime: runc's command line on bundles made by
# the test (rootfs: busybox-static), one case per config.json field brig
# maps and per error case; then podman with --runtime pointing at brig-runc.

load helper

RUNC=${BRIG_RUNC:-${BRIG_BIN%/*}/brig-runc}

setup() {
    brig_require_netns
    T=$BATS_TEST_TMPDIR
    ROOT=$T/state
    B=$T/bundle
    mkdir -p "$B/rootfs/bin" "$B/rootfs/etc"
    cp /bin/busybox "$B/rootfs/bin/busybox"
    local c
    for c in sh echo cat ls sleep hostname id mkdir touch grep true readlink stat wc head; do
        ln -s busybox "$B/rootfs/bin/$c"
    done
    (cd "$B" && "$RUNC" spec)
    # no terminal unless a test asks for one
    cfg '.process.terminal = false'
}

teardown() {
    local id
    for id in $("$RUNC" --root "$ROOT" list -q 2>/dev/null); do
        "$RUNC" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
    if [ -n "${PODMAN_PIDS:-}" ]; then :; fi
    [ -z "${HOLDER:-}" ] || kill -KILL "$HOLDER" 2>/dev/null || true
    [ -z "${UNSHARE_PID:-}" ] || kill -KILL "$UNSHARE_PID" 2>/dev/null || true
    containerd_stop
}

# Change the bundle's config.json with a jq filter.
cfg() {
    jq "$1" "$B/config.json" >"$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"
}

rc() {
    "$RUNC" --root "$ROOT" "$@"
}

# Run args in a container of the bundle to its end; output in $output.
run_ctr() {
    local id=$1
    shift
    cfg ".process.args = $(jq -cn '$ARGS.positional' --args -- "$@")"
    rc create --bundle "$B" "$id" >"$T/out" 2>&1 </dev/null || { cat "$T/out"; return 1; }
    rc start "$id" || return 1
    local i
    for i in $(seq 100); do
        [ "$(rc state "$id" | jq -r .status)" = stopped ] && break
        sleep 0.1
    done
    output=$(cat "$T/out")
    rc delete "$id"
}

status_of() {
    rc state "$1" | jq -r .status
}

@test "spec writes a config.json that create accepts, and refuses to overwrite it" {
    jq -e '.ociVersion and .root.path == "rootfs" and (.process.args | length) > 0' "$B/config.json"
    run "$RUNC" spec --bundle "$B"
    [ "$status" -eq 1 ]
    [[ "$output" == *"exists"* ]]
}

@test "create leaves the container created with the state JSON of the spec" {
    cfg '.process.args = ["sleep", "100"] | .annotations = {"org.test": "yes"}'
    rc create --bundle "$B" --pid-file "$T/pid" c1
    run rc state c1
    [ "$status" -eq 0 ]
    [ "$(jq -r .ociVersion <<<"$output")" = 1.0.2 ]
    [ "$(jq -r .id <<<"$output")" = c1 ]
    [ "$(jq -r .status <<<"$output")" = created ]
    [ "$(jq -r .bundle <<<"$output")" = "$B" ]
    [ "$(jq -r '.annotations["org.test"]' <<<"$output")" = yes ]
    [ "$(jq -r .pid <<<"$output")" = "$(cat "$T/pid")" ]
    kill -0 "$(cat "$T/pid")"
    # the process waits: it has not run sleep yet
    [ "$(readlink /proc/$(cat "$T/pid")/exe)" != /bin/busybox ] || ! grep -q sleep /proc/$(cat "$T/pid")/cmdline
}

@test "start runs the process: created becomes running, then stopped when it exits" {
    cfg '.process.args = ["sh", "-c", "read x </dev/null; sleep 1"]'
    rc create --bundle "$B" c1
    [ "$(status_of c1)" = created ]
    rc start c1
    [ "$(status_of c1)" = running ]
    local i
    for i in $(seq 50); do [ "$(status_of c1)" = stopped ] && break; sleep 0.1; done
    [ "$(status_of c1)" = stopped ]
    [ "$(rc state c1 | jq -r .pid)" = 0 ]
}

@test "start of a container that is not created fails with status 1" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" c1
    rc start c1
    run rc start c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"cannot start a container that is running"* ]]
    run rc start nosuch
    [ "$status" -eq 1 ]
    [[ "$output" == *"nosuch does not exist"* ]]
}

@test "delete of a running container fails without --force and removes everything with it" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" --pid-file "$T/pid" c1
    rc start c1
    run rc delete c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"cannot delete container c1 that is not stopped: running"* ]]
    [ "$(status_of c1)" = running ]
    local pid
    pid=$(cat "$T/pid")
    rc delete --force c1
    ! kill -0 "$pid" 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status
    [ ! -e "$ROOT/c1" ]
    ! find /sys/fs/cgroup -type d -path '*brig/oci-*/c1' | grep -q .
    run rc state c1
    [ "$status" -eq 1 ]
}

@test "kill of a created container works and the container is then stopped" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" c1
    rc kill c1 KILL
    local i
    for i in $(seq 50); do [ "$(status_of c1)" = stopped ] && break; sleep 0.1; done
    [ "$(status_of c1)" = stopped ]
    rc delete c1
    [ ! -e "$ROOT/c1" ]
}

@test "kill sends the named signal to the container's process" {
    cfg '.process.args = ["sh", "-c", "trap \"echo got-usr1 >/tmp/sig; exit 0\" USR1; sleep 100 & wait"]'
    cfg '.root.readonly = false'
    mkdir -p "$B/rootfs/tmp"
    rc create --bundle "$B" c1
    rc start c1
    sleep 0.3
    rc kill c1 SIGUSR1
    local i
    for i in $(seq 50); do [ -e "$B/rootfs/tmp/sig" ] && break; sleep 0.1; done
    [ "$(cat "$B/rootfs/tmp/sig")" = got-usr1 ]
    run rc kill c1 NOSUCHSIG
    [ "$status" -eq 1 ]
}

@test "kill --all reaches every process of the container, not only its pid 1" {
    # pid 1 without a handler ignores TERM; its children do not
    cfg '.process.args = ["sh", "-c", "sleep 101 & sleep 102; true"]'
    rc create --bundle "$B" c1
    rc start c1
    sleep 0.3
    rc kill c1 TERM
    sleep 0.3
    [ "$(status_of c1)" = running ]
    rc kill --all c1 TERM
    local i
    for i in $(seq 50); do [ "$(status_of c1)" = stopped ] && break; sleep 0.1; done
    [ "$(status_of c1)" = stopped ]
}

@test "create with an id in use fails and leaves the first container alone" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" c1
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"c1 already exists"* ]]
    [ "$(status_of c1)" = created ]
}

@test "a bad config.json is refused with one line and creates nothing" {
    echo '{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"args": [], "cwd": "/"}}' >"$B/config.json"
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == *"process.args: at least one argument is required"* ]]
    [ -z "$(ls "$ROOT" 2>/dev/null | grep -v '^\.')" ]
    echo '{"ociVersion": ' >"$B/config.json"
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"config.json: ends early"* ]]
}

@test "a missing root.path is refused before anything is made" {
    cfg '.root.path = "nosuchdir"'
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"root.path:"*"is not a directory"* ]]
    [ ! -e "$ROOT/c1" ]
}

@test "process.args, env and cwd reach the program" {
    cfg '.process.env = ["PATH=/bin", "GREETING=hello"] | .process.cwd = "/etc"'
    run_ctr c1 sh -c 'echo "$GREETING $(pwd) $0"'
    [ "$output" = "hello /etc sh" ]
}

@test "a program that does not exist fails the start's process with 127" {
    run_ctr c1 /bin/nosuch
    [[ "$output" == *"exec /bin/nosuch"* ]]
}

@test "process.user sets uid, gid and additionalGids" {
    cfg '.process.user = {"uid": 1234, "gid": 567, "additionalGids": [8, 9]}'
    run_ctr c1 id
    [[ "$output" == "uid=1234 gid=567 groups=8,9"* ]] || [[ "$output" == "uid=1234 gid=567 groups=567,8,9"* ]]
}

@test "process.capabilities: the sets are the config's" {
    cfg '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
    run_ctr c1 grep -E '^Cap(Bnd|Eff|Prm)' /proc/self/status
    [[ "$output" == *"CapPrm:	0000000000000020"* ]]
    [[ "$output" == *"CapEff:	0000000000000020"* ]]
    [[ "$output" == *"CapBnd:	0000000000000021"* ]]
}

@test "process.rlimits set the limits" {
    cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 77, "hard": 88}]'
    run_ctr c1 sh -c 'ulimit -n; ulimit -Hn'
    [ "$output" = "$(printf '77\n88')" ]
}

@test "process.noNewPrivileges and oomScoreAdj are applied" {
    cfg '.process.noNewPrivileges = true | .process.oomScoreAdj = 123'
    run_ctr c1 sh -c 'grep NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj'
    [[ "$output" == *"NoNewPrivs:	1"* ]]
    [[ "$output" == *"123"* ]]
}

@test "process.terminal: the pty master is sent to the console socket" {
    cfg '.process.terminal = true | .process.args = ["sh", "-c", "tty; echo on-the-pty"]'
    python3 - "$T/console.sock" "$T/console.out" <<'PY' &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(1024, socket.CMSG_LEN(fds.itemsize))
fds.frombytes(anc[0][2][:fds.itemsize])
out = b""
while True:
    try:
        d = os.read(fds[0], 1024)
    except OSError:
        break
    if not d:
        break
    out += d
open(sys.argv[2], "wb").write(out)
PY
    local py=$!
    local i
    for i in $(seq 50); do [ -S "$T/console.sock" ] && break; sleep 0.1; done
    rc create --bundle "$B" --console-socket "$T/console.sock" c1
    rc start c1
    wait "$py"
    grep -q '^/dev/pts/0' "$T/console.out"
    grep -q on-the-pty "$T/console.out"
}

@test "process.terminal without --console-socket is refused" {
    cfg '.process.terminal = true'
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"needs --console-socket"* ]]
    [ ! -e "$ROOT/c1" ]
}

@test "root.readonly makes the root read-only" {
    run_ctr c1 sh -c 'touch /x 2>&1; echo rc=$?'
    [[ "$output" == *"Read-only file system"*"rc=1" ]]
    cfg '.root.readonly = false'
    run_ctr c2 sh -c 'touch /x && echo wrote'
    [ "$output" = wrote ]
}

@test "mounts: a read-only bind, a tmpfs and proc are where the config says" {
    mkdir -p "$T/host"
    echo from-host >"$T/host/f"
    jq --arg src "$T/host" '.mounts += [{"destination": "/data", "type": "bind", "source": $src, "options": ["rbind", "ro"]}, {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    run_ctr c1 sh -c 'cat /data/f; touch /data/g 2>/dev/null || echo ro-bind; grep -E " /(scratch|proc) " /proc/mounts | cut -d" " -f2,3'
    [[ "$output" == *"from-host"* ]]
    [[ "$output" == *"ro-bind"* ]]
    [[ "$output" == *"/scratch tmpfs"* ]]
    [[ "$output" == *"/proc proc"* ]]
    [ ! -e "$T/host/g" ]
}

@test "a mount destination through a symlink out of the rootfs never reaches the host" {
    mkdir -p "$T/outside"
    cfg '.root.readonly = false'
    ln -s "$T/outside" "$B/rootfs/evil"
    jq '.mounts += [{"destination": "/evil/mnt", "type": "tmpfs", "source": "tmpfs"}]' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    # resolved inside the rootfs, where $T/outside does not exist: refused
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"/evil/mnt: open /evil"* ]]
    [ ! -e "$T/outside/mnt" ]
    [ ! -e "$ROOT/c1" ]
}

@test "namespaces: hostname in a new uts namespace, a network namespace joined by path" {
    ip netns add brigoci$$
    jq --arg p "/run/netns/brigoci$$" '.hostname = "box1" | .linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    run_ctr c1 sh -c 'hostname; stat -L -c %i /proc/self/ns/net'
    local want
    want=$(stat -L -c %i /run/netns/brigoci$$)
    ip netns del brigoci$$
    [ "$output" = "$(printf 'box1\n%s' "$want")" ]
}

# A process in new namespaces of the given unshare options; its pid in $HOLDER.
# It holds none of bats' descriptors (bats waits for their last writer), and
# it is killed with SIGKILL: as the init of a new pid namespace, sleep ignores
# SIGTERM from outside it, and unshare --fork ignores SIGTERM while it waits.
ns_holder() {
    unshare "$@" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
    UNSHARE_PID=$!
    local i
    HOLDER=
    for i in $(seq 50); do
        HOLDER=$(pgrep -P "$UNSHARE_PID" || true)
        [ -z "$HOLDER" ] && [ "$(readlink /proc/$UNSHARE_PID/exe)" != "$(command -v unshare)" ] && HOLDER=$UNSHARE_PID
        [ -n "$HOLDER" ] && [ "$(readlink /proc/$HOLDER/exe)" = "$(readlink -f "$(command -v sleep)")" ] && return 0
        sleep 0.1
    done
    return 1
}

join_ns() {
    local type=$1 path=$2
    jq --arg t "$type" --arg p "$path" '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t, "path": $p}])' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
}

@test "namespaces joined by path: network, ipc, uts, pid and cgroup of a running process" {
    ns_holder --net --ipc --uts --cgroup --pid --fork
    local t
    for t in network ipc uts pid cgroup; do
        join_ns $t "/proc/$HOLDER/ns/$([ $t = network ] && echo net || echo $t)"
    done
    cfg 'del(.hostname)'
    run_ctr c1 sh -c 'for n in net ipc uts pid cgroup; do readlink /proc/self/ns/$n; done; echo self=$$'
    local want="" n
    for n in net ipc uts pid cgroup; do want="$want$(readlink /proc/$HOLDER/ns/$n) "; done
    kill -KILL "$HOLDER" "$UNSHARE_PID" 2>/dev/null || true
    [ "$(echo $output | sed 's/ self=.*//') " = "$want" ]
    # in the joined pid namespace the holder is 1: the container is not
    [[ "$output" != *"self=1" ]]
}

@test "namespaces joined by path: a mount namespace, the rootfs set up inside it" {
    ns_holder --mount --propagation private
    join_ns mount "/proc/$HOLDER/ns/mnt"
    run_ctr c1 sh -c 'readlink /proc/self/ns/mnt; ls /bin/busybox'
    local want
    want=$(readlink /proc/$HOLDER/ns/mnt)
    kill -KILL "$HOLDER" 2>/dev/null || true
    [ "$output" = "$(printf '%s\n/bin/busybox' "$want")" ]
    [ "$want" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "namespaces joined by path: a user namespace first, then the new ones it owns" {
    ns_holder --user --map-root-user
    join_ns user "/proc/$HOLDER/ns/user"
    # the holder maps root alone: no devpts gid=5, no host sysfs or cgroups
    cfg 'del(.linux.uidMappings) | del(.linux.gidMappings) | .mounts = [.mounts[] | select(.type != "sysfs" and .type != "cgroup") | if .type == "devpts" then .options = [.options[] | select(startswith("gid=") | not)] else . end]'
    run_ctr c1 sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map; id -u'
    local want
    want=$(readlink /proc/$HOLDER/ns/user)
    kill -KILL "$HOLDER" 2>/dev/null || true
    [ "$(echo $output)" = "$want 0 0 1 0" ]
}

@test "a namespace path that is not a namespace of its type is refused with one line" {
    ns_holder --net --ipc
    echo x >"$T/plain"
    ln -s "/proc/$HOLDER/ns/net" "$B/netlink"
    ln -s "/proc/$HOLDER/ns" "$B/nsdir"
    local p want
    for p in "$T/plain|is not a network namespace" \
        "/proc/$HOLDER/ns/ipc|is a namespace of type ipc, not network" \
        "$B/netlink|is a symbolic link" \
        "$B/nsdir/net|a symbolic link on the way" \
        "$T/none|No such file"; do
        want=${p#*|}
        join_ns network "${p%%|*}"
        run rc create --bundle "$B" c1
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == *"linux.namespaces"*"$want"* ]]
        [ ! -e "$ROOT/c1" ]
    done
    join_ns network "/proc/$HOLDER/ns/net"
    for p in "user|/proc/$HOLDER/ns/net|not user" "mount|/proc/$HOLDER/ns/ipc|not mount" "pid|$T/plain|is not a pid namespace"; do
        join_ns "${p%%|*}" "$(cut -d'|' -f2 <<<"$p")"
        run rc create --bundle "$B" c1
        [ "$status" -eq 1 ]
        [[ "$output" == *"linux.namespaces"*"${p##*|}"* ]]
        [ ! -e "$ROOT/c1" ]
    done
}

@test "namespaces: a user namespace with uid and gid mappings" {
    cfg '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
    chown -R 200000:200000 "$B/rootfs"
    # the container's root (host uid 200000) must reach its rootfs, as with runc
    chmod a+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "${T%/*}" "$T" "$B"
    run_ctr c1 cat /proc/self/uid_map
    [[ "$(echo $output)" == "0 200000 65536" ]]
}

@test "hostname without a uts namespace is refused" {
    cfg '.hostname = "x" | .linux.namespaces = [.linux.namespaces[] | select(.type != "uts")]'
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"hostname: needs a new uts namespace"* ]]
}

@test "linux.resources: memory and pids limits land in the container's cgroup" {
    cfg '.process.args = ["sleep", "100"] | .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 42}}'
    rc create --bundle "$B" --pid-file "$T/pid" c1
    local pid cg f mem="" pids=""
    pid=$(cat "$T/pid")
    while IFS=: read -r _ ctrl path; do
        for f in memory.limit_in_bytes memory.max memory.memsw.limit_in_bytes; do
            [ -e "/sys/fs/cgroup/${ctrl#name=}$path/$f" ] && mem="$mem $(cat "/sys/fs/cgroup/${ctrl#name=}$path/$f")"
            [ -z "$ctrl" ] && [ -e "/sys/fs/cgroup/unified$path/$f" ] && mem="$mem $(cat "/sys/fs/cgroup/unified$path/$f")"
        done
        for f in pids.max; do
            [ -e "/sys/fs/cgroup/${ctrl#name=}$path/$f" ] && pids="$pids $(cat "/sys/fs/cgroup/${ctrl#name=}$path/$f")"
            [ -z "$ctrl" ] && [ -e "/sys/fs/cgroup/unified$path/$f" ] && pids="$pids $(cat "/sys/fs/cgroup/unified$path/$f")"
        done
    done </proc/$pid/cgroup
    echo "mem=$mem pids=$pids" >&2
    [[ "$mem" == *67108864* ]]
    [[ "$pids" == *42* ]]
}

@test "hooks run in spec order with the state on stdin" {
    printf '#!/bin/sh\ncat >"%s/hook.$1"\necho $1 >>"%s/order"\n' "$T" "$T" >"$T/hook"
    chmod +x "$T/hook"
    jq --arg h "$T/hook" '.process.args = ["true"] | .hooks = {"prestart": [{"path": $h, "args": ["hook", "prestart"]}], "createRuntime": [{"path": $h, "args": ["hook", "createRuntime"]}], "createContainer": [{"path": $h, "args": ["hook", "createContainer"]}], "poststart": [{"path": $h, "args": ["hook", "poststart"]}], "poststop": [{"path": $h, "args": ["hook", "poststop"]}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    rc create --bundle "$B" c1
    rc start c1
    sleep 0.3
    rc delete c1
    [ "$(cat "$T/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop')" ]
    [ "$(jq -r .id "$T/hook.prestart")" = c1 ]
    [ "$(jq -r .status "$T/hook.prestart")" = creating ]
    [ "$(jq -r .bundle "$T/hook.poststart")" = "$B" ]
    [ "$(jq -r .status "$T/hook.poststop")" = stopped ]
}

@test "createContainer runs in the container's mount namespace after its mounts, before pivot_root" {
    # the path resolves in the runtime's file system, the mounts are the container's
    printf '#!/bin/sh\ncat >"%s/cc.state"\ngrep -c " %s/rootfs/scratch " /proc/self/mountinfo >"%s/cc.mounts"\nreadlink /proc/self/ns/mnt >"%s/cc.ns"\n' "$T" "$B" "$T" "$T" >"$T/cchook"
    chmod +x "$T/cchook"
    jq --arg h "$T/cchook" '.process.args = ["sleep", "100"] | .mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}] | .hooks = {"createContainer": [{"path": $h}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    rc create --bundle "$B" --pid-file "$T/pid" c1
    [ "$(cat "$T/cc.mounts")" = 1 ]
    ! grep -q " $B/rootfs/scratch " /proc/self/mountinfo
    [ "$(cat "$T/cc.ns")" = "$(readlink /proc/$(cat "$T/pid")/ns/mnt)" ]
    [ "$(cat "$T/cc.ns")" != "$(readlink /proc/self/ns/mnt)" ]
    [ "$(jq -r .status "$T/cc.state")" = creating ]
    [ "$(jq -r .pid "$T/cc.state")" = "$(cat "$T/pid")" ]
    [ "$(jq -r .bundle "$T/cc.state")" = "$B" ]
}

@test "startContainer runs inside the container before the program, its path resolved in the rootfs" {
    cfg '.root.readonly = false'
    printf '#!/bin/sh\ncat >/start.state\n[ -e /started ] && echo late >/start.order\necho hook >>/start.order\n' >"$B/rootfs/bin/starthook"
    chmod +x "$B/rootfs/bin/starthook"
    jq '.process.args = ["sh", "-c", "echo program >>/start.order; touch /started"] | .hooks = {"startContainer": [{"path": "/bin/starthook"}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    rc create --bundle "$B" --pid-file "$T/pid" c1
    # create does not run it
    [ ! -e "$B/rootfs/start.order" ]
    rc start c1
    local i
    for i in $(seq 50); do [ -e "$B/rootfs/started" ] && break; sleep 0.1; done
    [ "$(cat "$B/rootfs/start.order")" = "$(printf 'hook\nprogram')" ]
    [ "$(jq -r .status "$B/rootfs/start.state")" = created ]
    [ "$(jq -r .id "$B/rootfs/start.state")" = c1 ]
    [ "$(jq -r .pid "$B/rootfs/start.state")" = "$(cat "$T/pid")" ]
}

@test "a startContainer path that links out of the rootfs never runs the host's program" {
    printf '#!/bin/sh\ntouch "%s/host-ran"\n' "$T" >"$T/hostprog"
    chmod +x "$T/hostprog"
    ln -s "$T/hostprog" "$B/rootfs/bin/evil"
    jq '.process.args = ["true"] | .hooks = {"startContainer": [{"path": "/bin/evil"}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    rc create --bundle "$B" c1
    run rc start c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"hooks.startContainer[0]: /bin/evil failed with status 127"* ]]
    [ ! -e "$T/host-ran" ]
}

@test "a failing createContainer hook fails create and leaves nothing" {
    jq '.hooks = {"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    run rc create --bundle "$B" --pid-file "$T/pid" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"hooks.createContainer[0]: /bin/sh failed with status 3"* ]]
    [ ! -e "$ROOT/c1" ]
    [ ! -e "$ROOT/.c1.journal" ]
    [ ! -e "$T/pid" ]
    ! find /sys/fs/cgroup -type d -path '*brig/oci-*/c1' | grep -q .
    [ -z "$(rc list -q)" ]
}

@test "a failing startContainer hook fails start, stops the container and never runs the program" {
    cfg '.root.readonly = false'
    jq '.process.args = ["touch", "/program-ran"] | .hooks = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    rc create --bundle "$B" --pid-file "$T/pid" c1
    run rc start c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"hooks.startContainer[0]: /bin/sh failed with status 4"* ]]
    [ "$(status_of c1)" = stopped ]
    [ ! -e "$B/rootfs/program-ran" ]
    ! kill -0 "$(cat "$T/pid")" 2>/dev/null
    rc delete c1
    [ ! -e "$ROOT/c1" ]
    ! find /sys/fs/cgroup -type d -path '*brig/oci-*/c1' | grep -q .
}

@test "a hook that outlives its timeout is killed and fails create, leaving nothing" {
    local k
    for k in createRuntime createContainer; do
        jq --arg k "$k" '.hooks = {($k): [{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
        run rc create --bundle "$B" c1
        [ "$status" -eq 1 ]
        [[ "$output" == *"hooks.$k[0]: /bin/sleep timed out after 1 s"* ]]
        [ ! -e "$ROOT/c1" ]
    done
}

@test "a startContainer hook that outlives its timeout fails start" {
    jq '.process.args = ["true"] | .hooks = {"startContainer": [{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    rc create --bundle "$B" c1
    run rc start c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"hooks.startContainer[0]: /bin/sleep timed out after 1 s"* ]]
    [ "$(status_of c1)" = stopped ]
}

@test "a failing prestart hook fails create and leaves nothing" {
    jq '.hooks = {"prestart": [{"path": "/bin/false"}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"hooks.prestart[0]: /bin/false failed"* ]]
    [ ! -e "$ROOT/c1" ]
    ! find /sys/fs/cgroup -type d -path '*brig/oci-*/c1' | grep -q .
}

@test "a create killed at its hooks step leaves nothing once the next command runs" {
    printf '#!/bin/sh\nkill -9 $PPID\nsleep 5\n' >"$T/hook"
    chmod +x "$T/hook"
    jq --arg h "$T/hook" '.process.args = ["sleep", "100"] | .hooks = {"prestart": [{"path": $h}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    # the container's process keeps create's stdio: a file, not run's pipe
    local st=0
    rc create --bundle "$B" --pid-file "$T/pid" c1 >"$T/create.out" 2>&1 </dev/null || st=$?
    [ "$st" -eq 137 ]
    [ -e "$ROOT/.c1.journal" ]
    [ -d "$ROOT/c1" ]
    # the process waits for its runtime before pivot_root: it ends with it
    local pid
    pid=$(cut -d' ' -f1 "$ROOT/c1/pid")
    run rc list -q
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ ! -e "$ROOT/c1" ]
    [ ! -e "$ROOT/.c1.journal" ]
    ! find /sys/fs/cgroup -type d -path '*brig/oci-*/c1' | grep -q .
    local i
    for i in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status
}

@test "linux.seccomp: a denied system call fails with the config's errno" {
    jq '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
    mkdir -p "$B/rootfs/tmp"
    run_ctr c1 sh -c 'mkdir /tmp/x 2>&1; echo rc=$?'
    [[ "$output" == *"Permission denied"*"rc=1" ]]
    [ ! -e "$B/rootfs/tmp/x" ]
}

@test "maskedPaths and readonlyPaths hide and protect what they name" {
    echo secret >"$B/rootfs/etc/secret"
    mkdir -p "$B/rootfs/etc/secretdir" "$B/rootfs/etc/rodir"
    echo secret >"$B/rootfs/etc/secretdir/f"
    cfg '.linux.maskedPaths += ["/etc/secret", "/etc/secretdir"] | .linux.readonlyPaths += ["/etc/rodir"] | .root.readonly = false'
    run_ctr c1 sh -c 'wc -c </etc/secret; ls /etc/secretdir | wc -l; (echo 1 >/proc/sys/kernel/domainname) 2>/dev/null || echo ro; touch /etc/rodir/x 2>/dev/null || echo ro2'
    [ "$(echo $output)" = "0 0 ro ro2" ]
}

@test "linux.sysctl is set in the container's namespace only" {
    local host
    host=$(cat /proc/sys/net/ipv4/ip_forward)
    cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    run_ctr c1 cat /proc/sys/net/ipv4/ip_forward
    [ "$output" = 1 ]
    [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

@test "a sysctl that is not namespaced is refused" {
    cfg '.linux.sysctl = {"kernel.panic": "1"}'
    run rc create --bundle "$B" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"kernel.panic is not namespaced"* ]]
}

@test "exec runs in the running container and returns the exit status" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" c1
    rc start c1
    run rc exec c1 hostname
    [ "$status" -eq 0 ]
    [ "$output" = brig ]
    run rc exec c1 sh -c 'exit 5'
    [ "$status" -eq 5 ]
    echo '{"args": ["sh", "-c", "echo $V; pwd"], "env": ["V=from-json", "PATH=/bin"], "cwd": "/etc"}' >"$T/p.json"
    run rc exec --process "$T/p.json" c1
    [ "$output" = "$(printf 'from-json\n/etc')" ]
    rc exec --detach --pid-file "$T/xpid" c1 sleep 50
    [ "$(tr '\0' ' ' </proc/$(cat "$T/xpid")/cmdline)" = "sleep 50 " ]
    run rc ps --format json c1
    [ "$(jq length <<<"$output")" -eq 2 ]
}

@test "exec in a stopped container fails" {
    cfg '.process.args = ["true"]'
    rc create --bundle "$B" c2
    rc start c2
    sleep 0.3
    run rc exec c2 true
    [ "$status" -eq 1 ]
    [[ "$output" == *"cannot exec in a container that is stopped"* ]]
}

@test "pause freezes the container and resume thaws it" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" c1
    rc start c1
    rc pause c1
    [ "$(status_of c1)" = paused ]
    run rc pause c1
    [ "$status" -eq 1 ]
    rc resume c1
    [ "$(status_of c1)" = running ]
}

@test "list shows the containers with their status and bundle, in text and JSON" {
    cfg '.process.args = ["sleep", "100"]'
    rc create --bundle "$B" c1
    run rc list
    [[ "${lines[0]}" == ID*PID*STATUS*BUNDLE* ]]
    [[ "${lines[1]}" == c1*created*"$B"* ]]
    [ "$(rc list --format json | jq -r '.[0].status')" = created ]
    [ "$(rc list -q)" = c1 ]
}

@test "errors go to --log as JSON with --log-format json, and unknown flags are refused" {
    run "$RUNC" --root "$ROOT" --log "$T/log" --log-format json state nosuch
    [ "$status" -eq 1 ]
    [ "$(jq -r .level "$T/log")" = error ]
    [[ "$(jq -r .msg "$T/log")" == *"nosuch does not exist"* ]]
    run rc kill --bogus c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"flag provided but not defined: -bogus"* ]]
    run "$RUNC" --root "$ROOT" --systemd-cgroup --debug list
    [ "$status" -eq 0 ]
}

@test "features lists the namespaces and hooks brig-runc supports" {
    run "$RUNC" features
    [ "$status" -eq 0 ]
    [ "$(jq -r '.linux.namespaces | index("user") != null' <<<"$output")" = true ]
    [ "$(jq -r '.hooks | index("poststop") != null' <<<"$output")" = true ]
    [ "$(jq -c '[.hooks[] | select(. == "createContainer" or . == "startContainer")]' <<<"$output")" = '["createContainer","startContainer"]' ]
}

# podman with --runtime brig-runc; its state lives in the test's directory.
podman_() {
    podman --root "$T/pm/root" --runroot "$T/pm/run" --storage-driver vfs --runtime "$RUNC" \
        --cgroup-manager cgroupfs --events-backend file "$@"
}

podman_image() {
    command -v podman >/dev/null || skip "podman is not installed"
    tar -C "$B/rootfs" -cf "$T/bb.tar" .
    podman_ import "$T/bb.tar" localhost/brig-bb:1 >/dev/null
}

@test "podman run --rm with brig-runc prints, and passes exit codes" {
    podman_image
    run podman_ run --rm --network none localhost/brig-bb:1 echo hi
    [ "$status" -eq 0 ]
    [ "$output" = hi ]
    run podman_ run --rm --network none localhost/brig-bb:1 sh -c 'exit 3'
    [ "$status" -eq 3 ]
    [ -z "$(podman_ ps -aq)" ]
}

@test "podman run -d, exec, ps, stop and rm with brig-runc" {
    podman_image
    podman_ run -d --name web --network none localhost/brig-bb:1 sleep 1000
    [[ "$(podman_ ps --format '{{.Names}} {{.Status}}')" == "web Up"* ]]
    run podman_ exec web echo inside
    [ "$output" = inside ]
    run podman_ exec web sh -c 'exit 4'
    [ "$status" -eq 4 ]
    podman_ stop -t 1 web
    [[ "$(podman_ ps -a --format '{{.Names}} {{.Status}}')" == "web Exited"* ]]
    podman_ rm web
    [ -z "$(podman_ ps -aq)" ]
}

@test "podman's own networking reaches the container inside the test's network namespace" {
    podman_image
    run podman_ run --rm localhost/brig-bb:1 sh -c 'grep -c eth0 /proc/net/dev'
    [ "$status" -eq 0 ]
    [ "$output" = 1 ]
}

@test "update --resources changes the running container's limits" {
    cfg '.process.args = ["sleep", "100"] | .linux.resources = {"pids": {"limit": 42}}'
    rc create --bundle "$B" --pid-file "$T/pid" c1
    rc start c1
    echo '{"pids": {"limit": 17}}' >"$T/res.json"
    rc update --resources "$T/res.json" c1
    local pid ctrl path pids=""
    pid=$(cat "$T/pid")
    while IFS=: read -r _ ctrl path; do
        [ -e "/sys/fs/cgroup/$ctrl$path/pids.max" ] && pids="$pids $(cat "/sys/fs/cgroup/$ctrl$path/pids.max")"
        [ -z "$ctrl" ] && [ -e "/sys/fs/cgroup/unified$path/pids.max" ] && pids="$pids $(cat "/sys/fs/cgroup/unified$path/pids.max")"
    done </proc/$pid/cgroup
    [[ "$pids" == *17* ]]
    echo '{"pids": {"limit": "many"}}' >"$T/bad.json"
    run rc update --resources "$T/bad.json" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"linux.resources.pids.limit: must be int"* ]]
}

@test "delete --force of a container that does not exist succeeds, as runc's" {
    run rc delete --force nosuch
    [ "$status" -eq 0 ]
    run rc delete nosuch
    [ "$status" -eq 1 ]
    [[ "$output" == *"container nosuch does not exist"* ]]
    run rc delete --force ../x
    [ "$status" -eq 1 ]
    [[ "$output" == *"invalid container id"* ]]
}

# An OCI image archive of the bundle's rootfs, made here: no network.
oci_archive() {
    local img=$T/img l c m
    mkdir -p "$img/blobs/sha256"
    tar -C "$B/rootfs" -cf "$T/layer.tar" .
    l=$(sha256sum "$T/layer.tar" | cut -d' ' -f1)
    mv "$T/layer.tar" "$img/blobs/sha256/$l"
    jq -cn --arg l "sha256:$l" '{architecture: "amd64", os: "linux", config: {Env: ["PATH=/bin"], Cmd: ["sh"]}, rootfs: {type: "layers", diff_ids: [$l]}}' >"$T/c.json"
    c=$(sha256sum "$T/c.json" | cut -d' ' -f1)
    mv "$T/c.json" "$img/blobs/sha256/$c"
    jq -cn --arg c "sha256:$c" --arg l "sha256:$l" --argjson cs "$(stat -c %s "$img/blobs/sha256/$c")" --argjson ls "$(stat -c %s "$img/blobs/sha256/$l")" \
        '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs}, layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$T/m.json"
    m=$(sha256sum "$T/m.json" | cut -d' ' -f1)
    mv "$T/m.json" "$img/blobs/sha256/$m"
    jq -cn --arg m "sha256:$m" --argjson ms "$(stat -c %s "$img/blobs/sha256/$m")" \
        '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms, annotations: {"io.containerd.image.name": "localhost/brig-bb:1"}, platform: {architecture: "amd64", os: "linux"}}]}' >"$img/index.json"
    echo '{"imageLayoutVersion": "1.0.0"}' >"$img/oci-layout"
    tar -C "$img" -cf "$T/img.tar" .
}

# containerd of the test's own: root, state and socket under $T, stopped by pid.
containerd_start() {
    command -v containerd >/dev/null || skip "containerd is not installed"
    mkdir -p "$T/ctd"
    cat >"$T/ctd/config.toml" <<EOT
version = 2
root = "$T/ctd/root"
state = "$T/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/ctd/sock"
EOT
    containerd --config "$T/ctd/config.toml" >"$T/ctd/log" 2>&1 &
    CONTAINERD_PID=$!
    local i
    for i in $(seq 100); do [ -S "$T/ctd/sock" ] && break; sleep 0.1; done
    [ -S "$T/ctd/sock" ]
    oci_archive
    ctr_ image import --snapshotter native "$T/img.tar" >/dev/null
}

containerd_stop() {
    [ -z "${CONTAINERD_PID:-}" ] && return 0
    kill "$CONTAINERD_PID" 2>/dev/null || true
    wait "$CONTAINERD_PID" 2>/dev/null || true
    CONTAINERD_PID=
}

ctr_() {
    ctr --address "$T/ctd/sock" "$@"
}

# ctr run with containerd's runc shim calling brig-runc, its state in
# $ROOT/default (the shim adds containerd's namespace).
ctr_run() {
    ctr_ run --snapshotter native --runtime io.containerd.runc.v2 --runc-binary "$RUNC" --runc-root "$ROOT" "$@"
}

@test "ctr run --rm with --runc-binary brig-runc prints, and passes exit codes" {
    containerd_start
    run ctr_run --rm localhost/brig-bb:1 t1 echo hi-from-brig
    [ "$status" -eq 0 ]
    [ "$output" = hi-from-brig ]
    run ctr_run --rm localhost/brig-bb:1 t2 sh -c 'exit 3'
    [ "$status" -eq 3 ]
    [ -z "$(ctr_ containers ls -q)" ]
    [ -z "$("$RUNC" --root "$ROOT/default" list -q)" ]
    ! grep -q 'failed to remove runc container' "$T/ctd/log"
    containerd_stop
}

@test "ctr run -d, task exec, task ls, kill and delete with brig-runc" {
    containerd_start
    ctr_run -d localhost/brig-bb:1 web sleep 1000
    [ "$("$RUNC" --root "$ROOT/default" state web | jq -r .status)" = running ]
    [[ "$(ctr_ task ls | grep '^web ')" == *RUNNING* ]]
    run ctr_ task exec --exec-id e1 web echo inside
    [ "$status" -eq 0 ]
    [ "$output" = inside ]
    run ctr_ task exec --exec-id e2 web sh -c 'exit 4'
    [ "$status" -eq 4 ]
    ctr_ task kill -s KILL web
    local i
    for i in $(seq 50); do [[ "$(ctr_ task ls | grep '^web ')" == *STOPPED* ]] && break; sleep 0.1; done
    [[ "$(ctr_ task ls | grep '^web ')" == *STOPPED* ]]
    ctr_ task delete web
    ctr_ containers delete web
    [ -z "$("$RUNC" --root "$ROOT/default" list -q)" ]
    containerd_stop
}

@test "containerd loads the configuration of docs/kubernetes.md with brig-runc as the brig runtime" {
    command -v containerd >/dev/null || skip "containerd is not installed"
    local docs=${BATS_TEST_DIRNAME}/../../docs/kubernetes.md
    sed -n '/^```toml$/,/^```$/p' "$docs" | sed '1d;$d' >"$T/k8s.toml"
    grep -q BinaryName "$T/k8s.toml"
    run containerd --config "$T/k8s.toml" config dump
    [ "$status" -eq 0 ]
    local brig
    brig=$(sed -n '/runtimes.brig\]/,/^ *$/p; /runtimes.brig.options\]/,/^ *$/p' <<<"$output")
    [[ "$brig" == *'runtime_type = "io.containerd.runc.v2"'* ]]
    [[ "$brig" == *'BinaryName = "/usr/local/sbin/brig-runc"'* ]]
    [[ "$brig" == *'SystemdCgroup = false'* ]]
}

@test "linux.resources.unified writes its values into the container's cgroup2 cgroup" {
    [ -d /sys/fs/cgroup/unified ] || [ -e /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup2 hierarchy"
    cfg '.process.args = ["sleep", "100"] | .linux.resources.unified = {"cgroup.max.descendants": "5", "cgroup.max.depth": "2"}'
    rc create --bundle "$B" --pid-file "$T/pid" c1
    local path v2
    path=$(sed -n 's/^0:://p' /proc/$(cat "$T/pid")/cgroup)
    v2=/sys/fs/cgroup/unified
    [ -d "$v2" ] || v2=/sys/fs/cgroup
    [ "$(cat "$v2$path/cgroup.max.descendants")" = 5 ]
    [ "$(cat "$v2$path/cgroup.max.depth")" = 2 ]
}

@test "linux.resources.unified keys that leave the cgroup or are the runtime's are refused with one line" {
    local k want
    for k in "../../cgroup.max.depth|is not a cgroup2 file name" "x/../cgroup.max.depth|is not a cgroup2 file name" \
        "cgroup.procs|is the runtime's" "cgroup.kill|is the runtime's" "nodot|is not a cgroup2 file name" \
        "nosuch.file|has no such file"; do
        want=${k#*|}
        jq --arg k "${k%%|*}" '.linux.resources.unified = {($k): "1"}' "$B/config.json" >"$B/c.new" && mv "$B/c.new" "$B/config.json"
        run rc create --bundle "$B" c1
        echo "$output" >&2
        [ "$status" -eq 1 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == *"linux.resources.unified: ${k%%|*}"*"$want"* ]]
        [ ! -e "$ROOT/c1" ]
        ! find /sys/fs/cgroup -type d -path '*brig/oci-*/c1' | grep -q .
    done
}
