/* bench-export: how fast is `brig jexport` of a thin jail against GNU tar
 * with zstd (`tar --zstd`, which pipes tar into zstd at its default level, as
 * jexport's default zstd is) on the same tree?
 *
 *   bench-export /path/to/brig [N]
 *
 * In its own network, mount and pid namespace: a thin busybox jail is made,
 * started and stopped once, and its layer given 200 small files and one
 * 64 MiB file of text-like data. Then N times (default 10), alternately:
 * `brig jexport jname=J out=FILE` (spawn to exit) and
 * `tar -C LAYER --zstd -cf FILE .`, each file removed again untimed. Prints
 * median, p90 and min of each, the ratio (the target is 1.25), the archives'
 * sizes, the floor and the kernel's counts. Run by hand; this is not a test. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"

#define JAIL    "benchexp"
#define TARGET  1.25
#define BIG_MIB 64

static char *brig;

/* Write the new file path from size bytes of buf, times over, owned by st's owner. */
static void put_file(const char *path, const void *buf, size_t size, int times,
                     const struct stat *st)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        bench_die("%s: %s", path, strerror(errno));
    for (int k = 0; k < times; k++) {
        if (write(fd, buf, size) != (ssize_t)size)
            bench_die("write %s: %s", path, strerror(errno));
    }
    if (fchown(fd, st->st_uid, st->st_gid) < 0)
        bench_die("chown %s: %s", path, strerror(errno));
    close(fd);
}

/* 1 MiB of lines that differ from each other (so zstd has work to do). */
static void text_block(char *buf, size_t size, unsigned seed)
{
    size_t p = 0;
    unsigned x = seed * 2654435761u + 1;
    while (p < size) {
        x = x * 1103515245u + 12345u;
        int n = snprintf(buf + p, size - p, "%08x line %u of a jail's log, value %u\n", x, x >> 7,
                         x % 977);
        if (n < 0 || (size_t)n >= size - p)
            break;
        p += (size_t)n;
    }
    memset(buf + p, '\n', size - p);
}

/* The stopped jail's layer: 200 small files and a 64 MiB file under /srv. */
static void fill_layer(const char *upper)
{
    struct stat st;
    if (stat(upper, &st) < 0)
        bench_die("%s: %s", upper, strerror(errno));
    _cleanup_free_ char *srv = brig_xasprintf("%s/srv", upper);
    _cleanup_free_ char *small = brig_xasprintf("%s/small", srv);
    if (mkdir(srv, 0755) < 0 || mkdir(small, 0755) < 0 || chown(srv, st.st_uid, st.st_gid) < 0 ||
        chown(small, st.st_uid, st.st_gid) < 0)
        bench_die("%s: %s", small, strerror(errno));
    for (int i = 0; i < 200; i++) {
        _cleanup_free_ char *p = brig_xasprintf("%s/f%d", small, i);
        _cleanup_free_ char *text = brig_xasprintf("file %d\n", i);
        put_file(p, text, strlen(text), 1, &st);
    }
    _cleanup_free_ char *big = brig_xasprintf("%s/big", srv);
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        bench_die("%s: %s", big, strerror(errno));
    char *block = brig_xmalloc(1 << 20);
    for (int k = 0; k < BIG_MIB; k++) {
        text_block(block, 1 << 20, (unsigned)k);
        if (write(fd, block, 1 << 20) != 1 << 20)
            bench_die("write %s: %s", big, strerror(errno));
    }
    free(block);
    if (fchown(fd, st.st_uid, st.st_gid) < 0)
        bench_die("chown %s: %s", big, strerror(errno));
    close(fd);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void print_row(const char *what, const double *ms, int n)
{
    struct bench_stats s = bench_stats(ms, (size_t)n);
    printf("%-28s %4d  %9.2f %7.2f %7.2f\n", what, n, s.median, s.p90, s.min);
}

int main(int argc, char **argv)
{
    int n;
    brig = bench_args(argc, argv, "bench-export", "brig", 10, 1000, &n);
    bench_enter_namespaces("bench-export");
    _cleanup_free_ char *lp = NULL;
    _cleanup_free_ char *top = bench_make_tree("export", &lp);
    bench_private_subids(top);
    const char *wd = getenv("BRIG_WORKDIR");

    bench_print_machine();
    bench_print_versions(brig);
    bench_count_init();
    double floor_ms = bench_print_floor(brig, 20);

    bench_run((const char *const[]){brig, "initenv", "nodename=bench", NULL});
    bench_run((const char *const[]){brig, "jcreate", "jname=" JAIL, "ip4_addr=0", "exec_start=true",
                                    "exec_stop=true", NULL});
    bench_run((const char *const[]){brig, "jstart", "jname=" JAIL, NULL});
    bench_run((const char *const[]){brig, "jstop", "jname=" JAIL, NULL});
    _cleanup_free_ char *upper = brig_xasprintf("%s/jails-data/" JAIL "-data/upper", wd);
    fill_layer(upper);
    _cleanup_free_ char *bfile = brig_xasprintf("%s/j.tar.zst", top);
    _cleanup_free_ char *tfile = brig_xasprintf("%s/t.tar.zst", top);
    _cleanup_free_ char *out = brig_xasprintf("out=%s", bfile);

    printf("the jail's layer: 200 small files and one %d MiB file; runs: %d (+1 warm-up)\n\n",
           BIG_MIB, n);
    fflush(stdout);

    double *bs = brig_xcalloc((size_t)n + 1, sizeof(double));
    double *ts = brig_xcalloc((size_t)n + 1, sizeof(double));
    struct bench_counts *cb = brig_xcalloc((size_t)n + 1, sizeof(*cb));
    struct bench_counts *ct = brig_xcalloc((size_t)n + 1, sizeof(*ct));
    long long bsize = 0, tsize = 0;
    for (int i = 0; i <= n; i++) {
        bs[i] = bench_run_counted((const char *const[]){brig, "jexport", "jname=" JAIL, out, NULL},
                                  &cb[i]);
        ts[i] = bench_run_counted(
            (const char *const[]){"tar", "-C", upper, "--zstd", "-cf", tfile, ".", NULL}, &ct[i]);
        bsize = file_size(bfile);
        tsize = file_size(tfile);
        unlink(bfile);
        unlink(tfile);
    }
    /* the first round warms the page cache */
    printf("%-28s %4s  %9s %7s %7s\n", "(ms)", "runs", "median", "p90", "min");
    print_row("brig jexport (zstd)", bs + 1, n);
    print_row("tar --zstd", ts + 1, n);
    struct bench_stats sb = bench_stats(bs + 1, (size_t)n), st = bench_stats(ts + 1, (size_t)n);
    double ratio = sb.median / st.median;
    printf("\nratio brig/tar: %.3f; target %.2f: %s\n", ratio, TARGET,
           ratio <= TARGET ? "met" : "missed");
    printf("archive sizes: jexport %lld bytes, tar --zstd %lld bytes\n", bsize, tsize);
    struct bench_counts mb = bench_counts_median(cb + 1, (size_t)n);
    struct bench_counts mt = bench_counts_median(ct + 1, (size_t)n);
    char buf[160];
    printf("floor: brig --version %.2f ms (above); counts of one run (medians):\n", floor_ms);
    printf("  jexport:    %s\n", bench_counts_str(&mb, buf, sizeof(buf)));
    printf("  tar --zstd: %s\n", bench_counts_str(&mt, buf, sizeof(buf)));

    struct brig_err err = BRIG_ERR_INIT;
    if (getenv("BENCH_KEEP"))
        printf("kept %s\n", top);
    else
        brig_rm_rf(top, &err);
    free(bs);
    free(ts);
    free(cb);
    free(ct);
    free(brig);
    return 0;
}
