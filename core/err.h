/* brig's one error idiom: functions return 0 or -1 and fill a caller-owned
 * struct brig_err; callers add context on the way up; only main prints. */
#ifndef BRIG_ERR_H
#define BRIG_ERR_H

#include <stdarg.h>

enum brig_errcode {
    BRIG_OK = 0,
    BRIG_EFAIL = 1,  /* the operation failed */
    BRIG_EUSAGE = 2, /* bad usage or bad input; nothing was changed */
};

struct brig_err {
    int code;
    char msg[1024];
};

#define BRIG_ERR_INIT                                                                              \
    {                                                                                              \
        0,                                                                                         \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

#define BRIG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Set the error and return -1, so callers can `return brig_err_set(...)`. */
int brig_err_set(struct brig_err *err, int code, const char *fmt, ...) BRIG_PRINTF(3, 4);
/* Like brig_err_set, appending ": strerror(errnum)". */
int brig_err_sys(struct brig_err *err, int errnum, const char *fmt, ...) BRIG_PRINTF(3, 4);
/* Prepend "context: " to the message already set; returns -1. */
int brig_err_wrap(struct brig_err *err, const char *fmt, ...) BRIG_PRINTF(2, 3);
void brig_err_clear(struct brig_err *err);

#endif
