/* jail.conf quoting against hostile values, and the parsers of FreeBSD tools' output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "os/freebsd/freebsd.h"
#include "util.h"

/* Read a double-quoted jail.conf string the way jail(8)'s lexer does
 * (jaillex.l): backslash escapes, and '$' not after a backslash starts a
 * variable. Returns the value, or NULL when it would expand a variable or
 * the string does not end exactly at the end of the text. */
static char *conf_unquote(const char *q)
{
    if (*q++ != '"')
        return NULL;
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    for (; *q && *q != '"'; q++) {
        if (*q == '$') {
            brig_buf_free(&b);
            return NULL;
        }
        if (*q != '\\') {
            brig_buf_addc(&b, *q);
            continue;
        }
        q++;
        if (*q >= '0' && *q <= '7') {
            int v = 0;
            for (int i = 0; i < 3 && *q >= '0' && *q <= '7'; i++, q++)
                v = v * 8 + (*q - '0');
            q--;
            brig_buf_addc(&b, (char)v);
            continue;
        }
        switch (*q) {
        case 'n':
            brig_buf_addc(&b, '\n');
            break;
        case 't':
            brig_buf_addc(&b, '\t');
            break;
        case 'r':
            brig_buf_addc(&b, '\r');
            break;
        case '\0':
            brig_buf_free(&b);
            return NULL;
        default:
            brig_buf_addc(&b, *q);
        }
    }
    if (*q != '"' || q[1] != '\0') {
        brig_buf_free(&b);
        return NULL;
    }
    return brig_buf_steal(&b);
}

static void hostile_values_read_back_unchanged_and_never_expand(void **state)
{
    static const char *const hostile[] = {
        "plain",
        "a\"b",
        "${name}",
        "$name",
        "back\\slash\\",
        "new\nline",
        "semi;colon } brace # hash",
        "tab\tcr\rbell\a\0017",
        "\\\"$",
        "'single' and // comment /* c */",
        "",
    };
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(hostile); i++) {
        struct brig_buf b = {0};
        brig_buf_add(&b, "");
        brig_freebsd_conf_quote(&b, hostile[i]);
        assert_null(strchr(b.s, '\n'));
        _cleanup_free_ char *back = conf_unquote(b.s);
        assert_non_null(back);
        assert_string_equal(back, hostile[i]);
        brig_buf_free(&b);
    }
}

static void control_characters_use_three_octal_digits(void **state)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    brig_freebsd_conf_quote(&b, "\0017");
    assert_string_equal(b.s, "\"\\0017\"");
    brig_buf_free(&b);
}

static void epair_create_output_is_parsed(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *name = NULL;
    assert_int_equal(brig_freebsd_parse_epair("epair5a\n", &name, &err), 0);
    assert_string_equal(name, "epair5a");
    free(name);
    assert_int_equal(brig_freebsd_parse_epair("epair12a", &name, &err), 0);
    free(name);
    assert_int_equal(brig_freebsd_parse_epair("epair5b\n", &name, &err), -1);
    assert_int_equal(
        brig_freebsd_parse_epair("ifconfig: SIOCIFCREATE2: File exists\n", &name, &err), -1);
    assert_string_equal(err.msg, "unexpected output of ifconfig epair create: 'ifconfig: "
                                 "SIOCIFCREATE2: File exists'");
}

static void sysctl_booleans_are_parsed(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    bool v = false;
    assert_int_equal(brig_freebsd_parse_sysctl_bool("1\n", &v, &err), 0);
    assert_true(v);
    assert_int_equal(brig_freebsd_parse_sysctl_bool("0\n", &v, &err), 0);
    assert_false(v);
    assert_int_equal(
        brig_freebsd_parse_sysctl_bool("sysctl: unknown oid 'kern.features.vimage'\n", &v, &err),
        -1);
}

static void jls_jid_is_parsed(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    int jid = 0;
    assert_int_equal(brig_freebsd_parse_jid("17\n", &jid, &err), 0);
    assert_int_equal(jid, 17);
    assert_int_equal(brig_freebsd_parse_jid("jls: jail \"web1\" not found\n", &jid, &err), -1);
    assert_int_equal(brig_freebsd_parse_jid("0\n", &jid, &err), -1);
}

static void releases_are_parsed_from_uname_and_freebsd_version(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_freebsd_release r;
    assert_int_equal(brig_freebsd_parse_release("14.1-RELEASE-p5\n", &r, &err), 0);
    assert_int_equal(r.major, 14);
    assert_int_equal(r.minor, 1);
    assert_true(brig_freebsd_release_atleast(&r, 13, 3));
    assert_int_equal(brig_freebsd_parse_release("13.2-RELEASE\n13.2-RELEASE-p1\n", &r, &err), 0);
    assert_false(brig_freebsd_release_atleast(&r, 13, 3));
    assert_int_equal(brig_freebsd_parse_release("15.0-CURRENT", &r, &err), 0);
    assert_int_equal(brig_freebsd_parse_release("13.3", &r, &err), 0);
    assert_true(brig_freebsd_release_atleast(&r, 13, 3));
    assert_int_equal(brig_freebsd_parse_release("Linux", &r, &err), -1);
    assert_int_equal(brig_freebsd_parse_release("14.1x", &r, &err), -1);
}

static void bridge_mtu_is_parsed_from_ifconfig(void **state)
{
    static const char out[] =
        "bridge0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 "
        "mtu 9000\n"
        "\toptions=0\n"
        "\tether 58:9c:fc:10:ff:d2\n"
        "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15\n"
        "\tmember: epair0a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n";
    struct brig_err err = BRIG_ERR_INIT;
    unsigned mtu = 0;
    assert_int_equal(brig_freebsd_parse_mtu(out, &mtu, &err), 0);
    assert_int_equal(mtu, 9000);
    assert_int_equal(
        brig_freebsd_parse_mtu("ifconfig: interface bridge9 does not exist\n", &mtu, &err), -1);
}

static void interface_names_fit_ifnamsiz(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char name[16];
    assert_int_equal(brig_freebsd_ifname(5, 0, 'a', name, &err), 0);
    assert_string_equal(name, "bj5e0a");
    assert_int_equal(brig_freebsd_ifname(9999999999LL, 7, 'b', name, &err), 0);
    assert_string_equal(name, "bj9999999999e7b");
    assert_int_equal(brig_freebsd_ifname(99999999999LL, 7, 'b', name, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

static void tap_units_come_from_the_vm_id_and_stay_within_if_maxunit(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char name[16];
    assert_int_equal(brig_freebsd_tapname(5, 0, name, &err), 0);
    assert_string_equal(name, "tap50");
    assert_int_equal(brig_freebsd_tapname(12, 1, name, &err), 0);
    assert_string_equal(name, "tap121");
    assert_int_equal(brig_freebsd_tapname(3275, 9, name, &err), 0);
    assert_string_equal(name, "tap32759");
    assert_int_equal(brig_freebsd_tapname(3276, 0, name, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_freebsd_tapname(5, 10, name, &err), -1);
    assert_int_equal(brig_freebsd_tapname(0, 0, name, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_values_read_back_unchanged_and_never_expand),
        cmocka_unit_test(control_characters_use_three_octal_digits),
        cmocka_unit_test(epair_create_output_is_parsed),
        cmocka_unit_test(sysctl_booleans_are_parsed),
        cmocka_unit_test(jls_jid_is_parsed),
        cmocka_unit_test(releases_are_parsed_from_uname_and_freebsd_version),
        cmocka_unit_test(bridge_mtu_is_parsed_from_ifconfig),
        cmocka_unit_test(interface_names_fit_ifnamsiz),
        cmocka_unit_test(tap_units_come_from_the_vm_id_and_stay_within_if_maxunit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
