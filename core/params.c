#define _GNU_SOURCE
#include "params.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "kv.h"
#include "util.h"

static const char *const emulators[] = {"jail", "linux", "qemu", "bhyve", NULL};
static const char *const vm_os_types[] = {"linux",   "freebsd", "openbsd", "netbsd",
                                          "windows", "other",   NULL};
static const char *const imgtypes[] = {"raw", "qcow2", NULL};
static const char *const vm_efis[] = {"bios", "uefi", "none", NULL};
/* What a jail's init may be asked to stop with: brig's own init takes SIGTERM,
 * systemd halts on SIGRTMIN+3, a SysV init powers off on SIGPWR or SIGINT. */
static const char *const stop_signals[] = {"SIGTERM",    "SIGINT",     "SIGHUP",
                                           "SIGPWR",     "SIGUSR1",    "SIGUSR2",
                                           "SIGRTMIN+3", "SIGRTMIN+4", NULL};

#define P(id_, name_, type_, def_, k_, help_)                                                      \
    [id_] = {.name = name_, .type = type_, .def = def_, .kernels = k_, .help = help_}
/* A row of jails and VMs alike (PB) or of VMs only (PV). */
#define PB(id_, name_, type_, def_, k_, help_)                                                     \
    [id_] = {.name = name_,                                                                        \
             .type = type_,                                                                        \
             .def = def_,                                                                          \
             .kernels = k_,                                                                        \
             .to = BRIG_FOR_BOTH,                                                                  \
             .help = help_}
#define PV(id_, name_, type_, def_, help_)                                                         \
    [id_] = {.name = name_,                                                                        \
             .type = type_,                                                                        \
             .def = def_,                                                                          \
             .kernels = BRIG_K_BOTH,                                                               \
             .to = BRIG_FOR_VM,                                                                    \
             .help = help_}

const struct brig_param brig_params[BRIG_P__COUNT] = {
    [BRIG_P_JNAME] = {.name = "jname",
                      .type = BRIG_T_NAME,
                      .def = NULL,
                      .kernels = BRIG_K_BOTH,
                      .immutable = true,
                      .to = BRIG_FOR_BOTH,
                      .help = "jail or VM name (letters, digits, _ and -)"},
    P(BRIG_P_HOST_HOSTNAME, "host_hostname", BRIG_T_HOSTNAME, "${hostjname}.my.domain", BRIG_K_BOTH,
      "host name inside the jail"),
    [BRIG_P_PATH] = {.name = "path",
                     .type = BRIG_T_PATH,
                     .def = "${workdir}/jails/${jname}",
                     .kernels = BRIG_K_BOTH,
                     .immutable = true,
                     .help = "the jail's root mount point"},
    [BRIG_P_DATA] = {.name = "data",
                     .type = BRIG_T_PATH,
                     .def = "${workdir}/jails-data/${jname}-data",
                     .kernels = BRIG_K_BOTH,
                     .immutable = true,
                     .help = "the jail's writable data directory"},
    [BRIG_P_BASE] = {.name = "base",
                     .type = BRIG_T_NAME,
                     .def = "busybox",
                     .kernels = BRIG_K_BOTH,
                     .immutable = true,
                     .help = "base the jail is built from (see repo)"},
    [BRIG_P_BASERW] = {.name = "baserw",
                       .type = BRIG_T_BOOL,
                       .def = "0",
                       .kernels = BRIG_K_BOTH,
                       .immutable = true,
                       .help = "1: thick jail with its own copy of the base; 0: thin jail"},
    [BRIG_P_IP4_ADDR] = {.name = "ip4_addr",
                         .type = BRIG_T_ADDRS,
                         .def = "DHCP",
                         .vnet_def = "0",
                         .kernels = BRIG_K_BOTH,
                         .to = BRIG_FOR_BOTH,
                         .help = "0, DHCP (brig's IPAM), REALDHCP (client in the jail) or "
                                 "addr[/prefix],… (IPv4 and IPv6)"},
    PB(BRIG_P_VNET, "vnet", BRIG_T_BOOL, "0", BRIG_K_BOTH,
       "1: the jail has its own network stack (VIMAGE / network namespace)"),
    PB(BRIG_P_INTERFACE, "interface", BRIG_T_IFACE, "auto", BRIG_K_BOTH,
       "bridge for VNET NICs, or interface for aliases; auto: brig's default bridge"),
    PB(BRIG_P_CI_GW4, "ci_gw4", BRIG_T_GATEWAY, "auto", BRIG_K_BOTH,
       "default route inside a VNET jail: auto (the bridge's gateway), 0 (none) or an address"),
    P(BRIG_P_CI_GW6, "ci_gw6", BRIG_T_GATEWAY, "auto", BRIG_K_BOTH,
      "IPv6 default route inside a VNET jail: auto (the bridge's IPv6 gateway), 0 (none) or an "
      "IPv6 address"),
    PB(BRIG_P_NIC_HWADDR, "nic_hwaddr", BRIG_T_MAC, "0", BRIG_K_BOTH,
       "MAC of eth0: 0 derives a stable locally administered one"),
    PB(BRIG_P_NIC_FILTER, "nic_filter", BRIG_T_BOOL, "1", BRIG_K_LINUX,
       "1: eth0 may send only from its MAC and the jail's addresses (bridge port filter); 0: from "
       "any (routers)"),
    [BRIG_P_DEVFS_RULESET] = {.name = "devfs_ruleset",
                              .type = BRIG_T_UINT,
                              .def = "4",
                              .vnet_def = "5",
                              .kernels = BRIG_K_BOTH,
                              .min = 0,
                              .max = 65535,
                              .help = "devfs.rules ruleset number for the jail's /dev"},
    P(BRIG_P_EXEC_START, "exec_start", BRIG_T_STRING, "/bin/sh /etc/rc", BRIG_K_BOTH,
      "command run inside the jail at start"),
    P(BRIG_P_EXEC_STOP, "exec_stop", BRIG_T_STRING, "/bin/sh /etc/rc.shutdown", BRIG_K_BOTH,
      "command run inside the jail at stop"),
    P(BRIG_P_EXEC_PRESTART, "exec_prestart", BRIG_T_STRING, "", BRIG_K_BOTH,
      "command run on the host before the jail starts"),
    P(BRIG_P_EXEC_POSTSTART, "exec_poststart", BRIG_T_STRING, "", BRIG_K_BOTH,
      "command run on the host after the jail started"),
    P(BRIG_P_EXEC_PRESTOP, "exec_prestop", BRIG_T_STRING, "", BRIG_K_BOTH,
      "command run on the host before the jail stops"),
    P(BRIG_P_EXEC_POSTSTOP, "exec_poststop", BRIG_T_STRING, "", BRIG_K_BOTH,
      "command run on the host after the jail stopped"),
    [BRIG_P_EXEC_TIMEOUT] = {.name = "exec_timeout",
                             .type = BRIG_T_UINT,
                             .def = "180",
                             .kernels = BRIG_K_BOTH,
                             .min = 0,
                             .max = 86400,
                             .help = "seconds an exec_* command may run (0: no limit)"},
    [BRIG_P_STOP_TIMEOUT] = {.name = "stop_timeout",
                             .type = BRIG_T_UINT,
                             .def = "10",
                             .kernels = BRIG_K_BOTH,
                             .min = 0,
                             .max = 86400,
                             .help = "seconds between SIGTERM and SIGKILL at stop"},
    P(BRIG_P_PERSIST, "persist", BRIG_T_BOOL, "1", BRIG_K_BOTH,
      "1: the jail lives on without processes; 0: it ends with its last process"),
    PB(BRIG_P_ASTART, "astart", BRIG_T_BOOL, "0", BRIG_K_BOTH, "1: start the jail at boot"),
    [BRIG_P_B_ORDER] = {.name = "b_order",
                        .type = BRIG_T_UINT,
                        .def = "10",
                        .kernels = BRIG_K_BOTH,
                        .min = 0,
                        .max = 1000000,
                        .to = BRIG_FOR_BOTH,
                        .help = "boot order of autostart jails (lower first)"},
    P(BRIG_P_ALLOW_RAW_SOCKETS, "allow_raw_sockets", BRIG_T_BOOL, "0", BRIG_K_BOTH,
      "1: root in the jail may open raw sockets"),
    P(BRIG_P_ALLOW_MOUNT, "allow_mount", BRIG_T_BOOL, "0", BRIG_K_BOTH,
      "1: root in the jail may mount file systems"),
    P(BRIG_P_ALLOW_SYSVIPC, "allow_sysvipc", BRIG_T_BOOL, "0", BRIG_K_BOTH,
      "1: the jail shares System V IPC with the host; 0: it has its own"),
    P(BRIG_P_MOUNT_DEVFS, "mount_devfs", BRIG_T_BOOL, "1", BRIG_K_BOTH,
      "1: mount a devfs (/dev per devfs_ruleset) in the jail"),
    P(BRIG_P_MOUNT_PROCFS, "mount_procfs", BRIG_T_BOOL, "1", BRIG_K_BOTH,
      "1: mount /proc in the jail"),
    P(BRIG_P_MOUNT_FDESCFS, "mount_fdescfs", BRIG_T_BOOL, "1", BRIG_K_BOTH,
      "1: mount fdescfs (/dev/fd) in the jail"),
    P(BRIG_P_MOUNT_LINPROCFS, "mount_linprocfs", BRIG_T_BOOL, "0", BRIG_K_FREEBSD,
      "1: mount linprocfs at /compat/linux/proc (emulator=linux)"),
    P(BRIG_P_MOUNT_LINSYSFS, "mount_linsysfs", BRIG_T_BOOL, "0", BRIG_K_FREEBSD,
      "1: mount linsysfs at /compat/linux/sys (emulator=linux)"),
    [BRIG_P_ENFORCE_STATFS] = {.name = "enforce_statfs",
                               .type = BRIG_T_UINT,
                               .def = "2",
                               .kernels = BRIG_K_FREEBSD,
                               .min = 0,
                               .max = 2,
                               .help = "which mount points the jail sees (jail(8))"},
    P(BRIG_P_MKHOSTSFILE, "mkhostsfile", BRIG_T_BOOL, "1", BRIG_K_BOTH,
      "1: write the jail's /etc/hosts with its names and addresses"),
    P(BRIG_P_JNAMESERVER, "jnameserver", BRIG_T_IPLIST, "auto", BRIG_K_BOTH,
      "name servers for the jail's /etc/resolv.conf (auto: the host's that the jail reaches; "
      "0: leave it alone)"),
    [BRIG_P_EMULATOR] = {.name = "emulator",
                         .type = BRIG_T_ENUM,
                         .def = "jail",
                         .kernels = BRIG_K_BOTH,
                         .choices = emulators,
                         .to = BRIG_FOR_BOTH,
                         .help = "jail, or linux (FreeBSD linuxulator: NICs keep their epair "
                                 "name); a VM's: qemu (Linux) or bhyve (FreeBSD)"},
    [BRIG_P_MEMORYUSE] = {.name = "memoryuse",
                          .type = BRIG_T_SIZE,
                          .def = "0",
                          .kernels = BRIG_K_BOTH,
                          .min = 1 << 20,
                          .max = INT64_C(1) << 60,
                          .help = "memory limit, at least 1m, e.g. 512m (0: none)"},
    [BRIG_P_MAXPROC] = {.name = "maxproc",
                        .type = BRIG_T_UINT,
                        .def = "4096",
                        /* without kern.racct.enable=1 FreeBSD refuses every limit */
                        .freebsd_def = "0",
                        .kernels = BRIG_K_BOTH,
                        .min = 0,
                        .max = 4194304,
                        .help = "process limit (0: none; FreeBSD's default is 0)"},
    [BRIG_P_PCPU] = {.name = "pcpu",
                     .type = BRIG_T_UINT,
                     .def = "0",
                     .kernels = BRIG_K_BOTH,
                     .min = 0,
                     .max = 100,
                     .help = "CPU limit in percent of one CPU (0: none)"},
    [BRIG_P_OPENFILES] = {.name = "openfiles",
                          .type = BRIG_T_UINT,
                          .def = "0",
                          .kernels = BRIG_K_BOTH,
                          .min = 0,
                          .max = 1048576,
                          .help = "open file limit per process (0: none)"},
    P(BRIG_P_CPUSET, "cpuset", BRIG_T_CPULIST, "0", BRIG_K_BOTH,
      "CPUs the jail may run on, e.g. 0-1,3 (0: all)"),
    [BRIG_P_USERNS] = {.name = "userns",
                       .type = BRIG_T_BOOL,
                       .def = "1",
                       .kernels = BRIG_K_LINUX,
                       .immutable = true,
                       .help = "1: jail root is an unprivileged user of its own id range (user "
                               "namespace); 0: host root (unsafe)"},
    P(BRIG_P_EXEC_INIT, "exec_init", BRIG_T_PROGRAM, "", BRIG_K_LINUX,
      "program run as the jail's pid 1 once it is set up (the base's own init, e.g. systemd); "
      "empty: brig's init stays pid 1 and runs exec_start"),
    [BRIG_P_STOP_SIGNAL] = {.name = "stop_signal",
                            .type = BRIG_T_ENUM,
                            .def = "SIGTERM",
                            .kernels = BRIG_K_LINUX,
                            .choices = stop_signals,
                            .help =
                                "signal jstop sends the jail's init (SIGRTMIN+3 halts systemd)"},
    P(BRIG_P_DEPEND, "depend", BRIG_T_STRING, "0", BRIG_K_BOTH,
      "jails this one needs, a comma list (0: none): jstart starts them first, jstop of one "
      "of them is refused while this one runs (force=1 stops this one first)"),
    P(BRIG_P_EXEC_ENV, "exec_env", BRIG_T_STRING, "", BRIG_K_LINUX,
      "environment of exec_start and exec_stop: KEY=value words, quoted as for /bin/sh (an OCI "
      "base's Env by default)"),
    P(BRIG_P_EXEC_CWD, "exec_cwd", BRIG_T_STRING, "", BRIG_K_LINUX,
      "directory exec_start and exec_stop run in (empty: /; an OCI base's WorkingDir by "
      "default)"),
    P(BRIG_P_EXEC_USER, "exec_user", BRIG_T_STRING, "", BRIG_K_LINUX,
      "user exec_start and exec_stop run as: user[:group], names of the jail or numbers "
      "(empty: root; an OCI base's User by default)"),
    [BRIG_P_CONSOLE_LOG_SIZE] = {.name = "console_log_size",
                                 .type = BRIG_T_SIZE,
                                 .def = "1m",
                                 .kernels = BRIG_K_LINUX,
                                 .min = 64 << 10,
                                 .max = INT64_C(1) << 30,
                                 .help = "cap of jails-system/JNAME/console.log, at least 64k; "
                                         "past it the oldest half is dropped (0: no cap)"},
    [BRIG_P_VM_OS_TYPE] = {.name = "vm_os_type",
                           .type = BRIG_T_ENUM,
                           .def = "linux",
                           .kernels = BRIG_K_BOTH,
                           .choices = vm_os_types,
                           .to = BRIG_FOR_VM,
                           .help = "the guest's system: linux, freebsd, openbsd, netbsd, windows, "
                                   "other"},
    [BRIG_P_VM_CPUS] = {.name = "vm_cpus",
                        .type = BRIG_T_UINT,
                        .def = "1",
                        .kernels = BRIG_K_BOTH,
                        .min = 1,
                        .max = 64,
                        .to = BRIG_FOR_VM,
                        .help = "virtual CPUs (also the VM's CPU limit on the host)"},
    [BRIG_P_VM_RAM] = {.name = "vm_ram",
                       .type = BRIG_T_SIZE,
                       .def = "512m",
                       .kernels = BRIG_K_BOTH,
                       .min = INT64_C(32) << 20,
                       .max = INT64_C(1) << 40,
                       .to = BRIG_FOR_VM,
                       .help = "the guest's memory, at least 32m, e.g. 1g"},
    [BRIG_P_IMGSIZE] = {.name = "imgsize",
                        .type = BRIG_T_SIZE,
                        .def = "10g",
                        .kernels = BRIG_K_BOTH,
                        .min = INT64_C(1) << 20,
                        .max = INT64_C(16) << 40,
                        .immutable = true,
                        .to = BRIG_FOR_VM,
                        .help = "size of the VM's first disk (0: no disk)"},
    [BRIG_P_IMGTYPE] = {.name = "imgtype",
                        .type = BRIG_T_ENUM,
                        .def = "raw",
                        .kernels = BRIG_K_BOTH,
                        .choices = imgtypes,
                        .immutable = true,
                        .to = BRIG_FOR_VM,
                        .help = "the disk's format: raw (a sparse file) or qcow2"},
    [BRIG_P_VM_EFI] = {.name = "vm_efi",
                       .type = BRIG_T_ENUM,
                       .def = "bios",
                       .freebsd_def = "uefi", /* bhyve has no BIOS */
                       .kernels = BRIG_K_BOTH,
                       .choices = vm_efis,
                       .to = BRIG_FOR_VM,
                       .help = "firmware: bios, uefi, or none (kernel= boots directly; the "
                               "default when kernel= is given); bhyve: uefi by default, bios "
                               "boots a FreeBSD guest with bhyveload"},
    PV(BRIG_P_KERNEL, "kernel", BRIG_T_FILE, "",
       "a kernel the VM boots directly (vm_efi=none), e.g. /boot/vmlinuz"),
    PV(BRIG_P_INITRD, "initrd", BRIG_T_FILE, "", "the initramfs for kernel="),
    PV(BRIG_P_APPEND, "append", BRIG_T_STRING, "console=ttyS0",
       "the kernel command line for kernel="),
    PV(BRIG_P_VM_ISO, "vm_iso", BRIG_T_FILE, "",
       "an ISO image attached as a CD-ROM (install media)"),
    [BRIG_P_VM_VNC_PORT] = {.name = "vm_vnc_port",
                            .type = BRIG_T_UINT,
                            .def = "1",
                            .kernels = BRIG_K_BOTH,
                            .min = 0,
                            .max = 65535,
                            .to = BRIG_FOR_VM,
                            .help = "VNC console on 127.0.0.1: 0 picks a free port of 5900-6900, "
                                    "1 none, else the port (5900 or above)"},
    PV(BRIG_P_VNC_PASSWORD, "vnc_password", BRIG_T_STRING, "",
       "password of the VNC console (empty: none)"),
    [BRIG_P_HARD_TIMEOUT] = {.name = "hard_timeout",
                             .type = BRIG_T_UINT,
                             .def = "30",
                             .kernels = BRIG_K_BOTH,
                             .min = 0,
                             .max = 86400,
                             .to = BRIG_FOR_VM,
                             .help = "seconds bstop waits for the guest to power off after the "
                                     "ACPI power button before it ends the VM"},
    PV(BRIG_P_CI_JNAME, "ci_jname", BRIG_T_STRING, "",
       "cloud-init: the guest's host name (empty: no seed, or the VM's name when other ci_* "
       "are given)"),
    PV(BRIG_P_CI_USER_ADD, "ci_user_add", BRIG_T_STRING, "",
       "cloud-init: a user to create in the guest"),
    PV(BRIG_P_CI_USER_PUBKEY, "ci_user_pubkey", BRIG_T_STRING, "",
       "cloud-init: the SSH public key of ci_user_add (the key's text)"),
    PV(BRIG_P_CI_IP4_ADDR, "ci_ip4_addr", BRIG_T_ADDRS, NULL,
       "cloud-init: the guest's address, the same as ip4_addr (CBSD's name)"),
    PV(BRIG_P_CI_NAMESERVER, "ci_nameserver", BRIG_T_IPLIST, "0",
       "cloud-init: the guest's name servers (0: none)"),
    [BRIG_P_VM_OS_PROFILE] = {.name = "vm_os_profile",
                              .type = BRIG_T_STRING,
                              .def = "",
                              .kernels = BRIG_K_LINUX,
                              .immutable = true,
                              .to = BRIG_FOR_VM,
                              .help = "profile in etc/vm-profiles/NAME.conf: the image (fetched "
                                      "and checked by its sha256) the first disk is made from, "
                                      "and defaults"},
};

const char *brig_ptype_name(enum brig_ptype t)
{
    static const char *const names[] = {
        [BRIG_T_NAME] = "name",       [BRIG_T_HOSTNAME] = "hostname", [BRIG_T_PATH] = "path",
        [BRIG_T_STRING] = "string",   [BRIG_T_BOOL] = "bool",         [BRIG_T_UINT] = "integer",
        [BRIG_T_SIZE] = "size",       [BRIG_T_ADDRS] = "addresses",   [BRIG_T_GATEWAY] = "gateway",
        [BRIG_T_IFACE] = "interface", [BRIG_T_MAC] = "mac",           [BRIG_T_IPLIST] = "addresses",
        [BRIG_T_CPULIST] = "cpulist", [BRIG_T_ENUM] = "choice",       [BRIG_T_PROGRAM] = "program",
        [BRIG_T_FILE] = "file",
    };
    return names[t];
}

const struct brig_param *brig_param_find(const char *name, enum brig_param_id *ret_id)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (strcmp(brig_params[i].name, name) == 0) {
            if (ret_id)
                *ret_id = (enum brig_param_id)i;
            return &brig_params[i];
        }
    }
    return NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Two names whose first '_'-separated words differ (digits aside) are of
 * different kinds: start_timeout is no typo of stop_timeout, ip6_addr may be
 * one of ip4_addr. A name without '_' may be of any kind (jail_name, jname). */
static bool same_kind(const char *a, const char *b)
{
    size_t la = strcspn(a, "_"), lb = strcspn(b, "_");
    if (!a[la] || !b[lb])
        return true;
    size_t i = 0, j = 0;
    for (;;) {
        while (i < la && isdigit((unsigned char)a[i]))
            i++;
        while (j < lb && isdigit((unsigned char)b[j]))
            j++;
        if (i == la || j == lb)
            return i == la && j == lb;
        if (a[i++] != b[j++])
            return false;
    }
}

const char *brig_suggest(const char *name, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, limit = strlen(name) / 3 + 1;
    if (limit < 2)
        limit = 2;
    for (size_t i = 0; i < n; i++) {
        if (!same_kind(name, candidates[i]))
            continue;
        size_t d = edit_distance(name, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

const char *brig_param_suggest(const char *name)
{
    const char *names[BRIG_P__COUNT];
    for (int i = 0; i < BRIG_P__COUNT; i++)
        names[i] = brig_params[i].name;
    return brig_suggest(name, names, BRIG_P__COUNT);
}

int brig_check_name(const char *what, const char *s, struct brig_err *err)
{
    size_t n = strlen(s);
    if (n == 0)
        return brig_err_set(err, BRIG_EUSAGE, "%s is empty", what);
    if (n > BRIG_JNAME_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "%s is longer than %d characters", what,
                            BRIG_JNAME_MAX);
    if (!isalnum((unsigned char)s[0]))
        return brig_err_set(err, BRIG_EUSAGE, "%s '%.80s' must start with a letter or digit", what,
                            s);
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return brig_err_set(err, BRIG_EUSAGE,
                                "%s '%.80s' may hold only letters, digits, '_' and '-'", what, s);
    }
    return 0;
}

int brig_check_hostname(const char *s, struct brig_err *err)
{
    size_t n = strlen(s);
    if (n == 0)
        return brig_err_set(err, BRIG_EUSAGE, "host name is empty");
    if (n > BRIG_HOSTNAME_MAX)
        return brig_err_set(err, BRIG_EUSAGE, "host name is %zu characters, more than %d", n,
                            BRIG_HOSTNAME_MAX);
    size_t label = 0;
    for (const char *p = s;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || label > 63 || p[-1] == '-' || p[-(long)label] == '-')
                return brig_err_set(err, BRIG_EUSAGE, "bad host name '%.80s'", s);
            if (*p == '\0')
                break;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)*p) && *p != '-')
            return brig_err_set(err, BRIG_EUSAGE, "bad host name '%.80s'", s);
        label++;
    }
    return 0;
}

static int check_path(const char *s, struct brig_err *err)
{
    if (s[0] != '/')
        return brig_err_set(err, BRIG_EUSAGE, "path '%.80s' is not absolute", s);
    if (strlen(s) > 1024)
        return brig_err_set(err, BRIG_EUSAGE, "path is longer than 1024 characters");
    for (const char *p = s; *p; p++) {
        if (iscntrl((unsigned char)*p))
            return brig_err_set(err, BRIG_EUSAGE, "path holds a control character");
        if (*p == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
            return brig_err_set(err, BRIG_EUSAGE, "path '%.80s' holds '..'", s);
    }
    return 0;
}

int brig_parse_uint(const char *s, int64_t min, int64_t max, int64_t *ret, struct brig_err *err)
{
    if (!*s || !isdigit((unsigned char)s[0]) || strlen(s) > 18)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not a number", s);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not a number", s);
    if (v < min || v > max)
        return brig_err_set(err, BRIG_EUSAGE, "%lld is out of range %lld..%lld", v, (long long)min,
                            (long long)max);
    if (ret)
        *ret = v;
    return 0;
}

int brig_parse_size(const char *s, uint64_t *ret_bytes, struct brig_err *err)
{
    char *end;
    if (!isdigit((unsigned char)s[0]) || strlen(s) > 24)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not a size (e.g. 512m)", s);
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not a size (e.g. 512m)", s);
    unsigned shift = 0;
    switch (tolower((unsigned char)*end)) {
    case '\0':
        break;
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    case 't':
        shift = 40;
        break;
    default:
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not a size (e.g. 512m)", s);
    }
    if (*end && end[1] && !((end[1] == 'b' || end[1] == 'B') && end[2] == '\0'))
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not a size (e.g. 512m)", s);
    if (shift && v > (UINT64_MAX >> shift))
        return brig_err_set(err, BRIG_EUSAGE, "size '%.80s' is too large", s);
    if (ret_bytes)
        *ret_bytes = (uint64_t)v << shift;
    return 0;
}

int brig_check_addr(const char *s, bool allow_prefix, struct brig_err *err)
{
    char buf[INET6_ADDRSTRLEN + 8];
    unsigned char bin[16];
    if (strlen(s) >= sizeof(buf))
        return brig_err_set(err, BRIG_EUSAGE, "bad address '%.80s'", s);
    strcpy(buf, s);
    char *slash = strchr(buf, '/');
    if (slash) {
        if (!allow_prefix)
            return brig_err_set(err, BRIG_EUSAGE, "address '%s' may not have a prefix", s);
        *slash++ = '\0';
    }
    int family = strchr(buf, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, buf, bin) != 1)
        return brig_err_set(err, BRIG_EUSAGE, "bad %s address '%.80s'",
                            family == AF_INET ? "IPv4" : "IPv6", s);
    if (slash) {
        int64_t max = family == AF_INET ? 32 : 128;
        struct brig_err e2 = BRIG_ERR_INIT;
        if (brig_parse_uint(slash, 0, max, NULL, &e2) < 0)
            return brig_err_set(err, BRIG_EUSAGE, "bad prefix length in '%.80s' (0..%d)", s,
                                (int)max);
    }
    return 0;
}

int brig_check_cidr4(const char *s, struct brig_err *err)
{
    if (!strchr(s, '/') || strchr(s, ':'))
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not an IPv4 network (a.b.c.d/len)", s);
    if (brig_check_addr(s, true, err) < 0)
        return -1;
    int64_t len;
    if (brig_parse_uint(strchr(s, '/') + 1, 8, 30, &len, NULL) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "pool '%.80s' needs a prefix between 8 and 30", s);
    return 0;
}

int brig_check_mac(const char *s, struct brig_err *err)
{
    unsigned b[6];
    char tail;
    if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
                                  &b[5], &tail) != 6)
        return brig_err_set(err, BRIG_EUSAGE, "bad MAC address '%.80s'", s);
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
            return brig_err_set(err, BRIG_EUSAGE, "bad MAC address '%.80s'", s);
    }
    if (b[0] & 1)
        return brig_err_set(err, BRIG_EUSAGE, "MAC address '%s' is multicast", s);
    if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
        return brig_err_set(err, BRIG_EUSAGE, "MAC address '%s' is all zeros", s);
    return 0;
}

int brig_check_ifname(const char *s, struct brig_err *err)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return brig_err_set(err, BRIG_EUSAGE, "interface name '%.80s' must be 1 to 15 characters",
                            s);
    for (const char *p = s; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return brig_err_set(err, BRIG_EUSAGE, "bad interface name '%.80s'", s);
    }
    if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return brig_err_set(err, BRIG_EUSAGE, "bad interface name '%s'", s);
    return 0;
}

/* Check each element of a comma list with check(). */
static int check_list(const char *s, int (*check)(const char *, struct brig_err *),
                      struct brig_err *err)
{
    if (!*s)
        return brig_err_set(err, BRIG_EUSAGE, "empty list");
    _cleanup_free_ char *copy = brig_xstrdup(s);
    char *save = NULL;
    if (copy[strlen(copy) - 1] == ',' || copy[0] == ',' || strstr(copy, ",,"))
        return brig_err_set(err, BRIG_EUSAGE, "empty element in list '%.80s'", s);
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (check(t, err) < 0)
            return -1;
    }
    return 0;
}

static int check_addr_prefix(const char *s, struct brig_err *err)
{
    const char *bar = strchr(s, '|');
    if (bar) {
        _cleanup_free_ char *ifname = brig_xstrndup(s, (size_t)(bar - s));
        if (brig_check_ifname(ifname, err) < 0)
            return -1;
        s = bar + 1;
    }
    if (brig_check_addr(s, true, err) < 0)
        return -1;
    return brig_addr_check_usable(s, false, err);
}

/* One item of an address list: an address, or DHCP / DHCPv6 (IPAM's picks). */
static int check_addr_item(const char *s, struct brig_err *err)
{
    if (brig_strcaseeq(s, "DHCP") || brig_strcaseeq(s, "DHCPv6"))
        return 0;
    return check_addr_prefix(s, err);
}

/* How many items of list are tok (case-insensitive). */
static int count_items(const char *list, const char *tok)
{
    _cleanup_free_ char *copy = brig_xstrdup(list);
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        n += brig_strcaseeq(t, tok);
    return n;
}

/* A non-VNET jail's addresses are aliases on a host interface: no link-local. */
static int check_alias(const char *s, struct brig_err *err)
{
    const char *bar = strchr(s, '|');
    if (brig_strcaseeq(s, "DHCP") || brig_strcaseeq(s, "DHCPv6"))
        return 0;
    return brig_addr_check_usable(bar ? bar + 1 : s, true, err);
}

static int check_addr_plain(const char *s, struct brig_err *err)
{
    return brig_check_addr(s, false, err);
}

/* A size of at least p->min and at most p->max bytes, or 0 for none. */
/* bytes in the largest unit that divides them: 1m, 64k, 1t */
static const char *size_text(uint64_t bytes, char *buf, size_t len)
{
    static const char units[] = "kmgt";
    int u = -1;
    while (u < 3 && bytes && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, len, "%llu", (unsigned long long)bytes);
    else
        snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[u]);
    return buf;
}

static int check_size(const struct brig_param *p, const char *v, struct brig_err *err)
{
    uint64_t bytes;
    if (brig_parse_size(v, &bytes, err) < 0)
        return -1;
    char lim[32];
    if (bytes && bytes < (uint64_t)p->min)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is below the minimum of %s (0: no limit)", v,
                            size_text((uint64_t)p->min, lim, sizeof(lim)));
    if (bytes > (uint64_t)p->max)
        return brig_err_set(err, BRIG_EUSAGE, "'%.80s' is above the maximum of %s", v,
                            size_text((uint64_t)p->max, lim, sizeof(lim)));
    return 0;
}

static int check_cpu(const char *s, struct brig_err *err)
{
    const char *dash = strchr(s, '-');
    int64_t a, b;
    if (!dash)
        return brig_parse_uint(s, 0, 4095, NULL, err) < 0
                   ? brig_err_set(err, BRIG_EUSAGE, "bad CPU '%.80s'", s)
                   : 0;
    _cleanup_free_ char *lo = brig_xstrndup(s, (size_t)(dash - s));
    if (brig_parse_uint(lo, 0, 4095, &a, NULL) < 0 ||
        brig_parse_uint(dash + 1, 0, 4095, &b, NULL) < 0 || a > b)
        return brig_err_set(err, BRIG_EUSAGE, "bad CPU range '%.80s'", s);
    return 0;
}

int brig_param_check(enum brig_param_id id, const char *v, struct brig_err *err)
{
    const struct brig_param *p = &brig_params[id];
    int r = 0;
    if (strlen(v) > 4096)
        return brig_err_set(err, BRIG_EUSAGE, "%s: value longer than 4096 characters", p->name);
    switch (p->type) {
    case BRIG_T_NAME:
        r = brig_check_name(p->name, v, err);
        return r;
    case BRIG_T_HOSTNAME:
        r = brig_check_hostname(v, err);
        break;
    case BRIG_T_PATH:
        r = check_path(v, err);
        break;
    case BRIG_T_STRING:
        break;
    case BRIG_T_PROGRAM:
        if (*v && (v[0] != '/' || v[strcspn(v, " \t")] != '\0'))
            r = brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not an absolute path to a program", v);
        else if (*v)
            r = check_path(v, err);
        break;
    case BRIG_T_FILE:
        if (*v && check_path(v, err) == 0) {
            struct stat sb;
            if (stat(v, &sb) < 0)
                r = brig_err_set(err, BRIG_EUSAGE, "%.80s: %s", v, strerror(errno));
            else if (!S_ISREG(sb.st_mode))
                r = brig_err_set(err, BRIG_EUSAGE, "%.80s is not a regular file", v);
        } else if (*v) {
            r = -1;
        }
        break;
    case BRIG_T_BOOL:
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
            r = brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not 0 or 1", v);
        break;
    case BRIG_T_UINT:
        r = brig_parse_uint(v, p->min, p->max, NULL, err);
        break;
    case BRIG_T_SIZE:
        r = check_size(p, v, err);
        break;
    case BRIG_T_ADDRS:
        if (strcmp(v, "0") == 0 || brig_strcaseeq(v, "DHCP") || brig_strcaseeq(v, "REALDHCP"))
            break;
        r = check_list(v, check_addr_item, err);
        if (r == 0 && (count_items(v, "DHCP") > 1 || count_items(v, "DHCPv6") > 1))
            r = brig_err_set(err, BRIG_EUSAGE, "DHCP and DHCPv6 may each appear once");
        break;
    case BRIG_T_GATEWAY:
        if (strcmp(v, "0") == 0 || strcmp(v, "auto") == 0)
            break;
        r = brig_check_addr(v, false, err);
        break;
    case BRIG_T_IFACE:
        if (strcmp(v, "auto") == 0)
            break;
        r = brig_check_ifname(v, err);
        break;
    case BRIG_T_MAC:
        if (strcmp(v, "0") == 0)
            break;
        r = brig_check_mac(v, err);
        break;
    case BRIG_T_IPLIST:
        if (strcmp(v, "0") == 0 || strcmp(v, "auto") == 0)
            break;
        r = check_list(v, check_addr_plain, err);
        break;
    case BRIG_T_CPULIST:
        if (strcmp(v, "0") == 0)
            break;
        r = check_list(v, check_cpu, err);
        break;
    case BRIG_T_ENUM:
        for (const char *const *c = p->choices; *c; c++) {
            if (strcmp(*c, v) == 0)
                return 0;
        }
        r = brig_err_set(err, BRIG_EUSAGE, "'%.80s' is not one of the choices", v);
        break;
    }
    if (r < 0)
        return brig_err_wrap(err, "%s", p->name);
    return 0;
}

void brig_jail_set(struct brig_jail *j, enum brig_param_id id, const char *value)
{
    free(j->v[id]);
    j->v[id] = value ? brig_xstrdup(value) : NULL;
}

static char *expand_default(const char *def, const char *jname, const char *workdir)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    for (const char *p = def; *p;) {
        if (brig_startswith(p, "${jname}")) {
            brig_buf_add(&b, jname);
            p += strlen("${jname}");
        } else if (brig_startswith(p, "${hostjname}")) {
            for (const char *q = jname; *q; q++)
                brig_buf_addc(&b, *q == '_' ? '-' : *q);
            p += strlen("${hostjname}");
        } else if (brig_startswith(p, "${workdir}")) {
            brig_buf_add(&b, workdir);
            p += strlen("${workdir}");
        } else {
            brig_buf_addc(&b, *p++);
        }
    }
    return brig_buf_steal(&b);
}

bool brig_emulator_is_vm(const char *emulator)
{
    return brig_streq(emulator, "qemu") || brig_streq(emulator, "bhyve");
}

bool brig_jail_is_vm(const struct brig_jail *j)
{
    return brig_emulator_is_vm(j->v[BRIG_P_EMULATOR]);
}

bool brig_param_applies(enum brig_param_id id, bool vm)
{
    enum brig_param_for to = brig_params[id].to;
    return to == BRIG_FOR_BOTH || to == (vm ? BRIG_FOR_VM : BRIG_FOR_JAIL);
}

void brig_jail_fill_defaults(struct brig_jail *j, const char *workdir, enum brig_kernel os)
{
    bool vnet = j->v[BRIG_P_VNET] && strcmp(j->v[BRIG_P_VNET], "1") == 0;
    bool vm = brig_jail_is_vm(j);
    const char *jname = j->v[BRIG_P_JNAME] ? j->v[BRIG_P_JNAME] : "";
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const struct brig_param *p = &brig_params[i];
        if (j->v[i] || !p->def || !brig_param_applies((enum brig_param_id)i, vm))
            continue;
        const char *def = vnet && p->vnet_def                      ? p->vnet_def
                          : os == BRIG_K_FREEBSD && p->freebsd_def ? p->freebsd_def
                                                                   : p->def;
        j->v[i] = expand_default(def, jname, workdir);
    }
}

bool brig_jail_bool(const struct brig_jail *j, enum brig_param_id id)
{
    return j->v[id] && strcmp(j->v[id], "1") == 0;
}

int64_t brig_jail_int(const struct brig_jail *j, enum brig_param_id id)
{
    return j->v[id] ? strtoll(j->v[id], NULL, 10) : 0;
}

/* A VNET jail's address as its NIC gets it (no prefix: /24 or /64): refuse its
 * subnet's network and broadcast addresses. */
static int check_vnet_addr(const char *s, struct brig_err *err)
{
    struct brig_addr a;
    char buf[BRIG_ADDR_STRLEN];
    if (brig_strcaseeq(s, "DHCP") || brig_strcaseeq(s, "DHCPv6"))
        return 0; /* IPAM's pick, checked when it is made */
    if (brig_addr_parse(s, &a, err) < 0)
        return -1;
    return brig_addr_check_usable(brig_addr_format(&a, true, buf), false, err);
}

int brig_check_nic_addrs(const char *ip, struct brig_err *err)
{
    if (strcmp(ip, "0") == 0 || brig_strcaseeq(ip, "DHCP") || brig_strcaseeq(ip, "REALDHCP"))
        return 0;
    return check_list(ip, check_vnet_addr, err) < 0 ? brig_err_wrap(err, "ip4_addr") : 0;
}

/* Is the jail's host_hostname the one its jname gives by default? */
static bool hostname_is_default(const struct brig_jail *j)
{
    const char *jname = j->v[BRIG_P_JNAME] ? j->v[BRIG_P_JNAME] : "";
    _cleanup_free_ char *def = expand_default(brig_params[BRIG_P_HOST_HOSTNAME].def, jname, "");
    return brig_streq(def, j->v[BRIG_P_HOST_HOSTNAME]);
}

/* exec_env: KEY=value words (brig_words_split), KEY a shell variable name. */
static int check_exec_env(const char *v, struct brig_err *err)
{
    _cleanup_strv_ char **words = NULL;
    if (!v || !*v)
        return 0;
    if (brig_words_split(v, &words, err) < 0)
        return brig_err_wrap(err, "exec_env");
    for (size_t i = 0; words[i]; i++) {
        const char *w = words[i];
        size_t k = strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
        if (k == 0 || w[k] != '=' || (w[0] >= '0' && w[0] <= '9'))
            return brig_err_set(err, BRIG_EUSAGE, "exec_env: '%.80s' is not KEY=value", w);
        if (brig_str_has_control(w))
            return brig_err_set(err, BRIG_EUSAGE,
                                "exec_env: '%.20s…' holds a control "
                                "character",
                                w);
    }
    return 0;
}

static int check_exec_cwd(const char *v, struct brig_err *err)
{
    if (!v || !*v)
        return 0;
    if (v[0] != '/' || strlen(v) > 4095)
        return brig_err_set(err, BRIG_EUSAGE, "exec_cwd: '%.80s' is not an absolute path", v);
    if (brig_str_has_control(v))
        return brig_err_set(err, BRIG_EUSAGE, "exec_cwd holds a control character");
    return 0;
}

/* exec_user: user[:group], the user a name of the jail's or a number, the
 * group a number (the jail's /etc/group is not read for it). */
static int check_exec_user(const char *v, struct brig_err *err)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-$";
    if (!v || !*v)
        return 0;
    const char *colon = strchr(v, ':');
    size_t u = colon ? (size_t)(colon - v) : strlen(v);
    if (u == 0 || u > 64 || strspn(v, ok) != u ||
        (colon && (!colon[1] || strlen(colon + 1) > 64 || colon[1 + strspn(colon + 1, ok)])))
        return brig_err_set(err, BRIG_EUSAGE, "exec_user: '%.80s' is not user[:group]", v);
    if (colon && brig_parse_uint(colon + 1, 0, 0xfffffffe, NULL, NULL) < 0)
        return brig_err_set(err, BRIG_EUSAGE, "exec_user: give the group '%.40s' as a number",
                            colon + 1);
    return 0;
}

int brig_jail_check(const struct brig_jail *j, struct brig_err *err)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (!j->v[i] || brig_param_check((enum brig_param_id)i, j->v[i], err) == 0)
            continue;
        if (i == BRIG_P_HOST_HOSTNAME && err && hostname_is_default(j)) {
            _cleanup_free_ char *why = brig_xstrdup(err->msg);
            brig_err_set(err, BRIG_EUSAGE,
                         "%s (the default is %s: give a shorter jname or host_hostname=)", why,
                         brig_params[i].def);
        }
        return -1;
    }
    if (!j->v[BRIG_P_JNAME])
        return brig_err_set(err, BRIG_EUSAGE, "jname is required");
    if (check_exec_env(j->v[BRIG_P_EXEC_ENV], err) < 0 ||
        check_exec_cwd(j->v[BRIG_P_EXEC_CWD], err) < 0 ||
        check_exec_user(j->v[BRIG_P_EXEC_USER], err) < 0)
        return -1;
    const char *ip = j->v[BRIG_P_IP4_ADDR];
    if (brig_jail_bool(j, BRIG_P_VNET) && ip && strchr(ip, '|'))
        return brig_err_set(err, BRIG_EUSAGE,
                            "ip4_addr: 'iface|address' applies only to jails without vnet (a vnet "
                            "jail's addresses go on its own eth0)");
    if (brig_jail_bool(j, BRIG_P_VNET) && ip && brig_check_nic_addrs(ip, err) < 0)
        return -1;
    if (ip && brig_strcaseeq(ip, "REALDHCP") && brig_streq(j->v[BRIG_P_EMULATOR], "linux"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "ip4_addr=REALDHCP in an emulator=linux jail: start the Linux DHCP "
                            "client from exec_start");
    if (!brig_jail_bool(j, BRIG_P_VNET) && ip && brig_strcaseeq(ip, "REALDHCP"))
        return brig_err_set(err, BRIG_EUSAGE,
                            "ip4_addr=REALDHCP needs vnet=1 (a DHCP client needs its own stack)");
    if (!brig_jail_bool(j, BRIG_P_VNET) && ip && strcmp(ip, "0") != 0 &&
        !brig_strcaseeq(ip, "DHCP") && check_list(ip, check_alias, err) < 0)
        return brig_err_wrap(err, "ip4_addr");
    if (!brig_jail_bool(j, BRIG_P_VNET) && j->v[BRIG_P_CI_GW4] &&
        strcmp(j->v[BRIG_P_CI_GW4], "auto") != 0 && strcmp(j->v[BRIG_P_CI_GW4], "0") != 0)
        return brig_err_set(err, BRIG_EUSAGE, "ci_gw4 applies only to vnet=1 jails");
    const char *gw6 = j->v[BRIG_P_CI_GW6];
    if (gw6 && strcmp(gw6, "auto") != 0 && strcmp(gw6, "0") != 0) {
        if (!brig_jail_bool(j, BRIG_P_VNET))
            return brig_err_set(err, BRIG_EUSAGE, "ci_gw6 applies only to vnet=1 jails");
        if (!strchr(gw6, ':'))
            return brig_err_set(err, BRIG_EUSAGE, "ci_gw6: '%.80s' is not an IPv6 address", gw6);
    }
    if (j->v[BRIG_P_PATH] && j->v[BRIG_P_DATA] && strcmp(j->v[BRIG_P_PATH], j->v[BRIG_P_DATA]) == 0)
        return brig_err_set(err, BRIG_EUSAGE, "path and data must differ");
    return 0;
}

void brig_jail_clear(struct brig_jail *j)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        free(j->v[i]);
        j->v[i] = NULL;
    }
}
