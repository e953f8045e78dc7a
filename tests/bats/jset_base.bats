#!/usr/bin/env bats
# brig jset base=: a stopped thin jail switched to another base of basejail/,
# with a note for each file of its own that hides a file the new base changed.

load lifecycle_helper

setup() {
    life_setup
    # a second base: the busybox one with a changed file and a new one
    cp -a "$W/basejail/busybox" "$W/basejail/busybox2"
    echo 'export NEWBASE=1' >>"$W/basejail/busybox2/etc/profile"
    echo 'welcome to the new base' >"$W/basejail/busybox2/etc/motd"
}

teardown() {
    life_teardown
}

@test "a thin jail switched to another base sees its files, keeps its own, and is told which of its own hide a changed one" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c 'echo mine >/etc/profile && echo mine >/etc/shells && echo own >/root/f'
    ok brig jstop jname=${P}a
    jail_up jname=${P}o exec_start=true exec_stop=true
    ok brig jset jname=${P}a base=busybox2 --dry-run
    has_line "${P}a: base=busybox2 is valid; nothing was changed (--dry-run)"
    has_line "${P}a: note: /etc/profile in its own files hides the file base busybox2 changed"
    [ "${#lines[@]}" -eq 2 ]
    same "$(jparam ${P}a base)" busybox "base after the dry run"
    ok brig jset jname=${P}a base=busybox2
    has_line "${P}a: base is now busybox2"
    has_line "${P}a: note: /etc/profile in its own files hides the file base busybox2 changed"
    [ "${#lines[@]}" -eq 2 ]
    same "$(jparam ${P}a base)" busybox2 "base"
    ok brig jstart jname=${P}a
    ok brig jexec jname=${P}a -- cat /etc/motd /etc/profile /etc/shells /root/f
    same "$output" "$(printf 'welcome to the new base\nmine\nmine\nown')" "the switched jail's files"
    # a jail on the old base keeps it
    same "$(jparam ${P}o base)" busybox "the other jail's base"
    run brig jexec jname=${P}o -- cat /etc/motd
    [ "$status" -ne 0 ]
    # and back: nothing of its own hides a change the other way but its profile
    ok brig jstop jname=${P}a
    ok brig jset jname=${P}a base=busybox
    has_line "${P}a: note: /etc/profile in its own files hides the file base busybox changed"
    same "$(jparam ${P}a base)" busybox "base after switching back"
    # the base it has is no change: as for any parameter, nothing to say
    ok brig jset jname=${P}a base=busybox
    same "$output" "" "jset of the same base"
}

@test "jset base= is refused for running and thick jails, missing bases and with other parameters" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    assert_rejected 2 "${P}a: is running (stop it first: brig jstop jname=${P}a)" \
        brig jset jname=${P}a base=busybox2
    ok brig jstop jname=${P}a
    assert_rejected 2 "base 'nosuch' does not exist (brig repo action=get sources=base base=nosuch)" \
        brig jset jname=${P}a base=nosuch
    assert_rejected 2 "base= is changed on its own" brig jset jname=${P}a base=busybox2 maxproc=10
    assert_rejected 2 "base" brig jset jname=${P}a base=../busybox2
    ok brig jcreate jname=${P}k baserw=1 exec_start=true exec_stop=true
    assert_rejected 2 "a thick jail (baserw=1) has its own copy of busybox" \
        brig jset jname=${P}k base=busybox2
    same "$(jparam ${P}a base)" busybox "base"
}

@test "a link a jail planted in its layer does not make the check read outside the bases" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    # /etc is a link in the layer, to a host directory: its files are not the bases'
    ok brig jexec jname=${P}a -- sh -c "rm -rf /etc && ln -s '$W/basejail/busybox2/etc' /etc"
    ok brig jstop jname=${P}a
    ok brig jset jname=${P}a base=busybox2
    has_line "${P}a: base is now busybox2"
    output_lacks "note:"
}
