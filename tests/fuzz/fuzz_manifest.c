/* libFuzzer target for the jail archive manifest parser (jimport's first
 * read of outside input): any input either fails with one line of
 * BRIG_EUSAGE, or parses to a manifest that renders to text the parser reads
 * back to the same manifest, rows included (a host directory's dst stays inside
 * the jail's root). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct brig_err err = BRIG_ERR_INIT;
    struct brig_manifest m = {0}, again = {0};
    if (brig_manifest_parse((const char *)data, size, &m, &err) < 0) {
        if (err.code != BRIG_EUSAGE || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    if (m.format < 1 || m.format > BRIG_MANIFEST_FORMAT || !brig_kvlist_get(&m.params, "jname"))
        abort();
    char *text = brig_manifest_render(&m);
    if (brig_manifest_parse(text, strlen(text), &again, &err) < 0)
        abort();
    if (again.dhcp != m.dhcp || again.full != m.full ||
        strcmp(again.brig_version, m.brig_version) != 0 ||
        strcmp(again.base_version, m.base_version) != 0 ||
        strcmp(again.base_checksum, m.base_checksum) != 0 || again.params.n != m.params.n ||
        again.nnics != m.nnics || again.nfstab != m.nfstab || again.nexposes != m.nexposes)
        abort();
    for (size_t i = 0; i < m.nnics; i++) {
        const struct brig_nic *a = &m.nics[i], *b = &again.nics[i];
        if (a->idx != b->idx || a->mtu != b->mtu || a->no_filter != b->no_filter ||
            strcmp(a->parent, b->parent) != 0 || strcmp(a->hwaddr, b->hwaddr) != 0 ||
            strcmp(a->addrs, b->addrs) != 0 || strcmp(a->gw4, b->gw4) != 0)
            abort();
    }
    for (size_t i = 0; i < m.nfstab; i++) {
        const struct brig_fstab *a = &m.fstab[i], *b = &again.fstab[i];
        /* dst is canonical, and never leaves the jail's root */
        if (a->dst[0] != '/' || strstr(a->dst, "/../") || strcmp(a->src, b->src) != 0 ||
            strcmp(a->dst, b->dst) != 0 || strcmp(a->options, b->options) != 0)
            abort();
    }
    for (size_t i = 0; i < m.nexposes; i++) {
        const struct brig_expose *a = &m.exposes[i], *b = &again.exposes[i];
        if (strcmp(a->proto, b->proto) != 0 || a->in != b->in || a->out != b->out ||
            strcmp(a->addr, b->addr) != 0)
            abort();
    }
    for (size_t i = 0; i < m.params.n; i++) {
        if (strcmp(again.params.items[i].key, m.params.items[i].key) != 0 ||
            strcmp(again.params.items[i].value, m.params.items[i].value) != 0)
            abort();
    }
    free(text);
    brig_manifest_clear(&m);
    brig_manifest_clear(&again);
    return 0;
}
