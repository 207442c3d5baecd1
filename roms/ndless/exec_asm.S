/* exec_asm.S - nl_exec with known values in the registers a call must give
 * back: r5-r11 (the AAPCS's callee-saved ones; r4 and r12 the SDK's stubs give
 * up, with r3 and lr) and the argument registers r1 and r2, which the SDK's
 * stubs name as inputs only, so the compiler keeps values in them across it.
 *
 * int exec_keeps_registers(const char *path, int argsn, char **args, int *status)
 * stores nl_exec's result in *status and returns a mask of the registers that
 * changed: bit n for rn.
 */
	.syntax unified
	.arm
	.text
	.global exec_keeps_registers
	.type exec_keeps_registers, %function
exec_keeps_registers:
	push	{r4-r11, lr}
	push	{r3}				@ status
	ldr	r5, =0x55555555
	ldr	r6, =0x66666666
	ldr	r7, =0x77777777
	ldr	r8, =0x88888888
	ldr	r9, =0x99999999
	ldr	r10, =0xAAAAAAAA
	ldr	r11, =0xBBBBBBBB
	push	{r1, r2}			@ argsn and args, as given
	swi	#0x20000A			@ nl_exec
	push	{r0}
	mov	r0, #0
	ldr	r14, [sp, #4]
	cmp	r1, r14
	orrne	r0, r0, #(1 << 1)
	ldr	r14, [sp, #8]
	cmp	r2, r14
	orrne	r0, r0, #(1 << 2)
	ldr	r14, =0x55555555
	cmp	r5, r14
	orrne	r0, r0, #(1 << 5)
	ldr	r14, =0x66666666
	cmp	r6, r14
	orrne	r0, r0, #(1 << 6)
	ldr	r14, =0x77777777
	cmp	r7, r14
	orrne	r0, r0, #(1 << 7)
	ldr	r14, =0x88888888
	cmp	r8, r14
	orrne	r0, r0, #(1 << 8)
	ldr	r14, =0x99999999
	cmp	r9, r14
	orrne	r0, r0, #(1 << 9)
	ldr	r14, =0xAAAAAAAA
	cmp	r10, r14
	orrne	r0, r0, #(1 << 10)
	ldr	r14, =0xBBBBBBBB
	cmp	r11, r14
	orrne	r0, r0, #(1 << 11)
	pop	{r1}				@ nl_exec's result
	add	sp, sp, #8
	pop	{r3}
	str	r1, [r3]
	pop	{r4-r11, pc}
	.ltorg
	.size exec_keeps_registers, . - exec_keeps_registers
