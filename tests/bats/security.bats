#!/usr/bin/env bats
# What root inside a jail cannot do: see or touch the host's processes, mount,
# make devices, load modules, change kernel settings, leave its root, open
# raw sockets (unless allowed). What it can: become another user of the jail.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# Start jail $1 with ip4_addr=0, exec_start=true and the given parameters.
up() {
    local jn=$1
    shift
    jail_up jname="$jn" ip4_addr=0 exec_start=true exec_stop=true "$@"
}

# Run a command in the jail and fail unless it fails, showing its output.
denied() {
    run brig jexec "$@"
    if [ "$status" -eq 0 ]; then
        echo "allowed in the jail: $* -> $output" >&2
        return 1
    fi
}

@test "a jail sees only its own processes" {
    up ${P}sc1
    sleep 1000 &
    local host_sleep=$!
    ok brig jexec jname=${P}sc1 -- ps -o pid=,comm=
    kill "$host_sleep"
    same "${#lines[@]}" 3 "processes visible (the init, its console logger and ps): $output"
    output_has "brig-init"
    output_has "brig-log"
    output_lacks sleep
    output_lacks bats
    # kill -1 from inside reaches nothing outside
    sleep 1000 &
    host_sleep=$!
    run brig jexec jname=${P}sc1 -- kill -9 -1
    kill -0 "$host_sleep"
    kill "$host_sleep"
    same "$(jstatus ${P}sc1)" running "the jail after kill -9 -1 inside"
}

@test "the jail init's fds, environment, root and cwd are not readable from inside" {
    up ${P}sc1
    denied jname=${P}sc1 -- readlink /proc/1/fd/0
    denied jname=${P}sc1 -- cat /proc/1/environ
    denied jname=${P}sc1 -- ls /proc/1/root/
    denied jname=${P}sc1 -- ls /proc/1/cwd/
}

@test "the jail's init keeps no shared mapping of the host's files, such as the state database" {
    up ${P}sc1
    local pid maps
    pid=$(jpid ${P}sc1)
    maps=$(cat /proc/"$pid"/maps)
    case "$maps" in
    *local.sqlite*) echo "init maps the database: $maps" >&2; return 1 ;;
    esac
    same "$(awk '$2 ~ /s$/' /proc/"$pid"/maps | wc -l)" 0 "shared mappings of the init"
}

@test "mount fails with allow_mount=0 and works (inside the jail only) with allow_mount=1" {
    up ${P}sc1
    denied jname=${P}sc1 -- mount -t tmpfs none /mnt
    denied jname=${P}sc1 -- umount /proc
    denied jname=${P}sc1 -- unshare -r -m true
    up ${P}sc2 allow_mount=1
    local before
    before=$(count_all_mounts)
    ok brig jexec jname=${P}sc2 -- sh -c 'mount -t tmpfs none /mnt && grep " /mnt " /proc/mounts'
    output_has tmpfs
    same "$(count_all_mounts)" "$before" "host mount table"
}

@test "hidden devices cannot be made or opened" {
    up ${P}sc1
    denied jname=${P}sc1 -- mknod /tmp/mem c 1 1
    denied jname=${P}sc1 -- mknod /tmp/sda b 8 0
    denied jname=${P}sc1 -- ls /dev/mem
    denied jname=${P}sc1 -- ls /dev/kmsg
    ok brig jexec jname=${P}sc1 -- ls /dev
    output_lacks sda
    ok brig jexec jname=${P}sc1 -- sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c'
    same "$output" 4 "the usual devices work"
}

@test "kernel modules cannot be loaded" {
    up ${P}sc1
    ok brig jexec jname=${P}sc1 -- sh -c 'printf "\177ELF junk" >/tmp/fake.ko'
    denied jname=${P}sc1 -- insmod /tmp/fake.ko
    output_has "Operation not permitted"
    denied jname=${P}sc1 -- modprobe dummy
}

@test "kernel settings cannot be changed from inside" {
    up ${P}sc1
    local host_name
    host_name=$(hostname)
    denied jname=${P}sc1 -- sysctl -w kernel.hostname=evil
    denied jname=${P}sc1 -- sh -c 'echo evil >/proc/sys/kernel/hostname'
    denied jname=${P}sc1 -- sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
    denied jname=${P}sc1 -- sh -c 'echo b >/proc/sysrq-trigger'
    denied jname=${P}sc1 -- hostname evil
    denied jname=${P}sc1 -- dmesg -c
    same "$(hostname)" "$host_name" "host name"
    ok brig jexec jname=${P}sc1 -- hostname
    same "$output" ${P}sc1.my.domain "the jail's host name"
}

@test "the jail's root is its /: .. and chroot stay inside" {
    up ${P}sc1
    ok brig jexec jname=${P}sc1 -- sh -c 'cd /../../../..; pwd; ls'
    has_line /
    has_line etc
    output_lacks work
    ok brig jexec jname=${P}sc1 -- sh -c \
        'mkdir -p /tmp/c/bin && cp /bin/busybox /tmp/c/bin/ && ln -sf busybox /tmp/c/bin/sh &&
         chroot /tmp/c /bin/sh -c "cd ../../../..; /bin/busybox ls /"'
    same "$output" bin "what chroot+.. shows"
    ok brig jexec jname=${P}sc1 -- ls /sys
    same "$output" "" "/sys in the jail"
}

@test "raw sockets fail with allow_raw_sockets=0 and work with allow_raw_sockets=1" {
    # busybox's ping opens only raw sockets (the base's /bin/ping needs none)
    up ${P}sc1
    denied jname=${P}sc1 -- busybox ping -c1 -W1 127.0.0.1
    denied jname=${P}sc1 -- arping -c1 -w1 -I lo 127.0.0.1
    output_has "Operation not permitted"
    up ${P}sc2 allow_raw_sockets=1
    ok brig jexec jname=${P}sc2 -- busybox ping -c1 -W2 127.0.0.1
    output_has "1 packets received"
}

@test "setuid works inside: root becomes nobody, nobody cannot read root's files" {
    up ${P}sc1
    ok brig jexec jname=${P}sc1 -- su nobody -s /bin/sh -c id
    output_has "uid=65534(nobody)"
    denied jname=${P}sc1 -- su nobody -s /bin/sh -c 'cat /etc/shadow'
    ok brig jexec jname=${P}sc1 -- su nobody -s /bin/sh -c 'echo x >/tmp/by-nobody; stat -c %U /tmp/by-nobody'
    same "$output" nobody "owner of a file nobody made"
}

@test "root inside is not the host's root: the dangerous capabilities are gone, seccomp is on" {
    up ${P}sc1
    ok brig jexec jname=${P}sc1 -- grep -E '^(CapBnd|CapEff|Seccomp):' /proc/self/status
    local bnd
    bnd=$(awk '/^CapBnd:/ { print $2 }' <<<"$output")
    local cap
    # CAP_NET_ADMIN 12, CAP_SYS_MODULE 16, CAP_SYS_RAWIO 17, CAP_SYS_PTRACE 19,
    # CAP_SYS_ADMIN 21, CAP_SYS_BOOT 22, CAP_SYS_TIME 25, CAP_MKNOD 27, CAP_SYSLOG 34
    for cap in 12 16 17 19 21 22 25 27 34; do
        if (((0x$bnd >> cap) & 1)); then
            echo "capability $cap in the jail's bounding set $bnd" >&2
            return 1
        fi
    done
    has_line "Seccomp:	2"
    # the jail's root cannot write outside its root or into the base
    denied jname=${P}sc1 -- sh -c 'echo x >/proc/1/root/evil'
    ok brig jexec jname=${P}sc1 -- sh -c 'echo x >/etc/evil'
    [ ! -e "$W/basejail/busybox/etc/evil" ]
}

# Run a command as the host's nobody (uid and gid 65534, no groups), through a
# shell: setpriv's own exec still holds root's capabilities.
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups -- /bin/sh -c '"$@"' sh "$@"
}

# Let every user walk down to the workdir, as to /var/lib/brig on a host.
open_parents() {
    local d=$W
    while d=$(dirname "$d") && [ "$d" != / ]; do chmod o+x "$d"; done
}

@test "a setuid program jail root plants cannot be reached by another host user" {
    open_parents
    up ${P}su1
    ok brig jexec jname=${P}su1 -- sh -c 'cp /bin/busybox /suid && chmod 4755 /suid'
    local planted=$W/jails-data/${P}su1-data/upper/suid
    [ -u "$planted" ]
    run as_nobody "$planted" id -u
    [ "$status" -ne 0 ] || {
        echo "nobody ran the planted program: $output" >&2
        return 1
    }
    output_has "Permission denied"
    run as_nobody "$W/jails/${P}su1/suid" id -u
    [ "$status" -ne 0 ] || {
        echo "nobody ran it through the jail's root: $output" >&2
        return 1
    }
    output_has "Permission denied"
    local d
    for d in jails jails-data jails-system basejail var "jails-data/${P}su1-data"; do
        run as_nobody ls "$W/$d"
        [ "$status" -ne 0 ] || {
            echo "nobody lists $d: $output" >&2
            return 1
        }
    done
    same "$(stat -c %a "$W")" 711 "mode of the workdir"
}

@test "initenv mends an older workdir's modes" {
    ok brig jcreate jname=${P}su2 ip4_addr=0
    chmod 0755 "$W" "$W/jails-data" "$W/jails-data/${P}su2-data" "$W/var"
    ok brig initenv
    same "$(stat -c %a "$W" "$W/jails-data" "$W/jails-data/${P}su2-data" "$W/var" | tr '\n' ' ')" \
        "711 700 700 700 " "modes after initenv"
}
