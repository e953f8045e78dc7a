/* jail.conf(5) text for one jail. Every value is written as a double-quoted
 * string in which jail(8)'s lexer can see nothing but literal characters:
 * backslash, double quote and '$' (which starts a variable inside double
 * quotes) are escaped with a backslash, control characters become C escapes,
 * so no value can end the string, the statement or the jail definition. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "addr.h"
#include "freebsd.h"
#include "util.h"

void brig_freebsd_conf_quote(struct brig_buf *out, const char *s)
{
    brig_buf_addc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\\':
        case '"':
        case '$':
            brig_buf_addc(out, '\\');
            brig_buf_addc(out, (char)*p);
            break;
        case '\n':
            brig_buf_add(out, "\\n");
            break;
        case '\t':
            brig_buf_add(out, "\\t");
            break;
        case '\r':
            brig_buf_add(out, "\\r");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                brig_buf_addf(out, "\\%03o", *p); /* three digits: never eats the next char */
            else
                brig_buf_addc(out, (char)*p);
        }
    }
    brig_buf_addc(out, '"');
}

static void put_str(struct brig_buf *out, const char *key, const char *value)
{
    brig_buf_addf(out, "    %s = ", key);
    brig_freebsd_conf_quote(out, value);
    brig_buf_add(out, ";\n");
}

static void put_bool(struct brig_buf *out, const char *key, bool on)
{
    const char *dot = strrchr(key, '.');
    if (on)
        brig_buf_addf(out, "    %s;\n", key);
    else if (dot)
        brig_buf_addf(out, "    %.*sno%s;\n", (int)(dot + 1 - key), key, dot + 1);
    else
        brig_buf_addf(out, "    no%s;\n", key);
}

const char *brig_freebsd_alias_iface(const struct brig_freebsd_input *in,
                                     const struct brig_addr_item *a)
{
    const char *iface = in->jail->v[BRIG_P_INTERFACE];
    if (a->iface[0])
        return a->iface;
    if (brig_streq(iface, "0"))
        return NULL;
    if (!iface || strcmp(iface, "auto") == 0)
        return in->uplink && in->uplink[0] ? in->uplink : NULL;
    return iface;
}

/* ip4.addr / ip6.addr of a jail that shares the host's stack:
 * "iface|addr/prefix" so that jail(8) adds the aliases before creating the
 * jail and removes them after; a bare address gets /32 or /128, as jail(8)
 * itself gives one. interface=0 (as in CBSD) leaves the aliases to the
 * administrator: the addresses are written without an interface, so jail(8)
 * neither adds nor removes them. */
static int put_addrs(const struct brig_freebsd_input *in, struct brig_buf *out,
                     struct brig_err *err)
{
    const struct brig_jail *j = in->jail;
    const char *list = in->ip_resolved ? in->ip_resolved : j->v[BRIG_P_IP4_ADDR];
    if (brig_strcaseeq(list, "DHCP"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "ip4_addr=DHCP has no address yet: the address pool assigns one "
                            "before the plan is made");
    _cleanup_free_ struct brig_addr_item *a = NULL;
    size_t n = 0;
    if (brig_addr_list_parse(list, BRIG_ADDR_ALIAS, &a, &n, err) < 0)
        return brig_err_wrap(err, "ip4_addr");
    bool unmanaged = brig_streq(j->v[BRIG_P_INTERFACE], "0");
    for (int v6 = 0; v6 <= 1; v6++) {
        const char *key = v6 ? "ip6.addr" : "ip4.addr";
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            if ((a[i].addr.family == AF_INET6) != (bool)v6)
                continue;
            char buf[BRIG_ADDR_STRLEN];
            const char *ifc = brig_freebsd_alias_iface(in, &a[i]);
            brig_addr_format(&a[i].addr, true, buf);
            if (!ifc && !unmanaged)
                return brig_err_set(err, BRIG_EUSAGE,
                                    "address %s needs an interface: set interface= or the "
                                    "node's uplink (interface=0: the address is already there)",
                                    buf);
            brig_buf_add(out, count ? ", " : "    ");
            if (!count)
                brig_buf_addf(out, "%s = ", key);
            _cleanup_free_ char *item = ifc ? brig_xasprintf("%s|%s", ifc, buf) : brig_xstrdup(buf);
            brig_freebsd_conf_quote(out, item);
            count++;
        }
        if (count)
            brig_buf_add(out, ";\n");
        else
            put_str(out, v6 ? "ip6" : "ip4", "disable");
    }
    return 0;
}

static bool all_digits(const char *s)
{
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
    }
    return true;
}

int brig_freebsd_jailconf(const struct brig_freebsd_input *in, struct brig_buf *out,
                          struct brig_err *err)
{
    const struct brig_jail *j = in->jail;
    const char *name = j->v[BRIG_P_JNAME];
    if (!name || brig_check_name("jname", name, err) < 0)
        return name ? -1 : brig_err_set(err, BRIG_EUSAGE, "jname is required");
    if (all_digits(name))
        return brig_err_set(err, BRIG_EUSAGE,
                            "jname '%s' is a number, which jail(8) takes for a jail id", name);
    bool vnet = brig_jail_bool(j, BRIG_P_VNET);
    int64_t ruleset = brig_jail_int(j, BRIG_P_DEVFS_RULESET);
    int64_t statfs = brig_jail_int(j, BRIG_P_ENFORCE_STATFS);
    if (brig_jail_bool(j, BRIG_P_MOUNT_DEVFS) && ruleset == 0)
        return brig_err_set(err, BRIG_EUSAGE,
                            "devfs_ruleset=0 would show every host device in the jail's /dev: "
                            "pick a ruleset (4 is devfsrules_jail)");
    if (brig_jail_bool(j, BRIG_P_ALLOW_MOUNT) && statfs == 2)
        return brig_err_set(err, BRIG_EUSAGE,
                            "allow_mount=1 has no effect with enforce_statfs=2: set "
                            "enforce_statfs=1 (jail(8))");

    brig_buf_add(out, "# jail.conf(5) for one jail, written by brig: the exec_* hooks are run by "
                      "brig's plan, not by jail(8)\n");
    brig_buf_addf(out, "%s {\n", name);
    put_str(out, "path", j->v[BRIG_P_PATH]);
    put_str(out, "host.hostname", j->v[BRIG_P_HOST_HOSTNAME]);
    if (vnet) {
        put_str(out, "vnet", "new");
    } else if (put_addrs(in, out, err) < 0) {
        return -1;
    }
    put_bool(out, "persist", true);
    brig_buf_addf(out, "    devfs_ruleset = \"%lld\";\n", (long long)ruleset);
    put_bool(out, "mount.devfs", brig_jail_bool(j, BRIG_P_MOUNT_DEVFS));
    put_bool(out, "mount.fdescfs", brig_jail_bool(j, BRIG_P_MOUNT_FDESCFS));
    put_bool(out, "mount.procfs", brig_jail_bool(j, BRIG_P_MOUNT_PROCFS));
    brig_buf_addf(out, "    enforce_statfs = \"%lld\";\n", (long long)statfs);
    brig_buf_add(out, "    children.max = \"0\";\n");
    put_bool(out, "allow.raw_sockets", brig_jail_bool(j, BRIG_P_ALLOW_RAW_SOCKETS));
    put_bool(out, "allow.mount", brig_jail_bool(j, BRIG_P_ALLOW_MOUNT));
    if (brig_jail_bool(j, BRIG_P_ALLOW_MOUNT))
        put_bool(out, "allow.mount.devfs", true);
    const char *ipc = brig_jail_bool(j, BRIG_P_ALLOW_SYSVIPC) ? "inherit" : "new";
    put_str(out, "sysvmsg", ipc);
    put_str(out, "sysvsem", ipc);
    put_str(out, "sysvshm", ipc);
    brig_buf_addf(out, "    exec.timeout = \"%lld\";\n",
                  (long long)brig_jail_int(j, BRIG_P_EXEC_TIMEOUT));
    brig_buf_addf(out, "    stop.timeout = \"%lld\";\n",
                  (long long)brig_jail_int(j, BRIG_P_STOP_TIMEOUT));
    _cleanup_free_ char *log =
        brig_xasprintf("%s/jails-system/%s/console.log", in->node->workdir, name);
    put_str(out, "exec.consolelog", log);
    brig_buf_add(out, "}\n");
    return 0;
}
