/*
 * v5_only.c - ARMv5 behaviour that QEMU's ARM926 model does not have, so
 * this ROM runs on emu only (tools/crossrun.sh):
 *
 *  - an unaligned LDR loads the aligned word rotated right by 8 times
 *    address[1:0] (ARM ARM A4 "LDR", Operation; A2.8); QEMU does an
 *    unaligned (ARMv6-style) load instead;
 *  - every data-processing instruction with S and Rd = PC copies the SPSR
 *    into the CPSR (A4, each instruction's Operation); QEMU does so only
 *    for SUBS and MOVS and sets the flags from the result for the others;
 *  - the ARMv6T2 Thumb encodings CBZ, CBNZ, IT and the 0xBFxx hints are
 *    UNDEFINED in ARMv5TE; QEMU's ARM926 executes them.
 */
#include "test.h"

typedef void (*ufn)(const void *, uint32_t *);
void un_ldr(const void *, uint32_t *), un_ldr_imm(const void *, uint32_t *),
    un_ldr_reg(const void *, uint32_t *), un_ldr_pre_wb(const void *, uint32_t *),
    un_ldr_post(const void *, uint32_t *), un_ldrt(const void *, uint32_t *),
    un_t_ldr_imm(const void *, uint32_t *), un_t_ldr_reg(const void *, uint32_t *);
uint32_t dp_pc_adds(void), dp_pc_ands(void), dp_pc_eors(void), dp_pc_orrs(void),
    dp_pc_bics(void), dp_pc_rsbs(void), dp_pc_adcs(void), dp_pc_sbcs(void), dp_pc_rscs(void),
    dp_pc_mvns(void), dp_pc_subs(void), dp_pc_movs(void);
uint32_t t_cbz(void), t_cbnz(void), t_it(void), t_nop(void);
extern volatile uint32_t v5_at;

static volatile uint32_t und_count, und_lr;

/* Undefined handler in C would need a wrapper; an ARM one: skip. */
void v5_und(void);
__asm__(".arm\n"
        ".global v5_und\n"
        ".type v5_und, %function\n"
        "v5_und:\n"
        "  push {r0, r1}\n"
        "  ldr r0, =und_count\n"
        "  ldr r1, [r0]\n"
        "  add r1, r1, #1\n"
        "  str r1, [r0]\n"
        "  ldr r0, =und_lr\n"
        "  str lr, [r0]\n"
        "  pop {r0, r1}\n"
        "  movs pc, lr\n"
        ".ltorg\n");

static uint32_t rot(uint32_t v, unsigned n)
{
    return n ? (v >> n) | (v << (32 - n)) : v;
}

static void unaligned(void)
{
    static uint32_t w[4] = { 0x44332211, 0x88776655, 0xCCBBAA99, 0x00FFEEDD };
    const char *b = (const char *)w;
    uint32_t out[2];
    t_section("unaligned LDR rotates the aligned word (ARM ARM A4 LDR)");
    static const struct {
        const char *name;
        ufn fn;
        int word;  /* the aligned word loaded, from the base */
        int wb;    /* base change */
    } c[] = {
        { "LDR [r12]", un_ldr, 0, 0 },
        { "LDR [r12, #4]", un_ldr_imm, 1, 0 },
        { "LDR [r12, r2] (r2 = 4)", un_ldr_reg, 1, 0 },
        { "LDR [r12, #4]!", un_ldr_pre_wb, 1, 4 },
        { "LDR [r12], #4", un_ldr_post, 0, 4 },
        { "LDRT [r12]", un_ldrt, 0, 0 },
    };
    for (unsigned k = 0; k < sizeof c / sizeof c[0]; k++)
        for (unsigned off = 1; off < 4; off++) {
            c[k].fn(b + off, out);
            t_eq(out[0], rot(w[c[k].word], 8 * off), "%s, address = word + %u", c[k].name, off);
            if (c[k].wb)
                t_eq(out[1], (uint32_t)c[k].wb, "%s, address = word + %u: writeback", c[k].name, off);
        }
    for (unsigned off = 1; off < 4; off++) {
        un_t_ldr_imm(b + off, out);
        t_eq(out[0], rot(w[1], 8 * off), "Thumb LDR [r0, #4], address = word + %u", off);
        un_t_ldr_reg(b + off, out);
        t_eq(out[0], rot(w[1], 8 * off), "Thumb LDR [r0, r2], address = word + %u", off);
    }
}

static void dp_pc(void)
{
    t_section("<op>S pc, ... copies the SPSR to the CPSR (ARM ARM A4)");
    static const struct {
        const char *name;
        uint32_t (*fn)(void);
    } c[] = {
        { "ADDS pc, r4, #0", dp_pc_adds }, { "ANDS pc, r4, r3", dp_pc_ands },
        { "EORS pc, r4, r2", dp_pc_eors }, { "ORRS pc, r4, r2", dp_pc_orrs },
        { "BICS pc, r4, r2", dp_pc_bics }, { "RSBS pc, r2, r4", dp_pc_rsbs },
        { "ADCS pc, r4, r2", dp_pc_adcs }, { "SBCS pc, r4, r2", dp_pc_sbcs },
        { "RSCS pc, r2, r4", dp_pc_rscs }, { "MVNS pc, r5", dp_pc_mvns },
        { "SUBS pc, r4, #0", dp_pc_subs }, { "MOVS pc, r4", dp_pc_movs },
    };
    for (unsigned k = 0; k < sizeof c / sizeof c[0]; k++)
        t_eq(c[k].fn() & 0xF80000FF, 0x900000D3, "%s: CPSR = SPSR (N V, SVC)", c[k].name);
}

static void thumb_v6t2(void)
{
    t_section("ARMv6T2 Thumb encodings are UNDEFINED in ARMv5TE");
    set_hook(VEC_UND, v5_und);
    static const struct {
        const char *name;
        uint32_t (*fn)(void);
    } c[] = {
        { "0xB100 (CBZ)", t_cbz }, { "0xB908 (CBNZ)", t_cbnz },
        { "0xBF08 (IT EQ)", t_it }, { "0xBF00 (NOP hint)", t_nop },
    };
    for (unsigned k = 0; k < sizeof c / sizeof c[0]; k++) {
        und_count = 0;
        uint32_t r = c[k].fn();
        t_eq(und_count, 1, "%s: undefined instruction", c[k].name);
        t_eq(und_lr, v5_at + 2, "%s: lr = next instruction", c[k].name);
        t_eq(r, 0x99, "%s: execution continues after it", c[k].name);
    }
    reset_hooks();
}

int main(void)
{
    unaligned();
    dp_pc();
    thumb_v6t2();
    return t_done("v5_only");
}
