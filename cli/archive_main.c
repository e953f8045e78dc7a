/* brig-archive: jexport and jimport (bexport and bimport for VMs), run by brig(8). With brig-import
 * it is the only program that links libarchive, so every other brig command starts without loading
 * it. usage: brig-archive jexport|jimport|bexport|bimport WORKDIR [key=value ...] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brig.h"
#include "fstab.h"
#include "jarchive.h"
#include "kv.h"
#include "os/os.h"
#include "progress.h"
#include "store/store.h"
#include "util.h"

/* s with control characters shown as '?' (values come from the archive). */
static void put_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
}

/* An archive written elsewhere may bring what reaches out of the jail: commands
 * brig runs as the host's root, host directories, host ports. Each is named,
 * so that the user reads them before the first start. */
static void note_host_reach(struct brig_ctx *c, const char *verb, const char *jname)
{
    static const enum brig_param_id host_cmds[] = {BRIG_P_EXEC_PRESTART, BRIG_P_EXEC_POSTSTART,
                                                   BRIG_P_EXEC_PRESTOP, BRIG_P_EXEC_POSTSTOP};
    struct brig_jail j = {0};
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_jget(c, jname, &j, &e) < 0)
        return;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(host_cmds); i++) {
        const char *v = j.v[host_cmds[i]];
        if (!v || !*v)
            continue;
        fprintf(stderr, "brig: %s: %s: %s runs on the host as root: ", verb, jname,
                brig_params[host_cmds[i]].name);
        put_text(v);
        fputc('\n', stderr);
    }
    struct brig_fstab *f = NULL;
    size_t nf = 0;
    if (brig_store_fstab_list(c->st, j.id, &f, &nf, &e) == 0) {
        for (size_t i = 0; i < nf; i++) {
            fprintf(stderr, "brig: %s: %s: mounts the host's ", verb, jname);
            put_text(f[i].src);
            fputs(" at ", stderr);
            put_text(f[i].dst);
            fprintf(stderr, " (%s)\n", f[i].options);
            brig_fstab_clear(&f[i]);
        }
        free(f);
    }
    struct brig_expose *x = NULL;
    size_t nx = 0;
    if (brig_store_expose_list(c->st, j.id, &x, &nx, &e) == 0) {
        for (size_t i = 0; i < nx; i++)
            fprintf(stderr, "brig: %s: %s: forwards the host's %s port %u%s%s to the jail's %u\n",
                    verb, jname, x[i].proto, x[i].in, *x[i].addr ? " on " : "", x[i].addr,
                    x[i].out);
        brig_exposes_free(x, nx);
    }
    brig_jail_clear(&j);
}

static int run(const char *verb, struct brig_ctx *c, const struct brig_kvlist *kv,
               struct cli_progress *bar, struct brig_err *err)
{
    brig_progress_fn *progress = bar->tty ? cli_progress_update : NULL;
    const char *jname = brig_kvlist_get(kv, "jname");
    _cleanup_free_ char *done = NULL;
    bool vm = verb[0] == 'b';
    if (strcmp(verb, "jexport") == 0 || strcmp(verb, "bexport") == 0) {
        if (!jname || !*jname)
            return brig_err_set(err, BRIG_EUSAGE, "jname= is required");
        const char *full = brig_kvlist_get(kv, "full");
        if (full && strcmp(full, "0") != 0 && strcmp(full, "1") != 0)
            return brig_err_set(err, BRIG_EUSAGE, "full: '%.40s' is not 0 or 1", full);
        /* locked=1: jmigrate holds the jail's lock (brig(8) has no such key) */
        const char *locked = brig_kvlist_get(kv, "locked");
        if (brig_jexport(c, jname, vm, brig_kvlist_get(kv, "out"), brig_kvlist_get(kv, "compress"),
                         full && full[0] == '1', locked && strcmp(locked, "1") == 0, progress, bar,
                         &done, err) < 0)
            return -1;
        cli_progress_end(bar, true);
        if (strcmp(done, "-") != 0)
            fprintf(stderr, "%s: exported to %s\n", jname, done);
        return 0;
    }
    const char *in = brig_kvlist_get(kv, "in");
    if (!in || !*in)
        return brig_err_set(err, BRIG_EUSAGE, "in= is required");
    if (brig_jimport(c, in, vm, jname && *jname ? jname : NULL, brig_kvlist_get(kv, "ip4_addr"),
                     progress, bar, &done, err) < 0)
        return -1;
    cli_progress_end(bar, true);
    note_host_reach(c, verb, done);
    printf("%s: imported\n", done);
    return 0;
}

int main(int argc, char **argv)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist kv = {0};
    struct brig_ctx c = {0};
    struct cli_progress bar;
    if (argc < 3 ||
        (strcmp(argv[1], "jexport") != 0 && strcmp(argv[1], "jimport") != 0 &&
         strcmp(argv[1], "bexport") != 0 && strcmp(argv[1], "bimport") != 0) ||
        argv[2][0] != '/') {
        fputs("usage: brig-archive jexport|jimport|bexport|bimport WORKDIR [key=value ...]\n",
              stderr);
        return BRIG_EUSAGE;
    }
    for (int i = 3; i < argc; i++) {
        struct brig_kv one;
        if (brig_kv_parse_arg(argv[i], &one, &err) < 0) {
            fprintf(stderr, "brig: %s: %s\n", argv[1], err.msg);
            return BRIG_EUSAGE;
        }
        brig_kvlist_add(&kv, one.key, one.value, 0);
        free(one.key);
        free(one.value);
    }
    brig_ctx_init(&c, argv[2], brig_os_native());
    cli_progress_init(&bar, stderr, argv[1], 8, false);
    int r = run(argv[1], &c, &kv, &bar, &err);
    if (r < 0) {
        cli_progress_end(&bar, false);
        fputs("brig: ", stderr);
        fprintf(stderr, "%s: ", argv[1]);
        for (const unsigned char *p = (const unsigned char *)err.msg; *p; p++)
            fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
        fputc('\n', stderr);
    }
    brig_kvlist_free(&kv);
    brig_ctx_free(&c);
    return r < 0 ? (err.code ? err.code : BRIG_EFAIL) : 0;
}
