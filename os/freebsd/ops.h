/* The FreeBSD backend's entry points, called through the ops table in
 * os/os.c, and the plans of the verbs that act on no jail (inventory, repo).
 * With env->plan set, a verb renders its plan there on any host; without,
 * it runs the plan with brig_plan_exec, which needs a FreeBSD host. */
#ifndef BRIG_FREEBSD_OPS_H
#define BRIG_FREEBSD_OPS_H

#include "os/os.h"

/* Release the plans are made for when neither BRIG_FREEBSD_RELEASE nor the host says. */
#define BRIG_FREEBSD_RELEASE_DEFAULT "14.1"

/* Read the host's facts (vimage_feature, racct, osrelease, zfs) by running
 * the inventory plan's commands; BRIG_EFAIL on another kernel's host. */
int brig_freebsd_inventory(struct brig_kvlist *facts, struct brig_err *err);
/* Is jail id pid still there (`jls -j JID`)? On another kernel's host, the
 * recorded runtime is that kernel's, so the native backend answers. */
bool brig_freebsd_alive(const struct brig_runtime *rt);
/* Fill a new jail's data directory from its base (the prepare plan). */
int brig_freebsd_prepare(const struct brig_jail_env *env, struct brig_err *err);
/* Render (env->plan) or run the jstart plan; the jail's jid comes back as ret->pid. */
int brig_freebsd_jstart(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                        struct brig_runtime *ret, struct brig_err *err);
/* Render (env->plan) or run the jstop plan. */
int brig_freebsd_jstop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const struct brig_journal_hook *journal, struct brig_err *err);
/* Run the jstop plan with every step allowed to fail, so whatever a crashed
 * jstart or jstop left is gone; on another kernel's host the native backend recovers. */
int brig_freebsd_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                         struct brig_err *err);
/* jexec(8) argv (or login(1) -f USER) inside the running jail. */
int brig_freebsd_jexec(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const char *user, char *const *argv, unsigned flags, int *ret_status,
                       struct brig_err *err);

/* Render (env->plan) or run a VM's bcreate plan: its directory and raw disk. */
int brig_freebsd_vm_create(const struct brig_jail_env *env, struct brig_err *err);
/* Render (env->plan) or run a VM's bremove plan: vmm instance and files. */
int brig_freebsd_vm_remove(const struct brig_jail_env *env, struct brig_err *err);

/* Render the inventory plan into plan, or run it when plan is NULL. */
int brig_freebsd_inventory_plan(struct brig_buf *plan, struct brig_err *err);
/* Render (plan) or run the repo plan for sources=base|kernel, ver and arch. */
int brig_freebsd_repo_get(const struct brig_node *node, const char *sources, const char *ver,
                          const char *arch, struct brig_buf *plan, struct brig_err *err);

#endif
