/*
 * aborted_asm.S - single aborting instructions for aborted.c.
 *
 * uint32_t NAME(uint32_t base) runs one instruction with r1 = base,
 * r0 = 0x5A5A5A5A, r2 = 8, r3 = 0x33333333, r4-r7 = 0x44444444.. 0x77777777,
 * then stores r0, r2-r7 in dc_regs and returns r1 (the base register as the
 * instruction left it).  NAME_at is the instruction.  The Thumb cases do the
 * same in Thumb state (their skip is lr - 6, see lib/probe.S).
 */
        .syntax unified

        .macro  dcase name, insn:vararg
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        push    {r4-r7, lr}
        mov     r1, r0
        ldr     r0, =0x5A5A5A5A
        mov     r2, #8
        ldr     r3, =0x33333333
        ldr     r4, =0x44444444
        ldr     r5, =0x55555555
        ldr     r6, =0x66666666
        ldr     r7, =0x77777777
        .global \name\()_at
\name\()_at:
        \insn
        ldr     r12, =dc_regs
        stmia   r12, {r0, r2-r7}
        mov     r0, r1
        pop     {r4-r7, pc}
        .ltorg
        .endm

        .text
        dcase   a_ldr_pre_wb,   ldr r0, [r1, #4]!
        dcase   a_ldr_post,     ldr r0, [r1], #4
        dcase   a_ldr_reg_wb,   ldr r0, [r1, r2]!
        dcase   a_str_pre_wb,   str r0, [r1, #-4]!
        dcase   a_strb_post,    strb r0, [r1], #1
        dcase   a_ldrh_pre_wb,  ldrh r0, [r1, #2]!
        dcase   a_strh_post,    strh r0, [r1], #-2
        dcase   a_ldrsb_pre_wb, ldrsb r0, [r1, #1]!
        dcase   a_ldrd_pre_wb,  ldrd r4, r5, [r1, #8]!
        dcase   a_strd_post,    strd r4, r5, [r1], #8
        dcase   a_ldrt_post,    ldrt r0, [r1], #4
        dcase   a_strbt_post,   strbt r0, [r1], #4
        dcase   a_ldmia_wb,     ldmia r1!, {r4-r7}
        dcase   a_ldmib_wb,     ldmib r1!, {r4-r7}
        dcase   a_ldmda_wb,     ldmda r1!, {r4-r7}
        dcase   a_ldmdb_wb,     ldmdb r1!, {r4-r7}
        dcase   a_stmia_wb,     stmia r1!, {r4-r7}
        dcase   a_stmib_wb,     stmib r1!, {r4-r7}
        dcase   a_stmda_wb,     stmda r1!, {r4-r7}
        dcase   a_stmdb_wb,     stmdb r1!, {r4-r7}
        dcase   a_ldm_base_in,  ldmia r1, {r0-r3}
        dcase   a_swp,          swp r0, r3, [r1]
        dcase   a_swpb,         swpb r0, r3, [r1]

/* Thumb cases: uint32_t NAME(uint32_t base), the same interface. */
        .macro  tcase name, insn:vararg
        .global \name
        .type   \name, %function
        .thumb
        .thumb_func
        .align  2
\name:
        push    {r4-r7, lr}
        movs    r1, r0
        ldr     r0, =0x5A5A5A5A
        movs    r2, #8
        ldr     r3, =0x33333333
        ldr     r4, =0x44444444
        ldr     r5, =0x55555555
        ldr     r6, =0x66666666
        ldr     r7, =0x77777777
        .global \name\()_at
\name\()_at:
        \insn
        push    {r1}
        ldr     r1, =dc_regs
        stmia   r1!, {r0, r2-r7}
        pop     {r0}
        pop     {r4-r7, pc}
        .ltorg
        .endm

        tcase   t_ldmia_wb,     ldmia r1!, {r4-r7}
        tcase   t_stmia_wb,     stmia r1!, {r4-r7}
        tcase   t_ldr_imm,      ldr r0, [r1, #4]
        tcase   t_strh_reg,     strh r0, [r1, r2]

/* uint32_t t_push(uint32_t sp_value): PUSH {r4-r7} with sp = sp_value;
   returns sp afterwards. */
        .global t_push, t_push_at, t_pop, t_pop_at
        .type   t_push, %function
        .thumb_func
        .align  2
t_push:
        push    {r4-r7, lr}
        mov     r3, sp
        mov     sp, r0
t_push_at:
        push    {r4-r7}
        mov     r0, sp
        mov     sp, r3
        pop     {r4-r7, pc}

/* uint32_t t_pop(uint32_t sp_value): POP {r4-r7}; returns sp afterwards. */
        .type   t_pop, %function
        .thumb_func
        .align  2
t_pop:
        push    {r4-r7, lr}
        mov     r3, sp
        mov     sp, r0
t_pop_at:
        pop     {r4-r7}
        mov     r0, sp
        mov     sp, r3
        pop     {r4-r7, pc}

        .bss
        .align  2
        .global dc_regs
dc_regs:        .space  7 * 4           @ r0, r2, r3, r4, r5, r6, r7
