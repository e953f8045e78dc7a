/* The Linux side of brig bridge and brig jnic: bridges as the host sees them,
 * and one NIC at a time added to or removed from a running VNET jail. */
#ifndef BRIG_LINUX_NETOPS_H
#define BRIG_LINUX_NETOPS_H

#include "os/os.h"

/* Create and configure NIC nic inside the running jail rt (veth, MAC, MTU, addresses). */
int brig_linux_nic_up(const struct brig_jail_env *env, const struct brig_runtime *rt,
                      const struct brig_nic *nic, struct brig_err *err);
/* Delete NIC nic of jail env->jail from the host side; missing is success. */
int brig_linux_nic_down(const struct brig_jail_env *env, const struct brig_runtime *rt,
                        const struct brig_nic *nic, struct brig_err *err);
/* Delete every link of link group group in one request; none is success. */
int brig_linux_links_release(uint32_t group, struct brig_err *err);
/* The host end's name of NIC idx of jail jail_id ("bj<id>n<idx>"). */
int brig_linux_nic_host_name(int64_t jail_id, int idx, char *buf, size_t len, struct brig_err *err);
/* Every bridge of the calling thread's network namespace, with addresses and members. */
int brig_linux_bridge_list(struct brig_bridge_entry **ret, size_t *ret_n, struct brig_err *err);
/* Create a bridge (refused when a link of that name exists), with NAT when the node asks. */
int brig_linux_bridge_create(const struct brig_node *node, const char *name, const char *addr,
                             unsigned mtu, struct brig_err *err);
/* Remove a bridge, its dnsmasq and its NAT rules; refused while links are attached
 * unless force. */
int brig_linux_bridge_remove(const struct brig_node *node, const char *name, bool force,
                             struct brig_err *err);

#endif
