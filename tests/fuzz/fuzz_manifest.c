/* libFuzzer target for the jail archive manifest parser (jimport's first
 * read of outside input): any input either fails with one line of
 * BRIG_EUSAGE, or parses to a manifest that renders to text the parser reads
 * back to the same manifest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_manifest m = {0}, again = {0};
    if (brig_manifest_parse((const char *)data, size, &m, &err) < 0) {
        if (err.code != BRIG_EUSAGE || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    if (m.format != BRIG_MANIFEST_FORMAT || !brig_kvlist_get(&m.params, "jname"))
        abort();
    char *text = brig_manifest_render(&m);
    if (brig_manifest_parse(text, strlen(text), &again, &err) < 0)
        abort();
    if (again.dhcp != m.dhcp || again.full != m.full ||
        strcmp(again.brig_version, m.brig_version) != 0 ||
        strcmp(again.base_version, m.base_version) != 0 ||
        strcmp(again.base_checksum, m.base_checksum) != 0 || again.params.n != m.params.n)
        abort();
    for (size_t i = 0; i < m.params.n; i++) {
        if (strcmp(again.params.items[i].key, m.params.items[i].key) != 0 ||
            strcmp(again.params.items[i].value, m.params.items[i].value) != 0)
            abort();
    }
    free(text);
    brig_manifest_clear(&m);
    brig_manifest_clear(&again);
    return 0;
}
