/* The NoCloud seed of a cloud image: an ISO9660 volume labelled "cidata" with
 * meta-data, user-data and network-config, written with libarchive. */
#ifndef BRIG_CIDATA_H
#define BRIG_CIDATA_H

#include "err.h"

struct brig_cidata {
    const char *instance_id; /* required: [A-Za-z0-9._-] */
    const char *hostname;    /* required: an RFC 1123 host name */
    const char *user;        /* NULL: no user is added */
    const char *pubkey;      /* one OpenSSH public key line, or NULL */
    const char *ip4_addr;    /* "A.B.C.D/NN", "DHCP" or NULL (DHCP) */
    const char *gw4;         /* "A.B.C.D" or NULL */
    const char *nameserver;  /* comma list of addresses, or NULL */
    const char *mac;         /* the NIC's "xx:xx:xx:xx:xx:xx"; NULL: no network-config */
};

/* Check ci's values and render the three seed files (malloc'ed; *ret_network
 * is NULL when ci has no MAC). A value that could change the YAML's shape is
 * refused with BRIG_EUSAGE. */
int brig_cidata_render(const struct brig_cidata *ci, char **ret_meta, char **ret_user,
                       char **ret_network, struct brig_err *err);
/* Write the seed ISO to path (through a temporary file renamed over it). */
int brig_cidata_write(const char *path, const struct brig_cidata *ci, struct brig_err *err);

#endif
