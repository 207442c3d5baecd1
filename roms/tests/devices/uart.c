/*
 * uart.c - the PL011 UART at 0x90020000 (line 1): transmission by polling
 * and by the transmit interrupt (to the emulator's console), reception in
 * loopback mode (UARTCR.LBE) by polling, by the receive interrupt and by
 * the receive-timeout interrupt, the FIFO flags of UARTFR, the interrupt
 * registers.
 *
 * ARM DDI 0183 (PL011 r1p5); docs/hardware.md section 2.3.  The
 * emulator hands the host's stdin to the UART only without semihosting, so
 * reception is tested through the loopback path.  Lines starting "[UART]"
 * reach the console through the transmitter; the loopback text (which
 * contains "LOOPBACK") must not (emu/tests/device_roms.rs checks both).
 */
#include "dev.h"

static const uint8_t pl011_ids[8] = { 0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

#define FR_BUSY 0x08u
#define FR_RXFE 0x10u
#define FR_TXFF 0x20u
#define FR_RXFF 0x40u
#define FR_TXFE 0x80u
#define LCRH_FEN   0x10u
#define LCRH_WLEN8 0x60u
#define CR_UARTEN 0x001u
#define CR_LBE    0x080u
#define CR_TXE    0x100u
#define CR_RXE    0x200u
#define INT_RX 0x10u
#define INT_TX 0x20u
#define INT_RT 0x40u

static int length(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

static void put_polled(const char *s)
{
    for (; *s; s++) {
        while (rd(UART_FR) & FR_TXFF) {
        }
        wr(UART_DR, (uint8_t)*s);
    }
}

/* --------------------------------------------------- interrupt handler */
static const char *volatile tx_next;
static volatile uint32_t tx_irqs, tx_done;
static volatile char rx_buf[64];
static volatile uint32_t rx_len, rx_irqs, rt_irqs, other_irqs;

static void uart_isr(void)
{
    uint32_t mis = rd(UART_MIS);
    if (mis & INT_TX) {
        tx_irqs++;
        wr(UART_ICR, INT_TX);
        if (*tx_next) {
            wr(UART_DR, (uint8_t)*tx_next);
            tx_next++;
        } else {
            wr(UART_IMSC, rd(UART_IMSC) & ~INT_TX);
            tx_done = 1;
        }
    }
    if (mis & (INT_RX | INT_RT)) {
        if (mis & INT_RX)
            rx_irqs++;
        else
            rt_irqs++;
        while (!(rd(UART_FR) & FR_RXFE)) {
            uint32_t c = rd(UART_DR);
            if (rx_len < sizeof rx_buf)
                rx_buf[rx_len] = (char)c;
            rx_len++;
        }
        wr(UART_ICR, INT_RT);
    }
    if (mis & ~(INT_TX | INT_RX | INT_RT)) {
        other_irqs++;
        wr(UART_ICR, mis & ~(INT_TX | INT_RX | INT_RT));
    }
}

/* Runs with IRQs enabled until *flag is set (or a generous bound). */
static void run_until(volatile uint32_t *flag)
{
    irq_enable();
    for (uint32_t spins = 0; !*flag && spins < 100000; spins++) {
    }
    irq_disable();
}

static int rx_equals(const char *s)
{
    int n = length(s);
    if ((int)rx_len != n)
        return 0;
    for (int i = 0; i < n; i++)
        if (rx_buf[i] != s[i])
            return 0;
    return 1;
}

int main(void)
{
    t_printf("uart: the PL011 UART\n");

    t_section("reset values and identification");
    t_eq(rd(UART_FR) & 0xF8, FR_TXFE | FR_RXFE, "UARTFR (TXFE, RXFE; modem bits left out)");
    t_eq(rd(UART_CR), 0x300, "UARTCR (TXE, RXE)");
    t_eq(rd(UART_IFLS), 0x12, "UARTIFLS (1/2, 1/2)");
    t_eq(rd(UART_LCRH), 0, "UARTLCR_H");
    t_eq(rd(UART_IBRD) | rd(UART_FBRD), 0, "UARTIBRD|UARTFBRD");
    t_eq(rd(UART_IMSC), 0, "UARTIMSC");
    t_eq(rd(UART_RIS) & 0x7F0, 0, "UARTRIS (non-modem bits)");
    t_eq(rd(UART_MIS), 0, "UARTMIS");
    t_eq(rd(UART_DMACR), 0, "UARTDMACR");
    t_eq(rd(UART_RSR), 0, "UARTRSR (no errors)");
    t_ids(UART, "PL011", pl011_ids);

    t_section("register widths");
    wr(UART_IBRD, 0xFFFFFFFF);
    t_eq(rd(UART_IBRD), 0xFFFF, "UARTIBRD after writing ones (16 bits)");
    wr(UART_FBRD, 0xFFFFFFFF);
    t_eq(rd(UART_FBRD), 0x3F, "UARTFBRD after writing ones (6 bits)");
    wr(UART_IFLS, 0xFFFFFFFF);
    t_eq(rd(UART_IFLS), 0x3F, "UARTIFLS after writing ones (6 bits)");
    wr(UART_IMSC, 0xFFFFFFFF);
    t_eq(rd(UART_IMSC), 0x7FF, "UARTIMSC after writing ones (11 bits)");
    wr(UART_IMSC, 0);
    /* 115200 baud from the 12 MHz UARTCLK, 8 bits, FIFOs on. */
    wr(UART_CR, 0);
    wr(UART_IBRD, 6);
    wr(UART_FBRD, 33);
    wr(UART_LCRH, LCRH_WLEN8 | LCRH_FEN);
    wr(UART_IFLS, 0x12);
    wr(UART_ICR, 0x7FF);
    wr(UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
    t_eq(rd(UART_IBRD) << 8 | rd(UART_FBRD), 6 << 8 | 33, "UARTIBRD/UARTFBRD 6/33");
    t_eq(rd(UART_LCRH), 0x70, "UARTLCR_H (WLEN 8, FEN)");
    t_eq(rd(UART_CR), 0x301, "UARTCR (UARTEN, TXE, RXE)");

    vic_setup();
    vic_vector(0, IRQ_UART, uart_isr);
    vic_enable(IRQ_UART);

    t_section("transmission by polling");
    put_polled("[UART] polled transmission through the PL011\n");
    uint32_t fr = rd(UART_FR);
    t_eq(fr & (FR_TXFE | FR_TXFF | FR_BUSY), FR_TXFE,
         "UARTFR after the text: TXFE, not TXFF, not BUSY (transmission is instant here)");
    t_eq(rd(UART_RIS) & INT_TX, INT_TX, "UARTRIS.TX after writes (no mask needed)");
    wr(UART_ICR, INT_TX);
    t_eq(rd(UART_RIS) & INT_TX, 0, "UARTRIS.TX after UARTICR");

    t_section("transmission by the transmit interrupt");
    /* r1p5: the interrupt follows the FIFO's passage through the trigger
       level, not its level; unmasking it with the FIFO empty and nothing
       written raises nothing. */
    wr(UART_IMSC, INT_TX);
    t_eq(rd(UART_MIS), 0, "UARTMIS with TXIM set, nothing written");
    t_eq(rd(VIC_RAWINTR) >> IRQ_UART & 1, 0, "VIC line 1 idle");
    static const char text[] = "[UART] interrupt-driven transmission, one byte per interrupt\n";
    tx_next = text + 1;
    tx_irqs = tx_done = 0;
    wr(UART_DR, (uint8_t)text[0]);
    /* Printed once the line is out, to keep it in one piece on the console. */
    uint32_t mis1 = rd(UART_MIS), line1 = rd(VIC_RAWINTR) >> IRQ_UART & 1;
    run_until(&tx_done);
    t_eq(mis1, INT_TX, "UARTMIS after the first byte");
    t_eq(line1, 1, "VIC line 1 after the first byte");
    t_dec(tx_done, 1, "the handler sent the whole text");
    t_dec(tx_irqs, length(text), "transmit interrupts (one per byte, the last one ends)");
    t_eq(rd(UART_IMSC), 0, "UARTIMSC: the handler masked TXIM at the end");
    t_eq(rd(UART_RIS) & INT_TX, 0, "UARTRIS.TX");

    t_section("loopback, by polling");
    wr(UART_CR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
    t_eq(rd(UART_CR), 0x381, "UARTCR (LBE)");
    t_eq(rd(UART_FR) & FR_RXFE, FR_RXFE, "UARTFR.RXFE before");
    wr(UART_DR, 'L');
    t_eq(rd(UART_FR) & (FR_RXFE | FR_RXFF), 0, "UARTFR after one byte: RXFE and RXFF clear");
    t_eq(rd(UART_DR), 'L', "UARTDR reads the byte back (no error bits)");
    t_eq(rd(UART_FR) & FR_RXFE, FR_RXFE, "UARTFR.RXFE after reading it");
    static const char loop[] = "LOOPBACK 0123456789 abcdefghij ABCDEFGHIJ";
    int n = length(loop), same = 1;
    for (int i = 0; i < n; i += 8) {
        int k;
        for (k = i; k < n && k < i + 8; k++)
            wr(UART_DR, (uint8_t)loop[k]);
        for (k = i; k < n && k < i + 8; k++)
            if (rd(UART_DR) != (uint8_t)loop[k])
                same = 0;
    }
    t_ok(same, "%u bytes sent and received back, eight at a time", n);
    t_eq(rd(UART_FR) & FR_RXFE, FR_RXFE, "UARTFR.RXFE after");

    t_section("receive FIFO flags");
    for (int i = 0; i < 31; i++)
        wr(UART_DR, 'a' + i % 26);
    t_eq(rd(UART_FR) & (FR_RXFE | FR_RXFF), 0, "31 bytes: neither empty nor full");
    wr(UART_DR, '!');
    t_eq(rd(UART_FR) & (FR_RXFE | FR_RXFF), FR_RXFF, "32 bytes: RXFF (FIFO depth 32)");
    int got = 0;
    while (!(rd(UART_FR) & FR_RXFE) && got < 100) {
        (void)rd(UART_DR);
        got++;
    }
    t_dec(got, 32, "bytes read until RXFE");
    wr(UART_LCRH, LCRH_WLEN8);
    wr(UART_DR, 'x');
    t_eq(rd(UART_FR) & (FR_RXFE | FR_RXFF), FR_RXFF, "FIFO off: one byte fills the holding register");
    t_eq(rd(UART_DR), 'x', "...and reads back");
    t_eq(rd(UART_FR) & (FR_RXFE | FR_RXFF), FR_RXFE, "...then RXFE");
    wr(UART_LCRH, LCRH_WLEN8 | LCRH_FEN);

    t_section("receive interrupt (trigger level 1/2 = 16 bytes)");
    wr(UART_ICR, 0x7FF);
    wr(UART_IFLS, 2 << 3 | 2);
    wr(UART_IMSC, INT_RX);
    rx_len = rx_irqs = rt_irqs = 0;
    static const char sixteen[] = "LOOPBACK-16bytes";
    for (int i = 0; i < 15; i++)
        wr(UART_DR, (uint8_t)sixteen[i]);
    t_eq(rd(UART_RIS) & INT_RX, 0, "UARTRIS.RX with 15 bytes waiting");
    t_eq(rd(UART_MIS), 0, "UARTMIS with 15 bytes waiting");
    wr(UART_DR, (uint8_t)sixteen[15]);
    t_eq(rd(UART_RIS) & INT_RX, INT_RX, "UARTRIS.RX at the 16th byte");
    t_eq(rd(UART_MIS), INT_RX, "UARTMIS");
    run_until(&rx_irqs);
    t_dec(rx_irqs, 1, "receive interrupts");
    t_ok(rx_equals(sixteen), "the handler read the 16 bytes in order (%u)", rx_len);
    t_eq(rd(UART_RIS) & INT_RX, 0, "UARTRIS.RX once drained");

    t_section("receive-timeout interrupt");
    wr(UART_IMSC, INT_RT);
    rx_len = rx_irqs = rt_irqs = 0;
    static const char three[] = "LOOPBACK<3";
    for (int i = 0; i < 3; i++)
        wr(UART_DR, (uint8_t)three[i + 7]);
    run_until(&rt_irqs);
    t_dec(rt_irqs, 1, "receive-timeout interrupts for 3 bytes (below the trigger)");
    t_dec(rx_irqs, 0, "receive interrupts meanwhile (masked)");
    t_ok(rx_equals("K<3"), "the handler read the 3 bytes (%u)", rx_len);
    t_eq(rd(UART_RIS) & (INT_RT | INT_RX), 0, "UARTRIS.RT and RX once drained");
    wr(UART_IMSC, INT_RT | INT_RX);
    rx_len = rx_irqs = rt_irqs = 0;
    static const char twenty[] = "LOOPBACK: 20 bytes..";
    for (int i = 0; i < 20; i++)
        wr(UART_DR, (uint8_t)twenty[i]);
    run_until(&rx_len);
    t_ok(rx_equals(twenty), "20 bytes with both interrupts: all read (%u)", rx_len);
    t_dec(rx_irqs + rt_irqs, 1, "interrupts taken (the handler drains the FIFO)");
    t_dec(other_irqs, 0, "other UART interrupts");
    wr(UART_IMSC, 0);
    wr(UART_ICR, 0x7FF);

    t_section("loopback off again");
    wr(UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
    put_polled("[UART] back on the console after loopback\n");
    t_eq(rd(UART_FR) & FR_RXFE, FR_RXFE, "nothing received from the console (stdin belongs to semihosting)");
    t_eq(rd(VIC_RAWINTR) >> IRQ_UART & 1, 0, "VIC line 1 idle");

    vic_setup();
    vic_check_unexpected();
    return t_done("uart");
}
