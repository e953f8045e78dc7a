/* The Linux node facts for brig inventory. */
#include <stdio.h>

#include "os/linux/linux.h"
#include "os/linux/probe.h"
#include "util.h"

int brig_linux_inventory(struct brig_kvlist *facts, struct brig_err *err)
{
    struct brig_probe p;
    if (brig_probe_node(&p, err) < 0)
        return brig_err_wrap(err, "inventory");
    char num[32];
    brig_kvlist_add(facts, "platform", p.platform, 0);
    brig_kvlist_add(facts, "kernel", p.kernel, 0);
    brig_kvlist_add(facts, "machine", p.machine, 0);
    brig_kvlist_add(facts, "vimage_feature", p.vimage_feature ? "1" : "0", 0);
    brig_kvlist_add(facts, "cgroup", brig_cgroup_layout_name(p.cgroup.layout), 0);
    _cleanup_free_ char *ctrls = NULL;
    {
        struct brig_buf b = {0};
        brig_buf_add(&b, "");
        for (char **c = p.cgroup.controllers; c && *c; c++)
            brig_buf_addf(&b, "%s%s", b.len ? "," : "", *c);
        ctrls = brig_buf_steal(&b);
    }
    brig_kvlist_add(facts, "cgroup_controllers", ctrls, 0);
    brig_kvlist_add(facts, "overlayfs", p.overlayfs ? "1" : "0", 0);
    brig_kvlist_add(facts, "seccomp", p.seccomp ? "1" : "0", 0);
    brig_kvlist_add(facts, "userns", p.userns ? "1" : "0", 0);
    brig_kvlist_add(facts, "kvm", p.kvm ? "1" : "0", 0);
    brig_kvlist_add(facts, "qemu", p.qemu ? p.qemu : "", 0);
    snprintf(num, sizeof(num), "%u", p.ncpu);
    brig_kvlist_add(facts, "ncpu", num, 0);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)p.memtotal);
    brig_kvlist_add(facts, "physmem", num, 0);
    brig_probe_clear(&p);
    return 0;
}
