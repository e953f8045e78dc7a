#!/usr/bin/env bats
# brig jfstab: host directories in jails, kept per jail as lines of CBSD's
# fstab. Binds made at jstart and at once in a running jail, always nosuid and
# nodev, never outside the jail's root whatever symlinks the jail planted; the
# jail sees host owners through its user namespace (host id first+N as N).

load lifecycle_helper

setup() {
    life_setup
    S="$BATS_TEST_TMPDIR/share"
    mkdir -p "$S"
}

teardown() {
    life_teardown
}

idmap_of() {
    sqlite3 "$W/var/db/local.sqlite" "select idmap from jails where jname = '$1'"
}

# The mount options the running jail $1 has at $2 (from its own mountinfo).
jail_mount_opts() {
    awk -v m="$2" '$5 == m { print $6 }' "/proc/$(jpid "$1")/mountinfo"
}

@test "jfstab add, list and remove keep one entry per dst" {
    ok brig jcreate jname=${P}a
    ok brig jfstab jname=${P}a --json
    same "$output" "[]" "an empty list"
    ok brig jfstab jname=${P}a action=add src="$S" dst=/srv/share
    same "$output" "${P}a: $S mounted at /srv/share" "add output"
    ok brig jfstab jname=${P}a action=add src="$S/" dst=//opt//ro/ ro=1
    same "$output" "${P}a: $S/ mounted at //opt//ro/ read-only" "add output"
    ok brig jfstab jname=${P}a --json
    same "$(jq -r '.[] | "\(.src) \(.dst) \(.type) \(.options)"' <<<"$output")" \
        "$S /opt/ro nullfs ro
$S /srv/share nullfs rw" "rows, by dst, canonical"
    assert_rejected 2 "/srv/share is already mounted from the host" \
        brig jfstab jname=${P}a action=add src="$S" dst=/srv/share/
    ok brig jfstab jname=${P}a action=remove dst=/srv/share
    same "$output" "${P}a: /srv/share removed" "remove output"
    ok brig jfstab jname=${P}a --json
    same "$(jq -r '.[].dst' <<<"$output")" "/opt/ro" "the entry left"
    assert_rejected 2 "dst=/srv/share: no host directory is mounted there" \
        brig jfstab jname=${P}a action=remove dst=/srv/share
    ok brig jremove jname=${P}a
    same "$(sqlite3 "$W/var/db/local.sqlite" 'select count(*) from jailfstab')" 0 "rows left"
}

@test "a host directory is in the jail from jstart, owners seen through the jail's range" {
    ok brig jcreate jname=${P}o exec_start=true
    local id
    id=$(idmap_of ${P}o)
    echo host > "$S/byroot"
    echo mine > "$S/byjail"
    chown $((id + 1000)):$((id + 1000)) "$S/byjail"
    chown "$id:$id" "$S"
    ok brig jfstab jname=${P}o action=add src="$S" dst=/srv/share
    ok brig jstart jname=${P}o
    ok brig jexec jname=${P}o -- sh -c 'cat /srv/share/byroot /srv/share/byjail &&
        stat -c "%n %u %g" /srv/share/byroot /srv/share/byjail /srv/share /srv &&
        echo fromjail > /srv/share/new && chown 1000:1000 /srv/share/new'
    has_line "host"
    has_line "mine"
    has_line "/srv/share/byroot 65534 65534"
    has_line "/srv/share/byjail 1000 1000"
    has_line "/srv/share 0 0"
    has_line "/srv 0 0"
    same "$(cat "$S/new")" "fromjail" "the jail's file on the host"
    same "$(stat -c '%u %g' "$S/new")" "$((id + 1000)) $((id + 1000))" "its host owner"
    [ -z "$(grep " $S " /proc/self/mountinfo)" ]
}

@test "ro=1 refuses writes in the jail" {
    echo keep > "$S/f"
    ok brig jcreate jname=${P}r exec_start=true
    chown "$(idmap_of ${P}r)" "$S" "$S/f"
    ok brig jfstab jname=${P}r action=add src="$S" dst=/data ro=1
    ok brig jstart jname=${P}r
    run brig jexec jname=${P}r -- sh -c 'echo x > /data/f'
    [ "$status" -ne 0 ]
    output_has "Read-only file system"
    run brig jexec jname=${P}r -- mount -o remount,rw /data
    [ "$status" -ne 0 ]
    same "$(cat "$S/f")" "keep" "the host file"
    [[ ",$(jail_mount_opts ${P}r /data)," == *,ro,* ]]
}

@test "a running jail gets an added directory at once and loses a removed one" {
    echo live > "$S/f"
    jail_up jname=${P}l exec_start=true
    ok brig jfstab jname=${P}l action=add src="$S" dst=/live/in
    same "$output" "${P}l: $S mounted at /live/in (now in the running jail)" "add output"
    ok brig jexec jname=${P}l -- cat /live/in/f
    same "$output" "live" "the file in the jail"
    [ -n "$(jail_mount_opts ${P}l /live/in)" ]
    ok brig jfstab jname=${P}l action=add src="$S/f" dst=/etc/single ro=1
    ok brig jexec jname=${P}l -- cat /etc/single
    same "$output" "live" "a single file"
    ok brig jfstab jname=${P}l action=remove dst=/live/in
    same "$output" "${P}l: /live/in removed (unmounted in the running jail)" "remove output"
    [ -z "$(jail_mount_opts ${P}l /live/in)" ]
    ok brig jexec jname=${P}l -- ls -A /live/in
    same "$output" "" "the jail's own empty directory"
    ok brig jfstab jname=${P}l action=remove dst=/etc/single
    [ -z "$(jail_mount_opts ${P}l /etc/single)" ]
}

@test "a live add that fails in the running jail records nothing" {
    jail_up jname=${P}f exec_start=true
    ok brig jexec jname=${P}f -- sh -c 'echo mine > /etc/keep'
    local before
    before=$(db_dump)
    run brig jfstab jname=${P}f action=add src="$S" dst=/etc/keep
    [ "$status" -eq 1 ]
    output_has "/etc/keep: not a directory in the jail"
    same "$(db_dump)" "$before" "the database"
    run brig jfstab jname=${P}f action=add src="$S" dst=/etc/keep/sub
    [ "$status" -eq 1 ]
    output_has "Not a directory"
    same "$(db_dump)" "$before" "the database"
    ok brig jexec jname=${P}f -- cat /etc/keep
    same "$output" "mine" "the jail's file"
}

@test "a symlink put in place of src after add is refused at jstart" {
    mkdir "$S/sub"
    ok brig jcreate jname=${P}y exec_start=true
    ok brig jfstab jname=${P}y action=add src="$S/sub" dst=/srv/in
    rmdir "$S/sub"
    ln -s /etc "$S/sub"
    run brig jstart jname=${P}y
    [ "$status" -eq 1 ]
    output_has "fstab: $S/sub: a symbolic link is on its path now"
    same "$(jstatus ${P}y)" "stopped" "status"
    assert_nothing_left "after the refused start"
}

@test "a symlink planted by jail root cannot send dst onto a host path" {
    echo planted > "$S/f"
    jail_up jname=${P}h exec_start=true
    ok brig jexec jname=${P}h -- sh -c 'rm -rf /mnt /hop /pp && ln -s / /mnt && ln -s /etc /hop && ln -s /proc /pp'
    local before
    before=$(awk '{ print $5 }' /proc/self/mountinfo | sort)
    ok brig jfstab jname=${P}h action=add src="$S" dst=/mnt/brigx
    ok brig jfstab jname=${P}h action=add src="$S" dst=/hop/brigy
    same "$(awk '{ print $5 }' /proc/self/mountinfo | sort)" "$before" "the host's mounts"
    [ ! -e /brigx ] && [ ! -e /etc/brigy ]
    ok brig jexec jname=${P}h -- cat /brigx/f /etc/brigy/f
    same "$output" "planted
planted" "both inside the jail's root"
    run brig jfstab jname=${P}h action=add src="$S" dst=/pp/brigz
    [ "$status" -eq 1 ]
    output_has "inside the jail's /proc or /sys"
    ok brig jfstab jname=${P}h
    output_lacks "/pp/brigz"
    # the same at the next start, through the jail's own symlinks in its root
    ok brig jstop jname=${P}h
    ok brig jstart jname=${P}h
    same "$(awk '{ print $5 }' /proc/self/mountinfo | grep -c -e '^/brigx$' -e '^/etc/brigy$')" 0 \
        "host mounts at the targets"
    [ ! -e /brigx ] && [ ! -e /etc/brigy ]
    ok brig jexec jname=${P}h -- cat /brigx/f
    same "$output" "planted" "inside the jail after a restart"
}

@test "jail root cannot make a setuid-root file for the host through the mount" {
    jail_up jname=${P}s exec_start=true
    local id
    id=$(idmap_of ${P}s)
    chown "$id:$id" "$S"
    ok brig jfstab jname=${P}s action=add src="$S" dst=/x
    ok brig jexec jname=${P}s -- sh -c 'cp /bin/busybox /x/sh && chown 0:0 /x/sh && chmod 4755 /x/sh'
    same "$(stat -c '%u %g' "$S/sh")" "$id $id" "the host owner of the jail's setuid file"
    local o
    o=",$(jail_mount_opts ${P}s /x),"
    [[ "$o" == *,nosuid,* ]] && [[ "$o" == *,nodev,* ]]
    run brig jexec jname=${P}s -- mount -o remount,suid /x
    [ "$status" -ne 0 ]
}

@test "jfstab refuses bad input and changes nothing" {
    ok brig jcreate jname=${P}b
    touch "$BATS_TEST_TMPDIR/fifo.not" && rm "$BATS_TEST_TMPDIR/fifo.not" && mkfifo "$BATS_TEST_TMPDIR/fifo"
    assert_rejected 2 "src=rel: an absolute host path is needed" brig jfstab jname=${P}b action=add src=rel dst=/a
    assert_rejected 2 "src=/nonexistent/x: No such file or directory" \
        brig jfstab jname=${P}b action=add src=/nonexistent/x dst=/a
    assert_rejected 2 "not a directory or a regular file" \
        brig jfstab jname=${P}b action=add src="$BATS_TEST_TMPDIR/fifo" dst=/a
    assert_rejected 2 "dst=a: an absolute path in the jail is needed" \
        brig jfstab jname=${P}b action=add src="$S" dst=a
    assert_rejected 2 "no '.' or '..' in it" brig jfstab jname=${P}b action=add src="$S" dst=/a/../../etc
    assert_rejected 2 "not the jail's root itself" brig jfstab jname=${P}b action=add src="$S" dst=//
    assert_rejected 2 "the jail's /proc is its own" brig jfstab jname=${P}b action=add src="$S" dst=/proc/x
    assert_rejected 2 "the jail's /dev is its own" brig jfstab jname=${P}b action=add src="$S" dst=/dev
    assert_rejected 2 "src= is required" brig jfstab jname=${P}b action=add dst=/a
    assert_rejected 2 "is not one of list, add, remove, import" brig jfstab jname=${P}b action=mount
    assert_rejected 2 "ro" brig jfstab jname=${P}b action=add src="$S" dst=/a ro=maybe
    assert_rejected 2 "nope" brig jfstab jname=nope action=add src="$S" dst=/a
    ok brig jfstab jname=${P}b --json
    same "$output" "[]" "nothing recorded"
}

@test "jfstab import reads a CBSD fstab file, all or nothing" {
    mkdir -p "$S/a" "$S/b"
    ok brig jcreate jname=${P}i exec_start=true
    cat > "$BATS_TEST_TMPDIR/fstab" <<EOT
# from CBSD's jails-fstab
$S/a /usr/home/a nullfs rw 0 0

$S/b	/opt/b	nullfs	ro	0	0  # read-only
EOT
    ok brig jfstab jname=${P}i action=import file="$BATS_TEST_TMPDIR/fstab"
    same "$output" "${P}i: 2 entries added from $BATS_TEST_TMPDIR/fstab" "import output"
    ok brig jfstab jname=${P}i --json
    same "$(jq -r '.[] | "\(.src) \(.dst) \(.options)"' <<<"$output")" "$S/b /opt/b ro
$S/a /usr/home/a rw" "imported rows"
    touch "$S/b/seen"
    ok brig jstart jname=${P}i
    ok brig jexec jname=${P}i -- ls /opt/b
    same "$output" "seen" "the imported directory in the jail"
    printf '%s\n' "$S/a /c nullfs rw 0 0" "proc /proc procfs rw 0 0" > "$BATS_TEST_TMPDIR/bad"
    assert_rejected 2 "line 2: type procfs: only nullfs" \
        brig jfstab jname=${P}i action=import file="$BATS_TEST_TMPDIR/bad"
    printf '%s\n' "$S/a /d nullfs rw,noexec 0 0" > "$BATS_TEST_TMPDIR/bad2"
    assert_rejected 2 "line 1: option noexec" brig jfstab jname=${P}i action=import file="$BATS_TEST_TMPDIR/bad2"
    assert_rejected 2 "No such file" brig jfstab jname=${P}i action=import file="$BATS_TEST_TMPDIR/none"
    printf '# nothing\n' > "$BATS_TEST_TMPDIR/empty"
    ok brig jfstab jname=${P}i action=import file="$BATS_TEST_TMPDIR/empty"
    has_line "${P}i: $BATS_TEST_TMPDIR/empty has no entries: nothing to add"
}

@test "thick jails and host root's jails (userns=0) get their directories too, and leave no mount" {
    echo both > "$S/f"
    local j
    for j in "${P}k baserw=1" "${P}z userns=0"; do
        set -- $j
        ok brig jcreate jname=$1 "$2" exec_start=true
        ok brig jfstab jname=$1 action=add src="$S" dst=/srv/in
        ok brig jstart jname=$1
        ok brig jexec jname=$1 -- cat /srv/in/f
        same "$output" "both" "$1: the file in the jail"
        ok brig jstop jname=$1
    done
    assert_nothing_left "after jstop"
}

@test "a host directory gone at jstart fails the start and leaves nothing" {
    ok brig jcreate jname=${P}g exec_start=true
    ok brig jcreate jname=${P}h userns=0 exec_start=true
    ok brig jfstab jname=${P}g action=add src="$S" dst=/srv/in
    ok brig jfstab jname=${P}h action=add src="$S" dst=/srv/in
    rmdir "$S"
    run brig jstart jname=${P}g
    [ "$status" -eq 1 ]
    output_has "fstab: $S: No such file or directory"
    run brig jstart jname=${P}h
    [ "$status" -eq 1 ]
    output_has "fstab: $S: No such file or directory"
    same "$(jstatus ${P}g) $(jstatus ${P}h)" "stopped stopped" "status"
    assert_nothing_left "after the failed starts"
}

@test "a jail with allow_mount=1 cannot make a ro=1 directory writable: the combination is refused" {
    echo keep > "$S/f"
    ok brig jcreate jname=${P}m exec_start=true allow_mount=1
    chown "$(idmap_of ${P}m)" "$S" "$S/f"
    local before
    before=$(db_dump)
    run brig jfstab jname=${P}m action=add src="$S" dst=/data ro=1
    if [ "$status" -eq 0 ]; then
        # what a jail root with mount rights would do to the read-only bind
        ok brig jstart jname=${P}m
        run brig jexec jname=${P}m -- sh -c 'mount -o remount,rw,bind /data; echo x > /data/f'
        same "$(cat "$S/f")" "keep" "the host file after the jail's remount"
        return 1
    fi
    same "$status" 2 "exit status of jfstab add"
    same "${#lines[@]}" 1 "lines: $output"
    output_has "allow_mount=1"
    same "$(db_dump)" "$before" "database"
    # nor the other way round: allow_mount=1 on a jail that has a ro=1 directory
    ok brig jcreate jname=${P}n exec_start=true
    ok brig jfstab jname=${P}n action=add src="$S" dst=/data ro=1
    before=$(db_dump)
    run brig jset jname=${P}n allow_mount=1
    same "$status" 2 "exit status of jset"
    output_has "ro=1"
    same "$(db_dump)" "$before" "database"
    # a writable directory is no such risk
    ok brig jfstab jname=${P}m action=add src="$S" dst=/rw
}
