//! The physical bus as the CPU sees it: a small trait the interpreter is generic over, so that
//! every memory access is a monomorphised, inlinable call (no `dyn` per instruction).
//!
//! RAM lives in one host byte arena (`Bus::ram`). A physical page of RAM is described by its
//! offset in that arena, which is what the CPU's software TLB caches: a TLB hit reads or writes
//! the arena directly, and only misses and device accesses come through `read`/`write`.

pub use devices::Size;

/// Nothing answered a physical access: the AHB signals an error, which the CPU takes as an
/// external abort (ARM ARM B4.6.11 "External aborts").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusError;

/// Who makes an access, and when: for devices (time) and for diagnostics (the PC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The CPU cycle count.
    pub now: u64,
    /// The address of the instruction making the access.
    pub pc: u32,
}

/// Size of the pages the bus describes RAM in and the CPU's fast TLB caches.
pub const PAGE_SIZE: u32 = 4096;

/// A physical page of RAM: where it sits in the arena and whether the CPU may write it directly
/// (ROM pages are readable only; writes to them go through `Bus::write`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RamPage {
    /// Arena offset of the first byte of the page.
    pub offset: u32,
    pub writable: bool,
}

/// The physical address space.
pub trait Bus {
    /// A read that may have side effects (device registers).
    fn read(&mut self, addr: u32, size: Size, origin: Origin) -> Result<u32, BusError>;
    /// A write; RAM, ROM (ignored) or a device register.
    fn write(&mut self, addr: u32, size: Size, value: u32, origin: Origin) -> Result<(), BusError>;
    /// A read with no side effects, for debuggers and page-table dumps; `None` where nothing
    /// answers or a device cannot be read without disturbing it.
    fn peek(&self, addr: u32, size: Size) -> Option<u32>;
    /// The RAM page holding physical address `addr`, if it is RAM or ROM.
    fn ram_page(&self, addr: u32) -> Option<RamPage>;
    /// The RAM arena.
    fn ram(&self) -> &[u8];
    fn ram_mut(&mut self) -> &mut [u8];
    /// Notes that the arena page at `offset` is written other than through the TLB's write
    /// tables (see [`crate::dirty`]).
    fn note_written(&mut self, _offset: u32) {}
    /// Notes that a debugger or host service wrote the arena page at `offset`
    /// ([`crate::cpu::Cpu::debug_write`]): code decoded from it may be stale.
    fn note_host_written(&mut self, offset: u32) {
        self.note_written(offset);
    }
}

/// A bus of nothing but RAM from address 0, for unit tests and single-instruction replays.
/// Addresses beyond it raise a bus error.
pub struct FlatBus {
    mem: Vec<u8>,
}

impl FlatBus {
    /// A bus of `size` bytes of RAM, rounded up to whole pages.
    pub fn new(size: usize) -> FlatBus {
        let pages = size.div_ceil(PAGE_SIZE as usize);
        FlatBus {
            mem: vec![0; pages * PAGE_SIZE as usize],
        }
    }

    pub fn load(&mut self, addr: u32, bytes: &[u8]) {
        let at = addr as usize;
        self.mem[at..at + bytes.len()].copy_from_slice(bytes);
    }
}

/// Reads a little-endian value of `size` at `at` in a RAM arena.
#[inline(always)]
pub fn ram_read(ram: &[u8], at: usize, size: Size) -> Option<u32> {
    Some(match size {
        Size::Byte => *ram.get(at)? as u32,
        Size::Half => u16::from_le_bytes(ram.get(at..at + 2)?.try_into().ok()?) as u32,
        Size::Word => u32::from_le_bytes(ram.get(at..at + 4)?.try_into().ok()?),
    })
}

/// Writes a little-endian value of `size` at `at` in a RAM arena.
#[inline(always)]
pub fn ram_write(ram: &mut [u8], at: usize, size: Size, value: u32) -> Option<()> {
    match size {
        Size::Byte => *ram.get_mut(at)? = value as u8,
        Size::Half => ram
            .get_mut(at..at + 2)?
            .copy_from_slice(&(value as u16).to_le_bytes()),
        Size::Word => ram
            .get_mut(at..at + 4)?
            .copy_from_slice(&value.to_le_bytes()),
    }
    Some(())
}

impl Bus for FlatBus {
    fn read(&mut self, addr: u32, size: Size, _origin: Origin) -> Result<u32, BusError> {
        ram_read(&self.mem, addr as usize, size).ok_or(BusError)
    }

    fn write(
        &mut self,
        addr: u32,
        size: Size,
        value: u32,
        _origin: Origin,
    ) -> Result<(), BusError> {
        ram_write(&mut self.mem, addr as usize, size, value).ok_or(BusError)
    }

    fn peek(&self, addr: u32, size: Size) -> Option<u32> {
        ram_read(&self.mem, addr as usize, size)
    }

    fn ram_page(&self, addr: u32) -> Option<RamPage> {
        ((addr as usize) < self.mem.len()).then_some(RamPage {
            offset: addr & !(PAGE_SIZE - 1),
            writable: true,
        })
    }

    fn ram(&self) -> &[u8] {
        &self.mem
    }

    fn ram_mut(&mut self) -> &mut [u8] {
        &mut self.mem
    }
}
