/* Private to the jail process code: the pieces jinit.c and jexec.c share. */
#ifndef BRIG_OS_LINUX_JAIL_INT_H
#define BRIG_OS_LINUX_JAIL_INT_H

#include "jail.h"

/* Load the jail's seccomp filter into the calling process (needs CAP_SYS_ADMIN). */
int brig_jail_seccomp_load(const struct brig_jail_policy *p, struct brig_err *err);
/* In the init, after release: mounts, /dev, pivot_root into spec->root. */
int brig_jail_mounts_setup(const struct brig_jail_spec *spec, struct brig_err *err);
/* In the init, after pivot_root: hostname, /etc/resolv.conf, /etc/hosts. */
int brig_jail_identity_setup(const struct brig_jail_spec *spec, struct brig_err *err);

#endif
