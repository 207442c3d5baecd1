/* unwind_thumb.c - the Thumb link of unwind.c's chain of calls (built with -mthumb). */

int inner(int n);

__attribute__((noinline)) int middle(int n)
{
    int x = inner(n);
    return x * 2 + inner(x & 7);
}
