/*
 * mmu.h - page tables, CP15 access and abort probes for the MMU
 * conformance ROMs (roms/tests/mmu).  They use the CPU ROMs' start-up code
 * and checks (roms/tests/cpu/lib: start.S, test.h).
 *
 * The layout is the same on emu and on QEMU versatilepb although their RAM
 * is not: mmu_init() maps the whole 4 GiB flat (virtual = physical, 1 MiB
 * sections, AP = 0b11, domain 0), so the code at 0 and the RAM of either
 * machine run unchanged; the tests then map their own windows at fixed
 * virtual addresses (0x60000000 and up, see TEST_VA) onto frames taken from
 * a pool in RAM.  Output names virtual addresses only, never a physical
 * one, so it is the same on both machines.
 */
#ifndef MMU_TEST_H
#define MMU_TEST_H

#include <stdint.h>
#include "test.h"

/* Access permission values (ARM ARM B4.4.1, table B4-1). */
#define AP_0 0u /* no access, or read-only by S/R */
#define AP_1 1u /* privileged read/write */
#define AP_2 2u /* privileged read/write, User read-only */
#define AP_3 3u /* read/write */

/* Descriptors (ARM ARM B4.7; ARM926EJ-S TRM 3.2).  Bit 4 of first-level
   descriptors is written as one, as the ARM926EJ-S asks. */
#define L1_SECTION(pa, ap, dom) \
    (((pa) & 0xFFF00000u) | ((uint32_t)(ap) << 10) | ((uint32_t)(dom) << 5) | 0x12u)
#define L1_COARSE(tbl, dom) (((uint32_t)(tbl) & 0xFFFFFC00u) | ((uint32_t)(dom) << 5) | 0x11u)
#define L1_FINE(tbl, dom) (((uint32_t)(tbl) & 0xFFFFF000u) | ((uint32_t)(dom) << 5) | 0x13u)
#define L2_LARGE(pa, aps) (((pa) & 0xFFFF0000u) | ((uint32_t)(aps) << 4) | 0x1u)
#define L2_SMALL(pa, aps) (((pa) & 0xFFFFF000u) | ((uint32_t)(aps) << 4) | 0x2u)
#define L2_TINY(pa, ap) (((pa) & 0xFFFFFC00u) | ((uint32_t)(ap) << 4) | 0x3u)
/* The four subpage AP fields of a large or small page. */
#define APS(a0, a1, a2, a3) \
    ((uint32_t)(a0) | ((uint32_t)(a1) << 2) | ((uint32_t)(a2) << 4) | ((uint32_t)(a3) << 6))
#define APX4(ap) APS(ap, ap, ap, ap)

/* Fault status codes (ARM ARM table B4-2; ARM926EJ-S TRM table 3-9). */
#define FS_ALIGN 0x1u
#define FS_EXT_L1 0xCu
#define FS_EXT_L2 0xEu
#define FS_TRANS_SEC 0x5u
#define FS_TRANS_PAGE 0x7u
#define FS_DOM_SEC 0x9u
#define FS_DOM_PAGE 0xBu
#define FS_PERM_SEC 0xDu
#define FS_PERM_PAGE 0xFu
#define FS_EXT 0x8u
#define FSR(dom, status) (((uint32_t)(dom) << 4) | (status))

/* CP15 c1 bits. */
#define CR_M (1u << 0)
#define CR_A (1u << 1)
#define CR_S (1u << 8)
#define CR_R (1u << 9)
#define CR_V (1u << 13)

/* Domain access values (DACR, two bits per domain). */
#define DOM_NOACCESS 0u
#define DOM_CLIENT 1u
#define DOM_RESERVED 2u
#define DOM_MANAGER 3u
#define DACR_SET(dacr, dom, v) (((dacr) & ~(3u << (2 * (dom)))) | ((uint32_t)(v) << (2 * (dom))))

/* Where the tests put their windows: each test uses its own 1 MiB slots. */
#define TEST_VA 0x60000000u

/* ---------------------------------------------------------------- CP15 */
static inline uint32_t cp15_control(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
    return v;
}
static inline void cp15_set_control(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tnop\n\tnop" ::"r"(v) : "memory");
}
static inline uint32_t cp15_ttbr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c2, c0, 0" : "=r"(v));
    return v;
}
static inline void cp15_set_ttbr(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0\n\tnop\n\tnop" ::"r"(v) : "memory");
}
static inline uint32_t cp15_dacr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c3, c0, 0" : "=r"(v));
    return v;
}
static inline void cp15_set_dacr(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n\tnop\n\tnop" ::"r"(v) : "memory");
}
static inline uint32_t cp15_dfsr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(v));
    return v;
}
static inline uint32_t cp15_ifsr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(v));
    return v;
}
static inline void cp15_set_dfsr(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c5, c0, 0" ::"r"(v));
}
static inline void cp15_set_ifsr(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c5, c0, 1" ::"r"(v));
}
static inline uint32_t cp15_far(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(v));
    return v;
}
static inline void cp15_set_far(uint32_t v)
{
    __asm__ volatile("mcr p15, 0, %0, c6, c0, 0" ::"r"(v));
}
static inline uint32_t cp15_fcse(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 0" : "=r"(v));
    return v;
}
static inline void cp15_set_fcse(uint32_t v)
{
    /* The FCSE PID relocates instruction fetches too: the code below
       32 MiB must be mapped at the same place under the old and the new
       PID (mmu_map_fcse_code). */
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 0\n\tnop\n\tnop" ::"r"(v) : "memory");
}
/* TLB operations (c8; ARM926EJ-S TRM 2.3.9). */
static inline void tlb_inv_all(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" ::"r"(0) : "memory");
}
static inline void tlb_inv_mva(uint32_t va)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 1" ::"r"(va & ~0x3FFu) : "memory");
}
static inline void itlb_inv_all(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c5, 0" ::"r"(0) : "memory");
}
static inline void itlb_inv_mva(uint32_t va)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c5, 1" ::"r"(va & ~0x3FFu) : "memory");
}
static inline void dtlb_inv_all(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c6, 0" ::"r"(0) : "memory");
}
static inline void dtlb_inv_mva(uint32_t va)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c6, 1" ::"r"(va & ~0x3FFu) : "memory");
}
/* After writing code: clean the D-cache, drain the write buffer, invalidate
   the I-cache (the sequence real code needs; no caches are enabled here). */
static inline void sync_code(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 4\n\t"
                     "mcr p15, 0, %0, c7, c5, 0" ::"r"(0)
                     : "memory");
}

/* --------------------------------------------------------- page tables */
/* The first-level table in use after mmu_init() (16 KiB aligned). */
extern uint32_t mmu_l1[4096];

/* Maps 4 GiB flat in mmu_l1, sets DACR (every domain client), TTBR,
   invalidates the TLB, turns the MMU on, and installs the abort and SWI
   hooks of probe.S. */
void mmu_init(void);
/* Fills a first-level table with the flat map (AP 0b11, domain 0). */
void mmu_flat(uint32_t *l1);

/* A free 1 MiB frame (physical = virtual under the flat map); n < 2. */
uint32_t frame_1m(int n);
/* A free, zeroed, naturally aligned block of `size` bytes (1 KiB to
   64 KiB, a power of two) for page frames and second-level tables. */
uint32_t frame_alloc(uint32_t size);

/* First-level entry of `va` in table `l1`; no TLB maintenance. */
void set_l1(uint32_t *l1, uint32_t va, uint32_t desc);
/* A second-level entry in a coarse (256 x 4 KiB) or fine (1024 x 1 KiB)
   table, replicated as the page size needs (16 coarse entries for a large
   page; 64 or 4 fine entries for a large or small page). */
void set_coarse(uint32_t table, uint32_t va, uint32_t desc);
void set_fine(uint32_t table, uint32_t va, uint32_t desc);

/* Writes `n` ARM instructions at `pa` (through the flat map) and syncs. */
void put_code(uint32_t pa, const uint32_t *insns, int n);
/* "mov r0, #imm; bx lr" */
void put_ret(uint32_t pa, uint32_t imm8);

static inline uint32_t rd32(uint32_t a)
{
    return *(volatile uint32_t *)a;
}
static inline void wr32(uint32_t a, uint32_t v)
{
    *(volatile uint32_t *)a = v;
}

/* --------------------------------------------------------------- probes */
/* What the abort handlers of probe.S saw (reset by abt_clear). */
struct abt_rec {
    uint32_t count; /* aborts taken since abt_clear */
    uint32_t vec;   /* 3 prefetch abort, 4 data abort */
    uint32_t lr;    /* lr of the abort mode */
    uint32_t spsr;
    uint32_t cpsr;  /* CPSR in the handler */
    uint32_t fsr;   /* DFSR or IFSR */
    uint32_t far;   /* FAR as the handler read it */
};
extern volatile struct abt_rec abt;
void abt_clear(void);

/* Data aborts skip the instruction (SUBS pc, lr, #4) unless abt_fixup is
   set: then it is called with the FAR and DFSR and, if it returns
   non-zero, the instruction is retried (SUBS pc, lr, #8). */
extern uint32_t (*volatile abt_fixup)(uint32_t far, uint32_t fsr);

/* The value a probe load returns when it aborted. */
#define POISON 0xDEADBEEFu

/* Single accesses; NAME_at is the instruction that accesses memory. */
uint32_t p_ldr(uint32_t addr);
uint32_t p_ldrh(uint32_t addr);
uint32_t p_ldrb(uint32_t addr);
uint32_t p_ldrt(uint32_t addr);
uint32_t p_ldrbt(uint32_t addr);
void p_str(uint32_t addr, uint32_t v);
void p_strh(uint32_t addr, uint32_t v);
void p_strb(uint32_t addr, uint32_t v);
void p_strt(uint32_t addr, uint32_t v);
void p_strbt(uint32_t addr, uint32_t v);
uint32_t p_swp(uint32_t addr, uint32_t v);
uint32_t p_swpb(uint32_t addr, uint32_t v);
uint32_t p_ldm(uint32_t addr);          /* LDMIA {r0, r3}: returns the first word */
void p_stm(uint32_t addr, uint32_t v);  /* STMIA {r1, r3}: v and some other word */
extern char p_ldr_at[], p_ldrh_at[], p_ldrb_at[], p_ldrt_at[], p_ldrbt_at[];
extern char p_str_at[], p_strh_at[], p_strb_at[], p_strt_at[], p_strbt_at[];
extern char p_swp_at[], p_swpb_at[], p_ldm_at[], p_stm_at[];

/* Calls fn(a0, a1) in SVC mode; a prefetch abort in it returns POISON
   here (after recording it in abt). */
uint32_t call_probe(uint32_t a0, uint32_t a1, const void *fn);
/* Calls fn(a0, a1) in User mode (IRQ/FIQ masked) and returns its r0 by an
   SWI back to SVC mode; a prefetch abort returns POISON.  Data aborts in
   User mode are skipped as usual.  fn must not use semihosting. */
uint32_t run_user(uint32_t a0, uint32_t a1, const void *fn);

/* An access as t_eq prints it: 0 when it completed, else the FSR. */
#define OK_NOFAULT 0u

/* Runs one probe and returns 0 if it did not abort, else the FSR; the
   probe's FAR, lr and SPSR are in abt. */
uint32_t try_read(uint32_t (*probe)(uint32_t), uint32_t addr, uint32_t *value);
uint32_t try_write(void (*probe)(uint32_t, uint32_t), uint32_t addr, uint32_t value);
uint32_t user_read(uint32_t addr, uint32_t *value);   /* LDR in User mode */
uint32_t user_write(uint32_t addr, uint32_t value);   /* STR in User mode */

/* The name of an FSR for output: "no abort", "permission fault (page)"... */
const char *fsr_name(uint32_t fsr);

/* Checks one access: its FSR (0 = completed) and, if it faulted, the FAR
   (want_far) and lr_abt = at + 8. */
int check_access(uint32_t fsr, uint32_t want_fsr, uint32_t want_far, const char *at,
                 const char *fmt, ...);

#endif
