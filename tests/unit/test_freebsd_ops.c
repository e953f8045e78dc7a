/* The FreeBSD ops from the core's side: a dry run renders exactly the plan
 * builder's plan for the env, the release comes from BRIG_FREEBSD_RELEASE,
 * running needs a FreeBSD host, and jcreate's prepare plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devfs_rules.h"
#include "os/freebsd/freebsd.h"
#include "os/freebsd/ops.h"
#include "util.h"

struct fixture {
    struct brig_jail j;
    struct brig_node node;
    struct brig_nic nic;
    struct brig_jail_env env;
};

static int setup(void **state)
{
    struct fixture *f = brig_xcalloc(1, sizeof(*f));
    f->node.workdir = brig_xstrdup("/var/lib/brig");
    f->node.nodename = brig_xstrdup("node1.test");
    f->node.bridge = brig_xstrdup("brig0");
    f->node.gateway4 = brig_xstrdup("10.0.0.1/16");
    f->node.uplink = brig_xstrdup("auto");
    f->j.id = 3;
    brig_jail_set(&f->j, BRIG_P_JNAME, "web1");
    brig_jail_set(&f->j, BRIG_P_VNET, "1");
    brig_jail_set(&f->j, BRIG_P_BASE, "freebsd14_1-amd64");
    brig_jail_set(&f->j, BRIG_P_IP4_ADDR, "10.0.0.5/16");
    brig_jail_fill_defaults(&f->j, f->node.workdir, BRIG_K_FREEBSD);
    f->nic = (struct brig_nic){.idx = 0,
                               .parent = brig_xstrdup("auto"),
                               .hwaddr = brig_xstrdup("0"),
                               .addrs = brig_xstrdup("10.0.0.5/16"),
                               .gw4 = brig_xstrdup("auto")};
    f->env = (struct brig_jail_env){.jail = &f->j,
                                    .nics = &f->nic,
                                    .nnics = 1,
                                    .node = &f->node,
                                    .devfs_rules = brig_devfs_rules_default()};
    unsetenv("BRIG_FREEBSD_RELEASE");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    brig_jail_clear(&f->j);
    brig_node_clear(&f->node);
    brig_nic_clear(&f->nic);
    free(f);
    unsetenv("BRIG_FREEBSD_RELEASE");
    return 0;
}

/* The plan builder's rendering for the fixture: release 14.1, no bridge, no uplink. */
static char *expected_plan(struct fixture *f, const char *release)
{
    struct brig_devfs_rules *rules = NULL;
    const char *text = brig_devfs_rules_default();
    assert_int_equal(brig_devfs_rules_parse(text, strlen(text), "x", &rules, NULL), 0);
    struct brig_freebsd_input in = {.jail = &f->j,
                                    .nics = &f->nic,
                                    .n_nics = 1,
                                    .node = &f->node,
                                    .devfs = rules,
                                    .release = release,
                                    .racct = -1};
    struct brig_plan plan;
    assert_int_equal(brig_freebsd_plan_jstart(&in, &plan, NULL), 0);
    struct brig_buf out = {0};
    brig_plan_render(&plan, &out);
    brig_plan_free(&plan);
    brig_devfs_rules_free(rules);
    return brig_buf_steal(&out);
}

static void dry_run_jstart_renders_the_plan_of_the_record(void **state)
{
    struct fixture *f = *state;
    struct brig_buf out = {0};
    struct brig_runtime rt = {0};
    struct brig_err err = BRIG_ERR_INIT;
    f->env.plan = &out;
    assert_int_equal(brig_freebsd_jstart(&f->env, NULL, &rt, &err), 0);
    _cleanup_free_ char *want = expected_plan(f, "14.1");
    assert_string_equal(out.s, want);
    assert_non_null(strstr(out.s, "ifconfig -j web1 bj3e0b name eth0\n"));
    assert_int_equal(rt.pid, 0);
    brig_buf_free(&out);
}

static void the_brig_freebsd_release_variable_picks_the_release(void **state)
{
    struct fixture *f = *state;
    struct brig_buf out = {0};
    struct brig_runtime rt = {0};
    struct brig_err err = BRIG_ERR_INIT;
    f->env.plan = &out;
    setenv("BRIG_FREEBSD_RELEASE", "13.2", 1);
    assert_int_equal(brig_freebsd_jstart(&f->env, NULL, &rt, &err), 0);
    _cleanup_free_ char *want = expected_plan(f, "13.2");
    assert_string_equal(out.s, want);
    assert_non_null(strstr(out.s, "jexec web1 ifconfig bj3e0b name eth0\n"));
    brig_buf_free(&out);
    setenv("BRIG_FREEBSD_RELEASE", "14", 1);
    assert_int_equal(brig_freebsd_jstart(&f->env, NULL, &rt, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "BRIG_FREEBSD_RELEASE=14: expected a release such as 14.1");
}

static void a_missing_ruleset_names_the_rules_file(void **state)
{
    struct fixture *f = *state;
    struct brig_buf out = {0};
    struct brig_runtime rt = {0};
    struct brig_err err = BRIG_ERR_INIT;
    f->env.plan = &out;
    brig_jail_set(&f->j, BRIG_P_DEVFS_RULESET, "9");
    assert_int_equal(brig_freebsd_jstart(&f->env, NULL, &rt, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg,
                        "devfs_ruleset=9: /var/lib/brig/etc/devfs.rules: no ruleset number 9");
    assert_int_equal(out.len, 0);
    brig_buf_free(&out);
}

static void running_a_plan_needs_a_freebsd_host(void **state)
{
    struct fixture *f = *state;
    struct brig_runtime rt = {0};
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_os_native() == BRIG_K_FREEBSD)
        skip();
    assert_int_equal(brig_freebsd_jstart(&f->env, NULL, &rt, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg,
                        "jstart needs a FreeBSD host (--dry-run prints what it would run)");
    assert_int_equal(brig_freebsd_jstop(&f->env, &rt, NULL, &err), -1);
    assert_int_equal(brig_freebsd_inventory_plan(NULL, &err), -1);
}

static void dry_run_inventory_lists_the_sysctls(void **state)
{
    struct brig_buf out = {0};
    assert_int_equal(brig_freebsd_inventory_plan(&out, NULL), 0);
    assert_non_null(strstr(out.s, "vimage_feature=$(sysctl -n kern.features.vimage) || true\n"));
    assert_non_null(strstr(out.s, "osrelease=$(sysctl -n kern.osrelease)\n"));
    brig_buf_free(&out);
}

static void prepare_copies_a_thin_jails_writable_dirs(void **state)
{
    struct fixture *f = *state;
    struct brig_plan plan;
    struct brig_buf out = {0};
    assert_int_equal(brig_freebsd_plan_prepare(&f->j, "/b/base", &plan, NULL), 0);
    brig_plan_render(&plan, &out);
    const char *d = "/var/lib/brig/jails-data/web1-data";
    _cleanup_free_ char *want = brig_xasprintf(
        "# 1. the jail's data directory\nmkdir -p %s\n"
        "# 2. thin jail: its writable etc, from the base\ncp -a /b/base/etc %s/etc\n"
        "# 3. thin jail: its writable root, from the base\ncp -a /b/base/root %s/root\n"
        "# 4. thin jail: its writable tmp, from the base\ncp -a /b/base/tmp %s/tmp\n"
        "# 5. thin jail: its writable var, from the base\ncp -a /b/base/var %s/var\n"
        "# 6. its parent directory\nmkdir -p %s/usr\n"
        "# 7. thin jail: its writable usr/local, from the base\n"
        "cp -a /b/base/usr/local %s/usr/local\n",
        d, d, d, d, d, d, d);
    assert_string_equal(out.s, want);
    brig_buf_free(&out);
    brig_plan_free(&plan);
}

static void prepare_copies_the_whole_base_for_a_thick_jail(void **state)
{
    struct fixture *f = *state;
    struct brig_plan plan;
    struct brig_buf out = {0};
    brig_jail_set(&f->j, BRIG_P_BASERW, "1");
    assert_int_equal(brig_freebsd_plan_prepare(&f->j, "/b/base", &plan, NULL), 0);
    brig_plan_render(&plan, &out);
    assert_string_equal(out.s, "# 1. the jail's data directory\n"
                               "mkdir -p /var/lib/brig/jails-data/web1-data\n"
                               "# 2. thick jail: its own copy of the base\n"
                               "cp -a /b/base/. /var/lib/brig/jails-data/web1-data\n");
    brig_buf_free(&out);
    brig_plan_free(&plan);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_freebsd_plan_prepare(&f->j, "relative", &plan, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dry_run_jstart_renders_the_plan_of_the_record, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_brig_freebsd_release_variable_picks_the_release, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_missing_ruleset_names_the_rules_file, setup, teardown),
        cmocka_unit_test_setup_teardown(running_a_plan_needs_a_freebsd_host, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_inventory_lists_the_sysctls, setup, teardown),
        cmocka_unit_test_setup_teardown(prepare_copies_a_thin_jails_writable_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(prepare_copies_the_whole_base_for_a_thick_jail, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
