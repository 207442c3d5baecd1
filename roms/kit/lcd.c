/*
 * lcd.c - the PL111 LCD controller, double buffering and drawing (kit.h).
 *
 * The PL111 (ARM DDI 0293) reads the picture from SDRAM at LCDUPBASE.  At the
 * start of every frame it latches LCDUPBASE (a new value written during a
 * frame is used from the next one) and raises LNBU, "LCD next base address
 * update", which the kit takes as its frame interrupt (IRQ 21).
 */
#include "kit.h"

#define LCD_TIMING0 (CX_LCD + 0x000)
#define LCD_TIMING1 (CX_LCD + 0x004)
#define LCD_TIMING2 (CX_LCD + 0x008)
#define LCD_TIMING3 (CX_LCD + 0x00C)
#define LCD_UPBASE  (CX_LCD + 0x010)
#define LCD_CONTROL (CX_LCD + 0x018)
#define LCD_IMSC    (CX_LCD + 0x01C)
#define LCD_ICR     (CX_LCD + 0x028)

/* LCDControl: LcdEn, LcdBpp = 6 (16 bpp 5:6:5), LcdTFT, BGR (red in the top
   bits of a pixel, as RGB() makes them), LcdPwr. */
#define CONTROL_565 (1u << 0 | 6u << 1 | 1u << 5 | 1u << 8 | 1u << 11)
#define INT_LNBU    (1u << 2)
#define INT_ALL     0x1Eu

/* The two framebuffers: not zeroed by crt0 (lcd_init clears them). */
static color_t framebuffers[2][LCD_WIDTH * LCD_HEIGHT]
    __attribute__((section(".noinit.fb"), aligned(4096)));

static volatile int front;   /* the buffer being scanned */
static volatile int flip_requested;
static volatile int flip_queued; /* written to LCDUPBASE, latched at the next frame */
static volatile uint32_t frames;
static volatile irq_handler frame_hook;
extern void (*kit_keys_sampler)(void); /* keys.c, once keys_init() has run */

static void lcd_isr(void)
{
    mmio_write(LCD_ICR, INT_ALL);
    frames++;
    if (flip_queued) {
        /* The frame that just started scans the new buffer. */
        front ^= 1;
        flip_queued = 0;
    }
    if (flip_requested) {
        mmio_write(LCD_UPBASE, (uint32_t)framebuffers[front ^ 1]);
        flip_requested = 0;
        flip_queued = 1;
    }
    if (kit_keys_sampler)
        kit_keys_sampler();
    if (frame_hook)
        frame_hook();
}

void lcd_init(void)
{
    mmio_write(LCD_CONTROL, 0);
    memset(framebuffers, 0, sizeof framebuffers);
    front = 0;
    flip_requested = flip_queued = 0;
    /* 60 frames a second from the 12 MHz CLCDCLK: PCD = 0 divides it by 2;
       a line is 320 pixels + 80 of sync and porches (HSW 6, HFP 38, HBP 36),
       a frame 240 lines + 10 (VSW 1, VFP 3, VBP 6): 2 x 400 x 250 = 200000
       clocks.  PPL = 320 / 16 - 1, LPP = 240 - 1, CPL = 320 - 1. */
    mmio_write(LCD_TIMING0, 35u << 24 | 37u << 16 | 5u << 8 | 19u << 2);
    mmio_write(LCD_TIMING1, 6u << 24 | 3u << 16 | 0u << 10 | 239u);
    mmio_write(LCD_TIMING2, 319u << 16);
    mmio_write(LCD_TIMING3, 0);
    mmio_write(LCD_UPBASE, (uint32_t)framebuffers[0]);
    mmio_write(LCD_ICR, INT_ALL);
    mmio_write(LCD_IMSC, INT_LNBU);
    irq_attach(IRQ_LCD, lcd_isr);
    mmio_write(LCD_CONTROL, CONTROL_565);
}

void lcd_flip(void)
{
    flip_requested = 1;
}

bool lcd_flip_pending(void)
{
    return flip_requested || flip_queued;
}

void lcd_present(void)
{
    lcd_flip();
    WAIT_UNTIL(!flip_requested && !flip_queued);
}

color_t *lcd_back(void)
{
    return framebuffers[front ^ 1];
}

color_t *lcd_front(void)
{
    return framebuffers[front];
}

uint32_t lcd_frames(void)
{
    return frames;
}

void lcd_on_frame(irq_handler fn)
{
    frame_hook = fn;
}

void lcd_copy_front(void)
{
    memcpy(lcd_back(), lcd_front(), sizeof framebuffers[0]);
}

/* ---------------------------------------------------------------- drawing */
void lcd_clear(color_t c)
{
    uint32_t two = (uint32_t)c << 16 | c;
    uint32_t *p = (uint32_t *)lcd_back();
    uint32_t *end = p + LCD_WIDTH * LCD_HEIGHT / 2;
    while (p < end) {
        p[0] = two;
        p[1] = two;
        p[2] = two;
        p[3] = two;
        p += 4;
    }
}

void lcd_pixel(int x, int y, color_t c)
{
    if ((unsigned)x < LCD_WIDTH && (unsigned)y < LCD_HEIGHT)
        lcd_back()[y * LCD_WIDTH + x] = c;
}

void lcd_rect(int x, int y, int w, int h, color_t c)
{
    if (x < 0) {
        w += x;
        x = 0;
    }
    if (y < 0) {
        h += y;
        y = 0;
    }
    if (x + w > LCD_WIDTH)
        w = LCD_WIDTH - x;
    if (y + h > LCD_HEIGHT)
        h = LCD_HEIGHT - y;
    if (w <= 0 || h <= 0)
        return;
    color_t *row = lcd_back() + y * LCD_WIDTH + x;
    uint32_t two = (uint32_t)c << 16 | c;
    for (; h > 0; h--, row += LCD_WIDTH) {
        color_t *p = row;
        int n = w;
        if ((uintptr_t)p & 2) {
            *p++ = c;
            n--;
        }
        uint32_t *q = (uint32_t *)p;
        for (; n >= 2; n -= 2)
            *q++ = two;
        if (n)
            *(color_t *)q = c;
    }
}

void lcd_hline(int x, int y, int w, color_t c)
{
    lcd_rect(x, y, w, 1, c);
}

void lcd_vline(int x, int y, int h, color_t c)
{
    lcd_rect(x, y, 1, h, c);
}

void lcd_frame(int x, int y, int w, int h, color_t c)
{
    if (w <= 0 || h <= 0)
        return;
    lcd_rect(x, y, w, 1, c);
    lcd_rect(x, y + h - 1, w, 1, c);
    lcd_rect(x, y, 1, h, c);
    lcd_rect(x + w - 1, y, 1, h, c);
}

/* Bresenham's line, calling dot(x, y, r, c) at every point. */
static void trace(int x0, int y0, int x1, int y1, int r, color_t c,
                  void (*dot)(int, int, int, color_t))
{
    int dx = x1 > x0 ? x1 - x0 : x0 - x1;
    int dy = y1 > y0 ? y0 - y1 : y1 - y0;
    int sx = x0 < x1 ? 1 : -1;
    int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        dot(x0, y0, r, c);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

static void dot1(int x, int y, int r, color_t c)
{
    (void)r;
    lcd_pixel(x, y, c);
}

void lcd_line(int x0, int y0, int x1, int y1, color_t c)
{
    trace(x0, y0, x1, y1, 0, c, dot1);
}

void lcd_thick_line(int x0, int y0, int x1, int y1, int width, color_t c)
{
    if (width <= 1)
        trace(x0, y0, x1, y1, 0, c, dot1);
    else
        trace(x0, y0, x1, y1, width / 2, c, lcd_disc);
}

void lcd_circle(int cx, int cy, int r, color_t c)
{
    /* The midpoint circle, eight octants at a time. */
    int x = r, y = 0, err = 1 - r;
    while (x >= y) {
        lcd_pixel(cx + x, cy + y, c);
        lcd_pixel(cx - x, cy + y, c);
        lcd_pixel(cx + x, cy - y, c);
        lcd_pixel(cx - x, cy - y, c);
        lcd_pixel(cx + y, cy + x, c);
        lcd_pixel(cx - y, cy + x, c);
        lcd_pixel(cx + y, cy - x, c);
        lcd_pixel(cx - y, cy - x, c);
        y++;
        if (err < 0) {
            err += 2 * y + 1;
        } else {
            x--;
            err += 2 * (y - x) + 1;
        }
    }
}

void lcd_disc(int cx, int cy, int r, color_t c)
{
    for (int dy = -r; dy <= r; dy++) {
        int w = 0;
        while ((w + 1) * (w + 1) + dy * dy <= r * r + r)
            w++;
        lcd_hline(cx - w, cy + dy, 2 * w + 1, c);
    }
}

void lcd_gradient(int x, int y, int w, int h, uint32_t a, uint32_t b)
{
    if (h <= 0)
        return;
    int ar = a >> 16 & 255, ag = a >> 8 & 255, ab = a & 255;
    int br = b >> 16 & 255, bg = b >> 8 & 255, bb = b & 255;
    for (int i = 0; i < h; i++) {
        int d = h > 1 ? h - 1 : 1;
        int r = ar + (br - ar) * i / d;
        int g = ag + (bg - ag) * i / d;
        int bl = ab + (bb - ab) * i / d;
        lcd_hline(x, y + i, w, RGB(r, g, bl));
    }
}
