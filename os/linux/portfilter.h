/* Bridge port filters: what a VNET jail or a VM may send into its bridge. Each
 * filtered NIC gets a chain named after its host end ("bj<id>n<idx>", a VM's
 * tap "bt<id>n<idx>") in brig's own table
 * "bridge brig", reached through one verdict map keyed by the input port, that
 * drops frames whose source MAC is not the NIC's and ARP whose sender is not
 * the NIC's and, when brig knows the NIC's addresses, jumps to the jail's
 * chain ("bj<id>") that drops IPv4 and IPv6 packets from addresses not the
 * jail's. No other table is touched. */
#ifndef BRIG_LINUX_PORTFILTER_H
#define BRIG_LINUX_PORTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/err.h"
#include "core/util.h"
#include "os/linux/nfnl.h"

#define BRIG_PORT_FILTER_TABLE "brig"
/* "bj" and a 20-digit id */
#define BRIG_PORT_FILTER_NAMELEN 24

/* One NIC's port. */
struct brig_port_filter {
    const char *port; /* the host end of the NIC's veth "bj<id>n<idx>", or a tap "bt<id>n<idx>" */
    uint8_t mac[6];   /* the only source MAC (and ARP sender MAC) let through */
    bool by_addr;     /* the addresses are known: sources held to the jail's */
};

/* A jail's filters: the chain of its addresses ("bj<id>"), which each port
 * with by_addr jumps to, and the ports to (re)make. */
struct brig_jail_filter {
    const char *chain;
    bool addr_chain;               /* (re)make the address chain */
    const struct brig_addr *addrs; /* the only sources (prefixes ignored) */
    size_t naddrs;
    const struct brig_port_filter *ports;
    size_t nports;
};

/* The name of jail jail_id's address chain, "bj<id>". */
void brig_port_filter_jail_chain(int64_t jail_id, char out[BRIG_PORT_FILTER_NAMELEN]);

/* Append to tx the messages (one transaction) that make brig's table ready and
 * put the filters in place, each chain replacing an older one of its name: the
 * rules nft would make of the text the comments in portfilter.c show. Pure. */
void brig_port_filter_render_add(struct brig_nfnl_tx *tx, const struct brig_jail_filter *jf);
/* Put the filters in place in one transaction. Names must be brig's. */
int brig_port_filter_add(const struct brig_jail_filter *jf, struct brig_err *err);
/* Remove the filters of ports and the address chain (may be NULL), over plain
 * netlink (no libnftables); absent ones (or no table, or no nftables in the
 * kernel) are success, so any later process can run it. */
int brig_port_filter_remove(const char *chain, const char *const *ports, struct brig_err *err);

#endif
