/* The OCI runtime's verbs on the containers of one state root. create is a
 * table of steps run by brig's lifecycle engine; delete walks the same table
 * back; a create killed part-way is undone by the next command. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/sha256.h"
#include "core/util.h"
#include "oci/oci_int.h"
#include "os/linux/cgroup.h"
#include "os/linux/proc.h"
#include "os/linux/usock.h"

/* One container of a root: names derived from root and id, so an undo after
 * a crash finds everything without memory of the create. */
struct ctr {
    const char *root, *id;
    char *dir; /* <root>/<id> */
    char *cg;  /* cgroup name */
    const struct brig_oci_create_opts *opts;
    struct brig_oci_spec spec;
    bool have_spec;
    char *config_text;
    size_t config_len;
    char *rootfs;
    struct brig_cgroup_limits lim;
    pid_t pid;
    int64_t starttime;
};

const char *brig_oci_status_name(enum brig_oci_status s)
{
    static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
    return names[s];
}

int brig_oci_id_check(const char *id, struct brig_err *err)
{
    size_t n = strlen(id);
    if (n == 0 || n > 1024 || id[0] == '.')
        return brig_err_set(err, BRIG_EUSAGE, "invalid container id %s", n ? id : "\"\"");
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_-.+", *p)))
            return brig_err_set(err, BRIG_EUSAGE, "invalid container id %s", id);
    return 0;
}

/* Scope cgroups to the root: two roots may hold one id. */
void brig_oci_cgroup_scope(const char *root)
{
    struct brig_sha256 h;
    char hex[65];
    brig_sha256_init(&h);
    brig_sha256_update(&h, root, strlen(root));
    brig_sha256_final_hex(&h, hex);
    _cleanup_free_ char *node = brig_xasprintf("oci-%.12s", hex);
    struct brig_err e = BRIG_ERR_INIT;
    brig_cgroup_set_node(node, &e);
}

static void ctr_init(struct ctr *c, const char *root, const char *id)
{
    memset(c, 0, sizeof(*c));
    c->root = root;
    c->id = id;
    c->dir = brig_xasprintf("%s/%s", root, id);
    c->cg = brig_xstrdup(id);
    brig_oci_cgroup_scope(root);
}

static void ctr_free(struct ctr *c)
{
    free(c->dir);
    free(c->cg);
    free(c->config_text);
    free(c->rootfs);
    if (c->have_spec)
        brig_oci_spec_free(&c->spec);
}

static char *ctr_path(const struct ctr *c, const char *name)
{
    return brig_xasprintf("%s/%s", c->dir, name);
}

static char *journal_path(const char *root, const char *id)
{
    return brig_xasprintf("%s/.%s.journal", root, id);
}

/* An exclusive lock on the root for the verbs that change it; -1 on error. */
static int lock_root(const char *root, struct brig_err *err)
{
    if (brig_mkdir_p(root, 0711, err) < 0)
        return -1;
    _cleanup_free_ char *p = brig_xasprintf("%s/.lock", root);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", p);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return brig_err_sys(err, e, "lock %s", p);
        }
    return fd;
}

static void limits_from(const struct brig_oci_resources *r, struct brig_cgroup_limits *lim)
{
    memset(lim, 0, sizeof(*lim));
    if (r->has_memory_limit && r->memory_limit > 0)
        lim->memoryuse = (uint64_t)r->memory_limit;
    if (r->has_pids_limit && r->pids_limit > 0)
        lim->maxproc = (uint64_t)r->pids_limit;
    if (r->has_cpu_quota && r->cpu_quota > 0) {
        uint64_t period = r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000;
        uint64_t pc = (uint64_t)r->cpu_quota * 100 / period;
        lim->pcpu = (unsigned)(pc ? pc : 1);
    }
    lim->cpuset = r->cpuset_cpus && *r->cpuset_cpus ? r->cpuset_cpus : NULL;
}

static char *now_rfc3339(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return brig_xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

/* ---- the state file ---- */

static int read_ctr(const char *root, const char *id, struct ctr *c, struct brig_err *err)
{
    ctr_init(c, root, id);
    _cleanup_free_ char *sp = ctr_path(c, "state.json");
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    struct stat st;
    if (stat(c->dir, &st) < 0 || brig_read_file(sp, 1 << 20, &text, &len, err) < 0) {
        brig_err_clear(err);
        return brig_err_set(err, BRIG_EFAIL, "container %s does not exist", id);
    }
    json_object *o = json_tokener_parse(text);
    json_object *v;
    if (!o)
        return brig_err_set(err, BRIG_EFAIL, "%s: not JSON", sp);
    if (json_object_object_get_ex(o, "pid", &v))
        c->pid = (pid_t)json_object_get_int(v);
    if (json_object_object_get_ex(o, "starttime", &v))
        c->starttime = json_object_get_int64(v);
    if (json_object_object_get_ex(o, "rootfs", &v))
        c->rootfs = brig_xstrdup(json_object_get_string(v));
    json_object_put(o);
    _cleanup_free_ char *cp = ctr_path(c, "config.json");
    if (brig_read_file(cp, 16 << 20, &c->config_text, &c->config_len, err) < 0 ||
        brig_oci_spec_parse(c->config_text, c->config_len, &c->spec, err) < 0)
        return brig_err_wrap(err, "container %s", id);
    c->have_spec = true;
    limits_from(&c->spec.resources, &c->lim);
    return 0;
}

static enum brig_oci_status ctr_status(const struct ctr *c)
{
    if (c->pid <= 0 || !brig_proc_alive(c->pid, c->starttime))
        return BRIG_OCI_STOPPED;
    _cleanup_free_ char *fifo = ctr_path(c, "exec.fifo");
    if (brig_path_exists(fifo))
        return BRIG_OCI_CREATED;
    _cleanup_strv_ char **paths = NULL;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_cgroup_procs_paths(c->cg, &paths, &e) == 0)
        for (size_t i = 0; paths && paths[i]; i++) {
            char *slash = strrchr(paths[i], '/');
            *slash = '\0';
            _cleanup_free_ char *f2 = brig_xasprintf("%s/cgroup.freeze", paths[i]);
            _cleanup_free_ char *f1 = brig_xasprintf("%s/freezer.state", paths[i]);
            _cleanup_free_ char *t = NULL;
            size_t n;
            if ((brig_read_file(f2, 64, &t, &n, &e) == 0 && t[0] == '1') ||
                (brig_read_file(f1, 64, &t, &n, &e) == 0 && strncmp(t, "FROZEN", 6) == 0))
                return BRIG_OCI_PAUSED;
            free(t);
            t = NULL;
        }
    return BRIG_OCI_RUNNING;
}

static void fill_state(const struct ctr *c, enum brig_oci_status st, struct brig_oci_state *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->id = brig_xstrdup(c->id);
    _cleanup_free_ char *bp = ctr_path(c, "bundle");
    char buf[4096];
    ssize_t n = readlink(bp, buf, sizeof(buf) - 1);
    ret->bundle = brig_xstrdup(n > 0 ? (buf[n] = '\0', buf) : "");
    _cleanup_free_ char *cp = ctr_path(c, "created");
    size_t len;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file(cp, 128, &ret->created, &len, &e) < 0)
        ret->created = brig_xstrdup("");
    ret->pid = st == BRIG_OCI_STOPPED ? 0 : c->pid;
    ret->starttime = c->starttime;
    ret->status = st;
    size_t na = brig_strv_len(c->spec.annotations);
    ret->annotations = brig_xcalloc(na + 1, sizeof(char *));
    for (size_t i = 0; i < na; i++)
        ret->annotations[i] = brig_xstrdup(c->spec.annotations[i]);
}

void brig_oci_state_free(struct brig_oci_state *s)
{
    free(s->id);
    free(s->bundle);
    free(s->created);
    brig_strv_free(s->annotations);
    memset(s, 0, sizeof(*s));
}

char *brig_oci_state_json(const struct brig_oci_state *s, bool pretty)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
    json_object_object_add(o, "id", json_object_new_string(s->id));
    json_object_object_add(o, "pid", json_object_new_int(s->pid));
    json_object_object_add(o, "status", json_object_new_string(brig_oci_status_name(s->status)));
    json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
    json_object_object_add(o, "created", json_object_new_string(s->created));
    json_object *a = json_object_new_object();
    for (size_t i = 0; s->annotations[i]; i += 2)
        json_object_object_add(a, s->annotations[i], json_object_new_string(s->annotations[i + 1]));
    json_object_object_add(o, "annotations", a);
    char *r = brig_xstrdup(json_object_to_json_string_ext(
        o, (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN) |
               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return r;
}

/* The state JSON hooks read on stdin. */
static char *hook_state(const struct ctr *c, enum brig_oci_status st)
{
    struct brig_oci_state s;
    fill_state(c, st, &s);
    if (st != BRIG_OCI_STOPPED)
        s.pid = c->pid;
    char *r = brig_oci_state_json(&s, false);
    brig_oci_state_free(&s);
    return r;
}

/* ---- create's steps ---- */

static int dir_apply(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    if (mkdir(c->dir, 0700) < 0)
        return errno == EEXIST ? brig_err_set(err, BRIG_EFAIL, "container %s already exists", c->id)
                               : brig_err_sys(err, errno, "mkdir %s", c->dir);
    _cleanup_free_ char *cp = ctr_path(c, "config.json");
    _cleanup_free_ char *bp = ctr_path(c, "bundle");
    _cleanup_free_ char *tp = ctr_path(c, "created");
    _cleanup_free_ char *now = now_rfc3339();
    if (brig_write_file_atomic(cp, c->config_text, c->config_len, 0600, err) < 0 ||
        brig_write_file_atomic(tp, now, strlen(now), 0600, err) < 0)
        return -1;
    if (symlink(c->opts->bundle, bp) < 0)
        return brig_err_sys(err, errno, "link %s", bp);
    return 0;
}

static int dir_undo(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    return brig_rm_rf(c->dir, err);
}

/* linux.resources.unified: each value written to its file of the
 * container's cgroup2 directory (keys checked by the parser); a file that
 * is not there, its controller not enabled, is refused, not skipped. */
static int set_unified(const struct ctr *c, struct brig_err *err)
{
    char **u = c->spec.resources.unified;
    if (!u || !u[0])
        return 0;
    struct brig_cgroup_facts f = {0};
    _cleanup_strv_ char **paths = NULL;
    if (brig_cgroup_probe(&f, err) < 0 || brig_cgroup_procs_paths(c->cg, &paths, err) < 0)
        return -1;
    _cleanup_free_ char *prefix = f.v2_root ? brig_xasprintf("%s/", f.v2_root) : NULL;
    brig_cgroup_facts_clear(&f);
    char *dir = NULL;
    for (size_t i = 0; prefix && paths && paths[i] && !dir; i++)
        if (strncmp(paths[i], prefix, strlen(prefix)) == 0) {
            dir = paths[i];
            *strrchr(dir, '/') = '\0';
        }
    if (!dir)
        return brig_err_set(err, BRIG_EUSAGE,
                            "linux.resources.unified: this host has no cgroup2 hierarchy");
    _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return brig_err_sys(err, errno, "open %s", dir);
    for (size_t i = 0; u[i]; i += 2) {
        int fd = openat(dfd, u[i], O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return errno == ENOENT
                       ? brig_err_set(err, BRIG_EUSAGE,
                                      "linux.resources.unified: %s: the container's cgroup2 "
                                      "cgroup has no such file (its controller is not there)",
                                      u[i])
                       : brig_err_sys(err, errno, "linux.resources.unified: %s", u[i]);
        size_t len = strlen(u[i + 1]);
        ssize_t w = write(fd, u[i + 1], len);
        int e = errno;
        close(fd);
        if (w != (ssize_t)len)
            return brig_err_sys(err, e, "linux.resources.unified: %s: write %s", u[i], u[i + 1]);
    }
    return 0;
}

static int cgroup_apply(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    if (brig_cgroup_limits_check(&c->lim, err) < 0 ||
        brig_cgroup_create_for(c->cg, NULL, err) < 0 ||
        brig_cgroup_set_limits(c->cg, &c->lim, err) < 0)
        return brig_err_wrap(err, "linux.resources");
    return set_unified(c, err);
}

static int cgroup_undo(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    return brig_cgroup_destroy(c->cg, err);
}

static const int ns_flags[BRIG_OCI_NS_COUNT] = {
    [BRIG_OCI_NS_PID] = CLONE_NEWPID,       [BRIG_OCI_NS_NETWORK] = CLONE_NEWNET,
    [BRIG_OCI_NS_MOUNT] = CLONE_NEWNS,      [BRIG_OCI_NS_IPC] = CLONE_NEWIPC,
    [BRIG_OCI_NS_UTS] = CLONE_NEWUTS,       [BRIG_OCI_NS_USER] = CLONE_NEWUSER,
    [BRIG_OCI_NS_CGROUP] = CLONE_NEWCGROUP, [BRIG_OCI_NS_TIME] = 0x80 /* CLONE_NEWTIME */,
};

static int write_map(pid_t pid, const char *file, const struct brig_oci_idmap *m, size_t n,
                     struct brig_err *err)
{
    struct brig_buf b = {0};
    for (size_t i = 0; i < n; i++)
        brig_buf_addf(&b, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
    _cleanup_free_ char *text = brig_buf_steal(&b);
    brig_buf_free(&b);
    _cleanup_free_ char *p = brig_xasprintf("/proc/%d/%s", (int)pid, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", p);
    ssize_t w = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    if (w != (ssize_t)strlen(text))
        return brig_err_sys(err, e, "linux.%s: write %s",
                            file[0] == 'u' ? "uidMappings" : "gidMappings", p);
    return 0;
}

/* The answer in buf (n bytes read): "R", or "E" and why setup failed. */
static int answer_of(char *buf, ssize_t n, struct brig_err *err)
{
    if (n <= 0)
        return brig_err_set(err, BRIG_EFAIL, "the container's process ended during setup");
    buf[n] = '\0';
    if (buf[0] != 'R')
        return brig_err_set(err, BRIG_EFAIL, "%s", buf + 1);
    return 0;
}

static ssize_t read_msg(int sync, char *buf, size_t size)
{
    ssize_t n;
    do
        n = read(sync, buf, size - 1);
    while (n < 0 && errno == EINTR);
    return n;
}

int brig_oci_read_answer(int sync, bool exec_too, struct brig_err *err)
{
    char buf[1100];
    ssize_t n = read_msg(sync, buf, sizeof(buf));
    if (answer_of(buf, n, err) < 0)
        return -1;
    if (!exec_too)
        return 0;
    /* the socket closes on exec; an answer means exec failed */
    do
        n = read(sync, buf, sizeof(buf) - 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return brig_err_set(err, BRIG_EFAIL, "%s", buf + 1);
}

/* The order namespaces are joined in, runc's: the user namespace first, so
 * the others, when it owns them, are joined with its capabilities. */
static const enum brig_oci_ns join_order[] = {
    BRIG_OCI_NS_USER, BRIG_OCI_NS_IPC,   BRIG_OCI_NS_UTS,    BRIG_OCI_NS_NETWORK,
    BRIG_OCI_NS_PID,  BRIG_OCI_NS_MOUNT, BRIG_OCI_NS_CGROUP, BRIG_OCI_NS_TIME,
};

/* An fd of the namespace file at path, checked to be a namespace of kind k:
 * no symbolic link on the way but /proc's own links to namespaces, and the
 * file a namespace of that type (NS_GET_NSTYPE), so a regular file or a link
 * planted in the bundle is refused. */
static int open_ns(const char *path, enum brig_oci_ns k, struct brig_err *err)
{
    const char *kind = brig_oci_ns_name(k);
    _cleanup_free_ char *dir = brig_xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *name = path + (slash - dir) + 1;
    if (!*name)
        return brig_err_set(err, BRIG_EUSAGE, "linux.namespaces: %s is not a %s namespace", path,
                            kind);
    slash[slash == dir ? 1 : 0] = '\0';
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS};
    _cleanup_close_ int dfd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
    if (dfd < 0)
        return errno == ELOOP
                   ? brig_err_set(err, BRIG_EUSAGE,
                                  "linux.namespaces: %s: a symbolic link on the way", path)
                   : brig_err_sys(err, errno, "linux.namespaces: open %s", dir);
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return brig_err_sys(err, errno, "linux.namespaces: %s", path);
    struct statfs sf;
    if (S_ISLNK(st.st_mode) && (fstatfs(dfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC))
        return brig_err_set(err, BRIG_EUSAGE, "linux.namespaces: %s is a symbolic link", path);
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return brig_err_sys(err, errno, "linux.namespaces: open %s", path);
    int type = -1;
    if (fstatfs(fd, &sf) == 0 && sf.f_type == NSFS_MAGIC)
        type = ioctl(fd, NS_GET_NSTYPE);
    if (type != ns_flags[k]) {
        const char *is = NULL;
        for (int i = 0; i < BRIG_OCI_NS_COUNT && type >= 0; i++)
            if (ns_flags[i] == type)
                is = brig_oci_ns_name(i);
        close(fd);
        return is ? brig_err_set(err, BRIG_EUSAGE,
                                 "linux.namespaces: %s is a namespace of type %s, not %s", path, is,
                                 kind)
                  : brig_err_set(err, BRIG_EUSAGE, "linux.namespaces: %s is not a %s namespace",
                                 path, kind);
    }
    return fd;
}

/* The fds of the namespaces the config joins, opened and checked before
 * anything joins one (a joined mount namespace changes what paths name). */
static int open_joined(const struct brig_oci_spec *s, int fds[BRIG_OCI_NS_COUNT], bool *ret_any,
                       struct brig_err *err)
{
    *ret_any = false;
    for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
        fds[k] = -1;
    for (int k = 0; k < BRIG_OCI_NS_COUNT; k++) {
        if (!s->ns_path[k])
            continue;
        fds[k] = open_ns(s->ns_path[k], (enum brig_oci_ns)k, err);
        if (fds[k] < 0) {
            for (int i = 0; i < k; i++)
                if (fds[i] >= 0)
                    close(fds[i]);
            return -1;
        }
        *ret_any = true;
    }
    return 0;
}

/* In a helper process: join the namespaces in runc's order, then clone the
 * container's process into the new ones (made by the joined user namespace
 * when there is one) as the runtime's own child. "P<pid>" or "E<why>" on
 * sync. Never returns. */
static _Noreturn void join_and_clone(const int fds[BRIG_OCI_NS_COUNT], unsigned long flags,
                                     int sync, const struct brig_oci_init_args *a)
{
    struct brig_err e = BRIG_ERR_INIT;
    char msg[1100];
    int n;
    for (size_t i = 0; i < sizeof(join_order) / sizeof(join_order[0]); i++) {
        enum brig_oci_ns k = join_order[i];
        if (fds[k] >= 0 && setns(fds[k], ns_flags[k]) < 0) {
            brig_err_sys(&e, errno, "linux.namespaces: join the %s namespace %s",
                         brig_oci_ns_name(k), a->spec->ns_path[k]);
            goto fail;
        }
    }
    for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
        if (fds[k] >= 0)
            close(fds[k]);
    pid_t pid = (pid_t)syscall(SYS_clone, flags | CLONE_PARENT, NULL, NULL, NULL, NULL);
    if (pid == 0)
        brig_oci_init_main(a);
    if (pid < 0) {
        brig_err_sys(&e, errno, "clone the container's process");
        goto fail;
    }
    n = snprintf(msg, sizeof(msg), "P%d", (int)pid);
    _exit(write(sync, msg, (size_t)n) == n ? 0 : 1);
fail:
    n = snprintf(msg, sizeof(msg), "E%s", e.msg);
    if (write(sync, msg, (size_t)n) < 0)
        _exit(1);
    _exit(1);
}

/* The container's process through a helper that joins the namespaces
 * first: this process stays in its own. */
static pid_t clone_joined(const int fds[BRIG_OCI_NS_COUNT], unsigned long flags, int sync,
                          int child_sync, const struct brig_oci_init_args *a, struct brig_err *err)
{
    pid_t helper = fork();
    if (helper < 0)
        return brig_err_sys(err, errno, "fork");
    if (helper == 0) {
        close(sync);
        join_and_clone(fds, flags, child_sync, a);
    }
    int hs = 0;
    while (waitpid(helper, &hs, 0) < 0 && errno == EINTR)
        ;
    char buf[1100];
    ssize_t n = read_msg(sync, buf, sizeof(buf));
    if (n <= 0)
        return brig_err_set(err, BRIG_EFAIL, "the namespaces could not be joined");
    buf[n] = '\0';
    if (buf[0] != 'P')
        return brig_err_set(err, BRIG_EFAIL, "%s", buf + 1);
    return (pid_t)atoi(buf + 1);
}

/* The container's mounts are made, its pivot_root is next: prestart and
 * createRuntime run here, then the process gets the states its own hooks
 * read (createContainer's, then startContainer's), NUL-separated in a file. */
static int hooks_before_pivot(struct ctr *c, int sync, struct brig_err *err)
{
    _cleanup_free_ char *creating = hook_state(c, BRIG_OCI_CREATING);
    if (brig_oci_hooks_run(&c->spec, BRIG_OCI_HOOK_PRESTART, creating, err) < 0 ||
        brig_oci_hooks_run(&c->spec, BRIG_OCI_HOOK_CREATE_RUNTIME, creating, err) < 0)
        return -1;
    _cleanup_free_ char *created = hook_state(c, BRIG_OCI_CREATED);
    size_t n1 = strlen(creating) + 1, n2 = strlen(created);
    _cleanup_free_ char *both = brig_xmalloc(n1 + n2);
    memcpy(both, creating, n1);
    memcpy(both + n1, created, n2);
    _cleanup_close_ int fd = brig_oci_memfd(both, n1 + n2, err);
    if (fd < 0)
        return -1;
    if (brig_usock_send_fd(sync, "S", 1, fd) != 1)
        return brig_err_sys(err, errno, "send the hooks' states to the container's process");
    return 0;
}

static int process_apply(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    const struct brig_oci_spec *s = &c->spec;
    if (!s->has_process)
        return brig_err_set(err, BRIG_EUSAGE, "process: is required to create a container");
    if (s->process.terminal && !c->opts->console_socket)
        return brig_err_set(err, BRIG_EUSAGE, "process.terminal needs --console-socket");
    _cleanup_free_ char *fifo = ctr_path(c, "exec.fifo");
    /* writable by the process whatever user it became; the directory
     * (0700) keeps everyone else out, the process reopens it by its fd */
    if (mkfifo(fifo, 0600) < 0 || chmod(fifo, 0622) < 0)
        return brig_err_sys(err, errno, "mkfifo %s", fifo);
    _cleanup_close_ int fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
    if (fifo_fd < 0)
        return brig_err_sys(err, errno, "open %s", fifo);
    _cleanup_close_ int console = -1;
    if (s->process.terminal &&
        (console = brig_usock_connect(c->opts->console_socket, false, err)) < 0)
        return brig_err_wrap(err, "--console-socket");
    int nsfd[BRIG_OCI_NS_COUNT];
    bool joins;
    if (open_joined(s, nsfd, &joins, err) < 0)
        return -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        int e = errno;
        for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
            if (nsfd[k] >= 0)
                close(nsfd[k]);
        return brig_err_sys(err, e, "socketpair");
    }
    _cleanup_close_ int sync = sv[0];
    unsigned long flags = SIGCHLD;
    for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
        if (s->ns_given[k] && !s->ns_path[k])
            flags |= (unsigned long)ns_flags[k];
    struct brig_oci_init_args a = {.spec = s,
                                   .process = &s->process,
                                   .rootfs = c->rootfs,
                                   .sync_fd = sv[1],
                                   .fifo_fd = fifo_fd,
                                   .console_fd = console,
                                   .preserve_fds = c->opts->preserve_fds,
                                   .setup_mounts = true,
                                   .no_pivot = c->opts->no_pivot};
    pid_t pid;
    if (joins) {
        pid = clone_joined(nsfd, flags, sv[0], sv[1], &a, err);
        for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
            if (nsfd[k] >= 0)
                close(nsfd[k]);
        if (pid < 0) {
            close(sv[1]);
            return -1;
        }
    } else {
        pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
        if (pid < 0) {
            close(sv[1]);
            return brig_err_sys(err, errno, "clone the container's process");
        }
        if (pid == 0) {
            close(sv[0]);
            brig_oci_init_main(&a);
        }
    }
    close(sv[1]);
    c->pid = pid;
    c->starttime = brig_proc_starttime(pid);
    /* recorded before anything can fail, so an undo finds the process */
    _cleanup_free_ char *pp = ctr_path(c, "pid");
    _cleanup_free_ char *ptext = brig_xasprintf("%d %lld", (int)pid, (long long)c->starttime);
    if (brig_write_file_atomic(pp, ptext, strlen(ptext), 0600, err) < 0)
        return -1;
    if (s->ns_given[BRIG_OCI_NS_USER] && !s->ns_path[BRIG_OCI_NS_USER] &&
        (write_map(pid, "uid_map", s->uid_mappings, s->nuid_mappings, err) < 0 ||
         write_map(pid, "gid_map", s->gid_mappings, s->ngid_mappings, err) < 0))
        return -1;
    if (brig_cgroup_join(c->cg, pid, NULL, false, err) < 0)
        return brig_err_wrap(err, "cgroup");
    if (write(sync, "G", 1) != 1)
        return brig_err_sys(err, errno, "release the container's process");
    char buf[1100];
    ssize_t n = read_msg(sync, buf, sizeof(buf));
    if (n > 0 && buf[0] == 'H' && hooks_before_pivot(c, sync, err) < 0)
        return -1;
    if (n > 0 && buf[0] == 'H')
        n = read_msg(sync, buf, sizeof(buf));
    return answer_of(buf, n, err);
}

static int process_undo(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    _cleanup_free_ char *pp = ctr_path(c, "pid");
    _cleanup_free_ char *text = NULL;
    size_t len;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file(pp, 64, &text, &len, &e) < 0)
        return 0;
    int pid = 0;
    long long start = 0;
    if (sscanf(text, "%d %lld", &pid, &start) != 2 || pid <= 0)
        return 0;
    if (brig_proc_alive(pid, start))
        kill(pid, SIGKILL);
    /* our child when this process made it; else its parent reaps it */
    for (int i = 0; i < 500 && brig_proc_alive(pid, start); i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            break;
        usleep(2000);
    }
    (void)err;
    return 0;
}

static int state_apply(void *st, struct brig_err *err)
{
    struct ctr *c = st;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(c->id));
    json_object_object_add(o, "pid", json_object_new_int(c->pid));
    json_object_object_add(o, "starttime", json_object_new_int64(c->starttime));
    json_object_object_add(o, "rootfs", json_object_new_string(c->rootfs));
    json_object_object_add(o, "cgroup", json_object_new_string(c->cg));
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    _cleanup_free_ char *sp = ctr_path(c, "state.json");
    int r = brig_write_file_atomic(sp, text, strlen(text), 0600, err);
    json_object_put(o);
    if (r < 0)
        return -1;
    if (c->opts && c->opts->pid_file) {
        _cleanup_free_ char *pid = brig_xasprintf("%d", (int)c->pid);
        if (brig_write_file_atomic(c->opts->pid_file, pid, strlen(pid), 0644, err) < 0)
            return brig_err_wrap(err, "--pid-file");
    }
    return 0;
}

static const struct brig_step create_steps[] = {
    {"state directory", dir_apply, dir_undo},
    {"cgroup", cgroup_apply, cgroup_undo},
    {"container process", process_apply, process_undo},
    {"state", state_apply, NULL},
};
#define NSTEPS (sizeof(create_steps) / sizeof(create_steps[0]))

static int journal_mark(void *ud, const char *op, int step, struct brig_err *err)
{
    struct ctr *c = ud;
    _cleanup_free_ char *jp = journal_path(c->root, c->id);
    _cleanup_free_ char *text = brig_xasprintf("%s %d\n", op, step);
    return brig_write_file_atomic(jp, text, strlen(text), 0600, err);
}

int brig_oci_recover(const char *root, struct brig_err *err)
{
    DIR *d = opendir(root);
    if (!d)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", root);
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] != '.' || n <= 9 || strcmp(de->d_name + n - 8, ".journal") != 0)
            continue;
        _cleanup_free_ char *id = brig_xstrndup(de->d_name + 1, n - 9);
        struct ctr c;
        ctr_init(&c, root, id);
        struct brig_err e = BRIG_ERR_INIT;
        if (brig_steps_undo(create_steps, NSTEPS, &c, &e) == 0) {
            _cleanup_free_ char *jp = journal_path(root, id);
            unlink(jp);
        } else if (r == 0) {
            *err = e;
            r = -1;
        }
        ctr_free(&c);
    }
    closedir(d);
    return r;
}

int brig_oci_create(const char *root, const char *id, const struct brig_oci_create_opts *o,
                    struct brig_err *err)
{
    if (brig_oci_id_check(id, err) < 0)
        return -1;
    struct ctr c;
    ctr_init(&c, root, id);
    c.opts = o;
    int r = -1;
    _cleanup_close_ int lock = -1;
    _cleanup_free_ char *cfg = brig_xasprintf("%s/config.json", o->bundle);
    if (brig_read_file(cfg, 16 << 20, &c.config_text, &c.config_len, err) < 0)
        goto out;
    if (brig_oci_spec_parse(c.config_text, c.config_len, &c.spec, err) < 0) {
        brig_err_wrap(err, "%s", cfg);
        goto out;
    }
    c.have_spec = true;
    c.rootfs = c.spec.root_path[0] == '/' ? brig_xstrdup(c.spec.root_path)
                                          : brig_xasprintf("%s/%s", o->bundle, c.spec.root_path);
    struct stat st;
    if (stat(c.rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
        brig_err_set(err, BRIG_EUSAGE, "root.path: %s is not a directory", c.rootfs);
        goto out;
    }
    limits_from(&c.spec.resources, &c.lim);
    if (brig_cgroup_limits_check(&c.lim, err) < 0)
        goto out;
    lock = lock_root(root, err);
    if (lock < 0)
        goto out;
    if (brig_oci_recover(root, err) < 0)
        goto out;
    if (brig_path_exists(c.dir)) {
        brig_err_set(err, BRIG_EFAIL, "container %s already exists", id);
        goto out;
    }
    struct brig_journal_hook j = {journal_mark, &c};
    r = brig_steps_run("create", create_steps, NSTEPS, &c, &j, err);
    if (r != BRIG_STEPS_UNDO_FAILED) {
        _cleanup_free_ char *jp = journal_path(root, id);
        unlink(jp);
    }
    r = r < 0 ? -1 : 0;
out:
    ctr_free(&c);
    return r;
}

int brig_oci_state_get(const char *root, const char *id, struct brig_oci_state *ret,
                       struct brig_err *err)
{
    struct ctr c;
    int r = read_ctr(root, id, &c, err);
    if (r == 0)
        fill_state(&c, ctr_status(&c), ret);
    ctr_free(&c);
    return r;
}

int brig_oci_start(const char *root, const char *id, struct brig_err *err)
{
    struct ctr c;
    int r = -1;
    _cleanup_free_ char *fifo = NULL, *state = NULL;
    _cleanup_close_ int fd = -1;
    if (read_ctr(root, id, &c, err) < 0)
        goto out;
    enum brig_oci_status s = ctr_status(&c);
    if (s != BRIG_OCI_CREATED) {
        brig_err_set(err, BRIG_EFAIL, "cannot start a container that is %s, only a created one",
                     brig_oci_status_name(s));
        goto out;
    }
    fifo = ctr_path(&c, "exec.fifo");
    fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        brig_err_sys(err, errno, "open %s", fifo);
        goto out;
    }
    /* "0" once the startContainer hooks ran, else "E" and why */
    char ans[1100];
    ssize_t got = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, 100);
        if (n > 0 && (got = read(fd, ans, sizeof(ans) - 1)) > 0)
            break;
        if (!brig_proc_alive(c.pid, c.starttime)) {
            brig_err_set(err, BRIG_EFAIL, "the container's process ended before it started");
            goto out;
        }
    }
    unlink(fifo);
    if (ans[0] == 'E') {
        ans[got] = '\0';
        /* the spec: a failed startContainer hook stops the container */
        if (brig_proc_alive(c.pid, c.starttime))
            kill(c.pid, SIGKILL);
        brig_err_set(err, BRIG_EFAIL, "%s", ans + 1);
        goto out;
    }
    state = hook_state(&c, BRIG_OCI_RUNNING);
    struct brig_err e = BRIG_ERR_INIT;
    /* the process runs: a failed poststart hook is only reported */
    if (brig_oci_hooks_run(&c.spec, BRIG_OCI_HOOK_POSTSTART, state, &e) < 0)
        fprintf(stderr, "brig-runc: warning: %s\n", e.msg);
    r = 0;
out:
    ctr_free(&c);
    return r;
}

int brig_oci_kill(const char *root, const char *id, int sig, bool all, struct brig_err *err)
{
    struct ctr c;
    int r = -1;
    if (read_ctr(root, id, &c, err) < 0)
        goto out;
    enum brig_oci_status s = ctr_status(&c);
    if (s == BRIG_OCI_STOPPED && !all) {
        brig_err_set(err, BRIG_EFAIL, "container %s is not running", id);
        goto out;
    }
    if (all) {
        pid_t *pids = NULL;
        size_t n = 0;
        if (brig_cgroup_pids(c.cg, &pids, &n, err) < 0)
            goto out;
        for (size_t i = 0; i < n; i++)
            kill(pids[i], sig);
        free(pids);
        r = 0;
        goto out;
    }
    if (kill(c.pid, sig) < 0) {
        brig_err_sys(err, errno, "kill %d", (int)c.pid);
        goto out;
    }
    r = 0;
out:
    ctr_free(&c);
    return r;
}

int brig_oci_delete(const char *root, const char *id, bool force, struct brig_err *err)
{
    _cleanup_close_ int lock = lock_root(root, err);
    if (lock < 0)
        return -1;
    if (brig_oci_recover(root, err) < 0)
        return -1;
    /* runc: a forced delete of what does not exist has nothing to do */
    if (brig_oci_id_check(id, err) < 0)
        return -1;
    _cleanup_free_ char *dir = brig_xasprintf("%s/%s", root, id);
    if (force && !brig_path_exists(dir))
        return 0;
    struct ctr c;
    int r = -1;
    _cleanup_free_ char *state = NULL;
    if (read_ctr(root, id, &c, err) < 0)
        goto out;
    enum brig_oci_status s = ctr_status(&c);
    if ((s == BRIG_OCI_RUNNING || s == BRIG_OCI_PAUSED) && !force) {
        brig_err_set(err, BRIG_EFAIL, "cannot delete container %s that is not stopped: %s", id,
                     brig_oci_status_name(s));
        goto out;
    }
    if (s == BRIG_OCI_PAUSED)
        brig_oci_pause(root, id, false, err);
    state = hook_state(&c, BRIG_OCI_STOPPED);
    /* delete walks create's steps back: process, cgroup, state directory */
    if (brig_steps_undo(create_steps, NSTEPS, &c, err) < 0)
        goto out;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_oci_hooks_run(&c.spec, BRIG_OCI_HOOK_POSTSTOP, state, &e) < 0)
        fprintf(stderr, "brig-runc: warning: %s\n", e.msg);
    r = 0;
out:
    ctr_free(&c);
    return r;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int brig_oci_list(const char *root, char ***ret_ids, struct brig_err *err)
{
    *ret_ids = brig_xcalloc(1, sizeof(char *));
    DIR *d = opendir(root);
    if (!d)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", root);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        _cleanup_free_ char *sp = brig_xasprintf("%s/%s/state.json", root, de->d_name);
        if (brig_path_exists(sp))
            brig_strv_push(ret_ids, de->d_name);
    }
    closedir(d);
    qsort(*ret_ids, brig_strv_len(*ret_ids), sizeof(char *), cmp_str);
    return 0;
}

int brig_oci_pids(const char *root, const char *id, pid_t **ret_pids, size_t *ret_n,
                  struct brig_err *err)
{
    struct ctr c;
    int r = read_ctr(root, id, &c, err);
    if (r == 0)
        r = brig_cgroup_pids(c.cg, ret_pids, ret_n, err);
    ctr_free(&c);
    return r;
}

int brig_oci_pause(const char *root, const char *id, bool pause, struct brig_err *err)
{
    struct ctr c;
    int r = -1;
    _cleanup_strv_ char **paths = NULL;
    if (read_ctr(root, id, &c, err) < 0)
        goto out;
    enum brig_oci_status s = ctr_status(&c);
    if (pause ? s != BRIG_OCI_RUNNING : s != BRIG_OCI_PAUSED) {
        brig_err_set(err, BRIG_EFAIL, "container %s is %s, not %s", id, brig_oci_status_name(s),
                     pause ? "running" : "paused");
        goto out;
    }
    if (brig_cgroup_procs_paths(c.cg, &paths, err) < 0)
        goto out;
    bool done = false;
    for (size_t i = 0; paths && paths[i] && !done; i++) {
        *strrchr(paths[i], '/') = '\0';
        _cleanup_free_ char *f2 = brig_xasprintf("%s/cgroup.freeze", paths[i]);
        _cleanup_free_ char *f1 = brig_xasprintf("%s/freezer.state", paths[i]);
        const char *v = pause ? "1" : "0", *v1 = pause ? "FROZEN" : "THAWED";
        int fd = open(f2, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            fd = open(f1, O_WRONLY | O_CLOEXEC), v = v1;
        if (fd < 0)
            continue;
        done = write(fd, v, strlen(v)) == (ssize_t)strlen(v);
        close(fd);
    }
    if (!done) {
        brig_err_set(err, BRIG_EFAIL, "no freezer for container %s", id);
        goto out;
    }
    r = 0;
out:
    ctr_free(&c);
    return r;
}

int brig_oci_update(const char *root, const char *id, const struct brig_oci_resources *res,
                    struct brig_err *err)
{
    struct ctr c;
    int r = -1;
    if (read_ctr(root, id, &c, err) < 0)
        goto out;
    if (ctr_status(&c) == BRIG_OCI_STOPPED) {
        brig_err_set(err, BRIG_EFAIL, "container %s is stopped", id);
        goto out;
    }
    struct brig_oci_resources merged = c.spec.resources;
    if (res->has_memory_limit)
        merged.has_memory_limit = true, merged.memory_limit = res->memory_limit;
    if (res->has_pids_limit)
        merged.has_pids_limit = true, merged.pids_limit = res->pids_limit;
    if (res->has_cpu_quota)
        merged.has_cpu_quota = true, merged.cpu_quota = res->cpu_quota;
    if (res->has_cpu_period)
        merged.has_cpu_period = true, merged.cpu_period = res->cpu_period;
    if (res->cpuset_cpus)
        merged.cpuset_cpus = res->cpuset_cpus;
    limits_from(&merged, &c.lim);
    if (brig_cgroup_limits_check(&c.lim, err) < 0 || brig_cgroup_set_limits(c.cg, &c.lim, err) < 0)
        goto out;
    r = 0;
out:
    ctr_free(&c);
    return r;
}
