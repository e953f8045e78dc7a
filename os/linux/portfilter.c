#define _GNU_SOURCE
#include "portfilter.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/mac.h"
#include "os/linux/net.h"
#include "os/linux/nfnl.h"
#include "os/linux/nft.h"

#define T "bridge " BRIG_PORT_FILTER_TABLE

/* The table, its base chain (every bridge's prerouting, before the bridge learns
 * the source MAC) and the map from input port to that port's chain. The base
 * chain is flushed and refilled, so running this again adds nothing. */
static void render_table(struct brig_buf *b)
{
    brig_buf_add(b, "add table " T "\n"
                    "add chain " T " prerouting { type filter hook prerouting priority filter; "
                    "policy accept; }\n"
                    "add map " T " ports { type ifname : verdict; }\n"
                    "flush chain " T " prerouting\n"
                    "add rule " T " prerouting iifname vmap @ports\n");
}

/* "{ extra, a, b }": extra (may be NULL) and the addresses of family; false when
 * that is nothing. */
static bool addr_set(struct brig_buf *b, const struct brig_jail_filter *jf, int family,
                     const char *extra)
{
    bool any = extra != NULL;
    brig_buf_addf(b, "{ %s", extra ? extra : "");
    for (size_t i = 0; i < jf->naddrs; i++) {
        char s[BRIG_ADDR_STRLEN];
        if (jf->addrs[i].family != family)
            continue;
        brig_buf_addf(b, "%s%s", any ? ", " : "", brig_addr_format(&jf->addrs[i], false, s));
        any = true;
    }
    brig_buf_add(b, " }");
    return any;
}

/* Source MAC and ARP sender MAC: the NIC's own. */
static void render_mac(struct brig_buf *b, const struct brig_port_filter *f)
{
    char mac[BRIG_MAC_STRLEN];
    brig_mac_format(f->mac, mac);
    brig_buf_addf(b,
                  "add rule " T " %s ether saddr != %s drop\n"
                  "add rule " T " %s arp saddr ether != %s drop\n",
                  f->port, mac, f->port, mac);
}

/* ARP senders and IPv4 sources among the jail's addresses, but for ARP probes
 * (sender 0.0.0.0) and a DHCP client's first broadcast. */
static void render_ipv4(struct brig_buf *b, const struct brig_jail_filter *jf)
{
    const char *c = jf->chain;
    struct brig_buf set = {0};
    addr_set(&set, jf, AF_INET, "0.0.0.0");
    brig_buf_addf(b,
                  "add rule " T " %s arp saddr ip != %s drop\n"
                  "add rule " T " %s ip saddr 0.0.0.0 ip daddr 255.255.255.255 "
                  "udp sport 68 udp dport 67 accept\n",
                  c, set.s, c);
    brig_buf_free(&set);
    if (addr_set(&set, jf, AF_INET, NULL))
        brig_buf_addf(b, "add rule " T " %s ip saddr != %s drop\n", c, set.s);
    else
        brig_buf_addf(b, "add rule " T " %s ether type ip drop\n", c);
    brig_buf_free(&set);
}

/* IPv6 sources among the jail's addresses and link-local ones, but for the
 * unspecified source of duplicate address detection, router solicitation and
 * MLD; no router advertisements or redirects (a jail is no router), and
 * neighbour advertisements only for its own addresses. */
static void render_ipv6(struct brig_buf *b, const struct brig_jail_filter *jf)
{
    const char *c = jf->chain;
    /* nft 1.0.6 has no "icmpv6 taddr": the target is the 16 bytes after the
     * first 8 of the ICMPv6 header */
    brig_buf_addf(b,
                  "add rule " T " %s icmpv6 type { nd-router-advert, nd-redirect } drop\n"
                  "add rule " T " %s icmpv6 type nd-neighbor-advert "
                  "@th,64,16 & 0xffc0 != 0xfe80",
                  c, c);
    bool first = true;
    for (size_t k = 0; k < jf->naddrs; k++) {
        const struct brig_addr *a = &jf->addrs[k];
        if (a->family != AF_INET6)
            continue;
        brig_buf_add(b, first ? " @th,64,128 != { 0x" : ", 0x");
        for (int j = 0; j < 16; j++)
            brig_buf_addf(b, "%02x", a->bytes[j]);
        first = false;
    }
    struct brig_buf set = {0};
    addr_set(&set, jf, AF_INET6, "fe80::/10");
    brig_buf_addf(b,
                  "%s drop\n"
                  "add rule " T " %s ip6 saddr :: icmpv6 type { nd-neighbor-solicit, "
                  "nd-router-solicit, mld2-listener-report } accept\n"
                  "add rule " T " %s ip6 saddr != %s drop\n",
                  first ? "" : " }", c, c, set.s);
    brig_buf_free(&set);
}

void brig_port_filter_jail_chain(int64_t jail_id, char out[BRIG_PORT_FILTER_NAMELEN])
{
    snprintf(out, BRIG_PORT_FILTER_NAMELEN, BRIG_VETH_PREFIX "%lld", (long long)jail_id);
}

void brig_port_filter_render_add(struct brig_buf *out, const struct brig_jail_filter *jf)
{
    const char *j = jf->chain;
    render_table(out);
    if (jf->addr_chain) {
        brig_buf_addf(out, "add chain " T " %s\nflush chain " T " %s\n", j, j);
        /* other protocols (VLAN tags among them) would carry what the rules
         * below drop */
        brig_buf_addf(out, "add rule " T " %s ether type != { arp, ip, ip6 } drop\n", j);
        render_ipv4(out, jf);
        render_ipv6(out, jf);
    }
    for (size_t i = 0; i < jf->nports; i++) {
        const struct brig_port_filter *f = &jf->ports[i];
        const char *c = f->port;
        brig_buf_addf(out, "add chain " T " %s\nflush chain " T " %s\n", c, c);
        render_mac(out, f);
        if (f->by_addr)
            brig_buf_addf(out, "add rule " T " %s jump %s\n", c, j);
        brig_buf_addf(out, "add element " T " ports { \"%s\" : jump %s }\n", c, c);
    }
}

/* Only brig's names become chains: host ends "bj<id>n<idx>", jails "bj<id>". */
static int check_name(const char *name, bool port, struct brig_err *err)
{
    bool ok =
        name && (port ? brig_veth_host_name_parse(name, NULL, NULL)
                      : brig_startswith(name, BRIG_VETH_PREFIX) && name[strlen(BRIG_VETH_PREFIX)] &&
                            strspn(name + strlen(BRIG_VETH_PREFIX), "0123456789") ==
                                strlen(name + strlen(BRIG_VETH_PREFIX)) &&
                            strlen(name) < BRIG_PORT_FILTER_NAMELEN);
    if (!ok)
        return brig_err_set(err, BRIG_EUSAGE, "port filter: '%.24s' is not a name of brig's",
                            name ? name : "");
    return 0;
}

int brig_port_filter_add(const struct brig_jail_filter *jf, struct brig_err *err)
{
    if (jf->nports == 0 && !jf->addr_chain)
        return 0;
    if (check_name(jf->chain, false, err) < 0)
        return -1;
    for (size_t i = 0; i < jf->nports; i++) {
        if (check_name(jf->ports[i].port, true, err) < 0)
            return -1;
    }
    _cleanup_nft_ struct nft_ctx *c = brig_nft_open(err);
    if (!c)
        return brig_err_wrap(err, "port filter of %s (nic_filter=0 goes without)", jf->chain);
    struct brig_buf cmd = {0};
    brig_port_filter_render_add(&cmd, jf);
    int r = brig_nft_run(c, cmd.s, err);
    brig_buf_free(&cmd);
    if (r < 0)
        return brig_err_wrap(err, "port filter of %s", jf->chain);
    return 0;
}

/* Whether name is one of v (NULL-terminated). */
static bool strv_has(char *const *v, const char *name)
{
    for (char *const *p = v; p && *p; p++) {
        if (strcmp(*p, name) == 0)
            return true;
    }
    return false;
}

int brig_port_filter_remove(const char *chain, const char *const *ports, struct brig_err *err)
{
    if ((!ports || !*ports) && !chain)
        return 0;
    if (chain && check_name(chain, false, err) < 0)
        return -1;
    for (const char *const *p = ports; p && *p; p++) {
        if (check_name(*p, true, err) < 0)
            return -1;
    }
    /* Plain netlink, not libnftables: a stop would spend more on loading it
     * and on its cache of the whole table than on the deletion. A kernel
     * that cannot list the chains never held a filter either. */
    _cleanup_strv_ char **have = NULL;
    if (brig_nfnl_bridge_chains(BRIG_PORT_FILTER_TABLE, &have, NULL) < 0)
        return 0;
    /* a port's chain and map element come and go in one transaction */
    _cleanup_strv_ char **gone = brig_xcalloc(1, sizeof(char *));
    for (const char *const *p = ports; p && *p; p++) {
        if (strv_has(have, *p))
            brig_strv_push(&gone, *p);
    }
    bool chain_there = chain && strv_has(have, chain);
    if (!*gone && !chain_there)
        return 0;
    struct brig_buf batch = {0};
    unsigned n = brig_nfnl_render_remove(&batch, BRIG_PORT_FILTER_TABLE, "ports",
                                         chain_there ? chain : NULL, (const char *const *)gone, 1);
    int r = brig_nfnl_commit(&batch, n, err);
    brig_buf_free(&batch);
    if (r < 0)
        return brig_err_wrap(err, "remove the port filter of %s", chain ? chain : ports[0]);
    return 0;
}
