/* The rules of the jail's seccomp filter, in libseccomp's terms. Used at
 * build time by seccomp_gen.c, which writes the resulting BPF programs into
 * seccomp_filters.h: the jail's init and jexec load them as they are, with
 * nothing to build at run time. */
#define _GNU_SOURCE
#include "seccomp_rules.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* System calls that act on the host, not on the jail: denied with EPERM
 * whatever the capabilities say, so a capability kept by mistake is not
 * enough. reboot is denied outright: inside a pid namespace it would only
 * signal the init, which jail root can do with kill(1). userfaultfd and
 * perf/bpf are denied as the tools of kernel exploits more than of jails. */
static const char *const denied[] = {
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "swapon",
    "swapoff",
    "clock_settime",
    "clock_settime64",
    "settimeofday",
    "stime",
    "adjtimex",
    "clock_adjtime",
    "clock_adjtime64",
    "add_key",
    "request_key",
    "keyctl",
    "reboot",
    "acct",
    "bpf",
    "perf_event_open",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "userfaultfd",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "iopl",
    "ioperm",
    "nfsservctl",
    "vhangup",
    "uselib",
};

/* Mounting and namespace-rooted file system changes: allowed with allow_mount. */
static const char *const mount_calls[] = {
    "mount",  "umount",   "umount2", "pivot_root", "move_mount",    "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick",     "mount_setattr",
};

static int deny(scmp_filter_ctx ctx, const char *name, int errnum, unsigned nargs,
                const struct scmp_arg_cmp *args, const char **ret_failed)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* unknown to this libseccomp: no architecture here has it */
    int r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)errnum), nr, nargs, args);
    if (r < 0)
        *ret_failed = name;
    return r;
}

int brig_seccomp_rules_add(scmp_filter_ctx ctx, bool allow_mount, const char **ret_failed)
{
    int r;
    *ret_failed = "the filter's attributes";
    /* setuid programs (su, login) must keep working in the jail. */
    if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
        return r;
    /* Filter 32-bit calls too, instead of killing every 32-bit program. */
    if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
        r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
        if (r < 0 && r != -EEXIST)
            return r;
        r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
        if (r < 0 && r != -EEXIST)
            return r;
    }
    for (size_t i = 0; i < N_OF(denied); i++)
        if ((r = deny(ctx, denied[i], EPERM, 0, NULL, ret_failed)) < 0)
            return r;
    if (!allow_mount)
        for (size_t i = 0; i < N_OF(mount_calls); i++)
            if ((r = deny(ctx, mount_calls[i], EPERM, 0, NULL, ret_failed)) < 0)
                return r;

    /* No user namespaces: one would hand jail processes a full set of
     * capabilities over a namespace of their own, and with it much more of
     * the kernel to attack. clone3 hides its flags in memory a filter cannot
     * read: ENOSYS makes the C library fall back to clone, which is checked. */
    struct scmp_arg_cmp newuser = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
    if ((r = deny(ctx, "unshare", EPERM, 1, &newuser, ret_failed)) < 0 ||
        (r = deny(ctx, "clone", EPERM, 1, &newuser, ret_failed)) < 0 ||
        (r = deny(ctx, "clone3", ENOSYS, 0, NULL, ret_failed)) < 0)
        return r;
    return 0;
}
