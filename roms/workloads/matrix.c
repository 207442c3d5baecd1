/*
 * matrix.c - matrix multiplies, as CoreMark's matrix kernel: int16 matrices
 * into an int32 product, then int32 matrices (a product of a product).
 *
 * Arithmetic is modulo 2^32 (unsigned), where matrix products associate
 * exactly, so each product C = A B is checked by Freivalds' method: for two
 * vectors x, A (B x) must equal C x, which is computed without C's algorithm
 * (two matrix-vector products instead of a matrix product).
 */
#include <stdint.h>

#include "workloads.h"

#define N 32

static int16_t a16[N][N], b16[N][N];
static uint32_t c[N][N], a32[N][N], d[N][N];

/* y = m x, for an int16 matrix and for an int32 one. */
static void times16(uint32_t y[N], int16_t m[N][N], const uint32_t x[N])
{
    for (int i = 0; i < N; i++) {
        uint32_t s = 0;
        for (int k = 0; k < N; k++)
            s += (uint32_t)(int32_t)m[i][k] * x[k];
        y[i] = s;
    }
}

static void times32(uint32_t y[N], uint32_t m[N][N], const uint32_t x[N])
{
    for (int i = 0; i < N; i++) {
        uint32_t s = 0;
        for (int k = 0; k < N; k++)
            s += m[i][k] * x[k];
        y[i] = s;
    }
}

/* Whether two vectors are equal. */
static int same(const uint32_t ax[N], const uint32_t cx[N])
{
    for (int i = 0; i < N; i++)
        if (ax[i] != cx[i])
            return 0;
    return 1;
}

uint32_t kernel_matrix(uint32_t iter)
{
    uint32_t rng = 0xBB67AE85u ^ (iter * 0x9E3779B9u);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            uint32_t r = rng_next(&rng);
            a16[i][j] = (int16_t)r;
            b16[i][j] = (int16_t)(r >> 16);
        }

    /* C = A B, int16 operands, 32-bit sums. */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            uint32_t s = 0;
            for (int k = 0; k < N; k++)
                s += (uint32_t)((int32_t)a16[i][k] * (int32_t)b16[k][j]);
            c[i][j] = s;
        }
    /* A32 = C with a constant added, D = A32 C: 32-bit operands. */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            a32[i][j] = c[i][j] + (uint32_t)(i - j) * 0x01000193u;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            uint32_t s = 0;
            for (int k = 0; k < N; k++)
                s += a32[i][k] * c[k][j];
            d[i][j] = s;
        }

    uint32_t x[N], bx[N], abx[N], cx[N], dx[N];
    for (int v = 0; v < 2; v++) {
        for (int k = 0; k < N; k++)
            x[k] = rng_next(&rng);
        times16(bx, b16, x);
        times16(abx, a16, bx);
        times32(cx, c, x);
        check(same(abx, cx), "matrix", "the int16 product fails Freivalds' check", iter);
        times32(abx, a32, cx);
        times32(dx, d, x);
        check(same(abx, dx), "matrix", "the int32 product fails Freivalds' check", iter);
    }

    uint32_t h = 0;
    for (int i = 0; i < N; i++)
        h = mix(h, c[i][(i * 7 + iter) % N] ^ d[(i * 5 + iter) % N][i]);
    return h;
}
