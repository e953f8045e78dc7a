/* Host directories in jails (jfstab): binds of host paths inside a jail's
 * root, made at jstart and added to or removed from a running jail.
 * Every bind is nosuid and nodev (read-only with ro); it is not idmapped: the
 * jail sees a host file's owner through its user namespace, host id first+N
 * as N and anything outside its range as nobody (docs/design.md). dst is
 * resolved inside the jail's root (openat2 RESOLVE_IN_ROOT), so a symlink
 * planted by the jail cannot send the mount outside it. */
#ifndef BRIG_OS_LINUX_FSTAB_H
#define BRIG_OS_LINUX_FSTAB_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "os/os.h"

/* Attach every entry under root_fd, a jail's root (a detached tree or a
 * directory); directories made for dst belong to idmap (the jail's root). */
int brig_fstab_attach_all(int root_fd, const struct brig_fstab *v, size_t n, uint32_t idmap,
                          struct brig_err *err);
/* Add e to the running jail rt, in its mount namespace. */
int brig_linux_fstab_attach(const struct brig_jail_env *env, const struct brig_runtime *rt,
                            const struct brig_fstab *e, struct brig_err *err);
/* Unmount e's dst in the running jail rt; nothing mounted there is success. */
int brig_linux_fstab_detach(const struct brig_jail_env *env, const struct brig_runtime *rt,
                            const struct brig_fstab *e, struct brig_err *err);

#endif
