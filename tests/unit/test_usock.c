/* Unix socket helpers: a VM's socket, in a directory its QEMU can write, is
 * connected only as the socket it is, never through a link planted there. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "os/linux/usock.h"
#include "util.h"

struct fx {
    char dir[64];
    int listener;
};

static int setup(void **state)
{
    struct fx *f = brig_xcalloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/brig-usock-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/real.sock", f->dir);
    f->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(f->listener, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->listener, 4), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    close(f->listener);
    struct brig_err err = BRIG_ERR_INIT;
    brig_rm_rf(f->dir, &err);
    free(f);
    return 0;
}

static void test_a_socket_in_its_own_dir_is_connected(void **state)
{
    struct fx *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *p = brig_xasprintf("%s/real.sock", f->dir);
    int fd = brig_usock_connect(p, true, &err);
    assert_true(fd >= 0);
    close(fd);
    fd = brig_usock_connect(p, false, &err);
    assert_true(fd >= 0);
    close(fd);
}

static void test_a_link_planted_for_the_socket_is_refused(void **state)
{
    struct fx *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *real = brig_xasprintf("%s/real.sock", f->dir);
    _cleanup_free_ char *link = brig_xasprintf("%s/qmp.sock", f->dir);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(brig_usock_connect(link, true, &err), -1);
    assert_non_null(strstr(err.msg, "connect "));
    assert_non_null(strstr(err.msg, "qmp.sock"));
    /* a path the caller chose itself may be a link */
    int fd = brig_usock_connect(link, false, &err);
    assert_true(fd >= 0);
    close(fd);
}

static void test_a_file_that_is_not_a_socket_is_refused(void **state)
{
    struct fx *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *p = brig_xasprintf("%s/file", f->dir);
    assert_int_equal(brig_write_file_atomic(p, "x", 1, 0600, &err), 0);
    assert_int_equal(brig_usock_connect(p, true, &err), -1);
    assert_non_null(strstr(err.msg, "not a socket"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_socket_in_its_own_dir_is_connected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_link_planted_for_the_socket_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_file_that_is_not_a_socket_is_refused, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
