/* Manifest of a jail archive: rendering and a strict parser. */
#define _GNU_SOURCE
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "util.h"

#define KEY_FORMAT        "brig_archive_format"
#define KEY_VERSION       "brig_version"
#define KEY_BASE_VERSION  "export_base_version"
#define KEY_BASE_CHECKSUM "export_base_checksum"
#define KEY_DHCP          "export_dhcp"
#define KEY_FULL          "export_full"

void brig_manifest_clear(struct brig_manifest *m)
{
    free(m->brig_version);
    free(m->base_version);
    free(m->base_checksum);
    brig_kvlist_free(&m->params);
    memset(m, 0, sizeof(*m));
}

char *brig_manifest_render(const struct brig_manifest *m)
{
    struct brig_buf b = {0};
    char num[16];
    brig_buf_add(&b, "# brig jail archive manifest\n");
    snprintf(num, sizeof(num), "%u", m->format);
    brig_jconf_format_line(&b, KEY_FORMAT, num);
    brig_jconf_format_line(&b, KEY_VERSION, m->brig_version ? m->brig_version : "");
    brig_jconf_format_line(&b, KEY_BASE_VERSION, m->base_version ? m->base_version : "");
    brig_jconf_format_line(&b, KEY_BASE_CHECKSUM, m->base_checksum ? m->base_checksum : "");
    brig_jconf_format_line(&b, KEY_DHCP, m->dhcp ? "1" : "0");
    brig_jconf_format_line(&b, KEY_FULL, m->full ? "1" : "0");
    brig_buf_add(&b, "# the jail's parameters\n");
    for (size_t i = 0; i < m->params.n; i++)
        brig_jconf_format_line(&b, m->params.items[i].key, m->params.items[i].value);
    return brig_buf_steal(&b);
}

/* A value of the archive's own keys: printable, no more than a line. */
static bool plain_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return strlen(s) <= 256;
}

static bool checksum_ok(const char *s)
{
    if (!*s)
        return true;
    if (!brig_startswith(s, "sha256:") || strlen(s) != 7 + 64)
        return false;
    return strspn(s + 7, "0123456789abcdef") == 64;
}

/* One key of the manifest into m. */
static int manifest_key(struct brig_manifest *m, const struct brig_kv *kv, bool *seen_format,
                        struct brig_err *err)
{
    const char *k = kv->key, *v = kv->value;
    if (strcmp(k, KEY_FORMAT) == 0) {
        if (strcmp(v, "1") != 0) {
            if (strspn(v, "0123456789") == strlen(v) && *v && strlen(v) < 6)
                return brig_err_set(err, BRIG_EUSAGE,
                                    "archive format %s is not one this brig reads (%d)", v,
                                    BRIG_MANIFEST_FORMAT);
            return brig_err_set(err, BRIG_EUSAGE, "line %d: bad archive format", kv->line);
        }
        m->format = BRIG_MANIFEST_FORMAT;
        *seen_format = true;
        return 0;
    }
    if (strcmp(k, KEY_VERSION) == 0 || strcmp(k, KEY_BASE_VERSION) == 0) {
        if (!plain_text(v))
            return brig_err_set(err, BRIG_EUSAGE, "line %d: %s: bad value", kv->line, k);
        char **dst = strcmp(k, KEY_VERSION) == 0 ? &m->brig_version : &m->base_version;
        free(*dst);
        *dst = brig_xstrdup(v);
        return 0;
    }
    if (strcmp(k, KEY_BASE_CHECKSUM) == 0) {
        if (!checksum_ok(v))
            return brig_err_set(err, BRIG_EUSAGE, "line %d: %s: not sha256:<hex>", kv->line, k);
        free(m->base_checksum);
        m->base_checksum = brig_xstrdup(v);
        return 0;
    }
    if (strcmp(k, KEY_DHCP) == 0 || strcmp(k, KEY_FULL) == 0) {
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
            return brig_err_set(err, BRIG_EUSAGE, "line %d: %s: not 0 or 1", kv->line, k);
        *(strcmp(k, KEY_DHCP) == 0 ? &m->dhcp : &m->full) = v[0] == '1';
        return 0;
    }
    enum brig_param_id id;
    if (!brig_param_find(k, &id))
        return brig_err_set(err, BRIG_EUSAGE, "line %d: unknown key '%.64s'", kv->line, k);
    /* where a jail lives is the importing workdir's to say */
    if (id == BRIG_P_PATH || id == BRIG_P_DATA)
        return brig_err_set(err, BRIG_EUSAGE, "line %d: %s is not part of an archive", kv->line, k);
    if (brig_kvlist_get(&m->params, k))
        return brig_err_set(err, BRIG_EUSAGE, "line %d: %s given twice", kv->line, k);
    if (brig_param_check(id, v, err) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "line %d: %s: bad value", kv->line, k);
    brig_kvlist_add(&m->params, k, v, kv->line);
    return 0;
}

int brig_manifest_parse(const char *text, size_t len, struct brig_manifest *ret,
                        struct brig_err *err)
{
    struct brig_manifest m = {0};
    struct brig_kvlist kv = {0};
    bool seen_format = false;
    if (len > BRIG_MANIFEST_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "manifest is larger than %d bytes",
                            BRIG_MANIFEST_MAX);
    if (memchr(text, '\0', len))
        return brig_err_set(err, BRIG_EUSAGE, "manifest holds a NUL byte");
    if (brig_jconf_parse(text, len, &kv, err) < 0) {
        err->code = BRIG_EUSAGE;
        return brig_err_wrap(err, "manifest");
    }
    for (size_t i = 0; i < kv.n; i++) {
        if (manifest_key(&m, &kv.items[i], &seen_format, err) < 0)
            goto fail;
    }
    if (!seen_format) {
        brig_err_set(err, BRIG_EUSAGE, "no %s: not a brig jail archive", KEY_FORMAT);
        goto fail;
    }
    if (!brig_kvlist_get(&m.params, "jname") || !brig_kvlist_get(&m.params, "base")) {
        brig_err_set(err, BRIG_EUSAGE, "the jail's jname and base are missing");
        goto fail;
    }
    if (m.full && (!m.base_checksum || !*m.base_checksum)) {
        brig_err_set(err, BRIG_EUSAGE, "a full archive without its base's checksum");
        goto fail;
    }
    if (!m.brig_version)
        m.brig_version = brig_xstrdup("");
    if (!m.base_version)
        m.base_version = brig_xstrdup("");
    if (!m.base_checksum)
        m.base_checksum = brig_xstrdup("");
    brig_kvlist_free(&kv);
    *ret = m;
    return 0;
fail:
    if (err && !brig_startswith(err->msg, "manifest"))
        brig_err_wrap(err, "manifest");
    brig_kvlist_free(&kv);
    brig_manifest_clear(&m);
    return -1;
}
