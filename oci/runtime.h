/* brig as an OCI runtime: the containers of one state root (runc's --root),
 * each a directory <root>/<id> with its config, its state and, while a
 * lifecycle operation runs, its journal.
 *
 * create is a table of steps with undo run by brig's lifecycle engine
 * (core/lifecycle.h): the state directory, the cgroup (brig's cgroup code,
 * named oci-<id>), the container's process (cloned into its namespaces,
 * set up, then waiting on <root>/<id>/exec.fifo until start) and the
 * createRuntime and prestart hooks. A create killed at any step leaves its
 * journal; the next command on that root undoes every step. */
#ifndef BRIG_OCI_RUNTIME_H
#define BRIG_OCI_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"
#include "oci/spec.h"

enum brig_oci_status {
    BRIG_OCI_CREATING,
    BRIG_OCI_CREATED,
    BRIG_OCI_RUNNING,
    BRIG_OCI_PAUSED,
    BRIG_OCI_STOPPED,
};

struct brig_oci_create_opts {
    const char *bundle;         /* absolute */
    const char *pid_file;       /* NULL: none */
    const char *console_socket; /* NULL: none */
    int preserve_fds;           /* fds 3 … 3+n-1 passed to the process */
    bool no_pivot;
};

/* What `state` reports. */
struct brig_oci_state {
    char *id;
    char *bundle;
    char *created; /* RFC 3339 */
    pid_t pid;
    int64_t starttime;
    enum brig_oci_status status;
    char **annotations; /* key, value, …; never NULL */
};

struct brig_oci_exec_opts {
    const char *process_json; /* path of a process object */
    const char *pid_file;
    const char *console_socket;
    bool detach;
    bool tty;
    const char *cwd; /* overrides, NULL: from process_json */
    char **argv;     /* used when process_json is NULL */
    char **env;      /* extra NAME=VALUE */
    int preserve_fds;
};

const char *brig_oci_status_name(enum brig_oci_status s);
/* A container id: letters, digits, '_', '-', '.', not starting with '.'. */
int brig_oci_id_check(const char *id, struct brig_err *err);

int brig_oci_create(const char *root, const char *id, const struct brig_oci_create_opts *o,
                    struct brig_err *err);
int brig_oci_start(const char *root, const char *id, struct brig_err *err);
int brig_oci_state_get(const char *root, const char *id, struct brig_oci_state *ret,
                       struct brig_err *err);
void brig_oci_state_free(struct brig_oci_state *s);
/* The state as the runtime-spec's JSON (malloc'ed). */
char *brig_oci_state_json(const struct brig_oci_state *s, bool pretty);
int brig_oci_kill(const char *root, const char *id, int sig, bool all, struct brig_err *err);
int brig_oci_delete(const char *root, const char *id, bool force, struct brig_err *err);
/* Ids of the containers under root (sorted, NULL-terminated). */
int brig_oci_list(const char *root, char ***ret_ids, struct brig_err *err);
int brig_oci_pids(const char *root, const char *id, pid_t **ret_pids, size_t *ret_n,
                  struct brig_err *err);
int brig_oci_pause(const char *root, const char *id, bool pause, struct brig_err *err);
/* Set the limits given in res (the others keep the config's) on the
 * container's cgroup. */
int brig_oci_update(const char *root, const char *id, const struct brig_oci_resources *res,
                    struct brig_err *err);
/* Run a process in the container; without detach *ret_status is its exit status. */
int brig_oci_exec(const char *root, const char *id, const struct brig_oci_exec_opts *o,
                  int *ret_status, struct brig_err *err);
/* Undo what creates killed part-way left under root. */
int brig_oci_recover(const char *root, struct brig_err *err);

#endif
