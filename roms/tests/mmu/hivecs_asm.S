/*
 * hivecs_asm.S - the high vector stubs for hivecs.c.
 *
 * hv_stub_N counts the exception in hv_count[N] and jumps to the same
 * handler as the low vector N (exc_hook[N] of tests/cpu/lib/start.S) with
 * every register and the flags as the exception left them.
 */
        .syntax unified
        .arm
        .text

        .macro  hv_stub n
        .global hv_stub_\n
hv_stub_\n:
        sub     sp, sp, #4
        push    {r0, r1}
        ldr     r0, =hv_count + 4 * \n
        ldr     r1, [r0]
        add     r1, r1, #1
        str     r1, [r0]
        ldr     r0, =exc_hook + 4 * \n
        ldr     r0, [r0]
        str     r0, [sp, #8]
        pop     {r0, r1, pc}
        .endm

        hv_stub 0
        hv_stub 1
        hv_stub 2
        hv_stub 3
        hv_stub 4
        hv_stub 5
        hv_stub 6
        hv_stub 7
        .ltorg

/* An SWI handler: counts in swi_seen, r0 = the SWI's lr, returns. */
        .global swi_count
swi_count:
        push    {r1}
        ldr     r1, =swi_seen
        ldr     r0, [r1]
        add     r0, r0, #1
        str     r0, [r1]
        mov     r0, lr
        pop     {r1}
        movs    pc, lr

/* An undefined-instruction handler: counts in und_seen, skips the
   instruction. */
        .global und_skip
und_skip:
        push    {r0, r1}
        ldr     r1, =und_seen
        ldr     r0, [r1]
        add     r0, r0, #1
        str     r0, [r1]
        pop     {r0, r1}
        movs    pc, lr

/* uint32_t do_swi(void): SVC #0x77 in ARM state; returns the handler's r0. */
        .global do_swi, do_swi_at
do_swi:
        push    {lr}                    @ the SWI overwrites lr_svc
do_swi_at:
        svc     #0x77
        pop     {pc}

/* void do_undef(void): an undefined instruction. */
        .global do_undef
do_undef:
        .word   0xE7F000F0              @ UDF (permanently undefined)
        bx      lr
        .ltorg

        .bss
        .align  2
        .global hv_count, swi_seen, und_seen
hv_count:       .space  8 * 4
swi_seen:       .space  4
und_seen:       .space  4
