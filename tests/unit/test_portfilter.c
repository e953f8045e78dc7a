/* The netlink transactions of bridge port filters: what each kind of NIC is
 * held to, the same rules nft would make of their text, and the removal that
 * works whether the filter is there or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/util.h"
#include "os/linux/nfnl.h"
#include "os/linux/portfilter.h"

static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static void parse(const char *s, struct brig_addr *a)
{
    assert_int_equal(brig_addr_parse(s, a, NULL), 0);
}

/* Walk the attributes in [p, p + len). */
#define FOR_ATTR(a, p, len)                                                                        \
    for (const struct nlattr *a = (const struct nlattr *)(p);                                      \
         (const char *)a + NLA_HDRLEN <= (const char *)(p) + (len) && a->nla_len >= NLA_HDRLEN;    \
         a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))
#define ATTR_TYPE(a) ((a)->nla_type & NLA_TYPE_MASK)
#define ATTR_DATA(a) ((const char *)(a) + NLA_HDRLEN)
#define ATTR_LEN(a)  ((size_t)((a)->nla_len - NLA_HDRLEN))

static uint32_t attr_u32(const struct nlattr *a)
{
    uint32_t v;
    assert_int_equal(ATTR_LEN(a), 4);
    memcpy(&v, ATTR_DATA(a), 4);
    return ntohl(v);
}

/* The attribute type in [p, p + len), or NULL. */
static const struct nlattr *attr_opt(const void *p, size_t len, uint16_t type)
{
    FOR_ATTR(a, p, len)
    {
        if (ATTR_TYPE(a) == type)
            return a;
    }
    return NULL;
}

/* The same, which must be there. */
static const struct nlattr *attr_get(const void *p, size_t len, uint16_t type)
{
    const struct nlattr *a = attr_opt(p, len, type);
    if (!a) {
        fail_msg("no attribute %u", type);
        abort();
    }
    return a;
}

static void add_hex(struct brig_buf *out, const struct nlattr *a)
{
    brig_buf_add(out, "0x");
    for (size_t i = 0; i < ATTR_LEN(a); i++)
        brig_buf_addf(out, "%02x", (uint8_t)ATTR_DATA(a)[i]);
}

/* The value of data attribute a (a nested NFTA_DATA_VALUE or a verdict). */
static void add_data(struct brig_buf *out, const struct nlattr *a)
{
    const struct nlattr *v = attr_opt(ATTR_DATA(a), ATTR_LEN(a), NFTA_DATA_VALUE);
    if (v) {
        add_hex(out, v);
        return;
    }
    v = attr_get(ATTR_DATA(a), ATTR_LEN(a), NFTA_DATA_VERDICT);
    int32_t code = (int32_t)attr_u32(attr_get(ATTR_DATA(v), ATTR_LEN(v), NFTA_VERDICT_CODE));
    const struct nlattr *c = attr_opt(ATTR_DATA(v), ATTR_LEN(v), NFTA_VERDICT_CHAIN);
    brig_buf_add(out, code == NF_DROP ? "drop" : code == NF_ACCEPT ? "accept" : "jump");
    if (c)
        brig_buf_addf(out, " %s", ATTR_DATA(c));
}

/* One expression, in a few words: "payload <base>+<offset>/<len>", "meta
 * <key>", "== <hex>" (cmp), "& <mask>", "in @<set id>" or "vmap @<set>"
 * (lookup, "!in" inverted), the verdict. */
static void add_expr(struct brig_buf *out, const struct nlattr *e)
{
    const char *name = ATTR_DATA(attr_get(ATTR_DATA(e), ATTR_LEN(e), NFTA_EXPR_NAME));
    const struct nlattr *d = attr_get(ATTR_DATA(e), ATTR_LEN(e), NFTA_EXPR_DATA);
    const char *p = ATTR_DATA(d);
    size_t n = ATTR_LEN(d);
    if (strcmp(name, "payload") == 0) {
        brig_buf_addf(out, "payload %u+%u/%u", attr_u32(attr_get(p, n, NFTA_PAYLOAD_BASE)),
                      attr_u32(attr_get(p, n, NFTA_PAYLOAD_OFFSET)),
                      attr_u32(attr_get(p, n, NFTA_PAYLOAD_LEN)));
    } else if (strcmp(name, "meta") == 0) {
        brig_buf_addf(out, "meta %u", attr_u32(attr_get(p, n, NFTA_META_KEY)));
    } else if (strcmp(name, "cmp") == 0) {
        brig_buf_add(out, attr_u32(attr_get(p, n, NFTA_CMP_OP)) == NFT_CMP_EQ ? "== " : "!= ");
        add_data(out, attr_get(p, n, NFTA_CMP_DATA));
    } else if (strcmp(name, "bitwise") == 0) {
        brig_buf_add(out, "& ");
        add_data(out, attr_get(p, n, NFTA_BITWISE_MASK));
    } else if (strcmp(name, "lookup") == 0) {
        const struct nlattr *f = attr_opt(p, n, NFTA_LOOKUP_FLAGS);
        if (attr_opt(p, n, NFTA_LOOKUP_DREG))
            brig_buf_addf(out, "vmap @%s", ATTR_DATA(attr_get(p, n, NFTA_LOOKUP_SET)));
        else
            brig_buf_addf(out, "%s @%u", f && attr_u32(f) == NFT_LOOKUP_F_INV ? "!in" : "in",
                          attr_u32(attr_get(p, n, NFTA_LOOKUP_SET_ID)));
    } else if (strcmp(name, "immediate") == 0) {
        add_data(out, attr_get(p, n, NFTA_IMMEDIATE_DATA));
    } else {
        fail_msg("expression %s", name);
    }
}

/* A transaction, one line a message: "table brig", "chain <name>[ hook]",
 * "flush <chain>", "set @<id> <flags> <key type>/<key len> size <n>",
 * "elems @<id>|<name>: <key>[ end][ : <verdict>], ...", "<chain>: <expr>; ...". */
static char *tx_text(const struct brig_nfnl_tx *tx)
{
    struct brig_buf out = {0};
    size_t off = 0;
    while (off + NLMSG_HDRLEN <= tx->b.len) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)(tx->b.s + off);
        assert_true(h->nlmsg_len >= NLMSG_HDRLEN && off + h->nlmsg_len <= tx->b.len);
        const char *p = (const char *)h + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
        size_t n = h->nlmsg_len - (size_t)(p - (const char *)h);
        off += NLMSG_ALIGN(h->nlmsg_len);
        if (h->nlmsg_type == NFNL_MSG_BATCH_BEGIN || h->nlmsg_type == NFNL_MSG_BATCH_END)
            continue;
        assert_int_equal(h->nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK), NLM_F_REQUEST | NLM_F_ACK);
        switch (h->nlmsg_type & 0xff) {
        case NFT_MSG_NEWTABLE:
            brig_buf_addf(&out, "table %s", ATTR_DATA(attr_get(p, n, NFTA_TABLE_NAME)));
            break;
        case NFT_MSG_NEWCHAIN:
            brig_buf_addf(&out, "chain %s%s", ATTR_DATA(attr_get(p, n, NFTA_CHAIN_NAME)),
                          attr_opt(p, n, NFTA_CHAIN_HOOK) ? " hook" : "");
            break;
        case NFT_MSG_DELRULE:
            brig_buf_addf(&out, "flush %s", ATTR_DATA(attr_get(p, n, NFTA_RULE_CHAIN)));
            break;
        case NFT_MSG_NEWSET: {
            const struct nlattr *d = attr_opt(p, n, NFTA_SET_DESC);
            brig_buf_addf(&out, "set @%u %u %u/%u", attr_u32(attr_get(p, n, NFTA_SET_ID)),
                          attr_u32(attr_get(p, n, NFTA_SET_FLAGS)),
                          attr_u32(attr_get(p, n, NFTA_SET_KEY_TYPE)),
                          attr_u32(attr_get(p, n, NFTA_SET_KEY_LEN)));
            if (d)
                brig_buf_addf(&out, " size %u",
                              attr_u32(attr_get(ATTR_DATA(d), ATTR_LEN(d), NFTA_SET_DESC_SIZE)));
            break;
        }
        case NFT_MSG_NEWSETELEM: {
            const struct nlattr *id = attr_get(p, n, NFTA_SET_ELEM_LIST_SET_ID);
            const struct nlattr *l = attr_get(p, n, NFTA_SET_ELEM_LIST_ELEMENTS);
            if (strcmp(ATTR_DATA(attr_get(p, n, NFTA_SET_ELEM_LIST_SET)), "ports") == 0)
                brig_buf_add(&out, "elems ports:");
            else
                brig_buf_addf(&out, "elems @%u:", attr_u32(id));
            const char *sep = " ";
            FOR_ATTR(e, ATTR_DATA(l), ATTR_LEN(l))
            {
                const struct nlattr *k = attr_get(ATTR_DATA(e), ATTR_LEN(e), NFTA_SET_ELEM_KEY);
                const struct nlattr *f = attr_opt(ATTR_DATA(e), ATTR_LEN(e), NFTA_SET_ELEM_FLAGS);
                const struct nlattr *d = attr_opt(ATTR_DATA(e), ATTR_LEN(e), NFTA_SET_ELEM_DATA);
                brig_buf_add(&out, sep);
                add_data(&out, k);
                if (f && attr_u32(f) & NFT_SET_ELEM_INTERVAL_END)
                    brig_buf_add(&out, " end");
                if (d) {
                    brig_buf_add(&out, " : ");
                    add_data(&out, d);
                }
                sep = ", ";
            }
            break;
        }
        case NFT_MSG_NEWRULE: {
            assert_true(h->nlmsg_flags & NLM_F_APPEND);
            const struct nlattr *l = attr_get(p, n, NFTA_RULE_EXPRESSIONS);
            brig_buf_addf(&out, "%s:", ATTR_DATA(attr_get(p, n, NFTA_RULE_CHAIN)));
            const char *sep = " ";
            FOR_ATTR(e, ATTR_DATA(l), ATTR_LEN(l))
            {
                brig_buf_add(&out, sep);
                add_expr(&out, e);
                sep = "; ";
            }
            break;
        }
        default:
            fail_msg("message type %#x", h->nlmsg_type);
        }
        brig_buf_addc(&out, '\n');
    }
    assert_int_equal(off, tx->b.len);
    return brig_buf_steal(&out);
}

static char *render(const struct brig_jail_filter *jf)
{
    struct brig_nfnl_tx tx;
    brig_nfnl_tx_begin(&tx, 1);
    brig_port_filter_render_add(&tx, jf);
    brig_nfnl_tx_end(&tx);
    char *s = tx_text(&tx);
    brig_nfnl_tx_free(&tx);
    return s;
}

/* brig's table: the map of ports (set @1) and the base chain through it */
#define TABLE                                                                                      \
    "table brig\n"                                                                                 \
    "chain prerouting hook\n"                                                                      \
    "set @1 8 41/16\n"                                                                             \
    "flush prerouting\n"                                                                           \
    "prerouting: meta 6; vmap @ports\n"

/* ether saddr != MAC drop; arp saddr ether != MAC drop */
#define MAC_RULES(c)                                                                               \
    c ": payload 0+6/6; != 0x021122334455; drop\n" c                                               \
      ": payload 0+12/2; == 0x0806; payload 1+8/6; != 0x021122334455; drop\n"

static void test_mac_only_nic_is_held_to_its_mac(void **state)
{
    struct brig_port_filter f = {.port = "bj7n0"};
    memcpy(f.mac, mac, 6);
    struct brig_jail_filter jf = {.chain = "bj7", .ports = &f, .nports = 1};
    _cleanup_free_ char *s = render(&jf);
    assert_string_equal(s, TABLE "chain bj7n0\n"
                                 "flush bj7n0\n" MAC_RULES(
                                     "bj7n0") "elems ports: "
                                              "0x626a376e300000000000000000000000 : jump bj7n0\n");
}

/* s has each of want[0..n) in this order. */
static void assert_in_order(const char *s, const char *const *want, size_t n)
{
    const char *at = s;
    for (size_t i = 0; i < n; i++) {
        const char *hit = strstr(at, want[i]);
        if (!hit)
            fail_msg("missing or out of order: %s\nin:\n%s", want[i], s);
        at = hit + strlen(want[i]);
    }
}

static void test_known_addresses_are_the_only_sources(void **state)
{
    struct brig_addr a[4];
    parse("10.0.0.5/16", &a[0]);
    parse("fd00::5/64", &a[1]);
    parse("10.0.9.9/24", &a[2]);
    parse("fd00::6/64", &a[3]);
    struct brig_port_filter f[2] = {{.port = "bj12n3", .by_addr = true}, {.port = "bj12n4"}};
    memcpy(f[0].mac, mac, 6);
    memcpy(f[1].mac, mac, 6);
    struct brig_jail_filter jf = {
        .chain = "bj12", .addr_chain = true, .addrs = a, .naddrs = 4, .ports = f, .nports = 2};
    _cleanup_free_ char *s = render(&jf);
    const char *want[] = {
        "chain bj12\nflush bj12\n",
        /* ether type != { arp, ip, ip6 } drop */
        "set @2 3 10/2 size 3\nelems @2: 0x0806, 0x0800, 0x86dd\n"
        "bj12: payload 0+12/2; !in @2; drop\n",
        /* arp saddr ip != { 0.0.0.0, 10.0.0.5, 10.0.9.9 } drop */
        "set @3 3 7/4 size 3\nelems @3: 0x00000000, 0x0a000005, 0x0a000909\n"
        "bj12: payload 0+12/2; == 0x0806; payload 1+14/4; !in @3; drop\n",
        /* ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept */
        "bj12: meta 1; == 0x0800; payload 1+12/4; == 0x00000000; payload 1+16/4; == "
        "0xffffffff; meta 16; == 0x11; payload 2+0/4; == 0x00440043; accept\n",
        /* ip saddr != { 10.0.0.5, 10.0.9.9 } drop */
        "set @4 3 7/4 size 2\nelems @4: 0x0a000005, 0x0a000909\n"
        "bj12: meta 1; == 0x0800; payload 1+12/4; !in @4; drop\n",
        /* icmpv6 type { nd-router-advert, nd-redirect } drop */
        "set @5 3 29/1 size 2\nelems @5: 0x86, 0x89\n"
        "bj12: payload 0+12/2; == 0x86dd; meta 16; == 0x3a; payload 2+0/1; in @5; drop\n",
        /* icmpv6 type nd-neighbor-advert @th,64,16 & 0xffc0 != 0xfe80
         * @th,64,128 != { fd00::5, fd00::6 } drop */
        "set @6 3 4/16 size 2\nelems @6: 0xfd000000000000000000000000000005, "
        "0xfd000000000000000000000000000006\n"
        "bj12: payload 0+12/2; == 0x86dd; meta 16; == 0x3a; payload 2+0/1; == 0x88; payload "
        "2+8/2; & 0xffc0; != 0xfe80; payload 2+8/16; !in @6; drop\n",
        /* ip6 saddr :: icmpv6 type { nd-neighbor-solicit, nd-router-solicit,
         * mld2-listener-report } accept */
        "set @7 3 29/1 size 3\nelems @7: 0x87, 0x85, 0x8f\n"
        "bj12: meta 1; == 0x86dd; payload 1+8/16; == 0x00000000000000000000000000000000; meta "
        "16; == 0x3a; payload 2+0/1; in @7; accept\n",
        /* ip6 saddr != { fe80::/10, fd00::5-fd00::6 } drop: intervals */
        "set @8 7 8/16 size 5\nelems @8: 0x00000000000000000000000000000000 end, "
        "0xfd000000000000000000000000000005, 0xfd000000000000000000000000000007 end, "
        "0xfe800000000000000000000000000000, 0xfec00000000000000000000000000000 end\n"
        "bj12: meta 1; == 0x86dd; payload 1+8/16; !in @8; drop\n",
        /* the MAC rules before the jump to the addresses */
        "chain bj12n3\nflush bj12n3\n" MAC_RULES(
            "bj12n3") "bj12n3: jump bj12\n"
                      "elems ports: 0x626a31326e3300000000000000000000 : jump bj12n3\n",
        /* a NIC without known addresses is held to its MAC only */
        "chain bj12n4\nflush bj12n4\n" MAC_RULES(
            "bj12n4") "elems ports: "
                      "0x626a31326e3400000000000000000000 : jump bj12n4\n",
    };
    assert_in_order(s, want, BRIG_ARRAY_SIZE(want));
    assert_null(strstr(s, "bj12n4: jump"));
}

static void test_one_key_is_compared_and_no_address_of_a_family_drops_that_family(void **state)
{
    struct brig_addr a;
    parse("fd00::7/64", &a);
    struct brig_jail_filter jf = {.chain = "bj1", .addr_chain = true, .addrs = &a, .naddrs = 1};
    _cleanup_free_ char *s = render(&jf);
    const char *want6[] = {
        /* arp saddr ip != 0.0.0.0 drop */
        "bj1: payload 0+12/2; == 0x0806; payload 1+14/4; != 0x00000000; drop\n",
        /* ether type ip drop */
        "bj1: payload 0+12/2; == 0x0800; drop\n",
        /* @th,64,128 != fd00::7 */
        "payload 2+8/16; != 0xfd000000000000000000000000000007; drop\n",
    };
    assert_in_order(s, want6, BRIG_ARRAY_SIZE(want6));
    assert_null(strstr(s, "7/4"));

    parse("10.1.2.3/24", &a);
    _cleanup_free_ char *s4 = render(&jf);
    const char *want4[] = {
        /* ip saddr != 10.1.2.3 drop */
        "bj1: meta 1; == 0x0800; payload 1+12/4; != 0x0a010203; drop\n",
        /* no target of a neighbour advertisement but link-local ones */
        "& 0xffc0; != 0xfe80; drop\n",
        /* ip6 saddr != fe80::/10 drop */
        ("bj1: meta 1; == 0x86dd; payload 1+8/16; & 0xffc00000000000000000000000000000; != "
         "0xfe800000000000000000000000000000; drop\n"),
    };
    assert_in_order(s4, want4, BRIG_ARRAY_SIZE(want4));
    assert_null(strstr(s4, "8/16 size"));
}

static void test_ipv6_ranges_are_sorted_and_merged_where_they_touch(void **state)
{
    struct brig_addr a[5];
    parse("fd00::9", &a[0]);
    parse("fe80::1", &a[1]);
    parse("fd00::8", &a[2]);
    parse("fec0::", &a[3]);
    parse("fd00::9", &a[4]);
    struct brig_jail_filter jf = {.chain = "bj1", .addr_chain = true, .addrs = a, .naddrs = 5};
    _cleanup_free_ char *s = render(&jf);
    /* fd00::8-fd00::9 and fe80::-fec0:: (fe80::1 inside, fec0:: right after) */
    assert_non_null(strstr(s, "set @6 7 8/16 size 5\nelems @6: 0x00000000000000000000000000000000 "
                              "end, 0xfd000000000000000000000000000008, "
                              "0xfd00000000000000000000000000000a end, "
                              "0xfe800000000000000000000000000000, "
                              "0xfec00000000000000000000000000001 end\n"));
    /* the other sets keep every address, as nft does */
    assert_non_null(strstr(s, "set @4 3 4/16 size 5\n"));
}

static void test_one_transaction_sets_up_the_table_once_for_all_nics(void **state)
{
    struct brig_port_filter f[2] = {{.port = "bj3n0"}, {.port = "bj3n1"}};
    struct brig_jail_filter jf = {.chain = "bj3", .ports = f, .nports = 2};
    _cleanup_free_ char *s = render(&jf);
    assert_int_equal(strncmp(s, TABLE, strlen(TABLE)), 0);
    assert_null(strstr(s + 1, "table"));
    assert_null(strstr(s, "chain bj3\n"));
    assert_non_null(strstr(s, "elems ports: 0x626a336e300000000000000000000000 : jump bj3n0\n"));
    assert_non_null(strstr(s, "elems ports: 0x626a336e310000000000000000000000 : jump bj3n1\n"));
}

/* The message types of a netlink batch, and each message's first string
 * attribute of type attr (or ""), as "TYPE:name" words. */
static char *batch_words(const struct brig_buf *b)
{
    struct brig_buf out = {0};
    size_t off = 0;
    while (off + sizeof(struct nlmsghdr) <= b->len) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)(b->s + off);
        assert_true(h->nlmsg_len >= NLMSG_HDRLEN && off + h->nlmsg_len <= b->len);
        uint16_t t = h->nlmsg_type;
        const char *word = t == NFNL_MSG_BATCH_BEGIN                                 ? "begin"
                           : t == NFNL_MSG_BATCH_END                                 ? "end"
                           : t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELSETELEM) ? "delelem"
                           : t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELRULE)    ? "flush"
                           : t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELCHAIN)   ? "delchain"
                                                                                     : "?";
        brig_buf_addf(&out, "%s%s", out.len ? " " : "", word);
        /* the name after the table: chain (rule, chain) or the key (element) */
        size_t a = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
        int strings = 0;
        while (a + NLA_HDRLEN <= h->nlmsg_len) {
            const struct nlattr *at = (const struct nlattr *)((const char *)h + a);
            assert_true(at->nla_len >= NLA_HDRLEN);
            if (at->nla_type & NLA_F_NESTED) {
                /* element list > element > key > value: the ifname, 16 bytes */
                const char *v = (const char *)at + 4 * NLA_HDRLEN;
                assert_int_equal(at->nla_len, 4 * NLA_HDRLEN + 16);
                brig_buf_addf(&out, ":%s", v);
            } else if (++strings == 2 && strcmp(word, "delelem") != 0) {
                brig_buf_addf(&out, ":%s", (const char *)at + NLA_HDRLEN);
            } else if (strings == 2) {
                assert_string_equal((const char *)at + NLA_HDRLEN, "ports");
            } else {
                assert_string_equal((const char *)at + NLA_HDRLEN, "brig");
            }
            a += NLA_ALIGN(at->nla_len);
        }
        off += NLMSG_ALIGN(h->nlmsg_len);
    }
    assert_int_equal(off, b->len);
    return brig_buf_steal(&out);
}

static void test_removal_deletes_ports_before_the_chain_they_jump_to(void **state)
{
    const char *ports[] = {"bj4n0", "bj4n2", NULL};
    struct brig_buf b = {0};
    assert_int_equal(brig_nfnl_render_remove(&b, "brig", "ports", "bj4", ports, 1), 8);
    char *w = batch_words(&b);
    assert_string_equal(w, "begin delelem:bj4n0 flush:bj4n0 delchain:bj4n0 delelem:bj4n2 "
                           "flush:bj4n2 delchain:bj4n2 flush:bj4 delchain:bj4 end");
    free(w);
    brig_buf_free(&b);
    /* the address chain kept */
    assert_int_equal(brig_nfnl_render_remove(&b, "brig", "ports", NULL, ports + 1, 7), 3);
    w = batch_words(&b);
    assert_string_equal(w, "begin delelem:bj4n2 flush:bj4n2 delchain:bj4n2 end");
    free(w);
    brig_buf_free(&b);
}

/* Append a NEWCHAIN message of table and chain to b, as a dump answers. */
static void add_chain_msg(struct brig_buf *b, const char *table, const char *chain)
{
    size_t off = b->len;
    struct nlmsghdr h = {.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN,
                         .nlmsg_flags = NLM_F_MULTI};
    struct nfgenmsg g = {.nfgen_family = NFPROTO_BRIDGE};
    brig_buf_addn(b, (const char *)&h, sizeof(h));
    brig_buf_addn(b, (const char *)&g, sizeof(g));
    const char *v[] = {table, chain};
    const uint16_t types[] = {NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME};
    for (int i = 0; i < 2; i++) {
        struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + strlen(v[i]) + 1),
                           .nla_type = types[i]};
        brig_buf_addn(b, (const char *)&a, sizeof(a));
        brig_buf_addn(b, v[i], strlen(v[i]) + 1);
        while (b->len % 4)
            brig_buf_addc(b, '\0');
    }
    uint32_t len = (uint32_t)(b->len - off);
    memcpy(b->s + off, &len, sizeof(len));
}

static void test_chains_are_read_from_brigs_table_only(void **state)
{
    struct brig_buf b = {0};
    add_chain_msg(&b, "other", "bj9n0");
    add_chain_msg(&b, "brig", "prerouting");
    add_chain_msg(&b, "brig", "bj4n0");
    add_chain_msg(&b, "brig2", "bj5n0");
    add_chain_msg(&b, "brig", "bj4");
    char **v = brig_xcalloc(1, sizeof(char *));
    assert_int_equal(brig_nfnl_chains_parse(b.s, b.len, "brig", &v), 0);
    assert_int_equal(brig_strv_len(v), 3);
    assert_string_equal(v[0], "prerouting");
    assert_string_equal(v[1], "bj4n0");
    assert_string_equal(v[2], "bj4");
    /* the end of the dump */
    struct nlmsghdr done = {.nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_DONE};
    char msg[NLMSG_LENGTH(4)] = {0};
    memcpy(msg, &done, sizeof(done));
    assert_int_equal(brig_nfnl_chains_parse(msg, sizeof(msg), "brig", &v), 1);
    /* an error answer, and a message longer than what was received */
    struct {
        struct nlmsghdr h;
        struct nlmsgerr e;
    } err = {{.nlmsg_len = sizeof(err), .nlmsg_type = NLMSG_ERROR}, {.error = -EPERM}};
    assert_int_equal(brig_nfnl_chains_parse(&err, sizeof(err), "brig", &v), -EPERM);
    assert_int_equal(brig_nfnl_chains_parse(b.s, 20, "brig", &v), -EBADMSG);
    assert_int_equal(brig_strv_len(v), 3);
    brig_strv_free(v);
    brig_buf_free(&b);
}

static void test_only_brig_names_become_chains(void **state)
{
    const char *bad[] = {"eth0", "bj1n0; delete table ip nat", "bj", "bjxn0", ""};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(bad); i++) {
        struct brig_err err = BRIG_ERR_INIT;
        struct brig_port_filter f = {.port = bad[i]};
        struct brig_jail_filter jf = {.chain = "bj1", .ports = &f, .nports = 1};
        assert_int_equal(brig_port_filter_add(&jf, &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
        const char *ports[] = {bad[i], NULL};
        assert_int_equal(brig_port_filter_remove(NULL, ports, &err), -1);
    }
    const char *bad_chains[] = {"bj1n0", "bj", "bj1;", "x1", "bj1234567890123456789012"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(bad_chains); i++) {
        struct brig_err err = BRIG_ERR_INIT;
        struct brig_jail_filter jf = {.chain = bad_chains[i], .addr_chain = true};
        assert_int_equal(brig_port_filter_add(&jf, &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_int_equal(brig_port_filter_remove(bad_chains[i], NULL, &err), -1);
    }
    char name[BRIG_PORT_FILTER_NAMELEN];
    brig_port_filter_jail_chain(INT64_MAX, name);
    assert_string_equal(name, "bj9223372036854775807");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mac_only_nic_is_held_to_its_mac),
        cmocka_unit_test(test_known_addresses_are_the_only_sources),
        cmocka_unit_test(test_one_key_is_compared_and_no_address_of_a_family_drops_that_family),
        cmocka_unit_test(test_ipv6_ranges_are_sorted_and_merged_where_they_touch),
        cmocka_unit_test(test_one_transaction_sets_up_the_table_once_for_all_nics),
        cmocka_unit_test(test_removal_deletes_ports_before_the_chain_they_jump_to),
        cmocka_unit_test(test_chains_are_read_from_brigs_table_only),
        cmocka_unit_test(test_only_brig_names_become_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
