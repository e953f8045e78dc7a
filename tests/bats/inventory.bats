#!/usr/bin/env bats
# brig inventory: this node's facts, shown and written to ${workdir}/nc.inventory.

load helper
load foundation_helper

setup() {
    brig_setup
}

# The value of key in nc.inventory, as a shell that sources the file sees it.
inventory_var() {
    sh -c '. "$1" && eval "printf %s \"\${$2}\""' sh "$W/nc.inventory" "$1"
}

@test "inventory shows the node's name, pool, bridge and gateway" {
    ok brig inventory
    [[ "$output" =~ (^|$'\n')nodename\ +node1\.test($'\n'|$) ]]
    [[ "$output" =~ (^|$'\n')nodeippool\ +10\.199\.0\.0/16($'\n'|$) ]]
    [[ "$output" =~ (^|$'\n')bridge\ +brig0($'\n'|$) ]]
    [[ "$output" =~ (^|$'\n')gateway4\ +10\.199\.0\.1/16($'\n'|$) ]]
    [[ "$output" =~ (^|$'\n')workdir\ +$W($'\n'|$) ]]
}

@test "inventory --json prints one JSON object of strings" {
    ok brig inventory --json
    same "$(jq -r .nodename <<<"$output")" node1.test nodename
    same "$(jq -r .nodeippool <<<"$output")" 10.199.0.0/16 nodeippool
    same "$(jq -r '[.[] | type] | unique | join(",")' <<<"$output")" string "value types"
}

@test "inventory format=json is the same as --json" {
    ok brig inventory --json
    local json=$output
    ok brig inventory format=json
    same "$output" "$json" "format=json"
}

@test "inventory writes nc.inventory as key=\"value\" lines" {
    rm -f "$W/nc.inventory"
    ok brig inventory
    run cat "$W/nc.inventory"
    has_line 'nodename="node1.test"'
    has_line 'nodeippool="10.199.0.0/16"'
    # every line is a comment or key="value"
    for l in "${lines[@]}"; do
        [[ "$l" =~ ^(#.*|[a-z_][a-z0-9_]*=\".*\")$ ]] || { echo "bad line: $l" >&2; return 1; }
    done
}

@test "a shell sources nc.inventory and sees the same facts as inventory --json" {
    ok brig inventory --json
    local json=$output key
    for key in $(jq -r 'keys[]' <<<"$json"); do
        same "$(inventory_var "$key")" "$(jq -r --arg k "$key" '.[$k]' <<<"$json")" "$key"
    done
}

@test "nc.inventory quotes values so that a shell reads them back unchanged" {
    local w="$BATS_TEST_TMPDIR/odd \$HOME \"q\" \`id\` back\\slash"
    ok brig initenv workdir="$w"
    ok brig inventory workdir="$w"
    W=$w
    same "$(inventory_var workdir)" "$w" "workdir as sourced"
}

@test "inventory --json also writes nc.inventory" {
    rm -f "$W/nc.inventory"
    ok brig inventory --json
    [ -s "$W/nc.inventory" ]
}

@test "inventory records its facts in the database" {
    ok brig inventory
    same "$(sqlite3 "$W/var/db/local.sqlite" "select value from node where key='nodeippool'")" \
        10.199.0.0/16 "stored nodeippool"
}

@test "inventory rejects an unknown parameter" {
    assert_rejected 2 "unknown parameter 'frobnicate' (see brig inventory --help)" \
        brig inventory frobnicate=1
}

@test "inventory rejects format=yaml" {
    assert_rejected 2 "format: 'yaml' is not text or json" brig inventory format=yaml
}

# The kernel facts that DESIGN.md section 1 and the inventory issue require.

@test "inventory --json names the platform and the kernel release" {
    ok brig inventory --json
    same "$(jq -r .platform <<<"$output")" "$(uname -s)" platform
    same "$(jq -r .kernel <<<"$output")" "$(uname -r)" "kernel release"
    same "$(jq -r .machine <<<"$output")" "$(uname -m)" machine
}

@test "inventory --json says this kernel has VIMAGE (network namespaces)" {
    ok brig inventory --json
    same "$(jq -r .vimage_feature <<<"$output")" 1 vimage_feature
}

@test "inventory --json shows the cgroup layout and controllers" {
    ok brig inventory --json
    [[ "$(jq -r .cgroup <<<"$output")" =~ ^(none|v1|v2|hybrid)$ ]]
    if grep -q ' cgroup ' /proc/self/mountinfo; then
        [[ "$(jq -r .cgroup_controllers <<<"$output")" =~ (^|,)(memory|pids)(,|$) ]]
    fi
}

@test "inventory --json shows overlayfs, seccomp, user namespaces, kvm and qemu" {
    ok brig inventory --json
    local k want
    for k in overlayfs seccomp userns kvm; do
        [[ "$(jq -r --arg k "$k" '.[$k]' <<<"$output")" =~ ^[01]$ ]] ||
            { echo "$k is not 0 or 1 in: $output" >&2; return 1; }
    done
    jq -e 'has("qemu")' <<<"$output" >/dev/null
    if [ -e /dev/kvm ]; then want=1; else want=0; fi
    same "$(jq -r .kvm <<<"$output")" "$want" kvm
    if grep -qw overlay /proc/filesystems; then want=1; else want=0; fi
    same "$(jq -r .overlayfs <<<"$output")" "$want" overlayfs
}

@test "nc.inventory has the kernel facts for shell scripts" {
    ok brig inventory
    same "$(inventory_var vimage_feature)" 1 "vimage_feature"
    same "$(inventory_var platform)" "$(uname -s)" "platform"
    [ -n "$(inventory_var cgroup)" ]
}

@test "inventory probes again: a stale vimage_feature=0 becomes 1, and vnet=1 works" {
    node_without_vimage
    assert_rejected 2 "vimage_feature=0" brig jcreate jname=v1 vnet=1
    ok brig inventory
    same "$(sqlite3 "$W/var/db/local.sqlite" "select value from node where key='vimage_feature'")" \
        1 "stored vimage_feature"
    ok brig jcreate jname=v1 vnet=1
}
