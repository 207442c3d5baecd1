/*
 * fcse_far.c - the FAR after a data abort on an address the FCSE relocated
 * holds the modified virtual address (ARM926EJ-S TRM 3.6.2 "Fault Address
 * Register": "the MVA of the access"), for translation, domain, permission
 * and alignment faults.  EMU ONLY: QEMU 7.2 reports the unmodified virtual
 * address (checked: its FAR was 0x01f01004 where the ARM926EJ-S gives
 * 0x03f01004).  The rest of the FCSE is tested on both machines by fcse.
 */
#include "fcse_map.h"

int main(void)
{
    t_printf("fcse_far: the FAR holds the MVA (emu only)\n");
    mmu_init();
    fcse_setup();
    /* PID 1's window gets a table of its own, in domain 9: page 0 as
       before, page 1 unmapped, page 2 AP 1 (privileged only), page 3 AP 3. */
    uint32_t t = frame_alloc(1024), f = frame_alloc(4096);
    set_coarse(t, W, L2_SMALL(frame[1], APX4(AP_3)));
    set_coarse(t, W + 0x2000, L2_SMALL(f, APX4(AP_1)));
    set_coarse(t, W + 0x3000, L2_SMALL(f, APX4(AP_3)));
    set_l1(mmu_l1, MVA(1, W + 0x2000), L1_COARSE(t, 9));
    cp15_set_dacr(DACR_SET(0x55555555u, 9, DOM_CLIENT));
    tlb_inv_all();
    cp15_set_fcse(PID(1));
    uint32_t v;

    check_access(try_read(p_ldr, W + 0x1004, &v), FSR(9, FS_TRANS_PAGE), MVA(1, W + 0x1004), p_ldr_at,
                 "PID 1, LDR 0x%x (unmapped page)", W + 0x1004);
    check_access(try_write(p_strt, W + 0x2008, 1), FSR(9, FS_PERM_PAGE), MVA(1, W + 0x2008), p_strt_at,
                 "PID 1, STRT 0x%x (AP 1)", W + 0x2008);
    cp15_set_dacr(DACR_SET(0x55555555u, 9, DOM_NOACCESS));
    check_access(try_read(p_ldrb, W + 0x300B, &v), FSR(9, FS_DOM_PAGE), MVA(1, W + 0x300B), p_ldrb_at,
                 "PID 1, LDRB 0x%x (no-access domain)", W + 0x300B);
    cp15_set_dacr(0x55555555u);
    /* Alignment: the FAR is the MVA too.  (The TLB invalidate is incidental
       here; faults tests the A bit on its own.) */
    cp15_set_control(cp15_control() | CR_A);
    tlb_inv_all();
    uint32_t fsr = try_read(p_ldr, W + 0x2, &v);
    t_eq(fsr & 0xD, FS_ALIGN, "PID 1, LDR 0x%x: alignment fault, status", W + 2);
    t_eq(abt.far, MVA(1, W + 2), "PID 1, LDR 0x%x: FAR", W + 2);
    cp15_set_control(cp15_control() & ~CR_A);
    /* Above 32 MiB nothing is relocated: the FAR is the address itself. */
    check_access(try_read(p_ldr, MVA(1, W + 0x1008), &v), FSR(9, FS_TRANS_PAGE), MVA(1, W + 0x1008), p_ldr_at,
                 "PID 1, LDR 0x%x (the MVA itself)", MVA(1, W + 0x1008));
    cp15_set_fcse(0);
    check_access(try_read(p_ldr, W + 0x1004, &v), FSR(2, FS_TRANS_PAGE), W + 0x1004, p_ldr_at,
                 "PID 0, LDR 0x%x", W + 0x1004);
    return t_done("fcse_far");
}
