/* The base's own init system as the jail's pid 1, as system containers run:
 * brig's init sets the jail up (namespaces, mounts, cgroups, restrictions),
 * then execs the base's init in its place, which keeps the pid and start time
 * brig recorded. systemd wants, in a container, a cgroup hierarchy of its
 * own it may write, /run and /run/lock as tmpfs, a read-only /sys and
 * container= in the environment of pid 1 (so in /proc/1/environ). */
#define _GNU_SOURCE
#include "sysinit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
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

/* The master of the pty bound on the jail's /dev/console, or -1. */
static int console_master = -1;

/* A pty of the jail's own as its /dev/console, so the init system has a
 * terminal for its console; a jail whose /dev has no pts gets none. */
static int console_setup(struct brig_err *err)
{
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open /dev/ptmx");
    int unlock = 0;
    int slave = -1;
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
        (slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        int e = errno;
        close(m);
        return brig_err_sys(err, e, "a pty for /dev/console");
    }
    char src[64];
    snprintf(src, sizeof(src), "/proc/self/fd/%d", slave);
    int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    if (fd < 0 || mount(src, "/dev/console", NULL, MS_BIND, NULL) < 0) {
        int e = errno;
        close(slave);
        close(m);
        return brig_err_sys(err, e, "bind a pty on /dev/console");
    }
    close(slave);
    console_master = m;
    return 0;
}

/* Copy what the init system writes on /dev/console to the console log (fd
 * 1), in a process of its own beside it: brig is gone once the jail runs.
 * It holds the console open itself, so the pty never hangs up. */
static void console_relay_start(void)
{
    if (console_master < 0)
        return;
    pid_t pid = fork();
    if (pid != 0) {
        close(console_master);
        console_master = -1;
        /* The init system writes on its console, which the copier logs:
         * it holds no fd of the host's log, whose path the jail would read
         * in /proc/1/fd (pid 1 is the jail's own program, dumpable). */
        int con = pid > 0 ? open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (con >= 0) {
            dup2(con, 1);
            dup2(con, 2);
            close(con);
        }
        return;
    }
    prctl(PR_SET_NAME, "brig-console", 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    setsid();
    /* the init system's shutdown ends it with SIGTERM, as any other process */
    struct sigaction sa = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    /* fd 1 (the log) and the master only: nothing else of the init's */
    int master = 3;
    if (dup2(console_master, master) < 0)
        _exit(1);
    close_range(master + 1, ~0U, 0);
    int keep = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
    char buf[4096];
    for (;;) {
        ssize_t n = read(master, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(0);
            off += w;
        }
    }
    if (keep >= 0)
        close(keep);
    _exit(0);
}

/* /etc/hostname says the jail's host name: an init system sets the host
 * name from it at boot (where it may), and the base's holds the name of the
 * host it was built on. Written only when it says something else. */
static int hostname_file(const char *hostname, struct brig_err *err)
{
    if (!hostname || !*hostname)
        return 0;
    _cleanup_free_ char *want = brig_xasprintf("%s\n", hostname);
    _cleanup_free_ char *cur = NULL;
    size_t len = 0;
    struct stat st;
    if (lstat("/etc/hostname", &st) == 0 && S_ISREG(st.st_mode) &&
        brig_read_file("/etc/hostname", strlen(want) + 1, &cur, &len, NULL) == 0 &&
        len == strlen(want) && memcmp(cur, want, len) == 0)
        return 0;
    return brig_write_file_atomic("/etc/hostname", want, strlen(want), 0644, err);
}

int brig_sysinit_prepare(const struct brig_jail_spec *spec, struct brig_err *err)
{
    struct stat st;
    if (stat(spec->exec_init, &st) < 0 || access(spec->exec_init, X_OK) < 0)
        return brig_err_sys(err, errno, "exec_init %s", spec->exec_init);
    if (!S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EFAIL, "exec_init %s: not a program", spec->exec_init);
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
    if (hostname_file(spec->hostname, err) < 0)
        return -1;
    return spec->mount_devfs ? console_setup(err) : 0;
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
    console_relay_start();
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
