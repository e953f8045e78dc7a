#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFS_MAGIC
#define PIDFS_MAGIC 0x50494446
#endif

/* Read /proc/pid/stat; return the state char and start time, or -1 when gone. */
static int64_t stat_fields(pid_t pid, char *ret_state)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* comm may hold spaces and ')': fields resume after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return -1;
    p += 2;
    if (ret_state)
        *ret_state = *p;
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    return strtoll(p, NULL, 10);
}

int64_t brig_proc_starttime(pid_t pid)
{
    return stat_fields(pid, NULL);
}

bool brig_proc_alive(pid_t pid, int64_t starttime)
{
    char state = 0;
    if (pid <= 0)
        return false;
    int64_t st = stat_fields(pid, &state);
    return st >= 0 && st == starttime && state != 'Z' && state != 'X';
}

uint64_t brig_pidfd_ino(int pidfd)
{
    struct statfs sfs;
    struct stat sb;
    /* before pidfs (6.9) every pidfd is the one anonymous inode: no identity */
    if (pidfd < 0 || fstatfs(pidfd, &sfs) < 0 || sfs.f_type != PIDFS_MAGIC || fstat(pidfd, &sb) < 0)
        return 0;
    return (uint64_t)sb.st_ino;
}

/* By the pidfd: 1 alive, 0 gone, exited or another process, -1 cannot tell. */
static int alive_by_pidfd(pid_t pid, uint64_t ino)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return errno == ESRCH || errno == EINVAL ? 0 : -1;
    struct stat sb;
    int r = -1;
    if (fstat(fd, &sb) == 0) {
        /* a zombie's pidfd polls readable: it has exited */
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        r = (uint64_t)sb.st_ino == ino && poll(&pfd, 1, 0) == 0;
    }
    close(fd);
    return r;
}

bool brig_proc_alive_id(pid_t pid, int64_t starttime, uint64_t pidfs_ino)
{
    if (pid <= 0)
        return false;
    int r = pidfs_ino ? alive_by_pidfd(pid, pidfs_ino) : -1;
    return r >= 0 ? r == 1 : brig_proc_alive(pid, starttime);
}
