#define _GNU_SOURCE
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/util.h"

#define MOUNTINFO_MAX   (16 * 1024 * 1024)
#define UMOUNT_MAX_LOOP 16
#define COPY_CHUNK      (1024 * 1024)

/* Undo mountinfo's octal escapes (\040 for space, ...) in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static bool parse_mountinfo_line(char *line, struct brig_mountinfo *mi)
{
    char *f[64];
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t && n < BRIG_ARRAY_SIZE(f);
         t = strtok_r(NULL, " ", &save))
        f[n++] = t;
    size_t dash = 6;
    while (dash < n && strcmp(f[dash], "-") != 0)
        dash++;
    if (dash + 2 >= n)
        return false;
    memset(mi, 0, sizeof(*mi));
    mi->id = atoi(f[0]);
    mi->parent_id = atoi(f[1]);
    if (sscanf(f[2], "%u:%u", &mi->major, &mi->minor) != 2)
        return false;
    unescape(f[3]);
    unescape(f[4]);
    unescape(f[dash + 2]);
    mi->root = f[3];
    mi->target = f[4];
    mi->fstype = f[dash + 1];
    mi->source = f[dash + 2];
    mi->super_opts = dash + 3 < n ? f[dash + 3] : "";
    return true;
}

int brig_mountinfo_foreach(int (*fn)(const struct brig_mountinfo *mi, void *arg), void *arg,
                           struct brig_err *err)
{
    _cleanup_free_ char *data = NULL;
    if (brig_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, &data, NULL, err) < 0)
        return -1;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct brig_mountinfo mi;
        if (parse_mountinfo_line(line, &mi) && fn(&mi, arg) != 0)
            break;
    }
    return 0;
}

static int match_target(const struct brig_mountinfo *mi, void *arg)
{
    const char **want = arg;
    if (strcmp(mi->target, want[0]) == 0) {
        want[1] = "";
        return 1;
    }
    return 0;
}

bool brig_rootfs_mounted(const char *path)
{
    char real[PATH_MAX];
    struct brig_err e = BRIG_ERR_INIT;
    if (!realpath(path, real))
        return false;
    /* statx knows a mount root at once; mountinfo grows with every running jail */
    struct statx stx;
    if (statx(AT_FDCWD, real, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
        (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    const char *want[2] = {real, NULL};
    if (brig_mountinfo_foreach(match_target, want, &e) < 0)
        return false;
    return want[1] != NULL;
}

static int check_overlay_path(const char *what, const char *p, struct brig_err *err)
{
    if (!p || !p[0])
        return brig_err_set(err, BRIG_EUSAGE, "%s path is empty", what);
    if (strpbrk(p, ",:\\"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "%s path %s: ',', ':' and '\\' cannot be used with overlayfs", what, p);
    return 0;
}

static int check_dir(const char *what, const char *p, struct brig_err *err)
{
    struct stat st;
    if (stat(p, &st) < 0)
        return brig_err_sys(err, errno, "%s %s", what, p);
    if (!S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "%s %s: not a directory", what, p);
    return 0;
}

int brig_rootfs_prepare_target(const char *path, struct brig_err *err)
{
    if (brig_mkdir_p(path, 0700, err) < 0)
        return -1;
    if (brig_rootfs_mounted(path))
        return brig_err_set(err, BRIG_EFAIL, "%s: already mounted", path);
    return 0;
}

int brig_rootfs_mount_thin(const char *base, const char *data, const char *path,
                           struct brig_err *err)
{
    if (check_overlay_path("base", base, err) < 0 || check_overlay_path("data", data, err) < 0 ||
        check_overlay_path("jail", path, err) < 0 || check_dir("base", base, err) < 0)
        return -1;
    _cleanup_free_ char *upper = brig_xasprintf("%s/upper", data);
    _cleanup_free_ char *work = brig_xasprintf("%s/work", data);
    if (brig_mkdir_p(upper, 0755, err) < 0 || brig_mkdir_p(work, 0700, err) < 0 ||
        brig_rootfs_prepare_target(path, err) < 0)
        return brig_err_wrap(err, "mount thin root at %s", path);
    _cleanup_free_ char *opts =
        brig_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", base, upper, work);
    if (mount("overlay", path, "overlay", 0, opts) < 0) {
        int e = errno;
        return brig_err_sys(err, e, "mount overlay at %s%s", path,
                            e == EINVAL ? " (the data dir's file system must support "
                                          "overlayfs upper dirs)"
                                        : "");
    }
    return 0;
}

int brig_rootfs_mount_thick(const char *data, const char *path, struct brig_err *err)
{
    if (check_dir("data", data, err) < 0 || brig_rootfs_prepare_target(path, err) < 0)
        return brig_err_wrap(err, "mount thick root at %s", path);
    if (mount(data, path, NULL, MS_BIND, NULL) < 0)
        return brig_err_sys(err, errno, "bind %s at %s", data, path);
    return 0;
}

/* The upper dir of an unprivileged thin jail: it is the root directory the jail
 * sees, so it belongs to jail root (the range's first id) with the base root's mode. */
static int own_upper(const char *base, const char *upper, uint32_t idmap, struct brig_err *err)
{
    struct stat bst, ust;
    if (stat(base, &bst) < 0 || stat(upper, &ust) < 0)
        return brig_err_sys(err, errno, "stat %s", upper);
    if ((ust.st_uid != idmap || ust.st_gid != idmap) && chown(upper, idmap, idmap) < 0)
        return brig_err_sys(err, errno, "chown %s", upper);
    if ((ust.st_mode & 07777) != (bst.st_mode & 07777) && chmod(upper, bst.st_mode & 07777) < 0)
        return brig_err_sys(err, errno, "chmod %s", upper);
    return 0;
}

/* A detached copy of base whose owners appear shifted into the user namespace
 * userns_fd: the base stays owned by host ids and serves every jail. */
static int idmapped_base(const char *base, int userns_fd, struct brig_err *err)
{
    int fd = (int)open_tree(AT_FDCWD, base, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", base);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
    if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "idmapped mount of %s%s", base,
                            e == EINVAL ? " (its file system cannot be idmapped: userns=0 "
                                          "jails do not need it)"
                                        : "");
    }
    return fd;
}

/* An overlay (detached) of the idmapped base lower_fd under data's upper and
 * work dirs. Layers given by fd need Linux 6.13; before, the lower layer is
 * attached at data/lower for as long as the overlay takes to make. */
static int overlay_fd(int lower_fd, const char *data, const char *upper, const char *work,
                      struct brig_err *err)
{
    _cleanup_close_ int fs = (int)fsopen("overlay", FSOPEN_CLOEXEC);
    if (fs < 0)
        return brig_err_sys(err, errno, "overlay");
    _cleanup_free_ char *lower = NULL;
    if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, lower_fd) < 0) {
        lower = brig_xasprintf("%s/lower", data);
        if (brig_mkdir_p(lower, 0700, err) < 0)
            return -1;
        umount2(lower, MNT_DETACH | UMOUNT_NOFOLLOW);
        if (move_mount(lower_fd, "", AT_FDCWD, lower, MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return brig_err_sys(err, errno, "attach the idmapped base at %s", lower);
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0) {
            int e = errno;
            umount2(lower, MNT_DETACH);
            return brig_err_sys(err, e, "overlay lowerdir %s", lower);
        }
    }
    int r = fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
                    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
                    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0
                ? -1
                : (int)fsmount(fs, FSMOUNT_CLOEXEC, 0);
    int e = errno;
    if (lower)
        umount2(lower, MNT_DETACH); /* the overlay keeps its own reference */
    if (r < 0)
        return brig_err_sys(err, e, "mount overlay of %s", upper);
    return r;
}

int brig_rootfs_mount_userns(const char *base, const char *data, const char *path, bool baserw,
                             uint32_t idmap, int userns_fd, int *ret_fd, struct brig_err *err)
{
    _cleanup_close_ int mfd = -1;
    if (baserw) {
        if (check_dir("data", data, err) < 0)
            return brig_err_wrap(err, "mount thick root at %s", path);
        mfd = (int)open_tree(AT_FDCWD, data, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (mfd < 0)
            return brig_err_sys(err, errno, "bind %s", data);
    } else {
        if (check_dir("base", base, err) < 0)
            return -1;
        _cleanup_free_ char *upper = brig_xasprintf("%s/upper", data);
        _cleanup_free_ char *work = brig_xasprintf("%s/work", data);
        if (brig_mkdir_p(upper, 0755, err) < 0 || brig_mkdir_p(work, 0700, err) < 0 ||
            own_upper(base, upper, idmap, err) < 0)
            return brig_err_wrap(err, "mount thin root at %s", path);
        _cleanup_close_ int lower = idmapped_base(base, userns_fd, err);
        if (lower < 0 || (mfd = overlay_fd(lower, data, upper, work, err)) < 0)
            return brig_err_wrap(err, "mount thin root at %s", path);
    }
    /* the host's view at path; the jail gets its own copy, nodev */
    _cleanup_close_ int host =
        (int)open_tree(mfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (host < 0 || move_mount(host, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return brig_err_sys(err, errno, "mount the jail's root at %s", path);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_NODEV};
    if (mount_setattr(mfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
        return brig_err_sys(err, errno, "make the jail's root nodev");
    *ret_fd = brig_steal_fd(&mfd);
    return 0;
}

int brig_rootfs_mount(const char *base, const char *data, const char *path, bool baserw,
                      struct brig_err *err)
{
    return baserw ? brig_rootfs_mount_thick(data, path, err)
                  : brig_rootfs_mount_thin(base, data, path, err);
}

int brig_rootfs_umount(const char *path, bool *ret_lazy, struct brig_err *err)
{
    bool lazy = false;
    if (ret_lazy)
        *ret_lazy = false;
    for (int i = 0; i < UMOUNT_MAX_LOOP && brig_rootfs_mounted(path); i++) {
        if (umount2(path, UMOUNT_NOFOLLOW) == 0)
            continue;
        if (errno == EINVAL || errno == ENOENT)
            break;
        if (errno != EBUSY)
            return brig_err_sys(err, errno, "unmount %s", path);
        if (umount2(path, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
            return brig_err_sys(err, errno, "detach %s", path);
        lazy = true;
    }
    if (brig_rootfs_mounted(path))
        return brig_err_set(err, BRIG_EFAIL, "unmount %s: still mounted", path);
    if (ret_lazy)
        *ret_lazy = lazy;
    return 0;
}

/* Thick copy. */

struct inode_seen {
    dev_t dev;
    ino_t ino;
    char *rel; /* first copy's path, relative to the destination root */
};

struct copy {
    int dst_root;
    dev_t dev;
    uint32_t idshift; /* added to every owner: an unprivileged jail's range */
    void *seen;
    uint64_t done, total;
    brig_rootfs_progress_fn progress;
    void *arg;
};

static int cmp_inode(const void *a, const void *b)
{
    const struct inode_seen *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return 0;
}

static void free_inode(void *p)
{
    struct inode_seen *s = p;
    free(s->rel);
    free(s);
}

/* Remember (dev, ino) -> rel; returns the earlier entry if there was one. */
static const struct inode_seen *seen_add(void **tree, const struct stat *st, const char *rel)
{
    struct inode_seen *s = brig_xcalloc(1, sizeof(*s));
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    void *r = tsearch(s, tree, cmp_inode);
    if (!r)
        abort();
    const struct inode_seen *found = *(struct inode_seen **)r;
    if (found != s) {
        free(s);
        return found;
    }
    s->rel = rel ? brig_xstrdup(rel) : NULL;
    return NULL;
}

static int sum_sizes(int dfd, dev_t dev, void **seen, uint64_t *total, struct brig_err *err)
{
    /* a new open file description: a dup would share the read position */
    int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return brig_err_sys(err, errno, "read directory");
    }
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISREG(st.st_mode) && (st.st_nlink < 2 || !seen_add(seen, &st, NULL)))
            *total += (uint64_t)st.st_size;
        if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
            _cleanup_close_ int sub =
                openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                rc = sum_sizes(sub, dev, seen, total, err);
        }
    }
    closedir(d);
    return rc;
}

static bool xattr_unsupported(int e)
{
    return e == ENOTSUP || e == EOPNOTSUPP;
}

static int copy_xattrs(int sfd, int dfd, const char *rel, struct brig_err *err)
{
    ssize_t n = flistxattr(sfd, NULL, 0);
    if (n <= 0)
        return n < 0 && !xattr_unsupported(errno) ? brig_err_sys(err, errno, "xattrs of %s", rel)
                                                  : 0;
    _cleanup_free_ char *names = brig_xmalloc((size_t)n);
    n = flistxattr(sfd, names, (size_t)n);
    if (n < 0)
        return brig_err_sys(err, errno, "xattrs of %s", rel);
    for (char *name = names; name < names + n; name += strlen(name) + 1) {
        ssize_t vn = fgetxattr(sfd, name, NULL, 0);
        if (vn < 0)
            return brig_err_sys(err, errno, "xattr %s of %s", name, rel);
        _cleanup_free_ char *val = brig_xmalloc((size_t)vn + 1);
        vn = fgetxattr(sfd, name, val, (size_t)vn);
        if (vn < 0)
            return brig_err_sys(err, errno, "xattr %s of %s", name, rel);
        if (fsetxattr(dfd, name, val, (size_t)vn, 0) < 0 && !xattr_unsupported(errno))
            return brig_err_sys(err, errno, "set xattr %s on %s", name, rel);
    }
    return 0;
}

/* The owner of a copy: shifted into the jail's range, which holds 65,536 ids. */
static int shifted_owner(const struct copy *c, const struct stat *st, const char *rel,
                         uid_t *ret_uid, gid_t *ret_gid, struct brig_err *err)
{
    if (c->idshift && (st->st_uid > 65535 || st->st_gid > 65535))
        return brig_err_set(err, BRIG_EFAIL, "%s: owner %u:%u is beyond a jail's 65536 ids", rel,
                            (unsigned)st->st_uid, (unsigned)st->st_gid);
    *ret_uid = st->st_uid + c->idshift;
    *ret_gid = st->st_gid + c->idshift;
    return 0;
}

/* Owner, then mode (chown clears set-id bits), xattrs, times. */
static int copy_meta_fd(int sfd, int dfd, const struct stat *st, const char *rel,
                        const struct copy *c, struct brig_err *err)
{
    uid_t uid = 0;
    gid_t gid = 0;
    if (shifted_owner(c, st, rel, &uid, &gid, err) < 0)
        return -1;
    if (fchown(dfd, uid, gid) < 0)
        return brig_err_sys(err, errno, "chown %s", rel);
    if (fchmod(dfd, st->st_mode & 07777) < 0)
        return brig_err_sys(err, errno, "chmod %s", rel);
    if (copy_xattrs(sfd, dfd, rel, err) < 0)
        return -1;
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (futimens(dfd, ts) < 0)
        return brig_err_sys(err, errno, "set times of %s", rel);
    return 0;
}

/* Copy [off, end) of sfd to the same place in dfd. */
static int copy_range(int sfd, int dfd, off_t off, off_t end, const char *rel, struct copy *c,
                      struct brig_err *err)
{
    bool plain = false;
    while (off < end) {
        size_t want = (size_t)(end - off < COPY_CHUNK ? end - off : COPY_CHUNK);
        ssize_t n;
        if (!plain) {
            loff_t in = off, out = off;
            n = copy_file_range(sfd, &in, dfd, &out, want, 0);
            if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                          errno == EOPNOTSUPP || errno == EBADF)) {
                plain = true;
                continue;
            }
        } else {
            char buf[65536];
            n = pread(sfd, buf, want < sizeof(buf) ? want : sizeof(buf), off);
            for (ssize_t done = 0; n > 0 && done < n;) {
                ssize_t w = pwrite(dfd, buf + done, (size_t)(n - done), off + done);
                if (w < 0) {
                    if (errno == EINTR)
                        continue;
                    return brig_err_sys(err, errno, "write %s", rel);
                }
                done += w;
            }
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return brig_err_sys(err, errno, "copy %s", rel);
        }
        if (n == 0)
            break;
        off += n;
        c->done += (uint64_t)n;
    }
    return 0;
}

/* A sparse file keeps its holes: only its data is copied, so a file of a few
 * blocks and a huge size stays small. 1: the file system cannot tell where the
 * data is. */
static int copy_sparse(int sfd, int dfd, off_t size, const char *rel, struct copy *c,
                       struct brig_err *err)
{
    for (off_t off = 0; off < size;) {
        off_t data = lseek(sfd, off, SEEK_DATA);
        if (data < 0 && errno == ENXIO)
            break;
        if (data < 0)
            return off == 0 ? 1 : brig_err_sys(err, errno, "read %s", rel);
        off_t hole = lseek(sfd, data, SEEK_HOLE);
        if (hole < 0 || hole > size)
            hole = size;
        if (copy_range(sfd, dfd, data, hole, rel, c, err) < 0)
            return -1;
        off = hole;
    }
    if (ftruncate(dfd, size) < 0)
        return brig_err_sys(err, errno, "truncate %s", rel);
    return 0;
}

/* A reflink where the file system has them, else the data (holes kept for a
 * sparse file: fewer blocks than its size). */
static int copy_data(int sfd, int dfd, const char *rel, struct copy *c, struct brig_err *err)
{
    if (ioctl(dfd, FICLONE, sfd) == 0)
        return 0;
    struct stat st;
    if (fstat(sfd, &st) < 0)
        return brig_err_sys(err, errno, "stat %s", rel);
    if ((uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size) {
        int r = copy_sparse(sfd, dfd, st.st_size, rel, c, err);
        if (r <= 0)
            return r;
    }
    return copy_range(sfd, dfd, 0, st.st_size, rel, c, err);
}

static int copy_reg(int sdir, int ddir, const char *name, const struct stat *st, const char *rel,
                    struct copy *c, struct brig_err *err)
{
    _cleanup_close_ int sfd = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0)
        return brig_err_sys(err, errno, "open %s", rel);
    _cleanup_close_ int dfd =
        openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (dfd < 0)
        return brig_err_sys(err, errno, "create %s", rel);
    uint64_t before = c->done;
    if (copy_data(sfd, dfd, rel, c, err) < 0)
        return -1;
    c->done = before + (uint64_t)st->st_size;
    if (copy_meta_fd(sfd, dfd, st, rel, c, err) < 0)
        return -1;
    if (c->progress)
        c->progress(c->done, c->total, c->arg);
    return 0;
}

static int copy_special(int sdir, int ddir, const char *name, const struct stat *st,
                        const char *rel, const struct copy *c, struct brig_err *err)
{
    uid_t uid = 0;
    gid_t gid = 0;
    if (shifted_owner(c, st, rel, &uid, &gid, err) < 0)
        return -1;
    if (S_ISLNK(st->st_mode)) {
        size_t cap = (size_t)st->st_size + 2;
        _cleanup_free_ char *target = brig_xmalloc(cap);
        ssize_t n = readlinkat(sdir, name, target, cap);
        if (n < 0)
            return brig_err_sys(err, errno, "readlink %s", rel);
        if ((size_t)n >= cap)
            return brig_err_set(err, BRIG_EFAIL, "readlink %s: changed while copying", rel);
        target[n] = '\0';
        if (symlinkat(target, ddir, name) < 0)
            return brig_err_sys(err, errno, "symlink %s", rel);
    } else if (mknodat(ddir, name, st->st_mode & (S_IFMT | 0600), st->st_rdev) < 0) {
        return brig_err_sys(err, errno, "mknod %s", rel);
    }
    if (fchownat(ddir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return brig_err_sys(err, errno, "chown %s", rel);
    if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
        return brig_err_sys(err, errno, "chmod %s", rel);
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return brig_err_sys(err, errno, "set times of %s", rel);
    return 0;
}

static int copy_tree(int sdir, int ddir, const char *rel, struct copy *c, struct brig_err *err);

static int copy_entry(int sdir, int ddir, const char *name, const char *rel, struct copy *c,
                      struct brig_err *err)
{
    struct stat st;
    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return brig_err_sys(err, errno, "stat %s", rel);
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
        const struct inode_seen *first = seen_add(&c->seen, &st, rel);
        if (first) {
            if (linkat(c->dst_root, first->rel, ddir, name, 0) < 0)
                return brig_err_sys(err, errno, "link %s", rel);
            if (S_ISREG(st.st_mode) && c->progress)
                c->progress(c->done, c->total, c->arg);
            return 0;
        }
    }
    if (S_ISREG(st.st_mode))
        return copy_reg(sdir, ddir, name, &st, rel, c, err);
    if (!S_ISDIR(st.st_mode))
        return copy_special(sdir, ddir, name, &st, rel, c, err);
    if (mkdirat(ddir, name, 0700) < 0)
        return brig_err_sys(err, errno, "mkdir %s", rel);
    _cleanup_close_ int ssub = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int dsub = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ssub < 0 || dsub < 0)
        return brig_err_sys(err, errno, "open %s", rel);
    /* Other file systems mounted inside the base are not part of it. */
    if (st.st_dev == c->dev && copy_tree(ssub, dsub, rel, c, err) < 0)
        return -1;
    return copy_meta_fd(ssub, dsub, &st, rel, c, err);
}

static int copy_tree(int sdir, int ddir, const char *rel, struct copy *c, struct brig_err *err)
{
    int dup_fd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return brig_err_sys(err, errno, "read directory %s", rel[0] ? rel : "/");
    }
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        _cleanup_free_ char *sub =
            rel[0] ? brig_xasprintf("%s/%s", rel, de->d_name) : brig_xstrdup(de->d_name);
        rc = copy_entry(sdir, ddir, de->d_name, sub, c, err);
    }
    closedir(d);
    return rc;
}

/* data must not exist, or be an empty directory (replaced by the copy). */
static int check_populate_target(const char *data, struct brig_err *err)
{
    struct stat st;
    if (lstat(data, &st) < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "stat %s", data);
    if (!S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "%s: exists and is not a directory", data);
    DIR *d = opendir(data);
    if (!d)
        return brig_err_sys(err, errno, "open %s", data);
    bool empty = true;
    for (struct dirent *de; empty && (de = readdir(d));)
        empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
    closedir(d);
    if (!empty)
        return brig_err_set(err, BRIG_EUSAGE, "%s: already populated", data);
    return 0;
}

int brig_rootfs_populate(const char *base, const char *data, brig_rootfs_progress_fn progress,
                         void *arg, struct brig_err *err)
{
    return brig_rootfs_populate_shifted(base, data, 0, progress, arg, err);
}

int brig_rootfs_populate_shifted(const char *base, const char *data, uint32_t idshift,
                                 brig_rootfs_progress_fn progress, void *arg, struct brig_err *err)
{
    if (check_dir("base", base, err) < 0 || check_populate_target(data, err) < 0)
        return brig_err_wrap(err, "copy %s", base);
    /* Copy next to data and rename, so a crash never leaves a half copy at data. */
    _cleanup_free_ char *partial = brig_xasprintf("%s.partial", data);
    if (brig_rm_rf(partial, err) < 0)
        return brig_err_wrap(err, "copy %s", base);
    if (mkdir(partial, 0700) < 0)
        return brig_err_sys(err, errno, "copy %s: mkdir %s", base, partial);
    _cleanup_close_ int sfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int dfd = open(partial, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (sfd < 0 || dfd < 0 || fstat(sfd, &st) < 0) {
        brig_err_sys(err, errno, "open %s", sfd < 0 ? base : partial);
        goto fail;
    }
    struct copy c = {
        .dst_root = dfd, .dev = st.st_dev, .idshift = idshift, .progress = progress, .arg = arg};
    /* the total is for the progress bar only: without one, the tree is walked once */
    void *counted = NULL;
    int rc = progress ? sum_sizes(sfd, st.st_dev, &counted, &c.total, err) : 0;
    tdestroy(counted, free_inode);
    if (rc == 0)
        rc = copy_tree(sfd, dfd, "", &c, err);
    if (rc == 0)
        rc = copy_meta_fd(sfd, dfd, &st, "/", &c, err);
    tdestroy(c.seen, free_inode);
    if (rc < 0)
        goto fail;
    if (rename(partial, data) < 0) {
        brig_err_sys(err, errno, "rename %s to %s", partial, data);
        goto fail;
    }
    if (progress)
        progress(c.total, c.total, arg);
    return 0;
fail:
    brig_rm_rf(partial, &(struct brig_err)BRIG_ERR_INIT);
    return brig_err_wrap(err, "copy %s to %s", base, data);
}
