/*
 * banked_asm.S - the banked registers of every mode (ARM ARM A2.3
 * "Registers", A2.5 "Program status registers"): r8-r12 (FIQ has its own),
 * r13 and r14 (one pair per mode, User and System share one) and the SPSR
 * of each exception mode.
 *
 * void banked_rw(uint32_t out[9 * 8])
 *   writes distinct values into every bank, then reads every mode's
 *   r8-r14 and SPSR back into out[] (8 words per mode, in the order SYS,
 *   FIQ, IRQ, SVC, ABT, UND, USR; for SYS and USR the 8th word is the
 *   CPSR); then out[56..62] = what STMIA {r8-r14}^ stored in FIQ mode and
 *   out[63..71] = r8, r9 of SYS and FIQ after LDMIA {r8, r9}^ in FIQ mode,
 *   and the CPSR read in User mode after MSR CPSR_c tried to leave it.
 * Every mode's sp, lr and SPSR are restored before it returns.
 */
        .syntax unified
        .arm
        .text

        .equ    MODE_USR, 0x10
        .equ    MODE_FIQ, 0x11
        .equ    MODE_IRQ, 0x12
        .equ    MODE_SVC, 0x13
        .equ    MODE_ABT, 0x17
        .equ    MODE_UND, 0x1B
        .equ    MODE_SYS, 0x1F
        .equ    IF, 0xC0

        .macro  mode m
        msr     cpsr_c, #(\m | IF)
        .endm

/* Save or restore sp, lr, SPSR of mode m at bk_save + off. */
        .macro  save m, off
        mode    \m
        ldr     r1, =bk_save + \off
        str     sp, [r1]
        str     lr, [r1, #4]
        .if \m != MODE_SYS
        mrs     r2, spsr
        str     r2, [r1, #8]
        .endif
        .endm

        .macro  restore m, off
        mode    \m
        ldr     r1, =bk_save + \off
        ldr     sp, [r1]
        ldr     lr, [r1, #4]
        .if \m != MODE_SYS
        ldr     r2, [r1, #8]
        msr     spsr_cxsf, r2
        .endif
        .endm

/* Write sp, lr (and SPSR) of mode m: sp = base + 0xD, lr = base + 0xE. */
        .macro  fill m, base, spsr
        mode    \m
        ldr     sp, =\base + 0xD
        ldr     lr, =\base + 0xE
        .ifnb \spsr
        ldr     r1, =\spsr
        msr     spsr_cxsf, r1
        .endif
        .endm

/* Store r8-r14 and the SPSR (or the CPSR) of mode m at [r0], r0 += 32. */
        .macro  dump m, psr
        mode    \m
        stmia   r0!, {r8-r14}
        mrs     r1, \psr
        str     r1, [r0], #4
        .endm

        .global banked_rw
        .type   banked_rw, %function
banked_rw:
        push    {r4-r11, lr}
        save    MODE_SYS, 0
        save    MODE_FIQ, 12
        save    MODE_IRQ, 24
        save    MODE_SVC, 36
        save    MODE_ABT, 48
        save    MODE_UND, 60

        /* Write: the User/System bank first (r8-r12 too), then FIQ's r8-r12,
           then UND writes r12 of the shared bank again. */
        mode    MODE_SYS
        ldr     r8, =0x55000008
        ldr     r9, =0x55000009
        ldr     r10, =0x5500000A
        ldr     r11, =0x5500000B
        ldr     r12, =0x5500000C
        fill    MODE_SYS, 0x55000000
        mode    MODE_FIQ
        ldr     r8, =0xF1000008
        ldr     r9, =0xF1000009
        ldr     r10, =0xF100000A
        ldr     r11, =0xF100000B
        ldr     r12, =0xF100000C
        fill    MODE_FIQ, 0x11000000, 0x80000010
        fill    MODE_IRQ, 0x12000000, 0x400000F2
        fill    MODE_SVC, 0x13000000, 0x20000053
        fill    MODE_ABT, 0x17000000, 0x18000097
        fill    MODE_UND, 0x1B000000, 0xF800001F
        ldr     r12, =0xBB00000C

        /* Read every privileged mode back. */
        dump    MODE_SYS, cpsr
        dump    MODE_FIQ, spsr
        dump    MODE_IRQ, spsr
        dump    MODE_SVC, spsr
        dump    MODE_ABT, spsr
        dump    MODE_UND, spsr

        /* Everything but System's sp and lr back as it was, so that the
           SWI below has a stack. */
        restore MODE_FIQ, 12
        restore MODE_IRQ, 24
        restore MODE_SVC, 36
        restore MODE_ABT, 48
        restore MODE_UND, 60

        /* User mode: the User/System bank; MSR cannot leave User mode;
           SVC #1 (bk_swi_to_svc) comes back in SVC mode. */
        msr     cpsr_c, #(MODE_USR | IF)
        msr     cpsr_c, #(MODE_SVC | IF)        @ ignored in User mode
        stmia   r0!, {r8-r14}
        mrs     r1, cpsr
        str     r1, [r0], #4
        svc     #1

        /* FIQ mode: STMIA {r8-r14}^ stores the User registers. */
        mode    MODE_FIQ
        stmia   r0, {r8-r14}^
        nop                                     @ no banked access right after ^
        add     r0, r0, #28
        /* LDMIA {r8, r9}^ in FIQ mode loads the User r8, r9 only. */
        ldr     r1, =bk_user_vals
        ldmia   r1, {r8, r9}^
        nop
        mov     r2, r8
        mov     r3, r9
        mode    MODE_SYS
        str     r8, [r0], #4
        str     r9, [r0], #4
        str     r2, [r0], #4
        str     r3, [r0], #4

        restore MODE_SYS, 0
        mode    MODE_SVC
        pop     {r4-r11, pc}
        .size   banked_rw, . - banked_rw

/* SWI handler: return to SVC mode (the SPSR's mode becomes SVC). */
        .global bk_swi_to_svc
        .type   bk_swi_to_svc, %function
bk_swi_to_svc:
        push    {r1}
        mrs     r1, spsr
        bic     r1, r1, #0x1F
        orr     r1, r1, #MODE_SVC
        msr     spsr_cxsf, r1
        pop     {r1}
        movs    pc, lr

        .ltorg

        .section .rodata
        .align  2
bk_user_vals:
        .word   0xA5A50008, 0xA5A50009

        .bss
        .align  2
bk_save:
        .space  4 * 3 * 6
