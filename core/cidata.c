/* NoCloud seed ISO: the values are checked one by one against what each may
 * hold, then written as double-quoted YAML scalars, so no value can add a key,
 * a list item or a document to the seed. */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cidata.h"
#include "mac.h"
#include "util.h"

#define CIDATA_LABEL "cidata"

/* Key types that OpenSSH's authorized_keys accepts for a user. */
static const char *const ssh_key_types[] = {
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
};

static int refuse(struct brig_err *err, const char *what, const char *why)
{
    return brig_err_set(err, BRIG_EUSAGE, "cloud-init %s: %s", what, why);
}

/* Every byte printable ASCII: no newline, tab or other control byte. */
static bool printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

static int check_instance_id(const char *s, struct brig_err *err)
{
    if (!s || !*s)
        return refuse(err, "instance-id", "is empty");
    if (strlen(s) > 128)
        return refuse(err, "instance-id", "is longer than 128 characters");
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
            return refuse(err, "instance-id", "may hold only letters, digits, '.', '_' and '-'");
    if (!isalnum((unsigned char)s[0]))
        return refuse(err, "instance-id", "must start with a letter or a digit");
    return 0;
}

/* RFC 1123: dot-separated labels of letters, digits and inner hyphens. */
static int check_hostname(const char *s, struct brig_err *err)
{
    if (!s || !*s)
        return refuse(err, "hostname", "is empty");
    if (strlen(s) > 253)
        return refuse(err, "hostname", "is longer than 253 characters");
    size_t label = 0;
    for (const char *p = s;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || p[-1] == '-')
                return refuse(err, "hostname", "has an empty label or one ending in '-'");
            if (*p == '\0')
                break;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)*p) && *p != '-')
            return refuse(err, "hostname", "may hold only letters, digits, '-' and '.'");
        if (label == 0 && *p == '-')
            return refuse(err, "hostname", "has a label starting with '-'");
        if (++label > 63)
            return refuse(err, "hostname", "has a label longer than 63 characters");
    }
    return 0;
}

/* A POSIX-portable user name as useradd(8) takes it: [a-z_][a-z0-9_-]*. */
static int check_user(const char *s, struct brig_err *err)
{
    if (!*s)
        return refuse(err, "user", "is empty");
    if (strlen(s) > 32)
        return refuse(err, "user", "is longer than 32 characters");
    for (const char *p = s; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || *p == '_' ||
                  (p != s && ((*p >= '0' && *p <= '9') || *p == '-'));
        if (!ok)
            return refuse(err, "user",
                          "must start with a-z or '_' and hold only a-z, 0-9, '_' and '-'");
    }
    return 0;
}

static bool base64_char(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '=';
}

/* "TYPE BASE64 [comment]" on one line, TYPE one OpenSSH knows. */
static int check_pubkey(const char *s, struct brig_err *err)
{
    if (!printable(s))
        return refuse(err, "ssh public key", "must be one line of printable characters");
    const char *sp = strchr(s, ' ');
    if (!sp)
        return refuse(err, "ssh public key", "is not \"TYPE KEY [COMMENT]\"");
    bool known = false;
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(ssh_key_types); i++)
        known |= strlen(ssh_key_types[i]) == (size_t)(sp - s) &&
                 strncmp(s, ssh_key_types[i], (size_t)(sp - s)) == 0;
    if (!known)
        return refuse(err, "ssh public key", "has an unknown key type");
    const char *blob = sp + 1, *end = blob;
    while (base64_char(*end))
        end++;
    if (end - blob < 16 || (*end != '\0' && *end != ' '))
        return refuse(err, "ssh public key", "has no base64 key after its type");
    return 0;
}

static int check_ip4_host(const char *what, const char *s, struct brig_err *err)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return refuse(err, what, "is not an IPv4 address");
    return 0;
}

static int check_ip4_addr(const char *s, struct brig_err *err)
{
    if (brig_strcaseeq(s, "DHCP"))
        return 0;
    const char *slash = strchr(s, '/');
    if (!slash)
        return refuse(err, "ip4_addr", "is not \"A.B.C.D/NN\" or DHCP");
    _cleanup_free_ char *host = brig_xstrndup(s, (size_t)(slash - s));
    struct brig_addr a;
    if (check_ip4_host("ip4_addr", host, err) < 0 || brig_addr_parse(s, &a, NULL) < 0 ||
        a.family != AF_INET || a.prefix == 0)
        return refuse(err, "ip4_addr", "is not \"A.B.C.D/NN\" or DHCP");
    return 0;
}

static int check_nameservers(const char *s, struct brig_err *err)
{
    _cleanup_free_ char *copy = brig_xstrdup(s);
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned char buf[16];
        if (inet_pton(AF_INET, tok, buf) != 1 && inet_pton(AF_INET6, tok, buf) != 1)
            return refuse(err, "nameserver", "is not a comma list of addresses");
        n++;
    }
    if (n == 0 || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
        return refuse(err, "nameserver", "is not a comma list of addresses");
    return 0;
}

static int check_mac(const char *s, struct brig_err *err)
{
    uint8_t mac[6];
    struct brig_err e = BRIG_ERR_INIT;
    if (strlen(s) != BRIG_MAC_STRLEN - 1 || brig_mac_parse(s, mac, &e) < 0)
        return refuse(err, "mac", "is not \"xx:xx:xx:xx:xx:xx\"");
    return 0;
}

static int check(const struct brig_cidata *ci, struct brig_err *err)
{
    if (check_instance_id(ci->instance_id, err) < 0 || check_hostname(ci->hostname, err) < 0)
        return -1;
    if (ci->user && check_user(ci->user, err) < 0)
        return -1;
    if (ci->pubkey && check_pubkey(ci->pubkey, err) < 0)
        return -1;
    if (ci->ip4_addr && check_ip4_addr(ci->ip4_addr, err) < 0)
        return -1;
    if (ci->gw4 && check_ip4_host("gw4", ci->gw4, err) < 0)
        return -1;
    if (ci->nameserver && check_nameservers(ci->nameserver, err) < 0)
        return -1;
    if (ci->mac && check_mac(ci->mac, err) < 0)
        return -1;
    bool dhcp = !ci->ip4_addr || brig_strcaseeq(ci->ip4_addr, "DHCP");
    if (!ci->mac && (!dhcp || ci->gw4 || ci->nameserver))
        return refuse(err, "network",
                      "a static address, gateway or nameserver needs the NIC's MAC");
    if (dhcp && ci->gw4)
        return refuse(err, "gw4", "is set but the address comes from DHCP");
    return 0;
}

/* s as a YAML double-quoted scalar; check() let through printable ASCII only. */
static void add_quoted(struct brig_buf *b, const char *s)
{
    brig_buf_addc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            brig_buf_addc(b, '\\');
        brig_buf_addc(b, *p);
    }
    brig_buf_addc(b, '"');
}

static char *render_meta(const struct brig_cidata *ci)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "instance-id: ");
    add_quoted(&b, ci->instance_id);
    brig_buf_add(&b, "\nlocal-hostname: ");
    add_quoted(&b, ci->hostname);
    brig_buf_add(&b, "\n");
    return brig_buf_steal(&b);
}

static char *render_user(const struct brig_cidata *ci)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "#cloud-config\nhostname: ");
    add_quoted(&b, ci->hostname);
    brig_buf_add(&b, "\nmanage_etc_hosts: true\n");
    if (ci->user) {
        brig_buf_add(&b, "users:\n  - name: ");
        add_quoted(&b, ci->user);
        brig_buf_add(&b, "\n    shell: /bin/sh\n"
                         "    lock_passwd: true\n"
                         "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n");
        if (ci->pubkey) {
            brig_buf_add(&b, "    ssh_authorized_keys:\n      - ");
            add_quoted(&b, ci->pubkey);
            brig_buf_add(&b, "\n");
        }
    } else if (ci->pubkey) {
        brig_buf_add(&b, "ssh_authorized_keys:\n  - ");
        add_quoted(&b, ci->pubkey);
        brig_buf_add(&b, "\n");
    }
    return brig_buf_steal(&b);
}

/* Network config version 2: the NIC found by its MAC, static or DHCP. The
 * gateway is gateway4, which every cloud-init renders (Debian 12's ifupdown
 * renderer drops a "routes" default route); the
 * entry is named eth0 because older cloud-init renames the NIC to the entry's
 * name; a static entry has no dhcp4 key, since older cloud-init asks for DHCP
 * whenever the key is there, even as "dhcp4: false". */
static char *render_network(const struct brig_cidata *ci)
{
    char mac[BRIG_MAC_STRLEN];
    uint8_t raw[6];
    if (brig_mac_parse(ci->mac, raw, NULL) < 0)
        return NULL;
    brig_mac_format(raw, mac);
    struct brig_buf b = {0};
    brig_buf_add(&b, "version: 2\nethernets:\n  eth0:\n    match:\n      macaddress: ");
    add_quoted(&b, mac);
    brig_buf_add(&b, "\n");
    if (!ci->ip4_addr || brig_strcaseeq(ci->ip4_addr, "DHCP")) {
        brig_buf_add(&b, "    dhcp4: true\n");
    } else {
        brig_buf_add(&b, "    addresses:\n      - ");
        add_quoted(&b, ci->ip4_addr);
        brig_buf_add(&b, "\n");
        if (ci->gw4) {
            brig_buf_add(&b, "    gateway4: ");
            add_quoted(&b, ci->gw4);
            brig_buf_add(&b, "\n");
        }
    }
    if (ci->nameserver) {
        brig_buf_add(&b, "    nameservers:\n      addresses:\n");
        _cleanup_free_ char *copy = brig_xstrdup(ci->nameserver);
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            brig_buf_add(&b, "        - ");
            add_quoted(&b, tok);
            brig_buf_add(&b, "\n");
        }
    }
    return brig_buf_steal(&b);
}

int brig_cidata_render(const struct brig_cidata *ci, char **ret_meta, char **ret_user,
                       char **ret_network, struct brig_err *err)
{
    if (check(ci, err) < 0)
        return -1;
    *ret_meta = render_meta(ci);
    *ret_user = render_user(ci);
    *ret_network = ci->mac ? render_network(ci) : NULL;
    return 0;
}

/* libarchive, opened with dlopen when a seed is written: linked, it and the
 * libraries it needs (libxml2, ICU, libstdc++, ...) were loaded and relocated
 * by every brig command, ~150 page faults and ~130 system calls each. */
static struct {
    void *lib;
    struct archive *(*write_new)(void);
    int (*set_format_iso9660)(struct archive *);
    int (*set_format_option)(struct archive *, const char *, const char *, const char *);
    int (*open_fd)(struct archive *, int);
    int (*write_header)(struct archive *, struct archive_entry *);
    la_ssize_t (*write_data)(struct archive *, const void *, size_t);
    int (*write_close)(struct archive *);
    int (*write_free)(struct archive *);
    const char *(*error_string)(struct archive *);
    struct archive_entry *(*entry_new)(void);
    void (*entry_free)(struct archive_entry *);
    void (*entry_set_pathname)(struct archive_entry *, const char *);
    void (*entry_set_filetype)(struct archive_entry *, unsigned int);
    void (*entry_set_perm)(struct archive_entry *, mode_t);
    void (*entry_set_size)(struct archive_entry *, la_int64_t);
    void (*entry_set_mtime)(struct archive_entry *, time_t, long);
} la;

static int la_load(struct brig_err *err)
{
    if (la.lib)
        return 0;
    void *lib = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return brig_err_set(err, BRIG_EFAIL, "seed ISO: %s (apt-get install libarchive13)",
                            dlerror());
    static const char *const names[] = {
        "archive_write_new",
        "archive_write_set_format_iso9660",
        "archive_write_set_format_option",
        "archive_write_open_fd",
        "archive_write_header",
        "archive_write_data",
        "archive_write_close",
        "archive_write_free",
        "archive_error_string",
        "archive_entry_new",
        "archive_entry_free",
        "archive_entry_set_pathname",
        "archive_entry_set_filetype",
        "archive_entry_set_perm",
        "archive_entry_set_size",
        "archive_entry_set_mtime",
    };
    void *sym[BRIG_ARRAY_SIZE(names)];
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(names); i++) {
        if (!(sym[i] = dlsym(lib, names[i]))) {
            dlclose(lib);
            return brig_err_set(err, BRIG_EFAIL, "seed ISO: libarchive has no %s", names[i]);
        }
    }
    memcpy(&la.write_new, &sym[0], sizeof(void *));
    memcpy(&la.set_format_iso9660, &sym[1], sizeof(void *));
    memcpy(&la.set_format_option, &sym[2], sizeof(void *));
    memcpy(&la.open_fd, &sym[3], sizeof(void *));
    memcpy(&la.write_header, &sym[4], sizeof(void *));
    memcpy(&la.write_data, &sym[5], sizeof(void *));
    memcpy(&la.write_close, &sym[6], sizeof(void *));
    memcpy(&la.write_free, &sym[7], sizeof(void *));
    memcpy(&la.error_string, &sym[8], sizeof(void *));
    memcpy(&la.entry_new, &sym[9], sizeof(void *));
    memcpy(&la.entry_free, &sym[10], sizeof(void *));
    memcpy(&la.entry_set_pathname, &sym[11], sizeof(void *));
    memcpy(&la.entry_set_filetype, &sym[12], sizeof(void *));
    memcpy(&la.entry_set_perm, &sym[13], sizeof(void *));
    memcpy(&la.entry_set_size, &sym[14], sizeof(void *));
    memcpy(&la.entry_set_mtime, &sym[15], sizeof(void *));
    la.lib = lib;
    return 0;
}

static int add_file(struct archive *a, const char *name, const char *data, time_t now,
                    struct brig_err *err)
{
    struct archive_entry *e = la.entry_new();
    if (!e)
        abort();
    size_t len = strlen(data);
    la.entry_set_pathname(e, name);
    la.entry_set_filetype(e, AE_IFREG);
    la.entry_set_perm(e, 0644);
    la.entry_set_size(e, (la_int64_t)len);
    la.entry_set_mtime(e, now, 0);
    int r = la.write_header(a, e);
    la.entry_free(e);
    if (r != ARCHIVE_OK || la.write_data(a, data, len) != (la_ssize_t)len)
        return brig_err_set(err, BRIG_EFAIL, "seed ISO %s: %s", name, la.error_string(a));
    return 0;
}

/* libarchive writes the primary volume id in d-characters, upper case;
 * NoCloud names the label "cidata", as cloud-localds (genisoimage -V) writes it
 * there, so the primary descriptor gets it in lower case like the Joliet one. */
static int label_primary_volume(int fd, const char *path, struct brig_err *err)
{
    const off_t at = 16 * 2048 + 40;
    char id[32], found[32];
    memset(id, ' ', sizeof(id));
    memcpy(id, "CIDATA", strlen(CIDATA_LABEL));
    if (pread(fd, found, sizeof(found), at) != (ssize_t)sizeof(found) ||
        memcmp(found, id, sizeof(id)) != 0)
        return brig_err_set(err, BRIG_EFAIL, "seed ISO %s: no primary volume id CIDATA", path);
    memcpy(id, CIDATA_LABEL, strlen(CIDATA_LABEL));
    if (pwrite(fd, id, sizeof(id), at) != (ssize_t)sizeof(id))
        return brig_err_sys(err, errno, "write %s", path);
    return 0;
}

int brig_cidata_write(const char *path, const struct brig_cidata *ci, struct brig_err *err)
{
    _cleanup_free_ char *meta = NULL, *user = NULL, *network = NULL;
    if (brig_cidata_render(ci, &meta, &user, &network, err) < 0 || la_load(err) < 0)
        return -1;
    _cleanup_free_ char *tmp = brig_xasprintf("%s.tmpXXXXXX", path);
    _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return brig_err_sys(err, errno, "create %s", tmp);
    struct archive *a = la.write_new();
    time_t now = time(NULL);
    int r = -1;
    if (!a || la.set_format_iso9660(a) != ARCHIVE_OK ||
        la.set_format_option(a, "iso9660", "volume-id", CIDATA_LABEL) != ARCHIVE_OK ||
        la.set_format_option(a, "iso9660", "rockridge", "useful") != ARCHIVE_OK ||
        la.set_format_option(a, "iso9660", "joliet", "1") != ARCHIVE_OK ||
        la.open_fd(a, fd) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "seed ISO %s: %s", path,
                     a ? la.error_string(a) : "cannot initialise libarchive");
        goto out;
    }
    if (add_file(a, "meta-data", meta, now, err) < 0 ||
        add_file(a, "user-data", user, now, err) < 0 ||
        (network && add_file(a, "network-config", network, now, err) < 0))
        goto out;
    if (la.write_close(a) != ARCHIVE_OK) {
        brig_err_set(err, BRIG_EFAIL, "seed ISO %s: %s", path, la.error_string(a));
        goto out;
    }
    if (label_primary_volume(fd, path, err) < 0)
        goto out;
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || close(brig_steal_fd(&fd)) < 0) {
        brig_err_sys(err, errno, "write %s", tmp);
        goto out;
    }
    if (rename(tmp, path) < 0) {
        brig_err_sys(err, errno, "rename %s", path);
        goto out;
    }
    r = 0;
out:
    if (a)
        la.write_free(a);
    if (r < 0)
        unlink(tmp);
    return r;
}
