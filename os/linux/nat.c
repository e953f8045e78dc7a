#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/params.h"
#include "core/util.h"
#include "os/linux/nft.h"

/* One NAT rule, resolved from the caller's strings. */
struct nat_rule {
    const char *family; /* "ip" or "ip6" */
    char net[BRIG_ADDR_STRLEN];
    char tag[128]; /* the rule's comment: how brig finds it again */
    const char *uplink;
};

static int nat_rule_init(const char *subnet, const char *uplink, struct nat_rule *r,
                         struct brig_err *err)
{
    struct brig_addr a, net;
    if (brig_addr_parse(subnet, &a, err) < 0)
        return brig_err_wrap(err, "nat");
    if (uplink && brig_check_ifname(uplink, err) < 0)
        return brig_err_wrap(err, "nat");
    brig_addr_network(&a, &net);
    r->family = a.family == AF_INET ? "ip" : "ip6";
    brig_addr_format(&net, true, r->net);
    r->uplink = uplink;
    snprintf(r->tag, sizeof(r->tag), "brig nat %s via %s", r->net, uplink ? uplink : "any");
    return 0;
}

/* The handle of the rule tagged r->tag (0: absent), whether any other brig rule
 * remains in the chain, and whether the chain exists. */
static int rule_find(struct nft_ctx *c, const struct nat_rule *r, unsigned long *ret_handle,
                     bool *ret_others, bool *ret_chain, struct brig_err *err)
{
    bool exists;
    *ret_handle = 0;
    *ret_others = false;
    *ret_chain = false;
    if (brig_nft_table_exists(c, r->family, "brig", &exists, err) < 0)
        return -1;
    if (!exists)
        return 0;
    /* the table may hold only port forwards */
    _cleanup_free_ char *table = brig_xasprintf("list table %s brig", r->family);
    if (brig_nft_run(c, table, err) < 0)
        return -1;
    if (!strstr(brig_nft_output(c), "chain postrouting {"))
        return 0;
    *ret_chain = true;
    _cleanup_free_ char *cmd = brig_xasprintf("list chain %s brig postrouting", r->family);
    if (brig_nft_run_handles(c, cmd, err) < 0)
        return -1;
    const char *out = brig_nft_output(c);
    _cleanup_free_ char *want = brig_xasprintf("comment \"%s\"", r->tag);
    for (const char *line = out; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        _cleanup_free_ char *l = brig_xstrndup(line, n);
        const char *h = strstr(l, "# handle ");
        if (strstr(l, want) && h)
            *ret_handle = strtoul(h + strlen("# handle "), NULL, 10);
        else if (strstr(l, "comment \"brig nat "))
            *ret_others = true;
        line = eol ? eol + 1 : NULL;
    }
    return 0;
}

/* Resolve the rule, open nftables and find the rule's handle (0: absent). */
static int nat_lookup(const char *subnet, const char *uplink, struct nat_rule *r,
                      struct nft_ctx **ret_ctx, unsigned long *ret_handle, bool *ret_others,
                      bool *ret_chain, struct brig_err *err)
{
    if (nat_rule_init(subnet, uplink, r, err) < 0)
        return -1;
    if (!(*ret_ctx = brig_nft_open(err)))
        return -1;
    if (rule_find(*ret_ctx, r, ret_handle, ret_others, ret_chain, err) < 0)
        return brig_err_wrap(err, "nat %s", r->net);
    return 0;
}

int brig_nat_has(const char *subnet, const char *uplink, bool *ret, struct brig_err *err)
{
    struct nat_rule r;
    unsigned long handle;
    bool others, chain;
    _cleanup_nft_ struct nft_ctx *c = NULL;
    if (nat_lookup(subnet, uplink, &r, &c, &handle, &others, &chain, err) < 0)
        return -1;
    *ret = handle != 0;
    return 0;
}

int brig_nat_add(const char *subnet, const char *uplink, struct brig_err *err)
{
    struct nat_rule r;
    unsigned long handle;
    bool others, chain;
    _cleanup_nft_ struct nft_ctx *c = NULL;
    if (nat_lookup(subnet, uplink, &r, &c, &handle, &others, &chain, err) < 0)
        return -1;
    if (handle)
        return 0;
    _cleanup_free_ char *oif = r.uplink ? brig_xasprintf("oifname \"%s\" ", r.uplink) : NULL;
    /* Every value here was validated above: an address and an interface name. */
    _cleanup_free_ char *cmd = brig_xasprintf(
        "add table %s brig\n"
        "add chain %s brig postrouting { type nat hook postrouting priority srcnat; policy "
        "accept; }\n"
        "add rule %s brig postrouting %s saddr %s %s daddr != %s %scounter masquerade comment "
        "\"%s\"\n",
        r.family, r.family, r.family, r.family, r.net, r.family, r.net, oif ? oif : "", r.tag);
    if (brig_nft_run(c, cmd, err) < 0)
        return brig_err_wrap(err, "add nat for %s", r.net);
    return 0;
}

int brig_nat_remove(const char *subnet, const char *uplink, struct brig_err *err)
{
    struct nat_rule r;
    unsigned long handle;
    bool others, chain;
    _cleanup_nft_ struct nft_ctx *c = NULL;
    if (nat_lookup(subnet, uplink, &r, &c, &handle, &others, &chain, err) < 0)
        return -1;
    bool exists;
    if (brig_nft_table_exists(c, r.family, "brig", &exists, err) < 0)
        return -1;
    if (!exists || !chain)
        return 0;
    _cleanup_free_ char *cmd = NULL;
    if (!others)
        cmd = brig_xasprintf("delete chain %s brig postrouting", r.family);
    else if (handle)
        cmd = brig_xasprintf("delete rule %s brig postrouting handle %lu", r.family, handle);
    if (cmd && brig_nft_run(c, cmd, err) < 0)
        return brig_err_wrap(err, "remove nat for %s", r.net);
    /* the table goes with its last chain: port forwards may still hold some */
    _cleanup_free_ char *list = brig_xasprintf("list table %s brig", r.family);
    if (!others && brig_nft_run(c, list, err) == 0 && !strstr(brig_nft_output(c), "chain ")) {
        _cleanup_free_ char *del = brig_xasprintf("delete table %s brig", r.family);
        if (brig_nft_run(c, del, err) < 0)
            return brig_err_wrap(err, "remove nat for %s", r.net);
    }
    return 0;
}

/* Turning IPv6 forwarding on makes every interface a router that ignores
 * router advertisements (accept_ra=1): the host would lose the addresses and
 * default route it takes from them. Those interfaces get accept_ra=2 first. */
static int keep_accepting_ra(struct brig_err *err)
{
    DIR *d = opendir("/proc/sys/net/ipv6/conf");
    if (!d)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "/proc/sys/net/ipv6/conf");
    int r = 0;
    for (struct dirent *e; r == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "all") == 0 ||
            strcmp(e->d_name, "default") == 0)
            continue;
        _cleanup_free_ char *path =
            brig_xasprintf("/proc/sys/net/ipv6/conf/%s/accept_ra", e->d_name);
        _cleanup_free_ char *v = NULL;
        size_t n = 0;
        if (brig_read_file(path, 16, &v, &n, NULL) < 0 || n == 0 || v[0] != '1')
            continue;
        r = brig_net_sysctl_set(path, "2", true, err);
    }
    closedir(d);
    return r;
}

int brig_ip6_forward_enable(struct brig_err *err)
{
    _cleanup_free_ char *v = NULL;
    size_t n = 0;
    const char *all = "/proc/sys/net/ipv6/conf/all/forwarding";
    if (brig_read_file(all, 16, &v, &n, NULL) == 0 && n > 0 && v[0] == '1')
        return 0;
    if (keep_accepting_ra(err) < 0 || brig_net_sysctl_set(all, "1\n", false, err) < 0)
        return brig_err_wrap(err, "enable IPv6 forwarding");
    return 0;
}

int brig_ip_forward_enable(struct brig_err *err)
{
    if (brig_net_sysctl_set("/proc/sys/net/ipv4/ip_forward", "1\n", false, err) < 0)
        return brig_err_wrap(err, "enable forwarding");
    return 0;
}
