/*
 * string.c - the few C library functions kit ROMs have (GCC may also call
 * memcpy and memset on its own, for structure copies).
 */
#include "kit.h"

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    uint8_t b = (uint8_t)c;
    while (n && ((uintptr_t)p & 3)) {
        *p++ = b;
        n--;
    }
    uint32_t w = b * 0x01010101u;
    uint32_t *q = (uint32_t *)p;
    for (; n >= 16; n -= 16) {
        q[0] = w;
        q[1] = w;
        q[2] = w;
        q[3] = w;
        q += 4;
    }
    for (; n >= 4; n -= 4)
        *q++ = w;
    p = (uint8_t *)q;
    while (n--)
        *p++ = b;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    if ((((uintptr_t)dp | (uintptr_t)sp) & 3) == 0) {
        uint32_t *dq = (uint32_t *)dp;
        const uint32_t *sq = (const uint32_t *)sp;
        for (; n >= 16; n -= 16) {
            dq[0] = sq[0];
            dq[1] = sq[1];
            dq[2] = sq[2];
            dq[3] = sq[3];
            dq += 4;
            sq += 4;
        }
        for (; n >= 4; n -= 4)
            *dq++ = *sq++;
        dp = (uint8_t *)dq;
        sp = (const uint8_t *)sq;
    }
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}
