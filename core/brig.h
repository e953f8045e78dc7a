/* The core's entry points: one function per verb, called by cli/. The core
 * never prints and never exits; results come back in structs or callbacks. */
#ifndef BRIG_H
#define BRIG_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "kv.h"
#include "model.h"
#include "params.h"

struct brig_store;

/* One invocation's context: workdir, target kernel, and the opened state. */
struct brig_ctx {
    char *workdir;
    enum brig_kernel os;
    bool dry_run;
    struct brig_store *st; /* NULL until brig_ctx_open */
    struct brig_node node;
};

#define BRIG_WORKDIR_DEFAULT "/var/lib/brig"

void brig_ctx_init(struct brig_ctx *c, const char *workdir, enum brig_kernel os);
/* Open the store and read brig.conf; fails with a hint when initenv never ran. */
int brig_ctx_open(struct brig_ctx *c, struct brig_err *err);
void brig_ctx_free(struct brig_ctx *c);
/* ${workdir}/<fmt...>, always inside the workdir. */
char *brig_ctx_path(const struct brig_ctx *c, const char *fmt, ...) BRIG_PRINTF(2, 3);

/* Node settings (etc/brig.conf): a table like the jail parameters. */
struct brig_setting {
    const char *name;
    const char *def; /* NULL: computed (nodename from the host name, gateway4 from the pool) */
    int (*check)(const char *value, struct brig_err *err);
    const char *help;
};
extern const struct brig_setting brig_settings[];
extern const size_t brig_settings_count;
const struct brig_setting *brig_setting_find(const char *name);

/* initenv: create the workdir tree, brig.conf, devfs.rules and the database. */
int brig_initenv(struct brig_ctx *c, const struct brig_kvlist *settings, struct brig_err *err);

/* inventory: the node's facts as ordered key/value pairs; also refreshes
 * nc.inventory and the facts kept in the store. */
int brig_inventory(struct brig_ctx *c, struct brig_kvlist *ret, struct brig_err *err);

/* jcreate: validate args (parameters, or jconf=FILE), record the jail with its NICs
 * and addresses, and create its directories. On failure nothing is left. */
int brig_jcreate(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_jail *ret,
                 struct brig_err *err);
/* jset: change parameters of an existing jail. */
int brig_jset(struct brig_ctx *c, const char *jname, const struct brig_kvlist *args,
              struct brig_err *err);
/* Replace the whole configuration of jname with a jconf text (jconfig's editor). */
int brig_jconf_apply(struct brig_ctx *c, const char *jname, const char *text, struct brig_err *err);
/* The jail's configuration as jconf text. */
int brig_jconf_render(struct brig_ctx *c, const char *jname, char **ret, struct brig_err *err);
int brig_jget(struct brig_ctx *c, const char *jname, struct brig_jail *ret, struct brig_err *err);
/* jremove: refuse a running jail unless force. */
int brig_jremove(struct brig_ctx *c, const char *jname, bool force, struct brig_err *err);

/* jls: one callback per jail with the requested columns and its live state. */
struct brig_jls_row {
    int64_t jid;
    bool running;
    int64_t pid;
    const char *const *v;
};
typedef int (*brig_jls_cb)(const struct brig_jls_row *row, void *ud);
int brig_jls(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols, brig_jls_cb cb,
             void *ud, struct brig_err *err);

struct brig_buf;
/* jstart: start a recorded jail; with plan, describe the work there instead. */
int brig_jstart(struct brig_ctx *c, const char *jname, struct brig_buf *plan, struct brig_err *err);
/* jstop: run exec_stop, TERM, wait stop_timeout, KILL, tear down. */
int brig_jstop(struct brig_ctx *c, const char *jname, struct brig_buf *plan, struct brig_err *err);
/* Finish or undo what a crashed brig left on jname (recover verb). */
int brig_recover(struct brig_ctx *c, const char *jname, struct brig_err *err);
/* Run argv (NULL: login shell) in the running jail; its exit status in *ret_status. */
int brig_jexec(struct brig_ctx *c, const char *jname, const char *user, char *const *argv,
               bool login, int *ret_status, struct brig_err *err);
bool brig_jail_is_running(struct brig_ctx *c, const char *jname);

/* Remove base name unless a jail uses it. */
int brig_base_remove(struct brig_ctx *c, const char *name, struct brig_err *err);
/* Make sure base name exists (the busybox base is built on demand). */
int brig_base_ensure(struct brig_ctx *c, const char *name, struct brig_err *err);

/* Names of the jails matching jname (a name or a glob); none is an error. */
int brig_jail_match(struct brig_ctx *c, const char *pattern, char ***ret, struct brig_err *err);

#endif
