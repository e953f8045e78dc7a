/* nftables over plain netlink, for what a jail's start and stop need: making
 * and deleting port filters, and which chains a bridge table holds, without
 * loading libnftables (its loading and cache fetch cost a start or a stop more
 * than the transaction itself). */
#ifndef BRIG_LINUX_NFNL_H
#define BRIG_LINUX_NFNL_H

#include <stdbool.h>
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

/* A transaction being built: batch begin, messages, batch end, every message
 * asking for an acknowledgement, all of them in bridge family. */
struct brig_nfnl_tx {
    struct brig_buf b;
    uint32_t seq;    /* the next message's sequence number */
    unsigned nmsgs;  /* messages that ask for an acknowledgement */
    uint32_t set_id; /* the last set's id in the transaction */
    size_t msg;      /* the open message (rule or elements) */
    size_t list;     /* its open list of expressions or elements */
    unsigned nelems; /* elements in the open list */
};

/* A set of bridge table `table`; name "__set%d" makes an anonymous one. */
struct brig_nfnl_set {
    const char *name;
    uint32_t flags; /* NFT_SET_* */
    uint32_t key_type, key_len;
    uint32_t data_type; /* a map's (NFT_DATA_VERDICT), or 0 */
    uint32_t size;      /* 0: not said */
    const void *udata;  /* what nft keeps with it to list it */
    size_t udata_len;
};

void brig_nfnl_tx_begin(struct brig_nfnl_tx *tx, uint32_t seq);
void brig_nfnl_tx_end(struct brig_nfnl_tx *tx);
void brig_nfnl_tx_free(struct brig_nfnl_tx *tx);
/* Add table (none or the same: no error). */
void brig_nfnl_table(struct brig_nfnl_tx *tx, const char *table);
/* Add a chain; hook >= 0 makes it a base chain of type filter with policy
 * accept at priority prio. */
void brig_nfnl_chain(struct brig_nfnl_tx *tx, const char *table, const char *chain, int hook,
                     int32_t prio);
/* Delete every rule of a chain. */
void brig_nfnl_flush(struct brig_nfnl_tx *tx, const char *table, const char *chain);
/* Add a set; returns its id in the transaction. */
uint32_t brig_nfnl_set(struct brig_nfnl_tx *tx, const char *table, const struct brig_nfnl_set *s);
/* Elements of set `set` (id: its id in this transaction, 0: none): begin,
 * one call per element, end. flags: NFT_SET_ELEM_*; jump: a map element's
 * verdict (NULL: none); udata: kept with the element (may be NULL). */
void brig_nfnl_elems_begin(struct brig_nfnl_tx *tx, const char *table, const char *set,
                           uint32_t id);
void brig_nfnl_elem(struct brig_nfnl_tx *tx, const void *key, size_t len, uint32_t flags,
                    const char *jump, const void *udata, size_t udata_len);
void brig_nfnl_elems_end(struct brig_nfnl_tx *tx);
/* A rule appended to a chain: begin, its expressions, end. Every expression
 * but the verdict works on register 1. */
void brig_nfnl_rule_begin(struct brig_nfnl_tx *tx, const char *table, const char *chain);
void brig_nfnl_rule_end(struct brig_nfnl_tx *tx);
void brig_nfnl_payload(struct brig_nfnl_tx *tx, uint32_t base, uint32_t offset, uint32_t len);
void brig_nfnl_meta(struct brig_nfnl_tx *tx, uint32_t key);
void brig_nfnl_cmp(struct brig_nfnl_tx *tx, uint32_t op, const void *data, size_t len);
/* register 1 = register 1 & mask (len bytes, at most 16); op: say that it is
 * the boolean operation (nft does for an explicit "&", not for a prefix) */
void brig_nfnl_mask(struct brig_nfnl_tx *tx, const void *mask, size_t len, bool op);
/* Look register 1 up in a set (inv: match when absent); verdict: a verdict
 * map, whose element's verdict is the rule's. */
void brig_nfnl_lookup(struct brig_nfnl_tx *tx, const char *set, uint32_t id, bool inv,
                      bool verdict);
/* The rule's verdict: NF_DROP, NF_ACCEPT or NFT_JUMP to chain. */
void brig_nfnl_verdict(struct brig_nfnl_tx *tx, int32_t code, const char *chain);

#endif
