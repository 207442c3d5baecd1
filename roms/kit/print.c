/*
 * print.c - semihosting and UART output, and the kit's printf (kit.h).
 */
#include "kit.h"

/* ----------------------------------------------------------- formatting */
typedef void (*sink_fn)(char c, void *ctx);

static void emit_padded(sink_fn out, void *ctx, const char *s, int len, int width, int left,
                        char pad, int *count)
{
    /* A zero-padded negative number keeps its sign in front of the zeros. */
    if (pad == '0' && !left && len > 0 && s[0] == '-' && width > len) {
        out('-', ctx);
        (*count)++;
        s++;
        len--;
        width--;
    }
    if (!left)
        for (int i = len; i < width; i++, (*count)++)
            out(pad, ctx);
    for (int i = 0; i < len; i++, (*count)++)
        out(s[i], ctx);
    if (left)
        for (int i = len; i < width; i++, (*count)++)
            out(' ', ctx);
}

static int vformat(sink_fn out, void *ctx, const char *fmt, va_list ap)
{
    int count = 0;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out(*fmt, ctx);
            count++;
            continue;
        }
        fmt++;
        int left = 0;
        char pad = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        int precision = -1;
        if (*fmt == '.') {
            precision = 0;
            fmt++;
            while (*fmt >= '0' && *fmt <= '9')
                precision = precision * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z')
            fmt++;
        char buf[12];
        const char *s = buf;
        int len = 0;
        switch (*fmt) {
        case 'd':
        case 'i':
        case 'u': {
            uint32_t v;
            int neg = 0;
            if (*fmt == 'u') {
                v = va_arg(ap, uint32_t);
            } else {
                int32_t sv = va_arg(ap, int32_t);
                neg = sv < 0;
                v = neg ? 0u - (uint32_t)sv : (uint32_t)sv;
            }
            char tmp[11];
            int n = 0;
            do {
                tmp[n++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            if (neg)
                buf[len++] = '-';
            while (n)
                buf[len++] = tmp[--n];
            break;
        }
        case 'x':
        case 'X':
        case 'p': {
            uint32_t v = *fmt == 'p' ? (uint32_t)va_arg(ap, void *) : va_arg(ap, uint32_t);
            const char *digits = *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            if (*fmt == 'p') {
                out('0', ctx);
                out('x', ctx);
                count += 2;
                pad = '0';
                width = 8;
            }
            int n = 8;
            while (n > 1 && !(v >> (4 * (n - 1))))
                n--;
            for (int i = n - 1; i >= 0; i--)
                buf[len++] = digits[(v >> (4 * i)) & 15];
            break;
        }
        case 'c':
            buf[len++] = (char)va_arg(ap, int);
            break;
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            while (s[len] && (precision < 0 || len < precision))
                len++;
            pad = ' ';
            break;
        case '%':
            buf[len++] = '%';
            break;
        case '\0':
            return count;
        default:
            buf[len++] = '%';
            buf[len++] = *fmt;
            break;
        }
        emit_padded(out, ctx, s, len, width, left, pad, &count);
    }
    return count;
}

struct buf_sink {
    char *p;
    size_t left; /* room for characters, the NUL excluded */
};

static void buf_out(char c, void *ctx)
{
    struct buf_sink *b = ctx;
    if (b->left) {
        *b->p++ = c;
        b->left--;
    }
}

int kit_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct buf_sink b = {buf, n ? n - 1 : 0};
    int len = vformat(buf_out, &b, fmt, ap);
    if (n)
        *b.p = '\0';
    return len;
}

int kit_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = kit_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return len;
}

/* ---------------------------------------------------------- semihosting */
#define SYS_WRITEC        0x03
#define SYS_WRITE0        0x04
#define SYS_EXIT          0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026
#define ADP_Stopped_RunTimeErrorUnknown 0x20023

/* Set by crt0.S when a semihosting SVC reaches the SVC vector. */
volatile int kit_sh_absent;

static uint32_t sh_call(uint32_t op, const void *arg)
{
    if (kit_sh_absent)
        return (uint32_t)-1;
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
#ifdef __thumb__
    __asm__ volatile("svc 0xAB" : "+r"(r0) : "r"(r1) : "memory");
#else
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory", "lr");
#endif
    return r0;
}

bool sh_present(void)
{
    return !kit_sh_absent;
}

void sh_putc(char c)
{
    sh_call(SYS_WRITEC, &c);
}

void sh_puts(const char *s)
{
    sh_call(SYS_WRITE0, s);
}

struct chunk_sink {
    char buf[96];
    int n;
    void (*flush)(const char *);
};

static void chunk_out(char c, void *ctx)
{
    struct chunk_sink *k = ctx;
    k->buf[k->n++] = c;
    if (k->n == (int)sizeof k->buf - 1) {
        k->buf[k->n] = '\0';
        k->flush(k->buf);
        k->n = 0;
    }
}

static int chunked(void (*flush)(const char *), const char *fmt, va_list ap)
{
    struct chunk_sink k;
    k.n = 0;
    k.flush = flush;
    int len = vformat(chunk_out, &k, fmt, ap);
    if (k.n) {
        k.buf[k.n] = '\0';
        flush(k.buf);
    }
    return len;
}

int sh_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = chunked(sh_puts, fmt, ap);
    va_end(ap);
    return len;
}

void kit_sh_exit(int status)
{
    uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status};
    sh_call(SYS_EXIT_EXTENDED, block);
    /* A host without SYS_EXIT_EXTENDED: plain SYS_EXIT (r1 is the reason). */
    sh_call(SYS_EXIT, (const void *)(status ? ADP_Stopped_RunTimeErrorUnknown
                                            : ADP_Stopped_ApplicationExit));
}

/* ----------------------------------------------------------------- UART */
#define UART_DR (CX_UART + 0x000)
#define UART_FR (CX_UART + 0x018)
#define FR_TXFF 0x20u

void uart_putc(char c)
{
    while (mmio_read(UART_FR) & FR_TXFF) {
    }
    mmio_write(UART_DR, (uint8_t)c);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

int uart_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = chunked(uart_puts, fmt, ap);
    va_end(ap);
    return len;
}
