/* The table of jls and bls: display= columns (parameters and the live
 * jid, status and pid), one row a record, aligned or as JSON. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

int cli_listing_init(struct cli *cli, const char *def, bool vm, struct cli_listing *l,
                     struct brig_err *err)
{
    *l = (struct cli_listing){0};
    const char *display = cli_get(cli, "display");
    if (cli_bool(cli, "header", true, &l->header, err) < 0)
        return -1;
    l->copy = brig_xstrdup(display ? display : def);
    char *save = NULL;
    for (char *t = strtok_r(l->copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t n = l->ncols;
        enum brig_param_id id;
        if (n == CLI_LISTING_MAX)
            return brig_err_set(err, BRIG_EUSAGE, "display: too many columns");
        l->head[n] = t;
        if (strcmp(t, "jid") == 0 || strcmp(t, "pid") == 0) {
            l->kind[n] = t[0] == 'j' ? CLI_COL_JID : CLI_COL_PID;
            l->numeric[n] = true;
            l->state = true;
        } else if (strcmp(t, "status") == 0) {
            l->kind[n] = CLI_COL_STATUS;
            l->state = true;
        } else if (brig_param_find(t, &id) && (!vm || brig_param_applies(id, true))) {
            l->kind[n] = CLI_COL_PARAM;
            l->numeric[n] = cli_param_is_number(id);
            l->boolean[n] = cli_param_is_boolean(id);
            l->slot[n] = l->nparams;
            l->params[l->nparams++] = id;
        } else {
            const char *hint = vm ? NULL : brig_param_suggest(t);
            return brig_err_set(err, BRIG_EUSAGE, "display: unknown column '%.40s'%s%s%s", t,
                                hint ? " (did you mean '" : "", hint ? hint : "",
                                hint ? "'?)" : "");
        }
        l->ncols++;
    }
    if (l->ncols == 0)
        return brig_err_set(err, BRIG_EUSAGE, "display: no columns");
    cli_table_init(&l->t, l->ncols, l->head, l->numeric);
    l->t.boolean = l->boolean;
    return 0;
}

void cli_listing_add(struct cli_listing *l, const struct brig_jls_row *row, const char *status)
{
    char jid[24], pid[24];
    /* a stopped record has no jid, as on FreeBSD (and in CBSD's jls): 0 */
    snprintf(jid, sizeof(jid), "%lld", row->running ? (long long)row->jid : 0LL);
    snprintf(pid, sizeof(pid), "%lld", row->running ? (long long)row->pid : 0LL);
    const char *cells[CLI_LISTING_MAX];
    for (size_t i = 0; i < l->ncols; i++) {
        switch (l->kind[i]) {
        case CLI_COL_JID:
            cells[i] = jid;
            break;
        case CLI_COL_PID:
            cells[i] = pid;
            break;
        case CLI_COL_STATUS:
            cells[i] = status ? status : row->running ? "running" : "stopped";
            break;
        default:
            cells[i] = row->v[l->offset + l->slot[i]];
        }
    }
    cli_table_add(&l->t, cells);
}

int cli_listing_finish(struct cli *cli, struct cli_listing *l, int r)
{
    if (r == 0)
        cli_table_print(&l->t, stdout, cli->json, l->header);
    if (l->t.ncols) /* made by cli_listing_init */
        cli_table_free(&l->t);
    free(l->copy);
    return r;
}
