/* bhyve plans for FreeBSD VMs: bcreate, bstart, bstop, bremove. A VM is a
 * record of the jails table (emulator=bhyve) with the jail's NICs, bridges and
 * MACs; its disk, seed and install ISO are in ${workdir}/vm/<jname>, its pid
 * file and bhyve's own messages in ${workdir}/jails-system/<jname>. Every
 * value reaches bhyve as an argv word; a value inside one of bhyve's
 * comma-separated option lists is refused when it holds a comma.
 * docs/freebsd.md explains each choice; tests/golden/README.md names the
 * manual page of each command. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freebsd.h"
#include "mac.h"
#include "sha256.h"
#include "util.h"
#include "vm.h"

/* The UEFI firmware of the edk2-bhyve package (the bhyve-firmware port). */
#define UEFI_FIRMWARE "/usr/local/share/uefi-firmware/BHYVE_UEFI.fd"
/* Highest tap unit if_clone gives (IF_MAXUNIT). */
#define TAP_UNIT_MAX 32767
/* PCI slots: the disk, the install ISO, the seed, NIC idx at NIC_SLOT + idx,
 * the framebuffer and its tablet, the LPC bridge (COM1) last. */
#define SLOT_DISK   2
#define SLOT_ISO    3
#define SLOT_SEED   4
#define NIC_SLOT    10
#define NIC_IDX_MAX 9
#define SLOT_FBUF   29
#define SLOT_TABLET 30
#define SLOT_LPC    31
/* Seconds bstop waits for bhyve to exit after a forced power off. */
#define POWEROFF_WAIT 10

struct vctx {
    const struct brig_freebsd_input *in;
    const struct brig_jail *j;
    const char *name;
    struct brig_plan *plan;
    char *dir;     /* ${workdir}/vm/<jname> */
    char *sysdir;  /* ${workdir}/jails-system/<jname> */
    char *pidfile; /* bhyve's pid, written by daemon(8) */
    char *log;     /* bhyve's stdout and stderr */
    char *disk;    /* NULL: imgsize=0 */
    char *seed;    /* NULL: no ci_* parameter */
    char nmdm[32]; /* the console's host end, /dev/nmdm<id>A */
    char **created_bridges;
};

static const char *val(const struct brig_jail *j, enum brig_param_id id)
{
    return j->v[id] ? j->v[id] : "";
}

int brig_freebsd_tapname(int64_t vm_id, int idx, char ret[16], struct brig_err *err)
{
    if (vm_id <= 0 || idx < 0 || idx > NIC_IDX_MAX || vm_id > (TAP_UNIT_MAX - NIC_IDX_MAX) / 10)
        return brig_err_set(err, BRIG_EUSAGE,
                            "VM id %lld and NIC %d do not fit a tap unit (tap0-tap%d: ids up to "
                            "%d, NICs eth0-eth%d)",
                            (long long)vm_id, idx, TAP_UNIT_MAX, (TAP_UNIT_MAX - NIC_IDX_MAX) / 10,
                            NIC_IDX_MAX);
    snprintf(ret, 16, "tap%lld%d", (long long)vm_id, idx);
    return 0;
}

static int no_comma(const char *what, const char *s, struct brig_err *err)
{
    if (s && strchr(s, ','))
        return brig_err_set(err, BRIG_EUSAGE,
                            "%s: bhyve's option lists are comma-separated: no comma in it", what);
    return 0;
}

int brig_freebsd_vm_check(const struct brig_jail *j, struct brig_err *err)
{
    const char *efi = val(j, BRIG_P_VM_EFI);
    if (brig_streq(j->v[BRIG_P_IMGTYPE], "qcow2"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "imgtype=qcow2: bhyve reads raw disks only "
                            "(imgtype=raw)");
    if (*val(j, BRIG_P_KERNEL) || strcmp(efi, "none") == 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "kernel=: bhyve boots no kernel directly (vm_efi=uefi, or bios for a "
                            "FreeBSD guest)");
    if (strcmp(efi, "bios") == 0 && !brig_streq(j->v[BRIG_P_VM_OS_TYPE], "freebsd"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "vm_efi=bios: bhyve has no BIOS; a %s guest boots with vm_efi=uefi "
                            "(bhyveload boots FreeBSD guests only)",
                            val(j, BRIG_P_VM_OS_TYPE));
    if (strcmp(efi, "bios") == 0 && brig_jail_int(j, BRIG_P_VM_VNC_PORT) != 1)
        return brig_err_set(err, BRIG_EUSAGE,
                            "vm_vnc_port: bhyve's framebuffer needs the UEFI firmware "
                            "(vm_efi=uefi)");
    if (no_comma("vnc_password", j->v[BRIG_P_VNC_PASSWORD], err) < 0 ||
        no_comma("vm_iso", j->v[BRIG_P_VM_ISO], err) < 0)
        return -1;
    return 0;
}

/* Guest memory as bhyve's -m takes it: the largest exact K/M/G/T unit (a
 * bare number would be megabytes). */
static void memsize(char buf[32], uint64_t bytes)
{
    static const char units[] = "KMGT";
    uint64_t v = (bytes + 1023) / 1024;
    int u = 0;
    while (u < 3 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    snprintf(buf, 32, "%" PRIu64 "%c", v, units[u]);
}

/* A size for truncate(1): the largest exact K/M/G/T unit, else bytes. */
static void disksize(char buf[32], uint64_t bytes)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, 32, "%" PRIu64, bytes);
    else
        snprintf(buf, 32, "%" PRIu64 "%c", bytes, units[u]);
}

/* A stable UUID (SMBIOS system UUID) from the node and the VM's name: a
 * version 8 (RFC 9562, custom) UUID holding SHA-256 bits. */
static void vm_uuid(const char *nodename, const char *jname, char buf[37])
{
    struct brig_sha256 s;
    char hex[65];
    brig_sha256_init(&s);
    brig_sha256_update(&s, "bhyve-uuid\n", 11);
    brig_sha256_update(&s, nodename, strlen(nodename));
    brig_sha256_update(&s, "\n", 1);
    brig_sha256_update(&s, jname, strlen(jname));
    brig_sha256_final_hex(&s, hex);
    hex[12] = '8';
    hex[16] = "89ab"[strtoul((char[]){hex[16], '\0'}, NULL, 16) & 3];
    snprintf(buf, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static void vctx_free(struct vctx *c)
{
    free(c->dir);
    free(c->sysdir);
    free(c->pidfile);
    free(c->log);
    free(c->disk);
    free(c->seed);
    brig_strv_free(c->created_bridges);
}

static int vctx_init(struct vctx *c, const struct brig_freebsd_input *in, struct brig_plan *plan,
                     struct brig_err *err)
{
    memset(c, 0, sizeof(*c));
    memset(plan, 0, sizeof(*plan));
    c->in = in;
    c->j = in->jail;
    c->plan = plan;
    c->name = in->jail->v[BRIG_P_JNAME];
    if (!in->node || !in->node->workdir)
        return brig_err_set(err, BRIG_EUSAGE, "the node has no workdir");
    if (!c->name)
        return brig_err_set(err, BRIG_EUSAGE, "jname is required");
    if (!brig_streq(c->j->v[BRIG_P_EMULATOR], "bhyve"))
        return brig_err_set(err, BRIG_EUSAGE, "%s: emulator=%s is not a bhyve VM", c->name,
                            val(c->j, BRIG_P_EMULATOR));
    if (brig_freebsd_vm_check(c->j, err) < 0)
        return -1;
    if (no_comma("workdir", in->node->workdir, err) < 0)
        return -1;
    c->dir = brig_xasprintf("%s/vm/%s", in->node->workdir, c->name);
    c->sysdir = brig_xasprintf("%s/jails-system/%s", in->node->workdir, c->name);
    c->pidfile = brig_xasprintf("%s/bhyve.pid", c->sysdir);
    c->log = brig_xasprintf("%s/bhyve.log", c->sysdir);
    uint64_t size = 0;
    if (brig_parse_size(val(c->j, BRIG_P_IMGSIZE), &size, err) < 0)
        return brig_err_wrap(err, "imgsize");
    if (size)
        c->disk = brig_vm_disk_path(c->dir, "raw");
    if (brig_vm_wants_seed(c->j))
        c->seed = brig_xasprintf("%s/seed.iso", c->dir);
    if (c->j->id <= 0)
        return brig_err_set(err, BRIG_EUSAGE, "%s: the VM has no id yet", c->name);
    snprintf(c->nmdm, sizeof(c->nmdm), "/dev/nmdm%lldA", (long long)c->j->id);
    return 0;
}

static int nic_mac(const struct vctx *c, const struct brig_nic *nic, char mac[BRIG_MAC_STRLEN],
                   struct brig_err *err)
{
    if (!nic->hwaddr || strcmp(nic->hwaddr, "0") == 0) {
        uint8_t m[6];
        brig_mac_derive(c->in->node->nodename ? c->in->node->nodename : "", c->name, nic->idx, m);
        brig_mac_format(m, mac);
        return 0;
    }
    if (brig_check_mac(nic->hwaddr, err) < 0)
        return brig_err_wrap(err, "eth%d", nic->idx);
    snprintf(mac, BRIG_MAC_STRLEN, "%s", nic->hwaddr);
    return 0;
}

/* One tap for the NIC, named from the VM id, on the NIC's bridge. */
static int add_tap(struct vctx *c, const struct brig_nic *nic, struct brig_err *err)
{
    char tap[16], mtu[16];
    if (brig_freebsd_tapname(c->j->id, nic->idx, tap, err) < 0)
        return -1;
    const char *bridge = NULL;
    unsigned bmtu = 1500;
    if (brig_freebsd_nic_bridge(c->in, c->plan, &c->created_bridges, nic, &bridge, &bmtu, err) < 0)
        return -1;
    snprintf(mtu, sizeof(mtu), "%u", bmtu);
    _cleanup_free_ char *d = brig_xasprintf("eth%d: create the tap named from the VM id", nic->idx);
    _cleanup_free_ char *descr = brig_xasprintf("%s-eth%d", c->name, nic->idx);
    struct brig_plan_step *s = brig_plan_addv(c->plan, d, "ifconfig", tap, "create", (char *)NULL);
    brig_plan_step_undov(s, 0, "ifconfig", tap, "destroy", (char *)NULL);
    brig_plan_addv(c->plan, "describe the tap", "ifconfig", tap, "description", descr,
                   (char *)NULL);
    /* if_bridge(4) refuses a member whose MTU differs from the bridge's */
    brig_plan_addv(c->plan, "the tap takes the bridge's MTU", "ifconfig", tap, "mtu", mtu,
                   (char *)NULL);
    brig_plan_addv(c->plan, "attach the tap to the bridge", "ifconfig", bridge, "addm", tap,
                   (char *)NULL);
    brig_plan_addv(c->plan, "bring the tap up", "ifconfig", tap, "up", (char *)NULL);
    return 0;
}

static void push_slot(char ***argv, int slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void push_slot(char ***argv, int slot, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *rest = NULL;
    if (vasprintf(&rest, fmt, ap) < 0)
        abort();
    va_end(ap);
    _cleanup_free_ char *w = brig_xasprintf("%d,%s", slot, rest);
    brig_strv_push(argv, "-s");
    brig_strv_push(argv, w);
}

/* The VNC port: the record's, or (0: auto) 5900 + the id modulo 1001, since
 * bhyve picks no free port itself. */
static int64_t vnc_port(const struct vctx *c)
{
    int64_t p = brig_jail_int(c->j, BRIG_P_VM_VNC_PORT);
    return p == 0 ? 5900 + c->j->id % 1001 : p;
}

/* bhyve's argv, run by daemon(8) so bstart returns. */
static int bhyve_argv(struct vctx *c, bool uefi, char ***ret, struct brig_err *err)
{
    char **v = NULL, mem[32], uuid[37];
    uint64_t ram = 0;
    if (brig_parse_size(val(c->j, BRIG_P_VM_RAM), &ram, err) < 0)
        return brig_err_wrap(err, "vm_ram");
    memsize(mem, ram);
    const char *os = val(c->j, BRIG_P_VM_OS_TYPE);
    bool windows = strcmp(os, "windows") == 0;
    brig_strv_push(&v, "daemon");
    brig_strv_push(&v, "-f");
    brig_strv_push(&v, "-o");
    brig_strv_push(&v, c->log);
    brig_strv_push(&v, "-p");
    brig_strv_push(&v, c->pidfile);
    brig_strv_push(&v, "bhyve");
    brig_strv_push(&v, "-c");
    brig_strv_push(&v, val(c->j, BRIG_P_VM_CPUS));
    brig_strv_push(&v, "-m");
    brig_strv_push(&v, mem);
    /* ACPI tables, yield on HLT, ignore unknown MSRs; the RTC in UTC except
     * for Windows, which keeps local time; the instance goes at guest power off */
    static const char *const flags[] = {"-A", "-H", "-w", "-u", "-D"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(flags); i++) {
        if (!(windows && strcmp(flags[i], "-u") == 0))
            brig_strv_push(&v, flags[i]);
    }
    brig_strv_push(&v, "-s");
    brig_strv_push(&v, "0,hostbridge");
    if (c->disk)
        push_slot(&v, SLOT_DISK, "%s,%s", windows ? "nvme" : "virtio-blk", c->disk);
    if (*val(c->j, BRIG_P_VM_ISO))
        push_slot(&v, SLOT_ISO, "ahci-cd,%s", val(c->j, BRIG_P_VM_ISO));
    if (c->seed)
        push_slot(&v, SLOT_SEED, "ahci-cd,%s", c->seed);
    for (size_t i = 0; i < c->in->n_nics; i++) {
        const struct brig_nic *nic = &c->in->nics[i];
        char tap[16], mac[BRIG_MAC_STRLEN];
        if (brig_freebsd_tapname(c->j->id, nic->idx, tap, err) < 0 ||
            nic_mac(c, nic, mac, err) < 0) {
            brig_strv_free(v);
            return -1;
        }
        push_slot(&v, NIC_SLOT + nic->idx, "virtio-net,%s,mac=%s", tap, mac);
    }
    if (brig_jail_int(c->j, BRIG_P_VM_VNC_PORT) != 1) {
        const char *pw = val(c->j, BRIG_P_VNC_PASSWORD);
        push_slot(&v, SLOT_FBUF, "fbuf,tcp=127.0.0.1:%" PRId64 ",w=1024,h=768%s%s", vnc_port(c),
                  *pw ? ",password=" : "", pw);
        push_slot(&v, SLOT_TABLET, "%s", "xhci,tablet");
    }
    push_slot(&v, SLOT_LPC, "%s", "lpc");
    brig_strv_push(&v, "-l");
    _cleanup_free_ char *com1 = brig_xasprintf("com1,%s", c->nmdm);
    brig_strv_push(&v, com1);
    if (uefi) {
        brig_strv_push(&v, "-l");
        brig_strv_push(&v, "bootrom," UEFI_FIRMWARE);
    }
    vm_uuid(c->in->node->nodename ? c->in->node->nodename : "", c->name, uuid);
    brig_strv_push(&v, "-U");
    brig_strv_push(&v, uuid);
    brig_strv_push(&v, c->name);
    *ret = v;
    return 0;
}

static int plan_bstart(struct vctx *c, struct brig_err *err)
{
    const struct brig_freebsd_input *in = c->in;
    bool uefi = brig_streq(c->j->v[BRIG_P_VM_EFI], "uefi");
    for (size_t i = 0; i < in->n_nics; i++) {
        for (size_t k = 0; k < i; k++) {
            if (in->nics[k].idx == in->nics[i].idx)
                return brig_err_set(err, BRIG_EUSAGE, "NIC eth%d is listed twice", in->nics[i].idx);
        }
    }
    /* bhyve(8) of 13.x: "The current maximum number of guest virtual CPUs is 16" */
    struct brig_freebsd_release rel;
    if (brig_freebsd_parse_release(in->release ? in->release : "", &rel, err) < 0)
        return brig_err_wrap(err, "release");
    if (!brig_freebsd_release_atleast(&rel, 14, 0) && brig_jail_int(c->j, BRIG_P_VM_CPUS) > 16)
        return brig_err_set(err, BRIG_EUSAGE, "vm_cpus=%s: bhyve on FreeBSD %u.%u runs at most 16",
                            val(c->j, BRIG_P_VM_CPUS), rel.major, rel.minor);
    if (!uefi && !c->disk && !*val(c->j, BRIG_P_VM_ISO))
        return brig_err_set(err, BRIG_EUSAGE,
                            "vm_efi=bios: bhyveload needs a disk or vm_iso to load FreeBSD from");
    brig_plan_addv(c->plan, "vmm(4), the kernel half of bhyve", "kldload", "-n", "vmm",
                   (char *)NULL);
    brig_plan_addv(c->plan, "nmdm(4), the serial console's null modem", "kldload", "-n", "nmdm",
                   (char *)NULL);
    for (size_t i = 0; i < in->n_nics; i++) {
        if (add_tap(c, &in->nics[i], err) < 0)
            return -1;
    }
    struct brig_plan_step *s;
    _cleanup_free_ char *vm = brig_xasprintf("--vm=%s", c->name);
    if (!uefi) {
        char mem[32];
        uint64_t ram = 0;
        if (brig_parse_size(val(c->j, BRIG_P_VM_RAM), &ram, err) < 0)
            return brig_err_wrap(err, "vm_ram");
        memsize(mem, ram);
        /* the install ISO when there is one, else the disk */
        const char *from = *val(c->j, BRIG_P_VM_ISO) ? val(c->j, BRIG_P_VM_ISO) : c->disk;
        s = brig_plan_addv(c->plan, "load the FreeBSD guest's kernel (no UEFI firmware)",
                           "bhyveload", "-c", c->nmdm, "-m", mem, "-d", from, c->name,
                           (char *)NULL);
        brig_plan_step_undov(s, 0, "bhyvectl", vm, "--destroy", (char *)NULL);
    }
    _cleanup_strv_ char **argv = NULL;
    if (bhyve_argv(c, uefi, &argv, err) < 0)
        return -1;
    s = brig_plan_add(c->plan, "run bhyve under daemon(8), its pid in the VM's system directory",
                      (const char *const *)argv);
    brig_plan_step_undov(s, 0, "bhyvectl", vm, "--destroy", (char *)NULL);
    return 0;
}

int brig_freebsd_plan_bstart(const struct brig_freebsd_input *in, struct brig_plan *ret,
                             struct brig_err *err)
{
    struct vctx c;
    int r = vctx_init(&c, in, ret, err);
    if (r == 0)
        r = plan_bstart(&c, err);
    vctx_free(&c);
    if (r < 0)
        brig_plan_free(ret);
    return r;
}

/* Wait (at most seconds) while bhyve, the process of the pid file, runs:
 * pgrep prints "PID bhyve" until it is gone, then fails. */
static void add_wait_gone(struct vctx *c, const char *desc, unsigned seconds)
{
    struct brig_plan_step *s =
        brig_plan_addv(c->plan, desc, "pgrep", "-l", "-F", c->pidfile, "-x", "bhyve", (char *)NULL);
    brig_plan_step_wait(s, "bhyve", NULL, seconds);
    s->may_fail = true;
}

static int plan_bstop(struct vctx *c, struct brig_err *err)
{
    const struct brig_freebsd_input *in = c->in;
    int64_t hard = brig_jail_int(c->j, BRIG_P_HARD_TIMEOUT);
    struct brig_plan_step *s =
        brig_plan_addv(c->plan, "press the ACPI power button (bhyve turns SIGTERM into it)",
                       "pkill", "-TERM", "-F", c->pidfile, "-x", "bhyve", (char *)NULL);
    s->may_fail = true;
    if (hard > 0) {
        _cleanup_free_ char *d = brig_xasprintf(
            "wait up to hard_timeout (%lld s) for the guest to power off", (long long)hard);
        add_wait_gone(c, d, (unsigned)hard);
    }
    _cleanup_free_ char *vm = brig_xasprintf("--vm=%s", c->name);
    s = brig_plan_addv(c->plan, "power off a guest that is still running", "bhyvectl", vm,
                       "--force-poweroff", (char *)NULL);
    s->may_fail = true;
    add_wait_gone(c, "wait for bhyve to exit", POWEROFF_WAIT);
    s = brig_plan_addv(c->plan, "destroy the VM's vmm instance", "bhyvectl", vm, "--destroy",
                       (char *)NULL);
    s->may_fail = true;
    for (size_t i = 0; i < in->n_nics; i++) {
        char tap[16];
        if (brig_freebsd_tapname(c->j->id, in->nics[i].idx, tap, err) < 0)
            return -1;
        _cleanup_free_ char *d = brig_xasprintf("eth%d: destroy the tap", in->nics[i].idx);
        s = brig_plan_addv(c->plan, d, "ifconfig", tap, "destroy", (char *)NULL);
        s->may_fail = true;
    }
    return 0;
}

int brig_freebsd_plan_bstop(const struct brig_freebsd_input *in, struct brig_plan *ret,
                            struct brig_err *err)
{
    struct vctx c;
    int r = vctx_init(&c, in, ret, err);
    if (r == 0)
        r = plan_bstop(&c, err);
    vctx_free(&c);
    if (r < 0)
        brig_plan_free(ret);
    return r;
}

int brig_freebsd_plan_bcreate(const struct brig_freebsd_input *in, struct brig_plan *ret,
                              struct brig_err *err)
{
    struct vctx c;
    int r = vctx_init(&c, in, ret, err);
    if (r == 0) {
        struct brig_plan_step *s = brig_plan_addv(c.plan, "the VM's directory", "mkdir", "-m",
                                                  "0700", c.dir, (char *)NULL);
        brig_plan_step_undov(s, 0, "rm", "-rf", c.dir, (char *)NULL);
        if (c.disk) {
            /* raw only: bhyve has no qcow2, and brig makes no zvols yet */
            char size[32];
            uint64_t bytes = 0;
            brig_parse_size(val(c.j, BRIG_P_IMGSIZE), &bytes, NULL); /* vctx_init parsed it */
            disksize(size, bytes);
            brig_plan_addv(c.plan, "the VM's raw disk, sparse", "truncate", "-s", size, c.disk,
                           (char *)NULL);
            brig_plan_addv(c.plan, "only root reads the disk", "chmod", "0600", c.disk,
                           (char *)NULL);
        }
    }
    vctx_free(&c);
    if (r < 0)
        brig_plan_free(ret);
    return r;
}

int brig_freebsd_plan_bremove(const struct brig_freebsd_input *in, struct brig_plan *ret,
                              struct brig_err *err)
{
    struct vctx c;
    int r = vctx_init(&c, in, ret, err);
    if (r == 0) {
        _cleanup_free_ char *vm = brig_xasprintf("--vm=%s", c.name);
        struct brig_plan_step *s = brig_plan_addv(c.plan, "destroy a vmm instance a crash left",
                                                  "bhyvectl", vm, "--destroy", (char *)NULL);
        s->may_fail = true;
        brig_plan_addv(c.plan, "remove the VM's disk and seed", "rm", "-rf", c.dir, (char *)NULL);
        brig_plan_addv(c.plan, "remove its pid file, log and lock", "rm", "-rf", c.sysdir,
                       (char *)NULL);
    }
    vctx_free(&c);
    if (r < 0)
        brig_plan_free(ret);
    return r;
}
