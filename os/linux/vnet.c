#define _GNU_SOURCE
#include "vnet.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "mac.h"
#include "os/linux/cgroup.h"
#include "os/linux/portfilter.h"
#include "os/linux/vm.h"
#include "util.h"

const char *brig_vnet_bridge(const struct brig_node *node, const char *parent)
{
    return !parent || strcmp(parent, "auto") == 0 ? node->bridge : parent;
}

bool brig_vnet_wants_dhcp(const struct brig_nic *nic)
{
    return brig_strcaseeq(nic->addrs, "REALDHCP");
}

bool brig_vnet_serves_ra(const struct brig_node *node)
{
    struct brig_addr g;
    return node->gateway6 && brig_addr_parse(node->gateway6, &g, NULL) == 0 && g.prefix == 64;
}

bool brig_vnet_wants_ra(const struct brig_node *node, const struct brig_nic *nic)
{
    return brig_vnet_serves_ra(node) &&
           strcmp(brig_vnet_bridge(node, nic->parent), node->bridge) == 0 &&
           (!nic->addrs || strcmp(nic->addrs, "0") == 0 || brig_vnet_wants_dhcp(nic));
}

/* NAT for the default bridge's subnet, out of the uplink (auto: any interface). */
const char *brig_vnet_nat_uplink(const struct brig_node *node)
{
    return !node->uplink || strcmp(node->uplink, "auto") == 0 ? NULL : node->uplink;
}

int brig_vnet_nat_add(const struct brig_node *node, const struct brig_addr *bridge_addr,
                      struct brig_err *err)
{
    struct brig_addr net;
    char buf[BRIG_ADDR_STRLEN];
    brig_addr_network(bridge_addr, &net);
    if ((bridge_addr->family == AF_INET ? brig_ip_forward_enable(err)
                                        : brig_ip6_forward_enable(err)) < 0 ||
        brig_nat_add(brig_addr_format(&net, true, buf), brig_vnet_nat_uplink(node), err) < 0)
        return -1;
    return 0;
}

#define OWNER_PREFIX "brig node "

/* An IPv4 address of the host whose subnet overlaps the pool: the one found. */
struct overlap {
    const struct brig_addr *pool;
    char found[IFNAMSIZ + BRIG_ADDR_STRLEN + 4];
    char ifname[IFNAMSIZ];
};

static int overlap_cb(const char *ifname, const struct brig_addr *a, void *ud)
{
    struct overlap *o = ud;
    if (a->family != AF_INET)
        return 0;
    struct brig_addr wide = a->prefix < o->pool->prefix ? *a : *o->pool;
    const struct brig_addr *other = a->prefix < o->pool->prefix ? o->pool : a;
    if (!brig_addr_contains(&wide, other))
        return 0;
    char buf[BRIG_ADDR_STRLEN];
    snprintf(o->found, sizeof(o->found), "%s on %s", brig_addr_format(a, true, buf), ifname);
    snprintf(o->ifname, sizeof(o->ifname), "%s", ifname);
    return 1;
}

static int node_bridge_owned(struct brig_nl *nl, const struct brig_node *node,
                             struct brig_err *err);

/* The node's bridge, made with its gateway address (and NAT with
 * nat_enable=1) and marked with the node id in its alias; a pool that overlaps
 * an address already on the host (another workdir's bridge) is refused. A
 * failure leaves no bridge behind, so the next start makes it again rather
 * than using a bridge without its NAT. */
static int node_bridge_make(struct brig_nl *nl, const struct brig_node *node, struct brig_err *err)
{
    struct brig_addr gw, gw6, pool;
    if (brig_addr_parse(node->gateway4, &gw, err) < 0)
        return brig_err_wrap(err, "gateway4");
    if (node->gateway6 && brig_addr_parse(node->gateway6, &gw6, err) < 0)
        return brig_err_wrap(err, "nodeip6pool");
    if (brig_addr_parse(node->nodeippool, &pool, err) < 0)
        return brig_err_wrap(err, "nodeippool");
    struct overlap o = {.pool = &pool};
    if (brig_ifaddr_foreach(nl, overlap_cb, &o, err) < 0)
        return -1;
    /* a start running beside this one made it meanwhile: it is there now */
    if (o.found[0] && strcmp(o.ifname, node->bridge) == 0)
        return node_bridge_owned(nl, node, err);
    if (o.found[0])
        return brig_err_set(err, BRIG_EFAIL,
                            "bridge %s: nodeippool %s overlaps %s (another workdir's bridge?): "
                            "give this workdir its own with brig initenv nodeippool=",
                            node->bridge, node->nodeippool, o.found);
    _cleanup_free_ char *owner =
        brig_xasprintf(OWNER_PREFIX "%s", node->nodeid ? node->nodeid : "");
    if (brig_bridge_ensure(nl, node->bridge, node->gateway4, 0, err) < 0 ||
        (node->gateway6 && brig_ifaddr_add(nl, node->bridge, &gw6, err) < 0) ||
        brig_link_set_alias(nl, node->bridge, owner, err) < 0 ||
        (node->nat_enable && brig_vnet_nat_add(node, &gw, err) < 0) ||
        (node->nat_enable && node->gateway6 && brig_vnet_nat_add(node, &gw6, err) < 0)) {
        brig_link_delete(nl, node->bridge, NULL);
        return -1;
    }
    return 0;
}

/* Whether bridge name has no member and no address but the node's gateway
 * (and an IPv6 one: another workdir's gateway6, replaced on taking it over). */
static int bridge_idle(struct brig_nl *nl, const struct brig_node *node, const char *name,
                       bool *ret, struct brig_err *err)
{
    struct brig_bridge_info *v = NULL;
    size_t n = 0;
    *ret = false;
    if (brig_bridge_list(nl, &v, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].name, name) != 0)
            continue;
        *ret = v[i].members == 0;
        for (char **a = v[i].addrs; *ret && *a; a++)
            *ret = strcmp(*a, node->gateway4) == 0 || strchr(*a, ':');
    }
    brig_bridge_info_free(v, n);
    return 0;
}

/* The idle bridge of another workdir: its IPv6 gateway replaced by this node's. */
static int bridge_v6_take(struct brig_nl *nl, const struct brig_node *node, struct brig_err *err)
{
    struct brig_bridge_info *v = NULL;
    size_t n = 0;
    int r = 0;
    if (brig_bridge_list(nl, &v, &n, err) < 0)
        return -1;
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (strcmp(v[i].name, node->bridge) != 0)
            continue;
        for (char **a = v[i].addrs; r == 0 && *a; a++) {
            struct brig_addr old;
            if (strchr(*a, ':') && brig_addr_parse(*a, &old, NULL) == 0 &&
                (!node->gateway6 || strcmp(*a, node->gateway6) != 0))
                r = brig_ifaddr_del(nl, node->bridge, &old, err);
        }
    }
    brig_bridge_info_free(v, n);
    struct brig_addr gw6;
    if (r == 0 && node->gateway6 && brig_addr_parse(node->gateway6, &gw6, err) == 0)
        r = brig_ifaddr_add(nl, node->bridge, &gw6, err);
    return r;
}

/* Take over another workdir's idle bridge: this node's IPv6 gateway, its NAT
 * (nat_enable=1) and its mark. */
static int bridge_take(struct brig_nl *nl, const struct brig_node *node, const char *mine,
                       struct brig_err *err)
{
    struct brig_addr gw, gw6;
    if (bridge_v6_take(nl, node, err) < 0)
        return -1;
    if (node->nat_enable) {
        if (brig_addr_parse(node->gateway4, &gw, err) < 0)
            return brig_err_wrap(err, "gateway4");
        if (brig_vnet_nat_add(node, &gw, err) < 0)
            return -1;
        if (node->gateway6 && (brig_addr_parse(node->gateway6, &gw6, err) < 0 ||
                               brig_vnet_nat_add(node, &gw6, err) < 0))
            return -1;
    }
    return brig_link_set_alias(nl, node->bridge, mine, err);
}

/* The node's bridge exists: refuse it while another workdir's jails use it;
 * one left idle by another workdir (removed, or initialised again) is taken over. */
static int node_bridge_owned(struct brig_nl *nl, const struct brig_node *node, struct brig_err *err)
{
    _cleanup_free_ char *alias = NULL;
    _cleanup_free_ char *mine = brig_xasprintf(OWNER_PREFIX "%s", node->nodeid ? node->nodeid : "");
    bool idle;
    if (brig_link_alias(nl, node->bridge, &alias, err) < 0)
        return -1;
    if (!alias || !brig_startswith(alias, OWNER_PREFIX) || strcmp(alias, mine) == 0)
        return 0;
    if (bridge_idle(nl, node, node->bridge, &idle, err) < 0)
        return -1;
    if (idle)
        return bridge_take(nl, node, mine, err);
    return brig_err_set(err, BRIG_EFAIL,
                        "bridge %s belongs to another brig workdir (node id %.16s): give this "
                        "workdir its own with brig initenv bridge= nodeippool=",
                        node->bridge, alias + strlen(OWNER_PREFIX));
}

int brig_vnet_bridge_ready(struct brig_nl *nl, const struct brig_node *node, const char *bridge,
                           struct brig_err *err)
{
    bool is;
    if (brig_bridge_is(nl, bridge, &is, err) < 0)
        return -1;
    if (strcmp(bridge, node->bridge) == 0)
        return is ? node_bridge_owned(nl, node, err) : node_bridge_make(nl, node, err);
    if (!is)
        return brig_err_set(err, BRIG_EFAIL,
                            "%s is not a bridge (create it with brig bridge action=create)",
                            bridge);
    return 0;
}

int brig_vnet_bridges_ready(const struct brig_jail_env *env, bool *ret_dhcp, struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *nl = NULL;
    bool dhcp = false;
    if (env->nnics > 0 && brig_nl_open(&nl, err) < 0)
        return -1;
    for (size_t i = 0; i < env->nnics; i++) {
        const struct brig_nic *nic = &env->nics[i];
        const char *br = brig_vnet_bridge(env->node, nic->parent);
        if (brig_vnet_bridge_ready(nl, env->node, br, err) < 0)
            return brig_err_wrap(err, "eth%d", nic->idx);
        dhcp |= brig_vnet_wants_dhcp(nic) && strcmp(br, env->node->bridge) == 0;
    }
    if (ret_dhcp)
        *ret_dhcp = dhcp;
    return 0;
}

/* Parse a NIC's address list ("0", DHCP and REALDHCP give none). */
static int nic_addrs(const char *list, struct brig_addr **ret, size_t *ret_n, struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    if (!list || brig_strcaseeq(list, "REALDHCP") || brig_strcaseeq(list, "DHCP"))
        return 0;
    _cleanup_free_ struct brig_addr_item *items = NULL;
    size_t n = 0;
    if (brig_addr_list_parse(list, BRIG_ADDR_VNET, &items, &n, err) < 0)
        return -1;
    if (n == 0)
        return 0;
    *ret = brig_xcalloc(n, sizeof(**ret));
    for (size_t i = 0; i < n; i++)
        (*ret)[i] = items[i].addr;
    *ret_n = n;
    return 0;
}

/* An IPv6 link-local address on a jail's NIC when it has an IPv6 address or
 * configures itself ("0"); otherwise none, as a FreeBSD interface without
 * inet6 settings has none (jail root may add one: sysctl -w
 * net.ipv6.conf.ethN.addr_gen_mode=0). */
static bool nic_wants_ipv6(const struct brig_nic *nic, const struct brig_addr *addrs, size_t n)
{
    if (!nic->addrs || strcmp(nic->addrs, "0") == 0 || brig_vnet_wants_dhcp(nic))
        return true;
    for (size_t i = 0; i < n; i++)
        if (addrs[i].family == AF_INET6)
            return true;
    return false;
}

/* The IPv4 default route of NIC 0: auto is the node bridge's gateway. */
static int nic_gw4(const struct brig_node *node, const struct brig_nic *nic,
                   const struct brig_addr *addrs, size_t n, struct brig_addr *ret, bool *ret_set,
                   struct brig_err *err)
{
    const char *gw = nic->gw4 ? nic->gw4 : "auto";
    bool has_v4 = false;
    *ret_set = false;
    for (size_t i = 0; i < n; i++)
        has_v4 |= addrs[i].family == AF_INET;
    if (nic->idx != 0 || strcmp(gw, "0") == 0 || !has_v4)
        return 0;
    if (strcmp(gw, "auto") == 0) {
        if (strcmp(brig_vnet_bridge(node, nic->parent), node->bridge) != 0)
            return 0;
        gw = node->gateway4;
    }
    if (brig_addr_parse(gw, ret, err) < 0)
        return brig_err_wrap(err, "ci_gw4");
    *ret_set = true;
    return 0;
}

/* The IPv6 default route of NIC 0 (ci_gw6): auto is the node bridge's IPv6
 * gateway, for a NIC with an IPv6 address that is not link-local. */
static int nic_gw6(const struct brig_jail_env *env, const struct brig_nic *nic,
                   const struct brig_addr *addrs, size_t n, struct brig_addr *ret, bool *ret_set,
                   struct brig_err *err)
{
    const struct brig_node *node = env->node;
    const char *gw = env->jail->v[BRIG_P_CI_GW6] ? env->jail->v[BRIG_P_CI_GW6] : "auto";
    bool has_v6 = false;
    *ret_set = false;
    for (size_t i = 0; i < n; i++)
        has_v6 |= addrs[i].family == AF_INET6 &&
                  !(addrs[i].bytes[0] == 0xfe && (addrs[i].bytes[1] & 0xc0) == 0x80);
    if (nic->idx != 0 || strcmp(gw, "0") == 0 || !has_v6)
        return 0;
    if (strcmp(gw, "auto") == 0) {
        if (!node->gateway6 || strcmp(brig_vnet_bridge(node, nic->parent), node->bridge) != 0)
            return 0;
        gw = node->gateway6;
    }
    if (brig_addr_parse(gw, ret, err) < 0)
        return brig_err_wrap(err, "ci_gw6");
    if (ret->family != AF_INET6)
        return brig_err_set(err, BRIG_EUSAGE, "ci_gw6: %s is not an IPv6 address", gw);
    *ret_set = true;
    return 0;
}

bool brig_vnet_nat_covers(const struct brig_node *node, int family)
{
    return node->nat_enable && (family == AF_INET || node->gateway6);
}

bool brig_vnet_has_default_route(const struct brig_jail_env *env, int family)
{
    const struct brig_jail *j = env->jail;
    if (!brig_jail_bool(j, BRIG_P_VNET)) {
        /* without VNET: a default route of each family the jail has an address of */
        struct brig_addr *a = NULL;
        size_t n = 0;
        bool has = false;
        if (nic_addrs(j->v[BRIG_P_IP4_ADDR], &a, &n, NULL) == 0) {
            for (size_t i = 0; i < n; i++)
                has |= a[i].family == family;
        }
        free(a);
        return has;
    }
    for (size_t i = 0; i < env->nnics; i++) {
        const struct brig_nic *nic = &env->nics[i];
        if (nic->idx != 0)
            continue;
        if (family == AF_INET && brig_vnet_wants_dhcp(nic))
            return true;
        struct brig_addr *a = NULL, gw;
        size_t n = 0;
        bool set = false;
        if (nic_addrs(nic->addrs, &a, &n, NULL) == 0) {
            if (family == AF_INET)
                nic_gw4(env->node, nic, a, n, &gw, &set, NULL);
            else
                nic_gw6(env, nic, a, n, &gw, &set, NULL);
        }
        free(a);
        return set;
    }
    return false;
}

int brig_vnet_nics_up(const struct brig_jail_env *env, pid_t pid, const struct brig_nic *nics,
                      size_t n, struct brig_err *err)
{
    _cleanup_close_ int nsfd = -1;
    if (brig_netns_open_pid(pid, &nsfd, err) < 0)
        return -1;
    return brig_vnet_nics_up_ns(env, nsfd, nics, n, err);
}

/* What brig_vnet_nics_up_ns works out for one NIC before it makes anything. */
struct nic_plan {
    uint8_t mac[6];
    char host[IFNAMSIZ];
    struct brig_addr *addrs;
    size_t naddrs;
};

static void plans_free(struct nic_plan *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        free(p[i].addrs);
    free(p);
}

static int nic_plan(const struct brig_jail_env *env, const struct brig_nic *nic,
                    struct nic_plan *ret, struct brig_err *err)
{
    const struct brig_jail *j = env->jail;
    if (strcmp(nic->hwaddr, "0") == 0)
        brig_mac_derive(env->node->nodename, j->v[BRIG_P_JNAME], nic->idx, ret->mac);
    else if (brig_mac_parse(nic->hwaddr, ret->mac, err) < 0)
        return -1;
    /* a VM's NIC is its tap, a jail's the host end of its veth */
    if ((brig_jail_is_vm(j) ? brig_vm_tap_name(j->id, nic->idx, ret->host, err)
                            : brig_veth_host_name(j->id, nic->idx, ret->host, err)) < 0)
        return -1;
    return nic_addrs(nic->addrs, &ret->addrs, &ret->naddrs, err);
}

/* Whether nic is one of nics[0..n) (by index). */
static bool nic_in(const struct brig_nic *nic, const struct brig_nic *nics, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (nics[i].idx == nic->idx)
            return true;
    }
    return false;
}

/* The port filters of the jail whose NICs are set[0..n) (after a change), in
 * one transaction: the chains of the NICs of make[0..nmake) that have one,
 * and the jail's address chain when a filtered NIC has known addresses. A NIC with
 * known addresses may send from any address of the jail's: Linux answers for
 * all of a host's addresses on every interface, so a reply to eth1's address
 * may leave by eth0, and no other jail holds them. */
static int filters_put(const struct brig_jail_env *env, const struct brig_nic *const *set, size_t n,
                       const struct brig_nic *make, size_t nmake, struct brig_err *err)
{
    struct nic_plan *plans = brig_xcalloc(n ? n : 1, sizeof(*plans));
    struct brig_port_filter *f = brig_xcalloc(n ? n : 1, sizeof(*f));
    struct brig_addr *all = NULL;
    size_t nall = 0, nf = 0;
    char chain[BRIG_PORT_FILTER_NAMELEN];
    int r = -1;
    for (size_t i = 0; i < n; i++) {
        if (nic_plan(env, set[i], &plans[i], err) < 0) {
            brig_err_wrap(err, "eth%d", set[i]->idx);
            goto out;
        }
        if (plans[i].naddrs == 0)
            continue;
        all = brig_xrealloc(all, (nall + plans[i].naddrs) * sizeof(*all));
        memcpy(all + nall, plans[i].addrs, plans[i].naddrs * sizeof(*all));
        nall += plans[i].naddrs;
    }
    bool jumped = false; /* a port jumps to the address chain */
    for (size_t i = 0; i < n; i++) {
        if (set[i]->no_filter)
            continue;
        jumped |= plans[i].naddrs > 0;
        if (!nic_in(set[i], make, nmake))
            continue;
        f[nf] = (struct brig_port_filter){.port = plans[i].host, .by_addr = plans[i].naddrs > 0};
        memcpy(f[nf++].mac, plans[i].mac, 6);
    }
    brig_port_filter_jail_chain(env->jail->id, chain);
    struct brig_jail_filter jf = {
        .chain = chain,
        .addr_chain = jumped,
        .addrs = all,
        .naddrs = nall,
        .ports = f,
        .nports = nf,
    };
    r = brig_port_filter_add(&jf, err);
out:
    free(all);
    free(f);
    plans_free(plans, n);
    return r;
}

/* Whether nics[0..n) are all the jail's NICs (a start or a stop), not one
 * being added or removed. */
static bool nics_whole(const struct brig_jail_env *env, const struct brig_nic *nics, size_t n)
{
    return nics == env->nics && n == env->nnics;
}

/* The jail's NICs after adding nics[0..n) (env->nics when they are all of
 * them), or after removing them: an array of pointers. */
static const struct brig_nic **nic_set(const struct brig_jail_env *env, const struct brig_nic *nics,
                                       size_t n, bool add, size_t *ret_n)
{
    const struct brig_nic **set = brig_xcalloc(env->nnics + n + 1, sizeof(*set));
    size_t k = 0;
    for (size_t i = 0; i < env->nnics; i++) {
        if (nics_whole(env, nics, n) || !nic_in(&env->nics[i], nics, n))
            set[k++] = &env->nics[i];
    }
    for (size_t i = 0; add && !nics_whole(env, nics, n) && i < n; i++)
        set[k++] = &nics[i];
    *ret_n = k;
    return set;
}

/* A NIC with a static IPv6 address takes nothing from router advertisements
 * (set before it is up): a SLAAC address beside it would be one its port
 * filter drops, and a second default route. Nor does a NIC without IPv6:
 * address generation "none" keeps the link-local address away, not a SLAAC
 * one (the kernel makes it from the MAC) when the bridge advertises a prefix.
 * Jail root may turn it on again. */
static int nic_ra_off(int nsfd, const struct brig_nic *nic, const struct brig_addr *addrs, size_t n,
                      struct brig_err *err)
{
    bool v6 = !nic_wants_ipv6(nic, addrs, n);
    for (size_t i = 0; i < n; i++)
        v6 |= addrs[i].family == AF_INET6;
    if (!v6)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/eth%d/accept_ra", nic->idx);
    return brig_netns_sysctl_set(nsfd, path, "0", err);
}

int brig_vnet_nics_up_ns(const struct brig_jail_env *env, int nsfd, const struct brig_nic *nics,
                         size_t n, struct brig_err *err)
{
    const struct brig_jail *j = env->jail;
    _cleanup_nl_ struct brig_nl *host = NULL, *jail = NULL;
    struct nic_plan *plans = brig_xcalloc(n ? n : 1, sizeof(*plans));
    size_t nset;
    _cleanup_free_ const struct brig_nic **set = nic_set(env, nics, n, true, &nset);
    int r = -1;
    for (size_t i = 0; i < n; i++) {
        if (nic_plan(env, &nics[i], &plans[i], err) < 0) {
            brig_err_wrap(err, "eth%d", nics[i].idx);
            goto out;
        }
    }
    if (brig_nl_open(&host, err) < 0)
        goto out;
    /* another workdir's port of the same name keeps its filter */
    for (size_t i = 0; i < n; i++) {
        if (brig_link_owner_check(host, plans[i].host, err) < 0) {
            brig_err_wrap(err, "eth%d", nics[i].idx);
            goto out;
        }
    }
    /* the filters are in place before the ports exist: no frame goes unfiltered */
    if (filters_put(env, set, nset, nics, n, err) < 0 || brig_nl_open_netns(nsfd, &jail, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct brig_nic *nic = &nics[i];
        const struct nic_plan *p = &plans[i];
        struct brig_veth v = {
            .jail_id = j->id,
            .idx = nic->idx,
            .jname = j->v[BRIG_P_JNAME],
            .bridge = brig_vnet_bridge(env->node, nic->parent),
            .netns_fd = nsfd,
            .mac = p->mac,
            .mtu = nic->mtu,
        };
        struct brig_addr gw4, gw6;
        bool has_gw, has_gw6;
        if (brig_veth_create(host, &v, err) < 0 ||
            nic_ra_off(nsfd, nic, p->addrs, p->naddrs, err) < 0 ||
            nic_gw4(env->node, nic, p->addrs, p->naddrs, &gw4, &has_gw, err) < 0 ||
            nic_gw6(env, nic, p->addrs, p->naddrs, &gw6, &has_gw6, err) < 0 ||
            brig_veth_configure(jail, nic->idx, nic_wants_ipv6(nic, p->addrs, p->naddrs), p->addrs,
                                p->naddrs, has_gw ? &gw4 : NULL, has_gw6 ? &gw6 : NULL, err) < 0) {
            brig_err_wrap(err, "eth%d", nic->idx);
            goto out;
        }
    }
    r = 0;
out:
    plans_free(plans, n);
    return r;
}

int brig_vnet_nics_down(const struct brig_jail_env *env, const struct brig_nic *nics, size_t n,
                        struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *host = NULL;
    if (n == 0)
        return 0;
    if (brig_nl_open(&host, err) < 0)
        return -1;
    int r = 0;
    bool lost = false, foreign_any = false;
    _cleanup_strv_ char **ports = brig_xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        char name[IFNAMSIZ];
        bool foreign = false;
        if (brig_veth_delete(host, env->jail->id, nics[i].idx, env->link_group, &foreign,
                             r == 0 ? err : NULL) < 0)
            r = -1;
        /* another workdir's port of that name (a start refused for it): its filter stays */
        foreign_any |= foreign;
        if (!foreign && brig_veth_host_name(env->jail->id, nics[i].idx, name, NULL) == 0)
            brig_strv_push(&ports, name);
        lost |= strcmp(nics[i].addrs ? nics[i].addrs : "0", "0") != 0;
    }
    /* every NIC's, whatever nic_filter says now: it may have changed since the start */
    char chain[BRIG_PORT_FILTER_NAMELEN];
    brig_port_filter_jail_chain(env->jail->id, chain);
    bool whole = nics_whole(env, nics, n) && !foreign_any;
    lost &= !foreign_any; /* the chain with the jail's addresses is not ours to rewrite */
    if (brig_port_filter_remove(whole ? chain : NULL, (const char *const *)ports,
                                r == 0 ? err : NULL) < 0)
        r = -1;
    /* one NIC of a running jail: the others may no longer send from its addresses */
    if (!whole && lost) {
        size_t nset;
        _cleanup_free_ const struct brig_nic **set = nic_set(env, nics, n, false, &nset);
        if (filters_put(env, set, nset, NULL, 0, r == 0 ? err : NULL) < 0)
            r = -1;
    }
    return r;
}

int brig_vnet_taps_filter(const struct brig_jail_env *env, struct brig_err *err)
{
    size_t nset;
    _cleanup_free_ const struct brig_nic **set = nic_set(env, env->nics, env->nnics, true, &nset);
    return filters_put(env, set, nset, env->nics, env->nnics, err);
}

int brig_vnet_taps_unfilter(const struct brig_jail_env *env, struct brig_err *err)
{
    _cleanup_strv_ char **ports = brig_xcalloc(1, sizeof(char *));
    for (size_t i = 0; i < env->nnics; i++) {
        char name[IFNAMSIZ];
        if (brig_vm_tap_name(env->jail->id, env->nics[i].idx, name, NULL) == 0)
            brig_strv_push(&ports, name);
    }
    char chain[BRIG_PORT_FILTER_NAMELEN];
    brig_port_filter_jail_chain(env->jail->id, chain);
    return brig_port_filter_remove(chain, (const char *const *)ports, err);
}

/* dnsmasq for the node's bridge serves the top quarter of the pool; brig's own
 * IPAM (ip4_addr=DHCP) hands out addresses from the bottom up. */
static int dhcpd_ensure(const struct brig_jail_env *env, struct brig_err *err)
{
    const struct brig_node *node = env->node;
    struct brig_addr pool, lo, hi;
    char los[BRIG_ADDR_STRLEN], his[BRIG_ADDR_STRLEN];
    if (brig_addr_parse(node->nodeippool, &pool, err) < 0)
        return brig_err_wrap(err, "nodeippool");
    uint64_t n = brig_addr_host_count(&pool);
    if (brig_addr_nth_host(&pool, n - n / 4 + 1 > n ? n : n - n / 4 + 1, &lo, err) < 0 ||
        brig_addr_nth_host(&pool, n, &hi, err) < 0)
        return brig_err_wrap(err, "nodeippool %s", node->nodeippool);
    _cleanup_free_ char *rundir = brig_xasprintf("%s/var/run", node->workdir);
    struct brig_dhcpd d = {
        .bridge = node->bridge,
        .gateway = node->gateway4,
        .range_start = brig_addr_format(&lo, false, los),
        .range_end = brig_addr_format(&hi, false, his),
        .rundir = rundir,
    };
    /* DHCPv6 leases host numbers 0x10000-0x1ffff: IPAM's DHCPv6 picks are below */
    struct brig_addr p6, lo6, hi6;
    char lo6s[BRIG_ADDR_STRLEN], hi6s[BRIG_ADDR_STRLEN];
    if (brig_vnet_serves_ra(node) && brig_addr_parse(node->gateway6, &p6, err) == 0 &&
        brig_addr_nth_host(&p6, 0x10000, &lo6, NULL) == 0 &&
        brig_addr_nth_host(&p6, 0x1ffff, &hi6, NULL) == 0) {
        d.gateway6 = node->gateway6;
        d.range6_start = brig_addr_format(&lo6, false, lo6s);
        d.range6_end = brig_addr_format(&hi6, false, hi6s);
    }
    return brig_dhcpd_start(&d, NULL, err);
}

int brig_vnet_ra_up(const struct brig_jail_env *env, struct brig_err *err)
{
    if (dhcpd_ensure(env, err) < 0)
        return brig_err_wrap(err, "DHCP server on %s", env->node->bridge);
    return 0;
}

/* The DHCP client the jail's userland has, as an argv for NIC idx. */
/* Whether the jail has rel, resolved as inside the jail (its links cannot lead
 * the host's root anywhere else). */
static bool jail_has(int rootfd, const char *rel)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static char **dhcp_client_argv(const char *root, int idx)
{
    char ifname[16], pidfile[64];
    char **argv = NULL;
    snprintf(ifname, sizeof(ifname), "eth%d", idx);
    _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return NULL;
    if (jail_has(rootfd, "sbin/udhcpc") || jail_has(rootfd, "usr/sbin/udhcpc")) {
        /* udhcpc goes to the background once it holds a lease; -n: exit without one */
        snprintf(pidfile, sizeof(pidfile), "/var/run/udhcpc.%s.pid", ifname);
        const char *v[] = {"udhcpc", "-i", ifname, "-n", "-t",    "4", "-T",
                           "1",      "-A", "1",    "-p", pidfile, NULL};
        for (const char **p = v; *p; p++)
            brig_strv_push(&argv, *p);
        /* builds disagree on the default script's place: name it when the jail has one */
        static const char *const scripts[] = {"/usr/share/udhcpc/default.script",
                                              "/etc/udhcpc/default.script"};
        for (size_t i = 0; i < BRIG_ARRAY_SIZE(scripts); i++) {
            if (jail_has(rootfd, scripts[i] + 1)) {
                brig_strv_push(&argv, "-s");
                brig_strv_push(&argv, scripts[i]);
                break;
            }
        }
    } else if (jail_has(rootfd, "sbin/dhclient")) {
        snprintf(pidfile, sizeof(pidfile), "/var/run/dhclient.%s.pid", ifname);
        const char *v[] = {"dhclient", "-1", "-pf", pidfile, ifname, NULL};
        for (const char **p = v; *p; p++)
            brig_strv_push(&argv, *p);
    } else if (jail_has(rootfd, "usr/sbin/dhcpcd") || jail_has(rootfd, "sbin/dhcpcd")) {
        const char *v[] = {"dhcpcd", "-t", "5", ifname, NULL};
        for (const char **p = v; *p; p++)
            brig_strv_push(&argv, *p);
    }
    return argv;
}

/* Run the client inside the jail with its output on the jail's console pipe
 * (log_fd; -1: none), never on the log itself, which the jail's logger keeps
 * within its cap; its status. */
static int run_client(const struct brig_jail_exec_spec *tmpl, char **argv, int log_fd,
                      int *ret_status, struct brig_err *err)
{
    pid_t pid = fork();
    if (pid < 0)
        return brig_err_sys(err, errno, "fork");
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int out = log_fd >= 0 ? log_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(126);
        struct brig_jail_exec_spec s = *tmpl;
        s.argv = argv;
        s.pass_stdio = true;
        int status;
        _exit(brig_jail_exec(&s, &status, NULL) < 0 ? 127 : status);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return brig_err_sys(err, errno, "wait for the DHCP client");
    }
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

int brig_vnet_dhcp_up(const struct brig_jail_env *env, const struct brig_jail_exec_spec *exec,
                      int log_fd, const char *console_log, struct brig_err *err)
{
    const char *root = env->jail->v[BRIG_P_PATH];
    bool served = false;
    for (size_t i = 0; i < env->nnics; i++) {
        const struct brig_nic *nic = &env->nics[i];
        if (!brig_vnet_wants_dhcp(nic))
            continue;
        if (!served && strcmp(brig_vnet_bridge(env->node, nic->parent), env->node->bridge) == 0) {
            if (dhcpd_ensure(env, err) < 0)
                return brig_err_wrap(err, "DHCP server on %s", env->node->bridge);
            served = true;
        }
        _cleanup_strv_ char **argv = dhcp_client_argv(root, nic->idx);
        if (!argv)
            return brig_err_set(err, BRIG_EFAIL,
                                "eth%d: ip4_addr=REALDHCP, but the jail has no DHCP client "
                                "(udhcpc, dhclient or dhcpcd)",
                                nic->idx);
        int status = 0;
        if (run_client(exec, argv, log_fd, &status, err) < 0)
            return -1;
        if (status == 0)
            continue;
        if (!exec->policy.net_raw && !exec->policy.allow_raw_sockets)
            return brig_err_set(err, BRIG_EFAIL,
                                "eth%d: %s got no lease: its devfs ruleset hides bpf*, so it "
                                "cannot open the raw socket DHCP needs (hint: a ruleset with "
                                "add path 'bpf*' unhide, then jconfig devfs_ruleset=N)",
                                nic->idx, argv[0]);
        return brig_err_set(err, BRIG_EFAIL, "eth%d: %s got no lease (exit %d; see %s)", nic->idx,
                            argv[0], status, console_log);
    }
    return 0;
}

int brig_vnet_dhcp_down(const struct brig_jail_env *env, struct brig_err *err)
{
    bool any = false;
    for (size_t i = 0; i < env->nnics; i++)
        any |= brig_vnet_wants_dhcp(&env->nics[i]);
    if (!any || !brig_cgroup_exists(env->jail->v[BRIG_P_JNAME]))
        return 0;
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    if (brig_cgroup_pids(env->jail->v[BRIG_P_JNAME], &pids, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char path[64], comm[32] = "";
        snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t r = read(fd, comm, sizeof(comm) - 1);
        close(fd);
        if (r <= 0)
            continue;
        comm[r] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
        if (!strcmp(comm, "udhcpc") || !strcmp(comm, "dhclient") || !strcmp(comm, "dhcpcd"))
            kill(pids[i], SIGTERM);
    }
    return 0;
}
