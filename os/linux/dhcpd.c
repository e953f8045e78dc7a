#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/params.h"
#include "core/util.h"

#define DNSMASQ "/usr/sbin/dnsmasq"

static char *pid_path(const char *rundir, const char *bridge)
{
    return brig_xasprintf("%s/dnsmasq-%s.pid", rundir, bridge);
}

/* The pid in the pid file if that process is a dnsmasq serving this pid file, else 0. */
static int dhcpd_pid(const char *rundir, const char *bridge, pid_t *ret, struct brig_err *err)
{
    _cleanup_free_ char *pidfile = pid_path(rundir, bridge);
    _cleanup_free_ char *data = NULL;
    struct brig_err e2 = BRIG_ERR_INIT;
    *ret = 0;
    if (!brig_path_exists(pidfile))
        return 0;
    if (brig_read_file(pidfile, 64, &data, NULL, &e2) < 0)
        return 0; /* removed meanwhile: not running */
    char *end;
    long pid = strtol(data, &end, 10);
    if (pid <= 1 || pid > INT32_MAX || (*end != '\n' && *end != '\0'))
        return brig_err_set(err, BRIG_EFAIL, "bad pid file %s", pidfile);

    char path[64];
    _cleanup_free_ char *comm = NULL;
    _cleanup_free_ char *cmdline = NULL;
    size_t len = 0;
    snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
    if (brig_read_file(path, 64, &comm, NULL, &e2) < 0)
        return 0;
    if (strcmp(comm, "dnsmasq\n") != 0)
        return 0; /* a recycled pid */
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
    if (brig_read_file(path, 65536, &cmdline, &len, &e2) < 0)
        return 0;
    /* A dnsmasq that is not ours (another pid file) is left alone. */
    _cleanup_free_ char *want = brig_xasprintf("--pid-file=%s", pidfile);
    bool ours = false;
    for (size_t off = 0; off < len; off += strlen(cmdline + off) + 1)
        ours = ours || strcmp(cmdline + off, want) == 0;
    if (ours)
        *ret = (pid_t)pid;
    return 0;
}

int brig_dhcpd_running(const char *rundir, const char *bridge, pid_t *ret_pid, struct brig_err *err)
{
    if (brig_check_ifname(bridge, err) < 0)
        return -1;
    return dhcpd_pid(rundir, bridge, ret_pid, err);
}

/* The DHCP ranges of gw's subnet that leave out gw itself: one or two "start,end". */
static void default_ranges(const struct brig_addr *gw, char ***ranges)
{
    struct brig_addr first, last, prev, next;
    char a[BRIG_ADDR_STRLEN], b[BRIG_ADDR_STRLEN];
    uint64_t count = brig_addr_host_count(gw);
    uint64_t at = brig_addr_host_index(gw, gw);

    brig_addr_nth_host(gw, 1, &first, NULL);
    brig_addr_nth_host(gw, count, &last, NULL);
    if (at == 0) {
        brig_strv_push(ranges, brig_addr_format(&first, false, a));
        brig_strv_push(ranges, brig_addr_format(&last, false, b));
        return;
    }
    if (at > 1 && brig_addr_nth_host(gw, at - 1, &prev, NULL) == 0) {
        brig_strv_push(ranges, brig_addr_format(&first, false, a));
        brig_strv_push(ranges, brig_addr_format(&prev, false, b));
    }
    if (at < count && brig_addr_nth_host(gw, at + 1, &next, NULL) == 0) {
        brig_strv_push(ranges, brig_addr_format(&next, false, a));
        brig_strv_push(ranges, brig_addr_format(&last, false, b));
    }
}

/* dnsmasq's lease time syntax: digits with an optional unit, or "infinite". */
static bool lease_time_ok(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (strcmp(s, "infinite") == 0)
        return true;
    return n > 0 && n < 10 && (s[n] == '\0' || (strchr("smhd", s[n]) && s[n + 1] == '\0'));
}

/* Run argv with stdin from /dev/null and stdout/stderr into errfile, and wait. A pipe
 * would never see EOF: the daemon keeps its inherited descriptors open. */
static int spawn_wait(char *const argv[], const char *errfile, int *ret_status,
                      struct brig_err *err)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0)
        return brig_err_sys(err, r, "run %s", argv[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            return brig_err_sys(err, errno, "wait %s", argv[0]);
    }
    *ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return 0;
}

int brig_dhcpd_start(const struct brig_dhcpd *d, pid_t *ret_pid, struct brig_err *err)
{
    struct brig_addr gw, net;
    char mask[BRIG_ADDR_STRLEN], gwip[BRIG_ADDR_STRLEN];
    if (brig_check_ifname(d->bridge, err) < 0)
        return -1;
    if (brig_addr_parse(d->gateway, &gw, err) < 0)
        return brig_err_wrap(err, "dhcp server for %s", d->bridge);
    if (gw.family != AF_INET)
        return brig_err_set(err, BRIG_EUSAGE, "dhcp server for %s: %s is not IPv4", d->bridge,
                            d->gateway);
    if (d->lease_time && !lease_time_ok(d->lease_time))
        return brig_err_set(err, BRIG_EUSAGE,
                            "bad dhcp lease time '%.40s' (a number with s, m, h or d, or "
                            "infinite)",
                            d->lease_time);
    if ((d->range_start == NULL) != (d->range_end == NULL))
        return brig_err_set(err, BRIG_EUSAGE, "dhcp range needs both a start and an end");
    if (d->gateway6) {
        struct brig_addr g6, s6, e6;
        if (brig_addr_parse(d->gateway6, &g6, err) < 0 || !d->range6_start || !d->range6_end ||
            brig_addr_parse_host(d->range6_start, &s6, err) < 0 ||
            brig_addr_parse_host(d->range6_end, &e6, err) < 0)
            return brig_err_wrap(err, "dhcp server for %s: IPv6", d->bridge);
        if (g6.family != AF_INET6 || g6.prefix != 64 || !brig_addr_contains(&g6, &s6) ||
            !brig_addr_contains(&g6, &e6))
            return brig_err_set(err, BRIG_EUSAGE,
                                "dhcp server for %s: IPv6 needs a /64 holding the range",
                                d->bridge);
    }

    pid_t pid;
    if (dhcpd_pid(d->rundir, d->bridge, &pid, err) < 0)
        return -1;
    if (pid > 0) {
        if (ret_pid)
            *ret_pid = pid;
        return 0;
    }
    if (brig_mkdir_p(d->rundir, 0755, err) < 0)
        return -1;

    _cleanup_strv_ char **ends = brig_xcalloc(1, sizeof(char *));
    if (d->range_start) {
        struct brig_addr s, e;
        if (brig_addr_parse_host(d->range_start, &s, err) < 0 ||
            brig_addr_parse_host(d->range_end, &e, err) < 0)
            return brig_err_wrap(err, "dhcp range");
        if (!brig_addr_contains(&gw, &s) || !brig_addr_contains(&gw, &e) ||
            brig_addr_cmp(&s, &e) > 0)
            return brig_err_set(err, BRIG_EUSAGE, "dhcp range %s-%s is not inside %s",
                                d->range_start, d->range_end, d->gateway);
        brig_strv_push(&ends, d->range_start);
        brig_strv_push(&ends, d->range_end);
    } else {
        default_ranges(&gw, &ends);
    }
    if (!ends[0])
        return brig_err_set(err, BRIG_EUSAGE, "subnet %s has no address to lease", d->gateway);

    struct brig_addr ones = {.family = AF_INET, .prefix = gw.prefix};
    brig_addr_broadcast(&ones, &net);
    for (unsigned i = 0; i < 4; i++)
        net.bytes[i] = (uint8_t)~net.bytes[i];
    brig_addr_format(&net, false, mask);
    brig_addr_format(&gw, false, gwip);

    _cleanup_free_ char *pidfile = pid_path(d->rundir, d->bridge);
    _cleanup_strv_ char **argv = NULL;
    brig_strv_push(&argv, DNSMASQ);
    brig_strv_push(&argv, "--conf-file=/dev/null");
    brig_strv_push(&argv, "--port=0");
    char *a = brig_xasprintf("--interface=%s", d->bridge);
    brig_strv_push(&argv, a);
    free(a);
    brig_strv_push(&argv, "--bind-interfaces");
    brig_strv_push(&argv, "--except-interface=lo");
    brig_strv_push(&argv, "--no-ping");
    brig_strv_push(&argv, "--dhcp-authoritative");
    brig_strv_push(&argv, "--no-resolv");
    brig_strv_push(&argv, "--no-hosts");
    for (size_t i = 0; ends[i] && ends[i + 1]; i += 2) {
        a = brig_xasprintf("--dhcp-range=%s,%s,%s,%s", ends[i], ends[i + 1], mask,
                           d->lease_time ? d->lease_time : "1h");
        brig_strv_push(&argv, a);
        free(a);
    }
    if (d->gateway6) {
        /* advertised with the autonomous flag (SLAAC), and leased by DHCPv6 */
        brig_strv_push(&argv, "--enable-ra");
        a = brig_xasprintf("--dhcp-range=%s,%s,slaac,64,%s", d->range6_start, d->range6_end,
                           d->lease_time ? d->lease_time : "1h");
        brig_strv_push(&argv, a);
        free(a);
        /* the bridge is the jails' router (as gateway4 is) whether or not the host
         * has an IPv6 default route, without which dnsmasq would advertise none */
        a = brig_xasprintf("--ra-param=%s,10,1800", d->bridge);
        brig_strv_push(&argv, a);
        free(a);
    }
    a = brig_xasprintf("--dhcp-option=option:router,%s", gwip);
    brig_strv_push(&argv, a);
    free(a);
    a = brig_xasprintf("--dhcp-leasefile=%s/dnsmasq-%s.leases", d->rundir, d->bridge);
    brig_strv_push(&argv, a);
    free(a);
    a = brig_xasprintf("--pid-file=%s", pidfile);
    brig_strv_push(&argv, a);
    free(a);
    a = brig_xasprintf("--log-facility=%s/dnsmasq-%s.log", d->rundir, d->bridge);
    brig_strv_push(&argv, a);
    free(a);

    _cleanup_free_ char *errfile = brig_xasprintf("%s/dnsmasq-%s.err", d->rundir, d->bridge);
    int status = -1;
    if (spawn_wait(argv, errfile, &status, err) < 0)
        return brig_err_wrap(err, "dhcp server for %s", d->bridge);
    if (status != 0) {
        _cleanup_free_ char *out = NULL;
        struct brig_err e2 = BRIG_ERR_INIT;
        if (brig_read_file(errfile, 4096, &out, NULL, &e2) < 0)
            out = brig_xstrdup("");
        out[strcspn(out, "\n")] = '\0';
        return brig_err_set(err, BRIG_EFAIL, "dhcp server for %s: dnsmasq failed: %s", d->bridge,
                            out[0] ? out : "no message");
    }
    /* dnsmasq's parent exits once the daemon is up and has written its pid file. */
    if (dhcpd_pid(d->rundir, d->bridge, &pid, err) < 0)
        return -1;
    if (pid == 0)
        return brig_err_set(err, BRIG_EFAIL, "dhcp server for %s: dnsmasq left no pid in %s",
                            d->bridge, pidfile);
    if (ret_pid)
        *ret_pid = pid;
    return 0;
}

int brig_dhcpd_stop(const char *rundir, const char *bridge, struct brig_err *err)
{
    pid_t pid;
    if (brig_dhcpd_running(rundir, bridge, &pid, err) < 0)
        return -1;
    _cleanup_free_ char *pidfile = pid_path(rundir, bridge);
    if (pid > 0) {
        if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
            return brig_err_sys(err, errno, "stop dhcp server for %s (pid %d)", bridge, (int)pid);
        /* Wait up to 2 s for it to go, so a restart can bind the bridge again. */
        for (int i = 0; i < 400 && kill(pid, 0) == 0; i++) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            pid_t again;
            if (dhcpd_pid(rundir, bridge, &again, err) < 0 || again != pid)
                break;
        }
        if (kill(pid, 0) == 0) {
            pid_t again = 0;
            if (dhcpd_pid(rundir, bridge, &again, err) == 0 && again == pid)
                return brig_err_set(err, BRIG_EFAIL, "dhcp server for %s (pid %d) did not stop",
                                    bridge, (int)pid);
        }
    }
    if (unlink(pidfile) < 0 && errno != ENOENT)
        return brig_err_sys(err, errno, "remove %s", pidfile);
    return 0;
}
