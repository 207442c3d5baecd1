/*
 * oracle.c - what a C library's snprintf makes of printf formats, written
 * out as Rust: the table emu/src/ndless/format_cases.rs that the emulator's
 * formatter (emu/src/ndless/format.rs) is tested against.
 *
 * The table has two parts.  NEWLIB is newlib's answer for the formats every
 * newlib knows (C89's and the BSD extensions), from this program built with
 * Debian's arm-none-eabi-gcc and newlib and run on the emulator itself
 * (semihosting).  C99 is the host glibc's answer for C99's formats (hh j z t,
 * F, a A, ' and C), which newlib prints only when configured with
 * --enable-newlib-io-c99-formats (Debian's newlib and the Ndless SDK's are
 * not, so neither can answer); the cases were chosen where newlib's source
 * (vfprintf.c, cvt) gives the same.  From the top of the tree:
 *
 *   arm-none-eabi-gcc -mcpu=arm926ej-s -mfloat-abi=soft -O1 -std=gnu11 \
 *       --specs=rdimon.specs -Lroms/common -T emu.ld \
 *       -o /tmp/oracle.elf tools/printf-oracle/oracle.c
 *   gcc -O1 -std=gnu11 -o /tmp/oracle tools/printf-oracle/oracle.c
 *   { cargo run --release -- run --headless --semihosting /tmp/oracle.elf
 *     /tmp/oracle; } > emu/src/ndless/format_cases.rs
 *
 * Each case is one call: the format, the arguments as the Rust table has
 * them (I: a 32-bit word, L: a 64-bit integer, D: a double by its bits,
 * S: a string, P: a raw pointer), the bytes written and the count returned.
 * Formats whose output C leaves undefined and the libraries disagree on
 * ("%5%", "%Ld") are not here: the formatter's own tests say what it does.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

static char buf[8192];
static char args[4096];

static void add(const char *text)
{
    if (args[0])
        strcat(args, ", ");
    strcat(args, text);
}

static void arg_word(unsigned int x)
{
    char t[32];
    snprintf(t, sizeof t, "I(%#x)", x);
    add(t);
}
static void arg_int(int x) { arg_word((unsigned int)x); }
static void arg_long(long x) { arg_word((unsigned int)x); }
static void arg_ulong(unsigned long x) { arg_word((unsigned int)x); }
static void arg_quad(unsigned long long x)
{
    char t[40];
    snprintf(t, sizeof t, "L(%#llx)", x);
    add(t);
}
static void arg_llong(long long x) { arg_quad((unsigned long long)x); }
static void arg_double(double x)
{
    uint64_t bits;
    char t[40];
    memcpy(&bits, &x, 8);
    snprintf(t, sizeof t, "D(%#llx)", (unsigned long long)bits);
    add(t);
}
static void arg_ldouble(long double x) { arg_double((double)x); }
static void arg_string(const char *s)
{
    if (s == NULL) {
        add("P(0)");
        return;
    }
    char t[600] = "S(b\"";
    char *p = t + strlen(t);
    for (; *s; s++)
        p += sprintf(p, (*s == '"' || *s == '\\') ? "\\%c" : "%c", *s);
    strcpy(p, "\")");
    add(t);
}
static void arg_pointer(const void *p)
{
    char t[32];
    snprintf(t, sizeof t, "P(%#lx)", (unsigned long)(uintptr_t)p);
    add(t);
}

#define A(x) _Generic((x),                                                 \
    int: arg_int, unsigned int: arg_word, long: arg_long,                  \
    unsigned long: arg_ulong, long long: arg_llong,                        \
    unsigned long long: arg_quad, double: arg_double,                      \
    long double: arg_ldouble, char *: arg_string,                          \
    const char *: arg_string, default: arg_pointer)(x)

static void emit(const char *fmt, int ret)
{
    printf("    (b\"");
    escape(fmt, strlen(fmt));
    printf("\", &[%s], b\"", args);
    escape(buf, ret < 0 ? 0 : (size_t)ret < sizeof buf ? (size_t)ret : sizeof buf - 1);
    printf("\", %d),\n", ret);
    args[0] = 0;
}

#define T0(f) emit(f, snprintf(buf, sizeof buf, f))
#define T1(f, a) (A(a), emit(f, snprintf(buf, sizeof buf, f, a)))
#define T2(f, a, b) (A(a), A(b), emit(f, snprintf(buf, sizeof buf, f, a, b)))
#define T3(f, a, b, c) (A(a), A(b), A(c), emit(f, snprintf(buf, sizeof buf, f, a, b, c)))
#define T4(f, a, b, c, d) \
    (A(a), A(b), A(c), A(d), emit(f, snprintf(buf, sizeof buf, f, a, b, c, d)))

/* The format checks would reject the odd formats on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* What every newlib prints: the formats of C89 and the BSD extensions. */
static void __attribute__((unused)) newlib_cases(void)
{
    double zero = 0.0, inf = INFINITY, nan_ = NAN;

    /* Text and %% */
    T0("");
    T0("plain text");
    T0("%%");
    T0("100%% sure");
    T0("abc%");
    T0("abc%-5");
    T0("%y|");
    T0("%5y|");

    /* d i */
    T1("%d", 0);
    T1("%d", 42);
    T1("%d", -42);
    T1("%d", INT_MAX);
    T1("%d", INT_MIN);
    T1("%i", 13);
    T1("%5d|", 42);
    T1("%-5d|", 42);
    T1("%05d", 42);
    T1("%05d", -42);
    T1("%+d", 42);
    T1("%+d", -42);
    T1("% d", 42);
    T1("% +d", 42);
    T1("%+ d", 42);
    T1("%+ 5d", 42);
    T1("%-05d|", 42);
    T1("%.3d", 7);
    T1("%.3d", -7);
    T1("%.0d|", 0);
    T1("%.d|", 0);
    T1("%5.0d|", 0);
    T1("%+.0d|", 0);
    T1("% .0d|", 0);
    T1("%-+8.3d|", 5);
    T1("%08.3d", 5);
    T1("%.10d", -12345);
    T1("%D", -5);

    /* u o x X */
    T1("%u", 4294967295u);
    T1("%u", 0u);
    T1("%+u", 5u);
    T1("% u", 5u);
    T1("%.0u|", 0u);
    T1("%o", 8u);
    T1("%#o", 8u);
    T1("%#o", 0u);
    T1("%#.0o|", 0u);
    T1("%.0o|", 0u);
    T1("%#5.3o|", 1u);
    T1("%#.3o", 8u);
    T1("%O", 8u);
    T1("%U", 5u);
    T1("%x", 255u);
    T1("%X", 255u);
    T1("%x", 0xdeadbeefu);
    T1("%#x", 255u);
    T1("%#X", 255u);
    T1("%#x", 0u);
    T1("%#08x", 255u);
    T1("%#-8x|", 255u);
    T1("%#.4x", 1u);
    T1("%08.4x", 1u);
    T1("%#.0x|", 0u);
    T1("%+x", 5u);
    T1("% x", 5u);

    /* Length modifiers */
    T1("%hd", 70000);
    T1("%hd", 40000);
    T1("%hu", -1);
    T1("%hx", 0x12345);
    T1("%ld", -5L);
    T1("%lu", 4000000000UL);
    T1("%lx", 0xabcdefUL);
    T1("%lld", -1234567890123LL);
    T1("%lld", LLONG_MIN);
    T1("%llu", ULLONG_MAX);
    T1("%llx", 0x123456789abcdef0ULL);
    T1("%#llo", 01234567012345670123ULL);
    T1("%+lli", 5LL);
    T1("%qd", -7LL);
    T3("%d %lld %d", 1, 2LL, 3);
    T3("%lld %d %lld", 1LL, 2, 3LL);
    T4("%d %d %d %lld", 1, 2, 3, 4LL);

    /* c s */
    T1("%c", 'A');
    T1("%5c|", 'A');
    T1("%-5c|", 'A');
    T1("%05c|", 'A');
    T1("%c", 0x141);
    T1("[%c]", 0);
    T1("%s", "hello");
    T1("%10s|", "hello");
    T1("%-10s|", "hello");
    T1("%05s|", "ab");
    T1("%.3s|", "hello");
    T1("%10.3s|", "hello");
    T1("%.0s|", "hello");
    T1("%.10s|", "ab");
    T1("%s|", "");
    T1("%5s|", "");
    T1("%s", (char *)0);
    T1("%.3s|", (char *)0);
    T1("%10s|", (char *)0);
    T1("%+s", "x");
    T1("%#s", "x");

    /* p */
    T1("%p", (void *)0);
    T1("%p", (void *)0x1234);
    T1("%p", (void *)0xdeadbeef);
    T1("%10p|", (void *)0x1234);
    T1("%-10p|", (void *)0x1234);
    T1("%#p", (void *)0x1234);
    T1("%.8p", (void *)0x1234);
    T1("%010p", (void *)0x1234);

    /* * width and precision */
    T2("%*d|", 5, 42);
    T2("%*d|", -5, 42);
    T2("%-*d|", -5, 42);
    T2("%.*d|", 3, 7);
    T2("%.*d|", -1, 7);
    T2("%.*d|", 0, 0);
    T2("%.*f", -1, 1.5);
    T3("%*.*f|", 10, 2, 3.14159);
    T2("%.*s|", 2, "hello");
    T2("%*s|", 0, "x");
    T2("%*c|", 3, 'z');
    T3("%*.*s|", -6, 1, "abc");

    /* f F */
    T1("%f", 0.0);
    T1("%f", -zero);
    T1("%f", 1.0);
    T1("%f", -1.0);
    T1("%f", 3.14159265358979);
    T1("%f", 1e10);
    T1("%f", 1e-10);
    T1("%f", 123456789.125);
    T1("%f", 0.1);
    T1("%f", 1e300);
    T1("%f", DBL_MAX);
    T1("%f", DBL_MIN);
    T1("%.20f", 0.1);
    T1("%.60f", 1e-50);
    T1("%.0f", 0.5);
    T1("%.0f", 1.5);
    T1("%.0f", 2.5);
    T1("%.0f", 3.5);
    T1("%.0f", 0.49999999999999994);
    T1("%.2f", 0.125);
    T1("%.2f", 0.375);
    T1("%.2f", 1.005);
    T1("%.1f", 0.25);
    T1("%.1f", 0.35);
    T1("%.3f", 999.9995);
    T1("%.1f", 9.96);
    T1("%.f", 1.5);
    T1("%#.0f", 1.0);
    T1("%#f", 1.0);
    T1("%10.3f|", -3.14159);
    T1("%-10.2f|", 3.14159);
    T1("%+f", 1.5);
    T1("% f", 1.5);
    T1("%+f", -1.5);
    T1("%010.2f", -1.5);
    T1("%010.2f", 1.5);
    T1("%+010.2f", 1.5);
    T1("%-010.2f|", 1.5);
    T1("%f", inf);
    T1("%f", -inf);
    T1("%f", nan_);
    T1("%f", -nan_);
    T1("%5f|", inf);
    T1("%-6f|", nan_);
    T1("%06f|", inf);
    T1("%+f", inf);
    T1("% f", inf);
    T1("%+f", nan_);
    T1("%.3f", inf);
    T1("%Lf", 2.5L);
    T1("%lf", 2.5);
    T1("%.1100f", 5e-324);

    /* e E */
    T1("%e", 0.0);
    T1("%e", -zero);
    T1("%e", 1.0);
    T1("%e", 12345.678);
    T1("%e", -0.000123);
    T1("%e", 1e100);
    T1("%e", 1e-100);
    T1("%e", DBL_MAX);
    T1("%e", DBL_MIN);
    T1("%e", 5e-324);
    T1("%e", 1e-310);
    T1("%.0e", 12345.0);
    T1("%#.0e", 12345.0);
    T1("%.0e", 25.0);
    T1("%.0e", 35.0);
    T1("%E", 1.5);
    T1("%.3e", 9.9995);
    T1("%.2e", 9.995);
    T1("%.3e", 9999.5);
    T1("%12.4e|", 3.14159);
    T1("%-12.4e|", 3.14159);
    T1("%012.4e", -1.0);
    T1("%+e", 1.0);
    T1("%e", inf);
    T1("%E", -inf);
    T1("%e", nan_);
    T1("%.20e", 0.1);
    T1("%.780e", 5e-324);
    T1("%e", 1e-5);
    T1("%e", 1e21);

    /* g G */
    T1("%g", 0.0);
    T1("%g", -zero);
    T1("%g", 1.0);
    T1("%g", 100.0);
    T1("%g", 100000.0);
    T1("%g", 1000000.0);
    T1("%g", 1e-4);
    T1("%g", 1e-5);
    T1("%g", 123456789.0);
    T1("%g", 0.0001234);
    T1("%g", 1.5);
    T1("%g", 3.14159265358979);
    T1("%g", 1e100);
    T1("%g", DBL_MAX);
    T1("%g", DBL_MIN);
    T1("%g", 5e-324);
    T1("%.0g", 123.0);
    T1("%.1g", 0.000123);
    T1("%.1g", 0.95);
    T1("%.2g", 0.0995);
    T1("%#g", 1.0);
    T1("%#g", 1e-5);
    T1("%#.3g", 1.0);
    T1("%#.0g", 1.0);
    T1("%#g", 123456.0);
    T1("%#g", 1234567.0);
    T1("%G", 1e-10);
    T1("%G", 1.5e20);
    T1("%.10g", 1.0 / 3);
    T1("%.17g", 0.1);
    T1("%.3g", 99.95);
    T1("%.3g", 999.5);
    T1("%.3g", 0.0001);
    T1("%.3g", 100.0);
    T1("%10.4g|", 3.14159);
    T1("%-10g|", 2.5);
    T1("%+g", 2.5);
    T1("%010g", -1.5);
    T1("%g", inf);
    T1("%G", nan_);
    T1("%g", 0.00001);
    T1("%g", 123456.0);
    T1("%g", 1234567.0);
    T1("%g", 999999.5);
    T1("%.40g", 0.1);
    T1("%#.40g", 0.5);
    T1("%.800g", 5e-324);

    /* Several conversions, registers then the stack */
    T4("%d %s %c %f|", 1, "two", '3', 4.0);
    T3("%f %d %f", 1.5, 7, 2.5);
    T3("%d %f %d", 1, 2.5, 3);
    T4("%s %s %s %s", "a", "b", "c", "d");
}

/* C99's formats, which newlib prints only when built with
 * --enable-newlib-io-c99-formats (Debian's and the Ndless SDK's are not):
 * glibc's answer, which newlib's source gives too for these cases. */
static void __attribute__((unused)) c99_cases(void)
{
    double zero = 0.0, inf = INFINITY, nan_ = NAN;

    T1("%hhd", 300);
    T1("%hhd", 200);
    T1("%hhu", -1);
    T1("%hhx", 0x1ff);
    T1("%+hhi", 0x17f);
    T2("%hhd%hhd", 0x17f, 0x180);
    T1("%jd", -9LL);
    T1("%ju", 1LL << 40);
    T1("%jx", 0xfedcba9876543210ULL);
    T1("%zd", (size_t)-3);
    T1("%zu", (size_t)77);
    T1("%zx", (size_t)0xabc);
    T1("%td", (ptrdiff_t)-4);
    T3("%d %jd %d", 1, 2LL, 3);
    T1("%'d", 1234567);
    T1("%C", 'B');
    T1("%lc", 'A');
    T1("%F", 1.5);
    T1("%F", inf);
    T1("%F", -nan_);
    T1("%010F|", -inf);

    /* a A: newlib's differ from glibc's for subnormals only (newlib
       normalises them: 0x1p-1074, not 0x0.0000000000001p-1022) */
    T1("%a", 1.0);
    T1("%a", 0.5);
    T1("%a", 3.0);
    T1("%a", -1.5);
    T1("%a", 0.0);
    T1("%a", -zero);
    T1("%a", 0.1);
    T1("%a", DBL_MAX);
    T1("%a", DBL_MIN);
    T1("%a", inf);
    T1("%a", nan_);
    T1("%A", 255.5);
    T1("%A", -inf);
    T1("%.0a", 1.5);
    T1("%.0a", 1.0);
    T1("%.0a", 1.75);
    T1("%.0a", 2.5);
    T1("%.1a", 1.96875);
    T1("%.1a", 1.03125);
    T1("%.1a", 1.09375);
    T1("%.2a", 0.1);
    T1("%.3a", 1.0);
    T1("%.20a", 1.0);
    T1("%.13a", DBL_MAX);
    T1("%.12a", DBL_MAX);
    T1("%#a", 1.0);
    T1("%#.0a", 1.0);
    T1("%10a|", 1.0);
    T1("%-10a|", 1.0);
    T1("%010a", 1.0);
    T1("%010a", -1.0);
    T1("%+a", 1.0);
    T1("% a", 1.0);
    T1("%a", 1e300);
    T1("%a", 1e-300);
    T2("%a %d", 2.0, 3);
}

int main(void)
{
    printf("// Generated by tools/printf-oracle/oracle.c (see there): ");
#ifdef _NEWLIB_VERSION
    printf("newlib %s's snprintf.\n", _NEWLIB_VERSION);
    printf("#[rustfmt::skip]\npub const NEWLIB: &[Case] = &[\n");
    newlib_cases();
#else
    printf("the host C library's snprintf, for C99's formats.\n");
    printf("#[rustfmt::skip]\npub const C99: &[Case] = &[\n");
    c99_cases();
#endif
    printf("];\n");
    return 0;
}
