/* The files of a cloned jail: its own layer (thin) or its whole tree (thick)
 * copied, with reflinks where the file system has them, then moved into the
 * new jail's id range. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "core/util.h"
#include "core/idmap.h"
#include "idshift.h"
#include "linux.h"
#include "rootfs.h"

int brig_linux_clone_data(const struct brig_jail_env *from, const struct brig_jail *to,
                          struct brig_err *err)
{
    const struct brig_jail *j = from->jail;
    bool thin = !brig_jail_bool(j, BRIG_P_BASERW);
    if ((j->idmap == 0) != (to->idmap == 0))
        return brig_err_set(err, BRIG_EFAIL, "the clone's userns differs from %s's",
                            j->v[BRIG_P_JNAME]);
    _cleanup_free_ char *src =
        thin ? brig_xasprintf("%s/upper", j->v[BRIG_P_DATA]) : brig_xstrdup(j->v[BRIG_P_DATA]);
    _cleanup_free_ char *dst =
        thin ? brig_xasprintf("%s/upper", to->v[BRIG_P_DATA]) : brig_xstrdup(to->v[BRIG_P_DATA]);
    /* a thin jail never started has no layer yet */
    if (thin && !brig_path_exists(src))
        return 0;
    /* copied and shifted beside its place, then renamed there whole */
    _cleanup_free_ char *tmp = brig_xasprintf("%s.clone", to->v[BRIG_P_DATA]);
    if (brig_rm_rf(tmp, err) < 0 || brig_rootfs_populate(src, tmp, NULL, NULL, err) < 0)
        return -1;
    _cleanup_close_ int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        brig_err_sys(err, errno, "open %s", tmp);
        goto fail;
    }
    if (j->idmap && brig_tree_shift(fd, j->idmap, to->idmap, BRIG_IDMAP_COUNT, err) < 0) {
        brig_err_wrap(err, "shift %s's files into the range at %u", to->v[BRIG_P_JNAME], to->idmap);
        goto fail;
    }
    if (rename(tmp, dst) < 0) {
        brig_err_sys(err, errno, "rename %s to %s", tmp, dst);
        goto fail;
    }
    return 0;
fail:
    brig_rm_rf(tmp, NULL);
    return -1;
}
