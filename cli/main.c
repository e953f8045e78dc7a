/* brig(8): parse the global options, find the verb, run it, print the error. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cbsd.h"
#include "cli.h"
#include "os/os.h"
#include "util.h"

static const struct cli_opt opts_initenv[] = {
    {"nodename", "hostname", "host name", "this node's name"},
    {"nodeippool", "cidr", "10.199.0.0/16", "IPv4 pool for DHCP addresses and the bridge"},
    {"nodeip6pool", "cidr", "auto", "IPv6 pool for the bridge (auto: a unique local /64; 0: none)"},
    {"bridge", "interface", "brig0", "brig's default bridge"},
    {"ifprefix", "letters", "b", "host interface names: <p>j<id>n<idx>, <p>t<id>n<idx>"},
    {"gateway4", "address", "pool's first", "the default bridge's address"},
    {"uplink", "interface", "auto", "uplink for NAT"},
    {"nat_enable", "bool", "0", "masquerade bridge subnets to the uplink"},
    {"default_base", "name", "busybox", "base for jcreate without base="},
    {"debian_mirror", "url", "host's apt", "mirror for Debian bases (else deb.debian.org)"},
    {"freebsd_mirror", "url", "https://download.freebsd.org/releases", "FreeBSD mirror"},
    {NULL}};
static const struct cli_opt opts_jcreate[] = {
    {"jconf", "file", "", "read parameters from a CBSD-style jconf file first"}, {NULL}};
static const struct cli_opt opts_jname[] = {{"jname", "name", "", "the jail"}, {NULL}};
static const struct cli_opt opts_jls[] = {{"display", "list",
                                           "jname,jid,ip4_addr,host_hostname,path,status",
                                           "columns: any parameter, jid, status, pid"},
                                          {"header", "bool", "1", "0: no header line"},
                                          {"format", "text|json", "text", "json: same as --json"},
                                          {NULL}};
static const struct cli_opt opts_jremove[] = {
    {"jname", "name", "", "the jail (or a glob)"},
    {"force", "bool", "0", "1: stop a running jail first"},
    {NULL}};
static const struct cli_opt opts_start[] = {
    {"jname", "name|list|glob", "", "the jails: a name, a comma list or a glob like 'web*'"},
    {"astart", "bool", "0", "1: every jail with astart=1, in b_order"},
    {"jobs", "count", "1",
     "how many jails at once (0: one per CPU); with astart=1, jails of one b_order at a time"},
    {NULL}};
static const struct cli_opt opts_jstop[] = {
    {"jname", "name|list|glob", "", "the jails: a name, a comma list or a glob like 'web*'"},
    {"astart", "bool", "0", "1: every jail with astart=1, in b_order"},
    {"jobs", "count", "1",
     "how many jails at once (0: one per CPU); with astart=1, jails of one b_order at a time"},
    {"force", "bool", "0", "1: stop the running jails that depend on it (depend=) first"},
    {NULL}};
static const struct cli_opt opts_jexec[] = {
    {"jname", "name", "", "the jail"},
    {"user", "name", "root", "run as this user of the jail's /etc/passwd"},
    {"pty", "bool", "0", "1: on a pty of the jail when stdin is a terminal"},
    {NULL}};
static const struct cli_opt opts_jlogin[] = {
    {"jname", "name", "", "the jail"},
    {"user", "name", "root", "log in as this user of the jail's /etc/passwd"},
    {NULL}};
static const struct cli_opt opts_recover[] = {
    {"jname", "name|glob", "*", "the jails to recover (default: all)"}, {NULL}};
static const struct cli_opt opts_repo[] = {
    {"action", "list|get|remove", "list", "what to do"},
    {"sources", "base|oci|kernel", "base", "what to get (oci: a base from an OCI image)"},
    {"base", "name", "", "busybox, debian11|12|13, debian (= 12), or a name for file=/url=/image="},
    {"image", "ref", "", "sources=oci: oci:DIR[:TAG] (image layout) or docker-archive:FILE"},
    {"file", "path", "", "import a rootfs tarball (tar, gz, xz, zst, bz2)"},
    {"url", "url", "", "download and import a rootfs tarball"},
    {"sha256", "hex", "", "refuse the tarball unless its SHA-256 matches"},
    {"suite", "name", "bookworm", "Debian suite for base=debian (not debianNN)"},
    {"ver", "release", "14.1", "FreeBSD release (--os=freebsd)"},
    {"arch", "name", "amd64", "FreeBSD architecture (--os=freebsd)"},
    {NULL}};
static const struct cli_opt opts_bridge[] = {
    {"action", "list|create|remove", "list", "what to do"},
    {"name", "interface", "", "the bridge (create, remove)"},
    {"addr", "address", "", "create: the bridge's address with prefix, e.g. 10.1.0.1/24"},
    {"mtu", "integer", "0", "create: the bridge's MTU (0: the kernel's)"},
    {"force", "bool", "0", "remove: 1 even while links are attached (never while a jail uses it)"},
    {NULL}};
static const struct cli_opt opts_jnic[] = {
    {"jname", "name", "", "the vnet=1 jail"},
    {"action", "list|add|remove|set", "list", "what to do"},
    {"nic", "integer", "next", "the NIC's index N (ethN inside); 0 is the jail's own (jset)"},
    {"parent", "interface", "auto", "the bridge (auto: the node's default bridge)"},
    {"hwaddr", "mac", "0", "the MAC (0: derived from node, jail and index)"},
    {"mtu", "integer", "0", "the MTU (0: the bridge's)"},
    {"ip4_addr", "addresses", "0", "0, DHCP, REALDHCP or a comma list of addresses"},
    {"nic_filter", "bool", "1",
     "1: send only from its MAC and the jail's addresses; 0: any (routers)"},
    {NULL}};
static const struct cli_opt opts_jfstab[] = {
    {"jname", "name", "", "the jail"},
    {"action", "list|add|remove|import", "list", "what to do"},
    {"src", "path", "", "add: the host directory or file (absolute, existing)"},
    {"dst", "path", "", "add, remove: where it appears in the jail (made when missing)"},
    {"ro", "bool", "0", "add: 1 mounts it read-only"},
    {"file", "path", "", "import: a CBSD fstab file (src dst nullfs rw|ro [0 0])"},
    {NULL}};
static const struct cli_opt opts_jexport[] = {
    {"jname", "name", "", "the stopped jail"},
    {"out", "path|-", "export/JNAME.tar.zst", "the archive (-: stdout; default under workdir)"},
    {"compress", "zstd|xz|none", "zstd", "compression of the archive"},
    {"full", "bool", "0", "1: a thin jail's base goes along"},
    {NULL}};
static const struct cli_opt opts_bexport[] = {
    {"jname", "name", "", "the stopped VM"},
    {"out", "path|-", "export/JNAME.tar.zst", "the archive (-: stdout; default under workdir)"},
    {"compress", "zstd|xz|none", "zstd", "compression of the archive"},
    {NULL}};
static const struct cli_opt opts_bimport[] = {
    {"in", "path|-", "", "the archive (-: stdin)"},
    {"jname", "name", "the archive's", "the new VM's name"},
    {"ip4_addr", "addresses", "the archive's", "the new VM's addresses"},
    {NULL}};
static const struct cli_opt opts_jimport[] = {
    {"in", "path|-", "", "the archive (-: stdin)"},
    {"jname", "name", "the archive's", "the new jail's name"},
    {"ip4_addr", "addresses", "the archive's", "the new jail's addresses"},
    {NULL}};
static const struct cli_opt opts_jmigrate[] = {
    {"jname", "name", "", "the jail to move"},
    {"node", "ssh://[user@]host[:port][/workdir]", "", "the node to move it to"},
    {"remote_brig", "program", "brig", "brig on the node (default: brig on its PATH)"},
    {"ssh", "program", "BRIG_SSH or ssh", "the ssh client to run"},
    {"ssh_opts", "options", "BRIG_SSH_OPTS", "more options for ssh, split at white space"},
    {NULL}};
static const struct cli_opt opts_jrename[] = {
    {"old", "name", "", "the stopped jail"},
    {"new", "name", "", "its new name"},
    {"host_hostname", "hostname", "follows",
     "its new host name (default: the new name's, when it had the old name's)"},
    {NULL}};
static const struct cli_opt opts_jclone[] = {{"old", "name", "", "the stopped jail to copy"},
                                             {"new", "name", "", "the copy's name"},
                                             {NULL}};
static const struct cli_opt opts_bclone[] = {
    {"old", "name", "", "the stopped VM to copy"}, {"new", "name", "", "the copy's name"}, {NULL}};
static const struct cli_opt opts_jsnapshot[] = {
    {"jname", "name", "", "the jail"},
    {"action", "list|create|remove|rollback", "list", "what to do"},
    {"snapname", "name", "the time",
     "the snapshot (create: default YYYYMMDD-HHMMSSZ; remove: * for all)"},
    {NULL}};
static const struct cli_opt opts_expose[] = {
    {"jname", "name", "", "the jail (list: all jails when missing)"},
    {"action", "list|add|remove", "list", "what to do (mode=, CBSD's name, also takes delete)"},
    {"mode", "list|add|delete", "list", "the same as action="},
    {"proto", "tcp|udp", "tcp", "the protocol"},
    {"in", "port", "", "the host's port"},
    {"out", "port", "in", "the jail's port"},
    {"addr", "address", "all", "the host's IPv4 address (inaddr=, CBSD's name, is the same)"},
    {"inaddr", "address", "all", "the same as addr="},
    {NULL}};
static const struct cli_opt opts_vm[] = {{"jname", "name", "", "the VM"}, {NULL}};
static const struct cli_opt opts_bls[] = {{"display", "list",
                                           "jname,jid,vm_cpus,vm_ram,ip4_addr,vm_vnc_port,status",
                                           "columns: any VM parameter, jid, status, pid"},
                                          {"header", "bool", "1", "0: no header line"},
                                          {"format", "text|json", "text", "json: same as --json"},
                                          {NULL}};
static const struct cli_opt opts_bremove[] = {
    {"jname", "name", "", "the VM"}, {"force", "bool", "0", "1: stop a running VM first"}, {NULL}};
static const struct cli_opt opts_inventory[] = {
    {"format", "text|json", "text", "json: same as --json"}, {NULL}};

const struct cli_verb cli_verbs[] = {
    {"initenv", cli_initenv, "create or update the workdir, brig.conf and the database",
     "[key=value ...]", opts_initenv},
    {"inventory", cli_inventory, "show this node's facts (and write nc.inventory)", "",
     opts_inventory, .listing = true, .dry_run = true},
    {"jcreate", cli_jcreate, "record a new jail", "jname=NAME [param=value ...] | jconf=FILE",
     opts_jcreate, .jail_params = true, .records = true, .dry_run = true},
    {"jls", cli_jls, "list jails with their live state", "[display=a,b,...] [header=0]", opts_jls,
     .listing = true, .records = true},
    {"jget", cli_jget, "show a jail's parameters", "jname=NAME [param ...]", opts_jname,
     .listing = true, .words = true, .records = true},
    {"jset", cli_jset, "change a jail's parameters", "jname=NAME param=value ...", opts_jname,
     .jail_params = true, .records = true, .dry_run = true},
    {"jconfig", cli_jconfig,
     "change parameters, or edit the jail's settings in $EDITOR when none are given",
     "jname=NAME [param=value ...]", opts_jname, .jail_params = true, .records = true,
     .dry_run = true},
    {"jremove", cli_jremove, "remove a jail and its data", "jname=NAME [force=1]", opts_jremove,
     .records = true},
    {"jrename", cli_jrename, "rename a stopped jail", "old=NAME new=NAME", opts_jrename},
    {"jclone", cli_jclone, "copy a stopped jail to a new jail",
     "old=NAME new=NAME [param=value ...]", opts_jclone, .jail_params = true},
    {"jsnapshot", cli_jsnapshot, "list, create, remove and roll back to snapshots of a jail",
     "jname=NAME action=list|create|remove|rollback [snapname=NAME]", opts_jsnapshot,
     .listing = true},
    {"jstart", cli_jstart, "start jails", "jname=NAME|LIST|GLOB | astart=1", opts_start,
     .words = true, .dry_run = true},
    {"jstop", cli_jstop, "stop jails (exec_stop, TERM, stop_timeout, KILL)",
     "jname=NAME|LIST|GLOB | astart=1 [force=1]", opts_jstop, .words = true, .dry_run = true},
    {"jrestart", cli_jrestart, "stop and start jails", "jname=NAME|LIST|GLOB", opts_start,
     .words = true, .dry_run = true},
    {"jexec", cli_jexec, "run a command in a running jail", "jname=NAME [user=NAME] [pty=1]",
     opts_jexec, .rest = true},
    {"jlogin", cli_jlogin, "log in to a running jail", "jname=NAME [user=NAME]", opts_jlogin},
    {"recover", cli_recover, "finish or undo what an interrupted brig left behind",
     "[jname=NAME|GLOB]", opts_recover},
    {"bridge", cli_bridge, "list, create and remove bridges",
     "action=list|create|remove [name=NAME] [addr=A/P] [mtu=N] [force=1]", opts_bridge,
     .listing = true},
    {"jnic", cli_jnic, "list, add, remove and change a VNET jail's NICs",
     "jname=NAME action=list|add|remove|set [nic=N] [parent=] [hwaddr=] [mtu=] [ip4_addr=]",
     opts_jnic, .listing = true},
    {"jfstab", cli_jfstab, "list, add and remove host directories mounted in a jail",
     "jname=NAME action=list|add|remove|import [src=] [dst=] [ro=1] [file=]", opts_jfstab,
     .listing = true},
    {"expose", cli_expose, "list, add and remove port forwards from the host to jails",
     "jname=NAME action=list|add|remove [proto=tcp|udp] in=PORT [out=PORT] [addr=A]", opts_expose,
     .listing = true, .records = true},
    {"repo", cli_repo, "list, get and remove bases", "action=list|get|remove [base=NAME] ...",
     opts_repo, .listing = true, .dry_run = true},
    {"jexport", cli_jexport, "write a stopped jail to an archive", "jname=NAME [out=FILE|-]",
     opts_jexport},
    {"jimport", cli_jimport, "make a new jail from an archive", "in=FILE|- [jname=] [ip4_addr=]",
     opts_jimport},
    {"jmigrate", cli_jmigrate, "move a jail to another node through ssh",
     "jname=NAME node=ssh://[user@]host[:port][/workdir]", opts_jmigrate},
    {"bcreate", cli_bcreate, "record a new VM and make its disk",
     "jname=NAME [vm_ram=SIZE] [vm_cpus=N] [imgsize=SIZE] [kernel=FILE ...] [param=value ...]",
     NULL, .jail_params = true, .vm_params = true, .records = true, .dry_run = true},
    {"bls", cli_bls, "list VMs with their live state", "[display=a,b,...] [header=0]", opts_bls,
     .listing = true, .records = true},
    {"bget", cli_bget, "show a VM's parameters", "jname=NAME [param ...]", opts_vm, .listing = true,
     .words = true, .records = true},
    {"bset", cli_bset, "change a VM's parameters (a running VM takes them at its next start)",
     "jname=NAME param=value ...", opts_vm, .jail_params = true, .vm_params = true, .records = true,
     .dry_run = true},
    {"bremove", cli_bremove, "remove a VM, its disks and seed", "jname=NAME [force=1]",
     opts_bremove, .records = true, .dry_run = true},
    {"bstart", cli_bstart, "start a VM", "jname=NAME", opts_vm, .dry_run = true},
    {"bstop", cli_bstop, "stop a VM (ACPI power button, hard_timeout, then ended)", "jname=NAME",
     opts_vm, .dry_run = true},
    {"bconsole", cli_bconsole, "attach to a running VM's serial console (~. detaches)",
     "jname=NAME", opts_vm},
    {"bexport", cli_bexport, "write a stopped VM (record, disks, seed) to an archive",
     "jname=NAME [out=FILE|-]", opts_bexport},
    {"bimport", cli_bimport, "make a new VM from an archive", "in=FILE|- [jname=] [ip4_addr=]",
     opts_bimport},
    {"bclone", cli_bclone, "copy a stopped VM (record, disks) to a new VM",
     "old=NAME new=NAME [param=value ...]", opts_bclone, .jail_params = true, .vm_params = true},
};
const size_t cli_verbs_count = BRIG_ARRAY_SIZE(cli_verbs);

/* Verbs that act on this kernel's jails, bridges or bases need root (a plan
 * for --dry-run or another kernel does not); actions: the action= values that
 * do, NULL for every call. Any other verb needs only a workdir the user can
 * write. */
static const struct {
    const char *verb;
    const char *const *actions;
} root_verbs[] = {
    {"jcreate"},
    {"jset"},
    {"jconfig"},
    {"jremove"},
    {"jrename"},
    {"jclone"},
    {"bclone"},
    {"jstart"},
    {"jstop"},
    {"jrestart"},
    {"jexec"},
    {"jlogin"},
    {"recover"},
    {"bridge", (const char *const[]){"create", "remove", NULL}},
    {"jnic", (const char *const[]){"add", "remove", "set", NULL}},
    {"jfstab", (const char *const[]){"add", "remove", "import", NULL}},
    {"jsnapshot", (const char *const[]){"create", "remove", "rollback", NULL}},
    {"repo", (const char *const[]){"get", "remove", NULL}},
    {"jexport"},
    {"jimport"},
    {"jmigrate"},
    {"expose", (const char *const[]){"add", "remove", NULL}},
    {"bcreate"},
    {"bset"},
    {"bremove"},
    {"bstart"},
    {"bstop"},
    {"bconsole"},
    {"bexport"},
    {"bimport"},
};

static const struct cli_verb *verb_find(const char *name)
{
    for (size_t i = 0; i < cli_verbs_count; i++) {
        if (strcmp(cli_verbs[i].name, name) == 0)
            return &cli_verbs[i];
    }
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: brig [--os=linux|freebsd] [--dry-run] [--json] VERB [key=value ...]\n"
                 "       brig help [VERB] | brig VERB --help\n\nverbs:\n");
    for (size_t i = 0; i < cli_verbs_count; i++)
        fprintf(out, "  %-10s %s\n", cli_verbs[i].name, cli_verbs[i].summary);
    fprintf(out, "\nGlobal: workdir=DIR (or BRIG_WORKDIR; default %s), --os, --dry-run, --json.\n",
            BRIG_WORKDIR_DEFAULT);
}

static const char *kernels_name(unsigned k)
{
    return k == BRIG_K_BOTH ? "both" : k == BRIG_K_LINUX ? "linux" : "freebsd";
}

/* `brig VERB --help`: generated from the verb's options and the parameter table. */
static void verb_help(const struct cli_verb *v)
{
    printf("usage: brig %s %s%s\n\n%s.\n", v->name, v->usage, v->rest ? " [--] CMD [ARG ...]" : "",
           v->summary);
    if (v->opts && v->opts[0].name) {
        printf("\noptions:\n");
        for (const struct cli_opt *o = v->opts; o->name; o++)
            printf("  %-14s %-15s default: %-14s %s\n", o->name, o->type, *o->def ? o->def : "-",
                   o->help);
    }
    if (v->jail_params) {
        printf("\n%s parameters (kernels: where each applies):\n", v->vm_params ? "VM" : "jail");
        for (int i = 0; i < BRIG_P__COUNT; i++) {
            const struct brig_param *p = &brig_params[i];
            if (!brig_param_applies((enum brig_param_id)i, v->vm_params))
                continue;
            const char *other = p->vnet_def ? "vnet" : "FreeBSD";
            const char *odef = p->vnet_def ? p->vnet_def : p->freebsd_def;
            _cleanup_free_ char *def =
                odef && !v->vm_params ? brig_xasprintf("%s (%s: %s)", p->def, other, odef)
                                      : brig_xstrdup(p->def ? (*p->def ? p->def : "\"\"") : "-");
            printf("  %-18s %-10s %-7s default: %s\n  %-18s %s\n", p->name,
                   brig_ptype_name(p->type), kernels_name(p->kernels), def, "", p->help);
        }
    }
    if (v->listing)
        printf("\n--json prints the listing as JSON.\n");
}

const char *cli_get(struct cli *cli, const char *key)
{
    return brig_kvlist_get(&cli->kv, key);
}

int cli_need(struct cli *cli, const char *key, const char **ret, struct brig_err *err)
{
    const char *v = cli_get(cli, key);
    if (!v || !*v)
        return brig_err_set(err, BRIG_EUSAGE, "%s= is required", key);
    *ret = v;
    return 0;
}

int cli_bool(struct cli *cli, const char *key, bool def, bool *ret, struct brig_err *err)
{
    const char *v = cli_get(cli, key);
    if (!v) {
        *ret = def;
        return 0;
    }
    if (strcmp(v, "0") && strcmp(v, "1"))
        return brig_err_set(err, BRIG_EUSAGE, "%s: '%.80s' is not 0 or 1", key, v);
    *ret = v[0] == '1';
    return 0;
}

int cli_check_keys(struct cli *cli, struct brig_err *err)
{
    const struct cli_verb *v = cli->verb;
    for (size_t i = 0; i < cli->kv.n; i++) {
        const char *key = cli->kv.items[i].key;
        bool ok = v->jail_params && brig_param_find(key, NULL);
        for (const struct cli_opt *o = v->opts; !ok && o && o->name; o++)
            ok = strcmp(o->name, key) == 0;
        if (ok)
            continue;
        if (v->jail_params && brig_cbsd_key_refuse("", key, err) < 0)
            return -1;
        const char *cand[BRIG_P__COUNT + 32];
        size_t n = 0;
        for (const struct cli_opt *o = v->opts; o && o->name && n < 32; o++)
            cand[n++] = o->name;
        for (int p = 0; v->jail_params && p < BRIG_P__COUNT; p++)
            cand[n++] = brig_params[p].name;
        const char *hint = brig_suggest(key, cand, n);
        if (hint)
            return brig_err_set(err, BRIG_EUSAGE, "unknown parameter '%s' (did you mean '%s'?)",
                                key, hint);
        return brig_err_set(err, BRIG_EUSAGE, "unknown parameter '%s' (see brig %s --help)", key,
                            v->name);
    }
    return 0;
}

/* Split argv into global options, the verb, key=value pairs and "-- rest". */
static int parse_args(int argc, char **argv, struct cli *cli, bool *ret_help, struct brig_err *err)
{
    const char *workdir = getenv("BRIG_WORKDIR");
    enum brig_kernel os = brig_os_native();
    bool dry_run = false;
    const char *verb = NULL;
    int i;

    *ret_help = false;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *ret_help = true;
        } else if (strcmp(a, "--json") == 0) {
            cli->json = true;
        } else if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0) {
            dry_run = true;
        } else if (brig_startswith(a, "--os=")) {
            if (strcmp(a + 5, "linux") == 0)
                os = BRIG_K_LINUX;
            else if (strcmp(a + 5, "freebsd") == 0)
                os = BRIG_K_FREEBSD;
            else
                return brig_err_set(err, BRIG_EUSAGE, "--os: '%.40s' is not linux or freebsd",
                                    a + 5);
        } else if (a[0] == '-') {
            return brig_err_set(err, BRIG_EUSAGE, "unknown option '%.80s'", a);
        } else if (!verb && strcmp(a, "help") == 0) {
            *ret_help = true; /* brig help [VERB] */
        } else if (!verb) {
            verb = a;
            cli->verb = verb_find(verb);
        } else if (!strchr(a, '=') && cli->verb && cli->verb->rest) {
            break; /* jexec jname=X CMD ...: the command starts at the first bare word */
        } else if (!strchr(a, '=') && cli->verb && cli->verb->words) {
            brig_strv_push(&cli->words, a);
        } else {
            struct brig_kv kv;
            if (brig_kv_parse_arg(a, &kv, err) < 0)
                return -1;
            bool bad_format = strcmp(kv.key, "format") == 0 && strcmp(kv.value, "json") != 0 &&
                              strcmp(kv.value, "text") != 0;
            if (strcmp(kv.key, "workdir") == 0)
                workdir = strchr(a, '=') + 1; /* argv outlives the context */
            else if (strcmp(kv.key, "format") == 0)
                cli->json |= strcmp(kv.value, "json") == 0;
            else
                brig_kvlist_add(&cli->kv, kv.key, kv.value, 0);
            free(kv.key);
            free(kv.value);
            if (bad_format)
                return brig_err_set(err, BRIG_EUSAGE, "format: '%.40s' is not text or json",
                                    strchr(a, '=') + 1);
        }
    }
    for (; i < argc; i++)
        brig_strv_push(&cli->rest, argv[i]);
    if (!verb) {
        if (*ret_help)
            return 0;
        return brig_err_set(err, BRIG_EUSAGE, "no verb given (brig --help lists them)");
    }
    cli->verb = verb_find(verb);
    if (!cli->verb)
        return cli_unknown_verb(verb, err);
    if (cli->rest && !cli->verb->rest)
        return brig_err_set(err, BRIG_EUSAGE, "%s takes no command after '--'", verb);
    if (cli->json && !cli->verb->listing)
        return brig_err_set(err, BRIG_EUSAGE, "%s has no listing for --json", verb);
    if (!workdir || !*workdir)
        workdir = BRIG_WORKDIR_DEFAULT;
    if (workdir[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "workdir '%.80s' is not an absolute path", workdir);
    brig_ctx_init(&cli->ctx, workdir, os);
    cli->ctx.dry_run = dry_run;
    if (dry_run && !cli->verb->dry_run)
        return brig_err_set(err, BRIG_EUSAGE, "--dry-run is not available for this verb");
    /* records are the same for every kernel; acting on a kernel brig does not run on is
     * only ever a plan */
    if (os != brig_os_native() && !dry_run && !cli->verb->records)
        return brig_err_set(err, BRIG_EUSAGE,
                            "--os=%s on this host can only render plans: add --dry-run",
                            os == BRIG_K_FREEBSD ? "freebsd" : "linux");
    return 0;
}

/* Whether this command acts on this kernel in a way only root may. */
static bool acts_as_root(struct cli *cli)
{
    if (cli->ctx.dry_run || cli->ctx.os != brig_os_native())
        return false;
    const char *action = cli_get(cli, "action");
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(root_verbs); i++) {
        if (strcmp(root_verbs[i].verb, cli->verb->name) != 0)
            continue;
        for (const char *const *a = root_verbs[i].actions; a && *a; a++) {
            if (action && strcmp(action, *a) == 0)
                return true;
        }
        return !root_verbs[i].actions;
    }
    return false;
}

/* Whether this user cannot use the workdir: it (or, for initenv, the nearest
 * directory above it that exists) is not writable, or its database is out of
 * reach. A workdir that does not exist is initenv's to say. */
static bool workdir_closed(const struct cli *cli)
{
    const char *wd = cli->ctx.workdir;
    if (access(wd, F_OK) < 0 && errno == ENOENT) {
        if (strcmp(cli->verb->name, "initenv") != 0)
            return false;
        _cleanup_free_ char *up = brig_xstrdup(wd);
        char *slash;
        while ((slash = strrchr(up, '/')) && access(up, F_OK) < 0)
            slash == up ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
        return access(up, W_OK | X_OK) < 0;
    }
    if (access(wd, W_OK | X_OK) < 0)
        return true;
    _cleanup_free_ char *db = brig_ctx_path(&cli->ctx, "var/db/local.sqlite");
    return access(db, R_OK | W_OK) < 0 && errno != ENOENT;
}

/* Refuse, before anything is touched, what this user may not do: one line
 * instead of a permission error on a lock or a read-only database. */
static int check_root(struct cli *cli, struct brig_err *err)
{
    if (geteuid() == 0)
        return 0;
    if (acts_as_root(cli))
        return brig_err_set(err, BRIG_EUSAGE, "%s needs root", cli->verb->name);
    if (workdir_closed(cli))
        return brig_err_set(err, BRIG_EUSAGE, "%s needs root (this user cannot write workdir %s)",
                            cli->verb->name, cli->ctx.workdir);
    return 0;
}

/* Print "brig: [verb: ]msg" on one line: control characters in the message
 * (from user input echoed back) become '?'. */
static void print_error(const char *verb, const char *msg)
{
    fputs("brig: ", stderr);
    if (verb)
        fprintf(stderr, "%s: ", verb);
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    struct brig_err err = BRIG_ERR_INIT;
    bool help;
    int rc = 0;

    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
#ifdef BRIG_FAULT_INJECTION
        printf("brig %s (fault injection: BRIG_FAULT=op:step[:after])\n", BRIG_VERSION);
#else
        printf("brig %s\n", BRIG_VERSION);
#endif
        return 0;
    }
    if (parse_args(argc, argv, &cli, &help, &err) < 0) {
        print_error(cli.verb ? cli.verb->name : NULL, err.msg);
        rc = err.code ? err.code : BRIG_EUSAGE;
        goto out;
    }
    if (help) {
        if (cli.verb)
            verb_help(cli.verb);
        else
            usage(stdout);
        goto out;
    }
    bool keys_ok = cli_check_keys(&cli, &err) == 0;
    if (keys_ok && check_root(&cli, &err) < 0) {
        print_error(NULL, err.msg); /* "brig: VERB needs root" is one sentence */
        rc = err.code;
    } else if (!keys_ok || cli.verb->run(&cli, &err) < 0) {
        if (!cli.quiet_error)
            print_error(cli.verb->name, err.msg);
        /* jexec: a program the jail lacks is 127, as a shell would say */
        rc = cli.exit_status ? cli.exit_status : err.code ? err.code : BRIG_EFAIL;
    } else {
        rc = cli.exit_status;
    }
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "brig: %s: write: %s\n", cli.verb->name, strerror(errno));
        rc = BRIG_EFAIL;
    }
out:
    brig_kvlist_free(&cli.kv);
    brig_strv_free(cli.rest);
    brig_strv_free(cli.words);
    if (cli.ctx.workdir)
        brig_ctx_free(&cli.ctx);
    return rc;
}
