/* The state store: SQLite (WAL) at ${workdir}/var/db/local.sqlite. Jails (one
 * column per parameter), their NICs, IPAM, runtime state, the lifecycle journal
 * and node facts. The only module that includes sqlite3.h. */
#ifndef BRIG_STORE_H
#define BRIG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "params.h"

struct brig_store;

#define BRIG_STORE_VERSION 13

/* Open (and with create, make and migrate) the database at path. */
int brig_store_open(const char *path, bool create, struct brig_store **ret, struct brig_err *err);
void brig_store_close(struct brig_store *st);
/* The schema version of an open store (PRAGMA user_version). */
int brig_store_version(struct brig_store *st);

/* BEGIN IMMEDIATE: takes the write lock now, so read-then-write is atomic. */
int brig_store_begin(struct brig_store *st, struct brig_err *err);
int brig_store_commit(struct brig_store *st, struct brig_err *err);
void brig_store_rollback(struct brig_store *st);

/* Node facts and settings (inventory). *ret is NULL when key is missing. */
int brig_store_node_set(struct brig_store *st, const char *key, const char *value,
                        struct brig_err *err);
int brig_store_node_get(struct brig_store *st, const char *key, char **ret, struct brig_err *err);

/* Insert a jail (all values set); fills j->id. Duplicate names are BRIG_EUSAGE. */
int brig_store_jail_insert(struct brig_store *st, struct brig_jail *j, struct brig_err *err);
/* Load jail jname; a missing jail is BRIG_EUSAGE "no such jail". */
int brig_store_jail_get(struct brig_store *st, const char *jname, struct brig_jail *ret,
                        struct brig_err *err);
int brig_store_jail_update(struct brig_store *st, const struct brig_jail *j, struct brig_err *err);
int brig_store_jail_delete(struct brig_store *st, int64_t id, struct brig_err *err);
/* Record jail id's id range (its first host id; 0: none). */
int brig_store_jail_set_idmap(struct brig_store *st, int64_t id, uint32_t base,
                              struct brig_err *err);
/* The first ids of every jail's range, in *ret (malloc'ed). */
int brig_store_idmap_list(struct brig_store *st, uint32_t **ret, size_t *ret_n,
                          struct brig_err *err);
/* Names of all jails matching a glob (NULL: all), sorted. */
int brig_store_jail_names(struct brig_store *st, const char *glob, char ***ret,
                          struct brig_err *err);

/* One row of a jail listing: the requested columns plus runtime state. */
struct brig_jail_row {
    int64_t id;
    const char *const *v; /* indexed like the requested columns */
    int64_t pid;          /* 0 when not recorded as running */
    int64_t starttime;
    uint64_t pidfs_ino; /* 0: not recorded */
};
typedef int (*brig_jail_row_cb)(const struct brig_jail_row *row, void *ud);
int brig_store_jail_list(struct brig_store *st, const enum brig_param_id *cols, size_t ncols,
                         brig_jail_row_cb cb, void *ud, struct brig_err *err);

/* NICs (CBSD's jailnic), ordered by idx. */
int brig_store_nic_list(struct brig_store *st, int64_t jail_id, struct brig_nic **ret,
                        size_t *ret_n, struct brig_err *err);
/* Whether a NIC of any jail has the MAC hwaddr. */
int brig_store_mac_used(struct brig_store *st, const char *hwaddr, bool *ret, struct brig_err *err);
int brig_store_nic_insert(struct brig_store *st, struct brig_nic *nic, struct brig_err *err);
int brig_store_nic_update(struct brig_store *st, const struct brig_nic *nic, struct brig_err *err);
int brig_store_nic_delete(struct brig_store *st, int64_t jail_id, int idx, struct brig_err *err);
void brig_nics_free(struct brig_nic *nics, size_t n);

/* Host directories of a jail (jfstab), ordered by dst. */
int brig_store_fstab_list(struct brig_store *st, int64_t jail_id, struct brig_fstab **ret,
                          size_t *ret_n, struct brig_err *err);
/* Record e for the jail; a dst already recorded is BRIG_EUSAGE. */
int brig_store_fstab_insert(struct brig_store *st, int64_t jail_id, const struct brig_fstab *e,
                            struct brig_err *err);
/* Forget the entry at dst; *ret_found says whether there was one. */
int brig_store_fstab_delete(struct brig_store *st, int64_t jail_id, const char *dst,
                            bool *ret_found, struct brig_err *err);
void brig_fstabs_free(struct brig_fstab *v, size_t n);

/* Port forwards of jail jail_id (0: of every jail), by jail name, proto, port;
 * free with brig_exposes_free. */
int brig_store_expose_list(struct brig_store *st, int64_t jail_id, struct brig_expose **ret,
                           size_t *ret_n, struct brig_err *err);
int brig_store_expose_insert(struct brig_store *st, const struct brig_expose *e,
                             struct brig_err *err);
/* Delete jail_id's forward of proto port in on addr; *ret_found says whether there was one. */
int brig_store_expose_delete(struct brig_store *st, const struct brig_expose *e, bool *ret_found,
                             struct brig_err *err);

/* IPAM. Addresses are stored without prefix; v4 ones also as a number. */
int brig_store_ipam_reserve(struct brig_store *st, const char *addr, int64_t jail_id, int nic_idx,
                            const char *kind, struct brig_err *err);
/* Allocate the lowest free IPv4 in [lo, hi] for jail_id; returns it in *ret. */
int brig_store_ipam_alloc(struct brig_store *st, uint32_t lo, uint32_t hi, int64_t jail_id,
                          int nic_idx, uint32_t *ret, struct brig_err *err);
/* Whether NIC nic_idx of jail_id holds an address IPAM picked (ip4_addr=DHCP). */
int brig_store_ipam_dhcp(struct brig_store *st, int64_t jail_id, int nic_idx, bool *ret,
                         struct brig_err *err);
/* How address addr was given: "static", "dhcp", "dhcp6"; *ret NULL when it is free. */
int brig_store_ipam_kind(struct brig_store *st, const char *addr, char **ret, struct brig_err *err);
/* Release a jail's addresses (nic_idx < 0: all of its NICs). */
int brig_store_ipam_release(struct brig_store *st, int64_t jail_id, int nic_idx,
                            struct brig_err *err);

/* Runtime state: the jail's init (pid, start time, pidfs inode), or a backend jid;
 * all zero when none is recorded. */
int brig_store_runtime_set(struct brig_store *st, int64_t jail_id, const struct brig_runtime *rt,
                           struct brig_err *err);
int brig_store_runtime_get(struct brig_store *st, int64_t jail_id, struct brig_runtime *ret,
                           struct brig_err *err);
int brig_store_runtime_clear(struct brig_store *st, int64_t jail_id, struct brig_err *err);
/* Whether any jail or VM runs, or has a lifecycle operation to finish or undo. */
int brig_store_runtime_any(struct brig_store *st, bool *ret, struct brig_err *err);

/* The lifecycle journal: which operation on a jail is in flight and how far it got. */
struct brig_journal {
    int64_t jail_id;
    char op[16];
    int step;
    int64_t pid;       /* the brig process that wrote it */
    int64_t starttime; /* and its start time */
};
int brig_store_journal_set(struct brig_store *st, const struct brig_journal *j,
                           struct brig_err *err);
/* *ret_found is false when the jail has no journal entry. */
int brig_store_journal_get(struct brig_store *st, int64_t jail_id, struct brig_journal *ret,
                           bool *ret_found, struct brig_err *err);
int brig_store_journal_clear(struct brig_store *st, int64_t jail_id, struct brig_err *err);
int brig_store_journal_list(struct brig_store *st, struct brig_journal **ret, size_t *ret_n,
                            struct brig_err *err);

#endif
