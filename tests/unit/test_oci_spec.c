/* An OCI bundle's config.json: the fields brig maps are read into the spec
 * struct, and each runtime-spec rule refuses bad input with one line naming
 * the field. */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "core/util.h"
#include "oci/spec.h"

static char *read_seed(const char *name)
{
    _cleanup_free_ char *path = brig_xasprintf("%s/%s", SEED_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = brig_xcalloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_full_config_is_read_field_by_field(void **state)
{
    (void)state;
    _cleanup_free_ char *text = read_seed("full.json");
    struct brig_oci_spec s;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_oci_spec_parse(text, strlen(text), &s, &err), 0);
    assert_string_equal(s.oci_version, "1.0.2");
    assert_string_equal(s.hostname, "box");
    assert_string_equal(s.root_path, "rootfs");
    assert_true(s.root_readonly);
    assert_string_equal(s.process.args[2], "echo hi");
    assert_string_equal(s.process.cwd, "/tmp");
    assert_int_equal(s.process.uid, 1);
    assert_int_equal(s.process.gid, 2);
    assert_int_equal(s.process.nadditional_gids, 2);
    assert_int_equal(s.process.additional_gids[1], 4);
    assert_true(s.process.caps.given);
    assert_int_equal(s.process.caps.bounding, 1ULL << CAP_KILL);
    assert_int_equal(s.process.nrlimits, 1);
    assert_int_equal(s.process.rlimits[0].resource, RLIMIT_NOFILE);
    assert_true(s.process.no_new_privileges);
    assert_int_equal(s.process.oom_score_adj, 100);
    assert_int_equal(s.nmounts, 3);
    assert_string_equal(s.mounts[2].options[0], "rbind");
    assert_int_equal(s.nhooks[BRIG_OCI_HOOK_PRESTART], 1);
    assert_int_equal(s.hooks[BRIG_OCI_HOOK_PRESTART][0].timeout, 5);
    assert_int_equal(s.nhooks[BRIG_OCI_HOOK_POSTSTOP], 1);
    assert_string_equal(s.annotations[0], "org.example");
    assert_true(s.ns_given[BRIG_OCI_NS_USER]);
    assert_string_equal(s.ns_path[BRIG_OCI_NS_NETWORK], "/proc/1/ns/net");
    assert_null(s.ns_path[BRIG_OCI_NS_PID]);
    assert_false(s.ns_given[BRIG_OCI_NS_CGROUP]);
    assert_int_equal(s.uid_mappings[0].host_id, 100000);
    assert_string_equal(s.cgroups_path, "/oci/box");
    assert_int_equal(s.resources.memory_limit, 67108864);
    assert_int_equal(s.resources.pids_limit, 64);
    assert_int_equal(s.resources.cpu_quota, 50000);
    assert_string_equal(s.resources.cpuset_cpus, "0");
    assert_string_equal(s.masked_paths[0], "/proc/kcore");
    assert_non_null(s.seccomp);
    assert_int_equal(s.seccomp->nrules, 1);
    assert_int_equal(s.seccomp->rules[0].args[0].value, 493);
    brig_oci_spec_free(&s);
}

/* Each case: config.json text and the start of the one-line refusal. */
static const struct {
    const char *json, *msg;
} refusals[] = {
    {"{", "config.json: ends early"},
    {"[1]", "config.json: must be an object"},
    {"{} {}", "config.json: unexpected character at byte 3"},
    {"{\"root\":{\"path\":\"r\"}}", "ociVersion: is required"},
    {"{\"ociVersion\":\"2.0\",\"root\":{\"path\":\"r\"}}", "ociVersion: 2.0 is not a 1.x"},
    {"{\"ociVersion\":\"1.0\"}", "root.path: is required"},
    {"{\"ociVersion\":1,\"root\":{\"path\":\"r\"}}", "ociVersion: must be string"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\"}}",
     "process.args: at least one"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"x\"],"
     "\"cwd\":\"tmp\"}}",
     "process.cwd: tmp is not an absolute path"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"x\"],"
     "\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]}}",
     "process.env[0]: NOEQUALS is not NAME=VALUE"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"x\"],"
     "\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_FLY\"]}}}",
     "process.capabilities.bounding: unknown capability CAP_FLY"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"x\"],"
     "\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":9,\"hard\":1}]}}",
     "process.rlimits[0]: soft is above hard"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"x\"],"
     "\"cwd\":\"/\",\"oomScoreAdj\":1001}}",
     "process.oomScoreAdj: 1001 is out of range"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"x\"],"
     "\"cwd\":\"/\",\"oomScoreAdj\":67108E864}}",
     "process.oomScoreAdj: 67108E864 is out of range"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"x\"}]}",
     "mounts[0].destination: x is not an absolute path"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"hooks\":{\"prestart\":[{\"path\":"
     "\"h\"}]}}",
     "hooks.prestart[0].path: h is not an absolute path"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":"
     "\"pid\"},{\"type\":\"pid\"}]}}",
     "linux.namespaces[1].type: pid is given twice"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":"
     "\"cpu\"}]}}",
     "linux.namespaces[0].type: unknown namespace cpu"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"hostname\":\"h\"}",
     "hostname: needs a new uts namespace"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":"
     "\"user\"}]}}",
     "linux.uidMappings: a new user namespace needs"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"sysctl\":{\"kernel."
     "panic\":\"1\"}}}",
     "linux.sysctl: kernel.panic is not namespaced"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"sysctl\":{\"net.ipv4."
     "ip_forward\":\"1\"}}}",
     "linux.sysctl: net.ipv4.ip_forward needs a network namespace"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{"
     "\"limit\":1024}}}}",
     "linux.resources.memory.limit: 1024 is below"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"unified\":{"
     "\"../memory.max\":\"1\"}}}}",
     "linux.resources.unified: ../memory.max is not a cgroup2 file name"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"unified\":{"
     "\"cgroup.procs\":\"1\"}}}}",
     "linux.resources.unified: cgroup.procs is the runtime's"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{"
     "\"defaultAction\":\"SCMP_ACT_DANCE\"}}}",
     "linux.seccomp.defaultAction: unsupported action SCMP_ACT_DANCE"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"rootfsPropagation\":"
     "\"sideways\"}}",
     "linux.rootfsPropagation: unknown propagation sideways"},
    /* a value with control characters is quoted printably: still one line */
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{"
     "\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH\\n\\r_X86\"]}}}",
     "linux.seccomp.architectures[0]: unknown architecture SCMP_ARCH??_X86"},
};

static void test_each_rule_refuses_with_one_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        struct brig_oci_spec s;
        struct brig_err err = BRIG_ERR_INIT;
        int r = brig_oci_spec_parse(refusals[i].json, strlen(refusals[i].json), &s, &err);
        if (r == 0 || strncmp(err.msg, refusals[i].msg, strlen(refusals[i].msg)) != 0)
            fail_msg("case %zu: got %d '%s', want '%s'", i, r, err.msg, refusals[i].msg);
        assert_int_equal(err.code, BRIG_EUSAGE);
        assert_null(s.oci_version);
    }
}

static void test_unknown_fields_are_ignored(void **state)
{
    (void)state;
    const char *j = "{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"r\"},\"windows\":{},"
                    "\"linux\":{\"intelRdt\":{}},\"future\":[1,2]}";
    struct brig_oci_spec s;
    struct brig_err err = BRIG_ERR_INIT;
    assert_int_equal(brig_oci_spec_parse(j, strlen(j), &s, &err), 0);
    assert_false(s.has_process);
    brig_oci_spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config_is_read_field_by_field),
        cmocka_unit_test(test_each_rule_refuses_with_one_line),
        cmocka_unit_test(test_unknown_fields_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
