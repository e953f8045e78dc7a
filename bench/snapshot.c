/* bench-snapshot: how fast is `brig jsnapshot action=create` of a thin jail
 * against `cp -a --reflink=auto` of the same layer?
 *
 *   bench-snapshot /path/to/brig [N]
 *
 * In its own network, mount and pid namespace: a thin busybox jail is made,
 * started and stopped once, and its layer given 200 small files and one
 * 32 MiB file. Then
 * N times (default 20), alternately: `brig jsnapshot jname=J action=create`
 * (spawn to exit) and `cp -a --reflink=auto` of the jail's layer
 * (jails-data/J-data/upper) to a new directory on the same file system, each
 * removed again untimed. Prints whether the workdir's file system makes
 * reflinks (FICLONE), median, p90 and min of each, the ratio, and the target
 * (100 ms without ZFS or btrfs snapshots, where reflinks are available). Run
 * by hand; this is not a test. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "benchlib.h"

#define JAIL      "benchsnap"
#define TARGET_MS 100.0

static char *brig;

/* Whether the file system of dir clones a file's blocks (FICLONE). */
static bool has_reflinks(const char *dir)
{
    _cleanup_free_ char *a = brig_xasprintf("%s/.reflink-a", dir);
    _cleanup_free_ char *b = brig_xasprintf("%s/.reflink-b", dir);
    _cleanup_close_ int fa = open(a, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    _cleanup_close_ int fb = open(b, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fa >= 0 && fb >= 0 && write(fa, "x", 1) == 1 && ioctl(fb, FICLONE, fa) == 0;
    unlink(a);
    unlink(b);
    return ok;
}

static const char *fs_name(const char *dir)
{
    struct statfs sf;
    if (statfs(dir, &sf) < 0)
        return "?";
    switch ((unsigned long)sf.f_type) {
    case 0xEF53UL:
        return "ext4";
    case 0x58465342UL:
        return "xfs";
    case 0x9123683EUL:
        return "btrfs";
    case 0x01021994UL:
        return "tmpfs";
    case 0x2FC12FC1UL:
        return "zfs";
    case 0x794c7630UL:
        return "overlay";
    default:
        return "other";
    }
}

/* Write size bytes of buf, repeated times, to the new file path, owned by st's owner. */
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

/* Give the stopped jail's layer what the jail would have written: 200 small
 * files and one of 32 MiB under /srv, owned by the jail's root (the layer's owner). */
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
    static const char block[1 << 20];
    _cleanup_free_ char *big = brig_xasprintf("%s/big", srv);
    put_file(big, block, sizeof(block), 32, &st);
}

static void print_row(const char *what, const double *ms, int n)
{
    struct bench_stats s = bench_stats(ms, (size_t)n);
    printf("%-28s %4d  %9.2f %7.2f %7.2f\n", what, n, s.median, s.p90, s.min);
}

int main(int argc, char **argv)
{
    int n;
    brig = bench_args(argc, argv, "bench-snapshot", "brig", 20, 10000, &n);
    bench_enter_namespaces("bench-snapshot");
    _cleanup_free_ char *lp = NULL;
    _cleanup_free_ char *top = bench_make_tree("snapshot", &lp);
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
    _cleanup_free_ char *cpdir = brig_xasprintf("%s/jails-data/cp", wd);

    bool reflinks = has_reflinks(upper);
    printf("file system of the workdir: %s, reflinks (FICLONE): %s\n", fs_name(upper),
           reflinks ? "yes" : "no");
    printf("the jail's layer: 200 small files and one 32 MiB file; runs: %d (+1 warm-up)\n\n", n);
    fflush(stdout);

    double *bs = brig_xcalloc((size_t)n + 1, sizeof(double));
    double *cs = brig_xcalloc((size_t)n + 1, sizeof(double));
    struct bench_counts *cb = brig_xcalloc((size_t)n + 1, sizeof(*cb));
    struct bench_counts *cc = brig_xcalloc((size_t)n + 1, sizeof(*cc));
    for (int i = 0; i <= n; i++) {
        _cleanup_free_ char *name = brig_xasprintf("snapname=s%d", i);
        bs[i] = bench_run_counted(
            (const char *const[]){brig, "jsnapshot", "jname=" JAIL, "action=create", name, NULL},
            &cb[i]);
        bench_run(
            (const char *const[]){brig, "jsnapshot", "jname=" JAIL, "action=remove", name, NULL});
        cs[i] = bench_run_counted(
            (const char *const[]){"cp", "-a", "--reflink=auto", upper, cpdir, NULL}, &cc[i]);
        bench_run((const char *const[]){"rm", "-rf", cpdir, NULL});
    }
    /* the first round warms the page cache */
    printf("%-28s %4s  %9s %7s %7s\n", "(ms)", "runs", "median", "p90", "min");
    print_row("brig jsnapshot action=create", bs + 1, n);
    print_row("cp -a --reflink=auto", cs + 1, n);
    struct bench_stats sb = bench_stats(bs + 1, (size_t)n), sc = bench_stats(cs + 1, (size_t)n);
    printf("\nratio brig/cp: %.3f; target %.0f ms (with reflinks): %s\n", sb.median / sc.median,
           TARGET_MS,
           !reflinks                ? "not applicable (no reflinks here)"
           : sb.median <= TARGET_MS ? "met"
                                    : "missed");
    struct bench_counts m = bench_counts_median(cb + 1, (size_t)n);
    struct bench_counts mc = bench_counts_median(cc + 1, (size_t)n);
    char buf[160];
    printf("floor: brig --version %.2f ms (above); counts of one run (medians):\n", floor_ms);
    printf("  jsnapshot create: %s\n", bench_counts_str(&m, buf, sizeof(buf)));
    printf("  cp -a:            %s\n", bench_counts_str(&mc, buf, sizeof(buf)));

    struct brig_err err = BRIG_ERR_INIT;
    if (getenv("BENCH_KEEP"))
        printf("kept %s\n", top);
    else
        brig_rm_rf(top, &err);
    free(bs);
    free(cs);
    free(cb);
    free(cc);
    free(brig);
    return 0;
}
