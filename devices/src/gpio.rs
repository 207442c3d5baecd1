//! The CX GPIO controller at 0x90000000, IRQ line 7 (hardware doc 2.11; Linux
//! `drivers/gpio/gpio-zevio.c`, reverse engineered: there is no public manual).
//!
//! Eight sections of eight GPIOs, 0x40 bytes apart; in each, one byte-wide register per word:
//!
//! | Off  | Read                                  | Write                          |
//! |------|---------------------------------------|--------------------------------|
//! | 0x00 | masked interrupt status               | ignored                        |
//! | 0x04 | interrupt status                      | 1 clears the bit               |
//! | 0x08 | interrupt mask (1 = masked)           | 1 unmasks (ZEVIO_GPIO_INT_UNMASK) |
//! | 0x0C | 0                                     | 1 masks (ZEVIO_GPIO_INT_MASK)  |
//! | 0x10 | direction (1 = input)                 | same                           |
//! | 0x14 | output latch                          | same                           |
//! | 0x18 | pin levels                            | ignored                        |
//! | 0x1C | invert (stored, no effect)            | same                           |
//! | 0x20 | sticky/level select (stored)          | same                           |
//! | 0x24 | unknown (stored)                      | same                           |
//!
//! Linux's driver comment names 0x08 "mask" and 0x0C "unmask", but its code (and its probe,
//! which writes 0xFF to 0x0C "to disable interrupts") uses the opposite; the code is followed.
//! An input pin whose level changes sets its interrupt status bit; the line is the OR of the
//! unmasked status bits. Interrupts start masked. The 0x200-byte block repeats through the
//! window.

use crate::stub::{merge_lanes, read_lanes, write_lanes};
use crate::{Context, Device, Size};
use serde::{Deserialize, Serialize};

const SECTIONS: usize = 8;

/// The levels Firebird's CX presents on the 64 pins at reset (doc 2.11).
pub const CX_INPUTS: u64 = 0x0000_1000_071F_001F;

/// The GPIO controller.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Gpio {
    /// Levels the board drives on each pin (bit 8s + n = GPIO n of section s).
    inputs: u64,
    direction: [u8; SECTIONS],
    output: [u8; SECTIONS],
    int_status: [u8; SECTIONS],
    int_mask: [u8; SECTIONS],
    invert: [u8; SECTIONS],
    sticky: [u8; SECTIONS],
    unknown24: [u8; SECTIONS],
}

impl Default for Gpio {
    fn default() -> Self {
        Gpio::new(CX_INPUTS)
    }
}

impl Gpio {
    /// A controller with every pin an input, the board driving `inputs` on them.
    pub fn new(inputs: u64) -> Gpio {
        Gpio {
            inputs,
            direction: [0xFF; SECTIONS],
            output: [0; SECTIONS],
            int_status: [0; SECTIONS],
            int_mask: [0xFF; SECTIONS],
            invert: [0; SECTIONS],
            sticky: [0; SECTIONS],
            unknown24: [0; SECTIONS],
        }
    }

    /// The board drives pin `pin` (0-63) to `level`; other pin numbers are ignored.
    pub fn set_input(&mut self, pin: usize, level: bool, ctx: &mut Context) {
        if pin < 64 {
            let bit = 1u64 << pin;
            let inputs = if level {
                self.inputs | bit
            } else {
                self.inputs & !bit
            };
            self.set_inputs(inputs, ctx);
        }
    }

    /// The board drives all 64 pins at once.
    pub fn set_inputs(&mut self, levels: u64, ctx: &mut Context) {
        let changed = (levels ^ self.inputs).to_le_bytes();
        for (s, &bits) in changed.iter().enumerate() {
            self.int_status[s] |= bits & self.direction[s];
        }
        self.inputs = levels;
        self.update_irq(ctx);
    }

    /// What the pins of section `s` read: the board's level on inputs, the latch on outputs.
    fn levels(&self, s: usize) -> u8 {
        let board = self.inputs.to_le_bytes()[s];
        (board & self.direction[s]) | (self.output[s] & !self.direction[s])
    }

    fn update_irq(&self, ctx: &mut Context) {
        let pending = (0..SECTIONS).any(|s| self.int_status[s] & !self.int_mask[s] != 0);
        ctx.set_irq(pending);
    }

    fn peek_word(&self, offset: u32) -> u32 {
        let s = ((offset >> 6) & 7) as usize;
        let value = match offset & 0x3C {
            0x00 => self.int_status[s] & !self.int_mask[s],
            0x04 => self.int_status[s],
            0x08 => self.int_mask[s],
            0x10 => self.direction[s],
            0x14 => self.output[s],
            0x18 => self.levels(s),
            0x1C => self.invert[s],
            0x20 => self.sticky[s],
            0x24 => self.unknown24[s],
            _ => 0,
        };
        value as u32
    }
}

impl Device for Gpio {
    fn read(&mut self, offset: u32, size: Size, _ctx: &mut Context) -> u32 {
        read_lanes(self.peek_word(offset), offset, size)
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let s = ((offset >> 6) & 7) as usize;
        let bits = write_lanes(value, offset, size) as u8;
        let merge = |old: u8| merge_lanes(old as u32, value, offset, size) as u8;
        match offset & 0x3C {
            0x04 => self.int_status[s] &= !bits,
            0x08 => self.int_mask[s] &= !bits,
            0x0C => self.int_mask[s] |= bits,
            0x10 => self.direction[s] = merge(self.direction[s]),
            0x14 => self.output[s] = merge(self.output[s]),
            0x1C => self.invert[s] = merge(self.invert[s]),
            0x20 => self.sticky[s] = merge(self.sticky[s]),
            0x24 => self.unknown24[s] = merge(self.unknown24[s]),
            _ => {}
        }
        self.update_irq(ctx);
    }

    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        Some(read_lanes(self.peek_word(offset), offset, size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    fn bench() -> Bench {
        Bench::new(132_000_000, Some(7))
    }

    #[test]
    fn reset_levels_and_direction() {
        let mut b = bench();
        let mut g = Gpio::default();
        let levels: Vec<u32> = (0..8).map(|s| b.read(&mut g, 0x40 * s + 0x18)).collect();
        assert_eq!(levels, [0x1F, 0x00, 0x1F, 0x07, 0x00, 0x10, 0x00, 0x00]);
        assert_eq!(b.read(&mut g, 0x10), 0xFF);
        // GPIO 2 (vbus on the CX) as an output driven low, then high.
        b.write(&mut g, 0x10, 0xFB);
        assert_eq!(b.read(&mut g, 0x18), 0x1B);
        b.write(&mut g, 0x14, 0x04);
        assert_eq!(b.read(&mut g, 0x18), 0x1F);
        assert_eq!(
            b.read(&mut g, 0x218),
            0x1F,
            "the block repeats every 0x200 bytes"
        );
    }

    #[test]
    fn input_changes_interrupt_when_unmasked() {
        let mut b = bench();
        let mut g = Gpio::new(0);
        // Linux's probe masks everything through 0x0C.
        for s in 0..4 {
            b.write(&mut g, 0x40 * s + 0x0C, 0xFF);
        }
        let mut ctx = b.ctx();
        g.set_input(9, true, &mut ctx);
        assert!(!b.line());
        assert_eq!(b.read(&mut g, 0x44), 0x02);
        assert_eq!(b.read(&mut g, 0x40), 0);
        b.write(&mut g, 0x48, 0x02);
        assert_eq!(b.read(&mut g, 0x48), 0xFD);
        assert!(b.line());
        assert_eq!(b.read(&mut g, 0x40), 0x02);
        b.write(&mut g, 0x44, 0x02);
        assert!(!b.line());
        // An output pin does not interrupt when the board's level on it changes.
        b.write(&mut g, 0x50, 0xFD);
        let mut ctx = b.ctx();
        g.set_input(9, false, &mut ctx);
        g.set_input(64, true, &mut ctx);
        assert!(!b.line());
    }

    #[test]
    fn any_access_is_harmless() {
        let mut b = bench();
        let mut g = Gpio::default();
        for offset in (0..0x400).chain([u32::MAX, 0xFFFF_FFFC, 0x10000]) {
            for size in [Size::Byte, Size::Half, Size::Word] {
                let mut ctx = b.ctx();
                g.write(offset, size, 0xFFFF_FFFF, &mut ctx);
                g.read(offset, size, &mut ctx);
                let _ = g.peek(offset, size, 0, 1);
            }
        }
    }
}
