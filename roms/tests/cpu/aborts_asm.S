/*
 * aborts_asm.S - data and prefetch aborts with the MMU off (emu only: see
 * aborts.c).  On the emulated CX a physical address where nothing is
 * mapped answers with a bus error: an external abort.
 *
 * Data-abort handler (dabt_handler) records in ab_rec:
 *   [0] count [1] lr [2] SPSR [3] CPSR [4] DFSR [5] FAR [6] r1 on entry
 * and then, by ab_action: 0 skip the instruction (SUBS pc, lr, #4 in ARM
 * state, #6 in Thumb); 1 retry it (SUBS pc, lr, #8) after setting r1 =
 * ab_fix (the interrupted code's base register).
 *
 * Prefetch-abort handler (pabt_handler) records
 *   [0] count [1] lr [2] SPSR [3] CPSR [4] IFSR [5] FAR
 * and resumes at ab_resume in ARM state, SVC mode (the SPSR's T bit is
 * cleared), with r0 as the aborted code left it.
 */
        .syntax unified
        .text

        .macro  func name
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        .endm

        func    dabt_handler
        push    {r0, r2, r3}
        mrs     r0, cpsr
        ldr     r2, =ab_rec
        str     r0, [r2, #12]
        mrs     r0, spsr
        str     r0, [r2, #8]
        str     lr, [r2, #4]
        mrc     p15, 0, r0, c5, c0, 0
        str     r0, [r2, #16]
        mrc     p15, 0, r0, c6, c0, 0
        str     r0, [r2, #20]
        str     r1, [r2, #24]
        ldr     r3, [r2]
        add     r3, r3, #1
        str     r3, [r2]
        ldr     r3, =ab_action
        ldr     r3, [r3]
        cmp     r3, #1
        beq     1f
        mrs     r0, spsr
        tst     r0, #0x20
        pop     {r0, r2, r3}
        subseq  pc, lr, #4              @ ARM: skip
        subs    pc, lr, #6              @ Thumb: skip
1:      ldr     r1, =ab_fix
        ldr     r1, [r1]
        pop     {r0, r2, r3}
        subs    pc, lr, #8              @ retry (ARM and Thumb)

        func    pabt_handler
        push    {r1-r3}
        mrs     r1, cpsr
        ldr     r2, =ab_rec
        str     r1, [r2, #12]
        mrs     r1, spsr
        str     r1, [r2, #8]
        str     lr, [r2, #4]
        mrc     p15, 0, r3, c5, c0, 1
        str     r3, [r2, #16]
        mrc     p15, 0, r3, c6, c0, 0
        str     r3, [r2, #20]
        ldr     r3, [r2]
        add     r3, r3, #1
        str     r3, [r2]
        bic     r1, r1, #0x20
        msr     spsr_cxsf, r1
        ldr     lr, =ab_resume
        ldr     lr, [lr]
        pop     {r1-r3}
        movs    pc, lr

/* Data-abort cases: uint32_t name(uint32_t addr) runs one instruction with
   r1 = addr (r0 = 0x5A5A5A5A, r2 = 0x77) and returns r1 afterwards (the
   base register after the abort).  ab_at = the instruction's address. */
        .macro  dcase name, insn:vararg
        func    \name
        push    {r4-r7, lr}
        mov     r1, r0
        ldr     r0, =0x5A5A5A5A
        mov     r2, #0x77
        ldr     r3, =ab_at
        adr     r4, 1f
        str     r4, [r3]
1:      \insn
        mov     r0, r1
        pop     {r4-r7, pc}
        .endm

        dcase   ab_ldr,         ldr r0, [r1]
        dcase   ab_ldr_pre_wb,  ldr r0, [r1, #4]!
        dcase   ab_ldr_post,    ldr r0, [r1], #4
        dcase   ab_str_pre_wb,  str r0, [r1, #-4]!
        dcase   ab_ldrb,        ldrb r0, [r1, #3]
        dcase   ab_strb,        strb r0, [r1, #1]
        dcase   ab_ldrh,        ldrh r0, [r1, #2]
        dcase   ab_strh_wb,     strh r0, [r1, #2]!
        dcase   ab_ldrsb,       ldrsb r0, [r1]
        dcase   ab_ldrsh,       ldrsh r0, [r1]
        dcase   ab_ldrt,        ldrt r0, [r1]
        dcase   ab_ldrd,        ldrd r4, r5, [r1]
        dcase   ab_strd_wb,     strd r4, r5, [r1, #8]!
        dcase   ab_ldm_wb,      ldmia r1!, {r4-r7}
        dcase   ab_stm_wb,      stmdb r1!, {r4-r7}
        dcase   ab_swp,         swp r0, r2, [r1]
        dcase   ab_swpb,        swpb r0, r2, [r1]

/* uint32_t ab_ldr_value(uint32_t addr): LDR r0, [r1]; returns r0 (for the
   retry test). */
        func    ab_ldr_value
        push    {r4, lr}
        mov     r1, r0
        mov     r0, #0
        ldr     r3, =ab_at
        adr     r4, 1f
        str     r4, [r3]
1:      ldr     r0, [r1]
        pop     {r4, pc}

/* Thumb cases: uint32_t name(uint32_t addr), r1 = addr; returns r1 (or
   r0 for the _value form). */
        .macro  tcase name, ret, insn:vararg
        func    \name
        push    {r4-r7, lr}
        mov     r1, r0
        ldr     r0, =0x5A5A5A5A
        ldr     r3, =ab_at
        adr     r4, 1f
        str     r4, [r3]
        adr     r4, 1f + 1
        blx     r4
        mov     r0, \ret
        pop     {r4-r7, pc}
        .thumb
        .align  2
1:      \insn
        bx      lr
        .arm
        .align  2
        .endm

        tcase   ab_t_ldr, r1, ldr r0, [r1, #4]
        tcase   ab_t_strh, r1, strh r0, [r1, #2]
        tcase   ab_t_ldmia, r1, ldmia r1!, {r2, r3}
        tcase   ab_t_ldr_value, r0, ldr r0, [r1]

/* Prefetch aborts.  uint32_t name(uint32_t target): branch to target,
   which cannot be fetched; the handler resumes at 2f, which returns r0. */
        .macro  pcase name, insn:vararg
        func    \name
        push    {r4-r7, lr}
        ldr     r3, =ab_resume
        adr     r4, 2f
        str     r4, [r3]
        mov     r1, r0
        mov     r0, #0x11
        \insn
        mov     r0, #0xBB               @ not reached
2:      pop     {r4-r7, pc}
        .endm

        pcase   ab_p_bx, bx r1
        pcase   ab_p_blx, blx r1
        pcase   ab_p_mov, mov pc, r1

/* The same with LDR pc, [sp], #4 (a one-register pop) as the branch. */
        func    ab_p_ldr
        push    {r4-r7, lr}
        ldr     r3, =ab_resume
        adr     r4, 2f
        str     r4, [r3]
        mov     r1, r0
        mov     r0, #0x11
        str     r1, [sp, #-4]!
        ldr     pc, [sp], #4
        mov     r0, #0xBB               @ not reached
2:      pop     {r4-r7, pc}

/* uint32_t ab_p_not_taken(uint32_t target): BXNE to it with Z set. */
        func    ab_p_not_taken
        cmp     r0, r0
        bxne    r0
        mov     r0, #0x22
        bx      lr

/* uint32_t ab_p_run_off(void *code): call code at the top of SDRAM that
   runs into the first address past it. */
        func    ab_p_run_off
        push    {r4-r7, lr}
        ldr     r3, =ab_resume
        adr     r4, 2f
        str     r4, [r3]
        mov     r1, r0
        mov     r0, #0
        blx     r1
        mov     r0, #0xBB
2:      pop     {r4-r7, pc}

        .ltorg

        .bss
        .align  2
        .global ab_rec, ab_action, ab_fix, ab_at, ab_resume
ab_rec:     .space  4 * 8
ab_action:  .space  4
ab_fix:     .space  4
ab_at:      .space  4
ab_resume:  .space  4
