/* expose: port forwards from the host's addresses to jails. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* action= (or CBSD's mode=, where delete is remove): list, add or remove. */
static int expose_action(struct cli *cli, const char **ret, struct brig_err *err)
{
    const char *action = cli_get(cli, "action"), *mode = cli_get(cli, "mode");
    if (action && mode)
        return brig_err_set(err, BRIG_EUSAGE, "action= and mode= are the same: give one");
    const char *v = action ? action : mode ? mode : "list";
    if (strcmp(v, "delete") == 0 && mode)
        v = "remove";
    if (strcmp(v, "list") != 0 && strcmp(v, "add") != 0 && strcmp(v, "remove") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "%s: '%.40s' is not one of list, add, remove",
                            action ? "action" : "mode", v);
    *ret = v;
    return 0;
}

static int expose_row(const struct brig_expose *e, bool running, void *ud)
{
    struct cli_table *t = ud;
    char in[8], out[8], to[BRIG_ADDR_STRLEN];
    snprintf(in, sizeof(in), "%u", e->in);
    snprintf(out, sizeof(out), "%u", e->out);
    if (e->to.family)
        brig_addr_format(&e->to, false, to);
    else
        snprintf(to, sizeof(to), "-");
    const char *cells[] = {e->jname, e->proto,           in, *e->addr ? e->addr : "*", to,
                           out,      running ? "1" : "0"};
    cli_table_add(t, cells);
    return 0;
}

int cli_expose(struct cli *cli, struct brig_err *err)
{
    const char *action = NULL, *jname = cli_get(cli, "jname");
    if (expose_action(cli, &action, err) < 0)
        return -1;
    const char *inaddr = cli_get(cli, "inaddr"), *addr = cli_get(cli, "addr");
    if (inaddr && addr)
        return brig_err_set(err, BRIG_EUSAGE, "addr= and inaddr= are the same: give one");
    struct brig_expose_args a = {
        .proto = cli_get(cli, "proto"),
        .in = cli_get(cli, "in"),
        .out = cli_get(cli, "out"),
        .addr = addr ? addr : inaddr,
    };
    if (strcmp(action, "list") == 0) {
        if (a.proto || a.in || a.out || a.addr)
            return brig_err_set(err, BRIG_EUSAGE, "action=list takes only jname=");
        const char *head[] = {"jname", "proto", "in", "addr", "to", "out", "live"};
        bool numeric[] = {false, false, true, false, false, true, true};
        struct cli_table t;
        cli_table_init(&t, BRIG_ARRAY_SIZE(head), head, numeric);
        int r = brig_expose_list(&cli->ctx, jname, expose_row, &t, err);
        if (r == 0)
            cli_table_print(&t, stdout, cli->json, true);
        cli_table_free(&t);
        return r;
    }
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list only");
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    bool live;
    if (strcmp(action, "add") == 0) {
        struct brig_expose e;
        if (brig_expose_add(&cli->ctx, jname, &a, &e, &live, err) < 0)
            return -1;
        char to[BRIG_ADDR_STRLEN];
        printf("%s: %s %s:%u -> %s:%u added%s\n", jname, e.proto, *e.addr ? e.addr : "*", e.in,
               brig_addr_format(&e.to, false, to), e.out,
               live ? ", forwarding now" : "; it forwards while the jail runs");
        return 0;
    }
    bool found;
    if (brig_expose_remove(&cli->ctx, jname, &a, &found, &live, err) < 0)
        return -1;
    if (!found)
        printf("%s: no %s forward of port %s%s%s: nothing to remove\n", jname,
               a.proto ? a.proto : "tcp", a.in, a.addr ? " on " : "", a.addr ? a.addr : "");
    else
        printf("%s: %s port %s removed%s\n", jname, a.proto ? a.proto : "tcp", a.in,
               live ? " (no longer forwarding)" : "");
    return 0;
}
