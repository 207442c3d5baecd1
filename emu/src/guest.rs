//! Guest memory as the host services see it (semihosting, the Ndless OS calls): virtual
//! addresses of the CPU's current mode, read and written without side effects on devices.

/// Guest memory, by virtual address.
pub trait GuestMemory {
    fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError>;
    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError>;

    /// The machine's devices, for services that drive hardware as TI-OS does (the Ndless
    /// LCD and touchpad calls); `None` where there are none (a test's plain memory). Read
    /// them here; write them with [`GuestMemory::write_device`], which reverse execution's
    /// journal sees.
    fn board(&mut self) -> Option<&mut crate::board::Board> {
        None
    }

    /// Writes a device's state or RAM by physical address; an error where the machine has no
    /// such device or RAM.
    fn write_device(&mut self, write: &DeviceWrite) -> Result<(), MemoryError> {
        let board = self.board().ok_or(MemoryError)?;
        let done = match write {
            DeviceWrite::Ram(addr, bytes) => board.write_ram(*addr, bytes),
            DeviceWrite::Register(addr, value) => board.poke(*addr, *value),
            DeviceWrite::Touchpad(register, value) => board
                .touchpad()
                .map(|pad| pad.write(*register, *value))
                .is_some(),
        };
        done.then_some(()).ok_or(MemoryError)
    }

    /// The little-endian word at `addr` (any alignment).
    fn read_u32(&mut self, addr: u32) -> Result<u32, MemoryError> {
        let mut bytes = [0; 4];
        self.read_bytes(addr, &mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn write_u32(&mut self, addr: u32, value: u32) -> Result<(), MemoryError> {
        self.write_bytes(addr, &value.to_le_bytes())
    }

    /// The NUL-terminated string at `addr`, without its NUL, of at most `max` bytes (an
    /// unterminated one is an error).
    fn read_cstring(&mut self, addr: u32, max: usize) -> Result<Vec<u8>, MemoryError> {
        let mut out = Vec::new();
        let mut chunk = [0u8; 64];
        while out.len() <= max {
            let at = addr.wrapping_add(out.len() as u32);
            // Read up to the next 64-byte boundary, so a string that ends just before an
            // unmapped page is still read.
            let len = 64 - (at & 63) as usize;
            self.read_bytes(at, &mut chunk[..len])?;
            match chunk[..len].iter().position(|&b| b == 0) {
                Some(end) => {
                    out.extend_from_slice(&chunk[..end]);
                    return (out.len() <= max).then_some(out).ok_or(MemoryError);
                }
                None => out.extend_from_slice(&chunk[..len]),
            }
        }
        Err(MemoryError)
    }
}

/// A write to a device, by physical address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceWrite {
    /// Bytes of RAM (the LCD's frame, say).
    Ram(u32, Vec<u8>),
    /// A device register's word, without side effects ([`crate::board::Board::poke`]).
    Register(u32, u32),
    /// A register of the touchpad (on its I2C bus, not in the address space).
    Touchpad(u8, u8),
}

/// A guest address a host service was given could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryError;

/// Guest memory for the host services' tests.
#[cfg(test)]
pub mod testing {
    use super::{GuestMemory, MemoryError};

    /// Zeroed bytes from a base address; anything outside them fails.
    pub struct Flat {
        pub base: u32,
        pub bytes: Vec<u8>,
    }

    impl Flat {
        /// Where the tests' memory starts unless they say otherwise: the CX's SDRAM.
        pub const BASE: u32 = 0x1000_0000;

        /// `size` zeroed bytes from `base`.
        pub fn new(base: u32, size: usize) -> Flat {
            Flat {
                base,
                bytes: vec![0; size],
            }
        }

        fn range(&self, addr: u32, len: usize) -> Result<std::ops::Range<usize>, MemoryError> {
            let at = addr.checked_sub(self.base).ok_or(MemoryError)? as usize;
            (at + len <= self.bytes.len())
                .then_some(at..at + len)
                .ok_or(MemoryError)
        }
    }

    impl GuestMemory for Flat {
        fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError> {
            let range = self.range(addr, buf.len())?;
            buf.copy_from_slice(&self.bytes[range]);
            Ok(())
        }

        fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
            let range = self.range(addr, data.len())?;
            self.bytes[range].copy_from_slice(data);
            Ok(())
        }
    }
}
