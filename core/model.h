/* The records the core passes to both kernels' backends: a jail's NICs (CBSD's
 * jailnic) and the node's settings (etc/brig.conf). */
#ifndef BRIG_MODEL_H
#define BRIG_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "params.h"

/* How jexec runs its command. */
enum brig_exec_flags {
    BRIG_EXEC_LOGIN = 1 << 0, /* no argv: the user's login shell */
    BRIG_EXEC_PTY = 1 << 1,   /* on a pty of the jail when stdin is a terminal */
};

/* One NIC of a VNET jail; NIC idx is ethN inside the jail. */
struct brig_nic {
    int64_t id;
    int64_t jail_id;
    int idx;
    char *parent;   /* bridge name, or "auto" for the node's default bridge */
    char *hwaddr;   /* "0": derived from nodename, jname and idx */
    unsigned mtu;   /* 0: take the bridge's */
    char *addrs;    /* resolved ip4_addr list for this NIC: "0", "REALDHCP" or addr/prefix,... */
    char *gw4;      /* "auto", "0" or an address (only NIC 0 sets the default route) */
    bool no_filter; /* nic_filter=0: no bridge port filter (zero, the default, filters) */
};

/* One host directory (or file) mounted in a jail, as a line of CBSD's fstab:
 * "src dst type options". dst is a path inside the jail's root. */
struct brig_fstab {
    char *src;     /* absolute host path */
    char *dst;     /* absolute path inside the jail */
    char *type;    /* "nullfs" (a bind) */
    char *options; /* "rw" or "ro" */
};

/* One port forward (CBSD's expose): proto port `in` of the host's address
 * addr (every address of the host when "") to port `out` of the jail's
 * address `to`. */
struct brig_expose {
    int64_t jail_id;
    char *jname;
    char proto[4]; /* "tcp" or "udp" */
    unsigned in, out;
    char addr[BRIG_ADDR_STRLEN];
    struct brig_addr to; /* the jail's first IPv4 address with its prefix (core fills it) */
};
void brig_exposes_free(struct brig_expose *v, size_t n);

/* The node's settings, read from etc/brig.conf. */
struct brig_node {
    char *workdir;
    char *nodename;
    char *nodeid;       /* this workdir's id on the host: scopes its cgroups */
    char *nodeippool;   /* IPv4 pool for DHCP and the default bridge, e.g. 10.0.0.0/16 */
    char *bridge;       /* default bridge name, e.g. brig0 */
    char *ifprefix;     /* first letters of the host interfaces brig makes, e.g. "b" */
    char *gateway4;     /* the default bridge's address with prefix, e.g. 10.0.0.1/16 */
    char *nodeip6pool;  /* the setting: "auto", "0" or an IPv6 prefix */
    char *pool6;        /* the IPv6 pool in force, e.g. fd12:3456:789a::/64 (NULL: none) */
    char *gateway6;     /* the default bridge's IPv6 address, e.g. fd12:3456:789a::1/64 */
    char *uplink;       /* uplink interface for NAT and FreeBSD's auto bridge, or "auto" */
    char *default_base; /* base for jcreate without base= */
    char *debian_mirror;
    char *freebsd_mirror;
    bool nat_enable;
};

void brig_nic_clear(struct brig_nic *n);
void brig_node_clear(struct brig_node *n);

/* A running jail's identity: its init's pid and start time, and where the
 * kernel has pidfs the inode of its pidfd (0: unknown), checked without /proc. */
struct brig_runtime {
    int64_t pid;
    int64_t starttime;
    uint64_t pidfs_ino;
};

#endif
