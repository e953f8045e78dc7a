/* Unix sockets: connect to one by path, send bytes with an fd. */
#ifndef BRIG_LINUX_USOCK_H
#define BRIG_LINUX_USOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* A stream socket connected to path (close on exec), or -1 with err. With
 * own_dir, path's last part must be a socket itself, never a link: brig, as
 * root, connects to a socket in a directory that a less trusted id can write
 * to (a VM's QEMU), which must not send it to another socket of the host. */
int brig_usock_connect(const char *path, bool own_dir, struct brig_err *err);
/* Send len bytes of buf on sock with fd attached (fd < 0: none); EINTR is
 * retried, a closed peer is an error, not a SIGPIPE. What sendmsg returns. */
ssize_t brig_usock_send_fd(int sock, const void *buf, size_t len, int fd);

#endif
