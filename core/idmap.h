/* Id ranges of unprivileged jails (userns=1): allocation and the host-wide
 * registry in /etc/subuid and /etc/subgid. */
#ifndef BRIG_IDMAP_H
#define BRIG_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Ids per jail: 0..65535 inside, as a host has. */
#define BRIG_IDMAP_COUNT 65536u
/* The lowest host id brig hands out: above every range a host gives its own users. */
#define BRIG_IDMAP_MIN (1u << 24)

struct brig_idrange {
    uint64_t start, count;
};

/* /etc/subuid and /etc/subgid. */
extern const char *const brig_subid_files[2];

/* The ranges of subid text ("owner:start:count" per line; other lines are
 * skipped) in *ret (malloc'ed); returns how many. */
size_t brig_subid_parse(const char *text, size_t len, struct brig_idrange **ret);
/* The lowest start >= min, a multiple of BRIG_IDMAP_COUNT, whose range
 * overlaps none of used; 0 when no range fits below 2^32 - 1. */
uint32_t brig_idmap_pick(const struct brig_idrange *used, size_t n, uint32_t min);
/* Under a lock: pick a range free in both subid files and not in taken (the
 * bases the store holds), and register it in both files. */
int brig_idmap_reserve(const char *const files[2], const uint32_t *taken, size_t ntaken,
                       uint32_t *ret_base, struct brig_err *err);
/* Remove the registration of the range at base (0: nothing to do). */
int brig_idmap_release(const char *const files[2], uint32_t base, struct brig_err *err);

#endif
