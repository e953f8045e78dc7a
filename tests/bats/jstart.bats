#!/usr/bin/env bats
# brig jstart: a jail comes up for real, jls shows it running with its init's
# pid, and starting it again, or several by glob, list or astart, does what
# a FreeBSD administrator expects.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

@test "jstart brings the jail up and jls shows it running with its init's pid" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0
    ok brig jstart jname=${P}sa1
    same "$output" "${P}sa1: started" "jstart output"
    same "$(jstatus ${P}sa1)" running "status"
    local pid
    pid=$(jpid ${P}sa1)
    [ "$pid" -gt 0 ]
    same "$(cat "/proc/$pid/comm")" brig-init "the recorded pid is the jail's init"
    ok brig jls --json
    same "$(jq -r '.[0].status' <<<"$output")" running "json status"
    ok brig jexec jname=${P}sa1 -- hostname
    same "$output" "${P}sa1.my.domain" "host name inside"
}

@test "jls shows a started jail whose init was killed as stopped, and jstart starts it again" {
    ok brig jcreate jname=${P}sk1 ip4_addr=0
    ok brig jstart jname=${P}sk1
    local pid
    pid=$(jpid ${P}sk1)
    kill -9 "$pid"
    local i
    for i in $(seq 50); do
        [ "$(jstatus ${P}sk1)" = stopped ] && break
        sleep 0.1
    done
    ok brig jls display=jname,jid,status,pid header=0
    [[ "$output" =~ ^${P}sk1\ +0\ +stopped\ +0$ ]]
    ok brig jstart jname=${P}sk1
    same "$output" "${P}sk1: started" "jstart after the crash"
    [ "$(jpid ${P}sk1)" != "$pid" ]
    same "$(jstatus ${P}sk1)" running "status"
}

@test "jls does not take another process for the init when the recorded pid is reused" {
    ok brig jcreate jname=${P}sr1 ip4_addr=0
    ok brig jstart jname=${P}sr1
    local init other st
    init=$(jpid ${P}sr1)
    sleep 300 </dev/null >/dev/null 2>&1 3>&- &
    other=$!
    # the other process's own pid and start time: only the init's pidfd identity,
    # recorded at jstart, tells them apart
    st=$(sed 's/.*) //' "/proc/$other/stat" | cut -d' ' -f20)
    sqlite3 "$W/var/db/local.sqlite" "update runtime set pid = $other, starttime = $st"
    run "$BRIG_BIN" jls display=jname,status,pid header=0
    kill "$other"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^${P}sr1\ +stopped\ +0$ ]]
    sqlite3 "$W/var/db/local.sqlite" "update runtime set pid = $init, starttime = $(sed 's/.*) //' "/proc/$init/stat" | cut -d' ' -f20)"
    same "$(jstatus ${P}sr1)" running "status with the init recorded again"
}

@test "jstart runs the base's /etc/rc by default and the jail's root is the base" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0
    ok brig jstart jname=${P}sa1
    grep -q "rc: ${P}sa1.my.domain is up" "$W/jails-system/${P}sa1/console.log"
    ok brig jexec jname=${P}sa1 -- cat /etc/os-release
    same "$output" "$(cat "$W/basejail/busybox/etc/os-release")" "os-release"
}

@test "jstart of a running jail says already running, exits 0 and leaves it running" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0
    ok brig jstart jname=${P}sa1
    local pid
    pid=$(jpid ${P}sa1)
    ok brig jstart jname=${P}sa1
    same "$output" "${P}sa1: already running" "output of the second jstart"
    same "$(jpid ${P}sa1)" "$pid" "pid after the second jstart"
    same "$(jstatus ${P}sa1)" running "status"
}

@test "jstart of a jail that does not exist is refused" {
    assert_rejected 2 "nosuch: no such jail" brig jstart jname=nosuch
    assert_rejected 2 "no jail matches 'zz*'" brig jstart jname='zz*'
}

@test "jstart jname=glob starts every matching jail and no other" {
    local n
    for n in ${P}sa1 ${P}sa2 ${P}sb1; do ok brig jcreate jname=$n ip4_addr=0 exec_start=true; done
    ok brig jstart jname="${P}sa*"
    has_line "${P}sa1: started"
    has_line "${P}sa2: started"
    same "$(jstatus ${P}sa1) $(jstatus ${P}sa2) $(jstatus ${P}sb1)" "running running stopped" "statuses"
}

@test "jstart jname=a,b starts the listed jails" {
    local n
    for n in ${P}sa1 ${P}sa2 ${P}sa3; do ok brig jcreate jname=$n ip4_addr=0 exec_start=true; done
    ok brig jstart jname=${P}sa1,${P}sa3
    same "${#lines[@]}" 2 "lines"
    same "$(jstatus ${P}sa1) $(jstatus ${P}sa2) $(jstatus ${P}sa3)" "running stopped running" "statuses"
}

@test "jstart of a list reports the jail that failed and still starts the others" {
    local n
    for n in ${P}sa1 ${P}sa2; do ok brig jcreate jname=$n ip4_addr=0 exec_start=true; done
    ok brig jset jname=${P}sa1 exec_start='exit 3'
    run brig jstart jname=${P}sa1,${P}sa2
    same "$status" 1 "exit status"
    output_has "brig: jstart: ${P}sa1: exec_start"
    output_has "${P}sa2: started"
    same "$(jstatus ${P}sa2)" running "${P}sa2"
}

@test "jstart of a list or glob with some jails running starts the others and exits 0" {
    local n
    for n in ${P}sa1 ${P}sa2 ${P}sa3; do ok brig jcreate jname=$n ip4_addr=0 exec_start=true; done
    ok brig jstart jname=${P}sa2
    ok brig jstart jname=${P}sa1,${P}sa2
    has_line "${P}sa1: started"
    has_line "${P}sa2: already running"
    ok brig jstart jname="${P}sa*"
    has_line "${P}sa1: already running"
    has_line "${P}sa2: already running"
    has_line "${P}sa3: started"
    same "$(jstatus ${P}sa1) $(jstatus ${P}sa2) $(jstatus ${P}sa3)" "running running running" "statuses"
}

@test "jstart astart=1 with some autostart jails running starts the rest and exits 0, with jobs= too" {
    local n
    for n in ${P}sa1 ${P}sa2 ${P}sa3 ${P}sa4; do
        ok brig jcreate jname=$n ip4_addr=0 exec_start=true astart=1
    done
    ok brig jstart jname=${P}sa2
    ok brig jstart astart=1
    has_line "${P}sa1: started"
    has_line "${P}sa2: already running"
    ok brig jstop jname=${P}sa1
    ok brig jstart astart=1 jobs=0
    has_line "${P}sa1: started"
    has_line "${P}sa3: already running"
    same "$(jstatus ${P}sa1) $(jstatus ${P}sa2) $(jstatus ${P}sa3) $(jstatus ${P}sa4)" \
        "running running running running" "statuses"
}

@test "jstart astart=1 starts the autostart jails in b_order, jstop astart=1 in reverse" {
    local order="$BATS_TEST_TMPDIR/order"
    ok brig jcreate jname=${P}sa1 ip4_addr=0 exec_start=true astart=1 b_order=30 \
        exec_prestart="echo start \$jname >>$order" exec_poststop="echo stop \$jname >>$order"
    ok brig jcreate jname=${P}sa2 ip4_addr=0 exec_start=true astart=1 b_order=10 \
        exec_prestart="echo start \$jname >>$order" exec_poststop="echo stop \$jname >>$order"
    ok brig jcreate jname=${P}sa3 ip4_addr=0 exec_start=true astart=1 b_order=20 \
        exec_prestart="echo start \$jname >>$order" exec_poststop="echo stop \$jname >>$order"
    ok brig jcreate jname=${P}sa4 ip4_addr=0 exec_start=true astart=0 b_order=1 \
        exec_prestart="echo start \$jname >>$order"
    ok brig jstart astart=1
    same "$(cat "$order")" "$(printf 'start %s\n' ${P}sa2 ${P}sa3 ${P}sa1)" "start order"
    same "$(jstatus ${P}sa4)" stopped "a jail without astart"
    : >"$order"
    ok brig jstop astart=1
    same "$(cat "$order")" "$(printf 'stop %s\n' ${P}sa1 ${P}sa3 ${P}sa2)" "stop order"
}

@test "jobs=N starts and stops the jails N at a time; one failing start fails the command, not the others" {
    local i
    for i in 1 2 3 4 5 6; do
        ok brig jcreate jname=${P}jb$i ip4_addr=0 exec_start=true
    done
    ok brig jset jname=${P}jb4 exec_start='echo no; exit 3'
    run brig jstart jname="${P}jb*" jobs=4
    same "$status" 1 "exit status: $output"
    output_has "${P}jb4: exec_start"
    output_has "1 of 6 jails failed"
    for i in 1 2 3 5 6; do
        has_line "${P}jb$i: started"
        same "$(jstatus ${P}jb$i)" running "${P}jb$i"
    done
    same "$(jstatus ${P}jb4)" stopped "${P}jb4"
    ok brig jstop jname=${P}jb1,${P}jb2,${P}jb3,${P}jb5,${P}jb6 jobs=0
    for i in 1 2 3 4 5 6; do
        same "$(jstatus ${P}jb$i)" stopped "${P}jb$i after jstop"
    done
    assert_nothing_left
}

@test "jobs=N with astart=1 starts one b_order after another, the jails of each in parallel" {
    local mark="$BATS_TEST_TMPDIR/first-up"
    # the first group takes a second to start and marks when it is up
    ok brig jcreate jname=${P}ja1 ip4_addr=0 astart=1 b_order=1 exec_start='sleep 1' \
        exec_poststart="touch $mark"
    # the second group refuses to start before that
    ok brig jcreate jname=${P}ja2 ip4_addr=0 astart=1 b_order=2 exec_start=true \
        exec_prestart="test -e $mark"
    ok brig jcreate jname=${P}ja3 ip4_addr=0 astart=1 b_order=2 exec_start=true \
        exec_prestart="test -e $mark"
    ok brig jstart astart=1 jobs=4
    same "$(jstatus ${P}ja2)" running "ja2"
    same "$(jstatus ${P}ja3)" running "ja3"
    ok brig jstop astart=1 jobs=4
    same "$(jstatus ${P}ja1)" stopped "ja1"
}

@test "jobs=N: a brig killed while starting one jail is named, and the next jstart recovers that jail" {
    # the host hook's parent is the brig starting that jail
    ok brig jcreate jname=${P}jk1 ip4_addr=0 exec_start=true exec_prestart='kill -9 $PPID'
    ok brig jcreate jname=${P}jk2 ip4_addr=0 exec_start=true
    run brig jstart jname=${P}jk1,${P}jk2 jobs=2
    same "$status" 1 "exit status: $output"
    output_has "${P}jk1: its brig was killed by signal 9"
    has_line "${P}jk2: started"
    ok brig jset jname=${P}jk1 exec_prestart=
    ok brig jstart jname=${P}jk1
    same "$(jstatus ${P}jk1)" running "${P}jk1 after the crash"
}

@test "a jail named twice (by name and by a glob) is started once" {
    ok brig jcreate jname=${P}dd1 ip4_addr=0 exec_start=true
    ok brig jstart jname=${P}dd1,"${P}dd*"
    same "$output" "${P}dd1: started" "output"
    ok brig jstop jname=${P}dd1,"${P}dd*" jobs=2
    same "$output" "${P}dd1: stopped" "output"
}

@test "recover of a glob that matches nothing is an error; with no jname and no jail it is not" {
    ok brig recover
    assert_rejected 2 "no jail matches '${P}nosuch*'" brig recover jname="${P}nosuch*"
}

@test "jobs= must be a number from 0 to 1024" {
    ok brig jcreate jname=${P}jb1 ip4_addr=0 exec_start=true
    assert_rejected 2 "jobs: 'x' is not a number from 0 to 1024" brig jstart jname=${P}jb1 jobs=x
    assert_rejected 2 "jobs: '-1' is not a number from 0 to 1024" brig jstop jname=${P}jb1 jobs=-1
    assert_rejected 2 "jobs: '2000' is not a number from 0 to 1024" brig jrestart jname=${P}jb1 jobs=2000
}

@test "jstart astart=1 with a jname is refused" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0 astart=1
    assert_rejected 2 "astart=1 takes no jname" brig jstart astart=1 jname=${P}sa1
}

@test "jrestart gives a running jail a new init and starts a stopped one" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0 exec_start=true
    ok brig jrestart jname=${P}sa1
    same "$output" "${P}sa1: restarted" "restart of a stopped jail"
    local pid
    pid=$(jpid ${P}sa1)
    ok brig jrestart jname=${P}sa1
    same "$(jstatus ${P}sa1)" running "status"
    [ "$(jpid ${P}sa1)" != "$pid" ] || {
        echo "same init pid $pid after jrestart" >&2
        return 1
    }
    [ ! -e "/proc/$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != brig-init ]
}

@test "jrestart checks the configuration before it stops the jail, which stays running" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0 exec_start=true
    ok brig jstart jname=${P}sa1
    local pid
    pid=$(jpid ${P}sa1)
    # a value an older brig let through: the jail could not start with it
    sqlite3 "$W/var/db/local.sqlite" "update jails set memoryuse='100k' where jname='${P}sa1'"
    run brig jrestart jname=${P}sa1
    same "$status" 2 "exit status"
    same "$output" "brig: jrestart: ${P}sa1: memoryuse: '100k' is below the minimum of 1m (0: no limit)" "output"
    same "$(jstatus ${P}sa1)" running "status"
    same "$(jpid ${P}sa1)" "$pid" "init pid"
}

@test "jstart refuses a recorded configuration that cannot start, before doing anything" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0 exec_start=true
    sqlite3 "$W/var/db/local.sqlite" "update jails set cpuset='4000' where jname='${P}sa1'"
    run brig jstart jname=${P}sa1
    same "$status" 2 "exit status"
    same "$output" "brig: jstart: ${P}sa1: cpuset: CPU 4000 is not on this host (CPUs $(cat /sys/devices/system/cpu/online))" "output"
    same "$(jstatus ${P}sa1)" stopped "status"
}

@test "a jail jrestart stopped but could not start again is reported as stopped" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0 exec_start=true
    ok brig jstart jname=${P}sa1
    ok brig jset jname=${P}sa1 exec_prestart=false
    run brig jrestart jname=${P}sa1
    same "$status" 1 "exit status"
    output_has "brig: jrestart: ${P}sa1: stopped, could not start again: "
    same "${#lines[@]}" 1 "lines"
    same "$(jstatus ${P}sa1)" stopped "status"
}

@test "jstart of a jail whose base is missing fails, says which, and leaves nothing" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0
    mv "$W/basejail/busybox" "$W/basejail/gone"
    run brig jstart jname=${P}sa1
    mv "$W/basejail/gone" "$W/basejail/busybox"
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "base $W/basejail/busybox is missing"
    same "$(jstatus ${P}sa1)" stopped "status"
    assert_nothing_left
}

@test "jstart --dry-run prints the plan and starts nothing" {
    ok brig jcreate jname=${P}sa1 ip4_addr=0
    ok brig jstart jname=${P}sa1 --dry-run
    output_has "jstart ${P}sa1"
    same "$(jstatus ${P}sa1)" stopped "status"
    assert_nothing_left
}
