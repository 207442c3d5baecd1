/*
 * target.c - a ROM for debugger tests (emu/tests/gdb_multiarch.rs): built without
 * optimisation and with debug information, so that gdb can break in a function, print its
 * locals and a global, step, and watch the global change.
 */
#include "sh.h"

/* The global the test watches: the sum of squares so far. */
volatile int total;

/* The function the test breaks in; `square` is its local. */
int square(int n)
{
    int square = n * n;
    return square;
}

int main(void)
{
    for (int i = 1; i <= 5; i++) {
        total += square(i);
    }
    sh_write0(total == 55 ? "gdb target: total 55\n" : "gdb target: wrong total\n");
    return total == 55 ? 0 : 1;
}
