/* libFuzzer target for ip4_addr lists: brig_addr_list_parse with both
 * default prefixes. A refusal is bad input with a one-line message and no
 * list; an accepted list has checked interface names and distinct addresses
 * that format and parse back to themselves. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "params.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *list, enum brig_addr_kind kind)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_addr_item *v = NULL;
    size_t n = 0;
    if (brig_addr_list_parse(list, kind, &v, &n, &err) < 0) {
        if (err.code != BRIG_EUSAGE || !err.msg[0] || strchr(err.msg, '\n') || v || n)
            abort();
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char buf[BRIG_ADDR_STRLEN];
        struct brig_addr back;
        if (v[i].iface[0] && brig_check_ifname(v[i].iface, NULL) < 0)
            abort();
        if (brig_addr_parse(brig_addr_format(&v[i].addr, true, buf), &back, NULL) < 0 ||
            brig_addr_cmp(&back, &v[i].addr) != 0)
            abort();
        for (size_t k = 0; k < i; k++) {
            if (brig_addr_same_ip(&v[k].addr, &v[i].addr))
                abort();
        }
    }
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *list = brig_xstrndup((const char *)data, size);
    check(list, BRIG_ADDR_ALIAS);
    check(list, BRIG_ADDR_VNET);
    free(list);
    return 0;
}
