/* initenv and inventory. */
#include <stdio.h>

#include "cli.h"
#include "os/freebsd/ops.h"
#include "util.h"

int cli_initenv(struct cli *cli, struct brig_err *err)
{
    struct brig_kvlist facts = {0};
    if (brig_initenv(&cli->ctx, &cli->kv, err) < 0 || brig_inventory(&cli->ctx, &facts, err) < 0)
        return -1;
    printf("workdir %s is ready (node %s, pool %s)\n", cli->ctx.workdir, cli->ctx.node.nodename,
           cli->ctx.node.nodeippool);
    brig_kvlist_free(&facts);
    return 0;
}

/* --os=freebsd --dry-run: the commands whose output a FreeBSD inventory reads. */
static int inventory_plan(struct brig_err *err)
{
    struct brig_buf plan = {0};
    int r = brig_freebsd_inventory_plan(&plan, err);
    if (r == 0)
        fputs(plan.s ? plan.s : "", stdout);
    brig_buf_free(&plan);
    return r;
}

int cli_inventory(struct cli *cli, struct brig_err *err)
{
    struct brig_kvlist facts = {0};
    if (cli->ctx.os == BRIG_K_FREEBSD && cli->ctx.dry_run) {
        if (cli->json)
            return brig_err_set(err, BRIG_EUSAGE,
                                "--dry-run prints a plan, which has no --json form");
        return inventory_plan(err);
    }
    if (brig_inventory(&cli->ctx, &facts, err) < 0)
        return -1;
    if (cli->json) {
        fputc('{', stdout);
        for (size_t i = 0; i < facts.n; i++) {
            fputs(i ? ",\n " : "\n ", stdout);
            cli_json_string(stdout, facts.items[i].key);
            fputs(": ", stdout);
            cli_json_string(stdout, facts.items[i].value);
        }
        fputs("\n}\n", stdout);
    } else {
        for (size_t i = 0; i < facts.n; i++)
            printf("%-18s %s\n", facts.items[i].key, facts.items[i].value);
    }
    brig_kvlist_free(&facts);
    return 0;
}
