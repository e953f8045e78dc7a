#!/usr/bin/env bats
# brig jsnapshot: copies of a jail's own files (a thin jail's layer, a thick
# jail's root) under jails-system/JNAME/snapshots/, listed, removed, and
# rolled back to; a running jail is frozen while its snapshot is made.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# What the jail's root sees of the files fill_jail made: owners, modes, link
# counts, types, link targets, contents, and what its layer hides of the base.
VIEW='for p in / /root /root/f /root/h /root/s /d /d/g /usr/share /usr/share/n; do
        stat -c "%n %u:%g %a %h %F" $p; done
      readlink /root/s; cat /root/f /d/g /usr/share/n; ls /bin/ls 2>&1; ls -a /usr/share /root'

# Give jail $1 (running) files of every kind, with owners of its own.
fill_jail() {
    ok brig jexec jname="$1" -- sh -c '
        echo hi >/root/f && ln /root/f /root/h && ln -s ../etc/passwd /root/s &&
        mkdir /d && echo g >/d/g && chown 5:6 /d && chown 7:8 /d/g && chmod 2750 /d &&
        chmod 4711 /root/f && rm /bin/ls &&
        rm -rf /usr/share && mkdir /usr/share && echo n >/usr/share/n'
}

# Change everything fill_jail made, from inside jail $1 (running).
spoil_jail() {
    ok brig jexec jname="$1" -- sh -c '
        echo changed >/root/f && rm /root/h /root/s && chown 9:9 /d/g && chmod 700 /d &&
        echo new >/root/new && rm -rf /usr/share/n'
}

# The snapshot names of jail $1, one a line.
snapnames() {
    brig jsnapshot jname="$1" action=list --json | jq -r '.[].name'
}

@test "a thin jail rolled back to its snapshot has its files, owners, modes, xattrs, hard links and symlinks again" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    fill_jail ${P}a
    ok brig jexec jname=${P}a -- sh -c "$VIEW"
    local want=$output
    ok brig jstop jname=${P}a
    setfattr -n user.brig_test -v kept "$W/jails-data/${P}a-data/upper/root/f"
    ok brig jsnapshot jname=${P}a action=create snapname=s1
    same "$output" "${P}a: snapshot s1 created" "create"
    ok brig jstart jname=${P}a
    spoil_jail ${P}a
    ok brig jstop jname=${P}a
    setfattr -x user.brig_test "$W/jails-data/${P}a-data/upper/root/f"
    ok brig jsnapshot jname=${P}a action=rollback snapname=s1
    same "$output" "${P}a: rolled back to snapshot s1" "rollback"
    ok brig jstart jname=${P}a
    ok brig jexec jname=${P}a -- sh -c "$VIEW"
    same "$output" "$want" "the jail's view after the rollback"
    output_has "/d 5:6 2750 2 directory"
    output_has "/root/f 0:0 4711 2 regular file"
    output_lacks "new"
    same "$(getfattr --only-values -n user.brig_test "$W/jails-data/${P}a-data/upper/root/f")" kept \
        "user xattr"
    same "$(getfattr --only-values -n trusted.overlay.opaque "$W/jails-data/${P}a-data/upper/usr/share")" y \
        "the opaque directory"
    # nothing of the rollback is left beside the layer
    same "$(ls -A "$W/jails-data/${P}a-data")" "$(printf 'upper\nwork')" "the data dir"
}

@test "a thick jail rolled back to its snapshot has its root again, in its own id range" {
    jail_up jname=${P}k baserw=1 exec_start=true exec_stop=true
    fill_jail ${P}k
    ok brig jexec jname=${P}k -- sh -c "$VIEW"
    local want=$output
    ok brig jstop jname=${P}k
    ok brig jsnapshot jname=${P}k action=create snapname=before
    ok brig jstart jname=${P}k
    spoil_jail ${P}k
    ok brig jstop jname=${P}k
    ok brig jsnapshot jname=${P}k action=rollback snapname=before
    ok brig jstart jname=${P}k
    ok brig jexec jname=${P}k -- sh -c "$VIEW"
    same "$output" "$want" "the jail's view after the rollback"
    ok brig jexec jname=${P}k -- touch /root/writable
    local first
    first=$(sqlite3 "$W/var/db/local.sqlite" "select idmap from jails where jname = '${P}k'")
    same "$(stat -c %u:%g "$W/jails-data/${P}k-data/d/g")" "$((first + 7)):$((first + 8))" "host owner"
    [ ! -e "$W/jails-data/${P}k-data.rollback" ]
}

@test "a running jail is snapshotted frozen, thawed after, and the snapshot holds what it wrote" {
    jail_up jname=${P}r exec_start='sleep 1000 &' exec_stop=true
    ok brig jexec jname=${P}r -- sh -c 'echo one >/root/f'
    ok brig jsnapshot jname=${P}r action=create snapname=live
    same "$(jstatus ${P}r)" running "the jail's status"
    local f seen=0
    for f in /sys/fs/cgroup/brig/"$(node_id)"/${P}r/cgroup.freeze \
        /sys/fs/cgroup/unified/brig/"$(node_id)"/${P}r/cgroup.freeze \
        /sys/fs/cgroup/freezer/brig/"$(node_id)"/${P}r/freezer.state; do
        [ -e "$f" ] || continue
        seen=1
        case "$(cat "$f")" in
        0 | THAWED) ;;
        *)
            echo "$f: the jail's cgroup is left frozen" >&2
            return 1
            ;;
        esac
    done
    [ "$seen" = 1 ]
    ok brig jexec jname=${P}r -- sh -c 'echo two >/root/f; cat /root/f'
    same "$output" two "the jail runs on"
    same "$(cat "$W/jails-system/${P}r/snapshots/live/tree/root/f")" one "the snapshot's copy"
}

@test "rollback of a running jail is refused and changes nothing" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c 'echo one >/root/f'
    ok brig jsnapshot jname=${P}a action=create snapname=s1
    ok brig jexec jname=${P}a -- sh -c 'echo two >/root/f'
    assert_rejected 2 "${P}a: is running (stop it first: brig jstop jname=${P}a)" \
        brig jsnapshot jname=${P}a action=rollback snapname=s1
    ok brig jexec jname=${P}a -- cat /root/f
    same "$output" two "the running jail's file"
}

@test "bad, duplicate and missing snapshot names are refused and nothing is made" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    ok brig jsnapshot jname=${P}a action=create snapname=s1
    local before
    before=$(ls -A "$W/jails-system/${P}a/snapshots")
    assert_rejected 2 "'/' and '..' are not allowed" brig jsnapshot jname=${P}a action=create snapname=..
    assert_rejected 2 "'/' and '..' are not allowed" brig jsnapshot jname=${P}a action=create snapname=../../x
    assert_rejected 2 "'/' and '..' are not allowed" brig jsnapshot jname=${P}a action=create snapname=a/b
    assert_rejected 2 "must not begin with '.'" brig jsnapshot jname=${P}a action=create snapname=.hidden
    assert_rejected 2 "may hold only" brig jsnapshot jname=${P}a action=create 'snapname=a b'
    assert_rejected 2 "a snapshot named s1 exists" brig jsnapshot jname=${P}a action=create snapname=s1
    assert_rejected 2 "no snapshot named s2" brig jsnapshot jname=${P}a action=rollback snapname=s2
    assert_rejected 2 "no snapshot named s2" brig jsnapshot jname=${P}a action=remove snapname=s2
    assert_rejected 2 "'/' and '..' are not allowed" brig jsnapshot jname=${P}a action=rollback snapname=../s1
    assert_rejected 2 "snapname= is required" brig jsnapshot jname=${P}a action=rollback
    assert_rejected 2 "not one of list, create, remove, rollback" brig jsnapshot jname=${P}a action=take
    assert_rejected 2 "no such jail" brig jsnapshot jname=${P}none action=create
    same "$(ls -A "$W/jails-system/${P}a/snapshots")" "$before" "the snapshots"
    [ ! -e "$W/jails-system/x" ] && [ ! -e "$W/x" ]
}

@test "snapshots are listed oldest first with their time and size, and removed by name or all at once" {
    ok brig jcreate jname=${P}a exec_start=true exec_stop=true
    ok brig jsnapshot jname=${P}a action=list
    same "$output" "${P}a: no snapshots" "an empty list"
    ok brig jsnapshot jname=${P}a action=create
    output_has "${P}a: snapshot $(date -u +%Y%m%d)-"
    ok brig jsnapshot jname=${P}a action=create snapname=b
    ok brig jsnapshot jname=${P}a action=create snapname=c
    ok brig jsnapshot jname=${P}a action=list
    [[ "${lines[0]}" == NAME*CREATED*SIZE ]]
    [ "${#lines[@]}" -eq 4 ]
    ok brig jsnapshot jname=${P}a action=list --json
    same "$(jq -r '.[1].name, .[2].name' <<<"$output")" "$(printf 'b\nc')" "names in order"
    jq -e '.[] | (.size | type) == "number" and (.created | test("^[0-9-]+T[0-9:]+Z$"))' <<<"$output" >/dev/null
    ok brig jsnapshot jname=${P}a action=remove snapname=b
    same "$output" "${P}a: snapshot b removed" "remove"
    [ "$(snapnames ${P}a | wc -l)" -eq 2 ]
    ok brig jsnapshot jname=${P}a action=remove 'snapname=*'
    same "$output" "${P}a: 2 snapshots removed" "remove all"
    ok brig jsnapshot jname=${P}a action=remove 'snapname=*'
    same "$output" "${P}a: no snapshots: nothing to remove" "nothing left"
    [ -z "$(ls -A "$W/jails-system/${P}a/snapshots")" ]
}

@test "jrename takes the snapshots along, jclone copies none, jremove removes them" {
    jail_up jname=${P}a exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c 'echo one >/root/f'
    ok brig jstop jname=${P}a
    ok brig jsnapshot jname=${P}a action=create snapname=s1
    ok brig jrename old=${P}a new=${P}b
    same "$(snapnames ${P}b)" s1 "the renamed jail's snapshots"
    ok brig jclone old=${P}b new=${P}c
    same "$(snapnames ${P}c)" "" "the clone's snapshots"
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- sh -c 'echo two >/root/f'
    ok brig jstop jname=${P}b
    ok brig jsnapshot jname=${P}b action=rollback snapname=s1
    ok brig jstart jname=${P}b
    ok brig jexec jname=${P}b -- cat /root/f
    same "$output" one "the renamed jail's rollback"
    ok brig jremove jname=${P}b force=1
    [ ! -e "$W/jails-system/${P}b" ]
    [ -z "$(ls -A "$W/jails-data" | grep "^${P}b")" ]
}

# Crash brig with BRIG_FAULT=$1 during a rollback of ${P}a to s1.
crash_rollback() {
    run env BRIG_FAULT="$1" "$BRIG_BIN" jsnapshot jname=${P}a action=rollback snapname=s1
    [ "$status" -eq 137 ] || {
        echo "$1: wanted death by SIGKILL (137), got $status: $output" >&2
        return 1
    }
}

@test "a rollback killed before or after it swaps the layer leaves the old or the new one whole" {
    need_fault_injection
    jail_up jname=${P}a exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c 'echo old >/root/f; echo old >/root/g'
    ok brig jstop jname=${P}a
    ok brig jsnapshot jname=${P}a action=create snapname=s1
    ok brig jstart jname=${P}a
    ok brig jexec jname=${P}a -- sh -c 'echo new >/root/f; rm /root/g'
    ok brig jstop jname=${P}a
    # killed before the swap: the layer is the jail's last one
    crash_rollback jsnapshot:1
    [ -d "$W/jails-data/${P}a-data/upper.rollback" ]
    ok brig jstart jname=${P}a
    [ ! -e "$W/jails-data/${P}a-data/upper.rollback" ]
    ok brig jexec jname=${P}a -- sh -c 'cat /root/f; ls /root'
    same "$output" "$(printf 'new\nf')" "killed before the swap"
    ok brig jstop jname=${P}a
    # killed after the swap: the layer is the snapshot's
    crash_rollback jsnapshot:2
    ok brig jstart jname=${P}a
    [ ! -e "$W/jails-data/${P}a-data/upper.rollback" ]
    ok brig jexec jname=${P}a -- sh -c 'cat /root/f /root/g'
    same "$output" "$(printf 'old\nold')" "killed after the swap"
}

@test "links a hostile jail root plants in its layer are copied as links, never followed out of it" {
    local victim="$BATS_TEST_TMPDIR/victim" vdir="$BATS_TEST_TMPDIR/vdir"
    echo host >"$victim"
    mkdir "$vdir"
    jail_up jname=${P}a exec_start=true exec_stop=true
    ok brig jexec jname=${P}a -- sh -c "
        ln -s '$victim' /root/victim && ln -s '$vdir' /root/vdir && ln -s / /root/up &&
        mkdir -p /root/tree && ln -s '$vdir' /root/tree/sub"
    ok brig jsnapshot jname=${P}a action=create snapname=s1
    local snap="$W/jails-system/${P}a/snapshots/s1/tree"
    [ -L "$snap/root/victim" ] && [ -L "$snap/root/vdir" ] && [ -L "$snap/root/up" ]
    ok brig jexec jname=${P}a -- sh -c 'rm -rf /root/tree && mkdir -p /root/tree/sub && echo jail >/root/tree/sub/planted'
    ok brig jstop jname=${P}a
    ok brig jsnapshot jname=${P}a action=rollback snapname=s1
    same "$(cat "$victim")" host "the host file a link named"
    [ -z "$(ls -A "$vdir")" ]
    [ -L "$W/jails-data/${P}a-data/upper/root/tree/sub" ]
    ok brig jsnapshot jname=${P}a action=create snapname=s2
    same "$(cat "$victim")" host "the host file a link named"
    [ -z "$(ls -A "$vdir")" ]
}

# The state of the running jail $1's freezer: 1 frozen, 0 thawed.
frozen_state() {
    local f
    for f in /sys/fs/cgroup/brig/"$(node_id)"/$1/cgroup.freeze \
        /sys/fs/cgroup/unified/brig/"$(node_id)"/$1/cgroup.freeze; do
        [ -e "$f" ] && { cat "$f"; return; }
    done
    case "$(cat /sys/fs/cgroup/freezer/brig/"$(node_id)"/$1/freezer.state)" in
    FROZEN) echo 1 ;;
    *) echo 0 ;;
    esac
}

@test "a snapshot of a running jail killed while the jail is frozen: the next command under its lock thaws it" {
    need_fault_injection
    jail_up jname=${P}r exec_start='sleep 1000 &' exec_stop=true
    run env BRIG_FAULT=jsnapshot:4 "$BRIG_BIN" jsnapshot jname=${P}r action=create snapname=s1
    [ "$status" -eq 137 ] || {
        echo "wanted death by SIGKILL (137), got $status: $output" >&2
        return 1
    }
    same "$(frozen_state ${P}r)" 1 "the jail while brig copies its files"
    ok brig jsnapshot jname=${P}r action=list
    same "$output" "${P}r: no snapshots" "the half-made snapshot"
    ok brig recover jname=${P}r
    same "$(frozen_state ${P}r)" 0 "the jail after the next command under its lock"
    ok brig jexec jname=${P}r -- echo alive
    same "$output" alive "the thawed jail"
    ok brig jsnapshot jname=${P}r action=create snapname=s1
    same "$(frozen_state ${P}r)" 0 "the jail after a whole snapshot"
}
