//! The CPU's side of the execution engines ([`crate::engine`]): what an engine that runs
//! translated blocks needs of the interpreter, and nothing it decides itself.
//!
//! - [`Op`]: one decoded instruction, the interpreter's own handler for it with its operand word,
//!   so a block of ops executes exactly as the interpreter would execute the instructions.
//! - [`Straight`]: how `Cpu::run`'s inner loop runs straight-line code; the interpreter is one
//!   way ([`Interpreter`]), an engine's block runner another. The outer loop (interrupts,
//!   events, the budget) stays the interpreter's, so every engine stops at the same points.
//! - [`CodeWatch`]: the pages of the RAM arena an engine holds decoded code from. A store to
//!   such a page never enters the TLB's write tables, so it takes the slow path, which notes the
//!   page as written and raises `attention`: the engine drops the page's blocks before the next
//!   instruction runs (self-modifying code is seen exactly, at the next instruction).
//! - The write log: with it on (`--engine check`), every store the CPU makes is recorded and
//!   none takes the TLB's fast path, so two engines' stores can be compared one by one.

pub use super::memory::SETS as TLB_SETS;
use super::{arm, psr, thumb, timing, Cpu, Handler, Handlers, InstructionSet};
use crate::bus::{Bus, Size, PAGE_SIZE};

/// One decoded instruction: the interpreter's handler and the instruction word. An ARM
/// instruction's condition is checked before the handler runs, as `Arm::execute` does; the
/// unconditional space (condition 0b1111) and Thumb instructions always run.
pub(crate) struct Op<B> {
    handler: Handler<B>,
    insn: u32,
    /// The ARM condition field, 0xE (always) for the unconditional space and for Thumb.
    cond: u32,
}

// Copied whatever `B` is (a derive would ask `B: Copy`).
impl<B> Clone for Op<B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B> Copy for Op<B> {}

impl<B: Bus> Op<B> {
    /// Decodes an ARM instruction (ARM ARM A3.1: the condition, then the table of handlers).
    pub(crate) fn arm(insn: u32) -> Op<B> {
        let cond = insn >> 28;
        if cond == 0xF {
            return Op {
                handler: arm::unconditional::<B>,
                insn,
                cond: 0xE,
            };
        }
        Op {
            handler: Handlers::<B>::ARM[arm::table_index(insn)],
            insn,
            cond,
        }
    }

    /// Its handler, which compiled code calls through `Cpu::call_op`.
    pub(crate) fn handler(&self) -> Handler<B> {
        self.handler
    }

    /// The instruction word.
    pub(crate) fn insn(&self) -> u32 {
        self.insn
    }

    /// The condition it runs under (0xE: always).
    pub(crate) fn cond(&self) -> u32 {
        self.cond
    }

    /// The registers it reads, for a load-use interlock ([`timing`]).
    pub(crate) fn reads(&self, thumb: bool) -> u32 {
        if thumb {
            timing::thumb_reads(self.insn)
        } else {
            timing::arm_reads(self.insn)
        }
    }

    /// Decodes a Thumb instruction (a halfword).
    pub(crate) fn thumb(insn: u32) -> Op<B> {
        Op {
            handler: Handlers::<B>::THUMB[(insn as usize >> 6) & 1023],
            insn,
            cond: 0xE,
        }
    }
}

/// Where compiled code finds the CPU's state: byte offsets in `Cpu` of the registers of the
/// current mode, the CPSR, the instruction count, the current instruction's address and the
/// next one's, as `Cpu::run_ops` keeps them, the extra cycles (a `u64`) and the pending
/// load-use interlock (a `u32`, [`timing::load_use`]).
pub struct EngineLayout {
    pub r: i32,
    pub cpsr: i32,
    pub insns: i32,
    pub insn_addr: i32,
    pub next_pc: i32,
    pub extra_cycles: i32,
    pub interlock: i32,
}

impl EngineLayout {
    /// The offset of register `n` of the current mode.
    pub fn reg(&self, n: u8) -> i32 {
        self.r + 4 * n as i32
    }
}

/// How the run loop runs straight-line code of one state, until the instruction count reaches
/// `end` or something needs `attention`. It must leave `r[15]` at the next instruction.
pub(crate) trait Straight<B: Bus> {
    fn run_straight(&mut self, cpu: &mut Cpu, bus: &mut B, end: u64);
}

/// The interpreter: fetch, decode and execute one instruction at a time.
pub(crate) struct Interpreter;

impl<B: Bus> Straight<B> for Interpreter {
    #[inline(always)]
    fn run_straight(&mut self, cpu: &mut Cpu, bus: &mut B, end: u64) {
        if cpu.is_thumb() {
            cpu.run_straight::<B, thumb::Thumb>(bus, end);
        } else {
            cpu.run_straight::<B, arm::Arm>(bus, end);
        }
    }
}

/// A store the CPU made, as the write log records it: the virtual address (aligned to the
/// size), the size in bytes and the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Store {
    pub addr: u32,
    pub bytes: u32,
    pub value: u32,
}

/// The arena pages that hold decoded code, the ones of them written since the engine last
/// looked, and the write log.
#[derive(Default)]
pub(crate) struct CodeWatch {
    /// One bit per 4 KiB page of the arena; grown as pages are marked.
    pages: Vec<u64>,
    /// Pages (arena offsets) with code that were written.
    written: Vec<u32>,
    log: Option<Vec<Store>>,
}

impl CodeWatch {
    #[inline(always)]
    fn holds_code(&self, offset: u32) -> bool {
        let page = (offset / PAGE_SIZE) as usize;
        self.pages
            .get(page / 64)
            .is_some_and(|word| word >> (page % 64) & 1 != 0)
    }

    /// Whether a store at this arena page must stay off the TLB's fast path.
    pub(super) fn keeps_stores_slow(&self, offset: u32) -> bool {
        self.log.is_some() || self.holds_code(offset)
    }

    /// Notes a store the CPU made (to RAM at arena `offset`, if it reached RAM); true when it
    /// wrote a page with code, which the engine must drop before the next instruction.
    pub(super) fn stored(
        &mut self,
        offset: Option<u32>,
        addr: u32,
        size: Size,
        value: u32,
    ) -> bool {
        let code = offset.filter(|&offset| self.holds_code(offset));
        if let Some(offset) = code {
            self.written.push(offset & !(PAGE_SIZE - 1));
        }
        if let Some(log) = self.log.as_mut() {
            log.push(Store {
                addr,
                bytes: size.bytes(),
                value,
            });
        }
        code.is_some()
    }
}

impl Cpu {
    /// Runs up to `budget` instructions as `run` does, with `straight` running straight-line
    /// code. While a debugger has breakpoints or watchpoints set, the interpreter runs instead
    /// (its loop checks them before every instruction).
    pub(crate) fn run_with<B: Bus, S: Straight<B>>(
        &mut self,
        bus: &mut B,
        budget: u64,
        deadline: u64,
        straight: &mut S,
    ) -> super::Stop {
        if self.debug.is_some() {
            self.run_loop::<B, true, Interpreter>(bus, budget, deadline, &mut Interpreter)
        } else {
            self.run_loop::<B, false, S>(bus, budget, deadline, straight)
        }
    }

    /// The instruction count compiled code may run to in a stretch ending at `end`: fewer
    /// where [`timing::MOST_PER_INSTRUCTION`] cycles each could reach the run's deadline, so
    /// that compiled code, which does not look at the deadline, never reaches it (the op runner
    /// and the interpreter stop after the instruction that does).
    #[inline(always)]
    pub(crate) fn compiled_end(&self, end: u64) -> u64 {
        let room = self
            .spend_limit
            .saturating_sub(self.insns + self.extra_cycles);
        end.min(self.insns + room.saturating_sub(1) / timing::MOST_PER_INSTRUCTION)
    }

    /// Whether the run loop must look at something before the next instruction.
    #[inline(always)]
    pub(crate) fn needs_attention(&self) -> bool {
        self.attention
    }

    /// The arena offset of the page instructions at `pc` are fetched from, if the TLB holds
    /// it for the current mode (as the interpreter's fetch finds it); `None` sends the engine
    /// to the interpreter, which walks the tables or takes the prefetch abort.
    #[inline(always)]
    pub(crate) fn code_page(&self, pc: u32) -> Option<u32> {
        self.fetch_page(pc)
    }

    /// The arena offset of the page instructions at `pc` are fetched from, after filling the
    /// TLB as the interpreter's fetch would on a miss; `None` where that fetch would fault or
    /// find no RAM, which the interpreter must then do.
    #[inline(never)]
    pub(crate) fn fill_code_page<B: Bus>(&mut self, bus: &B, pc: u32) -> Option<u32> {
        self.fill_fetch_page(bus, pc)
    }

    /// Executes the ops of a block from `pc`, one instruction each, exactly as `run_straight`
    /// would: it stops before an instruction when the count reaches `end`, and after one that
    /// branches, raises an exception or needs `attention`. Leaves `r[15]` at the next
    /// instruction.
    #[inline(always)]
    pub(crate) fn run_ops<B: Bus>(&mut self, bus: &mut B, ops: &[Op<B>], mut pc: u32, end: u64) {
        let size: u32 = if self.is_thumb() {
            thumb::Thumb::SIZE as u32
        } else {
            arm::Arm::SIZE as u32
        };
        for op in ops {
            if self.insns >= end {
                break;
            }
            self.insns += 1;
            self.insn_addr = pc;
            let next = pc.wrapping_add(size);
            self.r[15] = next.wrapping_add(size);
            self.next_pc = next;
            if self.interlock != 0 {
                self.settle_interlock(op.reads(size == 2));
            }
            if op.cond == 0xE || psr::condition_passed(op.cond, self.cpsr) {
                (op.handler)(self, bus, op.insn);
            }
            if self.attention || self.next_pc != next {
                pc = self.next_pc;
                break;
            }
            pc = next;
        }
        self.r[15] = pc;
    }

    /// Where compiled code finds the CPU's state.
    pub(crate) fn engine_layout() -> EngineLayout {
        use std::mem::offset_of;
        EngineLayout {
            r: offset_of!(Cpu, r) as i32,
            cpsr: offset_of!(Cpu, cpsr) as i32,
            insns: offset_of!(Cpu, insns) as i32,
            insn_addr: offset_of!(Cpu, insn_addr) as i32,
            next_pc: offset_of!(Cpu, next_pc) as i32,
            extra_cycles: offset_of!(Cpu, extra_cycles) as i32,
            interlock: offset_of!(Cpu, interlock) as i32,
        }
    }

    /// Runs one op of a block for compiled code, given as its handler and instruction word
    /// (compiled in as constants, so the op itself is not read), whose condition passed (and
    /// whose load-use interlock the compiled code settled): the `count`th instruction executed,
    /// at `pc`, exactly as `run_ops` runs it. True when the block must end after it (it
    /// branched, took an exception or raised attention); `r[15]` is then the next
    /// instruction's address.
    #[inline(never)]
    pub(crate) fn call_op<B: Bus>(
        &mut self,
        bus: &mut B,
        handler: Handler<B>,
        insn: u32,
        pc: u32,
        count: u64,
    ) -> bool {
        let size: u32 = if self.is_thumb() { 2 } else { 4 };
        self.insns = count;
        self.insn_addr = pc;
        let next = pc.wrapping_add(size);
        self.r[15] = next.wrapping_add(size);
        self.next_pc = next;
        handler(self, bus, insn);
        if self.attention || self.next_pc != next {
            self.r[15] = self.next_pc;
            return true;
        }
        false
    }

    /// The current mode's TLB tables, for reads and for writes: [`TLB_SETS`] entries each of
    /// a virtual page address (`u32`) and its arena offset (`u32`), as `Tlb::lookup` reads
    /// them. They stay where they are while the mode does (a change of mode raises attention).
    pub(crate) fn tlb_tables(&self) -> (*const u8, *const u8) {
        self.tlb.tables()
    }

    /// Marks the arena page at `offset` as holding decoded code. A page newly marked leaves
    /// the TLB's write tables (their entries would let stores bypass the watch).
    pub(crate) fn watch_code_page(&mut self, offset: u32) {
        let page = (offset / PAGE_SIZE) as usize;
        let watch = &mut self.code_watch;
        if watch.pages.len() <= page / 64 {
            watch.pages.resize(page / 64 + 1, 0);
        }
        let word = &mut watch.pages[page / 64];
        if *word >> (page % 64) & 1 == 0 {
            *word |= 1 << (page % 64);
            self.tlb.forget_writes_to(offset & !(PAGE_SIZE - 1));
        }
    }

    /// Unmarks the arena page at `offset` (the engine dropped its blocks).
    pub(crate) fn unwatch_code_page(&mut self, offset: u32) {
        let page = (offset / PAGE_SIZE) as usize;
        if let Some(word) = self.code_watch.pages.get_mut(page / 64) {
            *word &= !(1 << (page % 64));
        }
    }

    /// The code pages written since the last call; they are no longer watched.
    pub(crate) fn take_written_code(&mut self) -> Vec<u32> {
        let written = std::mem::take(&mut self.code_watch.written);
        for &offset in &written {
            self.unwatch_code_page(offset);
        }
        written
    }

    /// Turns the write log on (empty) or off. On, every store takes the slow path.
    pub(crate) fn log_stores(&mut self, on: bool) {
        self.code_watch.log = on.then(Vec::new);
        self.invalidate_tlb();
    }

    /// The stores logged since the last call.
    pub(crate) fn take_stores(&mut self) -> Vec<Store> {
        self.code_watch
            .log
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}
