/* A jail without VNET, as FreeBSD has it: a network stack of its own with its
 * own loopback and only its ip4_addr addresses, which the host routes to it.
 *
 * The jail's end of a veth pair, eth0, holds each address as a host address
 * (/32, /128); its default routes point at the host end, which answers for
 * 169.254.1.1 (and fe80::1). The host routes each address to the host end and
 * answers ARP and neighbour solicitations for it on the interface the address
 * belongs to (the default bridge, or `iface|addr`), so the host, other jails
 * and, with forwarding, the interface's network reach the jail there. The jail
 * cannot reach the host's loopback or abstract sockets, bind an address that is
 * not its own or sniff anything but its own link; it has no CAP_NET_ADMIN to
 * change that, and the host end drops what it sends from other sources
 * (strict reverse-path filtering). */
#define _GNU_SOURCE
#include "hostnet.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "os/linux/net.h"
#include "os/linux/vnet.h"
#include "util.h"

#define HOST_GW4 "169.254.1.1/32"
#define HOST_GW6 "fe80::1/64"

/* One address of the jail and the host interface it belongs to ("": none,
 * interface=0: brig answers for it on no host interface). */
struct hostaddr {
    char iface[IFNAMSIZ];
    struct brig_addr addr; /* with the prefix given (the subnet on iface), else /32 or /128 */
};

/* The jail's addresses, or none for ip4_addr=0. */
static int parse_addrs(const struct brig_jail_env *env, struct hostaddr **ret, size_t *ret_n,
                       struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    _cleanup_free_ struct brig_addr_item *items = NULL;
    size_t n = 0;
    if (brig_addr_list_parse(env->jail->v[BRIG_P_IP4_ADDR], BRIG_ADDR_ALIAS, &items, &n, err) < 0)
        return brig_err_wrap(err, "ip4_addr");
    if (n == 0)
        return 0;
    const char *iface = env->jail->v[BRIG_P_INTERFACE];
    const char *deflt = brig_streq(iface, "0") ? "" : brig_vnet_bridge(env->node, iface);
    struct hostaddr *v = brig_xcalloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        snprintf(v[i].iface, sizeof(v[i].iface), "%s", items[i].iface[0] ? items[i].iface : deflt);
        v[i].addr = items[i].addr;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

/* Whether brig answers for the address on a host interface (not lo, not interface=0). */
static bool proxied(const struct hostaddr *ha)
{
    return ha->iface[0] && strcmp(ha->iface, "lo") != 0;
}

/* addr as a host address (/32 or /128). */
static struct brig_addr host_addr(const struct brig_addr *a)
{
    struct brig_addr h = *a;
    h.prefix = a->family == AF_INET ? 32 : 128;
    return h;
}

static int host_end_sysctl(const char *hname, const char *family, const char *key,
                           const char *value, struct brig_err *err)
{
    _cleanup_free_ char *path = brig_xasprintf("/proc/sys/net/%s/conf/%s/%s", family, hname, key);
    return brig_net_sysctl_set(path, value, false, err);
}

/* The host end: the jail's gateway addresses, and no packet from another source. */
static int host_end_setup(struct brig_nl *host, const char *hname, bool v6, struct brig_err *err)
{
    struct brig_addr gw4, gw6;
    if (brig_addr_parse(HOST_GW4, &gw4, err) < 0 || brig_ifaddr_add(host, hname, &gw4, err) < 0 ||
        host_end_sysctl(hname, "ipv4", "rp_filter", "1", err) < 0)
        return -1;
    if (!v6)
        return 0;
    return host_end_sysctl(hname, "ipv6", "disable_ipv6", "0", err) < 0 ||
                   brig_addr_parse(HOST_GW6, &gw6, err) < 0 ||
                   brig_ifaddr_add(host, hname, &gw6, err) < 0
               ? -1
               : 0;
}

/* The first of the jail's addresses found on a host interface, and where. */
struct present {
    const struct hostaddr *ha;
    size_t n;
    const struct brig_addr *found;
    char where[IFNAMSIZ];
};

static int present_cb(const char *ifname, const struct brig_addr *a, void *ud)
{
    struct present *p = ud;
    for (size_t i = 0; i < p->n; i++) {
        if (brig_addr_same_ip(a, &p->ha[i].addr)) {
            p->found = &p->ha[i].addr;
            snprintf(p->where, sizeof(p->where), "%s", ifname);
            return 1;
        }
    }
    return 0;
}

/* An address the host has is the host's: a jail never takes it over. One walk
 * of the host's addresses for all of the jail's. */
static int refuse_host_addrs(struct brig_nl *host, const struct hostaddr *ha, size_t n,
                             struct brig_err *err)
{
    struct present p = {.ha = ha, .n = n};
    char buf[BRIG_ADDR_STRLEN];
    if (brig_ifaddr_foreach(host, present_cb, &p, err) < 0)
        return -1;
    if (p.found)
        return brig_err_set(err, BRIG_EFAIL, "address %s is already on %s",
                            brig_addr_format(p.found, false, buf), p.where);
    return 0;
}

int brig_hostnet_up(const struct brig_jail_env *env, pid_t pid, struct brig_err *err)
{
    _cleanup_free_ struct hostaddr *ha = NULL;
    size_t n;
    if (parse_addrs(env, &ha, &n, err) < 0)
        return -1;
    if (n == 0)
        return 0; /* its loopback only, as a FreeBSD jail without addresses */
    _cleanup_nl_ struct brig_nl *host = NULL, *jail = NULL;
    _cleanup_close_ int nsfd = -1;
    if (brig_nl_open(&host, err) < 0 || refuse_host_addrs(host, ha, n, err) < 0 ||
        brig_netns_open_pid(pid, &nsfd, err) < 0 || brig_nl_open_netns(nsfd, &jail, err) < 0)
        return -1;
    const char *deflt = brig_vnet_bridge(env->node, env->jail->v[BRIG_P_INTERFACE]);
    bool v4 = false, v6 = false, on_default = false;
    for (size_t i = 0; i < n; i++) {
        v4 |= ha[i].addr.family == AF_INET;
        v6 |= ha[i].addr.family == AF_INET6;
        on_default |= ha[i].iface[0] && strcmp(ha[i].iface, deflt) == 0;
    }
    if (on_default && brig_vnet_bridge_ready(host, env->node, deflt, err) < 0)
        return -1;
    char hname[IFNAMSIZ];
    if (brig_veth_host_name(env->jail->id, 0, hname, err) < 0)
        return -1;
    struct brig_veth v = {
        .jail_id = env->jail->id,
        .jname = env->jail->v[BRIG_P_JNAME],
        .netns_fd = nsfd,
    };
    _cleanup_free_ struct brig_addr *in = brig_xcalloc(n, sizeof(*in));
    for (size_t i = 0; i < n; i++)
        in[i] = host_addr(&ha[i].addr);
    struct brig_addr gw4, gw6;
    if (brig_addr_parse(HOST_GW4, &gw4, err) < 0 || brig_addr_parse(HOST_GW6, &gw6, err) < 0)
        return -1;
    if (brig_veth_create(host, &v, err) < 0 || host_end_setup(host, hname, v6, err) < 0 ||
        brig_veth_configure(jail, 0, v6, in, n, v4 ? &gw4 : NULL, v6 ? &gw6 : NULL, err) < 0)
        return brig_err_wrap(err, "network");
    /* the interface's network reaches the jail through the host */
    if (v4 && brig_ip_forward_enable(err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (brig_route_dev(host, hname, &in[i], true, err) < 0)
            return -1;
        if (proxied(&ha[i]) && brig_neigh_proxy(host, ha[i].iface, &ha[i].addr, true, err) < 0)
            return brig_err_wrap(err, "address %s", ha[i].iface);
    }
    return 0;
}

int brig_hostnet_down(const struct brig_jail_env *env, struct brig_err *err)
{
    _cleanup_free_ struct hostaddr *ha = NULL;
    size_t n = 0;
    _cleanup_nl_ struct brig_nl *host = NULL;
    if (brig_nl_open(&host, err) < 0)
        return -1;
    /* the host end goes whatever the record says now: its routes go with it */
    int r = brig_veth_delete(host, env->jail->id, 0, 0, NULL, err);
    if (parse_addrs(env, &ha, &n, r == 0 ? err : NULL) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (proxied(&ha[i]) &&
            brig_neigh_proxy(host, ha[i].iface, &ha[i].addr, false, r == 0 ? err : NULL) < 0)
            r = -1;
    }
    return r;
}
