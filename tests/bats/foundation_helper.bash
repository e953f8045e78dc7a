# Assertions shared by the tests of initenv, inventory and the jail record verbs.

# Run a command and fail (showing its output) unless it exits 0.
ok() {
    run "$@"
    if [ "$status" -ne 0 ]; then
        echo "exit $status from '$*': $output" >&2
        return 1
    fi
}

# Fail unless the last run's output contains $1.
output_has() {
    case "$output" in
    *"$1"*) return 0 ;;
    esac
    echo "wanted '$1' in: $output" >&2
    return 1
}

# Fail if the last run's output contains $1.
output_lacks() {
    case "$output" in
    *"$1"*)
        echo "did not want '$1' in: $output" >&2
        return 1
        ;;
    esac
}

# Fail unless the last run printed a line exactly equal to $1.
has_line() {
    local l
    for l in "${lines[@]}"; do
        [ "$l" = "$1" ] && return 0
    done
    echo "wanted the line '$1' in: $output" >&2
    return 1
}

# Fail unless $1 equals $2, naming what was compared ($3).
same() {
    [ "$1" = "$2" ] && return 0
    echo "${3:-value}: got '$1', wanted '$2'" >&2
    return 1
}

# One parameter of a jail, as `brig jget jname=J PARAM` shows it (a JSON
# boolean as 0 or 1).
jparam() {
    "$BRIG_BIN" jget jname="$1" "$2" --json |
        jq -r --arg k "$2" '.[$k] | if type == "boolean" then (if . then 1 else 0 end) else . end'
}

# Write stdin to a file under the test's temporary directory and print its path.
jconf_file() {
    local f="$BATS_TEST_TMPDIR/$1"
    cat >"$f"
    echo "$f"
}

# Number of jail records in the database.
jail_count() {
    sqlite3 "$W/var/db/local.sqlite" "select count(*) from jails"
}

# Pretend the kernel has no VIMAGE: what inventory records on such a node.
node_without_vimage() {
    sqlite3 "$W/var/db/local.sqlite" \
        "insert or replace into node(key, value) values('vimage_feature', '0')"
}

# An EDITOR for jconfig: a script that runs sed with the given expression on its file.
sed_editor() {
    local f="$BATS_TEST_TMPDIR/editor-$RANDOM"
    printf '#!/bin/sh\nexec sed -i %s "$1"\n' "'$1'" >"$f"
    chmod +x "$f"
    echo "$f"
}

# Record a live process as jail $1's init (pid and start time), as jstart would:
# jls then shows the jail running. Prints the pid; stop_fake_inits ends them.
fake_running() {
    sleep 300 </dev/null >/dev/null 2>&1 3>&- &
    local pid=$! st
    echo "$pid" >>"$BATS_TEST_TMPDIR/fake-inits"
    st=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
    sqlite3 "$W/var/db/local.sqlite" \
        "insert or replace into runtime(jail_id, pid, starttime)
         select id, $pid, $st from jails where jname = '$1'"
    echo "$pid"
}

# Kill the processes fake_running started, by pid.
stop_fake_inits() {
    local pid
    [ -f "$BATS_TEST_TMPDIR/fake-inits" ] || return 0
    while read -r pid; do
        kill "$pid" 2>/dev/null || true
    done <"$BATS_TEST_TMPDIR/fake-inits"
}

# Run a command on a terminal (script(1)); the lines of $TTY_ANSWER are what
# the user types. Carriage returns are dropped from the output.
tty_run() {
    command -v script >/dev/null || skip "script(1) is not installed"
    local cmd="" a
    for a in "$@"; do cmd+=" '${a//\'/\'\\\'\'}'"; done
    if [ -n "${TTY_ANSWER:-}" ]; then
        run script -qec "$cmd" /dev/null <<<"$TTY_ANSWER"
    else
        run script -qec "$cmd" /dev/null </dev/null
    fi
    output=${output//$'\r'/}
    mapfile -t lines <<<"$output"
}

# Run brig with its arguments on a terminal.
on_tty() {
    tty_run "$BRIG_BIN" "$@"
}

# Run brig on a terminal and fail (showing its output) unless it exits 0.
on_tty_ok() {
    on_tty "$@"
    same "$status" 0 "exit status of brig $*: $output"
}
