/* jsnapshot's kernel work: a copy of a jail's own files with reflinks where
 * the file system has them (the thick-jail copier), and a running jail's
 * processes frozen while it is made. */
#define _GNU_SOURCE
#include "cgroup.h"
#include "linux.h"
#include "rootfs.h"

int brig_linux_tree_copy(const char *src, const char *dst, struct brig_err *err)
{
    return brig_rootfs_populate(src, dst, NULL, NULL, err);
}

int brig_linux_freeze(const struct brig_jail_env *env, bool frozen, struct brig_err *err)
{
    if (brig_cgroup_set_node(env->node->nodeid, err) < 0)
        return -1;
    return brig_cgroup_freeze(env->jail->v[BRIG_P_JNAME], frozen, err);
}
