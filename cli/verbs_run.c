/* Running jails: jstart, jstop, jrestart, jexec, jlogin, recover. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "vm.h"
#include "os/os.h"
#include "util.h"

extern char **environ;

struct astart_row {
    char *jname;
    int64_t order;
};

static int collect_astart(const struct brig_jls_row *row, void *ud)
{
    struct astart_row **v = ud;
    if (strcmp(row->v[1], "1") != 0)
        return 0;
    size_t n = 0;
    while (*v && (*v)[n].jname)
        n++;
    *v = brig_xrealloc(*v, (n + 2) * sizeof(**v));
    (*v)[n] = (struct astart_row){brig_xstrdup(row->v[0]), strtoll(row->v[2], NULL, 10)};
    (*v)[n + 1].jname = NULL;
    return 0;
}

static int by_order(const void *a, const void *b)
{
    const struct astart_row *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->jname, y->jname);
}

/* The jails a start/stop verb acts on: jname= (names, comma list or glob), bare
 * words, or every astart=1 jail in b_order (reversed for stops). *ret_group
 * gets each one's b_order for astart=1, 0 otherwise. */
static int targets(struct cli *cli, bool reverse, char ***ret, int64_t **ret_group,
                   struct brig_err *err)
{
    bool astart;
    const char *jname = cli_get(cli, "jname");
    char **names = NULL;
    if (cli_bool(cli, "astart", false, &astart, err) < 0)
        return -1;
    if (astart) {
        if (jname || cli->words)
            return brig_err_set(err, BRIG_EUSAGE, "astart=1 takes no jname");
        const enum brig_param_id cols[] = {BRIG_P_JNAME, BRIG_P_ASTART, BRIG_P_B_ORDER};
        struct astart_row *rows = NULL;
        if (brig_jail_records(&cli->ctx, cols, 3, collect_astart, &rows, err) < 0)
            return -1;
        size_t n = 0;
        while (rows && rows[n].jname)
            n++;
        qsort(rows, n, sizeof(*rows), by_order);
        names = brig_xcalloc(1, sizeof(char *));
        int64_t *group = brig_xcalloc(n + 1, sizeof(int64_t));
        for (size_t i = 0; i < n; i++) {
            brig_strv_push(&names, rows[reverse ? n - 1 - i : i].jname);
            group[i] = rows[reverse ? n - 1 - i : i].order;
        }
        *ret_group = group;
        for (size_t i = 0; i < n; i++)
            free(rows[i].jname);
        free(rows);
        *ret = names;
        return 0;
    }
    if (!jname && !cli->words)
        return brig_err_set(err, BRIG_EUSAGE, "jname= is required (a name, a list or a glob)");
    _cleanup_strv_ char **patterns = NULL;
    if (jname) {
        _cleanup_free_ char *copy = brig_xstrdup(jname);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            brig_strv_push(&patterns, t);
    }
    for (char **w = cli->words; w && *w; w++)
        brig_strv_push(&patterns, *w);
    if (!patterns)
        return brig_err_set(err, BRIG_EUSAGE, "jname= is empty");
    for (char **p = patterns; *p; p++) {
        _cleanup_strv_ char **m = NULL;
        if (brig_jail_match(&cli->ctx, *p, &m, err) < 0) {
            brig_strv_free(names);
            return -1;
        }
        for (char **n = m; *n; n++)
            brig_strv_push_unique(&names, *n); /* web1,web* names web1 once */
    }
    *ret_group = brig_xcalloc(brig_strv_len(names) + 1, sizeof(int64_t));
    *ret = names;
    return 0;
}

/* jobs=N: how many jails at once; 0: one per online CPU. */
static int jobs_of(struct cli *cli, long *ret, struct brig_err *err)
{
    const char *v = cli_get(cli, "jobs");
    int64_t n = 1;
    if (v && brig_parse_uint(v, 0, 1024, &n, NULL) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "jobs: '%.40s' is not a number from 0 to 1024", v);
    if (n == 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    *ret = n < 1 ? 1 : (long)n;
    return 0;
}

/* Start "brig VERB jname=NAME" (exe: this program) for one jail, with this
 * command's workdir and kernel; its own output and errors go where ours go. */
static pid_t spawn_one(struct cli *cli, const char *exe, const char *name)
{
    _cleanup_free_ char *jn = brig_xasprintf("jname=%s", name);
    _cleanup_free_ char *wd = brig_xasprintf("workdir=%s", cli->ctx.workdir);
    _cleanup_free_ char *self = brig_xstrdup("brig");
    _cleanup_free_ char *verb = brig_xstrdup(cli->verb->name);
    _cleanup_free_ char *os =
        brig_xstrdup(cli->ctx.os == BRIG_K_FREEBSD ? "--os=freebsd" : "--os=linux");
    _cleanup_free_ char *force = brig_xstrdup("force=1");
    /* jstop force=1 holds for each jail's brig too */
    char *argv[] = {self, verb, jn, wd, os, cli->ctx.force ? force : NULL, NULL};
    pid_t pid;
    fflush(NULL);
    int r = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
    if (r != 0) {
        fprintf(stderr, "brig: %s: %s: cannot start a brig for it: %s\n", cli->verb->name, name,
                strerror(r));
        return -1;
    }
    return pid;
}

/* Run the verb for names[0..n) as separate brig processes (exe: this
 * program), jobs at a time; each run of equal group values (b_order) ends
 * before the next begins. Returns how many failed. */
static size_t run_parallel(struct cli *cli, const char *exe, char **names, const int64_t *group,
                           size_t n, long jobs)
{
    size_t failed = 0;
    _cleanup_free_ pid_t *pids = brig_xcalloc(n, sizeof(pid_t));
    for (size_t start = 0; start < n;) {
        size_t end = start;
        while (end < n && group[end] == group[start])
            end++;
        size_t next = start, running = 0;
        while (next < end || running > 0) {
            while (next < end && running < (size_t)jobs) {
                pids[next] = spawn_one(cli, exe, names[next]);
                if (pids[next++] < 0)
                    failed++;
                else
                    running++;
            }
            int status;
            pid_t pid = wait(&status);
            if (pid < 0) {
                if (errno == EINTR)
                    continue;
                break; /* no child left */
            }
            running--;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                continue;
            failed++;
            /* a brig that exited said why; one that was killed could not */
            for (size_t i = start; i < end && WIFSIGNALED(status); i++)
                if (pids[i] == pid)
                    fprintf(stderr, "brig: %s: %s: its brig was killed by signal %d\n",
                            cli->verb->name, names[i], WTERMSIG(status));
        }
        start = end;
    }
    return failed;
}

typedef int (*jail_fn)(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                       enum brig_outcome *ret, struct brig_err *err);

/* What a verb says it did to one jail: done for BRIG_OUT_DONE, already for
 * BRIG_OUT_ALREADY, and what recover did otherwise (after already, in
 * parentheses, when already is not a recover's). */
struct verb_says {
    const char *done, *already;
};

static char *outcome_text(const struct verb_says *says, enum brig_outcome o)
{
    static const char *const cleaned[] = {
        [BRIG_OUT_UNDID_JSTART] = "cleaned up what an interrupted jstart left",
        [BRIG_OUT_FINISHED_JSTOP] = "finished an interrupted jstop",
        [BRIG_OUT_ENDED] = "cleaned up after its init, which had ended",
        [BRIG_OUT_KEPT_JMIGRATE] = "kept here after an interrupted jmigrate",
        [BRIG_OUT_RESTARTED_JMIGRATE] = "kept here after an interrupted jmigrate, and started",
    };
    if (o == BRIG_OUT_DONE)
        return brig_xstrdup(says->done);
    if (o == BRIG_OUT_ALREADY)
        return brig_xstrdup(says->already);
    if (!says->done)
        return brig_xstrdup(cleaned[o]);
    return brig_xasprintf("%s (%s)", says->already, cleaned[o]);
}

/* Apply fn to every target; the first failure is returned after trying the rest.
 * With jobs=N (N > 1) the jails are handled N at a time by brig processes of
 * their own, astart=1 groups of equal b_order one after the other. */
/* What the verb had to say about jail jname, a note a line, on standard error. */
static void print_notes(const struct cli *cli, const char *jname)
{
    for (char **l = cli->ctx.notes; l && *l; l++)
        fprintf(stderr, "brig: %s: %s: note: %s\n", cli->verb->name, jname, *l);
}

struct wave_item {
    char *name;
    int64_t run, wave;
    size_t idx;
};

static int by_run_and_wave(const void *a, const void *b)
{
    const struct wave_item *x = a, *y = b;
    if (x->run != y->run)
        return x->run < y->run ? -1 : 1;
    if (x->wave != y->wave)
        return x->wave < y->wave ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* jstop jobs=N: within each b_order group, the jails the others of the list
 * depend on wait for them: the group is split into stop waves (depend.c),
 * run one after the other, as the sequential jstop stops dependents first. */
static int order_stop_waves(struct cli *cli, char **names, int64_t *group, size_t n,
                            struct brig_err *err)
{
    _cleanup_free_ int64_t *wave = brig_xcalloc(n + 1, sizeof(int64_t));
    if (brig_depend_stop_waves(&cli->ctx, names, n, wave, err) < 0)
        return -1;
    _cleanup_free_ struct wave_item *it = brig_xcalloc(n + 1, sizeof(*it));
    int64_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && group[i] != group[i - 1])
            run++;
        it[i] = (struct wave_item){names[i], run, wave[i], i};
    }
    qsort(it, n, sizeof(*it), by_run_and_wave);
    int64_t g = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (it[i].run != it[i - 1].run || it[i].wave != it[i - 1].wave))
            g++;
        names[i] = it[i].name;
        group[i] = g;
    }
    return 0;
}

static int for_each(struct cli *cli, bool reverse, jail_fn fn, const struct verb_says *says,
                    struct brig_err *err)
{
    _cleanup_strv_ char **names = NULL;
    _cleanup_free_ int64_t *group = NULL;
    long jobs = 1;
    if (jobs_of(cli, &jobs, err) < 0 || targets(cli, reverse, &names, &group, err) < 0)
        return -1;
    int r = 0;
    size_t total = brig_strv_len(names);
    if (jobs > 1 && total > 1 && !cli->ctx.dry_run) {
        _cleanup_free_ char *exe = brig_self_exe();
        if (!exe)
            return brig_err_sys(err, errno, "jobs=%ld: cannot find brig's own program", jobs);
        if (fn == brig_jstop && order_stop_waves(cli, names, group, total, err) < 0)
            return -1;
        size_t failed = run_parallel(cli, exe, names, group, total, jobs);
        if (failed == 0)
            return 0;
        return brig_err_set(err, BRIG_EFAIL, "%zu of %zu jails failed (see above)", failed, total);
    }
    /* jstop: a jail that depends on another in the list is stopped first */
    cli->ctx.stopping = names;
    /* the host ends of several stops go in one request: the kernel's waits
     * for a link's unregistration (RCU barriers, its last references) are
     * then paid once for all, not once per jail */
    if (fn == brig_jstop && total > 1 && !cli->ctx.dry_run)
        brig_links_batch(&cli->ctx);
    for (char **n = names; *n; n++) {
        struct brig_err e = BRIG_ERR_INIT;
        struct brig_buf plan = {0};
        enum brig_outcome o = BRIG_OUT_DONE;
        if (fn(&cli->ctx, *n, cli->ctx.dry_run ? &plan : NULL, &o, &e) < 0) {
            if (r == 0)
                *err = e;
            if (total > 1)
                fprintf(stderr, "brig: %s: %s\n", cli->verb->name, e.msg);
            r = -1;
        } else {
            _cleanup_free_ char *said = outcome_text(says, o);
            if (!cli->ctx.dry_run)
                printf("%s: %s\n", *n, said);
            else if (o != BRIG_OUT_DONE)
                printf("# %s: %s\n", *n, said);
            else
                fputs(plan.s ? plan.s : "", stdout);
            if (!cli->ctx.dry_run)
                print_notes(cli, *n);
        }
        /* a failed verb's notes are noise beside its error */
        brig_strv_free(cli->ctx.notes);
        cli->ctx.notes = NULL;
        brig_buf_free(&plan);
    }
    cli->ctx.stopping = NULL;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_links_release(&cli->ctx, &e) < 0) {
        if (r == 0) {
            *err = e;
            return -1;
        }
        fprintf(stderr, "brig: %s: %s\n", cli->verb->name, e.msg);
    }
    if (r < 0 && total > 1)
        brig_err_set(err, err->code, "%s", "some jails failed (see above)");
    return r;
}

int cli_jstart(struct cli *cli, struct brig_err *err)
{
    static const struct verb_says says = {"started", "already running"};
    return for_each(cli, false, brig_jstart, &says, err);
}

int cli_jstop(struct cli *cli, struct brig_err *err)
{
    static const struct verb_says says = {"stopped", "already stopped"};
    if (cli_bool(cli, "force", false, &cli->ctx.force, err) < 0)
        return -1;
    return for_each(cli, true, brig_jstop, &says, err);
}

int cli_jrestart(struct cli *cli, struct brig_err *err)
{
    static const struct verb_says says = {"restarted", "restarted"};
    return for_each(cli, false, brig_jrestart, &says, err);
}

static int recover_one(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                       enum brig_outcome *ret, struct brig_err *err)
{
    (void)plan;
    return brig_recover(c, jname, ret, err);
}

int cli_recover(struct cli *cli, struct brig_err *err)
{
    if (!cli_get(cli, "jname")) {
        /* what interrupted bclones left, then every jail and VM */
        if (brig_vm_clone_sweep(&cli->ctx, err) < 0)
            return -1;
        /* none at all is nothing to recover */
        brig_kvlist_add(&cli->kv, "jname", "*", 0);
        _cleanup_strv_ char **names = NULL;
        struct brig_err e = BRIG_ERR_INIT;
        if (brig_jail_match(&cli->ctx, "*", &names, &e) < 0 && e.code == BRIG_EUSAGE) {
            if (brig_ctx_open(&cli->ctx, err) < 0)
                return -1;
            printf("no jails: nothing to do\n");
            return 0;
        }
    }
    static const struct verb_says says = {NULL, "nothing to do"};
    return for_each(cli, false, recover_one, &says, err);
}

static int exec_common(struct cli *cli, bool login, struct brig_err *err)
{
    const char *jname;
    int status = 0;
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    if (!login && !cli->rest)
        return brig_err_set(err, BRIG_EUSAGE, "no command (brig jexec jname=%s CMD ...)", jname);
    bool pty = login;
    if (!login && cli_bool(cli, "pty", false, &pty, err) < 0)
        return -1;
    unsigned flags = (login ? BRIG_EXEC_LOGIN : 0) | (pty ? BRIG_EXEC_PTY : 0);
    int r = brig_jexec(&cli->ctx, jname, cli_get(cli, "user"), login ? NULL : cli->rest, flags,
                       &status, err);
    cli->exit_status = status;
    return r;
}

int cli_jexec(struct cli *cli, struct brig_err *err)
{
    return exec_common(cli, false, err);
}

int cli_jlogin(struct cli *cli, struct brig_err *err)
{
    return exec_common(cli, true, err);
}
