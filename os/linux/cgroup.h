/* Jail cgroups on cgroup v1, v2 and hybrid hosts.
 *
 * The layout is read once per process. A jail's cgroup is
 * <root>/brig/<nodeid>/<jname> under the root of every mounted hierarchy
 * (each v1 hierarchy, named ones included, and the v2 one): the node id of
 * the workdir keeps two workdirs' jails of one name apart. brig never moves
 * its own process: the jail's processes are attached to the leaf, and the
 * brig/ and brig/<nodeid>/ levels hold no process, so the v2 "no internal
 * processes" rule is kept when controllers are enabled in their
 * cgroup.subtree_control; on v1 each level takes its parent's cpuset.
 *
 * Each limit goes to the hierarchy that owns its controller: on a hybrid host
 * memory, pids, cpu and cpuset are usually bound to v1, while the v2
 * hierarchy provides cgroup.kill and cgroup.freeze.
 *
 * openfiles is not a cgroup limit: the jail's init calls
 * brig_cgroup_apply_openfiles() in its own process before it execs anything.
 *
 * Ordering for a jail start: create, set_limits, then attach the jail's init
 * before it unshares CLONE_NEWCGROUP, so the jail sees its leaf as its root. */
#ifndef BRIG_OS_LINUX_CGROUP_H
#define BRIG_OS_LINUX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

enum brig_cgroup_layout {
    BRIG_CGROUP_NONE = 0, /* no cgroup file system mounted */
    BRIG_CGROUP_V1,
    BRIG_CGROUP_V2,
    BRIG_CGROUP_HYBRID, /* v1 controllers plus a v2 hierarchy */
};

/* The cgroup facts of this host, for `brig inventory`. */
struct brig_cgroup_facts {
    enum brig_cgroup_layout layout;
    char **controllers; /* NULL-terminated, sorted: every controller usable by brig */
    char *v2_root;      /* mount point of the v2 hierarchy, or NULL */
};

/* Limits of one jail; 0 (or NULL) means no limit. */
struct brig_cgroup_limits {
    uint64_t memoryuse; /* bytes of memory plus swap; at least 1 MiB */
    uint64_t maxproc;   /* tasks (pids.max) */
    unsigned pcpu;      /* percent of one CPU (cpu.max); above 100 spans several CPUs */
    const char *cpuset; /* CPU list like "0-1,3"; NULL, "" or "0" (CBSD's "none") mean all */
};

/* Name of a layout: "none", "v1", "v2" or "hybrid". */
const char *brig_cgroup_layout_name(enum brig_cgroup_layout layout);

/* Fill *ret with this host's layout and controllers (detected once, then cached). */
int brig_cgroup_probe(struct brig_cgroup_facts *ret, struct brig_err *err);
/* Free what brig_cgroup_probe put in *f. */
void brig_cgroup_facts_clear(struct brig_cgroup_facts *f);

/* Use the cgroup2 file system mounted at root as a pure v2 host, ignoring
 * mountinfo (tests; hosts where detection must be overridden). NULL: detect again. */
int brig_cgroup_set_v2_root(const char *root, struct brig_err *err);

/* Scope every jail cgroup of this process to the workdir's node id: jails
 * live in brig/<nodeid>/<jname>, so two workdirs never share one. NULL or ""
 * gives brig/<jname> (tests). */
int brig_cgroup_set_node(const char *nodeid, struct brig_err *err);

/* Check limits without touching anything; bad input gives BRIG_EUSAGE. */
int brig_cgroup_limits_check(const struct brig_cgroup_limits *lim, struct brig_err *err);

/* Check limits against this host: their controllers exist and cpuset's CPUs are
 * online; BRIG_EUSAGE naming the parameter. */
int brig_cgroup_limits_host_check(const struct brig_cgroup_limits *lim, struct brig_err *err);

/* Create the jail's cgroup in every hierarchy; an existing one is kept. */
int brig_cgroup_create(const char *jname, struct brig_err *err);
/* Create the jail's cgroup only in the hierarchies a jail with limits lim needs
 * (see brig_cgroup_join); lim NULL: in every hierarchy. */
int brig_cgroup_create_for(const char *jname, const struct brig_cgroup_limits *lim,
                           struct brig_err *err);
/* Write the limits (all of them: a 0 field removes that limit). */
int brig_cgroup_set_limits(const char *jname, const struct brig_cgroup_limits *lim,
                           struct brig_err *err);
/* Move pid into the jail's cgroup in every hierarchy. */
/* Attach pid to the hierarchies a jail with limits lim needs: the v2 one (skipped
 * when in_v2: the pid was cloned into it) and the v1 ones whose controllers lim
 * uses; every hierarchy when there is no v2 one or lim is NULL. */
int brig_cgroup_join(const char *jname, pid_t pid, const struct brig_cgroup_limits *lim, bool in_v2,
                     struct brig_err *err);
/* The cgroup.procs files of those hierarchies (for jexec to join the same set). */
int brig_cgroup_join_paths(const char *jname, const struct brig_cgroup_limits *lim,
                           char ***ret_paths, struct brig_err *err);
/* An fd of the jail's v2 cgroup for clone3(CLONE_INTO_CGROUP), or -1 without v2. */
int brig_cgroup_v2_open(const char *jname, int *ret_fd, struct brig_err *err);
int brig_cgroup_attach(const char *jname, pid_t pid, struct brig_err *err);
/* Hand the jail's cgroup2 cgroup to uid:gid, as a delegated subtree: the
 * directory and the files that create, move and enable in it (a jail whose
 * own init system manages its cgroups), at most 32 levels deep. No cgroup2
 * hierarchy: nothing to do. */
int brig_cgroup_delegate(const char *jname, uid_t uid, gid_t gid, struct brig_err *err);
/* The cgroup.procs file of the cgroup2 cgroup pid is in, when that is the
 * jail's or one below it (*ret_path NULL otherwise, or without cgroup2):
 * where jexec joins a jail whose init system enabled controllers in the
 * jail's cgroup, which then takes no process of its own. */
int brig_cgroup_v2_procs_of(const char *jname, pid_t pid, char **ret_path, struct brig_err *err);
/* The cgroup.procs files a process writes "0" to to join the jail (jexec). */
int brig_cgroup_procs_paths(const char *jname, char ***ret_paths, struct brig_err *err);
/* The pids in the jail's cgroup and its descendants (*ret_pids malloc'ed). */
int brig_cgroup_pids(const char *jname, pid_t **ret_pids, size_t *ret_n, struct brig_err *err);
/* SIGKILL every process in the jail's cgroup (cgroup.kill, else freeze, kill, thaw). */
int brig_cgroup_kill(const char *jname, struct brig_err *err);
/* Freeze every process of the jail's cgroup (waiting, bounded, until they are
 * stopped) or thaw them: cgroup.freeze (v2), else the v1 freezer. */
int brig_cgroup_freeze(const char *jname, bool frozen, struct brig_err *err);
/* Remove the jail's cgroup everywhere, waiting briefly for the last processes
 * to exit; a missing cgroup is success. */
int brig_cgroup_remove(const char *jname, struct brig_err *err);
/* Kill every process of the jail's cgroup and remove it; none is success. */
int brig_cgroup_destroy(const char *jname, struct brig_err *err);
/* Whether the jail's cgroup exists in any hierarchy. */
bool brig_cgroup_exists(const char *jname);
/* Names of all jail cgroups brig has (sorted, NULL-terminated), for recovery. */
int brig_cgroup_list(char ***ret_jnames, struct brig_err *err);

/* Set RLIMIT_NOFILE (soft and hard) of the calling process; 0 leaves it alone. */
int brig_cgroup_apply_openfiles(uint64_t openfiles, struct brig_err *err);

#endif
