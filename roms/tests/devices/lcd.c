/*
 * lcd.c - the PL111 colour LCD controller at 0xC0000000 (line 21): its
 * registers (timing, frame bases, control, the palette, LCDIMSC / LCDRIS /
 * LCDMIS / LCDICR) and the frame interrupt (LNBU, "next base address
 * update", Linux's vblank) at the period its timing registers give.
 *
 * ARM DDI 0293 (PL111); docs/hardware.md section 2.5.  CLCDCLK is
 * 12 MHz on the built-in machine (Pl111(clock_hz: 12000000), as Firebird
 * has it); the panel clock is CLCDCLK / (PCD + 2), or CLCDCLK with BCD.
 */
#include "dev.h"

static const uint8_t pl111_ids[8] = { 0x11, 0x11, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

#define CTL_EN    0x0001u
#define CTL_BPP16 (4u << 1)
#define CTL_TFT   0x0020u
#define CTL_PWR   0x0800u
#define INT_FUF   0x02u
#define INT_LNBU  0x04u
#define INT_VCOMP 0x08u
#define INT_MBERR 0x10u

#define FB_SIZE (320 * 240 * 2)
#define FB1 0x10200000u
#define FB2 0x10280000u

/* A 320x240 panel: HSW 6, HFP 10, HBP 10, 320 pixels per line; VSW 2,
   VFP 4, VBP 4, 240 lines; CPL 320 clocks per line, inverted syncs. */
#define HSW 6u
#define HFP 10u
#define HBP 10u
#define VSW 2u
#define VFP 4u
#define VBP 4u
#define TIMING0 ((HBP - 1) << 24 | (HFP - 1) << 16 | (HSW - 1) << 8 | (320 / 16 - 1) << 2)
#define TIMING1 (VBP << 24 | VFP << 16 | (VSW - 1) << 10 | (240 - 1))
#define TIMING2 ((320u - 1) << 16 | 1u << 12 | 1u << 11)
#define BCD     (1u << 26)

/* CLCDCLK ticks per frame: panel clocks per line x lines, blanking included. */
static uint32_t frame_clcd(uint32_t divider)
{
    return divider * (HSW + HFP + HBP + 320) * (VSW + VFP + VBP + 240);
}

static volatile uint32_t n_frames, first_slow, last_slow, first_fast, last_fast, frame_ris;

static void lcd_isr(void)
{
    uint32_t s = slow_now(), f = fast_now();
    uint32_t mis = rd(LCD_MIS);
    frame_ris |= rd(LCD_RIS);
    wr(LCD_ICR, mis);
    if (mis & INT_LNBU) {
        if (n_frames == 0) {
            first_slow = s;
            first_fast = f;
        }
        last_slow = s;
        last_fast = f;
        n_frames++;
    }
}

/* Waits in WFI for `frames` frame interrupts (bounded). */
static void wait_frames(uint32_t frames)
{
    uint32_t target = n_frames + frames, wakes = 0;
    irq_enable();
    while (n_frames < target && wakes < 4 * frames + 10) {
        wfi();
        wakes++;
    }
    irq_disable();
}

static void measure(uint32_t divider, const char *what)
{
    uint32_t clcd = frame_clcd(divider);
    n_frames = 0;
    wait_frames(11);
    t_dec(n_frames, 11, "%s: frame interrupts", what);
    uint32_t slow = muldiv(10 * clcd, SLOW_HZ, CLCD_HZ);
    uint32_t fast = muldiv(10 * clcd, APB_HZ / 1000, CLCD_HZ / 1000);
    t_printf("       %s: %u CLCDCLK ticks per frame (%u us)\n", what, clcd,
             muldiv(clcd, 1000, CLCD_HZ / 1000));
    t_near(last_slow - first_slow, slow, 2, "%s: 10 frames in 32768 Hz ticks", what);
    t_near(last_fast - first_fast, fast, fast / 2000 + 8, "%s: 10 frames in APB ticks", what);
}

int main(void)
{
    t_printf("lcd: the PL111 LCD controller\n");

    t_section("reset values and identification");
    uint32_t any = 0;
    for (uint32_t off = 0; off <= 0x24; off += 4)
        any |= rd(LCD + off);
    t_eq(any, 0, "LCDTiming0-3, LCDUPBASE, LCDLPBASE, LCDControl, LCDIMSC, LCDRIS, LCDMIS (ORed)");
    t_ids(LCD, "PL111", pl111_ids);

    t_section("register widths");
    wr(LCD_TIMING0, 0xFFFFFFFF);
    t_eq(rd(LCD_TIMING0), 0xFFFFFFFC, "LCDTiming0 after writing ones (bits 1:0 reserved)");
    wr(LCD_TIMING1, 0xFFFFFFFF);
    t_eq(rd(LCD_TIMING1), 0xFFFFFFFF, "LCDTiming1 after writing ones");
    wr(LCD_TIMING2, 0xFFFFFFFF);
    t_eq(rd(LCD_TIMING2), 0xFFFF7FFF, "LCDTiming2 after writing ones (bit 15 reserved)");
    wr(LCD_TIMING3, 0xFFFFFFFF);
    t_eq(rd(LCD_TIMING3), 0x0001007F, "LCDTiming3 after writing ones (LEE, LED)");
    wr(LCD_UPBASE, FB1 | 7);
    t_eq(rd(LCD_UPBASE), FB1, "LCDUPBASE drops bits 2:0");
    wr(LCD_LPBASE, FB2 | 5);
    t_eq(rd(LCD_LPBASE), FB2, "LCDLPBASE drops bits 2:0");
    wr(LCD_CONTROL, 0xFFFFFFFE);
    t_eq(rd(LCD_CONTROL), 0x00013FFE, "LCDControl after writing ones but LcdEn");
    wr(LCD_CONTROL, 0);
    wr(LCD_IMSC, 0xFFFFFFFF);
    t_eq(rd(LCD_IMSC), 0x1E, "LCDIMSC after writing ones (FUF, LNBU, Vcomp, MBERROR)");
    t_eq(rd(LCD_MIS), 0, "LCDMIS (nothing raised)");
    wr(LCD_IMSC, 0);
    wr(LCD_PALETTE, 0x12345678);
    wr(LCD_PALETTE + 0x1FC, 0xFFFF0001);
    wr(LCD_PALETTE + 0x100, 0x7FFF8000);
    t_eq(rd(LCD_PALETTE), 0x12345678, "palette entries 0/1");
    t_eq(rd(LCD_PALETTE + 0x100), 0x7FFF8000, "palette entries 128/129");
    t_eq(rd(LCD_PALETTE + 0x1FC), 0xFFFF0001, "palette entries 254/255");

    vic_setup();
    ref_start();
    vic_vector(0, IRQ_LCD, lcd_isr);
    vic_enable(IRQ_LCD);

    t_section("frames without interrupts (LCDIMSC 0)");
    wr(LCD_TIMING0, TIMING0);
    wr(LCD_TIMING1, TIMING1);
    wr(LCD_TIMING2, TIMING2);
    wr(LCD_TIMING3, 0);
    wr(LCD_UPBASE, FB1);
    wr(LCD_LPBASE, 0);
    t_eq(rd(LCD_TIMING0), TIMING0, "LCDTiming0 for 320x240");
    t_eq(rd(LCD_TIMING1), TIMING1, "LCDTiming1");
    t_eq(rd(LCD_TIMING2), TIMING2, "LCDTiming2");
    /* Power-up sequence (TRM): LcdEn, then LcdPwr. */
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16);
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16 | CTL_PWR);
    t_eq(rd(LCD_CONTROL), 0x829, "LCDControl (LcdEn, 16 bpp, TFT, LcdPwr)");
    uint32_t cur = rd(LCD_UPCURR);
    t_ok(cur - FB1 < FB_SIZE, "LCDUPCURR within the frame at LCDUPBASE (offset %u)", cur - FB1);
    uint32_t frame_slow = muldiv(frame_clcd(2), SLOW_HZ, CLCD_HZ);
    sleep_slow(frame_slow + frame_slow / 2);
    t_eq(rd(LCD_RIS) & (INT_LNBU | INT_VCOMP), INT_LNBU | INT_VCOMP,
         "LCDRIS after a frame: LNBU and Vcomp");
    t_eq(rd(LCD_RIS) & (INT_FUF | INT_MBERR), 0, "LCDRIS: no FIFO underflow, no bus error");
    t_eq(rd(LCD_MIS), 0, "LCDMIS (masked)");
    t_eq(rd(VIC_RAWINTR) >> IRQ_LCD & 1, 0, "VIC line 21 (masked)");
    wr(LCD_IMSC, INT_LNBU);
    t_eq(rd(LCD_MIS), INT_LNBU, "LCDMIS after unmasking LNBU");
    t_eq(rd(VIC_RAWINTR) >> IRQ_LCD & 1, 1, "VIC line 21");
    wr(LCD_ICR, INT_LNBU | INT_VCOMP);
    t_eq(rd(LCD_RIS) & (INT_LNBU | INT_VCOMP), 0, "LCDRIS after LCDICR");
    t_eq(rd(VIC_RAWINTR) >> IRQ_LCD & 1, 0, "VIC line 21 after LCDICR");

    t_section("frame interrupt period");
    measure(2, "PCD 0 (CLCDCLK / 2)");
    wr(LCD_CONTROL, CTL_TFT | CTL_BPP16);
    wr(LCD_TIMING2, TIMING2 | 1);
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16 | CTL_PWR);
    measure(3, "PCD 1 (CLCDCLK / 3)");
    wr(LCD_CONTROL, CTL_TFT | CTL_BPP16);
    wr(LCD_TIMING2, TIMING2 | BCD);
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16 | CTL_PWR);
    measure(1, "BCD (CLCDCLK)");

    t_section("frame base update (LNBU)");
    frame_ris = 0;
    wait_frames(1);
    wr(LCD_UPBASE, FB2);
    t_eq(rd(LCD_UPBASE), FB2, "LCDUPBASE written mid-frame");
    cur = rd(LCD_UPCURR);
    t_ok(cur - FB1 < FB_SIZE, "LCDUPCURR still in the old frame (offset %u)", cur - FB1);
    wait_frames(1);
    cur = rd(LCD_UPCURR);
    t_ok(cur - FB2 < FB_SIZE, "after the next LNBU, LCDUPCURR in the new frame (offset %u)", cur - FB2);
    t_eq(frame_ris & (INT_FUF | INT_MBERR), 0, "no FIFO underflow or bus error seen");

    t_section("disabled controller: no frames");
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16);
    wr(LCD_CONTROL, CTL_TFT | CTL_BPP16);
    wr(LCD_ICR, 0x1E);
    uint32_t count = n_frames;
    irq_enable();
    sleep_slow(5 * frame_slow);
    irq_disable();
    t_dec(n_frames - count, 0, "frame interrupts in 5 frame times with LcdEn clear");
    t_eq(rd(LCD_RIS), 0, "LCDRIS");
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16 | CTL_PWR);
    wait_frames(1);
    t_dec(n_frames - count, 1, "enabled again: a frame interrupt");
    wr(LCD_CONTROL, CTL_EN | CTL_TFT | CTL_BPP16);
    wr(LCD_CONTROL, 0);
    wr(LCD_IMSC, 0);
    wr(LCD_ICR, 0x1E);

    vic_setup();
    vic_check_unexpected();
    return t_done("lcd");
}
