/* CBSD compatibility tables: CBSD's jconf keys and verbs, and what brig does
 * with each. */
#define _GNU_SOURCE
#include "cbsd.h"

#include <stdbool.h>
#include <string.h>

#include "params.h"
#include "util.h"

#define TAKEN(n)                                                                                   \
    {                                                                                              \
        .name = n, .how = BRIG_CBSD_TAKEN                                                          \
    }
#define LAYOUT(n, w)                                                                               \
    {                                                                                              \
        .name = n, .how = BRIG_CBSD_LAYOUT, .why = w                                               \
    }
#define MAPPED(n, t, w)                                                                            \
    {                                                                                              \
        .name = n, .how = BRIG_CBSD_MAPPED, .to = t, .why = w                                      \
    }
#define IGNORED(n, w)                                                                              \
    {                                                                                              \
        .name = n, .how = BRIG_CBSD_IGNORED, .why = w                                              \
    }

/* Every key a CBSD jail's jconf holds (relative_path, the keys of CBSD's
 * jail-arg list, jname, and those jconstruct adds), then a few more from its
 * jails table that hand-written files carry. */
const struct brig_cbsd_key brig_cbsd_keys[] = {
    IGNORED("relative_path", "marks paths relative to CBSD's workdir; brig keeps jails in its own"),
    TAKEN("jname"),
    LAYOUT("path", "the root's mount point in CBSD's workdir; brig's is under its workdir"),
    TAKEN("host_hostname"),
    TAKEN("ip4_addr"),
    TAKEN("mount_devfs"),
    TAKEN("allow_mount"),
    IGNORED("allow_devfs", "lets the jail mount devfs; brig mounts the jail's /dev itself"),
    IGNORED("allow_nullfs", "lets the jail mount nullfs; brig offers no nullfs to jails"),
    IGNORED("mount_fstab", "CBSD's fstab file for extra mounts; read it into brig with jfstab "
                           "action=import file="),
    TAKEN("mkhostsfile"),
    TAKEN("devfs_ruleset"),
    TAKEN("baserw"),
    IGNORED("basename", "CBSD's name for an alternative base; brig's base= names the base"),
    IGNORED("mount_src", "mounts the host's /usr/src; brig's bases carry no source tree"),
    IGNORED("mount_obj", "mounts the host's /usr/obj; brig's bases carry no build tree"),
    IGNORED("mount_ports", "mounts the host's /usr/ports; brig's bases carry no ports tree"),
    IGNORED("mount_kernel", "mounts a FreeBSD kernel directory into the jail; jails share the "
                            "host's kernel"),
    TAKEN("astart"),
    LAYOUT("data", "the jail's data directory in CBSD's workdir; brig's is under its workdir"),
    TAKEN("vnet"),
    IGNORED("applytpl", "CBSD rewrites the jail's rc.conf and hosts at start; brig sets the host "
                        "name, and mkhostsfile the hosts file"),
    IGNORED("rcconf", "CBSD's own copy of the jail's settings; brig keeps them in its database"),
    IGNORED("floatresolv", "CBSD's resolv.conf rewriting; brig's is jnameserver"),
    TAKEN("exec_start"),
    TAKEN("exec_stop"),
    TAKEN("exec_poststart"),
    TAKEN("exec_poststop"),
    TAKEN("exec_prestart"),
    TAKEN("exec_prestop"),
    MAPPED("exec_master_poststart", "exec_poststart", "both run on the host"),
    MAPPED("exec_master_poststop", "exec_poststop", "both run on the host"),
    MAPPED("exec_master_prestart", "exec_prestart", "both run on the host"),
    MAPPED("exec_master_prestop", "exec_prestop", "both run on the host"),
    TAKEN("interface"),
    IGNORED("slavenode", "a CBSD cluster node holding a replica; brig manages one node"),
    IGNORED("ver", "the FreeBSD release of the base; brig's base= names the base"),
    IGNORED("arch", "the base's architecture; brig's jails run the host's"),
    IGNORED("masterhost", "the CBSD cluster node that owns the jail; brig manages one node"),
    TAKEN("exec_timeout"),
    IGNORED("exec_fib", "the FreeBSD routing table exec_* run with; a VNET jail has its own "
                        "routes"),
    TAKEN("stop_timeout"),
    TAKEN("mount_fdescfs"),
    IGNORED("allow_dying", "lets a dying jail be reused; brig always starts a fresh one"),
    IGNORED("allow_procfs",
            "lets the jail mount procfs; brig mounts /proc itself, see mount_procfs"),
    IGNORED("allow_tmpfs", "lets the jail mount tmpfs; allow_mount=1 is brig's switch"),
    IGNORED("allow_zfs", "delegates ZFS datasets; brig uses no ZFS"),
    TAKEN("cpuset"),
    TAKEN("emulator"),
    IGNORED("emulator_flags", "extra flags for CBSD's emulators; brig has none"),
    IGNORED("allow_kmem", "gives the jail /dev/kmem and /dev/io; brig never does"),
    IGNORED("mdsize", "size of a memory-disk image for the jail; brig uses directories"),
    IGNORED("exec_consolelog",
            "CBSD's console log file; brig writes jails-system/JNAME/console.log"),
    IGNORED("jdomain", "a CBSD cluster domain; brig manages one node"),
    TAKEN("b_order"),
    IGNORED("allow_fdescfs",
            "lets the jail mount fdescfs; brig mounts it itself, see mount_fdescfs"),
    IGNORED("pkg_bootstrap", "bootstraps FreeBSD's pkg at jcreate; brig installs no packages"),
    IGNORED("pkglist", "packages CBSD installs at jcreate; brig installs no packages"),
    TAKEN("ci_gw4"),
    TAKEN("nic_hwaddr"),
    IGNORED("zfs_snapsrc", "a ZFS snapshot to clone the jail from; brig uses no ZFS"),
    IGNORED("zfs_encryption", "ZFS native encryption of the jail's dataset; brig uses no ZFS"),
    TAKEN("allow_raw_sockets"),
    IGNORED("runasap", "starts the jail right after jcreate; run brig jstart"),
    /* columns of CBSD's jails table that hand-written jconf files carry */
    IGNORED("allow_fusefs", "lets the jail mount FUSE file systems; brig offers none"),
    IGNORED("allow_read_msgbuf", "lets the jail read the kernel message buffer; brig never does"),
    IGNORED("allow_reserved_ports", "lets jail users bind ports below 1024; jail root may already"),
    IGNORED("allow_unprivileged_proc_debug", "FreeBSD's debugging switch; jail users may debug "
                                             "their own processes"),
    IGNORED("allow_vmm", "gives the jail bhyve's vmm; brig never does"),
    IGNORED("protected", "CBSD's guard against jremove; brig has none"),
    IGNORED("user_pw_root", "the root password CBSD sets at jcreate; brig sets none"),
};
const size_t brig_cbsd_keys_count = BRIG_ARRAY_SIZE(brig_cbsd_keys);

const struct brig_cbsd_key *brig_cbsd_key_find(const char *name)
{
    for (size_t i = 0; i < brig_cbsd_keys_count; i++) {
        if (strcmp(brig_cbsd_keys[i].name, name) == 0)
            return &brig_cbsd_keys[i];
    }
    return NULL;
}

int brig_cbsd_key_refuse(const char *prefix, const char *key, struct brig_err *err)
{
    const struct brig_cbsd_key *k = brig_cbsd_key_find(key);
    if (k && k->how == BRIG_CBSD_MAPPED)
        return brig_err_set(err, BRIG_EUSAGE,
                            "%sunknown parameter '%s' (a CBSD key: brig's is %s, %s)", prefix, key,
                            k->to, k->why);
    if (k && k->how == BRIG_CBSD_IGNORED)
        return brig_err_set(err, BRIG_EUSAGE, "%sunknown parameter '%s' (a CBSD key: %s)", prefix,
                            key, k->why);
    return 0;
}

/* A jail command parameter (exec_start, exec_prestop, ...), where CBSD's "0" is none. */
static bool is_command(const char *key)
{
    enum brig_param_id id;
    return brig_startswith(key, "exec_") && brig_param_find(key, &id) &&
           brig_params[id].type == BRIG_T_STRING;
}

static bool is_none(const char *command)
{
    return !*command || strcmp(command, "0") == 0;
}

int brig_cbsd_jconf_translate(const struct brig_kvlist *in, struct brig_kvlist *ret,
                              char ***ret_notes, struct brig_err *err)
{
    struct brig_kvlist out = {0};
    bool cbsd_file = brig_kvlist_get(in, "relative_path") != NULL;
    for (size_t i = 0; i < in->n; i++) {
        const struct brig_kv *it = &in->items[i];
        const struct brig_cbsd_key *k = brig_cbsd_key_find(it->key);
        if (k && (k->how == BRIG_CBSD_IGNORED || (k->how == BRIG_CBSD_LAYOUT && cbsd_file))) {
            _cleanup_free_ char *note = brig_xasprintf("%s (%s)", k->name, k->why);
            brig_strv_push_unique(ret_notes, note);
        } else if (k && k->how == BRIG_CBSD_MAPPED) {
            continue; /* below, once brig's own keys are known */
        } else {
            bool none = is_command(it->key) && is_none(it->value);
            brig_kvlist_add(&out, it->key, none ? "" : it->value, it->line);
        }
    }
    for (size_t i = 0; i < in->n; i++) {
        const struct brig_kv *it = &in->items[i];
        const struct brig_cbsd_key *k = brig_cbsd_key_find(it->key);
        if (!k || k->how != BRIG_CBSD_MAPPED || is_none(it->value))
            continue;
        const char *own = brig_kvlist_get(&out, k->to);
        if (own && *own) {
            brig_kvlist_free(&out);
            return brig_err_set(err, BRIG_EUSAGE,
                                "line %d: %s and %s both set a command; brig runs one (%s)",
                                it->line, it->key, k->to, k->why);
        }
        brig_kvlist_add(&out, k->to, it->value, it->line);
    }
    *ret = out;
    return 0;
}

#define SAME(n, b)                                                                                 \
    {                                                                                              \
        .name = n, .brig = b                                                                       \
    }
#define NONE(n, why)                                                                               \
    {                                                                                              \
        .name = n, .note = why                                                                     \
    }
#define VM(n)                                                                                      \
    {                                                                                              \
        .name = n, .note = "brig has it for jails, not yet for VMs"                                \
    }

/* CBSD's verbs that brig has under another name, or not yet. */
static const struct brig_cbsd_verb cbsd_verbs[] = {
    SAME("jdestroy", "jremove"),
    SAME("jconstruct", "jcreate (key=value, or jconf=FILE)"),
    SAME("jconstruct-tui", "jcreate (key=value, or jconf=FILE)"),
    SAME("jsetup-tui", "jconfig"),
    SAME("jstatus", "jls display=jname,status"),
    SAME("jinfo", "jget"),
    SAME("jcleanup", "recover"),
    SAME("jrctl", "jset (memoryuse=, maxproc=, pcpu=, openfiles=)"),
    SAME("jorder", "jset b_order=N"),
    SAME("jailnic", "jnic"),
    SAME("bases", "repo action=list"),
    SAME("removebase", "repo action=remove"),
    SAME("version", "--version"),
    NONE("jbackup", "brig takes no backups"),
    SAME("jcoldmigrate", "jmigrate"),
    NONE("jscp", "copy into jails-data/JNAME-data on the host"),
    NONE("jdescr", "jails carry no description"),
    NONE("jpause", "a jail cannot be paused"),
    NONE("jrenice", "use jset pcpu= to limit its CPU"),
    NONE("jregister", "brig records every jail at jcreate"),
    NONE("junregister", "brig records every jail at jcreate"),
    NONE("jupgrade", "get a newer base with repo action=get, then jset base="),
    NONE("jwhereis", "brig manages one node"),
    SAME("brestart", "bstop, then bstart"),
    SAME("bconfig", "bset"),
    SAME("blogin", "bconsole"),
    SAME("bconstruct-tui", "bcreate"),
    NONE("bexec", "a VM runs no brig process: log in with bconsole or ssh"),
    VM("brename"),
    VM("bsnapshot"),
};

const struct brig_cbsd_verb *brig_cbsd_verb_find(const char *name)
{
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(cbsd_verbs); i++) {
        if (strcmp(cbsd_verbs[i].name, name) == 0)
            return &cbsd_verbs[i];
    }
    return NULL;
}
