/* Private to the jail process code: the pieces jinit.c and jexec.c share. */
#ifndef BRIG_OS_LINUX_JAIL_INT_H
#define BRIG_OS_LINUX_JAIL_INT_H

#include "jail.h"

/* Load the jail's seccomp filter for this policy (built with libseccomp when
 * brig was) into the calling process; needs CAP_SYS_ADMIN. */
int brig_jail_seccomp_load(const struct brig_jail_policy *p, struct brig_err *err);
/* brig_jail_restrict in two halves, for the init: the seccomp filter and the
 * bounding and ambient sets (early: the process keeps its own capabilities,
 * so it can still set up cgroup namespaces), then the effective, permitted
 * and inheritable sets (late). */
int brig_jail_restrict_early(const struct brig_jail_policy *p, struct brig_err *err);
int brig_jail_restrict_late(const struct brig_jail_policy *p, struct brig_err *err);
/* In the init, before release: mounts, /dev, pivot_root into spec->root, or
 * into root_fd (an unprivileged jail's root, attached at the working directory). */
int brig_jail_mounts_setup(const struct brig_jail_spec *spec, int root_fd, struct brig_err *err);
/* In the init, after pivot_root: hostname, /etc/resolv.conf, /etc/hosts. */
int brig_jail_identity_setup(const struct brig_jail_spec *spec, struct brig_err *err);

#endif
