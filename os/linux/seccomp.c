#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail_int.h"
#include "util.h"

/* The filters libseccomp built from seccomp_rules.c when brig was built. */
#include "os/linux/seccomp_filters.h"

int brig_jail_seccomp_load(const struct brig_jail_policy *p, struct brig_err *err)
{
    struct sock_fprog prog =
        p->allow_mount ? (struct sock_fprog){.len = BRIG_ARRAY_SIZE(brig_seccomp_allow_mount),
                                             .filter = brig_seccomp_allow_mount}
                       : (struct sock_fprog){.len = BRIG_ARRAY_SIZE(brig_seccomp_no_mount),
                                             .filter = brig_seccomp_no_mount};
    /* no flags and no no_new_privs: as seccomp_load does with this filter's attributes */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        return brig_err_sys(err, errno, "seccomp: cannot load the jail's filter");
    return 0;
}
