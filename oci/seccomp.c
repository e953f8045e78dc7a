/* The config's seccomp filter, built with libseccomp in the container's
 * process just before it execs. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "core/util.h"
#include "oci/oci_int.h"

int brig_oci_seccomp_load(const struct brig_oci_seccomp *sc, struct brig_err *err)
{
    scmp_filter_ctx ctx = seccomp_init(sc->default_action);
    if (!ctx)
        return brig_err_set(err, BRIG_EFAIL, "linux.seccomp: cannot make a filter");
    int r = 0;
    for (size_t i = 0; sc->arches[i] && r == 0; i++) {
        _cleanup_free_ char *lower = brig_xstrdup(sc->arches[i] + strlen("SCMP_ARCH_"));
        for (char *t = lower; *t; t++)
            *t = (char)(*t >= 'A' && *t <= 'Z' ? *t - 'A' + 'a' : *t);
        uint32_t arch = seccomp_arch_resolve_name(lower);
        /* an architecture libseccomp does not know here cannot run here either */
        if (arch == 0)
            continue;
        r = seccomp_arch_add(ctx, arch);
        if (r == -EEXIST)
            r = 0;
        if (r < 0)
            brig_err_sys(err, -r, "linux.seccomp.architectures: add %s", sc->arches[i]);
    }
    for (size_t i = 0; i < sc->nrules && r == 0; i++) {
        const struct brig_oci_seccomp_rule *rule = &sc->rules[i];
        /* a rule that says what the default says changes nothing (libseccomp refuses it) */
        if (rule->action == sc->default_action)
            continue;
        struct scmp_arg_cmp cmp[6];
        for (size_t k = 0; k < rule->nargs; k++)
            cmp[k] = (struct scmp_arg_cmp){rule->args[k].index, (enum scmp_compare)rule->args[k].op,
                                           rule->args[k].value, rule->args[k].value_two};
        for (size_t n = 0; rule->names[n] && r == 0; n++) {
            int nr = seccomp_syscall_resolve_name(rule->names[n]);
            /* a system call this kernel's architecture lacks needs no rule */
            if (nr == __NR_SCMP_ERROR)
                continue;
            r = seccomp_rule_add_array(ctx, rule->action, nr, (unsigned)rule->nargs, cmp);
            if (r < 0)
                brig_err_sys(err, -r, "linux.seccomp.syscalls[%zu]: %s", i, rule->names[n]);
        }
    }
    if (r == 0) {
        r = seccomp_load(ctx);
        if (r < 0)
            brig_err_sys(err, -r, "linux.seccomp: load the filter");
    }
    seccomp_release(ctx);
    return r < 0 ? -1 : 0;
}
