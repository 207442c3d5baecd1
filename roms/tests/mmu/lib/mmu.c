/*
 * mmu.c - page tables and checks for the MMU conformance ROMs (mmu.h).
 */
#include "mmu.h"

#include <stdarg.h>

uint32_t mmu_l1[4096] __attribute__((aligned(16384)));

/* The frame pool: two 1 MiB frames for sections, then 1 MiB handed out
   in naturally aligned blocks. */
#define POOL_SIZE (3u << 20)
static uint8_t pool[POOL_SIZE] __attribute__((aligned(1 << 20)));
static uint32_t pool_next = 2u << 20;

void dabt_hook(void);
void pabt_hook(void);
void swi_hook(void);
extern void (*saved_hooks[8])(void);

void mmu_flat(uint32_t *l1)
{
    for (uint32_t i = 0; i < 4096; i++)
        l1[i] = L1_SECTION(i << 20, AP_3, 0);
}

void mmu_init(void)
{
    for (int i = 0; i < 8; i++)
        saved_hooks[i] = exc_hook[i];
    set_hook(VEC_DABT, dabt_hook);
    set_hook(VEC_PABT, pabt_hook);
    set_hook(VEC_SWI, swi_hook);
    mmu_flat(mmu_l1);
    cp15_set_dacr(0x55555555u);
    cp15_set_ttbr((uint32_t)mmu_l1);
    tlb_inv_all();
    cp15_set_control(cp15_control() | CR_M);
}

uint32_t frame_1m(int n)
{
    return (uint32_t)pool + ((uint32_t)n << 20);
}

uint32_t frame_alloc(uint32_t size)
{
    uint32_t base = (uint32_t)pool;
    pool_next = (pool_next + size - 1) & ~(size - 1);
    uint32_t at = base + pool_next;
    pool_next += size;
    if (pool_next > POOL_SIZE) {
        t_printf("frame pool exhausted\n");
        rom_exit(2);
    }
    for (uint32_t i = 0; i < size; i += 4)
        wr32(at + i, 0);
    return at;
}

void set_l1(uint32_t *l1, uint32_t va, uint32_t desc)
{
    l1[va >> 20] = desc;
}

void set_coarse(uint32_t table, uint32_t va, uint32_t desc)
{
    uint32_t i = (va >> 12) & 0xFF;
    uint32_t n = 1;
    if ((desc & 3) == 1) { /* large page: 16 entries */
        i &= ~15u;
        n = 16;
    }
    for (uint32_t k = 0; k < n; k++)
        wr32(table + 4 * (i + k), desc);
}

void set_fine(uint32_t table, uint32_t va, uint32_t desc)
{
    uint32_t i = (va >> 10) & 0x3FF;
    uint32_t n = 1;
    if ((desc & 3) == 1) { /* large page: 64 entries */
        i &= ~63u;
        n = 64;
    } else if ((desc & 3) == 2) { /* small page: 4 entries */
        i &= ~3u;
        n = 4;
    }
    for (uint32_t k = 0; k < n; k++)
        wr32(table + 4 * (i + k), desc);
}

void put_code(uint32_t pa, const uint32_t *insns, int n)
{
    for (int i = 0; i < n; i++)
        wr32(pa + 4 * (uint32_t)i, insns[i]);
    sync_code();
}

void put_ret(uint32_t pa, uint32_t imm8)
{
    const uint32_t code[2] = {0xE3A00000u | (imm8 & 0xFF), 0xE12FFF1Eu};
    put_code(pa, code, 2);
}

void abt_clear(void)
{
    abt.count = 0;
    abt.vec = 0;
    abt.lr = 0;
    abt.spsr = 0;
    abt.cpsr = 0;
    abt.fsr = 0;
    abt.far = 0;
}

uint32_t try_read(uint32_t (*probe)(uint32_t), uint32_t addr, uint32_t *value)
{
    abt_clear();
    uint32_t v = probe(addr);
    if (value)
        *value = v;
    return abt.count ? abt.fsr : 0;
}

uint32_t try_write(void (*probe)(uint32_t, uint32_t), uint32_t addr, uint32_t value)
{
    abt_clear();
    probe(addr, value);
    return abt.count ? abt.fsr : 0;
}

uint32_t user_read(uint32_t addr, uint32_t *value)
{
    abt_clear();
    uint32_t v = run_user(addr, 0, (const void *)p_ldr);
    if (value)
        *value = v;
    return abt.count ? abt.fsr : 0;
}

uint32_t user_write(uint32_t addr, uint32_t value)
{
    abt_clear();
    run_user(addr, value, (const void *)p_str);
    return abt.count ? abt.fsr : 0;
}

const char *fsr_name(uint32_t fsr)
{
    switch (fsr & 0xF) {
    case 0:
        return "no abort";
    case FS_ALIGN:
    case 3:
        return "alignment fault";
    case FS_EXT_L1:
        return "external abort on translation (first level)";
    case FS_EXT_L2:
        return "external abort on translation (second level)";
    case FS_TRANS_SEC:
        return "translation fault (section)";
    case FS_TRANS_PAGE:
        return "translation fault (page)";
    case FS_DOM_SEC:
        return "domain fault (section)";
    case FS_DOM_PAGE:
        return "domain fault (page)";
    case FS_PERM_SEC:
        return "permission fault (section)";
    case FS_PERM_PAGE:
        return "permission fault (page)";
    case FS_EXT:
        return "external abort";
    default:
        return "unknown fault";
    }
}

int check_access(uint32_t fsr, uint32_t want_fsr, uint32_t want_far, const char *at,
                 const char *fmt, ...)
{
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    int ok = t_eq(fsr, want_fsr, "%s: %s", name, fsr_name(want_fsr));
    if (want_fsr != 0 && fsr != 0) {
        ok &= t_eq(abt.far, want_far, "%s: FAR", name);
        if (at)
            ok &= t_eq(abt.lr - (uint32_t)at, 8, "%s: lr_abt - instruction", name);
    }
    return ok;
}
