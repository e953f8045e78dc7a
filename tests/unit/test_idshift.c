/* brig_tree_shift: a tree's owners move from one id range to another, with the
 * ids in ACLs and a file capability's root id, set-id bits kept, hard links
 * shifted once, nothing followed out of the tree, and an owner outside the
 * range refused. Needs root (chown); skipped otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "os/linux/idshift.h"
#include "util.h"

#define FROM  0x1000000u
#define TO    0x1010000u
#define COUNT 65536u

struct tree {
    char dir[64];
    char outside[64];
    int fd;
};

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void at(const struct tree *t, const char *rel, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", t->dir, rel);
}

static void owned(const struct tree *t, const char *rel, uid_t uid, gid_t gid)
{
    char p[256];
    at(t, rel, p, sizeof(p));
    assert_int_equal(lchown(p, uid, gid), 0);
}

static void stat_of(const struct tree *t, const char *rel, struct stat *st)
{
    char p[256];
    at(t, rel, p, sizeof(p));
    assert_int_equal(lstat(p, st), 0);
}

static int setup(void **state)
{
    if (geteuid() != 0)
        return 0;
    struct tree *t = brig_xcalloc(1, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/brig-idshift-XXXXXX");
    snprintf(t->outside, sizeof(t->outside), "/tmp/brig-idshift-out-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    int ofd = mkstemp(t->outside);
    assert_true(ofd >= 0);
    close(ofd);
    char p[256], q[256];
    at(t, "d", p, sizeof(p));
    assert_int_equal(mkdir(p, 0755), 0);
    at(t, "d/f", p, sizeof(p));
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    at(t, "d/link", q, sizeof(q));
    assert_int_equal(link(p, q), 0);
    at(t, "suid", p, sizeof(p));
    fd = open(p, O_WRONLY | O_CREAT, 0755);
    close(fd);
    at(t, "capped", p, sizeof(p));
    fd = open(p, O_WRONLY | O_CREAT, 0755);
    close(fd);
    at(t, "out", p, sizeof(p));
    assert_int_equal(symlink(t->outside, p), 0);
    at(t, "whiteout", p, sizeof(p));
    assert_int_equal(mknod(p, S_IFCHR | 0, makedev(0, 0)), 0);
    at(t, "fifo", p, sizeof(p));
    assert_int_equal(mkfifo(p, 0600), 0);
    owned(t, "", FROM, FROM);
    owned(t, "d", FROM + 5, FROM + 6);
    owned(t, "d/f", FROM + 1000, FROM + 100);
    owned(t, "suid", FROM, FROM + 50);
    owned(t, "capped", FROM, FROM);
    owned(t, "out", FROM + 7, FROM + 7);
    owned(t, "fifo", FROM + 3, FROM + 3);
    at(t, "suid", p, sizeof(p));
    assert_int_equal(chmod(p, 06755), 0);
    t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    if (!t)
        return 0;
    close(t->fd);
    brig_rm_rf(t->dir, NULL);
    unlink(t->outside);
    free(t);
    return 0;
}

static void owners_move_to_the_new_range(void **state)
{
    struct tree *t = *state;
    if (!t)
        skip();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_tree_shift(t->fd, FROM, TO, COUNT, &err), 0);
    struct stat st;
    stat_of(t, "", &st);
    assert_int_equal(st.st_uid, TO);
    stat_of(t, "d", &st);
    assert_int_equal(st.st_uid, TO + 5);
    assert_int_equal(st.st_gid, TO + 6);
    stat_of(t, "d/f", &st);
    assert_int_equal(st.st_uid, TO + 1000);
    assert_int_equal(st.st_gid, TO + 100);
    assert_int_equal(st.st_nlink, 2);
    stat_of(t, "out", &st);
    assert_int_equal(st.st_uid, TO + 7);
    stat_of(t, "fifo", &st);
    assert_int_equal(st.st_uid, TO + 3);
    /* the whiteout stays the host's 0:0, as overlayfs makes it */
    stat_of(t, "whiteout", &st);
    assert_int_equal(st.st_uid, 0);
    /* nothing outside the tree was followed */
    assert_int_equal(stat(t->outside, &st), 0);
    assert_int_equal(st.st_uid, 0);
}

static void set_id_bits_survive_the_chown(void **state)
{
    struct tree *t = *state;
    if (!t)
        skip();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_tree_shift(t->fd, FROM, TO, COUNT, &err), 0);
    struct stat st;
    stat_of(t, "suid", &st);
    assert_int_equal(st.st_mode & 07777, 06755);
    assert_int_equal(st.st_gid, TO + 50);
}

static void a_file_capability_keeps_its_caps_and_moves_its_root_id(void **state)
{
    struct tree *t = *state;
    if (!t)
        skip();
    char p[256];
    at(t, "capped", p, sizeof(p));
    unsigned char cap[XATTR_CAPS_SZ_3] = {0};
    put_le32(cap, VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE);
    put_le32(cap + 4, 1u << CAP_NET_BIND_SERVICE);
    put_le32(cap + offsetof(struct vfs_ns_cap_data, rootid), FROM);
    assert_int_equal(setxattr(p, "security.capability", cap, sizeof(cap), 0), 0);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_tree_shift(t->fd, FROM, TO, COUNT, &err), 0);
    unsigned char got[64];
    ssize_t n = getxattr(p, "security.capability", got, sizeof(got));
    assert_int_equal(n, XATTR_CAPS_SZ_3);
    assert_int_equal(get_le32(got + 4), 1u << CAP_NET_BIND_SERVICE);
    assert_int_equal(get_le32(got + offsetof(struct vfs_ns_cap_data, rootid)), TO);
}

static void acl_ids_move_with_the_owners(void **state)
{
    struct tree *t = *state;
    if (!t)
        skip();
    char p[256];
    at(t, "d", p, sizeof(p));
    /* user::rwx user:FROM+42:r-x group::r-x mask::r-x other::r-x */
    unsigned char acl[4 + 5 * 8] = {0};
    put_le32(acl, 2);
    const struct {
        unsigned tag, perm;
        uint32_t id;
    } e[] = {{0x01, 7, 0xffffffff},
             {0x02, 5, FROM + 42},
             {0x04, 5, 0xffffffff},
             {0x10, 5, 0xffffffff},
             {0x20, 5, 0xffffffff}};
    for (size_t i = 0; i < 5; i++) {
        unsigned char *x = acl + 4 + 8 * i;
        x[0] = (unsigned char)e[i].tag;
        x[2] = (unsigned char)e[i].perm;
        put_le32(x + 4, e[i].id);
    }
    if (setxattr(p, "system.posix_acl_access", acl, sizeof(acl), 0) < 0 && errno == EOPNOTSUPP)
        skip();
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_tree_shift(t->fd, FROM, TO, COUNT, &err), 0);
    unsigned char got[sizeof(acl)];
    assert_int_equal(getxattr(p, "system.posix_acl_access", got, sizeof(got)), sizeof(acl));
    assert_int_equal(get_le32(got + 4 + 8 + 4), TO + 42);
}

static void an_owner_outside_the_range_is_refused(void **state)
{
    struct tree *t = *state;
    if (!t)
        skip();
    owned(t, "d/f", 1000, 1000);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_tree_shift(t->fd, FROM, TO, COUNT, &err), -1);
    assert_non_null(strstr(err.msg, "outside the range"));
}

static void a_range_past_the_last_id_is_refused(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_tree_shift(AT_FDCWD, FROM, 0xffff0001u, COUNT, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(owners_move_to_the_new_range, setup, teardown),
        cmocka_unit_test_setup_teardown(set_id_bits_survive_the_chown, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_capability_keeps_its_caps_and_moves_its_root_id,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(acl_ids_move_with_the_owners, setup, teardown),
        cmocka_unit_test_setup_teardown(an_owner_outside_the_range_is_refused, setup, teardown),
        cmocka_unit_test(a_range_past_the_last_id_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
