/*
 * unwind.c - a ROM for the monitor's symbols and backtrace (emu/tests/symbols.rs): optimised
 * code (-O2, so no frame pointer) with debug information (-g: line tables and .debug_frame),
 * in a chain of calls main -> outer -> middle (Thumb, unwind_thumb.c) -> inner -> leaf, so
 * that `bt` at leaf must unwind each frame by its call frame information, across ARM and
 * Thumb.
 */
#include "sh.h"

/* What leaf stores: the monitor's conditional breakpoints test its argument. */
volatile int sink;

int middle(int n);

__attribute__((noinline)) int leaf(int n)
{
    sink = n;
    return n * 3;
}

__attribute__((noinline)) int inner(int n)
{
    int r = leaf(n + 1);
    return r + leaf(r & 15);
}

__attribute__((noinline)) int outer(int n)
{
    int a = middle(n);
    return a + middle(a & 7);
}

/* The text `find` looks for. */
const char greeting[] = "unwind: the needle in the haystack";

int main(void)
{
    int r = 0;
    for (int i = 0; i < 3; i++) {
        r += outer(i);
    }
    sh_write0(greeting);
    sh_write0(r > 0 ? "\nunwind: done\n" : "\nunwind: wrong\n");
    return 0;
}
