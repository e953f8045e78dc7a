/* The jail parameter table: one row per parameter (CBSD's names), with its
 * type, default, validator, the kernels it applies to and a line of help.
 * Adding a parameter is adding a row here and one enum value. */
#ifndef BRIG_PARAMS_H
#define BRIG_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum brig_param_id {
    BRIG_P_JNAME,
    BRIG_P_HOST_HOSTNAME,
    BRIG_P_PATH,
    BRIG_P_DATA,
    BRIG_P_BASE,
    BRIG_P_BASERW,
    BRIG_P_IP4_ADDR,
    BRIG_P_VNET,
    BRIG_P_INTERFACE,
    BRIG_P_CI_GW4,
    BRIG_P_CI_GW6,
    BRIG_P_NIC_HWADDR,
    BRIG_P_NIC_FILTER,
    BRIG_P_DEVFS_RULESET,
    BRIG_P_EXEC_START,
    BRIG_P_EXEC_STOP,
    BRIG_P_EXEC_PRESTART,
    BRIG_P_EXEC_POSTSTART,
    BRIG_P_EXEC_PRESTOP,
    BRIG_P_EXEC_POSTSTOP,
    BRIG_P_EXEC_TIMEOUT,
    BRIG_P_STOP_TIMEOUT,
    BRIG_P_PERSIST,
    BRIG_P_ASTART,
    BRIG_P_B_ORDER,
    BRIG_P_ALLOW_RAW_SOCKETS,
    BRIG_P_ALLOW_MOUNT,
    BRIG_P_ALLOW_SYSVIPC,
    BRIG_P_MOUNT_DEVFS,
    BRIG_P_MOUNT_PROCFS,
    BRIG_P_MOUNT_FDESCFS,
    BRIG_P_MOUNT_LINPROCFS,
    BRIG_P_MOUNT_LINSYSFS,
    BRIG_P_ENFORCE_STATFS,
    BRIG_P_MKHOSTSFILE,
    BRIG_P_JNAMESERVER,
    BRIG_P_EMULATOR,
    BRIG_P_MEMORYUSE,
    BRIG_P_MAXPROC,
    BRIG_P_PCPU,
    BRIG_P_OPENFILES,
    BRIG_P_CPUSET,
    BRIG_P_USERNS,
    BRIG_P_EXEC_INIT,
    BRIG_P_STOP_SIGNAL,
    BRIG_P_DEPEND,
    BRIG_P_EXEC_ENV,
    BRIG_P_EXEC_CWD,
    BRIG_P_EXEC_USER,
    BRIG_P_CONSOLE_LOG_SIZE,
    BRIG_P_VM_OS_TYPE,
    BRIG_P_VM_CPUS,
    BRIG_P_VM_RAM,
    BRIG_P_IMGSIZE,
    BRIG_P_IMGTYPE,
    BRIG_P_VM_EFI,
    BRIG_P_KERNEL,
    BRIG_P_INITRD,
    BRIG_P_APPEND,
    BRIG_P_VM_ISO,
    BRIG_P_VM_VNC_PORT,
    BRIG_P_VNC_PASSWORD,
    BRIG_P_HARD_TIMEOUT,
    BRIG_P_CI_JNAME,
    BRIG_P_CI_USER_ADD,
    BRIG_P_CI_USER_PUBKEY,
    BRIG_P_CI_IP4_ADDR,
    BRIG_P_CI_NAMESERVER,
    BRIG_P_VM_OS_PROFILE,
    BRIG_P__COUNT
};

enum brig_kernel {
    BRIG_K_LINUX = 1 << 0,
    BRIG_K_FREEBSD = 1 << 1,
    BRIG_K_BOTH = BRIG_K_LINUX | BRIG_K_FREEBSD,
};

enum brig_ptype {
    BRIG_T_NAME,     /* letters, digits, '_' and '-' */
    BRIG_T_HOSTNAME, /* RFC 1123 host name */
    BRIG_T_PATH,     /* absolute path */
    BRIG_T_STRING,   /* free text (commands) */
    BRIG_T_BOOL,     /* 0 or 1 */
    BRIG_T_UINT,     /* integer in [min, max] */
    BRIG_T_SIZE,     /* bytes with optional k/m/g/t suffix, or 0 for none */
    BRIG_T_ADDRS,    /* 0, DHCP, REALDHCP or a comma list of addresses with prefixes */
    BRIG_T_GATEWAY,  /* auto, 0 or an address */
    BRIG_T_IFACE,    /* auto or an interface name */
    BRIG_T_MAC,      /* 0 (derive) or a unicast MAC */
    BRIG_T_IPLIST,   /* 0 or a comma list of plain addresses */
    BRIG_T_CPULIST,  /* 0 or a CPU list like 0-3,6 */
    BRIG_T_ENUM,     /* one of a fixed list */
    BRIG_T_PROGRAM,  /* "" or the absolute path of a program, without spaces */
    BRIG_T_FILE,     /* "" or the absolute path of an existing regular file */
};

/* Which records a parameter belongs to: zero (most rows) is jails only. */
enum brig_param_for {
    BRIG_FOR_JAIL = 0,
    BRIG_FOR_BOTH = 1,
    BRIG_FOR_VM = 2,
};

struct brig_param {
    const char *name;
    enum brig_ptype type;
    const char *def; /* default; ${jname}, ${hostjname} ('_' made '-') and ${workdir} substituted */
    const char *vnet_def;    /* default when vnet=1, NULL when the same */
    const char *freebsd_def; /* default on FreeBSD, NULL when the same */
    unsigned kernels;
    int64_t min, max;           /* BRIG_T_UINT bounds */
    const char *const *choices; /* BRIG_T_ENUM values, NULL-terminated */
    bool immutable;             /* cannot be changed after jcreate */
    enum brig_param_for to;     /* jails, VMs or both */
    const char *help;
};

/* A jail's configuration: one value per parameter, NULL when unset. */
struct brig_jail {
    int64_t id;
    uint32_t idmap; /* first host uid and gid of an unprivileged jail's range; 0: none */
    char *v[BRIG_P__COUNT];
};

extern const struct brig_param brig_params[BRIG_P__COUNT];

const char *brig_ptype_name(enum brig_ptype t);
/* The parameter called name, or NULL. */
const struct brig_param *brig_param_find(const char *name, enum brig_param_id *ret_id);
/* The known parameter name closest to name, or NULL when none is close. */
const char *brig_param_suggest(const char *name);
/* The candidate of the same kind (params.c: same_kind) closest to name by edit
 * distance, or NULL when none is close. */
const char *brig_suggest(const char *name, const char *const *candidates, size_t n);
/* Check one value against its parameter's type; BRIG_EUSAGE on failure. */
int brig_param_check(enum brig_param_id id, const char *value, struct brig_err *err);

/* Whether a record is a VM (emulator=qemu or bhyve) rather than a jail. */
bool brig_jail_is_vm(const struct brig_jail *j);
bool brig_emulator_is_vm(const char *emulator);
/* Whether parameter id belongs to records of that kind (vm: VMs, else jails). */
bool brig_param_applies(enum brig_param_id id, bool vm);

/* Set v[id] to a copy of value (the old value is freed). */
void brig_jail_set(struct brig_jail *j, enum brig_param_id id, const char *value);
/* Fill every unset parameter of the record's kind with its default (the VNET
 * profile when vnet=1). */
void brig_jail_fill_defaults(struct brig_jail *j, const char *workdir, enum brig_kernel os);
/* Checks that involve several parameters. */
int brig_jail_check(const struct brig_jail *j, struct brig_err *err);
void brig_jail_clear(struct brig_jail *j);
bool brig_jail_bool(const struct brig_jail *j, enum brig_param_id id);
int64_t brig_jail_int(const struct brig_jail *j, enum brig_param_id id);

/* Value checkers shared with node settings and NIC rows. */
int brig_check_name(const char *what, const char *s, struct brig_err *err);
int brig_check_hostname(const char *s, struct brig_err *err);
int brig_check_addr(const char *s, bool allow_prefix, struct brig_err *err);
int brig_check_mac(const char *s, struct brig_err *err);
int brig_check_ifname(const char *s, struct brig_err *err);
int brig_check_cidr4(const char *s, struct brig_err *err);
/* A VNET NIC's ip4_addr as the NIC takes it (no prefix: /24 or /64): no network
 * or broadcast address of its subnet. */
int brig_check_nic_addrs(const char *ip, struct brig_err *err);
/* Parse a size with k/m/g/t suffix into bytes. */
int brig_parse_size(const char *s, uint64_t *ret_bytes, struct brig_err *err);
int brig_parse_uint(const char *s, int64_t min, int64_t max, int64_t *ret, struct brig_err *err);

/* a jname is also the first label of its default host name: at most 63 */
#define BRIG_JNAME_MAX 63
/* a host name as the kernels take it: Linux's limit (FreeBSD takes 255) */
#define BRIG_HOSTNAME_MAX 64

#endif
