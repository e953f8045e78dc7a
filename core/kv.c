#define _GNU_SOURCE
#include "kv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define JCONF_MAX_LINE 65536

void brig_kvlist_add(struct brig_kvlist *l, const char *key, const char *value, int line)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = brig_xrealloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->n++] = (struct brig_kv){brig_xstrdup(key), brig_xstrdup(value), line};
}

const char *brig_kvlist_get(const struct brig_kvlist *l, const char *key)
{
    for (size_t i = l->n; i > 0; i--) {
        if (strcmp(l->items[i - 1].key, key) == 0)
            return l->items[i - 1].value;
    }
    return NULL;
}

size_t brig_kvlist_del(struct brig_kvlist *l, const char *key)
{
    size_t out = 0, removed = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            free(l->items[i].key);
            free(l->items[i].value);
            removed++;
            continue;
        }
        l->items[out++] = l->items[i];
    }
    l->n = out;
    return removed;
}

void brig_kvlist_free(struct brig_kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static bool key_valid(const char *s, size_t n)
{
    if (n == 0 || n > 64 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.')
            return false;
    }
    return true;
}

int brig_kv_parse_arg(const char *word, struct brig_kv *ret, struct brig_err *err)
{
    const char *eq = strchr(word, '=');
    if (!eq)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not key=value", word);
    if (!key_valid(word, (size_t)(eq - word)))
        return brig_err_set(err, BRIG_EUSAGE, "bad key in '%.80s'", word);
    ret->key = brig_xstrndup(word, (size_t)(eq - word));
    ret->value = brig_xstrdup(eq + 1);
    ret->line = 0;
    return 0;
}

/* Parse one value starting at *p (quoted or bare) into out; advances *p. */
static int parse_value(const char **p, const char *end, struct brig_buf *out, int line,
                       struct brig_err *err)
{
    const char *s = *p;
    brig_buf_add(out, "");
    if (s < end && *s == '"') {
        for (s++;; s++) {
            if (s >= end || *s == '\n')
                return brig_err_set(err, BRIG_EUSAGE, "line %d: unterminated '\"'", line);
            if (*s == '"')
                break;
            if (*s == '\\') {
                if (++s >= end)
                    return brig_err_set(err, BRIG_EUSAGE, "line %d: trailing '\\'", line);
                switch (*s) {
                case 'n':
                    brig_buf_addc(out, '\n');
                    break;
                case 't':
                    brig_buf_addc(out, '\t');
                    break;
                case '\\':
                case '"':
                case '$':
                case '\'':
                case '`':
                    brig_buf_addc(out, *s);
                    break;
                default:
                    return brig_err_set(err, BRIG_EUSAGE, "line %d: unknown escape '\\%c'", line,
                                        isprint((unsigned char)*s) ? *s : '?');
                }
                continue;
            }
            if (*s == '\0')
                return brig_err_set(err, BRIG_EUSAGE, "line %d: NUL byte in value", line);
            brig_buf_addc(out, *s);
        }
        *p = s + 1;
        return 0;
    }
    if (s < end && *s == '\'') {
        for (s++;; s++) {
            if (s >= end || *s == '\n')
                return brig_err_set(err, BRIG_EUSAGE, "line %d: unterminated \"'\"", line);
            if (*s == '\'')
                break;
            if (*s == '\0')
                return brig_err_set(err, BRIG_EUSAGE, "line %d: NUL byte in value", line);
            brig_buf_addc(out, *s);
        }
        *p = s + 1;
        return 0;
    }
    while (s < end && *s != ';' && *s != '#' && *s != '\n' && !isspace((unsigned char)*s)) {
        if (*s == '"' || *s == '\'' || *s == '\\' || *s == '\0')
            return brig_err_set(err, BRIG_EUSAGE, "line %d: quote the value", line);
        brig_buf_addc(out, *s++);
    }
    *p = s;
    return 0;
}

static const char *skip_blank(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    return s;
}

int brig_jconf_parse(const char *text, size_t len, struct brig_kvlist *ret, struct brig_err *err)
{
    struct brig_kvlist l = {0};
    const char *s = text, *end = text + len;
    int line = 1;

    while (s < end) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol)
            eol = end;
        if (eol - s > JCONF_MAX_LINE) {
            brig_kvlist_free(&l);
            return brig_err_set(err, BRIG_EUSAGE, "line %d: longer than %d bytes", line,
                                JCONF_MAX_LINE);
        }
        s = skip_blank(s, eol);
        if (s == eol || *s == '#') {
            s = eol + 1;
            line++;
            continue;
        }
        const char *k = s;
        while (s < eol && *s != '=' && !isspace((unsigned char)*s))
            s++;
        if (!key_valid(k, (size_t)(s - k))) {
            brig_kvlist_free(&l);
            return brig_err_set(err, BRIG_EUSAGE,
                                "line %d: bad key (letters, digits and '_', not first a digit)",
                                line);
        }
        _cleanup_free_ char *key = brig_xstrndup(k, (size_t)(s - k));
        s = skip_blank(s, eol);
        if (s >= eol || *s != '=') {
            brig_kvlist_free(&l);
            return brig_err_set(err, BRIG_EUSAGE, "line %d: missing '=' after the key", line);
        }
        s = skip_blank(s + 1, eol);
        struct brig_buf v = {0};
        if (parse_value(&s, eol, &v, line, err) < 0) {
            brig_buf_free(&v);
            brig_kvlist_free(&l);
            return -1;
        }
        s = skip_blank(s, eol);
        if (s < eol && *s == ';')
            s = skip_blank(s + 1, eol);
        if (s < eol && *s != '#') {
            brig_buf_free(&v);
            brig_kvlist_free(&l);
            return brig_err_set(err, BRIG_EUSAGE, "line %d: unexpected text after the value", line);
        }
        brig_kvlist_add(&l, key, v.s ? v.s : "", line);
        brig_buf_free(&v);
        s = eol + 1;
        line++;
    }
    *ret = l;
    return 0;
}

void brig_jconf_format_line(struct brig_buf *buf, const char *key, const char *value)
{
    brig_buf_add(buf, key);
    brig_buf_add(buf, "=\"");
    for (const char *p = value; *p; p++) {
        switch (*p) {
        case '\n':
            brig_buf_add(buf, "\\n");
            break;
        case '\t':
            brig_buf_add(buf, "\\t");
            break;
        case '\\':
        case '"':
        case '$':
        case '`':
            brig_buf_addc(buf, '\\');
            brig_buf_addc(buf, *p);
            break;
        default:
            brig_buf_addc(buf, *p);
        }
    }
    brig_buf_add(buf, "\";\n");
}

int brig_words_split(const char *s, char ***ret, struct brig_err *err)
{
    char **v = NULL;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        struct brig_buf w = {0};
        brig_buf_add(&w, "");
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end)
                    goto unterminated;
                brig_buf_addn(&w, p + 1, (size_t)(end - p - 1));
                p = end + 1;
            } else if (*p == '"') {
                for (p++; *p != '"'; p++) {
                    if (!*p)
                        goto unterminated;
                    if (*p == '\\' && p[1] && strchr("\\\"$`", p[1]))
                        p++;
                    brig_buf_addc(&w, *p);
                }
                p++;
            } else if (*p == '\\' && p[1]) {
                brig_buf_addc(&w, p[1]);
                p += 2;
            } else {
                brig_buf_addc(&w, *p++);
            }
            continue;
        unterminated:
            brig_buf_free(&w);
            brig_strv_free(v);
            return brig_err_set(err, BRIG_EUSAGE, "an unterminated quote in '%.80s'", s);
        }
        char *word = brig_buf_steal(&w);
        brig_strv_push(&v, word);
        free(word);
    }
    *ret = v ? v : brig_xcalloc(1, sizeof(*v));
    return 0;
}
