/* libFuzzer target for the OCI image JSON parsers (image index, manifest,
 * config, docker-archive manifest.json): the first byte picks the parser.
 * Any input either fails with one line of BRIG_EUSAGE, or parses to records
 * whose digests are 64 hex digits, and whose command and environment, quoted
 * for exec_start and exec_env, split back into the same words. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "oci_image.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const struct brig_err *err)
{
    if (err->code != BRIG_EUSAGE || strchr(err->msg, '\n'))
        abort();
}

static void check_hex(const char *hex)
{
    if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
        abort();
}

/* words quoted and joined, then split, give words again */
static void check_words(char *const *words)
{
    char *joined = brig_oci_words_join(words);
    char **back = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_words_split(joined, &back, &err) < 0)
        abort();
    size_t n = brig_strv_len(words);
    /* an empty word has no form of its own once joined: '' */
    if (brig_strv_len(back) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (strcmp(back[i], words[i]) != 0)
            abort();
    }
    brig_strv_free(back);
    free(joined);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct brig_err err = BRIG_ERR_INIT;
    switch (data[0] % 4) {
    case 0: {
        struct brig_oci_desc d;
        if (brig_oci_index_parse(text, len, data[0] & 4 ? "latest" : NULL, &d, &err) < 0)
            check_err(&err);
        else if (check_hex(d.digest), d.kind != BRIG_OCI_MANIFEST && d.kind != BRIG_OCI_INDEX)
            abort();
        break;
    }
    case 1: {
        struct brig_oci_manifest m = {0};
        if (brig_oci_manifest_parse(text, len, &m, &err) < 0) {
            check_err(&err);
            break;
        }
        check_hex(m.config.digest);
        for (size_t i = 0; i < m.nlayers; i++) {
            check_hex(m.layers[i].digest);
            if (m.layers[i].kind != BRIG_OCI_LAYER || m.layers[i].size < 0)
                abort();
        }
        brig_oci_manifest_free(&m);
        break;
    }
    case 2: {
        struct brig_oci_config c = {0};
        if (brig_oci_config_parse(text, len, &c, &err) < 0) {
            check_err(&err);
            break;
        }
        for (size_t i = 0; i < c.ndiff_ids; i++)
            check_hex(c.diff_ids[i]);
        if (c.env)
            check_words(c.env);
        char **all = NULL;
        for (size_t i = 0; c.entrypoint && c.entrypoint[i]; i++)
            brig_strv_push(&all, c.entrypoint[i]);
        for (size_t i = 0; c.cmd && c.cmd[i]; i++)
            brig_strv_push(&all, c.cmd[i]);
        if (all)
            check_words(all);
        brig_strv_free(all);
        free(brig_oci_command(&c));
        brig_oci_config_free(&c);
        break;
    }
    default: {
        struct brig_docker_image d = {0};
        if (brig_docker_manifest_parse(text, len, NULL, &d, &err) < 0)
            check_err(&err);
        else if (!d.config || d.nlayers != brig_strv_len(d.layers))
            abort();
        brig_docker_image_free(&d);
        break;
    }
    }
    return 0;
}
