/* jnameserver=auto: the jail's /etc/resolv.conf names the host's own name
 * servers, those of them the jail can reach. A server on the host's loopback
 * (systemd-resolved's 127.0.0.53, a local dnsmasq) is out of a jail's reach:
 * it has a loopback of its own. */
#define _GNU_SOURCE
#include "resolv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "os/linux/net.h"
#include "os/linux/vnet.h"
#include "util.h"

#define HOST_RESOLV_CONF "/etc/resolv.conf"
#define HOST_RESOLV_MAX  (64u << 10)

/* The jail's own addresses (a list such as ip4_addr's; DHCP, REALDHCP and 0 give none). */
static void addrs_of(const char *list, struct brig_addr **v, size_t *n)
{
    if (!list || strcmp(list, "0") == 0 || brig_strcaseeq(list, "DHCP") ||
        brig_strcaseeq(list, "REALDHCP"))
        return;
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const char *bar = strchr(t, '|');
        struct brig_addr a;
        if (brig_addr_parse(bar ? bar + 1 : t, &a, NULL) < 0)
            continue;
        *v = brig_xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = a;
    }
}

/* Whether the address is one of the host's (any interface). */
struct host_has {
    const struct brig_addr *want;
    bool found;
};

static int host_has_cb(const char *ifname, const struct brig_addr *a, void *ud)
{
    struct host_has *h = ud;
    if (brig_addr_same_ip(a, h->want)) {
        h->found = true;
        return 1;
    }
    return 0;
}

static bool is_local_only(const struct brig_addr *a)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};
    if (a->family == AF_INET)
        return a->bytes[0] == 127 || a->bytes[0] == 0 || (a->bytes[0] == 169 && a->bytes[1] == 254);
    return memcmp(a->bytes, v6_loopback, 16) == 0 ||
           (a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80);
}

/* Whether the jail has a route to server: on a subnet of one of its own
 * addresses, or through its default route to an address of the host or, with
 * NAT, beyond it. */
static bool reachable(const struct brig_jail_env *env, struct brig_nl *nl,
                      const struct brig_addr *server, const struct brig_addr *own, size_t nown)
{
    if (is_local_only(server))
        return false;
    for (size_t i = 0; i < nown; i++) {
        if (own[i].family == server->family && brig_addr_contains(&own[i], server))
            return true;
    }
    if (!brig_vnet_has_default_route(env, server->family))
        return false;
    if (env->node->nat_enable && brig_vnet_nat_covers(env->node, server->family))
        return true;
    struct host_has h = {.want = server};
    if (nl && brig_ifaddr_foreach(nl, host_has_cb, &h, NULL) < 0)
        return false;
    return h.found;
}

int brig_resolv_auto(const struct brig_jail_env *env, char **ret_text, char **ret_note,
                     struct brig_err *err)
{
    *ret_text = NULL;
    *ret_note = NULL;
    struct brig_addr *own = NULL;
    size_t nown = 0;
    if (brig_jail_bool(env->jail, BRIG_P_VNET)) {
        for (size_t i = 0; i < env->nnics; i++)
            addrs_of(env->nics[i].addrs, &own, &nown);
    } else {
        addrs_of(env->jail->v[BRIG_P_IP4_ADDR], &own, &nown);
    }
    /* a jail that configures its network itself (0, REALDHCP) writes its own */
    if (nown == 0)
        return 0;
    _cleanup_free_ char *host = NULL;
    size_t len = 0;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file(HOST_RESOLV_CONF, HOST_RESOLV_MAX, &host, &len, &e) < 0) {
        free(own);
        *ret_note = brig_xasprintf("no name server: the host's %s cannot be read (%s); set "
                                   "jnameserver=",
                                   HOST_RESOLV_CONF, e.msg);
        return 0;
    }
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (brig_nl_open(&nl, err) < 0) {
        free(own);
        return -1;
    }
    struct brig_buf out = {0}, skipped = {0};
    size_t nskipped = 0;
    for (char *line = host, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char word[16], addr[64];
        struct brig_addr a;
        if (sscanf(line, " %15s %63s", word, addr) != 2 || strcmp(word, "nameserver") != 0)
            continue;
        /* an IPv6 server's %zone means a link of the host's */
        if (strchr(addr, '%') || brig_addr_parse(addr, &a, NULL) < 0)
            continue;
        if (reachable(env, nl, &a, own, nown)) {
            brig_buf_addf(&out, "nameserver %s\n", addr);
        } else {
            brig_buf_addf(&skipped, "%s%s", nskipped ? ", " : "", addr);
            nskipped++;
        }
    }
    free(own);
    if (out.s) {
        *ret_text = brig_buf_steal(&out);
    } else {
        *ret_text = brig_xstrdup("# no name server of the host is reachable from this jail "
                                 "(jnameserver=auto)\n");
        *ret_note = nskipped
                        ? brig_xasprintf("no name server: the host's (%s) are out of the jail's "
                                         "reach; set jnameserver= (or nat_enable=1 in brig.conf)",
                                         skipped.s)
                        : brig_xstrdup("no name server: the host's /etc/resolv.conf names none; "
                                       "set jnameserver=");
    }
    brig_buf_free(&skipped);
    return 0;
}
