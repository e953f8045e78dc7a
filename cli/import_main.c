/* brig-import: brig's program for importing a rootfs tarball (repo action=get
 * file= or url=) or an OCI image (sources=oci image=). It is the only program
 * that links libcurl, libarchive, json-c and libcrypto, so every other brig
 * command starts without loading them.
 * usage: brig-import WORKDIR NAME FILE|URL [SHA256]
 *        brig-import --oci WORKDIR NAME|"" IMAGE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "repo.h"
#include "util.h"

/* Layer lines are printed once the import succeeded: a failure is one line. */
static void keep_line(const char *line, void *data)
{
    brig_strv_push(data, line);
}

static int import_oci(const char *workdir, const char *name, const char *image)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *base = NULL;
    bool present = false;
    _cleanup_strv_ char **lines = NULL;
    if (brig_repo_import_oci(workdir, name, image, keep_line, &lines, &base, &present, &err) < 0) {
        fprintf(stderr, "brig: repo: %s\n", err.msg);
        return err.code ? err.code : BRIG_EFAIL;
    }
    for (size_t i = 0; lines && lines[i]; i++)
        puts(lines[i]);
    printf("base %s: %s\n", base, present ? "already present" : "ready");
    free(base);
    return 0;
}

int main(int argc, char **argv)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct cli_progress bar;
    if (argc == 5 && strcmp(argv[1], "--oci") == 0)
        return import_oci(argv[2], argv[3], argv[4]);
    if (argc < 4 || argc > 5) {
        fputs("usage: brig-import WORKDIR NAME FILE|URL [SHA256]\n"
              "       brig-import --oci WORKDIR NAME|\"\" IMAGE\n",
              stderr);
        return BRIG_EUSAGE;
    }
    const char *sha = argc == 5 && *argv[4] ? argv[4] : NULL;
    cli_progress_init(&bar, stderr, argv[2], 8, false);
    int r = brig_repo_import(argv[1], argv[2], argv[3], sha, bar.tty ? cli_progress_update : NULL,
                             &bar, &err);
    cli_progress_end(&bar, r == 0);
    if (r < 0) {
        fprintf(stderr, "brig: repo: %s\n", err.msg);
        return err.code ? err.code : BRIG_EFAIL;
    }
    return 0;
}
