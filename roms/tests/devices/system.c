/*
 * system.c - the CX's system blocks: power management and clocks
 * (0x900B0000, line 15), misc (0x900A0000: model ID, fuse word, reset),
 * GPIO (0x90000000, line 7), and the identification registers of every
 * block that has them, the stand-ins for the unmodelled controllers
 * included.  The misc reset (Linux's restart: 2 to 0x900A0008) restarts the
 * ROM from the reset vector; it finds its state in SRAM, which a reset keeps.
 *
 * docs/hardware.md sections 1.2, 2.7, 2.8, 2.11, 2.14, 7; Linux's
 * clk-nspire.c for the clock word.
 */
#include "dev.h"

static const uint8_t vic_ids[8] = { 0x90, 0x11, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0x81 };
static const uint8_t sp804_ids[8] = { 0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
static const uint8_t pl011_ids[8] = { 0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
static const uint8_t pl031_ids[8] = { 0x31, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
static const uint8_t pl111_ids[8] = { 0x11, 0x11, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
static const uint8_t sp805_ids[8] = { 0x05, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

#define CX_CLOCKS 0x00561002u /* devices/src/power.rs CX_CLOCKS: 132 MHz */
#define CX_MODEL  0x101u

#define STATE       (SRAM + 0x1FF10)
#define STATE_FAILS (SRAM + 0x1FF14)
#define ARMED       0x4D495343u /* "MISC" */

static volatile uint32_t n_power;

static void power_isr(void)
{
    wr(POWER + 0x14, 1);
    n_power++;
}

static void identification(void)
{
    t_section("PrimeCell identification registers");
    t_ids(VIC, "PL190 VIC 0xDC000000", vic_ids);
    t_ids(FAST_TIMER, "SP804 0x90010000", sp804_ids);
    t_ids(TIMER1, "SP804 0x900C0000", sp804_ids);
    t_ids(TIMER2, "SP804 0x900D0000", sp804_ids);
    t_ids(UART, "PL011 0x90020000", pl011_ids);
    t_ids(WATCHDOG, "SP805 0x90060000", sp805_ids);
    t_ids(RTC, "PL031 0x90090000", pl031_ids);
    t_ids(LCD, "PL111 0xC0000000", pl111_ids);
    /* The memory controllers: peripheral IDs only (doc section 7). */
    t_periph_id(0x8FFF0000, "DMC-340 SDRAM controller 0x8FFF0000", 0x00141340);
    t_periph_id(0x8FFF1000, "PL351 NAND controller 0x8FFF1000", 0x00341351);
    t_periph_id(0xB8001000, "PL352 SRAM controller 0xB8001000", 0x00341352);

    t_section("other identification words");
    t_eq(rd(0xB0000000), 0x0042FA05, "USB 0 ID (0xB0000000)");
    t_eq(rd(0xB4000000), 0x0042FA05, "USB 1 ID (0xB4000000)");
    t_eq(rd(0x90050000 + 0xFC), 0x44570140, "DesignWare I2C component type (0x900500FC)");
    t_eq(rd(0xC4000000 + 0x110 + 3 * 0x20), 73, "ADC channel 3: touchpad keypad (0xC4000170)");
}

static void power(void)
{
    t_section("power management and clocks (0x900B0000)");
    uint32_t v = rd(POWER + 0x24);
    t_eq(v, CX_CLOCKS, "0x900B0024, the clock setting in force");
    /* Linux's clk-nspire decode. */
    uint32_t base = (v >> 8 & 1) ? 48 : 6 * (v >> 15 & 0x3F);
    uint32_t cpu_ratio = (v >> 1 & 0x7F) * (v >> 21 & 3);
    uint32_t ahb_ratio = cpu_ratio * ((v >> 12 & 7) + 1);
    t_dec(base, 264, "base clock (MHz)");
    t_dec(cpu_ratio ? base / cpu_ratio : 0, 132, "CPU clock (MHz)");
    t_dec(ahb_ratio ? base / ahb_ratio : 0, 66, "AHB clock (MHz)");
    t_eq(rd(POWER + 0x00), CX_CLOCKS, "0x900B0000, the setting to apply");
    t_eq(rd(POWER + 0x08), 0x2000, "0x900B0008");
    t_eq(rd(POWER + 0x28), 0x114, "0x900B0028 (ON key released)");
    t_eq(rd(POWER + 0x18) | rd(POWER + 0x20), 0, "bus disable 1 and 2 (0x18, 0x20)");
    wr(POWER + 0x04, 0xFFFFFFFF);
    t_eq(rd(POWER + 0x04), 0x1FFFFFF, "wake mask after writing ones (25 bits)");
    wr(POWER + 0x04, 0);
    wr(POWER + 0x18, 0x12345678);
    wr(POWER + 0x20, 0x9ABCDEF0);
    t_eq(rd(POWER + 0x18), 0x12345678, "bus disable 1 holds a value");
    t_eq(rd(POWER + 0x20), 0x9ABCDEF0, "bus disable 2 holds a value");
    /* What LL2 does before starting Linux: every peripheral on. */
    wr(POWER + 0x18, 0);
    wr(POWER + 0x20, 0);

    /* The fast timer counts the APB clock: AHB / 2. */
    uint32_t apb = ahb_ratio ? base * 1000000 / ahb_ratio / 2 : 0;
    t_dec(apb, APB_HZ, "APB clock from 0x900B0024 (Hz)");
    ref_start();
    wait_slow(1);
    uint32_t f = fast_now(), s = slow_now();
    wait_slow(328);
    f = fast_now() - f;
    s = slow_now() - s;
    t_near(f, muldiv(s, apb, SLOW_HZ), apb / SLOW_HZ + 8,
           "fast timer ticks in %u ticks of the 32768 Hz clock", s);

    /* Applying a clock setting raises the interrupt (line 15). */
    vic_vector(0, IRQ_POWER, power_isr);
    wr(POWER + 0x00, CX_CLOCKS);
    wr(POWER + 0x0C, 4);
    t_eq(rd(POWER + 0x24), CX_CLOCKS, "0x900B0024 after applying the same setting");
    t_eq(rd(VIC_RAWINTR) >> IRQ_POWER & 1, 1, "VIC line 15 after the apply");
    wr(POWER + 0x14, 1);
    t_eq(rd(VIC_RAWINTR) >> IRQ_POWER & 1, 0, "VIC line 15 after writing 0x14");
    n_power = 0;
    vic_enable(IRQ_POWER);
    wr(POWER + 0x0C, 4);
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    t_dec(n_power, 1, "power interrupts taken");
    t_eq(rd(VIC_RAWINTR) >> IRQ_POWER & 1, 0, "VIC line 15 after the handler");
    vic_disable(IRQ_POWER);
    wr(POWER + 0x10, 1);
    t_eq(rd(POWER + 0x10), 1, "ON-key interrupt enable (0x10) holds a value");
    t_eq(rd(VIC_RAWINTR) >> IRQ_POWER & 1, 0, "VIC line 15: ON not pressed");
    wr(POWER + 0x10, 0);
}

static void gpio(void)
{
    t_section("GPIO (0x90000000)");
    /* Firebird's CX input levels: 0x00001000071F001F, one byte per section. */
    static const uint8_t levels[8] = { 0x1F, 0x00, 0x1F, 0x07, 0x00, 0x10, 0x00, 0x00 };
    uint32_t dir = 0xFF, mask = 0xFF, status = 0, same = 1;
    for (int s = 0; s < 8; s++) {
        uint32_t sec = GPIO + 0x40 * s;
        dir &= rd(sec + 0x10);
        mask &= rd(sec + 0x08);
        status |= rd(sec + 0x04) | rd(sec + 0x00);
        if (rd(sec + 0x18) != levels[s])
            same = 0;
    }
    t_eq(dir, 0xFF, "direction of every section: all inputs (ANDed)");
    t_eq(mask, 0xFF, "interrupt mask of every section: all masked (ANDed)");
    t_eq(status, 0, "interrupt status of every section (ORed)");
    t_ok(same, "input levels of sections 0-7: 1f 00 1f 07 00 10 00 00");
    /* Pin 0 (input level 1) as an output: the latch drives it. */
    wr(GPIO + 0x14, 0);
    wr(GPIO + 0x10, 0xFE);
    t_eq(rd(GPIO + 0x18), 0x1E, "section 0, pin 0 an output driving 0");
    wr(GPIO + 0x14, 0x01);
    t_eq(rd(GPIO + 0x18), 0x1F, "...driving 1");
    t_eq(rd(GPIO + 0x14), 0x01, "output latch reads back");
    wr(GPIO + 0x10, 0xFF);
    t_eq(rd(GPIO + 0x18), 0x1F, "pin 0 an input again");
    wr(GPIO + 0x08, 0xFF);
    t_eq(rd(GPIO + 0x08), 0, "0x08 write unmasks (gpio-zevio)");
    wr(GPIO + 0x0C, 0xFF);
    t_eq(rd(GPIO + 0x08), 0xFF, "0x0C write masks");
    t_eq(rd(VIC_RAWINTR) >> IRQ_GPIO & 1, 0, "VIC line 7 idle");
}

static void misc_before_reset(void)
{
    t_section("misc (0x900A0000)");
    t_eq(rd(MISC + 0x00), CX_MODEL, "model ID: TI-Nspire CX");
    t_eq(rd(MISC + 0x04), 0, "0x900A0004");
    uint32_t hi = rd(MISC + 0x2C);
    t_eq(hi >> 26 & 0x1F, 0, "fuse word bits 62:58, ASIC user flags: non-CAS");

    t_section("reset through 0x900A0008");
    /* Leave traces the reset must clear. */
    wr(T_LOAD(TIMER2, 1), 1234);
    wr(VIC_INTENABLE, 1u << 30);
    wr(STATE_FAILS, t_failures());
    wr(STATE, ARMED);
    wr(MISC + 0x08, 2);
    for (volatile int i = 0; i < 1000; i++) {
    }
    wr(STATE, 0);
    t_ok(0, "the write of 2 to 0x900A0008 reset the machine");
}

static void misc_after_reset(void)
{
    wr(STATE, 0);
    t_section("after the reset through 0x900A0008");
    t_ok(1, "the ROM runs again from the reset vector");
    t_dec(rd(STATE_FAILS), 0, "failed checks before the reset");
    t_eq(rd(T_LOAD(TIMER2, 1)), 0, "timer Load back to its reset value");
    t_eq(rd(VIC_INTENABLE), 0, "VICINTENABLE back to its reset value");
    t_eq(rd(POWER + 0x24), CX_CLOCKS, "0x900B0024");
    t_eq(rd(MISC + 0x00), CX_MODEL, "model ID");
}

int main(void)
{
    t_printf("system: power, misc, GPIO, identification\n");
    if (rd(STATE) == ARMED) {
        misc_after_reset();
    } else {
        vic_setup();
        identification();
        power();
        gpio();
        misc_before_reset();
    }
    vic_setup();
    vic_check_unexpected();
    return t_done("system");
}
