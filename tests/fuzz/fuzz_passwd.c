/* libFuzzer target for a jail's /etc/passwd and /etc/group, which jail root
 * writes: the first line of the input is the user's name, the rest the
 * file's text. A lookup finds the user or refuses with a message; the group
 * list starts with the primary group and stays within its bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "os/linux/passwd.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = brig_xstrndup((const char *)data, size);
    char *nl = strchr(text, '\n');
    const char *name = text, *body = nl ? nl + 1 : "";
    if (nl)
        *nl = '\0';
    char *pw = brig_xstrdup(body), *gr = brig_xstrdup(body);
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail_user u = {0};
    if (brig_passwd_parse(pw, name, &u, &err) == 0) {
        if (!u.name || !u.home || !u.shell || strcmp(u.name, name) != 0 || !*u.home || !*u.shell)
            abort();
        brig_jail_user_free(&u);
    } else if (!err.msg[0] || (err.code != BRIG_EUSAGE && err.code != BRIG_EFAIL)) {
        abort();
    }
    gid_t gids[4];
    size_t n = brig_group_parse(gr, name, 7, gids, 4);
    if (n < 1 || n > 4 || gids[0] != 7)
        abort();
    free(pw);
    free(gr);
    free(text);
    return 0;
}
