//! The code cache's executable memory: one anonymous mapping, readable and executable, whose
//! pages are made writable only while a block's code is copied into them (never writable and
//! executable at once). Only the pages written change protection, so installing a block costs
//! two `mprotect` calls over a page or two, whatever the cache's size.

use std::ffi::c_void;
use std::num::NonZeroUsize;
use std::ptr::NonNull;

use nix::sys::mman::{mmap_anonymous, mprotect, munmap, MapFlags, ProtFlags};

const PAGE: usize = 4096;

pub struct ExecMemory {
    base: NonNull<c_void>,
    size: usize,
}

impl ExecMemory {
    /// `size` bytes (a multiple of the page size), or `None` if the host refuses executable
    /// memory.
    pub fn new(size: usize) -> Option<ExecMemory> {
        let length = NonZeroUsize::new(size)?;
        // SAFETY: a fresh private anonymous mapping, aliasing nothing.
        let base = unsafe {
            mmap_anonymous(
                None,
                length,
                ProtFlags::PROT_READ | ProtFlags::PROT_EXEC,
                MapFlags::MAP_PRIVATE,
            )
        }
        .ok()?;
        Some(ExecMemory { base, size })
    }

    /// The address of byte `offset`.
    pub fn at(&self, offset: usize) -> usize {
        self.base.as_ptr() as usize + offset
    }

    /// Copies `bytes` to `offset`; false if they do not fit or the protection cannot change.
    pub fn write(&mut self, offset: usize, bytes: &[u8]) -> bool {
        if offset
            .checked_add(bytes.len())
            .is_none_or(|end| end > self.size)
            || bytes.is_empty()
        {
            return false;
        }
        let first = offset / PAGE * PAGE;
        let last = (offset + bytes.len()).div_ceil(PAGE) * PAGE;
        // SAFETY: [first, last) lies in the mapping; no code runs while it is writable (the
        // engine is one thread, and compiled code is not running while it compiles).
        unsafe {
            let pages = NonNull::new_unchecked(self.base.as_ptr().byte_add(first));
            let rw = ProtFlags::PROT_READ | ProtFlags::PROT_WRITE;
            if mprotect(pages, last - first, rw).is_err() {
                return false;
            }
            let to = (self.base.as_ptr() as *mut u8).add(offset);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), to, bytes.len());
            let rx = ProtFlags::PROT_READ | ProtFlags::PROT_EXEC;
            mprotect(pages, last - first, rx).is_ok()
        }
    }
}

impl Drop for ExecMemory {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, with no code of it running.
        unsafe {
            let _ = munmap(self.base, self.size);
        }
    }
}
