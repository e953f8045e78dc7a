#include "os.h"

#include <stddef.h>

#include "os/linux/linux.h"
#include "os/linux/proc.h"

static bool linux_alive(int64_t pid, int64_t starttime)
{
    return brig_proc_alive((pid_t)pid, starttime);
}

static bool freebsd_alive(int64_t pid, int64_t starttime)
{
    return false;
}

static int freebsd_inventory(struct brig_kvlist *facts, struct brig_err *err)
{
    return 0;
}

static const struct brig_os_ops linux_ops = {
    .name = "linux",
    .inventory = brig_linux_inventory,
    .alive = linux_alive,
    .prepare = brig_linux_prepare,
    .jstart = brig_linux_jstart,
    .jstop = brig_linux_jstop,
    .recover = brig_linux_recover,
    .jexec = brig_linux_jexec,
};

static int freebsd_jstart(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                          struct brig_runtime *ret, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "FreeBSD plans are not wired yet");
}

static int freebsd_jstop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                         const struct brig_journal_hook *journal, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "FreeBSD plans are not wired yet");
}

static int freebsd_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                           struct brig_err *err)
{
    return 0;
}

static int freebsd_jexec(const struct brig_jail_env *env, const struct brig_runtime *rt,
                         const char *user, char *const *argv, bool login, int *ret_status,
                         struct brig_err *err)
{
    return brig_err_set(err, BRIG_EFAIL, "jexec needs a FreeBSD host");
}

static int freebsd_prepare(const struct brig_jail_env *env, struct brig_err *err)
{
    return 0;
}

static const struct brig_os_ops freebsd_ops = {
    .name = "freebsd",
    .inventory = freebsd_inventory,
    .alive = freebsd_alive,
    .prepare = freebsd_prepare,
    .jstart = freebsd_jstart,
    .jstop = freebsd_jstop,
    .recover = freebsd_recover,
    .jexec = freebsd_jexec,
};

const struct brig_os_ops *brig_os_get(enum brig_kernel k)
{
    return k == BRIG_K_FREEBSD ? &freebsd_ops : &linux_ops;
}

enum brig_kernel brig_os_native(void)
{
#ifdef __FreeBSD__
    return BRIG_K_FREEBSD;
#else
    return BRIG_K_LINUX;
#endif
}
