/* IPAM: the lowest free address, reuse after release, exhaustion, static
 * reservations that name the jail holding an address, and allocation by
 * several processes at once. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "brig.h"
#include "store/store.h"
#include "util.h"

#define NPROC    8
#define PER_PROC 25

struct fixture {
    char dir[64];
    char *db;
    struct brig_store *st;
};

static int setup(void **state)
{
    struct fixture *f = brig_xcalloc(1, sizeof(*f));
    struct brig_err err = BRIG_ERR_INIT;
    snprintf(f->dir, sizeof(f->dir), "/tmp/brig-test-ipam-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->db = brig_xasprintf("%s/local.sqlite", f->dir);
    if (brig_store_open(f->db, true, &f->st, &err) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    brig_store_close(f->st);
    brig_rm_rf(f->dir, NULL);
    free(f->db);
    free(f);
    return 0;
}

static uint32_t v4(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return ntohl(a.s_addr);
}

static int64_t new_jail(struct brig_store *st, const char *jname)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail j = {0};
    brig_jail_set(&j, BRIG_P_JNAME, jname);
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    if (brig_store_jail_insert(st, &j, &err) < 0)
        fail_msg("insert %s: %s", jname, err.msg);
    int64_t id = j.id;
    brig_jail_clear(&j);
    return id;
}

/* Allocate from [lo, hi] in its own transaction and return the address. */
static uint32_t alloc_ok(struct brig_store *st, const char *lo, const char *hi, int64_t jail)
{
    struct brig_err err = BRIG_ERR_INIT;
    uint32_t got = 0;
    assert_int_equal(brig_store_begin(st, &err), 0);
    if (brig_store_ipam_alloc(st, v4(lo), v4(hi), jail, 0, &got, &err) < 0)
        fail_msg("alloc: %s", err.msg);
    assert_int_equal(brig_store_commit(st, &err), 0);
    return got;
}

static void test_alloc_gives_the_lowest_free_address(void **state)
{
    struct fixture *f = *state;
    int64_t a = new_jail(f->st, "a");
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", a), v4("10.0.0.2"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", a), v4("10.0.0.3"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", a), v4("10.0.0.4"));
    /* addresses outside the range do not matter */
    assert_int_equal(alloc_ok(f->st, "10.0.1.2", "10.0.1.254", a), v4("10.0.1.2"));
    /* a static reservation inside the range is skipped */
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.5", a, 0, "static", &err), 0);
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", a), v4("10.0.0.6"));
}

static void test_released_addresses_are_reused_lowest_first(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    int64_t a = new_jail(f->st, "a"), b = new_jail(f->st, "b"), c = new_jail(f->st, "c");
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", a), v4("10.0.0.2"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", b), v4("10.0.0.3"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", c), v4("10.0.0.4"));
    assert_int_equal(brig_store_ipam_release(f->st, b, -1, &err), 0);
    assert_int_equal(brig_store_ipam_release(f->st, a, -1, &err), 0);
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", c), v4("10.0.0.2"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", c), v4("10.0.0.3"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", c), v4("10.0.0.5"));
    /* removing a jail frees its addresses too */
    assert_int_equal(brig_store_jail_delete(f->st, c, &err), 0);
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.254", a), v4("10.0.0.2"));
}

static void test_release_of_one_nic_keeps_the_others(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    int64_t a = new_jail(f->st, "a");
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.10", a, 0, "static", &err), 0);
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.11", a, 1, "static", &err), 0);
    assert_int_equal(brig_store_ipam_release(f->st, a, 1, &err), 0);
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.11", a, 1, "static", &err), 0);
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.10", a, 1, "static", &err), -1);
}

static void test_exhausted_pool_says_so(void **state)
{
    struct fixture *f = *state;
    int64_t a = new_jail(f->st, "a");
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.4", a), v4("10.0.0.2"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.4", a), v4("10.0.0.3"));
    assert_int_equal(alloc_ok(f->st, "10.0.0.2", "10.0.0.4", a), v4("10.0.0.4"));
    struct brig_err err = BRIG_ERR_INIT;
    uint32_t got = 0;
    assert_int_equal(brig_store_ipam_alloc(f->st, v4("10.0.0.2"), v4("10.0.0.4"), a, 0, &got, &err),
                     -1);
    assert_int_equal(err.code, BRIG_EFAIL);
    assert_string_equal(err.msg, "the address pool is exhausted");
    /* a one-address pool */
    assert_int_equal(alloc_ok(f->st, "10.0.0.9", "10.0.0.9", a), v4("10.0.0.9"));
    assert_int_equal(brig_store_ipam_alloc(f->st, v4("10.0.0.9"), v4("10.0.0.9"), a, 0, &got, &err),
                     -1);
    assert_string_equal(err.msg, "the address pool is exhausted");
}

static void test_static_conflict_names_the_jail(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    int64_t web = new_jail(f->st, "web1"), db = new_jail(f->st, "db1");
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.9", web, 0, "static", &err), 0);
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.9", db, 0, "static", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "address 10.0.0.9 is already used by jail web1");
    /* also against an address the pool handed out */
    uint32_t got = alloc_ok(f->st, "10.0.0.2", "10.0.0.254", web);
    assert_int_equal(got, v4("10.0.0.2"));
    assert_int_equal(brig_store_ipam_reserve(f->st, "10.0.0.2", db, 0, "static", &err), -1);
    assert_string_equal(err.msg, "address 10.0.0.2 is already used by jail web1");
    /* IPv6 addresses are reserved the same way and never handed out by the v4 pool */
    assert_int_equal(brig_store_ipam_reserve(f->st, "fd00::5", db, 0, "static", &err), 0);
    assert_int_equal(brig_store_ipam_reserve(f->st, "fd00::5", web, 0, "static", &err), -1);
    assert_string_equal(err.msg, "address fd00::5 is already used by jail db1");
}

/* Child: open the store, allocate PER_PROC addresses, write them to fd. */
static int child_alloc(const char *db, int64_t jail, uint32_t lo, uint32_t hi, int fd)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_store *st = NULL;
    if (brig_store_open(db, false, &st, &err) < 0) {
        fprintf(stderr, "child: %s\n", err.msg);
        return 1;
    }
    for (int i = 0; i < PER_PROC; i++) {
        uint32_t got;
        if (brig_store_begin(st, &err) < 0 ||
            brig_store_ipam_alloc(st, lo, hi, jail, 0, &got, &err) < 0 ||
            brig_store_commit(st, &err) < 0) {
            fprintf(stderr, "child %lld: %s\n", (long long)jail, err.msg);
            brig_store_rollback(st);
            brig_store_close(st);
            return 1;
        }
        if (write(fd, &got, sizeof(got)) != (ssize_t)sizeof(got))
            return 1;
    }
    brig_store_close(st);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void test_concurrent_allocation_hands_out_distinct_addresses(void **state)
{
    struct fixture *f = *state;
    uint32_t lo = v4("10.20.0.2"), hi = v4("10.20.255.254");
    int64_t jails[NPROC];
    for (int i = 0; i < NPROC; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%d", i);
        jails[i] = new_jail(f->st, name);
    }
    int fds[2];
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid_t pids[NPROC];
    for (int i = 0; i < NPROC; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(fds[0]);
            _exit(child_alloc(f->db, jails[i], lo, hi, fds[1]));
        }
    }
    close(fds[1]);
    uint32_t got[NPROC * PER_PROC + 1];
    size_t n = 0;
    ssize_t r;
    while (n < BRIG_ARRAY_SIZE(got) &&
           (r = read(fds[0], (char *)got + n * sizeof(uint32_t), sizeof(uint32_t))) > 0)
        n += (size_t)r / sizeof(uint32_t);
    close(fds[0]);
    for (int i = 0; i < NPROC; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(n, NPROC * PER_PROC);
    qsort(got, n, sizeof(got[0]), cmp_u32);
    for (size_t i = 0; i < n; i++) {
        /* all distinct, and with nothing else in the pool they are exactly the lowest 200 */
        assert_int_equal(got[i], lo + i);
    }

    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT COUNT(*), COUNT(DISTINCT addr), COUNT(DISTINCT "
                                        "jail_id) FROM ipam WHERE kind = 'dhcp'",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), NPROC * PER_PROC);
    assert_int_equal(sqlite3_column_int(s, 1), NPROC * PER_PROC);
    assert_int_equal(sqlite3_column_int(s, 2), NPROC);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* Through jcreate: a /30 pool holds the gateway and one jail. */
static void test_jcreate_dhcp_exhaustion_and_static_conflict(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_ctx c;
    _cleanup_free_ char *wd = brig_xasprintf("%s/wd", f->dir);
    brig_ctx_init(&c, wd, BRIG_K_LINUX);
    /* the jail's id range is registered in files of the test's own */
    _cleanup_free_ char *subuid = brig_xasprintf("%s/subuid", f->dir);
    _cleanup_free_ char *subgid = brig_xasprintf("%s/subgid", f->dir);
    const char *const subids[2] = {subuid, subgid};
    c.subid_files = subids;
    struct brig_kvlist settings = {0};
    brig_kvlist_add(&settings, "nodeippool", "10.9.0.0/30", 0);
    brig_kvlist_add(&settings, "nodename", "testnode", 0);
    if (brig_initenv(&c, &settings, &err) < 0)
        fail_msg("initenv: %s", err.msg);
    brig_kvlist_free(&settings);

    struct brig_kvlist args = {0};
    struct brig_jail j = {0};
    brig_kvlist_add(&args, "jname", "ja", 0);
    if (brig_jcreate(&c, &args, &j, &err) < 0)
        fail_msg("jcreate ja: %s", err.msg);
    assert_string_equal(j.v[BRIG_P_IP4_ADDR], "10.9.0.2/30");
    brig_jail_clear(&j);
    brig_kvlist_free(&args);

    brig_kvlist_add(&args, "jname", "jb", 0);
    assert_int_equal(brig_jcreate(&c, &args, &j, &err), -1);
    assert_int_equal(err.code, BRIG_EFAIL);
    assert_string_equal(err.msg,
                        "jb: ip4_addr=DHCP from 10.9.0.0/30: the address pool is exhausted");
    brig_kvlist_free(&args);

    brig_kvlist_add(&args, "jname", "jc", 0);
    brig_kvlist_add(&args, "ip4_addr", "10.9.0.2/30", 0);
    assert_int_equal(brig_jcreate(&c, &args, &j, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "jc: ip4_addr: address 10.9.0.2 is already used by jail ja");
    brig_kvlist_free(&args);

    /* neither failure left a record behind */
    assert_int_equal(brig_jget(&c, "jb", &j, &err), -1);
    assert_int_equal(brig_jget(&c, "jc", &j, &err), -1);
    assert_string_equal(err.msg, "jc: no such jail");
    brig_ctx_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alloc_gives_the_lowest_free_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_released_addresses_are_reused_lowest_first, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_release_of_one_nic_keeps_the_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exhausted_pool_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_conflict_names_the_jail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_allocation_hands_out_distinct_addresses,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_jcreate_dhcp_exhaustion_and_static_conflict, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
