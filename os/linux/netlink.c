#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#include "core/util.h"

struct brig_nl {
    struct nl_sock *sk;
};

static void link_putp(struct rtnl_link **l)
{
    if (*l)
        rtnl_link_put(*l);
}
#define _cleanup_link_ __attribute__((cleanup(link_putp)))

static void nl_addr_putp(struct nl_addr **a)
{
    if (*a)
        nl_addr_put(*a);
}
#define _cleanup_nladdr_ __attribute__((cleanup(nl_addr_putp)))

static void cache_freep(struct nl_cache **c)
{
    if (*c)
        nl_cache_free(*c);
}
#define _cleanup_cache_ __attribute__((cleanup(cache_freep)))

static bool nl_is_missing(int r)
{
    return r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV;
}

/* Fail with "what name: libnl's reason" (name may be NULL). */
static int nl_err(struct brig_err *err, int r, const char *what, const char *name)
{
    return brig_err_set(err, BRIG_EFAIL, "%s%s%s: %s", what, name ? " " : "", name ? name : "",
                        nl_geterror(r));
}

static int nl_connect_here(struct brig_nl **ret, struct brig_err *err)
{
    struct nl_sock *sk = nl_socket_alloc();
    if (!sk)
        abort();
    int r = nl_connect(sk, NETLINK_ROUTE);
    if (r < 0) {
        nl_socket_free(sk);
        return brig_err_set(err, BRIG_EFAIL, "open netlink socket: %s", nl_geterror(r));
    }
    /* One read per message instead of a peek and a read: a buffer larger than
     * any batch the kernel sends (a dump part is at most 32 KiB). */
    nl_socket_disable_msg_peek(sk);
    nl_socket_set_msg_buf_size(sk, 64 * 1024);
    struct brig_nl *nl = brig_xcalloc(1, sizeof(*nl));
    nl->sk = sk;
    *ret = nl;
    return 0;
}

int brig_nl_open(struct brig_nl **ret, struct brig_err *err)
{
    return nl_connect_here(ret, err);
}

int brig_nl_open_netns(int netns_fd, struct brig_nl **ret, struct brig_err *err)
{
    _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return brig_err_sys(err, errno, "open own network namespace");
    if (setns(netns_fd, CLONE_NEWNET) < 0)
        return brig_err_sys(err, errno, "enter network namespace");
    int r = nl_connect_here(ret, err);
    /* A thread that cannot return to its own namespace would configure the wrong
     * stack from now on; that cannot be recovered from. */
    if (setns(self, CLONE_NEWNET) < 0)
        abort();
    return r;
}

void brig_nl_close(struct brig_nl *nl)
{
    if (!nl)
        return;
    nl_socket_free(nl->sk);
    free(nl);
}

void brig_nl_closep(struct brig_nl **nl)
{
    brig_nl_close(*nl);
    *nl = NULL;
}

int brig_netns_open_pid(pid_t pid, int *ret_fd, struct brig_err *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open network namespace of pid %d", (int)pid);
    *ret_fd = fd;
    return 0;
}

int brig_net_sysctl_set(const char *path, const char *value, bool missing_ok, struct brig_err *err)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing_ok)
            return 0;
        return brig_err_sys(err, errno, "%s", path);
    }
    size_t len = strlen(value);
    ssize_t n = write(fd, value, len);
    if (n != (ssize_t)len)
        return brig_err_sys(err, n < 0 ? errno : EIO, "write %s", path);
    return 0;
}

int brig_netns_sysctl_set(int nsfd, const char *path, const char *value, struct brig_err *err)
{
    _cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return brig_err_sys(err, errno, "open this thread's network namespace");
    if (setns(nsfd, CLONE_NEWNET) < 0)
        return brig_err_sys(err, errno, "enter the jail's network namespace");
    int r = brig_net_sysctl_set(path, value, false, err);
    /* a thread left in the jail's namespace would make everything after it there */
    if (setns(self, CLONE_NEWNET) < 0)
        abort();
    return r;
}

/* Fetch one link by name; a missing link leaves *ret NULL and returns 0. */
static int link_get(struct brig_nl *nl, const char *name, struct rtnl_link **ret,
                    struct brig_err *err)
{
    *ret = NULL;
    if (strlen(name) >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EUSAGE, "interface name '%.80s' is too long", name);
    int r = rtnl_link_get_kernel(nl->sk, 0, name, ret);
    if (r < 0 && !nl_is_missing(r))
        return nl_err(err, r, "look up link", name);
    return 0;
}

/* Fetch one link by name; a missing link is an error. */
static int link_need(struct brig_nl *nl, const char *name, struct rtnl_link **ret,
                     struct brig_err *err)
{
    if (link_get(nl, name, ret, err) < 0)
        return -1;
    if (!*ret)
        return brig_err_set(err, BRIG_EFAIL, "link %s does not exist", name);
    return 0;
}

static bool link_is_bridge(struct rtnl_link *l)
{
    const char *t = rtnl_link_get_type(l);
    return t && strcmp(t, "bridge") == 0;
}

/* One RTM_SETLINK addressed by name: set flags under mask, the alias, the master. */
static int link_set(struct brig_nl *nl, const char *name, unsigned flags, unsigned mask,
                    const char *alias, int master)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = flags, .ifi_change = mask};
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST);
    if (!msg)
        abort();
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
        (alias && nla_put_string(msg, IFLA_IFALIAS, alias) < 0) ||
        (master >= 0 && nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0)) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    return nl_send_sync(nl->sk, msg);
}

/* IPv6 address generation mode "none" on a link: no link-local address. */
static int link_addr_gen_none(struct brig_nl *nl, const char *name)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST);
    if (!msg)
        abort();
    struct nlattr *spec, *inet6;
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_string(msg, IFLA_IFNAME, name) < 0 || !(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
        !(inet6 = nla_nest_start(msg, AF_INET6)) ||
        nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) < 0) {
        nlmsg_free(msg);
        return -NLE_NOMEM;
    }
    nla_nest_end(msg, inet6);
    nla_nest_end(msg, spec);
    return nl_send_sync(nl->sk, msg);
}

int brig_link_exists(struct brig_nl *nl, const char *name, bool *ret, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *l = NULL;
    if (link_get(nl, name, &l, err) < 0)
        return -1;
    *ret = l != NULL;
    return 0;
}

int brig_link_set_up(struct brig_nl *nl, const char *name, struct brig_err *err)
{
    int r = link_set(nl, name, IFF_UP, IFF_UP, NULL, -1);
    if (r < 0)
        return nl_err(err, r, "bring up", name);
    return 0;
}

int brig_link_delete(struct brig_nl *nl, const char *name, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *l = rtnl_link_alloc();
    if (!l)
        abort();
    if (strlen(name) >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EUSAGE, "interface name '%.80s' is too long", name);
    rtnl_link_set_name(l, name);
    int r = rtnl_link_delete(nl->sk, l);
    if (r < 0 && !nl_is_missing(r))
        return nl_err(err, r, "delete link", name);
    return 0;
}

int brig_link_set_group(struct brig_nl *nl, const char *name, uint32_t group, struct brig_err *err)
{
    if (strlen(name) >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EUSAGE, "interface name '%.80s' is too long", name);
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST);
    if (!msg)
        abort();
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_string(msg, IFLA_IFNAME, name) < 0 || nla_put_u32(msg, IFLA_GROUP, group) < 0)
        abort();
    int r = nl_send_sync(nl->sk, msg);
    if (r < 0 && !nl_is_missing(r))
        return nl_err(err, r, "set the link group of", name);
    return 0;
}

int brig_link_delete_group(struct brig_nl *nl, uint32_t group, struct brig_err *err)
{
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST);
    if (!msg)
        abort();
    if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg, IFLA_GROUP, group) < 0)
        abort();
    int r = nl_send_sync(nl->sk, msg);
    if (r < 0 && !nl_is_missing(r))
        return brig_err_set(err, BRIG_EFAIL, "delete the links of group %" PRIu32 ": %s", group,
                            nl_geterror(r));
    return 0;
}

int brig_link_list_prefix(struct brig_nl *nl, const char *prefix, char ***ret_names,
                          struct brig_err *err)
{
    _cleanup_cache_ struct nl_cache *cache = NULL;
    int r = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache);
    if (r < 0)
        return nl_err(err, r, "list links", NULL);
    char **names = brig_xcalloc(1, sizeof(char *));
    for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
        const char *n = rtnl_link_get_name((struct rtnl_link *)o);
        if (n && brig_startswith(n, prefix))
            brig_strv_push(&names, n);
    }
    *ret_names = names;
    return 0;
}

static int bridge_need(struct brig_nl *nl, const char *name, struct rtnl_link **ret,
                       struct brig_err *err)
{
    if (link_need(nl, name, ret, err) < 0)
        return -1;
    if (!link_is_bridge(*ret)) {
        rtnl_link_put(*ret);
        *ret = NULL;
        return brig_err_set(err, BRIG_EFAIL, "%s is not a bridge", name);
    }
    return 0;
}

int brig_bridge_ensure(struct brig_nl *nl, const char *name, const char *addr, unsigned mtu,
                       struct brig_err *err)
{
    struct brig_addr a;
    if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EUSAGE, "bad bridge name '%.80s'", name);
    if (addr && brig_addr_parse(addr, &a, err) < 0)
        return -1;

    _cleanup_link_ struct rtnl_link *cur = NULL;
    if (link_get(nl, name, &cur, err) < 0)
        return -1;
    if (cur && !link_is_bridge(cur))
        return brig_err_set(err, BRIG_EFAIL, "%s exists and is not a bridge", name);
    if (!cur) {
        _cleanup_link_ struct rtnl_link *l = rtnl_link_bridge_alloc();
        if (!l)
            abort();
        rtnl_link_set_name(l, name);
        if (mtu)
            rtnl_link_set_mtu(l, mtu);
        int r = rtnl_link_add(nl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0 && r != -NLE_EXIST)
            return nl_err(err, r, "create bridge", name);
    }
    if (addr && brig_ifaddr_add(nl, name, &a, err) < 0)
        return brig_err_wrap(err, "bridge %s", name);
    return brig_link_set_up(nl, name, err);
}

int brig_bridge_is(struct brig_nl *nl, const char *name, bool *ret, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *l = NULL;
    if (link_get(nl, name, &l, err) < 0)
        return -1;
    *ret = l && link_is_bridge(l);
    return 0;
}

int brig_bridge_mtu(struct brig_nl *nl, const char *name, unsigned *ret, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *l = NULL;
    if (bridge_need(nl, name, &l, err) < 0)
        return -1;
    *ret = rtnl_link_get_mtu(l);
    return 0;
}

static int bridge_info_cmp(const void *a, const void *b)
{
    return strcmp(((const struct brig_bridge_info *)a)->name,
                  ((const struct brig_bridge_info *)b)->name);
}

int brig_bridge_list(struct brig_nl *nl, struct brig_bridge_info **ret, size_t *ret_n,
                     struct brig_err *err)
{
    _cleanup_cache_ struct nl_cache *links = NULL;
    _cleanup_cache_ struct nl_cache *addrs = NULL;
    int r = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &links);
    if (r < 0)
        return nl_err(err, r, "list links", NULL);
    r = rtnl_addr_alloc_cache(nl->sk, &addrs);
    if (r < 0)
        return nl_err(err, r, "list addresses", NULL);

    struct brig_bridge_info *v = NULL;
    size_t n = 0;
    for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
        struct rtnl_link *l = (struct rtnl_link *)o;
        if (!link_is_bridge(l))
            continue;
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        struct brig_bridge_info *bi = &v[n++];
        memset(bi, 0, sizeof(*bi));
        snprintf(bi->name, sizeof(bi->name), "%s", rtnl_link_get_name(l));
        bi->mtu = rtnl_link_get_mtu(l);
        bi->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
        bi->addrs = brig_xcalloc(1, sizeof(char *));
        int idx = rtnl_link_get_ifindex(l);
        for (struct nl_object *p = nl_cache_get_first(links); p; p = nl_cache_get_next(p)) {
            if (rtnl_link_get_master((struct rtnl_link *)p) == idx)
                bi->members++;
        }
        for (struct nl_object *p = nl_cache_get_first(addrs); p; p = nl_cache_get_next(p)) {
            struct rtnl_addr *ad = (struct rtnl_addr *)p;
            struct nl_addr *local = rtnl_addr_get_local(ad);
            char buf[BRIG_ADDR_STRLEN];
            if (rtnl_addr_get_ifindex(ad) != idx || !local)
                continue;
            if (rtnl_addr_get_scope(ad) == RT_SCOPE_LINK)
                continue; /* the kernel's own fe80:: address */
            nl_addr2str(local, buf, sizeof(buf));
            if (!strchr(buf, '/'))
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%d",
                         rtnl_addr_get_prefixlen(ad));
            brig_strv_push(&bi->addrs, buf);
        }
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), bridge_info_cmp);
    *ret = v;
    *ret_n = n;
    return 0;
}

int brig_ifaddr_foreach(struct brig_nl *nl, brig_ifaddr_cb cb, void *ud, struct brig_err *err)
{
    _cleanup_cache_ struct nl_cache *links = NULL;
    _cleanup_cache_ struct nl_cache *addrs = NULL;
    int r = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &links);
    if (r < 0)
        return nl_err(err, r, "list links", NULL);
    r = rtnl_addr_alloc_cache(nl->sk, &addrs);
    if (r < 0)
        return nl_err(err, r, "list addresses", NULL);
    for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
        struct rtnl_addr *ad = (struct rtnl_addr *)o;
        struct nl_addr *local = rtnl_addr_get_local(ad);
        int family = rtnl_addr_get_family(ad);
        if (!local || (family != AF_INET && family != AF_INET6) ||
            nl_addr_get_len(local) != (family == AF_INET ? 4u : 16u))
            continue;
        struct brig_addr a = {.family = family, .prefix = (unsigned)rtnl_addr_get_prefixlen(ad)};
        memcpy(a.bytes, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
        char name[IFNAMSIZ] = "";
        rtnl_link_i2name(links, rtnl_addr_get_ifindex(ad), name, sizeof(name));
        if (cb(name, &a, ud))
            break;
    }
    return 0;
}

int brig_link_alias(struct brig_nl *nl, const char *name, char **ret, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *l = NULL;
    *ret = NULL;
    if (link_get(nl, name, &l, err) < 0)
        return -1;
    const char *a = l ? rtnl_link_get_ifalias(l) : NULL;
    *ret = a && *a ? brig_xstrdup(a) : NULL;
    return 0;
}

int brig_link_set_alias(struct brig_nl *nl, const char *name, const char *alias,
                        struct brig_err *err)
{
    int r = link_set(nl, name, 0, 0, alias, -1);
    if (r < 0)
        return nl_err(err, r, "set the alias of", name);
    return 0;
}

void brig_bridge_info_free(struct brig_bridge_info *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        brig_strv_free(v[i].addrs);
    free(v);
}

int brig_bridge_delete(struct brig_nl *nl, const char *name, bool force, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *br = NULL;
    if (link_get(nl, name, &br, err) < 0)
        return -1;
    if (!br)
        return 0;
    if (!link_is_bridge(br))
        return brig_err_set(err, BRIG_EFAIL, "%s is not a bridge", name);
    if (!force) {
        _cleanup_cache_ struct nl_cache *links = NULL;
        int r = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &links);
        if (r < 0)
            return nl_err(err, r, "list links", NULL);
        unsigned members = 0;
        int idx = rtnl_link_get_ifindex(br);
        for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
            if (rtnl_link_get_master((struct rtnl_link *)o) == idx)
                members++;
        }
        if (members)
            return brig_err_set(err, BRIG_EFAIL, "bridge %s still has %u member%s", name, members,
                                members == 1 ? "" : "s");
    }
    return brig_link_delete(nl, name, err);
}

int brig_bridge_attach(struct brig_nl *nl, const char *bridge, const char *ifname,
                       bool allow_physical, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *br = NULL;
    _cleanup_link_ struct rtnl_link *l = NULL;
    if (bridge_need(nl, bridge, &br, err) < 0 || link_need(nl, ifname, &l, err) < 0)
        return -1;
    const char *t = rtnl_link_get_type(l);
    bool virt = t && (strcmp(t, "veth") == 0 || strcmp(t, "tun") == 0 || strcmp(t, "bridge") == 0 ||
                      strcmp(t, "vlan") == 0);
    if (!virt && !allow_physical)
        return brig_err_set(err, BRIG_EUSAGE,
                            "%s is a physical interface: bridging it needs an explicit opt-in",
                            ifname);
    int r = link_set(nl, ifname, IFF_UP, IFF_UP, NULL, rtnl_link_get_ifindex(br));
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "attach %s to bridge %s: %s", ifname, bridge,
                            nl_geterror(r));
    return 0;
}

static int ifindex_of(struct brig_nl *nl, const char *ifname, int *ret, struct brig_err *err)
{
    _cleanup_link_ struct rtnl_link *l = NULL;
    if (link_need(nl, ifname, &l, err) < 0)
        return -1;
    *ret = rtnl_link_get_ifindex(l);
    return 0;
}

static struct nl_addr *nladdr_of(const struct brig_addr *a, bool with_prefix)
{
    struct nl_addr *n = nl_addr_build(a->family, a->bytes, brig_addr_len(a));
    if (!n)
        abort();
    nl_addr_set_prefixlen(n, with_prefix ? (int)a->prefix : (int)brig_addr_len(a) * 8);
    return n;
}

static int ifaddr_op(struct brig_nl *nl, const char *ifname, int idx, const struct brig_addr *a,
                     bool add, struct brig_err *err)
{
    char buf[BRIG_ADDR_STRLEN];
    if (idx <= 0 && ifindex_of(nl, ifname, &idx, err) < 0)
        return -1;
    struct rtnl_addr *ra = rtnl_addr_alloc();
    if (!ra)
        abort();
    _cleanup_nladdr_ struct nl_addr *local = nladdr_of(a, true);
    rtnl_addr_set_ifindex(ra, idx);
    rtnl_addr_set_family(ra, a->family);
    rtnl_addr_set_local(ra, local);
    rtnl_addr_set_prefixlen(ra, (int)a->prefix);
    if (a->family == AF_INET6)
        rtnl_addr_set_flags(ra, IFA_F_NODAD);
    int r = add ? rtnl_addr_add(nl->sk, ra, 0) : rtnl_addr_delete(nl->sk, ra, 0);
    rtnl_addr_put(ra);
    if (add && r == -NLE_EXIST)
        r = 0;
    if (!add && (r == -NLE_NOADDR || nl_is_missing(r)))
        r = 0;
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "%s address %s %s %s: %s", add ? "add" : "remove",
                            brig_addr_format(a, true, buf), add ? "to" : "from", ifname,
                            nl_geterror(r));
    return 0;
}

int brig_ifaddr_add(struct brig_nl *nl, const char *ifname, const struct brig_addr *a,
                    struct brig_err *err)
{
    return ifaddr_op(nl, ifname, 0, a, true, err);
}

int brig_ifaddr_del(struct brig_nl *nl, const char *ifname, const struct brig_addr *a,
                    struct brig_err *err)
{
    return ifaddr_op(nl, ifname, 0, a, false, err);
}

/* A static route to dst through link idx, via gw (NULL: on the link itself). */
static struct rtnl_route *route_new(const struct brig_addr *dst, int idx,
                                    const struct brig_addr *gw, bool onlink)
{
    _cleanup_nladdr_ struct nl_addr *to = nladdr_of(dst, true);
    struct rtnl_route *rt = rtnl_route_alloc();
    struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
    if (!rt || !nh)
        abort();
    rtnl_route_set_family(rt, (uint8_t)dst->family);
    rtnl_route_set_dst(rt, to);
    rtnl_route_set_table(rt, RT_TABLE_MAIN);
    rtnl_route_set_protocol(rt, RTPROT_STATIC);
    rtnl_route_set_scope(rt, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    rtnl_route_set_type(rt, RTN_UNICAST);
    rtnl_route_nh_set_ifindex(nh, idx);
    if (gw) {
        _cleanup_nladdr_ struct nl_addr *via = nladdr_of(gw, false);
        rtnl_route_nh_set_gateway(nh, via);
    }
    if (onlink)
        rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
    rtnl_route_add_nexthop(rt, nh);
    return rt;
}

int brig_route_dev(struct brig_nl *nl, const char *ifname, const struct brig_addr *dst, bool add,
                   struct brig_err *err)
{
    char buf[BRIG_ADDR_STRLEN];
    int idx;
    if (ifindex_of(nl, ifname, &idx, err) < 0)
        return -1;
    struct rtnl_route *rt = route_new(dst, idx, NULL, false);
    int r = add ? rtnl_route_add(nl->sk, rt, NLM_F_REPLACE) : rtnl_route_delete(nl->sk, rt, 0);
    rtnl_route_put(rt);
    if (!add && (r == -NLE_OBJ_NOTFOUND || nl_is_missing(r)))
        r = 0;
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "%s route to %s dev %s: %s", add ? "add" : "remove",
                            brig_addr_format(dst, true, buf), ifname, nl_geterror(r));
    return 0;
}

int brig_neigh_proxy(struct brig_nl *nl, const char *ifname, const struct brig_addr *a, bool add,
                     struct brig_err *err)
{
    char buf[BRIG_ADDR_STRLEN];
    int idx;
    bool exists = true;
    if (!add && brig_link_exists(nl, ifname, &exists, err) < 0)
        return -1;
    if (!exists)
        return 0;
    if (ifindex_of(nl, ifname, &idx, err) < 0)
        return -1;
    struct rtnl_neigh *n = rtnl_neigh_alloc();
    if (!n)
        abort();
    _cleanup_nladdr_ struct nl_addr *dst = nladdr_of(a, false);
    rtnl_neigh_set_ifindex(n, idx);
    rtnl_neigh_set_family(n, a->family);
    rtnl_neigh_set_dst(n, dst);
    rtnl_neigh_set_flags(n, NTF_PROXY);
    int r = add ? rtnl_neigh_add(nl->sk, n, NLM_F_CREATE | NLM_F_REPLACE)
                : rtnl_neigh_delete(nl->sk, n, 0);
    rtnl_neigh_put(n);
    if (!add && (r == -NLE_OBJ_NOTFOUND || nl_is_missing(r)))
        r = 0;
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "%s proxy neighbour %s on %s: %s",
                            add ? "add" : "remove", brig_addr_format(a, false, buf), ifname,
                            nl_geterror(r));
    return 0;
}

/* The default route via gw on ifname, whose ifindex is idx (0: look it up). */
static int route_default(struct brig_nl *nl, const char *ifname, int idx,
                         const struct brig_addr *gw, bool onlink, struct brig_err *err)
{
    char buf[BRIG_ADDR_STRLEN];
    if (idx <= 0 && ifindex_of(nl, ifname, &idx, err) < 0)
        return -1;
    struct brig_addr zero = {.family = gw->family, .prefix = 0};
    struct rtnl_route *rt = route_new(&zero, idx, gw, onlink);
    int r = rtnl_route_add(nl->sk, rt, NLM_F_REPLACE);
    rtnl_route_put(rt);
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "add default route via %s on %s: %s",
                            brig_addr_format(gw, false, buf), ifname, nl_geterror(r));
    return 0;
}

#define OWNER_MARK " brig node "

static char ifprefix[BRIG_IFPREFIX_MAX + 1] = BRIG_IFPREFIX_DEFAULT;
static char ifowner[32]; /* OWNER_MARK and the node id; empty: none */

void brig_ifnames_use(const char *prefix, const char *nodeid)
{
    snprintf(ifprefix, sizeof(ifprefix), "%s", prefix ? prefix : BRIG_IFPREFIX_DEFAULT);
    if (nodeid && nodeid[0])
        snprintf(ifowner, sizeof(ifowner), OWNER_MARK "%s", nodeid);
    else
        ifowner[0] = '\0';
}

const char *brig_ifprefix(void)
{
    return ifprefix;
}

bool brig_ifalias_ours(const char *alias)
{
    const char *mark = alias ? strstr(alias, OWNER_MARK) : NULL;
    return !mark || (ifowner[0] && strcmp(mark, ifowner) == 0);
}

int brig_link_owner_check(struct brig_nl *host, const char *hname, struct brig_err *err)
{
    _cleanup_free_ char *alias = NULL;
    if (brig_link_alias(host, hname, &alias, err) < 0)
        return -1;
    if (brig_ifalias_ours(alias))
        return 0;
    return brig_err_set(err, BRIG_EFAIL,
                        "host interface %s belongs to another brig workdir (%.60s): give this "
                        "workdir interface names of its own with brig initenv ifprefix=",
                        hname, strstr(alias, OWNER_MARK) + 1);
}

int brig_veth_host_name(int64_t jail_id, int idx, char out[IFNAMSIZ], struct brig_err *err)
{
    if (jail_id < 0 || idx < 0)
        return brig_err_set(err, BRIG_EUSAGE, "bad jail id %" PRId64 " or NIC index %d", jail_id,
                            idx);
    int n = snprintf(out, IFNAMSIZ, "%sj%" PRId64 "n%d", ifprefix, jail_id, idx);
    if (n < 0 || n >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EUSAGE,
                            "jail id %" PRId64 " and NIC index %d do not fit an interface name",
                            jail_id, idx);
    return 0;
}

/* "<ifprefix><kind><id>n<idx>" back into id and index; false when name is not one. */
static bool port_name_parse(const char *name, char kind, int64_t *ret_id, int *ret_idx)
{
    const char *p = name;
    char *end;
    if (!brig_startswith(p, ifprefix) || p[strlen(ifprefix)] != kind)
        return false;
    p += strlen(ifprefix) + 1;
    if (*p < '0' || *p > '9')
        return false;
    errno = 0;
    long long id = strtoll(p, &end, 10);
    if (errno || *end != 'n' || end[1] < '0' || end[1] > '9')
        return false;
    long idx = strtol(end + 1, &end, 10);
    if (errno || *end != '\0' || idx > 9999)
        return false;
    if (ret_id)
        *ret_id = id;
    if (ret_idx)
        *ret_idx = (int)idx;
    return true;
}

bool brig_veth_host_name_parse(const char *name, int64_t *ret_jail_id, int *ret_idx)
{
    return port_name_parse(name, 'j', ret_jail_id, ret_idx);
}

bool brig_tap_name_parse(const char *name, int64_t *ret_vm_id, int *ret_idx)
{
    return port_name_parse(name, 't', ret_vm_id, ret_idx);
}

/* The pair in one RTM_NEWLINK; returns a libnl error code. */
static int veth_add(struct brig_nl *host, const struct brig_veth *v, const char *hname,
                    const char *jname, unsigned host_mtu, unsigned mtu, int master)
{
    _cleanup_link_ struct rtnl_link *l = rtnl_link_veth_alloc();
    if (!l)
        abort();
    rtnl_link_set_name(l, hname);
    rtnl_link_set_mtu(l, host_mtu);
    rtnl_link_set_master(l, master);
    /* down: brig_veth_create turns IPv6 off before the host end comes up */
    /* One queue each way, what the kernel leaves a veth with anyway: asked for
     * at creation, it is allocated so, where otherwise the kernel allocates one
     * per CPU and cuts them to one on the registered device, which waits for
     * an expedited RCU grace period (an IPI to every CPU) in every jstart. */
    rtnl_link_set_num_tx_queues(l, 1);
    rtnl_link_set_num_rx_queues(l, 1);

    struct rtnl_link *peer = rtnl_link_veth_get_peer(l);
    rtnl_link_set_name(peer, jname);
    rtnl_link_set_mtu(peer, mtu);
    rtnl_link_set_num_tx_queues(peer, 1);
    rtnl_link_set_num_rx_queues(peer, 1);
    /* No IFF_UP on the peer: the kernel opens it before the pair is linked (ENOTCONN);
     * brig_veth_configure brings it up from inside. */
    if (v->netns_fd >= 0)
        rtnl_link_set_ns_fd(peer, v->netns_fd);
    else
        rtnl_link_set_ns_pid(peer, v->netns_pid);
    if (v->mac) {
        _cleanup_nladdr_ struct nl_addr *mac = nl_addr_build(AF_LLC, v->mac, 6);
        if (!mac)
            abort();
        rtnl_link_set_addr(peer, mac);
    }
    rtnl_link_put(peer);
    return rtnl_link_add(host->sk, l, NLM_F_CREATE | NLM_F_EXCL);
}

/* The new host end: IPv6 off before it is up (no link-local address, no DAD,
 * router solicitations or MLD reports flooded to every port of the bridge, no
 * routes of its own), then up with its alias "<jail>-<jail end> brig node <id>" (the kernel
 * ignores an alias on create, hence a second message). */
static int host_end_up(struct brig_nl *host, const char *hname, const char *jail, const char *jend,
                       struct brig_err *err)
{
    char path[96];
    snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", hname);
    if (brig_net_sysctl_set(path, "1", true, err) < 0) /* missing: IPv6 is off in this kernel */
        return -1;
    _cleanup_free_ char *alias = brig_xasprintf("%s-%s%s", jail ? jail : "", jend, ifowner);
    int r = link_set(host, hname, IFF_UP, IFF_UP, alias, -1);
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "bring up %s with its alias: %s", hname,
                            nl_geterror(r));
    return 0;
}

int brig_veth_create(struct brig_nl *host, const struct brig_veth *v, struct brig_err *err)
{
    char hname[IFNAMSIZ], jname[IFNAMSIZ];
    if (brig_veth_host_name(v->jail_id, v->idx, hname, err) < 0)
        return -1;
    snprintf(jname, sizeof(jname), "eth%d", v->idx);
    if (v->netns_fd < 0 && v->netns_pid <= 0)
        return brig_err_set(err, BRIG_EUSAGE, "%s: no network namespace given", hname);

    _cleanup_link_ struct rtnl_link *br = NULL;
    if (v->bridge && bridge_need(host, v->bridge, &br, err) < 0)
        return brig_err_wrap(err, "create %s", hname);
    /* the host end keeps the bridge's MTU (a smaller port would lower the
     * bridge's own, as if_bridge(4) refuses it on FreeBSD); the NIC's mtu is
     * the jail end's */
    unsigned host_mtu = br ? rtnl_link_get_mtu(br) : v->mtu ? v->mtu : 1500;
    unsigned mtu = v->mtu ? v->mtu : host_mtu;
    int master = br ? rtnl_link_get_ifindex(br) : 0;

    int r = veth_add(host, v, hname, jname, host_mtu, mtu, master);
    if (r == -NLE_EXIST) {
        bool stale = false;
        if (brig_link_exists(host, hname, &stale, err) < 0)
            return -1;
        if (!stale)
            return brig_err_set(err, BRIG_EFAIL, "create %s: %s already exists in the jail", hname,
                                jname);
        /* A previous run's pair not yet torn down (or leaked): its name is
         * ours, unless another workdir marked it as its own. */
        if (brig_link_owner_check(host, hname, err) < 0)
            return -1;
        if (brig_link_delete(host, hname, err) < 0)
            return brig_err_wrap(err, "create %s: remove stale link", hname);
        r = veth_add(host, v, hname, jname, host_mtu, mtu, master);
    }
    if (r < 0)
        return brig_err_set(err, BRIG_EFAIL, "create %s (%s in the jail)%s%s: %s", hname, jname,
                            v->bridge ? " on bridge " : "", v->bridge ? v->bridge : "",
                            nl_geterror(r));

    if (host_end_up(host, hname, v->jname, jname, err) < 0) {
        struct brig_err e2 = BRIG_ERR_INIT;
        brig_link_delete(host, hname, &e2);
        return brig_err_wrap(err, "create %s", hname);
    }
    return 0;
}

int brig_veth_configure(struct brig_nl *jail, int idx, bool ipv6, const struct brig_addr *addrs,
                        size_t naddrs, const struct brig_addr *gw4, const struct brig_addr *gw6,
                        struct brig_err *err)
{
    char ifname[IFNAMSIZ];
    snprintf(ifname, sizeof(ifname), "eth%d", idx);
    int ifindex;
    if (ifindex_of(jail, ifname, &ifindex, err) < 0)
        return -1;
    /* before it is up: the link-local address is made when it comes up */
    int r = ipv6 ? 0 : link_addr_gen_none(jail, ifname);
    if (r < 0)
        return nl_err(err, r, "turn off IPv6 address generation on", ifname);
    if (brig_link_set_up(jail, ifname, err) < 0)
        return -1;
    for (size_t i = 0; i < naddrs; i++) {
        if (ifaddr_op(jail, ifname, ifindex, &addrs[i], true, err) < 0)
            return -1;
    }
    const struct brig_addr *gws[] = {gw4, gw6};
    for (size_t g = 0; g < BRIG_ARRAY_SIZE(gws); g++) {
        if (!gws[g])
            continue;
        bool connected = false;
        for (size_t i = 0; i < naddrs; i++)
            connected = connected || brig_addr_contains(&addrs[i], gws[g]);
        if (route_default(jail, ifname, ifindex, gws[g], !connected, err) < 0)
            return -1;
    }
    return 0;
}

int brig_link_delete_ours(struct brig_nl *nl, const char *name, bool *ret_foreign,
                          struct brig_err *err)
{
    _cleanup_free_ char *alias = NULL;
    if (brig_link_alias(nl, name, &alias, err) < 0)
        return -1;
    bool foreign = !brig_ifalias_ours(alias);
    if (ret_foreign)
        *ret_foreign = foreign;
    return foreign ? 0 : brig_link_delete(nl, name, err);
}

int brig_veth_delete(struct brig_nl *host, int64_t jail_id, int idx, uint32_t group,
                     bool *ret_foreign, struct brig_err *err)
{
    char hname[IFNAMSIZ];
    if (brig_veth_host_name(jail_id, idx, hname, err) < 0)
        return -1;
    if (group) {
        /* another workdir's link of that name stays out of the group */
        _cleanup_free_ char *alias = NULL;
        if (brig_link_alias(host, hname, &alias, err) < 0)
            return -1;
        bool foreign = !brig_ifalias_ours(alias);
        if (ret_foreign)
            *ret_foreign = foreign;
        return foreign ? 0 : brig_link_set_group(host, hname, group, err);
    }
    return brig_link_delete_ours(host, hname, ret_foreign, err);
}

/* A new tap's owner, persistence, MAC, MTU, alias and bridge. */
static int tap_setup(struct brig_nl *nl, int fd, const struct brig_tap *t, struct brig_err *err)
{
    if (ioctl(fd, TUNSETOWNER, (unsigned long)t->uid) < 0 ||
        ioctl(fd, TUNSETGROUP, (unsigned long)t->gid) < 0 || ioctl(fd, TUNSETPERSIST, 1L) < 0)
        return brig_err_sys(err, errno, "tap %s: owner and persistence", t->name);
    unsigned mtu = 0;
    if (brig_bridge_mtu(nl, t->bridge, &mtu, err) < 0)
        return -1;
    _cleanup_link_ struct rtnl_link *l = NULL, *change = rtnl_link_alloc();
    _cleanup_nladdr_ struct nl_addr *mac = nl_addr_build(AF_LLC, t->mac, 6);
    if (!change || !mac)
        abort();
    if (link_need(nl, t->name, &l, err) < 0)
        return -1;
    rtnl_link_set_addr(change, mac);
    rtnl_link_set_mtu(change, mtu);
    int r = rtnl_link_change(nl->sk, l, change, 0);
    if (r < 0)
        return nl_err(err, r, "set MAC and MTU of", t->name);
    link_addr_gen_none(nl, t->name);
    _cleanup_free_ char *alias = t->alias ? brig_xasprintf("%s%s", t->alias, ifowner) : NULL;
    if (alias && (r = link_set(nl, t->name, 0, 0, alias, -1)) < 0)
        return nl_err(err, r, "set alias of", t->name);
    return brig_bridge_attach(nl, t->bridge, t->name, false, err);
}

int brig_tap_create(struct brig_nl *nl, const struct brig_tap *t, struct brig_err *err)
{
    if (strlen(t->name) >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EUSAGE, "interface name '%.80s' is too long", t->name);
    /* the kernel makes tun/tap links only through /dev/net/tun (rtnetlink refuses
     * them); everything after the creation is netlink */
    /* TUNSETIFF would attach to a tap of that name: one left by a run of
     * this workdir goes first, another workdir's is refused */
    bool exists;
    if (brig_link_exists(nl, t->name, &exists, err) < 0 ||
        (exists &&
         (brig_link_owner_check(nl, t->name, err) < 0 || brig_link_delete(nl, t->name, err) < 0)))
        return -1;
    _cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open /dev/net/tun");
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return brig_err_sys(err, errno, "create tap %s", t->name);
    if (tap_setup(nl, fd, t, err) < 0) {
        brig_link_delete(nl, t->name, NULL);
        return -1;
    }
    return 0;
}

int brig_tap_open(const char *name, int *ret_fd, struct brig_err *err)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open /dev/net/tun");
    /* TUNSETIFF of an existing tap attaches to it; the flags must be its own */
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (strlen(name) >= IFNAMSIZ || ioctl(fd, TUNSETIFF, &ifr) < 0) {
        brig_err_sys(err, errno, "open tap %s", name);
        close(fd);
        return -1;
    }
    *ret_fd = fd;
    return 0;
}
