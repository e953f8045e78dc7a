#include "addr.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "params.h"
#include "util.h"

static int addr_parse(const char *s, unsigned def4, unsigned def6, struct brig_addr *ret,
                      struct brig_err *err)
{
    char buf[BRIG_ADDR_STRLEN];
    struct brig_addr a = {0};
    size_t n = strlen(s);

    if (n == 0 || n >= sizeof(buf))
        return brig_err_set(err, BRIG_EUSAGE, "bad address '%.80s'", s);
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash++ = '\0';
    a.family = strchr(buf, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(a.family, buf, a.bytes) != 1)
        return brig_err_set(err, BRIG_EUSAGE, "bad %s address '%.80s'",
                            a.family == AF_INET ? "IPv4" : "IPv6", s);
    unsigned max = a.family == AF_INET ? 32 : 128;
    a.prefix = a.family == AF_INET ? def4 : def6;
    if (slash) {
        char *end;
        unsigned long p;
        if (*slash < '0' || *slash > '9')
            return brig_err_set(err, BRIG_EUSAGE, "bad prefix length in '%.80s'", s);
        p = strtoul(slash, &end, 10);
        if (*end != '\0' || p > max)
            return brig_err_set(err, BRIG_EUSAGE, "bad prefix length in '%.80s' (0..%u)", s, max);
        a.prefix = (unsigned)p;
    }
    *ret = a;
    return 0;
}

int brig_addr_parse(const char *s, struct brig_addr *ret, struct brig_err *err)
{
    return addr_parse(s, 24, 64, ret, err);
}

int brig_addr_parse_host(const char *s, struct brig_addr *ret, struct brig_err *err)
{
    return addr_parse(s, 32, 128, ret, err);
}

unsigned brig_addr_len(const struct brig_addr *a)
{
    return a->family == AF_INET ? 4 : 16;
}

char *brig_addr_format(const struct brig_addr *a, bool with_prefix, char buf[BRIG_ADDR_STRLEN])
{
    char ip[INET6_ADDRSTRLEN];
    if (!inet_ntop(a->family, a->bytes, ip, sizeof(ip)))
        strcpy(ip, "?");
    if (with_prefix)
        snprintf(buf, BRIG_ADDR_STRLEN, "%s/%u", ip, a->prefix);
    else
        snprintf(buf, BRIG_ADDR_STRLEN, "%s", ip);
    return buf;
}

/* The mask byte at index i for a prefix of len bits. */
static uint8_t mask_byte(unsigned prefix, unsigned i)
{
    unsigned bit = i * 8;
    if (prefix >= bit + 8)
        return 0xff;
    if (prefix <= bit)
        return 0;
    return (uint8_t)(0xff << (8 - (prefix - bit)));
}

void brig_addr_network(const struct brig_addr *a, struct brig_addr *ret)
{
    struct brig_addr r = *a;
    for (unsigned i = 0; i < brig_addr_len(a); i++)
        r.bytes[i] &= mask_byte(a->prefix, i);
    *ret = r;
}

void brig_addr_broadcast(const struct brig_addr *a, struct brig_addr *ret)
{
    struct brig_addr r = *a;
    for (unsigned i = 0; i < brig_addr_len(a); i++)
        r.bytes[i] |= (uint8_t)~mask_byte(a->prefix, i);
    *ret = r;
}

/* Number of host bits, and the low 64 of them as an integer offset helper. */
static unsigned host_bits(const struct brig_addr *a)
{
    return brig_addr_len(a) * 8 - a->prefix;
}

/* Add n to the address bytes (big-endian), ignoring overflow past the top. */
static void add_u64(struct brig_addr *a, uint64_t n)
{
    unsigned carry = 0;
    for (int i = (int)brig_addr_len(a) - 1; i >= 0; i--) {
        unsigned v = a->bytes[i] + (unsigned)(n & 0xff) + carry;
        a->bytes[i] = (uint8_t)v;
        carry = v >> 8;
        n >>= 8;
        if (n == 0 && carry == 0)
            break;
    }
}

uint64_t brig_addr_host_count(const struct brig_addr *a)
{
    unsigned hb = host_bits(a);
    if (a->family == AF_INET) {
        if (hb <= 1)
            return (uint64_t)1 << hb;
        return ((uint64_t)1 << hb) - 2;
    }
    if (hb >= 64)
        return UINT64_MAX;
    if (hb <= 1)
        return (uint64_t)1 << hb;
    return ((uint64_t)1 << hb) - 1; /* the subnet-router anycast address is not a host */
}

int brig_addr_nth_host(const struct brig_addr *a, uint64_t n, struct brig_addr *ret,
                       struct brig_err *err)
{
    char buf[BRIG_ADDR_STRLEN];
    uint64_t count = brig_addr_host_count(a);
    if (n == 0 || n > count)
        return brig_err_set(err, BRIG_EUSAGE, "host %llu is outside %s (%llu hosts)",
                            (unsigned long long)n, brig_addr_format(a, true, buf),
                            (unsigned long long)count);
    struct brig_addr r;
    brig_addr_network(a, &r);
    add_u64(&r, host_bits(a) <= 1 ? n - 1 : n);
    *ret = r;
    return 0;
}

void brig_addr_first_host(const struct brig_addr *a, struct brig_addr *ret)
{
    if (brig_addr_nth_host(a, 1, ret, NULL) < 0)
        *ret = *a;
}

bool brig_addr_contains(const struct brig_addr *net, const struct brig_addr *h)
{
    if (net->family != h->family)
        return false;
    for (unsigned i = 0; i < brig_addr_len(net); i++) {
        uint8_t m = mask_byte(net->prefix, i);
        if ((net->bytes[i] & m) != (h->bytes[i] & m))
            return false;
    }
    return true;
}

uint64_t brig_addr_host_index(const struct brig_addr *net, const struct brig_addr *h)
{
    if (!brig_addr_contains(net, h))
        return 0;
    unsigned hb = host_bits(net);
    unsigned len = brig_addr_len(net);
    uint64_t off = 0;
    /* The low 8 bytes carry every offset that fits in 64 bits. */
    for (unsigned i = len > 8 ? len - 8 : 0; i < len; i++)
        off = (off << 8) | (uint8_t)(h->bytes[i] & ~mask_byte(net->prefix, i));
    if (hb > 64) {
        for (unsigned i = 0; i + 8 < len; i++) {
            if (h->bytes[i] & ~mask_byte(net->prefix, i))
                return 0;
        }
    }
    uint64_t n = hb <= 1 ? off + 1 : off;
    if (n == 0 || n > brig_addr_host_count(net))
        return 0;
    return n;
}

int brig_addr_cmp(const struct brig_addr *a, const struct brig_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int r = memcmp(a->bytes, b->bytes, brig_addr_len(a));
    if (r != 0)
        return r < 0 ? -1 : 1;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    return 0;
}

bool brig_addr_same_ip(const struct brig_addr *a, const struct brig_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, brig_addr_len(a)) == 0;
}

/* Ranges no jail address may fall in; link_local ones only as host aliases. */
static const struct {
    const char *net;
    const char *what;
    bool link_local;
} special_ranges[] = {
    {"0.0.0.0/8", "unspecified", false},
    {"127.0.0.0/8", "a loopback address", false},
    {"224.0.0.0/4", "a multicast address", false},
    {"255.255.255.255/32", "the broadcast address", false},
    {"169.254.0.0/16", "link-local (a host alias needs a routable address)", true},
    {"::/128", "unspecified", false},
    {"::1/128", "the loopback address", false},
    {"ff00::/8", "a multicast address", false},
    {"fe80::/10", "link-local (a host alias needs a routable address)", true},
};

int brig_addr_check_usable(const char *s, bool host_alias, struct brig_err *err)
{
    struct brig_addr a, net, bc;
    char buf[BRIG_ADDR_STRLEN];
    if (brig_addr_parse_host(s, &a, err) < 0)
        return -1;
    brig_addr_format(&a, false, buf);
    for (size_t i = 0; i < sizeof(special_ranges) / sizeof(special_ranges[0]); i++) {
        struct brig_addr r;
        if (brig_addr_parse(special_ranges[i].net, &r, NULL) < 0)
            abort();
        if ((host_alias || !special_ranges[i].link_local) && brig_addr_contains(&r, &a))
            return brig_err_set(err, BRIG_EUSAGE, "%s is %s", buf, special_ranges[i].what);
    }
    /* with a prefix given, its network and broadcast addresses are no host's */
    if (!strchr(s, '/') || a.family != AF_INET || a.prefix >= 31)
        return 0;
    brig_addr_network(&a, &net);
    brig_addr_broadcast(&a, &bc);
    if (brig_addr_same_ip(&a, &net))
        return brig_err_set(err, BRIG_EUSAGE, "%s is the network address of /%u", buf, a.prefix);
    if (brig_addr_same_ip(&a, &bc))
        return brig_err_set(err, BRIG_EUSAGE, "%s is the broadcast address of /%u", buf, a.prefix);
    return 0;
}

int brig_addr_list_parse(const char *list, enum brig_addr_kind kind, struct brig_addr_item **ret,
                         size_t *ret_n, struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    if (!list || strcmp(list, "0") == 0)
        return 0;
    if (brig_strcaseeq(list, "DHCP") || brig_strcaseeq(list, "REALDHCP"))
        return brig_err_set(err, BRIG_EUSAGE, "'%s' is not an address list", list);
    for (const unsigned char *c = (const unsigned char *)list; *c; c++) {
        if (*c < 0x20 || *c == 0x7f || *c == ' ') /* never echoed into a message */
            return brig_err_set(err, BRIG_EUSAGE,
                                "address list holds a blank or control "
                                "character");
    }
    unsigned def4 = kind == BRIG_ADDR_ALIAS ? 32 : 24, def6 = kind == BRIG_ADDR_ALIAS ? 128 : 64;
    struct brig_addr_item *v = NULL;
    size_t n = 0;
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        _cleanup_free_ char *t = brig_xstrndup(p, len);
        if (len == 0) {
            brig_err_set(err, BRIG_EUSAGE, "empty element in address list '%.80s'", list);
            goto fail;
        }
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        struct brig_addr_item *it = &v[n];
        memset(it, 0, sizeof(*it));
        char *a = t, *bar = strchr(t, '|');
        if (bar) {
            *bar = '\0';
            if (brig_check_ifname(t, err) < 0)
                goto fail;
            snprintf(it->iface, sizeof(it->iface), "%s", t);
            a = bar + 1;
        }
        if (addr_parse(a, def4, def6, &it->addr, err) < 0)
            goto fail;
        it->has_prefix = strchr(a, '/') != NULL;
        for (size_t i = 0; i < n; i++) {
            char buf[BRIG_ADDR_STRLEN];
            if (brig_addr_same_ip(&v[i].addr, &it->addr)) {
                brig_err_set(err, BRIG_EUSAGE, "address %s is listed twice",
                             brig_addr_format(&it->addr, false, buf));
                goto fail;
            }
        }
        n++;
        p += len;
        if (!*p)
            break;
    }
    *ret = v;
    *ret_n = n;
    return 0;
fail:
    free(v);
    return -1;
}
