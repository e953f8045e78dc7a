/* Jail cgroups on this host (hybrid here, pure v2 on most hosts), a fresh
 * cgroup2 mount treated as a pure v2 host, and a directory that mimics a
 * pure v2 host with every controller. Needs root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "os/linux/cgroup.h"

static char jname[64];

static bool is_cgroup2(const char *path)
{
    struct statfs sf;
    return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static char *slurp(const char *path)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *s = NULL;
    if (brig_read_file(path, 1 << 20, &s, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n')
        s[--n] = '\0';
    return s;
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    fputs(s, f);
    assert_int_equal(fclose(f), 0);
}

/* The jail's cgroup dir (in any hierarchy) that holds file, or NULL. */
static char *find_file(const char *name, const char *file)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_strv_ char **paths = NULL;
    assert_int_equal(brig_cgroup_procs_paths(name, &paths, &err), 0);
    for (char **p = paths; *p; p++) {
        _cleanup_free_ char *dir = brig_xstrndup(*p, strlen(*p) - strlen("/cgroup.procs"));
        char *f = brig_xasprintf("%s/%s", dir, file);
        if (brig_path_exists(f))
            return f;
        free(f);
    }
    return NULL;
}

static void assert_file_is(const char *name, const char *file, const char *want)
{
    _cleanup_free_ char *path = find_file(name, file);
    if (!path)
        fail_msg("no %s in the cgroup of %s", file, name);
    _cleanup_free_ char *got = slurp(path);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", path, got, want);
}

static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static bool pids_contain(const char *name, pid_t pid)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    assert_int_equal(brig_cgroup_pids(name, &pids, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* Best effort: leave no empty brig/ parent behind on the host. */
static void remove_parents(void)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_strv_ char **paths = NULL;
    if (brig_cgroup_procs_paths("x", &paths, &err) < 0)
        return;
    for (char **p = paths; *p; p++) {
        _cleanup_free_ char *dir = brig_xstrndup(*p, strlen(*p) - strlen("/x/cgroup.procs"));
        rmdir(dir);
    }
}

static void test_layout_is_detected_from_mountinfo(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_cgroup_facts f;
    assert_int_equal(brig_cgroup_probe(&f, &err), 0);
    if (is_cgroup2("/sys/fs/cgroup")) {
        assert_string_equal(brig_cgroup_layout_name(f.layout), "v2");
        assert_string_equal(f.v2_root, "/sys/fs/cgroup");
    } else if (is_cgroup2("/sys/fs/cgroup/unified")) {
        assert_string_equal(brig_cgroup_layout_name(f.layout), "hybrid");
        assert_string_equal(f.v2_root, "/sys/fs/cgroup/unified");
    } else {
        assert_string_equal(brig_cgroup_layout_name(f.layout), "v1");
    }
    const char *want[] = {"memory", "pids", "cpu", "cpuset"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(want); i++) {
        bool found = false;
        for (char **c = f.controllers; *c; c++)
            found |= strcmp(*c, want[i]) == 0;
        if (!found)
            fail_msg("controller %s not reported", want[i]);
    }
    brig_cgroup_facts_clear(&f);
}

static void test_limits_are_written_and_read_back(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    assert_true(brig_cgroup_exists(jname));
    /* creating again keeps the cgroup */
    assert_int_equal(brig_cgroup_create(jname, &err), 0);

    bool two_cpus = sysconf(_SC_NPROCESSORS_ONLN) > 1;
    struct brig_cgroup_limits lim = {
        .memoryuse = 64ULL << 20, .maxproc = 50, .pcpu = 50, .cpuset = two_cpus ? "1" : "0-0"};
    if (brig_cgroup_set_limits(jname, &lim, &err) < 0)
        fail_msg("%s", err.msg);
    assert_file_is(jname, "pids.max", "50");
    _cleanup_free_ char *v2mem = find_file(jname, "memory.max");
    if (v2mem) {
        assert_file_is(jname, "memory.max", "67108864");
        assert_file_is(jname, "cpu.max", "50000 100000");
    } else {
        assert_file_is(jname, "memory.limit_in_bytes", "67108864");
        _cleanup_free_ char *sw = find_file(jname, "memory.memsw.limit_in_bytes");
        if (sw)
            assert_file_is(jname, "memory.memsw.limit_in_bytes", "67108864");
        assert_file_is(jname, "cpu.cfs_period_us", "100000");
        assert_file_is(jname, "cpu.cfs_quota_us", "50000");
    }
    assert_file_is(jname, "cpuset.cpus", two_cpus ? "1" : "0");

    /* raising the memory limit past the old swap limit works too */
    lim.memoryuse = 128ULL << 20;
    assert_int_equal(brig_cgroup_set_limits(jname, &lim, &err), 0);
    assert_file_is(jname, v2mem ? "memory.max" : "memory.limit_in_bytes", "134217728");

    /* zero removes every limit */
    struct brig_cgroup_limits none = {0};
    if (brig_cgroup_set_limits(jname, &none, &err) < 0)
        fail_msg("%s", err.msg);
    assert_file_is(jname, "pids.max", "max");
    if (v2mem)
        assert_file_is(jname, "memory.max", "max");
    else
        assert_file_is(jname, "cpu.cfs_quota_us", "-1");
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
}

static void test_attached_child_is_killed_and_cgroup_removed(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    pid_t pid = spawn_sleeper();
    if (brig_cgroup_attach(jname, pid, &err) < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("%s", err.msg);
    }
    assert_true(pids_contain(jname, pid));
    /* the child is in the jail's cgroup in every hierarchy */
    _cleanup_strv_ char **paths = NULL;
    assert_int_equal(brig_cgroup_procs_paths(jname, &paths, &err), 0);
    char want[32];
    snprintf(want, sizeof(want), "%d", (int)pid);
    for (char **p = paths; *p; p++) {
        _cleanup_free_ char *s = slurp(*p);
        assert_string_equal(s, want);
    }
    /* removing a cgroup with a live process fails after a bounded wait */
    assert_int_equal(brig_cgroup_remove(jname, &err), -1);
    assert_non_null(strstr(err.msg, "processes still in it"));

    assert_int_equal(brig_cgroup_kill(jname, &err), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);

    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
    assert_false(brig_cgroup_exists(jname));
    /* removing twice, and killing a missing cgroup, are fine */
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
    assert_int_equal(brig_cgroup_kill(jname, &err), 0);
}

/* The freezer the jail's processes are frozen with: "frozen 1" in
 * cgroup.events (v2) or FROZEN in freezer.state (v1). */
static bool cgroup_frozen(const char *name)
{
    _cleanup_free_ char *events = find_file(name, "cgroup.events");
    if (events) {
        _cleanup_free_ char *s = slurp(events);
        return strstr(s, "frozen 1") != NULL;
    }
    _cleanup_free_ char *state = find_file(name, "freezer.state");
    assert_non_null(state);
    _cleanup_free_ char *s = slurp(state);
    return strcmp(s, "FROZEN") == 0;
}

static void test_frozen_cgroup_is_frozen_until_thawed(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    pid_t pid = spawn_sleeper();
    assert_int_equal(brig_cgroup_attach(jname, pid, &err), 0);
    assert_false(cgroup_frozen(jname));
    if (brig_cgroup_freeze(jname, true, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(cgroup_frozen(jname));
    assert_int_equal(brig_cgroup_freeze(jname, false, &err), 0);
    assert_false(cgroup_frozen(jname));
    assert_int_equal(brig_cgroup_kill(jname, &err), 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
    /* a jail without a cgroup has nothing to freeze: an error, not a hang */
    assert_int_equal(brig_cgroup_freeze(jname, true, &err), -1);
    assert_non_null(strstr(err.msg, "no freezer"));
}

static void test_list_shows_jail_cgroups(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *other = brig_xasprintf("%s-b", jname);
    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    assert_int_equal(brig_cgroup_create(other, &err), 0);
    _cleanup_strv_ char **names = NULL;
    assert_int_equal(brig_cgroup_list(&names, &err), 0);
    int seen = 0;
    for (char **n = names; *n; n++)
        seen += strcmp(*n, jname) == 0 || strcmp(*n, other) == 0;
    assert_int_equal(seen, 2);
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
    assert_int_equal(brig_cgroup_remove(other, &err), 0);
    brig_strv_free(brig_steal(&names));
    assert_int_equal(brig_cgroup_list(&names, &err), 0);
    for (char **n = names; *n; n++)
        assert_string_not_equal(*n, jname);
}

static void test_bad_values_are_rejected_and_change_nothing(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    const char *bad_names[] = {"", "..", "../etc", "a/b", ".hidden", "sp ace"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(bad_names); i++) {
        assert_int_equal(brig_cgroup_create(bad_names[i], &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
    }
    struct brig_cgroup_limits lims[] = {
        {.memoryuse = 4096}, {.maxproc = 5000000}, {.pcpu = 200000},   {.cpuset = "1-"},
        {.cpuset = "a"},     {.cpuset = "3-1"},    {.cpuset = "0,,1"},
    };
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(lims); i++) {
        brig_err_clear(&err);
        assert_int_equal(brig_cgroup_set_limits(jname, &lims[i], &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
    }
    assert_non_null(strstr(err.msg, "invalid cpuset '0,,1'"));
    assert_false(brig_cgroup_exists(jname));
    assert_int_equal(brig_cgroup_attach(jname, 0, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);

    /* a CPU the host does not have is refused as bad input */
    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    struct brig_cgroup_limits far = {.cpuset = "4000"};
    assert_int_equal(brig_cgroup_set_limits(jname, &far, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "not available"));
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
}

static void test_openfiles_sets_rlimit(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct brig_err err = BRIG_ERR_INIT;
        if (brig_cgroup_apply_openfiles(100, &err) < 0)
            _exit(2);
        int fds = 0;
        while (open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0)
            fds++;
        _exit(errno == EMFILE && fds < 100 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* What a jail's limits need from the host is checked without touching anything:
 * CPUs that are not online, and (on a v2 mount without controllers) a limit
 * whose controller is missing, are bad input naming the parameter. */
static void test_host_check_names_missing_cpus_and_controllers(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_cgroup_limits far = {.cpuset = "0,4000"}, all = {.cpuset = "0"};
    struct brig_cgroup_limits cpu0 = {.cpuset = "0-0"};
    assert_int_equal(brig_cgroup_limits_host_check(&far, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "cpuset: CPU 4000 is not on this host (CPUs 0"));
    assert_int_equal(brig_cgroup_limits_host_check(&all, &err), 0);
    assert_int_equal(brig_cgroup_limits_host_check(&cpu0, &err), 0);
    struct brig_cgroup_limits small = {.memoryuse = 4096};
    assert_int_equal(brig_cgroup_limits_host_check(&small, &err), -1);
    assert_non_null(strstr(err.msg, "memoryuse: 4096 bytes is below the minimum of 1m"));
    assert_false(brig_cgroup_exists(jname));

    char dir[] = "/tmp/brig-cg2-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(unshare(CLONE_NEWNS), 0);
    assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    assert_int_equal(mount("none", dir, "cgroup2", 0, NULL), 0);
    assert_int_equal(brig_cgroup_set_v2_root(dir, &err), 0);
    struct brig_cgroup_facts f;
    assert_int_equal(brig_cgroup_probe(&f, &err), 0);
    bool has_memory = false;
    for (char **c = f.controllers; *c; c++)
        has_memory |= strcmp(*c, "memory") == 0;
    brig_cgroup_facts_clear(&f);
    struct brig_cgroup_limits mem = {.memoryuse = 64ULL << 20};
    if (has_memory) {
        assert_int_equal(brig_cgroup_limits_host_check(&mem, &err), 0);
    } else {
        assert_int_equal(brig_cgroup_limits_host_check(&mem, &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_string_equal(err.msg, "memoryuse: no memory cgroup controller on this host");
    }
    assert_int_equal(umount(dir), 0);
    rmdir(dir);
    assert_int_equal(brig_cgroup_set_v2_root(NULL, &err), 0);
}

/* A fresh cgroup2 mount in a private mount namespace, used as a pure v2 host.
 * On a hybrid host it is the same (mostly empty) v2 hierarchy, whose
 * controllers are bound to v1: the limits are refused, kill works. */
static void test_fresh_cgroup2_mount_works_as_pure_v2(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char dir[] = "/tmp/brig-cg2-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(unshare(CLONE_NEWNS), 0);
    assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    assert_int_equal(mount("none", dir, "cgroup2", 0, NULL), 0);
    assert_int_equal(brig_cgroup_set_v2_root(dir, &err), 0);

    struct brig_cgroup_facts f;
    assert_int_equal(brig_cgroup_probe(&f, &err), 0);
    assert_string_equal(brig_cgroup_layout_name(f.layout), "v2");
    bool has_memory = false;
    for (char **c = f.controllers; *c; c++)
        has_memory |= strcmp(*c, "memory") == 0;
    brig_cgroup_facts_clear(&f);

    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    _cleanup_free_ char *leaf = brig_xasprintf("%s/brig/%s", dir, jname);
    assert_true(brig_path_exists(leaf));
    struct brig_cgroup_limits lim = {.memoryuse = 64ULL << 20, .maxproc = 10, .pcpu = 20};
    if (has_memory) {
        assert_int_equal(brig_cgroup_set_limits(jname, &lim, &err), 0);
        assert_file_is(jname, "memory.max", "67108864");
        assert_file_is(jname, "pids.max", "10");
        assert_file_is(jname, "cpu.max", "20000 100000");
    } else {
        assert_int_equal(brig_cgroup_set_limits(jname, &lim, &err), -1);
        assert_int_equal(err.code, BRIG_EFAIL);
        assert_non_null(strstr(err.msg, "no memory cgroup controller"));
    }

    pid_t pid = spawn_sleeper();
    assert_int_equal(brig_cgroup_attach(jname, pid, &err), 0);
    assert_true(pids_contain(jname, pid));
    assert_int_equal(brig_cgroup_kill(jname, &err), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
    assert_false(brig_path_exists(leaf));
    _cleanup_free_ char *parent = brig_xasprintf("%s/brig", dir);
    rmdir(parent);

    assert_int_equal(umount(dir), 0);
    rmdir(dir);
    assert_int_equal(brig_cgroup_set_v2_root(NULL, &err), 0);
}

/* A directory laid out like a pure v2 host with every controller: proves the
 * v2 files and formats (subtree_control, memory.max, swap, pids, cpu.max, cpuset)
 * and the freeze-kill-thaw path of kernels without cgroup.kill. */
static void test_v2_limits_use_v2_files(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char dir[] = "/tmp/brig-fakecg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *brigdir = brig_xasprintf("%s/brig", dir);
    _cleanup_free_ char *leaf = brig_xasprintf("%s/brig/%s", dir, jname);
    _cleanup_free_ char *rc = brig_xasprintf("%s/cgroup.controllers", dir);
    _cleanup_free_ char *rs = brig_xasprintf("%s/cgroup.subtree_control", dir);
    _cleanup_free_ char *bc = brig_xasprintf("%s/cgroup.controllers", brigdir);
    _cleanup_free_ char *bs = brig_xasprintf("%s/cgroup.subtree_control", brigdir);
    assert_int_equal(mkdir(brigdir, 0755), 0);
    write_file(rc, "cpuset cpu io memory hugetlb pids rdma misc\n");
    write_file(rs, "");
    write_file(bc, "cpuset cpu memory pids\n");
    write_file(bs, "memory\n");
    assert_int_equal(brig_cgroup_set_v2_root(dir, &err), 0);

    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    _cleanup_free_ char *rs_got = slurp(rs);
    assert_string_equal(rs_got, "+memory +pids +cpu +cpuset");
    /* memory was already on in brig/: only the others are enabled */
    _cleanup_free_ char *bs_got = slurp(bs);
    assert_string_equal(bs_got, "+pids +cpu +cpuset");

    const char *files[] = {"memory.max", "memory.swap.max", "pids.max", "cpu.max", "cpuset.cpus"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *p = brig_xasprintf("%s/%s", leaf, files[i]);
        write_file(p, "");
    }
    struct brig_cgroup_limits lim = {
        .memoryuse = 512ULL << 20, .maxproc = 100, .pcpu = 75, .cpuset = "0-1"};
    assert_int_equal(brig_cgroup_set_limits(jname, &lim, &err), 0);
    assert_file_is(jname, "memory.max", "536870912");
    assert_file_is(jname, "memory.swap.max", "0");
    assert_file_is(jname, "pids.max", "100");
    assert_file_is(jname, "cpu.max", "75000 100000");
    assert_file_is(jname, "cpuset.cpus", "0-1");

    /* without cgroup.kill (before Linux 5.14): freeze, kill each pid, thaw */
    pid_t pid = spawn_sleeper();
    char line[32];
    snprintf(line, sizeof(line), "%d\n", (int)pid);
    _cleanup_free_ char *procs = brig_xasprintf("%s/cgroup.procs", leaf);
    _cleanup_free_ char *freeze = brig_xasprintf("%s/cgroup.freeze", leaf);
    _cleanup_free_ char *events = brig_xasprintf("%s/cgroup.events", leaf);
    write_file(procs, line);
    write_file(freeze, "");
    write_file(events, "populated 1\nfrozen 1\n");
    assert_int_equal(brig_cgroup_kill(jname, &err), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    _cleanup_free_ char *thawed = slurp(freeze);
    assert_string_equal(thawed, "0");

    assert_int_equal(brig_cgroup_set_v2_root(NULL, &err), 0);
    assert_int_equal(brig_rm_rf(dir, &err), 0);
}

/* Hide the v2 hierarchy in a private mount namespace: a pure v1 host, where
 * kill freezes the cgroup, kills each pid and thaws. */
static void test_v1_only_host_kills_through_the_freezer(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (!is_cgroup2("/sys/fs/cgroup/unified")) {
        skip();
        return;
    }
    assert_int_equal(unshare(CLONE_NEWNS), 0);
    assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    assert_int_equal(umount2("/sys/fs/cgroup/unified", MNT_DETACH), 0);
    assert_int_equal(brig_cgroup_set_v2_root(NULL, &err), 0);

    struct brig_cgroup_facts f;
    assert_int_equal(brig_cgroup_probe(&f, &err), 0);
    assert_string_equal(brig_cgroup_layout_name(f.layout), "v1");
    assert_null(f.v2_root);
    brig_cgroup_facts_clear(&f);

    assert_int_equal(brig_cgroup_create(jname, &err), 0);
    pid_t pids[3];
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(pids); i++) {
        pids[i] = spawn_sleeper();
        assert_int_equal(brig_cgroup_attach(jname, pids[i], &err), 0);
    }
    _cleanup_free_ char *state_file = find_file(jname, "freezer.state");
    assert_non_null(state_file);
    /* jsnapshot's freeze and thaw go through the same freezer */
    assert_int_equal(brig_cgroup_freeze(jname, true, &err), 0);
    assert_true(cgroup_frozen(jname));
    assert_int_equal(brig_cgroup_freeze(jname, false, &err), 0);
    assert_false(cgroup_frozen(jname));
    assert_int_equal(brig_cgroup_kill(jname, &err), 0);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(pids); i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    _cleanup_free_ char *st = slurp(state_file);
    assert_string_equal(st, "THAWED");
    assert_int_equal(brig_cgroup_remove(jname, &err), 0);
    assert_false(brig_cgroup_exists(jname));
    remove_parents();
}

static int setup(void **state)
{
    snprintf(jname, sizeof(jname), "brigtest-cg-%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *other = brig_xasprintf("%s-b", jname);
    brig_cgroup_kill(jname, &err);
    brig_cgroup_remove(jname, &err);
    brig_cgroup_remove(other, &err);
    remove_parents();
    return 0;
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test-cgroup: needs root, skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_is_detected_from_mountinfo),
        cmocka_unit_test(test_limits_are_written_and_read_back),
        cmocka_unit_test(test_attached_child_is_killed_and_cgroup_removed),
        cmocka_unit_test(test_frozen_cgroup_is_frozen_until_thawed),
        cmocka_unit_test(test_list_shows_jail_cgroups),
        cmocka_unit_test(test_bad_values_are_rejected_and_change_nothing),
        cmocka_unit_test(test_openfiles_sets_rlimit),
        cmocka_unit_test(test_v2_limits_use_v2_files),
        cmocka_unit_test(test_fresh_cgroup2_mount_works_as_pure_v2),
        cmocka_unit_test(test_host_check_names_missing_cpus_and_controllers),
        cmocka_unit_test(test_v1_only_host_kills_through_the_freezer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
