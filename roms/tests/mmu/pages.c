/*
 * pages.c - translation through every kind of descriptor (ARM ARM B4.7,
 * ARM926EJ-S TRM 3.2): 1 MiB sections, coarse tables with 64 KiB large and
 * 4 KiB small pages, fine tables with large, small and 1 KiB tiny pages,
 * and the four subpage AP fields of large and small pages.  Runs on emu
 * and QEMU versatilepb.
 *
 * Each window is filled through the flat map (physical address) and read
 * through the test mapping, or the other way round; code is run from a
 * small and a tiny page.  The subpage checks make the allowed access first
 * and the refused one after it, in the same 4 KiB page, so that a TLB that
 * cached the page whole would be caught.
 */
#include "mmu.h"

#define DOM 1u
#define SEC_VA (TEST_VA + 0x000000u)    /* section */
#define COARSE_VA (TEST_VA + 0x100000u) /* coarse table */
#define FINE_VA (TEST_VA + 0x200000u)   /* fine table */
#define CODE_VA (TEST_VA + 0x300000u)   /* code in a small and a tiny page */

static uint32_t pattern(uint32_t a)
{
    return a * 0x9E3779B1u ^ 0x5A5A0000u;
}

/* Fills [pa, pa + size) with pattern(offset from `tag`). */
static void fill(uint32_t pa, uint32_t size, uint32_t tag)
{
    for (uint32_t i = 0; i < size; i += 4)
        wr32(pa + i, pattern(tag + i));
}

static void check_read(const char *what, uint32_t va, uint32_t tag)
{
    t_eq(rd32(va), pattern(tag), "%s: read 0x%x", what, va);
}

static void sections(void)
{
    t_section("1 MiB section");
    uint32_t f = frame_1m(0);
    fill(f, 1u << 20, 0x100000);
    set_l1(mmu_l1, SEC_VA, L1_SECTION(f, AP_3, DOM));
    tlb_inv_all();
    check_read("section", SEC_VA, 0x100000);
    check_read("section", SEC_VA + 0x12344, 0x112344);
    check_read("section", SEC_VA + 0xABCD0, 0x1ABCD0);
    check_read("section", SEC_VA + 0xFFFFC, 0x1FFFFC);
    wr32(SEC_VA + 0x80000, 0x11223344);
    t_eq(rd32(f + 0x80000), 0x11223344, "section: write 0x%x lands at frame + 0x80000",
         SEC_VA + 0x80000);
    /* Byte and halfword accesses through the mapping. */
    uint32_t v;
    try_read(p_ldrb, SEC_VA + 0x80001, &v);
    t_eq(v, 0x33, "section: LDRB 0x%x", SEC_VA + 0x80001);
    try_read(p_ldrh, SEC_VA + 0x80002, &v);
    t_eq(v, 0x1122, "section: LDRH 0x%x", SEC_VA + 0x80002);
    try_write(p_strb, SEC_VA + 0x80003, 0xAB);
    try_write(p_strh, SEC_VA + 0x80000, 0xCDEF);
    t_eq(rd32(f + 0x80000), 0xAB22CDEF, "section: STRB/STRH through the mapping");
    /* A second virtual section on the same frame sees the same bytes. */
    set_l1(mmu_l1, SEC_VA + 0x700000, L1_SECTION(f, AP_3, DOM));
    tlb_inv_all();
    wr32(SEC_VA + 0x700000 + 0x40, 0xCAFEF00D);
    t_eq(rd32(SEC_VA + 0x40), 0xCAFEF00D, "two sections aliasing one frame");
}

static void coarse(void)
{
    t_section("coarse table: small and large pages, subpages");
    uint32_t table = frame_alloc(1024);
    uint32_t a = frame_alloc(4096), b = frame_alloc(4096);
    uint32_t large = frame_alloc(65536);
    uint32_t sub = frame_alloc(4096);
    uint32_t lsub = frame_alloc(65536);
    fill(a, 4096, 0xA000);
    fill(b, 4096, 0xB000);
    fill(large, 65536, 0x200000);
    fill(sub, 4096, 0xC000);
    fill(lsub, 65536, 0x300000);
    /* Small pages in swapped order: the second virtual page on frame a. */
    set_coarse(table, COARSE_VA + 0x0000, L2_SMALL(b, APX4(AP_3)));
    set_coarse(table, COARSE_VA + 0x1000, L2_SMALL(a, APX4(AP_3)));
    set_coarse(table, COARSE_VA + 0x10000, L2_LARGE(large, APX4(AP_3)));
    set_coarse(table, COARSE_VA + 0x20000, L2_SMALL(sub, APS(AP_3, AP_2, AP_1, AP_0)));
    set_coarse(table, COARSE_VA + 0x30000, L2_LARGE(lsub, APS(AP_3, AP_2, AP_1, AP_0)));
    set_l1(mmu_l1, COARSE_VA, L1_COARSE(table, DOM));
    tlb_inv_all();

    check_read("small page", COARSE_VA + 0x0000, 0xB000);
    check_read("small page", COARSE_VA + 0x0FFC, 0xBFFC);
    check_read("small page", COARSE_VA + 0x1000, 0xA000);
    check_read("small page", COARSE_VA + 0x1AB4, 0xAAB4);
    wr32(COARSE_VA + 0x1100, 0x600DF00D);
    t_eq(rd32(a + 0x100), 0x600DF00D, "small page: write 0x%x lands at frame + 0x100",
         COARSE_VA + 0x1100);
    check_read("large page", COARSE_VA + 0x10000, 0x200000);
    check_read("large page", COARSE_VA + 0x14008, 0x204008);
    check_read("large page", COARSE_VA + 0x1BCDC, 0x20BCDC);
    check_read("large page", COARSE_VA + 0x1FFFC, 0x20FFFC);

    /* Small page, subpage APs 3, 2, 1, 0 (1 KiB each); S = R = 0.  User
       accesses by LDRT/STRT. */
    uint32_t s = COARSE_VA + 0x20000, v;
    uint32_t fp = FSR(DOM, FS_PERM_PAGE);
    check_access(try_read(p_ldrt, s + 0x000, &v), 0, 0, 0, "small subpage 0 (AP 3): user read");
    check_access(try_write(p_strt, s + 0x004, 1), 0, 0, 0, "small subpage 0 (AP 3): user write");
    check_access(try_read(p_ldrt, s + 0x400, &v), 0, 0, 0, "small subpage 1 (AP 2): user read");
    t_eq(v, pattern(0xC400), "small subpage 1: value read");
    check_access(try_write(p_strt, s + 0x404, 2), fp, s + 0x404, p_strt_at,
                 "small subpage 1 (AP 2): user write");
    check_access(try_write(p_str, s + 0x408, 3), 0, 0, 0, "small subpage 1 (AP 2): privileged write");
    check_access(try_read(p_ldr, s + 0x800, &v), 0, 0, 0, "small subpage 2 (AP 1): privileged read");
    check_access(try_read(p_ldrt, s + 0x800, &v), fp, s + 0x800, p_ldrt_at,
                 "small subpage 2 (AP 1): user read");
    check_access(try_read(p_ldr, s + 0xC00, &v), fp, s + 0xC00, p_ldr_at,
                 "small subpage 3 (AP 0, S=R=0): privileged read");
    check_access(try_read(p_ldr, s + 0xBFC, &v), 0, 0, 0, "small subpage 2 (AP 1): last word, privileged read");
    t_eq(rd32(sub + 0x004), 1, "small subpage 0: user write landed");
    t_eq(rd32(sub + 0x404), pattern(0xC404), "small subpage 1: refused write left memory");
    t_eq(rd32(sub + 0x408), 3, "small subpage 1: privileged write landed");

    /* Large page, subpage APs 3, 2, 1, 0 (16 KiB each). */
    uint32_t l = COARSE_VA + 0x30000;
    check_access(try_write(p_strt, l + 0x3FFC, 4), 0, 0, 0, "large subpage 0 (AP 3): user write");
    check_access(try_read(p_ldrt, l + 0x4000, &v), 0, 0, 0, "large subpage 1 (AP 2): user read");
    check_access(try_write(p_strt, l + 0x4000, 5), fp, l + 0x4000, p_strt_at,
                 "large subpage 1 (AP 2): user write");
    check_access(try_read(p_ldrt, l + 0x8010, &v), fp, l + 0x8010, p_ldrt_at,
                 "large subpage 2 (AP 1): user read");
    check_access(try_write(p_str, l + 0xBFFC, 6), 0, 0, 0, "large subpage 2 (AP 1): privileged write");
    check_access(try_write(p_str, l + 0xC000, 7), fp, l + 0xC000, p_str_at,
                 "large subpage 3 (AP 0, S=R=0): privileged write");
    t_eq(rd32(lsub + 0x3FFC), 4, "large subpage 0: user write landed");
    t_eq(rd32(lsub + 0xBFFC), 6, "large subpage 2: privileged write landed");
    t_eq(rd32(lsub + 0xC000), pattern(0x30C000), "large subpage 3: refused write left memory");
}

static void fine(void)
{
    t_section("fine table: tiny, small and large pages");
    uint32_t table = frame_alloc(4096);
    uint32_t t = frame_alloc(4096);
    uint32_t t2 = frame_alloc(1024);
    uint32_t small = frame_alloc(4096);
    uint32_t large = frame_alloc(65536);
    fill(t, 4096, 0xD000);
    fill(t2, 1024, 0xE000);
    fill(small, 4096, 0xF000);
    fill(large, 65536, 0x400000);
    /* Tiny pages: virtual 1 KiB pages 0, 1, 2, 3 on frame quarters 3, 0, 2, 1. */
    set_fine(table, FINE_VA + 0x000, L2_TINY(t + 0xC00, AP_3));
    set_fine(table, FINE_VA + 0x400, L2_TINY(t + 0x000, AP_3));
    set_fine(table, FINE_VA + 0x800, L2_TINY(t + 0x800, AP_3));
    set_fine(table, FINE_VA + 0xC00, L2_TINY(t + 0x400, AP_3));
    /* A user read-only tiny page next to them. */
    set_fine(table, FINE_VA + 0x1000, L2_TINY(t2, AP_2));
    set_fine(table, FINE_VA + 0x4000, L2_SMALL(small, APX4(AP_3)));
    set_fine(table, FINE_VA + 0x10000, L2_LARGE(large, APX4(AP_3)));
    set_l1(mmu_l1, FINE_VA, L1_FINE(table, DOM));
    tlb_inv_all();

    check_read("tiny page 0", FINE_VA + 0x000, 0xDC00);
    check_read("tiny page 0", FINE_VA + 0x3FC, 0xDFFC);
    check_read("tiny page 1", FINE_VA + 0x400, 0xD000);
    check_read("tiny page 2", FINE_VA + 0x9A8, 0xD9A8);
    check_read("tiny page 3", FINE_VA + 0xC00, 0xD400);
    wr32(FINE_VA + 0x404, 0x7E577E57);
    t_eq(rd32(t + 0x004), 0x7E577E57, "tiny page 1: write 0x%x lands at frame + 4", FINE_VA + 0x404);
    uint32_t v, tp = FINE_VA + 0x1000;
    check_access(try_write(p_strt, FINE_VA + 0xC04, 9), 0, 0, 0, "tiny page 3 (AP 3): user write");
    check_access(try_read(p_ldrt, tp + 0x10, &v), 0, 0, 0, "tiny page (AP 2): user read");
    t_eq(v, pattern(0xE010), "tiny page (AP 2): value read");
    check_access(try_write(p_strt, tp + 0x10, 1), FSR(DOM, FS_PERM_PAGE), tp + 0x10, p_strt_at,
                 "tiny page (AP 2): user write");
    check_access(try_read(p_ldr, tp + 0x400, &v), FSR(DOM, FS_TRANS_PAGE), tp + 0x400, p_ldr_at,
                 "fine entry after the tiny page (fault descriptor): read");
    check_read("small page in a fine table", FINE_VA + 0x4000, 0xF000);
    check_read("small page in a fine table", FINE_VA + 0x4FFC, 0xFFFC);
    check_read("large page in a fine table", FINE_VA + 0x10000, 0x400000);
    check_read("large page in a fine table", FINE_VA + 0x1E004, 0x40E004);
}

static void code(void)
{
    t_section("instructions fetched through pages");
    uint32_t coarse_t = frame_alloc(1024), fine_t = frame_alloc(4096);
    uint32_t page = frame_alloc(4096), tiny = frame_alloc(1024);
    put_ret(page + 0x10, 42);
    put_ret(tiny + 0x3F8, 43);
    set_coarse(coarse_t, CODE_VA, L2_SMALL(page, APX4(AP_3)));
    set_fine(fine_t, CODE_VA + 0x100000 + 0x800, L2_TINY(tiny, AP_3));
    set_l1(mmu_l1, CODE_VA, L1_COARSE(coarse_t, DOM));
    set_l1(mmu_l1, CODE_VA + 0x100000, L1_FINE(fine_t, DOM));
    tlb_inv_all();
    uint32_t (*f)(void) = (uint32_t (*)(void))(CODE_VA + 0x10);
    t_eq(f(), 42, "call 0x%x (small page)", CODE_VA + 0x10);
    f = (uint32_t (*)(void))(CODE_VA + 0x100000 + 0x800 + 0x3F8);
    t_eq(f(), 43, "call 0x%x (tiny page)", CODE_VA + 0x100000 + 0xBF8);
}

int main(void)
{
    t_printf("pages: translation by sections, large, small and tiny pages\n");
    mmu_init();
    sections();
    coarse();
    fine();
    code();
    return t_done("pages");
}
