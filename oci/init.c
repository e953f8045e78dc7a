/* The container's process: set up in its new namespaces while the runtime
 * waits, then blocked on exec.fifo until `start`, then the user's program.
 * The same code, without the mounts, is the process `exec` runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "core/util.h"
#include "oci/oci_int.h"
#include "oci/runtime.h"
#include "os/linux/usock.h"

/* Tell the runtime why setup failed, and end. */
static _Noreturn void die(int sync, const struct brig_err *err)
{
    char msg[sizeof(err->msg) + 1];
    int n = snprintf(msg, sizeof(msg), "E%s", err->msg);
    if (write(sync, msg, (size_t)n) < 0) {
        /* the runtime is gone: nobody to tell */
    }
    _exit(1);
}

/* fd of path under the root fd, resolved inside it; missing directories are
 * made, and the last component as a directory (dir) or an empty file. */
static int open_in_root(int rootfd, const char *path, bool dir, struct brig_err *err)
{
    _cleanup_free_ char *copy = brig_xstrdup(path);
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int cur = (int)syscall(SYS_openat2, rootfd, ".", &how, sizeof(how));
    if (cur < 0)
        return brig_err_sys(err, errno, "open the root");
    char *save = NULL;
    _cleanup_free_ char *prefix = brig_xstrdup("");
    char *comp = strtok_r(copy, "/", &save);
    while (comp) {
        char *next = strtok_r(NULL, "/", &save);
        char *p2 = brig_xasprintf("%s/%s", prefix, comp);
        free(prefix);
        prefix = p2;
        int fd = (int)syscall(SYS_openat2, rootfd, prefix + 1, &how, sizeof(how));
        if (fd < 0 && errno == ENOENT) {
            int r;
            if (next || dir)
                r = mkdirat(cur, comp, 0755);
            else
                r = mknodat(cur, comp, S_IFREG | 0644, 0);
            if (r < 0 && errno != EEXIST) {
                int e = errno;
                close(cur);
                return brig_err_sys(err, e, "make %s", prefix);
            }
            fd = (int)syscall(SYS_openat2, rootfd, prefix + 1, &how, sizeof(how));
        }
        if (fd < 0) {
            int e = errno;
            close(cur);
            return brig_err_sys(err, e, "open %s", prefix);
        }
        close(cur);
        cur = fd;
        comp = next;
    }
    return cur;
}

static const struct {
    const char *name;
    bool clear;
    unsigned long flag;
} mount_flags[] = {
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"dirsync", false, MS_DIRSYNC},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
    {"remount", false, MS_REMOUNT},
};

static const struct {
    const char *name;
    unsigned long flag;
} propagations[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

unsigned long brig_oci_propagation(const char *name)
{
    for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
        if (strcmp(name, propagations[i].name) == 0)
            return propagations[i].flag;
    return 0;
}

/* Options into mount flags, propagation flags and the data string. */
static void mount_options(char *const *opts, unsigned long *ret_flags, unsigned long *ret_prop,
                          char **ret_data)
{
    struct brig_buf data = {0};
    *ret_flags = 0;
    *ret_prop = 0;
    for (size_t i = 0; opts[i]; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof(mount_flags) / sizeof(mount_flags[0]); k++)
            if (strcmp(opts[i], mount_flags[k].name) == 0) {
                if (mount_flags[k].clear)
                    *ret_flags &= ~mount_flags[k].flag;
                else
                    *ret_flags |= mount_flags[k].flag;
                known = true;
            }
        unsigned long p = brig_oci_propagation(opts[i]);
        if (p) {
            *ret_prop |= p;
            known = true;
        }
        /* idmapped mounts, tmpcopyup and the like are not done: skipped */
        if (!known && !strchr(opts[i], '=') && strcmp(opts[i], "tmpcopyup") != 0 &&
            strcmp(opts[i], "private") != 0)
            known = strncmp(opts[i], "x-", 2) == 0;
        if (!known) {
            if (data.len)
                brig_buf_addc(&data, ',');
            brig_buf_add(&data, opts[i]);
        }
    }
    *ret_data = data.len ? brig_buf_steal(&data) : NULL;
    brig_buf_free(&data);
}

static int fd_path(int fd, char *buf, size_t n)
{
    return snprintf(buf, n, "/proc/self/fd/%d", fd);
}

/* The fd of path again: the one opened before a mount still names what
 * the mount covers, not the mount. */
static int reopen(int rootfd, const char *path, int *fd, char *tp, size_t n, struct brig_err *err)
{
    int nfd = open_in_root(rootfd, path, true, err);
    if (nfd < 0)
        return -1;
    close(*fd);
    *fd = nfd;
    fd_path(nfd, tp, n);
    return 0;
}

/* A mount of the config onto its destination under the root. */
static int do_mount(int rootfd, const struct brig_oci_mount *m, struct brig_err *err)
{
    unsigned long flags, prop;
    _cleanup_free_ char *data = NULL;
    mount_options(m->options, &flags, &prop, &data);
    const char *type = m->type;
    bool bind = (flags & MS_BIND) || (type && strcmp(type, "bind") == 0);
    if (bind)
        flags |= MS_BIND;
    bool dir = true;
    if (bind && m->source) {
        struct stat st;
        if (stat(m->source, &st) < 0)
            return brig_err_sys(err, errno, "%s: source %s", m->destination, m->source);
        dir = S_ISDIR(st.st_mode);
    }
    _cleanup_close_ int target = open_in_root(rootfd, m->destination, dir, err);
    if (target < 0)
        return brig_err_wrap(err, "%s", m->destination);
    char tp[64];
    fd_path(target, tp, sizeof(tp));
    if (type && strcmp(type, "cgroup") == 0) {
        /* the host's hierarchies, read-only unless the config says rw: on a
         * v1 or hybrid host cgroup2 alone would hide the v1 controllers */
        if (mount("/sys/fs/cgroup", tp, NULL, MS_BIND | MS_REC, NULL) < 0)
            return brig_err_sys(err, errno, "%s: bind the cgroup hierarchies", m->destination);
        /* read-only where the kernel lets the bind be remounted so */
        if (flags & MS_RDONLY)
            (void)mount(NULL, tp, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
        return 0;
    }
    if (bind) {
        if (!m->source)
            return brig_err_set(err, BRIG_EUSAGE, "%s: a bind mount needs a source",
                                m->destination);
        if (mount(m->source, tp, NULL, flags & (MS_BIND | MS_REC), NULL) < 0)
            return brig_err_sys(err, errno, "%s: bind %s", m->destination, m->source);
        unsigned long extra = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (extra && reopen(rootfd, m->destination, &target, tp, sizeof(tp), err) < 0)
            return -1;
        if (extra && mount(NULL, tp, NULL, MS_BIND | MS_REMOUNT | extra, NULL) < 0)
            return brig_err_sys(err, errno, "%s: remount with its options", m->destination);
    } else {
        if (!type)
            return brig_err_set(err, BRIG_EUSAGE, "%s: a mount needs a type", m->destination);
        if (mount(m->source ? m->source : type, tp, type, flags, data) < 0) {
            /* sysfs in a network namespace of the host's user namespace but
             * not its own: bind the host's read-only, as runc does */
            if (strcmp(type, "sysfs") == 0 && errno == EPERM &&
                mount("/sys", tp, NULL, MS_BIND | MS_REC, NULL) == 0)
                return mount(NULL, tp, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0
                           ? brig_err_sys(err, errno, "%s: remount", m->destination)
                           : 0;
            return brig_err_sys(err, errno, "%s: mount %s", m->destination, type);
        }
    }
    if (prop && reopen(rootfd, m->destination, &target, tp, sizeof(tp), err) < 0)
        return -1;
    if (prop && mount(NULL, tp, NULL, prop, NULL) < 0)
        return brig_err_sys(err, errno, "%s: set propagation", m->destination);
    return 0;
}

/* The devices every container has, bound from the host's nodes. */
static int default_devices(int rootfd, struct brig_err *err)
{
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
    for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
        _cleanup_free_ char *in = brig_xasprintf("/dev/%s", nodes[i]);
        _cleanup_close_ int t = open_in_root(rootfd, in, false, err);
        if (t < 0)
            return -1;
        char tp[64];
        fd_path(t, tp, sizeof(tp));
        if (mount(in, tp, NULL, MS_BIND, NULL) < 0)
            return brig_err_sys(err, errno, "bind %s", in);
    }
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},         {"/proc/kcore", "core"}};
    _cleanup_close_ int dev = open_in_root(rootfd, "/dev", true, err);
    if (dev < 0)
        return -1;
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
        if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "link /dev/%s", links[i][1]);
    return 0;
}

/* The states the container's own hooks read, from the runtime: createContainer's
 * and startContainer's. */
static char *state_creating, *state_created;

/* Receive the states the runtime sends once its own hooks ran: "S" with a
 * memory file of both, NUL-separated. */
static int recv_states(int sync, struct brig_err *err)
{
    char tag;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {&tag, 1};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    ssize_t n;
    do
        n = recvmsg(sync, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    struct cmsghdr *cm = n == 1 && tag == 'S' ? CMSG_FIRSTHDR(&mh) : NULL;
    if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
        return brig_err_set(err, BRIG_EFAIL, "the runtime's hooks did not complete");
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (64 << 20)) {
        close(fd);
        return brig_err_set(err, BRIG_EFAIL, "the hooks' states are not readable");
    }
    size_t len = (size_t)st.st_size;
    char *buf = brig_xmalloc(len + 1);
    ssize_t r = pread(fd, buf, len, 0);
    close(fd);
    if (r != (ssize_t)len) {
        free(buf);
        return brig_err_set(err, BRIG_EFAIL, "the hooks' states are not readable");
    }
    buf[len] = '\0';
    size_t first = strlen(buf);
    if (first >= len) {
        free(buf);
        return brig_err_set(err, BRIG_EFAIL, "the hooks' states are not readable");
    }
    state_creating = buf;
    state_created = buf + first + 1;
    return 0;
}

/* After the mounts, before pivot_root: the runtime runs prestart and
 * createRuntime, then createContainer runs here, in the container's
 * namespaces, its path resolved in the runtime's file system. */
static int hooks_before_pivot(const struct brig_oci_init_args *a, struct brig_err *err)
{
    if (write(a->sync_fd, "H", 1) != 1)
        return brig_err_sys(err, errno, "ask the runtime for its hooks");
    if (recv_states(a->sync_fd, err) < 0)
        return -1;
    return brig_oci_hooks_run(a->spec, BRIG_OCI_HOOK_CREATE_CONTAINER, state_creating, err);
}

static int setup_rootfs(const struct brig_oci_init_args *a, struct brig_err *err)
{
    const struct brig_oci_spec *s = a->spec;
    unsigned long prop =
        s->rootfs_propagation ? brig_oci_propagation(s->rootfs_propagation) : MS_SLAVE | MS_REC;
    if (mount(NULL, "/", NULL, prop, NULL) < 0)
        return brig_err_sys(err, errno, "set the propagation of /");
    if (mount(a->rootfs, a->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return brig_err_sys(err, errno, "bind the root %s", a->rootfs);
    _cleanup_close_ int rootfd = open(a->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return brig_err_sys(err, errno, "open the root %s", a->rootfs);
    bool dev_mounted = false;
    for (size_t i = 0; i < s->nmounts; i++) {
        if (do_mount(rootfd, &s->mounts[i], err) < 0)
            return brig_err_wrap(err, "mounts[%zu]", i);
        dev_mounted |= strcmp(s->mounts[i].destination, "/dev") == 0;
    }
    if (dev_mounted && default_devices(rootfd, err) < 0)
        return -1;
    if (hooks_before_pivot(a, err) < 0)
        return -1;
    if (chdir(a->rootfs) < 0)
        return brig_err_sys(err, errno, "chdir %s", a->rootfs);
    if (a->no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
            return brig_err_sys(err, errno, "move the root to /");
    } else {
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return brig_err_sys(err, errno, "pivot_root into %s", a->rootfs);
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 || umount2(".", MNT_DETACH) < 0)
            return brig_err_sys(err, errno, "detach the old root");
    }
    if (chdir("/") < 0)
        return brig_err_sys(err, errno, "chdir /");
    /* sysctls before readonlyPaths makes /proc/sys read-only */
    for (size_t i = 0; s->sysctl[i]; i += 2) {
        _cleanup_free_ char *path = brig_xasprintf("/proc/sys/%s", s->sysctl[i]);
        for (char *t = path + 10; *t; t++)
            if (*t == '.')
                *t = '/';
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return brig_err_sys(err, errno, "linux.sysctl: %s", s->sysctl[i]);
        ssize_t w = write(fd, s->sysctl[i + 1], strlen(s->sysctl[i + 1]));
        int e = errno;
        close(fd);
        if (w < 0)
            return brig_err_sys(err, e, "linux.sysctl: %s", s->sysctl[i]);
    }
    for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++) {
        const char *p = s->masked_paths[i];
        struct stat st;
        if (lstat(p, &st) < 0)
            continue;
        int r = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0")
                                    : mount("/dev/null", p, NULL, MS_BIND, NULL);
        if (r < 0 && errno != ENOENT)
            return brig_err_sys(err, errno, "mask %s", p);
    }
    for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++) {
        const char *p = s->readonly_paths[i];
        if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT)
                continue;
            return brig_err_sys(err, errno, "bind %s", p);
        }
        if (mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
                0 &&
            mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
            return brig_err_sys(err, errno, "make %s read-only", p);
    }
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
        return brig_err_sys(err, errno, "hostname %s", s->hostname);
    if (s->root_readonly && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
        return brig_err_sys(err, errno, "make the root read-only");
    return 0;
}

/* A pty of the container's devpts: the master goes to the console socket,
 * the slave becomes the process's controlling terminal and stdio. */
static int setup_console(int sock, struct brig_err *err)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
        return brig_err_sys(err, errno, "open /dev/ptmx");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        return brig_err_sys(err, errno, "unlock the pty");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0)
        return brig_err_sys(err, errno, "open the pty's peer");
    if (brig_usock_send_fd(sock, "/dev/ptmx", strlen("/dev/ptmx"), master) < 0)
        return brig_err_sys(err, errno, "send the pty to the console socket");
    close(master);
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
        return brig_err_sys(err, errno, "make the pty the controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0)
            return brig_err_sys(err, errno, "dup the pty");
    if (slave > 2)
        close(slave);
    return 0;
}

/* Cut the bounding set, while the process still has CAP_SETPCAP. */
static int bound_caps(const struct brig_oci_caps *c, struct brig_err *err)
{
    int last = (int)cap_max_bits() - 1;
    for (int i = 0; i <= last; i++)
        if (!(i < 64 && (c->bounding & (1ULL << i))) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 &&
            errno != EINVAL)
            return brig_err_sys(err, errno, "drop capability %d from the bounding set", i);
    return 0;
}

/* The effective, permitted, inheritable and ambient sets, after the user changed. */
static int set_caps(const struct brig_oci_caps *c, struct brig_err *err)
{
    int last = (int)cap_max_bits() - 1;
    cap_t caps = cap_init();
    for (int i = 0; i <= last && i < 64; i++) {
        cap_value_t v = i;
        if (c->effective & (1ULL << i))
            cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
        if (c->permitted & (1ULL << i))
            cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
        if (c->inheritable & (1ULL << i))
            cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
    }
    int r = cap_set_proc(caps);
    int e = errno;
    cap_free(caps);
    if (r < 0)
        return brig_err_sys(err, e, "process.capabilities: set");
    for (int i = 0; i <= last && i < 64; i++)
        /* the kernel raises an ambient capability only when it is also
         * permitted and inheritable; others are skipped, as runc does */
        if ((c->ambient & c->inheritable & c->permitted & (1ULL << i)) &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
            return brig_err_sys(err, errno, "process.capabilities.ambient: raise %d", i);
    return 0;
}

static int setup_process(const struct brig_oci_init_args *a, const struct brig_oci_process *p,
                         struct brig_err *err)
{
    for (size_t i = 0; i < p->nrlimits; i++) {
        struct rlimit rl = {p->rlimits[i].soft, p->rlimits[i].hard};
        if (setrlimit(p->rlimits[i].resource, &rl) < 0)
            return brig_err_sys(err, errno, "process.rlimits[%zu]", i);
    }
    if (p->has_oom_score_adj) {
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, buf, (size_t)n) != n) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return brig_err_sys(err, e, "process.oomScoreAdj");
        }
        close(fd);
    }
    if (a->console_fd >= 0 && setup_console(a->console_fd, err) < 0)
        return -1;
    if (a->console_fd < 0 && setsid() < 0 && a->fifo_fd >= 0)
        return brig_err_sys(err, errno, "setsid");
    /* seccomp needs CAP_SYS_ADMIN without no_new_privs: load it before the user changes */
    const struct brig_oci_seccomp *sc = a->spec ? a->spec->seccomp : NULL;
    if (sc && !p->no_new_privileges && brig_oci_seccomp_load(sc, err) < 0)
        return -1;
    struct brig_oci_caps none = {0};
    const struct brig_oci_caps *caps = p->caps.given ? &p->caps : &none;
    if (bound_caps(caps, err) < 0)
        return -1;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return brig_err_sys(err, errno, "keep capabilities");
    gid_t *gids = brig_xcalloc(p->nadditional_gids + 1, sizeof(gid_t));
    for (size_t i = 0; i < p->nadditional_gids; i++)
        gids[i] = p->additional_gids[i];
    int r = setgroups(p->nadditional_gids, gids);
    int e = errno;
    free(gids);
    /* a user namespace whose setgroups is denied: keep the groups it has */
    if (r < 0 && !(e == EPERM && p->nadditional_gids == 0))
        return brig_err_sys(err, e, "process.user.additionalGids");
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        return brig_err_sys(err, errno, "process.user.gid %u", p->gid);
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        return brig_err_sys(err, errno, "process.user.uid %u", p->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return brig_err_sys(err, errno, "clear keep-capabilities");
    if (set_caps(caps, err) < 0)
        return -1;
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return brig_err_sys(err, errno, "process.noNewPrivileges");
    if (sc && p->no_new_privileges && brig_oci_seccomp_load(sc, err) < 0)
        return -1;
    if (chdir(p->cwd) < 0)
        return brig_err_sys(err, errno, "process.cwd: %s", p->cwd);
    return 0;
}

/* Close every fd above the preserved ones but those the init still needs. */
static void close_fds(const struct brig_oci_init_args *a)
{
    int keep_to = 2 + a->preserve_fds;
    for (int fd = keep_to + 1; fd < 1024; fd++)
        if (fd != a->sync_fd && fd != a->fifo_fd)
            close(fd);
}

_Noreturn void brig_oci_init_main(const struct brig_oci_init_args *a)
{
    struct brig_err err = BRIG_ERR_INIT;
    char go;
    if (read(a->sync_fd, &go, 1) != 1)
        _exit(1);
    /* in a user namespace of its own the process becomes its root (the
     * runtime wrote the maps before the go) */
    if (a->spec && a->spec->ns_given[BRIG_OCI_NS_USER] &&
        (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
        brig_err_sys(&err, errno, "become root of the user namespace");
        die(a->sync_fd, &err);
    }
    if (a->setup_mounts && setup_rootfs(a, &err) < 0)
        die(a->sync_fd, &err);
    if (setup_process(a, a->process, &err) < 0)
        die(a->sync_fd, &err);
    if (a->console_fd >= 0)
        close(a->console_fd);
    close_fds(a);
    if (write(a->sync_fd, "R", 1) != 1)
        _exit(1);
    if (a->fifo_fd >= 0) {
        char fp[64];
        fd_path(a->fifo_fd, fp, sizeof(fp));
        int w = open(fp, O_WRONLY | O_CLOEXEC);
        if (w < 0) {
            fprintf(stderr, "brig-runc: open exec.fifo: %s\n", strerror(errno));
            _exit(1);
        }
        /* start waits on the fifo: startContainer's failure is its answer */
        if (a->spec && state_created &&
            brig_oci_hooks_run(a->spec, BRIG_OCI_HOOK_START_CONTAINER, state_created, &err) < 0) {
            char msg[sizeof(err.msg) + 1];
            int n = snprintf(msg, sizeof(msg), "E%s", err.msg);
            if (write(w, msg, (size_t)n) < 0) {
                /* start is gone: nobody to tell */
            }
            _exit(1);
        }
        if (write(w, "0", 1) != 1) {
            fprintf(stderr, "brig-runc: write exec.fifo: %s\n", strerror(errno));
            _exit(1);
        }
        close(w);
        close(a->fifo_fd);
    }
    extern char **environ;
    environ = a->process->env;
    /* a PATH of the container's own decides where the program is looked up */
    execvp(a->process->args[0], a->process->args);
    int e = errno;
    err.code = BRIG_EFAIL;
    snprintf(err.msg, sizeof(err.msg), "exec %s: %s", a->process->args[0], strerror(e));
    if (a->fifo_fd < 0)
        die(a->sync_fd, &err);
    fprintf(stderr, "brig-runc: %s\n", err.msg);
    _exit(e == ENOENT ? 127 : 126);
}
