#define _GNU_SOURCE
#include <dirent.h>
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "conslog.h"
#include "idmap.h"
#include "jail_int.h"
#include "kv.h"
#include "params.h"
#include "passwd.h"
#include "net.h"
#include "proc.h"
#include "sysinit.h"
#include "usock.h"
#include "util.h"

/* Messages on the sync socket (SOCK_SEQPACKET: one message per read). */
enum { MSG_GO = 0x62726731, MSG_READY = 0x62726732, MSG_FAIL = 0x62726733, MSG_ROOT = 0x62726734 };
struct init_msg {
    uint32_t type;
    int32_t code;
    char text[1024];
};

#define SYNC_FD    3
#define LOGIN_FD   4 /* the console pipe's read end, until the logger has it */
#define LOGFILE_FD 5 /* the host's console log, likewise */
#define MAX_WATCH  64

static int send_msg(int fd, uint32_t type, int code, const char *text)
{
    struct init_msg m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.code = code;
    if (text)
        snprintf(m.text, sizeof(m.text), "%s", text);
    ssize_t n;
    do
        n = send(fd, &m, sizeof(m), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(m) ? 0 : -1;
}

/* Receive one whole message; anything of another size or type is refused. */
static int recv_msg(int fd, struct init_msg *m)
{
    ssize_t n;
    do
        n = recv(fd, m, sizeof(*m), MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(*m))
        return -1;
    m->text[sizeof(m->text) - 1] = '\0';
    if (m->type != MSG_GO && m->type != MSG_READY && m->type != MSG_FAIL && m->type != MSG_ROOT)
        return -1;
    return 0;
}

/* Send a message of type with one fd. */
static int send_fd_msg(int sock, uint32_t type, int fd)
{
    struct init_msg m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    return brig_usock_send_fd(sock, &m, sizeof(m), fd) == (ssize_t)sizeof(m) ? 0 : -1;
}

/* Receive a message of type with exactly one fd; the fd, or -1. */
static int recv_fd_msg(int sock, uint32_t type)
{
    struct init_msg m;
    struct iovec iov = {&m, sizeof(m)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof(ctl.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    struct cmsghdr *c = n == (ssize_t)sizeof(m) ? CMSG_FIRSTHDR(&mh) : NULL;
    int fd = -1;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
    if (fd >= 0 && (m.type != type || (mh.msg_flags & MSG_CTRUNC))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static int pidfd_open_(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* ---- the init, in the child ---- */

static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGPWR, SIGUSR1, SIGUSR2};

struct init_state {
    const struct brig_jail_spec *spec;
    int sigfd;
    int procfd;      /* a private procfs of the jail's pid namespace, or -1 */
    char *exec_stop; /* copied: the caller's strings are gone once the title is set */
    char *exec_init; /* likewise: what replaces the init once the jail is up */
    bool stop_requested;
    /* how exec_start and exec_stop run (exec_env, exec_cwd, exec_user) */
    char **envp;
    char *cwd;    /* NULL: / */
    bool as_user; /* exec_user given: uid, gid and gids below */
    uid_t uid;
    gid_t gid;
    gid_t gids[64];
    size_t ngids;
    pid_t logger; /* brig-log, the console log's only writer in the jail, or 0 */
    int log_ctl;  /* socket to it: "write what the pipe holds now" */
};

static void noop_handler(int sig)
{
    (void)sig;
}

/* Hide the caller's command line and environment from the jail's ps and
 * /proc/1/cmdline: overwrite them in place, as setproctitle does. */
static void init_set_title(int procfd)
{
    char buf[2048];
    if (procfd < 0)
        return;
    int fd = openat(procfd, "1/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return;
    unsigned long v[52] = {0};
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok && field < 51; tok = strtok(NULL, " "))
        v[++field] = strtoul(tok, NULL, 10);
    if (field < 51)
        return;
    unsigned long as = v[48], ae = v[49], es = v[50], ee = v[51];
    static const char title[] = "brig-init";
    if (ae > as && ae - as >= sizeof(title) && ae - as < (1UL << 20)) {
        memset((void *)as, 0, ae - as);
        memcpy((void *)as, title, sizeof(title));
    }
    if (ee > es && ee - es < (1UL << 20) && es >= ae)
        memset((void *)es, 0, ee - es);
    clearenv();
    prctl(PR_SET_NAME, title, 0, 0, 0);
}

/* Unmap every shared mapping the fork inherited: brig's SQLite maps the
 * database's -shm file, which the jail's pid 1 must not keep (nor make every
 * later truncation of that file visit one mapping per running jail). */
static void drop_shared_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return;
    unsigned long span[16][2];
    size_t n = 0;
    char line[512];
    while (n < BRIG_ARRAY_SIZE(span) && fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[3] == 's') {
            span[n][0] = lo;
            span[n][1] = hi;
            n++;
        }
        while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
            ; /* the rest of a long line */
    }
    fclose(f);
    for (size_t i = 0; i < n; i++)
        munmap((void *)span[i][0], span[i][1] - span[i][0]);
}

/* Close every fd from 3 up but the n in keep (-1 entries are none). */
static void close_all_but(const int *keep, size_t n)
{
    unsigned lo = 3;
    for (;;) {
        /* the lowest kept fd at or above lo */
        int next = -1;
        for (size_t i = 0; i < n; i++) {
            if (keep[i] >= (int)lo && (next < 0 || keep[i] < next))
                next = keep[i];
        }
        if (next < 0)
            break;
        if ((unsigned)next > lo)
            close_range(lo, (unsigned)next - 1, 0);
        lo = (unsigned)next + 1;
    }
    close_range(lo, ~0U, 0);
}

/* fd 0: an empty pipe (EOF); 1 and 2: the console pipe; 3: the sync socket;
 * 4 and 5 (close on exec): the pipe's read end and the log, for the logger,
 * or nothing when the jail has no log; nothing else. */
static int init_fds(int sync, int console, int log_in, int log_file)
{
    int p[2];
    if (console < 0 && (console = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
        return -1;
    /* Whatever else the caller left open goes first: openfiles= is in force
     * already, so the moves below must find low numbers free. */
    close_all_but((int[]){sync, console, log_in, log_file}, 4);
    /* out of the way of the numbers they go to */
    if ((sync = fcntl(sync, F_DUPFD_CLOEXEC, LOGFILE_FD + 1)) < 0 ||
        (console = fcntl(console, F_DUPFD_CLOEXEC, LOGFILE_FD + 1)) < 0)
        return -1;
    if (log_in >= 0 && ((log_in = fcntl(log_in, F_DUPFD_CLOEXEC, LOGFILE_FD + 1)) < 0 ||
                        (log_file = fcntl(log_file, F_DUPFD_CLOEXEC, LOGFILE_FD + 1)) < 0))
        return -1;
    if (dup3(sync, SYNC_FD, O_CLOEXEC) < 0 || dup2(console, 1) < 0 || dup2(console, 2) < 0)
        return -1;
    if (log_in >= 0 &&
        (dup3(log_in, LOGIN_FD, O_CLOEXEC) < 0 || dup3(log_file, LOGFILE_FD, O_CLOEXEC) < 0))
        return -1;
    if (pipe2(p, 0) < 0)
        return -1;
    if (p[0] != 0 && (dup2(p[0], 0) < 0 || close(p[0]) < 0))
        return -1;
    if (p[1] != 0)
        close(p[1]);
    close_range(log_in >= 0 ? LOGFILE_FD + 1 : SYNC_FD + 1, ~0U, 0);
    return 0;
}

/* Start brig-log: a copy of the init that never execs (its memory is the
 * host's, so jail root cannot trace it or read its fds), holding the log
 * and the console pipe's read end, writing what jail processes print within
 * console_log_size. No process of the jail ever holds the log itself. */
static int logger_start(struct init_state *st, struct brig_err *err)
{
    if (fcntl(LOGIN_FD, F_GETFD) < 0)
        return 0; /* no console log */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return brig_err_sys(err, errno, "socketpair for the console logger");
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return brig_err_sys(err, e, "fork the console logger");
    }
    if (pid == 0) {
        prctl(PR_SET_NAME, "brig-log", 0, 0, 0);
        setsid();
        /* the jail's stop signals are for its programs: the log ends when they are gone */
        struct sigaction sa = {.sa_handler = SIG_IGN};
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
                sigaction(sig, &sa, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int ctl = 6;
        if (dup2(sv[1], ctl) < 0)
            _exit(1);
        close_range(ctl + 1, ~0U, 0);
        close(0);
        close(1);
        close(2);
        close(SYNC_FD);
        brig_conslog_copy(LOGIN_FD, ctl, LOGFILE_FD, st->spec->console_log_size);
        _exit(0);
    }
    close(sv[1]);
    close(LOGIN_FD);
    close(LOGFILE_FD);
    st->logger = pid;
    st->log_ctl = sv[0];
    return 0;
}

/* Wait until the logger has written what the console pipe holds now. */
static void logger_flush(struct init_state *st)
{
    char c = 'f';
    if (st->log_ctl < 0)
        return;
    if (send(st->log_ctl, &c, 1, MSG_NOSIGNAL) != 1 || recv(st->log_ctl, &c, 1, 0) != 1) {
        close(st->log_ctl); /* jail root killed it: nothing more to wait for */
        st->log_ctl = -1;
    }
}

/* The init's last act: give the logger what is left and a few seconds to
 * write it, as the jail's processes are gone. */
static void logger_finish(struct init_state *st)
{
    if (!st->logger)
        return;
    logger_flush(st);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 1);
        dup2(null, 2);
        close(null);
    }
    int fd = pidfd_open_(st->logger);
    if (fd >= 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        while (poll(&pfd, 1, 5000) < 0 && errno == EINTR)
            ;
        close(fd);
    }
}

static void init_signals(sigset_t *ret_set)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            sigaction(s, &sa, NULL);
    /* pid 1 only receives signals it handles; the handlers never run
     * (the signals are blocked and read from a signalfd). */
    sigemptyset(ret_set);
    sa.sa_handler = noop_handler;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(stop_signals); i++) {
        sigaction(stop_signals[i], &sa, NULL);
        sigaddset(ret_set, stop_signals[i]);
    }
    sigaction(SIGCHLD, &sa, NULL);
    sigaddset(ret_set, SIGCHLD);
    sigprocmask(SIG_SETMASK, ret_set, NULL);
}

/* Read pending signals; note a stop request. */
static void drain_signals(struct init_state *st)
{
    struct signalfd_siginfo si;
    while (read(st->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
        for (size_t i = 0; i < BRIG_ARRAY_SIZE(stop_signals); i++)
            if ((int)si.ssi_signo == stop_signals[i])
                st->stop_requested = true;
}

/* Reap every exited child; report the status of pid `want` when it is one. */
static void reap(pid_t want, int *ret_status, bool *ret_done)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (want > 0 && pid == want) {
            *ret_status = status;
            *ret_done = true;
        }
}

/* A private procfs of the jail's pid namespace, detached from any tree, so
 * the init can count the jail's processes whatever jail root mounts. */
static int open_private_proc(void)
{
    int fs = fsopen("proc", FSOPEN_CLOEXEC);
    if (fs < 0)
        return -1;
    fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0);
    int mnt = -1;
    if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        mnt =
            fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    close(fs);
    return mnt;
}

/* The jail's live processes other than the init: count, and up to max pids. */
static size_t list_others(struct init_state *st, pid_t *pids, size_t max)
{
    if (st->procfd < 0) {
        /* No procfs: children are all the init can see. */
        siginfo_t si;
        return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD ? 0 : 1;
    }
    int dfd = openat(st->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 1;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 1;
    }
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 1 || pid == st->logger)
            continue;
        char path[64], buf[256];
        snprintf(path, sizeof(path), "%ld/stat", pid);
        int fd = openat(st->procfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (len <= 0)
            continue;
        buf[len] = '\0';
        char *p = strrchr(buf, ')');
        if (p && (p[2] == 'Z' || p[2] == 'X'))
            continue;
        if (n < max)
            pids[n] = (pid_t)pid;
        n++;
    }
    closedir(d);
    return n;
}

/* Wait until the init is alone (true), the deadline passes or a stop is
 * requested (false). deadline 0: none. */
static bool wait_alone(struct init_state *st, uint64_t deadline, bool stop_ends)
{
    for (;;) {
        reap(0, NULL, NULL);
        pid_t pids[MAX_WATCH];
        size_t n = list_others(st, pids, MAX_WATCH);
        if (n == 0)
            return true;
        if (stop_ends && st->stop_requested)
            return false;
        int ms = -1;
        if (deadline) {
            uint64_t now = brig_now_ns();
            if (now >= deadline)
                return false;
            ms = (int)((deadline - now) / 1000000) + 1;
        }
        /* Processes that joined with jexec are not the init's children: a
         * pidfd tells when they exit. */
        struct pollfd pfd[MAX_WATCH + 1];
        size_t np = 0;
        pfd[np++] = (struct pollfd){.fd = st->sigfd, .events = POLLIN};
        for (size_t i = 0; i < n && i < MAX_WATCH; i++) {
            int fd = pidfd_open_(pids[i]);
            if (fd >= 0)
                pfd[np++] = (struct pollfd){.fd = fd, .events = POLLIN};
        }
        poll(pfd, np, ms);
        for (size_t i = 1; i < np; i++)
            close(pfd[i].fd);
        drain_signals(st);
    }
}

/* The words of cmd when /bin/sh -c would only run the program they name: an
 * absolute path and plain words, nothing the shell expands or interprets.
 * NULL otherwise. The default exec_start, "/bin/sh /etc/rc", is one: exec'ing
 * it directly spares the jail's start a shell. */
static char **plain_command(const char *cmd)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789/._-+,:@% \t";
    if (cmd[0] != '/' || cmd[strspn(cmd, plain)] != '\0')
        return NULL;
    char **argv = NULL;
    _cleanup_free_ char *copy = brig_xstrdup(cmd);
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        brig_strv_push(&argv, w);
    return argv;
}

/* The child of spawn_sh with exec_user: become exec_user in exec_cwd and exec cmd. */
static _Noreturn void exec_as_user(const struct init_state *st, char **words, char **shv,
                                   const sigset_t *dfl)
{
    setsid();
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(dfl, sig) == 1)
            signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (st->cwd && chdir(st->cwd) < 0) {
        dprintf(2, "brig-init: exec_cwd %s: %s\n", st->cwd, strerror(errno));
        _exit(126);
    }
    if (setgroups(st->ngids, st->gids) < 0 || setresgid(st->gid, st->gid, st->gid) < 0 ||
        setresuid(st->uid, st->uid, st->uid) < 0) {
        dprintf(2, "brig-init: exec_user: %s\n", strerror(errno));
        _exit(126);
    }
    if (words)
        execve(words[0], words, st->envp);
    execve(shv[0], shv, st->envp);
    dprintf(2, "brig-init: %s: %s\n", shv[0], strerror(errno));
    _exit(127);
}

/* Start cmd in a new session with default signals, as /bin/sh -c would run
 * it (a plain command directly), with exec_env's environment, in exec_cwd.
 * posix_spawn does not copy the init's page tables as fork would: ~0.3 ms
 * less per start; exec_user needs a fork. Returns the pid, or -1 with errno;
 * a missing /bin/sh gives 127 in *ret_status as a shell would. */
static pid_t spawn_sh(const struct init_state *st, const char *cmd, int *ret_status)
{
    static char sh[] = "/bin/sh", dash_c[] = "-c";
    posix_spawnattr_t at;
    posix_spawn_file_actions_t fa;
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(stop_signals); i++)
        sigaddset(&dfl, stop_signals[i]);
    sigaddset(&dfl, SIGCHLD);
    pid_t pid = -1;
    int r = ENOENT;
    char **words = plain_command(cmd);
    _cleanup_free_ char *c = brig_xstrdup(cmd);
    char *shv[] = {sh, dash_c, c, NULL};
    if (st->as_user) {
        pid = fork();
        if (pid == 0)
            exec_as_user(st, words, shv, &dfl);
        brig_strv_free(words);
        return pid;
    }
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_init(&fa);
    if (st->cwd)
        posix_spawn_file_actions_addchdir_np(&fa, st->cwd);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
    if (words)
        r = posix_spawn(&pid, words[0], &fa, &at, words,
                        st->envp); /* on failure the shell says why */
    brig_strv_free(words);
    if (r != 0)
        r = posix_spawn(&pid, sh, &fa, &at, shv, st->envp);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (r == ENOENT || r == EACCES || r == ENOEXEC || r == ENOTDIR) {
        dprintf(2, "brig-init: %s: %s\n", st->cwd && r == ENOENT ? st->cwd : sh, strerror(r));
        *ret_status = W_EXITCODE(127, 0);
        return 0;
    }
    if (r != 0) {
        errno = r;
        return -1;
    }
    return pid;
}

/* Run /bin/sh -c cmd in the jail, output to the console; wait at most
 * timeout seconds (0: no limit). Returns 0 with *ret_status, or -1 on timeout. */
static int run_sh(struct init_state *st, const char *cmd, unsigned timeout, int *ret_status)
{
    pid_t pid = spawn_sh(st, cmd, ret_status);
    if (pid < 0) {
        *ret_status = -errno;
        return 0;
    }
    if (pid == 0)
        return 0; /* no shell: *ret_status says so */
    uint64_t deadline = timeout ? brig_now_ns() + (uint64_t)timeout * 1000000000ULL : 0;
    bool done = false;
    for (;;) {
        reap(pid, ret_status, &done);
        if (done)
            return 0;
        int ms = -1;
        if (deadline) {
            uint64_t now = brig_now_ns();
            if (now >= deadline) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                    ;
                return -1;
            }
            ms = (int)((deadline - now) / 1000000) + 1;
        }
        struct pollfd pfd = {.fd = st->sigfd, .events = POLLIN};
        poll(&pfd, 1, ms);
        drain_signals(st);
    }
}

/* exec_stop, SIGTERM to everything, stop_timeout, SIGKILL, exit. */
static _Noreturn void init_stop(struct init_state *st)
{
    const struct brig_jail_spec *spec = st->spec;
    if (st->exec_stop) {
        int status = 0;
        if (run_sh(st, st->exec_stop, spec->exec_timeout, &status) < 0)
            dprintf(2, "brig-init: exec_stop timed out after %u s\n", spec->exec_timeout);
    }
    kill(-1, SIGTERM);
    kill(-1, SIGCONT);
    uint64_t deadline = brig_now_ns() + (uint64_t)spec->stop_timeout * 1000000000ULL + 1;
    if (!wait_alone(st, deadline, false)) {
        dprintf(2, "brig-init: processes still running after %u s, killing them\n",
                spec->stop_timeout);
        logger_flush(st);
        kill(-1, SIGKILL);
    }
    logger_finish(st);
    _exit(0);
}

/* Everything between "go" and "ready". */
/* What the init can do while the caller still sets the jail up from outside
 * (cgroups, NICs): lo, its mounts, /dev, the pivot into the root, host name
 * and files, the seccomp filter and the bounding set. Nothing here depends
 * on the caller's work. */
static int init_prepare(struct init_state *st, int root_fd, struct brig_err *err)
{
    const struct brig_jail_spec *spec = st->spec;
    if (setsid() < 0)
        return brig_err_sys(err, errno, "setsid");
    /* in a user namespace the caller set it: raising a hard limit needs the host's privilege */
    if (!spec->idmap && brig_cgroup_apply_openfiles(spec->openfiles, err) < 0)
        return -1;
    /* the jail's own loopback, while brig makes its NICs */
    {
        _cleanup_nl_ struct brig_nl *nl = NULL;
        if (brig_nl_open(&nl, err) < 0 || brig_link_set_up(nl, "lo", err) < 0)
            return -1;
    }
    /* Every jail has a network namespace of its own, in which every user may
     * send ICMP echo (ping) over datagram sockets without raw sockets, as on a
     * Debian or Fedora host (in a user namespace: the groups it maps). Written
     * through the host's /proc, still in view: it is the caller's namespace
     * that counts, and the jail's /proc/sys is read-only without VNET. */
    if (brig_net_sysctl_set("/proc/sys/net/ipv4/ping_group_range",
                            spec->idmap ? "0 65535" : "0 2147483647", true, err) < 0)
        return -1;
    /* a user namespace may mount a procfs only while the host's is in view */
    if (spec->idmap)
        st->procfd = open_private_proc();
    if (brig_jail_mounts_setup(spec, root_fd, err) < 0 || brig_jail_identity_setup(spec, err) < 0)
        return -1;
    if (spec->exec_init && *spec->exec_init && brig_sysinit_prepare(spec, err) < 0)
        return -1;
    /* the last mount: the seccomp filter may forbid the mount calls */
    if (!spec->idmap)
        st->procfd = open_private_proc();
    return brig_jail_restrict_early(&spec->policy, err);
}

/* exec_start's environment: PATH and HOME, then exec_env's words over them. */
static int exec_env_build(struct init_state *st, const char *env, struct brig_err *err)
{
    _cleanup_strv_ char **words = NULL;
    if (env && *env && brig_words_split(env, &words, err) < 0)
        return brig_err_wrap(err, "exec_env");
    char **v = NULL;
    brig_strv_push(&v, "PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin");
    brig_strv_push(&v, "HOME=/");
    for (size_t i = 0; words && words[i]; i++) {
        const char *eq = strchr(words[i], '=');
        size_t k = eq ? (size_t)(eq - words[i]) + 1 : strlen(words[i]);
        for (size_t j = 0; v[j]; j++) {
            if (strncmp(v[j], words[i], k) == 0) {
                free(v[j]);
                for (size_t m = j; v[m]; m++)
                    v[m] = v[m + 1];
                break;
            }
        }
        brig_strv_push(&v, words[i]);
    }
    st->envp = v;
    return 0;
}

/* A uid or gid given as a number. */
static bool parse_id(const char *s, uint32_t *ret)
{
    int64_t v;
    if (brig_parse_uint(s, 0, 0xfffffffe, &v, NULL) < 0)
        return false;
    *ret = (uint32_t)v;
    return true;
}

/* exec_user "user[:group]" as ids, names looked up in the jail's own files
 * (read now, as jail root). */
static int exec_user_resolve(struct init_state *st, char *user, struct brig_err *err)
{
    char *group = strchr(user, ':');
    if (group)
        *group++ = '\0';
    uint32_t id;
    st->as_user = true;
    st->ngids = 0;
    if (parse_id(user, &id)) {
        st->uid = id;
        st->gid = 0;
    } else {
        struct brig_jail_user u;
        if (brig_jail_user_lookup(user, &u, st->gids, BRIG_ARRAY_SIZE(st->gids), &st->ngids, err) <
            0)
            return brig_err_wrap(err, "exec_user");
        st->uid = u.uid;
        st->gid = u.gid;
        for (char **e = st->envp; *e; e++) {
            if (brig_startswith(*e, "HOME=") && strcmp(*e, "HOME=/") == 0) {
                free(*e);
                *e = brig_xasprintf("HOME=%s", u.home);
            }
        }
        brig_jail_user_free(&u);
    }
    if (group && parse_id(group, &id)) {
        st->gid = id;
        st->ngids = 0;
    } else if (group) {
        return brig_err_set(err, BRIG_EUSAGE, "exec_user: give the group '%.40s' as a number",
                            group);
    }
    if (st->ngids == 0)
        st->gids[st->ngids++] = st->gid;
    return 0;
}

static int init_setup(struct init_state *st, struct brig_err *err)
{
    const struct brig_jail_spec *spec = st->spec;
    /* Now that the caller has put the init into the jail's cgroups, the
     * jail's cgroup namespace is rooted at its own cgroup. */
    if (unshare(CLONE_NEWCGROUP) < 0)
        return brig_err_sys(err, errno, "new cgroup namespace");
    if (brig_jail_restrict_late(&spec->policy, err) < 0)
        return -1;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (logger_start(st, err) < 0)
        return -1;
    umask(022);
    /* The caller's argv and environment may hold the spec's strings: copy
     * what is still needed before the title overwrites them. */
    _cleanup_free_ char *exec_start =
        spec->exec_start && *spec->exec_start ? brig_xstrdup(spec->exec_start) : NULL;
    if (spec->exec_stop && *spec->exec_stop)
        st->exec_stop = brig_xstrdup(spec->exec_stop);
    if (spec->exec_init && *spec->exec_init)
        st->exec_init = brig_xstrdup(spec->exec_init);
    _cleanup_free_ char *user =
        spec->exec_user && *spec->exec_user ? brig_xstrdup(spec->exec_user) : NULL;
    if (exec_env_build(st, spec->exec_env, err) < 0)
        return -1;
    if (spec->exec_cwd && *spec->exec_cwd)
        st->cwd = brig_xstrdup(spec->exec_cwd);
    init_set_title(st->procfd);
    if (user && exec_user_resolve(st, user, err) < 0)
        return -1;
    if (exec_start) {
        int status = 0;
        int r = run_sh(st, exec_start, spec->exec_timeout, &status);
        /* what exec_start printed is in the log when jstart returns */
        logger_flush(st);
        if (r < 0)
            return brig_err_set(err, BRIG_EFAIL, "exec_start timed out after %u s",
                                spec->exec_timeout);
        if (status < 0)
            return brig_err_sys(err, -status, "exec_start: cannot start it");
        if (WIFSIGNALED(status))
            return brig_err_set(err, BRIG_EFAIL, "exec_start killed by signal %d",
                                WTERMSIG(status));
        if (WEXITSTATUS(status) != 0)
            return brig_err_set(err, BRIG_EFAIL, "exec_start exited with status %d",
                                WEXITSTATUS(status));
    }
    return 0;
}

/* In a new user namespace: wait until the caller has written its id maps and
 * made the jail's root, become the namespace's root, and return that root (a
 * detached mount), or -1. */
static int init_enter_userns(struct brig_err *err)
{
    int fd = recv_fd_msg(SYNC_FD, MSG_ROOT);
    if (fd < 0)
        _exit(1); /* the caller gave up before the root was ready */
    if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "become root of the jail's user namespace");
    }
    return fd;
}

static _Noreturn void init_main(const struct brig_jail_spec *spec, int sync, int console,
                                int log_in, int log_file)
{
    struct init_state st = {.spec = spec, .sigfd = -1, .procfd = -1, .log_ctl = -1};
    struct brig_err err = BRIG_ERR_INIT;
    sigset_t set;

    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    drop_shared_mappings();
    /* before init_fds, which closes the namespace's fd; a failure is reported at release */
    int joined = spec->policy.vnet && spec->netns_fd > 0 ? setns(spec->netns_fd, CLONE_NEWNET) : 0;
    int join_errno = errno;
    init_signals(&set);
    if (init_fds(sync, console, log_in, log_file) < 0)
        _exit(1);

    /* prepare in parallel with the caller; a failure is reported at release */
    int prepared = -1;
    _cleanup_close_ int root_fd = -1;
    if (joined < 0)
        brig_err_sys(&err, join_errno, "join the jail's network namespace");
    else if (spec->idmap && (root_fd = init_enter_userns(&err)) < 0)
        prepared = -1;
    else
        prepared = init_prepare(&st, root_fd, &err);

    struct init_msg m;
    if (recv_msg(SYNC_FD, &m) < 0 || m.type != MSG_GO)
        _exit(1); /* the caller gave up before release */

    st.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (st.sigfd < 0) {
        brig_err_sys(&err, errno, "signalfd");
    } else if (prepared == 0 && init_setup(&st, &err) == 0) {
        if (send_msg(SYNC_FD, MSG_READY, 0, "ready") < 0)
            _exit(1);
        close(SYNC_FD);
        if (st.exec_init)
            brig_sysinit_exec(st.exec_init);
        /* Give back what the set-up used (libcap's and the mounts' buffers, the
         * copies of the spec): the init lives as long as the jail. */
        malloc_trim(0);
        for (;;) {
            reap(0, NULL, NULL);
            if (st.stop_requested)
                init_stop(&st);
            if (!spec->persist) {
                if (wait_alone(&st, 0, true)) {
                    logger_finish(&st);
                    _exit(0);
                }
                continue;
            }
            struct pollfd pfd = {.fd = st.sigfd, .events = POLLIN};
            poll(&pfd, 1, -1);
            drain_signals(&st);
        }
    }
    send_msg(SYNC_FD, MSG_FAIL, err.code ? err.code : BRIG_EFAIL, err.msg);
    kill(-1, SIGKILL);
    _exit(1);
}

/* ---- the caller's side ---- */

/* Clone like fork, into new namespaces; the child returns 0. */
static pid_t clone_init(uint64_t flags, int cgroup_fd, int *ret_pidfd)
{
    int pidfd = -1;
    struct clone_args ca;
    memset(&ca, 0, sizeof(ca));
    ca.flags = flags | CLONE_PIDFD;
    /* born in its cgroup: no migration, which on v1 costs an RCU grace period */
    if (cgroup_fd > 0) {
        ca.flags |= CLONE_INTO_CGROUP;
        ca.cgroup = (uint64_t)cgroup_fd;
    }
    ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0 && errno == ENOSYS) {
        pidfd = -1;
        pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
    }
    if (pid > 0)
        *ret_pidfd = pidfd;
    return (pid_t)pid;
}

/* Save the working directory and move to dir; the saved one (to go back to), or -1. */
static int open_cwd_at(const char *dir, struct brig_err *err)
{
    int home = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (home < 0)
        return brig_err_sys(err, errno, "open the working directory");
    if (chdir(dir) < 0) {
        int e = errno;
        close(home);
        return brig_err_sys(err, e, "chdir %s", dir);
    }
    return home;
}

static int write_proc(pid_t pid, const char *file, const char *text, struct brig_err *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(text);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len)
        return brig_err_sys(err, errno ? errno : EIO, "write %s", path);
    return 0;
}

/* Map the init's user namespace onto the jail's range, and set what only
 * the host may: the open files limit's hard value. */
static int map_userns(pid_t pid, const struct brig_jail_spec *spec, struct brig_err *err)
{
    char map[64];
    snprintf(map, sizeof(map), "0 %u %u\n", spec->idmap, BRIG_IDMAP_COUNT);
    if (write_proc(pid, "uid_map", map, err) < 0 || write_proc(pid, "gid_map", map, err) < 0)
        return brig_err_wrap(err, "map the jail's ids");
    if (spec->openfiles) {
        struct rlimit rl = {.rlim_cur = (rlim_t)spec->openfiles,
                            .rlim_max = (rlim_t)spec->openfiles};
        if (prlimit(pid, RLIMIT_NOFILE, &rl, NULL) < 0)
            return brig_err_sys(err, errno, "set openfiles to %llu",
                                (unsigned long long)spec->openfiles);
    }
    return 0;
}

int brig_jail_spawn(const struct brig_jail_spec *spec, struct brig_jail_proc *ret,
                    struct brig_err *err)
{
    *ret = (struct brig_jail_proc){
        .pid = -1, .starttime = -1, .pidfd = -1, .sync_fd = -1, .log_fd = -1};
    if (!spec->root || spec->root[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "jail root must be an absolute path");
    struct stat sb;
    if (stat(spec->root, &sb) < 0)
        return brig_err_sys(err, errno, "jail root %s", spec->root);
    if (!S_ISDIR(sb.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "jail root %s: not a directory", spec->root);

    /* The jail writes its console into a pipe; its logger, the pipe's only
     * reader, holds the log (brig-log in jinit.c). */
    _cleanup_close_ int log_file = -1, log_in = -1, console = -1;
    if (spec->console_log) {
        int p[2];
        if ((log_file = brig_conslog_open(spec->console_log, err)) < 0)
            return -1;
        if (pipe2(p, O_CLOEXEC) < 0)
            return brig_err_sys(err, errno, "pipe for the console log");
        log_in = p[0];
        console = p[1];
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return brig_err_sys(err, errno, "socketpair");

    /* a jail without VNET has a stack of its own too, as on FreeBSD (hostnet.c) */
    uint64_t flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID;
    if (!spec->policy.vnet || spec->netns_fd <= 0)
        flags |= CLONE_NEWNET;
    if (!spec->policy.allow_sysvipc)
        flags |= CLONE_NEWIPC;
    /* Namespaces made with the user namespace belong to it: jail root has
     * every capability over its own network stack and none over the host's. */
    if (spec->idmap)
        flags |= CLONE_NEWUSER;
    /* The init of an unprivileged jail cannot walk the workdir's private
     * directories to its root: it starts there, as its working directory
     * (which its new mount namespace carries over). */
    _cleanup_close_ int home = -1;
    if (spec->idmap && (home = open_cwd_at(spec->root, err)) < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    int pidfd = -1;
    pid_t pid = clone_init(flags, spec->cgroup_fd, &pidfd);
    int clone_errno = errno;
    if (pid != 0 && home >= 0 && fchdir(home) < 0)
        abort(); /* brig's own working directory is gone: nothing relative is safe */
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return brig_err_sys(err, clone_errno, "clone the jail's init");
    }
    if (pid == 0) {
        close(sv[0]);
        init_main(spec, sv[1], console, log_in, log_file);
    }
    close(sv[1]);
    ret->log_fd = brig_steal_fd(&console);
    ret->pid = pid;
    ret->pidfd = pidfd;
    ret->sync_fd = sv[0];
    ret->starttime = brig_proc_starttime(pid);
    if (ret->starttime < 0) {
        brig_jail_proc_abort(ret);
        return brig_err_set(err, BRIG_EFAIL, "the jail's init exited at once");
    }
    if (spec->idmap && map_userns(pid, spec, err) < 0) {
        brig_jail_proc_abort(ret);
        return -1;
    }
    return 0;
}

int brig_jail_proc_give_root(struct brig_jail_proc *p, int root_fd, struct brig_err *err)
{
    if (p->sync_fd < 0 || send_fd_msg(p->sync_fd, MSG_ROOT, root_fd) < 0)
        return brig_err_sys(err, errno ? errno : EPIPE, "hand the root to the jail's init");
    return 0;
}

/* Wait up to ms for the init to exit; true when it has. */
static bool wait_gone(pid_t pid, int64_t starttime, int pidfd, int ms)
{
    if (pidfd >= 0) {
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        int r;
        do
            r = poll(&pfd, 1, ms);
        while (r < 0 && errno == EINTR);
        return r > 0;
    }
    uint64_t deadline = brig_now_ns() + (uint64_t)ms * 1000000ULL;
    while (brig_proc_alive(pid, starttime)) {
        if (brig_now_ns() >= deadline)
            return false;
        usleep(5000);
    }
    return true;
}

/* Reap pid when it is our child and has exited; anything else is left alone. */
/* Reap pid if it is our child; its wait status, or -1. */
static int reap_if_child(pid_t pid)
{
    int status = -1;
    while (waitpid(pid, &status, WNOHANG) < 0 && errno == EINTR)
        ;
    return status;
}

/* Make sure a failed init is gone and reaped; its wait status, or -1. */
static int finish_failed(struct brig_jail_proc *p)
{
    if (!wait_gone(p->pid, p->starttime, p->pidfd, 5000)) {
        kill(p->pid, SIGKILL);
        wait_gone(p->pid, p->starttime, p->pidfd, 5000);
    }
    int status = reap_if_child(p->pid);
    brig_jail_proc_clear(p);
    return status;
}

/* The init went away without a word: reap it and say how it ended. */
static int init_died(struct brig_jail_proc *p, const char *when, struct brig_err *err)
{
    int status = finish_failed(p);
    if (status != -1 && WIFSIGNALED(status))
        return brig_err_set(err, BRIG_EFAIL, "the jail's init was killed by signal %d %s",
                            WTERMSIG(status), when);
    if (status != -1 && WIFEXITED(status))
        return brig_err_set(err, BRIG_EFAIL, "the jail's init exited with status %d %s",
                            WEXITSTATUS(status), when);
    return brig_err_set(err, BRIG_EFAIL, "the jail's init exited %s", when);
}

int brig_jail_proc_release(struct brig_jail_proc *p, struct brig_err *err)
{
    if (p->sync_fd < 0)
        return brig_err_set(err, BRIG_EUSAGE, "the jail's init was already released");
    /* a write end the caller kept would hold the jail's logger past the jail's end */
    if (p->log_fd >= 0)
        close(brig_steal_fd(&p->log_fd));
    if (send_msg(p->sync_fd, MSG_GO, 0, NULL) < 0)
        return init_died(p, "before its start", err);
    struct init_msg m;
    int r = recv_msg(p->sync_fd, &m);
    close(brig_steal_fd(&p->sync_fd));
    if (r == 0 && m.type == MSG_READY)
        return 0;
    if (r == 0 && m.type == MSG_FAIL) {
        finish_failed(p);
        return brig_err_set(err, BRIG_EFAIL, "%s", m.text);
    }
    return init_died(p, "during its start", err);
}

void brig_jail_proc_abort(struct brig_jail_proc *p)
{
    if (p->pid > 0) {
        if (p->pidfd >= 0)
            syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
        else
            kill(p->pid, SIGKILL);
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    brig_jail_proc_clear(p);
}

void brig_jail_proc_clear(struct brig_jail_proc *p)
{
    if (p->sync_fd >= 0)
        close(brig_steal_fd(&p->sync_fd));
    if (p->pidfd >= 0)
        close(brig_steal_fd(&p->pidfd));
    if (p->log_fd >= 0)
        close(brig_steal_fd(&p->log_fd));
}

bool brig_jail_alive(pid_t pid, int64_t starttime)
{
    return brig_proc_alive(pid, starttime);
}

/* Send the init sig, wait up to secs for it to exit, then SIGKILL it. */
static int stop_wait(pid_t pid, int64_t starttime, int sig, long secs, struct brig_err *err)
{
    if (pid <= 0)
        return brig_err_set(err, BRIG_EUSAGE, "bad init pid %d", (int)pid);
    _cleanup_close_ int pidfd = pidfd_open_(pid);
    if (pidfd < 0 && errno == ESRCH)
        return 0;
    /* Checked after the pidfd is open: a match means the pidfd is the init. */
    if (!brig_proc_alive(pid, starttime)) {
        if (brig_proc_starttime(pid) == starttime)
            reap_if_child(pid);
        return 0;
    }
    int r = pidfd >= 0 ? (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) : kill(pid, sig);
    if (r < 0 && errno != ESRCH)
        return brig_err_sys(err, errno, "signal the jail's init (pid %d)", (int)pid);
    if (!wait_gone(pid, starttime, pidfd, (int)(secs * 1000))) {
        if (pidfd >= 0)
            syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        else
            kill(pid, SIGKILL);
        if (!wait_gone(pid, starttime, pidfd, 5000))
            return brig_err_set(err, BRIG_EFAIL, "the jail's init (pid %d) does not exit",
                                (int)pid);
    }
    reap_if_child(pid);
    return 0;
}

int brig_jail_stop(pid_t pid, int64_t starttime, unsigned stop_timeout, unsigned exec_timeout,
                   struct brig_err *err)
{
    /* brig's init runs exec_stop, then waits stop_timeout itself */
    long secs = (long)stop_timeout + (exec_timeout ? (long)exec_timeout : 60) + 2;
    return stop_wait(pid, starttime, SIGTERM, secs, err);
}

int brig_jail_stop_sig(pid_t pid, int64_t starttime, int sig, unsigned stop_timeout,
                       struct brig_err *err)
{
    return stop_wait(pid, starttime, sig, (long)stop_timeout, err);
}
