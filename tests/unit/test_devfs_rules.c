#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devfs_rules.h"
#include "os/linux/devnodes.h"
#include "util.h"

static const char dhcp_recipe[] = "[devfsrules_jail_vnet_dhcp=7]\n"
                                  "add include $devfsrules_jail_vnet\n"
                                  "add path 'bpf*' unhide\n";

static struct brig_devfs_rules *parse_ok(const char *text)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_rules *rules = NULL;
    if (brig_devfs_rules_parse(text, strlen(text), NULL, &rules, &err) < 0)
        fail_msg("parse failed: %s", err.msg);
    return rules;
}

/* The shipped defaults plus extra text, as a user's devfs.rules would be. */
static struct brig_devfs_rules *parse_defaults_with(const char *extra)
{
    _cleanup_free_ char *text = brig_xasprintf("%s\n%s", brig_devfs_rules_default(), extra);
    return parse_ok(text);
}

static struct brig_devfs_flat *flatten_ok(const struct brig_devfs_rules *rules, unsigned n)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_flat *flat = NULL;
    if (brig_devfs_flatten(rules, n, &flat, &err) < 0)
        fail_msg("flatten %u failed: %s", n, err.msg);
    return flat;
}

static void assert_parse_error(const char *text, const char *msg)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_rules *rules = (void *)1;
    assert_int_equal(brig_devfs_rules_parse(text, strlen(text), NULL, &rules, &err), -1);
    assert_null(rules);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, msg);
}

static void test_default_text_has_freebsd_rulesets_1_to_5(void **state)
{
    struct brig_devfs_rules *rules = parse_ok(brig_devfs_rules_default());
    struct brig_err err = BRIG_ERR_INIT;
    static const struct {
        const char *name;
        unsigned number;
        size_t n_rules;
    } want[] = {{"devfsrules_hide_all", 1, 1},
                {"devfsrules_unhide_basic", 2, 5},
                {"devfsrules_unhide_login", 3, 40},
                {"devfsrules_jail", 4, 5},
                {"devfsrules_jail_vnet", 5, 5}};
    assert_int_equal(rules->n_sets, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(rules->sets[i].name, want[i].name);
        assert_int_equal(rules->sets[i].number, want[i].number);
        assert_int_equal(rules->sets[i].n_rules, want[i].n_rules);
        assert_ptr_equal(brig_devfs_rules_find(rules, want[i].number), &rules->sets[i]);
        assert_ptr_equal(brig_devfs_rules_find_name(rules, want[i].name), &rules->sets[i]);
    }
    assert_int_equal(brig_devfs_rules_resolve(rules, &err), 0);
    const struct brig_devfs_rule *inc = &rules->sets[4].rules[3];
    assert_int_equal(inc->actions, BRIG_DEVFS_A_INCLUDE);
    assert_string_equal(inc->include_name, "devfsrules_jail");
    assert_int_equal(inc->include, 4);
    assert_string_equal(rules->sets[2].rules[34].pattern, "pts/*");
    assert_true(strstr(brig_devfs_rules_default(), "[devfsrules_jail_vnet_dhcp=7]") != NULL);
    brig_devfs_rules_free(rules);
}

static void test_hide_all_hides_every_node(void **state)
{
    struct brig_devfs_rules *rules = parse_ok(brig_devfs_rules_default());
    struct brig_devfs_flat *flat = flatten_ok(rules, 1);
    assert_false(brig_devfs_visible(flat, "null"));
    assert_false(brig_devfs_visible(flat, "pts/0"));
    assert_false(brig_devfs_visible(flat, "ada0"));
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_unhide_basic_alone_hides_nothing(void **state)
{
    /* FreeBSD: nodes are visible until a rule hides them, and 2 only unhides. */
    struct brig_devfs_rules *rules = parse_ok(brig_devfs_rules_default());
    struct brig_devfs_flat *flat = flatten_ok(rules, 2);
    assert_true(brig_devfs_visible(flat, "null"));
    assert_true(brig_devfs_visible(flat, "mem"));
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_jail_ruleset_4_unhides_basic_and_login_only(void **state)
{
    struct brig_devfs_rules *rules = parse_ok(brig_devfs_rules_default());
    struct brig_devfs_flat *flat = flatten_ok(rules, 4);
    static const char *const shown[] = {"null",   "zero",   "crypto", "random", "urandom", "ptmx",
                                        "pts",    "pts/0",  "pts/12", "fd",     "fd/0",    "stdin",
                                        "stdout", "stderr", "fuse",   "zfs",    "ttyp0",   "ptyS3"};
    static const char *const hidden[] = {"bpf", "bpf0", "mem",     "kmem", "pf", "tun0",
                                         "tty", "full", "console", "ada0", "io", "pts/0/x"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(shown); i++)
        assert_true(brig_devfs_visible(flat, shown[i]));
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(hidden); i++)
        assert_false(brig_devfs_visible(flat, hidden[i]));
    assert_int_equal(flat->n_rules, 1 + 5 + 40 + 2);
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_jail_vnet_ruleset_5_adds_pf_not_bpf(void **state)
{
    struct brig_devfs_rules *rules = parse_ok(brig_devfs_rules_default());
    struct brig_devfs_flat *flat = flatten_ok(rules, 5);
    assert_true(brig_devfs_visible(flat, "pf"));
    assert_true(brig_devfs_visible(flat, "null"));
    assert_true(brig_devfs_visible(flat, "pts/3"));
    assert_false(brig_devfs_visible(flat, "bpf0"));
    assert_false(brig_devfs_visible(flat, "mem"));
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_dhcp_recipe_unhides_bpf_on_top_of_vnet(void **state)
{
    struct brig_devfs_rules *rules = parse_defaults_with(dhcp_recipe);
    struct brig_devfs_flat *flat = flatten_ok(rules, 7);
    assert_string_equal(flat->name, "devfsrules_jail_vnet_dhcp");
    assert_true(brig_devfs_visible(flat, "bpf"));
    assert_true(brig_devfs_visible(flat, "bpf0"));
    assert_true(brig_devfs_visible(flat, "pf"));
    assert_true(brig_devfs_visible(flat, "null"));
    assert_false(brig_devfs_visible(flat, "mem"));
    assert_false(brig_devfs_visible(flat, "bpf/x")); /* '*' does not cross '/' */
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_last_matching_rule_wins_and_sets_owner_and_mode(void **state)
{
    struct brig_devfs_rules *rules = parse_ok("[t=10]\n"
                                              "add hide\n"
                                              "add path 'da*' unhide\n"
                                              "add path da0 hide\n"
                                              "add path 'da*' mode 0660 group operator\n"
                                              "add 300 path da1 user 1001 mode 640\n"
                                              "add type tty unhide\n");
    struct brig_devfs_flat *flat = flatten_ok(rules, 10);
    struct brig_devfs_verdict v;
    brig_devfs_eval(flat, "da0", BRIG_DEVFS_T_DISK, &v);
    assert_false(v.visible);
    assert_true(v.has_mode);
    assert_int_equal(v.mode, 0660);
    assert_string_equal(v.group, "operator");
    assert_null(v.user);
    brig_devfs_eval(flat, "da1", BRIG_DEVFS_T_DISK, &v);
    assert_true(v.visible);
    assert_int_equal(v.mode, 0640);
    assert_string_equal(v.user, "1001");
    assert_int_equal(rules->sets[0].rules[4].rulenum, 300);
    /* type rules match a node of that type only */
    brig_devfs_eval(flat, "ttyv0", BRIG_DEVFS_T_TTY, &v);
    assert_true(v.visible);
    assert_false(brig_devfs_visible(flat, "ttyv0"));
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_include_with_condition_applies_only_to_matching_nodes(void **state)
{
    struct brig_devfs_rules *rules = parse_ok("[all=1]\nadd unhide\n"
                                              "[t=2]\nadd hide\nadd path 'b*' include $all\n");
    struct brig_devfs_flat *flat = flatten_ok(rules, 2);
    assert_true(brig_devfs_visible(flat, "bpf0"));
    assert_false(brig_devfs_visible(flat, "null"));
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_include_by_number_and_forward_reference(void **state)
{
    struct brig_devfs_rules *rules =
        parse_ok("[a=1]\nadd hide\nadd include $b\n[b=2]\nadd path null unhide\n"
                 "[c=3]\nadd include 1\n");
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_devfs_rules_resolve(rules, &err), 0);
    struct brig_devfs_flat *flat = flatten_ok(rules, 3);
    assert_true(brig_devfs_visible(flat, "null"));
    assert_false(brig_devfs_visible(flat, "zero"));
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_include_cycle_is_an_error_naming_the_line(void **state)
{
    struct brig_devfs_rules *rules = parse_ok("[a=1]\nadd include $b\n"
                                              "[b=2]\nadd path x hide\nadd include $c\n"
                                              "[c=3]\nadd include $a\n"
                                              "[self=4]\nadd include 4\n");
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_flat *flat = NULL;
    assert_int_equal(brig_devfs_flatten(rules, 1, &flat, &err), -1);
    assert_null(flat);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "devfs.rules:7: include cycle: a -> b -> c -> a");
    assert_int_equal(brig_devfs_flatten(rules, 4, &flat, &err), -1);
    assert_string_equal(err.msg, "devfs.rules:9: include cycle: self -> self");
    assert_int_equal(brig_devfs_rules_resolve(rules, &err), -1);
    assert_string_equal(err.msg, "devfs.rules:7: include cycle: a -> b -> c -> a");
    char ***cmds = NULL;
    assert_int_equal(brig_devfs_render_argv(rules, 2, &cmds, &err), -1);
    assert_null(cmds);
    assert_string_equal(err.msg, "devfs.rules:2: include cycle: b -> c -> a -> b");
    brig_devfs_rules_free(rules);
}

static void test_unknown_include_is_an_error_at_resolution(void **state)
{
    struct brig_devfs_rules *rules =
        parse_ok("[a=1]\nadd hide\n\n[b=2]\nadd include $devfsrules_jale\n[c=3]\nadd include "
                 "99\n");
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_flat *flat = NULL;
    assert_int_equal(brig_devfs_flatten(rules, 2, &flat, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg,
                        "devfs.rules:5: ruleset 'b' includes unknown ruleset '$devfsrules_jale'");
    assert_int_equal(brig_devfs_flatten(rules, 3, &flat, &err), -1);
    assert_string_equal(err.msg, "devfs.rules:7: ruleset 'c' includes unknown ruleset 99");
    assert_int_equal(brig_devfs_flatten(rules, 8, &flat, &err), -1);
    assert_string_equal(err.msg, "devfs.rules: no ruleset number 8");
    assert_int_equal(brig_devfs_rules_resolve(rules, &err), -1);
    assert_string_equal(err.msg,
                        "devfs.rules:5: ruleset 'b' includes unknown ruleset '$devfsrules_jale'");
    /* ruleset 1 does not depend on the broken ones */
    flat = flatten_ok(rules, 1);
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

static void test_malformed_inputs_name_their_line(void **state)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"[a=1]\nadd path null hidee\n",
         "devfs.rules:2: unknown action 'hidee' (did you mean 'hide'?)"},
        {"\n# c\n[a=1] # x\n\nadd path null frobnicate # y\n",
         "devfs.rules:5: unknown action 'frobnicate'"},
        {"add hide\n", "devfs.rules:1: rule before any [name=number] ruleset header"},
        {"[a=1]\n[b=1]\n", "devfs.rules:2: duplicate ruleset number 1 (also 'a' at line 1)"},
        {"[a=1]\n[a=2]\n", "devfs.rules:2: duplicate ruleset name 'a' (also at line 1)"},
        {"[a=0]\n", "devfs.rules:1: invalid ruleset number '0' (1-65535)"},
        {"[a=65536]\n", "devfs.rules:1: invalid ruleset number '65536' (1-65535)"},
        {"[a-b=3]\n", "devfs.rules:1: invalid ruleset name 'a-b' (letters, digits and '_', at "
                      "most 64)"},
        {"[a=1\n", "devfs.rules:1: ruleset header must end with ']'"},
        {"[a]\n", "devfs.rules:1: ruleset header must be [name=number]"},
        {"[a=1]\nadd path 'bpf* unhide\n", "devfs.rules:2: unterminated quote"},
        {"[a=1]\nadd path null\n",
         "devfs.rules:2: rule has no action (hide, unhide, user, group, mode or include)"},
        {"[a=1]\nadd path\n", "devfs.rules:2: 'path' needs a pattern"},
        {"[a=1]\nadd type printer hide\n",
         "devfs.rules:2: unknown device type 'printer' (disk, mem, tape or tty)"},
        {"[a=1]\nadd path null mode 0999\n",
         "devfs.rules:2: invalid mode '0999' (octal, at most 7777)"},
        {"[a=1]\nadd path null mode\n", "devfs.rules:2: 'mode' needs an octal mode"},
        {"[a=1]\nadd include devfsrules_jail\n",
         "devfs.rules:2: include target 'devfsrules_jail' needs a '$' ('$devfsrules_jail') or a "
         "number"},
        {"[a=1]\nadd include 0\n",
         "devfs.rules:2: invalid include target '0' (a $name or 1-65535)"},
        {"[a=1]\nadd path null hide unhide\n", "devfs.rules:2: 'hide' and 'unhide' in one rule"},
        {"[a=1]\nadd path null unhide unhide\n", "devfs.rules:2: action 'unhide' given twice"},
        {"[a=1]\nadd hide path null\n",
         "devfs.rules:2: condition 'path' after an action (conditions come first)"},
        {"[a=1]\ndelset\n", "devfs.rules:2: unsupported rule command 'delset' (only 'add' is "
                            "supported)"},
        {"[a=1]\nadd path $x unhide\n",
         "devfs.rules:2: '$x': ruleset references are only allowed after 'include'"},
        {"[a=1]\nadd path `id` unhide\n",
         "devfs.rules:2: unexpected '`' (shell syntax is not supported)"},
        {"[a=1]\nadd path /dev/null unhide\n",
         "devfs.rules:2: path pattern '/dev/null' must be relative to /dev"},
        {"[a=1]\nadd path null user 'bo b' unhide\n", "devfs.rules:2: invalid user 'bo b'"},
        {"[a=1]\nadd path null path zero unhide\n",
         "devfs.rules:2: more than one 'path' condition"},
        {"[a=1]\nadd 0 hide\n", "devfs.rules:2: invalid rule number '0' (1-65535)"},
    };
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(cases); i++)
        assert_parse_error(cases[i].text, cases[i].msg);
}

static void test_nul_byte_and_oversized_input_are_rejected(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_rules *rules = NULL;
    static const char nul[] = "[a=1]\nadd path n\0ull unhide\n";
    assert_int_equal(brig_devfs_rules_parse(nul, sizeof(nul) - 1, "etc/devfs.rules", &rules, &err),
                     -1);
    assert_string_equal(err.msg, "etc/devfs.rules:2: nul byte in line");

    size_t big = BRIG_DEVFS_TEXT_MAX + 1;
    _cleanup_free_ char *text = brig_xmalloc(big);
    memset(text, '\n', big);
    assert_int_equal(brig_devfs_rules_parse(text, big, NULL, &rules, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "devfs.rules: too large (1048577 bytes, at most 1048576)");

    memset(text, 'x', BRIG_DEVFS_LINE_MAX + 1);
    assert_int_equal(brig_devfs_rules_parse(text, BRIG_DEVFS_LINE_MAX + 1, NULL, &rules, &err), -1);
    assert_string_equal(err.msg, "devfs.rules:1: line too long (at most 4096 bytes)");
}

static void test_exponential_includes_are_bounded(void **state)
{
    /* Each set includes the next one twice: 2^30 rules if unbounded. */
    struct brig_buf b = {0};
    for (int i = 1; i <= 30; i++)
        brig_buf_addf(&b, "[s%d=%d]\nadd include %d\nadd include %d\n", i, i, i + 1, i + 1);
    brig_buf_add(&b, "[s31=31]\nadd path null hide\n");
    struct brig_devfs_rules *rules = parse_ok(b.s);
    brig_buf_free(&b);
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_flat *flat = NULL;
    assert_int_equal(brig_devfs_flatten(rules, 1, &flat, &err), -1);
    assert_string_equal(err.msg, "devfs.rules: ruleset 's1' expands to more than 65536 rules");
    assert_int_equal(brig_devfs_rules_resolve(rules, &err), 0);
    brig_devfs_rules_free(rules);
}

static void test_quoting_comments_and_crlf_follow_rc(void **state)
{
    struct brig_devfs_rules *rules =
        parse_ok("[q=9]\r\nadd path \"tun*\" unhide # tunnels\r\nadd path pts/'*' mode 620\r\n"
                 "add path 'a b'\\* hide\n");
    const struct brig_devfs_ruleset *s = &rules->sets[0];
    assert_int_equal(s->n_rules, 3);
    assert_string_equal(s->rules[0].pattern, "tun*");
    assert_int_equal(s->rules[0].line, 2);
    assert_string_equal(s->rules[1].pattern, "pts/*");
    assert_int_equal(s->rules[1].mode, 0620);
    assert_string_equal(s->rules[2].pattern, "a b*");
    brig_devfs_rules_free(rules);
}

static size_t cmds_len(char ***cmds)
{
    size_t n = 0;
    while (cmds[n])
        n++;
    return n;
}

static void assert_argv(char **argv, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        assert_non_null(argv[i]);
        assert_string_equal(argv[i], want[i]);
    }
    assert_null(argv[i]);
}

static void test_render_argv_loads_dependencies_first_with_delset(void **state)
{
    struct brig_devfs_rules *rules = parse_defaults_with(dhcp_recipe);
    struct brig_err err = BRIG_ERR_INIT;
    char ***cmds = NULL;
    assert_int_equal(brig_devfs_render_argv(rules, 7, &cmds, &err), 0);
    /* sets 1..5 and 7: one delset each plus their rules */
    assert_int_equal(cmds_len(cmds), 6 + 1 + 5 + 40 + 5 + 5 + 2);
    assert_argv(cmds[0], (const char *const[]){"devfs", "rule", "-s", "1", "delset", NULL});
    assert_argv(cmds[1], (const char *const[]){"devfs", "rule", "-s", "1", "add", "hide", NULL});
    assert_argv(cmds[2], (const char *const[]){"devfs", "rule", "-s", "2", "delset", NULL});
    assert_argv(cmds[3], (const char *const[]){"devfs", "rule", "-s", "2", "add", "path", "null",
                                               "unhide", NULL});
    size_t n = cmds_len(cmds);
    assert_argv(cmds[n - 3], (const char *const[]){"devfs", "rule", "-s", "7", "delset", NULL});
    assert_argv(cmds[n - 2],
                (const char *const[]){"devfs", "rule", "-s", "7", "add", "include", "5", NULL});
    assert_argv(cmds[n - 1], (const char *const[]){"devfs", "rule", "-s", "7", "add", "path",
                                                   "bpf*", "unhide", NULL});
    brig_devfs_argv_free(cmds);

    assert_int_equal(brig_devfs_render_argv(rules, 6, &cmds, &err), -1);
    assert_string_equal(err.msg, "devfs.rules: no ruleset number 6");
    brig_devfs_rules_free(rules);
}

static void test_render_argv_keeps_rule_numbers_types_and_owners(void **state)
{
    struct brig_devfs_rules *rules =
        parse_ok("[u=20]\nadd 100 path 'da*' type disk mode 660 group operator user 0\n");
    struct brig_err err = BRIG_ERR_INIT;
    char ***cmds = NULL;
    assert_int_equal(brig_devfs_render_argv(rules, 20, &cmds, &err), 0);
    assert_int_equal(cmds_len(cmds), 2);
    assert_argv(cmds[1], (const char *const[]){"devfs", "rule", "-s", "20", "add", "100", "path",
                                               "da*", "type", "disk", "user", "0", "group",
                                               "operator", "mode", "0660", NULL});
    brig_devfs_argv_free(cmds);
    brig_devfs_rules_free(rules);
}

static struct brig_devnodes plan_ok(unsigned number, const char *extra)
{
    struct brig_devfs_rules *rules = parse_defaults_with(extra);
    struct brig_devfs_flat *flat = flatten_ok(rules, number);
    struct brig_devnodes d;
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_devnodes_plan(flat, NULL, NULL, &d, &err) < 0)
        fail_msg("plan failed: %s", err.msg);
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
    return d;
}

static void assert_char_node(const struct brig_devnodes *d, const char *path, unsigned maj,
                             unsigned min, unsigned mode)
{
    const struct brig_devnode *n = brig_devnodes_find(d, path);
    if (!n)
        fail_msg("no /dev/%s", path);
    assert_int_equal(n->kind, BRIG_DEVNODE_CHAR);
    assert_int_equal(n->major, maj);
    assert_int_equal(n->minor, min);
    assert_int_equal(n->mode, mode);
}

static void assert_link(const struct brig_devnodes *d, const char *path, const char *target)
{
    const struct brig_devnode *n = brig_devnodes_find(d, path);
    if (!n)
        fail_msg("no /dev/%s", path);
    assert_int_equal(n->kind, BRIG_DEVNODE_SYMLINK);
    assert_string_equal(n->target, target);
}

static void assert_basic_linux_set(const struct brig_devnodes *d)
{
    assert_char_node(d, "null", 1, 3, 0666);
    assert_char_node(d, "zero", 1, 5, 0666);
    assert_char_node(d, "full", 1, 7, 0666);
    assert_char_node(d, "random", 1, 8, 0666);
    assert_char_node(d, "urandom", 1, 9, 0666);
    assert_char_node(d, "tty", 5, 0, 0666);
    assert_link(d, "ptmx", "pts/ptmx");
    assert_link(d, "fd", "/proc/self/fd");
    assert_link(d, "stdin", "/proc/self/fd/0");
    assert_link(d, "stdout", "/proc/self/fd/1");
    assert_link(d, "stderr", "/proc/self/fd/2");
    assert_int_equal(brig_devnodes_find(d, "pts")->kind, BRIG_DEVNODE_DIR);
    assert_true(d->devpts);
    for (size_t i = 0; i < d->n; i++) {
        assert_int_equal(d->nodes[i].uid, 0);
        assert_int_equal(d->nodes[i].gid, 0);
    }
    static const char *const never[] = {"mem", "kmem", "port", "io", "console", "kvm"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(never); i++)
        assert_null(brig_devnodes_find(d, never[i]));
}

static void test_linux_ruleset_4_gives_basic_nodes_without_bpf(void **state)
{
    struct brig_devnodes d = plan_ok(4, "");
    assert_basic_linux_set(&d);
    assert_char_node(&d, "fuse", 10, 229, 0666);
    assert_false(d.net_raw);
    assert_false(d.tun);
    assert_false(d.pf);
    assert_null(brig_devnodes_find(&d, "net/tun"));
    assert_non_null(d.unmapped);
    assert_string_equal(d.unmapped[0], "crypto");
    assert_string_equal(d.unmapped[1], "zfs");
    assert_null(d.unmapped[2]);
    brig_devnodes_clear(&d);
}

static void test_linux_ruleset_5_is_4_plus_pf(void **state)
{
    struct brig_devnodes d = plan_ok(5, "");
    assert_basic_linux_set(&d);
    assert_false(d.net_raw);
    assert_true(d.pf);
    brig_devnodes_clear(&d);
}

static void test_linux_dhcp_ruleset_7_grants_raw_sockets(void **state)
{
    struct brig_devnodes d = plan_ok(7, dhcp_recipe);
    assert_basic_linux_set(&d);
    assert_true(d.net_raw);
    assert_true(d.pf);
    assert_false(d.tun);
    brig_devnodes_clear(&d);
}

static void test_linux_tun_and_owner_overrides(void **state)
{
    struct brig_devnodes d = plan_ok(8, "[tunjail=8]\nadd include $devfsrules_jail\n"
                                        "add path 'tun*' unhide\n"
                                        "add path null mode 0600 user 1000 group wheel\n"
                                        "add path mem unhide\n");
    assert_true(d.tun);
    const struct brig_devnode *net = brig_devnodes_find(&d, "net");
    assert_non_null(net);
    assert_int_equal(net->kind, BRIG_DEVNODE_DIR);
    assert_true(net < brig_devnodes_find(&d, "net/tun"));
    assert_char_node(&d, "net/tun", 10, 200, 0666);
    const struct brig_devnode *null = brig_devnodes_find(&d, "null");
    assert_int_equal(null->mode, 0600);
    assert_int_equal(null->uid, 1000);
    assert_int_equal(null->gid, 0);
    /* unhiding mem changes nothing on Linux: it is reported, not created */
    assert_null(brig_devnodes_find(&d, "mem"));
    assert_string_equal(d.unmapped[0], "mem");
    brig_devnodes_clear(&d);
}

static void test_linux_hidden_pts_gives_no_ptmx_or_tty(void **state)
{
    struct brig_devnodes d = plan_ok(9, "[nologin=9]\nadd include $devfsrules_hide_all\n"
                                        "add include $devfsrules_unhide_basic\n");
    assert_char_node(&d, "null", 1, 3, 0666);
    assert_null(brig_devnodes_find(&d, "ptmx"));
    assert_null(brig_devnodes_find(&d, "tty"));
    assert_null(brig_devnodes_find(&d, "pts"));
    assert_null(brig_devnodes_find(&d, "fd"));
    assert_false(d.devpts);
    brig_devnodes_clear(&d);
}

static int resolve_owner(bool group, const char *name, unsigned *ret_id, void *userdata)
{
    if (!group && strcmp(name, "uucp") == 0) {
        *ret_id = 66;
        return 0;
    }
    return -1;
}

static void test_linux_unknown_owner_is_an_error(void **state)
{
    struct brig_devfs_rules *rules =
        parse_ok("[o=3]\nadd path null user uucp\nadd path zero group dialer\n");
    struct brig_devfs_flat *flat = flatten_ok(rules, 3);
    struct brig_devnodes d;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_devnodes_plan(flat, NULL, NULL, &d, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "unknown user 'uucp' for /dev/null");
    assert_int_equal(brig_devnodes_plan(flat, resolve_owner, NULL, &d, &err), -1);
    assert_string_equal(err.msg, "unknown group 'dialer' for /dev/zero");
    assert_null(d.nodes);
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
}

/* What `devfs rule -s N show` prints after a load: numbers as the kernel
 * gives them (100 past the highest so far), types before path, octal mode. */
static void test_show_text_is_what_devfs_prints_after_the_load(void **state)
{
    struct brig_devfs_rules *r =
        parse_defaults_with("[mine=9]\n"
                            "add include $devfsrules_hide_all\n"
                            "add 450 path 'bpf*' unhide\n"
                            "add type tty path 'tty*' mode 0660 group tty\n"
                            "add path pf unhide\n");
    char *show = NULL;
    assert_int_equal(brig_devfs_render_show(r, 9, &show, NULL), 0);
    assert_string_equal(show, "100 include 1\n"
                              "450 path bpf* unhide\n"
                              "550 type tty path tty* group tty mode 660\n"
                              "650 path pf unhide\n");
    free(show);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_devfs_render_show(r, 77, &show, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_null(show);
    brig_devfs_rules_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_show_text_is_what_devfs_prints_after_the_load),
        cmocka_unit_test(test_default_text_has_freebsd_rulesets_1_to_5),
        cmocka_unit_test(test_hide_all_hides_every_node),
        cmocka_unit_test(test_unhide_basic_alone_hides_nothing),
        cmocka_unit_test(test_jail_ruleset_4_unhides_basic_and_login_only),
        cmocka_unit_test(test_jail_vnet_ruleset_5_adds_pf_not_bpf),
        cmocka_unit_test(test_dhcp_recipe_unhides_bpf_on_top_of_vnet),
        cmocka_unit_test(test_last_matching_rule_wins_and_sets_owner_and_mode),
        cmocka_unit_test(test_include_with_condition_applies_only_to_matching_nodes),
        cmocka_unit_test(test_include_by_number_and_forward_reference),
        cmocka_unit_test(test_include_cycle_is_an_error_naming_the_line),
        cmocka_unit_test(test_unknown_include_is_an_error_at_resolution),
        cmocka_unit_test(test_malformed_inputs_name_their_line),
        cmocka_unit_test(test_nul_byte_and_oversized_input_are_rejected),
        cmocka_unit_test(test_exponential_includes_are_bounded),
        cmocka_unit_test(test_quoting_comments_and_crlf_follow_rc),
        cmocka_unit_test(test_render_argv_loads_dependencies_first_with_delset),
        cmocka_unit_test(test_render_argv_keeps_rule_numbers_types_and_owners),
        cmocka_unit_test(test_linux_ruleset_4_gives_basic_nodes_without_bpf),
        cmocka_unit_test(test_linux_ruleset_5_is_4_plus_pf),
        cmocka_unit_test(test_linux_dhcp_ruleset_7_grants_raw_sockets),
        cmocka_unit_test(test_linux_tun_and_owner_overrides),
        cmocka_unit_test(test_linux_hidden_pts_gives_no_ptmx_or_tty),
        cmocka_unit_test(test_linux_unknown_owner_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
