/* Each base carries its own start and stop: busybox runs brig's /etc/rc, a
 * Debian base its own init system, the way system containers boot. */
#define _GNU_SOURCE
#include "baseboot.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

enum { BOOT_RC, BOOT_SYSTEMD, BOOT_SYSV, BOOT_NONE };

static const struct brig_base_boot boots[] = {
    [BOOT_RC] = {"rc", "/bin/sh /etc/rc", "/bin/sh /etc/rc.shutdown", "", "SIGTERM"},
    /* systemd halts on SIGRTMIN+3 and, in a container, exits once halted */
    [BOOT_SYSTEMD] = {"systemd", "", "", "/sbin/init", "SIGRTMIN+3"},
    /* Debian's default runlevel is 2; runlevel 0 runs the K scripts */
    [BOOT_SYSV] = {"sysv-rc", "/etc/init.d/rc 2", "/etc/init.d/rc 0", "", "SIGTERM"},
    /* a base with no init system of any kind: the jail starts with nothing running */
    [BOOT_NONE] = {"none", "", "", "", "SIGTERM"},
};

/* stat path with its links resolved inside the root dirfd; false when absent. */
static bool stat_in_root(int dirfd, const char *path, struct stat *ret)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
    int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    if (fd < 0)
        return false;
    int r = fstat(fd, ret);
    close(fd);
    return r == 0;
}

static bool is_program(const struct stat *st)
{
    return S_ISREG(st->st_mode) && (st->st_mode & 0111);
}

/* /sbin/init is the same file as the base's systemd. */
static bool init_is_systemd(int dirfd)
{
    static const char *const systemd[] = {"lib/systemd/systemd", "usr/lib/systemd/systemd"};
    struct stat init, sd;
    if (!stat_in_root(dirfd, "sbin/init", &init) || !is_program(&init))
        return false;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(systemd); i++)
        if (stat_in_root(dirfd, systemd[i], &sd) && sd.st_dev == init.st_dev &&
            sd.st_ino == init.st_ino)
            return true;
    return false;
}

const struct brig_base_boot *brig_base_boot_detect(const char *basedir)
{
    int dirfd = open(basedir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return &boots[BOOT_RC];
    struct stat st;
    int kind;
    if (stat_in_root(dirfd, "etc/rc", &st))
        kind = BOOT_RC;
    else if (init_is_systemd(dirfd))
        kind = BOOT_SYSTEMD;
    else if (stat_in_root(dirfd, "etc/init.d/rc", &st) && is_program(&st))
        kind = BOOT_SYSV;
    else
        kind = BOOT_NONE;
    close(dirfd);
    return &boots[kind];
}
