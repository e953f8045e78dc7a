/* bridge and jnic: the host's bridges and VNET jails' NICs. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* action= of bridge and jnic: one of choices (default first). */
static int cli_action(struct cli *cli, const char *const *choices, const char **ret,
                      struct brig_err *err)
{
    const char *v = cli_get(cli, "action");
    if (!v) {
        *ret = choices[0];
        return 0;
    }
    for (const char *const *c = choices; *c; c++) {
        if (strcmp(*c, v) == 0) {
            *ret = v;
            return 0;
        }
    }
    struct brig_buf b = {0};
    for (const char *const *c = choices; *c; c++)
        brig_buf_addf(&b, "%s%s", c == choices ? "" : ", ", *c);
    brig_err_set(err, BRIG_EUSAGE, "action: '%.40s' is not one of %s", v, b.s);
    brig_buf_free(&b);
    return -1;
}

/* Join a NULL-terminated list with commas; "-" when empty. */
static char *join(const char *const *v)
{
    struct brig_buf b = {0};
    for (const char *const *p = v; p && *p; p++)
        brig_buf_addf(&b, "%s%s", p == v ? "" : ",", *p);
    return b.s ? brig_buf_steal(&b) : brig_xstrdup("-");
}

static int bridge_row(const struct brig_bridge_row *row, void *ud)
{
    struct cli_table *t = ud;
    char mtu[16], jails[16];
    snprintf(mtu, sizeof(mtu), "%u", row->mtu);
    snprintf(jails, sizeof(jails), "%u", row->jails);
    _cleanup_free_ char *addrs = join(row->addrs);
    _cleanup_free_ char *members = join(row->members);
    const char *cells[] = {
        row->name, mtu, row->up ? "up" : "down", addrs, members, row->is_default ? "1" : "0", jails,
    };
    cli_table_add(t, cells);
    return 0;
}

int cli_bridge(struct cli *cli, struct brig_err *err)
{
    static const char *const actions[] = {"list", "create", "remove", NULL};
    const char *action, *name = NULL;
    bool force;
    if (cli_action(cli, actions, &action, err) < 0 ||
        cli_bool(cli, "force", false, &force, err) < 0)
        return -1;
    if (strcmp(action, "list") == 0) {
        const char *head[] = {"name", "mtu", "state", "addresses", "members", "default", "jails"};
        bool numeric[] = {false, true, false, false, false, true, true};
        struct cli_table t;
        cli_table_init(&t, BRIG_ARRAY_SIZE(head), head, numeric);
        int r = brig_netbridge_list(&cli->ctx, bridge_row, &t, err);
        if (r == 0)
            cli_table_print(&t, stdout, cli->json, true);
        cli_table_free(&t);
        return r;
    }
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list only");
    if (cli_need(cli, "name", &name, err) < 0)
        return -1;
    if (strcmp(action, "create") == 0) {
        if (cli_get(cli, "force"))
            return brig_err_set(err, BRIG_EUSAGE, "force= goes with action=remove only");
        if (brig_netbridge_create(&cli->ctx, name, cli_get(cli, "addr"), cli_get(cli, "mtu"), err) <
            0)
            return -1;
        printf("%s: created\n", name);
        return 0;
    }
    if (cli_get(cli, "addr") || cli_get(cli, "mtu"))
        return brig_err_set(err, BRIG_EUSAGE, "addr= and mtu= go with action=create only");
    if (brig_netbridge_remove(&cli->ctx, name, force, err) < 0)
        return -1;
    printf("%s: removed\n", name);
    return 0;
}

static int jnic_row(const struct brig_jnic_row *row, void *ud)
{
    struct cli_table *t = ud;
    const struct brig_nic *nic = row->nic;
    char idx[16], name[24], mtu[16];
    snprintf(idx, sizeof(idx), "%d", nic->idx);
    snprintf(name, sizeof(name), "eth%d", nic->idx);
    snprintf(mtu, sizeof(mtu), "%u", nic->mtu);
    const char *cells[] = {
        idx,
        name,
        nic->parent,
        row->bridge,
        nic->hwaddr,
        row->mac,
        mtu,
        nic->addrs,
        *row->host ? row->host : "-",
        nic->no_filter ? "0" : "1",
    };
    cli_table_add(t, cells);
    return 0;
}

int cli_jnic(struct cli *cli, struct brig_err *err)
{
    static const char *const actions[] = {"list", "add", "remove", "set", NULL};
    const char *action, *jname;
    if (cli_action(cli, actions, &action, err) < 0 || cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    struct brig_jnic_args a = {
        .nic = cli_get(cli, "nic"),
        .parent = cli_get(cli, "parent"),
        .hwaddr = cli_get(cli, "hwaddr"),
        .mtu = cli_get(cli, "mtu"),
        .ip4_addr = cli_get(cli, "ip4_addr"),
        .filter = cli_get(cli, "nic_filter"),
    };
    if (strcmp(action, "list") == 0) {
        if (a.nic || a.parent || a.hwaddr || a.mtu || a.ip4_addr || a.filter)
            return brig_err_set(err, BRIG_EUSAGE, "action=list takes only jname=");
        const char *head[] = {"idx", "name", "parent",   "bridge", "hwaddr",
                              "mac", "mtu",  "ip4_addr", "host",   "nic_filter"};
        bool numeric[] = {true, false, false, false, false, false, true, false, false, true};
        struct cli_table t;
        cli_table_init(&t, BRIG_ARRAY_SIZE(head), head, numeric);
        int r = brig_jnic_list(&cli->ctx, jname, jnic_row, &t, err);
        if (r == 0)
            cli_table_print(&t, stdout, cli->json, true);
        cli_table_free(&t);
        return r;
    }
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list only");
    struct brig_jnic_done d;
    if (strcmp(action, "add") == 0) {
        if (brig_jnic_add(&cli->ctx, jname, &a, &d, err) < 0)
            return -1;
        printf("%s: eth%d added (ip4_addr=%s)%s\n", jname, d.idx, d.addrs,
               d.pending ? ", up now; its DHCP client starts with the next jstart"
               : d.live  ? ", up now"
                         : "");
    } else if (strcmp(action, "remove") == 0) {
        if (a.parent || a.hwaddr || a.mtu || a.ip4_addr || a.filter)
            return brig_err_set(err, BRIG_EUSAGE, "action=remove takes only jname= and nic=");
        if (brig_jnic_remove(&cli->ctx, jname, &a, &d, err) < 0)
            return -1;
        printf("%s: eth%d removed%s\n", jname, d.idx,
               d.live ? " (gone from the running jail)" : "");
    } else {
        if (brig_jnic_set(&cli->ctx, jname, &a, &d, err) < 0)
            return -1;
        printf("%s: eth%d updated (ip4_addr=%s)%s\n", jname, d.idx, d.addrs,
               d.pending ? "; the jail is running: restart the jail to apply" : "");
    }
    brig_jnic_done_clear(&d);
    return 0;
}
