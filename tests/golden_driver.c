/* Golden tests of the FreeBSD plans: for each tests/golden/<case>.in, build
 * the plan it describes and compare its rendering, byte for byte, with
 * <case>.plan, or the error with <case>.err. BRIG_GOLDEN_UPDATE=1 rewrites
 * the expected files. The .in format is in tests/golden/README.md. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/devfs_rules.h"
#include "core/kv.h"
#include "core/model.h"
#include "core/params.h"
#include "core/util.h"
#include "core/vm.h"
#include "os/freebsd/freebsd.h"

#define NICS_MAX 8
/* File parameters (vm_iso, kernel, initrd) must name a file that exists;
 * a case's files under this directory are made for it and removed after. */
#define FILES_DIR "/tmp/brig-golden"

struct gcase {
    struct brig_kvlist kv;
    struct brig_jail jail;
    struct brig_node node;
    struct brig_nic nics[NICS_MAX];
    size_t n_nics;
    struct brig_freebsd_bridge bridges[8];
    size_t n_bridges;
    char *bridge_names;
    struct brig_devfs_rules *devfs;
    struct brig_devfs_rules *host_devfs; /* test_host_devfs: the host's /etc/devfs.rules */
    struct brig_expose exposes[8];       /* test_expose */
    size_t n_exposes;
};

static const char *get(const struct gcase *g, const char *key, const char *def)
{
    const char *v = brig_kvlist_get(&g->kv, key);
    return v ? v : def;
}

static char *xdup(const char *s)
{
    return s ? brig_xstrdup(s) : NULL;
}

static int load_nics(struct gcase *g, struct brig_err *err)
{
    for (int idx = 0; idx < NICS_MAX; idx++) {
        char key[32];
        snprintf(key, sizeof(key), "nic%d_parent", idx);
        if (!brig_kvlist_get(&g->kv, key))
            continue;
        struct brig_nic *n = &g->nics[g->n_nics++];
        n->idx = idx;
        n->parent = xdup(get(g, key, "auto"));
        snprintf(key, sizeof(key), "nic%d_hwaddr", idx);
        n->hwaddr = xdup(get(g, key, "0"));
        snprintf(key, sizeof(key), "nic%d_addrs", idx);
        n->addrs = xdup(get(g, key, "0"));
        snprintf(key, sizeof(key), "nic%d_gw4", idx);
        n->gw4 = xdup(get(g, key, "auto"));
        snprintf(key, sizeof(key), "nic%d_mtu", idx);
        n->mtu = (unsigned)atoi(get(g, key, "0"));
        snprintf(key, sizeof(key), "nic%d_idx", idx); /* a row claiming another's index */
        const char *claimed = get(g, key, NULL);
        if (claimed)
            n->idx = atoi(claimed);
    }
    return 0;
}

/* Split "name:mtu,name:mtu" into g->bridges. */
static void load_bridges(struct gcase *g)
{
    const char *list = get(g, "test_bridges", "");
    g->bridge_names = brig_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(g->bridge_names, ",", &save); t && g->n_bridges < 8;
         t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        unsigned mtu = 0;
        if (colon) {
            *colon = '\0';
            mtu = (unsigned)atoi(colon + 1);
        }
        g->bridges[g->n_bridges].name = t;
        g->bridges[g->n_bridges++].mtu = mtu;
    }
}

/* Split "proto:in:out[:addr],..." into g->exposes, to the jail's first IPv4 address. */
static int load_exposes(struct gcase *g, struct brig_err *err)
{
    const char *list = brig_kvlist_get(&g->kv, "test_expose");
    if (!list)
        return 0;
    _cleanup_free_ struct brig_addr_item *items = NULL;
    size_t n = 0;
    if (brig_addr_list_parse(g->jail.v[BRIG_P_IP4_ADDR], BRIG_ADDR_VNET, &items, &n, err) < 0 ||
        n == 0)
        return brig_err_set(err, BRIG_EUSAGE, "test_expose needs an ip4_addr");
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && g->n_exposes < 8;
         t = strtok_r(NULL, ",", &save)) {
        struct brig_expose *e = &g->exposes[g->n_exposes++];
        *e = (struct brig_expose){.jail_id = g->jail.id, .to = items[0].addr};
        if (sscanf(t, "%3[a-z]:%u:%u:%51s", e->proto, &e->in, &e->out, e->addr) < 3)
            return brig_err_set(err, BRIG_EUSAGE, "test_expose: bad element %s", t);
    }
    return 0;
}

static bool driver_key(const char *k)
{
    return brig_startswith(k, "test_") || brig_startswith(k, "node_") ||
           brig_startswith(k, "nic") || brig_startswith(k, "repo_");
}

/* Make the case's files under FILES_DIR (empty regular files). */
static int make_files(const struct gcase *g, struct brig_err *err)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const char *v = g->jail.v[i];
        if (brig_params[i].type != BRIG_T_FILE || !v || !brig_startswith(v, FILES_DIR "/"))
            continue;
        _cleanup_free_ char *parent = brig_xstrndup(v, (size_t)(strrchr(v, '/') - v));
        if (brig_mkdir_p(parent, 0755, err) < 0)
            return -1;
        int fd = open(v, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return brig_err_sys(err, errno, "%s", v);
        close(fd);
    }
    return 0;
}

static int load(struct gcase *g, const char *text, struct brig_err *err)
{
    if (brig_jconf_parse(text, strlen(text), &g->kv, err) < 0)
        return -1;
    for (size_t i = 0; i < g->kv.n; i++) {
        const char *k = g->kv.items[i].key;
        enum brig_param_id id;
        if (driver_key(k))
            continue;
        if (!brig_param_find(k, &id))
            return brig_err_set(err, BRIG_EUSAGE, "line %d: unknown key %s", g->kv.items[i].line,
                                k);
        brig_jail_set(&g->jail, id, g->kv.items[i].value);
    }
    g->node.workdir = xdup(get(g, "node_workdir", "/var/lib/brig"));
    g->node.nodename = xdup(get(g, "node_nodename", "node1.example.org"));
    g->node.bridge = xdup(get(g, "node_bridge", "brig0"));
    g->node.gateway4 = xdup(get(g, "node_gateway4", "10.0.0.1/16"));
    g->node.gateway6 = xdup(brig_kvlist_get(&g->kv, "node_gateway6"));
    g->node.freebsd_mirror = xdup(brig_kvlist_get(&g->kv, "node_freebsd_mirror"));
    g->jail.id = atoll(get(g, "test_jail_id", "5"));
    brig_jail_fill_defaults(&g->jail, g->node.workdir, BRIG_K_FREEBSD);
    if (make_files(g, err) < 0 || brig_jail_check(&g->jail, err) < 0)
        return -1;
    /* a VM's values together, as bcreate and bset check them */
    if (brig_jail_is_vm(&g->jail) && brig_vm_check(&g->jail, err) < 0)
        return -1;
    load_bridges(g);
    if (load_nics(g, err) < 0 || load_exposes(g, err) < 0)
        return -1;
    struct brig_buf rules = {0};
    brig_buf_add(&rules, brig_devfs_rules_default());
    brig_buf_add(&rules, get(g, "test_devfs_extra", ""));
    int r = brig_devfs_rules_parse(rules.s, rules.len, "devfs.rules", &g->devfs, err);
    brig_buf_free(&rules);
    const char *host = get(g, "test_host_devfs", NULL);
    if (r == 0 && host)
        r = brig_devfs_rules_parse(host, strlen(host), "/etc/devfs.rules", &g->host_devfs, err);
    return r;
}

static void gcase_free(struct gcase *g)
{
    brig_kvlist_free(&g->kv);
    brig_jail_clear(&g->jail);
    brig_node_clear(&g->node);
    for (size_t i = 0; i < g->n_nics; i++)
        brig_nic_clear(&g->nics[i]);
    free(g->bridge_names);
    brig_devfs_rules_free(g->devfs);
    brig_devfs_rules_free(g->host_devfs);
    brig_rm_rf(FILES_DIR, NULL);
}

/* Render the case into out; returns -1 with err set when the plan is refused. */
static int render_case(const char *text, struct brig_buf *out, struct brig_err *err)
{
    struct gcase g = {0};
    struct brig_plan plan = {0};
    int r = load(&g, text, err);
    if (r == 0) {
        const char *verb = get(&g, "test_verb", "jstart");
        struct brig_freebsd_input in = {
            .jail = &g.jail,
            .nics = g.nics,
            .n_nics = g.n_nics,
            .node = &g.node,
            .devfs = g.devfs,
            .host_devfs = g.host_devfs,
            .release = get(&g, "test_release", "14.1"),
            .bridges = g.bridges,
            .n_bridges = g.n_bridges,
            .uplink = get(&g, "test_uplink", "em0"),
            .uplink_mtu = (unsigned)atoi(get(&g, "test_uplink_mtu", "1500")),
            .ip_resolved = brig_kvlist_get(&g.kv, "test_ip_resolved"),
            .racct = atoi(get(&g, "test_racct", "1")),
            .exposes = g.exposes,
            .n_exposes = g.n_exposes,
        };
        if (strcmp(verb, "jstart") == 0)
            r = brig_freebsd_plan_jstart(&in, &plan, err);
        else if (strcmp(verb, "jstop") == 0)
            r = brig_freebsd_plan_jstop(&in, &plan, err);
        else if (strcmp(verb, "bstart") == 0)
            r = brig_freebsd_plan_bstart(&in, &plan, err);
        else if (strcmp(verb, "bstop") == 0)
            r = brig_freebsd_plan_bstop(&in, &plan, err);
        else if (strcmp(verb, "bcreate") == 0)
            r = brig_freebsd_plan_bcreate(&in, &plan, err);
        else if (strcmp(verb, "bremove") == 0)
            r = brig_freebsd_plan_bremove(&in, &plan, err);
        else if (strcmp(verb, "inventory") == 0)
            r = brig_freebsd_plan_inventory(&plan, err);
        else if (strcmp(verb, "repo") == 0)
            r = brig_freebsd_plan_repo(&g.node, get(&g, "repo_sources", "base"),
                                       get(&g, "repo_ver", "14.1"), get(&g, "repo_arch", "amd64"),
                                       &plan, err);
        else
            r = brig_err_set(err, BRIG_EUSAGE, "unknown test_verb %s", verb);
    }
    if (r == 0)
        brig_plan_render(&plan, out);
    brig_plan_free(&plan);
    gcase_free(&g);
    return r;
}

static char *read_or_null(const char *path)
{
    char *data = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    if (!brig_path_exists(path) || brig_read_file(path, 1 << 22, &data, NULL, &err) < 0)
        return NULL;
    return data;
}

static int run_case(const char *dir, const char *name, bool update)
{
    _cleanup_free_ char *in_path = brig_xasprintf("%s/%s.in", dir, name);
    _cleanup_free_ char *plan_path = brig_xasprintf("%s/%s.plan", dir, name);
    _cleanup_free_ char *err_path = brig_xasprintf("%s/%s.err", dir, name);
    _cleanup_free_ char *text = read_or_null(in_path);
    if (!text) {
        fprintf(stderr, "golden: %s: cannot read\n", in_path);
        return -1;
    }
    struct brig_buf out = {0};
    struct brig_err err = BRIG_ERR_INIT;
    brig_buf_add(&out, "");
    bool failed = render_case(text, &out, &err) < 0;
    if (failed) {
        out.len = 0;
        out.s[0] = '\0';
        brig_buf_addf(&out, "error %d: %s\n", err.code, err.msg);
    }
    const char *want_path = failed ? err_path : plan_path;
    const char *other_path = failed ? plan_path : err_path;
    int r = 0;
    if (update) {
        struct brig_err e2 = BRIG_ERR_INIT;
        unlink(other_path);
        if (brig_write_file_atomic(want_path, out.s, out.len, 0644, &e2) < 0) {
            fprintf(stderr, "golden: %s\n", e2.msg);
            r = -1;
        }
    } else {
        _cleanup_free_ char *want = read_or_null(want_path);
        if (!want || strcmp(want, out.s) != 0) {
            fprintf(stderr, "golden: %s: output differs from %s%s\n", name, want_path,
                    want ? "" : " (missing)");
            struct brig_err e2 = BRIG_ERR_INIT;
            _cleanup_free_ char *tmp_got = brig_xasprintf("/tmp/golden-%s.got", name);
            if (brig_write_file_atomic(tmp_got, out.s, out.len, 0644, &e2) == 0 && want) {
                _cleanup_strv_ char **dargv = NULL;
                brig_strv_push(&dargv, "diff");
                brig_strv_push(&dargv, "-u");
                brig_strv_push(&dargv, want_path);
                brig_strv_push(&dargv, tmp_got);
                int st;
                brig_run(dargv, NULL, &st, NULL, &e2);
            } else {
                fputs(out.s, stderr);
            }
            r = -1;
        }
    }
    brig_buf_free(&out);
    return r;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: golden-driver DIR\n");
        return 2;
    }
    bool update = brig_streq(getenv("BRIG_GOLDEN_UPDATE"), "1");
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 2;
    }
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n > 3 && strcmp(de->d_name + n - 3, ".in") == 0) {
            _cleanup_free_ char *nm = brig_xstrndup(de->d_name, n - 3);
            brig_strv_push(&names, nm);
        }
    }
    closedir(d);
    size_t count = brig_strv_len(names), bad = 0;
    if (count)
        qsort(names, count, sizeof(char *), cmp_str);
    for (size_t i = 0; i < count; i++) {
        if (run_case(argv[1], names[i], update) < 0)
            bad++;
    }
    printf("golden: %zu cases, %zu failed%s\n", count, bad, update ? " (updated)" : "");
    brig_strv_free(names);
    return bad || count == 0 ? 1 : 0;
}
