/* Jail records: jcreate, jls, jget, jset, jconfig, jremove. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

int cli_jcreate(struct cli *cli, struct brig_err *err)
{
    struct brig_jail j = {0};
    if (!cli_get(cli, "jname") && !cli_get(cli, "jconf"))
        return brig_err_set(err, BRIG_EUSAGE, "jname= or jconf= is required");
    if (brig_jcreate(&cli->ctx, &cli->kv, &j, err) < 0)
        return -1;
    for (char **n = cli->ctx.notes; n && *n; n++)
        fprintf(stderr, "brig: jcreate: %s: jconf: ignored %s\n", j.v[BRIG_P_JNAME], *n);
    /* A jconf written elsewhere may carry commands brig will run as the
     * host's root: each is named, so that the user reads them before jstart. */
    static const int host_cmds[] = {BRIG_P_EXEC_PRESTART, BRIG_P_EXEC_POSTSTART,
                                    BRIG_P_EXEC_PRESTOP, BRIG_P_EXEC_POSTSTOP};
    for (size_t i = 0; cli_get(cli, "jconf") && i < BRIG_ARRAY_SIZE(host_cmds); i++) {
        const char *name = brig_params[host_cmds[i]].name, *v = j.v[host_cmds[i]];
        if (!v || !*v || cli_get(cli, name))
            continue;
        fprintf(stderr,
                "brig: jcreate: %s: jconf: %s runs on the host as root: ", j.v[BRIG_P_JNAME], name);
        cli_text_value(stderr, v);
        fputc('\n', stderr);
    }
    if (cli->ctx.dry_run) {
        cli_print_would_create(&j);
        brig_jail_clear(&j);
        return 0;
    }
    printf("%s: created (ip4_addr=%s)\n", j.v[BRIG_P_JNAME], j.v[BRIG_P_IP4_ADDR]);
    brig_jail_clear(&j);
    return 0;
}

static int jls_row(const struct brig_jls_row *row, void *ud)
{
    cli_listing_add(ud, row, NULL);
    return 0;
}

int cli_jls(struct cli *cli, struct brig_err *err)
{
    struct cli_listing l;
    int r = cli_listing_init(cli, "jname,jid,ip4_addr,host_hostname,path,status", false, &l, err);
    if (r == 0)
        r = (l.state ? brig_jls : brig_jail_records)(&cli->ctx, l.params, l.nparams, jls_row, &l,
                                                     err);
    return cli_listing_finish(cli, &l, r);
}

int cli_jget(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    struct brig_jail j = {0};
    bool want[BRIG_P__COUNT];
    size_t nwords = brig_strv_len(cli->words);
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    for (int i = 0; i < BRIG_P__COUNT; i++)
        want[i] = nwords == 0;
    for (size_t w = 0; w < nwords; w++) {
        enum brig_param_id id;
        if (!brig_param_find(cli->words[w], &id)) {
            const char *hint = brig_param_suggest(cli->words[w]);
            return brig_err_set(err, BRIG_EUSAGE, "unknown parameter '%.80s'%s%s%s", cli->words[w],
                                hint ? " (did you mean '" : "", hint ? hint : "",
                                hint ? "'?)" : "");
        }
        want[id] = true;
    }
    if (brig_jget(&cli->ctx, jname, &j, err) < 0)
        return -1;
    if (cli->json)
        fputc('{', stdout);
    bool first = true;
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (!want[i] || !j.v[i])
            continue;
        if (cli->json) {
            fputs(first ? "\n " : ",\n ", stdout);
            cli_json_string(stdout, brig_params[i].name);
            fputs(": ", stdout);
            cli_json_param(stdout, (enum brig_param_id)i, j.v[i]);
        } else {
            printf("%s: ", brig_params[i].name);
            cli_text_value(stdout, j.v[i]);
            fputc('\n', stdout);
        }
        first = false;
    }
    if (cli->json)
        fputs("\n}\n", stdout);
    brig_jail_clear(&j);
    return 0;
}

/* The key=value items other than jname. */
static void params_only(struct cli *cli, struct brig_kvlist *ret)
{
    for (size_t i = 0; i < cli->kv.n; i++) {
        if (strcmp(cli->kv.items[i].key, "jname") != 0)
            brig_kvlist_add(ret, cli->kv.items[i].key, cli->kv.items[i].value, 0);
    }
}

/* What a change did to a running jail: applied at once, or waiting for its next start. */
static void print_done(const char *jname, bool vm, struct brig_jset_done *done)
{
    if (done->live) {
        printf("%s: applied to the running jail:", jname);
        for (char **p = done->live; *p; p++)
            printf(" %s", *p);
        putchar('\n');
    }
    if (done->next_start) {
        if (vm)
            printf("%s: applies at the next start (brig bstop jname=%s; brig bstart jname=%s): ",
                   jname, jname, jname);
        else
            printf("%s: applies at the next start (brig jrestart jname=%s): ", jname, jname);
        for (char **p = done->next_start; *p; p++)
            printf("%s%s", p == done->next_start ? "" : ", ", *p);
        putchar('\n');
    }
    brig_jset_done_free(done);
}

/* Whether base= names another base than jname's (a missing jail: the
 * ordinary jset says so). */
static bool base_changes(struct cli *cli, const char *jname, const char *base)
{
    struct brig_jail j = {0};
    if (brig_jget(&cli->ctx, jname, &j, &(struct brig_err)BRIG_ERR_INIT) < 0)
        return false;
    bool changes = !brig_streq(j.v[BRIG_P_BASE], base);
    brig_jail_clear(&j);
    return changes;
}

/* jset base=: a thin jail moved to another base, with the files of its own
 * that hide what the new base changed. */
static int jset_base(struct cli *cli, const char *jname, const char *base, struct brig_err *err)
{
    char **shadow = NULL;
    bool changed = false;
    if (brig_jset_base(&cli->ctx, jname, base, cli->ctx.dry_run, &shadow, &changed, err) < 0)
        return -1;
    if (!changed)
        printf("%s: already on base %s: nothing to change\n", jname, base);
    else if (cli->ctx.dry_run)
        printf("%s: base=%s is valid; nothing was changed (--dry-run)\n", jname, base);
    else
        printf("%s: base is now %s\n", jname, base);
    for (char **p = shadow; p && *p; p++)
        printf("%s: note: %s in its own files hides the file base %s changed\n", jname, *p, base);
    brig_strv_free(shadow);
    return 0;
}

int cli_jset(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    struct brig_kvlist kv = {0};
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    for (size_t i = 0; i < cli->kv.n; i++) {
        if (strcmp(cli->kv.items[i].key, "jname") == 0 && strcmp(cli->kv.items[i].value, jname))
            return brig_err_set(err, BRIG_EUSAGE, "jname cannot be changed after jcreate");
    }
    params_only(cli, &kv);
    if (kv.n == 0) {
        brig_kvlist_free(&kv);
        return brig_err_set(err, BRIG_EUSAGE, "no parameter to set (param=value)");
    }
    const char *base = brig_kvlist_get(&kv, "base");
    if (base && base_changes(cli, jname, base)) {
        int r = kv.n == 1 ? jset_base(cli, jname, base, err)
                          : brig_err_set(err, BRIG_EUSAGE, "base= is changed on its own");
        brig_kvlist_free(&kv);
        return r;
    }
    struct brig_jset_done done = {0};
    int r = brig_jset(&cli->ctx, jname, &kv, &done, err);
    brig_kvlist_free(&kv);
    if (r == 0 && cli->ctx.dry_run)
        printf("%s: the change is valid; nothing was changed (--dry-run)\n", jname);
    print_done(jname, brig_streq(cli->verb->name, "bset"), &done);
    return r;
}

/* Run $VISUAL/$EDITOR (default vi) on file, split on blanks, without a shell. */
static int run_editor(const char *file, struct brig_err *err)
{
    const char *ed = getenv("VISUAL");
    if (!ed || !*ed)
        ed = getenv("EDITOR");
    if (!ed || !*ed)
        ed = "vi";
    _cleanup_strv_ char **argv = NULL;
    _cleanup_free_ char *copy = brig_xstrdup(ed);
    char *save = NULL;
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        brig_strv_push(&argv, t);
    brig_strv_push(&argv, file);
    int status;
    if (brig_run(argv, NULL, &status, NULL, err) < 0)
        return -1;
    if (status != 0)
        return brig_err_set(err, BRIG_EFAIL, "editor %s exited with status %d; nothing changed",
                            argv[0], status);
    return 0;
}

/* jconfig without parameters: edit the jail as a jconf, check on save, reopen on error. */
static int jconfig_edit(struct cli *cli, const char *jname, struct brig_err *err)
{
    _cleanup_free_ char *text = NULL;
    if (brig_jconf_render(&cli->ctx, jname, &text, err) < 0)
        return -1;
    /* an editor with no terminal waits for a user who is not there */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return brig_err_set(err, BRIG_EUSAGE,
                            "%s: no param=value given, and no terminal for an editor (give "
                            "param=value, or run it on a terminal)",
                            jname);
    char path[] = "/tmp/brig-jconfig-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return brig_err_sys(err, errno, "create temporary file");
    close(fd);
    int r = brig_write_file_atomic(path, text, strlen(text), 0600, err);
    while (r == 0) {
        _cleanup_free_ char *edited = NULL;
        if ((r = run_editor(path, err)) < 0 ||
            (r = brig_read_file(path, 1 << 20, &edited, NULL, err)) < 0)
            break;
        if (strcmp(edited, text) == 0) {
            fprintf(stderr, "brig: jconfig: %s: no changes\n", jname);
            break;
        }
        struct brig_err e2 = BRIG_ERR_INIT;
        struct brig_jset_done done = {0};
        if (brig_jconf_apply(&cli->ctx, jname, edited, &done, &e2) == 0) {
            print_done(jname, false, &done);
            break;
        }
        fprintf(stderr,
                "brig: jconfig: %s\nWhat now? (e)dit again, e(x)it without saving: ", e2.msg);
        char answer[16] = "";
        if (!fgets(answer, sizeof(answer), stdin) || answer[0] == 'x' || answer[0] == 'q') {
            r = brig_err_set(err, BRIG_EUSAGE, "%s: not changed", jname);
            break;
        }
    }
    unlink(path);
    return r;
}

int cli_jconfig(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    if (cli->kv.n > 1)
        return cli_jset(cli, err);
    if (cli->ctx.dry_run)
        return brig_err_set(err, BRIG_EUSAGE, "jconfig --dry-run needs param=value");
    return jconfig_edit(cli, jname, err);
}

/* Ask on the terminal whether to remove the jails named; true on y or yes. */
static bool confirm_remove(char **names)
{
    fprintf(stderr, "brig: jremove: remove %zu jails (", brig_strv_len(names));
    for (char **n = names; *n; n++)
        fprintf(stderr, "%s%s", n == names ? "" : ", ", *n);
    fprintf(stderr, ") and their data? [y/N] ");
    char answer[16] = "";
    if (!fgets(answer, sizeof(answer), stdin))
        return false;
    answer[strcspn(answer, "\r\n")] = '\0';
    return strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 || strcmp(answer, "yes") == 0;
}

int cli_jremove(struct cli *cli, struct brig_err *err)
{
    const char *pattern;
    bool force;
    _cleanup_strv_ char **names = NULL;
    if (cli_need(cli, "jname", &pattern, err) < 0 || cli_bool(cli, "force", false, &force, err) < 0)
        return -1;
    _cleanup_free_ char *copy = brig_xstrdup(pattern);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        _cleanup_strv_ char **m = NULL;
        if (brig_jail_match(&cli->ctx, t, &m, err) < 0)
            return -1;
        for (char **n = m; *n; n++)
            brig_strv_push_unique(&names, *n);
    }
    if (!names)
        return brig_err_set(err, BRIG_EUSAGE, "jname= is empty");
    size_t total = brig_strv_len(names);
    /* several jails at once only when the user says so: on a terminal, or force=1 */
    if (total > 1 && !force && !isatty(STDIN_FILENO))
        return brig_err_set(
            err, BRIG_EUSAGE,
            "'%s' names %zu jails: add force=1 to remove them all (nothing removed)", pattern,
            total);
    for (char **n = names; total > 1 && !force && *n; n++) {
        if (brig_jail_is_running(&cli->ctx, *n))
            return brig_err_set(err, BRIG_EFAIL,
                                "%s: is running (stop it first, or force=1); nothing removed", *n);
    }
    if (total > 1 && !force && !confirm_remove(names))
        return brig_err_set(err, BRIG_EFAIL, "not confirmed: nothing removed");
    for (char **n = names; *n; n++) {
        if (brig_jremove(&cli->ctx, *n, force, err) < 0)
            return -1;
        printf("%s: removed\n", *n);
    }
    return 0;
}
