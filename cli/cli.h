/* brig(8)'s command line: the verb table, argument handling and output. The
 * only place that prints errors. */
#ifndef BRIG_CLI_H
#define BRIG_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "brig.h"
#include "kv.h"

/* A verb's own key (besides jail parameters). */
struct cli_opt {
    const char *name;
    const char *type;
    const char *def;
    const char *help;
};

struct cli;

struct cli_verb {
    const char *name;
    int (*run)(struct cli *cli, struct brig_err *err);
    const char *summary;
    const char *usage;          /* argument synopsis after the verb name */
    const struct cli_opt *opts; /* NULL-name terminated */
    bool jail_params;           /* takes jail parameters (listed by --help) */
    bool vm_params;             /* takes VM parameters (with jail_params: listed are a VM's) */
    bool listing;               /* takes --json / format=json */
    bool rest;                  /* takes "-- CMD ..." */
    bool words;                 /* takes bare words (jget's parameter names) */
    bool records;               /* changes records only, never the kernel: --os=OTHER is
                                   allowed without --dry-run */
    bool dry_run;               /* --dry-run shows what it would do and changes nothing */
};

struct cli {
    const struct cli_verb *verb;
    struct brig_ctx ctx;
    struct brig_kvlist kv; /* key=value arguments, workdir= and format= removed */
    char **rest;           /* words after "--" */
    char **words;          /* bare words, for verbs that take them */
    bool json;
    int exit_status;  /* jexec: the command's status becomes brig's */
    bool quiet_error; /* the error was printed already (by a helper program) */
};

extern const struct cli_verb cli_verbs[];
extern const size_t cli_verbs_count;

/* Fail with BRIG_EUSAGE unless every key is a verb option (or, with jail_params,
 * a jail parameter); suggests the nearest known key. */
int cli_check_keys(struct cli *cli, struct brig_err *err);
/* BRIG_EUSAGE for a verb brig does not know, saying what brig has instead
 * of CBSD's verbs, or suggesting a verb of the same kind. */
int cli_unknown_verb(const char *verb, struct brig_err *err);
/* The value of key, or NULL. */
const char *cli_get(struct cli *cli, const char *key);
/* The value of a required key; BRIG_EUSAGE "jname= is required" when missing. */
int cli_need(struct cli *cli, const char *key, const char **ret, struct brig_err *err);
/* A 0/1 option; default when missing. */
int cli_bool(struct cli *cli, const char *key, bool def, bool *ret, struct brig_err *err);

/* A table for listing verbs: printed aligned with a header, or as JSON. */
struct cli_table {
    size_t ncols, nrows, cap;
    const char **head; /* column names, lower case (JSON keys) */
    bool *numeric;     /* JSON: print unquoted */
    bool *boolean;     /* JSON: 0 and 1 as false and true (NULL: none) */
    char **cells;      /* nrows * ncols, owned */
};
void cli_table_init(struct cli_table *t, size_t ncols, const char **head, bool *numeric);
void cli_table_add(struct cli_table *t, const char *const *row);
void cli_table_print(const struct cli_table *t, FILE *out, bool json, bool header);
void cli_table_free(struct cli_table *t);
void cli_json_string(FILE *out, const char *s);
/* --dry-run of jcreate and bcreate: the record as it would be made, as jconf lines. */
void cli_print_would_create(const struct brig_jail *j);
/* The table of a listing verb (jls, bls): the display= columns, each a
 * parameter or the live jid, status or pid. */
#define CLI_LISTING_MAX 64
enum { CLI_COL_PARAM, CLI_COL_JID, CLI_COL_STATUS, CLI_COL_PID };
struct cli_listing {
    struct cli_table t;
    size_t ncols, nparams;
    size_t offset; /* where the parameters start in a row's values */
    bool header;
    bool state; /* a column needs each record's process looked at */
    char *copy; /* display=, cut into the column names */
    const char *head[CLI_LISTING_MAX];
    int kind[CLI_LISTING_MAX];
    size_t slot[CLI_LISTING_MAX]; /* CLI_COL_PARAM: index into params */
    bool numeric[CLI_LISTING_MAX], boolean[CLI_LISTING_MAX];
    enum brig_param_id params[CLI_LISTING_MAX];
};
/* Read display= (def when missing) and header=; vm: only the parameters of VMs. */
int cli_listing_init(struct cli *cli, const char *def, bool vm, struct cli_listing *l,
                     struct brig_err *err);
/* One record; status NULL: running or stopped. */
void cli_listing_add(struct cli_listing *l, const struct brig_jls_row *row, const char *status);
/* Print the table when r is 0, free it, and return r. */
int cli_listing_finish(struct cli *cli, struct cli_listing *l, int r);

/* A parameter's value in JSON, typed as jls --json and jget --json show it:
 * integers as numbers, 0/1 flags as booleans, the rest as strings. */
void cli_json_param(FILE *out, enum brig_param_id id, const char *v);
/* Whether a parameter's JSON value is a number, or a boolean. */
bool cli_param_is_number(enum brig_param_id id);
bool cli_param_is_boolean(enum brig_param_id id);
/* A value on one line: backslash, newline, tab and other control bytes escaped
 * (\\, \n, \t, \xHH). */
void cli_text_value(FILE *out, const char *s);

/* Verb implementations. */
int cli_initenv(struct cli *cli, struct brig_err *err);
int cli_inventory(struct cli *cli, struct brig_err *err);
int cli_jcreate(struct cli *cli, struct brig_err *err);
int cli_jls(struct cli *cli, struct brig_err *err);
int cli_jget(struct cli *cli, struct brig_err *err);
int cli_jset(struct cli *cli, struct brig_err *err);
int cli_jconfig(struct cli *cli, struct brig_err *err);
int cli_jremove(struct cli *cli, struct brig_err *err);
int cli_jrename(struct cli *cli, struct brig_err *err);
int cli_jclone(struct cli *cli, struct brig_err *err);
int cli_bclone(struct cli *cli, struct brig_err *err);
int cli_jstart(struct cli *cli, struct brig_err *err);
int cli_jstop(struct cli *cli, struct brig_err *err);
int cli_jrestart(struct cli *cli, struct brig_err *err);
int cli_jexec(struct cli *cli, struct brig_err *err);
int cli_jlogin(struct cli *cli, struct brig_err *err);
int cli_recover(struct cli *cli, struct brig_err *err);
int cli_repo(struct cli *cli, struct brig_err *err);
int cli_jexport(struct cli *cli, struct brig_err *err);
int cli_jimport(struct cli *cli, struct brig_err *err);
int cli_bexport(struct cli *cli, struct brig_err *err);
int cli_bimport(struct cli *cli, struct brig_err *err);
int cli_jmigrate(struct cli *cli, struct brig_err *err);
int cli_bridge(struct cli *cli, struct brig_err *err);
int cli_jnic(struct cli *cli, struct brig_err *err);
int cli_jfstab(struct cli *cli, struct brig_err *err);
int cli_expose(struct cli *cli, struct brig_err *err);
int cli_jsnapshot(struct cli *cli, struct brig_err *err);
int cli_bcreate(struct cli *cli, struct brig_err *err);
int cli_bls(struct cli *cli, struct brig_err *err);
int cli_bget(struct cli *cli, struct brig_err *err);
int cli_bset(struct cli *cli, struct brig_err *err);
int cli_bremove(struct cli *cli, struct brig_err *err);
int cli_bstart(struct cli *cli, struct brig_err *err);
int cli_bstop(struct cli *cli, struct brig_err *err);
int cli_bconsole(struct cli *cli, struct brig_err *err);

#endif
