#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "core/addr.h"

static struct brig_addr parse_ok(const char *s)
{
    struct brig_addr a;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_addr_parse(s, &a, &err), 0);
    return a;
}

static const char *fmt(const struct brig_addr *a, char buf[BRIG_ADDR_STRLEN])
{
    return brig_addr_format(a, true, buf);
}

static void test_parse_defaults_prefix_24_for_ipv4_and_64_for_ipv6(void **state)
{
    char buf[BRIG_ADDR_STRLEN];
    struct brig_addr a = parse_ok("10.0.0.5");
    assert_int_equal(a.family, AF_INET);
    assert_int_equal(a.prefix, 24);
    assert_string_equal(fmt(&a, buf), "10.0.0.5/24");
    a = parse_ok("fd00::5");
    assert_int_equal(a.family, AF_INET6);
    assert_int_equal(a.prefix, 64);
    assert_string_equal(fmt(&a, buf), "fd00::5/64");
    a = parse_ok("10.1.2.3/16");
    assert_int_equal(a.prefix, 16);
    assert_string_equal(brig_addr_format(&a, false, buf), "10.1.2.3");
}

static void test_parse_host_defaults_to_full_length(void **state)
{
    struct brig_addr a;
    assert_int_equal(brig_addr_parse_host("10.0.0.5", &a, NULL), 0);
    assert_int_equal(a.prefix, 32);
    assert_int_equal(brig_addr_parse_host("fd00::1", &a, NULL), 0);
    assert_int_equal(a.prefix, 128);
}

static void test_parse_rejects_bad_input_as_usage_error(void **state)
{
    const char *bad[] = {"",          "10.0.0",     "10.0.0.256",  "10.0.0.1/33", "fd00::1/129",
                         "10.0.0.1/", "10.0.0.1/x", "10.0.0.1/-1", "fd00:::1",    "10.0.0.1/24/1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct brig_addr a;
        struct brig_err err = BRIG_ERR_INIT;
        assert_int_equal(brig_addr_parse(bad[i], &a, &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_true(strlen(err.msg) > 0);
    }
}

static void test_network_and_broadcast_of_a_cidr(void **state)
{
    char buf[BRIG_ADDR_STRLEN];
    struct brig_addr a = parse_ok("10.1.2.3/16"), r;
    brig_addr_network(&a, &r);
    assert_string_equal(fmt(&r, buf), "10.1.0.0/16");
    brig_addr_broadcast(&a, &r);
    assert_string_equal(fmt(&r, buf), "10.1.255.255/16");
    a = parse_ok("192.168.7.130/25");
    brig_addr_network(&a, &r);
    assert_string_equal(fmt(&r, buf), "192.168.7.128/25");
    a = parse_ok("fd00:1:2:3::9/64");
    brig_addr_network(&a, &r);
    assert_string_equal(fmt(&r, buf), "fd00:1:2:3::/64");
}

static void test_nth_host_counts_from_the_first_host(void **state)
{
    char buf[BRIG_ADDR_STRLEN];
    struct brig_addr pool = parse_ok("10.0.0.0/16"), h;
    brig_addr_first_host(&pool, &h);
    assert_string_equal(brig_addr_format(&h, false, buf), "10.0.0.1");
    assert_int_equal(brig_addr_nth_host(&pool, 256, &h, NULL), 0);
    assert_string_equal(fmt(&h, buf), "10.0.1.0/16");
    assert_int_equal(brig_addr_host_count(&pool), 65534);
    assert_int_equal(brig_addr_nth_host(&pool, 65534, &h, NULL), 0);
    assert_string_equal(brig_addr_format(&h, false, buf), "10.0.255.254");
    assert_int_equal(brig_addr_host_index(&pool, &h), 65534);

    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_addr_nth_host(&pool, 65535, &h, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_addr_nth_host(&pool, 0, &h, NULL), -1);

    struct brig_addr p6 = parse_ok("fd00::/64");
    assert_int_equal(brig_addr_nth_host(&p6, 0x10001, &h, NULL), 0);
    assert_string_equal(brig_addr_format(&h, false, buf), "fd00::1:1");
    assert_int_equal(brig_addr_host_index(&p6, &h), 0x10001);
}

static void test_small_prefixes_have_no_network_or_broadcast_to_skip(void **state)
{
    char buf[BRIG_ADDR_STRLEN];
    struct brig_addr a = parse_ok("10.0.0.4/31"), h;
    assert_int_equal(brig_addr_host_count(&a), 2);
    assert_int_equal(brig_addr_nth_host(&a, 1, &h, NULL), 0);
    assert_string_equal(brig_addr_format(&h, false, buf), "10.0.0.4");
    a = parse_ok("10.0.0.9/32");
    assert_int_equal(brig_addr_host_count(&a), 1);
    brig_addr_first_host(&a, &h);
    assert_string_equal(brig_addr_format(&h, false, buf), "10.0.0.9");
}

static void test_contains_and_compare(void **state)
{
    struct brig_addr net = parse_ok("10.0.0.0/16");
    struct brig_addr in = parse_ok("10.0.200.1/24"), out = parse_ok("10.1.0.1");
    struct brig_addr v6 = parse_ok("fd00::1");
    assert_true(brig_addr_contains(&net, &in));
    assert_false(brig_addr_contains(&net, &out));
    assert_false(brig_addr_contains(&net, &v6));
    assert_int_equal(brig_addr_host_index(&net, &out), 0);
    assert_true(brig_addr_cmp(&in, &out) < 0);
    assert_true(brig_addr_cmp(&out, &in) > 0);
    assert_true(brig_addr_cmp(&net, &v6) < 0);
    struct brig_addr a = parse_ok("10.0.0.1/24"), b = parse_ok("10.0.0.1/16");
    assert_true(brig_addr_same_ip(&a, &b));
    assert_int_not_equal(brig_addr_cmp(&a, &b), 0);
    assert_int_equal(brig_addr_cmp(&a, &a), 0);
}

static void test_list_alias_defaults_to_host_prefix_and_keeps_iface(void **state)
{
    struct brig_addr_item *v = NULL;
    size_t n = 0;
    char buf[BRIG_ADDR_STRLEN];
    assert_int_equal(
        brig_addr_list_parse("10.0.0.5,em1|10.0.1.5/24,fd00::5", BRIG_ADDR_ALIAS, &v, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].iface, "");
    assert_string_equal(brig_addr_format(&v[0].addr, true, buf), "10.0.0.5/32");
    assert_false(v[0].has_prefix);
    assert_string_equal(v[1].iface, "em1");
    assert_string_equal(brig_addr_format(&v[1].addr, true, buf), "10.0.1.5/24");
    assert_true(v[1].has_prefix);
    assert_string_equal(brig_addr_format(&v[2].addr, true, buf), "fd00::5/128");
    free(v);
}

static void test_list_vnet_keeps_the_documented_default(void **state)
{
    struct brig_addr_item *v = NULL;
    size_t n = 0;
    char buf[BRIG_ADDR_STRLEN];
    assert_int_equal(brig_addr_list_parse("10.0.0.5,fd00::5", BRIG_ADDR_VNET, &v, &n, NULL), 0);
    assert_string_equal(brig_addr_format(&v[0].addr, true, buf), "10.0.0.5/24");
    assert_string_equal(brig_addr_format(&v[1].addr, true, buf), "fd00::5/64");
    free(v);
    assert_int_equal(brig_addr_list_parse("0", BRIG_ADDR_VNET, &v, &n, NULL), 0);
    assert_int_equal(n, 0);
    assert_null(v);
}

static void test_list_rejects_hostile_lists(void **state)
{
    static const char *const bad[] = {
        "10.0.0.5,,10.0.0.6",
        ",10.0.0.5",
        "10.0.0.5,",
        "",
        "em0|",
        "|10.0.0.5",
        "a-very-long-interface-name|10.0.0.5",
        "em 0|10.0.0.5",
        "em0|em1|10.0.0.5",
        "10.0.0.5,10.0.0.5/24",
        "fd00::5,fd00:0::5",
        "DHCP",
        "realdhcp",
        "10.0.0.300",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct brig_err err = BRIG_ERR_INIT;
        struct brig_addr_item *v = (void *)1;
        size_t n = 99;
        if (brig_addr_list_parse(bad[i], BRIG_ADDR_ALIAS, &v, &n, &err) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_null(strchr(err.msg, '\n')); /* one line, whatever the input */
        assert_null(v);
        assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_defaults_prefix_24_for_ipv4_and_64_for_ipv6),
        cmocka_unit_test(test_parse_host_defaults_to_full_length),
        cmocka_unit_test(test_parse_rejects_bad_input_as_usage_error),
        cmocka_unit_test(test_network_and_broadcast_of_a_cidr),
        cmocka_unit_test(test_nth_host_counts_from_the_first_host),
        cmocka_unit_test(test_small_prefixes_have_no_network_or_broadcast_to_skip),
        cmocka_unit_test(test_contains_and_compare),
        cmocka_unit_test(test_list_alias_defaults_to_host_prefix_and_keeps_iface),
        cmocka_unit_test(test_list_vnet_keeps_the_documented_default),
        cmocka_unit_test(test_list_rejects_hostile_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
