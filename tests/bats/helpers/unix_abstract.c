/* An abstract unix socket, to prove where one reaches.
 *   unix_abstract listen NAME   accept one connection, print what it sends
 *   unix_abstract connect NAME  send "hello"; exit 0 when connected, 1 when not */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(argv[2]);
    if (len + 1 > sizeof(sa.sun_path))
        return 2;
    memcpy(sa.sun_path + 1, argv[2], len); /* sun_path[0] = 0: abstract */
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0)
        return 2;
    if (strcmp(argv[1], "listen") == 0) {
        if (bind(s, (struct sockaddr *)&sa, salen) < 0 || listen(s, 1) < 0) {
            perror("bind");
            return 2;
        }
        int c = accept(s, NULL, NULL);
        char buf[64];
        ssize_t n = c < 0 ? -1 : read(c, buf, sizeof(buf) - 1);
        if (n > 0) {
            buf[n] = '\0';
            printf("%s\n", buf);
        }
        return 0;
    }
    if (connect(s, (struct sockaddr *)&sa, salen) < 0) {
        printf("connect: %s\n", strerror(errno));
        return 1;
    }
    printf("connected\n");
    return write(s, "hello", 5) == 5 ? 0 : 1;
}
