/* CBSD's jail images (`cbsd jexport`'s .img): text sections, each between a
 * "___NCSTART_<PART>=1" line and a "___NCSTOP_<PART>=1" line: HEADER (shell
 * key="value" lines: hdrver, jname, compress, ver, arch, ...), RCCONF (the
 * jail's rc.conf, CBSD's parameter names), FSTAB, PKGINFO, DESCR, INFO,
 * LOCALFSTAB, then SYSDATA (a tar.gz of jails-system/JNAME) and DATA (a tar of
 * the jail's data directory, xz-compressed when the header's compress is not
 * 0). The image is outside input: the parser checks its layout and the two
 * key="value" sections and has no side effects (fuzzed by
 * tests/fuzz/fuzz_cbsdimg.c). */
#ifndef BRIG_CBSDIMG_H
#define BRIG_CBSDIMG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "kv.h"

enum brig_cbsdimg_part {
    BRIG_CBSDIMG_HEADER,
    BRIG_CBSDIMG_RCCONF,
    BRIG_CBSDIMG_FSTAB,
    BRIG_CBSDIMG_PKGINFO,
    BRIG_CBSDIMG_DESCR,
    BRIG_CBSDIMG_INFO,
    BRIG_CBSDIMG_LOCALFSTAB,
    BRIG_CBSDIMG_SYSDATA,
    BRIG_CBSDIMG_DATA,
    BRIG_CBSDIMG__COUNT
};

/* A key="value" section larger than this is refused. */
#define BRIG_CBSDIMG_TEXT_MAX (64 * 1024)

/* Where a part's content is in the image (without its marker lines). */
struct brig_cbsdimg_section {
    bool present;
    size_t off, len;
};

struct brig_cbsdimg {
    struct brig_cbsdimg_section part[BRIG_CBSDIMG__COUNT];
    struct brig_kvlist header; /* HEADER's keys, in order */
    struct brig_kvlist rcconf; /* RCCONF's keys, in order */
    bool compressed;           /* DATA is xz (the header's compress is not 0) */
};

/* The part's name as the markers spell it ("HEADER", ...). */
const char *brig_cbsdimg_part_name(enum brig_cbsdimg_part p);
/* Parse an image of len bytes: BRIG_EUSAGE with a one-line reason for
 * anything that is not an image brig reads (no HEADER first, an unknown,
 * repeated or unterminated section, bytes between sections, a key="value"
 * line that is not a plain assignment, no jname or DATA). */
int brig_cbsdimg_parse(const char *buf, size_t len, struct brig_cbsdimg *ret, struct brig_err *err);
void brig_cbsdimg_clear(struct brig_cbsdimg *img);

#endif
