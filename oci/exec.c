/* exec: a process in a running container's namespaces and cgroup. A helper
 * joins the namespaces and clones the process as the runtime's own child
 * (CLONE_PARENT), so the runtime can wait for it, or leave it to its parent's
 * subreaper with --detach. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "oci/oci_int.h"
#include "os/linux/cgroup.h"
#include "os/linux/usock.h"

static const struct {
    const char *name;
    int flag;
} join_order[] = {
    {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
    {"mnt", CLONE_NEWNS},
};

/* In the helper: join pid's namespaces where they differ from ours. */
static int join_all(pid_t pid, struct brig_err *err)
{
    for (size_t i = 0; i < sizeof(join_order) / sizeof(join_order[0]); i++) {
        char p[64], self[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, join_order[i].name);
        snprintf(self, sizeof(self), "/proc/self/ns/%s", join_order[i].name);
        struct stat a, b;
        if (stat(p, &a) < 0)
            return brig_err_sys(err, errno, "stat %s", p);
        if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            continue;
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, join_order[i].flag) < 0) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return brig_err_sys(err, e, "join %s", p);
        }
        close(fd);
    }
    return 0;
}

int brig_oci_exec(const char *root, const char *id, const struct brig_oci_exec_opts *o,
                  int *ret_status, struct brig_err *err)
{
    struct brig_oci_state st;
    if (brig_oci_state_get(root, id, &st, err) < 0)
        return -1;
    pid_t target = st.pid;
    enum brig_oci_status status = st.status;
    brig_oci_state_free(&st);
    if (status != BRIG_OCI_RUNNING && status != BRIG_OCI_CREATED)
        return brig_err_set(err, BRIG_EFAIL, "cannot exec in a container that is %s",
                            brig_oci_status_name(status));
    struct brig_oci_process p;
    if (o->process_json) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (brig_read_file(o->process_json, 1 << 20, &text, &len, err) < 0 ||
            brig_oci_process_parse(text, len, &p, err) < 0)
            return brig_err_wrap(err, "--process %s", o->process_json);
    } else {
        memset(&p, 0, sizeof(p));
        if (!o->argv || !o->argv[0])
            return brig_err_set(err, BRIG_EUSAGE, "exec needs a command or --process");
        for (size_t i = 0; o->argv[i]; i++)
            brig_strv_push(&p.args, o->argv[i]);
        p.env = brig_xcalloc(1, sizeof(char *));
        brig_strv_push(&p.env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        p.cwd = brig_xstrdup("/");
        p.additional_gids = brig_xcalloc(1, sizeof(uint32_t));
    }
    for (size_t i = 0; o->env && o->env[i]; i++)
        brig_strv_push(&p.env, o->env[i]);
    if (o->cwd) {
        free(p.cwd);
        p.cwd = brig_xstrdup(o->cwd);
    }
    if (o->tty)
        p.terminal = true;
    int r = -1;
    int console = -1, sv[2] = {-1, -1};
    _cleanup_strv_ char **procs = NULL;
    if (p.terminal && !o->console_socket) {
        brig_err_set(err, BRIG_EUSAGE, "a terminal needs --console-socket");
        goto out;
    }
    if (p.terminal && (console = brig_usock_connect(o->console_socket, false, err)) < 0) {
        brig_err_wrap(err, "--console-socket");
        goto out;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        brig_err_sys(err, errno, "socketpair");
        goto out;
    }
    brig_oci_cgroup_scope(root);
    if (brig_cgroup_procs_paths(id, &procs, err) < 0)
        goto out;
    pid_t helper = fork();
    if (helper < 0) {
        brig_err_sys(err, errno, "fork");
        goto out;
    }
    if (helper == 0) {
        struct brig_err e = BRIG_ERR_INIT;
        close(sv[0]);
        for (size_t i = 0; procs && procs[i]; i++) {
            int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                if (write(fd, "0", 1) < 0) {
                    /* a hierarchy the container does not use */
                }
                close(fd);
            }
        }
        if (join_all(target, &e) < 0) {
            char msg[1100];
            int n = snprintf(msg, sizeof(msg), "E%s", e.msg);
            if (write(sv[1], msg, (size_t)n) < 0)
                _exit(1);
            _exit(1);
        }
        pid_t child = (pid_t)syscall(SYS_clone, CLONE_PARENT, NULL, NULL, NULL, NULL);
        if (child == 0) {
            struct brig_oci_init_args a = {.process = &p,
                                           .sync_fd = sv[1],
                                           .fifo_fd = -1,
                                           .console_fd = console,
                                           .preserve_fds = o->preserve_fds};
            brig_oci_init_main(&a);
        }
        char msg[32];
        int n = snprintf(msg, sizeof(msg), "P%d", (int)child);
        _exit(write(sv[1], msg, (size_t)n) == n && child > 0 ? 0 : 1);
    }
    close(sv[1]);
    sv[1] = -1;
    int hs = 0;
    waitpid(helper, &hs, 0);
    char buf[1100];
    ssize_t n = read(sv[0], buf, sizeof(buf) - 1);
    if (n <= 0 || buf[0] != 'P') {
        if (n > 0) {
            buf[n] = '\0';
            brig_err_set(err, BRIG_EFAIL, "%s", buf + 1);
        } else {
            brig_err_set(err, BRIG_EFAIL, "cannot enter container %s", id);
        }
        goto out;
    }
    buf[n] = '\0';
    pid_t child = atoi(buf + 1);
    if (write(sv[0], "G", 1) != 1) {
        brig_err_sys(err, errno, "release the process");
        goto out;
    }
    if (brig_oci_read_answer(sv[0], true, err) < 0) {
        waitpid(child, NULL, 0);
        *ret_status = 127;
        goto out;
    }
    if (o->pid_file) {
        _cleanup_free_ char *t = brig_xasprintf("%d", (int)child);
        if (brig_write_file_atomic(o->pid_file, t, strlen(t), 0644, err) < 0)
            goto out;
    }
    if (o->detach) {
        *ret_status = 0;
        r = 0;
        goto out;
    }
    int ws = 0;
    while (waitpid(child, &ws, 0) < 0)
        if (errno != EINTR) {
            brig_err_sys(err, errno, "wait for the process");
            goto out;
        }
    *ret_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r = 0;
out:
    if (console >= 0)
        close(console);
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    brig_oci_process_free(&p);
    return r;
}
