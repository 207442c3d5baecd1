/*
 * timer_vic.c - the SP804 timers and the PL190 VIC, interrupts at a
 * measured rate, FIQ, software interrupts, vectored priorities and the
 * CPU's wait for interrupt.
 *
 * ARM DDI 0271 (SP804), DDI 0181 (PL190), DDI 0198 (ARM926EJ-S, "Wait for
 * interrupt"); docs/hardware.md sections 2.1, 2.2.  The three timer
 * blocks: 0x90010000 (APB clock, line 17), 0x900C0000 and 0x900D0000
 * (32768 Hz, lines 18 and 19).  References: timer 2 of 0x900C0000 and of the
 * fast timer, free-running (lib/dev.c ref_start).
 */
#include "dev.h"

static const uint8_t sp804_ids[8] = { 0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
/* The CX's VIC: PL190 r0, with VICPCellID3 0x81 (hardware doc 2.1). */
static const uint8_t vic_ids[8] = { 0x90, 0x11, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0x81 };

/* The timer under test for modes: timer 2 of 0x900D0000. */
#define SUB 1

/* ------------------------------------------------------------ handlers */
static volatile uint32_t n_irq, n_fiq;
static volatile uint32_t first_slow, last_slow, first_fast, last_fast;

static void stamp(volatile uint32_t *count)
{
    uint32_t s = slow_now(), f = fast_now();
    if (*count == 0) {
        first_slow = s;
        first_fast = f;
    }
    last_slow = s;
    last_fast = f;
    (*count)++;
}

/* Line 19: timer 1 of 0x900D0000. */
static void timer2_isr(void)
{
    wr(T_INTCLR(TIMER2, 0), 1);
    stamp(&n_irq);
}

static void timer2_fiq(void)
{
    wr(T_INTCLR(TIMER2, 0), 1);
    stamp(&n_fiq);
}

/* An IRQ entry as Linux's irq-vic has it: no VICVECTADDR, a loop on
   VICIRQSTATUS handling the lowest line first (IRQ mode, via start.S). */
static volatile uint32_t linux_rounds;
__attribute__((interrupt("IRQ"))) static void linux_irq(void)
{
    uint32_t status;
    linux_rounds++;
    while ((status = rd(VIC_IRQSTATUS)) != 0) {
        if (status & (1u << IRQ_TIMER2)) {
            timer2_isr();
        } else {
            unexpected_irqs++;
            unexpected_status |= status;
            wr(VIC_INTENCLEAR, status);
        }
    }
}

/* Order in which the software-interrupt handlers ran: one byte each. */
static volatile uint32_t order, n_order;
static void note(uint32_t line)
{
    order = order << 8 | line;
    n_order++;
}
static void soft26(void)
{
    wr(VIC_SOFTINTCLR, 1u << 26);
    note(26);
}
static void soft27(void)
{
    wr(VIC_SOFTINTCLR, 1u << 27);
    note(27);
}
/* Non-vectored: whatever software lines 28..31 are pending, lowest first. */
static void soft_default(void)
{
    uint32_t status = rd(VIC_IRQSTATUS) & 0xF0000000u;
    for (int line = 28; line < 32; line++)
        if (status & (1u << line)) {
            wr(VIC_SOFTINTCLR, 1u << line);
            note(line);
            return;
        }
    note(0xEE);
    wr(VIC_INTENCLEAR, rd(VIC_IRQSTATUS));
}
static void soft_fiq(void)
{
    uint32_t status = rd(VIC_FIQSTATUS);
    wr(VIC_SOFTINTCLR, status & 0xFC000000u);
    note(0xF0 | (status >> 26 & 15) );
}

/* --------------------------------------------------------------- tests */
static void reset_values(void)
{
    t_section("reset values");
    uint32_t blocks[3] = { FAST_TIMER, TIMER1, TIMER2 };
    for (int b = 0; b < 3; b++) {
        for (int t = 0; t < 2; t++) {
            uint32_t base = blocks[b];
            t_eq(rd(T_LOAD(base, t)), 0, "0x%x timer %u Load", base, t + 1);
            t_eq(rd(T_VALUE(base, t)), 0xFFFFFFFF, "0x%x timer %u Value", base, t + 1);
            t_eq(rd(T_CONTROL(base, t)), 0x20, "0x%x timer %u Control", base, t + 1);
            t_eq(rd(T_RIS(base, t)) | rd(T_MIS(base, t)), 0, "0x%x timer %u RIS|MIS", base, t + 1);
        }
        t_ids(blocks[b], blocks[b] == FAST_TIMER ? "SP804 0x90010000"
                         : blocks[b] == TIMER1   ? "SP804 0x900C0000"
                                                 : "SP804 0x900D0000",
              sp804_ids);
    }
    t_eq(rd(VIC_INTENABLE), 0, "VICINTENABLE");
    t_eq(rd(VIC_INTSELECT), 0, "VICINTSELECT");
    t_eq(rd(VIC_SOFTINT), 0, "VICSOFTINT");
    t_eq(rd(VIC_RAWINTR), 0, "VICRAWINTR");
    t_eq(rd(VIC_IRQSTATUS) | rd(VIC_FIQSTATUS), 0, "VICIRQSTATUS|VICFIQSTATUS");
    t_eq(rd(VIC_PROTECTION), 0, "VICPROTECTION");
    t_eq(rd(VIC_DEFVECT), 0, "VICDEFVECTADDR");
    uint32_t any = 0;
    for (int i = 0; i < 16; i++)
        any |= rd(VIC_VECTCNTLN(i)) | rd(VIC_VECTADDRN(i));
    t_eq(any, 0, "VICVECTADDR0-15 and VICVECTCNTL0-15 (ORed)");
    t_ids(VIC, "PL190 VIC", vic_ids);
}

static void timer_modes(void)
{
    t_section("SP804 counting modes (0x900D0000 timer 2, 32768 Hz)");
    uint32_t s, v0, v1;

    /* Load of a stopped timer: Value takes it, nothing counts. */
    wr(T_CONTROL(TIMER2, SUB), TC_32BIT);
    wr(T_LOAD(TIMER2, SUB), 1000);
    t_eq(rd(T_VALUE(TIMER2, SUB)), 1000, "Value after Load 1000, stopped");
    wait_slow(5);
    t_eq(rd(T_VALUE(TIMER2, SUB)), 1000, "Value 5 ticks later, stopped");
    t_eq(rd(T_BGLOAD(TIMER2, SUB)), 1000, "BGLoad reads Load");

    /* Free-running, 32-bit, no prescaler: one decrement per TIMCLK tick. */
    wr(T_LOAD(TIMER2, SUB), 0xFFFFFFFF);
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT);
    wait_slow(2);
    s = slow_now();
    v0 = rd(T_VALUE(TIMER2, SUB));
    wait_slow(100);
    v1 = rd(T_VALUE(TIMER2, SUB));
    s = slow_now() - s;
    t_near(v0 - v1, s, 1, "free-running: decrements while the reference counts %u", s);

    /* Prescalers. */
    /* Prescalers, over sleeps in WFI (timer 1 wakes the CPU). */
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT | TC_PRE16);
    wr(T_LOAD(TIMER2, SUB), 0xFFFFFFFF);
    wait_slow(1);
    v0 = rd(T_VALUE(TIMER2, SUB));
    s = slow_now();
    sleep_slow(640);
    v1 = rd(T_VALUE(TIMER2, SUB));
    s = slow_now() - s;
    t_near(v0 - v1, s / 16, 1, "prescale /16: decrements in %u ticks", s);
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT | TC_PRE256);
    wr(T_LOAD(TIMER2, SUB), 0xFFFFFFFF);
    wait_slow(1);
    v0 = rd(T_VALUE(TIMER2, SUB));
    s = slow_now();
    sleep_slow(2560);
    v1 = rd(T_VALUE(TIMER2, SUB));
    s = slow_now() - s;
    t_near(v0 - v1, s / 256, 1, "prescale /256: decrements in %u ticks", s);

    /* 16-bit free-running: wraps from 0 to 0xFFFF, RIS at zero. */
    wr(T_CONTROL(TIMER2, SUB), TC_32BIT);
    wr(T_INTCLR(TIMER2, SUB), 1);
    wr(T_LOAD(TIMER2, SUB), 5);
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE);
    wait_slow(11);
    v1 = rd(T_VALUE(TIMER2, SUB));
    t_ok(v1 >= 0xFFF8 && v1 <= 0xFFFF, "16-bit: 11 ticks after Load 5 Value = 0x%x (0xfff8..0xffff)", v1);
    t_eq(rd(T_RIS(TIMER2, SUB)), 1, "16-bit: RIS after reaching zero");
    t_eq(rd(T_MIS(TIMER2, SUB)), 0, "16-bit: MIS with IE clear");

    /* One-shot: halts at zero. */
    wr(T_CONTROL(TIMER2, SUB), TC_32BIT);
    wr(T_INTCLR(TIMER2, SUB), 1);
    t_eq(rd(T_RIS(TIMER2, SUB)), 0, "RIS after IntClr");
    wr(T_LOAD(TIMER2, SUB), 10);
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT | TC_ONESHOT);
    wait_slow(20);
    t_eq(rd(T_VALUE(TIMER2, SUB)), 0, "one-shot: Value 20 ticks after Load 10");
    t_eq(rd(T_RIS(TIMER2, SUB)), 1, "one-shot: RIS");
    wr(T_INTCLR(TIMER2, SUB), 1);
    wait_slow(20);
    t_eq(rd(T_VALUE(TIMER2, SUB)) | rd(T_RIS(TIMER2, SUB)), 0,
         "one-shot: stays at zero, no second interrupt");

    /* Periodic: never above Load. */
    wr(T_CONTROL(TIMER2, SUB), TC_32BIT);
    wr(T_LOAD(TIMER2, SUB), 10);
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT | TC_PERIODIC);
    uint32_t max = 0, min = 0xFFFFFFFF;
    s = slow_now();
    while (slow_now() - s < 40) {
        uint32_t v = rd(T_VALUE(TIMER2, SUB));
        if (v > max)
            max = v;
        if (v < min)
            min = v;
    }
    t_eq(max, 10, "periodic Load 10: highest Value seen over 40 ticks");
    t_eq(min, 0, "periodic Load 10: lowest Value seen");
    t_eq(rd(T_RIS(TIMER2, SUB)), 1, "periodic: RIS");

    /* Interrupt enable: MIS = RIS & IE, and the block's line into the VIC. */
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT | TC_PERIODIC | TC_IE);
    t_eq(rd(T_MIS(TIMER2, SUB)), 1, "MIS with IE set");
    t_eq(rd(VIC_RAWINTR) >> IRQ_TIMER2 & 1, 1, "VICRAWINTR line 19 follows MIS");
    t_eq(rd(VIC_IRQSTATUS), 0, "VICIRQSTATUS (line not enabled)");
    wr(T_CONTROL(TIMER2, SUB), TC_32BIT);
    wr(T_INTCLR(TIMER2, SUB), 1);
    t_eq(rd(T_MIS(TIMER2, SUB)) | rd(T_RIS(TIMER2, SUB)), 0, "RIS|MIS after IntClr");
    t_eq(rd(VIC_RAWINTR) >> IRQ_TIMER2 & 1, 0, "VICRAWINTR line 19 after IntClr");

    /* BGLoad: the current period runs out, the next one uses it. */
    wr(T_LOAD(TIMER2, SUB), 200);
    wr(T_CONTROL(TIMER2, SUB), TC_ENABLE | TC_32BIT | TC_PERIODIC);
    wait_slow(5);
    wr(T_BGLOAD(TIMER2, SUB), 20);
    v0 = rd(T_VALUE(TIMER2, SUB));
    t_ok(v0 > 150 && v0 < 200, "BGLoad 20 leaves the count running: Value = %u (150..200)", v0);
    t_eq(rd(T_LOAD(TIMER2, SUB)), 20, "Load reads the BGLoad value");
    sleep_slow(200);
    v1 = rd(T_VALUE(TIMER2, SUB));
    t_ok(v1 <= 20, "after the period the count reloads from BGLoad: Value = %u (<= 20)", v1);

    /* Load 0 while enabled interrupts at once (DDI 0271 3.3.1). */
    wr(T_INTCLR(TIMER2, SUB), 1);
    wr(T_LOAD(TIMER2, SUB), 0);
    t_eq(rd(T_RIS(TIMER2, SUB)), 1, "Load 0 while enabled: RIS at once");
    wr(T_CONTROL(TIMER2, SUB), TC_32BIT);
    wr(T_INTCLR(TIMER2, SUB), 1);

    /* The fast timer counts the APB clock. */
    t_section("fast timer (0x90010000) against the 32768 Hz timer");
    wait_slow(1);
    uint32_t f = fast_now();
    s = slow_now();
    wait_slow(100);
    f = fast_now() - f;
    s = slow_now() - s;
    t_near(f, muldiv(s, APB_HZ, SLOW_HZ), APB_HZ / SLOW_HZ + 8,
           "fast ticks while the 32768 Hz timer counts %u", s);
}

/* Timer 1 of 0x900D0000, periodic with interrupts every `load` + 1 ticks. */
static void start_periodic(uint32_t load)
{
    wr(T_CONTROL(TIMER2, 0), TC_32BIT);
    wr(T_INTCLR(TIMER2, 0), 1);
    wr(T_LOAD(TIMER2, 0), load);
    wr(T_CONTROL(TIMER2, 0), TC_ENABLE | TC_32BIT | TC_PERIODIC | TC_IE);
}

static void stop_periodic(void)
{
    wr(T_CONTROL(TIMER2, 0), TC_32BIT);
    wr(T_INTCLR(TIMER2, 0), 1);
}

/* Checks the spacing of the interrupts stamped since count was zeroed. */
static void check_rate(uint32_t count, uint32_t load, const char *what)
{
    uint32_t n = count - 1, ticks = n * (load + 1);
    t_near(last_slow - first_slow, ticks, 1, "%s: %u interrupts apart, 32768 Hz ticks", what, n);
    uint32_t fast = muldiv(ticks, APB_HZ, SLOW_HZ);
    t_near(last_fast - first_fast, fast, fast / 2000 + 8, "%s: the same in APB ticks", what);
}

static void timer_interrupts(void)
{
    t_section("timer interrupts through the VIC (0x900D0000 timer 1, line 19)");
    vic_setup();
    vic_vector(0, IRQ_TIMER2, timer2_isr);
    t_eq(rd(VIC_VECTCNTLN(0)), 0x20 | IRQ_TIMER2, "VICVECTCNTL0");
    t_ok(rd(VIC_VECTADDRN(0)) == (uint32_t)timer2_isr, "VICVECTADDR0 holds the handler");
    vic_enable(IRQ_TIMER2);
    t_eq(rd(VIC_INTENABLE), 1u << IRQ_TIMER2, "VICINTENABLE");

    /* 1024 Hz (Load 31), IRQs taken while the CPU spins. */
    n_irq = 0;
    start_periodic(31);
    irq_enable();
    uint32_t s = slow_now();
    while (n_irq < 21 && slow_now() - s < 10000) {
    }
    irq_disable();
    uint32_t count = n_irq;
    t_dec(count, 21, "Load 31, CPU spinning: interrupts counted");
    check_rate(count, 31, "Load 31");

    /* 16384 Hz (Load 1): every other TIMCLK tick, the CPU in WFI. */
    stop_periodic();
    n_irq = 0;
    start_periodic(1);
    irq_enable();
    for (uint32_t wakes = 0; n_irq < 1001 && wakes < 2000; wakes++)
        wfi();
    irq_disable();
    count = n_irq;
    t_dec(count, 1001, "Load 1: interrupts counted");
    check_rate(count, 1, "Load 1");

    /* Wait for interrupt: each WFI returns after one interrupt. */
    t_section("wait for interrupt (CP15 c7, c0, 4)");
    stop_periodic();
    n_irq = 0;
    start_periodic(63);
    irq_enable();
    uint32_t wakes = 0;
    while (n_irq < 51 && wakes < 200) {
        wfi();
        wakes++;
    }
    irq_disable();
    count = n_irq;
    t_dec(count, 51, "Load 63, IRQs enabled: interrupts after 51 WFIs");
    t_dec(wakes, 51, "WFIs (each one wakes on one interrupt)");
    check_rate(count, 63, "Load 63 with WFI");

    /* WFI with IRQs masked in the CPSR: it ends when nIRQ is asserted and the
       core runs on without taking the interrupt (ARM926EJ-S TRM). */
    irq_enable();
    wfi(); /* just after an interrupt: the next is 64 ticks away */
    irq_disable();
    count = n_irq;
    s = slow_now();
    wfi();
    s = slow_now() - s;
    t_near(s, 64, 2, "WFI with IRQs masked: ticks until it woke");
    t_dec(n_irq - count, 0, "...and the interrupt was not taken");
    t_eq(rd(VIC_IRQSTATUS), 1u << IRQ_TIMER2, "...VICIRQSTATUS shows it pending");
    s = slow_now();
    wfi();
    s = slow_now() - s;
    t_near(s, 0, 1, "WFI with the interrupt already pending: ticks until it returned");
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    t_dec(n_irq - count, 1, "unmasking IRQs takes the pending interrupt");

    /* Against the RTC: interrupts between two RTC second edges. */
    t_section("1024 Hz interrupts against the RTC's seconds");
    stop_periodic();
    start_periodic(31);
    irq_enable();
    uint32_t sec = rd(RTC_DR);
    wakes = 0;
    while (rd(RTC_DR) == sec && wakes < 3000) {
        wfi();
        wakes++;
    }
    n_irq = 0;
    sec = rd(RTC_DR);
    wakes = 0;
    while (rd(RTC_DR) == sec && wakes < 3000) {
        wfi();
        wakes++;
    }
    irq_disable();
    t_near(n_irq, 1024, 1, "Load 31: interrupts in one RTC second");
    stop_periodic();

    /* The same without the vectored dispatch. */
    t_section("Linux-style dispatch: VICIRQSTATUS loop, VICVECTADDR untouched");
    set_hook(VEC_IRQ, linux_irq);
    n_irq = linux_rounds = 0;
    start_periodic(31);
    irq_enable();
    for (wakes = 0; n_irq < 11 && wakes < 50; wakes++)
        wfi();
    irq_disable();
    count = n_irq;
    t_dec(count, 11, "Load 31: interrupts counted");
    t_dec(linux_rounds, 11, "IRQ entries");
    check_rate(count, 31, "Linux-style, Load 31");
    stop_periodic();
    set_hook(VEC_IRQ, irq_entry);

    /* Masking in the VIC. */
    t_section("VICINTENABLE / VICINTENCLEAR / VICIRQSTATUS / VICRAWINTR");
    start_periodic(3);
    wait_slow(6);
    t_eq(rd(VIC_RAWINTR), 1u << IRQ_TIMER2, "VICRAWINTR with the timer's interrupt raised");
    t_eq(rd(VIC_IRQSTATUS), 1u << IRQ_TIMER2, "VICIRQSTATUS (enabled)");
    wr(VIC_INTENABLE, 0);
    t_eq(rd(VIC_INTENABLE), 1u << IRQ_TIMER2, "VICINTENABLE after writing 0 (writes only set)");
    vic_disable(IRQ_TIMER2);
    t_eq(rd(VIC_INTENABLE), 0, "VICINTENABLE after VICINTENCLEAR");
    t_eq(rd(VIC_IRQSTATUS), 0, "VICIRQSTATUS, line disabled");
    t_eq(rd(VIC_RAWINTR), 1u << IRQ_TIMER2, "VICRAWINTR, line disabled");
    count = n_irq;
    irq_enable();
    wait_slow(10);
    irq_disable();
    t_dec(n_irq - count, 0, "no interrupt taken from a disabled line");
    stop_periodic();
    t_eq(rd(VIC_RAWINTR), 0, "VICRAWINTR after the timer's IntClr");
}

static void fiq_tests(void)
{
    t_section("FIQ through VICINTSELECT");
    vic_setup();
    vic_vector(0, IRQ_TIMER2, timer2_isr);
    fiq_handler = timer2_fiq;
    wr(VIC_INTSELECT, 1u << IRQ_TIMER2);
    t_eq(rd(VIC_INTSELECT), 1u << IRQ_TIMER2, "VICINTSELECT");
    vic_enable(IRQ_TIMER2);
    start_periodic(31);
    wait_slow(33);
    t_eq(rd(VIC_FIQSTATUS), 1u << IRQ_TIMER2, "VICFIQSTATUS");
    t_eq(rd(VIC_IRQSTATUS), 0, "VICIRQSTATUS (the line is an FIQ)");
    n_irq = 0;
    n_fiq = 0;
    stop_periodic();
    start_periodic(31);
    irq_fiq_enable();
    uint32_t wakes = 0;
    while (n_fiq < 21 && wakes < 100) {
        wfi();
        wakes++;
    }
    irq_fiq_disable();
    uint32_t count = n_fiq;
    t_dec(count, 21, "FIQs after 21 WFIs");
    t_dec(n_irq, 0, "IRQs meanwhile");
    check_rate(count, 31, "FIQ, Load 31");
    stop_periodic();
    wr(VIC_INTSELECT, 0);
    vic_disable(IRQ_TIMER2);
}

static void soft_tests(void)
{
    t_section("VICSOFTINT and vectored priorities");
    vic_setup();
    wr(VIC_SOFTINT, 0x0C000000);
    t_eq(rd(VIC_SOFTINT), 0x0C000000, "VICSOFTINT");
    t_eq(rd(VIC_RAWINTR), 0x0C000000, "VICRAWINTR shows software interrupts");
    t_eq(rd(VIC_IRQSTATUS), 0, "VICIRQSTATUS (not enabled)");
    wr(VIC_SOFTINTCLR, 0x04000000);
    t_eq(rd(VIC_SOFTINT), 0x08000000, "VICSOFTINT after VICSOFTINTCLEAR");
    wr(VIC_SOFTINTCLR, 0xFFFFFFFF);

    wr(VIC_PROTECTION, 1);
    t_eq(rd(VIC_PROTECTION), 1, "VICPROTECTION set");
    wr(VIC_PROTECTION, 0);

    /* Slots 2 and 3 serve lines 26 and 27; 28 and 29 are non-vectored. */
    vic_vector(2, 26, soft26);
    vic_vector(3, 27, soft27);
    t_eq(rd(VIC_VECTCNTLN(2)), 0x20 | 26, "VICVECTCNTL2");
    wr(VIC_DEFVECT, (uint32_t)soft_default);
    wr(VIC_INTENABLE, 0xF0000000 | 0x0C000000);

    /* All pending at once: served by priority. */
    order = n_order = 0;
    wr(VIC_SOFTINT, 1u << 28 | 1u << 27 | 1u << 26);
    t_eq(rd(VIC_IRQSTATUS), 0x1C000000, "VICIRQSTATUS, three pending");
    t_ok(rd(VIC_VECTADDR) == (uint32_t)soft26, "VICVECTADDR gives slot 2's handler (highest)");
    wr(VIC_VECTADDR, 0);
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    t_dec(n_order, 3, "handlers run");
    t_eq(order, 0x1A1B1C, "order: slot 2 (26), slot 3 (27), default (28)");

    /* In service: reading VICVECTADDR masks the same and lower priorities. */
    order = n_order = 0;
    wr(VIC_SOFTINT, 1u << 27);
    t_ok(rd(VIC_VECTADDR) == (uint32_t)soft27, "VICVECTADDR gives slot 3's handler");
    irq_enable();
    __asm__ volatile("nop");
    t_dec(n_order, 0, "slot 3 in service: its own line does not interrupt");
    wr(VIC_SOFTINT, 1u << 28);
    __asm__ volatile("nop");
    t_dec(n_order, 0, "slot 3 in service: the non-vectored line does not interrupt");
    t_eq(rd(VIC_IRQSTATUS), 0x18000000, "VICIRQSTATUS still shows both");
    wr(VIC_SOFTINT, 1u << 26);
    __asm__ volatile("nop");
    t_eq(order, 0x1A, "slot 2 (higher) interrupts the service of slot 3");
    wr(VIC_VECTADDR, 0); /* end the service of slot 3 */
    __asm__ volatile("nop");
    irq_disable();
    t_eq(order, 0x1A1B1C, "ending slot 3's service lets 27 and then 28 in");
    t_eq(rd(VIC_SOFTINT), 0, "every software interrupt handled");

    /* An FIQ and an IRQ pending together: the FIQ first. */
    t_section("FIQ before IRQ; software FIQ");
    fiq_handler = soft_fiq;
    wr(VIC_INTSELECT, 1u << 29);
    order = n_order = 0;
    wr(VIC_SOFTINT, 1u << 29 | 1u << 26);
    t_eq(rd(VIC_FIQSTATUS), 1u << 29, "VICFIQSTATUS");
    t_eq(rd(VIC_IRQSTATUS), 1u << 26, "VICIRQSTATUS");
    irq_fiq_enable();
    __asm__ volatile("nop");
    irq_fiq_disable();
    t_eq(order, 0xF81A, "FIQ (line 29) then IRQ (line 26)");

    /* FIQ alone while IRQs stay masked. */
    order = n_order = 0;
    wr(VIC_SOFTINT, 1u << 29);
    fiq_enable();
    __asm__ volatile("nop");
    fiq_disable();
    t_eq(order, 0xF8, "software FIQ with IRQs masked");
    wr(VIC_INTSELECT, 0);
    wr(VIC_INTENCLEAR, 0xFFFFFFFF);
}

int main(void)
{
    t_printf("timer_vic: SP804 timers and the PL190 VIC\n");
    reset_values();
    vic_setup();
    ref_start();
    timer_modes();
    timer_interrupts();
    fiq_tests();
    soft_tests();
    vic_setup();
    vic_check_unexpected();
    return t_done("timer_vic");
}
