/* The config.json `spec` writes: a shell in ./rootfs with the mounts,
 * namespaces and restrictions a container usually has. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <unistd.h>

#include "core/util.h"
#include "oci/spec.h"

static json_object *strs(const char *const *v)
{
    json_object *a = json_object_new_array();
    for (; *v; v++)
        json_object_array_add(a, json_object_new_string(*v));
    return a;
}

static json_object *mount_obj(const char *dst, const char *type, const char *src,
                              const char *const *opts)
{
    json_object *m = json_object_new_object();
    json_object_object_add(m, "destination", json_object_new_string(dst));
    json_object_object_add(m, "type", json_object_new_string(type));
    json_object_object_add(m, "source", json_object_new_string(src));
    if (opts)
        json_object_object_add(m, "options", strs(opts));
    return m;
}

static json_object *idmap(unsigned host)
{
    json_object *a = json_object_new_array(), *m = json_object_new_object();
    json_object_object_add(m, "containerID", json_object_new_int(0));
    json_object_object_add(m, "hostID", json_object_new_int64(host));
    json_object_object_add(m, "size", json_object_new_int(1));
    json_object_array_add(a, m);
    return a;
}

char *brig_oci_spec_default(bool rootless)
{
    static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
    static const char *const env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
    static const char *const args[] = {"sh", NULL};
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
    json_object *p = json_object_new_object();
    json_object_object_add(p, "terminal", json_object_new_boolean(1));
    json_object *u = json_object_new_object();
    json_object_object_add(u, "uid", json_object_new_int(0));
    json_object_object_add(u, "gid", json_object_new_int(0));
    json_object_object_add(p, "user", u);
    json_object_object_add(p, "args", strs(args));
    json_object_object_add(p, "env", strs(env));
    json_object_object_add(p, "cwd", json_object_new_string("/"));
    json_object *c = json_object_new_object();
    static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
    for (size_t i = 0; i < 4; i++)
        json_object_object_add(c, sets[i], strs(caps));
    json_object_object_add(p, "capabilities", c);
    json_object *rl = json_object_new_array(), *r = json_object_new_object();
    json_object_object_add(r, "type", json_object_new_string("RLIMIT_NOFILE"));
    json_object_object_add(r, "hard", json_object_new_int(1024));
    json_object_object_add(r, "soft", json_object_new_int(1024));
    json_object_array_add(rl, r);
    json_object_object_add(p, "rlimits", rl);
    json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(1));
    json_object_object_add(o, "process", p);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "path", json_object_new_string("rootfs"));
    json_object_object_add(root, "readonly", json_object_new_boolean(1));
    json_object_object_add(o, "root", root);
    json_object_object_add(o, "hostname", json_object_new_string("brig"));
    static const char *const o_dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
    static const char *const o_pts[] = {"nosuid",        "noexec",    "newinstance",
                                        "ptmxmode=0666", "mode=0620", NULL};
    static const char *const o_pts_root[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                             "mode=0620", "gid=5",  NULL};
    static const char *const o_shm[] = {"nosuid",    "noexec",      "nodev",
                                        "mode=1777", "size=65536k", NULL};
    static const char *const o_mq[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const o_sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const o_sys_rootless[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const o_cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
    json_object *m = json_object_new_array();
    json_object_array_add(m, mount_obj("/proc", "proc", "proc", NULL));
    json_object_array_add(m, mount_obj("/dev", "tmpfs", "tmpfs", o_dev));
    json_object_array_add(m,
                          mount_obj("/dev/pts", "devpts", "devpts", rootless ? o_pts : o_pts_root));
    json_object_array_add(m, mount_obj("/dev/shm", "tmpfs", "shm", o_shm));
    json_object_array_add(m, mount_obj("/dev/mqueue", "mqueue", "mqueue", o_mq));
    if (rootless)
        json_object_array_add(m, mount_obj("/sys", "none", "/sys", o_sys_rootless));
    else
        json_object_array_add(m, mount_obj("/sys", "sysfs", "sysfs", o_sys));
    json_object_array_add(m, mount_obj("/sys/fs/cgroup", "cgroup", "cgroup", o_cg));
    json_object_object_add(o, "mounts", m);
    json_object *lx = json_object_new_object();
    if (rootless) {
        json_object_object_add(lx, "uidMappings", idmap(getuid()));
        json_object_object_add(lx, "gidMappings", idmap(getgid()));
    }
    json_object *ns = json_object_new_array();
    static const char *const nss[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};
    for (const char *const *n = nss; *n; n++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "type", json_object_new_string(*n));
        json_object_array_add(ns, e);
    }
    if (rootless) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "type", json_object_new_string("user"));
        json_object_array_add(ns, e);
    }
    json_object_object_add(lx, "namespaces", ns);
    static const char *const masked[] = {"/proc/acpi",
                                         "/proc/asound",
                                         "/proc/kcore",
                                         "/proc/keys",
                                         "/proc/latency_stats",
                                         "/proc/timer_list",
                                         "/proc/timer_stats",
                                         "/proc/sched_debug",
                                         "/sys/firmware",
                                         "/proc/scsi",
                                         NULL};
    static const char *const ro[] = {"/proc/bus",           "/proc/fs", "/proc/irq", "/proc/sys",
                                     "/proc/sysrq-trigger", NULL};
    json_object_object_add(lx, "maskedPaths", strs(masked));
    json_object_object_add(lx, "readonlyPaths", strs(ro));
    json_object_object_add(o, "linux", lx);
    char *text = brig_xstrdup(json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}
