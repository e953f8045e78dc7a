/* Print the effective uid: what a setuid program would run as. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("%u\n", (unsigned)geteuid());
    return 0;
}
