/* Moving a tree's owners from one id range to another: what a jail's files
 * need when the jail gets a new range (jclone, an import). */
#ifndef BRIG_OS_LINUX_IDSHIFT_H
#define BRIG_OS_LINUX_IDSHIFT_H

#include <stdint.h>

#include "core/err.h"

/* Shift every owner of the tree at dirfd (the directory itself included, never
 * following a symbolic link nor leaving its file system) from [from, from +
 * count) to [to, to + count): uids, gids, the ids in POSIX ACLs and the root id
 * of a file capability (v3). Set-id bits and capabilities, which a chown
 * clears, are put back. An owner outside the range is refused, except the
 * host's 0:0 of an overlay whiteout (a 0/0 character device). */
int brig_tree_shift(int dirfd, uint32_t from, uint32_t to, uint32_t count, struct brig_err *err);

#endif
