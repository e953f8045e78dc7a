/* config.json into struct brig_oci_spec: json-c reads the text, the walkers
 * below keep what brig maps and check the runtime-spec's rules. */
#define _GNU_SOURCE
#include "oci/spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/util.h"

typedef struct json_object jobj;

static const char *const ns_names[BRIG_OCI_NS_COUNT] = {
    [BRIG_OCI_NS_PID] = "pid",       [BRIG_OCI_NS_NETWORK] = "network",
    [BRIG_OCI_NS_MOUNT] = "mount",   [BRIG_OCI_NS_IPC] = "ipc",
    [BRIG_OCI_NS_UTS] = "uts",       [BRIG_OCI_NS_USER] = "user",
    [BRIG_OCI_NS_CGROUP] = "cgroup", [BRIG_OCI_NS_TIME] = "time",
};

static const char *const hook_names[BRIG_OCI_HOOK_COUNT] = {
    [BRIG_OCI_HOOK_PRESTART] = "prestart",
    [BRIG_OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [BRIG_OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [BRIG_OCI_HOOK_START_CONTAINER] = "startContainer",
    [BRIG_OCI_HOOK_POSTSTART] = "poststart",
    [BRIG_OCI_HOOK_POSTSTOP] = "poststop",
};

static const char *const cap_names[] = {
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
};

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static const struct {
    const char *name;
    int op;
} seccomp_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

const char *brig_oci_ns_name(enum brig_oci_ns ns)
{
    return ns_names[ns];
}

const char *brig_oci_hook_name(enum brig_oci_hook_kind k)
{
    return hook_names[k];
}

const char *brig_oci_cap_name(int cap)
{
    static char names[sizeof(cap_names) / sizeof(cap_names[0])][32];
    if (cap < 0 || (size_t)cap >= sizeof(cap_names) / sizeof(cap_names[0]))
        return NULL;
    snprintf(names[cap], sizeof(names[cap]), "CAP_%s", cap_names[cap]);
    return names[cap];
}

int brig_oci_cap_from_name(const char *name)
{
    if (strncmp(name, "CAP_", 4) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
        if (strcmp(name + 4, cap_names[i]) == 0)
            return (int)i;
    return -1;
}

int brig_oci_rlimit_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
        if (strcmp(name, rlimit_names[i].name) == 0)
            return rlimit_names[i].resource;
    return -1;
}

/* A member of o of type t, or NULL when absent or null; a member of another
 * type is an error. */
static int member(jobj *o, const char *where, const char *key, json_type t, jobj **ret,
                  struct brig_err *err)
{
    jobj *v = NULL;
    *ret = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return 0;
    json_type have = json_object_get_type(v);
    /* a number given for a double, or an integral double for an int, is fine */
    if (have != t && !(t == json_type_int && have == json_type_double) &&
        !(t == json_type_double && have == json_type_int))
        return brig_err_set(err, BRIG_EUSAGE, "%s%s%s: must be %s, not %s", where,
                            *where ? "." : "", key, json_type_to_name(t), json_type_to_name(have));
    *ret = v;
    return 0;
}

static int get_str(jobj *o, const char *where, const char *key, char **ret, struct brig_err *err)
{
    jobj *v;
    if (member(o, where, key, json_type_string, &v, err) < 0)
        return -1;
    if (v) {
        const char *s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
            return brig_err_set(err, BRIG_EUSAGE, "%s.%s: contains a NUL byte", where, key);
        *ret = brig_xstrdup(s);
    }
    return 0;
}

static int get_bool(jobj *o, const char *where, const char *key, bool *ret, struct brig_err *err)
{
    jobj *v;
    if (member(o, where, key, json_type_boolean, &v, err) < 0)
        return -1;
    if (v)
        *ret = json_object_get_boolean(v);
    return 0;
}

/* An integer member within [min, max]; *ret_given says it was there. */
static int get_int(jobj *o, const char *where, const char *key, int64_t min, int64_t max,
                   int64_t *ret, bool *ret_given, struct brig_err *err)
{
    jobj *v;
    if (member(o, where, key, json_type_int, &v, err) < 0)
        return -1;
    if (ret_given)
        *ret_given = v != NULL;
    if (!v)
        return 0;
    if (json_object_get_type(v) == json_type_double) {
        double d = json_object_get_double(v);
        /* the cast is defined only within int64_t's range (NaN fails the test too) */
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
            return brig_err_set(err, BRIG_EUSAGE, "%s.%s: %s is out of range", where, key,
                                json_object_to_json_string(v));
        if (d != (double)(int64_t)d)
            return brig_err_set(err, BRIG_EUSAGE, "%s.%s: must be an integer", where, key);
    }
    errno = 0;
    int64_t n = json_object_get_int64(v);
    if (errno == ERANGE || n < min || n > max)
        return brig_err_set(err, BRIG_EUSAGE, "%s.%s: %s is out of range", where, key,
                            json_object_to_json_string(v));
    *ret = n;
    return 0;
}

/* An unsigned 64-bit member (rlimits, seccomp values). */
static int get_u64(jobj *o, const char *where, const char *key, uint64_t *ret, bool *ret_given,
                   struct brig_err *err)
{
    jobj *v;
    if (member(o, where, key, json_type_int, &v, err) < 0)
        return -1;
    if (ret_given)
        *ret_given = v != NULL;
    if (!v)
        return 0;
    const char *text = json_object_to_json_string(v);
    if (text[0] == '-' || json_object_get_type(v) == json_type_double)
        return brig_err_set(err, BRIG_EUSAGE, "%s.%s: %s is not an unsigned integer", where, key,
                            text);
    errno = 0;
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno || *end)
        return brig_err_set(err, BRIG_EUSAGE, "%s.%s: %s is out of range", where, key, text);
    *ret = n;
    return 0;
}

/* An array of strings into a NULL-terminated vector (never NULL when given). */
static int get_strv(jobj *o, const char *where, const char *key, char ***ret, struct brig_err *err)
{
    jobj *a;
    if (member(o, where, key, json_type_array, &a, err) < 0)
        return -1;
    if (!a)
        return 0;
    size_t n = json_object_array_length(a);
    char **v = brig_xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        jobj *e = json_object_array_get_idx(a, i);
        if (!e || json_object_get_type(e) != json_type_string ||
            strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
            brig_strv_free(v);
            return brig_err_set(err, BRIG_EUSAGE, "%s.%s[%zu]: must be a string", where, key, i);
        }
        v[i] = brig_xstrdup(json_object_get_string(e));
    }
    *ret = v;
    return 0;
}

/* An object of string values into key, value, … (never NULL when given). */
static int get_strmap(jobj *o, const char *where, const char *key, char ***ret,
                      struct brig_err *err)
{
    jobj *m;
    if (member(o, where, key, json_type_object, &m, err) < 0)
        return -1;
    if (!m)
        return 0;
    char **v = brig_xcalloc(2 * (size_t)json_object_object_length(m) + 1, sizeof(*v));
    size_t i = 0;
    json_object_object_foreach(m, k, val)
    {
        if (!val || json_object_get_type(val) != json_type_string) {
            brig_strv_free(v);
            return brig_err_set(err, BRIG_EUSAGE, "%s.%s.%s: must be a string", where, key, k);
        }
        v[i++] = brig_xstrdup(k);
        v[i++] = brig_xstrdup(json_object_get_string(val));
    }
    *ret = v;
    return 0;
}

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

static bool env_ok(const char *e)
{
    const char *eq = strchr(e, '=');
    return eq && eq != e;
}

static int parse_caps(jobj *p, struct brig_oci_caps *c, struct brig_err *err)
{
    static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
                                       "ambient"};
    uint64_t *masks[] = {&c->bounding, &c->effective, &c->inheritable, &c->permitted, &c->ambient};
    jobj *o;
    if (member(p, "process", "capabilities", json_type_object, &o, err) < 0)
        return -1;
    if (!o)
        return 0;
    c->given = true;
    for (size_t i = 0; i < 5; i++) {
        _cleanup_strv_ char **names = NULL;
        if (get_strv(o, "process.capabilities", sets[i], &names, err) < 0)
            return -1;
        for (size_t k = 0; names && names[k]; k++) {
            int cap = brig_oci_cap_from_name(names[k]);
            if (cap < 0)
                return brig_err_set(err, BRIG_EUSAGE,
                                    "process.capabilities.%s: unknown capability %s", sets[i],
                                    names[k]);
            *masks[i] |= 1ULL << cap;
        }
    }
    return 0;
}

/* Element i of array a, which must be an object, in *ret; its path in where:
 * fmt's text followed by "[i]". */
BRIG_PRINTF(7, 8)
static int array_object(jobj *a, size_t i, char *where, size_t size, jobj **ret,
                        struct brig_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(where, size, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < size)
        snprintf(where + n, size - (size_t)n, "[%zu]", i);
    jobj *e = json_object_array_get_idx(a, i);
    if (!e || json_object_get_type(e) != json_type_object)
        return brig_err_set(err, BRIG_EUSAGE, "%s: must be an object", where);
    *ret = e;
    return 0;
}

static int parse_rlimits(jobj *p, struct brig_oci_process *pr, struct brig_err *err)
{
    jobj *a;
    if (member(p, "process", "rlimits", json_type_array, &a, err) < 0)
        return -1;
    if (!a)
        return 0;
    size_t n = json_object_array_length(a);
    pr->rlimits = brig_xcalloc(n ? n : 1, sizeof(*pr->rlimits));
    for (size_t i = 0; i < n; i++) {
        char where[64];
        jobj *e;
        if (array_object(a, i, where, sizeof(where), &e, err, "process.rlimits") < 0)
            return -1;
        _cleanup_free_ char *type = NULL;
        bool hs = false, hh = false;
        struct brig_oci_rlimit *r = &pr->rlimits[i];
        if (get_str(e, where, "type", &type, err) < 0 ||
            get_u64(e, where, "soft", &r->soft, &hs, err) < 0 ||
            get_u64(e, where, "hard", &r->hard, &hh, err) < 0)
            return -1;
        if (!type || !hs || !hh)
            return brig_err_set(err, BRIG_EUSAGE, "%s: type, soft and hard are required", where);
        r->resource = brig_oci_rlimit_from_name(type);
        if (r->resource < 0)
            return brig_err_set(err, BRIG_EUSAGE, "%s.type: unknown rlimit %s", where, type);
        for (size_t k = 0; k < i; k++)
            if (pr->rlimits[k].resource == r->resource)
                return brig_err_set(err, BRIG_EUSAGE, "%s.type: %s is given twice", where, type);
        if (r->soft > r->hard)
            return brig_err_set(err, BRIG_EUSAGE, "%s: soft is above hard", where);
        pr->nrlimits++;
    }
    return 0;
}

static int parse_process_obj(jobj *p, struct brig_oci_process *pr, struct brig_err *err)
{
    if (get_bool(p, "process", "terminal", &pr->terminal, err) < 0 ||
        get_strv(p, "process", "args", &pr->args, err) < 0 ||
        get_strv(p, "process", "env", &pr->env, err) < 0 ||
        get_str(p, "process", "cwd", &pr->cwd, err) < 0 ||
        get_bool(p, "process", "noNewPrivileges", &pr->no_new_privileges, err) < 0)
        return -1;
    if (!pr->env)
        pr->env = brig_xcalloc(1, sizeof(char *));
    if (!pr->args || !pr->args[0])
        return brig_err_set(err, BRIG_EUSAGE, "process.args: at least one argument is required");
    if (!pr->cwd)
        return brig_err_set(err, BRIG_EUSAGE, "process.cwd: is required");
    if (pr->cwd[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "process.cwd: %s is not an absolute path", pr->cwd);
    for (size_t i = 0; pr->env[i]; i++)
        if (!env_ok(pr->env[i]))
            return brig_err_set(err, BRIG_EUSAGE, "process.env[%zu]: %s is not NAME=VALUE", i,
                                pr->env[i]);
    int64_t oom = 0;
    if (get_int(p, "process", "oomScoreAdj", -1000, 1000, &oom, &pr->has_oom_score_adj, err) < 0)
        return -1;
    pr->oom_score_adj = (int)oom;
    jobj *u;
    if (member(p, "process", "user", json_type_object, &u, err) < 0)
        return -1;
    if (u) {
        int64_t uid = 0, gid = 0;
        if (get_int(u, "process.user", "uid", 0, UINT32_MAX - 1, &uid, NULL, err) < 0 ||
            get_int(u, "process.user", "gid", 0, UINT32_MAX - 1, &gid, NULL, err) < 0)
            return -1;
        pr->uid = (uint32_t)uid;
        pr->gid = (uint32_t)gid;
        jobj *g;
        if (member(u, "process.user", "additionalGids", json_type_array, &g, err) < 0)
            return -1;
        size_t n = g ? json_object_array_length(g) : 0;
        if (n > 65536)
            return brig_err_set(err, BRIG_EUSAGE, "process.user.additionalGids: too many groups");
        pr->additional_gids = brig_xcalloc(n ? n : 1, sizeof(uint32_t));
        for (size_t i = 0; i < n; i++) {
            jobj *e = json_object_array_get_idx(g, i);
            errno = 0;
            int64_t v =
                e && json_object_get_type(e) == json_type_int ? json_object_get_int64(e) : -1;
            if (v < 0 || v >= UINT32_MAX || errno)
                return brig_err_set(err, BRIG_EUSAGE,
                                    "process.user.additionalGids[%zu]: must be a group id", i);
            pr->additional_gids[pr->nadditional_gids++] = (uint32_t)v;
        }
    }
    if (parse_caps(p, &pr->caps, err) < 0 || parse_rlimits(p, pr, err) < 0)
        return -1;
    return 0;
}

static int parse_process(jobj *root, struct brig_oci_spec *s, struct brig_err *err)
{
    jobj *p;
    if (member(root, "", "process", json_type_object, &p, err) < 0)
        return -1;
    if (!p)
        return 0;
    s->has_process = true;
    return parse_process_obj(p, &s->process, err);
}

static int parse_mounts(jobj *root, struct brig_oci_spec *s, struct brig_err *err)
{
    jobj *a;
    if (member(root, "", "mounts", json_type_array, &a, err) < 0)
        return -1;
    if (!a)
        return 0;
    size_t n = json_object_array_length(a);
    s->mounts = brig_xcalloc(n ? n : 1, sizeof(*s->mounts));
    for (size_t i = 0; i < n; i++) {
        char where[64];
        jobj *e;
        if (array_object(a, i, where, sizeof(where), &e, err, "mounts") < 0)
            return -1;
        struct brig_oci_mount *m = &s->mounts[s->nmounts++];
        if (get_str(e, where, "destination", &m->destination, err) < 0 ||
            get_str(e, where, "type", &m->type, err) < 0 ||
            get_str(e, where, "source", &m->source, err) < 0 ||
            get_strv(e, where, "options", &m->options, err) < 0)
            return -1;
        if (!m->options)
            m->options = brig_xcalloc(1, sizeof(char *));
        if (!m->destination)
            return brig_err_set(err, BRIG_EUSAGE, "%s.destination: is required", where);
        if (m->destination[0] != '/')
            return brig_err_set(err, BRIG_EUSAGE, "%s.destination: %s is not an absolute path",
                                where, m->destination);
    }
    return 0;
}

static int parse_hooks(jobj *root, struct brig_oci_spec *s, struct brig_err *err)
{
    jobj *h;
    if (member(root, "", "hooks", json_type_object, &h, err) < 0)
        return -1;
    if (!h)
        return 0;
    for (int k = 0; k < BRIG_OCI_HOOK_COUNT; k++) {
        jobj *a;
        if (member(h, "hooks", hook_names[k], json_type_array, &a, err) < 0)
            return -1;
        if (!a)
            continue;
        size_t n = json_object_array_length(a);
        s->hooks[k] = brig_xcalloc(n ? n : 1, sizeof(struct brig_oci_hook));
        for (size_t i = 0; i < n; i++) {
            char where[64];
            jobj *e;
            if (array_object(a, i, where, sizeof(where), &e, err, "hooks.%s", hook_names[k]) < 0)
                return -1;
            struct brig_oci_hook *hk = &s->hooks[k][s->nhooks[k]++];
            int64_t t = 0;
            bool has_t = false;
            if (get_str(e, where, "path", &hk->path, err) < 0 ||
                get_strv(e, where, "args", &hk->args, err) < 0 ||
                get_strv(e, where, "env", &hk->env, err) < 0 ||
                get_int(e, where, "timeout", INT64_MIN, INT_MAX, &t, &has_t, err) < 0)
                return -1;
            if (!hk->path)
                return brig_err_set(err, BRIG_EUSAGE, "%s.path: is required", where);
            if (hk->path[0] != '/')
                return brig_err_set(err, BRIG_EUSAGE, "%s.path: %s is not an absolute path", where,
                                    hk->path);
            if (has_t && t <= 0)
                return brig_err_set(err, BRIG_EUSAGE, "%s.timeout: must be above zero", where);
            hk->timeout = (int)t;
        }
    }
    return 0;
}

static int parse_idmaps(jobj *lx, const char *key, struct brig_oci_idmap **ret, size_t *ret_n,
                        struct brig_err *err)
{
    jobj *a;
    if (member(lx, "linux", key, json_type_array, &a, err) < 0)
        return -1;
    if (!a)
        return 0;
    size_t n = json_object_array_length(a);
    if (n > 340)
        return brig_err_set(err, BRIG_EUSAGE, "linux.%s: at most 340 ranges", key);
    *ret = brig_xcalloc(n ? n : 1, sizeof(**ret));
    for (size_t i = 0; i < n; i++) {
        char where[64];
        jobj *e;
        if (array_object(a, i, where, sizeof(where), &e, err, "linux.%s", key) < 0)
            return -1;
        int64_t c = -1, h = -1, sz = -1;
        if (get_int(e, where, "containerID", 0, UINT32_MAX - 1, &c, NULL, err) < 0 ||
            get_int(e, where, "hostID", 0, UINT32_MAX - 1, &h, NULL, err) < 0 ||
            get_int(e, where, "size", 1, UINT32_MAX, &sz, NULL, err) < 0)
            return -1;
        if (c < 0 || h < 0 || sz < 0)
            return brig_err_set(err, BRIG_EUSAGE, "%s: containerID, hostID and size are required",
                                where);
        if (c + sz > (int64_t)UINT32_MAX || h + sz > (int64_t)UINT32_MAX)
            return brig_err_set(err, BRIG_EUSAGE, "%s: the range passes the last id", where);
        (*ret)[(*ret_n)++] = (struct brig_oci_idmap){(uint32_t)c, (uint32_t)h, (uint32_t)sz};
    }
    return 0;
}

static int parse_namespaces(jobj *lx, struct brig_oci_spec *s, struct brig_err *err)
{
    jobj *a;
    if (member(lx, "linux", "namespaces", json_type_array, &a, err) < 0)
        return -1;
    if (!a)
        return 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        char where[64];
        jobj *e;
        if (array_object(a, i, where, sizeof(where), &e, err, "linux.namespaces") < 0)
            return -1;
        _cleanup_free_ char *type = NULL, *path = NULL;
        if (get_str(e, where, "type", &type, err) < 0 || get_str(e, where, "path", &path, err) < 0)
            return -1;
        if (!type)
            return brig_err_set(err, BRIG_EUSAGE, "%s.type: is required", where);
        int ns = -1;
        for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
            if (strcmp(type, ns_names[k]) == 0)
                ns = k;
        if (ns < 0)
            return brig_err_set(err, BRIG_EUSAGE, "%s.type: unknown namespace %s", where, type);
        if (s->ns_given[ns])
            return brig_err_set(err, BRIG_EUSAGE, "%s.type: %s is given twice", where, type);
        if (path && path[0] != '/')
            return brig_err_set(err, BRIG_EUSAGE, "%s.path: %s is not an absolute path", where,
                                path);
        s->ns_given[ns] = true;
        s->ns_path[ns] = path;
        path = NULL;
    }
    return 0;
}

/* A linux.resources.unified key names a file of the container's own cgroup2
 * directory: "controller.name", nothing that leaves the directory, and none
 * of the files through which processes are moved or killed or the tree is
 * shaped, which the runtime owns. */
static int unified_key_check(const char *k, struct brig_err *err)
{
    static const char *const owned[] = {"cgroup.procs",
                                        "cgroup.threads",
                                        "cgroup.subtree_control",
                                        "cgroup.type",
                                        "cgroup.kill",
                                        "cgroup.freeze",
                                        NULL};
    const char *dot = strchr(k, '.');
    bool ok = dot && dot != k && dot[1] && strlen(k) < 128;
    for (const char *t = k; ok && *t; t++)
        ok = (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '_' || *t == '.';
    if (!ok || strstr(k, ".."))
        return brig_err_set(err, BRIG_EUSAGE,
                            "linux.resources.unified: %s is not a cgroup2 file name", k);
    if (in_list(owned, k))
        return brig_err_set(err, BRIG_EUSAGE,
                            "linux.resources.unified: %s is the runtime's, not the config's", k);
    return 0;
}

static int parse_resources(jobj *lx, struct brig_oci_resources *r, struct brig_err *err)
{
    jobj *o, *m, *c, *p;
    if (member(lx, "linux", "resources", json_type_object, &o, err) < 0)
        return -1;
    if (!o)
        return 0;
    if (member(o, "linux.resources", "memory", json_type_object, &m, err) < 0 ||
        member(o, "linux.resources", "cpu", json_type_object, &c, err) < 0 ||
        member(o, "linux.resources", "pids", json_type_object, &p, err) < 0)
        return -1;
    if (m && (get_int(m, "linux.resources.memory", "limit", -1, INT64_MAX, &r->memory_limit,
                      &r->has_memory_limit, err) < 0 ||
              get_int(m, "linux.resources.memory", "swap", -1, INT64_MAX, &r->memory_swap,
                      &r->has_memory_swap, err) < 0))
        return -1;
    if (r->has_memory_limit && r->memory_limit >= 0 && r->memory_limit < 4096 * 1024)
        return brig_err_set(err, BRIG_EUSAGE,
                            "linux.resources.memory.limit: %lld is below the 4 MiB minimum",
                            (long long)r->memory_limit);
    if (r->has_memory_swap && r->has_memory_limit && r->memory_swap >= 0 && r->memory_limit >= 0 &&
        r->memory_swap < r->memory_limit)
        return brig_err_set(err, BRIG_EUSAGE,
                            "linux.resources.memory.swap: must be at least memory.limit");
    if (c) {
        int64_t shares = 0, period = 0;
        if (get_int(c, "linux.resources.cpu", "shares", 0, 262144, &shares, &r->has_cpu_shares,
                    err) < 0 ||
            get_int(c, "linux.resources.cpu", "quota", -1, INT64_MAX, &r->cpu_quota,
                    &r->has_cpu_quota, err) < 0 ||
            get_int(c, "linux.resources.cpu", "period", 1000, 1000000, &period, &r->has_cpu_period,
                    err) < 0 ||
            get_str(c, "linux.resources.cpu", "cpus", &r->cpuset_cpus, err) < 0 ||
            get_str(c, "linux.resources.cpu", "mems", &r->cpuset_mems, err) < 0)
            return -1;
        r->cpu_shares = (uint64_t)shares;
        r->cpu_period = (uint64_t)period;
        if (r->has_cpu_quota && r->cpu_quota >= 0 && r->cpu_quota < 1000)
            return brig_err_set(err, BRIG_EUSAGE,
                                "linux.resources.cpu.quota: %lld is below 1000 microseconds",
                                (long long)r->cpu_quota);
        for (const char *t = r->cpuset_cpus; t && *t; t++)
            if (!strchr("0123456789,-", *t))
                return brig_err_set(err, BRIG_EUSAGE,
                                    "linux.resources.cpu.cpus: %s is not a CPU list",
                                    r->cpuset_cpus);
    }
    if (p && get_int(p, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, &r->pids_limit,
                     &r->has_pids_limit, err) < 0)
        return -1;
    if (get_strmap(o, "linux.resources", "unified", &r->unified, err) < 0)
        return -1;
    for (size_t i = 0; r->unified && r->unified[i]; i += 2)
        if (unified_key_check(r->unified[i], err) < 0)
            return -1;
    return 0;
}

/* "SCMP_ACT_ERRNO" and its errnoRet into a libseccomp action. */
static int seccomp_action(const char *name, bool has_errno, int64_t errno_ret, uint32_t *ret)
{
    uint16_t e = has_errno ? (uint16_t)errno_ret : EPERM;
    if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        *ret = SCMP_ACT_ALLOW;
    else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        *ret = SCMP_ACT_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        *ret = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        *ret = SCMP_ACT_TRAP;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
        *ret = SCMP_ACT_ERRNO(e);
    else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
        *ret = SCMP_ACT_TRACE(e);
    else if (strcmp(name, "SCMP_ACT_LOG") == 0)
        *ret = SCMP_ACT_LOG;
    else
        return -1;
    return 0;
}

static int parse_seccomp(jobj *lx, struct brig_oci_spec *s, struct brig_err *err)
{
    jobj *o, *a;
    if (member(lx, "linux", "seccomp", json_type_object, &o, err) < 0)
        return -1;
    if (!o)
        return 0;
    struct brig_oci_seccomp *sc = s->seccomp = brig_xcalloc(1, sizeof(*sc));
    _cleanup_free_ char *def = NULL;
    int64_t def_errno = 0;
    bool has_def_errno = false;
    if (get_str(o, "linux.seccomp", "defaultAction", &def, err) < 0 ||
        get_int(o, "linux.seccomp", "defaultErrnoRet", 0, 4095, &def_errno, &has_def_errno, err) <
            0 ||
        get_strv(o, "linux.seccomp", "architectures", &sc->arches, err) < 0)
        return -1;
    if (!sc->arches)
        sc->arches = brig_xcalloc(1, sizeof(char *));
    if (!def)
        return brig_err_set(err, BRIG_EUSAGE, "linux.seccomp.defaultAction: is required");
    if (seccomp_action(def, has_def_errno, def_errno, &sc->default_action) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "linux.seccomp.defaultAction: unsupported action %s",
                            def);
    static const char *const arches[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     NULL};
    for (size_t i = 0; sc->arches[i]; i++)
        if (!in_list(arches, sc->arches[i]))
            return brig_err_set(err, BRIG_EUSAGE,
                                "linux.seccomp.architectures[%zu]: unknown architecture %s", i,
                                sc->arches[i]);
    if (member(o, "linux.seccomp", "syscalls", json_type_array, &a, err) < 0)
        return -1;
    size_t n = a ? json_object_array_length(a) : 0;
    sc->rules = brig_xcalloc(n ? n : 1, sizeof(*sc->rules));
    for (size_t i = 0; i < n; i++) {
        char where[64];
        jobj *e;
        if (array_object(a, i, where, sizeof(where), &e, err, "linux.seccomp.syscalls") < 0)
            return -1;
        struct brig_oci_seccomp_rule *r = &sc->rules[sc->nrules++];
        _cleanup_free_ char *act = NULL;
        int64_t eret = 0;
        bool has_eret = false;
        jobj *args;
        if (get_strv(e, where, "names", &r->names, err) < 0 ||
            get_str(e, where, "action", &act, err) < 0 ||
            get_int(e, where, "errnoRet", 0, 4095, &eret, &has_eret, err) < 0 ||
            member(e, where, "args", json_type_array, &args, err) < 0)
            return -1;
        if (!r->names || !r->names[0])
            return brig_err_set(err, BRIG_EUSAGE, "%s.names: at least one name is required", where);
        if (!act)
            return brig_err_set(err, BRIG_EUSAGE, "%s.action: is required", where);
        if (seccomp_action(act, has_eret, eret, &r->action) < 0)
            return brig_err_set(err, BRIG_EUSAGE, "%s.action: unsupported action %s", where, act);
        size_t na = args ? json_object_array_length(args) : 0;
        if (na > 6)
            return brig_err_set(err, BRIG_EUSAGE, "%s.args: at most 6 arguments", where);
        r->args = brig_xcalloc(na ? na : 1, sizeof(*r->args));
        for (size_t k = 0; k < na; k++) {
            char aw[96];
            jobj *ae;
            if (array_object(args, k, aw, sizeof(aw), &ae, err, "%s.args", where) < 0)
                return -1;
            struct brig_oci_seccomp_arg *sa = &r->args[r->nargs++];
            int64_t idx = -1;
            _cleanup_free_ char *op = NULL;
            if (get_int(ae, aw, "index", 0, 5, &idx, NULL, err) < 0 ||
                get_u64(ae, aw, "value", &sa->value, NULL, err) < 0 ||
                get_u64(ae, aw, "valueTwo", &sa->value_two, NULL, err) < 0 ||
                get_str(ae, aw, "op", &op, err) < 0)
                return -1;
            if (idx < 0 || !op)
                return brig_err_set(err, BRIG_EUSAGE, "%s: index and op are required", aw);
            sa->index = (unsigned)idx;
            sa->op = -1;
            for (size_t t = 0; t < sizeof(seccomp_ops) / sizeof(seccomp_ops[0]); t++)
                if (strcmp(op, seccomp_ops[t].name) == 0)
                    sa->op = seccomp_ops[t].op;
            if (sa->op < 0)
                return brig_err_set(err, BRIG_EUSAGE, "%s.op: unknown operator %s", aw, op);
        }
    }
    return 0;
}

static int parse_linux(jobj *root, struct brig_oci_spec *s, struct brig_err *err)
{
    jobj *lx;
    if (member(root, "", "linux", json_type_object, &lx, err) < 0)
        return -1;
    if (!lx)
        return 0;
    if (parse_namespaces(lx, s, err) < 0 ||
        parse_idmaps(lx, "uidMappings", &s->uid_mappings, &s->nuid_mappings, err) < 0 ||
        parse_idmaps(lx, "gidMappings", &s->gid_mappings, &s->ngid_mappings, err) < 0 ||
        get_str(lx, "linux", "cgroupsPath", &s->cgroups_path, err) < 0 ||
        parse_resources(lx, &s->resources, err) < 0 ||
        get_strmap(lx, "linux", "sysctl", &s->sysctl, err) < 0 ||
        get_strv(lx, "linux", "maskedPaths", &s->masked_paths, err) < 0 ||
        get_strv(lx, "linux", "readonlyPaths", &s->readonly_paths, err) < 0 ||
        get_str(lx, "linux", "rootfsPropagation", &s->rootfs_propagation, err) < 0 ||
        parse_seccomp(lx, s, err) < 0)
        return -1;
    return 0;
}

/* The spec's rules that span several fields. */
static int check(struct brig_oci_spec *s, struct brig_err *err)
{
    if (!s->oci_version)
        return brig_err_set(err, BRIG_EUSAGE, "ociVersion: is required");
    if (strncmp(s->oci_version, "1.", 2) != 0)
        return brig_err_set(err, BRIG_EUSAGE, "ociVersion: %s is not a 1.x version",
                            s->oci_version);
    if (!s->root_path || !*s->root_path)
        return brig_err_set(err, BRIG_EUSAGE, "root.path: is required");
    if (s->hostname && *s->hostname && !s->ns_given[BRIG_OCI_NS_UTS])
        return brig_err_set(err, BRIG_EUSAGE,
                            "hostname: needs a new uts namespace in linux.namespaces");
    if (s->hostname && s->ns_path[BRIG_OCI_NS_UTS])
        return brig_err_set(err, BRIG_EUSAGE, "hostname: cannot be set in a joined uts namespace");
    bool userns = s->ns_given[BRIG_OCI_NS_USER];
    if (userns && !s->ns_path[BRIG_OCI_NS_USER] && (!s->nuid_mappings || !s->ngid_mappings))
        return brig_err_set(err, BRIG_EUSAGE,
                            "linux.uidMappings: a new user namespace needs uid and gid mappings");
    if (!userns && (s->nuid_mappings || s->ngid_mappings))
        return brig_err_set(
            err, BRIG_EUSAGE,
            "linux.uidMappings: mappings need a user namespace in linux.namespaces");
    for (size_t i = 0; s->sysctl && s->sysctl[i]; i += 2) {
        const char *k = s->sysctl[i];
        bool ipc = strncmp(k, "kernel.msg", 10) == 0 || strncmp(k, "kernel.sem", 10) == 0 ||
                   strncmp(k, "kernel.shm", 10) == 0 || strncmp(k, "fs.mqueue.", 10) == 0;
        bool net = strncmp(k, "net.", 4) == 0;
        bool uts = strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0;
        if (strstr(k, "..") || strchr(k, '/') || *k == '.')
            return brig_err_set(err, BRIG_EUSAGE, "linux.sysctl: %s is not a sysctl name", k);
        if (ipc && !s->ns_given[BRIG_OCI_NS_IPC])
            return brig_err_set(err, BRIG_EUSAGE, "linux.sysctl: %s needs an ipc namespace", k);
        if (net && !s->ns_given[BRIG_OCI_NS_NETWORK])
            return brig_err_set(err, BRIG_EUSAGE, "linux.sysctl: %s needs a network namespace", k);
        if (uts && !s->ns_given[BRIG_OCI_NS_UTS])
            return brig_err_set(err, BRIG_EUSAGE, "linux.sysctl: %s needs a uts namespace", k);
        if (!ipc && !net && !uts)
            return brig_err_set(err, BRIG_EUSAGE,
                                "linux.sysctl: %s is not namespaced and would change the host", k);
    }
    static const char *const props[] = {"shared",     "slave",       "private",
                                        "rshared",    "rslave",      "rprivate",
                                        "unbindable", "runbindable", NULL};
    if (s->rootfs_propagation && !in_list(props, s->rootfs_propagation))
        return brig_err_set(err, BRIG_EUSAGE, "linux.rootfsPropagation: unknown propagation %s",
                            s->rootfs_propagation);
    for (size_t i = 0; s->masked_paths && s->masked_paths[i]; i++)
        if (s->masked_paths[i][0] != '/')
            return brig_err_set(err, BRIG_EUSAGE, "linux.maskedPaths[%zu]: %s is not absolute", i,
                                s->masked_paths[i]);
    for (size_t i = 0; s->readonly_paths && s->readonly_paths[i]; i++)
        if (s->readonly_paths[i][0] != '/')
            return brig_err_set(err, BRIG_EUSAGE, "linux.readonlyPaths[%zu]: %s is not absolute", i,
                                s->readonly_paths[i]);
    return 0;
}

/* The JSON text into a json-c tree, refusing what is not one JSON value. */
static int parse_text(const char *text, size_t len, jobj **ret, struct brig_err *err)
{
    if (len > 16 * 1024 * 1024)
        return brig_err_set(err, BRIG_EUSAGE, "config.json: larger than 16 MiB");
    if (len > INT_MAX || memchr(text, '\0', len))
        return brig_err_set(err, BRIG_EUSAGE, "config.json: contains a NUL byte");
    struct json_tokener *tok = json_tokener_new_ex(64);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    jobj *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        if (jerr == json_tokener_continue)
            return brig_err_set(err, BRIG_EUSAGE, "config.json: ends early");
        return brig_err_set(err, BRIG_EUSAGE, "config.json: %s at byte %zu",
                            json_tokener_error_desc(jerr), used);
    }
    for (size_t i = used; i < len; i++)
        if (!strchr(" \t\r\n", text[i])) {
            json_object_put(root);
            return brig_err_set(err, BRIG_EUSAGE, "config.json: text after the object at byte %zu",
                                i);
        }
    *ret = root;
    return 0;
}

int brig_oci_process_parse(const char *text, size_t len, struct brig_oci_process *p,
                           struct brig_err *err)
{
    memset(p, 0, sizeof(*p));
    jobj *root = NULL;
    if (parse_text(text, len, &root, err) < 0)
        return -1;
    int r = json_object_get_type(root) == json_type_object
                ? parse_process_obj(root, p, err)
                : brig_err_set(err, BRIG_EUSAGE, "process: must be an object");
    json_object_put(root);
    if (r < 0)
        brig_oci_process_free(p);
    return r;
}

int brig_oci_resources_parse(const char *text, size_t len, struct brig_oci_resources *ret,
                             struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    jobj *root = NULL;
    if (parse_text(text, len, &root, err) < 0)
        return -1;
    if (json_object_get_type(root) != json_type_object) {
        json_object_put(root);
        return brig_err_set(err, BRIG_EUSAGE, "resources: must be an object");
    }
    /* the walker reads linux.resources: give it a linux object around this one */
    jobj *lx = json_object_new_object();
    json_object_object_add(lx, "resources", root);
    int r = parse_resources(lx, ret, err);
    json_object_put(lx);
    if (r < 0) {
        free(ret->cpuset_cpus);
        free(ret->cpuset_mems);
        brig_strv_free(ret->unified);
        memset(ret, 0, sizeof(*ret));
    }
    return r;
}

int brig_oci_spec_parse(const char *text, size_t len, struct brig_oci_spec *ret,
                        struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    jobj *root = NULL;
    if (parse_text(text, len, &root, err) < 0)
        return -1;
    int r = -1;
    if (json_object_get_type(root) != json_type_object) {
        brig_err_set(err, BRIG_EUSAGE, "config.json: must be an object");
        goto out;
    }
    jobj *rt;
    if (get_str(root, "", "ociVersion", &ret->oci_version, err) < 0 ||
        get_str(root, "", "hostname", &ret->hostname, err) < 0 ||
        member(root, "", "root", json_type_object, &rt, err) < 0)
        goto out;
    if (rt && (get_str(rt, "root", "path", &ret->root_path, err) < 0 ||
               get_bool(rt, "root", "readonly", &ret->root_readonly, err) < 0))
        goto out;
    if (parse_process(root, ret, err) < 0 || parse_mounts(root, ret, err) < 0 ||
        parse_hooks(root, ret, err) < 0 ||
        get_strmap(root, "", "annotations", &ret->annotations, err) < 0 ||
        parse_linux(root, ret, err) < 0)
        goto out;
    if (!ret->annotations)
        ret->annotations = brig_xcalloc(1, sizeof(char *));
    if (!ret->sysctl)
        ret->sysctl = brig_xcalloc(1, sizeof(char *));
    r = check(ret, err);
out:
    json_object_put(root);
    if (r < 0) {
        brig_oci_spec_free(ret);
        /* the message may quote the bundle's own names and values: one printable line */
        if (err)
            brig_str_uncontrol(err->msg);
    }
    return r;
}

void brig_oci_process_free(struct brig_oci_process *p)
{
    free(p->additional_gids);
    brig_strv_free(p->args);
    brig_strv_free(p->env);
    free(p->cwd);
    free(p->rlimits);
    memset(p, 0, sizeof(*p));
}

static void hook_free(struct brig_oci_hook *h)
{
    free(h->path);
    brig_strv_free(h->args);
    brig_strv_free(h->env);
}

void brig_oci_spec_free(struct brig_oci_spec *s)
{
    if (!s)
        return;
    free(s->oci_version);
    brig_oci_process_free(&s->process);
    free(s->root_path);
    free(s->hostname);
    for (size_t i = 0; i < s->nmounts; i++) {
        free(s->mounts[i].destination);
        free(s->mounts[i].type);
        free(s->mounts[i].source);
        brig_strv_free(s->mounts[i].options);
    }
    free(s->mounts);
    for (int k = 0; k < BRIG_OCI_HOOK_COUNT; k++) {
        for (size_t i = 0; i < s->nhooks[k]; i++)
            hook_free(&s->hooks[k][i]);
        free(s->hooks[k]);
    }
    brig_strv_free(s->annotations);
    for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
        free(s->ns_path[k]);
    free(s->uid_mappings);
    free(s->gid_mappings);
    free(s->cgroups_path);
    free(s->resources.cpuset_cpus);
    free(s->resources.cpuset_mems);
    brig_strv_free(s->resources.unified);
    brig_strv_free(s->sysctl);
    brig_strv_free(s->masked_paths);
    brig_strv_free(s->readonly_paths);
    free(s->rootfs_propagation);
    if (s->seccomp) {
        brig_strv_free(s->seccomp->arches);
        for (size_t i = 0; i < s->seccomp->nrules; i++) {
            brig_strv_free(s->seccomp->rules[i].names);
            free(s->seccomp->rules[i].args);
        }
        free(s->seccomp->rules);
        free(s->seccomp);
    }
    memset(s, 0, sizeof(*s));
}
