#!/usr/bin/env bats
# brig jlogin: a login shell inside the jail; without a terminal it reads
# its commands from stdin.

load lifecycle_helper

setup() {
    life_setup
    ok brig jcreate jname=${P}lg1 ip4_addr=0 exec_start=true
}

teardown() {
    life_teardown
}

@test "jlogin without a tty runs a login shell that reads stdin" {
    ok brig jstart jname=${P}lg1
    run bash -c "printf 'echo ok; echo \$0; id -un; pwd; exit 3\n' | '$BRIG_BIN' jlogin jname=${P}lg1"
    same "$status" 3 "exit status of the shell"
    has_line ok
    has_line -sh
    has_line root
    has_line /root
}

@test "jlogin user= logs in as that user" {
    ok brig jstart jname=${P}lg1
    # nobody's shell is /bin/false in the busybox base: give it one
    ok brig jexec jname=${P}lg1 -- sed -i 's,^nobody:\(.*\):/bin/false$,nobody:\1:/bin/sh,' /etc/passwd
    run bash -c "echo 'id -un; exit' | '$BRIG_BIN' jlogin jname=${P}lg1 user=nobody"
    same "$status" 0 "exit status"
    has_line nobody
}

@test "jlogin on a terminal gets a pty of the jail" {
    command -v script >/dev/null || skip "script(1) is not installed"
    ok brig jstart jname=${P}lg1
    run script -qec "'$BRIG_BIN' jlogin jname=${P}lg1" /dev/null <<<'tty; exit'
    output_has "/dev/pts/"
}

@test "jlogin on a stopped jail fails with not running" {
    run bash -c "echo exit | '$BRIG_BIN' jlogin jname=${P}lg1"
    same "$status" 1 "exit status"
    output_has "${P}lg1: not running"
}
