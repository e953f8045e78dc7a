#!/usr/bin/env bats
# rctl-style limits on Linux: memoryuse and cpuset through cgroups (v1 on this
# hybrid host), maxproc through the pids controller, openfiles as RLIMIT_NOFILE.

load lifecycle_helper

setup() {
    life_setup
}

teardown() {
    life_teardown
}

# The file of a jail's cgroup in controller $2, in the v1 hierarchy or the v2 one.
cg_file() {
    local f id
    id=$(node_id)
    for f in "/sys/fs/cgroup/$2/brig/$id/$1/$3" "/sys/fs/cgroup/brig/$id/$1/$4" \
        "/sys/fs/cgroup/unified/brig/$id/$1/$4"; do
        [ -e "$f" ] && {
            echo "$f"
            return 0
        }
    done
    echo "no cgroup file $3 / $4 for jail $1" >&2
    return 1
}

@test "memoryuse=64m: the jail's memory cgroup has the limit and a process using more is killed" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true memoryuse=64m
    local f
    f=$(cg_file ${P}lm1 memory memory.limit_in_bytes memory.max)
    same "$(cat "$f")" 67108864 "memory limit in $f"
    # the shell keeps 200 MiB in a variable: more than the jail may use
    run brig jexec jname=${P}lm1 -- sh -c 'x=$(head -c 200m /dev/zero | tr "\0" a); echo ${#x}'
    same "$status" 137 "exit status of the memory hog (SIGKILL)"
    output_lacks 209715200
    # what fits works
    ok brig jexec jname=${P}lm1 -- sh -c 'x=$(head -c 8m /dev/zero | tr "\0" a); echo ${#x}'
    same "$output" 8388608 "8 MiB in a variable"
    same "$(jstatus ${P}lm1)" running "the jail after the kill"
}

@test "without memoryuse the jail has no memory limit of its own" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true
    local f v
    # on a hybrid host brig makes a v1 memory cgroup only for a memory limit
    if [ ! -d /sys/fs/cgroup/memory/brig/$(node_id)/${P}lm1 ] && [ -d /sys/fs/cgroup/unified ]; then
        return 0
    fi
    f=$(cg_file ${P}lm1 memory memory.limit_in_bytes memory.max)
    v=$(cat "$f")
    [ "$v" = max ] || [ "$v" -gt 1000000000000 ] || {
        echo "unexpected limit $v in $f" >&2
        return 1
    }
}

@test "maxproc=5: the jail cannot have more than 5 processes" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true maxproc=5
    local f
    f=$(cg_file ${P}lm1 pids pids.max pids.max)
    same "$(cat "$f")" 5 "pids.max"
    # the init, the jexec'd shell and 3 sleeps make 5: the next fork fails
    run brig jexec jname=${P}lm1 -- sh -c \
        'n=0; for i in 1 2 3 4 5 6; do sleep 30 & n=$((n+1)); done; echo "forked $n"'
    [ "$status" -ne 0 ]
    output_has "can't fork"
    output_lacks "forked 6"
    run brig jexec jname=${P}lm1 -- killall sleep
    ok brig jexec jname=${P}lm1 -- sh -c 'true & wait; echo again'
    output_has again
}

@test "maxproc=50: the jail cannot run 60 sleeping processes" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true maxproc=50
    run brig jexec jname=${P}lm1 -- sh -c \
        'n=0; for i in $(seq 60); do sleep 30 & n=$((n+1)); done; echo "forked $n"'
    output_lacks "forked 60"
    # counted from the host: inside, the jail has no process left to count with
    local f n
    f=$(find /sys/fs/cgroup -path "*/brig/*/${P}lm1/pids.current" | head -n1)
    n=$(cat "$f")
    [ "$n" -le 50 ] || {
        echo "$n processes in a jail of 50" >&2
        return 1
    }
}

@test "a jail without maxproc has pids.max 4096; maxproc=0 lifts the limit" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true
    same "$(jparam ${P}lm1 maxproc)" 4096 "maxproc"
    local f
    f=$(cg_file ${P}lm1 pids pids.max pids.max)
    same "$(cat "$f")" 4096 "pids.max"
    ok brig jstop jname=${P}lm1
    ok brig jset jname=${P}lm1 maxproc=0
    ok brig jstart jname=${P}lm1
    if f=$(cg_file ${P}lm1 pids pids.max pids.max 2>/dev/null); then
        same "$(cat "$f")" max "pids.max with maxproc=0"
    fi
}

@test "openfiles=20: exec_start and what it starts run with 20 open files at most" {
    jail_up jname=${P}lm1 ip4_addr=0 openfiles=20 exec_start='ulimit -n >/root/n; sleep 1000 &'
    same "$(cat "$W/jails-data/${P}lm1-data/upper/root/n")" 20 "ulimit -n in exec_start"
    local pid
    pid=$(pgrep -xf 'sleep 1000')
    grep -Eq '^Max open files +20 +20 ' "/proc/$pid/limits"
}

@test "openfiles=20: ulimit -n in jexec is 20 and opening more fails" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true openfiles=20
    ok brig jexec jname=${P}lm1 -- sh -c 'ulimit -n'
    same "$output" 20 "ulimit -n"
    run brig jexec jname=${P}lm1 -- sh -c 'exec 25</dev/null && echo opened'
    output_lacks opened
}

@test "cpuset: the jail runs on the CPUs it is given" {
    [ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true cpuset=1
    ok brig jexec jname=${P}lm1 -- grep Cpus_allowed_list /proc/self/status
    same "$output" "Cpus_allowed_list:	1" "CPUs inside"
    local f
    f=$(cg_file ${P}lm1 cpuset cpuset.cpus cpuset.cpus)
    same "$(cat "$f")" 1 "cpuset.cpus"
}

@test "pcpu=50 sets a CPU quota of half a CPU" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true pcpu=50
    local q p f
    if f=$(cg_file ${P}lm1 cpu cpu.cfs_quota_us cpu.max 2>/dev/null) && [[ "$f" == *cfs_quota_us ]]; then
        q=$(cat "$f")
        p=$(cat "${f%/*}/cpu.cfs_period_us")
        same "$((q * 100 / p))" 50 "quota in percent"
    else
        read -r q p <"$f"
        same "$((q * 100 / p))" 50 "cpu.max in percent"
    fi
}

@test "bad limits are refused at jcreate and change nothing" {
    assert_rejected 2 "memoryuse" brig jcreate jname=${P}lm1 memoryuse=lots
    assert_rejected 2 "cpuset" brig jcreate jname=${P}lm1 cpuset=x-y
}

@test "the limits go with the jail: its cgroups are removed at jstop" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true memoryuse=64m maxproc=50
    [ "$(count_cgroups)" -gt 0 ]
    ok brig jstop jname=${P}lm1
    assert_nothing_left
}

@test "jset memoryuse and maxproc on a running jail apply at once, and it says so" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true
    local pid
    pid=$(jpid ${P}lm1)
    ok brig jset jname=${P}lm1 memoryuse=64m maxproc=7
    same "$output" "${P}lm1: applied to the running jail: memoryuse=64m maxproc=7" "jset output"
    same "$(jpid ${P}lm1)" "$pid" "init pid (no restart)"
    local f
    f=$(cg_file ${P}lm1 memory memory.limit_in_bytes memory.max)
    same "$(cat "$f")" 67108864 "memory limit in $f"
    grep -qx "$pid" "${f%/*}/cgroup.procs" || {
        echo "init $pid is not in ${f%/*}" >&2
        return 1
    }
    f=$(cg_file ${P}lm1 pids pids.max pids.max)
    same "$(cat "$f")" 7 "pids.max"
    # a process started by jexec afterwards is held by the new limit
    run brig jexec jname=${P}lm1 -- sh -c 'x=$(head -c 200m /dev/zero | tr "\0" a); echo ${#x}'
    same "$status" 137 "exit status of the memory hog (SIGKILL)"
    ok brig jset jname=${P}lm1 memoryuse=0
    local v
    v=$(cat "$(cg_file ${P}lm1 memory memory.limit_in_bytes memory.max)")
    [ "$v" = max ] || [ "$v" -gt 1000000000000 ] || {
        echo "memory limit $v after memoryuse=0" >&2
        return 1
    }
}

@test "jset on a running jail names the changes that apply only at the next start" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true
    ok brig jset jname=${P}lm1 host_hostname=other.example.org pcpu=50
    same "${lines[0]}" "${P}lm1: applied to the running jail: pcpu=50" "line 1"
    same "${lines[1]}" "${P}lm1: applies at the next start (brig jrestart jname=${P}lm1): host_hostname" "line 2"
    same "${#lines[@]}" 2 "lines"
    ok brig jexec jname=${P}lm1 -- hostname
    same "$output" "${P}lm1.my.domain" "host name until the restart"
}

@test "jset of a limit the host cannot give is refused on a running jail, which keeps its own" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true maxproc=9
    assert_rejected 2 "cpuset: CPU 4000 is not on this host" brig jset jname=${P}lm1 cpuset=4000
    same "$(cat "$(cg_file ${P}lm1 pids pids.max pids.max)")" 9 "pids.max"
}

@test "jconfig in an editor on a running jail applies a new maxproc at once and says so" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start=true
    EDITOR=$(sed_editor 's/^maxproc=.*/maxproc="11";/') on_tty_ok jconfig jname=${P}lm1
    same "$output" "${P}lm1: applied to the running jail: maxproc=11" "jconfig output"
    same "$(cat "$(cg_file ${P}lm1 pids pids.max pids.max)")" 11 "pids.max"
}

@test "jset cpuset on a running jail moves its processes to those CPUs at once" {
    jail_up jname=${P}lm1 ip4_addr=0 exec_start='sleep 1000 &'
    ok brig jset jname=${P}lm1 cpuset=0-0
    same "$output" "${P}lm1: applied to the running jail: cpuset=0-0" "jset output"
    grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$(jpid ${P}lm1)/status"
    grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$(pgrep -xf 'sleep 1000')/status"
    ok brig jexec jname=${P}lm1 -- grep Cpus_allowed_list /proc/self/status
    same "$output" "Cpus_allowed_list:	0" "CPUs of a new jexec"
}
