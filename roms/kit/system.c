/*
 * system.c - start-up, interrupts, timers, exit and fatal errors (kit.h).
 */
#include "kit.h"

/* ------------------------------------------------------------ registers */
#define VIC_IRQSTATUS  (CX_VIC + 0x000)
#define VIC_INTSELECT  (CX_VIC + 0x00C)
#define VIC_INTENABLE  (CX_VIC + 0x010)
#define VIC_INTENCLEAR (CX_VIC + 0x014)
#define VIC_SOFTINTCLR (CX_VIC + 0x01C)
#define VIC_VECTADDR   (CX_VIC + 0x030)
#define VIC_VECTCNTL(n) (CX_VIC + 0x200 + 4 * (n))

/* SP804: timer t (0, 1) of block b. */
#define T_LOAD(b, t)    ((b) + 0x20 * (t) + 0x00)
#define T_VALUE(b, t)   ((b) + 0x20 * (t) + 0x04)
#define T_CONTROL(b, t) ((b) + 0x20 * (t) + 0x08)
#define T_INTCLR(b, t)  ((b) + 0x20 * (t) + 0x0C)
#define T_MIS(b, t)     ((b) + 0x20 * (t) + 0x14)
#define TC_ONESHOT  0x01u
#define TC_32BIT    0x02u
#define TC_IE       0x20u
#define TC_PERIODIC 0x40u
#define TC_ENABLE   0x80u

/* ------------------------------------------------------------------ CPU */
void irq_disable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\torr %0, %0, #0x80\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

void irq_enable(void)
{
    uint32_t t;
    __asm__ volatile("mrs %0, cpsr\n\tbic %0, %0, #0x80\n\tmsr cpsr_c, %0" : "=r"(t) : : "memory");
}

uint32_t irq_save(void)
{
    uint32_t old, t;
    __asm__ volatile("mrs %0, cpsr\n\torr %1, %0, #0x80\n\tmsr cpsr_c, %1"
                     : "=r"(old), "=r"(t) : : "memory");
    return old & 0x80;
}

void irq_restore(uint32_t state)
{
    if (!(state & 0x80))
        irq_enable();
}

void cpu_wfi(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c0, 4" : : "r"(0) : "memory");
}

uint32_t cpu_midr(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(v));
    return v;
}

uint32_t cpu_cpsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

/* ------------------------------------------------------------ interrupts */
static irq_handler handlers[32];
svc_handler kit_svc_hook; /* crt0.S reads it */

void irq_attach(int line, irq_handler fn)
{
    if (line < 0 || line > 31)
        return;
    uint32_t s = irq_save();
    handlers[line] = fn;
    mmio_write(fn ? VIC_INTENABLE : VIC_INTENCLEAR, 1u << line);
    irq_restore(s);
}

void svc_hook(svc_handler fn)
{
    kit_svc_hook = fn;
}

/* Called by crt0.S in IRQ mode: every pending line, lowest number first,
   until none is left.  A line with no handler is disabled. */
void kit_irq_dispatch(void)
{
    uint32_t status;
    while ((status = mmio_read(VIC_IRQSTATUS)) != 0) {
        int line = 31 - __builtin_clz(status & -status);
        if (handlers[line])
            handlers[line]();
        else
            mmio_write(VIC_INTENCLEAR, 1u << line);
    }
}

/* --------------------------------------------------------------- timers */
uint32_t ticks(void)
{
    return ~mmio_read(T_VALUE(CX_TIMER1, 1));
}

uint32_t millis(void)
{
    /* ticks * 1000 / 32768 without overflowing 32 bits. */
    uint32_t t = ticks();
    return (t >> 15) * 1000 + (((t & 0x7FFF) * 1000) >> 15);
}

static volatile int woken;

/* Timer 1 of 0x900C0000 in one-shot mode wakes delay_ticks(). */
static void wake_isr(void)
{
    mmio_write(T_INTCLR(CX_TIMER1, 0), 1);
    mmio_write(T_CONTROL(CX_TIMER1, 0), 0);
    woken = 1;
}

void delay_ticks(uint32_t n)
{
    if (n == 0)
        return;
    if (cpu_cpsr() & 0x80) {
        /* IRQs masked (an interrupt handler): no sleeping, spin. */
        uint32_t start = ticks();
        while (ticks() - start < n) {
        }
        return;
    }
    woken = 0;
    mmio_write(T_CONTROL(CX_TIMER1, 0), 0);
    mmio_write(T_INTCLR(CX_TIMER1, 0), 1);
    mmio_write(T_LOAD(CX_TIMER1, 0), n);
    irq_attach(IRQ_TIMER1, wake_isr);
    mmio_write(T_CONTROL(CX_TIMER1, 0), TC_ENABLE | TC_ONESHOT | TC_IE | TC_32BIT);
    WAIT_UNTIL(woken);
}

void delay_ms(uint32_t ms)
{
    delay_ticks((uint32_t)(((uint64_t)ms * TICK_HZ + 999) / 1000));
}

static irq_handler periodic[2];

static void timer2_isr(void)
{
    for (int t = 0; t < 2; t++) {
        if (mmio_read(T_MIS(CX_TIMER2, t))) {
            mmio_write(T_INTCLR(CX_TIMER2, t), 1);
            if (periodic[t])
                periodic[t]();
        }
    }
}

void timer_periodic(int n, uint32_t hz, irq_handler fn)
{
    if (n < 0 || n > 1)
        return;
    mmio_write(T_CONTROL(CX_TIMER2, n), 0);
    mmio_write(T_INTCLR(CX_TIMER2, n), 1);
    periodic[n] = fn;
    if (fn && hz) {
        uint32_t period = (TICK_HZ + hz / 2) / hz; /* ticks; the counter's period is LOAD + 1 */
        if (period == 0)
            period = 1;
        mmio_write(T_LOAD(CX_TIMER2, n), period - 1);
        mmio_write(T_CONTROL(CX_TIMER2, n), TC_ENABLE | TC_PERIODIC | TC_IE | TC_32BIT);
    }
    irq_attach(IRQ_TIMER2, (periodic[0] || periodic[1]) ? timer2_isr : 0);
}

/* ------------------------------------------------------------- start-up */
void kit_init(void)
{
    /* VIC: nothing enabled, everything IRQ, no vectored slot, no service in
       progress (Linux's vic_clear_interrupts). */
    mmio_write(VIC_INTENCLEAR, 0xFFFFFFFF);
    mmio_write(VIC_INTSELECT, 0);
    mmio_write(VIC_SOFTINTCLR, 0xFFFFFFFF);
    for (int i = 0; i < 16; i++)
        mmio_write(VIC_VECTCNTL(i), 0);
    for (int i = 0; i < 17; i++)
        mmio_write(VIC_VECTADDR, 0);
    /* The tick counter: timer 2 of 0x900C0000, free-running, no interrupt. */
    mmio_write(T_CONTROL(CX_TIMER1, 1), 0);
    mmio_write(T_LOAD(CX_TIMER1, 1), 0xFFFFFFFF);
    mmio_write(T_CONTROL(CX_TIMER1, 1), TC_ENABLE | TC_32BIT);
    /* Periodic timers off. */
    mmio_write(T_CONTROL(CX_TIMER2, 0), 0);
    mmio_write(T_CONTROL(CX_TIMER2, 1), 0);
}

/* --------------------------------------------------------------- the end */
extern volatile int kit_sh_absent;
void kit_sh_exit(int status); /* print.c */

void kit_exit(int status)
{
    if (!kit_sh_absent)
        kit_sh_exit(status);
    /* No host to return to: stop everything and sleep for good. */
    irq_disable();
    mmio_write(VIC_INTENCLEAR, 0xFFFFFFFF);
    for (;;)
        cpu_wfi();
}

static const char *const fatal_names[] = {
    "undefined instruction", "unexpected SVC", "prefetch abort", "data abort",
    "reserved vector", "FIQ",
};

/* Called by crt0.S in the exception's mode: kind (the order above), the
   exception's lr and SPSR. */
void kit_fatal(int kind, uint32_t lr, uint32_t spsr) __attribute__((noreturn));
void kit_fatal(int kind, uint32_t lr, uint32_t spsr)
{
    static int busy;
    if (busy++) {
        irq_disable();
        mmio_write(VIC_INTENCLEAR, 0xFFFFFFFF);
        for (;;)
            cpu_wfi();
    }
    int thumb = (spsr & 0x20) != 0;
    uint32_t pc;
    switch (kind) {
    case 0: pc = lr - (thumb ? 2 : 4); break; /* the undefined instruction */
    case 1: pc = lr - (thumb ? 2 : 4); break; /* the SVC */
    case 2: pc = lr - 4; break;                /* the instruction fetched */
    case 3: pc = lr - 8; break;                /* the load or store */
    default: pc = lr - 4; break;               /* where it was interrupted */
    }
    char line[160];
    int n = kit_snprintf(line, sizeof line, "*** kit: %s at 0x%08x (%s state, CPSR was 0x%08x)",
                         fatal_names[kind], pc, thumb ? "Thumb" : "ARM", spsr);
    if (kind == 2 || kind == 3) {
        uint32_t fsr, far;
        if (kind == 2)
            __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(fsr));
        else
            __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(fsr));
        __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(far));
        if (kind == 2)
            kit_snprintf(line + n, sizeof line - n, ", FSR 0x%03x", fsr);
        else
            kit_snprintf(line + n, sizeof line - n, ", FSR 0x%03x, FAR 0x%08x", fsr, far);
    }
    uart_puts(line);
    uart_putc('\n');
    sh_puts(line);
    sh_putc('\n');
    kit_exit(1);
}

/* --------------------------------------------------------------- little */
/* sin of 0..90 degrees times 1024, rounded. */
static const uint16_t sin_table[91] = {
    0, 18, 36, 54, 71, 89, 107, 125, 143, 160, 178, 195, 213, 230, 248, 265, 282, 299, 316,
    333, 350, 367, 384, 400, 416, 433, 449, 465, 481, 496, 512, 527, 543, 558, 573, 587,
    602, 616, 630, 644, 658, 672, 685, 698, 711, 724, 737, 749, 761, 773, 784, 796, 807,
    818, 828, 839, 849, 859, 868, 878, 887, 896, 904, 912, 920, 928, 935, 943, 949, 956,
    962, 968, 974, 979, 984, 989, 994, 998, 1002, 1005, 1008, 1011, 1014, 1016, 1018, 1020,
    1022, 1023, 1023, 1024, 1024,
};

int isin(int d)
{
    d %= 360;
    if (d < 0)
        d += 360;
    if (d <= 90)
        return sin_table[d];
    if (d <= 180)
        return sin_table[180 - d];
    if (d <= 270)
        return -sin_table[d - 180];
    return -sin_table[360 - d];
}

int icos(int d)
{
    return isin(d + 90);
}

static uint32_t rand_state = 0x2545F491u;

void rand_seed(uint32_t seed)
{
    rand_state = seed ? seed : 0x2545F491u;
}

uint32_t rand32(void)
{
    uint32_t x = rand_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rand_state = x;
}

uint32_t rand_below(uint32_t n)
{
    return n ? rand32() % n : 0;
}
