/* VM profiles (vm_os_profile=): etc/vm-profiles/<name>.conf names a disk
 * image (URL or file), its SHA-256 and format, and defaults for the VM's
 * parameters. bcreate fetches the image once into ${workdir}/vm/.images/,
 * keeps it only when its digest is the profile's, and writes the VM's disk
 * from it with qemu-img. */
#define _GNU_SOURCE
#include "vmprofile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "params.h"
#include "util.h"

#define PROFILE_NAME_MAX 64

static int check_name(const char *name, struct brig_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > PROFILE_NAME_MAX || name[0] == '.' || name[0] == '-' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return brig_err_set(err, BRIG_EUSAGE,
                            "vm_os_profile: '%.80s' is not a profile name (letters, digits, . _ -)",
                            name);
    return 0;
}

/* Parameters a profile may give defaults for: a VM's own, but not its name,
 * its profile, or files of the host. */
static bool profile_may_set(const char *key)
{
    static const char *const refused[] = {"jname",  "vm_os_profile", "kernel",
                                          "initrd", "vm_iso",        "emulator"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(refused); i++)
        if (strcmp(key, refused[i]) == 0)
            return false;
    const struct brig_param *p = brig_param_find(key, NULL);
    return p && p->to != BRIG_FOR_JAIL;
}

int brig_vm_profile_load(const char *workdir, const char *name, struct brig_vm_profile *ret,
                         struct brig_err *err)
{
    memset(ret, 0, sizeof(*ret));
    if (check_name(name, err) < 0)
        return -1;
    _cleanup_free_ char *path = brig_xasprintf("%s/etc/vm-profiles/%s.conf", workdir, name);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    struct brig_err e = BRIG_ERR_INIT;
    if (brig_read_file(path, 1 << 20, &text, &len, &e) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "vm_os_profile: no profile %s (%s)", name, path);
    struct brig_kvlist kv = {0};
    if (brig_jconf_parse(text, len, &kv, err) < 0)
        return brig_err_wrap(err, "vm_os_profile %s: %s", name, path);
    int r = -1;
    const char *sha = NULL;
    ret->name = brig_xstrdup(name);
    for (size_t i = 0; i < kv.n; i++) {
        const char *k = kv.items[i].key, *v = kv.items[i].value;
        if (strcmp(k, "image") == 0) {
            free(ret->image);
            ret->image = brig_xstrdup(v);
        } else if (strcmp(k, "sha256") == 0) {
            sha = v;
        } else if (strcmp(k, "format") == 0) {
            free(ret->format);
            ret->format = brig_xstrdup(v);
        } else if (strcmp(k, "description") == 0) {
            continue;
        } else if (profile_may_set(k)) {
            brig_kvlist_add(&ret->defaults, k, v, kv.items[i].line);
        } else {
            brig_err_set(err, BRIG_EUSAGE, "vm_os_profile %s: line %d: '%s' is not for a profile",
                         name, kv.items[i].line, k);
            goto out;
        }
    }
    if (!ret->format)
        ret->format = brig_xstrdup("raw");
    if (!ret->image || !*ret->image) {
        brig_err_set(err, BRIG_EUSAGE, "vm_os_profile %s: no image=", name);
    } else if (brig_fetch_is_url(ret->image) && !brig_startswith(ret->image, "https://") &&
               !brig_startswith(ret->image, "http://") && !brig_startswith(ret->image, "file://")) {
        brig_err_set(err, BRIG_EUSAGE, "vm_os_profile %s: image: http, https or file only", name);
    } else if (!brig_fetch_is_url(ret->image) && ret->image[0] != '/') {
        brig_err_set(err, BRIG_EUSAGE, "vm_os_profile %s: image: a URL or an absolute path", name);
    } else if (!sha) {
        brig_err_set(err, BRIG_EUSAGE, "vm_os_profile %s: no sha256= (the image is checked)", name);
    } else if (brig_sha256_parse(sha, ret->sha256, err) < 0) {
        brig_err_wrap(err, "vm_os_profile %s: sha256", name);
    } else if (strcmp(ret->format, "raw") != 0 && strcmp(ret->format, "qcow2") != 0) {
        brig_err_set(err, BRIG_EUSAGE, "vm_os_profile %s: format: raw or qcow2", name);
    } else {
        r = 0;
    }
out:
    brig_kvlist_free(&kv);
    if (r < 0)
        brig_vm_profile_clear(ret);
    return r;
}

void brig_vm_profile_clear(struct brig_vm_profile *p)
{
    free(p->name);
    free(p->image);
    free(p->format);
    brig_kvlist_free(&p->defaults);
    memset(p, 0, sizeof(*p));
}

/* Copy the local file src into fd. */
static int copy_local(const char *src, int fd, struct brig_err *err)
{
    _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (in < 0)
        return brig_err_sys(err, errno, "open %s", src);
    if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
        return brig_err_set(err, BRIG_EFAIL, "%s is not a regular file", src);
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, fd, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return brig_err_sys(err, errno, "copy %s", src);
    }
}

int brig_vm_profile_image(const char *workdir, const struct brig_vm_profile *p,
                          brig_progress_fn *progress, void *data, char **ret_path,
                          struct brig_err *err)
{
    _cleanup_free_ char *top = brig_xasprintf("%s/vm", workdir);
    _cleanup_free_ char *dir = brig_xasprintf("%s/vm/.images", workdir);
    _cleanup_free_ char *path = brig_xasprintf("%s/%s.%s", dir, p->sha256, p->format);
    if (brig_path_exists(path)) {
        *ret_path = brig_steal(&path);
        return 0;
    }
    if (brig_dir_own(top, 0711, err) < 0 || brig_dir_own(dir, 0700, err) < 0)
        return -1;
    /* unnamed until its digest is the profile's: a failed or wrong download leaves nothing */
    _cleanup_close_ int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return brig_err_sys(err, errno, "create a file in %s", dir);
    int r = brig_fetch_is_url(p->image) ? brig_fetch_url(p->image, fd, progress, data, err)
                                        : copy_local(p->image, fd, err);
    if (r < 0)
        return brig_err_wrap(err, "vm_os_profile %s: image", p->name);
    char got[BRIG_SHA256_HEX_LEN + 1];
    if (brig_sha256_fd(fd, got, progress, data, err) < 0)
        return -1;
    if (strcmp(got, p->sha256) != 0)
        return brig_err_set(err, BRIG_EFAIL,
                            "vm_os_profile %s: %s has sha256 %s, the profile says %s: refused",
                            p->name, p->image, got, p->sha256);
    _cleanup_free_ char *proc = brig_xasprintf("/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
        return brig_err_sys(err, errno, "keep %s", path);
    *ret_path = brig_steal(&path);
    return 0;
}

/* Run argv; its output's first line is the error. */
static int run_tool(char **argv, const char *what, struct brig_err *err)
{
    int status = 0;
    _cleanup_free_ char *out = NULL;
    if (brig_run(argv, NULL, &status, &out, err) < 0)
        return -1;
    if (status == 0)
        return 0;
    if (out)
        out[strcspn(out, "\n")] = '\0';
    return brig_err_set(err, BRIG_EFAIL, "%s: %s", what, out && *out ? out : "failed");
}

/* A qcow2 image reads nothing but itself: no backing file, no external data file
 * (either would copy a file of the host into the VM's disk). */
static int image_self_contained(const char *image, const char *format, struct brig_err *err)
{
    if (strcmp(format, "qcow2") != 0)
        return 0;
    char qemu_img[] = "qemu-img", info[] = "info", out_json[] = "--output=json", f[] = "-f",
         fmt[] = "qcow2";
    _cleanup_free_ char *img = brig_xstrdup(image);
    char *argv[] = {qemu_img, info, out_json, f, fmt, img, NULL};
    int status = 0;
    _cleanup_free_ char *out = NULL;
    if (brig_run(argv, NULL, &status, &out, err) < 0)
        return -1;
    json_object *o = status == 0 && out ? json_tokener_parse(out) : NULL;
    if (!o)
        return brig_err_set(err, BRIG_EFAIL, "image: not a qcow2 image qemu-img can read");
    json_object *v, *spec, *d;
    bool backing = json_object_object_get_ex(o, "backing-filename", &v) ||
                   json_object_object_get_ex(o, "full-backing-filename", &v);
    bool data_file = json_object_object_get_ex(o, "format-specific", &spec) &&
                     json_object_object_get_ex(spec, "data", &d) &&
                     json_object_object_get_ex(d, "data-file", &v);
    json_object_put(o);
    if (backing || data_file)
        return brig_err_set(err, BRIG_EFAIL, "image: a qcow2 image with a %s is refused",
                            backing ? "backing file" : "data file");
    return 0;
}

int brig_vm_disk_from_image(const char *image, const char *format, const char *disk,
                            const char *imgtype, uint64_t size, struct brig_err *err)
{
    if (image_self_contained(image, format, err) < 0)
        return -1;
    char qemu_img[] = "qemu-img", convert[] = "convert", resize[] = "resize", q[] = "-q",
         f[] = "-f", o[] = "-O";
    _cleanup_free_ char *fmt = brig_xstrdup(format), *type = brig_xstrdup(imgtype),
                        *img = brig_xstrdup(image), *dst = brig_xstrdup(disk);
    char *conv[] = {qemu_img, convert, q, f, fmt, o, type, img, dst, NULL};
    if (run_tool(conv, "qemu-img convert", err) < 0)
        return -1;
    _cleanup_free_ char *bytes = brig_xasprintf("%" PRIu64, size);
    char *grow[] = {qemu_img, resize, q, f, type, dst, bytes, NULL};
    struct stat st;
    /* a raw disk already of the size needs no resize; a smaller imgsize is refused */
    if (strcmp(imgtype, "raw") == 0 && stat(disk, &st) == 0 && (uint64_t)st.st_size == size)
        return 0;
    if (run_tool(grow, "qemu-img resize", err) < 0) {
        if (strstr(err->msg, "shrink"))
            brig_err_set(err, BRIG_EUSAGE, "imgsize %" PRIu64 " is smaller than the image", size);
        return -1;
    }
    return 0;
}
