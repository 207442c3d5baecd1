/*
 * keys.c - a keypad tester: the CX's 8 x 11 key matrix drawn live.
 *
 * Every cell is a position of the matrix (row r, column c: bit c of the
 * 16-bit row r of KEYPAD_DATA at 0x900E0010), labelled with the key's name
 * as the emulator knows it (`emu keys`).  A key held down is yellow; a key
 * that has been pressed since the start stays blue, so a run through the
 * whole keyboard shows which keys work.  Below the matrix: the keys held,
 * the last key pressed with its position, and the raw KEYPAD_DATA rows.  The
 * ON key, which the CX reads from the power block rather than the matrix,
 * is shown where the matrix has its place (row 0, column 9).  Presses and
 * releases are also printed on the UART.
 */
#include "kit.h"

#define TOP    34 /* the matrix's first row */
#define CELL_H 21

static int col_x[KEY_COLS + 1]; /* left edges, and the right end */
static keys_t seen;
static int last_key = -1;

/* Column widths from the longest name in each column. */
static void layout(void)
{
    int widths[KEY_COLS], total = 0;
    for (int c = 0; c < KEY_COLS; c++) {
        int longest = 1;
        for (int r = 0; r < KEY_ROWS; r++) {
            const char *name = key_name(KEY_CODE(r, c));
            if (name && (int)strlen(name) > longest)
                longest = (int)strlen(name);
        }
        /* The text, a pixel of padding each side, a pixel of gap; the two
           six-letter columns go without padding to fit 320 pixels. */
        widths[c] = longest * FONT_ADVANCE + (longest >= 6 ? 0 : 2);
        total += widths[c];
    }
    /* Spread what is left over the columns from the left. */
    int spare = LCD_WIDTH - total;
    int x = 0;
    for (int c = 0; c < KEY_COLS; c++) {
        col_x[c] = x;
        x += widths[c] + (c < spare ? 1 : 0);
    }
    col_x[KEY_COLS] = x;
}

static void draw_matrix(const keys_t *held)
{
    char num[4];
    for (int c = 0; c < KEY_COLS; c++) {
        int w = col_x[c + 1] - col_x[c] - 1;
        kit_snprintf(num, sizeof num, "%d", c);
        lcd_text(col_x[c] + (w - text_width(num, 1)) / 2, TOP - 10, num, GREY, NO_BG);
        for (int r = 0; r < KEY_ROWS; r++) {
            int key = KEY_CODE(r, c);
            const char *name = key_name(key);
            int y = TOP + r * CELL_H;
            color_t bg, fg;
            if (!name) {
                bg = RGB(22, 24, 34);
                fg = bg;
            } else if (keys_is_down(held, key)) {
                bg = YELLOW;
                fg = BLACK;
            } else if (keys_is_down(&seen, key)) {
                bg = RGB(40, 80, 150);
                fg = WHITE;
            } else {
                bg = RGB(56, 60, 80);
                fg = RGB(210, 214, 230);
            }
            lcd_rect(col_x[c], y, w, CELL_H - 1, bg);
            if (key == last_key)
                lcd_frame(col_x[c], y, w, CELL_H - 1, keys_is_down(held, key) ? RED : WHITE);
            if (name)
                lcd_text(col_x[c] + (w - text_width(name, 1)) / 2, y + 6, name, fg, NO_BG);
        }
    }
}

static void draw(const keys_t *held)
{
    lcd_clear(RGB(12, 14, 22));
    lcd_text_scaled(4, 3, "Keypad tester", WHITE, NO_BG, 2);
    lcd_text(170, 3, "yellow: held down", YELLOW, NO_BG);
    lcd_text(170, 12, "blue: pressed before", RGB(110, 150, 230), NO_BG);
    draw_matrix(held);

    int y = TOP + KEY_ROWS * CELL_H + 3;
    char buf[64];
    int n = 0;
    for (int k = 0; k < KEY_ROWS * 16; k++)
        if (keys_is_down(held, k) && key_name(k) && n < 40)
            n += kit_snprintf(buf + n, sizeof buf - n, " %s", key_name(k));
    lcd_text(4, y, "held:", GREY, NO_BG);
    lcd_text(40, y, n ? buf + 1 : "nothing", n ? YELLOW : GREY, NO_BG);
    if (last_key >= 0)
        lcd_printf(4, y + 10, WHITE, NO_BG, "last: %s, row %d column %d (key code 0x%02x)",
                   key_name(last_key), KEY_ROW(last_key), KEY_COL(last_key), last_key);
    else
        lcd_text(4, y + 10, "last: none yet - press a key", GREY, NO_BG);
    /* The raw rows, as the controller has them (no ON key there). */
    n = kit_snprintf(buf, sizeof buf, "KEYPAD_DATA");
    for (int r = 0; r < KEY_ROWS; r++)
        n += kit_snprintf(buf + n, sizeof buf - n, " %04x",
                          (mmio_read(CX_KEYPAD + 0x10 + 2 * (r & ~1)) >> (16 * (r & 1))) & 0xFFFF);
    lcd_text(4, y + 20, buf, RGB(140, 200, 140), NO_BG);
}

int main(void)
{
    layout();
    lcd_init();
    keys_init();
    uart_puts("keys: the keypad tester is running; presses and releases follow\n");
    keys_t before = {{0}};
    for (;;) {
        keys_t held, hits;
        keys_poll();
        keys_hits(&hits);
        for (int r = 0; r < KEY_ROWS; r++)
            held.rows[r] = 0;
        for (int k = 0; k < KEY_ROWS * 16; k++) {
            if (key_down(k))
                held.rows[KEY_ROW(k)] |= (uint16_t)(1u << KEY_COL(k));
            if (!key_name(k))
                continue;
            /* Every press counts, even one released again before this poll. */
            if (keys_is_down(&hits, k)) {
                last_key = k;
                seen.rows[KEY_ROW(k)] |= (uint16_t)(1u << KEY_COL(k));
                uart_printf("keys: press %s (row %d, column %d)\n", key_name(k), KEY_ROW(k),
                            KEY_COL(k));
            }
            /* Released: down at the poll before, or tapped since (hit, and up again). */
            if (!key_down(k) && (keys_is_down(&before, k) || keys_is_down(&hits, k)))
                uart_printf("keys: release %s (row %d, column %d)\n", key_name(k), KEY_ROW(k),
                            KEY_COL(k));
        }
        before = held;
        draw(&held);
        lcd_present();
    }
}
