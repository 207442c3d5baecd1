/*
 * hello.c - text on the LCD: the smallest kit ROM worth looking at, and the
 * one to copy when you start your own (roms/README.md, "Write your first
 * ROM").
 *
 * main() draws one picture into the back buffer, shows it, says so on the
 * UART (the emulator's stdout) and then sleeps: the CPU waits for interrupts
 * (the LCD's frame interrupt wakes it 60 times a second) for ever.
 */
#include "kit.h"

int main(void)
{
    lcd_init();

    /* A dark blue background with a lighter band at the top. */
    lcd_clear(RGB(16, 24, 64));
    lcd_gradient(0, 0, LCD_WIDTH, 48, 0x3050C0, 0x101840);

    /* Text: the font is 6 x 8 pixels a character, scaled up for the title. */
    lcd_text_scaled(16, 12, "Hello, world!", WHITE, NO_BG, 3);
    lcd_text(16, 60, "This ROM runs on the emulated TI-Nspire CX:", YELLOW, NO_BG);
    lcd_text(16, 72, "an ARM926EJ-S, 64 MiB of SDRAM and a", WHITE, NO_BG);
    lcd_text(16, 84, "320 x 240 LCD with 65536 colours.", WHITE, NO_BG);
    lcd_printf(16, 102, CYAN, NO_BG, "CPU main ID register: 0x%08x", cpu_midr());

    /* Every character of the font: ASCII, then the extras (kit.h). */
    lcd_text(16, 124, "The built-in font:", YELLOW, NO_BG);
    char line[48];
    for (int row = 0; row < 3; row++) {
        int n = 0;
        for (int c = FONT_FIRST + row * 32; c < FONT_FIRST + row * 32 + 32 && c < 127; c++)
            line[n++] = (char)c;
        if (row == 2) {
            line[n++] = ' ';
            for (int c = 128; c <= FONT_LAST; c++)
                line[n++] = (char)c;
        }
        line[n] = '\0';
        lcd_text(16, 136 + row * 10, line, WHITE, NO_BG);
    }

    /* A strip of colours. */
    static const color_t strip[] = {RED, ORANGE, YELLOW, GREEN, CYAN, BLUE, MAGENTA, WHITE};
    for (int i = 0; i < 8; i++)
        lcd_rect(16 + i * 36, 176, 32, 16, strip[i]);

    lcd_text(16, 204, "Edit roms/demos/hello/hello.c, run make -C roms,", GREY, NO_BG);
    lcd_text(16, 216, "then emu run roms/demos/hello/hello.bin", GREY, NO_BG);

    lcd_present();
    uart_puts("hello: the picture is on the LCD\n");

    for (;;)
        cpu_wfi();
}
