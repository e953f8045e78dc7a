/* The FreeBSD backend: pure functions that turn a jail record, its NICs and
 * the node's facts into plans (os/freebsd/plan.h) of jail(8), ifconfig(8),
 * devfs(8), rctl(8), mount(8) commands, plus parsers of those tools' output.
 * Nothing here touches the machine; brig_plan_exec runs a plan on a FreeBSD
 * host and `brig --os=freebsd ... --dry-run` prints it with brig_plan_render. */
#ifndef BRIG_FREEBSD_H
#define BRIG_FREEBSD_H

#include <stdbool.h>
#include <stddef.h>

#include "devfs_rules.h"
#include "err.h"
#include "model.h"
#include "params.h"
#include "plan.h"

struct brig_buf;

/* A bridge that already exists on the host, and its MTU (0: unknown, 1500 assumed). */
struct brig_freebsd_bridge {
    const char *name;
    unsigned mtu;
};

/* Everything a jail plan depends on; the caller owns all of it. */
struct brig_freebsd_input {
    const struct brig_jail *jail; /* all values filled (brig_jail_fill_defaults); id set */
    const struct brig_nic *nics;  /* VNET jails: NIC rows, nics[i].idx = ethN */
    size_t n_nics;
    const struct brig_node *node;              /* workdir, nodename, bridge, gateway4 */
    const struct brig_devfs_rules *devfs;      /* parsed ${workdir}/etc/devfs.rules */
    const struct brig_devfs_rules *host_devfs; /* the host's /etc/devfs.rules, or NULL */
    const char *release;                       /* host release "major.minor", e.g. "14.1" */
    const struct brig_freebsd_bridge *bridges; /* bridges that exist now */
    size_t n_bridges;
    const char *uplink;      /* uplink NIC added to a bridge brig creates ("" or NULL: none) */
    unsigned uplink_mtu;     /* its MTU (0: 1500) */
    const char *ip_resolved; /* non-VNET jails: ip4_addr after IPAM (NULL: the jail's value) */
    int racct;               /* kern.racct.enable: 1, 0, or -1 when unknown */
    const struct brig_expose *exposes; /* port forwards, their target filled */
    size_t n_exposes;
};

/* A FreeBSD release as major and minor numbers. */
struct brig_freebsd_release {
    unsigned major, minor;
};

/* jail.conf(5) text for the jail, appended to out (see docs/freebsd.md for
 * what is in it and why exec.start is not). BRIG_EUSAGE on values jail(8)
 * would refuse. */
int brig_freebsd_jailconf(const struct brig_freebsd_input *in, struct brig_buf *out,
                          struct brig_err *err);
/* Append s to out as a jail.conf(5) double-quoted string that reads back as s. */
void brig_freebsd_conf_quote(struct brig_buf *out, const char *s);

struct brig_addr_item;
/* The host interface jail(8) puts a non-VNET jail's alias on: the
 * element's own, else interface= (auto: the uplink); NULL for none
 * (interface=0, or no uplink). */
const char *brig_freebsd_alias_iface(const struct brig_freebsd_input *in,
                                     const struct brig_addr_item *a);

/* The jstart plan: devfs ruleset, mounts, bridges, rctl, hooks, jail -c,
 * epairs moved in and renamed, addresses, routes, exec.start. */
int brig_freebsd_plan_jstart(const struct brig_freebsd_input *in, struct brig_plan *ret,
                             struct brig_err *err);
/* The jstop plan: hooks, exec.stop, epairs destroyed, jail -r, rctl -r, unmounts. */
int brig_freebsd_plan_jstop(const struct brig_freebsd_input *in, struct brig_plan *ret,
                            struct brig_err *err);
/* The jcreate plan: a thick jail's data is a copy of basedir; a thin jail's
 * data holds copies of the base's writable directories (etc, root, tmp, var,
 * usr/local) that jstart mounts over the read-only base. */
int brig_freebsd_plan_prepare(const struct brig_jail *j, const char *basedir, struct brig_plan *ret,
                              struct brig_err *err);
/* The commands whose output inventory parses (vimage, racct, release, zfs). */
int brig_freebsd_plan_inventory(struct brig_plan *ret, struct brig_err *err);
/* The repo plan: fetch MIRROR/ARCH/VER-RELEASE/{base,kernel}.txz and extract it into
 * ${workdir}/basejail/freebsdMAJ_MIN-ARCH (sources "base", the name jails give as
 * base=) or ${workdir}/kernel/freebsdMAJ_MIN-ARCH (sources "kernel"). */
int brig_freebsd_plan_repo(const struct brig_node *node, const char *sources, const char *ver,
                           const char *arch, struct brig_plan *ret, struct brig_err *err);

/* The bridge of a jail's or VM's NIC and its MTU, appending to plan the
 * steps that create the node's default bridge when it is missing (once:
 * created lists the bridges the plan already creates). */
int brig_freebsd_nic_bridge(const struct brig_freebsd_input *in, struct brig_plan *plan,
                            char ***created, const struct brig_nic *nic, const char **ret,
                            unsigned *ret_mtu, struct brig_err *err);

/* VMs (emulator=bhyve, os/freebsd/plan_vm.c; docs/freebsd.md). The bstart
 * plan: vmm and nmdm loaded, one tap per NIC on its bridge, bhyveload for a
 * FreeBSD guest without UEFI, then bhyve under daemon(8). */
int brig_freebsd_plan_bstart(const struct brig_freebsd_input *in, struct brig_plan *ret,
                             struct brig_err *err);
/* The bstop plan: ACPI power button (SIGTERM), hard_timeout, forced power
 * off, bhyvectl --destroy, taps destroyed; every step may fail, so it also
 * clears what a crashed VM left. */
int brig_freebsd_plan_bstop(const struct brig_freebsd_input *in, struct brig_plan *ret,
                            struct brig_err *err);
/* The bcreate plan: the VM's directory and its raw disk (truncate -s). */
int brig_freebsd_plan_bcreate(const struct brig_freebsd_input *in, struct brig_plan *ret,
                              struct brig_err *err);
/* The bremove plan: a leftover vmm instance destroyed, the VM's files removed. */
int brig_freebsd_plan_bremove(const struct brig_freebsd_input *in, struct brig_plan *ret,
                              struct brig_err *err);
/* What bhyve cannot do with a VM record (qcow2, direct kernel boot, BIOS for
 * a guest that is not FreeBSD, a comma in a value of a bhyve option list). */
int brig_freebsd_vm_check(const struct brig_jail *j, struct brig_err *err);
/* Tap of NIC idx of VM id: "tap<id><idx>", a unit if_tap(4) takes (0-32767). */
int brig_freebsd_tapname(int64_t vm_id, int idx, char ret[16], struct brig_err *err);

/* Host-side end of NIC idx of jail id ("bj<id>e<idx>a"); BRIG_EUSAGE when too long. */
int brig_freebsd_ifname(int64_t jail_id, int idx, char side, char ret[16], struct brig_err *err);
/* The workdir's ifprefix for the names above ("b": bj<id>e<idx><side>); NULL: "b". */
void brig_freebsd_ifprefix_set(const char *prefix);

/* `ifconfig epair create` output ("epair5a\n") -> "epair5a". */
int brig_freebsd_parse_epair(const char *out, char **ret, struct brig_err *err);
/* `sysctl -n kern.features.vimage` or `kern.racct.enable` output -> true/false. */
int brig_freebsd_parse_sysctl_bool(const char *out, bool *ret, struct brig_err *err);
/* `jls -j NAME jid` output -> the jid. */
int brig_freebsd_parse_jid(const char *out, int *ret, struct brig_err *err);
/* `uname -r`, `freebsd-version` or `sysctl -n kern.osrelease` output -> release. */
int brig_freebsd_parse_release(const char *out, struct brig_freebsd_release *ret,
                               struct brig_err *err);
/* `ifconfig NAME` output -> the interface's mtu. */
int brig_freebsd_parse_mtu(const char *out, unsigned *ret, struct brig_err *err);
/* True when release a is at least major.minor. */
bool brig_freebsd_release_atleast(const struct brig_freebsd_release *a, unsigned major,
                                  unsigned minor);

#endif
