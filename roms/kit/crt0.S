/*
 * crt0.S - start-up code and exception entries of kit ROMs (see kit.h).
 *
 * Why not roms/common/crt0.S: that one is for programs that only compute and
 * print.  It treats an IRQ as a fatal error, gives every exception mode one
 * shared stack, runs main in SVC mode (where a trapped SVC would clobber
 * main's own lr) and exits when main returns.  A kit ROM takes interrupts
 * all the time, may run without semihosting, and runs forever.  So here:
 *
 *   - every exception mode has a stack of its own; main runs in System mode
 *     (privileged, with the User registers), so that an SVC taken from main
 *     or from an interrupt handler never overwrites main's lr;
 *   - IRQ: kit_irq_dispatch() (irq.c) calls the handler of each pending VIC
 *     line;
 *   - SVC: a semihosting call (SVC 0x123456 in ARM state, SVC 0xAB in Thumb)
 *     that reaches the vector means the host has no semihosting: it returns
 *     -1 and the kit stops making such calls.  Other SVCs go to the hook set
 *     by svc_hook(), or are fatal;
 *   - undefined instruction, aborts, FIQ: kit_fatal() (system.c) reports
 *     where and why on the UART and through semihosting, and stops.
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
        .equ    I_BIT, 0x80
        .equ    F_BIT, 0x40
        .equ    T_BIT, 0x20

        /* Stack sizes, from the top of SDRAM down; System mode gets the rest. */
        .equ    FIQ_STACK, 1024
        .equ    IRQ_STACK, 16384
        .equ    ABT_STACK, 4096
        .equ    UND_STACK, 4096
        .equ    SVC_STACK, 4096

        .section .vectors, "ax"
        .global _vectors
_vectors:
        b       _reset                  @ 0x00 reset
        b       _undef                  @ 0x04 undefined instruction
        b       _svc                    @ 0x08 supervisor call
        b       _pabort                 @ 0x0C prefetch abort
        b       _dabort                 @ 0x10 data abort
        b       _reserved               @ 0x14 reserved
        b       _irq                    @ 0x18 IRQ
        b       _fiq                    @ 0x1C FIQ

        .text
        .global _reset
        .type   _reset, %function
_reset:
        ldr     r0, =__stack_top
        msr     cpsr_c, #(MODE_FIQ | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #FIQ_STACK
        msr     cpsr_c, #(MODE_IRQ | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #IRQ_STACK
        msr     cpsr_c, #(MODE_ABT | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #ABT_STACK
        msr     cpsr_c, #(MODE_UND | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #UND_STACK
        msr     cpsr_c, #(MODE_SVC | I_BIT | F_BIT)
        mov     sp, r0
        sub     r0, r0, #SVC_STACK
        msr     cpsr_c, #(MODE_SYS | I_BIT | F_BIT)
        mov     sp, r0

        /* .data from ROM to SDRAM, .bss zeroed. */
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

        bl      kit_init                @ VIC, tick timer (system.c)
        msr     cpsr_c, #(MODE_SYS | F_BIT)     @ IRQs on
        mov     r0, #0
        mov     r1, #0
        bl      main                    @ ARM or Thumb: BL becomes BLX
        bl      kit_exit
        .size   _reset, . - _reset

/* IRQ: every pending line's handler, then back to the interrupted code. */
        .type   _irq, %function
_irq:
        sub     lr, lr, #4
        push    {r0-r3, r12, lr}        @ 24 bytes: sp stays 8-byte aligned
        bl      kit_irq_dispatch
        ldmfd   sp!, {r0-r3, r12, pc}^
        .size   _irq, . - _irq

/* SVC: semihosting without a host, a program's own SVCs, or fatal. */
        .type   _svc, %function
_svc:
        push    {r0-r3, r12, lr}
        mrs     r12, spsr
        tst     r12, #T_BIT
        bne     1f
        ldr     r0, [lr, #-4]           @ ARM: SVC #imm24
        bic     r0, r0, #0xFF000000
        ldr     r1, =0x123456
        cmp     r0, r1
        b       2f
1:      ldrh    r0, [lr, #-2]           @ Thumb: SVC #imm8
        and     r0, r0, #0xFF
        cmp     r0, #0xAB
2:      beq     3f
        ldr     r2, =kit_svc_hook
        ldr     r2, [r2]
        cmp     r2, #0
        beq     4f
        mov     r1, sp                  @ regs: the saved r0-r3
        blx     r2                      @ hook(number, regs)
        ldmfd   sp!, {r0-r3, r12, pc}^
3:      ldr     r1, =kit_sh_absent      @ semihosting is off: say so, return -1
        mov     r0, #1
        str     r0, [r1]
        pop     {r0-r3, r12, lr}
        mvn     r0, #0
        movs    pc, lr
4:      pop     {r0-r3, r12, lr}
        mov     r0, #1
        b       _fatal
        .size   _svc, . - _svc

_undef:
        mov     r0, #0
        b       _fatal
_pabort:
        mov     r0, #2
        b       _fatal
_dabort:
        mov     r0, #3
        b       _fatal
_reserved:
        mov     r0, #4
        b       _fatal
_fiq:
        mov     r0, #5
_fatal:
        mov     r1, lr
        mrs     r2, spsr
        bic     sp, sp, #7
        bl      kit_fatal               @ never returns
        b       .

        .ltorg
