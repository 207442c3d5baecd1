/*
 * extabort.c - external aborts on the access with the MMU on (ARM926EJ-S
 * TRM table 3-9: status 0b10x0, domain not valid): a section or page whose
 * physical address is nothing (0x20000000, 0x30000000 on the CX), for
 * LDR, STR, an LDM that crosses from RAM into nothing (FAR = the first
 * aborted word) and an instruction fetch (IFSR, lr_abt = target + 4, FAR
 * unchanged).
 *
 * EMU ONLY: QEMU's versatilepb answers unassigned physical addresses with
 * zero for data accesses and fetches (see tests/cpu/aborts), so nothing
 * aborts there (checked: QEMU 7.2 read 0 and ran the zero words).
 */
#include "mmu.h"

#define NOWHERE 0x20000000u
#define SEC_VA (TEST_VA + 0x200000u)    /* section -> NOWHERE, domain 7 */
#define PAGES_VA (TEST_VA + 0x300000u)  /* coarse table in RAM, domain 8 */

int main(void)
{
    t_printf("extabort: external aborts on the access (emu only)\n");
    mmu_init();
    uint32_t table = frame_alloc(1024), data = frame_alloc(4096);
    set_l1(mmu_l1, SEC_VA, L1_SECTION(NOWHERE, AP_3, 7));
    set_coarse(table, PAGES_VA, L2_SMALL(data, APX4(AP_3)));
    set_coarse(table, PAGES_VA + 0x1000, L2_SMALL(0x30000000u, APX4(AP_3)));
    set_l1(mmu_l1, PAGES_VA, L1_COARSE(table, 8));
    tlb_inv_all();
    uint32_t v;

    uint32_t fsr, r;
    t_section("external abort on the access");
    fsr = try_read(p_ldr, SEC_VA + 4, &v);
    t_eq(fsr & 0xD, FS_EXT, "LDR 0x%x (section on nothing): external abort, status 0b10x0", SEC_VA + 4);
    t_eq(abt.far, SEC_VA + 4, "LDR 0x%x: FAR", SEC_VA + 4);
    t_eq(abt.lr - (uint32_t)p_ldr_at, 8, "LDR 0x%x: lr_abt - instruction", SEC_VA + 4);
    fsr = try_write(p_str, PAGES_VA + 0x1008, 1);
    t_eq(fsr & 0xD, FS_EXT, "STR 0x%x (page on nothing): external abort, status 0b10x0", PAGES_VA + 0x1008);
    t_eq(abt.far, PAGES_VA + 0x1008, "STR 0x%x: FAR", PAGES_VA + 0x1008);
    fsr = try_read(p_ldm, PAGES_VA + 0xFFC, &v);
    t_eq(fsr & 0xD, FS_EXT, "LDMIA 0x%x {2 words}, the second on nothing: external abort", PAGES_VA + 0xFFC);
    t_eq(abt.far, PAGES_VA + 0x1000, "LDMIA 0x%x: FAR = the first aborted word", PAGES_VA + 0xFFC);
    abt_clear();
    cp15_set_far(0x0BADFA11);
    r = call_probe(0, 0, (const void *)(SEC_VA + 0x40));
    t_eq(r, POISON, "BLX 0x%x (section on nothing): prefetch abort", SEC_VA + 0x40);
    t_eq(abt.fsr & 0xD, FS_EXT, "BLX 0x%x: IFSR status 0b10x0", SEC_VA + 0x40);
    t_eq(abt.lr, SEC_VA + 0x44, "BLX 0x%x: lr_abt", SEC_VA + 0x40);
    t_eq(abt.far, 0x0BADFA11, "BLX 0x%x: FAR unchanged", SEC_VA + 0x40);
    check_access(try_read(p_ldr, PAGES_VA + 0x10, &v), 0, 0, 0, "LDR 0x%x (page in RAM)", PAGES_VA + 0x10);
    return t_done("extabort");
}
