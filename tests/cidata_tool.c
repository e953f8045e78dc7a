/* Write a NoCloud seed ISO from key=value arguments, for the VM fixture tests:
 *   cidata-tool OUT.iso instance_id=X hostname=H [user=U] [pubkey=K] [ip4_addr=A/N]
 *               [gw4=G] [nameserver=N] [mac=M]
 * Exits 2 with one line on stderr when brig_cidata_write refuses a value. */
#include <stdio.h>
#include <string.h>

#include "core/cidata.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cidata-tool OUT.iso key=value...\n");
        return 2;
    }
    struct brig_cidata ci = {0};
    struct {
        const char *key;
        const char **field;
    } keys[] = {
        {"instance_id", &ci.instance_id}, {"hostname", &ci.hostname}, {"user", &ci.user},
        {"pubkey", &ci.pubkey},           {"ip4_addr", &ci.ip4_addr}, {"gw4", &ci.gw4},
        {"nameserver", &ci.nameserver},   {"mac", &ci.mac},
    };
    for (int i = 2; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        size_t n = eq ? (size_t)(eq - argv[i]) : 0;
        size_t k = 0;
        while (k < sizeof(keys) / sizeof(keys[0]) &&
               (strlen(keys[k].key) != n || strncmp(keys[k].key, argv[i], n) != 0))
            k++;
        if (k == sizeof(keys) / sizeof(keys[0])) {
            fprintf(stderr, "cidata-tool: unknown argument %s\n", argv[i]);
            return 2;
        }
        *keys[k].field = eq + 1;
    }
    struct brig_err err = BRIG_ERR_INIT;
    if (brig_cidata_write(argv[1], &ci, &err) < 0) {
        fprintf(stderr, "cidata-tool: %s\n", err.msg);
        return err.code == BRIG_EUSAGE ? 2 : 1;
    }
    return 0;
}
