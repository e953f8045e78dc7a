#!/bin/sh
# Build brig twice (plain, and ASan+UBSan with fault injection) and run every
# test against both: unit tests, golden plans, CLI tests in private namespaces,
# and a short fuzzing smoke run. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (jails need it)" >&2; exit 2; }
sh scripts/install-deps.sh || exit 1

passed=0
failed=0
log=$(mktemp -d /tmp/brig-tests.XXXXXX)

count_meson() { # $1 build dir
    ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log/meson-$2.txt" | tail -n1)
    bad=$(sed -n 's/^\(Fail\|Unexpected Pass\|Timeout\): *\([0-9]*\).*/\2/p' "$log/meson-$2.txt" |
        awk '{s+=$1} END {print s+0}')
    passed=$((passed + ${ok:-0}))
    failed=$((failed + ${bad:-0}))
}

count_tap() { # $1 tap file
    ok=$(grep -c '^ok ' "$1")
    bad=$(grep -c '^not ok ' "$1")
    passed=$((passed + ok))
    failed=$((failed + bad))
    grep -A20 '^not ok ' "$1" | head -200
}

build() { # $1 dir, rest: meson options
    dir=$1
    shift
    if [ ! -d "$dir" ]; then
        meson setup "$dir" "$@" >"$log/setup-$dir.txt" 2>&1 || { cat "$log/setup-$dir.txt"; return 1; }
    fi
    ninja -C "$dir" >"$log/build-$dir.txt" 2>&1 || { tail -n 40 "$log/build-$dir.txt"; return 1; }
}

# Both builds, their fixtures and their unit tests first; then the CLI tests
# of the two builds run side by side, each in namespaces of its own (cgroups
# are scoped by each workdir's node id, /etc/subuid copies are private), which
# keeps both cores busy while tests wait on jails, VMs and timeouts.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
variants=
for variant in build build-asan; do
    if [ "$variant" = build ]; then
        build build || { failed=$((failed + 1)); continue; }
        # the one step that downloads: a Debian base for the CLI tests, made once
        echo "== Debian base for the CLI tests"
        if tests/fixtures/debian-base.sh build debian12; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
        echo "== kernel and initramfs of the test VM"
        if tests/fixtures/vm-kernel.sh build; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    else
        build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dfault_injection=true \
            || { failed=$((failed + 1)); continue; }
    fi
    variants="$variants $variant"
    echo "== $variant: unit and golden tests"
    meson test -C "$variant" --print-errorlogs --num-processes 2 >"$log/meson-$variant.txt" 2>&1
    grep -E '^(Ok|Fail|Skipped|Timeout|Expected Fail|Unexpected Pass):' "$log/meson-$variant.txt"
    grep -E ' FAIL |TIMEOUT' "$log/meson-$variant.txt" | head -20
    count_meson "$variant" "$variant"
done

for variant in $variants; do
    BRIG="$top/$variant/cli/brig" tests/netns-run.sh bats --tap tests/bats \
        >"$log/bats-$variant.tap" 2>&1 &
done
wait
for variant in $variants; do
    echo "== $variant: CLI tests (bats, private namespaces)"
    count_tap "$log/bats-$variant.tap"
    grep -E '^(ok|not ok) ' "$log/bats-$variant.tap" | awk '{print $1=="ok"?"pass":"FAIL"}' | sort | uniq -c
done

# The quick start builds with -O3 and the project supports clang: both must
# build warning-free (gcc -O3 and clang see different things).
for variant in release clang; do
    echo "== build-$variant: compiles without warnings"
    if [ "$variant" = release ]; then
        build "build-$variant" --buildtype=release
        st=$?
    else
        export CC=clang
        build "build-$variant"
        st=$?
        unset CC
    fi
    if [ $st -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo "== fuzzing smoke run"
if sh tests/fuzz/run.sh 20 >"$log/fuzz.txt" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    tail -n 30 "$log/fuzz.txt"
fi

echo "== format check"
if sh scripts/check-format.sh >"$log/format.txt" 2>&1; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    cat "$log/format.txt"
fi

echo "logs: $log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
