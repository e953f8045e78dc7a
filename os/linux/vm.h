/* VMs on Linux: QEMU started, stopped and recovered as a table of steps (vm.c). */
#ifndef BRIG_LINUX_VM_H
#define BRIG_LINUX_VM_H

#include <net/if.h>

#include "os/os.h"

/* The tap of NIC idx of VM vm_id: "bt<id>n<idx>". */
int brig_vm_tap_name(int64_t vm_id, int idx, char out[IFNAMSIZ], struct brig_err *err);
int brig_linux_vm_start(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                        struct brig_runtime *ret, struct brig_err *err);
int brig_linux_vm_stop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const struct brig_journal_hook *journal, struct brig_err *err);
int brig_linux_vm_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                          struct brig_err *err);
int brig_linux_vm_status(const char *vmdir, char *buf, size_t len, struct brig_err *err);
int brig_linux_vm_console(const char *vmdir, int in, int out, struct brig_err *err);

#endif
