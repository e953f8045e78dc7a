/* A jail whose pid 1 is the base's own init system (exec_init): what brig's
 * init sets up for it, and the hand-over. Private to the jail process code. */
#ifndef BRIG_OS_LINUX_SYSINIT_H
#define BRIG_OS_LINUX_SYSINIT_H

#include "jail.h"

/* In the init, after the pivot into the root and before the seccomp filter:
 * a cgroup namespace rooted at the jail's cgroup, with the jail's cgroup2
 * hierarchy at /sys/fs/cgroup, tmpfs on /run and /run/lock, and a check that
 * spec->exec_init is a program of the jail. */
int brig_sysinit_prepare(const struct brig_jail_spec *spec, struct brig_err *err);

/* In the init, once the jail is up: exec init as pid 1 with container=brig in
 * its environment and every signal unblocked. Returns only on failure,
 * which it writes to the console before it exits. */
_Noreturn void brig_sysinit_exec(const char *init);

/* The signal number of a stop_signal name (SIGTERM, SIGRTMIN+3, ...); -1 for
 * another name. */
int brig_sysinit_signal(const char *name);

#endif
