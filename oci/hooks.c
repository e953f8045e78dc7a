/* The config's hooks: each one's program run with its args and env, the
 * container's state on its stdin, ended at its timeout. The runtime runs
 * prestart, createRuntime, poststart and poststop in its own namespaces; the
 * container's process runs createContainer (before pivot_root) and
 * startContainer (before the program) in the container's. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "oci/oci_int.h"

int brig_oci_memfd(const char *data, size_t len, struct brig_err *err)
{
    int fd = memfd_create("oci-state", MFD_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "memfd_create");
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return brig_err_sys(err, e, "write the state");
        }
        off += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "rewind the state");
    }
    return fd;
}

/* Wait for the hook; at its deadline (0: none) kill it. 0, or -1 and the
 * reason. */
static int wait_hook(pid_t pid, uint64_t deadline, int *ret_status)
{
    for (;;) {
        pid_t r = waitpid(pid, ret_status, deadline ? WNOHANG : 0);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (deadline && brig_now_ns() > deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
                ;
            errno = ETIMEDOUT;
            return -1;
        }
        if (deadline)
            usleep(5000);
    }
}

int brig_oci_hooks_run(const struct brig_oci_spec *s, enum brig_oci_hook_kind k, const char *state,
                       struct brig_err *err)
{
    for (size_t i = 0; i < s->nhooks[k]; i++) {
        const struct brig_oci_hook *h = &s->hooks[k][i];
        /* a file rather than a pipe: a hook that never reads does not block
         * its caller past the timeout, and no SIGPIPE reaches it */
        int in = brig_oci_memfd(state, strlen(state), err);
        if (in < 0)
            return brig_err_wrap(err, "hooks.%s[%zu]", brig_oci_hook_name(k), i);
        uint64_t deadline = h->timeout ? brig_now_ns() + (uint64_t)h->timeout * 1000000000ULL : 0;
        pid_t pid = fork();
        if (pid < 0) {
            close(in);
            return brig_err_sys(err, errno, "hooks.%s[%zu]: fork", brig_oci_hook_name(k), i);
        }
        if (pid == 0) {
            if (dup2(in, 0) < 0)
                _exit(127);
            signal(SIGPIPE, SIG_DFL);
            char *argv0[] = {h->path, NULL};
            char *envp0[] = {NULL};
            execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : envp0);
            fprintf(stderr, "brig-runc: hooks.%s[%zu]: exec %s: %s\n", brig_oci_hook_name(k), i,
                    h->path, strerror(errno));
            _exit(127);
        }
        close(in);
        int status = 0;
        if (wait_hook(pid, deadline, &status) < 0) {
            if (errno == ETIMEDOUT)
                return brig_err_set(err, BRIG_EFAIL, "hooks.%s[%zu]: %s timed out after %d s",
                                    brig_oci_hook_name(k), i, h->path, h->timeout);
            return brig_err_sys(err, errno, "hooks.%s[%zu]: wait for %s", brig_oci_hook_name(k), i,
                                h->path);
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return brig_err_set(err, BRIG_EFAIL, "hooks.%s[%zu]: %s failed with status %d",
                                brig_oci_hook_name(k), i, h->path,
                                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    return 0;
}
