/* libFuzzer target for the CBSD jail image parser (jimport's first read of
 * a CBSD .img): any input either fails with one line of BRIG_EUSAGE, or
 * parses to sections that lie inside the input, in order and apart, with the
 * HEADER's jname a valid name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbsdimg.h"
#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_cbsdimg img = {0};
    if (brig_cbsdimg_parse((const char *)data, size, &img, &err) < 0) {
        if (err.code != BRIG_EUSAGE || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    size_t end = 0;
    for (int i = 0; i < BRIG_CBSDIMG__COUNT; i++) {
        const struct brig_cbsdimg_section *s = &img.part[i];
        if (!s->present)
            continue;
        if (s->off > size || s->len > size - s->off)
            abort();
        end = s->off + s->len > end ? s->off + s->len : end;
    }
    if (!img.part[BRIG_CBSDIMG_HEADER].present || !img.part[BRIG_CBSDIMG_DATA].present ||
        brig_check_name("jname", brig_kvlist_get(&img.header, "jname"), NULL) < 0)
        abort();
    brig_cbsdimg_clear(&img);
    return 0;
}
