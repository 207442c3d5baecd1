/*
 * profile.S - a ROM whose profile is known by hand, for the profiler's test
 * (emu/tests/profile.rs).  Every instruction is written here; counting them
 * gives each function's instructions and calls:
 *
 *   leaf(n)        2n + 1 instructions (n passes of subs/bne, then bx lr);
 *                  called 3 x 4 times with n = 6 (by middle) and once with
 *                  n = 10 (by _reset): 13 calls, 12 x 13 + 21 = 177
 *   middle(k)      k passes of 4 instructions, 3 more: called 3 times with
 *                  k = 4, 19 each, 57; with the leaf calls it made, 213
 *   thumb_loop(n)  Thumb: n passes of 4 instructions (a BL is a pair of
 *                  two), 3 more: called once with n = 5 (by BLX from ARM),
 *                  23; with thumb_leaf's, 33
 *   thumb_leaf     Thumb, 2 instructions, called 5 times: 10
 *   _vectors       the SWI vector's branch to _swi, entered twice by SWI
 *   _swi           1 instruction (movs pc, lr), reached twice from there
 *   _reset         23 instructions (the last the semihosting call), 294 in all
 *
 * It ends with semihosting SYS_EXIT (run it with --semihosting).
 */
        .syntax unified
        .arm
        .text
        .global _vectors
        .type   _vectors, %function
_vectors:
        b       _reset                  @ 0x00 reset
        b       .                       @ 0x04 undefined instruction
        b       _swi                    @ 0x08 SWI
        b       .                       @ 0x0C prefetch abort
        b       .                       @ 0x10 data abort
        b       .                       @ 0x14 reserved
        b       .                       @ 0x18 IRQ
        b       .                       @ 0x1C FIQ
        .size   _vectors, . - _vectors

        .global _reset
        .type   _reset, %function
_reset:
        ldr     sp, =0x10100000
        mov     r4, #3
1:      mov     r0, #4
        bl      middle
        subs    r4, r4, #1
        bne     1b
        mov     r0, #10
        bl      leaf
        mov     r0, #5
        blx     thumb_loop
        svc     #1
        svc     #2
        mov     r0, #0x18               @ SYS_EXIT
        ldr     r1, =0x20026            @ ADP_Stopped_ApplicationExit
        svc     0x123456
        b       .
        .size   _reset, . - _reset

        .type   middle, %function
middle:
        push    {r4, lr}
        mov     r4, r0
2:      mov     r0, #6
        bl      leaf
        subs    r4, r4, #1
        bne     2b
        pop     {r4, pc}
        .size   middle, . - middle

        .type   leaf, %function
leaf:
        subs    r0, r0, #1
        bne     leaf
        bx      lr
        .size   leaf, . - leaf

        .type   _swi, %function
_swi:
        movs    pc, lr
        .size   _swi, . - _swi

        .thumb
        .type   thumb_loop, %function
        .thumb_func
thumb_loop:
        push    {r4, lr}
        movs    r4, r0
3:      bl      thumb_leaf
        subs    r4, r4, #1
        bne     3b
        pop     {r4, pc}
        .size   thumb_loop, . - thumb_loop

        .type   thumb_leaf, %function
        .thumb_func
thumb_leaf:
        adds    r0, r0, #1
        bx      lr
        .size   thumb_leaf, . - thumb_leaf

        .pool
