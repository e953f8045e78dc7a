/* key=value lists: from the command line (argv words) and from CBSD-style
 * jconf text (`key="value";` lines). Parsers have no side effects. */
#ifndef BRIG_KV_H
#define BRIG_KV_H

#include <stddef.h>

#include "err.h"

struct brig_kv {
    char *key;
    char *value;
    int line; /* jconf line number, 0 for argv */
};

struct brig_kvlist {
    struct brig_kv *items;
    size_t n, cap;
};

void brig_kvlist_add(struct brig_kvlist *l, const char *key, const char *value, int line);
/* The value of the last item named key, or NULL. */
const char *brig_kvlist_get(const struct brig_kvlist *l, const char *key);
/* Remove every item named key; returns how many were removed. */
size_t brig_kvlist_del(struct brig_kvlist *l, const char *key);
void brig_kvlist_free(struct brig_kvlist *l);

/* Split one argv word "key=value"; BRIG_EUSAGE when it is not of that form. */
int brig_kv_parse_arg(const char *word, struct brig_kv *ret, struct brig_err *err);

/* Parse jconf text: `key="value";` or `key=value` lines, '#' comments, blank
 * lines. Double-quoted values take \\ \" \$ \n \t escapes; single-quoted
 * values are literal. Errors name the line: "line 3: missing '='". */
int brig_jconf_parse(const char *text, size_t len, struct brig_kvlist *ret, struct brig_err *err);

/* Split s into words as /bin/sh would without expanding anything: blanks
 * separate words, '...' is literal, "..." takes \\ \" \$ \` escapes, and a
 * backslash outside quotes takes the next character literally. BRIG_EUSAGE
 * on an unterminated quote. (exec_env's form: brig_shell_quote's words.) */
int brig_words_split(const char *s, char ***ret, struct brig_err *err);

/* Append `key="value";\n` to buf, escaping so brig_jconf_parse reads back value. */
struct brig_buf;
void brig_jconf_format_line(struct brig_buf *buf, const char *key, const char *value);

#endif
