/*
 * entry.S - vmdemo's exception entries and the way into User mode.
 *
 * The vectors are the CPU ROMs' (roms/tests/cpu/lib/start.S): each jumps,
 * registers untouched, to the hook the kernel installed, one of the
 * trap_* below.  A trap saves the interrupted context as a frame on the
 * exception mode's stack:
 *
 *     [0] User sp  [1] User lr  [2] SPSR  [3..15] r0-r12  [16] return pc
 *
 * calls kernel_trap(frame, kind), which may rewrite the frame (a system
 * call's result; a context switch replaces it with another process's
 * saved context), and returns through it: User sp and lr, SPSR, r0-r12,
 * then pc with CPSR <- SPSR.
 */
        .syntax unified
        .arm
        .text

        .macro  trap name, kind, adjust
        .global \name
        .type   \name, %function
\name:
        .if \adjust
        sub     lr, lr, #\adjust
        .endif
        stmfd   sp!, {r0-r12, lr}
        mrs     r0, spsr
        sub     sp, sp, #12
        str     r0, [sp, #8]
        stmia   sp, {sp, lr}^           @ the User bank's sp and lr
        nop
        mov     r0, sp
        mov     r1, #\kind
        bl      kernel_trap
        b       trap_return
        .endm

        @ kinds: 1 IRQ, 2 SWI, 3 prefetch abort, 4 data abort
        trap    trap_irq,  1, 4         @ return to the interrupted instruction
        trap    trap_swi,  2, 0         @ return after the SVC
        trap    trap_pabt, 3, 4         @ retry the instruction
        trap    trap_dabt, 4, 8         @ retry the instruction

trap_return:
        ldmia   sp, {sp, lr}^
        nop
        ldr     r0, [sp, #8]
        msr     spsr_cxsf, r0
        add     sp, sp, #12
        ldmfd   sp!, {r0-r12, pc}^

/* void enter_user(const uint32_t *frame): runs the context in a frame laid
   out as above (SVC mode, whose stack is then free again). */
        .global enter_user
        .type   enter_user, %function
enter_user:
        ldr     sp, =__stack_top - 0x8000   @ the SVC stack (start.S), now free
        sub     sp, sp, #(17 * 4)
        mov     r1, sp
        mov     r2, #17
1:      ldr     r3, [r0], #4
        str     r3, [r1], #4
        subs    r2, r2, #1
        bne     1b
        b       trap_return
        .ltorg
