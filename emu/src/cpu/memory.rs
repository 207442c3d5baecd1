//! The CPU's side of memory: virtual accesses, the software TLB and faults.
//!
//! Every load, store and fetch first looks in a direct-mapped software TLB of 4 KiB pages. A hit
//! names the page's place in the bus's RAM arena, so the access is an index into a byte slice.
//! A miss translates the address, asks the bus whether the physical page is RAM, caches the
//! answer, and otherwise goes to the bus (a device register, or nothing: an external abort).
//!
//! The TLB has four tables: reads and writes, each for User and privileged accesses, so that a
//! hit needs no permission check. A page enters a write table only when it may be written.

use super::Cpu;
use crate::bus::{ram_read, ram_write, Bus, Size, PAGE_SIZE};

const PAGE_MASK: u32 = !(PAGE_SIZE - 1);
/// Entries per table. 2048 pages of 4 KiB cover 8 MiB without a miss.
const SETS: usize = 2048;
/// A tag no page address equals (page addresses have their low 12 bits clear).
const INVALID: u32 = 1;

/// Fault status codes of the FSRs (ARM ARM B4.6, table B4-1; ARM926EJ-S TRM 3.6.1).
pub mod status {
    /// External abort on a non-translation access (the bus answered with an error).
    pub const EXTERNAL: u32 = 0b1000;
}

/// A memory access the MMU or the bus refused; what the FSR and FAR record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// FSR status bits 3:0.
    pub status: u32,
    /// Domain (FSR bits 7:4).
    pub domain: u32,
    /// The virtual address that faulted.
    pub addr: u32,
}

impl Fault {
    /// The bus answered a physical access with an error.
    fn external(addr: u32) -> Fault {
        Fault {
            status: status::EXTERNAL,
            domain: 0,
            addr,
        }
    }

    /// The FSR value: domain in bits 7:4, status in bits 3:0.
    pub fn status(&self) -> u32 {
        (self.domain << 4) | self.status
    }
}

#[derive(Clone, Copy)]
struct Entry {
    /// Virtual page address, or `INVALID`.
    tag: u32,
    /// Arena offset of the physical page.
    offset: u32,
}

const EMPTY: Entry = Entry {
    tag: INVALID,
    offset: 0,
};

/// Table numbers: bit 0 = write, bit 1 = privileged.
const WRITE: usize = 1;
const PRIVILEGED: usize = 2;

pub(super) struct Tlb {
    tables: Box<[[Entry; SETS]; 4]>,
    /// `PRIVILEGED` when the current mode is privileged, else 0.
    privilege: usize,
}

impl Tlb {
    pub(super) fn new() -> Tlb {
        Tlb {
            tables: Box::new([[EMPTY; SETS]; 4]),
            privilege: PRIVILEGED,
        }
    }

    pub(super) fn set_privileged(&mut self, privileged: bool) {
        self.privilege = if privileged { PRIVILEGED } else { 0 };
    }

    pub(super) fn invalidate_all(&mut self) {
        for table in self.tables.iter_mut() {
            table.fill(EMPTY);
        }
    }

    #[inline(always)]
    fn lookup(&self, table: usize, addr: u32) -> Option<u32> {
        let entry = self.tables[table & 3][(addr >> 12) as usize & (SETS - 1)];
        (entry.tag == addr & PAGE_MASK).then_some(entry.offset)
    }

    fn fill(&mut self, table: usize, addr: u32, offset: u32) {
        self.tables[table & 3][(addr >> 12) as usize & (SETS - 1)] = Entry {
            tag: addr & PAGE_MASK,
            offset,
        };
    }
}

/// Who an access is checked as: the current mode, or User mode whatever the mode (LDRT/STRT).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum As {
    Current,
    User,
}

impl Cpu {
    fn table(&self, who: As) -> usize {
        match who {
            As::Current => self.tlb.privilege,
            As::User => 0,
        }
    }

    /// Translates a virtual address for an access. The MMU is off: the address is physical.
    fn translate(&self, va: u32) -> Result<u32, Fault> {
        Ok(va)
    }

    /// Reads `size` bytes at `addr`, which the caller has aligned to the size.
    #[inline(always)]
    pub(super) fn read<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        who: As,
    ) -> Result<u32, Fault> {
        if let Some(offset) = self.tlb.lookup(self.table(who), addr) {
            if let Some(value) = ram_read(bus.ram(), (offset | (addr & !PAGE_MASK)) as usize, size)
            {
                return Ok(value);
            }
        }
        self.read_slow(bus, addr, size, who)
    }

    #[inline(never)]
    fn read_slow<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        who: As,
    ) -> Result<u32, Fault> {
        let pa = self.translate(addr)?;
        if let Some(page) = bus.ram_page(pa) {
            let at = (page.offset | (pa & !PAGE_MASK)) as usize;
            if let Some(value) = ram_read(bus.ram(), at, size) {
                self.tlb.fill(self.table(who), addr, page.offset);
                return Ok(value);
            }
        }
        self.device_accessed = true;
        self.attention = true;
        bus.read(pa, size, self.now())
            .map_err(|_| Fault::external(addr))
    }

    /// Writes `size` bytes at `addr`, which the caller has aligned to the size.
    #[inline(always)]
    pub(super) fn write<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        value: u32,
        who: As,
    ) -> Result<(), Fault> {
        if let Some(offset) = self.tlb.lookup(self.table(who) | WRITE, addr) {
            let at = (offset | (addr & !PAGE_MASK)) as usize;
            if ram_write(bus.ram_mut(), at, size, value).is_some() {
                return Ok(());
            }
        }
        self.write_slow(bus, addr, size, value, who)
    }

    #[inline(never)]
    fn write_slow<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        value: u32,
        who: As,
    ) -> Result<(), Fault> {
        let pa = self.translate(addr)?;
        if let Some(page) = bus.ram_page(pa).filter(|page| page.writable) {
            let at = (page.offset | (pa & !PAGE_MASK)) as usize;
            if ram_write(bus.ram_mut(), at, size, value).is_some() {
                self.tlb.fill(self.table(who) | WRITE, addr, page.offset);
                return Ok(());
            }
        }
        self.device_accessed = true;
        self.attention = true;
        bus.write(pa, size, value, self.now())
            .map_err(|_| Fault::external(addr))
    }

    #[inline(always)]
    pub(super) fn read32<B: Bus>(&mut self, bus: &mut B, addr: u32) -> Result<u32, Fault> {
        self.read(bus, addr & !3, Size::Word, As::Current)
    }

    #[inline(always)]
    pub(super) fn read16<B: Bus>(&mut self, bus: &mut B, addr: u32) -> Result<u32, Fault> {
        self.read(bus, addr & !1, Size::Half, As::Current)
    }

    #[inline(always)]
    pub(super) fn read8<B: Bus>(&mut self, bus: &mut B, addr: u32) -> Result<u32, Fault> {
        self.read(bus, addr, Size::Byte, As::Current)
    }

    #[inline(always)]
    pub(super) fn write32<B: Bus>(&mut self, bus: &mut B, addr: u32, v: u32) -> Result<(), Fault> {
        self.write(bus, addr & !3, Size::Word, v, As::Current)
    }

    #[inline(always)]
    pub(super) fn write16<B: Bus>(&mut self, bus: &mut B, addr: u32, v: u32) -> Result<(), Fault> {
        self.write(bus, addr & !1, Size::Half, v, As::Current)
    }

    #[inline(always)]
    pub(super) fn write8<B: Bus>(&mut self, bus: &mut B, addr: u32, v: u32) -> Result<(), Fault> {
        self.write(bus, addr, Size::Byte, v, As::Current)
    }

    /// An unaligned LDR: the word at the aligned address rotated right by 8 times the low
    /// address bits (ARM ARM A4.1.23, with CP15 c1 U clear as on every ARMv5 core).
    #[inline(always)]
    pub(super) fn read32_rotated<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        who: As,
    ) -> Result<u32, Fault> {
        let word = self.read(bus, addr & !3, Size::Word, who)?;
        Ok(word.rotate_right((addr & 3) * 8))
    }

    /// Fetches an instruction (ARM: a word, Thumb: a halfword).
    #[inline(always)]
    pub(super) fn fetch<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
    ) -> Result<u32, Fault> {
        self.read(bus, addr, size, As::Current)
    }
}

impl Cpu {
    /// Reads virtual memory as a debugger or the semihosting handler does: through the current
    /// translation, without touching the TLB or any device (device registers read as absent).
    pub fn debug_read<B: Bus>(&self, bus: &B, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        for (i, byte) in buf.iter_mut().enumerate() {
            let va = addr.wrapping_add(i as u32);
            let pa = self.translate(va)?;
            let page = bus.ram_page(pa).ok_or(Fault::external(va))?;
            let at = (page.offset | (pa & !PAGE_MASK)) as usize;
            *byte = *bus.ram().get(at).ok_or(Fault::external(va))?;
        }
        Ok(())
    }

    /// Writes virtual memory as a debugger does: RAM and ROM pages only (a debugger may patch
    /// ROM), without touching the TLB or any device.
    pub fn debug_write<B: Bus>(&self, bus: &mut B, addr: u32, data: &[u8]) -> Result<(), Fault> {
        for (i, &byte) in data.iter().enumerate() {
            let va = addr.wrapping_add(i as u32);
            let pa = self.translate(va)?;
            let page = bus.ram_page(pa).ok_or(Fault::external(va))?;
            let at = (page.offset | (pa & !PAGE_MASK)) as usize;
            *bus.ram_mut().get_mut(at).ok_or(Fault::external(va))? = byte;
        }
        Ok(())
    }
}
