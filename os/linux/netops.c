/* brig bridge and brig jnic on Linux: bridges listed, created and removed over
 * rtnetlink, and single NICs added to or removed from a running VNET jail. */
#define _GNU_SOURCE
#include "netops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "addr.h"
#include "os/linux/net.h"
#include "os/linux/vnet.h"
#include "util.h"

int brig_linux_nic_up(const struct brig_jail_env *env, const struct brig_runtime *rt,
                      const struct brig_nic *nic, struct brig_err *err)
{
    if (rt->pid <= 0)
        return brig_err_set(err, BRIG_EFAIL, "eth%d: the jail is not running", nic->idx);
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (brig_nl_open(&nl, err) < 0 ||
        brig_vnet_bridge_ready(nl, env->node, brig_vnet_bridge(env->node, nic->parent), err) < 0)
        return brig_err_wrap(err, "eth%d", nic->idx);
    if (brig_vnet_nics_up(env, (pid_t)rt->pid, nic, 1, err) == 0)
        return 0;
    /* the pair may exist already when configuring it failed: leave nothing */
    brig_vnet_nics_down(env, nic, 1, NULL);
    return -1;
}

int brig_linux_nic_down(const struct brig_jail_env *env, const struct brig_runtime *rt,
                        const struct brig_nic *nic, struct brig_err *err)
{
    return brig_vnet_nics_down(env, nic, 1, err);
}

int brig_linux_links_release(uint32_t group, struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (brig_nl_open(&nl, err) < 0)
        return -1;
    return brig_link_delete_group(nl, group, err);
}

int brig_linux_nic_host_name(int64_t jail_id, int idx, char *buf, size_t len, struct brig_err *err)
{
    char name[IFNAMSIZ];
    if (brig_veth_host_name(jail_id, idx, name, err) < 0)
        return -1;
    if (strlen(name) >= len)
        return brig_err_set(err, BRIG_EFAIL, "interface name buffer too small");
    memcpy(buf, name, strlen(name) + 1);
    return 0;
}

static void sock_freep(struct nl_sock **sk)
{
    if (*sk)
        nl_socket_free(*sk);
}

static void cache_freep(struct nl_cache **c)
{
    if (*c)
        nl_cache_free(*c);
}

/* Names of the links whose master is bridge, NULL-terminated (never NULL). */
static int bridge_members(const char *bridge, char ***ret, struct brig_err *err)
{
    __attribute__((cleanup(sock_freep))) struct nl_sock *sk = nl_socket_alloc();
    __attribute__((cleanup(cache_freep))) struct nl_cache *links = NULL;
    if (!sk)
        abort();
    int r = nl_connect(sk, NETLINK_ROUTE);
    if (r >= 0)
        r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "list links: %s", nl_geterror(r));
    int idx = rtnl_link_name2i(links, bridge);
    char **v = brig_xcalloc(1, sizeof(char *));
    for (struct nl_object *o = nl_cache_get_first(links); idx > 0 && o; o = nl_cache_get_next(o)) {
        struct rtnl_link *l = (struct rtnl_link *)o;
        if (rtnl_link_get_master(l) == idx)
            brig_strv_push(&v, rtnl_link_get_name(l));
    }
    *ret = v;
    return 0;
}

void brig_bridge_entries_free(struct brig_bridge_entry *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        brig_strv_free(v[i].addrs);
        brig_strv_free(v[i].members);
    }
    free(v);
}

int brig_linux_bridge_list(struct brig_bridge_entry **ret, size_t *ret_n, struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *nl = NULL;
    struct brig_bridge_info *info = NULL;
    size_t n = 0;
    if (brig_nl_open(&nl, err) < 0 || brig_bridge_list(nl, &info, &n, err) < 0)
        return -1;
    struct brig_bridge_entry *v = brig_xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        v[i].name = brig_xstrdup(info[i].name);
        v[i].mtu = info[i].mtu;
        v[i].up = info[i].up;
        v[i].addrs = brig_steal(&info[i].addrs);
        if (bridge_members(info[i].name, &v[i].members, err) < 0) {
            brig_bridge_info_free(info, n);
            brig_bridge_entries_free(v, i + 1);
            return -1;
        }
    }
    brig_bridge_info_free(info, n);
    *ret = v;
    *ret_n = n;
    return 0;
}

int brig_linux_bridge_create(const struct brig_node *node, const char *name, const char *addr,
                             unsigned mtu, struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *nl = NULL;
    bool exists, is;
    struct brig_addr a = {0};
    if (addr && brig_addr_parse(addr, &a, err) < 0)
        return -1;
    if (brig_nl_open(&nl, err) < 0 || brig_link_exists(nl, name, &exists, err) < 0 ||
        brig_bridge_is(nl, name, &is, err) < 0)
        return -1;
    if (exists)
        return brig_err_set(err, BRIG_EUSAGE,
                            is ? "bridge %s already exists" : "%s exists and is not a bridge",
                            name);
    if (brig_bridge_ensure(nl, name, addr, mtu, err) < 0) {
        brig_link_delete(nl, name, NULL);
        return -1;
    }
    if (!node->nat_enable || !addr)
        return 0;
    if (brig_vnet_nat_add(node, &a, err) < 0) {
        brig_link_delete(nl, name, NULL);
        return brig_err_wrap(err, "nat for %s", name);
    }
    return 0;
}

/* Remove the NAT rule of one "addr/prefix"; absent is success. */
static int nat_remove_for(const struct brig_node *node, const char *addr, struct brig_err *err)
{
    struct brig_addr a, net;
    char buf[BRIG_ADDR_STRLEN];
    if (brig_addr_parse(addr, &a, NULL) < 0)
        return 0;
    brig_addr_network(&a, &net);
    /* brig_nat_remove takes an absent rule for done */
    return brig_nat_remove(brig_addr_format(&net, true, buf), brig_vnet_nat_uplink(node), err);
}

int brig_linux_bridge_remove(const struct brig_node *node, const char *name, bool force,
                             struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *nl = NULL;
    bool exists, is;
    if (brig_nl_open(&nl, err) < 0 || brig_link_exists(nl, name, &exists, err) < 0 ||
        brig_bridge_is(nl, name, &is, err) < 0)
        return -1;
    if (!exists)
        return brig_err_set(err, BRIG_EUSAGE, "no such bridge %s", name);
    if (!is)
        return brig_err_set(err, BRIG_EUSAGE, "%s is not a bridge", name);
    _cleanup_strv_ char **members = NULL;
    if (bridge_members(name, &members, err) < 0)
        return -1;
    size_t nm = brig_strv_len(members);
    if (nm && !force)
        return brig_err_set(err, BRIG_EFAIL,
                            "bridge %s has %zu link%s attached (%s%s); force=1 removes it anyway",
                            name, nm, nm == 1 ? "" : "s", members[0], nm > 1 ? ", ..." : "");
    struct brig_bridge_info *info = NULL;
    size_t n = 0;
    if (brig_bridge_list(nl, &info, &n, err) < 0)
        return -1;
    _cleanup_free_ char *rundir = brig_xasprintf("%s/var/run", node->workdir);
    int r = brig_dhcpd_stop(rundir, name, err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (strcmp(info[i].name, name) != 0)
            continue;
        for (char **p = info[i].addrs; r == 0 && p && *p; p++)
            r = nat_remove_for(node, *p, err);
    }
    brig_bridge_info_free(info, n);
    if (r == 0 && node->bridge && strcmp(name, node->bridge) == 0 && node->gateway4)
        r = nat_remove_for(node, node->gateway4, err);
    if (r < 0)
        return brig_err_wrap(err, "remove bridge %s", name);
    return brig_bridge_delete(nl, name, true, err);
}
