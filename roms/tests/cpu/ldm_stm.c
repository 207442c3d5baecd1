/*
 * ldm_stm.c - LDM/STM corner cases: the four addressing modes with and
 * without writeback, the base register in the list (LDM without
 * writeback loads it; STM with writeback stores the original base when it
 * is the lowest register), user-bank transfers (STM^ and LDM^ from SVC
 * mode), one-register and 13-register lists, and the Thumb LDMIA/STMIA/
 * PUSH/POP forms.  The empty register list is in ldm_empty.c.
 */
#include "test.h"

void ls_ldm_modes(const uint32_t *mem, uint32_t out[32]);
void ls_stm_modes(uint32_t *mem, uint32_t out[8]);
void ls_base_in_list(uint32_t *mem, uint32_t out[11]);
void ls_user_bank(uint32_t *mem, uint32_t out[3]);
uint32_t ls_full_list(uint32_t *mem);
void ls_single(uint32_t *mem, uint32_t out[4]);
void ls_thumb(uint32_t *mem, uint32_t out[10]);

static uint32_t mem[128];

static void fill(void)
{
    for (uint32_t i = 0; i < 128; i++)
        mem[i] = 0x100 + i;
}

static void clear(void)
{
    for (uint32_t i = 0; i < 128; i++)
        mem[i] = 0;
}

static const char *const modes[4] = { "IA", "IB", "DA", "DB" };

static void test_modes(void)
{
    uint32_t out[32];
    t_section("LDM addressing modes, base = mem + 32");
    fill();
    ls_ldm_modes(mem, out);
    /* First word loaded (word index) and final base, without then with writeback. */
    static const uint32_t first[4] = { 8, 9, 6, 5 };
    static const uint32_t wb[4] = { 44, 44, 20, 20 };
    for (int w = 0; w < 2; w++)
        for (int m = 0; m < 4; m++) {
            const uint32_t *o = &out[(w * 4 + m) * 4];
            const char *form = w ? "!" : "";
            t_eq(o[1], 0x100 + first[m], "LDM%s r2%s, {r4-r6}: r4", modes[m], form);
            t_eq(o[2], 0x101 + first[m], "LDM%s r2%s, {r4-r6}: r5", modes[m], form);
            t_eq(o[3], 0x102 + first[m], "LDM%s r2%s, {r4-r6}: r6", modes[m], form);
            t_eq(o[0], w ? wb[m] : 32, "LDM%s r2%s, {r4-r6}: base offset after", modes[m], form);
        }

    t_section("STM addressing modes, base = mem + 32 + 64n");
    clear();
    ls_stm_modes(mem, out);
    for (int w = 0; w < 2; w++)
        for (int m = 0; m < 4; m++) {
            int n = w * 4 + m;
            uint32_t at = (uint32_t)(8 + 16 * n) + first[m] - 8; /* word index of r4 */
            const char *form = w ? "!" : "";
            uint32_t ok = mem[at] == 0xA1 && mem[at + 1] == 0xA2 && mem[at + 2] == 0xA3 &&
                          mem[at - 1] == 0 && mem[at + 3] == 0;
            t_eq(ok, 1, "STM%s r2%s, {r4-r6}: three words at the right place", modes[m], form);
            t_eq(out[n], (w ? wb[m] : 32) + 64 * (uint32_t)n,
                 "STM%s r2%s, {r4-r6}: base offset after", modes[m], form);
        }
}

static void test_base_in_list(void)
{
    uint32_t out[11];
    t_section("the base register in the list");
    clear();
    mem[0] = 0x11;
    mem[1] = 0x22;
    mem[2] = 0x33;
    ls_base_in_list(mem, out);
    t_eq(out[0], 0x11, "LDMIA r5, {r4, r5, r6}: r4");
    t_eq(out[1], 0x22, "LDMIA r5, {r4, r5, r6}: r5 = the loaded value");
    t_eq(out[2], 0x33, "LDMIA r5, {r4, r5, r6}: r6");
    t_eq(out[3], 0x11, "LDMIA r4, {r4, r5, r6}: r4 (base first) = the loaded value");
    t_eq(out[4], 0x22, "LDMIA r4, {r4, r5, r6}: r5");
    t_eq(out[5], 0x33, "LDMIA r4, {r4, r5, r6}: r6");
    t_eq(out[6], 0x33, "LDMIA r6, {r4-r6}: r6 (base last) = the loaded value");
    t_eq(out[7], 32, "STMIA r4!, {r4, r5}: base lowest stores its original value");
    t_eq(out[8], 0x55, "STMIA r4!, {r4, r5}: r5 stored next");
    t_eq(out[9], 40, "STMIA r4!, {r4, r5}: writeback");
    t_eq(out[10], 64, "STMIB r5, {r4, r5} (no writeback): stores the base value");
}

static void test_user_bank(void)
{
    uint32_t out[3];
    t_section("user-bank transfers from SVC mode");
    clear();
    mem[4] = 0xBEEF000D;
    mem[5] = 0xBEEF000E;
    ls_user_bank(mem, out);
    t_eq(mem[0], 0x88888888, "STMIA r0, {r8, sp, lr}^: r8");
    t_eq(mem[1], 0xCAFE000D, "STMIA r0, {r8, sp, lr}^: stores the User sp");
    t_eq(mem[2], 0xCAFE000E, "STMIA r0, {r8, sp, lr}^: stores the User lr");
    t_eq(out[0], 0xBEEF000D, "LDMIA r3, {sp, lr}^: loads the User sp");
    t_eq(out[1], 0xBEEF000E, "LDMIA r3, {sp, lr}^: loads the User lr");
    t_eq(out[2], 1, "LDM^/STM^: SVC's own sp and lr untouched");
}

static void test_lists(void)
{
    uint32_t out[4];
    t_section("one-register and 13-register lists");
    clear();
    t_eq(ls_full_list(mem), 1 + 2 * 2 + 3 * 4 + 4 * 8 + 5 * 16 + 6 * 32 + 7 * 64 + 8 * 128 +
                                9 * 256 + 10 * 512 + 11 * 1024 + 12 * 2048 + 14 * 4096 + 52,
         "STMDB r0!, {r1-r12, lr} then LDMIA r0!, {r1-r12, lr}: values and base");
    fill();
    ls_single(mem, out);
    t_eq(out[0], 0x100, "LDMIA r2!, {r5}: value");
    t_eq(out[1], 4, "LDMIA r2!, {r5}: base + 4");
    t_eq(out[2], 12, "STMDB r2!, {r5}: base - 4");
    t_eq(out[3], 0x100, "STMDB r2!, {r5}: stored below the base");
}

static void test_thumb(void)
{
    uint32_t out[10];
    t_section("Thumb LDMIA, STMIA, PUSH, POP");
    clear();
    mem[0] = 0x11;
    mem[1] = 0x22;
    mem[2] = 0x33;
    mem[3] = 0x44;
    ls_thumb(mem, out);
    t_eq(out[0], 0x11, "Thumb LDMIA r1!, {r2-r4}: r2");
    t_eq(out[1], 0x22, "Thumb LDMIA r1!, {r2-r4}: r3");
    t_eq(out[2], 0x33, "Thumb LDMIA r1!, {r2-r4}: r4");
    t_eq(out[3], 12, "Thumb LDMIA r1!, {r2-r4}: writeback");
    t_eq(out[4], 0x22, "Thumb LDMIA r1, {r0-r2}: base in list gets the loaded value");
    t_eq(out[5], 32, "Thumb STMIA r1!, {r1, r2}: base lowest stores its original value");
    t_eq(out[6], 0x5A, "Thumb STMIA r1!, {r1, r2}: r2");
    t_eq(out[7], 40, "Thumb STMIA r1!, {r1, r2}: writeback");
    t_eq(out[8], 6, "Thumb PUSH {r4-r6} / POP {r4-r6}: values");
    t_eq(out[9], 0, "Thumb PUSH / POP: sp back where it was");
}

int main(void)
{
    test_modes();
    test_base_in_list();
    test_user_bank();
    test_lists();
    test_thumb();
    return t_done("ldm_stm");
}
