/* libFuzzer target for an OCI bundle's config.json, which whoever made the
 * bundle writes: the parser accepts it with its required fields set, or
 * refuses it with a one-line message and leaves nothing behind. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_oci_spec s;
    if (brig_oci_spec_parse((const char *)data, size, &s, &err) == 0) {
        if (!s.oci_version || !s.root_path || !s.annotations || !s.sysctl)
            abort();
        if (s.has_process && (!s.process.args || !s.process.args[0] || s.process.cwd[0] != '/'))
            abort();
        for (size_t i = 0; i < s.nmounts; i++)
            if (s.mounts[i].destination[0] != '/' || !s.mounts[i].options)
                abort();
        brig_oci_spec_free(&s);
    } else if (!err.msg[0] || err.code != BRIG_EUSAGE || strchr(err.msg, '\n')) {
        abort();
    } else if (s.oci_version || s.mounts || s.process.args) {
        abort();
    }
    return 0;
}
