/* What a base's root file system says about itself: its content digest and
 * the system's version, read without following a link out of the tree. */
#ifndef BRIG_REPO_TREE_H
#define BRIG_REPO_TREE_H

#include "err.h"

/* SHA-256 over the tree under root, in name order: each entry's path, type,
 * mode, owner, and its content (file), target (symlink) or device number.
 * Times are left out, so the same files give the same digest. */
int brig_tree_sha256(const char *root, char ret_hex[65], struct brig_err *err);
/* The Debian suite and point release ("bookworm 12.11"), else os-release's
 * PRETTY_NAME; "" when the tree tells neither. */
char *brig_rootfs_version(const char *root);
/* The value of key in os-release text (quotes removed), or NULL. */
char *brig_os_release_get(const char *text, const char *key);

#endif
