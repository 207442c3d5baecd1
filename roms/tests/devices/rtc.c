/*
 * rtc.c - the real-time clock at 0x90090000 (PL031 layout, line 4): its
 * counter of seconds, set by RTCLR, and the match (alarm) interrupt
 * (RTCMR, RTCIMSC, RTCRIS, RTCMIS, RTCICR), timed against the 32768 Hz
 * timer.
 *
 * ARM DDI 0224 (PL031); docs/hardware.md section 2.4.  Expects the
 * clock to start at 1767225600 (2026-01-01 00:00:00 UTC), which `emu test`
 * and `emu run --rtc 1767225600` give.
 */
#include "dev.h"

#define RTC_START 1767225600u

static const uint8_t pl031_ids[8] = { 0x31, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

static volatile uint32_t n_alarm, alarm_dr, alarm_slow, alarm_ris;

static void rtc_isr(void)
{
    alarm_slow = slow_now();
    alarm_dr = rd(RTC_DR);
    alarm_ris = rd(RTC_MIS);
    wr(RTC_ICR, 1);
    n_alarm++;
}

/* Sets the alarm to `match` and sleeps in WFI until it interrupts. */
static uint32_t wait_alarm(uint32_t match)
{
    uint32_t count = n_alarm, wakes = 0;
    wr(RTC_MR, match);
    irq_enable();
    while (n_alarm == count && wakes < 100) {
        wfi();
        wakes++;
    }
    irq_disable();
    return n_alarm - count;
}

int main(void)
{
    t_printf("rtc: the real-time clock (PL031 layout)\n");

    t_section("reset values and identification");
    uint32_t dr = rd(RTC_DR), power_on = dr;
    t_dec(dr, RTC_START, "RTCDR at power-on (--rtc)");
    t_eq(rd(RTC_MR), 0, "RTCMR");
    t_eq(rd(RTC_LR), 0, "RTCLR");
    t_eq(rd(RTC_CR), 1, "RTCCR (started)");
    t_eq(rd(RTC_IMSC), 0, "RTCIMSC");
    t_eq(rd(RTC_RIS), 0, "RTCRIS");
    t_eq(rd(RTC_MIS), 0, "RTCMIS");
    t_ids(RTC, "PL031", pl031_ids);
    wr(RTC_CR, 0);
    t_eq(rd(RTC_CR), 1, "RTCCR after writing 0 (the start bit stays set)");

    vic_setup();
    ref_start();
    vic_vector(0, IRQ_RTC, rtc_isr);
    vic_enable(IRQ_RTC);

    t_section("the counter advances with time");
    /* Five seconds of sleep, starting just after a second edge. */
    wr(RTC_IMSC, 1);
    t_dec(wait_alarm(rd(RTC_DR) + 1), 1, "alarm at the next second");
    dr = rd(RTC_DR);
    sleep_slow(5 * SLOW_HZ + 100);
    t_dec(rd(RTC_DR) - dr, 5, "seconds counted over 5 s + 100 ticks of the 32768 Hz timer");
    t_ok(rd(RTC_DR) - power_on < 30, "RTCDR - power-on value = %u", rd(RTC_DR) - power_on);

    t_section("alarm interrupt (RTCMR, line 4)");
    t_dec(wait_alarm(rd(RTC_DR) + 1), 1, "alarm at the next second");
    uint32_t s0 = alarm_slow, d0 = alarm_dr;
    t_dec(wait_alarm(d0 + 1), 1, "alarm one second later");
    t_near(alarm_slow - s0, SLOW_HZ, 1, "32768 Hz ticks between the two alarms");
    t_dec(alarm_dr - d0, 1, "RTCDR advanced by");
    t_eq(alarm_ris, 1, "RTCMIS in the handler");
    s0 = alarm_slow;
    d0 = alarm_dr;
    t_dec(wait_alarm(d0 + 3), 1, "alarm three seconds later");
    t_near(alarm_slow - s0, 3 * SLOW_HZ, 1, "32768 Hz ticks for a 3 s alarm");
    t_dec(alarm_dr, d0 + 3, "RTCDR at the alarm = RTCMR");
    t_eq(rd(RTC_RIS), 0, "RTCRIS after RTCICR");
    t_eq(rd(RTC_MR), d0 + 3, "RTCMR reads back");

    t_section("masked alarm: RTCRIS without RTCMIS");
    wr(RTC_IMSC, 0);
    dr = rd(RTC_DR);
    wr(RTC_MR, dr + 2);
    sleep_slow(SLOW_HZ);
    t_eq(rd(RTC_RIS), 0, "RTCRIS one second before the match");
    sleep_slow(SLOW_HZ + 100);
    t_eq(rd(RTC_RIS), 1, "RTCRIS after the match, masked");
    t_eq(rd(RTC_MIS), 0, "RTCMIS, masked");
    t_eq(rd(VIC_RAWINTR) >> IRQ_RTC & 1, 0, "VIC line 4, masked");
    uint32_t count = n_alarm;
    wr(RTC_IMSC, 1);
    t_eq(rd(RTC_IMSC), 1, "RTCIMSC");
    t_eq(rd(RTC_MIS), 1, "RTCMIS after unmasking");
    t_eq(rd(VIC_RAWINTR) >> IRQ_RTC & 1, 1, "VIC line 4 after unmasking");
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    t_dec(n_alarm - count, 1, "the pending alarm interrupts once unmasked");
    t_eq(rd(RTC_RIS) | rd(RTC_MIS), 0, "RTCRIS|RTCMIS after RTCICR");
    t_eq(rd(VIC_RAWINTR) >> IRQ_RTC & 1, 0, "VIC line 4 after RTCICR");

    t_section("setting the time (RTCLR)");
    wr(RTC_LR, 1000000);
    t_dec(rd(RTC_DR), 1000000, "RTCDR right after RTCLR 1000000");
    t_dec(rd(RTC_LR), 1000000, "RTCLR reads back");
    t_dec(wait_alarm(1000001), 1, "alarm at 1000001");
    t_dec(alarm_dr, 1000001, "RTCDR at that alarm");
    s0 = alarm_slow;
    t_dec(wait_alarm(1000002), 1, "alarm at 1000002");
    t_near(alarm_slow - s0, SLOW_HZ, 1, "32768 Hz ticks per second after the load");
    wr(RTC_LR, 0xFFFFFFFF);
    t_eq(rd(RTC_DR), 0xFFFFFFFF, "RTCDR after RTCLR 0xffffffff");
    t_dec(wait_alarm(0), 1, "alarm at the wrap to 0");
    t_eq(alarm_dr, 0, "RTCDR after the wrap");
    wr(RTC_LR, power_on);
    t_ok(rd(RTC_DR) == power_on, "RTCDR after setting the power-on time back");

    wr(RTC_IMSC, 0);
    vic_setup();
    vic_check_unexpected();
    return t_done("rtc");
}
