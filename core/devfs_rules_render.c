/* devfs(8) commands that load a ruleset of devfs.rules, for FreeBSD plans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devfs_rules.h"
#include "devfs_rules_int.h"
#include "util.h"

/* One `devfs rule -s N add ...` argv, in the form of devfs(8) "rule add
 * [rulenum] rulespec": conditions (path, type), then actions. */
static char **rule_argv(unsigned setnum, const struct brig_devfs_rule *r, unsigned include)
{
    char **v = NULL;
    char buf[16];
    brig_strv_push(&v, "devfs");
    brig_strv_push(&v, "rule");
    brig_strv_push(&v, "-s");
    snprintf(buf, sizeof(buf), "%u", setnum);
    brig_strv_push(&v, buf);
    brig_strv_push(&v, "add");
    if (r->rulenum) {
        snprintf(buf, sizeof(buf), "%u", r->rulenum);
        brig_strv_push(&v, buf);
    }
    if (r->pattern) {
        brig_strv_push(&v, "path");
        brig_strv_push(&v, r->pattern);
    }
    for (size_t k = 0; k < BRIG_DEVFS_NTYPES; k++) {
        if (r->types & brig_devfs_types[k].bit) {
            brig_strv_push(&v, "type");
            brig_strv_push(&v, brig_devfs_types[k].name);
        }
    }
    if (r->actions & BRIG_DEVFS_A_HIDE)
        brig_strv_push(&v, "hide");
    if (r->actions & BRIG_DEVFS_A_UNHIDE)
        brig_strv_push(&v, "unhide");
    if (r->actions & BRIG_DEVFS_A_USER) {
        brig_strv_push(&v, "user");
        brig_strv_push(&v, r->user);
    }
    if (r->actions & BRIG_DEVFS_A_GROUP) {
        brig_strv_push(&v, "group");
        brig_strv_push(&v, r->group);
    }
    if (r->actions & BRIG_DEVFS_A_MODE) {
        snprintf(buf, sizeof(buf), "%04o", r->mode);
        brig_strv_push(&v, "mode");
        brig_strv_push(&v, buf);
    }
    if (r->actions & BRIG_DEVFS_A_INCLUDE) {
        snprintf(buf, sizeof(buf), "%u", include);
        brig_strv_push(&v, "include");
        brig_strv_push(&v, buf);
    }
    return v;
}

static void cmds_push(char ****cmds, size_t *n, char **argv)
{
    *cmds = brig_devfs_grow(*cmds, *n + 1, sizeof(**cmds));
    (*cmds)[(*n)++] = argv;
    (*cmds)[*n] = NULL;
}

/* Emit idx's dependencies, then idx itself (post-order, each set once). */
static void render_set(const struct brig_devfs_rules *rules, size_t idx, unsigned char *done,
                       char ****cmds, size_t *n)
{
    const struct brig_devfs_ruleset *set = &rules->sets[idx];
    done[idx] = 1;
    for (size_t i = 0; i < set->n_rules; i++) {
        const struct brig_devfs_rule *r = &set->rules[i];
        if (!(r->actions & BRIG_DEVFS_A_INCLUDE))
            continue;
        /* brig_devfs_flatten checked the target exists and there is no cycle. */
        size_t ti = (size_t)(brig_devfs_include_target(rules, set, r, NULL) - rules->sets);
        if (!done[ti])
            render_set(rules, ti, done, cmds, n);
    }
    char **v = NULL;
    char buf[16];
    snprintf(buf, sizeof(buf), "%u", set->number);
    brig_strv_push(&v, "devfs");
    brig_strv_push(&v, "rule");
    brig_strv_push(&v, "-s");
    brig_strv_push(&v, buf);
    brig_strv_push(&v, "delset");
    cmds_push(cmds, n, v);
    for (size_t i = 0; i < set->n_rules; i++) {
        const struct brig_devfs_rule *r = &set->rules[i];
        unsigned include = 0;
        if (r->actions & BRIG_DEVFS_A_INCLUDE) {
            /* resolved before rendering: an include always has its target */
            const struct brig_devfs_ruleset *t = brig_devfs_include_target(rules, set, r, NULL);
            include = t ? t->number : 0;
        }
        cmds_push(cmds, n, rule_argv(set->number, r, include));
    }
}

/* The form follows devfs(8) ("rule [-s ruleset] add [rulenum] rulespec",
 * "rule delset") as rc.subr's devfs_rulesets_from_file drives it when it
 * loads devfs.rules: delset at each ruleset header, then one `devfs rule -s N`
 * per line with `$name` expanded to the ruleset's number, since the kernel's
 * include action takes a number and refuses a ruleset that does not exist yet. */
int brig_devfs_render_argv(const struct brig_devfs_rules *rules, unsigned number, char ****ret_cmds,
                           struct brig_err *err)
{
    *ret_cmds = NULL;
    const struct brig_devfs_ruleset *set = brig_devfs_rules_find(rules, number);
    if (!set)
        return brig_err_set(err, BRIG_EUSAGE, "%s: no ruleset number %u",
                            rules ? rules->fname : BRIG_DEVFS_DEFAULT_FNAME, number);
    /* Flattening checks every include reachable from this set: unknown
     * targets, cycles and limits. Unrelated rulesets may stay broken. */
    struct brig_devfs_flat *flat = NULL;
    if (brig_devfs_flatten(rules, number, &flat, err) < 0)
        return -1;
    brig_devfs_flat_free(flat);
    _cleanup_free_ unsigned char *done = brig_xcalloc(rules->n_sets, 1);
    char ***cmds = NULL;
    size_t n = 0;
    render_set(rules, (size_t)(set - rules->sets), done, &cmds, &n);
    *ret_cmds = cmds;
    return 0;
}

/* One rule as `devfs rule show` prints it (sbin/devfs/rule.c): its number,
 * type conditions, path, then hide, unhide, user, group, mode (octal) and
 * include; user and group as written (devfs(8) prints a known id by name). */
static void show_rule(struct brig_buf *out, unsigned rulenum, const struct brig_devfs_rule *r,
                      unsigned include)
{
    brig_buf_addf(out, "%u", rulenum);
    for (size_t k = 0; k < BRIG_DEVFS_NTYPES; k++) {
        if (r->types & brig_devfs_types[k].bit)
            brig_buf_addf(out, " type %s", brig_devfs_types[k].name);
    }
    if (r->pattern)
        brig_buf_addf(out, " path %s", r->pattern);
    if (r->actions & BRIG_DEVFS_A_HIDE)
        brig_buf_add(out, " hide");
    if (r->actions & BRIG_DEVFS_A_UNHIDE)
        brig_buf_add(out, " unhide");
    if (r->actions & BRIG_DEVFS_A_USER)
        brig_buf_addf(out, " user %s", r->user);
    if (r->actions & BRIG_DEVFS_A_GROUP)
        brig_buf_addf(out, " group %s", r->group);
    if (r->actions & BRIG_DEVFS_A_MODE)
        brig_buf_addf(out, " mode %o", r->mode);
    if (r->actions & BRIG_DEVFS_A_INCLUDE)
        brig_buf_addf(out, " include %u", include);
    brig_buf_addc(out, '\n');
}

int brig_devfs_render_show(const struct brig_devfs_rules *rules, unsigned number, char **ret,
                           struct brig_err *err)
{
    *ret = NULL;
    const struct brig_devfs_ruleset *set = brig_devfs_rules_find(rules, number);
    if (!set)
        return brig_err_set(err, BRIG_EUSAGE, "%s: no ruleset number %u",
                            rules ? rules->fname : BRIG_DEVFS_DEFAULT_FNAME, number);
    struct brig_buf out = {0};
    brig_buf_add(&out, "");
    unsigned last = 0;
    for (size_t i = 0; i < set->n_rules; i++) {
        const struct brig_devfs_rule *r = &set->rules[i];
        unsigned include = 0;
        if (r->actions & BRIG_DEVFS_A_INCLUDE) {
            const struct brig_devfs_ruleset *t = brig_devfs_include_target(rules, set, r, err);
            if (!t) {
                brig_buf_free(&out);
                return -1;
            }
            include = t->number;
        }
        /* the kernel numbers a rule given without one 100 past the highest so far */
        unsigned num = r->rulenum ? r->rulenum : last + 100;
        if (num > last)
            last = num;
        show_rule(&out, num, r, include);
    }
    *ret = brig_buf_steal(&out);
    return 0;
}

void brig_devfs_argv_free(char ***cmds)
{
    if (!cmds)
        return;
    for (size_t i = 0; cmds[i]; i++)
        brig_strv_free(cmds[i]);
    free(cmds);
}
