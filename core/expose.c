/* brig expose: port forwards from the host's addresses to a jail's address,
 * kept in the store and made live by the kernel's backend while the jail runs. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "brig.h"
#include "jailop.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"

int brig_expose_target(const struct brig_jail *j, struct brig_addr *ret, struct brig_err *err)
{
    enum brig_addr_kind kind = brig_jail_bool(j, BRIG_P_VNET) ? BRIG_ADDR_VNET : BRIG_ADDR_ALIAS;
    _cleanup_free_ struct brig_addr_item *items = NULL;
    size_t n = 0;
    /* DHCP and REALDHCP: an address brig does not know */
    if (brig_addr_list_parse(j->v[BRIG_P_IP4_ADDR], kind, &items, &n, NULL) < 0)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].addr.family == AF_INET) {
            *ret = items[i].addr;
            return 0;
        }
    }
    return brig_err_set(err, BRIG_EUSAGE,
                        "the jail has no IPv4 address to forward to (ip4_addr=%.60s)",
                        j->v[BRIG_P_IP4_ADDR] ? j->v[BRIG_P_IP4_ADDR] : "0");
}

int brig_jail_op_exposes(struct brig_jail_op *op, struct brig_err *err)
{
    struct brig_addr to;
    brig_exposes_free(op->exposes, op->nexposes);
    op->exposes = NULL;
    op->nexposes = 0;
    if (brig_store_expose_list(op->c->st, op->j.id, &op->exposes, &op->nexposes, err) < 0)
        return -1;
    /* no address (ip4_addr changed since): the rows stay, so a stop still
     * finds the rules to remove, but none is made */
    if (brig_expose_target(&op->j, &to, NULL) < 0)
        to.family = 0;
    for (size_t i = 0; i < op->nexposes; i++)
        op->exposes[i].to = to;
    op->env.exposes = op->exposes;
    op->env.nexposes = op->nexposes;
    return 0;
}

/* The forward a's arguments name, for jail j; with_out: add's port out too. */
static int parse_args(const struct brig_jail *j, const struct brig_expose_args *a, bool with_out,
                      struct brig_expose *ret, struct brig_err *err)
{
    int64_t v;
    *ret = (struct brig_expose){.jail_id = j->id};
    const char *proto = a->proto ? a->proto : "tcp";
    if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "proto: '%.20s' is not tcp or udp", proto);
    snprintf(ret->proto, sizeof(ret->proto), "%s", proto);
    if (!a->in)
        return brig_err_set(err, BRIG_EUSAGE, "in= (the host's port) is required");
    if (brig_parse_uint(a->in, 1, 65535, &v, err) < 0)
        return brig_err_wrap(err, "in");
    ret->in = (unsigned)v;
    ret->out = ret->in;
    if (a->out && !with_out)
        return brig_err_set(err, BRIG_EUSAGE, "out= goes with action=add only");
    if (a->out) {
        if (brig_parse_uint(a->out, 1, 65535, &v, err) < 0)
            return brig_err_wrap(err, "out");
        ret->out = (unsigned)v;
    }
    if (a->addr && *a->addr && strcmp(a->addr, "0") != 0) {
        struct brig_addr addr;
        if (strchr(a->addr, '/') || brig_addr_parse_host(a->addr, &addr, err) < 0 ||
            addr.family != AF_INET)
            return brig_err_set(err, BRIG_EUSAGE, "addr: '%.60s' is not an IPv4 address", a->addr);
        brig_addr_format(&addr, false, ret->addr);
    }
    return 0;
}

int brig_expose_list(struct brig_ctx *c, const char *jname, brig_expose_cb cb, void *ud,
                     struct brig_err *err)
{
    struct brig_jail j = {0};
    struct brig_expose *v = NULL;
    size_t n = 0;
    if (brig_ctx_open(c, err) < 0)
        return -1;
    if (jname && brig_jget(c, jname, &j, err) < 0)
        return -1;
    int r = brig_store_expose_list(c->st, jname ? j.id : 0, &v, &n, err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct brig_jail_op op = {.lock_fd = -1};
        bool running = false;
        /* the target is the jail's address now */
        if (brig_jail_op_open(c, v[i].jname, false, &op, err) < 0) {
            r = -1;
        } else {
            running = op.running;
            if (brig_expose_target(&op.j, &v[i].to, NULL) < 0)
                v[i].to.family = 0;
            r = cb(&v[i], running, ud);
        }
        brig_jail_op_free(&op);
    }
    brig_exposes_free(v, n);
    brig_jail_clear(&j);
    return r;
}

/* The forward of another row that takes e's host port: the same proto and
 * port on the same address, or where either is on every address. */
static const struct brig_expose *conflict(const struct brig_expose *v, size_t n,
                                          const struct brig_expose *e)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].proto, e->proto) == 0 && v[i].in == e->in &&
            (!*v[i].addr || !*e->addr || strcmp(v[i].addr, e->addr) == 0))
            return &v[i];
    }
    return NULL;
}

/* Store's change is made (uncommitted): make it live on a running jail, then commit. */
static int apply_commit(struct brig_jail_op *op, bool *ret_live, struct brig_err *err)
{
    const struct brig_os_ops *ops = brig_os_get(op->c->os);
    *ret_live = false;
    if (op->running && ops->expose_sync) {
        if (brig_jail_op_exposes(op, err) < 0 || ops->expose_sync(&op->env, &op->rt, err) < 0)
            goto rollback;
        *ret_live = true;
    }
    if (brig_store_commit(op->c->st, err) < 0)
        goto undo;
    return 0;
rollback:
    brig_store_rollback(op->c->st);
undo:
    /* the rules as the store has them again */
    if (*ret_live && brig_jail_op_exposes(op, NULL) == 0)
        ops->expose_sync(&op->env, &op->rt, NULL);
    *ret_live = false;
    return -1;
}

int brig_expose_add(struct brig_ctx *c, const char *jname, const struct brig_expose_args *a,
                    struct brig_expose *ret, bool *ret_live, struct brig_err *err)
{
    struct brig_jail_op op = {.lock_fd = -1};
    struct brig_expose *all = NULL;
    size_t nall = 0;
    int r = -1;
    memset(ret, 0, sizeof(*ret));
    *ret_live = false;
    if (brig_ctx_open(c, err) < 0 || brig_jail_op_open(c, jname, true, &op, err) < 0 ||
        parse_args(&op.j, a, true, ret, err) < 0 || brig_expose_target(&op.j, &ret->to, err) < 0)
        goto out;
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_store_expose_list(c->st, 0, &all, &nall, err) < 0) {
        brig_store_rollback(c->st);
        goto out;
    }
    const struct brig_expose *other = conflict(all, nall, ret);
    if (other) {
        brig_store_rollback(c->st);
        brig_err_set(err, BRIG_EUSAGE, "%s port %u%s%s is already forwarded to jail %s", ret->proto,
                     ret->in, *other->addr ? " on " : "", other->addr, other->jname);
        goto out;
    }
    if (brig_store_expose_insert(c->st, ret, err) < 0) {
        brig_store_rollback(c->st);
        goto out;
    }
    r = apply_commit(&op, ret_live, err);
out:
    if (r < 0)
        brig_err_wrap(err, "%s", jname);
    brig_exposes_free(all, nall);
    brig_jail_op_free(&op);
    return r;
}

int brig_expose_remove(struct brig_ctx *c, const char *jname, const struct brig_expose_args *a,
                       bool *ret_found, bool *ret_live, struct brig_err *err)
{
    struct brig_jail_op op = {.lock_fd = -1};
    struct brig_expose e;
    int r = -1;
    *ret_found = false;
    *ret_live = false;
    if (brig_ctx_open(c, err) < 0 || brig_jail_op_open(c, jname, true, &op, err) < 0 ||
        parse_args(&op.j, a, false, &e, err) < 0)
        goto out;
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_store_expose_delete(c->st, &e, ret_found, err) < 0) {
        brig_store_rollback(c->st);
        goto out;
    }
    r = apply_commit(&op, ret_live, err);
out:
    if (r < 0)
        brig_err_wrap(err, "%s", jname);
    brig_jail_op_free(&op);
    return r;
}
