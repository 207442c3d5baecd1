/*
 * dsp.c - the ARMv5TE DSP instructions (ARM ARM A4: QADD, QSUB, QDADD,
 * QDSUB, SMLA<x><y>, SMLAW<y>, SMLAL<x><y>, SMUL<x><y>, SMULW<y>; A2.5.4
 * "The Q flag"): saturation, the sticky Q flag, NZCV left alone, checked
 * on spot values worked out by hand and on every pair of edge values
 * against a model in C (64-bit arithmetic).  Also PLD, a hint with no
 * architectural effect.
 */
#include "test.h"

#define NZCV 0xF0000000u

static int32_t sat32(int64_t v)
{
    if (v > INT32_MAX)
        return INT32_MAX;
    if (v < INT32_MIN)
        return INT32_MIN;
    return (int32_t)v;
}

static int sats(int64_t v)
{
    return v > INT32_MAX || v < INT32_MIN;
}

/* ------------------------------------------------------ instructions */

struct res {
    uint32_t lo, hi, psr;
};

#define Q2(op)                                                                    \
    static struct res do_##op(uint32_t a, uint32_t b, uint32_t psr_in)           \
    {                                                                             \
        struct res r = { 0, 0, 0 };                                               \
        __asm__ volatile("msr cpsr_f, %[pi]\n\t" #op " %[d], %[a], %[b]\n\t"      \
                         "mrs %[p], cpsr\n\t"                                     \
                         "msr cpsr_f, #0"                                         \
                         : [d] "=&r"(r.lo), [p] "=&r"(r.psr)                      \
                         : [a] "r"(a), [b] "r"(b), [pi] "r"(psr_in)               \
                         : "cc");                                                 \
        return r;                                                                 \
    }
Q2(qadd)
Q2(qsub)
Q2(qdadd)
Q2(qdsub)

#define MUL2(op)                                                                  \
    static struct res do_##op(uint32_t a, uint32_t b, uint32_t c, uint32_t psr_in) \
    {                                                                             \
        struct res r = { 0, 0, 0 };                                               \
        (void)c;                                                                  \
        __asm__ volatile("msr cpsr_f, %[pi]\n\t" #op " %[d], %[a], %[b]\n\t"      \
                         "mrs %[p], cpsr\n\t"                                     \
                         "msr cpsr_f, #0"                                         \
                         : [d] "=&r"(r.lo), [p] "=&r"(r.psr)                      \
                         : [a] "r"(a), [b] "r"(b), [pi] "r"(psr_in)               \
                         : "cc");                                                 \
        return r;                                                                 \
    }
#define MLA3(op)                                                                  \
    static struct res do_##op(uint32_t a, uint32_t b, uint32_t c, uint32_t psr_in) \
    {                                                                             \
        struct res r = { 0, 0, 0 };                                               \
        __asm__ volatile("msr cpsr_f, %[pi]\n\t" #op " %[d], %[a], %[b], %[c]\n\t" \
                         "mrs %[p], cpsr\n\t"                                     \
                         "msr cpsr_f, #0"                                         \
                         : [d] "=&r"(r.lo), [p] "=&r"(r.psr)                      \
                         : [a] "r"(a), [b] "r"(b), [c] "r"(c), [pi] "r"(psr_in)   \
                         : "cc");                                                 \
        return r;                                                                 \
    }
#define MLAL(op)                                                                  \
    static struct res do_##op(uint32_t a, uint32_t b, uint32_t c, uint32_t psr_in) \
    {                                                                             \
        struct res r = { c, ~c, 0 };                                              \
        __asm__ volatile("msr cpsr_f, %[pi]\n\t" #op " %[lo], %[hi], %[a], %[b]\n\t" \
                         "mrs %[p], cpsr\n\t"                                     \
                         "msr cpsr_f, #0"                                         \
                         : [lo] "+&r"(r.lo), [hi] "+&r"(r.hi), [p] "=&r"(r.psr)   \
                         : [a] "r"(a), [b] "r"(b), [pi] "r"(psr_in)               \
                         : "cc");                                                 \
        return r;                                                                 \
    }
MUL2(smulbb)
MUL2(smulbt)
MUL2(smultb)
MUL2(smultt)
MUL2(smulwb)
MUL2(smulwt)
MLA3(smlabb)
MLA3(smlabt)
MLA3(smlatb)
MLA3(smlatt)
MLA3(smlawb)
MLA3(smlawt)
MLAL(smlalbb)
MLAL(smlalbt)
MLAL(smlaltb)
MLAL(smlaltt)

/* ------------------------------------------------------------- models */

static int32_t half(uint32_t v, int top)
{
    return (int16_t)(top ? v >> 16 : v);
}

/* Expected {lo, hi, q} for each instruction. */
static struct res m_q(int op, uint32_t a, uint32_t b)
{
    struct res r = { 0, 0, 0 };
    int64_t x = (int32_t)a, y = (int32_t)b, d, s;
    switch (op) {
    case 0: /* qadd: sat(a + b) */
        s = x + y;
        r.lo = (uint32_t)sat32(s);
        r.psr = sats(s);
        break;
    case 1: /* qsub: sat(a - b) */
        s = x - y;
        r.lo = (uint32_t)sat32(s);
        r.psr = sats(s);
        break;
    case 2: /* qdadd: sat(a + sat(2b)) */
        d = sat32(2 * y);
        s = x + d;
        r.lo = (uint32_t)sat32(s);
        r.psr = sats(2 * y) || sats(s);
        break;
    default: /* qdsub: sat(a - sat(2b)) */
        d = sat32(2 * y);
        s = x - d;
        r.lo = (uint32_t)sat32(s);
        r.psr = sats(2 * y) || sats(s);
        break;
    }
    return r;
}

/* op: 0-3 SMULxy, 4-5 SMULWy, 6-9 SMLAxy, 10-11 SMLAWy, 12-15 SMLALxy;
   x = bit 1 of the index within the group, y = bit 0. */
static struct res m_mul(int op, uint32_t a, uint32_t b, uint32_t c)
{
    struct res r = { 0, 0, 0 };
    int64_t p, s;
    if (op < 4) {
        r.lo = (uint32_t)(half(a, op >> 1) * half(b, op & 1));
    } else if (op < 6) {
        p = (int64_t)(int32_t)a * half(b, op & 1);
        r.lo = (uint32_t)(p >> 16);
    } else if (op < 10) {
        s = (int64_t)(half(a, (op - 6) >> 1) * half(b, (op - 6) & 1)) + (int32_t)c;
        r.lo = (uint32_t)s;
        r.psr = sats(s);
    } else if (op < 12) {
        p = (int64_t)(int32_t)a * half(b, op & 1);
        s = (int64_t)(int32_t)(uint32_t)(p >> 16) + (int32_t)c;
        r.lo = (uint32_t)s;
        r.psr = sats(s);
    } else {
        uint64_t acc = ((uint64_t)~c << 32) | c;
        acc += (uint64_t)(int64_t)(half(a, (op - 12) >> 1) * half(b, (op - 12) & 1));
        r.lo = (uint32_t)acc;
        r.hi = (uint32_t)(acc >> 32);
    }
    return r;
}

typedef struct res (*qfn)(uint32_t, uint32_t, uint32_t);
typedef struct res (*mfn)(uint32_t, uint32_t, uint32_t, uint32_t);

static const uint32_t edge[] = {
    0x00000000, 0x00000001, 0x00000002, 0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, 0x80000000,
    0x7FFFFFFE, 0x80000001, 0x40000000, 0xC0000000, 0x3FFFFFFF, 0xC0000001, 0x12345678,
    0xEDCBA988, 0x00007FFF, 0x00008000, 0x0000FFFF, 0x00010000, 0xFFFF8000, 0x7FFF8000,
    0x80007FFF, 0x8000FFFF, 0x7FFF7FFF,
};
#define NEDGE (sizeof edge / sizeof edge[0])
static const uint32_t accs[] = { 0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x40000000,
                                 0xC0000000, 0x3FFFFFFF, 0x7FFF0000 };
#define NACC (sizeof accs / sizeof accs[0])

/* The NZCV/Q value to run case i with: every NZCV pattern, Q set on odd
   rounds. */
static uint32_t psr_for(uint32_t i)
{
    return ((i & 15) << 28) | (((i >> 4) & 1) ? PSR_Q : 0);
}

static uint32_t mismatch_report(const char *name, uint32_t a, uint32_t b, uint32_t c,
                                struct res got, struct res want)
{
    t_printf("  mismatch %s(0x%x, 0x%x, 0x%x): got 0x%x:0x%x psr 0x%x, want 0x%x:0x%x psr 0x%x\n",
             name, a, b, c, got.hi, got.lo, got.psr, want.hi, want.lo, want.psr);
    return 1;
}

static void sweep_q(const char *name, int op, struct res (*fn)(uint32_t, uint32_t, uint32_t))
{
    uint32_t bad = 0, n = 0;
    for (uint32_t i = 0; i < NEDGE; i++)
        for (uint32_t j = 0; j < NEDGE; j++, n++) {
            uint32_t pin = psr_for(n);
            struct res got = fn(edge[i], edge[j], pin);
            struct res want = m_q(op, edge[i], edge[j]);
            want.psr = (pin & NZCV) | ((want.psr || (pin & PSR_Q)) ? PSR_Q : 0);
            got.psr &= NZCV | PSR_Q;
            if (got.lo != want.lo || got.psr != want.psr)
                if (bad++ < 4)
                    mismatch_report(name, edge[i], edge[j], 0, got, want);
        }
    t_eq(bad, 0, "%s: %u edge-value pairs, result, Q and NZCV against the model", name, n);
}

static void sweep_mul(const char *name, int op, mfn fn, int accumulate)
{
    uint32_t bad = 0, n = 0;
    for (uint32_t i = 0; i < NEDGE; i++)
        for (uint32_t j = 0; j < NEDGE; j++)
            for (uint32_t k = 0; k < (accumulate ? NACC : 1); k++, n++) {
                uint32_t c = accs[k];
                uint32_t pin = psr_for(n);
                struct res got = fn(edge[i], edge[j], c, pin);
                struct res want = m_mul(op, edge[i], edge[j], c);
                want.psr = (pin & NZCV) | ((want.psr || (pin & PSR_Q)) ? PSR_Q : 0);
                got.psr &= NZCV | PSR_Q;
                if (op < 12)
                    got.hi = want.hi = 0;
                if (got.lo != want.lo || got.hi != want.hi || got.psr != want.psr)
                    if (bad++ < 4)
                        mismatch_report(name, edge[i], edge[j], c, got, want);
            }
    t_eq(bad, 0, "%s: %u edge-value cases, result, Q and NZCV against the model", name, n);
}

/* ---------------------------------------------------------- spot checks */

static void spot_q(const char *what, struct res r, uint32_t want, int q)
{
    t_eq(r.lo, want, "%s", what);
    t_eq(r.psr & PSR_Q, q ? PSR_Q : 0, "%s: Q %s", what, q ? "set" : "clear");
}

static void spots(void)
{
    t_section("saturating arithmetic, values worked out by hand");
    spot_q("qadd(0x7ffffff0, 0x100)", do_qadd(0x7ffffff0, 0x100, 0), 0x7fffffff, 1);
    spot_q("qadd(0x80000000, -1)", do_qadd(0x80000000, 0xffffffff, 0), 0x80000000, 1);
    spot_q("qadd(100, -300)", do_qadd(100, (uint32_t)-300, 0), (uint32_t)-200, 0);
    spot_q("qadd(0x7fffffff, 0)", do_qadd(0x7fffffff, 0, 0), 0x7fffffff, 0);
    spot_q("qsub(0x80000000, 1)", do_qsub(0x80000000, 1, 0), 0x80000000, 1);
    spot_q("qsub(0, 0x80000000)", do_qsub(0, 0x80000000, 0), 0x7fffffff, 1);
    spot_q("qsub(-1, 0x7fffffff)", do_qsub(0xffffffff, 0x7fffffff, 0), 0x80000000, 0);
    spot_q("qdadd(-1, 0x40000000): 2*Rn saturates", do_qdadd(0xffffffff, 0x40000000, 0),
           0x7ffffffe, 1);
    spot_q("qdadd(1, 0xc0000000): 2*Rn = 0x80000000 exactly", do_qdadd(1, 0xc0000000, 0),
           0x80000001, 0);
    spot_q("qdadd(0x40000000, 0x20000000): the sum saturates", do_qdadd(0x40000000, 0x20000000, 0),
           0x7fffffff, 1);
    spot_q("qdsub(0, 0xc0000000): 0 - 0x80000000 saturates", do_qdsub(0, 0xc0000000, 0),
           0x7fffffff, 1);
    spot_q("qdsub(5, 3)", do_qdsub(5, 3, 0), (uint32_t)-1, 0);

    t_section("DSP multiplies, values worked out by hand");
    t_eq(do_smulbb(0xfffd0007, 0x0005fffd, 0, 0).lo, (uint32_t)-21, "smulbb: 7 * -3");
    t_eq(do_smultt(0xfffd0007, 0x0005fffd, 0, 0).lo, (uint32_t)-15, "smultt: -3 * 5");
    t_eq(do_smulbt(0x80008000, 0x80000000, 0, 0).lo, 0x40000000, "smulbt: -32768 * -32768");
    spot_q("smlabb(0x8000, 0x8000, 0x40000000): overflow", do_smlabb(0x8000, 0x8000, 0x40000000, 0),
           0x80000000, 1);
    spot_q("smlatb(0x00020000, 3, 10)", do_smlatb(0x00020000, 3, 10, 0), 16, 0);
    t_eq(do_smulwb(0x12345678, 0x00000100, 0, 0).lo, 0x00123456, "smulwb: (0x12345678 * 0x100) >> 16");
    t_eq(do_smulwt(0xffffffff, 0x00010000, 0, 0).lo, 0xffffffff, "smulwt: (-1 * 1) >> 16 = -1");
    spot_q("smlawb(0x7fffffff, 0x7fff, 0x7fffffff): overflow",
           do_smlawb(0x7fffffff, 0x7fff, 0x7fffffff, 0), 0xbfff7ffe, 1);
    struct res l = do_smlalbb(0xffff, 0x0001, 0, 0); /* acc = 0xffffffff:00000000 */
    t_eq(l.lo, 0xffffffff, "smlalbb(-1 * 1) + 0xffffffff00000000: low");
    t_eq(l.hi, 0xfffffffe, "smlalbb(-1 * 1) + 0xffffffff00000000: high (borrow)");
    t_eq(l.psr & PSR_Q, 0, "smlalbb: never sets Q");
}

/* ------------------------------------------------------------- sticky Q */

static void sticky(void)
{
    uint32_t p1, p2, p3, p4, p5, p6, r;
    t_section("the Q flag is sticky");
    __asm__ volatile(
        "msr cpsr_f, #0\n\t"
        "qadd %[r], %[big], %[big]\n\t" /* saturates: Q set */
        "mrs %[p1], cpsr\n\t"
        "qadd %[r], %[one], %[one]\n\t" /* no saturation: Q stays */
        "mrs %[p2], cpsr\n\t"
        "adds %[r], %[big], %[big]\n\t" /* flag-setting ALU op: Q stays */
        "mrs %[p3], cpsr\n\t"
        "msr cpsr_c, #0xd3\n\t"         /* control field only: Q stays */
        "mrs %[p4], cpsr\n\t"
        "msr cpsr_f, #0xf0000000\n\t"   /* NZCV set, Q written as 0 */
        "mrs %[p5], cpsr\n\t"
        "msr cpsr_f, #0x08000000\n\t"   /* Q written as 1 by MSR */
        "mrs %[p6], cpsr\n\t"
        "msr cpsr_f, #0\n\t"
        : [r] "=&r"(r), [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3), [p4] "=&r"(p4),
          [p5] "=&r"(p5), [p6] "=&r"(p6)
        : [big] "r"(0x7fffffff), [one] "r"(1)
        : "cc");
    t_eq(p1 & (NZCV | PSR_Q), PSR_Q, "QADD saturating sets Q, NZCV untouched");
    t_eq(p2 & PSR_Q, PSR_Q, "QADD not saturating leaves Q set");
    t_eq(p3 & (NZCV | PSR_Q), PSR_N | PSR_V | PSR_Q, "ADDS overflow sets N V, leaves Q");
    t_eq(p4 & PSR_Q, PSR_Q, "MSR CPSR_c leaves Q");
    t_eq(p5 & (NZCV | PSR_Q), NZCV, "MSR CPSR_f with Q = 0 clears Q");
    t_eq(p6 & (NZCV | PSR_Q), PSR_Q, "MSR CPSR_f can set Q");
    (void)r;
}

static void pld(void)
{
    static uint32_t buf[4] = { 1, 2, 3, 4 };
    uint32_t *p = buf, *q = buf;
    t_section("PLD");
    __asm__ volatile("pld [%0]\n\tpld [%0, #4095]\n\tpld [%0, %1]\n\tpld [%0, -%1, lsl #2]"
                     : "+r"(p)
                     : "r"(64)
                     : "memory");
    t_ok(p == q && buf[0] == 1 && buf[3] == 4, "PLD changes no register and no memory");
}

int main(void)
{
    spots();
    sticky();
    t_section("sweeps against the C model (every NZCV pattern in, Q in set and clear)");
    sweep_q("qadd", 0, do_qadd);
    sweep_q("qsub", 1, do_qsub);
    sweep_q("qdadd", 2, do_qdadd);
    sweep_q("qdsub", 3, do_qdsub);
    sweep_mul("smulbb", 0, do_smulbb, 0);
    sweep_mul("smulbt", 1, do_smulbt, 0);
    sweep_mul("smultb", 2, do_smultb, 0);
    sweep_mul("smultt", 3, do_smultt, 0);
    sweep_mul("smulwb", 4, do_smulwb, 0);
    sweep_mul("smulwt", 5, do_smulwt, 0);
    sweep_mul("smlabb", 6, do_smlabb, 1);
    sweep_mul("smlabt", 7, do_smlabt, 1);
    sweep_mul("smlatb", 8, do_smlatb, 1);
    sweep_mul("smlatt", 9, do_smlatt, 1);
    sweep_mul("smlawb", 10, do_smlawb, 1);
    sweep_mul("smlawt", 11, do_smlawt, 1);
    sweep_mul("smlalbb", 12, do_smlalbb, 1);
    sweep_mul("smlalbt", 13, do_smlalbt, 1);
    sweep_mul("smlaltb", 14, do_smlaltb, 1);
    sweep_mul("smlaltt", 15, do_smlaltt, 1);
    pld();
    return t_done("dsp");
}
