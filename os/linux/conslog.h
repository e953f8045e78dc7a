/* A jail's console log, kept within a size cap whoever writes it. */
#ifndef BRIG_LINUX_CONSLOG_H
#define BRIG_LINUX_CONSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Open (create) the console log at path for brig_conslog_append; the fd, or -1. */
int brig_conslog_open(const char *path, struct brig_err *err);

/* Append buf to the log open on fd, keeping it at most cap bytes (0: no cap):
 * when a write would pass the cap, the oldest half is dropped first (the
 * newest cap/2 bytes move to the front, from a line's start where one is
 * near). Writers serialise on an flock of the log. 0, or -1 with errno. */
int brig_conslog_append(int fd, const void *buf, size_t n, uint64_t cap);

/* Copy what comes on in to the log on fd with the cap until in's end; a
 * byte on ctl asks for what is in the pipe now to be written, and is
 * answered with a byte once it is. Returns at in's end. */
void brig_conslog_copy(int in, int ctl, int fd, uint64_t cap);

#endif
