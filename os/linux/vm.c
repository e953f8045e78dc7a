/* VMs on Linux: QEMU as a table of steps with undo, as jails are started.
 * QEMU runs as the VM's own unprivileged id, in the VM's cgroup, on taps that
 * brig makes and hands to that id; it is controlled through QMP. */
#define _GNU_SOURCE
#include "os/linux/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "core/mac.h"
#include "core/vm.h"
#include "os/linux/cgroup.h"
#include "os/linux/net.h"
#include "os/linux/proc.h"
#include "os/linux/qmp.h"
#include "os/linux/usock.h"
#include "os/linux/vnet.h"
#include "util.h"

#define QEMU_BIN "qemu-system-x86_64"
/* UEFI firmware of Debian's ovmf package */
#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE.fd"
/* host memory QEMU itself may use beyond the guest's (TCG's code cache is capped below it) */
#define QEMU_OVERHEAD (INT64_C(256) << 20)
/* how long a QMP command may take to answer */
#define QMP_TIMEOUT_MS 5000
/* QEMU gets NIC i's tap as this fd + i: it never opens /dev/net/tun itself */
#define TAP_FD_BASE 100
#define MAX_NICS    16
/* QEMU reaches its directory and the files it boots through these fds
 * (/proc/self/fd/N): none of their parent directories need let it through */
#define DIR_FD       99
#define FILE_FD_BASE 96 /* kernel, initrd, vm_iso */
static const enum brig_param_id file_params[] = {BRIG_P_KERNEL, BRIG_P_INITRD, BRIG_P_VM_ISO};

struct lv {
    const struct brig_jail_env *env;
    const struct brig_jail *j;
    const char *jname;
    const char *dir;
    uid_t uid; /* QEMU's: the first id of the VM's range */
    struct brig_cgroup_limits lim;
    struct brig_runtime rt;
    bool graceful; /* undo of the QEMU step powers the guest off first */
};

static const char *jv(const struct lv *s, enum brig_param_id id)
{
    return s->j->v[id] ? s->j->v[id] : "";
}

static char *run_path(const struct lv *s, const char *name)
{
    return brig_xasprintf("%s/%s", s->dir, name);
}

/* name in the VM's directory as QEMU reaches it */
static char *qemu_path(const char *name)
{
    return brig_xasprintf("/proc/self/fd/%d/%s", DIR_FD, name);
}

/* file parameter file_params[i] as QEMU reaches it */
static char *qemu_file(size_t i)
{
    return brig_xasprintf("/proc/self/fd/%zu", FILE_FD_BASE + i);
}

int brig_vm_tap_name(int64_t vm_id, int idx, char out[IFNAMSIZ], struct brig_err *err)
{
    int n = snprintf(out, IFNAMSIZ, "%st%" PRId64 "n%d", brig_ifprefix(), vm_id, idx);
    if (n < 0 || n >= IFNAMSIZ)
        return brig_err_set(err, BRIG_EFAIL, "VM id %" PRId64 " is too large for a tap name",
                            vm_id);
    return 0;
}

static int nic_mac(const struct lv *s, const struct brig_nic *nic, uint8_t mac[6],
                   struct brig_err *err)
{
    if (strcmp(nic->hwaddr, "0") == 0) {
        brig_mac_derive(s->env->node->nodename, s->jname, nic->idx, mac);
        return 0;
    }
    return brig_mac_parse(nic->hwaddr, mac, err);
}

static void unlink_run_files(const struct lv *s)
{
    static const char *const names[] = {"qmp.sock", "console.sock"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(names); i++) {
        _cleanup_free_ char *p = run_path(s, names[i]);
        unlink(p);
    }
}

static int dir_apply(void *st, struct brig_err *err)
{
    struct lv *s = st;
    struct stat sb;
    if (lstat(s->dir, &sb) < 0)
        return brig_err_sys(err, errno, "VM directory %s", s->dir);
    if (!S_ISDIR(sb.st_mode) || sb.st_uid != s->uid)
        return brig_err_set(err, BRIG_EFAIL, "VM directory %s is not a directory of uid %u", s->dir,
                            (unsigned)s->uid);
    unlink_run_files(s);
    return 0;
}

static int dir_undo(void *st, struct brig_err *err)
{
    (void)err;
    unlink_run_files(st);
    return 0;
}

static int cgroup_apply(void *st, struct brig_err *err)
{
    struct lv *s = st;
    if (brig_cgroup_create_for(s->jname, &s->lim, err) < 0 ||
        brig_cgroup_set_limits(s->jname, &s->lim, err) < 0)
        return -1;
    return 0;
}

/* The last resort of a stop and the whole of a recovery: every process of the
 * VM's cgroup is killed, then the cgroup goes. */
static int cgroup_undo(void *st, struct brig_err *err)
{
    struct lv *s = st;
    return brig_cgroup_destroy(s->jname, err);
}

static int bridges_apply(void *st, struct brig_err *err)
{
    struct lv *s = st;
    bool dhcp;
    if (brig_vnet_bridges_ready(s->env, &dhcp, err) < 0)
        return -1;
    /* the guest's own DHCP client (ip4_addr=REALDHCP) asks brig's dnsmasq */
    return dhcp ? brig_vnet_ra_up(s->env, err) : 0;
}

static int taps_undo(void *st, struct brig_err *err)
{
    struct lv *s = st;
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (brig_nl_open(&nl, err) < 0)
        return -1;
    int r = 0;
    for (size_t i = 0; i < s->env->nnics; i++) {
        char name[IFNAMSIZ];
        if (brig_vm_tap_name(s->j->id, s->env->nics[i].idx, name, err) < 0 ||
            brig_link_delete_ours(nl, name, NULL, r == 0 ? err : NULL) < 0)
            r = -1;
    }
    /* after the taps: no frame of theirs goes unfiltered */
    if (brig_vnet_taps_unfilter(s->env, r == 0 ? err : NULL) < 0)
        r = -1;
    return r;
}

static int taps_apply(void *st, struct brig_err *err)
{
    struct lv *s = st;
    _cleanup_nl_ struct brig_nl *nl = NULL;
    if (s->env->nnics == 0)
        return 0;
    /* the filters are in place before the taps are on their bridges */
    if (brig_vnet_taps_filter(s->env, err) < 0 || brig_nl_open(&nl, err) < 0)
        return -1;
    for (size_t i = 0; i < s->env->nnics; i++) {
        const struct brig_nic *nic = &s->env->nics[i];
        char name[IFNAMSIZ];
        uint8_t mac[6];
        if (brig_vm_tap_name(s->j->id, nic->idx, name, err) < 0 || nic_mac(s, nic, mac, err) < 0)
            return -1;
        /* the tap's own MAC must not be the guest's: the bridge would keep the
         * guest's frames for the host; fe: as first byte keeps it from
         * becoming the bridge's own address */
        mac[0] = 0xfe;
        _cleanup_free_ char *alias = brig_xasprintf("%s-eth%d", s->jname, nic->idx);
        struct brig_tap t = {
            .name = name,
            .bridge = brig_vnet_bridge(s->env->node, nic->parent),
            .alias = alias,
            .mac = mac,
            .uid = s->uid,
            .gid = s->uid,
        };
        /* a tap left by a crash is made again (brig_tap_create) */
        if (brig_tap_create(nl, &t, err) < 0)
            return brig_err_wrap(err, "eth%d", nic->idx);
    }
    return 0;
}

/* QEMU's argv: everything is an argument, nothing goes through a shell. */
static char **qemu_argv(const struct lv *s, bool kvm, struct brig_err *err)
{
    char **v = NULL;
    uint64_t ram = 0;
    if (brig_parse_size(jv(s, BRIG_P_VM_RAM), &ram, err) < 0)
        return NULL;
    _cleanup_free_ char *mem = brig_xasprintf("%" PRIu64 "M", ram >> 20);
    _cleanup_free_ char *qmp = qemu_path("qmp.sock");
    _cleanup_free_ char *con = qemu_path("console.sock");
    _cleanup_free_ char *log = qemu_path("console.log");
    _cleanup_free_ char *kernel = qemu_file(0), *initrd = qemu_file(1), *iso = qemu_file(2);
    _cleanup_free_ char *name = brig_xasprintf("guest=%s", s->jname);
    _cleanup_free_ char *chr_qmp = brig_xasprintf("socket,id=qmp,path=%s,server=on,wait=off", qmp);
    _cleanup_free_ char *chr_con = brig_xasprintf(
        "socket,id=serial0,path=%s,server=on,wait=off,logfile=%s,logappend=on", con, log);
    const char *base[] = {QEMU_BIN,
                          "-name",
                          name,
                          "-machine",
                          "q35",
                          "-accel",
                          kvm ? "kvm" : "tcg,tb-size=64",
                          "-cpu",
                          kvm ? "host" : "max",
                          "-smp",
                          jv(s, BRIG_P_VM_CPUS),
                          "-m",
                          mem,
                          "-nodefaults",
                          "-no-user-config",
                          "-display",
                          "none",
                          "-daemonize",
                          "-sandbox",
                          "on,obsolete=deny,"
                          "resourcecontrol=deny",
                          "-chardev",
                          chr_qmp,
                          "-mon",
                          "chardev=qmp,mode=control",
                          "-chardev",
                          chr_con,
                          "-serial",
                          "chardev:serial0"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(base); i++)
        brig_strv_push(&v, base[i]);
    if (brig_streq(s->j->v[BRIG_P_VM_EFI], "uefi")) {
        _cleanup_free_ char *fw =
            brig_xasprintf("if=pflash,format=raw,readonly=on,file=%s", OVMF_CODE);
        brig_strv_push(&v, "-drive");
        brig_strv_push(&v, fw);
    }
    if (*jv(s, BRIG_P_KERNEL)) {
        brig_strv_push(&v, "-kernel");
        brig_strv_push(&v, kernel);
        if (*jv(s, BRIG_P_INITRD)) {
            brig_strv_push(&v, "-initrd");
            brig_strv_push(&v, initrd);
        }
        brig_strv_push(&v, "-append");
        brig_strv_push(&v, jv(s, BRIG_P_APPEND));
    }
    uint64_t size = 0;
    brig_parse_size(jv(s, BRIG_P_IMGSIZE), &size, NULL);
    if (size > 0) {
        _cleanup_free_ char *dir = brig_xasprintf("/proc/self/fd/%d", DIR_FD);
        _cleanup_free_ char *disk = brig_vm_disk_path(dir, jv(s, BRIG_P_IMGTYPE));
        _cleanup_free_ char *d =
            brig_xasprintf("file=%s,format=%s,if=virtio,discard=unmap", disk,
                           brig_streq(jv(s, BRIG_P_IMGTYPE), "qcow2") ? "qcow2" : "raw");
        brig_strv_push(&v, "-drive");
        brig_strv_push(&v, d);
    }
    if (*jv(s, BRIG_P_VM_ISO)) {
        _cleanup_free_ char *d =
            brig_xasprintf("file=%s,format=raw,media=cdrom,readonly=on,if=ide", iso);
        brig_strv_push(&v, "-drive");
        brig_strv_push(&v, d);
    }
    /* the cloud-init seed: NoCloud finds it by its label on any disk */
    _cleanup_free_ char *seed = run_path(s, "seed.iso");
    if (brig_path_exists(seed)) {
        _cleanup_free_ char *q = qemu_path("seed.iso");
        _cleanup_free_ char *d = brig_xasprintf("file=%s,format=raw,readonly=on,if=virtio", q);
        brig_strv_push(&v, "-drive");
        brig_strv_push(&v, d);
    }
    if (*jv(s, BRIG_P_VM_ISO)) {
        brig_strv_push(&v, "-boot");
        brig_strv_push(&v, "order=dc");
    }
    for (size_t i = 0; i < s->env->nnics; i++) {
        const struct brig_nic *nic = &s->env->nics[i];
        char tap[IFNAMSIZ], macs[BRIG_MAC_STRLEN];
        uint8_t mac[6];
        if (brig_vm_tap_name(s->j->id, nic->idx, tap, err) < 0 || nic_mac(s, nic, mac, err) < 0) {
            brig_strv_free(v);
            return NULL;
        }
        _cleanup_free_ char *nd = brig_xasprintf("tap,id=net%d,fd=%zu", nic->idx, TAP_FD_BASE + i);
        _cleanup_free_ char *dev = brig_xasprintf("virtio-net-pci,netdev=net%d,mac=%s", nic->idx,
                                                  brig_mac_format(mac, macs));
        brig_strv_push(&v, "-netdev");
        brig_strv_push(&v, nd);
        brig_strv_push(&v, "-device");
        brig_strv_push(&v, dev);
    }
    int64_t vnc = brig_jail_int(s->j, BRIG_P_VM_VNC_PORT);
    if (vnc != 1) {
        /* 0: QEMU takes the first free display from 5900 up */
        _cleanup_free_ char *arg =
            vnc == 0 ? brig_xasprintf("127.0.0.1:0,to=1000%s",
                                      *jv(s, BRIG_P_VNC_PASSWORD) ? ",password=on" : "")
                     : brig_xasprintf("127.0.0.1:%" PRId64 "%s", vnc - 5900,
                                      *jv(s, BRIG_P_VNC_PASSWORD) ? ",password=on" : "");
        brig_strv_push(&v, "-device");
        brig_strv_push(&v, "VGA");
        brig_strv_push(&v, "-vnc");
        brig_strv_push(&v, arg);
    }
    return v;
}

static bool kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* The files QEMU opens by path must be readable by the VM's id: say which is not. */
static int check_readable(const struct lv *s, struct brig_err *err)
{
    const enum brig_param_id *ids = file_params;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(file_params); i++) {
        const char *p = jv(s, ids[i]);
        struct stat sb;
        if (!*p)
            continue;
        if (stat(p, &sb) < 0)
            return brig_err_sys(err, errno, "%s %s", brig_params[ids[i]].name, p);
        if (!(sb.st_mode & S_IROTH) && !(sb.st_uid == s->uid && (sb.st_mode & S_IRUSR)))
            return brig_err_set(err, BRIG_EFAIL,
                                "%s %s is not readable by the VM's user %u (chmod o+r)",
                                brig_params[ids[i]].name, p, (unsigned)s->uid);
    }
    return 0;
}

/* Open NIC i's tap into fds[i] (close-on-exec: the child moves them). */
static int taps_open(const struct lv *s, int *fds, struct brig_err *err)
{
    for (size_t i = 0; i < s->env->nnics; i++) {
        char name[IFNAMSIZ];
        if (brig_vm_tap_name(s->j->id, s->env->nics[i].idx, name, err) < 0 ||
            brig_tap_open(name, &fds[i], err) < 0)
            return -1;
    }
    return 0;
}

/* The child between fork and exec: the VM's cgroup, its own id, no way back to root. */
static void qemu_child(const struct lv *s, char **argv, const int *taps, int errfd)
{
    struct brig_err e = BRIG_ERR_INIT;
    gid_t gid = (gid_t)s->uid;
    int dir = open(s->dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0 || dup2(dir, DIR_FD) < 0) {
        dprintf(errfd, "open %s: %s\n", s->dir, strerror(errno));
        _exit(126);
    }
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(file_params); i++) {
        const char *p = jv(s, file_params[i]);
        int fd = *p ? open(p, O_PATH | O_CLOEXEC) : -1;
        if (*p && (fd < 0 || dup2(fd, FILE_FD_BASE + (int)i) < 0)) {
            dprintf(errfd, "open %s: %s\n", p, strerror(errno));
            _exit(126);
        }
    }
    for (size_t i = 0; i < s->env->nnics; i++) {
        if (dup2(taps[i], TAP_FD_BASE + (int)i) < 0) {
            dprintf(errfd, "dup2: %s\n", strerror(errno));
            _exit(126);
        }
    }
    if (brig_cgroup_join(s->jname, getpid(), &s->lim, false, &e) < 0) {
        dprintf(errfd, "%s\n", e.msg);
        _exit(126);
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(errfd, STDOUT_FILENO) < 0 ||
        dup2(errfd, STDERR_FILENO) < 0 || setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
        setresuid(s->uid, s->uid, s->uid) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        dprintf(errfd, "drop to uid %u: %s\n", (unsigned)s->uid, strerror(errno));
        _exit(126);
    }
    char path[] = "PATH=/usr/local/bin:/usr/bin:/bin";
    char *envp[] = {path, NULL};
    execvpe(argv[0], argv, envp);
    dprintf(errfd, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* The daemon's pid: the one process of the VM's cgroup. (No -pidfile: QEMU
 * resolves its path with realpath(3), which needs every parent directory of
 * the workdir to let the VM's id through.) */
static int read_pid(const struct lv *s, pid_t *ret, struct brig_err *err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    if (brig_cgroup_pids(s->jname, &pids, &n, err) < 0)
        return -1;
    if (n != 1)
        return brig_err_set(err, BRIG_EFAIL, "the VM's cgroup holds %zu processes, not QEMU alone",
                            n);
    *ret = pids[0];
    return 0;
}

static int qemu_apply(void *st, struct brig_err *err)
{
    struct lv *s = st;
    if (check_readable(s, err) < 0)
        return -1;
    if (brig_streq(s->j->v[BRIG_P_VM_EFI], "uefi") && !brig_path_exists(OVMF_CODE))
        return brig_err_set(err, BRIG_EFAIL, "vm_efi=uefi needs %s (Debian's ovmf)", OVMF_CODE);
    _cleanup_strv_ char **argv = qemu_argv(s, kvm_usable(), err);
    if (!argv)
        return -1;
    if (s->env->nnics > MAX_NICS)
        return brig_err_set(err, BRIG_EUSAGE, "a VM has at most %d NICs", MAX_NICS);
    int taps[MAX_NICS], pfd[2];
    for (size_t i = 0; i < MAX_NICS; i++)
        taps[i] = -1;
    int r = taps_open(s, taps, err);
    if (r == 0 && pipe2(pfd, O_CLOEXEC) < 0)
        r = brig_err_sys(err, errno, "pipe");
    pid_t child = r == 0 ? fork() : -1;
    if (child == 0) {
        close(pfd[0]);
        qemu_child(s, argv, taps, pfd[1]);
    }
    for (size_t i = 0; i < MAX_NICS; i++) {
        if (taps[i] >= 0)
            close(taps[i]);
    }
    if (r == 0 && child < 0) {
        brig_err_sys(err, errno, "fork");
        close(pfd[0]);
        close(pfd[1]);
    }
    if (child < 0)
        return -1;
    close(pfd[1]);
    /* -daemonize: the first process exits once the VM is set up, or with its
     * error; the daemon's stderr goes to /dev/null once it runs, so the pipe
     * ends either way */
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    char msg[512] = "";
    size_t got = 0;
    for (;;) {
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        if (got >= sizeof(msg) - 1 || poll(&p, 1, 2000) <= 0)
            break;
        ssize_t n = read(pfd[0], msg + got, sizeof(msg) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    msg[got] = '\0';
    close(pfd[0]);
    msg[strcspn(msg, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return brig_err_set(err, BRIG_EFAIL, "%s: %s", QEMU_BIN,
                            *msg ? msg : "failed (no message)");
    pid_t pid = 0;
    if (read_pid(s, &pid, err) < 0)
        return -1;
    s->rt.pid = pid;
    s->rt.starttime = brig_proc_starttime(pid);
    if (*jv(s, BRIG_P_VNC_PASSWORD)) {
        _cleanup_free_ char *qmp = run_path(s, "qmp.sock");
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *cmd = NULL;
        if (brig_qmp_open(qmp, QMP_TIMEOUT_MS, &fd, err) < 0)
            return -1;
        cmd = brig_xasprintf("{\"execute\": \"change-vnc-password\", \"arguments\": "
                             "{\"password\": \"%s\"}}\n",
                             jv(s, BRIG_P_VNC_PASSWORD));
        /* the password is checked to hold no quote when it is set */
        if (write(fd, cmd, strlen(cmd)) < 0)
            return brig_err_sys(err, errno, "QMP: vnc password");
    }
    return 0;
}

/* A stop: the ACPI power button, hard_timeout for the guest to power off,
 * then QMP quit. QEMU's exit is seen as its monitor closing; whatever still
 * runs after is killed with the cgroup. */
static int qemu_undo(void *st, struct brig_err *err)
{
    struct lv *s = st;
    (void)err;
    if (!s->graceful)
        return 0;
    _cleanup_free_ char *qmp = run_path(s, "qmp.sock");
    _cleanup_close_ int fd = -1;
    if (brig_qmp_open(qmp, QMP_TIMEOUT_MS, &fd, NULL) < 0)
        return 0;
    int64_t wait_s = brig_jail_int(s->j, BRIG_P_HARD_TIMEOUT);
    if (wait_s > 0 && brig_qmp_exec(fd, "system_powerdown", QMP_TIMEOUT_MS, NULL, NULL) == 0 &&
        brig_qmp_wait_close(fd, (int)wait_s * 1000) == 1)
        return 0;
    if (brig_qmp_exec(fd, "quit", QMP_TIMEOUT_MS, NULL, NULL) == 0)
        brig_qmp_wait_close(fd, QMP_TIMEOUT_MS);
    return 0;
}

static const struct brig_step vm_steps[] = {
    {"VM directory", dir_apply, dir_undo}, {"cgroup", cgroup_apply, cgroup_undo},
    {"bridges", bridges_apply, NULL},      {"taps", taps_apply, taps_undo},
    {"QEMU", qemu_apply, qemu_undo},
};

static int lv_init(struct lv *s, const struct brig_jail_env *env, struct brig_err *err)
{
    memset(s, 0, sizeof(*s));
    s->env = env;
    s->j = env->jail;
    s->jname = env->jail->v[BRIG_P_JNAME];
    s->dir = env->vmdir;
    s->uid = env->jail->idmap;
    if (!s->dir)
        return brig_err_set(err, BRIG_EFAIL, "%s has no VM directory", s->jname);
    if (brig_cgroup_set_node(env->node->nodeid, err) < 0)
        return -1;
    uint64_t ram = 0;
    brig_parse_size(jv(s, BRIG_P_VM_RAM), &ram, NULL);
    s->lim = (struct brig_cgroup_limits){
        .memoryuse = ram + (uint64_t)QEMU_OVERHEAD,
        .maxproc = 512,
        .pcpu = 100 * (unsigned)brig_jail_int(s->j, BRIG_P_VM_CPUS),
    };
    return 0;
}

static void describe_plan(struct lv *s, bool stop, struct brig_buf *out)
{
    size_t n = BRIG_ARRAY_SIZE(vm_steps);
    brig_buf_addf(out, "# %s %s (linux)\n", stop ? "bstop" : "bstart", s->jname);
    for (size_t i = 0, k = 0; i < n; i++) {
        const struct brig_step *st = &vm_steps[stop ? n - 1 - i : i];
        if (!stop)
            brig_buf_addf(out, "%zu. %s\n", ++k, st->name);
        else if (st->undo)
            brig_buf_addf(out, "%zu. undo: %s\n", ++k, st->name);
    }
    if (stop)
        return;
    _cleanup_strv_ char **argv = qemu_argv(s, kvm_usable(), NULL);
    brig_buf_addf(out, "# as uid %u, fd %d: %s", (unsigned)s->uid, DIR_FD, s->dir);
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(file_params); i++) {
        if (*jv(s, file_params[i]))
            brig_buf_addf(out, ", fd %zu: %s", FILE_FD_BASE + i, jv(s, file_params[i]));
    }
    brig_buf_add(out, "\n");
    for (size_t i = 0; argv && argv[i]; i++) {
        _cleanup_free_ char *q = brig_shell_quote(argv[i]);
        brig_buf_addf(out, "%s%s", i ? " " : "# ", q);
    }
    brig_buf_add(out, "\n");
}

int brig_linux_vm_start(const struct brig_jail_env *env, const struct brig_journal_hook *journal,
                        struct brig_runtime *ret, struct brig_err *err)
{
    struct lv s;
    if (lv_init(&s, env, err) < 0)
        return -1;
    if (!s.uid)
        return brig_err_set(err, BRIG_EFAIL, "%s has no id range: QEMU never runs as root",
                            s.jname);
    if (env->plan) {
        describe_plan(&s, false, env->plan);
        return 0;
    }
    int r = brig_steps_run("bstart", vm_steps, BRIG_ARRAY_SIZE(vm_steps), &s, journal, err);
    if (r == 0)
        *ret = s.rt;
    return r;
}

int brig_linux_vm_stop(const struct brig_jail_env *env, const struct brig_runtime *rt,
                       const struct brig_journal_hook *journal, struct brig_err *err)
{
    struct lv s;
    if (lv_init(&s, env, err) < 0)
        return -1;
    if (env->plan) {
        describe_plan(&s, true, env->plan);
        return 0;
    }
    s.rt = *rt;
    s.graceful = true;
    if (journal)
        journal->mark(journal->ud, "bstop", 1, NULL);
    brig_fault_point("bstop", 1, "before");
    return brig_steps_undo(vm_steps, BRIG_ARRAY_SIZE(vm_steps), &s, err);
}

int brig_linux_vm_recover(const struct brig_jail_env *env, const struct brig_runtime *rt,
                          struct brig_err *err)
{
    struct lv s;
    if (lv_init(&s, env, err) < 0)
        return -1;
    s.rt = *rt;
    s.graceful = false;
    return brig_steps_undo(vm_steps, BRIG_ARRAY_SIZE(vm_steps), &s, err);
}

int brig_linux_vm_status(const char *vmdir, char *buf, size_t len, struct brig_err *err)
{
    _cleanup_free_ char *qmp = brig_xasprintf("%s/qmp.sock", vmdir);
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *reply = NULL;
    /* a monitor held by another brig (a bstop) answers no one else */
    if (brig_qmp_open(qmp, 500, &fd, err) < 0 ||
        brig_qmp_exec(fd, "query-status", 1000, &reply, err) < 0)
        return -1;
    if (brig_qmp_field(reply, "status", buf, len) < 0)
        return brig_err_set(err, BRIG_EFAIL, "QMP: query-status: no status");
    return 0;
}

/* Relay between the terminal and the console socket; "~." at the start of a
 * line detaches, as cu(1) does. */
static int relay(int in, int out, int sock, struct brig_err *err)
{
    bool line_start = true, tilde = false;
    bool in_open = true;
    char buf[4096];
    for (;;) {
        struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
                              {.fd = in_open ? in : -1, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return brig_err_sys(err, errno, "poll");
        }
        if (p[0].revents) {
            ssize_t n = read(sock, buf, sizeof(buf));
            if (n <= 0)
                return brig_err_set(err, BRIG_EFAIL, "the VM's console closed (it stopped?)");
            if (write(out, buf, (size_t)n) < 0)
                return brig_err_sys(err, errno, "write");
        }
        if (!p[1].revents)
            continue;
        ssize_t n = read(in, buf, sizeof(buf));
        if (n <= 0) {
            /* stdin ended: keep showing the console until ~. or the VM closes it */
            in_open = false;
            continue;
        }
        char send_buf[4096 + 1];
        size_t k = 0;
        for (ssize_t i = 0; i < n; i++) {
            char ch = buf[i];
            if (tilde) {
                tilde = false;
                if (ch == '.')
                    return 0;
                send_buf[k++] = '~';
            } else if (line_start && ch == '~') {
                tilde = true;
                line_start = false;
                continue;
            }
            send_buf[k++] = ch;
            line_start = ch == '\r' || ch == '\n';
        }
        if (k && send(sock, send_buf, k, MSG_NOSIGNAL) < 0)
            return brig_err_sys(err, errno, "send");
    }
}

int brig_linux_vm_console(const char *vmdir, int in, int out, struct brig_err *err)
{
    _cleanup_free_ char *path = brig_xasprintf("%s/console.sock", vmdir);
    _cleanup_close_ int sock = brig_usock_connect(path, true, err);
    if (sock < 0)
        return -1;
    struct termios saved, raw;
    bool tty = isatty(in) && tcgetattr(in, &saved) == 0;
    if (tty) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(in, TCSANOW, &raw);
    }
    dprintf(out, "[connected to the serial console; ~. detaches]\r\n");
    int r = relay(in, out, sock, err);
    if (tty)
        tcsetattr(in, TCSANOW, &saved);
    if (r == 0)
        dprintf(out, "\r\n[detached]\r\n");
    return r;
}
