/* A jail's users, from its own /etc/passwd and /etc/group, never the host's
 * NSS. The files belong to jail root: they are read by a process inside the
 * jail that holds no more than jail root's rights, and anything that is not
 * a small regular file (a FIFO, a device, a huge file) is refused at once. */
#ifndef BRIG_OS_LINUX_PASSWD_H
#define BRIG_OS_LINUX_PASSWD_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* The most /etc/passwd or /etc/group may weigh. */
#define BRIG_PASSWD_MAX (4u << 20)

struct brig_jail_user {
    uid_t uid;
    gid_t gid;
    char *name, *home, *shell;
};

void brig_jail_user_free(struct brig_jail_user *u);

/* The entry for name in the text of a passwd file (modified in place);
 * BRIG_EUSAGE when there is none. */
int brig_passwd_parse(char *data, const char *name, struct brig_jail_user *ret,
                      struct brig_err *err);
/* Fill gids with primary, then the groups of the text of a group file (modified
 * in place) that list name as a member; at most max; returns how many. */
size_t brig_group_parse(char *data, const char *name, gid_t primary, gid_t *gids, size_t max);

/* Read path, a regular file of at most max bytes, without following it into
 * a FIFO or a device. A missing file is success with *ret_data NULL. */
int brig_jail_file_read(const char *path, size_t max, char **ret_data, struct brig_err *err);

/* Look name up in the jail's /etc/passwd and its groups in /etc/group, in a
 * process whose root is the jail's. Without an /etc/passwd, root is uid 0
 * with home /root and shell /bin/sh. */
int brig_jail_user_lookup(const char *name, struct brig_jail_user *ret, gid_t *gids, size_t max,
                          size_t *ret_ngids, struct brig_err *err);

#endif
