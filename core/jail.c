/* Jail records: jcreate, jset, jget, jremove, jls, and their addresses. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "baseboot.h"
#include "repo.h"
#include "brig.h"
#include "cbsd.h"
#include "fstab.h"
#include "idmap.h"
#include "jailop.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"
#include "vm.h"

#define JCONF_MAX (1 << 20)

/* Apply key=value items to j, rejecting unknown keys (with a suggestion) and bad values.
 * quiet: the items with a line number come from a jconf file not every user may read
 * (jconf=/etc/shadow): an error names the line and the fault, never the file's text. */
static int apply_params(struct brig_jail *j, const struct brig_kvlist *kv, bool creating,
                        bool quiet, bool vm, struct brig_err *err)
{
    for (size_t i = 0; i < kv->n; i++) {
        const struct brig_kv *it = &kv->items[i];
        enum brig_param_id id;
        const char *where = "";
        char linebuf[32] = "";
        if (it->line) {
            snprintf(linebuf, sizeof(linebuf), "line %d: ", it->line);
            where = linebuf;
        }
        bool secret = quiet && it->line;
        if (!brig_param_find(it->key, &id)) {
            const char *hint = secret ? NULL : brig_param_suggest(it->key);
            if (secret)
                return brig_err_set(err, BRIG_EUSAGE, "%sunknown parameter", where);
            if (brig_cbsd_key_refuse(where, it->key, err) < 0)
                return -1;
            if (hint)
                return brig_err_set(err, BRIG_EUSAGE,
                                    "%sunknown parameter '%s' (did you mean '%s'?)", where, it->key,
                                    hint);
            return brig_err_set(err, BRIG_EUSAGE, "%sunknown parameter '%s'", where, it->key);
        }
        if (!brig_param_applies(id, vm))
            return brig_err_set(err, BRIG_EUSAGE, "%s%s applies to %s, not %s", where, it->key,
                                vm ? "jails (jcreate, jset)" : "VMs (bcreate, bset)",
                                vm ? "VMs" : "jails");
        if (!creating && brig_params[id].immutable && !brig_streq(j->v[id], it->value))
            return brig_err_set(err, BRIG_EUSAGE, "%s%s cannot be changed after jcreate", where,
                                it->key);
        if (brig_param_check(id, it->value, err) < 0) {
            if (secret)
                return brig_err_set(err, BRIG_EUSAGE, "%s%s: bad value", where, it->key);
            return it->line ? brig_err_wrap(err, "line %d", it->line) : -1;
        }
        if (id == BRIG_P_EMULATOR) {
            if (brig_emulator_is_vm(it->value) != vm)
                return brig_err_set(err, BRIG_EUSAGE, "%semulator=%s is %s's", where, it->value,
                                    vm ? "a jail" : "a VM (bcreate)");
        }
        brig_jail_set(j, id, it->value);
    }
    return 0;
}

int brig_jail_apply_params(struct brig_jail *j, const struct brig_kvlist *kv, bool creating,
                           bool vm, struct brig_err *err)
{
    return apply_params(j, kv, creating, false, vm, err);
}

/* Read jconf=FILE into kv, CBSD's keys turned into brig's (the ignored ones named
 * in *notes); *ret_public: every user may read it, so an error may quote it. */
static int read_jconf(const char *file, struct brig_kvlist *kv, char ***notes, bool *ret_public,
                      struct brig_err *err)
{
    struct brig_kvlist raw = {0};
    _cleanup_free_ char *text = NULL;
    size_t len;
    struct stat st;
    *ret_public = stat(file, &st) == 0 && (st.st_mode & S_IROTH);
    if (brig_read_file(file, JCONF_MAX, &text, &len, err) < 0) {
        err->code = BRIG_EUSAGE;
        return brig_err_wrap(err, "jconf");
    }
    if (memchr(text, '\0', len))
        return brig_err_set(err, BRIG_EUSAGE, "jconf %s: holds a NUL byte", file);
    if (brig_jconf_parse(text, len, &raw, err) < 0)
        return brig_err_wrap(err, "jconf %s", file);
    int r = brig_cbsd_jconf_translate(&raw, kv, notes, err);
    brig_kvlist_free(&raw);
    return r < 0 ? brig_err_wrap(err, "jconf %s", file) : 0;
}

/* An address without its prefix ("10.0.0.1/16" -> "10.0.0.1"). */
static int addr_host(const char *item, char buf[BRIG_ADDR_STRLEN], struct brig_err *err)
{
    struct brig_addr a;
    if (brig_addr_parse(item, &a, err) < 0)
        return -1;
    brig_addr_format(&a, false, buf);
    return 0;
}

/* Refuse host when it is the network or broadcast address of the node's pool. */
static int pool_edge(const struct brig_addr *pool, const char *host, struct brig_err *err)
{
    struct brig_addr a, net, bc;
    char nbuf[BRIG_ADDR_STRLEN];
    if (pool->family != AF_INET || pool->prefix >= 31 || brig_addr_parse_host(host, &a, NULL) < 0 ||
        !brig_addr_contains(pool, &a))
        return 0;
    brig_addr_network(pool, &net);
    brig_addr_broadcast(pool, &bc);
    brig_addr_format(&net, true, nbuf);
    if (brig_addr_same_ip(&a, &net))
        return brig_err_set(err, BRIG_EUSAGE, "%s is the network address of the node's pool %s",
                            host, nbuf);
    if (brig_addr_same_ip(&a, &bc))
        return brig_err_set(err, BRIG_EUSAGE, "%s is the broadcast address of the node's pool %s",
                            host, nbuf);
    return 0;
}

/* ip4_addr=DHCP: the lowest free address of nodeippool (host 2 up to the top
 * quarter, which is the DHCP server's for REALDHCP jails), with its prefix. */
static int ipam_pick4(struct brig_ctx *c, int64_t jail_id, int nic_idx, char **ret,
                      struct brig_err *err)
{
    struct brig_addr pool, lo, hi;
    if (brig_addr_parse(c->node.nodeippool, &pool, err) < 0)
        return brig_err_wrap(err, "nodeippool");
    /* host 1 is the bridge's gateway; jails start at host 2 */
    if (brig_addr_nth_host(&pool, 2, &lo, err) < 0)
        return brig_err_wrap(err, "nodeippool %s is too small", c->node.nodeippool);
    uint64_t count = brig_addr_host_count(&pool);
    if (brig_addr_nth_host(&pool, count - count / 4, &hi, err) < 0)
        return -1;
    uint32_t l, h, got;
    memcpy(&l, lo.bytes, 4);
    memcpy(&h, hi.bytes, 4);
    if (brig_store_ipam_alloc(c->st, ntohl(l), ntohl(h), jail_id, nic_idx, &got, err) < 0)
        return brig_err_wrap(err, "ip4_addr=DHCP from %s", c->node.nodeippool);
    struct brig_addr a = pool;
    got = htonl(got);
    memcpy(a.bytes, &got, 4);
    char buf[BRIG_ADDR_STRLEN];
    *ret = brig_xstrdup(brig_addr_format(&a, true, buf));
    return 0;
}

/* Host numbers DHCPv6 hands out from the IPv6 pool: 2 (1 is the bridge's) up to this. */
#define IPAM6_LAST 0xffff

/* ip4_addr=DHCPv6: the lowest free host number of the node's IPv6 pool, with its prefix. */
static int ipam_pick6(struct brig_ctx *c, int64_t jail_id, int nic_idx, char **ret,
                      struct brig_err *err)
{
    struct brig_addr pool, a;
    if (!c->node.pool6)
        return brig_err_set(err, BRIG_EUSAGE,
                            "ip4_addr=DHCPv6: the node has no IPv6 pool (nodeip6pool=0)");
    if (brig_addr_parse(c->node.pool6, &pool, err) < 0)
        return brig_err_wrap(err, "nodeip6pool");
    for (uint64_t n = 2; n <= IPAM6_LAST; n++) {
        char host[BRIG_ADDR_STRLEN];
        struct brig_err e = BRIG_ERR_INIT;
        if (brig_addr_nth_host(&pool, n, &a, err) < 0)
            return brig_err_wrap(err, "nodeip6pool %s", c->node.pool6);
        brig_addr_format(&a, false, host);
        if (brig_store_ipam_reserve(c->st, host, jail_id, nic_idx, "dhcp6", &e) == 0) {
            char buf[BRIG_ADDR_STRLEN];
            *ret = brig_xstrdup(brig_addr_format(&a, true, buf));
            return 0;
        }
        if (e.code != BRIG_EUSAGE) {
            *err = e;
            return -1;
        }
    }
    return brig_err_set(err, BRIG_EFAIL,
                        "ip4_addr=DHCPv6 from %s: the pool's %u addresses are taken", c->node.pool6,
                        IPAM6_LAST - 1);
}

int brig_ipam_assign(struct brig_ctx *c, int64_t jail_id, int nic_idx, const char *ip, char **ret,
                     struct brig_err *err)
{
    *ret = NULL;
    if (brig_store_ipam_release(c->st, jail_id, nic_idx, err) < 0)
        return -1;
    if (strcmp(ip, "0") == 0 || brig_strcaseeq(ip, "REALDHCP")) {
        *ret = brig_xstrdup(ip);
        return 0;
    }
    char gw[BRIG_ADDR_STRLEN] = "", gw6[BRIG_ADDR_STRLEN] = "";
    addr_host(c->node.gateway4, gw, NULL);
    if (c->node.gateway6)
        addr_host(c->node.gateway6, gw6, NULL);
    struct brig_addr pool;
    bool have_pool = brig_addr_parse(c->node.nodeippool, &pool, NULL) == 0;
    /* the static elements are checked as one list (duplicates too); DHCP and
     * DHCPv6 stand for IPAM's picks, in their place */
    _cleanup_free_ char *copy = brig_xstrdup(ip);
    struct brig_buf statics = {0}, out = {0};
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!brig_strcaseeq(t, "DHCP") && !brig_strcaseeq(t, "DHCPv6"))
            brig_buf_addf(&statics, "%s%s", statics.s ? "," : "", t);
    }
    _cleanup_free_ struct brig_addr_item *items = NULL;
    size_t n = 0, k = 0;
    int r = brig_addr_list_parse(statics.s ? statics.s : "0", BRIG_ADDR_VNET, &items, &n, err);
    brig_buf_free(&statics);
    if (r < 0)
        return brig_err_wrap(err, "ip4_addr");
    free(copy);
    copy = brig_xstrdup(ip);
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        _cleanup_free_ char *picked = NULL;
        if (brig_strcaseeq(t, "DHCP") || brig_strcaseeq(t, "DHCPv6")) {
            bool v6 = brig_strcaseeq(t, "DHCPv6");
            if ((v6 ? ipam_pick6 : ipam_pick4)(c, jail_id, nic_idx, &picked, err) < 0)
                goto fail;
            brig_buf_addf(&out, "%s%s", out.s ? "," : "", picked);
            continue;
        }
        char host[BRIG_ADDR_STRLEN];
        if (k >= n) {
            brig_err_set(err, BRIG_EUSAGE, "ip4_addr: bad element '%.80s'", t);
            goto fail;
        }
        brig_addr_format(&items[k++].addr, false, host);
        if (strcmp(host, gw) == 0 || strcmp(host, gw6) == 0) {
            brig_err_set(err, BRIG_EUSAGE, "ip4_addr: %s is the gateway of bridge %s (%s)", host,
                         c->node.bridge, strcmp(host, gw) == 0 ? "gateway4" : "nodeip6pool");
            goto fail;
        }
        if ((have_pool && pool_edge(&pool, host, err) < 0) ||
            brig_store_ipam_reserve(c->st, host, jail_id, nic_idx, "static", err) < 0) {
            brig_err_wrap(err, "ip4_addr");
            goto fail;
        }
        brig_buf_addf(&out, "%s%s", out.s ? "," : "", t);
    }
    *ret = brig_buf_steal(&out);
    return 0;
fail:
    brig_buf_free(&out);
    return -1;
}

/* Record the jail's own addresses (NIC 0) in IPAM and write DHCP's pick back into ip4_addr. */
int brig_jail_assign_addresses(struct brig_ctx *c, struct brig_jail *j, struct brig_err *err)
{
    _cleanup_free_ char *resolved = NULL;
    if (brig_ipam_assign(c, j->id, 0, j->v[BRIG_P_IP4_ADDR], &resolved, err) < 0)
        return -1;
    if (strcmp(resolved, j->v[BRIG_P_IP4_ADDR]) != 0)
        brig_jail_set(j, BRIG_P_IP4_ADDR, resolved);
    return 0;
}

/* Refuse vnet=1 when the node's inventory says the kernel has no VIMAGE. */
int brig_jail_check_vimage(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    if (!brig_jail_bool(j, BRIG_P_VNET))
        return 0;
    _cleanup_free_ char *v = NULL;
    if (brig_store_node_get(c->st, "vimage_feature", &v, err) < 0)
        return -1;
    if (v && strcmp(v, "1") != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "vnet=1 needs a kernel with VIMAGE (network namespaces); "
                            "this node's inventory has vimage_feature=0");
    return 0;
}

/* NIC 0 of a VNET jail mirrors the jail's interface, nic_hwaddr, nic_filter, ip4_addr
 * and ci_gw4. */
int brig_jail_sync_nic0(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    struct brig_nic *nics = NULL;
    size_t n = 0;
    if (brig_store_nic_list(c->st, j->id, &nics, &n, err) < 0)
        return -1;
    bool have0 = n > 0 && nics[0].idx == 0;
    brig_nics_free(nics, n);
    if (!brig_jail_bool(j, BRIG_P_VNET))
        return have0 ? brig_store_nic_delete(c->st, j->id, 0, err) : 0;
    struct brig_nic nic = {
        .jail_id = j->id,
        .idx = 0,
        .parent = j->v[BRIG_P_INTERFACE],
        .hwaddr = j->v[BRIG_P_NIC_HWADDR],
        .addrs = j->v[BRIG_P_IP4_ADDR],
        .gw4 = j->v[BRIG_P_CI_GW4],
        .no_filter = j->v[BRIG_P_NIC_FILTER] && !brig_jail_bool(j, BRIG_P_NIC_FILTER),
    };
    return have0 ? brig_store_nic_update(c->st, &nic, err)
                 : brig_store_nic_insert(c->st, &nic, err);
}

/* Host directories a jail's path or data may not be in. */
static const char *const host_dirs_within[] = {
    "/etc",      "/proc",    "/sys",       "/dev",         "/boot",        "/run",
    "/bin",      "/sbin",    "/lib",       "/lib32",       "/lib64",       "/usr/bin",
    "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/include", "/usr/share",
};
/* Host directories a jail's path or data may be below, but not be. */
static const char *const host_dirs_exact[] = {
    "/", "/usr", "/usr/local", "/var", "/var/lib", "/home", "/root", "/tmp", "/srv", "/opt", "/mnt",
};
/* The workdir's directories a jail's path or data may be below. */
static const char *const workdir_jail_dirs[] = {"jails", "jails-data"};

/* p with symbolic links of its existing part resolved, and no "." or empty parts. */
static char *dir_resolve(const char *p)
{
    _cleanup_free_ char *head = brig_xstrdup(p);
    char real[PATH_MAX];
    size_t n = strlen(head);
    while (n > 1 && !realpath(head, real)) {
        while (n > 1 && head[n - 1] != '/')
            n--;
        head[n > 1 ? n - 1 : 1] = '\0';
        n = strlen(head);
    }
    if (n <= 1 && !realpath("/", real))
        snprintf(real, sizeof(real), "/");
    struct brig_buf b = {0};
    brig_buf_add(&b, strcmp(real, "/") == 0 ? "" : real);
    _cleanup_free_ char *tail = brig_xstrdup(p + (n > 1 ? n : 0));
    char *save = NULL;
    for (char *t = strtok_r(tail, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") != 0)
            brig_buf_addf(&b, "/%s", t);
    }
    if (!b.len)
        brig_buf_add(&b, "/");
    return brig_buf_steal(&b);
}

/* a is dir or below it. */
static bool dir_within(const char *a, const char *dir)
{
    size_t n = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return true;
    return strncmp(a, dir, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* A jail's path or data (what) at p, resolved: refuse host system directories
 * and the workdir's own, outside jails/ and jails-data/. */
static int check_dir_place(const struct brig_ctx *c, const char *what, const char *p,
                           struct brig_err *err)
{
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(host_dirs_within); i++) {
        if (dir_within(p, host_dirs_within[i]))
            return brig_err_set(err, BRIG_EUSAGE, "%s %s is in the host's %s", what, p,
                                host_dirs_within[i]);
    }
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(host_dirs_exact); i++) {
        if (strcmp(p, host_dirs_exact[i]) == 0)
            return brig_err_set(err, BRIG_EUSAGE, "%s %s is a host system directory", what, p);
    }
    _cleanup_free_ char *wd = dir_resolve(c->workdir);
    if (dir_within(wd, p))
        return brig_err_set(err, BRIG_EUSAGE, "%s %s holds the workdir", what, p);
    if (!dir_within(p, wd))
        return 0;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(workdir_jail_dirs); i++) {
        _cleanup_free_ char *d = brig_xasprintf("%s/%s", wd, workdir_jail_dirs[i]);
        if (dir_within(p, d) && strcmp(p, d) != 0)
            return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE,
                        "%s %s is in the workdir's own directories (only below jails/ and "
                        "jails-data/)",
                        what, p);
}

/* A directory that holds other jails' paths or data (jails/, jails-data/):
 * resolved once, with the names in it that are symbolic links (or of an
 * unknown type), so that resolving an entry costs no system call. */
struct parent_dir {
    char *text;   /* as written in the records */
    char *real;   /* dir_resolve(text) */
    char **links; /* sorted; entries that need a full dir_resolve */
    size_t nlinks;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parent_dir_load(struct parent_dir *pd, const char *text)
{
    pd->text = brig_xstrdup(text);
    pd->real = dir_resolve(text);
    DIR *d = opendir(pd->real);
    if (!d)
        return;
    struct dirent *de;
    char **links = NULL;
    while ((de = readdir(d)))
        if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN)
            brig_strv_push(&links, de->d_name);
    closedir(d);
    pd->links = links;
    pd->nlinks = links ? brig_strv_len(links) : 0;
    if (pd->nlinks)
        qsort(pd->links, pd->nlinks, sizeof(*pd->links), cmp_str);
}

/* The new jail's resolved path and data, against another jail's. */
struct dirs_walk {
    const char *jname;
    const char *dirs[2]; /* path, data */
    struct brig_err err;
    struct parent_dir parents[4];
    size_t nparents;
};

/* dir_resolve(p), without a system call when p's parent was seen before
 * (every jail's path is in jails/ and its data in jails-data/ by default). */
static char *row_dir_resolve(struct dirs_walk *w, const char *p)
{
    const char *slash = strrchr(p, '/');
    const char *last = slash ? slash + 1 : p;
    if (!slash || slash == p || !*last || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
        return dir_resolve(p);
    size_t plen = (size_t)(slash - p);
    struct parent_dir *pd = NULL;
    for (size_t i = 0; i < w->nparents && !pd; i++)
        if (strlen(w->parents[i].text) == plen && strncmp(w->parents[i].text, p, plen) == 0)
            pd = &w->parents[i];
    if (!pd) {
        if (w->nparents == BRIG_ARRAY_SIZE(w->parents))
            return dir_resolve(p);
        _cleanup_free_ char *parent = brig_xstrndup(p, plen);
        pd = &w->parents[w->nparents++];
        parent_dir_load(pd, parent);
    }
    if (pd->nlinks && bsearch(&last, pd->links, pd->nlinks, sizeof(*pd->links), cmp_str))
        return dir_resolve(p);
    return brig_xasprintf("%s/%s", strcmp(pd->real, "/") == 0 ? "" : pd->real, last);
}

static void dirs_walk_clear(struct dirs_walk *w)
{
    for (size_t i = 0; i < w->nparents; i++) {
        free(w->parents[i].text);
        free(w->parents[i].real);
        brig_strv_free(w->parents[i].links);
    }
}

static int dirs_clash(const struct brig_jail_row *row, void *ud)
{
    struct dirs_walk *w = ud;
    static const char *const names[] = {"path", "data"};
    if (strcmp(row->v[0], w->jname) == 0)
        return 0;
    for (int k = 0; k < 2; k++) {
        /* a VM has neither */
        if (!row->v[1 + k] || !*row->v[1 + k])
            continue;
        _cleanup_free_ char *theirs = row_dir_resolve(w, row->v[1 + k]);
        for (int m = 0; m < 2; m++) {
            if (dir_within(w->dirs[m], theirs) || dir_within(theirs, w->dirs[m])) {
                brig_err_set(&w->err, BRIG_EUSAGE, "%s %s overlaps jail %s's %s %s", names[m],
                             w->dirs[m], row->v[0], names[k], theirs);
                return -1;
            }
        }
    }
    return 0;
}

/* path and data: not a host system directory, not the workdir's own, not in
 * each other, and clear of every other jail's path and data (and so its upper). */
static int check_dirs(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    _cleanup_free_ char *path = dir_resolve(j->v[BRIG_P_PATH]);
    _cleanup_free_ char *data = dir_resolve(j->v[BRIG_P_DATA]);
    if (check_dir_place(c, "path", path, err) < 0 || check_dir_place(c, "data", data, err) < 0)
        return -1;
    /* they would split a Linux overlay's mount options at jstart */
    if (c->os == BRIG_K_LINUX && (strpbrk(path, ",:\\") || strpbrk(data, ",:\\")))
        return brig_err_set(err, BRIG_EUSAGE,
                            "path %s or data %s: ',', ':' and '\\' cannot be used", path, data);
    if (dir_within(path, data) || dir_within(data, path))
        return brig_err_set(err, BRIG_EUSAGE, "path %s and data %s overlap", path, data);
    static const enum brig_param_id cols[] = {BRIG_P_JNAME, BRIG_P_PATH, BRIG_P_DATA};
    struct dirs_walk w = {j->v[BRIG_P_JNAME], {path, data}, BRIG_ERR_INIT, {{0}}, 0};
    int rc = brig_store_jail_list(c->st, cols, BRIG_ARRAY_SIZE(cols), dirs_clash, &w, err);
    dirs_walk_clear(&w);
    if (rc < 0) {
        if (w.err.code)
            *err = w.err;
        return -1;
    }
    return 0;
}

static char *system_dir(const struct brig_ctx *c, const char *jname)
{
    return brig_ctx_path(c, "jails-system/%s", jname);
}

/* True when path does not exist or is an empty directory. */
static bool dir_empty_or_missing(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT;
    struct dirent *de;
    bool empty = true;
    while (empty && (de = readdir(d)))
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* The topmost directory of p that does not exist yet (p itself when only it is
 * missing), NULL when p exists. */
static char *first_missing(const char *p)
{
    if (brig_path_exists(p))
        return NULL;
    char *top = brig_xstrdup(p);
    for (;;) {
        char *slash = strrchr(top, '/');
        if (!slash || slash == top)
            return top;
        *slash = '\0';
        if (brig_path_exists(top)) {
            *slash = '/';
            return top;
        }
    }
}

/* jails-system/<jname>/made: the topmost directories jcreate made above path and
 * data, so jremove removes those (when empty) and nothing the admin had. */
static char *made_file(const struct brig_ctx *c, const char *jname)
{
    return brig_ctx_path(c, "jails-system/%s/made", jname);
}

/* rmdir p's empty parents up to top (when top is p or above it). */
static void remove_made_parents(const char *p, const char *top)
{
    _cleanup_free_ char *d = brig_xstrdup(p);
    size_t n = strlen(top);
    for (char *slash; (slash = strrchr(d, '/')) && slash != d;) {
        *slash = '\0';
        if (strncmp(d, top, n) != 0 || (d[n] != '\0' && d[n] != '/') || rmdir(d) < 0)
            return;
    }
}

/* Make the jail's directories; on failure remove what this call made. */
static int make_dirs(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    const char *data = j->v[BRIG_P_DATA], *path = j->v[BRIG_P_PATH];
    _cleanup_free_ char *sys = system_dir(c, j->v[BRIG_P_JNAME]);
    if (brig_path_exists(data))
        return brig_err_set(err, BRIG_EFAIL, "data directory %s already exists", data);
    if (!dir_empty_or_missing(path))
        return brig_err_set(err, BRIG_EFAIL, "path %s exists and is not an empty directory", path);
    if (brig_workdir_secure(c, err) < 0)
        return -1;
    _cleanup_free_ char *data_top = first_missing(data);
    _cleanup_free_ char *path_top = first_missing(path);
    _cleanup_free_ char *made = made_file(c, j->v[BRIG_P_JNAME]);
    _cleanup_free_ char *text =
        brig_xasprintf("%s\n%s\n", data_top ? data_top : data, path_top ? path_top : path);
    if (brig_mkdir_p(data, 0700, err) < 0 || brig_mkdir_p(path, 0700, err) < 0 ||
        brig_mkdir_p(sys, 0700, err) < 0 ||
        brig_write_file_atomic(made, text, strlen(text), 0600, err) < 0) {
        brig_rm_rf(data, NULL);
        brig_rm_rf(sys, NULL);
        rmdir(path);
        if (data_top)
            remove_made_parents(data, data_top);
        if (path_top)
            remove_made_parents(path, path_top);
        return -1;
    }
    return 0;
}

static void remove_dirs_quiet(struct brig_ctx *c, const struct brig_jail *j)
{
    _cleanup_free_ char *sys = system_dir(c, j->v[BRIG_P_JNAME]);
    brig_rm_rf(j->v[BRIG_P_DATA], NULL);
    brig_rm_rf(sys, NULL);
    rmdir(j->v[BRIG_P_PATH]);
}

/* Fill a new jail's data directory from its base (thick jails copy it). */
static int prepare_data(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    if (c->os != brig_os_native())
        return 0;
    _cleanup_free_ char *basedir = brig_ctx_path(c, "basejail/%s", j->v[BRIG_P_BASE]);
    struct brig_jail_env env = {.jail = j, .node = &c->node, .basedir = basedir};
    return brig_os_get(c->os)->prepare(&env, err);
}

/* An unprivileged jail gets its id range: registered host-wide, recorded with
 * the jail in the open transaction. */
int brig_jail_assign_idmap(struct brig_ctx *c, struct brig_jail *j, struct brig_err *err)
{
    /* a VM's QEMU runs as the first id of the VM's own range */
    if (c->os != BRIG_K_LINUX || !(brig_jail_bool(j, BRIG_P_USERNS) || brig_jail_is_vm(j)))
        return 0;
    _cleanup_free_ uint32_t *taken = NULL;
    size_t n = 0;
    uint32_t base = 0;
    if (brig_store_idmap_list(c->st, &taken, &n, err) < 0 ||
        brig_idmap_reserve(c->subid_files, taken, n, &base, err) < 0)
        return brig_err_wrap(err, "id range");
    if (brig_store_jail_set_idmap(c->st, j->id, base, err) < 0) {
        brig_idmap_release(c->subid_files, base, NULL);
        return -1;
    }
    j->idmap = base;
    return 0;
}

int brig_jail_preflight(const struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    const struct brig_os_ops *ops = brig_os_get(c->os);
    /* a VM's values together (bcreate and bset alike) */
    if (brig_jail_check(j, err) < 0 || (brig_jail_is_vm(j) && brig_vm_check(j, err) < 0))
        return -1;
    if (brig_jail_is_vm(j) && ops->vm_check && ops->vm_check(j, err) < 0)
        return -1;
    if (c->os == brig_os_native() && ops->check_host)
        return ops->check_host(j, err);
    return 0;
}

/* A jail on an OCI base takes the image config's command, environment,
 * directory and user (recorded in the base's .meta) where none is given;
 * the command only with the rest of the start and stop left to defaults. */
static bool oci_defaults(struct brig_ctx *c, struct brig_jail *j, bool boot)
{
    static const struct {
        enum brig_param_id id;
        const char *key;
    } keys[] = {{BRIG_P_EXEC_ENV, "exec_env"},
                {BRIG_P_EXEC_CWD, "exec_cwd"},
                {BRIG_P_EXEC_USER, "exec_user"}};
    struct brig_base b = {0};
    struct brig_err ignored = BRIG_ERR_INIT;
    if (brig_repo_info(c->workdir, j->v[BRIG_P_BASE], &b, &ignored) < 0)
        return false;
    bool oci = b.kind == BRIG_BASE_OCI;
    for (size_t i = 0; oci && i < BRIG_ARRAY_SIZE(keys); i++) {
        const char *v = brig_kvlist_get(&b.oci, keys[i].key);
        if (!j->v[keys[i].id] && v)
            brig_jail_set(j, keys[i].id, v);
    }
    if (oci && boot) {
        const char *cmd = brig_kvlist_get(&b.oci, "exec_start");
        const char *sig = brig_kvlist_get(&b.oci, "stop_signal");
        brig_jail_set(j, BRIG_P_EXEC_START, cmd ? cmd : "");
        brig_jail_set(j, BRIG_P_EXEC_STOP, "");
        brig_jail_set(j, BRIG_P_EXEC_INIT, "");
        struct brig_err e = BRIG_ERR_INIT;
        bool sig_ok = sig && *sig && brig_param_check(BRIG_P_STOP_SIGNAL, sig, &e) == 0;
        brig_jail_set(j, BRIG_P_STOP_SIGNAL, sig_ok ? sig : "SIGTERM");
    }
    brig_base_clear(&b);
    return oci;
}

/* A Linux jail whose start and stop are left to their defaults takes its
 * base's: set all four, or none, so they always agree. */
static void boot_defaults(struct brig_ctx *c, struct brig_jail *j)
{
    static const enum brig_param_id ids[] = {BRIG_P_EXEC_START, BRIG_P_EXEC_STOP, BRIG_P_EXEC_INIT,
                                             BRIG_P_STOP_SIGNAL};
    if (c->os != BRIG_K_LINUX)
        return;
    bool boot = true;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ids); i++)
        if (j->v[ids[i]])
            boot = false;
    if (oci_defaults(c, j, boot) || !boot)
        return;
    _cleanup_free_ char *basedir = brig_ctx_path(c, "basejail/%s", j->v[BRIG_P_BASE]);
    const struct brig_base_boot *b = brig_base_boot_detect(basedir);
    brig_jail_set(j, BRIG_P_EXEC_START, b->exec_start);
    brig_jail_set(j, BRIG_P_EXEC_STOP, b->exec_stop);
    brig_jail_set(j, BRIG_P_EXEC_INIT, b->exec_init);
    brig_jail_set(j, BRIG_P_STOP_SIGNAL, b->stop_signal);
}

/* Build a validated jail from jcreate's arguments. */
static int jail_from_args(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_jail *j,
                          struct brig_err *err)
{
    struct brig_kvlist all = {0};
    const char *jconf = brig_kvlist_get(args, "jconf");
    bool public = true;
    if (jconf && read_jconf(jconf, &all, &c->notes, &public, err) < 0)
        return -1;
    for (size_t i = 0; i < args->n; i++) {
        if (strcmp(args->items[i].key, "jconf") != 0)
            brig_kvlist_add(&all, args->items[i].key, args->items[i].value, 0);
    }
    int r = apply_params(j, &all, true, !public, false, err);
    brig_kvlist_free(&all);
    if (r < 0)
        return -1;
    if (!j->v[BRIG_P_JNAME])
        return brig_err_set(err, BRIG_EUSAGE, "jname= is required");
    if (!j->v[BRIG_P_BASE])
        brig_jail_set(j, BRIG_P_BASE, c->node.default_base);
    boot_defaults(c, j);
    brig_jail_fill_defaults(j, c->workdir, c->os);
    if (brig_jail_preflight(c, j, err) < 0)
        return -1;
    return brig_depend_check(c, j, err);
}

int brig_jcreate(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_jail *ret,
                 struct brig_err *err)
{
    return brig_jcreate_filled(c, args, NULL, NULL, ret, err);
}

int brig_jcreate_filled(struct brig_ctx *c, const struct brig_kvlist *args, brig_jail_fill_fn *fill,
                        void *data, struct brig_jail *ret, struct brig_err *err)
{
    struct brig_jail j = {0};
    if (brig_ctx_open(c, err) < 0)
        return -1;
    if (jail_from_args(c, args, &j, err) < 0)
        goto fail;
    if (c->os == brig_os_native() && brig_base_ensure(c, j.v[BRIG_P_BASE], err) < 0)
        goto fail;
    if (brig_store_begin(c->st, err) < 0)
        goto fail;
    if (brig_jail_check_vimage(c, &j, err) < 0 || check_dirs(c, &j, err) < 0 ||
        brig_store_jail_insert(c->st, &j, err) < 0 || brig_jail_assign_addresses(c, &j, err) < 0 ||
        brig_store_jail_update(c->st, &j, err) < 0 || brig_jail_sync_nic0(c, &j, err) < 0)
        goto rollback;
    if (c->dry_run) {
        /* everything checked and the address picked: show it, record nothing */
        brig_store_rollback(c->st);
        *ret = j;
        return 0;
    }
    if (brig_jail_assign_idmap(c, &j, err) < 0)
        goto rollback;
    if (make_dirs(c, &j, err) < 0)
        goto rollback;
    if ((fill ? fill(&j, data, err) : prepare_data(c, &j, err)) < 0) {
        remove_dirs_quiet(c, &j);
        goto rollback;
    }
    if (brig_store_commit(c->st, err) < 0) {
        remove_dirs_quiet(c, &j);
        goto fail;
    }
    *ret = j;
    return 0;
rollback:
    brig_store_rollback(c->st);
fail:
    brig_idmap_release(c->subid_files, j.idmap, NULL);
    if (j.v[BRIG_P_JNAME])
        brig_err_wrap(err, "%s", j.v[BRIG_P_JNAME]);
    brig_jail_clear(&j);
    return -1;
}

int brig_jget(struct brig_ctx *c, const char *jname, struct brig_jail *ret, struct brig_err *err)
{
    if (brig_check_name("jname", jname, err) < 0 || brig_ctx_open(c, err) < 0)
        return -1;
    if (brig_store_jail_get(c->st, jname, ret, err) < 0)
        return brig_err_wrap(err, "%s", jname);
    return 0;
}

void brig_jset_done_free(struct brig_jset_done *d)
{
    brig_strv_free(d->live);
    brig_strv_free(d->next_start);
    d->live = d->next_start = NULL;
}

/* Parameters a running jail takes at once (resource limits), and those it reads
 * only when used (boot order, the host's stop hooks): neither waits for a start. */
static const enum brig_param_id live_params[] = {BRIG_P_MEMORYUSE, BRIG_P_MAXPROC, BRIG_P_PCPU,
                                                 BRIG_P_CPUSET};
static const enum brig_param_id when_used_params[] = {BRIG_P_ASTART, BRIG_P_B_ORDER,
                                                      BRIG_P_EXEC_PRESTOP, BRIG_P_EXEC_POSTSTOP};

static bool param_in(enum brig_param_id id, const enum brig_param_id *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == id)
            return true;
    }
    return false;
}

/* After a jset of jname from old: give a running jail the limits it can take
 * now and name in *done what waits for its next start. */
static int apply_running(struct brig_ctx *c, const char *jname, const struct brig_jail *old,
                         struct brig_jset_done *done, struct brig_err *err)
{
    struct brig_jail_op op;
    const struct brig_os_ops *ops = brig_os_get(c->os);
    bool can_live = c->os == brig_os_native() && ops->limits_set;
    int r = -1;
    if (brig_jail_op_open(c, jname, true, &op, err) < 0)
        goto out;
    r = 0;
    if (!op.running)
        goto out;
    bool live = false;
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const enum brig_param_id id = (enum brig_param_id)i;
        /* a jail's record has no VM parameters, and a VM's no jail ones */
        /* unset before and after is no change (brig_streq: NULL equals nothing) */
        if (!brig_param_applies(id, brig_jail_is_vm(&op.j)) || (!old->v[i] && !op.j.v[i]) ||
            brig_streq(old->v[i], op.j.v[i]) ||
            param_in(id, when_used_params, BRIG_ARRAY_SIZE(when_used_params)))
            continue;
        if (can_live && param_in(id, live_params, BRIG_ARRAY_SIZE(live_params))) {
            _cleanup_free_ char *kv = brig_xasprintf("%s=%s", brig_params[i].name, op.j.v[i]);
            brig_strv_push(&done->live, kv);
            live = true;
        } else {
            brig_strv_push(&done->next_start, brig_params[i].name);
        }
    }
    if (live && ops->limits_set(&op.env, &op.rt, err) < 0)
        r = brig_err_wrap(err, "saved for the next start, but not applied to the running jail");
out:
    brig_jail_op_free(&op);
    return r;
}

/* allow_mount=1 set on a jail with ro=1 directories (fstab.c). */
static int check_fstab_mount(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    struct brig_fstab *v = NULL;
    size_t n = 0;
    if (c->os != BRIG_K_LINUX || !brig_jail_bool(j, BRIG_P_ALLOW_MOUNT))
        return 0;
    if (brig_store_fstab_list(c->st, j->id, &v, &n, err) < 0)
        return -1;
    int r = brig_fstab_check_mount(c->os, j, v, n, err);
    for (size_t i = 0; i < n; i++)
        brig_fstab_clear(&v[i]);
    free(v);
    return r;
}

/* Replace jail jname's parameters with those of kv (replace: unset ones take defaults). */
static int jail_update(struct brig_ctx *c, const char *jname, const struct brig_kvlist *kv,
                       bool replace, struct brig_jset_done *done, struct brig_err *err)
{
    struct brig_jail old = {0}, j = {0};
    int r = -1;
    if (brig_jget(c, jname, &old, err) < 0)
        return -1;
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    j.id = old.id;
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (!replace || brig_params[i].immutable)
            brig_jail_set(&j, (enum brig_param_id)i, old.v[i]);
    }
    if (apply_params(&j, kv, false, false, brig_jail_is_vm(&old), err) < 0)
        goto rollback;
    /* a VM's cloud-init address is its NIC's, as at bcreate */
    if (brig_jail_is_vm(&old) && brig_kvlist_get(kv, "ci_ip4_addr") &&
        !brig_kvlist_get(kv, "ip4_addr"))
        brig_jail_set(&j, BRIG_P_IP4_ADDR, j.v[BRIG_P_CI_IP4_ADDR]);
    brig_jail_fill_defaults(&j, c->workdir, c->os);
    if (brig_jail_preflight(c, &j, err) < 0 || brig_jail_check_vimage(c, &j, err) < 0 ||
        brig_depend_check(c, &j, err) < 0 || check_fstab_mount(c, &j, err) < 0)
        goto rollback;
    if (!brig_streq(old.v[BRIG_P_IP4_ADDR], j.v[BRIG_P_IP4_ADDR]) &&
        brig_jail_assign_addresses(c, &j, err) < 0)
        goto rollback;
    if (brig_store_jail_update(c->st, &j, err) < 0 || brig_jail_sync_nic0(c, &j, err) < 0)
        goto rollback;
    if (c->dry_run) {
        brig_store_rollback(c->st);
        r = 0;
        goto out;
    }
    /* the VM's seed as the new record makes it, in place once the record is */
    enum brig_seed_change seed = BRIG_SEED_SAME;
    if (brig_jail_is_vm(&j) && brig_vm_seed_stage(c, &old, &j, &seed, err) < 0)
        goto rollback;
    r = brig_store_commit(c->st, err);
    if (brig_vm_seed_install(c, jname, seed, r == 0, r == 0 ? err : NULL) < 0)
        r = -1;
    if (r == 0) {
        struct brig_jset_done mine = {0};
        r = apply_running(c, jname, &old, done ? done : &mine, err);
        brig_jset_done_free(&mine);
    }
    goto out;
rollback:
    brig_store_rollback(c->st);
out:
    if (r < 0)
        brig_err_wrap(err, "%s", jname);
    brig_jail_clear(&old);
    brig_jail_clear(&j);
    return r;
}

int brig_jset(struct brig_ctx *c, const char *jname, const struct brig_kvlist *args,
              struct brig_jset_done *ret, struct brig_err *err)
{
    return jail_update(c, jname, args, false, ret, err);
}

int brig_jconf_apply(struct brig_ctx *c, const char *jname, const char *text,
                     struct brig_jset_done *ret, struct brig_err *err)
{
    struct brig_kvlist kv = {0};
    if (brig_jconf_parse(text, strlen(text), &kv, err) < 0)
        return -1;
    int r = jail_update(c, jname, &kv, true, ret, err);
    brig_kvlist_free(&kv);
    return r;
}

int brig_jconf_render(struct brig_ctx *c, const char *jname, char **ret, struct brig_err *err)
{
    struct brig_jail j = {0};
    if (brig_jget(c, jname, &j, err) < 0)
        return -1;
    struct brig_buf b = {0};
    brig_buf_addf(&b,
                  "# jail %s: edit, save and quit; brig checks it before it is applied.\n"
                  "# Parameters not listed take their defaults. See brig jcreate --help.\n",
                  jname);
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (j.v[i])
            brig_jconf_format_line(&b, brig_params[i].name, j.v[i]);
    }
    brig_jail_clear(&j);
    *ret = brig_buf_steal(&b);
    return 0;
}

/* Remove everything in the jail's system directory but its lock. */
static int rm_all_but_lock(const char *sys, struct brig_err *err)
{
    DIR *d = opendir(sys);
    if (!d)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", sys);
    struct dirent *e;
    int r = 0;
    while (r == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "lock"))
            continue;
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", sys, e->d_name);
        r = brig_rm_rf(p, err);
    }
    closedir(d);
    return r;
}

/* Is jail id recorded as running, and is its init still alive? */
static bool jail_running(struct brig_ctx *c, const struct brig_runtime *rt)
{
    return rt->pid > 0 && brig_os_get(c->os)->alive(rt);
}

int brig_jail_op_remove(struct brig_jail_op *op, struct brig_err *err)
{
    struct brig_ctx *c = op->c;
    const struct brig_jail *jp = &op->j;
    const char *jname = jp->v[BRIG_P_JNAME];
    _cleanup_free_ char *sys = system_dir(c, jname);
    _cleanup_free_ char *made_path = made_file(c, jname);
    _cleanup_free_ char *made = NULL;
    /* what a crash or an ended persist=0 jail left (mounts, cgroups) goes first */
    if (brig_jail_op_settle(op, err) < 0)
        return -1;
    /* the mount point must be free before anything is deleted */
    if (!dir_empty_or_missing(jp->v[BRIG_P_PATH]))
        return brig_err_set(err, BRIG_EFAIL, "%s: path %s is not empty (still mounted?)", jname,
                            jp->v[BRIG_P_PATH]);
    if (brig_store_begin(c->st, err) < 0)
        return -1;
    if (brig_store_jail_delete(c->st, jp->id, err) < 0) {
        brig_store_rollback(c->st);
        return -1;
    }
    brig_read_file(made_path, 1 << 16, &made, NULL, NULL);
    if (brig_rm_rf(jp->v[BRIG_P_DATA], err) < 0 || rm_all_but_lock(sys, err) < 0 ||
        (rmdir(jp->v[BRIG_P_PATH]) < 0 && errno != ENOENT &&
         brig_err_sys(err, errno, "rmdir %s", jp->v[BRIG_P_PATH]) < 0)) {
        brig_store_rollback(c->st);
        return brig_err_wrap(err, "%s", jname);
    }
    /* the parents jcreate made for data and path (line 1 and 2 of made) */
    char *nl = made ? strchr(made, '\n') : NULL;
    if (nl) {
        *nl = '\0';
        char *second = nl + 1;
        second[strcspn(second, "\n")] = '\0';
        remove_made_parents(jp->v[BRIG_P_DATA], made);
        remove_made_parents(jp->v[BRIG_P_PATH], second);
    }
    int r = brig_store_commit(c->st, err);
    /* The lock goes once the record has: a jstart that waited for it finds
     * it unlinked, locks again and sees the jail gone (brig_jail_op_open). */
    if (r == 0)
        brig_rm_rf(sys, NULL);
    /* a registration left behind only keeps its ids from being handed out again */
    if (r == 0)
        brig_idmap_release(c->subid_files, jp->idmap, NULL);
    return r;
}

int brig_jremove(struct brig_ctx *c, const char *jname, bool force, struct brig_err *err)
{
    struct brig_jail_op op;
    int r = -1;
    /* a VM has no root or data directory: bremove removes it; the jail's
     * lock is held from here on, so no jstart can slip in */
    if (brig_jail_op_open_removable(c, jname, false, "jremove", force, &op, err) < 0)
        goto out;
    r = brig_jail_op_remove(&op, err);
out:
    brig_jail_op_free(&op);
    return r;
}

struct jls_state {
    struct brig_ctx *c;
    brig_jls_cb cb;
    void *ud;
    bool vms;     /* list the VMs (bls), not the jails */
    size_t ncols; /* the caller's columns; the emulator follows them */
    bool state;   /* look at each recorded init */
};

static int jls_row(const struct brig_jail_row *row, void *ud)
{
    struct jls_state *s = ud;
    if (brig_emulator_is_vm(row->v[s->ncols]) != s->vms)
        return 0;
    struct brig_runtime rt = {row->pid, row->starttime, row->pidfs_ino};
    bool running = s->state && jail_running(s->c, &rt);
    struct brig_jls_row out = {
        .jid = row->id,
        .running = running,
        .pid = running ? row->pid : 0,
        .v = row->v,
    };
    return s->cb(&out, s->ud);
}

/* List the records of one kind (vms) with their columns and the emulator
 * after them; with state, each recorded init is looked at. */
static int records_list(struct brig_ctx *c, bool vms, bool state, const enum brig_param_id *cols,
                        size_t ncols, brig_jls_cb cb, void *ud, struct brig_err *err)
{
    _cleanup_free_ enum brig_param_id *all = brig_xcalloc(ncols + 1, sizeof(*all));
    memcpy(all, cols, ncols * sizeof(*cols));
    all[ncols] = BRIG_P_EMULATOR;
    struct jls_state s = {c, cb, ud, vms, ncols, state};
    return brig_store_jail_list(c->st, all, ncols + 1, jls_row, &s, err);
}

int brig_records_list(struct brig_ctx *c, bool vms, const enum brig_param_id *cols, size_t ncols,
                      brig_jls_cb cb, void *ud, struct brig_err *err)
{
    if (brig_ctx_open(c, err) < 0)
        return -1;
    return records_list(c, vms, true, cols, ncols, cb, ud, err);
}

int brig_jail_records(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols,
                      brig_jls_cb cb, void *ud, struct brig_err *err)
{
    if (brig_ctx_open(c, err) < 0)
        return -1;
    return records_list(c, false, false, cols, ncols, cb, ud, err);
}

int brig_jls(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols, brig_jls_cb cb,
             void *ud, struct brig_err *err)
{
    return brig_records_list(c, false, cols, ncols, cb, ud, err);
}

int brig_jail_match(struct brig_ctx *c, const char *pattern, char ***ret, struct brig_err *err)
{
    bool glob = strpbrk(pattern, "*?[") != NULL;
    if (brig_ctx_open(c, err) < 0)
        return -1;
    if (!glob) {
        if (brig_check_name("jname", pattern, err) < 0)
            return -1;
        struct brig_jail j = {0};
        if (brig_store_jail_get(c->st, pattern, &j, err) < 0)
            return brig_err_wrap(err, "%s", pattern);
        brig_jail_clear(&j);
        char **v = NULL;
        brig_strv_push(&v, pattern);
        *ret = v;
        return 0;
    }
    for (const char *p = pattern; *p; p++) {
        if (!strchr("*?[]-_", *p) && !(*p >= '0' && *p <= '9') &&
            !((*p | 32) >= 'a' && (*p | 32) <= 'z'))
            return brig_err_set(err, BRIG_EUSAGE, "bad jname pattern '%.80s'", pattern);
    }
    if (brig_store_jail_names(c->st, pattern, ret, err) < 0)
        return -1;
    if (!**ret) {
        brig_strv_free(*ret);
        *ret = NULL;
        return brig_err_set(err, BRIG_EUSAGE, "no jail matches '%s'", pattern);
    }
    return 0;
}
