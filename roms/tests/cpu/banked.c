/*
 * banked.c - banked registers across all modes: distinct values written
 * into r8-r12 (User/System and FIQ banks), r13 and r14 of every mode and
 * every SPSR, read back from each mode; User mode sees the System bank and
 * cannot leave by MSR; STM^/LDM^ from FIQ mode reach the User r8-r14.
 */
#include "test.h"

void banked_rw(uint32_t out[72]);
void bk_swi_to_svc(void);

#define PSR_V5 0xF80000FFu

static const char *const reg_names[8] = { "r8", "r9", "r10", "r11", "r12", "sp", "lr", "psr" };

/* MSR writes only the fields its mask names (ARM ARM A4 "MSR"; the
   reserved s and x fields are left alone: writing them is UNPREDICTABLE). */
static void msr_fields(void)
{
    uint32_t saved, spsr_f, spsr_c, cpsr_f, cpsr_c;
    __asm__ volatile("mrs %[saved], spsr\n\t"
                     "msr spsr_fsxc, %[init]\n\t"
                     "msr spsr_f, %[fval]\n\t"
                     "mrs %[sf], spsr\n\t"
                     "msr spsr_c, %[cval]\n\t"
                     "mrs %[sc], spsr\n\t"
                     "msr spsr_fsxc, %[saved]\n\t"
                     "msr cpsr_f, %[fval]\n\t"
                     "mrs %[cf], cpsr\n\t"
                     "msr cpsr_c, %[svc]\n\t"
                     "mrs %[cc], cpsr\n\t"
                     "msr cpsr_f, #0"
                     : [saved] "=&r"(saved), [sf] "=&r"(spsr_f), [sc] "=&r"(spsr_c),
                       [cf] "=&r"(cpsr_f), [cc] "=&r"(cpsr_c)
                     : [init] "r"(0x000000D3), [fval] "r"(0xF80000FF), [cval] "r"(0x7000001F),
                       [svc] "r"(0x000000D3)
                     : "cc");
    t_section("MSR field masks");
    t_eq(spsr_f & PSR_V5, 0xF80000D3, "MSR SPSR_f writes bits 31:24 only");
    t_eq(spsr_c & PSR_V5, 0xF800001F, "MSR SPSR_c writes bits 7:0 only");
    t_eq(cpsr_f & PSR_V5, 0xF80000D3, "MSR CPSR_f writes the flags, not the mode");
    t_eq(cpsr_c & PSR_V5, 0xF80000D3, "MSR CPSR_c writes the mode and masks, not the flags");
}

int main(void)
{
    static uint32_t out[72];
    static const char *const modes[7] = { "SYS", "FIQ", "IRQ", "SVC", "ABT", "UND", "USR" };
    static const uint32_t base[7] = { 0x55000000, 0x11000000, 0x12000000, 0x13000000,
                                      0x17000000, 0x1B000000, 0x55000000 };
    static const uint32_t psr[7] = { 0x1F | 0xC0, 0x80000010, 0x400000F2, 0x20000053,
                                     0x18000097, 0xF800001F, 0x10 | 0xC0 };

    set_hook(VEC_SWI, bk_swi_to_svc);
    banked_rw(out);
    reset_hooks();

    for (int m = 0; m < 7; m++) {
        t_section("%s mode", modes[m]);
        for (int r = 0; r < 5; r++) {
            uint32_t want;
            if (m == 1)
                want = 0xF1000008 + r;
            else if (r == 4)
                want = 0xBB00000C; /* r12 of the shared bank, last written in UND */
            else
                want = 0x55000008 + r;
            t_eq(out[m * 8 + r], want, "%s %s", modes[m], reg_names[r]);
        }
        t_eq(out[m * 8 + 5], base[m] + 0xD, "%s sp", modes[m]);
        t_eq(out[m * 8 + 6], base[m] + 0xE, "%s lr", modes[m]);
        uint32_t got = out[m * 8 + 7] & PSR_V5;
        if (m == 0 || m == 6)
            t_eq(got & 0xFF, psr[m], "%s CPSR mode and masks", modes[m]);
        else
            t_eq(got, psr[m], "%s SPSR", modes[m]);
    }

    t_section("user-bank transfers from FIQ mode");
    for (int r = 0; r < 7; r++) {
        uint32_t u = (uint32_t)r;
        uint32_t want = u == 4 ? 0xBB00000Cu : u < 5 ? 0x55000008u + u : 0x5500000Du + (u - 5);
        t_eq(out[56 + r], want, "FIQ: STMIA {r8-r14}^ stored User %s", reg_names[r]);
    }
    t_eq(out[63], 0xA5A50008, "FIQ: LDMIA {r8, r9}^ loaded User r8");
    t_eq(out[64], 0xA5A50009, "FIQ: LDMIA {r8, r9}^ loaded User r9");
    t_eq(out[65], 0xF1000008, "FIQ: its own r8 unchanged");
    t_eq(out[66], 0xF1000009, "FIQ: its own r9 unchanged");

    msr_fields();
    return t_done("banked");
}
