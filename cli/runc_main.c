/* brig-runc(8): brig as an OCI runtime, with runc's command line, so
 * containerd's runc shim (BinaryName) and podman (--runtime, via conmon) run
 * their containers with brig. Every failure is one line on stderr (and in
 * --log, as JSON with --log-format json) and exit status 1, as runc does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "oci/runtime.h"
#include "oci/spec.h"

struct opts {
    const char *root, *log, *log_format;
    bool debug, systemd_cgroup;
    /* verb options */
    const char *bundle, *pid_file, *console_socket, *process, *format, *cwd, *resources, *user;
    const char *preserve_fds;
    bool no_pivot, all, force, detach, tty, quiet, rootless_flag;
    char **env;
};

enum kind { FLAG, VALUE, MULTI };

struct opt {
    const char *name;
    char shortname;
    enum kind kind;
    size_t off; /* offset in struct opts */
};

#define O(f) offsetof(struct opts, f)

static const struct opt global_opts[] = {
    {"root", 0, VALUE, O(root)},
    {"log", 0, VALUE, O(log)},
    {"log-format", 0, VALUE, O(log_format)},
    {"debug", 0, FLAG, O(debug)},
    {"systemd-cgroup", 0, FLAG, O(systemd_cgroup)},
    {"rootless", 0, VALUE, O(user)},
    {"criu", 0, VALUE, O(cwd)},
    {NULL, 0, FLAG, 0},
};

static struct opts g;
static FILE *log_file;

static void log_line(const char *level, const char *msg)
{
    if (!log_file)
        return;
    char ts[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (g.log_format && strcmp(g.log_format, "json") == 0) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "level", json_object_new_string(level));
        json_object_object_add(o, "msg", json_object_new_string(msg));
        json_object_object_add(o, "time", json_object_new_string(ts));
        fprintf(log_file, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        fprintf(log_file, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg);
    }
    fflush(log_file);
}

static int fail(const char *fmt, ...) BRIG_PRINTF(1, 2);
static int fail(const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_line("error", msg);
    fprintf(stderr, "brig-runc: %s\n", msg);
    return 1;
}

static int fail_err(const char *verb, const struct brig_err *err)
{
    return fail("%s: %s", verb, err->msg);
}

/* Parse options of table t from argv[*i]; stop at the first operand ("--" ends options). */
static int parse_opts(const struct opt *t, int argc, char **argv, int *i, const char *verb)
{
    while (*i < argc) {
        char *a = argv[*i];
        if (strcmp(a, "--") == 0) {
            (*i)++;
            return 0;
        }
        if (a[0] != '-' || a[1] == '\0')
            return 0;
        const char *name = a + 1 + (a[1] == '-');
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const struct opt *o = NULL;
        for (const struct opt *p = t; p->name; p++)
            if ((strlen(p->name) == nlen && strncmp(p->name, name, nlen) == 0) ||
                (p->shortname && nlen == 1 && name[0] == p->shortname && a[1] != '-'))
                o = p;
        if (!o)
            return fail("%s: flag provided but not defined: -%.*s", verb, (int)nlen, name);
        char *base = (char *)&g;
        if (o->kind == FLAG) {
            bool v = true;
            if (eq)
                v = strcmp(eq + 1, "false") != 0;
            *(bool *)(void *)(base + o->off) = v;
            (*i)++;
            continue;
        }
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (*i + 1 >= argc)
                return fail("%s: flag needs an argument: -%s", verb, name);
            val = argv[++*i];
        }
        if (o->kind == VALUE)
            *(const char **)(void *)(base + o->off) = val;
        else
            brig_strv_push((char ***)(void *)(base + o->off), val);
        (*i)++;
    }
    return 0;
}

static int need_id(int argc, char **argv, int i, int max, const char *verb)
{
    int n = argc - i;
    if (n < 1 || n > max)
        return fail("%s: \"%s\" requires %s1 argument(s)", verb, verb,
                    max == 1 ? "exactly " : "at least ");
    return 0;
}

static char *abs_path(const char *p)
{
    if (p[0] == '/')
        return brig_xstrdup(p);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return brig_xstrdup(p);
    return strcmp(p, ".") == 0 ? brig_xstrdup(cwd) : brig_xasprintf("%s/%s", cwd, p);
}

static int v_create(int argc, char **argv, int i)
{
    static const struct opt t[] = {
        {"bundle", 'b', VALUE, O(bundle)},
        {"console-socket", 0, VALUE, O(console_socket)},
        {"pid-file", 0, VALUE, O(pid_file)},
        {"no-pivot", 0, FLAG, O(no_pivot)},
        {"no-new-keyring", 0, FLAG, O(quiet)},
        {"preserve-fds", 0, VALUE, O(preserve_fds)},
        {NULL, 0, FLAG, 0},
    };
    const char *verb = "create";
    if (parse_opts(t, argc, argv, &i, verb) || need_id(argc, argv, i, 1, verb))
        return 1;
    _cleanup_free_ char *bundle = abs_path(g.bundle ? g.bundle : ".");
    _cleanup_free_ char *pidf = g.pid_file ? abs_path(g.pid_file) : NULL;
    struct brig_oci_create_opts o = {.bundle = bundle,
                                     .pid_file = pidf,
                                     .console_socket = g.console_socket,
                                     .preserve_fds = g.preserve_fds ? atoi(g.preserve_fds) : 0,
                                     .no_pivot = g.no_pivot};
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_oci_create(g.root, argv[i], &o, &err) < 0)
        return fail_err(verb, &err);
    return 0;
}

static int v_start(int argc, char **argv, int i)
{
    static const struct opt t[] = {{NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "start") || need_id(argc, argv, i, 1, "start"))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    return brig_oci_start(g.root, argv[i], &err) < 0 ? fail_err("start", &err) : 0;
}

static int v_state(int argc, char **argv, int i)
{
    static const struct opt t[] = {{NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "state") || need_id(argc, argv, i, 1, "state"))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_oci_state s;
    if (brig_oci_state_get(g.root, argv[i], &s, &err) < 0)
        return fail_err("state", &err);
    _cleanup_free_ char *j = brig_oci_state_json(&s, true);
    printf("%s\n", j);
    brig_oci_state_free(&s);
    return 0;
}

static int parse_signal(const char *s)
{
    static const struct {
        const char *name;
        int sig;
    } sigs[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
                {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"STOP", SIGSTOP},
                {"CONT", SIGCONT}, {"ALRM", SIGALRM}, {"CHLD", SIGCHLD}, {"WINCH", SIGWINCH},
                {"PIPE", SIGPIPE}, {"TSTP", SIGTSTP}, {"ABRT", SIGABRT}, {"PWR", SIGPWR}};
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end)
        return n > 0 && n < 65 ? (int)n : -1;
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
        if (strcmp(s, sigs[k].name) == 0)
            return sigs[k].sig;
    return -1;
}

static int v_kill(int argc, char **argv, int i)
{
    static const struct opt t[] = {{"all", 'a', FLAG, O(all)}, {NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "kill") || need_id(argc, argv, i, 2, "kill"))
        return 1;
    int sig = SIGTERM;
    if (i + 1 < argc && (sig = parse_signal(argv[i + 1])) < 0)
        return fail("kill: unknown signal %s", argv[i + 1]);
    struct brig_err err = BRIG_ERR_INIT;
    return brig_oci_kill(g.root, argv[i], sig, g.all, &err) < 0 ? fail_err("kill", &err) : 0;
}

static int v_delete(int argc, char **argv, int i)
{
    static const struct opt t[] = {{"force", 'f', FLAG, O(force)}, {NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "delete") || need_id(argc, argv, i, 1, "delete"))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    return brig_oci_delete(g.root, argv[i], g.force, &err) < 0 ? fail_err("delete", &err) : 0;
}

static int v_list(int argc, char **argv, int i)
{
    static const struct opt t[] = {
        {"format", 'f', VALUE, O(format)}, {"quiet", 'q', FLAG, O(quiet)}, {NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "list"))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_strv_ char **ids = NULL;
    if (brig_oci_recover(g.root, &err) < 0 || brig_oci_list(g.root, &ids, &err) < 0)
        return fail_err("list", &err);
    bool json = g.format && strcmp(g.format, "json") == 0;
    if (g.format && !json && strcmp(g.format, "table") != 0)
        return fail("list: invalid format option %s", g.format);
    json_object *arr = json_object_new_array();
    if (!json && !g.quiet)
        printf("%-12s%-12s%-12s%-40s%-32s%s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
    for (size_t k = 0; ids[k]; k++) {
        struct brig_oci_state s;
        if (brig_oci_state_get(g.root, ids[k], &s, &err) < 0)
            continue;
        if (g.quiet)
            printf("%s\n", s.id);
        else if (json) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
            json_object_object_add(o, "id", json_object_new_string(s.id));
            json_object_object_add(o, "pid", json_object_new_int(s.pid));
            json_object_object_add(o, "status",
                                   json_object_new_string(brig_oci_status_name(s.status)));
            json_object_object_add(o, "bundle", json_object_new_string(s.bundle));
            json_object_object_add(o, "created", json_object_new_string(s.created));
            json_object_object_add(o, "owner", json_object_new_string("root"));
            json_object_array_add(arr, o);
        } else
            printf("%-12s%-12d%-12s%-40s%-32s%s\n", s.id, s.pid, brig_oci_status_name(s.status),
                   s.bundle, s.created, "root");
        brig_oci_state_free(&s);
    }
    if (json)
        printf("%s\n", json_object_array_length(arr)
                           ? json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE)
                           : "null");
    json_object_put(arr);
    return 0;
}

static int v_ps(int argc, char **argv, int i)
{
    static const struct opt t[] = {{"format", 'f', VALUE, O(format)}, {NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "ps") || need_id(argc, argv, i, INT_MAX, "ps"))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    pid_t *pids = NULL;
    size_t n = 0;
    if (brig_oci_pids(g.root, argv[i], &pids, &n, &err) < 0)
        return fail_err("ps", &err);
    if (g.format && strcmp(g.format, "json") == 0) {
        printf("[");
        for (size_t k = 0; k < n; k++)
            printf("%s%d", k ? "," : "", (int)pids[k]);
        printf("]\n");
    } else {
        printf("PID\n");
        for (size_t k = 0; k < n; k++)
            printf("%d\n", (int)pids[k]);
    }
    free(pids);
    return 0;
}

static int v_exec(int argc, char **argv, int i)
{
    static const struct opt t[] = {
        {"console-socket", 0, VALUE, O(console_socket)},
        {"cwd", 0, VALUE, O(cwd)},
        {"env", 'e', MULTI, O(env)},
        {"tty", 't', FLAG, O(tty)},
        {"user", 'u', VALUE, O(user)},
        {"process", 'p', VALUE, O(process)},
        {"detach", 'd', FLAG, O(detach)},
        {"pid-file", 0, VALUE, O(pid_file)},
        {"preserve-fds", 0, VALUE, O(preserve_fds)},
        {"no-new-privs", 0, FLAG, O(quiet)},
        {"process-label", 0, VALUE, O(format)},
        {"apparmor", 0, VALUE, O(format)},
        {"cgroup", 0, VALUE, O(format)},
        {"ignore-paused", 0, FLAG, O(force)},
        {NULL, 0, FLAG, 0},
    };
    if (parse_opts(t, argc, argv, &i, "exec") || need_id(argc, argv, i, INT_MAX, "exec"))
        return 1;
    _cleanup_free_ char *pidf = g.pid_file ? abs_path(g.pid_file) : NULL;
    struct brig_oci_exec_opts o = {.process_json = g.process,
                                   .pid_file = pidf,
                                   .console_socket = g.console_socket,
                                   .detach = g.detach,
                                   .tty = g.tty,
                                   .cwd = g.cwd,
                                   .argv = argv + i + 1,
                                   .env = g.env,
                                   .preserve_fds = g.preserve_fds ? atoi(g.preserve_fds) : 0};
    struct brig_err err = BRIG_ERR_INIT;
    int status = 0;
    if (brig_oci_exec(g.root, argv[i], &o, &status, &err) < 0) {
        fail_err("exec", &err);
        return status ? status : 1;
    }
    return status;
}

static int v_update(int argc, char **argv, int i)
{
    static const struct opt t[] = {
        {"resources", 'r', VALUE, O(resources)},
        {"memory", 0, VALUE, O(cwd)},
        {"pids-limit", 0, VALUE, O(user)},
        {"cpuset-cpus", 0, VALUE, O(format)},
        {NULL, 0, FLAG, 0},
    };
    if (parse_opts(t, argc, argv, &i, "update") || need_id(argc, argv, i, 1, "update"))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_oci_resources res;
    memset(&res, 0, sizeof(res));
    _cleanup_free_ char *text = NULL;
    if (g.resources) {
        size_t len = 0;
        const char *path = strcmp(g.resources, "-") == 0 ? "/dev/stdin" : g.resources;
        if (brig_read_file(path, 1 << 20, &text, &len, &err) < 0 ||
            brig_oci_resources_parse(text, len, &res, &err) < 0)
            return fail("update: --resources %s: %s", g.resources, err.msg);
    } else {
        char *end;
        if (g.cwd && (res.memory_limit = strtoll(g.cwd, &end, 10), *end))
            return fail("update: --memory %s is not a number of bytes", g.cwd);
        res.has_memory_limit = g.cwd != NULL;
        if (g.user && (res.pids_limit = strtoll(g.user, &end, 10), *end))
            return fail("update: --pids-limit %s is not a number", g.user);
        res.has_pids_limit = g.user != NULL;
        res.cpuset_cpus = g.format ? brig_xstrdup(g.format) : NULL;
    }
    int r = brig_oci_update(g.root, argv[i], &res, &err);
    free(res.cpuset_cpus);
    free(res.cpuset_mems);
    brig_strv_free(res.unified);
    return r < 0 ? fail_err("update", &err) : 0;
}

static int v_pause(int argc, char **argv, int i, bool pause)
{
    static const struct opt t[] = {{NULL, 0, FLAG, 0}};
    const char *verb = pause ? "pause" : "resume";
    if (parse_opts(t, argc, argv, &i, verb) || need_id(argc, argv, i, 1, verb))
        return 1;
    struct brig_err err = BRIG_ERR_INIT;
    return brig_oci_pause(g.root, argv[i], pause, &err) < 0 ? fail_err(verb, &err) : 0;
}

static int v_features(int argc, char **argv, int i)
{
    static const struct opt t[] = {{NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "features"))
        return 1;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
    json_object_object_add(o, "ociVersionMax", json_object_new_string("1.1.0"));
    json_object *hooks = json_object_new_array();
    for (int k = 0; k < BRIG_OCI_HOOK_COUNT; k++)
        json_object_array_add(hooks, json_object_new_string(brig_oci_hook_name(k)));
    json_object_object_add(o, "hooks", hooks);
    json_object *mo = json_object_new_array();
    static const char *const mopts[] = {
        "ro",      "rw",       "nosuid",      "suid",       "nodev",  "dev",     "noexec", "exec",
        "bind",    "rbind",    "private",     "rprivate",   "shared", "rshared", "slave",  "rslave",
        "noatime", "relatime", "strictatime", "nodiratime", "sync",   "dirsync"};
    for (size_t k = 0; k < sizeof(mopts) / sizeof(mopts[0]); k++)
        json_object_array_add(mo, json_object_new_string(mopts[k]));
    json_object_object_add(o, "mountOptions", mo);
    json_object *lx = json_object_new_object();
    json_object *ns = json_object_new_array();
    for (int k = 0; k < BRIG_OCI_NS_COUNT; k++)
        json_object_array_add(ns, json_object_new_string(brig_oci_ns_name(k)));
    json_object_object_add(lx, "namespaces", ns);
    json_object *caps = json_object_new_array();
    for (int k = 0; brig_oci_cap_name(k); k++)
        json_object_array_add(caps, json_object_new_string(brig_oci_cap_name(k)));
    json_object_object_add(lx, "capabilities", caps);
    json_object *cg = json_object_new_object();
    json_object_object_add(cg, "v1", json_object_new_boolean(1));
    json_object_object_add(cg, "v2", json_object_new_boolean(1));
    json_object_object_add(cg, "systemd", json_object_new_boolean(0));
    json_object_object_add(lx, "cgroup", cg);
    json_object *sc = json_object_new_object();
    json_object_object_add(sc, "enabled", json_object_new_boolean(1));
    json_object_object_add(lx, "seccomp", sc);
    json_object_object_add(o, "linux", lx);
    printf("%s\n",
           json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
    json_object_put(o);
    return 0;
}

static int v_spec(int argc, char **argv, int i)
{
    static const struct opt t[] = {{"bundle", 'b', VALUE, O(bundle)},
                                   {"rootless", 0, FLAG, O(rootless_flag)},
                                   {NULL, 0, FLAG, 0}};
    if (parse_opts(t, argc, argv, &i, "spec"))
        return 1;
    _cleanup_free_ char *path = brig_xasprintf("%s/config.json", g.bundle ? g.bundle : ".");
    if (brig_path_exists(path))
        return fail("spec: File %s exists. Remove it first", path);
    _cleanup_free_ char *text = brig_oci_spec_default(g.rootless_flag);
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_write_file_atomic(path, text, strlen(text), 0666 & ~(mode_t)022, &err) < 0)
        return fail_err("spec", &err);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int, char **, int);
} verbs[] = {
    {"start", v_start}, {"state", v_state},   {"kill", v_kill}, {"delete", v_delete},
    {"list", v_list},   {"ps", v_ps},         {"exec", v_exec}, {"features", v_features},
    {"spec", v_spec},   {"update", v_update},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: brig-runc [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
               "                 [--systemd-cgroup] COMMAND [OPTIONS] ID …\n"
               "commands: create start state kill delete list ps exec pause resume update\n"
               "          features spec\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
        printf("brig-runc version %s\nspec: 1.0.2\n", BRIG_VERSION);
        return 0;
    }
    if (parse_opts(global_opts, argc, argv, &i, "brig-runc"))
        return 1;
    if (!g.root)
        g.root = "/run/brig-runc";
    if (g.log && !(log_file = fopen(g.log, "ae")))
        log_file = NULL;
    if (i >= argc || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? 1 : 0;
    }
    const char *verb = argv[i++];
    _cleanup_free_ char *root = abs_path(g.root);
    g.root = root;
    if (strcmp(verb, "create") == 0)
        return v_create(argc, argv, i);
    if (strcmp(verb, "pause") == 0)
        return v_pause(argc, argv, i, true);
    if (strcmp(verb, "resume") == 0)
        return v_pause(argc, argv, i, false);
    for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
        if (strcmp(verb, verbs[k].name) == 0)
            return verbs[k].fn(argc, argv, i);
    return fail("No help topic for '%s'", verb);
}
