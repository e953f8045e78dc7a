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

#endif
