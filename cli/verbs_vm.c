/* VMs: bcreate, bls, bget, bset, bremove, bstart, bstop, bconsole. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "util.h"
#include "vm.h"

int cli_bcreate(struct cli *cli, struct brig_err *err)
{
    struct brig_jail j = {0};
    struct brig_buf plan = {0};
    struct cli_progress bar;
    if (!cli_get(cli, "jname"))
        return brig_err_set(err, BRIG_EUSAGE, "jname= is required");
    /* a profile's image download: a bar on a terminal, a line per phase elsewhere */
    cli_progress_init(&bar, stderr, cli_get(cli, "jname"), 8, true);
    cli->ctx.progress = cli_progress_update;
    cli->ctx.progress_data = &bar;
    int r = brig_bcreate(&cli->ctx, &cli->kv, cli->ctx.dry_run ? &plan : NULL, &j, err);
    cli_progress_end(&bar, r == 0);
    cli->ctx.progress = NULL;
    if (r < 0) {
        brig_buf_free(&plan);
        return -1;
    }
    if (cli->ctx.dry_run) {
        cli_print_would_create(&j);
        fputs(plan.s ? plan.s : "", stdout);
        brig_buf_free(&plan);
    } else {
        printf("%s: created (ip4_addr=%s)\n", j.v[BRIG_P_JNAME], j.v[BRIG_P_IP4_ADDR]);
    }
    brig_jail_clear(&j);
    return 0;
}

static int bls_row(const struct brig_bls_row *row, void *ud)
{
    cli_listing_add(ud, row->r, row->state);
    return 0;
}

int cli_bls(struct cli *cli, struct brig_err *err)
{
    struct cli_listing l;
    int r = cli_listing_init(cli, "jname,jid,vm_cpus,vm_ram,ip4_addr,vm_vnc_port,status", true, &l,
                             err);
    l.offset = 1; /* the VM's name comes first (brig_bls) */
    if (r == 0)
        r = brig_bls(&cli->ctx, l.params, l.nparams, bls_row, &l, err);
    return cli_listing_finish(cli, &l, r);
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
    struct brig_buf plan = {0};
    if (brig_bremove(&cli->ctx, jname, force, cli->ctx.dry_run ? &plan : NULL, err) < 0) {
        brig_buf_free(&plan);
        return -1;
    }
    if (cli->ctx.dry_run)
        fputs(plan.s ? plan.s : "", stdout);
    else
        printf("%s: removed\n", jname);
    brig_buf_free(&plan);
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
