/* key=value lists: argv words, the jconf parser (quoting, escapes, comments,
 * errors with line numbers, hostile bytes) and the format/parse round trip. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kv.h"
#include "util.h"

static void arg_ok(const char *word, const char *key, const char *value)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kv kv = {0};
    if (brig_kv_parse_arg(word, &kv, &err) < 0)
        fail_msg("'%s' refused: %s", word, err.msg);
    assert_string_equal(kv.key, key);
    assert_string_equal(kv.value, value);
    assert_int_equal(kv.line, 0);
    free(kv.key);
    free(kv.value);
}

static void arg_bad(const char *word, const char *msg)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kv kv = {0};
    assert_int_equal(brig_kv_parse_arg(word, &kv, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, msg);
    assert_null(kv.key);
    assert_null(kv.value);
}

static void test_arg_splits_at_the_first_equals(void **state)
{
    arg_ok("jname=web1", "jname", "web1");
    arg_ok("ip4_addr=", "ip4_addr", "");
    arg_ok("exec_start=/bin/sh -c a=b", "exec_start", "/bin/sh -c a=b");
    arg_ok("x==", "x", "=");
    arg_ok("_private=1", "_private", "1");
    arg_ok("allow.raw_sockets=1", "allow.raw_sockets", "1");
    arg_ok("k=\"quoted\"", "k", "\"quoted\"");
    arg_ok("k=line\nbreak", "k", "line\nbreak");
}

static void test_arg_refuses_words_without_a_good_key(void **state)
{
    arg_bad("web1", "'web1' is not key=value");
    arg_bad("", "'' is not key=value");
    arg_bad("=web1", "bad key in '=web1'");
    arg_bad("1jname=web1", "bad key in '1jname=web1'");
    arg_bad("j name=web1", "bad key in 'j name=web1'");
    arg_bad("jname-x=1", "bad key in 'jname-x=1'");
    arg_bad("--jname=1", "bad key in '--jname=1'");
    char word[100];
    memset(word, 'k', 65);
    strcpy(word + 65, "=v");
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kv kv = {0};
    assert_int_equal(brig_kv_parse_arg(word, &kv, &err), -1);
    assert_true(brig_startswith(err.msg, "bad key in 'kkkk"));
    strcpy(word + 64, "=v");
    arg_ok(word, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "v");
}

static void test_kvlist_get_returns_the_last_and_del_removes_all(void **state)
{
    struct brig_kvlist l = {0};
    assert_null(brig_kvlist_get(&l, "a"));
    for (int i = 0; i < 40; i++)
        brig_kvlist_add(&l, i % 2 ? "a" : "b", i % 2 ? "odd" : "even", i);
    brig_kvlist_add(&l, "a", "last", 99);
    assert_int_equal(l.n, 41);
    assert_string_equal(brig_kvlist_get(&l, "a"), "last");
    assert_string_equal(brig_kvlist_get(&l, "b"), "even");
    assert_int_equal(brig_kvlist_del(&l, "a"), 21);
    assert_int_equal(l.n, 20);
    assert_null(brig_kvlist_get(&l, "a"));
    assert_int_equal(brig_kvlist_del(&l, "zz"), 0);
    brig_kvlist_free(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.items);
    brig_kvlist_free(&l);
}

/* Parse text (explicit length) expecting success. */
static struct brig_kvlist parse_ok(const char *text, size_t len)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    if (brig_jconf_parse(text, len, &l, &err) < 0)
        fail_msg("parse failed: %s", err.msg);
    return l;
}

static void parse_bad(const char *text, size_t len, const char *msg)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    assert_int_equal(brig_jconf_parse(text, len, &l, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    if (strcmp(err.msg, msg) != 0)
        fail_msg("message '%s', want '%s'", err.msg, msg);
    assert_int_equal(l.n, 0);
    assert_null(l.items);
}

static void expect_item(const struct brig_kvlist *l, size_t i, const char *key, const char *value,
                        int line)
{
    assert_true(i < l->n);
    assert_string_equal(l->items[i].key, key);
    assert_string_equal(l->items[i].value, value);
    assert_int_equal(l->items[i].line, line);
}

static void test_jconf_reads_cbsd_style_lines(void **state)
{
    static const char text[] = "# jail web1\n"
                               "\n"
                               "jname=\"web1\";\n"
                               "   \t\n"
                               "host_hostname=web1.my.domain\n"
                               "ip4_addr='10.0.0.5/24';\n"
                               "  vnet = \"1\" ;  # trailing comment\n"
                               "\t# indented comment\n"
                               "exec_start=\"/bin/sh /etc/rc\";\n"
                               "empty=\"\";\n"
                               "bare_empty=\n"
                               "devfs_ruleset=5;# no space\n"
                               "with_hash=\"a#b\";\n"
                               "single='it''s';\n";
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    /* 'it''s' is two single-quoted strings glued: not allowed */
    assert_int_equal(brig_jconf_parse(text, strlen(text), &l, &err), -1);
    assert_string_equal(err.msg, "line 14: unexpected text after the value");

    size_t good = strlen(text) - strlen("single='it''s';\n");
    l = parse_ok(text, good);
    assert_int_equal(l.n, 9);
    expect_item(&l, 0, "jname", "web1", 3);
    expect_item(&l, 1, "host_hostname", "web1.my.domain", 5);
    expect_item(&l, 2, "ip4_addr", "10.0.0.5/24", 6);
    expect_item(&l, 3, "vnet", "1", 7);
    expect_item(&l, 4, "exec_start", "/bin/sh /etc/rc", 9);
    expect_item(&l, 5, "empty", "", 10);
    expect_item(&l, 6, "bare_empty", "", 11);
    expect_item(&l, 7, "devfs_ruleset", "5", 12);
    expect_item(&l, 8, "with_hash", "a#b", 13);
    brig_kvlist_free(&l);
}

static void test_jconf_empty_and_comment_only_text_is_an_empty_list(void **state)
{
    struct brig_kvlist l = parse_ok("", 0);
    assert_int_equal(l.n, 0);
    brig_kvlist_free(&l);
    l = parse_ok("# nothing\n\n   \n#", 17);
    assert_int_equal(l.n, 0);
    brig_kvlist_free(&l);
}

static void test_jconf_last_line_without_newline(void **state)
{
    struct brig_kvlist l = parse_ok("a=1\nb=\"2\";", 10);
    expect_item(&l, 0, "a", "1", 1);
    expect_item(&l, 1, "b", "2", 2);
    brig_kvlist_free(&l);
}

static void test_jconf_double_quote_escapes(void **state)
{
    static const char text[] = "v=\"a\\\"b\\\\c\\$d\\ne\\tf\\'g\\`h\";\n";
    struct brig_kvlist l = parse_ok(text, strlen(text));
    expect_item(&l, 0, "v", "a\"b\\c$d\ne\tf'g`h", 1);
    brig_kvlist_free(&l);
}

static void test_jconf_single_quotes_are_literal(void **state)
{
    static const char text[] = "v='a\\nb \"$x\" \\'\n";
    struct brig_kvlist l = parse_ok(text, strlen(text));
    expect_item(&l, 0, "v", "a\\nb \"$x\" \\", 1);
    brig_kvlist_free(&l);
}

static void test_jconf_crlf_line_ends(void **state)
{
    static const char text[] = "# dos\r\n"
                               "jname=\"web1\";\r\n"
                               "\r\n"
                               "vnet=1\r\n"
                               "ip4_addr='0';\r\n"
                               "hostname=\"h\"\r\n";
    struct brig_kvlist l = parse_ok(text, strlen(text));
    assert_int_equal(l.n, 4);
    expect_item(&l, 0, "jname", "web1", 2);
    expect_item(&l, 1, "vnet", "1", 4);
    expect_item(&l, 2, "ip4_addr", "0", 5);
    expect_item(&l, 3, "hostname", "h", 6);
    brig_kvlist_free(&l);
}

static void test_jconf_errors_name_the_line(void **state)
{
#define BAD(text, msg) parse_bad(text, sizeof(text) - 1, msg)
    BAD("a=1\nb\n", "line 2: missing '=' after the key");
    BAD("a=1\n\n# c\nb 2\n", "line 4: missing '=' after the key");
    BAD("=1\n", "line 1: bad key (letters, digits and '_', not first a digit)");
    BAD("a=1\n9x=1\n", "line 2: bad key (letters, digits and '_', not first a digit)");
    BAD("a-b=1\n", "line 1: bad key (letters, digits and '_', not first a digit)");
    BAD("a=1\nb=\"open\n\"\n", "line 2: unterminated '\"'");
    BAD("a=1\nb=\"open", "line 2: unterminated '\"'");
    BAD("b='open\n", "line 1: unterminated \"'\"");
    BAD("a=1\n\nb=\"x\\q\"\n", "line 3: unknown escape '\\q'");
    BAD("b=\"x\\\n\"\n", "line 1: trailing '\\'");
    BAD("b=\"x\\", "line 1: trailing '\\'");
    BAD("b=\"x\\\x01\"\n", "line 1: unknown escape '\\?'");
    BAD("a=1 2\n", "line 1: unexpected text after the value");
    BAD("a=\"1\" x\n", "line 1: unexpected text after the value");
    BAD("a=\"1\";;\n", "line 1: unexpected text after the value");
    BAD("a=\"1\"\"2\"\n", "line 1: unexpected text after the value");
    BAD("a=ab\"c\"\n", "line 1: quote the value");
    BAD("a=a\\b\n", "line 1: quote the value");
    BAD("a=it's\n", "line 1: quote the value");
#undef BAD
}

static void test_jconf_nul_bytes_are_refused(void **state)
{
    static const char in_double[] = "a=1\nb=\"x\0y\";\n";
    parse_bad(in_double, sizeof(in_double) - 1, "line 2: NUL byte in value");
    static const char in_single[] = "b='x\0y';\n";
    parse_bad(in_single, sizeof(in_single) - 1, "line 1: NUL byte in value");
    static const char in_bare[] = "b=x\0y\n";
    parse_bad(in_bare, sizeof(in_bare) - 1, "line 1: quote the value");
    static const char in_key[] = "b\0=1\n";
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    assert_int_equal(brig_jconf_parse(in_key, sizeof(in_key) - 1, &l, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_true(brig_startswith(err.msg, "line 1: "));
    static const char after[] = "b=\"1\";\0\n";
    assert_int_equal(brig_jconf_parse(after, sizeof(after) - 1, &l, &err), -1);
    assert_string_equal(err.msg, "line 1: unexpected text after the value");
    /* the parser takes a length: bytes past it are never read */
    l = parse_ok("a=1\0garbage", 3);
    expect_item(&l, 0, "a", "1", 1);
    brig_kvlist_free(&l);
}

static void test_jconf_overlong_lines_are_refused(void **state)
{
    size_t n = 65536 + 100;
    char *text = brig_xmalloc(n + 32);
    strcpy(text, "ok=1\nlong=\"");
    size_t off = strlen(text);
    memset(text + off, 'x', 65536);
    strcpy(text + off + 65536, "\";\n");
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    assert_int_equal(brig_jconf_parse(text, strlen(text), &l, &err), -1);
    assert_int_equal(err.code, BRIG_EUSAGE);
    assert_string_equal(err.msg, "line 2: longer than 65536 bytes");

    /* just under the limit is fine */
    size_t value_len = 65536 - strlen("long=\"\";");
    strcpy(text, "ok=1\nlong=\"");
    memset(text + off, 'y', value_len);
    strcpy(text + off + value_len, "\";\n");
    l = parse_ok(text, strlen(text));
    assert_int_equal(l.n, 2);
    assert_int_equal(strlen(l.items[1].value), value_len);
    brig_kvlist_free(&l);
    free(text);
}

static void test_jconf_duplicate_keys_keep_order_and_last_wins(void **state)
{
    struct brig_kvlist l = parse_ok("a=1\na=2\nb=3\na=4\n", 16);
    assert_int_equal(l.n, 4);
    assert_string_equal(brig_kvlist_get(&l, "a"), "4");
    expect_item(&l, 3, "a", "4", 4);
    brig_kvlist_free(&l);
}

/* format_line(key, value) then parse gives back exactly key and value. */
static void round_trip(const char *key, const char *value)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "# header\n");
    brig_jconf_format_line(&b, key, value);
    brig_jconf_format_line(&b, "after", "x");
    assert_non_null(memchr(b.s, '\n', b.len));
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_kvlist l = {0};
    if (brig_jconf_parse(b.s, b.len, &l, &err) < 0)
        fail_msg("text '%s' does not parse back: %s", b.s, err.msg);
    assert_int_equal(l.n, 2);
    expect_item(&l, 0, key, value, 2);
    /* the value never spans lines: the next key is on line 3 */
    expect_item(&l, 1, "after", "x", 3);
    brig_kvlist_free(&l);
    brig_buf_free(&b);
}

static void test_format_then_parse_gives_back_hostile_values(void **state)
{
    static const char *const values[] = {
        "",
        "plain",
        "two words",
        "\"",
        "\"quoted\"",
        "it's",
        "'",
        "$HOME ${jname} $(id)",
        "`reboot`",
        "back\\slash\\",
        "\\",
        "\\n is not a newline",
        "new\nline\n",
        "\n",
        "tab\there\t",
        "cr\rhere\r",
        "# not a comment",
        "value; rm -rf /; \"",
        " leading and trailing ",
        "žluťoučký kůň 🐎 日本語",
        "\x01\x02\x1b[31m\x7f",
        "\xff\xfe invalid utf-8 \xc3",
        "a=b=c",
        "\\\"\\$\\`",
    };
    for (size_t i = 0; i < BRIG_ARRAY_SIZE(values); i++)
        round_trip("exec_start", values[i]);
}

static void test_format_then_parse_every_byte(void **state)
{
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    round_trip("all_bytes", all);
}

static void test_format_writes_cbsd_style(void **state)
{
    struct brig_buf b = {0};
    brig_jconf_format_line(&b, "jname", "web1");
    brig_jconf_format_line(&b, "exec_start", "echo \"$x\"\n");
    assert_string_equal(b.s, "jname=\"web1\";\nexec_start=\"echo \\\"\\$x\\\"\\n\";\n");
    brig_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arg_splits_at_the_first_equals),
        cmocka_unit_test(test_arg_refuses_words_without_a_good_key),
        cmocka_unit_test(test_kvlist_get_returns_the_last_and_del_removes_all),
        cmocka_unit_test(test_jconf_reads_cbsd_style_lines),
        cmocka_unit_test(test_jconf_empty_and_comment_only_text_is_an_empty_list),
        cmocka_unit_test(test_jconf_last_line_without_newline),
        cmocka_unit_test(test_jconf_double_quote_escapes),
        cmocka_unit_test(test_jconf_single_quotes_are_literal),
        cmocka_unit_test(test_jconf_crlf_line_ends),
        cmocka_unit_test(test_jconf_errors_name_the_line),
        cmocka_unit_test(test_jconf_nul_bytes_are_refused),
        cmocka_unit_test(test_jconf_overlong_lines_are_refused),
        cmocka_unit_test(test_jconf_duplicate_keys_keep_order_and_last_wins),
        cmocka_unit_test(test_format_then_parse_gives_back_hostile_values),
        cmocka_unit_test(test_format_then_parse_every_byte),
        cmocka_unit_test(test_format_writes_cbsd_style),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
