/*
 * user.c - the two user programs of vmdemo, alice and bob.
 *
 * They run in User mode, each in its own address space (vmdemo.h), and
 * can reach only their own pages: this file's code and constants, copied
 * by the kernel into each process's text pages (mapped read-only at the
 * addresses it is linked at), the data/stack pages, the book (paged in on
 * demand), the shared page and, for bob, the clock.  So: no global
 * variables, no calls into the kernel's code (not even libgcc: no
 * division), and output only through SYS_PRINT.
 */
#include "vmdemo.h"

#define SH ((struct shared *)U_SHARED)

static uint32_t syscall(uint32_t nr, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = nr;
    register uint32_t r1 __asm__("r1") = arg;
    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void print(const char *s)
{
    syscall(SYS_PRINT, (uint32_t)s);
}

static char *put(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    *p = 0;
    return p;
}

/* Decimal without division. */
static char *put_dec(char *p, uint32_t v)
{
    static const uint32_t pow10[] = {1000000000u, 100000000u, 10000000u, 1000000u, 100000u,
                                     10000u,      1000u,      100u,      10u,      1u};
    int started = 0;
    for (int i = 0; i < 10; i++) {
        char d = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d != '0' || started || i == 9) {
            *p++ = d;
            started = 1;
        }
    }
    *p = 0;
    return p;
}

static char *put_hex(char *p, uint32_t v)
{
    p = put(p, "0x");
    for (int i = 28; i >= 0; i -= 4)
        *p++ = "0123456789abcdef"[(v >> i) & 15];
    *p = 0;
    return p;
}

/* The first line of a text. */
static char *put_line(char *p, const char *s)
{
    while (*s && *s != '\n')
        *p++ = *s++;
    *p = 0;
    return p;
}

static void wait_turn(uint32_t me)
{
    /* Spins until the other process moves; only the timer interrupt
       gets it off the CPU. */
    while (SH->turn != me && !SH->alice_gone)
        ;
}

static void hello(const char *name)
{
    char line[96];
    char *p = put(line, name);
    p = put(p, ": hello! my private word at ");
    p = put_hex(p, U_DATA);
    p = put(p, " holds ");
    put_hex(p, *(volatile uint32_t *)U_DATA);
    print(line);
}

void alice_main(void)
{
    char line[160];
    hello("alice");
    for (uint32_t round = 1; round <= 2; round++) {
        const char *page = (const char *)(U_BOOK + (round - 1) * 0x1000);
        char *p = put(line, "alice: reading page ");
        p = put_dec(p, round);
        p = put(p, " of my book at ");
        put_hex(p, (uint32_t)page);
        print(line);
        p = put(SH->ping, "ping ");
        p = put_dec(p, round);
        p = put(p, ": \"");
        p = put_line(p, page);
        put(p, "\"");
        SH->turn = BOB;
        wait_turn(ALICE);
        p = put(line, "alice: bob answered \"");
        p = put(p, SH->pong);
        put(p, "\"");
        print(line);
    }
    /* The bug: a write to her own code, which is mapped read-only. */
    volatile uint32_t *code = (volatile uint32_t *)(uint32_t)alice_main;
    char *p = put(line, "alice: now let me patch my own code at ");
    put_hex(p, (uint32_t)code);
    print(line);
    *code = 0xE1A00000u; /* NOP */
    print("alice: patched! (this line must never appear)");
    syscall(SYS_EXIT, 1);
}

void bob_main(void)
{
    char line[160];
    hello("bob");
    for (uint32_t round = 1; round <= 2; round++) {
        wait_turn(BOB);
        char *p = put(line, "bob: alice says ");
        p = put(p, SH->ping);
        print(line);
        uint32_t now = *(volatile uint32_t *)U_CLOCK; /* RTCDR */
        p = put(SH->pong, "pong ");
        p = put_dec(p, round);
        p = put(p, ", my clock at ");
        p = put_hex(p, U_CLOCK);
        p = put(p, " reads ");
        put_dec(p, now);
        SH->turn = ALICE;
    }
    while (!SH->alice_gone && SH->turn != BOB)
        ;
    print("bob: alice is gone, the kernel says. Bye!");
    syscall(SYS_EXIT, 0);
}
