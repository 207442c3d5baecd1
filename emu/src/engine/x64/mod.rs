//! The x86-64 backend of the `jit` engine: hot translation blocks compiled to host code.
//!
//! A block ([`super::blocks`]) runs through the op runner until it has run [`HOT`] times; then
//! it is compiled ([`emit`]) into the code cache, an executable buffer of [`CACHE_BYTES`]
//! emptied whole when full. Compiled code is entered only where it behaves exactly as the op
//! runner would: at the address it was compiled for, and only when the whole block fits in the
//! instruction budget (else the op runner runs it, stopping at the budget's last instruction).
//!
//! The assembler is dynasm-rs: its macros encode x86-64 at compile time into plain byte pushes,
//! so compiling a block costs little and its runtime is small (an executable buffer type);
//! iced-x86's code assembler would have been a much larger build on a 2-core machine.

mod emit;
mod flags;
pub mod lower;
mod memory;
mod perf_map;
pub mod trial;

use memory::ExecMemory;
use perf_map::PerfMap;

use crate::bus::Bus;
use crate::cpu::{Cpu, Op};

pub use crate::cpu::{EngineLayout as Layout, TLB_SETS};

/// Runs through the op runner before a block is compiled.
pub const HOT: u32 = 4;

/// The code cache's size; when a block does not fit, every compiled block is dropped.
const CACHE_BYTES: usize = 16 << 20;

/// What compiled code reads at its entry (`emit` names the fields by their offsets).
#[repr(C)]
pub struct Context {
    /// The bus, for handler calls.
    bus: usize,
    /// The RAM arena and its length.
    arena: usize,
    arena_len: u64,
    /// The current mode's TLB tables for reads and for writes.
    read_table: usize,
    write_table: usize,
    /// The instruction count the run may not pass.
    end: u64,
    /// The chain slot the block left by unfilled, or 0.
    last_slot: usize,
    /// The target table, and the stamp its live entries have.
    targets: usize,
    stamp: u64,
    /// Why the block returned to the run loop ([`Exit`]); compiled code writes it only on the
    /// way out, and a handler call's way out leaves it 0.
    exit: u64,
}

impl Context {
    const ARENA: i32 = 8;
    const ARENA_LEN: i32 = 16;
    const READ_TABLE: i32 = 24;
    const WRITE_TABLE: i32 = 32;
    const END: i32 = 40;
    const LAST_SLOT: i32 = 48;
    const TARGETS: i32 = 56;
    const STAMP: i32 = 64;
    const EXIT: i32 = 72;
}

/// Why compiled code returned to the run loop, counted for `--stats`: a handler call ended the
/// block (it branched, took an exception or raised attention); an exit within the block's page
/// whose chain slot is empty, or whose next block does not fit in the budget; or an exit
/// elsewhere (a constant target in another page, or a computed one: BX, POP or LDM of the PC,
/// LDR of the PC) whose target the TLB does not map, the target table does not hold (or holds
/// for another page, or from before its stamp moved on), or whose block does not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Handler,
    Unchained,
    ChainBudget,
    Unmapped { computed: bool },
    NotHeld { computed: bool },
    Stale { computed: bool },
    Budget { computed: bool },
}

impl Exit {
    /// Every exit, in the order of their codes.
    pub const ALL: [Exit; 11] = [
        Exit::Handler,
        Exit::Unchained,
        Exit::ChainBudget,
        Exit::Unmapped { computed: false },
        Exit::NotHeld { computed: false },
        Exit::Stale { computed: false },
        Exit::Budget { computed: false },
        Exit::Unmapped { computed: true },
        Exit::NotHeld { computed: true },
        Exit::Stale { computed: true },
        Exit::Budget { computed: true },
    ];

    /// The code compiled code writes to [`Context::exit`].
    fn code(self) -> u8 {
        Exit::ALL.iter().position(|&exit| exit == self).unwrap_or(0) as u8
    }

    /// A short name, for `--stats`.
    pub fn name(self) -> &'static str {
        match self {
            Exit::Handler => "handler",
            Exit::Unchained => "unchained",
            Exit::ChainBudget => "chain-budget",
            Exit::Unmapped { computed: false } => "far-unmapped",
            Exit::NotHeld { computed: false } => "far-not-held",
            Exit::Stale { computed: false } => "far-stale",
            Exit::Budget { computed: false } => "far-budget",
            Exit::Unmapped { computed: true } => "computed-unmapped",
            Exit::NotHeld { computed: true } => "computed-not-held",
            Exit::Stale { computed: true } => "computed-stale",
            Exit::Budget { computed: true } => "computed-budget",
        }
    }
}

/// An entry of the table compiled code looks up a computed branch's target in (and a constant
/// one outside its page): the virtual address it was compiled for with bit 0 set for Thumb, the
/// arena page it lies in, its compiled body and length, and the stamp of the table when it was
/// entered from the run loop. The stamp moves on at every host action (after which pages are
/// compared with memory in the run loop before their blocks run again) and every emptying of
/// the cache, and a dropped block's entry is emptied ([`Code::forget`]), so an entry of the
/// current stamp is a block that exists, whose page was compared with memory; its address is checked against the TLB inline, as the run
/// loop's fetch looks it up.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Target {
    key: u32,
    page: u32,
    len: u64,
    stamp: u64,
    entry: usize,
}

impl Target {
    const KEY: i32 = 0;
    const PAGE: i32 = 4;
    const LEN: i32 = 8;
    const STAMP: i32 = 16;
    const ENTRY: i32 = 24;
    const EMPTY: Target = Target {
        key: 0,
        page: 0,
        len: 0,
        stamp: u64::MAX,
        entry: 0,
    };
    /// log2 of its size, for the inline index.
    const SHIFT: i8 = 5;
}

/// log2 of the entries of the target table.
const TARGET_BITS: u32 = 14;
const TARGETS: usize = 1 << TARGET_BITS;

/// Spreads addresses over the target table (Fibonacci hashing): the top bits of the address
/// times this constant. ARM code's addresses are words, and a mask of low bits would leave
/// entries unused; at 4096 entries so indexed, a quarter of the Linux boot's computed and far
/// exits missed the table.
const TARGET_HASH: u32 = 0x9E37_79B1;

/// The target table's index of a virtual address (as `emit` computes it inline).
fn target_index(pc: u32) -> usize {
    (pc.wrapping_mul(TARGET_HASH) >> (32 - TARGET_BITS)) as usize
}

/// A chain slot: where one exit of a compiled block goes on, once known: the body of the
/// compiled block at the exit's address and its length, or 0.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Slot {
    entry: usize,
    len: u64,
}

impl Slot {
    const ENTRY: i32 = 0;
    const LEN: i32 = 8;
}

/// Chain slots in the cache: two exits per block, for blocks of 100 bytes on average.
const SLOTS: usize = CACHE_BYTES / 50;

/// A compiled block's entry point.
type Entry = unsafe extern "sysv64" fn(*mut Cpu, *mut Context);

/// Runs one op for compiled code, as [`Cpu::call_op`] says: its handler's address and its
/// instruction word are constants in the code, which would otherwise load them from the block's
/// ops, often a host cache miss. True when the block must end.
///
/// # Safety
/// The pointers are the CPU and the context (whose `bus` is a `B`); `handler` is the address of
/// an op's handler for `B`.
unsafe extern "sysv64" fn call_op<B: Bus>(
    cpu: *mut Cpu,
    context: *mut Context,
    handler: usize,
    insn: u32,
    pc: u32,
    count: u64,
) -> bool {
    // SAFETY: compiled code passes what `Code::run` gave it and the handler address `compile`
    // took from an `Op<B>`, a `fn(&mut Cpu, &mut B, u32)`.
    unsafe {
        let bus = &mut *((*context).bus as *mut B);
        let handler: fn(&mut Cpu, &mut B, u32) = std::mem::transmute(handler);
        (*cpu).call_op(bus, handler, insn, pc, count)
    }
}

/// Fills the TLB for a fetch at `addr`, where compiled code goes on to a block it does not
/// find in the TLB ([`Cpu::fill_code_page`]): the page's arena offset, or `u64::MAX` if the
/// fetch itself must run (it faults, or finds no RAM).
///
/// # Safety
/// The pointers are the CPU and the context (whose `bus` is a `B`).
unsafe extern "sysv64" fn fill_code_page<B: Bus>(
    cpu: *mut Cpu,
    context: *mut Context,
    addr: u32,
) -> u64 {
    // SAFETY: compiled code passes what `Code::run` gave it.
    unsafe {
        let bus = &*((*context).bus as *const B);
        (*cpu).fill_code_page(bus, addr).map_or(u64::MAX, u64::from)
    }
}

/// A compiled block: where its code and its body are, the address it was compiled for.
#[derive(Clone, Copy)]
pub struct Compiled {
    at: usize,
    body: usize,
    pc: u32,
    /// Its generation of the cache: a block compiled before the cache was last emptied is
    /// gone.
    generation: u32,
}

/// How much the backend did, for `--stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub compiled: u64,
    pub compiled_runs: u64,
    pub flushes: u64,
    /// Returns to the run loop, by [`Exit`] code.
    pub exits: [u64; Exit::ALL.len()],
}

/// The code cache.
pub struct Code {
    /// `None` if executable memory could not be had (`failed`): nothing is compiled then.
    buffer: Option<ExecMemory>,
    failed: bool,
    used: usize,
    /// The chain slots, and how many are handed out.
    slots: Box<[Slot]>,
    slots_used: usize,
    generation: u32,
    /// Compiled blocks by address, for computed branches ([`Target`]), and the stamp of the
    /// live entries.
    targets: Box<[Target]>,
    stamp: u64,
    layout: Layout,
    perf_map: PerfMap,
    pub stats: Stats,
}

impl Default for Code {
    fn default() -> Self {
        Code {
            buffer: None,
            failed: false,
            used: 0,
            slots: Box::new([]),
            slots_used: 0,
            generation: 0,
            targets: vec![Target::EMPTY; TARGETS].into_boxed_slice(),
            stamp: 0,
            layout: Cpu::engine_layout(),
            perf_map: PerfMap::from_env(),
            stats: Stats::default(),
        }
    }
}

/// What a compiled run left: the chain slot to fill with the next block (0: none), of the
/// cache's generation then.
#[derive(Clone, Copy, Default)]
pub struct Pending {
    slot: usize,
    generation: u32,
}

impl Code {
    /// Drops every compiled block.
    pub fn flush(&mut self) {
        self.used = 0;
        self.slots[..self.slots_used].fill(Slot::default());
        self.slots_used = 0;
        self.stale_targets();
        self.generation = self.generation.wrapping_add(1);
    }

    /// Notes that `compiled`, `len` instructions in the arena page `page`, is about to run from
    /// the run loop at `pc` (`thumb` or ARM): compiled code may jump to it until the table's
    /// stamp moves on.
    pub fn remember(&mut self, compiled: &Compiled, len: usize, pc: u32, thumb: bool, page: u32) {
        let Some(buffer) = &self.buffer else {
            return;
        };
        if compiled.generation == self.generation && compiled.pc == pc {
            self.targets[target_index(pc)] = Target {
                key: pc | thumb as u32,
                page,
                len: len as u64,
                stamp: self.stamp,
                entry: buffer.at(compiled.body),
            };
        }
    }

    /// The target table forgets `compiled` (its block is dropped): the only entry that may
    /// hold it is at the address it was compiled for.
    pub fn forget(&mut self, compiled: &Compiled) {
        let Some(buffer) = &self.buffer else {
            return;
        };
        let target = &mut self.targets[target_index(compiled.pc)];
        if compiled.generation == self.generation && target.entry == buffer.at(compiled.body) {
            *target = Target::EMPTY;
        }
    }

    /// Every entry of the target table goes stale (memory may have changed behind the CPU's
    /// back, or blocks were dropped).
    pub fn stale_targets(&mut self) {
        self.stamp += 1;
    }

    /// Whether `compiled` is still in the cache.
    pub fn holds(&self, compiled: &Compiled) -> bool {
        compiled.generation == self.generation
    }

    /// Compiles the block `ops` at `pc` (`thumb` or ARM), whose page's bytes are `page`; `None`
    /// if it cannot be (no executable memory). A full cache is emptied first.
    pub(crate) fn compile<B: Bus>(
        &mut self,
        ops: &[Op<B>],
        pc: u32,
        thumb: bool,
        page: &[u8],
    ) -> Option<Compiled> {
        if self.failed {
            return None;
        }
        if self.buffer.is_none() {
            self.buffer = ExecMemory::new(CACHE_BYTES);
            self.slots = vec![Slot::default(); SLOTS].into_boxed_slice();
            if self.buffer.is_none() {
                self.failed = true;
                return None;
            }
        }
        let size = if thumb { 2 } else { 4 };
        let insns: Vec<emit::Insn> = ops
            .iter()
            .enumerate()
            .map(|(i, op)| {
                let at = pc.wrapping_add(i as u32 * size);
                let (native, cond) = if thumb {
                    let cond = lower::thumb_branch_condition(op.insn()).unwrap_or(0xE);
                    // A BL suffix after its prefix is a branch to a constant.
                    let bl = i
                        .checked_sub(1)
                        .and_then(|prefix| lower::thumb_bl(ops[prefix].insn(), op.insn(), at));
                    (bl.unwrap_or_else(|| lower::thumb(op.insn(), at)), cond)
                } else {
                    (lower::arm(op.insn(), at), op.cond())
                };
                // The cycles are the load's where a literal load becomes a constant.
                let (mut extra, mut pend) = lower::cycles(op.insn(), thumb, &native);
                // The load-use interlock a native path leaves is known here when the next
                // instruction is in the block: its wait, if that instruction reads the loaded
                // register, is counted with the load's cycles (the interpreter counts it
                // before the next instruction's condition, so it waits even if that fails).
                let next = ops.get(i + 1).map(|next| next.reads(thumb));
                if let Some(reads) = next {
                    if pend & reads & 0xFFFF != 0 {
                        extra += (pend >> 16) as u64;
                    }
                    pend = 0;
                }
                let native = lower::literal(native, pc & !(crate::bus::PAGE_SIZE - 1), page);
                emit::Insn {
                    pc: at,
                    cond,
                    native,
                    handler: op.handler() as usize,
                    word: op.insn(),
                    // An interlock may be pending at the block's start.
                    settle: (i == 0).then(|| op.reads(thumb)),
                    next,
                    extra,
                    pend,
                }
            })
            .collect();
        let helpers = emit::Helpers {
            call: call_op::<B> as unsafe extern "sysv64" fn(_, _, _, _, _, _) -> _ as usize,
            fill: fill_code_page::<B> as unsafe extern "sysv64" fn(_, _, _) -> _ as usize,
        };
        // Exits chain through slots, at most two per block; none left empties the cache.
        if self.slots_used + 2 > SLOTS {
            self.flush();
            self.stats.flushes += 1;
        }
        let slots = self.slots.as_mut_ptr() as usize;
        let mut next_slot = self.slots_used;
        let code = emit::block(&insns, thumb, helpers, &self.layout, &mut || {
            (next_slot < SLOTS).then(|| {
                next_slot += 1;
                slots + (next_slot - 1) * std::mem::size_of::<Slot>()
            })
        })?;
        if self.used + code.bytes.len() > CACHE_BYTES {
            // Emptied, the slots just handed out are gone too: compile again.
            self.flush();
            self.stats.flushes += 1;
            if code.bytes.len() > CACHE_BYTES / 2 {
                return None;
            }
            return self.compile(ops, pc, thumb, page);
        }
        self.slots_used = next_slot;
        let at = self.used;
        if !self.buffer.as_mut()?.write(at, &code.bytes) {
            self.failed = true;
            self.buffer = None;
            return None;
        }
        self.used = at + code.bytes.len();
        if let Some(buffer) = &self.buffer {
            self.perf_map
                .name(buffer.at(at), code.bytes.len(), pc, thumb);
        }
        self.stats.compiled += 1;
        Some(Compiled {
            at,
            body: at + code.body,
            pc,
            generation: self.generation,
        })
    }

    /// Runs a compiled block if it may run now: it is in the cache, compiled for `pc`, and all
    /// its `len` instructions fit before `end`. `None` if it did not run; else the chain slot
    /// its exit left unfilled, which `chain` fills if the next block runs compiled.
    pub fn run<B: Bus>(
        &mut self,
        compiled: &Compiled,
        len: usize,
        cpu: &mut Cpu,
        bus: &mut B,
        end: u64,
    ) -> Option<Pending> {
        if compiled.pc != cpu.pc()
            || compiled.generation != self.generation
            || cpu.instructions() + len as u64 > end
        {
            return None;
        }
        let buffer = self.buffer.as_ref()?;
        let (read_table, write_table) = cpu.tlb_tables();
        let arena = bus.ram_mut();
        let mut context = Context {
            bus: 0,
            arena: arena.as_mut_ptr() as usize,
            arena_len: arena.len() as u64,
            read_table: read_table as usize,
            write_table: write_table as usize,
            end,
            last_slot: 0,
            targets: self.targets.as_ptr() as usize,
            stamp: self.stamp,
            exit: 0,
        };
        context.bus = bus as *mut B as usize;
        // SAFETY: the code at `compiled.at` is a block `emit` compiled for this bus type, whose
        // ops are alive (a dropped block's `Compiled` is dropped with it, and so are the blocks
        // chained to it, which lie in its page); it reads and writes the CPU, and the arena
        // within the bounds in the context.
        unsafe {
            let entry: Entry = std::mem::transmute(buffer.at(compiled.at));
            entry(cpu, &mut context);
        }
        self.stats.compiled_runs += 1;
        if let Some(count) = self.stats.exits.get_mut(context.exit as usize) {
            *count += 1;
        }
        Some(Pending {
            slot: context.last_slot,
            generation: self.generation,
        })
    }

    /// Fills the slot a compiled block left by with `next`, the block at the slot's exit
    /// address (where the CPU is now), which is about to run compiled.
    pub fn chain(&mut self, pending: Pending, next: &Compiled, len: usize) {
        let Some(buffer) = &self.buffer else {
            return;
        };
        let base = self.slots.as_ptr() as usize;
        let size = std::mem::size_of::<Slot>();
        if pending.slot < base
            || pending.generation != self.generation
            || next.generation != self.generation
        {
            return;
        }
        let index = (pending.slot - base) / size;
        if let Some(slot) = self.slots[..self.slots_used].get_mut(index) {
            *slot = Slot {
                entry: buffer.at(next.body),
                len: len as u64,
            };
        }
    }
}
