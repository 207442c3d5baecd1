/*
 * start.S - start-up code of the CPU conformance ROMs (roms/tests/cpu).
 *
 * Like common/crt0.S, but every exception vector can be redirected by the
 * test at run time, and every mode has a stack of its own:
 *
 *   - the eight vectors at 0 branch to stubs that jump, with every
 *     register and the flags unchanged, to the handler named in the
 *     RAM table exc_hook[vector number] (lib/test.h: set_hook);
 *   - exc_hook[] starts out with handlers that report an unexpected
 *     exception and exit with status 1;
 *   - stacks (top of RAM downwards): FIQ 4 KiB, IRQ 4 KiB, ABT 4 KiB,
 *     UND 4 KiB, SYS/USR 16 KiB, SVC the rest;
 *   - reset copies .data, zeroes .bss, calls main(0, 0) in SVC mode with
 *     IRQ and FIQ masked, and exits with main's return value through
 *     semihosting SYS_EXIT_EXTENDED.
 *
 * The ROM part (vectors, code, constants) is at 0 in both flavours, so code
 * addresses are the same under emu and QEMU; RAM addresses are not (emu:
 * 0x10000000, QEMU versatilepb: 0x00100000), so a ROM must not print them.
 */
        .syntax unified
        .arm

        .equ    MODE_USR, 0x10
        .equ    MODE_FIQ, 0x11
        .equ    MODE_IRQ, 0x12
        .equ    MODE_SVC, 0x13
        .equ    MODE_ABT, 0x17
        .equ    MODE_UND, 0x1B
        .equ    MODE_SYS, 0x1F
        .equ    I_BIT,    0x80
        .equ    F_BIT,    0x40

        .equ    SYS_WRITEC,        0x03
        .equ    SYS_WRITE0,        0x04
        .equ    SYS_EXIT,          0x18
        .equ    SYS_EXIT_EXTENDED, 0x20
        .equ    ADP_Stopped_ApplicationExit, 0x20026
        .equ    ADP_Stopped_RunTimeErrorUnknown, 0x20023

        .section .vectors, "ax"
        .global _vectors
_vectors:
        b       _reset                  @ 0x00 reset
        b       vec_stub_1              @ 0x04 undefined instruction
        b       vec_stub_2              @ 0x08 SWI
        b       vec_stub_3              @ 0x0C prefetch abort (and BKPT)
        b       vec_stub_4              @ 0x10 data abort
        b       vec_stub_5              @ 0x14 reserved
        b       vec_stub_6              @ 0x18 IRQ
        b       vec_stub_7              @ 0x1C FIQ

/*
 * Vector stub n: jump to exc_hook[n] with all registers (including the
 * mode's sp and lr) and the CPSR as the exception left them.  Uses two
 * words of the mode's stack, given back before the jump.  POP {r0, pc}
 * interworks, so a hook may be a Thumb function.
 */
        .macro  vec_stub n
vec_stub_\n:
        sub     sp, sp, #4              @ room for the target
        push    {r0}
        ldr     r0, =exc_hook + 4 * \n
        ldr     r0, [r0]
        str     r0, [sp, #4]
        pop     {r0, pc}
        .endm

        .text
        vec_stub 1
        vec_stub 2
        vec_stub 3
        vec_stub 4
        vec_stub 5
        vec_stub 6
        vec_stub 7
        .ltorg

        .global _reset
        .type   _reset, %function
_reset:
        ldr     r0, =__stack_top
        msr     cpsr_c, #(MODE_FIQ | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #0x1000
        msr     cpsr_c, #(MODE_IRQ | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #0x1000
        msr     cpsr_c, #(MODE_ABT | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #0x1000
        msr     cpsr_c, #(MODE_UND | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #0x1000
        msr     cpsr_c, #(MODE_SYS | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #0x4000
        msr     cpsr_c, #(MODE_SVC | I_BIT | F_BIT)
        mov     sp, r0

        ldr     r0, =__data_load
        ldr     r1, =__data_start
        ldr     r2, =__data_end
1:      cmp     r1, r2
        ldrlo   r3, [r0], #4
        strlo   r3, [r1], #4
        blo     1b

        ldr     r1, =__bss_start
        ldr     r2, =__bss_end
        mov     r3, #0
2:      cmp     r1, r2
        strlo   r3, [r1], #4
        blo     2b

        bl      reset_hooks

        mov     r0, #0
        mov     r1, #0
        bl      main
        b       rom_exit
        .size   _reset, . - _reset

/* void reset_hooks(void): every vector back to its "unexpected" report. */
        .global reset_hooks
        .type   reset_hooks, %function
reset_hooks:
        ldr     r0, =exc_hook
        ldr     r1, =default_hooks
        mov     r2, #8
3:      ldr     r3, [r1], #4
        str     r3, [r0], #4
        subs    r2, r2, #1
        bne     3b
        bx      lr
        .size   reset_hooks, . - reset_hooks

/* void rom_exit(int status): SYS_EXIT_EXTENDED, falling back to SYS_EXIT. */
        .global rom_exit
        .type   rom_exit, %function
rom_exit:
        msr     cpsr_c, #(MODE_SVC | I_BIT | F_BIT)
        ldr     sp, =__stack_top - 0x8000
        mov     r4, r0
        sub     sp, sp, #8
        ldr     r1, =ADP_Stopped_ApplicationExit
        str     r1, [sp]
        str     r4, [sp, #4]
        mov     r1, sp
        mov     r0, #SYS_EXIT_EXTENDED
        svc     0x123456
        cmp     r4, #0
        ldreq   r1, =ADP_Stopped_ApplicationExit
        ldrne   r1, =ADP_Stopped_RunTimeErrorUnknown
        mov     r0, #SYS_EXIT
        svc     0x123456
4:      b       4b
        .size   rom_exit, . - rom_exit

/*
 * Unexpected exceptions: print the exception's name, its lr and SPSR (and
 * for aborts the FSR and FAR) and exit with status 1.
 */
        .macro  unexpected n
unexpected_\n:
        mov     r4, #\n
        b       report
        .endm
        unexpected 0
        unexpected 1
        unexpected 2
        unexpected 3
        unexpected 4
        unexpected 5
        unexpected 6
        unexpected 7

report:
        mov     r5, lr
        mrs     r6, spsr
        mrc     p15, 0, r7, c5, c0, 0   @ DFSR
        mrc     p15, 0, r8, c5, c0, 1   @ IFSR
        mrc     p15, 0, r9, c6, c0, 0   @ FAR
        /* Back to SVC mode on a known-good stack: the report must work
           whatever state the test left the faulting mode in. */
        msr     cpsr_c, #(MODE_SVC | I_BIT | F_BIT)
        ldr     sp, =__stack_top - 0x8000
        ldr     r0, =msg_head
        bl      write0
        ldr     r0, =exc_names
        ldr     r0, [r0, r4, lsl #2]
        bl      write0
        ldr     r0, =msg_lr
        bl      write0
        mov     r0, r5
        bl      puthex
        ldr     r0, =msg_spsr
        bl      write0
        mov     r0, r6
        bl      puthex
        cmp     r4, #3
        bne     5f
        ldr     r0, =msg_ifsr
        bl      write0
        mov     r0, r8
        bl      puthex
5:      cmp     r4, #4
        bne     6f
        ldr     r0, =msg_dfsr
        bl      write0
        mov     r0, r7
        bl      puthex
        ldr     r0, =msg_far
        bl      write0
        mov     r0, r9
        bl      puthex
6:      ldr     r0, =msg_tail
        bl      write0
        mov     r0, #1
        b       rom_exit

write0:
        mov     r1, r0
        mov     r0, #SYS_WRITE0
        svc     0x123456
        bx      lr

puthex:
        push    {r4, r5, r6, lr}
        sub     sp, sp, #8
        mov     r5, r0
        mov     r4, #28
7:      mov     r6, r5, lsr r4
        and     r6, r6, #15
        cmp     r6, #10
        addlo   r6, r6, #'0'
        addhs   r6, r6, #('a' - 10)
        strb    r6, [sp]
        mov     r1, sp
        mov     r0, #SYS_WRITEC
        svc     0x123456
        subs    r4, r4, #4
        bpl     7b
        add     sp, sp, #8
        pop     {r4, r5, r6, pc}

        .section .rodata
        .align  2
default_hooks:
        .word   unexpected_0, unexpected_1, unexpected_2, unexpected_3
        .word   unexpected_4, unexpected_5, unexpected_6, unexpected_7
exc_names:
        .word   name_reset, name_undef, name_swi, name_pabort
        .word   name_dabort, name_reserved, name_irq, name_fiq
msg_head:       .asciz  "\n*** unexpected "
msg_lr:         .asciz  " exception: lr=0x"
msg_spsr:       .asciz  " spsr=0x"
msg_ifsr:       .asciz  " ifsr=0x"
msg_dfsr:       .asciz  " dfsr=0x"
msg_far:        .asciz  " far=0x"
msg_tail:       .asciz  "\n"
name_reset:     .asciz  "reset"
name_undef:     .asciz  "undefined instruction"
name_swi:       .asciz  "SWI"
name_pabort:    .asciz  "prefetch abort"
name_dabort:    .asciz  "data abort"
name_reserved:  .asciz  "reserved-vector"
name_irq:       .asciz  "IRQ"
name_fiq:       .asciz  "FIQ"

        .bss
        .align  2
        .global exc_hook
exc_hook:
        .space  4 * 8
