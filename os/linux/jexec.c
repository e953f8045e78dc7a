#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup.h"
#include "jail_int.h"
#include "params.h"
#include "proc.h"
#include "util.h"

/* An error from the processes that enter the jail, back to the caller. */
struct exec_msg {
    int32_t code;
    char text[1024];
};

#define ERR_FD 3

/* A user as the jail's own /etc/passwd says; never the host's NSS. */
struct jail_user {
    uid_t uid;
    gid_t gid;
    char *name, *home, *shell;
};

/* Split line at ':' into at most n fields; returns the number found. */
static size_t split_colon(char *line, char **f, size_t n)
{
    size_t i = 0;
    f[i++] = line;
    for (char *p = line; *p && i < n; p++)
        if (*p == ':') {
            *p = '\0';
            f[i++] = p + 1;
        }
    return i;
}

static bool parse_id(const char *s, unsigned *ret)
{
    int64_t v;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_parse_uint(s, 0, 0xfffffffe, &v, &e) < 0)
        return false;
    *ret = (unsigned)v;
    return true;
}

/* Look name up in the jail's /etc/passwd (the process is chrooted in the jail). */
static int jail_getpw(const char *name, struct jail_user *ret, struct brig_err *err)
{
    _cleanup_free_ char *data = NULL;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file("/etc/passwd", 4 << 20, &data, NULL, &e) < 0) {
        if (brig_streq(name, "root")) {
            *ret = (struct jail_user){0, 0, brig_xstrdup("root"), brig_xstrdup("/root"),
                                      brig_xstrdup("/bin/sh")};
            return 0;
        }
        return brig_err_set(err, BRIG_EFAIL, "no user %s in the jail: %s", name, e.msg);
    }
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f[7];
        if (split_colon(line, f, 7) != 7 || !brig_streq(f[0], name))
            continue;
        unsigned uid, gid;
        if (!parse_id(f[2], &uid) || !parse_id(f[3], &gid))
            return brig_err_set(err, BRIG_EFAIL, "bad /etc/passwd entry for %s in the jail", name);
        *ret = (struct jail_user){uid, gid, brig_xstrdup(name), brig_xstrdup(*f[5] ? f[5] : "/"),
                                  brig_xstrdup(*f[6] ? f[6] : "/bin/sh")};
        return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE, "no user %s in the jail's /etc/passwd", name);
}

/* The user's groups from the jail's /etc/group, the primary one first. */
static size_t jail_groups(const struct jail_user *u, gid_t *gids, size_t max)
{
    size_t n = 0;
    gids[n++] = u->gid;
    _cleanup_free_ char *data = NULL;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file("/etc/group", 4 << 20, &data, NULL, &e) < 0)
        return n;
    for (char *line = data, *next; line && *line && n < max; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f[4];
        unsigned gid;
        if (split_colon(line, f, 4) != 4 || !parse_id(f[2], &gid))
            continue;
        for (char *m = strtok(f[3], ","); m; m = strtok(NULL, ","))
            if (brig_streq(m, u->name) && gid != u->gid) {
                gids[n++] = gid;
                break;
            }
    }
    return n;
}

static _Noreturn void fail_exit(const struct brig_err *err)
{
    struct exec_msg m;
    memset(&m, 0, sizeof(m));
    m.code = err->code ? err->code : BRIG_EFAIL;
    snprintf(m.text, sizeof(m.text), "%s", err->msg);
    ssize_t n = write(ERR_FD, &m, sizeof(m));
    (void)n;
    _exit(255);
}

static const char *const ns_names[] = {"cgroup", "ipc", "uts", "net", "pid", "mnt"};

/* The fds the entering process needs, opened by the caller on the host. */
struct enter_fds {
    int ns[BRIG_ARRAY_SIZE(ns_names)];
    int root;
    int *cgroups;
    size_t n_cgroups;
};

/* Join cgroups and namespaces, then the jail's root. */
static int enter(const struct enter_fds *fds, struct brig_err *err)
{
    for (size_t i = 0; i < fds->n_cgroups; i++)
        if (write(fds->cgroups[i], "0", 1) != 1)
            return brig_err_sys(err, errno, "join the jail's cgroup");
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ns_names); i++) {
        char path[64];
        struct stat a, b;
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
        if (fstat(fds->ns[i], &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            continue; /* the jail shares it with the host */
        if (setns(fds->ns[i], 0) < 0)
            return brig_err_sys(err, errno, "join the jail's %s namespace", ns_names[i]);
    }
    if (fchdir(fds->root) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return brig_err_sys(err, errno, "enter the jail's root");
    return 0;
}

/* Last steps in the jail's pid namespace: restrictions, the user, exec. */
static _Noreturn void exec_child(const struct brig_jail_exec_spec *s, const struct jail_user *u,
                                 int master, const char *term)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (master >= 0) {
        int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
        if (slave < 0 || setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
            brig_err_sys(&err, errno, "open the jail's pty");
            fail_exit(&err);
        }
        if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
            brig_err_sys(&err, errno, "dup the jail's pty");
            fail_exit(&err);
        }
    }
    close_range(ERR_FD + 1, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    gid_t gids[64];
    size_t ng = jail_groups(u, gids, BRIG_ARRAY_SIZE(gids));
    if (brig_cgroup_apply_openfiles(s->openfiles, &err) < 0)
        fail_exit(&err);
    if (brig_jail_restrict(&s->policy, &err) < 0)
        fail_exit(&err);
    if (setgroups(ng, gids) < 0 || setgid(u->gid) < 0 || setuid(u->uid) < 0) {
        brig_err_sys(&err, errno, "become %s (uid %u)", u->name, (unsigned)u->uid);
        fail_exit(&err);
    }
    if (chdir(u->home) < 0 && chdir("/") < 0) {
        brig_err_sys(&err, errno, "chdir /");
        fail_exit(&err);
    }

    char **env = NULL;
    brig_strv_push(&env, u->uid == 0 ? "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:"
                                       "/usr/local/bin"
                                     : "PATH=/bin:/usr/bin:/usr/local/bin");
    char *kv = brig_xasprintf("HOME=%s", u->home);
    brig_strv_push(&env, kv);
    free(kv);
    kv = brig_xasprintf("USER=%s", u->name);
    brig_strv_push(&env, kv);
    free(kv);
    kv = brig_xasprintf("LOGNAME=%s", u->name);
    brig_strv_push(&env, kv);
    free(kv);
    if (term) {
        kv = brig_xasprintf("TERM=%s", term);
        brig_strv_push(&env, kv);
        free(kv);
    }

    char **argv = NULL;
    const char *file;
    if (s->argv && s->argv[0]) {
        for (size_t i = 0; s->argv[i]; i++)
            brig_strv_push(&argv, s->argv[i]);
        file = s->argv[0];
    } else {
        kv = brig_xasprintf("SHELL=%s", u->shell);
        brig_strv_push(&env, kv);
        free(kv);
        const char *base = strrchr(u->shell, '/');
        kv = brig_xasprintf("-%s", base ? base + 1 : u->shell);
        brig_strv_push(&argv, kv);
        free(kv);
        file = u->shell;
    }
    /* execvp searches the PATH of environ: the jail's, not the caller's. */
    environ = env;
    execvp(file, argv);
    brig_err_sys(&err, errno, "exec %s in the jail", file);
    fail_exit(&err);
}

/* Copy between the caller's terminal and the pty until the shell is gone. */
static void relay(int master)
{
    struct termios saved, raw;
    bool restore = tcgetattr(0, &saved) == 0;
    if (restore) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    bool in_open = true;
    char buf[8192];
    for (;;) {
        struct pollfd p[3] = {{.fd = master, .events = POLLIN},
                              {.fd = in_open ? 0 : -1, .events = POLLIN},
                              {.fd = sfd, .events = POLLIN}};
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[2].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) > 0)
                ;
            struct winsize ws;
            if (ioctl(0, TIOCGWINSZ, &ws) == 0)
                ioctl(master, TIOCSWINSZ, &ws);
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(0, buf, sizeof(buf));
            if (n <= 0)
                in_open = false;
            for (ssize_t off = 0; off < n;) {
                ssize_t w = write(master, buf + off, (size_t)(n - off));
                if (w <= 0)
                    break;
                off += w;
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(master, buf, sizeof(buf));
            if (n <= 0)
                break; /* EIO: every slave fd is closed */
            for (ssize_t off = 0; off < n;) {
                ssize_t w = write(1, buf + off, (size_t)(n - off));
                if (w <= 0)
                    break;
                off += w;
            }
        }
    }
    if (sfd >= 0)
        close(sfd);
    if (restore)
        tcsetattr(0, TCSAFLUSH, &saved);
}

/* The process between the caller and the jail: it joins the namespaces so
 * the caller does not, forks the command into the jail's pid namespace and
 * exits with its status. */
static _Noreturn void intermediate(const struct brig_jail_exec_spec *s, const struct enter_fds *fds)
{
    struct brig_err err = BRIG_ERR_INIT;
    const char *term = getenv("TERM");
    _cleanup_free_ char *term_copy = term ? brig_xstrdup(term) : NULL;
    if (enter(fds, &err) < 0)
        fail_exit(&err);
    struct jail_user u = {0};
    if (jail_getpw(s->user ? s->user : "root", &u, &err) < 0)
        fail_exit(&err);
    /* Until it execs, the child holds no more than jail root may see, but it
     * is non-dumpable all the same: jail root cannot ptrace it. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    int master = -1;
    if (s->pty && isatty(0)) {
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || unlockpt(master) < 0) {
            brig_err_sys(&err, errno, "open /dev/ptmx in the jail");
            fail_exit(&err);
        }
        struct winsize ws;
        if (ioctl(0, TIOCGWINSZ, &ws) == 0)
            ioctl(master, TIOCSWINSZ, &ws);
    }
    pid_t pid = fork();
    if (pid < 0) {
        brig_err_sys(&err, errno, "fork into the jail");
        fail_exit(&err);
    }
    if (pid == 0)
        exec_child(s, &u, master, term_copy);
    if (master >= 0)
        relay(master);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            _exit(255);
    if (WIFSIGNALED(status))
        _exit(128 + WTERMSIG(status));
    _exit(WEXITSTATUS(status));
}

static void enter_fds_close(struct enter_fds *f)
{
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ns_names); i++)
        if (f->ns[i] >= 0)
            close(f->ns[i]);
    if (f->root >= 0)
        close(f->root);
    for (size_t i = 0; i < f->n_cgroups; i++)
        close(f->cgroups[i]);
    free(f->cgroups);
}

static int enter_fds_open(const struct brig_jail_exec_spec *s, struct enter_fds *f,
                          struct brig_err *err)
{
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ns_names); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)s->pid, ns_names[i]);
        f->ns[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (f->ns[i] < 0)
            return brig_err_sys(err, errno, "open %s", path);
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)s->pid);
    f->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (f->root < 0)
        return brig_err_sys(err, errno, "open %s", path);
    size_t n = s->cgroup_procs ? brig_strv_len((char *const *)(uintptr_t)s->cgroup_procs) : 0;
    f->cgroups = brig_xcalloc(n ? n : 1, sizeof(int));
    for (size_t i = 0; i < n; i++) {
        int fd = open(s->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return brig_err_sys(err, errno, "open %s", s->cgroup_procs[i]);
        f->cgroups[f->n_cgroups++] = fd;
    }
    return 0;
}

int brig_jail_exec(const struct brig_jail_exec_spec *s, int *ret_status, struct brig_err *err)
{
    if (s->pid <= 0)
        return brig_err_set(err, BRIG_EUSAGE, "bad init pid %d", (int)s->pid);
    if (!brig_proc_alive(s->pid, s->starttime))
        return brig_err_set(err, BRIG_EFAIL, "the jail is not running");
    struct enter_fds fds = {.root = -1};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ns_names); i++)
        fds.ns[i] = -1;
    int r = enter_fds_open(s, &fds, err);
    /* Checked again after opening: the fds belong to the init, not to a
     * process that got its pid. */
    if (r == 0 && !brig_proc_alive(s->pid, s->starttime))
        r = brig_err_set(err, BRIG_EFAIL, "the jail stopped");
    int pfd[2] = {-1, -1};
    if (r == 0 && pipe2(pfd, O_CLOEXEC) < 0)
        r = brig_err_sys(err, errno, "pipe");
    pid_t pid = -1;
    if (r == 0 && (pid = fork()) < 0)
        r = brig_err_sys(err, errno, "fork");
    if (pid == 0) {
        close(pfd[0]);
        if (pfd[1] != ERR_FD) {
            /* Keep ERR_FD free of the fds the jail must not get. */
            for (size_t i = 0; i < BRIG_ARRAY_SIZE(ns_names); i++)
                if (fds.ns[i] == ERR_FD)
                    fds.ns[i] = fcntl(ERR_FD, F_DUPFD_CLOEXEC, 10);
            if (fds.root == ERR_FD)
                fds.root = fcntl(ERR_FD, F_DUPFD_CLOEXEC, 10);
            for (size_t i = 0; i < fds.n_cgroups; i++)
                if (fds.cgroups[i] == ERR_FD)
                    fds.cgroups[i] = fcntl(ERR_FD, F_DUPFD_CLOEXEC, 10);
            if (dup3(pfd[1], ERR_FD, O_CLOEXEC) < 0)
                _exit(255);
        }
        intermediate(s, &fds);
    }
    enter_fds_close(&fds);
    if (pfd[1] >= 0)
        close(pfd[1]);
    if (r < 0) {
        if (pfd[0] >= 0)
            close(pfd[0]);
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            int e = errno;
            close(pfd[0]);
            return brig_err_sys(err, e, "wait for the jail's command");
        }
    struct exec_msg m;
    ssize_t n = read(pfd[0], &m, sizeof(m));
    close(pfd[0]);
    if (n == (ssize_t)sizeof(m)) {
        m.text[sizeof(m.text) - 1] = '\0';
        return brig_err_set(err, m.code == BRIG_EUSAGE ? BRIG_EUSAGE : BRIG_EFAIL, "%s", m.text);
    }
    if (n != 0)
        return brig_err_set(err, BRIG_EFAIL, "bad message from the jail's command");
    *ret_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    return 0;
}
