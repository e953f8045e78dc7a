/* jsnapshot: copies of a jail's own files and rollback to one.
 *
 * A jail's own files are its layer: a thin jail's overlay upper dir
 * (<data>/upper), a thick jail's whole data dir. Snapshot NAME of jail J is
 * jails-system/J/snapshots/NAME/: `tree` (the copy) and `created` (seconds
 * since the epoch). It is made in snapshots/.tmp-NAME and renamed whole, so a
 * crash never leaves half a snapshot under a name; the snapshots go with the
 * system dir (jrename moves them, jremove removes them, jclone makes none).
 *
 * Rollback copies the tree to <layer>.rollback beside the layer and exchanges
 * the two names in one renameat2(RENAME_EXCHANGE): the layer is the old one
 * or the new one whatever moment brig dies at. What is left beside it (the
 * copy, or the old layer after the exchange) is removed by the next verb that
 * opens the jail under its lock (brig_snapshot_settle). A file system without
 * the exchange gets two renames through <layer>.rollback-old, and the settle
 * moves that back when brig died between them. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "brig.h"
#include "jailop.h"
#include "lifecycle.h"
#include "os/os.h"
#include "util.h"

#define SNAP_NAME_MAX 64

int brig_snapshot_name_check(const char *name, struct brig_err *err)
{
    size_t n = strlen(name);
    if (n == 0)
        return brig_err_set(err, BRIG_EUSAGE, "snapname: empty");
    if (n > SNAP_NAME_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "snapname: longer than %d characters", SNAP_NAME_MAX);
    if (strchr(name, '/') || strstr(name, ".."))
        return brig_err_set(err, BRIG_EUSAGE, "snapname '%.80s': '/' and '..' are not allowed",
                            name);
    if (name[0] == '.' || name[0] == '-')
        return brig_err_set(err, BRIG_EUSAGE, "snapname '%.80s': must not begin with '%c'", name,
                            name[0]);
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-' || ch == ':'))
            return brig_err_set(err, BRIG_EUSAGE,
                                "snapname '%.80s' may hold only letters, digits, '.', '_', '-' "
                                "and ':'",
                                name);
    }
    return 0;
}

void brig_snapshots_free(struct brig_snapshot *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

/* The jail's layer: what a snapshot copies and a rollback replaces. */
static char *layer_path(const struct brig_jail *j)
{
    return brig_jail_bool(j, BRIG_P_BASERW) ? brig_xstrdup(j->v[BRIG_P_DATA])
                                            : brig_xasprintf("%s/upper", j->v[BRIG_P_DATA]);
}

static char *snap_root(const struct brig_jail_op *op)
{
    return brig_xasprintf("%s/snapshots", op->sysdir);
}

/* Present while brig holds the running jail frozen. */
static char *frozen_marker(const struct brig_jail_op *op)
{
    return brig_xasprintf("%s/snapshots/.frozen", op->sysdir);
}

int brig_snapshot_thaw_left(const struct brig_jail_op *op, struct brig_err *err)
{
    _cleanup_free_ char *marker = frozen_marker(op);
    if (access(marker, F_OK) < 0)
        return 0;
    const struct brig_os_ops *ops = brig_os_get(op->c->os);
    if (op->running && ops->freeze && ops->freeze(&op->env, false, err) < 0)
        return brig_err_wrap(err, "thaw the jail an interrupted jsnapshot left frozen");
    unlink(marker);
    return 0;
}

int brig_snapshot_settle(const struct brig_jail *j, struct brig_err *err)
{
    _cleanup_free_ char *layer = layer_path(j);
    _cleanup_free_ char *staged = brig_xasprintf("%s.rollback", layer);
    _cleanup_free_ char *partial = brig_xasprintf("%s.rollback.partial", layer);
    _cleanup_free_ char *old = brig_xasprintf("%s.rollback-old", layer);
    /* killed between the two renames of a file system without RENAME_EXCHANGE */
    if (!brig_path_exists(layer) && brig_path_exists(old) && rename(old, layer) < 0)
        return brig_err_sys(err, errno, "move %s back to %s", old, layer);
    if (brig_rm_rf(staged, err) < 0 || brig_rm_rf(partial, err) < 0 || brig_rm_rf(old, err) < 0)
        return brig_err_wrap(err, "remove what an interrupted rollback left");
    return 0;
}

/* Remove what an interrupted create left in dir (the lock is held: nothing
 * else is making one). */
static void remove_partial(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d));) {
        if (!brig_startswith(de->d_name, ".tmp-"))
            continue;
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", dir, de->d_name);
        brig_rm_rf(p, NULL);
    }
    closedir(d);
}

/* A snapshot's default name: the time, made unique in dir. */
static char *default_name(const char *dir)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%SZ", &tm);
    for (int i = 1;; i++) {
        char *name = i == 1 ? brig_xstrdup(stamp) : brig_xasprintf("%s-%d", stamp, i);
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", dir, name);
        if (!brig_path_exists(p))
            return name;
        free(name);
    }
}

/* Open jname under its lock, with what a crash left settled. */
static int open_settled(struct brig_ctx *c, const char *jname, struct brig_jail_op *op,
                        const struct brig_os_ops **ret_ops, struct brig_err *err)
{
    const struct brig_os_ops *ops = brig_os_get(c->os);
    if (!ops->tree_copy || c->os != brig_os_native())
        return brig_err_set(err, BRIG_EUSAGE, "jsnapshot: not available for %s jails here",
                            ops->name);
    *ret_ops = ops;
    if (brig_jail_op_open(c, jname, true, op, err) < 0)
        return -1;
    if (brig_jail_op_settle(op, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    return 0;
}

/* Copy the layer to tree; a running jail is frozen meanwhile and thawed on
 * every path. */
static int copy_layer(const struct brig_os_ops *ops, const struct brig_jail_op *op,
                      const char *layer, const char *tree, struct brig_err *err)
{
    if (!brig_path_exists(layer)) {
        /* a thin jail never started has no layer yet: an empty one */
        if (mkdir(tree, 0755) < 0)
            return brig_err_sys(err, errno, "mkdir %s", tree);
        return 0;
    }
    _cleanup_free_ char *marker = frozen_marker(op);
    bool frozen = false;
    if (op->running) {
        if (!ops->freeze)
            return brig_err_set(err, BRIG_EFAIL, "cannot freeze a running %s jail", ops->name);
        /* a brig killed while the jail is frozen leaves the marker: the next
         * verb under the lock thaws it */
        if (brig_write_file_atomic(marker, "", 0, 0600, err) < 0)
            return -1;
        if (ops->freeze(&op->env, true, err) < 0) {
            struct brig_err e = BRIG_ERR_INIT;
            if (ops->freeze(&op->env, false, &e) == 0)
                unlink(marker);
            return brig_err_wrap(err, "freeze the running jail for a consistent copy");
        }
        frozen = true;
        brig_fault_point("jsnapshot", 4, "before");
    }
    int r = ops->tree_copy(layer, tree, err);
    if (frozen) {
        struct brig_err e = BRIG_ERR_INIT;
        if (ops->freeze(&op->env, false, r < 0 ? &e : err) < 0) {
            if (r == 0)
                r = brig_err_wrap(err, "thaw the jail");
        } else {
            unlink(marker);
        }
    }
    return r;
}

int brig_jsnapshot_create(struct brig_ctx *c, const char *jname, const char *snapname,
                          char **ret_name, struct brig_err *err)
{
    struct brig_jail_op op;
    const struct brig_os_ops *ops = NULL;
    _cleanup_free_ char *dir = NULL, *name = NULL, *tmp = NULL, *tree = NULL, *dst = NULL,
                        *layer = NULL, *created = NULL, *stamp = NULL;
    int r = -1;
    if (brig_check_name("jname", jname, err) < 0 ||
        (snapname && brig_snapshot_name_check(snapname, err) < 0))
        return -1;
    if (open_settled(c, jname, &op, &ops, err) < 0)
        goto out;
    dir = snap_root(&op);
    if (brig_mkdir_p(dir, 0700, err) < 0)
        goto wrap;
    remove_partial(dir);
    name = snapname ? brig_xstrdup(snapname) : default_name(dir);
    dst = brig_xasprintf("%s/%s", dir, name);
    if (brig_path_exists(dst)) {
        brig_err_set(err, BRIG_EUSAGE, "a snapshot named %s exists", name);
        goto wrap;
    }
    tmp = brig_xasprintf("%s/.tmp-%s", dir, name);
    tree = brig_xasprintf("%s/tree", tmp);
    created = brig_xasprintf("%s/created", tmp);
    layer = layer_path(&op.j);
    if (mkdir(tmp, 0700) < 0) {
        brig_err_sys(err, errno, "mkdir %s", tmp);
        goto wrap;
    }
    stamp = brig_xasprintf("%lld\n", (long long)time(NULL));
    if (copy_layer(ops, &op, layer, tree, err) < 0 ||
        brig_write_file_atomic(created, stamp, strlen(stamp), 0600, err) < 0)
        goto fail;
    if (rename(tmp, dst) < 0) {
        brig_err_sys(err, errno, "rename %s to %s", tmp, dst);
        goto fail;
    }
    *ret_name = brig_steal(&name);
    r = 0;
    goto out;
fail:
    brig_rm_rf(tmp, NULL);
wrap:
    brig_err_wrap(err, "%s", jname);
out:
    brig_jail_op_free(&op);
    return r;
}

/* Disk use of the tree at dirfd: its blocks, each inode once. */
static int cmp_ino(const void *a, const void *b)
{
    const ino_t *x = a, *y = b;
    return *x < *y ? -1 : *x > *y;
}

static uint64_t tree_blocks(int dirfd, dev_t dev, void **seen)
{
    int dup_fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return 0;
    }
    uint64_t sum = 0;
    for (struct dirent *de; (de = readdir(d));) {
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
            continue;
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
            ino_t *k = brig_xmalloc(sizeof(*k));
            *k = st.st_ino;
            void *found = tsearch(k, seen, cmp_ino);
            if (!found)
                abort();
            if (*(ino_t **)found != k) {
                free(k);
                continue;
            }
        }
        sum += (uint64_t)st.st_blocks * 512;
        if (S_ISDIR(st.st_mode)) {
            _cleanup_close_ int sub =
                openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                sum += tree_blocks(sub, dev, seen);
        }
    }
    closedir(d);
    return sum;
}

static int cmp_snapshot(const void *a, const void *b)
{
    const struct brig_snapshot *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The snapshots in dir, oldest first. */
static int list_dir(const char *dir, struct brig_snapshot **ret, size_t *ret_n,
                    struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", dir);
    struct brig_snapshot *v = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        _cleanup_free_ char *created = brig_xasprintf("%s/%s/created", dir, de->d_name);
        _cleanup_free_ char *tree = brig_xasprintf("%s/%s/tree", dir, de->d_name);
        _cleanup_free_ char *text = NULL;
        struct brig_snapshot s = {0};
        if (brig_read_file(created, 64, &text, NULL, NULL) == 0)
            s.created = strtoll(text, NULL, 10);
        _cleanup_close_ int fd = open(tree, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0) {
            void *seen = NULL;
            s.size = (uint64_t)st.st_blocks * 512 + tree_blocks(fd, st.st_dev, &seen);
            tdestroy(seen, free);
        }
        s.name = brig_xstrdup(de->d_name);
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = s;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof(*v), cmp_snapshot);
    *ret = v;
    *ret_n = n;
    return 0;
}

int brig_jsnapshot_list(struct brig_ctx *c, const char *jname, struct brig_snapshot **ret,
                        size_t *ret_n, struct brig_err *err)
{
    struct brig_jail_op op;
    if (brig_check_name("jname", jname, err) < 0)
        return -1;
    if (brig_jail_op_open(c, jname, false, &op, err) < 0) {
        brig_jail_op_free(&op);
        return -1;
    }
    _cleanup_free_ char *dir = snap_root(&op);
    int r = list_dir(dir, ret, ret_n, err);
    brig_jail_op_free(&op);
    return r < 0 ? brig_err_wrap(err, "%s", jname) : 0;
}

int brig_jsnapshot_remove(struct brig_ctx *c, const char *jname, const char *snapname,
                          size_t *ret_n, struct brig_err *err)
{
    struct brig_jail_op op;
    bool all = brig_streq(snapname, "*");
    struct brig_snapshot *v = NULL;
    size_t n = 0;
    _cleanup_free_ char *dir = NULL;
    int r = -1;
    *ret_n = 0;
    if (brig_check_name("jname", jname, err) < 0 ||
        (!all && brig_snapshot_name_check(snapname, err) < 0))
        return -1;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0)
        goto out;
    dir = snap_root(&op);
    remove_partial(dir);
    if (list_dir(dir, &v, &n, err) < 0)
        goto wrap;
    bool found = all;
    for (size_t i = 0; i < n; i++) {
        if (!all && !brig_streq(v[i].name, snapname))
            continue;
        found = true;
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", dir, v[i].name);
        if (brig_rm_rf(p, err) < 0)
            goto wrap;
        (*ret_n)++;
    }
    if (!found) {
        brig_err_set(err, BRIG_EUSAGE, "no snapshot named %s (brig jsnapshot jname=%s action=list)",
                     snapname, jname);
        goto wrap;
    }
    r = 0;
    goto out;
wrap:
    brig_err_wrap(err, "%s", jname);
out:
    brig_snapshots_free(v, n);
    brig_jail_op_free(&op);
    return r;
}

/* Put staged in layer's place: one exchange of the names where the file
 * system has it, else two renames that brig_snapshot_settle can finish. */
static int swap_in(const char *staged, const char *layer, struct brig_err *err)
{
    if (!brig_path_exists(layer))
        return rename(staged, layer) < 0 ? brig_err_sys(err, errno, "rename %s", staged) : 0;
    if (renameat2(AT_FDCWD, staged, AT_FDCWD, layer, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return brig_err_sys(err, errno, "exchange %s and %s", staged, layer);
    _cleanup_free_ char *old = brig_xasprintf("%s.rollback-old", layer);
    if (rename(layer, old) < 0)
        return brig_err_sys(err, errno, "rename %s", layer);
    brig_fault_point("jsnapshot", 3, "before");
    if (rename(staged, layer) < 0) {
        int e = errno;
        rename(old, layer);
        return brig_err_sys(err, e, "rename %s", staged);
    }
    return 0;
}

int brig_jsnapshot_rollback(struct brig_ctx *c, const char *jname, const char *snapname,
                            struct brig_err *err)
{
    struct brig_jail_op op;
    const struct brig_os_ops *ops = NULL;
    _cleanup_free_ char *dir = NULL, *tree = NULL, *layer = NULL, *staged = NULL;
    int r = -1;
    if (brig_check_name("jname", jname, err) < 0 || brig_snapshot_name_check(snapname, err) < 0)
        return -1;
    if (open_settled(c, jname, &op, &ops, err) < 0)
        goto out;
    if (op.running) {
        brig_err_set(err, BRIG_EUSAGE, "is running (stop it first: brig jstop jname=%s)", jname);
        goto wrap;
    }
    dir = snap_root(&op);
    tree = brig_xasprintf("%s/%s/tree", dir, snapname);
    if (!brig_path_exists(tree)) {
        brig_err_set(err, BRIG_EUSAGE, "no snapshot named %s (brig jsnapshot jname=%s action=list)",
                     snapname, jname);
        goto wrap;
    }
    layer = layer_path(&op.j);
    staged = brig_xasprintf("%s.rollback", layer);
    if (ops->tree_copy(tree, staged, err) < 0)
        goto wrap;
    brig_fault_point("jsnapshot", 1, "before");
    if (swap_in(staged, layer, err) < 0) {
        brig_rm_rf(staged, NULL);
        goto wrap;
    }
    brig_fault_point("jsnapshot", 2, "before");
    /* the old layer, now under the staged name; the overlay's work dir is remade at the start */
    if (brig_rm_rf(staged, err) < 0)
        goto wrap;
    if (!brig_jail_bool(&op.j, BRIG_P_BASERW)) {
        _cleanup_free_ char *work = brig_xasprintf("%s/work", op.j.v[BRIG_P_DATA]);
        if (brig_rm_rf(work, err) < 0)
            goto wrap;
    }
    r = 0;
    goto out;
wrap:
    brig_err_wrap(err, "%s", jname);
out:
    brig_jail_op_free(&op);
    return r;
}
