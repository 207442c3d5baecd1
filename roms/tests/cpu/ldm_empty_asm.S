/*
 * ldm_empty_asm.S - LDM/STM with an empty register list.
 *
 * The ARM ARM makes these UNPREDICTABLE (A4 "LDM (1)", "STM (1)": "If no
 * registers are specified, the result is UNPREDICTABLE"; A7 "LDMIA",
 * "STMIA", "PUSH", "POP").  This emulator chose QEMU's behaviour, the
 * undefined-instruction exception, and this ROM pins that choice down
 * (see roms/README.md).
 *
 * uint32_t le_run(int n, uint32_t *mem): executes case n with r0 = mem;
 * returns the base register's final value minus mem.  The undefined
 * handler le_und records [0] count, [1] lr - address of the instruction,
 * [2] SPSR.T, and skips the instruction.
 */
        .syntax unified
        .text

        .global le_und
        .type   le_und, %function
        .arm
        .align  2
le_und:
        push    {r0-r3}
        ldr     r2, =le_rec
        ldr     r3, [r2]
        add     r3, r3, #1
        str     r3, [r2]
        ldr     r3, =le_at
        ldr     r3, [r3]
        sub     r3, lr, r3
        str     r3, [r2, #4]
        mrs     r1, spsr
        and     r1, r1, #0x20
        str     r1, [r2, #8]
        pop     {r0-r3}
        movs    pc, lr

        .macro  arm_case name, word
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        push    {r4, lr}
        mov     r4, r0
        adr     r1, 1f
        ldr     r2, =le_at
        str     r1, [r2]
        mov     r1, r0
1:      .word   \word
        sub     r0, r1, r4
        pop     {r4, pc}
        .endm

        /* Thumb cases use r1 (LDMIA/STMIA r1) or sp (PUSH/POP). */
        .macro  thumb_case name, hword
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        push    {r4-r6, lr}
        mov     r4, r0
        mov     r6, sp
        adr     r1, 1f
        ldr     r2, =le_at
        str     r1, [r2]
        mov     r1, r0
        adr     r2, 1f + 1
        blx     r2
        .ifc \hword, 0xB400
        sub     r0, sp, r6
        .else
        .ifc \hword, 0xBC00
        sub     r0, sp, r6
        .else
        sub     r0, r1, r4
        .endif
        .endif
        mov     sp, r6
        pop     {r4-r6, pc}
        .thumb
        .align  2
1:      .hword  \hword
        bx      lr
        .endm

        arm_case le_case0, 0xE8910000   @ ldmia r1, {}
        arm_case le_case1, 0xE8B10000   @ ldmia r1!, {}
        arm_case le_case2, 0xE8810000   @ stmia r1, {}
        arm_case le_case3, 0xE9210000   @ stmdb r1!, {}
        thumb_case le_case4, 0xC900     @ ldmia r1!, {}
        thumb_case le_case5, 0xC100     @ stmia r1!, {}
        thumb_case le_case6, 0xB400     @ push {}
        thumb_case le_case7, 0xBC00     @ pop {}

        .ltorg

        .bss
        .align  2
        .global le_rec
le_rec: .space  12
le_at:  .space  4
