/* reloc_abs.c - ordinary ARM code (no -fPIC): the addresses it returns come from
 * literal pools, R_ARM_ABS32 words in .text (Zehn ADD_BASE). */
#include "reloc.h"

extern int nowhere __attribute__((weak));      /* never defined */

__attribute__((noinline)) int twice(int x) { return 2 * x; }
int *abs_addr_counter(void) { return &counter; }
const char *abs_greeting(void) { return greeting; }
int (*abs_twice(void))(int) { return twice; }
int *abs_nowhere(void) { return &nowhere; }
