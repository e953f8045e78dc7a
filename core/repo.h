/* Bases: read-only root filesystems that jails are made from (the overlay
 * lower layer of thin jails, the copy source of thick ones).
 *
 * Layout under ${workdir}/basejail/:
 *   <name>/                 the rootfs, exactly as jails see it
 *   <name>.meta             key="value" lines kept beside it, never inside:
 *                           name, kind (busybox|debian|tarball|oci), created
 *                           (unix seconds), size (apparent bytes), origin,
 *                           version, sha256 (of a tarball, an OCI image's
 *                           manifest), checksum (of the tree); an OCI base's
 *                           layers and image config (oci_* keys)
 *   .layers/sha256/<diff_id>/  OCI layers unpacked, shared by the OCI bases
 *                           whose files are hard links into them (repo_oci.c)
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
#include "kv.h"

enum brig_base_kind {
    BRIG_BASE_UNKNOWN, /* a directory without metadata (made by hand) */
    BRIG_BASE_BUSYBOX,
    BRIG_BASE_DEBIAN,
    BRIG_BASE_TARBALL,
    BRIG_BASE_OCI,
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
    /* OCI bases: "layers" (diff_ids, space separated) and the image config's
     * defaults for jails: "exec_start", "exec_env", "exec_cwd", "exec_user",
     * "stop_signal", "ports" (kept in .meta with an "oci_" prefix) */
    struct brig_kvlist oci;
};

struct brig_base_list {
    struct brig_base *items;
    size_t n;
};

#define BRIG_DEBIAN_MIRROR        "http://deb.debian.org/debian"
#define BRIG_DEBIAN_DEFAULT_SUITE "bookworm"

/* "busybox", "debian", "tarball", "oci" or "unknown". */
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
/* Build base name (NULL or "": named after the image) from an OCI image:
 * "oci:DIR[:TAG]" (an image layout) or "docker-archive:FILE" (docker save).
 * Every blob's digest is checked, layers are unpacked once into the shared
 * layer store and the base made of hard links to them; a hostile layer fails
 * the whole import and leaves nothing. *ret_name gets the base's name;
 * *ret_present is true when it existed already (nothing done). log gets a
 * line per layer ("base NAME: layer sha256:…: unpacked" or "reused"); may be NULL. */
typedef void brig_repo_log_fn(const char *line, void *data);
int brig_repo_import_oci(const char *workdir, const char *name, const char *image,
                         brig_repo_log_fn *log, void *data, char **ret_name, bool *ret_present,
                         struct brig_err *err);
/* Remove unpacked OCI layers no base refers to any more, unless an import
 * holds the layer store (then it does so itself when it ends). */
int brig_repo_layers_gc(const char *workdir, struct brig_err *err);
/* Remove what killed imports left behind; every call above does this first. */
int brig_repo_cleanup(const char *workdir, struct brig_err *err);

#endif
