/*
 * fcse.c - the Fast Context Switch Extension (CP15 c13 FCSE PID; ARM ARM
 * B8, ARM926EJ-S TRM 2.3.13): addresses below 32 MiB are relocated by
 * PID * 32 MiB, data accesses and instruction fetches alike; addresses at
 * or above 32 MiB are not; a relocated address can also be reached
 * directly by its MVA.  Changing the PID needs no TLB maintenance (the TLB
 * holds MVAs; that is the point of the FCSE), so none is done.  Runs on
 * emu and QEMU versatilepb: QEMU implements the FCSE.
 *
 * Not here: the FAR after a fault on a relocated address.  The ARM926EJ-S
 * TRM (3.6.2) says it holds the MVA, which emu reports; QEMU reports the
 * unmodified VA.  That check is in fcse_far (emu only).
 */
#include "fcse_map.h"

int main(void)
{
    t_printf("fcse: FCSE PID relocation of addresses below 32 MiB\n");
    mmu_init();
    fcse_setup();
    set_l1(mmu_l1, TEST_VA, L1_SECTION(frame_1m(0), AP_3, 1));
    wr32(frame_1m(0) + 0x10, 0x61616161);
    tlb_inv_all();
    uint32_t (*code)(void) = (uint32_t (*)(void))(W + 0x800);
    uint32_t v;

    t_section("c13 FCSE PID");
    t_eq(cp15_fcse(), 0, "PID after reset");
    cp15_set_fcse(PID(1));
    t_eq(cp15_fcse(), PID(1), "PID 1 written and read back");

    for (uint32_t p = 0; p <= 2; p++) {
        t_section("PID %u", p);
        cp15_set_fcse(PID(p));
        t_eq(rd32(W), 0xF0F00000u + p, "PID %u: read 0x%x reaches MVA 0x%x", p, W, MVA(p, W));
        wr32(W + 4, 0x57000000u + p);
        t_eq(rd32(frame[p] + 4), 0x57000000u + p, "PID %u: write 0x%x lands at MVA 0x%x", p, W + 4, MVA(p, W + 4));
        t_eq(code(), p, "PID %u: call 0x%x runs the code at MVA 0x%x", p, W + 0x800, MVA(p, W + 0x800));
        if (p != 0)
            t_eq(rd32(MVA(p, W)), 0xF0F00000u + p, "PID %u: MVA 0x%x read directly", p, MVA(p, W));
        t_eq(rd32(TEST_VA + 0x10), 0x61616161, "PID %u: 0x%x (above 32 MiB) not relocated", p, TEST_VA + 0x10);
        uint32_t fsr = try_read(p_ldr, W + 0x1004, &v);
        t_eq(fsr, FSR(2, FS_TRANS_PAGE), "PID %u: read 0x%x (unmapped page): translation fault (page)", p, W + 0x1004);
        check_access(try_read(p_ldrt, W + 8, &v), 0, 0, 0, "PID %u: LDRT 0x%x", p, W + 8);
        t_eq(v, 0, "PID %u: LDRT value", p);
        t_eq(run_user(W, 0, (const void *)p_ldr), 0xF0F00000u + p, "PID %u: read 0x%x in User mode", p, W);
    }
    cp15_set_fcse(0);
    t_eq(rd32(W), 0xF0F00000u, "PID 0 again: read 0x%x", W);
    return t_done("fcse");
}
