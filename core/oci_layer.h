/* OCI layers: unpacked safely, applied with whiteouts (oci_layer.c). */
#ifndef BRIG_OCI_LAYER_H
#define BRIG_OCI_LAYER_H

#include <stddef.h>

#include "err.h"
#include "oci_image.h"

/* SHA-256 of data as 64 lower-case hex digits. */
void brig_sha256_buf(const void *data, size_t n, char ret[65]);

/* Unpack the layer blob read from fd (compressed as c says) into dest, an
 * empty directory given by path and by dest_fd. The blob's digest must be
 * blob_hex (NULL: not known) and its uncompressed tar's diff_hex. An entry
 * that is absolute, has a '..', would be written through a symlink, is a
 * device node or a hard link out of the layer fails it (BRIG_EUSAGE); only
 * user.* and security.capability xattrs are kept. */
int brig_oci_layer_unpack(int fd, enum brig_oci_compression c, const char *blob_hex,
                          const char *diff_hex, const char *dest, int dest_fd,
                          struct brig_err *err);

/* Apply the unpacked layer layer_fd onto the base root_fd as overlayfs
 * stacks it: in each directory an opaque marker (.wh..wh..opq) first empties
 * the base's, each .wh.NAME removes NAME, then directories are merged
 * (taking the layer's owner, mode, xattrs and times) and anything else
 * replaces what was below as a hard link to the layer's file. */
int brig_oci_layer_apply(int layer_fd, int root_fd, struct brig_err *err);

#endif
