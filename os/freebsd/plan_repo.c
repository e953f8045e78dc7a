/* Inventory and repo plans for FreeBSD hosts. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freebsd.h"
#include "util.h"

int brig_freebsd_plan_inventory(struct brig_plan *ret, struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    struct brig_plan_step *s;
    s = brig_plan_addv(ret, "VIMAGE in the kernel (vnet jails)", "sysctl", "-n",
                       "kern.features.vimage", (char *)NULL);
    brig_plan_step_capture(s, "vimage_feature");
    s->may_fail = true; /* the OID is missing on a kernel without VIMAGE */
    s = brig_plan_addv(ret, "resource accounting (rctl limits)", "sysctl", "-n",
                       "kern.racct.enable", (char *)NULL);
    brig_plan_step_capture(s, "racct");
    s->may_fail = true;
    s = brig_plan_addv(ret, "release of the running kernel", "sysctl", "-n", "kern.osrelease",
                       (char *)NULL);
    brig_plan_step_capture(s, "osrelease");
    s = brig_plan_addv(ret, "ZFS loaded", "kldstat", "-q", "-m", "zfs", (char *)NULL);
    s->may_fail = true; /* exit status 1: not loaded */
    return 0;
}

static bool safe_word(const char *s, const char *extra)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (; *s; s++) {
        if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9') &&
            !strchr(extra, *s))
            return false;
    }
    return true;
}

/* FreeBSD's hw.machine / hw.machine_arch pairs that have release builds; the
 * mirrors keep a release under releases/MACHINE/MACHINE_ARCH/ (and amd64 and
 * i386 also under releases/MACHINE/). */
static const struct {
    const char *machine, *arch;
} arches[] = {
    {"amd64", "amd64"},         {"i386", "i386"},       {"arm64", "aarch64"},
    {"arm", "armv7"},           {"powerpc", "powerpc"}, {"powerpc", "powerpc64"},
    {"powerpc", "powerpc64le"}, {"riscv", "riscv64"},
};

/* arch= as "machine/machine_arch" ("arm64/aarch64"), or one word naming a
 * pair without doubt: "amd64", "arm64" or "aarch64". ret_path is the URL
 * path, ret_name the base's suffix (machine_arch, unique per pair). */
static int repo_arch(const char *arch, char ret_path[32], const char **ret_name,
                     struct brig_err *err)
{
    const char *slash = arch ? strchr(arch, '/') : NULL;
    size_t found = BRIG_ARRAY_SIZE(arches), matches = 0;
    for (size_t i = 0; arch && i < BRIG_ARRAY_SIZE(arches); i++) {
        size_t ml = strlen(arches[i].machine);
        bool hit =
            slash ? (size_t)(slash - arch) == ml && strncmp(arch, arches[i].machine, ml) == 0 &&
                        strcmp(slash + 1, arches[i].arch) == 0
                  : strcmp(arch, arches[i].machine) == 0 || strcmp(arch, arches[i].arch) == 0;
        if (hit) {
            found = i;
            matches++;
        }
    }
    if (matches != 1)
        return brig_err_set(err, BRIG_EUSAGE,
                            "arch=%.40s: expected machine/machine_arch as the release mirrors "
                            "name it (amd64, i386, arm64/aarch64, arm/armv7, powerpc/powerpc64, "
                            "powerpc/powerpc64le, riscv/riscv64)",
                            arch ? arch : "");
    if (strcmp(arches[found].machine, arches[found].arch) == 0)
        snprintf(ret_path, 32, "%s", arches[found].machine);
    else
        snprintf(ret_path, 32, "%s/%s", arches[found].machine, arches[found].arch);
    *ret_name = arches[found].arch;
    return 0;
}

int brig_freebsd_plan_repo(const struct brig_node *node, const char *sources, const char *ver,
                           const char *arch, struct brig_plan *ret, struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    bool kernel;
    if (brig_streq(sources, "base"))
        kernel = false;
    else if (brig_streq(sources, "kernel"))
        kernel = true;
    else
        return brig_err_set(err, BRIG_EUSAGE, "sources=%.40s: expected base or kernel",
                            sources ? sources : "");
    struct brig_freebsd_release rel;
    if (!safe_word(ver, ".") || brig_freebsd_parse_release(ver, &rel, err) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "ver=%.40s: expected a release such as 14.1",
                            ver ? ver : "");
    char arch_path[32];
    const char *arch_name = NULL;
    if (repo_arch(arch, arch_path, &arch_name, err) < 0)
        return -1;
    if (kernel && !brig_freebsd_release_atleast(&rel, 12, 0))
        return brig_err_set(err, BRIG_EUSAGE,
                            "ver=%s: GENERIC has VIMAGE only from 12.0 on; build a kernel "
                            "with options VIMAGE",
                            ver);
    const char *mirror = node->freebsd_mirror && node->freebsd_mirror[0]
                             ? node->freebsd_mirror
                             : "https://download.freebsd.org/releases";
    const char *file = kernel ? "kernel.txz" : "base.txz";
    _cleanup_free_ char *url =
        brig_xasprintf("%s/%s/%u.%u-RELEASE/%s", mirror, arch_path, rel.major, rel.minor, file);
    _cleanup_free_ char *name = brig_xasprintf("freebsd%u_%u-%s", rel.major, rel.minor, arch_name);
    _cleanup_free_ char *dir =
        brig_xasprintf("%s/%s/%s", node->workdir, kernel ? "kernel" : "basejail", name);
    _cleanup_free_ char *tmp =
        brig_xasprintf("%s/%s/.%s-%s", node->workdir, kernel ? "kernel" : "basejail", name, file);
    struct brig_plan_step *s;
    brig_plan_addv(ret, "directory for the extracted tree", "mkdir", "-p", dir, (char *)NULL);
    s = brig_plan_addv(
        ret, kernel ? "fetch the GENERIC kernel (VIMAGE since 12.0)" : "fetch the base system",
        "fetch", "-o", tmp, url, (char *)NULL);
    brig_plan_step_undov(s, 0, "rm", "-f", tmp, (char *)NULL);
    brig_plan_addv(ret, "extract it", "tar", "-xpf", tmp, "-C", dir, (char *)NULL);
    if (!kernel) {
        _cleanup_free_ char *ul = brig_xasprintf("%s/usr/local", dir);
        _cleanup_free_ char *lp = brig_xasprintf("%s/compat/linux/proc", dir);
        _cleanup_free_ char *ls = brig_xasprintf("%s/compat/linux/sys", dir);
        brig_plan_addv(ret, "mount points thin jails and Linux jails need", "mkdir", "-p", ul, lp,
                       ls, (char *)NULL);
    }
    brig_plan_addv(ret, "drop the download", "rm", "-f", tmp, (char *)NULL);
    return 0;
}
