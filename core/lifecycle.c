#define _GNU_SOURCE
#include "lifecycle.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void brig_fault_point(const char *op, int step, const char *when)
{
#ifdef BRIG_FAULT_INJECTION
    const char *f = getenv("BRIG_FAULT");
    char want[64];
    if (!f)
        return;
    snprintf(want, sizeof(want), strcmp(when, "before") == 0 ? "%s:%d" : "%s:%d:%s", op, step,
             when);
    if (strcmp(f, want) == 0)
        raise(SIGKILL);
#else
    (void)op;
    (void)step;
    (void)when;
#endif
}

int brig_steps_undo(const struct brig_step *steps, size_t upto, void *state, struct brig_err *err)
{
    int r = 0;
    for (size_t i = upto; i > 0; i--) {
        struct brig_err e2 = BRIG_ERR_INIT;
        if (!steps[i - 1].undo || steps[i - 1].undo(state, &e2) == 0)
            continue;
        if (r == 0) {
            *err = e2;
            brig_err_wrap(err, "undo %s", steps[i - 1].name);
            r = -1;
        }
    }
    return r;
}

/* Undo what a failed run did, keeping the error of the failure and adding
 * the undo's own, if any. */
static int fail_undo(const struct brig_step *steps, size_t upto, void *state, struct brig_err *err)
{
    struct brig_err e2 = BRIG_ERR_INIT;
    if (brig_steps_undo(steps, upto, state, &e2) == 0)
        return -1;
    char first[sizeof(err->msg)];
    snprintf(first, sizeof(first), "%s", err->msg);
    brig_err_set(err, err->code, "%s; %s failed too (brig recover finishes the cleanup)", first,
                 e2.msg);
    return BRIG_STEPS_UNDO_FAILED;
}

int brig_steps_run(const char *op, const struct brig_step *steps, size_t n, void *state,
                   const struct brig_journal_hook *journal, struct brig_err *err)
{
    /* One mark before the first step: a recovery undoes every step whatever
     * step was reached, so marking each one would only cost a transaction. */
    if (n > 0 && journal && journal->mark(journal->ud, op, 1, err) < 0)
        return brig_err_wrap(err, "%s", steps[0].name);
    for (size_t i = 0; i < n; i++) {
        brig_fault_point(op, (int)i + 1, "before");
        if (steps[i].apply(state, err) < 0) {
            brig_err_wrap(err, "%s", steps[i].name);
            /* the failed step may have done part of its work: undo it too */
            return fail_undo(steps, i + 1, state, err);
        }
        brig_fault_point(op, (int)i + 1, "after");
    }
    return 0;
}
