/*
 * workloads.h - what the kernels of the workloads program share.
 *
 * Each kernel does one iteration of its work for iteration number `iter`,
 * checks what it computed against a value found independently (a standard
 * test vector, a closed form, a second algorithm, or what the generator of its
 * input knows by construction), and returns a 32-bit summary of its results.
 * A failed check prints one line naming the kernel and what failed, and makes
 * the program exit with status 1.
 */
#ifndef WORKLOADS_H
#define WORKLOADS_H

#include <stdint.h>

/* xorshift32: a small deterministic PRNG, one state per kernel. */
uint32_t rng_next(uint32_t *state);

/* Mixes a value into a summary (a multiply-rotate hash). */
uint32_t mix(uint32_t h, uint32_t v);

/* Records a check: when `ok` is false, prints "workloads: KERNEL: WHAT
 * (iteration ITER)" and marks the run failed.  Returns `ok`. */
int check(int ok, const char *kernel, const char *what, uint32_t iter);

uint32_t kernel_list(uint32_t iter);
uint32_t kernel_matrix(uint32_t iter);
uint32_t kernel_state(uint32_t iter);
uint32_t kernel_crc(uint32_t iter);
uint32_t kernel_calls(uint32_t iter);

#endif
