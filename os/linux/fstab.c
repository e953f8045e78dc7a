/* Host directories in jails (see fstab.h). */
#define _GNU_SOURCE
#include "fstab.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/linux/proc.h"
#include "util.h"

static bool fstab_ro(const struct brig_fstab *e)
{
    return strcmp(e->options, "ro") == 0;
}

/* A detached bind of the host path src: nosuid, nodev, read-only with ro.
 * Taken before anything enters the jail, so a jail never names a host path. */
static int fstab_tree(const struct brig_fstab *e, bool *ret_dir, struct brig_err *err)
{
    /* src was recorded as its real path: a symlink on it now is a change
     * behind brig's back (perhaps by a jail that can write its parent) */
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
    _cleanup_close_ int src = (int)syscall(SYS_openat2, AT_FDCWD, e->src, &how, sizeof(how));
    if (src < 0 && errno == ELOOP)
        return brig_err_set(err, BRIG_EFAIL, "%s: a symbolic link is on its path now", e->src);
    if (src < 0)
        return brig_err_sys(err, errno, "%s", e->src);
    struct stat st;
    if (fstat(src, &st) < 0)
        return brig_err_sys(err, errno, "%s", e->src);
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EFAIL, "%s: not a directory or a regular file", e->src);
    *ret_dir = S_ISDIR(st.st_mode);
    _cleanup_close_ int fd =
        (int)open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (fd < 0)
        return brig_err_sys(err, errno, "bind %s", e->src);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (fstab_ro(e))
        attr.attr_set |= MOUNT_ATTR_RDONLY;
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
        return brig_err_sys(err, errno, "bind %s: nosuid, nodev", e->src);
    return brig_steal_fd(&fd);
}

/* path (relative to root_fd, no ".." by construction) opened O_PATH, never
 * leaving root_fd whatever symlinks the jail left on the way. */
static int open_in_root(int root_fd, const char *path, struct brig_err *err)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof(how));
    if (fd < 0 && err)
        return brig_err_sys(err, errno, "%s", path);
    return fd;
}

/* dst inside the jail's root, made when missing (a directory, or an empty file
 * for a file's bind) and owned by the jail's root. */
static int resolve_dst(int root_fd, const char *dst, bool dir, uint32_t idmap, struct brig_err *err)
{
    _cleanup_free_ char *rel = brig_xstrdup(dst + 1); /* dst is absolute and clean */
    size_t len = strlen(rel);
    for (size_t i = 0; i <= len; i++) {
        if (rel[i] != '/' && rel[i] != '\0')
            continue;
        char c = rel[i];
        rel[i] = '\0';
        _cleanup_close_ int fd = open_in_root(root_fd, rel, NULL);
        if (fd < 0 && errno == ENOENT) {
            char *slash = strrchr(rel, '/');
            const char *name = slash ? slash + 1 : rel;
            if (slash)
                *slash = '\0';
            _cleanup_close_ int parent = open_in_root(root_fd, slash ? rel : "", err);
            if (slash)
                *slash = '/';
            if (parent < 0)
                return -1;
            struct statfs sf;
            if (fstatfs(parent, &sf) == 0 &&
                (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC))
                return brig_err_set(err, BRIG_EFAIL, "%s: inside the jail's /proc or /sys", dst);
            bool last = c == '\0';
            /* an O_PATH fd serves as the directory of the *at calls */
            int pdir = parent;
            if (last && !dir) {
                int f =
                    openat(pdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0)
                    return brig_err_sys(err, errno, "create %s", dst);
                close(f);
            } else if (mkdirat(pdir, name, 0755) < 0) {
                return brig_err_sys(err, errno, "mkdir %s", dst);
            }
            if (fchownat(pdir, name, idmap, idmap, AT_SYMLINK_NOFOLLOW) < 0)
                return brig_err_sys(err, errno, "chown %s", dst);
            fd = open_in_root(root_fd, rel, err);
        }
        if (fd < 0)
            return brig_err_sys(err, errno, "%s", dst);
        rel[i] = c;
        if (c == '\0') {
            struct stat st;
            if (fstat(fd, &st) < 0)
                return brig_err_sys(err, errno, "%s", dst);
            if (dir != !!S_ISDIR(st.st_mode))
                return brig_err_set(err, BRIG_EFAIL, "%s: not a %s in the jail", dst,
                                    dir ? "directory" : "file");
            struct statfs sf;
            if (fstatfs(fd, &sf) == 0 &&
                (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC))
                return brig_err_set(err, BRIG_EFAIL, "%s: inside the jail's /proc or /sys", dst);
            return brig_steal_fd(&fd);
        }
    }
    return brig_err_set(err, BRIG_EFAIL, "%s: cannot resolve", dst);
}

/* Attach the detached tree at dst under root_fd. */
static int attach(int root_fd, int tree, bool dir, const struct brig_fstab *e, uint32_t idmap,
                  struct brig_err *err)
{
    _cleanup_close_ int at = resolve_dst(root_fd, e->dst, dir, idmap, err);
    if (at < 0)
        return brig_err_wrap(err, "mount %s", e->src);
    if (move_mount(tree, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return brig_err_sys(err, errno, "mount %s at %s", e->src, e->dst);
    return 0;
}

int brig_fstab_attach_all(int root_fd, const struct brig_fstab *v, size_t n, uint32_t idmap,
                          struct brig_err *err)
{
    for (size_t i = 0; i < n; i++) {
        bool dir = false;
        _cleanup_close_ int tree = fstab_tree(&v[i], &dir, err);
        if (tree < 0 || attach(root_fd, tree, dir, &v[i], idmap, err) < 0)
            return brig_err_wrap(err, "fstab");
    }
    return 0;
}

/* Run fn in a child that joined the mount namespace of the running jail rt
 * (root and working directory: the jail's root); its error comes back here. */
static int in_jail_mntns(const struct brig_runtime *rt,
                         int (*fn)(const void *arg, struct brig_err *err), const void *arg,
                         struct brig_err *err)
{
    int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)rt->pid, 0);
    if (pidfd < 0)
        return brig_err_sys(err, errno, "the jail's init");
    _cleanup_close_ int pfd = pidfd;
    if (brig_proc_starttime((pid_t)rt->pid) != rt->starttime)
        return brig_err_set(err, BRIG_EFAIL, "the jail is not running");
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return brig_err_sys(err, errno, "pipe");
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        return brig_err_sys(err, e, "fork");
    }
    if (pid == 0) {
        struct brig_err cerr = BRIG_ERR_INIT;
        close(pipefd[0]);
        /* in the jail's mount namespace with host root's rights: not to be traced */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        int r;
        if (setns(pfd, CLONE_NEWNS) < 0) {
            r = brig_err_sys(&cerr, errno, "join the jail's mount namespace");
        } else {
            r = fn(arg, &cerr);
        }
        if (r < 0 && write(pipefd[1], &cerr, sizeof(cerr)) < 0)
            _exit(2);
        _exit(r < 0 ? 1 : 0);
    }
    close(pipefd[1]);
    struct brig_err cerr = BRIG_ERR_INIT;
    ssize_t got;
    do
        got = read(pipefd[0], &cerr, sizeof(cerr));
    while (got < 0 && errno == EINTR);
    close(pipefd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (got == (ssize_t)sizeof(cerr)) {
        cerr.msg[sizeof(cerr.msg) - 1] = '\0';
        return brig_err_set(err, cerr.code ? cerr.code : BRIG_EFAIL, "%s", cerr.msg);
    }
    return brig_err_set(err, BRIG_EFAIL, "in the jail's mount namespace: failed");
}

struct live_add {
    const struct brig_fstab *e;
    int tree;
    bool dir;
    uint32_t idmap;
};

static int live_add(const void *arg, struct brig_err *err)
{
    const struct live_add *a = arg;
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return brig_err_sys(err, errno, "the jail's root");
    return attach(root, a->tree, a->dir, a->e, a->idmap, err);
}

int brig_linux_fstab_attach(const struct brig_jail_env *env, const struct brig_runtime *rt,
                            const struct brig_fstab *e, struct brig_err *err)
{
    struct live_add a = {.e = e, .idmap = env->jail->idmap};
    _cleanup_close_ int tree = fstab_tree(e, &a.dir, err);
    if (tree < 0)
        return -1;
    a.tree = tree;
    return in_jail_mntns(rt, live_add, &a, err);
}

static int live_remove(const void *arg, struct brig_err *err)
{
    const struct brig_fstab *e = arg;
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return brig_err_sys(err, errno, "the jail's root");
    /* the parent resolved inside the root, the last name looked up from it
     * without following a symlink: a file's bind cannot be a working directory */
    _cleanup_free_ char *rel = brig_xstrdup(e->dst + 1);
    char *slash = strrchr(rel, '/');
    const char *name = slash ? slash + 1 : rel;
    if (slash)
        *slash = '\0';
    _cleanup_close_ int parent = open_in_root(root, slash ? rel : "", NULL);
    if (parent < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "%s", e->dst);
    if (fchdir(parent) < 0)
        return brig_err_sys(err, errno, "%s", e->dst);
    if (umount2(name, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
        return errno == EINVAL || errno == ENOENT ? 0
                                                  : brig_err_sys(err, errno, "unmount %s", e->dst);
    return 0;
}

int brig_linux_fstab_detach(const struct brig_jail_env *env, const struct brig_runtime *rt,
                            const struct brig_fstab *e, struct brig_err *err)
{
    (void)env;
    return in_jail_mntns(rt, live_remove, e, err);
}
