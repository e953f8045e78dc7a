/* jstart and jstop plans for FreeBSD jails, VNET and not. The order follows
 * jail(8)'s own (mounts, exec.prestart, create, exec.start, exec.poststart),
 * with one change: in a VNET jail exec.start runs only after brig has created
 * the epairs, moved them in and configured them, so the jail is created
 * persistent and exec.start is run with jexec(8). docs/freebsd.md explains. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "freebsd.h"
#include "mac.h"
#include "util.h"

#define T(i) (UINT64_C(1) << (i))

/* Writable directories of a thin jail, nullfs-mounted from its data dir over
 * the read-only base; the base must have them (repo creates them). */
static const char *const thin_rw_dirs[] = {"etc", "root", "tmp", "var", "usr/local"};

struct ctx {
    const struct brig_freebsd_input *in;
    const struct brig_jail *j;
    const char *name;
    struct brig_plan *plan;
    struct brig_freebsd_release rel;
    bool jail_ifconfig; /* ifconfig -j and route -j exist (13.3 and later) */
    char *log;
    char *conf_path;
    char **created_bridges;
};

static char ifprefix[4] = "b";

void brig_freebsd_ifprefix_set(const char *prefix)
{
    snprintf(ifprefix, sizeof(ifprefix), "%s", prefix ? prefix : "b");
}

int brig_freebsd_ifname(int64_t jail_id, int idx, char side, char ret[16], struct brig_err *err)
{
    int n = snprintf(ret, 16, "%sj%llde%d%c", ifprefix, (long long)jail_id, idx, side);
    if (jail_id < 0 || idx < 0 || n < 0 || n > 15)
        return brig_err_set(err, BRIG_EUSAGE,
                            "jail id %lld and NIC %d do not fit a FreeBSD interface name "
                            "(15 characters)",
                            (long long)jail_id, idx);
    return 0;
}

/* A hook: cmd run by sh(1), on the host or (in_jail) inside the jail, under
 * timeout(1) when exec_timeout is set; nothing when cmd is empty. */
static void add_hook(struct ctx *c, const char *what, const char *cmd, bool in_jail)
{
    if (!cmd || !cmd[0])
        return;
    const char *argv[12];
    size_t n = 0;
    const char *t = c->j->v[BRIG_P_EXEC_TIMEOUT];
    if (t && strcmp(t, "0") != 0) {
        argv[n++] = "timeout";
        argv[n++] = t;
    }
    if (in_jail) {
        argv[n++] = "jexec";
        argv[n++] = c->name;
    }
    argv[n++] = "/bin/sh";
    argv[n++] = "-c";
    argv[n++] = cmd;
    argv[n] = NULL;
    _cleanup_free_ char *desc =
        brig_xasprintf("%s (%s)", what, in_jail ? "inside the jail" : "on the host");
    struct brig_plan_step *s = brig_plan_add(c->plan, desc, argv);
    brig_plan_step_log(s, c->log);
}

/* ifconfig inside the jail: `ifconfig -j NAME ...` or, before 13.3, through jexec. */
static struct brig_plan_step *add_jail_ifconfig(struct ctx *c, const char *desc, const char *a1,
                                                const char *a2, const char *a3, const char *a4,
                                                const char *a5)
{
    if (c->jail_ifconfig)
        return brig_plan_addv(c->plan, desc, "ifconfig", "-j", c->name, a1, a2, a3, a4, a5,
                              (char *)NULL);
    return brig_plan_addv(c->plan, desc, "jexec", c->name, "ifconfig", a1, a2, a3, a4, a5,
                          (char *)NULL);
}

static void jail_ifconfig_undo(struct ctx *c, struct brig_plan_step *s, const char *a1,
                               const char *a2, const char *a3)
{
    if (c->jail_ifconfig)
        brig_plan_step_undov(s, 0, "ifconfig", "-j", c->name, a1, a2, a3, (char *)NULL);
    else
        brig_plan_step_undov(s, 0, "jexec", c->name, "ifconfig", a1, a2, a3, (char *)NULL);
}

/* Two optional strings alike (both absent, or equal). */
static bool same_str(const char *a, const char *b)
{
    return a == b || brig_streq(a, b);
}

/* Whether two rulesets hold the same rules (includes compared by what they name). */
static bool same_rules(const struct brig_devfs_ruleset *a, const struct brig_devfs_ruleset *b)
{
    if (a->n_rules != b->n_rules)
        return false;
    for (size_t i = 0; i < a->n_rules; i++) {
        const struct brig_devfs_rule *x = &a->rules[i], *y = &b->rules[i];
        if (x->rulenum != y->rulenum || x->types != y->types || x->actions != y->actions ||
            x->mode != y->mode || !same_str(x->pattern, y->pattern) ||
            !same_str(x->user, y->user) || !same_str(x->group, y->group) ||
            !same_str(x->include_name, y->include_name) ||
            (!x->include_name && x->include != y->include))
            return false;
    }
    return true;
}

/* A ruleset the host's /etc/devfs.rules loads at boot under the same number
 * with other rules: loading brig's would change it for every jail using it. */
static int check_host_ruleset(struct ctx *c, unsigned num, struct brig_err *err)
{
    const struct brig_devfs_ruleset *ours = brig_devfs_rules_find(c->in->devfs, num);
    const struct brig_devfs_ruleset *host =
        c->in->host_devfs ? brig_devfs_rules_find(c->in->host_devfs, num) : NULL;
    if (!ours || !host || same_rules(ours, host))
        return 0;
    return brig_err_set(err, BRIG_EUSAGE,
                        "devfs ruleset %u is %s in %s and %s in /etc/devfs.rules, with other "
                        "rules: loading brig's would change it for every jail that uses it "
                        "(give one of them another number)",
                        num, ours->name, c->in->devfs->fname, host->name);
}

/* The jail's ruleset and those it includes, each loaded (delset, then its
 * rules) only when `devfs rule -s N show` differs from what loading it gives:
 * reloading a ruleset in use leaves the nodes that appear meanwhile in other
 * jails without their hide rules. */
static int add_devfs(struct ctx *c, struct brig_err *err)
{
    int64_t num = brig_jail_int(c->j, BRIG_P_DEVFS_RULESET);
    if (num == 0)
        return 0;
    if (!c->in->devfs)
        return brig_err_set(err, BRIG_EUSAGE, "devfs_ruleset=%lld: no devfs.rules was given",
                            (long long)num);
    char ***cmds = NULL;
    if (brig_devfs_render_argv(c->in->devfs, (unsigned)num, &cmds, err) < 0)
        return brig_err_wrap(err, "devfs_ruleset=%lld", (long long)num);
    int r = 0;
    for (size_t i = 0; r == 0 && cmds[i]; i++) {
        /* each ruleset starts with its delset: devfs rule -s N delset */
        const char *set = brig_strv_len(cmds[i]) > 3 ? cmds[i][3] : "?";
        size_t n = 1;
        while (cmds[i + n] && strcmp(cmds[i + n][brig_strv_len(cmds[i + n]) - 1], "delset") != 0)
            n++;
        unsigned setnum = (unsigned)strtoul(set, NULL, 10);
        _cleanup_free_ char *show = NULL;
        if ((r = check_host_ruleset(c, setnum, err)) < 0 ||
            (r = brig_devfs_render_show(c->in->devfs, setnum, &show, err)) < 0)
            break;
        _cleanup_free_ char *desc =
            strcmp(set, c->j->v[BRIG_P_DEVFS_RULESET]) == 0
                ? brig_xasprintf("devfs.rules: ruleset %s as the kernel has it", set)
                : brig_xasprintf("devfs.rules: ruleset %s (included by %lld) as the kernel has it",
                                 set, (long long)num);
        struct brig_plan_step *s =
            brig_plan_addv(c->plan, desc, "devfs", "rule", "-s", set, "show", (char *)NULL);
        brig_plan_step_skip_if(s, show, n);
        _cleanup_free_ char *d2 = brig_xasprintf("devfs.rules: load ruleset %s", set);
        for (size_t k = 0; k < n; k++)
            brig_plan_add(c->plan, d2, (const char *const *)cmds[i + k]);
        i += n - 1;
    }
    brig_devfs_argv_free(cmds);
    return r < 0 ? brig_err_wrap(err, "devfs_ruleset=%lld", (long long)num) : 0;
}

/* The mount points of the jail's root, in mount order, with their sources. */
static size_t root_mounts(struct ctx *c, char *src[8], char *dst[8], bool ro[8])
{
    const char *path = c->j->v[BRIG_P_PATH], *data = c->j->v[BRIG_P_DATA];
    size_t n = 0;
    if (brig_jail_bool(c->j, BRIG_P_BASERW)) {
        src[n] = brig_xstrdup(data);
        dst[n] = brig_xstrdup(path);
        ro[n++] = false;
        return n;
    }
    src[n] = brig_xasprintf("%s/basejail/%s", c->in->node->workdir, c->j->v[BRIG_P_BASE]);
    dst[n] = brig_xstrdup(path);
    ro[n++] = true;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(thin_rw_dirs); i++) {
        src[n] = brig_xasprintf("%s/%s", data, thin_rw_dirs[i]);
        dst[n] = brig_xasprintf("%s/%s", path, thin_rw_dirs[i]);
        ro[n++] = false;
    }
    return n;
}

int brig_freebsd_plan_prepare(const struct brig_jail *j, const char *basedir, struct brig_plan *ret,
                              struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    const char *data = j->v[BRIG_P_DATA];
    if (!data || data[0] != '/' || !basedir || basedir[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "the jail's data and base must be absolute paths");
    brig_plan_addv(ret, "the jail's data directory", "mkdir", "-p", data, (char *)NULL);
    if (brig_jail_bool(j, BRIG_P_BASERW)) {
        _cleanup_free_ char *src = brig_xasprintf("%s/.", basedir);
        brig_plan_addv(ret, "thick jail: its own copy of the base", "cp", "-a", src, data,
                       (char *)NULL);
        return 0;
    }
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(thin_rw_dirs); i++) {
        _cleanup_free_ char *src = brig_xasprintf("%s/%s", basedir, thin_rw_dirs[i]);
        _cleanup_free_ char *dst = brig_xasprintf("%s/%s", data, thin_rw_dirs[i]);
        _cleanup_free_ char *parent = brig_xstrndup(dst, (size_t)(strrchr(dst, '/') - dst));
        _cleanup_free_ char *desc =
            brig_xasprintf("thin jail: its writable %s, from the base", thin_rw_dirs[i]);
        if (strchr(thin_rw_dirs[i], '/'))
            brig_plan_addv(ret, "its parent directory", "mkdir", "-p", parent, (char *)NULL);
        brig_plan_addv(ret, desc, "cp", "-a", src, dst, (char *)NULL);
    }
    return 0;
}

/* linprocfs and linsysfs for emulator=linux jails that ask for them. */
static size_t lin_mounts(struct ctx *c, const char *fs[2], char *dst[2])
{
    size_t n = 0;
    const char *path = c->j->v[BRIG_P_PATH];
    if (!brig_streq(c->j->v[BRIG_P_EMULATOR], "linux"))
        return 0;
    if (brig_jail_bool(c->j, BRIG_P_MOUNT_LINPROCFS)) {
        fs[n] = "linprocfs";
        dst[n++] = brig_xasprintf("%s/compat/linux/proc", path);
    }
    if (brig_jail_bool(c->j, BRIG_P_MOUNT_LINSYSFS)) {
        fs[n] = "linsysfs";
        dst[n++] = brig_xasprintf("%s/compat/linux/sys", path);
    }
    return n;
}

static void add_mounts(struct ctx *c)
{
    char *src[8], *dst[8], *ldst[2];
    bool ro[8];
    const char *fs[2];
    size_t n = root_mounts(c, src, dst, ro);
    for (size_t i = 0; i < n; i++) {
        struct brig_plan_step *s;
        if (ro[i])
            s = brig_plan_addv(c->plan, "mount the base read-only as the jail's root", "mount",
                               "-t", "nullfs", "-o", "ro", src[i], dst[i], (char *)NULL);
        else
            s = brig_plan_addv(c->plan,
                               i == 0 ? "mount the jail's own copy of the base as its root"
                                      : "mount a writable directory from the jail's data",
                               "mount", "-t", "nullfs", src[i], dst[i], (char *)NULL);
        brig_plan_step_undov(s, 0, "umount", dst[i], (char *)NULL);
        free(src[i]);
        free(dst[i]);
    }
    size_t ln = lin_mounts(c, fs, ldst);
    for (size_t i = 0; i < ln; i++) {
        _cleanup_free_ char *desc = brig_xasprintf("mount %s for the Linux userland", fs[i]);
        struct brig_plan_step *s =
            brig_plan_addv(c->plan, desc, "mount", "-t", fs[i], fs[i], ldst[i], (char *)NULL);
        brig_plan_step_undov(s, 0, "umount", ldst[i], (char *)NULL);
        free(ldst[i]);
    }
}

static void add_unmounts(struct ctx *c)
{
    char *src[8], *dst[8], *ldst[2];
    bool ro[8];
    const char *fs[2];
    size_t ln = lin_mounts(c, fs, ldst);
    while (ln-- > 0) {
        _cleanup_free_ char *desc = brig_xasprintf("unmount %s", fs[ln]);
        brig_plan_addv(c->plan, desc, "umount", ldst[ln], (char *)NULL);
        free(ldst[ln]);
    }
    size_t n = root_mounts(c, src, dst, ro);
    while (n-- > 0) {
        brig_plan_addv(c->plan, n == 0 ? "unmount the jail's root" : "unmount a data directory",
                       "umount", dst[n], (char *)NULL);
        free(src[n]);
        free(dst[n]);
    }
}

static void amount(char *buf, size_t len, uint64_t v)
{
    static const char suffix[] = "KMGT";
    int k = -1;
    while (k < 3 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        k++;
    }
    if (k < 0)
        snprintf(buf, len, "%llu", (unsigned long long)v);
    else
        snprintf(buf, len, "%llu%c", (unsigned long long)v, suffix[k]);
}

/* rctl(8) rules for the jail's limits; returns how many there are. */
static int rctl_rules(struct ctx *c, char ***ret, struct brig_err *err)
{
    char **rules = brig_xcalloc(1, sizeof(char *));
    uint64_t mem = 0;
    if (brig_parse_size(c->j->v[BRIG_P_MEMORYUSE], &mem, err) < 0) {
        brig_strv_free(rules);
        return brig_err_wrap(err, "memoryuse");
    }
    if (mem) {
        char a[32];
        amount(a, sizeof(a), mem);
        _cleanup_free_ char *r = brig_xasprintf("jail:%s:memoryuse:deny=%s", c->name, a);
        brig_strv_push(&rules, r);
    }
    static const struct {
        enum brig_param_id id;
        const char *res;
        const char *per; /* rctl(8)'s per: "/process" applies the amount to each process */
    } ints[] = {{BRIG_P_MAXPROC, "maxproc", ""},
                {BRIG_P_PCPU, "pcpu", ""},
                {BRIG_P_OPENFILES, "openfiles", "/process"}};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ints); i++) {
        int64_t v = brig_jail_int(c->j, ints[i].id);
        if (v > 0) {
            _cleanup_free_ char *r = brig_xasprintf("jail:%s:%s:deny=%lld%s", c->name, ints[i].res,
                                                    (long long)v, ints[i].per);
            brig_strv_push(&rules, r);
        }
    }
    if (rules[0] && c->in->racct == 0) {
        brig_strv_free(rules);
        return brig_err_set(err, BRIG_EUSAGE,
                            "resource limits need kern.racct.enable=1 in /boot/loader.conf "
                            "(and a reboot)");
    }
    *ret = rules;
    return (int)brig_strv_len(rules);
}

static const struct brig_freebsd_bridge *find_bridge(const struct brig_freebsd_input *in,
                                                     const char *name)
{
    for (size_t i = 0; i < in->n_bridges; i++) {
        if (brig_streq(in->bridges[i].name, name))
            return &in->bridges[i];
    }
    return NULL;
}

int brig_freebsd_nic_bridge(const struct brig_freebsd_input *in, struct brig_plan *plan,
                            char ***created, const struct brig_nic *nic, const char **ret,
                            unsigned *ret_mtu, struct brig_err *err)
{
    const char *parent = nic->parent && nic->parent[0] ? nic->parent : "auto";
    bool is_default = strcmp(parent, "auto") == 0;
    const char *name = is_default ? in->node->bridge : parent;
    if (!name || !name[0])
        return brig_err_set(err, BRIG_EUSAGE, "eth%d: the node has no default bridge", nic->idx);
    if (brig_check_ifname(name, err) < 0)
        return brig_err_wrap(err, "eth%d", nic->idx);
    unsigned uplink_mtu = in->uplink_mtu ? in->uplink_mtu : 1500;
    const struct brig_freebsd_bridge *b = find_bridge(in, name);
    *ret = name;
    if (b) {
        *ret_mtu = b->mtu ? b->mtu : 1500;
        return 0;
    }
    for (size_t i = 0; *created && (*created)[i]; i++) {
        if (strcmp((*created)[i], name) == 0) {
            *ret_mtu = in->uplink && in->uplink[0] ? uplink_mtu : 1500;
            return 0;
        }
    }
    if (!is_default && strcmp(name, in->node->bridge ? in->node->bridge : "") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "eth%d: bridge %s does not exist", nic->idx, name);
    brig_strv_push(created, name);
    char var[32];
    snprintf(var, sizeof(var), "newbridge%zu", brig_strv_len(*created) - 1);
    _cleanup_free_ char *ref = brig_xasprintf("${%s}", var);
    struct brig_plan_step *s = brig_plan_addv(plan, "create the node's bridge", "ifconfig",
                                              "bridge", "create", (char *)NULL);
    brig_plan_step_capture(s, var);
    brig_plan_step_undov(s, T(1), "ifconfig", ref, "destroy", (char *)NULL);
    s = brig_plan_addv(plan, "name the bridge", "ifconfig", ref, "name", name, (char *)NULL);
    brig_plan_step_tmpl(s, 1);
    brig_plan_step_undov(s, T(3), "ifconfig", name, "name", ref, (char *)NULL);
    if (in->uplink && in->uplink[0]) {
        brig_plan_addv(plan, "add the uplink to the bridge", "ifconfig", name, "addm", in->uplink,
                       (char *)NULL);
        *ret_mtu = uplink_mtu;
    } else {
        if (in->node->gateway4 && in->node->gateway4[0])
            brig_plan_addv(plan, "give the bridge the node's gateway address", "ifconfig", name,
                           "inet", in->node->gateway4, (char *)NULL);
        *ret_mtu = 1500;
    }
    brig_plan_addv(plan, "bring the bridge up", "ifconfig", name, "up", (char *)NULL);
    return 0;
}

/* The NIC's default route: only NIC 0 sets one; "auto" is the node's gateway
 * when the NIC is on the node's default bridge. Empty string: none. */
static void nic_gateway(struct ctx *c, const struct brig_nic *nic, const char *bridge, char *buf,
                        size_t len)
{
    buf[0] = '\0';
    const char *gw = nic->gw4 ? nic->gw4 : "auto";
    if (nic->idx != 0 || strcmp(gw, "0") == 0)
        return;
    if (strcmp(gw, "auto") != 0) {
        snprintf(buf, len, "%s", gw);
        return;
    }
    const char *g = c->in->node->gateway4;
    if (g && g[0] && brig_streq(bridge, c->in->node->bridge))
        snprintf(buf, len, "%.*s", (int)strcspn(g, "/"), g);
}

/* NIC 0's IPv6 default route (ci_gw6): "auto" is the node bridge's IPv6
 * gateway when the NIC is on the node's bridge. Empty string: none. */
static void nic_gateway6(struct ctx *c, const struct brig_nic *nic, const char *bridge, char *buf,
                         size_t len)
{
    buf[0] = '\0';
    const char *gw = c->j->v[BRIG_P_CI_GW6] ? c->j->v[BRIG_P_CI_GW6] : "auto";
    if (nic->idx != 0 || strcmp(gw, "0") == 0)
        return;
    if (strcmp(gw, "auto") != 0) {
        snprintf(buf, len, "%s", gw);
        return;
    }
    const char *g = c->in->node->gateway6;
    if (g && g[0] && brig_streq(bridge, c->in->node->bridge))
        snprintf(buf, len, "%.*s", (int)strcspn(g, "/"), g);
}

/* Host side of one NIC, before the jail exists. */
static int add_nic_host(struct ctx *c, const struct brig_nic *nic, struct brig_err *err)
{
    char host[16], jend[16], var[32], mtu[16], jmtu[16], mac[BRIG_MAC_STRLEN];
    if (brig_freebsd_ifname(c->j->id, nic->idx, 'a', host, err) < 0 ||
        brig_freebsd_ifname(c->j->id, nic->idx, 'b', jend, err) < 0)
        return -1;
    const char *bridge = NULL;
    unsigned bmtu = 1500;
    if (brig_freebsd_nic_bridge(c->in, c->plan, &c->created_bridges, nic, &bridge, &bmtu, err) < 0)
        return -1;
    snprintf(mtu, sizeof(mtu), "%u", bmtu);
    snprintf(jmtu, sizeof(jmtu), "%u", nic->mtu ? nic->mtu : bmtu);
    if (!nic->hwaddr || strcmp(nic->hwaddr, "0") == 0) {
        uint8_t m[6];
        brig_mac_derive(c->in->node->nodename ? c->in->node->nodename : "", c->name, nic->idx, m);
        brig_mac_format(m, mac);
    } else {
        if (brig_check_mac(nic->hwaddr, err) < 0)
            return brig_err_wrap(err, "eth%d", nic->idx);
        snprintf(mac, sizeof(mac), "%s", nic->hwaddr);
    }
    snprintf(var, sizeof(var), "epair%d", nic->idx);
    _cleanup_free_ char *a = brig_xasprintf("${%s}", var);
    _cleanup_free_ char *b = brig_xasprintf("${%s%%a}b", var);
    _cleanup_free_ char *descr = brig_xasprintf("%s-eth%d", c->name, nic->idx);
    _cleanup_free_ char *d1 = brig_xasprintf("eth%d: create an epair", nic->idx);
    struct brig_plan_step *s =
        brig_plan_addv(c->plan, d1, "ifconfig", "epair", "create", (char *)NULL);
    brig_plan_step_capture(s, var);
    brig_plan_step_undov(s, T(1), "ifconfig", a, "destroy", (char *)NULL);
    s = brig_plan_addv(c->plan, "name the host end from the jail id", "ifconfig", a, "name", host,
                       (char *)NULL);
    brig_plan_step_tmpl(s, 1);
    brig_plan_step_undov(s, T(3), "ifconfig", host, "name", a, (char *)NULL);
    s = brig_plan_addv(c->plan, "name the jail end from the jail id", "ifconfig", b, "name", jend,
                       (char *)NULL);
    brig_plan_step_tmpl(s, 1);
    brig_plan_step_undov(s, T(3), "ifconfig", jend, "name", b, (char *)NULL);
    brig_plan_addv(c->plan, "describe the host end", "ifconfig", host, "description", descr,
                   (char *)NULL);
    brig_plan_addv(c->plan, "set the jail end's MAC", "ifconfig", jend, "ether", mac, (char *)NULL);
    brig_plan_addv(c->plan, "host end takes the bridge's MTU", "ifconfig", host, "mtu", mtu,
                   (char *)NULL);
    /* if_bridge(4) refuses a member whose MTU differs from the bridge's: the
     * NIC's own mtu applies to the jail end only */
    brig_plan_addv(c->plan,
                   nic->mtu ? "jail end takes the NIC's MTU" : "jail end takes the bridge's MTU",
                   "ifconfig", jend, "mtu", jmtu, (char *)NULL);
    brig_plan_addv(c->plan, "attach the host end to the bridge", "ifconfig", bridge, "addm", host,
                   (char *)NULL);
    brig_plan_addv(c->plan, "bring the host end up", "ifconfig", host, "up", (char *)NULL);
    return 0;
}

/* dhclient(8) reads and writes frames through bpf(4): a ruleset hiding bpf*
 * (as devfsrules_jail_vnet=5 does) would fail the start after the jail exists. */
static int add_dhcp_check(struct ctx *c, int idx, struct brig_err *err)
{
    struct brig_devfs_flat *flat = NULL;
    int64_t num = brig_jail_int(c->j, BRIG_P_DEVFS_RULESET);
    if (!c->in->devfs || num <= 0)
        return 0; /* add_devfs and the jail.conf check refuse these */
    if (brig_devfs_flatten(c->in->devfs, (unsigned)num, &flat, err) < 0)
        return brig_err_wrap(err, "devfs_ruleset=%lld", (long long)num);
    int r = brig_devfs_check_dhcp(flat, idx, err);
    brig_devfs_flat_free(flat);
    return r;
}

/* Jail side of one NIC, once the jail exists: move, rename, address, route. */
static int add_nic_jail(struct ctx *c, const struct brig_nic *nic, struct brig_err *err)
{
    char jend[16], ethn[16], gw[64];
    if (brig_freebsd_ifname(c->j->id, nic->idx, 'b', jend, err) < 0)
        return -1;
    snprintf(ethn, sizeof(ethn), "eth%d", nic->idx);
    bool linux_jail = brig_streq(c->j->v[BRIG_P_EMULATOR], "linux");
    const char *addrs = nic->addrs ? nic->addrs : "0";
    bool realdhcp = brig_strcaseeq(addrs, "REALDHCP");
    if (brig_strcaseeq(addrs, "DHCP"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "eth%d: DHCP has no address yet: the address pool assigns one "
                            "before the plan is made",
                            nic->idx);
    _cleanup_free_ struct brig_addr_item *list = NULL;
    size_t n = 0;
    if (!realdhcp && brig_addr_list_parse(addrs, BRIG_ADDR_VNET, &list, &n, err) < 0)
        return brig_err_wrap(err, "eth%d", nic->idx);
    bool has_v4 = false, has_v6 = false, has_v6_global = false;
    for (size_t i = 0; i < n; i++) {
        if (list[i].iface[0])
            return brig_err_set(err, BRIG_EUSAGE,
                                "eth%d: 'iface|address' applies only to jails without vnet",
                                nic->idx);
        has_v4 |= list[i].addr.family == AF_INET;
        has_v6 |= list[i].addr.family == AF_INET6;
        has_v6_global |= list[i].addr.family == AF_INET6 &&
                         !(list[i].addr.bytes[0] == 0xfe && (list[i].addr.bytes[1] & 0xc0) == 0x80);
    }
    if (linux_jail && realdhcp)
        return brig_err_set(err, BRIG_EUSAGE,
                            "eth%d: REALDHCP in an emulator=linux jail: start the Linux DHCP "
                            "client from exec_start",
                            nic->idx);
    if (realdhcp && add_dhcp_check(c, nic->idx, err) < 0)
        return -1;
    _cleanup_free_ char *d1 = brig_xasprintf("eth%d: move the jail end into the jail", nic->idx);
    struct brig_plan_step *s =
        brig_plan_addv(c->plan, d1, "ifconfig", jend, "vnet", c->name, (char *)NULL);
    brig_plan_step_undov(s, 0, "ifconfig", jend, "-vnet", c->name, (char *)NULL);
    const char *ifn = jend;
    if (!linux_jail) {
        _cleanup_free_ char *d2 = brig_xasprintf("rename it %s inside the jail", ethn);
        s = add_jail_ifconfig(c, d2, jend, "name", ethn, NULL, NULL);
        jail_ifconfig_undo(c, s, ethn, "name", jend);
        ifn = ethn;
    }
    /* the jail's own stack: its IPv6 addresses must be usable (not tentative)
     * the moment exec.start runs (ND6_IFF_NO_DAD, set before they are added) */
    if (has_v6) {
        _cleanup_free_ char *d = brig_xasprintf("%s: no duplicate address detection", ifn);
        add_jail_ifconfig(c, d, ifn, "inet6", "no_dad", NULL, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        char buf[BRIG_ADDR_STRLEN];
        brig_addr_format(&list[i].addr, true, buf);
        _cleanup_free_ char *d = brig_xasprintf("%s: address %s", ifn, buf);
        add_jail_ifconfig(c, d, ifn, list[i].addr.family == AF_INET6 ? "inet6" : "inet", buf,
                          "alias", NULL);
    }
    _cleanup_free_ char *d3 = brig_xasprintf("bring %s up", ifn);
    add_jail_ifconfig(c, d3, ifn, "up", NULL, NULL, NULL);
    const char *bridge =
        nic->parent && strcmp(nic->parent, "auto") != 0 ? nic->parent : c->in->node->bridge;
    nic_gateway(c, nic, bridge, gw, sizeof(gw));
    if (gw[0] && has_v4) {
        if (brig_check_addr(gw, false, err) < 0)
            return brig_err_wrap(err, "eth%d: gateway", nic->idx);
        if (c->jail_ifconfig)
            brig_plan_addv(c->plan, "default route", "route", "-j", c->name, "add", "default", gw,
                           (char *)NULL);
        else
            brig_plan_addv(c->plan, "default route", "jexec", c->name, "route", "add", "default",
                           gw, (char *)NULL);
    }
    char gw6[64];
    nic_gateway6(c, nic, bridge, gw6, sizeof(gw6));
    if (gw6[0] && has_v6_global) {
        if (brig_check_addr(gw6, false, err) < 0)
            return brig_err_wrap(err, "eth%d: IPv6 gateway", nic->idx);
        if (c->jail_ifconfig)
            brig_plan_addv(c->plan, "IPv6 default route", "route", "-j", c->name, "add", "-inet6",
                           "default", gw6, (char *)NULL);
        else
            brig_plan_addv(c->plan, "IPv6 default route", "jexec", c->name, "route", "add",
                           "-inet6", "default", gw6, (char *)NULL);
    }
    if (realdhcp) {
        _cleanup_free_ char *d4 = brig_xasprintf("%s: DHCP client inside the jail", ifn);
        brig_plan_addv(c->plan, d4, "jexec", c->name, "dhclient", ifn, (char *)NULL);
    }
    return 0;
}

/* A non-VNET jail's IPv6 aliases share the host's link, where duplicate
 * address detection matters: exec.start waits until jail(8)'s aliases are no
 * longer tentative (ifconfig(8) prints "ADDR prefixlen N tentative"), at most
 * DAD_WAIT seconds, and a duplicate stops the start. */
#define DAD_WAIT 10
static int add_dad_waits(struct ctx *c, struct brig_err *err)
{
    const char *list = c->in->ip_resolved ? c->in->ip_resolved : c->j->v[BRIG_P_IP4_ADDR];
    _cleanup_free_ struct brig_addr_item *a = NULL;
    size_t n = 0;
    if (brig_addr_list_parse(list, BRIG_ADDR_ALIAS, &a, &n, err) < 0)
        return brig_err_wrap(err, "ip4_addr");
    for (size_t i = 0; i < n; i++) {
        const char *ifc = brig_freebsd_alias_iface(c->in, &a[i]);
        if (a[i].addr.family != AF_INET6 || !ifc)
            continue;
        char ip[BRIG_ADDR_STRLEN];
        brig_addr_format(&a[i].addr, false, ip);
        _cleanup_free_ char *busy =
            brig_xasprintf("%s prefixlen %u tentative", ip, a[i].addr.prefix);
        _cleanup_free_ char *dup =
            brig_xasprintf("%s prefixlen %u duplicated", ip, a[i].addr.prefix);
        _cleanup_free_ char *d =
            brig_xasprintf("%s: wait until %s is no longer tentative (DAD)", ifc, ip);
        struct brig_plan_step *s =
            brig_plan_addv(c->plan, d, "ifconfig", ifc, "inet6", (char *)NULL);
        brig_plan_step_wait(s, busy, dup, DAD_WAIT);
    }
    return 0;
}

/* Port forwards are ipfw(8) fwd rules, as CBSD's expose makes them: one
 * rule number per jail (many rules may share a number), so `ipfw delete N`
 * removes all of a jail's forwards. */
#define EXPOSE_RULE_BASE 50000
#define EXPOSE_RULE_MAX  65000

static int expose_rule(const struct ctx *c, char num[16], struct brig_err *err)
{
    if (c->j->id <= 0 || c->j->id > EXPOSE_RULE_MAX - EXPOSE_RULE_BASE)
        return brig_err_set(err, BRIG_EUSAGE,
                            "jail id %lld has no ipfw rule number for port "
                            "forwards",
                            (long long)c->j->id);
    snprintf(num, 16, "%lld", (long long)(EXPOSE_RULE_BASE + c->j->id));
    return 0;
}

static int add_exposes(struct ctx *c, struct brig_err *err)
{
    char num[16];
    if (c->in->n_exposes == 0)
        return 0;
    if (expose_rule(c, num, err) < 0)
        return -1;
    for (size_t i = 0; i < c->in->n_exposes; i++) {
        const struct brig_expose *e = &c->in->exposes[i];
        char to[BRIG_ADDR_STRLEN], port[8];
        brig_addr_format(&e->to, false, to);
        snprintf(port, sizeof(port), "%u", e->in);
        _cleanup_free_ char *fwd = brig_xasprintf("%s,%u", to, e->out);
        _cleanup_free_ char *d = brig_xasprintf("port forward %s %s:%u -> %s:%u", e->proto,
                                                *e->addr ? e->addr : "*", e->in, to, e->out);
        struct brig_plan_step *s =
            brig_plan_addv(c->plan, d, "ipfw", "-q", "add", num, "fwd", fwd, e->proto, "from",
                           "any", "to", *e->addr ? e->addr : "me", port, "in", (char *)NULL);
        if (i == 0)
            brig_plan_step_undov(s, 0, "ipfw", "-q", "delete", num, (char *)NULL);
    }
    return 0;
}

static int ctx_init(struct ctx *c, const struct brig_freebsd_input *in, struct brig_plan *plan,
                    struct brig_err *err)
{
    memset(c, 0, sizeof(*c));
    memset(plan, 0, sizeof(*plan));
    c->in = in;
    c->j = in->jail;
    c->plan = plan;
    c->name = in->jail->v[BRIG_P_JNAME];
    if (!in->node || !in->node->workdir)
        return brig_err_set(err, BRIG_EUSAGE, "the node has no workdir");
    if (!c->name)
        return brig_err_set(err, BRIG_EUSAGE, "jname is required");
    if (brig_freebsd_parse_release(in->release ? in->release : "", &c->rel, err) < 0)
        return brig_err_wrap(err, "release");
    c->jail_ifconfig = brig_freebsd_release_atleast(&c->rel, 13, 3);
    struct brig_buf conf = {0};
    brig_buf_add(&conf, "");
    if (brig_freebsd_jailconf(in, &conf, err) < 0) {
        brig_buf_free(&conf);
        return -1;
    }
    plan->conf = brig_buf_steal(&conf);
    plan->conf_path = brig_xasprintf("%s/jails-system/%s/jail.conf", in->node->workdir, c->name);
    c->conf_path = plan->conf_path;
    c->log = brig_xasprintf("%s/jails-system/%s/console.log", in->node->workdir, c->name);
    return 0;
}

static void ctx_done(struct ctx *c)
{
    free(c->log);
    brig_strv_free(c->created_bridges);
}

static int plan_jstart(struct ctx *c, struct brig_err *err)
{
    const struct brig_freebsd_input *in = c->in;
    bool vnet = brig_jail_bool(c->j, BRIG_P_VNET);
    if (!vnet && in->n_nics)
        return brig_err_set(err, BRIG_EUSAGE, "NICs apply only to vnet=1 jails");
    if (vnet && brig_streq(c->j->v[BRIG_P_EMULATOR], "linux") && !c->jail_ifconfig)
        return brig_err_set(err, BRIG_EUSAGE,
                            "emulator=linux vnet jails need FreeBSD 13.3 or later (ifconfig -j "
                            "configures their interfaces from outside)");
    if (add_devfs(c, err) < 0)
        return -1;
    add_mounts(c);
    for (size_t i = 0; vnet && i < in->n_nics; i++) {
        for (size_t k = 0; k < i; k++) {
            if (in->nics[k].idx == in->nics[i].idx)
                return brig_err_set(err, BRIG_EUSAGE, "NIC eth%d is listed twice", in->nics[i].idx);
        }
    }
    _cleanup_strv_ char **rules = NULL;
    if (rctl_rules(c, &rules, err) < 0)
        return -1;
    for (size_t i = 0; rules[i]; i++) {
        struct brig_plan_step *s =
            brig_plan_addv(c->plan, "resource limit", "rctl", "-a", rules[i], (char *)NULL);
        brig_plan_step_undov(s, 0, "rctl", "-r", rules[i], (char *)NULL);
    }
    add_hook(c, "exec_prestart", c->j->v[BRIG_P_EXEC_PRESTART], false);
    for (size_t i = 0; vnet && i < in->n_nics; i++) {
        if (add_nic_host(c, &in->nics[i], err) < 0)
            return -1;
    }
    struct brig_plan_step *s =
        brig_plan_addv(c->plan, "create the jail (persistent, without exec.start)", "jail", "-f",
                       c->conf_path, "-c", c->name, (char *)NULL);
    brig_plan_step_undov(s, 0, "jail", "-f", c->conf_path, "-r", c->name, (char *)NULL);
    if (!vnet && add_dad_waits(c, err) < 0)
        return -1;
    if (vnet) {
        add_jail_ifconfig(c, "loopback inside the jail", "lo0", "inet", "127.0.0.1/8", "up", NULL);
        for (size_t i = 0; i < in->n_nics; i++) {
            if (add_nic_jail(c, &in->nics[i], err) < 0)
                return -1;
        }
    }
    const char *cpus = c->j->v[BRIG_P_CPUSET];
    if (cpus && strcmp(cpus, "0") != 0) {
        s = brig_plan_addv(c->plan, "the jail's id, for cpuset", "jls", "-j", c->name, "jid",
                           (char *)NULL);
        brig_plan_step_capture(s, "jid");
        s = brig_plan_addv(c->plan, "pin the jail to its CPUs", "cpuset", "-l", cpus, "-j",
                           "${jid}", (char *)NULL);
        brig_plan_step_tmpl(s, 4);
    }
    if (add_exposes(c, err) < 0)
        return -1;
    add_hook(c, "exec_start", c->j->v[BRIG_P_EXEC_START], true);
    if (!brig_jail_bool(c->j, BRIG_P_PERSIST)) {
        _cleanup_free_ char *nm = brig_xasprintf("name=%s", c->name);
        brig_plan_addv(c->plan, "persist=0: the jail ends with its last process", "jail", "-m", nm,
                       "nopersist", (char *)NULL);
    }
    add_hook(c, "exec_poststart", c->j->v[BRIG_P_EXEC_POSTSTART], false);
    return 0;
}

int brig_freebsd_plan_jstart(const struct brig_freebsd_input *in, struct brig_plan *ret,
                             struct brig_err *err)
{
    struct ctx c;
    int r = ctx_init(&c, in, ret, err);
    if (r == 0)
        r = plan_jstart(&c, err);
    ctx_done(&c);
    if (r < 0)
        brig_plan_free(ret);
    return r;
}

static int plan_jstop(struct ctx *c, struct brig_err *err)
{
    const struct brig_freebsd_input *in = c->in;
    bool vnet = brig_jail_bool(c->j, BRIG_P_VNET);
    add_hook(c, "exec_prestop", c->j->v[BRIG_P_EXEC_PRESTOP], false);
    add_hook(c, "exec_stop", c->j->v[BRIG_P_EXEC_STOP], true);
    for (size_t i = 0; vnet && i < in->n_nics; i++) {
        char host[16];
        if (brig_freebsd_ifname(c->j->id, in->nics[i].idx, 'a', host, err) < 0)
            return -1;
        _cleanup_free_ char *d =
            brig_xasprintf("eth%d: destroy the epair (both ends)", in->nics[i].idx);
        struct brig_plan_step *s =
            brig_plan_addv(c->plan, d, "ifconfig", host, "destroy", (char *)NULL);
        s->may_fail = true;
    }
    char num[16];
    if (in->n_exposes && expose_rule(c, num, err) < 0)
        return -1;
    if (in->n_exposes) {
        struct brig_plan_step *s = brig_plan_addv(c->plan, "remove the port forwards", "ipfw", "-q",
                                                  "delete", num, (char *)NULL);
        s->may_fail = true;
    }
    brig_plan_addv(c->plan, "remove the jail (SIGTERM, stop.timeout, SIGKILL)", "jail", "-f",
                   c->conf_path, "-r", c->name, (char *)NULL);
    add_hook(c, "exec_poststop", c->j->v[BRIG_P_EXEC_POSTSTOP], false);
    _cleanup_strv_ char **rules = NULL;
    if (rctl_rules(c, &rules, err) < 0)
        return -1;
    if (rules[0]) {
        _cleanup_free_ char *subject = brig_xasprintf("jail:%s", c->name);
        struct brig_plan_step *s = brig_plan_addv(c->plan, "remove the resource limits", "rctl",
                                                  "-r", subject, (char *)NULL);
        s->may_fail = true;
    }
    add_unmounts(c);
    return 0;
}

int brig_freebsd_plan_jstop(const struct brig_freebsd_input *in, struct brig_plan *ret,
                            struct brig_err *err)
{
    struct ctx c;
    int r = ctx_init(&c, in, ret, err);
    if (r == 0)
        r = plan_jstop(&c, err);
    ctx_done(&c);
    if (r < 0)
        brig_plan_free(ret);
    return r;
}
