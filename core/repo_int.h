/* What repo.c shares with repo_import.c: building a base in a locked
 * staging directory and moving it into place whole. */
#ifndef BRIG_REPO_INT_H
#define BRIG_REPO_INT_H

#include "repo.h"

/* A base under construction: its locked .tmp directory and final paths. */
struct brig_staging {
    char *name;
    char *dir;   /* resolved ${workdir}/basejail */
    char *tmp;   /* dir/.tmp-<name>-<pid> */
    char *root;  /* tmp/root: the rootfs being built */
    char *final; /* dir/<name> */
    int lock_fd; /* flock held on tmp */
};

/* Lock a new .tmp directory for base name (which must not exist yet). */
int brig_staging_begin(const char *workdir, const char *name, struct brig_staging *s,
                       struct brig_err *err);
/* Move the finished rootfs into place, then record its metadata. */
int brig_staging_commit(struct brig_staging *s, enum brig_base_kind kind, const char *origin,
                        const char *version, const char *sha256, struct brig_err *err);
/* Remove the staging directory and release its lock. */
void brig_staging_end(struct brig_staging *s);

#endif
