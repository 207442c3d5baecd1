/*
 * mmu.c - translation tables for the ARM926EJ-S's MMU (kit.h).
 *
 * ARMv5 short descriptors (ARM Architecture Reference Manual, ARMv5 edition,
 * B4): the first-level table has 4096 word entries, one per MiB of virtual
 * space; an entry is a section (bits 1:0 = 10: 1 MiB at once) or points to
 * a coarse table (bits 1:0 = 01) of 256 entries, one per 4 KiB small page
 * (bits 1:0 = 10).  Bit 4 of first-level entries should be 1 on the
 * ARM926EJ-S.  Every mapping here is in domain 0, uncached and unbuffered.
 */
#include "kit.h"

#define L1_SECTION 0x2u
#define L1_COARSE  0x1u
#define L1_BIT4    0x10u
#define L2_SMALL   0x2u
#define AP_RW      3u /* read/write in every mode */
#define AP_RO_USER 2u /* read/write privileged, read-only in User mode */
#define COARSE_TABLES 8

static uint32_t l1[4096] __attribute__((aligned(16384)));
static uint32_t coarse[COARSE_TABLES][256] __attribute__((aligned(1024)));
static int coarse_used;

static uint32_t ap(uint32_t flags)
{
    return (flags & MMU_READONLY) ? AP_RO_USER : AP_RW;
}

void mmu_map_sections(uint32_t va, uint32_t pa, uint32_t size, uint32_t flags)
{
    uint32_t first = va >> 20;
    uint32_t count = (size + 0xFFFFF) >> 20;
    for (uint32_t i = 0; i < count && first + i < 4096; i++)
        l1[first + i] = ((pa >> 20) + i) << 20 | ap(flags) << 10 | L1_BIT4 | L1_SECTION;
}

void mmu_unmap_sections(uint32_t va, uint32_t size)
{
    uint32_t first = va >> 20;
    uint32_t count = (size + 0xFFFFF) >> 20;
    for (uint32_t i = 0; i < count && first + i < 4096; i++)
        l1[first + i] = 0;
}

bool mmu_map_page(uint32_t va, uint32_t pa, uint32_t flags)
{
    uint32_t *entry = &l1[va >> 20];
    uint32_t *table;
    if ((*entry & 3) == L1_COARSE) {
        table = (uint32_t *)(*entry & 0xFFFFFC00u);
    } else if ((*entry & 3) == 0) {
        if (coarse_used == COARSE_TABLES)
            return false;
        table = coarse[coarse_used++];
        memset(table, 0, sizeof coarse[0]);
        *entry = (uint32_t)table | L1_BIT4 | L1_COARSE;
    } else {
        return false;
    }
    uint32_t a = ap(flags);
    table[(va >> 12) & 255] = (pa & 0xFFFFF000u) | a << 10 | a << 8 | a << 6 | a << 4 | L2_SMALL;
    return true;
}

void mmu_map_identity(void)
{
    mmu_map_sections(CX_ROM, CX_ROM, 0x00100000, 0);
    mmu_map_sections(CX_SDRAM, CX_SDRAM, CX_SDRAM_SIZE, 0);
    mmu_map_sections(CX_SRAM, CX_SRAM, 0x00100000, 0);
    mmu_map_sections(0x90000000u, 0x90000000u, 0x00200000, 0); /* APB devices */
    mmu_map_sections(CX_LCD, CX_LCD, 0x00100000, 0);
    mmu_map_sections(CX_VIC, CX_VIC, 0x00100000, 0);
}

void mmu_enable(void)
{
    uint32_t ctrl;
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" : : "r"(l1) : "memory");   /* TTBR */
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" : : "r"(1) : "memory");    /* DACR: D0 client */
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" : : "r"(0) : "memory");    /* TLBs */
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(ctrl));
    ctrl |= 1;                                                               /* M */
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tnop\n\tnop" : : "r"(ctrl) : "memory");
}

void mmu_disable(void)
{
    uint32_t ctrl;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(ctrl));
    ctrl &= ~1u;
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tnop\n\tnop" : : "r"(ctrl) : "memory");
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" : : "r"(0) : "memory");
}

uint32_t mmu_walk(uint32_t va)
{
    uint32_t e = l1[va >> 20];
    switch (e & 3) {
    case L1_SECTION:
        return (e & 0xFFF00000u) | (va & 0x000FFFFFu);
    case L1_COARSE: {
        uint32_t p = ((uint32_t *)(e & 0xFFFFFC00u))[(va >> 12) & 255];
        if ((p & 3) == L2_SMALL)
            return (p & 0xFFFFF000u) | (va & 0xFFFu);
        return 0xFFFFFFFFu;
    }
    default:
        return 0xFFFFFFFFu;
    }
}
