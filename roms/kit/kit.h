/*
 * kit.h - the homebrew kit for the emulated TI-Nspire CX: everything a ROM
 * needs to draw on the LCD, read the keypad and the clock, take interrupts
 * and print.  One header; the library is the C files and crt0.S beside it, linked by
 * kit/kit.ld.  roms/README.md ("The homebrew kit") walks through it.
 *
 * What crt0.S has done before main() runs: the vectors are at 0, every mode
 * has a stack, .data is copied and .bss zeroed, the VIC has every line
 * disabled, timer 0x900C0000 #2 counts ticks() at 32768 Hz, and IRQs are
 * enabled in the CPSR (nothing interrupts until irq_attach() or an init
 * function enables a line).  main() runs in SVC mode; it may be ARM or Thumb
 * code.  If it returns, its value is the exit status (semihosting
 * SYS_EXIT_EXTENDED); without semihosting the CPU then halts.
 *
 * Everything here may be called from ARM or Thumb code.  Nothing here is
 * reentrant from interrupt handlers unless it says so: draw from handlers
 * only into a buffer the main program is not drawing into.
 */
#ifndef KIT_H
#define KIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ================================================================ the map */
#define CX_ROM      0x00000000u /* boot ROM, 512 KiB: this program */
#define CX_SDRAM    0x10000000u /* 64 MiB */
#define CX_SDRAM_SIZE 0x04000000u
#define CX_SRAM     0xA4000000u /* 128 KiB */
#define CX_UART     0x90020000u /* PL011 */
#define CX_RTC      0x90090000u /* PL031 layout: seconds at +0 */
#define CX_POWER    0x900B0000u
#define CX_TIMER1   0x900C0000u /* SP804 pair, 32768 Hz, IRQ 18 */
#define CX_TIMER2   0x900D0000u /* SP804 pair, 32768 Hz, IRQ 19 */
#define CX_KEYPAD   0x900E0000u
#define CX_LCD      0xC0000000u /* PL111 */
#define CX_VIC      0xDC000000u /* PL190 */

/* VIC lines. */
#define IRQ_UART   1
#define IRQ_RTC    4
#define IRQ_POWER  15
#define IRQ_KEYPAD 16
#define IRQ_TIMER1 18
#define IRQ_TIMER2 19
#define IRQ_LCD    21

static inline uint32_t mmio_read(uint32_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void mmio_write(uint32_t addr, uint32_t value)
{
    *(volatile uint32_t *)addr = value;
}

/* ================================================================ the CPU */
/* Mask / unmask IRQs in the CPSR (FIQ stays masked: the kit uses none). */
void irq_disable(void);
void irq_enable(void);
/* irq_save() masks IRQs and returns the old state for irq_restore(). */
uint32_t irq_save(void);
void irq_restore(uint32_t state);

/* Sleep until an interrupt is pending (CP15 wait-for-interrupt).  To wait for
   a flag an interrupt handler sets, without missing the interrupt, use
   WAIT_UNTIL: it tests with IRQs masked and sleeps only if the flag is not
   set yet (the CPU wakes on a pending IRQ even while it is masked).  It
   leaves IRQs enabled: use it in main-line code, not in a handler. */
void cpu_wfi(void);
#define WAIT_UNTIL(cond)                                                        \
    do {                                                                        \
        for (;;) {                                                              \
            irq_disable();                                                      \
            if (cond)                                                           \
                break;                                                          \
            cpu_wfi();                                                          \
            irq_enable();                                                       \
        }                                                                       \
        irq_enable();                                                           \
    } while (0)

uint32_t cpu_midr(void); /* CP15 main ID: 0x41069264 on the CX */
uint32_t cpu_cpsr(void);

/* Ends the program: semihosting SYS_EXIT_EXTENDED with `status`; without
   semihosting, masks every interrupt and halts. */
void kit_exit(int status) __attribute__((noreturn));

/* ========================================================== interrupts */
/* A handler is a plain C function (ARM or Thumb), called in IRQ mode with IRQs
   masked; it must clear its device's interrupt (the kit's own handlers do). */
typedef void (*irq_handler)(void);

/* Routes VIC line `line` (0-31) to `fn` and enables it; NULL disables it. */
void irq_attach(int line, irq_handler fn);
/* Called for a supervisor call (SVC) that is not semihosting:
   fn(number, regs) with regs[0..3] = r0-r3 at the SVC (write regs[0] to
   return a value).  Without a hook an SVC is a fatal error. */
typedef void (*svc_handler)(uint32_t number, uint32_t *regs);
void svc_hook(svc_handler fn);

/* ============================================================== timers */
/* The kit's use of the CX's timers: 0x900C0000 #2 counts ticks() (no
   interrupt), 0x900C0000 #1 wakes delay_ticks() (line 18), the pair at
   0x900D0000 is timer_periodic()'s (line 19).  The fast timer at 0x90010000
   is free. */
#define TICK_HZ 32768u
/* Ticks of the 32768 Hz clock since reset (timer 0x900C0000 #2, wraps after
   36 hours: compare with differences, ticks() - start). */
uint32_t ticks(void);
uint32_t millis(void); /* milliseconds since reset (wraps after 36 hours) */
void delay_ticks(uint32_t n); /* sleeps in WFI */
void delay_ms(uint32_t ms);

/* Periodic interrupts: timer n (0 or 1) of the SP804 pair at 0x900D0000
   calls fn `hz` times a second (1 to 32768; the period is rounded to whole
   ticks).  fn == NULL or hz == 0 stops it. */
void timer_periodic(int n, uint32_t hz, irq_handler fn);

/* ================================================================= RTC */
/* The RTC's counter: seconds since 1970-01-01 00:00 UTC.  It is read at
   rtc_base, CX_RTC until rtc_use_address() gives another (virtual) address
   for the RTC's page. */
uint32_t rtc_seconds(void);
void rtc_set_seconds(uint32_t seconds);
void rtc_use_address(uint32_t base);
/* Calls fn when the RTC's seconds change (its match interrupt, line 4). */
void rtc_every_second(irq_handler fn);

struct datetime {
    int year, month, day;        /* month 1-12, day 1-31 */
    int hour, minute, second;
    int weekday;                 /* 0 = Sunday */
};
void datetime_from_seconds(uint32_t seconds, struct datetime *out);
const char *weekday_name(int weekday); /* "Sunday" */
const char *month_name(int month);     /* "January" for 1 */

/* ================================================================= LCD */
#define LCD_WIDTH  320
#define LCD_HEIGHT 240

/* 16-bit 5:6:5 colour, red in the top bits. */
typedef uint16_t color_t;
#define RGB(r, g, b) ((color_t)((((r) & 0xF8) << 8) | (((g) & 0xFC) << 3) | (((b) & 0xFF) >> 3)))
#define BLACK   RGB(0, 0, 0)
#define WHITE   RGB(255, 255, 255)
#define GREY    RGB(128, 128, 128)
#define DARKGREY RGB(64, 64, 64)
#define RED     RGB(255, 0, 0)
#define GREEN   RGB(0, 255, 0)
#define BLUE    RGB(0, 0, 255)
#define YELLOW  RGB(255, 255, 0)
#define CYAN    RGB(0, 255, 255)
#define MAGENTA RGB(255, 0, 255)
#define ORANGE  RGB(255, 160, 0)
/* A background colour for text that leaves the pixels behind it alone. */
#define NO_BG   0xFFFFFFFFu

/* Switches the LCD on: 320x240, 16 bpp 5:6:5, 60 frames a second, two
   framebuffers in SDRAM (both cleared to black), the frame interrupt (line
   21) enabled.  Drawing goes to the back buffer, lcd_present() shows it. */
void lcd_init(void);
/* Double buffering.  lcd_flip() asks for the back buffer to be shown and
   returns at once: the next frame interrupt writes it to LCDUPBASE, the
   PL111 starts scanning it at the frame after, and that frame's interrupt
   hands the other buffer back as the new back buffer.  Until then
   lcd_flip_pending() is true and nothing may draw.  lcd_present() is
   lcd_flip() and waiting for that (at most 2 frames, so a program drawing
   every frame this way runs at 30 frames a second); it sleeps until the frame
   interrupts come, so an interrupt handler must use lcd_flip() instead. */
void lcd_flip(void);
bool lcd_flip_pending(void);
void lcd_present(void);
color_t *lcd_back(void);  /* the buffer drawing goes to */
color_t *lcd_front(void); /* the buffer on screen */
/* Frame interrupts since lcd_init(), and a hook the frame interrupt calls
   (after any swap), e.g. to run a game at 60 steps a second. */
uint32_t lcd_frames(void);
void lcd_on_frame(irq_handler fn);

/* Drawing into the back buffer, clipped to the screen. */
void lcd_clear(color_t c);
void lcd_pixel(int x, int y, color_t c);
void lcd_rect(int x, int y, int w, int h, color_t c);     /* filled */
void lcd_frame(int x, int y, int w, int h, color_t c);    /* outline, 1 pixel */
void lcd_hline(int x, int y, int w, color_t c);
void lcd_vline(int x, int y, int h, color_t c);
void lcd_line(int x0, int y0, int x1, int y1, color_t c);
/* A line `width` pixels wide, with round ends. */
void lcd_thick_line(int x0, int y0, int x1, int y1, int width, color_t c);
void lcd_circle(int cx, int cy, int r, color_t c);        /* outline */
void lcd_disc(int cx, int cy, int r, color_t c);          /* filled */
/* A vertical gradient from colour a (top) to b (bottom), both 0xRRGGBB. */
void lcd_gradient(int x, int y, int w, int h, uint32_t a, uint32_t b);
/* Copies the front buffer into the back one (for programs that change only
   part of the picture between frames). */
void lcd_copy_front(void);

/* ================================================================ text */
/* The built-in font: 8x8 cells, glyphs 5 pixels wide, characters 32-126 and
   the extras below (e.g. "20" FONT_DEGREE_S "C").  Text advances FONT_ADVANCE
   pixels a character; '\n' starts a new line FONT_LINE pixels lower. */
#define FONT_FIRST   32
#define FONT_LAST    137
#define FONT_ADVANCE 6
#define FONT_LINE    9
extern const uint8_t font8x8[FONT_LAST - FONT_FIRST + 1][8];
#define FONT_DEGREE_S  "\x80"
#define FONT_SQUARED_S "\x81"
#define FONT_LEFT_S    "\x82"
#define FONT_UP_S      "\x83"
#define FONT_RIGHT_S   "\x84"
#define FONT_DOWN_S    "\x85"
#define FONT_BLOCK_S   "\x86"
#define FONT_TIMES_S   "\x87"
#define FONT_DIVIDE_S  "\x88"
#define FONT_HEART_S   "\x89"

/* Draws s at (x, y) (its top left), fg on bg (NO_BG: transparent); returns
   the x after the last character.  _scaled draws each font pixel as a
   scale x scale block; _ex also sets the advance per character (in font
   pixels: 6 normally, 5 packs letters tighter). */
int lcd_text(int x, int y, const char *s, color_t fg, uint32_t bg);
int lcd_text_scaled(int x, int y, const char *s, color_t fg, uint32_t bg, int scale);
int lcd_text_ex(int x, int y, const char *s, color_t fg, uint32_t bg, int scale, int advance);
int lcd_printf(int x, int y, color_t fg, uint32_t bg, const char *fmt, ...);
/* Width in pixels of the longest line of s. */
int text_width(const char *s, int scale);

/* ============================================================== keypad */
/* A key is row * 16 + column of the CX's 8 x 11 key matrix (the rows of
   KEYPAD_DATA at 0x900E0010, pressed = 1).  The names are the emulator's
   (devices/src/keypad.rs KEYS; `emu keys`). */
enum key {
    KEY_RET = 0x00, KEY_ENTER = 0x01, KEY_NEG = 0x03, KEY_SPACE = 0x04, KEY_Z = 0x05,
    KEY_Y = 0x06, KEY_0 = 0x07, KEY_PUNCT = 0x08, KEY_ON = 0x09,
    KEY_X = 0x10, KEY_W = 0x11, KEY_V = 0x12, KEY_3 = 0x13, KEY_U = 0x14, KEY_T = 0x15,
    KEY_S = 0x16, KEY_1 = 0x17, KEY_PI = 0x18, KEY_TRIG = 0x19, KEY_POW10 = 0x1A,
    KEY_R = 0x20, KEY_Q = 0x21, KEY_P = 0x22, KEY_6 = 0x23, KEY_O = 0x24, KEY_N = 0x25,
    KEY_M = 0x26, KEY_4 = 0x27, KEY_EE = 0x28, KEY_SQU = 0x29,
    KEY_L = 0x30, KEY_K = 0x31, KEY_J = 0x32, KEY_9 = 0x33, KEY_I = 0x34, KEY_H = 0x35,
    KEY_G = 0x36, KEY_7 = 0x37, KEY_DIV = 0x38, KEY_EXP = 0x39,
    KEY_F = 0x40, KEY_E = 0x41, KEY_D = 0x42, KEY_C = 0x44, KEY_B = 0x45, KEY_A = 0x46,
    KEY_EQU = 0x47, KEY_MULT = 0x48, KEY_POW = 0x49,
    KEY_VAR = 0x51, KEY_MINUS = 0x52, KEY_PRIGHT = 0x53, KEY_DOT = 0x54, KEY_PLEFT = 0x55,
    KEY_5 = 0x56, KEY_CAT = 0x57, KEY_METRIX = 0x58, KEY_DEL = 0x59, KEY_PAD = 0x5A,
    KEY_FLAG = 0x60, KEY_PLUS = 0x62, KEY_DOC = 0x63, KEY_2 = 0x64, KEY_MENU = 0x65,
    KEY_8 = 0x66, KEY_ESC = 0x67, KEY_TAB = 0x69,
    KEY_SHIFT = 0x78, KEY_CTRL = 0x79, KEY_COMMA = 0x7A,
    /* The CX's arrows are on its touchpad, which is not modelled: ROMs use
       8 2 4 6, which the host's arrow keys press. */
    KEY_UP = KEY_8, KEY_DOWN = KEY_2, KEY_LEFT = KEY_4, KEY_RIGHT = KEY_6,
};
#define KEY_ROWS 8
#define KEY_COLS 11
#define KEY_CODE(row, col) ((row) * 16 + (col))
#define KEY_ROW(code) ((code) >> 4)
#define KEY_COL(code) ((code) & 15)

/* The keys down at one moment: a bit per key, row r in rows[r] (bit c =
   column c), and the ON key (which the CX wires to the power block, not the
   matrix; it shows here as row 0 column 9). */
typedef struct {
    uint16_t rows[KEY_ROWS];
} keys_t;

/* Starts the controller scanning the matrix continuously (every ~3 ms). */
void keys_init(void);
/* The keys down now. */
void keys_read(keys_t *k);
bool keys_is_down(const keys_t *k, int key);
bool keys_any(const keys_t *k);
/* Polling with edges: keys_poll() takes a new snapshot; key_down() asks it,
   key_hit() is true for a key pressed since the poll before: down now and
   not then, or, once lcd_init() has run too, pressed at any frame in between
   (the frame interrupt samples the keypad 60 times a second), so a quick tap
   between two polls is not lost. */
void keys_poll(void);
bool key_down(int key);
bool key_hit(int key);
void keys_hits(keys_t *out); /* all the keys hit, as a keys_t */
/* The first key hit (in row, then column order), or -1. */
int key_first_hit(void);
/* "aa", "enter", "n8", "on"...; NULL for a position with no key. */
const char *key_name(int key);
/* The key named `name`, or -1. */
int key_by_name(const char *name);

/* ============================================================ printing */
/* Semihosting: the emulator's --semihosting (always on for its built-in
   demo) prints these on the host's stdout.  Without semihosting the calls
   do nothing (the kit's SVC handler sees them arrive and returns). */
void sh_putc(char c);
void sh_puts(const char *s); /* no newline added */
int sh_printf(const char *fmt, ...);
bool sh_present(void);
/* The PL011 UART at 0x90020000, the emulator's console (stdout), always. */
void uart_putc(char c);
void uart_puts(const char *s);
int uart_printf(const char *fmt, ...);

/* printf-style formatting: %d %i %u %x %X %c %s %p %%, flags '-' and '0',
   (every number is 32 bits: int, unsigned and uint32_t alike; no floats),
   a width, a precision for %s, 'l' accepted and ignored.  Returns the
   length the whole text needs (it writes at most n - 1 characters and a
   NUL). */
int kit_snprintf(char *buf, size_t n, const char *fmt, ...);
int kit_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* ================================================================= MMU */
/* A first-level translation table (16 KiB, in .bss) and a few coarse
   second-level tables.  Build the map with the functions below, then
   mmu_enable().  Access is AP = 11 (read/write for every mode) in domain 0
   (client), uncached and unbuffered; MMU_READONLY gives AP = 10 (read-only
   from User mode: the kit runs privileged, so it is writable there too). */
#define MMU_READONLY 1u
/* Maps the 1 MiB sections covering [va, va + size) to [pa, pa + size). */
void mmu_map_sections(uint32_t va, uint32_t pa, uint32_t size, uint32_t flags);
/* Removes the sections (or coarse tables) covering [va, va + size). */
void mmu_unmap_sections(uint32_t va, uint32_t size);
/* Maps one 4 KiB page va -> pa through a coarse table (8 tables at most,
   each covering a 1 MiB section).  Returns false if out of tables or if the
   section is already a section mapping. */
bool mmu_map_page(uint32_t va, uint32_t pa, uint32_t flags);
/* What a kit program needs, mapped at the same addresses: the boot ROM,
   SDRAM, SRAM, the APB devices (0x90000000), the LCD and the VIC. */
void mmu_map_identity(void);
/* TTBR0 = the table, DACR = domain 0 client, TLBs invalidated, M set. */
void mmu_enable(void);
void mmu_disable(void);
/* The physical address va translates to by walking the table (no TLB), or
   0xFFFFFFFF if it is unmapped. */
uint32_t mmu_walk(uint32_t va);

/* ============================================================== little */
/* sin and cos of an angle in degrees, times 1024. */
int isin(int degrees);
int icos(int degrees);
/* A xorshift32 pseudo-random generator. */
void rand_seed(uint32_t seed);
uint32_t rand32(void);
uint32_t rand_below(uint32_t n); /* 0 .. n-1 */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
