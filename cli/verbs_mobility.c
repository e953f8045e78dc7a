/* jexport and jimport: run by the brig-archive program, which links
 * libarchive, with this command's stdin, stdout and stderr. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
