/* jset base=: a stopped thin jail's lower layer switched to another base, and
 * the files of its own layer that hide a file the new base changed.
 *
 * The layer (<data>/upper) is the jail's: it is walked by fds, never
 * following a link, and a file of it is read only once fstat says it is a
 * regular file (opened non-blocking, so a FIFO cannot hang brig). Paths are
 * looked up in the two bases with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: a
 * path that crosses a link in a base is not that base's file. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "brig.h"
#include "jailop.h"
#include "store/store.h"
#include "util.h"

#define SHADOW_DEPTH_MAX 256

struct shadow_walk {
    int old_base, new_base; /* the two bases' roots */
    char **found;
};

/* rel under the base root at basefd, not through a link; -1 when it is not there. */
static int base_open(int basefd, const char *rel, int flags)
{
    struct open_how how = {.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                      RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    return (int)syscall(SYS_openat2, basefd, rel, &how, sizeof(how));
}

/* Whether the two files' contents are the same. */
static bool same_content(int a, int b)
{
    struct stat sa, sb;
    if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0 || sa.st_size != sb.st_size)
        return false;
    char x[65536], y[65536];
    for (off_t off = 0; off < sa.st_size;) {
        ssize_t n = pread(a, x, sizeof(x), off);
        if (n <= 0 || pread(b, y, (size_t)n, off) != n || memcmp(x, y, (size_t)n) != 0)
            return false;
        off += n;
    }
    return true;
}

/* What rel is in the base at basefd: 0 missing (or not reachable without a
 * link), else its type, and *ret_fd open for a regular file. */
static mode_t base_kind(int basefd, const char *rel, char *target, size_t tlen, int *ret_fd)
{
    *ret_fd = -1;
    target[0] = '\0';
    int fd = base_open(basefd, rel, O_PATH);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    mode_t kind = st.st_mode & S_IFMT;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(fd, "", target, tlen - 1);
        target[n < 0 ? 0 : n] = '\0';
    }
    close(fd);
    if (S_ISREG(st.st_mode))
        *ret_fd = base_open(basefd, rel, O_RDONLY | O_NONBLOCK);
    return kind;
}

/* Whether the new base changed rel: there in both, and of another kind or content. */
static bool base_changed(const struct shadow_walk *w, const char *rel)
{
    char t1[4096], t2[4096];
    _cleanup_close_ int f1 = -1, f2 = -1;
    mode_t k1 = base_kind(w->old_base, rel, t1, sizeof(t1), &f1);
    mode_t k2 = base_kind(w->new_base, rel, t2, sizeof(t2), &f2);
    if (!k1 || !k2)
        return false;
    if (k1 != k2)
        return true;
    if (S_ISREG(k1))
        return f1 < 0 || f2 < 0 || !same_content(f1, f2);
    if (S_ISLNK(k1))
        return strcmp(t1, t2) != 0;
    return false;
}

static void walk_layer(struct shadow_walk *w, int dirfd, const char *rel, int depth)
{
    if (depth > SHADOW_DEPTH_MAX)
        return;
    int dup_fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return;
    }
    for (struct dirent *de; (de = readdir(d));) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        _cleanup_free_ char *sub =
            rel[0] ? brig_xasprintf("%s/%s", rel, de->d_name) : brig_xstrdup(de->d_name);
        if (S_ISDIR(st.st_mode)) {
            _cleanup_close_ int fd =
                openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0)
                walk_layer(w, fd, sub, depth + 1);
            continue;
        }
        /* a file of the jail's own, or a whiteout (0/0) hiding the base's */
        if (base_changed(w, sub)) {
            bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
            _cleanup_free_ char *line =
                brig_xasprintf("/%s%s", sub, whiteout ? " (removed in the jail)" : "");
            brig_strv_push(&w->found, line);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of the layer at upper that hide a file changed from old_base to new_base. */
static int shadow_report(const char *upper, const char *old_base, const char *new_base, char ***ret,
                         struct brig_err *err)
{
    struct shadow_walk w = {-1, -1, NULL};
    *ret = NULL;
    _cleanup_close_ int up = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (up < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", upper);
    w.old_base = open(old_base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    w.new_base = open(new_base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w.old_base >= 0 && w.new_base >= 0)
        walk_layer(&w, up, "", 0);
    if (w.old_base >= 0)
        close(w.old_base);
    if (w.new_base >= 0)
        close(w.new_base);
    size_t n = brig_strv_len(w.found);
    if (n > 1)
        qsort(w.found, n, sizeof(*w.found), cmp_str);
    *ret = w.found;
    return 0;
}

int brig_jset_base(struct brig_ctx *c, const char *jname, const char *base, bool dry_run,
                   char ***ret_shadow, bool *ret_changed, struct brig_err *err)
{
    struct brig_jail_op op;
    _cleanup_free_ char *newdir = NULL, *upper = NULL;
    int r = -1;
    *ret_shadow = NULL;
    *ret_changed = false;
    if (brig_check_name("jname", jname, err) < 0 || brig_check_name("base", base, err) < 0)
        return -1;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0)
        goto out;
    const char *old = op.j.v[BRIG_P_BASE];
    if (brig_streq(old, base)) {
        r = 0;
        goto out;
    }
    if (brig_jail_bool(&op.j, BRIG_P_BASERW)) {
        brig_err_set(err, BRIG_EUSAGE,
                     "base= changes only a thin jail's base; a thick jail (baserw=1) has its "
                     "own copy of %s",
                     old);
        goto wrap;
    }
    if (op.running) {
        brig_err_set(err, BRIG_EUSAGE, "is running (stop it first: brig jstop jname=%s)", jname);
        goto wrap;
    }
    newdir = brig_ctx_path(c, "basejail/%s", base);
    if (!brig_path_exists(newdir)) {
        brig_err_set(err, BRIG_EUSAGE,
                     "base '%s' does not exist (brig repo action=get sources=base base=%s)", base,
                     base);
        goto wrap;
    }
    if (!dry_run && brig_jail_op_settle(&op, err) < 0)
        goto wrap;
    upper = brig_xasprintf("%s/upper", op.j.v[BRIG_P_DATA]);
    if (c->os == brig_os_native() && shadow_report(upper, op.basedir, newdir, ret_shadow, err) < 0)
        goto wrap;
    *ret_changed = true;
    if (dry_run) {
        r = 0;
        goto out;
    }
    brig_jail_set(&op.j, BRIG_P_BASE, base);
    if (brig_store_begin(c->st, err) < 0)
        goto wrap;
    if (brig_store_jail_update(c->st, &op.j, err) < 0 || brig_store_commit(c->st, err) < 0) {
        brig_store_rollback(c->st);
        goto wrap;
    }
    r = 0;
    goto out;
wrap:
    brig_err_wrap(err, "%s", jname);
out:
    if (r < 0) {
        brig_strv_free(*ret_shadow);
        *ret_shadow = NULL;
    }
    brig_jail_op_free(&op);
    return r;
}
