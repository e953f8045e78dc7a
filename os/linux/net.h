/* Linux networking for jails, over rtnetlink (libnl-route-3): bridges, veth pairs
 * whose jail end is born inside the jail's network namespace, addresses and routes;
 * dnsmasq for jails that run their own DHCP client; nftables NAT for brig's bridges.
 *
 * A struct brig_nl is a netlink socket bound to one network namespace for its whole
 * life: open one for the host and one per jail namespace. None of these functions
 * prints; all return 0 or -1 and fill err. They need CAP_NET_ADMIN (and CAP_SYS_ADMIN
 * to open a socket inside another namespace). */
#ifndef BRIG_LINUX_NET_H
#define BRIG_LINUX_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/addr.h"
#include "core/err.h"

struct brig_nl;

/* Open a netlink socket in the calling thread's network namespace. */
int brig_nl_open(struct brig_nl **ret, struct brig_err *err);
/* Open a netlink socket inside the network namespace netns_fd; the calling thread
 * enters it only for the socket() call and returns to its own namespace. */
int brig_nl_open_netns(int netns_fd, struct brig_nl **ret, struct brig_err *err);
/* Close the socket; NULL is fine. */
void brig_nl_close(struct brig_nl *nl);
void brig_nl_closep(struct brig_nl **nl);
#define _cleanup_nl_ __attribute__((cleanup(brig_nl_closep)))
/* Open /proc/<pid>/ns/net (O_CLOEXEC) into *ret_fd. */
int brig_netns_open_pid(pid_t pid, int *ret_fd, struct brig_err *err);
/* Write value to the sysctl file path (under /proc/sys/net: the caller's
 * network namespace). missing_ok: a missing file is not an error. */
int brig_net_sysctl_set(const char *path, const char *value, bool missing_ok, struct brig_err *err);
/* The same in the network namespace nsfd (the calling thread visits it). */
int brig_netns_sysctl_set(int nsfd, const char *path, const char *value, struct brig_err *err);

/* Links. */

/* Set *ret to whether a link called name exists. */
int brig_link_exists(struct brig_nl *nl, const char *name, bool *ret, struct brig_err *err);
/* Bring the link up. */
int brig_link_set_up(struct brig_nl *nl, const char *name, struct brig_err *err);
/* Delete the link; a link that does not exist is success. Deleting either end of a
 * veth removes the pair. */
int brig_link_delete(struct brig_nl *nl, const char *name, struct brig_err *err);
/* Put the link in link group group (no wait); a missing link is success. */
int brig_link_set_group(struct brig_nl *nl, const char *name, uint32_t group, struct brig_err *err);
/* Delete every link of group group in one request (RTM_DELLINK with IFLA_GROUP):
 * the kernel unregisters them together, with one set of RCU waits for all. A
 * group with no link is success. */
int brig_link_delete_group(struct brig_nl *nl, uint32_t group, struct brig_err *err);
/* NULL-terminated list of the names of all links starting with prefix (may be empty). */
int brig_link_list_prefix(struct brig_nl *nl, const char *prefix, char ***ret_names,
                          struct brig_err *err);

/* The link's alias (ifalias; NULL when it has none or does not exist). */
int brig_link_alias(struct brig_nl *nl, const char *name, char **ret, struct brig_err *err);
int brig_link_set_alias(struct brig_nl *nl, const char *name, const char *alias,
                        struct brig_err *err);

/* Every address of every link: cb(link name, address with prefix, ud); a
 * non-zero return stops the walk. */
typedef int (*brig_ifaddr_cb)(const char *ifname, const struct brig_addr *a, void *ud);
int brig_ifaddr_foreach(struct brig_nl *nl, brig_ifaddr_cb cb, void *ud, struct brig_err *err);

/* Bridges. */

struct brig_bridge_info {
    char name[IFNAMSIZ];
    unsigned mtu;
    bool up;
    unsigned members; /* links enslaved to the bridge */
    char **addrs;     /* NULL-terminated "addr/prefix" strings, link-local ones left out */
};

/* Make sure bridge name exists (create it if missing), has address addr ("10.0.0.1/16";
 * NULL: none added) and is up. mtu 0 keeps the kernel's. A non-bridge link of that
 * name is an error. */
int brig_bridge_ensure(struct brig_nl *nl, const char *name, const char *addr, unsigned mtu,
                       struct brig_err *err);
/* Set *ret to whether name exists and is a bridge. */
int brig_bridge_is(struct brig_nl *nl, const char *name, bool *ret, struct brig_err *err);
/* The bridge's MTU (an error when name is not a bridge). */
int brig_bridge_mtu(struct brig_nl *nl, const char *name, unsigned *ret, struct brig_err *err);
/* Every bridge of the namespace, sorted by name. */
int brig_bridge_list(struct brig_nl *nl, struct brig_bridge_info **ret, size_t *ret_n,
                     struct brig_err *err);
void brig_bridge_info_free(struct brig_bridge_info *v, size_t n);
/* Delete a bridge; refused while it has members unless force. Missing is success. */
int brig_bridge_delete(struct brig_nl *nl, const char *name, bool force, struct brig_err *err);
/* Enslave link ifname to bridge. A link that is not a veth, tap or bridge (a physical
 * NIC) is refused unless allow_physical: bridging the uplink is an explicit opt-in.
 * Addresses on ifname stay where they are (they stop working there: move them to the
 * bridge if the host needs them). */
int brig_bridge_attach(struct brig_nl *nl, const char *bridge, const char *ifname,
                       bool allow_physical, struct brig_err *err);

/* Addresses and routes (host side for non-VNET aliases, or a jail's socket). */

/* Add address a (with its prefix) to ifname; already present is success. IPv6
 * addresses skip duplicate detection so they are usable at once. */
int brig_ifaddr_add(struct brig_nl *nl, const char *ifname, const struct brig_addr *a,
                    struct brig_err *err);
/* Remove address a from ifname; already absent is success. */
int brig_ifaddr_del(struct brig_nl *nl, const char *ifname, const struct brig_addr *a,
                    struct brig_err *err);

/* Add (or remove: absent is success) the route to dst (with its prefix) through
 * ifname, scope link. */
int brig_route_dev(struct brig_nl *nl, const char *ifname, const struct brig_addr *dst, bool add,
                   struct brig_err *err);
/* Answer ARP (IPv4) or neighbour solicitations (IPv6) for a on ifname
 * ("ip neigh add proxy"); removing an absent entry, or from a missing link,
 * is success. */
int brig_neigh_proxy(struct brig_nl *nl, const char *ifname, const struct brig_addr *a, bool add,
                     struct brig_err *err);

/* VM NICs: taps. */

/* Taps are "<ifprefix>t<VM id>n<nic idx>" ("bt1n0"), as veth host ends are "<ifprefix>j...". */

struct brig_tap {
    const char *name;
    const char *bridge; /* enslaved here */
    const char *alias;  /* "<jname>-eth<idx>"; NULL: none */
    const uint8_t *mac; /* the link's own MAC (the guest's NIC has its own) */
    uid_t uid;          /* who may attach to it: the VM's QEMU */
    gid_t gid;
};
/* Parse a tap's name back into VM id and NIC index; false when it is not one. */
bool brig_tap_name_parse(const char *name, int64_t *ret_vm_id, int *ret_idx);
/* Create a persistent tap owned by t->uid/gid, with the bridge's MTU, on the
 * bridge, up. On failure nothing is left. */
int brig_tap_create(struct brig_nl *nl, const struct brig_tap *t, struct brig_err *err);
/* An fd of the existing tap name, for the process that moves its frames (O_CLOEXEC). */
int brig_tap_open(const char *name, int *ret_fd, struct brig_err *err);

/* VNET NICs: veth pairs. */

/* Host ends are "<ifprefix>j<jail id>n<nic idx>" ("bj1n0" with the default prefix "b"):
 * short enough for IFNAMSIZ with a 9-digit id, independent of the jail name (renames
 * and migrations keep it), and a prefix no distribution or container tool uses, so
 * recovery can find brig's links by name. The prefix is the workdir's (brig.conf
 * ifprefix=): jail ids of two workdirs meet, their interface names must not. A
 * host end's alias "<jname>-eth<idx> brig node <nodeid>" says whose it is. */
#define BRIG_IFPREFIX_DEFAULT "b"
#define BRIG_IFPREFIX_MAX     3

/* The prefix and node id of the interfaces this process makes (brig_ctx_open sets
 * them from brig.conf; until then "b" and no node). */
void brig_ifnames_use(const char *prefix, const char *nodeid);
/* The prefix in use, e.g. "b". */
const char *brig_ifprefix(void);
/* Whether a host interface whose alias is alias may be taken as this node's:
 * one marked by another node's id is not (NULL alias: no mark, taken). */
bool brig_ifalias_ours(const char *alias);

/* The host end's name for NIC idx of jail jail_id. */
int brig_veth_host_name(int64_t jail_id, int idx, char out[IFNAMSIZ], struct brig_err *err);
/* Parse a host end's name back into jail id and NIC index; false when it is not one. */
bool brig_veth_host_name_parse(const char *name, int64_t *ret_jail_id, int *ret_idx);

struct brig_veth {
    int64_t jail_id;
    int idx;            /* the jail end is eth<idx> */
    const char *jname;  /* for the host end's alias "<jname>-eth<idx> brig node <nodeid>" */
    const char *bridge; /* the host end is enslaved here; NULL: none (a routed link) */
    int netns_fd;       /* the jail's network namespace, or -1 to use netns_pid */
    pid_t netns_pid;
    const uint8_t *mac; /* the jail end's MAC, NULL: random */
    unsigned mtu;       /* the jail end's; 0: the bridge's (the host end always has the bridge's) */
};

/* Create the pair in one RTM_NEWLINK: eth<idx> inside the jail's namespace (with its
 * MAC and MTU, still down: brig_veth_configure brings it up) and the host end on the
 * bridge (at the bridge's MTU); turn IPv6 off on the host end (a bridge port has no address,
 * and would otherwise add routes and multicast chatter that every port of the
 * bridge receives); then bring it up with its alias (the kernel ignores an alias
 * on create). A stale host end of the same name (a previous run still being torn
 * down) is deleted and the create retried once; one another workdir marked as its
 * own is refused and left alone. On failure nothing is left behind. */
/* Fail with one line when the host end hname exists and belongs to another
 * workdir (brig_ifalias_ours); absent or this node's: 0. */
int brig_link_owner_check(struct brig_nl *host, const char *hname, struct brig_err *err);
/* Delete link name unless another workdir marked it as its own (then it stays,
 * and *ret_foreign, when given, says so); a missing link is success. */
int brig_link_delete_ours(struct brig_nl *nl, const char *name, bool *ret_foreign,
                          struct brig_err *err);
int brig_veth_create(struct brig_nl *host, const struct brig_veth *v, struct brig_err *err);
/* Inside the jail (jail is a socket opened in its namespace): bring eth<idx>
 * up (lo is the jail init's), add addrs, and set default routes via gw4 and gw6 (either may be
 * NULL). Without ipv6 eth<idx> gets no IPv6 link-local address (address generation mode "none"): it
 * sends no duplicate address detection, router solicitation or MLD report, which the bridge would
 * flood to every jail on it. */
int brig_veth_configure(struct brig_nl *jail, int idx, bool ipv6, const struct brig_addr *addrs,
                        size_t naddrs, const struct brig_addr *gw4, const struct brig_addr *gw6,
                        struct brig_err *err);
/* Delete NIC idx of jail jail_id from the host side (the jail end goes with it);
 * with group, put its host end in that link group instead, for
 * brig_link_delete_group; another workdir's link of that name stays
 * (brig_link_delete_ours). */
int brig_veth_delete(struct brig_nl *host, int64_t jail_id, int idx, uint32_t group,
                     bool *ret_foreign, struct brig_err *err);

/* DHCP server for REALDHCP jails: one dnsmasq per brig bridge, DHCP only (no DNS). */

struct brig_dhcpd {
    const char *bridge;      /* serve only this bridge */
    const char *gateway;     /* the bridge's address with prefix, "10.0.0.1/16" */
    const char *range_start; /* NULL: the whole subnet except the gateway */
    const char *range_end;
    const char *lease_time; /* NULL: "1h" */
    /* the bridge's IPv6 address with a /64 prefix (NULL: no IPv6): router
     * advertisements for SLAAC, and DHCPv6 from range6_start to range6_end */
    const char *gateway6;
    const char *range6_start;
    const char *range6_end;
    const char *rundir; /* pid and lease files go here (the workdir's var/run) */
};

/* Start dnsmasq for d->bridge unless it already runs; its pid in *ret_pid (may be NULL). */
int brig_dhcpd_start(const struct brig_dhcpd *d, pid_t *ret_pid, struct brig_err *err);
/* Stop the bridge's dnsmasq (found by its pid file); not running is success. */
int brig_dhcpd_stop(const char *rundir, const char *bridge, struct brig_err *err);
/* Set *ret_pid to the running dnsmasq's pid for the bridge, or 0 when none runs. */
int brig_dhcpd_running(const char *rundir, const char *bridge, pid_t *ret_pid,
                       struct brig_err *err);

/* NAT (nftables, in brig's own tables "ip brig" and "ip6 brig"). */

/* Masquerade traffic from subnet ("10.0.0.0/16") leaving by uplink (NULL: any
 * interface) to addresses outside the subnet. Present already is success. */
int brig_nat_add(const char *subnet, const char *uplink, struct brig_err *err);
/* Remove that rule; absent is success. The table goes when its last rule does. */
int brig_nat_remove(const char *subnet, const char *uplink, struct brig_err *err);
/* Set *ret to whether the rule for subnet and uplink is present. */
int brig_nat_has(const char *subnet, const char *uplink, bool *ret, struct brig_err *err);
/* Turn on IPv4 forwarding in the calling thread's network namespace. */
int brig_ip_forward_enable(struct brig_err *err);
/* IPv6 forwarding on; interfaces that take router advertisements keep taking them. */
int brig_ip6_forward_enable(struct brig_err *err);

#endif
