/* jfstab: host directories in jails, kept per jail as lines of CBSD's fstab
 * ("src dst type options [dump pass]", type nullfs, options rw or ro). */
#ifndef BRIG_CORE_FSTAB_H
#define BRIG_CORE_FSTAB_H

#include <stdbool.h>

#include "err.h"
#include "model.h"

/* Parse one line of a CBSD fstab file into *ret (strings owned by ret);
 * *ret_blank for an empty or comment line. No check of the host. */
int brig_fstab_parse_line(const char *line, struct brig_fstab *ret, bool *ret_blank,
                          struct brig_err *err);
/* Check src, dst and ro as given to jfstab (dst made canonical); fills *ret. */
int brig_fstab_make(const char *src, const char *dst, bool ro, struct brig_fstab *ret,
                    struct brig_err *err);
void brig_fstab_clear(struct brig_fstab *e);
/* Refuse (BRIG_EUSAGE) a Linux jail with allow_mount=1 and a ro=1 directory
 * among v[0..n): jail root, with CAP_SYS_ADMIN over its mount namespace,
 * could remount the bind read-write. */
int brig_fstab_check_mount(int os, const struct brig_jail *j, const struct brig_fstab *v, size_t n,
                           struct brig_err *err);

#endif
