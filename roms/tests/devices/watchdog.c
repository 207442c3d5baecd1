/*
 * watchdog.c - the SP805 watchdog at 0x90060000 (line 3), clocked by the
 * APB clock: the lock register, the counter, the interrupt on the first
 * timeout (measured against the fast timer), the reload on WdogIntClr, and
 * the machine reset on a second timeout with the interrupt still pending
 * (RESEN): the ROM runs again from the reset vector and finds its state in
 * SRAM, which a reset keeps.
 *
 * ARM DDI 0270 (SP805); docs/hardware.md section 2.9.
 */
#include "dev.h"

/* The TRM's identification (SP805 r1): Firebird models none for the CX. */
static const uint8_t sp805_ids[8] = { 0x05, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

#define INTEN 1u
#define RESEN 2u
#define LOAD_1MS (APB_HZ / 1000 - 1) /* a timeout every APB_HZ / 1000 ticks */

/* Kept across the reset, in the last words of SRAM. */
#define STATE        (SRAM + 0x1FF00)
#define STATE_FAILS  (SRAM + 0x1FF04)
#define STATE_CHECKS (SRAM + 0x1FF08)
#define ARMED        0x57444F47u /* "WDOG" */

static volatile uint32_t n_timeouts, first_fast, last_fast;

static void watchdog_isr(void)
{
    uint32_t f = fast_now();
    wr(WDOG_INTCLR, 1);
    if (n_timeouts == 0)
        first_fast = f;
    last_fast = f;
    n_timeouts++;
}

static void before_reset(void)
{
    t_section("reset values and identification");
    t_eq(rd(WDOG_LOAD), 0xFFFFFFFF, "WdogLoad");
    t_eq(rd(WDOG_VALUE), 0xFFFFFFFF, "WdogValue");
    t_eq(rd(WDOG_CONTROL), 0, "WdogControl");
    t_eq(rd(WDOG_RIS) | rd(WDOG_MIS), 0, "WdogRIS|WdogMIS");
    t_eq(rd(WDOG_LOCK), 0, "WdogLock (writes enabled)");
    t_ids(WATCHDOG, "SP805", sp805_ids);

    t_section("lock register");
    wr(WDOG_LOCK, 1);
    t_eq(rd(WDOG_LOCK), 1, "WdogLock after writing 1: locked");
    wr(WDOG_LOAD, 1234);
    wr(WDOG_CONTROL, INTEN);
    t_eq(rd(WDOG_LOAD), 0xFFFFFFFF, "WdogLoad write ignored while locked");
    t_eq(rd(WDOG_CONTROL), 0, "WdogControl write ignored while locked");
    wr(WDOG_LOCK, WDOG_UNLOCK_KEY);
    t_eq(rd(WDOG_LOCK), 0, "WdogLock after 0x1ACCE551: unlocked");
    wr(WDOG_LOAD, 1234);
    t_dec(rd(WDOG_LOAD), 1234, "WdogLoad written once unlocked");
    wr(WDOG_LOCK, 0x1ACCE550);
    t_eq(rd(WDOG_LOCK), 1, "WdogLock after any other value: locked");
    wr(WDOG_LOCK, WDOG_UNLOCK_KEY);

    vic_setup();
    ref_start();

    t_section("counter and first timeout");
    wr(WDOG_LOAD, LOAD_1MS);
    t_dec(rd(WDOG_VALUE), LOAD_1MS, "WdogValue after WdogLoad");
    uint32_t start = fast_now();
    wr(WDOG_CONTROL, INTEN);
    t_eq(rd(WDOG_CONTROL), INTEN, "WdogControl INTEN");
    uint32_t v0 = rd(WDOG_VALUE);
    wait_slow(10);
    uint32_t v1 = rd(WDOG_VALUE);
    t_near(v0 - v1, muldiv(10, APB_HZ, SLOW_HZ), APB_HZ / SLOW_HZ + 8,
           "WdogValue decrements in 10 ticks of the 32768 Hz clock");
    t_eq(rd(WDOG_RIS), 0, "WdogRIS before the timeout");
    while (!rd(WDOG_RIS) && fast_now() - start < 2 * APB_HZ / 1000) {
    }
    uint32_t elapsed = fast_now() - start;
    t_near(elapsed, LOAD_1MS + 1, 40, "APB ticks from INTEN to the first timeout (WdogLoad + 1)");
    t_eq(rd(WDOG_MIS), 1, "WdogMIS");
    t_eq(rd(VIC_RAWINTR) >> IRQ_WATCHDOG & 1, 1, "VIC line 3");
    wr(WDOG_INTCLR, 0);
    v0 = rd(WDOG_VALUE);
    t_eq(rd(WDOG_RIS) | rd(WDOG_MIS), 0, "WdogRIS|WdogMIS after WdogIntClr");
    t_eq(rd(VIC_RAWINTR) >> IRQ_WATCHDOG & 1, 0, "VIC line 3 after WdogIntClr");
    t_ok(LOAD_1MS - v0 < 100, "WdogIntClr reloads the counter: WdogValue = %u", v0);

    t_section("timeout interrupts through the VIC");
    vic_vector(0, IRQ_WATCHDOG, watchdog_isr);
    vic_enable(IRQ_WATCHDOG);
    n_timeouts = 0;
    irq_enable();
    uint32_t wakes = 0;
    while (n_timeouts < 11 && wakes < 50) {
        wfi();
        wakes++;
    }
    irq_disable();
    t_dec(n_timeouts, 11, "interrupts after 11 WFIs");
    uint32_t want = 10 * (LOAD_1MS + 1);
    t_near(last_fast - first_fast, want, want / 1000,
           "APB ticks for 10 timeouts, each cleared (and reloaded) by the handler");
    vic_disable(IRQ_WATCHDOG);

    t_section("no reset without RESEN; stopping; lock while running");
    wait_slow(3 * 33 + 10); /* three timeouts, none cleared */
    t_eq(rd(WDOG_RIS), 1, "WdogRIS after timeouts left pending, RESEN clear: still running");
    wr(WDOG_CONTROL, 0);
    t_eq(rd(WDOG_MIS), 0, "WdogMIS with INTEN clear");
    v0 = rd(WDOG_VALUE);
    wait_slow(10);
    t_eq(rd(WDOG_VALUE), v0, "WdogValue frozen with INTEN clear");
    wr(WDOG_CONTROL, INTEN);
    v0 = rd(WDOG_VALUE);
    t_ok(LOAD_1MS - v0 < 100, "setting INTEN again reloads: WdogValue = %u", v0);
    wr(WDOG_LOCK, 0);
    wr(WDOG_INTCLR, 1);
    t_eq(rd(WDOG_RIS), 1, "WdogIntClr ignored while locked");
    wr(WDOG_LOCK, WDOG_UNLOCK_KEY);
    wr(WDOG_INTCLR, 1);
    t_eq(rd(WDOG_RIS), 0, "WdogIntClr once unlocked");
    wr(WDOG_CONTROL, 0);

    t_section("reset on the second timeout (RESEN)");
    wr(WDOG_LOAD, 3299); /* 100 us */
    wr(WDOG_CONTROL, INTEN | RESEN);
    start = fast_now();
    while (!rd(WDOG_RIS) && fast_now() - start < 10000) {
    }
    t_near(fast_now() - start, 3300, 40, "APB ticks to the first timeout (interrupt, no reset)");
    t_eq(rd(WDOG_CONTROL), INTEN | RESEN, "WdogControl INTEN | RESEN");
    wr(STATE_FAILS, t_failures());
    wr(STATE, ARMED);
    /* The reset comes 3300 APB ticks after the first timeout; the rest of
       this function never runs if it does. */
    wait_slow(100);
    wr(STATE, 0);
    t_ok(0, "no reset 100 ticks of the 32768 Hz clock after the first timeout");
}

static void after_reset(void)
{
    wr(STATE, 0);
    t_section("after the watchdog reset");
    t_ok(1, "the ROM runs again from the reset vector");
    t_dec(rd(STATE_FAILS), 0, "failed checks before the reset");
    t_eq(rd(WDOG_CONTROL), 0, "WdogControl back to its reset value");
    t_eq(rd(WDOG_LOAD), 0xFFFFFFFF, "WdogLoad back to its reset value");
    t_eq(rd(WDOG_RIS), 0, "WdogRIS back to its reset value");
    t_eq(rd(VIC_INTENABLE), 0, "VICINTENABLE back to its reset value");
    t_eq(rd(T_CONTROL(TIMER1, 1)), 0x20, "the reference timer back to its reset state");
}

int main(void)
{
    t_printf("watchdog: the SP805 watchdog\n");
    if (rd(STATE) == ARMED) {
        after_reset();
    } else {
        before_reset();
    }
    vic_setup();
    vic_check_unexpected();
    return t_done("watchdog");
}
