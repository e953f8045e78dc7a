#define _GNU_SOURCE
#include "portfilter.h"

#include <net/if.h>
#include <netinet/in.h>
// after the libc headers that define what linux/in.h does
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/mac.h"
#include "os/linux/net.h"
#include "os/linux/nfnl.h"

#define T BRIG_PORT_FILTER_TABLE

/* What nft (1.0.6) keeps with each kind of set it makes, the same bytes, so
 * that `nft list` shows brig's table as the text in the comments below:
 * (type, length, value) items, 0 the key's byte order (1 host, 2 network),
 * 2 "merge the elements", 3 the expression the key was written for (a
 * payload: its protocol and field, or its raw base, offset and length). */
static const uint8_t ud_ports[] = "\x00\x04\x01\x00\x00\x00\x01\x04\x00\x00\x00\x00\x06\x04\x00"
                                  "\x00\x00\x00";
#define UD_PAYLOAD(proto, field)                                                                   \
    "\x00\x04\x02\x00\x00\x00\x03\x14\x00\x04\x07\x00\x00\x00\x01\x0c\x00\x04" proto               \
    "\x00\x00\x00\x01\x04" field "\x00\x00\x00"
static const uint8_t ud_ether_type[] = UD_PAYLOAD("\x11", "\x03");
static const uint8_t ud_arp_saddr_ip[] = UD_PAYLOAD("\x0f", "\x07");
static const uint8_t ud_ip_saddr[] = UD_PAYLOAD("\x0c", "\x0b");
static const uint8_t ud_icmpv6_type[] = UD_PAYLOAD("\x0e", "\x01");
/* @th,64,128 */
static const uint8_t ud_th_128[] = "\x00\x04\x02\x00\x00\x00\x03\x26\x00\x04\x07\x00\x00\x00\x01"
                                   "\x1e\x00\x04\x00\x00\x00\x00\x01\x04\x00\x00\x00\x00\x02\x04"
                                   "\x03\x00\x00\x00\x03\x04\x40\x00\x00\x00\x04\x04\x80\x00\x00"
                                   "\x00";
/* ip6 saddr, an interval set whose elements nft merges */
static const uint8_t ud_ip6_saddr[] = "\x00\x04\x02\x00\x00\x00\x02\x04\x01\x00\x00\x00\x03\x14"
                                      "\x00\x04\x07\x00\x00\x00\x01\x0c\x00\x04\x0d\x00\x00\x00"
                                      "\x01\x04\x08\x00\x00\x00";
/* an interval's element that runs to the last address */
static const uint8_t ud_open_end[] = "\x01\x04\x01\x00\x00\x00";

/* the bridge family's first hook and nft's "priority filter" there
 * (linux/netfilter_bridge.h, which clashes with net/if.h) */
enum { BRIDGE_PRE_ROUTING = 0, BRIDGE_PRI_FILTER = -200 };
/* nft's data types of set keys */
enum {
    TYPE_ETHERTYPE = 10,
    TYPE_IPADDR = 7,
    TYPE_IP6ADDR = 8,
    TYPE_INTEGER = 4,
    TYPE_ICMP6_TYPE = 29,
    TYPE_IFNAME = 41
};

static const uint8_t eth_arp[] = {0x08, 0x06}, eth_ip[] = {0x08, 0x00}, eth_ip6[] = {0x86, 0xdd};
static const uint8_t ip_proto_udp = IPPROTO_UDP, ip_proto_icmpv6 = IPPROTO_ICMPV6;
enum { ND_RS = 133, ND_NS = 135, ND_NA = 136, ND_RA = 134, ND_REDIRECT = 137, MLD2_REPORT = 143 };

/* The keys a rule matches register 1 against (n of len bytes at keys): an
 * anonymous constant set, or, as nft makes it of one key, none. Returns the
 * set's id, 0 for none. Before the rule. */
static uint32_t keys_set(struct brig_nfnl_tx *tx, uint32_t type, const void *keys, size_t len,
                         size_t n, const uint8_t *ud, size_t ud_len)
{
    if (n == 1)
        return 0;
    struct brig_nfnl_set s = {.name = "__set%d",
                              .flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT,
                              .key_type = type,
                              .key_len = (uint32_t)len,
                              .size = (uint32_t)n,
                              .udata = ud,
                              .udata_len = ud_len};
    uint32_t id = brig_nfnl_set(tx, T, &s);
    brig_nfnl_elems_begin(tx, T, s.name, id);
    for (size_t i = 0; i < n; i++)
        brig_nfnl_elem(tx, (const uint8_t *)keys + i * len, len, 0, NULL, NULL, 0);
    brig_nfnl_elems_end(tx);
    return id;
}

/* "<register 1 (not) among the keys> <verdict>" closing the open rule: the
 * set id made by keys_set, or the one key. */
static void keys_then(struct brig_nfnl_tx *tx, uint32_t id, const void *key, size_t len, bool inv,
                      int32_t verdict)
{
    if (id)
        brig_nfnl_lookup(tx, "__set%d", id, inv, false);
    else
        brig_nfnl_cmp(tx, inv ? NFT_CMP_NEQ : NFT_CMP_EQ, key, len);
    brig_nfnl_verdict(tx, verdict, NULL);
    brig_nfnl_rule_end(tx);
}

/* "ether type X": the frame's own type field. */
static void match_ether_type(struct brig_nfnl_tx *tx, const uint8_t type[2])
{
    brig_nfnl_payload(tx, NFT_PAYLOAD_LL_HEADER, 12, 2);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, type, 2);
}

/* "ip ..."/"ip6 ...": the protocol the bridge saw (a VLAN tag's too). */
static void match_protocol(struct brig_nfnl_tx *tx, const uint8_t type[2])
{
    brig_nfnl_meta(tx, NFT_META_PROTOCOL);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, type, 2);
}

static void match_l4proto(struct brig_nfnl_tx *tx, const uint8_t *proto)
{
    brig_nfnl_meta(tx, NFT_META_L4PROTO);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, proto, 1);
}

/* The table, its base chain (every bridge's prerouting, before the bridge learns
 * the source MAC) and the map from input port to that port's chain. The base
 * chain is flushed and refilled, so running this again adds nothing. Returns
 * the map's id. */
static uint32_t render_table(struct brig_nfnl_tx *tx)
{
    brig_nfnl_table(tx, T);
    brig_nfnl_chain(tx, T, "prerouting", BRIDGE_PRE_ROUTING, BRIDGE_PRI_FILTER);
    struct brig_nfnl_set ports = {.name = "ports",
                                  .flags = NFT_SET_MAP,
                                  .key_type = TYPE_IFNAME,
                                  .key_len = IFNAMSIZ,
                                  .data_type = NFT_DATA_VERDICT,
                                  .udata = ud_ports,
                                  .udata_len = sizeof(ud_ports) - 1};
    uint32_t id = brig_nfnl_set(tx, T, &ports);
    brig_nfnl_flush(tx, T, "prerouting");
    /* iifname vmap @ports */
    brig_nfnl_rule_begin(tx, T, "prerouting");
    brig_nfnl_meta(tx, NFT_META_IIFNAME);
    brig_nfnl_lookup(tx, "ports", id, false, true);
    brig_nfnl_rule_end(tx);
    return id;
}

/* The addresses of family among the jail's, after `extra` (may be NULL), as
 * consecutive keys of len bytes; returns how many. */
static size_t addr_keys(const struct brig_jail_filter *jf, int family, const uint8_t *extra,
                        uint8_t **ret)
{
    size_t len = family == AF_INET ? 4 : 16, n = 0;
    uint8_t *k = brig_xcalloc(jf->naddrs + 1, len);
    if (extra)
        memcpy(k + len * n++, extra, len);
    for (size_t i = 0; i < jf->naddrs; i++) {
        if (jf->addrs[i].family == family)
            memcpy(k + len * n++, jf->addrs[i].bytes, len);
    }
    *ret = k;
    return n;
}

/* Source MAC and ARP sender MAC: the NIC's own. */
static void render_mac(struct brig_nfnl_tx *tx, const struct brig_port_filter *f)
{
    /* ether saddr != MAC drop */
    brig_nfnl_rule_begin(tx, T, f->port);
    brig_nfnl_payload(tx, NFT_PAYLOAD_LL_HEADER, 6, 6);
    brig_nfnl_cmp(tx, NFT_CMP_NEQ, f->mac, 6);
    brig_nfnl_verdict(tx, NF_DROP, NULL);
    brig_nfnl_rule_end(tx);
    /* arp saddr ether != MAC drop */
    brig_nfnl_rule_begin(tx, T, f->port);
    match_ether_type(tx, eth_arp);
    brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 8, 6);
    brig_nfnl_cmp(tx, NFT_CMP_NEQ, f->mac, 6);
    brig_nfnl_verdict(tx, NF_DROP, NULL);
    brig_nfnl_rule_end(tx);
}

/* ARP senders and IPv4 sources among the jail's addresses, but for ARP probes
 * (sender 0.0.0.0) and a DHCP client's first broadcast. */
static void render_ipv4(struct brig_nfnl_tx *tx, const struct brig_jail_filter *jf)
{
    static const uint8_t any[4] = {0}, bcast[4] = {255, 255, 255, 255};
    static const uint8_t dhcp_ports[4] = {0, 68, 0, 67};
    const char *c = jf->chain;
    _cleanup_free_ uint8_t *keys = NULL;
    /* arp saddr ip != { 0.0.0.0, ADDRS } drop */
    size_t n = addr_keys(jf, AF_INET, any, &keys);
    uint32_t id =
        keys_set(tx, TYPE_IPADDR, keys, 4, n, ud_arp_saddr_ip, sizeof(ud_arp_saddr_ip) - 1);
    brig_nfnl_rule_begin(tx, T, c);
    match_ether_type(tx, eth_arp);
    brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 14, 4);
    keys_then(tx, id, keys, 4, true, NF_DROP);
    /* ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept */
    brig_nfnl_rule_begin(tx, T, c);
    match_protocol(tx, eth_ip);
    brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, any, 4);
    brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, bcast, 4);
    match_l4proto(tx, &ip_proto_udp);
    brig_nfnl_payload(tx, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 4);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, dhcp_ports, 4);
    brig_nfnl_verdict(tx, NF_ACCEPT, NULL);
    brig_nfnl_rule_end(tx);
    if (n > 1) {
        /* ip saddr != { ADDRS } drop */
        id = keys_set(tx, TYPE_IPADDR, keys + 4, 4, n - 1, ud_ip_saddr, sizeof(ud_ip_saddr) - 1);
        brig_nfnl_rule_begin(tx, T, c);
        match_protocol(tx, eth_ip);
        brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
        keys_then(tx, id, keys + 4, 4, true, NF_DROP);
    } else {
        /* ether type ip drop */
        brig_nfnl_rule_begin(tx, T, c);
        match_ether_type(tx, eth_ip);
        brig_nfnl_verdict(tx, NF_DROP, NULL);
        brig_nfnl_rule_end(tx);
    }
}

/* One IPv6 range, first and last address. */
struct range6 {
    uint8_t lo[16], hi[16];
};

static int range6_cmp(const void *a, const void *b)
{
    return memcmp(((const struct range6 *)a)->lo, ((const struct range6 *)b)->lo, 16);
}

/* a + 1; false when a was the last address. */
static bool addr6_next(const uint8_t a[16], uint8_t out[16])
{
    memcpy(out, a, 16);
    for (int i = 15; i >= 0; i--) {
        if (++out[i] != 0)
            return true;
    }
    return false;
}

/* "ip6 saddr != { fe80::/10, ADDRS } drop": an interval set, its ranges sorted
 * and merged where they touch, each as a start element and an end one (the
 * address after it), after an end at :: for the gap below the first; as nft
 * makes it, the prefix alone when there is no address. */
static void render_ip6_saddr(struct brig_nfnl_tx *tx, const struct brig_jail_filter *jf)
{
    static const uint8_t zero[16] = {0};
    static const uint8_t ll[16] = {0xfe, 0x80}, ll_mask[16] = {0xff, 0xc0};
    _cleanup_free_ uint8_t *keys = NULL;
    size_t n = addr_keys(jf, AF_INET6, NULL, &keys);
    if (n == 0) {
        brig_nfnl_rule_begin(tx, T, jf->chain);
        match_protocol(tx, eth_ip6);
        brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
        brig_nfnl_mask(tx, ll_mask, 16, false);
        keys_then(tx, 0, ll, 16, true, NF_DROP);
        return;
    }
    _cleanup_free_ struct range6 *r = brig_xcalloc(n + 1, sizeof(*r));
    memcpy(r[0].lo, ll, 16);
    memset(r[0].hi, 0xff, 16);
    r[0].hi[0] = 0xfe;
    r[0].hi[1] = 0xbf;
    for (size_t i = 0; i < n; i++) {
        memcpy(r[i + 1].lo, keys + 16 * i, 16);
        memcpy(r[i + 1].hi, keys + 16 * i, 16);
    }
    qsort(r, n + 1, sizeof(*r), range6_cmp);
    size_t m = 0;
    for (size_t i = 1; i <= n; i++) {
        uint8_t after[16];
        if (!addr6_next(r[m].hi, after) || memcmp(r[i].lo, after, 16) <= 0) {
            if (memcmp(r[i].hi, r[m].hi, 16) > 0)
                memcpy(r[m].hi, r[i].hi, 16);
        } else {
            r[++m] = r[i];
        }
    }
    m++;
    struct brig_nfnl_set s = {.name = "__set%d",
                              .flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL,
                              .key_type = TYPE_IP6ADDR,
                              .key_len = 16,
                              /* nft's count: two per range, one for the gap below */
                              .size = (uint32_t)(2 * m + (memcmp(r[0].lo, zero, 16) != 0)),
                              .udata = ud_ip6_saddr,
                              .udata_len = sizeof(ud_ip6_saddr) - 1};
    uint32_t id = brig_nfnl_set(tx, T, &s);
    brig_nfnl_elems_begin(tx, T, s.name, id);
    if (memcmp(r[0].lo, zero, 16) != 0)
        brig_nfnl_elem(tx, zero, 16, NFT_SET_ELEM_INTERVAL_END, NULL, NULL, 0);
    for (size_t i = 0; i < m; i++) {
        uint8_t after[16];
        if (addr6_next(r[i].hi, after)) {
            brig_nfnl_elem(tx, r[i].lo, 16, 0, NULL, NULL, 0);
            brig_nfnl_elem(tx, after, 16, NFT_SET_ELEM_INTERVAL_END, NULL, NULL, 0);
        } else {
            brig_nfnl_elem(tx, r[i].lo, 16, 0, NULL, ud_open_end, sizeof(ud_open_end) - 1);
        }
    }
    brig_nfnl_elems_end(tx);
    brig_nfnl_rule_begin(tx, T, jf->chain);
    match_protocol(tx, eth_ip6);
    brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
    keys_then(tx, id, NULL, 0, true, NF_DROP);
}

/* "ether type ip6 ... icmpv6 type": the first byte of an ICMPv6 header. */
static void match_icmpv6_type(struct brig_nfnl_tx *tx)
{
    match_ether_type(tx, eth_ip6);
    match_l4proto(tx, &ip_proto_icmpv6);
    brig_nfnl_payload(tx, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
}

/* IPv6 sources among the jail's addresses and link-local ones, but for the
 * unspecified source of duplicate address detection, router solicitation and
 * MLD; no router advertisements or redirects (a jail is no router), and
 * neighbour advertisements only for its own addresses. */
static void render_ipv6(struct brig_nfnl_tx *tx, const struct brig_jail_filter *jf)
{
    static const uint8_t not_router[] = {ND_RA, ND_REDIRECT};
    static const uint8_t na = ND_NA, ll_mask[2] = {0xff, 0xc0}, ll[2] = {0xfe, 0x80};
    static const uint8_t unspec_ok[] = {ND_NS, ND_RS, MLD2_REPORT}, unspec[16] = {0};
    const char *c = jf->chain;
    /* icmpv6 type { nd-router-advert, nd-redirect } drop */
    uint32_t id = keys_set(tx, TYPE_ICMP6_TYPE, not_router, 1, sizeof(not_router), ud_icmpv6_type,
                           sizeof(ud_icmpv6_type) - 1);
    brig_nfnl_rule_begin(tx, T, c);
    match_icmpv6_type(tx);
    keys_then(tx, id, not_router, 1, false, NF_DROP);
    /* icmpv6 type nd-neighbor-advert @th,64,16 & 0xffc0 != 0xfe80
     * [@th,64,128 != { ADDRS }] drop: the target, the 16 bytes after the
     * first 8 of the ICMPv6 header */
    _cleanup_free_ uint8_t *keys = NULL;
    size_t n = addr_keys(jf, AF_INET6, NULL, &keys);
    if (n)
        id = keys_set(tx, TYPE_INTEGER, keys, 16, n, ud_th_128, sizeof(ud_th_128) - 1);
    brig_nfnl_rule_begin(tx, T, c);
    match_icmpv6_type(tx);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, &na, 1);
    brig_nfnl_payload(tx, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 2);
    brig_nfnl_mask(tx, ll_mask, 2, true);
    brig_nfnl_cmp(tx, NFT_CMP_NEQ, ll, 2);
    if (n) {
        brig_nfnl_payload(tx, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 16);
        keys_then(tx, id, keys, 16, true, NF_DROP);
    } else {
        brig_nfnl_verdict(tx, NF_DROP, NULL);
        brig_nfnl_rule_end(tx);
    }
    /* ip6 saddr :: icmpv6 type { nd-neighbor-solicit, nd-router-solicit,
     * mld2-listener-report } accept */
    id = keys_set(tx, TYPE_ICMP6_TYPE, unspec_ok, 1, sizeof(unspec_ok), ud_icmpv6_type,
                  sizeof(ud_icmpv6_type) - 1);
    brig_nfnl_rule_begin(tx, T, c);
    match_protocol(tx, eth_ip6);
    brig_nfnl_payload(tx, NFT_PAYLOAD_NETWORK_HEADER, 8, 16);
    brig_nfnl_cmp(tx, NFT_CMP_EQ, unspec, 16);
    match_l4proto(tx, &ip_proto_icmpv6);
    brig_nfnl_payload(tx, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1);
    keys_then(tx, id, unspec_ok, 1, false, NF_ACCEPT);
    render_ip6_saddr(tx, jf);
}

void brig_port_filter_jail_chain(int64_t jail_id, char out[BRIG_PORT_FILTER_NAMELEN])
{
    snprintf(out, BRIG_PORT_FILTER_NAMELEN, "%sj%lld", brig_ifprefix(), (long long)jail_id);
}

void brig_port_filter_render_add(struct brig_nfnl_tx *tx, const struct brig_jail_filter *jf)
{
    static const uint8_t allowed[] = {0x08, 0x06, 0x08, 0x00, 0x86, 0xdd};
    const char *j = jf->chain;
    uint32_t ports = render_table(tx);
    if (jf->addr_chain) {
        brig_nfnl_chain(tx, T, j, -1, 0);
        brig_nfnl_flush(tx, T, j);
        /* ether type != { arp, ip, ip6 } drop: other protocols (VLAN tags
         * among them) would carry what the rules below drop */
        uint32_t id =
            keys_set(tx, TYPE_ETHERTYPE, allowed, 2, 3, ud_ether_type, sizeof(ud_ether_type) - 1);
        brig_nfnl_rule_begin(tx, T, j);
        brig_nfnl_payload(tx, NFT_PAYLOAD_LL_HEADER, 12, 2);
        keys_then(tx, id, allowed, 2, true, NF_DROP);
        render_ipv4(tx, jf);
        render_ipv6(tx, jf);
    }
    for (size_t i = 0; i < jf->nports; i++) {
        const struct brig_port_filter *f = &jf->ports[i];
        brig_nfnl_chain(tx, T, f->port, -1, 0);
        brig_nfnl_flush(tx, T, f->port);
        render_mac(tx, f);
        if (f->by_addr) {
            brig_nfnl_rule_begin(tx, T, f->port);
            brig_nfnl_verdict(tx, NFT_JUMP, j);
            brig_nfnl_rule_end(tx);
        }
        /* an ifname key: the name, zero-padded */
        char name[IFNAMSIZ] = {0};
        strncpy(name, f->port, sizeof(name) - 1);
        brig_nfnl_elems_begin(tx, T, "ports", ports);
        brig_nfnl_elem(tx, name, sizeof(name), 0, f->port, NULL, 0);
        brig_nfnl_elems_end(tx);
    }
}

/* Only brig's names become chains: host ends "bj<id>n<idx>", VM taps
 * "bt<id>n<idx>", a jail's or VM's addresses "bj<id>" (jails and VMs share one
 * id space; "b" is the workdir's ifprefix). */
static bool jail_chain_name(const char *name)
{
    size_t n = strlen(brig_ifprefix());
    const char *id = name + n + 1;
    return brig_startswith(name, brig_ifprefix()) && name[n] == 'j' && *id &&
           strspn(id, "0123456789") == strlen(id) && strlen(name) < BRIG_PORT_FILTER_NAMELEN;
}

static int check_name(const char *name, bool port, struct brig_err *err)
{
    bool ok = name && (port ? brig_veth_host_name_parse(name, NULL, NULL) ||
                                  brig_tap_name_parse(name, NULL, NULL)
                            : jail_chain_name(name));
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
    /* Plain netlink, not libnftables: loading it and its cache of the whole
     * table would cost a start more than the transaction. */
    struct brig_nfnl_tx tx;
    brig_nfnl_tx_begin(&tx, 1);
    brig_port_filter_render_add(&tx, jf);
    brig_nfnl_tx_end(&tx);
    int r = brig_nfnl_commit(&tx.b, tx.nmsgs, err);
    brig_nfnl_tx_free(&tx);
    if (r < 0)
        return brig_err_wrap(err, "port filter of %s (nic_filter=0 goes without)", jf->chain);
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
