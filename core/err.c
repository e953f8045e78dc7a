#include "err.h"

#include <stdio.h>
#include <string.h>

BRIG_PRINTF(3, 0)
static void err_vset(struct brig_err *err, int code, const char *fmt, va_list ap)
{
    if (!err)
        return;
    err->code = code;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int brig_err_set(struct brig_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int brig_err_sys(struct brig_err *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return -1;
    va_start(ap, fmt);
    err_vset(err, BRIG_EFAIL, fmt, ap);
    va_end(ap);
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
    return -1;
}

int brig_err_wrap(struct brig_err *err, const char *fmt, ...)
{
    char prefix[512], old[sizeof(err->msg)];
    va_list ap;
    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
    if (!err->code)
        err->code = BRIG_EFAIL;
    return -1;
}

void brig_err_clear(struct brig_err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
