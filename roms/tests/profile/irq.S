/*
 * irq.S - a ROM that takes a known number of timer interrupts, for the
 * profiler's test of its exception and interrupt counts (emu/tests/profile.rs).
 *
 * The SP804 timer at 0x900D0000 (32768 Hz) runs periodic, its interrupt on
 * VIC line 19 as an IRQ; the CPU sleeps in wait-for-interrupt between ticks.
 * The IRQ handler clears the timer's interrupt and counts it in memory; after
 * IRQS of them _reset stops the timer and exits through semihosting
 * SYS_EXIT_EXTENDED with the count it kept as the exit status, so the run's
 * status is the ROM's own count of the interrupts it took.  It takes no other
 * exception (the semihosting SVC of its exit is answered by the host).
 *
 * Run it with --semihosting.
 */
        .syntax unified
        .arm

        .equ    IRQS, 12
        .equ    VIC, 0xDC000000         @ PL190
        .equ    VICINTSELECT, 0x0C
        .equ    VICINTENABLE, 0x10
        .equ    TIMER, 0x900D0000       @ SP804, timer 1
        .equ    TIMERCONTROL, 0x08
        .equ    TIMERINTCLR, 0x0C
        .equ    COUNT, 0x10000000       @ the count, in SDRAM (zero at power-on)

        .text
        .global _vectors
        .type   _vectors, %function
_vectors:
        b       _reset                  @ 0x00 reset
        b       .                       @ 0x04 undefined instruction
        b       .                       @ 0x08 SWI
        b       .                       @ 0x0C prefetch abort
        b       .                       @ 0x10 data abort
        b       .                       @ 0x14 reserved
        b       _irq                    @ 0x18 IRQ
        b       .                       @ 0x1C FIQ
        .size   _vectors, . - _vectors

        .global _reset
        .type   _reset, %function
_reset:
        msr     cpsr_c, #0xD2           @ IRQ mode, interrupts masked: its stack
        ldr     sp, =0x10080000
        msr     cpsr_c, #0xD3           @ SVC mode
        ldr     sp, =0x10100000
        ldr     r0, =VIC
        mov     r1, #0
        str     r1, [r0, #VICINTSELECT] @ every line an IRQ
        mov     r1, #1 << 19
        str     r1, [r0, #VICINTENABLE] @ the timer's line
        ldr     r0, =TIMER
        mov     r1, #33                 @ a tick about every millisecond
        str     r1, [r0]
        mov     r1, #0xE2               @ enabled, periodic, interrupt on, 32-bit
        str     r1, [r0, #TIMERCONTROL]
        ldr     r4, =COUNT
        msr     cpsr_c, #0x53           @ IRQs on
1:      mcr     p15, 0, r0, c7, c0, 4   @ wait for interrupt
        ldr     r1, [r4]
        cmp     r1, #IRQS
        blo     1b
        msr     cpsr_c, #0xD3           @ IRQs off
        mov     r1, #0
        str     r1, [r0, #TIMERCONTROL]
        ldr     r1, [r4]
        ldr     r2, =0x20026            @ ADP_Stopped_ApplicationExit
        add     r3, r4, #4              @ the exit's block, after the count
        str     r2, [r3]
        str     r1, [r3, #4]
        mov     r1, r3
        mov     r0, #0x20               @ SYS_EXIT_EXTENDED
        svc     0x123456
        b       .
        .size   _reset, . - _reset

        .type   _irq, %function
_irq:
        sub     lr, lr, #4
        push    {r0, r1, lr}
        ldr     r0, =TIMER
        mov     r1, #1
        str     r1, [r0, #TIMERINTCLR]
        ldr     r0, =COUNT
        ldr     r1, [r0]
        add     r1, r1, #1
        str     r1, [r0]
        ldm     sp!, {r0, r1, pc}^
        .size   _irq, . - _irq

        .pool
