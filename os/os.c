#include "os.h"

#include <stddef.h>

#include "os/freebsd/ops.h"
#include "os/linux/linux.h"
#include "os/linux/proc.h"

static bool linux_alive(int64_t pid, int64_t starttime)
{
    return brig_proc_alive((pid_t)pid, starttime);
}

static const struct brig_os_ops linux_ops = {
    .name = "linux",
    .inventory = brig_linux_inventory,
    .alive = linux_alive,
    .prepare = brig_linux_prepare,
    .jstart = brig_linux_jstart,
    .jstop = brig_linux_jstop,
    .recover = brig_linux_recover,
    .jexec = brig_linux_jexec,
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
};

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
