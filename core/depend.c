/* depend=: jails a jail needs. jstart starts them first, jstop of one of them
 * is refused while a jail that needs it runs (or, with force=1, stops that
 * jail first). jcreate and jset refuse unknown names and cycles. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brig.h"
#include "store/store.h"
#include "util.h"

/* How deep starts and stops may chain: a cycle written to the store by hand
 * ends here instead of in a stack overflow. */
#define DEPEND_DEPTH_MAX 32

/* The names of a depend= value ("0" or "": none); BRIG_EUSAGE for a bad list. */
static int depend_parse(const char *v, char ***ret, struct brig_err *err)
{
    char **names = brig_xcalloc(1, sizeof(char *));
    *ret = names;
    if (!v || !*v || strcmp(v, "0") == 0)
        return 0;
    _cleanup_free_ char *copy = brig_xstrdup(v);
    for (char *t = copy, *next; t; t = next) {
        next = strchr(t, ',');
        if (next)
            *next++ = '\0';
        if (!*t)
            return brig_err_set(err, BRIG_EUSAGE, "depend: an empty name in '%.60s'", v);
        if (brig_check_name("depend", t, err) < 0)
            return -1;
        if (brig_strv_contains(*ret, t))
            return brig_err_set(err, BRIG_EUSAGE, "depend: %s is listed twice", t);
        brig_strv_push(ret, t);
    }
    return 0;
}

/* The depend= names of recorded jail jname. */
static int depend_of(struct brig_ctx *c, const char *jname, char ***ret, struct brig_err *err)
{
    struct brig_jail j = {0};
    *ret = NULL;
    int r = brig_store_jail_get(c->st, jname, &j, err);
    if (r == 0)
        r = depend_parse(j.v[BRIG_P_DEPEND], ret, err);
    brig_jail_clear(&j);
    return r;
}

/* Whether the jails name needs lead back to self; *path grows with the chain. */
static int reaches(struct brig_ctx *c, const char *name, const char *self, char ***seen,
                   struct brig_buf *path, int depth, bool *ret, struct brig_err *err)
{
    *ret = false;
    if (brig_strv_contains(*seen, name) || depth > DEPEND_DEPTH_MAX)
        return 0;
    brig_strv_push(seen, name);
    _cleanup_strv_ char **deps = NULL;
    if (depend_of(c, name, &deps, err) < 0)
        return -1;
    for (char **d = deps; *d; d++) {
        bool found = strcmp(*d, self) == 0;
        if (!found) {
            if (reaches(c, *d, self, seen, path, depth + 1, &found, err) < 0)
                return -1;
        }
        if (found) {
            /* built from the end: "b -> c -> self" */
            *ret = true;
            _cleanup_free_ char *tail = path->s ? brig_buf_steal(path) : NULL;
            brig_buf_addf(path, "%s -> %s", name, tail ? tail : self);
            return 0;
        }
    }
    return 0;
}

int brig_depend_check(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    const char *self = j->v[BRIG_P_JNAME];
    _cleanup_strv_ char **deps = NULL;
    if (depend_parse(j->v[BRIG_P_DEPEND], &deps, err) < 0)
        return -1;
    for (char **d = deps; *d; d++) {
        if (self && strcmp(*d, self) == 0)
            return brig_err_set(err, BRIG_EUSAGE, "depend: a jail cannot depend on itself");
        struct brig_jail other = {0};
        struct brig_err e = BRIG_ERR_INIT;
        int r = brig_store_jail_get(c->st, *d, &other, &e);
        brig_jail_clear(&other);
        if (r < 0)
            return brig_err_set(err, BRIG_EUSAGE, "depend: no jail %s", *d);
        _cleanup_strv_ char **seen = brig_xcalloc(1, sizeof(char *));
        struct brig_buf path = {0};
        bool cycle = false;
        if (reaches(c, *d, self, &seen, &path, 0, &cycle, err) < 0) {
            brig_buf_free(&path);
            return -1;
        }
        if (cycle) {
            brig_err_set(err, BRIG_EUSAGE, "depend: a cycle: %s -> %s", self, path.s);
            brig_buf_free(&path);
            return -1;
        }
        brig_buf_free(&path);
    }
    return 0;
}

static int depth;

int brig_depend_start(struct brig_ctx *c, const char *jname, struct brig_err *err)
{
    _cleanup_strv_ char **deps = NULL;
    if (brig_ctx_open(c, err) < 0 || depend_of(c, jname, &deps, err) < 0)
        return -1;
    for (char **d = deps; *d; d++) {
        if (brig_jail_is_running(c, *d))
            continue;
        if (depth >= DEPEND_DEPTH_MAX)
            return brig_err_set(err, BRIG_EFAIL, "depend: more than %d levels (a cycle?)",
                                DEPEND_DEPTH_MAX);
        enum brig_outcome o;
        depth++;
        int r = brig_jstart(c, *d, NULL, &o, err);
        depth--;
        if (r < 0)
            return brig_err_wrap(err, "%s: depend: could not start", jname);
        _cleanup_free_ char *note = brig_xasprintf("started %s first (depend=)", *d);
        brig_strv_push(&c->notes, note);
    }
    return 0;
}

int brig_depend_stop(struct brig_ctx *c, const char *jname, struct brig_err *err)
{
    _cleanup_strv_ char **names = NULL;
    if (brig_ctx_open(c, err) < 0 || !brig_jail_is_running(c, jname) ||
        brig_store_jail_names(c->st, NULL, &names, err) < 0)
        return err->code ? -1 : 0;
    for (char **n = names; *n; n++) {
        _cleanup_strv_ char **deps = NULL;
        if (strcmp(*n, jname) == 0 || depend_of(c, *n, &deps, NULL) < 0 ||
            !brig_strv_contains(deps, jname) || !brig_jail_is_running(c, *n))
            continue;
        if (!c->force && !brig_strv_contains(c->stopping, *n))
            return brig_err_set(err, BRIG_EUSAGE,
                                "%s: %s depends on it and is running: stop %s first, or force=1",
                                jname, *n, *n);
        if (depth >= DEPEND_DEPTH_MAX)
            return brig_err_set(err, BRIG_EFAIL, "depend: more than %d levels (a cycle?)",
                                DEPEND_DEPTH_MAX);
        enum brig_outcome o;
        depth++;
        int r = brig_jstop(c, *n, NULL, &o, err);
        depth--;
        if (r < 0)
            return brig_err_wrap(err, "%s: depend: could not stop", jname);
        _cleanup_free_ char *note =
            brig_xasprintf("stopped %s first (it depends on this jail)", *n);
        brig_strv_push(&c->notes, note);
    }
    return 0;
}

int brig_depend_stop_waves(struct brig_ctx *c, char *const *names, size_t n, int64_t *ret_wave,
                           struct brig_err *err)
{
    if (brig_ctx_open(c, err) < 0)
        return -1;
    char ***deps = brig_xcalloc(n + 1, sizeof(*deps));
    for (size_t i = 0; i < n; i++) {
        ret_wave[i] = 0;
        if (depend_of(c, names[i], &deps[i], NULL) < 0)
            deps[i] = NULL; /* a jail gone meanwhile needs nothing */
    }
    /* longest chain of listed dependents; depend= has no cycle, so n rounds settle it */
    for (size_t round = 0; round < n; round++) {
        bool changed = false;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n; k++)
                if (k != i && brig_strv_contains(deps[k], names[i]) &&
                    ret_wave[i] < ret_wave[k] + 1) {
                    ret_wave[i] = ret_wave[k] + 1;
                    changed = true;
                }
        if (!changed)
            break;
    }
    for (size_t i = 0; i < n; i++)
        brig_strv_free(deps[i]);
    free(deps);
    return 0;
}
