/*
 * ldrd_strd_asm.S - LDRD/STRD in every addressing mode (ARM ARM A4
 * "LDRD", "STRD", A5.3 "Addressing Mode 3"), and the other mode-3 loads
 * and stores (LDRH, STRH, LDRSB, LDRSH).  Addresses are doubleword
 * aligned (an unaligned LDRD/STRD is UNPREDICTABLE before ARMv6).
 *
 * Loads: void ld_<form>(uint32_t *base, uint32_t out[3], uint32_t rm)
 *   out[0] = Rd (r2), out[1] = Rd+1 (r3), out[2] = final base - base.
 * Stores: void st_<form>(uint32_t *base, uint32_t out[3], uint32_t rm)
 *   store r2 = 0x11112222, r3 = 0x33334444; out[2] = final base - base.
 */
        .syntax unified
        .arm
        .text

        .macro  ld name, insn:vararg
        .global \name
        .type   \name, %function
        .align  2
\name:
        push    {r4, lr}
        mov     r4, r0
        mov     r12, r1
        mov     r1, r2                  @ rm
        mov     r2, #0
        mov     r3, #0
        \insn
        sub     r0, r0, r4
        stmia   r12, {r2, r3}
        str     r0, [r12, #8]
        pop     {r4, pc}
        .endm

        .macro  st name, insn:vararg
        .global \name
        .type   \name, %function
        .align  2
\name:
        push    {r4, lr}
        mov     r4, r0
        mov     r12, r1
        mov     r1, r2                  @ rm
        ldr     r2, =0x11112222
        ldr     r3, =0x33334444
        \insn
        sub     r0, r0, r4
        str     r0, [r12, #8]
        pop     {r4, pc}
        .endm

        ld      ld_imm,        ldrd r2, r3, [r0, #8]
        ld      ld_imm_neg,    ldrd r2, r3, [r0, #-8]
        ld      ld_imm_max,    ldrd r2, r3, [r0, #248]
        ld      ld_imm_zero,   ldrd r2, r3, [r0]
        ld      ld_reg,        ldrd r2, r3, [r0, r1]
        ld      ld_reg_neg,    ldrd r2, r3, [r0, -r1]
        ld      ld_pre_wb,     ldrd r2, r3, [r0, #16]!
        ld      ld_pre_wb_neg, ldrd r2, r3, [r0, #-16]!
        ld      ld_pre_reg_wb, ldrd r2, r3, [r0, r1]!
        ld      ld_post,       ldrd r2, r3, [r0], #24
        ld      ld_post_neg,   ldrd r2, r3, [r0], #-24
        ld      ld_post_reg,   ldrd r2, r3, [r0], r1
        ld      ld_post_reg_neg, ldrd r2, r3, [r0], -r1

        st      st_imm,        strd r2, r3, [r0, #8]
        st      st_imm_neg,    strd r2, r3, [r0, #-8]
        st      st_reg,        strd r2, r3, [r0, r1]
        st      st_reg_neg,    strd r2, r3, [r0, -r1]
        st      st_pre_wb,     strd r2, r3, [r0, #16]!
        st      st_pre_reg_wb_neg, strd r2, r3, [r0, -r1]!
        st      st_post,       strd r2, r3, [r0], #24
        st      st_post_reg,   strd r2, r3, [r0], r1

/* Conditional forms whose condition fails (Z set by CMP before them). */
        .global ld_cond_fail
        .type   ld_cond_fail, %function
ld_cond_fail:
        ldr     r2, =0xEEEEEEEE
        mov     r3, r2
        cmp     r0, r0
        ldrdne  r2, r3, [r0]
        stmia   r1, {r2, r3}
        bx      lr

        .global st_cond_fail
        .type   st_cond_fail, %function
st_cond_fail:
        ldr     r2, =0xEEEEEEEE
        mov     r3, r2
        cmp     r0, r0
        strdne  r2, r3, [r0]
        bx      lr

/* LDRD into r0, r1 (the AAPCS return registers) and r4, r5, r6, r7,
   r10, r11: uint64_t ld_pair_<n>(uint32_t *base) loads base[0..1]. */
        .global ld_pair_r0
        .type   ld_pair_r0, %function
ld_pair_r0:
        ldrd    r0, r1, [r0]
        bx      lr

        .global ld_pair_r10
        .type   ld_pair_r10, %function
ld_pair_r10:
        push    {r10, r11}
        ldrd    r10, r11, [r0]
        mov     r0, r10
        mov     r1, r11
        pop     {r10, r11}
        bx      lr

/* Other addressing-mode-3 instructions: uint32_t m3_<op>(void *p). */
        .global m3_ldrh
        .type   m3_ldrh, %function
m3_ldrh:
        ldrh    r0, [r0, #2]
        bx      lr
        .global m3_ldrsh
        .type   m3_ldrsh, %function
m3_ldrsh:
        ldrsh   r0, [r0, #2]
        bx      lr
        .global m3_ldrsb
        .type   m3_ldrsb, %function
m3_ldrsb:
        ldrsb   r0, [r0, #3]
        bx      lr
        .global m3_ldrsb_pos
        .type   m3_ldrsb_pos, %function
m3_ldrsb_pos:
        ldrsb   r0, [r0, #1]
        bx      lr
        .global m3_strh
        .type   m3_strh, %function
m3_strh:
        ldr     r1, =0xABCD1234
        strh    r1, [r0, #2]!           @ writeback: returns the new base offset
        mov     r0, #0
        bx      lr
        .ltorg
