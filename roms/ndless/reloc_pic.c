/* reloc_pic.c - compiled with -fPIC: globals through the GOT (ADD_BASE_GOT),
 * undefined weak symbols through GOT slots that must read 0 (SET_ZERO). */
#include "reloc.h"

extern int pic_nowhere __attribute__((weak));
extern void pic_nowhere_fn(void) __attribute__((weak));
static int local = 0x5eed;

int pic_read_counter(void) { return counter; }
int *pic_addr_counter(void) { return &counter; }
int (*pic_twice(void))(int) { return twice; }
int (*pic_thumb_triple(void))(int) { return thumb_triple; }
int *pic_nowhere_addr(void) { return &pic_nowhere; }
void (*pic_missing_fn(void))(void) { return pic_nowhere_fn; }
int pic_local(void) { return *(volatile int *)&local; }
int pic_square(int x) { return x * x; }
