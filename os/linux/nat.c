#define _GNU_SOURCE
#include "net.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "core/params.h"
#include "core/util.h"

/* libnftables, loaded at the first NAT call: linking it would make every brig
 * command load it and five more libraries for a feature few commands use. */
static struct {
    void *lib;
    struct nft_ctx *(*ctx_new)(uint32_t flags);
    void (*ctx_free)(struct nft_ctx *ctx);
    int (*buffer_output)(struct nft_ctx *ctx);
    int (*buffer_error)(struct nft_ctx *ctx);
    int (*run)(struct nft_ctx *ctx, const char *buf);
    const char *(*output)(struct nft_ctx *ctx);
    const char *(*error)(struct nft_ctx *ctx);
    void (*set_flags)(struct nft_ctx *ctx, unsigned int flags);
} nft;

static int nft_load(struct brig_err *err)
{
    if (nft.lib)
        return 0;
    void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return brig_err_set(err, BRIG_EFAIL, "nftables: %s (apt-get install libnftables1)",
                            dlerror());
    static const char *const names[] = {
        "nft_ctx_new",
        "nft_ctx_free",
        "nft_ctx_buffer_output",
        "nft_ctx_buffer_error",
        "nft_run_cmd_from_buffer",
        "nft_ctx_get_output_buffer",
        "nft_ctx_get_error_buffer",
        "nft_ctx_output_set_flags",
    };
    void *sym[BRIG_ARRAY_SIZE(names)];
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(names); i++) {
        if (!(sym[i] = dlsym(lib, names[i]))) {
            dlclose(lib);
            return brig_err_set(err, BRIG_EFAIL, "nftables: %s missing", names[i]);
        }
    }
    memcpy(&nft.ctx_new, &sym[0], sizeof(void *));
    memcpy(&nft.ctx_free, &sym[1], sizeof(void *));
    memcpy(&nft.buffer_output, &sym[2], sizeof(void *));
    memcpy(&nft.buffer_error, &sym[3], sizeof(void *));
    memcpy(&nft.run, &sym[4], sizeof(void *));
    memcpy(&nft.output, &sym[5], sizeof(void *));
    memcpy(&nft.error, &sym[6], sizeof(void *));
    memcpy(&nft.set_flags, &sym[7], sizeof(void *));
    nft.lib = lib;
    return 0;
}

static void nft_freep(struct nft_ctx **c)
{
    if (*c)
        nft.ctx_free(*c);
}
#define _cleanup_nft_ __attribute__((cleanup(nft_freep)))

/* One NAT rule, resolved from the caller's strings. */
struct nat_rule {
    const char *family; /* "ip" or "ip6" */
    char net[BRIG_ADDR_STRLEN];
    char tag[128]; /* the rule's comment: how brig finds it again */
    const char *uplink;
};

static int nat_rule_init(const char *subnet, const char *uplink, struct nat_rule *r,
                         struct brig_err *err)
{
    struct brig_addr a, net;
    if (brig_addr_parse(subnet, &a, err) < 0)
        return brig_err_wrap(err, "nat");
    if (uplink && brig_check_ifname(uplink, err) < 0)
        return brig_err_wrap(err, "nat");
    brig_addr_network(&a, &net);
    r->family = a.family == AF_INET ? "ip" : "ip6";
    brig_addr_format(&net, true, r->net);
    r->uplink = uplink;
    snprintf(r->tag, sizeof(r->tag), "brig nat %s via %s", r->net, uplink ? uplink : "any");
    return 0;
}

static struct nft_ctx *nft_open(struct brig_err *err)
{
    if (nft_load(err) < 0)
        return NULL;
    struct nft_ctx *c = nft.ctx_new(NFT_CTX_DEFAULT);
    if (!c)
        abort();
    nft.buffer_output(c);
    nft.buffer_error(c);
    return c;
}

/* Run cmd; the first line of nft's error text goes into err on failure. */
static int nft_run(struct nft_ctx *c, const char *cmd, struct brig_err *err)
{
    if (nft.run(c, cmd) == 0)
        return 0;
    const char *e = nft.error(c);
    size_t n = e ? strcspn(e, "\n") : 0;
    return brig_err_set(err, BRIG_EFAIL, "nftables: %.*s", (int)n, n ? e : "failed");
}

static int table_exists(struct nft_ctx *c, const struct nat_rule *r, bool *ret,
                        struct brig_err *err)
{
    _cleanup_free_ char *cmd = brig_xasprintf("list tables %s", r->family);
    _cleanup_free_ char *want = brig_xasprintf("table %s brig\n", r->family);
    if (nft_run(c, cmd, err) < 0)
        return -1;
    const char *out = nft.output(c);
    *ret = out && strstr(out, want) != NULL;
    return 0;
}

/* The handle of the rule tagged r->tag (0: absent), and whether any other brig rule
 * remains in the chain. */
static int rule_find(struct nft_ctx *c, const struct nat_rule *r, unsigned long *ret_handle,
                     bool *ret_others, struct brig_err *err)
{
    bool exists;
    *ret_handle = 0;
    *ret_others = false;
    if (table_exists(c, r, &exists, err) < 0)
        return -1;
    if (!exists)
        return 0;
    _cleanup_free_ char *cmd = brig_xasprintf("list chain %s brig postrouting", r->family);
    nft.set_flags(c, NFT_CTX_OUTPUT_HANDLE);
    int rc = nft_run(c, cmd, err);
    nft.set_flags(c, 0);
    if (rc < 0)
        return -1;
    const char *out = nft.output(c);
    _cleanup_free_ char *want = brig_xasprintf("comment \"%s\"", r->tag);
    for (const char *line = out; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        _cleanup_free_ char *l = brig_xstrndup(line, n);
        const char *h = strstr(l, "# handle ");
        if (strstr(l, want) && h)
            *ret_handle = strtoul(h + strlen("# handle "), NULL, 10);
        else if (strstr(l, "comment \"brig nat "))
            *ret_others = true;
        line = eol ? eol + 1 : NULL;
    }
    return 0;
}

/* Resolve the rule, open nftables and find the rule's handle (0: absent). */
static int nat_lookup(const char *subnet, const char *uplink, struct nat_rule *r,
                      struct nft_ctx **ret_ctx, unsigned long *ret_handle, bool *ret_others,
                      struct brig_err *err)
{
    if (nat_rule_init(subnet, uplink, r, err) < 0)
        return -1;
    if (!(*ret_ctx = nft_open(err)))
        return -1;
    if (rule_find(*ret_ctx, r, ret_handle, ret_others, err) < 0)
        return brig_err_wrap(err, "nat %s", r->net);
    return 0;
}

int brig_nat_has(const char *subnet, const char *uplink, bool *ret, struct brig_err *err)
{
    struct nat_rule r;
    unsigned long handle;
    bool others;
    _cleanup_nft_ struct nft_ctx *c = NULL;
    if (nat_lookup(subnet, uplink, &r, &c, &handle, &others, err) < 0)
        return -1;
    *ret = handle != 0;
    return 0;
}

int brig_nat_add(const char *subnet, const char *uplink, struct brig_err *err)
{
    struct nat_rule r;
    unsigned long handle;
    bool others;
    _cleanup_nft_ struct nft_ctx *c = NULL;
    if (nat_lookup(subnet, uplink, &r, &c, &handle, &others, err) < 0)
        return -1;
    if (handle)
        return 0;
    _cleanup_free_ char *oif = r.uplink ? brig_xasprintf("oifname \"%s\" ", r.uplink) : NULL;
    /* Every value here was validated above: an address and an interface name. */
    _cleanup_free_ char *cmd = brig_xasprintf(
        "add table %s brig\n"
        "add chain %s brig postrouting { type nat hook postrouting priority srcnat; policy "
        "accept; }\n"
        "add rule %s brig postrouting %s saddr %s %s daddr != %s %scounter masquerade comment "
        "\"%s\"\n",
        r.family, r.family, r.family, r.family, r.net, r.family, r.net, oif ? oif : "", r.tag);
    if (nft_run(c, cmd, err) < 0)
        return brig_err_wrap(err, "add nat for %s", r.net);
    return 0;
}

int brig_nat_remove(const char *subnet, const char *uplink, struct brig_err *err)
{
    struct nat_rule r;
    unsigned long handle;
    bool others;
    _cleanup_nft_ struct nft_ctx *c = NULL;
    if (nat_lookup(subnet, uplink, &r, &c, &handle, &others, err) < 0)
        return -1;
    bool exists;
    if (table_exists(c, &r, &exists, err) < 0)
        return -1;
    if (!exists)
        return 0;
    _cleanup_free_ char *cmd = NULL;
    if (!others)
        cmd = brig_xasprintf("delete table %s brig", r.family);
    else if (handle)
        cmd = brig_xasprintf("delete rule %s brig postrouting handle %lu", r.family, handle);
    if (cmd && nft_run(c, cmd, err) < 0)
        return brig_err_wrap(err, "remove nat for %s", r.net);
    return 0;
}

int brig_ip_forward_enable(struct brig_err *err)
{
    if (brig_net_sysctl_set("/proc/sys/net/ipv4/ip_forward", "1\n", false, err) < 0)
        return brig_err_wrap(err, "enable forwarding");
    return 0;
}
