/* The node a jail migrates to: ssh://[user@]host[:port][/workdir]. The URL is
 * outside input that ends up as ssh's arguments and as words of the remote
 * command, so the parser admits only what cannot be read as an option or a
 * shell word of its own (fuzzed by tests/fuzz/fuzz_node_url.c). */
#ifndef BRIG_NODEURL_H
#define BRIG_NODEURL_H

#include "err.h"

struct brig_node_url {
    char *user;    /* NULL: ssh's default */
    char *host;    /* a name, an IPv4 address, or an IPv6 address without brackets */
    unsigned port; /* 0: ssh's default */
    char *workdir; /* absolute; NULL: the remote brig's default */
};

/* Parse url into ret; BRIG_EUSAGE with a one-line reason when it is not one. */
int brig_node_url_parse(const char *url, struct brig_node_url *ret, struct brig_err *err);
void brig_node_url_clear(struct brig_node_url *u);

#endif
