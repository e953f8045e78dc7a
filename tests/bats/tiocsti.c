/* Test helper run inside a jail: push TEXT and a newline into the input of
 * every terminal it can reach (fds 0-2 and /dev/tty) with TIOCSTI. With
 * DELAY, it forks, the parent exits at once, and the child does it DELAY
 * seconds later, after the jexec that started it has returned.
 * Usage: tiocsti TEXT [DELAY] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int push(int fd, const char *text)
{
    for (const char *p = text; *p; p++)
        if (ioctl(fd, TIOCSTI, p) < 0)
            return -1;
    return ioctl(fd, TIOCSTI, "\n");
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int delay = argc > 2 ? atoi(argv[2]) : 0;
    if (delay > 0) {
        pid_t pid = fork();
        if (pid != 0)
            return pid < 0;
        sleep((unsigned)delay);
    }
    int reached = 0;
    for (int fd = 0; fd < 3; fd++)
        if (push(fd, argv[1]) == 0) {
            fprintf(stderr, "tiocsti: pushed into fd %d\n", fd);
            reached++;
        }
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (tty >= 0 && push(tty, argv[1]) == 0) {
        fprintf(stderr, "tiocsti: pushed into /dev/tty\n");
        reached++;
    }
    if (!reached)
        fprintf(stderr, "tiocsti: no terminal reached\n");
    return 0;
}
