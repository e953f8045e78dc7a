#define _GNU_SOURCE
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conslog.h"
#include "util.h"

/* Copy the hook's output from out to the log until the hook (pidfd) exits or
 * the deadline (ns, 0: none) passes; false on the deadline. */
static bool copy_until_exit(int pidfd, int out, int log, uint64_t cap, uint64_t deadline)
{
    char buf[4096];
    bool out_open = true;
    for (;;) {
        int ms = -1;
        if (deadline) {
            uint64_t now = brig_now_ns();
            if (now >= deadline)
                return false;
            ms = (int)((deadline - now) / 1000000) + 1;
        }
        struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = out, .events = POLLIN}};
        int r = poll(p, out_open ? 2 : 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return true;
        if (out_open && p[1].revents) {
            ssize_t n = read(out, buf, sizeof(buf));
            if (n > 0)
                brig_conslog_append(log, buf, (size_t)n, cap);
            else if (n == 0 || errno != EINTR)
                out_open = false;
            continue;
        }
        if (p[0].revents)
            return true;
    }
}

/* What the hook printed before it exited and is still in the pipe. */
static void copy_rest(int out, int log, uint64_t cap)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(out, buf, sizeof(buf))) > 0)
        brig_conslog_append(log, buf, (size_t)n, cap);
}

int brig_hook_run(const char *cmd, char *const *envp, const char *log_path, uint64_t log_cap,
                  unsigned timeout, struct brig_err *err)
{
    if (!cmd || !*cmd)
        return 0;
    _cleanup_close_ int log = -1;
    if (log_path && (log = brig_conslog_open(log_path, err)) < 0)
        return -1;
    /* The hook writes into a pipe that brig copies to the log within its cap. */
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return brig_err_sys(err, errno, "pipe");
    _cleanup_close_ int out = p[0];
    /* the parameter is a sh(1) command line by definition: one argument to sh -c */
    _cleanup_strv_ char **argv = NULL;
    brig_strv_push(&argv, "/bin/sh");
    brig_strv_push(&argv, "-c");
    brig_strv_push(&argv, cmd);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[1]);
        return brig_err_sys(err, errno, "fork");
    }
    if (pid == 0) {
        setsid();
        int devnull = open("/dev/null", O_RDWR);
        int w = log >= 0 ? p[1] : devnull;
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(w, 1) < 0 || dup2(w, 2) < 0)
            _exit(127);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(p[1]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status = 0;
    bool timed_out = false;
    if (pidfd >= 0) {
        uint64_t deadline = timeout ? brig_now_ns() + (uint64_t)timeout * 1000000000ULL : 0;
        if (!copy_until_exit(pidfd, out, log, log_cap, deadline)) {
            timed_out = true;
            kill(-pid, SIGKILL);
        }
        close(pidfd);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* what a process the hook left running prints later is not the hook's */
    fcntl(out, F_SETFL, O_NONBLOCK);
    if (log >= 0)
        copy_rest(out, log, log_cap);
    if (timed_out)
        return brig_err_set(err, BRIG_EFAIL, "killed after exec_timeout (%us)", timeout);
    if (WIFSIGNALED(status))
        return brig_err_set(err, BRIG_EFAIL, "killed by signal %d", WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        return brig_err_set(err, BRIG_EFAIL, "exited with status %d (see %s)", WEXITSTATUS(status),
                            log_path ? log_path : "its output");
    return 0;
}
