/* Node facts for `brig inventory`: sane on this host. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "os/linux/probe.h"

static void test_probe_reports_this_linux_node(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_probe p;
    if (brig_probe_node(&p, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(p.platform, "Linux");
    assert_true(strlen(p.kernel) > 0);
    assert_true(p.vimage_feature);
    assert_true(p.overlayfs);
    assert_true(p.seccomp);
    assert_int_not_equal(p.cgroup.layout, BRIG_CGROUP_NONE);
    assert_non_null(p.cgroup.controllers);
    assert_int_equal(p.kvm, access("/dev/kvm", F_OK) == 0);
    assert_int_equal(p.ncpu, (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
    assert_true(p.memtotal > 16ULL * 1024 * 1024);
    if (p.qemu) {
        assert_non_null(strstr(p.qemu, "qemu-system-"));
        assert_int_equal(access(p.qemu, X_OK), 0);
    }
    brig_probe_clear(&p);
}

static void test_find_in_path_follows_path(void **state)
{
    char dir[] = "/tmp/brig-probe-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *tool = brig_xasprintf("%s/brig-tool", dir);
    _cleanup_free_ char *plain = brig_xasprintf("%s/brig-plain", dir);
    FILE *f = fopen(tool, "we");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(chmod(tool, 0755), 0);
    f = fopen(plain, "we");
    assert_non_null(f);
    fclose(f);
    _cleanup_free_ char *old = brig_xstrdup(getenv("PATH") ? getenv("PATH") : "");
    _cleanup_free_ char *path = brig_xasprintf("/nonexistent:%s", dir);
    setenv("PATH", path, 1);
    _cleanup_free_ char *found = brig_probe_find_in_path("brig-tool");
    assert_string_equal(found, tool);
    /* not executable: not found */
    assert_null(brig_probe_find_in_path("brig-plain"));
    setenv("PATH", old, 1);
    unlink(tool);
    unlink(plain);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_reports_this_linux_node),
        cmocka_unit_test(test_find_in_path_follows_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
