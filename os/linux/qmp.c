#define _GNU_SOURCE
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/util.h"
#include "usock.h"

/* A reply longer than this is not one of the few brig asks for. */
#define QMP_LINE_MAX 65536

/* Read one line (up to '\n') into *ret, byte by byte so nothing of the next
 * is consumed; 0 on EOF before any byte. */
static int read_line(int fd, int timeout_ms, char **ret, struct brig_err *err)
{
    struct brig_buf b = {0};
    brig_buf_add(&b, "");
    uint64_t deadline = brig_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        uint64_t now = brig_now_ns();
        int left = now >= deadline ? 0 : (int)((deadline - now) / 1000000u);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EFAIL, "QMP: no answer within %d ms", timeout_ms);
        }
        char ch;
        ssize_t n = read(fd, &ch, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            bool empty = b.len == 0;
            brig_buf_free(&b);
            if (empty)
                return brig_err_set(err, BRIG_EFAIL, "QMP: QEMU closed the monitor");
            return brig_err_set(err, BRIG_EFAIL, "QMP: cut short");
        }
        if (ch == '\n') {
            *ret = brig_buf_steal(&b);
            return 0;
        }
        if (b.len >= QMP_LINE_MAX) {
            brig_buf_free(&b);
            return brig_err_set(err, BRIG_EFAIL, "QMP: a line longer than %d", QMP_LINE_MAX);
        }
        brig_buf_addc(&b, ch);
    }
}

int brig_qmp_field(const char *reply, const char *key, char *buf, size_t len)
{
    _cleanup_free_ char *pat = brig_xasprintf("\"%s\": \"", key);
    const char *p = strstr(reply, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    size_t n = strcspn(p, "\"\\");
    if (n >= len)
        n = len - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

static int send_all(int fd, const char *s, struct brig_err *err)
{
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return brig_err_sys(err, errno, "QMP: send");
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

int brig_qmp_exec(int fd, const char *cmd, int timeout_ms, char **ret, struct brig_err *err)
{
    _cleanup_free_ char *msg = brig_xasprintf("{\"execute\": \"%s\"}\n", cmd);
    if (send_all(fd, msg, err) < 0)
        return -1;
    for (;;) {
        char *line = NULL;
        if (read_line(fd, timeout_ms, &line, err) < 0)
            return brig_err_wrap(err, "%s", cmd);
        if (strstr(line, "\"return\"")) {
            if (ret)
                *ret = line;
            else
                free(line);
            return 0;
        }
        if (strstr(line, "\"error\"")) {
            char desc[256] = "error";
            brig_qmp_field(line, "desc", desc, sizeof(desc));
            free(line);
            return brig_err_set(err, BRIG_EFAIL, "QMP: %s: %s", cmd, desc);
        }
        free(line); /* an event */
    }
}

int brig_qmp_open(const char *path, int timeout_ms, int *ret_fd, struct brig_err *err)
{
    int fd = brig_usock_connect(path, true, err);
    if (fd < 0)
        return brig_err_wrap(err, "QMP");
    _cleanup_free_ char *greeting = NULL;
    if (read_line(fd, timeout_ms, &greeting, err) < 0 || !strstr(greeting, "\"QMP\"") ||
        brig_qmp_exec(fd, "qmp_capabilities", timeout_ms, NULL, err) < 0) {
        if (greeting && !strstr(greeting, "\"QMP\""))
            brig_err_set(err, BRIG_EFAIL, "QMP: %s is not a QEMU monitor", path);
        close(fd);
        return -1;
    }
    *ret_fd = fd;
    return 0;
}

int brig_qmp_wait_close(int fd, int timeout_ms)
{
    uint64_t deadline = brig_now_ns() + (uint64_t)timeout_ms * 1000000u;
    char buf[4096];
    for (;;) {
        uint64_t now = brig_now_ns();
        if (now >= deadline)
            return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return 0;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return 1;
    }
}
