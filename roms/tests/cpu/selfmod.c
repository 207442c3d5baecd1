/*
 * selfmod.c - self-modifying code: a routine in RAM is run, rewritten and
 * run again, and must run its new instructions.  Each rewrite is followed
 * by what real ARM926 code does (clean the D-cache, drain the write
 * buffer, invalidate the I-cache: CP15 c7).  The rewrites use every kind
 * of store (STR, STRB, STRH, STRD, STM, SWP), patch ARM and Thumb code,
 * reuse the same memory for ARM then Thumb code, change one instruction
 * in the middle of a long straight run, and a routine patches the
 * instruction it is about to branch to.
 */
#include "test.h"

void sync_code(void *start, void *end);
void store_strd(void *p, uint32_t a, uint32_t b);
void store_stm(void *p, uint32_t a, uint32_t b);
uint32_t store_swp(void *p, uint32_t a);
extern char smc_self[], smc_self_end[];

#define MOV_R0(imm) (0xE3A00000u | (imm))            /* mov r0, #imm (imm < 256) */
#define ADD_R0(imm) (0xE2800000u | (imm))            /* add r0, r0, #imm */
#define BX_LR 0xE12FFF1Eu
#define T_MOVS_R0(imm) ((uint16_t)(0x2000u | (imm))) /* movs r0, #imm */
#define T_ADDS_R0(imm) ((uint16_t)(0x3000u | (imm))) /* adds r0, #imm */
#define T_BX_LR ((uint16_t)0x4770u)

/* Every access to the code buffer is volatile, so that the compiler keeps
   the stores where they are written and in order. */
static volatile union {
    uint32_t w[256];
    uint16_t h[512];
    uint8_t b[1024];
} buf __attribute__((aligned(32)));
#define code buf.w
#define HALVES buf.h
#define BYTES buf.b
#define CODE ((void *)(uintptr_t)buf.w)

typedef uint32_t (*fn0)(void);
typedef uint32_t (*fn1)(uint32_t);

static uint32_t run(const void *p, int thumb)
{
    return ((fn0)((uintptr_t)p | (thumb ? 1u : 0u)))();
}

static void sync(void *p, uint32_t bytes)
{
    sync_code(p, (char *)p + bytes);
}

static void arm_routine(void)
{
    t_section("an ARM routine rewritten 200 times with STR");
    uint32_t bad = 0, sum = 0;
    code[1] = BX_LR;
    for (uint32_t n = 1; n <= 200; n++) {
        code[0] = MOV_R0(n);
        sync(CODE, 8);
        uint32_t r = run(CODE, 0);
        bad += r != n;
        sum += r;
    }
    t_eq(bad, 0, "each run returns its new immediate");
    t_eq(sum, 20100, "sum of the 200 results");
}

static void store_kinds(void)
{
    t_section("rewritten by every kind of store");
    code[0] = MOV_R0(1);
    code[1] = BX_LR;
    sync(CODE, 8);
    t_eq(run(CODE, 0), 1, "STR: first version");
    BYTES[0] = 0x22; /* the immediate byte of MOV */
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x22, "STRB of the immediate byte");
    HALVES[0] = 0x0033;
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x33, "STRH of the low half");
    store_strd(CODE, MOV_R0(0x44), BX_LR);
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x44, "STRD of two instructions");
    store_stm(CODE, MOV_R0(0x55), BX_LR);
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x55, "STMIA of two instructions");
    t_eq(store_swp(CODE, MOV_R0(0x66)), MOV_R0(0x55), "SWP returns the old instruction");
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x66, "SWP of one instruction");
}

static void thumb_routine(void)
{
    t_section("Thumb code, and ARM then Thumb code at one address");
    volatile uint16_t *h = HALVES;
    code[0] = MOV_R0(0x77);
    code[1] = BX_LR;
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x77, "ARM routine at the buffer");
    h[0] = T_MOVS_R0(0x12);
    h[1] = T_BX_LR;
    sync(CODE, 8);
    t_eq(run(CODE, 1), 0x12, "Thumb routine written over it (STRH)");
    uint32_t bad = 0;
    for (uint32_t n = 0; n < 256; n++) {
        h[0] = T_MOVS_R0(n);
        sync(CODE, 4);
        bad += run(CODE, 1) != n;
    }
    t_eq(bad, 0, "Thumb routine rewritten 256 times");
    code[0] = MOV_R0(0x88);
    code[1] = BX_LR;
    sync(CODE, 8);
    t_eq(run(CODE, 0), 0x88, "ARM again over the Thumb code");
}

static void long_run(void)
{
    t_section("one instruction changed in the middle of a long straight run");
    /* mov r0, #0; 200 x add r0, r0, #1; bx lr */
    code[0] = MOV_R0(0);
    for (int i = 1; i <= 200; i++)
        code[i] = ADD_R0(1);
    code[201] = BX_LR;
    sync(CODE, 202 * 4);
    t_eq(run(CODE, 0), 200, "200 x ADD #1");
    code[100] = ADD_R0(101);
    sync((void *)(uintptr_t)&code[100], 4);
    t_eq(run(CODE, 0), 300, "instruction 100 became ADD #101");
    code[200] = BX_LR; /* return early: instruction 200 is now the return */
    sync((void *)(uintptr_t)&code[200], 4);
    t_eq(run(CODE, 0), 299, "instruction 200 became BX lr");
    code[1] = ADD_R0(50);
    code[199] = ADD_R0(50);
    sync(CODE, 202 * 4);
    t_eq(run(CODE, 0), 397, "first and last ADDs changed");

    /* Thumb: movs r0, #0; 150 x adds r0, #1; bx lr */
    volatile uint16_t *h = HALVES;
    h[0] = T_MOVS_R0(0);
    for (int i = 1; i <= 150; i++)
        h[i] = T_ADDS_R0(1);
    h[151] = T_BX_LR;
    sync(CODE, 152 * 2);
    t_eq(run(CODE, 1), 150, "Thumb: 150 x ADDS #1");
    h[75] = T_ADDS_R0(100);
    sync((void *)(uintptr_t)&h[75], 2);
    t_eq(run(CODE, 1), 249, "Thumb: instruction 75 became ADDS #100");
}

static void self_patching(void)
{
    t_section("a routine that patches the instruction it branches to");
    uint32_t size = (uint32_t)(smc_self_end - smc_self);
    volatile char *dst = (volatile char *)BYTES;
    for (uint32_t i = 0; i < size; i++)
        dst[i] = smc_self[i];
    sync(CODE, size);
    fn1 f = (fn1)(uintptr_t)code;
    t_eq(f(MOV_R0(0x11)), 0x11, "planted MOV r0, #0x11");
    t_eq(f(MOV_R0(0x22)), 0x22, "planted MOV r0, #0x22 over it");
    t_eq(f(0xE3E00000u), 0xFFFFFFFF, "planted MVN r0, #0");
    t_eq(f(0xE1A00000u), 0, "planted NOP: r0 stays 0");
    uint32_t bad = 0;
    for (uint32_t n = 0; n < 100; n++)
        bad += f(MOV_R0(n)) != n;
    t_eq(bad, 0, "planted 100 times in a row");
}

int main(void)
{
    arm_routine();
    store_kinds();
    thumb_routine();
    long_run();
    self_patching();
    return t_done("selfmod");
}
