/*
 * walkabort.c - a second-level table walk that reads a physical address
 * where nothing answers is an external abort on translation, second level
 * (ARM926EJ-S TRM table 3-9: status 0b1110, domain valid), for data
 * accesses and instruction fetches, from coarse and fine tables (the FAR is
 * the address accessed, an instruction fetch leaves it alone).  Nothing
 * answers at physical 0x20000000 on the CX nor on versatilepb.  Runs on emu
 * and QEMU versatilepb (QEMU reads unassigned memory as zero for data
 * accesses, but its table walks do abort there).  External aborts on the
 * access itself are in extabort (emu only).
 *
 * Not tested: an external abort on a FIRST-level walk.  Every first-level
 * table is 16 KiB, 16 KiB aligned, and on the CX each such block is
 * entirely RAM/ROM, entirely nothing, or a device window that answers
 * every read, so a table that fails for some addresses would fail for the
 * code's own fetches too.
 */
#include "mmu.h"

#define NOWHERE 0x20000000u
#define COARSE_VA (TEST_VA + 0x000000u) /* coarse table at NOWHERE, domain 5 */
#define FINE_VA (TEST_VA + 0x100000u)   /* fine table at NOWHERE + 0x1000, domain 6 */

int main(void)
{
    t_printf("walkabort: external aborts on second-level table walks\n");
    mmu_init();
    set_l1(mmu_l1, COARSE_VA, L1_COARSE(NOWHERE, 5));
    set_l1(mmu_l1, FINE_VA, L1_FINE(NOWHERE + 0x1000, 6));
    tlb_inv_all();
    uint32_t v;

    t_section("external abort on translation, second level");
    check_access(try_read(p_ldr, COARSE_VA + 0x10, &v), FSR(5, FS_EXT_L2), COARSE_VA + 0x10, p_ldr_at,
                 "LDR 0x%x (coarse table in nothing)", COARSE_VA + 0x10);
    check_access(try_write(p_strb, COARSE_VA + 0xABCDE, 1), FSR(5, FS_EXT_L2), COARSE_VA + 0xABCDE, p_strb_at,
                 "STRB 0x%x (coarse table in nothing)", COARSE_VA + 0xABCDE);
    check_access(try_read(p_ldrh, FINE_VA + 0x402, &v), FSR(6, FS_EXT_L2), FINE_VA + 0x402, p_ldrh_at,
                 "LDRH 0x%x (fine table in nothing)", FINE_VA + 0x402);
    abt_clear();
    cp15_set_far(0x0BADFA11);
    uint32_t r = call_probe(0, 0, (const void *)(COARSE_VA + 0x800));
    t_eq(r, POISON, "BLX 0x%x (coarse table in nothing): prefetch abort", COARSE_VA + 0x800);
    t_eq(abt.fsr, FSR(5, FS_EXT_L2), "BLX 0x%x: IFSR", COARSE_VA + 0x800);
    t_eq(abt.lr, COARSE_VA + 0x804, "BLX 0x%x: lr_abt", COARSE_VA + 0x800);
    t_eq(abt.far, 0x0BADFA11, "BLX 0x%x: FAR unchanged", COARSE_VA + 0x800);
    return t_done("walkabort");
}
