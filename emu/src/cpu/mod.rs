//! The ARM926EJ-S core: an ARMv5TE interpreter for ARM and Thumb state.
//!
//! The CPU owns its registers, CP15 and its software TLB; it is generic over the physical
//! [`Bus`], so every access is a monomorphised call. Between instructions `r[15]` holds the
//! address of the next instruction to execute; while one executes, `r[15]` holds that
//! instruction's address plus 8 (ARM) or 4 (Thumb), which is what a read of the PC returns
//! (ARM ARM A2.4.3), and a write to the PC goes to `next_pc`.

/// Chooses among the instances `$f::<B, ..., N>` of a handler for the `N` listed, by a value
/// that is one of them (in the const fns that build the handler tables).
macro_rules! select {
    ($value:expr, [$($n:literal)*], $f:ident, $B:ty $(, $fixed:tt)*) => {
        select!(@match $value, [$($n)*], $f, $B, [$(, $fixed)*])
    };
    // The fixed arguments travel as one token tree, to be repeated with each `N`.
    (@match $value:expr, [$($n:literal)*], $f:ident, $B:ty, $fixed:tt) => {
        match $value {
            $($n => select!(@one $f, $B, $fixed, $n),)*
            _ => panic!("no handler instance for this value"),
        }
    };
    (@one $f:ident, $B:ty, [$($fixed:tt)*], $n:literal) => {
        $f::<$B $($fixed)*, $n> as Handler<$B>
    };
}

pub(crate) mod alu;
mod arm;
pub mod cp15;
mod debug;
mod engine;
mod memory;
pub mod psr;
mod thumb;
pub(crate) mod timing;
/// For the JIT's lowering of Thumb data processing (x86-64 hosts only).
#[cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]
pub(crate) use thumb::op as thumb_op;

pub use crate::mmu::Fault;
pub use debug::{Breakpoint, WatchHit, WatchKind, Watchpoint};
pub use engine::Store;
pub use engine::{EngineLayout, TLB_SETS};
pub(crate) use engine::{Op, Straight};
pub use psr::Mode;

use serde::{Deserialize, Serialize};

use crate::bus::{Bus, Size};
use cp15::Cp15;
use memory::{CodePage, Tlb};

/// The exceptions of ARM ARM A2.6, in the order of their vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exception {
    Reset,
    Undefined,
    Swi,
    PrefetchAbort,
    DataAbort,
    Irq,
    Fiq,
}

impl Exception {
    /// Offset of the exception's vector from the vector base (ARM ARM table A2-4).
    fn vector_offset(self) -> u32 {
        match self {
            Exception::Reset => 0x00,
            Exception::Undefined => 0x04,
            Exception::Swi => 0x08,
            Exception::PrefetchAbort => 0x0C,
            Exception::DataAbort => 0x10,
            Exception::Irq => 0x18,
            Exception::Fiq => 0x1C,
        }
    }

    fn mode(self) -> Mode {
        match self {
            Exception::Reset | Exception::Swi => Mode::Supervisor,
            Exception::Undefined => Mode::Undefined,
            Exception::PrefetchAbort | Exception::DataAbort => Mode::Abort,
            Exception::Irq => Mode::Irq,
            Exception::Fiq => Mode::Fiq,
        }
    }
}

/// Something the CPU stopped for that the machine around it must handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A semihosting call (SVC 0x123456 in ARM state, SVC 0xAB in Thumb, BKPT 0xAB) with
    /// semihosting enabled. The PC is past the instruction; the handler sets r0.
    Semihosting,
    /// An exception a debugger asked to stop on (`Cpu::break_on`) was entered: the CPU is at
    /// its vector, in its mode.
    Exception(Exception),
    /// A SWI with [`Cpu::os_calls`] on: the OS call with this number (the comment field, 24
    /// bits in ARM state, 8 in Thumb). The PC is past the instruction; the answer goes in r0
    /// (and r1).
    OsCall(u32),
}

/// Why `Cpu::run` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The instruction budget is spent.
    Budget,
    /// The CPU waits for an interrupt (CP15 c7, c0, 4) and none is pending.
    WaitForInterrupt,
    /// A device was written: interrupt lines may have changed.
    DeviceAccess,
    /// An event for the machine.
    Event(Event),
    /// A breakpoint at this address; the instruction there has not executed.
    Breakpoint(u32),
    /// The instruction just executed touched a watched address.
    Watchpoint(WatchHit),
}

/// An instruction set, ARM or Thumb, as the run loop sees it.
trait InstructionSet {
    /// The size of an instruction.
    const SIZE: Size;
    /// Executes a fetched instruction: `r[15]` reads as its address plus two instructions, and
    /// a branch sets `next_pc`.
    fn execute<B: Bus>(cpu: &mut Cpu, bus: &mut B, insn: u32);
    /// Whether it reads the register of the `pending` load-use interlock ([`timing`]).
    fn waits(insn: u32, pending: u32) -> bool;
}

/// An instruction's handler.
type Handler<B> = fn(&mut Cpu, &mut B, u32);

/// The handler tables of both instruction sets, built at compile time for each bus type.
struct Handlers<B>(std::marker::PhantomData<B>);

impl<B: Bus> Handlers<B> {
    /// By bits 27:20 and 7:4 of an ARM instruction.
    const ARM: [Handler<B>; 4096] = arm::handler_table::<B>();
    /// By bits 15:6 of a Thumb instruction.
    const THUMB: [Handler<B>; 1024] = thumb::handler_table::<B>();
}

/// The latest cycle the machine's clock idles to: over a thousand years at the CX's 132 MHz,
/// far past any run, and far enough below `u64::MAX` that the counts never overflow. A guest
/// waiting for an event later than this waits for ever, and no saved state is later.
pub const LAST_CYCLE: u64 = 1 << 62;

/// The processor state and the machinery to execute instructions. A saved state
/// ([`crate::snapshot`]) holds what the guest can see; the rest is the host's (the debugger,
/// break-on conditions) or is cached and rebuilt ([`Cpu::restore`]).
#[derive(Serialize, Deserialize)]
pub struct Cpu {
    /// The registers of the current mode (see the module comment for r15).
    r: [u32; 16],
    cpsr: u32,
    mode: Mode,
    /// r13 and r14 of each bank (`Mode::bank`); the current mode's live in `r`.
    banked_sp_lr: [[u32; 2]; 6],
    /// SPSRs by bank; bank 0 (User/System) has none.
    spsr: [u32; 6],
    /// r8-r12 of the modes other than FIQ, while FIQ mode is current.
    usr_r8_r12: [u32; 5],
    /// r8-r12 of FIQ mode, while another mode is current.
    fiq_r8_r12: [u32; 5],
    /// Where execution continues after the current instruction.
    next_pc: u32,
    /// Address of the instruction being executed.
    insn_addr: u32,
    pub cp15: Cp15,
    #[serde(skip)]
    tlb: Tlb,
    /// CP15 c1 A, cached for the load/store path.
    #[serde(skip)]
    alignment_check: bool,
    irq_line: bool,
    fiq_line: bool,
    /// Set when the run loop must look at something before the next instruction: a pending
    /// interrupt that became unmasked, an event, a device access, waiting for an interrupt.
    #[serde(skip)]
    attention: bool,
    #[serde(skip)]
    event: Option<Event>,
    #[serde(skip)]
    device_accessed: bool,
    waiting: bool,
    /// Breakpoints and watchpoints, while a debugger has any.
    #[serde(skip)]
    debug: Option<Box<debug::Debugger>>,
    /// Whether SVC 0x123456 / 0xAB and BKPT 0xAB are semihosting calls (saved: the guest
    /// depends on it).
    pub semihosting: bool,
    /// Whether every SWI is an OS call the machine answers ([`Event::OsCall`]): a program of an
    /// OS the emulator stands in for (Ndless's TI-OS). Saved, as `semihosting`.
    #[serde(default)]
    pub os_calls: bool,
    /// Exceptions that stop the run loop (with `Event::Exception`) when entered, for a
    /// debugger's "break on undefined instruction" and the like.
    #[serde(skip)]
    pub break_on: Vec<Exception>,
    /// Instructions executed since the CPU was made (instructions that fail their condition
    /// count too).
    insns: u64,
    /// Cycles spent waiting for an interrupt, skipped rather than executed.
    idle_cycles: u64,
    /// Cycles the executed instructions took beyond one each ([`timing`]). A state saved
    /// before the cycle model has none.
    #[serde(default)]
    extra_cycles: u64,
    /// The load-use interlock the last instruction left for the next ([`timing::load_use`]);
    /// 0 if none.
    #[serde(default)]
    interlock: u32,
    /// `insns + extra_cycles` at which the run's cycle deadline is reached: an instruction
    /// spending cycles up to it raises `attention`, so the run stops there.
    #[serde(skip)]
    spend_limit: u64,
    /// The pages an execution engine holds decoded code from, and the write log.
    #[serde(skip)]
    code_watch: engine::CodeWatch,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu::new()
    }
}

impl Cpu {
    /// A CPU in its reset state: SVC mode, IRQ and FIQ masked, ARM state, PC at the reset vector.
    pub fn new() -> Cpu {
        let mut cpu = Cpu {
            r: [0; 16],
            cpsr: Mode::Supervisor as u32 | psr::I | psr::F,
            mode: Mode::Supervisor,
            banked_sp_lr: [[0; 2]; 6],
            spsr: [0; 6],
            usr_r8_r12: [0; 5],
            fiq_r8_r12: [0; 5],
            next_pc: 0,
            insn_addr: 0,
            cp15: Cp15::new(),
            tlb: Tlb::new(),
            alignment_check: false,
            irq_line: false,
            fiq_line: false,
            attention: false,
            event: None,
            device_accessed: false,
            waiting: false,
            debug: None,
            semihosting: false,
            os_calls: false,
            break_on: Vec::new(),
            insns: 0,
            idle_cycles: 0,
            extra_cycles: 0,
            interlock: 0,
            spend_limit: u64::MAX,
            code_watch: engine::CodeWatch::default(),
        };
        cpu.reset();
        cpu
    }

    /// The reset exception (ARM ARM A2.6.1): SVC mode, ARM state, IRQ and FIQ masked, PC at the
    /// reset vector. CP15 returns to its reset values, so the vectors are low and the MMU is off.
    pub fn reset(&mut self) {
        self.cp15 = Cp15::new();
        self.control_changed();
        self.waiting = false;
        self.event = None;
        self.take_exception(Exception::Reset, 0);
    }

    // ----- registers -----

    /// Register `n` of the current mode; r15 reads as the address of the next instruction.
    pub fn reg(&self, n: usize) -> u32 {
        self.r[n & 15]
    }

    /// Writes register `n` of the current mode; writing r15 sets where execution continues.
    pub fn set_reg(&mut self, n: usize, value: u32) {
        self.r[n & 15] = value;
        if n & 15 == 15 {
            self.next_pc = value;
        }
    }

    pub fn pc(&self) -> u32 {
        self.r[15]
    }

    pub fn set_pc(&mut self, pc: u32) {
        self.set_reg(15, pc);
    }

    pub fn cpsr(&self) -> u32 {
        self.cpsr
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn is_thumb(&self) -> bool {
        self.cpsr & psr::T != 0
    }

    /// Instructions executed since the CPU was made.
    pub fn instructions(&self) -> u64 {
        self.insns
    }

    /// The load-use interlock pending for the next instruction ([`timing::load_use`]; 0: none).
    pub fn interlock(&self) -> u32 {
        self.interlock
    }

    /// Writes the whole CPSR, switching register banks if the mode changes. A reserved mode
    /// encoding leaves the mode as it was (an UNPREDICTABLE write, ARM ARM A2.5.6; QEMU makes
    /// the same choice).
    pub fn set_cpsr(&mut self, value: u32) {
        let value = value & psr::IMPLEMENTED;
        let mode = Mode::from_bits(value).unwrap_or(self.mode);
        if mode != self.mode {
            self.switch_bank(mode);
            // The run loop's code page may belong to the old mode's TLB table.
            self.attention = true;
        }
        if (value ^ self.cpsr) & psr::T != 0 {
            self.attention = true;
        }
        self.cpsr = (value & !psr::MODE_MASK) | mode as u32;
        self.tlb.set_privileged(mode.is_privileged());
        if self.interrupt_pending() {
            self.attention = true;
        }
    }

    /// Enters Thumb or ARM state (for the BX-type branches). A change ends `run_straight`,
    /// which runs one state, through `attention`.
    #[inline(always)]
    fn set_thumb(&mut self, thumb: bool) {
        if thumb != self.is_thumb() {
            self.cpsr ^= psr::T;
            self.attention = true;
        }
    }

    /// The SPSR of the current mode. User and System mode have none: reading it there is
    /// UNPREDICTABLE (ARM ARM A4.1.38); this returns the CPSR.
    pub fn spsr(&self) -> u32 {
        if self.mode.has_spsr() {
            self.spsr[self.mode.bank()]
        } else {
            self.cpsr
        }
    }

    /// Writes the SPSR of the current mode; ignored in User and System mode (UNPREDICTABLE).
    pub fn set_spsr(&mut self, value: u32) {
        if self.mode.has_spsr() {
            self.spsr[self.mode.bank()] = value & psr::IMPLEMENTED;
        }
    }

    /// The SPSR of any mode with one.
    pub fn spsr_of(&self, mode: Mode) -> Option<u32> {
        mode.has_spsr().then(|| self.spsr[mode.bank()])
    }

    pub fn set_spsr_of(&mut self, mode: Mode, value: u32) {
        if mode.has_spsr() {
            self.spsr[mode.bank()] = value & psr::IMPLEMENTED;
        }
    }

    /// Register `n` as mode `mode` sees it, whatever mode is current.
    pub fn reg_of(&self, mode: Mode, n: usize) -> u32 {
        let n = n & 15;
        match n {
            8..=12 => {
                let want_fiq = mode == Mode::Fiq;
                if want_fiq == (self.mode == Mode::Fiq) {
                    self.r[n]
                } else if want_fiq {
                    self.fiq_r8_r12[n - 8]
                } else {
                    self.usr_r8_r12[n - 8]
                }
            }
            13 | 14 if mode.bank() != self.mode.bank() => self.banked_sp_lr[mode.bank()][n - 13],
            _ => self.r[n],
        }
    }

    /// Writes register `n` as mode `mode` sees it.
    pub fn set_reg_of(&mut self, mode: Mode, n: usize, value: u32) {
        let n = n & 15;
        match n {
            8..=12 => {
                let want_fiq = mode == Mode::Fiq;
                if want_fiq == (self.mode == Mode::Fiq) {
                    self.r[n] = value;
                } else if want_fiq {
                    self.fiq_r8_r12[n - 8] = value;
                } else {
                    self.usr_r8_r12[n - 8] = value;
                }
            }
            13 | 14 if mode.bank() != self.mode.bank() => {
                self.banked_sp_lr[mode.bank()][n - 13] = value
            }
            15 => self.set_pc(value),
            _ => self.r[n] = value,
        }
    }

    /// Saves the current mode's banked registers and brings in those of `mode`.
    fn switch_bank(&mut self, mode: Mode) {
        let old = self.mode;
        if old.bank() != mode.bank() {
            self.banked_sp_lr[old.bank()] = [self.r[13], self.r[14]];
            [self.r[13], self.r[14]] = self.banked_sp_lr[mode.bank()];
        }
        if (old == Mode::Fiq) != (mode == Mode::Fiq) {
            let (save, load) = if mode == Mode::Fiq {
                (&mut self.usr_r8_r12, &self.fiq_r8_r12)
            } else {
                (&mut self.fiq_r8_r12, &self.usr_r8_r12)
            };
            save.copy_from_slice(&self.r[8..13]);
            self.r[8..13].copy_from_slice(load);
        }
        self.mode = mode;
    }

    // ----- exceptions and interrupts -----

    /// Enters an exception (ARM ARM A2.6): the CPSR goes to the new mode's SPSR, `lr` to its r14;
    /// ARM state, IRQ masked (and FIQ for FIQ and reset); execution continues at the vector.
    pub fn take_exception(&mut self, exception: Exception, lr: u32) {
        let old = self.cpsr;
        let mode = exception.mode();
        let mut cpsr = (old & !(psr::T | psr::J | psr::MODE_MASK)) | psr::I | mode as u32;
        if matches!(exception, Exception::Fiq | Exception::Reset) {
            cpsr |= psr::F;
        }
        // The pipeline refills from the vector; what was in it waits for nothing.
        self.interlock = 0;
        if exception != Exception::Reset {
            self.spend(timing::EXCEPTION);
        }
        self.set_cpsr(cpsr);
        self.spsr[mode.bank()] = old;
        self.r[14] = lr;
        let vector = self
            .cp15
            .vector_base()
            .wrapping_add(exception.vector_offset());
        self.r[15] = vector;
        self.next_pc = vector;
        if !self.break_on.is_empty() && self.break_on.contains(&exception) {
            self.raise_event(Event::Exception(exception));
        }
    }

    /// The undefined instruction exception for the instruction being executed. Out of line, so
    /// that a handler with an undefined corner (a compare with Rd = 15, say) keeps a fast path
    /// that needs no stack frame.
    #[cold]
    #[inline(never)]
    fn undefined(&mut self) {
        let size = if self.is_thumb() { 2 } else { 4 };
        self.take_exception(Exception::Undefined, self.insn_addr.wrapping_add(size));
    }

    /// A data abort for the instruction being executed (return address: instruction + 8).
    fn data_abort(&mut self, fault: Fault) {
        self.cp15.dfsr = fault.fsr();
        self.cp15.far = fault.addr;
        self.take_exception(Exception::DataAbort, self.insn_addr.wrapping_add(8));
    }

    /// A prefetch abort for the instruction at `addr` (return address: instruction + 4).
    fn prefetch_abort(&mut self, fault: Fault, addr: u32) {
        self.cp15.ifsr = fault.fsr();
        self.take_exception(Exception::PrefetchAbort, addr.wrapping_add(4));
    }

    /// Sets the level of the nIRQ input (as the interrupt controller drives it).
    pub fn set_irq_line(&mut self, level: bool) {
        self.irq_line = level;
        if self.interrupt_pending() || (level && self.waiting) {
            self.attention = true;
        }
    }

    /// Sets the level of the nFIQ input.
    pub fn set_fiq_line(&mut self, level: bool) {
        self.fiq_line = level;
        if self.interrupt_pending() || (level && self.waiting) {
            self.attention = true;
        }
    }

    fn interrupt_pending(&self) -> bool {
        (self.fiq_line && self.cpsr & psr::F == 0) || (self.irq_line && self.cpsr & psr::I == 0)
    }

    /// Takes a pending unmasked interrupt, FIQ first (ARM ARM A2.6.10, exception priorities).
    /// The return address is the next instruction plus 4 (SUBS pc, lr, #4 returns to it).
    fn take_interrupt(&mut self) -> bool {
        let lr = self.r[15].wrapping_add(4);
        if self.fiq_line && self.cpsr & psr::F == 0 {
            self.take_exception(Exception::Fiq, lr);
        } else if self.irq_line && self.cpsr & psr::I == 0 {
            self.take_exception(Exception::Irq, lr);
        } else {
            return false;
        }
        true
    }

    // ----- the run loop -----

    /// Executes up to `budget` instructions, stopping early for an event, a device access or a
    /// wait for interrupt.
    pub fn run<B: Bus>(&mut self, bus: &mut B, budget: u64) -> Stop {
        self.run_until(bus, budget, u64::MAX)
    }

    /// Executes up to `budget` instructions as `run` does, stopping too after the first
    /// instruction that reaches cycle `deadline` (a device's next event): the event is late by
    /// less than that instruction's cycles. At least one instruction runs, whatever the
    /// deadline.
    pub fn run_until<B: Bus>(&mut self, bus: &mut B, budget: u64, deadline: u64) -> Stop {
        self.run_with(bus, budget, deadline, &mut engine::Interpreter)
    }

    fn run_loop<B: Bus, const BREAKPOINTS: bool, S: Straight<B>>(
        &mut self,
        bus: &mut B,
        budget: u64,
        deadline: u64,
        straight: &mut S,
    ) -> Stop {
        let start = self.insns;
        let end = self.insns.saturating_add(budget);
        self.spend_limit = deadline.saturating_sub(self.idle_cycles);
        self.attention = true;
        loop {
            if self.attention {
                self.attention = false;
                if let Some(hit) = self.take_watch_hit() {
                    return Stop::Watchpoint(hit);
                }
                if let Some(event) = self.event.take() {
                    return Stop::Event(event);
                }
                if std::mem::take(&mut self.device_accessed) {
                    return Stop::DeviceAccess;
                }
                // Wait for interrupt ends when nIRQ or nFIQ is asserted, even if the CPSR masks
                // it: the core then runs on from the instruction after the MCR (ARM926EJ-S TRM
                // 2.3.8, "Wait for interrupt"; Linux idles this way with IRQs masked).
                if self.waiting {
                    if !(self.irq_line || self.fiq_line) {
                        return Stop::WaitForInterrupt;
                    }
                    self.waiting = false;
                }
                self.take_interrupt();
            }
            let now = self.cycles();
            if self.insns >= end || (now >= deadline && self.insns > start) {
                return Stop::Budget;
            }
            if BREAKPOINTS {
                if self.at_breakpoint(bus) {
                    return Stop::Breakpoint(self.r[15]);
                }
                self.step(bus);
            } else {
                // At one cycle each, the instructions reach the deadline at this count; one
                // that spends extra cycles up to it raises `attention` (`spend`) and ends the
                // stretch there.
                let room = deadline.saturating_sub(now).max(1);
                straight.run_straight(self, bus, end.min(self.insns.saturating_add(room)));
            }
        }
    }

    /// Executes instructions of one state until the budget ends at `end` or something needs
    /// `attention` (a change of state among others): the inner loop of `run`, which keeps the
    /// PC in a register and writes `r[15]` back only when it ends.
    fn run_straight<B: Bus, I: InstructionSet>(&mut self, bus: &mut B, end: u64) {
        let mut pc = self.r[15];
        let mut insns = self.insns;
        let mut page = CodePage::NONE;
        loop {
            insns += 1;
            self.insns = insns;
            pc = self.execute::<B, I>(bus, &mut page, pc);
            if self.attention || insns >= end {
                self.r[15] = pc;
                return;
            }
        }
    }

    /// Executes one instruction (or takes the exception its fetch raises). Does not check
    /// interrupts; `run` does that between instructions.
    pub fn step<B: Bus>(&mut self, bus: &mut B) {
        self.insns += 1;
        let pc = self.r[15];
        let mut page = CodePage::NONE;
        self.r[15] = if self.is_thumb() {
            self.execute::<B, thumb::Thumb>(bus, &mut page, pc)
        } else {
            self.execute::<B, arm::Arm>(bus, &mut page, pc)
        };
    }

    /// Fetches the instruction at `pc` through `page` and executes it, or takes the prefetch
    /// abort of its fetch; returns the address of the next instruction, which the caller must
    /// write to `r[15]` before anything but the next `execute` looks at it.
    #[inline(always)]
    fn execute<B: Bus, I: InstructionSet>(
        &mut self,
        bus: &mut B,
        page: &mut CodePage,
        pc: u32,
    ) -> u32 {
        self.insn_addr = pc;
        // On a fetch abort, `next_pc` is the vector.
        if let Some(insn) = self.fetch_from(bus, page, pc, I::SIZE) {
            let size = I::SIZE as u32;
            self.r[15] = pc.wrapping_add(2 * size);
            self.next_pc = pc.wrapping_add(size);
            if self.interlock != 0 {
                let pending = std::mem::take(&mut self.interlock);
                if I::waits(insn, pending) {
                    self.spend((pending >> 16) as u64);
                }
            }
            I::execute(self, bus, insn);
        }
        self.next_pc
    }

    /// The cycle count devices see: one cycle per instruction executed, plus the cycles
    /// instructions took beyond one ([`timing`]), plus the cycles skipped while waiting for an
    /// interrupt.
    pub fn cycles(&self) -> u64 {
        self.insns + self.extra_cycles + self.idle_cycles
    }

    /// The cycles the instruction executing takes beyond its first. Reaching the run's
    /// deadline raises `attention`, so the run stops after this instruction.
    #[inline(always)]
    fn spend(&mut self, cycles: u64) {
        self.extra_cycles += cycles;
        if self.insns + self.extra_cycles >= self.spend_limit {
            self.attention = true;
        }
    }

    /// Before an instruction that reads the registers `reads`: the load-use interlock the last
    /// instruction left costs its cycles if one of them is still being loaded (ARM9EJ-S TRM
    /// Table 8.2), and is settled either way. Instructions failing their condition wait too:
    /// the interlock is found in the Decode stage, before the condition is known.
    #[inline(always)]
    fn settle_interlock(&mut self, reads: u32) {
        let pending = std::mem::take(&mut self.interlock);
        if pending & reads & 0xFFFF != 0 {
            self.spend((pending >> 16) as u64);
        }
    }

    /// Leaves a load-use interlock for the next instruction ([`timing::load_use`]).
    #[inline(always)]
    fn load_interlock(&mut self, pending: u32) {
        self.interlock = pending;
    }

    fn now(&self) -> u64 {
        self.cycles()
    }

    /// Whether the CPU waits for an interrupt (CP15 c7, c0, 4).
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// Lets time pass while the CPU waits for an interrupt, up to cycle `when` (the next device
    /// event): the emulator skips straight there instead of spinning.
    pub fn idle_until(&mut self, when: u64) {
        if self.waiting {
            self.idle_cycles += when.saturating_sub(self.cycles());
        }
    }

    /// Stops the run loop after this instruction to report an event.
    fn raise_event(&mut self, event: Event) {
        self.event = Some(event);
        self.attention = true;
    }

    /// Takes any events the CPU raised outside `run` (after `step`).
    pub fn take_event(&mut self) -> Option<Event> {
        self.event.take()
    }

    /// Invalidates every cached translation (after the machine changes memory behind the CPU's
    /// back, e.g. loading an image).
    pub fn invalidate_tlb(&mut self) {
        self.tlb.invalidate_all();
        self.attention = true;
    }

    /// Applies CP15 state that the CPU caches, after the control register or the translation
    /// registers change (by MCR, reset, or a debugger).
    pub fn control_changed(&mut self) {
        self.alignment_check = self.cp15.control & cp15::control::A != 0;
        self.invalidate_tlb();
    }

    /// Whether `saved` is a state `restore` takes: its mode is the one its CPSR names, and its
    /// clock is not past [`LAST_CYCLE`].
    pub fn check_saved(saved: &Cpu) -> Result<(), String> {
        if Mode::from_bits(saved.cpsr) != Some(saved.mode) {
            return Err(format!(
                "the CPSR {:#010x} does not match the mode {:?}",
                saved.cpsr, saved.mode
            ));
        }
        let cycles = saved
            .insns
            .checked_add(saved.idle_cycles)
            .and_then(|cycles| cycles.checked_add(saved.extra_cycles));
        match cycles {
            Some(cycles) if cycles <= LAST_CYCLE => Ok(()),
            _ => Err(format!(
                "its clock ({} instructions, {} extra and {} idle cycles) is past the last \
                 cycle a machine reaches",
                saved.insns, saved.extra_cycles, saved.idle_cycles
            )),
        }
    }

    /// Takes the guest-visible state of `saved` (a loaded snapshot), keeping this CPU's host
    /// side: its debugger and break-on conditions. Refuses what `check_saved` refuses.
    pub fn restore(&mut self, saved: Cpu) -> Result<(), String> {
        Cpu::check_saved(&saved)?;
        let host = std::mem::replace(self, saved);
        self.debug = host.debug;
        self.break_on = host.break_on;
        self.code_watch = host.code_watch;
        self.tlb.set_privileged(self.mode.is_privileged());
        self.control_changed();
        self.attention = true;
        Ok(())
    }
}

#[cfg(test)]
mod cycle_tests;
#[cfg(test)]
mod tests;
