/* A jail's /etc/passwd and /etc/group: parsed without the host's NSS, and
 * read only when they are small regular files. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "os/linux/passwd.h"

static void test_passwd_entry_is_found_by_name(void **state)
{
    (void)state;
    char data[] = "root:x:0:0:root:/root:/bin/sh\n"
                  "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                  "web:x:1000:50::/srv/web:\n";
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail_user u = {0};
    assert_int_equal(brig_passwd_parse(data, "web", &u, &err), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 50);
    assert_string_equal(u.home, "/srv/web");
    assert_string_equal(u.shell, "/bin/sh");
    brig_jail_user_free(&u);
}

static void test_passwd_without_the_user_or_with_a_bad_id_is_refused(void **state)
{
    (void)state;
    char data[] = "root:x:0:0:root:/root:/bin/sh\nbad:x:-1:0::/:/bin/sh\nshort:x:5\n";
    char copy[sizeof(data)];
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail_user u = {0};
    memcpy(copy, data, sizeof(data));
    assert_int_equal(brig_passwd_parse(copy, "mallory", &u, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    memcpy(copy, data, sizeof(data));
    assert_int_equal(brig_passwd_parse(copy, "bad", &u, &err), -1);
    assert_int_equal(err.code, BRIG_EFAIL);
    memcpy(copy, data, sizeof(data));
    assert_int_equal(brig_passwd_parse(copy, "short", &u, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

static void test_groups_list_the_primary_first_and_each_once(void **state)
{
    (void)state;
    char data[] = "wheel:x:0:root,web\nstaff:x:50:web\nwww:x:33:nginx,web,x\nbad:x:zz:web\n";
    gid_t gids[8];
    size_t n = brig_group_parse(data, "web", 50, gids, 8);
    assert_int_equal(n, 3);
    assert_int_equal(gids[0], 50);
    assert_int_equal(gids[1], 0);
    assert_int_equal(gids[2], 33);
    char again[] = "a:x:1:web\nb:x:2:web\nc:x:3:web\n";
    assert_int_equal(brig_group_parse(again, "web", 9, gids, 2), 2);
}

static char dir[] = "/tmp/brig-passwd-test-XXXXXX";

static char *path_in(const char *name)
{
    return brig_xasprintf("%s/%s", dir, name);
}

static void test_file_read_takes_regular_files_and_symlinks_to_them(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *f = path_in("passwd.real"), *l = path_in("passwd"), *data = NULL;
    assert_int_equal(brig_write_file_atomic(f, "root:x:0:0::/root:/bin/sh\n", 26, 0644, &err), 0);
    assert_int_equal(symlink("passwd.real", l), 0);
    assert_int_equal(brig_jail_file_read(l, 1024, &data, &err), 0);
    assert_string_equal(data, "root:x:0:0::/root:/bin/sh\n");
    free(brig_steal(&data));
    _cleanup_free_ char *missing = path_in("none");
    assert_int_equal(brig_jail_file_read(missing, 1024, &data, &err), 0);
    assert_null(data);
    assert_int_equal(brig_jail_file_read(f, 10, &data, &err), -1);
    assert_non_null(strstr(err.msg, "larger than 10 bytes"));
    unlink(l);
    unlink(f);
}

static void test_file_read_refuses_a_fifo_or_a_device_at_once(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *fifo = path_in("fifo"), *dev = path_in("zero"), *data = NULL;
    assert_int_equal(mkfifo(fifo, 0644), 0);
    /* a FIFO nobody writes to: refused, not waited on */
    assert_int_equal(brig_jail_file_read(fifo, 1024, &data, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_int_equal(symlink("/dev/zero", dev), 0);
    brig_err_clear(&err);
    assert_int_equal(brig_jail_file_read(dev, 1024, &data, &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_null(data);
    unlink(fifo);
    unlink(dev);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passwd_entry_is_found_by_name),
        cmocka_unit_test(test_passwd_without_the_user_or_with_a_bad_id_is_refused),
        cmocka_unit_test(test_groups_list_the_primary_first_and_each_once),
        cmocka_unit_test(test_file_read_takes_regular_files_and_symlinks_to_them),
        cmocka_unit_test(test_file_read_refuses_a_fifo_or_a_device_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
