/* VM records: bcreate, bremove, bls, bconsole; their checks, directory and disk. */
#define _GNU_SOURCE
#include "vm.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cidata.h"
#include "idmap.h"
#include "mac.h"
#include "jailop.h"
#include "lifecycle.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"
#include "vmprofile.h"

char *brig_vm_dir(const struct brig_ctx *c, const char *jname)
{
    return brig_ctx_path(c, "vm/%s", jname);
}

char *brig_vm_disk_path(const char *dir, const char *imgtype)
{
    return brig_xasprintf("%s/disk0.%s", dir, brig_streq(imgtype, "qcow2") ? "qcow2" : "raw");
}

static const char *val(const struct brig_jail *j, enum brig_param_id id)
{
    return j->v[id] ? j->v[id] : "";
}

int brig_vm_check(const struct brig_jail *j, struct brig_err *err)
{
    uint64_t ram = 0;
    if (brig_parse_size(val(j, BRIG_P_VM_RAM), &ram, err) < 0 || ram == 0)
        return brig_err_set(err, BRIG_EUSAGE, "vm_ram: the guest needs memory (at least 32m)");
    bool direct = *val(j, BRIG_P_KERNEL) != '\0';
    if (direct && !brig_streq(j->v[BRIG_P_VM_EFI], "none"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "kernel= boots the kernel directly: it needs vm_efi=none");
    if (!direct && brig_streq(j->v[BRIG_P_VM_EFI], "none"))
        return brig_err_set(err, BRIG_EUSAGE, "vm_efi=none needs kernel= (a kernel to boot)");
    if (!direct && *val(j, BRIG_P_INITRD))
        return brig_err_set(err, BRIG_EUSAGE, "initrd= needs kernel=");
    int64_t vnc = brig_jail_int(j, BRIG_P_VM_VNC_PORT);
    if (vnc > 1 && vnc < 5900)
        return brig_err_set(err, BRIG_EUSAGE,
                            "vm_vnc_port: %" PRId64 " is not 0 (auto), 1 (none) or 5900 and above",
                            vnc);
    if (*val(j, BRIG_P_VNC_PASSWORD) && vnc == 1)
        return brig_err_set(err, BRIG_EUSAGE, "vnc_password needs a VNC console (vm_vnc_port=)");
    for (const char *p = val(j, BRIG_P_VNC_PASSWORD); *p; p++) {
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
            return brig_err_set(err, BRIG_EUSAGE,
                                "vnc_password: printable characters only, no quote or backslash");
    }
    if (strlen(val(j, BRIG_P_VNC_PASSWORD)) > 8)
        return brig_err_set(err, BRIG_EUSAGE, "vnc_password: VNC takes at most 8 characters");
    if (*val(j, BRIG_P_CI_JNAME) && brig_check_hostname(val(j, BRIG_P_CI_JNAME), err) < 0)
        return brig_err_wrap(err, "ci_jname");
    if (*val(j, BRIG_P_CI_USER_ADD) &&
        brig_check_name("ci_user_add", val(j, BRIG_P_CI_USER_ADD), err) < 0)
        return -1;
    if (*val(j, BRIG_P_CI_USER_PUBKEY) && !*val(j, BRIG_P_CI_USER_ADD))
        return brig_err_set(err, BRIG_EUSAGE, "ci_user_pubkey needs ci_user_add");
    if (strpbrk(val(j, BRIG_P_CI_USER_PUBKEY), "\n\r"))
        return brig_err_set(err, BRIG_EUSAGE, "ci_user_pubkey: one line (the key's text)");
    if (strpbrk(val(j, BRIG_P_APPEND), "\n\r"))
        return brig_err_set(err, BRIG_EUSAGE, "append: one line");
    return 0;
}

/* The VM's first disk in dir, owned by uid: raw is a sparse file, qcow2 is
 * made by qemu-img; with a profile's image (image, of format), written from
 * it. imgsize=0 makes none. */
static int make_disk(const struct brig_jail *j, const char *dir, uid_t uid, const char *image,
                     const char *format, struct brig_err *err)
{
    uint64_t size = 0;
    if (brig_parse_size(val(j, BRIG_P_IMGSIZE), &size, err) < 0)
        return -1;
    if (size == 0)
        return 0;
    _cleanup_free_ char *disk = brig_vm_disk_path(dir, val(j, BRIG_P_IMGTYPE));
    if (image) {
        const char *type = brig_streq(j->v[BRIG_P_IMGTYPE], "qcow2") ? "qcow2" : "raw";
        if (brig_vm_disk_from_image(image, format, disk, type, size, err) < 0)
            return brig_err_wrap(err, "vm_os_profile %s", val(j, BRIG_P_VM_OS_PROFILE));
    } else if (brig_streq(j->v[BRIG_P_IMGTYPE], "qcow2")) {
        _cleanup_free_ char *bytes = brig_xasprintf("%" PRIu64, size);
        char qemu_img[] = "qemu-img", create[] = "create", q[] = "-q", f[] = "-f", fmt[] = "qcow2";
        char *argv[] = {qemu_img, create, q, f, fmt, disk, bytes, NULL};
        int status = 0;
        _cleanup_free_ char *out = NULL;
        if (brig_run(argv, NULL, &status, &out, err) < 0)
            return -1;
        if (status != 0) {
            if (out)
                out[strcspn(out, "\n")] = '\0';
            return brig_err_set(err, BRIG_EFAIL, "qemu-img create: %s",
                                out && *out ? out : "failed");
        }
    } else {
        _cleanup_close_ int fd = open(disk, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
            return brig_err_sys(err, errno, "disk %s", disk);
    }
    if (chown(disk, uid, uid) < 0 || chmod(disk, 0600) < 0)
        return brig_err_sys(err, errno, "chown %s", disk);
    return 0;
}

/* Make the VM's directory (owned by its own id, so QEMU reaches nothing else)
 * and, with disk, its first disk; on failure remove what it made. */
static int make_vm_dir(struct brig_ctx *c, const struct brig_jail *j, bool disk, const char *image,
                       const char *format, struct brig_err *err)
{
    _cleanup_free_ char *top = brig_ctx_path(c, "vm");
    _cleanup_free_ char *dir = brig_vm_dir(c, j->v[BRIG_P_JNAME]);
    uid_t uid = j->idmap ? j->idmap : 0;
    if (brig_dir_own(top, 0711, err) < 0)
        return -1;
    if (mkdir(dir, 0700) < 0)
        return brig_err_sys(err, errno, "mkdir %s", dir);
    if (chown(dir, uid, uid) < 0) {
        brig_err_sys(err, errno, "chown %s", dir);
        brig_rm_rf(dir, NULL);
        return -1;
    }
    if (disk && make_disk(j, dir, uid, image, format, err) < 0) {
        brig_rm_rf(dir, NULL);
        return -1;
    }
    return 0;
}

bool brig_vm_wants_seed(const struct brig_jail *j)
{
    return *val(j, BRIG_P_CI_JNAME) || *val(j, BRIG_P_CI_USER_ADD) || j->v[BRIG_P_CI_IP4_ADDR] ||
           !brig_streq(val(j, BRIG_P_CI_NAMESERVER), "0");
}

/* The seed's contents, from the recorded VM (its address resolved by IPAM);
 * the strings live in bufs. */
struct seed_bufs {
    char host[BRIG_HOSTNAME_MAX + 1], ip[64], gw[64], mac[BRIG_MAC_STRLEN];
};
static void seed_of(const struct brig_ctx *c, const struct brig_jail *j, struct seed_bufs *b,
                    struct brig_cidata *ret)
{
    const char *jname = j->v[BRIG_P_JNAME];
    snprintf(b->host, sizeof(b->host), "%s",
             *val(j, BRIG_P_CI_JNAME) ? val(j, BRIG_P_CI_JNAME) : jname);
    for (char *p = b->host; *p; p++)
        *p = *p == '_' ? '-' : *p;
    /* the first address of NIC 0, /24 when it has no prefix; DHCP otherwise */
    const char *ip = val(j, BRIG_P_IP4_ADDR);
    size_t n = strcspn(ip, ",");
    if (isdigit((unsigned char)ip[0]) && !memchr(ip, ':', n) && n < 40)
        snprintf(b->ip, sizeof(b->ip), "%.*s%s", (int)n, ip, memchr(ip, '/', n) ? "" : "/24");
    else
        snprintf(b->ip, sizeof(b->ip), "DHCP");
    const char *gw = val(j, BRIG_P_CI_GW4);
    if (brig_streq(gw, "auto"))
        gw = c->node.gateway4 ? c->node.gateway4 : "0";
    snprintf(b->gw, sizeof(b->gw), "%.*s", (int)strcspn(gw, "/"), gw);
    uint8_t mac[6];
    if (brig_streq(val(j, BRIG_P_NIC_HWADDR), "0"))
        brig_mac_derive(c->node.nodename, jname, 0, mac);
    else
        brig_mac_parse(val(j, BRIG_P_NIC_HWADDR), mac, NULL);
    brig_mac_format(mac, b->mac);
    const char *ns = val(j, BRIG_P_CI_NAMESERVER);
    *ret = (struct brig_cidata){
        .instance_id = jname,
        .hostname = b->host,
        .user = *val(j, BRIG_P_CI_USER_ADD) ? val(j, BRIG_P_CI_USER_ADD) : NULL,
        .pubkey = *val(j, BRIG_P_CI_USER_PUBKEY) ? val(j, BRIG_P_CI_USER_PUBKEY) : NULL,
        .ip4_addr = strcmp(b->ip, "DHCP") == 0 ? NULL : b->ip,
        .gw4 = strcmp(b->gw, "0") == 0 || strcmp(b->ip, "DHCP") == 0 ? NULL : b->gw,
        .nameserver = brig_streq(ns, "0") || brig_streq(ns, "auto") ? NULL : ns,
        .mac = b->mac,
    };
}

/* Check (dir NULL) or write the VM's seed ISO into dir, owned by its id. */
static int make_seed(const struct brig_ctx *c, const struct brig_jail *j, const char *dir,
                     struct brig_err *err)
{
    struct seed_bufs b;
    struct brig_cidata ci;
    if (!brig_vm_wants_seed(j))
        return 0;
    seed_of(c, j, &b, &ci);
    if (!dir) {
        _cleanup_free_ char *meta = NULL, *user = NULL, *net = NULL;
        return brig_cidata_render(&ci, &meta, &user, &net, err) < 0
                   ? brig_err_wrap(err, "cloud-init")
                   : 0;
    }
    _cleanup_free_ char *seed = brig_xasprintf("%s/seed.iso", dir);
    if (brig_cidata_write(seed, &ci, err) < 0)
        return brig_err_wrap(err, "cloud-init seed");
    if (chown(seed, j->idmap, j->idmap) < 0 || chmod(seed, 0400) < 0)
        return brig_err_sys(err, errno, "chown %s", seed);
    return 0;
}

/* The three files of j's seed as text, NULL when j has none. */
static char *seed_text(const struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    struct seed_bufs b;
    struct brig_cidata ci;
    if (!brig_vm_wants_seed(j))
        return NULL;
    seed_of(c, j, &b, &ci);
    _cleanup_free_ char *meta = NULL, *user = NULL, *net = NULL;
    if (brig_cidata_render(&ci, &meta, &user, &net, err) < 0) {
        brig_err_wrap(err, "cloud-init");
        return NULL;
    }
    return brig_xasprintf("%s\n--\n%s\n--\n%s", meta, user, net ? net : "");
}

static char *staged_path(const char *dir)
{
    return brig_xasprintf("%s/seed.iso.new", dir);
}

int brig_vm_seed_stage(const struct brig_ctx *c, const struct brig_jail *old,
                       const struct brig_jail *j, enum brig_seed_change *ret, struct brig_err *err)
{
    *ret = BRIG_SEED_SAME;
    struct brig_err e = BRIG_ERR_INIT;
    _cleanup_free_ char *was = seed_text(c, old, &e);
    _cleanup_free_ char *now = seed_text(c, j, err);
    if (!now && brig_vm_wants_seed(j))
        return -1;
    if ((!was && !now) || brig_streq(was, now))
        return 0;
    _cleanup_free_ char *dir = brig_vm_dir(c, j->v[BRIG_P_JNAME]);
    if (!now) {
        *ret = BRIG_SEED_REMOVE;
        return 0;
    }
    _cleanup_free_ char *staged = staged_path(dir);
    struct seed_bufs b;
    struct brig_cidata ci;
    seed_of(c, j, &b, &ci);
    if (brig_cidata_write(staged, &ci, err) < 0)
        return brig_err_wrap(err, "cloud-init seed");
    /* the record's id range is old's (a change never moves it) */
    if (chown(staged, old->idmap, old->idmap) < 0 || chmod(staged, 0400) < 0) {
        brig_err_sys(err, errno, "chown %s", staged);
        unlink(staged);
        return -1;
    }
    *ret = BRIG_SEED_WRITE;
    return 0;
}

int brig_vm_seed_install(const struct brig_ctx *c, const char *jname, enum brig_seed_change ch,
                         bool commit, struct brig_err *err)
{
    _cleanup_free_ char *dir = brig_vm_dir(c, jname);
    _cleanup_free_ char *staged = staged_path(dir);
    _cleanup_free_ char *seed = brig_xasprintf("%s/seed.iso", dir);
    if (ch == BRIG_SEED_WRITE && !commit)
        unlink(staged);
    else if (ch == BRIG_SEED_WRITE && rename(staged, seed) < 0)
        return brig_err_sys(err, errno, "rename %s", staged);
    else if (ch == BRIG_SEED_REMOVE && commit && unlink(seed) < 0 && errno != ENOENT)
        return brig_err_sys(err, errno, "remove %s", seed);
    return 0;
}

/* Build a validated VM record from bcreate's arguments. */
static int vm_from_args(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_jail *j,
                        struct brig_err *err)
{
    if (brig_jail_apply_params(j, args, true, true, err) < 0)
        return -1;
    if (!j->v[BRIG_P_JNAME])
        return brig_err_set(err, BRIG_EUSAGE, "jname= is required");
    if (!j->v[BRIG_P_EMULATOR])
        brig_jail_set(j, BRIG_P_EMULATOR, c->os == BRIG_K_FREEBSD ? "bhyve" : "qemu");
    if (brig_streq(j->v[BRIG_P_EMULATOR], "bhyve") != (c->os == BRIG_K_FREEBSD))
        return brig_err_set(err, BRIG_EUSAGE, "emulator=%s: this kernel's VMs are %s",
                            j->v[BRIG_P_EMULATOR], c->os == BRIG_K_FREEBSD ? "bhyve" : "qemu");
    /* a VM has a network stack of its own, like a VNET jail */
    brig_jail_set(j, BRIG_P_VNET, "1");
    if (j->v[BRIG_P_CI_IP4_ADDR] && !j->v[BRIG_P_IP4_ADDR])
        brig_jail_set(j, BRIG_P_IP4_ADDR, j->v[BRIG_P_CI_IP4_ADDR]);
    if (!j->v[BRIG_P_IP4_ADDR])
        brig_jail_set(j, BRIG_P_IP4_ADDR, "REALDHCP");
    if (j->v[BRIG_P_KERNEL] && *j->v[BRIG_P_KERNEL] && !j->v[BRIG_P_VM_EFI])
        brig_jail_set(j, BRIG_P_VM_EFI, "none");
    brig_jail_fill_defaults(j, c->workdir, c->os);
    return brig_jail_preflight(c, j, err);
}

/* Make the VM's directory and disk through the kernel's plan when it has one
 * and runs here; else (or for a record of another kernel) as make_vm_dir does. */
static int create_vm_files(struct brig_ctx *c, const struct brig_jail *j, bool disk,
                           const char *image, const char *format, struct brig_err *err)
{
    const struct brig_os_ops *ops = brig_os_get(c->os);
    if (!ops->vm_create || c->os != brig_os_native())
        return make_vm_dir(c, j, disk, image, format, err);
    _cleanup_free_ char *top = brig_ctx_path(c, "vm");
    if (brig_dir_own(top, 0711, err) < 0)
        return -1;
    struct brig_jail_env env = {.jail = j, .node = &c->node};
    return ops->vm_create(&env, err);
}

/* The directory a bclone fills before it becomes the new VM's. */
static char *clone_tmp(const struct brig_ctx *c, const char *jname)
{
    return brig_ctx_path(c, "vm/.clone-%s", jname);
}

/* A directory that an interrupted bclone moved into place before its record
 * was committed holds this file; with no record of its name, it is garbage. */
#define CLONING_MARK ".cloning"

/* The directory of VM j as bclone makes it: filled by fill in a temporary
 * directory, its seed written there, then moved into place marked, for the
 * caller to commit the record and drop the mark. */
static int clone_vm_dir(struct brig_ctx *c, const struct brig_jail *j, const char *dir,
                        brig_vm_clone_fn *fill, void *data, struct brig_err *err)
{
    _cleanup_free_ char *tmp = clone_tmp(c, j->v[BRIG_P_JNAME]);
    _cleanup_free_ char *top = brig_ctx_path(c, "vm");
    _cleanup_free_ char *mark = brig_xasprintf("%s/" CLONING_MARK, tmp);
    _cleanup_close_ int fd = -1;
    if (brig_dir_own(top, 0711, err) < 0 || brig_rm_rf(tmp, err) < 0)
        return -1;
    brig_fault_point("bclone", 1, "before");
    if (fill(c, j, tmp, data, err) < 0)
        goto fail;
    fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        brig_err_sys(err, errno, "create %s", mark);
        goto fail;
    }
    if (make_seed(c, j, tmp, err) < 0)
        goto fail;
    brig_fault_point("bclone", 2, "before");
    if (rename(tmp, dir) < 0) {
        brig_err_sys(err, errno, "rename %s to %s", tmp, dir);
        goto fail;
    }
    return 0;
fail:
    brig_rm_rf(tmp, NULL);
    return -1;
}

/* dir (of a VM whose record is not committed) exists: remove it when an
 * interrupted bclone left it, else refuse. */
static int dir_free(const char *dir, struct brig_err *err)
{
    _cleanup_free_ char *mark = brig_xasprintf("%s/" CLONING_MARK, dir);
    if (!brig_path_exists(dir))
        return 0;
    if (brig_path_exists(mark))
        return brig_rm_rf(dir, err);
    return brig_err_set(err, BRIG_EFAIL, "VM directory %s already exists", dir);
}

/* What fills a new VM's directory: nothing (a new disk and seed), an
 * archive's content (import), or a copy made aside (clone). */
struct vm_fill {
    brig_vm_fill_fn *import;
    brig_vm_clone_fn *clone;
    void *data;
};

/* bcreate's arguments over the defaults of the profile they name, if any. */
static int args_with_profile(struct brig_ctx *c, const struct brig_kvlist *args,
                             struct brig_vm_profile *prof, struct brig_kvlist *ret,
                             struct brig_err *err)
{
    const char *name = brig_kvlist_get(args, "vm_os_profile");
    memset(ret, 0, sizeof(*ret));
    if (name && *name) {
        if (c->os != BRIG_K_LINUX)
            return brig_err_set(err, BRIG_EUSAGE, "vm_os_profile: fetched on Linux hosts only");
        if (brig_vm_profile_load(c->workdir, name, prof, err) < 0)
            return -1;
        for (size_t i = 0; i < prof->defaults.n; i++)
            if (!brig_kvlist_get(args, prof->defaults.items[i].key))
                brig_kvlist_add(ret, prof->defaults.items[i].key, prof->defaults.items[i].value, 0);
    }
    for (size_t i = 0; i < args->n; i++)
        brig_kvlist_add(ret, args->items[i].key, args->items[i].value, args->items[i].line);
    return 0;
}

static int bcreate_with(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_buf *plan,
                        const struct vm_fill *f, struct brig_jail *ret, struct brig_err *err)
{
    struct brig_jail j = {0};
    _cleanup_free_ char *dir = NULL, *image = NULL;
    struct brig_vm_profile prof = {0};
    if (brig_ctx_open(c, err) < 0)
        return -1;
    /* a profile makes a new VM's disk; an import or a clone brings its own */
    struct brig_kvlist all = {0};
    int pr = f->import || f->clone ? vm_from_args(c, args, &j, err)
                                   : args_with_profile(c, args, &prof, &all, err);
    if (pr == 0 && !f->import && !f->clone)
        pr = vm_from_args(c, &all, &j, err);
    brig_kvlist_free(&all);
    if (pr < 0)
        goto fail;
    dir = brig_vm_dir(c, j.v[BRIG_P_JNAME]);
    /* the download holds no lock and no transaction */
    if (prof.name && !c->dry_run &&
        brig_vm_profile_image(c->workdir, &prof, c->progress, c->progress_data, &image, err) < 0)
        goto fail;
    if (brig_store_begin(c->st, err) < 0)
        goto fail;
    if (brig_jail_check_vimage(c, &j, err) < 0 || brig_store_jail_insert(c->st, &j, err) < 0 ||
        brig_jail_assign_addresses(c, &j, err) < 0 || brig_store_jail_update(c->st, &j, err) < 0 ||
        brig_jail_sync_nic0(c, &j, err) < 0)
        goto rollback;
    if (c->dry_run) {
        const struct brig_os_ops *ops = brig_os_get(c->os);
        struct brig_jail_env env = {.jail = &j, .node = &c->node, .plan = plan};
        if (plan && ops->vm_create && ops->vm_create(&env, err) < 0)
            goto rollback;
        brig_store_rollback(c->st);
        brig_vm_profile_clear(&prof);
        *ret = j;
        return 0;
    }
    /* the record's name is free (inserted above): what an interrupted bclone left goes */
    if (dir_free(dir, err) < 0)
        goto rollback;
    if (make_seed(c, &j, NULL, err) < 0 || brig_jail_assign_idmap(c, &j, err) < 0)
        goto rollback;
    if (f->clone ? clone_vm_dir(c, &j, dir, f->clone, f->data, err) < 0
                 : create_vm_files(c, &j, !f->import, image, prof.format, err) < 0)
        goto rollback;
    bool seed = !f->clone && !f->import;
    if (f->import && f->import(&j, dir, f->data, &seed, err) < 0) {
        brig_rm_rf(dir, NULL);
        goto rollback;
    }
    if (seed && make_seed(c, &j, dir, err) < 0) {
        brig_rm_rf(dir, NULL);
        goto rollback;
    }
    brig_fault_point("bclone", 3, "before");
    if (brig_store_commit(c->st, err) < 0) {
        brig_rm_rf(dir, NULL);
        goto fail;
    }
    if (f->clone) {
        _cleanup_free_ char *mark = brig_xasprintf("%s/" CLONING_MARK, dir);
        unlink(mark);
    }
    brig_vm_profile_clear(&prof);
    *ret = j;
    return 0;
rollback:
    brig_store_rollback(c->st);
fail:
    brig_vm_profile_clear(&prof);
    brig_idmap_release(c->subid_files, j.idmap, NULL);
    if (j.v[BRIG_P_JNAME])
        brig_err_wrap(err, "%s", j.v[BRIG_P_JNAME]);
    brig_jail_clear(&j);
    return -1;
}

int brig_bcreate(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_buf *plan,
                 struct brig_jail *ret, struct brig_err *err)
{
    struct vm_fill f = {0};
    return bcreate_with(c, args, plan, &f, ret, err);
}

int brig_bcreate_filled(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_buf *plan,
                        brig_vm_fill_fn *fill, void *data, struct brig_jail *ret,
                        struct brig_err *err)
{
    struct vm_fill f = {.import = fill, .data = data};
    return bcreate_with(c, args, plan, &f, ret, err);
}

int brig_bcreate_cloned(struct brig_ctx *c, const struct brig_kvlist *args, brig_vm_clone_fn *fill,
                        void *data, struct brig_jail *ret, struct brig_err *err)
{
    struct vm_fill f = {.clone = fill, .data = data};
    return bcreate_with(c, args, NULL, &f, ret, err);
}

int brig_vm_clone_sweep(struct brig_ctx *c, struct brig_err *err)
{
    _cleanup_free_ char *top = brig_ctx_path(c, "vm");
    if (brig_ctx_open(c, err) < 0)
        return -1;
    /* a bclone holds the store's write lock from its first file to its
     * commit: under the lock, what it left is no longer in use */
    if (brig_store_begin(c->st, err) < 0)
        return -1;
    DIR *d = opendir(top);
    if (!d) {
        brig_store_rollback(c->st);
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", top);
    }
    int r = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", top, e->d_name);
        _cleanup_free_ char *mark = brig_xasprintf("%s/" CLONING_MARK, p);
        struct brig_jail j = {0};
        bool garbage = brig_startswith(e->d_name, ".clone-");
        if (!garbage && e->d_name[0] != '.' && brig_path_exists(mark)) {
            garbage = brig_store_jail_get(c->st, e->d_name, &j, NULL) < 0;
            brig_jail_clear(&j);
        }
        if (garbage && brig_rm_rf(p, r == 0 ? err : NULL) < 0)
            r = -1;
    }
    closedir(d);
    brig_store_rollback(c->st);
    return r;
}

int brig_record_kind_check(struct brig_ctx *c, const char *jname, bool vm, const char *verb,
                           struct brig_err *err)
{
    struct brig_jail j = {0};
    if (brig_jget(c, jname, &j, err) < 0)
        return -1;
    bool is_vm = brig_jail_is_vm(&j);
    brig_jail_clear(&j);
    if (is_vm == vm)
        return 0;
    return brig_err_set(err, BRIG_EUSAGE, "%s: is a %s (%s)", jname, is_vm ? "VM" : "jail",
                        is_vm ? "b* verbs: bstart, bstop, bset ..."
                              : "j* verbs: jstart, jstop ...");
}

/* bremove --dry-run: what bremove would remove, changing nothing. */
static int bremove_plan(struct brig_ctx *c, const char *jname, bool force, struct brig_buf *plan,
                        struct brig_err *err)
{
    struct brig_jail_op op;
    const struct brig_os_ops *ops = brig_os_get(c->os);
    int r = -1;
    if (brig_record_kind_check(c, jname, true, "bremove", err) < 0)
        return -1;
    if (brig_jail_op_open(c, jname, false, &op, err) < 0)
        goto out;
    if (op.running && !force) {
        brig_err_set(err, BRIG_EFAIL, "%s: is running (stop it first, or force=1)", jname);
        goto out;
    }
    if (op.running)
        brig_buf_addf(plan, "# %s is running: force=1 stops it first\n", jname);
    if (ops->vm_remove) {
        op.env.plan = plan;
        r = ops->vm_remove(&op.env, err);
    } else {
        brig_buf_addf(plan, "# %s: its record, %s and %s would be removed\n", jname, op.vmdir,
                      op.sysdir);
        r = 0;
    }
out:
    brig_jail_op_free(&op);
    return r;
}

/* Remove the VM's files through the kernel's plan when it has one and runs
 * here; else its directories directly. */
static int remove_vm_files(struct brig_ctx *c, struct brig_jail_op *op, const char *sys,
                           struct brig_err *err)
{
    const struct brig_os_ops *ops = brig_os_get(c->os);
    if (ops->vm_remove && c->os == brig_os_native())
        return ops->vm_remove(&op->env, err);
    if (brig_rm_rf(op->vmdir, err) < 0 || brig_rm_rf(sys, err) < 0)
        return -1;
    return 0;
}

int brig_bremove(struct brig_ctx *c, const char *jname, bool force, struct brig_buf *plan,
                 struct brig_err *err)
{
    struct brig_jail_op op;
    _cleanup_free_ char *sys = brig_ctx_path(c, "jails-system/%s", jname);
    int r = -1;
    if (plan)
        return bremove_plan(c, jname, force, plan, err);
    if (brig_jail_op_open_removable(c, jname, true, "bremove", force, &op, err) < 0)
        goto out;
    if (brig_jail_op_settle(&op, err) < 0)
        goto out;
    if (brig_store_begin(c->st, err) < 0)
        goto out;
    if (brig_store_jail_delete(c->st, op.j.id, err) < 0) {
        brig_store_rollback(c->st);
        goto out;
    }
    if (remove_vm_files(c, &op, sys, err) < 0) {
        brig_store_rollback(c->st);
        brig_err_wrap(err, "%s", jname);
        goto out;
    }
    r = brig_store_commit(c->st, err);
    if (r == 0)
        brig_idmap_release(c->subid_files, op.j.idmap, NULL);
out:
    brig_jail_op_free(&op);
    return r;
}

struct bls_state {
    struct brig_ctx *c;
    brig_bls_cb cb;
    void *ud;
};

static int bls_row(const struct brig_jls_row *row, void *ud)
{
    struct bls_state *s = ud;
    const struct brig_os_ops *ops = brig_os_get(s->c->os);
    char state[32] = "stopped";
    if (row->running) {
        /* the monitor is busy (a bstop holds it) or gone: the process still runs */
        snprintf(state, sizeof(state), "running");
        if (ops->vm_status) {
            _cleanup_free_ char *dir = brig_vm_dir(s->c, row->v[0]);
            ops->vm_status(dir, state, sizeof(state), NULL);
        }
    }
    struct brig_bls_row out = {row, state};
    return s->cb(&out, s->ud);
}

int brig_bls(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols, brig_bls_cb cb,
             void *ud, struct brig_err *err)
{
    /* the name first: bls_row finds the VM's directory by it */
    _cleanup_free_ enum brig_param_id *all = brig_xcalloc(ncols + 1, sizeof(*all));
    all[0] = BRIG_P_JNAME;
    memcpy(all + 1, cols, ncols * sizeof(*cols));
    struct bls_state s = {c, cb, ud};
    return brig_records_list(c, true, all, ncols + 1, bls_row, &s, err);
}

int brig_bconsole(struct brig_ctx *c, const char *jname, int in, int out, struct brig_err *err)
{
    struct brig_jail_op op;
    int r = -1;
    if (brig_record_kind_check(c, jname, true, "bconsole", err) < 0)
        return -1;
    if (brig_jail_op_open(c, jname, false, &op, err) < 0)
        goto done;
    const struct brig_os_ops *ops = brig_os_get(c->os);
    if (!op.running)
        brig_err_set(err, BRIG_EFAIL, "%s: not running", jname);
    else if (!ops->vm_console)
        brig_err_set(err, BRIG_EUSAGE, "%s: bconsole needs the VM's own kernel", jname);
    else if ((r = ops->vm_console(op.vmdir, in, out, err)) < 0)
        brig_err_wrap(err, "%s", jname);
done:
    brig_jail_op_free(&op);
    return r;
}
