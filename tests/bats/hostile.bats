#!/usr/bin/env bats
# What a hostile jail root cannot do to the host or to brig: its own init
# system's delegated cgroup, the files brig writes into the jail, the console
# copier.

load lifecycle_helper

setup() {
    life_setup
}

# Before the teardown's own: a jail's cgroups nested past PATH_MAX, which
# rmdir by path cannot reach, and their processes.
teardown() {
    local d
    for d in /sys/fs/cgroup/unified/brig/"$(node_id)"/${P}* /sys/fs/cgroup/brig/"$(node_id)"/${P}*; do
        [ -d "$d" ] || continue
        echo 1 >"$d/cgroup.kill" 2>/dev/null || true
        sleep 0.2
        find "$d" -mindepth 1 -depth -type d -execdir rmdir {} + 2>/dev/null || true
    done
    life_teardown
}

# An init of the jail's own (exec_init) that runs the script given, then waits.
init_script() {
    mkdir -p "$W/basejail/busybox/sbin"
    printf '#!/bin/sh\n%s\nexec sleep 100000\n' "$1" >"$W/basejail/busybox/sbin/hostile-init"
    chmod 755 "$W/basejail/busybox/sbin/hostile-init"
}

# The v2 cgroup of jail $1 as the host sees it.
cg2_leaf() {
    local d
    for d in "/sys/fs/cgroup/unified/brig/$(node_id)/$1" "/sys/fs/cgroup/brig/$(node_id)/$1"; do
        [ -d "$d" ] && {
            echo "$d"
            return 0
        }
    done
    return 1
}

@test "jail root cannot raise its own limits or leave its cgroup through the delegated cgroup" {
    init_script ''
    jail_up jname=${P}h ip4_addr=0 exec_init=/sbin/hostile-init maxproc=30 memoryuse=64m
    local leaf
    leaf=$(cg2_leaf ${P}h)
    # what the init system may change: its own cgroups below the jail's
    ok brig jexec jname=${P}h -- sh -c 'mkdir /sys/fs/cgroup/svc && echo $$ >/sys/fs/cgroup/svc/cgroup.procs && grep "^0::" /proc/self/cgroup'
    same "$output" "0::/svc" "a process the init system moved"
    # what it may not: the files of the jail's cgroup that bound it
    run brig jexec jname=${P}h -- sh -c 'cd /sys/fs/cgroup || exit 1
        for f in pids.max memory.max memory.swap.max cpu.max cgroup.max.depth cgroup.max.descendants cgroup.freeze cgroup.kill; do
            [ -e $f ] || continue
            if echo max >$f 2>/dev/null; then echo "wrote $f"; else echo "refused $f"; fi
            chmod 666 $f 2>/dev/null && echo "chmod $f"
        done
        echo $$ >/sys/fs/cgroup/../cgroup.procs; grep "^0::" /proc/self/cgroup
        mount -t cgroup2 none /mnt 2>/dev/null && echo "mounted cgroup2"
        mount -t cgroup -o pids,memory none /mnt 2>/dev/null && echo "mounted cgroup v1"
        true'
    output_has "refused cgroup.max.depth"
    output_lacks "wrote"
    output_lacks "chmod"
    output_lacks "mounted"
    has_line "0::/"
    # and the host's view: the limits are brig's, the depth bounded
    same "$(cat "$leaf/cgroup.max.depth")" 32 "cgroup.max.depth of the jail's cgroup"
    # the limits still hold: a memory hog is killed, a fork bomb stops at maxproc
    run brig jexec jname=${P}h -- sh -c 'x=$(head -c 200m /dev/zero | tr "\0" a); echo ${#x}'
    same "$status" 137 "exit status of the memory hog (SIGKILL)"
    run brig jexec jname=${P}h -- sh -c 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done 2>&1 | head -1'
    output_has "fork"
    ok brig jstop jname=${P}h
    ! cg2_leaf ${P}h
}

@test "jail root cannot nest its cgroups more than 32 deep" {
    init_script ''
    jail_up jname=${P}h ip4_addr=0 exec_init=/sbin/hostile-init
    ok brig jexec jname=${P}h -- sh -c 'cd /sys/fs/cgroup; i=0
        while [ $i -lt 40 ] && mkdir d 2>/dev/null && cd d; do i=$((i+1)); done; echo $i'
    same "$output" 32 "levels made below the jail's cgroup"
}

@test "jstop removes a jail whose init nested its cgroups past the longest path, with processes in them, one frozen" {
    init_script ''
    jail_up jname=${P}h ip4_addr=0 exec_init=/sbin/hostile-init
    # names as long as a name may be, then shorter, until the jail's own
    # path is nearly PATH_MAX: the host's, longer by brig/<node>/<jname>, is past it
    ok brig jexec jname=${P}h -- sh -c 'cd /sys/fs/cgroup; n=$(printf "%0255d" 0)
        while [ ${#n} -gt 0 ]; do
            while mkdir $n 2>/dev/null && cd $n 2>/dev/null; do :; done
            n=${n%?}
        done
        sleep 100000 </dev/null >/dev/null 2>&1 & echo $! >cgroup.procs
        mkdir /sys/fs/cgroup/fz
        sleep 100000 </dev/null >/dev/null 2>&1 & echo $! >/sys/fs/cgroup/fz/cgroup.procs
        echo 1 >/sys/fs/cgroup/fz/cgroup.freeze && pwd | wc -c'
    [ "${output##*$'\n'}" -gt 4000 ]
    ok brig jstop jname=${P}h
    ! cg2_leaf ${P}h
    same "$(count_inits)" 0 "inits left"
    ok brig jstart jname=${P}h
    ok brig jstop jname=${P}h
}

@test "links and FIFOs jail root leaves for resolv.conf, hosts and hostname make brig write nothing outside the jail" {
    init_script ''
    echo host-resolv >"$W/host-resolv"
    echo host-hosts >"$W/host-hosts"
    echo host-name >"$W/host-name"
    jail_up jname=${P}r ip4_addr=0 jnameserver=192.0.2.9 host_hostname=r.example exec_init=/sbin/hostile-init
    # links to the host's paths (which inside are the jail's own), and a FIFO
    ok brig jexec jname=${P}r -- sh -c "ln -sf $W/host-resolv /etc/resolv.conf &&
        ln -sf $W/host-hosts /etc/hosts && rm -f /etc/hostname && mkfifo /etc/hostname"
    ok brig jstop jname=${P}r
    run timeout 30 "$BRIG_BIN" jstart jname=${P}r
    same "$status" 0 "jstart: $output"
    same "$(cat "$W/host-resolv")" host-resolv "the host's file the resolv.conf link named"
    same "$(cat "$W/host-hosts")" host-hosts "the host's file the hosts link named"
    same "$(cat "$W/host-name")" host-name "the host's file"
    ok brig jexec jname=${P}r -- sh -c '[ -f /etc/resolv.conf ] && [ ! -L /etc/resolv.conf ] && cat /etc/resolv.conf /etc/hostname'
    has_line "nameserver 192.0.2.9"
    has_line "r.example"
    # /etc itself a link out of the jail
    ok brig jexec jname=${P}r -- sh -c "mv /etc /etc.real && ln -s $W /etc"
    ok brig jstop jname=${P}r
    run timeout 30 "$BRIG_BIN" jstart jname=${P}r
    [ ! -e "$W/resolv.conf" ] && [ ! -e "$W/hosts" ] && [ ! -e "$W/hostname" ]
}



@test "nodeip6pool and bridge names that would carry more dnsmasq options are refused" {
    local v
    cp "$W/etc/brig.conf" "$BATS_TEST_TMPDIR/brig.conf"
    for v in 'fd00::/64,ra-names' 'fd00::/64 --dhcp-script=/bin/sh' '--dhcp-script=/bin/sh'; do
        cp "$BATS_TEST_TMPDIR/brig.conf" "$W/etc/brig.conf"
        echo "nodeip6pool=\"$v\";" >>"$W/etc/brig.conf"
        run brig jls
        same "$status" 2 "jls with nodeip6pool=$v: $output"
        output_has "nodeip6pool"
    done
    cp "$BATS_TEST_TMPDIR/brig.conf" "$W/etc/brig.conf"
    for v in 'br0,x' 'br0 --x' '--dhcp-script=/x'; do
        assert_rejected 2 "interface name" brig bridge action=create name="$v" addr=10.77.0.1/24
    done
}

@test "an init system of the jail's own holds no file of the host: what it writes reaches the console log through the console" {
    init_script 'echo boot-line; echo boot-error >&2'
    jail_up jname=${P}c ip4_addr=0 exec_init=/sbin/hostile-init
    ok brig jexec jname=${P}c -- sh -c 'for f in /proc/1/fd/*; do readlink $f; done'
    output_lacks "$W"
    output_lacks "console.log"
    local i=0
    until grep -q boot-error "$W/jails-system/${P}c/console.log" || [ $i -ge 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    grep -q boot-line "$W/jails-system/${P}c/console.log"
    grep -q boot-error "$W/jails-system/${P}c/console.log"
}
