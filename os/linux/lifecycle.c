/* The Linux lifecycle: jstart as a table of steps with undo, jstop as the
 * same table walked backwards, recovery as an undo of every step. */
#define _GNU_SOURCE
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "devfs_rules.h"
#include "mac.h"
#include "os/linux/cgroup.h"
#include "os/linux/fstab.h"
#include "os/linux/expose.h"
#include "os/linux/hook.h"
#include "os/linux/hostnet.h"
#include "os/linux/jail.h"
#include "os/linux/linux.h"
#include "os/linux/net.h"
#include "os/linux/proc.h"
#include "os/linux/resolv.h"
#include "os/linux/rootfs.h"
#include "os/linux/sysinit.h"
#include "os/linux/vm.h"
#include "os/linux/vnet.h"
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
    struct brig_cgroup_limits lim;
    char *console;
    uint64_t console_cap; /* console_log_size */
    int log_fd;           /* the started jail's console pipe, for its DHCP clients; or -1 */
    char **hook_env;
    /* vnet: the jail's network namespace, made by a thread while the first
     * steps run (a new namespace costs ~0.3 ms), then joined by the init */
    pthread_t netns_thread;
    bool netns_started;
    int netns_fd;
};

static const char *jv(const struct lx *s, enum brig_param_id id)
{
    return s->j->v[id] ? s->j->v[id] : "";
}

static int step_hook(struct lx *s, enum brig_param_id id, struct brig_err *err)
{
    return brig_hook_run(jv(s, id), s->hook_env, s->console, s->console_cap,
                         (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT), err);
}

static int prestart_apply(void *st, struct brig_err *err)
{
    return step_hook(st, BRIG_P_EXEC_PRESTART, err);
}

static int mount_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!brig_jail_bool(s->j, BRIG_P_BASERW) && !brig_path_exists(s->env->basedir))
        return brig_err_set(err, BRIG_EFAIL, "base %s is missing (brig repo action=get base=%s)",
                            s->env->basedir, jv(s, BRIG_P_BASE));
    if (brig_jail_bool(s->j, BRIG_P_USERNS) && !s->j->idmap)
        return brig_err_set(err, BRIG_EFAIL, "userns=1 but the jail has no id range");
    /* an unprivileged jail's root is made once its user namespace exists (init_apply) */
    if (s->j->idmap)
        return brig_rootfs_prepare_target(jv(s, BRIG_P_PATH), err);
    if (brig_rootfs_mount(s->env->basedir, jv(s, BRIG_P_DATA), jv(s, BRIG_P_PATH),
                          brig_jail_bool(s->j, BRIG_P_BASERW), err) < 0)
        return -1;
    if (s->env->nfstab == 0)
        return 0;
    /* host root's jail: its init copies the mounts under its root */
    _cleanup_close_ int root = open(jv(s, BRIG_P_PATH), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return brig_err_sys(err, errno, "open %s", jv(s, BRIG_P_PATH));
    return brig_fstab_attach_all(root, s->env->fstab, s->env->nfstab, 0, err);
}

static int mount_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (brig_rootfs_umount(jv(s, BRIG_P_PATH), NULL, err) < 0)
        return -1;
    /* where an unprivileged jail's base is attached for an instant on kernels before 6.13 */
    _cleanup_free_ char *lower = brig_xasprintf("%s/lower", jv(s, BRIG_P_DATA));
    return s->j->idmap ? brig_rootfs_umount(lower, NULL, err) : 0;
}

static int cgroup_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (brig_cgroup_limits_check(&s->lim, err) < 0 ||
        brig_cgroup_create_for(s->jname, &s->lim, err) < 0 ||
        brig_cgroup_set_limits(s->jname, &s->lim, err) < 0)
        return -1;
    /* an init system of the jail's own manages the cgroups below the jail's */
    if (*jv(s, BRIG_P_EXEC_INIT) && s->j->idmap)
        return brig_cgroup_delegate(s->jname, s->j->idmap, s->j->idmap, err);
    return 0;
}

static int cgroup_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    return brig_cgroup_destroy(s->jname, err);
}

static int net_host_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    return brig_vnet_bridges_ready(s->env, NULL, err);
}

static void *netns_make(void *arg)
{
    struct lx *s = arg;
    /* this thread alone moves; the namespace outlives it through the fd */
    if (unshare(CLONE_NEWNET) == 0)
        s->netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    return NULL;
}

/* Start making the namespace; on any failure the init makes its own. */
static void netns_start(struct lx *s)
{
    s->netns_fd = -1;
    /* an unprivileged jail's namespace must belong to its user namespace: the init makes it */
    if (s->policy.vnet && !s->j->idmap &&
        pthread_create(&s->netns_thread, NULL, netns_make, s) == 0)
        s->netns_started = true;
}

/* The namespace made ahead, or -1. */
static int netns_take(struct lx *s)
{
    if (s->netns_started) {
        pthread_join(s->netns_thread, NULL);
        s->netns_started = false;
    }
    return s->netns_fd;
}

/* An unprivileged jail's root, made in its init's user namespace and handed to the init. */
static int give_root(struct lx *s, struct brig_err *err)
{
    char ns[64];
    snprintf(ns, sizeof(ns), "/proc/%d/ns/user", (int)s->proc.pid);
    _cleanup_close_ int userns = open(ns, O_RDONLY | O_CLOEXEC);
    if (userns < 0)
        return brig_err_sys(err, errno, "open %s", ns);
    _cleanup_close_ int root = -1;
    if (brig_rootfs_mount_userns(s->env->basedir, jv(s, BRIG_P_DATA), jv(s, BRIG_P_PATH),
                                 brig_jail_bool(s->j, BRIG_P_BASERW), s->j->idmap, userns, &root,
                                 err) < 0)
        return -1;
    if (brig_fstab_attach_all(root, s->env->fstab, s->env->nfstab, s->j->idmap, err) < 0)
        return -1;
    return brig_jail_proc_give_root(&s->proc, root, err);
}

static int init_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    _cleanup_free_ char *resolv = NULL, *hosts = NULL;
    if (strcmp(jv(s, BRIG_P_JNAMESERVER), "auto") == 0) {
        _cleanup_free_ char *note = NULL;
        if (brig_resolv_auto(s->env, &resolv, &note, err) < 0)
            return -1;
        if (note && s->env->notes)
            brig_strv_push(s->env->notes, note);
    } else if (strcmp(jv(s, BRIG_P_JNAMESERVER), "0") != 0) {
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
        _cleanup_free_ struct brig_addr_item *items = NULL;
        size_t n = 0;
        if (brig_addr_list_parse(jv(s, BRIG_P_IP4_ADDR), BRIG_ADDR_ALIAS, &items, &n, NULL) < 0)
            n = 0; /* DHCP, REALDHCP: the jail learns its address later */
        for (size_t i = 0; i < n; i++) {
            char buf[BRIG_ADDR_STRLEN];
            brig_buf_addf(&b, "%s\t%s %s\n", brig_addr_format(&items[i].addr, false, buf), host,
                          s->jname);
        }
        hosts = brig_buf_steal(&b);
    }
    struct brig_jail_spec spec = {
        .root = jv(s, BRIG_P_PATH),
        .hostname = jv(s, BRIG_P_HOST_HOSTNAME),
        .console_log = s->console,
        .console_log_size = s->console_cap,
        .exec_start = jv(s, BRIG_P_EXEC_START),
        .exec_stop = jv(s, BRIG_P_EXEC_STOP),
        .exec_init = jv(s, BRIG_P_EXEC_INIT),
        .exec_env = jv(s, BRIG_P_EXEC_ENV),
        .exec_cwd = jv(s, BRIG_P_EXEC_CWD),
        .exec_user = jv(s, BRIG_P_EXEC_USER),
        .exec_timeout = (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT),
        .stop_timeout = (unsigned)brig_jail_int(s->j, BRIG_P_STOP_TIMEOUT),
        .persist = brig_jail_bool(s->j, BRIG_P_PERSIST),
        .mount_devfs = brig_jail_bool(s->j, BRIG_P_MOUNT_DEVFS),
        .mount_procfs = brig_jail_bool(s->j, BRIG_P_MOUNT_PROCFS),
        .mount_fdescfs = brig_jail_bool(s->j, BRIG_P_MOUNT_FDESCFS),
        .mount_sysfs = *jv(s, BRIG_P_EXEC_INIT) != '\0',
        .openfiles = (uint64_t)brig_jail_int(s->j, BRIG_P_OPENFILES),
        .resolv_conf = resolv,
        .hosts = hosts,
        .devnodes = &s->dev,
        .policy = s->policy,
        .cgroup_fd = -1,
        .netns_fd = netns_take(s),
        .idmap = s->j->idmap,
    };
    if (brig_cgroup_v2_open(s->jname, &spec.cgroup_fd, err) < 0)
        return -1;
    int r = brig_jail_spawn(&spec, &s->proc, err);
    if (spec.cgroup_fd >= 0)
        close(spec.cgroup_fd);
    if (r < 0)
        return -1;
    s->have_proc = true;
    s->rt.pid = s->proc.pid;
    s->rt.starttime = s->proc.starttime;
    s->rt.pidfs_ino = brig_pidfd_ino(s->proc.pidfd);
    if (spec.idmap && give_root(s, err) < 0)
        return -1;
    return brig_cgroup_join(s->jname, s->proc.pid, &s->lim, spec.cgroup_fd >= 0, err);
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

static int nics_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!brig_jail_bool(s->j, BRIG_P_VNET))
        return brig_hostnet_up(s->env, (pid_t)s->rt.pid, err);
    if (s->netns_fd >= 0)
        return brig_vnet_nics_up_ns(s->env, s->netns_fd, s->env->nics, s->env->nnics, err);
    return brig_vnet_nics_up(s->env, (pid_t)s->rt.pid, s->env->nics, s->env->nnics, err);
}

static int nics_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (!brig_jail_bool(s->j, BRIG_P_VNET))
        return brig_hostnet_down(s->env, err);
    return brig_vnet_nics_down(s->env, s->env->nics, s->env->nnics, err);
}

/* A jail without forwards never loads libnftables: every rule of a jail
 * comes from a row of its own, and a row goes only once its rules have. */
static int expose_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (s->env->nexposes == 0)
        return 0;
    return brig_expose_sync(s->j->id, s->env->exposes, s->env->nexposes, err);
}

static int expose_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    if (s->env->nexposes == 0)
        return 0;
    return brig_expose_sync(s->j->id, NULL, 0, err);
}

static int start_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    s->have_proc = false;
    /* the DHCP clients write there; closed when this brig exits */
    s->log_fd = brig_steal_fd(&s->proc.log_fd);
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
    if (*jv(s, BRIG_P_EXEC_INIT)) {
        int sig = brig_sysinit_signal(jv(s, BRIG_P_STOP_SIGNAL));
        return brig_jail_stop_sig((pid_t)s->rt.pid, s->rt.starttime, sig > 0 ? sig : SIGTERM,
                                  (unsigned)brig_jail_int(s->j, BRIG_P_STOP_TIMEOUT), err);
    }
    return brig_jail_stop((pid_t)s->rt.pid, s->rt.starttime,
                          (unsigned)brig_jail_int(s->j, BRIG_P_STOP_TIMEOUT),
                          (unsigned)brig_jail_int(s->j, BRIG_P_EXEC_TIMEOUT), err);
}

/* A jail whose init system manages its cgroups is joined where its init is
 * (systemd's init.scope): once it enables controllers in the jail's cgroup,
 * that cgroup takes no process of its own. Where that cannot be read, the
 * jail's cgroup stays the one joined. */
static void join_init_cgroup(const struct lx *s, char **procs)
{
    _cleanup_free_ char *own = NULL;
    if (s->rt.pid <= 0 || !brig_jail_alive((pid_t)s->rt.pid, s->rt.starttime) ||
        brig_cgroup_v2_procs_of(s->jname, (pid_t)s->rt.pid, &own, NULL) < 0 || !own)
        return;
    for (size_t i = 0; procs[i]; i++) {
        /* the v2 entry is the prefix of the init's */
        size_t n = strlen(procs[i]) - strlen("cgroup.procs");
        if (strncmp(procs[i], own, n) == 0) {
            free(procs[i]);
            procs[i] = own;
            own = NULL;
            return;
        }
    }
}

/* What jexec (and the DHCP client) need to enter the jail: its identity,
 * restrictions and cgroups. procs must outlive the spec. */
static int exec_spec(const struct lx *s, char ***procs, struct brig_jail_exec_spec *ret,
                     struct brig_err *err)
{
    if (brig_cgroup_join_paths(s->jname, &s->lim, procs, err) < 0)
        return -1;
    if (*jv(s, BRIG_P_EXEC_INIT))
        join_init_cgroup(s, *procs);
    *ret = (struct brig_jail_exec_spec){
        .pid = (pid_t)s->rt.pid,
        .starttime = s->rt.starttime,
        .policy = s->policy,
        .cgroup_procs = (const char *const *)*procs,
    };
    return 0;
}

static int dhcp_apply(void *st, struct brig_err *err)
{
    struct lx *s = st;
    _cleanup_strv_ char **procs = NULL;
    struct brig_jail_exec_spec spec;
    bool any = false, ra = false;
    for (size_t i = 0; i < s->env->nnics; i++) {
        any |= brig_vnet_wants_dhcp(&s->env->nics[i]);
        ra |= brig_vnet_wants_ra(s->env->node, &s->env->nics[i]);
    }
    /* SLAAC for ip4_addr=0: router advertisements from brig's dnsmasq */
    if (!any)
        return ra ? brig_vnet_ra_up(s->env, err) : 0;
    if (exec_spec(s, &procs, &spec, err) < 0)
        return -1;
    return brig_vnet_dhcp_up(s->env, &spec, s->log_fd, s->console, err);
}

static int dhcp_undo(void *st, struct brig_err *err)
{
    struct lx *s = st;
    return brig_vnet_dhcp_down(s->env, err);
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
    {"port forwards", expose_apply, expose_undo},
    {"exec_start", start_apply, start_undo},
    {"DHCP clients", dhcp_apply, dhcp_undo},
    {"exec_poststart", poststart_apply, NULL},
};

/* The cgroup limits of jail j (borrowing its cpuset). */
static int limits_of(const struct brig_jail *j, struct brig_cgroup_limits *ret,
                     struct brig_err *err)
{
    *ret = (struct brig_cgroup_limits){
        .maxproc = (uint64_t)brig_jail_int(j, BRIG_P_MAXPROC),
        .pcpu = (unsigned)brig_jail_int(j, BRIG_P_PCPU),
        .cpuset = j->v[BRIG_P_CPUSET] ? j->v[BRIG_P_CPUSET] : "",
    };
    return brig_parse_size(j->v[BRIG_P_MEMORYUSE] ? j->v[BRIG_P_MEMORYUSE] : "0", &ret->memoryuse,
                           err) < 0
               ? brig_err_wrap(err, "memoryuse")
               : 0;
}

static void lx_free(struct lx *s)
{
    if (netns_take(s) >= 0)
        close(s->netns_fd);
    if (s->have_proc)
        brig_jail_proc_abort(&s->proc);
    brig_jail_proc_clear(&s->proc);
    brig_devnodes_clear(&s->dev);
    if (s->log_fd >= 0)
        close(s->log_fd);
    free(s->console);
    brig_strv_free(s->hook_env);
}

/* Prepare the state every step reads: policy, /dev plan, hook environment. */
/* strict: the /dev plan must be right (jstart); a stop, exec or recovery goes on
 * without it, so a devfs.rules edited since the start never keeps a jail from stopping. */
static int lx_init(struct lx *s, const struct brig_jail_env *env, bool strict, struct brig_err *err)
{
    memset(s, 0, sizeof(*s));
    s->proc = (struct brig_jail_proc){.pid = -1, .pidfd = -1, .sync_fd = -1, .log_fd = -1};
    s->netns_fd = -1;
    s->log_fd = -1;
    s->env = env;
    if (brig_cgroup_set_node(env->node->nodeid, err) < 0)
        return -1;
    s->j = env->jail;
    s->jname = env->jail->v[BRIG_P_JNAME];
    s->console = brig_xasprintf("%s/console.log", env->sysdir);
    if (brig_parse_size(jv(s, BRIG_P_CONSOLE_LOG_SIZE)[0] ? jv(s, BRIG_P_CONSOLE_LOG_SIZE) : "1m",
                        &s->console_cap, err) < 0)
        return brig_err_wrap(err, "console_log_size");
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
    /* a DHCP client needs bpf (raw sockets here), which allow_raw_sockets also grants */
    int dhcp = 0;
    for (size_t i = 0; r == 0 && dhcp == 0 && strict && i < env->nnics; i++) {
        if (brig_vnet_wants_dhcp(&env->nics[i]) && !brig_jail_bool(s->j, BRIG_P_ALLOW_RAW_SOCKETS))
            dhcp = brig_devfs_check_dhcp(flat, env->nics[i].idx, err);
    }
    brig_devfs_flat_free(flat);
    brig_devfs_rules_free(rules);
    if (dhcp < 0)
        return -1;
    if (r < 0 && strict)
        return brig_err_wrap(err, "devfs_ruleset %u", ruleset);
    if (r < 0)
        brig_err_clear(err);
    if (limits_of(s->j, &s->lim, err) < 0)
        return -1;
    s->policy = (struct brig_jail_policy){
        .vnet = brig_jail_bool(s->j, BRIG_P_VNET),
        .allow_raw_sockets = brig_jail_bool(s->j, BRIG_P_ALLOW_RAW_SOCKETS),
        .allow_mount = brig_jail_bool(s->j, BRIG_P_ALLOW_MOUNT),
        .allow_sysvipc = brig_jail_bool(s->j, BRIG_P_ALLOW_SYSVIPC),
        .net_raw = s->dev.net_raw,
    };
    return 0;
}

/* The dry run of jstart (steps in order) or jstop (their undos, in reverse). */
static void describe_plan(const struct lx *s, bool stop, struct brig_buf *out)
{
    size_t n = BRIG_ARRAY_SIZE(start_steps);
    brig_buf_addf(out, "# %s %s (linux)\n", stop ? "jstop" : "jstart", s->jname);
    size_t k = 0;
    if (stop)
        brig_buf_addf(out, "%zu. exec_prestop\n", ++k);
    for (size_t i = 0; i < n; i++) {
        const struct brig_step *st = &start_steps[stop ? n - 1 - i : i];
        if (!stop)
            brig_buf_addf(out, "%zu. %s\n", ++k, st->name);
        else if (st->undo)
            brig_buf_addf(out, "%zu. undo: %s\n", ++k, st->name);
    }
    if (stop)
        brig_buf_addf(out, "%zu. exec_poststop\n", ++k);
}

int brig_linux_prepare(const struct brig_jail_env *env, struct brig_err *err)
{
    if (!brig_jail_bool(env->jail, BRIG_P_BASERW))
        return 0;
    /* the data dir exists (empty) so jcreate can tell a leftover apart: fill it */
    return brig_rootfs_populate_shifted(env->basedir, env->jail->v[BRIG_P_DATA], env->jail->idmap,
                                        NULL, NULL, err);
}

int brig_linux_jstart(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                      struct brig_runtime *ret, struct brig_err *err)
{
    struct lx s;
    if (brig_jail_is_vm(env->jail))
        return brig_linux_vm_start(env, journal, ret, err);
    if (lx_init(&s, env, true, err) < 0) {
        lx_free(&s);
        return -1;
    }
    if (env->plan) {
        describe_plan(&s, false, env->plan);
        lx_free(&s);
        return 0;
    }
    s.graceful = false;
    netns_start(&s);
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
    if (brig_jail_is_vm(env->jail))
        return brig_linux_vm_stop(env, rt, journal, err);
    if (lx_init(&s, env, false, err) < 0) {
        lx_free(&s);
        return -1;
    }
    if (env->plan) {
        describe_plan(&s, true, env->plan);
        lx_free(&s);
        return 0;
    }
    s.rt = *rt;
    s.graceful = true;
    int r = 0;
    /* the mark only helps a crashed stop's recovery, which the recorded init's
     * death also triggers: a full disk never keeps a jail from stopping */
    if (journal)
        journal->mark(journal->ud, "jstop", 1, NULL);
    brig_fault_point("jstop", 1, "before");
    /* a failing exec_prestop is in the console log; the stop goes on */
    if (r == 0)
        step_hook(&s, BRIG_P_EXEC_PRESTOP, NULL);
    if (r == 0)
        brig_fault_point("jstop", 2, "before");
    if (r == 0)
        r = brig_steps_undo(start_steps, BRIG_ARRAY_SIZE(start_steps), &s, err);
    brig_fault_point("jstop", 2, "after");
    if (r == 0 && step_hook(&s, BRIG_P_EXEC_POSTSTOP, err) < 0)
        r = brig_err_wrap(err, "exec_poststop");
    lx_free(&s);
    return r;
}

int brig_linux_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       struct brig_err *err)
{
    struct lx s;
    if (brig_jail_is_vm(env->jail))
        return brig_linux_vm_recover(env, rt, err);
    if (lx_init(&s, env, false, err) < 0)
        brig_err_clear(err); /* the teardown goes on whatever the settings say */
    s.rt = *rt;
    s.graceful = rt->pid > 0 && brig_jail_alive((pid_t)rt->pid, rt->starttime);
    int r = brig_steps_undo(start_steps, BRIG_ARRAY_SIZE(start_steps), &s, err);
    lx_free(&s);
    return r;
}

int brig_linux_jexec(const struct brig_jail_env *env, const struct brig_runtime *rt,
                     const char *user, char *const *argv, unsigned flags, int *ret_status,
                     struct brig_err *err)
{
    struct lx s;
    if (brig_jail_is_vm(env->jail))
        return brig_err_set(err, BRIG_EUSAGE, "is a VM: bconsole reaches its console");
    if (lx_init(&s, env, false, err) < 0) {
        lx_free(&s);
        return -1;
    }
    _cleanup_strv_ char **procs = NULL;
    struct brig_jail_exec_spec spec;
    s.rt = *rt;
    if (exec_spec(&s, &procs, &spec, err) < 0) {
        lx_free(&s);
        return -1;
    }
    spec.user = user;
    spec.argv = argv;
    spec.pty = flags & (BRIG_EXEC_LOGIN | BRIG_EXEC_PTY);
    spec.openfiles = (uint64_t)brig_jail_int(s.j, BRIG_P_OPENFILES);
    int r = brig_jail_exec(&spec, ret_status, err);
    lx_free(&s);
    return r;
}

int brig_linux_check_host(const struct brig_jail *j, struct brig_err *err)
{
    struct brig_cgroup_limits lim;
    if (limits_of(j, &lim, err) < 0)
        return -1;
    return brig_cgroup_limits_host_check(&lim, err);
}

/* Attach every process of the running jail to the hierarchies lim needs (a
 * limit set since the start may need one the jail was not in). Two passes: a
 * process forked by one not yet moved is caught by the second. */
static int limits_attach(const char *jname, const struct brig_cgroup_limits *lim,
                         struct brig_err *err)
{
    for (int pass = 0; pass < 2; pass++) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (brig_cgroup_pids(jname, &pids, &n, err) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            struct brig_err e = BRIG_ERR_INIT;
            if (brig_cgroup_join(jname, pids[i], lim, true, &e) < 0 && errno != ESRCH) {
                *err = e;
                return -1;
            }
        }
    }
    return 0;
}

int brig_linux_limits_set(const struct brig_jail_env *env, const struct brig_runtime *rt,
                          struct brig_err *err)
{
    struct brig_cgroup_limits lim;
    const char *jname = env->jail->v[BRIG_P_JNAME];
    if (rt->pid <= 0 || brig_cgroup_set_node(env->node->nodeid, err) < 0 ||
        limits_of(env->jail, &lim, err) < 0)
        return -1;
    if (brig_cgroup_create_for(jname, &lim, err) < 0 ||
        brig_cgroup_set_limits(jname, &lim, err) < 0 || limits_attach(jname, &lim, err) < 0)
        return -1;
    return 0;
}

int brig_linux_expose_sync(const struct brig_jail_env *env, const struct brig_runtime *rt,
                           struct brig_err *err)
{
    (void)rt;
    return brig_expose_sync(env->jail->id, env->exposes, env->nexposes, err);
}
