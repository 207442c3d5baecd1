/*
 * test.c - checks and output for the CPU conformance ROMs (see test.h).
 */
#include "test.h"
#include "sh.h"

static int checks, failures;

static void put_rev(char *buf, int *n, int size, const char *digits, int len)
{
    while (len-- > 0)
        if (*n < size - 1)
            buf[(*n)++] = digits[len];
}

void t_vsnprintf(char *buf, int size, const char *fmt, va_list ap)
{
    int n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            if (n < size - 1)
                buf[n++] = *p;
            continue;
        }
        p++;
        char tmp[12];
        int len = 0;
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s && n < size - 1)
                buf[n++] = *s++;
            break;
        }
        case 'c':
            if (n < size - 1)
                buf[n++] = (char)va_arg(ap, int);
            break;
        case 'd':
        case 'u': {
            uint32_t v = va_arg(ap, uint32_t);
            if (*p == 'd' && (int32_t)v < 0) {
                if (n < size - 1)
                    buf[n++] = '-';
                v = 0u - v;
            }
            do {
                tmp[len++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            put_rev(buf, &n, size, tmp, len);
            break;
        }
        case 'x':
        case 'X': {
            uint32_t v = va_arg(ap, uint32_t);
            int digits = 8;
            if (*p == 'X') {
                digits = 1;
                while (digits < 8 && (v >> (4 * digits)) != 0)
                    digits++;
            }
            for (int i = 0; i < digits; i++)
                tmp[len++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
            put_rev(buf, &n, size, tmp, len);
            break;
        }
        case '%':
            if (n < size - 1)
                buf[n++] = '%';
            break;
        default:
            return;
        }
    }
    buf[n] = '\0';
}

void t_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sh_write0(buf);
}

void t_section(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t_printf("== %s\n", buf);
}

static int verdict(int ok, const char *name, const char *got, const char *want)
{
    checks++;
    if (ok) {
        if (got)
            t_printf("  ok   %s = %s\n", name, got);
        else
            t_printf("  ok   %s\n", name);
    } else {
        failures++;
        if (got)
            t_printf("  FAIL %s: got %s, want %s\n", name, got, want);
        else
            t_printf("  FAIL %s\n", name);
    }
    return ok;
}

static void hex64(char *buf, uint64_t v)
{
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    buf[18] = '\0';
}

static void hex32(char *buf, uint32_t v)
{
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 8; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    buf[10] = '\0';
}

int t_eq(uint32_t got, uint32_t want, const char *fmt, ...)
{
    char name[200], g[12], w[12];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    hex32(g, got);
    hex32(w, want);
    return verdict(got == want, name, g, w);
}

int t_eq64(uint64_t got, uint64_t want, const char *fmt, ...)
{
    char name[200], g[20], w[20];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    hex64(g, got);
    hex64(w, want);
    return verdict(got == want, name, g, w);
}

int t_ok(int cond, const char *fmt, ...)
{
    char name[200];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return verdict(cond, name, 0, 0);
}

int t_failures(void)
{
    return failures;
}

int t_done(const char *name)
{
    if (failures == 0) {
        t_printf("%s: all %u checks passed\n", name, (uint32_t)checks);
        return 0;
    }
    t_printf("%s: %u of %u checks FAILED\n", name, (uint32_t)failures, (uint32_t)checks);
    return 1;
}
