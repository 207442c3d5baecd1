/*
 * sh.c - minimal ARM semihosting helpers (see sh.h).
 */
#include "sh.h"

uint32_t sh_call(uint32_t op, uintptr_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uintptr_t r1 __asm__("r1") = arg;
#if defined(__thumb__)
    __asm__ volatile("svc 0xab" : "+r"(r0) : "r"(r1) : "memory");
#else
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
#endif
    return r0;
}

void sh_writec(char c)
{
    /* SYS_WRITEC takes a pointer to the character. */
    sh_call(SH_SYS_WRITEC, (uintptr_t)&c);
}

void sh_write0(const char *s)
{
    sh_call(SH_SYS_WRITE0, (uintptr_t)s);
}

void sh_exit_extended(int status)
{
    /* Parameter block: { reason, subcode = exit status }. */
    volatile uint32_t block[2] = { SH_ADP_Stopped_ApplicationExit, (uint32_t)status };
    sh_call(SH_SYS_EXIT_EXTENDED, (uintptr_t)block);
    /* Host without SYS_EXIT_EXTENDED: plain SYS_EXIT (no status code). */
    sh_call(SH_SYS_EXIT, status == 0 ? SH_ADP_Stopped_ApplicationExit : 0x20023);
    for (;;) {
    }
}

void sh_puthex(uint32_t v, int digits)
{
    char buf[9];
    if (digits < 1)
        digits = 1;
    if (digits > 8)
        digits = 8;
    for (int i = digits - 1; i >= 0; i--) {
        buf[i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    }
    buf[digits] = '\0';
    sh_write0(buf);
}

void sh_putudec(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    sh_write0(&buf[i]);
}

void sh_putdec(int32_t v)
{
    if (v < 0) {
        sh_writec('-');
        sh_putudec(0u - (uint32_t)v);
    } else {
        sh_putudec((uint32_t)v);
    }
}
