/* nftables over plain netlink, for what a jail's stop needs: which chains a
 * bridge table holds, and deleting port filters, without loading libnftables
 * (its loading and cache fetch cost a stop more than the deletion itself). */
#ifndef BRIG_LINUX_NFNL_H
#define BRIG_LINUX_NFNL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/util.h"

/* Append one transaction (batch begin, its messages, batch end) to out that
 * deletes, in bridge table `table`, each port's element of map `map`, the
 * rules and then the chain of that port, and last the rules and chain `chain`
 * (NULL: keep it). Every message asks for an acknowledgement; sequence
 * numbers start at seq. Returns the number of messages. Pure. */
unsigned brig_nfnl_render_remove(struct brig_buf *out, const char *table, const char *map,
                                 const char *chain, const char *const *ports, uint32_t seq);

/* Append to *v the names of the chains of table `table` in buf, a part of a
 * dump of chains. Returns 1 when the dump ends in buf, 0 when more is to
 * come, or -errno for an error message or a malformed one. Pure. */
int brig_nfnl_chains_parse(const void *buf, size_t len, const char *table, char ***v);

/* The chains of bridge table `table` (NULL-terminated, empty when there is no
 * such table or nftables is not in the kernel) into *ret. */
int brig_nfnl_bridge_chains(const char *table, char ***ret, struct brig_err *err);

/* Send the transaction batch (nmsgs messages that ask for an
 * acknowledgement) and wait for every acknowledgement. */
int brig_nfnl_commit(const struct brig_buf *batch, unsigned nmsgs, struct brig_err *err);

#endif
