/* jexport and jimport, bexport and bimport: run by the brig-archive program, which links
 * libarchive, with this command's stdin, stdout and stderr. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "brig.h"
#include "cli.h"
#include "progress.h"
#include "util.h"

/* Run brig-archive VERB WORKDIR key=value...; it prints its own error. */
static int run_archive(struct cli *cli, const char *verb, struct brig_err *err)
{
    _cleanup_free_ char *prog = brig_program_path("brig-archive");
    if (!prog)
        return brig_err_set(err, BRIG_EFAIL, "the brig-archive program is missing");
    char **argv = NULL;
    brig_strv_push(&argv, prog);
    brig_strv_push(&argv, verb);
    brig_strv_push(&argv, cli->ctx.workdir);
    for (size_t i = 0; i < cli->kv.n; i++) {
        _cleanup_free_ char *kv =
            brig_xasprintf("%s=%s", cli->kv.items[i].key, cli->kv.items[i].value);
        brig_strv_push(&argv, kv);
    }
    int status;
    int r = brig_run(argv, NULL, &status, NULL, err);
    brig_strv_free(argv);
    if (r < 0)
        return -1;
    if (status != 0) {
        cli->exit_status = status < 0 ? BRIG_EFAIL : status;
        cli->quiet_error = true;
        return brig_err_set(err, cli->exit_status, "%s failed", verb);
    }
    return 0;
}

int cli_jexport(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    return run_archive(cli, "jexport", err);
}

int cli_jimport(struct cli *cli, struct brig_err *err)
{
    const char *in;
    if (cli_need(cli, "in", &in, err) < 0)
        return -1;
    return run_archive(cli, "jimport", err);
}

int cli_bexport(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    return run_archive(cli, "bexport", err);
}

int cli_bimport(struct cli *cli, struct brig_err *err)
{
    const char *in;
    if (cli_need(cli, "in", &in, err) < 0)
        return -1;
    return run_archive(cli, "bimport", err);
}

/* ssh_opts= (or BRIG_SSH_OPTS) split at white space: options, never a shell string. */
static char **split_opts(const char *s)
{
    char **v = NULL;
    _cleanup_free_ char *copy = brig_xstrdup(s ? s : "");
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        brig_strv_push(&v, w);
    return v;
}

int cli_jmigrate(struct cli *cli, struct brig_err *err)
{
    const char *jname, *node;
    if (cli_need(cli, "jname", &jname, err) < 0 || cli_need(cli, "node", &node, err) < 0)
        return -1;
    const char *ssh = cli_get(cli, "ssh") ? cli_get(cli, "ssh") : getenv("BRIG_SSH");
    const char *opts =
        cli_get(cli, "ssh_opts") ? cli_get(cli, "ssh_opts") : getenv("BRIG_SSH_OPTS");
    if (ssh && !*ssh)
        return brig_err_set(err, BRIG_EUSAGE, "ssh is empty");
    _cleanup_strv_ char **ssh_opts = split_opts(opts);
    struct brig_migrate_args a = {.node = node,
                                  .remote_brig = cli_get(cli, "remote_brig"),
                                  .ssh = ssh && *ssh ? ssh : NULL,
                                  .ssh_opts = ssh_opts};
    struct brig_migrate_done done;
    struct cli_progress bar;
    cli_progress_init(&bar, stderr, jname, 8, false);
    int r =
        brig_jmigrate(&cli->ctx, jname, &a, bar.tty ? cli_progress_update : NULL, &bar, &done, err);
    cli_progress_end(&bar, r == 0);
    if (r == 0) {
        double secs = (double)done.total_ns / 1e9, mib = (double)done.bytes / (1024.0 * 1024.0);
        double xfer = (double)done.transfer_ns / 1e9;
        printf("migrated %s to %s in %.1f s, %.1f MiB at %.1f MiB/s%s\n", jname, done.host, secs,
               mib, xfer > 0 ? mib / xfer : 0.0, done.started ? " (started there)" : "");
    }
    brig_migrate_done_clear(&done);
    return r;
}
