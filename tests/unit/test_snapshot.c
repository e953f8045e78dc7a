/* jsnapshot's names: what may name a snapshot directory, and what may not. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "brig.h"

static void test_names_of_letters_digits_and_punctuation_are_taken(void **state)
{
    (void)state;
    const char *good[] = {"s1", "20261202-134501Z", "before.upgrade", "a_b-c:d", "v1.2"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct brig_err e = BRIG_ERR_INIT;
        if (brig_snapshot_name_check(good[i], &e) < 0)
            fail_msg("'%s' refused: %s", good[i], e.msg);
    }
}

static void test_names_that_leave_the_directory_or_hide_are_refused(void **state)
{
    (void)state;
    char long_name[80];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    const char *bad[] = {"",        ".",    "..",  "../x", "a/b", "/abs",   "x..y",
                         ".hidden", "-opt", "a b", "a\nb", "*",   long_name};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct brig_err e = BRIG_ERR_INIT;
        if (brig_snapshot_name_check(bad[i], &e) == 0)
            fail_msg("'%s' taken", bad[i]);
        assert_int_equal(e.code, BRIG_EUSAGE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_of_letters_digits_and_punctuation_are_taken),
        cmocka_unit_test(test_names_that_leave_the_directory_or_hide_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
