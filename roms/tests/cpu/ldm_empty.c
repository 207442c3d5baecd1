/*
 * ldm_empty.c - LDM/STM/PUSH/POP with an empty register list: UNPREDICTABLE
 * in the ARM ARM; the emulator, like QEMU, takes the undefined-instruction
 * exception and leaves the base register alone.  This ROM records that
 * choice; it is not an architectural requirement.
 */
#include "test.h"

extern volatile uint32_t le_rec[3];
void le_und(void);
uint32_t le_case0(uint32_t *), le_case1(uint32_t *), le_case2(uint32_t *),
    le_case3(uint32_t *), le_case4(uint32_t *), le_case5(uint32_t *), le_case6(uint32_t *),
    le_case7(uint32_t *);

int main(void)
{
    static uint32_t mem[32];
    static uint32_t (*const cases[8])(uint32_t *) = { le_case0, le_case1, le_case2, le_case3,
                                                       le_case4, le_case5, le_case6, le_case7 };
    static const char *const names[8] = {
        "ARM LDMIA r1, {}",    "ARM LDMIA r1!, {}",   "ARM STMIA r1, {}", "ARM STMDB r1!, {}",
        "Thumb LDMIA r1!, {}", "Thumb STMIA r1!, {}", "Thumb PUSH {}",    "Thumb POP {}",
    };
    t_section("empty register lists (UNPREDICTABLE; emu and QEMU: undefined)");
    set_hook(VEC_UND, le_und);
    for (int i = 0; i < 8; i++) {
        le_rec[0] = le_rec[1] = le_rec[2] = 0;
        for (int j = 0; j < 32; j++)
            mem[j] = 0x5A5A0000u + (uint32_t)j;
        uint32_t moved = cases[i](mem + 16);
        t_eq(le_rec[0], 1, "%s: undefined instruction", names[i]);
        t_eq(le_rec[1], i < 4 ? 4 : 2, "%s: lr = next instruction", names[i]);
        t_eq(moved, 0, "%s: base unchanged", names[i]);
        uint32_t same = 1;
        for (int j = 0; j < 32; j++)
            same &= mem[j] == 0x5A5A0000u + (uint32_t)j;
        t_eq(same, 1, "%s: memory unchanged", names[i]);
    }
    reset_hooks();
    return t_done("ldm_empty");
}
