/* Each base carries its own start and stop: read from the base's root, with
 * its links resolved inside that root as they are in the jail. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/baseboot.h"
#include "core/util.h"

static char *tree(void)
{
    char tmpl[] = "/tmp/brig-baseboot-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return brig_xstrdup(tmpl);
}

static void mk(const char *root, const char *rel, const char *link, mode_t mode)
{
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", root, rel);
    _cleanup_free_ char *dir = brig_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_mkdir_p(dir, 0755, &err), 0);
    if (link) {
        assert_int_equal(symlink(link, path), 0);
        return;
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void rm_tree(char *root)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_rm_rf(root, &err), 0);
    free(root);
}

static void test_a_base_with_etc_rc_keeps_brigs_rc(void **state)
{
    (void)state;
    char *root = tree();
    mk(root, "etc/rc", NULL, 0644);
    mk(root, "sbin/init", NULL, 0755);
    const struct brig_base_boot *b = brig_base_boot_detect(root);
    assert_string_equal(b->kind, "rc");
    assert_string_equal(b->exec_start, "/bin/sh /etc/rc");
    assert_string_equal(b->exec_stop, "/bin/sh /etc/rc.shutdown");
    assert_string_equal(b->exec_init, "");
    rm_tree(root);
}

static void test_a_missing_base_keeps_brigs_rc(void **state)
{
    (void)state;
    assert_string_equal(brig_base_boot_detect("/nonexistent/brig/base")->kind, "rc");
}

static void test_a_systemd_base_runs_systemd_as_pid_1(void **state)
{
    (void)state;
    char *root = tree();
    /* Debian: /sbin/init is an absolute link to /lib/systemd/systemd */
    mk(root, "lib/systemd/systemd", NULL, 0755);
    mk(root, "sbin/init", "/lib/systemd/systemd", 0);
    const struct brig_base_boot *b = brig_base_boot_detect(root);
    assert_string_equal(b->kind, "systemd");
    assert_string_equal(b->exec_init, "/sbin/init");
    assert_string_equal(b->stop_signal, "SIGRTMIN+3");
    assert_string_equal(b->exec_start, "");
    assert_string_equal(b->exec_stop, "");
    rm_tree(root);
}

static void test_a_merged_usr_systemd_base_runs_systemd(void **state)
{
    (void)state;
    char *root = tree();
    mk(root, "usr/lib/systemd/systemd", NULL, 0755);
    mk(root, "usr/sbin/init", "../lib/systemd/systemd", 0);
    mk(root, "lib", "usr/lib", 0);
    mk(root, "sbin", "usr/sbin", 0);
    assert_string_equal(brig_base_boot_detect(root)->kind, "systemd");
    rm_tree(root);
}

static void test_links_resolve_inside_the_base_not_on_the_host(void **state)
{
    (void)state;
    char *root = tree();
    /* a link that climbs out stays in the base, where there is no systemd */
    mk(root, "sbin/init", "../../../../../../lib/systemd/systemd", 0);
    mk(root, "lib/systemd/.keep", NULL, 0644);
    assert_string_equal(brig_base_boot_detect(root)->kind, "none");
    rm_tree(root);
}

static void test_a_sysvinit_base_runs_its_rc_scripts(void **state)
{
    (void)state;
    char *root = tree();
    mk(root, "sbin/init", NULL, 0755);
    mk(root, "lib/systemd/systemd", NULL, 0755); /* installed, but not the init */
    mk(root, "etc/init.d/rc", NULL, 0755);
    const struct brig_base_boot *b = brig_base_boot_detect(root);
    assert_string_equal(b->kind, "sysv-rc");
    assert_string_equal(b->exec_start, "/etc/init.d/rc 2");
    assert_string_equal(b->exec_stop, "/etc/init.d/rc 0");
    assert_string_equal(b->exec_init, "");
    rm_tree(root);
}

static void test_a_base_without_an_init_system_starts_nothing(void **state)
{
    (void)state;
    char *root = tree();
    mk(root, "etc/debian_version", NULL, 0644);
    const struct brig_base_boot *b = brig_base_boot_detect(root);
    assert_string_equal(b->kind, "none");
    assert_string_equal(b->exec_start, "");
    assert_string_equal(b->exec_stop, "");
    rm_tree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_base_with_etc_rc_keeps_brigs_rc),
        cmocka_unit_test(test_a_missing_base_keeps_brigs_rc),
        cmocka_unit_test(test_a_systemd_base_runs_systemd_as_pid_1),
        cmocka_unit_test(test_a_merged_usr_systemd_base_runs_systemd),
        cmocka_unit_test(test_links_resolve_inside_the_base_not_on_the_host),
        cmocka_unit_test(test_a_sysvinit_base_runs_its_rc_scripts),
        cmocka_unit_test(test_a_base_without_an_init_system_starts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
