#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cgroup_int.h"
#include "core/util.h"

#define CG_CPU_PERIOD  100000
#define CG_MEMORY_MIN  (1024ULL * 1024)
#define CG_PCPU_MAX    100000
#define CG_MAXPROC_MAX 4194304ULL
#define CG_CPUS_MAX    8192

/* Parse a CPU list like "0-3,5"; syntax only. */
static int check_cpulist(const char *s, struct brig_err *err)
{
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        if (*p < '0' || *p > '9')
            goto bad;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (errno || a >= 8192)
            goto bad;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9')
                goto bad;
            b = strtoul(p, &end, 10);
            if (errno || b >= 8192 || b < a)
                goto bad;
            p = end;
        }
        if (*p == '\0')
            return 0;
        if (*p != ',')
            goto bad;
        p++;
    }
bad:
    return brig_err_set(err, BRIG_EUSAGE, "invalid cpuset '%s': expected a CPU list like 0-1,3", s);
}

static bool cpuset_is_all(const char *s)
{
    return !s || !s[0] || strcmp(s, "0") == 0;
}

int brig_cgroup_limits_check(const struct brig_cgroup_limits *lim, struct brig_err *err)
{
    if (lim->memoryuse && lim->memoryuse < CG_MEMORY_MIN)
        return brig_err_set(err, BRIG_EUSAGE,
                            "memoryuse: %llu bytes is below the minimum of 1m (0: no limit)",
                            (unsigned long long)lim->memoryuse);
    if (lim->memoryuse > (uint64_t)INT64_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "invalid memoryuse %llu: too large",
                            (unsigned long long)lim->memoryuse);
    if (lim->maxproc > CG_MAXPROC_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "invalid maxproc %llu: above %llu",
                            (unsigned long long)lim->maxproc, CG_MAXPROC_MAX);
    if (lim->pcpu > CG_PCPU_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "invalid pcpu %u: above %u", lim->pcpu, CG_PCPU_MAX);
    if (!cpuset_is_all(lim->cpuset) && check_cpulist(lim->cpuset, err) < 0)
        return -1;
    return 0;
}

/* Mark the CPUs of list s (syntax checked) in set. */
static void cpulist_mark(const char *s, bool set[CG_CPUS_MAX])
{
    for (const char *p = s; *p;) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        for (unsigned long c = a; c <= b && c < CG_CPUS_MAX; c++)
            set[c] = true;
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p)
            break;
    }
}

/* The limits against this host: the controllers they need are there and the
 * CPUs of cpuset are online. BRIG_EUSAGE naming the parameter. */
int brig_cgroup_limits_host_check(const struct brig_cgroup_limits *lim, struct brig_err *err)
{
    static const struct {
        const char *param, *ctrl;
    } needs[] = {
        {"memoryuse", "memory"}, {"maxproc", "pids"}, {"pcpu", "cpu"}, {"cpuset", "cpuset"}};
    bool wanted[] = {lim->memoryuse != 0, lim->maxproc != 0, lim->pcpu != 0,
                     !cpuset_is_all(lim->cpuset)};
    if (brig_cgroup_limits_check(lim, err) < 0)
        return -1;
    if (!(wanted[0] || wanted[1] || wanted[2] || wanted[3]))
        return 0;
    struct brig_err e = BRIG_ERR_INIT;
    bool detected = brig_cg_detect(&e) == 0;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(needs); i++) {
        if (wanted[i] && (!detected || !brig_cg_hier_of(needs[i].ctrl)))
            return brig_err_set(err, BRIG_EUSAGE, "%s: no %s cgroup controller on this host",
                                needs[i].param, needs[i].ctrl);
    }
    if (!wanted[3])
        return 0;
    _cleanup_free_ char *online = NULL;
    if (brig_read_file("/sys/devices/system/cpu/online", 4096, &online, NULL, err) < 0)
        return brig_err_wrap(err, "cpuset");
    online[strcspn(online, "\n")] = '\0';
    if (check_cpulist(online, NULL) < 0)
        return brig_err_set(err, BRIG_EFAIL, "cpuset: cannot read this host's CPUs from '%.40s'",
                            online);
    _cleanup_free_ bool *have = brig_xcalloc(CG_CPUS_MAX, sizeof(bool));
    _cleanup_free_ bool *want = brig_xcalloc(CG_CPUS_MAX, sizeof(bool));
    cpulist_mark(online, have);
    cpulist_mark(lim->cpuset, want);
    for (unsigned c = 0; c < CG_CPUS_MAX; c++) {
        if (want[c] && !have[c])
            return brig_err_set(err, BRIG_EUSAGE, "cpuset: CPU %u is not on this host (CPUs %s)", c,
                                online);
    }
    return 0;
}

static int need_ctrl(const char *jname, const char *ctrl, const char *param, bool wanted,
                     struct brig_cg_hier **ret, struct brig_err *err)
{
    *ret = brig_cg_hier_of(ctrl);
    if (!*ret && wanted)
        return brig_err_set(err, BRIG_EFAIL, "%s: no %s cgroup controller on this host", param,
                            ctrl);
    /* no limit, and the jail has no cgroup in that hierarchy (brig makes one only
     * where a limit needs it): nothing to reset */
    if (*ret && !wanted) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(*ret, jname);
        if (!brig_path_exists(leaf))
            *ret = NULL;
    }
    return 0;
}

static int set_cpuset(const char *jname, const char *cpus, struct brig_err *err)
{
    struct brig_cg_hier *h;
    bool all = cpuset_is_all(cpus);
    if (need_ctrl(jname, "cpuset", "cpuset", !all, &h, err) < 0 || !h)
        return h || all ? 0 : -1;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    _cleanup_free_ char *file = brig_xasprintf("%s/cpuset.cpus", leaf);
    _cleanup_free_ char *parent_val = NULL;
    const char *val = cpus;
    if (all && h->v2) {
        val = "\n";
    } else if (all) {
        _cleanup_free_ char *parent = brig_cg_parent_path(h);
        _cleanup_free_ char *pfile = brig_xasprintf("%s/cpuset.cpus", parent);
        if (brig_cg_read_trimmed(pfile, &parent_val, err) < 0)
            return -1;
        val = parent_val;
    }
    if (brig_cg_write(file, val, err) < 0) {
        if ((errno == EINVAL || errno == ERANGE) && !all)
            return brig_err_set(err, BRIG_EUSAGE, "cpuset %s: CPUs not available on this host",
                                cpus);
        return -1;
    }
    return 0;
}

static int set_memory_v1(const char *leaf, uint64_t bytes, struct brig_err *err)
{
    _cleanup_free_ char *mem = brig_xasprintf("%s/memory.limit_in_bytes", leaf);
    _cleanup_free_ char *sw = brig_xasprintf("%s/memory.memsw.limit_in_bytes", leaf);
    _cleanup_free_ char *val =
        bytes ? brig_xasprintf("%llu", (unsigned long long)bytes) : brig_xstrdup("-1");
    if (!brig_path_exists(sw))
        return brig_cg_write(mem, val, err);
    /* memsw must stay >= limit: raise memsw first, lower limit first. */
    if (!bytes)
        return brig_cg_write(sw, val, err) < 0 ? -1 : brig_cg_write(mem, val, err);
    if (brig_cg_write(mem, val, err) == 0)
        return brig_cg_write(sw, val, err);
    if (errno != EINVAL)
        return -1;
    return brig_cg_write(sw, val, err) < 0 ? -1 : brig_cg_write(mem, val, err);
}

static int set_memory(const char *jname, uint64_t bytes, struct brig_err *err)
{
    struct brig_cg_hier *h;
    if (need_ctrl(jname, "memory", "memoryuse", bytes != 0, &h, err) < 0)
        return -1;
    if (!h)
        return 0;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    if (!h->v2)
        return set_memory_v1(leaf, bytes, err);
    _cleanup_free_ char *max = brig_xasprintf("%s/memory.max", leaf);
    _cleanup_free_ char *sw = brig_xasprintf("%s/memory.swap.max", leaf);
    _cleanup_free_ char *val =
        bytes ? brig_xasprintf("%llu", (unsigned long long)bytes) : brig_xstrdup("max");
    if (brig_cg_write(max, val, err) < 0)
        return -1;
    /* memoryuse bounds memory plus swap, as memsw does on v1. */
    if (brig_path_exists(sw) && brig_cg_write(sw, bytes ? "0" : "max", err) < 0)
        return -1;
    return 0;
}

static int set_pids(const char *jname, uint64_t maxproc, struct brig_err *err)
{
    struct brig_cg_hier *h;
    if (need_ctrl(jname, "pids", "maxproc", maxproc != 0, &h, err) < 0)
        return -1;
    if (!h)
        return 0;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    _cleanup_free_ char *file = brig_xasprintf("%s/pids.max", leaf);
    _cleanup_free_ char *val =
        maxproc ? brig_xasprintf("%llu", (unsigned long long)maxproc) : brig_xstrdup("max");
    return brig_cg_write(file, val, err);
}

static int set_cpu(const char *jname, unsigned pcpu, struct brig_err *err)
{
    struct brig_cg_hier *h;
    if (need_ctrl(jname, "cpu", "pcpu", pcpu != 0, &h, err) < 0)
        return -1;
    if (!h)
        return 0;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    unsigned long long quota = (unsigned long long)pcpu * CG_CPU_PERIOD / 100;
    if (h->v2) {
        _cleanup_free_ char *file = brig_xasprintf("%s/cpu.max", leaf);
        _cleanup_free_ char *val = pcpu ? brig_xasprintf("%llu %d", quota, CG_CPU_PERIOD)
                                        : brig_xasprintf("max %d", CG_CPU_PERIOD);
        return brig_cg_write(file, val, err);
    }
    _cleanup_free_ char *pfile = brig_xasprintf("%s/cpu.cfs_period_us", leaf);
    _cleanup_free_ char *qfile = brig_xasprintf("%s/cpu.cfs_quota_us", leaf);
    _cleanup_free_ char *period = brig_xasprintf("%d", CG_CPU_PERIOD);
    _cleanup_free_ char *qval = pcpu ? brig_xasprintf("%llu", quota) : brig_xstrdup("-1");
    if (brig_cg_write(pfile, period, err) < 0)
        return -1;
    return brig_cg_write(qfile, qval, err);
}

int brig_cgroup_set_limits(const char *jname, const struct brig_cgroup_limits *lim,
                           struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cgroup_limits_check(lim, err) < 0 ||
        brig_cg_detect(err) < 0)
        return -1;
    /* cpuset first: it is the one the kernel may refuse for the host's sake. */
    if (set_cpuset(jname, lim->cpuset, err) < 0 || set_memory(jname, lim->memoryuse, err) < 0 ||
        set_pids(jname, lim->maxproc, err) < 0 || set_cpu(jname, lim->pcpu, err) < 0)
        return brig_err_wrap(err, "set limits of cgroup %s", jname);
    return 0;
}

int brig_cgroup_apply_openfiles(uint64_t openfiles, struct brig_err *err)
{
    if (!openfiles)
        return 0;
    struct rlimit rl = {.rlim_cur = (rlim_t)openfiles, .rlim_max = (rlim_t)openfiles};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return brig_err_sys(err, errno, "set openfiles to %llu", (unsigned long long)openfiles);
    return 0;
}
