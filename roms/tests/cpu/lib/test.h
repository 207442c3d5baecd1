/*
 * test.h - checks and output for the CPU conformance ROMs (no C library).
 *
 * Every check prints one line through semihosting:
 *     "  ok   <what> = 0x<value>"            or
 *     "  FAIL <what>: got 0x<g>, want 0x<w>"
 * and t_done() prints the summary and gives main's exit status (0 when
 * every check passed, 1 otherwise).  Output must be the same under emu and
 * QEMU: print values, never RAM addresses or machine identification.
 */
#ifndef CPU_TEST_H
#define CPU_TEST_H

#include <stdint.h>
#include <stdarg.h>

/* printf subset: %s %c %d %u %x (8 hex digits) %X (no padding) %%. */
void t_printf(const char *fmt, ...);
void t_vsnprintf(char *buf, int size, const char *fmt, va_list ap);

/* A heading line: "== <text>". */
void t_section(const char *fmt, ...);

/* Check that got == want; the name is formatted like t_printf. Returns 1 if ok. */
int t_eq(uint32_t got, uint32_t want, const char *fmt, ...);
/* Check a condition. */
int t_ok(int cond, const char *fmt, ...);
/* The 64-bit form of t_eq. */
int t_eq64(uint64_t got, uint64_t want, const char *fmt, ...);

/* Print the summary line for ROM `name` and return the exit status. */
int t_done(const char *name);

/* Number of failed checks so far. */
int t_failures(void);

/* Exception vectors (lib/start.S): redirect vector n to a handler. */
enum {
    VEC_UND = 1,
    VEC_SWI = 2,
    VEC_PABT = 3,
    VEC_DABT = 4,
    VEC_IRQ = 6,
    VEC_FIQ = 7,
};
extern void (*exc_hook[8])(void);
void reset_hooks(void);
static inline void set_hook(int vec, void (*fn)(void))
{
    exc_hook[vec] = fn;
}

/* Exit at once with a status (never returns). */
void rom_exit(int status) __attribute__((noreturn));

/* CPSR bits and modes. */
#define PSR_N 0x80000000u
#define PSR_Z 0x40000000u
#define PSR_C 0x20000000u
#define PSR_V 0x10000000u
#define PSR_Q 0x08000000u
#define PSR_I 0x80u
#define PSR_F 0x40u
#define PSR_T 0x20u
#define MODE_USR 0x10u
#define MODE_FIQ 0x11u
#define MODE_IRQ 0x12u
#define MODE_SVC 0x13u
#define MODE_ABT 0x17u
#define MODE_UND 0x1Bu
#define MODE_SYS 0x1Fu

static inline uint32_t get_cpsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

#endif
