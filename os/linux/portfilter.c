#define _GNU_SOURCE
#include "portfilter.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/mac.h"
#include "os/linux/net.h"
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
static bool addr_set(struct brig_buf *b, const struct brig_port_filter *f, int family,
                     const char *extra)
{
    bool any = extra != NULL;
    brig_buf_addf(b, "{ %s", extra ? extra : "");
    for (size_t i = 0; i < f->naddrs; i++) {
        char s[BRIG_ADDR_STRLEN];
        if (f->addrs[i].family != family)
            continue;
        brig_buf_addf(b, "%s%s", any ? ", " : "", brig_addr_format(&f->addrs[i], false, s));
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

/* ARP senders and IPv4 sources among the NIC's addresses, but for ARP probes
 * (sender 0.0.0.0) and a DHCP client's first broadcast. */
static void render_ipv4(struct brig_buf *b, const struct brig_port_filter *f)
{
    const char *c = f->port;
    struct brig_buf set = {0};
    addr_set(&set, f, AF_INET, "0.0.0.0");
    brig_buf_addf(b,
                  "add rule " T " %s arp saddr ip != %s drop\n"
                  "add rule " T " %s ip saddr 0.0.0.0 ip daddr 255.255.255.255 "
                  "udp sport 68 udp dport 67 accept\n",
                  c, set.s, c);
    brig_buf_free(&set);
    if (addr_set(&set, f, AF_INET, NULL))
        brig_buf_addf(b, "add rule " T " %s ip saddr != %s drop\n", c, set.s);
    else
        brig_buf_addf(b, "add rule " T " %s ether type ip drop\n", c);
    brig_buf_free(&set);
}

/* IPv6 sources among the NIC's addresses and link-local ones, but for the
 * unspecified source of duplicate address detection, router solicitation and
 * MLD; no router advertisements or redirects (a jail is no router), and
 * neighbour advertisements only for its own addresses. */
static void render_ipv6(struct brig_buf *b, const struct brig_port_filter *f)
{
    const char *c = f->port;
    /* nft 1.0.6 has no "icmpv6 taddr": the target is the 16 bytes after the
     * first 8 of the ICMPv6 header */
    brig_buf_addf(b,
                  "add rule " T " %s icmpv6 type { nd-router-advert, nd-redirect } drop\n"
                  "add rule " T " %s icmpv6 type nd-neighbor-advert "
                  "@th,64,16 & 0xffc0 != 0xfe80",
                  c, c);
    bool first = true;
    for (size_t k = 0; k < f->naddrs; k++) {
        const struct brig_addr *a = &f->addrs[k];
        if (a->family != AF_INET6)
            continue;
        brig_buf_add(b, first ? " @th,64,128 != { 0x" : ", 0x");
        for (int j = 0; j < 16; j++)
            brig_buf_addf(b, "%02x", a->bytes[j]);
        first = false;
    }
    struct brig_buf set = {0};
    addr_set(&set, f, AF_INET6, "fe80::/10");
    brig_buf_addf(b,
                  "%s drop\n"
                  "add rule " T " %s ip6 saddr :: icmpv6 type { nd-neighbor-solicit, "
                  "nd-router-solicit, mld2-listener-report } accept\n"
                  "add rule " T " %s ip6 saddr != %s drop\n",
                  first ? "" : " }", c, c, set.s);
    brig_buf_free(&set);
}

void brig_port_filter_render_add(struct brig_buf *out, const struct brig_port_filter *f,
                                 size_t n)
{
    render_table(out);
    for (size_t i = 0; i < n; i++) {
        const char *c = f[i].port;
        brig_buf_addf(out, "add chain " T " %s\nflush chain " T " %s\n", c, c);
        render_mac(out, &f[i]);
        if (f[i].by_addr) {
            /* other protocols (VLAN tags among them) would carry what the
             * rules below drop */
            brig_buf_addf(out, "add rule " T " %s ether type != { arp, ip, ip6 } drop\n", c);
            render_ipv4(out, &f[i]);
            render_ipv6(out, &f[i]);
        }
        brig_buf_addf(out, "add element " T " ports { \"%s\" : jump %s }\n", c, c);
    }
}

void brig_port_filter_render_remove(struct brig_buf *out, const char *const *ports)
{
    /* Adding first makes each delete find what it deletes: the transaction
     * succeeds whether the filter was there or not. */
    brig_buf_add(out, "add map " T " ports { type ifname : verdict; }\n");
    for (const char *const *p = ports; p && *p; p++)
        brig_buf_addf(out,
                      "add chain " T " %s\n"
                      "add element " T " ports { \"%s\" : jump %s }\n"
                      "delete element " T " ports { \"%s\" }\n"
                      "flush chain " T " %s\n"
                      "delete chain " T " %s\n",
                      *p, *p, *p, *p, *p, *p);
}

/* Only brig's host-end names become chain names. */
static int check_port(const char *port, struct brig_err *err)
{
    if (!port || !brig_veth_host_name_parse(port, NULL, NULL))
        return brig_err_set(err, BRIG_EUSAGE, "port filter: '%.20s' is not a jail's host end",
                            port ? port : "");
    return 0;
}

int brig_port_filter_add(const struct brig_port_filter *f, size_t n, struct brig_err *err)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (check_port(f[i].port, err) < 0)
            return -1;
    }
    _cleanup_nft_ struct nft_ctx *c = brig_nft_open(err);
    if (!c)
        return brig_err_wrap(err, "port filter for %s (nic_filter=0 goes without)", f[0].port);
    struct brig_buf cmd = {0};
    brig_port_filter_render_add(&cmd, f, n);
    int r = brig_nft_run(c, cmd.s, err);
    brig_buf_free(&cmd);
    if (r < 0)
        return brig_err_wrap(err, "port filter for %s", f[0].port);
    return 0;
}

int brig_port_filter_remove(const char *const *ports, struct brig_err *err)
{
    if (!ports || !*ports)
        return 0;
    for (const char *const *p = ports; *p; p++) {
        if (check_port(*p, err) < 0)
            return -1;
    }
    /* without libnftables no filter was ever added */
    _cleanup_nft_ struct nft_ctx *c = brig_nft_open(NULL);
    bool exists;
    if (!c)
        return 0;
    /* a kernel whose nftables cannot list tables never held a filter either */
    if (brig_nft_table_exists(c, "bridge", BRIG_PORT_FILTER_TABLE, &exists, NULL) < 0 || !exists)
        return 0;
    struct brig_buf cmd = {0};
    brig_port_filter_render_remove(&cmd, ports);
    int r = brig_nft_run(c, cmd.s, err);
    brig_buf_free(&cmd);
    if (r < 0)
        return brig_err_wrap(err, "remove the port filter of %s", ports[0]);
    return 0;
}
