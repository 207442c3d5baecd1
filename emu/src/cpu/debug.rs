//! Breakpoints and watchpoints, for the monitor and the GDB stub.
//!
//! The run loop checks breakpoints before each instruction only while some exist. Watchpoints
//! cost nothing on pages without one: a watched page never enters the software TLB, so every
//! access to it takes the slow path, which compares it with the watched ranges.

use std::collections::HashSet;

use super::Cpu;
use crate::bus::{Bus, PAGE_SIZE};
use crate::mmu::Access;

/// What a watchpoint watches for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WatchKind {
    Read,
    Write,
    /// Reads and writes.
    Access,
}

/// A watched range of addresses, virtual or physical: `len` bytes (at least one) from `addr`.
/// A range may run past 0xFFFFFFFF and go on from 0, as the ARM's address arithmetic does: it
/// is reduced modulo 2^32 (ARM ARM, A2.8 "Address space"; a GDB client may ask for such a
/// range).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Watchpoint {
    pub addr: u32,
    pub len: u32,
    pub kind: WatchKind,
    pub physical: bool,
}

impl Watchpoint {
    /// Whether the `len` bytes from `addr` (modulo 2^32 too) share a byte with the range: one
    /// range's start lies inside the other.
    fn overlaps(&self, addr: u32, len: u32) -> bool {
        addr.wrapping_sub(self.addr) < self.len.max(1) || self.addr.wrapping_sub(addr) < len
    }

    /// The pages holding a byte of the range, in address order from its first.
    fn pages(&self) -> impl Iterator<Item = u32> {
        let first = self.addr & !(PAGE_SIZE - 1);
        let span = u64::from(self.addr - first) + u64::from(self.len.max(1));
        let count = span.div_ceil(u64::from(PAGE_SIZE)) as u32;
        (0..count).map(move |n| first.wrapping_add(n.wrapping_mul(PAGE_SIZE)))
    }
}

/// A watchpoint that triggered: the address the access used and whether it read or wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchHit {
    pub watchpoint: Watchpoint,
    /// The virtual address of the access.
    pub addr: u32,
    /// `Read` or `Write`: what the access did.
    pub access: WatchKind,
}

/// A breakpoint on a virtual or a physical address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Breakpoint {
    pub addr: u32,
    pub physical: bool,
}

#[derive(Default)]
pub(super) struct Debugger {
    breakpoints: HashSet<Breakpoint>,
    watchpoints: Vec<Watchpoint>,
    /// Pages (virtual or physical, both kinds together) holding part of a watched range.
    watched_pages: HashSet<u32>,
    hit: Option<WatchHit>,
    /// The breakpoint address the last run stopped at: executing it once more does not stop.
    resume_from: Option<u32>,
}

impl Debugger {
    fn is_empty(&self) -> bool {
        self.breakpoints.is_empty() && self.watchpoints.is_empty()
    }
}

impl Cpu {
    fn debugger(&mut self) -> &mut Debugger {
        self.debug.get_or_insert_with(Default::default)
    }

    fn drop_debugger_if_idle(&mut self) {
        if self.debug.as_ref().is_some_and(|d| d.is_empty()) {
            self.debug = None;
        }
    }

    pub fn add_breakpoint(&mut self, breakpoint: Breakpoint) {
        self.debugger().breakpoints.insert(breakpoint);
    }

    /// Removes a breakpoint; false if there was none.
    pub fn remove_breakpoint(&mut self, breakpoint: Breakpoint) -> bool {
        let removed = self.debugger().breakpoints.remove(&breakpoint);
        self.drop_debugger_if_idle();
        removed
    }

    pub fn breakpoints(&self) -> Vec<Breakpoint> {
        let mut list: Vec<Breakpoint> = self
            .debug
            .as_ref()
            .map(|d| d.breakpoints.iter().copied().collect())
            .unwrap_or_default();
        list.sort_by_key(|b| (b.physical, b.addr));
        list
    }

    pub fn add_watchpoint(&mut self, watchpoint: Watchpoint) {
        let debugger = self.debugger();
        if !debugger.watchpoints.contains(&watchpoint) {
            debugger.watchpoints.push(watchpoint);
            debugger.watched_pages.extend(watchpoint.pages());
        }
        // Cached pages must leave the TLB so their accesses reach the check.
        self.invalidate_tlb();
    }

    /// Removes a watchpoint; false if there was none.
    pub fn remove_watchpoint(&mut self, watchpoint: Watchpoint) -> bool {
        let debugger = self.debugger();
        let before = debugger.watchpoints.len();
        debugger.watchpoints.retain(|w| *w != watchpoint);
        let removed = debugger.watchpoints.len() != before;
        debugger.watched_pages = debugger
            .watchpoints
            .iter()
            .flat_map(|w| w.pages())
            .collect();
        self.drop_debugger_if_idle();
        removed
    }

    pub fn watchpoints(&self) -> Vec<Watchpoint> {
        self.debug
            .as_ref()
            .map(|d| d.watchpoints.clone())
            .unwrap_or_default()
    }

    /// Whether the page of virtual `va` or physical `pa` may be cached in the TLB.
    pub(super) fn cacheable(&self, va: u32, pa: u32) -> bool {
        self.debug.as_ref().is_none_or(|d| {
            !d.watched_pages.contains(&(va & !(PAGE_SIZE - 1)))
                && !d.watched_pages.contains(&(pa & !(PAGE_SIZE - 1)))
        })
    }

    /// After an access of `len` bytes at virtual `va` / physical `pa` succeeded: records a hit
    /// on any watchpoint it touches, to stop after the instruction.
    pub(super) fn check_watchpoints(&mut self, va: u32, pa: u32, len: u32, write: bool) {
        let Some(debugger) = self.debug.as_mut() else {
            return;
        };
        let access = if write {
            WatchKind::Write
        } else {
            WatchKind::Read
        };
        let hit = debugger.watchpoints.iter().find(|w| {
            let kind_matches = w.kind == WatchKind::Access || w.kind == access;
            let addr = if w.physical { pa } else { va };
            kind_matches && w.overlaps(addr, len)
        });
        if let Some(&watchpoint) = hit {
            debugger.hit.get_or_insert(WatchHit {
                watchpoint,
                addr: va,
                access,
            });
            self.attention = true;
        }
    }

    /// Takes the watchpoint hit of the last instruction, if any.
    pub(super) fn take_watch_hit(&mut self) -> Option<WatchHit> {
        self.debug.as_mut().and_then(|d| d.hit.take())
    }

    /// Whether execution must stop before the instruction at the PC: a breakpoint there that
    /// the CPU did not just stop at.
    pub(super) fn at_breakpoint<B: Bus>(&mut self, bus: &B) -> bool {
        let pc = self.r[15];
        let Some(debugger) = self.debug.as_ref() else {
            return false;
        };
        // Translating the PC costs a walk: only done while physical breakpoints exist.
        let pa = if debugger.breakpoints.iter().any(|b| b.physical) {
            let user = !self.mode.is_privileged();
            self.translate(bus, pc, Access::Fetch, user).result.ok()
        } else {
            None
        };
        let Some(debugger) = self.debug.as_mut() else {
            return false;
        };
        if debugger.resume_from.take() == Some(pc) {
            return false;
        }
        let virtual_hit = debugger.breakpoints.contains(&Breakpoint {
            addr: pc,
            physical: false,
        });
        let physical_hit = pa.is_some_and(|addr| {
            debugger.breakpoints.contains(&Breakpoint {
                addr,
                physical: true,
            })
        });
        if virtual_hit || physical_hit {
            debugger.resume_from = Some(pc);
        }
        virtual_hit || physical_hit
    }
}
