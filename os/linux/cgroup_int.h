/* What cgroup.c shares with cgroup_limits.c: the detected hierarchies and
 * small file helpers. Not for other modules. */
#ifndef BRIG_OS_LINUX_CGROUP_INT_H
#define BRIG_OS_LINUX_CGROUP_INT_H

#include <stdbool.h>

#include "core/err.h"

#define BRIG_CG_PARENT   "brig"
#define BRIG_CG_FILE_MAX (1024 * 1024)

/* One mounted hierarchy: a v1 one (with its controllers) or the v2 one. */
struct brig_cg_hier {
    char *root;
    bool v2;
    bool has_root_slash; /* mountinfo root is "/", not a bind of a sub-cgroup */
    unsigned major, minor;
    char **ctrls;
};

/* Read the layout once per process (or keep what brig_cgroup_set_v2_root set). */
int brig_cg_detect(struct brig_err *err);
/* A jail name usable as one cgroup path component, else BRIG_EUSAGE. */
int brig_cg_check_jname(const char *jname, struct brig_err *err);
/* The hierarchy that owns a controller (v1 preferred, as the kernel binds it), or NULL. */
struct brig_cg_hier *brig_cg_hier_of(const char *ctrl);
/* <root>/brig/<node> (or <root>/brig without a node id) in hierarchy h. */
char *brig_cg_parent_path(const struct brig_cg_hier *h);
/* <root>/brig/<node>/<jname> in hierarchy h. */
char *brig_cg_leaf_path(const struct brig_cg_hier *h, const char *jname);
/* Read a cgroup file without its trailing newline. */
int brig_cg_read_trimmed(const char *path, char **ret, struct brig_err *err);
/* Write val to a cgroup file in one write; errno is kept for the caller. */
int brig_cg_write(const char *path, const char *val, struct brig_err *err);

#endif
