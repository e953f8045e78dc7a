/* A minimal rootfs made from the host's statically linked busybox. */
#ifndef BRIG_BASE_BUSYBOX_H
#define BRIG_BASE_BUSYBOX_H

#include "err.h"

#define BRIG_BUSYBOX_PATH "/bin/busybox"

/* Fill the empty directory root with a busybox rootfs: the busybox binary
 * copied from busybox (a path on the host), one symlink per applet, the
 * usual directories, etc/ files (passwd, group, shadow, hosts, profile …),
 * etc/rc and etc/rc.shutdown, and the udhcpc event script. ping (a path on
 * the host, may be NULL) becomes bin/ping and bin/ping6 in place of busybox's
 * applet, which needs raw sockets. */
int brig_busybox_populate(const char *busybox, const char *ping, const char *root,
                          struct brig_err *err);

#endif
