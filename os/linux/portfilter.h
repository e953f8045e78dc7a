/* Bridge port filters: what a VNET jail may send into its bridge. Each filtered
 * NIC gets a chain named after its host end ("bj<id>n<idx>") in brig's own table
 * "bridge brig", reached through one verdict map keyed by the input port, that
 * drops frames whose source MAC is not the NIC's, ARP whose sender is not the
 * NIC's, and (when brig knows the NIC's addresses) IPv4 and IPv6 packets from
 * other addresses. No other table is touched. */
#ifndef BRIG_LINUX_PORTFILTER_H
#define BRIG_LINUX_PORTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/err.h"
#include "core/util.h"

#define BRIG_PORT_FILTER_TABLE "brig"

struct brig_port_filter {
    const char *port; /* the host end of the NIC's veth, "bj<id>n<idx>" */
    uint8_t mac[6];   /* the only source MAC (and ARP sender MAC) let through */
    bool by_addr;     /* the addresses are known: filter IPv4/IPv6 sources too */
    const struct brig_addr *addrs; /* the only sources (prefixes ignored) */
    size_t naddrs;
};

/* The nft commands (one transaction) that make brig's table ready and put the
 * filters f[0..n) in place, each replacing an older one of its port. Pure. */
void brig_port_filter_render_add(struct brig_buf *out, const struct brig_port_filter *f,
                                 size_t n);
/* The nft commands that remove the filters of ports (NULL-terminated), present
 * or not, from a table that exists. Pure. */
void brig_port_filter_render_remove(struct brig_buf *out, const char *const *ports);
/* Put the filters in place in one transaction. Port names must be host-end names. */
int brig_port_filter_add(const struct brig_port_filter *f, size_t n, struct brig_err *err);
/* Remove the filters of ports; absent ones (or no table, or no libnftables) are
 * success, so any later process can run it. */
int brig_port_filter_remove(const char *const *ports, struct brig_err *err);

#endif
