//! The code cache's executable memory: one shared anonymous mapping seen at two addresses,
//! once readable and writable, where blocks' code is copied, and once readable and executable,
//! where it runs (`mremap` of the shared mapping with an old size of 0 makes the second view of
//! the same pages). No page is ever writable and executable at once, and installing a block
//! changes no protection (an `mprotect` pair per block, and the host TLB shootdowns each one
//! caused, were a sixth of a Linux boot's time). The cache's pages are faulted in ahead of the
//! code a chunk at a time, in both views, by one `madvise` each instead of a fault per page.
//! The host sees the views as `/dev/zero (deleted)`, which perf counts as anonymous memory, so
//! the perf map ([`super::perf_map`]) names the code in them.
//!
//! This needs Linux's `mremap`; elsewhere there is no executable memory and nothing is
//! compiled (blocks run through the op runner).

use std::ffi::c_void;
use std::num::NonZeroUsize;
use std::ptr::NonNull;

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

/// Bytes faulted in at a time, ahead of the code written.
const CHUNK: usize = 256 << 10;

pub struct ExecMemory {
    /// The writable view and the executable view.
    write: NonNull<c_void>,
    exec: NonNull<c_void>,
    size: usize,
    /// Bytes faulted in from the start.
    ready: usize,
}

/// A second view of the shared mapping `write`, of `size` bytes, readable and executable.
#[cfg(target_os = "linux")]
fn exec_view(write: NonNull<c_void>, size: usize) -> Option<NonNull<c_void>> {
    use nix::sys::mman::{mprotect, mremap, MRemapFlags};
    // SAFETY: `write` is a shared mapping of `size` bytes; the new view aliases its pages but
    // no Rust object (both are reached only through raw pointers).
    unsafe {
        let exec = mremap(write, 0, size, MRemapFlags::MREMAP_MAYMOVE, None).ok()?;
        let rx = ProtFlags::PROT_READ | ProtFlags::PROT_EXEC;
        if mprotect(exec, size, rx).is_err() {
            let _ = munmap(exec, size);
            return None;
        }
        Some(exec)
    }
}

#[cfg(not(target_os = "linux"))]
fn exec_view(_write: NonNull<c_void>, _size: usize) -> Option<NonNull<c_void>> {
    None
}

impl ExecMemory {
    /// `size` bytes (a multiple of the page size), or `None` if the host refuses executable
    /// memory.
    pub fn new(size: usize) -> Option<ExecMemory> {
        let length = NonZeroUsize::new(size)?;
        let rw = ProtFlags::PROT_READ | ProtFlags::PROT_WRITE;
        // SAFETY: a fresh shared anonymous mapping, aliasing nothing.
        let write = unsafe { mmap_anonymous(None, length, rw, MapFlags::MAP_SHARED) }.ok()?;
        let Some(exec) = exec_view(write, size) else {
            // SAFETY: the mapping just made, unused.
            unsafe {
                let _ = munmap(write, size);
            }
            return None;
        };
        Some(ExecMemory {
            write,
            exec,
            size,
            ready: 0,
        })
    }

    /// The executable address of byte `offset`.
    pub fn at(&self, offset: usize) -> usize {
        self.exec.as_ptr() as usize + offset
    }

    /// Copies `bytes` to `offset`; false if they do not fit.
    pub fn write(&mut self, offset: usize, bytes: &[u8]) -> bool {
        let Some(end) = offset.checked_add(bytes.len()) else {
            return false;
        };
        if end > self.size || bytes.is_empty() {
            return false;
        }
        while self.ready < end {
            self.prefault();
        }
        // SAFETY: [offset, end) lies in the writable view; the code there is not running (the
        // engine is one thread, and compiled code is not running while it compiles), and the
        // executable view sees the bytes through the same file.
        unsafe {
            let to = (self.write.as_ptr() as *mut u8).add(offset);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), to, bytes.len());
        }
        true
    }

    /// Faults in the next chunk of both views. A host without `MADV_POPULATE_*` (Linux before
    /// 5.14) faults the pages in at their first touch instead.
    fn prefault(&mut self) {
        let length = CHUNK.min(self.size - self.ready);
        #[cfg(target_os = "linux")]
        // SAFETY: the range lies in both mappings; populating changes no contents.
        unsafe {
            use nix::sys::mman::{madvise, MmapAdvise};
            let _ = madvise(
                self.write.byte_add(self.ready),
                length,
                MmapAdvise::MADV_POPULATE_WRITE,
            );
            let _ = madvise(
                self.exec.byte_add(self.ready),
                length,
                MmapAdvise::MADV_POPULATE_READ,
            );
        }
        self.ready += length;
    }
}

impl Drop for ExecMemory {
    fn drop(&mut self) {
        // SAFETY: the mappings made in `new`, with no code of them running.
        unsafe {
            let _ = munmap(self.write, self.size);
            let _ = munmap(self.exec, self.size);
        }
    }
}
