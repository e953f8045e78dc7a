/* A plan: pure data describing what brig does on a FreeBSD host. It holds
 * the jail.conf text (when the verb needs one) and an ordered list of steps;
 * each step is one command (an argv, never a shell string), the commands
 * that undo it, and optionally a variable that captures the command's output
 * for later steps ("${epair0}" after `ifconfig epair create`).
 *
 * Variables: an argv word marked as a template may hold ${name} (the value
 * captured under name) or ${name%suffix} (that value with a trailing suffix
 * removed), the same syntax sh(1) uses, so a rendered plan can be pasted. */
#ifndef BRIG_FREEBSD_PLAN_H
#define BRIG_FREEBSD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct brig_buf;

/* Most words a command may have; template words must be among the first 64. */
#define BRIG_PLAN_ARGV_MAX 4096

/* One command: its argv and which words are templates (bit i: argv[i]). */
struct brig_plan_cmd {
    char **argv;
    uint64_t tmpl;
};

struct brig_plan_step {
    char *desc;               /* one line saying what the step does */
    struct brig_plan_cmd cmd; /* the command */
    struct brig_plan_cmd *undo;
    size_t n_undo; /* commands that reverse it, run in order on a later failure */
    char *capture; /* variable set from the command's first output line, or NULL */
    char *log;     /* file the command's stdout and stderr are appended to, or NULL */
    bool may_fail; /* a failure is noted and the plan goes on */
    char *same_as; /* when the command's output is exactly this, the next skip steps are skipped */
    size_t skip;
    char *wait_while;      /* rerun every 100 ms while the output holds this, or NULL */
    char *wait_fail;       /* ... and fail once it holds this (NULL: never) */
    unsigned wait_seconds; /* at most this long, then fail */
};

struct brig_plan {
    char *conf_path; /* where the jail.conf text is written before the steps, or NULL */
    char *conf;      /* the jail.conf text, or NULL */
    struct brig_plan_step *steps;
    size_t n_steps, cap;
};

/* Append a step running argv (copied; NULL-terminated) described by desc. */
struct brig_plan_step *brig_plan_add(struct brig_plan *plan, const char *desc,
                                     const char *const *argv);
/* Like brig_plan_add, the argv words given as varargs ending with NULL. */
struct brig_plan_step *brig_plan_addv(struct brig_plan *plan, const char *desc, ...)
    __attribute__((sentinel));
/* Mark argv word i of the step's command as a template. */
void brig_plan_step_tmpl(struct brig_plan_step *step, unsigned word);
/* Add an undo command to step, its argv as NULL-terminated varargs. */
void brig_plan_step_undov(struct brig_plan_step *step, uint64_t tmpl, ...)
    __attribute__((sentinel));
/* Set the step's capture variable (letters, digits, '_'). */
void brig_plan_step_capture(struct brig_plan_step *step, const char *var);
/* Skip the n steps after this one when its command prints exactly text (a
 * state that is already what those steps would make). */
void brig_plan_step_skip_if(struct brig_plan_step *step, const char *text, size_t n);
/* Rerun the step's command every 100 ms while its output holds while_text,
 * for at most seconds; fail at once when it holds fail_text (NULL: never). */
void brig_plan_step_wait(struct brig_plan_step *step, const char *while_text, const char *fail_text,
                         unsigned seconds);
/* Set the file the step's output is appended to. */
void brig_plan_step_log(struct brig_plan_step *step, const char *path);

/* Print the plan: the jail.conf text, then each step as a comment line and
 * its command shell-quoted on one line (captures as var=$(...), logs as
 * >>file 2>&1, may_fail as || true, a skip condition as comment lines), so
 * the output can be pasted into sh (which then runs the skippable steps too). */
void brig_plan_render(const struct brig_plan *plan, struct brig_buf *out);
/* Free what the plan holds and zero it; NULL is fine. */
void brig_plan_free(struct brig_plan *plan);

/* Expand the template word w against the variables (names[i] = values[i]);
 * BRIG_EFAIL names an unknown variable. */
int brig_plan_expand(const char *w, char *const *names, char *const *values, size_t n, char **ret,
                     struct brig_err *err);

/* What one command of the executor did, for tests and for callers that log. */
struct brig_plan_exec_opts {
    /* Called before each command runs (after substitution); may be NULL. */
    void (*on_run)(void *data, bool undo, char *const *argv);
    void *data;
};

/* Run the plan: write conf to conf_path, then each step's command with
 * posix_spawnp (no shell), checking its exit status and capturing its output;
 * on a failure undo the completed steps in reverse and return BRIG_EFAIL
 * naming the failed command and the first line of its stderr. */
int brig_plan_exec(const struct brig_plan *plan, const struct brig_plan_exec_opts *opts,
                   struct brig_err *err);

#endif
