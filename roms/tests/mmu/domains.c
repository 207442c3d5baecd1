/*
 * domains.c - the 16 domains and their four DACR settings (ARM ARM B4.6.4;
 * ARM926EJ-S TRM 3.5 "Domain access control"): no access (a domain fault
 * for every access, with the domain number in the FSR), client (the AP
 * bits decide), manager (no permission check at all) and the reserved
 * value 0b10, which the ARM926EJ-S TRM says behaves like no access.  For
 * sections and small pages, data accesses and instruction fetches.  Also:
 * a domain fault wins over a permission fault, a translation fault (fault
 * descriptor) wins over the domain.  Runs on emu and QEMU versatilepb.
 *
 * Not tested: a second-level fault descriptor under a no-access domain.
 * emu reports the translation (page) fault the ARM926EJ-S TRM's priority
 * table puts first; QEMU checks the domain at the first level and reports
 * a domain fault.
 */
#include "mmu.h"

#define SEC_VA (TEST_VA + 0x000000u)  /* a section, AP 1 (privileged only) */
#define PAGE_VA (TEST_VA + 0x100000u) /* a small page, AP 1 */
#define CODE_VA (TEST_VA + 0x200000u) /* a section holding code */
#define CPAGE_VA (TEST_VA + 0x300000u) /* a small page holding code */
#define FAULT_VA (TEST_VA + 0x400000u) /* a first-level fault descriptor */

static uint32_t coarse, ccoarse, page, cpage;

/* Points the test mappings at domain `dom` (and flushes the TLB). */
static void use_domain(uint32_t dom, uint32_t ap)
{
    set_l1(mmu_l1, SEC_VA, L1_SECTION(frame_1m(0), ap, dom));
    set_coarse(coarse, PAGE_VA, L2_SMALL(page, APX4(ap)));
    set_l1(mmu_l1, PAGE_VA, L1_COARSE(coarse, dom));
    set_l1(mmu_l1, CODE_VA, L1_SECTION(frame_1m(1), ap, dom));
    set_coarse(ccoarse, CPAGE_VA, L2_SMALL(cpage, APX4(ap)));
    set_l1(mmu_l1, CPAGE_VA, L1_COARSE(ccoarse, dom));
    tlb_inv_all();
}

/* A fetch from `target`: returns 0 if the call came back, else the IFSR;
   checks lr_abt = target + 4, the SPSR's mode and an unchanged FAR. */
static uint32_t try_fetch(uint32_t target, uint32_t want, const char *what)
{
    abt_clear();
    cp15_set_far(0x0BADFA11);
    uint32_t r = call_probe(0, 0, (const void *)target);
    uint32_t ifsr = abt.count ? abt.fsr : 0;
    t_eq(ifsr, want, "%s: %s", what, fsr_name(want));
    if (abt.count && want) {
        t_eq(abt.vec, 3, "%s: prefetch abort vector", what);
        t_eq(abt.lr - target, 4, "%s: lr_abt - target", what);
        t_eq(abt.spsr & 0x1F, MODE_SVC, "%s: SPSR mode", what);
        t_eq(abt.far, 0x0BADFA11, "%s: FAR unchanged", what);
    }
    if (!abt.count)
        t_eq(r, 0x42, "%s: returned", what);
    return ifsr;
}

int main(void)
{
    t_printf("domains: no access, client, manager and reserved, in all 16 domains\n");
    mmu_init();
    coarse = frame_alloc(1024);
    ccoarse = frame_alloc(1024);
    page = frame_alloc(4096);
    cpage = frame_alloc(4096);
    put_ret(frame_1m(1), 0x42);
    put_ret(cpage, 0x42);
    wr32(frame_1m(0), 0x5EC7104E);
    wr32(page, 0x9A9E0001);
    uint32_t v;

    t_section("no access: a domain fault in every domain (1-15)");
    for (uint32_t d = 1; d < 16; d++) {
        use_domain(d, AP_3);
        cp15_set_dacr(DACR_SET(0x55555555u, d, DOM_NOACCESS));
        check_access(try_read(p_ldr, SEC_VA + 4 * d, &v), FSR(d, FS_DOM_SEC), SEC_VA + 4 * d,
                     p_ldr_at, "domain %u no access: section read", d);
        check_access(try_write(p_str, PAGE_VA + 0x10 * d, 1), FSR(d, FS_DOM_PAGE),
                     PAGE_VA + 0x10 * d, p_str_at, "domain %u no access: page write", d);
    }
    t_eq(rd32(page + 0x10), 0, "refused page writes left memory");
    t_eq(cp15_dacr(), 0x15555555, "DACR reads back");

    t_section("client: the AP bits decide (AP 1: privileged only)");
    use_domain(5, AP_1);
    cp15_set_dacr(DACR_SET(0x55555555u, 5, DOM_CLIENT));
    check_access(try_read(p_ldr, SEC_VA, &v), 0, 0, 0, "domain 5 client, AP 1: privileged section read");
    t_eq(v, 0x5EC7104E, "domain 5 client: value read");
    check_access(try_read(p_ldrt, SEC_VA + 8, &v), FSR(5, FS_PERM_SEC), SEC_VA + 8, p_ldrt_at,
                 "domain 5 client, AP 1: user section read");
    check_access(try_write(p_strt, PAGE_VA + 8, 2), FSR(5, FS_PERM_PAGE), PAGE_VA + 8, p_strt_at,
                 "domain 5 client, AP 1: user page write");
    check_access(user_read(PAGE_VA, &v), FSR(5, FS_PERM_PAGE), PAGE_VA, p_ldr_at,
                 "domain 5 client, AP 1: page read in User mode");

    t_section("manager: no permission check");
    use_domain(7, AP_1);
    cp15_set_dacr(DACR_SET(0x55555555u, 7, DOM_MANAGER));
    check_access(try_read(p_ldrt, SEC_VA, &v), 0, 0, 0, "domain 7 manager, AP 1: user section read");
    t_eq(v, 0x5EC7104E, "domain 7 manager: value read");
    check_access(try_write(p_strt, PAGE_VA + 0x20, 3), 0, 0, 0, "domain 7 manager, AP 1: user page write");
    check_access(user_read(PAGE_VA, &v), 0, 0, 0, "domain 7 manager, AP 1: page read in User mode");
    t_eq(v, 0x9A9E0001, "domain 7 manager: value read in User mode");
    check_access(user_write(SEC_VA + 0x20, 4), 0, 0, 0, "domain 7 manager, AP 1: section write in User mode");
    use_domain(7, AP_0); /* S = R = 0: no access at all for a client */
    check_access(try_write(p_str, SEC_VA + 0x24, 5), 0, 0, 0, "domain 7 manager, AP 0: privileged section write");
    check_access(try_read(p_ldrt, PAGE_VA + 0x20, &v), 0, 0, 0, "domain 7 manager, AP 0: user page read");
    t_eq(v, 3, "domain 7 manager: the user page write landed");
    t_eq(rd32(frame_1m(0) + 0x20), 4, "domain 7 manager: the User-mode section write landed");
    cp15_set_dacr(DACR_SET(0x55555555u, 7, DOM_CLIENT));
    check_access(try_read(p_ldr, PAGE_VA + 0x20, &v), FSR(7, FS_PERM_PAGE), PAGE_VA + 0x20, p_ldr_at,
                 "domain 7 back to client, AP 0: privileged page read");

    t_section("reserved (0b10): like no access on the ARM926EJ-S");
    use_domain(9, AP_3);
    cp15_set_dacr(DACR_SET(0x55555555u, 9, DOM_RESERVED));
    check_access(try_read(p_ldr, SEC_VA, &v), FSR(9, FS_DOM_SEC), SEC_VA, p_ldr_at,
                 "domain 9 reserved: section read");
    check_access(try_read(p_ldr, PAGE_VA, &v), FSR(9, FS_DOM_PAGE), PAGE_VA, p_ldr_at,
                 "domain 9 reserved: page read");

    t_section("priorities");
    use_domain(11, AP_1);
    cp15_set_dacr(DACR_SET(0x55555555u, 11, DOM_NOACCESS));
    check_access(try_read(p_ldrt, SEC_VA, &v), FSR(11, FS_DOM_SEC), SEC_VA, p_ldrt_at,
                 "no-access domain and AP 1, user section read: the domain fault wins");
    check_access(try_write(p_strt, PAGE_VA, 6), FSR(11, FS_DOM_PAGE), PAGE_VA, p_strt_at,
                 "no-access domain and AP 1, user page write: the domain fault wins");
    /* A fault descriptor names no domain: the FSR's domain field is not
       valid for a section translation fault (ARM926EJ-S TRM table 3-9), so
       only the status is checked. */
    set_l1(mmu_l1, FAULT_VA, 11u << 5);
    tlb_inv_all();
    uint32_t fsr = try_read(p_ldr, FAULT_VA + 0x40, &v);
    t_eq(fsr & 0xF, FS_TRANS_SEC, "fault descriptor in a no-access domain: translation fault (section) wins");
    t_eq(abt.far, FAULT_VA + 0x40, "fault descriptor in a no-access domain: FAR");

    t_section("instruction fetches");
    use_domain(13, AP_3);
    cp15_set_dacr(DACR_SET(0x55555555u, 13, DOM_NOACCESS));
    try_fetch(CODE_VA, FSR(13, FS_DOM_SEC), "fetch from a section in no-access domain 13");
    try_fetch(CPAGE_VA, FSR(13, FS_DOM_PAGE), "fetch from a page in no-access domain 13");
    cp15_set_dacr(DACR_SET(0x55555555u, 13, DOM_RESERVED));
    try_fetch(CODE_VA, FSR(13, FS_DOM_SEC), "fetch from a section in reserved domain 13");
    use_domain(13, AP_0);
    cp15_set_dacr(DACR_SET(0x55555555u, 13, DOM_MANAGER));
    try_fetch(CODE_VA, 0, "fetch from an AP 0 section in manager domain 13");
    try_fetch(CPAGE_VA, 0, "fetch from an AP 0 page in manager domain 13");
    cp15_set_dacr(DACR_SET(0x55555555u, 13, DOM_CLIENT));
    try_fetch(CODE_VA, FSR(13, FS_PERM_SEC), "fetch from an AP 0 section in client domain 13");
    try_fetch(CPAGE_VA, FSR(13, FS_PERM_PAGE), "fetch from an AP 0 page in client domain 13");

    cp15_set_dacr(0x55555555u);
    return t_done("domains");
}
