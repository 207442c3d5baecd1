/*
 * hivecs.c - high exception vectors (CP15 c1 V, bit 13; ARM ARM A2.6,
 * ARM926EJ-S TRM 2.3.3): with V set the vectors are fetched at 0xFFFF0000,
 * through the MMU like any instruction fetch; here a small page,
 * privileged-only (AP 1), maps that address onto a frame holding a vector
 * table ("LDR pc, [pc, #0x18]" to stubs that count and then go on to the
 * usual handlers).  SWI, undefined instruction, data abort and prefetch
 * abort are taken through it with V set, and through the low vectors at 0
 * with V clear.  Runs on emu and QEMU versatilepb.
 */
#include "mmu.h"

#define HIVEC 0xFFFF0000u

extern volatile uint32_t hv_count[8], swi_seen, und_seen;
extern void hv_stub_0(void), hv_stub_1(void), hv_stub_2(void), hv_stub_3(void);
extern void hv_stub_4(void), hv_stub_5(void), hv_stub_6(void), hv_stub_7(void);
extern void swi_count(void), und_skip(void);
uint32_t do_swi(void);
void do_undef(void);
extern char do_swi_at[];

static uint32_t counts_sum(void)
{
    uint32_t n = 0;
    for (int i = 0; i < 8; i++)
        n += hv_count[i];
    return n;
}

static void round_of(int high)
{
    const char *w = high ? "V set" : "V clear";
    for (int i = 0; i < 8; i++)
        hv_count[i] = 0;
    swi_seen = 0;
    und_seen = 0;
    uint32_t want = high ? 1 : 0;

    uint32_t lr = do_swi();
    t_eq(swi_seen, 1, "%s: SWI handled", w);
    t_eq(lr - (uint32_t)do_swi_at, 4, "%s: SWI lr_svc - instruction", w);
    t_eq(hv_count[2], want, "%s: SWI through the high vector", w);

    do_undef();
    t_eq(und_seen, 1, "%s: undefined instruction handled", w);
    t_eq(hv_count[1], want, "%s: undefined instruction through the high vector", w);

    uint32_t v;
    uint32_t fsr = try_read(p_ldr, TEST_VA + 0x100, &v);
    t_eq(fsr & 0xF, FS_TRANS_SEC, "%s: data abort handled (translation fault)", w);
    t_eq(abt.far, TEST_VA + 0x100, "%s: data abort FAR", w);
    t_eq(hv_count[4], want, "%s: data abort through the high vector", w);

    abt_clear();
    uint32_t r = call_probe(0, 0, (const void *)(TEST_VA + 0x200));
    t_eq(r, POISON, "%s: prefetch abort handled", w);
    t_eq(abt.lr, TEST_VA + 0x204, "%s: prefetch abort lr_abt", w);
    t_eq(hv_count[3], want, "%s: prefetch abort through the high vector", w);
    t_eq(counts_sum(), 4 * want, "%s: no other exception through the high vectors", w);
}

int main(void)
{
    t_printf("hivecs: exception vectors at 0xFFFF0000 (c1 V)\n");
    mmu_init();
    set_hook(VEC_SWI, swi_count);
    set_hook(VEC_UND, und_skip);
    set_l1(mmu_l1, TEST_VA, 0);

    /* The vector page: 8 x "LDR pc, [pc, #0x18]", then the 8 stub addresses. */
    uint32_t frame = frame_alloc(4096), coarse = frame_alloc(1024);
    void (*const stubs[8])(void) = {hv_stub_0, hv_stub_1, hv_stub_2, hv_stub_3,
                                    hv_stub_4, hv_stub_5, hv_stub_6, hv_stub_7};
    for (int i = 0; i < 8; i++) {
        wr32(frame + 4 * i, 0xE59FF018u);
        wr32(frame + 0x20 + 4 * i, (uint32_t)stubs[i]);
    }
    sync_code();
    set_coarse(coarse, HIVEC, L2_SMALL(frame, APX4(AP_1)));
    set_l1(mmu_l1, HIVEC, L1_COARSE(coarse, 0));
    tlb_inv_all();
    t_eq(rd32(HIVEC + 0x28), (uint32_t)hv_stub_2, "the vector page is mapped at 0x%x", HIVEC);

    t_section("low vectors (c1 V clear)");
    t_eq(cp15_control() & CR_V, 0, "c1 V clear at reset");
    round_of(0);

    t_section("high vectors (c1 V set)");
    cp15_set_control(cp15_control() | CR_V);
    t_eq(cp15_control() & CR_V, CR_V, "c1 V reads back set");
    round_of(1);

    t_section("low vectors again");
    cp15_set_control(cp15_control() & ~CR_V);
    t_eq(cp15_control() & CR_V, 0, "c1 V reads back clear");
    round_of(0);

    return t_done("hivecs");
}
