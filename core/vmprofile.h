/* VM profiles: ${workdir}/etc/vm-profiles/<name>.conf, in jconf syntax:
 *   image="https://.../disk.qcow2";   a URL (http, https, file) or an absolute path
 *   sha256="...";                     the image's digest (required)
 *   format="qcow2";                   the image's format: raw (default) or qcow2
 *   description="...";
 * and defaults for the VM's own parameters (vm_os_type, vm_ram, imgsize,
 * ci_user_add ...), which bcreate's arguments override. */
#ifndef BRIG_VMPROFILE_H
#define BRIG_VMPROFILE_H

#include <stdint.h>

#include "err.h"
#include "fetch.h"
#include "kv.h"

struct brig_vm_profile {
    char *name;
    char *image;
    char sha256[BRIG_SHA256_HEX_LEN + 1];
    char *format;                /* raw or qcow2 */
    struct brig_kvlist defaults; /* parameter defaults */
};

/* Read and check profile name; BRIG_EUSAGE when missing or wrong. */
int brig_vm_profile_load(const char *workdir, const char *name, struct brig_vm_profile *ret,
                         struct brig_err *err);
void brig_vm_profile_clear(struct brig_vm_profile *p);
/* The profile's image in the cache ${workdir}/vm/.images/<sha256>.<format>:
 * fetched (or copied) when missing, kept only when its digest is the profile's. */
int brig_vm_profile_image(const char *workdir, const struct brig_vm_profile *p,
                          brig_progress_fn *progress, void *data, char **ret_path,
                          struct brig_err *err);
/* Write disk (imgtype raw or qcow2) from image (format), grown to size; a
 * qcow2 image with a backing or data file is refused. */
int brig_vm_disk_from_image(const char *image, const char *format, const char *disk,
                            const char *imgtype, uint64_t size, struct brig_err *err);

#endif
