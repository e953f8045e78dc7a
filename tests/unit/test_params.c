/* The jail parameter table: every value type's validator, defaults (with the
 * VNET profile), the checks across parameters, and "did you mean". */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "params.h"
#include "util.h"

/* value is accepted for parameter id */
static void accepts(enum brig_param_id id, const char *value)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_param_check(id, value, &err) != 0)
        fail_msg("%s=%s was refused: %s", brig_params[id].name, value, err.msg);
    assert_int_equal(err.code, 0);
}

/* value is refused as bad input, with a message holding want */
static void refuses(enum brig_param_id id, const char *value, const char *want)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_param_check(id, value, &err) != -1)
        fail_msg("%s=%s was accepted", brig_params[id].name, value);
    assert_int_equal(err.code, BRIG_EUSAGE);
    if (!strstr(err.msg, want))
        fail_msg("%s=%s: message '%s' lacks '%s'", brig_params[id].name, value, err.msg, want);
    assert_null(strchr(err.msg, '\n'));
}

static void test_every_parameter_has_a_name_type_and_help(void **state)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const struct brig_param *p = &brig_params[i];
        assert_non_null(p->name);
        assert_non_null(p->help);
        assert_non_null(brig_ptype_name(p->type));
        assert_true(p->kernels & BRIG_K_BOTH);
        enum brig_param_id id;
        assert_ptr_equal(brig_param_find(p->name, &id), p);
        assert_int_equal(id, i);
        if (p->type == BRIG_T_ENUM)
            assert_non_null(p->choices);
        if (p->type == BRIG_T_UINT)
            assert_true(p->min <= p->max);
    }
    assert_null(brig_param_find("no_such_param", NULL));
}

static void test_every_default_passes_its_own_validator(void **state)
{
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        const struct brig_param *p = &brig_params[i];
        struct brig_err err = BRIG_ERR_INIT;
        if (p->def && !strstr(p->def, "${") && brig_param_check(i, p->def, &err) < 0)
            fail_msg("default %s=%s is refused: %s", p->name, p->def, err.msg);
        if (p->vnet_def && brig_param_check(i, p->vnet_def, &err) < 0)
            fail_msg("vnet default %s=%s is refused: %s", p->name, p->vnet_def, err.msg);
    }
}

static void test_name_letters_digits_underscore_dash(void **state)
{
    accepts(BRIG_P_JNAME, "web1");
    accepts(BRIG_P_JNAME, "1web");
    accepts(BRIG_P_JNAME, "my_jail-2");
    accepts(BRIG_P_BASE, "debian-12");
    refuses(BRIG_P_JNAME, "", "jname is empty");
    refuses(BRIG_P_JNAME, "-web", "must start with a letter or digit");
    refuses(BRIG_P_JNAME, "_web", "must start with a letter or digit");
    refuses(BRIG_P_JNAME, "web.1", "may hold only letters, digits");
    refuses(BRIG_P_JNAME, "we b", "may hold only letters, digits");
    refuses(BRIG_P_JNAME, "../etc", "must start with a letter or digit");
    refuses(BRIG_P_JNAME, "a/b", "may hold only");
    refuses(BRIG_P_BASE, "busy box", "base 'busy box' may hold only");
    /* a jname is the first label of its default host name: 63 at most */
    char name[BRIG_JNAME_MAX + 2];
    memset(name, 'a', sizeof(name));
    name[BRIG_JNAME_MAX] = '\0';
    accepts(BRIG_P_JNAME, name);
    name[BRIG_JNAME_MAX] = 'a';
    name[BRIG_JNAME_MAX + 1] = '\0';
    refuses(BRIG_P_JNAME, name, "longer than 63 characters");
}

static void test_hostname_follows_rfc1123(void **state)
{
    accepts(BRIG_P_HOST_HOSTNAME, "web1");
    accepts(BRIG_P_HOST_HOSTNAME, "web1.my.domain");
    accepts(BRIG_P_HOST_HOSTNAME, "1a-b.example");
    refuses(BRIG_P_HOST_HOSTNAME, "", "host_hostname: host name is empty");
    refuses(BRIG_P_HOST_HOSTNAME, "-web", "bad host name '-web'");
    refuses(BRIG_P_HOST_HOSTNAME, "web-", "bad host name");
    refuses(BRIG_P_HOST_HOSTNAME, "web-.x", "bad host name");
    refuses(BRIG_P_HOST_HOSTNAME, "a..b", "bad host name");
    refuses(BRIG_P_HOST_HOSTNAME, ".a", "bad host name");
    refuses(BRIG_P_HOST_HOSTNAME, "a.", "bad host name");
    refuses(BRIG_P_HOST_HOSTNAME, "we_b", "bad host name");
    refuses(BRIG_P_HOST_HOSTNAME, "we b", "bad host name");

    char label[70];
    memset(label, 'a', 63);
    label[63] = '\0';
    accepts(BRIG_P_HOST_HOSTNAME, label);
    label[63] = 'a';
    label[64] = '\0';
    refuses(BRIG_P_HOST_HOSTNAME, label, "bad host name");

    char longname[300] = "";
    for (int i = 0; i < 16; i++)
        strcat(longname, "abc.");
    longname[63] = 'x'; /* 64 characters, the kernel's limit, last one a letter */
    accepts(BRIG_P_HOST_HOSTNAME, longname);
    strcat(longname, "x");
    refuses(BRIG_P_HOST_HOSTNAME, longname, "host name is 65 characters, more than 64");
}

static void test_path_absolute_without_dotdot_or_control(void **state)
{
    accepts(BRIG_P_PATH, "/");
    accepts(BRIG_P_PATH, "/var/lib/brig/jails/web1");
    accepts(BRIG_P_PATH, "/a/..b/c..");
    accepts(BRIG_P_DATA, "/srv/data with space");
    refuses(BRIG_P_PATH, "jails/web1", "path: path 'jails/web1' is not absolute");
    refuses(BRIG_P_PATH, "", "is not absolute");
    refuses(BRIG_P_PATH, "/a/../etc", "holds '..'");
    refuses(BRIG_P_PATH, "/a/..", "holds '..'");
    refuses(BRIG_P_DATA, "/a/b\nc", "data: path holds a control character");
    refuses(BRIG_P_DATA, "/a/\x1b[0m", "control character");
    char *lng = brig_xmalloc(1100);
    memset(lng, 'a', 1099);
    lng[0] = '/';
    lng[1099] = '\0';
    refuses(BRIG_P_PATH, lng, "longer than 1024");
    free(lng);
}

static void test_string_takes_anything_up_to_4096(void **state)
{
    accepts(BRIG_P_EXEC_START, "");
    accepts(BRIG_P_EXEC_START, "/bin/sh -c 'echo \"$HOME\"; exit 0'");
    char *lng = brig_xmalloc(5000);
    memset(lng, 'x', 4096);
    lng[4096] = '\0';
    accepts(BRIG_P_EXEC_START, lng);
    lng[4096] = 'x';
    lng[4097] = '\0';
    refuses(BRIG_P_EXEC_START, lng, "exec_start: value longer than 4096 characters");
    free(lng);
}

static void test_bool_is_0_or_1(void **state)
{
    accepts(BRIG_P_VNET, "0");
    accepts(BRIG_P_VNET, "1");
    refuses(BRIG_P_VNET, "2", "vnet: '2' is not 0 or 1");
    refuses(BRIG_P_PERSIST, "yes", "persist: 'yes' is not 0 or 1");
    refuses(BRIG_P_ASTART, "", "is not 0 or 1");
    refuses(BRIG_P_ASTART, "01", "is not 0 or 1");
    refuses(BRIG_P_ASTART, " 1", "is not 0 or 1");
}

static void test_uint_within_each_parameters_range(void **state)
{
    accepts(BRIG_P_DEVFS_RULESET, "0");
    accepts(BRIG_P_DEVFS_RULESET, "65535");
    refuses(BRIG_P_DEVFS_RULESET, "65536", "devfs_ruleset: 65536 is out of range 0..65535");
    refuses(BRIG_P_DEVFS_RULESET, "-1", "'-1' is not a number");
    refuses(BRIG_P_DEVFS_RULESET, "+4", "is not a number");
    refuses(BRIG_P_DEVFS_RULESET, "4x", "'4x' is not a number");
    refuses(BRIG_P_DEVFS_RULESET, "", "is not a number");
    refuses(BRIG_P_DEVFS_RULESET, " 4", "is not a number");
    accepts(BRIG_P_ENFORCE_STATFS, "2");
    refuses(BRIG_P_ENFORCE_STATFS, "3", "3 is out of range 0..2");
    accepts(BRIG_P_PCPU, "100");
    refuses(BRIG_P_PCPU, "101", "101 is out of range 0..100");
    accepts(BRIG_P_STOP_TIMEOUT, "86400");
    refuses(BRIG_P_EXEC_TIMEOUT, "86401", "out of range");
    accepts(BRIG_P_MAXPROC, "4194304");
    refuses(BRIG_P_MAXPROC, "4194305", "out of range");
    accepts(BRIG_P_OPENFILES, "1048576");
    refuses(BRIG_P_OPENFILES, "99999999999999999999", "is not a number");
    refuses(BRIG_P_B_ORDER, "1000001", "out of range");
}

static void test_size_suffixes_and_overflow(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    uint64_t b;
    static const struct {
        const char *s;
        uint64_t bytes;
    } ok[] = {
        {"0", 0},
        {"4096", 4096},
        {"1k", 1024},
        {"1K", 1024},
        {"512m", 512ull << 20},
        {"512M", 512ull << 20},
        {"2g", 2ull << 30},
        {"2gb", 2ull << 30},
        {"2GB", 2ull << 30},
        {"3t", 3ull << 40},
        {"16777215t", 16777215ull << 40},
        {"18446744073709551615", UINT64_MAX},
    };
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ok); i++) {
        if (brig_parse_size(ok[i].s, &b, &err) < 0)
            fail_msg("size %s refused: %s", ok[i].s, err.msg);
        assert_true(b == ok[i].bytes);
        if (b == 0 || (b >= 1 << 20 && b <= 1ull << 60))
            accepts(BRIG_P_MEMORYUSE, ok[i].s);
    }
    /* below 1m no limit holds (the kernel's page counters), as brig(8) says */
    refuses(BRIG_P_MEMORYUSE, "4096", "memoryuse: '4096' is below the minimum of 1m (0: no limit)");
    refuses(BRIG_P_MEMORYUSE, "1023k", "is below the minimum of 1m");
    accepts(BRIG_P_MEMORYUSE, "1024k");
    accepts(BRIG_P_MEMORYUSE, "1m");
    accepts(BRIG_P_MEMORYUSE, "1048576t");
    refuses(BRIG_P_MEMORYUSE, "1048577t", "memoryuse: '1048577t' is above the maximum of 1048576t");
    refuses(BRIG_P_MEMORYUSE, "16777216t", "memoryuse: size '16777216t' is too large");
    refuses(BRIG_P_MEMORYUSE, "17179869184g", "is too large");
    refuses(BRIG_P_MEMORYUSE, "18446744073709551616", "is not a size");
    refuses(BRIG_P_MEMORYUSE, "1x", "'1x' is not a size (e.g. 512m)");
    refuses(BRIG_P_MEMORYUSE, "1mm", "is not a size");
    refuses(BRIG_P_MEMORYUSE, "1gbb", "is not a size");
    refuses(BRIG_P_MEMORYUSE, "m", "is not a size");
    refuses(BRIG_P_MEMORYUSE, "", "is not a size");
    refuses(BRIG_P_MEMORYUSE, "-1", "is not a size");
    refuses(BRIG_P_MEMORYUSE, "1.5g", "is not a size");
}

static void test_addresses_v4_v6_prefixes_and_keywords(void **state)
{
    accepts(BRIG_P_IP4_ADDR, "0");
    accepts(BRIG_P_IP4_ADDR, "DHCP");
    accepts(BRIG_P_IP4_ADDR, "dhcp");
    accepts(BRIG_P_IP4_ADDR, "REALDHCP");
    accepts(BRIG_P_IP4_ADDR, "realdhcp");
    accepts(BRIG_P_IP4_ADDR, "10.0.0.5");
    accepts(BRIG_P_IP4_ADDR, "10.0.0.5/24");
    accepts(BRIG_P_IP4_ADDR, "10.0.0.5/0");
    accepts(BRIG_P_IP4_ADDR, "10.0.0.5/32");
    accepts(BRIG_P_IP4_ADDR, "fd00::5");
    accepts(BRIG_P_IP4_ADDR, "fd00::5/64");
    accepts(BRIG_P_IP4_ADDR, "fd00::5/128");
    accepts(BRIG_P_IP4_ADDR, "::ffff:10.0.0.1");
    accepts(BRIG_P_IP4_ADDR, "10.0.0.5/24,fd00::5/64,10.0.1.7");
    accepts(BRIG_P_IP4_ADDR, "eth0|10.0.0.5/24");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5/33", "ip4_addr: bad prefix length in '10.0.0.5/33' (0..32)");
    refuses(BRIG_P_IP4_ADDR, "fd00::5/129", "bad prefix length in 'fd00::5/129' (0..128)");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5/", "bad prefix length");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5/-1", "bad prefix length");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5/2a", "bad prefix length");
    refuses(BRIG_P_IP4_ADDR, "300.0.0.1", "bad IPv4 address '300.0.0.1'");
    refuses(BRIG_P_IP4_ADDR, "10.0.0", "bad IPv4 address");
    refuses(BRIG_P_IP4_ADDR, "fd00:::5", "bad IPv6 address");
    refuses(BRIG_P_IP4_ADDR, "DHCPX", "bad IPv4 address");
    refuses(BRIG_P_IP4_ADDR, "", "empty list");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5,", "empty element in list");
    refuses(BRIG_P_IP4_ADDR, ",10.0.0.5", "empty element in list");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5,,10.0.0.6", "empty element in list");
    /* DHCP and DHCPv6 stand for IPAM's picks, each at most once, beside static addresses */
    accepts(BRIG_P_IP4_ADDR, "10.0.0.5,DHCPv6");
    accepts(BRIG_P_IP4_ADDR, "DHCP,DHCPv6");
    refuses(BRIG_P_IP4_ADDR, "DHCP,10.0.0.5,dhcp", "DHCP and DHCPv6 may each appear once");
    refuses(BRIG_P_IP4_ADDR, "DHCPv6,DHCPv6", "DHCP and DHCPv6 may each appear once");
    refuses(BRIG_P_IP4_ADDR, "10.0.0.5,DHCPv7", "bad IPv4 address 'DHCPv7'");
    refuses(BRIG_P_IP4_ADDR, "bad if|10.0.0.5", "bad interface name");
    refuses(BRIG_P_IP4_ADDR, "|10.0.0.5", "must be 1 to 15 characters");
}

static void test_gateway_auto_none_or_plain_address(void **state)
{
    accepts(BRIG_P_CI_GW4, "auto");
    accepts(BRIG_P_CI_GW4, "0");
    accepts(BRIG_P_CI_GW4, "10.0.0.1");
    accepts(BRIG_P_CI_GW4, "fd00::1");
    refuses(BRIG_P_CI_GW4, "10.0.0.1/24", "ci_gw4: address '10.0.0.1/24' may not have a prefix");
    refuses(BRIG_P_CI_GW4, "AUTO", "bad IPv4 address");
    refuses(BRIG_P_CI_GW4, "", "bad IPv4 address");
    refuses(BRIG_P_CI_GW4, "10.0.0.1,10.0.0.2", "bad IPv4 address");
}

static void test_interface_auto_or_a_short_name(void **state)
{
    accepts(BRIG_P_INTERFACE, "auto");
    accepts(BRIG_P_INTERFACE, "brig0");
    accepts(BRIG_P_INTERFACE, "eth0.100");
    accepts(BRIG_P_INTERFACE, "br-lan_1");
    accepts(BRIG_P_INTERFACE, "abcdefghijklmno");
    refuses(BRIG_P_INTERFACE, "abcdefghijklmnop",
            "interface: interface name 'abcdefghijklmnop' "
            "must be 1 to 15 characters");
    refuses(BRIG_P_INTERFACE, "", "must be 1 to 15 characters");
    refuses(BRIG_P_INTERFACE, "br 0", "bad interface name 'br 0'");
    refuses(BRIG_P_INTERFACE, "br/0", "bad interface name");
    refuses(BRIG_P_INTERFACE, "br:0", "bad interface name");
    refuses(BRIG_P_INTERFACE, ".", "bad interface name '.'");
    refuses(BRIG_P_INTERFACE, "..", "bad interface name '..'");
}

static void test_mac_unicast_only(void **state)
{
    accepts(BRIG_P_NIC_HWADDR, "0");
    accepts(BRIG_P_NIC_HWADDR, "02:00:00:00:00:01");
    accepts(BRIG_P_NIC_HWADDR, "0A:1b:2C:3d:4E:5f");
    accepts(BRIG_P_NIC_HWADDR, "00:1b:21:aa:bb:cc");
    refuses(BRIG_P_NIC_HWADDR, "01:00:5e:00:00:01",
            "nic_hwaddr: MAC address '01:00:5e:00:00:01' is multicast");
    refuses(BRIG_P_NIC_HWADDR, "ff:ff:ff:ff:ff:ff", "is multicast");
    refuses(BRIG_P_NIC_HWADDR, "03:00:00:00:00:01", "is multicast");
    refuses(BRIG_P_NIC_HWADDR, "02:00:00:00:00", "bad MAC address");
    refuses(BRIG_P_NIC_HWADDR, "02:00:00:00:00:011", "bad MAC address");
    refuses(BRIG_P_NIC_HWADDR, "02-00-00-00-00-01", "bad MAC address");
    refuses(BRIG_P_NIC_HWADDR, "02:00:00:00:00:0g", "bad MAC address");
    refuses(BRIG_P_NIC_HWADDR, "2:0:0:0:0:1:00000", "bad MAC address");
    refuses(BRIG_P_NIC_HWADDR, " 2:00:00:00:00:01", "bad MAC address");
    refuses(BRIG_P_NIC_HWADDR, "", "bad MAC address");
}

static void test_ip_list_plain_addresses(void **state)
{
    accepts(BRIG_P_JNAMESERVER, "0");
    accepts(BRIG_P_JNAMESERVER, "9.9.9.9");
    accepts(BRIG_P_JNAMESERVER, "9.9.9.9,2620:fe::fe");
    refuses(BRIG_P_JNAMESERVER, "9.9.9.9/32", "jnameserver: address '9.9.9.9/32' may not have");
    refuses(BRIG_P_JNAMESERVER, "9.9.9.9,", "empty element");
    refuses(BRIG_P_JNAMESERVER, "dns.example", "bad IPv4 address");
    refuses(BRIG_P_JNAMESERVER, "", "empty list");
}

static void test_cpulist_lists_and_ranges(void **state)
{
    accepts(BRIG_P_CPUSET, "0");
    accepts(BRIG_P_CPUSET, "1");
    accepts(BRIG_P_CPUSET, "0-3");
    accepts(BRIG_P_CPUSET, "0-1,3,5-7");
    accepts(BRIG_P_CPUSET, "2-2");
    accepts(BRIG_P_CPUSET, "4095");
    refuses(BRIG_P_CPUSET, "3-1", "cpuset: bad CPU range '3-1'");
    refuses(BRIG_P_CPUSET, "4096", "bad CPU '4096'");
    refuses(BRIG_P_CPUSET, "0-4096", "bad CPU range");
    refuses(BRIG_P_CPUSET, "0-", "bad CPU range");
    refuses(BRIG_P_CPUSET, "-3", "bad CPU range");
    refuses(BRIG_P_CPUSET, "a", "bad CPU 'a'");
    refuses(BRIG_P_CPUSET, "1,,2", "empty element");
    refuses(BRIG_P_CPUSET, "1-2-3", "bad CPU range");
    refuses(BRIG_P_CPUSET, "", "empty list");
}

static void test_enum_exact_choice(void **state)
{
    accepts(BRIG_P_EMULATOR, "jail");
    accepts(BRIG_P_EMULATOR, "linux");
    accepts(BRIG_P_EMULATOR, "bhyve");
    refuses(BRIG_P_EMULATOR, "kvm", "emulator: 'kvm' is not one of the choices");
    refuses(BRIG_P_EMULATOR, "Linux", "is not one of the choices");
    refuses(BRIG_P_EMULATOR, "", "is not one of the choices");
}

static void test_vm_defaults_are_a_vms_only(void **state)
{
    struct brig_jail j = {0};
    brig_jail_set(&j, BRIG_P_JNAME, "vm1");
    brig_jail_set(&j, BRIG_P_EMULATOR, "qemu");
    brig_jail_set(&j, BRIG_P_VNET, "1");
    brig_jail_fill_defaults(&j, "/srv/brig", BRIG_K_LINUX);
    assert_true(brig_jail_is_vm(&j));
    assert_string_equal(j.v[BRIG_P_VM_RAM], "512m");
    assert_string_equal(j.v[BRIG_P_VM_CPUS], "1");
    assert_string_equal(j.v[BRIG_P_HARD_TIMEOUT], "30");
    assert_string_equal(j.v[BRIG_P_INTERFACE], "auto");
    assert_null(j.v[BRIG_P_PATH]);
    assert_null(j.v[BRIG_P_BASE]);
    assert_null(j.v[BRIG_P_EXEC_START]);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_jail_check(&j, &err), 0);
    brig_jail_clear(&j);
}

static void test_vm_values_checked(void **state)
{
    accepts(BRIG_P_VM_RAM, "1g");
    refuses(BRIG_P_VM_RAM, "1m", "below the minimum of 32m");
    refuses(BRIG_P_VM_CPUS, "0", "out of range 1..64");
    refuses(BRIG_P_IMGTYPE, "vmdk", "not one of the choices");
    refuses(BRIG_P_VM_ISO, "relative.iso", "not absolute");
    refuses(BRIG_P_VM_ISO, "/nonexistent.iso", "No such file");
    refuses(BRIG_P_KERNEL, "/", "not a regular file");
    accepts(BRIG_P_KERNEL, "");
}

static void test_defaults_expand_jname_and_workdir(void **state)
{
    struct brig_jail j = {0};
    brig_jail_set(&j, BRIG_P_JNAME, "web1");
    brig_jail_fill_defaults(&j, "/srv/brig", BRIG_K_LINUX);
    assert_string_equal(j.v[BRIG_P_PATH], "/srv/brig/jails/web1");
    assert_string_equal(j.v[BRIG_P_DATA], "/srv/brig/jails-data/web1-data");
    assert_string_equal(j.v[BRIG_P_HOST_HOSTNAME], "web1.my.domain");
    assert_string_equal(j.v[BRIG_P_IP4_ADDR], "DHCP");
    assert_string_equal(j.v[BRIG_P_DEVFS_RULESET], "4");
    assert_string_equal(j.v[BRIG_P_VNET], "0");
    assert_string_equal(j.v[BRIG_P_INTERFACE], "auto");
    assert_string_equal(j.v[BRIG_P_EMULATOR], "jail");
    assert_string_equal(j.v[BRIG_P_EXEC_PRESTART], "");
    /* a jail gets every jail parameter and none of a VM's */
    for (int i = 0; i < BRIG_P__COUNT; i++) {
        if (brig_param_applies((enum brig_param_id)i, false))
            assert_non_null(j.v[i]);
        else
            assert_null(j.v[i]);
    }
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_jail_check(&j, &err), 0);
    assert_false(brig_jail_bool(&j, BRIG_P_VNET));
    assert_true(brig_jail_bool(&j, BRIG_P_PERSIST));
    assert_int_equal(brig_jail_int(&j, BRIG_P_STOP_TIMEOUT), 10);
    brig_jail_clear(&j);
    for (int i = 0; i < BRIG_P__COUNT; i++)
        assert_null(j.v[i]);
}

static void test_defaults_keep_values_already_set(void **state)
{
    struct brig_jail j = {0};
    brig_jail_set(&j, BRIG_P_JNAME, "db");
    brig_jail_set(&j, BRIG_P_HOST_HOSTNAME, "db.example.org");
    brig_jail_set(&j, BRIG_P_IP4_ADDR, "10.1.2.3/24");
    brig_jail_set(&j, BRIG_P_EXEC_START, "");
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    assert_string_equal(j.v[BRIG_P_HOST_HOSTNAME], "db.example.org");
    assert_string_equal(j.v[BRIG_P_IP4_ADDR], "10.1.2.3/24");
    assert_string_equal(j.v[BRIG_P_EXEC_START], "");
    assert_string_equal(j.v[BRIG_P_PATH], "/w/jails/db");
    brig_jail_set(&j, BRIG_P_IP4_ADDR, NULL);
    assert_null(j.v[BRIG_P_IP4_ADDR]);
    brig_jail_clear(&j);
}

static void test_defaults_without_jname_leave_jname_unset(void **state)
{
    struct brig_jail j = {0};
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    assert_null(j.v[BRIG_P_JNAME]);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_jail_check(&j, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    brig_jail_clear(&j);
}

static void test_vnet_profile_has_no_address_and_ruleset_5(void **state)
{
    struct brig_jail j = {0};
    brig_jail_set(&j, BRIG_P_JNAME, "v1");
    brig_jail_set(&j, BRIG_P_VNET, "1");
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    assert_string_equal(j.v[BRIG_P_IP4_ADDR], "0");
    assert_string_equal(j.v[BRIG_P_DEVFS_RULESET], "5");
    assert_string_equal(j.v[BRIG_P_CI_GW4], "auto");
    assert_string_equal(j.v[BRIG_P_NIC_HWADDR], "0");
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_jail_check(&j, &err), 0);
    brig_jail_clear(&j);

    /* explicit values beat the profile */
    brig_jail_set(&j, BRIG_P_JNAME, "v2");
    brig_jail_set(&j, BRIG_P_VNET, "1");
    brig_jail_set(&j, BRIG_P_IP4_ADDR, "DHCP");
    brig_jail_set(&j, BRIG_P_DEVFS_RULESET, "7");
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    assert_string_equal(j.v[BRIG_P_IP4_ADDR], "DHCP");
    assert_string_equal(j.v[BRIG_P_DEVFS_RULESET], "7");
    brig_jail_clear(&j);
}

/* A complete jail with defaults, then one change, then brig_jail_check. */
static int check_with(const char *vnet, enum brig_param_id id, const char *value,
                      struct brig_err *err)
{
    struct brig_jail j = {0};
    brig_jail_set(&j, BRIG_P_JNAME, "web1");
    brig_jail_set(&j, BRIG_P_VNET, vnet);
    brig_jail_set(&j, id, value);
    brig_jail_fill_defaults(&j, "/w", BRIG_K_LINUX);
    int r = brig_jail_check(&j, err);
    brig_jail_clear(&j);
    return r;
}

static void test_check_realdhcp_needs_vnet(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(check_with("0", BRIG_P_IP4_ADDR, "REALDHCP", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg,
                        "ip4_addr=REALDHCP needs vnet=1 (a DHCP client needs its own stack)");
    brig_err_clear(&err);
    assert_int_equal(check_with("0", BRIG_P_IP4_ADDR, "realdhcp", &err), -1);
    assert_int_equal(check_with("1", BRIG_P_IP4_ADDR, "REALDHCP", &err), 0);
    assert_int_equal(check_with("0", BRIG_P_IP4_ADDR, "DHCP", &err), 0);
}

static void test_check_gateway_address_needs_vnet(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(check_with("0", BRIG_P_CI_GW4, "10.0.0.1", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "ci_gw4 applies only to vnet=1 jails");
    assert_int_equal(check_with("0", BRIG_P_CI_GW4, "0", &err), 0);
    assert_int_equal(check_with("0", BRIG_P_CI_GW4, "auto", &err), 0);
    assert_int_equal(check_with("1", BRIG_P_CI_GW4, "10.0.0.1", &err), 0);
}

static void test_check_path_and_data_differ(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(check_with("0", BRIG_P_DATA, "/w/jails/web1", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "path and data must differ");
}

static void test_check_reports_the_first_bad_value(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(check_with("0", BRIG_P_PCPU, "200", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "pcpu: 200 is out of range 0..100");
    assert_int_equal(check_with("2", BRIG_P_PCPU, "1", &err), -1);
    assert_string_equal(err.msg, "vnet: '2' is not 0 or 1");
}

/* brig_param_suggest(name) is want (NULL: no suggestion) */
static void suggests(const char *name, const char *want)
{
    const char *got = brig_param_suggest(name);
    if (got != want && (!got || !want || strcmp(got, want) != 0))
        fail_msg("suggestion for '%s' is '%s', want '%s'", name, got ? got : "(none)",
                 want ? want : "(none)");
}

static void test_suggest_close_names_only(void **state)
{
    suggests("ip4_adr", "ip4_addr");
    suggests("ip4addr", "ip4_addr");
    suggests("host_hostnam", "host_hostname");
    suggests("devfs_rulset", "devfs_ruleset");
    suggests("vent", "vnet");
    suggests("zzzzzz", NULL);
    assert_null(brig_param_suggest("completely_unrelated_words"));
    char lng[200];
    memset(lng, 'q', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    assert_null(brig_param_suggest(lng));
    static const char *const verbs[] = {"jstart", "jstop", "jls"};
    assert_string_equal(brig_suggest("jstrat", verbs, 3), "jstart");
    assert_null(brig_suggest("xyzzy", verbs, 3));
    assert_null(brig_suggest("x", verbs, 0));
}

static void test_check_cidr4_for_the_pool(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_check_cidr4("10.199.0.0/16", &err), 0);
    assert_int_equal(brig_check_cidr4("10.0.0.0/8", &err), 0);
    assert_int_equal(brig_check_cidr4("10.0.0.0/30", &err), 0);
    assert_int_equal(brig_check_cidr4("10.0.0.0/31", &err), -1);
    assert_string_equal(err.msg, "pool '10.0.0.0/31' needs a prefix between 8 and 30");
    assert_int_equal(brig_check_cidr4("10.0.0.0", &err), -1);
    assert_string_equal(err.msg, "'10.0.0.0' is not an IPv4 network (a.b.c.d/len)");
    assert_int_equal(brig_check_cidr4("fd00::/64", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_parameter_has_a_name_type_and_help),
        cmocka_unit_test(test_every_default_passes_its_own_validator),
        cmocka_unit_test(test_name_letters_digits_underscore_dash),
        cmocka_unit_test(test_hostname_follows_rfc1123),
        cmocka_unit_test(test_path_absolute_without_dotdot_or_control),
        cmocka_unit_test(test_string_takes_anything_up_to_4096),
        cmocka_unit_test(test_bool_is_0_or_1),
        cmocka_unit_test(test_uint_within_each_parameters_range),
        cmocka_unit_test(test_size_suffixes_and_overflow),
        cmocka_unit_test(test_addresses_v4_v6_prefixes_and_keywords),
        cmocka_unit_test(test_gateway_auto_none_or_plain_address),
        cmocka_unit_test(test_interface_auto_or_a_short_name),
        cmocka_unit_test(test_mac_unicast_only),
        cmocka_unit_test(test_ip_list_plain_addresses),
        cmocka_unit_test(test_cpulist_lists_and_ranges),
        cmocka_unit_test(test_enum_exact_choice),
        cmocka_unit_test(test_defaults_expand_jname_and_workdir),
        cmocka_unit_test(test_vm_defaults_are_a_vms_only),
        cmocka_unit_test(test_vm_values_checked),
        cmocka_unit_test(test_defaults_keep_values_already_set),
        cmocka_unit_test(test_defaults_without_jname_leave_jname_unset),
        cmocka_unit_test(test_vnet_profile_has_no_address_and_ruleset_5),
        cmocka_unit_test(test_check_realdhcp_needs_vnet),
        cmocka_unit_test(test_check_gateway_address_needs_vnet),
        cmocka_unit_test(test_check_path_and_data_differ),
        cmocka_unit_test(test_check_reports_the_first_bad_value),
        cmocka_unit_test(test_suggest_close_names_only),
        cmocka_unit_test(test_check_cidr4_for_the_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
