#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/util.h"

#define PROBE_FILE_MAX (64 * 1024)
#define DEFAULT_PATH   "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool filesystem_listed(const char *fstype)
{
    struct brig_err e = BRIG_ERR_INIT;
    _cleanup_free_ char *s = NULL;
    if (brig_read_file("/proc/filesystems", PROBE_FILE_MAX, &s, NULL, &e) < 0)
        return false;
    char *save = NULL;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *name = strrchr(line, '\t');
        name = name ? name + 1 : line;
        if (strcmp(name, fstype) == 0)
            return true;
    }
    return false;
}

static bool seccomp_available(void)
{
    /* EINVAL means a kernel built without seccomp; 0 or 2 (already filtered) mean it works. */
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
        return false;
    return brig_path_exists("/proc/sys/kernel/seccomp/actions_avail");
}

static bool userns_available(void)
{
    struct brig_err e = BRIG_ERR_INIT;
    _cleanup_free_ char *s = NULL;
    if (brig_read_file("/proc/sys/user/max_user_namespaces", PROBE_FILE_MAX, &s, NULL, &e) < 0)
        return false;
    return strtol(s, NULL, 10) > 0;
}

char *brig_probe_find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    _cleanup_free_ char *copy = brig_xstrdup(path && path[0] ? path : DEFAULT_PATH);
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *p = brig_xasprintf("%s/%s", dir, name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

int brig_probe_node(struct brig_probe *ret, struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    struct utsname u;
    if (uname(&u) < 0)
        return brig_err_sys(err, errno, "uname");
    snprintf(ret->platform, sizeof(ret->platform), "%s", u.sysname);
    snprintf(ret->kernel, sizeof(ret->kernel), "%s", u.release);
    snprintf(ret->machine, sizeof(ret->machine), "%s", u.machine);
    ret->vimage_feature = brig_path_exists("/proc/self/ns/net");
    if (brig_cgroup_probe(&ret->cgroup, err) < 0)
        return brig_err_wrap(err, "probe node");
    ret->overlayfs = filesystem_listed("overlay");
    ret->seccomp = seccomp_available();
    ret->userns = userns_available();
    ret->kvm = brig_path_exists("/dev/kvm");
    _cleanup_free_ char *qemu =
        brig_xasprintf("qemu-system-%s", strcmp(u.machine, "arm64") == 0 ? "aarch64" : u.machine);
    ret->qemu = brig_probe_find_in_path(qemu);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    ret->ncpu = n > 0 ? (unsigned)n : 1;
    struct sysinfo si;
    if (sysinfo(&si) == 0)
        ret->memtotal = (uint64_t)si.totalram * si.mem_unit;
    return 0;
}

void brig_probe_clear(struct brig_probe *p)
{
    if (!p)
        return;
    brig_cgroup_facts_clear(&p->cgroup);
    free(p->qemu);
    p->qemu = NULL;
}
