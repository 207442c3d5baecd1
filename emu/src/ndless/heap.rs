//! The heap TI-OS's `malloc` family gives Ndless programs, kept in guest memory itself (so a
//! saved state holds it whole): a first-fit list of blocks, each an 8-byte header (the payload's
//! size, bit 0 set while in use; a check word) followed by its payload. Payloads are 8-byte
//! aligned, as the SDK's newlib glue asks. Free neighbours merge as the list is walked.

use crate::guest::{GuestMemory, MemoryError};

/// The header's second word, to tell a block from a wild pointer in `free`.
const MAGIC: u32 = 0x4E44_4C48; // "HLDN"
const HEADER: u32 = 8;
const USED: u32 = 1;

/// A heap between two guest addresses (8-byte aligned).
#[derive(Clone, Copy, Debug)]
pub struct Heap {
    pub start: u32,
    pub end: u32,
}

impl Heap {
    /// Makes the whole range one free block.
    pub fn init(&self, mem: &mut dyn GuestMemory) -> Result<(), MemoryError> {
        self.write_header(mem, self.start, self.end - self.start - HEADER, false)
    }

    fn write_header(
        &self,
        mem: &mut dyn GuestMemory,
        at: u32,
        size: u32,
        used: bool,
    ) -> Result<(), MemoryError> {
        mem.write_u32(at, size | if used { USED } else { 0 })?;
        mem.write_u32(at + 4, MAGIC)
    }

    /// (payload size, in use) of the block at `at`; an error if there is none there.
    fn header(&self, mem: &mut dyn GuestMemory, at: u32) -> Result<(u32, bool), MemoryError> {
        let (word, magic) = (mem.read_u32(at)?, mem.read_u32(at + 4)?);
        let size = word & !7;
        let fits = at
            .checked_add(HEADER + size)
            .is_some_and(|end| end <= self.end);
        if magic != MAGIC || !fits || at < self.start {
            return Err(MemoryError);
        }
        Ok((size, word & USED != 0))
    }

    /// Merges the free blocks that follow the free block at `at` into it; its new size.
    fn merge_following(
        &self,
        mem: &mut dyn GuestMemory,
        at: u32,
        mut size: u32,
    ) -> Result<u32, MemoryError> {
        loop {
            let next = at + HEADER + size;
            if next >= self.end {
                break;
            }
            let (next_size, used) = self.header(mem, next)?;
            if used {
                break;
            }
            size += HEADER + next_size;
        }
        self.write_header(mem, at, size, false)?;
        Ok(size)
    }

    /// A payload of at least `size` bytes, or 0 when the heap has no room (as `malloc` gives NULL).
    pub fn alloc(&self, mem: &mut dyn GuestMemory, size: u32) -> Result<u32, MemoryError> {
        let Some(wanted) = size.max(1).checked_add(7).map(|s| s & !7) else {
            return Ok(0);
        };
        let mut at = self.start;
        while at < self.end {
            let (mut block, used) = self.header(mem, at)?;
            if !used {
                block = self.merge_following(mem, at, block)?;
                if block >= wanted {
                    // Split off the rest when it can hold a block of its own.
                    if block - wanted >= HEADER + 8 {
                        self.write_header(
                            mem,
                            at + HEADER + wanted,
                            block - wanted - HEADER,
                            false,
                        )?;
                        block = wanted;
                    }
                    self.write_header(mem, at, block, true)?;
                    return Ok(at + HEADER);
                }
            }
            at += HEADER + block;
        }
        Ok(0)
    }

    /// Frees the payload at `ptr` (0 does nothing). An address that is not a payload in use
    /// is an error: the program's heap is corrupt, or it freed twice.
    pub fn free(&self, mem: &mut dyn GuestMemory, ptr: u32) -> Result<(), MemoryError> {
        if ptr == 0 {
            return Ok(());
        }
        let at = ptr.checked_sub(HEADER).ok_or(MemoryError)?;
        let (size, used) = self.header(mem, at)?;
        if !used {
            return Err(MemoryError);
        }
        self.merge_following(mem, at, size).map(|_| ())
    }

    /// The payload size of the block in use at `ptr`.
    pub fn size_of(&self, mem: &mut dyn GuestMemory, ptr: u32) -> Result<u32, MemoryError> {
        let at = ptr.checked_sub(HEADER).ok_or(MemoryError)?;
        match self.header(mem, at)? {
            (size, true) => Ok(size),
            (_, false) => Err(MemoryError),
        }
    }

    /// `realloc`: the block grown in place when what follows it is free and large enough, else
    /// a new block with the contents copied and the old one freed; 0 (the old block kept) when
    /// there is no room.
    pub fn realloc(
        &self,
        mem: &mut dyn GuestMemory,
        ptr: u32,
        size: u32,
    ) -> Result<u32, MemoryError> {
        if ptr == 0 {
            return self.alloc(mem, size);
        }
        let old = self.size_of(mem, ptr)?;
        let wanted = size.max(1).saturating_add(7) & !7;
        if wanted <= old {
            return Ok(ptr);
        }
        let at = ptr - HEADER;
        let next = at + HEADER + old;
        if next < self.end {
            let (next_size, used) = self.header(mem, next)?;
            if !used {
                let merged = self.merge_following(mem, next, next_size)?;
                let total = old + HEADER + merged;
                if total >= wanted {
                    let mut block = total;
                    if total - wanted >= HEADER + 8 {
                        self.write_header(
                            mem,
                            at + HEADER + wanted,
                            total - wanted - HEADER,
                            false,
                        )?;
                        block = wanted;
                    }
                    self.write_header(mem, at, block, true)?;
                    return Ok(ptr);
                }
            }
        }
        let new = self.alloc(mem, size)?;
        if new != 0 {
            let mut bytes = vec![0; old as usize];
            mem.read_bytes(ptr, &mut bytes)?;
            mem.write_bytes(new, &bytes)?;
            self.free(mem, ptr)?;
        }
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::testing::Flat;

    fn heap() -> (Heap, Flat) {
        let mut mem = Flat::new(0x1000, 0x1000);
        mem.bytes.fill(0xAA);
        let heap = Heap {
            start: 0x1000,
            end: 0x2000,
        };
        heap.init(&mut mem).unwrap();
        (heap, mem)
    }

    #[test]
    fn blocks_are_aligned_reused_and_merged() {
        let (heap, mut mem) = heap();
        let a = heap.alloc(&mut mem, 10).unwrap();
        let b = heap.alloc(&mut mem, 100).unwrap();
        let c = heap.alloc(&mut mem, 1).unwrap();
        assert_eq!(a % 8, 0);
        assert!(a + 10 <= b && b + 100 <= c, "{a:#x} {b:#x} {c:#x}");
        heap.free(&mut mem, b).unwrap();
        // First fit: a smaller block goes where b was.
        assert_eq!(heap.alloc(&mut mem, 50).unwrap(), b);
        heap.free(&mut mem, a).unwrap();
        heap.free(&mut mem, b).unwrap();
        heap.free(&mut mem, c).unwrap();
        // Everything merged back: the whole heap is one block again.
        let all = heap.alloc(&mut mem, 0x1000 - 8).unwrap();
        assert_eq!(all, 0x1008);
        assert_eq!(heap.alloc(&mut mem, 8).unwrap(), 0, "full: NULL");
    }

    #[test]
    fn realloc_grows_in_place_or_moves_the_contents() {
        let (heap, mut mem) = heap();
        let a = heap.alloc(&mut mem, 16).unwrap();
        mem.write_bytes(a, b"0123456789abcdef").unwrap();
        assert_eq!(heap.realloc(&mut mem, a, 64).unwrap(), a, "room after it");
        let b = heap.alloc(&mut mem, 16).unwrap();
        let moved = heap.realloc(&mut mem, a, 256).unwrap();
        assert!(moved != a && moved != 0);
        let mut bytes = [0; 16];
        mem.read_bytes(moved, &mut bytes).unwrap();
        assert_eq!(&bytes, b"0123456789abcdef");
        assert_eq!(
            heap.realloc(&mut mem, b, 0x10000).unwrap(),
            0,
            "no room: NULL"
        );
        assert_eq!(
            heap.size_of(&mut mem, b).unwrap(),
            16,
            "the old block is kept"
        );
    }

    #[test]
    fn a_wild_or_double_free_is_an_error() {
        let (heap, mut mem) = heap();
        let a = heap.alloc(&mut mem, 16).unwrap();
        assert!(heap.free(&mut mem, a + 4).is_err());
        heap.free(&mut mem, a).unwrap();
        assert!(heap.free(&mut mem, a).is_err());
        assert!(heap.free(&mut mem, 0).is_ok());
    }
}
