/* jfstab: host directories in jails (see fstab.h and brig.h). */
#define _GNU_SOURCE
#include "fstab.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "brig.h"
#include "jailop.h"
#include "store/store.h"
#include "util.h"

#define FSTAB_FILE_MAX (1 << 20)

void brig_fstab_clear(struct brig_fstab *e)
{
    free(e->src);
    free(e->dst);
    free(e->type);
    free(e->options);
    memset(e, 0, sizeof(*e));
}

static bool has_space_or_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return true;
    return false;
}

/* dst made canonical: absolute, no "." or "..", no repeated or trailing '/',
 * not the root itself, nor in the jail's /proc, /sys or /dev (its own mounts). */
static int dst_canon(const char *dst, char **ret, struct brig_err *err)
{
    if (!dst || dst[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "dst=%s: an absolute path in the jail is needed",
                            dst ? dst : "");
    if (strlen(dst) >= PATH_MAX || has_space_or_ctl(dst))
        return brig_err_set(err, BRIG_EUSAGE, "dst=%s: too long, or a space or control character",
                            dst);
    struct brig_buf b = {0};
    _cleanup_free_ char *copy = brig_xstrdup(dst);
    char *save = NULL;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0) {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EUSAGE, "dst=%s: no '.' or '..' in it", dst);
        }
        brig_buf_addf(&b, "/%s", t);
    }
    if (!b.s) {
        return brig_err_set(err, BRIG_EUSAGE, "dst=%s: not the jail's root itself", dst);
    }
    static const char *const own[] = {"/proc", "/sys", "/dev"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(own); i++) {
        size_t n = strlen(own[i]);
        if (strncmp(b.s, own[i], n) == 0 && (b.s[n] == '\0' || b.s[n] == '/')) {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EUSAGE, "dst=%s: the jail's %s is its own", dst, own[i]);
        }
    }
    *ret = brig_buf_steal(&b);
    return 0;
}

/* A host path that cannot be used is bad input, not a failure. */
static int usage_sys(struct brig_err *err, int e, const char *src)
{
    brig_err_sys(err, e, "src=%s", src);
    err->code = BRIG_EUSAGE;
    return -1;
}

int brig_fstab_make(const char *src, const char *dst, bool ro, struct brig_fstab *ret,
                    struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    if (!src || src[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "src=%s: an absolute host path is needed",
                            src ? src : "");
    if (has_space_or_ctl(src))
        return brig_err_set(err, BRIG_EUSAGE, "src=%s: a space or control character", src);
    struct stat st;
    if (stat(src, &st) < 0)
        return usage_sys(err, errno, src);
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "src=%s: not a directory or a regular file", src);
    char real[PATH_MAX];
    if (!realpath(src, real))
        return usage_sys(err, errno, src);
    if (has_space_or_ctl(real))
        return brig_err_set(err, BRIG_EUSAGE, "src=%s: a space or control character", real);
    char *canon = NULL;
    if (dst_canon(dst, &canon, err) < 0)
        return -1;
    *ret = (struct brig_fstab){.src = brig_xstrdup(real),
                               .dst = canon,
                               .type = brig_xstrdup("nullfs"),
                               .options = brig_xstrdup(ro ? "ro" : "rw")};
    return 0;
}

/* options of a CBSD line: rw or ro, and what brig always does anyway. */
static int parse_options(const char *opts, bool *ret_ro, struct brig_err *err)
{
    _cleanup_free_ char *copy = brig_xstrdup(opts);
    char *save = NULL;
    *ret_ro = false;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "ro") == 0)
            *ret_ro = true;
        else if (strcmp(t, "rw") != 0 && strcmp(t, "nosuid") != 0 && strcmp(t, "nodev") != 0)
            return brig_err_set(err, BRIG_EUSAGE, "option %s: only rw, ro, nosuid, nodev", t);
    }
    return 0;
}

int brig_fstab_parse_line(const char *line, struct brig_fstab *ret, bool *ret_blank,
                          struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    *ret_blank = false;
    _cleanup_free_ char *copy = brig_xstrdup(line);
    char *hash = strchr(copy, '#');
    if (hash)
        *hash = '\0';
    char *f[7];
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, " \t\r\n", &save); t && n < BRIG_ARRAY_SIZE(f);
         t = strtok_r(NULL, " \t\r\n", &save))
        f[n++] = t;
    if (n == 0) {
        *ret_blank = true;
        return 0;
    }
    if (n < 4 || n > 6)
        return brig_err_set(err, BRIG_EUSAGE, "want \"src dst type options [dump pass]\"");
    if (strcmp(f[2], "nullfs") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "type %s: only nullfs (a host directory)", f[2]);
    bool ro = false;
    if (parse_options(f[3], &ro, err) < 0)
        return -1;
    char *canon = NULL;
    if (dst_canon(f[1], &canon, err) < 0)
        return -1;
    *ret = (struct brig_fstab){.src = brig_xstrdup(f[0]),
                               .dst = canon,
                               .type = brig_xstrdup("nullfs"),
                               .options = brig_xstrdup(ro ? "ro" : "rw")};
    return 0;
}

int brig_jfstab_list(struct brig_ctx *c, const char *jname, brig_jfstab_cb cb, void *ud,
                     struct brig_err *err)
{
    struct brig_jail_op op;
    if (brig_jail_op_open(c, jname, false, &op, err) < 0) {
        brig_jail_op_free(&op);
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < op.nfstab && r == 0; i++)
        r = cb(&op.fstab[i], op.running, ud);
    brig_jail_op_free(&op);
    return r < 0 ? -1 : 0;
}

int brig_fstab_check_mount(int os, const struct brig_jail *j, const struct brig_fstab *v, size_t n,
                           struct brig_err *err)
{
    if (os != BRIG_K_LINUX || !brig_jail_bool(j, BRIG_P_ALLOW_MOUNT))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].options && strcmp(v[i].options, "ro") == 0)
            return brig_err_set(err, BRIG_EUSAGE,
                                "%s: allow_mount=1 and ro=1 directories do not mix: jail root "
                                "could remount %s read-write (ro=0, or allow_mount=0)",
                                j->v[BRIG_P_JNAME], v[i].dst);
    return 0;
}

/* Record v (and on a running jail mount them now); all or nothing. */
static int fstab_add(struct brig_ctx *c, struct brig_jail_op *op, const struct brig_fstab *v,
                     size_t n, bool *ret_live, struct brig_err *err)
{
    const struct brig_os_ops *os = brig_os_get(c->os);
    bool live = op->running && os->fstab_attach;
    size_t done = 0;
    if (brig_fstab_check_mount(c->os, &op->j, v, n, err) < 0)
        return -1;
    if (brig_store_begin(c->st, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (brig_store_fstab_insert(c->st, op->j.id, &v[i], err) < 0)
            goto fail;
    for (; live && done < n; done++)
        if (os->fstab_attach(&op->env, &op->rt, &v[done], err) < 0)
            goto fail;
    if (brig_store_commit(c->st, err) < 0)
        goto fail;
    *ret_live = live;
    return 0;
fail:
    while (done > 0)
        os->fstab_detach(&op->env, &op->rt, &v[--done], NULL);
    brig_store_rollback(c->st);
    return -1;
}

int brig_jfstab_add(struct brig_ctx *c, const char *jname, const char *src, const char *dst,
                    bool ro, bool *ret_live, struct brig_err *err)
{
    struct brig_fstab e = {0};
    struct brig_jail_op op;
    int r = -1;
    *ret_live = false;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0 ||
        brig_fstab_make(src, dst, ro, &e, err) < 0)
        goto out;
    r = fstab_add(c, &op, &e, 1, ret_live, err);
out:
    brig_fstab_clear(&e);
    brig_jail_op_free(&op);
    return r;
}

int brig_jfstab_import(struct brig_ctx *c, const char *jname, const char *file, size_t *ret_n,
                       bool *ret_live, struct brig_err *err)
{
    struct brig_jail_op op;
    _cleanup_free_ char *text = NULL;
    struct brig_fstab *v = NULL;
    size_t n = 0;
    int r = -1;
    *ret_n = 0;
    *ret_live = false;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0)
        goto out;
    if (brig_read_file(file, FSTAB_FILE_MAX, &text, NULL, err) < 0) {
        err->code = BRIG_EUSAGE;
        goto out;
    }
    unsigned lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        struct brig_fstab raw;
        bool blank;
        if (brig_fstab_parse_line(line, &raw, &blank, err) < 0) {
            brig_err_wrap(err, "%s: line %u", file, lineno);
            goto out;
        }
        if (blank)
            continue;
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        int m = brig_fstab_make(raw.src, raw.dst, strcmp(raw.options, "ro") == 0, &v[n], err);
        brig_fstab_clear(&raw);
        if (m < 0) {
            brig_err_wrap(err, "%s: line %u", file, lineno);
            goto out;
        }
        n++;
    }
    if (n == 0) {
        r = 0;
        goto out;
    }
    if (fstab_add(c, &op, v, n, ret_live, err) < 0) {
        brig_err_wrap(err, "%s", file);
        goto out;
    }
    *ret_n = n;
    r = 0;
out:
    for (size_t i = 0; i < n; i++)
        brig_fstab_clear(&v[i]);
    free(v);
    brig_jail_op_free(&op);
    return r;
}

int brig_jfstab_remove(struct brig_ctx *c, const char *jname, const char *dst, bool *ret_live,
                       struct brig_err *err)
{
    struct brig_jail_op op;
    _cleanup_free_ char *canon = NULL;
    int r = -1;
    *ret_live = false;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0 || dst_canon(dst, &canon, err) < 0)
        goto out;
    const struct brig_fstab *e = NULL;
    for (size_t i = 0; i < op.nfstab; i++)
        if (strcmp(op.fstab[i].dst, canon) == 0)
            e = &op.fstab[i];
    if (!e) {
        brig_err_set(err, BRIG_EUSAGE, "dst=%s: no host directory is mounted there", canon);
        goto out;
    }
    const struct brig_os_ops *os = brig_os_get(c->os);
    bool live = op.running && os->fstab_detach;
    if (live && os->fstab_detach(&op.env, &op.rt, e, err) < 0)
        goto out;
    bool found = false;
    if (brig_store_fstab_delete(c->st, op.j.id, canon, &found, err) < 0)
        goto out;
    *ret_live = live;
    r = 0;
out:
    brig_jail_op_free(&op);
    return r;
}
