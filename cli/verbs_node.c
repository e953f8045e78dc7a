/* initenv and inventory. */
#include <stdio.h>

#include "cli.h"

int cli_initenv(struct cli *cli, struct brig_err *err)
{
    struct brig_kvlist facts = {0};
    if (brig_initenv(&cli->ctx, &cli->kv, err) < 0 || brig_inventory(&cli->ctx, &facts, err) < 0)
        return -1;
    printf("brig: workdir %s is ready (node %s, pool %s)\n", cli->ctx.workdir,
           cli->ctx.node.nodename, cli->ctx.node.nodeippool);
    brig_kvlist_free(&facts);
    return 0;
}

int cli_inventory(struct cli *cli, struct brig_err *err)
{
    struct brig_kvlist facts = {0};
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
