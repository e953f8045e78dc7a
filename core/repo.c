#define _GNU_SOURCE
#include "repo.h"
#include "repo_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kv.h"
#include "os/linux/base_busybox.h"
#include "params.h"
#include "repo_tree.h"
#include "util.h"

#define REPO_TMP_PREFIX  ".tmp-"
#define REPO_META_SUFFIX ".meta"
#define REPO_META_MAX    (1024 * 1024)
#define REPO_OCI_PREFIX  "oci_"

static const char *const base_kind_names[] = {
    [BRIG_BASE_UNKNOWN] = "unknown", [BRIG_BASE_BUSYBOX] = "busybox", [BRIG_BASE_DEBIAN] = "debian",
    [BRIG_BASE_TARBALL] = "tarball", [BRIG_BASE_OCI] = "oci",
};

const char *brig_base_kind_name(enum brig_base_kind kind)
{
    if ((size_t)kind >= BRIG_ARRAY_SIZE(base_kind_names))
        return "unknown";
    return base_kind_names[kind];
}

static enum brig_base_kind base_kind_parse(const char *s)
{
    for (size_t i = 0; s && i < BRIG_ARRAY_SIZE(base_kind_names); i++) {
        if (strcmp(s, base_kind_names[i]) == 0)
            return (enum brig_base_kind)i;
    }
    return BRIG_BASE_UNKNOWN;
}

void brig_base_clear(struct brig_base *base)
{
    free(base->name);
    free(base->origin);
    free(base->version);
    free(base->sha256);
    free(base->checksum);
    brig_kvlist_free(&base->oci);
    memset(base, 0, sizeof(*base));
}

void brig_base_list_free(struct brig_base_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        brig_base_clear(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* ${workdir}/basejail, created when missing and resolved so it holds no symlink. */
static int repo_dir(const char *workdir, char **ret, struct brig_err *err)
{
    if (!workdir || workdir[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "workdir must be an absolute path");
    _cleanup_free_ char *dir = brig_xasprintf("%s/basejail", workdir);
    if (brig_mkdir_p(dir, 0755, err) < 0)
        return -1;
    char *real = realpath(dir, NULL);
    if (!real)
        return brig_err_sys(err, errno, "resolve %s", dir);
    *ret = real;
    return 0;
}

/* Apparent size of the tree under dirfd: symlinks, directories and files,
 * a file with n hard links counted 1/n per link. Mount points are not crossed. */
static uint64_t tree_size_at(int fd, dev_t dev)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return 0;
    }
    uint64_t total = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (S_ISREG(st.st_mode) && st.st_nlink > 1)
            total += (uint64_t)st.st_size / st.st_nlink;
        else
            total += (uint64_t)st.st_size;
        if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0)
                total += tree_size_at(sub, dev);
        }
    }
    closedir(d);
    return total;
}

static uint64_t tree_size(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return 0;
    }
    return tree_size_at(fd, st.st_dev);
}

static int meta_write(const char *path, const struct brig_base *b, struct brig_err *err)
{
    struct brig_buf buf = {0};
    char num[32];
    brig_jconf_format_line(&buf, "name", b->name);
    brig_jconf_format_line(&buf, "kind", brig_base_kind_name(b->kind));
    snprintf(num, sizeof(num), "%lld", (long long)b->created);
    brig_jconf_format_line(&buf, "created", num);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)b->size);
    brig_jconf_format_line(&buf, "size", num);
    brig_jconf_format_line(&buf, "origin", b->origin ? b->origin : "");
    brig_jconf_format_line(&buf, "version", b->version ? b->version : "");
    brig_jconf_format_line(&buf, "sha256", b->sha256 ? b->sha256 : "");
    brig_jconf_format_line(&buf, "checksum", b->checksum ? b->checksum : "");
    for (size_t i = 0; i < b->oci.n; i++) {
        _cleanup_free_ char *key = brig_xasprintf(REPO_OCI_PREFIX "%s", b->oci.items[i].key);
        brig_jconf_format_line(&buf, key, b->oci.items[i].value);
    }
    int r = brig_write_file_atomic(path, buf.s, buf.len, 0644, err);
    brig_buf_free(&buf);
    return r;
}

/* Fill ret for the base directory dir/name; metadata when present, else
 * what the directory itself tells. */
static int base_load(const char *dir, const char *name, struct brig_base *ret, struct brig_err *err)
{
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", dir, name);
    _cleanup_free_ char *meta = brig_xasprintf("%s/%s" REPO_META_SUFFIX, dir, name);
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "base '%s' does not exist", name);
    struct brig_base b = {.name = brig_xstrdup(name)};
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    struct brig_kvlist kv = {0};
    struct brig_err ignored = BRIG_ERR_INIT;
    if (brig_read_file(meta, REPO_META_MAX, &text, &len, &ignored) == 0 &&
        brig_jconf_parse(text, len, &kv, &ignored) == 0) {
        const char *v;
        b.kind = base_kind_parse(brig_kvlist_get(&kv, "kind"));
        if ((v = brig_kvlist_get(&kv, "created")))
            b.created = strtoll(v, NULL, 10);
        if ((v = brig_kvlist_get(&kv, "size")))
            b.size = strtoull(v, NULL, 10);
        /* bases made before origin was recorded have source= */
        v = brig_kvlist_get(&kv, "origin");
        b.origin = brig_xstrdup(v ? v : brig_kvlist_get(&kv, "source"));
        b.version = brig_xstrdup(brig_kvlist_get(&kv, "version"));
        b.sha256 = brig_xstrdup(brig_kvlist_get(&kv, "sha256"));
        b.checksum = brig_xstrdup(brig_kvlist_get(&kv, "checksum"));
        for (size_t i = 0; i < kv.n; i++) {
            if (brig_startswith(kv.items[i].key, REPO_OCI_PREFIX))
                brig_kvlist_add(&b.oci, kv.items[i].key + strlen(REPO_OCI_PREFIX),
                                kv.items[i].value, 0);
        }
    } else {
        b.kind = BRIG_BASE_UNKNOWN;
        b.created = (int64_t)st.st_mtime;
        b.size = tree_size(path);
        b.origin = brig_xstrdup("");
        b.version = brig_xstrdup("");
        b.sha256 = brig_xstrdup("");
        b.checksum = brig_xstrdup("");
    }
    brig_kvlist_free(&kv);
    *ret = b;
    return 0;
}

/* Remove .tmp-* entries that no live process holds locked. */
static int cleanup_tmp(const char *dir, int dfd, const char *name, struct brig_err *err)
{
    _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT)
        return 0;
    /* ELOOP: a symlink, which nobody locks; rm_rf removes the link itself. */
    if (fd < 0 && errno != ELOOP)
        return brig_err_sys(err, errno, "open %s", name);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
        return 0;
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", dir, name);
    return brig_rm_rf(path, err);
}

int brig_repo_cleanup(const char *workdir, struct brig_err *err)
{
    _cleanup_free_ char *dir = NULL;
    if (repo_dir(workdir, &dir, err) < 0)
        return -1;
    DIR *d = opendir(dir);
    if (!d)
        return brig_err_sys(err, errno, "open %s", dir);
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (brig_startswith(name, REPO_TMP_PREFIX)) {
            if (cleanup_tmp(dir, dirfd(d), name, r < 0 ? NULL : err) < 0)
                r = -1;
            continue;
        }
        size_t n = strlen(name), sl = strlen(REPO_META_SUFFIX);
        if (n > sl && strcmp(name + n - sl, REPO_META_SUFFIX) == 0 && name[0] != '.') {
            _cleanup_free_ char *base = brig_xstrndup(name, n - sl);
            struct stat st;
            if (fstatat(dirfd(d), base, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
                unlinkat(dirfd(d), name, 0) < 0 && errno != ENOENT && r == 0)
                r = brig_err_sys(err, errno, "remove %s", name);
        }
    }
    closedir(d);
    return r < 0 ? brig_err_wrap(err, "clean %s", dir) : 0;
}

/* Cleanup before other work is best effort: a leftover that cannot be removed
 * (say, a mount left inside it) must not stop listing or building other bases;
 * brig_repo_cleanup reports it. */
static void repo_tidy(const char *workdir)
{
    struct brig_err ignored = BRIG_ERR_INIT;
    brig_repo_cleanup(workdir, &ignored);
    brig_repo_layers_gc(workdir, &ignored);
}

static int base_cmp(const void *a, const void *b)
{
    return strcmp(((const struct brig_base *)a)->name, ((const struct brig_base *)b)->name);
}

int brig_repo_list(const char *workdir, struct brig_base_list *ret, struct brig_err *err)
{
    _cleanup_free_ char *dir = NULL;
    if (repo_dir(workdir, &dir, err) < 0)
        return -1;
    repo_tidy(workdir);
    DIR *d = opendir(dir);
    if (!d)
        return brig_err_sys(err, errno, "open %s", dir);
    struct brig_base_list list = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        struct brig_err ignored = BRIG_ERR_INIT;
        struct brig_base b;
        if (de->d_name[0] == '.' || brig_check_name("base", de->d_name, &ignored) < 0)
            continue;
        if (base_load(dir, de->d_name, &b, &ignored) < 0)
            continue;
        list.items = brig_xrealloc(list.items, (list.n + 1) * sizeof(*list.items));
        list.items[list.n++] = b;
    }
    closedir(d);
    if (list.n)
        qsort(list.items, list.n, sizeof(*list.items), base_cmp);
    *ret = list;
    return 0;
}

int brig_repo_info(const char *workdir, const char *name, struct brig_base *ret,
                   struct brig_err *err)
{
    _cleanup_free_ char *dir = NULL;
    if (brig_check_name("base", name, err) < 0 || repo_dir(workdir, &dir, err) < 0)
        return -1;
    return base_load(dir, name, ret, err);
}

bool brig_repo_exists(const char *workdir, const char *name)
{
    _cleanup_free_ char *dir = NULL;
    struct brig_err ignored = BRIG_ERR_INIT;
    if (brig_check_name("base", name, &ignored) < 0 || repo_dir(workdir, &dir, &ignored) < 0)
        return false;
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", dir, name);
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int brig_repo_path(const char *workdir, const char *name, char **ret_path, struct brig_err *err)
{
    _cleanup_free_ char *dir = NULL;
    if (brig_check_name("base", name, err) < 0 || repo_dir(workdir, &dir, err) < 0)
        return -1;
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", dir, name);
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "base '%s' does not exist", name);
    *ret_path = brig_steal(&path);
    return 0;
}

void brig_staging_end(struct brig_staging *s)
{
    if (s->tmp) {
        struct brig_err ignored = BRIG_ERR_INIT;
        brig_rm_rf(s->tmp, &ignored);
    }
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->name);
    free(s->dir);
    free(s->tmp);
    free(s->root);
    free(s->final);
    brig_kvlist_free(&s->oci);
    memset(s, 0, sizeof(*s));
    s->lock_fd = -1;
}

int brig_staging_begin(const char *workdir, const char *name, struct brig_staging *s,
                       struct brig_err *err)
{
    memset(s, 0, sizeof(*s));
    s->lock_fd = -1;
    if (brig_check_name("base", name, err) < 0)
        return -1;
    if (repo_dir(workdir, &s->dir, err) < 0)
        return -1;
    repo_tidy(workdir);
    s->name = brig_xstrdup(name);
    s->final = brig_xasprintf("%s/%s", s->dir, name);
    struct stat st;
    if (lstat(s->final, &st) == 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "base '%s' already exists: remove it first (repo action=remove)", name);
    s->tmp = brig_xasprintf("%s/" REPO_TMP_PREFIX "%s-%d", s->dir, name, (int)getpid());
    /* Another brig's tidy-up removes unlocked .tmp dirs, and may catch ours between
     * mkdir and flock: then wait for it to let go (it is removing the empty dir) and
     * make it again. */
    for (int tries = 0;; tries++) {
        if (mkdir(s->tmp, 0700) < 0 && errno != EEXIST)
            return brig_err_sys(err, errno, "mkdir %s", s->tmp);
        s->lock_fd = open(s->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        bool locked = s->lock_fd >= 0 && flock(s->lock_fd, LOCK_EX) == 0;
        if (s->lock_fd >= 0 && !locked)
            return brig_err_sys(err, errno, "lock %s", s->tmp);
        /* locked and still linked: ours; a tidy-up holding it removes it now */
        if (locked && fstat(s->lock_fd, &st) == 0 && st.st_nlink > 0)
            break;
        if (s->lock_fd >= 0)
            close(brig_steal_fd(&s->lock_fd));
        if (tries == 10)
            return brig_err_set(err, BRIG_EFAIL, "lock %s: removed under us", s->tmp);
    }
    s->root = brig_xasprintf("%s/root", s->tmp);
    if (mkdir(s->root, 0755) < 0 || chmod(s->root, 0755) < 0)
        return brig_err_sys(err, errno, "mkdir %s", s->root);
    return 0;
}

static int staging_rename(struct brig_staging *s, struct brig_err *err)
{
    if (renameat2(AT_FDCWD, s->root, AT_FDCWD, s->final, RENAME_NOREPLACE) < 0) {
        if (errno == EEXIST)
            return brig_err_set(err, BRIG_EUSAGE,
                                "base '%s' already exists: remove it first (repo action=remove)",
                                s->name);
        if (errno != EINVAL || brig_path_exists(s->final) || rename(s->root, s->final) < 0)
            return brig_err_sys(err, errno, "rename %s to %s", s->root, s->final);
    }
    return 0;
}

/* Move the finished rootfs into place, then record its metadata. */
int brig_staging_commit(struct brig_staging *s, enum brig_base_kind kind, const char *origin,
                        const char *version, const char *sha256, struct brig_err *err)
{
    char tree[65];
    if (brig_tree_sha256(s->root, tree, err) < 0)
        return -1;
    struct brig_base b = {
        .name = brig_xstrdup(s->name),
        .kind = kind,
        .size = tree_size(s->root),
        .created = (int64_t)time(NULL),
        .origin = brig_xstrdup(origin),
        .version = brig_xstrdup(version),
        .sha256 = brig_xstrdup(sha256),
        .checksum = brig_xasprintf("sha256:%s", tree),
    };
    for (size_t i = 0; i < s->oci.n; i++)
        brig_kvlist_add(&b.oci, s->oci.items[i].key, s->oci.items[i].value, 0);
    int r = staging_rename(s, err);
    if (r == 0) {
        _cleanup_free_ char *meta = brig_xasprintf("%s/%s" REPO_META_SUFFIX, s->dir, s->name);
        r = meta_write(meta, &b, err);
    }
    brig_base_clear(&b);
    return r;
}

/* "BusyBox v1.35.0" from the first line busybox prints; "" when it prints none. */
static char *busybox_version(const char *busybox)
{
    char *argv[] = {(char *)(uintptr_t)busybox, NULL};
    _cleanup_free_ char *out = NULL;
    int status;
    struct brig_err ignored = BRIG_ERR_INIT;
    if (brig_run(argv, NULL, &status, &out, &ignored) < 0 || !out ||
        !brig_startswith(out, "BusyBox v"))
        return brig_xstrdup("");
    size_t n = strcspn(out, "\n");
    const char *paren = strstr(out, " (");
    if (paren && (size_t)(paren - out) < n)
        n = (size_t)(paren - out);
    return brig_xstrndup(out, n > 80 ? 80 : n);
}

int brig_repo_get_busybox(const char *workdir, const char *name, struct brig_err *err)
{
    struct brig_staging s;
    int r = -1;
    /* without brig's ping (not installed), busybox's: it needs allow_raw_sockets=1 */
    _cleanup_free_ char *ping = brig_program_path("brig-ping");
    if (brig_staging_begin(workdir, name, &s, err) == 0 &&
        brig_busybox_populate(BRIG_BUSYBOX_PATH, ping, s.root, err) == 0) {
        _cleanup_free_ char *version = busybox_version(BRIG_BUSYBOX_PATH);
        r = brig_staging_commit(&s, BRIG_BASE_BUSYBOX, BRIG_BUSYBOX_PATH, version, NULL, err);
    }
    brig_staging_end(&s);
    return r < 0 ? brig_err_wrap(err, "base %s", name) : 0;
}

int brig_repo_remove(const char *workdir, const char *name, struct brig_err *err)
{
    _cleanup_free_ char *dir = NULL;
    if (brig_check_name("base", name, err) < 0 || repo_dir(workdir, &dir, err) < 0)
        return -1;
    repo_tidy(workdir);
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", dir, name);
    _cleanup_free_ char *meta = brig_xasprintf("%s/%s" REPO_META_SUFFIX, dir, name);
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "base '%s' does not exist", name);

    /* Move the base into a locked .tmp dir first: it vanishes at once, and a
     * removal killed half way is finished by the next cleanup. */
    struct brig_staging s = {.lock_fd = -1};
    int r = -1;
    s.tmp = brig_xasprintf("%s/" REPO_TMP_PREFIX "%s-%d", dir, name, (int)getpid());
    s.root = brig_xasprintf("%s/root", s.tmp);
    if (mkdir(s.tmp, 0700) < 0) {
        brig_err_sys(err, errno, "mkdir %s", s.tmp);
        free(s.tmp);
        s.tmp = NULL;
    } else if ((s.lock_fd = open(s.tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
               flock(s.lock_fd, LOCK_EX | LOCK_NB) < 0) {
        brig_err_sys(err, errno, "lock %s", s.tmp);
    } else if (rename(path, s.root) < 0) {
        brig_err_sys(err, errno, "rename %s", path);
    } else if (unlink(meta) < 0 && errno != ENOENT) {
        brig_err_sys(err, errno, "remove %s", meta);
    } else {
        r = brig_rm_rf(s.tmp, err);
    }
    brig_staging_end(&s);
    if (r == 0)
        r = brig_repo_layers_gc(workdir, err);
    return r < 0 ? brig_err_wrap(err, "remove base %s", name) : 0;
}

int brig_layers_lock(const char *dir, bool wait, int *ret_fd, struct brig_err *err)
{
    _cleanup_free_ char *layers = brig_xasprintf("%s/" BRIG_LAYERS_DIR, dir);
    _cleanup_free_ char *sha = brig_xasprintf("%s/sha256", layers);
    _cleanup_free_ char *lock = brig_xasprintf("%s/.lock", layers);
    if (brig_mkdir_p(sha, 0700, err) < 0)
        return -1;
    int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", lock);
    if (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK && !wait)
            return 1;
        return brig_err_sys(err, e, "lock %s", lock);
    }
    *ret_fd = fd;
    return 0;
}

/* Add the layers every .meta of dir names to *v. */
static void layers_in_use(const char *dir, char ***v)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    size_t sl = strlen(REPO_META_SUFFIX);
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] == '.' || n <= sl || strcmp(de->d_name + n - sl, REPO_META_SUFFIX) != 0)
            continue;
        _cleanup_free_ char *meta = brig_xasprintf("%s/%s", dir, de->d_name);
        _cleanup_free_ char *text = NULL;
        size_t len;
        struct brig_kvlist kv = {0};
        struct brig_err ignored = BRIG_ERR_INIT;
        if (brig_read_file(meta, REPO_META_MAX, &text, &len, &ignored) == 0 &&
            brig_jconf_parse(text, len, &kv, &ignored) == 0) {
            const char *layers = brig_kvlist_get(&kv, REPO_OCI_PREFIX "layers");
            _cleanup_free_ char *copy = brig_xstrdup(layers ? layers : "");
            char *save = NULL;
            for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
                brig_strv_push_unique(v, w);
        }
        brig_kvlist_free(&kv);
    }
    closedir(d);
}

int brig_layers_collect(const char *dir, struct brig_err *err)
{
    _cleanup_strv_ char **keep = NULL;
    layers_in_use(dir, &keep);
    _cleanup_free_ char *layers = brig_xasprintf("%s/" BRIG_LAYERS_DIR, dir);
    _cleanup_free_ char *sha = brig_xasprintf("%s/sha256", layers);
    int r = 0;
    const char *dirs[] = {layers, sha};
    for (size_t k = 0; k < BRIG_ARRAY_SIZE(dirs); k++) {
        _cleanup_close_ int fd = open(dirs[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(dup(fd));
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            bool drop = k == 0 ? brig_startswith(de->d_name, REPO_TMP_PREFIX)
                               : de->d_name[0] != '.' && !brig_strv_contains(keep, de->d_name);
            if (drop && brig_rm_rf_at(fd, de->d_name, r < 0 ? NULL : err) < 0)
                r = -1;
        }
        closedir(d);
    }
    return r < 0 ? brig_err_wrap(err, "collect unused layers") : 0;
}

int brig_repo_layers_gc(const char *workdir, struct brig_err *err)
{
    _cleanup_free_ char *dir = NULL;
    if (repo_dir(workdir, &dir, err) < 0)
        return -1;
    _cleanup_free_ char *layers = brig_xasprintf("%s/" BRIG_LAYERS_DIR, dir);
    if (!brig_path_exists(layers))
        return 0;
    _cleanup_close_ int fd = -1;
    int r = brig_layers_lock(dir, false, &fd, err);
    if (r != 0)
        return r < 0 ? -1 : 0;
    return brig_layers_collect(dir, err);
}
