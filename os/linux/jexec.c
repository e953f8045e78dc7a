#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup.h"
#include "jail_int.h"
#include "passwd.h"
#include "proc.h"
#include "relay.h"
#include "usock.h"
#include "util.h"

/* Messages from the processes that enter the jail to brig, on a
 * SOCK_SEQPACKET pair: why they failed, or the pty master they opened. */
enum { EXEC_MSG_FAIL = 1, EXEC_MSG_PTY = 2 };
struct exec_msg {
    int32_t type;
    int32_t code;   /* FAIL: the brig_errcode */
    int32_t status; /* FAIL: 127 or 126 when the exec failed, else 0 */
    char text[1024];
};

/* The user namespace first: once in it, the process has the rights its
 * owner gives over the jail's other namespaces. */
static const char *const ns_names[] = {"user", "cgroup", "ipc", "uts", "net", "pid", "mnt"};
#define N_NS BRIG_ARRAY_SIZE(ns_names)

/* The fds of the process that enters the jail, and nothing else: 0-2 the
 * command's stdin, stdout and stderr, the socket to brig, the namespaces
 * (a namespace the jail shares with the host is not joined), the jail's
 * root, the cgroup.procs files. */
#define CTL_FD  3
#define NS_FD   4
#define ROOT_FD (NS_FD + (int)N_NS)
#define CG_FD   (ROOT_FD + 1)

/* Everything the host opens for the processes that enter the jail. */
struct exec_plan {
    int stdio[3]; /* the command's ends: pipes, /dev/null (pty) or the caller's (pass_stdio) */
    int ctl;      /* their end of the socket to brig */
    int ns[N_NS]; /* -1: shared with the host */
    int root;
    int *cgroups;
    size_t n_cgroups;
    bool pty;
    struct winsize ws;
    bool have_ws;
};

static void send_msg(int type, int code, int status, const char *text, int fd)
{
    struct exec_msg m;
    memset(&m, 0, sizeof(m));
    m.type = type;
    m.code = code;
    m.status = status;
    if (text)
        snprintf(m.text, sizeof(m.text), "%s", text);
    brig_usock_send_fd(CTL_FD, &m, sizeof(m), fd);
}

static _Noreturn void fail_exit(const struct brig_err *err, int status)
{
    send_msg(EXEC_MSG_FAIL, err->code ? err->code : BRIG_EFAIL, status, err->msg, -1);
    _exit(255);
}

/* Every signal back to its default action and unblocked, as a program expects. */
static void signals_default(void)
{
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Put fds[i] at fd i, for every i, and close every other fd; a negative
 * fds[i] leaves fd i closed. Fds 0-2 survive exec, the others do not. */
static int fds_place(const int *fds, size_t n)
{
    _cleanup_free_ int *tmp = brig_xcalloc(n, sizeof(int));
    for (size_t i = 0; i < n; i++) {
        tmp[i] = -1;
        if (fds[i] >= 0 && (tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, (int)n)) < 0)
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (tmp[i] < 0)
            close((int)i);
        else if (dup3(tmp[i], (int)i, i < 3 ? 0 : O_CLOEXEC) < 0)
            return -1;
    }
    return close_range((unsigned)n, ~0U, 0);
}

/* Join the cgroups (host rights), the user namespace, the other namespaces,
 * then the jail's root. */
static int enter(const struct exec_plan *p, struct brig_err *err)
{
    for (size_t i = 0; i < p->n_cgroups; i++)
        if (write(CG_FD + (int)i, "0", 1) != 1)
            return brig_err_sys(err, errno, "join the jail's cgroup");
    for (size_t i = 0; i < N_NS; i++)
        if (p->ns[i] >= 0 && setns(NS_FD + (int)i, 0) < 0)
            return brig_err_sys(err, errno, "join the jail's %s namespace", ns_names[i]);
    if (fchdir(ROOT_FD) < 0 || chroot(".") < 0 || chdir("/") < 0)
        return brig_err_sys(err, errno, "enter the jail's root");
    close_range(NS_FD, ~0U, 0);
    return 0;
}

/* A pty master from the jail's own devpts; /dev/ptmx is jail root's to
 * replace, so what opened must prove to be one. */
static int open_pty(const struct exec_plan *p, struct brig_err *err)
{
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (m < 0)
        return brig_err_sys(err, errno, "open /dev/ptmx in the jail");
    struct stat st;
    unsigned n, unlock = 0;
    if (fstat(m, &st) < 0 || !S_ISCHR(st.st_mode) || ioctl(m, TIOCGPTN, &n) < 0) {
        close(m);
        return brig_err_set(err, BRIG_EFAIL, "the jail's /dev/ptmx is not a pty multiplexer");
    }
    if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
        int e = errno;
        close(m);
        return brig_err_sys(err, e, "unlock the jail's pty");
    }
    if (p->have_ws)
        ioctl(m, TIOCSWINSZ, &p->ws);
    return m;
}

static void env_add(char ***env, const char *key, const char *value)
{
    char *kv = brig_xasprintf("%s=%s", key, value);
    brig_strv_push(env, kv);
    free(kv);
}

/* The command, in the jail's pid namespace and a session of its own: jail
 * root's restrictions, then the user from the jail's files, then exec. */
static _Noreturn void command(const struct brig_jail_exec_spec *s, int master, const char *term)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (setsid() < 0) {
        brig_err_sys(&err, errno, "setsid");
        fail_exit(&err, 0);
    }
    if (master >= 0) {
        int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
        if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 ||
            dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
            brig_err_sys(&err, errno, "open the jail's pty");
            fail_exit(&err, 0);
        }
    }
    close_range(CTL_FD + 1, ~0U, 0);
    signals_default();

    if (brig_cgroup_apply_openfiles(s->openfiles, &err) < 0)
        fail_exit(&err, 0);
    if (brig_jail_restrict(&s->policy, &err) < 0)
        fail_exit(&err, 0);
    /* Only now, with no more than jail root's rights and none of the host's
     * fds, are the jail's files read. */
    struct brig_jail_user u = {0};
    gid_t gids[64];
    size_t ng = 0;
    if (brig_jail_user_lookup(s->user ? s->user : "root", &u, gids, BRIG_ARRAY_SIZE(gids), &ng,
                              &err) < 0)
        fail_exit(&err, 0);
    if (setgroups(ng, gids) < 0 || setgid(u.gid) < 0 || setuid(u.uid) < 0) {
        brig_err_sys(&err, errno, "become %s (uid %u)", u.name, (unsigned)u.uid);
        fail_exit(&err, 0);
    }
    if (chdir(u.home) < 0 && chdir("/") < 0) {
        brig_err_sys(&err, errno, "chdir /");
        fail_exit(&err, 0);
    }

    char **env = NULL;
    env_add(&env, "PATH",
            u.uid == 0 ? "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"
                       : "/bin:/usr/bin:/usr/local/bin");
    env_add(&env, "HOME", u.home);
    env_add(&env, "USER", u.name);
    env_add(&env, "LOGNAME", u.name);
    if (term)
        env_add(&env, "TERM", term);
    char **argv = NULL;
    const char *file;
    if (s->argv && s->argv[0]) {
        for (size_t i = 0; s->argv[i]; i++)
            brig_strv_push(&argv, s->argv[i]);
        file = s->argv[0];
    } else {
        env_add(&env, "SHELL", u.shell);
        const char *base = strrchr(u.shell, '/');
        char *login = brig_xasprintf("-%s", base ? base + 1 : u.shell);
        brig_strv_push(&argv, login);
        free(login);
        file = u.shell;
    }
    /* execvp searches the PATH of environ: the jail's, not the caller's. */
    environ = env;
    execvp(file, argv);
    int e = errno;
    brig_err_sys(&err, e, "exec %s in the jail", file);
    fail_exit(&err, e == ENOENT ? 127 : 126);
}

/* The process between brig and the jail: non-dumpable from its first
 * instruction, holding only the fds of the plan, it joins the jail so brig
 * does not, forks the command into the jail's pid namespace, forwards the
 * signals brig forwards to it, and exits with the command's status. */
static _Noreturn void intermediate(const struct brig_jail_exec_spec *s, const struct exec_plan *p)
{
    struct brig_err err = BRIG_ERR_INIT;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    size_t n = (size_t)CG_FD + p->n_cgroups;
    _cleanup_free_ int *fds = brig_xcalloc(n, sizeof(int));
    for (int i = 0; i < 3; i++)
        fds[i] = p->stdio[i];
    fds[CTL_FD] = p->ctl;
    for (size_t i = 0; i < N_NS; i++)
        fds[NS_FD + (int)i] = p->ns[i];
    fds[ROOT_FD] = p->root;
    for (size_t i = 0; i < p->n_cgroups; i++)
        fds[(size_t)CG_FD + i] = p->cgroups[i];
    if (fds_place(fds, n) < 0)
        _exit(255);
    /* Out of the caller's session and process group: its terminal cannot
     * signal it, and it has no terminal to hand on. */
    setsid();
    signals_default();
    sigset_t fwd;
    sigemptyset(&fwd);
    sigaddset(&fwd, SIGINT);
    sigaddset(&fwd, SIGTERM);
    sigaddset(&fwd, SIGHUP);
    sigaddset(&fwd, SIGCHLD);
    sigprocmask(SIG_BLOCK, &fwd, NULL);

    const char *t = getenv("TERM");
    _cleanup_free_ char *term = t && p->pty ? brig_xstrdup(t) : NULL;
    if (enter(p, &err) < 0)
        fail_exit(&err, 0);
    int master = -1;
    if (p->pty) {
        if ((master = open_pty(p, &err)) < 0)
            fail_exit(&err, 0);
        send_msg(EXEC_MSG_PTY, 0, 0, NULL, master);
    }
    pid_t pid = fork();
    if (pid < 0) {
        brig_err_sys(&err, errno, "fork into the jail");
        fail_exit(&err, 0);
    }
    if (pid == 0)
        command(s, master, term);
    /* Its copies would keep the command's pipes open after it exits. */
    close_range(0, ~0U, 0);
    for (;;) {
        int sig = sigwaitinfo(&fwd, NULL);
        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            kill(pid, sig);
            continue;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
    }
}

/* fd moved to 3 or above, so no fd of brig's own ever sits at 0-2. */
static int above_stdio(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return n;
}

static void plan_close(struct exec_plan *p)
{
    for (size_t i = 0; i < N_NS; i++)
        if (p->ns[i] >= 0)
            close(p->ns[i]);
    if (p->root >= 0)
        close(p->root);
    for (size_t i = 0; i < p->n_cgroups; i++)
        close(p->cgroups[i]);
    free(p->cgroups);
    p->cgroups = NULL;
    p->n_cgroups = 0;
}

/* The namespaces, root and cgroup.procs of the jail, opened on the host. */
static int plan_open(const struct brig_jail_exec_spec *s, struct exec_plan *p, struct brig_err *err)
{
    for (size_t i = 0; i < N_NS; i++) {
        char path[64], own[64];
        struct stat a, b;
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)s->pid, ns_names[i]);
        p->ns[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (p->ns[i] < 0)
            return brig_err_sys(err, errno, "open %s", path);
        snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_names[i]);
        if (fstat(p->ns[i], &a) == 0 && stat(own, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev) {
            close(p->ns[i]); /* the jail shares it with the host */
            p->ns[i] = -1;
        }
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)s->pid);
    p->root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (p->root < 0)
        return brig_err_sys(err, errno, "open %s", path);
    size_t n = s->cgroup_procs ? brig_strv_len((char *const *)(uintptr_t)s->cgroup_procs) : 0;
    p->cgroups = brig_xcalloc(n ? n : 1, sizeof(int));
    for (size_t i = 0; i < n; i++) {
        int fd = open(s->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return brig_err_sys(err, errno, "open %s", s->cgroup_procs[i]);
        p->cgroups[p->n_cgroups++] = fd;
    }
    return 0;
}

/* Receive one message; a pty master it carries goes to *ret_fd. 0 at end of
 * file, -1 for anything else than one whole message. */
static int recv_msg(int sock, struct exec_msg *m, int *ret_fd, bool wait)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    while (n < 0 && errno == EINTR);
    if (n < 0 && !wait && errno == EAGAIN)
        return 0;
    int fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n > 0 && c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
    if (n <= 0)
        return n == 0 ? 0 : -1;
    m->text[sizeof(m->text) - 1] = '\0';
    bool ok = n == (ssize_t)sizeof(*m) && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
              (m->type == EXEC_MSG_FAIL || (m->type == EXEC_MSG_PTY && fd >= 0));
    if (!ok || m->type != EXEC_MSG_PTY) {
        if (fd >= 0)
            close(fd);
        return ok ? 1 : -1;
    }
    *ret_fd = above_stdio(fd);
    return 1;
}

/* The ends of the command's pipes: the child's in stdio, brig's in mine. */
static int make_pipes(int stdio[3], int mine[3], struct brig_err *err)
{
    for (int i = 0; i < 3; i++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
            return brig_err_sys(err, errno, "pipe");
        p[0] = above_stdio(p[0]);
        p[1] = above_stdio(p[1]);
        stdio[i] = i == 0 ? p[0] : p[1];
        mine[i] = i == 0 ? p[1] : p[0];
        if (p[0] < 0 || p[1] < 0)
            return brig_err_sys(err, errno, "pipe");
    }
    return 0;
}

/* Fork the intermediate, relay until the command is done; its status and
 * what the jail's side said went wrong. */
static int run(const struct brig_jail_exec_spec *s, struct exec_plan *p, int ctl, int mine[3],
               int *ret_status, struct brig_err *err)
{
    sigset_t set, old;
    sigemptyset(&set);
    static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(forwarded); i++) {
        struct sigaction sa;
        /* what the caller ignores (nohup) is not passed on either */
        if (sigaction(forwarded[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
            sigaddset(&set, forwarded[i]);
    }
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGWINCH);
    sigprocmask(SIG_BLOCK, &set, &old);
    _cleanup_close_ int sigfd = above_stdio(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (sigfd < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return brig_err_sys(err, errno, "signalfd");
    }
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return brig_err_sys(err, errno, "fork");
    }
    if (pid == 0)
        intermediate(s, p);
    for (int i = 0; i < 3 && !p->pty && !s->pass_stdio; i++)
        close(brig_steal_fd(&p->stdio[i]));
    close(brig_steal_fd(&p->ctl));
    plan_close(p);

    struct exec_msg m;
    int got = 0, master = -1;
    struct brig_relay r = {
        .child = pid, .in = mine[0], .out = mine[1], .err = mine[2], .sigfd = sigfd, .pty = p->pty};
    mine[0] = mine[1] = mine[2] = -1;
    if (p->pty && (got = recv_msg(ctl, &m, &master, true)) == 1 && master >= 0) {
        r.out = master;
        r.in = above_stdio(fcntl(master, F_DUPFD_CLOEXEC, 3));
        got = 0;
    }
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
    sigaction(SIGPIPE, &ign, &old_pipe);
    int wstatus = 0;
    int rr = brig_relay_run(&r, &wstatus, err);
    sigaction(SIGPIPE, &old_pipe, NULL);
    /* Signals that came after the command was done are not brig's to act on. */
    struct signalfd_siginfo si;
    while (read(sigfd, &si, sizeof(si)) > 0)
        ;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (rr < 0)
        return -1;
    if (got == 0)
        got = recv_msg(ctl, &m, &master, false);
    if (got == 1 && m.type == EXEC_MSG_FAIL) {
        if (m.status)
            *ret_status = m.status;
        return brig_err_set(err, m.code == BRIG_EUSAGE ? BRIG_EUSAGE : BRIG_EFAIL, "%s", m.text);
    }
    if (got < 0)
        return brig_err_set(err, BRIG_EFAIL, "bad message from the jail's command");
    *ret_status = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
    return 0;
}

/* The command's fds 0-2: the caller's own (pass_stdio), /dev/null until
 * the pty replaces them, or pipes whose other ends go to mine. */
static int plan_stdio(const struct brig_jail_exec_spec *s, struct exec_plan *p, int *devnull,
                      int mine[3], struct brig_err *err)
{
    if (s->pass_stdio) {
        for (int i = 0; i < 3; i++) {
            if (isatty(i))
                return brig_err_set(err, BRIG_EUSAGE,
                                    "fd %d is a terminal: it stays out of the jail", i);
            p->stdio[i] = i;
        }
        return 0;
    }
    if (p->pty) {
        *devnull = above_stdio(open("/dev/null", O_RDWR | O_CLOEXEC));
        if (*devnull < 0)
            return brig_err_sys(err, errno, "open /dev/null");
        for (int i = 0; i < 3; i++)
            p->stdio[i] = *devnull;
        p->have_ws = ioctl(0, TIOCGWINSZ, &p->ws) == 0;
        return 0;
    }
    return make_pipes(p->stdio, mine, err);
}

int brig_jail_exec(const struct brig_jail_exec_spec *s, int *ret_status, struct brig_err *err)
{
    if (s->pid <= 0)
        return brig_err_set(err, BRIG_EUSAGE, "bad init pid %d", (int)s->pid);
    if (!brig_proc_alive(s->pid, s->starttime))
        return brig_err_set(err, BRIG_EFAIL, "the jail is not running");
    struct exec_plan p = {.stdio = {-1, -1, -1}, .ctl = -1, .root = -1};
    for (size_t i = 0; i < N_NS; i++)
        p.ns[i] = -1;
    p.pty = s->pty && !s->pass_stdio && isatty(0);
    int mine[3] = {-1, -1, -1}, sp[2] = {-1, -1};
    _cleanup_close_ int devnull = -1;
    int r = plan_open(s, &p, err);
    /* Checked again after opening: the fds belong to the init, not to a
     * process that got its pid. */
    if (r == 0 && !brig_proc_alive(s->pid, s->starttime))
        r = brig_err_set(err, BRIG_EFAIL, "the jail stopped");
    if (r == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        r = brig_err_sys(err, errno, "socketpair");
    sp[0] = above_stdio(sp[0]);
    p.ctl = above_stdio(sp[1]);
    if (r == 0)
        r = plan_stdio(s, &p, &devnull, mine, err);
    if (r == 0)
        r = run(s, &p, sp[0], mine, ret_status, err);
    for (int i = 0; i < 3; i++) {
        if (mine[i] >= 0)
            close(mine[i]);
        if (p.stdio[i] > 2 && p.stdio[i] != devnull)
            close(p.stdio[i]);
    }
    if (sp[0] >= 0)
        close(sp[0]);
    if (p.ctl >= 0)
        close(p.ctl);
    plan_close(&p);
    return r;
}
