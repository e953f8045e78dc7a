#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

/* Once the child has exited: brig stops after this long with nothing to read,
 * and after DRAIN_MAX_MS whatever still comes (a background process's output). */
#define QUIET_MS     50
#define DRAIN_MAX_MS 1000
/* How often a job in the background looks whether it is in the foreground. */
#define BACKGROUND_MS 200

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void set_nonblock(int fd)
{
    int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Write all of buf to one of the caller's fds, which may be non-blocking;
 * 0, or -errno when it takes no more. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            poll(&p, 1, -1);
            continue;
        }
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Copy what *from holds now to to. At its end (EOF, or EIO from a pty no
 * process holds any more) *from is closed; also when to is a closed pipe, so
 * the command gets EPIPE as it would writing there itself. */
static void pump(int *from, int to)
{
    char buf[16384];
    ssize_t n = read(*from, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        close_fd(from);
        return;
    }
    if (write_all(to, buf, (size_t)n) == -EPIPE)
        close_fd(from);
}

static void copy_winsize(int to)
{
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        ioctl(to, TIOCSWINSZ, &ws);
}

/* Forward what the caller was sent to the child; true once the child is reaped. */
static bool on_signals(const struct brig_relay *r, int *ret_wstatus)
{
    struct signalfd_siginfo si;
    while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGWINCH) {
            if (r->pty)
                copy_winsize(r->in);
        } else if (si.ssi_signo != SIGCHLD) {
            kill(r->child, (int)si.ssi_signo);
        }
    }
    return waitpid(r->child, ret_wstatus, WNOHANG) == r->child;
}

int brig_relay_run(struct brig_relay *r, int *ret_wstatus, struct brig_err *err)
{
    enum { P_STDIN, P_IN, P_OUT, P_ERR, P_SIG, P_N };
    char inbuf[16384];
    size_t in_len = 0, in_off = 0;
    bool exited = false, in_eof = r->in < 0 || fcntl(0, F_GETFD) < 0;
    uint64_t drain_end = 0;
    int ret = 0;

    set_nonblock(r->in);
    set_nonblock(r->out);
    set_nonblock(r->err);
    struct termios saved;
    bool raw = false;
    if (r->pty && tcgetattr(0, &saved) == 0) {
        struct termios t = saved;
        cfmakeraw(&t);
        raw = tcsetattr(0, TCSANOW, &t) == 0;
        copy_winsize(r->in);
    }
    bool stdin_tty = !in_eof && isatty(0);
    for (;;) {
        if (exited && r->out < 0 && r->err < 0)
            break;
        /* Reading a terminal from a background job would stop brig (SIGTTIN):
         * its input waits until the job is in the foreground. */
        pid_t fg = stdin_tty ? tcgetpgrp(0) : -1;
        bool background = fg >= 0 && fg != getpgrp();
        int timeout = background ? BACKGROUND_MS : -1;
        if (exited) {
            uint64_t now = brig_now_ns();
            if (now >= drain_end)
                break;
            uint64_t left = (drain_end - now) / 1000000 + 1;
            timeout = left < QUIET_MS ? (int)left : QUIET_MS;
        }
        struct pollfd p[P_N] = {
            [P_STDIN] = {.fd = !in_eof && !exited && !background && in_len == 0 ? 0 : -1,
                         .events = POLLIN},
            [P_IN] = {.fd = in_off < in_len ? r->in : -1, .events = POLLOUT},
            [P_OUT] = {.fd = r->out, .events = POLLIN},
            [P_ERR] = {.fd = r->err, .events = POLLIN},
            [P_SIG] = {.fd = exited ? -1 : r->sigfd, .events = POLLIN},
        };
        int n = poll(p, P_N, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = brig_err_sys(err, errno, "relay the command's input and output");
            break;
        }
        if (n == 0 && exited)
            break;
        if (p[P_SIG].revents && on_signals(r, ret_wstatus)) {
            exited = true;
            drain_end = brig_now_ns() + (uint64_t)DRAIN_MAX_MS * 1000000;
            in_len = in_off = 0;
            if (!r->pty)
                close_fd(&r->in);
        }
        if (p[P_STDIN].revents) {
            ssize_t k = read(0, inbuf, sizeof(inbuf));
            if (k > 0) {
                in_len = (size_t)k;
                in_off = 0;
            } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
                in_eof = true;
            }
        }
        if (p[P_IN].revents) {
            ssize_t k = write(r->in, inbuf + in_off, in_len - in_off);
            if (k > 0)
                in_off += (size_t)k;
            else if (k < 0 && errno != EINTR && errno != EAGAIN)
                in_off = in_len; /* the command closed its stdin: drop the rest */
            if (in_off == in_len)
                in_len = in_off = 0;
        }
        /* brig's stdin ended: the command's does, once what was read is written */
        if (!r->pty && in_eof && in_len == 0)
            close_fd(&r->in);
        if (p[P_OUT].revents)
            pump(&r->out, 1);
        if (p[P_ERR].revents)
            pump(&r->err, 2);
    }
    if (!exited)
        while (waitpid(r->child, ret_wstatus, 0) < 0 && errno == EINTR)
            ;
    if (raw)
        tcsetattr(0, TCSADRAIN, &saved);
    close_fd(&r->in);
    close_fd(&r->out);
    close_fd(&r->err);
    return ret;
}
