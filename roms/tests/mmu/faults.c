/*
 * faults.c - every MMU fault kind with its exact FSR, FAR and return
 * address (ARM ARM B4.5 "Aborts", B4.6 "Fault checking sequence"; ARM926EJ-S
 * TRM 3.6 "MMU faults and CPU aborts"): alignment (c1 A set), translation
 * (section, page in a coarse and in a fine table), domain (section, page),
 * permission (section, page), for data accesses (DFSR, FAR, lr_abt =
 * instruction + 8) and instruction fetches (IFSR, lr_abt = instruction + 4,
 * FAR unchanged, taken only when the instruction reaches execution); the
 * state on entry (ABT mode, IRQ masked, SPSR); the priority of alignment
 * over the other faults; a handler that maps the missing page and retries.
 * Runs on emu and QEMU versatilepb.
 *
 * The FSR's domain field is only checked where the ARM926EJ-S TRM (table
 * 3-9) says it is valid: not for alignment faults, nor for translation
 * faults on a section (there only the status bits are compared); and an
 * alignment fault may report status 0b0001 or 0b0011 (TRM note to table
 * 3-9), so bit 1 is masked there.
 * External aborts on translation are in walkabort (emu only).
 */
#include "mmu.h"

#define SEC_VA (TEST_VA + 0x000000u)    /* section, AP 3, domain 2 */
#define NOSEC_VA (TEST_VA + 0x100000u)  /* first-level fault descriptor */
#define COARSE_VA (TEST_VA + 0x200000u) /* coarse table, domain 4 */
#define FINE_VA (TEST_VA + 0x300000u)   /* fine table, domain 6 */
#define DSEC_VA (TEST_VA + 0x400000u)   /* section, domain 8 (no access) */
#define DPAGE_VA (TEST_VA + 0x500000u)  /* coarse table, domain 8 */
#define PSEC_VA (TEST_VA + 0x600000u)   /* section, AP 0, domain 2 */

/* Pages of the coarse table at COARSE_VA. */
#define P_DATA (COARSE_VA + 0x0000u)  /* AP 3 data */
#define P_NONE (COARSE_VA + 0x1000u)  /* fault descriptor */
#define P_PRIV (COARSE_VA + 0x2000u)  /* AP 1 code: privileged only */
#define P_AP0 (COARSE_VA + 0x3000u)   /* AP 0 data */
#define P_END (COARSE_VA + 0x4000u)   /* AP 3 code; the next page unmapped */
#define P_LATE (COARSE_VA + 0x6000u)  /* mapped by the fixup handler */

static uint32_t coarse, fine;
static uint32_t data, code_priv, code_end, late;

static void setup(void)
{
    coarse = frame_alloc(1024);
    fine = frame_alloc(4096);
    data = frame_alloc(4096);
    code_priv = frame_alloc(4096);
    code_end = frame_alloc(4096);
    late = frame_alloc(4096);
    uint32_t dcoarse = frame_alloc(1024), tiny = frame_alloc(1024);

    set_l1(mmu_l1, SEC_VA, L1_SECTION(frame_1m(0), AP_3, 2));
    set_l1(mmu_l1, NOSEC_VA, 0);
    set_coarse(coarse, P_DATA, L2_SMALL(data, APX4(AP_3)));
    set_coarse(coarse, P_PRIV, L2_SMALL(code_priv, APX4(AP_1)));
    set_coarse(coarse, P_AP0, L2_SMALL(data, APX4(AP_0)));
    set_coarse(coarse, P_END, L2_SMALL(code_end, APX4(AP_3)));
    set_l1(mmu_l1, COARSE_VA, L1_COARSE(coarse, 4));
    set_fine(fine, FINE_VA, L2_TINY(tiny, AP_3));
    set_l1(mmu_l1, FINE_VA, L1_FINE(fine, 6));
    set_l1(mmu_l1, DSEC_VA, L1_SECTION(frame_1m(1), AP_3, 8));
    set_coarse(dcoarse, DPAGE_VA, L2_SMALL(data, APX4(AP_3)));
    set_l1(mmu_l1, DPAGE_VA, L1_COARSE(dcoarse, 8));
    set_l1(mmu_l1, PSEC_VA, L1_SECTION(frame_1m(1), AP_0, 2));
    cp15_set_dacr(DACR_SET(0x55555555u, 8, DOM_NOACCESS));
    tlb_inv_all();

    put_ret(code_priv, 0x42);
}

static void entry_state(const char *what, uint32_t want_mode)
{
    t_eq(abt.cpsr & 0xFF, 0x80 | 0x40 | MODE_ABT, "%s: CPSR on entry (ABT, I and F set)", what);
    t_eq(abt.spsr & 0x3F, want_mode, "%s: SPSR mode and T", what);
}

static void data_faults(void)
{
    uint32_t v;
    t_section("data aborts: translation, domain, permission");
    check_access(try_read(p_ldr, SEC_VA + 0x10, &v), 0, 0, 0, "mapped section: LDR");
    uint32_t fsr = try_read(p_ldr, NOSEC_VA + 0x1234, &v);
    t_eq(fsr & 0xF, FS_TRANS_SEC, "LDR 0x%x: translation fault (section), status", NOSEC_VA + 0x1234);
    t_eq(abt.far, NOSEC_VA + 0x1234, "LDR 0x%x: FAR", NOSEC_VA + 0x1234);
    t_eq(abt.lr - (uint32_t)p_ldr_at, 8, "LDR 0x%x: lr_abt - instruction", NOSEC_VA + 0x1234);
    t_eq(v, POISON, "LDR 0x%x: destination unchanged", NOSEC_VA + 0x1234);
    entry_state("translation fault", MODE_SVC);
    fsr = try_write(p_strb, NOSEC_VA + 0xFFFFF, 1);
    t_eq(fsr & 0xF, FS_TRANS_SEC, "STRB 0x%x: translation fault (section), status", NOSEC_VA + 0xFFFFF);
    t_eq(abt.far, NOSEC_VA + 0xFFFFF, "STRB 0x%x: FAR", NOSEC_VA + 0xFFFFF);
    check_access(try_read(p_ldrh, P_NONE + 0x222, &v), FSR(4, FS_TRANS_PAGE), P_NONE + 0x222, p_ldrh_at,
                 "LDRH 0x%x (coarse table, fault entry)", P_NONE + 0x222);
    check_access(try_write(p_str, P_NONE + 0xFFC, 1), FSR(4, FS_TRANS_PAGE), P_NONE + 0xFFC, p_str_at,
                 "STR 0x%x (coarse table, fault entry)", P_NONE + 0xFFC);
    check_access(try_read(p_ldrb, FINE_VA + 0x401, &v), FSR(6, FS_TRANS_PAGE), FINE_VA + 0x401, p_ldrb_at,
                 "LDRB 0x%x (fine table, fault entry)", FINE_VA + 0x401);
    check_access(try_read(p_ldr, FINE_VA + 0x3FC, &v), 0, 0, 0, "LDR 0x%x (fine table, tiny page)", FINE_VA + 0x3FC);
    check_access(try_read(p_ldr, DSEC_VA + 0x8, &v), FSR(8, FS_DOM_SEC), DSEC_VA + 0x8, p_ldr_at,
                 "LDR 0x%x (section, no-access domain 8)", DSEC_VA + 0x8);
    check_access(try_write(p_strh, DPAGE_VA + 0x6, 1), FSR(8, FS_DOM_PAGE), DPAGE_VA + 0x6, p_strh_at,
                 "STRH 0x%x (page, no-access domain 8)", DPAGE_VA + 0x6);
    check_access(try_read(p_ldr, PSEC_VA + 0xC, &v), FSR(2, FS_PERM_SEC), PSEC_VA + 0xC, p_ldr_at,
                 "LDR 0x%x (section, AP 0)", PSEC_VA + 0xC);
    check_access(try_write(p_str, P_AP0 + 0x10, 1), FSR(4, FS_PERM_PAGE), P_AP0 + 0x10, p_str_at,
                 "STR 0x%x (page, AP 0)", P_AP0 + 0x10);
    check_access(user_write(P_PRIV + 0x100, 1), FSR(4, FS_PERM_PAGE), P_PRIV + 0x100, p_str_at,
                 "STR 0x%x in User mode (page, AP 1)", P_PRIV + 0x100);
    entry_state("permission fault in User mode", MODE_USR);
    check_access(try_read(p_ldrb, P_DATA + 0xFFF, &v), 0, 0, 0, "LDRB 0x%x (last byte of a mapped page)", P_DATA + 0xFFF);
    check_access(try_read(p_ldm, P_DATA + 0xFFC, &v), FSR(4, FS_TRANS_PAGE), P_NONE, p_ldm_at,
                 "LDMIA 0x%x {2 words}: the second word is on the unmapped page", P_DATA + 0xFFC);
}

static uint32_t swp_bad(uint32_t addr)
{
    return p_swp(addr, 0xBAD);
}

static void alignment(void)
{
    uint32_t v;
    t_section("alignment faults (c1 A set)");
    wr32(data + 0x20, 0x44332211);
    wr32(data + 0x24, 0x88776655);
    cp15_set_control(cp15_control() | CR_A);
    t_eq(cp15_control() & (CR_A | CR_M), CR_A | CR_M, "c1: M and A set");
    static const struct {
        const char *name;
        uint32_t (*probe)(uint32_t);
        const char *at;
        uint32_t off;
    } loads[] = {
        {"LDR", p_ldr, p_ldr_at, 1},   {"LDR", p_ldr, p_ldr_at, 2},
        {"LDR", p_ldr, p_ldr_at, 3},   {"LDRH", p_ldrh, p_ldrh_at, 1},
        {"LDRH", p_ldrh, p_ldrh_at, 3}, {"LDRT", p_ldrt, p_ldrt_at, 2},
        {"LDMIA", p_ldm, p_ldm_at, 2},
    };
    for (unsigned i = 0; i < sizeof loads / sizeof loads[0]; i++) {
        uint32_t a = P_DATA + 0x20 + loads[i].off;
        uint32_t fsr = try_read(loads[i].probe, a, &v);
        t_eq(fsr & 0xD, FS_ALIGN, "%s 0x%x: alignment fault, status", loads[i].name, a);
        t_eq(abt.far, a, "%s 0x%x: FAR", loads[i].name, a);
        t_eq(abt.lr - (uint32_t)loads[i].at, 8, "%s 0x%x: lr_abt - instruction", loads[i].name, a);
        t_eq(v, POISON, "%s 0x%x: destination unchanged", loads[i].name, a);
    }
    uint32_t fsr = try_write(p_str, P_DATA + 0x22, 0xBAD);
    t_eq(fsr & 0xD, FS_ALIGN, "STR 0x%x: alignment fault, status", P_DATA + 0x22);
    t_eq(abt.far, P_DATA + 0x22, "STR 0x%x: FAR", P_DATA + 0x22);
    fsr = try_write(p_strh, P_DATA + 0x25, 0xBAD);
    t_eq(fsr & 0xD, FS_ALIGN, "STRH 0x%x: alignment fault, status", P_DATA + 0x25);
    fsr = try_write(p_stm, P_DATA + 0x21, 0xBAD);
    t_eq(fsr & 0xD, FS_ALIGN, "STMIA 0x%x: alignment fault, status", P_DATA + 0x21);
    fsr = try_read(swp_bad, P_DATA + 0x21, &v);
    t_eq(fsr & 0xD, FS_ALIGN, "SWP 0x%x: alignment fault, status", P_DATA + 0x21);
    t_eq(rd32(data + 0x20), 0x44332211, "stores with alignment faults left memory");
    t_eq(rd32(data + 0x24), 0x88776655, "stores with alignment faults left memory (2)");

    check_access(try_read(p_ldrb, P_DATA + 0x23, &v), 0, 0, 0, "LDRB 0x%x: bytes never fault", P_DATA + 0x23);
    t_eq(v, 0x44, "LDRB 0x%x: value", P_DATA + 0x23);
    check_access(try_read(p_ldrh, P_DATA + 0x26, &v), 0, 0, 0, "LDRH 0x%x (aligned)", P_DATA + 0x26);
    t_eq(v, 0x8877, "LDRH 0x%x: value", P_DATA + 0x26);
    check_access(try_read(p_ldm, P_DATA + 0x20, &v), 0, 0, 0, "LDMIA 0x%x (aligned)", P_DATA + 0x20);

    /* Alignment is checked first (ARM ARM B4.6). */
    fsr = try_read(p_ldr, NOSEC_VA + 0x2, &v);
    t_eq(fsr & 0xD, FS_ALIGN, "LDR 0x%x (unaligned, no translation): alignment fault wins", NOSEC_VA + 2);
    t_eq(abt.far, NOSEC_VA + 0x2, "LDR 0x%x: FAR", NOSEC_VA + 2);
    fsr = try_read(p_ldrh, DSEC_VA + 0x1, &v);
    t_eq(fsr & 0xD, FS_ALIGN, "LDRH 0x%x (unaligned, no-access domain): alignment fault wins", DSEC_VA + 1);
    fsr = try_write(p_str, P_AP0 + 0x3, 0);
    t_eq(fsr & 0xD, FS_ALIGN, "STR 0x%x (unaligned, AP 0): alignment fault wins", P_AP0 + 3);
    check_access(try_read(p_ldr, P_AP0 + 0x4, &v), FSR(4, FS_PERM_PAGE), P_AP0 + 4, p_ldr_at,
                 "LDR 0x%x (aligned, AP 0)", P_AP0 + 4);

    cp15_set_control(cp15_control() & ~CR_A);
    t_eq(cp15_control() & (CR_A | CR_M), CR_M, "c1: A clear again");
    check_access(try_read(p_ldrh, P_DATA + 0x22, &v), 0, 0, 0, "LDRH 0x%x with A clear", P_DATA + 0x22);
    /* (An unaligned LDR with A clear rotates on ARMv5: see tests/cpu/v5_only.) */
    check_access(try_read(p_ldr, P_DATA + 0x21, &v), 0, 0, 0, "LDR 0x%x with A clear", P_DATA + 0x21);
}

static uint32_t call_at(uint32_t target, const char *what, uint32_t want, uint32_t want_lr, int user)
{
    abt_clear();
    cp15_set_far(0x0BADFA11);
    cp15_set_ifsr(0);
    uint32_t r = user ? run_user(0, 0, (const void *)target) : call_probe(0, 0, (const void *)target);
    uint32_t fsr = abt.count ? abt.fsr : 0;
    if ((want & 0xF) == FS_TRANS_SEC)
        t_eq(fsr & 0xF, want, "%s: %s, status", what, fsr_name(want));
    else
        t_eq(fsr, want, "%s: %s", what, fsr_name(want));
    if (abt.count) {
        t_eq(abt.vec, 3, "%s: prefetch abort vector", what);
        t_eq(abt.lr, want_lr, "%s: lr_abt", what);
        t_eq(cp15_ifsr(), abt.fsr, "%s: IFSR kept after the handler", what);
        t_eq(abt.far, 0x0BADFA11, "%s: FAR unchanged", what);
    }
    return r;
}

static void prefetch_faults(void)
{
    t_section("prefetch aborts");
    call_at(NOSEC_VA + 0x100, "BLX 0x60100100 (no section)", FS_TRANS_SEC, NOSEC_VA + 0x104, 0);
    entry_state("prefetch abort", MODE_SVC);
    call_at(P_NONE + 0x8, "BLX 0x60201008 (coarse table, fault entry)", FSR(4, FS_TRANS_PAGE), P_NONE + 0xC, 0);
    call_at(FINE_VA + 0x800, "BLX 0x60300800 (fine table, fault entry)", FSR(6, FS_TRANS_PAGE), FINE_VA + 0x804, 0);
    call_at(DSEC_VA, "BLX 0x60400000 (no-access domain 8)", FSR(8, FS_DOM_SEC), DSEC_VA + 4, 0);
    call_at(PSEC_VA + 0x40, "BLX 0x60600040 (section, AP 0)", FSR(2, FS_PERM_SEC), PSEC_VA + 0x44, 0);
    t_eq(call_at(P_PRIV, "BLX 0x60202000 (page, AP 1) privileged", 0, 0, 0), 0x42,
         "BLX 0x60202000 privileged: returned");
    call_at(P_PRIV, "BLX 0x60202000 (page, AP 1) in User mode", FSR(4, FS_PERM_PAGE), P_PRIV + 4, 1);
    entry_state("prefetch abort in User mode", MODE_USR);
    /* Thumb target: the SPSR has T set, lr_abt = target + 4. */
    call_at(P_NONE + 0x11, "BX 0x60201010 (Thumb, fault entry)", FSR(4, FS_TRANS_PAGE), P_NONE + 0x14, 0);
    entry_state("prefetch abort from Thumb", MODE_SVC | PSR_T);

    t_section("a prefetch abort is taken only if the instruction executes");
    /* P_END + 0xFF8: "mov r0, #0x61; bx lr": the routine returns from the
       page's last word; the prefetch of the next (unmapped) page is never
       executed, so no abort. */
    const uint32_t tail[2] = {0xE3A00061u, 0xE12FFF1Eu};
    put_code(code_end + 0xFF8, tail, 2);
    t_eq(call_at(P_END + 0xFF8, "code ending with BX LR in the page's last word", 0, 0, 0), 0x61,
         "code in the page's last words: returned");
    /* At 0xFFC: mov r0, #0x62, then the next page (unmapped). */
    const uint32_t runoff[1] = {0xE3A00062u};
    put_code(code_end + 0xFFC, runoff, 1);
    call_at(P_END + 0xFFC, "code running off the page's end", FSR(4, FS_TRANS_PAGE), P_END + 0x1004, 0);
}

static uint32_t fixups;

static uint32_t map_late(uint32_t far, uint32_t fsr)
{
    if (fsr != FSR(4, FS_TRANS_PAGE) || (far & ~0xFFFu) != P_LATE)
        return 0;
    fixups++;
    set_coarse(coarse, P_LATE, L2_SMALL(late, APX4(AP_3)));
    tlb_inv_mva(P_LATE);
    return 1;
}

static void retry(void)
{
    uint32_t v;
    t_section("a handler maps the page and retries (SUBS pc, lr, #8)");
    wr32(late + 0x30, 0x1A7E1A7E);
    abt_fixup = map_late;
    fixups = 0;
    uint32_t fsr = try_read(p_ldr, P_LATE + 0x30, &v);
    t_eq(fsr, FSR(4, FS_TRANS_PAGE), "LDR 0x%x: translation fault (page) first", P_LATE + 0x30);
    t_eq(v, 0x1A7E1A7E, "LDR 0x%x: retried, value", P_LATE + 0x30);
    t_eq(abt.count, 1, "LDR 0x%x: one abort", P_LATE + 0x30);
    try_write(p_str, P_LATE + 0x34, 0x5709);
    t_eq(abt.count, 0, "STR 0x%x: no abort now", P_LATE + 0x34);
    t_eq(rd32(late + 0x34), 0x5709, "STR 0x%x: value", P_LATE + 0x34);
    t_eq(fixups, 1, "the handler mapped the page once");
    abt_fixup = 0;
}

static void registers(void)
{
    t_section("CP15 fault registers");
    cp15_set_far(0x12345678);
    t_eq(cp15_far(), 0x12345678, "FAR written by MCR reads back");
    cp15_set_dfsr(0xA5);
    t_eq(cp15_dfsr() & 0xFF, 0xA5, "DFSR written by MCR reads back");
    cp15_set_ifsr(0x5A);
    t_eq(cp15_ifsr() & 0xFF, 0x5A, "IFSR written by MCR reads back");
}

int main(void)
{
    t_printf("faults: every fault kind, FSR, FAR and return address\n");
    mmu_init();
    setup();
    data_faults();
    alignment();
    prefetch_faults();
    retry();
    registers();
    cp15_set_dacr(0x55555555u);
    return t_done("faults");
}
