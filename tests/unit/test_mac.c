#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/mac.h"

static void test_derived_mac_is_stable(void **state)
{
    uint8_t a[6], b[6];
    brig_mac_derive("node1", "web1", 0, a);
    brig_mac_derive("node1", "web1", 0, b);
    assert_memory_equal(a, b, 6);
}

static void test_derived_mac_differs_per_node_jail_and_index(void **state)
{
    uint8_t base[6], m[6];
    brig_mac_derive("node1", "web1", 0, base);
    brig_mac_derive("node2", "web1", 0, m);
    assert_memory_not_equal(base, m, 6);
    brig_mac_derive("node1", "web2", 0, m);
    assert_memory_not_equal(base, m, 6);
    brig_mac_derive("node1", "web1", 1, m);
    assert_memory_not_equal(base, m, 6);
    /* Fields are separated, so moving a character between them changes the MAC. */
    uint8_t x[6], y[6];
    brig_mac_derive("ab", "c", 0, x);
    brig_mac_derive("a", "bc", 0, y);
    assert_memory_not_equal(x, y, 6);
}

static void test_derived_mac_is_locally_administered_unicast(void **state)
{
    char name[32];
    for (int i = 0; i < 256; i++) {
        uint8_t m[6];
        snprintf(name, sizeof(name), "jail%d", i);
        brig_mac_derive("node", name, i % 4, m);
        assert_int_equal(m[0] & 0x02, 0x02);
        assert_int_equal(m[0] & 0x01, 0);
    }
}

/* The derivation is part of the on-disk contract: a jail keeps its MAC
 * across brig upgrades, so the value itself is pinned. */
static void test_derived_mac_value_is_fixed_across_versions(void **state)
{
    uint8_t m[6];
    char buf[BRIG_MAC_STRLEN];
    brig_mac_derive("node1", "web1", 0, m);
    assert_string_equal(brig_mac_format(m, buf), "42:a1:d4:5a:f7:27");
}

static void test_mac_formats_and_parses_back(void **state)
{
    uint8_t m[6], back[6];
    char buf[BRIG_MAC_STRLEN];
    brig_mac_derive("node1", "web1", 0, m);
    brig_mac_format(m, buf);
    assert_int_equal(strlen(buf), 17);
    for (int i = 2; i < 17; i += 3)
        assert_int_equal(buf[i], ':');
    assert_int_equal(brig_mac_parse(buf, back, NULL), 0);
    assert_memory_equal(m, back, 6);
    assert_int_equal(brig_mac_parse("02:AB:cd:00:11:ff", back, NULL), 0);
    assert_string_equal(brig_mac_format(back, buf), "02:ab:cd:00:11:ff");
}

static void test_mac_parse_rejects_bad_and_multicast(void **state)
{
    const char *bad[] = {"",
                         "02:00:00:00:00",
                         "02:00:00:00:00:0g",
                         "02-00-00-00-00-01",
                         "02:00:00:00:00:001",
                         "01:00:5e:00:00:01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t m[6];
        struct brig_err err = BRIG_ERR_INIT;
        assert_int_equal(brig_mac_parse(bad[i], m, &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derived_mac_is_stable),
        cmocka_unit_test(test_derived_mac_differs_per_node_jail_and_index),
        cmocka_unit_test(test_derived_mac_is_locally_administered_unicast),
        cmocka_unit_test(test_derived_mac_value_is_fixed_across_versions),
        cmocka_unit_test(test_mac_formats_and_parses_back),
        cmocka_unit_test(test_mac_parse_rejects_bad_and_multicast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
