/*
 * rtc.c - the real-time clock and the calendar (kit.h).
 *
 * The CX's RTC at 0x90090000 has the PL031's registers (ARM DDI 0224): RTCDR
 * (+0x00) counts seconds, RTCLR (+0x08) sets it, RTCMR (+0x04) raises the
 * interrupt (line 4) when the counter reaches it, RTCIMSC (+0x10) unmasks
 * it and a write to RTCICR (+0x1C) clears it.
 */
#include "kit.h"

#define RTC_DR   0x00
#define RTC_MR   0x04
#define RTC_LR   0x08
#define RTC_IMSC 0x10
#define RTC_ICR  0x1C

static uint32_t rtc_base = CX_RTC;
static irq_handler second_fn;

void rtc_use_address(uint32_t base)
{
    rtc_base = base;
}

uint32_t rtc_seconds(void)
{
    return mmio_read(rtc_base + RTC_DR);
}

void rtc_set_seconds(uint32_t seconds)
{
    mmio_write(rtc_base + RTC_LR, seconds);
    if (second_fn)
        mmio_write(rtc_base + RTC_MR, seconds + 1);
}

static void rtc_isr(void)
{
    mmio_write(rtc_base + RTC_ICR, 1);
    mmio_write(rtc_base + RTC_MR, mmio_read(rtc_base + RTC_DR) + 1);
    if (second_fn)
        second_fn();
}

void rtc_every_second(irq_handler fn)
{
    second_fn = fn;
    mmio_write(rtc_base + RTC_IMSC, 0);
    mmio_write(rtc_base + RTC_ICR, 1);
    if (fn) {
        mmio_write(rtc_base + RTC_MR, mmio_read(rtc_base + RTC_DR) + 1);
        mmio_write(rtc_base + RTC_IMSC, 1);
    }
    irq_attach(IRQ_RTC, fn ? rtc_isr : 0);
}

void datetime_from_seconds(uint32_t seconds, struct datetime *out)
{
    uint32_t days = seconds / 86400, rest = seconds % 86400;
    out->hour = (int)(rest / 3600);
    out->minute = (int)(rest / 60 % 60);
    out->second = (int)(rest % 60);
    out->weekday = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday */
    /* Days to a civil date (Howard Hinnant's algorithm, era of 400 years). */
    uint32_t z = days + 719468;
    uint32_t era = z / 146097;
    uint32_t doe = z - era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->year = (int)(yoe + era * 400 + (out->month <= 2));
}

const char *weekday_name(int weekday)
{
    static const char *const names[7] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
    return names[(unsigned)weekday % 7];
}

const char *month_name(int month)
{
    static const char *const names[12] = {"January", "February", "March", "April",
                                          "May", "June", "July", "August",
                                          "September", "October", "November", "December"};
    return names[(unsigned)(month - 1) % 12];
}
