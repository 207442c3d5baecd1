//! Translation blocks: each guest basic block decoded once, then run from its decoded form.
//!
//! A block is the instructions from one address to the first that may branch or change the
//! state, never past the end of its 4 KiB page and never longer than [`MAX_OPS`]. It is keyed by
//! where it lies in the RAM arena (the physical address, which no change of mapping affects)
//! and by the instruction set; what else changes an instruction's meaning (the mode, the flags,
//! CP15) is read when it runs, as the interpreter reads it, so it needs no place in the key. The
//! virtual address is translated at each block's entry through the TLB, as the interpreter's
//! fetch does, so TLB maintenance and TTBR, DACR or FCSE changes reach blocks through the TLB
//! and invalidate none of them.
//!
//! Blocks go stale only when the bytes they were decoded from change:
//! - a store by the CPU to a page with blocks takes the slow path (the CPU keeps such pages out
//!   of its TLB's write tables) and ends the block after that instruction; the page's blocks
//!   are dropped before the next one runs, so a store to the next instruction is seen, as the
//!   interpreter sees it;
//! - anything else that writes memory (the machine loading an image or a state, a semihosting
//!   or OS call, a debugger) happens outside the run, and the board counts it; when the count
//!   moved ([`Blocks::host_wrote`]) each page's bytes, kept as they were decoded, are compared
//!   with memory when a block of the page is next looked up, and a page that changed loses
//!   its blocks.
//!
//! A block's ops are the interpreter's own handlers, which the op runner calls; on x86-64 hosts
//! a block that has run a few times is compiled to host code ([`super::x64`]),
//! which calls the same handlers for what it does not compile.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::bus::{ram_read, Bus, Size, PAGE_SIZE};
use crate::cpu::{Cpu, Op, Straight};

/// The most instructions one block holds.
const MAX_OPS: usize = 64;

/// A block's key: its arena offset, shifted, with bit 0 set for Thumb code.
type Key = u64;

fn key(offset: u32, thumb: bool) -> Key {
    (offset as u64) << 1 | thumb as u64
}

/// Keys (and page offsets) are spread by one multiplication (Fibonacci hashing): they are
/// offsets, already distinct, and SipHash would cost more than the lookup saves (the page map
/// is looked up at every block entry while pages wait to be compared after a host action).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ byte as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(value as u64);
    }
}

/// A map by block key or by page offset, hashed by [`KeyHasher`].
type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Entries of the direct-mapped cache in front of the map.
const JUMP_CACHE: usize = 4096;

/// A key no block has (keys of Thumb blocks are odd, of ARM blocks even, never all ones).
const NO_KEY: Key = u64::MAX;

/// One decoded block, with what the x86-64 backend made of it.
struct Block<B> {
    ops: Box<[Op<B>]>,
    /// Runs through the op runner so far.
    runs: u32,
    #[cfg(target_arch = "x86_64")]
    compiled: Option<super::x64::Compiled>,
}

impl<B> Block<B> {
    fn new(ops: Box<[Op<B>]>) -> Block<B> {
        Block {
            ops,
            runs: 0,
            #[cfg(target_arch = "x86_64")]
            compiled: None,
        }
    }
}

/// A page holding blocks: their keys, and the page's bytes when its first block was decoded.
struct Page {
    keys: Vec<Key>,
    bytes: Box<[u8]>,
}

/// How the blocks ran, for `--stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Blocks decoded.
    pub decoded: u64,
    /// Runs of blocks through the op runner.
    pub op_runs: u64,
    /// Blocks compiled to host code, runs of compiled blocks, and how often the code cache
    /// was emptied because it was full (always 0 without a code generator).
    pub compiled: u64,
    pub compiled_runs: u64,
    pub flushes: u64,
    /// Returns of compiled code to the run loop, by why (`x64::Exit::ALL`'s order, with
    /// their names).
    pub exits: [(&'static str, u64); EXITS],
    /// Runs by the op runner of blocks that were compiled but did not fit in the budget or
    /// before the deadline; instructions the block runner left to the interpreter (not in the
    /// TLB, or across a page's end); returns of the block runner to the CPU's run loop.
    pub unfit: u64,
    pub steps: u64,
    pub returns: u64,
}

#[cfg(target_arch = "x86_64")]
const EXITS: usize = super::x64::Exit::ALL.len();
#[cfg(not(target_arch = "x86_64"))]
const EXITS: usize = 0;

/// The blocks decoded so far, for one bus type.
pub struct Blocks<B> {
    /// The blocks, by number; a dropped block's place is empty, and reused.
    blocks: Vec<Block<B>>,
    free: Vec<u32>,
    /// Each block's number, by key.
    numbers: KeyMap<Key, u32>,
    /// The latest blocks looked up, by a hash of their key, so that most lookups are one
    /// comparison (as QEMU's `tb_jmp_cache`).
    jump: Box<[(Key, u32)]>,
    /// The blocks of each page, by the page's arena offset.
    pages: KeyMap<u32, Page>,
    /// Counts the host's actions (which may have changed memory outside the run); a page's
    /// bytes are compared with memory when its blocks are next looked up in a later one.
    epoch: u64,
    /// The board's count of host writes when the epoch began.
    host_writes: u64,
    /// The epoch each arena page was last compared with memory in (or found to hold no
    /// blocks), by page number: one load tells a block's entry that its page needs nothing.
    checked: Vec<u64>,
    /// Runs through the op runner before a block is compiled (`None`: never).
    hot: Option<u32>,
    /// Where a block is decoded before it is copied to an allocation of its own size (a
    /// vector grown op by op cost a reallocation every few ops).
    scratch: Vec<Op<B>>,
    decoded: u64,
    op_runs: u64,
    unfit: u64,
    steps: u64,
    returns: u64,
    #[cfg(target_arch = "x86_64")]
    code: super::x64::Code,
}

impl<B> Default for Blocks<B> {
    fn default() -> Self {
        Blocks {
            blocks: Vec::new(),
            free: Vec::new(),
            numbers: KeyMap::default(),
            jump: vec![(NO_KEY, 0); JUMP_CACHE].into_boxed_slice(),
            pages: KeyMap::default(),
            epoch: 0,
            host_writes: 0,
            checked: Vec::new(),
            #[cfg(target_arch = "x86_64")]
            hot: Some(super::x64::HOT),
            #[cfg(not(target_arch = "x86_64"))]
            hot: None,
            scratch: Vec::with_capacity(MAX_OPS),
            decoded: 0,
            op_runs: 0,
            unfit: 0,
            steps: 0,
            returns: 0,
            #[cfg(target_arch = "x86_64")]
            code: super::x64::Code::default(),
        }
    }
}

fn jump_slot(key: Key) -> usize {
    ((key >> 1) ^ (key >> 13)) as usize & (JUMP_CACHE - 1)
}

impl<B: Bus> Blocks<B> {
    /// The board's count of host writes ([`crate::board::Board::host_writes`]) is
    /// `host_writes`: if it moved since the last call, memory changed behind the CPU's back
    /// (the machine loaded an image or a state, answered a semihosting or OS call, a debugger
    /// wrote), and each page with blocks is compared with its bytes when they were decoded
    /// before a block of it runs again; the blocks of a page that differs are dropped. Blocks
    /// of unchanged pages, and their compiled code, stay; pages never run again cost nothing.
    pub fn host_wrote(&mut self, host_writes: u64) {
        if host_writes == self.host_writes {
            return;
        }
        self.host_writes = host_writes;
        self.epoch += 1;
        #[cfg(target_arch = "x86_64")]
        self.code.stale_targets();
    }

    /// Before a block of the arena page `page` runs: drops the page's blocks if it was not
    /// compared with memory since the last host action and its bytes changed.
    #[inline(always)]
    fn check_page(&mut self, cpu: &mut Cpu, ram: &[u8], page: u32) {
        if self.checked.get((page / PAGE_SIZE) as usize) != Some(&self.epoch) {
            self.compare_page(cpu, ram, page);
        }
    }

    /// The first lookup in a page since the last host action: compares the page with its
    /// bytes when its blocks were decoded, if it has blocks.
    #[inline(never)]
    fn compare_page(&mut self, cpu: &mut Cpu, ram: &[u8], page: u32) {
        self.mark_checked(page);
        let Some(held) = self.pages.get(&page) else {
            return;
        };
        if ram.get(page as usize..page as usize + PAGE_SIZE as usize) != Some(&held.bytes[..]) {
            self.drop_page(page);
            cpu.unwatch_code_page(page);
        }
    }

    /// Notes that the arena page `page` matches memory (or holds no blocks) in this epoch.
    fn mark_checked(&mut self, page: u32) {
        let index = (page / PAGE_SIZE) as usize;
        if self.checked.len() <= index {
            // Never an epoch: those pages are compared at their first lookup.
            self.checked.resize(index + 1, u64::MAX);
        }
        self.checked[index] = self.epoch;
    }

    /// The number of the block with `key`, if it is decoded.
    #[inline(always)]
    fn find(&mut self, key: Key) -> Option<u32> {
        let slot = &mut self.jump[jump_slot(key)];
        if slot.0 == key {
            return Some(slot.1);
        }
        let number = *self.numbers.get(&key)?;
        *slot = (key, number);
        Some(number)
    }

    /// Blocks are compiled after `runs` runs through the op runner (0: at once; `None`:
    /// never, as on hosts with no code generator).
    pub fn compile_after(&mut self, runs: Option<u32>) {
        #[cfg(target_arch = "x86_64")]
        {
            self.hot = runs;
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = runs;
    }

    /// How the blocks ran so far.
    pub fn stats(&self) -> Stats {
        #[cfg(target_arch = "x86_64")]
        let code = self.code.stats;
        #[cfg(target_arch = "x86_64")]
        let (compiled, compiled_runs, flushes) = (code.compiled, code.compiled_runs, code.flushes);
        #[cfg(target_arch = "x86_64")]
        let exits = std::array::from_fn(|i| (super::x64::Exit::ALL[i].name(), code.exits[i]));
        #[cfg(not(target_arch = "x86_64"))]
        let (compiled, compiled_runs, flushes, exits) = (0, 0, 0, []);
        Stats {
            decoded: self.decoded,
            op_runs: self.op_runs,
            compiled,
            compiled_runs,
            flushes,
            exits,
            unfit: self.unfit,
            steps: self.steps,
            returns: self.returns,
        }
    }

    /// Keeps a decoded block; returns its number.
    fn insert(&mut self, key: Key, page: u32, ops: Box<[Op<B>]>, ram: &[u8]) -> u32 {
        self.decoded += 1;
        let block = Block::new(ops);
        let number = match self.free.pop() {
            Some(number) => {
                self.blocks[number as usize] = block;
                number
            }
            None => {
                self.blocks.push(block);
                (self.blocks.len() - 1) as u32
            }
        };
        self.numbers.insert(key, number);
        let at = page as usize..page as usize + PAGE_SIZE as usize;
        match self.pages.get_mut(&page) {
            Some(held) => held.keys.push(key),
            None => {
                let bytes = ram.get(at).unwrap_or_default().into();
                let keys = vec![key];
                self.pages.insert(page, Page { keys, bytes });
                // Its bytes are memory's now.
                self.mark_checked(page);
            }
        }
        number
    }

    /// Drops the blocks of the pages the CPU wrote.
    fn drop_written(&mut self, cpu: &mut Cpu) {
        for page in cpu.take_written_code() {
            self.drop_page(page);
        }
    }

    /// Drops the blocks of a page. Compiled blocks chain only to blocks of their own page, and
    /// the target table forgets theirs, so no compiled code left can reach them.
    fn drop_page(&mut self, page: u32) {
        let keys = self.pages.remove(&page).map(|page| page.keys);
        for key in keys.unwrap_or_default() {
            if let Some(number) = self.numbers.remove(&key) {
                #[cfg(target_arch = "x86_64")]
                if let Some(compiled) = &self.blocks[number as usize].compiled {
                    self.code.forget(compiled);
                }
                self.blocks[number as usize] = Block::new(Box::new([]));
                self.free.push(number);
                let slot = &mut self.jump[jump_slot(key)];
                if slot.0 == key {
                    *slot = (NO_KEY, 0);
                }
            }
        }
    }
}

impl<B: Bus> Straight<B> for Blocks<B> {
    fn run_straight(&mut self, cpu: &mut Cpu, bus: &mut B, end: u64) {
        // The chain slot the last compiled block left by, to be filled with the next block.
        let mut pending = Pending::default();
        loop {
            let pc = cpu.pc();
            let thumb = cpu.is_thumb();
            let page = cpu.code_page(pc).or_else(|| cpu.fill_code_page(bus, pc));
            match page {
                Some(page) => {
                    self.check_page(cpu, bus.ram(), page);
                    let offset = page | (pc & (PAGE_SIZE - 1));
                    let key = key(offset, thumb);
                    let number = match self.find(key) {
                        Some(number) => Some(number),
                        None => {
                            decode::<B>(bus.ram(), offset, thumb, &mut self.scratch);
                            let ops: Box<[Op<B>]> = self.scratch.as_slice().into();
                            if ops.is_empty() {
                                // An instruction across the page's end: the interpreter
                                // fetches it.
                                cpu.step(bus);
                                self.steps += 1;
                                None
                            } else {
                                cpu.watch_code_page(page);
                                Some(self.insert(key, page, ops, bus.ram()))
                            }
                        }
                    };
                    pending = match number {
                        Some(number) => {
                            self.run_block(cpu, bus, number as usize, page, end, pending)
                        }
                        None => Pending::default(),
                    };
                }
                // Not RAM, or not mapped: the interpreter's fetch reads a device or takes the
                // prefetch abort.
                None => {
                    cpu.step(bus);
                    self.steps += 1;
                    pending = Pending::default();
                }
            }
            if cpu.needs_attention() {
                self.drop_written(cpu);
                self.returns += 1;
                return;
            }
            if cpu.instructions() >= end {
                self.returns += 1;
                return;
            }
        }
    }
}

/// The chain slot a compiled block left by (none without a code generator).
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy, Default)]
struct Pending;

#[cfg(target_arch = "x86_64")]
use super::x64::Pending;

impl<B: Bus> Blocks<B> {
    /// Runs block `number` (in the arena page `page`) from the PC: its compiled code if it has
    /// some that may run now (filling the chain slot `pending` the previous block left by with
    /// it), else the op runner, compiling the block once it is hot. Returns the slot this run
    /// left by.
    #[inline(always)]
    fn run_block(
        &mut self,
        cpu: &mut Cpu,
        bus: &mut B,
        number: usize,
        page: u32,
        end: u64,
        pending: Pending,
    ) -> Pending {
        let block = &mut self.blocks[number];
        #[cfg(target_arch = "x86_64")]
        {
            let gone = block
                .compiled
                .as_ref()
                .is_none_or(|compiled| !self.code.holds(compiled));
            if gone && self.hot.is_some_and(|hot| block.runs >= hot) {
                let bytes = bus
                    .ram()
                    .get(page as usize..page as usize + PAGE_SIZE as usize)
                    .unwrap_or_default();
                block.compiled = self
                    .code
                    .compile(&block.ops, cpu.pc(), cpu.is_thumb(), bytes);
            }
            if let Some(compiled) = &block.compiled {
                let len = block.ops.len();
                self.code
                    .remember(compiled, len, cpu.pc(), cpu.is_thumb(), page);
                let end = cpu.compiled_end(end);
                if let Some(left) = self.code.run(compiled, len, cpu, bus, end) {
                    self.code.chain(pending, compiled, block.ops.len());
                    return left;
                }
                self.unfit += 1;
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (pending, page);
        cpu.run_ops(bus, &block.ops, cpu.pc(), end);
        self.op_runs += 1;
        block.runs = block.runs.saturating_add(1);
        Pending::default()
    }
}

/// Decodes the block at arena `offset` into `ops` (emptied first): up to the first instruction
/// that may branch or change the state, the end of the page, or [`MAX_OPS`]. Empty if not
/// even one instruction fits.
fn decode<B: Bus>(ram: &[u8], offset: u32, thumb: bool, ops: &mut Vec<Op<B>>) {
    let (size, bytes) = if thumb {
        (Size::Half, 2)
    } else {
        (Size::Word, 4)
    };
    let page_end = (offset & !(PAGE_SIZE - 1)) as u64 + PAGE_SIZE as u64;
    ops.clear();
    let mut at = offset;
    while (at as u64 + bytes as u64) <= page_end && ops.len() < MAX_OPS {
        let Some(insn) = ram_read(ram, at as usize, size) else {
            break;
        };
        ops.push(if thumb {
            Op::thumb(insn)
        } else {
            Op::arm(insn)
        });
        if ends_block(insn, thumb) {
            break;
        }
        at += bytes;
    }
}

/// Whether an instruction may branch, change the mode or state, or reach CP15, so that a block
/// ends with it. Only a hint: `Cpu::run_ops` leaves a block wherever execution does not go on
/// to the next instruction, so an instruction missed here costs time, never correctness.
fn ends_block(insn: u32, thumb: bool) -> bool {
    if thumb {
        return matches!(insn >> 12, 0xD) // conditional branch, SWI (ARM ARM A7.1.12)
            || matches!(insn >> 11, 0b11100 | 0b11101 | 0b11111) // B, the BL/BLX suffixes
            || insn & 0xFF00 == 0x4700 // BX, BLX (register)
            || insn & 0xFF87 == 0x4487 // ADD pc, Rm
            || insn & 0xFF87 == 0x4687 // MOV pc, Rm
            || insn & 0xFF00 == 0xBD00 // POP {..., pc}
            || insn & 0xFF00 == 0xBE00; // BKPT
    }
    let op = (insn >> 25) & 7;
    insn >> 28 == 0xF // the unconditional space: BLX, PLD
        || op == 0b101 // B, BL
        || op >= 0b110 // coprocessor (CP15), SWI
        || insn & 0x0FF0_00F0 == 0x0120_0070 // BKPT
        || insn & 0x0FFF_FFD0 == 0x012F_FF10 // BX, BLX (register)
        || insn & 0x0DB0_F000 == 0x0120_F000 // MSR
        || (op == 0b100 && insn & (1 << 20) != 0 && insn & (1 << 15) != 0) // LDM with pc
        || (op <= 0b011 && (insn >> 12) & 0xF == 0xF) // Rd = pc
}
