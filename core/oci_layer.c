/* OCI layers: unpacking one layer blob (its digests checked as it is read,
 * its entries checked as they are written) and applying an unpacked layer to
 * a base with the OCI whiteouts (see repo_oci.c for how they serve bases). */
#define _GNU_SOURCE
#include "oci_layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "repo_archive.h"
#include "util.h"

#define OCI_BLOCK     (256 * 1024)
#define OCI_XATTR_MAX (64 * 1024)

struct sha {
    EVP_MD_CTX *md;
};

static void sha_init(struct sha *s)
{
    s->md = EVP_MD_CTX_new();
    if (!s->md || EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
        abort();
}

static void sha_hex(struct sha *s, char ret[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(s->md, d, &n);
    for (unsigned i = 0; i < 32; i++)
        snprintf(ret + 2 * i, 3, "%02x", d[i]);
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
}

static void sha_free(struct sha *s)
{
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
}

/* Reading a layer: the blob's bytes hashed as they are read (its digest),
 * decompressed by one libarchive reader and hashed again (the diff_id),
 * and read as a tar by a second one. */
struct layer_read {
    int fd;
    struct archive *raw;
    struct sha blob, diff;
    uint64_t blob_bytes;
    char buf[OCI_BLOCK];
};

static la_ssize_t layer_read_blob(struct archive *a, void *data, const void **ret)
{
    struct layer_read *lr = data;
    for (;;) {
        ssize_t n = read(lr->fd, lr->buf, sizeof(lr->buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            archive_set_error(a, errno, "read: %s", strerror(errno));
            return -1;
        }
        EVP_DigestUpdate(lr->blob.md, lr->buf, (size_t)n);
        lr->blob_bytes += (uint64_t)n;
        *ret = lr->buf;
        return n;
    }
}

static la_ssize_t layer_read_tar(struct archive *a, void *data, const void **ret)
{
    struct layer_read *lr = data;
    const void *buf;
    size_t size;
    la_int64_t off;
    int r = archive_read_data_block(lr->raw, &buf, &size, &off);
    if (r == ARCHIVE_EOF)
        return 0;
    if (r < ARCHIVE_WARN) {
        archive_set_error(a, EIO, "%s", archive_error_string(lr->raw));
        return -1;
    }
    EVP_DigestUpdate(lr->diff.md, buf, size);
    *ret = buf;
    return (la_ssize_t)size;
}

/* Keep only the xattrs a base may carry: user.* and file capabilities (no
 * trusted.*, which overlayfs would read as its own, nor security labels). */
static void xattrs_filter(struct archive_entry *e)
{
    if (archive_entry_xattr_reset(e) == 0)
        return;
    struct {
        char *name;
        void *value;
        size_t size;
    } keep[32];
    size_t n = 0;
    const char *name;
    const void *value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
        if (n < BRIG_ARRAY_SIZE(keep) && size <= OCI_XATTR_MAX &&
            (brig_startswith(name, "user.") || strcmp(name, "security.capability") == 0)) {
            keep[n].name = brig_xstrdup(name);
            keep[n].value = brig_xmalloc(size ? size : 1);
            memcpy(keep[n].value, value, size);
            keep[n].size = size;
            n++;
        }
    }
    archive_entry_xattr_clear(e);
    for (size_t i = 0; i < n; i++) {
        archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
        free(keep[i].name);
        free(keep[i].value);
    }
}

/* A hard link's target must be a file of this layer reached without a symlink. */
static int hardlink_check(int layer_fd, const char *rel, const char *name, struct brig_err *err)
{
    struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                                      RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    int fd = (int)syscall(SYS_openat2, layer_fd, rel, &how, sizeof(how));
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return brig_err_set(err, BRIG_EUSAGE,
                            "%.200s: a hard link to %.200s, which is not a file of its layer", name,
                            rel);
    }
    close(fd);
    return 0;
}

static int layer_entry(struct archive *in, struct archive *out, struct archive_entry *e,
                       const char *dest, int dest_fd, struct brig_err *err)
{
    const char *orig = archive_entry_pathname(e);
    if (!orig)
        return brig_err_set(err, BRIG_EUSAGE, "an entry without a usable name");
    _cleanup_free_ char *name = brig_xstrdup(orig);
    _cleanup_free_ char *rel = NULL;
    if (brig_archive_entry_path(name, &rel, err) < 0) {
        if (err)
            err->code = BRIG_EUSAGE;
        return -1;
    }
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFCHR || type == AE_IFBLK)
        return brig_err_set(err, BRIG_EUSAGE, "%.200s is a device node: refused", name);
    if (type == AE_IFSOCK)
        return 0;
    const char *link = archive_entry_hardlink(e);
    _cleanup_free_ char *abs_link = NULL;
    if (link) {
        _cleanup_free_ char *lrel = NULL;
        if (brig_archive_entry_path(link, &lrel, err) < 0 || !lrel[0]) {
            if (err)
                err->code = BRIG_EUSAGE;
            return brig_err_wrap(err, "hard link %.200s", name);
        }
        if (hardlink_check(dest_fd, lrel, name, err) < 0)
            return -1;
        abs_link = brig_xasprintf("%s/%s", dest, lrel);
        archive_entry_set_hardlink(e, abs_link);
    }
    _cleanup_free_ char *path = rel[0] ? brig_xasprintf("%s/%s", dest, rel) : brig_xstrdup(dest);
    archive_entry_set_pathname(e, path);
    xattrs_filter(e);
    int r = archive_write_header(out, e);
    if (r < ARCHIVE_WARN)
        return brig_err_set(err, BRIG_EUSAGE, "%.200s: %s", name, archive_error_string(out));
    if (!link && archive_entry_size(e) > 0) {
        for (;;) {
            const void *buf;
            size_t size;
            la_int64_t off;
            r = archive_read_data_block(in, &buf, &size, &off);
            if (r == ARCHIVE_EOF)
                break;
            if (r < ARCHIVE_WARN)
                return brig_err_set(err, BRIG_EUSAGE, "%.200s: %s", name, archive_error_string(in));
            if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
                return brig_err_set(err, BRIG_EFAIL, "write %.200s: %s", name,
                                    archive_error_string(out));
        }
    }
    if (archive_write_finish_entry(out) < ARCHIVE_WARN)
        return brig_err_set(err, BRIG_EFAIL, "%.200s: %s", name, archive_error_string(out));
    return 0;
}

static struct archive *layer_writer(void)
{
    struct archive *a = archive_write_disk_new();
    if (!a)
        abort();
    archive_write_disk_set_options(a, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                          ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_ACL |
                                          ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                          ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    return a;
}

static int filter_check(struct archive *raw, enum brig_oci_compression c, struct brig_err *err)
{
    int code = archive_filter_code(raw, 0);
    bool ok = c == BRIG_OCI_ANY ? code == ARCHIVE_FILTER_NONE || code == ARCHIVE_FILTER_GZIP ||
                                      code == ARCHIVE_FILTER_ZSTD
              : c == BRIG_OCI_TAR  ? code == ARCHIVE_FILTER_NONE
              : c == BRIG_OCI_GZIP ? code == ARCHIVE_FILTER_GZIP
                                   : code == ARCHIVE_FILTER_ZSTD;
    if (!ok)
        return brig_err_set(err, BRIG_EUSAGE, "compressed with %s, not as its media type says",
                            archive_filter_name(raw, 0));
    return 0;
}

/* Unpack the layer blob fd into dest (dest_fd), checking its digest (when
 * blob_hex) and its diff_id. */
int brig_oci_layer_unpack(int fd, enum brig_oci_compression c, const char *blob_hex,
                          const char *diff_hex, const char *dest, int dest_fd, struct brig_err *err)
{
    struct layer_read *lr = brig_xcalloc(1, sizeof(*lr));
    lr->fd = fd;
    sha_init(&lr->blob);
    sha_init(&lr->diff);
    lr->raw = archive_read_new();
    struct archive *tar = archive_read_new();
    struct archive *out = layer_writer();
    int r = -1;
    if (!lr->raw || !tar)
        abort();
    if (c == BRIG_OCI_GZIP || c == BRIG_OCI_ANY)
        archive_read_support_filter_gzip(lr->raw);
    if ((c == BRIG_OCI_ZSTD || c == BRIG_OCI_ANY) &&
        archive_read_support_filter_zstd(lr->raw) != ARCHIVE_OK && c == BRIG_OCI_ZSTD) {
        brig_err_set(err, BRIG_EUSAGE, "zstd layers are not supported by this libarchive");
        goto out;
    }
    archive_read_support_format_raw(lr->raw);
    struct archive_entry *e;
    if (archive_read_open(lr->raw, lr, NULL, layer_read_blob, NULL) != ARCHIVE_OK ||
        archive_read_next_header(lr->raw, &e) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EUSAGE, "%s", archive_error_string(lr->raw));
        goto out;
    }
    if (filter_check(lr->raw, c, err) < 0)
        goto out;
    archive_read_support_format_tar(tar);
    if (archive_read_open(tar, lr, NULL, layer_read_tar, NULL) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EUSAGE, "not a tar: %s", archive_error_string(tar));
        goto out;
    }
    for (;;) {
        int h = archive_read_next_header(tar, &e);
        if (h == ARCHIVE_EOF)
            break;
        if (h < ARCHIVE_WARN) {
            brig_err_set(err, BRIG_EUSAGE, "%s", archive_error_string(tar));
            goto out;
        }
        if (layer_entry(tar, out, e, dest, dest_fd, err) < 0)
            goto out;
    }
    if (archive_write_close(out) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "%s", archive_error_string(out));
        goto out;
    }
    /* the digests cover the whole blob: what follows the tar's end too */
    const void *buf;
    size_t size;
    la_int64_t off;
    int d;
    while ((d = archive_read_data_block(lr->raw, &buf, &size, &off)) == ARCHIVE_OK)
        EVP_DigestUpdate(lr->diff.md, buf, size);
    if (d != ARCHIVE_EOF) {
        brig_err_set(err, BRIG_EUSAGE, "%s", archive_error_string(lr->raw));
        goto out;
    }
    for (;;) {
        const void *p;
        if (layer_read_blob(lr->raw, lr, &p) <= 0)
            break;
    }
    char got[65];
    sha_hex(&lr->blob, got);
    if (blob_hex && strcmp(got, blob_hex) != 0) {
        brig_err_set(err, BRIG_EUSAGE, "digest mismatch: the blob is sha256:%s", got);
        goto out;
    }
    sha_hex(&lr->diff, got);
    if (strcmp(got, diff_hex) != 0) {
        brig_err_set(err, BRIG_EUSAGE, "diff_id mismatch: the tar is sha256:%s", got);
        goto out;
    }
    r = 0;
out:
    if (r < 0 && blob_hex && lr->blob.md) {
        /* damaged data fails the tar or the decompression first: say whether
         * the blob is the one the manifest names */
        const void *p;
        while (layer_read_blob(lr->raw, lr, &p) > 0)
            ;
        char whole[65];
        sha_hex(&lr->blob, whole);
        if (strcmp(whole, blob_hex) != 0)
            brig_err_set(err, BRIG_EUSAGE, "digest mismatch: the blob is sha256:%s", whole);
    }
    archive_read_free(tar);
    archive_read_free(lr->raw);
    archive_write_free(out);
    sha_free(&lr->blob);
    sha_free(&lr->diff);
    free(lr);
    return r;
}

/* Copy owner, mode, xattrs and times of directory lfd onto rfd. */
static int dir_attrs(int lfd, int rfd, const char *rel, struct brig_err *err)
{
    struct stat st;
    if (fstat(lfd, &st) < 0)
        return brig_err_sys(err, errno, "stat %s", rel);
    char names[4096];
    ssize_t n = flistxattr(lfd, names, sizeof(names));
    for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(names + i) + 1) {
        char value[4096];
        ssize_t vn = fgetxattr(lfd, names + i, value, sizeof(value));
        if (vn >= 0 && fsetxattr(rfd, names + i, value, (size_t)vn, 0) < 0)
            return brig_err_sys(err, errno, "set xattr %s on %s", names + i, rel);
    }
    if (fchown(rfd, st.st_uid, st.st_gid) < 0 || fchmod(rfd, st.st_mode & 07777) < 0)
        return brig_err_sys(err, errno, "set owner of %s", rel);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (futimens(rfd, ts) < 0)
        return brig_err_sys(err, errno, "set times of %s", rel);
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **dir_names(int fd)
{
    int dfd = dup(fd);
    DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return NULL;
    }
    char **v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        v = brig_xrealloc(v, (n + 2) * sizeof(*v));
        v[n++] = brig_xstrdup(de->d_name);
        v[n] = NULL;
    }
    closedir(d);
    if (!v)
        v = brig_xcalloc(1, sizeof(*v));
    qsort(v, n, sizeof(*v), name_cmp);
    return v;
}

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

static int merge_dir(int lfd, int rfd, const char *rel, struct brig_err *err);

/* One entry of a layer directory, not a whiteout, onto the base. */
static int merge_entry(int lfd, int rfd, const char *name, const char *rel, struct brig_err *err)
{
    struct stat ls, rs;
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", rel, name);
    if (fstatat(lfd, name, &ls, AT_SYMLINK_NOFOLLOW) < 0)
        return brig_err_sys(err, errno, "stat %s", path);
    bool below = fstatat(rfd, name, &rs, AT_SYMLINK_NOFOLLOW) == 0;
    if (!S_ISDIR(ls.st_mode)) {
        if (below && brig_rm_rf_at(rfd, name, err) < 0)
            return -1;
        if (linkat(lfd, name, rfd, name, 0) < 0)
            return brig_err_sys(err, errno, "link %s", path);
        return 0;
    }
    if (below && !S_ISDIR(rs.st_mode)) {
        if (brig_rm_rf_at(rfd, name, err) < 0)
            return -1;
        below = false;
    }
    if (!below && mkdirat(rfd, name, 0700) < 0)
        return brig_err_sys(err, errno, "mkdir %s", path);
    _cleanup_close_ int lsub = openat(lfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int rsub = openat(rfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (lsub < 0 || rsub < 0)
        return brig_err_sys(err, errno, "open %s", path);
    if (merge_dir(lsub, rsub, path, err) < 0)
        return -1;
    return dir_attrs(lsub, rsub, path, err);
}

/* Apply the layer directory lfd onto the base directory rfd: first what it
 * hides of the layers below (opaque marker, whiteouts), then its entries. */
static int merge_dir(int lfd, int rfd, const char *rel, struct brig_err *err)
{
    _cleanup_strv_ char **names = dir_names(lfd);
    if (!names)
        return brig_err_sys(err, errno, "read %s", rel);
    if (brig_strv_contains(names, WH_OPAQUE)) {
        _cleanup_strv_ char **below = dir_names(rfd);
        if (!below)
            return brig_err_sys(err, errno, "read %s", rel);
        for (size_t i = 0; below[i]; i++) {
            if (brig_rm_rf_at(rfd, below[i], err) < 0)
                return -1;
        }
    }
    for (size_t i = 0; names[i]; i++) {
        const char *n = names[i];
        if (!brig_startswith(n, WH_PREFIX) || strcmp(n, WH_OPAQUE) == 0)
            continue;
        const char *hidden = n + strlen(WH_PREFIX);
        if (!*hidden || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
            return brig_err_set(err, BRIG_EUSAGE, "whiteout %s/%.100s names no file", rel, n);
        if (brig_rm_rf_at(rfd, hidden, err) < 0)
            return -1;
    }
    for (size_t i = 0; names[i]; i++) {
        if (brig_startswith(names[i], WH_PREFIX))
            continue;
        if (merge_entry(lfd, rfd, names[i], rel, err) < 0)
            return -1;
    }
    return 0;
}

void brig_sha256_buf(const void *data, size_t n, char ret[65])
{
    struct sha s;
    sha_init(&s);
    EVP_DigestUpdate(s.md, data, n);
    sha_hex(&s, ret);
}

int brig_oci_layer_apply(int layer_fd, int root_fd, struct brig_err *err)
{
    if (merge_dir(layer_fd, root_fd, ".", err) < 0 || dir_attrs(layer_fd, root_fd, ".", err) < 0)
        return -1;
    return 0;
}
