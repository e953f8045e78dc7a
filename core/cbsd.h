/* CBSD compatibility: what brig does with each key of CBSD's jconf files and
 * which brig verb stands for each CBSD verb brig does not have. Tables only;
 * reading a jconf stays in kv.c, applying it in jail.c. */
#ifndef BRIG_CBSD_H
#define BRIG_CBSD_H

#include <stddef.h>

#include "err.h"
#include "kv.h"

enum brig_cbsd_how {
    BRIG_CBSD_TAKEN,   /* a brig parameter of the same name and meaning */
    BRIG_CBSD_LAYOUT,  /* a path in CBSD's workdir: taken, except from CBSD's own files */
    BRIG_CBSD_MAPPED,  /* stands for brig parameter `to` */
    BRIG_CBSD_IGNORED, /* no meaning for brig: `why` */
};

struct brig_cbsd_key {
    const char *name;
    enum brig_cbsd_how how;
    const char *to;  /* BRIG_CBSD_MAPPED: the brig parameter */
    const char *why; /* what the key is to CBSD, and why brig does without it */
};

extern const struct brig_cbsd_key brig_cbsd_keys[];
extern const size_t brig_cbsd_keys_count;

/* The CBSD jconf key called name, or NULL. */
const struct brig_cbsd_key *brig_cbsd_key_find(const char *name);

/* BRIG_EUSAGE "unknown parameter 'KEY' (a CBSD key: ...)" when key is one of
 * CBSD's that brig maps or ignores (prefix goes first); 0 otherwise. */
int brig_cbsd_key_refuse(const char *prefix, const char *key, struct brig_err *err);

/* Turn the items of a jconf file into brig parameters: brig's keys are kept
 * (a CBSD command of "0" becomes none), CBSD's mapped keys become brig's, and
 * CBSD's keys with no meaning are dropped, each named once in *ret_notes as
 * "KEY (WHY)". Keys unknown to both are kept for the caller to refuse. In a
 * file of CBSD's own (it has relative_path), path and data are CBSD's and
 * dropped. BRIG_EUSAGE when a mapped key and its brig key both set a command. */
int brig_cbsd_jconf_translate(const struct brig_kvlist *in, struct brig_kvlist *ret,
                              char ***ret_notes, struct brig_err *err);

/* A CBSD verb brig does not have under that name. */
struct brig_cbsd_verb {
    const char *name;
    const char *brig; /* the brig command that does it, or NULL */
    const char *note; /* what it does in CBSD, or why brig has none yet */
};

/* The CBSD verb called name, or NULL. */
const struct brig_cbsd_verb *brig_cbsd_verb_find(const char *name);

#endif
