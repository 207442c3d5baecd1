/*
 * selfmod_asm.S - code that rewrites itself (see selfmod.c).
 *
 * smc_self is position independent: selfmod.c copies it from
 * smc_self..smc_self_end into RAM and calls the copy with r0 = an ARM
 * instruction word.  The routine stores that word over the instruction at
 * `slot`, a few instructions ahead in the same routine, makes it visible
 * to instruction fetch as real code must (clean the D-cache line, drain
 * the write buffer, invalidate the I-cache) and branches to it.  What
 * the routine returns in r0 is whatever the planted instruction did.
 */
        .syntax unified
        .arm
        .text

        .global smc_self
        .type   smc_self, %function
        .align  2
smc_self:
        push    {r4, lr}
        adr     r1, slot
        str     r0, [r1]
        mcr     p15, 0, r1, c7, c10, 1          @ clean D line (MVA)
        mov     r2, #0
        mcr     p15, 0, r2, c7, c10, 4          @ drain write buffer
        mcr     p15, 0, r2, c7, c5, 0           @ invalidate I-cache
        mov     r0, #0
        b       slot
slot:
        mov     r0, #0x3C                       @ replaced
        pop     {r4, pc}
        .global smc_self_end
smc_self_end:

/* void sync_code(void *start, void *end): clean the D-cache lines of
   [start, end), drain the write buffer, invalidate the I-cache. */
        .global sync_code
        .type   sync_code, %function
sync_code:
        bic     r0, r0, #31
1:      mcr     p15, 0, r0, c7, c10, 1
        add     r0, r0, #32
        cmp     r0, r1
        blo     1b
        mov     r0, #0
        mcr     p15, 0, r0, c7, c10, 4
        mcr     p15, 0, r0, c7, c5, 0
        bx      lr

/* Stores of every kind, to rewrite code with:
   void store_strd(void *p, uint32_t a, uint32_t b)   STRD
   void store_stm(void *p, uint32_t a, uint32_t b)    STMIA
   uint32_t store_swp(void *p, uint32_t a)            SWP */
        .global store_strd
        .type   store_strd, %function
store_strd:
        push    {r4, r5}
        mov     r4, r1
        mov     r5, r2
        strd    r4, r5, [r0]
        pop     {r4, r5}
        bx      lr

        .global store_stm
        .type   store_stm, %function
store_stm:
        stmia   r0, {r1, r2}
        bx      lr

        .global store_swp
        .type   store_swp, %function
store_swp:
        swp     r1, r1, [r0]
        mov     r0, r1
        bx      lr
