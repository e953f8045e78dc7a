#!/usr/bin/env bats
# brig jremove: remove a jail's record and its directories.

load helper
load foundation_helper

teardown() {
    stop_fake_inits
}

setup() {
    brig_setup
    ok brig jcreate jname=web1
}

@test "jremove deletes the record and says so" {
    ok brig jremove jname=web1
    same "$output" "web1: removed" "jremove"
    same "$(jail_count)" 0 "jails"
    assert_rejected 2 "web1: no such jail" brig jget jname=web1
}

@test "jremove deletes the jail's root, data and system directories" {
    : >"$W/jails-data/web1-data/file"
    mkdir -p "$W/jails-data/web1-data/etc/deep"
    ok brig jremove jname=web1
    [ ! -e "$W/jails/web1" ]
    [ ! -e "$W/jails-data/web1-data" ]
    [ ! -e "$W/jails-system/web1" ]
}

@test "jremove leaves other jails alone" {
    ok brig jcreate jname=web2
    ok brig jremove jname=web1
    ok brig jls display=jname header=0
    same "$output" web2 "jls"
    [ -d "$W/jails-data/web2-data" ]
}

@test "jremove frees the jail's addresses and NICs" {
    ok brig jcreate jname=v1 vnet=1 ip4_addr=10.0.0.5/24
    ok brig jremove jname=v1
    same "$(sqlite3 "$W/var/db/local.sqlite" "select count(*) from jailnic")" 0 "NICs"
    same "$(sqlite3 "$W/var/db/local.sqlite" "select addr from ipam")" 10.199.0.2 "addresses left"
}

@test "jremove force=1 with a glob removes every matching jail" {
    ok brig jcreate jname=web2
    ok brig jcreate jname=db1
    ok brig jremove 'jname=web*' force=1
    has_line "web1: removed"
    has_line "web2: removed"
    ok brig jls display=jname header=0
    same "$output" db1 "jls"
}

@test "jremove force=1 with a list removes the listed jails" {
    ok brig jcreate jname=web2
    ok brig jcreate jname=db1
    ok brig jremove jname=web1,db1 force=1
    same "$output" "$(printf 'web1: removed\ndb1: removed')" "jremove"
    ok brig jls display=jname header=0
    same "$output" web2 "jls"
}

@test "jremove of several jails by glob or list without a terminal needs force=1 and removes nothing" {
    ok brig jcreate jname=web2
    assert_rejected 2 "'web*' names 2 jails: add force=1 to remove them all (nothing removed)" \
        brig jremove 'jname=web*' </dev/null
    assert_rejected 2 "'web1,web2' names 2 jails: add force=1" brig jremove jname=web1,web2 </dev/null
    same "$(jail_count)" 2 "jails"
    [ -d "$W/jails-data/web1-data" ] && [ -d "$W/jails-data/web2-data" ]
}

@test "jremove of a glob that names one jail removes it without asking" {
    ok brig jcreate jname=db1
    ok brig jremove 'jname=web*' </dev/null
    same "$output" "web1: removed" "jremove"
    same "$(jail_count)" 1 "jails"
}

# Run jremove $1 on a terminal (script(1)), answering $2.
jremove_on_tty() {
    command -v script >/dev/null || skip "script(1) is not installed"
    run script -qec "'$BRIG_BIN' jremove jname='$1'" /dev/null <<<"$2"
}

@test "jremove of several jails on a terminal asks and removes them on yes" {
    ok brig jcreate jname=web2
    ok brig jcreate jname=db1
    jremove_on_tty 'web*' y
    same "$status" 0 "exit status: $output"
    output_has "remove 2 jails (web1, web2) and their data? [y/N]"
    output_has "web1: removed"
    output_has "web2: removed"
    ok brig jls display=jname header=0
    same "$output" db1 "jls"
}

@test "jremove of several jails on a terminal removes nothing unless the answer is yes" {
    ok brig jcreate jname=web2
    local before
    before=$(db_dump)
    jremove_on_tty 'web1,web2' n
    same "$status" 1 "exit status: $output"
    output_has "not confirmed: nothing removed"
    jremove_on_tty 'web*' ''
    same "$status" 1 "exit status after an empty answer: $output"
    same "$(db_dump)" "$before" "database"
    [ -d "$W/jails-data/web1-data" ] && [ -d "$W/jails-data/web2-data" ]
}

@test "a jail can be created again under a removed jail's name" {
    ok brig jremove jname=web1
    ok brig jcreate jname=web1
    same "$output" "web1: created (ip4_addr=10.199.0.2/16)" "jcreate"
}

@test "jremove of a jail that does not exist is refused" {
    assert_rejected 2 "brig: jremove: web2: no such jail" brig jremove jname=web2
}

@test "jremove of a glob that matches nothing is refused" {
    assert_rejected 2 "no jail matches 'db*'" brig jremove 'jname=db*'
    [ -d "$W/jails/web1" ]
}

@test "jremove of a glob with other characters is refused" {
    assert_rejected 2 "bad jname pattern 'web*;id'" brig jremove 'jname=web*;id'
    assert_rejected 2 "bad jname pattern '../*'" brig jremove 'jname=../*'
    [ -d "$W/jails/web1" ]
}

@test "jremove without jname= is refused" {
    assert_rejected 2 "brig: jremove: jname= is required" brig jremove
    assert_rejected 2 "jname= is required" brig jremove jname=
}

@test "jremove with a path as jname is refused" {
    assert_rejected 2 "jname '/etc' must start with a letter or digit" brig jremove jname=/etc
    [ -d /etc ]
}

@test "jremove force= accepts only 0 and 1" {
    assert_rejected 2 "force: 'yes' is not 0 or 1" brig jremove jname=web1 force=yes
    [ -d "$W/jails/web1" ]
}

@test "jremove refuses jail parameters" {
    assert_rejected 2 "unknown parameter 'vnet'" brig jremove jname=web1 vnet=1
}

@test "a jail whose root path is outside the workdir can be removed" {
    local root="$BATS_TEST_TMPDIR/roots/web2"
    ok brig jcreate jname=web2 path="$root"
    [ -d "$root" ]
    ok brig jremove jname=web2
    [ ! -e "$root" ]
}

@test "a failed jremove keeps the jail's data" {
    ok brig jcreate jname=web2 path="$BATS_TEST_TMPDIR/root2"
    : >"$W/jails-data/web2-data/precious"
    : >"$BATS_TEST_TMPDIR/root2/busy"
    run brig jremove jname=web2
    [ "$status" -ne 0 ]
    [ -e "$W/jails-data/web2-data/precious" ]
    ok brig jget jname=web2 jname
}

@test "jremove of a running jail is refused with exit 1" {
    fake_running web1 >/dev/null
    assert_rejected 1 "brig: jremove: web1: is running (stop it first, or force=1)" brig jremove jname=web1
    [ -d "$W/jails/web1" ] && [ -d "$W/jails-data/web1-data" ]
    stop_fake_inits
}

@test "jremove removes the directories jcreate made above path and data, and no others" {
    mkdir -p "$BATS_TEST_TMPDIR/mine"
    ok brig jcreate jname=web2 path="$BATS_TEST_TMPDIR/mine/a/b/root" \
        data="$BATS_TEST_TMPDIR/mine/d/e/data"
    ok brig jremove jname=web2
    [ -d "$BATS_TEST_TMPDIR/mine" ]
    same "$(find "$BATS_TEST_TMPDIR/mine" -mindepth 1)" "" "what is left"
    [ ! -e "$W/jails-system/web2" ]
}
