/* The state store: creation (WAL, schema version), migrations from older
 * databases, refusal of newer ones, and the jail, NIC, runtime, journal and
 * node tables. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util.h"

struct fixture {
    char dir[64];
    char *db;
    struct brig_store *st;
};

static int setup(void **state)
{
    struct fixture *f = brig_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/brig-test-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->db = brig_xasprintf("%s/local.sqlite", f->dir);
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

static struct brig_store *open_new(struct fixture *f)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_store_open(f->db, true, &f->st, &err) < 0)
        fail_msg("open: %s", err.msg);
    return f->st;
}

/* Run SQL on the database file through a separate raw connection. */
static void raw_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("sql: %s", msg);
    sqlite3_close(db);
}

/* The first column of the first row of a query, as text (caller frees). */
static char *raw_query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    char *out = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        out = brig_xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

static bool has_column(const char *path, const char *table, const char *col)
{
    _cleanup_free_ char *sql =
        brig_xasprintf("SELECT name FROM pragma_table_info('%s') WHERE name = '%s'", table, col);
    _cleanup_free_ char *v = raw_query(path, sql);
    return v != NULL;
}

/* A complete jail record named jname. */
static void make_jail(struct brig_jail *j, const char *jname)
{
    memset(j, 0, sizeof(*j));
    brig_jail_set(j, BRIG_P_JNAME, jname);
    brig_jail_fill_defaults(j, "/w", BRIG_K_LINUX);
}

static int64_t insert_jail(struct brig_store *st, const char *jname)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail j;
    make_jail(&j, jname);
    if (brig_store_jail_insert(st, &j, &err) < 0)
        fail_msg("insert %s: %s", jname, err.msg);
    int64_t id = j.id;
    brig_jail_clear(&j);
    return id;
}

static void test_open_without_create_needs_initenv(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_store *st = NULL;
    assert_int_equal(brig_store_open(f->db, false, &st, &err), -1);
    assert_null(st);
    assert_int_equal(err.code, BRIG_EFAIL);
    _cleanup_free_ char *want =
        brig_xasprintf("no database at %s: run 'brig initenv' first", f->db);
    assert_string_equal(err.msg, want);
    assert_false(brig_path_exists(f->db));
}

static void test_create_makes_a_wal_database_at_the_current_version(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    assert_int_equal(brig_store_version(st), BRIG_STORE_VERSION);
    _cleanup_free_ char *mode = raw_query(f->db, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    _cleanup_free_ char *uv = raw_query(f->db, "PRAGMA user_version");
    char want[16];
    snprintf(want, sizeof(want), "%d", BRIG_STORE_VERSION);
    assert_string_equal(uv, want);
    for (int i = 0; i < BRIG_P__COUNT; i++)
        assert_true(has_column(f->db, "jails", brig_params[i].name));
    assert_true(has_column(f->db, "jailnic", "hwaddr"));
    assert_true(has_column(f->db, "ipam", "v4"));

    /* reopening an existing database keeps its data and needs no create */
    insert_jail(st, "keep");
    brig_store_close(st);
    f->st = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_store_open(f->db, false, &f->st, &err), 0);
    struct brig_jail j = {0};
    assert_int_equal(brig_store_jail_get(f->st, "keep", &j, &err), 0);
    brig_jail_clear(&j);
}

static void test_version_1_database_gains_missing_parameter_columns(void **state)
{
    struct fixture *f = *state;
    /* the first schema as an older brig wrote it, before cpuset, openfiles,
     * memoryuse and emulator existed */
    raw_sql(f->db, "CREATE TABLE node (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                   "CREATE TABLE jails (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                   " jname TEXT NOT NULL UNIQUE, created INTEGER NOT NULL DEFAULT 0,"
                   " host_hostname TEXT, path TEXT, data TEXT, base TEXT, baserw TEXT,"
                   " ip4_addr TEXT, vnet TEXT, interface TEXT, ci_gw4 TEXT, nic_hwaddr TEXT,"
                   " devfs_ruleset TEXT, exec_start TEXT, exec_stop TEXT);"
                   "CREATE TABLE jailnic (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                   " jail_id INTEGER NOT NULL REFERENCES jails(id) ON DELETE CASCADE,"
                   " idx INTEGER NOT NULL, parent TEXT NOT NULL, hwaddr TEXT NOT NULL,"
                   " mtu INTEGER NOT NULL DEFAULT 0, addrs TEXT NOT NULL DEFAULT '0',"
                   " gw4 TEXT NOT NULL DEFAULT 'auto', UNIQUE (jail_id, idx));"
                   "CREATE TABLE ipam (addr TEXT PRIMARY KEY, v4 INTEGER,"
                   " jail_id INTEGER NOT NULL REFERENCES jails(id) ON DELETE CASCADE,"
                   " nic_idx INTEGER NOT NULL, kind TEXT NOT NULL);"
                   "CREATE TABLE runtime (jail_id INTEGER PRIMARY KEY"
                   " REFERENCES jails(id) ON DELETE CASCADE, pid INTEGER NOT NULL,"
                   " starttime INTEGER NOT NULL);"
                   "CREATE TABLE journal (jail_id INTEGER PRIMARY KEY, op TEXT NOT NULL,"
                   " step INTEGER NOT NULL, pid INTEGER NOT NULL, starttime INTEGER NOT NULL);"
                   "INSERT INTO jails (jname, host_hostname, path, data, ip4_addr, vnet)"
                   " VALUES ('old', 'old.example', '/w/jails/old', '/w/jails-data/old-data',"
                   " '10.0.0.9/24', '0');"
                   "PRAGMA user_version = 1;");
    assert_false(has_column(f->db, "jails", "cpuset"));
    assert_false(has_column(f->db, "jails", "emulator"));

    struct brig_store *st = open_new(f);
    assert_int_equal(brig_store_version(st), BRIG_STORE_VERSION);
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (!has_column(f->db, "jails", brig_params[i].name))
            fail_msg("column %s was not added", brig_params[i].name);
    }

    /* the old row survives; its new columns are unset and can be filled */
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail j = {0};
    assert_int_equal(brig_store_jail_get(st, "old", &j, &err), 0);
    assert_string_equal(j.v[BRIG_P_HOST_HOSTNAME], "old.example");
    assert_string_equal(j.v[BRIG_P_IP4_ADDR], "10.0.0.9/24");
    assert_null(j.v[BRIG_P_CPUSET]);
    assert_null(j.v[BRIG_P_EMULATOR]);
    /* its files belong to host ids: it stays a privileged jail, with no id range */
    assert_string_equal(j.v[BRIG_P_USERNS], "0");
    assert_int_equal(j.idmap, 0);
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    assert_int_equal(brig_store_jail_update(st, &j, &err), 0);
    brig_jail_clear(&j);
    assert_int_equal(brig_store_jail_get(st, "old", &j, &err), 0);
    assert_string_equal(j.v[BRIG_P_CPUSET], "0");
    assert_string_equal(j.v[BRIG_P_EMULATOR], "jail");
    assert_string_equal(j.v[BRIG_P_HOST_HOSTNAME], "old.example");
    brig_jail_clear(&j);

    /* migrating again is a no-op */
    brig_store_close(st);
    f->st = NULL;
    st = open_new(f);
    assert_int_equal(brig_store_version(st), BRIG_STORE_VERSION);
}

static void test_newer_database_is_refused_and_left_alone(void **state)
{
    struct fixture *f = *state;
    raw_sql(f->db, "CREATE TABLE future (x); PRAGMA user_version = 99;");
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_store *st = NULL;
    assert_int_equal(brig_store_open(f->db, true, &st, &err), -1);
    assert_null(st);
    assert_int_equal(err.code, BRIG_EFAIL);
    char want[64];
    snprintf(want, sizeof(want), "database schema 99 is newer than this brig (%d): upgrade brig",
             BRIG_STORE_VERSION);
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, f->db));
    assert_null(strchr(err.msg, '\n'));
    _cleanup_free_ char *uv = raw_query(f->db, "PRAGMA user_version");
    assert_string_equal(uv, "99");
    assert_false(has_column(f->db, "jails", "jname"));
}

static void test_jail_insert_get_update_delete(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_jail j;
    make_jail(&j, "web1");
    brig_jail_set(&j, BRIG_P_EXEC_START, "echo \"it's $HOME\"\n\ttab 🐎");
    assert_int_equal(brig_store_jail_insert(st, &j, &err), 0);
    assert_true(j.id > 0);

    struct brig_jail got = {0};
    assert_int_equal(brig_store_jail_get(st, "web1", &got, &err), 0);
    assert_int_equal(got.id, j.id);
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (j.v[i])
            assert_string_equal(got.v[i], j.v[i]);
        else
            assert_null(got.v[i]); /* a VM's parameter of a jail */
    }
    brig_jail_clear(&got);

    brig_jail_set(&j, BRIG_P_IP4_ADDR, "10.0.0.7/24");
    brig_jail_set(&j, BRIG_P_MEMORYUSE, "1g");
    assert_int_equal(brig_store_jail_update(st, &j, &err), 0);
    assert_int_equal(brig_store_jail_get(st, "web1", &got, &err), 0);
    assert_string_equal(got.v[BRIG_P_IP4_ADDR], "10.0.0.7/24");
    assert_string_equal(got.v[BRIG_P_MEMORYUSE], "1g");
    brig_jail_clear(&got);

    assert_int_equal(brig_store_jail_delete(st, j.id, &err), 0);
    assert_int_equal(brig_store_jail_get(st, "web1", &got, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "no such jail");
    /* deleting what is gone is not an error */
    assert_int_equal(brig_store_jail_delete(st, j.id, &err), 0);
    brig_jail_clear(&j);
}

static void test_duplicate_jail_name_is_refused(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    int64_t id = insert_jail(st, "web1");
    struct brig_jail j;
    make_jail(&j, "web1");
    assert_int_equal(brig_store_jail_insert(st, &j, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "a jail named 'web1' already exists");
    brig_jail_clear(&j);
    /* names differ by case are different jails */
    assert_true(insert_jail(st, "WEB1") > id);
}

struct listing {
    char **names;
    char **ips;
    int64_t pids[16];
    uint64_t inos[16];
    size_t n;
    int stop_after;
};

static int collect(const struct brig_jail_row *row, void *ud)
{
    struct listing *l = ud;
    if (l->stop_after && (int)l->n == l->stop_after)
        return -1;
    brig_strv_push(&l->names, row->v[0]);
    brig_strv_push(&l->ips, row->v[1]);
    l->inos[l->n] = row->pidfs_ino;
    l->pids[l->n++] = row->pid;
    return 0;
}

static void test_jail_list_names_and_globs(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    int64_t b = insert_jail(st, "web-b");
    insert_jail(st, "web-a");
    insert_jail(st, "db1");
    assert_int_equal(
        brig_store_runtime_set(st, b, &(struct brig_runtime){4242, 777, 1ULL << 40}, &err), 0);

    const enum brig_param_id cols[] = {BRIG_P_JNAME, BRIG_P_IP4_ADDR};
    struct listing l = {0};
    assert_int_equal(brig_store_jail_list(st, cols, 2, collect, &l, &err), 0);
    assert_int_equal(l.n, 3);
    /* in creation order, with runtime joined */
    assert_string_equal(l.names[0], "web-b");
    assert_string_equal(l.names[1], "web-a");
    assert_string_equal(l.names[2], "db1");
    assert_string_equal(l.ips[0], "DHCP");
    assert_int_equal(l.pids[0], 4242);
    assert_true(l.inos[0] == 1ULL << 40);
    assert_int_equal(l.pids[1], 0);
    assert_true(l.inos[1] == 0);
    brig_strv_free(l.names);
    brig_strv_free(l.ips);

    struct listing stop = {.stop_after = 1};
    assert_int_equal(brig_store_jail_list(st, cols, 2, collect, &stop, &err), -1);
    assert_string_equal(err.msg, "listing stopped");
    brig_strv_free(stop.names);
    brig_strv_free(stop.ips);

    char **names = NULL;
    assert_int_equal(brig_store_jail_names(st, NULL, &names, &err), 0);
    assert_int_equal(brig_strv_len(names), 3);
    assert_string_equal(names[0], "db1");
    assert_string_equal(names[1], "web-a");
    assert_string_equal(names[2], "web-b");
    brig_strv_free(names);
    assert_int_equal(brig_store_jail_names(st, "web*", &names, &err), 0);
    assert_int_equal(brig_strv_len(names), 2);
    assert_string_equal(names[0], "web-a");
    brig_strv_free(names);
    assert_int_equal(brig_store_jail_names(st, "nomatch*", &names, &err), 0);
    assert_non_null(names);
    assert_int_equal(brig_strv_len(names), 0);
    brig_strv_free(names);
}

static void test_transaction_rollback_discards_changes(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_store_begin(st, &err), 0);
    insert_jail(st, "gone");
    brig_store_rollback(st);
    struct brig_jail j = {0};
    assert_int_equal(brig_store_jail_get(st, "gone", &j, &err), -1);
    assert_int_equal(brig_store_begin(st, &err), 0);
    insert_jail(st, "kept");
    assert_int_equal(brig_store_commit(st, &err), 0);
    assert_int_equal(brig_store_jail_get(st, "kept", &j, &err), 0);
    brig_jail_clear(&j);
    /* rollback outside a transaction is harmless */
    brig_store_rollback(st);
}

static void test_nic_rows_ordered_unique_and_removed_with_the_jail(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    int64_t id = insert_jail(st, "v1");
    char br1[] = "br1", br2[] = "br2", br9[] = "br9", mac[] = "02:00:00:00:00:11";
    char addrs[] = "10.1.0.5/24", gw[] = "0";
    struct brig_nic n1 = {.jail_id = id,
                          .idx = 1,
                          .parent = br1,
                          .hwaddr = mac,
                          .mtu = 9000,
                          .addrs = addrs,
                          .gw4 = gw};
    struct brig_nic n0 = {.jail_id = id, .idx = 0}; /* NULL fields take defaults */
    assert_int_equal(brig_store_nic_insert(st, &n1, &err), 0);
    assert_int_equal(brig_store_nic_insert(st, &n0, &err), 0);
    assert_true(n0.id > n1.id);

    struct brig_nic dup = {.jail_id = id, .idx = 1, .parent = br2};
    assert_int_equal(brig_store_nic_insert(st, &dup, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "eth1 already exists");

    struct brig_nic *nics = NULL;
    size_t n = 0;
    assert_int_equal(brig_store_nic_list(st, id, &nics, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(nics[0].idx, 0);
    assert_string_equal(nics[0].parent, "auto");
    assert_string_equal(nics[0].hwaddr, "0");
    assert_string_equal(nics[0].addrs, "0");
    assert_string_equal(nics[0].gw4, "auto");
    assert_int_equal(nics[0].mtu, 0);
    assert_int_equal(nics[1].idx, 1);
    assert_string_equal(nics[1].parent, "br1");
    assert_string_equal(nics[1].hwaddr, "02:00:00:00:00:11");
    assert_int_equal(nics[1].mtu, 9000);
    assert_string_equal(nics[1].addrs, "10.1.0.5/24");
    assert_string_equal(nics[1].gw4, "0");
    assert_int_equal(nics[1].jail_id, id);
    brig_nics_free(nics, n);

    n1.parent = br9;
    n1.mtu = 1400;
    assert_int_equal(brig_store_nic_update(st, &n1, &err), 0);
    assert_int_equal(brig_store_nic_delete(st, id, 0, &err), 0);
    assert_int_equal(brig_store_nic_list(st, id, &nics, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(nics[0].parent, "br9");
    assert_int_equal(nics[0].mtu, 1400);
    brig_nics_free(nics, n);

    assert_int_equal(brig_store_jail_delete(st, id, &err), 0);
    assert_int_equal(brig_store_nic_list(st, id, &nics, &n, &err), 0);
    assert_int_equal(n, 0);
    brig_nics_free(nics, n);

    /* a NIC needs an existing jail */
    struct brig_nic orphan = {.jail_id = 9999, .idx = 0};
    assert_int_equal(brig_store_nic_insert(st, &orphan, &err), -1);
}

static void test_runtime_records_pid_and_start_time(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    int64_t id = insert_jail(st, "r1");
    struct brig_runtime rt = {-1, -1, 1};
    assert_int_equal(brig_store_runtime_get(st, id, &rt, &err), 0);
    assert_int_equal(rt.pid, 0);
    assert_int_equal(rt.starttime, 0);
    assert_true(rt.pidfs_ino == 0);
    assert_int_equal(
        brig_store_runtime_set(st, id, &(struct brig_runtime){1234, 5678901234, 9}, &err), 0);
    assert_int_equal(
        brig_store_runtime_set(st, id, &(struct brig_runtime){1235, 5678901235, 1ULL << 33}, &err),
        0);
    assert_int_equal(brig_store_runtime_get(st, id, &rt, &err), 0);
    assert_int_equal(rt.pid, 1235);
    assert_int_equal(rt.starttime, 5678901235);
    assert_true(rt.pidfs_ino == 1ULL << 33);
    assert_int_equal(brig_store_runtime_clear(st, id, &err), 0);
    assert_int_equal(brig_store_runtime_get(st, id, &rt, &err), 0);
    assert_int_equal(rt.pid, 0);
    assert_int_equal(brig_store_runtime_set(st, id, &(struct brig_runtime){77, 88, 0}, &err), 0);
    assert_int_equal(brig_store_jail_delete(st, id, &err), 0);
    assert_int_equal(brig_store_runtime_get(st, id, &rt, &err), 0);
    assert_int_equal(rt.pid, 0);
}

static void test_journal_set_get_list_clear(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    int64_t a = insert_jail(st, "ja"), b = insert_jail(st, "jb");
    struct brig_journal j = {.jail_id = b, .op = "jstart", .step = 3, .pid = 99, .starttime = 42};
    bool found = true;
    struct brig_journal got;
    assert_int_equal(brig_store_journal_get(st, a, &got, &found, &err), 0);
    assert_false(found);
    assert_int_equal(brig_store_journal_set(st, &j, &err), 0);
    j.step = 4;
    assert_int_equal(brig_store_journal_set(st, &j, &err), 0);
    struct brig_journal ja = {.jail_id = a, .op = "jstop", .step = 1, .pid = 7, .starttime = 8};
    assert_int_equal(brig_store_journal_set(st, &ja, &err), 0);
    assert_int_equal(brig_store_journal_get(st, b, &got, &found, &err), 0);
    assert_true(found);
    assert_string_equal(got.op, "jstart");
    assert_int_equal(got.step, 4);
    assert_int_equal(got.pid, 99);
    assert_int_equal(got.starttime, 42);

    struct brig_journal *all = NULL;
    size_t n = 0;
    assert_int_equal(brig_store_journal_list(st, &all, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(all[0].jail_id, a);
    assert_string_equal(all[0].op, "jstop");
    assert_int_equal(all[1].jail_id, b);
    free(all);

    assert_int_equal(brig_store_journal_clear(st, b, &err), 0);
    assert_int_equal(brig_store_journal_get(st, b, &got, &found, &err), 0);
    assert_false(found);
    /* removing the jail removes its journal entry */
    assert_int_equal(brig_store_jail_delete(st, a, &err), 0);
    assert_int_equal(brig_store_journal_list(st, &all, &n, &err), 0);
    assert_int_equal(n, 0);
    free(all);
}

static void test_node_facts_set_get_overwrite(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    char unset[] = "unset", *v = unset;
    assert_int_equal(brig_store_node_get(st, "vimage_feature", &v, &err), 0);
    assert_null(v);
    assert_int_equal(brig_store_node_set(st, "vimage_feature", "1", &err), 0);
    assert_int_equal(brig_store_node_set(st, "vimage_feature", "0", &err), 0);
    assert_int_equal(brig_store_node_get(st, "vimage_feature", &v, &err), 0);
    assert_string_equal(v, "0");
    free(v);
}

static void test_fstab_rows_by_dst_unique_and_removed_with_the_jail(void **state)
{
    struct fixture *f = *state;
    struct brig_store *st = open_new(f);
    struct brig_err err = BRIG_ERR_INIT;
    int64_t id = insert_jail(st, "f1");
    char src[] = "/srv/a", d1[] = "/usr/home", d2[] = "/opt", ty[] = "nullfs", rw[] = "rw",
         ro[] = "ro";
    struct brig_fstab a = {.src = src, .dst = d1, .type = ty, .options = rw};
    struct brig_fstab b = {.src = src, .dst = d2, .type = ty, .options = ro};
    assert_int_equal(brig_store_fstab_insert(st, id, &a, &err), 0);
    assert_int_equal(brig_store_fstab_insert(st, id, &b, &err), 0);
    assert_int_equal(brig_store_fstab_insert(st, id, &a, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "/usr/home is already mounted from the host");
    struct brig_fstab *v = NULL;
    size_t n = 0;
    assert_int_equal(brig_store_fstab_list(st, id, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].dst, "/opt");
    assert_string_equal(v[0].options, "ro");
    assert_string_equal(v[1].dst, "/usr/home");
    assert_string_equal(v[1].src, "/srv/a");
    brig_fstabs_free(v, n);
    bool found = false;
    assert_int_equal(brig_store_fstab_delete(st, id, "/opt", &found, &err), 0);
    assert_true(found);
    assert_int_equal(brig_store_fstab_delete(st, id, "/opt", &found, &err), 0);
    assert_false(found);
    assert_int_equal(brig_store_jail_delete(st, id, &err), 0);
    _cleanup_free_ char *left = raw_query(f->db, "SELECT count(*) FROM jailfstab");
    assert_string_equal(left, "0");
}

static void test_version_6_database_gains_the_fstab_table(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    brig_store_close(open_new(f));
    f->st = NULL;
    raw_sql(f->db, "DROP TABLE jailfstab; DROP TABLE expose; "
                   "ALTER TABLE runtime DROP COLUMN pidfs_ino; PRAGMA user_version = 6;");
    assert_int_equal(brig_store_open(f->db, true, &f->st, &err), 0);
    assert_int_equal(brig_store_version(f->st), BRIG_STORE_VERSION);
    assert_true(has_column(f->db, "jailfstab", "dst"));
}

static void test_version_7_database_gains_port_forwards_and_depend(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    brig_store_close(open_new(f));
    f->st = NULL;
    raw_sql(f->db, "DROP TABLE expose; ALTER TABLE jails DROP COLUMN depend; "
                   "ALTER TABLE runtime DROP COLUMN pidfs_ino; PRAGMA user_version = 7;");
    assert_false(has_column(f->db, "jails", "depend"));
    assert_int_equal(brig_store_open(f->db, true, &f->st, &err), 0);
    assert_int_equal(brig_store_version(f->st), BRIG_STORE_VERSION);
    assert_true(has_column(f->db, "expose", "pin"));
    assert_true(has_column(f->db, "jails", "depend"));
}

static void test_version_8_database_keeps_running_jails_and_gains_the_pidfs_inode(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_store *st = open_new(f);
    int64_t id = insert_jail(st, "r8");
    brig_store_close(st);
    f->st = NULL;
    _cleanup_free_ char *sql =
        brig_xasprintf("ALTER TABLE runtime DROP COLUMN pidfs_ino;"
                       "INSERT INTO runtime (jail_id, pid, starttime) VALUES (%lld, 4321, 999);"
                       "PRAGMA user_version = 8;",
                       (long long)id);
    raw_sql(f->db, sql);
    assert_int_equal(brig_store_open(f->db, true, &f->st, &err), 0);
    assert_int_equal(brig_store_version(f->st), BRIG_STORE_VERSION);
    struct brig_runtime rt = {0};
    assert_int_equal(brig_store_runtime_get(f->st, id, &rt, &err), 0);
    assert_int_equal(rt.pid, 4321);
    assert_int_equal(rt.starttime, 999);
    /* unknown: liveness falls back to the start time */
    assert_true(rt.pidfs_ino == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_without_create_needs_initenv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_makes_a_wal_database_at_the_current_version,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_1_database_gains_missing_parameter_columns,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_is_refused_and_left_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_jail_insert_get_update_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_jail_name_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jail_list_names_and_globs, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_version_8_database_keeps_running_jails_and_gains_the_pidfs_inode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_rollback_discards_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nic_rows_ordered_unique_and_removed_with_the_jail,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_runtime_records_pid_and_start_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_set_get_list_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_facts_set_get_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fstab_rows_by_dst_unique_and_removed_with_the_jail,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_7_database_gains_port_forwards_and_depend,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_6_database_gains_the_fstab_table, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
