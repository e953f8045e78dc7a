/* Safe extraction of rootfs tarballs (tar, optionally gzip, xz, zstd, bzip2
 * or lzma compressed) with libarchive. */
#ifndef BRIG_REPO_ARCHIVE_H
#define BRIG_REPO_ARCHIVE_H

#include <stdint.h>

#include "err.h"
#include "fetch.h"

struct brig_archive_stats {
    uint64_t entries; /* entries written */
    uint64_t skipped; /* device nodes and sockets left out (brig populates /dev) */
};

/* Normalise an archive entry path: strip "./" and empty components; refuse
 * absolute paths and ".." components. *ret is "" for the archive's root. */
int brig_archive_entry_path(const char *path, char **ret, struct brig_err *err);

/* Extract the tar archive read from fd into dest, an existing directory given
 * as an absolute path with no symlink in it. Owners (numeric ids, never the
 * host's user names), modes, times, ACLs and xattrs are kept; file flags are
 * not (an immutable file would make the base impossible to remove). An entry
 * that is absolute, has a ".." component, or would be written through a
 * symlink fails the whole extraction. Character and block devices and
 * sockets are skipped. */
int brig_archive_extract_fd(int fd, const char *dest, brig_progress_fn *progress, void *data,
                            struct brig_archive_stats *ret_stats, struct brig_err *err);

#endif
