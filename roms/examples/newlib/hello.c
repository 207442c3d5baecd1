/*
 * hello.c - an ordinary hosted C program built with newlib and
 * --specs=rdimon.specs: stdio, argv and the exit status all go through
 * ARM semihosting.
 *
 * It prints a few printf formats and its command line, reads one line
 * from stdin with fgets, echoes it, and returns 3.  newlib's exit() sees
 * SH_EXT_EXIT_EXTENDED in the ":semihosting-features" file and so reports
 * the 3 with SYS_EXIT_EXTENDED; without that feature the status would be
 * lost (plain SYS_EXIT can only say "application exit").
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[128];

    printf("Hello from newlib on the TI-Nspire CX emulator!\n");
    printf("int %d, negative %d, unsigned %u, hex 0x%08x, octal %o\n",
           42, -7, 3000000000u, 0xC0FFEEu, 8);
    printf("char '%c', string \"%s\", padded [%-6s] [%6s], long long %lld\n",
           'A', "arm926", "left", "right", -1234567890123LL);
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);

    printf("Type a line: ");
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        printf("You typed \"%s\" (%u characters)\n", line, (unsigned)strlen(line));
    } else {
        printf("\n(no input: end of file)\n");
    }

    printf("Exiting with status 3.\n");
    return 3;
}
