/* Bases: busybox rootfs, tarball import (file, file:// and http URLs, sha256,
 * unsafe entries), removal and cleanup of what a killed import left. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "fetch.h"
#include "os/linux/base_busybox.h"
#include "repo.h"
#include "repo_archive.h"
#include "util.h"

struct fixture {
    char top[64]; /* private scratch dir: nothing may land outside wd */
    char *wd;     /* workdir = top/wd */
    char *bases;  /* wd/basejail */
};

static int setup(void **state)
{
    struct fixture *f = brig_xcalloc(1, sizeof(*f));
    snprintf(f->top, sizeof(f->top), "/tmp/brig-test-repo-XXXXXX");
    if (!mkdtemp(f->top))
        return -1;
    f->wd = brig_xasprintf("%s/wd", f->top);
    f->bases = brig_xasprintf("%s/basejail", f->wd);
    if (mkdir(f->wd, 0755) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    brig_rm_rf(f->top, &err);
    free(f->wd);
    free(f->bases);
    free(f);
    return 0;
}

static char *path_in(const char *dir, const char *rel)
{
    return brig_xasprintf("%s/%s", dir, rel);
}

static char *base_file(struct fixture *f, const char *base, const char *rel)
{
    return brig_xasprintf("%s/%s/%s", f->bases, base, rel);
}

static char *read_text(const char *path)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *s = NULL;
    if (brig_read_file(path, 1 << 20, &s, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    return s;
}

/* Names in dir starting with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += brig_startswith(de->d_name, prefix);
    closedir(d);
    return n;
}

/* True when a file called name exists anywhere under dir. */
static bool tree_has(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (strstr(de->d_name, name))
            found = true;
        else if (de->d_type == DT_DIR) {
            char *sub = path_in(dir, de->d_name);
            found = tree_has(sub, name);
            free(sub);
        }
    }
    closedir(d);
    return found;
}

struct tentry {
    const char *path;
    mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR; 0: hard link */
    mode_t perm;
    const char *data; /* contents, symlink or hard link target */
    int uid;
};

/* Write a tar archive with the given compression ("gzip", "xz", "zstd", "none"). */
static void make_tar(const char *path, const char *filter, const struct tentry *e, size_t n)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (!strcmp(filter, "gzip"))
        archive_write_add_filter_gzip(a);
    else if (!strcmp(filter, "xz"))
        archive_write_add_filter_xz(a);
    else if (!strcmp(filter, "zstd"))
        assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].path);
        archive_entry_set_uid(ae, (la_int64_t)e[i].uid);
        archive_entry_set_gid(ae, (la_int64_t)e[i].uid);
        archive_entry_set_mtime(ae, 1700000000, 0);
        if (e[i].type == 0) {
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_hardlink(ae, e[i].data);
        } else {
            archive_entry_set_filetype(ae, e[i].type);
            archive_entry_set_perm(ae, e[i].perm);
        }
        if (e[i].type == AE_IFLNK)
            archive_entry_set_symlink(ae, e[i].data);
        if (e[i].type == AE_IFCHR)
            archive_entry_set_rdev(ae, makedev(1, 3));
        if (e[i].type == AE_IFREG)
            archive_entry_set_size(ae, (la_int64_t)strlen(e[i].data));
        assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
        if (e[i].type == AE_IFREG)
            archive_write_data(a, e[i].data, strlen(e[i].data));
        archive_entry_free(ae);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static const struct tentry good_rootfs[] = {
    {"./", AE_IFDIR, 0755, NULL, 0},
    {"./etc/", AE_IFDIR, 0755, NULL, 0},
    {"./etc/os-release", AE_IFREG, 0644, "ID=test\n", 0},
    {"./bin/", AE_IFDIR, 0755, NULL, 0},
    {"./bin/hello", AE_IFREG, 04755, "#!/bin/sh\necho hello\n", 0},
    {"./bin/hard", 0, 0, "./bin/hello", 0},
    {"./bin/link", AE_IFLNK, 0777, "hello", 0},
    {"./usr/lib/abs", AE_IFLNK, 0777, "/etc/os-release", 0},
    {"./home/user/", AE_IFDIR, 0700, NULL, 1234},
    {"./home/user/notes", AE_IFREG, 0600, "mine\n", 1234},
    {"./dev/null", AE_IFCHR, 0666, NULL, 0},
};

static void assert_good_rootfs(struct fixture *f, const char *name)
{
    _cleanup_free_ char *osr = base_file(f, name, "etc/os-release");
    _cleanup_free_ char *text = read_text(osr);
    assert_string_equal(text, "ID=test\n");

    struct stat st, st2;
    _cleanup_free_ char *hello = base_file(f, name, "bin/hello");
    _cleanup_free_ char *hard = base_file(f, name, "bin/hard");
    assert_int_equal(stat(hello, &st), 0);
    assert_int_equal(st.st_mode & 07777, 04755);
    assert_int_equal(stat(hard, &st2), 0);
    assert_int_equal(st.st_ino, st2.st_ino);

    char target[256] = "";
    _cleanup_free_ char *link = base_file(f, name, "bin/link");
    assert_true(readlink(link, target, sizeof(target) - 1) > 0);
    assert_string_equal(target, "hello");
    memset(target, 0, sizeof(target));
    _cleanup_free_ char *abs = base_file(f, name, "usr/lib/abs");
    assert_true(readlink(abs, target, sizeof(target) - 1) > 0);
    assert_string_equal(target, "/etc/os-release");

    _cleanup_free_ char *notes = base_file(f, name, "home/user/notes");
    assert_int_equal(lstat(notes, &st), 0);
    if (geteuid() == 0)
        assert_int_equal(st.st_uid, 1234);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* Device nodes are left out: brig populates the jail's /dev itself. */
    _cleanup_free_ char *devnull = base_file(f, name, "dev/null");
    assert_int_equal(lstat(devnull, &st), -1);
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);
}

static void busybox_base_has_a_shell_rc_passwd_and_applet_links(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_repo_get_busybox(f->wd, "bb", &err), 0);

    struct stat st;
    _cleanup_free_ char *bin = base_file(f, "bb", "bin/busybox");
    assert_int_equal(stat(bin, &st), 0);
    assert_true(S_ISREG(st.st_mode) && (st.st_mode & 0111));

    char target[256] = "";
    _cleanup_free_ char *sh = base_file(f, "bb", "bin/sh");
    assert_true(readlink(sh, target, sizeof(target) - 1) > 0);
    assert_string_equal(target, "busybox");
    /* Applets in other directories resolve to the same binary. */
    const char *applets[] = {"sbin/ip", "usr/bin/env", "sbin/udhcpc", "bin/hostname"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(applets); i++) {
        _cleanup_free_ char *p = base_file(f, "bb", applets[i]);
        struct stat ast;
        assert_int_equal(stat(p, &ast), 0);
        assert_int_equal(ast.st_ino, st.st_ino);
    }

    _cleanup_free_ char *pw = base_file(f, "bb", "etc/passwd");
    _cleanup_free_ char *pwtext = read_text(pw);
    assert_non_null(strstr(pwtext, "root:x:0:0:root:/root:/bin/sh\n"));
    assert_non_null(strstr(pwtext, "nobody:x:65534:"));
    _cleanup_free_ char *shadow = base_file(f, "bb", "etc/shadow");
    assert_int_equal(stat(shadow, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    const char *execs[] = {"etc/rc", "etc/rc.shutdown", "usr/share/udhcpc/default.script"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(execs); i++) {
        _cleanup_free_ char *p = base_file(f, "bb", execs[i]);
        assert_int_equal(stat(p, &st), 0);
        assert_true(st.st_mode & 0100);
    }
    const char *files[] = {"etc/group", "etc/hostname", "etc/hosts", "etc/resolv.conf",
                           "etc/profile"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *p = base_file(f, "bb", files[i]);
        assert_int_equal(stat(p, &st), 0);
    }
    _cleanup_free_ char *tmp = base_file(f, "bb", "tmp");
    assert_int_equal(stat(tmp, &st), 0);
    assert_int_equal(st.st_mode & 07777, 01777);
    const char *mnts[] = {"dev", "proc", "sys", "root", "var/run", "var/log"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(mnts); i++) {
        _cleanup_free_ char *p = base_file(f, "bb", mnts[i]);
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
    }
    /* The metadata lives beside the base, not inside it. */
    _cleanup_free_ char *inside = base_file(f, "bb", ".brig-base");
    assert_false(brig_path_exists(inside));
    _cleanup_free_ char *meta = path_in(f->bases, "bb.meta");
    assert_true(brig_path_exists(meta));
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);
}

static void busybox_rc_runs_rc_d_scripts_in_a_chroot(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_repo_get_busybox(f->wd, "bb", &err), 0);
    _cleanup_free_ char *root = path_in(f->bases, "bb");
    _cleanup_free_ char *check = base_file(f, "bb", "etc/rc.d/10check");
    /* brig brings the network up itself: rc only runs the jail's own scripts */
    const char *script = "#!/bin/sh\necho \"check $1\"\n";
    assert_int_equal(brig_write_file_atomic(check, script, strlen(script), 0755, &err), 0);

    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Own mount and network namespaces: nothing the scripts do reaches the host. */
        if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 || chroot(root) < 0 || chdir("/") < 0)
            _exit(90);
        dup2(pfd[1], 1);
        close(pfd[0]);
        execle("/bin/busybox", "busybox", "sh", "/etc/rc", (char *)NULL,
               (char *const[]){brig_xstrdup("PATH=/bin:/sbin"), NULL});
        _exit(91);
    }
    close(pfd[1]);
    char out[512] = "";
    size_t len = 0;
    ssize_t n;
    while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
        len += (size_t)n;
    close(pfd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(out, "check start\n"));
    assert_non_null(strstr(out, "rc: "));
    assert_non_null(strstr(out, " is up\n"));
}

static void busybox_missing_says_which_package_to_install(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_busybox_populate("/nonexistent/busybox", NULL, f->top, &err), -1);
    assert_string_equal(err.msg, "busybox-static is not installed: apt-get install busybox-static");
}

static void busybox_dynamically_linked_is_refused(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_busybox_populate("/bin/true", NULL, f->top, &err), -1);
    assert_non_null(strstr(err.msg, "dynamically linked: apt-get install busybox-static"));
}

static void import_tar_gz_from_a_file_keeps_modes_links_and_owners(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *tgz = path_in(f->top, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    assert_int_equal(brig_repo_import(f->wd, "tgz", tgz, NULL, NULL, NULL, &err), 0);
    assert_good_rootfs(f, "tgz");

    struct brig_base b = {0};
    assert_int_equal(brig_repo_info(f->wd, "tgz", &b, &err), 0);
    assert_string_equal(brig_base_kind_name(b.kind), "tarball");
    assert_string_equal(b.origin, tgz);
    assert_true(b.size > 0);
    brig_base_clear(&b);
}

static void import_tar_xz_from_a_file_url(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *txz = path_in(f->top, "rootfs.tar.xz");
    make_tar(txz, "xz", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    _cleanup_free_ char *url = brig_xasprintf("file://%s", txz);
    assert_int_equal(brig_repo_import(f->wd, "txz", url, NULL, NULL, NULL, &err), 0);
    assert_good_rootfs(f, "txz");
}

static void import_tar_zst_and_plain_tar(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *zst = path_in(f->top, "rootfs.tar.zst");
    _cleanup_free_ char *tar = path_in(f->top, "rootfs.tar");
    make_tar(zst, "zstd", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    make_tar(tar, "none", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    assert_int_equal(brig_repo_import(f->wd, "zst", zst, NULL, NULL, NULL, &err), 0);
    assert_good_rootfs(f, "zst");
    assert_int_equal(brig_repo_import(f->wd, "plain", tar, NULL, NULL, NULL, &err), 0);
    assert_good_rootfs(f, "plain");
}

struct progress_seen {
    int extract_calls;
    uint64_t last_done, last_total;
};

static void record_progress(const char *phase, uint64_t done, uint64_t total, void *data)
{
    struct progress_seen *p = data;
    if (!strcmp(phase, "extract")) {
        p->extract_calls++;
        p->last_done = done;
        p->last_total = total;
    }
}

static void import_with_the_right_sha256_succeeds_and_reports_progress(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *tgz = path_in(f->top, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    char hex[BRIG_SHA256_HEX_LEN + 1];
    _cleanup_close_ int fd = open(tgz, O_RDONLY | O_CLOEXEC);
    assert_int_equal(brig_sha256_fd(fd, hex, NULL, NULL, &err), 0);
    _cleanup_free_ char *upper = brig_xasprintf("SHA256:%s", hex);
    for (char *p = upper; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
    struct progress_seen seen = {0};
    assert_int_equal(brig_repo_import(f->wd, "sum", tgz, upper, record_progress, &seen, &err), 0);
    assert_true(seen.extract_calls > 0);
    assert_true(seen.last_done > 0 && seen.last_done <= seen.last_total);

    struct brig_base b = {0};
    assert_int_equal(brig_repo_info(f->wd, "sum", &b, &err), 0);
    assert_string_equal(b.sha256, hex);
    brig_base_clear(&b);
}

static void sha256_of_abc_is_the_standard_vector(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *p = path_in(f->top, "abc");
    assert_int_equal(brig_write_file_atomic(p, "abc", 3, 0644, &err), 0);
    _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
    char hex[BRIG_SHA256_HEX_LEN + 1];
    assert_int_equal(brig_sha256_fd(fd, hex, NULL, NULL, &err), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(brig_sha256_parse("abc", hex, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

static void sha256_mismatch_refuses_and_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *tgz = path_in(f->top, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(brig_repo_import(f->wd, "bad", tgz, wrong, NULL, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EFAIL);
    assert_non_null(strstr(err.msg, "sha256 mismatch: expected 0000"));
    _cleanup_free_ char *base = path_in(f->bases, "bad");
    _cleanup_free_ char *meta = path_in(f->bases, "bad.meta");
    assert_false(brig_path_exists(base));
    assert_false(brig_path_exists(meta));
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);

    struct brig_base_list list = {0};
    assert_int_equal(brig_repo_list(f->wd, &list, &err), 0);
    assert_int_equal(list.n, 0);
    brig_base_list_free(&list);
}

static void assert_import_refused(struct fixture *f, const struct tentry *e, size_t n,
                                  const char *why)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *tar = path_in(f->top, "evil.tar");
    make_tar(tar, "none", e, n);
    assert_int_equal(brig_repo_import(f->wd, "evil", tar, NULL, NULL, NULL, &err), -1);
    if (!strstr(err.msg, why))
        fail_msg("error '%s' does not say '%s'", err.msg, why);
    _cleanup_free_ char *base = path_in(f->bases, "evil");
    assert_false(brig_path_exists(base));
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);
    assert_false(tree_has(f->top, "pwned"));
    unlink(tar);
}

static void archive_entries_escaping_the_base_are_refused(void **state)
{
    struct fixture *f = *state;
    const struct tentry dotdot[] = {
        {"./etc/", AE_IFDIR, 0755, NULL, 0},
        {"../../../../pwned", AE_IFREG, 0644, "x", 0},
    };
    assert_import_refused(f, dotdot, BRIG_ARRAY_SIZE(dotdot), "has a '..' component");

    _cleanup_free_ char *absolute = path_in(f->top, "pwned-abs");
    const struct tentry abs[] = {{absolute, AE_IFREG, 0644, "x", 0}};
    assert_import_refused(f, abs, BRIG_ARRAY_SIZE(abs), "is an absolute path");

    /* A symlink to the outside, then a file written through it. */
    const struct tentry via_link[] = {
        {"escape", AE_IFLNK, 0777, f->top, 0},
        {"escape/pwned-link", AE_IFREG, 0644, "x", 0},
    };
    assert_import_refused(f, via_link, BRIG_ARRAY_SIZE(via_link), "escape/pwned-link");

    const struct tentry rel_link[] = {
        {"up", AE_IFLNK, 0777, "../../../..", 0},
        {"up/pwned-rel", AE_IFREG, 0644, "x", 0},
    };
    assert_import_refused(f, rel_link, BRIG_ARRAY_SIZE(rel_link), "up/pwned-rel");

    const struct tentry hard[] = {
        {"etc/", AE_IFDIR, 0755, NULL, 0},
        {"etc/pwned-hard", 0, 0, "../../../../../etc/passwd", 0},
    };
    assert_import_refused(f, hard, BRIG_ARRAY_SIZE(hard), "has a '..' component");

    _cleanup_free_ char *outside = path_in(f->top, "victim");
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_write_file_atomic(outside, "v", 1, 0644, &err), 0);
    const struct tentry hard_via_link[] = {
        {"out", AE_IFLNK, 0777, f->top, 0},
        {"pwned-hl", 0, 0, "out/victim", 0},
    };
    assert_import_refused(f, hard_via_link, BRIG_ARRAY_SIZE(hard_via_link), "pwned-hl");
    struct stat st;
    assert_int_equal(stat(outside, &st), 0);
    assert_int_equal(st.st_nlink, 1);
}

static void entry_paths_are_normalised(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char *p = NULL;
    assert_int_equal(brig_archive_entry_path("./a//b/./c/", &p, &err), 0);
    assert_string_equal(p, "a/b/c");
    free(p);
    assert_int_equal(brig_archive_entry_path("./", &p, &err), 0);
    assert_string_equal(p, "");
    free(p);
    assert_int_equal(brig_archive_entry_path("a/..b/c..", &p, &err), 0);
    assert_string_equal(p, "a/..b/c..");
    free(p);
    assert_int_equal(brig_archive_entry_path("a/../b", &p, &err), -1);
    assert_int_equal(brig_archive_entry_path("/etc", &p, &err), -1);
}

static void import_of_something_not_a_tarball_fails_cleanly(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *junk = path_in(f->top, "junk.tar.gz");
    assert_int_equal(brig_write_file_atomic(junk, "hello world\n", 12, 0644, &err), 0);
    assert_int_equal(brig_repo_import(f->wd, "junk", junk, NULL, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "base junk: "));
    _cleanup_free_ char *base = path_in(f->bases, "junk");
    assert_false(brig_path_exists(base));
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);

    _cleanup_free_ char *missing = path_in(f->top, "missing.tar");
    assert_int_equal(brig_repo_import(f->wd, "junk", missing, NULL, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_repo_import(f->wd, "junk", "gopher://x/y", NULL, NULL, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "unsupported scheme"));
}

static void importing_over_an_existing_base_fails(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_repo_get_busybox(f->wd, "taken", &err), 0);
    _cleanup_free_ char *tgz = path_in(f->top, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    assert_int_equal(brig_repo_import(f->wd, "taken", tgz, NULL, NULL, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "base 'taken' already exists: remove it first"));
    assert_int_equal(brig_repo_get_busybox(f->wd, "taken", &err), -1);
    assert_non_null(strstr(err.msg, "already exists"));
    /* The existing base is untouched. */
    _cleanup_free_ char *sh = base_file(f, "taken", "bin/busybox");
    _cleanup_free_ char *osr = base_file(f, "taken", "etc/os-release");
    _cleanup_free_ char *text = read_text(osr);
    assert_true(brig_path_exists(sh));
    assert_non_null(strstr(text, "busybox"));
}

static void bad_base_names_are_refused(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    const char *bad[] = {"../x", "a/b", "", ".tmp-x-1", "x y"};
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(bad); i++) {
        assert_int_equal(brig_repo_get_busybox(f->wd, bad[i], &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_int_equal(brig_repo_remove(f->wd, bad[i], &err), -1);
        assert_int_equal(err.code, BRIG_EUSAGE);
    }
    assert_false(tree_has(f->top, "x"));
}

static void remove_deletes_the_base_and_its_metadata(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_repo_get_busybox(f->wd, "gone", &err), 0);
    /* A symlink out of the tree: removal deletes the link, never its target. */
    _cleanup_free_ char *victim = path_in(f->top, "victim");
    assert_int_equal(brig_write_file_atomic(victim, "v", 1, 0644, &err), 0);
    _cleanup_free_ char *link = base_file(f, "gone", "root/outside");
    assert_int_equal(symlink(f->top, link), 0);

    assert_int_equal(brig_repo_remove(f->wd, "gone", &err), 0);
    _cleanup_free_ char *base = path_in(f->bases, "gone");
    _cleanup_free_ char *meta = path_in(f->bases, "gone.meta");
    assert_false(brig_path_exists(base));
    assert_false(brig_path_exists(meta));
    assert_true(brig_path_exists(victim));
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);

    assert_int_equal(brig_repo_remove(f->wd, "gone", &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "base 'gone' does not exist");
}

static void list_shows_bases_sorted_with_kind_and_size(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *tgz = path_in(f->top, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    assert_int_equal(brig_repo_import(f->wd, "zeta", tgz, NULL, NULL, NULL, &err), 0);
    assert_int_equal(brig_repo_get_busybox(f->wd, "alpha", &err), 0);
    _cleanup_free_ char *hand = path_in(f->bases, "handmade");
    assert_int_equal(mkdir(hand, 0755), 0);

    struct brig_base_list list = {0};
    assert_int_equal(brig_repo_list(f->wd, &list, &err), 0);
    assert_int_equal(list.n, 3);
    assert_string_equal(list.items[0].name, "alpha");
    assert_string_equal(brig_base_kind_name(list.items[0].kind), "busybox");
    assert_true(list.items[0].size > 1000000); /* the busybox binary */
    assert_true(list.items[0].created > 0);
    assert_string_equal(list.items[1].name, "handmade");
    assert_string_equal(brig_base_kind_name(list.items[1].kind), "unknown");
    assert_string_equal(list.items[2].name, "zeta");
    assert_string_equal(brig_base_kind_name(list.items[2].kind), "tarball");
    brig_base_list_free(&list);

    char *path = NULL;
    assert_int_equal(brig_repo_path(f->wd, "alpha", &path, &err), 0);
    assert_true(brig_startswith(path, "/") && strstr(path, "/basejail/alpha"));
    free(path);
    assert_int_equal(brig_repo_path(f->wd, "nope", &path, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

static void leftovers_of_a_killed_import_are_cleaned(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_mkdir_p(f->bases, 0755, &err), 0);
    _cleanup_free_ char *dead = path_in(f->bases, ".tmp-old-99999/root/etc");
    assert_int_equal(brig_mkdir_p(dead, 0755, &err), 0);
    _cleanup_free_ char *orphan = path_in(f->bases, "ghost.meta");
    assert_int_equal(brig_write_file_atomic(orphan, "kind=\"busybox\";\n", 16, 0644, &err), 0);
    /* One still being built: its owner holds the lock, so it stays. */
    _cleanup_free_ char *live = path_in(f->bases, ".tmp-busy-1");
    assert_int_equal(mkdir(live, 0700), 0);
    int lock = open(live, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(lock >= 0);
    assert_int_equal(flock(lock, LOCK_EX), 0);

    struct brig_base_list list = {0};
    assert_int_equal(brig_repo_list(f->wd, &list, &err), 0);
    assert_int_equal(list.n, 0);
    brig_base_list_free(&list);
    _cleanup_free_ char *deadtop = path_in(f->bases, ".tmp-old-99999");
    assert_false(brig_path_exists(deadtop));
    assert_false(brig_path_exists(orphan));
    assert_true(brig_path_exists(live));

    close(lock);
    assert_int_equal(brig_repo_cleanup(f->wd, &err), 0);
    assert_false(brig_path_exists(live));
}

static void a_leftover_holding_a_mount_does_not_block_other_work(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct brig_err err = BRIG_ERR_INIT;
        _cleanup_free_ char *mnt = path_in(f->bases, ".tmp-stuck-99999/root/proc");
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            brig_mkdir_p(mnt, 0755, &err) < 0 || mount("none", mnt, "tmpfs", 0, NULL) < 0)
            _exit(90);
        struct brig_base_list list = {0};
        if (brig_repo_get_busybox(f->wd, "ok", &err) < 0 ||
            brig_repo_list(f->wd, &list, &err) < 0 || list.n != 1)
            _exit(91);
        brig_base_list_free(&list);
        if (brig_repo_cleanup(f->wd, &err) != -1 || !strstr(err.msg, "is a mount point"))
            _exit(92);
        if (umount(mnt) < 0 || brig_repo_cleanup(f->wd, &err) < 0)
            _exit(93);
        _cleanup_free_ char *top = path_in(f->bases, ".tmp-stuck-99999");
        _exit(brig_path_exists(top) ? 94 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void die_in_progress(const char *phase, uint64_t done, uint64_t total, void *data)
{
    _exit(0);
}

static void import_killed_mid_extraction_leaves_no_half_base(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *tgz = path_in(f->top, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Stop the import from inside its own progress callback, like a SIGKILL. */
        struct brig_err e = BRIG_ERR_INIT;
        brig_repo_import(f->wd, "half", tgz, NULL, die_in_progress, NULL, &e);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    _cleanup_free_ char *base = path_in(f->bases, "half");
    assert_false(brig_path_exists(base));
    assert_int_equal(count_prefixed(f->bases, ".tmp-half-"), 1);

    assert_int_equal(brig_repo_import(f->wd, "half", tgz, NULL, NULL, NULL, &err), 0);
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);
    assert_good_rootfs(f, "half");
}

static void debootstrap_argv_is_minbase_with_an_init_system_suite_target_and_mirror(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    char **argv = NULL;
    assert_int_equal(
        brig_repo_debian_argv("bookworm", NULL, "/wd/basejail/.tmp-d-1/root", &argv, &err), 0);
    assert_int_equal(brig_strv_len(argv), 7);
    assert_string_equal(argv[0], "debootstrap");
    assert_string_equal(argv[1], "--debian-installer");
    assert_string_equal(argv[2], "--variant=minbase");
    assert_string_equal(argv[3], "--include=systemd-sysv,dbus,iproute2,procps");
    assert_string_equal(argv[4], "bookworm");
    assert_string_equal(argv[5], "/wd/basejail/.tmp-d-1/root");
    assert_string_equal(argv[6], "http://deb.debian.org/debian");
    brig_strv_free(argv);
    argv = NULL;
    assert_int_equal(
        brig_repo_debian_argv("stable", "http://mirror.example/debian", "/t", &argv, &err), 0);
    assert_string_equal(argv[6], "http://mirror.example/debian");
    brig_strv_free(argv);
    argv = NULL;

    assert_int_equal(brig_repo_debian_argv("bookworm; rm -rf /", NULL, "/t", &argv, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "is not a Debian suite name"));
    assert_int_equal(brig_repo_debian_argv("bookworm", "ftp://x/debian", "/t", &argv, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_int_equal(brig_repo_debian_argv("bookworm", "http://x/a b", "/t", &argv, &err), -1);
    assert_null(argv);
}

/* A free TCP port on 127.0.0.1 (free when we looked). */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

static bool port_open(int port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(s);
    return ok;
}

static void import_over_http_from_a_local_server(void **state)
{
    struct fixture *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    if (access("/usr/bin/python3", X_OK) != 0)
        skip();
    _cleanup_free_ char *srv = path_in(f->top, "srv");
    assert_int_equal(mkdir(srv, 0755), 0);
    _cleanup_free_ char *tgz = path_in(srv, "rootfs.tar.gz");
    make_tar(tgz, "gzip", good_rootfs, BRIG_ARRAY_SIZE(good_rootfs));

    int port = free_port();
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        execl("/usr/bin/python3", "python3", "-m", "http.server", "--bind", "127.0.0.1",
              "--directory", srv, portstr, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500 && !port_open(port); i++)
        usleep(10000);

    _cleanup_free_ char *url = brig_xasprintf("http://127.0.0.1:%d/rootfs.tar.gz", port);
    _cleanup_free_ char *missing = brig_xasprintf("http://127.0.0.1:%d/nope.tar.gz", port);
    int r1 = brig_repo_import(f->wd, "web", url, NULL, NULL, NULL, &err);
    struct brig_err err404 = BRIG_ERR_INIT;
    int r2 = brig_repo_import(f->wd, "web404", missing, NULL, NULL, NULL, &err404);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);

    if (r1 < 0)
        fail_msg("%s", err.msg);
    assert_good_rootfs(f, "web");
    struct brig_base b = {0};
    assert_int_equal(brig_repo_info(f->wd, "web", &b, &err), 0);
    assert_string_equal(b.origin, url);
    assert_int_equal(strlen(b.sha256), BRIG_SHA256_HEX_LEN);
    brig_base_clear(&b);

    assert_int_equal(r2, -1);
    assert_non_null(strstr(err404.msg, "404"));
    _cleanup_free_ char *base404 = path_in(f->bases, "web404");
    assert_false(brig_path_exists(base404));
    assert_int_equal(count_prefixed(f->bases, ".tmp-"), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(busybox_base_has_a_shell_rc_passwd_and_applet_links),
        T(busybox_rc_runs_rc_d_scripts_in_a_chroot),
        T(busybox_missing_says_which_package_to_install),
        T(busybox_dynamically_linked_is_refused),
        T(import_tar_gz_from_a_file_keeps_modes_links_and_owners),
        T(import_tar_xz_from_a_file_url),
        T(import_tar_zst_and_plain_tar),
        T(import_with_the_right_sha256_succeeds_and_reports_progress),
        T(sha256_of_abc_is_the_standard_vector),
        T(sha256_mismatch_refuses_and_leaves_nothing),
        T(archive_entries_escaping_the_base_are_refused),
        T(entry_paths_are_normalised),
        T(import_of_something_not_a_tarball_fails_cleanly),
        T(importing_over_an_existing_base_fails),
        T(bad_base_names_are_refused),
        T(remove_deletes_the_base_and_its_metadata),
        T(list_shows_bases_sorted_with_kind_and_size),
        T(leftovers_of_a_killed_import_are_cleaned),
        T(import_killed_mid_extraction_leaves_no_half_base),
        T(a_leftover_holding_a_mount_does_not_block_other_work),
        T(debootstrap_argv_is_minbase_with_an_init_system_suite_target_and_mirror),
        T(import_over_http_from_a_local_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
