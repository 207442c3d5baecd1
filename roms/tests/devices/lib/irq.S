/*
 * irq.S - interrupt entries of the device ROMs (see dev.h).
 *
 * start.S (tests/cpu/lib) sends the IRQ and FIQ vectors to exc_hook[6] and
 * exc_hook[7] with every register as the exception left them; vic_setup()
 * points those at irq_entry and fiq_entry.
 *
 * irq_entry is the PL190's vectored dispatch (DDI 0181 3.4, "Interrupt
 * flow sequence"): read VICVECTADDR, which gives the ISR address of the
 * highest-priority pending IRQ and masks it and every lower priority; call
 * it; write VICVECTADDR, which ends that service.  IRQs stay masked in the
 * CPSR meanwhile, so services do not nest here.
 */
        .syntax unified
        .arm

        .equ    VICVECTADDR, 0xDC000030

        .text
        .global irq_entry
        .type   irq_entry, %function
irq_entry:
        sub     lr, lr, #4
        push    {r0-r5, r12, lr}        @ eight words: sp stays 8-byte aligned
        ldr     r4, =VICVECTADDR
        ldr     r0, [r4]
        blx     r0
        str     r0, [r4]
        ldmfd   sp!, {r0-r5, r12, pc}^
        .size   irq_entry, . - irq_entry

        .global fiq_entry
        .type   fiq_entry, %function
fiq_entry:
        sub     lr, lr, #4
        push    {r0-r5, r12, lr}
        ldr     r0, =fiq_handler
        ldr     r0, [r0]
        blx     r0
        ldmfd   sp!, {r0-r5, r12, pc}^
        .size   fiq_entry, . - fiq_entry
        .ltorg

        .bss
        .align  2
        .global fiq_handler
fiq_handler:
        .space  4
