/* VMs: bcreate, bls, bget, bset, bremove, bstart, bstop, bconsole. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"
#include "vm.h"

int cli_bcreate(struct cli *cli, struct brig_err *err)
{
    struct brig_jail j = {0};
    if (!cli_get(cli, "jname"))
        return brig_err_set(err, BRIG_EUSAGE, "jname= is required");
    if (brig_bcreate(&cli->ctx, &cli->kv, &j, err) < 0)
        return -1;
    if (cli->ctx.dry_run) {
        struct brig_buf b = {0};
        printf("# %s would be created as:\n", j.v[BRIG_P_JNAME]);
        for (int i = 0; i < BRIG_P__COUNT; i++) {
            if (j.v[i])
                brig_jconf_format_line(&b, brig_params[i].name, j.v[i]);
        }
        fputs(b.s ? b.s : "", stdout);
        brig_buf_free(&b);
    } else {
        printf("%s: created (ip4_addr=%s)\n", j.v[BRIG_P_JNAME], j.v[BRIG_P_IP4_ADDR]);
    }
    brig_jail_clear(&j);
    return 0;
}

/* Pseudo-columns of bls beside the parameters. */
enum { COL_PARAM, COL_JID, COL_STATUS, COL_PID };

struct bls_out {
    struct cli_table t;
    size_t ncols;
    int *kind;
    size_t *param_slot;
};

static int bls_row(const struct brig_bls_row *row, void *ud)
{
    struct bls_out *o = ud;
    char jid[24], pid[24];
    snprintf(jid, sizeof(jid), "%lld", row->r->running ? (long long)row->r->jid : 0LL);
    snprintf(pid, sizeof(pid), "%lld", (long long)row->r->pid);
    const char *cells[64];
    for (size_t i = 0; i < o->ncols; i++) {
        switch (o->kind[i]) {
        case COL_JID:
            cells[i] = jid;
            break;
        case COL_STATUS:
            cells[i] = row->state;
            break;
        case COL_PID:
            cells[i] = row->r->running ? pid : "0";
            break;
        default:
            /* the VM's name comes first (brig_bls) */
            cells[i] = row->r->v[o->param_slot[i] + 1];
        }
    }
    cli_table_add(&o->t, cells);
    return 0;
}

int cli_bls(struct cli *cli, struct brig_err *err)
{
    const char *display = cli_get(cli, "display");
    bool header;
    if (cli_bool(cli, "header", true, &header, err) < 0)
        return -1;
    if (!display)
        display = "jname,jid,vm_cpus,vm_ram,ip4_addr,vm_vnc_port,status";
    _cleanup_free_ char *copy = brig_xstrdup(display);
    const char *head[64];
    bool numeric[64] = {false}, boolean[64] = {false};
    int kind[64];
    size_t slot[64], n = 0, nparams = 0;
    enum brig_param_id params[64];
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == 63)
            return brig_err_set(err, BRIG_EUSAGE, "display: too many columns");
        enum brig_param_id id;
        head[n] = t;
        if (strcmp(t, "jid") == 0) {
            kind[n] = COL_JID;
            numeric[n] = true;
        } else if (strcmp(t, "status") == 0) {
            kind[n] = COL_STATUS;
        } else if (strcmp(t, "pid") == 0) {
            kind[n] = COL_PID;
            numeric[n] = true;
        } else if (brig_param_find(t, &id) && brig_param_applies(id, true)) {
            kind[n] = COL_PARAM;
            numeric[n] = cli_param_is_number(id);
            boolean[n] = cli_param_is_boolean(id);
            slot[n] = nparams;
            params[nparams++] = id;
        } else {
            return brig_err_set(err, BRIG_EUSAGE, "display: unknown column '%.40s'", t);
        }
        n++;
    }
    if (n == 0)
        return brig_err_set(err, BRIG_EUSAGE, "display: no columns");
    struct bls_out o = {.ncols = n, .kind = kind, .param_slot = slot};
    cli_table_init(&o.t, n, head, numeric);
    o.t.boolean = boolean;
    int r = brig_bls(&cli->ctx, params, nparams, bls_row, &o, err);
    if (r == 0)
        cli_table_print(&o.t, stdout, cli->json, header);
    cli_table_free(&o.t);
    return r;
}

/* The VM named by jname=, refusing a jail. */
static int need_vm(struct cli *cli, const char **ret, struct brig_err *err)
{
    if (cli_need(cli, "jname", ret, err) < 0 || brig_ctx_open(&cli->ctx, err) < 0)
        return -1;
    return brig_record_kind_check(&cli->ctx, *ret, true, cli->verb->name, err);
}

int cli_bget(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    if (need_vm(cli, &jname, err) < 0)
        return -1;
    return cli_jget(cli, err);
}

int cli_bset(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    if (need_vm(cli, &jname, err) < 0)
        return -1;
    return cli_jset(cli, err);
}

int cli_bremove(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    bool force;
    if (cli_need(cli, "jname", &jname, err) < 0 || cli_bool(cli, "force", false, &force, err) < 0)
        return -1;
    if (brig_bremove(&cli->ctx, jname, force, err) < 0)
        return -1;
    printf("%s: removed\n", jname);
    return 0;
}

typedef int (*vm_fn)(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                     enum brig_outcome *ret, struct brig_err *err);

/* bstart and bstop: the VM's lifecycle is the jails' (lock, journal, recovery). */
static int run_vm(struct cli *cli, vm_fn fn, const char *done, const char *already,
                  struct brig_err *err)
{
    const char *jname;
    if (need_vm(cli, &jname, err) < 0)
        return -1;
    struct brig_buf plan = {0};
    enum brig_outcome o = BRIG_OUT_DONE;
    int r = fn(&cli->ctx, jname, cli->ctx.dry_run ? &plan : NULL, &o, err);
    if (r == 0 && cli->ctx.dry_run)
        fputs(plan.s ? plan.s : "", stdout);
    else if (r == 0)
        printf("%s: %s\n", jname, o == BRIG_OUT_DONE ? done : already);
    brig_buf_free(&plan);
    return r;
}

int cli_bstart(struct cli *cli, struct brig_err *err)
{
    return run_vm(cli, brig_jstart, "started", "already running", err);
}

int cli_bstop(struct cli *cli, struct brig_err *err)
{
    return run_vm(cli, brig_jstop, "stopped", "already stopped", err);
}

int cli_bconsole(struct cli *cli, struct brig_err *err)
{
    const char *jname;
    if (cli_need(cli, "jname", &jname, err) < 0)
        return -1;
    return brig_bconsole(&cli->ctx, jname, STDIN_FILENO, STDOUT_FILENO, err);
}
