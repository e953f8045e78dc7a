#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "jail_int.h"
#include "net.h"
#include "util.h"

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                    const char *data, struct brig_err *err)
{
    if (mount(src, dst, type, flags, data) == 0)
        return 0;
    int e = errno;
    const char *what = (flags & MS_REMOUNT) ? "remount" : (flags & MS_BIND) ? "bind" : "mount";
    return brig_err_sys(err, e, "%s %s", what, dst);
}

/* Bind path onto itself and make that bind read-only; a missing path is skipped. */
static int bind_ro(const char *path, struct brig_err *err)
{
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT)
            return 0;
        return brig_err_sys(err, errno, "bind %s", path);
    }
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    return do_mount(NULL, path, NULL, fl, NULL, err);
}

/* Hide a /proc entry: /dev/null over a file, an empty read-only tmpfs over a directory. */
static int mask(const char *path, struct brig_err *err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return 0;
    if (S_ISDIR(st.st_mode))
        return do_mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "mode=555", err);
    if (!brig_path_exists("/dev/null"))
        return 0;
    return do_mount("/dev/null", path, NULL, MS_BIND, NULL, err);
}

/* Make sure dir exists (inside the new root: symlinks resolve within the jail). */
static int ensure_dir(const char *path, mode_t mode, struct brig_err *err)
{
    if (mkdir(path, mode) < 0 && errno != EEXIST)
        return brig_err_sys(err, errno, "mkdir %s", path);
    return 0;
}

/* Bind the host's node for n (same path under /dev, same device) on a new empty file at path. */
static int bind_host_node(const char *path, const struct brig_devnode *n, struct brig_err *err)
{
    _cleanup_free_ char *src = brig_xasprintf("/dev/%s", n->path);
    struct stat st;
    if (stat(src, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(n->major, n->minor))
        return brig_err_set(err, BRIG_EFAIL, "device node %s: the host has none to share", src);
    _cleanup_free_ char *dir = brig_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (brig_mkdir_p(dir, 0755, err) < 0)
            return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
        return brig_err_sys(err, errno, "create %s", path);
    if (fd >= 0)
        close(fd);
    return do_mount(src, path, NULL, MS_BIND, NULL, err);
}

/* A node path from the ruleset must stay below /dev. */
static bool devpath_ok(const char *p)
{
    if (!p || !*p || *p == '/')
        return false;
    for (const char *s = p; s; s = strchr(s, '/')) {
        if (*s == '/')
            s++;
        if (brig_startswith(s, "..") && (s[2] == '/' || s[2] == '\0'))
            return false;
    }
    return true;
}

/* The nodes are made with mknod in the jail's own tmpfs rather than bound
 * from the host's /dev: a bind shares the host's inode, so a chmod or chown
 * by jail root would change the host's node; mknod gives the jail its own
 * inodes with the ruleset's owner and mode, needs no host path after
 * pivot_root, and costs one system call instead of a mount per node. Jail
 * root cannot add nodes: CAP_MKNOD is not in its bounding set.
 * In a user namespace nodes cannot be made (nor opened on a file system
 * mounted there): the host's own node is bound, before pivot_root, on an
 * empty file. Jail root cannot change it: its owner is a host id, which
 * the namespace does not map. It keeps the host's owner and mode. */
static int make_node(const char *dev, const struct brig_devnode *n, bool userns,
                     struct brig_err *err)
{
    if (!devpath_ok(n->path))
        return brig_err_set(err, BRIG_EUSAGE, "device node path %s leaves /dev",
                            n->path ? n->path : "(null)");
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", dev, n->path);
    switch (n->kind) {
    case BRIG_DEVNODE_DIR:
        if (ensure_dir(path, 0755, err) < 0)
            return -1;
        break;
    case BRIG_DEVNODE_SYMLINK:
        if (symlink(n->target ? n->target : "", path) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "symlink %s", path);
        return 0;
    case BRIG_DEVNODE_CHAR:
        if (userns)
            return bind_host_node(path, n, err);
        if (mknod(path, S_IFCHR | 0600, makedev(n->major, n->minor)) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "mknod %s", path);
        break;
    default:
        return brig_err_set(err, BRIG_EUSAGE, "device node %s: unknown kind", path);
    }
    if (chown(path, n->uid, n->gid) < 0)
        return brig_err_sys(err, errno, "chown %s", path);
    if (chmod(path, n->mode & 07777) < 0)
        return brig_err_sys(err, errno, "chmod %s", path);
    return 0;
}

/* /dev at dev ("/dev" after pivot_root, "dev" before it in a user namespace). */
static int setup_dev(const struct brig_jail_spec *spec, const char *dev, struct brig_err *err)
{
    const struct brig_devnodes *d = spec->devnodes;
    bool userns = spec->idmap != 0;
    _cleanup_free_ char *pts = brig_xasprintf("%s/pts", dev);
    _cleanup_free_ char *ptmx = brig_xasprintf("%s/ptmx", dev);
    _cleanup_free_ char *shm = brig_xasprintf("%s/shm", dev);
    _cleanup_free_ char *mq = brig_xasprintf("%s/mqueue", dev);
    if (ensure_dir(dev, 0755, err) < 0 ||
        do_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=1m", err) < 0)
        return -1;
    for (size_t i = 0; d && i < d->n; i++)
        if (make_node(dev, &d->nodes[i], userns, err) < 0)
            return brig_err_wrap(err, "/dev");
    if (d && d->devpts) {
        if (ensure_dir(pts, 0755, err) < 0 ||
            do_mount("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0)
            return -1;
        if (symlink("pts/ptmx", ptmx) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "symlink /dev/ptmx");
    }
    if (spec->mount_fdescfs) {
        static const char *const links[][2] = {{"/proc/self/fd", "fd"},
                                               {"/proc/self/fd/0", "stdin"},
                                               {"/proc/self/fd/1", "stdout"},
                                               {"/proc/self/fd/2", "stderr"}};
        for (size_t i = 0; i < BRIG_ARRAY_SIZE(links); i++) {
            _cleanup_free_ char *l = brig_xasprintf("%s/%s", dev, links[i][1]);
            if (symlink(links[i][0], l) < 0 && errno != EEXIST)
                return brig_err_sys(err, errno, "symlink /dev/%s", links[i][1]);
        }
    }
    if (ensure_dir(shm, 01777, err) < 0 ||
        do_mount("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err) < 0)
        return -1;
    /* mqueue belongs to the IPC namespace: one shared with the host is not the jail's to mount */
    if (userns && spec->policy.allow_sysvipc)
        return 0;
    if (ensure_dir(mq, 0755, err) < 0 ||
        do_mount("mqueue", mq, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
        return -1;
    return 0;
}

/* /proc with the host-wide knobs out of reach: /proc/sys is read-only (its
 * net/ subtree stays writable for a jail with its own stack), and a few
 * files that leak or act on the host are read-only or hidden. uid 0 may
 * write /proc/sys/kernel/core_pattern by file mode alone, which would run a
 * program of the jail's choosing on the host. */
static int mount_proc(const char *where, struct brig_err *err)
{
    if (ensure_dir(where, 0555, err) < 0 ||
        do_mount("proc", where, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
        return -1;
    return 0;
}

/* /sys read-only: the kernel's view of the jail's own network namespace,
 * nothing it can change. */
static int mount_sys(const char *where, struct brig_err *err)
{
    if (ensure_dir(where, 0555, err) < 0)
        return -1;
    return do_mount("sysfs", where, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                    err);
}

/* After pivot_root, on the jail's mounted /proc. */
static int restrict_proc(const struct brig_jail_spec *spec, struct brig_err *err)
{
    if (spec->policy.vnet &&
        do_mount("/proc/sys/net", "/proc/sys/net", NULL, MS_BIND | MS_REC, NULL, err) < 0)
        return -1;
    static const char *const ro[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
                                     "/proc/fs"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ro); i++)
        if (bind_ro(ro[i], err) < 0)
            return -1;
    static const char *const hidden[] = {
        "/proc/kcore",         "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
        "/proc/latency_stats", "/proc/acpi", "/proc/scsi"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(hidden); i++)
        if (mask(hidden[i], err) < 0)
            return -1;
    return 0;
}

/* Our copy of the root mount, with nodev: device nodes work only in /dev. */
static int bind_root(const char *root, struct brig_err *err)
{
    if (do_mount(root, root, NULL, MS_BIND | MS_REC, NULL, err) < 0)
        return -1;
    struct statvfs sv;
    if (statvfs(root, &sv) < 0)
        return brig_err_sys(err, errno, "statvfs %s", root);
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_NODEV;
    if (sv.f_flag & ST_RDONLY)
        fl |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID)
        fl |= MS_NOSUID;
    if (sv.f_flag & ST_NOEXEC)
        fl |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        fl |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        fl |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        fl |= MS_RELATIME;
    return do_mount(NULL, root, NULL, fl, NULL, err);
}

/* An unprivileged jail's root: attach the mount brig made on the working
 * directory (where the init started) and move into it. What a user namespace
 * may mount only while the host's tree is in view comes now: /proc and /sys
 * (the kernel wants a procfs or sysfs it can see unobstructed) and the host's
 * device nodes. */
static int enter_userns_root(const struct brig_jail_spec *spec, int root_fd, struct brig_err *err)
{
    /* onto the working directory itself: looking "." up would need search
     * permission on a directory of the host's, private to root */
    if (move_mount(root_fd, "", AT_FDCWD, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
        0)
        return brig_err_sys(err, errno, "attach the jail's root");
    if (fchdir(root_fd) < 0)
        return brig_err_sys(err, errno, "chdir into the jail's root");
    if (spec->mount_procfs && mount_proc("proc", err) < 0)
        return -1;
    if (spec->mount_sysfs && mount_sys("sys", err) < 0)
        return -1;
    if (spec->mount_devfs && setup_dev(spec, "dev", err) < 0)
        return -1;
    return 0;
}

int brig_jail_mounts_setup(const struct brig_jail_spec *spec, int root_fd, struct brig_err *err)
{
    if (do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err) < 0)
        return -1;
    if (root_fd >= 0) {
        if (enter_userns_root(spec, root_fd, err) < 0)
            return -1;
    } else if (bind_root(spec->root, err) < 0) {
        return -1;
    } else if (chdir(spec->root) < 0) {
        return brig_err_sys(err, errno, "chdir %s", spec->root);
    }
    /* pivot_root(".", ".") stacks the old root on the new one; detaching it
     * leaves no path, fd or mount of the host in the jail's namespace. */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return brig_err_sys(err, errno, "pivot_root %s", spec->root);
    if (umount2(".", MNT_DETACH) < 0)
        return brig_err_sys(err, errno, "detach the host's root");
    if (chdir("/") < 0)
        return brig_err_sys(err, errno, "chdir /");
    if (root_fd < 0 && spec->mount_devfs && setup_dev(spec, "/dev", err) < 0)
        return -1;
    if (root_fd < 0 && spec->mount_procfs && mount_proc("/proc", err) < 0)
        return -1;
    if (root_fd < 0 && spec->mount_sysfs && mount_sys("/sys", err) < 0)
        return -1;
    if (spec->mount_procfs && restrict_proc(spec, err) < 0)
        return -1;
    return 0;
}

/* Write an /etc file of the jail unless it already says exactly that: after
 * the first start it usually does, and a write into a thin jail's overlay
 * (a new file, a rename over the base's) costs ~0.2 ms. */
static int write_etc(const char *path, const char *data, struct brig_err *err)
{
    size_t len = strlen(data), have = 0;
    _cleanup_free_ char *cur = NULL;
    struct stat st;
    /* what jail root left there may be a FIFO or a link: only a file is read, and replaced */
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        brig_read_file(path, len + 1, &cur, &have, NULL) == 0 && have == len &&
        memcmp(cur, data, len) == 0)
        return 0;
    if (brig_mkdir_p("/etc", 0755, err) < 0)
        return -1;
    return brig_write_file_atomic(path, data, len, 0644, err);
}

int brig_jail_identity_setup(const struct brig_jail_spec *spec, struct brig_err *err)
{
    if (spec->hostname && *spec->hostname &&
        sethostname(spec->hostname, strlen(spec->hostname)) < 0)
        return brig_err_sys(err, errno, "set the host name to %s", spec->hostname);
    if (spec->resolv_conf && write_etc("/etc/resolv.conf", spec->resolv_conf, err) < 0)
        return -1;
    if (spec->hosts && write_etc("/etc/hosts", spec->hosts, err) < 0)
        return -1;
    return 0;
}
