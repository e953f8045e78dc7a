#!/usr/bin/env bats
# brig jlogin: a login shell inside the jail, on a pty of the jail's own
# that brig relays to the caller's terminal; without a terminal it reads its
# commands from stdin.

load lifecycle_helper
load jexec_helper

setup() {
    life_setup
    ok brig jcreate jname=${P}lg1 ip4_addr=0 exec_start=true
}

teardown() {
    life_teardown
}

@test "jlogin without a tty runs a login shell that reads stdin" {
    ok brig jstart jname=${P}lg1
    run bash -c "printf 'echo ok; echo \$0; id -un; pwd; exit 3\n' | '$BRIG_BIN' jlogin jname=${P}lg1"
    same "$status" 3 "exit status of the shell"
    has_line ok
    has_line -sh
    has_line root
    has_line /root
}

@test "jlogin user= logs in as that user" {
    ok brig jstart jname=${P}lg1
    # nobody's shell is /bin/false in the busybox base: give it one
    ok brig jexec jname=${P}lg1 -- sed -i 's,^nobody:\(.*\):/bin/false$,nobody:\1:/bin/sh,' /etc/passwd
    run bash -c "echo 'id -un; exit' | '$BRIG_BIN' jlogin jname=${P}lg1 user=nobody"
    same "$status" 0 "exit status"
    has_line nobody
}

@test "jlogin on a terminal gets a pty of the jail" {
    command -v script >/dev/null || skip "script(1) is not installed"
    ok brig jstart jname=${P}lg1
    run script -qec "'$BRIG_BIN' jlogin jname=${P}lg1" /dev/null <<<'tty; exit'
    output_has "/dev/pts/"
}

@test "jlogin on a stopped jail fails with not running" {
    run bash -c "echo exit | '$BRIG_BIN' jlogin jname=${P}lg1"
    same "$status" 1 "exit status"
    output_has "${P}lg1: not running"
}

@test "jlogin on a terminal: the shell holds only the jail's pty, as its controlling terminal" {
    ok brig jstart jname=${P}lg1
    # the login shell's fds, listed by a process of its own
    cat >"$W/jails/${P}lg1/fds.sh" <<'PROBE'
ls -l /proc/$PPID/fd/ | sed -n 's/.* \([0-9]*\) -> \(.*\)/fd \1 \2/p'
PROBE
    run on_tty "\"\$BRIG_BIN\" jlogin jname=${P}lg1; echo jlogin \$?" $'sh /fds.sh; exit 6\n'
    echo "$output"
    output_has "fd 0 /dev/pts/0"
    output_has "fd 1 /dev/pts/0"
    output_has "fd 2 /dev/pts/0"
    local other
    other=$(tr -d '\r' <<<"$output" | grep -a '^fd ' | grep -v -e ' /dev/pts/0$' -e ' /dev/tty$' || true)
    [ -z "$other" ] || { echo "the shell holds more: $other" >&2; return 1; }
    output_has "jlogin 6"
}

@test "jlogin on a terminal returns when the shell exits, though a process left behind holds the pty" {
    ok brig jstart jname=${P}lg1
    run on_tty "SECONDS=0; timeout --foreground -k 5 300 \"\$BRIG_BIN\" jlogin jname=${P}lg1; echo \"jlogin \$? in \$SECONDS s\"" \
        $'sleep 1000 &\nexit 4\n'
    echo "$output"
    # the left-behind sleep holds the pty for 1000 s; returning means well
    # before that, with room for a loaded machine
    local secs
    secs=$(tr -d '\r' <<<"$output" | sed -n 's/^jlogin 4 in \([0-9]*\) s$/\1/p')
    [ -n "$secs" ] || { echo "no 'jlogin 4 in N s' line" >&2; return 1; }
    [ "$secs" -le 200 ] || { echo "jlogin took $secs s: it waited for the left-behind process" >&2; return 1; }
}

@test "jlogin user= fails at once, in one line, when the jail's /etc/passwd is a FIFO" {
    ok brig jstart jname=${P}lg1
    ok brig jexec jname=${P}lg1 -- sh -c 'rm /etc/passwd && mkfifo /etc/passwd'
    # opening the FIFO would block for good: timeout's 124 would say so
    run bash -c "echo id | timeout 120 '$BRIG_BIN' jlogin jname=${P}lg1 user=nobody"
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "/etc/passwd is not a regular file"
}

@test "jlogin on a terminal: the pty has the caller's window size, and the caller's mode comes back" {
    ok brig jstart jname=${P}lg1
    run on_tty "stty rows 45 cols 123
before=\$(stty -g)
\"\$BRIG_BIN\" jlogin jname=${P}lg1
[ \"\$(stty -g)\" = \"\$before\" ] && echo terminal restored" $'stty size; exit\n'
    echo "$output"
    output_has "45 123"
    output_has "terminal restored"
}
