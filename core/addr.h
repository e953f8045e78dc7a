/* IPv4/IPv6 addresses with a prefix length: parsing ("10.0.0.5/24", "fd00::5"),
 * formatting, and the CIDR arithmetic that address pools need. Pure functions. */
#ifndef BRIG_ADDR_H
#define BRIG_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Long enough for any address with "/128" and the NUL. */
#define BRIG_ADDR_STRLEN 52

struct brig_addr {
    int family;        /* AF_INET or AF_INET6 */
    uint8_t bytes[16]; /* network byte order; IPv4 uses the first 4 */
    unsigned prefix;   /* 0..32 or 0..128 */
};

/* Parse "addr" or "addr/prefix"; without a prefix IPv4 gets /24 and IPv6 /64. */
int brig_addr_parse(const char *s, struct brig_addr *ret, struct brig_err *err);
/* Parse like brig_addr_parse, but an address without a prefix gets /32 or /128. */
int brig_addr_parse_host(const char *s, struct brig_addr *ret, struct brig_err *err);
/* Format as "addr/prefix" (with_prefix) or "addr" into buf; returns buf. */
char *brig_addr_format(const struct brig_addr *a, bool with_prefix, char buf[BRIG_ADDR_STRLEN]);
/* Number of address bytes for the family: 4 or 16. */
unsigned brig_addr_len(const struct brig_addr *a);
/* The network address of a's prefix (host bits cleared), same prefix. */
void brig_addr_network(const struct brig_addr *a, struct brig_addr *ret);
/* The last address of a's prefix (host bits set); IPv4 broadcast. */
void brig_addr_broadcast(const struct brig_addr *a, struct brig_addr *ret);
/* Host n (1-based) of a's network: n=1 is the first host; fails past the last host. */
int brig_addr_nth_host(const struct brig_addr *a, uint64_t n, struct brig_addr *ret,
                       struct brig_err *err);
/* The first host of a's network (network + 1, or the address itself for /31, /32, /127, /128). */
void brig_addr_first_host(const struct brig_addr *a, struct brig_addr *ret);
/* Number of usable hosts in a's network (IPv4 excludes network and broadcast); saturates. */
uint64_t brig_addr_host_count(const struct brig_addr *a);
/* Index n of host h inside net (the inverse of brig_addr_nth_host); 0 when h is outside. */
uint64_t brig_addr_host_index(const struct brig_addr *net, const struct brig_addr *h);
/* True when net's prefix contains the address h (prefix of h ignored). */
bool brig_addr_contains(const struct brig_addr *net, const struct brig_addr *h);
/* Total order: family, then address bytes, then prefix. */
int brig_addr_cmp(const struct brig_addr *a, const struct brig_addr *b);
/* True when a and b are the same address (prefixes ignored). */
bool brig_addr_same_ip(const struct brig_addr *a, const struct brig_addr *b);
/* One element of an address list ("[iface|]addr[/prefix]"). */
struct brig_addr_item {
    char iface[16];        /* "" when the element named no interface */
    struct brig_addr addr; /* the prefix given, or the list's default */
    bool has_prefix;       /* the element gave its prefix */
};

/* The default prefix of an address given without one: a jail's own address
 * on its VNET interface (/24, /64) or an alias on a host interface (/32,
 * /128, as jail(8) adds ip4.addr and ip6.addr). */
enum brig_addr_kind { BRIG_ADDR_VNET, BRIG_ADDR_ALIAS };

/* Parse a comma list of "[iface|]addr[/prefix]", the one parser of ip4_addr
 * lists; "0" (or NULL) is the empty list. Empty elements, bad interface
 * names, bad addresses, the same address twice and the words DHCP and
 * REALDHCP are BRIG_EUSAGE. Free *ret with free(). */
int brig_addr_list_parse(const char *list, enum brig_addr_kind kind, struct brig_addr_item **ret,
                         size_t *ret_n, struct brig_err *err);

/* Refuse an address no jail may take ("addr[/prefix]"): unspecified, loopback,
 * multicast, broadcast, and with a prefix below /31 its network or broadcast
 * address; host_alias (a non-VNET jail's alias on a host interface) also
 * link-local. BRIG_EUSAGE naming what it is. */
int brig_addr_check_usable(const char *s, bool host_alias, struct brig_err *err);

#endif
