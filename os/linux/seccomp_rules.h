/* The jail's seccomp rules (libseccomp), shared by the build-time generator. */
#ifndef BRIG_OS_LINUX_SECCOMP_RULES_H
#define BRIG_OS_LINUX_SECCOMP_RULES_H

#include <seccomp.h>
#include <stdbool.h>

/* Add the jail's attributes, architectures and rules to ctx (made with
 * seccomp_init(SCMP_ACT_ALLOW)). Returns 0 or a negative errno, with
 * *ret_failed naming what failed. */
int brig_seccomp_rules_add(scmp_filter_ctx ctx, bool allow_mount, const char **ret_failed);

#endif
