# Helpers for the jexec and jlogin tests: a caller on a terminal of its own
# (util-linux script(1)), and a TIOCSTI program copied into a running jail.

# Build tests/bats/tiocsti.c once per run, statically: the busybox jail has no libc.
tiocsti_build() {
    TIOCSTI_BIN="$BATS_RUN_TMPDIR/tiocsti"
    [ -x "$TIOCSTI_BIN" ] && return 0
    command -v cc >/dev/null || { echo "no C compiler (scripts/install-deps.sh installs gcc)" >&2; return 1; }
    cc -static -O2 -o "$TIOCSTI_BIN.tmp" "$BATS_TEST_DIRNAME/tiocsti.c" || return 1
    mv "$TIOCSTI_BIN.tmp" "$TIOCSTI_BIN"
}

# Copy file $2 into running jail $1's root as /$3 (mode 0755).
jail_put() {
    install -m 0755 "$2" "$W/jails/$1/$3"
}

# Run the bash code $1 as the caller, on a terminal that is its controlling
# terminal and its stdin, on which $2 (default nothing) is typed at once.
# Output: what appeared on the terminal.
on_tty() {
    command -v script >/dev/null || { echo "script(1) is not installed" >&2; return 1; }
    local code="$BATS_TEST_TMPDIR/on_tty.bash" in="$BATS_TEST_TMPDIR/on_tty.in" keep rc=0
    printf '%s\n' "$1" >"$code"
    rm -f "$in"
    mkfifo "$in"
    # held open here, so the terminal's input never ends while the code runs
    exec {keep}<>"$in"
    printf '%s' "${2:-}" >&$keep
    BRIG_BIN="$BRIG_BIN" script -qfec "bash $code" /dev/null <"$in" {keep}>&- || rc=$?
    exec {keep}>&-
    return $rc
}
