#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail_int.h"
#include "util.h"

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
                const struct scmp_arg_cmp *args, struct brig_err *err)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return 0; /* unknown to this libseccomp: no architecture here has it */
    int r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)errnum), nr, nargs, args);
    if (r < 0)
        return brig_err_sys(err, -r, "seccomp rule for %s", name);
    return 0;
}

/* libseccomp's program, as the BPF it would load: it writes it to a file. */
static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *ret, struct brig_err *err)
{
    _cleanup_close_ int fd = memfd_create("brig-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "seccomp: memfd");
    int r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        return brig_err_sys(err, -r, "seccomp: cannot build the jail's filter");
    off_t len = lseek(fd, 0, SEEK_END);
    if (len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0 ||
        len / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
        return brig_err_set(err, BRIG_EFAIL, "seccomp: the jail's filter has a bad size");
    struct sock_filter *insns = brig_xmalloc((size_t)len);
    if (pread(fd, insns, (size_t)len, 0) != (ssize_t)len) {
        free(insns);
        return brig_err_set(err, BRIG_EFAIL, "seccomp: cannot read the jail's filter back");
    }
    *ret =
        (struct sock_fprog){.len = (unsigned short)(len / (off_t)sizeof(*insns)), .filter = insns};
    return 0;
}

int brig_jail_seccomp_build(const struct brig_jail_policy *p, struct sock_fprog *ret,
                            struct brig_err *err)
{
    *ret = (struct sock_fprog){0};
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return brig_err_set(err, BRIG_EFAIL, "seccomp: cannot create a filter");
    int r = 0;
    /* setuid programs (su, login) must keep working in the jail. */
    r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (r < 0)
        goto fail_r;
    /* Filter 32-bit calls too, instead of killing every 32-bit program. */
    if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
        r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
        if (r < 0 && r != -EEXIST)
            goto fail_r;
        r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
        if (r < 0 && r != -EEXIST)
            goto fail_r;
    }
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(denied); i++)
        if (deny(ctx, denied[i], EPERM, 0, NULL, err) < 0)
            goto fail;
    if (!p->allow_mount)
        for (size_t i = 0; i < BRIG_ARRAY_SIZE(mount_calls); i++)
            if (deny(ctx, mount_calls[i], EPERM, 0, NULL, err) < 0)
                goto fail;

    /* No user namespaces: one would hand jail processes a full set of
     * capabilities over a namespace of their own, and with it much more of
     * the kernel to attack. clone3 hides its flags in memory a filter cannot
     * read: ENOSYS makes the C library fall back to clone, which is checked. */
    struct scmp_arg_cmp newuser = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
    if (deny(ctx, "unshare", EPERM, 1, &newuser, err) < 0 ||
        deny(ctx, "clone", EPERM, 1, &newuser, err) < 0 ||
        deny(ctx, "clone3", ENOSYS, 0, NULL, err) < 0)
        goto fail;

    r = export_prog(ctx, ret, err);
    seccomp_release(ctx);
    return r;
fail_r:
    brig_err_sys(err, -r, "seccomp: cannot build the jail's filter");
fail:
    seccomp_release(ctx);
    return -1;
}

int brig_jail_seccomp_install(const struct sock_fprog *prog, struct brig_err *err)
{
    /* no flags and no no_new_privs: as seccomp_load does with this filter's attributes */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
        return brig_err_sys(err, errno, "seccomp: cannot load the jail's filter");
    return 0;
}

void brig_jail_seccomp_free(struct sock_fprog *prog)
{
    free(prog->filter);
    *prog = (struct sock_fprog){0};
}
