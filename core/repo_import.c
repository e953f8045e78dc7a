/* Importing a rootfs tarball from a file or URL: the part of repo that needs
 * libcurl, libarchive and libcrypto, kept apart so that only the brig-import
 * program links them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "repo.h"
#include "repo_archive.h"
#include "repo_int.h"
#include "repo_tree.h"
#include "util.h"

/* Open the tarball: a local file as is, a URL downloaded into the staging dir. */
static int import_open(struct brig_staging *s, const char *src, brig_progress_fn *progress,
                       void *data, int *ret_fd, struct brig_err *err)
{
    if (!brig_fetch_is_url(src)) {
        int fd = open(src, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            brig_err_sys(err, e, "open %s", src);
            if (e == ENOENT && err)
                err->code = BRIG_EUSAGE;
            return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return brig_err_set(err, BRIG_EUSAGE, "%s is not a regular file", src);
        }
        *ret_fd = fd;
        return 0;
    }
    _cleanup_free_ char *path = brig_xasprintf("%s/download", s->tmp);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return brig_err_sys(err, errno, "create %s", path);
    if (brig_fetch_url(src, fd, progress, data, err) < 0) {
        close(fd);
        return -1;
    }
    *ret_fd = fd;
    return 0;
}

int brig_repo_import(const char *workdir, const char *name, const char *file_or_url,
                     const char *sha256, brig_progress_fn *progress, void *data,
                     struct brig_err *err)
{
    char want[BRIG_SHA256_HEX_LEN + 1] = "", got[BRIG_SHA256_HEX_LEN + 1] = "";
    if (!file_or_url || !*file_or_url)
        return brig_err_set(err, BRIG_EUSAGE, "base %s: no file or url given", name);
    if (sha256 && *sha256 && brig_sha256_parse(sha256, want, err) < 0)
        return brig_err_wrap(err, "base %s", name);
    struct brig_staging s;
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *source = NULL;
    _cleanup_free_ char *version = NULL;
    int r = -1;
    if (brig_staging_begin(workdir, name, &s, err) < 0 ||
        import_open(&s, file_or_url, progress, data, &fd, err) < 0)
        goto out;
    /* the digest is recorded with the base even when none was given to check */
    if (brig_sha256_fd(fd, got, want[0] ? progress : NULL, data, err) < 0)
        goto out;
    if (want[0] && strcmp(want, got) != 0) {
        brig_err_set(err, BRIG_EFAIL, "%s: sha256 mismatch: expected %s, got %s", file_or_url, want,
                     got);
        goto out;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) {
        brig_err_sys(err, errno, "seek %s", file_or_url);
        goto out;
    }
    if (brig_archive_extract_fd(fd, s.root, progress, data, NULL, err) < 0) {
        brig_err_wrap(err, "%s", file_or_url);
        goto out;
    }
    source = brig_fetch_is_url(file_or_url) ? NULL : realpath(file_or_url, NULL);
    version = brig_rootfs_version(s.root);
    r = brig_staging_commit(&s, BRIG_BASE_TARBALL, source ? source : file_or_url, version, got,
                            err);
out:
    brig_staging_end(&s);
    return r < 0 ? brig_err_wrap(err, "base %s", name) : 0;
}
