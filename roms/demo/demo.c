/*
 * demo.c - the TI-Nspire CX emulator demo ROM.
 *
 * This is what the emulator runs when started with no arguments.  It is a
 * raw boot ROM (crt0.S puts the vectors at 0, sets up the stack and calls
 * main) and talks to the outside world only through ARM semihosting.
 * It prints a banner, identifies the CPU from CP15's main ID register,
 * runs a few small computations in ARM and in Thumb state (calling
 * between the two), and exits with status 0 when every result matches
 * the expected value (1 otherwise).
 */
#include <stdint.h>
#include "sh.h"

/* The Thumb half of the demo (thumb.c). */
uint32_t crc32_thumb(const char *s, uint32_t len);
uint32_t thumb_sum_map(uint32_t (*fn)(uint32_t), uint32_t n);

static int failures;               /* .bss: crt0 zeroes it */
static uint32_t data_magic = 0xC0DEF00Du; /* .data: crt0 copies it from ROM */

/* Print " ok" or " MISMATCH" and count the failures. */
static void check(int ok)
{
    sh_write0(ok ? "  ok\n" : "  MISMATCH\n");
    if (!ok)
        failures++;
}

static void put0x(uint32_t v, int digits)
{
    sh_write0("0x");
    sh_puthex(v, digits);
}

/* ---------------------------------------------------------------- CPU */

static uint32_t read_midr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(v));
    return v;
}

static uint32_t read_cpsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

static const char *arch_name(uint32_t arch)
{
    switch (arch) {
    case 0x1: return "ARMv4";
    case 0x2: return "ARMv4T";
    case 0x3: return "ARMv5";
    case 0x4: return "ARMv5T";
    case 0x5: return "ARMv5TE";
    case 0x6: return "ARMv5TEJ";
    case 0x7: return "ARMv6";
    case 0xF: return "see CPUID registers";
    default:  return "unknown";
    }
}

static const char *mode_name(uint32_t mode)
{
    switch (mode) {
    case 0x10: return "USR";
    case 0x11: return "FIQ";
    case 0x12: return "IRQ";
    case 0x13: return "SVC";
    case 0x17: return "ABT";
    case 0x1B: return "UND";
    case 0x1F: return "SYS";
    default:   return "???";
    }
}

static void show_cpu(void)
{
    uint32_t midr = read_midr();
    uint32_t implementer = midr >> 24;
    uint32_t variant = (midr >> 20) & 0xF;
    uint32_t arch = (midr >> 16) & 0xF;
    uint32_t part = (midr >> 4) & 0xFFF;
    uint32_t rev = midr & 0xF;

    sh_write0("CPU\n  MIDR         ");
    put0x(midr, 8);
    sh_write0("\n  implementer  ");
    put0x(implementer, 2);
    sh_write0(implementer == 0x41 ? " (ARM Ltd.)" : " (not ARM)");
    sh_write0("\n  architecture ");
    sh_puthex(arch, 1);
    sh_write0(" (");
    sh_write0(arch_name(arch));
    sh_write0(")\n  part         ");
    put0x(part, 3);
    sh_write0(part == 0x926 ? " (ARM926EJ-S)" : " (unknown part)");
    sh_write0("\n  revision     r");
    sh_putudec(variant);
    sh_writec('p');
    sh_putudec(rev);
    sh_write0(part == 0x926 && implementer == 0x41 ? "  =>  ARM926EJ-S r" : "  =>  unknown core r");
    sh_putudec(variant);
    sh_writec('p');
    sh_putudec(rev);

    uint32_t cpsr = read_cpsr();
    sh_write0("\n  mode         ");
    sh_write0(mode_name(cpsr & 0x1F));
    sh_write0((cpsr & 0x80) ? ", IRQ masked" : ", IRQ enabled");
    sh_write0((cpsr & 0x40) ? ", FIQ masked" : ", FIQ enabled");
    sh_write0((cpsr & 0x20) ? ", Thumb state\n\n" : ", ARM state\n\n");
}

/* ------------------------------------------------------------- ARM work */

/* An ARM function the Thumb code calls back through a pointer. */
static uint32_t square_arm(uint32_t x)
{
    return x * x;
}

#define SIEVE_LIMIT 10000
static uint8_t composite[SIEVE_LIMIT];  /* .bss: zeroed by crt0 */

/* Sieve of Eratosthenes; returns the number of primes below SIEVE_LIMIT. */
static uint32_t sieve(uint32_t *largest)
{
    uint32_t count = 0;
    for (uint32_t i = 2; i < SIEVE_LIMIT; i++) {
        if (composite[i])
            continue;
        count++;
        *largest = i;
        for (uint32_t j = i * i; j < SIEVE_LIMIT; j += i)
            composite[j] = 1;
    }
    return count;
}

/* A few ARMv5TE-only instructions: CLZ, QADD (saturating) and SMULBB. */
static void dsp_demo(void)
{
    uint32_t clz, qsum, cpsr;
    int32_t prod;
    int32_t a = 0x7FFFFFF0, b = 0x100;
    uint32_t lo_neg3 = 0x1234FFFDu;       /* bottom half = -3 */
    uint32_t lo_7 = 0xABCD0007u;          /* bottom half = 7 */

    __asm__ volatile("clz %0, %1" : "=r"(clz) : "r"(0x00010000u));
    /* Clear the sticky Q flag, saturate, then read it back. */
    __asm__ volatile("msr cpsr_f, #0\n\t"
                     "qadd %0, %2, %3\n\t"
                     "mrs %1, cpsr"
                     : "=&r"(qsum), "=&r"(cpsr)
                     : "r"(a), "r"(b)
                     : "cc");
    __asm__ volatile("smulbb %0, %1, %2" : "=r"(prod) : "r"(lo_neg3), "r"(lo_7));

    sh_write0("ARMv5TE: clz(0x00010000) = ");
    sh_putudec(clz);
    sh_write0(", qadd(0x7ffffff0, 0x100) = ");
    put0x(qsum, 8);
    sh_write0((cpsr & (1u << 27)) ? " (Q set)" : " (Q clear)");
    sh_write0(", smulbb(-3, 7) = ");
    sh_putdec(prod);
    check(clz == 15 && qsum == 0x7FFFFFFFu && (cpsr & (1u << 27)) && prod == -21);
}

/* ------------------------------------------------------------------ main */

int main(void)
{
    static const char fox[] = "The quick brown fox jumps over the lazy dog";

    sh_write0("\n"
              "  +------------------------------------------+\n"
              "  |        TI-Nspire CX emulator demo        |\n"
              "  |  a bare-metal ROM talking by semihosting |\n"
              "  +------------------------------------------+\n"
              "\n"
              "Hello! This program started at the reset vector, set up its\n"
              "stack and is now running C code from ROM.\n\n");

    show_cpu();

    /* Did crt0 do its job? */
    sh_write0("crt0:       .data = ");
    put0x(data_magic, 8);
    sh_write0(" (copied from ROM), .bss ");
    sh_write0(failures == 0 && composite[SIEVE_LIMIT - 1] == 0 ? "zeroed" : "NOT zeroed");
    check(data_magic == 0xC0DEF00Du && failures == 0 && composite[SIEVE_LIMIT - 1] == 0);
    data_magic++;   /* .data is in RAM: writable */

    /* Thumb code, called from ARM (the linker turns the BL into BLX). */
    uint32_t crc = crc32_thumb(fox, sizeof fox - 1);
    sh_write0("Thumb:      CRC32(\"");
    sh_write0(fox);
    sh_write0("\") = ");
    put0x(crc, 8);
    check(crc == 0x414FA339u);

    /* Thumb code calling ARM code back through a function pointer. */
    uint32_t sq = thumb_sum_map(square_arm, 100);
    sh_write0("Thumb->ARM: sum of squares 1..100 through a callback = ");
    sh_putudec(sq);
    check(sq == 338350u);

    /* Plain ARM code. */
    uint32_t largest = 0;
    uint32_t n = sieve(&largest);
    sh_write0("ARM:        primes below 10000: ");
    sh_putudec(n);
    sh_write0(", the largest is ");
    sh_putudec(largest);
    check(n == 1229 && largest == 9973);

    sh_write0("ARM:        the first ten:");
    for (uint32_t i = 2, shown = 0; shown < 10; i++) {
        if (!composite[i]) {
            sh_writec(' ');
            sh_putudec(i);
            shown++;
        }
    }
    sh_writec('\n');

    dsp_demo();

    if (failures == 0) {
        sh_write0("\nAll checks passed. Bye!\n");
        return 0;
    }
    sh_write0("\nSome checks FAILED.\n");
    return 1;
}
