/* jrename, jclone and bclone: a stopped jail under a new name, or a jail or VM
 * copied to one. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "brig.h"
#include "jailop.h"
#include "lifecycle.h"
#include "os/os.h"
#include "store/store.h"
#include "util.h"
#include "vm.h"

/* The parameters whose default follows the jail's name (path, data,
 * host_hostname): *ret_from and *ret_to get jails holding only defaults for
 * each name, with j's vnet (which picks some defaults). */
static void name_defaults(const struct brig_ctx *c, const struct brig_jail *j, const char *to,
                          struct brig_jail *ret_from, struct brig_jail *ret_to)
{
    memset(ret_from, 0, sizeof(*ret_from));
    memset(ret_to, 0, sizeof(*ret_to));
    brig_jail_set(ret_from, BRIG_P_JNAME, j->v[BRIG_P_JNAME]);
    brig_jail_set(ret_to, BRIG_P_JNAME, to);
    brig_jail_set(ret_from, BRIG_P_VNET, j->v[BRIG_P_VNET]);
    brig_jail_set(ret_to, BRIG_P_VNET, j->v[BRIG_P_VNET]);
    brig_jail_fill_defaults(ret_from, c->workdir, c->os);
    brig_jail_fill_defaults(ret_to, c->workdir, c->os);
}

/* Is parameter i of j the default its name gives, and another under name to? */
static bool follows_name(const struct brig_jail *j, const struct brig_jail *from,
                         const struct brig_jail *to, int i)
{
    return i != BRIG_P_JNAME && from->v[i] && brig_streq(j->v[i], from->v[i]) &&
           !brig_streq(from->v[i], to->v[i]);
}

/* Refuse a jail that runs: both verbs take a stopped one. */
static int need_stopped(const struct brig_jail_op *op, struct brig_err *err)
{
    if (op->running)
        return brig_err_set(err, BRIG_EUSAGE, "is running (stop it first: brig jstop jname=%s)",
                            op->j.v[BRIG_P_JNAME]);
    return 0;
}

/* jails-system/.rename-<id>: "old\nnew\n" while a jrename of jail id is under way. */
static char *rename_marker(const struct brig_ctx *c, int64_t id)
{
    return brig_ctx_path(c, "jails-system/.rename-%lld", (long long)id);
}

/* The directories a rename moves, old and new, in the order it moves them. */
struct rename_dirs {
    char *from[3], *to[3];
    size_t n;
};

static void rename_dirs_free(struct rename_dirs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->from[i]);
        free(d->to[i]);
    }
    d->n = 0;
}

static void rename_dirs_add(struct rename_dirs *d, const char *from, const char *to)
{
    if (brig_streq(from, to))
        return;
    d->from[d->n] = brig_xstrdup(from);
    d->to[d->n++] = brig_xstrdup(to);
}

/* data, path and the system dir of j (named old) as they are under name new. */
static void rename_plan(struct brig_ctx *c, const struct brig_jail *j, const struct brig_jail *nj,
                        struct rename_dirs *d)
{
    memset(d, 0, sizeof(*d));
    rename_dirs_add(d, j->v[BRIG_P_DATA], nj->v[BRIG_P_DATA]);
    rename_dirs_add(d, j->v[BRIG_P_PATH], nj->v[BRIG_P_PATH]);
    _cleanup_free_ char *sys_old = brig_ctx_path(c, "jails-system/%s", j->v[BRIG_P_JNAME]);
    _cleanup_free_ char *sys_new = brig_ctx_path(c, "jails-system/%s", nj->v[BRIG_P_JNAME]);
    rename_dirs_add(d, sys_old, sys_new);
}

/* Move back whatever of d was moved. A system dir remade by the jail's lock
 * since (holding its lock file only) gives way to the one moved. */
static int rename_back(const struct rename_dirs *d, struct brig_err *err)
{
    int r = 0;
    for (size_t i = d->n; i > 0; i--) {
        const char *from = d->from[i - 1], *to = d->to[i - 1];
        if (!brig_path_exists(to))
            continue;
        if (i == d->n) {
            _cleanup_free_ char *lock = brig_xasprintf("%s/lock", from);
            unlink(lock);
        }
        rmdir(from);
        if (rename(to, from) < 0 && r == 0)
            r = brig_err_sys(err, errno, "move %s back to %s", to, from);
    }
    return r;
}

/* The new jail record of a rename of j to new_name; parameters that followed
 * the old name follow the new one. */
static void renamed_record(const struct brig_ctx *c, const struct brig_jail *j,
                           const char *new_name, struct brig_jail *ret)
{
    struct brig_jail from, to;
    name_defaults(c, j, new_name, &from, &to);
    memset(ret, 0, sizeof(*ret));
    ret->id = j->id;
    ret->idmap = j->idmap;
    for (int i = 0; i < BRIG_P__COUNT; i++)
        brig_jail_set(ret, (enum brig_param_id)i,
                      follows_name(j, &from, &to, i) ? to.v[i] : j->v[i]);
    brig_jail_set(ret, BRIG_P_JNAME, new_name);
    brig_jail_clear(&from);
    brig_jail_clear(&to);
}

int brig_jrename_settle(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err)
{
    _cleanup_free_ char *marker = rename_marker(c, j->id);
    _cleanup_close_ int fd = open(marker, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : brig_err_sys(err, errno, "open %s", marker);
    /* its writer holds it locked while the rename is under way */
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        return errno == EWOULDBLOCK
                   ? brig_err_set(err, BRIG_EFAIL, "a jrename of this jail is under way")
                   : brig_err_sys(err, errno, "lock %s", marker);
    char buf[2 * BRIG_JNAME_MAX + 8];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        return brig_err_sys(err, errno, "read %s", marker);
    buf[n] = '\0';
    char *text = buf;
    char *nl = strchr(text, '\n');
    if (!nl)
        return unlink(marker) < 0 ? brig_err_sys(err, errno, "remove %s", marker) : 0;
    *nl = '\0';
    char *new_name = nl + 1;
    new_name[strcspn(new_name, "\n")] = '\0';
    /* the record was renamed: the rename is complete */
    if (!brig_streq(j->v[BRIG_P_JNAME], text) || brig_check_name("jname", new_name, NULL) < 0)
        return unlink(marker) < 0 ? brig_err_sys(err, errno, "remove %s", marker) : 0;
    struct brig_jail nj;
    struct rename_dirs d;
    renamed_record(c, j, new_name, &nj);
    rename_plan(c, j, &nj, &d);
    int r = rename_back(&d, err);
    rename_dirs_free(&d);
    brig_jail_clear(&nj);
    if (r < 0)
        return brig_err_wrap(err, "undo the interrupted rename to %s", new_name);
    return unlink(marker) < 0 ? brig_err_sys(err, errno, "remove %s", marker) : 0;
}

/* The jail's "made" file names the directories jcreate made; those that were
 * its data or path are now under their new names. */
static void rename_made(struct brig_ctx *c, const struct brig_jail *j, const struct brig_jail *nj)
{
    _cleanup_free_ char *made = brig_ctx_path(c, "jails-system/%s/made", nj->v[BRIG_P_JNAME]);
    _cleanup_free_ char *text = NULL;
    if (brig_read_file(made, 1 << 16, &text, NULL, NULL) < 0)
        return;
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *v = brig_streq(line, j->v[BRIG_P_DATA])   ? nj->v[BRIG_P_DATA]
                        : brig_streq(line, j->v[BRIG_P_PATH]) ? nj->v[BRIG_P_PATH]
                                                              : line;
        brig_buf_addf(&b, "%s\n", v);
    }
    brig_write_file_atomic(made, b.s, b.len, 0600, NULL);
    brig_buf_free(&b);
}

/* The new name's checks: a valid name, free, its derived values valid, its
 * directories free. */
static int rename_check(struct brig_ctx *c, const struct brig_jail_op *op,
                        const struct brig_jail *nj, const struct rename_dirs *d,
                        struct brig_err *err)
{
    struct brig_jail other = {0};
    struct brig_err e = BRIG_ERR_INIT;
    const char *new_name = nj->v[BRIG_P_JNAME];
    if (brig_store_jail_get(c->st, new_name, &other, &e) == 0) {
        brig_jail_clear(&other);
        return brig_err_set(err, BRIG_EUSAGE, "a jail named %s exists", new_name);
    }
    if (need_stopped(op, err) < 0 || brig_jail_preflight(c, nj, err) < 0)
        return -1;
    for (size_t i = 0; i < d->n; i++) {
        if (brig_path_exists(d->to[i]))
            return brig_err_set(err, BRIG_EUSAGE, "%s exists (left by another jail?)", d->to[i]);
    }
    return 0;
}

int brig_jrename(struct brig_ctx *c, const char *old, const char *new_name, const char *hostname,
                 struct brig_err *err)
{
    struct brig_jail_op op;
    struct brig_jail nj = {0};
    struct rename_dirs d = {0};
    _cleanup_free_ char *marker = NULL, *text = NULL;
    _cleanup_close_ int mfd = -1;
    int r = -1;
    if (brig_check_name("new", new_name, err) < 0 || brig_check_name("old", old, err) < 0)
        return -1;
    if (strcmp(old, new_name) == 0)
        return brig_err_set(err, BRIG_EUSAGE, "%s: old and new are the same name", old);
    /* its errors name the jail already */
    if (brig_jail_op_open(c, old, true, &op, err) < 0)
        goto done;
    renamed_record(c, &op.j, new_name, &nj);
    if (hostname)
        brig_jail_set(&nj, BRIG_P_HOST_HOSTNAME, hostname);
    rename_plan(c, &op.j, &nj, &d);
    if (rename_check(c, &op, &nj, &d, err) < 0)
        goto out;
    /* what a crashed jail left (its cgroup, mounts) goes under the old name */
    if (brig_jail_op_settle(&op, err) < 0)
        goto out;
    marker = rename_marker(c, op.j.id);
    text = brig_xasprintf("%s\n%s\n", old, new_name);
    mfd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (mfd < 0 || flock(mfd, LOCK_EX) < 0 ||
        write(mfd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(mfd) < 0) {
        brig_err_sys(err, errno ? errno : EIO, "write %s", marker);
        if (mfd >= 0)
            unlink(marker);
        goto out;
    }
    for (size_t i = 0; i < d.n; i++) {
        brig_fault_point("jrename", (int)i + 1, "before");
        if (rename(d.from[i], d.to[i]) < 0 && errno != ENOENT) {
            brig_err_sys(err, errno, "rename %s to %s", d.from[i], d.to[i]);
            goto undo;
        }
    }
    brig_fault_point("jrename", 4, "before");
    if (brig_store_begin(c->st, err) < 0)
        goto undo;
    if (brig_store_jail_update(c->st, &nj, err) < 0 || brig_store_commit(c->st, err) < 0) {
        brig_store_rollback(c->st);
        goto undo;
    }
    brig_fault_point("jrename", 4, "after");
    rename_made(c, &op.j, &nj);
    unlink(marker);
    r = 0;
    goto out;
undo:
    if (rename_back(&d, &(struct brig_err)BRIG_ERR_INIT) == 0)
        unlink(marker);
out:
    if (r < 0)
        brig_err_wrap(err, "%s", old);
done:
    rename_dirs_free(&d);
    brig_jail_clear(&nj);
    brig_jail_op_free(&op);
    return r;
}

char *brig_ipam_unpicked(struct brig_ctx *c, const char *ip)
{
    if (!ip)
        return NULL;
    struct brig_buf b = {0};
    _cleanup_free_ char *copy = brig_xstrdup(ip);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        struct brig_addr a;
        char host[BRIG_ADDR_STRLEN];
        _cleanup_free_ char *kind = NULL;
        const char *v = t;
        if (brig_addr_parse(t, &a, NULL) == 0) {
            brig_addr_format(&a, false, host);
            brig_store_ipam_kind(c->st, host, &kind, NULL);
            v = brig_streq(kind, "dhcp") ? "DHCP" : brig_streq(kind, "dhcp6") ? "DHCPv6" : t;
        }
        brig_buf_addf(&b, "%s%s", b.s ? "," : "", v);
    }
    return brig_buf_steal(&b);
}

/* The old jail's NICs besides eth0 (jnic), for the clone: its own MACs and
 * addresses, in the transaction that records it. */
static int clone_nics(struct brig_ctx *c, const struct brig_jail_op *op, const struct brig_jail *j,
                      struct brig_err *err)
{
    for (size_t i = 0; i < op->nnics; i++) {
        const struct brig_nic *old = &op->nics[i];
        if (old->idx == 0)
            continue;
        _cleanup_free_ char *want = brig_ipam_unpicked(c, old->addrs);
        _cleanup_free_ char *addrs = NULL;
        if (brig_ipam_assign(c, j->id, old->idx, want, &addrs, err) < 0)
            return brig_err_wrap(err, "nic=%d (change or remove it on %s first)", old->idx,
                                 op->j.v[BRIG_P_JNAME]);
        char derived[] = "0";
        struct brig_nic nic = *old;
        nic.id = 0;
        nic.jail_id = j->id;
        nic.hwaddr = derived;
        nic.addrs = addrs;
        if (brig_store_nic_insert(c->st, &nic, err) < 0)
            return -1;
    }
    return 0;
}

/* The old jail's host directories (jfstab) are the clone's too. */
static int clone_fstab(struct brig_ctx *c, const struct brig_jail_op *op, const struct brig_jail *j,
                       struct brig_err *err)
{
    struct brig_fstab *v = NULL;
    size_t n = 0;
    if (brig_store_fstab_list(c->st, op->j.id, &v, &n, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++)
        r = brig_store_fstab_insert(c->st, j->id, &v[i], err);
    brig_fstabs_free(v, n);
    return r;
}

/* What jclone copies into the new jail's data: the stopped old jail's files. */
static int clone_fill(const struct brig_jail *j, void *ud, struct brig_err *err)
{
    const struct brig_jail_op *op = ud;
    struct brig_ctx *c = op->c;
    const struct brig_os_ops *ops = brig_os_get(c->os);
    if (clone_nics(c, op, j, err) < 0 || clone_fstab(c, op, j, err) < 0)
        return -1;
    if (c->os != brig_os_native())
        return 0;
    return ops->clone_data(&op->env, j, err);
}

/* The new record's parameters: j's, but those that follow its name, with
 * new picks for the addresses IPAM picked and a MAC of its own, then args. */
static void clone_args(struct brig_ctx *c, const struct brig_jail *j, const char *new_name,
                       const struct brig_kvlist *args, struct brig_kvlist *ret)
{
    struct brig_jail from, to;
    name_defaults(c, j, new_name, &from, &to);
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const char *v = j->v[i];
        if (!v || i == BRIG_P_JNAME || follows_name(j, &from, &to, i))
            continue;
        _cleanup_free_ char *picked = NULL;
        if (i == BRIG_P_IP4_ADDR)
            v = picked = brig_ipam_unpicked(c, v);
        /* a MAC of the jail's own would be the old jail's: the clone derives its own */
        if (i == BRIG_P_NIC_HWADDR)
            v = "0";
        brig_kvlist_add(ret, brig_params[i].name, v, 0);
    }
    brig_jail_clear(&from);
    brig_jail_clear(&to);
    for (size_t i = 0; i < args->n; i++)
        brig_kvlist_add(ret, args->items[i].key, args->items[i].value, 0);
}

int brig_jclone(struct brig_ctx *c, const char *old, const struct brig_kvlist *args,
                struct brig_jail *ret, struct brig_err *err)
{
    struct brig_jail_op op;
    struct brig_kvlist all = {0};
    const char *new_name = brig_kvlist_get(args, "jname");
    int r = -1;
    if (!new_name)
        return brig_err_set(err, BRIG_EUSAGE, "new= is required");
    if (brig_check_name("new", new_name, err) < 0 || brig_check_name("old", old, err) < 0)
        return -1;
    if (!brig_os_get(c->os)->clone_data)
        return brig_err_set(err, BRIG_EUSAGE, "jclone: not available for %s jails",
                            brig_os_get(c->os)->name);
    if (brig_jail_op_open(c, old, true, &op, err) < 0)
        goto done;
    /* what a crash left (mounts of an interrupted start) goes before the copy */
    if (need_stopped(&op, err) < 0 || brig_jail_op_settle(&op, err) < 0)
        goto out;
    clone_args(c, &op.j, new_name, args, &all);
    r = brig_jcreate_filled(c, &all, clone_fill, &op, ret, err);
    /* jcreate_filled names the new jail in its errors */
    if (r < 0)
        goto done;
out:
    if (r < 0)
        brig_err_wrap(err, "%s", old);
done:
    brig_kvlist_free(&all);
    brig_jail_op_free(&op);
    return r;
}

/* What bclone copies into the new VM's directory: the old VM's disks (the
 * seed is the new VM's own, the console log stays), owned by the new VM's id;
 * its other NICs in the record's transaction. */
static int bclone_fill(struct brig_ctx *c, const struct brig_jail *j, const char *dir, void *ud,
                       struct brig_err *err)
{
    const struct brig_jail_op *op = ud;
    const struct brig_os_ops *ops = brig_os_get(c->os);
    static const char *const not_copied[] = {"seed.iso", "seed.iso.new", "console.log", "qmp.sock",
                                             "console.sock"};
    if (clone_nics(c, op, j, err) < 0)
        return -1;
    if (ops->tree_copy(op->vmdir, dir, err) < 0)
        return brig_err_wrap(err, "copy %s", op->vmdir);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(not_copied); i++) {
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", dir, not_copied[i]);
        if (unlink(p) < 0 && errno != ENOENT)
            return brig_err_sys(err, errno, "remove %s", p);
    }
    /* a VM's directory is flat: its disks */
    DIR *d = opendir(dir);
    if (!d)
        return brig_err_sys(err, errno, "open %s", dir);
    int r = 0;
    struct dirent *e;
    while (r == 0 && (e = readdir(d))) {
        if (brig_streq(e->d_name, ".."))
            continue;
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", dir, e->d_name);
        if (lchown(p, j->idmap, j->idmap) < 0)
            r = brig_err_sys(err, errno, "chown %s", p);
    }
    closedir(d);
    return r;
}

int brig_bclone(struct brig_ctx *c, const char *old, const struct brig_kvlist *args,
                struct brig_jail *ret, struct brig_err *err)
{
    struct brig_jail_op op;
    struct brig_kvlist all = {0};
    const char *new_name = brig_kvlist_get(args, "jname");
    int r = -1;
    if (!new_name)
        return brig_err_set(err, BRIG_EUSAGE, "new= is required");
    if (brig_check_name("new", new_name, err) < 0 || brig_check_name("old", old, err) < 0)
        return -1;
    if (!brig_os_get(c->os)->tree_copy || c->os != brig_os_native())
        return brig_err_set(err, BRIG_EUSAGE, "bclone: not available for %s VMs",
                            brig_os_get(c->os)->name);
    if (brig_record_kind_check(c, old, true, "bclone", err) < 0)
        return -1;
    if (brig_jail_op_open(c, old, true, &op, err) < 0)
        goto done;
    if (op.running) {
        brig_err_set(err, BRIG_EUSAGE, "is running (stop it first: brig bstop jname=%s)", old);
        goto out;
    }
    /* what a crash left (a tap, the cgroup) goes before the copy */
    if (brig_jail_op_settle(&op, err) < 0)
        goto out;
    clone_args(c, &op.j, new_name, args, &all);
    r = brig_bcreate_cloned(c, &all, bclone_fill, &op, ret, err);
    /* bcreate_filled names the new VM in its errors */
    if (r < 0)
        goto done;
out:
    if (r < 0)
        brig_err_wrap(err, "%s", old);
done:
    brig_kvlist_free(&all);
    brig_jail_op_free(&op);
    return r;
}
