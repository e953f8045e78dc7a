/* Private to the OCI runtime: the pieces the runtime and the container's
 * process share. */
#ifndef BRIG_OCI_INT_H
#define BRIG_OCI_INT_H

#include <stdbool.h>

#include "oci/runtime.h"

/* What the container's process (oci/init.c) needs. Borrowed. */
struct brig_oci_init_args {
    const struct brig_oci_spec *spec; /* NULL for exec */
    const struct brig_oci_process *process;
    const char *rootfs; /* absolute */
    int sync_fd;        /* socket to the runtime */
    int fifo_fd;        /* O_PATH of exec.fifo; -1: exec at once (the exec verb) */
    int console_fd;     /* connected console socket, or -1 */
    int preserve_fds;
    bool setup_mounts; /* false for exec: the namespaces are joined */
    bool no_pivot;
};

/* In the child of clone: wait for the runtime's go, set up, answer "R" (or
 * "E" and the error), then wait on exec.fifo and exec. Never returns. */
_Noreturn void brig_oci_init_main(const struct brig_oci_init_args *a);
/* Load the config's seccomp filter into the calling process (libseccomp). */
int brig_oci_seccomp_load(const struct brig_oci_seccomp *sc, struct brig_err *err);
/* Read the container process's answer: "R", or "E" and why setup failed;
 * with exec_too, then wait for the exec (the socket closes) or its error. */
int brig_oci_read_answer(int sync, bool exec_too, struct brig_err *err);
/* Run the config's hooks of kind k in order, state on their stdin; the
 * first that fails, or outlives its timeout (then killed), fails them. */
int brig_oci_hooks_run(const struct brig_oci_spec *s, enum brig_oci_hook_kind k, const char *state,
                       struct brig_err *err);
/* A close-on-exec memory file holding len bytes of data, at offset 0. */
int brig_oci_memfd(const char *data, size_t len, struct brig_err *err);
/* Scope this process's cgroups to a state root. */
void brig_oci_cgroup_scope(const char *root);
/* MS_* flags of a propagation name ("rslave"), 0 when unknown. */
unsigned long brig_oci_propagation(const char *name);

#endif
