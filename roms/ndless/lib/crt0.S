/* crt0.S - start-up code of the project's Ndless test programs (our own).
 *
 * The loader calls _start(argc, argv) in ARM state (Zehn: at the entry offset,
 * 0 here; PRG: at offset 4).  _start records the state it was entered in
 * (struct crt0_state in ndless.h), zeroes .bss (noting whether the loader had
 * already done so), calls main(argc, argv) and returns main's value in r0 to
 * the caller's lr, with r4-r12 and sp as they were.  exit(status) does the same
 * from any depth.
 *
 * Every address here is computed PC-relatively (R_ARM_REL32 words), so this code
 * needs no relocation and serves Zehn and PRG programs alike.
 */
	.syntax unified
	.arm
	.section .text.crt0, "ax", %progbits
	.global _start
	.type _start, %function
_start:
	push	{r4-r12, lr}		@ 10 words: sp keeps its 8-byte alignment
	mrs	r4, cpsr
	add	r5, sp, #40		@ sp at entry
	mov	r6, lr
	ldr	r7, .Lstate
.Lpc_state:
	add	r7, pc, r7		@ r7 = &__crt0_state
	mov	r8, sp
	stmia	r7, {r4, r5, r6, r8}	@ cpsr, sp, lr, saved_sp
	ldr	r8, .Lbss_start
.Lpc_bss_start:
	add	r8, pc, r8
	ldr	r9, .Lbss_end
.Lpc_bss_end:
	add	r9, pc, r9
	mov	r10, #0			@ OR of the words found in .bss
	mov	r11, #0
1:	cmp	r8, r9
	ldrlo	r12, [r8]
	orrlo	r10, r10, r12
	strlo	r11, [r8], #4
	blo	1b
	str	r10, [r7, #16]		@ bss_dirty
	bl	main			@ r0 = argc, r1 = argv, untouched so far
	pop	{r4-r12, pc}

.Lstate:	.word	__crt0_state - (.Lpc_state + 8)
.Lbss_start:	.word	__bss_start - (.Lpc_bss_start + 8)
.Lbss_end:	.word	__bss_end - (.Lpc_bss_end + 8)
	.size _start, . - _start

	.global exit
	.type exit, %function
exit:
	ldr	r1, .Lstate2
.Lpc_state2:
	add	r1, pc, r1
	ldr	sp, [r1, #12]		@ saved_sp
	pop	{r4-r12, pc}		@ r0 = status
.Lstate2:	.word	__crt0_state - (.Lpc_state2 + 8)
	.size exit, . - exit

	.global image_base
	.type image_base, %function
image_base:
	ldr	r0, .Limage_start
.Lpc_image_start:
	add	r0, pc, r0
	bx	lr
.Limage_start:	.word	__image_start - (.Lpc_image_start + 8)
	.size image_base, . - image_base

	.global image_end
	.type image_end, %function
image_end:
	ldr	r0, .Limage_end
.Lpc_image_end:
	add	r0, pc, r0
	bx	lr
.Limage_end:	.word	__image_end - (.Lpc_image_end + 8)
	.size image_end, . - image_end

	/* In .data, not .bss: it is written before .bss is zeroed. */
	.data
	.align 2
	.global __crt0_state
	.hidden __crt0_state
	.type __crt0_state, %object
__crt0_state:
	.word	0, 0, 0, 0, 0
	.size __crt0_state, . - __crt0_state
