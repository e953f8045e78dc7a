/* repo: list, get and remove bases. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "repo.h"
#include "util.h"

/* A progress bar on stderr, only when it is a terminal, redrawn at most 10 times a second. */
static void progress_bar(const char *phase, uint64_t done, uint64_t total, void *data)
{
    uint64_t *last = data;
    uint64_t now = brig_now_ns();
    if (done != total && now - *last < 100000000ull)
        return;
    *last = now;
    if (total) {
        int pct = (int)(done * 100 / total), width = 30, fill = pct * width / 100;
        fprintf(stderr, "\r%-8s [%.*s%*s] %3d%%", phase, fill, "##############################",
                width - fill, "", pct);
    } else {
        fprintf(stderr, "\r%-8s %llu MiB", phase, (unsigned long long)(done >> 20));
    }
    if (done == total)
        fputc('\n', stderr);
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
    uint64_t last = 0;
    bool tty = isatty(STDERR_FILENO);
    int r;
    if (file || url)
        r = brig_repo_import(cli->ctx.workdir, base, file ? file : url, cli_get(cli, "sha256"),
                             tty ? progress_bar : NULL, &last, err);
    else if (strcmp(base, "busybox") == 0)
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
        return brig_err_wrap(err, "base %s", base);
    printf("base %s: ready\n", base);
    return 0;
}

int cli_repo(struct cli *cli, struct brig_err *err)
{
    const char *action = cli_get(cli, "action");
    if (!action || strcmp(action, "list") == 0)
        return repo_list(cli, err);
    if (cli->json)
        return brig_err_set(err, BRIG_EUSAGE, "--json goes with action=list");
    if (strcmp(action, "get") == 0)
        return repo_get(cli, err);
    if (strcmp(action, "remove") == 0) {
        const char *base;
        if (cli_need(cli, "base", &base, err) < 0 || brig_ctx_open(&cli->ctx, err) < 0 ||
            brig_base_remove(&cli->ctx, base, err) < 0)
            return -1;
        printf("base %s: removed\n", base);
        return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE, "action=%.40s: not one of list, get, remove", action);
}
