#!/usr/bin/env bats
# Concurrency: one lock per jail. Parallel starts of one jail start it once;
# starts of different jails run side by side and all succeed.

load lifecycle_helper

setup() {
    BG_PIDS=()
    life_setup
}

teardown() {
    life_teardown
}

# Run "brig $@" in the background, its output and exit status in $out.N.
bg_brig() {
    local n=$1
    shift
    (
        rc=0
        "$BRIG_BIN" "$@" >"$BATS_TEST_TMPDIR/out.$n" 2>&1 || rc=$?
        echo "$rc" >"$BATS_TEST_TMPDIR/rc.$n"
    ) &
    BG_PIDS+=($!)
}

# Wait for every bg_brig.
bg_wait() {
    local p
    for p in "${BG_PIDS[@]}"; do
        wait "$p" || true
    done
    BG_PIDS=()
}

@test "5 parallel jstart of one jail: one starts it, the others say already running and exit 0" {
    local J=${P}cc1 i
    ok brig jcreate jname=$J ip4_addr=0 exec_start=true
    for i in 1 2 3 4 5; do bg_brig "$i" jstart jname=$J; done
    bg_wait
    local started=0 refused=0 rc out
    for i in 1 2 3 4 5; do
        rc=$(cat "$BATS_TEST_TMPDIR/rc.$i")
        out=$(cat "$BATS_TEST_TMPDIR/out.$i")
        if [ "$rc" -eq 0 ] && [ "$out" = "$J: started" ]; then
            started=$((started + 1))
        elif [ "$rc" -eq 0 ] && [ "$out" = "$J: already running" ]; then
            refused=$((refused + 1))
        else
            echo "jstart $i: exit $rc: $out" >&2
            return 1
        fi
    done
    same "$started" 1 "jstarts that started the jail"
    same "$refused" 4 "jstarts that found it running"
    same "$(count_inits)" 1 "jail inits"
    ok brig jstop jname=$J
    assert_nothing_left
}

@test "parallel jstart and jstop of one jail end in a consistent state" {
    local J=${P}cc1 i
    ok brig jcreate jname=$J ip4_addr=0 exec_start=true exec_stop=true
    for i in 1 2 3 4 5 6; do
        if ((i % 2)); then bg_brig "$i" jstart jname=$J; else bg_brig "$i" jstop jname=$J; fi
    done
    bg_wait
    local st
    st=$(jstatus $J)
    if [ "$st" = running ]; then
        same "$(count_inits)" 1 "inits of a running jail"
        ok brig jstop jname=$J
    else
        same "$(count_inits)" 0 "inits of a stopped jail"
    fi
    ok brig recover
    assert_nothing_left
}

@test "20 VNET jails started in parallel all come up, then all stop in parallel" {
    local i n=20
    for i in $(seq 1 $n); do
        ok brig jcreate jname=${P}c$i vnet=1 ip4_addr=10.55.0.$((i + 1))/24 exec_start=true \
            exec_stop=true allow_raw_sockets=$((i == 1))
    done
    for i in $(seq 1 $n); do bg_brig "$i" jstart jname=${P}c$i; done
    bg_wait
    for i in $(seq 1 $n); do
        same "$(cat "$BATS_TEST_TMPDIR/rc.$i")" 0 \
            "jstart ${P}c$i: $(cat "$BATS_TEST_TMPDIR/out.$i")"
    done
    ok brig jls display=status header=0
    same "$(grep -c '^running$' <<<"$output")" $n "jails running"
    same "$(count_inits)" $n "jail inits"
    same "$(count_links)" $n "host-side links"
    # the jails reach each other over the bridge
    jail_pings ${P}c1 10.55.0.$((n + 1))
    same "$status" 0 "ping: $output"
    for i in $(seq 1 $n); do bg_brig "$i" jstop jname=${P}c$i; done
    bg_wait
    for i in $(seq 1 $n); do
        same "$(cat "$BATS_TEST_TMPDIR/rc.$i")" 0 \
            "jstop ${P}c$i: $(cat "$BATS_TEST_TMPDIR/out.$i")"
    done
    ok brig jls display=status header=0
    same "$(grep -c '^stopped$' <<<"$output")" $n "jails stopped"
    assert_nothing_left
}

@test "jexec does not wait for a jstart of another jail" {
    local A=${P}cc1 B=${P}cc2
    ok brig jcreate jname=$A ip4_addr=0 exec_start=true
    # B's jstart lasts until the test ends its exec_start's sleep
    ok brig jcreate jname=$B ip4_addr=0 exec_start='sleep 998; true'
    ok brig jstart jname=$A
    bg_brig 1 jstart jname=$B
    wait_for 120 pgrep -xf 'sleep 998' >/dev/null
    ok brig jexec jname=$A -- echo quick
    same "$output" quick "jexec in a running jail during another's jstart"
    [ ! -e "$BATS_TEST_TMPDIR/rc.1" ] || {
        echo "the slow jstart finished first; nothing was proved" >&2
        return 1
    }
    kill "$(pgrep -xf 'sleep 998')"
    bg_wait
    same "$(cat "$BATS_TEST_TMPDIR/rc.1")" 0 "the slow jstart"
}

@test "jremove force=1 racing jstart never leaves the jail running" {
    local i
    for i in 1 2 3 4 5; do
        ok brig jcreate jname=${P}rr ip4_addr=0 exec_start=true
        "$BRIG_BIN" jstart jname=${P}rr >/dev/null 2>&1 &
        local bg=$!
        run brig jremove jname=${P}rr force=1
        wait "$bg" || true
        run brig jls display=jname header=0
        if [ -n "$output" ]; then
            ok brig jremove jname=${P}rr force=1
        fi
        same "$(count_inits)" 0 "jail inits after round $i"
        assert_nothing_left "round $i"
    done
}
