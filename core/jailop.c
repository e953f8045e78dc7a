/* Opening a jail for a verb that acts on it (see jailop.h). */
#define _GNU_SOURCE
#include "jailop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "vm.h"
#include "util.h"

void brig_jail_op_free(struct brig_jail_op *op)
{
    brig_jail_clear(&op->j);
    brig_nics_free(op->nics, op->nnics);
    brig_fstabs_free(op->fstab, op->nfstab);
    brig_exposes_free(op->exposes, op->nexposes);
    if (op->lock_fd >= 0)
        close(op->lock_fd);
    free(op->sysdir);
    free(op->basedir);
    free(op->rules);
    free(op->vmdir);
    memset(op, 0, sizeof(*op));
    op->lock_fd = -1;
}

/* Load jname, take its lock (waiting for another brig working on it) and
 * assemble what the backend needs. */
int brig_jail_op_open(struct brig_ctx *c, const char *jname, bool lock, struct brig_jail_op *op,
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
    for (;;) {
        op->lock_fd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (op->lock_fd < 0)
            return brig_err_sys(err, errno, "%s: lock %s", jname, lockfile);
        while (lock && flock(op->lock_fd, LOCK_EX) < 0) {
            if (errno != EINTR)
                return brig_err_sys(err, errno, "%s: lock %s", jname, lockfile);
        }
        /* a jremove we waited for unlinks the lock it held: a lock on that
         * file no longer excludes anyone, so lock the file now at the path */
        struct stat held, now;
        if (!lock ||
            (fstat(op->lock_fd, &held) == 0 && held.st_nlink > 0 && stat(lockfile, &now) == 0 &&
             now.st_ino == held.st_ino && now.st_dev == held.st_dev))
            break;
        close(brig_steal_fd(&op->lock_fd));
        brig_jail_clear(&op->j);
        if (brig_jget(c, jname, &op->j, err) < 0)
            return -1;
        if (brig_mkdir_p(op->sysdir, 0700, err) < 0)
            return brig_err_wrap(err, "%s", jname);
    }
    /* the holder we waited for may have removed or changed the jail */
    if (lock) {
        brig_jail_clear(&op->j);
        if (brig_jget(c, jname, &op->j, err) < 0 || brig_jrename_settle(c, &op->j, err) < 0)
            return -1;
        if (c->os == brig_os_native() && brig_snapshot_settle(&op->j, err) < 0)
            return brig_err_wrap(err, "%s", jname);
    }
    if (brig_store_nic_list(c->st, op->j.id, &op->nics, &op->nnics, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    if (brig_store_fstab_list(c->st, op->j.id, &op->fstab, &op->nfstab, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    op->basedir = brig_ctx_path(c, "basejail/%s", op->j.v[BRIG_P_BASE]);
    _cleanup_free_ char *rules = brig_ctx_path(c, "etc/devfs.rules");
    if (brig_read_file(rules, 1 << 20, &op->rules, NULL, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    op->env = (struct brig_jail_env){
        .jail = &op->j,
        .nics = op->nics,
        .nnics = brig_jail_bool(&op->j, BRIG_P_VNET) ? op->nnics : 0,
        .fstab = op->fstab,
        .nfstab = op->nfstab,
        .node = &c->node,
        .sysdir = op->sysdir,
        .basedir = op->basedir,
        .devfs_rules = op->rules,
        .link_group = c->link_group,
    };
    if (brig_jail_is_vm(&op->j)) {
        op->vmdir = brig_vm_dir(c, jname);
        op->env.vmdir = op->vmdir;
    }
    if (brig_store_runtime_get(c->st, op->j.id, &op->rt, err) < 0)
        return -1;
    op->running = op->rt.pid > 0 && brig_os_get(c->os)->alive(&op->rt);
    if (lock && c->os == brig_os_native() && brig_snapshot_thaw_left(op, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    return brig_jail_op_exposes(op, err);
}

int brig_jail_op_open_removable(struct brig_ctx *c, const char *jname, bool vm, const char *verb,
                                bool force, struct brig_jail_op *op, struct brig_err *err)
{
    memset(op, 0, sizeof(*op));
    op->lock_fd = -1;
    if (brig_record_kind_check(c, jname, vm, verb, err) < 0 ||
        brig_jail_op_open(c, jname, true, op, err) < 0)
        return -1;
    if (!op->running)
        return 0;
    if (!force)
        return brig_err_set(err, BRIG_EFAIL, "%s: is running (stop it first, or force=1)", jname);
    if (brig_jail_op_stop(op, err) < 0)
        return -1;
    op->running = false;
    op->rt = (struct brig_runtime){0};
    return 0;
}
