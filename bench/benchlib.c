/* benchlib: namespaces, timed runs, statistics and the LXC peer for the jail
 * benchmarks. Run by hand; this is not a test. */
#define _GNU_SOURCE
#include "benchlib.h"

#include <arpa/inet.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *bench_prog = "bench";

void bench_die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", bench_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

char *bench_args(int argc, char **argv, const char *prog, const char *what, int def_n, int max_n,
                 int *ret_n)
{
    bench_prog = prog;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s /path/to/%s [N]\n", prog, what);
        exit(2);
    }
    char *end = NULL;
    long n = argc == 3 ? strtol(argv[2], &end, 10) : def_n;
    if ((end && *end) || n < 1 || n > max_n) {
        fprintf(stderr, "%s: N must be 1..%d\n", prog, max_n);
        exit(2);
    }
    char *path = realpath(argv[1], NULL);
    if (!path || access(path, X_OK) < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
        exit(2);
    }
    *ret_n = (int)n;
    return path;
}

static void xmount(const char *src, const char *dst, const char *type, unsigned long flags)
{
    if (mount(src, dst, type, flags, NULL) < 0)
        bench_die("mount %s on %s: %s", src ? src : "(none)", dst, strerror(errno));
}

void bench_enter_namespaces(const char *prog)
{
    bench_prog = prog;
    if (geteuid() != 0)
        bench_die("must run as root (it makes namespaces, bridges and jails)");
    if (unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID) < 0)
        bench_die("unshare: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid > 0) {
        /* The original process: forward the end of the benchmark. */
        signal(SIGINT, SIG_IGN);
        int status;
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR)
                _exit(1);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    /* pid 1 of the new namespace: die with the parent. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    xmount(NULL, "/", NULL, MS_REC | MS_PRIVATE);
    xmount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
    /* A fresh sysfs shows this network namespace; keep the cgroup trees. */
    char keep[] = "/tmp/bench-cg-XXXXXX";
    if (!mkdtemp(keep))
        bench_die("mkdtemp: %s", strerror(errno));
    xmount("/sys/fs/cgroup", keep, NULL, MS_BIND | MS_REC);
    xmount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
    xmount(keep, "/sys/fs/cgroup", NULL, MS_MOVE);
    rmdir(keep);
    /* LXC's locks and state stay in this namespace. */
    mkdir("/run/lxc", 0755);
    xmount("tmpfs", "/run/lxc", "tmpfs", MS_NOSUID | MS_NODEV);
    bench_private_subids("/run/lxc");
    bench_run((const char *const[]){"ip", "link", "set", "lo", "up", NULL});
}

void bench_private_subids(const char *dir)
{
    static const char *const subids[] = {"/etc/subuid", "/etc/subgid"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(subids); i++) {
        _cleanup_free_ char *copy = brig_xasprintf("%s/%s", dir, subids[i] + 5);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct brig_err err = BRIG_ERR_INIT;
        if (brig_read_file(subids[i], 1 << 24, &data, &len, &err) < 0) {
            data = brig_xstrdup("");
            len = 0;
        }
        if (brig_write_file_atomic(copy, data, len, 0644, &err) < 0)
            bench_die("%s", err.msg);
        int fd = open(subids[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
        xmount(copy, subids[i], NULL, MS_BIND);
    }
}

static char **dup_argv(const char *const *argv)
{
    char **v = NULL;
    for (; *argv; argv++)
        brig_strv_push(&v, *argv);
    return v;
}

static pid_t spawn_to(const char *const *argv, int out_fd)
{
    _cleanup_strv_ char **args = dup_argv(argv);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0) {
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid;
    int r = posix_spawnp(&pid, argv[0], &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0)
        bench_die("spawn %s: %s", argv[0], strerror(r));
    return pid;
}

static int wait_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            bench_die("waitpid: %s", strerror(errno));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void print_failure(const char *const *argv, int status, int log_fd)
{
    fprintf(stderr, "%s: command failed with status %d:", bench_prog, status);
    for (size_t i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fputc('\n', stderr);
    if (log_fd < 0)
        return;
    off_t end = lseek(log_fd, 0, SEEK_END);
    off_t from = end > 2000 ? end - 2000 : 0;
    char buf[2001];
    ssize_t n = pread(log_fd, buf, sizeof(buf) - 1, from);
    if (n > 0) {
        buf[n] = '\0';
        fprintf(stderr, "%s", buf);
    }
}

double bench_run_status(const char *const *argv, int *ret_status)
{
    int log_fd = memfd_create("bench-log", MFD_CLOEXEC);
    uint64_t t0 = brig_now_ns();
    pid_t pid = spawn_to(argv, log_fd);
    int status = wait_status(pid);
    uint64_t t1 = brig_now_ns();
    if (status != 0 && !ret_status)
        print_failure(argv, status, log_fd);
    if (log_fd >= 0)
        close(log_fd);
    if (status != 0 && !ret_status)
        exit(1);
    if (ret_status)
        *ret_status = status;
    return bench_ms(t0, t1);
}

double bench_run(const char *const *argv)
{
    return bench_run_status(argv, NULL);
}

pid_t bench_spawn(const char *const *argv)
{
    return spawn_to(argv, -1);
}

void bench_wait(pid_t pid, const char *what)
{
    int status = wait_status(pid);
    if (status != 0)
        bench_die("%s failed with status %d", what, status);
}

void bench_sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

double bench_ms(uint64_t t0, uint64_t t1)
{
    return (double)(t1 - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct bench_stats bench_stats(const double *ms, size_t n)
{
    struct bench_stats s = {0};
    if (n == 0)
        return s;
    double *v = brig_xmalloc(n * sizeof(*v));
    memcpy(v, ms, n * sizeof(*v));
    qsort(v, n, sizeof(*v), cmp_double);
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.p90 = v[(9 * n + 9) / 10 - 1]; /* nearest rank: ceil(0.9 n) */
    s.min = v[0];
    s.max = v[n - 1];
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s.mean = sum / (double)n;
    free(v);
    return s;
}

char *bench_make_tree(const char *prog, char **ret_lxc)
{
    char *top = brig_xasprintf("/tmp/brig-bench-%s-XXXXXX", prog);
    if (!mkdtemp(top))
        bench_die("mkdtemp: %s", strerror(errno));
    _cleanup_free_ char *wd = brig_xasprintf("%s/wd", top);
    setenv("BRIG_WORKDIR", wd, 1);
    *ret_lxc = brig_xasprintf("%s/lxc", top);
    if (mkdir(*ret_lxc, 0755) < 0)
        bench_die("mkdir %s: %s", *ret_lxc, strerror(errno));
    return top;
}

void bench_print_machine(void)
{
    struct utsname u;
    char model[256] = "?";
    _cleanup_free_ char *cpuinfo = NULL;
    if (brig_read_file("/proc/cpuinfo", 1 << 20, &cpuinfo, NULL, NULL) == 0) {
        const char *m = strstr(cpuinfo, "model name");
        const char *colon = m ? strchr(m, ':') : NULL;
        if (colon) {
            size_t len = strcspn(colon + 2, "\n");
            snprintf(model, sizeof(model), "%.*s", (int)len, colon + 2);
        }
    }
    uname(&u);
    printf("machine: %s %s, %ld CPUs (%s), MemTotal %ld MiB\n", u.sysname, u.release,
           sysconf(_SC_NPROCESSORS_ONLN), model, sysconf(_SC_PHYS_PAGES) / 256);
}

void bench_print_versions(const char *brig)
{
    struct brig_err err = BRIG_ERR_INIT;
    int st;
    _cleanup_free_ char *bv = NULL, *lv = NULL;
    _cleanup_strv_ char **a1 = dup_argv((const char *const[]){brig, "--version", NULL});
    _cleanup_strv_ char **a2 = dup_argv((const char *const[]){"lxc-start", "--version", NULL});
    brig_run(a1, NULL, &st, &bv, &err);
    brig_run(a2, NULL, &st, &lv, &err);
    printf("brig: %s (%.*s), LXC %.*s\n", brig, bv ? (int)strcspn(bv, "\n") : 1, bv ? bv : "?",
           lv ? (int)strcspn(lv, "\n") : 1, lv ? lv : "?");
}

long bench_mem_available_kb(void)
{
    _cleanup_free_ char *mi = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_read_file("/proc/meminfo", 1 << 16, &mi, NULL, &err) < 0)
        bench_die("read /proc/meminfo: %s", err.msg);
    const char *p = strstr(mi, "MemAvailable:");
    if (!p)
        bench_die("no MemAvailable in /proc/meminfo");
    return strtol(p + strlen("MemAvailable:"), NULL, 10);
}

long bench_pss_total_kb(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        bench_die("opendir /proc: %s", strerror(errno));
    long total = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        _cleanup_free_ char *p = brig_xasprintf("/proc/%s/smaps_rollup", de->d_name);
        _cleanup_free_ char *text = NULL;
        struct brig_err err = BRIG_ERR_INIT;
        if (brig_read_file(p, 1 << 16, &text, NULL, &err) < 0)
            continue; /* gone, or a kernel thread */
        const char *pss = strstr(text, "\nPss:");
        if (pss)
            total += strtol(pss + strlen("\nPss:"), NULL, 10);
    }
    closedir(d);
    return total;
}

void bench_bridge_add(const char *name, const char *cidr)
{
    bench_run((const char *const[]){"ip", "link", "add", name, "type", "bridge", NULL});
    bench_run((const char *const[]){"ip", "addr", "add", cidr, "dev", name, NULL});
    bench_run((const char *const[]){"ip", "link", "set", name, "up", NULL});
    bench_neigh_fast(name);
}

void bench_neigh_fast(const char *iface)
{
    _cleanup_free_ char *p = brig_xasprintf("/proc/sys/net/ipv4/neigh/%s/retrans_time_ms", iface);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "1", 1) < 0)
        bench_die("write %s: %s", p, strerror(errno));
    close(fd);
}

void bench_neigh_flush(const char *bridge)
{
    bench_run((const char *const[]){"ip", "neigh", "flush", "dev", bridge, NULL});
}

void bench_lxc_create(const char *lxcpath, const char *name, const char *bridge, const char *cidr)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *conf = brig_xasprintf("%s/%s.net.conf", lxcpath, name);
    _cleanup_free_ char *text = brig_xasprintf("lxc.net.0.type = veth\n"
                                               "lxc.net.0.link = %s\n"
                                               "lxc.net.0.flags = up\n"
                                               "lxc.net.0.ipv4.address = %s\n",
                                               bridge, cidr);
    if (brig_write_file_atomic(conf, text, strlen(text), 0644, &err) < 0)
        bench_die("%s", err.msg);
    bench_run((const char *const[]){"lxc-create", "-P", lxcpath, "-n", name, "-t", "busybox", "-f",
                                    conf, NULL});
    unlink(conf);
    /* Static address: no DHCP client in the container's rcS. */
    _cleanup_free_ char *rcs = brig_xasprintf("%s/%s/rootfs/etc/init.d/rcS", lxcpath, name);
    _cleanup_free_ char *data = NULL;
    if (brig_read_file(rcs, 1 << 16, &data, NULL, &err) < 0)
        bench_die("%s", err.msg);
    struct brig_buf out = {0};
    for (char *line = data; *line;) {
        size_t len = strcspn(line, "\n");
        if (!strstr(line, "udhcpc") || strstr(line, "udhcpc") > line + len)
            brig_buf_addn(&out, line, len + (line[len] == '\n'));
        line += len + (line[len] == '\n');
    }
    _cleanup_free_ char *s = brig_buf_steal(&out);
    if (brig_write_file_atomic(rcs, s ? s : "", s ? strlen(s) : 0, 0744, &err) < 0)
        bench_die("%s", err.msg);
}

static uint16_t icmp_sum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)(p[len - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

static void reap(pid_t *pid, int options, uint64_t t0, int *ret_status, double *ret_exit_ms)
{
    if (*pid <= 0)
        return;
    int status;
    pid_t r = waitpid(*pid, &status, options);
    if (r == 0 || (r < 0 && errno == EINTR))
        return;
    if (r < 0)
        bench_die("waitpid: %s", strerror(errno));
    *ret_exit_ms = bench_ms(t0, brig_now_ns());
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    *pid = 0;
}

double bench_ping_until(const char *addr, uint64_t t0, unsigned interval_us, unsigned timeout_ms,
                        pid_t pid, int *ret_status, double *ret_exit_ms)
{
    struct sockaddr_in dst = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1)
        bench_die("bad address %s", addr);
    _cleanup_close_ int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0)
        bench_die("icmp socket: %s", strerror(errno));
    uint16_t id = (uint16_t)getpid() ^ 0x5a5a;
    uint64_t deadline = t0 + (uint64_t)timeout_ms * 1000000ULL;
    for (uint16_t seq = 1;; seq++) {
        reap(&pid, WNOHANG, t0, ret_status, ret_exit_ms);
        uint64_t now = brig_now_ns();
        if (now > deadline) {
            while (pid > 0)
                reap(&pid, 0, t0, ret_status, ret_exit_ms);
            return -1;
        }
        struct icmphdr req = {.type = ICMP_ECHO};
        req.un.echo.id = htons(id);
        req.un.echo.sequence = htons(seq);
        req.checksum = icmp_sum(&req, sizeof(req));
        /* EHOSTUNREACH etc. before the address resolves: keep trying. */
        (void)sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&dst, sizeof(dst));
        uint64_t until = now + (uint64_t)interval_us * 1000ULL;
        for (;;) {
            now = brig_now_ns();
            if (now >= until)
                break;
            struct timespec ts = {0, (long)(until - now)};
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (ppoll(&pfd, 1, &ts, NULL) <= 0)
                break;
            uint8_t buf[256];
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
            if (n < (ssize_t)sizeof(struct iphdr))
                continue;
            const struct iphdr *ip = (const struct iphdr *)buf;
            size_t hl = (size_t)ip->ihl * 4;
            if ((size_t)n < hl + sizeof(struct icmphdr))
                continue;
            const struct icmphdr *rep = (const struct icmphdr *)(buf + hl);
            if (from.sin_addr.s_addr == dst.sin_addr.s_addr && rep->type == ICMP_ECHOREPLY &&
                rep->un.echo.id == htons(id)) {
                double ms = bench_ms(t0, brig_now_ns());
                while (pid > 0)
                    reap(&pid, 0, t0, ret_status, ret_exit_ms);
                return ms;
            }
        }
    }
}

/* Counting: perf_event_open counters bound to cgroups (every task of the
 * cgroup and its descendants, on every CPU), read before and after a run
 * while the benchmark itself sits in the counted cgroup. */

enum { CNT_FAULTS, CNT_CSW, CNT_TASK_CLOCK, CNT_FORKS, CNT_EXECS, CNT_SYSCALLS, CNT_KINDS };

static struct {
    bool on;
    char *v2root; /* mount point of cgroup v2 */
    char *home;   /* the benchmark's own cgroup, relative */
    char *cmd;    /* the counted cgroup, absolute */
    int *fd;      /* [ncg][ncpu][CNT_KINDS], -1 where unavailable */
    size_t nfd;
    int ncpu;
    long tp[CNT_KINDS]; /* tracepoint ids, 0 when unknown */
} cnt;

static long tracepoint_id(const char *name)
{
    _cleanup_free_ char *p = brig_xasprintf("/sys/kernel/tracing/events/%s/id", name);
    _cleanup_free_ char *text = NULL;
    if (brig_read_file(p, 64, &text, NULL, NULL) < 0)
        return 0;
    return strtol(text, NULL, 10);
}

static int perf_open(struct perf_event_attr *a, int cgfd, int cpu)
{
    return (int)syscall(SYS_perf_event_open, a, cgfd, cpu, -1,
                        PERF_FLAG_PID_CGROUP | PERF_FLAG_FD_CLOEXEC);
}

static void count_open(const char *dir)
{
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", cnt.v2root, dir);
    _cleanup_close_ int cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0)
        bench_die("open %s: %s", path, strerror(errno));
    cnt.fd = brig_xrealloc(cnt.fd, (cnt.nfd + (size_t)cnt.ncpu * CNT_KINDS) * sizeof(int));
    for (int cpu = 0; cpu < cnt.ncpu; cpu++) {
        for (int k = 0; k < CNT_KINDS; k++) {
            struct perf_event_attr a = {.size = sizeof(a)};
            static const unsigned long long sw[] = {
                [CNT_FAULTS] = PERF_COUNT_SW_PAGE_FAULTS,
                [CNT_CSW] = PERF_COUNT_SW_CONTEXT_SWITCHES,
                [CNT_TASK_CLOCK] = PERF_COUNT_SW_TASK_CLOCK,
            };
            if (k <= CNT_TASK_CLOCK) {
                a.type = PERF_TYPE_SOFTWARE;
                a.config = sw[k];
            } else {
                a.type = PERF_TYPE_TRACEPOINT;
                a.config = (unsigned long long)cnt.tp[k];
            }
            int fd = -1;
            if (a.type == PERF_TYPE_SOFTWARE || a.config != 0) {
                fd = perf_open(&a, cgfd, cpu);
                if (fd < 0)
                    bench_die("perf_event_open on %s, cpu %d: %s", path, cpu, strerror(errno));
            }
            cnt.fd[cnt.nfd++] = fd;
        }
    }
}

static char *own_cgroup(void)
{
    _cleanup_free_ char *text = NULL;
    if (brig_read_file("/proc/self/cgroup", 1 << 16, &text, NULL, NULL) < 0)
        return NULL;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "0::", 3) == 0)
            return brig_xstrdup(line + 3);
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static char *cgroup2_mount(void)
{
    _cleanup_free_ char *text = NULL;
    if (brig_read_file("/proc/self/mounts", 1 << 20, &text, NULL, NULL) < 0)
        return NULL;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char dev[64], dir[512], type[64];
        if (sscanf(line, "%63s %511s %63s", dev, dir, type) == 3 && strcmp(type, "cgroup2") == 0)
            return brig_xstrdup(dir);
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static void count_cleanup(void)
{
    for (size_t i = 0; i < cnt.nfd; i++)
        if (cnt.fd[i] >= 0)
            close(cnt.fd[i]);
    if (cnt.cmd)
        rmdir(cnt.cmd);
}

bool bench_count_init(void)
{
    cnt.v2root = cgroup2_mount();
    cnt.home = own_cgroup();
    if (!cnt.v2root || !cnt.home) {
        printf("counts: off (no cgroup v2)\n");
        return false;
    }
    if (access("/sys/kernel/tracing/events", F_OK) < 0 &&
        mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
            0)
        printf("counts: no tracefs (%s): forks, execs and syscalls not counted\n", strerror(errno));
    cnt.tp[CNT_FORKS] = tracepoint_id("sched/sched_process_fork");
    cnt.tp[CNT_EXECS] = tracepoint_id("sched/sched_process_exec");
    cnt.tp[CNT_SYSCALLS] = tracepoint_id("raw_syscalls/sys_enter");
    cnt.ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
    cnt.cmd = brig_xasprintf("%s/bench-count-XXXXXX", cnt.v2root);
    if (!mkdtemp(cnt.cmd))
        bench_die("mkdir %s: %s", cnt.cmd, strerror(errno));
    atexit(count_cleanup);
    count_open(cnt.cmd + strlen(cnt.v2root) + 1);
    cnt.on = true;
    return true;
}

void bench_count_add_cgroup(const char *dir)
{
    if (cnt.on)
        count_open(dir);
}

char *bench_jail_cgroup_parent(const char *jname)
{
    DIR *d = opendir("/proc");
    if (!d)
        return NULL;
    _cleanup_free_ char *tail = brig_xasprintf("/%s", jname);
    char *found = NULL;
    struct dirent *de;
    while (!found && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        _cleanup_free_ char *p = brig_xasprintf("/proc/%s/cgroup", de->d_name);
        _cleanup_free_ char *text = NULL;
        if (brig_read_file(p, 1 << 16, &text, NULL, NULL) < 0)
            continue;
        char *line = strstr(text, "0::/");
        if (!line)
            continue;
        line[strcspn(line, "\n")] = '\0';
        size_t len = strlen(line), tl = strlen(tail);
        if (len > tl + 3 && strcmp(line + len - tl, tail) == 0)
            found = brig_xstrndup(line + 4, len - tl - 4);
    }
    closedir(d);
    return found;
}

static void count_read(double *v)
{
    for (int k = 0; k < CNT_KINDS; k++)
        v[k] = 0;
    for (size_t i = 0; i < cnt.nfd; i++) {
        int k = (int)(i % CNT_KINDS);
        uint64_t x = 0;
        if (cnt.fd[i] < 0) {
            v[k] = -1;
            continue;
        }
        if (read(cnt.fd[i], &x, sizeof(x)) != (ssize_t)sizeof(x))
            bench_die("read a counter: %s", strerror(errno));
        if (v[k] >= 0)
            v[k] += (double)x;
    }
}

static void count_move(const char *dir)
{
    _cleanup_free_ char *p = brig_xasprintf("%s/cgroup.procs", dir);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1)
        bench_die("join %s: %s", dir, strerror(errno));
    close(fd);
}

static double count_before[CNT_KINDS];

void bench_count_begin(void)
{
    if (!cnt.on)
        return;
    count_read(count_before);
    count_move(cnt.cmd);
}

void bench_count_end(struct bench_counts *ret)
{
    if (!cnt.on)
        return;
    _cleanup_free_ char *home = brig_xasprintf("%s%s", cnt.v2root, cnt.home);
    double after[CNT_KINDS], d[CNT_KINDS];
    count_move(home);
    count_read(after);
    for (int k = 0; k < CNT_KINDS; k++)
        d[k] = count_before[k] < 0 ? -1 : after[k] - count_before[k];
    *ret = (struct bench_counts){
        .faults = d[CNT_FAULTS],
        .csw = d[CNT_CSW],
        .forks = d[CNT_FORKS],
        .execs = d[CNT_EXECS],
        .syscalls = d[CNT_SYSCALLS],
        .cpu_ms = d[CNT_TASK_CLOCK] / 1e6,
    };
}

double bench_run_counted(const char *const *argv, struct bench_counts *ret)
{
    bench_count_begin();
    double ms = bench_run(argv);
    bench_count_end(ret);
    return ms;
}

static double median_of(const struct bench_counts *c, size_t n, size_t off)
{
    double *v = brig_xcalloc(n ? n : 1, sizeof(double));
    for (size_t i = 0; i < n; i++)
        memcpy(&v[i], (const char *)&c[i] + off, sizeof(double));
    struct bench_stats s = bench_stats(v, n);
    free(v);
    return s.median;
}

struct bench_counts bench_counts_median(const struct bench_counts *c, size_t n)
{
    return (struct bench_counts){
        .faults = median_of(c, n, offsetof(struct bench_counts, faults)),
        .csw = median_of(c, n, offsetof(struct bench_counts, csw)),
        .forks = median_of(c, n, offsetof(struct bench_counts, forks)),
        .execs = median_of(c, n, offsetof(struct bench_counts, execs)),
        .syscalls = median_of(c, n, offsetof(struct bench_counts, syscalls)),
        .cpu_ms = median_of(c, n, offsetof(struct bench_counts, cpu_ms)),
    };
}

const char *bench_counts_str(const struct bench_counts *c, char *buf, size_t size)
{
    if (!cnt.on) {
        snprintf(buf, size, "counts off");
        return buf;
    }
    snprintf(buf, size, "faults %.0f, csw %.0f, forks %.0f, execs %.0f, syscalls %.0f, cpu %.2f ms",
             c->faults, c->csw, c->forks, c->execs, c->syscalls, c->cpu_ms);
    return buf;
}

double bench_print_floor(const char *brig, int runs)
{
    double *ms = brig_xcalloc((size_t)runs, sizeof(double));
    struct bench_counts *c = brig_xcalloc((size_t)runs, sizeof(*c));
    double brig_median = 0;
    static const char *const what[] = {"/bin/true", "brig --version"};
    for (size_t w = 0; w < BRIG_ARRAY_SIZE(what); w++) {
        for (int i = 0; i < runs; i++) {
            if (w == 0)
                ms[i] = bench_run_counted((const char *const[]){"/bin/true", NULL}, &c[i]);
            else
                ms[i] = bench_run_counted((const char *const[]){brig, "--version", NULL}, &c[i]);
        }
        struct bench_stats s = bench_stats(ms, (size_t)runs);
        struct bench_counts m = bench_counts_median(c, (size_t)runs);
        char buf[160];
        printf("floor: %-15s median %6.2f ms, p90 %6.2f (%d runs); %s\n", what[w], s.median, s.p90,
               runs, bench_counts_str(&m, buf, sizeof(buf)));
        if (w == 1)
            brig_median = s.median;
    }
    fflush(stdout);
    free(ms);
    free(c);
    return brig_median;
}
