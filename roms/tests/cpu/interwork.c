/*
 * interwork.c - ARM/Thumb interworking: BX, BLX (immediate and register),
 * loads to the PC (LDR pc, LDM with pc, POP {pc}) in both directions, and
 * C code calling across states directly, through pointers and recursively.
 */
#include "test.h"

uint32_t iw_bx_to_thumb(void);
uint32_t iw_bx_arm_to_arm(void);
uint32_t iw_blx_imm_arm_to_thumb(void);
uint32_t iw_blx_reg_arm_to_thumb(void);
uint32_t iw_blx_reg_arm_to_arm(void);
uint32_t iw_blx_cond_fail(void);
uint32_t iw_ldr_pc_thumb(void);
uint32_t iw_ldr_pc_arm(void);
uint32_t iw_ldr_pc_postinc_thumb(void);
uint32_t iw_ldm_pc_thumb(void);
uint32_t iw_thumb_pop_to_arm(void);
uint32_t iw_thumb_blx_imm_to_arm(void);
uint32_t iw_thumb_blx_reg_to_arm(void);
uint32_t iw_thumb_blx_reg_to_thumb(void);
uint32_t iw_thumb_bl(void);
uint32_t iw_thumb_bx_pc(void);
uint32_t iw_thumb_pop_to_thumb(void);
uint32_t iw_thumb_bx_to_arm(void);
uint32_t iw_cpsr_after_thumb(void);
uint32_t iw_bxj_to_thumb(void);
uint32_t iw_bxj_to_arm(void);
extern char iw_ret_blx_imm_a[], iw_ret_blx_reg_a[], iw_ret_blx_reg_aa[];
extern char iw_ret_thumb_pop_to_arm[], iw_ret_thumb_blx_imm[];
extern char iw_ret_thumb_blx_reg_arm[], iw_ret_thumb_blx_reg_thumb[], iw_ret_thumb_bl[];

/* interwork_thumb.c */
uint32_t thumb_calls_arm_pop(void);
uint32_t thumb_call_ptr(uint32_t (*fn)(uint32_t), uint32_t x);
uint32_t thumb_square(uint32_t x);
uint32_t thumb_mutual(uint32_t n, uint32_t acc);

static uint32_t addr(const void *p)
{
    return (uint32_t)(uintptr_t)p & ~1u;
}

static uint32_t arm_plus_one(uint32_t x)
{
    return x + 1;
}

uint32_t arm_mutual(uint32_t n, uint32_t acc)
{
    if (n == 0)
        return acc;
    return thumb_mutual(n - 1, acc * 5 + 2);
}

static uint32_t c_mutual(uint32_t n, uint32_t acc, int arm)
{
    while (n != 0) {
        acc = arm ? acc * 5 + 2 : acc * 3 + 1;
        arm = !arm;
        n--;
    }
    return acc;
}

int main(void)
{
    t_section("interwork: ARM -> Thumb and back");
    t_eq(iw_bx_to_thumb(), 0x11, "BX to Thumb (bit 0 set), BX lr back to ARM");
    t_eq(iw_bx_arm_to_arm(), 0x22, "BX to ARM (bit 0 clear) stays in ARM");
    t_eq(iw_blx_imm_arm_to_thumb(), addr(iw_ret_blx_imm_a),
         "BLX imm ARM->Thumb: lr = next ARM instruction");
    t_eq(iw_blx_reg_arm_to_thumb(), addr(iw_ret_blx_reg_a),
         "BLX reg ARM->Thumb: lr = next ARM instruction");
    t_eq(iw_blx_reg_arm_to_arm(), addr(iw_ret_blx_reg_aa),
         "BLX reg ARM->ARM: lr = next ARM instruction");
    t_eq(iw_blx_cond_fail(), 0x1234, "BLXEQ/BXEQ not taken: lr unchanged");
    t_eq(iw_ldr_pc_thumb(), 5, "LDR pc with a Thumb address enters Thumb");
    t_eq(iw_ldr_pc_arm(), 7, "LDR pc with an ARM address stays in ARM");
    t_eq(iw_ldr_pc_postinc_thumb(), 0x105, "LDR pc, [sp], #4 to Thumb, sp written back");
    t_eq(iw_ldm_pc_thumb(), 0x333, "LDMIA {r2, pc} with a Thumb address enters Thumb");
    t_eq(iw_thumb_pop_to_arm(), 9, "Thumb POP {pc} with an ARM address returns to ARM");
    t_eq(iw_cpsr_after_thumb(), 0, "CPSR.T clear back in ARM code");
    t_eq(iw_bxj_to_thumb(), 5, "BXJ (Jazelle off) to Thumb behaves as BX");
    t_eq(iw_bxj_to_arm(), 7, "BXJ (Jazelle off) to ARM behaves as BX");

    t_section("interwork: Thumb -> ARM and Thumb");
    t_eq(iw_thumb_blx_imm_to_arm(), addr(iw_ret_thumb_blx_imm) | 1,
         "Thumb BLX imm to ARM: lr = next Thumb instruction | 1");
    t_eq(iw_thumb_blx_reg_to_arm(), addr(iw_ret_thumb_blx_reg_arm) | 1,
         "Thumb BLX reg to ARM: lr = next Thumb instruction | 1");
    t_eq(iw_thumb_blx_reg_to_thumb(), addr(iw_ret_thumb_blx_reg_thumb) | 1,
         "Thumb BLX reg to Thumb: lr = next Thumb instruction | 1");
    t_eq(iw_thumb_bl(), addr(iw_ret_thumb_bl) | 1, "Thumb BL: lr = next Thumb instruction | 1");
    t_eq(iw_thumb_bx_pc(), 0x66, "Thumb BX pc (word aligned) enters ARM at +4");
    t_eq(iw_thumb_pop_to_thumb(), 0x19, "Thumb POP {pc} with a Thumb address stays in Thumb");
    t_eq(iw_thumb_bx_to_arm(), 0x77, "Thumb BX to an ARM address enters ARM");

    t_section("interwork: C code across states");
    t_eq(thumb_calls_arm_pop(), 0x45, "Thumb C -> ARM, return by LDMFD {r4, pc} to Thumb");
    t_eq(thumb_call_ptr(arm_plus_one, 41), 84, "Thumb C calls an ARM function pointer");
    t_eq(thumb_call_ptr(thumb_square, 12), 288, "Thumb C calls a Thumb function pointer");
    uint32_t (*volatile sq)(uint32_t) = thumb_square;
    t_eq(sq(25), 625, "ARM C calls a Thumb function pointer");
    t_eq(arm_mutual(200, 1), c_mutual(200, 1, 1), "ARM/Thumb mutual recursion, 200 calls deep");
    t_eq(thumb_mutual(201, 7), c_mutual(201, 7, 0), "Thumb/ARM mutual recursion, 201 calls deep");

    return t_done("interwork");
}
