/* reloc.h - what the relocation test's files (reloc_*.c) share.
 *
 * reloc_checks.c and the library are position-independent (-fPIE, hidden
 * symbols: PC-relative addresses), so that the checks print even when the
 * loader relocates nothing; reloc_abs.c (ARM) and reloc_thumb.c (Thumb) are
 * ordinary code whose literal pools hold absolute addresses (ADD_BASE);
 * reloc_pic.c is -fPIC code that reaches these symbols through the GOT
 * (ADD_BASE_GOT, SET_ZERO), so it sees them with default visibility. */
#ifndef RELOC_H
#define RELOC_H

#if defined(__PIC__) && !defined(__PIE__)
#pragma GCC visibility push(default)
#else
#pragma GCC visibility push(hidden)
#endif

extern int counter;                     /* 0x11223344 */
extern const char greeting[];           /* "hello, relocations" */
int twice(int x);                       /* ARM (reloc_abs.c) */
int thumb_triple(int x);                /* Thumb (reloc_thumb.c) */

/* reloc_abs.c and reloc_thumb.c: addresses from literal pools. */
int *abs_addr_counter(void);
const char *abs_greeting(void);
int (*abs_twice(void))(int);
int *abs_nowhere(void);                 /* an undefined weak variable: 0 */
int *thumb_addr_counter(void);

/* reloc_pic.c: through the GOT. */
int pic_read_counter(void);
int *pic_addr_counter(void);
int (*pic_twice(void))(int);
int (*pic_thumb_triple(void))(int);
int *pic_nowhere_addr(void);            /* an undefined weak variable */
void (*pic_missing_fn(void))(void);     /* an undefined weak function */
int pic_local(void);                    /* static data, GOT-relative (no GOT slot) */
int pic_square(int x);

/* The checks relocs and compressed share (reloc_checks.c). */
void reloc_checks(void);

#pragma GCC visibility pop

#endif
