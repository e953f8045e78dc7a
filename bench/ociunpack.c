/* bench-oci-unpack: how fast does brig make a base of an OCI image, against
 * `umoci unpack` of the same image?
 *
 *   bench-oci-unpack /path/to/brig [RUNS]
 *
 * Makes an image of ~100 MiB (3,200 files of 1-64 KiB, half of each block
 * random so gzip halves it, 200 directories, 400 symbolic links) with umoci
 * in a temporary tree, then times RUNS (default 5) rounds of `brig repo
 * action=get sources=oci` (the base removed after each, its layers with it,
 * so each round unpacks) and `umoci unpack` into a fresh bundle, alternately,
 * reading the same blobs from the page cache. Prints the medians, the ratio
 * and the machine's floor. Run by hand; this is not a test. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchlib.h"
#include "util.h"

#define NFILES 3200
#define NDIRS  200
#define NLINKS 400

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* The image's root: files whose blocks are half random, half a repeated line. */
static uint64_t make_tree(const char *root)
{
    static const char line[] = "the quick brown fox jumps over the lazy dog 0123456789\n";
    char path[4096], block[4096];
    uint64_t total = 0;
    for (int d = 0; d < NDIRS; d++) {
        snprintf(path, sizeof(path), "%s/usr/lib/d%03d", root, d);
        struct brig_err err = BRIG_ERR_INIT;
        if (brig_mkdir_p(path, 0755, &err) < 0)
            bench_die("%s", err.msg);
    }
    for (int i = 0; i < NFILES; i++) {
        size_t size = (size_t)(next() % 64 + 1) * 1024;
        snprintf(path, sizeof(path), "%s/usr/lib/d%03d/f%05d", root, i % NDIRS, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            bench_die("create %s: %s", path, strerror(errno));
        for (size_t done = 0; done < size; done += sizeof(block)) {
            for (size_t k = 0; k < sizeof(block) / 2; k += 8) {
                uint64_t r = next();
                memcpy(block + k, &r, 8);
            }
            for (size_t k = sizeof(block) / 2; k < sizeof(block); k++)
                block[k] = line[k % (sizeof(line) - 1)];
            if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
                bench_die("write %s", path);
        }
        close(fd);
        total += size;
    }
    for (int i = 0; i < NLINKS; i++) {
        char target[64];
        snprintf(target, sizeof(target), "../d%03d/f%05d", (i * 7) % NDIRS, (i * 7) % NFILES);
        snprintf(path, sizeof(path), "%s/usr/lib/d%03d/l%05d", root, i % NDIRS, i);
        if (symlink(target, path) < 0)
            bench_die("symlink %s: %s", path, strerror(errno));
    }
    return total;
}

static double median_of(double *v, size_t n)
{
    return bench_stats(v, n).median;
}

int main(int argc, char **argv)
{
    int runs;
    char *brig = bench_args(argc, argv, "bench-oci-unpack", "brig", 5, 100, &runs);
    bench_enter_namespaces("bench-oci-unpack");
    bench_print_machine();
    char *lxc;
    _cleanup_free_ char *top = bench_make_tree("oci", &lxc);
    free(lxc);
    bench_print_floor(brig, 20);

    _cleanup_free_ char *layout = brig_xasprintf("%s/img", top);
    _cleanup_free_ char *ref = brig_xasprintf("%s:v1", layout);
    _cleanup_free_ char *bundle = brig_xasprintf("%s/build", top);
    _cleanup_free_ char *rootfs = brig_xasprintf("%s/rootfs", bundle);
    _cleanup_free_ char *image = brig_xasprintf("oci:%s", ref);
    _cleanup_free_ char *out = brig_xasprintf("%s/unpacked", top);
    bench_run((const char *[]){brig, "initenv", "nodename=bench.test", NULL});
    bench_run((const char *[]){"umoci", "init", "--layout", layout, NULL});
    bench_run((const char *[]){"umoci", "new", "--image", ref, NULL});
    bench_run((const char *[]){"umoci", "unpack", "--image", ref, bundle, NULL});
    uint64_t bytes = make_tree(rootfs);
    bench_run((const char *[]){"umoci", "repack", "--image", ref, bundle, NULL});
    printf("image: %.1f MiB in %d files, %d directories, %d symbolic links\n",
           (double)bytes / (1 << 20), NFILES, NDIRS, NLINKS);

    double *tb = brig_xcalloc((size_t)runs, sizeof(double));
    double *tu = brig_xcalloc((size_t)runs, sizeof(double));
    /* a warm-up of each: the blobs in the page cache for both */
    _cleanup_free_ char *img = brig_xasprintf("image=%s", image);
    bench_run((const char *[]){brig, "repo", "action=get", "sources=oci", "base=bench", img, NULL});
    bench_run((const char *[]){brig, "repo", "action=remove", "base=bench", NULL});
    bench_run((const char *[]){"umoci", "unpack", "--image", ref, out, NULL});
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_rm_rf(out, &err) < 0)
        bench_die("%s", err.msg);
    for (int i = 0; i < runs; i++) {
        tb[i] = bench_run(
            (const char *[]){brig, "repo", "action=get", "sources=oci", "base=bench", img, NULL});
        bench_run((const char *[]){brig, "repo", "action=remove", "base=bench", NULL});
        sync();
        tu[i] = bench_run((const char *[]){"umoci", "unpack", "--image", ref, out, NULL});
        if (brig_rm_rf(out, &err) < 0)
            bench_die("%s", err.msg);
        sync();
    }
    double mb = median_of(tb, (size_t)runs), mu = median_of(tu, (size_t)runs);
    printf("\n%-34s %10s\n", "unpack of the image (median ms)", "ms");
    printf("%-34s %10.0f\n", "brig repo action=get sources=oci", mb);
    printf("%-34s %10.0f\n", "umoci unpack", mu);
    printf("ratio brig / umoci: %.2f (target <= 1.25), %d runs\n", mb / mu, runs);
    free(tb);
    free(tu);
    free(brig);
    if (!getenv("BENCH_KEEP") && brig_rm_rf(top, &err) < 0)
        bench_die("%s", err.msg);
    return 0;
}
