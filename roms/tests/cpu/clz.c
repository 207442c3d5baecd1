/*
 * clz.c - CLZ (ARM ARM A4 "CLZ"): every single-bit value, 0, all ones,
 * and 2000 pseudo-random values (each also shifted right by its own
 * count, so every result 0..32 appears) against a loop in C; CLZ leaves
 * the flags alone and a failed condition does nothing.
 */
#include "test.h"

static uint32_t clz(uint32_t v)
{
    uint32_t r;
    __asm__("clz %0, %1" : "=r"(r) : "r"(v));
    return r;
}

/* Reference: count from the top, one bit at a time. */
static uint32_t model(uint32_t v)
{
    uint32_t n = 0;
    for (uint32_t bit = 0x80000000u; bit != 0 && (v & bit) == 0; bit >>= 1)
        n++;
    return n;
}

int main(void)
{
    t_section("CLZ");
    t_eq(clz(0), 32, "clz(0)");
    t_eq(clz(0xFFFFFFFF), 0, "clz(0xffffffff)");
    t_eq(clz(1), 31, "clz(1)");
    t_eq(clz(0x00010000), 15, "clz(0x00010000)");
    t_eq(clz(0x80000000), 0, "clz(0x80000000)");
    t_eq(clz(0x7FFFFFFF), 1, "clz(0x7fffffff)");

    uint32_t bad = 0;
    for (uint32_t n = 0; n < 32; n++) {
        if (clz(1u << n) != 31 - n)
            bad++;
        if (clz((1u << n) | 1) != 31 - n)
            bad++;
        if (clz(0xFFFFFFFFu >> n) != n)
            bad++;
    }
    t_eq(bad, 0, "clz of 1<<n, (1<<n)|1 and 0xffffffff>>n for n = 0..31");

    uint32_t x = 0x2545F491, sum = 0, counts = 0;
    bad = 0;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint32_t v = x >> (x & 31);
        if (clz(v) != model(v))
            bad++;
        sum += clz(v);
        counts |= 1u << (clz(v) & 31);
    }
    t_eq(bad, 0, "2000 pseudo-random values against a bit loop");
    t_eq(counts, 0xFFFFFFFF, "the values covered every count 0..31");
    t_printf("  (sum of the 2000 counts: %u)\n", sum);

    uint32_t psr, r = 77;
    __asm__ volatile("msr cpsr_f, #0xa0000000\n\t"
                     "clz %0, %2\n\t"
                     "mrs %1, cpsr\n\t"
                     "msr cpsr_f, #0"
                     : "=&r"(r), "=&r"(psr)
                     : "r"(0)
                     : "cc");
    t_eq(psr & 0xF8000000, 0xA0000000, "CLZ leaves NZCVQ alone");
    r = 77;
    __asm__ volatile("cmp %1, %1\n\tclzne %0, %1" : "+r"(r) : "r"(5) : "cc");
    t_eq(r, 77, "CLZNE, condition false: Rd unchanged");
    return t_done("clz");
}
