/*
 * newlib.c - an ordinary hosted C program (newlib, --specs=rdimon.specs)
 * that checks the C library on top of the CPU and semihosting: printf of
 * every conversion, flag, width, precision and length modifier;
 * malloc/calloc/realloc/free; setjmp/longjmp; file I/O through
 * semihosting (fopen/fwrite/fread/fseek/ftell/fprintf/fscanf/remove,
 * SYS_RENAME, and open/write/lseek/read/close/unlink); qsort; and 64-bit
 * integer arithmetic (multiplication, division, remainder, shifts).
 *
 * Debian's newlib is built without the C99 printf extensions, so %hh, %j,
 * %z, %t, %a and %F are not checked (they print literally).
 *
 * Files are created in the semihosting host's current directory (QEMU)
 * or --semihosting-root (emu) and removed again.  Exit status 0 when
 * every check passed, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int checks, failures;

static void ok(int cond, const char *what)
{
    checks++;
    if (cond) {
        printf("  ok   %s\n", what);
    } else {
        failures++;
        printf("  FAIL %s\n", what);
    }
}

/* snprintf(fmt, ...) must give `want`. */
#define FMT(want, ...)                                                             \
    do {                                                                           \
        char got_[128];                                                            \
        snprintf(got_, sizeof got_, __VA_ARGS__);                                  \
        checks++;                                                                  \
        if (strcmp(got_, want) == 0) {                                             \
            printf("  ok   printf(%s) = \"%s\"\n", #__VA_ARGS__, got_);            \
        } else {                                                                   \
            failures++;                                                            \
            printf("  FAIL printf(%s): got \"%s\", want \"%s\"\n", #__VA_ARGS__,   \
                   got_, want);                                                    \
        }                                                                          \
    } while (0)

#define EQ64(got, want, what)                                                      \
    do {                                                                           \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                      \
        checks++;                                                                  \
        if (g_ == w_) {                                                            \
            printf("  ok   %s = 0x%016" PRIx64 "\n", what, g_);                    \
        } else {                                                                   \
            failures++;                                                            \
            printf("  FAIL %s: got 0x%016" PRIx64 ", want 0x%016" PRIx64 "\n",     \
                   what, g_, w_);                                                  \
        }                                                                          \
    } while (0)

/* ---------------------------------------------------------------- printf */

static void test_printf(void)
{
    printf("== printf: integers\n");
    FMT("42 -42 -2147483648", "%d %d %d", 42, -42, INT_MIN);
    FMT("17", "%i", 17);
    FMT("3000000000", "%u", 3000000000u);
    FMT("10 010", "%o %#o", 8, 8);
    FMT("ff 0xff FF 0XFF", "%x %#x %X %#X", 255, 255, 255, 255);
    FMT("0 0", "%#x %#o", 0, 0);
    FMT("A", "%c", 'A');
    FMT("%", "%%");

    printf("== printf: flags, width, precision\n");
    FMT("[   42] [42   ] [00042]", "[%5d] [%-5d] [%05d]", 42, 42, 42);
    FMT("+5 -5  5", "%+d %+d % d", 5, -5, 5);
    FMT("00042 [     042] [042     ]", "%.5d [%8.3d] [%-8.3d]", 42, 42, 42);
    FMT("[    42] [42    ]", "[%*d] [%-*d]", 6, 42, 6, 42);
    FMT("[] [1]", "[%.0d] [%.0d]", 0, 1);
    FMT("[-0042]", "[%05d]", -42);
    FMT("[  0x2a]", "[%#6x]", 42);
    FMT("[0x002a]", "[%#06x]", 42);

    printf("== printf: strings and characters\n");
    FMT("[arm926]", "[%s]", "arm926");
    FMT("[    arm926] [arm926    ]", "[%10s] [%-10s]", "arm926", "arm926");
    FMT("[arm] [ar]", "[%.3s] [%.*s]", "arm926", 2, "arm926");
    FMT("[  x] [x  ]", "[%3c] [%-3c]", 'x', 'x');

    printf("== printf: length modifiers\n");
    FMT("4464 65535", "%hd %hu", 70000, -1);
    FMT("-123456789 4000000000", "%ld %lu", -123456789L, 4000000000UL);
    FMT("-1234567890123 18446744073709551615", "%lld %llu", -1234567890123LL,
        18446744073709551615ULL);
    FMT("123456789abcdef 0123456789ABCDEF", "%llx %016llX", 0x123456789abcdefULL,
        0x123456789abcdefULL);
    FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    FMT("0x1234", "%p", (void *)0x1234);

    printf("== printf: floating point\n");
    FMT("3.141593 3.142 3", "%f %.3f %.0f", 3.14159265, 3.14159265, 3.14159265);
    FMT("1.234568e+04 1.234568E+04", "%e %E", 12345.678, 12345.678);
    FMT("0.0001234 1.23457e+08 1E-10", "%g %g %G", 0.0001234, 123456789.0, 1e-10);
    FMT("[   -3.5000] [-3.5000   ] [+2.50]", "[%10.4f] [%-10.4f] [%+.2f]", -3.5, -3.5, 2.5);
    FMT("[000012.50]", "[%09.2f]", 12.5);
    FMT("0 2 2", "%.0f %.0f %.0f", 0.5, 1.5, 2.5);
    FMT("1. 1.000000e+00 1.00000", "%#.0f %#e %#g", 1.0, 1.0, 1.0);
    FMT("inf -inf nan INF NAN", "%f %f %f %E %G", (double)INFINITY, -(double)INFINITY, (double)NAN,
        (double)INFINITY, (double)NAN);
    FMT("1e+300 2.22507e-308", "%g %g", 1e300, 2.2250738585072014e-308);
    /* The double nearest 123456789012345678 is 123456789012345680. */
    FMT("123456789012345680", "%.0f", 123456789012345678.0);
    FMT("0.1000000000000000055511151231257827", "%.34f", 0.1);

    printf("== printf: %%n and the return value\n");
    int n1 = -1, n2 = -1;
    char buf[64];
    int ret = snprintf(buf, sizeof buf, "abc%ndefgh%n", &n1, &n2);
    ok(n1 == 3 && n2 == 8 && ret == 8, "%n stores the count so far; snprintf returns the length");
    volatile size_t four = 4;
    ret = snprintf(buf, four, "%s", "truncated");
    ok(ret == 9 && strcmp(buf, "tru") == 0, "snprintf truncates and returns the full length");

    printf("== scanf and strtol family\n");
    int a = 0;
    unsigned b = 0;
    long long c = 0;
    char word[16] = "";
    double d = 0;
    int fields = sscanf("-17 0x1f 123456789012 word 2.5", "%d %x %lld %15s %lf", &a, &b, &c, word, &d);
    ok(fields == 5 && a == -17 && b == 31 && c == 123456789012LL && strcmp(word, "word") == 0 &&
           d == 2.5,
       "sscanf %d %x %lld %s %lf");
    char *end;
    ok(strtol("-0x7fffffff", &end, 16) == -0x7fffffff && *end == '\0', "strtol base 16");
    ok(strtoul("777", NULL, 8) == 511, "strtoul base 8");
    ok(strtoll("-9223372036854775808", NULL, 10) == INT64_MIN, "strtoll INT64_MIN");
    errno = 0;
    ok(strtol("99999999999", NULL, 10) == LONG_MAX && errno == ERANGE, "strtol overflow: ERANGE");
}

/* ---------------------------------------------------------------- malloc */

static void test_malloc(void)
{
    printf("== malloc, calloc, realloc, free\n");
    enum { N = 200 };
    static unsigned char *blocks[N];
    static size_t sizes[N];
    int aligned = 1, filled = 1, intact = 1;
    for (int i = 0; i < N; i++) {
        sizes[i] = (size_t)(i * 37 % 1000) + 1;
        blocks[i] = malloc(sizes[i]);
        if (!blocks[i]) {
            filled = 0;
            continue;
        }
        aligned &= ((uintptr_t)blocks[i] & 7) == 0;
        memset(blocks[i], i & 0xFF, sizes[i]);
    }
    ok(filled, "200 blocks of 1..1000 bytes allocated");
    ok(aligned, "every block 8-byte aligned");
    for (int i = 0; i < N; i += 2) {
        free(blocks[i]);
        blocks[i] = NULL;
    }
    for (int i = 0; i < N; i += 2) {
        sizes[i] = (size_t)(i * 53 % 700) + 1;
        blocks[i] = malloc(sizes[i]);
        if (blocks[i])
            memset(blocks[i], (i + 1) & 0xFF, sizes[i]);
    }
    for (int i = 0; i < N; i++) {
        if (!blocks[i]) {
            intact = 0;
            continue;
        }
        unsigned char want = (unsigned char)((i % 2 == 0) ? i + 1 : i);
        for (size_t j = 0; j < sizes[i]; j++)
            if (blocks[i][j] != want)
                intact = 0;
    }
    ok(intact, "after freeing half and reallocating, every block holds its own bytes");
    for (int i = 0; i < N; i++)
        free(blocks[i]);

    unsigned *z = calloc(1000, sizeof *z);
    int zero = z != NULL;
    for (int i = 0; z && i < 1000; i++)
        zero &= z[i] == 0;
    ok(zero, "calloc(1000, 4) is zeroed");
    free(z);

    char *r = malloc(16);
    strcpy(r, "realloc me");
    r = realloc(r, 100000);
    ok(r && strcmp(r, "realloc me") == 0, "realloc to 100000 bytes keeps the contents");
    memset(r + 16, 0x5A, 100000 - 16);
    r = realloc(r, 8);
    ok(r && memcmp(r, "realloc ", 8) == 0, "realloc down to 8 bytes keeps the first 8");
    free(r);

    void *big = malloc(4 << 20);
    ok(big != NULL, "malloc(4 MiB) succeeds");
    if (big)
        memset(big, 1, 4 << 20);
    free(big);
    errno = 0;
    void *huge = malloc((size_t)1 << 30);
    ok(huge == NULL && errno == ENOMEM, "malloc(1 GiB) fails with ENOMEM");
    free(huge);
}

/* ---------------------------------------------------------- setjmp/longjmp */

static jmp_buf env;
static int depth_reached;

static void dive(int depth)
{
    volatile char pad[64];
    pad[0] = (char)depth;
    depth_reached = depth + pad[0] - depth;
    if (depth >= 50)
        longjmp(env, depth);
    if (depth < 1000)
        dive(depth + 1);
}

static void jump_zero(void)
{
    longjmp(env, 0);
}

static void test_setjmp(void)
{
    printf("== setjmp and longjmp\n");
    volatile int stage = 0;
    int r = setjmp(env);
    if (r == 0) {
        stage = 1;
        longjmp(env, 7);
    }
    ok(r == 7 && stage == 1, "longjmp(env, 7): setjmp returns 7, volatile local kept");

    r = setjmp(env);
    if (r == 0)
        jump_zero();
    ok(r == 1, "longjmp(env, 0): setjmp returns 1");

    r = setjmp(env);
    if (r == 0)
        dive(0);
    ok(r == 50 && depth_reached == 50, "longjmp out of 50 nested calls");

    /* Callee-saved registers are restored: values live across the call. */
    volatile uint32_t x = 0x12345678;
    uint32_t y = x * 3, z = x ^ 0xFFFF;
    r = setjmp(env);
    if (r == 0) {
        y += 1;
        z += 1;
        longjmp(env, 2);
    }
    ok(x == 0x12345678, "a volatile local survives longjmp");
}

/* ---------------------------------------------------------------- files */

/* Semihosting SYS_RENAME (0x0F): {old, strlen(old), new, strlen(new)}. */
static int sys_rename(const char *from, const char *to)
{
    uint32_t block[4] = { (uint32_t)(uintptr_t)from, strlen(from), (uint32_t)(uintptr_t)to,
                          strlen(to) };
    register uint32_t r0 __asm__("r0") = 0x0F;
    register uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
    return (int)r0;
}

#define FILE1 "cpu-newlib-1.tmp"
#define FILE2 "cpu-newlib-2.tmp"
#define FILE3 "cpu-newlib-3.tmp"

static void test_files(void)
{
    printf("== file I/O through semihosting (stdio)\n");
    static unsigned char data[1000], back[1100];
    for (int i = 0; i < 1000; i++)
        data[i] = (unsigned char)(i * 7 + 3);

    FILE *f = fopen(FILE1, "wb");
    ok(f != NULL, "fopen(" FILE1 ", \"wb\")");
    if (!f)
        return;
    ok(fwrite(data, 1, 1000, f) == 1000, "fwrite 1000 bytes");
    ok(fclose(f) == 0, "fclose");

    f = fopen(FILE1, "rb");
    ok(f != NULL, "fopen(\"rb\")");
    if (!f)
        return;
    ok(fseek(f, 0, SEEK_END) == 0 && ftell(f) == 1000, "fseek(SEEK_END), ftell = 1000");
    rewind(f);
    ok(fread(back, 1, 1100, f) == 1000 && memcmp(back, data, 1000) == 0,
       "fread returns the 1000 bytes written");
    ok(feof(f), "feof after reading past the end");
    ok(fseek(f, 500, SEEK_SET) == 0 && fgetc(f) == data[500], "fseek(500), fgetc");
    ok(fseek(f, -10, SEEK_CUR) == 0 && ftell(f) == 491 && fgetc(f) == data[491],
       "fseek(-10, SEEK_CUR)");
    fclose(f);

    f = fopen(FILE1, "ab");
    ok(f && fprintf(f, "appended %d\n", 42) == 12, "fopen(\"ab\"), fprintf 12 bytes");
    if (f)
        fclose(f);
    f = fopen(FILE1, "r");
    int v = 0;
    char word[16] = "";
    if (f) {
        fseek(f, 1000, SEEK_SET);
        ok(fscanf(f, "%15s %d", word, &v) == 2 && strcmp(word, "appended") == 0 && v == 42,
           "fscanf reads the appended text back");
        fseek(f, 0, SEEK_END);
        ok(ftell(f) == 1012, "file size 1012 after the append");
        fclose(f);
    }

    /* newlib's rename() is link() + unlink() here, and rdimon has no
       link(), so SYS_RENAME is called directly. */
    ok(sys_rename(FILE1, FILE2) == 0, "SYS_RENAME");
    ok(fopen(FILE1, "rb") == NULL, "the old name no longer opens");
    f = fopen(FILE2, "rb");
    ok(f && fread(back, 1, 1000, f) == 1000 && memcmp(back, data, 1000) == 0,
       "the new name has the contents");
    if (f)
        fclose(f);
    ok(remove(FILE2) == 0, "remove");
    ok(fopen(FILE2, "rb") == NULL, "a removed file no longer opens");
    ok(remove(FILE2) != 0, "removing it again fails");

    printf("== file I/O through semihosting (open, write, lseek, read, close)\n");
    int fd = open(FILE3, O_RDWR | O_CREAT | O_TRUNC, 0644);
    ok(fd >= 0, "open(O_RDWR | O_CREAT | O_TRUNC)");
    if (fd < 0)
        return;
    ok(write(fd, "0123456789", 10) == 10, "write 10 bytes");
    ok(lseek(fd, 2, SEEK_SET) == 2, "lseek(2, SEEK_SET)");
    char three[4] = "";
    ok(read(fd, three, 3) == 3 && memcmp(three, "234", 3) == 0, "read 3 bytes: \"234\"");
    ok(lseek(fd, 0, SEEK_END) == 10, "lseek(0, SEEK_END) = 10");
    ok(read(fd, three, 3) == 0, "read at the end returns 0");
    ok(close(fd) == 0, "close");
    ok(unlink(FILE3) == 0, "unlink");
    ok(open("no-such-dir/x", O_RDONLY) < 0, "open of a missing file fails");
}

/* ---------------------------------------------------------------- qsort */

struct rec {
    int key;
    char name[8];
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return strcmp(x->name, y->name);
}

static void test_qsort(void)
{
    printf("== qsort\n");
    enum { N = 5000 };
    static int v[N];
    uint32_t s = 12345, sum = 0, sum2 = 0;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        v[i] = (int)(s >> 8) - (1 << 22);
        sum += (uint32_t)v[i];
        sum2 ^= (uint32_t)v[i] * 2654435761u;
    }
    qsort(v, N, sizeof v[0], cmp_int);
    int sorted = 1;
    uint32_t after = 0, after2 = 0;
    for (int i = 0; i < N; i++) {
        if (i && v[i - 1] > v[i])
            sorted = 0;
        after += (uint32_t)v[i];
        after2 ^= (uint32_t)v[i] * 2654435761u;
    }
    ok(sorted, "5000 ints in order");
    ok(after == sum && after2 == sum2, "the same 5000 ints (sum and hash)");
    printf("  (smallest %d, largest %d)\n", v[0], v[N - 1]);

    const char *words[] = { "pear", "apple", "fig", "banana", "cherry", "apple", "date" };
    qsort(words, 7, sizeof words[0], cmp_str);
    char joined[64] = "";
    for (int i = 0; i < 7; i++) {
        strcat(joined, words[i]);
        strcat(joined, i < 6 ? " " : "");
    }
    ok(strcmp(joined, "apple apple banana cherry date fig pear") == 0, joined);

    struct rec recs[6] = { { 3, "c" }, { 1, "z" }, { 3, "a" }, { -2, "m" }, { 1, "b" }, { 0, "q" } };
    qsort(recs, 6, sizeof recs[0], cmp_rec);
    char out[64] = "";
    for (int i = 0; i < 6; i++) {
        char one[16];
        snprintf(one, sizeof one, "%d%s ", recs[i].key, recs[i].name);
        strcat(out, one);
    }
    ok(strcmp(out, "-2m 0q 1b 1z 3a 3c ") == 0, out);
    qsort(v, 0, sizeof v[0], cmp_int);
    ok(1, "qsort of 0 elements returns");
}

/* ------------------------------------------------------- 64-bit integers */

/* Opaque to the optimiser, so that the library helpers really run. */
static uint64_t u64(uint64_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static int64_t s64(int64_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static unsigned sh(unsigned v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static void test_int64(void)
{
    printf("== 64-bit multiplication\n");
    EQ64(u64(0xFFFFFFFFull) * u64(0xFFFFFFFFull), 0xFFFFFFFE00000001ull, "0xffffffff * 0xffffffff");
    EQ64(u64(0x123456789ABCDEFull) * u64(0x1000), 0x3456789ABCDEF000ull, "wraps modulo 2^64");
    EQ64(s64(-3) * s64(7000000000LL), (uint64_t)-21000000000LL, "-3 * 7000000000");
    EQ64(s64(INT64_MIN) * s64(-1), (uint64_t)INT64_MIN, "INT64_MIN * -1 (unsigned wrap)");

    printf("== 64-bit division and remainder\n");
    EQ64(u64(0xFFFFFFFFFFFFFFFFull) / u64(3), 0x5555555555555555ull, "UINT64_MAX / 3");
    EQ64(u64(0xFFFFFFFFFFFFFFFFull) % u64(10), 5, "UINT64_MAX % 10");
    EQ64(s64(1000000000000000000LL) / s64(7), 142857142857142857LL, "1e18 / 7");
    EQ64(s64(1000000000000000000LL) % s64(7), 1, "1e18 % 7");
    EQ64(s64(-1000000000000000000LL) / s64(7), -142857142857142857LL, "-1e18 / 7 (truncates)");
    EQ64(s64(-1000000000000000000LL) % s64(7), -1, "-1e18 % 7 (sign of the dividend)");
    EQ64(s64(1000000000000000000LL) / s64(-3), -333333333333333333LL, "1e18 / -3");
    EQ64(u64(0x8000000000000000ull) / u64(0x8000000000000000ull), 1, "2^63 / 2^63");
    EQ64(u64(0x123456789ABCDEF0ull) / u64(0x100000001ull), 0x12345678ull, "by a 33-bit divisor");
    EQ64(u64(12345) / u64(0x100000000ull), 0, "small / large = 0");
    EQ64(s64(INT64_MIN) / s64(2), (uint64_t)(INT64_MIN / 2), "INT64_MIN / 2");

    /* q * d + r == n and |r| < |d| over pseudo-random operands. */
    uint64_t x = 0x9E3779B97F4A7C15ull, mix = 0;
    int good = 1;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t n = x, d = (x >> (x & 63)) | 1;
        uint64_t q = u64(n) / u64(d), r = u64(n) % u64(d);
        if (q * d + r != n || r >= d)
            good = 0;
        int64_t sn = (int64_t)n, sd = (int64_t)d >> (i & 31);
        if (sd == 0)
            sd = 3;
        int64_t sq = s64(sn) / s64(sd), sr = s64(sn) % s64(sd);
        if (sq * sd + sr != sn || (sr != 0 && (sr < 0) != (sn < 0)))
            good = 0;
        mix = mix * 31 + q + r + (uint64_t)sq + (uint64_t)sr;
    }
    ok(good, "2000 unsigned and signed divisions: q * d + r = n, remainder in range");
    printf("  (checksum 0x%016" PRIx64 ")\n", mix);

    printf("== 64-bit shifts\n");
    uint64_t one = u64(1), pattern = u64(0x8123456789ABCDEFull);
    int shifts = 1;
    for (unsigned n = 0; n < 64; n++) {
        if ((one << sh(n)) != ((uint64_t)1 << n))
            shifts = 0;
        if (((one << sh(n)) >> sh(n)) != 1)
            shifts = 0;
    }
    ok(shifts, "1 << n and back for n = 0..63");
    EQ64(pattern << sh(4), 0x123456789ABCDEF0ull, "<< 4");
    EQ64(pattern << sh(32), 0x89ABCDEF00000000ull, "<< 32");
    EQ64(pattern << sh(36), 0x9ABCDEF000000000ull, "<< 36");
    EQ64(pattern >> sh(4), 0x08123456789ABCDEull, ">> 4 (logical)");
    EQ64(pattern >> sh(33), 0x000000004091A2B3ull, ">> 33 (logical)");
    EQ64((int64_t)pattern >> sh(4), 0xF8123456789ABCDEull, ">> 4 (arithmetic)");
    EQ64((int64_t)pattern >> sh(40), 0xFFFFFFFFFF812345ull, ">> 40 (arithmetic)");
    EQ64((int64_t)pattern >> sh(63), 0xFFFFFFFFFFFFFFFFull, ">> 63 (arithmetic)");
    EQ64(pattern >> sh(63), 1, ">> 63 (logical)");
    EQ64(pattern << sh(0), pattern, "<< 0");

    printf("== 64-bit comparisons and conversions\n");
    ok(s64(-1) < s64(0) && u64(-1ull) > u64(0), "signed and unsigned comparison");
    ok(s64(0x100000000LL) > s64(0xFFFFFFFFLL), "comparison decided by the high word");
    EQ64((uint64_t)(int64_t)(int32_t)sh(0x80000000u), 0xFFFFFFFF80000000ull, "sign extension");
    EQ64((uint64_t)(double)u64(1ull << 53), 1ull << 53, "to double and back (2^53)");
    EQ64((uint64_t)(int64_t)-1e15, (uint64_t)-1000000000000000LL, "double -1e15 to int64");
}

int main(int argc, char **argv)
{
    (void)argv;
    printf("newlib: a hosted C program on semihosting (argc >= 1: %s)\n", argc >= 1 ? "yes" : "no");
    test_printf();
    test_malloc();
    test_setjmp();
    test_files();
    test_qsort();
    test_int64();
    if (failures == 0)
        printf("newlib: all %d checks passed\n", checks);
    else
        printf("newlib: %d of %d checks FAILED\n", failures, checks);
    return failures == 0 ? 0 : 1;
}
