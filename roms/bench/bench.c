/*
 * bench.c - a CPU-bound integer benchmark for the emulator (and QEMU).
 *
 * Each iteration runs five small kernels of the kind real programs spend
 * their time in:
 *   1. CRC-32 (table driven) over a 16 KiB buffer,
 *   2. a sieve of Eratosthenes up to 32768,
 *   3. a quicksort of 2048 pseudo-random ints,
 *   4. a 24x24 integer matrix multiply,
 *   5. building short strings, hashing them (FNV-1a) and comparing them.
 * Every kernel's inputs depend on the iteration number and every result is
 * folded into a running checksum, so nothing can be skipped and two runs
 * (QEMU vs. the emulator, or two emulator versions) can be compared by
 * the final line alone.
 *
 * Usage (semihosting command line, argv[0] is the program name):
 *   bench [--mmu] [iterations]   default: DEFAULT_ITERATIONS
 * With --mmu the MMU is turned on first, with every 1 MiB section mapped flat
 * (common/flatmmu.c): the same work then runs through address translation.
 *
 * Output, on stdout through newlib/rdimon semihosting:
 *   bench: <N> iterations
 *   ...one line per kernel...
 *   bench: checksum 0x........
 * Exit status 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatmmu.h"

/*
 * 1500 iterations execute about 1.7 billion instructions (measured under
 * QEMU with -icount shift=0: ~1.15 million per iteration); that takes
 * about 1-2 s under qemu-system-arm TCG on a 2-core x86-64 build host.
 */
#define DEFAULT_ITERATIONS 1500

/* ------------------------------------------------------------------ */
/* A small deterministic PRNG (xorshift32).                            */
/* ------------------------------------------------------------------ */
static uint32_t rng_state;

static uint32_t rng_next(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* Mix a value into a checksum (a multiply-rotate hash). */
static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9E3779B1u;
    return (h << 13) | (h >> 19);
}

/* ------------------------------------------------------------------ */
/* 1. CRC-32 over a buffer.                                            */
/* ------------------------------------------------------------------ */
#define CRC_BUF_SIZE 16384
static uint32_t crc_table[256];
static uint8_t crc_buf[CRC_BUF_SIZE];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[i] = c;
    }
    for (uint32_t i = 0; i < CRC_BUF_SIZE; i++)
        crc_buf[i] = (uint8_t)rng_next();
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static uint32_t kernel_crc(uint32_t iter)
{
    /* Change a few bytes so every pass computes a different CRC. */
    crc_buf[iter % CRC_BUF_SIZE] ^= (uint8_t)iter;
    crc_buf[(iter * 7919u) % CRC_BUF_SIZE] += 1;
    return crc32(crc_buf, CRC_BUF_SIZE);
}

/* ------------------------------------------------------------------ */
/* 2. Sieve of Eratosthenes.                                           */
/* ------------------------------------------------------------------ */
#define SIEVE_LIMIT 32768
static uint8_t composite[SIEVE_LIMIT];

static uint32_t kernel_sieve(uint32_t iter)
{
    /* Vary the limit a little with the iteration. */
    uint32_t limit = SIEVE_LIMIT - (iter & 255);
    uint32_t count = 0, sum = 0;

    memset(composite, 0, limit);
    for (uint32_t i = 2; i < limit; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        for (uint32_t j = i * i; j < limit; j += i)
            composite[j] = 1;
    }
    return mix(count, sum);
}

/* ------------------------------------------------------------------ */
/* 3. Quicksort of pseudo-random ints.                                 */
/* ------------------------------------------------------------------ */
#define SORT_N 2048
static int32_t sort_buf[SORT_N];

static void quicksort(int32_t *a, int lo, int hi)
{
    while (lo < hi) {
        /* Median-of-three pivot, Hoare partition. */
        int mid = lo + (hi - lo) / 2;
        int32_t x = a[lo], y = a[mid], z = a[hi];
        int32_t pivot = (x < y) ? ((y < z) ? y : (x < z ? z : x))
                                : ((x < z) ? x : (y < z ? z : y));
        int i = lo - 1, j = hi + 1;
        for (;;) {
            do i++; while (a[i] < pivot);
            do j--; while (a[j] > pivot);
            if (i >= j)
                break;
            int32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        /* Recurse into the smaller half, loop on the larger one. */
        if (j - lo < hi - j) {
            quicksort(a, lo, j);
            lo = j + 1;
        } else {
            quicksort(a, j + 1, hi);
            hi = j;
        }
    }
}

static uint32_t kernel_sort(uint32_t iter)
{
    (void)iter;
    for (int i = 0; i < SORT_N; i++)
        sort_buf[i] = (int32_t)rng_next() >> 4;
    quicksort(sort_buf, 0, SORT_N - 1);

    uint32_t h = 0;
    for (int i = 0; i < SORT_N; i++) {
        if (i > 0 && sort_buf[i - 1] > sort_buf[i])
            h ^= 0xBAD50127u;              /* never happens if sorted */
        if ((i & 63) == 0)
            h = mix(h, (uint32_t)sort_buf[i]);
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* 4. Integer matrix multiply.                                         */
/* ------------------------------------------------------------------ */
#define MAT_N 24
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static uint32_t kernel_matrix(uint32_t iter)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            mat_a[i][j] = (int32_t)((i * 31 + j * 17 + iter) % 201) - 100;
            mat_b[i][j] = (int32_t)((i * 13 + j * 29 + iter * 3) % 199) - 99;
        }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++)
                s += mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = s;
        }
    uint32_t h = 0;
    for (int i = 0; i < MAT_N; i++)
        h = mix(h, (uint32_t)mat_c[i][(i * 5 + iter) % MAT_N]);
    return h;
}

/* ------------------------------------------------------------------ */
/* 5. Strings: build, hash, compare.                                   */
/* ------------------------------------------------------------------ */
#define NUM_WORDS 128
static char words[NUM_WORDS][24];

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 0x811C9DC5u;
    while (*s) {
        h ^= (uint8_t)*s++;
        h *= 0x01000193u;
    }
    return h;
}

/* Write v in decimal at p; returns the end.  (No printf in the hot loop.) */
static char *put_uint(char *p, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static uint32_t kernel_strings(uint32_t iter)
{
    static const char *const syll[8] = { "ka", "lo", "mi", "nu", "re", "sa", "ti", "vo" };
    uint32_t h = 0;

    /* Build words like "kamire-1234". */
    for (int w = 0; w < NUM_WORDS; w++) {
        char *p = words[w];
        uint32_t r = rng_next();
        int len = 2 + (int)(r & 3);
        for (int s = 0; s < len; s++) {
            const char *sy = syll[(r >> (2 + 3 * s)) & 7];
            *p++ = sy[0];
            *p++ = sy[1];
        }
        *p++ = '-';
        p = put_uint(p, (iter * 131u + (uint32_t)w) % 10000u);
        *p = '\0';
    }
    /* Hash every word, and count ordered neighbours with strcmp. */
    uint32_t ordered = 0;
    for (int w = 0; w < NUM_WORDS; w++) {
        h = mix(h, fnv1a(words[w]) + (uint32_t)strlen(words[w]));
        if (w > 0 && strcmp(words[w - 1], words[w]) < 0)
            ordered++;
    }
    return mix(h, ordered);
}

int main(int argc, char **argv)
{
    uint32_t iterations = DEFAULT_ITERATIONS;

    if (argc > 1 && strcmp(argv[1], "--mmu") == 0) {
        flat_mmu_on();
        printf("bench: MMU on, flat section mapping\n");
        argc--;
        argv++;
    }
    if (argc > 1) {
        char *end;
        unsigned long v = strtoul(argv[1], &end, 0);
        if (*argv[1] == '\0' || *end != '\0' || v == 0) {
            printf("bench: bad iteration count '%s'\n", argv[1]);
            printf("usage: bench [--mmu] [iterations]   (default %d)\n", DEFAULT_ITERATIONS);
            return 2;
        }
        iterations = (uint32_t)v;
    }

    printf("bench: %lu iterations\n", (unsigned long)iterations);

    rng_state = 2463534242u;
    crc_init();

    uint32_t sums[5] = { 0, 0, 0, 0, 0 };
    for (uint32_t it = 0; it < iterations; it++) {
        sums[0] = mix(sums[0], kernel_crc(it));
        sums[1] = mix(sums[1], kernel_sieve(it));
        sums[2] = mix(sums[2], kernel_sort(it));
        sums[3] = mix(sums[3], kernel_matrix(it));
        sums[4] = mix(sums[4], kernel_strings(it));
    }

    static const char *const names[5] = { "crc32", "sieve", "qsort", "matrix", "strings" };
    uint32_t total = 0;
    for (int k = 0; k < 5; k++) {
        printf("  %-8s 0x%08lx\n", names[k], (unsigned long)sums[k]);
        total = mix(total, sums[k]);
    }
    printf("bench: checksum 0x%08lx\n", (unsigned long)total);
    return 0;
}
