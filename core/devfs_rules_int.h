/* What devfs_rules.c shares with devfs_rules_render.c. */
#ifndef BRIG_DEVFS_RULES_INT_H
#define BRIG_DEVFS_RULES_INT_H

#include "devfs_rules.h"

/* The file name errors name when the caller gives none. */
#define BRIG_DEVFS_DEFAULT_FNAME "devfs.rules"

/* The device types of `add type` conditions and their bits. */
struct brig_devfs_typename {
    const char *name;
    unsigned bit;
};
#define BRIG_DEVFS_NTYPES 4
extern const struct brig_devfs_typename brig_devfs_types[BRIG_DEVFS_NTYPES];

/* Grow an array about to hold n + 1 elements of size bytes (doubling). */
void *brig_devfs_grow(void *p, size_t n, size_t size);

/* The ruleset an include rule names, or NULL with an error naming its line. */
const struct brig_devfs_ruleset *brig_devfs_include_target(const struct brig_devfs_rules *rules,
                                                           const struct brig_devfs_ruleset *from,
                                                           const struct brig_devfs_rule *r,
                                                           struct brig_err *err);

#endif
