/* The generic executor of plans: runs each step's argv with posix_spawnp,
 * substitutes captured variables, and walks back through the completed
 * steps' undo commands on a failure. It knows nothing of jails, so the same
 * code runs a FreeBSD plan there and a plan of harmless commands in tests. */
#define _GNU_SOURCE
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

#define OUTPUT_MAX (256 * 1024)

struct vars {
    char **names;
    char **values;
    size_t n;
};

static void vars_set(struct vars *v, const char *name, const char *value)
{
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->names[i], name) == 0) {
            free(v->values[i]);
            v->values[i] = brig_xstrdup(value);
            return;
        }
    }
    v->names = brig_xrealloc(v->names, (v->n + 1) * sizeof(char *));
    v->values = brig_xrealloc(v->values, (v->n + 1) * sizeof(char *));
    v->names[v->n] = brig_xstrdup(name);
    v->values[v->n] = brig_xstrdup(value);
    v->n++;
}

static void vars_free(struct vars *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->names[i]);
        free(v->values[i]);
    }
    free(v->names);
    free(v->values);
}

/* The command as a person would type it, for error messages. */
static char *cmd_line(char *const *argv)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    for (size_t i = 0; argv[i]; i++) {
        _cleanup_free_ char *q = brig_shell_quote(argv[i]);
        brig_buf_add(&b, i ? " " : "");
        brig_buf_add(&b, q);
    }
    return brig_buf_steal(&b);
}

static int expand_cmd(const struct brig_plan_cmd *cmd, const struct vars *v, char ***ret,
                      struct brig_err *err)
{
    char **out = brig_xcalloc(1, sizeof(char *));
    for (size_t i = 0; cmd->argv[i]; i++) {
        if (i < 64 && (cmd->tmpl & (UINT64_C(1) << i))) {
            _cleanup_free_ char *w = NULL;
            if (brig_plan_expand(cmd->argv[i], v->names, v->values, v->n, &w, err) < 0) {
                brig_strv_free(out);
                return -1;
            }
            brig_strv_push(&out, w);
        } else {
            brig_strv_push(&out, cmd->argv[i]);
        }
    }
    *ret = out;
    return 0;
}

/* An unlinked temporary file for a child's output (no pipe: a daemon the
 * command starts may keep its stdout open long after the command exits). */
static int tmp_output(struct brig_err *err)
{
    const char *dir = getenv("TMPDIR");
    _cleanup_free_ char *path =
        brig_xasprintf("%s/brig-plan.XXXXXX", dir && dir[0] == '/' ? dir : "/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "create a temporary file in %s", path);
    unlink(path);
    return fd;
}

static char *read_back(int fd)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    if (lseek(fd, 0, SEEK_SET) < 0)
        return brig_buf_steal(&b);
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || b.len + (size_t)n > OUTPUT_MAX)
            break;
        brig_buf_addn(&b, chunk, (size_t)n);
    }
    return brig_buf_steal(&b);
}

/* The first non-empty line of s, without surrounding blanks. */
static char *first_line(const char *s)
{
    while (*s == '\n' || *s == ' ' || *s == '\t' || *s == '\r')
        s++;
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return brig_xstrndup(s, n);
}

/* Run argv; status is its exit status (-1: killed by a signal). Output goes to
 * log when set, else is returned in *ret_out and *ret_errout. */
static int spawn_wait(char *const *argv, const char *log, int *ret_status, char **ret_out,
                      char **ret_errout, struct brig_err *err)
{
    _cleanup_close_ int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return brig_err_sys(err, errno, "open /dev/null");
    _cleanup_close_ int out = -1, errfd = -1;
    if (log) {
        out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
        if (out < 0)
            return brig_err_sys(err, errno, "open %s", log);
    } else {
        if ((out = tmp_output(err)) < 0 || (errfd = tmp_output(err)) < 0)
            return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, errfd >= 0 ? errfd : out, STDERR_FILENO);
    pid_t pid;
    int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0)
        return brig_err_sys(err, r, "run %s", argv[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return brig_err_sys(err, errno, "wait for %s", argv[0]);
    }
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *ret_out = log ? brig_xstrdup("") : read_back(out);
    *ret_errout = log ? brig_xstrdup("") : read_back(errfd);
    return 0;
}

/* Run one command; a non-zero exit is an error naming the command and the
 * first line of its stderr (or stdout when stderr is empty). */
static int run_one(const struct brig_plan_cmd *cmd, const char *log, bool undo,
                   const struct brig_plan_exec_opts *opts, const struct vars *v, char **ret_out,
                   struct brig_err *err)
{
    _cleanup_strv_ char **argv = NULL;
    if (expand_cmd(cmd, v, &argv, err) < 0)
        return -1;
    if (opts && opts->on_run)
        opts->on_run(opts->data, undo, argv);
    _cleanup_free_ char *line = cmd_line(argv);
    _cleanup_free_ char *out = NULL, *errout = NULL;
    int status = 0;
    if (spawn_wait(argv, log, &status, &out, &errout, err) < 0)
        return brig_err_wrap(err, "%s", line);
    if (status != 0) {
        _cleanup_free_ char *why = first_line(errout[0] ? errout : out);
        char what[64];
        if (status < 0)
            snprintf(what, sizeof(what), "killed by a signal");
        else
            snprintf(what, sizeof(what), "exit status %d", status);
        if (log)
            return brig_err_set(err, BRIG_EFAIL, "%s: %s (output in %s)", line, what, log);
        if (why[0])
            return brig_err_set(err, BRIG_EFAIL, "%s: %s: %s", line, what, why);
        return brig_err_set(err, BRIG_EFAIL, "%s: %s", line, what);
    }
    if (ret_out)
        *ret_out = brig_steal(&out);
    return 0;
}

static bool is_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-", *s))
            return false;
    }
    return true;
}

/* Undo the steps that ran among done-1 .. 0; the first failure is appended
 * to err's message. */
static void undo_steps(const struct brig_plan *plan, size_t done, const bool *skipped,
                       const struct brig_plan_exec_opts *opts, const struct vars *v,
                       struct brig_err *err)
{
    bool noted = false;
    while (done-- > 0) {
        const struct brig_plan_step *s = &plan->steps[done];
        if (skipped[done])
            continue;
        for (size_t u = 0; u < s->n_undo; u++) {
            struct brig_err e2 = BRIG_ERR_INIT;
            if (run_one(&s->undo[u], NULL, true, opts, v, NULL, &e2) < 0 && !noted) {
                size_t len = strlen(err->msg);
                snprintf(err->msg + len, sizeof(err->msg) - len, "; undo failed too: %s", e2.msg);
                noted = true;
            }
        }
    }
}

/* A waiting step: rerun while the output holds wait_while (bounded), fail
 * when it holds wait_fail. */
static int run_wait(const struct brig_plan_step *s, const struct brig_plan_exec_opts *opts,
                    const struct vars *v, char **ret_out, struct brig_err *err)
{
    unsigned tries = s->wait_seconds * 10 + 1;
    for (unsigned t = 0;; t++) {
        _cleanup_free_ char *out = NULL;
        if (run_one(&s->cmd, NULL, false, opts, v, &out, err) < 0)
            return -1;
        if (s->wait_fail && strstr(out, s->wait_fail))
            return brig_err_set(err, BRIG_EFAIL, "it prints '%s'", s->wait_fail);
        if (!strstr(out, s->wait_while)) {
            *ret_out = brig_steal(&out);
            return 0;
        }
        if (t + 1 >= tries)
            return brig_err_set(err, BRIG_EFAIL, "it still prints '%s' after %u s", s->wait_while,
                                s->wait_seconds);
        struct timespec ts = {0, 100 * 1000 * 1000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
}

int brig_plan_exec(const struct brig_plan *plan, const struct brig_plan_exec_opts *opts,
                   struct brig_err *err)
{
    if (plan->conf && plan->conf_path &&
        brig_write_file_atomic(plan->conf_path, plan->conf, strlen(plan->conf), 0600, err) < 0)
        return brig_err_wrap(err, "write jail.conf");
    struct vars v = {0};
    int r = 0;
    size_t i;
    _cleanup_free_ bool *skipped = brig_xcalloc(plan->n_steps + 1, sizeof(bool));
    for (i = 0; i < plan->n_steps; i++) {
        const struct brig_plan_step *s = &plan->steps[i];
        if (skipped[i])
            continue;
        _cleanup_free_ char *out = NULL;
        struct brig_err e2 = BRIG_ERR_INIT;
        int rr = s->wait_while ? run_wait(s, opts, &v, &out, &e2)
                               : run_one(&s->cmd, s->log, false, opts, &v, &out, &e2);
        if (rr < 0) {
            if (s->may_fail)
                continue;
            brig_err_set(err, e2.code ? e2.code : BRIG_EFAIL, "step %zu (%s): %s", i + 1, s->desc,
                         e2.msg);
            r = -1;
            break;
        }
        if (s->capture) {
            _cleanup_free_ char *val = first_line(out ? out : "");
            if (!is_word(val)) {
                brig_err_set(err, BRIG_EFAIL,
                             "step %zu (%s): expected one word of output to set %s, got '%.80s'",
                             i + 1, s->desc, s->capture, val);
                r = -1;
                i++; /* the command itself succeeded: undo it too */
                break;
            }
            vars_set(&v, s->capture, val);
        }
        for (size_t k = 1; s->same_as && strcmp(out ? out : "", s->same_as) == 0 && k <= s->skip &&
                           i + k < plan->n_steps;
             k++)
            skipped[i + k] = true;
    }
    if (r < 0)
        undo_steps(plan, i, skipped, opts, &v, err);
    vars_free(&v);
    return r;
}
