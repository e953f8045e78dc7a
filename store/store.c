#define _GNU_SOURCE
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct brig_store {
    sqlite3 *db;
};

static int db_fail(struct brig_store *st, struct brig_err *err, const char *what)
{
    return brig_err_set(err, BRIG_EFAIL, "database: %s: %s", what, sqlite3_errmsg(st->db));
}

static int exec_sql(struct brig_store *st, const char *sql, struct brig_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        brig_err_set(err, BRIG_EFAIL, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int prepare(struct brig_store *st, const char *sql, sqlite3_stmt **ret, struct brig_err *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, ret, NULL) != SQLITE_OK)
        return db_fail(st, err, "prepare");
    return 0;
}

static void finalizep(sqlite3_stmt **s)
{
    sqlite3_finalize(*s);
}
#define _cleanup_stmt_ __attribute__((cleanup(finalizep)))

/* Migration 1: the first schema, with one jail column per parameter. */
static int migrate_1(struct brig_store *st, struct brig_err *err)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "CREATE TABLE node (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     "CREATE TABLE jails (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                     " jname TEXT NOT NULL UNIQUE, created INTEGER NOT NULL DEFAULT 0");
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (i != BRIG_P_JNAME)
            brig_buf_addf(&b, ", %s TEXT", brig_params[i].name);
    }
    brig_buf_add(&b, ");"
                     "CREATE TABLE jailnic (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                     " jail_id INTEGER NOT NULL REFERENCES jails(id) ON DELETE CASCADE,"
                     " idx INTEGER NOT NULL, parent TEXT NOT NULL, hwaddr TEXT NOT NULL,"
                     " mtu INTEGER NOT NULL DEFAULT 0, addrs TEXT NOT NULL DEFAULT '0',"
                     " gw4 TEXT NOT NULL DEFAULT 'auto', UNIQUE (jail_id, idx));"
                     "CREATE TABLE ipam (addr TEXT PRIMARY KEY, v4 INTEGER,"
                     " jail_id INTEGER NOT NULL REFERENCES jails(id) ON DELETE CASCADE,"
                     " nic_idx INTEGER NOT NULL, kind TEXT NOT NULL);"
                     "CREATE INDEX ipam_v4 ON ipam (v4);"
                     "CREATE INDEX ipam_jail ON ipam (jail_id);"
                     "CREATE TABLE runtime (jail_id INTEGER PRIMARY KEY"
                     " REFERENCES jails(id) ON DELETE CASCADE, pid INTEGER NOT NULL,"
                     " starttime INTEGER NOT NULL);"
                     "CREATE TABLE journal (jail_id INTEGER PRIMARY KEY, op TEXT NOT NULL,"
                     " step INTEGER NOT NULL, pid INTEGER NOT NULL, starttime INTEGER NOT NULL);");
    int r = exec_sql(st, b.s, err);
    brig_buf_free(&b);
    return r;
}

/* Add a column for every parameter the jails table lacks: parameters added to
 * the table after a database was created get their column this way. */
static int migrate_param_columns(struct brig_store *st, struct brig_err *err)
{
    bool have[BRIG_P__COUNT] = {false};
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "PRAGMA table_info(jails)", &s, err) < 0)
        return -1;
    while (sqlite3_step(s) == SQLITE_ROW) {
        enum brig_param_id id;
        if (brig_param_find((const char *)sqlite3_column_text(s, 1), &id))
            have[id] = true;
    }
    have[BRIG_P_JNAME] = true;
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (have[i])
            continue;
        _cleanup_free_ char *sql =
            brig_xasprintf("ALTER TABLE jails ADD COLUMN %s TEXT", brig_params[i].name);
        if (exec_sql(st, sql, err) < 0)
            return -1;
    }
    return 0;
}

/* Migration 3: a per-pool lower bound of free addresses, so allocation does
 * not walk every used address. Every address in [lo, next) is in use. */
static int migrate_ipam_hint(struct brig_store *st, struct brig_err *err)
{
    return exec_sql(st, "CREATE TABLE ipam_hint (lo INTEGER PRIMARY KEY, next INTEGER NOT NULL);",
                    err);
}

/* Migration 4: unprivileged jails. Each jail's id range (its first host id;
 * NULL for a privileged jail), unique; jails made before stay privileged
 * (userns=0), since their files belong to host ids. */
static int migrate_idmap(struct brig_store *st, struct brig_err *err)
{
    if (migrate_param_columns(st, err) < 0)
        return -1;
    return exec_sql(st,
                    "ALTER TABLE jails ADD COLUMN idmap INTEGER;"
                    "CREATE UNIQUE INDEX jails_idmap ON jails (idmap) WHERE idmap IS NOT NULL;"
                    "UPDATE jails SET userns = '0' WHERE userns IS NULL;",
                    err);
}

/* Migration 5: nic_filter, per NIC (jailnic.filter, 1 for the NICs there are)
 * and as the jail parameter NIC 0 mirrors. */
static int migrate_nic_filter(struct brig_store *st, struct brig_err *err)
{
    if (exec_sql(st, "ALTER TABLE jailnic ADD COLUMN filter INTEGER NOT NULL DEFAULT 1;", err) < 0)
        return -1;
    return migrate_param_columns(st, err);
}

/* Migration 7: host directories mounted in jails (jfstab), one row per
 * line of the jail's fstab; a jail's dst is unique. */
static int migrate_fstab(struct brig_store *st, struct brig_err *err)
{
    return exec_sql(st,
                    "CREATE TABLE jailfstab (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    " jail_id INTEGER NOT NULL REFERENCES jails(id) ON DELETE CASCADE,"
                    " src TEXT NOT NULL, dst TEXT NOT NULL, type TEXT NOT NULL,"
                    " options TEXT NOT NULL, UNIQUE (jail_id, dst));",
                    err);
}

/* Migration 8: port forwards (expose), one row per forward; one host port
 * and protocol per host address ("" standing for every address); and the
 * column of depend. */
static int migrate_expose(struct brig_store *st, struct brig_err *err)
{
    if (migrate_param_columns(st, err) < 0)
        return -1;
    return exec_sql(st,
                    "CREATE TABLE expose (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    " jail_id INTEGER NOT NULL REFERENCES jails(id) ON DELETE CASCADE,"
                    " proto TEXT NOT NULL, pin INTEGER NOT NULL, pout INTEGER NOT NULL,"
                    " inaddr TEXT NOT NULL DEFAULT '', UNIQUE (proto, pin, inaddr));"
                    "CREATE INDEX expose_jail ON expose (jail_id);",
                    err);
}

/* The init's pidfs inode, so liveness is checked through a pidfd. */
static int migrate_pidfs_ino(struct brig_store *st, struct brig_err *err)
{
    return exec_sql(st, "ALTER TABLE runtime ADD COLUMN pidfs_ino INTEGER NOT NULL DEFAULT 0", err);
}

static int (*const migrations[BRIG_STORE_VERSION])(struct brig_store *, struct brig_err *) = {
    migrate_1,
    migrate_param_columns,
    migrate_ipam_hint,
    migrate_idmap,
    migrate_nic_filter,
    /* 6: exec_init and stop_signal */
    migrate_param_columns,
    migrate_fstab,
    /* 8: expose and depend */
    migrate_expose,
    /* 9: the init's pidfs inode */
    migrate_pidfs_ino,
    /* 10: exec_env, exec_cwd, exec_user */
    migrate_param_columns,
    /* 11: console_log_size */
    migrate_param_columns,
    /* 12: the parameters of VMs */
    migrate_param_columns,
    /* 13: vm_os_profile */
    migrate_param_columns,
};

int brig_store_version(struct brig_store *st)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "PRAGMA user_version", &s, NULL) < 0 || sqlite3_step(s) != SQLITE_ROW)
        return -1;
    return sqlite3_column_int(s, 0);
}

static int migrate(struct brig_store *st, struct brig_err *err)
{
    if (brig_store_begin(st, err) < 0)
        return -1;
    int v = brig_store_version(st);
    if (v > BRIG_STORE_VERSION) {
        brig_store_rollback(st);
        return brig_err_set(err, BRIG_EFAIL,
                            "database schema %d is newer than this brig (%d): upgrade brig", v,
                            BRIG_STORE_VERSION);
    }
    for (; v < BRIG_STORE_VERSION; v++) {
        if (migrations[v](st, err) < 0) {
            brig_store_rollback(st);
            return brig_err_wrap(err, "migration to schema %d", v + 1);
        }
    }
    _cleanup_free_ char *sql = brig_xasprintf("PRAGMA user_version = %d", BRIG_STORE_VERSION);
    if (exec_sql(st, sql, err) < 0) {
        brig_store_rollback(st);
        return -1;
    }
    return brig_store_commit(st, err);
}

#define WAL_CHECKPOINT_FRAMES 64

/* After a commit: once the WAL holds WAL_CHECKPOINT_FRAMES frames, copy them into
 * the database and truncate it. With a WAL kept between processes, SQLite's own
 * passive checkpoints copy the frames but the log never restarts, so it would grow
 * without bound. Every brig process rebuilds its index of the WAL by reading all
 * of it when it opens the store (~0.1 ms per 100 frames here), so the log is
 * kept short: 64 frames measured faster on average than 16 or 1,000. A reader
 * in another brig makes the truncation wait at most 100 ms; a failed attempt
 * is tried again after the next commit. */
static int wal_checkpoint_hook(void *ud, sqlite3 *db, const char *name, int frames)
{
    (void)ud;
    if (frames < WAL_CHECKPOINT_FRAMES)
        return SQLITE_OK;
    sqlite3_busy_timeout(db, 100);
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(db, 30000);
    return SQLITE_OK;
}

int brig_store_open(const char *path, bool create, struct brig_store **ret, struct brig_err *err)
{
    struct brig_store *st = brig_xcalloc(1, sizeof(*st));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (!create && !brig_path_exists(path)) {
        free(st);
        return brig_err_set(err, BRIG_EFAIL, "no database at %s: run 'brig initenv' first", path);
    }
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        brig_err_set(err, BRIG_EFAIL, "open database %s: %s", path,
                     st->db ? sqlite3_errmsg(st->db) : "out of memory");
        brig_store_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, 30000);
    /* keep the WAL between brig processes: creating, syncing and checkpointing it
     * on every command costs more than most commands do; wal_checkpoint_hook keeps
     * it from growing instead */
    int on = 1;
    sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
    sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_wal_hook(st->db, wal_checkpoint_hook, NULL);
    /* mapped, a scan of every jail reads the page cache in place instead of a
     * pread and a copy per page (the jail's init unmaps it: drop_shared_mappings) */
    if (exec_sql(st,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456; "
                 "PRAGMA foreign_keys=ON;",
                 err) < 0) {
        brig_store_close(st);
        return brig_err_wrap(err, "%s", path);
    }
    if (brig_store_version(st) != BRIG_STORE_VERSION && migrate(st, err) < 0) {
        brig_store_close(st);
        return brig_err_wrap(err, "%s", path);
    }
    *ret = st;
    return 0;
}

void brig_store_close(struct brig_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st);
}

int brig_store_begin(struct brig_store *st, struct brig_err *err)
{
    return exec_sql(st, "BEGIN IMMEDIATE", err);
}

int brig_store_commit(struct brig_store *st, struct brig_err *err)
{
    if (exec_sql(st, "COMMIT", err) < 0) {
        brig_store_rollback(st);
        return -1;
    }
    return 0;
}

void brig_store_rollback(struct brig_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int step_done(struct brig_store *st, sqlite3_stmt *s, const char *what, struct brig_err *err)
{
    int r = sqlite3_step(s);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return db_fail(st, err, what);
    return 0;
}

/* Run one statement whose only parameter ?1 is an id. */
static int exec_for_id(struct brig_store *st, const char *sql, int64_t id, const char *what,
                       struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, sql, &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return step_done(st, s, what, err);
}

int brig_store_node_set(struct brig_store *st, const char *key, const char *value,
                        struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "INSERT INTO node (key, value) VALUES (?1, ?2) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    return step_done(st, s, "node set", err);
}

int brig_store_node_get(struct brig_store *st, const char *key, char **ret, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT value FROM node WHERE key = ?1", &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *ret = brig_xstrdup((const char *)sqlite3_column_text(s, 0));
    else if (r == SQLITE_DONE)
        *ret = NULL;
    else
        return db_fail(st, err, "node get");
    return 0;
}

/* "a, b, c" of every parameter column in table order (jname first). */
static const char *all_columns(void)
{
    static char *cols;
    if (!cols) {
        struct brig_buf b = {0};
        for (int i = 0; i < BRIG_P__COUNT; i++)
            brig_buf_addf(&b, "%s%s", i ? ", " : "", brig_params[i].name);
        cols = brig_buf_steal(&b);
    }
    return cols;
}

int brig_store_jail_insert(struct brig_store *st, struct brig_jail *j, struct brig_err *err)
{
    struct brig_buf b = {0};
    brig_buf_addf(&b, "INSERT INTO jails (created, %s) VALUES (strftime('%%s','now')",
                  all_columns());
    for (int i = 0; i < BRIG_P__COUNT; i++)
        brig_buf_addf(&b, ", ?%d", i + 1);
    brig_buf_add(&b, ")");
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    int r = prepare(st, b.s, &s, err);
    brig_buf_free(&b);
    if (r < 0)
        return -1;
    for (int i = 0; i < BRIG_P__COUNT; i++)
        sqlite3_bind_text(s, i + 1, j->v[i], -1, SQLITE_STATIC);
    r = sqlite3_step(s);
    if (r == SQLITE_CONSTRAINT)
        return brig_err_set(err, BRIG_EUSAGE, "a jail named '%s' already exists",
                            j->v[BRIG_P_JNAME]);
    if (r != SQLITE_DONE)
        return db_fail(st, err, "insert jail");
    j->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int brig_store_jail_get(struct brig_store *st, const char *jname, struct brig_jail *ret,
                        struct brig_err *err)
{
    _cleanup_free_ char *sql =
        brig_xasprintf("SELECT id, idmap, %s FROM jails WHERE jname = ?1", all_columns());
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, sql, &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, jname, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE)
        return brig_err_set(err, BRIG_EUSAGE, "no such jail");
    if (r != SQLITE_ROW)
        return db_fail(st, err, "get jail");
    memset(ret, 0, sizeof(*ret));
    ret->id = sqlite3_column_int64(s, 0);
    ret->idmap = (uint32_t)sqlite3_column_int64(s, 1);
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const char *v = (const char *)sqlite3_column_text(s, i + 2);
        ret->v[i] = v ? brig_xstrdup(v) : NULL;
    }
    return 0;
}

int brig_store_jail_update(struct brig_store *st, const struct brig_jail *j, struct brig_err *err)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "UPDATE jails SET ");
    for (int i = 0; i < BRIG_P__COUNT; i++)
        brig_buf_addf(&b, "%s%s = ?%d", i ? ", " : "", brig_params[i].name, i + 1);
    brig_buf_addf(&b, " WHERE id = ?%d", BRIG_P__COUNT + 1);
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    int r = prepare(st, b.s, &s, err);
    brig_buf_free(&b);
    if (r < 0)
        return -1;
    for (int i = 0; i < BRIG_P__COUNT; i++)
        sqlite3_bind_text(s, i + 1, j->v[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, BRIG_P__COUNT + 1, j->id);
    return step_done(st, s, "update jail", err);
}

int brig_store_jail_set_idmap(struct brig_store *st, int64_t id, uint32_t base,
                              struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "UPDATE jails SET idmap = ?1 WHERE id = ?2", &s, err) < 0)
        return -1;
    if (base)
        sqlite3_bind_int64(s, 1, base);
    else
        sqlite3_bind_null(s, 1);
    sqlite3_bind_int64(s, 2, id);
    return step_done(st, s, "set id range", err);
}

int brig_store_idmap_list(struct brig_store *st, uint32_t **ret, size_t *ret_n,
                          struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    *ret = NULL;
    *ret_n = 0;
    if (prepare(st, "SELECT idmap FROM jails WHERE idmap IS NOT NULL", &s, err) < 0)
        return -1;
    size_t n = 0, cap = 0;
    uint32_t *v = NULL;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            v = brig_xrealloc(v, cap * sizeof(*v));
        }
        v[n++] = (uint32_t)sqlite3_column_int64(s, 0);
    }
    if (r != SQLITE_DONE) {
        free(v);
        return db_fail(st, err, "list id ranges");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int brig_store_jail_delete(struct brig_store *st, int64_t id, struct brig_err *err)
{
    if (brig_store_ipam_release(st, id, -1, err) < 0 ||
        exec_for_id(st, "DELETE FROM jails WHERE id = ?1", id, "delete jail", err) < 0)
        return -1;
    return exec_for_id(st, "DELETE FROM journal WHERE jail_id = ?1", id, "delete journal", err);
}

int brig_store_jail_names(struct brig_store *st, const char *glob, char ***ret,
                          struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                glob ? "SELECT jname FROM jails WHERE jname GLOB ?1 ORDER BY jname"
                     : "SELECT jname FROM jails ORDER BY jname",
                &s, err) < 0)
        return -1;
    if (glob)
        sqlite3_bind_text(s, 1, glob, -1, SQLITE_STATIC);
    char **names = NULL;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        brig_strv_push(&names, (const char *)sqlite3_column_text(s, 0));
    if (r != SQLITE_DONE) {
        brig_strv_free(names);
        return db_fail(st, err, "list jails");
    }
    if (!names)
        names = brig_xcalloc(1, sizeof(char *));
    *ret = names;
    return 0;
}

int brig_store_jail_list(struct brig_store *st, const enum brig_param_id *cols, size_t ncols,
                         brig_jail_row_cb cb, void *ud, struct brig_err *err)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "SELECT j.id, r.pid, r.starttime, r.pidfs_ino");
    for (size_t i = 0; i < ncols; i++)
        brig_buf_addf(&b, ", j.%s", brig_params[cols[i]].name);
    brig_buf_add(&b, " FROM jails j LEFT JOIN runtime r ON r.jail_id = j.id ORDER BY j.id");
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    int r = prepare(st, b.s, &s, err);
    brig_buf_free(&b);
    if (r < 0)
        return -1;
    _cleanup_free_ const char **v = brig_xcalloc(ncols + 1, sizeof(char *));
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        struct brig_jail_row row = {
            .id = sqlite3_column_int64(s, 0),
            .pid = sqlite3_column_int64(s, 1),
            .starttime = sqlite3_column_int64(s, 2),
            .pidfs_ino = (uint64_t)sqlite3_column_int64(s, 3),
            .v = v,
        };
        for (size_t i = 0; i < ncols; i++) {
            const char *t = (const char *)sqlite3_column_text(s, (int)i + 4);
            v[i] = t ? t : "";
        }
        if (cb(&row, ud) < 0)
            return brig_err_set(err, BRIG_EFAIL, "listing stopped");
    }
    if (r != SQLITE_DONE)
        return db_fail(st, err, "list jails");
    return 0;
}

void brig_nics_free(struct brig_nic *nics, size_t n)
{
    for (size_t i = 0; i < n; i++)
        brig_nic_clear(&nics[i]);
    free(nics);
}

int brig_store_nic_list(struct brig_store *st, int64_t jail_id, struct brig_nic **ret,
                        size_t *ret_n, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "SELECT id, idx, parent, hwaddr, mtu, addrs, gw4, filter FROM jailnic "
                "WHERE jail_id = ?1 ORDER BY idx",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    struct brig_nic *nics = NULL;
    size_t n = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        nics = brig_xrealloc(nics, (n + 1) * sizeof(*nics));
        nics[n++] = (struct brig_nic){
            .id = sqlite3_column_int64(s, 0),
            .jail_id = jail_id,
            .idx = sqlite3_column_int(s, 1),
            .parent = brig_xstrdup((const char *)sqlite3_column_text(s, 2)),
            .hwaddr = brig_xstrdup((const char *)sqlite3_column_text(s, 3)),
            .mtu = (unsigned)sqlite3_column_int(s, 4),
            .addrs = brig_xstrdup((const char *)sqlite3_column_text(s, 5)),
            .gw4 = brig_xstrdup((const char *)sqlite3_column_text(s, 6)),
            .no_filter = sqlite3_column_int(s, 7) == 0,
        };
    }
    if (r != SQLITE_DONE) {
        brig_nics_free(nics, n);
        return db_fail(st, err, "list NICs");
    }
    *ret = nics;
    *ret_n = n;
    return 0;
}

static void bind_nic(sqlite3_stmt *s, const struct brig_nic *nic)
{
    sqlite3_bind_int64(s, 1, nic->jail_id);
    sqlite3_bind_int(s, 2, nic->idx);
    sqlite3_bind_text(s, 3, nic->parent ? nic->parent : "auto", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, nic->hwaddr ? nic->hwaddr : "0", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, (int)nic->mtu);
    sqlite3_bind_text(s, 6, nic->addrs ? nic->addrs : "0", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, nic->gw4 ? nic->gw4 : "auto", -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 8, nic->no_filter ? 0 : 1);
}

/* A MAC other than "0" belongs to one NIC of one jail. */
static int mac_unique(struct brig_store *st, const struct brig_nic *nic, struct brig_err *err)
{
    if (!nic->hwaddr || strcmp(nic->hwaddr, "0") == 0)
        return 0;
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "SELECT j.jname, n.idx FROM jailnic n JOIN jails j ON j.id = n.jail_id "
                "WHERE lower(n.hwaddr) = lower(?1) AND NOT (n.jail_id = ?2 AND n.idx = ?3)",
                &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, nic->hwaddr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, nic->jail_id);
    sqlite3_bind_int(s, 3, nic->idx);
    if (sqlite3_step(s) == SQLITE_ROW)
        return brig_err_set(err, BRIG_EUSAGE, "MAC %s is already used by jail %s (eth%d)",
                            nic->hwaddr, (const char *)sqlite3_column_text(s, 0),
                            sqlite3_column_int(s, 1));
    return 0;
}

int brig_store_mac_used(struct brig_store *st, const char *hwaddr, bool *ret, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    *ret = false;
    if (prepare(st, "SELECT 1 FROM jailnic WHERE lower(hwaddr) = lower(?1)", &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, hwaddr, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_fail(st, err, "find MAC");
    *ret = r == SQLITE_ROW;
    return 0;
}

int brig_store_nic_insert(struct brig_store *st, struct brig_nic *nic, struct brig_err *err)
{
    if (mac_unique(st, nic, err) < 0)
        return -1;
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "INSERT INTO jailnic (jail_id, idx, parent, hwaddr, mtu, addrs, gw4, filter) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &s, err) < 0)
        return -1;
    bind_nic(s, nic);
    int r = sqlite3_step(s);
    if (r == SQLITE_CONSTRAINT)
        return brig_err_set(err, BRIG_EUSAGE, "eth%d already exists", nic->idx);
    if (r != SQLITE_DONE)
        return db_fail(st, err, "insert NIC");
    nic->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int brig_store_nic_update(struct brig_store *st, const struct brig_nic *nic, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "UPDATE jailnic SET parent = ?3, hwaddr = ?4, mtu = ?5, addrs = ?6, gw4 = ?7, "
                "filter = ?8 "
                "WHERE jail_id = ?1 AND idx = ?2",
                &s, err) < 0)
        return -1;
    bind_nic(s, nic);
    return step_done(st, s, "update NIC", err);
}

int brig_store_nic_delete(struct brig_store *st, int64_t jail_id, int idx, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "DELETE FROM jailnic WHERE jail_id = ?1 AND idx = ?2", &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    sqlite3_bind_int(s, 2, idx);
    return step_done(st, s, "delete NIC", err);
}

static int64_t addr_v4(const char *addr)
{
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1)
        return -1;
    return (int64_t)ntohl(a.s_addr);
}

int brig_store_ipam_reserve(struct brig_store *st, const char *addr, int64_t jail_id, int nic_idx,
                            const char *kind, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT j.jname FROM ipam i JOIN jails j ON j.id = i.jail_id WHERE i.addr = ?1",
                &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        return brig_err_set(err, BRIG_EUSAGE, "address %s is already used by jail %s", addr,
                            (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    s = NULL;
    if (prepare(st, "INSERT INTO ipam (addr, v4, jail_id, nic_idx, kind) VALUES (?1,?2,?3,?4,?5)",
                &s, err) < 0)
        return -1;
    int64_t v4 = addr_v4(addr);
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    if (v4 >= 0)
        sqlite3_bind_int64(s, 2, v4);
    else
        sqlite3_bind_null(s, 2);
    sqlite3_bind_int64(s, 3, jail_id);
    sqlite3_bind_int(s, 4, nic_idx);
    sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_CONSTRAINT)
        return brig_err_set(err, BRIG_EUSAGE, "address %s is already in use", addr);
    if (r != SQLITE_DONE)
        return db_fail(st, err, "reserve address");
    return 0;
}

int brig_store_ipam_kind(struct brig_store *st, const char *addr, char **ret, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    *ret = NULL;
    if (prepare(st, "SELECT kind FROM ipam WHERE addr = ?1", &s, err) < 0)
        return -1;
    sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *ret = brig_xstrdup((const char *)sqlite3_column_text(s, 0));
    else if (r != SQLITE_DONE)
        return db_fail(st, err, "address kind");
    return 0;
}

int brig_store_ipam_alloc(struct brig_store *st, uint32_t lo, uint32_t hi, int64_t jail_id,
                          int nic_idx, uint32_t *ret, struct brig_err *err)
{
    /* Start at the pool's hint (all below it are used); the lowest free address is
     * the start itself, or the first used address at or above it whose successor is free. */
    _cleanup_stmt_ sqlite3_stmt *h = NULL;
    int64_t start = lo;
    if (prepare(st, "SELECT next FROM ipam_hint WHERE lo = ?1", &h, err) < 0)
        return -1;
    sqlite3_bind_int64(h, 1, lo);
    if (sqlite3_step(h) == SQLITE_ROW && sqlite3_column_int64(h, 0) > start)
        start = sqlite3_column_int64(h, 0);
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "SELECT ?1 WHERE ?1 <= ?2 AND NOT EXISTS (SELECT 1 FROM ipam WHERE v4 = ?1) "
                "UNION ALL SELECT * FROM (SELECT a.v4 + 1 FROM ipam a "
                "WHERE a.v4 >= ?1 AND a.v4 < ?2 "
                "AND NOT EXISTS (SELECT 1 FROM ipam b WHERE b.v4 = a.v4 + 1) "
                "ORDER BY a.v4 LIMIT 1) LIMIT 1",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, start);
    sqlite3_bind_int64(s, 2, hi);
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE)
        return brig_err_set(err, BRIG_EFAIL, "the address pool is exhausted");
    if (r != SQLITE_ROW)
        return db_fail(st, err, "allocate address");
    uint32_t v = (uint32_t)sqlite3_column_int64(s, 0);
    struct in_addr a = {.s_addr = htonl(v)};
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof(buf));
    if (brig_store_ipam_reserve(st, buf, jail_id, nic_idx, "dhcp", err) < 0)
        return -1;
    _cleanup_stmt_ sqlite3_stmt *u = NULL;
    if (prepare(st, "INSERT OR REPLACE INTO ipam_hint (lo, next) VALUES (?1, ?2)", &u, err) < 0)
        return -1;
    sqlite3_bind_int64(u, 1, lo);
    sqlite3_bind_int64(u, 2, (int64_t)v + 1);
    if (step_done(st, u, "allocate address", err) < 0)
        return -1;
    *ret = v;
    return 0;
}

int brig_store_ipam_dhcp(struct brig_store *st, int64_t jail_id, int nic_idx, bool *ret,
                         struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT 1 FROM ipam WHERE jail_id = ?1 AND nic_idx = ?2 AND kind = 'dhcp'", &s,
                err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    sqlite3_bind_int(s, 2, nic_idx);
    int r = sqlite3_step(s);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_fail(st, err, "read addresses");
    *ret = r == SQLITE_ROW;
    return 0;
}

int brig_store_ipam_release(struct brig_store *st, int64_t jail_id, int nic_idx,
                            struct brig_err *err)
{
    /* a freed address below a pool's hint lowers it */
    _cleanup_stmt_ sqlite3_stmt *h = NULL;
    if (prepare(st,
                "UPDATE ipam_hint SET next = (SELECT MIN(v4) FROM ipam WHERE jail_id = ?1 "
                "AND (?2 < 0 OR nic_idx = ?2) AND v4 >= ipam_hint.lo) "
                "WHERE next > (SELECT MIN(v4) FROM ipam WHERE jail_id = ?1 "
                "AND (?2 < 0 OR nic_idx = ?2) AND v4 >= ipam_hint.lo)",
                &h, err) < 0)
        return -1;
    sqlite3_bind_int64(h, 1, jail_id);
    sqlite3_bind_int(h, 2, nic_idx);
    if (step_done(st, h, "release addresses", err) < 0)
        return -1;
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                nic_idx < 0 ? "DELETE FROM ipam WHERE jail_id = ?1"
                            : "DELETE FROM ipam WHERE jail_id = ?1 AND nic_idx = ?2",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    if (nic_idx >= 0)
        sqlite3_bind_int(s, 2, nic_idx);
    return step_done(st, s, "release addresses", err);
}

int brig_store_runtime_set(struct brig_store *st, int64_t jail_id, const struct brig_runtime *rt,
                           struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "INSERT OR REPLACE INTO runtime (jail_id, pid, starttime, pidfs_ino)"
                " VALUES (?1,?2,?3,?4)",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    sqlite3_bind_int64(s, 2, rt->pid);
    sqlite3_bind_int64(s, 3, rt->starttime);
    sqlite3_bind_int64(s, 4, (int64_t)rt->pidfs_ino);
    return step_done(st, s, "record runtime", err);
}

int brig_store_runtime_get(struct brig_store *st, int64_t jail_id, struct brig_runtime *ret,
                           struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT pid, starttime, pidfs_ino FROM runtime WHERE jail_id = ?1", &s, err) <
        0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    int r = sqlite3_step(s);
    *ret = (struct brig_runtime){0};
    if (r == SQLITE_ROW) {
        ret->pid = sqlite3_column_int64(s, 0);
        ret->starttime = sqlite3_column_int64(s, 1);
        ret->pidfs_ino = (uint64_t)sqlite3_column_int64(s, 2);
    } else if (r != SQLITE_DONE) {
        return db_fail(st, err, "read runtime");
    }
    return 0;
}

int brig_store_runtime_clear(struct brig_store *st, int64_t jail_id, struct brig_err *err)
{
    return exec_for_id(st, "DELETE FROM runtime WHERE jail_id = ?1", jail_id, "clear runtime", err);
}

int brig_store_runtime_any(struct brig_store *st, bool *ret, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT EXISTS (SELECT 1 FROM runtime) OR EXISTS (SELECT 1 FROM journal)", &s,
                err) < 0)
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW)
        return db_fail(st, err, "read runtime");
    *ret = sqlite3_column_int(s, 0) != 0;
    return 0;
}

int brig_store_journal_set(struct brig_store *st, const struct brig_journal *j,
                           struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "INSERT OR REPLACE INTO journal (jail_id, op, step, pid, starttime) "
                "VALUES (?1,?2,?3,?4,?5)",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, j->jail_id);
    sqlite3_bind_text(s, 2, j->op, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, j->step);
    sqlite3_bind_int64(s, 4, j->pid);
    sqlite3_bind_int64(s, 5, j->starttime);
    return step_done(st, s, "write journal", err);
}

static void journal_from_row(sqlite3_stmt *s, struct brig_journal *j)
{
    memset(j, 0, sizeof(*j));
    j->jail_id = sqlite3_column_int64(s, 0);
    snprintf(j->op, sizeof(j->op), "%s", (const char *)sqlite3_column_text(s, 1));
    j->step = sqlite3_column_int(s, 2);
    j->pid = sqlite3_column_int64(s, 3);
    j->starttime = sqlite3_column_int64(s, 4);
}

int brig_store_journal_get(struct brig_store *st, int64_t jail_id, struct brig_journal *ret,
                           bool *ret_found, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT jail_id, op, step, pid, starttime FROM journal WHERE jail_id = ?1", &s,
                err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    int r = sqlite3_step(s);
    *ret_found = r == SQLITE_ROW;
    if (r == SQLITE_ROW)
        journal_from_row(s, ret);
    else if (r != SQLITE_DONE)
        return db_fail(st, err, "read journal");
    return 0;
}

int brig_store_journal_clear(struct brig_store *st, int64_t jail_id, struct brig_err *err)
{
    return exec_for_id(st, "DELETE FROM journal WHERE jail_id = ?1", jail_id, "clear journal", err);
}

int brig_store_journal_list(struct brig_store *st, struct brig_journal **ret, size_t *ret_n,
                            struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT jail_id, op, step, pid, starttime FROM journal ORDER BY jail_id", &s,
                err) < 0)
        return -1;
    struct brig_journal *v = NULL;
    size_t n = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        journal_from_row(s, &v[n++]);
    }
    if (r != SQLITE_DONE) {
        free(v);
        return db_fail(st, err, "list journal");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

void brig_fstabs_free(struct brig_fstab *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].src);
        free(v[i].dst);
        free(v[i].type);
        free(v[i].options);
    }
    free(v);
}

int brig_store_fstab_list(struct brig_store *st, int64_t jail_id, struct brig_fstab **ret,
                          size_t *ret_n, struct brig_err *err)
{
    *ret = NULL;
    *ret_n = 0;
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "SELECT src, dst, type, options FROM jailfstab WHERE jail_id = ?1 ORDER BY dst",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    struct brig_fstab *v = NULL;
    size_t n = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = (struct brig_fstab){
            .src = brig_xstrdup((const char *)sqlite3_column_text(s, 0)),
            .dst = brig_xstrdup((const char *)sqlite3_column_text(s, 1)),
            .type = brig_xstrdup((const char *)sqlite3_column_text(s, 2)),
            .options = brig_xstrdup((const char *)sqlite3_column_text(s, 3)),
        };
    }
    if (r != SQLITE_DONE) {
        brig_fstabs_free(v, n);
        return db_fail(st, err, "list fstab");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int brig_store_fstab_insert(struct brig_store *st, int64_t jail_id, const struct brig_fstab *e,
                            struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "INSERT INTO jailfstab (jail_id, src, dst, type, options) "
                "VALUES (?1, ?2, ?3, ?4, ?5)",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    sqlite3_bind_text(s, 2, e->src, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, e->dst, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, e->options, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_CONSTRAINT)
        return brig_err_set(err, BRIG_EUSAGE, "%s is already mounted from the host", e->dst);
    if (r != SQLITE_DONE)
        return db_fail(st, err, "add fstab entry");
    return 0;
}

int brig_store_fstab_delete(struct brig_store *st, int64_t jail_id, const char *dst,
                            bool *ret_found, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st, "DELETE FROM jailfstab WHERE jail_id = ?1 AND dst = ?2", &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    sqlite3_bind_text(s, 2, dst, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return db_fail(st, err, "remove fstab entry");
    *ret_found = sqlite3_changes(st->db) > 0;
    return 0;
}

int brig_store_expose_list(struct brig_store *st, int64_t jail_id, struct brig_expose **ret,
                           size_t *ret_n, struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "SELECT e.jail_id, j.jname, e.proto, e.pin, e.pout, e.inaddr FROM expose e "
                "JOIN jails j ON j.id = e.jail_id WHERE ?1 = 0 OR e.jail_id = ?1 "
                "ORDER BY j.jname, e.proto, e.pin, e.inaddr",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, jail_id);
    struct brig_expose *v = NULL;
    size_t n = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        v = brig_xrealloc(v, (n + 1) * sizeof(*v));
        struct brig_expose *e = &v[n++];
        *e = (struct brig_expose){
            .jail_id = sqlite3_column_int64(s, 0),
            .jname = brig_xstrdup((const char *)sqlite3_column_text(s, 1)),
            .in = (unsigned)sqlite3_column_int(s, 3),
            .out = (unsigned)sqlite3_column_int(s, 4),
        };
        snprintf(e->proto, sizeof(e->proto), "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(e->addr, sizeof(e->addr), "%s", (const char *)sqlite3_column_text(s, 5));
    }
    if (r != SQLITE_DONE) {
        brig_exposes_free(v, n);
        return db_fail(st, err, "list port forwards");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int brig_store_expose_insert(struct brig_store *st, const struct brig_expose *e,
                             struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "INSERT INTO expose (jail_id, proto, pin, pout, inaddr) "
                "VALUES (?1, ?2, ?3, ?4, ?5)",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, e->jail_id);
    sqlite3_bind_text(s, 2, e->proto, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, (int)e->in);
    sqlite3_bind_int(s, 4, (int)e->out);
    sqlite3_bind_text(s, 5, e->addr, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_CONSTRAINT)
        return brig_err_set(err, BRIG_EUSAGE, "%s port %u is already forwarded", e->proto, e->in);
    if (r != SQLITE_DONE)
        return db_fail(st, err, "insert port forward");
    return 0;
}

int brig_store_expose_delete(struct brig_store *st, const struct brig_expose *e, bool *ret_found,
                             struct brig_err *err)
{
    _cleanup_stmt_ sqlite3_stmt *s = NULL;
    if (prepare(st,
                "DELETE FROM expose WHERE jail_id = ?1 AND proto = ?2 AND pin = ?3 AND inaddr = ?4",
                &s, err) < 0)
        return -1;
    sqlite3_bind_int64(s, 1, e->jail_id);
    sqlite3_bind_text(s, 2, e->proto, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, (int)e->in);
    sqlite3_bind_text(s, 4, e->addr, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return db_fail(st, err, "delete port forward");
    *ret_found = sqlite3_changes(st->db) > 0;
    return 0;
}
