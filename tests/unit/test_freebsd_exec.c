/* The plan executor, proven on Linux with harmless commands: captured output
 * is substituted into later steps, a failure undoes completed steps in
 * reverse, and the error names the failed command and its stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "os/freebsd/plan.h"
#include "util.h"

#define T(i) (UINT64_C(1) << (i))

/* Every command the executor ran, one line each, "undo: " before undo commands. */
static void record(void *data, bool undo, char *const *argv)
{
    struct brig_buf *b = data;
    brig_buf_add(b, undo ? "undo:" : "run:");
    for (size_t i = 0; argv[i]; i++) {
        brig_buf_addc(b, ' ');
        brig_buf_add(b, argv[i]);
    }
    brig_buf_addc(b, '\n');
}

static void captured_output_is_substituted_into_later_steps(void **state)
{
    struct brig_plan plan = {0};
    struct brig_plan_step *s =
        brig_plan_addv(&plan, "make an epair", "echo", "epair5a", (char *)NULL);
    brig_plan_step_capture(s, "epair");
    s = brig_plan_addv(&plan, "use both ends", "echo", "${epair}", "${epair%a}b", "x${epair}y",
                       "${epair}", (char *)NULL);
    brig_plan_step_tmpl(s, 1);
    brig_plan_step_tmpl(s, 2);
    brig_plan_step_tmpl(s, 3);
    struct brig_buf log = {0};
    brig_buf_add(&log, "");
    struct brig_plan_exec_opts opts = {.on_run = record, .data = &log};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, &opts, &err), 0);
    /* the last word is not a template: it stays literal */
    assert_string_equal(log.s, "run: echo epair5a\n"
                               "run: echo epair5a epair5b xepair5ay ${epair}\n");
    brig_buf_free(&log);
    brig_plan_free(&plan);
}

static void failure_undoes_completed_steps_in_reverse(void **state)
{
    struct brig_plan plan = {0};
    struct brig_plan_step *s = brig_plan_addv(&plan, "one", "echo", "one", (char *)NULL);
    brig_plan_step_capture(s, "v");
    brig_plan_step_undov(s, T(1), "echo", "undo-one-${v}", (char *)NULL);
    s = brig_plan_addv(&plan, "two", "true", (char *)NULL);
    brig_plan_step_undov(s, 0, "echo", "undo-two-a", (char *)NULL);
    brig_plan_step_undov(s, 0, "echo", "undo-two-b", (char *)NULL);
    s = brig_plan_addv(&plan, "ignored", "false", (char *)NULL);
    s->may_fail = true;
    s = brig_plan_addv(&plan, "three fails", "sh", "-c", "echo 'ifconfig: bad' >&2; exit 3",
                       (char *)NULL);
    brig_plan_step_undov(s, 0, "echo", "never", (char *)NULL);
    brig_plan_addv(&plan, "four never runs", "echo", "four", (char *)NULL);
    struct brig_buf log = {0};
    brig_buf_add(&log, "");
    struct brig_plan_exec_opts opts = {.on_run = record, .data = &log};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, &opts, &err), -1);
    assert_int_equal(err.code, BRIG_EFAIL);
    assert_string_equal(log.s, "run: echo one\n"
                               "run: true\n"
                               "run: false\n"
                               "run: sh -c echo 'ifconfig: bad' >&2; exit 3\n"
                               "undo: echo undo-two-a\n"
                               "undo: echo undo-two-b\n"
                               "undo: echo undo-one-one\n");
    assert_string_equal(err.msg, "step 4 (three fails): sh -c 'echo '\\''ifconfig: bad'\\'' >&2; "
                                 "exit 3': exit status 3: ifconfig: bad");
    brig_buf_free(&log);
    brig_plan_free(&plan);
}

static void a_missing_program_is_an_error_naming_it(void **state)
{
    struct brig_plan plan = {0};
    brig_plan_addv(&plan, "nothing", "/nonexistent/brig-tool", "x", (char *)NULL);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/brig-tool"));
    brig_plan_free(&plan);
}

static void capture_must_be_one_word(void **state)
{
    struct brig_plan plan = {0};
    struct brig_plan_step *s = brig_plan_addv(&plan, "two words", "echo", "a b", (char *)NULL);
    brig_plan_step_capture(s, "v");
    brig_plan_step_undov(s, 0, "true", (char *)NULL);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), -1);
    assert_string_equal(err.msg, "step 1 (two words): expected one word of output to set v, "
                                 "got 'a b'");
    brig_plan_free(&plan);
}

static void an_unknown_variable_fails_the_step(void **state)
{
    struct brig_plan plan = {0};
    struct brig_plan_step *s = brig_plan_addv(&plan, "uses x", "echo", "${x}", (char *)NULL);
    brig_plan_step_tmpl(s, 1);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), -1);
    assert_string_equal(err.msg, "step 1 (uses x): variable 'x' was never captured");
    brig_plan_free(&plan);
}

static void logged_output_goes_to_the_file_and_conf_is_written(void **state)
{
    char dir[] = "/tmp/brig-exec-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *logp = brig_xasprintf("%s/console.log", dir);
    _cleanup_free_ char *confp = brig_xasprintf("%s/jail.conf", dir);
    struct brig_plan plan = {0};
    plan.conf = brig_xstrdup("j {\n    persist;\n}\n");
    plan.conf_path = brig_xstrdup(confp);
    struct brig_plan_step *s =
        brig_plan_addv(&plan, "hook", "sh", "-c", "echo out; echo err >&2", (char *)NULL);
    brig_plan_step_log(s, logp);
    s = brig_plan_addv(&plan, "failing hook", "sh", "-c", "echo bad; exit 1", (char *)NULL);
    brig_plan_step_log(s, logp);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), -1);
    _cleanup_free_ char *expect =
        brig_xasprintf("step 2 (failing hook): sh -c 'echo bad; exit 1': exit status 1 (output "
                       "in %s)",
                       logp);
    assert_string_equal(err.msg, expect);
    _cleanup_free_ char *logdata = NULL, *confdata = NULL;
    assert_int_equal(brig_read_file(logp, 4096, &logdata, NULL, &err), 0);
    assert_string_equal(logdata, "out\nerr\nbad\n");
    assert_int_equal(brig_read_file(confp, 4096, &confdata, NULL, &err), 0);
    assert_string_equal(confdata, "j {\n    persist;\n}\n");
    brig_plan_free(&plan);
    assert_int_equal(brig_rm_rf(dir, &err), 0);
}

static void render_quotes_words_and_keeps_variables_expandable(void **state)
{
    struct brig_plan plan = {0};
    plan.conf = brig_xstrdup("j {\n}\n");
    plan.conf_path = brig_xstrdup("/w/jail.conf");
    struct brig_plan_step *s =
        brig_plan_addv(&plan, "create", "ifconfig", "epair", "create", (char *)NULL);
    brig_plan_step_capture(s, "e");
    brig_plan_step_undov(s, T(1), "ifconfig", "${e}", "destroy", (char *)NULL);
    s = brig_plan_addv(&plan, "rename\nb end", "ifconfig", "${e%a}b", "name", "it's $x",
                       (char *)NULL);
    brig_plan_step_tmpl(s, 1);
    s = brig_plan_addv(&plan, "hook", "sh", "-c", "a;b", (char *)NULL);
    brig_plan_step_log(s, "/w/console log");
    s->may_fail = true;
    struct brig_buf out = {0};
    brig_plan_render(&plan, &out);
    assert_string_equal(out.s, "# jail.conf written to /w/jail.conf\n"
                               "j {\n}\n"
                               "# end of jail.conf\n"
                               "# 1. create\n"
                               "e=$(ifconfig epair create)\n"
                               "#    undo: ifconfig \"${e}\" destroy\n"
                               "# 2. rename b end\n"
                               "ifconfig \"${e%a}b\" name 'it'\\''s $x'\n"
                               "# 3. hook\n"
                               "sh -c 'a;b' >>'/w/console log' 2>&1 || true\n");
    brig_buf_free(&out);
    brig_plan_free(&plan);
}

static void steps_are_skipped_when_the_state_is_already_there_and_never_undone(void **state)
{
    struct brig_plan plan = {0};
    /* the kernel has ruleset 9 as it should be: its load is skipped */
    struct brig_plan_step *s =
        brig_plan_addv(&plan, "ruleset 9 now", "printf", "100 hide\n", (char *)NULL);
    brig_plan_step_skip_if(s, "100 hide\n", 2);
    s = brig_plan_addv(&plan, "delset 9", "echo", "delset-9", (char *)NULL);
    brig_plan_step_undov(s, 0, "echo", "never-9", (char *)NULL);
    brig_plan_addv(&plan, "add 9", "echo", "add-9", (char *)NULL);
    /* ruleset 10 differs: loaded */
    s = brig_plan_addv(&plan, "ruleset 10 now", "printf", "100 unhide\n", (char *)NULL);
    brig_plan_step_skip_if(s, "100 hide\n", 1);
    s = brig_plan_addv(&plan, "delset 10", "echo", "delset-10", (char *)NULL);
    brig_plan_step_undov(s, 0, "echo", "undo-10", (char *)NULL);
    brig_plan_addv(&plan, "fails", "false", (char *)NULL);
    struct brig_buf log = {0};
    brig_buf_add(&log, "");
    struct brig_plan_exec_opts opts = {.on_run = record, .data = &log};
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, &opts, &err), -1);
    assert_string_equal(log.s, "run: printf 100 hide\n\n"
                               "run: printf 100 unhide\n\n"
                               "run: echo delset-10\n"
                               "run: false\n"
                               "undo: echo undo-10\n");
    struct brig_buf out = {0};
    brig_plan_render(&plan, &out);
    assert_non_null(strstr(out.s, "#    steps 2-3 are skipped when this prints exactly:\n"
                                  "#      100 hide\n"));
    brig_buf_free(&out);
    brig_buf_free(&log);
    brig_plan_free(&plan);
}

static void a_waiting_step_reruns_until_the_state_is_reached_and_fails_on_the_bad_one(void **state)
{
    char dir[] = "/tmp/brig-wait.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *count = brig_xasprintf("%s/n", dir);
    char *script = brig_xasprintf("n=$(cat %s 2>/dev/null || echo 0); echo $((n+1)) >%s; "
                                  "if [ $n -ge 2 ]; then echo 'fd00::5 prefixlen 128'; "
                                  "else echo 'fd00::5 prefixlen 128 tentative'; fi",
                                  count, count);
    struct brig_plan plan = {0};
    struct brig_plan_step *s = brig_plan_addv(&plan, "dad", "sh", "-c", script, (char *)NULL);
    brig_plan_step_wait(s, "fd00::5 prefixlen 128 tentative", "duplicated", 5);
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), 0);
    char *text = NULL;
    assert_int_equal(brig_read_file(count, 64, &text, NULL, NULL), 0);
    assert_string_equal(text, "3\n");
    free(text);
    brig_plan_free(&plan);

    /* never reached: bounded */
    s = brig_plan_addv(&plan, "stuck", "echo", "fd00::5 prefixlen 128 tentative", (char *)NULL);
    brig_plan_step_wait(s, "tentative", "duplicated", 0);
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), -1);
    assert_string_equal(err.msg, "step 1 (stuck): it still prints 'tentative' after 0 s");
    brig_plan_free(&plan);

    /* the bad state: at once */
    s = brig_plan_addv(&plan, "dup", "echo", "fd00::5 prefixlen 128 duplicated", (char *)NULL);
    brig_plan_step_wait(s, "tentative", "prefixlen 128 duplicated", 5);
    assert_int_equal(brig_plan_exec(&plan, NULL, &err), -1);
    assert_string_equal(err.msg, "step 1 (dup): it prints 'prefixlen 128 duplicated'");
    brig_plan_free(&plan);
    unlink(count);
    rmdir(dir);
    free(count);
    free(script);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(captured_output_is_substituted_into_later_steps),
        cmocka_unit_test(failure_undoes_completed_steps_in_reverse),
        cmocka_unit_test(a_missing_program_is_an_error_naming_it),
        cmocka_unit_test(capture_must_be_one_word),
        cmocka_unit_test(an_unknown_variable_fails_the_step),
        cmocka_unit_test(logged_output_goes_to_the_file_and_conf_is_written),
        cmocka_unit_test(render_quotes_words_and_keeps_variables_expandable),
        cmocka_unit_test(steps_are_skipped_when_the_state_is_already_there_and_never_undone),
        cmocka_unit_test(a_waiting_step_reruns_until_the_state_is_reached_and_fails_on_the_bad_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
