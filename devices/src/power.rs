//! The CX power management and clock block at 0x900B0000, IRQ line 15 (hardware doc 2.7). A TI
//! design without public documentation; the layout is Firebird's and Linux's
//! (`drivers/clk/clk-nspire.c`, `arch/arm/mach-nspire/mmio.h`).
//!
//! | Off  | Read                           | Write                                        |
//! |------|--------------------------------|----------------------------------------------|
//! | 0x00 | clock setting to apply         | clock setting to apply                       |
//! | 0x04 | wake mask (25 bits)            | wake mask                                    |
//! | 0x08 | 0x2000                         | ignored                                      |
//! | 0x0C | 0                              | bit 2: apply 0x00, raise the interrupt       |
//! | 0x10 | ON-key interrupt enable        | nonzero enables the ON-key interrupt         |
//! | 0x14 | 0                              | clears the interrupt                         |
//! | 0x18 | NSPIRE_PWR_BUS_DISABLE1        | same                                         |
//! | 0x20 | NSPIRE_PWR_BUS_DISABLE2        | same                                         |
//! | 0x24 | current clock setting          | ignored                                      |
//! | 0x28 | 0x114, bit 4 clear while ON is pressed and at the first read after a press | ignored |
//!
//! The bus-disable masks are kept but gate nothing.

use crate::stub::{merge_lanes, read_lanes};
use crate::{Context, Device, Size};
use serde::{Deserialize, Serialize};

/// The clock setting the block reports at reset: base 264 MHz, CPU 132 MHz, AHB 66 MHz, APB
/// 33 MHz. It is the value Firebird's flash creation stores as the 132 MHz default, and one
/// Linux's clk-nspire decodes without dividing by zero (doc 2.7): Firebird's reset value
/// 0x0F1002 has bits 22:21 clear, which clk-nspire multiplies into its CPU ratio.
pub const CX_CLOCKS: u32 = 0x0056_1002;

/// 0x28 reads this with bit 4 cleared while the ON key is pressed (doc 2.7).
const STATUS: u32 = 0x114;
const STATUS_ON_RELEASED: u32 = 1 << 4;

/// The clock rates a clock setting selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRates {
    pub cpu_hz: u64,
    pub ahb_hz: u64,
    pub apb_hz: u64,
}

impl ClockRates {
    /// Decodes a CX clock setting as Firebird applies it (doc 2.7): with bit 8 set a fixed
    /// 48 MHz base and CPU = base >> bits 31:30; otherwise base = 6 MHz x bits 20:15 and
    /// CPU = base / bits 7:1 x 2 (2 when zero). AHB = CPU / (bits 14:12 + 1); APB = AHB / 2.
    pub fn decode(setting: u32) -> ClockRates {
        let v = setting as u64;
        let cpu_hz = if v & (1 << 8) != 0 {
            48_000_000 >> (v >> 30)
        } else {
            let base = 6_000_000 * ((v >> 15) & 0x3F);
            let divider = match v & 0xFE {
                0 => 2,
                d => d,
            };
            base / divider
        };
        let ahb_hz = cpu_hz / (((v >> 12) & 7) + 1);
        ClockRates {
            cpu_hz,
            ahb_hz,
            apb_hz: ahb_hz / 2,
        }
    }
}

/// The power management block.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Power {
    /// 0x00: the setting 0x0C bit 2 applies.
    clocks_load: u32,
    /// 0x24: the setting in force.
    clocks: u32,
    wake_mask: u32,
    on_irq_enable: u32,
    bus_disable1: u32,
    bus_disable2: u32,
    /// The interrupt is pending (a clock change or an ON-key press) until 0x14 is written.
    irq_pending: bool,
    on_pressed: bool,
    /// The ON key was pressed since 0x28 was last read. (A state saved before this existed
    /// loads with no such press.)
    #[serde(default)]
    on_unread: bool,
}

impl Default for Power {
    fn default() -> Self {
        Power::new()
    }
}

impl Power {
    /// The block in its reset state, running at [`CX_CLOCKS`].
    pub fn new() -> Power {
        Power {
            clocks_load: CX_CLOCKS,
            clocks: CX_CLOCKS,
            wake_mask: 0,
            on_irq_enable: 0,
            bus_disable1: 0,
            bus_disable2: 0,
            irq_pending: false,
            on_pressed: false,
            on_unread: false,
        }
    }

    /// The rates of the clock setting in force (0x24), for the machine to time itself by.
    pub fn clock_rates(&self) -> ClockRates {
        ClockRates::decode(self.clocks)
    }

    /// Presses or releases the ON key. A press interrupts when the guest enabled it at 0x10,
    /// and the next read of 0x28 reports it even if the key is released before.
    ///
    /// That is the emulator's, not the CX's: nothing scans the ON key, 0x28 shows it as it is
    /// when read, and a press that no read falls within is lost. The frontend's quick taps
    /// last one frame, and the kit reads 0x28 at every frame interrupt, so a tap spans a read
    /// unless the interrupt comes a few cycles late; a guest reading less often would miss taps
    /// outright. So the read is the ON key's scan, and a press waits for it, as a key of the
    /// matrix is reported by the scan after its release (`Keypad::scan`, which says why matrix
    /// keys are not held until read: for this one key there is no chord to make).
    pub fn set_on_key(&mut self, pressed: bool, ctx: &mut Context) {
        if pressed && !self.on_pressed {
            self.on_unread = true;
            if self.on_irq_enable != 0 {
                self.irq_pending = true;
            }
        }
        self.on_pressed = pressed;
        ctx.set_irq(self.irq_pending);
    }

    /// Whether the ON key is held down now.
    pub fn on_key_down(&self) -> bool {
        self.on_pressed
    }

    fn peek_word(&self, word: u32) -> u32 {
        match word {
            0x00 => self.clocks_load,
            0x04 => self.wake_mask,
            0x08 => 0x2000,
            0x10 => self.on_irq_enable,
            0x18 => self.bus_disable1,
            0x20 => self.bus_disable2,
            0x24 => self.clocks,
            0x28 if self.on_pressed || self.on_unread => STATUS & !STATUS_ON_RELEASED,
            0x28 => STATUS,
            _ => 0,
        }
    }
}

impl Device for Power {
    fn read(&mut self, offset: u32, size: Size, _ctx: &mut Context) -> u32 {
        let value = read_lanes(self.peek_word(offset & !3), offset, size);
        if offset & !3 == 0x28 {
            self.on_unread = false;
        }
        value
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, ctx: &mut Context) {
        let merge = |old: u32| merge_lanes(old, value, offset, size);
        match offset & !3 {
            0x00 => self.clocks_load = merge(self.clocks_load),
            0x04 => self.wake_mask = merge(self.wake_mask) & 0x1FF_FFFF,
            0x0C if merge(0) & 4 != 0 => {
                // Firebird: "CX boot1 expects an interrupt" once the new clocks are in force.
                self.clocks = self.clocks_load;
                self.irq_pending = true;
            }
            0x10 => self.on_irq_enable = merge(self.on_irq_enable),
            0x14 => self.irq_pending = false,
            0x18 => self.bus_disable1 = merge(self.bus_disable1),
            0x20 => self.bus_disable2 = merge(self.bus_disable2),
            _ => {}
        }
        ctx.set_irq(self.irq_pending);
    }

    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        Some(read_lanes(self.peek_word(offset & !3), offset, size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub::bench::Bench;

    fn bench() -> Bench {
        Bench::new(132_000_000, Some(15))
    }

    /// Linux's clk-nspire decode of a CX setting: (base, CPU, AHB) in MHz.
    fn clk_nspire_cx(v: u32) -> (u32, u32, u32) {
        let base = if (v >> 8) & 1 != 0 {
            48
        } else {
            6 * ((v >> 15) & 0x3F)
        };
        let base_cpu_ratio = ((v >> 1) & 0x7F) * ((v >> 21) & 3);
        let base_ahb_ratio = base_cpu_ratio * (((v >> 12) & 7) + 1);
        (base, base / base_cpu_ratio, base / base_ahb_ratio)
    }

    #[test]
    fn reset_clock_word_decodes_to_132_mhz_both_ways() {
        let mut b = bench();
        let mut p = Power::new();
        assert_eq!(b.read(&mut p, 0x24), 0x0056_1002);
        assert_eq!(clk_nspire_cx(b.read(&mut p, 0x24)), (264, 132, 66));
        assert_eq!(
            p.clock_rates(),
            ClockRates {
                cpu_hz: 132_000_000,
                ahb_hz: 66_000_000,
                apb_hz: 33_000_000
            }
        );
        // Firebird's reset value: 90 MHz by its own formula.
        assert_eq!(ClockRates::decode(0x0F1002).cpu_hz, 90_000_000);
        assert_eq!(b.read(&mut p, 0x08), 0x2000);
        assert_eq!(b.read(&mut p, 0x28), 0x114);
    }

    #[test]
    fn applying_clocks_interrupts_until_acknowledged() {
        let mut b = bench();
        let mut p = Power::new();
        b.write(&mut p, 0x00, 0x0F1002);
        assert_eq!(
            b.read(&mut p, 0x24),
            CX_CLOCKS,
            "not in force before the apply"
        );
        b.write(&mut p, 0x0C, 1);
        assert!(!b.line());
        b.write(&mut p, 0x0C, 4);
        assert_eq!(b.read(&mut p, 0x24), 0x0F1002);
        assert!(b.line());
        b.write(&mut p, 0x14, 0);
        assert!(!b.line());
    }

    #[test]
    fn bus_disable_masks_and_on_key() {
        let mut b = bench();
        let mut p = Power::new();
        b.write(&mut p, 0x18, 0xFFFF_FFFF);
        b.write(&mut p, 0x20, 0x10);
        assert_eq!(b.read(&mut p, 0x18), 0xFFFF_FFFF);
        b.write(&mut p, 0x18, 0); // what LL2 does before booting Linux
        assert_eq!((b.read(&mut p, 0x18), b.read(&mut p, 0x20)), (0, 0x10));

        let mut ctx = b.ctx();
        p.set_on_key(true, &mut ctx);
        assert!(!b.line(), "the ON interrupt is disabled");
        assert_eq!(b.read(&mut p, 0x28), 0x104);
        let mut ctx = b.ctx();
        p.set_on_key(false, &mut ctx);
        assert_eq!(b.read(&mut p, 0x28), 0x114);
        b.write(&mut p, 0x10, 1);
        let mut ctx = b.ctx();
        p.set_on_key(true, &mut ctx);
        assert!(b.line());
        b.write(&mut p, 0x14, 0);
        assert!(!b.line());
    }

    /// An ON press released before 0x28 is read is reported by that read, and by no other; a
    /// peek (the monitor, gdb) does not count as the read.
    #[test]
    fn an_on_tap_waits_for_a_read() {
        let mut b = bench();
        let mut p = Power::new();
        let mut ctx = b.ctx();
        p.set_on_key(true, &mut ctx);
        p.set_on_key(false, &mut ctx);
        assert_eq!(p.peek(0x28, Size::Word, 0, 1), Some(0x104));
        assert_eq!(
            p.read(0x28, Size::Byte, &mut ctx),
            0x04,
            "a byte read counts too"
        );
        assert_eq!(b.read(&mut p, 0x28), 0x114);
        let mut ctx = b.ctx();
        p.set_on_key(true, &mut ctx);
        assert_eq!(b.read(&mut p, 0x28), 0x104);
        assert_eq!(b.read(&mut p, 0x28), 0x104, "held");
        let mut ctx = b.ctx();
        p.set_on_key(false, &mut ctx);
        assert_eq!(
            b.read(&mut p, 0x28),
            0x114,
            "a press seen while held is not reported again"
        );
    }

    /// A press not yet read is part of the saved state; a state saved before there was such
    /// a thing loads with none.
    #[test]
    fn an_on_tap_not_yet_read_is_saved() {
        let mut b = bench();
        let mut p = Power::new();
        let mut ctx = b.ctx();
        p.set_on_key(true, &mut ctx);
        p.set_on_key(false, &mut ctx);
        let saved = ron::to_string(&p).unwrap();
        let mut restored: Power = ron::from_str(&saved).unwrap();
        assert_eq!(b.read(&mut restored, 0x28), 0x104);
        let older = saved.replace(",on_unread:true", "");
        assert_ne!(older, saved);
        let mut restored: Power = ron::from_str(&older).unwrap();
        assert_eq!(b.read(&mut restored, 0x28), 0x114);
    }

    #[test]
    fn any_access_is_harmless() {
        let mut b = bench();
        let mut p = Power::new();
        for offset in (0..0x100).chain([u32::MAX, 0xFFFF_FFFC, 0x10000]) {
            for size in [Size::Byte, Size::Half, Size::Word] {
                let mut ctx = b.ctx();
                p.write(offset, size, 0xFFFF_FFFF, &mut ctx);
                p.read(offset, size, &mut ctx);
                let _ = p.peek(offset, size, 0, 1);
            }
        }
        for setting in [0, u32::MAX, 1 << 8, 0xC000_0100] {
            let _ = ClockRates::decode(setting);
        }
    }
}
