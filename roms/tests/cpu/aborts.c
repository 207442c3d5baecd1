/*
 * aborts.c - data and prefetch aborts with the MMU off, on emu only.
 *
 * On the emulated CX a physical address where nothing is mapped answers
 * with an external abort (README.md, "The machine"); the ROM uses
 * addresses no CX device occupies (0x20000000, 0x30000000, 0x60000000,
 * 0x7FFFFFFC, and just past the boot ROM, SDRAM and SRAM): DFSR status
 * 0b1000 and FAR = the address for data aborts,
 * IFSR status 0b1000 and FAR unchanged for prefetch aborts (ARM926EJ-S
 * TRM: the FAR is not updated by prefetch aborts).  QEMU's versatilepb
 * reads such addresses as zero without aborting, so this ROM is not
 * cross-run.  Checked: the return address in lr_abt (instruction + 8 for
 * data aborts, + 4 for prefetch aborts), SPSR and the CPSR on entry, the
 * fault registers, the base-restored abort model of the ARM926EJ-S
 * (an aborted load or store leaves a written-back base unchanged), skip
 * and retry returns in ARM and Thumb state, a prefetch abort reached by
 * running off the end of SDRAM, and a branch whose condition fails.
 */
#include "test.h"

extern volatile uint32_t ab_rec[8], ab_action, ab_fix, ab_at, ab_resume;
enum { R_COUNT, R_LR, R_SPSR, R_CPSR, R_FSR, R_FAR, R_R1 };
extern char __stack_top[];
void dabt_handler(void);
void pabt_handler(void);

typedef uint32_t (*case_fn)(uint32_t);
uint32_t ab_ldr(uint32_t), ab_ldr_pre_wb(uint32_t), ab_ldr_post(uint32_t), ab_str_pre_wb(uint32_t),
    ab_ldrb(uint32_t), ab_strb(uint32_t), ab_ldrh(uint32_t), ab_strh_wb(uint32_t),
    ab_ldrsb(uint32_t), ab_ldrsh(uint32_t), ab_ldrt(uint32_t), ab_ldrd(uint32_t),
    ab_strd_wb(uint32_t), ab_ldm_wb(uint32_t), ab_stm_wb(uint32_t), ab_swp(uint32_t),
    ab_swpb(uint32_t), ab_ldr_value(uint32_t), ab_t_ldr(uint32_t), ab_t_strh(uint32_t),
    ab_t_ldmia(uint32_t), ab_t_ldr_value(uint32_t), ab_p_bx(uint32_t), ab_p_blx(uint32_t),
    ab_p_mov(uint32_t), ab_p_ldr(uint32_t), ab_p_not_taken(uint32_t), ab_p_run_off(void *);

#define SDRAM_END ((uint32_t)(uintptr_t)__stack_top) /* 0x14000000 */

static void clear(void)
{
    for (int i = 0; i < 8; i++)
        ab_rec[i] = 0;
}

struct dcase {
    const char *name;
    case_fn fn;
    uint32_t addr;   /* r1 */
    uint32_t far;    /* expected FAR */
    int thumb;
};

static void data_case(const struct dcase *c)
{
    clear();
    ab_action = 0;
    uint32_t base_after = c->fn(c->addr);
    uint32_t lr = ab_at + 8;
    t_eq(ab_rec[R_COUNT], 1, "%s: data abort taken", c->name);
    t_eq(ab_rec[R_LR], lr, "%s: lr_abt = instruction + 8", c->name);
    t_eq(ab_rec[R_FSR] & 0xF, 0x8, "%s: DFSR status external abort", c->name);
    t_eq(ab_rec[R_FAR], c->far, "%s: FAR", c->name);
    t_eq(ab_rec[R_SPSR] & 0xFF, c->thumb ? 0xF3 : 0xD3, "%s: SPSR mode, I, F, T", c->name);
    t_eq(ab_rec[R_CPSR] & 0xFF, 0xD7, "%s: CPSR on entry: ABT, I, F, ARM", c->name);
    t_eq(base_after, c->addr, "%s: base register unchanged (base restored)", c->name);
}

static void test_data(void)
{
    const uint32_t a = 0x20000000, b = 0x30000000;
    const struct dcase cases[] = {
        { "LDR r0, [r1]", ab_ldr, a, a, 0 },
        { "LDR r0, [r1] (0x30000000)", ab_ldr, b, b, 0 },
        { "LDR r0, [r1] (0x60000000)", ab_ldr, 0x60000000, 0x60000000, 0 },
        { "LDR r0, [r1] (0x7FFFFFFC)", ab_ldr, 0x7FFFFFFC, 0x7FFFFFFC, 0 },
        { "LDR r0, [r1] (past the boot ROM)", ab_ldr, 0x00080000, 0x00080000, 0 },
        { "LDR r0, [r1] (past SDRAM)", ab_ldr, SDRAM_END, SDRAM_END, 0 },
        { "LDR r0, [r1] (past SRAM)", ab_ldr, 0xA4020000, 0xA4020000, 0 },
        { "LDR r0, [r1, #4]!", ab_ldr_pre_wb, a, a + 4, 0 },
        { "LDR r0, [r1], #4", ab_ldr_post, a, a, 0 },
        { "STR r0, [r1, #-4]!", ab_str_pre_wb, a + 4, a, 0 },
        { "LDRB r0, [r1, #3]", ab_ldrb, a, a + 3, 0 },
        { "STRB r0, [r1, #1]", ab_strb, a, a + 1, 0 },
        { "LDRH r0, [r1, #2]", ab_ldrh, a, a + 2, 0 },
        { "STRH r0, [r1, #2]!", ab_strh_wb, a, a + 2, 0 },
        { "LDRSB r0, [r1]", ab_ldrsb, a, a, 0 },
        { "LDRSH r0, [r1]", ab_ldrsh, a, a, 0 },
        { "LDRT r0, [r1]", ab_ldrt, a, a, 0 },
        { "LDRD r4, r5, [r1]", ab_ldrd, a, a, 0 },
        { "STRD r4, r5, [r1, #8]!", ab_strd_wb, a, a + 8, 0 },
        { "LDMIA r1!, {r4-r7}", ab_ldm_wb, a, a, 0 },
        { "LDMIA r1!, {r4-r7} across the end of SDRAM", ab_ldm_wb, SDRAM_END - 8, SDRAM_END, 0 },
        { "STMDB r1!, {r4-r7}", ab_stm_wb, a + 16, a, 0 },
        { "SWP r0, r2, [r1]", ab_swp, a, a, 0 },
        { "SWPB r0, r2, [r1]", ab_swpb, a + 1, a + 1, 0 },
        { "Thumb LDR r0, [r1, #4]", ab_t_ldr, a, a + 4, 1 },
        { "Thumb STRH r0, [r1, #2]", ab_t_strh, a, a + 2, 1 },
        { "Thumb LDMIA r1!, {r2, r3}", ab_t_ldmia, a, a, 1 },
    };
    t_section("data aborts: entry, fault registers, base restored, skip");
    set_hook(VEC_DABT, dabt_handler);
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        data_case(&cases[i]);

    t_section("data aborts: retry after the handler fixes the base");
    static uint32_t good = 0x600DF00D;
    clear();
    ab_action = 1;
    ab_fix = (uint32_t)(uintptr_t)&good;
    t_eq(ab_t_ldr_value(a), 0x600DF00D, "Thumb LDR retried with a good base");
    t_eq(ab_rec[R_COUNT], 1, "Thumb: one abort, then the retry succeeds");
    t_eq(ab_rec[R_R1], a, "Thumb: handler saw the bad base in r1");
    clear();
    t_eq(ab_ldr_value(a), 0x600DF00D, "ARM LDR retried with a good base");
    t_eq(ab_rec[R_COUNT], 1, "ARM: one abort, then the retry succeeds");
    t_eq(ab_rec[R_LR], ab_at + 8, "ARM: lr_abt = instruction + 8");
    ab_action = 0;
    reset_hooks();
}

static void prefetch_case(const char *name, uint32_t (*fn)(uint32_t), uint32_t target)
{
    clear();
    __asm__ volatile("mcr p15, 0, %0, c6, c0, 0" ::"r"(0x0FA0FA00)); /* FAR = a marker */
    uint32_t r0 = fn(target);
    t_eq(ab_rec[R_COUNT], 1, "%s: prefetch abort taken", name);
    t_eq(ab_rec[R_LR], (target & ~1u) + 4, "%s: lr_abt = target + 4", name);
    t_eq(ab_rec[R_FSR] & 0xF, 0x8, "%s: IFSR status external abort", name);
    t_eq(ab_rec[R_FAR], 0x0FA0FA00, "%s: FAR not changed by a prefetch abort", name);
    t_eq(ab_rec[R_SPSR] & 0xFF, (target & 1) ? 0xF3 : 0xD3, "%s: SPSR (T from the target)", name);
    t_eq(ab_rec[R_CPSR] & 0xFF, 0xD7, "%s: CPSR on entry: ABT, I, F, ARM", name);
    t_eq(r0, 0x11, "%s: resumed with the registers as they were", name);
}

static void test_prefetch(void)
{
    t_section("prefetch aborts");
    set_hook(VEC_PABT, pabt_handler);
    prefetch_case("BX to 0x20000000", ab_p_bx, 0x20000000);
    prefetch_case("BX to 0x20000001 (Thumb)", ab_p_bx, 0x20000001);
    prefetch_case("BLX to 0x30000000", ab_p_blx, 0x30000000);
    prefetch_case("MOV pc to 0x60000000", ab_p_mov, 0x60000000);
    prefetch_case("LDR pc to 0x20000001 (Thumb)", ab_p_ldr, 0x20000001);
    prefetch_case("BX past the boot ROM", ab_p_bx, 0x00080000);

    clear();
    t_eq(ab_p_not_taken(0x20000000), 0x22, "BXNE to a bad address, condition false: no abort");
    t_eq(ab_rec[R_COUNT], 0, "BXNE not taken: no abort");

    /* mov r0, #1; add r0, r0, #1 in the last 8 bytes of SDRAM, then the
       fetch at the first address after it aborts. */
    volatile uint32_t *top = (volatile uint32_t *)(uintptr_t)(SDRAM_END - 8);
    top[0] = 0xE3A00001;
    top[1] = 0xE2800001;
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 4\n\tmcr p15, 0, %0, c7, c5, 0" ::"r"(0) : "memory");
    clear();
    uint32_t r0 = ab_p_run_off((void *)(uintptr_t)(SDRAM_END - 8));
    t_eq(r0, 2, "code at the end of SDRAM ran both its instructions");
    t_eq(ab_rec[R_COUNT], 1, "running off the end of SDRAM: prefetch abort");
    t_eq(ab_rec[R_LR], SDRAM_END + 4, "running off the end: lr_abt = end + 4");
    reset_hooks();
}

int main(void)
{
    test_data();
    test_prefetch();
    return t_done("aborts");
}
