/* brig jsnapshot: snapshots of a jail's own files. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"

static int snapshot_list(struct cli *cli, const char *jname, struct brig_err *err)
{
    struct brig_snapshot *v = NULL;
    size_t n = 0;
    if (brig_jsnapshot_list(&cli->ctx, jname, &v, &n, err) < 0)
        return -1;
    const char *head[] = {"name", "created", "size"};
    bool numeric[] = {false, false, true};
    struct cli_table t;
    cli_table_init(&t, BRIG_ARRAY_SIZE(head), head, numeric);
    for (size_t i = 0; i < n; i++) {
        char when[32], size[32];
        time_t tt = (time_t)v[i].created;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(size, sizeof(size), "%" PRIu64, v[i].size);
        const char *cells[] = {v[i].name, when, size};
        cli_table_add(&t, cells);
    }
    if (n == 0 && !cli->json)
        printf("%s: no snapshots\n", jname);
    else
        cli_table_print(&t, stdout, cli->json, true);
    cli_table_free(&t);
    brig_snapshots_free(v, n);
    return 0;
}

int cli_jsnapshot(struct cli *cli, struct brig_err *err)
{
    const char *action = cli_get(cli, "action"), *jname, *snapname = cli_get(cli, "snapname");
    if (!action)
        action = "list";
    if (strcmp(action, "list") != 0 && strcmp(action, "create") != 0 &&
        strcmp(action, "remove") != 0 && strcmp(action, "rollback") != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "action: '%.40s' is not one of list, create, remove, rollback", action);
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    if (strcmp(action, "list") == 0) {
        if (snapname)
            return brig_err_set(err, BRIG_EUSAGE, "action=list takes only jname=");
        return snapshot_list(cli, jname, err);
    }
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list only");
    if (strcmp(action, "create") == 0) {
        _cleanup_free_ char *made = NULL;
        if (brig_jsnapshot_create(&cli->ctx, jname, snapname, &made, err) < 0)
            return -1;
        printf("%s: snapshot %s created\n", jname, made);
        return 0;
    }
    if (cli_need(cli, "snapname", &snapname, err) < 0)
        return -1;
    if (strcmp(action, "remove") == 0) {
        size_t n = 0;
        if (brig_jsnapshot_remove(&cli->ctx, jname, snapname, &n, err) < 0)
            return -1;
        if (n == 0)
            printf("%s: no snapshots: nothing to remove\n", jname);
        else if (strcmp(snapname, "*") == 0)
            printf("%s: %zu snapshot%s removed\n", jname, n, n == 1 ? "" : "s");
        else
            printf("%s: snapshot %s removed\n", jname, snapname);
        return 0;
    }
    if (brig_jsnapshot_rollback(&cli->ctx, jname, snapname, err) < 0)
        return -1;
    printf("%s: rolled back to snapshot %s\n", jname, snapname);
    return 0;
}
