/* CBSD compatibility: the jconf key table (every key once, mapped keys name
 * a brig parameter, taken keys are brig's) and the translation of a CBSD
 * jconf into brig parameters. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cbsd.h"
#include "params.h"
#include "util.h"

static void test_every_key_is_listed_once_and_names_brig_parameters(void **state)
{
    (void)state;
    for (size_t i = 0; i < brig_cbsd_keys_count; i++) {
        const struct brig_cbsd_key *k = &brig_cbsd_keys[i];
        assert_ptr_equal(brig_cbsd_key_find(k->name), k);
        switch (k->how) {
        case BRIG_CBSD_TAKEN:
        case BRIG_CBSD_LAYOUT:
            if (!brig_param_find(k->name, NULL))
                fail_msg("%s is taken but is no brig parameter", k->name);
            break;
        case BRIG_CBSD_MAPPED:
            if (!brig_param_find(k->to, NULL))
                fail_msg("%s maps to %s, no brig parameter", k->name, k->to);
            break;
        case BRIG_CBSD_IGNORED:
            if (brig_param_find(k->name, NULL))
                fail_msg("%s is a brig parameter but ignored", k->name);
            assert_non_null(k->why);
            break;
        }
    }
}

/* Translate jconf text; returns the items as "key=value\n" lines and the notes. */
static int translate(const char *text, char **ret_items, char ***ret_notes, struct brig_err *err)
{
    struct brig_kvlist in = {0}, out = {0};
    assert_int_equal(brig_jconf_parse(text, strlen(text), &in, err), 0);
    int r = brig_cbsd_jconf_translate(&in, &out, ret_notes, err);
    struct brig_buf b = {0};
    for (size_t i = 0; i < out.n; i++) {
        brig_buf_add(&b, out.items[i].key);
        brig_buf_add(&b, "=");
        brig_buf_add(&b, out.items[i].value);
        brig_buf_add(&b, "\n");
    }
    *ret_items = b.s ? b.s : brig_xstrdup("");
    brig_kvlist_free(&in);
    brig_kvlist_free(&out);
    return r;
}

static void test_cbsd_file_keeps_brigs_keys_and_names_ignored_ones_once(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    char *items = NULL, **notes = NULL;
    assert_int_equal(
        translate("relative_path=\"1\";\njname=\"a\";\npath=\"/usr/jails/jails/a\";\n"
                  "pkglist=\"\";\nver=\"14.1\";\npkglist=\"x\";\nexec_prestart=\"0\";\n"
                  "exec_master_poststart=\"/bin/true\";\nexec_master_prestop=\"0\";\n",
                  &items, &notes, &err),
        0);
    assert_string_equal(items, "jname=a\nexec_prestart=\nexec_poststart=/bin/true\n");
    assert_int_equal(brig_strv_len(notes), 4);
    assert_true(brig_startswith(notes[0], "relative_path ("));
    assert_true(brig_startswith(notes[1], "path ("));
    assert_true(brig_startswith(notes[2], "pkglist ("));
    assert_true(brig_startswith(notes[3], "ver ("));
    free(items);
    brig_strv_free(notes);
}

static void test_other_files_keep_path_and_unknown_keys(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    char *items = NULL, **notes = NULL;
    assert_int_equal(
        translate("path=\"/j/a\";\nfrob=\"1\";\nexec_timeout=\"0\";\n", &items, &notes, &err), 0);
    assert_string_equal(items, "path=/j/a\nfrob=1\nexec_timeout=0\n");
    assert_null(notes);
    free(items);
}

static void test_a_mapped_key_and_its_brig_key_both_set_is_refused(void **state)
{
    (void)state;
    struct brig_err err = BRIG_ERR_INIT;
    char *items = NULL, **notes = NULL;
    assert_int_equal(translate("exec_master_prestop=\"/bin/a\";\nexec_prestop=\"/bin/b\";\n",
                               &items, &notes, &err),
                     -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "line 1: exec_master_prestop and exec_prestop both set a "
                                 "command; brig runs one (both run on the host)");
    free(items);
    brig_strv_free(notes);
}

static void test_cbsd_verbs_name_brigs_equivalent_or_none(void **state)
{
    (void)state;
    assert_string_equal(brig_cbsd_verb_find("jdestroy")->brig, "jremove");
    assert_null(brig_cbsd_verb_find("jbackup")->brig);
    assert_null(brig_cbsd_verb_find("jcreate"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_is_listed_once_and_names_brig_parameters),
        cmocka_unit_test(test_cbsd_file_keeps_brigs_keys_and_names_ignored_ones_once),
        cmocka_unit_test(test_other_files_keep_path_and_unknown_keys),
        cmocka_unit_test(test_a_mapped_key_and_its_brig_key_both_set_is_refused),
        cmocka_unit_test(test_cbsd_verbs_name_brigs_equivalent_or_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
