/* gc_calls.S - the OS calls of ti_gc.h as functions (our own).
 *
 * `stub NAME, NUMBER, STACK` makes a function NAME that issues OS call NUMBER
 * with the arguments where the OS reads them: r0-r3 as the caller left them,
 * and the STACK words the caller passed on its stack copied to the top of the
 * stack, below a frame keeping lr (a swi in SVC mode overwrites it) and r4
 * (which the OS may change).  Variadic calls copy four words of arguments.
 */
	.syntax unified
	.arm

	.macro stub name, number, stack
	.section .text.\name, "ax", %progbits
	.global \name
	.hidden \name
	.type \name, %function
\name:
	push	{r4, lr}
	.if \stack
	sub	sp, sp, #((\stack * 4 + 7) & ~7)
	.set i, 0
	.rept \stack
	ldr	r12, [sp, #(((\stack * 4 + 7) & ~7) + 8 + 4 * i)]
	str	r12, [sp, #(4 * i)]
	.set i, i + 1
	.endr
	.endif
	swi	#\number
	.if \stack
	add	sp, sp, #((\stack * 4 + 7) & ~7)
	.endif
	pop	{r4, pc}
	.size \name, . - \name
	.endm

	stub string_new, 209, 0
	stub string_free, 210, 0
	stub string_to_ascii, 211, 0
	stub string_lower, 212, 0
	stub string_charAt, 213, 0
	stub string_concat_utf16, 214, 0
	stub string_set_ascii, 215, 0
	stub string_set_utf16, 216, 0
	stub string_indexOf_utf16, 217, 0
	stub string_last_indexOf_utf16, 218, 0
	stub string_compareTo_utf16, 219, 0
	stub string_substring, 220, 0
	stub string_erase, 221, 0
	stub string_truncate, 222, 0
	stub string_insert_replace_utf16, 224, 0
	stub string_insert_utf16, 225, 0
	stub string_sprintf_utf16, 226, 4

	stub gui_gc_free, 299, 0
	stub gui_gc_copy, 300, 0
	stub gui_gc_begin, 301, 0
	stub gui_gc_finish, 302, 0
	stub gui_gc_clipRect, 303, 2
	stub gui_gc_setColorRGB, 304, 0
	stub gui_gc_setColor, 305, 0
	stub gui_gc_setAlpha, 306, 0
	stub gui_gc_setFont, 307, 0
	stub gui_gc_getFont, 308, 0
	stub gui_gc_setPen, 309, 0
	stub gui_gc_setRegion, 310, 5
	stub gui_gc_drawArc, 311, 3
	stub gui_gc_drawIcon, 312, 1
	stub gui_gc_drawSprite, 313, 0
	stub gui_gc_drawLine, 314, 1
	stub gui_gc_drawRect, 315, 1
	stub gui_gc_drawString, 316, 1
	stub gui_gc_drawPoly, 317, 0
	stub gui_gc_fillArc, 318, 3
	stub gui_gc_fillPoly, 319, 0
	stub gui_gc_fillRect, 320, 1
	stub gui_gc_fillGradient, 321, 4
	stub gui_gc_drawImage, 322, 0
	stub gui_gc_getStringWidth, 323, 1
	stub gui_gc_getCharWidth, 324, 0
	stub gui_gc_getStringSmallHeight, 325, 1
	stub gui_gc_getCharHeight, 326, 0
	stub gui_gc_getStringHeight, 327, 1
	stub gui_gc_getFontHeight, 328, 0
	stub gui_gc_getIconSize, 329, 1
	stub gui_gc_blit_gc, 330, 6
	stub gui_gc_blit_buffer, 331, 2
