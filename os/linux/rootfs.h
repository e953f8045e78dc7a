/* The jail's root file system, and reading the mount table.
 *
 * Layout of a jail's data dir (jails-data/<jname>-data, DESIGN §6):
 *   thin  (baserw=0): <data>/upper  overlayfs upper dir: every change the jail makes
 *                     <data>/work   overlayfs work dir (same file system as upper)
 *                     mounted as overlay lowerdir=<base>, read-only to the jail.
 *   thick (baserw=1): <data> itself is the jail's root, a full copy of the base made
 *                     once at jcreate (brig_rootfs_populate), bind-mounted at each start.
 * The base must not change while thin jails that use it are mounted.
 * Paths given to the overlay may not contain ',', ':' or '\\' (the kernel's option
 * syntax); brig's own paths never do, and others are refused with BRIG_EUSAGE. */
#ifndef BRIG_OS_LINUX_ROOTFS_H
#define BRIG_OS_LINUX_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Progress of a long copy: bytes of file data done out of total. */
typedef void (*brig_rootfs_progress_fn)(uint64_t done, uint64_t total, void *arg);

/* One line of /proc/self/mountinfo, paths unescaped. */
struct brig_mountinfo {
    int id, parent_id;
    unsigned major, minor;
    const char *root;       /* path inside the file system that is mounted */
    const char *target;     /* mount point */
    const char *fstype;     /* e.g. "cgroup2", "overlay" */
    const char *source;     /* e.g. "/dev/vda", "overlay" */
    const char *super_opts; /* super block options, e.g. "rw,memory" */
};

/* Call fn for every mount of this process; a non-zero return from fn stops the walk. */
int brig_mountinfo_foreach(int (*fn)(const struct brig_mountinfo *mi, void *arg), void *arg,
                           struct brig_err *err);

/* Mount an overlay at path: lower base, upper and work dirs made under data. */
int brig_rootfs_mount_thin(const char *base, const char *data, const char *path,
                           struct brig_err *err);
/* Copy base into data (which must be missing or empty), keeping modes, owners, times,
 * symlinks, hard links, device nodes, fifos and xattrs; reflinks where possible. */
int brig_rootfs_populate(const char *base, const char *data, brig_rootfs_progress_fn progress,
                         void *arg, struct brig_err *err);
/* The same, with every owner shifted up by idshift (an unprivileged jail's range). */
int brig_rootfs_populate_shifted(const char *base, const char *data, uint32_t idshift,
                                 brig_rootfs_progress_fn progress, void *arg, struct brig_err *err);
/* Bind-mount a populated thick data dir at path. */
int brig_rootfs_mount_thick(const char *data, const char *path, struct brig_err *err);
/* Mount the jail root the way baserw says (thin overlay or thick bind). */
int brig_rootfs_mount(const char *base, const char *data, const char *path, bool baserw,
                      struct brig_err *err);
/* Make path a directory with nothing mounted on it, ready for a jail's root. */
int brig_rootfs_prepare_target(const char *path, struct brig_err *err);
/* The root of an unprivileged jail whose user namespace is userns_fd and whose
 * range starts at idmap: thin, an overlay whose lower layer is the base
 * idmapped into that namespace (the base keeps its host owners and serves every
 * jail; what the jail writes lands in upper with ids of its range); thick, a
 * bind of its data (already shifted into the range). It is mounted at path for
 * the host, and a nodev copy, detached, is returned in *ret_fd for the jail's
 * init to attach in its own mount namespace. */
int brig_rootfs_mount_userns(const char *base, const char *data, const char *path, bool baserw,
                             uint32_t idmap, int userns_fd, int *ret_fd, struct brig_err *err);
/* Unmount everything mounted at path; falls back to a lazy detach on EBUSY and says so
 * in *ret_lazy (may be NULL). Not mounted is success. */
int brig_rootfs_umount(const char *path, bool *ret_lazy, struct brig_err *err);
/* Whether something is mounted exactly at path. */
bool brig_rootfs_mounted(const char *path);

#endif
