/* repo: list, get and remove bases. */
#define _GNU_SOURCE
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "os/freebsd/ops.h"
#include "progress.h"
#include "repo.h"
#include "repo_debian.h"
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

/* Run brig-import with args (after its path), which prints its own progress
 * and error: a failure is quiet here and keeps its exit status. */
static int run_import(struct cli *cli, const char *const *args, size_t n, struct brig_err *err)
{
    _cleanup_free_ char *prog = import_program();
    char *argv[8] = {prog};
    assert(n < BRIG_ARRAY_SIZE(argv));
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)(uintptr_t)args[i];
    int status;
    fflush(stdout);
    if (brig_run(argv, NULL, &status, NULL, err) < 0)
        return -1;
    if (status != 0) {
        cli->exit_status = status < 0 ? BRIG_EFAIL : status;
        cli->quiet_error = true;
        return brig_err_set(err, cli->exit_status, "import failed");
    }
    return 0;
}

/* Import a tarball. */
static int repo_import(struct cli *cli, const char *base, const char *src, struct brig_err *err)
{
    const char *sha = cli_get(cli, "sha256");
    const char *args[] = {cli->ctx.workdir, base, src, sha ? sha : ""};
    return run_import(cli, args, BRIG_ARRAY_SIZE(args), err);
}

/* Import an OCI image. */
static int repo_import_oci(struct cli *cli, const char *base, const char *image,
                           struct brig_err *err)
{
    const char *args[] = {"--oci", cli->ctx.workdir, base ? base : "", image};
    return run_import(cli, args, BRIG_ARRAY_SIZE(args), err);
}

/* sources=oci: a base from an OCI image layout or a docker-archive. */
static int repo_get_oci(struct cli *cli, struct brig_err *err)
{
    static const char *const not_oci[] = {"file", "url", "sha256", "suite"};
    const char *image, *base = cli_get(cli, "base");
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(not_oci); i++) {
        if (cli_get(cli, not_oci[i]))
            return brig_err_set(err, BRIG_EUSAGE,
                                "%s= does not go with sources=oci (the image's digests are "
                                "checked)",
                                not_oci[i]);
    }
    if (cli_need(cli, "image", &image, err) < 0)
        return -1;
    if (!brig_startswith(image, "oci:") && !brig_startswith(image, "docker-archive:"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "image=%.200s: give oci:DIR[:TAG] (an OCI image layout) or "
                            "docker-archive:FILE (docker save)",
                            image);
    if (base && brig_check_name("base", base, err) < 0)
        return -1;
    if (brig_ctx_open(&cli->ctx, err) < 0)
        return -1;
    if (base && brig_repo_exists(cli->ctx.workdir, base)) {
        printf("base %s: already present\n", base);
        return 0;
    }
    if (cli->ctx.dry_run) {
        printf("base %s: would be imported from %s\n", base ? base : "(named after the image)",
               image);
        return 0;
    }
    return repo_import_oci(cli, base, image, err);
}

/* "sha256:0123456789ab": enough of a digest to tell bases apart in a table. */
static char *checksum_short(const char *sum)
{
    return brig_xstrndup(sum, brig_startswith(sum, "sha256:") ? 7 + 12 : 19);
}

static int repo_list(struct cli *cli, struct brig_err *err)
{
    struct brig_base_list l = {0};
    if (brig_repo_list(cli->ctx.workdir, &l, err) < 0)
        return -1;
    /* JSON has every digest whole; the table a short checksum and no tarball digest */
    const char *head[] = {"base",    "kind",   "version",  "size",
                          "created", "origin", "checksum", "sha256"};
    bool numeric[] = {false, false, false, true, false, false, false, false};
    struct cli_table t;
    cli_table_init(&t, cli->json ? 8 : 7, head, numeric);
    for (size_t i = 0; i < l.n; i++) {
        const struct brig_base *b = &l.items[i];
        char size[32], created[32] = "";
        snprintf(size, sizeof(size), "%llu", (unsigned long long)b->size);
        time_t ct = (time_t)b->created;
        struct tm tm;
        if (ct && gmtime_r(&ct, &tm))
            strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        _cleanup_free_ char *sum =
            cli->json ? brig_xstrdup(b->checksum) : checksum_short(b->checksum);
        const char *row[] = {
            b->name,  brig_base_kind_name(b->kind), b->version, size, created, b->origin, sum,
            b->sha256};
        cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout, cli->json, true);
    cli_table_free(&t);
    brig_base_list_free(&l);
    return 0;
}

/* Build a Debian base with debootstrap: progress on stderr, the log under the workdir. */
static int repo_get_debian(struct cli *cli, const char *base, const char *suite,
                           struct brig_err *err)
{
    const char *mirror = cli->ctx.node.debian_mirror;
    _cleanup_free_ char *tag = brig_xasprintf("base %s", base);
    fprintf(stderr, "base %s: debootstrap %s from %s (log: %s/var/log/repo/%s.log)\n", base, suite,
            mirror, cli->ctx.workdir, base);
    struct cli_progress bar;
    cli_progress_init(&bar, stderr, tag, 34, true);
    int r =
        brig_repo_get_debian(cli->ctx.workdir, base, suite, mirror, cli_progress_update, &bar, err);
    cli_progress_end(&bar, r == 0);
    return r;
}

static int repo_get(struct cli *cli, struct brig_err *err)
{
    const char *base, *file = cli_get(cli, "file"), *url = cli_get(cli, "url");
    const char *sources = cli_get(cli, "sources"), *suite = cli_get(cli, "suite");
    if (sources && strcmp(sources, "oci") == 0)
        return repo_get_oci(cli, err);
    if (sources && strcmp(sources, "base") != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "sources=%.40s: on Linux bases (sources=base) and OCI images "
                            "(sources=oci) are fetched; kernels for VMs come with the VM support",
                            sources);
    if (cli_get(cli, "image"))
        return brig_err_set(err, BRIG_EUSAGE, "image= goes with sources=oci");
    if (cli_need(cli, "base", &base, err) < 0 || brig_check_name("base", base, err) < 0)
        return -1;
    if (file && url)
        return brig_err_set(err, BRIG_EUSAGE, "give file= or url=, not both");
    if (cli_get(cli, "sha256") && !file && !url)
        return brig_err_set(err, BRIG_EUSAGE, "sha256= goes with file= or url=");
    const char *dsuite = NULL;
    bool debian = false;
    if (!file && !url && strcmp(base, "busybox") != 0) {
        struct brig_err e = BRIG_ERR_INIT;
        dsuite = brig_debian_suite(base, suite, &debian, &e);
        if (!dsuite && e.code)
            return brig_err_set(err, e.code, "%s", e.msg);
        if (!debian)
            return brig_err_set(err, BRIG_EUSAGE,
                                "base=%.40s: brig builds busybox, %s itself; for any other base "
                                "give file= or url= of a rootfs tarball",
                                base, brig_debian_names());
    }
    if (suite && !debian)
        return brig_err_set(err, BRIG_EUSAGE, "suite= goes with base=debian");
    if (brig_ctx_open(&cli->ctx, err) < 0)
        return -1;
    if (debian) {
        _cleanup_strv_ char **argv = NULL;
        if (brig_repo_debian_argv(dsuite, cli->ctx.node.debian_mirror, "/", &argv, err) < 0)
            return -1;
    }
    if (brig_repo_exists(cli->ctx.workdir, base)) {
        printf("base %s: already present\n", base);
        return 0;
    }
    if (cli->ctx.dry_run) {
        if (file || url)
            printf("base %s: would be imported from %s\n", base, file ? file : url);
        else if (debian)
            printf("base %s: would be built with debootstrap %s from %s\n", base, dsuite,
                   cli->ctx.node.debian_mirror);
        else
            printf("base %s: would be built from the host's busybox\n", base);
        return 0;
    }
    int r;
    if (file || url)
        r = repo_import(cli, base, file ? file : url, err);
    else if (debian)
        r = repo_get_debian(cli, base, dsuite, err);
    else
        r = brig_repo_get_busybox(cli->ctx.workdir, base, err);
    /* a brig running beside this one made it first: as good */
    if (r < 0 && !file && !url && brig_repo_exists(cli->ctx.workdir, base)) {
        printf("base %s: already present\n", base);
        return 0;
    }
    if (r < 0)
        return -1;
    printf("base %s: ready\n", base);
    return 0;
}

/* --os=freebsd: the release's base.txz or kernel.txz, fetched and extracted by
 * the repo plan (printed with --dry-run). */
static int repo_get_freebsd(struct cli *cli, struct brig_err *err)
{
    static const char *const linux_only[] = {"base", "file", "url", "sha256", "suite", "image"};
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
