#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "jail_int.h"
#include "util.h"

/* What a FreeBSD jail's root may do, in Linux capabilities. Everything else
 * acts on the host (modules, raw I/O, the clock, reboot, MAC, audit, the
 * kernel log, BPF, perf, checkpoint/restore, resource limits, priorities)
 * and is dropped. CAP_SYS_PTRACE is dropped too: jail root can still trace
 * its own processes (same uid, same capabilities), but not the init, which
 * is non-dumpable, nor a jexec process before it execs.
 * CAP_DAC_READ_SEARCH is dropped since it is what open_by_handle_at needs. */
static const int base_caps[] = {
    CAP_CHOWN,      CAP_DAC_OVERRIDE, CAP_FOWNER,  CAP_FSETID,           CAP_KILL,
    CAP_SETGID,     CAP_SETUID,       CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST,
    CAP_SYS_CHROOT, CAP_LEASE,        CAP_SETFCAP,
};

uint64_t brig_jail_cap_mask(const struct brig_jail_policy *p)
{
    uint64_t m = 0;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(base_caps); i++)
        m |= UINT64_C(1) << base_caps[i];
    /* IPC_OWNER bypasses System V IPC permissions: only over the jail's own IPC. */
    if (!p->allow_sysvipc)
        m |= UINT64_C(1) << CAP_IPC_OWNER;
    if (p->allow_raw_sockets || p->net_raw)
        m |= UINT64_C(1) << CAP_NET_RAW;
    /* Only a jail with its own network stack may configure one. */
    if (p->vnet)
        m |= UINT64_C(1) << CAP_NET_ADMIN;
    /* Without a user namespace this is the host's CAP_SYS_ADMIN: allow_mount
     * trusts jail root as much as FreeBSD's allow.mount does, and more. */
    if (p->allow_mount)
        m |= UINT64_C(1) << CAP_SYS_ADMIN;
    return m;
}

/* Cut the bounding and ambient sets to mask: what later programs can get. */
static int caps_bound(uint64_t mask, struct brig_err *err)
{
    int last = (int)cap_max_bits() - 1;
    for (int c = 0; c <= last; c++) {
        if (c < 64 && (mask & (UINT64_C(1) << c)))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return brig_err_sys(err, errno, "drop capability %d from the bounding set", c);
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return brig_err_sys(err, errno, "clear the ambient capabilities");
    return 0;
}

/* Keep only mask in the effective and permitted sets; clear the inheritable. */
static int caps_apply(uint64_t mask, struct brig_err *err)
{
    int last = (int)cap_max_bits() - 1;
    cap_t caps = cap_get_proc();
    if (!caps)
        return brig_err_sys(err, errno, "read the process capabilities");
    int r = 0;
    if (cap_clear_flag(caps, CAP_INHERITABLE) < 0)
        r = -1;
    for (int c = 0; c <= last && r == 0; c++) {
        if (c < 64 && (mask & (UINT64_C(1) << c)))
            continue;
        cap_value_t v = c;
        if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) < 0 ||
            cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_CLEAR) < 0)
            r = -1;
    }
    if (r == 0 && cap_set_proc(caps) < 0)
        r = -1;
    int saved = errno;
    cap_free(caps);
    if (r < 0)
        return brig_err_sys(err, saved, "set the process capabilities");
    return 0;
}

int brig_jail_restrict_early(const struct brig_jail_policy *p, struct brig_err *err)
{
    /* The filter first: loading it without no_new_privs needs CAP_SYS_ADMIN. */
    if (brig_jail_seccomp_load(p, err) < 0)
        return -1;
    return caps_bound(brig_jail_cap_mask(p), err);
}

int brig_jail_restrict_late(const struct brig_jail_policy *p, struct brig_err *err)
{
    return caps_apply(brig_jail_cap_mask(p), err);
}

int brig_jail_restrict(const struct brig_jail_policy *p, struct brig_err *err)
{
    return brig_jail_restrict_early(p, err) < 0 ? -1 : brig_jail_restrict_late(p, err);
}
