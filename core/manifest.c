/* Manifest of a jail archive: rendering and a strict parser. */
#define _GNU_SOURCE
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fstab.h"
#include "params.h"
#include "util.h"

#define KEY_FORMAT        "brig_archive_format"
#define KEY_VERSION       "brig_version"
#define KEY_BASE_VERSION  "export_base_version"
#define KEY_BASE_CHECKSUM "export_base_checksum"
#define KEY_DHCP          "export_dhcp"
#define KEY_FULL          "export_full"
#define KEY_NIC           "export_nic"
#define KEY_FSTAB         "export_fstab"
#define KEY_EXPOSE        "export_expose"
/* A jail's NICs are eth0..eth99 (jnic). */
#define NIC_IDX_MAX 99

void brig_manifest_clear(struct brig_manifest *m)
{
    free(m->brig_version);
    free(m->base_version);
    free(m->base_checksum);
    brig_kvlist_free(&m->params);
    for (size_t i = 0; i < m->nnics; i++)
        brig_nic_clear(&m->nics[i]);
    free(m->nics);
    for (size_t i = 0; i < m->nfstab; i++)
        brig_fstab_clear(&m->fstab[i]);
    free(m->fstab);
    brig_exposes_free(m->exposes, m->nexposes);
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
    if (m->nnics || m->nfstab || m->nexposes)
        brig_buf_add(&b, "# its NICs beyond eth0, host directories and port forwards\n");
    for (size_t i = 0; i < m->nnics; i++) {
        const struct brig_nic *n = &m->nics[i];
        _cleanup_free_ char *v =
            brig_xasprintf("%d %s %s %u %s %s %d", n->idx, n->parent, n->hwaddr, n->mtu, n->addrs,
                           n->gw4, n->no_filter ? 0 : 1);
        brig_jconf_format_line(&b, KEY_NIC, v);
    }
    for (size_t i = 0; i < m->nfstab; i++) {
        const struct brig_fstab *f = &m->fstab[i];
        _cleanup_free_ char *v = brig_xasprintf("%s %s %s %s", f->src, f->dst, f->type, f->options);
        brig_jconf_format_line(&b, KEY_FSTAB, v);
    }
    for (size_t i = 0; i < m->nexposes; i++) {
        const struct brig_expose *e = &m->exposes[i];
        _cleanup_free_ char *v =
            brig_xasprintf("%s %u %u %s", e->proto, e->in, e->out, *e->addr ? e->addr : "0");
        brig_jconf_format_line(&b, KEY_EXPOSE, v);
    }
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

/* Split s at single spaces into exactly n fields (in *copy, which the caller frees). */
static bool split_fields(const char *s, char **copy, char **f, size_t n)
{
    *copy = brig_xstrdup(s);
    char *p = *copy;
    for (size_t i = 0; i < n; i++) {
        f[i] = p;
        p = strchr(p, ' ');
        if (i + 1 < n) {
            if (!p)
                return false;
            *p++ = '\0';
        }
        if (!*f[i])
            return false;
    }
    return p == NULL;
}

/* "IDX PARENT HWADDR MTU ADDRS GW4 FILTER": a NIC beyond eth0, checked as jnic checks it. */
static int parse_nic(struct brig_manifest *m, const char *v, struct brig_err *err)
{
    _cleanup_free_ char *copy = NULL;
    char *f[7];
    int64_t idx, mtu;
    struct brig_addr gw;
    if (!split_fields(v, &copy, f, 7))
        return brig_err_set(err, BRIG_EUSAGE, "want \"idx parent hwaddr mtu addrs gw4 filter\"");
    if (brig_parse_uint(f[0], 1, NIC_IDX_MAX, &idx, err) < 0)
        return brig_err_wrap(err, "nic");
    for (size_t i = 0; i < m->nnics; i++)
        if (m->nics[i].idx == (int)idx)
            return brig_err_set(err, BRIG_EUSAGE, "eth%d given twice", (int)idx);
    if (strcmp(f[1], "auto") != 0 && brig_check_ifname(f[1], err) < 0)
        return brig_err_wrap(err, "eth%d: parent", (int)idx);
    if (strcmp(f[2], "0") != 0 && brig_check_mac(f[2], err) < 0)
        return brig_err_wrap(err, "eth%d: hwaddr", (int)idx);
    if (strcmp(f[3], "0") == 0)
        mtu = 0;
    else if (brig_parse_uint(f[3], 68, 65535, &mtu, err) < 0)
        return brig_err_wrap(err, "eth%d: mtu", (int)idx);
    if (strchr(f[4], '|') || brig_param_check(BRIG_P_IP4_ADDR, f[4], err) < 0 ||
        brig_check_nic_addrs(f[4], err) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "eth%d: bad addresses", (int)idx);
    if (strcmp(f[5], "auto") != 0 && strcmp(f[5], "0") != 0 &&
        (strchr(f[5], '/') || brig_addr_parse_host(f[5], &gw, NULL) < 0))
        return brig_err_set(err, BRIG_EUSAGE, "eth%d: gw4 is not auto, 0 or an address", (int)idx);
    if (strcmp(f[6], "0") != 0 && strcmp(f[6], "1") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "eth%d: filter is not 0 or 1", (int)idx);
    m->nics = brig_xrealloc(m->nics, (m->nnics + 1) * sizeof(*m->nics));
    m->nics[m->nnics++] = (struct brig_nic){
        .idx = (int)idx,
        .parent = brig_xstrdup(f[1]),
        .hwaddr = brig_xstrdup(f[2]),
        .mtu = (unsigned)mtu,
        .addrs = brig_xstrdup(f[4]),
        .gw4 = brig_xstrdup(f[5]),
        .no_filter = f[6][0] == '0',
    };
    return 0;
}

/* "SRC DST nullfs rw|ro": a host directory, as a line of CBSD's fstab; its
 * host side is checked at import, where the host is. */
static int parse_fstab(struct brig_manifest *m, const char *v, struct brig_err *err)
{
    _cleanup_free_ char *copy = NULL;
    char *f[4];
    struct brig_fstab e;
    bool blank;
    if (!split_fields(v, &copy, f, 4) || strchr(v, '#'))
        return brig_err_set(err, BRIG_EUSAGE, "want \"src dst nullfs rw|ro\"");
    if (f[0][0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "src=%.100s: an absolute host path is needed", f[0]);
    if (strcmp(f[3], "rw") != 0 && strcmp(f[3], "ro") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "options %.20s: rw or ro", f[3]);
    if (brig_fstab_parse_line(v, &e, &blank, err) < 0)
        return -1;
    for (size_t i = 0; i < m->nfstab; i++) {
        if (strcmp(m->fstab[i].dst, e.dst) == 0) {
            brig_err_set(err, BRIG_EUSAGE, "dst=%.100s given twice", e.dst);
            brig_fstab_clear(&e);
            return -1;
        }
    }
    m->fstab = brig_xrealloc(m->fstab, (m->nfstab + 1) * sizeof(*m->fstab));
    m->fstab[m->nfstab++] = e;
    return 0;
}

/* "PROTO IN OUT ADDR": a port forward (ADDR 0: every address of the host). */
static int parse_expose(struct brig_manifest *m, const char *v, struct brig_err *err)
{
    _cleanup_free_ char *copy = NULL;
    char *f[4];
    int64_t in, out;
    struct brig_expose e = {0};
    if (!split_fields(v, &copy, f, 4))
        return brig_err_set(err, BRIG_EUSAGE, "want \"proto in out addr\"");
    if (strcmp(f[0], "tcp") != 0 && strcmp(f[0], "udp") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "proto: '%.20s' is not tcp or udp", f[0]);
    if (brig_parse_uint(f[1], 1, 65535, &in, err) < 0)
        return brig_err_wrap(err, "in");
    if (brig_parse_uint(f[2], 1, 65535, &out, err) < 0)
        return brig_err_wrap(err, "out");
    snprintf(e.proto, sizeof(e.proto), "%s", f[0]);
    e.in = (unsigned)in;
    e.out = (unsigned)out;
    if (strcmp(f[3], "0") != 0) {
        struct brig_addr a;
        if (strchr(f[3], '/') || brig_addr_parse_host(f[3], &a, NULL) < 0 || a.family != AF_INET)
            return brig_err_set(err, BRIG_EUSAGE, "addr: '%.60s' is not an IPv4 address", f[3]);
        brig_addr_format(&a, false, e.addr);
    }
    for (size_t i = 0; i < m->nexposes; i++) {
        const struct brig_expose *o = &m->exposes[i];
        if (strcmp(o->proto, e.proto) == 0 && o->in == e.in &&
            (!*o->addr || !*e.addr || strcmp(o->addr, e.addr) == 0))
            return brig_err_set(err, BRIG_EUSAGE, "%s port %u given twice", e.proto, e.in);
    }
    m->exposes = brig_xrealloc(m->exposes, (m->nexposes + 1) * sizeof(*m->exposes));
    m->exposes[m->nexposes++] = e;
    return 0;
}

/* One key of the manifest into m. */
static int manifest_key(struct brig_manifest *m, const struct brig_kv *kv, bool *seen_format,
                        struct brig_err *err)
{
    const char *k = kv->key, *v = kv->value;
    if (strcmp(k, KEY_FORMAT) == 0) {
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0) {
            if (strspn(v, "0123456789") == strlen(v) && *v && strlen(v) < 6)
                return brig_err_set(err, BRIG_EUSAGE,
                                    "archive format %s is not one this brig reads (%d)", v,
                                    BRIG_MANIFEST_FORMAT);
            return brig_err_set(err, BRIG_EUSAGE, "line %d: bad archive format", kv->line);
        }
        m->format = (unsigned)(v[0] - '0');
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
    if (strcmp(k, KEY_NIC) == 0 || strcmp(k, KEY_FSTAB) == 0 || strcmp(k, KEY_EXPOSE) == 0) {
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                return brig_err_set(err, BRIG_EUSAGE, "line %d: %s: a control character", kv->line,
                                    k);
        int r = strcmp(k, KEY_NIC) == 0     ? parse_nic(m, v, err)
                : strcmp(k, KEY_FSTAB) == 0 ? parse_fstab(m, v, err)
                                            : parse_expose(m, v, err);
        if (r < 0) {
            if (err)
                err->code = BRIG_EUSAGE;
            return brig_err_wrap(err, "line %d: %s", kv->line, k);
        }
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
    if (!brig_kvlist_get(&m.params, "jname") ||
        (!brig_kvlist_get(&m.params, "base") &&
         !brig_emulator_is_vm(brig_kvlist_get(&m.params, "emulator")))) {
        brig_err_set(err, BRIG_EUSAGE, "the jail's jname and base are missing");
        goto fail;
    }
    if (m.format < 2 && (m.nnics || m.nfstab || m.nexposes)) {
        brig_err_set(err, BRIG_EUSAGE, "archive format 1 has no %s, %s or %s rows", KEY_NIC,
                     KEY_FSTAB, KEY_EXPOSE);
        goto fail;
    }
    if (m.nnics && !brig_streq(brig_kvlist_get(&m.params, "vnet"), "1")) {
        brig_err_set(err, BRIG_EUSAGE, "NICs beyond eth0 need vnet=1");
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
