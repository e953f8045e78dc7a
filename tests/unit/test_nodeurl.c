/* The node URL of jmigrate: what is taken, and what could be read by ssh or
 * the remote shell as something else is refused. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nodeurl.h"

static void url_ok(const char *url, const char *user, const char *host, unsigned port,
                   const char *workdir)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_node_url u;
    if (brig_node_url_parse(url, &u, &err) < 0)
        fail_msg("'%s' refused: %s", url, err.msg);
    if (user)
        assert_string_equal(u.user, user);
    else
        assert_null(u.user);
    assert_string_equal(u.host, host);
    assert_int_equal(u.port, port);
    if (workdir)
        assert_string_equal(u.workdir, workdir);
    else
        assert_null(u.workdir);
    brig_node_url_clear(&u);
}

static void url_bad(const char *url, const char *msg)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_node_url u;
    assert_int_equal(brig_node_url_parse(url, &u, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    if (!strstr(err.msg, msg))
        fail_msg("'%s': wanted '%s' in '%s'", url, msg, err.msg);
    assert_null(u.host);
    assert_null(u.user);
    assert_null(u.workdir);
}

static void test_every_part_is_optional_but_the_host(void **state)
{
    (void)state;
    url_ok("ssh://node2", NULL, "node2", 0, NULL);
    url_ok("ssh://root@node2.example.org", "root", "node2.example.org", 0, NULL);
    url_ok("ssh://admin@10.0.0.2:2222", "admin", "10.0.0.2", 2222, NULL);
    url_ok("ssh://n:22/var/lib/brig", NULL, "n", 22, "/var/lib/brig");
    url_ok("ssh://n/srv/brig/", NULL, "n", 0, "/srv/brig");
    url_ok("ssh://n/", NULL, "n", 0, NULL);
}

static void test_an_ipv6_address_is_in_brackets(void **state)
{
    (void)state;
    url_ok("ssh://u@[fd00::2]:2200/w", "u", "fd00::2", 2200, "/w");
    url_ok("ssh://[::1]", NULL, "::1", 0, NULL);
    url_bad("ssh://[::1", "not an IPv6 address");
    url_bad("ssh://[]", "not an IPv6 address");
    url_bad("ssh://[1.2.3.4]", "not an IPv6 address");
    url_bad("ssh://fd00::2", "port");
}

static void test_what_ssh_could_read_as_an_option_is_refused(void **state)
{
    (void)state;
    url_bad("ssh://-oProxyCommand=x", "not a host name");
    url_bad("ssh://-host", "not a host name");
    url_bad("ssh://-l@host", "not a user name");
    url_bad("ssh://a b@host", "not a user name");
    url_bad("ssh://host-", "not a host name");
    url_bad("ssh://a..b", "not a host name");
    url_bad("ssh://", "not a host name");
    url_bad("ssh://@host", "not a user name");
}

static void test_what_a_shell_could_read_is_refused(void **state)
{
    (void)state;
    url_bad("ssh://u;id@host", "not a user name");
    url_bad("ssh://h$x", "not a host name");
    url_bad("ssh://host/w d", "characters brig refuses");
    url_bad("ssh://host/$(id)", "characters brig refuses");
    url_bad("ssh://host/a'b", "characters brig refuses");
    url_bad("ssh://host/a/../b", "not a plain absolute path");
    url_bad("ssh://host/a//b", "not a plain absolute path");
    url_bad("ssh://host/.", "not a plain absolute path");
}

static void test_ports_and_schemes(void **state)
{
    (void)state;
    url_ok("ssh://h:65535", NULL, "h", 65535, NULL);
    url_bad("ssh://h:0", "not 1-65535");
    url_bad("ssh://h:65536", "not 1-65535");
    url_bad("ssh://h:", "not a number");
    url_bad("ssh://h:22x", "not a number");
    url_bad("ssh://h:+22", "not a number");
    url_bad("http://h", "is not ssh://");
    url_bad("SSH://h", "is not ssh://");
    url_bad("h", "is not ssh://");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_part_is_optional_but_the_host),
        cmocka_unit_test(test_an_ipv6_address_is_in_brackets),
        cmocka_unit_test(test_what_ssh_could_read_as_an_option_is_refused),
        cmocka_unit_test(test_what_a_shell_could_read_is_refused),
        cmocka_unit_test(test_ports_and_schemes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
