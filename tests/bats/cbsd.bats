#!/usr/bin/env bats
# CBSD users bring their jails: jcreate reads CBSD's own jconf files (brig's
# keys taken, CBSD's mapped or listed once as ignored with the reason), CBSD
# keys and verbs brig does not have say what brig has instead, and brig(8)
# accounts for every key of CBSD's jail template.

bats_require_minimum_version 1.5.0
load lifecycle_helper

TOP=$BATS_TEST_DIRNAME/../..
CBSD_JCONF=$TOP/tests/cbsd/cbsd1.jconf

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# The keys of CBSD's jconf file, one a line.
cbsd_keys() {
    sed -n 's/^\([a-z_0-9]*\)=.*/\1/p' "$CBSD_JCONF"
}

# The CBSD keys brig ignores: those that are no brig parameter and map to none,
# and, in a file of CBSD's own, its workdir paths.
cbsd_ignored() {
    cbsd_keys | grep -vxE 'jname|host_hostname|ip4_addr|mount_devfs|allow_mount|mkhostsfile|devfs_ruleset|baserw|astart|vnet|interface|exec_(start|stop|prestart|poststart|prestop|poststop|timeout)|stop_timeout|mount_fdescfs|cpuset|emulator|b_order|ci_gw4|nic_hwaddr|allow_raw_sockets|exec_master_.*'
}

@test "the CBSD jconf of the tests holds all 64 keys of CBSD's jail template, once each" {
    same "$(cbsd_keys | wc -l)" 64 "keys"
    same "$(cbsd_keys | sort -u | wc -l)" 64 "distinct keys"
}

@test "jcreate jconf= of CBSD's jconf takes brig's keys, lists each other key once as ignored, and the jail starts" {
    ok brig jcreate jconf="$CBSD_JCONF" jname=${P}cb1
    has_line "${P}cb1: created (ip4_addr=0)"
    local k n
    for k in $(cbsd_ignored); do
        n=$(grep -c "^brig: jcreate: ${P}cb1: jconf: ignored $k (" <<<"$output")
        same "$n" 1 "lines saying $k was ignored"
    done
    same "$(grep -c 'jconf: ignored' <<<"$output")" "$(cbsd_ignored | wc -l)" "ignored lines"
    same "$(cbsd_ignored | wc -l)" 34 "keys brig ignores"
    output_has "ignored pkglist (packages CBSD installs at jcreate; brig installs no packages)"
    output_has "ignored runasap (starts the jail right after jcreate; run brig jstart)"
    # taken as they are
    same "$(jparam ${P}cb1 host_hostname)" cbsd1.my.domain "host_hostname"
    same "$(jparam ${P}cb1 devfs_ruleset)" 4 "devfs_ruleset"
    same "$(jparam ${P}cb1 allow_mount)" 1 "allow_mount"
    same "$(jparam ${P}cb1 astart)" 1 "astart"
    same "$(jparam ${P}cb1 stop_timeout)" 10 "stop_timeout"
    same "$(jparam ${P}cb1 exec_start)" "/bin/sh /etc/rc" "exec_start"
    # CBSD's exec_*="0" is none; exec_master_* run on the host like brig's exec_*
    same "$(jparam ${P}cb1 exec_prestart)" "" "exec_prestart"
    same "$(jparam ${P}cb1 exec_poststop)" "" "exec_poststop"
    same "$(jparam ${P}cb1 exec_poststart)" /bin/true "exec_poststart from exec_master_poststart"
    # CBSD's paths are CBSD's workdir: the jail lives in brig's
    same "$(jparam ${P}cb1 path)" "$W/jails/${P}cb1" "path"
    same "$(jparam ${P}cb1 data)" "$W/jails-data/${P}cb1-data" "data"
    ok brig jstart jname=${P}cb1
    ok brig jexec jname=${P}cb1 hostname
    same "$output" cbsd1.my.domain "host name inside"
}

@test "a CBSD jconf's exec_*=\"0\" means no command, and the jail starts" {
    local f
    f=$(jconf_file z.jconf <<EOF
jname="${P}z1";
ip4_addr="0";
exec_start="0";
exec_prestart="0";
exec_poststart="0";
exec_prestop="0";
exec_poststop="0";
EOF
)
    ok brig jcreate jconf="$f"
    output_lacks "ignored"
    for k in exec_start exec_prestart exec_poststart exec_prestop exec_poststop; do
        same "$(jparam ${P}z1 $k)" "" "$k"
    done
    ok brig jstart jname=${P}z1
    same "$(jstatus ${P}z1)" running "status"
}

@test "a jconf without relative_path keeps its path" {
    local f
    f=$(jconf_file own.jconf <<EOF
jname="${P}o1";
path="$BATS_TEST_TMPDIR/elsewhere/${P}o1";
pkglist="";
EOF
)
    ok brig jcreate jconf="$f"
    same "$(jparam ${P}o1 path)" "$BATS_TEST_TMPDIR/elsewhere/${P}o1" "path"
    output_has "jconf: ignored pkglist ("
}

@test "a jconf setting both exec_master_prestart and exec_prestart is refused, naming the line" {
    local f
    f=$(jconf_file both.jconf <<EOF
jname="${P}b1";
exec_prestart="/bin/true";
exec_master_prestart="/bin/false";
EOF
)
    assert_rejected 2 "jconf $f: line 3: exec_master_prestart and exec_prestart both set a command; brig runs one (both run on the host)" \
        brig jcreate jconf="$f"
    [ ! -e "$W/jails/${P}b1" ]
}

@test "jcreate from a jconf names each command it will run on the host as root, control bytes escaped" {
    local f
    f=$(jconf_file host.jconf <<EOF
jname="${P}h1";
ip4_addr="0";
exec_master_prestart="touch /tmp/x";
exec_poststop="echo a\nrm -rf /srv";
exec_prestop="true";
exec_start="/bin/sh /etc/rc";
EOF
)
    printf 'exec_poststart="a\033[2K\rb";\n' >>"$f"
    run -0 --separate-stderr "$BRIG_BIN" jcreate jconf="$f" exec_prestop=/bin/true
    has_line "${P}h1: created (ip4_addr=0)"
    local notes
    notes=$(grep 'on the host' <<<"$stderr")
    same "$notes" "brig: jcreate: ${P}h1: jconf: exec_prestart runs on the host as root: touch /tmp/x
brig: jcreate: ${P}h1: jconf: exec_poststart runs on the host as root: a\\x1b[2K\\x0db
brig: jcreate: ${P}h1: jconf: exec_poststop runs on the host as root: echo a\\nrm -rf /srv" "the notes"
    # what the command line gives is the user's own, and exec_start runs in the jail
    [[ "$stderr" != *exec_prestop* ]]
    [[ "$stderr" != *exec_start* ]]
}

@test "a CBSD key on the command line says what it is to CBSD instead of a wrong did-you-mean" {
    assert_rejected 2 "brig: jcreate: unknown parameter 'pkglist' (a CBSD key: packages CBSD installs at jcreate; brig installs no packages)" \
        brig jcreate jname=a pkglist=nginx
    assert_rejected 2 "brig: jset: unknown parameter 'runasap' (a CBSD key: starts the jail right after jcreate; run brig jstart)" \
        brig jset jname=a runasap=1
    assert_rejected 2 "brig: jcreate: unknown parameter 'exec_master_prestart' (a CBSD key: brig's is exec_prestart, both run on the host)" \
        brig jcreate jname=a exec_master_prestart=/bin/true
}

@test "did-you-mean suggests only a parameter of the same kind" {
    assert_rejected 2 "brig: jcreate: unknown parameter 'start_timeout' (see brig jcreate --help)" \
        brig jcreate jname=a start_timeout=5
    assert_rejected 2 "brig: jcreate: unknown parameter 'exec_tmeout' (did you mean 'exec_timeout'?)" \
        brig jcreate jname=a exec_tmeout=5
    assert_rejected 2 "brig: jcreate: unknown parameter 'ip6_addr' (did you mean 'ip4_addr'?)" \
        brig jcreate jname=a ip6_addr=::1
}

@test "a CBSD verb brig has under another name names it" {
    assert_rejected 2 "brig: unknown verb 'jdestroy' (CBSD's jdestroy is brig jremove)" brig jdestroy jname=a
    assert_rejected 2 "brig: unknown verb 'jstatus' (CBSD's jstatus is brig jls display=jname,status)" \
        brig jstatus jname=a
}

@test "a CBSD verb brig has no equivalent for says so instead of a wrong did-you-mean" {
    assert_rejected 2 "brig: unknown verb 'jbackup' (CBSD's jbackup has no brig equivalent yet: brig takes no backups)" \
        brig jbackup jname=a
    assert_rejected 2 "brig: unknown verb 'brename' (CBSD's brename has no brig equivalent yet: brig has it for jails, not yet for VMs)" \
        brig brename jname=vm1
    for v in bsnapshot; do
        assert_rejected 2 "brig: unknown verb '$v' (CBSD's $v has no brig equivalent yet: " brig $v
    done
    assert_rejected 2 "brig: unknown verb 'blogin' (CBSD's blogin is brig bconsole)" brig blogin jname=vm1
}

@test "an unknown verb is suggested only a verb of the same kind" {
    assert_rejected 2 "brig: unknown verb 'bremov' (did you mean 'bremove'?)" brig bremov
    assert_rejected 2 "brig: unknown verb 'jcraete' (did you mean 'jcreate'?)" brig jcraete
}

@test "brig(8) says what brig does with every key of CBSD's jail template" {
    local k section
    section=$(sed -n '/^\.Ss CBSD jconf files/,/^\.S[sh] /p' "$TOP/man/brig.8")
    [ -n "$section" ]
    for k in $(cbsd_keys); do
        grep -q "^\.It Cm $k\$" <<<"$section" || {
            echo "brig.8 does not list the CBSD key $k" >&2
            return 1
        }
    done
}
