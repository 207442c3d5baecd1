/*
 * ldm_stm_asm.S - load/store multiple (ARM ARM A4 "LDM (1)", "LDM (2)",
 * "STM (1)", "STM (2)", A5.4 addressing modes; A7 "LDMIA", "STMIA",
 * "PUSH", "POP").  Functions take a RAM buffer `mem` and an output array
 * `out`; addresses are reported as offsets from `mem`, so that the output
 * is the same whatever the RAM base.
 */
        .syntax unified
        .text

        .macro  func name
        .global \name
        .type   \name, %function
        .arm
        .align  2
\name:
        .endm

/* void ls_ldm_modes(const uint32_t *mem, uint32_t out[8 * 4])
   base = mem + 32 bytes; for IA IB DA DB, without then with writeback:
   out = r4, r5, r6, base - mem. */
        .macro  ldm_case op, wb
        add     r2, r0, #32
        mov     r4, #0
        mov     r5, #0
        mov     r6, #0
        .ifc \wb, !
        \op     r2!, {r4, r5, r6}
        .else
        \op     r2, {r4, r5, r6}
        .endif
        sub     r2, r2, r0
        stmia   r1!, {r2, r4, r5, r6}
        .endm

        func    ls_ldm_modes
        push    {r4-r6, lr}
        ldm_case ldmia
        ldm_case ldmib
        ldm_case ldmda
        ldm_case ldmdb
        ldm_case ldmia, !
        ldm_case ldmib, !
        ldm_case ldmda, !
        ldm_case ldmdb, !
        pop     {r4-r6, pc}

/* void ls_stm_modes(uint32_t *mem, uint32_t out[8])
   Each of the 8 forms stores 0xA1, 0xA2, 0xA3 at base = mem + 32 +
   64 * n (the C side clears and inspects mem); out[n] = final base - mem. */
        .macro  stm_case n, op, wb
        add     r2, r0, #(32 + 64 * \n)
        .ifc \wb, !
        \op     r2!, {r4, r5, r6}
        .else
        \op     r2, {r4, r5, r6}
        .endif
        sub     r2, r2, r0
        str     r2, [r1, #(4 * \n)]
        .endm

        func    ls_stm_modes
        push    {r4-r6, lr}
        mov     r4, #0xA1
        mov     r5, #0xA2
        mov     r6, #0xA3
        stm_case 0, stmia
        stm_case 1, stmib
        stm_case 2, stmda
        stm_case 3, stmdb
        stm_case 4, stmia, !
        stm_case 5, stmib, !
        stm_case 6, stmda, !
        stm_case 7, stmdb, !
        pop     {r4-r6, pc}

/* void ls_base_in_list(uint32_t *mem, uint32_t out[8])
   mem[0..2] = 0x11, 0x22, 0x33 (set by C).
   out[0..2] = LDMIA r5, {r4, r5, r6}: r4, r5 (base loaded), r6
   out[3..5] = LDMIA r4, {r4, r5, r6}: base first in the list
   out[6]    = LDMIA r6, {r4-r6}: r6, base last
   Then STMIA r4!, {r4, r5} with the base lowest stores the original base:
   out[7] = mem[8] - mem (0), out[8] = mem[9], out[9] = r4 - mem (8 bytes on).
   STMIB r5, {r4, r5} (no writeback): out[10] = mem[17] - mem (its value). */
        func    ls_base_in_list
        push    {r4-r7, lr}
        mov     r7, r0
        mov     r5, r0
        ldmia   r5, {r4, r5, r6}
        stmia   r1!, {r4, r5, r6}
        mov     r4, r7
        ldmia   r4, {r4, r5, r6}
        stmia   r1!, {r4, r5, r6}
        mov     r6, r7
        ldmia   r6, {r4-r6}
        str     r6, [r1], #4
        add     r4, r7, #32
        mov     r5, #0x55
        stmia   r4!, {r4, r5}
        ldr     r2, [r7, #32]
        sub     r2, r2, r7
        str     r2, [r1], #4
        ldr     r2, [r7, #36]
        str     r2, [r1], #4
        sub     r2, r4, r7
        str     r2, [r1], #4
        add     r5, r7, #64
        mov     r4, #0x44
        stmib   r5, {r4, r5}
        ldr     r2, [r7, #72]
        sub     r2, r2, r7
        str     r2, [r1], #4
        pop     {r4-r7, pc}

/* void ls_user_bank(uint32_t *mem, uint32_t out[8])
   In System mode: User sp = 0xCAFE000D, lr = 0xCAFE000E (saved first).
   In SVC mode:
     STMIA r0, {r8, sp, lr}^  -> mem[0..2] (the User sp and lr, not SVC's)
     LDMIA r3, {sp, lr}^      loads User sp, lr from mem[4..5]
   Back in System mode: out[0..1] = its sp, lr (the loaded values);
   out[2] = 1 if SVC's own sp and lr were untouched.  Then System's sp
   and lr are restored. */
        func    ls_user_bank
        push    {r4-r11, lr}
        mov     r10, sp
        mov     r11, lr
        msr     cpsr_c, #0xDF                   @ System
        mov     r4, sp
        mov     r5, lr
        ldr     sp, =0xCAFE000D
        ldr     lr, =0xCAFE000E
        msr     cpsr_c, #0xD3                   @ SVC
        ldr     r8, =0x88888888
        stmia   r0, {r8, sp, lr}^
        nop                                     @ no banked register right after ^
        add     r3, r0, #16
        ldmia   r3, {sp, lr}^
        nop
        mov     r2, #1
        cmp     sp, r10
        movne   r2, #0
        cmp     lr, r11
        movne   r2, #0
        msr     cpsr_c, #0xDF
        mov     r6, sp
        mov     r7, lr
        mov     sp, r4
        mov     lr, r5
        msr     cpsr_c, #0xD3
        stmia   r1, {r6, r7}
        str     r2, [r1, #8]
        pop     {r4-r11, pc}

/* uint32_t ls_full_list(uint32_t *mem): STMDB r0!, {r1-r12, lr} of known
   values, clear them, LDMIA r0!, {r1-r12, lr} back; returns a checksum
   of what came back XOR the final base offset (0 when back at mem+64). */
        func    ls_full_list
        push    {r4-r11, lr}
        mov     r12, r0                 @ keep mem in a register the list reloads
        add     r0, r0, #64
        mov     r1, #1
        mov     r2, #2
        mov     r3, #3
        mov     r4, #4
        mov     r5, #5
        mov     r6, #6
        mov     r7, #7
        mov     r8, #8
        mov     r9, #9
        mov     r10, #10
        mov     r11, #11
        str     r12, [r0, #-64]         @ mem[0] = mem (r12 is in the list)
        mov     r12, #12
        mov     lr, #14
        stmdb   r0!, {r1-r12, lr}
        mov     r1, #0
        mov     r2, #0
        mov     r3, #0
        mov     r4, #0
        mov     r5, #0
        mov     r6, #0
        mov     r7, #0
        mov     r8, #0
        mov     r9, #0
        mov     r10, #0
        mov     r11, #0
        mov     r12, #0
        mov     lr, #0
        ldmia   r0!, {r1-r12, lr}
        add     r1, r1, r2, lsl #1
        add     r1, r1, r3, lsl #2
        add     r1, r1, r4, lsl #3
        add     r1, r1, r5, lsl #4
        add     r1, r1, r6, lsl #5
        add     r1, r1, r7, lsl #6
        add     r1, r1, r8, lsl #7
        add     r1, r1, r9, lsl #8
        add     r1, r1, r10, lsl #9
        add     r1, r1, r11, lsl #10
        add     r1, r1, r12, lsl #11
        add     r1, r1, lr, lsl #12
        sub     r0, r0, #12             @ r0 = mem + 64 - 12: back where it began, -12
        ldr     r2, [r0, #-52]          @ mem[0] = mem
        sub     r0, r0, r2
        eor     r0, r0, r1
        pop     {r4-r11, pc}

/* void ls_single(uint32_t *mem, uint32_t out[4]): one-register lists.
   out[0] = LDMIA r0!, {r5} value, out[1] = base - mem after it;
   STMDB r2!, {r5} at mem + 16: out[2] = base - mem, out[3] = mem[3]. */
        func    ls_single
        push    {r4-r6, lr}
        mov     r6, r0
        mov     r2, r0
        ldmia   r2!, {r5}
        sub     r3, r2, r6
        stmia   r1!, {r5}
        str     r3, [r1], #4
        add     r2, r6, #16
        stmdb   r2!, {r5}
        sub     r3, r2, r6
        str     r3, [r1], #4
        ldr     r3, [r6, #12]
        str     r3, [r1], #4
        pop     {r4-r6, pc}

/* ------------------------------------------------------------ Thumb */

/* void ls_thumb(uint32_t *mem, uint32_t out[12])
   mem[0..3] = 0x11, 0x22, 0x33, 0x44 (set by C).
   out[0..2] = LDMIA r1!, {r2, r3, r4}; out[3] = r1 - mem (12)
   out[4]    = LDMIA r1!, {r0, r1, r2} with the base in the list: r1 is
               the loaded value, not the written-back base (A7 "LDMIA")
   STMIA r1!, {r1, r2} with the base lowest: out[5] = mem[8] - mem,
               out[6] = mem[9], out[7] = r1 - mem
   PUSH {r4-r7, lr} / POP {r4-r7}: out[8] = r4 + r5 + r6 + r7, out[9] = sp moved
   STMIA r1!, {r2-r4} / LDMIA back in another order */
        func    ls_thumb
        push    {r4-r7, lr}
        mov     r12, r1                 @ out
        adr     r2, 1f + 1
        blx     r2
        pop     {r4-r7, pc}
        .thumb
        .align  2
1:      mov     r7, r12
        adds    r6, r0, #0              @ mem
        movs    r1, r0
        ldmia   r1!, {r2, r3, r4}
        stmia   r7!, {r2, r3, r4}
        subs    r1, r1, r6
        stmia   r7!, {r1}
        movs    r1, r6
        .hword  0xC907                  @ ldmia r1, {r0, r1, r2}: base in list
        stmia   r7!, {r1}
        movs    r1, r6
        adds    r1, #32
        movs    r2, #0x5A
        .hword  0xC106                  @ stmia r1!, {r1, r2}: base lowest
        ldr     r3, [r6, #32]
        subs    r3, r3, r6
        stmia   r7!, {r3}
        ldr     r3, [r6, #36]
        stmia   r7!, {r3}
        subs    r1, r1, r6
        stmia   r7!, {r1}
        mov     r3, sp
        movs    r4, #1
        movs    r5, #2
        movs    r6, #3
        push    {r4-r6}
        movs    r4, #0
        movs    r5, #0
        movs    r6, #0
        pop     {r4-r6}
        adds    r4, r4, r5
        adds    r4, r4, r6
        stmia   r7!, {r4}
        mov     r2, sp
        subs    r2, r3, r2
        stmia   r7!, {r2}
        bx      lr                      @ back to ARM after the BLX
        .arm
