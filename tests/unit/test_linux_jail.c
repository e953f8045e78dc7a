/* The jail's init for real: a busybox rootfs in a tmpfs, jails started and
 * stopped, jexec into them, and what jail root can and cannot do. Runs as
 * root in a mount and network namespace of its own. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "os/linux/jail.h"
#include "os/linux/proc.h"

static char topdir[] = "/tmp/brig-jail-test-XXXXXX";
static char *rootdir, *console_path;
static struct brig_devnodes devnodes;

static const char *const applets[] = {
    "sh",     "ls",   "cat",  "ps",   "mount", "hostname", "sleep",    "id", "mknod", "ip",
    "chroot", "echo", "test", "grep", "kill",  "tty",      "readlink", "rm", "wc"};

static void put(const char *rel, const char *data)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", rootdir, rel);
    if (brig_write_file_atomic(path, data, strlen(data), 0644, &err) < 0)
        fail_msg("%s", err.msg);
}

static char *slurp(const char *path)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *s = NULL;
    if (brig_read_file(path, 1 << 20, &s, NULL, &err) < 0)
        return brig_xstrdup("");
    return s;
}

static void add_node(const char *name, unsigned major, unsigned minor)
{
    devnodes.nodes = brig_xrealloc(devnodes.nodes, (devnodes.n + 1) * sizeof(*devnodes.nodes));
    devnodes.nodes[devnodes.n++] = (struct brig_devnode){.path = brig_xstrdup(name),
                                                         .kind = BRIG_DEVNODE_CHAR,
                                                         .major = major,
                                                         .minor = minor,
                                                         .mode = 0666};
}

/* A tiny busybox rootfs in a tmpfs that only this test's namespace sees. */
static int setup(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    if (!mkdtemp(topdir) || mount("tmpfs", topdir, "tmpfs", 0, "mode=755") < 0)
        return -1;
    rootdir = brig_xasprintf("%s/root", topdir);
    console_path = brig_xasprintf("%s/console.log", topdir);
    static const char *const dirs[] = {"bin", "etc", "dev", "proc", "tmp", "mnt", "root"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(dirs); i++) {
        _cleanup_free_ char *d = brig_xasprintf("%s/%s", rootdir, dirs[i]);
        if (brig_mkdir_p(d, 0755, &err) < 0)
            return -1;
    }
    char *bb = NULL;
    size_t len = 0;
    if (brig_read_file("/bin/busybox", 64 << 20, &bb, &len, &err) < 0)
        return -1;
    _cleanup_free_ char *bbpath = brig_xasprintf("%s/bin/busybox", rootdir);
    int r = brig_write_file_atomic(bbpath, bb, len, 0755, &err);
    free(bb);
    if (r < 0)
        return -1;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(applets); i++) {
        _cleanup_free_ char *l = brig_xasprintf("%s/bin/%s", rootdir, applets[i]);
        if (symlink("busybox", l) < 0)
            return -1;
    }
    put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
    put("etc/group", "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n");
    put("etc/rc", "echo started\necho started > /started\n");
    add_node("null", 1, 3);
    add_node("zero", 1, 5);
    add_node("full", 1, 7);
    add_node("random", 1, 8);
    add_node("urandom", 1, 9);
    add_node("tty", 5, 0);
    devnodes.devpts = true;
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    umount2(topdir, MNT_DETACH);
    rmdir(topdir);
    brig_devnodes_clear(&devnodes);
    return 0;
}

static struct brig_jail_spec default_spec(void)
{
    _cleanup_free_ char *started = brig_xasprintf("%s/started", rootdir);
    _cleanup_free_ char *stopped = brig_xasprintf("%s/stopped", rootdir);
    unlink(started);
    unlink(stopped);
    unlink(console_path);
    return (struct brig_jail_spec){
        .root = rootdir,
        .hostname = "jail1.test",
        .console_log = console_path,
        .exec_start = "/bin/sh /etc/rc",
        .exec_timeout = 10,
        .stop_timeout = 2,
        .persist = true,
        .mount_devfs = true,
        .mount_procfs = true,
        .mount_fdescfs = true,
        .devnodes = &devnodes,
    };
}

static void start(const struct brig_jail_spec *spec, struct brig_jail_proc *p)
{
    struct brig_err err = BRIG_ERR_INIT;
    uint64_t t0 = brig_now_ns();
    if (brig_jail_spawn(spec, p, &err) < 0 || brig_jail_proc_release(p, &err) < 0)
        fail_msg("start: %s", err.msg);
    fprintf(stderr, "# jail up in %.2f ms\n", (double)(brig_now_ns() - t0) / 1e6);
    assert_true(brig_jail_alive(p->pid, p->starttime));
}

static void stop(struct brig_jail_proc *p)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_jail_stop(p->pid, p->starttime, 2, 10, &err) < 0)
        fail_msg("stop: %s", err.msg);
    assert_false(brig_jail_alive(p->pid, p->starttime));
    brig_jail_proc_clear(p);
}

/* jexec argv (NULL-terminated) as user; stdout and stderr land in *ret_out. */
static int jexec_full(const struct brig_jail_proc *p, const struct brig_jail_policy *pol,
                      const char *user, bool pty, const char *input, char **ret_out,
                      char *const *argv)
{
    struct brig_err err = BRIG_ERR_INIT;
    FILE *out = tmpfile();
    assert_non_null(out);
    int in[2];
    assert_int_equal(pipe(in), 0);
    if (input)
        assert_int_equal(write(in[1], input, strlen(input)), (ssize_t)strlen(input));
    close(in[1]);
    fflush(stdout);
    fflush(stderr);
    int s0 = dup(0), s1 = dup(1), s2 = dup(2);
    dup2(in[0], 0);
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
    struct brig_jail_exec_spec s = {
        .pid = p->pid, .starttime = p->starttime, .user = user, .argv = argv, .pty = pty};
    if (pol)
        s.policy = *pol;
    int status = -1;
    int r = brig_jail_exec(&s, &status, &err);
    dup2(s0, 0);
    dup2(s1, 1);
    dup2(s2, 2);
    close(s0);
    close(s1);
    close(s2);
    close(in[0]);
    if (r < 0)
        fail_msg("jexec %s: %s", argv ? argv[0] : "(login)", err.msg);
    rewind(out);
    struct brig_buf b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), out)) > 0)
        brig_buf_addn(&b, buf, n);
    fclose(out);
    brig_buf_addc(&b, '\0');
    *ret_out = brig_buf_steal(&b);
    return status;
}

static int jexec_sh(const struct brig_jail_proc *p, const char *cmd, char **ret_out)
{
    char sh[] = "/bin/sh", c[] = "-c";
    _cleanup_free_ char *cmd_copy = brig_xstrdup(cmd);
    char *argv[] = {sh, c, cmd_copy, NULL};
    return jexec_full(p, NULL, NULL, false, NULL, ret_out, argv);
}

static void test_jail_is_ready_only_after_exec_start_ran(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *started = brig_xasprintf("%s/started", rootdir);
    assert_true(brig_path_exists(started));
    _cleanup_free_ char *log = slurp(console_path);
    assert_non_null(strstr(log, "started\n"));
    stop(&p);
}

static void test_jail_has_its_hostname_and_only_its_processes(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *host = NULL, *ps = NULL;
    assert_int_equal(jexec_sh(&p, "hostname", &host), 0);
    assert_string_equal(host, "jail1.test\n");
    assert_int_equal(jexec_sh(&p, "ps -o pid,comm", &ps), 0);
    /* pid 1 is the init; the others are this jexec's own sh and ps. */
    int lines = 0, max_pid = 0;
    bool has_init = false;
    for (char *l = strchr(ps, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        int pid = atoi(l + 1);
        lines++;
        max_pid = pid > max_pid ? pid : max_pid;
        if (pid == 1 && strstr(l, "brig-init"))
            has_init = true;
    }
    if (!has_init || lines > 3 || max_pid > 20)
        fail_msg("ps in the jail shows:\n%s", ps);
    stop(&p);
}

static void test_jail_root_cannot_mount_mknod_or_see_hidden_devices(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *o5 = NULL;
    assert_int_not_equal(jexec_sh(&p, "mount -t tmpfs none /mnt", &o1), 0);
    assert_int_not_equal(jexec_sh(&p, "mknod /tmp/sda b 8 0", &o2), 0);
    assert_int_not_equal(jexec_sh(&p, "test -e /dev/sda", &o3), 0);
    assert_int_equal(jexec_sh(&p, "echo x > /dev/null && ls /dev", &o4), 0);
    assert_non_null(strstr(o4, "urandom"));
    assert_non_null(strstr(o4, "ptmx"));
    assert_null(strstr(o4, "sda"));
    /* The host-wide sysctls are read-only. */
    assert_int_not_equal(jexec_sh(&p, "echo core > /proc/sys/kernel/core_pattern", &o5), 0);
    stop(&p);
}

static void test_jail_with_allow_mount_can_mount(void **state)
{
    struct brig_jail_spec spec = default_spec();
    spec.policy.allow_mount = true;
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *o = NULL;
    struct brig_jail_policy pol = {.allow_mount = true};
    char sh[] = "/bin/sh", c[] = "-c", cmd[] = "mount -t tmpfs none /mnt && echo ok";
    char *argv[] = {sh, c, cmd, NULL};
    assert_int_equal(jexec_full(&p, &pol, NULL, false, NULL, &o, argv), 0);
    assert_string_equal(o, "ok\n");
    stop(&p);
}

static void test_jail_init_is_not_readable_by_jail_root(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL;
    /* Listing /proc/1/fd shows numbers; what they point to stays hidden. */
    assert_int_not_equal(jexec_sh(&p, "readlink /proc/1/fd/1", &o1), 0);
    assert_int_not_equal(jexec_sh(&p, "cat /proc/1/environ", &o2), 0);
    assert_int_not_equal(jexec_sh(&p, "ls /proc/1/root/ || cat /proc/1/maps", &o3), 0);
    /* The bounding set is the jail's. */
    assert_int_equal(jexec_sh(&p, "grep CapBnd /proc/self/status", &o4), 0);
    struct brig_jail_policy none = {0};
    _cleanup_free_ char *want =
        brig_xasprintf("CapBnd:\t%016llx\n", (unsigned long long)brig_jail_cap_mask(&none));
    assert_string_equal(o4, want);
    stop(&p);
}

/* Enter the jail's mount namespace and root as jexec does, restricted by
 * pol, and run check there in a child; returns the child's exit code. */
static int in_jail(const struct brig_jail_proc *p, const struct brig_jail_policy *pol,
                   int (*check)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct brig_err err = BRIG_ERR_INIT;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/root", (int)p->pid);
        int root = open(path, O_PATH | O_DIRECTORY);
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)p->pid);
        int mnt = open(path, O_RDONLY);
        if (root < 0 || mnt < 0 || setns(mnt, CLONE_NEWNS) < 0 || fchdir(root) < 0 ||
            chroot(".") < 0 || chdir("/") < 0)
            _exit(100);
        if (brig_jail_restrict(pol, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            _exit(101);
        }
        _exit(check());
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int check_denied_syscalls(void)
{
    if (syscall(SYS_init_module, NULL, 0, "") != -1 || errno != EPERM)
        return 1;
    if (syscall(SYS_finit_module, 0, "", 0) != -1 || errno != EPERM)
        return 2;
    if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
        return 3;
    if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM)
        return 4;
    if (syscall(SYS_reboot, 0, 0, 0, NULL) != -1 || errno != EPERM)
        return 5;
    if (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) != -1 || errno != EPERM)
        return 6;
    if (socket(AF_PACKET, SOCK_RAW, 0) != -1 || errno != EPERM)
        return 7;
    if (syscall(SYS_clock_settime, CLOCK_REALTIME, NULL) != -1 || errno != EPERM)
        return 8;
    return 0;
}

static int check_raw_socket(void)
{
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    return fd >= 0 ? 0 : 1;
}

/* The classic chroot escape: chroot below the cwd, then walk up. */
static int check_chroot_escape(void)
{
    if (mkdir("/esc", 0700) < 0 && errno != EEXIST)
        return 10;
    if (chroot("/esc") < 0)
        return 11;
    for (int i = 0; i < 64; i++)
        if (chdir("..") < 0)
            return 12;
    if (chroot(".") < 0)
        return 13;
    /* Still the jail: its rc is there, the host's test dir is not. */
    if (access("/etc/rc", F_OK) < 0)
        return 14;
    if (access(topdir, F_OK) == 0)
        return 15;
    return 0;
}

static void test_jail_root_cannot_reach_the_host(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    struct brig_jail_policy pol = {0};
    assert_int_equal(in_jail(&p, &pol, check_denied_syscalls), 0);
    assert_int_equal(in_jail(&p, &pol, check_chroot_escape), 0);
    struct brig_jail_policy raw = {.allow_raw_sockets = true};
    assert_int_equal(in_jail(&p, &raw, check_raw_socket), 0);
    struct brig_jail_policy bpf = {.net_raw = true};
    assert_int_equal(in_jail(&p, &bpf, check_raw_socket), 0);
    stop(&p);
}

static void test_jexec_passes_exit_status_user_and_no_fds(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL;
    assert_int_equal(jexec_sh(&p, "exit 7", &o1), 7);
    assert_int_equal(jexec_sh(&p, "kill -9 $$", &o2), 128 + 9);
    /* fds of the caller, even without O_CLOEXEC, stay out of the jail. */
    int leak1 = open("/", O_RDONLY), leak2 = open("/", O_RDONLY);
    assert_int_equal(jexec_sh(&p, "ls /proc/self/fd", &o3), 0);
    close(leak1);
    close(leak2);
    assert_string_equal(o3, "0\n1\n2\n3\n");
    char id[] = "id";
    char *argv[] = {id, NULL};
    assert_int_equal(jexec_full(&p, NULL, "nobody", false, NULL, &o4, argv), 0);
    assert_non_null(strstr(o4, "uid=65534"));
    assert_non_null(strstr(o4, "50(staff)"));
    stop(&p);
}

static void test_jexec_of_unknown_user_or_command_fails(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    struct brig_err err = BRIG_ERR_INIT;
    char cmd[] = "no-such-command";
    char *argv[] = {cmd, NULL};
    struct brig_jail_exec_spec s = {.pid = p.pid, .starttime = p.starttime, .argv = argv};
    int status;
    assert_int_equal(brig_jail_exec(&s, &status, &err), -1);
    assert_non_null(strstr(err.msg, "no-such-command"));
    s.user = "mallory";
    brig_err_clear(&err);
    assert_int_equal(brig_jail_exec(&s, &status, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "mallory"));
    stop(&p);
    brig_err_clear(&err);
    s.user = NULL;
    assert_int_equal(brig_jail_exec(&s, &status, &err), -1);
    assert_non_null(strstr(err.msg, "not running"));
}

/* A stand-in for a jail whose init has a user namespace of its own (root in
 * it is host uid 100000): pid 1 of new mount, uts, ipc and pid namespaces
 * owned by it, its root the host's. */
static pid_t userns_init(pid_t *ret_outer)
{
    int to_parent[2], to_child[2];
    assert_int_equal(pipe(to_parent), 0);
    assert_int_equal(pipe(to_child), 0);
    pid_t outer = fork();
    assert_true(outer >= 0);
    if (outer == 0) {
        char c;
        pid_t init;
        if (unshare(CLONE_NEWUSER) < 0 || write(to_parent[1], "u", 1) != 1 ||
            read(to_child[0], &c, 1) != 1 ||
            unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID) < 0)
            _exit(1);
        if ((init = fork()) == 0) {
            if (sethostname("in-userns", 9) < 0)
                _exit(1);
            for (;;)
                pause();
        }
        if (init < 0 || write(to_parent[1], &init, sizeof(init)) != sizeof(init))
            _exit(1);
        waitpid(init, NULL, 0);
        _exit(0);
    }
    char c;
    assert_int_equal(read(to_parent[0], &c, 1), 1);
    static const char *const maps[] = {"uid_map", "gid_map"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(maps); i++) {
        _cleanup_free_ char *path = brig_xasprintf("/proc/%d/%s", (int)outer, maps[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "0 100000 65536\n", 15), 15);
        close(fd);
    }
    assert_int_equal(write(to_child[1], "g", 1), 1);
    pid_t init = -1;
    assert_int_equal(read(to_parent[0], &init, sizeof(init)), (ssize_t)sizeof(init));
    close(to_parent[0]);
    close(to_parent[1]);
    close(to_child[0]);
    close(to_child[1]);
    *ret_outer = outer;
    return init;
}

static void test_jexec_joins_the_init_s_user_namespace_first(void **state)
{
    pid_t outer, init = userns_init(&outer);
    struct brig_jail_proc p = {.pid = init, .starttime = -1, .pidfd = -1, .sync_fd = -1};
    for (int i = 0; i < 100 && p.starttime < 0; i++)
        p.starttime = brig_proc_starttime(init);
    _cleanup_free_ char *o = NULL;
    int r = jexec_sh(&p, "hostname; id -u; cat /proc/self/uid_map", &o);
    kill(init, SIGKILL);
    waitpid(outer, NULL, 0);
    assert_int_equal(r, 0);
    assert_non_null(strstr(o, "in-userns\n0\n"));
    /* the map as seen from inside: root there is uid 100000 here */
    assert_non_null(strstr(o, "100000"));
}

static void test_jlogin_without_a_terminal_runs_the_login_shell(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    _cleanup_free_ char *o = NULL;
    assert_int_equal(jexec_full(&p, NULL, NULL, true, "echo login $0 $HOME\nexit 3\n", &o, NULL),
                     3);
    assert_string_equal(o, "login -sh /root\n");
    stop(&p);
}

static void test_jlogin_on_a_terminal_gets_a_pty_of_the_jail(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    start(&spec, &p);
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char *name = ptsname(master);
    assert_non_null(name);
    _cleanup_free_ char *slave_name = brig_xstrdup(name);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct brig_err err = BRIG_ERR_INIT;
        setsid();
        int slave = open(slave_name, O_RDWR);
        if (slave < 0)
            _exit(100);
        dup2(slave, 0);
        dup2(slave, 1);
        dup2(slave, 2);
        char sh[] = "/bin/sh", c[] = "-c", cmd[] = "tty; exit 5";
        char *argv[] = {sh, c, cmd, NULL};
        struct brig_jail_exec_spec s = {
            .pid = p.pid, .starttime = p.starttime, .argv = argv, .pty = true};
        int status = -1;
        if (brig_jail_exec(&s, &status, &err) < 0)
            _exit(101);
        _exit(status);
    }
    struct brig_buf b = {0};
    char buf[512];
    for (;;) {
        struct pollfd pf = {.fd = master, .events = POLLIN};
        if (poll(&pf, 1, 10000) <= 0)
            break;
        ssize_t n = read(master, buf, sizeof(buf));
        if (n <= 0)
            break;
        brig_buf_addn(&b, buf, (size_t)n);
        if (strstr(b.s, "\n"))
            break;
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(master);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 5);
    assert_non_null(b.s);
    assert_true(brig_startswith(b.s, "/dev/pts/0"));
    brig_buf_free(&b);
    stop(&p);
}

static void test_jail_stop_runs_exec_stop_and_kills_what_ignores_sigterm(void **state)
{
    struct brig_jail_spec spec = default_spec();
    spec.exec_start = "rm -f /bg; (trap '' TERM; echo > /bg; exec sleep 1000) >/dev/null 2>&1 &"
                      " until test -e /bg; do sleep 0.01; done";
    spec.exec_stop = "echo stopped > /stopped";
    spec.stop_timeout = 1;
    struct brig_jail_proc p;
    start(&spec, &p);
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_jail_stop(p.pid, p.starttime, spec.stop_timeout, spec.exec_timeout, &err) < 0)
        fail_msg("stop: %s", err.msg);
    assert_false(brig_jail_alive(p.pid, p.starttime));
    _cleanup_free_ char *stopped = brig_xasprintf("%s/stopped", rootdir);
    assert_true(brig_path_exists(stopped));
    _cleanup_free_ char *log = slurp(console_path);
    if (!strstr(log, "still running"))
        fail_msg("console log:\n%s", log);
    /* Stopping a stopped jail is not an error. */
    assert_int_equal(brig_jail_stop(p.pid, p.starttime, 1, 1, &err), 0);
    brig_jail_proc_clear(&p);
}

static void test_jail_without_persist_ends_with_its_last_process(void **state)
{
    struct brig_jail_spec spec = default_spec();
    spec.persist = false;
    spec.exec_start = "echo hi";
    struct brig_jail_proc p;
    struct brig_err err = BRIG_ERR_INIT;
    /* not start(): the jail may be gone already by the time release returns */
    if (brig_jail_spawn(&spec, &p, &err) < 0 || brig_jail_proc_release(&p, &err) < 0)
        fail_msg("start: %s", err.msg);
    struct pollfd pf = {.fd = p.pidfd, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 10000), 1);
    int status;
    assert_int_equal(waitpid(p.pid, &status, 0), p.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    brig_jail_proc_clear(&p);
}

static void test_jail_start_reports_a_failing_exec_start(void **state)
{
    struct brig_jail_spec spec = default_spec();
    spec.exec_start = "echo oops; exit 3";
    struct brig_jail_proc p;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_jail_spawn(&spec, &p, &err), 0);
    pid_t pid = p.pid;
    int64_t st = p.starttime;
    assert_int_equal(brig_jail_proc_release(&p, &err), -1);
    assert_string_equal(err.msg, "exec_start exited with status 3");
    assert_false(brig_jail_alive(pid, st));
    assert_int_equal(waitpid(pid, NULL, WNOHANG), -1); /* already reaped */

    spec.exec_start = "echo ok";
    spec.root = "/nonexistent-brig-root";
    brig_err_clear(&err);
    assert_int_equal(brig_jail_spawn(&spec, &p, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent-brig-root"));
}

static void test_jail_aborted_before_release_leaves_nothing(void **state)
{
    struct brig_jail_spec spec = default_spec();
    struct brig_jail_proc p;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_jail_spawn(&spec, &p, &err), 0);
    pid_t pid = p.pid;
    int64_t st = p.starttime;
    assert_true(brig_jail_alive(pid, st));
    brig_jail_proc_abort(&p);
    assert_false(brig_jail_alive(pid, st));
    _cleanup_free_ char *started = brig_xasprintf("%s/started", rootdir);
    assert_false(brig_path_exists(started));
}

static void test_pidfd_identity_tells_the_process_from_a_zombie_and_from_a_reused_pid(void **state)
{
    int pipefd[2];
    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char c;
        close(pipefd[1]);
        _exit(read(pipefd[0], &c, 1) < 0);
    }
    close(pipefd[0]);
    int64_t st = brig_proc_starttime(pid);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    assert_true(pidfd >= 0);
    uint64_t ino = brig_pidfd_ino(pidfd);
    close(pidfd);
    assert_true(brig_proc_alive_id(pid, st, ino));
    if (ino) {
        /* the pid now names another process: its pidfd has another inode */
        assert_false(brig_proc_alive_id(pid, st, ino + 1));
        assert_false(brig_proc_alive_id(pid, -1, ino + 1));
    }
    close(pipefd[1]);
    /* exited, not yet reaped: a zombie is not running */
    siginfo_t si;
    assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
    assert_false(brig_proc_alive_id(pid, st, ino));
    assert_false(brig_proc_alive(pid, st));
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_false(brig_proc_alive_id(pid, st, ino));
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test-linux_jail: needs root, skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pidfd_identity_tells_the_process_from_a_zombie_and_from_a_reused_pid),
        cmocka_unit_test(test_jail_is_ready_only_after_exec_start_ran),
        cmocka_unit_test(test_jail_has_its_hostname_and_only_its_processes),
        cmocka_unit_test(test_jail_root_cannot_mount_mknod_or_see_hidden_devices),
        cmocka_unit_test(test_jail_with_allow_mount_can_mount),
        cmocka_unit_test(test_jail_init_is_not_readable_by_jail_root),
        cmocka_unit_test(test_jail_root_cannot_reach_the_host),
        cmocka_unit_test(test_jexec_passes_exit_status_user_and_no_fds),
        cmocka_unit_test(test_jexec_of_unknown_user_or_command_fails),
        cmocka_unit_test(test_jexec_joins_the_init_s_user_namespace_first),
        cmocka_unit_test(test_jlogin_without_a_terminal_runs_the_login_shell),
        cmocka_unit_test(test_jlogin_on_a_terminal_gets_a_pty_of_the_jail),
        cmocka_unit_test(test_jail_stop_runs_exec_stop_and_kills_what_ignores_sigterm),
        cmocka_unit_test(test_jail_without_persist_ends_with_its_last_process),
        cmocka_unit_test(test_jail_start_reports_a_failing_exec_start),
        cmocka_unit_test(test_jail_aborted_before_release_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
