/* Running jails: jstart, jstop, jexec and recovery, around the backend's
 * lifecycle, under the jail's lock, with the journal in the store. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "brig.h"
#include "jailop.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"

static int journal_mark(void *ud, const char *opname, int step, struct brig_err *err)
{
    struct brig_jail_op *op = ud;
    struct brig_journal j = {.jail_id = op->j.id, .step = step, .pid = getpid()};
    snprintf(j.op, sizeof(j.op), "%s", opname);
    return brig_store_journal_set(op->c->st, &j, err);
}

/* In one transaction: record the running init (rt) or that none runs (NULL),
 * and drop the journal of the operation that got there. */
static int record_state(struct brig_jail_op *op, const struct brig_runtime *rt,
                        struct brig_err *err)
{
    struct brig_store *st = op->c->st;
    if (brig_store_begin(st, err) < 0)
        return -1;
    if ((rt ? brig_store_runtime_set(st, op->j.id, rt, err)
            : brig_store_runtime_clear(st, op->j.id, err)) < 0 ||
        brig_store_journal_clear(st, op->j.id, err) < 0) {
        brig_store_rollback(st);
        return -1;
    }
    return brig_store_commit(st, err);
}

/* Whether the init runs, as brig_jail_op_open found (settle keeps it true). */
static bool op_running(const struct brig_jail_op *op)
{
    return op->running;
}

/* Tear down what a crashed jstart/jstop or an ended persist=0 jail left behind,
 * then forget its runtime and journal. Call with the lock held. *ret (may be
 * NULL) says what was settled: BRIG_OUT_ALREADY when nothing was left. */
static int settle(struct brig_jail_op *op, enum brig_outcome *ret, struct brig_err *err)
{
    struct brig_journal jr;
    bool found;
    enum brig_outcome dummy;
    if (!ret)
        ret = &dummy;
    *ret = BRIG_OUT_ALREADY;
    if (brig_store_journal_get(op->c->st, op->j.id, &jr, &found, err) < 0)
        return -1;
    if (!found && (op->rt.pid == 0 || op_running(op)))
        return 0;
    /* jmigrate stopped the jail before its journal entry: nothing runs to tear down */
    if (found && strcmp(jr.op, "jmigrate") == 0 && !op_running(op)) {
        *ret = jr.step == BRIG_MIGRATE_WAS_RUNNING ? BRIG_OUT_RESTARTED_JMIGRATE
                                                   : BRIG_OUT_KEPT_JMIGRATE;
        return brig_store_journal_clear(op->c->st, op->j.id, err);
    }
    *ret = !found                        ? BRIG_OUT_ENDED
           : strcmp(jr.op, "jstop") == 0 ? BRIG_OUT_FINISHED_JSTOP
                                         : BRIG_OUT_UNDID_JSTART;
    if (brig_os_get(op->c->os)->recover(&op->env, &op->rt, err) < 0)
        return brig_err_wrap(err, "%s: recover", op->j.v[BRIG_P_JNAME]);
    op->rt = (struct brig_runtime){0};
    op->running = false;
    return record_state(op, NULL, err);
}

/* Start op's stopped jail (plan: describe it instead), with its lock held. */
static int start_op(struct brig_jail_op *op, struct brig_buf *plan, struct brig_err *err)
{
    struct brig_ctx *c = op->c;
    const char *jname = op->j.v[BRIG_P_JNAME];
    op->env.plan = plan;
    op->env.notes = &c->notes;
    struct brig_journal_hook hook = {journal_mark, op};
    struct brig_runtime rt = {0};
    /* what the configuration says is checked before anything is done */
    if (brig_jail_preflight(c, &op->j, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    int started = brig_os_get(c->os)->jstart(&op->env, plan ? NULL : &hook, &rt, err);
    if (started < 0) {
        /* what a failed undo left is for the next command's settle to finish */
        if (!plan && started != BRIG_STEPS_UNDO_FAILED)
            brig_store_journal_clear(c->st, op->j.id, NULL);
        return brig_err_wrap(err, "%s", jname);
    }
    if (plan)
        return 0;
    if (record_state(op, &rt, err) < 0)
        return -1;
    op->rt = rt;
    op->running = true;
    return 0;
}

int brig_jail_op_start(struct brig_jail_op *op, struct brig_err *err)
{
    return start_op(op, NULL, err);
}

int brig_jstart(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                enum brig_outcome *ret, struct brig_err *err)
{
    struct brig_jail_op op;
    int r = -1;
    *ret = BRIG_OUT_DONE;
    /* the jails it needs, before its own lock is taken */
    if (!plan && brig_depend_start(c, jname, err) < 0)
        return -1;
    /* a dry run leaves even a crashed jail's leftovers to the real run */
    if (brig_jail_op_open(c, jname, true, &op, err) < 0 || (!plan && settle(&op, NULL, err) < 0))
        goto out;
    if (op_running(&op)) {
        *ret = BRIG_OUT_ALREADY;
        r = 0;
        goto out;
    }
    r = start_op(&op, plan, err);
out:
    brig_jail_op_free(&op);
    return r;
}

int brig_jail_op_settle(struct brig_jail_op *op, struct brig_err *err)
{
    return settle(op, NULL, err);
}

int brig_jail_op_stop(struct brig_jail_op *op, struct brig_err *err)
{
    const char *jname = op->j.v[BRIG_P_JNAME];
    struct brig_journal_hook hook = {journal_mark, op};
    if (brig_os_get(op->c->os)->jstop(&op->env, &op->rt, &hook, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    if (record_state(op, NULL, err) < 0)
        return brig_err_wrap(err,
                             "%s: stopped, but its state could not be recorded (the next "
                             "command on it records it)",
                             jname);
    return 0;
}

int brig_jstop(struct brig_ctx *c, const char *jname, struct brig_buf *plan, enum brig_outcome *ret,
               struct brig_err *err)
{
    struct brig_jail_op op;
    int r = -1;
    *ret = BRIG_OUT_DONE;
    if (!plan && brig_depend_stop(c, jname, err) < 0)
        return -1;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0)
        goto out;
    if (plan) {
        op.env.plan = plan;
        r = brig_os_get(c->os)->jstop(&op.env, &op.rt, NULL, err);
        goto out;
    }
    bool was_running = op_running(&op);
    enum brig_outcome settled;
    if (settle(&op, &settled, err) < 0)
        goto out;
    if (settled != BRIG_OUT_ALREADY && was_running) {
        r = 0; /* an interrupted jstart or jstop of a jail jls showed running: now stopped */
        goto out;
    }
    if (!op_running(&op)) {
        *ret = settled; /* stopped already; settle cleaned up what was left, if anything */
        r = 0;
        goto out;
    }
    r = brig_jail_op_stop(&op, err);
out:
    brig_jail_op_free(&op);
    return r;
}

void brig_links_batch(struct brig_ctx *c)
{
    uint32_t g = 0;
    if (getrandom(&g, sizeof(g), 0) != (ssize_t)sizeof(g))
        g = (uint32_t)getpid() ^ (uint32_t)time(NULL) << 16;
    c->link_group = g | 0x80000000u;
}

int brig_links_release(struct brig_ctx *c, struct brig_err *err)
{
    uint32_t group = c->link_group;
    c->link_group = 0;
    const struct brig_os_ops *ops = brig_os_get(c->os);
    if (group == 0 || !ops->links_release)
        return 0;
    return ops->links_release(group, err);
}

int brig_jrestart(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                  enum brig_outcome *ret, struct brig_err *err)
{
    struct brig_jail j = {0};
    enum brig_outcome o;
    *ret = BRIG_OUT_DONE;
    int r = brig_jget(c, jname, &j, err);
    /* a configuration that cannot start leaves the running jail alone */
    if (r == 0 && !plan && brig_jail_preflight(c, &j, err) < 0)
        r = brig_err_wrap(err, "%s", jname);
    brig_jail_clear(&j);
    if (r < 0)
        return -1;
    bool stopped = false;
    if (brig_jail_is_running(c, jname)) {
        if (brig_jstop(c, jname, plan, &o, err) < 0)
            return -1;
        stopped = !plan;
    }
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_jstart(c, jname, plan, &o, &e) == 0)
        return 0;
    if (!stopped) {
        *err = e;
        return -1;
    }
    size_t n = strlen(jname);
    const char *why =
        strncmp(e.msg, jname, n) == 0 && strncmp(e.msg + n, ": ", 2) == 0 ? e.msg + n + 2 : e.msg;
    return brig_err_set(err, BRIG_EFAIL, "%s: stopped, could not start again: %s", jname, why);
}

int brig_recover(struct brig_ctx *c, const char *jname, enum brig_outcome *ret,
                 struct brig_err *err)
{
    struct brig_jail_op op;
    int r = -1;
    *ret = BRIG_OUT_ALREADY;
    if (brig_jail_op_open(c, jname, true, &op, err) == 0)
        r = settle(&op, ret, err);
    /* a jail that ran before an interrupted jmigrate runs again; elsewhere it is kept */
    if (r == 0 && *ret == BRIG_OUT_RESTARTED_JMIGRATE && brig_jail_op_start(&op, err) < 0)
        r = brig_err_wrap(err, "kept after an interrupted jmigrate, but could not start again");
    brig_jail_op_free(&op);
    return r;
}

int brig_jexec(struct brig_ctx *c, const char *jname, const char *user, char *const *argv,
               unsigned flags, int *ret_status, struct brig_err *err)
{
    struct brig_jail_op op;
    int r = -1;
    /* jexec does not change the jail's state: no lock, so it never waits on a jstop */
    if (brig_jail_op_open(c, jname, false, &op, err) < 0)
        goto out;
    if (!op_running(&op)) {
        brig_err_set(err, BRIG_EFAIL, "%s: not running", jname);
        goto out;
    }
    r = brig_os_get(c->os)->jexec(&op.env, &op.rt, user, argv, flags, ret_status, err);
    if (r < 0)
        brig_err_wrap(err, "%s", jname);
out:
    brig_jail_op_free(&op);
    return r;
}

bool brig_jail_is_running(struct brig_ctx *c, const char *jname)
{
    struct brig_jail j = {0};
    struct brig_runtime rt = {0};
    if (brig_jget(c, jname, &j, NULL) == 0)
        brig_store_runtime_get(c->st, j.id, &rt, NULL);
    brig_jail_clear(&j);
    return rt.pid > 0 && brig_os_get(c->os)->alive(&rt);
}
