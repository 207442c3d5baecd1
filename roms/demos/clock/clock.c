/*
 * clock.c - an analog and digital clock, read from the RTC through a virtual
 * address and redrawn from a timer interrupt.
 *
 * The MMU: the kit's identity map (the boot ROM, SDRAM, the LCD, the VIC...)
 * except for the APB devices' first MiB (0x90000000), which gets a coarse
 * table: every 4 KiB page of it is mapped to itself except the RTC's
 * (physical 0x90090000-0x9009FFFF), which is left out.  The RTC's first page
 * is mapped at virtual 0xE0000000 instead, and that is the only address this
 * program reads the time at: rtc_use_address(0xE0000000).
 *
 * The timer: SP804 timer 0 at 0x900D0000 interrupts 4 times a second (line
 * 19); its handler reads the clock, draws the whole picture into the back
 * buffer and asks for it to be shown (lcd_flip: the next frame interrupt
 * swaps the buffers).  main() only sets things up, then sleeps.
 */
#include "kit.h"

#define RTC_VIRT 0xE0000000u
#define APB      0x90000000u

#define CX 92  /* the dial's centre and radius */
#define CY 134
#define R  84

static volatile uint32_t timer_irqs;

static void hand(int degrees, int length, int width, color_t c)
{
    int x = CX + isin(degrees) * length / 1024;
    int y = CY - icos(degrees) * length / 1024;
    lcd_thick_line(CX, CY, x, y, width, c);
}

static void draw_dial(void)
{
    lcd_disc(CX, CY, R, RGB(240, 236, 224));
    lcd_circle(CX, CY, R, RGB(60, 60, 60));
    lcd_circle(CX, CY, R + 1, RGB(60, 60, 60));
    for (int m = 0; m < 60; m++) {
        int d = m * 6;
        int inner = m % 5 ? R - 6 : R - 12;
        for (int w = (m % 5 ? 0 : -1); w <= (m % 5 ? 0 : 1); w++) {
            int ox = icos(d) * w / 1024, oy = isin(d) * w / 1024;
            lcd_line(CX + isin(d) * inner / 1024 + ox, CY - icos(d) * inner / 1024 + oy,
                     CX + isin(d) * (R - 3) / 1024 + ox, CY - icos(d) * (R - 3) / 1024 + oy,
                     RGB(40, 40, 40));
        }
    }
    static const char *const numbers[12] = {"12", "1", "2", "3", "4", "5",
                                            "6", "7", "8", "9", "10", "11"};
    for (int h = 0; h < 12; h++) {
        int d = h * 30;
        int x = CX + isin(d) * (R - 22) / 1024;
        int y = CY - icos(d) * (R - 22) / 1024;
        lcd_text(x - text_width(numbers[h], 1) / 2, y - 3, numbers[h], RGB(40, 40, 40), NO_BG);
    }
}

static void draw(void)
{
    uint32_t now = rtc_seconds();
    struct datetime t;
    datetime_from_seconds(now, &t);

    lcd_clear(RGB(24, 28, 40));
    lcd_gradient(0, 0, LCD_WIDTH, 26, 0x405080, 0x181c28);
    lcd_text_scaled(8, 5, "Clock", WHITE, NO_BG, 2);
    lcd_text(80, 10, "the RTC via the MMU, redrawn by a timer", RGB(170, 190, 230), NO_BG);

    draw_dial();
    int sec = t.second, min = t.minute, hour = t.hour % 12;
    hand(hour * 30 + min / 2, R * 5 / 10, 5, RGB(30, 30, 30));
    hand(min * 6 + sec / 10, R * 8 / 10, 3, RGB(30, 30, 30));
    hand(sec * 6, R - 8, 1, RGB(200, 0, 0));
    lcd_disc(CX, CY, 4, RGB(200, 0, 0));

    int x = 192;
    char buf[16];
    kit_snprintf(buf, sizeof buf, "%02d:%02d:%02d", t.hour, t.minute, t.second);
    lcd_text_scaled(x, 38, buf, WHITE, NO_BG, 2);
    lcd_text(x, 62, weekday_name(t.weekday), YELLOW, NO_BG);
    lcd_printf(x, 72, YELLOW, NO_BG, "%d %s %d", t.day, month_name(t.month), t.year);
    lcd_text(x, 82, "UTC", GREY, NO_BG);

    color_t label = RGB(150, 160, 180), value = RGB(140, 230, 140);
    lcd_text(x, 102, "RTC counter", label, NO_BG);
    lcd_printf(x, 112, value, NO_BG, "%u s", now);
    lcd_text(x, 128, "RTC page, physical", label, NO_BG);
    lcd_printf(x, 138, value, NO_BG, "0x%08x", CX_RTC);
    lcd_text(x, 150, "read at virtual", label, NO_BG);
    lcd_printf(x, 160, value, NO_BG, "0x%08x", RTC_VIRT);
    lcd_printf(x, 176, label, NO_BG, "walk 0x%08x:", RTC_VIRT);
    lcd_printf(x, 186, value, NO_BG, "  -> 0x%08x", mmu_walk(RTC_VIRT));
    uint32_t phys = mmu_walk(CX_RTC);
    lcd_printf(x, 196, label, NO_BG, "walk 0x%08x:", CX_RTC);
    if (phys == 0xFFFFFFFFu)
        lcd_text(x, 206, "  unmapped", RGB(240, 140, 120), NO_BG);
    else
        lcd_printf(x, 206, value, NO_BG, "  -> 0x%08x", phys);
    lcd_printf(x, 222, label, NO_BG, "timer IRQs: %u", timer_irqs);
}

/* SP804 timer 0 of 0x900D0000, 4 times a second, in IRQ mode. */
static void on_timer(void)
{
    timer_irqs++;
    if (lcd_flip_pending())
        return; /* the last picture is not on screen yet: skip this one */
    draw();
    lcd_flip();
}

int main(void)
{
    /* Translation tables: the identity map, then the APB devices' first MiB
       again, page by page and without the RTC's 64 KiB, then the RTC's first
       page at RTC_VIRT. */
    mmu_map_identity();
    mmu_unmap_sections(APB, 0x00100000);
    for (uint32_t page = APB; page < APB + 0x00100000; page += 0x1000)
        if (page < CX_RTC || page >= CX_RTC + 0x10000)
            mmu_map_page(page, page, 0);
    mmu_map_page(RTC_VIRT, CX_RTC, MMU_READONLY);
    mmu_enable();
    rtc_use_address(RTC_VIRT);

    uart_printf("clock: MMU on; the RTC (physical 0x%08x) is read at 0x%08x, "
                "which translates to 0x%08x; 0x%08x itself is %s\n",
                CX_RTC, RTC_VIRT, mmu_walk(RTC_VIRT), CX_RTC,
                mmu_walk(CX_RTC) == 0xFFFFFFFFu ? "unmapped" : "mapped");

    lcd_init();
    draw();
    lcd_present();
    timer_periodic(0, 4, on_timer);
    for (;;)
        cpu_wfi();
}
