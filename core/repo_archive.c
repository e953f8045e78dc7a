#define _GNU_SOURCE
#include "repo_archive.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "util.h"

#define ARCHIVE_BLOCK_SIZE (64 * 1024)

int brig_archive_entry_path(const char *path, char **ret, struct brig_err *err)
{
    if (!path)
        return brig_err_set(err, BRIG_EFAIL, "archive entry without a usable name");
    if (path[0] == '/')
        return brig_err_set(err, BRIG_EFAIL, "archive entry '%.200s' is an absolute path", path);
    struct brig_buf b = {0};
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EFAIL, "archive entry '%.200s' has a '..' component",
                                path);
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (b.len)
                brig_buf_addc(&b, '/');
            brig_buf_addn(&b, p, n);
        }
        p += n;
        while (*p == '/')
            p++;
    }
    *ret = brig_buf_steal(&b);
    return 0;
}

/* Rewrite a path of the archive into dest; fails on an unsafe path. */
static int archive_rebase(const char *dest, const char *path, char **ret, struct brig_err *err)
{
    _cleanup_free_ char *rel = NULL;
    if (brig_archive_entry_path(path, &rel, err) < 0)
        return -1;
    *ret = rel[0] ? brig_xasprintf("%s/%s", dest, rel) : brig_xstrdup(dest);
    return 0;
}

static int archive_copy_data(struct archive *in, struct archive *out, const char *name,
                             struct brig_err *err)
{
    for (;;) {
        const void *buf;
        size_t size;
        la_int64_t off;
        int r = archive_read_data_block(in, &buf, &size, &off);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "read %.200s: %s", name, archive_error_string(in));
        la_ssize_t w = archive_write_data_block(out, buf, size, off);
        if (w < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "write %.200s: %s", name,
                                archive_error_string(out));
    }
}

static struct archive *archive_reader_new(void)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    /* Named filters only: filter_all would also run outside programs (lrzip, lzop …). */
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_format_tar(a);
    return a;
}

static struct archive *archive_writer_new(void)
{
    struct archive *a = archive_write_disk_new();
    if (!a)
        return NULL;
    /* No set_standard_lookup: ids are numeric, the host's passwd says nothing of the base's. */
    archive_write_disk_set_options(a, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                          ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_ACL |
                                          ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                          ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    return a;
}

static int archive_extract_entries(struct archive *in, struct archive *out, const char *dest,
                                   uint64_t total, brig_progress_fn *progress, void *data,
                                   struct brig_archive_stats *st, struct brig_err *err)
{
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "read archive: %s", archive_error_string(in));
        const char *orig = archive_entry_pathname(e);
        if (!orig)
            return brig_err_set(err, BRIG_EFAIL, "archive entry without a usable name");
        /* Copied: setting the new pathname below frees the entry's own string. */
        _cleanup_free_ char *name = brig_xstrdup(orig);
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK) {
            st->skipped++;
            continue;
        }
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ char *link = NULL;
        if (archive_rebase(dest, name, &path, err) < 0)
            return -1;
        const char *hardlink = archive_entry_hardlink(e);
        if (hardlink) {
            if (archive_rebase(dest, hardlink, &link, err) < 0)
                return brig_err_wrap(err, "hard link %.200s", name);
            archive_entry_set_hardlink(e, link);
        }
        archive_entry_set_pathname(e, path);
        r = archive_write_header(out, e);
        if (r < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "extract %.200s: %s", name,
                                archive_error_string(out));
        if (archive_entry_size(e) > 0 && archive_copy_data(in, out, name, err) < 0)
            return -1;
        r = archive_write_finish_entry(out);
        if (r < ARCHIVE_WARN)
            return brig_err_set(err, BRIG_EFAIL, "extract %.200s: %s", name,
                                archive_error_string(out));
        st->entries++;
        if (progress)
            progress("extract", (uint64_t)archive_filter_bytes(in, -1), total, data);
    }
}

int brig_archive_extract_fd(int fd, const char *dest, brig_progress_fn *progress, void *data,
                            struct brig_archive_stats *ret_stats, struct brig_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb) < 0)
        return brig_err_sys(err, errno, "extract: stat");
    struct archive *in = archive_reader_new();
    struct archive *out = archive_writer_new();
    if (!in || !out) {
        archive_read_free(in);
        archive_write_free(out);
        return brig_err_set(err, BRIG_EFAIL, "extract: cannot initialise libarchive");
    }
    struct brig_archive_stats st = {0};
    int r = -1;
    if (archive_read_open_fd(in, fd, ARCHIVE_BLOCK_SIZE) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "not a tar archive: %s", archive_error_string(in));
        goto out;
    }
    if (archive_extract_entries(in, out, dest, (uint64_t)sb.st_size, progress, data, &st, err) < 0)
        goto out;
    /* Closing the writer applies the deferred directory modes and times. */
    if (archive_write_close(out) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "extract: %s", archive_error_string(out));
        goto out;
    }
    if (st.entries == 0) {
        brig_err_set(err, BRIG_EFAIL, "archive holds no files");
        goto out;
    }
    r = 0;
out:
    archive_read_free(in);
    archive_write_free(out);
    if (r == 0 && ret_stats)
        *ret_stats = st;
    return r;
}
