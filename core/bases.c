/* Bases as the core sees them: the repo module plus the jails that use them. */
#include <string.h>

#include "brig.h"
#include "repo.h"
#include "store/store.h"
#include "util.h"

struct uses {
    const char *base;
    char *first;
    size_t n;
};

static int count_use(const struct brig_jls_row *row, void *ud)
{
    struct uses *u = ud;
    if (strcmp(row->v[0], u->base) == 0) {
        if (!u->first)
            u->first = brig_xstrdup(row->v[1]);
        u->n++;
    }
    return 0;
}

int brig_base_remove(struct brig_ctx *c, const char *name, struct brig_err *err)
{
    const enum brig_param_id cols[] = {BRIG_P_BASE, BRIG_P_JNAME};
    struct uses u = {.base = name};
    if (brig_check_name("base", name, err) < 0 ||
        brig_jail_records(c, cols, 2, count_use, &u, err) < 0)
        return -1;
    if (u.n) {
        brig_err_set(err, BRIG_EFAIL, "base %s is used by %zu jail%s (%s%s)", name, u.n,
                     u.n == 1 ? "" : "s", u.first, u.n > 1 ? ", …" : "");
        brig_freep(&u.first);
        return -1;
    }
    return brig_repo_remove(c->workdir, name, err);
}

int brig_base_ensure(struct brig_ctx *c, const char *name, struct brig_err *err)
{
    _cleanup_free_ char *path = brig_ctx_path(c, "basejail/%s", name);
    if (brig_path_exists(path))
        return 0;
    /* the busybox base needs no download: build it on first use (a concurrent
     * brig that built it first is as good) */
    if (strcmp(name, "busybox") == 0 && c->dry_run)
        return 0;
    if (strcmp(name, "busybox") == 0)
        return brig_repo_get_busybox(c->workdir, name, err) < 0 && !brig_path_exists(path) ? -1 : 0;
    return brig_err_set(err, BRIG_EUSAGE,
                        "base '%s' does not exist (brig repo action=get sources=base base=%s)",
                        name, name);
}
