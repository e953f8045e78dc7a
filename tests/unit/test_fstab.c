/* jfstab's input: lines of a CBSD fstab file, and src/dst as given on the
 * command line (dst made canonical, paths that leave the jail refused). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fstab.h"

static void parse_ok(const char *line, const char *src, const char *dst, const char *opts)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_fstab e;
    bool blank = true;
    if (brig_fstab_parse_line(line, &e, &blank, &err) < 0)
        fail_msg("%s: %s", line, err.msg);
    assert_false(blank);
    assert_string_equal(e.src, src);
    assert_string_equal(e.dst, dst);
    assert_string_equal(e.type, "nullfs");
    assert_string_equal(e.options, opts);
    brig_fstab_clear(&e);
}

static void parse_bad(const char *line, const char *want)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_fstab e;
    bool blank = false;
    assert_int_equal(brig_fstab_parse_line(line, &e, &blank, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    if (!strstr(err.msg, want))
        fail_msg("'%s': wanted '%s' in '%s'", line, want, err.msg);
    assert_null(e.src);
}

static void cbsd_lines_parse_with_optional_dump_and_pass(void **state)
{
    (void)state;
    parse_ok("/usr/home/web /usr/home/web nullfs rw 0 0", "/usr/home/web", "/usr/home/web", "rw");
    parse_ok("/a\t/b//c/\tnullfs\tro", "/a", "/b/c", "ro");
    parse_ok("  /a /b nullfs rw,nosuid,nodev 0 # note", "/a", "/b", "rw");
    parse_ok("/a /b nullfs ro,rw", "/a", "/b", "ro");
}

static void blank_and_comment_lines_are_blank(void **state)
{
    (void)state;
    const char *lines[] = {"", "   \t", "# /a /b nullfs rw 0 0", "\r"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct brig_err err = BRIG_ERR_INIT;
        struct brig_fstab e;
        bool blank = false;
        assert_int_equal(brig_fstab_parse_line(lines[i], &e, &blank, &err), 0);
        assert_true(blank);
    }
}

static void bad_lines_are_refused(void **state)
{
    (void)state;
    parse_bad("/a /b", "want \"src dst type options [dump pass]\"");
    parse_bad("/a /b nullfs rw 0 0 extra", "want");
    parse_bad("proc /proc procfs rw 0 0", "type procfs: only nullfs");
    parse_bad("tmpfs /tmp tmpfs rw,size=1g 0 0", "type tmpfs");
    parse_bad("/a /b nullfs rw,suid 0 0", "option suid");
    parse_bad("/a /b nullfs rw,exec", "option exec");
    parse_bad("/a b nullfs rw", "dst=b: an absolute path");
    parse_bad("/a /b/../../etc nullfs rw", "no '.' or '..'");
    parse_bad("/a /./b nullfs rw", "no '.' or '..'");
    parse_bad("/a / nullfs rw", "not the jail's root itself");
    parse_bad("/a /proc/sys nullfs rw", "the jail's /proc is its own");
    parse_bad("/a /sys nullfs rw", "the jail's /sys is its own");
    parse_bad("/a /dev/x nullfs rw", "the jail's /dev is its own");
}

static void make_checks_the_host_path(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_fstab e;
    assert_int_equal(brig_fstab_make("/tmp/", "/devices", true, &e, &err), 0);
    assert_string_equal(e.src, "/tmp");
    assert_string_equal(e.dst, "/devices"); /* only /dev itself and below are the jail's */
    assert_string_equal(e.options, "ro");
    brig_fstab_clear(&e);
    assert_int_equal(brig_fstab_make("tmp", "/x", false, &e, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_fstab_make("/nonexistent-brig/x", "/x", false, &e, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_fstab_make("/dev/null", "/x", false, &e, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "not a directory or a regular file"));
    assert_int_equal(brig_fstab_make("/tmp", "/x y", false, &e, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cbsd_lines_parse_with_optional_dump_and_pass),
        cmocka_unit_test(blank_and_comment_lines_are_blank),
        cmocka_unit_test(bad_lines_are_refused),
        cmocka_unit_test(make_checks_the_host_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
