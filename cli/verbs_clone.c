/* brig jrename, jclone and bclone: a stopped jail under another name, or a
 * copy of a stopped jail or VM. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"
#include "vm.h"

int cli_jrename(struct cli *cli, struct brig_err *err)
{
    const char *old, *new_name;
    if (cli_need(cli, "old", &old, err) < 0 || cli_need(cli, "new", &new_name, err) < 0)
        return -1;
    if (brig_jrename(&cli->ctx, old, new_name, cli_get(cli, "host_hostname"), err) < 0)
        return -1;
    printf("%s: renamed to %s\n", old, new_name);
    return 0;
}

int cli_jclone(struct cli *cli, struct brig_err *err)
{
    const char *old, *new_name;
    if (cli_need(cli, "old", &old, err) < 0 || cli_need(cli, "new", &new_name, err) < 0)
        return -1;
    if (cli_get(cli, "jname"))
        return brig_err_set(err, BRIG_EUSAGE, "jclone takes new=, not jname=");
    struct brig_kvlist args = {0};
    for (size_t i = 0; i < cli->kv.n; i++) {
        const struct brig_kv *it = &cli->kv.items[i];
        if (strcmp(it->key, "old") != 0 && strcmp(it->key, "new") != 0)
            brig_kvlist_add(&args, it->key, it->value, 0);
    }
    brig_kvlist_add(&args, "jname", new_name, 0);
    struct brig_jail j = {0};
    int r = brig_jclone(&cli->ctx, old, &args, &j, err);
    brig_kvlist_free(&args);
    if (r < 0)
        return -1;
    printf("%s: cloned to %s (ip4_addr=%s)\n", old, j.v[BRIG_P_JNAME], j.v[BRIG_P_IP4_ADDR]);
    brig_jail_clear(&j);
    return 0;
}

int cli_bclone(struct cli *cli, struct brig_err *err)
{
    const char *old, *new_name;
    if (cli_need(cli, "old", &old, err) < 0 || cli_need(cli, "new", &new_name, err) < 0)
        return -1;
    if (cli_get(cli, "jname"))
        return brig_err_set(err, BRIG_EUSAGE, "bclone takes new=, not jname=");
    struct brig_kvlist args = {0};
    for (size_t i = 0; i < cli->kv.n; i++) {
        const struct brig_kv *it = &cli->kv.items[i];
        if (strcmp(it->key, "old") != 0 && strcmp(it->key, "new") != 0)
            brig_kvlist_add(&args, it->key, it->value, 0);
    }
    brig_kvlist_add(&args, "jname", new_name, 0);
    struct brig_jail j = {0};
    if (brig_ctx_open(&cli->ctx, err) < 0 || brig_bclone(&cli->ctx, old, &args, &j, err) < 0) {
        brig_kvlist_free(&args);
        return -1;
    }
    brig_kvlist_free(&args);
    printf("%s: cloned to %s (ip4_addr=%s)\n", old, j.v[BRIG_P_JNAME], j.v[BRIG_P_IP4_ADDR]);
    brig_jail_clear(&j);
    return 0;
}
