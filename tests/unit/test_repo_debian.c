/* Debian bases without a network: base names and suites, debootstrap's
 * progress stream, the host's apt mirror, and what a rootfs says about itself
 * (its tree digest and version). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "repo_debian.h"
#include "repo_tree.h"
#include "sha256.h"
#include "util.h"

static void hex_of(const void *data, size_t n, size_t chunk, char ret[65])
{
    struct brig_sha256 s;
    brig_sha256_init(&s);
    for (size_t off = 0; off < n; off += chunk)
        brig_sha256_update(&s, (const char *)data + off, n - off < chunk ? n - off : chunk);
    brig_sha256_final_hex(&s, ret);
}

static void sha256_gives_the_standard_vectors_in_any_chunking(void **state)
{
    char hex[65];
    hex_of("", 0, 1, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, 1, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t chunk = 1; chunk < 70; chunk += 7) {
        hex_of(two, strlen(two), chunk, hex);
        assert_string_equal(hex,
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    char *million = brig_xmalloc(1000000);
    memset(million, 'a', 1000000);
    hex_of(million, 1000000, 4096, hex);
    free(million);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void debian_names_map_to_suites_and_refuse_the_unknown(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    bool known;
    assert_string_equal(brig_debian_suite("debian12", NULL, &known, &err), "bookworm");
    assert_true(known);
    assert_string_equal(brig_debian_suite("debian13", NULL, &known, &err), "trixie");
    assert_string_equal(brig_debian_suite("debian11", NULL, &known, &err), "bullseye");
    assert_string_equal(brig_debian_suite("debian", NULL, &known, &err), "bookworm");
    assert_string_equal(brig_debian_suite("debian", "trixie", &known, &err), "trixie");
    assert_string_equal(brig_debian_suite("debian12", "bookworm", &known, &err), "bookworm");
    assert_null(brig_debian_suite("debian12", "trixie", &known, &err));
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "base=debian12 is bookworm"));
    err = (struct brig_err)BRIG_ERR_INIT;
    assert_null(brig_debian_suite("debian99", NULL, &known, &err));
    assert_false(known);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "debian13 (trixie)"));
    err = (struct brig_err)BRIG_ERR_INIT;
    assert_null(brig_debian_suite("alpine", NULL, &known, &err));
    assert_false(known);
    assert_int_equal(err.code, 0);
}

static int feed_all(struct brig_dbs *d, const char *text)
{
    int mask = 0;
    _cleanup_free_ char *copy = brig_xstrdup(text);
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        mask |= brig_dbs_feed(d, l);
    return mask;
}

static void debootstrap_stream_gives_phases_progress_and_messages(void **state)
{
    struct brig_dbs d = {0};
    assert_int_equal(feed_all(&d, "P: 0 100 DOWNREL\nPF: Downloading Release file\n"),
                     BRIG_DBS_PROGRESS);
    assert_string_equal(d.phase, "Downloading Release file");
    assert_int_equal(d.total, 100);
    assert_int_equal(brig_dbs_feed(&d, "P: 67 100"), BRIG_DBS_PROGRESS);
    assert_int_equal(d.done, 67);
    assert_string_equal(d.phase, "Downloading Release file");
    assert_int_equal(feed_all(&d, "I: RETRIEVING\nIA: InRelease\nIA: \nIF: Retrieving %s %s\n"),
                     BRIG_DBS_MESSAGE);
    assert_string_equal(d.message, "I: Retrieving InRelease");
    assert_int_equal(feed_all(&d, "P: 2 88 EXTRACTPKGS\nPF: Extracting packages\n"),
                     BRIG_DBS_PROGRESS);
    assert_string_equal(d.phase, "Extracting packages");
    assert_int_equal(d.done, 2);
    assert_int_equal(d.total, 88);
    /* one past the end, as debootstrap counts configured packages */
    assert_int_equal(feed_all(&d, "P: 89 88 CONFREQ\nPF: Configuring required packages\n"),
                     BRIG_DBS_PROGRESS);
    assert_string_equal(d.phase, "Configuring required packages");
    assert_int_equal(d.done, 88);
    assert_int_equal(d.total, 88);
    feed_all(&d, "E: COULDNTDL\nEA: zlib1g\nEF: Couldn't download package %s\n");
    assert_string_equal(d.error, "Couldn't download package zlib1g");
    assert_string_equal(d.message, "E: Couldn't download package zlib1g");
    brig_dbs_free(&d);
}

static void debootstrap_stream_ignores_garbage(void **state)
{
    struct brig_dbs d = {0};
    static const char *const junk[] = {
        "",
        "P:",
        "P: ",
        "P: x y",
        "P: 5 3",
        "P: 1",
        "P: 99999999999999999999999 1",
        "PF: no record open",
        "IA: stray",
        "X: other",
        "gpgv: Good signature",
        "P: 1 2\tNAME",
        "IF: %s%s%s%s%s%s%s%s%s%s%s%s %%",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        brig_dbs_feed(&d, junk[i]);
    assert_string_equal(d.phase, "");
    /* more arguments than it keeps, and a format asking for more than it has */
    brig_dbs_feed(&d, "I: MANY");
    for (int i = 0; i < 20; i++)
        brig_dbs_feed(&d, "IA: a");
    assert_int_equal(brig_dbs_feed(&d, "IF: %s%s%s%s%s%s%s%s%s%s%s %d %% end"), BRIG_DBS_MESSAGE);
    assert_string_equal(d.message, "I: aaaaaaaa  % end");
    brig_dbs_free(&d);
}

static void apt_sources_give_the_hosts_debian_mirror(void **state)
{
    const char *deb822 = "# a comment\n"
                         "Types: deb\n"
                         "URIs: http://security.example/debian-security\n"
                         "Suites: bookworm-security\n"
                         "Components: main\n"
                         "\n"
                         "Types: deb deb-src\n"
                         "URIs: http://off.example/debian\n"
                         "Suites: bookworm\n"
                         "Components: main\n"
                         "Enabled: no\n"
                         "\n"
                         "Types: deb\n"
                         "URIs: http://mirror.example/debian/\n"
                         "Suites: bookworm bookworm-updates\n"
                         "Components: main\n"
                         "  contrib\n";
    _cleanup_free_ char *m = brig_apt_mirror_parse(deb822, true, "bookworm");
    assert_string_equal(m, "http://mirror.example/debian");
    assert_null(brig_apt_mirror_parse(deb822, true, "trixie"));

    const char *list = "deb-src http://src.example/debian bookworm main\n"
                       "deb [arch=amd64] https://other.example/x nodistro main\n"
                       "deb [signed-by=/k.gpg] http://list.example/debian bookworm main # c\n";
    _cleanup_free_ char *l = brig_apt_mirror_parse(list, false, "bookworm");
    assert_string_equal(l, "http://list.example/debian");
    /* a mirror brig would not hand to debootstrap is skipped */
    assert_null(brig_apt_mirror_parse("deb cdrom:[Debian]/ bookworm main\n", false, "bookworm"));
    assert_null(brig_apt_mirror_parse("deb http://x/a\x01b bookworm main\n", false, "bookworm"));
    assert_null(brig_apt_mirror_parse("deb [ http://x/ bookworm main\n", false, "bookworm"));
    assert_null(brig_apt_mirror_parse("Types: deb\nURIs:\nSuites: bookworm\n", true, "bookworm"));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void host_mirror_needs_a_debian_host(void **state)
{
    char top[] = "/tmp/brig-apt-XXXXXX";
    assert_non_null(mkdtemp(top));
    _cleanup_free_ char *etc = brig_xasprintf("%s/etc/apt/sources.list.d", top);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_mkdir_p(etc, 0755, &err), 0);
    _cleanup_free_ char *osr = brig_xasprintf("%s/etc/os-release", top);
    _cleanup_free_ char *src = brig_xasprintf("%s/etc/apt/sources.list.d/debian.sources", top);
    write_file(src, "Types: deb\nURIs: http://apt.example/debian\nSuites: trixie\n"
                    "Components: main\n");
    write_file(osr, "ID=ubuntu\nVERSION_CODENAME=trixie\n");
    assert_null(brig_debian_host_mirror(top));
    write_file(osr, "ID=debian\nVERSION_CODENAME=trixie\n");
    _cleanup_free_ char *m = brig_debian_host_mirror(top);
    assert_string_equal(m, "http://apt.example/debian");
    write_file(osr, "ID=debian\nVERSION_CODENAME=bookworm\n");
    assert_null(brig_debian_host_mirror(top));
    assert_int_equal(brig_rm_rf(top, &err), 0);
}

static void rootfs_version_and_digest_stay_inside_the_tree(void **state)
{
    char top[] = "/tmp/brig-tree-XXXXXX";
    assert_non_null(mkdtemp(top));
    _cleanup_free_ char *etc = brig_xasprintf("%s/etc", top);
    _cleanup_free_ char *lib = brig_xasprintf("%s/usr/lib", top);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_mkdir_p(etc, 0755, &err), 0);
    assert_int_equal(brig_mkdir_p(lib, 0755, &err), 0);
    _cleanup_free_ char *empty = brig_rootfs_version(top);
    assert_string_equal(empty, "");

    /* an absolute link is resolved inside the tree, never on the host */
    _cleanup_free_ char *osr = brig_xasprintf("%s/etc/os-release", top);
    assert_int_equal(symlink("/usr/lib/os-release", osr), 0);
    _cleanup_free_ char *libosr = brig_xasprintf("%s/usr/lib/os-release", top);
    write_file(libosr,
               "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\n");
    _cleanup_free_ char *pretty = brig_rootfs_version(top);
    assert_string_equal(pretty, "Debian GNU/Linux 12 (bookworm)");
    _cleanup_free_ char *dv = brig_xasprintf("%s/etc/debian_version", top);
    assert_int_equal(symlink("/etc/hostname", dv), 0);
    _cleanup_free_ char *still = brig_rootfs_version(top);
    assert_string_equal(still, "Debian GNU/Linux 12 (bookworm)");
    unlink(dv);
    write_file(dv, "12.11\n");
    _cleanup_free_ char *deb = brig_rootfs_version(top);
    assert_string_equal(deb, "bookworm 12.11");

    char a[65], b[65], c[65];
    assert_int_equal(brig_tree_sha256(top, a, &err), 0);
    assert_int_equal(brig_tree_sha256(top, b, &err), 0);
    assert_string_equal(a, b);
    write_file(dv, "12.12\n");
    assert_int_equal(brig_tree_sha256(top, c, &err), 0);
    assert_string_not_equal(a, c);
    write_file(dv, "12.11\n");
    assert_int_equal(chmod(dv, 0600), 0);
    assert_int_equal(brig_tree_sha256(top, c, &err), 0);
    assert_string_not_equal(a, c);
    assert_int_equal(brig_rm_rf(top, &err), 0);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(sha256_gives_the_standard_vectors_in_any_chunking),
        T(debian_names_map_to_suites_and_refuse_the_unknown),
        T(debootstrap_stream_gives_phases_progress_and_messages),
        T(debootstrap_stream_ignores_garbage),
        T(apt_sources_give_the_hosts_debian_mirror),
        T(host_mirror_needs_a_debian_host),
        T(rootfs_version_and_digest_stay_inside_the_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
