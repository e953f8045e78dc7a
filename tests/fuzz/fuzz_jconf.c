/* libFuzzer target for the jconf parser: any input either fails cleanly or
 * parses to items that brig_jconf_format_line writes out and the parser reads
 * back unchanged (keys, values and line numbers of the rewritten text). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    if (brig_jconf_parse((const char *)data, size, &l, &err) < 0) {
        /* errors are one line and say where */
        if (err.code != BRIG_EUSAGE || strchr(err.msg, '\n') || !brig_startswith(err.msg, "line "))
            abort();
        return 0;
    }
    struct brig_buf b = {0};
    brig_buf_add(&b, "# rewritten\n");
    for (size_t i = 0; i < l.n; i++) {
        if (strlen(l.items[i].key) == 0 || l.items[i].line < 1)
            abort();
        brig_jconf_format_line(&b, l.items[i].key, l.items[i].value);
    }
    struct brig_kvlist again = {0};
    if (brig_jconf_parse(b.s, b.len, &again, &err) < 0)
        abort();
    if (again.n != l.n)
        abort();
    for (size_t i = 0; i < l.n; i++) {
        if (strcmp(again.items[i].key, l.items[i].key) != 0 ||
            strcmp(again.items[i].value, l.items[i].value) != 0 ||
            again.items[i].line != (int)i + 2)
            abort();
    }
    if (l.n && strcmp(brig_kvlist_get(&again, l.items[l.n - 1].key), l.items[l.n - 1].value) != 0)
        abort();
    brig_kvlist_free(&again);
    brig_buf_free(&b);
    brig_kvlist_free(&l);
    return 0;
}
