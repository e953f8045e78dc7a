/* libFuzzer target for what brig reads while making a Debian base:
 * debootstrap's fd 3 stream (lines fed one by one) and apt's sources, in the
 * one-line and the deb822 format. The first byte picks which. A phase or
 * message stays printable and within its buffer; a mirror found is a URL
 * brig would hand to debootstrap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "repo_debian.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (n == max)
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
            abort();
    }
}

static void feed_stream(char *text)
{
    struct brig_dbs d = {0};
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int what = brig_dbs_feed(&d, l);
        if ((what & BRIG_DBS_PROGRESS) && d.total && d.done > d.total)
            abort();
        if ((what & BRIG_DBS_MESSAGE) && !strchr("IWE", d.message[0]))
            abort();
        check_text(d.phase, sizeof(d.phase));
        check_text(d.message, sizeof(d.message));
        check_text(d.error, sizeof(d.error));
    }
    brig_dbs_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = brig_xstrndup((const char *)data + 1, size - 1);
    if (data[0] % 3 == 0) {
        feed_stream(text);
    } else {
        char *m = brig_apt_mirror_parse(text, data[0] % 3 == 2, "bookworm");
        if (m && !brig_startswith(m, "http://") && !brig_startswith(m, "https://") &&
            !brig_startswith(m, "file:///"))
            abort();
        for (const char *p = m; p && *p; p++) {
            if ((unsigned char)*p <= ' ' || *p == 0x7f)
                abort();
        }
        free(m);
    }
    free(text);
    return 0;
}
