#!/bin/sh
# Build the libFuzzer targets with clang and run each for $1 seconds (default 30).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-30}
if [ ! -d build-fuzz ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz >/dev/null
status=0
for f in build-fuzz/tests/fuzz-*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    name=$(basename "$f")
    corpus="build-fuzz/corpus-$name"
    mkdir -p "$corpus"
    seeds="tests/fuzz/seeds/${name#fuzz-}"
    [ -d "$seeds" ] || seeds=""
    echo "fuzzing $name for ${secs}s"
    if ! "$f" -max_total_time="$secs" -max_len=4096 -print_final_stats=0 "$corpus" $seeds \
        >"build-fuzz/$name.log" 2>&1; then
        tail -n 40 "build-fuzz/$name.log"
        status=1
    fi
done
exit $status
