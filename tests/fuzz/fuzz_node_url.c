/* libFuzzer target for jmigrate's node URL: what parses has a host that ssh
 * cannot take for an option, and a user and workdir made only of characters
 * no shell reads as anything but themselves. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nodeurl.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_plain(const char *s, const char *set)
{
    if (s && strspn(s, set) != strlen(s))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = brig_xstrndup((const char *)data, size);
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_node_url u;
    if (brig_node_url_parse(url, &u, &err) == 0) {
        if (!u.host || !*u.host || u.host[0] == '-' || (u.user && u.user[0] == '-'))
            abort();
        check_plain(u.host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:");
        check_plain(u.user, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
        check_plain(u.workdir,
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,");
        if (u.workdir &&
            (u.workdir[0] != '/' || strstr(u.workdir, "/../") || strstr(u.workdir, "//")))
            abort();
        if (u.port > 65535)
            abort();
        brig_node_url_clear(&u);
    } else if (u.host || u.user || u.workdir) {
        abort();
    }
    free(url);
    return 0;
}
