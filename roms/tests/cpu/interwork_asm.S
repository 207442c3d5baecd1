/*
 * interwork_asm.S - ARM/Thumb interworking (ARM ARM A2.4, A4 "BX", "BLX (1)",
 * "BLX (2)", "LDR", "LDM (1)", A7 "BX", "BLX", "POP").
 *
 * Each iw_* function is ARM code called from C (interwork.c).  It switches
 * state in the way its name says and returns a value that shows which code
 * ran and, where a link register is involved, the address it held.
 * Labels named iw_ret_* mark return addresses the C side compares with.
 */
        .syntax unified
        .text

/* ---------------------------------------------------------------- helpers */

        .arm
        .align  2
arm_ret_lr:                     @ ARM: r0 = lr; return by BX
        mov     r0, lr
        bx      lr

arm_ret_7:
        mov     r0, #7
        bx      lr

        .thumb
        .align  2
        .thumb_func
thumb_ret_lr:                   @ Thumb: r0 = lr; return by BX
        mov     r0, lr
        bx      lr

        .thumb_func
thumb_ret_5:
        movs    r0, #5
        bx      lr

        .thumb_func
thumb_pop_ret_9:                @ Thumb: return by POP {pc}
        push    {r4, lr}
        movs    r4, #9
        adds    r0, r4, #0
        pop     {r4, pc}

/* ------------------------------------------------------------- ARM side */

        .arm
        .align  2

/* BX to Thumb code (address | 1), which returns by BX lr to ARM. */
        .global iw_bx_to_thumb
        .type   iw_bx_to_thumb, %function
iw_bx_to_thumb:
        adr     r1, 1f + 1
        bx      r1
        .thumb
        .align  2
1:      movs    r0, #0x11
        bx      lr
        .arm
        .align  2

/* BX from ARM to ARM (bit 0 clear): stays in ARM. */
        .global iw_bx_arm_to_arm
        .type   iw_bx_arm_to_arm, %function
iw_bx_arm_to_arm:
        adr     r1, 1f
        bx      r1
        mov     r0, #0xBA0
        bx      lr
1:      mov     r0, #0x22
        bx      lr

/* BLX imm from ARM to Thumb: r0 = the lr the Thumb code saw. */
        .global iw_blx_imm_arm_to_thumb
        .type   iw_blx_imm_arm_to_thumb, %function
        .global iw_ret_blx_imm_a
iw_blx_imm_arm_to_thumb:
        push    {r4, lr}
        blx     thumb_ret_lr
iw_ret_blx_imm_a:
        pop     {r4, pc}

/* BLX reg from ARM to Thumb. */
        .global iw_blx_reg_arm_to_thumb
        .type   iw_blx_reg_arm_to_thumb, %function
        .global iw_ret_blx_reg_a
iw_blx_reg_arm_to_thumb:
        push    {r4, lr}
        ldr     r1, =thumb_ret_lr       @ a Thumb symbol: bit 0 set
        blx     r1
iw_ret_blx_reg_a:
        pop     {r4, pc}

/* BLX reg from ARM to ARM. */
        .global iw_blx_reg_arm_to_arm
        .type   iw_blx_reg_arm_to_arm, %function
        .global iw_ret_blx_reg_aa
iw_blx_reg_arm_to_arm:
        push    {r4, lr}
        adr     r1, arm_ret_lr
        blx     r1
iw_ret_blx_reg_aa:
        pop     {r4, pc}

/* A BLX reg whose condition fails changes neither the PC nor lr:
   returns lr as it was before (set to 0x1234). */
        .global iw_blx_cond_fail
        .type   iw_blx_cond_fail, %function
iw_blx_cond_fail:
        push    {r4, lr}
        ldr     r1, =thumb_ret_5
        mov     lr, #0x1200
        orr     lr, lr, #0x34
        mov     r0, #0
        cmp     r0, #1                  @ Z clear
        blxeq   r1
        bxeq    r1
        mov     r0, lr
        pop     {r4, pc}

/* LDR pc loading a Thumb address: interworks (ARMv5). */
        .global iw_ldr_pc_thumb
        .type   iw_ldr_pc_thumb, %function
iw_ldr_pc_thumb:
        push    {r4, lr}
        ldr     r1, =lit_thumb_ret_5
        adr     lr, 1f
        ldr     pc, [r1]
1:      pop     {r4, pc}

/* LDR pc loading an ARM address. */
        .global iw_ldr_pc_arm
        .type   iw_ldr_pc_arm, %function
iw_ldr_pc_arm:
        push    {r4, lr}
        ldr     r1, =lit_arm_ret_7
        adr     lr, 1f
        ldr     pc, [r1]
1:      pop     {r4, pc}

/* LDR pc, [sp], #4 (post-indexed, as a one-register pop) to Thumb;
   returns the value of r0 + 0x100 * (sp moved by 4). */
        .global iw_ldr_pc_postinc_thumb
        .type   iw_ldr_pc_postinc_thumb, %function
iw_ldr_pc_postinc_thumb:
        push    {r4, r5, lr}
        mov     r5, sp
        ldr     r1, =thumb_ret_5
        adr     lr, 1f
        str     r1, [sp, #-4]!
        ldr     pc, [sp], #4
1:      cmp     r5, sp
        addeq   r0, r0, #0x100
        pop     {r4, r5, pc}

/* LDM with the PC in the list, loading a Thumb address: interworks.
   r0 also loaded by the same LDM. */
        .global iw_ldm_pc_thumb
        .type   iw_ldm_pc_thumb, %function
iw_ldm_pc_thumb:
        push    {r4, lr}
        ldr     r1, =ldm_block_thumb
        adr     lr, 1f
        ldmia   r1, {r2, pc}            @ r2 = 0x33, pc = thumb_add_r2
1:      pop     {r4, pc}

        .thumb
        .align  2
        .thumb_func
thumb_add_r2:                   @ r0 = r2 + 0x300
        movs    r0, #3
        lsls    r0, r0, #8
        adds    r0, r0, r2
        bx      lr
        .arm
        .align  2

/* LDMFD sp!, {r4, pc} (a pop) to a Thumb return address: C calls this
   through a Thumb function, so its lr has bit 0 set.  iw_pop_to_thumb
   is called from the Thumb side (interwork_thumb.c). */
        .global iw_arm_leaf_pop
        .type   iw_arm_leaf_pop, %function
iw_arm_leaf_pop:
        push    {r4, lr}
        mov     r4, #0x44
        adds    r0, r4, #0
        ldmfd   sp!, {r4, pc}

/* Thumb code returning to ARM by POP {pc} (ARMv5: interworks). */
        .global iw_thumb_pop_to_arm
        .type   iw_thumb_pop_to_arm, %function
        .global iw_ret_thumb_pop_to_arm
iw_thumb_pop_to_arm:
        push    {r4, lr}
        blx     thumb_pop_ret_9
iw_ret_thumb_pop_to_arm:
        pop     {r4, pc}

/* ----------------------------------------------- Thumb side, from ARM */

/* ARM -> Thumb by BX; the Thumb code calls an ARM function with BLX imm
   and returns the lr that function saw (the Thumb return address | 1). */
        .global iw_thumb_blx_imm_to_arm
        .type   iw_thumb_blx_imm_to_arm, %function
        .global iw_ret_thumb_blx_imm
iw_thumb_blx_imm_to_arm:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      push    {lr}
        blx     arm_ret_lr
iw_ret_thumb_blx_imm:
        pop     {r1}
        bx      r1
        .arm
        .align  2

/* Thumb BLX reg to ARM (bit 0 clear). */
        .global iw_thumb_blx_reg_to_arm
        .type   iw_thumb_blx_reg_to_arm, %function
        .global iw_ret_thumb_blx_reg_arm
iw_thumb_blx_reg_to_arm:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      push    {lr}
        ldr     r2, =arm_ret_lr
        blx     r2
iw_ret_thumb_blx_reg_arm:
        pop     {r1}
        bx      r1
        .arm
        .align  2

/* Thumb BLX reg to Thumb. */
        .global iw_thumb_blx_reg_to_thumb
        .type   iw_thumb_blx_reg_to_thumb, %function
        .global iw_ret_thumb_blx_reg_thumb
iw_thumb_blx_reg_to_thumb:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      push    {lr}
        ldr     r2, =thumb_ret_lr
        blx     r2
iw_ret_thumb_blx_reg_thumb:
        pop     {r1}
        bx      r1
        .arm
        .align  2

/* Thumb BL (two halves) to Thumb, lr = return | 1. */
        .global iw_thumb_bl
        .type   iw_thumb_bl, %function
        .global iw_ret_thumb_bl
iw_thumb_bl:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      push    {lr}
        bl      thumb_ret_lr
iw_ret_thumb_bl:
        pop     {r1}
        bx      r1
        .arm
        .align  2

/* Thumb BX pc from a word-aligned address: continues in ARM state at
   that address + 4. */
        .global iw_thumb_bx_pc
        .type   iw_thumb_bx_pc, %function
iw_thumb_bx_pc:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      bx      pc                      @ at a word-aligned address
        nop                             @ skipped: the target is this + 4... 
        .arm
        mov     r0, #0x66               @ ...this ARM instruction
        bx      lr

/* Thumb POP {pc} loading a Thumb address (plain Thumb return). */
        .global iw_thumb_pop_to_thumb
        .type   iw_thumb_pop_to_thumb, %function
iw_thumb_pop_to_thumb:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      push    {lr}
        bl      thumb_pop_ret_9
        adds    r0, r0, #0x10
        pop     {r1}
        bx      r1
        .arm
        .align  2

/* Thumb BX to an ARM address (bit 0 clear) from Thumb code. */
        .global iw_thumb_bx_to_arm
        .type   iw_thumb_bx_to_arm, %function
iw_thumb_bx_to_arm:
        push    {r4, lr}
        adr     r1, 1f + 1
        blx     r1
        pop     {r4, pc}
        .thumb
        .align  2
1:      ldr     r2, =2f
        bx      r2
        .align  2
        .ltorg
        .arm
        .align  2
2:      mov     r0, #0x77
        bx      lr

/* BXJ (ARMv5TEJ) with Jazelle not enabled behaves as BX: to Thumb. */
        .global iw_bxj_to_thumb
        .type   iw_bxj_to_thumb, %function
iw_bxj_to_thumb:
        push    {r4, lr}
        ldr     r1, =thumb_ret_5
        adr     lr, 1f
        bxj     r1
1:      pop     {r4, pc}

/* BXJ to ARM code. */
        .global iw_bxj_to_arm
        .type   iw_bxj_to_arm, %function
iw_bxj_to_arm:
        push    {r4, lr}
        adr     r1, arm_ret_7
        adr     lr, 1f
        bxj     r1
1:      pop     {r4, pc}

/* Read the CPSR T bit after a round trip through Thumb code: ARM code
   must see T clear. */
        .global iw_cpsr_after_thumb
        .type   iw_cpsr_after_thumb, %function
iw_cpsr_after_thumb:
        push    {r4, lr}
        blx     thumb_ret_5
        mrs     r0, cpsr
        and     r0, r0, #0x20
        pop     {r4, pc}

        .ltorg

        .section .rodata
        .align  2
lit_thumb_ret_5:
        .word   thumb_ret_5
lit_arm_ret_7:
        .word   arm_ret_7
ldm_block_thumb:
        .word   0x33
        .word   thumb_add_r2
