/* The base's own init system as the jail's pid 1, as system containers run:
 * brig's init sets the jail up (namespaces, mounts, cgroups, restrictions),
 * then execs the base's init in its place, which keeps the pid and start time
 * brig recorded. systemd wants, in a container, a cgroup hierarchy of its
 * own it may write, /run and /run/lock as tmpfs, a read-only /sys and
 * container= in the environment of pid 1 (so in /proc/1/environ). */
#define _GNU_SOURCE
#include "sysinit.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int mount_tmpfs(const char *dir, mode_t mode, unsigned long flags, const char *data,
                       struct brig_err *err)
{
    if (mkdir(dir, mode) < 0 && errno != EEXIST)
        return brig_err_sys(err, errno, "mkdir %s", dir);
    if (mount("tmpfs", dir, "tmpfs", flags, data) < 0)
        return brig_err_sys(err, errno, "mount %s", dir);
    return 0;
}

int brig_sysinit_prepare(const struct brig_jail_spec *spec, struct brig_err *err)
{
    if (spec->exec_init[0] != '/' || access(spec->exec_init, X_OK) < 0)
        return brig_err_sys(err, errno ? errno : ENOENT, "exec_init %s", spec->exec_init);
    /* The init was born in the jail's cgroup2 cgroup (CLONE_INTO_CGROUP):
     * a namespace now makes it the root of the hierarchy the jail sees. */
    if (spec->cgroup_fd <= 0)
        return brig_err_set(err, BRIG_EFAIL,
                            "exec_init needs a cgroup2 hierarchy on the host (none is mounted)");
    if (unshare(CLONE_NEWCGROUP) < 0)
        return brig_err_sys(err, errno, "new cgroup namespace");
    if (!spec->mount_sysfs)
        return brig_err_set(err, BRIG_EFAIL, "exec_init needs /sys");
    if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return brig_err_sys(err, errno, "mount /sys/fs/cgroup");
    unsigned long fl = MS_NOSUID | MS_NODEV;
    if (mount_tmpfs("/run", 0755, fl, "mode=755,size=20%", err) < 0 ||
        mount_tmpfs("/run/lock", 01777, fl | MS_NOEXEC, "mode=1777,size=5m", err) < 0)
        return -1;
    return 0;
}

_Noreturn void brig_sysinit_exec(const char *init)
{
    static char container[] = "container=brig";
    static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    char *envp[] = {container, path, NULL};
    _cleanup_free_ char *prog = brig_xstrdup(init);
    char *argv[] = {prog, NULL};
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(prog, argv, envp);
    dprintf(2, "brig-init: exec_init %s: %s\n", prog, strerror(errno));
    _exit(127);
}

int brig_sysinit_signal(const char *name)
{
    static const struct {
        const char *name;
        int base, offset;
    } sigs[] = {
        {"SIGTERM", SIGTERM, 0}, {"SIGINT", SIGINT, 0},   {"SIGHUP", SIGHUP, 0},
        {"SIGPWR", SIGPWR, 0},   {"SIGUSR1", SIGUSR1, 0}, {"SIGUSR2", SIGUSR2, 0},
        {"SIGRTMIN+3", -1, 3},   {"SIGRTMIN+4", -1, 4},
    };
    for (size_t i = 0; name && i < BRIG_ARRAY_SIZE(sigs); i++)
        if (strcmp(name, sigs[i].name) == 0)
            return sigs[i].base >= 0 ? sigs[i].base : SIGRTMIN + sigs[i].offset;
    return -1;
}
