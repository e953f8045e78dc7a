#!/usr/bin/env bats
# exec_* hooks: prestart, poststart, prestop and poststop run on the host with
# the jail's name, id and path in their environment; exec_start and exec_stop
# run inside the jail. Their output lands in jails-system/<jail>/console.log.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

@test "host hooks run on the host in order with jname, jid and path in their environment" {
    local d="$BATS_TEST_TMPDIR"
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start=true exec_stop=true \
        exec_prestart="env >$d/prestart.env; echo prestart >>$d/order" \
        exec_poststart="env >$d/poststart.env; echo poststart >>$d/order" \
        exec_prestop="env >$d/prestop.env; echo prestop >>$d/order" \
        exec_poststop="env >$d/poststop.env; echo poststop >>$d/order"
    ok brig jstart jname=${P}hk1
    local jid h
    jid=$(brig jls display=jname,jid header=0 | awk -v j="${P}hk1" '$1 == j { print $2 }')
    [ "$jid" -gt 0 ]
    ok brig jstop jname=${P}hk1
    same "$(cat "$d/order")" "$(printf 'prestart\npoststart\nprestop\npoststop')" "order"
    for h in prestart poststart prestop poststop; do
        grep -qx "jname=${P}hk1" "$d/$h.env" || { echo "$h: no jname" >&2; return 1; }
        grep -qx "jid=$jid" "$d/$h.env" || { echo "$h: no jid=$jid" >&2; return 1; }
        grep -qx "path=$W/jails/${P}hk1" "$d/$h.env" || { echo "$h: no path" >&2; return 1; }
    done
}

@test "poststart sees the jail running and its root mounted; prestart sees neither" {
    local d="$BATS_TEST_TMPDIR"
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start=true \
        exec_prestart="ls \$path/etc >$d/pre.ls 2>&1; true" \
        exec_poststart="ls \$path/etc >$d/post.ls 2>&1"
    ok brig jstart jname=${P}hk1
    ! grep -qx rc "$d/pre.ls"
    grep -qx rc "$d/post.ls"
}

@test "exec_start and exec_stop run inside the jail: their files land in the data dir" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 \
        exec_start='hostname >/root/started; ls / >/root/root.ls' \
        exec_stop='echo stopped >/root/stopped'
    ok brig jstart jname=${P}hk1
    local up="$W/jails-data/${P}hk1-data/upper"
    same "$(cat "$up/root/started")" ${P}hk1.my.domain "host name seen by exec_start"
    grep -qx etc "$up/root/root.ls"
    [ ! -e /root/started ]
    ok brig jstop jname=${P}hk1
    same "$(cat "$up/root/stopped")" stopped "exec_stop's file"
    [ ! -e "$W/basejail/busybox/root/started" ]
}

@test "the output of exec_start and the host hooks lands in console.log" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start='echo from-start; echo err-start >&2' \
        exec_prestart='echo from-prestart' exec_stop='echo from-stop' \
        exec_poststop='echo from-poststop'
    ok brig jstart jname=${P}hk1
    ok brig jstop jname=${P}hk1
    local log="$W/jails-system/${P}hk1/console.log" l
    for l in from-prestart from-start err-start from-stop from-poststop; do
        grep -q "$l" "$log" || {
            echo "no '$l' in console.log: $(cat "$log")" >&2
            return 1
        }
    done
}

@test "a failing exec_start fails jstart with the reason and leaves nothing behind" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start='echo failing-now; exit 3'
    run brig jstart jname=${P}hk1
    same "$status" 1 "exit status"
    same "${#lines[@]}" 1 "lines"
    output_has "${P}hk1"
    output_has "exec_start exited with status 3"
    same "$(jstatus ${P}hk1)" stopped "status"
    grep -q failing-now "$W/jails-system/${P}hk1/console.log"
    assert_nothing_left
    # and it starts once exec_start is fixed
    ok brig jset jname=${P}hk1 exec_start=true
    ok brig jstart jname=${P}hk1
}

@test "exec_start as a plain program path runs it, and a missing one fails as the shell would" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start='/bin/echo plain-start  two' \
        exec_stop='/bin/echo plain-stop'
    ok brig jstart jname=${P}hk1
    ok brig jstop jname=${P}hk1
    local log="$W/jails-system/${P}hk1/console.log"
    grep -q "^plain-start two$" "$log" || { echo "console.log: $(cat "$log")" >&2; return 1; }
    grep -q "^plain-stop$" "$log" || { echo "console.log: $(cat "$log")" >&2; return 1; }
    ok brig jset jname=${P}hk1 exec_start='/no/such/prog start'
    run brig jstart jname=${P}hk1
    same "$status" 1 "exit status"
    output_has "exec_start exited with status 127"
    grep -q "/no/such/prog" "$log" || { echo "console.log: $(cat "$log")" >&2; return 1; }
    same "$(jstatus ${P}hk1)" stopped "status"
}

@test "a failing exec_prestart fails jstart before anything is set up" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_prestart='exit 4'
    run brig jstart jname=${P}hk1
    same "$status" 1 "exit status"
    output_has "exec_prestart"
    same "$(jstatus ${P}hk1)" stopped "status"
    assert_nothing_left
}

@test "a failing exec_poststart fails jstart and the jail is torn down" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start=true exec_poststart='exit 5'
    run brig jstart jname=${P}hk1
    same "$status" 1 "exit status"
    output_has "exec_poststart"
    same "$(jstatus ${P}hk1)" stopped "status"
    assert_nothing_left
}

@test "a failing exec_prestop does not keep the jail from stopping" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start=true exec_prestop='exit 6'
    ok brig jstart jname=${P}hk1
    ok brig jstop jname=${P}hk1
    same "$(jstatus ${P}hk1)" stopped "status"
    assert_nothing_left
}

@test "a failing exec_poststop fails jstop, naming the hook; the jail is stopped" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_start=true exec_poststop='exit 7'
    ok brig jstart jname=${P}hk1
    run brig jstop jname=${P}hk1
    same "$status" 1 "exit status: $output"
    output_has "exec_poststop"
    output_has "status 7"
    same "$(jstatus ${P}hk1)" stopped "status"
}

@test "exec_timeout kills a hanging exec_start and jstart fails saying so" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_timeout=1 exec_start='sleep 1000'
    run brig jstart jname=${P}hk1
    same "$status" 1 "exit status"
    output_has "exec_start timed out after 1 s"
    ! pgrep -xf 'sleep 1000'
    same "$(jstatus ${P}hk1)" stopped "status"
    assert_nothing_left
}

@test "exec_timeout kills a hanging host hook" {
    ok brig jcreate jname=${P}hk1 ip4_addr=0 exec_timeout=1 exec_prestart='sleep 1000'
    run brig jstart jname=${P}hk1
    same "$status" 1 "exit status"
    output_has "exec_timeout"
    ! pgrep -xf 'sleep 1000'
    assert_nothing_left
}
