#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "cgroup_int.h"
#include "rootfs.h"

#define CG_RMDIR_WAIT_NS  (3ULL * 1000 * 1000 * 1000)
#define CG_FREEZE_WAIT_NS (1ULL * 1000 * 1000 * 1000)
#define CG_POLL_NS        (10 * 1000 * 1000)
#define CG_JNAME_MAX      200
/* How deep an init system of the jail's own may nest cgroups below the
 * jail's: systemd's slices, services and a user's session need a handful. */
#define CG_DELEGATED_DEPTH "32"

static struct {
    char node[16]; /* the workdir's node id: jails live in brig/<node>/<jname> */
    bool done;
    enum brig_cgroup_layout layout;
    struct brig_cg_hier *h;
    size_t n;
} g;

/* Controllers brig writes limits to. */
static const char *const needed_ctrls[] = {"memory", "pids", "cpu", "cpuset"};

static const char *const v1_ctrl_names[] = {
    "cpu",      "cpuacct", "cpuset",     "memory",  "devices", "freezer", "net_cls",
    "net_prio", "blkio",   "perf_event", "hugetlb", "pids",    "rdma",    "misc",
};

static void hier_clear(struct brig_cg_hier *h)
{
    free(h->root);
    brig_strv_free(h->ctrls);
    memset(h, 0, sizeof(*h));
}

static void state_reset(void)
{
    for (size_t i = 0; i < g.n; i++)
        hier_clear(&g.h[i]);
    free(g.h);
    g.h = NULL;
    g.n = 0;
    g.layout = BRIG_CGROUP_NONE;
    g.done = false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strv_sort(char **v)
{
    qsort(v, brig_strv_len(v), sizeof(*v), cmp_str);
}

static bool known_v1_ctrl(const char *s)
{
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(v1_ctrl_names); i++)
        if (strcmp(v1_ctrl_names[i], s) == 0)
            return true;
    return false;
}

/* Split a space or comma separated list into a string vector. */
static char **split_words(const char *s, const char *seps)
{
    char **v = NULL;
    _cleanup_free_ char *copy = brig_xstrdup(s);
    char *save = NULL;
    for (char *w = strtok_r(copy, seps, &save); w; w = strtok_r(NULL, seps, &save))
        brig_strv_push(&v, w);
    if (!v)
        v = brig_xcalloc(1, sizeof(*v));
    return v;
}

int brig_cg_read_trimmed(const char *path, char **ret, struct brig_err *err)
{
    char *s;
    if (brig_read_file(path, BRIG_CG_FILE_MAX, &s, NULL, err) < 0)
        return -1;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    *ret = s;
    return 0;
}

int brig_cg_write(const char *path, const char *val, struct brig_err *err)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", path);
    size_t len = strlen(val);
    ssize_t n = write(fd, val, len);
    if (n < 0) {
        int e = errno;
        brig_err_sys(err, e, "write %s to %s", val[0] == '\n' ? "nothing" : val, path);
        errno = e;
        return -1;
    }
    if ((size_t)n != len)
        return brig_err_set(err, BRIG_EFAIL, "write %s to %s: short write", val, path);
    return 0;
}

static int mountinfo_cb(const struct brig_mountinfo *mi, void *arg)
{
    bool v2 = strcmp(mi->fstype, "cgroup2") == 0;
    if (!v2 && strcmp(mi->fstype, "cgroup") != 0)
        return 0;
    bool slash = strcmp(mi->root, "/") == 0;
    for (size_t i = 0; i < g.n; i++) {
        struct brig_cg_hier *h = &g.h[i];
        if (h->major == mi->major && h->minor == mi->minor) {
            if (!h->has_root_slash && slash) {
                free(h->root);
                h->root = brig_xstrdup(mi->target);
                h->has_root_slash = true;
            }
            return 0;
        }
    }
    if (v2)
        for (size_t i = 0; i < g.n; i++)
            if (g.h[i].v2)
                return 0;
    g.h = brig_xrealloc(g.h, (g.n + 1) * sizeof(*g.h));
    struct brig_cg_hier *h = &g.h[g.n++];
    memset(h, 0, sizeof(*h));
    h->root = brig_xstrdup(mi->target);
    h->v2 = v2;
    h->has_root_slash = slash;
    h->major = mi->major;
    h->minor = mi->minor;
    if (!v2) {
        _cleanup_strv_ char **opts = split_words(mi->super_opts, ",");
        h->ctrls = brig_xcalloc(1, sizeof(char *));
        for (char **o = opts; *o; o++)
            if (known_v1_ctrl(*o) || brig_startswith(*o, "name="))
                brig_strv_push(&h->ctrls, *o);
    }
    return 0;
}

/* v2 controllers are whatever the root cgroup offers. */
static void load_v2_ctrls(struct brig_cg_hier *h)
{
    struct brig_err ignore = BRIG_ERR_INIT;
    _cleanup_free_ char *path = brig_xasprintf("%s/cgroup.controllers", h->root);
    _cleanup_free_ char *s = NULL;
    brig_strv_free(h->ctrls);
    h->ctrls = brig_cg_read_trimmed(path, &s, &ignore) < 0 ? brig_xcalloc(1, sizeof(char *))
                                                           : split_words(s, " \n");
}

static void compute_layout(void)
{
    bool v1 = false, v2 = false;
    for (size_t i = 0; i < g.n; i++) {
        if (g.h[i].v2) {
            v2 = true;
            continue;
        }
        for (char **c = g.h[i].ctrls; c && *c; c++)
            if (!brig_startswith(*c, "name="))
                v1 = true;
    }
    g.layout = v1 && v2 ? BRIG_CGROUP_HYBRID
               : v1     ? BRIG_CGROUP_V1
               : v2     ? BRIG_CGROUP_V2
                        : BRIG_CGROUP_NONE;
}

#define CG_ROOT "/sys/fs/cgroup"

/* Add hierarchy root (a directory on a cgroup file system) as v1 with the
 * controllers its name lists, or as v2; false when it is not the usual kind. */
static bool fast_add(const char *root, const char *name, bool v2)
{
    struct stat st;
    /* inode 1 is a hierarchy's root cgroup: anything else is a bind of a sub-cgroup */
    if (stat(root, &st) < 0 || st.st_ino != 1)
        return false;
    char **ctrls = NULL;
    if (!v2) {
        ctrls = brig_xcalloc(1, sizeof(char *));
        _cleanup_strv_ char **words = split_words(name, ",");
        for (char **w = words; *w; w++) {
            if (strcmp(*w, "systemd") == 0) {
                brig_strv_push(&ctrls, "name=systemd");
            } else if (known_v1_ctrl(*w)) {
                brig_strv_push(&ctrls, *w);
            } else {
                brig_strv_free(ctrls);
                return false;
            }
        }
    }
    g.h = brig_xrealloc(g.h, (g.n + 1) * sizeof(*g.h));
    g.h[g.n++] = (struct brig_cg_hier){
        .root = brig_xstrdup(root),
        .v2 = v2,
        .has_root_slash = true,
        .major = major(st.st_dev),
        .minor = minor(st.st_dev),
        .ctrls = ctrls,
    };
    return true;
}

/* The usual layouts without reading /proc/self/mountinfo, which lists every
 * running jail's root and so grows with them: /sys/fs/cgroup is cgroup2 (pure
 * v2), or a tmpfs holding one directory per hierarchy named after its
 * controllers (v1 and hybrid, as systemd mounts them). False: read mountinfo. */
static bool detect_fast(void)
{
    struct statfs sf;
    if (statfs(CG_ROOT, &sf) < 0)
        return false;
    if (sf.f_type == CGROUP2_SUPER_MAGIC)
        return fast_add(CG_ROOT, NULL, true);
    if (sf.f_type != TMPFS_MAGIC)
        return false;
    DIR *d = opendir(CG_ROOT);
    if (!d)
        return false;
    bool ok = true;
    int nv2 = 0;
    for (struct dirent *de; ok && (de = readdir(d));) {
        if (de->d_name[0] == '.' || de->d_type == DT_LNK)
            continue;
        _cleanup_free_ char *path = brig_xasprintf(CG_ROOT "/%s", de->d_name);
        if (de->d_type != DT_DIR || statfs(path, &sf) < 0) {
            ok = false;
        } else if (sf.f_type == CGROUP2_SUPER_MAGIC) {
            ok = ++nv2 == 1 && fast_add(path, NULL, true);
        } else if (sf.f_type == CGROUP_SUPER_MAGIC) {
            ok = fast_add(path, de->d_name, false);
        }
    }
    closedir(d);
    if (!ok)
        state_reset();
    return ok && g.n > 0;
}

int brig_cg_detect(struct brig_err *err)
{
    if (g.done)
        return 0;
    state_reset();
    if (detect_fast()) {
        for (size_t i = 0; i < g.n; i++)
            if (g.h[i].v2)
                load_v2_ctrls(&g.h[i]);
        compute_layout();
        g.done = true;
        return 0;
    }
    state_reset();
    if (brig_mountinfo_foreach(mountinfo_cb, NULL, err) < 0) {
        state_reset();
        return brig_err_wrap(err, "detect cgroups");
    }
    for (size_t i = 0; i < g.n; i++)
        if (g.h[i].v2)
            load_v2_ctrls(&g.h[i]);
    compute_layout();
    g.done = true;
    return 0;
}

int brig_cgroup_set_v2_root(const char *root, struct brig_err *err)
{
    state_reset();
    if (!root)
        return 0;
    struct stat st;
    if (stat(root, &st) < 0)
        return brig_err_sys(err, errno, "cgroup root %s", root);
    if (!S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "cgroup root %s: not a directory", root);
    g.h = brig_xcalloc(1, sizeof(*g.h));
    g.n = 1;
    g.h[0].root = brig_xstrdup(root);
    g.h[0].v2 = true;
    g.h[0].has_root_slash = true;
    load_v2_ctrls(&g.h[0]);
    g.layout = BRIG_CGROUP_V2;
    g.done = true;
    return 0;
}

const char *brig_cgroup_layout_name(enum brig_cgroup_layout layout)
{
    switch (layout) {
    case BRIG_CGROUP_V1:
        return "v1";
    case BRIG_CGROUP_V2:
        return "v2";
    case BRIG_CGROUP_HYBRID:
        return "hybrid";
    case BRIG_CGROUP_NONE:
        break;
    }
    return "none";
}

int brig_cgroup_probe(struct brig_cgroup_facts *ret, struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    if (brig_cg_detect(err) < 0)
        return -1;
    ret->layout = g.layout;
    ret->controllers = brig_xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < g.n; i++) {
        if (g.h[i].v2)
            ret->v2_root = brig_xstrdup(g.h[i].root);
        for (char **c = g.h[i].ctrls; c && *c; c++)
            if (!brig_startswith(*c, "name=") && !brig_strv_contains(ret->controllers, *c))
                brig_strv_push(&ret->controllers, *c);
    }
    strv_sort(ret->controllers);
    return 0;
}

void brig_cgroup_facts_clear(struct brig_cgroup_facts *f)
{
    if (!f)
        return;
    brig_strv_free(f->controllers);
    free(f->v2_root);
    memset(f, 0, sizeof(*f));
}

int brig_cg_check_jname(const char *jname, struct brig_err *err)
{
    size_t n = jname ? strlen(jname) : 0;
    if (n == 0 || n > CG_JNAME_MAX || jname[0] == '.' ||
        strspn(jname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
        return brig_err_set(err, BRIG_EUSAGE, "invalid jail name for a cgroup: '%s'",
                            jname ? jname : "");
    return 0;
}

/* The hierarchy that owns a controller, or NULL. */
struct brig_cg_hier *brig_cg_hier_of(const char *ctrl)
{
    for (size_t i = 0; i < g.n; i++)
        if (!g.h[i].v2 && brig_strv_contains(g.h[i].ctrls, ctrl))
            return &g.h[i];
    for (size_t i = 0; i < g.n; i++)
        if (g.h[i].v2 && brig_strv_contains(g.h[i].ctrls, ctrl))
            return &g.h[i];
    return NULL;
}

static struct brig_cg_hier *hier_v2(void)
{
    for (size_t i = 0; i < g.n; i++)
        if (g.h[i].v2)
            return &g.h[i];
    return NULL;
}

int brig_cgroup_set_node(const char *nodeid, struct brig_err *err)
{
    size_t n = nodeid ? strlen(nodeid) : 0;
    if (n >= sizeof(g.node) ||
        strspn(nodeid ? nodeid : "", "abcdefghijklmnopqrstuvwxyz0123456789") != n)
        return brig_err_set(err, BRIG_EUSAGE, "invalid node id for a cgroup: '%.80s'",
                            nodeid ? nodeid : "");
    memcpy(g.node, nodeid ? nodeid : "", n + 1);
    return 0;
}

char *brig_cg_parent_path(const struct brig_cg_hier *h)
{
    return g.node[0] ? brig_xasprintf("%s/" BRIG_CG_PARENT "/%s", h->root, g.node)
                     : brig_xasprintf("%s/" BRIG_CG_PARENT, h->root);
}

char *brig_cg_leaf_path(const struct brig_cg_hier *h, const char *jname)
{
    _cleanup_free_ char *parent = brig_cg_parent_path(h);
    return brig_xasprintf("%s/%s", parent, jname);
}

/* v1 cpuset: a new cgroup starts with empty cpus and mems, so no task may join. */
static int cpuset_inherit(const char *parent, const char *child, const char *file,
                          struct brig_err *err)
{
    _cleanup_free_ char *cpath = brig_xasprintf("%s/%s", child, file);
    _cleanup_free_ char *ppath = brig_xasprintf("%s/%s", parent, file);
    _cleanup_free_ char *cur = NULL, *val = NULL;
    if (brig_cg_read_trimmed(cpath, &cur, err) < 0)
        return -1;
    if (cur[0])
        return 0;
    if (brig_cg_read_trimmed(ppath, &val, err) < 0)
        return -1;
    return brig_cg_write(cpath, val, err);
}

/* v2: make the controllers brig writes limits to available to children of dir.
 * Only those: the host's root cgroup is shared, so brig changes no more of it. */
static int enable_subtree(const char *dir, struct brig_err *err)
{
    _cleanup_free_ char *cpath = brig_xasprintf("%s/cgroup.controllers", dir);
    _cleanup_free_ char *spath = brig_xasprintf("%s/cgroup.subtree_control", dir);
    _cleanup_free_ char *avail = NULL, *on = NULL;
    if (brig_cg_read_trimmed(cpath, &avail, err) < 0 || brig_cg_read_trimmed(spath, &on, err) < 0)
        return -1;
    _cleanup_strv_ char **av = split_words(avail, " \n");
    _cleanup_strv_ char **onv = split_words(on, " \n");
    struct brig_buf w = {0};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(needed_ctrls); i++)
        if (brig_strv_contains(av, needed_ctrls[i]) && !brig_strv_contains(onv, needed_ctrls[i]))
            brig_buf_addf(&w, "%s+%s", w.len ? " " : "", needed_ctrls[i]);
    int rc = w.len ? brig_cg_write(spath, w.s, err) : 0;
    brig_buf_free(&w);
    return rc;
}

/* One level below parent: made if missing, given the v1 cpuset of its parent
 * (a new cpuset cgroup starts empty, so no task may join) and, when it is to
 * hold children, the v2 controllers they need. ENOENT if parent vanished. */
static int level_make(struct brig_cg_hier *h, const char *parent, const char *dir, bool leaf,
                      struct brig_err *err)
{
    bool cpuset = !h->v2 && brig_strv_contains(h->ctrls, "cpuset");
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return errno == ENOENT ? -ENOENT : brig_err_sys(err, errno, "mkdir %s", dir);
    if (cpuset && (cpuset_inherit(parent, dir, "cpuset.cpus", err) < 0 ||
                   cpuset_inherit(parent, dir, "cpuset.mems", err) < 0))
        return -1;
    if (h->v2 && !leaf && enable_subtree(dir, err) < 0)
        return -1;
    return 0;
}

/* brig/, brig/<node>/ (when set) and the leaf in one hierarchy. Only leaves
 * hold processes, keeping v2's no-internal-process rule. */
static int create_in(struct brig_cg_hier *h, const char *jname, struct brig_err *err)
{
    _cleanup_free_ char *top = brig_xasprintf("%s/" BRIG_CG_PARENT, h->root);
    _cleanup_free_ char *parent = brig_cg_parent_path(h);
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    if (h->v2 && enable_subtree(h->root, err) < 0)
        return -1;
    int rc = level_make(h, h->root, top, false, err);
    if (rc == 0 && strcmp(top, parent) != 0)
        rc = level_make(h, top, parent, false, err);
    if (rc == 0)
        rc = level_make(h, parent, leaf, true, err);
    return rc;
}

/* Does a jail with limits lim need hierarchy h? The v2 hierarchy groups every
 * jail; a v1 one only when one of its controllers is limited (joining a v1
 * hierarchy costs an RCU grace period per write to cgroup.procs), or when there
 * is no v2 hierarchy to group the jail in. lim NULL: every hierarchy. */
static bool hier_needed(const struct brig_cg_hier *h, const struct brig_cgroup_limits *lim)
{
    if (!lim || h->v2 || !hier_v2())
        return true;
    bool cpuset = lim->cpuset && *lim->cpuset && strcmp(lim->cpuset, "0") != 0;
    for (char **c = h->ctrls; c && *c; c++) {
        if ((strcmp(*c, "memory") == 0 && lim->memoryuse) ||
            (strcmp(*c, "pids") == 0 && lim->maxproc) || (strcmp(*c, "cpu") == 0 && lim->pcpu) ||
            (strcmp(*c, "cpuset") == 0 && cpuset))
            return true;
    }
    return false;
}

int brig_cgroup_create(const char *jname, struct brig_err *err)
{
    return brig_cgroup_create_for(jname, NULL, err);
}

int brig_cgroup_create_for(const char *jname, const struct brig_cgroup_limits *lim,
                           struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    if (g.n == 0)
        return brig_err_set(err, BRIG_EFAIL, "create cgroup %s: no cgroup file system mounted",
                            jname);
    for (size_t i = 0; i < g.n; i++) {
        if (!hier_needed(&g.h[i], lim))
            continue;
        int rc = -ENOENT;
        for (int attempt = 0; rc == -ENOENT && attempt < 3; attempt++)
            rc = create_in(&g.h[i], jname, err);
        if (rc == -ENOENT) {
            _cleanup_free_ char *leaf = brig_cg_leaf_path(&g.h[i], jname);
            brig_err_sys(err, ENOENT, "mkdir %s", leaf);
        }
        if (rc < 0)
            return brig_err_wrap(err, "create cgroup %s", jname);
    }
    return 0;
}

int brig_cgroup_join(const char *jname, pid_t pid, const struct brig_cgroup_limits *lim, bool in_v2,
                     struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    if (pid <= 0)
        return brig_err_set(err, BRIG_EUSAGE, "attach to cgroup %s: invalid pid %d", jname,
                            (int)pid);
    char val[32];
    snprintf(val, sizeof(val), "%d", (int)pid);
    for (size_t i = 0; i < g.n; i++) {
        if (!hier_needed(&g.h[i], lim) || (in_v2 && g.h[i].v2))
            continue;
        _cleanup_free_ char *leaf = brig_cg_leaf_path(&g.h[i], jname);
        _cleanup_free_ char *procs = brig_xasprintf("%s/cgroup.procs", leaf);
        if (brig_cg_write(procs, val, err) < 0)
            return brig_err_wrap(err, "attach pid %d to cgroup %s", (int)pid, jname);
    }
    return 0;
}

int brig_cgroup_attach(const char *jname, pid_t pid, struct brig_err *err)
{
    return brig_cgroup_join(jname, pid, NULL, false, err);
}

int brig_cgroup_join_paths(const char *jname, const struct brig_cgroup_limits *lim,
                           char ***ret_paths, struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    char **v = brig_xcalloc(1, sizeof(*v));
    for (size_t i = 0; i < g.n; i++) {
        if (!hier_needed(&g.h[i], lim))
            continue;
        _cleanup_free_ char *leaf = brig_cg_leaf_path(&g.h[i], jname);
        _cleanup_free_ char *procs = brig_xasprintf("%s/cgroup.procs", leaf);
        brig_strv_push(&v, procs);
    }
    *ret_paths = v;
    return 0;
}

int brig_cgroup_procs_paths(const char *jname, char ***ret_paths, struct brig_err *err)
{
    return brig_cgroup_join_paths(jname, NULL, ret_paths, err);
}

int brig_cgroup_v2_open(const char *jname, int *ret_fd, struct brig_err *err)
{
    *ret_fd = -1;
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    struct brig_cg_hier *h = hier_v2();
    if (!h)
        return 0;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    int fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open cgroup %s", leaf);
    *ret_fd = fd;
    return 0;
}

int brig_cgroup_v2_procs_of(const char *jname, pid_t pid, char **ret_path, struct brig_err *err)
{
    *ret_path = NULL;
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    struct brig_cg_hier *h = hier_v2();
    if (!h || !h->has_root_slash)
        return 0;
    char file[64];
    snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    _cleanup_free_ char *text = NULL;
    if (brig_read_file(file, 65536, &text, NULL, err) < 0)
        return -1;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    const char *rel = leaf + strlen(h->root);
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!brig_startswith(line, "0::"))
            continue;
        const char *p = line + 3;
        size_t n = strlen(rel);
        /* only a cgroup below the jail's own: the init's, as its init system placed it */
        if (strncmp(p, rel, n) != 0 || (p[n] != '/' && p[n] != '\0') || strstr(p, "/.."))
            return 0;
        *ret_path = brig_xasprintf("%s%s/cgroup.procs", h->root, p);
        return 0;
    }
    return 0;
}

int brig_cgroup_delegate(const char *jname, uid_t uid, gid_t gid, struct brig_err *err)
{
    static const char *const files[] = {".", "cgroup.procs", "cgroup.threads",
                                        "cgroup.subtree_control"};
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    struct brig_cg_hier *h = hier_v2();
    if (!h)
        return 0;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    /* the limit is the host's file: jail root cannot raise it */
    _cleanup_free_ char *depth = brig_xasprintf("%s/cgroup.max.depth", leaf);
    if (brig_path_exists(depth) && brig_cg_write(depth, CG_DELEGATED_DEPTH, err) < 0)
        return -1;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *path = brig_xasprintf("%s/%s", leaf, files[i]);
        if (lchown(path, uid, gid) < 0 && errno != ENOENT)
            return brig_err_sys(err, errno, "delegate cgroup %s", path);
    }
    return 0;
}

/* The hierarchy whose tree tells which processes are in the jail. */
static struct brig_cg_hier *tracking_hier(void)
{
    struct brig_cg_hier *h = hier_v2();
    if (h)
        return h;
    if ((h = brig_cg_hier_of("freezer")))
        return h;
    return g.n ? &g.h[0] : NULL;
}

static void pids_push(pid_t **v, size_t *n, pid_t p)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i] == p)
            return;
    *v = brig_xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = p;
}

/* A subdirectory of the cgroup open as dir, or -1 (errno). */
static int open_sub(int dir, const char *name)
{
    return openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The pids of cgroup.procs in the cgroup open as dir. */
static int read_procs_at(int dir, pid_t **v, size_t *n)
{
    _cleanup_close_ int fd = openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct brig_buf b = {0};
    char chunk[4096];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            brig_buf_free(&b);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        if (b.len + (size_t)r > 64 * BRIG_CG_FILE_MAX) {
            brig_buf_free(&b);
            errno = EFBIG;
            return -1;
        }
        brig_buf_addn(&b, chunk, (size_t)r);
    }
    for (char *p = b.s; p && *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0)
            pids_push(v, n, (pid_t)pid);
        p = end + strspn(end, "\n");
    }
    brig_buf_free(&b);
    return 0;
}

/* The pids of the cgroup open as dir and of every cgroup below it. The walk
 * goes by file descriptor: an init system of the jail's own may nest its
 * cgroups deeper than a path can name. */
static int collect_pids_at(int dir, const char *top, pid_t **v, size_t *n, struct brig_err *err)
{
    if (read_procs_at(dir, v, n) < 0)
        return brig_err_sys(err, errno, "read the processes of the cgroups in %s", top);
    int dup = fcntl(dir, F_DUPFD_CLOEXEC, 3);
    DIR *d = dup < 0 ? NULL : fdopendir(dup);
    if (!d) {
        int e = errno;
        if (dup >= 0)
            close(dup);
        return brig_err_sys(err, e, "list the cgroups in %s", top);
    }
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        _cleanup_close_ int sub = open_sub(dir, de->d_name);
        if (sub < 0) {
            if (errno == ENOENT)
                continue;
            rc = brig_err_sys(err, errno, "open a cgroup in %s", top);
            break;
        }
        rc = collect_pids_at(sub, top, v, n, err);
    }
    closedir(d);
    return rc;
}

static int collect_pids(const char *dir, pid_t **v, size_t *n, struct brig_err *err)
{
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", dir);
    return collect_pids_at(fd, dir, v, n, err);
}

int brig_cgroup_pids(const char *jname, pid_t **ret_pids, size_t *ret_n, struct brig_err *err)
{
    *ret_pids = NULL;
    *ret_n = 0;
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    struct brig_cg_hier *h = tracking_hier();
    if (!h)
        return 0;
    _cleanup_free_ char *leaf = brig_cg_leaf_path(h, jname);
    if (!brig_path_exists(leaf))
        return 0;
    if (collect_pids(leaf, ret_pids, ret_n, err) < 0) {
        free(*ret_pids);
        *ret_pids = NULL;
        *ret_n = 0;
        return brig_err_wrap(err, "list processes of cgroup %s", jname);
    }
    return 0;
}

static void sleep_ns(long ns)
{
    struct timespec ts = {0, ns};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Wait until file holds want (or a line of it does), bounded. */
static bool wait_for_content(const char *file, const char *want)
{
    uint64_t deadline = brig_now_ns() + CG_FREEZE_WAIT_NS;
    do {
        struct brig_err e = BRIG_ERR_INIT;
        _cleanup_free_ char *s = NULL;
        if (brig_cg_read_trimmed(file, &s, &e) == 0 && strstr(s, want))
            return true;
        sleep_ns(CG_POLL_NS);
    } while (brig_now_ns() < deadline);
    return false;
}

static int kill_pids(const char *jname, struct brig_err *err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    if (brig_cgroup_pids(jname, &pids, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (kill(pids[i], SIGKILL) < 0 && errno != ESRCH)
            return brig_err_sys(err, errno, "kill pid %d", (int)pids[i]);
    return 0;
}

/* Freeze (so nothing forks while we look), kill every pid, thaw. */
static int kill_frozen(const char *jname, const char *freeze_file, const char *frozen,
                       const char *thawed, const char *state_file, const char *state_want,
                       struct brig_err *err)
{
    if (brig_cg_write(freeze_file, frozen, err) < 0)
        return -1;
    wait_for_content(state_file, state_want);
    int rc = kill_pids(jname, err);
    struct brig_err e2 = BRIG_ERR_INIT;
    if (brig_cg_write(freeze_file, thawed, rc < 0 ? &e2 : err) < 0 && rc == 0)
        rc = -1;
    return rc;
}

int brig_cgroup_destroy(const char *jname, struct brig_err *err)
{
    if (!brig_cgroup_exists(jname))
        return 0;
    if (brig_cgroup_kill(jname, err) < 0)
        return -1;
    return brig_cgroup_remove(jname, err);
}

int brig_cgroup_kill(const char *jname, struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    struct brig_cg_hier *v2 = hier_v2();
    struct brig_cg_hier *fz = brig_cg_hier_of("freezer");
    int rc;
    if (v2) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(v2, jname);
        _cleanup_free_ char *killf = brig_xasprintf("%s/cgroup.kill", leaf);
        _cleanup_free_ char *freeze = brig_xasprintf("%s/cgroup.freeze", leaf);
        _cleanup_free_ char *events = brig_xasprintf("%s/cgroup.events", leaf);
        if (!brig_path_exists(leaf))
            return 0;
        if (brig_path_exists(killf))
            rc = brig_cg_write(killf, "1", err);
        else if (brig_path_exists(freeze))
            rc = kill_frozen(jname, freeze, "1", "0", events, "frozen 1", err);
        else
            rc = kill_pids(jname, err);
    } else if (fz && !fz->v2) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(fz, jname);
        _cleanup_free_ char *state = brig_xasprintf("%s/freezer.state", leaf);
        if (!brig_path_exists(leaf))
            return 0;
        rc = kill_frozen(jname, state, "FROZEN", "THAWED", state, "FROZEN", err);
    } else {
        rc = kill_pids(jname, err);
    }
    return rc < 0 ? brig_err_wrap(err, "kill cgroup %s", jname) : 0;
}

int brig_cgroup_freeze(const char *jname, bool frozen, struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    struct brig_cg_hier *v2 = hier_v2();
    struct brig_cg_hier *fz = brig_cg_hier_of("freezer");
    _cleanup_free_ char *file = NULL, *state = NULL;
    const char *want = NULL;
    if (v2) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(v2, jname);
        file = brig_xasprintf("%s/cgroup.freeze", leaf);
        state = brig_xasprintf("%s/cgroup.events", leaf);
        want = frozen ? "frozen 1" : "frozen 0";
    } else if (fz && !fz->v2) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(fz, jname);
        file = brig_xasprintf("%s/freezer.state", leaf);
        state = brig_xstrdup(file);
        want = frozen ? "FROZEN" : "THAWED";
    }
    if (!file || !brig_path_exists(file))
        return brig_err_set(err, BRIG_EFAIL, "cgroup %s: no freezer to %s it with", jname,
                            frozen ? "freeze" : "thaw");
    if (brig_cg_write(file, v2 ? (frozen ? "1" : "0") : want, err) < 0)
        return brig_err_wrap(err, "%s cgroup %s", frozen ? "freeze" : "thaw", jname);
    if (frozen && !wait_for_content(state, want)) {
        struct brig_err e = BRIG_ERR_INIT;
        brig_cg_write(file, v2 ? "0" : "THAWED", &e);
        return brig_err_set(err, BRIG_EFAIL, "freeze cgroup %s: its processes did not stop in time",
                            jname);
    }
    return 0;
}

/* rmdir the cgroup name of parent and its children, waiting a bounded time
 * for busy ones. By file descriptor, as collect_pids_at: however deep an init
 * system of the jail's own nested its cgroups, they are removed. */
static int remove_tree_at(int parent, const char *name, const char *top, uint64_t deadline,
                          struct brig_err *err)
{
    int dir = open_sub(parent, name);
    if (dir < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open a cgroup in %s", top);
    DIR *d = fdopendir(dir);
    if (!d) {
        int e = errno;
        close(dir);
        return brig_err_sys(err, e, "list the cgroups in %s", top);
    }
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        rc = remove_tree_at(dirfd(d), de->d_name, top, deadline, err);
    }
    closedir(d);
    if (rc < 0)
        return -1;
    while (unlinkat(parent, name, AT_REMOVEDIR) < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || brig_now_ns() >= deadline)
            return brig_err_sys(err, errno, "rmdir %s%s%s%s", top, name == top ? "" : "/.../",
                                name == top ? "" : name,
                                errno == EBUSY ? " (processes still in it)" : "");
        sleep_ns(CG_POLL_NS);
    }
    return 0;
}

/* rmdir a cgroup and its children, waiting a bounded time for busy ones. */
static int remove_tree(const char *dir, uint64_t deadline, struct brig_err *err)
{
    return remove_tree_at(AT_FDCWD, dir, dir, deadline, err);
}

int brig_cgroup_remove(const char *jname, struct brig_err *err)
{
    if (brig_cg_check_jname(jname, err) < 0 || brig_cg_detect(err) < 0)
        return -1;
    uint64_t deadline = brig_now_ns() + CG_RMDIR_WAIT_NS;
    int rc = 0;
    for (size_t i = 0; i < g.n; i++) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(&g.h[i], jname);
        if (rc == 0)
            rc = remove_tree(leaf, deadline, err);
        else
            remove_tree(leaf, deadline, &(struct brig_err)BRIG_ERR_INIT);
    }
    return rc < 0 ? brig_err_wrap(err, "remove cgroup %s", jname) : 0;
}

bool brig_cgroup_exists(const char *jname)
{
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_cg_check_jname(jname, &e) < 0 || brig_cg_detect(&e) < 0)
        return false;
    for (size_t i = 0; i < g.n; i++) {
        _cleanup_free_ char *leaf = brig_cg_leaf_path(&g.h[i], jname);
        if (brig_path_exists(leaf))
            return true;
    }
    return false;
}

int brig_cgroup_list(char ***ret_jnames, struct brig_err *err)
{
    if (brig_cg_detect(err) < 0)
        return -1;
    char **v = brig_xcalloc(1, sizeof(*v));
    for (size_t i = 0; i < g.n; i++) {
        _cleanup_free_ char *parent = brig_cg_parent_path(&g.h[i]);
        DIR *d = opendir(parent);
        if (!d) {
            if (errno == ENOENT)
                continue;
            int e = errno;
            brig_strv_free(v);
            return brig_err_sys(err, e, "list cgroups: open %s", parent);
        }
        for (struct dirent *de; (de = readdir(d));)
            if (de->d_type == DT_DIR && de->d_name[0] != '.' && !brig_strv_contains(v, de->d_name))
                brig_strv_push(&v, de->d_name);
        closedir(d);
    }
    strv_sort(v);
    *ret_jnames = v;
    return 0;
}
