#include "model.h"

#include <stdlib.h>
#include <string.h>

void brig_nic_clear(struct brig_nic *n)
{
    free(n->parent);
    free(n->hwaddr);
    free(n->addrs);
    free(n->gw4);
    memset(n, 0, sizeof(*n));
}

void brig_exposes_free(struct brig_expose *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].jname);
    free(v);
}

void brig_node_clear(struct brig_node *n)
{
    free(n->workdir);
    free(n->nodename);
    free(n->nodeid);
    free(n->ifprefix);
    free(n->nodeippool);
    free(n->bridge);
    free(n->gateway4);
    free(n->nodeip6pool);
    free(n->pool6);
    free(n->gateway6);
    free(n->uplink);
    free(n->default_base);
    free(n->debian_mirror);
    free(n->freebsd_mirror);
    memset(n, 0, sizeof(*n));
}
