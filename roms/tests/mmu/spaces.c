/*
 * spaces.c - two address spaces switched by TTBR (c2) with a shared page
 * (ARM ARM B4.9.2 "Register 2: Translation table base"; the TLB is
 * invalidated at each switch, as the ARMv5 TLB is not tagged): the same
 * virtual addresses reach different frames, and run different code, in
 * each space; a page mapped by both (through one shared second-level
 * table) carries messages between them; an address mapped in one space
 * only faults in the other.  Runs on emu and QEMU versatilepb.
 */
#include "mmu.h"

#define PRIV_VA (TEST_VA + 0x000000u)   /* small page, private frame */
#define CODE_VA (TEST_VA + 0x001000u)   /* small page, private code */
#define SHARED_VA (TEST_VA + 0x100000u) /* small page, shared frame */
#define ONLY_A_VA (TEST_VA + 0x200000u) /* section in space A only */

static uint32_t l1b[4096] __attribute__((aligned(16384)));
static uint32_t *space[2] = {mmu_l1, l1b};

static void switch_to(int s)
{
    cp15_set_ttbr((uint32_t)space[s]);
    tlb_inv_all();
}

static void put_msg(uint32_t va, const char *m)
{
    uint32_t i = 0;
    do
        *(volatile char *)(va + i) = m[i];
    while (m[i++]);
}

static int msg_is(uint32_t va, const char *m)
{
    uint32_t i = 0;
    do
        if (*(volatile char *)(va + i) != m[i])
            return 0;
    while (m[i++]);
    return 1;
}

int main(void)
{
    t_printf("spaces: two address spaces switched by TTBR, with a shared page\n");
    mmu_init();
    mmu_flat(l1b);
    uint32_t fa = frame_alloc(4096), fb = frame_alloc(4096), fs = frame_alloc(4096);
    uint32_t code_a = frame_alloc(4096), code_b = frame_alloc(4096);
    uint32_t ta = frame_alloc(1024), tb = frame_alloc(1024), ts = frame_alloc(1024);
    put_ret(code_a, 0xA);
    put_ret(code_b, 0xB);
    wr32(fa, 0xAAAA0000);
    wr32(fb, 0xBBBB0000);
    set_coarse(ta, PRIV_VA, L2_SMALL(fa, APX4(AP_3)));
    set_coarse(ta, CODE_VA, L2_SMALL(code_a, APX4(AP_3)));
    set_coarse(tb, PRIV_VA, L2_SMALL(fb, APX4(AP_3)));
    set_coarse(tb, CODE_VA, L2_SMALL(code_b, APX4(AP_3)));
    set_coarse(ts, SHARED_VA, L2_SMALL(fs, APX4(AP_3)));
    set_l1(mmu_l1, PRIV_VA, L1_COARSE(ta, 1));
    set_l1(l1b, PRIV_VA, L1_COARSE(tb, 1));
    set_l1(mmu_l1, SHARED_VA, L1_COARSE(ts, 1));
    set_l1(l1b, SHARED_VA, L1_COARSE(ts, 1));
    set_l1(mmu_l1, ONLY_A_VA, L1_SECTION(frame_1m(0), AP_3, 1));
    set_l1(l1b, ONLY_A_VA, 0);
    wr32(frame_1m(0), 0x0A1A0000);
    uint32_t (*code)(void) = (uint32_t (*)(void))CODE_VA;
    uint32_t v;

    t_section("space A");
    switch_to(0);
    t_ok(cp15_ttbr() == (uint32_t)mmu_l1, "TTBR reads back table A");
    t_eq(rd32(PRIV_VA), 0xAAAA0000, "A: private page");
    t_eq(code(), 0xA, "A: call 0x%x", CODE_VA);
    t_eq(rd32(ONLY_A_VA), 0x0A1A0000, "A: the section only A maps");
    put_msg(SHARED_VA + 0x100, "hello from A");
    wr32(PRIV_VA + 4, 0xA0A0A0A0);

    t_section("space B");
    switch_to(1);
    t_ok(cp15_ttbr() == (uint32_t)l1b, "TTBR reads back table B");
    t_eq(rd32(PRIV_VA), 0xBBBB0000, "B: private page (same address, other frame)");
    t_eq(rd32(PRIV_VA + 4), 0, "B: A's private write is not seen");
    t_eq(code(), 0xB, "B: call 0x%x (same address, other code)", CODE_VA);
    t_ok(msg_is(SHARED_VA + 0x100, "hello from A"), "B: reads \"hello from A\" in the shared page");
    put_msg(SHARED_VA + 0x200, "hello from B");
    /* (The FSR's domain field is not valid for a section translation
       fault: only the status is compared.) */
    t_eq(try_read(p_ldr, ONLY_A_VA + 8, &v) & 0xF, FS_TRANS_SEC,
         "B: the section only A maps: translation fault (section), status");
    t_eq(abt.far, ONLY_A_VA + 8, "B: the section only A maps: FAR");
    abt_clear();
    t_eq(run_user(PRIV_VA, 0, (const void *)p_ldr), 0xBBBB0000, "B: private page read in User mode");

    t_section("back to space A");
    switch_to(0);
    t_eq(rd32(PRIV_VA + 4), 0xA0A0A0A0, "A: own private write kept");
    t_ok(msg_is(SHARED_VA + 0x200, "hello from B"), "A: reads \"hello from B\" in the shared page");
    t_eq(code(), 0xA, "A: call 0x%x", CODE_VA);

    t_section("200 switches");
    wr32(SHARED_VA, 0);
    wr32(PRIV_VA + 8, 0);
    switch_to(1);
    wr32(PRIV_VA + 8, 0);
    int wrong = 0;
    for (int i = 0; i < 200; i++) {
        int s = i & 1;
        switch_to(s);
        wr32(SHARED_VA, rd32(SHARED_VA) + 1);
        wr32(PRIV_VA + 8, rd32(PRIV_VA + 8) + (s ? 1000 : 1));
        wrong += code() != (s ? 0xBu : 0xAu);
    }
    t_eq(wrong, 0, "each switch ran its own space's code");
    t_eq(rd32(SHARED_VA), 200, "shared counter");
    t_eq(rd32(PRIV_VA + 8), 100000, "B's private counter");
    switch_to(0);
    t_eq(rd32(PRIV_VA + 8), 100, "A's private counter");
    t_eq(rd32(fs), 200, "the shared frame holds the shared counter");

    return t_done("spaces");
}
