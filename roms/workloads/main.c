/*
 * main.c - CoreMark-style workloads for the emulator (and QEMU), our own code.
 *
 * Five kernels of the kinds of work CoreMark measures, each in its own file:
 *   list    a linked list: build, search, reverse, merge sort (list.c)
 *   matrix  matrix multiply, int16 and int32 (matrix.c)
 *   state   a state machine scanning a string of numbers (state.c)
 *   crc     CRC-16, bitwise and table driven (crc.c)
 *   calls   a bytecode interpreter: a switch table, function pointers,
 *           calls and returns, byte and halfword loads (calls.c)
 * Every kernel checks each iteration's results against values computed
 * independently (workloads.h) and folds them into a checksum, so QEMU and the
 * emulator can be compared by their last lines.  Nothing is timed: what a
 * benchmark compares is the instruction count and the CPU time around the run.
 *
 * Usage (semihosting command line, argv[0] is the program name):
 *   workloads [--mmu] [KERNEL] [ITERATIONS]
 * KERNEL is list, matrix, state, crc, calls or all (the default);
 * ITERATIONS defaults to DEFAULT_ITERATIONS.  With --mmu the MMU is turned on
 * first, every section mapped flat (common/flatmmu.c).
 *
 * Output, on stdout:
 *   workloads: KERNEL, N iterations
 *     NAME     0x........          (one line per kernel run)
 *   workloads: checksum 0x........
 * Exit status 0; 1 if a check failed; 2 for a bad command line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatmmu.h"
#include "workloads.h"

/* About 100 million instructions per kernel (ARM). */
#define DEFAULT_ITERATIONS 100

static const struct {
    const char *name;
    uint32_t (*run)(uint32_t iter);
} kernels[] = {
    { "list", kernel_list },
    { "matrix", kernel_matrix },
    { "state", kernel_state },
    { "crc", kernel_crc },
    { "calls", kernel_calls },
};
#define NUM_KERNELS (sizeof kernels / sizeof kernels[0])

static int failed;

uint32_t rng_next(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9E3779B1u;
    return (h << 13) | (h >> 19);
}

int check(int ok, const char *kernel, const char *what, uint32_t iter)
{
    if (!ok) {
        printf("workloads: %s: %s (iteration %lu)\n", kernel, what, (unsigned long)iter);
        failed = 1;
    }
    return ok;
}

static int usage(const char *why)
{
    printf("workloads: %s\n", why);
    printf("usage: workloads [--mmu] [list|matrix|state|crc|calls|all] [iterations]"
           "   (default all %d)\n", DEFAULT_ITERATIONS);
    return 2;
}

int main(int argc, char **argv)
{
    const char *which = "all";
    uint32_t iterations = DEFAULT_ITERATIONS;

    argc--;
    argv++;
    if (argc > 0 && strcmp(argv[0], "--mmu") == 0) {
        flat_mmu_on();
        printf("workloads: MMU on, flat section mapping\n");
        argc--;
        argv++;
    }
    if (argc > 0 && (argv[0][0] < '0' || argv[0][0] > '9')) {
        which = argv[0];
        argc--;
        argv++;
    }
    if (argc > 0) {
        char *end;
        unsigned long v = strtoul(argv[0], &end, 0);
        if (*end != '\0' || v == 0)
            return usage("bad iteration count");
        iterations = (uint32_t)v;
        argc--;
    }
    if (argc > 0)
        return usage("too many arguments");

    uint32_t selected = 0;
    for (uint32_t k = 0; k < NUM_KERNELS; k++)
        if (strcmp(which, "all") == 0 || strcmp(which, kernels[k].name) == 0)
            selected |= 1u << k;
    if (selected == 0)
        return usage("no such kernel");

    printf("workloads: %s, %lu iterations\n", which, (unsigned long)iterations);
    uint32_t total = 0;
    for (uint32_t k = 0; k < NUM_KERNELS; k++) {
        if (!(selected & (1u << k)))
            continue;
        uint32_t sum = 0;
        for (uint32_t it = 0; it < iterations; it++)
            sum = mix(sum, kernels[k].run(it));
        printf("  %-8s 0x%08lx\n", kernels[k].name, (unsigned long)sum);
        total = mix(total, sum);
    }
    printf("workloads: checksum 0x%08lx\n", (unsigned long)total);
    return failed;
}
