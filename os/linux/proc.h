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

/* The inode of pidfd on a kernel with pidfs (6.9): unique to its process for
 * the whole boot, so a recycled pid gets another. 0 on older kernels. */
uint64_t brig_pidfd_ino(int pidfd);
/* brig_proc_alive, checked through a pidfd when the process's pidfs inode is
 * known (pidfs_ino != 0): no path walk and no text, as jls needs for many jails. */
bool brig_proc_alive_id(pid_t pid, int64_t starttime, uint64_t pidfs_ino);

#endif
