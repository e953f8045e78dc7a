#!/usr/bin/env bats
# The boot units in dist/: the systemd unit and the FreeBSD rc.d script start
# the astart=1 jails and stop them, and they succeed when run again, or after
# a jail was started or stopped by hand, as `systemctl start` does.

load lifecycle_helper

setup() {
    life_setup
    DIST="$BATS_TEST_DIRNAME/../../dist"
    local n
    for n in ${P}bt1 ${P}bt2; do
        ok brig jcreate jname=$n ip4_addr=0 exec_start=true astart=1
    done
    ok brig jcreate jname=${P}bt3 ip4_addr=0 exec_start=true
}

teardown() {
    life_teardown
}

# Run the unit's Exec$1= line as systemd would (brig: the binary under test);
# a "-" prefix, which hides a failure, is itself a failure.
unit_exec() {
    local line
    line=$(sed -n "s/^Exec$1=//p" "$DIST/brig.service")
    [ -n "$line" ] || { echo "no Exec$1= in brig.service" >&2; return 1; }
    case "$line" in
    [-@:+!]*)
        echo "Exec$1= ignores failures: $line" >&2
        return 1
        ;;
    esac
    local -a argv
    read -ra argv <<<"$line"
    [ "${argv[0]}" = brig ] || { echo "Exec$1= runs ${argv[0]}, not brig" >&2; return 1; }
    run "$BRIG_BIN" "${argv[@]:1}"
}

# Run the rc.d script with verb $1 under a minimal rc.subr, with the binary
# under test as its command and this test's workdir.
rcd() {
    local subr="$BATS_TEST_TMPDIR/rc.subr" script="$BATS_TEST_TMPDIR/brig.rc"
    printf '%s\n' 'load_rc_config() { :; }' \
        'run_rc_command() { eval "_cmd=\${${1}_cmd}"; $_cmd; }' >"$subr"
    sed -e "s|^\. /etc/rc.subr\$|. $subr|" -e "s|^command=.*|command=\"$BRIG_BIN\"|" \
        "$DIST/rc.d/brig" >"$script"
    grep -q "^\. $subr\$" "$script" || { echo "the rc.d script does not load rc.subr" >&2; return 1; }
    run env brig_workdir="$W" sh "$script" "$1"
}

@test "the systemd unit's ExecStart and ExecStop succeed again and after jails were started or stopped by hand" {
    ok brig jstart jname=${P}bt2
    unit_exec Start
    same "$status" 0 "ExecStart exit status: $output"
    has_line "${P}bt1: started"
    has_line "${P}bt2: already running"
    unit_exec Start
    same "$status" 0 "second ExecStart exit status: $output"
    has_line "${P}bt1: already running"
    same "$(jstatus ${P}bt3)" stopped "a jail without astart"
    ok brig jstop jname=${P}bt1
    unit_exec Stop
    same "$status" 0 "ExecStop exit status: $output"
    has_line "${P}bt1: already stopped"
    has_line "${P}bt2: stopped"
    unit_exec Stop
    same "$status" 0 "second ExecStop exit status: $output"
    same "$(jstatus ${P}bt1) $(jstatus ${P}bt2)" "stopped stopped" "statuses"
}

@test "the rc.d script's start and stop succeed again and after jails were started or stopped by hand" {
    ok brig jstart jname=${P}bt1
    rcd start
    same "$status" 0 "start exit status: $output"
    has_line "${P}bt1: already running"
    has_line "${P}bt2: started"
    rcd start
    same "$status" 0 "second start exit status: $output"
    rcd status
    same "$status" 0 "status exit status: $output"
    output_has "${P}bt2"
    ok brig jstop jname=${P}bt2
    rcd stop
    same "$status" 0 "stop exit status: $output"
    has_line "${P}bt1: stopped"
    has_line "${P}bt2: already stopped"
    rcd stop
    same "$status" 0 "second stop exit status: $output"
    same "$(jstatus ${P}bt1) $(jstatus ${P}bt2) $(jstatus ${P}bt3)" "stopped stopped stopped" "statuses"
}
