/* brig bridge and brig jnic: the host's bridges seen with the jails that use
 * them, and the NIC table of VNET jails, changed live on a running jail. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "addr.h"
#include "brig.h"
#include "jailop.h"
#include "mac.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"

/* Highest NIC index: "bj<10-digit id>n<idx>" must fit IFNAMSIZ. */
#define NIC_IDX_MAX 99

static const char *resolve_bridge(const struct brig_node *node, const char *parent)
{
    return !parent || strcmp(parent, "auto") == 0 ? node->bridge : parent;
}

/* The bridges (or interfaces) one jail uses: its NICs' parents when vnet=1, else
 * interface= and the iface| prefixes of ip4_addr. */
static int jail_bridges(struct brig_ctx *c, const struct brig_jail *j, char ***ret,
                        struct brig_err *err)
{
    char **v = brig_xcalloc(1, sizeof(char *));
    if (brig_jail_bool(j, BRIG_P_VNET)) {
        struct brig_nic *nics = NULL;
        size_t n = 0;
        if (brig_store_nic_list(c->st, j->id, &nics, &n, err) < 0) {
            brig_strv_free(v);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            brig_strv_push_unique(&v, resolve_bridge(&c->node, nics[i].parent));
        brig_nics_free(nics, n);
    } else {
        /* interface=0: the jail's aliases are on no interface brig manages */
        if (!brig_streq(j->v[BRIG_P_INTERFACE], "0"))
            brig_strv_push_unique(&v, resolve_bridge(&c->node, j->v[BRIG_P_INTERFACE]));
        _cleanup_free_ struct brig_addr_item *items = NULL;
        size_t n = 0;
        if (brig_addr_list_parse(j->v[BRIG_P_IP4_ADDR], BRIG_ADDR_ALIAS, &items, &n, NULL) < 0)
            n = 0; /* DHCP, REALDHCP: no interface named */
        for (size_t i = 0; i < n; i++) {
            if (items[i].iface[0])
                brig_strv_push_unique(&v, items[i].iface);
        }
    }
    *ret = v;
    return 0;
}

/* For every recorded jail, the bridges it uses: "bridge\tjname" lines. */
static int bridge_refs(struct brig_ctx *c, char ***ret, struct brig_err *err)
{
    _cleanup_strv_ char **names = NULL;
    char **refs = brig_xcalloc(1, sizeof(char *));
    if (brig_store_jail_names(c->st, NULL, &names, err) < 0)
        goto fail;
    for (char **n = names; n && *n; n++) {
        struct brig_jail j = {0};
        _cleanup_strv_ char **used = NULL;
        int r = brig_store_jail_get(c->st, *n, &j, err);
        if (r == 0)
            r = jail_bridges(c, &j, &used, err);
        brig_jail_clear(&j);
        if (r < 0)
            goto fail;
        for (char **u = used; *u; u++) {
            _cleanup_free_ char *line = brig_xasprintf("%s\t%s", *u, *n);
            brig_strv_push(&refs, line);
        }
    }
    *ret = refs;
    return 0;
fail:
    brig_strv_free(refs);
    return -1;
}

/* How many jails of refs use bridge; the first one's name in *ret_first (may be NULL). */
static unsigned refs_count(char *const *refs, const char *bridge, const char **ret_first)
{
    unsigned n = 0;
    size_t len = strlen(bridge);
    if (ret_first)
        *ret_first = NULL;
    for (char *const *p = refs; p && *p; p++) {
        if (strncmp(*p, bridge, len) != 0 || (*p)[len] != '\t')
            continue;
        if (ret_first && !*ret_first)
            *ret_first = *p + len + 1;
        n++;
    }
    return n;
}

int brig_netbridge_list(struct brig_ctx *c, brig_bridge_cb cb, void *ud, struct brig_err *err)
{
    struct brig_bridge_entry *v = NULL;
    size_t n = 0;
    _cleanup_strv_ char **refs = NULL;
    if (brig_ctx_open(c, err) < 0 || bridge_refs(c, &refs, err) < 0 ||
        brig_os_get(c->os)->bridge_list(&v, &n, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct brig_bridge_row row = {
            .name = v[i].name,
            .mtu = v[i].mtu,
            .up = v[i].up,
            .addrs = (const char *const *)v[i].addrs,
            .members = (const char *const *)v[i].members,
            .is_default = strcmp(v[i].name, c->node.bridge) == 0,
            .jails = refs_count(refs, v[i].name, NULL),
        };
        r = cb(&row, ud);
    }
    brig_bridge_entries_free(v, n);
    return r;
}

/* mtu= of bridge and jnic: 0 (keep the kernel's) or 68..65535. */
static int parse_mtu(const char *s, unsigned *ret, struct brig_err *err)
{
    int64_t v = 0;
    *ret = 0;
    if (!s || strcmp(s, "0") == 0)
        return 0;
    if (brig_parse_uint(s, 68, 65535, &v, err) < 0)
        return brig_err_wrap(err, "mtu");
    *ret = (unsigned)v;
    return 0;
}

/* Do the subnets of a and b share an address? */
static bool subnets_overlap(const struct brig_addr *a, const struct brig_addr *b)
{
    struct brig_addr na, nb;
    brig_addr_network(a, &na);
    brig_addr_network(b, &nb);
    return a->family == b->family && (brig_addr_contains(a, &nb) || brig_addr_contains(b, &na));
}

/* A new bridge name's subnet (of addr) must be clear of the node's pool (unless
 * name is the node's own bridge) and of every other bridge's subnets. */
static int check_subnet_free(struct brig_ctx *c, const char *name, const char *addr,
                             struct brig_err *err)
{
    struct brig_addr a, pool, net;
    char buf[BRIG_ADDR_STRLEN];
    if (brig_addr_parse(addr, &a, err) < 0)
        return brig_err_wrap(err, "addr");
    brig_addr_network(&a, &net);
    brig_addr_format(&net, true, buf);
    if (!brig_streq(name, c->node.bridge) &&
        brig_addr_parse(c->node.nodeippool, &pool, NULL) == 0 && subnets_overlap(&a, &pool))
        return brig_err_set(err, BRIG_EUSAGE, "addr: %s overlaps the node's pool %s (nodeippool)",
                            buf, c->node.nodeippool);
    if (c->os != brig_os_native())
        return 0;
    struct brig_bridge_entry *v = NULL;
    size_t n = 0;
    int r = 0;
    if (brig_os_get(c->os)->bridge_list(&v, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (strcmp(v[i].name, name) == 0)
            continue;
        for (char **p = v[i].addrs; p && *p && r == 0; p++) {
            struct brig_addr b;
            if (brig_addr_parse(*p, &b, NULL) == 0 && subnets_overlap(&a, &b))
                r = brig_err_set(err, BRIG_EUSAGE, "addr: %s overlaps bridge %s's %s", buf,
                                 v[i].name, *p);
        }
    }
    brig_bridge_entries_free(v, n);
    return r;
}

int brig_netbridge_create(struct brig_ctx *c, const char *name, const char *addr, const char *mtu,
                          struct brig_err *err)
{
    unsigned m;
    if (brig_check_ifname(name, err) < 0)
        return brig_err_wrap(err, "name");
    if (addr && strcmp(addr, "0") == 0)
        addr = NULL;
    if (addr && (strchr(addr, '|') || brig_check_addr(addr, true, err) < 0)) {
        if (strchr(addr, '|'))
            brig_err_set(err, BRIG_EUSAGE, "bad address '%.80s'", addr);
        return brig_err_wrap(err, "addr");
    }
    if (parse_mtu(mtu, &m, err) < 0 || brig_ctx_open(c, err) < 0)
        return -1;
    if (addr && check_subnet_free(c, name, addr, err) < 0)
        return -1;
    return brig_os_get(c->os)->bridge_create(&c->node, name, addr, m, err);
}

int brig_netbridge_remove(struct brig_ctx *c, const char *name, bool force, struct brig_err *err)
{
    _cleanup_strv_ char **refs = NULL;
    if (brig_check_ifname(name, err) < 0)
        return brig_err_wrap(err, "name");
    if (brig_ctx_open(c, err) < 0 || bridge_refs(c, &refs, err) < 0)
        return -1;
    const char *first;
    unsigned n = refs_count(refs, name, &first);
    if (n)
        return brig_err_set(err, BRIG_EFAIL,
                            "%s: used by jail %s%s (move its NICs first: jset interface= or jnic "
                            "action=set parent=)",
                            name, first, n > 1 ? " and others" : "");
    return brig_os_get(c->os)->bridge_remove(&c->node, name, force, err);
}

/* Open jname for jnic: it must be a vnet=1 jail. */
static int nic_op_open(struct brig_ctx *c, const char *jname, bool lock, struct brig_jail_op *op,
                       struct brig_err *err)
{
    if (brig_jail_op_open(c, jname, lock, op, err) < 0)
        return -1;
    if (!brig_jail_bool(&op->j, BRIG_P_VNET))
        return brig_err_set(err, BRIG_EUSAGE, "%s: not a vnet=1 jail (NICs belong to VNET jails)",
                            jname);
    return 0;
}

static const struct brig_nic *nic_find(const struct brig_jail_op *op, int idx)
{
    for (size_t i = 0; i < op->nnics; i++) {
        if (op->nics[i].idx == idx)
            return &op->nics[i];
    }
    return NULL;
}

int brig_jnic_list(struct brig_ctx *c, const char *jname, brig_jnic_cb cb, void *ud,
                   struct brig_err *err)
{
    struct brig_jail_op op = {.lock_fd = -1};
    int r = nic_op_open(c, jname, false, &op, err);
    for (size_t i = 0; r == 0 && i < op.nnics; i++) {
        const struct brig_nic *nic = &op.nics[i];
        char mac[BRIG_MAC_STRLEN], host[32] = "";
        if (strcmp(nic->hwaddr, "0") == 0) {
            uint8_t m[6];
            brig_mac_derive(c->node.nodename, jname, nic->idx, m);
            brig_mac_format(m, mac);
        } else {
            snprintf(mac, sizeof(mac), "%s", nic->hwaddr);
        }
        if (brig_os_get(c->os)->nic_host_name(op.j.id, nic->idx, host, sizeof(host), NULL) < 0)
            host[0] = '\0';
        struct brig_jnic_row row = {
            .nic = nic,
            .bridge = resolve_bridge(&c->node, nic->parent),
            .mac = mac,
            .host = host,
            .running = op.running,
        };
        r = cb(&row, ud);
    }
    brig_jail_op_free(&op);
    return r;
}

void brig_jnic_done_clear(struct brig_jnic_done *d)
{
    free(d->addrs);
    memset(d, 0, sizeof(*d));
}

/* nic=N: an index other than 0 (eth0 is the jail's own, changed with jset). */
static int parse_idx(const char *s, int *ret, struct brig_err *err)
{
    int64_t v;
    if (!s)
        return brig_err_set(err, BRIG_EUSAGE, "nic= is required");
    if (brig_parse_uint(s, 0, NIC_IDX_MAX, &v, err) < 0)
        return brig_err_wrap(err, "nic");
    if (v == 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "eth0 is the jail's own NIC: change it with jset "
                            "(interface=, nic_hwaddr=, nic_filter=, ip4_addr=, ci_gw4=)");
    *ret = (int)v;
    return 0;
}

/* Whether an address list asks brig's IPAM for an address (DHCP, DHCPv6). */
static bool list_has_ipam(const char *list)
{
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (brig_strcaseeq(t, "DHCP") || brig_strcaseeq(t, "DHCPv6"))
            return true;
    }
    return false;
}

/* Check the values jnic was given (NULL ones are not checked). */
static int check_args(const struct brig_node *node, const struct brig_jnic_args *a,
                      const char *parent, struct brig_err *err)
{
    unsigned mtu;
    if (a->parent && strcmp(a->parent, "auto") != 0 && brig_check_ifname(a->parent, err) < 0)
        return brig_err_wrap(err, "parent");
    if (a->hwaddr && strcmp(a->hwaddr, "0") != 0 && brig_check_mac(a->hwaddr, err) < 0)
        return brig_err_wrap(err, "hwaddr");
    if (parse_mtu(a->mtu, &mtu, err) < 0)
        return -1;
    if (a->filter && brig_param_check(BRIG_P_NIC_FILTER, a->filter, err) < 0)
        return -1;
    if (!a->ip4_addr)
        return 0;
    if (strchr(a->ip4_addr, '|'))
        return brig_err_set(err, BRIG_EUSAGE, "ip4_addr: a NIC's addresses take no interface|");
    if (brig_param_check(BRIG_P_IP4_ADDR, a->ip4_addr, err) < 0 ||
        brig_check_nic_addrs(a->ip4_addr, err) < 0)
        return -1;
    if (list_has_ipam(a->ip4_addr) && strcmp(resolve_bridge(node, parent), node->bridge) != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "ip4_addr=DHCP takes addresses from nodeippool, which only the "
                            "default bridge %s serves: give %s a static address",
                            node->bridge, parent);
    return 0;
}

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = brig_xstrdup(value);
}

/* Copy the given values onto nic (which owns its strings). */
static void nic_apply(struct brig_nic *nic, const struct brig_jnic_args *a)
{
    unsigned mtu = 0;
    if (a->parent)
        set_str(&nic->parent, a->parent);
    if (a->hwaddr)
        set_str(&nic->hwaddr, a->hwaddr);
    if (a->mtu && parse_mtu(a->mtu, &mtu, NULL) == 0)
        nic->mtu = mtu;
    if (a->filter)
        nic->no_filter = strcmp(a->filter, "0") == 0;
}

/* A copy of nic that owns its strings. */
static void nic_copy(struct brig_nic *dst, const struct brig_nic *src)
{
    *dst = *src;
    dst->parent = brig_xstrdup(src->parent);
    dst->hwaddr = brig_xstrdup(src->hwaddr);
    dst->addrs = brig_xstrdup(src->addrs);
    dst->gw4 = brig_xstrdup(src->gw4);
}

int brig_jnic_add(struct brig_ctx *c, const char *jname, const struct brig_jnic_args *a,
                  struct brig_jnic_done *ret, struct brig_err *err)
{
    struct brig_jail_op op = {.lock_fd = -1};
    struct brig_nic nic = {0};
    int r = -1;
    memset(ret, 0, sizeof(*ret));
    if (nic_op_open(c, jname, true, &op, err) < 0)
        goto out;
    int idx = 1;
    if (a->nic) {
        if (parse_idx(a->nic, &idx, err) < 0)
            goto out;
        if (nic_find(&op, idx)) {
            brig_err_set(err, BRIG_EUSAGE, "eth%d already exists", idx);
            goto out;
        }
    } else {
        for (size_t i = 0; i < op.nnics; i++)
            idx = op.nics[i].idx >= idx ? op.nics[i].idx + 1 : idx;
        if (idx > NIC_IDX_MAX) {
            brig_err_set(err, BRIG_EUSAGE, "a jail has at most %d NICs", NIC_IDX_MAX + 1);
            goto out;
        }
    }
    const char *parent = a->parent ? a->parent : "auto";
    if (check_args(&c->node, a, parent, err) < 0)
        goto out;
    nic = (struct brig_nic){
        .jail_id = op.j.id,
        .idx = idx,
        .parent = brig_xstrdup("auto"),
        .hwaddr = brig_xstrdup("0"),
        .gw4 = brig_xstrdup("auto"),
    };
    nic_apply(&nic, a);
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_ipam_assign(c, op.j.id, idx, a->ip4_addr ? a->ip4_addr : "0", &ret->addrs, err) < 0)
        goto rollback;
    set_str(&nic.addrs, ret->addrs);
    if (brig_store_nic_insert(c->st, &nic, err) < 0)
        goto rollback;
    if (op.running && brig_os_get(c->os)->nic_up(&op.env, &op.rt, &nic, err) < 0)
        goto rollback;
    if (brig_store_commit(c->st, err) < 0) {
        if (op.running)
            brig_os_get(c->os)->nic_down(&op.env, &op.rt, &nic, NULL);
        goto out;
    }
    ret->idx = idx;
    ret->live = op.running;
    ret->pending = op.running && brig_strcaseeq(nic.addrs, "REALDHCP");
    r = 0;
    goto out;
rollback:
    brig_store_rollback(c->st);
out:
    if (r < 0) {
        brig_jnic_done_clear(ret);
        brig_err_wrap(err, "%s", jname);
    }
    brig_nic_clear(&nic);
    brig_jail_op_free(&op);
    return r;
}

int brig_jnic_remove(struct brig_ctx *c, const char *jname, const struct brig_jnic_args *a,
                     struct brig_jnic_done *ret, struct brig_err *err)
{
    struct brig_jail_op op = {.lock_fd = -1};
    int r = -1, idx = 0;
    memset(ret, 0, sizeof(*ret));
    if (parse_idx(a->nic, &idx, err) < 0 || nic_op_open(c, jname, true, &op, err) < 0)
        goto out;
    const struct brig_nic *nic = nic_find(&op, idx);
    if (!nic) {
        brig_err_set(err, BRIG_EUSAGE, "no eth%d", idx);
        goto out;
    }
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_store_nic_delete(c->st, op.j.id, idx, err) < 0 ||
        brig_store_ipam_release(c->st, op.j.id, idx, err) < 0)
        goto rollback;
    if (op.running && brig_os_get(c->os)->nic_down(&op.env, &op.rt, nic, err) < 0)
        goto rollback;
    if (brig_store_commit(c->st, err) < 0) {
        if (op.running)
            brig_os_get(c->os)->nic_up(&op.env, &op.rt, nic, NULL);
        goto out;
    }
    ret->idx = idx;
    ret->live = op.running;
    r = 0;
    goto out;
rollback:
    brig_store_rollback(c->st);
out:
    if (r < 0)
        brig_err_wrap(err, "%s", jname);
    brig_jail_op_free(&op);
    return r;
}

int brig_jnic_set(struct brig_ctx *c, const char *jname, const struct brig_jnic_args *a,
                  struct brig_jnic_done *ret, struct brig_err *err)
{
    struct brig_jail_op op = {.lock_fd = -1};
    struct brig_nic nic = {0};
    int r = -1, idx = 0;
    memset(ret, 0, sizeof(*ret));
    if (parse_idx(a->nic, &idx, err) < 0)
        goto out_noop;
    if (!a->parent && !a->hwaddr && !a->mtu && !a->ip4_addr && !a->filter) {
        brig_err_set(err, BRIG_EUSAGE,
                     "nothing to change (give parent=, hwaddr=, mtu=, ip4_addr= or "
                     "nic_filter=)");
        goto out_noop;
    }
    if (nic_op_open(c, jname, true, &op, err) < 0)
        goto out;
    const struct brig_nic *old = nic_find(&op, idx);
    if (!old) {
        brig_err_set(err, BRIG_EUSAGE, "no eth%d", idx);
        goto out;
    }
    nic_copy(&nic, old);
    nic_apply(&nic, a);
    if (check_args(&c->node, a, nic.parent, err) < 0)
        goto out;
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (a->ip4_addr && !brig_streq(a->ip4_addr, old->addrs)) {
        if (brig_ipam_assign(c, op.j.id, idx, a->ip4_addr, &ret->addrs, err) < 0)
            goto rollback;
        set_str(&nic.addrs, ret->addrs);
    } else {
        ret->addrs = brig_xstrdup(old->addrs);
    }
    if (brig_store_nic_update(c->st, &nic, err) < 0)
        goto rollback;
    if (brig_store_commit(c->st, err) < 0)
        goto out;
    ret->idx = idx;
    ret->pending = op.running;
    r = 0;
    goto out;
rollback:
    brig_store_rollback(c->st);
out:
    brig_nic_clear(&nic);
    brig_jail_op_free(&op);
out_noop:
    if (r < 0) {
        brig_jnic_done_clear(ret);
        brig_err_wrap(err, "%s", jname);
    }
    return r;
}
