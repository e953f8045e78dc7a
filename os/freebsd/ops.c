/* The FreeBSD backend behind the ops table: it turns the core's jail env
 * into the plan inputs (release, bridges, uplink, racct, devfs.rules), then
 * renders the plan (dry run, any host) or runs it (a FreeBSD host). Facts of
 * the host are read only on FreeBSD; elsewhere a plan assumes the defaults
 * docs/freebsd.md lists, so the same record gives the same plan anywhere. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "freebsd.h"
#include "ops.h"
#include "util.h"

#define BRIDGES_MAX 64

static bool on_freebsd(void)
{
    return brig_os_native() == BRIG_K_FREEBSD;
}

/* Run the command (NULL-terminated words); its output when it exited 0, else NULL. */
__attribute__((sentinel)) static char *probe(const char *a0, ...)
{
    _cleanup_strv_ char **argv = NULL;
    va_list ap;
    brig_strv_push(&argv, a0);
    va_start(ap, a0);
    for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
        brig_strv_push(&argv, a);
    va_end(ap);
    char *out = NULL;
    int status = -1;
    if (brig_run(argv, NULL, &status, &out, NULL) < 0 || status != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* What a plan needs to know about the host. */
struct host {
    char release[32];
    int racct;
    char *names[BRIDGES_MAX];
    struct brig_freebsd_bridge bridges[BRIDGES_MAX];
    size_t n_bridges;
    char *uplink; /* NULL: none */
    unsigned uplink_mtu;
};

static void host_free(struct host *h)
{
    for (size_t i = 0; i < h->n_bridges; i++)
        free(h->names[i]);
    free(h->uplink);
    memset(h, 0, sizeof(*h));
}

static unsigned probe_mtu(const char *ifname)
{
    _cleanup_free_ char *out = probe("ifconfig", ifname, (char *)NULL);
    unsigned mtu = 0;
    if (out && brig_freebsd_parse_mtu(out, &mtu, NULL) < 0)
        mtu = 0;
    return mtu;
}

/* The bridges that exist now (`ifconfig -g bridge`, one name a line) and their MTUs. */
static void probe_bridges(struct host *h)
{
    _cleanup_free_ char *out = probe("ifconfig", "-g", "bridge", (char *)NULL);
    char *save = NULL;
    for (char *t = out ? strtok_r(out, " \t\n", &save) : NULL; t && h->n_bridges < BRIDGES_MAX;
         t = strtok_r(NULL, " \t\n", &save)) {
        if (brig_check_ifname(t, NULL) < 0)
            continue;
        h->names[h->n_bridges] = brig_xstrdup(t);
        h->bridges[h->n_bridges].name = h->names[h->n_bridges];
        h->bridges[h->n_bridges].mtu = probe_mtu(t);
        h->n_bridges++;
    }
}

/* The interface of the default route (`route -n get default`: "interface: em0"). */
static char *probe_default_if(void)
{
    _cleanup_free_ char *out = probe("route", "-n", "get", "default", (char *)NULL);
    const char *p = out ? strstr(out, "interface: ") : NULL;
    if (!p)
        return NULL;
    p += strlen("interface: ");
    char *name = brig_xstrndup(p, strcspn(p, " \t\n"));
    if (brig_check_ifname(name, NULL) < 0) {
        free(name);
        return NULL;
    }
    return name;
}

/* The host's facts: read on FreeBSD; elsewhere the release is 14.1, no bridge
 * exists yet, racct is unknown and uplink=auto means none. BRIG_FREEBSD_RELEASE
 * overrides the release everywhere. */
static int host_get(struct host *h, const struct brig_node *node, struct brig_err *err)
{
    struct brig_freebsd_release rel;
    const char *env = getenv("BRIG_FREEBSD_RELEASE");
    memset(h, 0, sizeof(*h));
    h->racct = -1;
    snprintf(h->release, sizeof(h->release), "%s", BRIG_FREEBSD_RELEASE_DEFAULT);
    if (env && *env) {
        if (strlen(env) > 20 || brig_freebsd_parse_release(env, &rel, NULL) < 0)
            return brig_err_set(err, BRIG_EUSAGE,
                                "BRIG_FREEBSD_RELEASE=%.40s: expected a release such as 14.1", env);
        snprintf(h->release, sizeof(h->release), "%u.%u", rel.major, rel.minor);
    }
    const char *up = node->uplink;
    bool auto_up = !up || !*up || strcmp(up, "auto") == 0;
    if (!auto_up)
        h->uplink = brig_xstrdup(up);
    if (!on_freebsd())
        return 0;
    _cleanup_free_ char *osrel = probe("sysctl", "-n", "kern.osrelease", (char *)NULL);
    if (!(env && *env) && osrel && brig_freebsd_parse_release(osrel, &rel, NULL) == 0)
        snprintf(h->release, sizeof(h->release), "%u.%u", rel.major, rel.minor);
    _cleanup_free_ char *racct = probe("sysctl", "-n", "kern.racct.enable", (char *)NULL);
    bool on;
    if (racct && brig_freebsd_parse_sysctl_bool(racct, &on, NULL) == 0)
        h->racct = on ? 1 : 0;
    probe_bridges(h);
    if (auto_up)
        h->uplink = probe_default_if();
    if (h->uplink)
        h->uplink_mtu = probe_mtu(h->uplink);
    return 0;
}

/* The plans of one record: a jail's jstart and jstop, a VM's bstart,
 * bstop, bcreate and bremove. */
enum plan_kind { PLAN_START, PLAN_STOP, PLAN_CREATE, PLAN_REMOVE };

/* Build the plan of kind for the env's jail or VM. */
static int jail_plan(const struct brig_jail_env *env, enum plan_kind kind, struct brig_plan *ret,
                     struct brig_err *err)
{
    struct brig_devfs_rules *rules = NULL, *host_rules = NULL;
    _cleanup_free_ char *etc_rules = NULL;
    size_t etc_len = 0;
    struct host h;
    int r = -1;
    bool vm = brig_jail_is_vm(env->jail); /* a VM has no devfs */
    memset(ret, 0, sizeof(*ret));
    if (host_get(&h, env->node, err) < 0)
        goto out;
    /* the rulesets rc.d/devfs loaded at boot: brig never replaces one silently
     * (a file devfs(8) could not read either counts as none) */
    if (!vm && on_freebsd() &&
        brig_read_file("/etc/devfs.rules", BRIG_DEVFS_TEXT_MAX, &etc_rules, &etc_len, NULL) == 0 &&
        brig_devfs_rules_parse(etc_rules, etc_len, "/etc/devfs.rules", &host_rules, NULL) < 0)
        host_rules = NULL;
    if (!vm && env->devfs_rules) {
        _cleanup_free_ char *fname = brig_xasprintf("%s/etc/devfs.rules", env->node->workdir);
        if (brig_devfs_rules_parse(env->devfs_rules, strlen(env->devfs_rules), fname, &rules, err) <
            0)
            goto out;
    }
    struct brig_freebsd_input in = {
        .jail = env->jail,
        .nics = env->nics,
        .n_nics = env->nnics,
        .node = env->node,
        .devfs = rules,
        .host_devfs = host_rules,
        .release = h.release,
        .bridges = h.bridges,
        .n_bridges = h.n_bridges,
        .uplink = h.uplink,
        .uplink_mtu = h.uplink_mtu,
        .racct = h.racct,
        .exposes = env->exposes,
        .n_exposes = env->nexposes,
    };
    static int (*const vm_plans[])(const struct brig_freebsd_input *, struct brig_plan *,
                                   struct brig_err *) = {
        [PLAN_START] = brig_freebsd_plan_bstart,
        [PLAN_STOP] = brig_freebsd_plan_bstop,
        [PLAN_CREATE] = brig_freebsd_plan_bcreate,
        [PLAN_REMOVE] = brig_freebsd_plan_bremove,
    };
    if (vm)
        r = vm_plans[kind](&in, ret, err);
    else if (kind == PLAN_START || kind == PLAN_STOP)
        r = kind == PLAN_START ? brig_freebsd_plan_jstart(&in, ret, err)
                               : brig_freebsd_plan_jstop(&in, ret, err);
    else
        r = brig_err_set(err, BRIG_EUSAGE, "%s: not a VM", env->jail->v[BRIG_P_JNAME]);
out:
    brig_devfs_rules_free(rules);
    brig_devfs_rules_free(host_rules);
    host_free(&h);
    return r;
}

static int need_freebsd(const char *what, struct brig_err *err)
{
    if (on_freebsd())
        return 0;
    return brig_err_set(err, BRIG_EUSAGE,
                        "%s needs a FreeBSD host (--dry-run prints what it would run)", what);
}

/* Render the plan into out, or run it (on FreeBSD) after marking the journal. */
static int render_or_run(struct brig_plan *plan, struct brig_buf *out, const char *op,
                         const struct brig_journal_hook *journal, struct brig_err *err)
{
    if (out) {
        brig_plan_render(plan, out);
        return 0;
    }
    if (need_freebsd(op, err) < 0)
        return -1;
    if (journal && journal->mark(journal->ud, op, 1, err) < 0)
        return -1;
    return brig_plan_exec(plan, NULL, err);
}

/* A started VM's runtime: bhyve's pid, which daemon(8) writes to the pid
 * file just after it returns (at most 5 s). */
static int bhyve_pid(const struct brig_jail_env *env, struct brig_runtime *ret,
                     struct brig_err *err)
{
    const char *name = env->jail->v[BRIG_P_JNAME];
    _cleanup_free_ char *path =
        brig_xasprintf("%s/jails-system/%s/bhyve.pid", env->node->workdir, name);
    for (int tries = 0; tries < 50; tries++) {
        _cleanup_free_ char *text = NULL;
        char *end = NULL;
        if (brig_read_file(path, 64, &text, NULL, NULL) == 0) {
            long long pid = strtoll(text, &end, 10);
            if (pid > 0 && end != text) {
                *ret = (struct brig_runtime){.pid = pid, .starttime = 0};
                return 0;
            }
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return brig_err_set(err, BRIG_EFAIL, "%s: bhyve wrote no pid to %s (see bhyve.log beside it)",
                        name, path);
}

int brig_freebsd_jstart(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                        struct brig_runtime *ret, struct brig_err *err)
{
    struct brig_plan plan;
    if (jail_plan(env, PLAN_START, &plan, err) < 0)
        return -1;
    int r = render_or_run(&plan, env->plan, "jstart", journal, err);
    brig_plan_free(&plan);
    if (r < 0 || env->plan)
        return r;
    const char *name = env->jail->v[BRIG_P_JNAME];
    if (brig_jail_is_vm(env->jail))
        return bhyve_pid(env, ret, err);
    _cleanup_free_ char *out = probe("jls", "-j", name, "jid", (char *)NULL);
    int jid;
    if (!out)
        return brig_err_set(err, BRIG_EFAIL, "jls -j %s: the jail is gone after its start", name);
    if (brig_freebsd_parse_jid(out, &jid, err) < 0)
        return -1;
    *ret = (struct brig_runtime){.pid = jid, .starttime = 0};
    return 0;
}

int brig_freebsd_jstop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const struct brig_journal_hook *journal, struct brig_err *err)
{
    struct brig_plan plan;
    if (jail_plan(env, PLAN_STOP, &plan, err) < 0)
        return -1;
    int r = render_or_run(&plan, env->plan, "jstop", journal, err);
    brig_plan_free(&plan);
    return r;
}

int brig_freebsd_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                         struct brig_err *err)
{
    if (!on_freebsd())
        return brig_os_get(brig_os_native())->recover(env, rt, err);
    struct brig_plan plan;
    if (jail_plan(env, PLAN_STOP, &plan, err) < 0)
        return -1;
    for (size_t i = 0; i < plan.n_steps; i++)
        plan.steps[i].may_fail = true;
    int r = brig_plan_exec(&plan, NULL, err);
    brig_plan_free(&plan);
    return r;
}

int brig_freebsd_vm_create(const struct brig_jail_env *env, struct brig_err *err)
{
    struct brig_plan plan;
    if (jail_plan(env, PLAN_CREATE, &plan, err) < 0)
        return -1;
    int r = render_or_run(&plan, env->plan, "bcreate", NULL, err);
    brig_plan_free(&plan);
    return r;
}

int brig_freebsd_vm_remove(const struct brig_jail_env *env, struct brig_err *err)
{
    struct brig_plan plan;
    if (jail_plan(env, PLAN_REMOVE, &plan, err) < 0)
        return -1;
    int r = render_or_run(&plan, env->plan, "bremove", NULL, err);
    brig_plan_free(&plan);
    return r;
}

bool brig_freebsd_alive(const struct brig_runtime *rt)
{
    if (!on_freebsd())
        return brig_os_get(brig_os_native())->alive(rt);
    int64_t pid = rt->pid;
    if (pid <= 0)
        return false;
    char jid[32];
    snprintf(jid, sizeof(jid), "%lld", (long long)pid);
    _cleanup_free_ char *out = probe("jls", "-j", jid, "jid", (char *)NULL);
    int got;
    if (out && brig_freebsd_parse_jid(out, &got, NULL) == 0 && got == pid)
        return true;
    /* a VM's runtime is its bhyve process */
    _cleanup_free_ char *comm = probe("ps", "-p", jid, "-o", "comm=", (char *)NULL);
    return comm && strcmp(comm, "bhyve\n") == 0;
}

int brig_freebsd_prepare(const struct brig_jail_env *env, struct brig_err *err)
{
    if (need_freebsd("preparing a FreeBSD jail's data", err) < 0)
        return -1;
    struct brig_plan plan;
    if (brig_freebsd_plan_prepare(env->jail, env->basedir, &plan, err) < 0)
        return -1;
    int r = brig_plan_exec(&plan, NULL, err);
    brig_plan_free(&plan);
    return r;
}

int brig_freebsd_jexec(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const char *user, char *const *argv, unsigned flags, int *ret_status,
                       struct brig_err *err)
{
    /* jexec(8) runs the command on the caller's terminal: BRIG_EXEC_PTY changes nothing */
    bool login = flags & BRIG_EXEC_LOGIN;
    if (need_freebsd("jexec", err) < 0)
        return -1;
    if (user && brig_check_name("user", user, err) < 0)
        return -1;
    _cleanup_strv_ char **cmd = NULL;
    brig_strv_push(&cmd, "jexec");
    if (user && !login) {
        brig_strv_push(&cmd, "-U");
        brig_strv_push(&cmd, user);
    }
    brig_strv_push(&cmd, env->jail->v[BRIG_P_JNAME]);
    if (login) {
        brig_strv_push(&cmd, "login");
        brig_strv_push(&cmd, "-f");
        brig_strv_push(&cmd, user ? user : "root");
    }
    for (char *const *a = argv; !login && a && *a; a++)
        brig_strv_push(&cmd, *a);
    return brig_run(cmd, NULL, ret_status, NULL, err);
}

/* Run the inventory plan's commands one by one, keeping each capture's output. */
int brig_freebsd_inventory(struct brig_kvlist *facts, struct brig_err *err)
{
    if (need_freebsd("the inventory of a FreeBSD host", err) < 0)
        return -1;
    struct brig_plan plan;
    if (brig_freebsd_plan_inventory(&plan, err) < 0)
        return -1;
    brig_kvlist_add(facts, "platform", "FreeBSD", 0);
    for (size_t i = 0; i < plan.n_steps; i++) {
        const struct brig_plan_step *s = &plan.steps[i];
        _cleanup_free_ char *out = NULL;
        int status = -1;
        if (brig_run(s->cmd.argv, NULL, &status, &out, NULL) < 0)
            status = -1;
        bool on = false;
        struct brig_freebsd_release rel;
        char buf[32];
        if (strcmp(s->cmd.argv[0], "kldstat") == 0) { /* -q -m zfs: the exit status answers */
            brig_kvlist_add(facts, "zfs", status == 0 ? "1" : "0", 0);
        } else if (strcmp(s->capture, "osrelease") == 0) {
            if (status != 0 || brig_freebsd_parse_release(out ? out : "", &rel, err) < 0) {
                brig_plan_free(&plan);
                return brig_err_wrap(err, "sysctl -n kern.osrelease");
            }
            snprintf(buf, sizeof(buf), "%u.%u", rel.major, rel.minor);
            brig_kvlist_add(facts, "freebsd_release", buf, 0);
        } else {
            /* a missing OID (no VIMAGE, no RACCT in the kernel) means 0 */
            if (status == 0 && brig_freebsd_parse_sysctl_bool(out ? out : "", &on, NULL) < 0)
                on = false;
            brig_kvlist_add(facts, s->capture, status == 0 && on ? "1" : "0", 0);
        }
    }
    brig_plan_free(&plan);
    return 0;
}

int brig_freebsd_inventory_plan(struct brig_buf *out, struct brig_err *err)
{
    if (!out) {
        struct brig_kvlist facts = {0};
        int r = brig_freebsd_inventory(&facts, err);
        brig_kvlist_free(&facts);
        return r;
    }
    struct brig_plan plan;
    if (brig_freebsd_plan_inventory(&plan, err) < 0)
        return -1;
    brig_plan_render(&plan, out);
    brig_plan_free(&plan);
    return 0;
}

int brig_freebsd_repo_get(const struct brig_node *node, const char *sources, const char *ver,
                          const char *arch, struct brig_buf *out, struct brig_err *err)
{
    struct brig_plan plan;
    if (brig_freebsd_plan_repo(node, sources, ver, arch, &plan, err) < 0)
        return -1;
    int r = render_or_run(&plan, out, "repo", NULL, err);
    brig_plan_free(&plan);
    return r;
}
