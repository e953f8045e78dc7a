/* A minimal QMP client: QEMU's monitor protocol over its unix socket, one
 * JSON object per line. Replies are searched, not parsed: brig sends a
 * handful of fixed commands and reads one string field of their answers. */
#ifndef BRIG_LINUX_QMP_H
#define BRIG_LINUX_QMP_H

#include <stddef.h>

#include "core/err.h"

/* Connect to the monitor at path, read its greeting and leave negotiation mode;
 * every read waits at most timeout_ms. The connected fd in *ret_fd. */
int brig_qmp_open(const char *path, int timeout_ms, int *ret_fd, struct brig_err *err);
/* Send {"execute": cmd} and wait for its return (events are skipped); a QMP
 * error is BRIG_EFAIL with QEMU's description. The reply line in *ret (may be NULL). */
int brig_qmp_exec(int fd, const char *cmd, int timeout_ms, char **ret, struct brig_err *err);
/* Wait until QEMU closes the connection (it has exited) for at most timeout_ms;
 * 1 when it closed, 0 on timeout. */
int brig_qmp_wait_close(int fd, int timeout_ms);
/* The string value of "key": "..." in a reply line, into buf; -1 when absent. */
int brig_qmp_field(const char *reply, const char *key, char *buf, size_t len);

#endif
