#!/usr/bin/env bats
# A jail on a Debian base starts with its defaults: jcreate reads the base's
# own start and stop (systemd as the jail's pid 1), systemd boots in the
# jail's user namespace with a cgroup of its own, services are enabled and
# reached, jexec and jlogin work, and jstop halts it within stop_timeout.
#
# The Debian base is a cached root file system, found in this order:
#   $BRIG_DEBIAN_BASE    a Debian root directory, or a tarball of one
#   ${BRIG_FIXTURES:-build/fixtures}/debian12/basejail/debian12
#                        the base tests/fixtures/debian-base.sh makes once
#                        (debootstrap from the host's mirror)
# The tests that need it skip, saying so, when neither is there; each test
# binds it read-only as its workdir's base "debian". A Debian root with
# sysvinit instead of systemd (debootstrap --include=sysvinit-core,sysv-rc)
# in $BRIG_DEBIAN_SYSV_BASE runs the test of the SysV rc scripts.

load vnet_helper

# The cached Debian root (a directory), or nothing.
debian_base_src() {
    local fixtures=${BRIG_FIXTURES:-$BATS_TEST_DIRNAME/../../build/fixtures} cand
    for cand in "${BRIG_DEBIAN_BASE:-}" "$fixtures/debian12/basejail/debian12"; do
        [ -n "$cand" ] || continue
        if [ -d "$cand" ] && [ -e "$cand/etc/debian_version" ]; then
            echo "$cand"
            return 0
        fi
        if [ -f "$cand" ]; then
            # a tarball: unpacked once per run, shared read-only by the tests
            local dir="$BATS_RUN_TMPDIR/debian-base"
            if [ ! -e "$dir/etc/debian_version" ]; then
                mkdir -p "$dir" && tar -xf "$cand" -C "$dir" --numeric-owner || return 1
            fi
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# The Debian base as this workdir's base "debian": a read-only bind of the
# cached root (the test's mount namespace is private; teardown unmounts it).
need_debian_base() {
    local src
    src=$(debian_base_src) || skip "no cached Debian base: run tests/fixtures/debian-base.sh build, or set BRIG_DEBIAN_BASE to a Debian root (directory or tarball)"
    mkdir -p "$W/basejail/debian"
    mount --bind "$src" "$W/basejail/debian"
    mount -o remount,bind,ro "$W/basejail/debian"
}

setup() {
    vnet_setup
}

teardown() {
    vnet_teardown
}

# Start Debian jail $1 (vnet, static address $2, more parameters after) and
# wait until systemd has finished booting; its state is in $output.
debian_up() {
    local j=$1 ip=$2
    shift 2
    jail_up jname="$j" base=debian vnet=1 ip4_addr="$ip/16" "$@"
    # systemctl answers once systemd listens on /run/systemd/private
    run "$BRIG_BIN" jexec jname="$j" -- sh -c \
        'i=0; until [ -S /run/systemd/private ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done
         timeout 60 systemctl is-system-running --wait'
}

@test "jcreate on a Debian base takes its start and stop: systemd as the jail's pid 1" {
    need_debian_base
    ok brig jcreate jname=${P}d base=debian
    same "$(jparam ${P}d exec_init)" /sbin/init "exec_init"
    same "$(jparam ${P}d stop_signal)" SIGRTMIN+3 "stop_signal"
    same "$(jparam ${P}d exec_start)" "" "exec_start"
    same "$(jparam ${P}d exec_stop)" "" "exec_stop"
}

@test "jcreate on the busybox base keeps brig's /etc/rc" {
    ok brig jcreate jname=${P}b
    same "$(jparam ${P}b exec_start)" "/bin/sh /etc/rc" "exec_start"
    same "$(jparam ${P}b exec_stop)" "/bin/sh /etc/rc.shutdown" "exec_stop"
    same "$(jparam ${P}b exec_init)" "" "exec_init"
    same "$(jparam ${P}b stop_signal)" SIGTERM "stop_signal"
}

@test "a start or stop given at jcreate is kept over the base's" {
    need_debian_base
    ok brig jcreate jname=${P}d base=debian exec_start='/bin/sleep 1'
    same "$(jparam ${P}d exec_start)" "/bin/sleep 1" "exec_start"
    same "$(jparam ${P}d exec_init)" "" "exec_init"
    same "$(jparam ${P}d stop_signal)" SIGTERM "stop_signal"
}

@test "exec_init and stop_signal refuse what is not a program or a stop signal" {
    assert_rejected 2 "exec_init: 'sbin/init' is not an absolute path to a program" \
        brig jcreate jname=${P}x exec_init=sbin/init
    assert_rejected 2 "exec_init" brig jcreate jname=${P}x "exec_init=/sbin/init --debug"
    assert_rejected 2 "stop_signal: 'SIGKILL' is not one of the choices" \
        brig jcreate jname=${P}x stop_signal=SIGKILL
}

@test "jstart says so when exec_init is not a program of the jail" {
    ok brig jcreate jname=${P}b ip4_addr=0 exec_init=/sbin/no-such-init
    run brig jstart jname=${P}b
    same "$status" 1 "exit status: $output"
    output_has "exec_init /sbin/no-such-init: No such file or directory"
    same "$(jstatus ${P}b)" stopped "status after the failed start"
    ok brig jset jname=${P}b exec_init=/etc
    run brig jstart jname=${P}b
    same "$status" 1 "exit status: $output"
    output_has "exec_init /etc: not a program"
    ok brig jset jname=${P}b exec_init=/etc/passwd
    run brig jstart jname=${P}b
    same "$status" 1 "exit status: $output"
    output_has "exec_init /etc/passwd: Permission denied"
    same "$(jstatus ${P}b)" stopped "status after the failed starts"
}

@test "a Debian jail boots systemd as its pid 1 to running, user-namespaced" {
    need_debian_base
    debian_up ${P}d 10.199.0.41
    if [ "$output" != running ]; then
        "$BRIG_BIN" jexec jname=${P}d -- systemctl --failed --no-pager --full >&2 || true
    fi
    same "$output" running "systemctl is-system-running"
    run brig jexec jname=${P}d -- cat /proc/1/comm
    same "$output" systemd "pid 1"
    run brig jexec jname=${P}d -- systemd-detect-virt --container
    same "$output" container-other "what systemd sees"
    # jail root is an unprivileged host id, and systemd owns the jail's cgroup
    run brig jexec jname=${P}d -- cat /proc/self/uid_map
    output_has "65536"
    run brig jexec jname=${P}d -- cat /proc/1/cgroup
    output_has "0::/init.scope"
    run brig jexec jname=${P}d -- findmnt -no FSTYPE,OPTIONS /sys
    output_has "sysfs"
    output_has "ro,"
    # the base's /etc/hostname names the host it was built on, not the jail
    run brig jexec jname=${P}d -- cat /etc/hostname
    same "$output" "${P}d.my.domain" "/etc/hostname"
}

@test "with allow_mount=1 a Debian jail's services get systemd's sandboxing, and keep the jail's host name" {
    need_debian_base
    debian_up ${P}d 10.199.0.46 allow_mount=1
    same "$output" running "systemctl is-system-running"
    run brig jexec jname=${P}d -- hostname
    same "$output" "${P}d.my.domain" "the host name systemd set from /etc/hostname"
    ok brig jexec jname=${P}d -- sh -c 'cat >/etc/systemd/system/pt.service <<EOF
[Service]
Type=oneshot
RemainAfterExit=yes
PrivateTmp=yes
ProtectSystem=strict
ExecStart=/usr/bin/findmnt -no TARGET /tmp
StandardOutput=file:/run/pt.out
EOF
systemctl daemon-reload && systemctl start pt.service'
    run brig jexec jname=${P}d -- cat /run/pt.out
    same "$output" /tmp "a private /tmp of the service"
}

@test "a service enabled in a Debian jail answers from the host" {
    need_debian_base
    debian_up ${P}d 10.199.0.42
    same "$output" running "systemctl is-system-running"
    # a socket-activated service: systemd itself listens, no package needed
    ok brig jexec jname=${P}d -- sh -c 'cat >/etc/systemd/system/hello.socket <<EOF
[Socket]
ListenStream=7777
Accept=yes
[Install]
WantedBy=sockets.target
EOF
cat >/etc/systemd/system/hello@.service <<EOF
[Service]
ExecStart=/bin/echo hello from %H
StandardInput=socket
EOF
systemctl daemon-reload && systemctl enable --now hello.socket'
    run brig jexec jname=${P}d -- systemctl is-enabled hello.socket
    same "$output" enabled "hello.socket"
    run timeout 10 bash -c 'exec 3<>/dev/tcp/10.199.0.42/7777 && cat <&3'
    same "$status" 0 "connect: $output"
    same "$output" "hello from ${P}d.my.domain" "the service's answer"
    run brig jexec jname=${P}d -- systemctl status hello.socket
    output_has "active (listening)"
    run brig jexec jname=${P}d -- service systemd-journald status
    output_has "active (running)"
}

@test "jexec and jlogin work in a Debian jail" {
    need_debian_base
    debian_up ${P}d 10.199.0.43
    run brig jexec jname=${P}d -- id -un
    same "$output" root "jexec as root"
    run brig jexec jname=${P}d user=nobody -- id -un
    same "$output" nobody "jexec as nobody"
    # joined where systemd put its pid 1, not the jail's cgroup it manages
    run brig jexec jname=${P}d -- grep '^0::' /proc/self/cgroup
    same "$output" "0::/init.scope" "jexec's cgroup"
    run bash -c "printf 'echo \$0; id -un; systemctl is-system-running; exit 3\n' | '$BRIG_BIN' jlogin jname=${P}d"
    same "$status" 3 "exit status of the login shell: $output"
    has_line -bash
    has_line root
    has_line running
}

@test "jstop halts systemd within stop_timeout and its units stop cleanly" {
    need_debian_base
    debian_up ${P}d 10.199.0.44 stop_timeout=10
    same "$output" running "systemctl is-system-running"
    # a unit whose stop leaves a mark in the jail's files
    ok brig jexec jname=${P}d -- sh -c 'cat >/etc/systemd/system/mark.service <<EOF
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/rm -f /var/lib/stopped-cleanly
ExecStop=/bin/sh -c "echo stopped >/var/lib/stopped-cleanly"
[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload && systemctl enable --now mark.service'
    local t0 t1
    t0=$(date +%s%N)
    ok brig jstop jname=${P}d
    t1=$(date +%s%N)
    echo "jstop took $(((t1 - t0) / 1000000)) ms" >&3
    [ $(((t1 - t0) / 1000000)) -lt 10000 ] || {
        echo "jstop took $(((t1 - t0) / 1000000)) ms, stop_timeout is 10 s" >&2
        return 1
    }
    same "$(jstatus ${P}d)" stopped "status"
    [ ! -d "/sys/fs/cgroup/unified/brig/$(node_id)/${P}d" ] && [ ! -d "/sys/fs/cgroup/brig/$(node_id)/${P}d" ]
    # the stop ran mark.service's ExecStop: systemd halted, it was not killed
    ok brig jstart jname=${P}d
    run brig jexec jname=${P}d -- cat /var/lib/stopped-cleanly
    same "$output" stopped "what mark.service's stop wrote"
}

@test "jstop kills a Debian jail whose shutdown outlasts stop_timeout" {
    need_debian_base
    debian_up ${P}d 10.199.0.45 stop_timeout=2
    same "$output" running "systemctl is-system-running"
    ok brig jexec jname=${P}d -- sh -c 'cat >/etc/systemd/system/slow.service <<EOF
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/bin/sleep 600
TimeoutStopSec=infinity
[Install]
WantedBy=multi-user.target
EOF
systemctl daemon-reload && systemctl enable --now slow.service'
    local t0 t1
    t0=$(date +%s%N)
    ok brig jstop jname=${P}d
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    [ "$ms" -ge 2000 ] && [ "$ms" -lt 8000 ] || {
        echo "jstop took $ms ms, wanted stop_timeout (2 s) and a little" >&2
        return 1
    }
    same "$(jstatus ${P}d)" stopped "status"
    [ ! -d "/sys/fs/cgroup/unified/brig/$(node_id)/${P}d" ] && [ ! -d "/sys/fs/cgroup/brig/$(node_id)/${P}d" ]
}

@test "a Debian jail boots where cgroup2 alone is mounted at /sys/fs/cgroup, as on a pure v2 host" {
    need_debian_base
    # this host may be hybrid: a mount namespace of the test's shows brig only
    # the cgroup2 hierarchy, at /sys/fs/cgroup (it has no pids controller)
    run unshare --mount --propagation private bash -c '
        umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 99
        "$0" inventory | grep "^cgroup "
        "$0" jcreate jname=$1 base=debian vnet=1 ip4_addr=0 maxproc=0 >/dev/null &&
            "$0" jstart jname=$1 || exit 1
        "$0" jexec jname=$1 -- sh -c "until [ -S /run/systemd/private ]; do sleep 0.1; done
            timeout 60 systemctl is-system-running --wait"
        ls -d /sys/fs/cgroup/brig/*/$1/init.scope
        "$0" jstop jname=$1 || exit 1
        [ ! -e /sys/fs/cgroup/brig/*/$1 ] && echo gone' "$BRIG_BIN" ${P}d
    same "$status" 0 "exit status: $output"
    has_line "cgroup             v2"
    has_line running
    output_has "/${P}d/init.scope"
    has_line gone
}

@test "a Debian base without systemd runs its SysV rc scripts under brig's init" {
    [ -d "${BRIG_DEBIAN_SYSV_BASE:-}" ] || skip "no sysvinit Debian base: set BRIG_DEBIAN_SYSV_BASE to one"
    mkdir -p "$W/basejail/sysv"
    mount --bind "$BRIG_DEBIAN_SYSV_BASE" "$W/basejail/sysv"
    mount -o remount,bind,ro "$W/basejail/sysv"
    ok brig jcreate jname=${P}s base=sysv vnet=1 ip4_addr=0
    same "$(jparam ${P}s exec_start)" "/etc/init.d/rc 2" "exec_start"
    same "$(jparam ${P}s exec_stop)" "/etc/init.d/rc 0" "exec_stop"
    same "$(jparam ${P}s exec_init)" "" "exec_init"
    ok brig jstart jname=${P}s
    run brig jexec jname=${P}s cat /proc/1/comm
    same "$output" brig-init "pid 1"
    ok brig jstop jname=${P}s
    same "$(jstatus ${P}s)" stopped "status"
    run cat "$W/jails-system/${P}s/console.log"
    output_has "boot in runlevel 2"
    output_has "boot in runlevel 0"
}
