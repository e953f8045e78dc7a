/* inventory: the node's facts, from the kernel backend and the node settings;
 * kept in the store and in ${workdir}/nc.inventory (shell key="value"). */
#include <string.h>

#include "brig.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"

/* key="value" lines a shell can source: values escaped for double quotes. */
static char *render_nc_inventory(const struct brig_kvlist *facts)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "# brig node inventory; written by brig inventory, do not edit.\n");
    for (size_t i = 0; i < facts->n; i++) {
        brig_buf_addf(&b, "%s=\"", facts->items[i].key);
        for (const char *p = facts->items[i].value; *p; p++) {
            if (strchr("\"\\$`", *p))
                brig_buf_addc(&b, '\\');
            brig_buf_addc(&b, *p == '\n' ? ' ' : *p);
        }
        brig_buf_add(&b, "\"\n");
    }
    return brig_buf_steal(&b);
}

int brig_inventory(struct brig_ctx *c, struct brig_kvlist *ret, struct brig_err *err)
{
    struct brig_kvlist facts = {0};
    if (brig_ctx_open(c, err) < 0)
        return -1;
    brig_kvlist_add(&facts, "nodename", c->node.nodename, 0);
    if (brig_os_get(c->os)->inventory(&facts, err) < 0)
        goto fail;
    brig_kvlist_add(&facts, "nodeippool", c->node.nodeippool, 0);
    brig_kvlist_add(&facts, "bridge", c->node.bridge, 0);
    brig_kvlist_add(&facts, "gateway4", c->node.gateway4, 0);
    brig_kvlist_add(&facts, "nat_enable", c->node.nat_enable ? "1" : "0", 0);
    brig_kvlist_add(&facts, "workdir", c->workdir, 0);
    if (!c->dry_run) {
        if (brig_store_begin(c->st, err) < 0)
            goto fail;
        for (size_t i = 0; i < facts.n; i++) {
            if (brig_store_node_set(c->st, facts.items[i].key, facts.items[i].value, err) < 0) {
                brig_store_rollback(c->st);
                goto fail;
            }
        }
        if (brig_store_commit(c->st, err) < 0)
            goto fail;
        _cleanup_free_ char *text = render_nc_inventory(&facts);
        _cleanup_free_ char *path = brig_ctx_path(c, "nc.inventory");
        if (brig_write_file_atomic(path, text, strlen(text), 0644, err) < 0)
            goto fail;
    }
    *ret = facts;
    return 0;
fail:
    brig_kvlist_free(&facts);
    return -1;
}
