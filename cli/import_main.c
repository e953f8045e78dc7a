/* brig-import: brig's program for importing a rootfs tarball (repo action=get
 * file= or url=). It is the only program that links libcurl, libarchive and
 * libcrypto, so every other brig command starts without loading them.
 * usage: brig-import WORKDIR NAME FILE|URL [SHA256] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "repo.h"
#include "util.h"

int main(int argc, char **argv)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct cli_progress bar;
    if (argc < 4 || argc > 5) {
        fputs("usage: brig-import WORKDIR NAME FILE|URL [SHA256]\n", stderr);
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
