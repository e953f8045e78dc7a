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

#include "util.h"

int brig_hook_run(const char *cmd, char *const *envp, const char *log_path, unsigned timeout,
                  struct brig_err *err)
{
    if (!cmd || !*cmd)
        return 0;
    _cleanup_close_ int log =
        open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0)
        return brig_err_sys(err, errno, "open %s", log_path);
    /* the parameter is a sh(1) command line by definition: one argument to sh -c */
    _cleanup_strv_ char **argv = NULL;
    brig_strv_push(&argv, "/bin/sh");
    brig_strv_push(&argv, "-c");
    brig_strv_push(&argv, cmd);
    pid_t pid = fork();
    if (pid < 0)
        return brig_err_sys(err, errno, "fork");
    if (pid == 0) {
        setsid();
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
            _exit(127);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status = 0;
    bool timed_out = false;
    if (pidfd >= 0 && timeout) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        int r;
        while ((r = poll(&p, 1, (int)timeout * 1000)) < 0 && errno == EINTR)
            ;
        if (r == 0) {
            timed_out = true;
            kill(-pid, SIGKILL);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        return brig_err_set(err, BRIG_EFAIL, "killed after exec_timeout (%us)", timeout);
    if (WIFSIGNALED(status))
        return brig_err_set(err, BRIG_EFAIL, "killed by signal %d", WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        return brig_err_set(err, BRIG_EFAIL, "exited with status %d (see %s)", WEXITSTATUS(status),
                            log_path ? log_path : "its output");
    return 0;
}
