/* The Linux backend's entry points, called through the ops table in os/os.c. */
#ifndef BRIG_LINUX_H
#define BRIG_LINUX_H

#include "os/os.h"

int brig_linux_inventory(struct brig_kvlist *facts, struct brig_err *err);
int brig_linux_prepare(const struct brig_jail_env *env, struct brig_err *err);
/* Copy the stopped jail from's own files into to's data, shifted into to's range (clone.c). */
int brig_linux_clone_data(const struct brig_jail_env *from, const struct brig_jail *to,
                          struct brig_err *err);
/* Copy the tree src to dst (missing) as it is: owners, modes, xattrs, links,
 * holes; reflinks where possible (snapshot.c). */
int brig_linux_tree_copy(const char *src, const char *dst, struct brig_err *err);
/* Freeze or thaw the running jail's processes (snapshot.c). */
int brig_linux_freeze(const struct brig_jail_env *env, bool frozen, struct brig_err *err);
int brig_linux_jstart(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                      struct brig_runtime *ret, struct brig_err *err);
int brig_linux_jstop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                     const struct brig_journal_hook *journal, struct brig_err *err);
int brig_linux_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       struct brig_err *err);
int brig_linux_jexec(const struct brig_jail_env *env, const struct brig_runtime *rt,
                     const char *user, char *const *argv, unsigned flags, int *ret_status,
                     struct brig_err *err);
/* Check the jail's limits against this host (controllers, online CPUs). */
int brig_linux_check_host(const struct brig_jail *j, struct brig_err *err);
/* Write the jail's recorded limits to the cgroups of the running jail rt. */
int brig_linux_limits_set(const struct brig_jail_env *env, const struct brig_runtime *rt,
                          struct brig_err *err);
/* Make the running jail's port forwards those of env. */
int brig_linux_expose_sync(const struct brig_jail_env *env, const struct brig_runtime *rt,
                           struct brig_err *err);

#endif
