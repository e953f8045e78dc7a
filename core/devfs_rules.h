/* devfs.rules(5): a side-effect-free parser for ${workdir}/etc/devfs.rules,
 * the default rulesets brig ships (FreeBSD's 1-5), flattening a ruleset with
 * its includes expanded, evaluation with FreeBSD's semantics, and the
 * devfs(8) commands that load a ruleset on a FreeBSD host. */
#ifndef BRIG_DEVFS_RULES_H
#define BRIG_DEVFS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Limits: input beyond them is rejected with BRIG_EUSAGE, never allocated. */
#define BRIG_DEVFS_TEXT_MAX     (1024 * 1024) /* bytes of rules text */
#define BRIG_DEVFS_LINE_MAX     4096          /* bytes in one line */
#define BRIG_DEVFS_RULESETS_MAX 1024          /* sections in one file */
#define BRIG_DEVFS_RULES_MAX    16384         /* rules in one file */
#define BRIG_DEVFS_FLAT_MAX     65536         /* rules of one ruleset after includes */
#define BRIG_DEVFS_DEPTH_MAX    32            /* include nesting */
#define BRIG_DEVFS_NAME_MAX     64            /* ruleset name length */
#define BRIG_DEVFS_NUM_MAX      65535         /* ruleset and rule numbers: 1..65535 */

/* Device types of `add type ...` (FreeBSD's cdevsw D_DISK, D_MEM, D_TAPE, D_TTY). */
enum brig_devfs_type {
    BRIG_DEVFS_T_DISK = 1 << 0,
    BRIG_DEVFS_T_MEM = 1 << 1,
    BRIG_DEVFS_T_TAPE = 1 << 2,
    BRIG_DEVFS_T_TTY = 1 << 3,
};

/* Actions of one rule; a rule may carry several (`mode 0660 group operator`). */
enum brig_devfs_action {
    BRIG_DEVFS_A_HIDE = 1 << 0,
    BRIG_DEVFS_A_UNHIDE = 1 << 1,
    BRIG_DEVFS_A_USER = 1 << 2,
    BRIG_DEVFS_A_GROUP = 1 << 3,
    BRIG_DEVFS_A_MODE = 1 << 4,
    BRIG_DEVFS_A_INCLUDE = 1 << 5,
};

/* One `add ...` line: conditions (pattern, types; none means every node)
 * and actions. */
struct brig_devfs_rule {
    unsigned line;      /* 1-based line in the source text */
    unsigned rulenum;   /* explicit number of `add N ...`, 0 when none */
    char *pattern;      /* `path` glob relative to /dev (fnmatch, FNM_PATHNAME), or NULL */
    unsigned types;     /* mask of enum brig_devfs_type, 0 when no `type` condition */
    unsigned actions;   /* mask of enum brig_devfs_action */
    char *user;         /* A_USER: user name or number, as written */
    char *group;        /* A_GROUP: group name or number, as written */
    unsigned mode;      /* A_MODE: permission bits, at most 07777 */
    char *include_name; /* A_INCLUDE by `$name`: the name; NULL when given by number */
    unsigned include;   /* A_INCLUDE: the ruleset number (0 until resolved when by name) */
};

/* One `[name=number]` section and its rules in file order. */
struct brig_devfs_ruleset {
    char *name;
    unsigned number;
    unsigned line; /* line of the section header */
    struct brig_devfs_rule *rules;
    size_t n_rules;
};

/* A parsed devfs.rules file. */
struct brig_devfs_rules {
    char *fname; /* name used in error messages ("devfs.rules") */
    struct brig_devfs_ruleset *sets;
    size_t n_sets;
};

/* One rule of a flattened ruleset: a copy of a rule without A_INCLUDE, plus
 * the conditions of the include rules it came through (all must match too). */
struct brig_devfs_guard {
    char *pattern; /* NULL: any path */
    unsigned types;
};
struct brig_devfs_flat_rule {
    struct brig_devfs_rule rule;
    struct brig_devfs_guard *guards;
    size_t n_guards;
};

/* A ruleset with its includes expanded, in the order FreeBSD applies them. */
struct brig_devfs_flat {
    unsigned number;
    char *name;
    struct brig_devfs_flat_rule *rules;
    size_t n_rules;
};

/* What a ruleset says about one node. */
struct brig_devfs_verdict {
    bool visible;
    bool has_mode;
    unsigned mode;
    const char *user;  /* NULL: unchanged; points into the flat ruleset */
    const char *group; /* NULL: unchanged; points into the flat ruleset */
};

/* The devfs.rules text brig ships: FreeBSD's default rulesets 1-5 and a comment on adding one. */
const char *brig_devfs_rules_default(void);

/* Parse len bytes of devfs.rules text; fname (NULL: "devfs.rules") prefixes
 * errors as "fname:LINE: ...". Includes are checked later, by resolve/flatten. */
int brig_devfs_rules_parse(const char *text, size_t len, const char *fname,
                           struct brig_devfs_rules **ret, struct brig_err *err);
/* Free a parsed file; NULL is fine. */
void brig_devfs_rules_free(struct brig_devfs_rules *rules);

/* The ruleset with this number, or NULL. */
const struct brig_devfs_ruleset *brig_devfs_rules_find(const struct brig_devfs_rules *rules,
                                                       unsigned number);
/* The ruleset with this name, or NULL. */
const struct brig_devfs_ruleset *brig_devfs_rules_find_name(const struct brig_devfs_rules *rules,
                                                            const char *name);
/* Resolve every `include $name` to its number and reject unknown targets and
 * include cycles in every ruleset (BRIG_EUSAGE, naming the line). */
int brig_devfs_rules_resolve(struct brig_devfs_rules *rules, struct brig_err *err);

/* Flatten ruleset number into its ordered rules with includes expanded
 * (resolves names itself; unknown number, unknown include and cycles are BRIG_EUSAGE). */
int brig_devfs_flatten(const struct brig_devfs_rules *rules, unsigned number,
                       struct brig_devfs_flat **ret, struct brig_err *err);
/* Free a flattened ruleset; NULL is fine. */
void brig_devfs_flat_free(struct brig_devfs_flat *flat);

/* Evaluate a node as FreeBSD does: visible until a rule hides it, rules in
 * order, the last matching action wins. path is relative to /dev ("pts/0");
 * types is the node's enum brig_devfs_type mask (0: type rules never match). */
void brig_devfs_eval(const struct brig_devfs_flat *flat, const char *path, unsigned types,
                     struct brig_devfs_verdict *ret);
/* Whether path (relative to /dev, no type) is visible under the flattened ruleset. */
bool brig_devfs_visible(const struct brig_devfs_flat *flat, const char *path);
/* A REALDHCP NIC's check: its DHCP client reads and writes raw frames
 * through bpf(4), so the ruleset must unhide bpf (on Linux: raw sockets);
 * BRIG_EUSAGE with the recipe of a ruleset that does. */
int brig_devfs_check_dhcp(const struct brig_devfs_flat *flat, int nic_idx, struct brig_err *err);

/* The devfs(8) commands that load ruleset number on FreeBSD, as a
 * NULL-terminated array of NULL-terminated argv vectors: for each ruleset it
 * includes (dependencies first) and then itself, `devfs rule -s N delset`
 * followed by one `devfs rule -s N add ...` per rule. Free with brig_devfs_argv_free. */
int brig_devfs_render_argv(const struct brig_devfs_rules *rules, unsigned number, char ****ret_cmds,
                           struct brig_err *err);
/* What `devfs rule -s NUMBER show` prints once that ruleset is loaded (its
 * own rules, includes as numbers), to tell whether the kernel already has it. */
int brig_devfs_render_show(const struct brig_devfs_rules *rules, unsigned number, char **ret,
                           struct brig_err *err);
/* Free what brig_devfs_render_argv returned; NULL is fine. */
void brig_devfs_argv_free(char ***cmds);

#endif
