/*
 * tlb.c - TLB maintenance (ARM926EJ-S TRM 2.3.9, c8 "TLB Operations
 * Register"; ARM ARM B4.2.2): after a change to a first- or second-level
 * descriptor, each invalidate operation - the whole TLB, one entry by MVA,
 * for the unified TLB (c8, c7), the data TLB (c8, c6) and the instruction
 * TLB (c8, c5) - makes the new mapping, permission or domain visible; for
 * sections, large, small and tiny pages.  A DACR write needs no TLB
 * maintenance: the TLB keeps the domain number, the DACR is checked on
 * every access (ARM926EJ-S TRM 3.5).  Runs on emu and QEMU versatilepb.
 *
 * Not tested, on purpose: what an access sees after a table change
 * WITHOUT an invalidate (a real TLB may or may not still hold the old
 * entry).
 */
#include "mmu.h"

#define SEC_VA (TEST_VA + 0x000000u)
#define PAGES_VA (TEST_VA + 0x100000u) /* coarse table, domain 1 */
#define FINE_VA (TEST_VA + 0x200000u)  /* fine table, domain 1 */
#define P_SMALL (PAGES_VA + 0x0000u)
#define P_LARGE (PAGES_VA + 0x10000u)
#define P_CODE (PAGES_VA + 0x20000u)

static uint32_t coarse, fine;
static uint32_t fa, fb, la, lb, ca, cb;

static void remap_small(uint32_t frame, uint32_t ap, uint32_t dom)
{
    set_coarse(coarse, P_SMALL, L2_SMALL(frame, APX4(ap)));
    set_l1(mmu_l1, PAGES_VA, L1_COARSE(coarse, dom));
}

typedef void (*inv_fn)(uint32_t va);
static void inv_all_u(uint32_t va) { (void)va; tlb_inv_all(); }
static void inv_all_d(uint32_t va) { (void)va; dtlb_inv_all(); }
static void inv_all_i(uint32_t va) { (void)va; itlb_inv_all(); }

static const struct {
    const char *name;
    inv_fn fn;
} data_ops[] = {
    {"invalidate TLB (c8, c7, 0)", inv_all_u},
    {"invalidate TLB entry by MVA (c8, c7, 1)", tlb_inv_mva},
    {"invalidate D-TLB (c8, c6, 0)", inv_all_d},
    {"invalidate D-TLB entry by MVA (c8, c6, 1)", dtlb_inv_mva},
}, code_ops[] = {
    {"invalidate TLB (c8, c7, 0)", inv_all_u},
    {"invalidate TLB entry by MVA (c8, c7, 1)", tlb_inv_mva},
    {"invalidate I-TLB (c8, c5, 0)", inv_all_i},
    {"invalidate I-TLB entry by MVA (c8, c5, 1)", itlb_inv_mva},
};
#define NOPS 4

int main(void)
{
    t_printf("tlb: every c8 invalidate makes a table change visible\n");
    mmu_init();
    coarse = frame_alloc(1024);
    fine = frame_alloc(4096);
    fa = frame_alloc(4096);
    fb = frame_alloc(4096);
    la = frame_alloc(65536);
    lb = frame_alloc(65536);
    ca = frame_alloc(4096);
    cb = frame_alloc(4096);
    wr32(fa + 0x10, 0xAAAA0010);
    wr32(fb + 0x10, 0xBBBB0010);
    wr32(la + 0x9010, 0xAAAA9010);
    wr32(lb + 0x9010, 0xBBBB9010);
    wr32(la + 0x10, 0xAAAA0010);
    wr32(lb + 0x10, 0xBBBB0010);
    wr32(frame_1m(0) + 0x10, 0x5EC00010);
    wr32(frame_1m(1) + 0x10, 0x5EC10010);
    put_ret(ca, 0xA);
    put_ret(cb, 0xB);
    uint32_t v;

    t_section("remapping a small page");
    for (int i = 0; i < NOPS; i++) {
        remap_small(fa, AP_3, 1);
        tlb_inv_all();
        t_eq(rd32(P_SMALL + 0x10), 0xAAAA0010, "%s: before, frame A", data_ops[i].name);
        remap_small(fb, AP_3, 1);
        data_ops[i].fn(P_SMALL + 0x10);
        t_eq(rd32(P_SMALL + 0x10), 0xBBBB0010, "%s: after, frame B", data_ops[i].name);
    }

    t_section("remapping a section");
    for (int i = 0; i < NOPS; i++) {
        set_l1(mmu_l1, SEC_VA, L1_SECTION(frame_1m(0), AP_3, 1));
        tlb_inv_all();
        t_eq(rd32(SEC_VA + 0x10), 0x5EC00010, "%s: before, frame A", data_ops[i].name);
        set_l1(mmu_l1, SEC_VA, L1_SECTION(frame_1m(1), AP_3, 1));
        data_ops[i].fn(SEC_VA + 0x10);
        t_eq(rd32(SEC_VA + 0x10), 0x5EC10010, "%s: after, frame B", data_ops[i].name);
    }

    t_section("remapping a large page, invalidated by one address inside it");
    for (int i = 0; i < NOPS; i++) {
        set_coarse(coarse, P_LARGE, L2_LARGE(la, APX4(AP_3)));
        tlb_inv_all();
        t_eq(rd32(P_LARGE + 0x9010), 0xAAAA9010, "%s: before, frame A", data_ops[i].name);
        t_eq(rd32(P_LARGE + 0x10), 0xAAAA0010, "%s: before, frame A, first 4 KiB", data_ops[i].name);
        set_coarse(coarse, P_LARGE, L2_LARGE(lb, APX4(AP_3)));
        data_ops[i].fn(P_LARGE + 0x10);
        t_eq(rd32(P_LARGE + 0x10), 0xBBBB0010, "%s: after, frame B", data_ops[i].name);
        t_eq(rd32(P_LARGE + 0x9010), 0xBBBB9010, "%s: after, frame B, 36 KiB in", data_ops[i].name);
    }

    t_section("remapping a tiny page");
    set_l1(mmu_l1, FINE_VA, L1_FINE(fine, 1));
    for (int i = 0; i < NOPS; i++) {
        set_fine(fine, FINE_VA + 0xC00, L2_TINY(fa, AP_3));
        tlb_inv_all();
        t_eq(rd32(FINE_VA + 0xC10), 0xAAAA0010, "%s: before, frame A", data_ops[i].name);
        set_fine(fine, FINE_VA + 0xC00, L2_TINY(fb, AP_3));
        data_ops[i].fn(FINE_VA + 0xC10);
        t_eq(rd32(FINE_VA + 0xC10), 0xBBBB0010, "%s: after, frame B", data_ops[i].name);
    }

    t_section("unmapping, and changing permission and domain");
    for (int i = 0; i < NOPS; i++) {
        remap_small(fa, AP_3, 1);
        tlb_inv_all();
        check_access(try_read(p_ldr, P_SMALL + 0x10, &v), 0, 0, 0, "%s: mapped, LDR", data_ops[i].name);
        set_coarse(coarse, P_SMALL, 0);
        data_ops[i].fn(P_SMALL + 0x10);
        check_access(try_read(p_ldr, P_SMALL + 0x10, &v), FSR(1, FS_TRANS_PAGE), P_SMALL + 0x10, p_ldr_at,
                     "%s: unmapped, LDR", data_ops[i].name);

        remap_small(fa, AP_3, 1);
        tlb_inv_all();
        check_access(try_write(p_strt, P_SMALL + 0x14, 1), 0, 0, 0, "%s: AP 3, STRT", data_ops[i].name);
        remap_small(fa, AP_2, 1);
        data_ops[i].fn(P_SMALL + 0x14);
        check_access(try_write(p_strt, P_SMALL + 0x14, 2), FSR(1, FS_PERM_PAGE), P_SMALL + 0x14, p_strt_at,
                     "%s: AP 2, STRT", data_ops[i].name);
        remap_small(fa, AP_3, 1);
        data_ops[i].fn(P_SMALL + 0x14);
        check_access(try_write(p_strt, P_SMALL + 0x14, 3), 0, 0, 0, "%s: AP 3 again, STRT", data_ops[i].name);

        cp15_set_dacr(DACR_SET(0x55555555u, 6, DOM_NOACCESS));
        remap_small(fa, AP_3, 6);
        data_ops[i].fn(P_SMALL + 0x14);
        check_access(try_read(p_ldr, P_SMALL + 0x14, &v), FSR(6, FS_DOM_PAGE), P_SMALL + 0x14, p_ldr_at,
                     "%s: moved to no-access domain 6, LDR", data_ops[i].name);
        cp15_set_dacr(0x55555555u);
    }

    t_section("a DACR write takes effect without TLB maintenance");
    remap_small(fa, AP_3, 12);
    set_l1(mmu_l1, SEC_VA, L1_SECTION(frame_1m(0), AP_3, 12));
    tlb_inv_all();
    check_access(try_read(p_ldr, P_SMALL, &v), 0, 0, 0, "domain 12 client: page LDR");
    check_access(try_read(p_ldr, SEC_VA, &v), 0, 0, 0, "domain 12 client: section LDR");
    cp15_set_dacr(DACR_SET(0x55555555u, 12, DOM_NOACCESS));
    check_access(try_read(p_ldr, P_SMALL, &v), FSR(12, FS_DOM_PAGE), P_SMALL, p_ldr_at,
                 "domain 12 no access: page LDR");
    check_access(try_read(p_ldr, SEC_VA, &v), FSR(12, FS_DOM_SEC), SEC_VA, p_ldr_at,
                 "domain 12 no access: section LDR");
    cp15_set_dacr(DACR_SET(0x55555555u, 12, DOM_MANAGER));
    remap_small(fa, AP_1, 12);
    tlb_inv_all();
    check_access(try_write(p_strt, P_SMALL, 1), 0, 0, 0, "domain 12 manager, AP 1: page STRT");
    cp15_set_dacr(DACR_SET(0x55555555u, 12, DOM_CLIENT));
    check_access(try_write(p_strt, P_SMALL, 1), FSR(12, FS_PERM_PAGE), P_SMALL, p_strt_at,
                 "domain 12 client, AP 1: page STRT");
    cp15_set_dacr(0x55555555u);

    t_section("remapping a code page");
    set_l1(mmu_l1, PAGES_VA, L1_COARSE(coarse, 1));
    for (int i = 0; i < NOPS; i++) {
        set_coarse(coarse, P_CODE, L2_SMALL(ca, APX4(AP_3)));
        tlb_inv_all();
        uint32_t (*f)(void) = (uint32_t (*)(void))(P_CODE + 0);
        t_eq(f(), 0xA, "%s: before, code in frame A", code_ops[i].name);
        set_coarse(coarse, P_CODE, L2_SMALL(cb, APX4(AP_3)));
        code_ops[i].fn(P_CODE);
        t_eq(f(), 0xB, "%s: after, code in frame B", code_ops[i].name);
    }

    return t_done("tlb");
}
