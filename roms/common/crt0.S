/*
 * crt0.S - start-up code for bare-metal raw ROMs (no newlib).
 *
 * Linked first (section .vectors) by rom.ld / rom-versatilepb.ld, so the
 * eight ARM exception vectors sit at address 0.
 *
 * Reset:
 *   - stay in SVC mode, IRQ and FIQ masked;
 *   - give ABT, UND, IRQ and FIQ modes one shared 4 KiB stack at the top
 *     of RAM (only used to report a fatal exception) and put the SVC
 *     stack just below it;
 *   - copy .data from ROM to RAM and zero .bss;
 *   - call main(0, 0);
 *   - exit with main's return value through semihosting
 *     SYS_EXIT_EXTENDED (0x20, reason ADP_Stopped_ApplicationExit).
 *
 * Every other vector prints which exception happened (and the banked lr,
 * plus FSR/FAR for aborts) through semihosting and exits with status 1.
 * A second exception while reporting one (e.g. semihosting disabled, so
 * the SVC of the report itself traps to the SWI vector) parks the CPU in
 * an endless loop at the label _crt0_hang.
 *
 * Semihosting calls are made with SVC 0x123456 (ARM state).
 */

        .syntax unified
        .arm

        .equ    MODE_FIQ, 0x11
        .equ    MODE_IRQ, 0x12
        .equ    MODE_SVC, 0x13
        .equ    MODE_ABT, 0x17
        .equ    MODE_UND, 0x1B
        .equ    I_BIT,    0x80
        .equ    F_BIT,    0x40

        .equ    EXC_STACK_SIZE, 4096

        .equ    SYS_WRITEC,        0x03
        .equ    SYS_WRITE0,        0x04
        .equ    SYS_EXIT,          0x18
        .equ    SYS_EXIT_EXTENDED, 0x20
        .equ    ADP_Stopped_ApplicationExit, 0x20026
        .equ    ADP_Stopped_RunTimeErrorUnknown, 0x20023

/* ------------------------------------------------------------------ */
/* The vector table, at address 0.                                     */
/* ------------------------------------------------------------------ */
        .section .vectors, "ax"
        .global _vectors
_vectors:
        b       _reset                  @ 0x00 reset
        b       _undef_handler          @ 0x04 undefined instruction
        b       _swi_handler            @ 0x08 software interrupt (SVC)
        b       _pabort_handler         @ 0x0C prefetch abort
        b       _dabort_handler         @ 0x10 data abort
        b       _reserved_handler       @ 0x14 reserved
        b       _irq_handler            @ 0x18 IRQ
        b       _fiq_handler            @ 0x1C FIQ

/* ------------------------------------------------------------------ */
/* Reset handler.                                                      */
/* ------------------------------------------------------------------ */
        .text
        .global _reset
        .type   _reset, %function
_reset:
        /* One stack for all the fatal-exception modes, at the top. */
        ldr     r0, =__stack_top
        msr     cpsr_c, #(MODE_ABT | I_BIT | F_BIT)
        mov     sp, r0
        msr     cpsr_c, #(MODE_UND | I_BIT | F_BIT)
        mov     sp, r0
        msr     cpsr_c, #(MODE_IRQ | I_BIT | F_BIT)
        mov     sp, r0
        msr     cpsr_c, #(MODE_FIQ | I_BIT | F_BIT)
        mov     sp, r0
        /* Back to SVC: the program's stack starts below that one. */
        msr     cpsr_c, #(MODE_SVC | I_BIT | F_BIT)
        sub     sp, r0, #EXC_STACK_SIZE

        /* Copy the initial values of .data from ROM to RAM. */
        ldr     r0, =__data_load
        ldr     r1, =__data_start
        ldr     r2, =__data_end
1:      cmp     r1, r2
        ldrlo   r3, [r0], #4
        strlo   r3, [r1], #4
        blo     1b

        /* Zero .bss. */
        ldr     r1, =__bss_start
        ldr     r2, =__bss_end
        mov     r3, #0
2:      cmp     r1, r2
        strlo   r3, [r1], #4
        blo     2b

        /* status = main(0, NULL); works whether main is ARM or Thumb. */
        mov     r0, #0
        mov     r1, #0
        bl      main
        b       _crt0_exit
        .size   _reset, . - _reset

/*
 * _crt0_exit(status): leave through SYS_EXIT_EXTENDED.  If the host does
 * not implement it (the call returns), fall back to the plain SYS_EXIT,
 * which can only say "success" or "failure".  Never returns.
 */
        .global _crt0_exit
        .type   _crt0_exit, %function
_crt0_exit:
        mov     r4, r0
        sub     sp, sp, #8
        ldr     r1, =ADP_Stopped_ApplicationExit
        str     r1, [sp]                @ block[0] = reason
        str     r4, [sp, #4]            @ block[1] = exit status
        mov     r1, sp
        mov     r0, #SYS_EXIT_EXTENDED
        svc     0x123456
        /* Still here: old-style SYS_EXIT (r1 holds the reason itself). */
        cmp     r4, #0
        ldreq   r1, =ADP_Stopped_ApplicationExit
        ldrne   r1, =ADP_Stopped_RunTimeErrorUnknown
        mov     r0, #SYS_EXIT
        svc     0x123456
        b       _crt0_hang
        .size   _crt0_exit, . - _crt0_exit

        .global _crt0_hang
_crt0_hang:
        b       _crt0_hang

/* ------------------------------------------------------------------ */
/* Unexpected exceptions: report and exit(1).                          */
/* r4 = index into the name table, r5 = the exception's lr.            */
/* ------------------------------------------------------------------ */
_undef_handler:
        mov     r4, #0
        b       _crt0_exception
_swi_handler:
        mov     r4, #1
        b       _crt0_exception
_pabort_handler:
        mov     r4, #2
        b       _crt0_exception
_dabort_handler:
        mov     r4, #3
        b       _crt0_exception
_reserved_handler:
        mov     r4, #4
        b       _crt0_exception
_irq_handler:
        mov     r4, #5
        b       _crt0_exception
_fiq_handler:
        mov     r4, #6
        /* fall through */

_crt0_exception:
        mov     r5, lr
        /* Guard against recursion (the report itself faulting). */
        ldr     r0, =_crt0_in_exception
        ldr     r1, [r0]
        cmp     r1, #0
        bne     _crt0_hang
        mov     r1, #1
        str     r1, [r0]

        ldr     r0, =msg_head            @ "\n*** crt0: unexpected "
        bl      _crt0_write0
        ldr     r0, =exc_names
        ldr     r0, [r0, r4, lsl #2]    @ name of this exception
        bl      _crt0_write0
        ldr     r0, =msg_lr              @ " exception, lr=0x"
        bl      _crt0_write0
        mov     r0, r5
        bl      _crt0_puthex

        /* Aborts: also show the fault status and fault address. */
        cmp     r4, #2
        cmpne   r4, #3
        bne     3f
        ldr     r0, =msg_fsr             @ " FSR=0x"
        bl      _crt0_write0
        cmp     r4, #2
        mrceq   p15, 0, r0, c5, c0, 1   @ IFSR (prefetch abort)
        mrcne   p15, 0, r0, c5, c0, 0   @ DFSR (data abort)
        bl      _crt0_puthex
        cmp     r4, #3
        bne     3f
        ldr     r0, =msg_far             @ " FAR=0x"
        bl      _crt0_write0
        mrc     p15, 0, r0, c6, c0, 0   @ FAR
        bl      _crt0_puthex
3:
        ldr     r0, =msg_tail            @ "\n"
        bl      _crt0_write0
        mov     r0, #1
        b       _crt0_exit

/* _crt0_write0(const char *s): SYS_WRITE0. Clobbers r0, r1. */
_crt0_write0:
        mov     r1, r0
        mov     r0, #SYS_WRITE0
        svc     0x123456
        bx      lr

/* _crt0_puthex(uint32_t v): eight hex digits through SYS_WRITEC. */
_crt0_puthex:
        push    {r4, r5, r6, lr}
        sub     sp, sp, #8              @ room for one character
        mov     r5, r0
        mov     r4, #28                 @ shift of the top nibble
4:      mov     r6, r5, lsr r4
        and     r6, r6, #15
        cmp     r6, #10
        addlo   r6, r6, #'0'
        addhs   r6, r6, #('a' - 10)
        strb    r6, [sp]
        mov     r1, sp
        mov     r0, #SYS_WRITEC
        svc     0x123456
        subs    r4, r4, #4
        bpl     4b
        add     sp, sp, #8
        pop     {r4, r5, r6, pc}

        .align  2
exc_names:
        .word   name_undef, name_swi, name_pabort, name_dabort
        .word   name_reserved, name_irq, name_fiq
msg_head:       .asciz  "\n*** crt0: unexpected "
msg_lr:         .asciz  " exception, lr=0x"
msg_fsr:        .asciz  " FSR=0x"
msg_far:        .asciz  " FAR=0x"
msg_tail:       .asciz  "\n"
name_undef:     .asciz  "undefined instruction"
name_swi:       .asciz  "SWI"
name_pabort:    .asciz  "prefetch abort"
name_dabort:    .asciz  "data abort"
name_reserved:  .asciz  "reserved vector"
name_irq:       .asciz  "IRQ"
name_fiq:       .asciz  "FIQ"
        .align  2
        .ltorg

        .bss
        .align  2
_crt0_in_exception:
        .space  4
