/* Linux networking against the real kernel. Every test runs in a network and mount
 * namespace of its own (with a fresh sysfs), and "jails" are forked children in
 * namespaces of their own: nothing here touches the host's interfaces. Needs root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/addr.h"
#include "core/mac.h"
#include "core/util.h"
#include "os/linux/net.h"

#define BR "brt0"

struct jail {
    pid_t pid;
    int go;    /* closing it lets the child exit */
    int netns; /* the child's network namespace */
};

struct ctx {
    struct brig_nl *nl;
    char tmp[64];
    struct jail jails[3];
    size_t njails;
};

static int setup(void **state)
{
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
        return -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    umount2("/sys", MNT_DETACH);
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
        return -1;
    struct ctx *c = brig_xcalloc(1, sizeof(*c));
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_nl_open(&c->nl, &err) < 0)
        return -1;
    snprintf(c->tmp, sizeof(c->tmp), "/tmp/brig-test-net.XXXXXX");
    if (!mkdtemp(c->tmp))
        return -1;
    *state = c;
    return 0;
}

/* Let every child go: a child also holds the go pipes of the ones forked before it,
 * so all are closed before any is waited for. */
static void jails_end(struct ctx *c)
{
    for (size_t i = 0; i < c->njails; i++) {
        close(c->jails[i].go);
        close(c->jails[i].netns);
    }
    for (size_t i = 0; i < c->njails; i++)
        waitpid(c->jails[i].pid, NULL, 0);
    c->njails = 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    brig_dhcpd_stop(c->tmp, BR, &err);
    jails_end(c);
    brig_nl_close(c->nl);
    brig_rm_rf(c->tmp, &err);
    free(c);
    return 0;
}

/* Fork a child in a new network namespace that waits until told to exit. */
static struct jail *jail_spawn(struct ctx *c)
{
    int ready[2], go[2];
    assert_true(c->njails < BRIG_ARRAY_SIZE(c->jails));
    assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
    assert_int_equal(pipe2(go, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char b;
        close(ready[0]);
        close(go[1]);
        if (unshare(CLONE_NEWNET) < 0)
            _exit(1);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        while (read(go[0], &b, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    char b;
    assert_int_equal(read(ready[0], &b, 1), 1);
    close(ready[0]);
    struct jail *j = &c->jails[c->njails++];
    j->pid = pid;
    j->go = go[1];
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_netns_open_pid(pid, &j->netns, &err), 0);
    return j;
}

/* Run argv inside netns; returns its exit status and, if out, its output. */
static int run_in(int netns, const char *const argv[], char **out)
{
    _cleanup_strv_ char **args = NULL;
    for (size_t i = 0; argv[i]; i++)
        brig_strv_push(&args, argv[i]);
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        if (netns >= 0 && setns(netns, CLONE_NEWNET) < 0)
            _exit(126);
        execv(args[0], args);
        _exit(127);
    }
    close(p[1]);
    struct brig_buf b = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
        brig_buf_addn(&b, chunk, (size_t)n);
    close(p[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    char *s = brig_buf_steal(&b);
    if (out)
        *out = s;
    else
        free(s);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Output of `busybox ip ARGS...` inside netns. */
static char *ip_in(int netns, const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *argv[] = {"/bin/busybox", "ip", a1, a2, a3, a4, NULL};
    char *out = NULL;
    assert_int_equal(run_in(netns, argv, &out), 0);
    return out;
}

static char *read_sys(const char *ifname, const char *attr)
{
    _cleanup_free_ char *path = brig_xasprintf("/sys/class/net/%s/%s", ifname, attr);
    char *data = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_read_file(path, 4096, &data, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    data[strcspn(data, "\n")] = '\0';
    return data;
}

static struct brig_addr A(const char *s) {
    struct brig_addr a;
    assert_int_equal(brig_addr_parse(s, &a, NULL), 0);
    return a;
}

static void
make_bridge(struct ctx *c, const char *addr, unsigned mtu)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_bridge_ensure(c->nl, BR, addr, mtu, &err) < 0)
        fail_msg("%s", err.msg);
}

static void make_veth(struct ctx *c, struct jail *j, int64_t id, const char *jname,
                      const uint8_t *mac)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_veth v = {
        .jail_id = id, .idx = 0, .jname = jname, .bridge = BR, .netns_fd = j->netns, .mac = mac};
    if (brig_veth_create(c->nl, &v, &err) < 0)
        fail_msg("%s", err.msg);
}

static void test_bridge_is_created_listed_and_deleted(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    bool is;

    make_bridge(c, "10.0.0.1/16", 0);
    make_bridge(c, "10.0.0.1/16", 0); /* again: nothing changes, no error */
    assert_int_equal(brig_bridge_is(c->nl, BR, &is, &err), 0);
    assert_true(is);
    unsigned mtu;
    assert_int_equal(brig_bridge_mtu(c->nl, BR, &mtu, &err), 0);
    assert_int_equal(mtu, 1500);

    struct brig_bridge_info *v;
    size_t n;
    assert_int_equal(brig_bridge_list(c->nl, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, BR);
    assert_int_equal(v[0].mtu, 1500);
    assert_true(v[0].up);
    assert_int_equal(v[0].members, 0);
    assert_non_null(v[0].addrs[0]);
    assert_string_equal(v[0].addrs[0], "10.0.0.1/16");
    assert_null(v[0].addrs[1]);
    brig_bridge_info_free(v, n);

    assert_int_equal(brig_bridge_delete(c->nl, BR, false, &err), 0);
    assert_int_equal(brig_bridge_is(c->nl, BR, &is, &err), 0);
    assert_false(is);
    assert_int_equal(brig_bridge_delete(c->nl, BR, false, &err), 0); /* already gone */
}

static void test_bridge_ensure_refuses_a_link_that_is_not_a_bridge(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    bool is = true;
    assert_int_equal(brig_bridge_ensure(c->nl, "lo", NULL, 0, &err), -1);
    assert_non_null(strstr(err.msg, "lo exists and is not a bridge"));
    assert_int_equal(brig_bridge_is(c->nl, "lo", &is, &err), 0);
    assert_false(is);
    assert_int_equal(brig_bridge_mtu(c->nl, "nosuch0", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "nosuch0 does not exist"));
    assert_int_equal(brig_bridge_ensure(c->nl, BR, "10.0.0.1/99", 0, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

static void test_bridge_delete_refuses_while_members_remain_unless_forced(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, NULL, 0);
    make_veth(c, jail_spawn(c), 3, "web3", NULL);
    assert_int_equal(brig_bridge_delete(c->nl, BR, false, &err), -1);
    assert_string_equal(err.msg, "bridge " BR " still has 1 member");
    bool is;
    assert_int_equal(brig_bridge_is(c->nl, BR, &is, &err), 0);
    assert_true(is);
    assert_int_equal(brig_bridge_delete(c->nl, BR, true, &err), 0);
    assert_int_equal(brig_bridge_is(c->nl, BR, &is, &err), 0);
    assert_false(is);
}

static void test_bridge_attach_needs_opt_in_for_a_physical_nic(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, NULL, 0);
    /* lo stands in for a physical NIC: it has no link kind. */
    assert_int_equal(brig_bridge_attach(c->nl, BR, "lo", false, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "explicit opt-in"));
    assert_int_equal(brig_bridge_attach(c->nl, BR, "nosuch0", true, &err), -1);
    assert_non_null(strstr(err.msg, "nosuch0 does not exist"));

    /* a virtual link needs no opt-in: move a host end to a second bridge */
    make_veth(c, jail_spawn(c), 5, "mv", NULL);
    assert_int_equal(brig_bridge_ensure(c->nl, "brt1", NULL, 0, &err), 0);
    if (brig_bridge_attach(c->nl, "brt1", "bj5n0", false, &err) < 0)
        fail_msg("%s", err.msg);
    _cleanup_free_ char *master = read_sys("bj5n0", "master/ifindex");
    _cleanup_free_ char *br1 = read_sys("brt1", "ifindex");
    assert_string_equal(master, br1);
}

static void test_vnet_nic_is_eth0_in_the_jail_and_on_the_bridge_on_the_host(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    uint8_t mac[6];
    char macs[BRIG_MAC_STRLEN];
    brig_mac_derive("node1", "web1", 0, mac);
    brig_mac_format(mac, macs);

    make_bridge(c, "10.0.0.1/16", 1400);
    struct jail *j = jail_spawn(c);
    make_veth(c, j, 7, "web1", mac);

    _cleanup_free_ char *alias = read_sys("bj7n0", "ifalias");
    _cleanup_free_ char *mtu = read_sys("bj7n0", "mtu");
    _cleanup_free_ char *master = read_sys("bj7n0", "master/ifindex");
    _cleanup_free_ char *bridx = read_sys(BR, "ifindex");
    _cleanup_free_ char *oper = read_sys("bj7n0", "flags");
    assert_string_equal(alias, "web1-eth0");
    assert_string_equal(mtu, "1400");
    assert_string_equal(master, bridx);
    assert_true(strtoul(oper, NULL, 16) & 1); /* IFF_UP */

    _cleanup_nl_ struct brig_nl *jnl = NULL;
    assert_int_equal(brig_nl_open_netns(j->netns, &jnl, &err), 0);
    assert_int_equal(brig_veth_configure(jnl, 0, false, NULL, 0, NULL, NULL, &err), 0);
    _cleanup_free_ char *link = ip_in(j->netns, "link", "show", "eth0", NULL);
    assert_non_null(strstr(link, "mtu 1400"));
    assert_non_null(strstr(link, macs));
    assert_non_null(strstr(link, ",UP"));

    /* the jail end is not on the host */
    bool exists;
    assert_int_equal(brig_link_exists(c->nl, "eth0", &exists, &err), 0);
    assert_false(exists);
}

static void
test_ipv6_is_off_on_the_host_end_and_a_jail_end_without_it_has_no_link_local(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, "10.0.0.1/16", 0);
    struct jail *j[2] = {jail_spawn(c), jail_spawn(c)};
    make_veth(c, j[0], 12, "v4only", NULL);
    make_veth(c, j[1], 13, "dual", NULL);
    for (int i = 0; i < 2; i++) {
        _cleanup_free_ char *host = NULL;
        _cleanup_free_ char *path =
            brig_xasprintf("/proc/sys/net/ipv6/conf/bj%dn0/disable_ipv6", 12 + i);
        assert_int_equal(brig_read_file(path, 64, &host, NULL, &err), 0);
        assert_string_equal(host, "1\n");
        _cleanup_nl_ struct brig_nl *jnl = NULL;
        assert_int_equal(brig_nl_open_netns(j[i]->netns, &jnl, &err), 0);
        assert_int_equal(brig_veth_configure(jnl, 0, i == 1, NULL, 0, NULL, NULL, &err), 0);
        /* The kernel adds a link-local address once the link has a carrier, a moment
         * after the configuration returns: wait up to 2 s for it to appear (or not). */
        bool seen = false;
        for (int tries = 0; tries < (i == 1 ? 100 : 1) && !seen; tries++) {
            _cleanup_free_ char *a = ip_in(j[i]->netns, "addr", "show", "eth0", NULL);
            seen = strstr(a, "inet6") != NULL;
            if (!seen)
                usleep(20000);
        }
        assert_int_equal(seen, i == 1);
    }
}

static void test_vnet_nic_gets_addresses_and_default_routes_inside(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, "10.0.0.1/16", 0);
    struct jail *j = jail_spawn(c);

    uint64_t t0 = brig_now_ns();
    make_veth(c, j, 8, "web2", NULL);
    _cleanup_nl_ struct brig_nl *jnl = NULL;
    assert_int_equal(brig_nl_open_netns(j->netns, &jnl, &err), 0);
    struct brig_addr addrs[] = {A("10.0.0.2/16"), A("fd00::2")};
    struct brig_addr gw4 = A("10.0.0.1"), gw6 = A("fd00::1");
    if (brig_veth_configure(jnl, 0, true, addrs, 2, &gw4, &gw6, &err) < 0)
        fail_msg("%s", err.msg);
    print_message("veth create+configure: %.2f ms\n", (double)(brig_now_ns() - t0) / 1e6);

    _cleanup_free_ char *a = ip_in(j->netns, "addr", "show", "eth0", NULL);
    assert_non_null(strstr(a, "inet 10.0.0.2/16"));
    assert_non_null(strstr(a, "inet6 fd00::2/64"));
    _cleanup_free_ char *r4 = ip_in(j->netns, "route", NULL, NULL, NULL);
    assert_non_null(strstr(r4, "default via 10.0.0.1 dev eth0"));
    _cleanup_free_ char *r6 = ip_in(j->netns, "-6", "route", NULL, NULL);
    assert_non_null(strstr(r6, "default via fd00::1 dev eth0"));

    /* configuring again is harmless; removing an address removes it, twice is fine */
    assert_int_equal(brig_veth_configure(jnl, 0, true, addrs, 2, &gw4, &gw6, &err), 0);
    assert_int_equal(brig_ifaddr_del(jnl, "eth0", &addrs[0], &err), 0);
    assert_int_equal(brig_ifaddr_del(jnl, "eth0", &addrs[0], &err), 0);
    _cleanup_free_ char *a2 = ip_in(j->netns, "addr", "show", "eth0", NULL);
    assert_null(strstr(a2, "inet 10.0.0.2/16"));
    assert_non_null(strstr(a2, "inet6 fd00::2/64"));

    assert_int_equal(brig_ifaddr_add(jnl, "eth9", &addrs[0], &err), -1);
    assert_non_null(strstr(err.msg, "eth9 does not exist"));
}

/* Ping addr from jail j until it answers: one echo at a time, for up to a
 * minute, since a loaded machine may take seconds to resolve the first ARP
 * and forward the first packet; what counts is that it gets through. */
static void ping_from(struct jail *j, const char *addr)
{
    const char *argv[] = {"/bin/busybox", "ping", "-c1", "-W2", addr, NULL};
    uint64_t deadline = brig_now_ns() + 60ULL * 1000000000ULL;
    for (;;) {
        _cleanup_free_ char *out = NULL;
        int st = run_in(j->netns, argv, &out);
        if (st == 0)
            return;
        if (brig_now_ns() >= deadline)
            fail_msg("ping %s: no answer within a minute: %s", addr, out);
    }
}

static void test_two_jails_on_one_bridge_ping_each_other(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, "10.0.0.1/16", 0);
    struct jail *j[2];
    const char *ip[] = {"10.0.0.2/16", "10.0.0.3/16"};
    for (int i = 0; i < 2; i++) {
        j[i] = jail_spawn(c);
        /* the first by netns fd, the second by pid */
        struct brig_veth v = {.jail_id = 20 + i,
                              .jname = i ? "b" : "a",
                              .bridge = BR,
                              .netns_fd = i ? -1 : j[i]->netns,
                              .netns_pid = j[i]->pid};
        if (brig_veth_create(c->nl, &v, &err) < 0)
            fail_msg("%s", err.msg);
        _cleanup_nl_ struct brig_nl *jnl = NULL;
        assert_int_equal(brig_nl_open_netns(j[i]->netns, &jnl, &err), 0);
        struct brig_addr a = A(ip[i]);
        assert_int_equal(brig_veth_configure(jnl, 0, false, &a, 1, NULL, NULL, &err), 0);
    }
    ping_from(j[0], "10.0.0.3");
    ping_from(j[1], "10.0.0.2");
}

static void test_deleting_a_nic_leaves_no_link_on_either_side(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, NULL, 0);
    struct jail *j = jail_spawn(c);
    make_veth(c, j, 9, "web9", NULL);

    _cleanup_strv_ char **names = NULL;
    assert_int_equal(brig_link_list_prefix(c->nl, "bj", &names, &err), 0);
    assert_non_null(names[0]);
    assert_string_equal(names[0], "bj9n0");
    assert_null(names[1]);

    uint64_t t0 = brig_now_ns();
    assert_int_equal(brig_veth_delete(c->nl, 9, 0, 0, NULL, &err), 0);
    print_message("veth delete: %.2f ms\n", (double)(brig_now_ns() - t0) / 1e6);
    assert_int_equal(brig_veth_delete(c->nl, 9, 0, 0, NULL, &err), 0); /* gone already: fine */

    bool exists = true;
    assert_int_equal(brig_link_exists(c->nl, "bj9n0", &exists, &err), 0);
    assert_false(exists);
    _cleanup_nl_ struct brig_nl *jnl = NULL;
    assert_int_equal(brig_nl_open_netns(j->netns, &jnl, &err), 0);
    assert_int_equal(brig_link_exists(jnl, "eth0", &exists, &err), 0);
    assert_false(exists);
    _cleanup_strv_ char **after = NULL;
    assert_int_equal(brig_link_list_prefix(c->nl, "bj", &after, &err), 0);
    assert_null(after[0]);
}

static void test_links_of_a_group_go_in_one_deletion_and_no_other_link_with_them(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, NULL, 0);
    struct jail *j[3] = {jail_spawn(c), jail_spawn(c), jail_spawn(c)};
    make_veth(c, j[0], 7, "a", NULL);
    make_veth(c, j[1], 8, "b", NULL);
    make_veth(c, j[2], 9, "c", NULL);

    const uint32_t group = 0x80000001u;
    assert_int_equal(brig_veth_delete(c->nl, 7, 0, group, NULL, &err), 0);
    assert_int_equal(brig_veth_delete(c->nl, 8, 0, group, NULL, &err), 0);
    /* a link that is gone already is no failure, as with a deletion */
    assert_int_equal(brig_link_set_group(c->nl, "bj6n0", group, &err), 0);
    bool exists = false;
    assert_int_equal(brig_link_exists(c->nl, "bj7n0", &exists, &err), 0);
    assert_true(exists); /* only grouped, until the group goes */

    assert_int_equal(brig_link_delete_group(c->nl, group, &err), 0);
    _cleanup_strv_ char **after = NULL;
    assert_int_equal(brig_link_list_prefix(c->nl, "bj", &after, &err), 0);
    assert_non_null(after[0]);
    assert_string_equal(after[0], "bj9n0");
    assert_null(after[1]);
    assert_int_equal(brig_link_exists(c->nl, BR, &exists, &err), 0);
    assert_true(exists);
    for (int i = 0; i < 2; i++) {
        _cleanup_nl_ struct brig_nl *jnl = NULL;
        assert_int_equal(brig_nl_open_netns(j[i]->netns, &jnl, &err), 0);
        assert_int_equal(brig_link_exists(jnl, "eth0", &exists, &err), 0);
        assert_false(exists);
    }
    /* nothing left in the group: success, and nothing else goes */
    assert_int_equal(brig_link_delete_group(c->nl, group, &err), 0);
    assert_int_equal(brig_link_exists(c->nl, "bj9n0", &exists, &err), 0);
    assert_true(exists);
}

static void test_restart_replaces_a_stale_host_end_of_the_same_name(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, NULL, 0);
    struct jail *old = jail_spawn(c);
    make_veth(c, old, 11, "web11", NULL);
    struct jail *fresh = jail_spawn(c);
    make_veth(c, fresh, 11, "web11", NULL);

    bool exists;
    _cleanup_nl_ struct brig_nl *onl = NULL;
    _cleanup_nl_ struct brig_nl *fnl = NULL;
    assert_int_equal(brig_nl_open_netns(old->netns, &onl, &err), 0);
    assert_int_equal(brig_nl_open_netns(fresh->netns, &fnl, &err), 0);
    assert_int_equal(brig_link_exists(onl, "eth0", &exists, &err), 0);
    assert_false(exists);
    assert_int_equal(brig_link_exists(fnl, "eth0", &exists, &err), 0);
    assert_true(exists);
}

static void test_another_workdirs_host_end_is_neither_taken_nor_deleted(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, NULL, 0);
    brig_ifnames_use("b", "nodea");
    struct jail *a = jail_spawn(c);
    make_veth(c, a, 12, "web12", NULL);
    _cleanup_free_ char *alias = NULL;
    assert_int_equal(brig_link_alias(c->nl, "bj12n0", &alias, &err), 0);
    assert_string_equal(alias, "web12-eth0 brig node nodea");

    /* jail 12 of another workdir with the same prefix */
    brig_ifnames_use("b", "nodeb");
    struct jail *b = jail_spawn(c);
    struct brig_veth v = {
        .jail_id = 12, .idx = 0, .jname = "db12", .bridge = BR, .netns_fd = b->netns};
    assert_int_equal(brig_veth_create(c->nl, &v, &err), -1);
    assert_string_equal(err.msg, "host interface bj12n0 belongs to another brig workdir (brig node "
                                 "nodea): give this workdir interface names of its own with brig "
                                 "initenv ifprefix=");
    bool foreign = false, exists = false;
    assert_int_equal(brig_veth_delete(c->nl, 12, 0, 0, &foreign, &err), 0);
    assert_true(foreign);
    _cleanup_nl_ struct brig_nl *anl = NULL;
    assert_int_equal(brig_nl_open_netns(a->netns, &anl, &err), 0);
    assert_int_equal(brig_link_exists(anl, "eth0", &exists, &err), 0);
    assert_true(exists);

    /* with a prefix of its own it has its own name */
    brig_ifnames_use("c", "nodeb");
    assert_int_equal(brig_veth_create(c->nl, &v, &err), 0);
    assert_int_equal(brig_link_exists(c->nl, "cj12n0", &exists, &err), 0);
    assert_true(exists);
    assert_int_equal(brig_veth_delete(c->nl, 12, 0, 0, &foreign, &err), 0);
    assert_false(foreign);
    assert_int_equal(brig_link_exists(c->nl, "cj12n0", &exists, &err), 0);
    assert_false(exists);
    brig_ifnames_use(NULL, NULL);
}

static void test_veth_on_a_missing_bridge_fails_and_leaves_nothing(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    struct jail *j = jail_spawn(c);
    struct brig_veth v = {
        .jail_id = 4, .idx = 0, .jname = "x", .bridge = "nobr0", .netns_fd = j->netns};
    assert_int_equal(brig_veth_create(c->nl, &v, &err), -1);
    assert_non_null(strstr(err.msg, "nobr0 does not exist"));
    bool exists = true;
    assert_int_equal(brig_link_exists(c->nl, "bj4n0", &exists, &err), 0);
    assert_false(exists);
}

static void test_host_end_names_fit_ifnamsiz_and_parse_back(void **state)
{
    char name[IFNAMSIZ];
    struct brig_err err = BRIG_ERR_INIT;
    int64_t id;
    int idx;
    assert_int_equal(brig_veth_host_name(42, 3, name, &err), 0);
    assert_string_equal(name, "bj42n3");
    assert_true(brig_veth_host_name_parse(name, &id, &idx));
    assert_int_equal(id, 42);
    assert_int_equal(idx, 3);
    assert_int_equal(brig_veth_host_name(9999999999LL, 99, name, &err), 0);
    assert_int_equal(strlen(name), 15);
    assert_int_equal(brig_veth_host_name(99999999999LL, 99, name, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_false(brig_veth_host_name_parse("bjx1n0", NULL, NULL));
    assert_false(brig_veth_host_name_parse("bj1n", NULL, NULL));
    assert_false(brig_veth_host_name_parse("br0", NULL, NULL));
    /* a VM's tap parses as a tap, never as a veth, and the other way round */
    assert_true(brig_tap_name_parse("bt42n3", &id, &idx));
    assert_int_equal(id, 42);
    assert_int_equal(idx, 3);
    assert_false(brig_tap_name_parse("bj42n3", NULL, NULL));
    assert_false(brig_veth_host_name_parse("bt42n3", NULL, NULL));
    assert_false(brig_tap_name_parse("bt42", NULL, NULL));
    brig_ifnames_use("xyz", NULL);
    assert_int_equal(brig_veth_host_name(42, 3, name, &err), 0);
    assert_string_equal(name, "xyzj42n3");
    assert_true(brig_veth_host_name_parse(name, &id, &idx));
    assert_false(brig_veth_host_name_parse("bj42n3", NULL, NULL));
    assert_int_equal(brig_veth_host_name(999999999LL, 9, name, &err), 0);
    assert_int_equal(brig_veth_host_name(9999999999LL, 9, name, &err), -1);
    brig_ifnames_use(NULL, NULL);
}

static void test_host_alias_is_added_and_removed(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, "10.0.0.1/16", 0);
    struct brig_addr a = A("10.0.0.50/16");
    assert_int_equal(brig_ifaddr_add(c->nl, BR, &a, &err), 0);
    assert_int_equal(brig_ifaddr_add(c->nl, BR, &a, &err), 0);
    _cleanup_free_ char *out = ip_in(-1, "addr", "show", BR, NULL);
    assert_non_null(strstr(out, "inet 10.0.0.50/16"));
    assert_int_equal(brig_ifaddr_del(c->nl, BR, &a, &err), 0);
    _cleanup_free_ char *out2 = ip_in(-1, "addr", "show", BR, NULL);
    assert_null(strstr(out2, "inet 10.0.0.50/16"));
    assert_non_null(strstr(out2, "inet 10.0.0.1/16"));
}

static void test_dnsmasq_gives_a_lease_to_a_jail_client(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    make_bridge(c, "10.0.0.1/24", 0);
    struct jail *j = jail_spawn(c);
    make_veth(c, j, 30, "dh", NULL);
    _cleanup_nl_ struct brig_nl *jnl = NULL;
    assert_int_equal(brig_nl_open_netns(j->netns, &jnl, &err), 0);
    assert_int_equal(brig_veth_configure(jnl, 0, false, NULL, 0, NULL, NULL, &err), 0);

    struct brig_dhcpd d = {.bridge = BR, .gateway = "10.0.0.1/24", .rundir = c->tmp};
    pid_t pid = 0, again = 0, running = 0;
    if (brig_dhcpd_start(&d, &pid, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(pid > 0);
    assert_int_equal(brig_dhcpd_start(&d, &again, &err), 0);
    assert_int_equal(again, pid);
    assert_int_equal(brig_dhcpd_running(c->tmp, BR, &running, &err), 0);
    assert_int_equal(running, pid);

    _cleanup_free_ char *script = brig_xasprintf("%s/default.script", c->tmp);
    const char *text = "#!/bin/busybox sh\n"
                       "case \"$1\" in bound|renew)\n"
                       "  /bin/busybox ip addr add \"$ip/$mask\" dev \"$interface\" ;;\n"
                       "esac\n";
    assert_int_equal(brig_write_file_atomic(script, text, strlen(text), 0755, &err), 0);
    const char *argv[] = {"/bin/busybox", "udhcpc", "-n", "-q",   "-t", "5", "-T", "1",
                          "-i",           "eth0",   "-s", script, NULL};
    _cleanup_free_ char *out = NULL;
    uint64_t t0 = brig_now_ns();
    int st = run_in(j->netns, argv, &out);
    print_message("dhcp lease: %.1f ms\n", (double)(brig_now_ns() - t0) / 1e6);
    if (st != 0)
        fail_msg("udhcpc failed: %s", out);
    _cleanup_free_ char *a = ip_in(j->netns, "addr", "show", "eth0", NULL);
    assert_non_null(strstr(a, "inet 10.0.0."));
    assert_null(strstr(a, "inet 10.0.0.1/"));

    assert_int_equal(brig_dhcpd_stop(c->tmp, BR, &err), 0);
    assert_int_equal(brig_dhcpd_running(c->tmp, BR, &running, &err), 0);
    assert_int_equal(running, 0);
    assert_int_equal(brig_dhcpd_stop(c->tmp, BR, &err), 0);
}

static void test_dnsmasq_rejects_bad_settings(void **state)
{
    struct ctx *c = *state;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_dhcpd d = {.bridge = BR, .gateway = "fd00::1/64", .rundir = c->tmp};
    assert_int_equal(brig_dhcpd_start(&d, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    d.gateway = "10.0.0.1/24";
    d.range_start = "10.0.1.5";
    d.range_end = "10.0.1.9";
    assert_int_equal(brig_dhcpd_start(&d, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "not inside"));
    d.range_start = d.range_end = NULL;
    d.lease_time = "1h,10.9.9.9";
    assert_int_equal(brig_dhcpd_start(&d, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    d.lease_time = NULL;
    d.bridge = "bad name";
    assert_int_equal(brig_dhcpd_start(&d, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

static char *nft_ruleset(void)
{
    const char *argv[] = {"/usr/sbin/nft", "list", "ruleset", NULL};
    char *out = NULL;
    assert_int_equal(run_in(-1, argv, &out), 0);
    return out;
}

static void test_nat_rule_is_added_once_and_removed_with_its_table(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    bool has = true;
    assert_int_equal(brig_nat_has("10.0.0.0/16", "uplink0", &has, &err), 0);
    assert_false(has);
    if (brig_nat_add("10.0.0.0/16", "uplink0", &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(brig_nat_add("10.0.0.5/16", "uplink0", &err), 0); /* same subnet */
    assert_int_equal(brig_nat_add("10.1.0.0/16", NULL, &err), 0);
    assert_int_equal(brig_nat_has("10.0.0.0/16", "uplink0", &has, &err), 0);
    assert_true(has);

    _cleanup_free_ char *rs = nft_ruleset();
    assert_non_null(strstr(rs, "table ip brig"));
    const char *r1 = strstr(rs, "ip saddr 10.0.0.0/16 ip daddr != 10.0.0.0/16 oifname \"uplink0\"");
    assert_non_null(r1);
    assert_null(strstr(r1 + 1, "ip saddr 10.0.0.0/16")); /* only once */
    assert_non_null(strstr(rs, "masquerade"));
    assert_non_null(strstr(rs, "ip saddr 10.1.0.0/16"));

    assert_int_equal(brig_nat_remove("10.0.0.0/16", "uplink0", &err), 0);
    _cleanup_free_ char *rs2 = nft_ruleset();
    assert_null(strstr(rs2, "10.0.0.0/16"));
    assert_non_null(strstr(rs2, "10.1.0.0/16"));
    assert_int_equal(brig_nat_remove("10.1.0.0/16", NULL, &err), 0);
    _cleanup_free_ char *rs3 = nft_ruleset();
    assert_null(strstr(rs3, "table ip brig"));
    assert_int_equal(brig_nat_remove("10.1.0.0/16", NULL, &err), 0);
}

static void test_nat_rejects_bad_subnet_and_uplink(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_nat_add("10.0.0/16", NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_nat_add("10.0.0.0/16", "eth\"0", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    _cleanup_free_ char *rs = nft_ruleset();
    assert_null(strstr(rs, "table ip brig"));
}

static void test_ip_forward_is_enabled_in_this_namespace(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *data = NULL;
    assert_int_equal(brig_ip_forward_enable(&err), 0);
    assert_int_equal(brig_read_file("/proc/sys/net/ipv4/ip_forward", 16, &data, NULL, &err), 0);
    assert_string_equal(data, "1\n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    if (geteuid() != 0) {
        print_message("skipped: needs root (network namespaces)\n");
        return 77; /* meson's "skipped" */
    }
    const struct CMUnitTest tests[] = {
        T(test_bridge_is_created_listed_and_deleted),
        T(test_bridge_ensure_refuses_a_link_that_is_not_a_bridge),
        T(test_bridge_delete_refuses_while_members_remain_unless_forced),
        T(test_bridge_attach_needs_opt_in_for_a_physical_nic),
        T(test_vnet_nic_is_eth0_in_the_jail_and_on_the_bridge_on_the_host),
        T(test_ipv6_is_off_on_the_host_end_and_a_jail_end_without_it_has_no_link_local),
        T(test_vnet_nic_gets_addresses_and_default_routes_inside),
        T(test_two_jails_on_one_bridge_ping_each_other),
        T(test_deleting_a_nic_leaves_no_link_on_either_side),
        T(test_links_of_a_group_go_in_one_deletion_and_no_other_link_with_them),
        T(test_restart_replaces_a_stale_host_end_of_the_same_name),
        T(test_another_workdirs_host_end_is_neither_taken_nor_deleted),
        T(test_veth_on_a_missing_bridge_fails_and_leaves_nothing),
        T(test_host_end_names_fit_ifnamsiz_and_parse_back),
        T(test_host_alias_is_added_and_removed),
        T(test_dnsmasq_gives_a_lease_to_a_jail_client),
        T(test_dnsmasq_rejects_bad_settings),
        T(test_nat_rule_is_added_once_and_removed_with_its_table),
        T(test_nat_rejects_bad_subnet_and_uplink),
        T(test_ip_forward_is_enabled_in_this_namespace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
