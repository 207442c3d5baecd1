/*
 * exceptions_asm.S - exception entry and return (ARM ARM A2.6 "Exceptions").
 *
 * Handlers record what they found on entry in exc_rec:
 *   [0] number of entries   [1] lr at entry   [2] SPSR   [3] CPSR
 *   [4] the number the handler decoded from the instruction (SWI comment
 *       field, UDF/BKPT immediate, or the instruction word)
 *   [5] for nested exceptions, the SPSR the inner handler saw
 *   [6] for nested exceptions, lr of the outer mode after the inner returned
 * The ex_* functions (called from exceptions.c) raise exceptions and write
 * what they saw after the return into out[] (r0 on entry).
 */
        .syntax unified
        .arm
        .text

        .equ    MODE_USR, 0x10
        .equ    MODE_FIQ, 0x11
        .equ    MODE_IRQ, 0x12
        .equ    MODE_SVC, 0x13
        .equ    MODE_ABT, 0x17
        .equ    MODE_UND, 0x1B
        .equ    MODE_SYS, 0x1F

        .macro  func name
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        .endm

/* Record entry: count, lr, SPSR, CPSR.  Expects r0-r3 already pushed;
   leaves r2 = exc_rec, r1 = SPSR.  Changes no flags before the MRS. */
        .macro  record
        mrs     r0, cpsr
        mrs     r1, spsr
        ldr     r2, =exc_rec
        str     r0, [r2, #12]
        str     r1, [r2, #8]
        str     lr, [r2, #4]
        ldr     r3, [r2]
        add     r3, r3, #1
        str     r3, [r2]
        .endm

/* --------------------------------------------------------------- SWI */

/*
 * SWI handler.  The number comes from the instruction: ARM [lr-4] bits
 * 23:0, Thumb [lr-2] bits 7:0 (SPSR.T says which).  Numbers:
 *   1       return to SVC mode (the SPSR's mode is changed to SVC)
 *   2       r0 = r0 + r1 (a "system call" with a result)
 *   0x55    nothing (used by the nested test)
 *   others  nothing
 * Returns with MOVS pc, lr.
 */
        func    swi_handler
        push    {r0-r3}
        record
        tst     r1, #0x20
        ldrhne  r3, [lr, #-2]
        andne   r3, r3, #0xFF
        ldreq   r3, [lr, #-4]
        biceq   r3, r3, #0xFF000000
        str     r3, [r2, #16]
        cmp     r3, #1
        biceq   r1, r1, #0x1F
        orreq   r1, r1, #MODE_SVC
        msreq   spsr_c, r1
        cmp     r3, #2
        ldreq   r0, [sp]
        ldreq   r1, [sp, #4]
        addeq   r0, r0, r1
        streq   r0, [sp]
        pop     {r0-r3}
        movs    pc, lr

/* The same, returning with LDMFD sp!, {..., pc}^ (CPSR = SPSR). */
        func    swi_handler_ldm
        push    {r0-r3, r12, lr}
        record
        tst     r1, #0x20
        ldrhne  r3, [lr, #-2]
        andne   r3, r3, #0xFF
        ldreq   r3, [lr, #-4]
        biceq   r3, r3, #0xFF000000
        str     r3, [r2, #16]
        cmp     r3, #2
        ldreq   r0, [sp]
        ldreq   r1, [sp, #4]
        addeq   r0, r0, r1
        streq   r0, [sp]
        ldmfd   sp!, {r0-r3, r12, pc}^

/* Sentinel values in r0-r3, r12 before an exception; after it, out[1] = 1
   if they all survived. */
        .macro  set_sentinels
        ldr     r0, =0x01010101
        ldr     r1, =0x12121212
        ldr     r2, =0x23232323
        ldr     r3, =0x34343434
        ldr     r12, =0x4c4c4c4c
        .endm

        .macro  check_sentinels out
        mov     r5, #1
        ldr     r6, =0x01010101
        cmp     r0, r6
        movne   r5, #0
        ldr     r6, =0x12121212
        cmp     r1, r6
        movne   r5, #0
        ldr     r6, =0x23232323
        cmp     r2, r6
        movne   r5, #0
        ldr     r6, =0x34343434
        cmp     r3, r6
        movne   r5, #0
        ldr     r6, =0x4c4c4c4c
        cmp     r12, r6
        movne   r5, #0
        str     r5, [\out, #4]
        .endm

/* void ex_swi_arm(uint32_t out[2], uint32_t flags): SVC 0x42 from ARM with
   the NZCVQ flags given; out[0] = CPSR after, out[1] = r0-r3, r12 kept. */
        func    ex_swi_arm
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        svc     #0x42
        .global ex_ret_swi_arm
ex_ret_swi_arm:
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}

/* The same with the largest comment field, 0xFFFFFF. */
        func    ex_swi_arm_max
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        svc     #0xFFFFFF
        .global ex_ret_swi_arm_max
ex_ret_swi_arm_max:
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}

/* SVC 0xAB in ARM state: an ordinary SWI (0xAB is the semihosting
   number only in Thumb state; ARM state uses 0x123456). */
        func    ex_swi_arm_ab
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        svc     #0xAB
        .global ex_ret_swi_arm_ab
ex_ret_swi_arm_ab:
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}

/* void ex_swi_thumb(uint32_t out[2], uint32_t flags): SVC 0x99 from Thumb. */
        func    ex_swi_thumb
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        adr     r4, 1f + 1
        blx     r4
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}
        .thumb
        .align  2
1:      push    {lr}                    @ the SWI will overwrite lr_svc
        svc     #0x99
        .global ex_ret_swi_thumb
ex_ret_swi_thumb:
        pop     {pc}                    @ ARMv5: interworks back to ARM
        .arm
        .align  2

/* uint32_t ex_swi_result(a, b): SVC 2 returns a + b in r0 (through the
   handler installed by the caller). */
        func    ex_swi_result
        push    {r4, lr}
        svc     #2
        pop     {r4, pc}

/* void ex_swi_from_user(uint32_t out[3]): enter User mode, try to go back
   to SVC with MSR (ignored in User mode), then SVC 1 returns to SVC mode.
   out[0] = CPSR in User mode after the MSR, out[1] = CPSR after the SWI,
   out[2] = sp after (must be the SVC sp again). */
        func    ex_swi_from_user
        push    {r4-r11, lr}
        mov     r11, r0
        mov     r10, sp
        msr     cpsr_c, #(MODE_USR | 0xC0)
        msr     cpsr_c, #(MODE_SVC | 0xC0)      @ ignored: User mode
        mrs     r4, cpsr
        svc     #1
        .global ex_ret_swi_user
ex_ret_swi_user:
        mrs     r5, cpsr
        str     r4, [r11]
        str     r5, [r11, #4]
        sub     r6, sp, r10                     @ 0 when sp is SVC's again
        str     r6, [r11, #8]
        pop     {r4-r11, pc}

/* void ex_swi_masks(uint32_t out[2], uint32_t cpsr_c): SVC 0x33 with the
   control field given (SVC mode, I and F as asked), then back to I and F
   masked; out[0] = CPSR after the return. */
        func    ex_swi_masks
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_c, r1
        svc     #0x33
        mrs     r4, cpsr
        msr     cpsr_c, #(MODE_SVC | 0xC0)
        str     r4, [r11]
        pop     {r4-r11, pc}

/* uint32_t ex_swi_from_mode(uint32_t mode): SVC 0x60 from another
   privileged mode (I and F masked); returns the CPSR after the return. */
        func    ex_swi_from_mode
        push    {r4-r11, lr}
        orr     r0, r0, #0xC0
        msr     cpsr_c, r0
        svc     #0x60
        mrs     r4, cpsr
        msr     cpsr_c, #(MODE_SVC | 0xC0)
        mov     r0, r4
        pop     {r4-r11, pc}

/* --------------------------------------------------------- undefined */

/* Undefined-instruction handler: records, decodes the instruction (ARM:
   the word at lr-4, Thumb: the halfword at lr-2) into exc_rec[4], and
   returns to the next instruction with MOVS pc, lr. */
        func    und_handler
        push    {r0-r3}
        record
        tst     r1, #0x20
        ldrhne  r3, [lr, #-2]
        ldreq   r3, [lr, #-4]
        str     r3, [r2, #16]
        pop     {r0-r3}
        movs    pc, lr

/*
 * An "emulating" undefined handler: for a UDF-space word
 * 0xE7F<imm12>F<imm4> it writes imm12:imm4 to the interrupted code's r0
 * (saved on the stack) and returns with LDMFD sp!, {r0-r12, pc}^.
 */
        func    und_emulate
        push    {r0-r12, lr}
        record
        ldr     r3, [lr, #-4]
        str     r3, [r2, #16]
        mov     r0, r3, lsr #4
        ldr     r1, =0xFFF0
        and     r0, r0, r1
        and     r1, r3, #0xF
        orr     r0, r0, r1
        str     r0, [sp]                @ the saved r0
        ldmfd   sp!, {r0-r12, pc}^

/* Nested: an undefined handler that makes SVC 0x55 from UND mode, then
   records the SPSR the SWI handler saw and whether its own lr survived. */
        func    und_nested
        push    {r0-r4, lr}
        mov     r4, lr
        svc     #0x55
        ldr     r2, =exc_rec
        ldr     r0, [r2, #8]            @ SPSR the SWI handler recorded
        str     r0, [r2, #20]
        sub     r0, lr, r4              @ 0 when lr_und survived
        str     r0, [r2, #24]
        pop     {r0-r4, lr}
        movs    pc, lr

/* void ex_udf_arm(uint32_t out[2], uint32_t flags): a UDF-space word. */
        func    ex_udf_arm
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        .global ex_at_udf_arm
ex_at_udf_arm:
        .word   0xE7F000F0
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}

/* void ex_udf_thumb(uint32_t out[2], uint32_t flags): 0xDE42 in Thumb
   (B<cond> with cond 1110: UNDEFINED). */
        func    ex_udf_thumb
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        adr     r4, ex_at_udf_thumb + 1
        blx     r4
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}
        .thumb
        .align  2
        .global ex_at_udf_thumb
ex_at_udf_thumb:
        .hword  0xDE42
        bx      lr
        .arm
        .align  2

/* uint32_t ex_cdp(void): CDP to coprocessor 3, absent on the ARM926EJ-S. */
        func    ex_cdp
        push    {r4, lr}
        mov     r0, #0x5A
        .global ex_at_cdp
ex_at_cdp:
        cdp     p3, 0, c0, c0, c0, 0
        pop     {r4, pc}

/* uint32_t ex_mrc_p5(void): MRC from coprocessor 5: undefined; r0 kept. */
        func    ex_mrc_p5
        push    {r4, lr}
        mov     r0, #0x5B
        .global ex_at_mrc_p5
ex_at_mrc_p5:
        mrc     p5, 0, r0, c1, c2, 3
        pop     {r4, pc}

/* void ex_udf_emulated(uint32_t out[2]): 0xE7F123F4 "emulated" by
   und_emulate as r0 = 0x1234; out[0] = r0, out[1] = r1-r3, r12 kept. */
        func    ex_udf_emulated
        push    {r4-r11, lr}
        mov     r11, r0
        set_sentinels
        .global ex_at_udf_emulated
ex_at_udf_emulated:
        .word   0xE7F123F4
        str     r0, [r11]
        ldr     r0, =0x01010101
        check_sentinels r11
        pop     {r4-r11, pc}

/* uint32_t ex_udf_nested(void): UDF whose handler makes an SVC. */
        func    ex_udf_nested
        push    {r4-r11, lr}
        .global ex_at_udf_nested
ex_at_udf_nested:
        .word   0xE7F000F1
        mov     r0, #0x77
        pop     {r4-r11, pc}

/* ARMv6 instructions, UNDEFINED on ARMv5TE: uint32_t ex_v6_<n>(void)
   executes one with r0 = 0x5C (kept: the handler skips it). */
        .macro  v6arm name, word
        func    \name
        push    {r4, lr}
        mov     r0, #0x5C
        mov     r1, r0
        .global \name\()_at
\name\()_at:
        .word   \word
        pop     {r4, pc}
        .endm
        .macro  v6thumb name, hword
        func    \name
        push    {r4, lr}
        mov     r0, #0x5C
        mov     r1, r0
        adr     r4, \name\()_at + 1
        blx     r4
        pop     {r4, pc}
        .thumb
        .align  2
        .global \name\()_at
\name\()_at:
        .hword  \hword
        bx      lr
        .arm
        .align  2
        .endm

        v6arm   ex_v6_rev,    0xE6BF0F31        @ rev r0, r1
        v6arm   ex_v6_sxtb,   0xE6AF0071        @ sxtb r0, r1
        v6arm   ex_v6_uxth,   0xE6FF0071        @ uxth r0, r1
        v6arm   ex_v6_ldrex,  0xE1910F9F        @ ldrex r0, [r1]
        v6arm   ex_v6_strex,  0xE1810F90        @ strex r0, r0, [r1]
        v6arm   ex_v6_sadd16, 0xE6110F11        @ sadd16 r0, r1, r1
        v6thumb ex_v6_t_rev,  0xBA08            @ rev r0, r1
        v6thumb ex_v6_t_sxtb, 0xB248            @ sxtb r0, r1
        v6thumb ex_v6_t_uxth, 0xB288            @ uxth r0, r1

/* -------------------------------------------------------------- BKPT */

/* Prefetch-abort handler for BKPT: records, decodes the immediate (ARM:
   word at lr-4, imm12:imm4; Thumb: halfword at lr-4, imm8) and returns to
   the next instruction: ARM with MOVS pc, lr (lr = BKPT + 4), Thumb with
   SUBS pc, lr, #2. */
        func    bkpt_handler
        push    {r0-r3}
        record
        tst     r1, #0x20
        bne     1f
        ldr     r3, [lr, #-4]
        mov     r0, r3, lsr #4
        ldr     r1, =0xFFF0
        and     r0, r0, r1
        and     r1, r3, #0xF
        orr     r0, r0, r1
        str     r0, [r2, #16]
        pop     {r0-r3}
        movs    pc, lr
1:      ldrh    r3, [lr, #-4]
        and     r3, r3, #0xFF
        str     r3, [r2, #16]
        pop     {r0-r3}
        subs    pc, lr, #2

/* Thumb BKPT handler returning with LDMFD sp!, {r0-r3, pc}^ (CPSR =
   SPSR puts the CPU back in Thumb state). */
        func    bkpt_handler_ldm
        sub     sp, sp, #4              @ slot for the return address
        push    {r0-r3}
        record
        ldrh    r3, [lr, #-4]
        and     r3, r3, #0xFF
        str     r3, [r2, #16]
        sub     r3, lr, #2
        str     r3, [sp, #16]
        ldmfd   sp!, {r0-r3, pc}^

/* void ex_bkpt_arm(uint32_t out[2], uint32_t flags): BKPT 0x1234. */
        func    ex_bkpt_arm
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        .global ex_at_bkpt_arm
ex_at_bkpt_arm:
        bkpt    #0x1234
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}

/* void ex_bkpt_thumb(uint32_t out[2], uint32_t flags): BKPT 0x12 in Thumb. */
        func    ex_bkpt_thumb
        push    {r4-r11, lr}
        mov     r11, r0
        msr     cpsr_f, r1
        set_sentinels
        adr     r4, ex_at_bkpt_thumb + 1
        blx     r4
        mrs     r4, cpsr
        str     r4, [r11]
        check_sentinels r11
        msr     cpsr_f, #0
        pop     {r4-r11, pc}
        .thumb
        .align  2
        .global ex_at_bkpt_thumb
ex_at_bkpt_thumb:
        bkpt    #0x12
        bx      lr
        .arm
        .align  2

/* ------------------------------- exception returns without an exception */

/* uint32_t ex_movs_to_thumb(void): in SVC mode, SPSR = SVC + T + Z C,
   then MOVS pc, r0 "returns" into Thumb code, which answers 1 if Z is
   set (the flags came from the SPSR) and comes back by BX lr. */
        func    ex_movs_to_thumb
        push    {r4-r11, lr}
        mrs     r4, spsr
        ldr     r0, =(0x60000000 | 0xC0 | 0x20 | MODE_SVC)
        msr     spsr_cxsf, r0
        msr     cpsr_f, #0              @ Z clear here
        adr     lr, 1f
        adr     r0, thumb_z_to_r0       @ bit 0 clear: T comes from the SPSR
        movs    pc, r0
1:      msr     spsr_cxsf, r4
        pop     {r4-r11, pc}

        .thumb
        .align  2
thumb_z_to_r0:
        beq     2f
        movs    r0, #0
        bx      lr
2:      movs    r0, #1
        bx      lr
        .arm
        .align  2

/* uint32_t ex_subs_to_sys(void): SPSR = System mode with N V set; SUBS pc,
   lr, #4 with lr = target + 4 continues there in System mode (ARM); it
   reads the CPSR and goes back to SVC with MSR.  Returns that CPSR. */
        func    ex_subs_to_sys
        push    {r4-r11, lr}
        mov     r10, sp
        mrs     r4, spsr
        ldr     r0, =(0x90000000 | 0xC0 | MODE_SYS)
        msr     spsr_cxsf, r0
        adr     lr, 1f + 4
        subs    pc, lr, #4
1:      mrs     r0, cpsr
        msr     cpsr_c, #(MODE_SVC | 0xC0)
        msr     cpsr_f, #0
        mov     sp, r10
        msr     spsr_cxsf, r4
        pop     {r4-r11, pc}

/* uint32_t ex_ldm_return_flags(void): LDMFD sp!, {r0, pc}^ from SVC mode
   with SPSR = SVC + N Z C V Q: CPSR = SPSR, so the flags change. */
        func    ex_ldm_return_flags
        push    {r4-r11, lr}
        mrs     r4, spsr
        ldr     r0, =(0xF8000000 | 0xC0 | MODE_SVC)
        msr     spsr_cxsf, r0
        msr     cpsr_f, #0
        adr     r1, 1f
        mov     r0, #0x42
        push    {r0, r1}
        mov     r0, #0
        ldmfd   sp!, {r0, pc}^
1:      mrs     r1, cpsr
        msr     cpsr_f, #0
        msr     spsr_cxsf, r4
        cmp     r0, #0x42
        movne   r1, #0
        mov     r0, r1
        pop     {r4-r11, pc}

        .ltorg

        .bss
        .align  2
        .global exc_rec
exc_rec:
        .space  4 * 8
