#define _GNU_SOURCE
#include "repo_tree.h"

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

#include "sha256.h"
#include "util.h"

#define ROOTFS_FILE_MAX (64 * 1024)

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void feed_str(struct brig_sha256 *s, const char *str)
{
    brig_sha256_update(s, str, strlen(str) + 1);
}

static int feed_file(struct brig_sha256 *s, int dfd, const char *name, const char *path,
                     struct brig_err *err)
{
    _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", path);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return brig_err_sys(err, errno, "read %s", path);
        brig_sha256_update(s, buf, (size_t)n);
    }
    return 0;
}

/* Feed the entries of the directory fd (rel: its path from the root) in name order. */
static int feed_dir(struct brig_sha256 *s, int fd, const char *rel, dev_t dev, struct brig_err *err)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return brig_err_sys(err, errno, "open %s", rel);
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        names = brig_xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = brig_xstrdup(de->d_name);
    }
    if (n)
        qsort(names, n, sizeof(*names), name_cmp);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        _cleanup_free_ char *path = brig_xasprintf("%s/%s", rel, names[i]);
        struct stat st;
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
            r = brig_err_sys(err, errno, "stat %s", path);
            break;
        }
        char head[96];
        snprintf(head, sizeof(head), "%o %u %u", (unsigned)st.st_mode, (unsigned)st.st_uid,
                 (unsigned)st.st_gid);
        feed_str(s, path);
        feed_str(s, head);
        if (S_ISREG(st.st_mode)) {
            snprintf(head, sizeof(head), "%lld", (long long)st.st_size);
            feed_str(s, head);
            r = feed_file(s, dirfd(d), names[i], path, err);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t len = readlinkat(dirfd(d), names[i], target, sizeof(target) - 1);
            if (len < 0) {
                r = brig_err_sys(err, errno, "readlink %s", path);
                break;
            }
            target[len] = '\0';
            feed_str(s, target);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            snprintf(head, sizeof(head), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
            feed_str(s, head);
        } else if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
            int sub = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            r = sub < 0 ? brig_err_sys(err, errno, "open %s", path)
                        : feed_dir(s, sub, path, dev, err);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return r;
}

int brig_tree_sha256(const char *root, char ret_hex[65], struct brig_err *err)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", root);
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "stat %s", root);
    }
    struct brig_sha256 s;
    brig_sha256_init(&s);
    if (feed_dir(&s, fd, ".", st.st_dev, err) < 0)
        return brig_err_wrap(err, "digest of %s", root);
    brig_sha256_final_hex(&s, ret_hex);
    return 0;
}

/* Read rel inside root, every link resolved as if root were '/'. */
static char *rootfs_read(int rootfd, const char *rel)
{
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    _cleanup_close_ int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    char *buf = brig_xcalloc(1, ROOTFS_FILE_MAX + 1);
    size_t len = 0;
    ssize_t n;
    while (len < ROOTFS_FILE_MAX && (n = read(fd, buf + len, ROOTFS_FILE_MAX - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return NULL;
        }
        len += (size_t)n;
    }
    return buf;
}

char *brig_os_release_get(const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
            const char *v = line + klen + 1;
            size_t vlen = len - klen - 1;
            if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
                v++;
                vlen -= 2;
            }
            char *out = brig_xstrndup(v, vlen);
            for (char *p = out; *p; p++) {
                if ((unsigned char)*p < ' ' || *p == 0x7f)
                    *p = ' ';
            }
            return out;
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

/* The first line of s, control characters made spaces, at most 80 bytes. */
static char *first_line(const char *s)
{
    size_t n = strcspn(s, "\n");
    char *out = brig_xstrndup(s, n > 80 ? 80 : n);
    for (char *p = out; *p; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = ' ';
    }
    return out;
}

char *brig_rootfs_version(const char *root)
{
    _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return brig_xstrdup("");
    _cleanup_free_ char *osr = rootfs_read(rootfd, "etc/os-release");
    if (!osr)
        osr = rootfs_read(rootfd, "usr/lib/os-release");
    _cleanup_free_ char *debver = rootfs_read(rootfd, "etc/debian_version");
    _cleanup_free_ char *codename = osr ? brig_os_release_get(osr, "VERSION_CODENAME") : NULL;
    if (debver) {
        _cleanup_free_ char *v = first_line(debver);
        if (codename && *codename && strcmp(codename, v) != 0)
            return brig_xasprintf("%.40s %s", codename, v);
        return brig_xstrdup(v);
    }
    char *pretty = osr ? brig_os_release_get(osr, "PRETTY_NAME") : NULL;
    if (pretty && strlen(pretty) > 80)
        pretty[80] = '\0';
    return pretty ? pretty : brig_xstrdup("");
}
