/* Host-side exec_* hooks (exec_prestart, poststart, prestop, poststop). */
#ifndef BRIG_LINUX_HOOK_H
#define BRIG_LINUX_HOOK_H

#include <stdint.h>

#include "err.h"

/* Run cmd on the host as jail.conf(5) does (the parameter is a sh(1) command
 * line, passed as one argument to /bin/sh -c, never interpolated), with envp
 * added to a clean environment, output appended to log_path within log_cap
 * bytes (conslog.h; 0: no cap) while the hook runs, killed after timeout
 * seconds (0: no limit). A non-zero exit is an error. */
int brig_hook_run(const char *cmd, char *const *envp, const char *log_path, uint64_t log_cap,
                  unsigned timeout, struct brig_err *err);

#endif
