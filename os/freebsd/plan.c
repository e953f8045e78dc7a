#include "plan.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char **strv_copy(const char *const *argv)
{
    char **v = brig_xcalloc(1, sizeof(char *));
    for (size_t i = 0; argv[i]; i++)
        brig_strv_push(&v, argv[i]);
    return v;
}

static char **strv_from_va(va_list ap)
{
    char **v = brig_xcalloc(1, sizeof(char *));
    for (const char *w = va_arg(ap, const char *); w; w = va_arg(ap, const char *))
        brig_strv_push(&v, w);
    return v;
}

static struct brig_plan_step *push_step(struct brig_plan *plan, const char *desc, char **argv)
{
    if (plan->n_steps == plan->cap) {
        plan->cap = plan->cap ? plan->cap * 2 : 16;
        plan->steps = brig_xrealloc(plan->steps, plan->cap * sizeof(*plan->steps));
    }
    struct brig_plan_step *s = &plan->steps[plan->n_steps++];
    memset(s, 0, sizeof(*s));
    s->desc = brig_xstrdup(desc);
    s->cmd.argv = argv;
    return s;
}

struct brig_plan_step *brig_plan_add(struct brig_plan *plan, const char *desc,
                                     const char *const *argv)
{
    return push_step(plan, desc, strv_copy(argv));
}

struct brig_plan_step *brig_plan_addv(struct brig_plan *plan, const char *desc, ...)
{
    va_list ap;
    va_start(ap, desc);
    char **v = strv_from_va(ap);
    va_end(ap);
    return push_step(plan, desc, v);
}

void brig_plan_step_tmpl(struct brig_plan_step *step, unsigned word)
{
    if (word < 64)
        step->cmd.tmpl |= UINT64_C(1) << word;
}

static void push_undo(struct brig_plan_step *step, uint64_t tmpl, char **argv)
{
    step->undo = brig_xrealloc(step->undo, (step->n_undo + 1) * sizeof(*step->undo));
    step->undo[step->n_undo].argv = argv;
    step->undo[step->n_undo].tmpl = tmpl;
    step->n_undo++;
}

void brig_plan_step_undov(struct brig_plan_step *step, uint64_t tmpl, ...)
{
    va_list ap;
    va_start(ap, tmpl);
    char **v = strv_from_va(ap);
    va_end(ap);
    push_undo(step, tmpl, v);
}

void brig_plan_step_skip_if(struct brig_plan_step *step, const char *text, size_t n)
{
    free(step->same_as);
    step->same_as = brig_xstrdup(text);
    step->skip = n;
}

void brig_plan_step_wait(struct brig_plan_step *step, const char *while_text, const char *fail_text,
                         unsigned seconds)
{
    free(step->wait_while);
    free(step->wait_fail);
    step->wait_while = brig_xstrdup(while_text);
    step->wait_fail = fail_text ? brig_xstrdup(fail_text) : NULL;
    step->wait_seconds = seconds;
}

void brig_plan_step_capture(struct brig_plan_step *step, const char *var)
{
    free(step->capture);
    step->capture = brig_xstrdup(var);
}

void brig_plan_step_log(struct brig_plan_step *step, const char *path)
{
    free(step->log);
    step->log = brig_xstrdup(path);
}

static bool is_var_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Parse "${name}" or "${name%suffix}" at p; fills the parts and returns the
 * length consumed, or 0 when p does not start a variable reference. */
static size_t parse_ref(const char *p, const char **name, size_t *name_len, const char **suffix,
                        size_t *suffix_len)
{
    if (p[0] != '$' || p[1] != '{')
        return 0;
    const char *q = p + 2;
    while (is_var_char(*q))
        q++;
    if (q == p + 2)
        return 0;
    *name = p + 2;
    *name_len = (size_t)(q - (p + 2));
    *suffix = NULL;
    *suffix_len = 0;
    if (*q == '%') {
        const char *s = ++q;
        while (*q && *q != '}' && *q != '$' && *q != '{')
            q++;
        *suffix = s;
        *suffix_len = (size_t)(q - s);
    }
    if (*q != '}')
        return 0;
    return (size_t)(q + 1 - p);
}

int brig_plan_expand(const char *w, char *const *names, char *const *values, size_t n, char **ret,
                     struct brig_err *err)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    for (const char *p = w; *p;) {
        const char *name, *suffix;
        size_t nlen, slen, used = parse_ref(p, &name, &nlen, &suffix, &slen);
        if (!used) {
            brig_buf_addc(&b, *p++);
            continue;
        }
        const char *val = NULL;
        for (size_t i = 0; i < n; i++) {
            if (strlen(names[i]) == nlen && memcmp(names[i], name, nlen) == 0)
                val = values[i];
        }
        if (!val) {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EFAIL, "variable '%.*s' was never captured", (int)nlen,
                                name);
        }
        size_t vlen = strlen(val);
        if (suffix && slen <= vlen && memcmp(val + vlen - slen, suffix, slen) == 0)
            vlen -= slen;
        brig_buf_addn(&b, val, vlen);
        p += used;
    }
    *ret = brig_buf_steal(&b);
    return 0;
}

/* Quote a template word so sh expands its ${...} references and nothing else. */
static void render_tmpl_word(struct brig_buf *out, const char *w)
{
    brig_buf_addc(out, '"');
    for (const char *p = w; *p;) {
        const char *name, *suffix;
        size_t nlen, slen, used = parse_ref(p, &name, &nlen, &suffix, &slen);
        if (used) {
            brig_buf_addn(out, p, used);
            p += used;
            continue;
        }
        if (strchr("\"\\$`", *p))
            brig_buf_addc(out, '\\');
        brig_buf_addc(out, *p++);
    }
    brig_buf_addc(out, '"');
}

static void render_cmd(struct brig_buf *out, const struct brig_plan_cmd *cmd)
{
    for (size_t i = 0; cmd->argv[i]; i++) {
        if (i)
            brig_buf_addc(out, ' ');
        if (i < 64 && (cmd->tmpl & (UINT64_C(1) << i))) {
            render_tmpl_word(out, cmd->argv[i]);
        } else {
            _cleanup_free_ char *q = brig_shell_quote(cmd->argv[i]);
            brig_buf_add(out, q);
        }
    }
}

/* A description is printed after '#': keep it on one line. */
static void render_comment(struct brig_buf *out, const char *prefix, const char *text)
{
    brig_buf_add(out, prefix);
    for (const char *p = text; *p; p++)
        brig_buf_addc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
    brig_buf_addc(out, '\n');
}

void brig_plan_render(const struct brig_plan *plan, struct brig_buf *out)
{
    brig_buf_add(out, "");
    if (plan->conf) {
        _cleanup_free_ char *qp = brig_shell_quote(plan->conf_path ? plan->conf_path : "-");
        brig_buf_addf(out, "# jail.conf written to %s\n", qp);
        brig_buf_add(out, plan->conf);
        if (plan->conf[0] && plan->conf[strlen(plan->conf) - 1] != '\n')
            brig_buf_addc(out, '\n');
        brig_buf_add(out, "# end of jail.conf\n");
    }
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct brig_plan_step *s = &plan->steps[i];
        char num[32];
        snprintf(num, sizeof(num), "# %zu. ", i + 1);
        render_comment(out, num, s->desc);
        if (s->same_as) {
            brig_buf_addf(out, "#    steps %zu-%zu are skipped when this prints exactly:\n", i + 2,
                          i + 1 + s->skip);
            for (const char *l = s->same_as; *l;) {
                size_t n = strcspn(l, "\n");
                brig_buf_addf(out, "#      %.*s\n", (int)n, l);
                l += n + (l[n] == '\n');
            }
        }
        if (s->wait_while) {
            brig_buf_addf(out, "#    repeated every 0.1 s while it prints '%s' (at most %u s)",
                          s->wait_while, s->wait_seconds);
            if (s->wait_fail)
                brig_buf_addf(out, "; fails if it prints '%s'", s->wait_fail);
            brig_buf_addc(out, '\n');
        }
        if (s->capture)
            brig_buf_addf(out, "%s=$(", s->capture);
        render_cmd(out, &s->cmd);
        if (s->capture)
            brig_buf_addc(out, ')');
        if (s->log) {
            _cleanup_free_ char *ql = brig_shell_quote(s->log);
            brig_buf_addf(out, " >>%s 2>&1", ql);
        }
        if (s->may_fail)
            brig_buf_add(out, " || true");
        brig_buf_addc(out, '\n');
        for (size_t u = 0; u < s->n_undo; u++) {
            brig_buf_add(out, "#    undo: ");
            render_cmd(out, &s->undo[u]);
            brig_buf_addc(out, '\n');
        }
    }
}

void brig_plan_free(struct brig_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n_steps; i++) {
        struct brig_plan_step *s = &plan->steps[i];
        free(s->desc);
        brig_strv_free(s->cmd.argv);
        for (size_t u = 0; u < s->n_undo; u++)
            brig_strv_free(s->undo[u].argv);
        free(s->undo);
        free(s->capture);
        free(s->log);
        free(s->same_as);
        free(s->wait_while);
        free(s->wait_fail);
    }
    free(plan->steps);
    free(plan->conf);
    free(plan->conf_path);
    memset(plan, 0, sizeof(*plan));
}
