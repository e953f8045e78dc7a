/* Jail archives with libarchive: export of a stopped jail, import into a new
 * one. Owners are shifted in the archive's headers, never on disk: export
 * subtracts the jail's first id, import adds the new jail's. */
#define _GNU_SOURCE
#include "jarchive.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "fstab.h"
#include "idmap.h"
#include "jailop.h"
#include "manifest.h"
#include "repo.h"
#include "repo_archive.h"
#include "repo_int.h"
#include "repo_tree.h"
#include "store/store.h"
#include "util.h"
#include "vm.h"

#define BLOCK_SIZE  (64 * 1024)
#define DIGEST_MAX  128
#define NOBODY_ID   65534u
#define OVERLAY_OPQ "trusted.overlay.opaque"

/* The archive's digest: SHA-256 from libcrypto, which brig-archive links
 * anyway, at the speed of the machine's SHA instructions. */
struct digest {
    EVP_MD_CTX *ctx;
};

static void digest_init(struct digest *d)
{
    d->ctx = EVP_MD_CTX_new();
    if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
        abort();
}

static void digest_update(struct digest *d, const void *p, size_t n)
{
    if (n && EVP_DigestUpdate(d->ctx, p, n) != 1)
        abort();
}

static void digest_final_hex(struct digest *d, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(d->ctx, md, &len) != 1 || len != 32)
        abort();
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    EVP_MD_CTX_free(brig_steal(&d->ctx));
}

static void digest_free(struct digest *d)
{
    EVP_MD_CTX_free(brig_steal(&d->ctx));
}

struct xattr_ref {
    const char *name;
    const void *val;
    size_t size;
};

static int xattr_ref_cmp(const void *a, const void *b)
{
    return strcmp(((const struct xattr_ref *)a)->name, ((const struct xattr_ref *)b)->name);
}

/* The digest over every entry of root/: its header as the archive holds it
 * (name, type, mode, owner, size, device, link targets, xattrs), then its data. */
static void digest_header(struct digest *d, struct archive_entry *e)
{
    const char *hl = archive_entry_hardlink(e), *sl = archive_entry_symlink(e);
    /* a hard link's type and size are not kept by tar; a device's number is its own */
    unsigned type = hl ? 0 : (unsigned)archive_entry_filetype(e);
    bool dev = type == AE_IFCHR || type == AE_IFBLK;
    char head[256];
    int n = snprintf(head, sizeof(head), "%o %o %lld %lld %lld %u:%u %d %d", type,
                     (unsigned)archive_entry_perm(e), (long long)archive_entry_uid(e),
                     (long long)archive_entry_gid(e),
                     type == AE_IFREG ? (long long)archive_entry_size(e) : 0LL,
                     dev ? (unsigned)archive_entry_rdevmajor(e) : 0,
                     dev ? (unsigned)archive_entry_rdevminor(e) : 0, hl ? 1 : 0, sl ? 1 : 0);
    /* names as normalised (tar writes a directory's with a trailing '/') */
    _cleanup_free_ char *name = NULL;
    brig_archive_entry_path(archive_entry_pathname(e), &name, NULL);
    digest_update(d, name ? name : "", name ? strlen(name) + 1 : 1);
    digest_update(d, head, (size_t)n + 1);
    if (hl)
        digest_update(d, hl, strlen(hl) + 1);
    if (sl)
        digest_update(d, sl, strlen(sl) + 1);
    /* xattrs by name, each once: pax keeps them under two keys that a reader may both return */
    struct xattr_ref *x = NULL;
    size_t nx = 0;
    const char *xname;
    const void *xval;
    size_t xsize;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &xname, &xval, &xsize) == ARCHIVE_OK) {
        x = brig_xrealloc(x, (nx + 1) * sizeof(*x));
        x[nx++] = (struct xattr_ref){xname, xval, xsize};
    }
    if (nx)
        qsort(x, nx, sizeof(*x), xattr_ref_cmp);
    for (size_t i = 0; i < nx; i++) {
        if (i && strcmp(x[i].name, x[i - 1].name) == 0)
            continue;
        char len[32];
        int m = snprintf(len, sizeof(len), "%zu", x[i].size);
        digest_update(d, x[i].name, strlen(x[i].name) + 1);
        digest_update(d, len, (size_t)m + 1);
        digest_update(d, x[i].val, x[i].size);
    }
    free(x);
}

/* An overlay whiteout: a character device 0:0. */
static bool is_whiteout(struct archive_entry *e)
{
    return archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == 0;
}

/* Keep the xattrs a jail's file carries to another host: user.*, security.*
 * but file capabilities (ids of another range), and the overlay's opaque mark
 * (other trusted.overlay.* name file handles of this host's base). */
static bool xattr_kept(const char *name)
{
    if (strcmp(name, "security.capability") == 0)
        return false;
    return brig_startswith(name, "user.") || brig_startswith(name, "security.") ||
           strcmp(name, OVERLAY_OPQ) == 0;
}

static void xattrs_filter(struct archive_entry *e)
{
    struct xattr {
        char *name;
        void *val;
        size_t size;
    } *keep = NULL;
    size_t n = 0;
    bool dropped = false;
    const char *xname;
    const void *xval;
    size_t xsize;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &xname, &xval, &xsize) == ARCHIVE_OK) {
        if (!xattr_kept(xname)) {
            dropped = true;
            continue;
        }
        keep = brig_xrealloc(keep, (n + 1) * sizeof(*keep));
        keep[n].name = brig_xstrdup(xname);
        keep[n].val = brig_xmalloc(xsize ? xsize : 1);
        memcpy(keep[n].val, xval, xsize);
        keep[n].size = xsize;
        n++;
    }
    if (dropped) {
        archive_entry_xattr_clear(e);
        for (size_t i = 0; i < n; i++)
            archive_entry_xattr_add_entry(e, keep[i].name, keep[i].val, keep[i].size);
    }
    for (size_t i = 0; i < n; i++) {
        free(keep[i].name);
        free(keep[i].val);
    }
    free(keep);
}

/* An owner of the jail's data as the jail sees it: ids of its range shifted
 * to 0..65535; any other id is no one to the jail (the overflow id), but a
 * whiteout's, which the jail never sees. */
static la_int64_t id_relative(la_int64_t id, uint32_t idmap, bool whiteout)
{
    if (!idmap)
        return id;
    if (id >= (la_int64_t)idmap && id < (la_int64_t)idmap + BRIG_IDMAP_COUNT)
        return id - idmap;
    return whiteout ? 0 : NOBODY_ID;
}

struct export_state {
    struct archive *out;
    struct digest digest;
    uint64_t bytes;
    brig_progress_fn *progress;
    void *data;
};

static int write_memory_entry(struct archive *out, const char *name, const char *text,
                              struct brig_err *err)
{
    struct archive_entry *e = archive_entry_new();
    size_t len = strlen(text);
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_mtime(e, time(NULL), 0);
    archive_entry_set_size(e, (la_int64_t)len);
    int r = archive_write_header(out, e);
    archive_entry_free(e);
    if (r < ARCHIVE_WARN || archive_write_data(out, text, len) != (la_ssize_t)len)
        return brig_err_set(err, BRIG_EFAIL, "write %s: %s", name, archive_error_string(out));
    return 0;
}

/* A sparse entry's digest: where its data resumes after a hole (the holes
 * themselves are not in the archive's data, so neither in the digest). */
static void digest_hole(struct digest *d, la_int64_t off)
{
    char mark[32];
    int n = snprintf(mark, sizeof(mark), "@%lld", (long long)off);
    digest_update(d, mark, (size_t)n + 1);
}

/* Copy one file's data from the disk reader into the archive, holes as
 * zeros (the writer leaves out the holes of a sparse entry). */
static int export_data(struct export_state *s, struct archive *disk, struct archive_entry *e,
                       struct brig_err *err)
{
    static const char zeros[4096];
    la_int64_t pos = 0, size = archive_entry_size(e);
    bool sparse = archive_entry_sparse_count(e) > 0;
    for (;;) {
        const void *buf;
        size_t n;
        la_int64_t off;
        int r = archive_read_data_block(disk, &buf, &n, &off);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "read %s: %s", archive_entry_pathname(e),
                                archive_error_string(disk));
        if (sparse && off != pos && n > 0)
            digest_hole(&s->digest, off);
        while (pos < off) {
            size_t z = (size_t)(off - pos) < sizeof(zeros) ? (size_t)(off - pos) : sizeof(zeros);
            if (!sparse)
                digest_update(&s->digest, zeros, z);
            if (archive_write_data(s->out, zeros, z) < 0)
                return brig_err_set(err, BRIG_EFAIL, "write: %s", archive_error_string(s->out));
            pos += (la_int64_t)z;
        }
        digest_update(&s->digest, buf, n);
        if (n && archive_write_data(s->out, buf, n) < 0)
            return brig_err_set(err, BRIG_EFAIL, "write: %s", archive_error_string(s->out));
        pos += (la_int64_t)n;
        s->bytes += n;
        if (s->progress)
            s->progress("export", s->bytes, 0, s->data);
    }
    while (pos < size) {
        size_t z = (size_t)(size - pos) < sizeof(zeros) ? (size_t)(size - pos) : sizeof(zeros);
        if (!sparse)
            digest_update(&s->digest, zeros, z);
        if (archive_write_data(s->out, zeros, z) < 0)
            return brig_err_set(err, BRIG_EFAIL, "write: %s", archive_error_string(s->out));
        pos += (la_int64_t)z;
    }
    return 0;
}

/* Write the tree under src as top/..., owners made relative to idmap; with
 * sparse, files with holes as sparse entries. */
static int export_tree(struct export_state *s, const char *src, const char *top, uint32_t idmap,
                       bool sparse, struct brig_err *err)
{
    struct archive *disk = archive_read_disk_new();
    struct archive_entry_linkresolver *links = archive_entry_linkresolver_new();
    if (!disk || !links) {
        archive_read_free(disk);
        archive_entry_linkresolver_free(links);
        return brig_err_set(err, BRIG_EFAIL, "cannot initialise libarchive");
    }
    archive_entry_linkresolver_set_strategy(links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    archive_read_disk_set_symlink_physical(disk);
    archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS |
                                             ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS |
                                             (sparse ? 0 : ARCHIVE_READDISK_NO_SPARSE));
    int r = -1;
    size_t srclen = strlen(src);
    if (archive_read_disk_open(disk, src) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "read %s: %s", src, archive_error_string(disk));
        goto out;
    }
    for (;;) {
        struct archive_entry *e = archive_entry_new();
        int rr = archive_read_next_header2(disk, e);
        if (rr == ARCHIVE_EOF) {
            archive_entry_free(e);
            break;
        }
        if (rr < ARCHIVE_WARN) {
            brig_err_set(err, BRIG_EFAIL, "read %s: %s", src, archive_error_string(disk));
            archive_entry_free(e);
            goto out;
        }
        archive_read_disk_descend(disk);
        const char *full = archive_entry_pathname(e);
        if (!full || strncmp(full, src, srclen) != 0) {
            brig_err_set(err, BRIG_EFAIL, "read %s: unexpected entry", src);
            archive_entry_free(e);
            goto out;
        }
        bool wo = is_whiteout(e);
        mode_t type = archive_entry_filetype(e);
        /* a socket is a live process's; device nodes are brig's to make in /dev */
        if (type == AE_IFSOCK || type == AE_IFBLK || (type == AE_IFCHR && !wo)) {
            archive_entry_free(e);
            continue;
        }
        _cleanup_free_ char *name = brig_xasprintf("%s%s", top, full + srclen);
        archive_entry_set_pathname(e, name);
        archive_entry_set_uid(e, id_relative(archive_entry_uid(e), idmap, wo));
        archive_entry_set_gid(e, id_relative(archive_entry_gid(e), idmap, wo));
        archive_entry_set_uname(e, NULL);
        archive_entry_set_gname(e, NULL);
        xattrs_filter(e);
        struct archive_entry *spare = NULL;
        archive_entry_linkify(links, &e, &spare);
        digest_header(&s->digest, e);
        if (archive_write_header(s->out, e) < ARCHIVE_WARN) {
            brig_err_set(err, BRIG_EFAIL, "write %s: %s", name, archive_error_string(s->out));
            archive_entry_free(e);
            goto out;
        }
        bool has_data = archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
                        !archive_entry_hardlink(e);
        int dr = has_data ? export_data(s, disk, e, err) : 0;
        archive_entry_free(e);
        archive_entry_free(spare);
        if (dr < 0)
            goto out;
    }
    r = 0;
out:
    archive_read_close(disk);
    archive_read_free(disk);
    archive_entry_linkresolver_free(links);
    return r;
}

/* The jail's rows into m: NICs beyond eth0 (addresses IPAM picked as DHCP,
 * so the importer picks its own), host directories, port forwards. */
static int export_rows(struct brig_ctx *c, const struct brig_jail_op *op, struct brig_manifest *m,
                       struct brig_err *err)
{
    for (size_t i = 0; i < op->nnics; i++) {
        const struct brig_nic *n = &op->nics[i];
        if (n->idx == 0)
            continue;
        m->nics = brig_xrealloc(m->nics, (m->nnics + 1) * sizeof(*m->nics));
        m->nics[m->nnics++] = (struct brig_nic){
            .idx = n->idx,
            .parent = brig_xstrdup(n->parent),
            .hwaddr = brig_xstrdup(n->hwaddr),
            .mtu = n->mtu,
            .addrs = brig_ipam_unpicked(c, n->addrs),
            .gw4 = brig_xstrdup(n->gw4),
            .no_filter = n->no_filter,
        };
    }
    if (brig_store_fstab_list(c->st, op->j.id, &m->fstab, &m->nfstab, err) < 0)
        return -1;
    return brig_store_expose_list(c->st, op->j.id, &m->exposes, &m->nexposes, err);
}

/* The manifest of jail j: its parameters but where it lives, its rows, and its base's record. */
static int export_manifest(struct brig_ctx *c, const struct brig_jail_op *op, bool full, char **ret,
                           struct brig_err *err)
{
    struct brig_manifest m = {.format = BRIG_MANIFEST_FORMAT, .full = full};
    struct brig_base base = {0};
    const struct brig_jail *j = &op->j;
    m.brig_version = brig_xstrdup(BRIG_VERSION);
    if (j->v[BRIG_P_BASE] && brig_repo_info(c->workdir, j->v[BRIG_P_BASE], &base, NULL) == 0) {
        m.base_version = brig_xstrdup(base.version ? base.version : "");
        m.base_checksum = brig_xstrdup(base.checksum ? base.checksum : "");
        brig_base_clear(&base);
    }
    if (brig_store_ipam_dhcp(c->st, j->id, 0, &m.dhcp, err) < 0) {
        brig_manifest_clear(&m);
        return -1;
    }
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (j->v[i] && i != BRIG_P_PATH && i != BRIG_P_DATA)
            brig_kvlist_add(&m.params, brig_params[i].name, j->v[i], 0);
    }
    if (export_rows(c, op, &m, err) < 0) {
        brig_manifest_clear(&m);
        return -1;
    }
    *ret = brig_manifest_render(&m);
    brig_manifest_clear(&m);
    return 0;
}

static int add_filter(struct archive *a, const char *compress, struct brig_err *err)
{
    int r;
    if (strcmp(compress, "zstd") == 0)
        r = archive_write_add_filter_zstd(a);
    else if (strcmp(compress, "xz") == 0)
        r = archive_write_add_filter_xz(a);
    else
        r = archive_write_add_filter_none(a);
    if (r != ARCHIVE_OK)
        return brig_err_set(err, BRIG_EFAIL, "compress=%s: %s", compress, archive_error_string(a));
    return 0;
}

static const char *compress_suffix(const char *compress)
{
    return strcmp(compress, "zstd") == 0 ? ".tar.zst"
           : strcmp(compress, "xz") == 0 ? ".tar.xz"
                                         : ".tar";
}

int brig_jexport(struct brig_ctx *c, const char *jname, bool vm, const char *out,
                 const char *compress, bool full, bool locked, brig_progress_fn *progress,
                 void *data, char **ret_out, struct brig_err *err)
{
    struct brig_jail_op op;
    struct export_state s = {0};
    _cleanup_free_ char *manifest = NULL, *path = NULL, *part = NULL, *src = NULL;
    _cleanup_close_ int fd = -1;
    struct archive *a = NULL;
    int r = -1;
    if (!compress)
        compress = "zstd";
    if (strcmp(compress, "zstd") && strcmp(compress, "xz") && strcmp(compress, "none"))
        return brig_err_set(err, BRIG_EUSAGE, "compress: '%.40s' is not zstd, xz or none",
                            compress);
    if (brig_check_name("jname", jname, err) < 0)
        return -1;
    if (brig_jail_op_open(c, jname, !locked, &op, err) < 0)
        return -1;
    if (brig_jail_is_vm(&op.j) != vm) {
        brig_err_set(err, BRIG_EUSAGE, "is a %s (%s exports it)", vm ? "jail" : "VM",
                     vm ? "jexport" : "bexport");
        goto out;
    }
    if (op.running) {
        brig_err_set(err, BRIG_EFAIL, "%s is running (stop it first)", jname);
        goto out;
    }
    bool thick = brig_jail_bool(&op.j, BRIG_P_BASERW);
    full = full && !thick && !vm; /* a thick jail's root is whole already, a VM has no base */
    if (full && !brig_path_exists(op.basedir)) {
        brig_err_set(err, BRIG_EFAIL, "its base %s is missing", op.j.v[BRIG_P_BASE]);
        goto out;
    }
    if (export_manifest(c, &op, full, &manifest, err) < 0)
        goto out;
    src = vm      ? brig_xstrdup(op.vmdir)
          : thick ? brig_xstrdup(op.j.v[BRIG_P_DATA])
                  : brig_xasprintf("%s/upper", op.j.v[BRIG_P_DATA]);
    if (!vm && !thick && !brig_path_exists(src) && brig_mkdir_p(src, 0755, err) < 0)
        goto out;
    if (!out) {
        _cleanup_free_ char *dir = brig_ctx_path(c, "export");
        if (brig_mkdir_p(dir, 0700, err) < 0)
            goto out;
        path = brig_xasprintf("%s/%s%s", dir, jname, compress_suffix(compress));
    } else if (strcmp(out, "-") != 0) {
        path = brig_xstrdup(out);
    }
    if (path) {
        if (brig_path_exists(path)) {
            brig_err_set(err, BRIG_EUSAGE, "%s exists", path);
            goto out;
        }
        part = brig_xasprintf("%s.part-%d", path, (int)getpid());
        fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            brig_err_sys(err, errno, "create %s", part);
            goto out;
        }
    }
    s.progress = progress;
    s.data = data;
    digest_init(&s.digest);
    a = s.out = archive_write_new();
    if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        add_filter(a, compress, err) < 0) {
        brig_err_set(err, BRIG_EFAIL, "cannot initialise libarchive");
        goto out;
    }
    /* no padding after the compressed stream: a zstd or xz reader takes it for a frame */
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open_fd(a, path ? fd : STDOUT_FILENO) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "open archive: %s", archive_error_string(a));
        goto out;
    }
    char hex[65], line[DIGEST_MAX];
    if (write_memory_entry(a, BRIG_ARCHIVE_MANIFEST, manifest, err) < 0 ||
        (full && export_tree(&s, op.basedir, BRIG_ARCHIVE_BASE, 0, false, err) < 0) ||
        export_tree(&s, src, vm ? BRIG_ARCHIVE_VM : BRIG_ARCHIVE_ROOT, op.j.idmap, vm, err) < 0)
        goto out;
    digest_final_hex(&s.digest, hex);
    snprintf(line, sizeof(line), "sha256:%s\n", hex);
    if (write_memory_entry(a, BRIG_ARCHIVE_DIGEST, line, err) < 0)
        goto out;
    if (archive_write_close(a) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "write archive: %s", archive_error_string(a));
        goto out;
    }
    if (path && (fsync(fd) < 0 || rename(part, path) < 0)) {
        brig_err_sys(err, errno, "write %s", path);
        goto out;
    }
    *ret_out = path ? brig_steal(&path) : brig_xstrdup("-");
    r = 0;
out:
    digest_free(&s.digest);
    if (a)
        archive_write_free(a);
    if (r < 0 && part)
        unlink(part);
    brig_jail_op_free(&op);
    return r < 0 ? brig_err_wrap(err, "%s", jname) : 0;
}

struct import_state {
    struct brig_ctx *c;
    struct archive *in;
    const struct brig_manifest *m;
    struct digest digest;
    struct archive_entry *pending; /* read, not yet handled: the next part's first */
    uint64_t total;
    brig_progress_fn *progress;
    void *data;
};

/* Whether a symlink at name (normalised, under a part's top) with a relative
 * target climbs above the jail's root. Absolute targets are the jail's own paths. */
static bool symlink_escapes(const char *name, const char *target)
{
    if (target[0] == '/')
        return false;
    int depth = -1; /* the part's top component itself */
    for (const char *p = name; *p; p++)
        depth += *p == '/';
    for (const char *p = target; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (n > 0 && !(n == 1 && p[0] == '.'))
            depth++;
        if (depth < 0)
            return true;
        p += n;
        while (*p == '/')
            p++;
    }
    return false;
}

/* Whether name, normalised, is top or under top/. */
static bool in_part(const char *norm, const char *top)
{
    size_t n = strlen(top);
    return strncmp(norm, top, n) == 0 && (norm[n] == '\0' || norm[n] == '/');
}

/* A path of the archive made relative to the extraction's root (extraction
 * runs there, so libarchive refuses anything absolute): top or under top/. */
static int import_path(const char *top, const char *name, char **ret, struct brig_err *err)
{
    _cleanup_free_ char *norm = NULL;
    if (brig_archive_entry_path(name, &norm, err) < 0)
        return err ? (err->code = BRIG_EUSAGE, -1) : -1;
    if (!in_part(norm, top))
        return brig_err_set(err, BRIG_EUSAGE, "unexpected entry '%.200s'", name);
    *ret = brig_xasprintf(".%s", norm + strlen(top));
    return 0;
}

/* Check one entry of part top and rewrite it for extraction with owners shifted by idmap. */
static int import_entry(struct archive_entry *e, const char *top, uint32_t idmap,
                        struct brig_err *err)
{
    _cleanup_free_ char *name = brig_xstrdup(archive_entry_pathname(e));
    _cleanup_free_ char *path = NULL, *link = NULL, *norm = NULL;
    if (import_path(top, name, &path, err) < 0)
        return -1;
    mode_t type = archive_entry_filetype(e);
    const char *hl = archive_entry_hardlink(e);
    if (hl)
        type = AE_IFREG; /* a link to an entry checked before */
    /* a VM's directory holds its disks and seed: files, nothing that points elsewhere */
    if (strcmp(top, BRIG_ARCHIVE_VM) == 0 && (hl || (type != AE_IFREG && type != AE_IFDIR)))
        return brig_err_set(err, BRIG_EUSAGE, "entry '%.200s' is not a file or directory", name);
    if (type == AE_IFBLK || type == AE_IFSOCK || (type == AE_IFCHR && !is_whiteout(e)))
        return brig_err_set(err, BRIG_EUSAGE, "entry '%.200s' is a device node", name);
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFIFO &&
        type != AE_IFCHR)
        return brig_err_set(err, BRIG_EUSAGE, "entry '%.200s' is of an unknown type", name);
    if (type == AE_IFLNK) {
        const char *t = archive_entry_symlink(e);
        brig_archive_entry_path(name, &norm, NULL);
        if (!t || !*t || !norm || symlink_escapes(norm, t))
            return brig_err_set(err, BRIG_EUSAGE, "symlink '%.200s' points out of the jail's root",
                                name);
    }
    if (hl) {
        if (import_path(top, hl, &link, err) < 0)
            return brig_err_wrap(err, "hard link %.200s", name);
        archive_entry_set_hardlink(e, link);
    }
    la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
    la_int64_t limit =
        idmap || strcmp(top, BRIG_ARCHIVE_BASE) == 0 ? BRIG_IDMAP_COUNT : 0xfffffffeLL;
    if (uid < 0 || gid < 0 || uid >= limit || gid >= limit)
        return brig_err_set(err, BRIG_EUSAGE, "entry '%.200s' has an owner outside the jail's ids",
                            name);
    archive_entry_set_uid(e, uid + idmap);
    archive_entry_set_gid(e, gid + idmap);
    archive_entry_set_uname(e, NULL);
    archive_entry_set_gname(e, NULL);
    xattrs_filter(e);
    archive_entry_set_pathname(e, path);
    return 0;
}

static int read_error(struct archive *in, struct brig_err *err)
{
    return brig_err_set(err, BRIG_EUSAGE, "damaged or truncated archive: %s",
                        archive_error_string(in) ? archive_error_string(in) : "read error");
}

/* The next entry: the pending one, else the next header; EOF is a truncation. */
static int next_entry(struct import_state *s, struct archive_entry **ret, struct brig_err *err)
{
    if (s->pending) {
        *ret = brig_steal(&s->pending);
        return 0;
    }
    int r = archive_read_next_header(s->in, ret);
    if (r == ARCHIVE_EOF)
        return brig_err_set(err, BRIG_EUSAGE, "truncated archive: no %s entry",
                            BRIG_ARCHIVE_DIGEST);
    if (r < ARCHIVE_WARN || !archive_entry_pathname(*ret))
        return read_error(s->in, err);
    return 0;
}

/* Copy (or, with out NULL, only read) the entry's data, into the digest. */
static int import_data(struct import_state *s, struct archive *out, struct brig_err *err)
{
    la_int64_t pos = 0;
    for (;;) {
        const void *buf;
        size_t n;
        la_int64_t off;
        int r = archive_read_data_block(s->in, &buf, &n, &off);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN)
            return read_error(s->in, err);
        /* a sparse entry's blocks resume after holes (an empty one may mark its end) */
        if (n == 0)
            continue;
        if (off != pos)
            digest_hole(&s->digest, off);
        pos = off + (la_int64_t)n;
        digest_update(&s->digest, buf, n);
        if (out && archive_write_data_block(out, buf, n, off) < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "extract: %s", archive_error_string(out));
    }
}

/* The entries of part top (root or base), extracted under dest with owners
 * shifted by idmap, or with dest NULL only read; the first entry of another
 * part is left pending. */
static int import_part(struct import_state *s, const char *top, const char *dest, uint32_t idmap,
                       struct brig_err *err)
{
    _cleanup_close_ int cwd = -1;
    struct archive *out = NULL;
    int r = -1;
    if (dest) {
        cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cwd < 0 || chdir(dest) < 0)
            return brig_err_sys(err, errno, "enter %s", dest);
        out = archive_write_disk_new();
        if (!out) {
            brig_err_set(err, BRIG_EFAIL, "cannot initialise libarchive");
            goto out;
        }
        archive_write_disk_set_options(
            out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                     ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                     ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
    }
    for (;;) {
        struct archive_entry *e;
        if (next_entry(s, &e, err) < 0)
            goto out;
        _cleanup_free_ char *norm = NULL;
        if (brig_archive_entry_path(archive_entry_pathname(e), &norm, err) < 0) {
            err->code = BRIG_EUSAGE;
            goto out;
        }
        if (strcmp(norm, BRIG_ARCHIVE_DIGEST) == 0 ||
            (!in_part(norm, top) &&
             (in_part(norm, BRIG_ARCHIVE_ROOT) || in_part(norm, BRIG_ARCHIVE_BASE) ||
              in_part(norm, BRIG_ARCHIVE_VM)))) {
            s->pending = e;
            break;
        }
        digest_header(&s->digest, e);
        if (import_entry(e, top, idmap, err) < 0)
            goto out;
        if (out && archive_write_header(out, e) < ARCHIVE_WARN) {
            brig_err_set(err, BRIG_EUSAGE, "extract %s: %s", archive_entry_pathname(e),
                         archive_error_string(out));
            goto out;
        }
        if (import_data(s, out, err) < 0)
            goto out;
        if (out && archive_write_finish_entry(out) < ARCHIVE_WARN) {
            brig_err_set(err, BRIG_EFAIL, "extract: %s", archive_error_string(out));
            goto out;
        }
        if (s->progress)
            s->progress("import", (uint64_t)archive_filter_bytes(s->in, -1), s->total, s->data);
    }
    /* closing the writer applies the deferred directory modes and times */
    if (out && archive_write_close(out) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "extract: %s", archive_error_string(out));
        goto out;
    }
    r = 0;
out:
    if (out)
        archive_write_free(out);
    if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
        r = brig_err_sys(err, errno, "leave %s", dest);
    return r;
}

/* The last entry: the digest, which must match what was read, and nothing after it. */
static int import_digest(struct import_state *s, struct brig_err *err)
{
    struct archive_entry *e;
    char want[DIGEST_MAX] = "", got[65];
    if (next_entry(s, &e, err) < 0)
        return -1;
    la_int64_t size = archive_entry_size(e);
    if (strcmp(archive_entry_pathname(e), BRIG_ARCHIVE_DIGEST) != 0)
        return brig_err_set(err, BRIG_EUSAGE, "unexpected entry '%.200s'",
                            archive_entry_pathname(e));
    if (archive_entry_filetype(e) != AE_IFREG || size <= 0 || size >= DIGEST_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "bad %s entry", BRIG_ARCHIVE_DIGEST);
    if (archive_read_data(s->in, want, (size_t)size) != size)
        return read_error(s->in, err);
    int r = archive_read_next_header(s->in, &e);
    if (r != ARCHIVE_EOF)
        return r < ARCHIVE_WARN ? read_error(s->in, err)
                                : brig_err_set(err, BRIG_EUSAGE, "an entry after the digest");
    digest_final_hex(&s->digest, got);
    want[strcspn(want, "\n")] = '\0';
    if (!brig_startswith(want, "sha256:") || strcmp(want + 7, got) != 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "content checksum mismatch: the archive says %.80s, its content is "
                            "sha256:%s",
                            want, got);
    return 0;
}

/* Whether an address list asks IPAM for an address (DHCP, DHCPv6). */
static bool addrs_have_ipam(const char *list)
{
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (brig_strcaseeq(t, "DHCP") || brig_strcaseeq(t, "DHCPv6"))
            return true;
    }
    return false;
}

/* The archive's NICs beyond eth0 for the new jail j: addresses through this
 * store's IPAM (a static one in use is refused), a MAC kept unless a jail here
 * has it (then derived anew). */
static int import_nics(struct brig_ctx *c, const struct brig_manifest *m, const struct brig_jail *j,
                       struct brig_err *err)
{
    for (size_t i = 0; i < m->nnics; i++) {
        struct brig_nic nic = m->nics[i];
        _cleanup_free_ char *addrs = NULL;
        char derived[] = "0";
        bool used = false;
        if (addrs_have_ipam(nic.addrs) && strcmp(nic.parent, "auto") != 0 &&
            strcmp(nic.parent, c->node.bridge) != 0)
            return brig_err_set(err, BRIG_EUSAGE,
                                "eth%d: DHCP on bridge %s, which is not this node's default "
                                "bridge %s",
                                nic.idx, nic.parent, c->node.bridge);
        if (brig_ipam_assign(c, j->id, nic.idx, nic.addrs, &addrs, err) < 0)
            return brig_err_wrap(err, "eth%d", nic.idx);
        if (strcmp(nic.hwaddr, "0") != 0 && brig_store_mac_used(c->st, nic.hwaddr, &used, err) < 0)
            return -1;
        nic.id = 0;
        nic.jail_id = j->id;
        nic.addrs = addrs;
        if (used)
            nic.hwaddr = derived;
        if (brig_store_nic_insert(c->st, &nic, err) < 0)
            return brig_err_wrap(err, "eth%d", nic.idx);
    }
    return 0;
}

/* The archive's host directories for the new jail j: each src a directory or
 * file of this host, outside brig's workdir (where other jails' files are). */
static int import_fstab(struct brig_ctx *c, const struct brig_manifest *m,
                        const struct brig_jail *j, struct brig_err *err)
{
    char wd[PATH_MAX];
    if (!realpath(c->workdir, wd))
        return brig_err_sys(err, errno, "%s", c->workdir);
    size_t wdlen = strlen(wd);
    struct brig_fstab *v = brig_xcalloc(m->nfstab ? m->nfstab : 1, sizeof(*v));
    size_t n = 0;
    int r = -1;
    for (; n < m->nfstab; n++) {
        const struct brig_fstab *f = &m->fstab[n];
        if (brig_fstab_make(f->src, f->dst, strcmp(f->options, "ro") == 0, &v[n], err) < 0) {
            brig_err_wrap(err, "fstab %.100s", f->dst);
            goto out;
        }
        if (strncmp(v[n].src, wd, wdlen) == 0 && (v[n].src[wdlen] == '/' || !v[n].src[wdlen])) {
            brig_err_set(err, BRIG_EUSAGE, "fstab %.100s: src=%.100s is in brig's workdir %s",
                         f->dst, f->src, wd);
            n++;
            goto out;
        }
    }
    if (brig_fstab_check_mount(c->os, j, v, n, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (brig_store_fstab_insert(c->st, j->id, &v[i], err) < 0)
            goto out;
    r = 0;
out:
    for (size_t i = 0; i < n; i++)
        brig_fstab_clear(&v[i]);
    free(v);
    return r;
}

/* The archive's port forwards for the new jail j: a host port another jail's
 * forward takes here is refused. */
static int import_exposes(struct brig_ctx *c, const struct brig_manifest *m,
                          const struct brig_jail *j, struct brig_err *err)
{
    struct brig_expose *all = NULL;
    size_t nall = 0;
    int r = -1;
    if (brig_store_expose_list(c->st, 0, &all, &nall, err) < 0)
        return -1;
    for (size_t i = 0; i < m->nexposes; i++) {
        struct brig_expose e = m->exposes[i];
        for (size_t k = 0; k < nall; k++) {
            if (strcmp(all[k].proto, e.proto) == 0 && all[k].in == e.in &&
                (!*all[k].addr || !*e.addr || strcmp(all[k].addr, e.addr) == 0)) {
                brig_err_set(err, BRIG_EUSAGE,
                             "%s port %u%s%s is already forwarded to jail %s (remove it there "
                             "first)",
                             e.proto, e.in, *all[k].addr ? " on " : "", all[k].addr, all[k].jname);
                goto out;
            }
        }
        e.jail_id = j->id;
        e.jname = NULL;
        if (brig_store_expose_insert(c->st, &e, err) < 0)
            goto out;
    }
    r = 0;
out:
    brig_exposes_free(all, nall);
    return r;
}

/* Extract root/ into the new jail j (its fill step), checking the digest,
 * after the archive's rows are recorded for it. */
static int import_fill(const struct brig_jail *j, void *data, struct brig_err *err)
{
    struct import_state *s = data;
    if (import_nics(s->c, s->m, j, err) < 0 || import_fstab(s->c, s->m, j, err) < 0 ||
        import_exposes(s->c, s->m, j, err) < 0)
        return -1;
    bool thick = brig_jail_bool(j, BRIG_P_BASERW);
    _cleanup_free_ char *dest =
        thick ? brig_xstrdup(j->v[BRIG_P_DATA]) : brig_xasprintf("%s/upper", j->v[BRIG_P_DATA]);
    if (!thick && brig_mkdir_p(dest, 0755, err) < 0)
        return -1;
    if (import_part(s, BRIG_ARCHIVE_ROOT, dest, j->idmap, err) < 0)
        return -1;
    return import_digest(s, err);
}

/* Extract vm/ into the new VM's directory dir (its fill step), checking the
 * digest; the archive's seed ISO is kept unless the import changed the name,
 * address or MAC it tells the guest. */
static int import_vm_fill(const struct brig_jail *j, const char *dir, void *data, bool *ret_seed,
                          struct brig_err *err)
{
    struct import_state *s = data;
    const struct brig_kvlist *p = &s->m->params;
    if (import_nics(s->c, s->m, j, err) < 0 ||
        import_part(s, BRIG_ARCHIVE_VM, dir, j->idmap, err) < 0 || import_digest(s, err) < 0)
        return -1;
    _cleanup_free_ char *seed = brig_xasprintf("%s/seed.iso", dir);
    *ret_seed = !brig_path_exists(seed) ||
                !brig_streq(brig_kvlist_get(p, "jname"), j->v[BRIG_P_JNAME]) ||
                !brig_streq(brig_kvlist_get(p, "ip4_addr"), j->v[BRIG_P_IP4_ADDR]) ||
                !brig_streq(brig_kvlist_get(p, "nic_hwaddr"), j->v[BRIG_P_NIC_HWADDR]);
    if (*ret_seed && unlink(seed) < 0 && errno != ENOENT)
        return brig_err_sys(err, errno, "remove %s", seed);
    return 0;
}

/* Read the first entry, the manifest, into m. */
static int import_manifest(struct archive *in, struct brig_manifest *m, struct brig_err *err)
{
    struct archive_entry *e;
    int r = archive_read_next_header(in, &e);
    if (r == ARCHIVE_EOF)
        return brig_err_set(err, BRIG_EUSAGE, "empty archive");
    if (r < ARCHIVE_WARN)
        return brig_err_set(err, BRIG_EUSAGE, "not a brig jail archive: %s",
                            archive_error_string(in));
    const char *name = archive_entry_pathname(e);
    if (!name || strcmp(name, BRIG_ARCHIVE_MANIFEST) != 0 || archive_entry_filetype(e) != AE_IFREG)
        return brig_err_set(err, BRIG_EUSAGE, "not a brig jail archive (no %s first)",
                            BRIG_ARCHIVE_MANIFEST);
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || size > BRIG_MANIFEST_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "manifest is larger than %d bytes",
                            BRIG_MANIFEST_MAX);
    _cleanup_free_ char *text = brig_xmalloc((size_t)size + 1);
    la_ssize_t n = archive_read_data(in, text, (size_t)size);
    if (n != size)
        return read_error(in, err);
    text[n] = '\0';
    return brig_manifest_parse(text, (size_t)n, m, err);
}

/* The base a thin jail of the archive needs: here, and the same as the
 * exporter's; a full archive's may be missing (*ret_missing), it brings it. */
static int import_check_base(struct brig_ctx *c, const struct brig_manifest *m, bool *ret_missing,
                             struct brig_err *err)
{
    const char *name = brig_kvlist_get(&m->params, "base");
    const char *baserw = brig_kvlist_get(&m->params, "baserw");
    struct brig_base base = {0};
    *ret_missing = false;
    if (brig_repo_info(c->workdir, name, &base, NULL) < 0 && m->full) {
        *ret_missing = true;
        return 0;
    }
    if (!base.name)
        return brig_err_set(err, BRIG_EUSAGE,
                            "base %s is not in this workdir (get it first: brig repo action=get "
                            "base=%s)",
                            name, name);
    int r = 0;
    bool thin = !baserw || strcmp(baserw, "1") != 0;
    if (thin && *m->base_checksum && base.checksum && *base.checksum &&
        strcmp(base.checksum, m->base_checksum) != 0)
        r = brig_err_set(err, BRIG_EUSAGE,
                         "base %s differs from the one the jail was made on (checksum %.23s, "
                         "the archive's %.23s)",
                         name, base.checksum, m->base_checksum);
    brig_base_clear(&base);
    return r;
}

/* A full archive's base/ part: installed as the base when this workdir lacks
 * it (its tree's checksum must be the manifest's), else only read. */
static int import_base(struct brig_ctx *c, struct import_state *s, bool missing, const char *in,
                       bool *ret_installed, struct brig_err *err)
{
    const char *name = brig_kvlist_get(&s->m->params, "base");
    struct brig_staging stg;
    _cleanup_free_ char *origin = NULL;
    char sum[65];
    *ret_installed = false;
    if (!missing)
        return import_part(s, BRIG_ARCHIVE_BASE, NULL, 0, err);
    if (brig_staging_begin(c->workdir, name, &stg, err) < 0)
        return -1;
    int r = -1;
    if (import_part(s, BRIG_ARCHIVE_BASE, stg.root, 0, err) < 0 ||
        brig_tree_sha256(stg.root, sum, err) < 0)
        goto out;
    if (strcmp(s->m->base_checksum + 7, sum) != 0) {
        brig_err_set(err, BRIG_EUSAGE, "base %s in the archive does not match its checksum", name);
        goto out;
    }
    origin = brig_xasprintf("jimport %s", in);
    if (brig_staging_commit(&stg, BRIG_BASE_TARBALL, origin, s->m->base_version, "", err) < 0)
        goto out;
    *ret_installed = true;
    r = 0;
out:
    brig_staging_end(&stg);
    return r;
}

/* jcreate's arguments for the archive's jail: new name and address where given,
 * a fresh DHCP address where IPAM picked the old one, its MAC where no jail here has it. */
static void import_args(struct brig_ctx *c, const struct brig_manifest *m, const char *jname,
                        const char *ip4_addr, bool keep_mac, struct brig_kvlist *ret)
{
    const char *old = brig_kvlist_get(&m->params, "jname");
    struct brig_jail dj = {0};
    brig_jail_set(&dj, BRIG_P_JNAME, old);
    brig_jail_fill_defaults(&dj, c->workdir, c->os);
    _cleanup_free_ char *old_host = brig_xstrdup(dj.v[BRIG_P_HOST_HOSTNAME]);
    brig_jail_clear(&dj);
    for (size_t i = 0; i < m->params.n; i++) {
        const char *k = m->params.items[i].key, *v = m->params.items[i].value;
        if (strcmp(k, "jname") == 0 && jname)
            v = jname;
        else if (strcmp(k, "ip4_addr") == 0 && (ip4_addr || m->dhcp))
            v = ip4_addr ? ip4_addr : "DHCP";
        else if (strcmp(k, "nic_hwaddr") == 0 && !keep_mac)
            v = "0"; /* a jail here has it: a MAC derived for the new jail */
        else if (strcmp(k, "host_hostname") == 0 && jname && strcmp(jname, old) != 0 &&
                 strcmp(v, old_host) == 0)
            continue; /* the old name's default: the new name's applies */
        brig_kvlist_add(ret, k, v, 0);
    }
    if (ip4_addr && !brig_kvlist_get(ret, "ip4_addr"))
        brig_kvlist_add(ret, "ip4_addr", ip4_addr, 0);
}

int brig_jimport(struct brig_ctx *c, const char *in, bool vm, const char *jname,
                 const char *ip4_addr, brig_progress_fn *progress, void *data, char **ret_jname,
                 struct brig_err *err)
{
    struct brig_manifest m = {0};
    struct brig_kvlist args = {0};
    struct brig_jail j = {0};
    struct import_state s = {0};
    _cleanup_close_ int fd = -1;
    struct stat st = {0};
    int r = -1;
    if (jname && brig_check_name("jname", jname, err) < 0)
        return -1;
    if (strcmp(in, "-") == 0) {
        fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            return brig_err_sys(err, errno, "stdin");
    } else {
        fd = open(in, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            brig_err_sys(err, errno, "open %s", in);
            if (err)
                err->code = BRIG_EUSAGE;
            return -1;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
            return brig_err_set(err, BRIG_EUSAGE, "%s is not a regular file", in);
    }
    struct archive *a = archive_read_new();
    if (!a)
        return brig_err_set(err, BRIG_EFAIL, "cannot initialise libarchive");
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_none(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_fd(a, fd, BLOCK_SIZE) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EUSAGE, "not a brig jail archive: %s", archive_error_string(a));
        goto out;
    }
    bool missing = false, installed = false;
    if (import_manifest(a, &m, err) < 0 || brig_ctx_open(c, err) < 0)
        goto out;
    bool is_vm = brig_emulator_is_vm(brig_kvlist_get(&m.params, "emulator"));
    if (is_vm != vm) {
        brig_err_set(err, BRIG_EUSAGE, "the archive holds a %s (%s imports it)",
                     is_vm ? "VM" : "jail", is_vm ? "bimport" : "jimport");
        goto out;
    }
    if (is_vm && (m.full || m.nfstab || m.nexposes)) {
        brig_err_set(err, BRIG_EUSAGE, "a VM's archive has no base, host directories or forwards");
        goto out;
    }
    if (!is_vm && import_check_base(c, &m, &missing, err) < 0)
        goto out;
    const char *mac = brig_kvlist_get(&m.params, "nic_hwaddr");
    bool mac_used = false;
    if (mac && strcmp(mac, "0") != 0 && brig_store_mac_used(c->st, mac, &mac_used, err) < 0)
        goto out;
    import_args(c, &m, jname, ip4_addr, !mac_used, &args);
    s = (struct import_state){.c = c,
                              .in = a,
                              .m = &m,
                              .total = (uint64_t)st.st_size,
                              .progress = progress,
                              .data = data};
    digest_init(&s.digest);
    if (m.full && import_base(c, &s, missing, in, &installed, err) < 0)
        goto out;
    if ((is_vm ? brig_bcreate_filled(c, &args, NULL, import_vm_fill, &s, &j, err)
               : brig_jcreate_filled(c, &args, import_fill, &s, &j, err)) < 0) {
        if (installed)
            brig_base_remove(c, brig_kvlist_get(&m.params, "base"), NULL);
        goto out;
    }
    *ret_jname = brig_xstrdup(j.v[BRIG_P_JNAME]);
    r = 0;
out:
    digest_free(&s.digest);
    archive_read_free(a);
    brig_manifest_clear(&m);
    brig_kvlist_free(&args);
    brig_jail_clear(&j);
    return r < 0 ? brig_err_wrap(err, "%s", in) : 0;
}
