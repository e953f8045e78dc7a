/* brig's side of jexec and jlogin: the command in the jail never gets the
 * caller's stdin, stdout, stderr or terminal; brig copies between them and
 * the pipes or the pty the command was given, and forwards signals. */
#ifndef BRIG_OS_LINUX_RELAY_H
#define BRIG_OS_LINUX_RELAY_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* What to relay. The fds are the relay's: it closes them. */
struct brig_relay {
    pid_t child; /* the process whose exit ends the relay; signals are forwarded to it */
    int in;      /* brig's stdin goes here (a pipe's write end, or the pty master); -1: none */
    int out;     /* copied to brig's stdout (a pipe's read end, or the pty master); -1: none */
    int err;     /* copied to brig's stderr; -1: none */
    bool pty;    /* in and out are one pty master: the caller's terminal goes raw, and its
                    size follows SIGWINCH */
    int sigfd;   /* a signalfd for SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGWINCH, all blocked */
};

/* Relay until child has exited and what it left in the pipes is read; stop
 * then at end of file, or when nothing more comes for a moment, so a process
 * left in the background holding the pipes does not keep brig. The child's
 * wait status in *ret_wstatus. */
int brig_relay_run(struct brig_relay *r, int *ret_wstatus, struct brig_err *err);

#endif
