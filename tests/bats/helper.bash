# Shared setup for brig's CLI tests. Every test runs the real binary as root
# inside the private namespaces made by tests/netns-run.sh.

BRIG_BIN=${BRIG:-$BATS_TEST_DIRNAME/../../build/cli/brig}

brig_require_netns() {
    [ "${BRIG_IN_NETNS:-}" = 1 ] || {
        echo "run through tests/netns-run.sh (private namespaces)" >&2
        return 1
    }
}

# A fresh, initialised workdir per test.
brig_setup() {
    brig_require_netns
    export W="$BATS_TEST_TMPDIR/w"
    export BRIG_WORKDIR="$W"
    run "$BRIG_BIN" initenv nodename=node1.test
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

brig() {
    "$BRIG_BIN" "$@"
}

# A stable text dump of the whole database, for "bad input changes nothing".
db_dump() {
    sqlite3 "$W/var/db/local.sqlite" .dump
}

# The busybox base, built once per test run and shared (read-only) by tests.
brig_busybox_base() {
    local shared="${BATS_RUN_TMPDIR}/busybox-base"
    if [ ! -d "$shared/basejail/busybox" ]; then
        BRIG_WORKDIR="$shared" "$BRIG_BIN" initenv >/dev/null
        BRIG_WORKDIR="$shared" "$BRIG_BIN" repo action=get sources=base base=busybox >/dev/null
    fi
    mkdir -p "$W/basejail"
    [ -e "$W/basejail/busybox" ] || cp -a "$shared/basejail/busybox" "$W/basejail/busybox"
    [ ! -e "$shared/basejail/busybox.meta" ] || cp -a "$shared/basejail/busybox.meta" "$W/basejail/"
}

# Where tests/fixtures/debian-base.sh keeps base $1 (a brig workdir): under
# the plain build directory, shared by the plain and the ASan runs.
brig_fixture_dir() {
    echo "${BRIG_FIXTURES:-$BATS_TEST_DIRNAME/../../build/fixtures}/$1"
}

# The Debian base $1 (default debian12) that tests/fixtures/debian-base.sh made
# once with debootstrap, in this test's workdir as basejail/$1 with its record:
# `brig jcreate base=$1` uses it. The base is the cache itself, bound read-only
# (instant; nothing can change the cache), inside the mount namespace of
# tests/netns-run.sh; life_teardown unmounts it. Fails when it was not made.
brig_debian_base() {
    local base=${1:-debian12} fix
    fix=$(brig_fixture_dir "$base")
    if [ ! -f "$fix/basejail/$base.meta" ]; then
        echo "no cached $base: run tests/fixtures/debian-base.sh build $base first (it downloads)" >&2
        return 1
    fi
    mkdir -p "$W/basejail/$base"
    mountpoint -q "$W/basejail/$base" || {
        mount --bind "$fix/basejail/$base" "$W/basejail/$base" &&
            mount -o remount,bind,ro "$W/basejail/$base"
    } || return 1
    cp -a "$fix/basejail/$base.meta" "$W/basejail/"
}

# Assert that a command failed with exit code $1, one line of output, and that
# the database did not change. Usage: assert_rejected 2 'message part' brig jcreate ...
assert_rejected() {
    local code=$1 want=$2
    shift 2
    local before after
    before=$(db_dump)
    run "$@"
    after=$(db_dump)
    if [ "$status" -ne "$code" ]; then
        echo "exit $status, wanted $code: $output" >&2
        return 1
    fi
    if [ "${#lines[@]}" -ne 1 ]; then
        echo "wanted one line, got: $output" >&2
        return 1
    fi
    case "$output" in
    *"$want"*) ;;
    *)
        echo "wanted '$want' in: $output" >&2
        return 1
        ;;
    esac
    if [ "$before" != "$after" ]; then
        echo "database changed" >&2
        return 1
    fi
}

# Run "$@" until it succeeds, for at most $1 seconds: a bound for a loaded
# machine, never a time the test expects. Fails naming the command.
wait_for() {
    local limit=$1 end
    shift
    end=$((SECONDS + limit))
    until "$@"; do
        if [ "$SECONDS" -ge "$end" ]; then
            echo "still false after ${limit}s: $*" >&2
            return 1
        fi
        sleep 0.1
    done
}
