//! A harmless stand-in for the windows the CX decodes but this emulator does not model: memory
//! and NAND controllers, SPI, the touchpad's I2C controller, the fastboot RAM, the LED block, the
//! contrast/HDQ block, ADC, USB, the crypto engines, SDIO (hardware doc 1.2).
//!
//! A stub reads 0 and ignores writes everywhere except at the registers it is given: fixed
//! values (IDs, status words a guest polls), plain read/write words, and optionally a block of
//! RAM at the start of the window. The first access to each unknown (offset, direction) is queued
//! for the machine, which drains the queue with [`Stub::take_unlogged`] after the access and
//! logs it once with the PC; later accesses to the same offset are silent.
//!
//! This module also holds the sub-word access rule the word-register devices of this crate
//! share (`read_lanes`, `write_lanes`, `merge_lanes`).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};

use crate::{Context, Device, Size};

/// A read of `size` at `offset` from a 32-bit register holding `word`: the addressed byte lanes,
/// shifted down. Devices decode the word address (`offset & !3`); an access narrower than a word
/// sees only its lanes, as the APB data bus presents them.
pub(crate) fn read_lanes(word: u32, offset: u32, size: Size) -> u32 {
    let value = word >> (8 * (offset & 3));
    match size {
        Size::Byte => value & 0xFF,
        Size::Half => value & 0xFFFF,
        Size::Word => value,
    }
}

/// The value a write of `size` at `offset` puts on the 32-bit register's lanes: the written
/// bytes in their lanes, the other lanes 0. Registers with write side effects (data FIFOs,
/// write-one-to-clear masks, commands) take this value as written.
pub(crate) fn write_lanes(value: u32, offset: u32, size: Size) -> u32 {
    let value = match size {
        Size::Byte => value & 0xFF,
        Size::Half => value & 0xFFFF,
        Size::Word => value,
    };
    value << (8 * (offset & 3))
}

/// A register without write side effects after a write of `size` at `offset`: the written
/// lanes replaced, the others kept.
pub(crate) fn merge_lanes(old: u32, value: u32, offset: u32, size: Size) -> u32 {
    let lanes = write_lanes(u32::MAX, offset, size);
    (old & !lanes) | write_lanes(value, offset, size)
}

/// The eight PrimeCell identification registers at 0xFE0-0xFFC: peripheral ID bytes 0-3 and,
/// when the cell has them, the component ID bytes 0xB105F00D.
fn primecell_id(periph: [u8; 4], cell: bool) -> Vec<StubReg> {
    let cell_bytes = [0x0D, 0xF0, 0x05, 0xB1];
    let mut regs: Vec<StubReg> = periph
        .iter()
        .enumerate()
        .map(|(i, &b)| StubReg::fixed(0xFE0 + 4 * i as u32, b as u32))
        .collect();
    if cell {
        regs.extend(
            cell_bytes
                .iter()
                .enumerate()
                .map(|(i, &b)| StubReg::fixed(0xFF0 + 4 * i as u32, b as u32)),
        );
    }
    regs
}

/// One register a stub knows: a fixed value, or a word that keeps what is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StubReg {
    /// Word offset in the window (the low two bits are ignored).
    pub offset: u32,
    /// The value read (the reset value of a writable word).
    pub value: u32,
    /// Whether writes change `value`.
    pub writable: bool,
}

impl StubReg {
    /// A register that always reads `value` and ignores writes.
    pub const fn fixed(offset: u32, value: u32) -> StubReg {
        StubReg {
            offset: offset & !3,
            value,
            writable: false,
        }
    }

    /// A plain read/write word, reset to `value`.
    pub const fn storage(offset: u32, value: u32) -> StubReg {
        StubReg {
            offset: offset & !3,
            value,
            writable: true,
        }
    }
}

/// The names `Stub::preset` knows.
pub const PRESETS: &[&str] = &[
    "none",
    "dmc-340",
    "pl351",
    "pl352",
    "lcd-spi",
    "designware-i2c",
    "fastboot-ram",
    "contrast",
    "led",
    "adc",
    "usb",
];

/// A device window with no behaviour beyond a few known registers (see the module doc).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stub {
    name: String,
    regs: Vec<StubReg>,
    /// RAM at offsets `0..ram.len()`, keeping what is written.
    ram: Vec<u8>,
    /// Unknown (word offset, is_write) pairs already reported.
    seen: BTreeSet<(u32, bool)>,
    /// Reported but not yet taken by the machine.
    unlogged: VecDeque<(u32, bool)>,
}

impl Stub {
    /// A stub named `name` (for the machine's log) knowing the registers `regs`.
    pub fn new(name: impl Into<String>, regs: &[StubReg]) -> Stub {
        Stub {
            name: name.into(),
            regs: regs.to_vec(),
            ram: Vec::new(),
            seen: BTreeSet::new(),
            unlogged: VecDeque::new(),
        }
    }

    /// A stub whose first `ram_bytes` bytes are RAM that keeps writes (zeroed at creation, and
    /// never cleared by the stub itself).
    pub fn with_ram(name: impl Into<String>, ram_bytes: usize) -> Stub {
        Stub {
            ram: vec![0; ram_bytes],
            ..Stub::new(name, &[])
        }
    }

    /// The name given at construction.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The oldest first access to an unknown offset not yet taken: (word offset, is_write).
    /// Each (offset, direction) is reported once in the stub's lifetime.
    pub fn take_unlogged(&mut self) -> Option<(u32, bool)> {
        self.unlogged.pop_front()
    }

    /// A stub for one of the blocks of the CX the emulator knows facts about, by preset name
    /// (`PRESETS`), or `None` for an unknown name.
    pub fn preset(preset: &str, name: impl Into<String>) -> Option<Stub> {
        let regs: Vec<StubReg> = match preset {
            // No register known: everything reads 0.
            "none" => Vec::new(),
            // SDRAM controller at 0x8FFF0000, an ARM DMC-340 r1p0 (doc 1.2). `memc_status`
            // (+0x00) reads "ready" (state 1) with bit 7 set as Firebird reports it.
            "dmc-340" => {
                let mut regs = vec![StubReg::fixed(0x00, 0x81)];
                regs.extend(primecell_id([0x40, 0x13, 0x14, 0x00], false));
                regs
            }
            // NAND controller at 0x8FFF1000, an ARM PL351 r1p2 (doc 1.2): `memc_status` 0x20,
            // +0x004 0x56.
            "pl351" => {
                let mut regs = vec![StubReg::fixed(0x000, 0x20), StubReg::fixed(0x004, 0x56)];
                regs.extend(primecell_id([0x51, 0x13, 0x34, 0x00], false));
                regs
            }
            // The SRAM controller, an ARM PL352-class cell at 0xB8001000: its ID bytes.
            "pl352" => primecell_id([0x52, 0x13, 0x34, 0x00], false),
            // The PL022 SPI to the LCD at 0x90040000: +0x0C reads 6 as on Firebird (doc 1.2).
            "lcd-spi" => vec![StubReg::fixed(0x0C, 6)],
            // The touchpad's DesignWare I2C controller at 0x90050000: the component type word at
            // +0xFC that Linux's i2c-designware probes, and an idle status (+0x70 = 4, as
            // Firebird reads when no transfer is under way). No touchpad answers.
            "designware-i2c" => vec![StubReg::fixed(0xFC, 0x4457_0140), StubReg::fixed(0x70, 4)],
            // The 4 KiB "fastboot" RAM at 0x90030000, which survives resets (doc 1.2).
            "fastboot-ram" => return Some(Stub::with_ram(name, 0x1000)),
            // The "HDQ/1-wire" block at 0x900F0000 with the LCD contrast at +0x20 (doc 1.2).
            "contrast" => vec![StubReg::storage(0x20, 0)],
            // The LED block at 0x90110000: +0x00 reads 0, five read/write words at +0xB00.
            "led" => (0..5).map(|i| StubReg::storage(0xB00 + 4 * i, 0)).collect(),
            // The ADC at 0xC4000000 (doc 2.10), reduced to its seven sampled values at
            // +0x110 + 0x20*n: 73 on channel 3 ("a TI-Nspire with touchpad"), 930 on the others.
            "adc" => (0..7)
                .map(|n| StubReg::fixed(0x110 + 0x20 * n, if n == 3 { 73 } else { 930 }))
                .collect(),
            // A USB OTG controller at 0xB0000000 or 0xB4000000: its ID register.
            "usb" => vec![StubReg::fixed(0x000, 0x0042_FA05)],
            _ => return None,
        };
        Some(Stub::new(name, &regs))
    }

    /// After a machine reset, takes from the stub before it what a reset does not clear: its
    /// RAM (the CX's fastboot RAM survives resets) and the record of the registers already
    /// reported. Its registers keep their reset values.
    pub fn keep_ram(&mut self, old: Stub) {
        self.ram = old.ram;
        self.seen = old.seen;
        self.unlogged = old.unlogged;
    }

    fn reg(&self, word: u32) -> Option<&StubReg> {
        self.regs.iter().find(|r| r.offset == word)
    }

    fn ram_word(&self, word: u32) -> Option<u32> {
        let at = usize::try_from(word).ok()?;
        let bytes = self.ram.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?))
    }

    /// The value at `offset`, if the stub knows it.
    fn known(&self, offset: u32, size: Size) -> Option<u32> {
        let word = offset & !3;
        if let Some(value) = self.ram_word(word) {
            return Some(read_lanes(value, offset, size));
        }
        self.reg(word).map(|r| read_lanes(r.value, offset, size))
    }

    fn report(&mut self, offset: u32, write: bool) {
        if self.seen.insert((offset & !3, write)) {
            self.unlogged.push_back((offset & !3, write));
        }
    }
}

impl Device for Stub {
    fn read(&mut self, offset: u32, size: Size, _ctx: &mut Context) -> u32 {
        self.known(offset, size).unwrap_or_else(|| {
            self.report(offset, false);
            0
        })
    }

    fn write(&mut self, offset: u32, size: Size, value: u32, _ctx: &mut Context) {
        let word = offset & !3;
        if let Some(at) = usize::try_from(offset).ok().filter(|&at| {
            at.checked_add(size.bytes() as usize)
                .is_some_and(|end| end <= self.ram.len())
        }) {
            let bytes = value.to_le_bytes();
            let n = size.bytes() as usize;
            self.ram[at..at + n].copy_from_slice(&bytes[..n]);
            return;
        }
        match self.regs.iter_mut().find(|r| r.offset == word) {
            Some(reg) if reg.writable => reg.value = merge_lanes(reg.value, value, offset, size),
            Some(_) => {}
            None => self.report(offset, true),
        }
    }

    fn peek(&self, offset: u32, size: Size, _now: u64, _cpu_hz: u64) -> Option<u32> {
        Some(self.known(offset, size).unwrap_or(0))
    }

    /// A stub's name, registers (but for the values of storage words) and RAM size come from
    /// the machine description.
    fn check_saved(&self, current: &Self) -> Result<(), String> {
        let same_regs = self.regs.len() == current.regs.len()
            && (self.regs.iter().zip(&current.regs)).all(|(saved, reg)| {
                (saved.offset, saved.writable) == (reg.offset, reg.writable)
                    && (reg.writable || saved.value == reg.value)
            });
        match self.name == current.name && same_regs && self.ram.len() == current.ram.len() {
            true => Ok(()),
            false => Err(format!("not this machine's {:?} block", current.name)),
        }
    }
}

/// A machine in miniature for the devices' unit tests: interrupt lines, a scheduler, requests
/// and a clock.
#[cfg(test)]
pub(crate) mod bench {
    use crate::scheduler::Events;
    use crate::{Context, Device, Lines, Requests, Scheduler, Size};

    pub struct Bench {
        pub lines: Lines,
        pub scheduler: Scheduler,
        pub requests: Requests,
        pub now: u64,
        pub cpu_hz: u64,
        /// The line the device under test drives.
        pub irq: Option<u8>,
    }

    impl Bench {
        pub fn new(cpu_hz: u64, irq: Option<u8>) -> Bench {
            Bench {
                lines: Lines::ZERO,
                scheduler: Scheduler::new(),
                requests: Requests::default(),
                now: 0,
                cpu_hz,
                irq,
            }
        }

        pub fn ctx(&mut self) -> Context<'_> {
            Context {
                now: self.now,
                cpu_hz: self.cpu_hz,
                lines: &mut self.lines,
                irq: self.irq,
                events: Events {
                    scheduler: &mut self.scheduler,
                    owner: 0,
                },
                requests: &mut self.requests,
            }
        }

        /// The level of the device's line.
        pub fn line(&self) -> bool {
            self.irq.is_some_and(|n| self.lines[n as usize])
        }

        pub fn read(&mut self, dev: &mut impl Device, offset: u32) -> u32 {
            let mut ctx = self.ctx();
            dev.read(offset, Size::Word, &mut ctx)
        }

        pub fn write(&mut self, dev: &mut impl Device, offset: u32, value: u32) {
            let mut ctx = self.ctx();
            dev.write(offset, Size::Word, value, &mut ctx);
        }

        /// Writes each of `values`, then reads and peeks, at every offset of a 4 KiB window and
        /// a word beyond, in every size, time running `step` cycles after each offset: what a
        /// hostile guest can do, which must not panic.
        pub fn hammer(&mut self, dev: &mut impl Device, values: &[u32], step: u64) {
            for &value in values {
                for offset in 0..0x1004 {
                    for size in [Size::Byte, Size::Half, Size::Word] {
                        dev.write(offset, size, value, &mut self.ctx());
                        let _ = dev.read(offset, size, &mut self.ctx());
                        let _ = dev.peek(offset, size, self.now, self.cpu_hz);
                    }
                    self.run_until(dev, self.now + step);
                }
            }
        }

        /// Advances time to `until`, firing the device's events as they fall due; returns the
        /// cycles at which they fired.
        pub fn run_until(&mut self, dev: &mut impl Device, until: u64) -> Vec<u64> {
            let mut fired = Vec::new();
            while let Some((when, _, tag)) = self.scheduler.pop_due(until) {
                self.now = when;
                fired.push(when);
                let mut ctx = self.ctx();
                dev.event(tag, &mut ctx);
            }
            self.now = until;
            fired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bench::Bench;
    use super::*;

    #[test]
    fn lanes_pick_the_addressed_bytes() {
        assert_eq!(read_lanes(0x1122_3344, 0x19, Size::Byte), 0x33);
        assert_eq!(read_lanes(0x1122_3344, 0x1A, Size::Half), 0x1122);
        assert_eq!(read_lanes(0x1122_3344, 0x1B, Size::Half), 0x11);
        assert_eq!(write_lanes(0xAB, 0x03, Size::Byte), 0xAB00_0000);
        assert_eq!(write_lanes(0x1234_5678, 0x02, Size::Half), 0x5678_0000);
        assert_eq!(
            merge_lanes(0x1122_3344, 0xAB, 0x01, Size::Byte),
            0x1122_AB44
        );
    }

    #[test]
    fn ids_fixed_values_and_unknown_offsets() {
        let mut b = Bench::new(1_000_000, None);
        let mut s = Stub::preset("dmc-340", "sdram").unwrap();
        let ids: Vec<u32> = (0..4).map(|i| b.read(&mut s, 0xFE0 + 4 * i)).collect();
        assert_eq!(ids, [0x40, 0x13, 0x14, 0x00]);
        assert_eq!(s.take_unlogged(), None);
        assert_eq!(b.read(&mut s, 0x123), 0);
        assert_eq!(b.read(&mut s, 0x120), 0);
        b.write(&mut s, 0x120, 5);
        b.write(&mut s, 0x00, 5);
        assert_eq!(b.read(&mut s, 0x00), 0x81);
        assert_eq!(s.take_unlogged(), Some((0x120, false)));
        assert_eq!(s.take_unlogged(), Some((0x120, true)));
        assert_eq!(s.take_unlogged(), None);
        assert_eq!(b.read(&mut s, 0x120), 0);
        assert_eq!(s.take_unlogged(), None);
        assert_eq!(s.name(), "sdram");
    }

    #[test]
    fn i2c_component_type_and_usb_id() {
        let mut b = Bench::new(1_000_000, None);
        assert_eq!(
            b.read(&mut Stub::preset("designware-i2c", "i2c").unwrap(), 0xFC),
            0x4457_0140
        );
        assert_eq!(
            b.read(&mut Stub::preset("usb", "usb0").unwrap(), 0),
            0x0042_FA05
        );
        assert_eq!(b.read(&mut Stub::preset("adc", "adc").unwrap(), 0x170), 73);
    }

    #[test]
    fn fastboot_ram_keeps_writes_of_every_size() {
        let mut b = Bench::new(1_000_000, None);
        let mut s = Stub::preset("fastboot-ram", "fastboot").unwrap();
        b.write(&mut s, 0xFFC, 0xDEAD_BEEF);
        let mut ctx = b.ctx();
        s.write(0x10, Size::Byte, 0x1AB, &mut ctx);
        s.write(0x12, Size::Half, 0x5566, &mut ctx);
        s.write(0xFFE, Size::Word, 1, &mut ctx); // straddles the end: not RAM
        assert_eq!(s.read(0x10, Size::Word, &mut ctx), 0x5566_00AB);
        assert_eq!(s.read(0xFFC, Size::Word, &mut ctx), 0xDEAD_BEEF);
        assert_eq!(s.read(0x1000, Size::Word, &mut ctx), 0);
        assert_eq!(s.peek(0xFFD, Size::Byte, 0, 1), Some(0xBE));
        assert_eq!(s.take_unlogged(), Some((0xFFC, true)));
        assert_eq!(s.take_unlogged(), Some((0x1000, false)));
    }

    #[test]
    fn a_reset_keeps_the_ram_but_not_the_registers() {
        let mut h = Bench::new(1_000_000, None);
        let mut old = Stub::with_ram("fastboot RAM", 0x10);
        old.regs.push(StubReg::storage(0x20, 0));
        old.write(0x4, Size::Word, 0xCAFE_F00D, &mut h.ctx());
        old.write(0x20, Size::Word, 0x1234, &mut h.ctx());
        old.write(0x30, Size::Word, 1, &mut h.ctx());
        assert_eq!(old.take_unlogged(), Some((0x30, true)));
        let mut new = Stub::with_ram("fastboot RAM", 0x10);
        new.regs.push(StubReg::storage(0x20, 0));
        new.keep_ram(old);
        assert_eq!(new.read(0x4, Size::Word, &mut h.ctx()), 0xCAFE_F00D);
        assert_eq!(new.read(0x20, Size::Word, &mut h.ctx()), 0);
        // Already reported before the reset: not again.
        new.write(0x30, Size::Word, 1, &mut h.ctx());
        assert_eq!(new.take_unlogged(), None);
    }

    #[test]
    fn storage_words_merge_narrow_writes() {
        let mut b = Bench::new(1_000_000, None);
        let mut s = Stub::preset("led", "led").unwrap();
        b.write(&mut s, 0xB04, 0x1122_3344);
        let mut ctx = b.ctx();
        s.write(0xB05, Size::Byte, 0xFF, &mut ctx);
        assert_eq!(s.read(0xB04, Size::Word, &mut ctx), 0x1122_FF44);
        s.write(u32::MAX, Size::Word, 1, &mut ctx);
        assert_eq!(s.read(u32::MAX, Size::Half, &mut ctx), 0);
    }

    #[test]
    fn every_listed_preset_exists_and_others_do_not() {
        for name in PRESETS {
            assert!(Stub::preset(name, *name).is_some(), "{name}");
        }
        assert!(Stub::preset("pl999", "x").is_none());
    }

    /// A saved stub keeps what the machine description gives it (its name, registers and RAM
    /// size); only its storage words hold what the guest wrote.
    #[test]
    fn a_saved_stub_keeps_the_description_registers_and_ram() {
        let led = Stub::preset("led", "LED").unwrap();
        let mut written = led.clone();
        written.regs[0].value = 0x1F;
        assert_eq!(written.check_saved(&led), Ok(()));
        let usb = Stub::preset("usb", "USB 0").unwrap();
        let mut other_id = usb.clone();
        other_id.regs[0].value = 1;
        let fastboot = Stub::preset("fastboot-ram", "fastboot RAM").unwrap();
        let mut smaller = fastboot.clone();
        smaller.ram.pop();
        let renamed = Stub::preset("led", "LEDs").unwrap();
        for (saved, current) in [(other_id, usb), (smaller, fastboot), (renamed, led)] {
            let error = saved.check_saved(&current).unwrap_err();
            assert_eq!(
                error,
                format!("not this machine's {:?} block", current.name)
            );
        }
    }
}
