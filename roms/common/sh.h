/*
 * sh.h - minimal ARM semihosting helpers for programs without newlib.
 *
 * A semihosting call is "SVC 0x123456" in ARM state ("SVC 0xAB" in Thumb)
 * with the operation number in r0 and its argument (often a pointer to a
 * parameter block) in r1; the result comes back in r0.  The debugger or
 * emulator intercepts the SVC: run QEMU with -semihosting and the
 * emulator with --semihosting.
 */
#ifndef ROMS_SH_H
#define ROMS_SH_H

#include <stdint.h>

/* Operation numbers (ARM "Semihosting for AArch32 and AArch64"). */
#define SH_SYS_WRITEC        0x03
#define SH_SYS_WRITE0        0x04
#define SH_SYS_EXIT          0x18
#define SH_SYS_EXIT_EXTENDED 0x20

/* Reason code for a normal application exit. */
#define SH_ADP_Stopped_ApplicationExit 0x20026

/* Raw call: returns the host's r0. */
uint32_t sh_call(uint32_t op, uintptr_t arg);

/* Print one character. */
void sh_writec(char c);

/* Print a NUL-terminated string. */
void sh_write0(const char *s);

/* Exit with a status code (SYS_EXIT_EXTENDED).  Never returns. */
void sh_exit_extended(int status) __attribute__((noreturn));

/* Small formatting helpers built on sh_write0. */
void sh_puthex(uint32_t v, int digits);  /* zero-padded, no "0x" */
void sh_putdec(int32_t v);
void sh_putudec(uint32_t v);

#endif
