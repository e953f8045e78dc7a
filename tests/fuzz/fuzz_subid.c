/* libFuzzer target for /etc/subuid text: every range read back lies inside
 * the 32-bit id space as written, and a range picked around them overlaps none. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "idmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_idrange *r = NULL;
    size_t n = brig_subid_parse((const char *)data, size, &r);
    for (size_t i = 0; i < n; i++)
        if (r[i].count == 0 || r[i].start > 0xfffffffeULL || r[i].count > 9999999999ULL)
            abort();
    uint32_t base = brig_idmap_pick(r, n, BRIG_IDMAP_MIN);
    if (base) {
        if (base % BRIG_IDMAP_COUNT || base < BRIG_IDMAP_MIN ||
            (uint64_t)base + BRIG_IDMAP_COUNT - 1 > 0xfffffffeULL)
            abort();
        for (size_t i = 0; i < n; i++)
            if (r[i].start < (uint64_t)base + BRIG_IDMAP_COUNT &&
                (uint64_t)base < r[i].start + r[i].count)
                abort();
    }
    free(r);
    return 0;
}
