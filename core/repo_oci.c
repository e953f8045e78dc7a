/* OCI images as bases: an image layout directory (oci:DIR[:TAG]) or a
 * `docker save` archive (docker-archive:FILE) made into a base.
 *
 * Each layer is unpacked once into the layer store (basejail/.layers/sha256/
 * <diff_id>/), as the tar has it: whiteout files (.wh.NAME, .wh..wh..opq)
 * kept as plain files. The base is then built in its staging directory by
 * applying the layers in order, as overlayfs would show them stacked: a
 * layer's opaque marker empties the directory of what lower layers put
 * there, a whiteout removes its name from them, a directory is merged
 * (taking the upper layer's owner, mode, times and xattrs) and anything else
 * replaces what was below as a hard link to the layer's file. So a file
 * shared by several bases (the same layer) is stored once, and the base is an
 * ordinary directory tree: thin jails mount it idmapped as their overlay's
 * lower layer, thick jails copy it, exactly as any other base.
 *
 * Nothing is trusted before it is checked: the manifest and config are read
 * only after their digest matches, and a layer's compressed and uncompressed
 * digests (the descriptor's and the config's diff_id) are computed while it
 * is unpacked into a .tmp directory, which becomes the stored layer only when
 * both match. Paths are resolved beneath the layer's directory; an absolute
 * path, a '..', a write through a symlink, a hard link out of the layer or a
 * device node fails the import, and what it made is removed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "oci_image.h"
#include "oci_layer.h"
#include "params.h"
#include "repo.h"
#include "repo_archive.h"
#include "repo_int.h"
#include "repo_tree.h"
#include "util.h"

#define OCI_BLOCK    (256 * 1024)
#define OCI_NEST_MAX 4 /* image indexes within image indexes */

/* Where the image's blobs are: a layout directory, or a docker-archive
 * extracted into the staging directory. */
struct oci_src {
    int root_fd;
    bool docker;
    char *path; /* the directory or archive, absolute */
    char *tag;  /* NULL: the only image */
};

/* Open path inside the image, every link resolved inside it. */
static int src_open(const struct oci_src *src, const char *path, int *ret_fd, struct brig_err *err)
{
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    int fd = (int)syscall(SYS_openat2, src->root_fd, path, &how, sizeof(how));
    if (fd < 0) {
        if (errno == ENOENT)
            return brig_err_set(err, BRIG_EUSAGE, "%.200s is missing from the image", path);
        return brig_err_sys(err, errno, "open %.200s", path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return brig_err_set(err, BRIG_EUSAGE, "%.200s is not a regular file", path);
    }
    *ret_fd = fd;
    return 0;
}

static char *blob_path(const char *hex)
{
    return brig_xasprintf("blobs/sha256/%s", hex);
}

/* A small JSON blob, read whole; its digest checked when want is given and
 * its size when size >= 0. */
static int read_json(const struct oci_src *src, const char *path, const char *want, int64_t size,
                     char **ret, size_t *ret_len, struct brig_err *err)
{
    _cleanup_close_ int fd = -1;
    if (src_open(src, path, &fd, err) < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return brig_err_sys(err, errno, "stat %.200s", path);
    if (size >= 0 && st.st_size != size)
        return brig_err_set(err, BRIG_EUSAGE, "%.200s: %lld bytes, its descriptor says %lld", path,
                            (long long)st.st_size, (long long)size);
    if (st.st_size > BRIG_OCI_JSON_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%.200s: larger than %u bytes", path,
                            BRIG_OCI_JSON_MAX);
    char *buf = brig_xmalloc((size_t)st.st_size + 1);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return brig_err_sys(err, errno, "read %.200s", path);
        }
        if (n == 0 || (len += (size_t)n) > (size_t)st.st_size)
            break;
    }
    if (len != (size_t)st.st_size) {
        free(buf);
        return brig_err_set(err, BRIG_EUSAGE, "%.200s changed while read", path);
    }
    buf[len] = '\0';
    if (want) {
        char got[65];
        brig_sha256_buf(buf, len, got);
        if (strcmp(got, want) != 0) {
            free(buf);
            return brig_err_set(err, BRIG_EUSAGE, "%.200s: digest mismatch: sha256:%s expected",
                                path, want);
        }
    }
    *ret = buf;
    *ret_len = len;
    return 0;
}

/* Make layer diff_hex present in the store (layers: basejail/.layers) from
 * the blob at path; *ret_reused when it was there already. */
static int layer_store(const struct oci_src *src, const char *layers, const char *path,
                       const struct brig_oci_desc *desc, const char *diff_hex, bool *ret_reused,
                       struct brig_err *err)
{
    _cleanup_free_ char *final = brig_xasprintf("%s/sha256/%s", layers, diff_hex);
    struct stat st;
    *ret_reused = false;
    if (lstat(final, &st) == 0 && S_ISDIR(st.st_mode)) {
        *ret_reused = true;
        return 0;
    }
    _cleanup_close_ int fd = -1;
    if (src_open(src, path, &fd, err) < 0)
        return -1;
    if (desc && (fstat(fd, &st) < 0 || st.st_size != desc->size))
        return brig_err_set(err, BRIG_EUSAGE, "%.200s: %lld bytes, its descriptor says %lld", path,
                            (long long)st.st_size, (long long)desc->size);
    _cleanup_free_ char *tmp = brig_xasprintf("%s/.tmp-%.16s-%d", layers, diff_hex, (int)getpid());
    struct brig_err ignored = BRIG_ERR_INIT;
    brig_rm_rf(tmp, &ignored);
    if (mkdir(tmp, 0755) < 0)
        return brig_err_sys(err, errno, "mkdir %s", tmp);
    int tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = tfd < 0 ? brig_err_sys(err, errno, "open %s", tmp)
                    : brig_oci_layer_unpack(fd, desc ? desc->compression : BRIG_OCI_ANY,
                                            desc ? desc->digest : NULL, diff_hex, tmp, tfd, err);
    if (tfd >= 0)
        close(tfd);
    if (r == 0 && rename(tmp, final) < 0)
        r = brig_err_sys(err, errno, "rename %s", tmp);
    if (r < 0) {
        brig_rm_rf(tmp, &ignored);
        return brig_err_wrap(err, "layer sha256:%.12s", diff_hex);
    }
    return 0;
}

static int layer_apply(const char *layers, const char *diff_hex, int root_fd, struct brig_err *err)
{
    _cleanup_free_ char *dir = brig_xasprintf("%s/sha256/%s", layers, diff_hex);
    _cleanup_close_ int lfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (lfd < 0)
        return brig_err_sys(err, errno, "open %s", dir);
    if (brig_oci_layer_apply(lfd, root_fd, err) < 0)
        return brig_err_wrap(err, "apply layer sha256:%.12s", diff_hex);
    return 0;
}
/* "oci:DIR[:TAG]" or "docker-archive:FILE" into src (path made absolute). */
static int src_parse(const char *image, struct oci_src *src, struct brig_err *err)
{
    const char *rest;
    if (brig_startswith(image, "oci:")) {
        rest = image + 4;
        const char *colon = strrchr(rest, ':');
        if (colon && !strchr(colon, '/')) {
            src->tag = brig_xstrdup(colon + 1);
            src->path = brig_xstrndup(rest, (size_t)(colon - rest));
            if (!*src->tag || strlen(src->tag) > 128)
                return brig_err_set(err, BRIG_EUSAGE, "image=%.200s: an empty or too long tag",
                                    image);
        } else {
            src->path = brig_xstrdup(rest);
        }
    } else if (brig_startswith(image, "docker-archive:")) {
        src->docker = true;
        src->path = brig_xstrdup(image + strlen("docker-archive:"));
    } else {
        return brig_err_set(err, BRIG_EUSAGE,
                            "image=%.200s: give oci:DIR[:TAG] (an OCI image layout) or "
                            "docker-archive:FILE (docker save)",
                            image);
    }
    if (!*src->path)
        return brig_err_set(err, BRIG_EUSAGE, "image=%.200s: no path", image);
    char *real = realpath(src->path, NULL);
    if (!real) {
        brig_err_sys(err, errno, "%.200s", src->path);
        if (err)
            err->code = BRIG_EUSAGE;
        return -1;
    }
    free(src->path);
    src->path = real;
    return 0;
}

/* A base name from text: letters, digits, '_' and '-' kept, anything else '-'. */
static char *name_from(const char *text)
{
    struct brig_buf b = {0};
    for (const char *p = text; *p && b.len < 48; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        brig_buf_addc(&b, ok ? c : '-');
    }
    return brig_buf_steal(&b);
}

/* The name of an image: the last component of its repository, then its tag. */
static char *image_name(const struct oci_src *src, const char *repo_tag)
{
    if (src->docker && repo_tag && *repo_tag) {
        const char *slash = strrchr(repo_tag, '/');
        return name_from(slash ? slash + 1 : repo_tag);
    }
    const char *base = strrchr(src->path, '/');
    base = base ? base + 1 : src->path;
    _cleanup_free_ char *stem = brig_xstrdup(base);
    char *dot = strrchr(stem, '.');
    if (src->docker && dot && dot != stem)
        *dot = '\0';
    _cleanup_free_ char *full =
        src->tag ? brig_xasprintf("%s:%s", stem, src->tag) : brig_xstrdup(stem);
    return name_from(full);
}

/* The resolved image: its manifest (synthesised for a docker-archive), its
 * config, where each layer blob is, and what identifies it. */
struct oci_image {
    struct brig_oci_manifest m;
    struct brig_oci_config cfg;
    char **layer_paths;
    char digest[65]; /* the manifest's (OCI) or the config's (docker-archive) */
    char *repo_tag;
};

static void oci_image_free(struct oci_image *im)
{
    brig_oci_manifest_free(&im->m);
    brig_oci_config_free(&im->cfg);
    brig_strv_free(im->layer_paths);
    free(im->repo_tag);
    memset(im, 0, sizeof(*im));
}

static int oci_layout_check(const struct oci_src *src, struct brig_err *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_json(src, "oci-layout", NULL, -1, &text, &len, err) < 0)
        return brig_err_wrap(err, "not an OCI image layout");
    if (!strstr(text, "\"imageLayoutVersion\""))
        return brig_err_set(err, BRIG_EUSAGE, "oci-layout: no imageLayoutVersion");
    return 0;
}

static int resolve_oci(const struct oci_src *src, struct oci_image *im, struct brig_err *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    struct brig_oci_desc d;
    if (oci_layout_check(src, err) < 0 ||
        read_json(src, "index.json", NULL, -1, &text, &len, err) < 0 ||
        brig_oci_index_parse(text, len, src->tag, &d, err) < 0)
        return -1;
    for (int depth = 0; d.kind == BRIG_OCI_INDEX; depth++) {
        _cleanup_free_ char *path = blob_path(d.digest);
        free(text);
        text = NULL;
        if (depth == OCI_NEST_MAX)
            return brig_err_set(err, BRIG_EUSAGE, "image indexes nested too deep");
        if (read_json(src, path, d.digest, d.size, &text, &len, err) < 0 ||
            brig_oci_index_parse(text, len, NULL, &d, err) < 0)
            return -1;
    }
    _cleanup_free_ char *mpath = blob_path(d.digest);
    free(text);
    text = NULL;
    if (read_json(src, mpath, d.digest, d.size, &text, &len, err) < 0 ||
        brig_oci_manifest_parse(text, len, &im->m, err) < 0)
        return -1;
    memcpy(im->digest, d.digest, sizeof(im->digest));
    _cleanup_free_ char *cpath = blob_path(im->m.config.digest);
    free(text);
    text = NULL;
    if (read_json(src, cpath, im->m.config.digest, im->m.config.size, &text, &len, err) < 0 ||
        brig_oci_config_parse(text, len, &im->cfg, err) < 0)
        return -1;
    for (size_t i = 0; i < im->m.nlayers; i++) {
        _cleanup_free_ char *p = blob_path(im->m.layers[i].digest);
        brig_strv_push(&im->layer_paths, p);
    }
    im->repo_tag = brig_xstrdup(src->tag ? src->tag : "");
    return 0;
}

/* The digest a docker-archive's config path names: "<hex>.json" or blobs/sha256/<hex>. */
static int docker_config_digest(const char *path, char ret[65], struct brig_err *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if ((n == 64 || (n == 69 && strcmp(base + 64, ".json") == 0)) &&
        strspn(base, "0123456789abcdef") >= 64) {
        memcpy(ret, base, 64);
        ret[64] = '\0';
        return 0;
    }
    return brig_err_set(err, BRIG_EUSAGE, "manifest.json: config %.200s is not named by its digest",
                        path);
}

static int resolve_docker(const struct oci_src *src, struct oci_image *im, struct brig_err *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    struct brig_docker_image d = {0};
    int r = -1;
    if (read_json(src, "manifest.json", NULL, -1, &text, &len, err) < 0 ||
        brig_docker_manifest_parse(text, len, src->tag, &d, err) < 0 ||
        docker_config_digest(d.config, im->digest, err) < 0)
        goto out;
    free(text);
    text = NULL;
    if (read_json(src, d.config, im->digest, -1, &text, &len, err) < 0 ||
        brig_oci_config_parse(text, len, &im->cfg, err) < 0)
        goto out;
    im->m.nlayers = d.nlayers;
    im->layer_paths = brig_steal(&d.layers);
    im->repo_tag = brig_steal(&d.repo_tag);
    r = 0;
out:
    brig_docker_image_free(&d);
    return r;
}

/* A docker-archive: extracted (safely, as a rootfs tarball is) into the
 * staging directory, then read as a directory. */
static int docker_open(struct oci_src *src, const struct brig_staging *s, struct brig_err *err)
{
    _cleanup_free_ char *dir = brig_xasprintf("%s/archive", s->tmp);
    if (mkdir(dir, 0700) < 0)
        return brig_err_sys(err, errno, "mkdir %s", dir);
    _cleanup_close_ int fd = open(src->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "%.200s is not a readable file", src->path);
    if (brig_archive_extract_fd(fd, dir, NULL, NULL, NULL, err) < 0) {
        if (err)
            err->code = BRIG_EUSAGE;
        return brig_err_wrap(err, "%.200s", src->path);
    }
    src->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return src->root_fd < 0 ? brig_err_sys(err, errno, "open %s", dir) : 0;
}

/* manifest.json of a docker-archive, read from the tar without extracting it. */
static int docker_peek(const char *path, char **ret, size_t *ret_len, struct brig_err *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EUSAGE, "%.200s is not a readable file", path);
    struct archive *a = archive_read_new();
    if (!a)
        abort();
    archive_read_support_format_tar(a);
    int r = -1;
    struct archive_entry *e;
    if (archive_read_open_fd(a, fd, OCI_BLOCK) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EUSAGE, "%.200s: not a tar: %s", path, archive_error_string(a));
        goto out;
    }
    for (;;) {
        int h = archive_read_next_header(a, &e);
        if (h == ARCHIVE_EOF) {
            brig_err_set(err, BRIG_EUSAGE, "%.200s: no manifest.json: not a docker-archive", path);
            goto out;
        }
        if (h < ARCHIVE_WARN) {
            brig_err_set(err, BRIG_EUSAGE, "%.200s: %s", path, archive_error_string(a));
            goto out;
        }
        const char *name = archive_entry_pathname(e);
        if (!name || (strcmp(name, "manifest.json") != 0 && strcmp(name, "./manifest.json") != 0))
            continue;
        int64_t size = archive_entry_size(e);
        if (archive_entry_filetype(e) != AE_IFREG || size < 0 || size > BRIG_OCI_JSON_MAX) {
            brig_err_set(err, BRIG_EUSAGE, "%.200s: manifest.json is not a small file", path);
            goto out;
        }
        char *buf = brig_xmalloc((size_t)size + 1);
        la_ssize_t n = archive_read_data(a, buf, (size_t)size);
        if (n != size) {
            free(buf);
            brig_err_set(err, BRIG_EUSAGE, "%.200s: manifest.json: %s", path,
                         n < 0 ? archive_error_string(a) : "truncated");
            goto out;
        }
        buf[size] = '\0';
        *ret = buf;
        *ret_len = (size_t)size;
        r = 0;
        goto out;
    }
out:
    archive_read_free(a);
    return r;
}

/* The image config's defaults for jails, kept in the base's .meta. */
static void config_meta(const struct oci_image *im, struct brig_kvlist *kv)
{
    struct brig_buf layers = {0};
    for (size_t i = 0; i < im->cfg.ndiff_ids; i++) {
        if (i)
            brig_buf_addc(&layers, ' ');
        brig_buf_add(&layers, im->cfg.diff_ids[i]);
    }
    _cleanup_free_ char *l = brig_buf_steal(&layers);
    _cleanup_free_ char *cmd = brig_oci_command(&im->cfg);
    _cleanup_free_ char *env = brig_oci_words_join(im->cfg.env);
    _cleanup_free_ char *ports = brig_oci_words_join(im->cfg.ports);
    brig_kvlist_add(kv, "layers", l, 0);
    brig_kvlist_add(kv, "exec_start", cmd, 0);
    brig_kvlist_add(kv, "exec_env", env, 0);
    brig_kvlist_add(kv, "exec_cwd", im->cfg.workdir, 0);
    brig_kvlist_add(kv, "exec_user", im->cfg.user, 0);
    brig_kvlist_add(kv, "stop_signal", im->cfg.stop_signal, 0);
    brig_kvlist_add(kv, "ports", ports, 0);
}

static void log_line(brig_repo_log_fn *log, void *data, const char *fmt, ...) BRIG_PRINTF(3, 4);
static void log_line(brig_repo_log_fn *log, void *data, const char *fmt, ...)
{
    if (!log)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *line = NULL;
    if (vasprintf(&line, fmt, ap) < 0)
        abort();
    va_end(ap);
    log(line, data);
    free(line);
}

static int import_layers(const struct oci_src *src, const struct oci_image *im,
                         const struct brig_staging *s, brig_repo_log_fn *log, void *data,
                         struct brig_err *err)
{
    _cleanup_free_ char *layers = brig_xasprintf("%s/" BRIG_LAYERS_DIR, s->dir);
    if (im->m.nlayers != im->cfg.ndiff_ids)
        return brig_err_set(err, BRIG_EUSAGE, "the image has %zu layers and %zu diff_ids",
                            im->m.nlayers, im->cfg.ndiff_ids);
    if (im->m.nlayers == 0)
        return brig_err_set(err, BRIG_EUSAGE, "the image has no layers");
    _cleanup_close_ int root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root_fd < 0)
        return brig_err_sys(err, errno, "open %s", s->root);
    for (size_t i = 0; i < im->m.nlayers; i++) {
        bool reused;
        const char *diff = im->cfg.diff_ids[i];
        if (layer_store(src, layers, im->layer_paths[i], src->docker ? NULL : &im->m.layers[i],
                        diff, &reused, err) < 0)
            return -1;
        log_line(log, data, "base %s: layer sha256:%s: %s", s->name, diff,
                 reused ? "reused" : "unpacked");
        if (layer_apply(layers, diff, root_fd, err) < 0)
            return -1;
    }
    return 0;
}

int brig_repo_import_oci(const char *workdir, const char *name, const char *image,
                         brig_repo_log_fn *log, void *data, char **ret_name, bool *ret_present,
                         struct brig_err *err)
{
    struct oci_src src = {.root_fd = -1};
    struct oci_image im = {0};
    struct brig_staging s = {.lock_fd = -1};
    _cleanup_free_ char *base = name && *name ? brig_xstrdup(name) : NULL;
    _cleanup_close_ int layers_lock = -1;
    _cleanup_free_ char *version = NULL;
    _cleanup_free_ char *origin = NULL;
    bool locked = false;
    int r = -1;
    *ret_present = false;
    if (!image || src_parse(image, &src, err) < 0)
        goto out;
    if (!src.docker) {
        src.root_fd = open(src.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (src.root_fd < 0) {
            brig_err_sys(err, errno, "open %.200s", src.path);
            if (err)
                err->code = BRIG_EUSAGE;
            goto out;
        }
    }
    if (!base && src.docker) {
        /* a docker-archive's name is in its manifest.json */
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        struct brig_docker_image d = {0};
        if (docker_peek(src.path, &text, &len, err) < 0 ||
            brig_docker_manifest_parse(text, len, src.tag, &d, err) < 0)
            goto out;
        base = image_name(&src, d.repo_tag);
        brig_docker_image_free(&d);
    } else if (!base) {
        base = image_name(&src, NULL);
    }
    if (brig_check_name("base", base, err) < 0)
        goto out;
    if (brig_repo_exists(workdir, base)) {
        *ret_present = true;
        *ret_name = brig_steal(&base);
        r = 0;
        goto out;
    }
    if (brig_staging_begin(workdir, base, &s, err) < 0)
        goto out;
    if (src.docker && docker_open(&src, &s, err) < 0)
        goto out;
    if ((src.docker ? resolve_docker : resolve_oci)(&src, &im, err) < 0)
        goto out;
    if (brig_layers_lock(s.dir, true, &layers_lock, err) < 0)
        goto out;
    locked = true;
    if (import_layers(&src, &im, &s, log, data, err) < 0)
        goto out;
    config_meta(&im, &s.oci);
    version = brig_rootfs_version(s.root);
    origin = src.docker ? brig_xasprintf("docker-archive:%s@sha256:%s", src.path, im.digest)
                        : brig_xasprintf("oci:%s%s%s@sha256:%s", src.path, src.tag ? ":" : "",
                                         src.tag ? src.tag : "", im.digest);
    r = brig_staging_commit(&s, BRIG_BASE_OCI, origin, version, im.digest, err);
    if (r == 0)
        *ret_name = brig_steal(&base);
out:
    if (src.root_fd >= 0)
        close(src.root_fd);
    if (locked) {
        struct brig_err ignored = BRIG_ERR_INIT;
        brig_layers_collect(s.dir, &ignored);
    }
    brig_staging_end(&s);
    oci_image_free(&im);
    free(src.path);
    free(src.tag);
    if (r < 0)
        return brig_err_wrap(err, "base %s", base ? base : image ? image : "");
    return 0;
}
