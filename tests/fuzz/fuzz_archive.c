/* libFuzzer target for base import: the entry path check and the whole
 * extraction of an untrusted tarball (any compression) into a scratch dir.
 * Anything written beside the scratch root is an escape and aborts. Build:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Icore \
 *     tests/fuzz/fuzz_archive.c core/repo_archive.c core/err.c core/util.c \
 *     -larchive -o fuzz_archive
 *   ./fuzz_archive -max_total_time=60 tests/fuzz/seeds/archive */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo_archive.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

/* The scratch dir must hold nothing but root/ after an extraction. */
static void check_no_escape(void)
{
    DIR *d = opendir(scratch);
    if (!d)
        abort();
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "root"))
            abort();
    }
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *path = NULL;
    char *name = brig_xstrndup((const char *)data, size);
    if (brig_archive_entry_path(name, &path, &err) == 0 &&
        (path[0] == '/' || strstr(path, "//") || !strcmp(path, "..") ||
         brig_startswith(path, "../") || strstr(path, "/../")))
        abort();
    free(path);
    free(name);

    if (!scratch[0]) {
        snprintf(scratch, sizeof(scratch), "/tmp/brig-fuzz-archive-%d", (int)getpid());
        if (mkdir(scratch, 0700) < 0)
            abort();
    }
    char *root = brig_xasprintf("%s/root", scratch);
    brig_rm_rf(root, &err);
    if (mkdir(root, 0755) < 0)
        abort();
    int fd = memfd_create("archive", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) < 0)
        abort();
    brig_archive_extract_fd(fd, root, NULL, NULL, NULL, &err);
    close(fd);
    check_no_escape();
    brig_rm_rf(root, &err);
    free(root);
    return 0;
}
