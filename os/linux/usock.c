/* Unix sockets: connect to one by path, send bytes with an fd. */
#define _GNU_SOURCE
#include "usock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

int brig_usock_connect(const char *path, bool own_dir, struct brig_err *err)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    _cleanup_close_ int pfd = -1;
    if (own_dir) {
        struct stat st;
        pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (pfd < 0 || fstat(pfd, &st) < 0)
            return brig_err_sys(err, errno, "connect %s", path);
        if (!S_ISSOCK(st.st_mode))
            return brig_err_set(err, BRIG_EFAIL, "connect %s: not a socket", path);
        /* the socket found, whatever the name points at by the time of connect */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
    } else if (strlen(path) < sizeof(sa.sun_path)) {
        memcpy(sa.sun_path, path, strlen(path) + 1);
    } else {
        return brig_err_set(err, BRIG_EUSAGE, "socket path %s is too long", path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return brig_err_sys(err, errno, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "connect %s", path);
    }
    return fd;
}

ssize_t brig_usock_send_fd(int sock, const void *buf, size_t len, int fd)
{
    struct iovec iov = {(void *)(uintptr_t)buf, len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = sizeof(ctl.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}
