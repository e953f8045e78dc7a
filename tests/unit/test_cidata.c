#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cidata.h"
#include "core/util.h"

#define KEY                                                                                        \
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx2m5l0fH3b9Q7n0m1k2j3h4g5f6d7s8a9p0o1i2u3y alice@host"

static const struct brig_cidata good = {
    .instance_id = "vm1-0001",
    .hostname = "vm1",
    .user = "alice",
    .pubkey = KEY,
    .ip4_addr = "10.0.0.5/24",
    .gw4 = "10.0.0.1",
    .nameserver = "10.0.0.1,fd00::1",
    .mac = "02:AB:cd:00:00:01",
};

struct seed {
    char *names[4];
    char *data[4];
    int n;
};

static char *tmp_path(void)
{
    char dir[] = "/tmp/brig-cidata-XXXXXX";
    assert_non_null(mkdtemp(dir));
    return brig_xasprintf("%s/seed.iso", dir);
}

static void remove_seed(char *path)
{
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}

/* Read every file of the ISO back with libarchive's ISO9660 reader. */
static void read_seed(const char *path, struct seed *s)
{
    memset(s, 0, sizeof(*s));
    struct archive *a = archive_read_new();
    archive_read_support_format_iso9660(a);
    assert_int_equal(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
    struct archive_entry *e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        assert_true(s->n < 4);
        size_t len = (size_t)archive_entry_size(e);
        char *buf = brig_xcalloc(1, len + 1);
        assert_int_equal(archive_read_data(a, buf, len), (la_ssize_t)len);
        s->names[s->n] = brig_xstrdup(archive_entry_pathname(e));
        s->data[s->n++] = buf;
    }
    archive_read_free(a);
}

static const char *seed_file(const struct seed *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->data[i];
    return NULL;
}

static void free_seed(struct seed *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->names[i]);
        free(s->data[i]);
    }
}

/* The volume id of the primary volume descriptor (sector 16, bytes 40..71). */
static void read_volume_id(const char *path, char out[33])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    unsigned char pvd[2048];
    assert_int_equal(pread(fd, pvd, sizeof(pvd), 16 * 2048), (ssize_t)sizeof(pvd));
    close(fd);
    assert_int_equal(pvd[0], 1);
    assert_memory_equal(pvd + 1, "CD001", 5);
    memcpy(out, pvd + 40, 32);
    out[32] = '\0';
}

static void test_seed_iso_is_labelled_cidata_with_the_three_files(void **state)
{
    char *path = tmp_path();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cidata_write(path, &good, &err), 0);
    char label[33];
    read_volume_id(path, label);
    assert_string_equal(label, "cidata                          ");
    struct seed s;
    read_seed(path, &s);
    assert_int_equal(s.n, 3);
    assert_non_null(seed_file(&s, "meta-data"));
    assert_non_null(seed_file(&s, "user-data"));
    assert_non_null(seed_file(&s, "network-config"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    free_seed(&s);
    remove_seed(path);
}

static void test_seed_files_hold_the_values_given(void **state)
{
    char *path = tmp_path();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cidata_write(path, &good, &err), 0);
    struct seed s;
    read_seed(path, &s);
    assert_string_equal(seed_file(&s, "meta-data"), "instance-id: \"vm1-0001\"\n"
                                                    "local-hostname: \"vm1\"\n");
    assert_string_equal(seed_file(&s, "user-data"), "#cloud-config\n"
                                                    "hostname: \"vm1\"\n"
                                                    "manage_etc_hosts: true\n"
                                                    "users:\n"
                                                    "  - name: \"alice\"\n"
                                                    "    shell: /bin/sh\n"
                                                    "    lock_passwd: true\n"
                                                    "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n"
                                                    "    ssh_authorized_keys:\n"
                                                    "      - \"" KEY "\"\n");
    assert_string_equal(seed_file(&s, "network-config"), "version: 2\n"
                                                         "ethernets:\n"
                                                         "  eth0:\n"
                                                         "    match:\n"
                                                         "      macaddress: \"02:ab:cd:00:00:01\"\n"
                                                         "    addresses:\n"
                                                         "      - \"10.0.0.5/24\"\n"
                                                         "    gateway4: \"10.0.0.1\"\n"
                                                         "    nameservers:\n"
                                                         "      addresses:\n"
                                                         "        - \"10.0.0.1\"\n"
                                                         "        - \"fd00::1\"\n");
    free_seed(&s);
    remove_seed(path);
}

static void test_dhcp_address_asks_for_dhcp4_and_no_mac_leaves_network_config_out(void **state)
{
    struct brig_cidata ci = {
        .instance_id = "i", .hostname = "h", .ip4_addr = "DHCP", .mac = "02:00:00:00:00:09"};
    char *meta, *user, *net;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cidata_render(&ci, &meta, &user, &net, &err), 0);
    assert_non_null(strstr(net, "    dhcp4: true\n"));
    assert_null(strstr(net, "addresses"));
    assert_null(strstr(user, "users:"));
    free(meta), free(user), free(net);
    ci.mac = NULL;
    ci.ip4_addr = NULL;
    assert_int_equal(brig_cidata_render(&ci, &meta, &user, &net, &err), 0);
    assert_null(net);
    free(meta), free(user);
}

/* Each hostile or malformed value is refused as bad input with one line. */
static void test_hostile_values_are_refused_with_one_line(void **state)
{
    struct {
        const char *field, *value, *says;
    } bad[] = {
        {"hostname", "vm1\nruncmd: [reboot]", "hostname"},
        {"hostname", "-vm", "hostname"},
        {"hostname", "vm 1", "hostname"},
        {"hostname", "", "hostname"},
        {"user", "x\nkey: x", "user"},
        {"user", "key: x", "user"},
        {"user", "- root", "user"},
        {"user", "root\"", "user"},
        {"instance_id", "i: 1", "instance-id"},
        {"instance_id", "&anchor", "instance-id"},
        {"pubkey", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\n- ssh-rsa AAAA", "ssh public key"},
        {"pubkey", "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIGx2", "ssh public key"},
        {"pubkey", "ssh-ed25519 !!python/object", "ssh public key"},
        {"ip4_addr", "10.0.0.5", "ip4_addr"},
        {"ip4_addr", "10.0.0.5/24\n", "ip4_addr"},
        {"ip4_addr", "10.0.0.256/24", "ip4_addr"},
        {"ip4_addr", "fd00::5/64", "ip4_addr"},
        {"gw4", "10.0.0.1 # x", "gw4"},
        {"nameserver", "10.0.0.1,,10.0.0.2", "nameserver"},
        {"nameserver", "{a: b}", "nameserver"},
        {"mac", "02:00:00:00:00:0g", "mac"},
        {"mac", "02:00:00:00:00:01\n", "mac"},
    };
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(bad); i++) {
        struct brig_cidata ci = good;
        const char **f = strcmp(bad[i].field, "hostname") == 0      ? &ci.hostname
                         : strcmp(bad[i].field, "user") == 0        ? &ci.user
                         : strcmp(bad[i].field, "instance_id") == 0 ? &ci.instance_id
                         : strcmp(bad[i].field, "pubkey") == 0      ? &ci.pubkey
                         : strcmp(bad[i].field, "ip4_addr") == 0    ? &ci.ip4_addr
                         : strcmp(bad[i].field, "gw4") == 0         ? &ci.gw4
                         : strcmp(bad[i].field, "nameserver") == 0  ? &ci.nameserver
                                                                    : &ci.mac;
        *f = bad[i].value;
        char *path = tmp_path();
        struct brig_err err = BRIG_ERR_INIT;
        if (brig_cidata_write(path, &ci, &err) != -1)
            fail_msg("%s=%s was accepted", bad[i].field, bad[i].value);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_non_null(strstr(err.msg, bad[i].says));
        assert_null(strchr(err.msg, '\n'));
        struct stat st;
        assert_int_equal(stat(path, &st), -1);
        remove_seed(path);
    }
}

static void test_static_address_without_mac_is_refused(void **state)
{
    struct brig_cidata ci = good;
    ci.mac = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    char *path = tmp_path();
    assert_int_equal(brig_cidata_write(path, &ci, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "MAC"));
    remove_seed(path);
}

static void test_rewrite_replaces_the_seed_and_leaves_no_temporary_file(void **state)
{
    char *path = tmp_path();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_cidata_write(path, &good, &err), 0);
    struct brig_cidata ci = good;
    ci.hostname = "vm2";
    assert_int_equal(brig_cidata_write(path, &ci, &err), 0);
    struct seed s;
    read_seed(path, &s);
    assert_non_null(strstr(seed_file(&s, "meta-data"), "local-hostname: \"vm2\""));
    free_seed(&s);
    char *dir = brig_xstrdup(path);
    *strrchr(dir, '/') = '\0';
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *de; (de = readdir(d));)
        files += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 1);
    free(dir);
    remove_seed(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_iso_is_labelled_cidata_with_the_three_files),
        cmocka_unit_test(test_seed_files_hold_the_values_given),
        cmocka_unit_test(test_dhcp_address_asks_for_dhcp4_and_no_mac_leaves_network_config_out),
        cmocka_unit_test(test_hostile_values_are_refused_with_one_line),
        cmocka_unit_test(test_static_address_without_mac_is_refused),
        cmocka_unit_test(test_rewrite_replaces_the_seed_and_leaves_no_temporary_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
