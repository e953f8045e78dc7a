/* Process identity on Linux: a pid plus its start time, so a recycled pid is
 * never mistaken for a jail's init. */
#ifndef BRIG_LINUX_PROC_H
#define BRIG_LINUX_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Start time of pid (field 22 of /proc/pid/stat, clock ticks since boot); -1 if gone. */
int64_t brig_proc_starttime(pid_t pid);
/* True when pid exists, has the given start time and is not a zombie. */
bool brig_proc_alive(pid_t pid, int64_t starttime);

#endif
