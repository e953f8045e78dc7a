/* Port forwards (expose): DNAT from the host's addresses to a jail's address,
 * in brig's own table "ip brig". Three base chains hold every jail's rules:
 * expose_pre (prerouting: traffic from outside and from other jails),
 * expose_out (output: connections the host itself makes) and expose_post
 * (postrouting: masquerade for forwards whose client sits on the jail's own
 * subnet, so the reply comes back through the host). Each rule carries the
 * comment "brig expose <jail id>", which is how brig finds a jail's rules
 * again, from any later process. */
#ifndef BRIG_LINUX_EXPOSE_H
#define BRIG_LINUX_EXPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/model.h"
#include "core/util.h"

/* One rule of the table, as `nft -a list table ip brig` shows it. */
struct brig_expose_rule {
    char chain[32];
    unsigned long handle;
    int64_t jail_id; /* of the comment "brig expose <id>" */
};

/* The rules of brig's forwards in the text of `nft -a list table ip brig`,
 * in *ret (malloc'ed). Pure. */
void brig_expose_rules_parse(const char *listing, struct brig_expose_rule **ret, size_t *ret_n);
/* The nft commands (one transaction) that make the chains ready, delete
 * the rules old (n_old) of jail_id and add its forwards v (n). Pure. */
void brig_expose_render(struct brig_buf *out, int64_t jail_id, const struct brig_expose_rule *old,
                        size_t n_old, const struct brig_expose *v, size_t n);
/* Make jail_id's rules exactly v (n = 0: none; the chains go with the last
 * forward of the node). No table or no libnftables with n = 0 is success. */
int brig_expose_sync(int64_t jail_id, const struct brig_expose *v, size_t n, struct brig_err *err);

#endif
