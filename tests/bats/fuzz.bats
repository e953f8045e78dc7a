#!/usr/bin/env bats
# The fuzzers: every libFuzzer target under tests/fuzz is built by Meson
# (-Dfuzz=true), so tests/fuzz/run.sh (the smoke run of tests/run-all.sh)
# runs it, and it starts from seeds of its own.

TOP=$BATS_TEST_DIRNAME/../..

@test "every fuzz target in tests/fuzz is built and run, and has seeds" {
    local f name n=0
    for f in "$TOP"/tests/fuzz/fuzz_*.c; do
        name=$(basename "$f" .c)
        name=${name#fuzz_}
        grep -q "\['$name', files('fuzz/fuzz_$name.c')\]" "$TOP/tests/meson.build" || {
            echo "tests/meson.build does not build fuzz_$name.c" >&2
            return 1
        }
        [ -n "$(ls -A "$TOP/tests/fuzz/seeds/$name" 2>/dev/null)" ] || {
            echo "no seeds in tests/fuzz/seeds/$name" >&2
            return 1
        }
        n=$((n + 1))
    done
    [ "$n" -ge 6 ]
}
