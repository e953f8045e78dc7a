/* bench-records: how fast are brig's record verbs with many jails?
 *
 *   bench-records /path/to/brig [N]
 *
 * In a fresh temporary workdir: `brig initenv`, then N jail records (default
 * 10000) inserted in one transaction through the store API (as jcreate would
 * record them, each with its own static address in IPAM), then the real brig
 * binary is timed for jls, jls --json, jcreate (DHCP and static), jget and jset.
 * Prints the median and 90th percentile of each, in milliseconds, against the
 * targets. BENCH_KEEP=1 keeps the workdir for profiling. Run by hand; this is
 * not a test. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchlib.h"
#include "params.h"
#include "store/store.h"
#include "util.h"

extern char **environ;

#define RUNS_LIST   20
#define RUNS_RECORD 50

static const char *brig_bin;
static char *workdir_arg;                           /* "workdir=..." */
static struct bench_counts counts[RUNS_RECORD * 2]; /* of each run of the current row */
static int nrun;                                    /* runs of the current row so far */

static void die(const char *what, const struct brig_err *err)
{
    fprintf(stderr, "bench-records: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    exit(1);
}

/* Run brig with args (NULL-terminated), stdout to /dev/null; returns wall ms. */
static double run_brig(const char *const *args)
{
    _cleanup_strv_ char **argv = NULL;
    brig_strv_push(&argv, brig_bin);
    for (; *args; args++)
        brig_strv_push(&argv, *args);
    if (strcmp(argv[1], "--version") != 0) /* --version takes no other word */
        brig_strv_push(&argv, workdir_arg);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    bench_count_begin();
    uint64_t t0 = brig_now_ns();
    int r = posix_spawn(&pid, brig_bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
        fprintf(stderr, "bench-records: spawn %s: %s\n", brig_bin, strerror(r));
        exit(1);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("bench-records: waitpid");
            exit(1);
        }
    }
    uint64_t t1 = brig_now_ns();
    bench_count_end(&counts[nrun++]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench-records: brig");
        for (size_t i = 1; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fprintf(stderr, ": failed with status %d\n", status);
        exit(1);
    }
    return (double)(t1 - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct result {
    const char *what;
    int runs;
    double median, p90, min;
    double target;              /* 0: none */
    struct bench_counts counts; /* medians */
};

static struct result summarise(const char *what, double *ms, int n, double target)
{
    qsort(ms, (size_t)n, sizeof(double), cmp_double);
    double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    int rank = (9 * n + 9) / 10; /* nearest rank: ceil(0.9 n) */
    struct bench_counts c = bench_counts_median(counts, (size_t)nrun);
    nrun = 0;
    return (struct result){what, n, median, ms[rank - 1], ms[0], target, c};
}

/* Insert n jails named bulkNNNNN with static addresses, as jcreate records them. */
static void bulk_insert(const char *workdir, int n)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_store *st = NULL;
    _cleanup_free_ char *db = brig_xasprintf("%s/var/db/local.sqlite", workdir);
    if (brig_store_open(db, false, &st, &err) < 0)
        die("open store", &err);
    if (brig_store_begin(st, &err) < 0)
        die("begin", &err);
    for (int i = 0; i < n; i++) {
        struct brig_jail j = {0};
        char name[32], addr[32], addr_prefix[40];
        unsigned host = 2 + (unsigned)i; /* 10.199.0.0/16: .0.1 is the bridge */
        snprintf(name, sizeof(name), "bulk%05d", i);
        snprintf(addr, sizeof(addr), "10.199.%u.%u", host >> 8, host & 255);
        snprintf(addr_prefix, sizeof(addr_prefix), "%s/16", addr);
        brig_jail_set(&j, BRIG_P_JNAME, name);
        brig_jail_set(&j, BRIG_P_IP4_ADDR, addr_prefix);
        brig_jail_fill_defaults(&j, workdir, BRIG_K_LINUX);
        if (brig_jail_check(&j, &err) < 0 || brig_store_jail_insert(st, &j, &err) < 0 ||
            brig_store_ipam_reserve(st, addr, j.id, 0, "static", &err) < 0)
            die(name, &err);
        brig_jail_clear(&j);
    }
    if (brig_store_commit(st, &err) < 0)
        die("commit", &err);
    brig_store_close(st);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench-records /path/to/brig [N]\n");
        return 2;
    }
    brig_bin = argv[1];
    int n = argc == 3 ? atoi(argv[2]) : 10000;
    if (n < 1 || n > 60000) {
        fprintf(stderr, "bench-records: N must be 1..60000 (the default pool is a /16)\n");
        return 2;
    }
    if (access(brig_bin, X_OK) < 0) {
        fprintf(stderr, "bench-records: %s: %s\n", brig_bin, strerror(errno));
        return 2;
    }
    char top[] = "/tmp/brig-bench-records-XXXXXX";
    if (!mkdtemp(top)) {
        perror("bench-records: mkdtemp");
        return 1;
    }
    _cleanup_free_ char *workdir = brig_xasprintf("%s/wd", top);
    workdir_arg = brig_xasprintf("workdir=%s", workdir);
    bench_print_machine();
    /* A mount namespace of its own: the jails' id ranges are registered in
     * private copies of /etc/subuid and /etc/subgid, and counting mounts
     * tracefs. */
    if (geteuid() != 0) {
        fprintf(stderr, "bench-records: must run as root (jcreate registers id ranges)\n");
        return 2;
    }
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        perror("bench-records: a mount namespace");
        return 1;
    }
    bench_private_subids(top);
    bench_count_init();
    double floor_ms = bench_print_floor(brig_bin, RUNS_LIST);
    printf("brig: %s, workdir: %s, records: %d\n\n", brig_bin, workdir, n);
    fflush(stdout);

    struct result res[16];
    size_t nres = 0;
    double ms[RUNS_RECORD * 2];

    ms[0] = run_brig((const char *const[]){"initenv", "nodename=bench", NULL});
    res[nres++] = summarise("initenv (empty workdir)", ms, 1, 0);

    for (int i = 0; i < RUNS_LIST; i++)
        ms[i] = run_brig((const char *const[]){"--version", NULL});
    res[nres++] = summarise("brig --version (process floor)", ms, RUNS_LIST, 0);

    uint64_t t0 = brig_now_ns();
    bulk_insert(workdir, n);
    double bulk_ms = (double)(brig_now_ns() - t0) / 1e6;

    for (int i = 0; i < RUNS_LIST; i++)
        ms[i] = run_brig((const char *const[]){"jls", NULL});
    res[nres++] = summarise("jls", ms, RUNS_LIST, 50);
    for (int i = 0; i < RUNS_LIST; i++)
        ms[i] = run_brig((const char *const[]){"jls", "--json", NULL});
    res[nres++] = summarise("jls --json", ms, RUNS_LIST, 50);
    for (int i = 0; i < RUNS_LIST; i++)
        ms[i] = run_brig((const char *const[]){"jls", "display=jname,ip4_addr,status", NULL});
    res[nres++] = summarise("jls display=jname,ip4_addr,status", ms, RUNS_LIST, 0);

    for (int i = 0; i < RUNS_RECORD; i++) {
        char name[40];
        snprintf(name, sizeof(name), "jname=dhcp%02d", i);
        ms[i] = run_brig((const char *const[]){"jcreate", name, "ip4_addr=DHCP", NULL});
    }
    res[nres++] = summarise("jcreate ip4_addr=DHCP", ms, RUNS_RECORD, 5);
    for (int i = 0; i < RUNS_RECORD; i++) {
        char name[40], ip[48];
        snprintf(name, sizeof(name), "jname=static%02d", i);
        snprintf(ip, sizeof(ip), "ip4_addr=10.200.0.%d/24", 10 + i);
        ms[i] = run_brig((const char *const[]){"jcreate", name, ip, NULL});
    }
    res[nres++] = summarise("jcreate ip4_addr=<static>", ms, RUNS_RECORD, 5);

    char mid[40];
    snprintf(mid, sizeof(mid), "jname=bulk%05d", n / 2);
    for (int i = 0; i < RUNS_RECORD; i++)
        ms[i] = run_brig((const char *const[]){"jget", mid, NULL});
    res[nres++] = summarise("jget", ms, RUNS_RECORD, 0);
    for (int i = 0; i < RUNS_RECORD; i++)
        ms[i] = run_brig((const char *const[]){"jset", mid, i % 2 ? "astart=0" : "astart=1", NULL});
    res[nres++] = summarise("jset astart=0|1", ms, RUNS_RECORD, 0);

    printf("bulk insert of %d records through the store API: %.0f ms\n\n", n, bulk_ms);
    printf("%-36s %5s %10s %10s %10s  %-16s %s\n", "operation", "runs", "median ms", "p90 ms",
           "min ms", "target", "counts of one run (medians)");
    int missed = 0;
    for (size_t i = 0; i < nres; i++) {
        char target[32] = "-";
        if (res[i].target > 0) {
            bool ok = res[i].median <= res[i].target;
            snprintf(target, sizeof(target), "<= %.0f ms %s", res[i].target, ok ? "ok" : "MISSED");
            missed += !ok;
        }
        char cbuf[160];
        printf("%-36s %5d %10.2f %10.2f %10.2f  %-16s %s\n", res[i].what, res[i].runs,
               res[i].median, res[i].p90, res[i].min, target,
               bench_counts_str(&res[i].counts, cbuf, sizeof(cbuf)));
    }
    printf("\nfloor in this run: brig --version %.2f ms (the row above is the same figure)\n",
           floor_ms);
    struct brig_err err = BRIG_ERR_INIT;
    if (getenv("BENCH_KEEP"))
        printf("\nworkdir kept (BENCH_KEEP): %s\n", workdir);
    else if (brig_rm_rf(top, &err) < 0)
        fprintf(stderr, "bench-records: cleanup: %s\n", err.msg);
    printf("\n%s\n", missed ? "some targets missed" : "all targets met");
    return 0;
}
