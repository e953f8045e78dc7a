/* Jail roots: thin (overlay over a read-only base) and thick (a copy of the
 * base, bind-mounted). Runs as root in its own private mount namespace, so
 * no mount is ever seen by the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "os/linux/rootfs.h"

static char top[] = "/tmp/brig-rootfs-XXXXXX";
static char *base, *data, *jail;

static char *path_in(const char *dir, const char *rel)
{
    return brig_xasprintf("%s/%s", dir, rel);
}

static void put(const char *dir, const char *rel, const char *content, mode_t mode)
{
    _cleanup_free_ char *p = path_in(dir, rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static char *get(const char *dir, const char *rel)
{
    _cleanup_free_ char *p = path_in(dir, rel);
    struct brig_err err = BRIG_ERR_INIT;
    char *s = NULL;
    if (brig_read_file(p, 1 << 20, &s, NULL, &err) < 0)
        return NULL;
    return s;
}

static struct stat lstat_in(const char *dir, const char *rel)
{
    _cleanup_free_ char *p = path_in(dir, rel);
    struct stat st;
    if (lstat(p, &st) < 0)
        fail_msg("lstat %s: %s", p, strerror(errno));
    return st;
}

static bool exists_in(const char *dir, const char *rel)
{
    _cleanup_free_ char *p = path_in(dir, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

/* The base: files, a dir, a symlink, a hard link, a fifo, a device node, a
 * set-uid file with an owner, an xattr and an old mtime. */
static void make_base(void)
{
    assert_int_equal(mkdir(base, 0755), 0);
    put(base, "hello", "hello from the base\n", 0640);
    _cleanup_free_ char *d = path_in(base, "etc");
    assert_int_equal(mkdir(d, 0751), 0);
    put(base, "etc/motd", "welcome\n", 0644);
    put(base, "etc/suid", "#!/bin/sh\n", 04755);
    _cleanup_free_ char *suid = path_in(base, "etc/suid");
    assert_int_equal(chown(suid, 1234, 5678), 0);
    assert_int_equal(chmod(suid, 04755), 0);
    _cleanup_free_ char *sym = path_in(base, "link");
    assert_int_equal(symlink("hello", sym), 0);
    _cleanup_free_ char *src = path_in(base, "hello");
    _cleanup_free_ char *hard = path_in(base, "etc/hard");
    assert_int_equal(link(src, hard), 0);
    _cleanup_free_ char *fifo = path_in(base, "fifo");
    assert_int_equal(mkfifo(fifo, 0620), 0);
    assert_int_equal(chmod(fifo, 0620), 0);
    _cleanup_free_ char *dev = path_in(base, "null");
    assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
    _cleanup_free_ char *motd = path_in(base, "etc/motd");
    assert_int_equal(setxattr(motd, "user.brig", "kept", 4, 0), 0);
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, motd, ts, 0), 0);
}

static int group_setup(void **state)
{
    if (geteuid() != 0)
        return -1;
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    if (!mkdtemp(top))
        return -1;
    base = path_in(top, "base");
    data = path_in(top, "jails-data/j1-data");
    jail = path_in(top, "jails/j1");
    make_base();
    return 0;
}

static int group_teardown(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    brig_rootfs_umount(jail, NULL, &err);
    brig_rm_rf(top, &err);
    free(base);
    free(data);
    free(jail);
    return 0;
}

static void test_rm_rf_stops_at_a_bind_mount_of_the_same_file_system(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *victim = path_in(top, "rm/victim");
    _cleanup_free_ char *tree = path_in(top, "rm/tree");
    _cleanup_free_ char *inner = path_in(top, "rm/tree/lower");
    _cleanup_free_ char *kept = path_in(top, "rm/victim/kept");
    assert_int_equal(brig_mkdir_p(victim, 0755, &err), 0);
    assert_int_equal(brig_mkdir_p(inner, 0755, &err), 0);
    assert_int_equal(brig_write_file_atomic(kept, "x", 1, 0644, &err), 0);
    assert_int_equal(mount(victim, inner, NULL, MS_BIND, NULL), 0);
    assert_int_equal(brig_rm_rf(tree, &err), -1);
    assert_non_null(strstr(err.msg, "mount point"));
    assert_true(brig_path_exists(kept));
    assert_int_equal(umount2(inner, MNT_DETACH), 0);
    brig_err_clear(&err);
    assert_int_equal(brig_rm_rf(tree, &err), 0);
    assert_true(brig_path_exists(kept));
}

static void test_thin_root_shows_the_base(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_rootfs_mount(base, data, jail, false, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(brig_rootfs_mounted(jail));
    _cleanup_free_ char *s = get(jail, "hello");
    assert_string_equal(s, "hello from the base\n");
    _cleanup_free_ char *m = get(jail, "etc/motd");
    assert_string_equal(m, "welcome\n");
    _cleanup_free_ char *l = get(jail, "link");
    assert_string_equal(l, "hello from the base\n");
    assert_true(S_ISFIFO(lstat_in(jail, "fifo").st_mode));
    assert_true(exists_in(data, "upper") && exists_in(data, "work"));

    /* mounting again over a mounted root is refused */
    assert_int_equal(brig_rootfs_mount_thin(base, data, jail, &err), -1);
    assert_non_null(strstr(err.msg, "already mounted"));
}

static void test_thin_writes_land_in_upper_and_spare_the_base(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (!brig_rootfs_mounted(jail))
        assert_int_equal(brig_rootfs_mount_thin(base, data, jail, &err), 0);
    _cleanup_free_ char *upper = path_in(data, "upper");
    put(jail, "new", "made in the jail\n", 0644);
    put(jail, "hello", "changed in the jail\n", 0640);

    _cleanup_free_ char *up_new = get(upper, "new");
    assert_string_equal(up_new, "made in the jail\n");
    _cleanup_free_ char *up_hello = get(upper, "hello");
    assert_string_equal(up_hello, "changed in the jail\n");
    assert_false(exists_in(base, "new"));
    _cleanup_free_ char *b = get(base, "hello");
    assert_string_equal(b, "hello from the base\n");
}

static void test_thin_delete_hides_a_base_file_only_in_the_jail(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    if (!brig_rootfs_mounted(jail))
        assert_int_equal(brig_rootfs_mount_thin(base, data, jail, &err), 0);
    _cleanup_free_ char *motd = path_in(jail, "etc/motd");
    assert_int_equal(unlink(motd), 0);
    assert_false(exists_in(jail, "etc/motd"));
    assert_true(exists_in(base, "etc/motd"));
    /* overlayfs records the deletion as a whiteout (0:0 char device) in upper */
    _cleanup_free_ char *upper = path_in(data, "upper");
    struct stat st = lstat_in(upper, "etc/motd");
    assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
}

static void test_unmount_leaves_nothing_mounted(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    bool lazy = true;
    assert_int_equal(brig_rootfs_umount(jail, &lazy, &err), 0);
    assert_false(lazy);
    assert_false(brig_rootfs_mounted(jail));
    assert_false(exists_in(jail, "hello"));
    /* unmounting what is not mounted is fine */
    assert_int_equal(brig_rootfs_umount(jail, &lazy, &err), 0);
    _cleanup_free_ char *missing = path_in(top, "no-such-dir");
    assert_int_equal(brig_rootfs_umount(missing, NULL, &err), 0);
    assert_false(brig_rootfs_mounted(missing));
    /* the jail's changes survive in the data dir for the next start */
    assert_int_equal(brig_rootfs_mount_thin(base, data, jail, &err), 0);
    _cleanup_free_ char *s = get(jail, "new");
    assert_string_equal(s, "made in the jail\n");
    assert_int_equal(brig_rootfs_umount(jail, NULL, &err), 0);
}

static void test_busy_unmount_falls_back_to_detach_and_says_so(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_rootfs_mount_thin(base, data, jail, &err), 0);
    _cleanup_free_ char *p = path_in(jail, "hello");
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    bool lazy = false;
    assert_int_equal(brig_rootfs_umount(jail, &lazy, &err), 0);
    assert_true(lazy);
    assert_false(brig_rootfs_mounted(jail));
    close(fd);
}

struct progress {
    unsigned calls;
    uint64_t last_done, last_total;
    bool monotonic;
};

static void on_progress(uint64_t done, uint64_t total, void *arg)
{
    struct progress *p = arg;
    if (done < p->last_done || done > total)
        p->monotonic = false;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static void test_thick_copy_keeps_modes_owners_and_links(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *thick = path_in(top, "jails-data/j2-data");
    struct progress pr = {.monotonic = true};
    if (brig_rootfs_populate(base, thick, on_progress, &pr, &err) < 0)
        fail_msg("%s", err.msg);

    assert_true(pr.calls > 0 && pr.monotonic);
    assert_int_equal(pr.last_done, pr.last_total);
    /* hello (20) + motd (8) + suid (10); the hard link is counted once */
    assert_int_equal(pr.last_total, 38);

    assert_int_equal(lstat_in(thick, "hello").st_mode & 07777, 0640);
    assert_int_equal(lstat_in(thick, "etc").st_mode & 07777, 0751);
    struct stat su = lstat_in(thick, "etc/suid");
    assert_int_equal(su.st_mode & 07777, 04755);
    assert_int_equal(su.st_uid, 1234);
    assert_int_equal(su.st_gid, 5678);
    _cleanup_free_ char *lnk = path_in(thick, "link");
    char target[64] = {0};
    assert_int_equal(readlink(lnk, target, sizeof(target) - 1), 5);
    assert_string_equal(target, "hello");
    struct stat h1 = lstat_in(thick, "hello"), h2 = lstat_in(thick, "etc/hard");
    assert_int_equal(h1.st_ino, h2.st_ino);
    assert_int_equal(h1.st_nlink, 2);
    struct stat ff = lstat_in(thick, "fifo");
    assert_true(S_ISFIFO(ff.st_mode));
    assert_int_equal(ff.st_mode & 07777, 0620);
    struct stat nul = lstat_in(thick, "null");
    assert_true(S_ISCHR(nul.st_mode) && nul.st_rdev == makedev(1, 3));
    struct stat mo = lstat_in(thick, "etc/motd");
    assert_int_equal(mo.st_mtim.tv_sec, 1000000000);
    _cleanup_free_ char *motd = path_in(thick, "etc/motd");
    char val[16] = {0};
    assert_int_equal(getxattr(motd, "user.brig", val, sizeof(val)), 4);
    assert_string_equal(val, "kept");
    _cleanup_free_ char *content = get(thick, "hello");
    assert_string_equal(content, "hello from the base\n");
    _cleanup_free_ char *partial = brig_xasprintf("%s.partial", thick);
    assert_false(brig_path_exists(partial));

    /* the copy is bind-mounted as the jail's root, writable, apart from the base */
    _cleanup_free_ char *jail2 = path_in(top, "jails/j2");
    assert_int_equal(brig_rootfs_mount(base, thick, jail2, true, &err), 0);
    assert_true(brig_rootfs_mounted(jail2));
    put(jail2, "hello", "thick change\n", 0640);
    _cleanup_free_ char *b = get(base, "hello");
    assert_string_equal(b, "hello from the base\n");
    assert_int_equal(brig_rootfs_umount(jail2, NULL, &err), 0);
    assert_false(brig_rootfs_mounted(jail2));
    _cleanup_free_ char *kept = get(thick, "hello");
    assert_string_equal(kept, "thick change\n");
}

static void test_populate_refuses_a_populated_data_dir(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *thick = path_in(top, "jails-data/j3-data");
    assert_int_equal(brig_mkdir_p(thick, 0755, &err), 0);
    /* an empty dir is fine */
    assert_int_equal(brig_rootfs_populate(base, thick, NULL, NULL, &err), 0);
    assert_int_equal(brig_rootfs_populate(base, thick, NULL, NULL, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_non_null(strstr(err.msg, "already populated"));
    _cleanup_free_ char *missing = path_in(top, "no-base");
    _cleanup_free_ char *j4 = path_in(top, "jails-data/j4-data");
    assert_int_equal(brig_rootfs_populate(missing, j4, NULL, NULL, &err), -1);
    assert_false(brig_path_exists(j4));
}

static void test_overlay_refuses_paths_it_cannot_express(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    _cleanup_free_ char *odd = path_in(top, "jails-data/a,b");
    _cleanup_free_ char *j5 = path_in(top, "jails/j5");
    assert_int_equal(brig_rootfs_mount_thin(base, odd, j5, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_false(brig_path_exists(odd));
    assert_false(brig_rootfs_mounted(j5));
}

static int count_mount(const struct brig_mountinfo *mi, void *arg)
{
    if (brig_startswith(mi->target, top))
        (*(int *)arg)++;
    return 0;
}

static void test_nothing_is_left_mounted(void **state)
{
    struct brig_err err = BRIG_ERR_INIT;
    int n = 0;
    assert_int_equal(brig_mountinfo_foreach(count_mount, &n, &err), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test-rootfs: needs root, skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thin_root_shows_the_base),
        cmocka_unit_test(test_thin_writes_land_in_upper_and_spare_the_base),
        cmocka_unit_test(test_thin_delete_hides_a_base_file_only_in_the_jail),
        cmocka_unit_test(test_unmount_leaves_nothing_mounted),
        cmocka_unit_test(test_busy_unmount_falls_back_to_detach_and_says_so),
        cmocka_unit_test(test_thick_copy_keeps_modes_owners_and_links),
        cmocka_unit_test(test_populate_refuses_a_populated_data_dir),
        cmocka_unit_test(test_overlay_refuses_paths_it_cannot_express),
        cmocka_unit_test(test_rm_rf_stops_at_a_bind_mount_of_the_same_file_system),
        cmocka_unit_test(test_nothing_is_left_mounted),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
