#!/usr/bin/env bats
# brig jls: list jails with their live state, as a table or JSON.

load helper
load foundation_helper

teardown() {
    stop_fake_inits
}

setup() {
    brig_setup
}

@test "jls with no jails prints only the header" {
    ok brig jls
    same "$output" "JNAME  JID  IP4_ADDR  HOST_HOSTNAME  PATH  STATUS" "jls"
}

@test "jls prints an aligned table with one row per jail" {
    ok brig jcreate jname=web1
    ok brig jcreate jname=database2 vnet=1
    ok brig jls
    [ "${#lines[@]}" -eq 3 ]
    [[ "${lines[0]}" =~ ^JNAME\ +JID\ +IP4_ADDR\ +HOST_HOSTNAME\ +PATH\ +STATUS$ ]]
    [[ "${lines[1]}" =~ ^web1\ +0\ +10\.199\.0\.2/16\ +web1\.my\.domain\ +$W/jails/web1\ +stopped$ ]]
    [[ "${lines[2]}" =~ ^database2\ +0\ +0\ +database2\.my\.domain\ +$W/jails/database2\ +stopped$ ]]
    # columns line up: JID starts at the same offset on every line
    local off="${lines[0]%%JID*}"
    same "${lines[1]:${#off}:1}" 0 "web1's jid column"
    same "${lines[2]:${#off}:1}" 0 "database2's jid column"
}

@test "jls header=0 prints the rows only" {
    ok brig jcreate jname=web1
    ok brig jls header=0
    [ "${#lines[@]}" -eq 1 ]
    [[ "${lines[0]}" =~ ^web1\  ]]
}

@test "jls display= picks columns in the given order" {
    ok brig jcreate jname=web1 devfs_ruleset=7
    ok brig jls display=devfs_ruleset,jname,status,pid
    same "${lines[0]}" "DEVFS_RULESET  JNAME  STATUS   PID" "header"
    same "${lines[1]}" "7              web1   stopped  0" "row"
}

@test "jls --json prints an array of objects keyed by column" {
    ok brig jcreate jname=web1
    ok brig jcreate jname=web2 vnet=1
    ok brig jls --json
    same "$(jq length <<<"$output")" 2 "rows"
    same "$(jq -r '.[0].jname' <<<"$output")" web1 "jname"
    same "$(jq -r '.[0].ip4_addr' <<<"$output")" 10.199.0.2/16 "ip4_addr"
    same "$(jq -r '.[1].status' <<<"$output")" stopped "status"
    same "$(jq -r '.[1].jid | type' <<<"$output")" number "jid type"
    same "$(jq -r '.[0] | keys_unsorted | join(",")' <<<"$output")" \
        jname,jid,ip4_addr,host_hostname,path,status "keys"
}

@test "jls --json with no jails is an empty array" {
    ok brig jls --json
    same "$output" "[]" "jls --json"
}

@test "jls format=json with display= keeps only those keys" {
    ok brig jcreate jname=web1
    ok brig jls format=json display=jname,persist
    same "$(jq -c . <<<"$output")" '[{"jname":"web1","persist":true}]' "json"
}

@test "jls shows JID 0 for a stopped jail and its id while it runs" {
    ok brig jcreate jname=web1
    ok brig jcreate jname=web2
    ok brig jls display=jname,jid header=0
    same "$output" "$(printf 'web1  0\nweb2  0')" "stopped jails"
    fake_running web2 >/dev/null
    ok brig jls display=jname,jid,status header=0
    same "$output" "$(printf 'web1  0  stopped\nweb2  2  running')" "web2 running"
    ok brig jls display=jid --json
    same "$(jq -c . <<<"$output")" '[{"jid":0},{"jid":2}]' "json"
}

@test "jls --json types integer parameters as numbers and flags as booleans" {
    ok brig jcreate jname=web1 b_order=5 astart=1
    ok brig jls display=jname,b_order,astart,vnet,memoryuse --json
    same "$(jq -c . <<<"$output")" \
        '[{"jname":"web1","b_order":5,"astart":true,"vnet":false,"memoryuse":"0"}]' "json"
}

@test "jls shows control characters in values as '?' and keeps one line per jail" {
    ok brig jcreate jname=web1 exec_start=$'a\tb\nc'
    ok brig jls display=jname,exec_start header=0
    [ "${#lines[@]}" -eq 1 ]
    same "${lines[0]}" "web1  a?b?c" "row"
    ok brig jls display=exec_start --json
    same "$(jq -r '.[0].exec_start' <<<"$output")" $'a\tb\nc' "json value"
}

@test "jls display= with an unknown column is refused with a hint" {
    assert_rejected 2 "brig: jls: display: unknown column 'jnam' (did you mean 'jname'?)" \
        brig jls display=jnam,status
}

@test "jls display= with a column far from any is refused" {
    assert_rejected 2 "display: unknown column 'frobnicate'" brig jls display=jname,frobnicate
}

@test "jls display= with no column is refused" {
    assert_rejected 2 "display: no columns" brig jls display=
    assert_rejected 2 "display: no columns" brig jls display=,,
}

@test "jls header= accepts only 0 and 1" {
    assert_rejected 2 "header: 'no' is not 0 or 1" brig jls header=no
}

@test "jls refuses an unknown parameter with a hint" {
    assert_rejected 2 "unknown parameter 'dispaly' (did you mean 'display'?)" brig jls dispaly=jname
}

@test "jls refuses a bare word" {
    assert_rejected 2 "'web1' is not key=value" brig jls web1
}

@test "jls shows a jail whose init is alive as running, with its pid" {
    ok brig jcreate jname=web1
    ok brig jcreate jname=web2
    local pid
    pid=$(fake_running web1)
    ok brig jls display=jname,status,pid header=0
    [[ "${lines[0]}" =~ ^web1\ +running\ +$pid$ ]]
    [[ "${lines[1]}" =~ ^web2\ +stopped\ +0$ ]]
    ok brig jls display=jname,pid --json
    same "$(jq -r '.[0].pid' <<<"$output")" "$pid" "json pid"
    stop_fake_inits
}

@test "jls never shows a stale running: a recorded init that is gone is stopped" {
    ok brig jcreate jname=web1
    local pid
    pid=$(fake_running web1)
    stop_fake_inits
    wait "$pid" 2>/dev/null || true
    ok brig jls display=jname,status,pid header=0
    [[ "${lines[0]}" =~ ^web1\ +stopped\ +0$ ]]
}

@test "jls does not mistake a recycled pid for the jail's init" {
    ok brig jcreate jname=web1
    fake_running web1 >/dev/null
    sqlite3 "$W/var/db/local.sqlite" "update runtime set starttime = starttime + 1"
    ok brig jls display=jname,status header=0
    [[ "${lines[0]}" =~ ^web1\ +stopped$ ]]
    stop_fake_inits
}
