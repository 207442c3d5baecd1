/*
 * vmdemo.h - what the kernel (kernel.c, entry.S) and the two user programs
 * (user.c) agree on: the user address space, the shared page and the
 * system calls.
 */
#ifndef VMDEMO_H
#define VMDEMO_H

#include <stdint.h>

/* The user half of every address space (both processes see the same
   layout; the frames behind it are their own, except the shared page). */
#define U_DATA 0x00500000u   /* 2 pages, read/write: private data, the stack */
#define U_STACK_TOP (U_DATA + 0x2000u)
#define U_BOOK 0x00600000u   /* 4 pages, paged in on demand from "swap" */
#define U_BOOK_PAGES 4u
#define U_SHARED 0x00700000u /* 1 page, the same frame in both spaces */
#define U_CLOCK 0x00800000u  /* bob only: the RTC, read-only */

/* The shared page. */
enum { ALICE = 1, BOB = 2 };
struct shared {
    volatile uint32_t turn;       /* whose move it is: ALICE or BOB */
    volatile uint32_t alice_gone; /* set by the kernel when it kills alice */
    char ping[96];                /* alice -> bob */
    char pong[96];                /* bob -> alice */
};

/* System calls: SVC #0 with the number in r0, the argument in r1. */
#define SYS_PRINT 1 /* r1 = NUL-terminated string */
#define SYS_EXIT 2  /* r1 = status */

void alice_main(void);
void bob_main(void);

#endif
