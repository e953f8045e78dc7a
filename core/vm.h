/* Virtual machines beside jails: a VM is a record of the jails table whose
 * emulator is qemu (Linux) or bhyve (FreeBSD), with the VM parameters (vm_*,
 * imgsize, kernel, ci_* ...) and the same NICs, addresses, id range, lock and
 * journal as a jail. Its disks, seed and run files are in ${workdir}/vm/<jname>. */
#ifndef BRIG_VM_H
#define BRIG_VM_H

#include <stdbool.h>

#include "brig.h"

/* ${workdir}/vm/<jname>: the VM's disks, seed ISO, sockets and console log. */
char *brig_vm_dir(const struct brig_ctx *c, const char *jname);
/* The VM's first disk in dir (imgtype: raw or qcow2). */
char *brig_vm_disk_path(const char *dir, const char *imgtype);
/* Whether the VM gets a NoCloud seed (seed.iso): some ci_* parameter is given. */
bool brig_vm_wants_seed(const struct brig_jail *j);
/* Checks of a VM record that involve several parameters. */
int brig_vm_check(const struct brig_jail *j, struct brig_err *err);

/* bcreate: validate args, record the VM with its NICs and addresses, make its
 * directory and disk. On failure nothing is left. With c->dry_run nothing is
 * made, and a kernel that plans the work describes it in plan (may be NULL). */
int brig_bcreate(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_buf *plan,
                 struct brig_jail *ret, struct brig_err *err);
/* bremove: refuse a running VM unless force; its disks and seed go with it.
 * With plan (--dry-run), describe what would go there and change nothing. */
int brig_bremove(struct brig_ctx *c, const char *jname, bool force, struct brig_buf *plan,
                 struct brig_err *err);
/* What bimport puts in a new VM's directory dir (made, owned by its id) in
 * place of a new disk; *ret_seed: write the record's seed ISO after it. */
typedef int brig_vm_fill_fn(const struct brig_jail *j, const char *dir, void *data, bool *ret_seed,
                            struct brig_err *err);
/* bcreate with the directory's content from fill (NULL: a new disk and seed). */
int brig_bcreate_filled(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_buf *plan,
                        brig_vm_fill_fn *fill, void *data, struct brig_jail *ret,
                        struct brig_err *err);
/* What bclone puts in the new VM j's directory dir (missing: fill makes it):
 * its disks, owned by j's id. */
typedef int brig_vm_clone_fn(struct brig_ctx *c, const struct brig_jail *j, const char *dir,
                             void *data, struct brig_err *err);
/* bcreate with the directory made aside by fill, the seed written for the new
 * record; killed at any point, it leaves no VM behind: only garbage that the
 * next bcreate or bclone of the name, or brig_vm_clone_sweep, removes. */
int brig_bcreate_cloned(struct brig_ctx *c, const struct brig_kvlist *args, brig_vm_clone_fn *fill,
                        void *data, struct brig_jail *ret, struct brig_err *err);
/* Remove what interrupted bclones left under vm/ (recover). */
int brig_vm_clone_sweep(struct brig_ctx *c, struct brig_err *err);
/* bclone: copy the stopped VM old (record, disks; new id, MACs, addresses and
 * seed) to the VM args' jname=, with args' parameters over old's. */
int brig_bclone(struct brig_ctx *c, const char *old, const struct brig_kvlist *args,
                struct brig_jail *ret, struct brig_err *err);
/* bls: one callback per VM; state is QMP's status of a running VM ("running",
 * "paused", ...) or "stopped". */
struct brig_bls_row {
    const struct brig_jls_row *r;
    const char *state;
};
typedef int (*brig_bls_cb)(const struct brig_bls_row *row, void *ud);
int brig_bls(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols, brig_bls_cb cb,
             void *ud, struct brig_err *err);
/* What a change of a VM's record does to its cloud-init seed. */
enum brig_seed_change { BRIG_SEED_SAME, BRIG_SEED_WRITE, BRIG_SEED_REMOVE };
/* Check the seed that record j (a change of old) makes and, when it is not
 * old's, write it beside the VM's seed (seed.iso.new) for brig_vm_seed_install. */
int brig_vm_seed_stage(const struct brig_ctx *c, const struct brig_jail *old,
                       const struct brig_jail *j, enum brig_seed_change *ret, struct brig_err *err);
/* Once the record is committed (commit true), put the staged seed in place or
 * remove the seed; otherwise drop what was staged. */
int brig_vm_seed_install(const struct brig_ctx *c, const char *jname, enum brig_seed_change ch,
                         bool commit, struct brig_err *err);
/* Refuse jname unless it is a VM (vm true) or a jail (vm false); verb names the caller. */
int brig_record_kind_check(struct brig_ctx *c, const char *jname, bool vm, const char *verb,
                           struct brig_err *err);
/* bconsole: attach in and out to the running VM's serial console until ~. is typed. */
int brig_bconsole(struct brig_ctx *c, const char *jname, int in, int out, struct brig_err *err);

#endif
