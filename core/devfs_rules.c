#define _GNU_SOURCE
#include "devfs_rules.h"
#include "devfs_rules_int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "util.h"

/* Keywords of devfs(8)'s rule specification: conditions, then actions. */
static const char *const action_words[] = {"hide", "unhide", "user", "group", "mode", "include"};
static const unsigned action_bits[] = {BRIG_DEVFS_A_HIDE, BRIG_DEVFS_A_UNHIDE,
                                       BRIG_DEVFS_A_USER, BRIG_DEVFS_A_GROUP,
                                       BRIG_DEVFS_A_MODE, BRIG_DEVFS_A_INCLUDE};
static const char *const all_words[] = {"path", "type",  "hide", "unhide",
                                        "user", "group", "mode", "include"};
const struct brig_devfs_typename brig_devfs_types[BRIG_DEVFS_NTYPES] = {
    {"disk", BRIG_DEVFS_T_DISK},
    {"mem", BRIG_DEVFS_T_MEM},
    {"tape", BRIG_DEVFS_T_TAPE},
    {"tty", BRIG_DEVFS_T_TTY},
};

#define TOKENS_MAX 64

struct token {
    char *s;
    bool dollar; /* began with an unquoted '$' (a ruleset reference) */
};

struct parser {
    const char *fname;
    unsigned line;
    struct brig_err *err;
    struct brig_devfs_rules *rules;
    size_t n_rules_total;
};

BRIG_PRINTF(2, 3)
static int perr(struct parser *p, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return brig_err_set(p->err, BRIG_EUSAGE, "%s:%u: %s", p->fname, p->line, msg);
}

static void tokens_free(struct token *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].s);
}

/* Split a line into words with sh(1)'s quoting: '...' literal, "..." and
 * backslash escapes; rc(8) evaluates these lines with the shell. */
static int tokenize(struct parser *p, const char *s, struct token *toks, size_t *ret_n)
{
    size_t n = 0;
    *ret_n = 0;
    while (*s) {
        if (*s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        if (n == TOKENS_MAX)
            return perr(p, "too many words (at most %d)", TOKENS_MAX);
        struct brig_buf b = {0};
        bool dollar = *s == '$';
        if (dollar)
            s++;
        while (*s && *s != ' ' && *s != '\t') {
            char c = *s++;
            if (c == '\'') {
                const char *end = strchr(s, '\'');
                if (!end) {
                    brig_buf_free(&b);
                    return perr(p, "unterminated quote");
                }
                brig_buf_addn(&b, s, (size_t)(end - s));
                s = end + 1;
            } else if (c == '"') {
                while (*s && *s != '"') {
                    if (*s == '\\' && s[1] && strchr("\\\"$`", s[1]))
                        s++;
                    else if (*s == '$' || *s == '`')
                        break;
                    brig_buf_addc(&b, *s++);
                }
                if (*s != '"') {
                    brig_buf_free(&b);
                    return *s ? perr(p, "shell expansion is not supported inside quotes")
                              : perr(p, "unterminated quote");
                }
                s++;
            } else if (c == '\\') {
                if (!*s) {
                    brig_buf_free(&b);
                    return perr(p, "backslash at end of line");
                }
                brig_buf_addc(&b, *s++);
            } else if (c == '$' || c == '`' || c == ';' || c == '|' || c == '&' || c == '<' ||
                       c == '>' || c == '(' || c == ')') {
                brig_buf_free(&b);
                return perr(p, "unexpected '%c' (shell syntax is not supported)", c);
            } else {
                brig_buf_addc(&b, c);
            }
        }
        toks[n].s = b.s ? brig_buf_steal(&b) : brig_xstrdup("");
        toks[n].dollar = dollar;
        n++;
        *ret_n = n;
    }
    return 0;
}

static bool is_varname(const char *s)
{
    if (!*s || strlen(s) > BRIG_DEVFS_NAME_MAX || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static bool parse_num(const char *s, unsigned base, unsigned long max, unsigned *ret)
{
    unsigned long v = 0;
    if (!*s || strlen(s) > 8)
        return false;
    for (; *s; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (*s < '0' || d >= base)
            return false;
        v = v * base + d;
    }
    if (v > max)
        return false;
    *ret = (unsigned)v;
    return true;
}

/* A user or group as devfs(8) takes it: a name from passwd/group or a number. */
static bool is_owner(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || *s == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

/* Grow an array holding n elements so that one more fits, doubling its
 * capacity at powers of two so that appending n elements costs O(n). */
void *brig_devfs_grow(void *p, size_t n, size_t size)
{
    if (n && (n & (n - 1)))
        return p;
    return brig_xrealloc(p, (n ? 2 * n : 1) * size);
}

static void rule_clear(struct brig_devfs_rule *r)
{
    free(r->pattern);
    free(r->user);
    free(r->group);
    free(r->include_name);
    memset(r, 0, sizeof(*r));
}

static void rule_copy(struct brig_devfs_rule *dst, const struct brig_devfs_rule *src)
{
    *dst = *src;
    dst->pattern = src->pattern ? brig_xstrdup(src->pattern) : NULL;
    dst->user = src->user ? brig_xstrdup(src->user) : NULL;
    dst->group = src->group ? brig_xstrdup(src->group) : NULL;
    dst->include_name = src->include_name ? brig_xstrdup(src->include_name) : NULL;
}

static int need_arg(struct parser *p, const struct token *t, size_t n, size_t i, const char *what)
{
    if (i + 1 >= n)
        return perr(p, "'%s' needs %s", t[i].s, what);
    if (t[i + 1].dollar && strcmp(t[i].s, "include") != 0)
        return perr(p, "'$%s': ruleset references are only allowed after 'include'", t[i + 1].s);
    return 0;
}

static int parse_condition(struct parser *p, const struct token *t, size_t n, size_t *i,
                           struct brig_devfs_rule *r)
{
    const char *kw = t[*i].s;
    if (strcmp(kw, "path") == 0) {
        if (need_arg(p, t, n, *i, "a pattern") < 0)
            return -1;
        const char *pat = t[*i + 1].s;
        if (r->pattern)
            return perr(p, "more than one 'path' condition");
        if (!*pat)
            return perr(p, "empty path pattern");
        if (*pat == '/')
            return perr(p, "path pattern '%s' must be relative to /dev", pat);
        if (strlen(pat) > 255)
            return perr(p, "path pattern too long (at most 255 bytes)");
        r->pattern = brig_xstrdup(pat);
    } else {
        if (need_arg(p, t, n, *i, "a device type (disk, mem, tape or tty)") < 0)
            return -1;
        const char *ty = t[*i + 1].s;
        size_t k;
        for (k = 0; k < BRIG_DEVFS_NTYPES; k++)
            if (strcmp(ty, brig_devfs_types[k].name) == 0)
                break;
        if (k == BRIG_DEVFS_NTYPES)
            return perr(p, "unknown device type '%s' (disk, mem, tape or tty)", ty);
        r->types |= brig_devfs_types[k].bit;
    }
    *i += 2;
    return 0;
}

static int parse_action(struct parser *p, const struct token *t, size_t n, size_t *i,
                        struct brig_devfs_rule *r)
{
    const char *kw = t[*i].s;
    size_t k;
    for (k = 0; k < BRIG_ARRAY_SIZE(action_words); k++)
        if (strcmp(kw, action_words[k]) == 0)
            break;
    if (k == BRIG_ARRAY_SIZE(action_words)) {
        if (strcmp(kw, "path") == 0 || strcmp(kw, "type") == 0)
            return perr(p, "condition '%s' after an action (conditions come first)", kw);
        const char *hint = brig_suggest(kw, all_words, BRIG_ARRAY_SIZE(all_words));
        if (hint)
            return perr(p, "unknown action '%s' (did you mean '%s'?)", kw, hint);
        return perr(p, "unknown action '%s'", kw);
    }
    unsigned bit = action_bits[k];
    if (r->actions & bit)
        return perr(p, "action '%s' given twice", kw);
    if ((bit == BRIG_DEVFS_A_HIDE && (r->actions & BRIG_DEVFS_A_UNHIDE)) ||
        (bit == BRIG_DEVFS_A_UNHIDE && (r->actions & BRIG_DEVFS_A_HIDE)))
        return perr(p, "'hide' and 'unhide' in one rule");
    r->actions |= bit;
    (*i)++;
    if (bit == BRIG_DEVFS_A_HIDE || bit == BRIG_DEVFS_A_UNHIDE)
        return 0;

    static const char *const what[] = {[2] = "a user name or number",
                                       [3] = "a group name or number",
                                       [4] = "an octal mode",
                                       [5] = "a ruleset ($name or number)"};
    if (need_arg(p, t, n, *i - 1, what[k]) < 0)
        return -1;
    const struct token *a = &t[*i];
    (*i)++;
    switch (bit) {
    case BRIG_DEVFS_A_USER:
    case BRIG_DEVFS_A_GROUP:
        if (!is_owner(a->s))
            return perr(p, "invalid %s '%s'", kw, a->s);
        if (bit == BRIG_DEVFS_A_USER)
            r->user = brig_xstrdup(a->s);
        else
            r->group = brig_xstrdup(a->s);
        return 0;
    case BRIG_DEVFS_A_MODE:
        if (!parse_num(a->s, 8, 07777, &r->mode))
            return perr(p, "invalid mode '%s' (octal, at most 7777)", a->s);
        return 0;
    default:
        if (a->dollar) {
            if (!is_varname(a->s))
                return perr(p, "invalid ruleset reference '$%s'", a->s);
            r->include_name = brig_xstrdup(a->s);
            return 0;
        }
        if (!parse_num(a->s, 10, BRIG_DEVFS_NUM_MAX, &r->include) || r->include == 0) {
            if (is_varname(a->s))
                return perr(p, "include target '%s' needs a '$' ('$%s') or a number", a->s, a->s);
            return perr(p, "invalid include target '%s' (a $name or 1-%d)", a->s,
                        BRIG_DEVFS_NUM_MAX);
        }
        return 0;
    }
}

static int parse_rule(struct parser *p, const char *line, struct brig_devfs_ruleset *set)
{
    struct token toks[TOKENS_MAX];
    size_t n = 0, i = 1;
    struct brig_devfs_rule r = {.line = p->line};
    int ret = -1;

    if (tokenize(p, line, toks, &n) < 0)
        goto out;
    if (toks[0].dollar || strcmp(toks[0].s, "add") != 0) {
        perr(p, "unsupported rule command '%s%s' (only 'add' is supported)",
             toks[0].dollar ? "$" : "", toks[0].s);
        goto out;
    }
    if (!set) {
        perr(p, "rule before any [name=number] ruleset header");
        goto out;
    }
    if (i < n && !toks[i].dollar && toks[i].s[0] >= '0' && toks[i].s[0] <= '9') {
        if (!parse_num(toks[i].s, 10, BRIG_DEVFS_NUM_MAX, &r.rulenum) || r.rulenum == 0) {
            perr(p, "invalid rule number '%s' (1-%d)", toks[i].s, BRIG_DEVFS_NUM_MAX);
            goto out;
        }
        i++;
    }
    while (i < n && !toks[i].dollar &&
           (strcmp(toks[i].s, "path") == 0 || strcmp(toks[i].s, "type") == 0))
        if (parse_condition(p, toks, n, &i, &r) < 0)
            goto out;
    while (i < n)
        if (parse_action(p, toks, n, &i, &r) < 0)
            goto out;
    if (!r.actions) {
        perr(p, "rule has no action (hide, unhide, user, group, mode or include)");
        goto out;
    }
    if (p->n_rules_total >= BRIG_DEVFS_RULES_MAX) {
        perr(p, "too many rules (at most %d)", BRIG_DEVFS_RULES_MAX);
        goto out;
    }
    set->rules = brig_devfs_grow(set->rules, set->n_rules, sizeof(*set->rules));
    set->rules[set->n_rules++] = r;
    memset(&r, 0, sizeof(r));
    p->n_rules_total++;
    ret = 0;
out:
    rule_clear(&r);
    tokens_free(toks, n);
    return ret;
}

static int parse_header(struct parser *p, const char *line)
{
    size_t len = strlen(line);
    if (line[len - 1] != ']')
        return perr(p, "ruleset header must end with ']'");
    _cleanup_free_ char *body = brig_xstrndup(line + 1, len - 2);
    char *eq = strrchr(body, '=');
    if (!eq)
        return perr(p, "ruleset header must be [name=number]");
    *eq = '\0';
    const char *name = body, *num = eq + 1;
    unsigned number;
    if (!is_varname(name))
        return perr(p, "invalid ruleset name '%s' (letters, digits and '_', at most %d)", name,
                    BRIG_DEVFS_NAME_MAX);
    if (!parse_num(num, 10, BRIG_DEVFS_NUM_MAX, &number) || number == 0)
        return perr(p, "invalid ruleset number '%s' (1-%d)", num, BRIG_DEVFS_NUM_MAX);
    struct brig_devfs_rules *rs = p->rules;
    for (size_t i = 0; i < rs->n_sets; i++) {
        if (rs->sets[i].number == number)
            return perr(p, "duplicate ruleset number %u (also '%s' at line %u)", number,
                        rs->sets[i].name, rs->sets[i].line);
        if (strcmp(rs->sets[i].name, name) == 0)
            return perr(p, "duplicate ruleset name '%s' (also at line %u)", name, rs->sets[i].line);
    }
    if (rs->n_sets >= BRIG_DEVFS_RULESETS_MAX)
        return perr(p, "too many rulesets (at most %d)", BRIG_DEVFS_RULESETS_MAX);
    rs->sets = brig_devfs_grow(rs->sets, rs->n_sets, sizeof(*rs->sets));
    rs->sets[rs->n_sets++] =
        (struct brig_devfs_ruleset){.name = brig_xstrdup(name), .number = number, .line = p->line};
    return 0;
}

int brig_devfs_rules_parse(const char *text, size_t len, const char *fname,
                           struct brig_devfs_rules **ret, struct brig_err *err)
{
    struct parser p = {.fname = fname ? fname : BRIG_DEVFS_DEFAULT_FNAME, .err = err};
    *ret = NULL;
    if (len > BRIG_DEVFS_TEXT_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s: too large (%zu bytes, at most %d)", p.fname, len,
                            BRIG_DEVFS_TEXT_MAX);
    p.rules = brig_xcalloc(1, sizeof(*p.rules));
    p.rules->fname = brig_xstrdup(p.fname);

    size_t pos = 0;
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + 1;
        p.line++;
        if (n > BRIG_DEVFS_LINE_MAX) {
            perr(&p, "line too long (at most %d bytes)", BRIG_DEVFS_LINE_MAX);
            goto fail;
        }
        if (memchr(start, '\0', n)) {
            perr(&p, "nul byte in line");
            goto fail;
        }
        _cleanup_free_ char *line = brig_xstrndup(start, n);
        /* rc(8) drops everything from the first '#', quoted or not. */
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line, *e = line + strlen(line);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = '\0';
        if (!*s)
            continue;
        if (*s == '[') {
            if (parse_header(&p, s) < 0)
                goto fail;
            continue;
        }
        struct brig_devfs_ruleset *cur =
            p.rules->n_sets ? &p.rules->sets[p.rules->n_sets - 1] : NULL;
        if (parse_rule(&p, s, cur) < 0)
            goto fail;
    }
    *ret = p.rules;
    return 0;
fail:
    brig_devfs_rules_free(p.rules);
    return -1;
}

void brig_devfs_rules_free(struct brig_devfs_rules *rules)
{
    if (!rules)
        return;
    for (size_t i = 0; i < rules->n_sets; i++) {
        struct brig_devfs_ruleset *s = &rules->sets[i];
        for (size_t j = 0; j < s->n_rules; j++)
            rule_clear(&s->rules[j]);
        free(s->rules);
        free(s->name);
    }
    free(rules->sets);
    free(rules->fname);
    free(rules);
}

const struct brig_devfs_ruleset *brig_devfs_rules_find(const struct brig_devfs_rules *rules,
                                                       unsigned number)
{
    for (size_t i = 0; rules && i < rules->n_sets; i++)
        if (rules->sets[i].number == number)
            return &rules->sets[i];
    return NULL;
}

const struct brig_devfs_ruleset *brig_devfs_rules_find_name(const struct brig_devfs_rules *rules,
                                                            const char *name)
{
    for (size_t i = 0; rules && i < rules->n_sets; i++)
        if (strcmp(rules->sets[i].name, name) == 0)
            return &rules->sets[i];
    return NULL;
}

const struct brig_devfs_ruleset *brig_devfs_include_target(const struct brig_devfs_rules *rules,
                                                           const struct brig_devfs_ruleset *from,
                                                           const struct brig_devfs_rule *r,
                                                           struct brig_err *err)
{
    const struct brig_devfs_ruleset *t = r->include_name
                                             ? brig_devfs_rules_find_name(rules, r->include_name)
                                             : brig_devfs_rules_find(rules, r->include);
    if (t)
        return t;
    if (r->include_name)
        brig_err_set(err, BRIG_EUSAGE, "%s:%u: ruleset '%s' includes unknown ruleset '$%s'",
                     rules->fname, r->line, from->name, r->include_name);
    else
        brig_err_set(err, BRIG_EUSAGE, "%s:%u: ruleset '%s' includes unknown ruleset %u",
                     rules->fname, r->line, from->name, r->include);
    return NULL;
}

/* The include path stack[0..depth) -> t as "a -> b -> t", for cycle errors. */
static int cycle_err(const struct brig_devfs_rules *rules, const struct brig_devfs_ruleset **stack,
                     size_t depth, const struct brig_devfs_ruleset *t, unsigned line,
                     struct brig_err *err)
{
    struct brig_buf b = {0};
    size_t from = 0;
    while (from < depth && stack[from] != t)
        from++;
    for (size_t i = from; i < depth; i++)
        brig_buf_addf(&b, "%s -> ", stack[i]->name);
    brig_buf_add(&b, t->name);
    brig_err_set(err, BRIG_EUSAGE, "%s:%u: include cycle: %s", rules->fname, line, b.s);
    brig_buf_free(&b);
    return -1;
}

struct flattener {
    const struct brig_devfs_rules *rules;
    struct brig_devfs_flat *flat;
    const struct brig_devfs_ruleset *stack[BRIG_DEVFS_DEPTH_MAX + 1];
    struct brig_devfs_guard guards[BRIG_DEVFS_DEPTH_MAX];
    size_t depth;
    size_t steps;
    struct brig_err *err;
};

static void flat_push(struct flattener *f, const struct brig_devfs_rule *r)
{
    struct brig_devfs_flat *flat = f->flat;
    flat->rules = brig_devfs_grow(flat->rules, flat->n_rules, sizeof(*flat->rules));
    struct brig_devfs_flat_rule *fr = &flat->rules[flat->n_rules++];
    rule_copy(&fr->rule, r);
    fr->rule.actions &= ~(unsigned)BRIG_DEVFS_A_INCLUDE;
    fr->rule.include = 0;
    free(fr->rule.include_name);
    fr->rule.include_name = NULL;
    fr->n_guards = 0;
    fr->guards = NULL;
    for (size_t i = 0; i < f->depth - 1; i++) {
        if (!f->guards[i].pattern && !f->guards[i].types)
            continue;
        fr->guards = brig_devfs_grow(fr->guards, fr->n_guards, sizeof(*fr->guards));
        fr->guards[fr->n_guards].pattern =
            f->guards[i].pattern ? brig_xstrdup(f->guards[i].pattern) : NULL;
        fr->guards[fr->n_guards].types = f->guards[i].types;
        fr->n_guards++;
    }
}

/* Append set's rules, expanding includes in place, as the kernel applies them. */
static int flatten_set(struct flattener *f, const struct brig_devfs_ruleset *set)
{
    for (size_t d = 0; d < f->depth; d++)
        if (f->stack[d] == set)
            return -2; /* reported by the caller, which knows the line */
    f->stack[f->depth++] = set;
    for (size_t i = 0; i < set->n_rules; i++) {
        const struct brig_devfs_rule *r = &set->rules[i];
        if (++f->steps > BRIG_DEVFS_FLAT_MAX)
            return brig_err_set(f->err, BRIG_EUSAGE,
                                "%s: ruleset '%s' expands to more than %d rules", f->rules->fname,
                                f->stack[0]->name, BRIG_DEVFS_FLAT_MAX);
        if (r->actions & ~(unsigned)BRIG_DEVFS_A_INCLUDE)
            flat_push(f, r);
        if (!(r->actions & BRIG_DEVFS_A_INCLUDE))
            continue;
        const struct brig_devfs_ruleset *t = brig_devfs_include_target(f->rules, set, r, f->err);
        if (!t)
            return -1;
        if (f->depth > BRIG_DEVFS_DEPTH_MAX)
            return brig_err_set(f->err, BRIG_EUSAGE, "%s:%u: includes nested deeper than %d",
                                f->rules->fname, r->line, BRIG_DEVFS_DEPTH_MAX);
        f->guards[f->depth - 1] = (struct brig_devfs_guard){r->pattern, r->types};
        int k = flatten_set(f, t);
        if (k == -2)
            return cycle_err(f->rules, f->stack, f->depth, t, r->line, f->err);
        if (k < 0)
            return -1;
    }
    f->depth--;
    return 0;
}

int brig_devfs_flatten(const struct brig_devfs_rules *rules, unsigned number,
                       struct brig_devfs_flat **ret, struct brig_err *err)
{
    *ret = NULL;
    const struct brig_devfs_ruleset *set = brig_devfs_rules_find(rules, number);
    if (!set)
        return brig_err_set(err, BRIG_EUSAGE, "%s: no ruleset number %u",
                            rules ? rules->fname : BRIG_DEVFS_DEFAULT_FNAME, number);
    struct brig_devfs_flat *flat = brig_xcalloc(1, sizeof(*flat));
    flat->number = set->number;
    flat->name = brig_xstrdup(set->name);
    struct flattener f = {.rules = rules, .flat = flat, .err = err};
    if (flatten_set(&f, set) < 0) {
        brig_devfs_flat_free(flat);
        return -1;
    }
    *ret = flat;
    return 0;
}

void brig_devfs_flat_free(struct brig_devfs_flat *flat)
{
    if (!flat)
        return;
    for (size_t i = 0; i < flat->n_rules; i++) {
        rule_clear(&flat->rules[i].rule);
        for (size_t g = 0; g < flat->rules[i].n_guards; g++)
            free(flat->rules[i].guards[g].pattern);
        free(flat->rules[i].guards);
    }
    free(flat->rules);
    free(flat->name);
    free(flat);
}

enum mark { WHITE, GREY, BLACK };

/* Depth-first walk over include edges: grey is on the current path, so
 * reaching a grey set is a cycle; each set is walked once. */
static int resolve_walk(struct brig_devfs_rules *rules, size_t idx, unsigned char *mark,
                        const struct brig_devfs_ruleset **stack, size_t depth, struct brig_err *err)
{
    struct brig_devfs_ruleset *set = &rules->sets[idx];
    mark[idx] = GREY;
    stack[depth] = set;
    for (size_t i = 0; i < set->n_rules; i++) {
        struct brig_devfs_rule *r = &set->rules[i];
        if (!(r->actions & BRIG_DEVFS_A_INCLUDE))
            continue;
        const struct brig_devfs_ruleset *t = brig_devfs_include_target(rules, set, r, err);
        if (!t)
            return -1;
        r->include = t->number;
        size_t ti = (size_t)(t - rules->sets);
        if (mark[ti] == GREY)
            return cycle_err(rules, stack, depth + 1, t, r->line, err);
        if (mark[ti] == WHITE) {
            if (depth + 1 > BRIG_DEVFS_DEPTH_MAX)
                return brig_err_set(err, BRIG_EUSAGE, "%s:%u: includes nested deeper than %d",
                                    rules->fname, r->line, BRIG_DEVFS_DEPTH_MAX);
            if (resolve_walk(rules, ti, mark, stack, depth + 1, err) < 0)
                return -1;
        }
    }
    mark[idx] = BLACK;
    return 0;
}

int brig_devfs_rules_resolve(struct brig_devfs_rules *rules, struct brig_err *err)
{
    _cleanup_free_ unsigned char *mark = brig_xcalloc(rules->n_sets, 1);
    const struct brig_devfs_ruleset *stack[BRIG_DEVFS_DEPTH_MAX + 1];
    for (size_t i = 0; i < rules->n_sets; i++)
        if (mark[i] == WHITE && resolve_walk(rules, i, mark, stack, 0, err) < 0)
            return -1;
    return 0;
}

static bool cond_match(const char *pattern, unsigned rtypes, const char *path, unsigned types)
{
    if (pattern && fnmatch(pattern, path, FNM_PATHNAME) != 0)
        return false;
    if (rtypes && !(rtypes & types))
        return false;
    return true;
}

void brig_devfs_eval(const struct brig_devfs_flat *flat, const char *path, unsigned types,
                     struct brig_devfs_verdict *ret)
{
    *ret = (struct brig_devfs_verdict){.visible = true};
    for (size_t i = 0; flat && i < flat->n_rules; i++) {
        const struct brig_devfs_flat_rule *fr = &flat->rules[i];
        const struct brig_devfs_rule *r = &fr->rule;
        bool match = cond_match(r->pattern, r->types, path, types);
        for (size_t g = 0; match && g < fr->n_guards; g++)
            match = cond_match(fr->guards[g].pattern, fr->guards[g].types, path, types);
        if (!match)
            continue;
        /* The kernel's order within one rule: visibility, uid, gid, mode. */
        if (r->actions & BRIG_DEVFS_A_HIDE)
            ret->visible = false;
        if (r->actions & BRIG_DEVFS_A_UNHIDE)
            ret->visible = true;
        if (r->actions & BRIG_DEVFS_A_USER)
            ret->user = r->user;
        if (r->actions & BRIG_DEVFS_A_GROUP)
            ret->group = r->group;
        if (r->actions & BRIG_DEVFS_A_MODE) {
            ret->has_mode = true;
            ret->mode = r->mode;
        }
    }
}

bool brig_devfs_visible(const struct brig_devfs_flat *flat, const char *path)
{
    struct brig_devfs_verdict v;
    brig_devfs_eval(flat, path, 0, &v);
    return v.visible;
}

int brig_devfs_check_dhcp(const struct brig_devfs_flat *flat, int nic_idx, struct brig_err *err)
{
    if (brig_devfs_visible(flat, "bpf"))
        return 0;
    return brig_err_set(err, BRIG_EUSAGE,
                        "eth%d: ip4_addr=REALDHCP, but its devfs ruleset hides bpf*, which the "
                        "DHCP client needs (devfs_ruleset=%u; hint: a ruleset with add include "
                        "$devfsrules_jail_vnet and add path 'bpf*' unhide in etc/devfs.rules, "
                        "then jconfig devfs_ruleset=N)",
                        nic_idx, flat->number);
}
