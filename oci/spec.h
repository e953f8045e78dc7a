/* An OCI runtime-spec bundle's config.json, read into plain C data.
 *
 * brig_oci_spec_parse has no side effects: it reads the JSON text (with
 * json-c), keeps the fields brig maps onto a container, and checks them
 * against the runtime-spec's rules for Linux. A refusal is one line naming
 * the field, with BRIG_EUSAGE. Unknown fields are ignored, as the spec asks. */
#ifndef BRIG_OCI_SPEC_H
#define BRIG_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum brig_oci_ns {
    BRIG_OCI_NS_PID,
    BRIG_OCI_NS_NETWORK,
    BRIG_OCI_NS_MOUNT,
    BRIG_OCI_NS_IPC,
    BRIG_OCI_NS_UTS,
    BRIG_OCI_NS_USER,
    BRIG_OCI_NS_CGROUP,
    BRIG_OCI_NS_TIME,
    BRIG_OCI_NS_COUNT,
};

enum brig_oci_hook_kind {
    BRIG_OCI_HOOK_PRESTART,
    BRIG_OCI_HOOK_CREATE_RUNTIME,
    BRIG_OCI_HOOK_CREATE_CONTAINER,
    BRIG_OCI_HOOK_START_CONTAINER,
    BRIG_OCI_HOOK_POSTSTART,
    BRIG_OCI_HOOK_POSTSTOP,
    BRIG_OCI_HOOK_COUNT,
};

struct brig_oci_hook {
    char *path;
    char **args; /* NULL-terminated; NULL: none */
    char **env;
    int timeout; /* seconds; 0: none */
};

struct brig_oci_rlimit {
    int resource; /* RLIMIT_* */
    uint64_t soft, hard;
};

struct brig_oci_idmap {
    uint32_t container_id, host_id, size;
};

struct brig_oci_mount {
    char *destination;
    char *type;     /* NULL: a bind mount when options say so */
    char *source;   /* NULL: none */
    char **options; /* NULL-terminated, never NULL */
};

/* Capability sets as masks of 1 << CAP_x. */
struct brig_oci_caps {
    bool given;
    uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct brig_oci_process {
    bool terminal;
    uint32_t uid, gid;
    uint32_t *additional_gids;
    size_t nadditional_gids;
    char **args; /* NULL-terminated, at least one */
    char **env;  /* NULL-terminated, never NULL */
    char *cwd;
    struct brig_oci_caps caps;
    struct brig_oci_rlimit *rlimits;
    size_t nrlimits;
    bool no_new_privileges;
    bool has_oom_score_adj;
    int oom_score_adj;
};

/* linux.resources; has_x says the field was given. */
struct brig_oci_resources {
    bool has_memory_limit, has_memory_swap, has_cpu_shares, has_cpu_quota, has_cpu_period,
        has_pids_limit;
    int64_t memory_limit, memory_swap;
    uint64_t cpu_shares, cpu_period;
    int64_t cpu_quota, pids_limit;
    char *cpuset_cpus, *cpuset_mems; /* NULL: not given */
    char **unified;                  /* cgroup2 file, value, …; NULL: not given */
};

struct brig_oci_seccomp_arg {
    unsigned index;
    uint64_t value, value_two;
    int op; /* enum scmp_compare */
};

struct brig_oci_seccomp_rule {
    char **names; /* NULL-terminated */
    uint32_t action;
    struct brig_oci_seccomp_arg *args;
    size_t nargs;
};

struct brig_oci_seccomp {
    uint32_t default_action; /* SCMP_ACT_* value */
    char **arches;           /* NULL-terminated, "SCMP_ARCH_X86_64" form; never NULL */
    struct brig_oci_seccomp_rule *rules;
    size_t nrules;
};

struct brig_oci_spec {
    char *oci_version;
    bool has_process;
    struct brig_oci_process process;
    char *root_path;
    bool root_readonly;
    char *hostname;
    struct brig_oci_mount *mounts;
    size_t nmounts;
    struct brig_oci_hook *hooks[BRIG_OCI_HOOK_COUNT];
    size_t nhooks[BRIG_OCI_HOOK_COUNT];
    char **annotations; /* NULL-terminated key, value, key, value …; never NULL */
    /* linux */
    bool ns_given[BRIG_OCI_NS_COUNT];
    char *ns_path[BRIG_OCI_NS_COUNT]; /* NULL: a new namespace */
    struct brig_oci_idmap *uid_mappings, *gid_mappings;
    size_t nuid_mappings, ngid_mappings;
    char *cgroups_path;
    struct brig_oci_resources resources;
    char **sysctl; /* NULL-terminated key, value …; never NULL */
    char **masked_paths;
    char **readonly_paths;
    char *rootfs_propagation;
    struct brig_oci_seccomp *seccomp; /* NULL: none */
};

/* Parse and check config.json text. On failure *ret is left empty. */
int brig_oci_spec_parse(const char *text, size_t len, struct brig_oci_spec *ret,
                        struct brig_err *err);
void brig_oci_spec_free(struct brig_oci_spec *s);
/* Parse a process object alone (exec --process) with the same rules. */
int brig_oci_process_parse(const char *text, size_t len, struct brig_oci_process *p,
                           struct brig_err *err);
void brig_oci_process_free(struct brig_oci_process *p);

/* The runtime-spec's name of a namespace ("pid", "network", …) and of a hook
 * kind ("prestart", "createRuntime", …). */
const char *brig_oci_ns_name(enum brig_oci_ns ns);
const char *brig_oci_hook_name(enum brig_oci_hook_kind k);
/* The capability's number for "CAP_SYS_ADMIN" form names, or -1. */
int brig_oci_cap_from_name(const char *name);
/* A linux.resources object alone (update --resources). */
int brig_oci_resources_parse(const char *text, size_t len, struct brig_oci_resources *ret,
                             struct brig_err *err);
/* "CAP_x" for a capability number, NULL past the last one brig knows. */
const char *brig_oci_cap_name(int cap);
/* A config.json for a busybox-style rootfs in ./rootfs (the `spec` verb);
 * rootless: with a user namespace mapping the caller's ids. */
char *brig_oci_spec_default(bool rootless);
/* The rlimit's number for "RLIMIT_NOFILE" form names, or -1. */
int brig_oci_rlimit_from_name(const char *name);

#endif
