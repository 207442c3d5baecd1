/*
 * swp.c - SWP and SWPB (ARM ARM A4 "SWP", "SWPB"): the old value comes
 * back, the new one is stored, Rd == Rm is allowed, SWPB zero-extends
 * and writes one byte only, a failed condition does nothing.  Word
 * addresses are aligned (ARMv5 rotates an unaligned SWP's result; QEMU
 * raises an alignment fault instead, so that is left out).
 */
#include "test.h"

static uint32_t swp(volatile uint32_t *p, uint32_t v)
{
    uint32_t old;
    __asm__ volatile("swp %0, %2, [%1]" : "=&r"(old) : "r"(p), "r"(v) : "memory");
    return old;
}

static uint32_t swp_same(volatile uint32_t *p, uint32_t v)
{
    __asm__ volatile("swp %0, %0, [%1]" : "+r"(v) : "r"(p) : "memory");
    return v;
}

static uint32_t swpb(volatile uint8_t *p, uint32_t v)
{
    uint32_t old;
    __asm__ volatile("swpb %0, %2, [%1]" : "=&r"(old) : "r"(p), "r"(v) : "memory");
    return old;
}

static uint32_t swp_cond_fail(volatile uint32_t *p, uint32_t v)
{
    uint32_t old = 0x5555AAAA;
    __asm__ volatile("cmp %1, %1\n\tswpne %0, %2, [%1]" : "+r"(old) : "r"(p), "r"(v) : "memory", "cc");
    return old;
}

int main(void)
{
    static volatile uint32_t w[4];

    t_section("SWP");
    w[0] = 0x01234567;
    w[1] = 0x89ABCDEF;
    t_eq(swp(&w[1], 0xCAFEF00D), 0x89ABCDEF, "SWP: Rd = old memory");
    t_eq(w[1], 0xCAFEF00D, "SWP: memory = Rm");
    t_eq(w[0], 0x01234567, "SWP: the word before untouched");
    t_eq(swp_same(&w[1], 0x13579BDF), 0xCAFEF00D, "SWP r, r, [rn] (Rd == Rm): Rd = old memory");
    t_eq(w[1], 0x13579BDF, "SWP r, r, [rn] (Rd == Rm): memory = the register's old value");
    t_eq(swp_cond_fail(&w[1], 0), 0x5555AAAA, "SWPNE, condition false: Rd unchanged");
    t_eq(w[1], 0x13579BDF, "SWPNE, condition false: memory unchanged");

    t_section("SWPB");
    static const uint32_t seeds[4] = { 0x80, 0x7F, 0xFF, 0x01 };
    for (uint32_t i = 0; i < 4; i++) {
        w[2] = 0xF1E2D3C4;
        uint32_t old = (0xF1E2D3C4 >> (8 * i)) & 0xFF;
        uint32_t want_word = (0xF1E2D3C4 & ~(0xFFu << (8 * i))) | (seeds[i] << (8 * i));
        t_eq(swpb((volatile uint8_t *)&w[2] + i, 0xABCDEF00 | seeds[i]), old,
             "SWPB byte %u: Rd = old byte, zero-extended", i);
        t_eq(w[2], want_word, "SWPB byte %u: only that byte replaced by Rm[7:0]", i);
    }
    return t_done("swp");
}
