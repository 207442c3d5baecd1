/*
 * exceptions.c - entry into and return from every exception the CPU can
 * raise on its own (ARM ARM A2.6): SWI (ARM and Thumb, the number fetched
 * from the instruction, from User and every privileged mode, with I/F
 * masks), undefined instructions (ARM UDF space, Thumb 0xDExx, absent
 * coprocessors, an "emulated" instruction, an SWI nested in the handler),
 * BKPT (prefetch abort vector, ARM and Thumb), and the exception-return
 * instructions MOVS pc, SUBS pc and LDM {..pc}^, also into Thumb code and
 * other modes.  Data and prefetch aborts are in aborts.c (emu only); IRQ
 * and FIQ need a device that raises them and are not tested yet.
 */
#include "test.h"

extern volatile uint32_t exc_rec[8];
enum { R_COUNT, R_LR, R_SPSR, R_CPSR, R_NUM, R_INNER_SPSR, R_OUTER_LR };

void swi_handler(void);
void swi_handler_ldm(void);
void und_handler(void);
void und_emulate(void);
void und_nested(void);
void bkpt_handler(void);
void bkpt_handler_ldm(void);

void ex_swi_arm(uint32_t out[2], uint32_t flags);
void ex_swi_arm_max(uint32_t out[2], uint32_t flags);
void ex_swi_arm_ab(uint32_t out[2], uint32_t flags);
void ex_swi_thumb(uint32_t out[2], uint32_t flags);
uint32_t ex_swi_result(uint32_t a, uint32_t b);
void ex_swi_from_user(uint32_t out[3]);
void ex_swi_masks(uint32_t out[1], uint32_t cpsr_c);
uint32_t ex_swi_from_mode(uint32_t mode);
void ex_udf_arm(uint32_t out[2], uint32_t flags);
void ex_udf_thumb(uint32_t out[2], uint32_t flags);
uint32_t ex_cdp(void);
uint32_t ex_mrc_p5(void);
void ex_udf_emulated(uint32_t out[2]);
uint32_t ex_udf_nested(void);
void ex_bkpt_arm(uint32_t out[2], uint32_t flags);
void ex_bkpt_thumb(uint32_t out[2], uint32_t flags);
uint32_t ex_movs_to_thumb(void);
uint32_t ex_subs_to_sys(void);
uint32_t ex_ldm_return_flags(void);

extern char ex_ret_swi_arm[], ex_ret_swi_arm_max[], ex_ret_swi_arm_ab[], ex_ret_swi_thumb[], ex_ret_swi_user[];
extern char ex_at_udf_arm[], ex_at_udf_thumb[], ex_at_cdp[], ex_at_mrc_p5[];
extern char ex_at_udf_emulated[], ex_at_bkpt_arm[], ex_at_bkpt_thumb[];

static uint32_t addr(const void *p)
{
    return (uint32_t)(uintptr_t)p & ~1u;
}

/* The PSR bits ARMv5 defines: N Z C V Q, I F T, mode.  The others are
   reserved (QEMU sets bit 8, the ARMv6 A bit, in the CPSR at reset). */
#define PSR_V5 0xF80000FFu

static void clear_rec(void)
{
    for (int i = 0; i < 8; i++)
        exc_rec[i] = 0;
}

/* The checks every exception shares: one entry, lr, SPSR, CPSR on entry,
   the CPSR after the return and the registers kept. */
static void check_entry(const char *what, uint32_t lr, uint32_t spsr, uint32_t cpsr_in,
                        const uint32_t *out)
{
    t_eq(exc_rec[R_COUNT], 1, "%s: handler entered once", what);
    t_eq(exc_rec[R_LR], lr, "%s: lr on entry", what);
    t_eq(exc_rec[R_SPSR] & PSR_V5, spsr, "%s: SPSR on entry", what);
    t_eq(exc_rec[R_CPSR] & PSR_V5, cpsr_in, "%s: CPSR on entry", what);
    if (out) {
        t_eq(out[0] & PSR_V5, spsr & ~PSR_T, "%s: CPSR after return", what);
        t_eq(out[1], 1, "%s: r0-r3, r12 unchanged", what);
    }
}

static void test_swi(void)
{
    uint32_t out[3];

    t_section("SWI from ARM state, SVC mode");
    set_hook(VEC_SWI, swi_handler);
    clear_rec();
    ex_swi_arm(out, PSR_N | PSR_Z | PSR_C | PSR_V | PSR_Q);
    check_entry("SVC #0x42", addr(ex_ret_swi_arm), 0xF80000D3, 0xF80000D3, out);
    t_eq(exc_rec[R_NUM], 0x42, "SVC #0x42: number from [lr-4] bits 23:0");
    clear_rec();
    ex_swi_arm_max(out, PSR_Z | PSR_V);
    check_entry("SVC #0xFFFFFF", addr(ex_ret_swi_arm_max), 0x500000D3, 0x500000D3, out);
    t_eq(exc_rec[R_NUM], 0xFFFFFF, "SVC #0xFFFFFF: number");
    clear_rec();
    ex_swi_arm_ab(out, PSR_C);
    check_entry("ARM SVC #0xAB (semihosting only in Thumb)", addr(ex_ret_swi_arm_ab), 0x200000D3,
                0x200000D3, out);
    t_eq(exc_rec[R_NUM], 0xAB, "ARM SVC #0xAB: number");

    t_section("SWI from Thumb state");
    clear_rec();
    ex_swi_thumb(out, PSR_N | PSR_C | PSR_Q);
    check_entry("Thumb SVC #0x99", addr(ex_ret_swi_thumb), 0xA80000F3, 0xA80000D3, out);
    t_eq(exc_rec[R_NUM], 0x99, "Thumb SVC #0x99: number from [lr-2] bits 7:0");

    t_section("SWI returning by LDMFD sp!, {..., pc}^ with a result");
    set_hook(VEC_SWI, swi_handler_ldm);
    clear_rec();
    t_eq(ex_swi_result(1234, 4321), 5555, "SVC #2: r0 = r0 + r1 from the handler");
    t_eq(exc_rec[R_COUNT], 1, "SVC #2: handler entered once");
    t_eq(exc_rec[R_NUM], 2, "SVC #2: number");
    set_hook(VEC_SWI, swi_handler);

    t_section("SWI from User mode");
    clear_rec();
    ex_swi_from_user(out);
    t_eq(out[0] & 0xFF, 0xD0, "User mode: MSR CPSR_c cannot leave User mode");
    t_eq(exc_rec[R_LR], addr(ex_ret_swi_user), "SVC #1 from User: lr");
    t_eq(exc_rec[R_SPSR] & 0xFF, 0xD0, "SVC #1 from User: SPSR mode User");
    t_eq(exc_rec[R_CPSR] & 0xFF, 0xD3, "SVC #1 from User: CPSR on entry SVC");
    t_eq(out[1] & 0xFF, 0xD3, "SVC #1 handler returned into SVC mode");
    t_eq(out[2], 0, "back in SVC mode with the SVC stack pointer");

    t_section("SWI with IRQ/FIQ unmasked: I set on entry, F unchanged");
    static const uint32_t masks[3] = { 0x13, 0x53, 0x93 };
    for (int i = 0; i < 3; i++) {
        clear_rec();
        ex_swi_masks(out, masks[i]);
        t_eq(exc_rec[R_SPSR] & 0xFF, masks[i], "CPSR_c 0x%X: SPSR", masks[i]);
        t_eq(exc_rec[R_CPSR] & 0xFF, masks[i] | PSR_I, "CPSR_c 0x%X: CPSR on entry", masks[i]);
        t_eq(out[0] & 0xFF, masks[i], "CPSR_c 0x%X: CPSR after return", masks[i]);
    }

    t_section("SWI from every privileged mode");
    static const uint32_t modes[5] = { MODE_FIQ, MODE_IRQ, MODE_ABT, MODE_UND, MODE_SYS };
    static const char *const names[5] = { "FIQ", "IRQ", "ABT", "UND", "SYS" };
    for (int i = 0; i < 5; i++) {
        clear_rec();
        uint32_t after = ex_swi_from_mode(modes[i]);
        t_eq(exc_rec[R_SPSR] & 0xFF, 0xC0 | modes[i], "SVC from %s: SPSR", names[i]);
        t_eq(exc_rec[R_CPSR] & 0xFF, 0xD3, "SVC from %s: CPSR on entry", names[i]);
        t_eq(after & 0xFF, 0xC0 | modes[i], "SVC from %s: back in %s", names[i], names[i]);
    }
}

static void test_undefined(void)
{
    uint32_t out[2];

    t_section("undefined instruction, ARM state");
    set_hook(VEC_UND, und_handler);
    clear_rec();
    ex_udf_arm(out, PSR_C | PSR_V);
    check_entry("UDF 0xE7F000F0", addr(ex_at_udf_arm) + 4, 0x300000D3, 0x300000DB, out);
    t_eq(exc_rec[R_NUM], 0xE7F000F0, "UDF: instruction at lr-4");

    t_section("undefined instruction, Thumb state");
    clear_rec();
    ex_udf_thumb(out, PSR_N | PSR_Z);
    check_entry("Thumb 0xDE42", addr(ex_at_udf_thumb) + 2, 0xC00000F3, 0xC00000DB, out);
    t_eq(exc_rec[R_NUM], 0xDE42, "Thumb undefined: instruction at lr-2");

    t_section("absent coprocessors are undefined");
    clear_rec();
    t_eq(ex_cdp(), 0x5A, "CDP p3: skipped by the handler");
    t_eq(exc_rec[R_COUNT], 1, "CDP p3: undefined instruction taken");
    t_eq(exc_rec[R_LR], addr(ex_at_cdp) + 4, "CDP p3: lr");
    t_eq(exc_rec[R_NUM], *(const uint32_t *)ex_at_cdp, "CDP p3: instruction at lr-4");
    clear_rec();
    t_eq(ex_mrc_p5(), 0x5B, "MRC p5: destination unchanged");
    t_eq(exc_rec[R_COUNT], 1, "MRC p5: undefined instruction taken");
    t_eq(exc_rec[R_LR], addr(ex_at_mrc_p5) + 4, "MRC p5: lr");

    t_section("an undefined instruction emulated by its handler");
    set_hook(VEC_UND, und_emulate);
    clear_rec();
    ex_udf_emulated(out);
    t_eq(out[0], 0x1234, "UDF #0x1234: handler wrote r0 = imm16");
    t_eq(out[1], 1, "UDF #0x1234: r1-r3, r12 unchanged by LDM {r0-r12, pc}^");
    t_eq(exc_rec[R_LR], addr(ex_at_udf_emulated) + 4, "UDF #0x1234: lr");
    t_eq(exc_rec[R_CPSR] & 0xFF, 0xDB, "UDF #0x1234: CPSR on entry");

    t_section("nested: SWI inside the undefined-instruction handler");
    set_hook(VEC_UND, und_nested);
    clear_rec();
    t_eq(ex_udf_nested(), 0x77, "UDF -> handler -> SVC -> back -> back");
    t_eq(exc_rec[R_COUNT], 1, "nested: SWI handler entered once");
    t_eq(exc_rec[R_NUM], 0x55, "nested: SVC #0x55");
    t_eq(exc_rec[R_INNER_SPSR] & 0xFF, 0xDB, "nested: SWI's SPSR is UND mode");
    t_eq(exc_rec[R_OUTER_LR], 0, "nested: lr_und kept across the SWI");
    reset_hooks();
}

uint32_t ex_v6_rev(void), ex_v6_sxtb(void), ex_v6_uxth(void), ex_v6_ldrex(void),
    ex_v6_strex(void), ex_v6_sadd16(void), ex_v6_t_rev(void), ex_v6_t_sxtb(void),
    ex_v6_t_uxth(void);
extern char ex_v6_rev_at[], ex_v6_sxtb_at[], ex_v6_uxth_at[], ex_v6_ldrex_at[], ex_v6_strex_at[],
    ex_v6_sadd16_at[], ex_v6_t_rev_at[], ex_v6_t_sxtb_at[], ex_v6_t_uxth_at[];

static void test_v6(void)
{
    static const struct {
        const char *name;
        uint32_t (*fn)(void);
        const char *at;
        uint32_t size;
    } c[] = {
        { "REV", ex_v6_rev, ex_v6_rev_at, 4 },
        { "SXTB", ex_v6_sxtb, ex_v6_sxtb_at, 4 },
        { "UXTH", ex_v6_uxth, ex_v6_uxth_at, 4 },
        { "LDREX", ex_v6_ldrex, ex_v6_ldrex_at, 4 },
        { "STREX", ex_v6_strex, ex_v6_strex_at, 4 },
        { "SADD16", ex_v6_sadd16, ex_v6_sadd16_at, 4 },
        { "Thumb REV", ex_v6_t_rev, ex_v6_t_rev_at, 2 },
        { "Thumb SXTB", ex_v6_t_sxtb, ex_v6_t_sxtb_at, 2 },
        { "Thumb UXTH", ex_v6_t_uxth, ex_v6_t_uxth_at, 2 },
    };
    t_section("ARMv6 instructions are undefined on ARMv5TE");
    set_hook(VEC_UND, und_handler);
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        clear_rec();
        uint32_t r0 = c[i].fn();
        t_eq(exc_rec[R_COUNT], 1, "%s: undefined instruction", c[i].name);
        t_eq(exc_rec[R_LR], addr(c[i].at) + c[i].size, "%s: lr = next instruction", c[i].name);
        t_eq(r0, 0x5C, "%s: destination unchanged", c[i].name);
    }
    reset_hooks();
}

static void test_bkpt(void)
{
    uint32_t out[2];

    t_section("BKPT: prefetch abort vector, ABT mode");
    set_hook(VEC_PABT, bkpt_handler);
    clear_rec();
    ex_bkpt_arm(out, PSR_Z);
    check_entry("BKPT #0x1234", addr(ex_at_bkpt_arm) + 4, 0x400000D3, 0x400000D7, out);
    t_eq(exc_rec[R_NUM], 0x1234, "BKPT #0x1234: immediate");
    clear_rec();
    ex_bkpt_thumb(out, PSR_N | PSR_V);
    check_entry("Thumb BKPT #0x12", addr(ex_at_bkpt_thumb) + 4, 0x900000F3, 0x900000D7, out);
    t_eq(exc_rec[R_NUM], 0x12, "Thumb BKPT #0x12: immediate");
    set_hook(VEC_PABT, bkpt_handler_ldm);
    clear_rec();
    ex_bkpt_thumb(out, PSR_C);
    check_entry("Thumb BKPT, LDM^ return", addr(ex_at_bkpt_thumb) + 4, 0x200000F3, 0x200000D7, out);
    reset_hooks();
}

static void test_returns(void)
{
    t_section("exception-return instructions");
    t_eq(ex_movs_to_thumb(), 1, "MOVS pc, r0 with SPSR.T set enters Thumb, flags from SPSR");
    t_eq(ex_subs_to_sys() & PSR_V5, 0x900000DF, "SUBS pc, lr, #4 with SPSR = System: CPSR = SPSR");
    t_eq(ex_ldm_return_flags() & PSR_V5, 0xF80000D3, "LDMFD sp!, {r0, pc}^: CPSR = SPSR, r0 loaded");
}

int main(void)
{
    test_swi();
    test_undefined();
    test_v6();
    test_bkpt();
    test_returns();
    t_section("IRQ and FIQ: not tested (no device raises them on emu yet)");
    t_section("data and prefetch aborts: see aborts.elf (emu only)");
    return t_done("exceptions");
}
