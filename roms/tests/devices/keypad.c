/*
 * keypad.c - the keypad controller at 0x900E0000 (line 16): its registers
 * (Linux's names: SCAN_MODE, CNTL, INT, INTMSK, DATA, the touchpad/GPIO
 * interrupt words at 0x40/0x44), single and continuous scans with no key
 * pressed (DATA all zero) and the scan-done interrupt.
 *
 * A TI design without a public manual: docs/hardware.md section 2.6
 * and Linux's nspire-keypad.c.  The scan time checked, interval + rows x row
 * delay APB cycles, is Firebird's reading of SCAN_MODE (the hardware's exact
 * timing is not documented), so it is checked to within 1%.
 */
#include "dev.h"

#define SCAN_START 0x2u
#define SCAN_CONTINUOUS 0x1u
/* Linux's values for the CX device tree: row delay 200 us, interval 1 ms. */
#define ROW_DELAY (APB_HZ / 1000000 * 200)
#define INTERVAL  (APB_HZ / 1000000 * 1000)
#define SCAN_MODE(mode) ((mode) | ROW_DELAY << 2 | INTERVAL << 16)

static volatile uint32_t n_scans, int_seen, first_fast, last_fast;

static void keypad_isr(void)
{
    uint32_t f = fast_now();
    uint32_t status = rd(KP_INT);
    int_seen |= status;
    wr(KP_INT, status);
    if (n_scans == 0)
        first_fast = f;
    last_fast = f;
    n_scans++;
}

static void wait_scans(uint32_t scans)
{
    uint32_t target = n_scans + scans, wakes = 0;
    irq_enable();
    while (n_scans < target && wakes < 4 * scans + 10) {
        wfi();
        wakes++;
    }
    irq_disable();
}

static uint32_t data_or(void)
{
    uint32_t any = 0;
    for (uint32_t off = 0; off < 0x20; off += 4)
        any |= rd(KP_DATA + off);
    return any;
}

static void check_data_halves(void)
{
    uint32_t any = 0;
    for (uint32_t r = 0; r < 16; r++)
        any |= *(volatile uint16_t *)(KP_DATA + 2 * r);
    t_eq(any, 0, "KEYPAD_DATA rows 0-15 read as half-words (ORed)");
}

int main(void)
{
    t_printf("keypad: the keypad controller\n");

    t_section("reset values");
    t_eq(rd(KP_SCAN_MODE), 0, "SCAN_MODE (not scanning)");
    t_eq(rd(KP_INT), 0, "INT");
    t_eq(rd(KP_INTMSK), 0, "INTMSK");
    t_eq(data_or(), 0, "KEYPAD_DATA 0x10-0x2F (ORed)");
    t_eq(rd(KP_UNKNOWN_INT) | rd(KP_UNKNOWN_STS), 0, "0x40 | 0x44 (touchpad/GPIO interrupt)");

    t_section("registers");
    wr(KP_CNTL, 0xFFFFFFFF);
    t_eq(rd(KP_CNTL), 0xFFFF, "CNTL after writing ones (rows 7:0, columns 15:8)");
    wr(KP_CNTL, 8 | 11 << 8);
    t_eq(rd(KP_CNTL), 0x0B08, "CNTL 8 rows, 11 columns");
    wr(KP_INTMSK, 0xFF);
    t_eq(rd(KP_INTMSK), 7, "INTMSK after writing ones (3 bits)");
    wr(KP_SCAN_MODE, 0xABCD0004);
    t_eq(rd(KP_SCAN_MODE), 0xABCD0004, "SCAN_MODE with the scan bits clear holds its fields");
    wr(KP_SCAN_MODE, 0);
    t_eq(rd(KP_INT), 0, "INT: nothing scanned");
    /* Linux's probe. */
    wr(KP_INTMSK, 0);
    wr(KP_INT, 0xFFFFFFFF);
    wr(KP_UNKNOWN_INT, 0);
    wr(KP_UNKNOWN_STS, 0xFFFFFFFF);
    t_eq(rd(KP_INTMSK) | rd(KP_INT) | rd(KP_UNKNOWN_INT) | rd(KP_UNKNOWN_STS), 0,
         "after Linux's probe writes: INTMSK | INT | 0x40 | 0x44");
    wr(KP_UNKNOWN_INT, 0x800);
    t_eq(rd(KP_UNKNOWN_INT), 0x800, "0x40 holds a value");
    t_eq(rd(VIC_RAWINTR) >> IRQ_KEYPAD & 1, 0, "VIC line 16 idle (no touchpad event)");
    wr(KP_UNKNOWN_INT, 0);

    vic_setup();
    ref_start();
    vic_vector(0, IRQ_KEYPAD, keypad_isr);
    vic_enable(IRQ_KEYPAD);

    t_section("single scan, scan-done interrupt");
    wr(KP_INTMSK, 1);
    n_scans = int_seen = 0;
    uint32_t start = fast_now();
    wr(KP_SCAN_MODE, SCAN_MODE(SCAN_START));
    t_eq(rd(KP_SCAN_MODE) & 3, SCAN_START, "SCAN_MODE while scanning");
    wait_scans(1);
    uint32_t want = INTERVAL + 8 * ROW_DELAY;
    t_dec(n_scans, 1, "scan-done interrupts");
    t_near(last_fast - start, want, want / 100, "APB ticks to the end of the scan (interval + 8 rows)");
    t_eq(int_seen, 1, "INT in the handler: scan done, no data change");
    t_eq(rd(KP_SCAN_MODE), SCAN_MODE(0), "SCAN_MODE after a single scan: scan bits cleared");
    t_eq(rd(KP_INT), 0, "INT after the handler's write-1-to-clear");
    t_eq(data_or(), 0, "KEYPAD_DATA after the scan, no key pressed (ORed)");
    check_data_halves();
    uint32_t count = n_scans;
    irq_enable();
    sleep_slow(3 * muldiv(want, SLOW_HZ, APB_HZ));
    irq_disable();
    t_dec(n_scans - count, 0, "no further scans");

    t_section("continuous scanning");
    n_scans = int_seen = 0;
    wr(KP_SCAN_MODE, SCAN_MODE(SCAN_START | SCAN_CONTINUOUS));
    wait_scans(11);
    t_dec(n_scans, 11, "scan-done interrupts");
    t_near(last_fast - first_fast, 10 * want, 10 * want / 100, "APB ticks for 10 scans");
    t_eq(int_seen, 1, "INT bits seen: scan done only");
    t_eq(rd(KP_SCAN_MODE) & 3, 3, "SCAN_MODE keeps scanning");
    wr(KP_CNTL, 4 | 11 << 8);
    n_scans = 0;
    wait_scans(1); /* the scan under way when CNTL changed */
    n_scans = 0;
    wait_scans(11);
    uint32_t want4 = INTERVAL + 4 * ROW_DELAY;
    t_near(last_fast - first_fast, 10 * want4, 10 * want4 / 100, "APB ticks for 10 scans of 4 rows");
    wr(KP_CNTL, 8 | 11 << 8);
    wr(KP_SCAN_MODE, SCAN_MODE(0));
    wr(KP_INT, 3);
    count = n_scans;
    irq_enable();
    sleep_slow(3 * muldiv(want, SLOW_HZ, APB_HZ));
    irq_disable();
    t_dec(n_scans - count, 0, "scans after clearing the scan bits");

    t_section("Linux's open: interrupt on data change only");
    wr(KP_SCAN_MODE, SCAN_MODE(SCAN_START | SCAN_CONTINUOUS));
    wr(KP_CNTL, 8 | 11 << 8);
    wr(KP_INTMSK, 2);
    count = n_scans;
    irq_enable();
    sleep_slow(5 * muldiv(want, SLOW_HZ, APB_HZ));
    irq_disable();
    t_dec(n_scans - count, 0, "interrupts in 5 scan periods, no key pressed");
    t_eq(rd(KP_INT), 1, "INT: scan done (masked), no data change");
    t_eq(data_or(), 0, "KEYPAD_DATA (ORed)");
    wr(KP_SCAN_MODE, 0);
    wr(KP_INTMSK, 0);
    wr(KP_INT, 3);

    vic_setup();
    vic_check_unexpected();
    return t_done("keypad");
}
