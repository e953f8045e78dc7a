/* libFuzzer target for lines of a CBSD fstab file: a line that parses has an
 * absolute, canonical dst with no "." or ".." and nothing of /proc, /sys or /dev. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fstab.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = brig_xstrndup((const char *)data, size);
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_fstab e;
    bool blank = false;
    if (brig_fstab_parse_line(line, &e, &blank, &err) == 0 && !blank) {
        const char *d = e.dst;
        if (d[0] != '/' || strstr(d, "//") || strstr(d, "/./") || strstr(d, "/../") ||
            d[strlen(d) - 1] == '/' || (strncmp(d, "/proc", 5) == 0 && (d[5] == '/' || !d[5])))
            abort();
        if (strcmp(e.options, "ro") != 0 && strcmp(e.options, "rw") != 0)
            abort();
        brig_fstab_clear(&e);
    }
    free(line);
    return 0;
}
