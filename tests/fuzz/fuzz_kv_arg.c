/* libFuzzer target for command-line words: brig_kv_parse_arg on the input,
 * then every parameter's validator on the value (and on the whole word), the
 * name lookup and suggestion on the key, and the cross-field check of a jail
 * that holds the value. Validators must refuse cleanly, never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "params.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run every validator on value; a refusal must be bad input with a one-line message. */
static void check_all(const char *value)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        struct brig_err err = BRIG_ERR_INIT;
        if (brig_param_check((enum brig_param_id)i, value, &err) < 0) {
            if (err.code != BRIG_EUSAGE || !err.msg[0])
                abort();
        } else if (err.code != 0) {
            abort();
        }
    }
    uint64_t bytes;
    int64_t n;
    brig_parse_size(value, &bytes, NULL);
    brig_parse_uint(value, 0, INT64_MAX, &n, NULL);
    brig_check_cidr4(value, NULL);
    brig_check_mac(value, NULL);
    brig_check_hostname(value, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *word = brig_xstrndup((const char *)data, size);
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kv kv = {0};
    check_all(word);
    if (brig_kv_parse_arg(word, &kv, &err) < 0) {
        if (err.code != BRIG_EUSAGE || kv.key || kv.value)
            abort();
        free(word);
        return 0;
    }
    if (strlen(kv.key) + 1 + strlen(kv.value) != strlen(word))
        abort();
    check_all(kv.value);
    enum brig_param_id id;
    if (brig_param_find(kv.key, &id)) {
        struct brig_jail j = {0};
        brig_jail_set(&j, BRIG_P_JNAME, "fuzz");
        if (brig_param_check(id, kv.value, NULL) == 0) {
            brig_jail_set(&j, id, kv.value);
            brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
            brig_jail_check(&j, NULL);
            brig_jail_bool(&j, id);
            brig_jail_int(&j, id);
        }
        brig_jail_clear(&j);
    } else {
        brig_param_suggest(kv.key);
    }
    free(kv.key);
    free(kv.value);
    free(word);
    return 0;
}
