/* A Linux jail's process: the init (pid 1 of the jail's namespaces) that
 * brig clones for jstart, stopping it, and entering the jail for jexec and
 * jlogin.
 *
 * The init is brig's own code running in a child of the caller: nothing is
 * exec'd until it runs exec_start with the jail's own /bin/sh. Its life:
 *
 *   brig_jail_spawn    clone into new mnt, uts, ipc, pid (+ net) namespaces;
 *                      the child waits on a socket, so the caller can attach
 *                      it to cgroups and move NICs into its netns by pid.
 *   brig_jail_proc_release
 *                      the init sets up /proc, /dev, hostname, pivots into the
 *                      root, drops capabilities, installs seccomp, runs
 *                      exec_start and answers "ready" (or why it failed).
 *   brig_jail_stop     SIGTERM: the init runs exec_stop, SIGTERMs the jail,
 *                      waits stop_timeout, SIGKILLs the rest and exits.
 *
 * The init is the caller's child (it outlives a brig CLI that exits; the
 * kernel reparents it). A long-lived caller reaps it: brig_jail_stop does
 * when it is a child of the caller.
 *
 * Privileges: everything here runs as root in the initial user namespace. */
#ifndef BRIG_OS_LINUX_JAIL_H
#define BRIG_OS_LINUX_JAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "devnodes.h"
#include "err.h"

/* What jail root may do: the capabilities kept and the system calls allowed. */
struct brig_jail_policy {
    bool vnet;              /* own network stack: CAP_NET_ADMIN is kept */
    bool allow_raw_sockets; /* CAP_NET_RAW */
    bool allow_mount;       /* CAP_SYS_ADMIN and the mount system calls */
    bool allow_sysvipc;     /* share the host's System V IPC (no new IPC namespace) */
    bool net_raw;           /* the devfs ruleset unhides bpf: CAP_NET_RAW as well */
};

/* Everything the init needs to bring a jail up. Strings are borrowed. */
struct brig_jail_spec {
    const char *root;          /* absolute path of the jail's mounted root */
    const char *hostname;      /* NULL: keep the host's name in the new UTS namespace */
    const char *console_log;   /* file for the init's and exec_start's output; NULL: none */
    uint64_t console_log_size; /* the log's cap in bytes (conslog.h); 0: none */
    const char *exec_start;    /* run as /bin/sh -c exec_start in the jail; NULL or "": none */
    const char *exec_stop;     /* run on stop the same way; NULL or "": none */
    /* exec'd as the jail's pid 1 once it is set up, instead of brig's init
     * staying there (sysinit.c): the base's own init system. NULL or "": none */
    const char *exec_init;
    const char *exec_env;    /* KEY=value words for exec_start / exec_stop; NULL or "": none */
    const char *exec_cwd;    /* where they run; NULL or "": / */
    const char *exec_user;   /* user[:group] they run as; NULL or "": root */
    unsigned exec_timeout;   /* seconds exec_start / exec_stop may run; 0: no limit */
    unsigned stop_timeout;   /* seconds between SIGTERM and SIGKILL on stop */
    bool persist;            /* 0: the jail ends when its last process exits */
    bool mount_devfs;        /* a tmpfs /dev with devnodes, /dev/pts, /dev/shm, /dev/mqueue */
    bool mount_procfs;       /* /proc (with /proc/sys read-only) */
    bool mount_fdescfs;      /* /dev/fd -> /proc/self/fd */
    bool mount_sysfs;        /* /sys, read-only */
    uint64_t openfiles;      /* RLIMIT_NOFILE for the jail; 0: inherit */
    const char *resolv_conf; /* contents for /etc/resolv.conf; NULL: leave it alone */
    const char *hosts;       /* contents for /etc/hosts; NULL: leave it alone */
    const struct brig_devnodes *devnodes; /* the ruleset's /dev entries; NULL: none */
    int cgroup_fd; /* a v2 cgroup to clone the init into (CLONE_INTO_CGROUP); 0 or -1: none */
    /* vnet: a network namespace made ahead for the jail (the init joins it);
     * 0 or -1: a new one made with the init */
    int netns_fd;
    /* an unprivileged jail: the first host id of its range (BRIG_IDMAP_COUNT
     * ids). The init runs in a user namespace of its own mapped onto it, and
     * waits for its root from brig_jail_proc_give_root. 0: host root */
    uint32_t idmap;
    struct brig_jail_policy policy;
};

/* A running (or not yet released) init. */
struct brig_jail_proc {
    pid_t pid;         /* in the caller's pid namespace */
    int64_t starttime; /* field 22 of /proc/pid/stat: with pid, the init's identity */
    int pidfd;         /* -1 when the kernel gives none */
    int sync_fd;       /* socket to the init until release; -1 after */
    int log_fd;        /* write end of the jail's console pipe (its logger caps the log), or -1;
                        * closed at release unless the caller takes it first */
};

/* Clone the jail's init into new namespaces; it waits for brig_jail_proc_release. */
int brig_jail_spawn(const struct brig_jail_spec *spec, struct brig_jail_proc *ret,
                    struct brig_err *err);
/* An unprivileged jail's init: hand it its root (a detached mount, see
 * brig_rootfs_mount_userns); it becomes root of its user namespace and sets
 * the jail up from there. */
int brig_jail_proc_give_root(struct brig_jail_proc *p, int root_fd, struct brig_err *err);
/* Let the init go on and wait until the jail is up (exec_start done) or failed;
 * on failure the init has exited and been reaped. */
int brig_jail_proc_release(struct brig_jail_proc *p, struct brig_err *err);
/* Kill and reap an init that was not released (a setup step before it failed). */
void brig_jail_proc_abort(struct brig_jail_proc *p);
/* Close the fds held in p; the init keeps running. */
void brig_jail_proc_clear(struct brig_jail_proc *p);

/* Stop the jail whose init is pid with this start time: SIGTERM, wait up to
 * stop_timeout + exec_timeout (60 when 0) + a margin, then SIGKILL. A jail
 * that is not running is success. */
int brig_jail_stop(pid_t pid, int64_t starttime, unsigned stop_timeout, unsigned exec_timeout,
                   struct brig_err *err);
/* Stop a jail whose init is its own init system (exec_init): send it sig,
 * its request to shut down, wait up to stop_timeout seconds, then SIGKILL. */
int brig_jail_stop_sig(pid_t pid, int64_t starttime, int sig, unsigned stop_timeout,
                       struct brig_err *err);
/* True when pid is alive with this start time (one read of /proc/pid/stat). */
bool brig_jail_alive(pid_t pid, int64_t starttime);

/* What jexec and jlogin run. Strings are borrowed. */
struct brig_jail_exec_spec {
    pid_t pid; /* the jail's init */
    int64_t starttime;
    struct brig_jail_policy policy;  /* the jail's, so the same restrictions apply */
    const char *const *cgroup_procs; /* cgroup.procs files to join; NULL-terminated or NULL */
    const char *user;                /* NULL: root; else a name in the jail's /etc/passwd */
    char *const *argv;               /* NULL: the user's login shell */
    bool pty;                        /* a pty from the jail's /dev/pts when stdin is a terminal */
    uint64_t openfiles;              /* the jail's RLIMIT_NOFILE; 0: inherit */
    /* The caller's fds 0-2 are files brig opened itself (the DHCP client's
     * /dev/null and console log), given to the command as they are; a
     * terminal is refused. Otherwise the command gets pipes brig relays. */
    bool pass_stdio;
};

/* Run s->argv inside the jail, in a session of its own: its stdin, stdout and
 * stderr are pipes (or, with s->pty, a pty of the jail) that brig relays to
 * and from its own, so nothing in the jail holds the caller's files or
 * terminal. Return its exit status in *ret_status (128+signal when killed).
 * When the command cannot be started the error is set and *ret_status is what
 * a shell would say: 127 when the program is missing, 126 when it cannot run,
 * else left alone. */
int brig_jail_exec(const struct brig_jail_exec_spec *s, int *ret_status, struct brig_err *err);

/* The capabilities jail root keeps under this policy, as a bit mask (1 << CAP_x). */
uint64_t brig_jail_cap_mask(const struct brig_jail_policy *p);
/* Restrict the calling process as jail root is: bounding set, capabilities
 * and the seccomp filter. Does not set no_new_privs, so setuid programs work. */
int brig_jail_restrict(const struct brig_jail_policy *p, struct brig_err *err);

#endif
