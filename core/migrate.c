/* jmigrate: a cold migration of a jail to another node through ssh. The jail
 * is stopped, its export streamed through ssh into `brig jimport in=-` there,
 * started there when it ran, and removed here only once all that succeeded.
 * Until then it stays whole here: the jail's lock is held throughout, the
 * journal says how far the migration got (a recovery reads it), and the
 * children die with this process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "brig.h"
#include "jailop.h"
#include "lifecycle.h"
#include "nodeurl.h"
#include "store/store.h"
#include "util.h"

#define CHUNK          (128 * 1024)
#define OUTPUT_MAX     (64 * 1024)
#define CONNECT_SECS   "ConnectTimeout=20"
#define FAULT_AT_BYTES (256 * 1024)

struct remote {
    struct brig_node_url url;
    const struct brig_migrate_args *a;
};

void brig_migrate_done_clear(struct brig_migrate_done *d)
{
    free(d->host);
    *d = (struct brig_migrate_done){0};
}

/* The command run on the node: the remote brig, the verb words[0] with the
 * URL's workdir, then the rest of words, each quoted for the remote user's
 * shell (ssh hands the node one string). */
static char *remote_command(const struct remote *r, const char *const *words)
{
    struct brig_buf b = {0};
    _cleanup_free_ char *prog = brig_shell_quote(r->a->remote_brig ? r->a->remote_brig : "brig");
    brig_buf_add(&b, prog);
    for (const char *const *w = words; *w; w++) {
        _cleanup_free_ char *q = brig_shell_quote(*w);
        brig_buf_addf(&b, " %s", q);
        if (w == words && r->url.workdir) {
            _cleanup_free_ char *wd = brig_xasprintf("workdir=%s", r->url.workdir);
            _cleanup_free_ char *qw = brig_shell_quote(wd);
            brig_buf_addf(&b, " %s", qw);
        }
    }
    return brig_buf_steal(&b);
}

/* ssh's argv for words run on the node; BatchMode comes first so that no
 * option given can make ssh ask for a password. */
static char **ssh_argv(const struct remote *r, bool no_stdin, const char *const *words)
{
    char **argv = NULL;
    char port[16];
    brig_strv_push(&argv, r->a->ssh ? r->a->ssh : "ssh");
    brig_strv_push(&argv, "-o");
    brig_strv_push(&argv, "BatchMode=yes");
    if (no_stdin)
        brig_strv_push(&argv, "-n");
    if (r->url.port) {
        snprintf(port, sizeof(port), "%u", r->url.port);
        brig_strv_push(&argv, "-p");
        brig_strv_push(&argv, port);
    }
    if (r->url.user) {
        brig_strv_push(&argv, "-l");
        brig_strv_push(&argv, r->url.user);
    }
    for (char *const *o = r->a->ssh_opts; o && *o; o++)
        brig_strv_push(&argv, *o);
    brig_strv_push(&argv, "-o");
    brig_strv_push(&argv, CONNECT_SECS);
    brig_strv_push(&argv, "--");
    brig_strv_push(&argv, r->url.host);
    _cleanup_free_ char *cmd = remote_command(r, words);
    brig_strv_push(&argv, cmd);
    return argv;
}

/* Fork and exec argv with stdin, stdout and stderr from in, out and errfd
 * (-1: /dev/null for stdin); the child dies when this process does. */
static int spawn(char *const *argv, int in, int out, int errfd, pid_t *ret_pid,
                 struct brig_err *err)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return brig_err_sys(err, errno, "fork");
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
            _exit(127);
        if (in < 0)
            in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
            dup2(errfd, STDERR_FILENO) < 0)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    *ret_pid = pid;
    return 0;
}

/* Wait for pid; its exit status, or -1 when a signal ended it. */
static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last non-empty line a child wrote to the memfd fd, without a leading
 * "brig: " and with control characters made '?'. */
static char *last_line(int fd)
{
    char buf[OUTPUT_MAX + 1];
    ssize_t n = pread(fd, buf, OUTPUT_MAX, 0);
    if (n <= 0)
        return brig_xstrdup("no message");
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    if (brig_startswith(line, "brig: "))
        line += 6;
    brig_str_uncontrol(line);
    return brig_xstrdup(*line ? line : "no message");
}

static int output_fd(struct brig_err *err)
{
    int fd = memfd_create("brig-jmigrate", MFD_CLOEXEC);
    return fd < 0 ? brig_err_sys(err, errno, "memfd_create") : fd;
}

/* Run words on the node with ssh; a failure's err holds what it said.
 * ret_out (may be NULL) gets its output. */
static int remote_run(const struct remote *r, const char *const *words, char **ret_out,
                      struct brig_err *err)
{
    _cleanup_close_ int out = output_fd(err);
    if (out < 0)
        return -1;
    _cleanup_strv_ char **argv = ssh_argv(r, true, words);
    pid_t pid;
    if (spawn(argv, -1, out, out, &pid, err) < 0)
        return -1;
    int status = reap(pid);
    if (status == 0) {
        if (ret_out) {
            char buf[OUTPUT_MAX + 1];
            ssize_t n = pread(out, buf, OUTPUT_MAX, 0);
            *ret_out = brig_xstrndup(buf, n > 0 ? (size_t)n : 0);
        }
        return 0;
    }
    _cleanup_free_ char *why = last_line(out);
    if (status == 255)
        return brig_err_set(err, BRIG_EFAIL, "ssh to %s: %s", r->url.host, why);
    return brig_err_set(err, BRIG_EFAIL, "%s", why);
}

/* Before anything changes here: the node answers, its brig runs on an
 * initialised workdir, and it has no jail of this name. */
static int remote_check(const struct remote *r, const char *jname, struct brig_err *err)
{
    const char *const words[] = {"jls", "display=jname", "header=0", NULL};
    _cleanup_free_ char *out = NULL;
    if (remote_run(r, words, &out, err) < 0)
        return brig_err_wrap(err, "node %s", r->url.host);
    char *save = NULL;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        l[strcspn(l, " \t")] = '\0';
        if (strcmp(l, jname) == 0)
            return brig_err_set(err, BRIG_EFAIL, "node %s has a jail named %s already", r->url.host,
                                jname);
    }
    return 0;
}

/* Write all of buf to fd; false when the reader is gone. */
static bool write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        buf += w;
        n -= (size_t)w;
    }
    return true;
}

struct transfer {
    pid_t exporter, ssh;
    int exp_out, ssh_out; /* memfds with what each said */
    uint64_t bytes;
};

/* Relay from the exporter's pipe to ssh's until the export ends or ssh is gone. */
static void relay(struct transfer *t, int from, int to, brig_migrate_progress_fn *progress,
                  void *data)
{
    _cleanup_free_ char *buf = brig_xmalloc(CHUNK);
    bool faulted = false;
    for (;;) {
        ssize_t n = read(from, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || !write_all(to, buf, (size_t)n))
            return;
        t->bytes += (uint64_t)n;
        if (progress)
            progress("transfer", t->bytes, 0, data);
        if (!faulted && t->bytes >= FAULT_AT_BYTES) {
            faulted = true;
            brig_fault_point("jmigrate", 2, "before");
        }
    }
}

/* Stream jname's export (by brig-archive, the lock being ours) into jimport on the node. */
static int transfer(struct brig_ctx *c, const char *jname, const struct remote *r,
                    brig_migrate_progress_fn *progress, void *data, struct transfer *t,
                    struct brig_err *err)
{
    _cleanup_free_ char *prog = brig_program_path("brig-archive");
    _cleanup_free_ char *jarg = brig_xasprintf("jname=%s", jname);
    const char *const words[] = {"jimport", "in=-", NULL};
    _cleanup_strv_ char **ssh = ssh_argv(r, false, words);
    int exp_pipe[2] = {-1, -1}, ssh_pipe[2] = {-1, -1};
    if (!prog)
        return brig_err_set(err, BRIG_EFAIL, "the brig-archive program is missing");
    _cleanup_strv_ char **exporter = NULL;
    brig_strv_push(&exporter, prog);
    brig_strv_push(&exporter, "jexport");
    brig_strv_push(&exporter, c->workdir);
    brig_strv_push(&exporter, jarg);
    brig_strv_push(&exporter, "out=-");
    brig_strv_push(&exporter, "locked=1");
    if ((t->exp_out = output_fd(err)) < 0 || (t->ssh_out = output_fd(err)) < 0)
        return -1;
    if (pipe2(exp_pipe, O_CLOEXEC) < 0 || pipe2(ssh_pipe, O_CLOEXEC) < 0) {
        brig_err_sys(err, errno, "pipe");
        goto fail;
    }
    if (spawn(exporter, -1, exp_pipe[1], t->exp_out, &t->exporter, err) < 0)
        goto fail;
    if (spawn(ssh, ssh_pipe[0], t->ssh_out, t->ssh_out, &t->ssh, err) < 0) {
        kill(t->exporter, SIGKILL);
        reap(t->exporter);
        goto fail;
    }
    close(exp_pipe[1]);
    close(ssh_pipe[0]);
    relay(t, exp_pipe[0], ssh_pipe[1], progress, data);
    close(ssh_pipe[1]);
    close(exp_pipe[0]);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (exp_pipe[i] >= 0)
            close(exp_pipe[i]);
        if (ssh_pipe[i] >= 0)
            close(ssh_pipe[i]);
    }
    return -1;
}

/* How the transfer ended: both sides done and well, or err says which failed. */
static int transfer_result(const struct remote *r, struct transfer *t, struct brig_err *err)
{
    /* the export ends by itself once its output is drained; when ssh is gone
     * first nothing drains it */
    int ssh_status = reap(t->ssh);
    if (ssh_status != 0)
        kill(t->exporter, SIGKILL);
    int exp_status = reap(t->exporter);
    if (ssh_status == 0 && exp_status == 0)
        return 0;
    if (ssh_status == 255) {
        _cleanup_free_ char *why = last_line(t->ssh_out);
        return brig_err_set(err, BRIG_EFAIL, "ssh to %s: %s", r->url.host, why);
    }
    if (exp_status != 0 && ssh_status != 0 && ssh_status != -1) {
        /* the remote side refused what it got; that is the cause to show */
        _cleanup_free_ char *why = last_line(t->ssh_out);
        return brig_err_set(err, BRIG_EFAIL, "import on %s: %s", r->url.host, why);
    }
    if (exp_status != 0) {
        _cleanup_free_ char *why = last_line(t->exp_out);
        return brig_err_set(err, BRIG_EFAIL, "export: %s", why);
    }
    _cleanup_free_ char *why = last_line(t->ssh_out);
    return brig_err_set(err, BRIG_EFAIL, "import on %s: %s", r->url.host,
                        ssh_status == -1 ? "ssh was killed" : why);
}

static int journal_step(struct brig_jail_op *op, enum brig_migrate_step step, struct brig_err *err)
{
    struct brig_journal j = {.jail_id = op->j.id, .step = (int)step, .pid = getpid()};
    snprintf(j.op, sizeof(j.op), "jmigrate");
    return brig_store_journal_set(op->c->st, &j, err);
}

/* Put the jail back as it was: no journal, and running again when it ran. */
static void restore(struct brig_jail_op *op, bool was_running, struct brig_err *err)
{
    struct brig_err e = BRIG_ERR_INIT;
    brig_store_journal_clear(op->c->st, op->j.id, NULL);
    if (!was_running || brig_jail_op_start(op, &e) == 0)
        return;
    char first[sizeof(err->msg)];
    snprintf(first, sizeof(first), "%s", err->msg);
    brig_err_set(err, err->code, "%s; and it could not start here again: %s", first, e.msg);
}

/* The copy on the node goes when the start there failed. */
static void remote_remove(const struct remote *r, const char *jname, struct brig_err *err)
{
    _cleanup_free_ char *jarg = brig_xasprintf("jname=%s", jname);
    const char *const words[] = {"jremove", jarg, "force=1", NULL};
    struct brig_err e = BRIG_ERR_INIT;
    if (remote_run(r, words, NULL, &e) == 0)
        brig_err_wrap(err, "start on %s (its copy there was removed)", r->url.host);
    else
        brig_err_wrap(err, "start on %s (and its copy there could not be removed: %s)", r->url.host,
                      e.msg);
}

/* With the lock held and the jail stopped: send it, start it there, remove it here. */
static int migrate_stopped(struct brig_jail_op *op, const struct remote *r, bool was_running,
                           brig_migrate_progress_fn *progress, void *data,
                           struct brig_migrate_done *ret, struct brig_err *err)
{
    const char *jname = op->j.v[BRIG_P_JNAME];
    _cleanup_free_ char *jarg = brig_xasprintf("jname=%s", jname);
    struct transfer t = {.exp_out = -1, .ssh_out = -1};
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    if (journal_step(op, was_running ? BRIG_MIGRATE_WAS_RUNNING : BRIG_MIGRATE_STOPPED, err) < 0)
        return -1;
    brig_fault_point("jmigrate", 1, "before");
    uint64_t t0 = brig_now_ns();
    /* ssh gone midway is a write error here, not this process's death */
    sigaction(SIGPIPE, &ign, &old);
    int tr = transfer(op->c, jname, r, progress, data, &t, err);
    if (tr == 0)
        tr = transfer_result(r, &t, err);
    sigaction(SIGPIPE, &old, NULL);
    if (t.exp_out >= 0)
        close(t.exp_out);
    if (t.ssh_out >= 0)
        close(t.ssh_out);
    ret->bytes = t.bytes;
    ret->transfer_ns = brig_now_ns() - t0;
    if (tr < 0)
        return -1;
    brig_fault_point("jmigrate", 3, "before");
    if (was_running) {
        const char *const words[] = {"jstart", jarg, NULL};
        if (remote_run(r, words, NULL, err) < 0) {
            remote_remove(r, jname, err);
            return -1;
        }
        ret->started = true;
    }
    /* from here a copy runs there: this one stays stopped whatever happens */
    if (journal_step(op, BRIG_MIGRATE_REMOTE_RUNS, err) < 0)
        return 1;
    brig_fault_point("jmigrate", 4, "before");
    if (brig_jail_op_remove(op, err) < 0) {
        brig_err_wrap(err,
                      "migrated to %s, but its copy here could not be removed (brig "
                      "jremove jname=%s removes it)",
                      r->url.host, jname);
        return 1;
    }
    return 0;
}

int brig_jmigrate(struct brig_ctx *c, const char *jname, const struct brig_migrate_args *a,
                  brig_migrate_progress_fn *progress, void *data, struct brig_migrate_done *ret,
                  struct brig_err *err)
{
    struct remote r = {.a = a};
    struct brig_jail_op op;
    int res = -1;
    *ret = (struct brig_migrate_done){0};
    uint64_t t0 = brig_now_ns();
    if (brig_check_name("jname", jname, err) < 0 || brig_node_url_parse(a->node, &r.url, err) < 0)
        return -1;
    if (a->remote_brig && !*a->remote_brig) {
        brig_node_url_clear(&r.url);
        return brig_err_set(err, BRIG_EUSAGE, "remote_brig is empty");
    }
    ret->host = brig_xstrdup(r.url.host);
    /* errors of these name the jail already */
    if (brig_jail_op_open(c, jname, true, &op, err) < 0 || brig_jail_op_settle(&op, err) < 0)
        goto out;
    if (remote_check(&r, jname, err) < 0) {
        brig_err_wrap(err, "%s", jname);
        goto out;
    }
    bool was_running = op.running;
    if (was_running) {
        if (brig_depend_stop(c, jname, err) < 0 || brig_jail_op_stop(&op, err) < 0)
            goto out;
        op.running = false;
        op.rt = (struct brig_runtime){0};
    }
    int m = migrate_stopped(&op, &r, was_running, progress, data, ret, err);
    if (m < 0)
        restore(&op, was_running, err);
    if (m != 0) {
        brig_err_wrap(err, "%s", jname);
        goto out;
    }
    ret->total_ns = brig_now_ns() - t0;
    res = 0;
out:
    brig_jail_op_free(&op);
    brig_node_url_clear(&r.url);
    return res;
}
