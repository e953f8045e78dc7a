/* One jail opened by a verb that acts on it: its record, NICs, lock, the env a
 * backend needs, and its live state. Shared by run.c and netcfg.c. */
#ifndef BRIG_JAILOP_H
#define BRIG_JAILOP_H

#include <stdbool.h>

#include "brig.h"
#include "os/os.h"

struct brig_jail_op {
    struct brig_ctx *c;
    struct brig_jail j;
    struct brig_nic *nics;
    size_t nnics;
    struct brig_fstab *fstab;
    size_t nfstab;
    int lock_fd;
    char *sysdir, *basedir, *rules, *vmdir;
    struct brig_jail_env env;
    struct brig_runtime rt; /* the recorded init; zero when none */
    bool running;           /* rt is alive */
    struct brig_expose *exposes;
    size_t nexposes;
};

/* Load jname and assemble its env; with lock, hold the jail's lock (waiting for
 * another brig working on it) so its state cannot change underneath. */
int brig_jail_op_open(struct brig_ctx *c, const char *jname, bool lock, struct brig_jail_op *op,
                      struct brig_err *err);
/* Open jname (a VM when vm, else a jail; verb names the caller) under its
 * lock for removal: a running one is stopped with force and refused without.
 * brig_jail_op_free(op) is due whatever this returns. */
int brig_jail_op_open_removable(struct brig_ctx *c, const char *jname, bool vm, const char *verb,
                                bool force, struct brig_jail_op *op, struct brig_err *err);
void brig_jail_op_free(struct brig_jail_op *op);
/* Every check of j's configuration that needs no running jail: its values, how
 * they go together (a VM's by brig_vm_check), and (on the kernel brig runs on)
 * what the host has. jcreate, bcreate, jset, bset, jconfig and jstart all use it. */
int brig_jail_preflight(const struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err);
/* With the lock held (run.c): undo what a crash or an ended persist=0 jail left;
 * stop the running jail. */
int brig_jail_op_settle(struct brig_jail_op *op, struct brig_err *err);
int brig_jail_op_stop(struct brig_jail_op *op, struct brig_err *err);
int brig_jail_op_start(struct brig_jail_op *op, struct brig_err *err);
/* With the lock held (jail.c): remove op's stopped jail, its records and directories. */
int brig_jail_op_remove(struct brig_jail_op *op, struct brig_err *err);

/* The journal's steps of a jmigrate (migrate.c), which a recovery reads: the
 * jail is stopped and whole here in each; it ran before the migration and no
 * copy runs elsewhere (recover starts it again); a copy runs on the other node. */
enum brig_migrate_step {
    BRIG_MIGRATE_STOPPED = 1,
    BRIG_MIGRATE_WAS_RUNNING = 2,
    BRIG_MIGRATE_REMOTE_RUNS = 3,
};
/* The address port forwards of j go to: its first IPv4 address, with its
 * prefix; BRIG_EUSAGE when it has none (expose.c). */
int brig_expose_target(const struct brig_jail *j, struct brig_addr *ret, struct brig_err *err);
/* Load op's port forwards into op and its env (expose.c); with no address to
 * forward to, their target's family is 0 and no rule is made for them. */
int brig_jail_op_exposes(struct brig_jail_op *op, struct brig_err *err);

/* Pieces of jcreate that bcreate shares (jail.c), inside a store transaction:
 * IPAM for ip4_addr, the VIMAGE check, NIC 0 from the record's columns, the id range. */
int brig_jail_assign_addresses(struct brig_ctx *c, struct brig_jail *j, struct brig_err *err);
int brig_jail_check_vimage(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err);
/* An address list with each address IPAM picked as DHCP (DHCPv6) again, for a
 * copy of the jail (jclone, jexport) that gets picks of its own; static ones stay. */
char *brig_ipam_unpicked(struct brig_ctx *c, const char *ip);
int brig_jail_sync_nic0(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err);
int brig_jail_assign_idmap(struct brig_ctx *c, struct brig_jail *j, struct brig_err *err);
/* Apply key=value items to a jail (vm false) or VM record: unknown keys, keys of
 * the other kind and bad values are BRIG_EUSAGE. */
int brig_jail_apply_params(struct brig_jail *j, const struct brig_kvlist *kv, bool creating,
                           bool vm, struct brig_err *err);
/* jls (vms false) and bls (vms true): the records of one kind (jail.c). */
int brig_records_list(struct brig_ctx *c, bool vms, const enum brig_param_id *cols, size_t ncols,
                      brig_jls_cb cb, void *ud, struct brig_err *err);

/* Finish or undo what an interrupted jrename of jail j (the store's record) left,
 * under the jail's lock (clone.c). */
int brig_jrename_settle(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err);

/* Finish what an interrupted jsnapshot rollback of j left: its layer is the
 * old or the new one; the other copy goes (snapshot.c). */
int brig_snapshot_settle(const struct brig_jail *j, struct brig_err *err);
/* With the lock held: thaw the running jail an interrupted jsnapshot left
 * frozen (snapshot.c). */
int brig_snapshot_thaw_left(const struct brig_jail_op *op, struct brig_err *err);

#endif
