/* libFuzzer target for the devfs.rules parser and everything built on a
 * parsed file: resolution, flattening, evaluation, the devfs(8) argv and
 * the Linux /dev plan. Built with the other targets by tests/fuzz/run.sh
 * (seeds in tests/fuzz/seeds/devfs_rules). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devfs_rules.h"
#include "os/linux/devnodes.h"

static const char *const probes[] = {"null", "pts/0", "bpf0", "fd/1", "a/b/c", "", "tun"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_devfs_rules *rules = NULL;
    if (brig_devfs_rules_parse((const char *)data, size, NULL, &rules, &err) < 0)
        return 0;
    for (size_t i = 0; i < rules->n_sets && i < 8; i++) {
        unsigned number = rules->sets[i].number;
        struct brig_devfs_flat *flat = NULL;
        if (brig_devfs_flatten(rules, number, &flat, &err) == 0) {
            for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
                struct brig_devfs_verdict v;
                brig_devfs_eval(flat, probes[p], BRIG_DEVFS_T_TTY, &v);
            }
            struct brig_devnodes d;
            if (brig_devnodes_plan(flat, NULL, NULL, &d, &err) == 0)
                brig_devnodes_clear(&d);
            brig_devfs_flat_free(flat);
        }
        char ***cmds = NULL;
        if (brig_devfs_render_argv(rules, number, &cmds, &err) == 0)
            brig_devfs_argv_free(cmds);
    }
    brig_devfs_rules_resolve(rules, &err);
    brig_devfs_rules_free(rules);
    return 0;
}
