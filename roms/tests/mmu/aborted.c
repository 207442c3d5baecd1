/*
 * aborted.c - what an aborted load or store leaves behind (ARM926EJ-S:
 * the "base restored" abort model, ARM9EJ-S TRM 2.2.1: the base register
 * always holds its value from before the instruction; ARM ARM A2.6.5).
 * Data aborts from MMU faults on single loads and stores with pre- and
 * post-indexed writeback (immediate and register offsets), LDRD/STRD,
 * LDRT/STRBT, LDM/STM in all four addressing modes with writeback that
 * fault partway (crossing from a mapped page into an unmapped or read-only
 * one: FAR = the first faulting word), an LDM whose base is in the list
 * and was already loaded, Thumb LDMIA/STMIA/PUSH/POP; refused stores leave
 * the protected memory alone; SWP and SWPB on a read-only page abort
 * without writing (privileged, and in User mode); an LDM retried after the
 * handler maps the page completes once.  Runs on emu and QEMU versatilepb.
 *
 * Not tested: what an aborted LDM leaves in the registers it loaded, and
 * which words an aborted STM stored before the faulting one (both left
 * open by the architecture).
 */
#include "mmu.h"

#define DOM 2u
#define X (TEST_VA + 0x100000u)
#define P_RW0 (X + 0x0000u)  /* AP 3 */
#define P_NONE (X + 0x1000u) /* fault descriptor */
#define P_RW1 (X + 0x2000u)  /* AP 3 */
#define P_RO (X + 0x3000u)   /* AP 0 with c1 S set: privileged read-only */
#define P_RW2 (X + 0x4000u)  /* AP 3 */
#define P_LATE (X + 0x5000u) /* mapped by the fixup handler */
#define P_URO (X + 0x6000u)  /* AP 2: User read-only */

typedef uint32_t (*dcase_fn)(uint32_t);
#define DCASE(n) uint32_t n(uint32_t); extern char n##_at[]
DCASE(a_ldr_pre_wb); DCASE(a_ldr_post); DCASE(a_ldr_reg_wb); DCASE(a_str_pre_wb);
DCASE(a_strb_post); DCASE(a_ldrh_pre_wb); DCASE(a_strh_post); DCASE(a_ldrsb_pre_wb);
DCASE(a_ldrd_pre_wb); DCASE(a_strd_post); DCASE(a_ldrt_post); DCASE(a_strbt_post);
DCASE(a_ldmia_wb); DCASE(a_ldmib_wb); DCASE(a_ldmda_wb); DCASE(a_ldmdb_wb);
DCASE(a_stmia_wb); DCASE(a_stmib_wb); DCASE(a_stmda_wb); DCASE(a_stmdb_wb);
DCASE(a_ldm_base_in); DCASE(a_swp); DCASE(a_swpb);
DCASE(t_ldmia_wb); DCASE(t_stmia_wb); DCASE(t_ldr_imm); DCASE(t_strh_reg);
DCASE(t_push); DCASE(t_pop);
extern uint32_t dc_regs[7]; /* r0, r2, r3, r4, r5, r6, r7 after the instruction */

static uint32_t coarse, rw0, rw1, ro, rw2, late, uro;

struct acase {
    const char *name;
    dcase_fn fn;
    const char *at;
    uint32_t base;   /* r1 */
    uint32_t status; /* FS_TRANS_PAGE or FS_PERM_PAGE */
    uint32_t far;
    int thumb;
};

static void run(const struct acase *c)
{
    abt_clear();
    uint32_t after = c->fn(c->base);
    t_eq(abt.count, 1, "%s: one data abort", c->name);
    t_eq(abt.fsr, FSR(DOM, c->status), "%s: %s", c->name, fsr_name(c->status));
    t_eq(abt.far, c->far, "%s: FAR", c->name);
    t_eq(abt.lr - ((uint32_t)c->at & ~1u), 8, "%s: lr_abt - instruction", c->name);
    t_eq(abt.spsr & PSR_T, c->thumb ? PSR_T : 0, "%s: SPSR T", c->name);
    t_eq(after, c->base, "%s: base register restored", c->name);
}

static void fill(uint32_t pa, uint32_t tag)
{
    for (uint32_t i = 0; i < 4096; i += 4)
        wr32(pa + i, tag + i);
}

static uint32_t map_late(uint32_t far, uint32_t fsr)
{
    if (fsr != FSR(DOM, FS_TRANS_PAGE) || (far & ~0xFFFu) != P_LATE)
        return 0;
    set_coarse(coarse, P_LATE, L2_SMALL(late, APX4(AP_3)));
    tlb_inv_mva(P_LATE);
    return 1;
}

int main(void)
{
    t_printf("aborted: base restored, LDM/STM faulting partway, SWP on a read-only page\n");
    mmu_init();
    coarse = frame_alloc(1024);
    rw0 = frame_alloc(4096);
    rw1 = frame_alloc(4096);
    ro = frame_alloc(4096);
    rw2 = frame_alloc(4096);
    late = frame_alloc(4096);
    uro = frame_alloc(4096);
    fill(rw0, 0x10000);
    fill(rw1, 0x20000);
    fill(ro, 0x30000);
    fill(rw2, 0x40000);
    fill(late, 0x50000);
    fill(uro, 0x60000);
    set_coarse(coarse, P_RW0, L2_SMALL(rw0, APX4(AP_3)));
    set_coarse(coarse, P_RW1, L2_SMALL(rw1, APX4(AP_3)));
    set_coarse(coarse, P_RO, L2_SMALL(ro, APX4(AP_0)));
    set_coarse(coarse, P_RW2, L2_SMALL(rw2, APX4(AP_3)));
    set_coarse(coarse, P_URO, L2_SMALL(uro, APX4(AP_2)));
    set_l1(mmu_l1, X, L1_COARSE(coarse, DOM));
    cp15_set_control(cp15_control() | CR_S);
    tlb_inv_all();

    static const struct acase cases[] = {
        {"LDR r0, [r1, #4]!", a_ldr_pre_wb, a_ldr_pre_wb_at, P_NONE - 4, FS_TRANS_PAGE, P_NONE, 0},
        {"LDR r0, [r1], #4", a_ldr_post, a_ldr_post_at, P_NONE + 0x10, FS_TRANS_PAGE, P_NONE + 0x10, 0},
        {"LDR r0, [r1, r2]!", a_ldr_reg_wb, a_ldr_reg_wb_at, P_NONE - 8, FS_TRANS_PAGE, P_NONE, 0},
        {"STR r0, [r1, #-4]!", a_str_pre_wb, a_str_pre_wb_at, P_RO + 8, FS_PERM_PAGE, P_RO + 4, 0},
        {"STRB r0, [r1], #1", a_strb_post, a_strb_post_at, P_RO + 0x23, FS_PERM_PAGE, P_RO + 0x23, 0},
        {"LDRH r0, [r1, #2]!", a_ldrh_pre_wb, a_ldrh_pre_wb_at, P_NONE - 2, FS_TRANS_PAGE, P_NONE, 0},
        {"STRH r0, [r1], #-2", a_strh_post, a_strh_post_at, P_RO + 0x42, FS_PERM_PAGE, P_RO + 0x42, 0},
        {"LDRSB r0, [r1, #1]!", a_ldrsb_pre_wb, a_ldrsb_pre_wb_at, P_NONE - 1, FS_TRANS_PAGE, P_NONE, 0},
        {"LDRD r4, r5, [r1, #8]!", a_ldrd_pre_wb, a_ldrd_pre_wb_at, P_NONE - 8, FS_TRANS_PAGE, P_NONE, 0},
        {"STRD r4, r5, [r1], #8", a_strd_post, a_strd_post_at, P_RO + 0x50, FS_PERM_PAGE, P_RO + 0x50, 0},
        {"LDRT r0, [r1], #4", a_ldrt_post, a_ldrt_post_at, P_RO + 0x60, FS_PERM_PAGE, P_RO + 0x60, 0},
        {"STRBT r0, [r1], #4", a_strbt_post, a_strbt_post_at, P_URO + 0x61, FS_PERM_PAGE, P_URO + 0x61, 0},
        {"LDMIA r1!, {r4-r7} (third word unmapped)", a_ldmia_wb, a_ldmia_wb_at, P_NONE - 8, FS_TRANS_PAGE, P_NONE, 0},
        {"LDMIB r1!, {r4-r7} (fourth word unmapped)", a_ldmib_wb, a_ldmib_wb_at, P_NONE - 16, FS_TRANS_PAGE, P_NONE, 0},
        {"LDMDA r1!, {r4-r7} (first word unmapped)", a_ldmda_wb, a_ldmda_wb_at, P_RW1 + 4, FS_TRANS_PAGE, P_RW1 - 8, 0},
        {"LDMDB r1!, {r4-r7} (second word unmapped)", a_ldmdb_wb, a_ldmdb_wb_at, P_RW1 + 12, FS_TRANS_PAGE, P_RW1 - 4, 0},
        {"STMIA r1!, {r4-r7} (third word read-only)", a_stmia_wb, a_stmia_wb_at, P_RO - 8, FS_PERM_PAGE, P_RO, 0},
        {"STMIB r1!, {r4-r7} (second word read-only)", a_stmib_wb, a_stmib_wb_at, P_RO - 8, FS_PERM_PAGE, P_RO, 0},
        {"STMDA r1!, {r4-r7} (all words read-only)", a_stmda_wb, a_stmda_wb_at, P_RO + 0x100, FS_PERM_PAGE, P_RO + 0xF4, 0},
        {"STMDB r1!, {r4-r7} (first word unmapped)", a_stmdb_wb, a_stmdb_wb_at, P_RW1 + 8, FS_TRANS_PAGE, P_RW1 - 8, 0},
        {"LDMIA r1, {r0-r3} (r1 loaded, then r2 unmapped)", a_ldm_base_in, a_ldm_base_in_at, P_NONE - 8, FS_TRANS_PAGE, P_NONE, 0},
        {"Thumb LDMIA r1!, {r4-r7}", t_ldmia_wb, t_ldmia_wb_at, P_NONE - 4, FS_TRANS_PAGE, P_NONE, 1},
        {"Thumb STMIA r1!, {r4-r7}", t_stmia_wb, t_stmia_wb_at, P_RO - 12, FS_PERM_PAGE, P_RO, 1},
        {"Thumb LDR r0, [r1, #4]", t_ldr_imm, t_ldr_imm_at, P_NONE - 4, FS_TRANS_PAGE, P_NONE, 1},
        {"Thumb STRH r0, [r1, r2]", t_strh_reg, t_strh_reg_at, P_RO + 0x70, FS_PERM_PAGE, P_RO + 0x78, 1},
        {"Thumb PUSH {r4-r7} (sp in the read-only page + 8)", t_push, t_push_at, P_RO + 8, FS_PERM_PAGE, P_RO - 8 + 8, 1},
        {"Thumb POP {r4-r7} (sp 8 bytes below the unmapped page)", t_pop, t_pop_at, P_NONE - 8, FS_TRANS_PAGE, P_NONE, 1},
    };
    t_section("the base register after an aborted load or store");
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(&cases[i]);
    /* The ARM cases that store: the protected page is untouched. */
    int untouched = 1;
    for (uint32_t i = 0; i < 4096; i += 4)
        untouched &= rd32(ro + i) == 0x30000 + i;
    t_ok(untouched, "the read-only page is unchanged after all the aborted stores");
    untouched = 1;
    for (uint32_t i = 0; i < 4096; i += 4)
        untouched &= rd32(uro + i) == 0x60000 + i;
    t_ok(untouched, "the User read-only page is unchanged");

    t_section("SWP and SWPB on a read-only page");
    run(&(struct acase){"SWP r0, r3, [r1] (privileged, read-only page)", a_swp, a_swp_at, P_RO + 0x80,
                        FS_PERM_PAGE, P_RO + 0x80, 0});
    t_eq(rd32(ro + 0x80), 0x30080, "SWP on the read-only page: memory unchanged");
    run(&(struct acase){"SWPB r0, r3, [r1] (privileged, read-only page)", a_swpb, a_swpb_at, P_RO + 0x85,
                        FS_PERM_PAGE, P_RO + 0x85, 0});
    t_eq(rd32(ro + 0x84), 0x30084, "SWPB on the read-only page: memory unchanged");
    abt_clear();
    run_user(P_URO + 0x90, 0x12345678, (const void *)p_swp);
    t_eq(abt.fsr, FSR(DOM, FS_PERM_PAGE), "SWP in User mode on a User read-only page: permission fault (page)");
    t_eq(abt.far, P_URO + 0x90, "SWP in User mode: FAR");
    t_eq(abt.lr - (uint32_t)p_swp_at, 8, "SWP in User mode: lr_abt - instruction");
    t_eq(rd32(uro + 0x90), 0x60090, "SWP in User mode: memory unchanged");
    abt_clear();
    uint32_t old = p_swp(P_RW0 + 0x90, 0xABCD);
    t_eq(abt.count, 0, "SWP on a read/write page: no abort");
    t_eq(old, 0x10090, "SWP on a read/write page: old value");
    t_eq(rd32(rw0 + 0x90), 0xABCD, "SWP on a read/write page: new value");

    t_section("an LDM that faults partway, retried after the handler maps the page");
    abt_fixup = map_late;
    abt_clear();
    uint32_t base = a_ldmia_wb(P_LATE - 8);
    t_eq(abt.count, 1, "LDMIA r1!, {r4-r7} across into an unmapped page: one abort");
    t_eq(abt.far, P_LATE, "LDMIA r1!: FAR");
    t_eq(base, P_LATE + 8, "LDMIA r1!: retried, base written back once");
    t_eq(dc_regs[3], 0x40FF8, "LDMIA r1!: r4");
    t_eq(dc_regs[4], 0x40FFC, "LDMIA r1!: r5");
    t_eq(dc_regs[5], 0x50000, "LDMIA r1!: r6");
    t_eq(dc_regs[6], 0x50004, "LDMIA r1!: r7");
    abt_fixup = 0;

    cp15_set_control(cp15_control() & ~CR_S);
    return t_done("aborted");
}
