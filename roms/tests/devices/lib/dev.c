/*
 * dev.c - VIC set-up, reference clocks and tolerance checks for the device
 * ROMs (see dev.h).
 */
#include "dev.h"

volatile uint32_t unexpected_irqs, unexpected_status;

/* The default vector: an IRQ no vectored slot claims.  Masks what is
   pending so that the ROM can go on, and counts it. */
static void unexpected_irq(void)
{
    uint32_t status = rd(VIC_IRQSTATUS);
    unexpected_irqs++;
    unexpected_status |= status;
    wr(VIC_INTENCLEAR, status);
}

static void unexpected_fiq(void)
{
    uint32_t status = rd(VIC_FIQSTATUS);
    unexpected_irqs++;
    unexpected_status |= status;
    wr(VIC_INTENCLEAR, status);
}

void vic_setup(void)
{
    wr(VIC_INTENCLEAR, 0xFFFFFFFF);
    wr(VIC_INTSELECT, 0);
    wr(VIC_SOFTINTCLR, 0xFFFFFFFF);
    for (int i = 0; i < 16; i++) {
        wr(VIC_VECTCNTLN(i), 0);
        wr(VIC_VECTADDRN(i), 0);
    }
    /* End any service left in progress (Linux's vic_clear_interrupts). */
    for (int i = 0; i < 17; i++)
        wr(VIC_VECTADDR, 0);
    wr(VIC_DEFVECT, (uint32_t)unexpected_irq);
    fiq_handler = unexpected_fiq;
    set_hook(VEC_IRQ, irq_entry);
    set_hook(VEC_FIQ, fiq_entry);
}

void vic_vector(int slot, int line, handler_fn fn)
{
    wr(VIC_VECTADDRN(slot), (uint32_t)fn);
    wr(VIC_VECTCNTLN(slot), VECTCNTL_E | (uint32_t)line);
}

void vic_enable(int line)
{
    wr(VIC_INTENABLE, 1u << line);
}

void vic_disable(int line)
{
    wr(VIC_INTENCLEAR, 1u << line);
}

void vic_check_unexpected(void)
{
    t_eq(unexpected_irqs, 0, "interrupts nothing claimed (lines 0x%x)", unexpected_status);
}

void ref_start(void)
{
    wr(T_CONTROL(TIMER1, 1), 0);
    wr(T_LOAD(TIMER1, 1), 0xFFFFFFFF);
    wr(T_CONTROL(TIMER1, 1), TC_ENABLE | TC_32BIT);
    wr(T_CONTROL(FAST_TIMER, 1), 0);
    wr(T_LOAD(FAST_TIMER, 1), 0xFFFFFFFF);
    wr(T_CONTROL(FAST_TIMER, 1), TC_ENABLE | TC_32BIT);
}

void wait_slow(uint32_t ticks)
{
    uint32_t start = slow_now();
    while (slow_now() - start < ticks) {
    }
}

static volatile uint32_t sleep_done;

static void sleep_isr(void)
{
    wr(T_INTCLR(TIMER2, 0), 1);
    sleep_done = 1;
}

uint32_t sleep_slow(uint32_t ticks)
{
    uint32_t wakes = 0;
    irq_disable();
    wr(T_CONTROL(TIMER2, 0), TC_32BIT);
    wr(T_INTCLR(TIMER2, 0), 1);
    vic_vector(15, IRQ_TIMER2, sleep_isr);
    vic_enable(IRQ_TIMER2);
    sleep_done = 0;
    wr(T_LOAD(TIMER2, 0), ticks);
    wr(T_CONTROL(TIMER2, 0), TC_ENABLE | TC_32BIT | TC_ONESHOT | TC_IE);
    irq_enable();
    while (!sleep_done) {
        wfi();
        wakes++;
    }
    irq_disable();
    wr(T_CONTROL(TIMER2, 0), TC_32BIT);
    vic_disable(IRQ_TIMER2);
    return wakes;
}

int t_dec(uint32_t got, uint32_t want, const char *fmt, ...)
{
    char name[200];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (got == want)
        return t_ok(1, "%s = %u", name, got);
    return t_ok(0, "%s: got %u, want %u", name, got, want);
}

int t_near(uint32_t got, uint32_t want, uint32_t tol, const char *fmt, ...)
{
    char name[200];
    va_list ap;
    va_start(ap, fmt);
    t_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    uint32_t diff = got > want ? got - want : want - got;
    return t_ok(diff <= tol, "%s = %u (want %u +- %u)", name, got, want, tol);
}

void t_ids(uint32_t base, const char *name, const uint8_t want[8])
{
    uint32_t got[8];
    int same = 1;
    for (int i = 0; i < 8; i++) {
        got[i] = rd(base + 0xFE0 + 4 * i);
        if (got[i] != want[i])
            same = 0;
    }
    uint32_t periph = got[0] | got[1] << 8 | got[2] << 16 | got[3] << 24;
    uint32_t cell = got[4] | got[5] << 8 | got[6] << 16 | got[7] << 24;
    if (!t_ok(same, "%s PrimeCell IDs: periph 0x%x cell 0x%x", name, periph, cell))
        t_printf("       want %x %x %x %x %x %x %x %x\n", want[0], want[1], want[2], want[3],
                 want[4], want[5], want[6], want[7]);
}

void t_periph_id(uint32_t base, const char *name, uint32_t want)
{
    uint32_t periph = 0;
    for (int i = 0; i < 4; i++)
        periph |= (rd(base + 0xFE0 + 4 * i) & 0xFF) << (8 * i);
    t_eq(periph, want, "%s peripheral ID (0xFE0-0xFEC)", name);
}

uint32_t muldiv(uint32_t a, uint32_t b, uint32_t c)
{
    return (uint32_t)(((uint64_t)a * b + c / 2) / c);
}
