/*
 * text.c - text with the built-in font (kit.h, font.c).
 */
#include "kit.h"

static const uint8_t *glyph(unsigned char c)
{
    if (c < FONT_FIRST || c > FONT_LAST)
        c = '?';
    return font8x8[c - FONT_FIRST];
}

static void draw_glyph(int x, int y, unsigned char c, color_t fg, uint32_t bg, int scale,
                       int advance)
{
    const uint8_t *g = glyph(c);
    if (bg != NO_BG)
        lcd_rect(x, y, advance * scale, 8 * scale, (color_t)bg);
    for (int row = 0; row < 8; row++) {
        uint8_t bits = g[row];
        for (int col = 0; bits; col++, bits <<= 1) {
            if (bits & 0x80) {
                if (scale == 1)
                    lcd_pixel(x + col, y + row, fg);
                else
                    lcd_rect(x + col * scale, y + row * scale, scale, scale, fg);
            }
        }
    }
}

int lcd_text_ex(int x, int y, const char *s, color_t fg, uint32_t bg, int scale, int advance)
{
    int x0 = x;
    if (scale < 1)
        scale = 1;
    for (; *s; s++) {
        if (*s == '\n') {
            x = x0;
            y += FONT_LINE * scale;
            continue;
        }
        draw_glyph(x, y, (unsigned char)*s, fg, bg, scale, advance);
        x += advance * scale;
    }
    return x;
}

int lcd_text(int x, int y, const char *s, color_t fg, uint32_t bg)
{
    return lcd_text_ex(x, y, s, fg, bg, 1, FONT_ADVANCE);
}

int lcd_text_scaled(int x, int y, const char *s, color_t fg, uint32_t bg, int scale)
{
    return lcd_text_ex(x, y, s, fg, bg, scale, FONT_ADVANCE);
}

int lcd_printf(int x, int y, color_t fg, uint32_t bg, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kit_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return lcd_text(x, y, buf, fg, bg);
}

int text_width(const char *s, int scale)
{
    int best = 0, n = 0;
    for (; *s; s++) {
        if (*s == '\n') {
            n = 0;
            continue;
        }
        if (++n > best)
            best = n;
    }
    /* The last character's spacing column is not part of the text. */
    return best ? (best * FONT_ADVANCE - 1) * (scale < 1 ? 1 : scale) : 0;
}
