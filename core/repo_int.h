/* What repo.c shares with repo_import.c: building a base in a locked
 * staging directory and moving it into place whole. */
#ifndef BRIG_REPO_INT_H
#define BRIG_REPO_INT_H

#include "repo.h"

/* A base under construction: its locked .tmp directory and final paths. */
struct brig_staging {
    char *name;
    char *dir;              /* resolved ${workdir}/basejail */
    char *tmp;              /* dir/.tmp-<name>-<pid> */
    char *root;             /* tmp/root: the rootfs being built */
    char *final;            /* dir/<name> */
    int lock_fd;            /* flock held on tmp */
    struct brig_kvlist oci; /* written to .meta with an "oci_" prefix */
};

/* Lock a new .tmp directory for base name (which must not exist yet). */
int brig_staging_begin(const char *workdir, const char *name, struct brig_staging *s,
                       struct brig_err *err);
/* Move the finished rootfs into place, then record its metadata. */
int brig_staging_commit(struct brig_staging *s, enum brig_base_kind kind, const char *origin,
                        const char *version, const char *sha256, struct brig_err *err);
/* Remove the staging directory and release its lock. */
void brig_staging_end(struct brig_staging *s);

/* The layer store: ${workdir}/basejail/.layers, with sha256/<diff_id>/
 * holding each layer unpacked and .tmp-* work in progress; .lock is held
 * (flock) by an import for its whole run, and by the collector. */
#define BRIG_LAYERS_DIR ".layers"
/* Open (creating it) and lock the layer store of basejail dir: *ret_fd is
 * the locked .lock file. wait: block until free; else 1 when busy. */
int brig_layers_lock(const char *dir, bool wait, int *ret_fd, struct brig_err *err);
/* With the lock held: remove layers no .meta of dir names, and .tmp-* left. */
int brig_layers_collect(const char *dir, struct brig_err *err);

#endif
