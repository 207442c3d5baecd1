/*
 * demo.c - the TI-Nspire CX emulator's built-in demo ROM: what `emu` runs
 * when it is given no ROM.
 *
 * A raw boot ROM built with the homebrew kit (roms/kit).  First it prints a
 * banner through semihosting, identifies the CPU from CP15's main ID
 * register and runs a few self-checks in ARM and in Thumb state (calling
 * between the two), printing each result.  Then it runs the LCD show for
 * ever, about 30 pictures a second, double-buffered: the time and date from
 * the RTC, the self-checks' results, a band of colour that moves, the keys
 * being held on a small map of the key matrix, the last key pressed, and a
 * dot the arrow keys (8 2 4 6) move about and Enter recolours.  Each key
 * pressed is also printed through semihosting.
 */
#include "kit.h"

/* The Thumb half of the demo (thumb.c). */
uint32_t crc32_thumb(const char *s, uint32_t len);
uint32_t thumb_sum_map(uint32_t (*fn)(uint32_t), uint32_t n);
color_t hue_colour(int degrees);

/* ------------------------------------------------------------ self-checks */
static int failures;                      /* .bss: crt0 zeroes it */
static uint32_t data_magic = 0xC0DEF00Du; /* .data: crt0 copies it from ROM */

#define CHECKS 5
static const char *const check_names[CHECKS] = {
    "crt0 .data, .bss", "Thumb CRC-32", "Thumb -> ARM", "ARM sieve", "ARMv5TE DSP",
};
static bool check_ok[CHECKS];

static void check(int i, int ok)
{
    sh_puts(ok ? "  ok\n" : "  MISMATCH\n");
    check_ok[i] = ok;
    if (!ok)
        failures++;
}

static const char *arch_name(uint32_t arch)
{
    switch (arch) {
    case 0x1: return "ARMv4";
    case 0x2: return "ARMv4T";
    case 0x3: return "ARMv5";
    case 0x4: return "ARMv5T";
    case 0x5: return "ARMv5TE";
    case 0x6: return "ARMv5TEJ";
    case 0x7: return "ARMv6";
    case 0xF: return "see CPUID registers";
    default:  return "unknown";
    }
}

static const char *mode_name(uint32_t mode)
{
    switch (mode) {
    case 0x10: return "USR";
    case 0x11: return "FIQ";
    case 0x12: return "IRQ";
    case 0x13: return "SVC";
    case 0x17: return "ABT";
    case 0x1B: return "UND";
    case 0x1F: return "SYS";
    default:   return "???";
    }
}

static void show_cpu(void)
{
    uint32_t midr = cpu_midr();
    uint32_t implementer = midr >> 24;
    uint32_t variant = (midr >> 20) & 0xF;
    uint32_t arch = (midr >> 16) & 0xF;
    uint32_t part = (midr >> 4) & 0xFFF;
    uint32_t rev = midr & 0xF;
    uint32_t cpsr = cpu_cpsr();

    sh_printf("CPU\n  MIDR         0x%08x\n", midr);
    sh_printf("  implementer  0x%02x (%s)\n", implementer,
              implementer == 0x41 ? "ARM Ltd." : "not ARM");
    sh_printf("  architecture %x (%s)\n", arch, arch_name(arch));
    sh_printf("  part         0x%03x (%s)\n", part, part == 0x926 ? "ARM926EJ-S" : "unknown part");
    sh_printf("  revision     r%up%u  =>  %s r%up%u\n", variant, rev,
              part == 0x926 && implementer == 0x41 ? "ARM926EJ-S" : "unknown core", variant, rev);
    sh_printf("  mode         %s, %s, %s, %s state\n\n", mode_name(cpsr & 0x1F),
              (cpsr & 0x80) ? "IRQ masked" : "IRQ enabled",
              (cpsr & 0x40) ? "FIQ masked" : "FIQ enabled", (cpsr & 0x20) ? "Thumb" : "ARM");
}

/* An ARM function the Thumb code calls back through a pointer. */
static uint32_t square_arm(uint32_t x)
{
    return x * x;
}

#define SIEVE_LIMIT 10000
static uint8_t composite[SIEVE_LIMIT]; /* .bss: zeroed by crt0 */

/* Sieve of Eratosthenes; returns the number of primes below SIEVE_LIMIT. */
static uint32_t sieve(uint32_t *largest)
{
    uint32_t count = 0;
    for (uint32_t i = 2; i < SIEVE_LIMIT; i++) {
        if (composite[i])
            continue;
        count++;
        *largest = i;
        for (uint32_t j = i * i; j < SIEVE_LIMIT; j += i)
            composite[j] = 1;
    }
    return count;
}

/* A few ARMv5TE-only instructions: CLZ, QADD (saturating) and SMULBB. */
static void dsp_demo(void)
{
    uint32_t clz, qsum, cpsr;
    int32_t prod;
    int32_t a = 0x7FFFFFF0, b = 0x100;
    uint32_t lo_neg3 = 0x1234FFFDu; /* bottom half = -3 */
    uint32_t lo_7 = 0xABCD0007u;    /* bottom half = 7 */

    __asm__ volatile("clz %0, %1" : "=r"(clz) : "r"(0x00010000u));
    /* Clear the sticky Q flag, saturate, then read it back. */
    __asm__ volatile("msr cpsr_f, #0\n\t"
                     "qadd %0, %2, %3\n\t"
                     "mrs %1, cpsr"
                     : "=&r"(qsum), "=&r"(cpsr)
                     : "r"(a), "r"(b)
                     : "cc");
    __asm__ volatile("smulbb %0, %1, %2" : "=r"(prod) : "r"(lo_neg3), "r"(lo_7));

    sh_printf("ARMv5TE: clz(0x00010000) = %u, qadd(0x7ffffff0, 0x100) = 0x%08x (%s), "
              "smulbb(-3, 7) = %d",
              clz, qsum, (cpsr & (1u << 27)) ? "Q set" : "Q clear", prod);
    check(4, clz == 15 && qsum == 0x7FFFFFFFu && (cpsr & (1u << 27)) && prod == -21);
}

static void self_checks(void)
{
    static const char fox[] = "The quick brown fox jumps over the lazy dog";

    sh_puts("\n"
            "  +------------------------------------------+\n"
            "  |        TI-Nspire CX emulator demo        |\n"
            "  |  a bare-metal ROM: LCD, keypad and clock |\n"
            "  +------------------------------------------+\n"
            "\n"
            "Hello! This program started at the reset vector, set up its\n"
            "stacks and is now running C code from ROM.\n\n");

    show_cpu();

    /* Did crt0 do its job? */
    sh_printf("crt0:       .data = 0x%08x (copied from ROM), .bss %s", data_magic,
              failures == 0 && composite[SIEVE_LIMIT - 1] == 0 ? "zeroed" : "NOT zeroed");
    check(0, data_magic == 0xC0DEF00Du && failures == 0 && composite[SIEVE_LIMIT - 1] == 0);
    data_magic++; /* .data is in RAM: writable */

    /* Thumb code, called from ARM (the linker turns the BL into BLX). */
    uint32_t crc = crc32_thumb(fox, sizeof fox - 1);
    sh_printf("Thumb:      CRC32(\"%s\") = 0x%08x", fox, crc);
    check(1, crc == 0x414FA339u);

    /* Thumb code calling ARM code back through a function pointer. */
    uint32_t sq = thumb_sum_map(square_arm, 100);
    sh_printf("Thumb->ARM: sum of squares 1..100 through a callback = %u", sq);
    check(2, sq == 338350u);

    /* Plain ARM code. */
    uint32_t largest = 0;
    uint32_t n = sieve(&largest);
    sh_printf("ARM:        primes below 10000: %u, the largest is %u", n, largest);
    check(3, n == 1229 && largest == 9973);
    sh_puts("ARM:        the first ten:");
    for (uint32_t i = 2, shown = 0; shown < 10; i++) {
        if (!composite[i]) {
            sh_printf(" %u", i);
            shown++;
        }
    }
    sh_putc('\n');

    dsp_demo();

    if (failures == 0)
        sh_puts("\nAll checks passed.\n");
    else
        sh_puts("\nSome checks FAILED.\n");
    sh_puts("Now the LCD shows the time from the RTC, the keys you press and some\n"
            "colour; the demo runs until the emulator stops.  Keys pressed:\n");
}

/* ------------------------------------------------------------ the show */
#define BG      RGB(18, 20, 34)
#define PANEL   RGB(30, 34, 56)
#define LABEL   RGB(150, 160, 190)

static uint32_t keys_pressed;
static int last_key = -1;
/* The dot the arrows move, in 1/16 pixels, and its colour. */
static int dot_x = 54 * 16, dot_y = 37 * 16, dot_hue = 200;
static uint32_t last_frame;

#define PLAY_X 204
#define PLAY_Y 146
#define PLAY_W 108
#define PLAY_H 74

static void draw_clock(void)
{
    struct datetime t;
    datetime_from_seconds(rtc_seconds(), &t);
    char buf[40];
    kit_snprintf(buf, sizeof buf, "%02d:%02d:%02d", t.hour, t.minute, t.second);
    lcd_rect(6, 40, 190, 56, PANEL);
    lcd_text_scaled(14, 46, buf, WHITE, NO_BG, 3);
    kit_snprintf(buf, sizeof buf, "%s %d %s %d", weekday_name(t.weekday), t.day,
                 month_name(t.month), t.year);
    lcd_text(14, 74, buf, YELLOW, NO_BG);
    lcd_text(14, 84, "UTC, from the RTC", LABEL, NO_BG);
}

static void draw_checks(void)
{
    lcd_rect(202, 40, 112, 56, PANEL);
    lcd_text(208, 42, failures ? "checks FAILED" : "checks passed", failures ? RED : GREEN,
             NO_BG);
    for (int i = 0; i < CHECKS; i++) {
        lcd_text(208, 52 + i * 9, check_ok[i] ? FONT_RIGHT_S : "x",
                 check_ok[i] ? GREEN : RED, NO_BG);
        lcd_text(216, 52 + i * 9, check_names[i], WHITE, NO_BG);
    }
}

static void draw_rainbow(uint32_t frame)
{
    /* A band of hues sliding to the left, with a light spot sweeping across. */
    int spot = (int)(frame * 3 % 400) - 40;
    for (int x = 0; x < LCD_WIDTH; x += 2) {
        color_t c = hue_colour((int)(x + frame * 2));
        int d = x - spot;
        if (d < 0)
            d = -d;
        if (d < 24) {
            /* Lighten towards white near the spot. */
            int r = (c >> 11) & 31, g = (c >> 5) & 63, b = c & 31;
            int k = 24 - d;
            r += (31 - r) * k / 32;
            g += (63 - g) * k / 32;
            b += (31 - b) * k / 32;
            c = (color_t)(r << 11 | g << 5 | b);
        }
        lcd_rect(x, 100, 2, 26, c);
    }
    lcd_text(9, 110, "65536 colours, 16 bits a pixel", BLACK, NO_BG);
    lcd_text(8, 109, "65536 colours, 16 bits a pixel", WHITE, NO_BG);
}

static void draw_keys(const keys_t *held)
{
    lcd_rect(6, 130, 190, 94, PANEL);
    lcd_text(12, 134, "keys held (the 8 x 11 matrix)", LABEL, NO_BG);
    for (int r = 0; r < KEY_ROWS; r++) {
        for (int c = 0; c < KEY_COLS; c++) {
            int key = KEY_CODE(r, c);
            color_t col = !key_name(key) ? PANEL
                          : keys_is_down(held, key) ? YELLOW
                          : key == last_key ? RGB(90, 110, 170)
                                            : RGB(60, 66, 96);
            lcd_rect(12 + c * 10, 145 + r * 6, 9, 5, col);
        }
    }
    lcd_text(126, 145, "last key", LABEL, NO_BG);
    const char *name = last_key >= 0 ? key_name(last_key) : "-";
    lcd_text_scaled(126, 157, name, WHITE, NO_BG, 2);
    lcd_printf(126, 178, LABEL, NO_BG, "%u pressed", keys_pressed);
    lcd_text(12, 196, keys_any(held) ? "" : "Press any key: letters,", LABEL, NO_BG);
    lcd_text(12, 206, keys_any(held) ? "" : "digits, Enter, Esc, ...", LABEL, NO_BG);
    if (keys_any(held)) {
        char buf[40];
        int n = 0;
        for (int k = 0; k < KEY_ROWS * 16 && n < 30; k++) {
            if (keys_is_down(held, k) && key_name(k))
                n += kit_snprintf(buf + n, sizeof buf - n, "%s%s", n ? " " : "", key_name(k));
        }
        lcd_text(12, 196, "held:", LABEL, NO_BG);
        lcd_text(12, 206, buf, YELLOW, NO_BG);
    }
}

static void draw_playground(void)
{
    lcd_rect(PLAY_X - 2, 130, PLAY_W + 4, 94, PANEL);
    lcd_text(PLAY_X + 2, 134, "arrows / Enter", LABEL, NO_BG);
    lcd_rect(PLAY_X, PLAY_Y, PLAY_W, PLAY_H, RGB(8, 10, 20));
    lcd_frame(PLAY_X, PLAY_Y, PLAY_W, PLAY_H, RGB(70, 80, 120));
    lcd_disc(PLAY_X + dot_x / 16, PLAY_Y + dot_y / 16, 6, hue_colour(dot_hue));
    lcd_circle(PLAY_X + dot_x / 16, PLAY_Y + dot_y / 16, 6, WHITE);
}

static void step(void)
{
    keys_poll();
    keys_t hits;
    keys_hits(&hits);
    for (int k = 0; k < KEY_ROWS * 16; k++) {
        if (keys_is_down(&hits, k) && key_name(k)) {
            last_key = k;
            keys_pressed++;
            sh_printf("  key %s\n", key_name(k));
        }
    }
    if (key_hit(KEY_ENTER))
        dot_hue = (dot_hue + 60) % 360;
    /* The dot moves 1.5 pixels a frame while an arrow is held. */
    uint32_t frame = lcd_frames();
    int frames = (int)(frame - last_frame);
    last_frame = frame;
    int speed = 24 * frames;
    if (key_down(KEY_LEFT))
        dot_x -= speed;
    if (key_down(KEY_RIGHT))
        dot_x += speed;
    if (key_down(KEY_UP))
        dot_y -= speed;
    if (key_down(KEY_DOWN))
        dot_y += speed;
    if (dot_x < 8 * 16)
        dot_x = 8 * 16;
    if (dot_x > (PLAY_W - 9) * 16)
        dot_x = (PLAY_W - 9) * 16;
    if (dot_y < 8 * 16)
        dot_y = 8 * 16;
    if (dot_y > (PLAY_H - 9) * 16)
        dot_y = (PLAY_H - 9) * 16;
}

static void draw(void)
{
    uint32_t frame = lcd_frames();
    keys_t held;
    keys_read(&held);

    lcd_clear(BG);
    lcd_gradient(0, 0, LCD_WIDTH, 36, 0x3a2a8a, 0x121422);
    lcd_text_scaled(8, 4, "TI-Nspire CX", WHITE, NO_BG, 2);
    lcd_text(8, 24, "emulator demo", RGB(200, 190, 255), NO_BG);
    lcd_printf(166, 8, RGB(200, 190, 255), NO_BG, "ARM926EJ-S r%up%u",
               (cpu_midr() >> 20) & 15, cpu_midr() & 15);
    lcd_text(166, 18, "64 MiB SDRAM, 320x240", RGB(200, 190, 255), NO_BG);

    draw_clock();
    draw_checks();
    draw_rainbow(frame);
    draw_keys(&held);
    draw_playground();

    lcd_printf(6, 229, LABEL, NO_BG, "frame %u", frame);
    lcd_text(80, 229, "F1 pause F2 reset F3 picture F12 quit", RGB(110, 116, 150), NO_BG);
}

int main(void)
{
    self_checks();

    lcd_init();
    keys_init();
    for (;;) {
        step();
        draw();
        lcd_present();
    }
}
