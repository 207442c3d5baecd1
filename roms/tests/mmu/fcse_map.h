/*
 * fcse_map.h - the page tables fcse.c and fcse_far.c share.
 *
 * With FCSE PID p (c13, bits 31:25), a virtual address below 32 MiB becomes
 * the modified virtual address p * 32 MiB + VA before translation, for data
 * and instruction fetches alike (ARM ARM B8 "Fast Context Switch
 * Extension").  Code and, under QEMU, RAM live below 32 MiB, so for each PID
 * used here (1 and 2) the 32 MiB at p * 32 MiB map onto physical 0..32 MiB,
 * as the flat map does for PID 0.  (Those MVAs, 0x02000000-0x05FFFFFF, are
 * used by neither machine's RAM or stacks.)
 *
 * The test window is W = 0x01F00000, a coarse table per PID: MVA
 * p * 32 MiB + W, page 0 -> frame[p] (data, code at +0x800 returning p),
 * page 1 unmapped.
 */
#ifndef FCSE_MAP_H
#define FCSE_MAP_H

#include "mmu.h"

#define W 0x01F00000u
#define PID(p) ((uint32_t)(p) << 25)
#define MVA(p, va) (PID(p) + (va))

static uint32_t frame[3];

static void fcse_setup(void)
{
    for (uint32_t p = 1; p <= 2; p++)
        for (uint32_t mb = 0; mb < 32; mb++)
            set_l1(mmu_l1, MVA(p, mb << 20), L1_SECTION(mb << 20, AP_3, 0));
    for (uint32_t p = 0; p <= 2; p++) {
        uint32_t table = frame_alloc(1024);
        frame[p] = frame_alloc(4096);
        wr32(frame[p], 0xF0F00000u + p);
        put_ret(frame[p] + 0x800, p);
        set_coarse(table, W, L2_SMALL(frame[p], APX4(AP_3)));
        set_l1(mmu_l1, MVA(p, W), L1_COARSE(table, 2));
    }
    tlb_inv_all();
}

#endif
