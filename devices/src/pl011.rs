//! ARM PrimeCell UART (PL011) r1p5, the CX's serial port at 0x90020000, IRQ line 1 (hardware
//! doc 2.3; ARM DDI 0183 "PrimeCell UART (PL011) Technical Reference Manual").
//!
//! Transmission completes instantly: a byte written to UARTDR is appended to an output buffer the
//! machine drains with [`Pl011::take_output`]; the transmit FIFO is therefore always empty
//! (UARTFR.TXFE set, TXFF and BUSY clear). Nothing stalls the transmitter: a PL011 waits for its
//! receiver only under hardware flow control (UARTCR.CTSEn with nUARTCTS deasserted, TRM
//! "Hardware flow control"), and the model drives no modem lines, so bytes nobody takes are lost
//! as on a line with no cable at the other end; the buffer keeps only the latest
//! [`OUTPUT_LIMIT`] of them. (A host that takes them but cannot write them on, a pipe nobody
//! reads, holds the whole machine up instead: backpressure.) Bytes from the host enter with
//! [`Pl011::push_input`]; what does not fit in the receive FIFO waits in a backlog and moves in
//! as the guest reads, as if the sender honoured flow control, so no input is ever lost.
//!
//! The cell decodes `PADDR[11:2]` only, so its 4 KiB register block repeats through the window.
//! Like Firebird, the model transmits and receives whatever UARTCR's UARTEN/TXE/RXE say: a
//! guest that writes UARTDR before enabling the UART still gets its text out.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use crate::stub::{merge_lanes, read_lanes, write_lanes};
use crate::{Context, Device, Size};

/// Receive FIFO depth with UARTLCR_H.FEN set (TRM, "FIFOs": 32 entries each way); without
/// it, a one-byte holding register.
const FIFO_DEPTH: usize = 32;

/// The most transmitted bytes kept for the machine to take: past it the oldest go, so a guest
/// that writes with nobody draining (a machine with no console) cannot grow the host's memory.
const OUTPUT_LIMIT: usize = 64 * 1024;

// UARTFR bits (TRM, "Flag Register, UARTFR").
const FR_RXFE: u32 = 1 << 4;
const FR_RXFF: u32 = 1 << 6;
const FR_TXFE: u32 = 1 << 7;

const LCR_H_FEN: u32 = 1 << 4;
const CR_LBE: u32 = 1 << 7;

// Interrupt bits shared by UARTIMSC, UARTRIS, UARTMIS, UARTICR (TRM, "Interrupt Mask Set/Clear
// Register, UARTIMSC").
const INT_RX: u32 = 1 << 4;
const INT_TX: u32 = 1 << 5;
const INT_RT: u32 = 1 << 6;
/// Overrun error interrupt (UARTRIS.OERIS).
const INT_OE: u32 = 1 << 10;
/// UARTRSR.OE: a character arrived with the receive FIFO full and was lost.
const RSR_OE: u32 = 1 << 3;
const INT_ALL: u32 = 0x7FF;

/// UARTPeriphID0-3 and UARTPCellID0-3 as the CX reports them (doc 2.3, section 7): part 0x011,
/// designer 0x41 (ARM), revision 3 (r1p5).
const ID: [u8; 8] = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1];

/// The PL011 UART.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pl011 {
    /// Receive FIFO (front = oldest).
    rx: VecDeque<u8>,
    /// Host input waiting for room in the receive FIFO.
    backlog: VecDeque<u8>,
    /// Transmitted bytes not yet taken by the machine.
    output: Vec<u8>,
    ilpr: u32,
    ibrd: u32,
    fbrd: u32,
    lcr_h: u32,
    cr: u32,
    ifls: u32,
    imsc: u32,
    ris: u32,
    dmacr: u32,
    /// UARTRSR: the error status.
    rsr: u32,
}

impl Default for Pl011 {
    fn default() -> Self {
        Pl011::new()
    }
}

impl Pl011 {
    /// A UART in its reset state (TRM register summary: UARTCR 0x300, UARTIFLS 0x12, the
    /// rest 0).
    pub fn new() -> Pl011 {
        Pl011 {
            rx: VecDeque::new(),
            backlog: VecDeque::new(),
            output: Vec::new(),
            ilpr: 0,
            ibrd: 0,
            fbrd: 0,
            lcr_h: 0,
            cr: 0x300,
            rsr: 0,
            ifls: 0x12,
            imsc: 0,
            ris: 0,
            dmacr: 0,
        }
    }

    /// The bytes the guest has transmitted since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// Bytes arriving on the receive line.
    pub fn push_input(&mut self, bytes: &[u8], ctx: &mut Context) {
        self.backlog.extend(bytes);
        self.fill_rx();
        self.update_irq(ctx);
    }

    fn depth(&self) -> usize {
        if self.lcr_h & LCR_H_FEN != 0 {
            FIFO_DEPTH
        } else {
            1
        }
    }

    /// The receive FIFO level at which UARTRXINTR asserts: RXIFLSEL of UARTIFLS selects 1/8,
    /// 1/4, 1/2, 3/4 or 7/8 of the FIFO (TRM, UARTIFLS; the reserved codes act as 7/8 here); with
    /// the FIFO disabled, one character (TRM, "UARTRXINTR").
    fn rx_trigger(&self) -> usize {
        if self.lcr_h & LCR_H_FEN == 0 {
            return 1;
        }
        let eighths = match (self.ifls >> 3) & 7 {
            0 => 1,
            1 => 2,
            2 => 4,
            3 => 6,
            _ => 7,
        };
        FIFO_DEPTH * eighths / 8
    }

    /// Moves backlog bytes into the receive FIFO while there is room. RXRIS asserts when the
    /// level crosses the trigger upwards: it is a transition, not a level (TRM, "UARTRXINTR"; Linux
    /// amba-pl011 drains the FIFO at startup because of it). The receive timeout (RTRIS) is
    /// modelled as having elapsed as soon as data waits: the TRM asserts it after 32 bit periods
    /// of silence with data in the FIFO, which with no line timing is at once.
    fn fill_rx(&mut self) {
        let trigger = self.rx_trigger();
        while self.rx.len() < self.depth() {
            let Some(byte) = self.backlog.pop_front() else {
                break;
            };
            self.rx.push_back(byte);
            if self.rx.len() == trigger {
                self.ris |= INT_RX;
            }
            self.ris |= INT_RT;
        }
    }

    /// A character read from UARTDR: the FIFO drains, RXRIS clears once the level is below the
    /// trigger and RTRIS once the FIFO is empty (TRM, "UARTRXINTR",
    /// "UARTRTINTR").
    fn read_dr(&mut self) -> u32 {
        let byte = self.rx.pop_front().unwrap_or(0);
        if self.rx.len() < self.rx_trigger() {
            self.ris &= !INT_RX;
        }
        if self.rx.is_empty() {
            self.ris &= !INT_RT;
        }
        self.fill_rx();
        byte as u32
    }

    /// A character written to UARTDR. It leaves at once, so the transmit FIFO passes through its
    /// trigger level on the way back to empty and UARTTXINTR asserts. The PL011 asserts TXRIS on
    /// that transition only, never merely because the FIFO is empty (TRM, "UARTTXINTR"), so a
    /// driver sees one transmit interrupt per write until it clears it with UARTICR.TXIC or
    /// masks it.
    fn write_dr(&mut self, value: u32) {
        let byte = value as u8;
        if self.cr & CR_LBE != 0 {
            // Loopback (UARTCR.LBE): the transmit path feeds the receive path, as a line does:
            // a character arriving with the FIFO full is lost and flags an overrun (TRM,
            // "UARTRSR/UARTECR", OE). Only host input, which has no line timing, waits.
            if self.rx.len() >= self.depth() {
                self.rsr |= RSR_OE;
                self.ris |= INT_OE;
            } else {
                self.backlog.push_back(byte);
                self.fill_rx();
            }
        } else {
            if self.output.len() >= OUTPUT_LIMIT {
                // Dropping half at a time keeps the cost of a flood linear.
                self.output.drain(..OUTPUT_LIMIT / 2);
            }
            self.output.push(byte);
        }
        self.ris |= INT_TX;
    }

    fn fr(&self) -> u32 {
        let mut fr = FR_TXFE;
        if self.rx.is_empty() {
            fr |= FR_RXFE;
        }
        if self.rx.len() >= self.depth() {
            fr |= FR_RXFF;
        }
        fr
    }

    /// Registers that can be read without side effects.
    fn peek_word(&self, word: u32) -> u32 {
        match word {
            0x018 => self.fr(),
            0x020 => self.ilpr,
            0x024 => self.ibrd,
            0x028 => self.fbrd,
            0x02C => self.lcr_h,
            0x030 => self.cr,
            0x034 => self.ifls,
            0x038 => self.imsc,
            0x03C => self.ris,
            0x040 => self.ris & self.imsc,
            0x048 => self.dmacr,
            0xFE0..=0xFFC => ID[((word - 0xFE0) / 4) as usize] as u32,
            // UARTRSR: only overruns (in loopback) happen here; no framing, parity or break.
            0x004 => self.rsr,
            _ => 0,
        }
    }

    /// Drives UARTINTR, the OR of the masked interrupts (TRM, "UARTINTR").
    fn update_irq(&self, ctx: &mut Context) {
        ctx.set_irq(self.ris & self.imsc != 0);
    }
}

impl Device for Pl011 {
    fn read(&mut self, offset: u32, size: Size, ctx: &mut Context) -> u32 {
        let word = offset & 0xFFC;
        let value = if word == 0x000 {
            let v = self.read_dr();
            self.update_irq(ctx);
            v
        } else {
            self.peek_word(word)
        };
        read_lanes(value, offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let word = offset & 0xFFC;
        let old_fen = self.lcr_h & LCR_H_FEN;
        let merge = |old: u32, mask: u32| merge_lanes(old, value, offset, size) & mask;
        match word {
            0x000 => self.write_dr(write_lanes(value, offset, size)),
            0x020 => self.ilpr = merge(self.ilpr, 0xFF),
            0x024 => self.ibrd = merge(self.ibrd, 0xFFFF),
            0x028 => self.fbrd = merge(self.fbrd, 0x3F),
            0x02C => self.lcr_h = merge(self.lcr_h, 0xFF),
            0x030 => self.cr = merge(self.cr, 0xFF87),
            0x034 => self.ifls = merge(self.ifls, 0x3F),
            0x038 => self.imsc = merge(self.imsc, INT_ALL),
            0x044 => self.ris &= !write_lanes(value, offset, size),
            0x048 => self.dmacr = merge(self.dmacr, 0x7),
            // UARTECR: any write clears the error status.
            0x004 => self.rsr = 0,
            // The rest is read-only or reserved.
            _ => {}
        }
        if self.lcr_h & LCR_H_FEN != old_fen {
            // The FIFO grew or shrank: room may have appeared for waiting input.
            self.fill_rx();
        }
        self.update_irq(ctx);
    }

    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        let word = offset & 0xFFC;
        if word == 0x000 {
            // Reading UARTDR pops the receive FIFO.
            return None;
        }
        Some(read_lanes(self.peek_word(word), offset, size))
    }

    fn check_saved(&self, _current: &Self) -> Result<(), String> {
        if self.rx.len() > FIFO_DEPTH {
            return Err(format!(
                "{} bytes in a receive FIFO of {FIFO_DEPTH}",
                self.rx.len()
            ));
        }
        if self.output.len() > OUTPUT_LIMIT {
            return Err(format!(
                "{} transmitted bytes waiting, more than the {OUTPUT_LIMIT} kept",
                self.output.len()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    const DR: u32 = 0x000;
    const FR: u32 = 0x018;
    const LCR_H: u32 = 0x02C;
    const IFLS: u32 = 0x034;
    const IMSC: u32 = 0x038;
    const RIS: u32 = 0x03C;
    const MIS: u32 = 0x040;
    const ICR: u32 = 0x044;

    fn bench() -> Bench {
        Bench::new(132_000_000, Some(1))
    }

    #[test]
    fn reset_values_and_ids() {
        let mut b = bench();
        let mut u = Pl011::new();
        assert_eq!(b.read(&mut u, FR), 0x90);
        assert_eq!(b.read(&mut u, 0x030), 0x300);
        assert_eq!(b.read(&mut u, IFLS), 0x12);
        let ids: Vec<u32> = (0..8).map(|i| b.read(&mut u, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
        assert!(!b.line());
    }

    #[test]
    fn transmit_goes_to_output_and_raises_txis_once_per_write() {
        let mut b = bench();
        let mut u = Pl011::new();
        b.write(&mut u, IMSC, INT_TX);
        assert!(!b.line(), "an idle empty FIFO does not assert TXINTR");
        let mut ctx = b.ctx();
        u.write(DR, Size::Byte, b'h' as u32, &mut ctx);
        u.write(DR, Size::Word, 0x169, &mut ctx);
        assert_eq!(u.take_output(), b"hi");
        assert!(u.take_output().is_empty());
        assert!(b.line());
        assert_eq!(b.read(&mut u, MIS), INT_TX);
        b.write(&mut u, ICR, INT_TX);
        assert!(!b.line());
        assert_eq!(
            b.read(&mut u, FR) & (1 << 3 | 1 << 5),
            0,
            "never BUSY or TXFF"
        );
    }

    #[test]
    fn receive_without_fifo_one_character_triggers() {
        let mut b = bench();
        let mut u = Pl011::new();
        b.write(&mut u, IMSC, INT_RX | INT_RT);
        let mut ctx = b.ctx();
        u.push_input(b"ab", &mut ctx);
        assert!(b.line());
        assert_eq!(b.read(&mut u, RIS), INT_RX | INT_RT);
        assert_eq!(b.read(&mut u, FR), FR_TXFE | FR_RXFF);
        assert_eq!(u.peek(DR, Size::Word, 0, 1), None);
        assert_eq!(b.read(&mut u, DR), b'a' as u32);
        // 'b' moved in from the backlog: a fresh reception.
        assert_eq!(b.read(&mut u, RIS), INT_RX | INT_RT);
        assert_eq!(b.read(&mut u, DR), b'b' as u32);
        assert_eq!(b.read(&mut u, RIS), 0);
        assert_eq!(b.read(&mut u, FR), FR_TXFE | FR_RXFE);
        assert!(!b.line());
        assert_eq!(b.read(&mut u, DR), 0, "an empty FIFO reads 0");
    }

    #[test]
    fn fifo_trigger_level_and_timeout() {
        let mut b = bench();
        let mut u = Pl011::new();
        b.write(&mut u, LCR_H, 0x70); // 8N1, FEN
        b.write(&mut u, IFLS, 2 << 3); // RX at 1/2 = 16 characters
        b.write(&mut u, IMSC, INT_RX | INT_RT);
        let mut ctx = b.ctx();
        u.push_input(&[0x55; 15], &mut ctx);
        assert_eq!(
            b.read(&mut u, RIS),
            INT_RT,
            "below the trigger only the timeout"
        );
        let mut ctx = b.ctx();
        u.push_input(&[0x66; 20], &mut ctx);
        assert_eq!(b.read(&mut u, RIS), INT_RX | INT_RT);
        assert_eq!(b.read(&mut u, FR) & FR_RXFF, FR_RXFF);
        // Draining like Linux's pl011_fifo_to_tty: every byte arrives, in order.
        let mut got = Vec::new();
        while b.read(&mut u, FR) & FR_RXFE == 0 {
            got.push(b.read(&mut u, DR) as u8);
        }
        assert_eq!(got.len(), 35);
        assert_eq!(&got[..15], &[0x55; 15]);
        assert_eq!(&got[15..], &[0x66; 20]);
        assert_eq!(b.read(&mut u, RIS), 0);
        assert!(!b.line());
    }

    #[test]
    fn icr_clears_and_loopback_receives_own_output() {
        let mut b = bench();
        let mut u = Pl011::new();
        b.write(&mut u, 0x030, 0x381); // UARTEN, LBE, TXE, RXE
        b.write(&mut u, IMSC, INT_RX);
        b.write(&mut u, DR, b'x' as u32);
        assert!(u.take_output().is_empty());
        assert!(b.line());
        b.write(&mut u, ICR, INT_ALL);
        assert!(!b.line());
        assert_eq!(b.read(&mut u, DR), b'x' as u32);
    }

    #[test]
    fn loopback_past_a_full_fifo_is_an_overrun() {
        let mut b = bench();
        let mut u = Pl011::new();
        b.write(&mut u, 0x02C, 0x70); // 8 bits, FIFOs on
        b.write(&mut u, 0x030, 0x381); // UARTEN, LBE, TXE, RXE
        b.write(&mut u, IMSC, INT_OE);
        for byte in 0..40 {
            b.write(&mut u, DR, byte);
        }
        // 32 characters fit; the 33rd set OE in UARTRSR and OEIS, and the rest were lost.
        assert_eq!(b.read(&mut u, 0x004), RSR_OE);
        assert!(b.line());
        let received: Vec<u32> = (0..32).map(|_| b.read(&mut u, DR)).collect();
        assert_eq!(received, (0..32).collect::<Vec<u32>>());
        assert_ne!(b.read(&mut u, 0x018) & FR_RXFE, 0);
        b.write(&mut u, 0x004, 0); // UARTECR
        b.write(&mut u, ICR, INT_OE);
        assert_eq!(b.read(&mut u, 0x004), 0);
        assert!(!b.line());
    }

    #[test]
    fn any_access_is_harmless() {
        let mut b = bench();
        let mut u = Pl011::new();
        for offset in (0..0x1000)
            .step_by(1)
            .chain([u32::MAX, 0xFFFF_FFFC, 0x10000])
        {
            for size in [Size::Byte, Size::Half, Size::Word] {
                let mut ctx = b.ctx();
                u.write(offset, size, 0xFFFF_FFFF, &mut ctx);
                u.read(offset, size, &mut ctx);
                let _ = u.peek(offset, size, 0, 1);
            }
        }
    }

    #[test]
    fn a_flood_nobody_takes_keeps_only_the_latest_bytes() {
        let mut b = bench();
        let mut u = Pl011::new();
        let mut ctx = b.ctx();
        for n in 0..10 * OUTPUT_LIMIT as u32 {
            u.write(DR, Size::Byte, n % 251, &mut ctx);
            assert!(u.output.len() <= OUTPUT_LIMIT);
        }
        let output = u.take_output();
        assert!(output.len() > OUTPUT_LIMIT / 2, "{}", output.len());
        let last = 10 * OUTPUT_LIMIT as u32 - 1;
        let expected: Vec<u8> = (last + 1 - output.len() as u32..=last)
            .map(|n| (n % 251) as u8)
            .collect();
        assert_eq!(output, expected);
        assert!(u.take_output().is_empty());
    }

    #[test]
    fn a_saved_output_past_its_limit_is_refused() {
        let mut uart = Pl011::new();
        uart.output = vec![b'x'; OUTPUT_LIMIT];
        assert_eq!(uart.check_saved(&Pl011::new()), Ok(()));
        uart.output.push(b'x');
        let error = uart.check_saved(&Pl011::new()).unwrap_err();
        assert_eq!(
            error,
            "65537 transmitted bytes waiting, more than the 65536 kept"
        );
    }

    #[test]
    fn a_saved_receive_fifo_past_its_depth_is_refused() {
        let mut uart = Pl011::new();
        uart.rx.extend([0; FIFO_DEPTH]);
        assert_eq!(uart.check_saved(&Pl011::new()), Ok(()));
        uart.rx.push_back(0);
        let error = uart.check_saved(&Pl011::new()).unwrap_err();
        assert_eq!(error, "33 bytes in a receive FIFO of 32");
    }
}
