/* The nft text of port forwards: the rules of one forward, and finding a
 * jail's rules again in a listing among other jails' and other rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/util.h"
#include "os/linux/expose.h"

static struct brig_expose forward(const char *proto, unsigned in, unsigned out, const char *addr)
{
    struct brig_expose e = {.jail_id = 5, .in = in, .out = out};
    snprintf(e.proto, sizeof(e.proto), "%s", proto);
    snprintf(e.addr, sizeof(e.addr), "%s", addr);
    assert_int_equal(brig_addr_parse("10.0.0.5/24", &e.to, NULL), 0);
    return e;
}

static void test_a_forward_is_dnat_from_outside_and_the_host_and_hairpin_masquerade(void **state)
{
    (void)state;
    struct brig_expose e = forward("tcp", 8080, 80, "");
    struct brig_buf b = {0};
    brig_expose_render(&b, 5, NULL, 0, &e, 1);
    assert_non_null(strstr(b.s, "add rule ip brig expose_pre fib daddr type local tcp dport 8080 "
                                "counter dnat to 10.0.0.5:80 comment \"brig expose 5\"\n"));
    assert_non_null(strstr(b.s, "add rule ip brig expose_out ip daddr != 127.0.0.0/8 fib daddr "
                                "type local tcp dport 8080 counter dnat to 10.0.0.5:80 comment "
                                "\"brig expose 5\"\n"));
    assert_non_null(strstr(b.s, "add rule ip brig expose_post ip saddr 10.0.0.0/24 ip daddr "
                                "10.0.0.5 tcp dport 80 ct status dnat counter masquerade comment "
                                "\"brig expose 5\"\n"));
    brig_buf_free(&b);
}

static void test_a_forward_on_one_address_matches_only_that_address(void **state)
{
    (void)state;
    struct brig_expose e = forward("udp", 5353, 53, "192.0.2.1");
    struct brig_buf b = {0};
    brig_expose_render(&b, 5, NULL, 0, &e, 1);
    assert_non_null(strstr(b.s, "expose_pre ip daddr 192.0.2.1 udp dport 5353 counter dnat to "
                                "10.0.0.5:53"));
    assert_null(strstr(b.s, "fib daddr"));
    brig_buf_free(&b);
}

static const char listing[] =
    "table ip brig {\n"
    "\tchain postrouting { # handle 1\n"
    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
    "\t\tip saddr 10.0.0.0/24 masquerade comment \"brig nat 10.0.0.0/24 via em0\" # handle 4\n"
    "\t}\n"
    "\tchain expose_pre { # handle 2\n"
    "\t\tfib daddr type local tcp dport 80 dnat to 10.0.0.5:80 comment \"brig expose 5\" # "
    "handle 7\n"
    "\t\tfib daddr type local tcp dport 81 dnat to 10.0.0.50:80 comment \"brig expose 50\" # "
    "handle 8\n"
    "\t}\n"
    "\tchain expose_post { # handle 3\n"
    "\t\tip daddr 10.0.0.5 masquerade comment \"brig expose 5\" # handle 9\n"
    "\t\tip daddr 10.0.0.9 masquerade comment \"brig expose 5x\" # handle 10\n"
    "\t}\n"
    "}\n";

static void test_rules_are_found_by_jail_id_and_chain(void **state)
{
    (void)state;
    struct brig_expose_rule *v = NULL;
    size_t n = 0;
    brig_expose_rules_parse(listing, &v, &n);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].chain, "expose_pre");
    assert_int_equal(v[0].handle, 7);
    assert_int_equal(v[0].jail_id, 5);
    assert_int_equal(v[1].jail_id, 50);
    assert_string_equal(v[2].chain, "expose_post");
    assert_int_equal(v[2].handle, 9);
    struct brig_buf b = {0};
    brig_expose_render(&b, 5, v, n, NULL, 0);
    assert_non_null(strstr(b.s, "delete rule ip brig expose_pre handle 7\n"));
    assert_non_null(strstr(b.s, "delete rule ip brig expose_post handle 9\n"));
    assert_null(strstr(b.s, "handle 8"));
    assert_null(strstr(b.s, "handle 4"));
    brig_buf_free(&b);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_forward_is_dnat_from_outside_and_the_host_and_hairpin_masquerade),
        cmocka_unit_test(test_a_forward_on_one_address_matches_only_that_address),
        cmocka_unit_test(test_rules_are_found_by_jail_id_and_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
