/* bench-jstart: how fast do `brig jstart` and `brig jstop` run against LXC?
 *
 *   bench-jstart /path/to/brig [N]
 *
 * In its own network, mount and pid namespace (nothing reaches the machine's
 * network): a VNET busybox jail (one NIC on brig's bridge, static address) and
 * an LXC busybox container (template busybox, one veth on a bridge, static
 * address, default cgroup settings) are started and stopped N times (default
 * 30), alternately. "Started" is `brig jstart` returning (after exec_start ran)
 * against `lxc-start -d` returning (the container's init runs); "stopped" is
 * `brig jstop` against `lxc-stop -k`. Prints median and p90 of each and the
 * ratios brig/LXC. A second brig jail with userns=0 (root of the host's user
 * namespace) runs in the same rounds, for the cost of the user namespace and
 * the idmapped mounts of the default, unprivileged jail. A third, with
 * nic_filter=0, is started and stopped NOFILT_RUNS times after the rounds,
 * for its counts: what the default port filter adds. Run by hand; this is
 * not a test. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"

#define BRIG_JAIL   "benchj"
#define BRIG_ADDR   "10.199.0.10"
#define PRIV_JAIL   "benchp"
#define PRIV_ADDR   "10.199.0.11"
#define NOFILT_JAIL "benchf"
#define NOFILT_ADDR "10.199.0.12"
#define NOFILT_RUNS 5
#define LXC_NAME    "benchlxc"
#define LXC_BRIDGE  "benchbr0"
#define LXC_ADDR    "10.198.0.10"
#define SETTLE_MS   100
#define WARMUP_RUNS 2

static char *brig;
static const char *lxcpath;
static bool peer; /* LXC is installed: without it, brig's figures and counts only */

/* Is tool found in PATH? */
static bool in_path(const char *tool)
{
    const char *path = getenv("PATH");
    _cleanup_free_ char *copy = brig_xstrdup(path ? path : "/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        _cleanup_free_ char *f = brig_xasprintf("%s/%s", d, tool);
        if (access(f, X_OK) == 0)
            return true;
    }
    return false;
}

static double brig_verb(const char *verb, const char *jname)
{
    _cleanup_free_ char *arg = brig_xasprintf("jname=%s", jname);
    return bench_run((const char *const[]){brig, verb, arg, NULL});
}

/* As brig_verb, counting brig and what it made (the jail's init until the
 * verb returned, or until it exited for jstop) into *ret. */
static double brig_verb_counted(const char *verb, const char *jname, struct bench_counts *ret)
{
    _cleanup_free_ char *arg = brig_xasprintf("jname=%s", jname);
    return bench_run_counted((const char *const[]){brig, verb, arg, NULL}, ret);
}

static void print_counts(const char *what, const struct bench_counts *c, int n)
{
    struct bench_counts m = bench_counts_median(c, (size_t)n);
    char buf[160];
    printf("counts: %-19s %s\n", what, bench_counts_str(&m, buf, sizeof(buf)));
}

static double lxc_verb(const char *tool, const char *flag)
{
    if (!peer)
        return 0;
    return bench_run((const char *const[]){tool, "-P", lxcpath, "-n", LXC_NAME, flag, NULL});
}

static void print_row(const char *what, const double *b, const double *l, int n, double target)
{
    struct bench_stats sb = bench_stats(b, (size_t)n);
    if (!l) {
        printf("%-7s %4d  %9.2f %7.2f %7.2f  (no LXC on this machine)\n", what, n, sb.median,
               sb.p90, sb.min);
        return;
    }
    struct bench_stats sl = bench_stats(l, (size_t)n);
    double ratio = sb.median / sl.median;
    printf("%-7s %4d  %9.2f %7.2f %7.2f  %9.2f %7.2f %7.2f  %6.3f  <= %.3f %s\n", what, n,
           sb.median, sb.p90, sb.min, sl.median, sl.p90, sl.min, ratio, target,
           ratio <= target ? "met" : "missed");
}

int main(int argc, char **argv)
{
    int n;
    brig = bench_args(argc, argv, "bench-jstart", "brig", 30, 10000, &n);
    bench_enter_namespaces("bench-jstart");

    _cleanup_free_ char *lp = NULL;
    _cleanup_free_ char *top = bench_make_tree("jstart", &lp);
    lxcpath = lp;

    bench_print_machine();
    bench_print_versions(brig);
    bool counting = bench_count_init();
    double floor_ms = bench_print_floor(brig, 20);
    printf("runs: %d (+%d warm-up each), %d ms pause between operations\n\n", n, WARMUP_RUNS,
           SETTLE_MS);
    fflush(stdout);

    bench_run((const char *const[]){brig, "initenv", "nodename=bench", NULL});
    bench_run((const char *const[]){brig, "jcreate", "jname=" BRIG_JAIL, "vnet=1",
                                    "ip4_addr=" BRIG_ADDR "/16", NULL});
    bench_run((const char *const[]){brig, "jcreate", "jname=" PRIV_JAIL, "vnet=1",
                                    "ip4_addr=" PRIV_ADDR "/16", "userns=0", NULL});
    bench_run((const char *const[]){brig, "jcreate", "jname=" NOFILT_JAIL, "vnet=1",
                                    "ip4_addr=" NOFILT_ADDR "/16", "nic_filter=0", NULL});
    bench_bridge_add(LXC_BRIDGE, "10.198.0.1/16");
    peer = in_path("lxc-create") && in_path("lxc-start");
    if (peer)
        bench_lxc_create(lxcpath, LXC_NAME, LXC_BRIDGE, LXC_ADDR "/16");
    else
        printf("LXC is not installed: no peer in this run, brig's figures and counts only\n\n");

    /* Warm up (page cache, brig's bridge) and check that both answer. */
    for (int i = 0; i < WARMUP_RUNS; i++) {
        brig_verb("jstart", BRIG_JAIL);
        if (i == 0 && bench_ping_until(BRIG_ADDR, brig_now_ns(), 1000, 3000, 0, NULL, NULL) < 0)
            bench_die("the brig jail does not answer ping at %s", BRIG_ADDR);
        if (i == 0 && counting) {
            /* Count the jails' cgroups too: the init's work until ready. */
            _cleanup_free_ char *jcg = bench_jail_cgroup_parent(BRIG_JAIL);
            if (!jcg)
                bench_die("no cgroup holds the jail %s", BRIG_JAIL);
            bench_count_add_cgroup(jcg);
        }
        bench_sleep_ms(SETTLE_MS);
        brig_verb("jstop", BRIG_JAIL);
        bench_sleep_ms(SETTLE_MS);
        brig_verb("jstart", PRIV_JAIL);
        if (i == 0 && bench_ping_until(PRIV_ADDR, brig_now_ns(), 1000, 3000, 0, NULL, NULL) < 0)
            bench_die("the userns=0 jail does not answer ping at %s", PRIV_ADDR);
        bench_sleep_ms(SETTLE_MS);
        brig_verb("jstop", PRIV_JAIL);
        bench_sleep_ms(SETTLE_MS);
        lxc_verb("lxc-start", "-d");
        if (i == 0 && peer &&
            bench_ping_until(LXC_ADDR, brig_now_ns(), 1000, 3000, 0, NULL, NULL) < 0)
            bench_die("the LXC container does not answer ping at %s", LXC_ADDR);
        bench_sleep_ms(SETTLE_MS);
        lxc_verb("lxc-stop", "-k");
        bench_sleep_ms(SETTLE_MS);
    }

    double *bs = brig_xcalloc((size_t)n, sizeof(double));
    double *bt = brig_xcalloc((size_t)n, sizeof(double));
    double *ls = brig_xcalloc((size_t)n, sizeof(double));
    double *lt = brig_xcalloc((size_t)n, sizeof(double));
    double *ps = brig_xcalloc((size_t)n, sizeof(double));
    double *pt = brig_xcalloc((size_t)n, sizeof(double));
    struct bench_counts *cbs = brig_xcalloc((size_t)n, sizeof(*cbs));
    struct bench_counts *cbt = brig_xcalloc((size_t)n, sizeof(*cbt));
    struct bench_counts *cps = brig_xcalloc((size_t)n, sizeof(*cps));
    struct bench_counts *cpt = brig_xcalloc((size_t)n, sizeof(*cpt));
    for (int i = 0; i < n; i++) {
        bs[i] = brig_verb_counted("jstart", BRIG_JAIL, &cbs[i]);
        bench_sleep_ms(SETTLE_MS);
        bt[i] = brig_verb_counted("jstop", BRIG_JAIL, &cbt[i]);
        bench_sleep_ms(SETTLE_MS);
        ps[i] = brig_verb_counted("jstart", PRIV_JAIL, &cps[i]);
        bench_sleep_ms(SETTLE_MS);
        pt[i] = brig_verb_counted("jstop", PRIV_JAIL, &cpt[i]);
        bench_sleep_ms(SETTLE_MS);
        ls[i] = lxc_verb("lxc-start", "-d");
        bench_sleep_ms(SETTLE_MS);
        lt[i] = lxc_verb("lxc-stop", "-k");
        bench_sleep_ms(SETTLE_MS);
    }

    printf("%-7s %4s  %9s %7s %7s  %9s %7s %7s  %6s\n", "", "runs", "brig med", "p90", "min",
           "LXC med", "p90", "min", "ratio");
    print_row("start", bs, peer ? ls : NULL, n, 1.0 / 3);
    print_row("stop", bt, peer ? lt : NULL, n, 1.0 / 3);
    printf("\nstart: brig jstart vs lxc-start -d; stop: brig jstop vs lxc-stop -k (ms)\n\n");
    printf("%-7s %4s  %9s %7s %7s  %9s %7s %7s  %6s\n", "", "runs", "userns=1", "p90", "min",
           "userns=0", "p90", "min", "ratio");
    print_row("start", bs, ps, n, 1.10);
    print_row("stop", bt, pt, n, 1.10);
    printf("\nthe default (unprivileged) jail against one with userns=0 (ms)\n\n");
    printf("floor: brig --version %.2f ms (above); medians of the counts of one run, brig and\n"
           "every process it made (the jail's init until jstart returned; until it exited for\n"
           "jstop):\n",
           floor_ms);
    print_counts("jstart userns=1", cbs, n);
    print_counts("jstop userns=1", cbt, n);
    print_counts("jstart userns=0", cps, n);
    print_counts("jstop userns=0", cpt, n);
    struct bench_counts cfs[NOFILT_RUNS], cft[NOFILT_RUNS];
    brig_verb("jstart", NOFILT_JAIL); /* warm-up */
    bench_sleep_ms(SETTLE_MS);
    brig_verb("jstop", NOFILT_JAIL);
    for (int i = 0; i < NOFILT_RUNS; i++) {
        bench_sleep_ms(SETTLE_MS);
        brig_verb_counted("jstart", NOFILT_JAIL, &cfs[i]);
        bench_sleep_ms(SETTLE_MS);
        brig_verb_counted("jstop", NOFILT_JAIL, &cft[i]);
    }
    print_counts("jstart nic_filter=0", cfs, NOFILT_RUNS);
    print_counts("jstop nic_filter=0", cft, NOFILT_RUNS);
    free(cbs);
    free(cbt);
    free(cps);
    free(cpt);

    struct brig_err err = BRIG_ERR_INIT;
    if (getenv("BENCH_KEEP"))
        printf("kept %s\n", top);
    else
        brig_rm_rf(top, &err);
    free(bs);
    free(bt);
    free(ls);
    free(lt);
    free(ps);
    free(pt);
    free(brig);
    return 0;
}
