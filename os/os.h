/* The one interface the core calls for kernel work: an ops table per kernel.
 * os/linux/ executes; os/freebsd/ renders plans. */
#ifndef BRIG_OS_H
#define BRIG_OS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "kv.h"
#include "lifecycle.h"
#include "model.h"
#include "params.h"

struct brig_buf;

/* Everything a backend needs about one jail, assembled by the core. Borrowed. */
struct brig_jail_env {
    const struct brig_jail *jail;
    const struct brig_nic *nics; /* VNET NICs, by idx (NIC 0 mirrors the jail's columns) */
    size_t nnics;
    const struct brig_node *node;
    const char *sysdir;      /* jails-system/<jname>: console log, run files */
    const char *basedir;     /* basejail/<base> */
    const char *devfs_rules; /* text of etc/devfs.rules */
    struct brig_buf *plan;   /* dry run: describe the work here instead of doing it */
};

/* A running jail's identity: its init's pid and start time. */
struct brig_runtime {
    int64_t pid;
    int64_t starttime;
};

struct brig_os_ops {
    const char *name;
    /* Append the node's facts (inventory keys) to facts. */
    int (*inventory)(struct brig_kvlist *facts, struct brig_err *err);
    /* Is the recorded jail init (pid + start time) still running? */
    bool (*alive)(int64_t pid, int64_t starttime);
    /* Make a new jail's data directory from its base (thick jails copy it). */
    int (*prepare)(const struct brig_jail_env *env, struct brig_err *err);
    /* Start the jail; its identity in *ret. Progress goes to the journal. */
    int (*jstart)(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                  struct brig_runtime *ret, struct brig_err *err);
    /* Stop the running jail rt (exec_stop, TERM, stop_timeout, KILL) and tear it down. */
    int (*jstop)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                 const struct brig_journal_hook *journal, struct brig_err *err);
    /* Undo whatever a crashed jstart or jstop left: no process, mount, cgroup or
     * interface of the jail remains. rt may be zero (unknown). */
    int (*recover)(const struct brig_jail_env *env, const struct brig_runtime *rt,
                   struct brig_err *err);
    /* Run argv (NULL: a login shell) inside the running jail as user (NULL: root). */
    int (*jexec)(const struct brig_jail_env *env, const struct brig_runtime *rt, const char *user,
                 char *const *argv, bool login, int *ret_status, struct brig_err *err);
};

/* The ops of kernel k (BRIG_K_LINUX or BRIG_K_FREEBSD). */
const struct brig_os_ops *brig_os_get(enum brig_kernel k);
/* The kernel brig runs on. */
enum brig_kernel brig_os_native(void);

#endif
