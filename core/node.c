/* The workdir context and node settings (etc/brig.conf). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "brig.h"
#include "devfs_rules.h"
#include "idmap.h"
#include "kv.h"
#include "os/os.h"
#include "repo.h"
#include "repo_debian.h"
#include "store/store.h"
#include "util.h"

static int check_nodename(const char *v, struct brig_err *err)
{
    return brig_check_hostname(v, err);
}

static int check_bool(const char *v, struct brig_err *err)
{
    if (strcmp(v, "0") && strcmp(v, "1"))
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not 0 or 1", v);
    return 0;
}

static int check_gateway(const char *v, struct brig_err *err)
{
    if (!strchr(v, '/') || strchr(v, ':'))
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not an IPv4 address with prefix", v);
    return brig_check_addr(v, true, err);
}

static int check_base(const char *v, struct brig_err *err)
{
    return brig_check_name("base", v, err);
}

static int check_url(const char *v, struct brig_err *err)
{
    if (!brig_startswith(v, "http://") && !brig_startswith(v, "https://") &&
        !brig_startswith(v, "file://") && !brig_startswith(v, "ftp://"))
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not an http(s), ftp or file URL", v);
    for (const char *p = v; *p; p++) {
        if (*p <= ' ' || *p == 0x7f)
            return brig_err_set(err, BRIG_EUSAGE, "URL holds a space or control character");
    }
    return 0;
}

#define NODEID_LEN 6

/* A node id names the workdir's cgroups (brig/<nodeid>/<jname>): short, lower-case. */
static int check_nodeid(const char *v, struct brig_err *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > 8 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") != n)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not 1 to 8 lower-case letters and digits",
                            v);
    return 0;
}

/* nodeip6pool: auto, 0 or an IPv6 prefix of /64 or wider (SLAAC needs a /64). */
static int check_pool6(const char *v, struct brig_err *err)
{
    struct brig_addr a;
    if (strcmp(v, "auto") == 0 || strcmp(v, "0") == 0)
        return 0;
    if (!strchr(v, '/'))
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' has no /prefix", v);
    if (brig_addr_parse(v, &a, err) < 0)
        return -1;
    if (a.family != AF_INET6 || a.prefix > 64 || a.prefix < 8)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not an IPv6 prefix of /8 to /64", v);
    return 0;
}

/* ifprefix: 1 to 3 lower-case letters ("b": veth host ends bj<id>n<idx>, taps bt<id>n<idx>). */
static int check_ifprefix(const char *v, struct brig_err *err)
{
    size_t n = strlen(v);
    if (n == 0 || n > 3 || strspn(v, "abcdefghijklmnopqrstuvwxyz") != n)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not 1 to 3 lower-case letters", v);
    return 0;
}

static int check_uplink(const char *v, struct brig_err *err)
{
    return strcmp(v, "auto") == 0 ? 0 : brig_check_ifname(v, err);
}

const struct brig_setting brig_settings[] = {
    {"nodename", NULL, check_nodename, "this node's name (default: the host name)"},
    {"nodeid", NULL, check_nodeid,
     "this workdir's id on the host, scoping its cgroups (default: random, set once)"},
    {"nodeippool", "10.199.0.0/16", brig_check_cidr4,
     "IPv4 pool for ip4_addr=DHCP and the default bridge"},
    {"nodeip6pool", "auto", check_pool6,
     "IPv6 pool for DHCPv6 and the default bridge (auto: a unique local /64 of this host and "
     "bridge; 0: none)"},
    {"bridge", "brig0", brig_check_ifname, "name of brig's default bridge (interface=auto)"},
    {"ifprefix", "b", check_ifprefix,
     "first letters of the host interfaces brig makes (veth host ends <p>j<id>n<idx>, taps "
     "<p>t<id>n<idx>): two workdirs on one host need two"},
    {"gateway4", NULL, check_gateway,
     "the default bridge's address (default: the pool's first address)"},
    {"uplink", "auto", check_uplink, "uplink interface for NAT and FreeBSD's auto bridge"},
    {"nat_enable", "0", check_bool, "1: masquerade brig's bridge subnets to the uplink"},
    {"default_base", "busybox", check_base, "base for jcreate without base="},
    {"debian_mirror", NULL, check_url,
     "mirror for Debian bases (default: the host's apt mirror on Debian, else deb.debian.org)"},
    {"freebsd_mirror", "https://download.freebsd.org/releases", check_url,
     "mirror for FreeBSD base.txz and kernel.txz"},
};
const size_t brig_settings_count = BRIG_ARRAY_SIZE(brig_settings);

const struct brig_setting *brig_setting_find(const char *name)
{
    for (size_t i = 0; i < brig_settings_count; i++) {
        if (strcmp(brig_settings[i].name, name) == 0)
            return &brig_settings[i];
    }
    return NULL;
}

void brig_ctx_init(struct brig_ctx *c, const char *workdir, enum brig_kernel os)
{
    memset(c, 0, sizeof(*c));
    c->workdir = brig_xstrdup(workdir);
    c->os = os;
    c->subid_files = brig_subid_files;
}

void brig_ctx_free(struct brig_ctx *c)
{
    brig_store_close(c->st);
    free(c->workdir);
    brig_node_clear(&c->node);
    brig_strv_free(c->notes);
    memset(c, 0, sizeof(*c));
}

char *brig_ctx_path(const struct brig_ctx *c, const char *fmt, ...)
{
    char *tail;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&tail, fmt, ap) < 0)
        abort();
    va_end(ap);
    char *p = brig_xasprintf("%s/%s", c->workdir, tail);
    free(tail);
    return p;
}

/* The pool's first host address with the pool's prefix: 10.199.0.0/16 -> 10.199.0.1/16. */
static char *pool_gateway(const char *pool)
{
    unsigned a, b, cc, d, len;
    if (sscanf(pool, "%u.%u.%u.%u/%u", &a, &b, &cc, &d, &len) != 5 || len > 30)
        return brig_xstrdup("10.199.0.1/16");
    uint32_t v = (a << 24) | (b << 16) | (cc << 8) | d;
    v &= len ? ~0u << (32 - len) : 0;
    v += 1;
    return brig_xasprintf("%u.%u.%u.%u/%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255, len);
}

/* The IPv6 pool in force (NULL: none): auto is a unique local /64 (RFC 4193)
 * whose global id hashes the host's machine id and the bridge's name: hosts
 * differ, and so do the bridges of one host, while the workdirs that share a
 * bridge (one after another) share its address, as they share gateway4. */
static char *pool6_of(const char *setting, const char *bridge, const char *nodename)
{
    if (strcmp(setting, "0") == 0)
        return NULL;
    struct brig_addr a;
    if (strcmp(setting, "auto") != 0 && brig_addr_parse(setting, &a, NULL) == 0) {
        struct brig_addr net;
        char buf[BRIG_ADDR_STRLEN];
        brig_addr_network(&a, &net);
        return brig_xstrdup(brig_addr_format(&net, true, buf));
    }
    _cleanup_free_ char *machine = NULL;
    if (brig_read_file("/etc/machine-id", 64, &machine, NULL, NULL) < 0)
        machine = brig_xstrdup(nodename);
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    const char *parts[] = {machine, "\n", bridge};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(parts); i++) {
        for (const char *p = parts[i]; *p; p++)
            h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    }
    return brig_xasprintf("fd%02x:%02x%02x:%02x%02x::/64", (unsigned)(h & 0xff),
                          (unsigned)(h >> 8 & 0xff), (unsigned)(h >> 16 & 0xff),
                          (unsigned)(h >> 24 & 0xff), (unsigned)(h >> 32 & 0xff));
}

/* The pool's host 1 with the pool's prefix: fd00::/64 -> fd00::1/64. */
static char *pool6_gateway(const char *pool6)
{
    struct brig_addr a, gw;
    char buf[BRIG_ADDR_STRLEN];
    if (!pool6 || brig_addr_parse(pool6, &a, NULL) < 0 || brig_addr_nth_host(&a, 1, &gw, NULL) < 0)
        return NULL;
    return brig_xstrdup(brig_addr_format(&gw, true, buf));
}

static char *host_nodename(void)
{
    char host[256] = "";
    if (gethostname(host, sizeof(host) - 1) < 0 || !*host || brig_check_hostname(host, NULL) < 0)
        return brig_xstrdup("localhost");
    return brig_xstrdup(host);
}

/* On a Debian host, the mirror its apt already uses (and trusts); else Debian's. */
static char *default_debian_mirror(void)
{
    char *m = brig_debian_host_mirror("");
    return m ? m : brig_xstrdup(BRIG_DEBIAN_MIRROR);
}

/* Fill node from settings (missing keys take their defaults). */
static int node_from_kv(const char *workdir, const struct brig_kvlist *kv, struct brig_node *node,
                        struct brig_err *err)
{
    for (size_t i = 0; i < kv->n; i++) {
        const struct brig_setting *s = brig_setting_find(kv->items[i].key);
        if (!s)
            return brig_err_set(err, BRIG_EUSAGE, "line %d: unknown setting '%s'",
                                kv->items[i].line, kv->items[i].key);
        if (s->check(kv->items[i].value, err) < 0)
            return brig_err_wrap(err, "%s", s->name);
    }
#define GET(key)     brig_kvlist_get(kv, key)
#define SETTING(key) (GET(key) ? brig_xstrdup(GET(key)) : brig_xstrdup(brig_setting_find(key)->def))
    memset(node, 0, sizeof(*node));
    node->workdir = brig_xstrdup(workdir);
    node->nodename = GET("nodename") ? brig_xstrdup(GET("nodename")) : host_nodename();
    node->nodeid = GET("nodeid") ? brig_xstrdup(GET("nodeid")) : NULL;
    node->nodeippool = SETTING("nodeippool");
    node->bridge = SETTING("bridge");
    node->ifprefix = SETTING("ifprefix");
    node->gateway4 =
        GET("gateway4") ? brig_xstrdup(GET("gateway4")) : pool_gateway(node->nodeippool);
    node->nodeip6pool = SETTING("nodeip6pool");
    node->pool6 = pool6_of(node->nodeip6pool, node->bridge, node->nodename);
    node->gateway6 = pool6_gateway(node->pool6);
    node->uplink = SETTING("uplink");
    node->nat_enable = GET("nat_enable") && strcmp(GET("nat_enable"), "1") == 0;
    node->default_base = SETTING("default_base");
    node->debian_mirror =
        GET("debian_mirror") ? brig_xstrdup(GET("debian_mirror")) : default_debian_mirror();
    node->freebsd_mirror = SETTING("freebsd_mirror");
#undef SETTING
#undef GET
    return 0;
}

/* A new random node id: NODEID_LEN hex digits. */
static char *nodeid_new(void)
{
    unsigned char r[NODEID_LEN / 2];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        abort();
    char *s = brig_xcalloc(1, NODEID_LEN + 1);
    for (size_t i = 0; i < sizeof(r); i++)
        snprintf(s + 2 * i, 3, "%02x", r[i]);
    return s;
}

/* Hold etc/ locked while brig.conf is rewritten (initenv, node id adoption). */
static int conf_lock(const struct brig_ctx *c, int *ret_fd, struct brig_err *err)
{
    _cleanup_free_ char *etc = brig_ctx_path(c, "etc");
    int fd = open(etc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "open %s", etc);
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return brig_err_sys(err, e, "lock %s", etc);
        }
    }
    *ret_fd = fd;
    return 0;
}

/* Read etc/brig.conf into kv. */
static int conf_read(const char *path, struct brig_kvlist *kv, char **ret_text,
                     struct brig_err *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (brig_read_file(path, 1 << 20, &text, &len, err) < 0)
        return -1;
    if (brig_jconf_parse(text, len, kv, err) < 0)
        return brig_err_wrap(err, "%s", path);
    if (ret_text)
        *ret_text = brig_steal(&text);
    return 0;
}

/* A workdir made before node ids gets one on first use, added to brig.conf under
 * the lock, so every later command (and a concurrent one) reads the same. */
static int nodeid_adopt(struct brig_ctx *c, const char *path, struct brig_err *err)
{
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *text = NULL;
    struct brig_kvlist kv = {0};
    if (conf_lock(c, &fd, err) < 0)
        return -1;
    int r = conf_read(path, &kv, &text, err);
    if (r == 0 && brig_kvlist_get(&kv, "nodeid")) {
        c->node.nodeid = brig_xstrdup(brig_kvlist_get(&kv, "nodeid"));
    } else if (r == 0) {
        struct brig_buf b = {0};
        c->node.nodeid = nodeid_new();
        brig_buf_add(&b, text);
        if (b.len && b.s[b.len - 1] != '\n')
            brig_buf_add(&b, "\n");
        brig_jconf_format_line(&b, "nodeid", c->node.nodeid);
        r = brig_write_file_atomic(path, b.s, b.len, 0644, err);
        brig_buf_free(&b);
    }
    brig_kvlist_free(&kv);
    return r;
}

/* Read etc/brig.conf into c->node. */
static int node_load(struct brig_ctx *c, struct brig_err *err)
{
    _cleanup_free_ char *path = brig_ctx_path(c, "etc/brig.conf");
    struct brig_kvlist kv = {0};
    if (conf_read(path, &kv, NULL, err) < 0)
        return -1;
    int r = node_from_kv(c->workdir, &kv, &c->node, err);
    brig_kvlist_free(&kv);
    if (r < 0)
        return brig_err_wrap(err, "%s", path);
    return c->node.nodeid ? 0 : nodeid_adopt(c, path, err);
}

int brig_ctx_open(struct brig_ctx *c, struct brig_err *err)
{
    if (c->st)
        return 0;
    _cleanup_free_ char *db = brig_ctx_path(c, "var/db/local.sqlite");
    if (!brig_path_exists(db))
        return brig_err_set(err, BRIG_EFAIL,
                            "%s is not initialised: run 'brig initenv workdir=%s' first",
                            c->workdir, c->workdir);
    if (node_load(c, err) < 0)
        return -1;
    brig_os_use_node(c->os, &c->node);
    return brig_store_open(db, false, &c->st, err);
}

/* The workdir is 0711 and what holds jails, bases and state 0700: no other host
 * user may reach a jail's files (a setuid program jail root planted there). */
static const struct {
    const char *name;
    mode_t mode;
} workdir_dirs[] = {
    {"etc", 0755},     {"var", 0700},        {"var/db", 0700},
    {"var/run", 0700}, {"var/log", 0700},    {"basejail", 0700},
    {"jails", 0700},   {"jails-data", 0700}, {"jails-system", 0700},
};

int brig_workdir_secure(const struct brig_ctx *c, struct brig_err *err)
{
    if (brig_dir_own(c->workdir, 0711, err) < 0)
        return brig_err_wrap(err, "workdir %s", c->workdir);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(workdir_dirs); i++) {
        _cleanup_free_ char *d = brig_ctx_path(c, "%s", workdir_dirs[i].name);
        if (brig_dir_own(d, workdir_dirs[i].mode, err) < 0)
            return brig_err_wrap(err, "workdir %s", c->workdir);
    }
    return 0;
}

/* Render the settings as brig.conf text: set ones as given, the rest as comments. */
static char *node_render(const struct brig_node *n)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "# brig node settings (see brig.conf(5)). key=\"value\"; lines.\n");
    brig_jconf_format_line(&b, "nodename", n->nodename);
    brig_jconf_format_line(&b, "nodeid", n->nodeid);
    brig_jconf_format_line(&b, "nodeippool", n->nodeippool);
    brig_jconf_format_line(&b, "nodeip6pool", n->nodeip6pool);
    brig_jconf_format_line(&b, "bridge", n->bridge);
    brig_jconf_format_line(&b, "ifprefix", n->ifprefix);
    /* the gateway follows the pool unless it was set apart from it */
    _cleanup_free_ char *derived = pool_gateway(n->nodeippool);
    if (strcmp(derived, n->gateway4) != 0)
        brig_jconf_format_line(&b, "gateway4", n->gateway4);
    else
        brig_buf_addf(&b, "# gateway4=\"%s\"; (follows nodeippool unless set)\n", derived);
    brig_jconf_format_line(&b, "uplink", n->uplink);
    brig_jconf_format_line(&b, "nat_enable", n->nat_enable ? "1" : "0");
    brig_jconf_format_line(&b, "default_base", n->default_base);
    brig_jconf_format_line(&b, "debian_mirror", n->debian_mirror);
    brig_jconf_format_line(&b, "freebsd_mirror", n->freebsd_mirror);
    return brig_buf_steal(&b);
}

/* An older workdir's jail directories made 0700: its system directory, and its
 * data directory unless it is the jail's root (baserw=1: the root keeps its mode). */
struct secure_walk {
    const struct brig_ctx *c;
    struct brig_err err; /* the store's listing replaces a callback's error */
};

static int jail_dirs_secure(const struct brig_jail_row *row, void *ud)
{
    struct secure_walk *w = ud;
    _cleanup_free_ char *sys = brig_ctx_path(w->c, "jails-system/%s", row->v[0]);
    if (brig_path_exists(sys) && brig_dir_own(sys, 0700, &w->err) < 0)
        return -1;
    if (row->v[1] && brig_path_exists(row->v[1]) && !brig_streq(row->v[2], "1") &&
        brig_dir_own(row->v[1], 0700, &w->err) < 0)
        return -1;
    return 0;
}

/* Create the workdir tree, brig.conf, devfs.rules (once) and the database. */
static int initenv_write(struct brig_ctx *c, const struct brig_node *node, struct brig_err *err)
{
    if (access(c->workdir, W_OK) < 0)
        return brig_err_sys(err, errno, "workdir %s", c->workdir);
    if (brig_workdir_secure(c, err) < 0)
        return -1;
    _cleanup_free_ char *conf = brig_ctx_path(c, "etc/brig.conf");
    _cleanup_free_ char *text = node_render(node);
    if (brig_write_file_atomic(conf, text, strlen(text), 0644, err) < 0)
        return -1;
    _cleanup_free_ char *rules = brig_ctx_path(c, "etc/devfs.rules");
    const char *def = brig_devfs_rules_default();
    if (!brig_path_exists(rules) && brig_write_file_atomic(rules, def, strlen(def), 0644, err) < 0)
        return -1;
    _cleanup_free_ char *db = brig_ctx_path(c, "var/db/local.sqlite");
    struct brig_store *st = NULL;
    if (brig_store_open(db, true, &st, err) < 0)
        return -1;
    brig_store_close(c->st);
    c->st = st;
    static const enum brig_param_id cols[] = {BRIG_P_JNAME, BRIG_P_DATA, BRIG_P_BASERW};
    struct secure_walk w = {c, BRIG_ERR_INIT};
    if (brig_store_jail_list(st, cols, BRIG_ARRAY_SIZE(cols), jail_dirs_secure, &w, err) < 0) {
        if (w.err.code)
            *err = w.err;
        return -1;
    }
    return 0;
}

/* The interfaces of running jails and VMs carry the old prefix: their stop,
 * and recover, find them by name. */
static int ifprefix_may_change(struct brig_ctx *c, const char *old, const char *new,
                               struct brig_err *err)
{
    _cleanup_free_ char *db = brig_ctx_path(c, "var/db/local.sqlite");
    if (strcmp(old, new) == 0 || !brig_path_exists(db))
        return 0;
    struct brig_store *st = NULL;
    bool busy = false;
    int r = brig_store_open(db, false, &st, err);
    if (r == 0)
        r = brig_store_runtime_any(st, &busy, err);
    brig_store_close(st);
    if (r == 0 && busy)
        return brig_err_set(err, BRIG_EFAIL,
                            "ifprefix: jails or VMs of this workdir are running (or a start or "
                            "stop is unfinished): stop them, or run brig recover, first");
    return r;
}

int brig_initenv(struct brig_ctx *c, const struct brig_kvlist *settings, struct brig_err *err)
{
    struct brig_node node = {0};
    struct brig_kvlist merged = {0};
    _cleanup_free_ char *conf = brig_ctx_path(c, "etc/brig.conf");
    _cleanup_free_ char *etc = brig_ctx_path(c, "etc");
    _cleanup_close_ int lock_fd = -1;
    int r = -1;

    if (c->workdir[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "workdir '%s' is not an absolute path", c->workdir);
    if (brig_mkdir_p(c->workdir, 0711, err) < 0 || brig_mkdir_p(etc, 0755, err) < 0 ||
        conf_lock(c, &lock_fd, err) < 0)
        return brig_err_wrap(err, "workdir %s", c->workdir);
    /* Settings already in brig.conf stay unless given again. */
    if (brig_path_exists(conf) && conf_read(conf, &merged, NULL, err) < 0)
        return -1;
    _cleanup_free_ char *old_prefix =
        brig_xstrdup(brig_kvlist_get(&merged, "ifprefix") ? brig_kvlist_get(&merged, "ifprefix")
                                                          : brig_setting_find("ifprefix")->def);
    for (size_t i = 0; i < settings->n; i++) {
        brig_kvlist_del(&merged, settings->items[i].key);
        brig_kvlist_add(&merged, settings->items[i].key, settings->items[i].value, 0);
    }
    if (node_from_kv(c->workdir, &merged, &node, err) == 0) {
        if (!node.nodeid)
            node.nodeid = nodeid_new();
        if (ifprefix_may_change(c, old_prefix, node.ifprefix, err) == 0 &&
            initenv_write(c, &node, err) == 0) {
            brig_node_clear(&c->node);
            c->node = node;
            memset(&node, 0, sizeof(node));
            r = 0;
        }
    }
    brig_kvlist_free(&merged);
    brig_node_clear(&node);
    return r;
}
