/* SHA-256 (FIPS 180-4) in plain C, for the tree digest of bases: brig itself
 * links no crypto library (only brig-import does, for tarballs). */
#ifndef BRIG_SHA256_H
#define BRIG_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct brig_sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes fed so far */
    uint8_t block[64];
    size_t fill; /* bytes waiting in block */
};

void brig_sha256_init(struct brig_sha256 *s);
void brig_sha256_update(struct brig_sha256 *s, const void *data, size_t n);
/* Finish and write the digest as 64 lower-case hex digits and a NUL. */
void brig_sha256_final_hex(struct brig_sha256 *s, char ret_hex[65]);

#endif
