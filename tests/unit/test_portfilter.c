/* The nft text of bridge port filters: what each kind of NIC is held to, and
 * the removal that works whether the filter is there or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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

#define TABLE                                                                                      \
    "add table bridge brig\n"                                                                      \
    "add chain bridge brig prerouting { type filter hook prerouting priority filter; policy "      \
    "accept; }\n"                                                                                  \
    "add map bridge brig ports { type ifname : verdict; }\n"                                       \
    "flush chain bridge brig prerouting\n"                                                         \
    "add rule bridge brig prerouting iifname vmap @ports\n"

static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static void parse(const char *s, struct brig_addr *a)
{
    assert_int_equal(brig_addr_parse(s, a, NULL), 0);
}

static char *render(const struct brig_jail_filter *jf)
{
    struct brig_buf b = {0};
    brig_port_filter_render_add(&b, jf);
    return brig_buf_steal(&b);
}

static void test_mac_only_nic_is_held_to_its_mac(void **state)
{
    struct brig_port_filter f = {.port = "bj7n0"};
    memcpy(f.mac, mac, 6);
    struct brig_jail_filter jf = {.chain = "bj7", .ports = &f, .nports = 1};
    _cleanup_free_ char *s = render(&jf);
    assert_string_equal(s,
                        TABLE "add chain bridge brig bj7n0\n"
                              "flush chain bridge brig bj7n0\n"
                              "add rule bridge brig bj7n0 ether saddr != 02:11:22:33:44:55 drop\n"
                              "add rule bridge brig bj7n0 arp saddr ether != 02:11:22:33:44:55 "
                              "drop\n"
                              "add element bridge brig ports { \"bj7n0\" : jump bj7n0 }\n");
}

static void test_known_addresses_are_the_only_sources(void **state)
{
    struct brig_addr a[3];
    parse("10.0.0.5/16", &a[0]);
    parse("fd00::5/64", &a[1]);
    parse("10.0.9.9/24", &a[2]);
    struct brig_port_filter f[2] = {{.port = "bj12n3", .by_addr = true}, {.port = "bj12n4"}};
    memcpy(f[0].mac, mac, 6);
    struct brig_jail_filter jf = {
        .chain = "bj12", .addr_chain = true, .addrs = a, .naddrs = 3, .ports = f, .nports = 2};
    _cleanup_free_ char *s = render(&jf);
    const char *want[] = {
        "add chain bridge brig bj12\nflush chain bridge brig bj12\n",
        "add rule bridge brig bj12 ether type != { arp, ip, ip6 } drop\n",
        "add rule bridge brig bj12 arp saddr ip != { 0.0.0.0, 10.0.0.5, 10.0.9.9 } drop\n",
        "add rule bridge brig bj12 ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp "
        "dport 67 accept\n",
        "add rule bridge brig bj12 ip saddr != { 10.0.0.5, 10.0.9.9 } drop\n",
        "add rule bridge brig bj12 icmpv6 type { nd-router-advert, nd-redirect } drop\n",
        "add rule bridge brig bj12 icmpv6 type nd-neighbor-advert @th,64,16 & 0xffc0 != 0xfe80 "
        "@th,64,128 != { 0xfd000000000000000000000000000005 } drop\n",
        "add rule bridge brig bj12 ip6 saddr :: icmpv6 type { nd-neighbor-solicit, "
        "nd-router-solicit, mld2-listener-report } accept\n",
        "add rule bridge brig bj12 ip6 saddr != { fe80::/10, fd00::5 } drop\n",
        "add rule bridge brig bj12n3 ether saddr != 02:11:22:33:44:55 drop\n",
        "add rule bridge brig bj12n3 arp saddr ether != 02:11:22:33:44:55 drop\n",
        "add rule bridge brig bj12n3 jump bj12\n",
        "add element bridge brig ports { \"bj12n3\" : jump bj12n3 }\n",
        "add chain bridge brig bj12n4\n",
        "add element bridge brig ports { \"bj12n4\" : jump bj12n4 }\n",
    };
    /* in this order: the DHCP and :: exceptions come before the drops they except,
     * and the MAC rules before the jump to the addresses */
    const char *at = s;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(want); i++) {
        const char *hit = strstr(at, want[i]);
        if (!hit)
            fail_msg("missing or out of order: %s\nin:\n%s", want[i], s);
        at = hit + strlen(want[i]);
    }
    /* a NIC without known addresses is held to its MAC only */
    assert_null(strstr(s, "bj12n4 jump"));
}

static void test_no_address_of_a_family_drops_that_family(void **state)
{
    struct brig_addr a;
    parse("fd00::7/64", &a);
    struct brig_jail_filter jf = {.chain = "bj1", .addr_chain = true, .addrs = &a, .naddrs = 1};
    _cleanup_free_ char *s = render(&jf);
    assert_non_null(strstr(s, "add rule bridge brig bj1 arp saddr ip != { 0.0.0.0 } drop\n"));
    assert_non_null(strstr(s, "add rule bridge brig bj1 ether type ip drop\n"));
    assert_null(strstr(s, "ip saddr !="));

    parse("10.1.2.3/24", &a);
    _cleanup_free_ char *s4 = render(&jf);
    assert_non_null(strstr(s4, "add rule bridge brig bj1 ip6 saddr != { fe80::/10 } drop\n"));
    assert_non_null(strstr(s4, "@th,64,16 & 0xffc0 != 0xfe80 drop\n"));
}

static void test_one_transaction_sets_up_the_table_once_for_all_nics(void **state)
{
    struct brig_port_filter f[2] = {{.port = "bj3n0"}, {.port = "bj3n1"}};
    struct brig_jail_filter jf = {.chain = "bj3", .ports = f, .nports = 2};
    _cleanup_free_ char *s = render(&jf);
    assert_int_equal(strncmp(s, TABLE, strlen(TABLE)), 0);
    assert_null(strstr(s + 1, "add table"));
    assert_null(strstr(s, "chain bridge brig bj3\n"));
    assert_non_null(strstr(s, "ports { \"bj3n0\" : jump bj3n0 }"));
    assert_non_null(strstr(s, "ports { \"bj3n1\" : jump bj3n1 }"));
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
        cmocka_unit_test(test_no_address_of_a_family_drops_that_family),
        cmocka_unit_test(test_one_transaction_sets_up_the_table_once_for_all_nics),
        cmocka_unit_test(test_removal_deletes_ports_before_the_chain_they_jump_to),
        cmocka_unit_test(test_chains_are_read_from_brigs_table_only),
        cmocka_unit_test(test_only_brig_names_become_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
