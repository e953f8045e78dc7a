/* libFuzzer target for the seed's values (eight fields split at NUL bytes): a
 * seed that renders keeps the YAML shape brig writes. Every line is plain ASCII,
 * and a double-quoted scalar is the last thing on its line, so no value could
 * have added a key, a list item or a document. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidata.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_yaml(const char *s)
{
    if (!s)
        return;
    const char *line = s;
    while (*line) {
        const char *end = strchr(line, '\n');
        if (!end)
            abort();
        const char *q = memchr(line, '"', (size_t)(end - line));
        for (const char *p = line; p < end; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                abort();
        if (q) {
            const char *p = q + 1;
            while (p < end && *p != '"')
                p += *p == '\\' ? 2 : 1;
            if (p != end - 1)
                abort();
        }
        line = end + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = brig_xcalloc(1, size + 1);
    memcpy(buf, data, size);
    const char *field[8] = {0};
    char *p = buf;
    for (int i = 0; i < 8 && p < buf + size; i++) {
        field[i] = p;
        p += strlen(p) + 1;
    }
    struct brig_cidata ci = {field[0], field[1], field[2], field[3],
                             field[4], field[5], field[6], field[7]};
    char *meta = NULL, *user = NULL, *net = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_cidata_render(&ci, &meta, &user, &net, &err) == 0) {
        check_yaml(meta);
        check_yaml(user);
        check_yaml(net);
    } else if (strchr(err.msg, '\n')) {
        abort();
    }
    free(meta);
    free(user);
    free(net);
    free(buf);
    return 0;
}
