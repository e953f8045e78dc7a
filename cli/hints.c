/* What brig says about a verb it does not know: CBSD's verbs name brig's
 * equivalent (or say there is none yet); other words get the nearest verb of
 * the same kind. */
#define _GNU_SOURCE
#include <string.h>

#include "cbsd.h"
#include "cli.h"
#include "util.h"

int cli_unknown_verb(const char *verb, struct brig_err *err)
{
    const struct brig_cbsd_verb *cv = brig_cbsd_verb_find(verb);
    if (cv && cv->brig)
        return brig_err_set(err, BRIG_EUSAGE, "unknown verb '%s' (CBSD's %s is brig %s)", verb,
                            verb, cv->brig);
    if (cv)
        return brig_err_set(err, BRIG_EUSAGE,
                            "unknown verb '%s' (CBSD's %s has no brig equivalent yet: %s)", verb,
                            verb, cv->note);
    /* a verb's first letter is its kind: j for jails, b for CBSD's VMs */
    const char *names[64];
    size_t n = 0;
    for (size_t v = 0; v < cli_verbs_count && n < 63; v++) {
        if (cli_verbs[v].name[0] == verb[0])
            names[n++] = cli_verbs[v].name;
    }
    if (verb[0] == 'h')
        names[n++] = "help";
    const char *hint = brig_suggest(verb, names, n);
    if (hint)
        return brig_err_set(err, BRIG_EUSAGE, "unknown verb '%.80s' (did you mean '%s'?)", verb,
                            hint);
    return brig_err_set(err, BRIG_EUSAGE, "unknown verb '%.80s' (brig --help lists them)", verb);
}
