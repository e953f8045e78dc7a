/* The core's entry points: one function per verb, called by cli/. The core
 * never prints and never exits; results come back in structs or callbacks. */
#ifndef BRIG_H
#define BRIG_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "kv.h"
#include "model.h"
#include "params.h"

struct brig_store;

/* One invocation's context: workdir, target kernel, and the opened state. */
struct brig_ctx {
    char *workdir;
    enum brig_kernel os;
    bool dry_run;
    bool force;            /* jstop: stop the running jails that depend on the jail first */
    char *const *stopping; /* jstop: all the jails it stops (NULL-terminated; may be NULL) */
    /* jstop of several jails: the link group their host ends join, deleted in
     * one request by brig_links_release; 0: each stop deletes its own */
    uint32_t link_group;
    struct brig_store *st; /* NULL until brig_ctx_open */
    struct brig_node node;
    /* the host's registry of id ranges: /etc/subuid and /etc/subgid (idmap.h) */
    const char *const *subid_files;
    /* progress of long work (bcreate's image download): phase, done, total, data */
    void (*progress)(const char *phase, uint64_t done, uint64_t total, void *data);
    void *progress_data;
    /* what a verb did besides its result, for the CLI to show, a line each
     * (jcreate: the jconf keys it ignored; jstart: what the jail lacks) */
    char **notes;
};

#define BRIG_WORKDIR_DEFAULT "/var/lib/brig"

void brig_ctx_init(struct brig_ctx *c, const char *workdir, enum brig_kernel os);
/* Open the store and read brig.conf; fails with a hint when initenv never ran. */
int brig_ctx_open(struct brig_ctx *c, struct brig_err *err);
void brig_ctx_free(struct brig_ctx *c);
/* Make the workdir's directories with their modes and brig's owner (0711, the
 * rest 0700), mending an older workdir's. */
int brig_workdir_secure(const struct brig_ctx *c, struct brig_err *err);
/* ${workdir}/<fmt...>, always inside the workdir. */
char *brig_ctx_path(const struct brig_ctx *c, const char *fmt, ...) BRIG_PRINTF(2, 3);

/* Node settings (etc/brig.conf): a table like the jail parameters. */
struct brig_setting {
    const char *name;
    const char *def; /* NULL: computed (nodename from the host name, gateway4 from the pool) */
    int (*check)(const char *value, struct brig_err *err);
    const char *help;
};
extern const struct brig_setting brig_settings[];
extern const size_t brig_settings_count;
const struct brig_setting *brig_setting_find(const char *name);

/* initenv: create the workdir tree, brig.conf, devfs.rules and the database. */
int brig_initenv(struct brig_ctx *c, const struct brig_kvlist *settings, struct brig_err *err);

/* inventory: the node's facts as ordered key/value pairs; also refreshes
 * nc.inventory and the facts kept in the store. */
int brig_inventory(struct brig_ctx *c, struct brig_kvlist *ret, struct brig_err *err);

/* jcreate: validate args (parameters, or jconf=FILE), record the jail with its NICs
 * and addresses, and create its directories. On failure nothing is left. */
int brig_jcreate(struct brig_ctx *c, const struct brig_kvlist *args, struct brig_jail *ret,
                 struct brig_err *err);
/* Fill a new jail's empty data directory (jimport: from an archive); j is
 * recorded, its id range and directories made. */
typedef int brig_jail_fill_fn(const struct brig_jail *j, void *data, struct brig_err *err);
/* jcreate whose data directory is filled by fill instead of from its base;
 * when fill fails nothing is left, as for any failed jcreate. */
int brig_jcreate_filled(struct brig_ctx *c, const struct brig_kvlist *args, brig_jail_fill_fn *fill,
                        void *data, struct brig_jail *ret, struct brig_err *err);
/* What a jset did to a running jail: the changes applied to it at once
 * ("name=value") and the parameters that apply at its next start. Both NULL
 * when the jail is not running. */
struct brig_jset_done {
    char **live;
    char **next_start;
};
void brig_jset_done_free(struct brig_jset_done *d);
/* jset: change parameters of an existing jail; a running jail gets its new
 * resource limits at once where the kernel allows it. ret may be NULL. */
int brig_jset(struct brig_ctx *c, const char *jname, const struct brig_kvlist *args,
              struct brig_jset_done *ret, struct brig_err *err);
/* Replace the whole configuration of jname with a jconf text (jconfig's editor). */
int brig_jconf_apply(struct brig_ctx *c, const char *jname, const char *text,
                     struct brig_jset_done *ret, struct brig_err *err);
/* The jail's configuration as jconf text. */
int brig_jconf_render(struct brig_ctx *c, const char *jname, char **ret, struct brig_err *err);
int brig_jget(struct brig_ctx *c, const char *jname, struct brig_jail *ret, struct brig_err *err);
/* jremove: refuse a running jail unless force. */
int brig_jremove(struct brig_ctx *c, const char *jname, bool force, struct brig_err *err);

/* jrename: give the stopped jail old the name new; its directories and records follow,
 * and its host name when it was the old name's default (hostname: another, NULL: none). */
int brig_jrename(struct brig_ctx *c, const char *old, const char *new_name, const char *hostname,
                 struct brig_err *err);
/* jclone: copy the stopped jail old to a new jail (args: jname= and parameters to
 * change) with a range, MACs and DHCP addresses of its own. */
int brig_jclone(struct brig_ctx *c, const char *old, const struct brig_kvlist *args,
                struct brig_jail *ret, struct brig_err *err);

/* jmigrate: how to reach the other node. */
struct brig_migrate_args {
    const char *node;        /* ssh://[user@]host[:port][/workdir] */
    const char *remote_brig; /* the brig program there (NULL: brig on its PATH) */
    const char *ssh;         /* the ssh program here (NULL: ssh) */
    char *const *ssh_opts;   /* options for it before ours (NULL-terminated; may be NULL) */
};
/* What a jmigrate did. */
struct brig_migrate_done {
    char *host;           /* the node's host */
    bool started;         /* the jail ran, and runs there now */
    uint64_t bytes;       /* the archive's size on the wire */
    uint64_t transfer_ns; /* time spent sending it */
    uint64_t total_ns;    /* the whole migration */
};
void brig_migrate_done_clear(struct brig_migrate_done *d);
typedef void brig_migrate_progress_fn(const char *phase, uint64_t done, uint64_t total, void *data);
/* jmigrate (cold): stop jname, send its export through ssh to `brig jimport
 * in=-` on the node, start it there when it ran, and remove it here only then.
 * Any failure leaves it here, whole and as it was (started again when it ran),
 * and no copy there. A bad node URL is BRIG_EUSAGE and changes nothing. */
int brig_jmigrate(struct brig_ctx *c, const char *jname, const struct brig_migrate_args *a,
                  brig_migrate_progress_fn *progress, void *data, struct brig_migrate_done *ret,
                  struct brig_err *err);
/* jsnapshot: copies of a jail's own files (a thin jail's layer, a thick jail's
 * root) under jails-system/<jname>/snapshots/ (snapshot.c). */
struct brig_snapshot {
    char *name;
    int64_t created; /* seconds since the epoch */
    uint64_t size;   /* bytes of disk its tree uses, each inode once */
};
void brig_snapshots_free(struct brig_snapshot *v, size_t n);
/* BRIG_EUSAGE unless name is a snapshot name: letters, digits, '.', '_', '-',
 * ':', not beginning with '.' or '-', no "..", at most 64 characters. */
int brig_snapshot_name_check(const char *name, struct brig_err *err);
/* Snapshot jname (a running jail is frozen while it is copied) as snapname
 * (NULL: the time); its name in *ret_name. */
int brig_jsnapshot_create(struct brig_ctx *c, const char *jname, const char *snapname,
                          char **ret_name, struct brig_err *err);
/* jname's snapshots, oldest first. */
int brig_jsnapshot_list(struct brig_ctx *c, const char *jname, struct brig_snapshot **ret,
                        size_t *ret_n, struct brig_err *err);
/* Remove snapshot snapname of jname ("*": all); how many in *ret_n. */
int brig_jsnapshot_remove(struct brig_ctx *c, const char *jname, const char *snapname,
                          size_t *ret_n, struct brig_err *err);
/* Give the stopped jail jname the files of its snapshot snapname again. */
int brig_jsnapshot_rollback(struct brig_ctx *c, const char *jname, const char *snapname,
                            struct brig_err *err);
/* jset base=: switch the stopped thin jail jname to base (dry_run: check only);
 * *ret_shadow gets the files of its layer that hide a file the new base
 * changed (NULL-terminated, may be NULL); *ret_changed false when it was on
 * base already (rebase.c). */
int brig_jset_base(struct brig_ctx *c, const char *jname, const char *base, bool dry_run,
                   char ***ret_shadow, bool *ret_changed, struct brig_err *err);

/* jls: one callback per jail with the requested columns and its live state. */
struct brig_jls_row {
    int64_t jid;
    bool running;
    int64_t pid;
    const char *const *v;
};
typedef int (*brig_jls_cb)(const struct brig_jls_row *row, void *ud);
int brig_jls(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols, brig_jls_cb cb,
             void *ud, struct brig_err *err);
/* brig_jls without the live state (running false, pid 0): no process is looked at. */
int brig_jail_records(struct brig_ctx *c, const enum brig_param_id *cols, size_t ncols,
                      brig_jls_cb cb, void *ud, struct brig_err *err);

struct brig_buf;
/* What jstart, jstop or recover did to one jail. */
enum brig_outcome {
    BRIG_OUT_DONE,               /* started, stopped */
    BRIG_OUT_ALREADY,            /* nothing to do: already running (jstart), stopped (jstop) */
    BRIG_OUT_UNDID_JSTART,       /* cleaned up what an interrupted jstart left */
    BRIG_OUT_FINISHED_JSTOP,     /* finished an interrupted jstop */
    BRIG_OUT_ENDED,              /* cleaned up after an init that had ended by itself */
    BRIG_OUT_KEPT_JMIGRATE,      /* kept the jail an interrupted jmigrate had stopped */
    BRIG_OUT_RESTARTED_JMIGRATE, /* recover: kept it, and started it again as it ran before */
};
/* jstart: start a recorded jail; with plan, describe the work there instead. A
 * running jail is BRIG_OUT_ALREADY, not an error. */
int brig_jstart(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                enum brig_outcome *ret, struct brig_err *err);
/* jstop: run exec_stop, TERM, wait stop_timeout, KILL, tear down. A jail that
 * is not running is BRIG_OUT_ALREADY (or BRIG_OUT_ENDED when its init had ended
 * and what it left was cleaned up), not an error. */
int brig_jstop(struct brig_ctx *c, const char *jname, struct brig_buf *plan, enum brig_outcome *ret,
               struct brig_err *err);
/* Before the jstops of several jails: their host links join one new link group
 * (a random one of 2^31 with the high bit set, so that no other brig's nor the
 * kernel's default 0 is taken), deleted by brig_links_release. */
void brig_links_batch(struct brig_ctx *c);
/* Delete at once the links that the jstops made with c->link_group set left in
 * that group, and clear it. */
int brig_links_release(struct brig_ctx *c, struct brig_err *err);
/* jrestart: check the recorded configuration, stop the jail when it runs, start it
 * (*ret: BRIG_OUT_DONE). */
int brig_jrestart(struct brig_ctx *c, const char *jname, struct brig_buf *plan,
                  enum brig_outcome *ret, struct brig_err *err);
/* Finish or undo what a crashed brig left on jname (recover verb); *ret says
 * which, BRIG_OUT_ALREADY when there was nothing to do. */
int brig_recover(struct brig_ctx *c, const char *jname, enum brig_outcome *ret,
                 struct brig_err *err);
/* Run argv (NULL: login shell) in the running jail; flags: enum brig_exec_flags;
 * its exit status in *ret_status. */
int brig_jexec(struct brig_ctx *c, const char *jname, const char *user, char *const *argv,
               unsigned flags, int *ret_status, struct brig_err *err);
bool brig_jail_is_running(struct brig_ctx *c, const char *jname);

/* Remove base name unless a jail uses it. */
int brig_base_remove(struct brig_ctx *c, const char *name, struct brig_err *err);
/* Make sure base name exists (the busybox base is built on demand). */
int brig_base_ensure(struct brig_ctx *c, const char *name, struct brig_err *err);

/* Names of the jails matching jname (a name or a glob); none is an error. */
int brig_jail_match(struct brig_ctx *c, const char *pattern, char ***ret, struct brig_err *err);

/* IPAM for one NIC (inside a store transaction): release what NIC nic_idx of jail jail_id
 * held, then reserve a static list (a duplicate is BRIG_EUSAGE) or allocate ip4_addr=DHCP
 * from nodeippool. *ret gets the list to record (DHCP replaced by the address). */
int brig_ipam_assign(struct brig_ctx *c, int64_t jail_id, int nic_idx, const char *ip4_addr,
                     char **ret, struct brig_err *err);

/* bridge: the host's bridges, as brig sees them. */
struct brig_bridge_row {
    const char *name;
    unsigned mtu;
    bool up;
    const char *const *addrs;   /* "addr/prefix" */
    const char *const *members; /* attached links */
    bool is_default;            /* the node's default bridge (interface=auto) */
    unsigned jails;             /* recorded jails whose NICs or interface= use it */
};
typedef int (*brig_bridge_cb)(const struct brig_bridge_row *row, void *ud);
/* One callback per bridge of the host, sorted by name. */
int brig_netbridge_list(struct brig_ctx *c, brig_bridge_cb cb, void *ud, struct brig_err *err);
/* Create bridge name with addr ("10.1.0.1/24", NULL: none) and mtu (NULL or "0": the kernel's). */
int brig_netbridge_create(struct brig_ctx *c, const char *name, const char *addr, const char *mtu,
                          struct brig_err *err);
/* Remove bridge name: refused while a recorded jail uses it, or while links are attached
 * unless force; its DHCP server and NAT rules go with it. */
int brig_netbridge_remove(struct brig_ctx *c, const char *name, bool force, struct brig_err *err);

/* jnic: the NIC table of a VNET jail (CBSD's jailnic). */
struct brig_jnic_row {
    const struct brig_nic *nic;
    const char *bridge; /* the parent resolved (auto: the node's default bridge) */
    const char *mac;    /* the MAC in use: hwaddr, or the derived one when hwaddr=0 */
    const char *host;   /* the host end's interface name, "" when unknown */
    bool running;       /* the jail is running */
};
typedef int (*brig_jnic_cb)(const struct brig_jnic_row *row, void *ud);
/* One callback per NIC of jname, by idx. */
int brig_jnic_list(struct brig_ctx *c, const char *jname, brig_jnic_cb cb, void *ud,
                   struct brig_err *err);

/* jnic's arguments as given; NULL: the default (add) or unchanged (set). */
struct brig_jnic_args {
    const char *nic; /* the NIC's index; add: NULL takes the next free one */
    const char *parent, *hwaddr, *mtu, *ip4_addr;
    const char *filter; /* nic_filter=: "1" or "0" */
};
/* What a jnic change did. */
struct brig_jnic_done {
    int idx;
    char *addrs;  /* the recorded address list (DHCP resolved) */
    bool live;    /* applied to the running jail now */
    bool pending; /* the jail runs: the change applies at its next start */
};
void brig_jnic_done_clear(struct brig_jnic_done *d);
/* Add a NIC to a vnet=1 jail; on a running jail it comes up at once. Bad input or a
 * failed live change leaves everything as it was. */
int brig_jnic_add(struct brig_ctx *c, const char *jname, const struct brig_jnic_args *a,
                  struct brig_jnic_done *ret, struct brig_err *err);
/* Remove NIC a->nic (not 0); on a running jail it goes at once. */
int brig_jnic_remove(struct brig_ctx *c, const char *jname, const struct brig_jnic_args *a,
                     struct brig_jnic_done *ret, struct brig_err *err);
/* Change parent, hwaddr, mtu, ip4_addr or nic_filter of NIC a->nic (not 0); a running jail
 * gets it at its next start. */
int brig_jnic_set(struct brig_ctx *c, const char *jname, const struct brig_jnic_args *a,
                  struct brig_jnic_done *ret, struct brig_err *err);

/* jfstab: host directories mounted in a jail (core/fstab.h). */
typedef int (*brig_jfstab_cb)(const struct brig_fstab *e, bool running, void *ud);
/* One callback per entry of jname, by dst. */
int brig_jfstab_list(struct brig_ctx *c, const char *jname, brig_jfstab_cb cb, void *ud,
                     struct brig_err *err);
/* Mount host path src at dst in jname (read-only with ro) from its next start, and at
 * once when it runs (*ret_live). Bad input or a failed live mount changes nothing. */
int brig_jfstab_add(struct brig_ctx *c, const char *jname, const char *src, const char *dst,
                    bool ro, bool *ret_live, struct brig_err *err);
/* Forget the entry at dst, unmounting it from the running jail (*ret_live). */
int brig_jfstab_remove(struct brig_ctx *c, const char *jname, const char *dst, bool *ret_live,
                       struct brig_err *err);
/* Add every line of a CBSD fstab file; all or nothing. */
int brig_jfstab_import(struct brig_ctx *c, const char *jname, const char *file, size_t *ret_n,
                       bool *ret_live, struct brig_err *err);

/* expose: port forwards from the host's addresses to jails (CBSD's expose). */
typedef int (*brig_expose_cb)(const struct brig_expose *e, bool running, void *ud);
/* One callback per forward of jname (NULL: of every jail), by jail, proto, port. */
int brig_expose_list(struct brig_ctx *c, const char *jname, brig_expose_cb cb, void *ud,
                     struct brig_err *err);
/* expose's arguments as given (NULL: the default). */
struct brig_expose_args {
    const char *proto; /* tcp (default) or udp */
    const char *in;    /* the host's port */
    const char *out;   /* the jail's port (default: in) */
    const char *addr;  /* the host's address (default: every one) */
};
/* Forward a host port to jname; on a running jail at once. A port forwarded
 * already (to any jail) or a jail without an IPv4 address is BRIG_EUSAGE, and
 * nothing changes. *ret is the forward, *ret_live whether it works now. */
int brig_expose_add(struct brig_ctx *c, const char *jname, const struct brig_expose_args *a,
                    struct brig_expose *ret, bool *ret_live, struct brig_err *err);
/* Remove jname's forward of proto port in (on addr); none is success, *ret_found false. */
int brig_expose_remove(struct brig_ctx *c, const char *jname, const struct brig_expose_args *a,
                       bool *ret_found, bool *ret_live, struct brig_err *err);

/* depend: the jails a jail needs (depend.c). */
/* Check j's depend= (names of other recorded jails, no cycle through them). */
int brig_depend_check(struct brig_ctx *c, const struct brig_jail *j, struct brig_err *err);
/* Start the jails jname depends on that are not running, theirs first. */
int brig_depend_start(struct brig_ctx *c, const char *jname, struct brig_err *err);
/* Before jname stops: the running jails that depend on it are refused
 * (BRIG_EUSAGE), or, with c->force or when c->stopping names them, stopped first. */
int brig_depend_stop(struct brig_ctx *c, const char *jname, struct brig_err *err);
/* The stop wave of each of names[0..n) (ret_wave, n entries): 0 for a jail no
 * other listed jail depends on, else one more than the highest wave of the
 * listed jails that depend on it, so stopping wave after wave stops every
 * jail after those of the list that need it. */
int brig_depend_stop_waves(struct brig_ctx *c, char *const *names, size_t n, int64_t *ret_wave,
                           struct brig_err *err);

#endif
