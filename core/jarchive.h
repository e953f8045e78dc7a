/* Jail archives: jexport writes one pax archive (zstd, xz or uncompressed)
 * holding a manifest (manifest.h), the jail's own files under root/ (a thin
 * jail's overlay layer, a thick jail's whole root) with owners relative to
 * the jail (0 is the jail's root), and a content digest last; jimport reads
 * one into a new jail with an id range of its own. The part of brig that
 * needs libarchive, linked only by the brig-archive program. */
#ifndef BRIG_JARCHIVE_H
#define BRIG_JARCHIVE_H

#include "brig.h"
#include "fetch.h"

/* Export stopped jail jname (with vm, VM jname: its directory, sparse disks
 * as sparse entries, under vm/) to out (a path, or "-" for stdout; NULL: the
 * workdir's export/<jname>.tar[.zst|.xz]) compressed with compress (zstd,
 * xz or none; NULL: zstd). An existing file is refused; a failed export
 * leaves no file. With full, a thin jail's base goes along (under base/), so
 * a host without it can import the jail. *ret_out gets the path written
 * ("-" for stdout). With locked, the caller (jmigrate, which runs this
 * program) holds the jail's lock and keeps it stopped. */
int brig_jexport(struct brig_ctx *c, const char *jname, bool vm, const char *out,
                 const char *compress, bool full, bool locked, brig_progress_fn *progress,
                 void *data, char **ret_out, struct brig_err *err);

/* Import the archive in ("-": stdin) as a new jail (with vm, a new VM: an
 * archive of the other kind is refused); jname and ip4_addr
 * (NULL: the archive's) override the archive's. Anything wrong with the
 * archive (damaged, truncated, a digest mismatch, an entry that would land
 * outside the jail's root, a device node) is BRIG_EUSAGE, and nothing is
 * left: no record, no directory, no id range, no base. A full archive
 * installs its base when this workdir lacks it. *ret_jname gets the name. */
int brig_jimport(struct brig_ctx *c, const char *in, bool vm, const char *jname,
                 const char *ip4_addr, brig_progress_fn *progress, void *data, char **ret_jname,
                 struct brig_err *err);

#endif
