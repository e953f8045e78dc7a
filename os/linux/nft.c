#define _GNU_SOURCE
#include "nft.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "core/util.h"

/* Linking libnftables would make every brig command load it and five more
 * libraries for the few commands that touch nftables. */
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

struct nft_ctx *brig_nft_open(struct brig_err *err)
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

void brig_nft_closep(struct nft_ctx **c)
{
    if (*c)
        nft.ctx_free(*c);
}

int brig_nft_run(struct nft_ctx *c, const char *cmd, struct brig_err *err)
{
    if (nft.run(c, cmd) == 0)
        return 0;
    const char *e = nft.error(c);
    size_t n = e ? strcspn(e, "\n") : 0;
    return brig_err_set(err, BRIG_EFAIL, "nftables: %.*s", (int)n, n ? e : "failed");
}

int brig_nft_run_handles(struct nft_ctx *c, const char *cmd, struct brig_err *err)
{
    nft.set_flags(c, NFT_CTX_OUTPUT_HANDLE);
    int r = brig_nft_run(c, cmd, err);
    nft.set_flags(c, 0);
    return r;
}

const char *brig_nft_output(struct nft_ctx *c)
{
    const char *out = nft.output(c);
    return out ? out : "";
}

int brig_nft_table_exists(struct nft_ctx *c, const char *family, const char *name, bool *ret,
                          struct brig_err *err)
{
    _cleanup_free_ char *cmd = brig_xasprintf("list tables %s", family);
    _cleanup_free_ char *want = brig_xasprintf("table %s %s\n", family, name);
    if (brig_nft_run(c, cmd, err) < 0)
        return -1;
    *ret = strstr(brig_nft_output(c), want) != NULL;
    return 0;
}
