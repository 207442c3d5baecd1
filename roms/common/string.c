/*
 * string.c - the few C library routines GCC may call by itself even in
 * freestanding code (structure copies, zero-initialised arrays).  Only
 * linked into the raw ROMs, which have no newlib.
 */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}
