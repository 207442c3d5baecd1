//! The CPU's side of memory: virtual accesses, the software TLB and faults.
//!
//! Every load, store and fetch first looks in a direct-mapped software TLB of 4 KiB pages (a
//! fetch looks even earlier in the run loop's current code page, a copy of an entry). A hit
//! names the page's place in the bus's RAM arena, so the access is an index into a byte slice.
//! A miss walks the translation tables ([`crate::mmu::translate`]), asks the bus whether the
//! physical page is RAM, caches the answer, and otherwise goes to the bus (a device register, or
//! nothing: an external abort).
//!
//! The TLB has four tables: reads (and fetches) and writes, each for User and privileged
//! accesses, so that a hit needs no permission check. A page enters a table only when that
//! access is permitted on the whole 4 KiB page. Invalidating one entry drops the pages of the
//! mapping (section, large or small page) that holds its address; a DACR change drops the pages
//! of the domains whose access it changed (the hardware's TLB keeps each entry's domain and
//! checks the DACR at every access, so no other entry changes meaning); every other TLB
//! maintenance operation, and every change to TTBR, the FCSE PID or the translation bits of the
//! control register, empties it.

use std::ops::Range;

use super::Cpu;
use crate::bus::{ram_read, ram_write, Bus, Origin, Size, PAGE_SIZE};
use crate::mmu::{self, status, Access, DomainAccess, Fault, Translation, Walk};

const PAGE_MASK: u32 = !(PAGE_SIZE - 1);
/// Entries per table. 16384 pages of 4 KiB cover 64 MiB without a miss: all of the CX's SDRAM
/// in Linux's linear map, whose pages 8 MiB apart took turns in 2048 entries.
pub const SETS: usize = 16384;
// `Tlb::filled` numbers entries in 16 bits.
const _: () = assert!(4 * SETS <= 1 << 16);
/// A tag no page address equals (page addresses have their low 12 bits clear), nor an address
/// masked to its page and its two lowest bits, as compiled code compares an aligned access's.
const INVALID: u32 = 0xFFF;

/// Laid out as C lays it out: compiled code reads entries (`Cpu::tlb_tables`).
#[derive(Clone, Copy)]
#[repr(C)]
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

/// What the mapping an entry's page came from was, beside the entry (compiled code reads only
/// entries).
#[derive(Clone, Copy)]
struct Source {
    /// log2 of the mapping's size (12 for a small page or with the MMU off, 16 for a large
    /// page, 20 for a section): what one entry of the hardware's TLB would cover, which an
    /// invalidation by address drops whole.
    span: u8,
    /// Its descriptor's domain, or `NO_DOMAIN` with the MMU off.
    domain: u8,
    /// Whether its AP bits permit the table's access: then the entry holds while the domain is
    /// a client or a manager; otherwise only while it is a manager.
    ap_permits: bool,
}

/// The domain of an entry filled with the MMU off, which no DACR change concerns.
const NO_DOMAIN: u8 = 16;
/// The lists of `Tlb::filled`: two for each of the sixteen domains and `NO_DOMAIN` by the AP
/// bits, each in two for reads and writes.
const LISTS: usize = (NO_DOMAIN as usize + 1) * 4;

impl Source {
    /// The list of `Tlb::filled` an entry of `table` from this mapping is in.
    fn list(&self, table: usize) -> usize {
        (usize::from(self.domain) * 2 + usize::from(self.ap_permits)) * 2 + (table & WRITE)
    }

    fn of(translation: &Translation) -> Source {
        Source {
            span: translation.span(),
            domain: translation.domain.map_or(NO_DOMAIN, |domain| domain as u8),
            ap_permits: translation.ap_permits,
        }
    }
}

pub(super) struct Tlb {
    tables: Box<[[Entry; SETS]; 4]>,
    sources: Box<[[Source; SETS]; 4]>,
    /// The filled entries (table * SETS + set), in lists by [`Source::list`]: their domain,
    /// whether their AP bits permit their access, and whether they are write entries. A drop
    /// looks only at the lists it can concern, and keeps in them what it leaves (a context
    /// switch empties a TLB holding a few dozen pages, Linux changes its domains' access at
    /// every exception, and each new code page drops the write entries reaching it: looking at
    /// every entry each time cost more than the refills). A listed entry may since hold another
    /// page, or none: each is checked. A list that reaches [`FILLED_LIST`] stops growing, and
    /// a drop then looks at every entry (and lists again what stays).
    filled: [Vec<u16>; LISTS],
    /// `PRIVILEGED` when the current mode is privileged, else 0.
    privilege: usize,
}

/// The most entries one of `Tlb::filled`'s lists holds.
const FILLED_LIST: usize = 4096;

/// log2 of the largest mapping (a section, 1 MiB; ARMv5 has no supersections).
const LARGEST_SPAN: u32 = 20;

impl Default for Tlb {
    fn default() -> Tlb {
        Tlb::new()
    }
}

impl Tlb {
    pub(super) fn new() -> Tlb {
        Tlb {
            tables: Box::new([[EMPTY; SETS]; 4]),
            sources: Box::new(
                [[Source {
                    span: PAGE_SIZE.trailing_zeros() as u8,
                    domain: NO_DOMAIN,
                    ap_permits: false,
                }; SETS]; 4],
            ),
            filled: std::array::from_fn(|_| Vec::new()),
            privilege: PRIVILEGED,
        }
    }

    pub(super) fn set_privileged(&mut self, privileged: bool) {
        self.privilege = if privileged { PRIVILEGED } else { 0 };
    }

    pub(super) fn invalidate_all(&mut self) {
        self.forget_where(|_| true, |_, _| true);
    }

    /// Drops every entry that the hardware's TLB entry translating `va` would have covered:
    /// the entries of the pages of the same section, large page or small page as `va` when
    /// they were filled (ARM ARM B4.2.1: "Invalidate TLB single entry" invalidates the entry
    /// that matches the MVA, whatever the size of the mapping it caches). Only the 1 MiB around
    /// `va` can hold such pages.
    pub(super) fn invalidate_entry(&mut self, va: u32) {
        let region = va & !((1 << LARGEST_SPAN) - 1);
        for page in 0..1u32 << (LARGEST_SPAN - 12) {
            let tag = region | page << 12;
            let set = (tag >> 12) as usize & (SETS - 1);
            for table in 0..4 {
                let span = self.sources[table][set].span as u32;
                if self.tables[table][set].tag == tag && (tag ^ va) >> span == 0 {
                    self.tables[table][set] = EMPTY;
                }
            }
        }
    }

    #[inline(always)]
    fn lookup(&self, table: usize, addr: u32) -> Option<u32> {
        let entry = self.tables[table & 3][(addr >> 12) as usize & (SETS - 1)];
        (entry.tag == addr & PAGE_MASK).then_some(entry.offset)
    }

    /// Drops every write entry.
    fn forget_writes(&mut self) {
        self.forget_where(|list| list & WRITE != 0, |_, _| true);
    }

    /// The tables of the current privilege, for reads and for writes.
    pub(super) fn tables(&self) -> (*const u8, *const u8) {
        let read = &self.tables[self.privilege];
        let write = &self.tables[self.privilege | WRITE];
        (read.as_ptr() as *const u8, write.as_ptr() as *const u8)
    }

    /// Drops the write entries that reach the arena page at `offset` (a page that now holds
    /// decoded code, whose stores must take the slow path).
    pub(super) fn forget_writes_to(&mut self, offset: u32) {
        self.forget_where(|list| list & WRITE != 0, |entry, _| entry.offset == offset);
    }

    /// Drops the entries of pages in the domains `domains` (bit N: domain N), whose access the
    /// DACR (now `dacr`) changed, that the new access no longer permits: a manager's pages all
    /// stay, a client's those whose AP bits permit their access, and none of a domain with no
    /// access (ARM ARM B4.6.4). The other domains' entries stay as they were.
    pub(super) fn forget_domains(&mut self, domains: u16, dacr: u32) {
        for domain in 0..16 {
            if domains >> domain & 1 == 0 {
                continue;
            }
            let keep_permitted = match DomainAccess::from_bits(dacr >> (2 * domain)) {
                DomainAccess::Manager => continue,
                DomainAccess::Client => true,
                DomainAccess::NoAccess | DomainAccess::Reserved => false,
            };
            // Bit 1 of a list number is the AP bits' permission, bits 2 up the domain.
            self.forget_where(
                |list| list >> 2 == domain && !(keep_permitted && list & 2 != 0),
                |_, _| true,
            );
        }
    }

    /// Drops every entry of the lists `lists` picks for which `forget(entry, source)` holds.
    fn forget_where(
        &mut self,
        lists: impl Fn(usize) -> bool,
        forget: impl Fn(&Entry, &Source) -> bool,
    ) {
        for list in (0..LISTS).filter(|&list| lists(list)) {
            // Whether the entry at `at` is in this list and stays there.
            let mut stays = |at: usize| {
                let (table, set) = (at / SETS, at % SETS);
                let (entry, source) = (&mut self.tables[table][set], &self.sources[table][set]);
                if entry.tag == INVALID || source.list(table) != list {
                    return false;
                }
                if forget(entry, source) {
                    *entry = EMPTY;
                    return false;
                }
                true
            };
            let mut listed = std::mem::take(&mut self.filled[list]);
            if listed.len() < FILLED_LIST {
                listed.retain(|&at| stays(at.into()));
            } else {
                listed.clear();
                for at in 0..4 * SETS {
                    if stays(at) && listed.len() < FILLED_LIST {
                        listed.push(at as u16);
                    }
                }
            }
            self.filled[list] = listed;
        }
    }

    /// Caches the page of `addr` at arena `offset`, from the mapping `source` describes.
    fn fill(&mut self, table: usize, addr: u32, offset: u32, source: Source) {
        let (table, set) = (table & 3, (addr >> 12) as usize & (SETS - 1));
        let entry = &mut self.tables[table][set];
        // An entry joins its list unless it is there already.
        let list = source.list(table);
        let listed = entry.tag != INVALID && self.sources[table][set].list(table) == list;
        if !listed && self.filled[list].len() < FILLED_LIST {
            self.filled[list].push((table * SETS + set) as u16);
        }
        *entry = Entry {
            tag: addr & PAGE_MASK,
            offset,
        };
        self.sources[table][set] = source;
    }
}

/// The page the run loop fetches from while it runs straight-line code: a copy of a TLB entry
/// kept in registers, so that a fetch from the same page needs no TLB lookup. The copy is good
/// only while nothing needs the run loop's attention: every TLB invalidation and every mode
/// change (which may change the table fetches use) raises `attention`, which ends the run.
/// Stores reach the same arena, so code rewritten in the page is fetched as written. (A page
/// table changed without TLB maintenance may go unseen a little longer than through the TLB,
/// which is what a hardware TLB allows too.)
pub(super) struct CodePage {
    /// Virtual page address, or `INVALID`.
    tag: u32,
    /// Arena offset of the physical page.
    offset: u32,
}

impl CodePage {
    pub(super) const NONE: CodePage = CodePage {
        tag: INVALID,
        offset: 0,
    };
}

/// Who an access is checked as: the current mode, or User mode whatever the mode (LDRT/STRT).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum As {
    Current,
    User,
}

impl Cpu {
    /// Puts the page of `addr` that `walk` found, at arena `offset`, in TLB table `table`,
    /// when one entry may stand for it: the walk's permissions hold on the whole 4 KiB page
    /// and the page is cacheable.
    fn cache(&mut self, table: usize, addr: u32, offset: u32, walk: &Translation) {
        let Ok(pa) = walk.result else { return };
        if walk.uniform_4k && self.cacheable(addr, pa) {
            self.tlb.fill(table, addr, offset, Source::of(walk));
        }
    }

    fn table(&self, who: As) -> usize {
        match who {
            As::Current => self.tlb.privilege,
            As::User => 0,
        }
    }

    fn origin(&self) -> Origin {
        Origin {
            now: self.now(),
            pc: self.insn_addr,
        }
    }

    /// The outcome of the walk for an access (no record of its steps), reading the tables with
    /// side-effect-free bus reads.
    fn walk<B: Bus>(&self, bus: &B, va: u32, access: Access, user: bool) -> Translation {
        mmu::translation(&self.cp15, va, access, user, |pa| bus.peek(pa, Size::Word))
    }

    /// The debugger's view of a translation: the whole walk, changing nothing.
    pub fn translate<B: Bus>(&self, bus: &B, va: u32, access: Access, user: bool) -> Walk {
        mmu::translate(&self.cp15, va, access, user, |pa| bus.peek(pa, Size::Word))
    }

    /// Reads `size` bytes at `addr`, which the caller has aligned to the size.
    #[inline(always)]
    fn read<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        access: Access,
        who: As,
    ) -> Result<u32, Fault> {
        match self.read_fast(bus, addr, size, who) {
            Some(value) => Ok(value),
            None => self.read_slow(bus, addr, size, access, who),
        }
    }

    /// A read that hits the TLB, from the RAM arena; `None` for anything else.
    #[inline(always)]
    fn read_fast<B: Bus>(&self, bus: &B, addr: u32, size: Size, who: As) -> Option<u32> {
        let offset = self.tlb.lookup(self.table(who), addr)?;
        ram_read(bus.ram(), (offset | (addr & !PAGE_MASK)) as usize, size)
    }

    #[inline(never)]
    fn read_slow<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        access: Access,
        who: As,
    ) -> Result<u32, Fault> {
        let user = who == As::User || !self.mode.is_privileged();
        let walk = self.walk(bus, addr, access, user);
        let pa = walk.result?;
        if let Some(page) = bus.ram_page(pa) {
            let at = (page.offset | (pa & !PAGE_MASK)) as usize;
            if let Some(value) = ram_read(bus.ram(), at, size) {
                self.cache(self.table(who), addr, page.offset, &walk);
                if access == Access::Read {
                    self.check_watchpoints(addr, pa, size.bytes(), false);
                }
                return Ok(value);
            }
        }
        self.device_accessed = true;
        self.attention = true;
        let value = bus
            .read(pa, size, self.origin())
            .map_err(|_| Fault::new(status::EXTERNAL, 0, walk.mva))?;
        if access == Access::Read {
            self.check_watchpoints(addr, pa, size.bytes(), false);
        }
        Ok(value)
    }

    /// Writes `size` bytes at `addr`, which the caller has aligned to the size.
    #[inline(always)]
    fn write<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        value: u32,
        who: As,
    ) -> Result<(), Fault> {
        match self.write_fast(bus, addr, size, value, who) {
            Some(()) => Ok(()),
            None => self.write_slow(bus, addr, size, value, who),
        }
    }

    /// A write that hits the TLB, to the RAM arena; `None` (and nothing written) otherwise.
    #[inline(always)]
    fn write_fast<B: Bus>(
        &self,
        bus: &mut B,
        addr: u32,
        size: Size,
        value: u32,
        who: As,
    ) -> Option<()> {
        let offset = self.tlb.lookup(self.table(who) | WRITE, addr)?;
        ram_write(
            bus.ram_mut(),
            (offset | (addr & !PAGE_MASK)) as usize,
            size,
            value,
        )
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
        let user = who == As::User || !self.mode.is_privileged();
        let walk = self.walk(bus, addr, Access::Write, user);
        let pa = walk.result?;
        if let Some(page) = bus.ram_page(pa).filter(|page| page.writable) {
            let at = (page.offset | (pa & !PAGE_MASK)) as usize;
            if ram_write(bus.ram_mut(), at, size, value).is_some() {
                bus.note_written(page.offset);
                if !self.code_watch.keeps_stores_slow(page.offset) {
                    self.cache(self.table(who) | WRITE, addr, page.offset, &walk);
                }
                if self.code_watch.stored(Some(page.offset), addr, size, value) {
                    self.attention = true;
                }
                self.check_watchpoints(addr, pa, size.bytes(), true);
                return Ok(());
            }
        }
        self.device_accessed = true;
        self.attention = true;
        bus.write(pa, size, value, self.origin())
            .map_err(|_| Fault::new(status::EXTERNAL, 0, walk.mva))?;
        self.code_watch.stored(None, addr, size, value);
        self.check_watchpoints(addr, pa, size.bytes(), true);
        Ok(())
    }

    /// The alignment fault a data access of `size` bytes at `addr` raises when CP15 c1 A is set
    /// (ARM ARM B4.3; checked before translation, so it has the highest priority).
    #[inline(always)]
    fn check_alignment(&self, addr: u32, size: Size) -> Result<(), Fault> {
        if self.alignment_check && mmu::misaligned(addr, size.bytes()) {
            return Err(Fault::new(
                status::ALIGNMENT,
                0,
                mmu::fcse(&self.cp15, addr),
            ));
        }
        Ok(())
    }

    /// A data load as `who`: an alignment check, then the access at the address aligned down
    /// to the size (the ARM926EJ-S ignores the low bits of unaligned halfword and word accesses;
    /// word loads that rotate use `load_word_rotated`).
    #[inline(always)]
    pub(super) fn load<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        who: As,
    ) -> Result<u32, Fault> {
        self.check_alignment(addr, size)?;
        self.read(bus, addr & !(size.bytes() - 1), size, Access::Read, who)
    }

    /// A data store as `who`, checked and aligned as `load` does.
    #[inline(always)]
    pub(super) fn store<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        value: u32,
        who: As,
    ) -> Result<(), Fault> {
        self.check_alignment(addr, size)?;
        self.write(bus, addr & !(size.bytes() - 1), size, value, who)
    }

    /// `load`, or with `FAST` only its fast path: a TLB hit on RAM with no alignment fault,
    /// and `None` for anything else, having done nothing (the caller then starts over with
    /// `FAST` false). Handlers whose fast path ends without a call need no stack frame.
    #[inline(always)]
    pub(super) fn try_load<B: Bus, const FAST: bool>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        who: As,
    ) -> Option<Result<u32, Fault>> {
        if !FAST {
            return Some(self.load(bus, addr, size, who));
        }
        if self.check_alignment(addr, size).is_err() {
            return None;
        }
        self.read_fast(bus, addr & !(size.bytes() - 1), size, who)
            .map(Ok)
    }

    /// `store`, or with `FAST` only its fast path, as `try_load`.
    #[inline(always)]
    pub(super) fn try_store<B: Bus, const FAST: bool>(
        &mut self,
        bus: &mut B,
        addr: u32,
        size: Size,
        value: u32,
        who: As,
    ) -> Option<Result<(), Fault>> {
        if !FAST {
            return Some(self.store(bus, addr, size, value, who));
        }
        if self.check_alignment(addr, size).is_err() {
            return None;
        }
        self.write_fast(bus, addr & !(size.bytes() - 1), size, value, who)
            .map(Ok)
    }

    #[inline(always)]
    pub(super) fn read32<B: Bus>(&mut self, bus: &mut B, addr: u32) -> Result<u32, Fault> {
        self.load(bus, addr, Size::Word, As::Current)
    }

    #[inline(always)]
    pub(super) fn read16<B: Bus>(&mut self, bus: &mut B, addr: u32) -> Result<u32, Fault> {
        self.load(bus, addr, Size::Half, As::Current)
    }

    #[inline(always)]
    pub(super) fn read8<B: Bus>(&mut self, bus: &mut B, addr: u32) -> Result<u32, Fault> {
        self.load(bus, addr, Size::Byte, As::Current)
    }

    #[inline(always)]
    pub(super) fn write32<B: Bus>(&mut self, bus: &mut B, addr: u32, v: u32) -> Result<(), Fault> {
        self.store(bus, addr, Size::Word, v, As::Current)
    }

    #[inline(always)]
    pub(super) fn write16<B: Bus>(&mut self, bus: &mut B, addr: u32, v: u32) -> Result<(), Fault> {
        self.store(bus, addr, Size::Half, v, As::Current)
    }

    #[inline(always)]
    pub(super) fn write8<B: Bus>(&mut self, bus: &mut B, addr: u32, v: u32) -> Result<(), Fault> {
        self.store(bus, addr, Size::Byte, v, As::Current)
    }

    /// LDR and SWP: with alignment checking off, an unaligned word load returns the word at the
    /// aligned address rotated right by 8 times the low address bits (ARM ARM A4.1.23).
    #[inline(always)]
    pub(super) fn load_word_rotated<B: Bus>(
        &mut self,
        bus: &mut B,
        addr: u32,
        who: As,
    ) -> Result<u32, Fault> {
        let word = self.load(bus, addr, Size::Word, who)?;
        Ok(word.rotate_right((addr & 3) * 8))
    }

    /// Fetches an instruction (ARM: a word, Thumb: a halfword) at an aligned address, from
    /// `page` when the address is in it; a fetch from another page makes that page the current
    /// one, if the TLB holds it. A fetch that aborts takes the prefetch abort and returns `None`.
    #[inline(always)]
    pub(super) fn fetch_from<B: Bus>(
        &mut self,
        bus: &mut B,
        page: &mut CodePage,
        addr: u32,
        size: Size,
    ) -> Option<u32> {
        if addr & PAGE_MASK == page.tag {
            let at = (page.offset | (addr & !PAGE_MASK)) as usize;
            if let Some(value) = ram_read(bus.ram(), at, size) {
                return Some(value);
            }
        }
        self.fetch_new_page(bus, page, addr, size)
    }

    #[inline(never)]
    fn fetch_new_page<B: Bus>(
        &mut self,
        bus: &mut B,
        page: &mut CodePage,
        addr: u32,
        size: Size,
    ) -> Option<u32> {
        let value = match self.read(bus, addr, size, Access::Fetch, As::Current) {
            Ok(value) => value,
            Err(fault) => {
                self.prefetch_abort(fault, addr);
                return None;
            }
        };
        if let Some(offset) = self.tlb.lookup(self.tlb.privilege, addr) {
            *page = CodePage {
                tag: addr & PAGE_MASK,
                offset,
            };
        }
        Some(value)
    }

    /// The arena offset of the page an instruction fetch at `addr` finds in the TLB, if any.
    #[inline(always)]
    pub(super) fn fetch_page(&self, addr: u32) -> Option<u32> {
        self.tlb.lookup(self.tlb.privilege, addr)
    }

    /// What an instruction fetch at `addr` that misses the TLB does to it, without the fetch:
    /// where the walk finds RAM without a fault, the page enters the TLB as `read_slow` fills
    /// it; then the arena offset of the page if the TLB holds it. Nothing else changes (a
    /// fault, a device or ROM outside the arena is left to the fetch itself).
    pub(super) fn fill_fetch_page<B: Bus>(&mut self, bus: &B, addr: u32) -> Option<u32> {
        let walk = self.walk(bus, addr, Access::Fetch, !self.mode.is_privileged());
        let pa = walk.result.ok()?;
        let page = bus.ram_page(pa)?;
        self.cache(self.tlb.privilege, addr, page.offset, &walk);
        self.fetch_page(addr)
    }

    /// Reads virtual memory as a debugger or the semihosting handler does: through the current
    /// translation with the current mode's permissions, without touching the TLB or any device
    /// (device registers read as absent).
    pub fn debug_read<B: Bus>(&self, bus: &B, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        debug_pieces(addr, buf.len(), |va, piece| {
            let at = self.debug_arena_range(bus, va, piece.len(), Access::Read)?;
            buf[piece].copy_from_slice(&bus.ram()[at]);
            Ok(())
        })
    }

    /// Empties the TLB's write tables, so that the next store to each page goes the slow way
    /// and tells the bus (the pages written that the rewind ring takes, [`crate::dirty`]).
    pub fn drop_write_entries(&mut self) {
        self.tlb.forget_writes();
    }

    /// Writes virtual memory as a debugger does: RAM and ROM pages only (a debugger may patch
    /// ROM), through a translation that permits writing, without touching the TLB or devices.
    pub fn debug_write<B: Bus>(&self, bus: &mut B, addr: u32, data: &[u8]) -> Result<(), Fault> {
        debug_pieces(addr, data.len(), |va, piece| {
            let at = self.debug_arena_range(bus, va, piece.len(), Access::Write)?;
            bus.note_host_written(at.start as u32);
            bus.ram_mut()[at].copy_from_slice(&data[piece]);
            Ok(())
        })
    }

    /// The physical address a debugger's read of `va` would reach (no TLB, no permission
    /// check beyond the current mode's); `None` where the translation faults.
    pub fn debug_translate<B: Bus>(&self, bus: &B, va: u32) -> Option<u32> {
        self.walk(bus, va, Access::Read, !self.mode.is_privileged())
            .result
            .ok()
    }

    /// Where in the RAM arena the `len` bytes a debugger accesses at `va` lie (`len` within
    /// one translation); an external abort where they are not RAM.
    fn debug_arena_range<B: Bus>(
        &self,
        bus: &B,
        va: u32,
        len: usize,
        access: Access,
    ) -> Result<Range<usize>, Fault> {
        let walk = self.walk(bus, va, access, !self.mode.is_privileged());
        let pa = walk.result?;
        let external = Fault::new(status::EXTERNAL, 0, walk.mva);
        let page = bus.ram_page(pa).ok_or(external)?;
        let at = (page.offset | (pa & !PAGE_MASK)) as usize;
        (at + len <= bus.ram().len())
            .then_some(at..at + len)
            .ok_or(external)
    }
}

/// Runs `access` on each piece of the `len` bytes from virtual address `addr` that one
/// translation maps, with the piece's address and its place among the bytes: up to each 1 KiB
/// boundary, the smallest page the MMU maps (tiny pages), so one walk serves a piece.
fn debug_pieces(
    addr: u32,
    len: usize,
    mut access: impl FnMut(u32, Range<usize>) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let mut done = 0;
    while done < len {
        let va = addr.wrapping_add(done as u32);
        let piece = (len - done).min(0x400 - (va & 0x3FF) as usize);
        access(va, done..done + piece)?;
        done += piece;
    }
    Ok(())
}
