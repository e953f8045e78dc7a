/* brig-import: brig's program for importing a rootfs tarball (repo action=get
 * file= or url=). It is the only program that links libcurl, libarchive and
 * libcrypto, so every other brig command starts without loading them.
 * usage: brig-import WORKDIR NAME FILE|URL [SHA256] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "repo.h"
#include "util.h"

/* A progress bar on stderr when it is a terminal, redrawn at most 10 times a second. */
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

int main(int argc, char **argv)
{
    struct brig_err err = BRIG_ERR_INIT;
    uint64_t last = 0;
    if (argc < 4 || argc > 5) {
        fputs("usage: brig-import WORKDIR NAME FILE|URL [SHA256]\n", stderr);
        return BRIG_EUSAGE;
    }
    const char *sha = argc == 5 && *argv[4] ? argv[4] : NULL;
    if (brig_repo_import(argv[1], argv[2], argv[3], sha,
                         isatty(STDERR_FILENO) ? progress_bar : NULL, &last, &err) < 0) {
        fprintf(stderr, "brig: repo: %s\n", err.msg);
        return err.code ? err.code : BRIG_EFAIL;
    }
    return 0;
}
