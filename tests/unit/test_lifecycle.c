#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/lifecycle.h"
#include "core/util.h"

/* A log of what the runner did: "m1" for a journal mark at step 1, "a2" for
 * step 2 applied, "u2" for step 2 undone. */
struct run {
    char log[128];
    int fail_apply; /* step whose apply fails, 0: none */
    int fail_undo;  /* step whose undo fails, 0: none */
    bool fail_mark;
};

static void note(struct run *r, char what, int step)
{
    size_t n = strlen(r->log);
    snprintf(r->log + n, sizeof(r->log) - n, "%s%c%d", n ? " " : "", what, step);
}

#define STEP_FNS(k)                                                                                \
    static int apply##k(void *state, struct brig_err *err)                                         \
    {                                                                                              \
        struct run *r = state;                                                                     \
        note(r, 'a', k);                                                                           \
        return r->fail_apply == (k) ? brig_err_set(err, BRIG_EFAIL, "boom") : 0;                   \
    }                                                                                              \
    static int undo##k(void *state, struct brig_err *err)                                          \
    {                                                                                              \
        struct run *r = state;                                                                     \
        note(r, 'u', k);                                                                           \
        return r->fail_undo == (k) ? brig_err_set(err, BRIG_EFAIL, "busy") : 0;                    \
    }
STEP_FNS(1)
STEP_FNS(2)
STEP_FNS(3)

static const struct brig_step steps[] = {
    {"one", apply1, undo1},
    {"two", apply2, undo2},
    {"three", apply3, undo3},
};

static int mark(void *ud, const char *op, int step, struct brig_err *err)
{
    struct run *r = ud;
    assert_string_equal(op, "jstart");
    note(r, 'm', step);
    return r->fail_mark ? brig_err_set(err, BRIG_EFAIL, "store gone") : 0;
}

static int run_steps(struct run *r, struct brig_err *err)
{
    struct brig_journal_hook hook = {mark, r};
    return brig_steps_run("jstart", steps, BRIG_ARRAY_SIZE(steps), r, &hook, err);
}

static void test_steps_run_in_order_after_one_journal_mark(void **state)
{
    struct run r = {0};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(run_steps(&r, &err), 0);
    assert_string_equal(r.log, "m1 a1 a2 a3");
}

static void test_failed_step_is_undone_with_the_ones_before_it_in_reverse(void **state)
{
    struct run r = {.fail_apply = 2};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(run_steps(&r, &err), -1);
    assert_string_equal(r.log, "m1 a1 a2 u2 u1");
    assert_non_null(strstr(err.msg, "two"));
    assert_non_null(strstr(err.msg, "boom"));
}

static void test_a_failed_undo_is_reported_with_the_failure_and_the_rest_still_undone(void **state)
{
    struct run r = {.fail_apply = 3, .fail_undo = 2};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(run_steps(&r, &err), BRIG_STEPS_UNDO_FAILED);
    assert_string_equal(r.log, "m1 a1 a2 a3 u3 u2 u1");
    assert_non_null(strstr(err.msg, "three: boom"));
    assert_non_null(strstr(err.msg, "undo two: busy"));
    assert_non_null(strstr(err.msg, "brig recover"));
}

static void test_failed_journal_mark_applies_nothing(void **state)
{
    struct run r = {.fail_mark = true};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(run_steps(&r, &err), -1);
    assert_string_equal(r.log, "m1");
    assert_non_null(strstr(err.msg, "store gone"));
}

static void test_undo_walks_every_step_backwards(void **state)
{
    struct run r = {0};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_steps_undo(steps, BRIG_ARRAY_SIZE(steps), &r, &err), 0);
    assert_string_equal(r.log, "u3 u2 u1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_run_in_order_after_one_journal_mark),
        cmocka_unit_test(test_failed_step_is_undone_with_the_ones_before_it_in_reverse),
        cmocka_unit_test(test_a_failed_undo_is_reported_with_the_failure_and_the_rest_still_undone),
        cmocka_unit_test(test_failed_journal_mark_applies_nothing),
        cmocka_unit_test(test_undo_walks_every_step_backwards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
