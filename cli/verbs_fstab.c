/* brig jfstab: host directories in jails. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static int fstab_row(const struct brig_fstab *e, bool running, void *ud)
{
    const char *cells[] = {e->src, e->dst, e->type, e->options};
    cli_table_add(ud, cells);
    return 0;
}

int cli_jfstab(struct cli *cli, struct brig_err *err)
{
    const char *action = cli_get(cli, "action"), *jname;
    if (!action)
        action = "list";
    if (strcmp(action, "list") != 0 && strcmp(action, "add") != 0 &&
        strcmp(action, "remove") != 0 && strcmp(action, "import") != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "action: '%.40s' is not one of list, add, remove, import", action);
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    const char *src = cli_get(cli, "src"), *dst = cli_get(cli, "dst"), *ro = cli_get(cli, "ro"),
               *file = cli_get(cli, "file");
    bool live = false;
    if (strcmp(action, "list") == 0) {
        if (src || dst || ro || file)
            return brig_err_set(err, BRIG_EUSAGE, "action=list takes only jname=");
        const char *head[] = {"src", "dst", "type", "options"};
        bool numeric[] = {false, false, false, false};
        struct cli_table t;
        cli_table_init(&t, BRIG_ARRAY_SIZE(head), head, numeric);
        int r = brig_jfstab_list(&cli->ctx, jname, fstab_row, &t, err);
        if (r == 0)
            cli_table_print(&t, stdout, cli->json, true);
        cli_table_free(&t);
        return r;
    }
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list only");
    if (strcmp(action, "add") == 0) {
        bool rdonly = false;
        if (file)
            return brig_err_set(err, BRIG_EUSAGE, "action=add takes src=, dst= and ro=");
        if (cli_need(cli, "src", &src, err) < 0 || cli_need(cli, "dst", &dst, err) < 0 ||
            cli_bool(cli, "ro", false, &rdonly, err) < 0)
            return -1;
        if (brig_jfstab_add(&cli->ctx, jname, src, dst, rdonly, &live, err) < 0)
            return -1;
        printf("%s: %s mounted at %s%s%s\n", jname, src, dst, rdonly ? " read-only" : "",
               live ? " (now in the running jail)" : "");
    } else if (strcmp(action, "remove") == 0) {
        if (src || ro || file)
            return brig_err_set(err, BRIG_EUSAGE, "action=remove takes only jname= and dst=");
        if (cli_need(cli, "dst", &dst, err) < 0 ||
            brig_jfstab_remove(&cli->ctx, jname, dst, &live, err) < 0)
            return -1;
        printf("%s: %s removed%s\n", jname, dst, live ? " (unmounted in the running jail)" : "");
    } else {
        size_t n = 0;
        if (src || dst || ro)
            return brig_err_set(err, BRIG_EUSAGE, "action=import takes only jname= and file=");
        if (cli_need(cli, "file", &file, err) < 0 ||
            brig_jfstab_import(&cli->ctx, jname, file, &n, &live, err) < 0)
            return -1;
        if (n == 0)
            printf("%s: %s has no entries: nothing to add\n", jname, file);
        else
            printf("%s: %zu entr%s added from %s%s\n", jname, n, n == 1 ? "y" : "ies", file,
                   live ? " (now in the running jail)" : "");
    }
    return 0;
}
