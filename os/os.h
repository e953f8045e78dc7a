/* The one interface the core calls for kernel work: an ops table per kernel.
 * os/linux/ executes; os/freebsd/ renders plans. */
#ifndef BRIG_OS_H
#define BRIG_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "kv.h"
#include "lifecycle.h"
#include "model.h"
#include "params.h"

struct brig_buf;

/* Everything a backend needs about one jail, assembled by the core. Borrowed. */
struct brig_jail_env {
    const struct brig_jail *jail;
    const struct brig_nic *nics; /* VNET NICs, by idx (NIC 0 mirrors the jail's columns) */
    size_t nnics;
    const struct brig_fstab *fstab; /* host directories mounted in the jail (jfstab) */
    size_t nfstab;
    const struct brig_node *node;
    const char *sysdir;      /* jails-system/<jname>: console log, run files */
    const char *basedir;     /* basejail/<base> */
    const char *devfs_rules; /* text of etc/devfs.rules */
    struct brig_buf *plan;   /* dry run: describe the work here instead of doing it */
    char ***notes;           /* one-line notes for the user are pushed here; may be NULL */
    const struct brig_expose *exposes; /* port forwards, with their target filled */
    size_t nexposes;
    const char *vmdir; /* a VM's directory (disks, seed, sockets); NULL for a jail */
    /* jstop of several jails in one command: the host ends of the NICs join this
     * link group, deleted all at once by links_release before the command
     * returns; 0: each is deleted at once */
    uint32_t link_group;
};

/* One bridge of the host, as brig bridge action=list shows it. */
struct brig_bridge_entry {
    char *name;
    unsigned mtu;
    bool up;
    char **addrs;   /* NULL-terminated "addr/prefix" strings, link-local ones left out */
    char **members; /* NULL-terminated names of the links attached to it */
};
/* Free n entries and the array. */
void brig_bridge_entries_free(struct brig_bridge_entry *v, size_t n);

struct brig_os_ops {
    const char *name;
    /* Append the node's facts (inventory keys) to facts. */
    int (*inventory)(struct brig_kvlist *facts, struct brig_err *err);
    /* Is the recorded jail init still running? */
    bool (*alive)(const struct brig_runtime *rt);
    /* Make a new jail's data directory from its base (thick jails copy it). */
    int (*prepare)(const struct brig_jail_env *env, struct brig_err *err);
    /* Fill the new jail to's (empty) data directory from the stopped jail from's,
     * its files moved into to's id range. NULL: a kernel brig cannot clone on. */
    int (*clone_data)(const struct brig_jail_env *from, const struct brig_jail *to,
                      struct brig_err *err);
    /* Copy the tree src to dst (which must not exist) as it is: owners, modes,
     * xattrs, hard and symbolic links, holes; reflinks where the file system
     * has them (jsnapshot). NULL: a kernel brig cannot snapshot on. */
    int (*tree_copy)(const char *src, const char *dst, struct brig_err *err);
    /* Freeze (frozen) or thaw every process of the running jail, so that a
     * copy of its files is consistent. */
    int (*freeze)(const struct brig_jail_env *env, bool frozen, struct brig_err *err);
    /* Start the jail; its identity in *ret. Progress goes to the journal. */
    int (*jstart)(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                  struct brig_runtime *ret, struct brig_err *err);
    /* Stop the running jail rt (exec_stop, TERM, stop_timeout, KILL) and tear it down. */
    int (*jstop)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                 const struct brig_journal_hook *journal, struct brig_err *err);
    /* Undo whatever a crashed jstart or jstop left: no process, mount, cgroup or
     * interface of the jail remains. rt may be zero (unknown). */
    int (*recover)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                   struct brig_err *err);
    /* Run argv (NULL: a login shell) inside the running jail as user (NULL: root);
     * flags: enum brig_exec_flags. */
    int (*jexec)(const struct brig_jail_env *env, const struct brig_runtime *rt, const char *user,
                 char *const *argv, unsigned flags, int *ret_status, struct brig_err *err);
    /* Create and configure one more NIC in the running VNET jail rt. */
    int (*nic_up)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                  const struct brig_nic *nic, struct brig_err *err);
    /* Delete one NIC of the running VNET jail rt; missing is success. */
    int (*nic_down)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                    const struct brig_nic *nic, struct brig_err *err);
    /* Delete every link of group at once (one request: one set of the kernel's
     * waits for all); no link left in it is success. NULL: a kernel whose
     * stops delete their links themselves. */
    int (*links_release)(uint32_t group, struct brig_err *err);
    /* The host end's interface name of NIC idx of jail jail_id. */
    int (*nic_host_name)(int64_t jail_id, int idx, char *buf, size_t len, struct brig_err *err);
    /* Every bridge of the host, sorted by name. */
    int (*bridge_list)(struct brig_bridge_entry **ret, size_t *ret_n, struct brig_err *err);
    /* Create bridge name with address addr (NULL: none) and mtu (0: the kernel's); with the
     * node's nat_enable=1 its IPv4 subnet is masqueraded to the uplink. */
    int (*bridge_create)(const struct brig_node *node, const char *name, const char *addr,
                         unsigned mtu, struct brig_err *err);
    /* Remove bridge name, its DHCP server and its NAT; refused while links are attached
     * unless force. */
    int (*bridge_remove)(const struct brig_node *node, const char *name, bool force,
                         struct brig_err *err);
    /* Check jail j's parameters against this host (CPUs, controllers); BRIG_EUSAGE.
     * NULL: nothing to check. */
    int (*check_host)(const struct brig_jail *j, struct brig_err *err);
    /* Give the running jail rt the resource limits recorded in env now. NULL: a
     * kernel where limits change only at the next start. */
    int (*limits_set)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                      struct brig_err *err);
    /* Mount host directory e in the running jail rt now / unmount it (nothing
     * there is success). NULL: a kernel where they change only at the next start. */
    int (*fstab_attach)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                        const struct brig_fstab *e, struct brig_err *err);
    int (*fstab_detach)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                        const struct brig_fstab *e, struct brig_err *err);
    /* Make the running jail's port forwards those in env now. NULL: they change
     * at the next start only. */
    int (*expose_sync)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       struct brig_err *err);
    /* Refuse a VM's values this kernel's emulator cannot run (checked at
     * bcreate and bset on any host). NULL: nothing to refuse. */
    int (*vm_check)(const struct brig_jail *j, struct brig_err *err);
    /* Make a new VM's directory and first disk (env->plan: describe it there
     * instead). NULL: the core makes them itself. */
    int (*vm_create)(const struct brig_jail_env *env, struct brig_err *err);
    /* Remove a stopped VM's files (env->plan: describe it there instead).
     * NULL: the core removes its directories itself. */
    int (*vm_remove)(const struct brig_jail_env *env, struct brig_err *err);
    /* A running VM's state as its monitor says ("running", "paused", ...). NULL:
     * a kernel that only plans VMs. */
    int (*vm_status)(const char *vmdir, char *buf, size_t len, struct brig_err *err);
    /* Attach in/out to the running VM's serial console until "~." is typed. */
    int (*vm_console)(const char *vmdir, int in, int out, struct brig_err *err);
};

/* Name what kernel k's ops make after node's settings (ifprefix, nodeid). */
void brig_os_use_node(enum brig_kernel k, const struct brig_node *node);
/* The ops of kernel k (BRIG_K_LINUX or BRIG_K_FREEBSD). */
const struct brig_os_ops *brig_os_get(enum brig_kernel k);
/* The kernel brig runs on. */
enum brig_kernel brig_os_native(void);

#endif
