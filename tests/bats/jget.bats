#!/usr/bin/env bats
# brig jget: show a jail's parameters.

load helper
load foundation_helper

setup() {
    brig_setup
    ok brig jcreate jname=web1
}

@test "jget shows every parameter as 'name: value', in the table's order" {
    ok brig jget jname=web1
    same "${lines[0]}" "jname: web1" "first line"
    same "${lines[1]}" "host_hostname: web1.my.domain" "second line"
    has_line "ip4_addr: 10.199.0.2/16"
    has_line "cpuset: 0"
    same "${#lines[@]}" "$(brig jcreate --help | grep -cE '^  [a-z_0-9]+ +[a-z]+ +(both|linux|freebsd) ')" \
        "one line per parameter"
}

@test "jget with one parameter name shows only that parameter" {
    ok brig jget jname=web1 devfs_ruleset
    same "$output" "devfs_ruleset: 4" "jget"
}

@test "jget with several names shows those parameters" {
    ok brig jget jname=web1 persist vnet
    [ "${#lines[@]}" -eq 2 ]
    has_line "persist: 1"
    has_line "vnet: 0"
}

@test "jget --json prints one object: integers as numbers, flags as booleans, the rest as strings" {
    ok brig jset jname=web1 persist=0 b_order=7
    ok brig jget jname=web1 --json
    same "$(jq -r .jname <<<"$output")" web1 jname
    same "$(jq -r .exec_start <<<"$output")" "/bin/sh /etc/rc" exec_start
    same "$(jq -c '[.persist, .astart, .b_order, .devfs_ruleset, .memoryuse, .ip4_addr]' <<<"$output")" \
        '[false,false,7,4,"0","10.199.0.2/16"]' "typed values"
    same "$(jq -r '.mount_devfs | type' <<<"$output")" boolean "mount_devfs type"
}

@test "jget --json types every parameter as jls --json does" {
    local all
    all=$(brig jget jname=web1 --json | jq -r 'keys_unsorted | join(",")')
    ok brig jget jname=web1 --json
    local jget=$output
    ok brig jls display="$all" --json
    same "$(jq -S .[0] <<<"$output")" "$(jq -S . <<<"$jget")" "jls --json and jget --json"
}

@test "jget --json with one name prints an object with that key only" {
    ok brig jget jname=web1 host_hostname --json
    same "$(jq -c . <<<"$output")" '{"host_hostname":"web1.my.domain"}' json
}

@test "jget --json escapes quotes, backslashes and newlines" {
    ok brig jset jname=web1 exec_start=$'echo "a\\b"\nnext'
    ok brig jget jname=web1 exec_start --json
    same "$(jq -r .exec_start <<<"$output")" $'echo "a\\b"\nnext' exec_start
}

@test "jget of a jail that does not exist is refused" {
    assert_rejected 2 "brig: jget: web2: no such jail" brig jget jname=web2
}

@test "jget without jname= is refused" {
    assert_rejected 2 "brig: jget: jname= is required" brig jget devfs_ruleset
}

@test "jget with an empty jname is refused" {
    assert_rejected 2 "jname= is required" brig jget jname=
}

@test "jget with a bad jname is refused" {
    assert_rejected 2 "jname '../web1' must start with a letter or digit" brig jget jname=../web1
    assert_rejected 2 "jname 'web*' may hold only" brig jget 'jname=web*'
}

@test "jget of an unknown parameter is refused with a hint" {
    assert_rejected 2 "brig: jget: unknown parameter 'ip4_adr' (did you mean 'ip4_addr'?)" \
        brig jget jname=web1 ip4_adr
}

@test "jget of an unknown parameter far from any is refused" {
    assert_rejected 2 "unknown parameter 'frobnicate'" brig jget jname=web1 frobnicate
}

@test "jget refuses a key=value other than jname" {
    assert_rejected 2 "unknown parameter 'vnet'" brig jget jname=web1 vnet=1
}

@test "jget prints a multi-line value escaped, on one line" {
    ok brig jset jname=web1 exec_start="$(printf 'echo a\necho b\tc\\d')"
    ok brig jget jname=web1 exec_start
    same "${#lines[@]}" 1 "lines"
    same "$output" 'exec_start: echo a\necho b\tc\\d' "jget"
}
