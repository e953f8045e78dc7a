/* A jail's network on Linux: bridges made ready, VNET NICs (veth pairs whose
 * jail end is ethN), REALDHCP clients and the DHCP server,
 * and NAT for brig's default bridge. Used by the lifecycle and by jnic. */
#ifndef BRIG_LINUX_VNET_H
#define BRIG_LINUX_VNET_H

#include <stdbool.h>
#include <sys/types.h>

#include "os/linux/jail.h"
#include "os/linux/net.h"
#include "os/os.h"

/* The bridge a NIC's parent names: "auto" is the node's default bridge. */
const char *brig_vnet_bridge(const struct brig_node *node, const char *parent);
/* Make the bridge usable: the node's default one is created on demand with its
 * gateway address (and NAT when nat_enable=1); any other must exist already. */
/* NAT: the uplink of the node's rules (NULL: any interface), and the rule
 * (with forwarding) for the subnet of a bridge's address. */
const char *brig_vnet_nat_uplink(const struct brig_node *node);
int brig_vnet_nat_add(const struct brig_node *node, const struct brig_addr *bridge_addr,
                      struct brig_err *err);
/* Whether the jail gets a default route of family (AF_INET, AF_INET6) from brig. */
bool brig_vnet_has_default_route(const struct brig_jail_env *env, int family);
/* Whether nat_enable=1 masquerades the default bridge's traffic of family. */
bool brig_vnet_nat_covers(const struct brig_node *node, int family);
/* Whether brig's dnsmasq sends router advertisements on the node's bridge
 * (an IPv6 pool of /64), and whether nic takes its IPv6 address from them
 * (ip4_addr=0 or REALDHCP on that bridge). */
bool brig_vnet_serves_ra(const struct brig_node *node);
bool brig_vnet_wants_ra(const struct brig_node *node, const struct brig_nic *nic);
/* Make sure brig's dnsmasq serves the node's bridge (DHCP, router advertisements). */
int brig_vnet_ra_up(const struct brig_jail_env *env, struct brig_err *err);
int brig_vnet_bridge_ready(struct brig_nl *nl, const struct brig_node *node, const char *bridge,
                           struct brig_err *err);
/* Make the bridge of each of env's NICs ready; *ret_dhcp (may be NULL): a NIC
 * on the node's bridge wants an address from brig's dnsmasq. */
int brig_vnet_bridges_ready(const struct brig_jail_env *env, bool *ret_dhcp, struct brig_err *err);
/* Create and configure NICs nics[0..n) of the jail whose init is pid; their
 * bridges must be ready (brig_vnet_bridge_ready). */
int brig_vnet_nics_up(const struct brig_jail_env *env, pid_t pid, const struct brig_nic *nics,
                      size_t n, struct brig_err *err);
/* The same, for the jail whose network namespace is nsfd. */
int brig_vnet_nics_up_ns(const struct brig_jail_env *env, int nsfd, const struct brig_nic *nics,
                         size_t n, struct brig_err *err);
/* Delete those NICs (host ends; the jail ends go with them). Missing is fine. */
/* A VM's port filters, every NIC's as nic_filter says (the same rules as a
 * jail's veths), in place before its taps are on their bridges. */
int brig_vnet_taps_filter(const struct brig_jail_env *env, struct brig_err *err);
/* Remove a VM's port filters, whatever nic_filter says now; absent ones are success. */
int brig_vnet_taps_unfilter(const struct brig_jail_env *env, struct brig_err *err);
int brig_vnet_nics_down(const struct brig_jail_env *env, const struct brig_nic *nics, size_t n,
                        struct brig_err *err);
/* REALDHCP: make sure dnsmasq serves each REALDHCP NIC's bridge, run a DHCP
 * client in the jail for each, and wait for its lease. */
int brig_vnet_dhcp_up(const struct brig_jail_env *env, const struct brig_jail_exec_spec *exec,
                      int log_fd, const char *console_log, struct brig_err *err);
/* Stop the jail's DHCP clients (before exec_stop, so they never hang a stop). */
int brig_vnet_dhcp_down(const struct brig_jail_env *env, struct brig_err *err);
/* True when a NIC's address list asks for a DHCP client in the jail. */
bool brig_vnet_wants_dhcp(const struct brig_nic *nic);

#endif
