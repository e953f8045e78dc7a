#!/usr/bin/env bats
# Crash safety: brig killed (SIGKILL) before or after any step of jstart or
# jstop leaves a journal; `brig recover`, or simply the next command on the
# jail, undoes what was done, and the jail starts and stops cleanly again.
# Needs a build with -Dfault_injection=true (BRIG_FAULT=op:step[:after]).

load lifecycle_helper

setup() {
    need_fault_injection
    life_setup
    J=${P}cr1
    # VNET, an address, limits and a process of its own: every step has work to undo
    ok brig jcreate jname=$J vnet=1 ip4_addr=10.66.0.2/24 memoryuse=64m maxproc=100 \
        exec_start='sleep 1000 &' exec_stop=true stop_timeout=2
}

teardown() {
    life_teardown
}

# The number of jstart steps, from the dry-run plan.
nsteps() {
    brig jstart jname=$J --dry-run | grep -c '^[0-9]*\. '
}

# Fail unless nothing of the jail is left: mounts, cgroups, links, processes.
clean() {
    assert_nothing_left "$1" || return 1
    if pgrep -xf 'sleep 1000' >/dev/null; then
        echo "$1: a process of the jail is still running" >&2
        return 1
    fi
}

# Start and stop the jail once, cleanly.
cycle_ok() {
    run brig jstart jname=$J
    [ "$status" -eq 0 ] || {
        echo "$1: jstart after recovery: $output" >&2
        return 1
    }
    run brig jexec jname=$J -- ip -o addr show eth0
    [[ "$output" == *10.66.0.2/24* ]] || {
        echo "$1: eth0 after recovery: $output" >&2
        return 1
    }
    run brig jstop jname=$J
    [ "$status" -eq 0 ] || {
        echo "$1: jstop after recovery: $output" >&2
        return 1
    }
    clean "$1 (after a clean cycle)"
}

# Run brig with BRIG_FAULT=$1 and fail unless it died of SIGKILL.
crash() {
    local point=$1
    shift
    run env BRIG_FAULT="$point" "$BRIG_BIN" "$@"
    [ "$status" -eq 137 ] || {
        echo "$point: wanted death by SIGKILL (137), got $status: $output" >&2
        return 1
    }
}

@test "the jstart plan numbers the steps the fault points name" {
    local n
    n=$(nsteps)
    [ "$n" -ge 8 ] || {
        echo "only $n jstart steps" >&2
        return 1
    }
    # past the last step there is no fault point: the jail just starts
    ok env BRIG_FAULT="jstart:$((n + 1))" "$BRIG_BIN" jstart jname=$J
    same "$(jstatus $J)" running "status"
}

@test "brig killed at any jstart step: brig recover undoes everything, the jail starts again" {
    local k w point
    for k in $(seq 1 "$(nsteps)"); do
        for w in "" ":after"; do
            point="jstart:$k$w"
            crash "$point" jstart jname=$J
            run brig recover
            [ "$status" -eq 0 ] || {
                echo "$point: recover failed: $output" >&2
                return 1
            }
            same "$(jstatus $J)" stopped "$point: status after recover"
            clean "$point: after recover"
            cycle_ok "$point"
        done
    done
}

@test "brig killed at any jstart step: the next jstart cleans up and starts the jail" {
    local k w point
    for k in $(seq 1 "$(nsteps)"); do
        for w in "" ":after"; do
            point="jstart:$k$w"
            crash "$point" jstart jname=$J
            run brig jstart jname=$J
            [ "$status" -eq 0 ] || {
                echo "$point: the next jstart failed: $output" >&2
                return 1
            }
            same "$(jstatus $J)" running "$point: status"
            same "$(count_inits)" 1 "$point: jail inits"
            same "$(count_links)" 1 "$point: host-side links"
            same "$(pgrep -xfc 'sleep 1000')" 1 "$point: processes of exec_start"
            ok brig jstop jname=$J
            clean "$point: after jstop"
        done
    done
}

@test "brig killed at any jstop point: brig recover finishes the stop, the jail starts again" {
    local point
    for point in jstop:1 jstop:2 jstop:2:after; do
        ok brig jstart jname=$J
        crash "$point" jstop jname=$J
        ok brig recover
        same "$(jstatus $J)" stopped "$point: status after recover"
        clean "$point: after recover"
        cycle_ok "$point"
    done
}

@test "brig killed at any jstop point: the next jstop finishes the stop and says stopped" {
    local point
    for point in jstop:1 jstop:2 jstop:2:after; do
        ok brig jstart jname=$J
        crash "$point" jstop jname=$J
        local was
        was=$(jstatus $J)
        run brig jstop jname=$J
        if [ "$was" = running ]; then
            [ "$status" -eq 0 ] && [ "$output" = "$J: stopped" ] || {
                echo "$point: jls showed the jail running; the next jstop said (exit $status): $output" >&2
                return 1
            }
        else
            [ "$status" -eq 0 ] && [[ "$output" == "$J: already stopped"* ]] || {
                echo "$point: jls showed the jail stopped; the next jstop said (exit $status): $output" >&2
                return 1
            }
        fi
        same "$(jstatus $J)" stopped "$point: status after the next jstop"
        clean "$point: after the next jstop"
        cycle_ok "$point"
    done
}

@test "brig killed at any jstop point: the next jstart starts the jail" {
    local point
    for point in jstop:1 jstop:2 jstop:2:after; do
        ok brig jstart jname=$J
        crash "$point" jstop jname=$J
        run brig jstart jname=$J
        [ "$status" -eq 0 ] || {
            echo "$point: the next jstart failed: $output" >&2
            return 1
        }
        same "$(count_inits)" 1 "$point: jail inits"
        ok brig jstop jname=$J
        clean "$point: after jstop"
    done
}

@test "jls never shows a jail running whose jstart was killed before it finished" {
    crash jstart:7 jstart jname=$J
    same "$(jstatus $J)" stopped "status after a crash before exec_start"
    crash jstart:8:after jstart jname=$J
    # the init is up, but brig died before recording it: recover decides
    ok brig recover
    same "$(jstatus $J)" stopped "status after recover"
    clean "after recover"
}

@test "recover says per jail what it did" {
    ok brig jcreate jname=${P}cr2 ip4_addr=0 exec_start=true
    ok brig jcreate jname=${P}cr3 ip4_addr=0 exec_start=true
    ok brig jstart jname=${P}cr3
    crash jstart:8:after jstart jname=$J
    ok brig recover
    same "${#lines[@]}" 3 "lines: $output"
    has_line "$J: cleaned up what an interrupted jstart left"
    has_line "${P}cr2: nothing to do"
    has_line "${P}cr3: nothing to do"
    ok brig jstart jname=$J
    crash jstop:2 jstop jname=$J
    ok brig recover jname=$J
    same "$output" "$J: finished an interrupted jstop" "recover after a killed jstop"
    ok brig recover jname=$J
    same "$output" "$J: nothing to do" "recover again"
    ok brig jstop jname=${P}cr3
    clean "after recover"
}

@test "recover with nothing to do changes nothing" {
    ok brig recover
    ok brig jstart jname=$J
    local pid
    pid=$(jpid $J)
    ok brig recover
    same "$(jstatus $J)" running "a healthy running jail after recover"
    same "$(jpid $J)" "$pid" "its pid"
}
