/* Helpers shared by the FreeBSD backend's files; not used outside os/freebsd. */
#ifndef BRIG_FREEBSD_INTERNAL_H
#define BRIG_FREEBSD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* One element of an address list: "iface|addr/prefix" split up. */
struct brig_fbsd_addr {
    char *iface; /* NULL when the element named none */
    char *addr;  /* with its prefix; /24 or /64 added when missing */
    bool v6;
};

/* Split and check a comma list of addresses; "0" gives an empty list.
 * Duplicate addresses are BRIG_EUSAGE. */
int brig_fbsd_addrs_parse(const char *list, struct brig_fbsd_addr **ret, size_t *ret_n,
                          struct brig_err *err);
/* Free a list from brig_fbsd_addrs_parse. */
void brig_fbsd_addrs_free(struct brig_fbsd_addr *a, size_t n);

#endif
