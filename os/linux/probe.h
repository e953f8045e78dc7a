/* Facts about this node for `brig inventory` and nc.inventory, gathered
 * cheaply from /proc, /sys and a few system calls; nothing is run. */
#ifndef BRIG_OS_LINUX_PROBE_H
#define BRIG_OS_LINUX_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "os/linux/cgroup.h"

struct brig_probe {
    char platform[65];   /* "Linux" */
    char kernel[65];     /* uname release */
    char machine[65];    /* uname machine, e.g. "x86_64" */
    bool vimage_feature; /* network namespaces */
    struct brig_cgroup_facts cgroup;
    bool overlayfs;    /* /proc/filesystems lists overlay */
    bool seccomp;      /* seccomp filters available */
    bool userns;       /* user namespaces allowed (max_user_namespaces > 0) */
    bool kvm;          /* /dev/kvm exists */
    char *qemu;        /* path of qemu-system-<arch> found in PATH, or NULL */
    unsigned ncpu;     /* online CPUs */
    uint64_t memtotal; /* bytes of RAM */
};

/* Fill *ret with this node's facts. */
int brig_probe_node(struct brig_probe *ret, struct brig_err *err);
/* Free what brig_probe_node allocated in *p. */
void brig_probe_clear(struct brig_probe *p);
/* Find an executable named name in PATH (or the default path); NULL if none. */
char *brig_probe_find_in_path(const char *name);

#endif
