/* Bases: read-only root filesystems that jails are made from (the overlay
 * lower layer of thin jails, the copy source of thick ones).
 *
 * Layout under ${workdir}/basejail/:
 *   <name>/                 the rootfs, exactly as jails see it
 *   <name>.meta             key="value" lines kept beside it, never inside:
 *                           name, kind (busybox|debian|tarball), created (unix
 *                           seconds), size (apparent bytes), origin, version,
 *                           sha256 (of a tarball), checksum (of the tree)
 *   .tmp-<name>-<pid>/      work in progress: the new rootfs is built in its
 *                           root/ (downloads go to download), then root/ is
 *                           renamed to <name> and the rest removed
 * The process building a base holds an flock on its .tmp directory, so every
 * repo call removes the .tmp directories that nobody holds (left by a killed
 * brig) and .meta files whose base is gone. A base appears only complete. */
#ifndef BRIG_REPO_H
#define BRIG_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "fetch.h"

enum brig_base_kind {
    BRIG_BASE_UNKNOWN, /* a directory without metadata (made by hand) */
    BRIG_BASE_BUSYBOX,
    BRIG_BASE_DEBIAN,
    BRIG_BASE_TARBALL,
};

struct brig_base {
    char *name;
    enum brig_base_kind kind;
    uint64_t size;   /* apparent size in bytes */
    int64_t created; /* unix seconds */
    char *origin;    /* busybox binary, the Debian mirror used, or the tarball's file or URL */
    char *version;   /* "bookworm 12.11", "BusyBox v1.35.0", os-release's name; "" if unknown */
    char *sha256;    /* of the imported tarball; "" if none */
    char *checksum;  /* "sha256:<hex>" of the rootfs tree (see brig_tree_sha256); "" if unknown */
};

struct brig_base_list {
    struct brig_base *items;
    size_t n;
};

#define BRIG_DEBIAN_MIRROR        "http://deb.debian.org/debian"
#define BRIG_DEBIAN_DEFAULT_SUITE "bookworm"

/* "busybox", "debian", "tarball" or "unknown". */
const char *brig_base_kind_name(enum brig_base_kind kind);
/* Every base of the workdir, sorted by name. */
int brig_repo_list(const char *workdir, struct brig_base_list *ret, struct brig_err *err);
/* Free a list's items and leave it empty. */
void brig_base_list_free(struct brig_base_list *list);
/* Free one record's strings and zero it. */
void brig_base_clear(struct brig_base *base);
/* One base's record; BRIG_EUSAGE when it does not exist. */
int brig_repo_info(const char *workdir, const char *name, struct brig_base *ret,
                   struct brig_err *err);
/* The absolute path of base name's rootfs; BRIG_EUSAGE when it does not exist. */
int brig_repo_path(const char *workdir, const char *name, char **ret_path, struct brig_err *err);

/* Build base name from the host's /bin/busybox (package busybox-static). */
int brig_repo_get_busybox(const char *workdir, const char *name, struct brig_err *err);
/* Build base name from a rootfs tarball (tar, tar.gz, tar.xz, tar.zst, tar.bz2)
 * given as a file path or an http, https or file URL. When sha256 is not
 * NULL the tarball's digest must match before anything is extracted. */
int brig_repo_import(const char *workdir, const char *name, const char *file_or_url,
                     const char *sha256, brig_progress_fn *progress, void *data,
                     struct brig_err *err);
/* Build base name with debootstrap --variant=minbase and an init system
 * (mirror NULL: Debian's), its progress passed to progress, its output kept
 * in ${workdir}/var/log/repo/<name>.log. */
int brig_repo_get_debian(const char *workdir, const char *name, const char *suite,
                         const char *mirror, brig_progress_fn *progress, void *data,
                         struct brig_err *err);
/* The debootstrap argv brig_repo_get_debian runs, after checking suite and mirror. */
int brig_repo_debian_argv(const char *suite, const char *mirror, const char *target,
                          char ***ret_argv, struct brig_err *err);
/* Whether base name exists. */
bool brig_repo_exists(const char *workdir, const char *name);
/* Remove base name. The caller refuses first when a jail uses it. */
int brig_repo_remove(const char *workdir, const char *name, struct brig_err *err);
/* Remove what killed imports left behind; every call above does this first. */
int brig_repo_cleanup(const char *workdir, struct brig_err *err);

#endif
