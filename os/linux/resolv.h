/* The jail's /etc/resolv.conf for jnameserver=auto. */
#ifndef BRIG_LINUX_RESOLV_H
#define BRIG_LINUX_RESOLV_H

#include "os/os.h"

/* The text of the jail's resolv.conf: the host's name servers (its
 * /etc/resolv.conf) that the jail can reach. When it reaches none, the text
 * says so and *ret_note is a one-line note for the user. A jail with no
 * address from brig (ip4_addr=0, REALDHCP) gets NULL: it writes its own. */
int brig_resolv_auto(const struct brig_jail_env *env, char **ret_text, char **ret_note,
                     struct brig_err *err);

#endif
