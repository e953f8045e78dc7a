#define _GNU_SOURCE
#include "expose.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "os/linux/net.h"
#include "os/linux/nft.h"

#define T   "ip brig"
#define TAG "brig expose "

static const char *const chains[] = {"expose_pre", "expose_out", "expose_post"};

void brig_expose_rules_parse(const char *listing, struct brig_expose_rule **ret, size_t *ret_n)
{
    struct brig_expose_rule *v = NULL;
    size_t n = 0;
    char chain[32] = "";
    for (const char *line = listing; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        _cleanup_free_ char *l = brig_xstrndup(line, len);
        const char *t = l + strspn(l, " \t");
        char name[32];
        const char *c = strstr(t, "comment \"" TAG);
        const char *h = strstr(t, "# handle ");
        if (sscanf(t, "chain %31s {", name) == 1) {
            snprintf(chain, sizeof(chain), "%s", name);
        } else if (c && h && *chain) {
            char *end = NULL;
            long long id = strtoll(c + strlen("comment \"" TAG), &end, 10);
            if (end && *end == '"' && id > 0) {
                v = brig_xrealloc(v, (n + 1) * sizeof(*v));
                v[n] = (struct brig_expose_rule){.handle = strtoul(h + 9, NULL, 10), .jail_id = id};
                snprintf(v[n].chain, sizeof(v[n].chain), "%s", chain);
                n++;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    *ret = v;
    *ret_n = n;
}

/* The forward's DNAT rule in chain (expose_pre or expose_out). */
static void render_dnat(struct brig_buf *b, const char *chain, int64_t jail_id,
                        const struct brig_expose *e)
{
    char to[BRIG_ADDR_STRLEN];
    brig_addr_format(&e->to, false, to);
    brig_buf_addf(b, "add rule " T " %s ", chain);
    /* a connection to the host's loopback would leave with a loopback source */
    if (strcmp(chain, "expose_out") == 0)
        brig_buf_add(b, "ip daddr != 127.0.0.0/8 ");
    if (*e->addr)
        brig_buf_addf(b, "ip daddr %s ", e->addr);
    else
        brig_buf_add(b, "fib daddr type local ");
    brig_buf_addf(b, "%s dport %u counter dnat to %s:%u comment \"" TAG "%" PRId64 "\"\n", e->proto,
                  e->in, to, e->out, jail_id);
}

void brig_expose_render(struct brig_buf *out, int64_t jail_id, const struct brig_expose_rule *old,
                        size_t n_old, const struct brig_expose *v, size_t n)
{
    brig_buf_add(out, "add table " T "\n"
                      "add chain " T " expose_pre { type nat hook prerouting priority dstnat; "
                      "policy accept; }\n"
                      "add chain " T " expose_out { type nat hook output priority -100; "
                      "policy accept; }\n"
                      "add chain " T " expose_post { type nat hook postrouting priority srcnat; "
                      "policy accept; }\n");
    for (size_t i = 0; i < n_old; i++) {
        if (old[i].jail_id == jail_id)
            brig_buf_addf(out, "delete rule " T " %s handle %lu\n", old[i].chain, old[i].handle);
    }
    for (size_t i = 0; i < n; i++) {
        const struct brig_expose *e = &v[i];
        struct brig_addr net;
        if (e->to.family != AF_INET)
            continue;
        char to[BRIG_ADDR_STRLEN], subnet[BRIG_ADDR_STRLEN];
        brig_addr_network(&e->to, &net);
        render_dnat(out, "expose_pre", jail_id, e);
        render_dnat(out, "expose_out", jail_id, e);
        /* a client on the jail's own subnet (another jail, the bridge's own
         * address) would get the reply straight from the jail, past the host */
        brig_buf_addf(out,
                      "add rule " T " expose_post ip saddr %s ip daddr %s %s dport %u ct status "
                      "dnat counter masquerade comment \"" TAG "%" PRId64 "\"\n",
                      brig_addr_format(&net, true, subnet), brig_addr_format(&e->to, false, to),
                      e->proto, e->out, jail_id);
    }
}

/* The rules of every forward in the table (none when it does not exist). */
static int rules_list(struct nft_ctx *c, struct brig_expose_rule **ret, size_t *ret_n,
                      bool *ret_table, struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    if (brig_nft_table_exists(c, "ip", "brig", ret_table, err) < 0)
        return -1;
    if (!*ret_table)
        return 0;
    if (brig_nft_run_handles(c, "list table " T, err) < 0)
        return -1;
    brig_expose_rules_parse(brig_nft_output(c), ret, ret_n);
    return 0;
}

/* With no forward left, the chains go, and the table with them when nothing
 * else of brig (NAT) is in it. */
static int chains_drop(struct nft_ctx *c, struct brig_err *err)
{
    struct brig_buf b = {0};
    if (brig_nft_run(c, "list table " T, err) < 0)
        return -1;
    const char *listing = brig_nft_output(c);
    bool others = false;
    for (const char *p = listing; (p = strstr(p, "chain ")); p += 6) {
        bool ours = false;
        for (size_t i = 0; i < BRIG_ARRAY_SIZE(chains); i++)
            ours |= strncmp(p + 6, chains[i], strlen(chains[i])) == 0 &&
                    p[6 + strlen(chains[i])] == ' ';
        others |= !ours;
    }
    if (others) {
        for (size_t i = 0; i < BRIG_ARRAY_SIZE(chains); i++)
            brig_buf_addf(&b, "delete chain " T " %s\n", chains[i]);
    } else {
        brig_buf_add(&b, "delete table " T "\n");
    }
    int r = brig_nft_run(c, b.s, err);
    brig_buf_free(&b);
    return r;
}

int brig_expose_sync(int64_t jail_id, const struct brig_expose *v, size_t n, struct brig_err *err)
{
    _cleanup_nft_ struct nft_ctx *c = brig_nft_open(n ? err : NULL);
    if (!c)
        return n ? brig_err_wrap(err, "port forwards") : 0;
    _cleanup_free_ struct brig_expose_rule *old = NULL;
    size_t n_old = 0;
    bool table;
    if (rules_list(c, &old, &n_old, &table, err) < 0)
        return brig_err_wrap(err, "port forwards");
    size_t mine = 0, live = 0;
    for (size_t i = 0; i < n_old; i++)
        mine += old[i].jail_id == jail_id;
    for (size_t i = 0; i < n; i++)
        live += v[i].to.family == AF_INET;
    if (live == 0 && mine == 0)
        return 0;
    if (live > 0 && brig_ip_forward_enable(err) < 0)
        return -1;
    struct brig_buf b = {0};
    brig_expose_render(&b, jail_id, old, n_old, v, n);
    int r = brig_nft_run(c, b.s, err);
    brig_buf_free(&b);
    if (r < 0)
        return brig_err_wrap(err, "port forwards");
    if (live == 0 && mine == n_old && chains_drop(c, err) < 0)
        return brig_err_wrap(err, "port forwards");
    return 0;
}
