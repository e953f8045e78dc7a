/* The lifecycle engine: an operation is an ordered table of steps, each with
 * an apply and an undo. Before the first step's side effects the journal
 * records that the operation is under way; a failure at step k undoes k … 1;
 * a crash leaves the journal behind for the next brig, which undoes every
 * step. Undo functions are idempotent and
 * find their resources by names derived from the jail, not from memory. */
#ifndef BRIG_LIFECYCLE_H
#define BRIG_LIFECYCLE_H

#include <stddef.h>

#include "err.h"

struct brig_step {
    const char *name;
    int (*apply)(void *state, struct brig_err *err);
    /* NULL when the step leaves nothing to undo. */
    int (*undo)(void *state, struct brig_err *err);
};

/* Where the runner records progress (the store's journal, via the core). */
struct brig_journal_hook {
    int (*mark)(void *ud, const char *op, int step, struct brig_err *err);
    void *ud;
};

/* Run steps[0..n) for op; on failure undo the ones started, in reverse, and
 * return -1 with the failing step named in err, or BRIG_STEPS_UNDO_FAILED
 * when an undo failed as well (err says both): then something may be left,
 * and the journal must stay for a recovery. */
#define BRIG_STEPS_UNDO_FAILED (-2)
int brig_steps_run(const char *op, const struct brig_step *steps, size_t n, void *state,
                   const struct brig_journal_hook *journal, struct brig_err *err);
/* Undo steps[upto-1 … 0] in reverse; every undo runs even if one fails (the
 * first error is returned). */
int brig_steps_undo(const struct brig_step *steps, size_t upto, void *state, struct brig_err *err);

/* Fault injection for tests: with BRIG_FAULT_INJECTION builds, the environment
 * variable BRIG_FAULT="op:step" (or "op:step:after") kills brig with SIGKILL
 * just before (after) that step. A no-op in other builds. */
void brig_fault_point(const char *op, int step, const char *when);

#endif
