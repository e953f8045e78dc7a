/* repo: list, get and remove bases. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "os/freebsd/ops.h"
#include "repo.h"
#include "util.h"

/* The brig-import program: beside this brig (build tree), else in libexec. */
static char *import_program(void)
{
    _cleanup_free_ char *self = brig_self_exe();
    if (self) {
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            char *p = brig_xasprintf("%s/brig-import", self);
            if (access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
    return brig_xstrdup(BRIG_LIBEXECDIR "/brig-import");
}

/* Import a tarball with brig-import, which prints its own progress and error. */
static int repo_import(struct cli *cli, const char *base, const char *src, struct brig_err *err)
{
    _cleanup_free_ char *prog = import_program();
    const char *sha = cli_get(cli, "sha256");
    char *argv[] = {prog,
                    cli->ctx.workdir,
                    (char *)(uintptr_t)base,
                    (char *)(uintptr_t)src,
                    (char *)(uintptr_t)(sha ? sha : ""),
                    NULL};
    int status;
    if (brig_run(argv, NULL, &status, NULL, err) < 0)
        return -1;
    if (status != 0) {
        cli->exit_status = status < 0 ? BRIG_EFAIL : status;
        cli->quiet_error = true;
        return brig_err_set(err, cli->exit_status, "import failed");
    }
    return 0;
}

static int repo_list(struct cli *cli, struct brig_err *err)
{
    struct brig_base_list l = {0};
    if (brig_repo_list(cli->ctx.workdir, &l, err) < 0)
        return -1;
    const char *head[] = {"base", "kind", "size", "created", "source"};
    bool numeric[] = {false, false, true, false, false};
    struct cli_table t;
    cli_table_init(&t, 5, head, numeric);
    for (size_t i = 0; i < l.n; i++) {
        char size[32], created[32] = "";
        snprintf(size, sizeof(size), "%llu", (unsigned long long)l.items[i].size);
        time_t ct = (time_t)l.items[i].created;
        struct tm tm;
        if (ct && gmtime_r(&ct, &tm))
            strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        const char *row[] = {l.items[i].name, brig_base_kind_name(l.items[i].kind), size, created,
                             l.items[i].source};
        cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout, cli->json, true);
    cli_table_free(&t);
    brig_base_list_free(&l);
    return 0;
}

static int repo_get(struct cli *cli, struct brig_err *err)
{
    const char *base, *file = cli_get(cli, "file"), *url = cli_get(cli, "url");
    const char *sources = cli_get(cli, "sources");
    if (sources && strcmp(sources, "base") != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "sources=%.40s: on Linux only bases (sources=base) are fetched; "
                            "kernels for VMs come with the VM support",
                            sources);
    if (cli_need(cli, "base", &base, err) < 0)
        return -1;
    if (file && url)
        return brig_err_set(err, BRIG_EUSAGE, "give file= or url=, not both");
    if (cli_get(cli, "sha256") && !file && !url)
        return brig_err_set(err, BRIG_EUSAGE, "sha256= goes with file= or url=");
    if (brig_ctx_open(&cli->ctx, err) < 0)
        return -1;
    if (cli->ctx.dry_run) {
        printf("base %s: would be %s %s\n", base, file || url ? "imported from" : "built with",
               file                          ? file
               : url                         ? url
               : strcmp(base, "debian") == 0 ? "debootstrap"
                                             : base);
        return 0;
    }
    int r;
    if (file || url) {
        if (repo_import(cli, base, file ? file : url, err) < 0)
            return -1;
        r = 0;
    } else if (strcmp(base, "busybox") == 0)
        r = brig_repo_get_busybox(cli->ctx.workdir, base, err);
    else if (strcmp(base, "debian") == 0)
        r = brig_repo_get_debian(cli->ctx.workdir, base,
                                 cli_get(cli, "suite") ? cli_get(cli, "suite") : "bookworm",
                                 cli->ctx.node.debian_mirror, err);
    else
        return brig_err_set(err, BRIG_EUSAGE,
                            "base=%.40s: brig builds busybox and debian itself; for any other "
                            "base give file= or url= of a rootfs tarball",
                            base);
    if (r < 0)
        return -1;
    printf("base %s: ready\n", base);
    return 0;
}

/* --os=freebsd: the release's base.txz or kernel.txz, fetched and extracted by
 * the repo plan (printed with --dry-run). */
static int repo_get_freebsd(struct cli *cli, struct brig_err *err)
{
    static const char *const linux_only[] = {"base", "file", "url", "sha256", "suite"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(linux_only); i++) {
        if (cli_get(cli, linux_only[i]))
            return brig_err_set(err, BRIG_EUSAGE,
                                "%s= does not apply to FreeBSD releases (give sources=, ver=, "
                                "arch=)",
                                linux_only[i]);
    }
    const char *sources = cli_get(cli, "sources"), *ver = cli_get(cli, "ver");
    const char *arch = cli_get(cli, "arch");
    if (brig_ctx_open(&cli->ctx, err) < 0)
        return -1;
    struct brig_buf plan = {0};
    int r = brig_freebsd_repo_get(&cli->ctx.node, sources ? sources : "base", ver ? ver : "14.1",
                                  arch ? arch : "amd64", cli->ctx.dry_run ? &plan : NULL, err);
    if (r == 0 && cli->ctx.dry_run)
        fputs(plan.s ? plan.s : "", stdout);
    else if (r == 0)
        printf("%s %s-%s: ready\n", sources ? sources : "base", ver ? ver : "14.1",
               arch ? arch : "amd64");
    brig_buf_free(&plan);
    return r;
}

int cli_repo(struct cli *cli, struct brig_err *err)
{
    const char *action = cli_get(cli, "action");
    if (!action || strcmp(action, "list") == 0)
        return repo_list(cli, err);
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list");
    bool freebsd = cli->ctx.os == BRIG_K_FREEBSD;
    if (strcmp(action, "get") == 0)
        return freebsd ? repo_get_freebsd(cli, err) : repo_get(cli, err);
    if (strcmp(action, "remove") == 0 && freebsd && cli->ctx.dry_run)
        return brig_err_set(err, BRIG_EUSAGE,
                            "action=remove has no FreeBSD plan: it only deletes the base's "
                            "directory");
    if (strcmp(action, "remove") == 0) {
        const char *base;
        if (cli_need(cli, "base", &base, err) < 0 || brig_ctx_open(&cli->ctx, err) < 0)
            return -1;
        if (cli->ctx.dry_run) {
            printf("base %s: would be removed\n", base);
            return 0;
        }
        if (brig_base_remove(&cli->ctx, base, err) < 0)
            return -1;
        printf("base %s: removed\n", base);
        return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE, "action=%.40s: not one of list, get, remove", action);
}
