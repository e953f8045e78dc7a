/* CBSD's jail images: the section layout and the key="value" sections (see cbsdimg.h). */
#define _GNU_SOURCE
#include "cbsdimg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "util.h"

#define START     "___NCSTART_"
#define STOP      "___NCSTOP_"
#define NAME_MAX_ 16
#define KEY_MAX   64
#define VALUE_MAX 4096

static const char *const part_names[BRIG_CBSDIMG__COUNT] = {
    [BRIG_CBSDIMG_HEADER] = "HEADER",
    [BRIG_CBSDIMG_RCCONF] = "RCCONF",
    [BRIG_CBSDIMG_FSTAB] = "FSTAB",
    [BRIG_CBSDIMG_PKGINFO] = "PKGINFO",
    [BRIG_CBSDIMG_DESCR] = "DESCR",
    [BRIG_CBSDIMG_INFO] = "INFO",
    [BRIG_CBSDIMG_LOCALFSTAB] = "LOCALFSTAB",
    [BRIG_CBSDIMG_SYSDATA] = "SYSDATA",
    [BRIG_CBSDIMG_DATA] = "DATA",
};

const char *brig_cbsdimg_part_name(enum brig_cbsdimg_part p)
{
    return p < BRIG_CBSDIMG__COUNT ? part_names[p] : "?";
}

void brig_cbsdimg_clear(struct brig_cbsdimg *img)
{
    brig_kvlist_free(&img->header);
    brig_kvlist_free(&img->rcconf);
    memset(img, 0, sizeof(*img));
}

static bool key_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/* A character a value may hold: printable, and nothing a shell would expand
 * or that would end the value (quoted: only the quote itself ends it). */
static bool value_char(char c, char quote)
{
    if ((unsigned char)c < 0x20 || c == 0x7f || c == '$' || c == '`' || c == '\\')
        return false;
    if (quote)
        return c != quote;
    return !strchr(" \t\"';&|()<>#", c);
}

/* One line "key=value", "key=\"value\"" or "key='value'", a comment after it
 * allowed, into out. */
static int parse_assignment(const char *line, size_t n, struct brig_kvlist *out,
                            struct brig_err *err)
{
    size_t i = 0, k;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == n || line[i] == '#')
        return 0;
    for (k = i; k < n && key_char(line[k], k == i); k++)
        ;
    if (k == i || k - i > KEY_MAX || k == n || line[k] != '=')
        return brig_err_set(err, BRIG_EUSAGE, "not a key=value line");
    _cleanup_free_ char *key = brig_xstrndup(line + i, k - i);
    i = k + 1;
    char quote = i < n && (line[i] == '"' || line[i] == '\'') ? line[i] : 0;
    if (quote)
        i++;
    size_t v = i;
    while (i < n && value_char(line[i], quote))
        i++;
    size_t vlen = i - v;
    if (quote) {
        if (i == n || line[i] != quote)
            return brig_err_set(err, BRIG_EUSAGE,
                                "%s: a control character, '$', '`', '\\' or "
                                "no closing quote in its value",
                                key);
        i++;
    }
    if (vlen > VALUE_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s: value longer than %d bytes", key, VALUE_MAX);
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < n && line[i] != '#')
        return brig_err_set(err, BRIG_EUSAGE, "%s: more than a plain value", key);
    if (brig_kvlist_get(out, key))
        return brig_err_set(err, BRIG_EUSAGE, "%s given twice", key);
    _cleanup_free_ char *value = brig_xstrndup(line + v, vlen);
    brig_kvlist_add(out, key, value, 0);
    return 0;
}

/* A key="value" section's lines into out. */
static int parse_assignments(const char *s, size_t n, enum brig_cbsdimg_part part,
                             struct brig_kvlist *out, struct brig_err *err)
{
    if (n > BRIG_CBSDIMG_TEXT_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s is larger than %d bytes", part_names[part],
                            BRIG_CBSDIMG_TEXT_MAX);
    if (memchr(s, '\0', n))
        return brig_err_set(err, BRIG_EUSAGE, "%s holds a NUL byte", part_names[part]);
    unsigned lineno = 0;
    for (size_t p = 0; p < n;) {
        const char *nl = memchr(s + p, '\n', n - p);
        size_t len = nl ? (size_t)(nl - (s + p)) : n - p;
        lineno++;
        if (parse_assignment(s + p, len, out, err) < 0)
            return brig_err_wrap(err, "%s line %u", part_names[part], lineno);
        p += len + (nl ? 1 : 0);
    }
    return 0;
}

/* The section that starts at buf[p] (its start line) into img; *ret_next: after its stop line. */
static int parse_section(const char *buf, size_t len, size_t p, bool first,
                         struct brig_cbsdimg *img, size_t *ret_next, struct brig_err *err)
{
    size_t rest = len - p;
    const char *line = buf + p;
    if (rest < strlen(START) || memcmp(line, START, strlen(START)) != 0)
        return brig_err_set(err, BRIG_EUSAGE, "byte %zu: not a section's start line", p);
    const char *name = line + strlen(START);
    size_t room = rest - strlen(START);
    const char *eq = memchr(name, '=', room < NAME_MAX_ + 1 ? room : NAME_MAX_ + 1);
    if (!eq || (size_t)(eq - line) + 3 > rest || eq[1] != '1' || eq[2] != '\n')
        return brig_err_set(err, BRIG_EUSAGE, "byte %zu: not a section's start line", p);
    size_t nlen = (size_t)(eq - name);
    enum brig_cbsdimg_part part = BRIG_CBSDIMG__COUNT;
    for (int i = 0; i < BRIG_CBSDIMG__COUNT; i++)
        if (strlen(part_names[i]) == nlen && memcmp(part_names[i], name, nlen) == 0)
            part = (enum brig_cbsdimg_part)i;
    if (part == BRIG_CBSDIMG__COUNT) {
        for (size_t i = 0; i < nlen; i++)
            if (!key_char(name[i], false))
                return brig_err_set(err, BRIG_EUSAGE, "byte %zu: not a section's start line", p);
        return brig_err_set(err, BRIG_EUSAGE, "section %.*s is not one brig reads%s", (int)nlen,
                            name, nlen > 5 && memcmp(name, "ZVOL_", 5) == 0 ? " (a zvol)" : "");
    }
    if (first && part != BRIG_CBSDIMG_HEADER)
        return brig_err_set(err, BRIG_EUSAGE, "not a CBSD image: no HEADER section first");
    if (img->part[part].present)
        return brig_err_set(err, BRIG_EUSAGE, "section %s given twice", part_names[part]);
    size_t start = (size_t)(eq + 3 - buf);
    char stop[sizeof(STOP) + NAME_MAX_ + 4];
    int slen = snprintf(stop, sizeof(stop), "\n%s%s=1", STOP, part_names[part]);
    /* an empty section's stop line follows its start line's newline */
    const char *end = memmem(buf + start - 1, len - (start - 1), stop, (size_t)slen);
    if (!end)
        return brig_err_set(err, BRIG_EUSAGE, "section %s has no end (a truncated image)",
                            part_names[part]);
    size_t stop_at = (size_t)(end - buf);
    size_t next = stop_at + (size_t)slen;
    if (next < len && buf[next] != '\n')
        return brig_err_set(err, BRIG_EUSAGE, "section %s: bytes after its end line",
                            part_names[part]);
    img->part[part] = (struct brig_cbsdimg_section){
        .present = true, .off = start, .len = stop_at >= start ? stop_at - start : 0};
    *ret_next = next < len ? next + 1 : next;
    return 0;
}

int brig_cbsdimg_parse(const char *buf, size_t len, struct brig_cbsdimg *ret, struct brig_err *err)
{
    struct brig_cbsdimg img = {0};
    size_t p = 0;
    bool first = true;
    while (p < len) {
        if (!first && buf[p] == '\n') {
            p++;
            continue;
        }
        if (parse_section(buf, len, p, first, &img, &p, err) < 0)
            goto fail;
        first = false;
    }
    if (first) {
        brig_err_set(err, BRIG_EUSAGE, "not a CBSD image: no HEADER section first");
        goto fail;
    }
    const struct brig_cbsdimg_section *h = &img.part[BRIG_CBSDIMG_HEADER];
    const struct brig_cbsdimg_section *rc = &img.part[BRIG_CBSDIMG_RCCONF];
    if (parse_assignments(buf + h->off, h->len, BRIG_CBSDIMG_HEADER, &img.header, err) < 0 ||
        (rc->present &&
         parse_assignments(buf + rc->off, rc->len, BRIG_CBSDIMG_RCCONF, &img.rcconf, err) < 0))
        goto fail;
    const char *jname = brig_kvlist_get(&img.header, "jname");
    const char *compress = brig_kvlist_get(&img.header, "compress");
    if (!jname || brig_check_name("jname", jname, err) < 0) {
        if (!jname)
            brig_err_set(err, BRIG_EUSAGE, "no jname");
        brig_err_wrap(err, "HEADER");
        goto fail;
    }
    if (!compress || !*compress || strspn(compress, "0123456789") != strlen(compress) ||
        strlen(compress) > 2) {
        brig_err_set(err, BRIG_EUSAGE, "HEADER: compress is not a number");
        goto fail;
    }
    img.compressed = strspn(compress, "0") != strlen(compress);
    if (!rc->present || !img.part[BRIG_CBSDIMG_DATA].present) {
        brig_err_set(err, BRIG_EUSAGE, "no %s section", rc->present ? "DATA" : "RCCONF");
        goto fail;
    }
    *ret = img;
    return 0;
fail:
    if (err && !brig_startswith(err->msg, "CBSD image"))
        brig_err_wrap(err, "CBSD image");
    brig_cbsdimg_clear(&img);
    return -1;
}
