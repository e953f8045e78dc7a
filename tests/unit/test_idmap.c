/* Id ranges of unprivileged jails: reading /etc/subuid-style text, picking
 * the lowest free aligned range, and registering and releasing ranges in the
 * subid files, also from several processes at once. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "idmap.h"
#include "util.h"

#define NPROC    6
#define PER_PROC 10

static void parse_skips_what_is_not_owner_start_count(void **state)
{
    (void)state;
    static const char text[] = "alice:100000:65536\n"
                               "# a comment\n"
                               "bob:200000\n"
                               ":300000:10\n"
                               "carol:x:10\n"
                               "dave:400000:0\n"
                               "erin:4294967295:1\n"
                               "frank:99999999999:1\n"
                               "brig:16777216:65536";
    struct brig_idrange *r = NULL;
    size_t n = brig_subid_parse(text, strlen(text), &r);
    /* erin's starts past the last id there is, frank's is not a 32-bit number */
    assert_int_equal(n, 2);
    assert_int_equal(r[0].start, 100000);
    assert_int_equal(r[0].count, 65536);
    assert_int_equal(r[1].start, 16777216);
    free(r);
    assert_int_equal(brig_subid_parse("", 0, &r), 0);
    free(r);
}

static void pick_takes_the_lowest_aligned_free_range(void **state)
{
    (void)state;
    assert_int_equal(brig_idmap_pick(NULL, 0, BRIG_IDMAP_MIN), BRIG_IDMAP_MIN);
    /* unaligned ranges anywhere in the way push the pick to the next multiple */
    struct brig_idrange used[] = {
        {BRIG_IDMAP_MIN + 10, 5},
        {BRIG_IDMAP_MIN + 65536, 65536},
        {BRIG_IDMAP_MIN + 2 * 65536 + 100, 1},
    };
    assert_int_equal(brig_idmap_pick(used, 3, BRIG_IDMAP_MIN), BRIG_IDMAP_MIN + 3 * 65536);
    /* a huge range below covers everything: none fits */
    struct brig_idrange all[] = {{0, 0xffffffffULL}};
    assert_int_equal(brig_idmap_pick(all, 1, BRIG_IDMAP_MIN), 0);
    /* the last range that fits ends at 2^32 - 2 at most */
    struct brig_idrange most[] = {{0, 0xffff0000ULL - 1}};
    assert_int_equal(brig_idmap_pick(most, 1, 0), 0);
    struct brig_idrange less[] = {{0, 0xfffe0000ULL}};
    assert_int_equal(brig_idmap_pick(less, 1, 0), 0xfffe0000U);
}

struct files {
    char dir[64];
    char *paths[2];
};

static int setup(void **state)
{
    struct files *f = brig_xcalloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/brig-test-idmap-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    f->paths[0] = brig_xasprintf("%s/subuid", f->dir);
    f->paths[1] = brig_xasprintf("%s/subgid", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct files *f = *state;
    brig_rm_rf(f->dir, &(struct brig_err)BRIG_ERR_INIT);
    free(f->paths[0]);
    free(f->paths[1]);
    free(f);
    return 0;
}

static char *slurp(const char *path)
{
    char *data = NULL;
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_read_file(path, 1 << 20, &data, NULL, &err) < 0)
        return brig_xstrdup("");
    return data;
}

static void reserve_registers_in_both_files_and_release_removes_only_that(void **state)
{
    struct files *f = *state;
    struct brig_err err = BRIG_ERR_INIT;
    FILE *u = fopen(f->paths[0], "w");
    fputs("root:16777216:100\nother:1000:10\n", u);
    fclose(u);
    const char *const files[2] = {f->paths[0], f->paths[1]};
    uint32_t a = 0, b = 0;
    assert_int_equal(brig_idmap_reserve(files, NULL, 0, &a, &err), 0);
    assert_int_equal(a, BRIG_IDMAP_MIN + 65536);
    /* a base the store holds is skipped even when the files lost it */
    uint32_t taken[] = {BRIG_IDMAP_MIN + 2 * 65536};
    assert_int_equal(brig_idmap_reserve(files, taken, 1, &b, &err), 0);
    assert_int_equal(b, BRIG_IDMAP_MIN + 3 * 65536);
    _cleanup_free_ char *uid = slurp(f->paths[0]);
    _cleanup_free_ char *gid = slurp(f->paths[1]);
    assert_string_equal(uid, "root:16777216:100\nother:1000:10\nbrig:16842752:65536\n"
                             "brig:16973824:65536\n");
    assert_string_equal(gid, "brig:16842752:65536\nbrig:16973824:65536\n");
    assert_int_equal(brig_idmap_release(files, a, &err), 0);
    _cleanup_free_ char *uid2 = slurp(f->paths[0]);
    _cleanup_free_ char *gid2 = slurp(f->paths[1]);
    assert_string_equal(uid2, "root:16777216:100\nother:1000:10\nbrig:16973824:65536\n");
    assert_string_equal(gid2, "brig:16973824:65536\n");
    /* released ids are handed out again; releasing twice is no error */
    assert_int_equal(brig_idmap_release(files, a, &err), 0);
    assert_int_equal(brig_idmap_reserve(files, NULL, 0, &b, &err), 0);
    assert_int_equal(b, a);
}

static void concurrent_reservations_never_overlap(void **state)
{
    struct files *f = *state;
    const char *const files[2] = {f->paths[0], f->paths[1]};
    for (int p = 0; p < NPROC; p++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct brig_err err = BRIG_ERR_INIT;
            for (int i = 0; i < PER_PROC; i++) {
                uint32_t base;
                if (brig_idmap_reserve(files, NULL, 0, &base, &err) < 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int p = 0; p < NPROC; p++) {
        int status;
        assert_true(wait(&status) > 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    _cleanup_free_ char *uid = slurp(f->paths[0]);
    struct brig_idrange *r = NULL;
    size_t n = brig_subid_parse(uid, strlen(uid), &r);
    assert_int_equal(n, NPROC * PER_PROC);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_true(r[i].start + r[i].count <= r[j].start ||
                        r[j].start + r[j].count <= r[i].start);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_skips_what_is_not_owner_start_count),
        cmocka_unit_test(pick_takes_the_lowest_aligned_free_range),
        cmocka_unit_test_setup_teardown(
            reserve_registers_in_both_files_and_release_removes_only_that, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_reservations_never_overlap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
