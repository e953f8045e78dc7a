#!/usr/bin/env bats
# depend=: jstart starts the jails a jail needs first, jstop refuses to stop a
# jail that a running jail needs (force=1 stops that one first), and jcreate
# and jset refuse unknown names and cycles.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# "running" or "stopped", as jls shows jail $1.
state_of() {
    brig jls display=jname,status header=0 | awk -v j="$1" '$1 == j { print $2 }'
}

@test "jstart starts the jails of depend= first, recursively" {
    ok brig jcreate jname=${P}db
    ok brig jcreate jname=${P}app depend=${P}db
    ok brig jcreate jname=${P}web depend=${P}app
    ok brig jstart jname=${P}web
    output_has "${P}web: started"
    same "$(state_of ${P}db)" running "db"
    same "$(state_of ${P}app)" running "app"
    same "$(state_of ${P}web)" running "web"
    ok brig jstart jname=${P}web
    output_has "already running"
}

@test "jstop refuses to stop a jail a running jail depends on" {
    ok brig jcreate jname=${P}db
    ok brig jcreate jname=${P}app depend=${P}db
    ok brig jstart jname=${P}app
    run brig jstop jname=${P}db
    same "$status" 2 "exit of the refused jstop: $output"
    output_has "${P}app depends on it and is running"
    same "$(state_of ${P}db)" running "db after the refusal"
    same "$(state_of ${P}app)" running "app after the refusal"
    # once the dependent is stopped, the dependency stops
    ok brig jstop jname=${P}app
    ok brig jstop jname=${P}db
    same "$(state_of ${P}db)" stopped "db"
}

@test "jstop force=1 stops the jails that depend on it first" {
    ok brig jcreate jname=${P}db
    ok brig jcreate jname=${P}app depend=${P}db
    ok brig jcreate jname=${P}web depend=${P}app
    ok brig jstart jname=${P}web
    ok brig jstop jname=${P}db force=1
    output_has "${P}db: stopped"
    same "$(state_of ${P}web)" stopped "web"
    same "$(state_of ${P}app)" stopped "app"
    same "$(state_of ${P}db)" stopped "db"
}

@test "jcreate and jset refuse a depend= cycle and unknown jails, changing nothing" {
    ok brig jcreate jname=${P}a
    ok brig jcreate jname=${P}b depend=${P}a
    ok brig jcreate jname=${P}c depend=${P}b
    assert_rejected 2 "depend: a cycle: ${P}a -> ${P}c -> ${P}b -> ${P}a" \
        brig jset jname=${P}a depend=${P}c
    assert_rejected 2 "depend: a jail cannot depend on itself" brig jset jname=${P}a depend=${P}a
    assert_rejected 2 "depend: no jail ${P}zz" brig jcreate jname=${P}d depend=${P}zz
    assert_rejected 2 "depend: no jail ${P}zz" brig jset jname=${P}c depend=${P}a,${P}zz
    assert_rejected 2 "depend" brig jset jname=${P}a depend="${P}b,,${P}c"
    assert_rejected 2 "depend" brig jset jname=${P}a depend='../x'
    assert_rejected 2 "listed twice" brig jset jname=${P}a depend=${P}b,${P}b
    ok brig jset jname=${P}c depend=0
    ok brig jset jname=${P}a depend=${P}c
}

@test "jstop of a list stops the jails that depend on others in it first" {
    ok brig jcreate jname=${P}db
    ok brig jcreate jname=${P}app depend=${P}db
    ok brig jcreate jname=${P}web depend=${P}app
    ok brig jstart jname=${P}web
    # by name, db comes before web and app: they go first
    ok brig jstop jname="${P}*"
    same "$(state_of ${P}web) $(state_of ${P}app) $(state_of ${P}db)" "stopped stopped stopped" "states"
    [ "$(pgrep -xc brig-init)" -eq 0 ]
}

@test "jstop jobs=N of a list stops the jails that depend on others in it first, wave by wave" {
    # each jail's exec_poststop notes its stop on the host, in order
    local order="$BATS_TEST_TMPDIR/order"
    ok brig jcreate jname=${P}db exec_poststop="echo \${jname} >>$order"
    ok brig jcreate jname=${P}app depend=${P}db exec_poststop="echo \${jname} >>$order"
    ok brig jcreate jname=${P}web depend=${P}app exec_poststop="echo \${jname} >>$order"
    ok brig jcreate jname=${P}log exec_poststop="echo \${jname} >>$order"
    ok brig jstart jname=${P}web
    ok brig jstart jname=${P}log
    : >"$order"
    ok brig jstop jname="${P}*" jobs=4
    same "$(state_of ${P}web) $(state_of ${P}app) $(state_of ${P}db) $(state_of ${P}log)" \
        "stopped stopped stopped stopped" "states"
    # log needs nothing and nothing needs it: it may go at any time
    same "$(grep -v "^${P}log$" "$order" | tr '\n' ' ')" "${P}web ${P}app ${P}db " "stop order"
    grep -qx "${P}log" "$order"
    [ "$(pgrep -xc brig-init)" -eq 0 ]
}
