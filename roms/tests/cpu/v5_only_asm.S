/*
 * v5_only_asm.S - ARMv5 behaviour that QEMU's ARM926 does not model (so
 * this ROM runs on emu only; tools/crossrun.sh says why).
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

/* Unaligned loads: uint32_t name(const void *p, uint32_t out[2])
   out[0] = loaded value, out[1] = base after - p (for writeback forms). */
        .macro  ucase name, insn:vararg
        func    \name
        mov     r12, r0
        mov     r2, #4
        \insn
        sub     r12, r12, r0
        stmia   r1, {r3, r12}
        bx      lr
        .endm

        ucase   un_ldr,        ldr r3, [r12]
        ucase   un_ldr_imm,    ldr r3, [r12, #4]
        ucase   un_ldr_reg,    ldr r3, [r12, r2]
        ucase   un_ldr_pre_wb, ldr r3, [r12, #4]!
        ucase   un_ldr_post,   ldr r3, [r12], #4
        ucase   un_ldrt,       ldrt r3, [r12]

        .macro  tucase name, insn:vararg
        func    \name
        push    {r4, lr}
        mov     r12, r1
        adr     r4, 1f + 1
        blx     r4
        str     r3, [r12]
        pop     {r4, pc}
        .thumb
        .align  2
1:      movs    r2, #4
        \insn
        bx      lr
        .arm
        .align  2
        .endm

        tucase  un_t_ldr_imm,  ldr r3, [r0, #4]
        tucase  un_t_ldr_reg,  ldr r3, [r0, r2]

/* uint32_t dp_pc_<op>(void): from SVC mode with SPSR = SVC, N and V set,
   and the CPSR flags clear, <op>S pc, ... branches to 1f; returns the
   CPSR there (ARM ARM A4, each data-processing instruction: "if S == 1
   and Rd == R15 then CPSR = SPSR"). */
        .macro  dpcase name, insn:vararg
        func    \name
        push    {r4-r6, lr}
        mrs     r6, spsr
        ldr     r0, =(0x90000000 | 0xD3)
        msr     spsr_cxsf, r0
        adr     r4, 1f                  @ the target
        mvn     r5, r4                  @ its complement
        mov     r2, #0
        mvn     r3, #0
        msr     cpsr_f, #0x20000000     @ C set for SBC/RSC
        .ifc \name, dp_pc_adcs
        msr     cpsr_f, #0              @ C clear for ADC
        .endif
        \insn
        mov     r0, #0                  @ not reached
        b       2f
1:      mrs     r0, cpsr
2:      msr     cpsr_f, #0
        msr     spsr_cxsf, r6
        pop     {r4-r6, pc}
        .endm

        dpcase  dp_pc_adds, adds pc, r4, #0
        dpcase  dp_pc_ands, ands pc, r4, r3
        dpcase  dp_pc_eors, eors pc, r4, r2
        dpcase  dp_pc_orrs, orrs pc, r4, r2
        dpcase  dp_pc_bics, bics pc, r4, r2
        dpcase  dp_pc_rsbs, rsbs pc, r2, r4
        dpcase  dp_pc_adcs, adcs pc, r4, r2
        dpcase  dp_pc_sbcs, sbcs pc, r4, r2
        dpcase  dp_pc_rscs, rscs pc, r2, r4
        dpcase  dp_pc_mvns, mvns pc, r5
        dpcase  dp_pc_subs, subs pc, r4, #0
        dpcase  dp_pc_movs, movs pc, r4

/* Thumb encodings that are ARMv6T2 and later, UNDEFINED in ARMv5TE:
   uint32_t name(void) returns 0x99 after the undefined handler skipped it. */
        .macro  tundef name, hword
        func    \name
        push    {r4, lr}
        adr     r4, 1f + 1
        ldr     r0, =v5_at
        adr     r1, 1f
        str     r1, [r0]
        movs    r0, #0                  @ Z set, so a CBZ would branch
        blx     r4
        pop     {r4, pc}
        .thumb
        .align  2
1:      .hword  \hword
        movs    r0, #0x99
        bx      lr
        .arm
        .align  2
        .endm

        tundef  t_cbz,  0xB100          @ cbz r0, +4
        tundef  t_cbnz, 0xB908          @ cbnz r0, ...
        tundef  t_it,   0xBF08          @ it eq
        tundef  t_nop,  0xBF00          @ nop (hint)

        .ltorg

        .bss
        .align  2
        .global v5_at
v5_at:  .space  4
