/* Id ranges of unprivileged jails. Each jail owns BRIG_IDMAP_COUNT host uids
 * and gids of its own: jail id 0 is host id base, and so on. A range is
 * registered host-wide in /etc/subuid and /etc/subgid (owner "brig"), the
 * host's registry of subordinate ids, so that no other workdir, container
 * tool or user is handed the same ids, and recorded with the jail in the
 * store, which is what brig reads at start. */
#define _GNU_SOURCE
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SUBID_MAX   (16u << 20)
#define ID_LIMIT    0xfffffffeULL /* (uid_t)-1 is no id */
#define SUBID_OWNER "brig"

const char *const brig_subid_files[2] = {"/etc/subuid", "/etc/subgid"};

static bool parse_u64(const char *s, const char *end, uint64_t *ret)
{
    if (s == end || end - s > 10)
        return false;
    uint64_t v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *ret = v;
    return true;
}

size_t brig_subid_parse(const char *text, size_t len, struct brig_idrange **ret)
{
    struct brig_idrange *v = NULL;
    size_t n = 0, cap = 0;
    for (const char *line = text, *stop = text + len; line < stop;) {
        const char *eol = memchr(line, '\n', (size_t)(stop - line));
        if (!eol)
            eol = stop;
        const char *c1 = memchr(line, ':', (size_t)(eol - line));
        const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
        uint64_t start, count;
        /* a line that is not owner:start:count belongs to the host: skipped */
        if (c1 && c2 && c1 > line && parse_u64(c1 + 1, c2, &start) &&
            parse_u64(c2 + 1, eol, &count) && count > 0 && start <= ID_LIMIT) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                v = brig_xrealloc(v, cap * sizeof(*v));
            }
            v[n++] = (struct brig_idrange){start, count};
        }
        line = eol + 1;
    }
    *ret = v;
    return n;
}

uint32_t brig_idmap_pick(const struct brig_idrange *used, size_t n, uint32_t min)
{
    const uint64_t count = BRIG_IDMAP_COUNT;
    uint64_t start = ((uint64_t)min + count - 1) / count * count;
    /* each pass moves start past one range it overlaps, so n + 1 passes suffice */
    for (size_t pass = 0; pass <= n; pass++) {
        bool moved = false;
        for (size_t i = 0; i < n; i++) {
            uint64_t lo = used[i].start, hi = used[i].start + used[i].count;
            if (lo < start + count && start < hi) {
                start = (hi + count - 1) / count * count;
                moved = true;
            }
        }
        if (start + count - 1 > ID_LIMIT)
            return 0;
        if (!moved)
            return (uint32_t)start;
    }
    return 0;
}

/* Read a subid file; a missing one is empty. */
static int read_subids(const char *path, char **ret, size_t *ret_len, struct brig_err *err)
{
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file(path, SUBID_MAX, ret, ret_len, &e) == 0)
        return 0;
    if (e.code == BRIG_EFAIL && !brig_path_exists(path)) {
        *ret = brig_xstrdup("");
        *ret_len = 0;
        return 0;
    }
    return brig_err_set(err, BRIG_EFAIL, "%s", e.msg);
}

/* An exclusive lock for changes to the subid files, beside the first one. */
static int lock_subids(const char *const files[2], struct brig_err *err)
{
    _cleanup_free_ char *path = brig_xasprintf("%s.brig-lock", files[0]);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return brig_err_sys(err, errno, "lock %s", path);
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return brig_err_sys(err, e, "lock %s", path);
        }
    }
    return fd;
}

/* Append one line to a subid file. */
static int append_line(const char *path, const char *line, struct brig_err *err)
{
    _cleanup_close_ int fd =
        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", path);
    size_t len = strlen(line);
    if (write(fd, line, len) != (ssize_t)len)
        return brig_err_sys(err, errno ? errno : EIO, "write %s", path);
    return 0;
}

/* Rewrite path without the line "brig:base:count", in place (the file may
 * be a bind mount, which a rename cannot replace). */
static int remove_line(const char *path, uint32_t base, struct brig_err *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    if (read_subids(path, &data, &len, err) < 0)
        return -1;
    char want[64];
    snprintf(want, sizeof(want), SUBID_OWNER ":%u:%u", base, BRIG_IDMAP_COUNT);
    struct brig_buf out = {0};
    brig_buf_add(&out, "");
    bool found = false;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strcmp(line, want) == 0) {
            found = true;
            continue;
        }
        brig_buf_addf(&out, "%s\n", line);
    }
    int r = 0;
    if (found) {
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || pwrite(fd, out.s, out.len, 0) != (ssize_t)out.len ||
            ftruncate(fd, (off_t)out.len) < 0)
            r = brig_err_sys(err, errno ? errno : EIO, "rewrite %s", path);
        if (fd >= 0)
            close(fd);
    }
    brig_buf_free(&out);
    return r;
}

int brig_idmap_reserve(const char *const files[2], const uint32_t *taken, size_t ntaken,
                       uint32_t *ret_base, struct brig_err *err)
{
    _cleanup_close_ int lock = lock_subids(files, err);
    if (lock < 0)
        return -1;
    struct brig_idrange *used = NULL;
    size_t n = 0;
    for (int f = 0; f < 2; f++) {
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ struct brig_idrange *r = NULL;
        size_t len = 0;
        if (read_subids(files[f], &data, &len, err) < 0) {
            free(used);
            return -1;
        }
        size_t k = brig_subid_parse(data, len, &r);
        used = brig_xrealloc(used, (n + k + (f ? ntaken : 0) + 1) * sizeof(*used));
        if (k)
            memcpy(used + n, r, k * sizeof(*r));
        n += k;
    }
    for (size_t i = 0; i < ntaken; i++)
        used[n++] = (struct brig_idrange){taken[i], BRIG_IDMAP_COUNT};
    uint32_t base = brig_idmap_pick(used, n, BRIG_IDMAP_MIN);
    free(used);
    if (!base)
        return brig_err_set(err, BRIG_EFAIL, "no free range of %u ids is left in %s and %s",
                            BRIG_IDMAP_COUNT, files[0], files[1]);
    char line[64];
    snprintf(line, sizeof(line), SUBID_OWNER ":%u:%u\n", base, BRIG_IDMAP_COUNT);
    if (append_line(files[0], line, err) < 0)
        return -1;
    if (append_line(files[1], line, err) < 0) {
        remove_line(files[0], base, NULL);
        return -1;
    }
    *ret_base = base;
    return 0;
}

int brig_idmap_release(const char *const files[2], uint32_t base, struct brig_err *err)
{
    if (!base)
        return 0;
    _cleanup_close_ int lock = lock_subids(files, err);
    if (lock < 0)
        return -1;
    int r = remove_line(files[0], base, err);
    if (remove_line(files[1], base, r < 0 ? NULL : err) < 0)
        r = -1;
    return r;
}
