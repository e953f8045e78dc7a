/* bench-oci: `create` + `start` + `delete` of one bundle with brig-runc
 * against runc, in the same run.
 *
 *   [RUNC=/usr/sbin/runc] bench-oci /path/to/brig-runc [N]
 *
 * In its own network, mount and pid namespace: a bundle of busybox-static
 * (config.json from `brig-runc spec`, the process `true`, no terminal) is
 * created, started and deleted (--force) N times (default 30) by each
 * runtime, alternately, each with a state root of its own. Prints median and
 * p90 of the three commands' wall time, the ratio brig-runc/runc and the
 * machine's floor. Run by hand; this is not a test. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchlib.h"
#include "core/util.h"
#include "oci/spec.h"

#define WARMUP_RUNS 2

/* s with the first what replaced by with. */
static char *replace(const char *s, const char *what, const char *with)
{
    const char *p = strstr(s, what);
    if (!p)
        return brig_xstrdup(s);
    return brig_xasprintf("%.*s%s%s", (int)(p - s), s, with, p + strlen(what));
}

static double cycle(const char *runtime, const char *root, const char *bundle)
{
    const char *create[] = {runtime, "--root", root, "create", "--bundle", bundle, "b1", NULL};
    const char *start[] = {runtime, "--root", root, "start", "b1", NULL};
    const char *del[] = {runtime, "--root", root, "delete", "--force", "b1", NULL};
    return bench_run(create) + bench_run(start) + bench_run(del);
}

int main(int argc, char **argv)
{
    int n;
    _cleanup_free_ char *brig_runc =
        bench_args(argc, argv, "bench-oci", "brig-runc", 30, 10000, &n);
    const char *runc = getenv("RUNC") ? getenv("RUNC") : "/usr/sbin/runc";
    if (access(runc, X_OK) < 0) {
        fprintf(stderr, "bench-oci: runc is not installed (apt-get install runc)\n");
        return 1;
    }
    bench_enter_namespaces("bench-oci");
    char top[] = "/tmp/brig-bench-oci-XXXXXX";
    if (!mkdtemp(top)) {
        perror("mkdtemp");
        return 1;
    }
    _cleanup_free_ char *bundle = brig_xasprintf("%s/bundle", top);
    _cleanup_free_ char *bin = brig_xasprintf("%s/rootfs/bin", bundle);
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_mkdir_p(bin, 0755, &err) < 0) {
        fprintf(stderr, "bench-oci: %s\n", err.msg);
        return 1;
    }
    _cleanup_free_ char *bb = brig_xasprintf("%s/busybox", bin);
    _cleanup_free_ char *t = brig_xasprintf("%s/true", bin);
    bench_run((const char *const[]){"cp", "/bin/busybox", bb, NULL});
    if (symlink("busybox", t) < 0) {
        perror("symlink");
        return 1;
    }
    _cleanup_free_ char *spec = brig_oci_spec_default(false);
    _cleanup_free_ char *cfgp = brig_xasprintf("%s/config.json", bundle);
    /* the default runs sh on a terminal: run true without one */
    _cleanup_free_ char *t1 = replace(spec, "\"terminal\": true", "\"terminal\": false");
    _cleanup_free_ char *cfg = replace(t1, "\"sh\"", "\"true\"");
    if (brig_write_file_atomic(cfgp, cfg, strlen(cfg), 0644, &err) < 0) {
        fprintf(stderr, "bench-oci: %s\n", err.msg);
        return 1;
    }
    _cleanup_free_ char *root_b = brig_xasprintf("%s/state-brig", top);
    _cleanup_free_ char *root_r = brig_xasprintf("%s/state-runc", top);
    bench_print_machine();
    bench_print_floor(brig_runc, 20);
    for (int i = 0; i < WARMUP_RUNS; i++) {
        cycle(brig_runc, root_b, bundle);
        cycle(runc, root_r, bundle);
    }
    double *mb = brig_xcalloc((size_t)n, sizeof(double));
    double *mr = brig_xcalloc((size_t)n, sizeof(double));
    for (int i = 0; i < n; i++) {
        mb[i] = cycle(brig_runc, root_b, bundle);
        mr[i] = cycle(runc, root_r, bundle);
    }
    struct bench_stats sb = bench_stats(mb, (size_t)n), sr = bench_stats(mr, (size_t)n);
    printf("create+start+delete brig-runc: median %7.2f ms, p90 %7.2f (%d runs)\n", sb.median,
           sb.p90, n);
    printf("create+start+delete runc:      median %7.2f ms, p90 %7.2f (%d runs)\n", sr.median,
           sr.p90, n);
    printf("ratio brig-runc/runc: %.2f (median)\n", sb.median / sr.median);
    if (!getenv("BENCH_KEEP"))
        brig_rm_rf(top, &err);
    free(mb);
    free(mr);
    return 0;
}
