#define _GNU_SOURCE
#include "conslog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define CHUNK 65536

int brig_conslog_open(const char *path, struct brig_err *err)
{
    /* read and write, no O_APPEND: dropping the oldest half rewrites the
     * front, and pwrite on an O_APPEND fd appends on Linux */
    int fd = open(path, O_RDWR | O_CREAT | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return brig_err_sys(err, errno, "open console log %s", path);
    return fd;
}

static int pwrite_all(int fd, const char *p, size_t n, off_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* Keep the newest keep bytes of a log of size bytes, moved to its front,
 * starting after the first newline of their first chunk when there is one. */
static int drop_oldest(int fd, off_t size, off_t keep, off_t *ret_size)
{
    char buf[CHUNK];
    off_t src = size - keep, dst = 0;
    bool first = true;
    while (src < size) {
        size_t want = (size_t)(size - src < CHUNK ? size - src : CHUNK);
        ssize_t r = pread(fd, buf, want, src);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        src += r;
        const char *p = buf;
        size_t len = (size_t)r;
        if (first) {
            const char *nl = memchr(buf, '\n', len);
            if (nl && nl + 1 < buf + len) {
                len -= (size_t)(nl + 1 - buf);
                p = nl + 1;
            }
            first = false;
        }
        if (pwrite_all(fd, p, len, dst) < 0)
            return -1;
        dst += (off_t)len;
    }
    if (ftruncate(fd, dst) < 0)
        return -1;
    *ret_size = dst;
    return 0;
}

int brig_conslog_append(int fd, const void *buf, size_t n, uint64_t cap)
{
    const char *p = buf;
    if (cap && n > cap / 2) {
        p += n - cap / 2; /* one write of more than half the cap: its newest half */
        n = cap / 2;
    }
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR)
            return -1;
    struct stat st;
    int r = fstat(fd, &st);
    off_t size = st.st_size;
    if (r == 0 && cap && (uint64_t)size + n > cap) {
        off_t keep = size < (off_t)(cap / 2) ? size : (off_t)(cap / 2);
        if (keep + (off_t)n > (off_t)cap)
            keep = (off_t)(cap - n);
        r = drop_oldest(fd, size, keep, &size);
    }
    if (r == 0)
        r = pwrite_all(fd, p, n, size);
    int e = errno;
    flock(fd, LOCK_UN);
    errno = e;
    return r;
}

/* Write what is in the pipe in now (at most what it held when asked). */
static void flush_pending(int in, int fd, uint64_t cap, char *buf)
{
    int pending = 0;
    if (ioctl(in, FIONREAD, &pending) < 0)
        return;
    while (pending > 0) {
        ssize_t n = read(in, buf, (size_t)(pending < CHUNK ? pending : CHUNK));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        brig_conslog_append(fd, buf, (size_t)n, cap);
        pending -= (int)n;
    }
}

void brig_conslog_copy(int in, int ctl, int fd, uint64_t cap)
{
    char buf[CHUNK];
    for (;;) {
        struct pollfd pfd[2] = {{.fd = in, .events = POLLIN}, {.fd = ctl, .events = POLLIN}};
        if (poll(pfd, ctl >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (ctl >= 0 && pfd[1].revents) {
            char c;
            if (recv(ctl, &c, 1, 0) == 1) {
                flush_pending(in, fd, cap, buf);
                if (send(ctl, &c, 1, MSG_NOSIGNAL) == 1)
                    continue;
            }
            ctl = -1; /* the init has gone on (exec_init) or away: only the pipe counts */
            continue;
        }
        if (!pfd[0].revents)
            continue;
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        brig_conslog_append(fd, buf, (size_t)n, cap);
    }
}
