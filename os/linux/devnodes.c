#define _GNU_SOURCE
#include "devnodes.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum effect {
    NODE,     /* create the Linux entry */
    NET_RAW,  /* no node: grant raw and packet sockets */
    TUN,      /* /dev/net/tun */
    PF,       /* no node: the jail may run its own firewall */
    DEVPTS,   /* a devpts instance on /dev/pts */
    NEVER,    /* never created, whatever the ruleset says */
    UNMAPPED, /* no Linux counterpart; reported in unmapped */
};

/* One FreeBSD device name and what it means on Linux. */
struct devmap {
    const char *name;  /* FreeBSD path relative to /dev, the one rules are evaluated on */
    const char *also;  /* another FreeBSD path whose visibility also brings this entry */
    const char *probe; /* a FreeBSD path that must be visible too (directory contents) */
    unsigned types;    /* FreeBSD device type, for `type` rules */
    enum effect effect;
    const char *path; /* Linux path under /dev (NODE, TUN, DEVPTS) */
    enum brig_devnode_kind kind;
    unsigned major, minor;
    mode_t mode;
    const char *target; /* SYMLINK */
    bool needs_devpts;  /* only with the devpts instance it points into */
};

#define CHR(maj, min, m) BRIG_DEVNODE_CHAR, maj, min, m, NULL
#define LNK(t)           BRIG_DEVNODE_SYMLINK, 0, 0, 0777, t
#define DIRM(m)          BRIG_DEVNODE_DIR, 0, 0, m, NULL
#define NONE             BRIG_DEVNODE_CHAR, 0, 0, 0, NULL

static const struct devmap devmap[] = {
    {"null", NULL, NULL, 0, NODE, "null", CHR(1, 3, 0666)},
    {"zero", NULL, NULL, 0, NODE, "zero", CHR(1, 5, 0666)},
    /* FreeBSD's null(4) driver makes full next to zero, but the default
     * rulesets never name it; Linux programs (and the OCI runtime spec)
     * count on it wherever /dev/zero is, so zero brings it too. */
    {"full", "zero", NULL, 0, NODE, "full", CHR(1, 7, 0666)},
    {"random", NULL, NULL, 0, NODE, "random", CHR(1, 8, 0666)},
    {"urandom", NULL, NULL, 0, NODE, "urandom", CHR(1, 9, 0666)},
    /* The controlling terminal. FreeBSD's login ruleset gives terminals
     * through pts; Linux shells, ssh and sudo open /dev/tty on any terminal,
     * so a visible ptmx brings it too. */
    {"tty", "ptmx", NULL, BRIG_DEVFS_T_TTY, NODE, "tty", CHR(5, 0, 0666)},
    /* The pts directory's nodes are the jail's own pseudo-terminals: a private devpts. */
    {"pts", NULL, "pts/0", BRIG_DEVFS_T_TTY, DEVPTS, "pts", DIRM(0755)},
    {"ptmx", NULL, NULL, BRIG_DEVFS_T_TTY, NODE, "ptmx", LNK("pts/ptmx"), true},
    /* FreeBSD's fd/N nodes are Linux's /proc/self/fd/N. */
    {"fd", NULL, "fd/0", 0, NODE, "fd", LNK("/proc/self/fd")},
    {"stdin", NULL, NULL, 0, NODE, "stdin", LNK("/proc/self/fd/0")},
    {"stdout", NULL, NULL, 0, NODE, "stdout", LNK("/proc/self/fd/1")},
    {"stderr", NULL, NULL, 0, NODE, "stderr", LNK("/proc/self/fd/2")},
    {"fuse", NULL, NULL, 0, NODE, "fuse", CHR(10, 229, 0666)},
    /* bpf(4) is how FreeBSD programs (dhclient, tcpdump) read and write raw
     * frames; Linux does this with AF_PACKET and raw sockets, which need
     * CAP_NET_RAW and no device node. */
    {"bpf", "bpf0", NULL, 0, NET_RAW, NULL, NONE},
    /* tun(4)/tap(4) clone devices are both served by Linux's /dev/net/tun. */
    {"tun", "tun0", NULL, 0, TUN, "net/tun", CHR(10, 200, 0666)},
    {"tap", "tap0", NULL, 0, TUN, "net/tun", CHR(10, 200, 0666)},
    /* pf(4)'s device is its control interface; a Linux jail drives its own
     * nftables over netlink in its network namespace instead. */
    {"pf", NULL, NULL, 0, PF, NULL, NONE},
    /* Physical memory, kernel memory and I/O ports: no namespace confines
     * them, so opening one gives the whole host away. They are never
     * created, even when a ruleset unhides them. */
    {"mem", NULL, NULL, BRIG_DEVFS_T_MEM, NEVER, NULL, NONE},
    {"kmem", NULL, NULL, BRIG_DEVFS_T_MEM, NEVER, NULL, NONE},
    {"io", NULL, NULL, BRIG_DEVFS_T_MEM, NEVER, NULL, NONE},
    {"port", NULL, NULL, BRIG_DEVFS_T_MEM, NEVER, NULL, NONE},
    /* crypto(4) has no Linux node (Linux offers AF_ALG sockets); /dev/zfs's
     * minor is dynamic and its ioctls act on the host's pools. */
    {"crypto", NULL, NULL, 0, UNMAPPED, NULL, NONE},
    {"zfs", NULL, NULL, 0, UNMAPPED, NULL, NONE},
    /* The console is the jail init's own terminal, bound there by the init. */
    {"console", NULL, NULL, BRIG_DEVFS_T_TTY, UNMAPPED, NULL, NONE},
};

static int owner_id(bool group, const char *name, brig_devnodes_owner_fn owner, void *userdata,
                    const char *node, unsigned *ret, struct brig_err *err)
{
    char *end;
    if (name[0] >= '0' && name[0] <= '9') {
        unsigned long v = strtoul(name, &end, 10);
        if (*end || v > 0x7fffffffUL)
            return brig_err_set(err, BRIG_EUSAGE, "invalid %s '%s' for /dev/%s",
                                group ? "group" : "user", name, node);
        *ret = (unsigned)v;
        return 0;
    }
    if (strcmp(name, "root") == 0 || (group && strcmp(name, "wheel") == 0)) {
        *ret = 0;
        return 0;
    }
    if (owner && owner(group, name, ret, userdata) == 0)
        return 0;
    return brig_err_set(err, BRIG_EUSAGE, "unknown %s '%s' for /dev/%s", group ? "group" : "user",
                        name, node);
}

static bool has_node(const struct brig_devnodes *d, const char *path)
{
    return brig_devnodes_find(d, path) != NULL;
}

static struct brig_devnode *add_node(struct brig_devnodes *d, const char *path,
                                     enum brig_devnode_kind kind)
{
    d->nodes = brig_xrealloc(d->nodes, (d->n + 1) * sizeof(*d->nodes));
    struct brig_devnode *n = &d->nodes[d->n++];
    *n = (struct brig_devnode){.path = brig_xstrdup(path), .kind = kind};
    return n;
}

/* Add the parent directories of path that are not there yet. */
static void add_parents(struct brig_devnodes *d, const char *path)
{
    for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
        _cleanup_free_ char *dir = brig_xstrndup(path, (size_t)(s - path));
        if (!has_node(d, dir))
            add_node(d, dir, BRIG_DEVNODE_DIR)->mode = 0755;
    }
}

static int add_mapped(struct brig_devnodes *d, const struct devmap *m,
                      const struct brig_devfs_verdict *v, brig_devnodes_owner_fn owner,
                      void *userdata, struct brig_err *err)
{
    unsigned uid = 0, gid = 0;
    if (v->user && owner_id(false, v->user, owner, userdata, m->path, &uid, err) < 0)
        return -1;
    if (v->group && owner_id(true, v->group, owner, userdata, m->path, &gid, err) < 0)
        return -1;
    if (has_node(d, m->path))
        return 0;
    add_parents(d, m->path);
    struct brig_devnode *n = add_node(d, m->path, m->kind);
    n->major = m->major;
    n->minor = m->minor;
    n->mode = v->has_mode && m->kind != BRIG_DEVNODE_SYMLINK ? (mode_t)v->mode : m->mode;
    n->uid = (uid_t)uid;
    n->gid = (gid_t)gid;
    n->target = m->target ? brig_xstrdup(m->target) : NULL;
    return 0;
}

int brig_devnodes_plan(const struct brig_devfs_flat *flat, brig_devnodes_owner_fn owner,
                       void *userdata, struct brig_devnodes *ret, struct brig_err *err)
{
    struct brig_devnodes d = {0};
    *ret = d;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(devmap); i++) {
        const struct devmap *m = &devmap[i];
        struct brig_devfs_verdict v;
        brig_devfs_eval(flat, m->name, m->types, &v);
        bool visible = v.visible;
        if (!visible && m->also) {
            struct brig_devfs_verdict va;
            brig_devfs_eval(flat, m->also, m->types, &va);
            visible = va.visible;
        }
        if (visible && m->probe)
            visible = brig_devfs_visible(flat, m->probe);
        if (m->needs_devpts && !d.devpts)
            visible = false;
        if (!visible)
            continue;
        switch (m->effect) {
        case NET_RAW:
            d.net_raw = true;
            break;
        case PF:
            d.pf = true;
            break;
        case NEVER:
        case UNMAPPED:
            brig_strv_push(&d.unmapped, m->name);
            break;
        case DEVPTS:
            d.devpts = true;
            goto node;
        case TUN:
            d.tun = true;
            goto node;
        case NODE:
        node:
            if (add_mapped(&d, m, &v, owner, userdata, err) < 0) {
                brig_devnodes_clear(&d);
                return -1;
            }
            break;
        }
    }
    *ret = d;
    return 0;
}

const struct brig_devnode *brig_devnodes_find(const struct brig_devnodes *d, const char *path)
{
    for (size_t i = 0; d && i < d->n; i++)
        if (strcmp(d->nodes[i].path, path) == 0)
            return &d->nodes[i];
    return NULL;
}

void brig_devnodes_clear(struct brig_devnodes *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->nodes[i].path);
        free(d->nodes[i].target);
    }
    free(d->nodes);
    brig_strv_free(d->unmapped);
    memset(d, 0, sizeof(*d));
}
