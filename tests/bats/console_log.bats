#!/usr/bin/env bats
# A jail's console log (jails-system/JNAME/console.log) stays within
# console_log_size whoever writes it: the jail's programs, its init system
# and brig's host-side hooks. Past the cap the oldest half is dropped.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# A program in the base that prints numbered lines of 100 bytes forever.
spam_program() {
    printf '%s\n' '#!/bin/sh' 'i=0' 'pad=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' \
        'while :; do i=$((i+1)); echo "spam $i $pad"; done' >"$W/basejail/busybox/bin/spam"
    chmod 755 "$W/basejail/busybox/bin/spam"
}

# The number of the newest spam line in log $1 (0 before any).
last_spam() {
    tail -c 4096 "$1" 2>/dev/null | sed -n 's/^spam \([0-9]*\) x*$/\1/p' | tail -n 1 | grep . || echo 0
}

# True once the jail has printed more than $2 lines into log $1.
printed_past() {
    [ "$(last_spam "$1")" -gt "$2" ]
}

log_size() {
    stat -c %s "$1"
}

@test "a jail printing forever keeps its console log within console_log_size (1m by default)" {
    spam_program
    ok brig jcreate jname=${P}sp ip4_addr=0 exec_start='/bin/spam &'
    ok brig jstart jname=${P}sp
    local log="$W/jails-system/${P}sp/console.log"
    # 40000 lines of 100 bytes: four times the cap
    wait_for 600 printed_past "$log" 40000
    local i
    for i in 1 2 3 4 5; do
        [ "$(log_size "$log")" -le 1048576 ] || {
            echo "console.log is $(log_size "$log") bytes" >&2
            return 1
        }
        sleep 0.2
    done
    # the oldest lines went, whole lines stayed
    ! grep -q '^spam 1 x' "$log"
    run sed -n '1p' "$log"
    [[ "$output" =~ ^spam\ [0-9]+\ x+$ ]]
    ok brig jstop jname=${P}sp
    same "$(jparam ${P}sp console_log_size)" 1m "default"
}

@test "console_log_size=64k set by jset caps the log, through jstop too" {
    spam_program
    ok brig jcreate jname=${P}sp ip4_addr=0 exec_start='/bin/spam &'
    ok brig jset jname=${P}sp console_log_size=64k
    ok brig jstart jname=${P}sp
    local log="$W/jails-system/${P}sp/console.log"
    wait_for 600 printed_past "$log" 5000
    [ "$(log_size "$log")" -le 65536 ]
    ok brig jstop jname=${P}sp
    [ "$(log_size "$log")" -le 65536 ]
}

@test "a host hook's endless output is capped too" {
    ok brig jcreate jname=${P}hk ip4_addr=0 console_log_size=64k \
        exec_prestart='yes hook-output | head -c 3000000; echo hook-done'
    ok brig jstart jname=${P}hk
    local log="$W/jails-system/${P}hk/console.log"
    [ "$(log_size "$log")" -le 65536 ]
    grep -q '^hook-done$' "$log"
    ok brig jstop jname=${P}hk
}

@test "console_log_size must be a size of at least 64k (0: no cap), and a bad one changes nothing" {
    ok brig jcreate jname=${P}v ip4_addr=0
    local before
    before=$(db_dump)
    run brig jset jname=${P}v console_log_size=1k
    [ "$status" -eq 2 ]
    output_has "below the minimum of 64k"
    run brig jset jname=${P}v console_log_size=lots
    [ "$status" -eq 2 ]
    run brig jcreate jname=${P}w ip4_addr=0 console_log_size=2g
    [ "$status" -eq 2 ]
    output_has "above the maximum of 1g"
    same "$(db_dump)" "$before" "database"
    ok brig jset jname=${P}v console_log_size=0
    same "$(jparam ${P}v console_log_size)" 0 "no cap"
}
