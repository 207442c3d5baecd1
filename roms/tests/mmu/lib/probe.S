/*
 * probe.S - abort and SWI handlers and single-instruction probes for the
 * MMU conformance ROMs (see mmu.h).
 *
 * The handlers are installed in the exception hooks of the CPU ROMs'
 * start-up code (roms/tests/cpu/lib/start.S, set_hook):
 *   dabt_hook  records the abort in `abt`, then skips the instruction
 *              (lr - 4 in ARM state, lr - 6 in Thumb) or, when abt_fixup
 *              is set and returns non-zero, retries it (lr - 8);
 *   pabt_hook  records the abort and returns POISON from the call_probe or
 *              run_user that is running, in SVC mode (with none running it
 *              goes to the start-up code's "unexpected" report);
 *   swi_hook   the SWI that run_user's User-mode code ends with.
 * Every register of the interrupted code is kept, so that tests can see
 * the base registers an aborted instruction left.
 */
        .syntax unified
        .arm

        .equ    POISON, 0xDEADBEEF

        .macro  func name
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        .endm

        .text

/* Records an abort: r0 = vector number, r1 = FSR, lr = the mode's lr.
   Uses r2, r3. */
        .macro  record
        ldr     r2, =abt
        ldr     r3, [r2]
        add     r3, r3, #1
        str     r3, [r2]
        str     r0, [r2, #4]
        str     lr, [r2, #8]
        mrs     r3, spsr
        str     r3, [r2, #12]
        mrs     r3, cpsr
        str     r3, [r2, #16]
        str     r1, [r2, #20]
        mrc     p15, 0, r3, c6, c0, 0
        str     r3, [r2, #24]
        .endm

        func    dabt_hook
        push    {r0-r5, r12, lr}
        mov     r0, #4
        mrc     p15, 0, r1, c5, c0, 0
        record
        mov     r4, #4                  @ skip, ARM state
        mrs     r5, spsr
        tst     r5, #0x20
        movne   r4, #6                  @ skip, Thumb state
        ldr     r5, =abt_fixup
        ldr     r5, [r5]
        cmp     r5, #0
        beq     1f
        ldr     r0, [r2, #24]           @ FAR
        ldr     r1, [r2, #20]           @ DFSR
        blx     r5
        cmp     r0, #0
        movne   r4, #8                  @ retry
1:      ldr     r0, [sp, #28]
        sub     r0, r0, r4
        str     r0, [sp, #28]
        pop     {r0-r5, r12, lr}
        movs    pc, lr

        func    pabt_hook
        ldr     r12, =probe_active
        ldr     r12, [r12]
        cmp     r12, #0
        beq     2f
        mov     r0, #3
        mrc     p15, 0, r1, c5, c0, 1
        record
        b       probe_return_poison
2:      ldr     r12, =saved_hooks
        ldr     pc, [r12, #12]          @ the start-up code's report

        func    swi_hook
        ldr     r12, =probe_active
        ldr     r12, [r12]
        cmp     r12, #2
        beq     probe_return            @ r0 = the User code's result
        ldr     r12, =saved_hooks
        ldr     pc, [r12, #8]

/* Back to the caller of call_probe/run_user, in SVC mode, with r0. */
probe_return_poison:
        ldr     r0, =POISON
probe_return:
        msr     cpsr_c, #0xD3
        ldr     r12, =probe_active
        mov     r1, #0
        str     r1, [r12]
        ldr     r12, =probe_ctx
        ldmia   r12, {r4-r11, sp, pc}

/* uint32_t call_probe(uint32_t a0, uint32_t a1, const void *fn) */
        func    call_probe
        ldr     r12, =probe_ctx
        stmia   r12, {r4-r11, sp, lr}
        ldr     r3, =probe_active
        mov     r12, #1
        str     r12, [r3]
        blx     r2
        b       probe_return

/* uint32_t run_user(uint32_t a0, uint32_t a1, const void *fn) */
        func    run_user
        ldr     r12, =probe_ctx
        stmia   r12, {r4-r11, sp, lr}
        ldr     r3, =probe_active
        mov     r12, #2
        str     r12, [r3]
        mov     r12, r2
        msr     cpsr_c, #0xD0           @ User mode, IRQ and FIQ masked
        blx     r12
        svc     #0x4E                   @ back to SVC: swi_hook
        .ltorg

/* Probes: r2 = address, r1 = value, r0 = POISON until a load writes it. */
        .macro  probe name, insn:vararg
        func    \name
        mov     r2, r0
        ldr     r0, =POISON
        .global \name\()_at
\name\()_at:
        \insn
        bx      lr
        .endm

        probe   p_ldr,   ldr r0, [r2]
        probe   p_ldrh,  ldrh r0, [r2]
        probe   p_ldrb,  ldrb r0, [r2]
        probe   p_ldrt,  ldrt r0, [r2]
        probe   p_ldrbt, ldrbt r0, [r2]
        probe   p_str,   str r1, [r2]
        probe   p_strh,  strh r1, [r2]
        probe   p_strb,  strb r1, [r2]
        probe   p_strt,  strt r1, [r2]
        probe   p_strbt, strbt r1, [r2]
        probe   p_swp,   swp r0, r1, [r2]
        probe   p_swpb,  swpb r0, r1, [r2]
        probe   p_ldm,   ldmia r2, {r0, r3}
        probe   p_stm,   stmia r2, {r1, r3}
        .ltorg

        .bss
        .align  2
        .global abt, abt_fixup, probe_active, saved_hooks
abt:            .space  7 * 4
abt_fixup:      .space  4
probe_active:   .space  4           @ 0 none, 1 call_probe, 2 run_user
probe_ctx:      .space  10 * 4      @ r4-r11, sp, lr of the caller
saved_hooks:    .space  8 * 4       @ the hooks before mmu_init
