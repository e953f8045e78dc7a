/* Shifting a tree's owners from one id range to another (idshift.h). Nothing
 * is followed: every entry is reached by name under its parent's fd, with
 * O_NOFOLLOW, so a symbolic link planted in a jail's files points nowhere
 * here. */
#define _GNU_SOURCE
#include "idshift.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <search.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/util.h"

#define CAP_XATTR "security.capability"
/* POSIX ACLs as the kernel passes them: a 4-byte version, then 8-byte entries. */
#define ACL_VERSION     2
#define ACL_HEADER_SIZE 4
#define ACL_ENTRY_SIZE  8
#define ACL_TAG_USER    0x02
#define ACL_TAG_GROUP   0x08
#define ACL_MAX         (64 * 1024)

struct shift {
    uint32_t from, to, count;
    dev_t dev;
    void *seen; /* inodes with more than one link, shifted already */
};

struct inode_key {
    dev_t dev;
    ino_t ino;
};

static int cmp_inode(const void *a, const void *b)
{
    const struct inode_key *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return 0;
}

/* True the first time the inode of st is met; a hard link's later names are skipped. */
static bool first_link(struct shift *s, const struct stat *st)
{
    if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
        return true;
    struct inode_key *k = brig_xcalloc(1, sizeof(*k));
    k->dev = st->st_dev;
    k->ino = st->st_ino;
    void *r = tsearch(k, &s->seen, cmp_inode);
    if (!r)
        abort();
    if (*(struct inode_key **)r != k) {
        free(k);
        return false;
    }
    return true;
}

static bool in_range(const struct shift *s, uint32_t id)
{
    return id >= s->from && id - s->from < s->count;
}

static uint32_t moved(const struct shift *s, uint32_t id)
{
    return in_range(s, id) ? id - s->from + s->to : id;
}

static uint32_t le32_get(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void le32_put(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static bool xattr_absent(int e)
{
    return e == ENODATA || e == ENOTSUP || e == EOPNOTSUPP;
}

/* The value of xattr name of fd in *ret (NULL when it has none). */
static int xattr_get(int fd, const char *name, const char *rel, unsigned char **ret,
                     size_t *ret_len, struct brig_err *err)
{
    *ret = NULL;
    *ret_len = 0;
    ssize_t n = fgetxattr(fd, name, NULL, 0);
    if (n < 0)
        return xattr_absent(errno) ? 0 : brig_err_sys(err, errno, "%s of %s", name, rel);
    if (n > ACL_MAX)
        return brig_err_set(err, BRIG_EFAIL, "%s of %s: too large", name, rel);
    unsigned char *v = brig_xmalloc((size_t)n + 1);
    n = fgetxattr(fd, name, v, (size_t)n);
    if (n < 0) {
        free(v);
        return brig_err_sys(err, errno, "%s of %s", name, rel);
    }
    *ret = v;
    *ret_len = (size_t)n;
    return 0;
}

/* Move the ids of a POSIX ACL's named users and groups; false when none moved. */
static int acl_shift(const struct shift *s, unsigned char *v, size_t len, const char *rel,
                     bool *ret_changed, struct brig_err *err)
{
    *ret_changed = false;
    if (len < ACL_HEADER_SIZE || (len - ACL_HEADER_SIZE) % ACL_ENTRY_SIZE ||
        le32_get(v) != ACL_VERSION)
        return brig_err_set(err, BRIG_EFAIL, "%s: an ACL brig cannot read", rel);
    for (size_t off = ACL_HEADER_SIZE; off < len; off += ACL_ENTRY_SIZE) {
        unsigned tag = (unsigned)v[off] | (unsigned)v[off + 1] << 8;
        if (tag != ACL_TAG_USER && tag != ACL_TAG_GROUP)
            continue;
        uint32_t id = le32_get(v + off + 4);
        if (!in_range(s, id))
            return brig_err_set(err, BRIG_EFAIL, "%s: its ACL names id %u, outside the range %u-%u",
                                rel, id, s->from, s->from + s->count - 1);
        le32_put(v + off + 4, moved(s, id));
        *ret_changed = true;
    }
    return 0;
}

/* A v3 file capability's root id moves with the range (a v2 one belongs to the
 * host's root and stays as it is). */
static void cap_shift(const struct shift *s, unsigned char *v, size_t len)
{
    if (len < XATTR_CAPS_SZ_3 || (le32_get(v) & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_3)
        return;
    unsigned char *rootid = v + offsetof(struct vfs_ns_cap_data, rootid);
    le32_put(rootid, moved(s, le32_get(rootid)));
}

/* Change the owner of the file open at fd (a regular file or a directory), and
 * put back what the chown cleared. */
static int shift_fd(const struct shift *s, int fd, const struct stat *st, uid_t uid, gid_t gid,
                    const char *rel, struct brig_err *err)
{
    static const char *const acls[] = {"system.posix_acl_access", "system.posix_acl_default"};
    _cleanup_free_ unsigned char *cap = NULL;
    size_t caplen = 0;
    if (S_ISREG(st->st_mode) && xattr_get(fd, CAP_XATTR, rel, &cap, &caplen, err) < 0)
        return -1;
    if (fchown(fd, uid, gid) < 0)
        return brig_err_sys(err, errno, "chown %s", rel);
    if (fchmod(fd, st->st_mode & 07777) < 0)
        return brig_err_sys(err, errno, "chmod %s", rel);
    if (cap) {
        cap_shift(s, cap, caplen);
        if (fsetxattr(fd, CAP_XATTR, cap, caplen, 0) < 0)
            return brig_err_sys(err, errno, "set the file capability of %s", rel);
    }
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(acls); i++) {
        _cleanup_free_ unsigned char *acl = NULL;
        size_t len = 0;
        bool changed = false;
        if (xattr_get(fd, acls[i], rel, &acl, &len, err) < 0)
            return -1;
        if (acl && (acl_shift(s, acl, len, rel, &changed, err) < 0))
            return -1;
        if (changed && fsetxattr(fd, acls[i], acl, len, 0) < 0)
            return brig_err_sys(err, errno, "set %s of %s", acls[i], rel);
    }
    return 0;
}

static int shift_dir(struct shift *s, int dfd, const char *rel, struct brig_err *err);

/* Shift one entry; fd is the entry itself when the caller has it open, else -1. */
static int shift_entry(struct shift *s, int parent, const char *name, int fd, const char *rel,
                       struct brig_err *err)
{
    struct stat st;
    if ((fd >= 0 ? fstat(fd, &st) : fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW)) < 0)
        return brig_err_sys(err, errno, "stat %s", rel);
    /* another file system mounted inside is not part of the tree */
    if (st.st_dev != s->dev || !first_link(s, &st))
        return 0;
    bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
    if (whiteout && st.st_uid == 0 && st.st_gid == 0)
        return 0;
    if (!in_range(s, st.st_uid) || !in_range(s, st.st_gid))
        return brig_err_set(err, BRIG_EFAIL, "%s: owner %u:%u is outside the range %u-%u", rel,
                            (unsigned)st.st_uid, (unsigned)st.st_gid, s->from,
                            s->from + s->count - 1);
    uid_t uid = moved(s, st.st_uid);
    gid_t gid = moved(s, st.st_gid);
    if (S_ISDIR(st.st_mode)) {
        _cleanup_close_ int own = -1;
        if (fd < 0) {
            own = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (own < 0)
                return brig_err_sys(err, errno, "open %s", rel);
            fd = own;
        }
        if (shift_dir(s, fd, rel, err) < 0)
            return -1;
        return shift_fd(s, fd, &st, uid, gid, rel, err);
    }
    if (S_ISREG(st.st_mode)) {
        _cleanup_close_ int own =
            openat(parent, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (own < 0)
            return brig_err_sys(err, errno, "open %s", rel);
        return shift_fd(s, own, &st, uid, gid, rel, err);
    }
    if (fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        return brig_err_sys(err, errno, "chown %s", rel);
    /* a chown clears set-id bits of anything but a directory */
    if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) &&
        fchmodat(parent, name, st.st_mode & 07777, 0) < 0)
        return brig_err_sys(err, errno, "chmod %s", rel);
    return 0;
}

static int shift_dir(struct shift *s, int dfd, const char *rel, struct brig_err *err)
{
    /* a new open file description: a dup would share the read position */
    int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
        rc = shift_entry(s, dfd, de->d_name, -1, sub, err);
    }
    closedir(d);
    return rc;
}

int brig_tree_shift(int dirfd, uint32_t from, uint32_t to, uint32_t count, struct brig_err *err)
{
    struct stat st;
    if (count == 0 || from > UINT32_MAX - (count - 1) || to > UINT32_MAX - (count - 1))
        return brig_err_set(err, BRIG_EUSAGE, "shift of %u ids from %u to %u: out of bounds", count,
                            from, to);
    if (fstat(dirfd, &st) < 0)
        return brig_err_sys(err, errno, "stat the tree to shift");
    if (!S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "the tree to shift is not a directory");
    if (from == to)
        return 0;
    struct shift s = {from, to, count, st.st_dev, NULL};
    int r = shift_entry(&s, dirfd, ".", dirfd, "", err);
    tdestroy(s.seen, free);
    return r;
}
