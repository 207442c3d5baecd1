/* flatmmu.c - see flatmmu.h. */
#include <stdint.h>

#include "flatmmu.h"

/* The first-level table: 4096 words, aligned to 16 KiB (ARM ARM B4.7.5). */
static uint32_t l1_table[4096] __attribute__((aligned(16384)));

void flat_mmu_on(void)
{
    for (uint32_t i = 0; i < 4096; i++) {
        /* Section descriptor: base, AP=11 (read/write for all), domain 0,
         * cacheable and bufferable, type 0b10. */
        l1_table[i] = (i << 20) | (3u << 10) | (1u << 3) | (1u << 2) | 2u;
    }
    uint32_t control;
    __asm__ volatile(
        "mcr p15, 0, %1, c2, c0, 0\n"   /* TTBR */
        "mcr p15, 0, %2, c3, c0, 0\n"   /* DACR: domain 0 is a client */
        "mov r0, #0\n"
        "mcr p15, 0, r0, c8, c7, 0\n"   /* invalidate the TLBs */
        "mrc p15, 0, %0, c1, c0, 0\n"
        "orr %0, %0, #1\n"              /* M */
        "mcr p15, 0, %0, c1, c0, 0\n"
        : "=&r"(control)
        : "r"(l1_table), "r"(1u)
        : "r0", "memory");
}
