/* benchlib: what the jail benchmarks share: a private network, mount and pid
 * namespace to run in, timed runs of outside programs, statistics, and an
 * equivalent LXC busybox container to measure against. Not part of brig. */
#ifndef BRIG_BENCHLIB_H
#define BRIG_BENCHLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Print "<prog>: <message>" to stderr and exit 1. */
_Noreturn void bench_die(const char *fmt, ...) BRIG_PRINTF(1, 2);

/* The command line of a bench: "prog PROGRAM [N]". Returns PROGRAM's
 * absolute path (it must be executable) and N (default def_n, 1..max_n) in
 * *ret_n; a usage error is printed and exits 2. Names the bench prog. */
char *bench_args(int argc, char **argv, const char *prog, const char *what, int def_n, int max_n,
                 int *ret_n);

/* Move the process into new network, mount and pid namespaces (the caller
 * continues as pid 1 of the new one; the original process waits and exits with
 * its status), with a fresh sysfs and /proc, a private /run/lxc and lo up.
 * When the benchmark exits, every process it left behind is killed. */
void bench_enter_namespaces(const char *prog);

/* In a mount namespace of the caller's own: bind private copies (kept in
 * dir) over /etc/subuid and /etc/subgid, where brig registers the id ranges
 * of the benchmark's unprivileged jails, so the host's stay as they were. */
void bench_private_subids(const char *dir);

/* Run argv[0] (searched in PATH), output to the log file; returns wall ms.
 * A non-zero exit prints the command and the end of the log and exits. */
double bench_run(const char *const *argv);

/* As bench_run, but returns the exit status in *ret_status instead of dying. */
double bench_run_status(const char *const *argv, int *ret_status);

/* Start argv without waiting; returns the pid. */
pid_t bench_spawn(const char *const *argv);

/* Wait for pid; dies with the command name if it failed. */
void bench_wait(pid_t pid, const char *what);

/* Sleep for ms milliseconds. */
void bench_sleep_ms(unsigned ms);

/* Milliseconds between two brig_now_ns() readings. */
double bench_ms(uint64_t t0, uint64_t t1);

struct bench_stats {
    double median, p90, min, max, mean;
};

/* Median, 90th percentile (nearest rank), min, max and mean of ms[0..n). */
struct bench_stats bench_stats(const double *ms, size_t n);

/* Print the machine: kernel, CPUs and their model. */
void bench_print_machine(void);
/* A temporary tree /tmp/brig-bench-<prog>-XXXXXX holding wd (exported as
 * BRIG_WORKDIR) and lxc (an LXC path, created); returns its top, sets *ret_lxc. */
char *bench_make_tree(const char *prog, char **ret_lxc);

/* Print the versions of brig and LXC. */
void bench_print_versions(const char *brig);

/* MemAvailable from /proc/meminfo, in KiB. */
long bench_mem_available_kb(void);

/* Sum of Pss over every process this benchmark's /proc shows (its pid
 * namespace), in KiB. */
long bench_pss_total_kb(void);

/* Make a bridge with the address cidr, up; make neighbour resolution on it
 * retry every millisecond so a ping loop sees a new address at once. */
void bench_bridge_add(const char *name, const char *cidr);

/* Make neighbour resolution on iface retry every millisecond. */
void bench_neigh_fast(const char *iface);

/* Forget the neighbours learnt on a bridge. */
void bench_neigh_flush(const char *bridge);

/* Create an LXC busybox container (template busybox) under lxcpath with one
 * veth on bridge and the static address cidr; the template's DHCP client is
 * taken out of its rcS, as the brig jail has a static address too. */
void bench_lxc_create(const char *lxcpath, const char *name, const char *bridge, const char *cidr);

/* Send ICMP echo requests to addr every interval_us until one answers or
 * timeout_ms passes; returns the ms from t0 (brig_now_ns) to the answer, or
 * -1 on timeout. When pid > 0, also reaps that child meanwhile (and after the
 * answer): its exit status goes to *ret_status and the ms from t0 to its exit
 * (as seen by the loop, within interval_us) to *ret_exit_ms. */
double bench_ping_until(const char *addr, uint64_t t0, unsigned interval_us, unsigned timeout_ms,
                        pid_t pid, int *ret_status, double *ret_exit_ms);

/* Machine-independent counts of a run: what the kernel did for the command
 * and every process it made (a jail's init included, until the reading). */
struct bench_counts {
    double faults;   /* page faults */
    double csw;      /* context switches */
    double forks;    /* forks, clones and new threads */
    double execs;    /* execve */
    double syscalls; /* system calls entered */
    double cpu_ms;   /* CPU time (task clock), for reference: not machine-independent */
};

/* Count what runs in a cgroup of the benchmark's own (perf_event_open, one
 * counter per CPU and kind over the cgroup and its descendants). Prints why
 * and returns false when the kernel cannot (no cgroup v2, no tracefs: then
 * forks, execs and syscalls read -1). Call after bench_enter_namespaces. */
bool bench_count_init(void);

/* Also count the tasks of the cgroup v2 directory dir (relative to the v2
 * root, e.g. the one brig puts its jails in) and its descendants. */
void bench_count_add_cgroup(const char *dir);

/* The cgroup v2 directory (relative to the v2 root) that holds the cgroup of
 * the running jail jname (a process in ".../jname"), or NULL: where brig keeps
 * this workdir's jails. */
char *bench_jail_cgroup_parent(const char *jname);

/* Count from here (the benchmark joins the counted cgroup: what it starts
 * until bench_count_end is counted) ... */
void bench_count_begin(void);

/* ... to here: the counts since bench_count_begin into *ret (not touched
 * when counting is off). */
void bench_count_end(struct bench_counts *ret);

/* As bench_run, counting the command and what it made into *ret (not
 * touched when counting is off). */
double bench_run_counted(const char *const *argv, struct bench_counts *ret);

/* The medians of each count over c[0..n). */
struct bench_counts bench_counts_median(const struct bench_counts *c, size_t n);

/* "faults F, csw C, forks K, execs E, syscalls S" into buf. */
const char *bench_counts_str(const struct bench_counts *c, char *buf, size_t size);

/* Time and count /bin/true and `brig --version` runs times each and print
 * them as the machine's floor; returns the median of `brig --version`. */
double bench_print_floor(const char *brig, int runs);

#endif
