/* The Linux lifecycle: jstart as a table of steps with undo, jstop as the
 * same table walked backwards, recovery as an undo of every step. */
#define _GNU_SOURCE
#include "lifecycle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "devfs_rules.h"
#include "mac.h"
#include "os/linux/cgroup.h"
#include "os/linux/hook.h"
#include "os/linux/jail.h"
#include "os/linux/linux.h"
#include "os/linux/net.h"
#include "os/linux/rootfs.h"
#include "util.h"

struct lx {
    const struct brig_jail_env *env;
    const struct brig_jail *j;
    const char *jname;
    struct brig_runtime rt;
    struct brig_jail_proc proc;
    bool have_proc; /* spawned and not yet released */
    bool graceful;  /* undo of the start step runs exec_stop and waits */
    struct brig_devnodes dev;
    struct brig_jail_policy policy;
    char *console;
    char **hook_env;
};

static const char *jv(const struct lx *s, enum brig_param_id id)
{
    return s->j->v[id] ? s->j->v[id] : "";
}

static bool is_kw(const char *v, const char *kw)
{
    return strcasecmp(v, kw) == 0;
}

static int run_hook(struct lx *s, enum brig_param_id id)
{
    return brig_hook_run(brig_params[id].name, jv(s, id), s->hook_env, s->console,
                         (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT), NULL) < 0
               ? -1
               : 0;
}

static int step_hook(struct lx *s, enum brig_param_id id, struct brig_err *err)
{
    return brig_hook_run(brig_params[id].name, jv(s, id), s->hook_env, s->console,
                         (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT), err);
}

static int prestart_apply(void *st, struct brig_err *err)
{
    return step_hook(st, BRIG_P_EXEC_PRESTART, err);
}

static int mount_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!brig_path_exists(s->env->basedir))
        return brig_err_set(err, BRIG_EFAIL, "base %s is missing (brig repo action=get base=%s)",
                            s->env->basedir, jv(s, BRIG_P_BASE));
    return brig_rootfs_mount(s->env->basedir, jv(s, BRIG_P_DATA), jv(s, BRIG_P_PATH),
                             brig_jail_bool(s->j, BRIG_P_BASERW), err);
}

static int mount_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    return brig_rootfs_umount(jv(s, BRIG_P_PATH), NULL, err);
}

static int cgroup_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    struct brig_cgroup_limits lim = {
        .maxproc = (uint64_t)brig_jail_int(s->j, BRIG_P_MAXPROC),
        .pcpu = (unsigned)brig_jail_int(s->j, BRIG_P_PCPU),
        .cpuset = jv(s, BRIG_P_CPUSET),
    };
    if (brig_parse_size(jv(s, BRIG_P_MEMORYUSE), &lim.memoryuse, err) < 0 ||
        brig_cgroup_limits_check(&lim, err) < 0)
        return -1;
    if (brig_cgroup_create(s->jname, err) < 0)
        return -1;
    return brig_cgroup_set_limits(s->jname, &lim, err);
}

static int cgroup_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!brig_cgroup_exists(s->jname))
        return 0;
    if (brig_cgroup_kill(s->jname, err) < 0)
        return -1;
    return brig_cgroup_remove(s->jname, err);
}

/* The bridge a NIC's parent names: auto is the node's default bridge. */
static const char *nic_bridge(const struct lx *s, const char *parent)
{
    return strcmp(parent, "auto") == 0 ? s->env->node->bridge : parent;
}

/* Make sure the bridge exists: brig's default one is created on demand with the
 * node's gateway address; any other must exist already and be a bridge. */
static int bridge_ready(struct brig_nl *nl, const struct lx *s, const char *bridge,
                        struct brig_err *err)
{
    if (strcmp(bridge, s->env->node->bridge) == 0)
        return brig_bridge_ensure(nl, bridge, s->env->node->gateway4, 0, err);
    bool is;
    if (brig_bridge_is(nl, bridge, &is, err) < 0)
        return -1;
    if (!is)
        return brig_err_set(err, BRIG_EFAIL,
                            "%s is not a bridge (create it with brig bridge action=create)",
                            bridge);
    return 0;
}

static int net_host_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (brig_nl_open(&nl, err) < 0)
        return -1;
    if (brig_jail_bool(s->j, BRIG_P_VNET)) {
        for (size_t i = 0; i < s->env->nnics; i++) {
            if (bridge_ready(nl, s, nic_bridge(s, s->env->nics[i].parent), err) < 0)
                return brig_err_wrap(err, "eth%d", s->env->nics[i].idx);
        }
        return 0;
    }
    const char *ip = jv(s, BRIG_P_IP4_ADDR);
    if (strcmp(ip, "0") == 0)
        return 0;
    return bridge_ready(nl, s, nic_bridge(s, jv(s, BRIG_P_INTERFACE)), err);
}

static int init_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    _cleanup_free_ char *resolv = NULL, *hosts = NULL;
    if (strcmp(jv(s, BRIG_P_JNAMESERVER), "0") != 0) {
        struct brig_buf b = {0};
        _cleanup_free_ char *copy = brig_xstrdup(jv(s, BRIG_P_JNAMESERVER));
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            brig_buf_addf(&b, "nameserver %s\n", t);
        resolv = brig_buf_steal(&b);
    }
    if (brig_jail_bool(s->j, BRIG_P_MKHOSTSFILE)) {
        const char *host = jv(s, BRIG_P_HOST_HOSTNAME);
        struct brig_buf b = {0};
        brig_buf_add(&b, "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
        const char *ip = jv(s, BRIG_P_IP4_ADDR);
        if (strcmp(ip, "0") != 0 && !is_kw(ip, "REALDHCP") && !is_kw(ip, "DHCP")) {
            _cleanup_free_ char *copy = brig_xstrdup(ip);
            char *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                struct brig_addr a;
                char buf[BRIG_ADDR_STRLEN];
                const char *bar = strchr(t, '|');
                if (brig_addr_parse(bar ? bar + 1 : t, &a, NULL) == 0)
                    brig_buf_addf(&b, "%s\t%s %s\n", brig_addr_format(&a, false, buf), host,
                                  s->jname);
            }
        }
        hosts = brig_buf_steal(&b);
    }
    struct brig_jail_spec spec = {
        .root = jv(s, BRIG_P_PATH),
        .hostname = jv(s, BRIG_P_HOST_HOSTNAME),
        .console_log = s->console,
        .exec_start = jv(s, BRIG_P_EXEC_START),
        .exec_stop = jv(s, BRIG_P_EXEC_STOP),
        .exec_timeout = (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT),
        .stop_timeout = (unsigned)brig_jail_int(s->j, BRIG_P_STOP_TIMEOUT),
        .persist = brig_jail_bool(s->j, BRIG_P_PERSIST),
        .mount_devfs = brig_jail_bool(s->j, BRIG_P_MOUNT_DEVFS),
        .mount_procfs = brig_jail_bool(s->j, BRIG_P_MOUNT_PROCFS),
        .mount_fdescfs = brig_jail_bool(s->j, BRIG_P_MOUNT_FDESCFS),
        .openfiles = (uint64_t)brig_jail_int(s->j, BRIG_P_OPENFILES),
        .resolv_conf = resolv,
        .hosts = hosts,
        .devnodes = &s->dev,
        .policy = s->policy,
    };
    if (brig_jail_spawn(&spec, &s->proc, err) < 0)
        return -1;
    s->have_proc = true;
    s->rt.pid = s->proc.pid;
    s->rt.starttime = s->proc.starttime;
    return brig_cgroup_attach(s->jname, s->proc.pid, err);
}

static int init_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (s->have_proc) {
        brig_jail_proc_abort(&s->proc);
        s->have_proc = false;
    }
    return 0;
}

/* Parse a NIC's address list ("0" and REALDHCP give none). */
static int nic_addrs(const char *list, struct brig_addr **ret, size_t *ret_n, struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    if (strcmp(list, "0") == 0 || is_kw(list, "REALDHCP") || is_kw(list, "DHCP"))
        return 0;
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const char *bar = strchr(t, '|');
        *ret = brig_xrealloc(*ret, (*ret_n + 1) * sizeof(**ret));
        if (brig_addr_parse(bar ? bar + 1 : t, &(*ret)[*ret_n], err) < 0) {
            free(*ret);
            *ret = NULL;
            return -1;
        }
        (*ret_n)++;
    }
    return 0;
}

/* The IPv4 default route of NIC 0: auto is the node bridge's gateway. */
static int nic_gw4(const struct lx *s, const struct brig_nic *nic, const struct brig_addr *addrs,
                   size_t n, struct brig_addr *ret, bool *ret_set, struct brig_err *err)
{
    *ret_set = false;
    const char *gw = nic->gw4 ? nic->gw4 : "auto";
    bool has_v4 = false;
    for (size_t i = 0; i < n; i++)
        has_v4 |= addrs[i].family == AF_INET;
    if (nic->idx != 0 || strcmp(gw, "0") == 0 || !has_v4)
        return 0;
    if (strcmp(gw, "auto") == 0) {
        if (strcmp(nic_bridge(s, nic->parent), s->env->node->bridge) != 0)
            return 0;
        gw = s->env->node->gateway4;
    }
    if (brig_addr_parse(gw, ret, err) < 0)
        return brig_err_wrap(err, "ci_gw4");
    *ret_set = true;
    return 0;
}

static int vnet_nics_apply(struct lx *s, struct brig_err *err)
{
    _cleanup_nl_ struct brig_nl *host = NULL, *jail = NULL;
    _cleanup_close_ int nsfd = -1;
    if (brig_nl_open(&host, err) < 0 || brig_netns_open_pid((pid_t)s->rt.pid, &nsfd, err) < 0 ||
        brig_nl_open_netns(nsfd, &jail, err) < 0)
        return -1;
    if (brig_link_set_up(jail, "lo", err) < 0)
        return -1;
    for (size_t i = 0; i < s->env->nnics; i++) {
        const struct brig_nic *nic = &s->env->nics[i];
        uint8_t mac[6];
        if (strcmp(nic->hwaddr, "0") == 0)
            brig_mac_derive(s->env->node->nodename, s->jname, nic->idx, mac);
        else if (brig_mac_parse(nic->hwaddr, mac, err) < 0)
            return -1;
        struct brig_veth v = {
            .jail_id = s->j->id,
            .idx = nic->idx,
            .jname = s->jname,
            .bridge = nic_bridge(s, nic->parent),
            .netns_fd = nsfd,
            .mac = mac,
            .mtu = nic->mtu,
        };
        _cleanup_free_ struct brig_addr *addrs = NULL;
        size_t naddrs;
        struct brig_addr gw4;
        bool has_gw;
        if (brig_veth_create(host, &v, err) < 0 ||
            nic_addrs(nic->addrs, &addrs, &naddrs, err) < 0 ||
            nic_gw4(s, nic, addrs, naddrs, &gw4, &has_gw, err) < 0 ||
            brig_veth_configure(jail, nic->idx, addrs, naddrs, has_gw ? &gw4 : NULL, NULL, err) < 0)
            return brig_err_wrap(err, "eth%d", nic->idx);
    }
    return 0;
}

/* Non-VNET jails: each address becomes an alias on its interface. */
static int aliases(struct lx *s, bool add, struct brig_err *err)
{
    const char *ip = jv(s, BRIG_P_IP4_ADDR);
    if (strcmp(ip, "0") == 0)
        return 0;
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (brig_nl_open(&nl, err) < 0)
        return -1;
    _cleanup_free_ char *copy = brig_xstrdup(ip);
    char *save = NULL;
    int r = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *bar = strchr(t, '|');
        const char *iface = nic_bridge(s, jv(s, BRIG_P_INTERFACE));
        if (bar) {
            *bar = '\0';
            iface = t;
        }
        struct brig_addr a;
        if (brig_addr_parse(bar ? bar + 1 : t, &a, err) < 0)
            return -1;
        if (add && brig_ifaddr_add(nl, iface, &a, err) < 0)
            return brig_err_wrap(err, "alias on %s", iface);
        if (!add && brig_ifaddr_del(nl, iface, &a, r == 0 ? err : NULL) < 0)
            r = -1;
    }
    return r;
}

static int nics_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (brig_jail_bool(s->j, BRIG_P_VNET))
        return vnet_nics_apply(s, err);
    return aliases(s, true, err);
}

static int nics_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!brig_jail_bool(s->j, BRIG_P_VNET))
        return aliases(s, false, err);
    _cleanup_nl_ struct brig_nl *host = NULL;
    if (brig_nl_open(&host, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < s->env->nnics; i++) {
        if (brig_veth_delete(host, s->j->id, s->env->nics[i].idx, r == 0 ? err : NULL) < 0)
            r = -1;
    }
    return r;
}

static int start_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    s->have_proc = false;
    if (brig_jail_proc_release(&s->proc, err) < 0)
        return -1;
    brig_jail_proc_clear(&s->proc);
    return 0;
}

static int start_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!s->graceful || s->rt.pid <= 0)
        return 0;
    return brig_jail_stop((pid_t)s->rt.pid, s->rt.starttime,
                          (unsigned)brig_jail_int(s->j, BRIG_P_STOP_TIMEOUT),
                          (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT), err);
}

static int poststart_apply(void *st, struct brig_err *err)
{
    return step_hook(st, BRIG_P_EXEC_POSTSTART, err);
}

static const struct brig_step start_steps[] = {
    {"exec_prestart", prestart_apply, NULL},
    {"mount the jail's root", mount_apply, mount_undo},
    {"cgroup", cgroup_apply, cgroup_undo},
    {"bridges", net_host_apply, NULL},
    {"spawn the jail's init", init_apply, init_undo},
    {"network", nics_apply, nics_undo},
    {"exec_start", start_apply, start_undo},
    {"exec_poststart", poststart_apply, NULL},
};

static void lx_free(struct lx *s)
{
    if (s->have_proc)
        brig_jail_proc_abort(&s->proc);
    brig_jail_proc_clear(&s->proc);
    brig_devnodes_clear(&s->dev);
    free(s->console);
    brig_strv_free(s->hook_env);
}

/* Prepare the state every step reads: policy, /dev plan, hook environment. */
static int lx_init(struct lx *s, const struct brig_jail_env *env, struct brig_err *err)
{
    memset(s, 0, sizeof(*s));
    s->proc = (struct brig_jail_proc){.pid = -1, .pidfd = -1, .sync_fd = -1};
    s->env = env;
    s->j = env->jail;
    s->jname = env->jail->v[BRIG_P_JNAME];
    s->console = brig_xasprintf("%s/console.log", env->sysdir);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)s->j->id);
    const char *vars[][2] = {
        {"jname", s->jname},
        {"jid", id},
        {"path", jv(s, BRIG_P_PATH)},
        {"host_hostname", jv(s, BRIG_P_HOST_HOSTNAME)},
        {"ip4_addr", jv(s, BRIG_P_IP4_ADDR)},
    };
    brig_strv_push(&s->hook_env,
                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(vars); i++) {
        _cleanup_free_ char *kv = brig_xasprintf("%s=%s", vars[i][0], vars[i][1]);
        brig_strv_push(&s->hook_env, kv);
    }

    struct brig_devfs_rules *rules = NULL;
    struct brig_devfs_flat *flat = NULL;
    const char *text = env->devfs_rules ? env->devfs_rules : brig_devfs_rules_default();
    unsigned ruleset = (unsigned)brig_jail_int(s->j, BRIG_P_DEVFS_RULESET);
    int r = brig_devfs_rules_parse(text, strlen(text), "devfs.rules", &rules, err);
    if (r == 0)
        r = brig_devfs_flatten(rules, ruleset, &flat, err);
    if (r == 0)
        r = brig_devnodes_plan(flat, NULL, NULL, &s->dev, err);
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
    if (r < 0)
        return brig_err_wrap(err, "devfs_ruleset %u", ruleset);
    s->policy = (struct brig_jail_policy){
        .vnet = brig_jail_bool(s->j, BRIG_P_VNET),
        .allow_raw_sockets = brig_jail_bool(s->j, BRIG_P_ALLOW_RAW_SOCKETS),
        .allow_mount = brig_jail_bool(s->j, BRIG_P_ALLOW_MOUNT),
        .allow_sysvipc = brig_jail_bool(s->j, BRIG_P_ALLOW_SYSVIPC),
        .net_raw = s->dev.net_raw,
    };
    return 0;
}

static void describe_plan(const struct lx *s, struct brig_buf *out)
{
    brig_buf_addf(out, "# jstart %s (linux)\n", s->jname);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(start_steps); i++)
        brig_buf_addf(out, "%zu. %s\n", i + 1, start_steps[i].name);
}

int brig_linux_prepare(const struct brig_jail_env *env, struct brig_err *err)
{
    if (!brig_jail_bool(env->jail, BRIG_P_BASERW))
        return 0;
    /* the data dir exists (empty) so jcreate can tell a leftover apart: fill it */
    return brig_rootfs_populate(env->basedir, env->jail->v[BRIG_P_DATA], NULL, NULL, err);
}

int brig_linux_jstart(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                      struct brig_runtime *ret, struct brig_err *err)
{
    struct lx s;
    if (lx_init(&s, env, err) < 0) {
        lx_free(&s);
        return -1;
    }
    if (env->plan) {
        describe_plan(&s, env->plan);
        lx_free(&s);
        return 0;
    }
    s.graceful = false;
    int r = brig_steps_run("jstart", start_steps, BRIG_ARRAY_SIZE(start_steps), &s, journal, err);
    if (r == 0)
        *ret = s.rt;
    lx_free(&s);
    return r;
}

int brig_linux_jstop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                     const struct brig_journal_hook *journal, struct brig_err *err)
{
    struct lx s;
    if (lx_init(&s, env, err) < 0) {
        lx_free(&s);
        return -1;
    }
    s.rt = *rt;
    s.graceful = true;
    int r = 0;
    if (journal && journal->mark(journal->ud, "jstop", 1, err) < 0)
        r = -1;
    brig_fault_point("jstop", 1, "before");
    /* a failing exec_prestop is in the console log; the stop goes on */
    if (r == 0)
        run_hook(&s, BRIG_P_EXEC_PRESTOP);
    if (r == 0) {
        if (journal && journal->mark(journal->ud, "jstop", 2, err) < 0)
            r = -1;
        brig_fault_point("jstop", 2, "before");
    }
    if (r == 0)
        r = brig_steps_undo(start_steps, BRIG_ARRAY_SIZE(start_steps), &s, err);
    brig_fault_point("jstop", 2, "after");
    if (r == 0)
        r = step_hook(&s, BRIG_P_EXEC_POSTSTOP, err);
    lx_free(&s);
    return r;
}

int brig_linux_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       struct brig_err *err)
{
    struct lx s;
    int r = lx_init(&s, env, err);
    if (r < 0) {
        /* a bad ruleset must not stop the teardown */
        brig_err_clear(err);
    }
    s.rt = *rt;
    s.graceful = rt->pid > 0 && brig_jail_alive((pid_t)rt->pid, rt->starttime);
    r = brig_steps_undo(start_steps, BRIG_ARRAY_SIZE(start_steps), &s, err);
    lx_free(&s);
    return r;
}

int brig_linux_jexec(const struct brig_jail_env *env, const struct brig_runtime *rt,
                     const char *user, char *const *argv, bool login, int *ret_status,
                     struct brig_err *err)
{
    struct lx s;
    if (lx_init(&s, env, err) < 0) {
        lx_free(&s);
        return -1;
    }
    _cleanup_strv_ char **procs = NULL;
    if (brig_cgroup_procs_paths(s.jname, &procs, err) < 0) {
        lx_free(&s);
        return -1;
    }
    struct brig_jail_exec_spec spec = {
        .pid = (pid_t)rt->pid,
        .starttime = rt->starttime,
        .policy = s.policy,
        .cgroup_procs = (const char *const *)procs,
        .user = user,
        .argv = argv,
        .pty = login,
    };
    int r = brig_jail_exec(&spec, ret_status, err);
    lx_free(&s);
    return r;
}
