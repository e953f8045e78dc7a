/* bench-vnet: VNET jails against LXC: start-to-ping, scale and memory.
 *
 *   bench-vnet /path/to/brig [-r RUNS] [-s SCALE] [-m MEMJAILS] [-j JOBS] [-o PLOT.png]
 *              [-d DATA] [ping] [dhcp] [mem] [scale] [bulk]
 *
 * Everything runs in the benchmark's own network, mount and pid namespace.
 *   ping   RUNS times (default 30): from the moment `brig jstart` (resp.
 *          `lxc-start -d`) is spawned until the jail's address answers an ICMP
 *          echo sent from the host namespace every 500 us (a raw socket).
 *   dhcp   RUNS times: `brig jstart` of a REALDHCP jail (busybox udhcpc inside,
 *          dnsmasq on brig's bridge, the article's devfs ruleset 7 unhiding
 *          bpf), which returns once the jail holds its lease; the lease is
 *          checked inside after each start. Target: within 0.5 s.
 *   mem    MemAvailable drop with MEMJAILS (default 200) idle VNET jails
 *          running, against as many LXC busybox containers.
 *   scale  SCALE (default 1000) VNET jails on one bridge, created first, then
 *          started one after the other: the time of each jstart, the first and
 *          last 100 compared, `jls` with all of them running, then each jstop.
 *          -d writes "index start_ms stop_ms" per jail, -o plots it (gnuplot).
 *   bulk   the SCALE jails started by one `brig jstart jname='bv*'` and stopped
 *          by one `brig jstop jname='bv*'`, one after the other (jobs=1), then
 *          with jobs=JOBS (default 8): total times and speed-up.
 * With no phase named, all but bulk run. Run by hand; this is not a test. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"

#define BRIG_BRIDGE "brig0" /* brig's default bridge (interface=auto) */
#define LXC_BRIDGE  "benchbr0"
#define SETTLE_MS   100

static const char *brig;
static const char *lxcpath;

static void jail_addr(char *buf, size_t len, const char *net, int k)
{
    snprintf(buf, len, "%s.%d.%d", net, k / 200 + 1, k % 200 + 10);
}

static double brig_verb(const char *verb, const char *jname)
{
    _cleanup_free_ char *arg = brig_xasprintf("jname=%s", jname);
    return bench_run((const char *const[]){brig, verb, arg, NULL});
}

static double lxc_verb(const char *tool, const char *name, const char *flag)
{
    return bench_run((const char *const[]){tool, "-P", lxcpath, "-n", name, flag, NULL});
}

static void brig_create(const char *jname, const char *addr)
{
    _cleanup_free_ char *a1 = brig_xasprintf("jname=%s", jname);
    _cleanup_free_ char *a2 = brig_xasprintf("ip4_addr=%s/16", addr);
    bench_run((const char *const[]){brig, "jcreate", a1, "vnet=1", a2, NULL});
}

/* One start-to-ping: spawn the start, ping until it answers, wait for the start. */
static double start_to_ping(const char *const *start_argv, const char *bridge, const char *addr,
                            double *ret_returned)
{
    bench_neigh_flush(bridge);
    uint64_t t0 = brig_now_ns();
    pid_t pid = bench_spawn(start_argv);
    int status = 0;
    double ms = bench_ping_until(addr, t0, 500, 10000, pid, &status, ret_returned);
    if (status != 0)
        bench_die("%s failed with status %d", start_argv[0], status);
    if (ms < 0)
        bench_die("%s did not answer ping within 10 s", addr);
    return ms;
}

static void phase_ping(int runs)
{
    const char *bj = "bping", *lc = "lping";
    char baddr[32], laddr[32];
    jail_addr(baddr, sizeof(baddr), "10.199", 1200);
    jail_addr(laddr, sizeof(laddr), "10.198", 1200);
    brig_create(bj, baddr);
    _cleanup_free_ char *lcidr = brig_xasprintf("%s/16", laddr);
    bench_lxc_create(lxcpath, lc, LXC_BRIDGE, lcidr);

    const char *bstart[] = {brig, "jstart", "jname=bping", NULL};
    const char *lstart[] = {"lxc-start", "-P", lxcpath, "-n", lc, "-d", NULL};
    double *bp = brig_xcalloc((size_t)runs, sizeof(double));
    double *br = brig_xcalloc((size_t)runs, sizeof(double));
    double *lp = brig_xcalloc((size_t)runs, sizeof(double));
    double *lr = brig_xcalloc((size_t)runs, sizeof(double));
    double dummy;
    for (int i = -2; i < runs; i++) { /* two warm-up rounds */
        double *b1 = i < 0 ? &dummy : &bp[i], *b2 = i < 0 ? &dummy : &br[i];
        double *l1 = i < 0 ? &dummy : &lp[i], *l2 = i < 0 ? &dummy : &lr[i];
        *b1 = start_to_ping(bstart, BRIG_BRIDGE, baddr, b2);
        bench_sleep_ms(SETTLE_MS);
        brig_verb("jstop", bj);
        bench_sleep_ms(SETTLE_MS);
        *l1 = start_to_ping(lstart, LXC_BRIDGE, laddr, l2);
        bench_sleep_ms(SETTLE_MS);
        lxc_verb("lxc-stop", lc, "-k");
        bench_sleep_ms(SETTLE_MS);
    }
    struct bench_stats sbp = bench_stats(bp, (size_t)runs), sbr = bench_stats(br, (size_t)runs);
    struct bench_stats slp = bench_stats(lp, (size_t)runs), slr = bench_stats(lr, (size_t)runs);
    double ratio = sbp.median / slp.median;
    printf("== start-to-ping (%d runs, ms from spawning the start to the first echo reply)\n",
           runs);
    printf("                     median     p90     min     max\n");
    printf("brig  start-to-ping %7.2f %7.2f %7.2f %7.2f\n", sbp.median, sbp.p90, sbp.min, sbp.max);
    printf("brig  jstart return %7.2f %7.2f %7.2f %7.2f\n", sbr.median, sbr.p90, sbr.min, sbr.max);
    printf("LXC   start-to-ping %7.2f %7.2f %7.2f %7.2f\n", slp.median, slp.p90, slp.min, slp.max);
    printf("LXC   start return  %7.2f %7.2f %7.2f %7.2f\n", slr.median, slr.p90, slr.min, slr.max);
    printf("ratio brig/LXC (median start-to-ping): %.3f, target <= 0.250: %s\n\n", ratio,
           ratio <= 0.25 ? "met" : "missed");
    fflush(stdout);
    free(bp);
    free(br);
    free(lp);
    free(lr);
}

static long settled_mem_kb(void)
{
    bench_sleep_ms(3000);
    return bench_mem_available_kb();
}

#define MEM_ROUNDS 3

/* Start m jails (brig) or containers (LXC), measure, stop them; per jail KiB. */
static void mem_round(bool lxc, int m, double *ret_avail, double *ret_pss)
{
    char name[32];
    long pss0 = bench_pss_total_kb();
    long before = settled_mem_kb();
    for (int k = 0; k < m; k++) {
        snprintf(name, sizeof(name), lxc ? "bl%04d" : "bv%04d", k);
        if (lxc)
            lxc_verb("lxc-start", name, "-d");
        else
            brig_verb("jstart", name);
    }
    long after = settled_mem_kb();
    long pss1 = bench_pss_total_kb();
    for (int k = 0; k < m; k++) {
        snprintf(name, sizeof(name), lxc ? "bl%04d" : "bv%04d", k);
        if (lxc)
            lxc_verb("lxc-stop", name, "-k");
        else
            brig_verb("jstop", name);
    }
    *ret_avail = (double)(before - after) / m;
    *ret_pss = (double)(pss1 - pss0) / m;
    printf("  %-4s MemAvailable %ld -> %ld KiB: %.0f KiB each; Pss of their processes %.0f KiB "
           "each\n",
           lxc ? "LXC" : "brig", before, after, *ret_avail, *ret_pss);
    fflush(stdout);
}

static void phase_mem(int m)
{
    char name[32], addr[32];
    printf("== memory: MemAvailable drop with %d idle VNET jails / LXC containers, %d rounds\n", m,
           MEM_ROUNDS);
    fflush(stdout);
    for (int k = 0; k < m; k++) {
        snprintf(name, sizeof(name), "bl%04d", k);
        jail_addr(addr, sizeof(addr), "10.198", k);
        _cleanup_free_ char *cidr = brig_xasprintf("%s/16", addr);
        bench_lxc_create(lxcpath, name, LXC_BRIDGE, cidr);
    }
    double ba[MEM_ROUNDS], bp[MEM_ROUNDS], la[MEM_ROUNDS], lp[MEM_ROUNDS];
    for (int r = 0; r < MEM_ROUNDS; r++) {
        mem_round(false, m, &ba[r], &bp[r]);
        mem_round(true, m, &la[r], &lp[r]);
    }
    struct bench_stats sba = bench_stats(ba, MEM_ROUNDS), sla = bench_stats(la, MEM_ROUNDS);
    struct bench_stats sbp = bench_stats(bp, MEM_ROUNDS), slp = bench_stats(lp, MEM_ROUNDS);
    printf("median per jail: brig %.0f KiB (Pss %.0f), LXC %.0f KiB (Pss %.0f)\n", sba.median,
           sbp.median, sla.median, slp.median);
    double ratio = sba.median / sla.median;
    printf("ratio brig/LXC (MemAvailable): %.3f, target <= 0.500: %s; (Pss): %.3f\n\n", ratio,
           ratio <= 0.5 && ratio > 0 ? "met" : "missed", sbp.median / slp.median);
    fflush(stdout);
}

static double mean(const double *v, int from, int to)
{
    double s = 0;
    for (int i = from; i < to; i++)
        s += v[i];
    return s / (to - from);
}

static void plot(const char *data, const char *png, int n)
{
    _cleanup_free_ char *gp = brig_xasprintf("%s.gp", data);
    FILE *f = fopen(gp, "we");
    if (!f)
        bench_die("%s: %s", gp, strerror(errno));
    fprintf(f,
            "set terminal pngcairo size 900,500 font ',10' noenhanced\n"
            "set output '%s'\n"
            "set title 'brig: time of each jstart / jstop, %d VNET jails on one bridge'\n"
            "set xlabel 'jail (in start order)'\n"
            "set ylabel 'ms'\n"
            "set key top left\n"
            "set grid\n"
            "set yrange [0:*]\n"
            "plot '%s' using 1:2 with points pt 7 ps 0.35 title 'jstart', \\\n"
            "     '%s' using 1:3 with points pt 7 ps 0.35 title 'jstop (in the same order)'\n",
            png, n, data, data);
    fclose(f);
    bench_run((const char *const[]){"gnuplot", gp, NULL});
    printf("plot: %s\n", png);
}

static void phase_scale(int n, const char *data, const char *png)
{
    char name[32];
    printf("== scale: %d VNET jails on one bridge, started then stopped one after the other\n", n);
    fflush(stdout);
    double *st = brig_xcalloc((size_t)n, sizeof(double));
    double *sp = brig_xcalloc((size_t)n, sizeof(double));
    uint64_t t0 = brig_now_ns();
    for (int k = 0; k < n; k++) {
        snprintf(name, sizeof(name), "bv%04d", k);
        st[k] = brig_verb("jstart", name);
    }
    double total = bench_ms(t0, brig_now_ns());

    double jls[20];
    struct bench_counts cj[20];
    for (int i = 0; i < 20; i++)
        jls[i] = bench_run_counted((const char *const[]){brig, "jls", NULL}, &cj[i]);
    struct bench_stats sj = bench_stats(jls, 20);
    struct bench_counts mj = bench_counts_median(cj, 20);
    double floor_ms = bench_print_floor(brig, 20);
    char addr[32];
    jail_addr(addr, sizeof(addr), "10.199", 0);
    double p0 = bench_ping_until(addr, brig_now_ns(), 1000, 3000, 0, NULL, NULL);
    jail_addr(addr, sizeof(addr), "10.199", n - 1);
    double p1 = bench_ping_until(addr, brig_now_ns(), 1000, 3000, 0, NULL, NULL);

    t0 = brig_now_ns();
    for (int k = 0; k < n; k++) {
        snprintf(name, sizeof(name), "bv%04d", k);
        sp[k] = brig_verb("jstop", name);
    }
    double stotal = bench_ms(t0, brig_now_ns());

    int w = n >= 200 ? 100 : n / 2;
    struct bench_stats s = bench_stats(st, (size_t)n), q = bench_stats(sp, (size_t)n);
    struct bench_stats f100 = bench_stats(st, (size_t)w), l100 = bench_stats(st + n - w, (size_t)w);
    double ratio = mean(st, n - w, n) / mean(st, 0, w);
    printf("jstart: total %.1f s; all: median %.2f p90 %.2f max %.2f ms\n", total / 1000, s.median,
           s.p90, s.max);
    printf("jstart: first %d mean %.2f (median %.2f), last %d mean %.2f (median %.2f) ms\n", w,
           mean(st, 0, w), f100.median, w, mean(st, n - w, n), l100.median);
    printf("ratio last/first (means): %.3f, target <= 1.5: %s\n", ratio,
           ratio <= 1.5 ? "met" : "missed");
    char cbuf[160];
    printf("jls with %d running (20 runs): median %.2f p90 %.2f ms, target <= 20 ms: %s\n", n,
           sj.median, sj.p90, sj.median <= 20 ? "met" : "missed");
    printf("jls with %d running: floor (brig --version) %.2f ms; counts: %s\n", n, floor_ms,
           bench_counts_str(&mj, cbuf, sizeof(cbuf)));
    printf("ping first jail: %s, last jail: %s\n", p0 < 0 ? "no answer" : "answers",
           p1 < 0 ? "no answer" : "answers");
    printf("jstop: total %.1f s; median %.2f p90 %.2f max %.2f ms; first %d mean %.2f, last %d "
           "mean %.2f ms\n",
           stotal / 1000, q.median, q.p90, q.max, w, mean(sp, 0, w), w, mean(sp, n - w, n));
    if (data) {
        FILE *f = fopen(data, "we");
        if (!f)
            bench_die("%s: %s", data, strerror(errno));
        fprintf(f, "# jail start_ms stop_ms\n");
        for (int k = 0; k < n; k++)
            fprintf(f, "%d %.3f %.3f\n", k + 1, st[k], sp[k]);
        fclose(f);
        printf("data: %s\n", data);
        if (png)
            plot(data, png, n);
    }
    printf("\n");
    fflush(stdout);
    free(st);
    free(sp);
}

/* One command over every bench jail; its total time, its counts (and those
 * of the jails' inits) in *ret, printed with the time per jail. */
static double bulk_verb(const char *verb, int jobs, int n, struct bench_counts *ret)
{
    _cleanup_free_ char *j = brig_xasprintf("jobs=%d", jobs);
    int status = 0;
    bench_count_begin();
    double ms = bench_run_status((const char *const[]){brig, verb, "jname=bv*", j, NULL}, &status);
    bench_count_end(ret);
    if (status != 0)
        bench_die("brig %s jname='bv*' %s failed with status %d", verb, j, status);
    char cbuf[160];
    printf(
        "%-6s %-7s total %8.1f ms, %6.2f ms per jail; counts per jail: %s\n", verb, j, ms, ms / n,
        bench_counts_str(&(struct bench_counts){ret->faults / n, ret->csw / n, ret->forks / n,
                                                ret->execs / n, ret->syscalls / n, ret->cpu_ms / n},
                         cbuf, sizeof(cbuf)));
    fflush(stdout);
    return ms;
}

static void phase_bulk(int n, int jobs)
{
    printf("== bulk: %d VNET jails started by one jstart and stopped by one jstop\n", n);
    bench_print_floor(brig, 10);
    struct bench_counts c = {0};
    double s1 = bulk_verb("jstart", 1, n, &c);
    /* the inits' shutdown is counted from their cgroups */
    _cleanup_free_ char *jcg = bench_jail_cgroup_parent("bv0000");
    if (jcg)
        bench_count_add_cgroup(jcg);
    double p1 = bulk_verb("jstop", 1, n, &c);
    double sj = bulk_verb("jstart", jobs, n, &c), pj = bulk_verb("jstop", jobs, n, &c);
    printf("jstart jobs=1 %.1f s, jobs=%d %.1f s: %.2fx faster\n", s1 / 1000, jobs, sj / 1000,
           s1 / sj);
    printf("jstop  jobs=1 %.1f s, jobs=%d %.1f s: %.2fx faster\n\n", p1 / 1000, jobs, pj / 1000,
           p1 / pj);
    fflush(stdout);
}

/* The article's recipe: a ruleset that unhides bpf for a DHCP client. */
static void devfs_rules_dhcp(void)
{
    _cleanup_free_ char *path = brig_xasprintf("%s/etc/devfs.rules", getenv("BRIG_WORKDIR"));
    FILE *f = fopen(path, "a");
    if (!f ||
        fputs("\n[devfsrules_jail_vnet_dhcp=7]\nadd include $devfsrules_jail_vnet\n"
              "add path 'bpf*' unhide\n",
              f) < 0 ||
        fclose(f) != 0)
        bench_die("append to %s: %s", path, strerror(errno));
}

static void phase_dhcp(int runs)
{
    devfs_rules_dhcp();
    bench_run((const char *const[]){brig, "jcreate", "jname=bdhcp", "vnet=1", "ip4_addr=REALDHCP",
                                    "devfs_ruleset=7", NULL});
    const char *start[] = {brig, "jstart", "jname=bdhcp", NULL};
    const char *check[] = {brig,
                           "jexec",
                           "jname=bdhcp",
                           "--",
                           "sh",
                           "-c",
                           "ip -4 -o addr show dev eth0 | grep -q 'inet 10\\.199\\.'",
                           NULL};
    double *ms = brig_xcalloc((size_t)runs, sizeof(double));
    for (int i = -1; i < runs; i++) { /* one warm-up round: dnsmasq starts */
        double t = bench_run(start);
        int status = 0;
        bench_run_status(check, &status);
        if (status != 0)
            bench_die("the REALDHCP jail has no lease on eth0 after jstart");
        if (i >= 0)
            ms[i] = t;
        bench_sleep_ms(SETTLE_MS);
        brig_verb("jstop", "bdhcp");
        bench_sleep_ms(SETTLE_MS);
    }
    struct bench_stats s = bench_stats(ms, (size_t)runs);
    printf("== REALDHCP: jstart until the jail holds its lease (%d runs, ms)\n", runs);
    printf("median %.2f p90 %.2f min %.2f max %.2f; target <= 500 ms: %s\n\n", s.median, s.p90,
           s.min, s.max,
           s.max <= 500      ? "met (every run)"
           : s.median <= 500 ? "met (median)"
                             : "missed");
    fflush(stdout);
    free(ms);
}

static char *absolute(const char *p)
{
    if (!p || p[0] == '/')
        return p ? brig_xstrdup(p) : NULL;
    char cwd[4096];
    if (!getcwd(cwd, sizeof(cwd)))
        bench_die("getcwd: %s", strerror(errno));
    return brig_xasprintf("%s/%s", cwd, p);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench-vnet /path/to/brig [-r RUNS] [-s SCALE] [-m MEMJAILS] [-j JOBS] "
                    "[-o PLOT.png] [-d DATA] [ping] [dhcp] [mem] [scale] [bulk]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int runs = 30, scale = 1000, memn = 200, jobs = 8, opt;
    const char *png = NULL, *data = NULL;
    while ((opt = getopt(argc, argv, "r:s:m:j:o:d:")) != -1) {
        switch (opt) {
        case 'r':
            runs = atoi(optarg);
            break;
        case 's':
            scale = atoi(optarg);
            break;
        case 'm':
            memn = atoi(optarg);
            break;
        case 'j':
            jobs = atoi(optarg);
            break;
        case 'o':
            png = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        default:
            return usage();
        }
    }
    if (optind >= argc || runs < 1 || scale < 2 || scale > 1000 || memn < 1 || memn > 1000 ||
        jobs < 0 || jobs > 1024)
        return usage();
    bool do_ping = optind + 1 == argc, do_dhcp = do_ping, do_mem = do_ping, do_scale = do_ping;
    bool do_bulk = false;
    for (int i = optind + 1; i < argc; i++) {
        if (strcmp(argv[i], "ping") == 0)
            do_ping = true;
        else if (strcmp(argv[i], "dhcp") == 0)
            do_dhcp = true;
        else if (strcmp(argv[i], "mem") == 0)
            do_mem = true;
        else if (strcmp(argv[i], "scale") == 0)
            do_scale = true;
        else if (strcmp(argv[i], "bulk") == 0)
            do_bulk = true;
        else
            return usage();
    }
    char *brig_abs = realpath(argv[optind], NULL);
    if (!brig_abs || access(brig_abs, X_OK) < 0) {
        fprintf(stderr, "bench-vnet: %s: %s\n", argv[optind], strerror(errno));
        return 2;
    }
    brig = brig_abs;
    _cleanup_free_ char *png_abs = absolute(png);
    bench_enter_namespaces("bench-vnet");

    _cleanup_free_ char *lp = NULL;
    _cleanup_free_ char *top = bench_make_tree("vnet", &lp);
    lxcpath = lp;
    _cleanup_free_ char *data_abs = absolute(data);
    if (!data_abs && png_abs)
        data_abs = brig_xasprintf("%s/scale.dat", top);

    bench_print_machine();
    bench_print_versions(brig);
    bench_count_init();
    bench_print_floor(brig, 20);
    printf("\n");
    fflush(stdout);
    bench_run((const char *const[]){brig, "initenv", "nodename=bench", NULL});
    bench_bridge_add(LXC_BRIDGE, "10.198.0.1/16");

    int njails = do_scale || do_bulk ? scale : do_mem ? memn : 0;
    if (do_mem && memn > njails)
        njails = memn;
    uint64_t t0 = brig_now_ns();
    for (int k = 0; k < njails; k++) {
        char name[32], addr[32];
        snprintf(name, sizeof(name), "bv%04d", k);
        jail_addr(addr, sizeof(addr), "10.199", k);
        brig_create(name, addr);
    }
    if (njails)
        printf("created %d jails in %.1f s\n\n", njails, bench_ms(t0, brig_now_ns()) / 1000);

    if (do_ping) {
        /* brig makes its bridge at the first start: make it, then tune it. */
        if (njails == 0)
            brig_create("bv0000", "10.199.1.10");
        brig_verb("jstart", "bv0000");
        brig_verb("jstop", "bv0000");
        bench_neigh_fast(BRIG_BRIDGE);
        phase_ping(runs);
    }
    if (do_dhcp)
        phase_dhcp(runs);
    if (do_mem)
        phase_mem(memn);
    if (do_scale)
        phase_scale(scale, data_abs, png_abs);
    if (do_bulk)
        phase_bulk(scale, jobs);

    struct brig_err err = BRIG_ERR_INIT;
    if (getenv("BENCH_KEEP"))
        printf("kept %s\n", top);
    else
        brig_rm_rf(top, &err);
    free(brig_abs);
    return 0;
}
