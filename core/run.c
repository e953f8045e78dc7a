/* Running jails: jstart, jstop, jexec and recovery, around the backend's
 * lifecycle, under the jail's lock, with the journal in the store. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "brig.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"

/* One jail opened for a state-changing verb: its record, NICs, lock and env. */
struct jail_op {
    struct brig_ctx *c;
    struct brig_jail j;
    struct brig_nic *nics;
    size_t nnics;
    int lock_fd;
    char *sysdir, *basedir, *rules;
    struct brig_jail_env env;
    struct brig_runtime rt;
};

static void jail_op_free(struct jail_op *op)
{
    brig_jail_clear(&op->j);
    brig_nics_free(op->nics, op->nnics);
    if (op->lock_fd >= 0)
        close(op->lock_fd);
    free(op->sysdir);
    free(op->basedir);
    free(op->rules);
    memset(op, 0, sizeof(*op));
    op->lock_fd = -1;
}

static int journal_mark(void *ud, const char *opname, int step, struct brig_err *err)
{
    struct jail_op *op = ud;
    struct brig_journal j = {.jail_id = op->j.id, .step = step, .pid = getpid()};
    snprintf(j.op, sizeof(j.op), "%s", opname);
    return brig_store_journal_set(op->c->st, &j, err);
}

/* Load jname, take its lock (waiting for another brig working on it) and
 * assemble what the backend needs. */
static int jail_op_open(struct brig_ctx *c, const char *jname, bool lock, struct jail_op *op,
                        struct brig_err *err)
{
    memset(op, 0, sizeof(*op));
    op->lock_fd = -1;
    op->c = c;
    if (brig_jget(c, jname, &op->j, err) < 0)
        return -1;
    op->sysdir = brig_ctx_path(c, "jails-system/%s", jname);
    if (brig_mkdir_p(op->sysdir, 0700, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    _cleanup_free_ char *lockfile = brig_xasprintf("%s/lock", op->sysdir);
    op->lock_fd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (op->lock_fd < 0)
        return brig_err_sys(err, errno, "%s: lock %s", jname, lockfile);
    while (lock && flock(op->lock_fd, LOCK_EX) < 0) {
        if (errno != EINTR)
            return brig_err_sys(err, errno, "%s: lock %s", jname, lockfile);
    }
    if (brig_store_nic_list(c->st, op->j.id, &op->nics, &op->nnics, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    op->basedir = brig_ctx_path(c, "basejail/%s", op->j.v[BRIG_P_BASE]);
    _cleanup_free_ char *rules = brig_ctx_path(c, "etc/devfs.rules");
    if (brig_read_file(rules, 1 << 20, &op->rules, NULL, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    op->env = (struct brig_jail_env){
        .jail = &op->j,
        .nics = op->nics,
        .nnics = brig_jail_bool(&op->j, BRIG_P_VNET) ? op->nnics : 0,
        .node = &c->node,
        .sysdir = op->sysdir,
        .basedir = op->basedir,
        .devfs_rules = op->rules,
    };
    return brig_store_runtime_get(c->st, op->j.id, &op->rt.pid, &op->rt.starttime, err);
}

static bool op_running(const struct jail_op *op)
{
    return op->rt.pid > 0 && brig_os_get(op->c->os)->alive(op->rt.pid, op->rt.starttime);
}

/* Tear down what a crashed jstart/jstop or an ended persist=0 jail left behind,
 * then forget its runtime and journal. Call with the lock held. */
static int settle(struct jail_op *op, struct brig_err *err)
{
    struct brig_journal jr;
    bool found;
    if (brig_store_journal_get(op->c->st, op->j.id, &jr, &found, err) < 0)
        return -1;
    if (!found && (op->rt.pid == 0 || op_running(op)))
        return 0;
    if (brig_os_get(op->c->os)->recover(&op->env, &op->rt, err) < 0)
        return brig_err_wrap(err, "%s: recover", op->j.v[BRIG_P_JNAME]);
    op->rt = (struct brig_runtime){0};
    if (brig_store_begin(op->c->st, err) < 0)
        return -1;
    if (brig_store_runtime_clear(op->c->st, op->j.id, err) < 0 ||
        brig_store_journal_clear(op->c->st, op->j.id, err) < 0) {
        brig_store_rollback(op->c->st);
        return -1;
    }
    return brig_store_commit(op->c->st, err);
}

int brig_jstart(struct brig_ctx *c, const char *jname, struct brig_buf *plan, struct brig_err *err)
{
    struct jail_op op;
    int r = -1;
    if (jail_op_open(c, jname, true, &op, err) < 0 || settle(&op, err) < 0)
        goto out;
    if (op_running(&op)) {
        brig_err_set(err, BRIG_EFAIL, "%s: already running (jid %lld)", jname, (long long)op.j.id);
        goto out;
    }
    op.env.plan = plan;
    struct brig_journal_hook hook = {journal_mark, &op};
    struct brig_runtime rt = {0};
    if (brig_os_get(c->os)->jstart(&op.env, plan ? NULL : &hook, &rt, err) < 0) {
        if (!plan)
            brig_store_journal_clear(c->st, op.j.id, NULL);
        brig_err_wrap(err, "%s", jname);
        goto out;
    }
    if (plan) {
        r = 0;
        goto out;
    }
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_store_runtime_set(c->st, op.j.id, rt.pid, rt.starttime, err) < 0 ||
        brig_store_journal_clear(c->st, op.j.id, err) < 0) {
        brig_store_rollback(c->st);
        goto out;
    }
    r = brig_store_commit(c->st, err);
out:
    jail_op_free(&op);
    return r;
}

int brig_jstop(struct brig_ctx *c, const char *jname, struct brig_buf *plan, struct brig_err *err)
{
    struct jail_op op;
    int r = -1;
    if (jail_op_open(c, jname, true, &op, err) < 0)
        goto out;
    if (plan) {
        op.env.plan = plan;
        r = brig_os_get(c->os)->jstop(&op.env, &op.rt, NULL, err);
        goto out;
    }
    if (settle(&op, err) < 0)
        goto out;
    if (!op_running(&op)) {
        brig_err_set(err, BRIG_EFAIL, "%s: not running", jname);
        goto out;
    }
    struct brig_journal_hook hook = {journal_mark, &op};
    if (brig_os_get(c->os)->jstop(&op.env, &op.rt, &hook, err) < 0) {
        brig_err_wrap(err, "%s", jname);
        goto out;
    }
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_store_runtime_clear(c->st, op.j.id, err) < 0 ||
        brig_store_journal_clear(c->st, op.j.id, err) < 0) {
        brig_store_rollback(c->st);
        goto out;
    }
    r = brig_store_commit(c->st, err);
out:
    jail_op_free(&op);
    return r;
}

int brig_recover(struct brig_ctx *c, const char *jname, struct brig_err *err)
{
    struct jail_op op;
    int r = -1;
    if (jail_op_open(c, jname, true, &op, err) == 0)
        r = settle(&op, err);
    jail_op_free(&op);
    return r;
}

int brig_jexec(struct brig_ctx *c, const char *jname, const char *user, char *const *argv,
               bool login, int *ret_status, struct brig_err *err)
{
    struct jail_op op;
    int r = -1;
    /* jexec does not change the jail's state: no lock, so it never waits on a jstop */
    if (jail_op_open(c, jname, false, &op, err) < 0)
        goto out;
    if (!op_running(&op)) {
        brig_err_set(err, BRIG_EFAIL, "%s: not running", jname);
        goto out;
    }
    r = brig_os_get(c->os)->jexec(&op.env, &op.rt, user, argv, login, ret_status, err);
    if (r < 0)
        brig_err_wrap(err, "%s", jname);
out:
    jail_op_free(&op);
    return r;
}

bool brig_jail_is_running(struct brig_ctx *c, const char *jname)
{
    struct brig_jail j = {0};
    int64_t pid = 0, st = 0;
    if (brig_jget(c, jname, &j, NULL) == 0)
        brig_store_runtime_get(c->st, j.id, &pid, &st, NULL);
    brig_jail_clear(&j);
    return pid > 0 && brig_os_get(c->os)->alive(pid, st);
}
