#include "os.h"

#include <stddef.h>
#include <stdio.h>

#include "os/freebsd/freebsd.h"
#include "os/freebsd/ops.h"
#include "os/linux/linux.h"
#include "os/linux/vm.h"
#include "os/linux/fstab.h"
#include "os/linux/net.h"
#include "os/linux/netops.h"
#include "os/linux/proc.h"

static bool linux_alive(const struct brig_runtime *rt)
{
    return brig_proc_alive_id((pid_t)rt->pid, rt->starttime, rt->pidfs_ino);
}

/* bridge and jnic act on the host's own network: on another kernel they need its host. */
static int fbsd_nic_up(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const struct brig_nic *nic, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "live NIC changes need a FreeBSD host");
}

static int fbsd_nic_down(const struct brig_jail_env *env, const struct brig_runtime *rt,
                         const struct brig_nic *nic, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "live NIC changes need a FreeBSD host");
}

/* The host end is the epair's 'a' side, named from the jail id like every plan does. */
static int fbsd_nic_host_name(int64_t jail_id, int idx, char *buf, size_t len, struct brig_err *err)
{
    char name[16];
    if (brig_freebsd_ifname(jail_id, idx, 'a', name, err) < 0)
        return -1;
    snprintf(buf, len, "%s", name);
    return 0;
}

static int fbsd_bridge_list(struct brig_bridge_entry **ret, size_t *ret_n, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "listing bridges needs a FreeBSD host");
}

static int fbsd_bridge_create(const struct brig_node *node, const char *name, const char *addr,
                              unsigned mtu, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "creating a bridge needs a FreeBSD host");
}

static int fbsd_bridge_remove(const struct brig_node *node, const char *name, bool force,
                              struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "removing a bridge needs a FreeBSD host");
}

static const struct brig_os_ops linux_ops = {
    .name = "linux",
    .inventory = brig_linux_inventory,
    .alive = linux_alive,
    .prepare = brig_linux_prepare,
    .clone_data = brig_linux_clone_data,
    .tree_copy = brig_linux_tree_copy,
    .freeze = brig_linux_freeze,
    .jstart = brig_linux_jstart,
    .jstop = brig_linux_jstop,
    .recover = brig_linux_recover,
    .jexec = brig_linux_jexec,
    .nic_up = brig_linux_nic_up,
    .nic_down = brig_linux_nic_down,
    .links_release = brig_linux_links_release,
    .nic_host_name = brig_linux_nic_host_name,
    .bridge_list = brig_linux_bridge_list,
    .bridge_create = brig_linux_bridge_create,
    .bridge_remove = brig_linux_bridge_remove,
    .check_host = brig_linux_check_host,
    .limits_set = brig_linux_limits_set,
    .fstab_attach = brig_linux_fstab_attach,
    .fstab_detach = brig_linux_fstab_detach,
    .expose_sync = brig_linux_expose_sync,
    .vm_status = brig_linux_vm_status,
    .vm_console = brig_linux_vm_console,
};

static const struct brig_os_ops freebsd_ops = {
    .name = "freebsd",
    .inventory = brig_freebsd_inventory,
    .alive = brig_freebsd_alive,
    .prepare = brig_freebsd_prepare,
    .jstart = brig_freebsd_jstart,
    .jstop = brig_freebsd_jstop,
    .recover = brig_freebsd_recover,
    .jexec = brig_freebsd_jexec,
    .nic_up = fbsd_nic_up,
    .nic_down = fbsd_nic_down,
    .nic_host_name = fbsd_nic_host_name,
    .bridge_list = fbsd_bridge_list,
    .bridge_create = fbsd_bridge_create,
    .bridge_remove = fbsd_bridge_remove,
    .vm_check = brig_freebsd_vm_check,
    .vm_create = brig_freebsd_vm_create,
    .vm_remove = brig_freebsd_vm_remove,
};

void brig_os_use_node(enum brig_kernel k, const struct brig_node *node)
{
    if (k == BRIG_K_FREEBSD)
        brig_freebsd_ifprefix_set(node->ifprefix);
    else
        brig_ifnames_use(node->ifprefix, node->nodeid);
}

const struct brig_os_ops *brig_os_get(enum brig_kernel k)
{
    return k == BRIG_K_FREEBSD ? &freebsd_ops : &linux_ops;
}

enum brig_kernel brig_os_native(void)
{
#ifdef __FreeBSD__
    return BRIG_K_FREEBSD;
#else
    return BRIG_K_LINUX;
#endif
}
