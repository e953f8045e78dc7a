/* The network of a jail without VNET: its own stack, its own loopback, only its
 * ip4_addr addresses, routed to it by the host (see hostnet.c). */
#ifndef BRIG_LINUX_HOSTNET_H
#define BRIG_LINUX_HOSTNET_H

#include <sys/types.h>

#include "os/os.h"

/* Give the jail whose init is pid its addresses: eth0 on a veth routed by the
 * host; nothing for ip4_addr=0. */
int brig_hostnet_up(const struct brig_jail_env *env, pid_t pid, struct brig_err *err);
/* Remove what brig_hostnet_up made (the veth, its routes, the host's answers
 * for the jail's addresses); what is missing is success. */
int brig_hostnet_down(const struct brig_jail_env *env, struct brig_err *err);

#endif
