/* The Linux meaning of a devfs ruleset: which nodes a jail's tmpfs /dev
 * holds (and with which owner and mode), and which device permissions the
 * jail gets instead of a node (bpf -> raw sockets, pf -> its own firewall).
 * Pure computation: creating the nodes is the jail init's work. */
#ifndef BRIG_DEVNODES_H
#define BRIG_DEVNODES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "devfs_rules.h"
#include "err.h"

enum brig_devnode_kind {
    BRIG_DEVNODE_CHAR,    /* mknod S_IFCHR major:minor */
    BRIG_DEVNODE_DIR,     /* mkdir */
    BRIG_DEVNODE_SYMLINK, /* symlink to target */
};

/* One entry to create under the jail's /dev; parents come before children. */
struct brig_devnode {
    char *path; /* relative to /dev: "null", "net/tun", "pts", "stdin" */
    enum brig_devnode_kind kind;
    unsigned major, minor; /* CHAR */
    mode_t mode;           /* CHAR and DIR: permission bits */
    uid_t uid;             /* CHAR and DIR, as seen inside the jail */
    gid_t gid;
    char *target; /* SYMLINK: link text, e.g. "/proc/self/fd/0" or "pts/ptmx" */
};

/* Everything a ruleset means for one Linux jail. */
struct brig_devnodes {
    struct brig_devnode *nodes;
    size_t n;
    bool devpts;     /* mount a new devpts instance (newinstance,ptmxmode=0666) on /dev/pts */
    bool net_raw;    /* bpf* unhidden: keep CAP_NET_RAW (raw and packet sockets, for DHCP) */
    bool tun;        /* tun* or tap* unhidden: net/tun is in nodes */
    bool pf;         /* pf unhidden: the jail manages its own firewall (CAP_NET_ADMIN, VNET) */
    char **unmapped; /* FreeBSD names the ruleset unhides that Linux gives no node (NULL: none) */
};

/* Look up a user (group=false) or group name in the jail's databases;
 * return 0 and set *ret_id, or -1 when unknown. */
typedef int (*brig_devnodes_owner_fn)(bool group, const char *name, unsigned *ret_id,
                                      void *userdata);

/* Compute the /dev entries and flags of a flattened ruleset (NULL: FreeBSD's
 * ruleset 0, no rules, everything visible). Owners in rules may be numbers,
 * root/wheel, or names that owner (may be NULL) resolves; anything else is
 * BRIG_EUSAGE. */
int brig_devnodes_plan(const struct brig_devfs_flat *flat, brig_devnodes_owner_fn owner,
                       void *userdata, struct brig_devnodes *ret, struct brig_err *err);
/* The entry with this path, or NULL. */
const struct brig_devnode *brig_devnodes_find(const struct brig_devnodes *d, const char *path);
/* Free what brig_devnodes_plan filled and zero it; safe on a zeroed struct. */
void brig_devnodes_clear(struct brig_devnodes *d);

#endif
