#define _GNU_SOURCE
#include "proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
