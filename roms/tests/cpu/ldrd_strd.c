/*
 * ldrd_strd.c - LDRD/STRD with immediate and register offsets, positive
 * and negative, pre-indexed with writeback and post-indexed, conditional
 * and not executed; which word goes to which register; plus LDRH, LDRSH,
 * LDRSB and STRH (the rest of addressing mode 3).
 */
#include "test.h"

typedef void (*lsfn)(uint32_t *base, uint32_t out[3], uint32_t rm);
void ld_imm(uint32_t *, uint32_t *, uint32_t), ld_imm_neg(uint32_t *, uint32_t *, uint32_t),
    ld_imm_max(uint32_t *, uint32_t *, uint32_t), ld_imm_zero(uint32_t *, uint32_t *, uint32_t),
    ld_reg(uint32_t *, uint32_t *, uint32_t), ld_reg_neg(uint32_t *, uint32_t *, uint32_t),
    ld_pre_wb(uint32_t *, uint32_t *, uint32_t), ld_pre_wb_neg(uint32_t *, uint32_t *, uint32_t),
    ld_pre_reg_wb(uint32_t *, uint32_t *, uint32_t), ld_post(uint32_t *, uint32_t *, uint32_t),
    ld_post_neg(uint32_t *, uint32_t *, uint32_t), ld_post_reg(uint32_t *, uint32_t *, uint32_t),
    ld_post_reg_neg(uint32_t *, uint32_t *, uint32_t), ld_cond_fail(uint32_t *, uint32_t *, uint32_t);
void st_imm(uint32_t *, uint32_t *, uint32_t), st_imm_neg(uint32_t *, uint32_t *, uint32_t),
    st_reg(uint32_t *, uint32_t *, uint32_t), st_reg_neg(uint32_t *, uint32_t *, uint32_t),
    st_pre_wb(uint32_t *, uint32_t *, uint32_t),
    st_pre_reg_wb_neg(uint32_t *, uint32_t *, uint32_t), st_post(uint32_t *, uint32_t *, uint32_t),
    st_post_reg(uint32_t *, uint32_t *, uint32_t), st_cond_fail(uint32_t *, uint32_t *, uint32_t);
uint64_t ld_pair_r0(uint32_t *), ld_pair_r10(uint32_t *);
uint32_t m3_ldrh(void *), m3_ldrsh(void *), m3_ldrsb(void *), m3_ldrsb_pos(void *),
    m3_strh(void *);

/* 256 words, 8-byte aligned; tests use base = mem + 128 words. */
static uint32_t mem[256] __attribute__((aligned(8)));
#define BASE (mem + 128)

static void fill(void)
{
    for (uint32_t i = 0; i < 256; i++)
        mem[i] = 0xD0000000u | ((i - 128) * 4 + 0x8000); /* encodes the offset from BASE */
}

/* The value fill() puts at byte offset off from BASE. */
static uint32_t at(int32_t off)
{
    return 0xD0000000u | (uint32_t)(off + 0x8000);
}

struct ldcase {
    const char *name;
    lsfn fn;
    uint32_t rm;
    int32_t addr;   /* byte offset loaded from */
    int32_t wb;     /* base offset after */
};

static const struct ldcase lds[] = {
    { "LDRD r2, r3, [r0, #8]", ld_imm, 0, 8, 0 },
    { "LDRD r2, r3, [r0, #-8]", ld_imm_neg, 0, -8, 0 },
    { "LDRD r2, r3, [r0, #248]", ld_imm_max, 0, 248, 0 },
    { "LDRD r2, r3, [r0]", ld_imm_zero, 0, 0, 0 },
    { "LDRD r2, r3, [r0, r1] (r1 = 40)", ld_reg, 40, 40, 0 },
    { "LDRD r2, r3, [r0, -r1] (r1 = 56)", ld_reg_neg, 56, -56, 0 },
    { "LDRD r2, r3, [r0, #16]!", ld_pre_wb, 0, 16, 16 },
    { "LDRD r2, r3, [r0, #-16]!", ld_pre_wb_neg, 0, -16, -16 },
    { "LDRD r2, r3, [r0, r1]! (r1 = -32)", ld_pre_reg_wb, (uint32_t)-32, -32, -32 },
    { "LDRD r2, r3, [r0], #24", ld_post, 0, 0, 24 },
    { "LDRD r2, r3, [r0], #-24", ld_post_neg, 0, 0, -24 },
    { "LDRD r2, r3, [r0], r1 (r1 = 0x100)", ld_post_reg, 0x100, 0, 0x100 },
    { "LDRD r2, r3, [r0], -r1 (r1 = 0x100)", ld_post_reg_neg, 0x100, 0, -0x100 },
};

static const struct ldcase sts[] = {
    { "STRD r2, r3, [r0, #8]", st_imm, 0, 8, 0 },
    { "STRD r2, r3, [r0, #-8]", st_imm_neg, 0, -8, 0 },
    { "STRD r2, r3, [r0, r1] (r1 = 72)", st_reg, 72, 72, 0 },
    { "STRD r2, r3, [r0, -r1] (r1 = 72)", st_reg_neg, 72, -72, 0 },
    { "STRD r2, r3, [r0, #16]!", st_pre_wb, 0, 16, 16 },
    { "STRD r2, r3, [r0, -r1]! (r1 = 48)", st_pre_reg_wb_neg, 48, -48, -48 },
    { "STRD r2, r3, [r0], #24", st_post, 0, 0, 24 },
    { "STRD r2, r3, [r0], r1 (r1 = -8)", st_post_reg, (uint32_t)-8, 0, -8 },
};

int main(void)
{
    uint32_t out[3];

    t_section("LDRD");
    for (unsigned i = 0; i < sizeof lds / sizeof lds[0]; i++) {
        const struct ldcase *c = &lds[i];
        fill();
        c->fn(BASE, out, c->rm);
        t_eq(out[0], at(c->addr), "%s: Rd = word at the address", c->name);
        t_eq(out[1], at(c->addr + 4), "%s: Rd+1 = word at address + 4", c->name);
        t_eq(out[2], (uint32_t)c->wb, "%s: base offset after", c->name);
    }
    fill();
    ld_cond_fail(BASE, out, 0);
    t_ok(out[0] == 0xEEEEEEEE && out[1] == 0xEEEEEEEE, "LDRDNE, condition false: registers unchanged");
    t_eq64(ld_pair_r0(BASE + 2), ((uint64_t)at(12) << 32) | at(8), "LDRD r0, r1: the pair as a 64-bit value");
    t_eq64(ld_pair_r10(BASE + 4), ((uint64_t)at(20) << 32) | at(16), "LDRD r10, r11");

    t_section("STRD");
    for (unsigned i = 0; i < sizeof sts / sizeof sts[0]; i++) {
        const struct ldcase *c = &sts[i];
        fill();
        c->fn(BASE, out, c->rm);
        int32_t w = c->addr / 4;
        t_eq(BASE[w], 0x11112222, "%s: Rd at the address", c->name);
        t_eq(BASE[w + 1], 0x33334444, "%s: Rd+1 at address + 4", c->name);
        t_ok(BASE[w - 1] == at(c->addr - 4) && BASE[w + 2] == at(c->addr + 8),
             "%s: neighbours untouched", c->name);
        t_eq(out[2], (uint32_t)c->wb, "%s: base offset after", c->name);
    }
    fill();
    st_cond_fail(BASE, out, 0);
    t_ok(BASE[0] == at(0) && BASE[1] == at(4), "STRDNE, condition false: memory unchanged");

    t_section("LDRH, LDRSH, LDRSB, STRH");
    static uint32_t w[2] __attribute__((aligned(8)));
    w[0] = 0x80F17FFE;
    w[1] = 0x11223344;
    t_eq(m3_ldrh(w), 0x80F1, "LDRH [r0, #2]: zero-extended");
    t_eq(m3_ldrsh(w), 0xFFFF80F1, "LDRSH [r0, #2]: sign-extended");
    t_eq(m3_ldrsb(w), 0xFFFFFF80, "LDRSB [r0, #3]: sign-extended");
    t_eq(m3_ldrsb_pos(w), 0x7F, "LDRSB [r0, #1]: positive");
    m3_strh(w);
    t_eq(w[0], 0x12347FFE, "STRH [r0, #2]!: low half of r1 into the upper half");
    t_eq(w[1], 0x11223344, "STRH: next word untouched");
    return t_done("ldrd_strd");
}
