/* reloc_thumb.c - ordinary Thumb code (no -fPIC): a function the relocated
 * pointers call, and an address from a Thumb literal pool. */
#include "reloc.h"

int thumb_triple(int x) { return 3 * x; }
int *thumb_addr_counter(void) { return &counter; }
