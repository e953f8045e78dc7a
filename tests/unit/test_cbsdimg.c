/* CBSD jail images: the section layout and the key="value" sections, hostile
 * layouts refused with one line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cbsdimg.h"
#include "util.h"

#define HEADER                                                                                     \
    "___NCSTART_HEADER=1\n"                                                                        \
    "hdrver=\"4\"\n"                                                                               \
    "jname=\"web1\"\n"                                                                             \
    "compress=\"6\"\n"                                                                             \
    "img_flat_size= ###########\n"                                                                 \
    "___NCSTOP_HEADER=1\n"
#define RCCONF                                                                                     \
    "___NCSTART_RCCONF=1\n"                                                                        \
    "# rc.conf of the jail\n"                                                                      \
    "jname=\"web1\"\n"                                                                             \
    "host_hostname=\"web1.example.org\"\n"                                                         \
    "ip4_addr='10.0.0.5/24'\n"                                                                     \
    "baserw=1\n"                                                                                   \
    "___NCSTOP_RCCONF=1\n"

static int parse(const char *text, size_t len, struct brig_cbsdimg *img, struct brig_err *err)
{
    memset(img, 0, sizeof(*img));
    return brig_cbsdimg_parse(text, len, img, err);
}

static void test_sections_and_keys_are_read(void **state)
{
    (void)state;
    static const char img_text[] = HEADER RCCONF "___NCSTART_FSTAB=1\n"
                                                 "___NCSTOP_FSTAB=1\n"
                                                 "___NCSTART_DATA=1\n"
                                                 "\x00\x01___NCSTOP_DAT\n"
                                                 "___NCSTOP_DATA=1\n";
    struct brig_cbsdimg img;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(parse(img_text, sizeof(img_text) - 1, &img, &err), 0);
    assert_string_equal(brig_kvlist_get(&img.header, "jname"), "web1");
    assert_string_equal(brig_kvlist_get(&img.header, "img_flat_size"), "");
    assert_true(img.compressed);
    assert_string_equal(brig_kvlist_get(&img.rcconf, "ip4_addr"), "10.0.0.5/24");
    assert_string_equal(brig_kvlist_get(&img.rcconf, "baserw"), "1");
    assert_true(img.part[BRIG_CBSDIMG_FSTAB].present);
    assert_int_equal(img.part[BRIG_CBSDIMG_FSTAB].len, 0);
    assert_false(img.part[BRIG_CBSDIMG_SYSDATA].present);
    const struct brig_cbsdimg_section *d = &img.part[BRIG_CBSDIMG_DATA];
    /* the binary data, without the newline CBSD writes before the end line */
    assert_int_equal(d->len, 15);
    assert_memory_equal(img_text + d->off, "\x00\x01___NCSTOP_DAT", 15);
    brig_cbsdimg_clear(&img);
}

/* Assert that text is refused with one line holding want. */
static void refused(const char *text, size_t len, const char *want)
{
    struct brig_cbsdimg img;
    struct brig_err err = BRIG_ERR_INIT;
    if (parse(text, len, &img, &err) == 0)
        fail_msg("accepted; wanted '%s'", want);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_null(strchr(err.msg, '\n'));
    if (!strstr(err.msg, want))
        fail_msg("'%s' does not say '%s'", err.msg, want);
}
#define REFUSED(text, want) refused(text, sizeof(text) - 1, want)

static void test_hostile_images_are_refused(void **state)
{
    (void)state;
    REFUSED("", "no HEADER section first");
    REFUSED("hello\n", "not a section's start line");
    REFUSED(RCCONF HEADER, "no HEADER section first");
    REFUSED(HEADER RCCONF "___NCSTART_DATA=1\nabc", "section DATA has no end (a truncated image)");
    REFUSED(HEADER HEADER RCCONF, "section HEADER given twice");
    REFUSED(HEADER RCCONF "___NCSTART_ZVOL_disk=1\n\n___NCSTOP_ZVOL_disk=1\n", "(a zvol)");
    REFUSED(HEADER RCCONF "junk\n", "not a section's start line");
    REFUSED(HEADER RCCONF, "no DATA section");
    REFUSED("___NCSTART_HEADER=1\njname=\"$(reboot)\"\n___NCSTOP_HEADER=1\n", "HEADER line 1");
    REFUSED("___NCSTART_HEADER=1\njname=a; reboot\n___NCSTOP_HEADER=1\n",
            "more than a plain value");
    REFUSED("___NCSTART_HEADER=1\njname=\"../etc\"\ncompress=0\n___NCSTOP_HEADER=1\n", "jname");
    REFUSED("___NCSTART_HEADER=1\njname=\"a\"\n___NCSTOP_HEADER=1\n", "compress is not a number");
    REFUSED("___NCSTART_HEADER=1\njname=a\njname=b\n___NCSTOP_HEADER=1\n", "jname given twice");
    REFUSED("___NCSTART_HEADER=1\n___NCSTOP_HEADER=1x\n", "bytes after its end line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_keys_are_read),
        cmocka_unit_test(test_hostile_images_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
