#define _GNU_SOURCE
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "params.h"
#include "util.h"

void brig_jail_user_free(struct brig_jail_user *u)
{
    if (!u)
        return;
    free(u->name);
    free(u->home);
    free(u->shell);
    u->name = u->home = u->shell = NULL;
}

/* Split line at ':' into at most n fields; returns the number found. */
static size_t split_colon(char *line, char **f, size_t n)
{
    size_t i = 0;
    f[i++] = line;
    for (char *p = line; *p && i < n; p++)
        if (*p == ':') {
            *p = '\0';
            f[i++] = p + 1;
        }
    return i;
}

static bool parse_id(const char *s, unsigned *ret)
{
    int64_t v;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_parse_uint(s, 0, 0xfffffffe, &v, &e) < 0)
        return false;
    *ret = (unsigned)v;
    return true;
}

int brig_passwd_parse(char *data, const char *name, struct brig_jail_user *ret,
                      struct brig_err *err)
{
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f[7];
        if (split_colon(line, f, 7) != 7 || !brig_streq(f[0], name))
            continue;
        unsigned uid, gid;
        if (!parse_id(f[2], &uid) || !parse_id(f[3], &gid))
            return brig_err_set(err, BRIG_EFAIL, "bad /etc/passwd entry for %s in the jail", name);
        *ret =
            (struct brig_jail_user){uid, gid, brig_xstrdup(name), brig_xstrdup(*f[5] ? f[5] : "/"),
                                    brig_xstrdup(*f[6] ? f[6] : "/bin/sh")};
        return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE, "no user %s in the jail's /etc/passwd", name);
}

size_t brig_group_parse(char *data, const char *name, gid_t primary, gid_t *gids, size_t max)
{
    size_t n = 0;
    if (max == 0)
        return 0;
    gids[n++] = primary;
    for (char *line = data, *next; line && *line && n < max; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f[4], *save = NULL;
        unsigned gid;
        if (split_colon(line, f, 4) != 4 || !parse_id(f[2], &gid) || gid == primary)
            continue;
        for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
            if (brig_streq(m, name)) {
                gids[n++] = gid;
                break;
            }
    }
    return n;
}

int brig_jail_file_read(const char *path, size_t max, char **ret_data, struct brig_err *err)
{
    *ret_data = NULL;
    /* O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. */
    _cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return brig_err_sys(err, errno, "open the jail's %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return brig_err_sys(err, errno, "stat the jail's %s", path);
    if (!S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EFAIL, "the jail's %s is not a regular file", path);
    if ((uint64_t)st.st_size > max)
        return brig_err_set(err, BRIG_EFAIL, "the jail's %s is larger than %zu bytes", path, max);
    _cleanup_free_ char *data = brig_xmalloc(max + 1);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, data + len, max + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return brig_err_sys(err, errno, "read the jail's %s", path);
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max)
            return brig_err_set(err, BRIG_EFAIL, "the jail's %s is larger than %zu bytes", path,
                                max);
    }
    data[len] = '\0';
    *ret_data = brig_steal(&data);
    return 0;
}

int brig_jail_user_lookup(const char *name, struct brig_jail_user *ret, gid_t *gids, size_t max,
                          size_t *ret_ngids, struct brig_err *err)
{
    _cleanup_free_ char *pw = NULL, *gr = NULL;
    if (brig_jail_file_read("/etc/passwd", BRIG_PASSWD_MAX, &pw, err) < 0)
        return -1;
    if (!pw) {
        if (!brig_streq(name, "root"))
            return brig_err_set(err, BRIG_EUSAGE, "no user %s in the jail: it has no /etc/passwd",
                                name);
        *ret = (struct brig_jail_user){0, 0, brig_xstrdup("root"), brig_xstrdup("/root"),
                                       brig_xstrdup("/bin/sh")};
    } else if (brig_passwd_parse(pw, name, ret, err) < 0) {
        return -1;
    }
    if (brig_jail_file_read("/etc/group", BRIG_PASSWD_MAX, &gr, err) < 0) {
        brig_jail_user_free(ret);
        return -1;
    }
    *ret_ngids = brig_group_parse(gr ? gr : (char[]){""}, ret->name, ret->gid, gids, max);
    return 0;
}
