/* entry_asm.S - the IRQ handler of the entry test, installed as TI-OS programs
 * install theirs: its address written to 0xA4000038, the word the IRQ vector
 * (VA 0x18: ldr pc, [pc, #0x18]) jumps through.
 *
 * It runs in IRQ mode on the runtime's IRQ stack (6 words).  When VIC line 19
 * (timer 2) is pending it acknowledges the timer (any write to 0x900D000C) and
 * counts the tick in entry_irq_ticks; then it returns to the interrupted code.
 */
	.syntax unified
	.arm
	.text
	.global entry_irq_handler
	.type entry_irq_handler, %function
entry_irq_handler:
	sub	lr, lr, #4
	push	{r0-r3, r12, lr}
	ldr	r0, =0xDC000000
	ldr	r1, [r0]			@ VICIRQSTATUS
	tst	r1, #(1 << 19)
	beq	1f
	ldr	r2, =0x900D000C
	str	r2, [r2]			@ timer 2: TimerXIntClr
	ldr	r2, .Lticks
.Lpc_ticks:
	add	r2, pc, r2
	ldr	r3, [r2]
	add	r3, r3, #1
	str	r3, [r2]
1:	ldm	sp!, {r0-r3, r12, pc}^
.Lticks:	.word	entry_irq_ticks - (.Lpc_ticks + 8)
	.ltorg
	.size entry_irq_handler, . - entry_irq_handler

	.bss
	.align 2
	.global entry_irq_ticks
	.type entry_irq_ticks, %object
entry_irq_ticks:
	.word	0
	.size entry_irq_ticks, 4

/* uint32_t read_cpsr(void), uint32_t read_cp15_control(void), uint32_t peek(address) */
	.text
	.global read_cpsr
	.type read_cpsr, %function
read_cpsr:
	mrs	r0, cpsr
	bx	lr
	.size read_cpsr, . - read_cpsr

	.global read_cp15_control
	.type read_cp15_control, %function
read_cp15_control:
	mrc	p15, 0, r0, c1, c0, 0
	bx	lr
	.size read_cp15_control, . - read_cp15_control

	.global peek
	.type peek, %function
peek:
	ldr	r0, [r0]
	bx	lr
	.size peek, . - peek
