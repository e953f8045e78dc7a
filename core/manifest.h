/* The manifest of a jail archive (jexport/jimport): the first entry of the
 * archive, jconf text (`key="value";` lines) holding the archive's own keys
 * (brig_archive_format, brig_version, export_*) and the jail's parameters.
 * Entries: the manifest, base/ (full=1 only: the thin jail's base), root/
 * (the jail's own files) or, for a VM, vm/ (its directory), the digest.
 * The archive is outside input: the parser checks every key and value and has
 * no side effects (fuzzed by tests/fuzz/fuzz_manifest.c). */
#ifndef BRIG_MANIFEST_H
#define BRIG_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "kv.h"
#include "model.h"

/* The archive format this brig writes and the newest it reads; format 1
 * (no NIC, fstab or expose rows) is read too. */
#define BRIG_MANIFEST_FORMAT 2
/* A manifest larger than this is refused before it is read. */
#define BRIG_MANIFEST_MAX (64 * 1024)
/* Archive entry names: the manifest first, the jail's files under root/, the
 * content digest last. */
#define BRIG_ARCHIVE_MANIFEST "brig-manifest"
#define BRIG_ARCHIVE_ROOT     "root"
#define BRIG_ARCHIVE_BASE     "base"
#define BRIG_ARCHIVE_VM       "vm"
#define BRIG_ARCHIVE_DIGEST   "brig-digest"

struct brig_manifest {
    unsigned format;
    char *brig_version;
    char *base_version;        /* of the jail's base where it was exported ("" unknown) */
    char *base_checksum;       /* "sha256:<hex>" of that base's tree ("" unknown) */
    bool dhcp;                 /* the jail's ip4_addr was picked by brig's IPAM (DHCP) */
    bool full;                 /* the base's tree is in the archive too, under base/ */
    struct brig_kvlist params; /* the jail's parameters, checked against the table */
    /* the jail's rows (format 2): NICs beyond eth0 (jail_id 0), host
     * directories, port forwards (jail_id 0, no jname or target) */
    struct brig_nic *nics;
    size_t nnics;
    struct brig_fstab *fstab;
    size_t nfstab;
    struct brig_expose *exposes;
    size_t nexposes;
};

void brig_manifest_clear(struct brig_manifest *m);
/* Render m as manifest text (malloc'ed). */
char *brig_manifest_render(const struct brig_manifest *m);
/* Parse manifest text: BRIG_EUSAGE with a one-line reason for anything that
 * is not a manifest this brig can import (unknown keys, bad values, a newer
 * format, no jname, no base for a jail, a workdir-bound path or data). */
int brig_manifest_parse(const char *text, size_t len, struct brig_manifest *ret,
                        struct brig_err *err);

#endif
