#!/usr/bin/env bats
# brig jexec: a command runs inside a running jail, in a session of its own,
# with pipes for stdin, stdout and stderr that brig relays; its exit status
# becomes brig's. The caller's terminal never reaches the jail.

bats_require_minimum_version 1.5.0
load lifecycle_helper
load jexec_helper

setup() {
    life_setup
    ok brig jcreate jname=${P}xe1 ip4_addr=0 exec_start=true
}

teardown() {
    life_teardown
}

@test "jexec runs the command inside the jail and returns its exit status" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1 -- /bin/sh -c 'echo out; echo err >&2; exit 7'
    same "$status" 7 "exit status"
    has_line out
    has_line err
    run brig jexec jname=${P}xe1 -- true
    same "$status" 0 "true"
    run brig jexec jname=${P}xe1 -- false
    same "$status" 1 "false"
}

@test "jexec passes stdin through" {
    ok brig jstart jname=${P}xe1
    run bash -c "echo hi | '$BRIG_BIN' jexec jname=${P}xe1 -- cat"
    same "$status" 0 "exit status"
    same "$output" hi "cat's output"
    run bash -c "seq 1 5000 | '$BRIG_BIN' jexec jname=${P}xe1 -- wc -l"
    same "$(echo $output)" 5000 "lines through stdin"
}

@test "jexec reports a command killed by a signal as 128+signal" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1 -- /bin/sh -c 'kill -9 $$'
    same "$status" 137 "exit status"
}

@test "jexec on a stopped jail fails with not running" {
    run brig jexec jname=${P}xe1 -- true
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "${P}xe1: not running"
}

@test "jexec without a command is refused" {
    ok brig jstart jname=${P}xe1
    assert_rejected 2 "no command" brig jexec jname=${P}xe1
}

@test "jexec of a program that is not in the jail fails and says so" {
    ok brig jstart jname=${P}xe1
    run -127 brig jexec jname=${P}xe1 -- /nonexistent
    [ "$status" -ne 0 ]
    output_has "/nonexistent"
}

@test "jexec user= runs as that user of the jail, an unknown user is refused" {
    ok brig jstart jname=${P}xe1
    ok brig jexec jname=${P}xe1 user=nobody -- id
    output_has "uid=65534(nobody)"
    assert_rejected 2 "no user nosuch" brig jexec jname=${P}xe1 user=nosuch -- id
}

@test "jexec runs in the jail's namespaces and cgroup" {
    ok brig jstart jname=${P}xe1
    ok brig jexec jname=${P}xe1 -- hostname
    same "$output" ${P}xe1.my.domain "host name"
    ok brig jexec jname=${P}xe1 -- ps -o pid,comm
    has_line "    1 brig-init"
    ok brig jexec jname=${P}xe1 -- cat /proc/self/cgroup
    # the jail's cgroup is the root of its cgroup namespace
    local l
    for l in "${lines[@]}"; do
        [[ "$l" == *:/ ]] || {
            echo "not in the jail's cgroup: $l" >&2
            return 1
        }
    done
    # from the host: the jexec'd process is in the same cgroups as the jail's init
    "$BRIG_BIN" jexec jname=${P}xe1 -- sleep 1000 &
    local bg=$! pid
    wait_for 120 pgrep -xf 'sleep 1000' >/dev/null
    pid=$(pgrep -xf 'sleep 1000')
    local mine init
    mine=$(cat "/proc/$pid/cgroup")
    init=$(cat "/proc/$(jpid ${P}xe1)/cgroup")
    kill "$pid" 2>/dev/null || true
    wait "$bg" || true
    same "$mine" "$init" "cgroups of the jexec'd process and of the init"
    [[ "$init" == *"/brig/$(node_id)/${P}xe1"* ]] || {
        echo "the init is in no cgroup of the jail: $init" >&2
        return 1
    }
}

@test "jexec sees the jail's files, not the host's" {
    ok brig jstart jname=${P}xe1
    echo host-only >"$BATS_TEST_TMPDIR/marker"
    run brig jexec jname=${P}xe1 -- cat "$BATS_TEST_TMPDIR/marker"
    [ "$status" -ne 0 ]
    ok brig jexec jname=${P}xe1 -- ls /
    output_lacks work
}

@test "jexec exits 0, the command's status, 127 for a missing program, 128+9 when killed" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1 -- true
    same "$status" 0 "true"
    run brig jexec jname=${P}xe1 -- /bin/sh -c 'exit 3'
    same "$status" 3 "exit 3"
    run -127 brig jexec jname=${P}xe1 -- no-such-program
    same "${#lines[@]}" 1 "lines"
    output_has "exec no-such-program in the jail"
    run brig jexec jname=${P}xe1 -- /bin/sh -c 'kill -9 $$'
    same "$status" 137 "killed"
}

@test "jexec runs the command that follows the parameters without --, as CBSD's does" {
    ok brig jstart jname=${P}xe1
    ok brig jexec jname=${P}xe1 ps
    output_has "PID"
    run brig jexec jname=${P}xe1 /bin/sh -c 'echo "$0:$1"; exit 4' zero one=1
    same "$status" 4 "exit status"
    same "$output" "zero:one=1" "arguments, a key=value among them, reach the command"
    run brig jexec jname=${P}xe1 ls -d /etc
    same "$output" /etc "an option of the command is the command's"
}

@test "jexec without -- exits 127 for a program the jail lacks" {
    ok brig jstart jname=${P}xe1
    run -127 brig jexec jname=${P}xe1 no-such-program
    same "${#lines[@]}" 1 "lines"
    output_has "exec no-such-program in the jail"
}

@test "jexec without a command is a usage error" {
    ok brig jstart jname=${P}xe1
    run brig jexec jname=${P}xe1
    same "$status" 2 "exit status"
}

@test "jexec relays a MiB through stdin, stdout and stderr, whole" {
    ok brig jstart jname=${P}xe1
    local mib="$BATS_TEST_TMPDIR/mib"
    head -c 1048576 /dev/urandom >"$mib"
    run bash -c "'$BRIG_BIN' jexec jname=${P}xe1 -- cat <'$mib' | cmp - '$mib' && echo same"
    same "$output" same "cat of a MiB"
    run bash -c "'$BRIG_BIN' jexec jname=${P}xe1 -- head -c 1048576 /dev/zero | wc -c"
    same "$output" 1048576 "bytes on stdout"
    run bash -c "'$BRIG_BIN' jexec jname=${P}xe1 -- sh -c 'head -c 1048576 /dev/zero >&2' 2>&1 >/dev/null | wc -c"
    same "$output" 1048576 "bytes on stderr"
    # output written just before the command exits is not lost
    run bash -c "'$BRIG_BIN' jexec jname=${P}xe1 -- sh -c 'seq 1 20000; exit 2' | tail -n 1"
    same "$output" 20000 "the last line"
}

@test "jexec stops at the command's end of input when brig's stdin ends" {
    ok brig jstart jname=${P}xe1
    run bash -c "printf 'a\nb\n' | '$BRIG_BIN' jexec jname=${P}xe1 -- sh -c 'cat; echo done'"
    same "$status" 0 "exit status"
    same "$output" "$(printf 'a\nb\ndone')" "output"
    run bash -c "'$BRIG_BIN' jexec jname=${P}xe1 -- sh -c 'cat; echo eof' </dev/null"
    same "$output" eof "with stdin /dev/null"
}

@test "the jexec'd command runs in a session of its own on pipes, not on the caller's terminal" {
    ok brig jstart jname=${P}xe1
    cat >"$W/jails/${P}xe1/probe.sh" <<'PROBE'
read -r pid comm state ppid pgrp sid rest </proc/self/stat
[ "$sid" = "$$" ] && echo "own session"
[ -t 0 ] || [ -t 1 ] || [ -t 2 ] || echo "no terminal"
ls -l /proc/self/fd/ | sed -n 's/.* \([0-9]*\) -> \(.*\)/fd \1 \2/p'
PROBE
    run on_tty "\"\$BRIG_BIN\" jexec jname=${P}xe1 -- /bin/sh /probe.sh"
    echo "$output"
    output_has "own session"
    output_has "no terminal"
    output_has "fd 0 pipe:["
    output_has "fd 1 pipe:["
    output_has "fd 2 pipe:["
    output_lacks "/dev/"
}

@test "a jexec'd command cannot push input into the caller's terminal (TIOCSTI)" {
    tiocsti_build
    ok brig jstart jname=${P}xe1
    jail_put ${P}xe1 "$TIOCSTI_BIN" tiocsti
    run on_tty "\"\$BRIG_BIN\" jexec jname=${P}xe1 -- /tiocsti 'echo INJECTED'
read -t 2 -r line
echo \"caller read [\$line]\""
    echo "$output"
    output_has "tiocsti: no terminal reached"
    output_has "caller read []"
    output_lacks INJECTED
}

@test "nor can a process it leaves behind, after jexec has returned (TIOCSTI)" {
    tiocsti_build
    ok brig jstart jname=${P}xe1
    jail_put ${P}xe1 "$TIOCSTI_BIN" tiocsti
    run on_tty "\"\$BRIG_BIN\" jexec jname=${P}xe1 -- /tiocsti 'echo INJECTED' 2
echo jexec returned \$?
read -t 4 -r line
echo \"caller read [\$line]\""
    echo "$output"
    output_has "jexec returned 0"
    output_has "caller read []"
    output_lacks INJECTED
}

@test "a process the command leaves in the background does not keep jexec" {
    ok brig jstart jname=${P}xe1
    # the sleep holds jexec's pipes for 997 s; returning means well before
    # that, with room for a loaded machine
    local t0=$SECONDS
    run timeout 300 "$BRIG_BIN" jexec jname=${P}xe1 -- sh -c 'sleep 997 & echo started'
    same "$status" 0 "exit status"
    same "$output" started "output"
    [ $((SECONDS - t0)) -lt 200 ] || { echo "jexec took $((SECONDS - t0)) s" >&2; return 1; }
}

@test "SIGTERM and SIGHUP sent to jexec reach the command" {
    ok brig jstart jname=${P}xe1
    local sig out="$BATS_TEST_TMPDIR/out" pid i rc
    for sig in TERM HUP; do
        : >"$out"
        # a caller run under nohup hands down SIGHUP ignored: jexec keeps what it is given
        env --default-signal=HUP "$BRIG_BIN" jexec jname=${P}xe1 -- sh -c \
            "trap 'echo got $sig; exit 5' $sig; echo ready; while :; do sleep 0.1; done" >"$out" 2>&1 &
        pid=$!
        wait_for 120 grep -q ready "$out"
        kill -$sig $pid
        rc=0
        wait $pid || rc=$?
        same "$rc" 5 "exit status after SIG$sig"
        grep -q "got $sig" "$out" || { cat "$out" >&2; return 1; }
    done
}

@test "jexec user= fails at once, in one line, when the jail's /etc/passwd is a FIFO" {
    ok brig jstart jname=${P}xe1
    # a symlink that stays inside the jail is followed there
    ok brig jexec jname=${P}xe1 -- sh -c 'mv /etc/passwd /etc/passwd.real && ln -s /etc/passwd.real /etc/passwd'
    ok brig jexec jname=${P}xe1 user=nobody -- id
    output_has "uid=65534(nobody)"
    ok brig jexec jname=${P}xe1 -- sh -c 'rm /etc/passwd && mkfifo /etc/passwd'
    # opening the FIFO would block for good: timeout's 124 would say so
    run timeout 120 "$BRIG_BIN" jexec jname=${P}xe1 user=nobody -- id
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "/etc/passwd is not a regular file"
}

@test "jexec pty=1 runs the command on a pty of the jail when stdin is a terminal" {
    ok brig jstart jname=${P}xe1
    cat >"$W/jails/${P}xe1/probe.sh" <<'PROBE'
tty
read -r pid comm state ppid pgrp sid rest </proc/self/stat
[ "$sid" = "$$" ] && echo "own session"
exit 3
PROBE
    run on_tty "\"\$BRIG_BIN\" jexec jname=${P}xe1 pty=1 -- /bin/sh /probe.sh; echo jexec \$?"
    echo "$output"
    output_has "/dev/pts/0"
    output_has "own session"
    output_has "jexec 3"
    # without a terminal, pipes as always
    run brig jexec jname=${P}xe1 pty=1 -- tty
    same "$status" 1 "exit status of tty"
    same "$output" "not a tty" "tty's output"
}

@test "jexec in a background job leaves the terminal's input to the foreground" {
    ok brig jstart jname=${P}xe1
    run on_tty "set -m
\"\$BRIG_BIN\" jexec jname=${P}xe1 -- sh -c 'sleep 1; echo bg done' &
wait \$!
echo \"jexec \$?\"
read -t 2 -r line
echo \"caller read [\$line]\"" $'typed\n'
    echo "$output"
    output_has "bg done"
    output_has "jexec 0"
    output_has "caller read [typed]"
}

@test "jexec ends a command whose output nobody reads any more" {
    ok brig jstart jname=${P}xe1
    # without the end, yes would run for good: timeout's 124 would say so
    run timeout 120 bash -c "'$BRIG_BIN' jexec jname=${P}xe1 -- yes | head -n 2"
    same "$status" 0 "exit status"
    same "$output" "$(printf 'y\ny')" "output"
}
