#!/usr/bin/env bats
# brig jconfig: change parameters like jset, or edit the jail as a jconf in $EDITOR.

load helper
load foundation_helper

setup() {
    brig_setup
    ok brig jcreate jname=web1
    unset VISUAL
}

# Fail unless jconfig on a terminal exits $1 and says $2, changing nothing.
rejected_on_tty() {
    local code=$1 want=$2 before
    shift 2
    before=$(db_dump)
    on_tty "$@"
    same "$status" "$code" "exit status: $output"
    output_has "$want"
    same "$(db_dump)" "$before" "database"
}

@test "jconfig with parameters changes them like jset" {
    ok brig jconfig jname=web1 devfs_ruleset=6 persist=0
    same "$(jparam web1 devfs_ruleset)" 6 devfs_ruleset
    same "$(jparam web1 persist)" 0 persist
}

@test "jconfig devfs_ruleset=N sets the ruleset a DHCP client needs" {
    ok brig jcreate jname=v1 vnet=1 ip4_addr=REALDHCP
    ok brig jconfig jname=v1 devfs_ruleset=7
    same "$(jparam v1 devfs_ruleset)" 7 devfs_ruleset
}

@test "jconfig without parameters opens the jail as a jconf in \$EDITOR" {
    local ed="$BATS_TEST_TMPDIR/show"
    printf '#!/bin/sh\ncp "$1" %s/seen\n' "$BATS_TEST_TMPDIR" >"$ed"
    chmod +x "$ed"
    EDITOR=$ed on_tty_ok jconfig jname=web1
    run cat "$BATS_TEST_TMPDIR/seen"
    has_line 'jname="web1";'
    has_line 'host_hostname="web1.my.domain";'
    has_line 'ip4_addr="10.199.0.2/16";'
    has_line 'exec_start="/bin/sh /etc/rc";'
}

@test "jconfig applies what the editor saved" {
    EDITOR=$(sed_editor 's/^devfs_ruleset=.*/devfs_ruleset="7";/') on_tty_ok jconfig jname=web1
    same "$(jparam web1 devfs_ruleset)" 7 devfs_ruleset
    same "$(jparam web1 ip4_addr)" 10.199.0.2/16 ip4_addr
}

@test "jconfig prefers \$VISUAL to \$EDITOR" {
    VISUAL=$(sed_editor 's/^persist=.*/persist="0";/') EDITOR=false on_tty_ok jconfig jname=web1
    same "$(jparam web1 persist)" 0 persist
}

@test "jconfig reads escapes the editor wrote" {
    local ed="$BATS_TEST_TMPDIR/ed"
    cat >"$BATS_TEST_TMPDIR/line" <<'EOF2'
exec_start="/bin/echo \"hi\" \$HOME\tend";
EOF2
    printf '#!/bin/sh\nsed -i /^exec_start=/d "$1"\ncat %s/line >>"$1"\n' "$BATS_TEST_TMPDIR" >"$ed"
    chmod +x "$ed"
    EDITOR=$ed on_tty_ok jconfig jname=web1
    same "$(jparam web1 exec_start)" $'/bin/echo "hi" $HOME\tend' exec_start
}

@test "a line removed in the editor takes its default again" {
    ok brig jset jname=web1 devfs_ruleset=7
    EDITOR=$(sed_editor '/^devfs_ruleset=/d') on_tty_ok jconfig jname=web1
    same "$(jparam web1 devfs_ruleset)" 4 devfs_ruleset
}

@test "jconfig keeps parameters of the other kernel that the editor did not show" {
    ok brig jset jname=web1 enforce_statfs=1 mount_linprocfs=1
    EDITOR=$(sed_editor 's/^devfs_ruleset=.*/devfs_ruleset="6";/') on_tty_ok jconfig jname=web1
    same "$(jparam web1 devfs_ruleset)" 6 devfs_ruleset
    same "$(jparam web1 enforce_statfs)" 1 enforce_statfs
    same "$(jparam web1 mount_linprocfs)" 1 mount_linprocfs
}

@test "jconfig with no edit says so and changes nothing" {
    local before
    before=$(db_dump)
    EDITOR=true on_tty_ok jconfig jname=web1
    same "$output" "brig: jconfig: web1: no changes" "message"
    same "$(db_dump)" "$before" "database"
}

@test "jconfig without parameters and without a terminal exits 2 and starts no editor" {
    local ed="$BATS_TEST_TMPDIR/ed"
    printf '#!/bin/sh\ntouch %s/started\n' "$BATS_TEST_TMPDIR" >"$ed"
    chmod +x "$ed"
    EDITOR=$ed assert_rejected 2 \
        "brig: jconfig: web1: no param=value given, and no terminal for an editor" \
        brig jconfig jname=web1 </dev/null
    [ ! -e "$BATS_TEST_TMPDIR/started" ]
    # a terminal on stdin but not on stdout is not one an editor can use
    EDITOR=$ed tty_run sh -c '"$0" jconfig jname=web1 >"$1"' "$BRIG_BIN" "$BATS_TEST_TMPDIR/out"
    same "$status" 2 "exit status with stdout to a file: $output"
    output_has "no terminal for an editor"
    [ ! -e "$BATS_TEST_TMPDIR/started" ]
}

@test "an error in the edited file is shown with a choice, and exiting changes nothing" {
    EDITOR=$(sed_editor 's/^pcpu=.*/pcpu="500";/') TTY_ANSWER=x \
        rejected_on_tty 2 "brig: jconfig: web1: line " jconfig jname=web1
    output_has "pcpu: 500 is out of range 0..100"
    output_has "What now? (e)dit again, e(x)it without saving"
    output_has "brig: jconfig: web1: not changed"
    same "$(jparam web1 pcpu)" 0 pcpu
}

@test "a syntax error in the edited file is refused, naming the line" {
    EDITOR=$(sed_editor 's/^persist=.*/persist="1/') TTY_ANSWER=x \
        rejected_on_tty 2 "unterminated '\"'" jconfig jname=web1
    output_has "line "
}

@test "an unknown parameter added in the editor is refused with a hint" {
    EDITOR=$(sed_editor '$a ip4_adr="10.0.0.1";') \
        TTY_ANSWER=x rejected_on_tty 2 "unknown parameter 'ip4_adr' (did you mean 'ip4_addr'?)" \
        jconfig jname=web1
}

@test "renaming the jail in the editor is refused" {
    EDITOR=$(sed_editor 's/^jname=.*/jname="web2";/') \
        TTY_ANSWER=x rejected_on_tty 2 "brig: jconfig: web1: line 3: jname cannot be changed after jcreate" \
        jconfig jname=web1
}

@test "changing the path in the editor is refused" {
    EDITOR=$(sed_editor 's|^path=.*|path="/tmp/elsewhere";|') \
        TTY_ANSWER=x rejected_on_tty 2 "path cannot be changed after jcreate" jconfig jname=web1
}

@test "an editor that fails changes nothing" {
    EDITOR=false rejected_on_tty 1 "brig: jconfig: editor false exited with status 1; nothing changed" \
        jconfig jname=web1
}

@test "an editor that does not exist changes nothing" {
    EDITOR=/nonexistent/editor rejected_on_tty 1 "/nonexistent/editor" jconfig jname=web1
}

@test "jconfig of a jail that does not exist is refused" {
    assert_rejected 2 "brig: jconfig: web2: no such jail" brig jconfig jname=web2
    assert_rejected 2 "brig: jconfig: web2: no such jail" brig jconfig jname=web2 persist=0
}

@test "jconfig without jname= is refused" {
    assert_rejected 2 "brig: jconfig: jname= is required" brig jconfig persist=0
}

@test "jconfig with a bad value is refused" {
    assert_rejected 2 "brig: jconfig: web1: persist: 'yes' is not 0 or 1" brig jconfig jname=web1 persist=yes
}

@test "jconfig with an unknown parameter is refused with a hint" {
    assert_rejected 2 "unknown parameter 'devfs_rulset' (did you mean 'devfs_ruleset'?)" \
        brig jconfig jname=web1 devfs_rulset=6
}

@test "jconfig base= of a base that is not there names the repo command and changes nothing" {
    assert_rejected 2 "web1: base 'debian' does not exist (brig repo action=get sources=base base=debian)" \
        brig jconfig jname=web1 base=debian
}
