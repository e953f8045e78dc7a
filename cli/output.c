/* Aligned tables and JSON for the listing verbs. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

void cli_table_init(struct cli_table *t, size_t ncols, const char **head, bool *numeric)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->head = head;
    t->numeric = numeric;
}

void cli_table_add(struct cli_table *t, const char *const *row)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->cells = brig_xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
    }
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = brig_xstrdup(row[i] ? row[i] : "");
    t->nrows++;
}

/* s with backslash escapes: JSON's (quotes too), or text's (control bytes as \xHH). */
static void put_escaped(FILE *out, const char *s, bool json)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs(json ? "\\\"" : "\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20 || (!json && *p == 0x7f))
                fprintf(out, json ? "\\u%04x" : "\\x%02x", *p);
            else
                fputc(*p, out);
        }
    }
}

void cli_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    put_escaped(out, s, true);
    fputc('"', out);
}

void cli_text_value(FILE *out, const char *s)
{
    put_escaped(out, s, false);
}

/* A table cell shown on one line: control characters become '?'. */
static void put_cell(FILE *out, const char *s, size_t width, bool last)
{
    size_t n = 0;
    for (; *s; s++, n++)
        fputc((unsigned char)*s < 0x20 ? '?' : *s, out);
    if (!last)
        for (; n < width + 2; n++)
            fputc(' ', out);
}

/* v unquoted when it is an integer, else as a string. */
static void json_number(FILE *out, const char *v)
{
    const char *d = v + (*v == '-');
    if (*d && strspn(d, "0123456789") == strlen(d))
        fputs(v, out);
    else
        cli_json_string(out, v);
}

/* 0 and 1 as false and true, anything else as a string. */
static void json_boolean(FILE *out, const char *v)
{
    if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
        fputs(v[0] == '1' ? "true" : "false", out);
    else
        cli_json_string(out, v);
}

bool cli_param_is_number(enum brig_param_id id)
{
    return brig_params[id].type == BRIG_T_UINT;
}

bool cli_param_is_boolean(enum brig_param_id id)
{
    return brig_params[id].type == BRIG_T_BOOL;
}

void cli_json_param(FILE *out, enum brig_param_id id, const char *v)
{
    if (cli_param_is_boolean(id))
        json_boolean(out, v);
    else if (cli_param_is_number(id))
        json_number(out, v);
    else
        cli_json_string(out, v);
}

void cli_table_print(const struct cli_table *t, FILE *out, bool json, bool header)
{
    if (json) {
        fputc('[', out);
        for (size_t r = 0; r < t->nrows; r++) {
            fputs(r ? ",\n {" : "\n {", out);
            for (size_t c = 0; c < t->ncols; c++) {
                const char *v = t->cells[r * t->ncols + c];
                if (c)
                    fputs(", ", out);
                cli_json_string(out, t->head[c]);
                fputs(": ", out);
                if (t->boolean && t->boolean[c])
                    json_boolean(out, v);
                else if (t->numeric && t->numeric[c])
                    json_number(out, v);
                else
                    cli_json_string(out, v);
            }
            fputc('}', out);
        }
        fputs(t->nrows ? "\n]\n" : "]\n", out);
        return;
    }
    _cleanup_free_ size_t *w = brig_xcalloc(t->ncols, sizeof(size_t));
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = header ? strlen(t->head[c]) : 0;
        for (size_t r = 0; r < t->nrows; r++) {
            size_t n = strlen(t->cells[r * t->ncols + c]);
            if (n > w[c])
                w[c] = n;
        }
    }
    if (header) {
        for (size_t c = 0; c < t->ncols; c++) {
            _cleanup_free_ char *up = brig_xstrdup(t->head[c]);
            for (char *p = up; *p; p++)
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            put_cell(out, up, w[c], c + 1 == t->ncols);
        }
        fputc('\n', out);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            put_cell(out, t->cells[r * t->ncols + c], w[c], c + 1 == t->ncols);
        fputc('\n', out);
    }
}

void cli_table_free(struct cli_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

void cli_print_would_create(const struct brig_jail *j)
{
    struct brig_buf b = {0};
    printf("# %s would be created as:\n", j->v[BRIG_P_JNAME]);
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (j->v[i])
            brig_jconf_format_line(&b, brig_params[i].name, j->v[i]);
    }
    fputs(b.s ? b.s : "", stdout);
    brig_buf_free(&b);
}
