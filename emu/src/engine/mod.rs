//! Execution engines: how the machine's CPU runs guest code (`--engine`).
//!
//! - `interp`: the interpreter ([`crate::cpu`]), one instruction at a time. It is the
//!   reference every other engine is held to.
//! - `jit`: translation blocks ([`blocks`]): each basic block decoded once and run from its
//!   decoded form, the hot ones compiled to host code on x86-64 hosts (`x64`), the others run
//!   through the interpreter's handlers.
//! - `check`: both in lockstep ([`check`]): the `jit` engine runs the machine and the
//!   interpreter runs a copy of it, slice by slice, and the run stops at the first difference
//!   in registers, CPSR, the stop reason or the stores made.
//!
//! Every engine runs inside the interpreter's run loop ([`Cpu::run_with`]), which takes
//! interrupts, counts instructions and stops for events, so all of them stop at the same
//! instructions: `--max-insns`, `--stats` and the devices' events see the same counts. While a
//! debugger has breakpoints or watchpoints set, the interpreter runs instead.

pub mod blocks;
pub mod check;
#[cfg(target_arch = "x86_64")]
pub mod x64;

use crate::board::Board;
use crate::config::MachineConfig;
use crate::cpu::{Cpu, Stop};

pub use check::Divergence;

/// The engine `--engine` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// The interpreter.
    Interp,
    /// Translation blocks.
    Jit,
    /// The jit engine checked against the interpreter, instruction slice by slice.
    Check,
}

impl Default for EngineKind {
    /// `jit` on x86-64 hosts, where hot blocks compile to host code; `interp` elsewhere, where
    /// the blocks would only run through the interpreter's handlers and gain little.
    fn default() -> Self {
        if cfg!(target_arch = "x86_64") {
            EngineKind::Jit
        } else {
            EngineKind::Interp
        }
    }
}

/// An engine and what it keeps between slices.
pub enum Engine {
    Interp,
    Jit(Box<blocks::Blocks<Board>>),
    Check(Box<check::Check>),
}

impl Engine {
    /// An engine of `kind` for a machine laid out as `config` (`check` builds a copy of it).
    pub fn new(kind: EngineKind, config: &MachineConfig, rtc_start: u32) -> Engine {
        match kind {
            EngineKind::Interp => Engine::Interp,
            EngineKind::Jit => Engine::Jit(Box::default()),
            EngineKind::Check => Engine::Check(Box::new(check::Check::new(config, rtc_start))),
        }
    }

    pub fn kind(&self) -> EngineKind {
        match self {
            Engine::Interp => EngineKind::Interp,
            Engine::Jit(_) => EngineKind::Jit,
            Engine::Check(_) => EngineKind::Check,
        }
    }

    /// Runs up to `budget` instructions, and past cycle `deadline` by one instruction at most
    /// (see [`Cpu::run_until`]). `check` returns the first difference between the engines
    /// instead, if there is one.
    pub fn run(
        &mut self,
        cpu: &mut Cpu,
        board: &mut Board,
        budget: u64,
        deadline: u64,
    ) -> Result<Stop, Divergence> {
        match self {
            Engine::Interp => Ok(cpu.run_until(board, budget, deadline)),
            Engine::Jit(blocks) => Ok(cpu.run_with(board, budget, deadline, &mut **blocks)),
            Engine::Check(check) => check.run(cpu, board, budget, deadline),
        }
    }

    /// How the translation blocks ran (`jit` and `check`), for `--stats`.
    pub fn block_stats(&self) -> Option<blocks::Stats> {
        match self {
            Engine::Interp => None,
            Engine::Jit(blocks) => Some(blocks.stats()),
            Engine::Check(check) => Some(check.block_stats()),
        }
    }

    /// The machine may have changed the CPU or memory outside a run (an image or state
    /// loaded, a semihosting or OS call answered, host input given to a device, a debugger's
    /// write): if `board` counts host writes since the last call, the blocks of pages whose
    /// bytes changed are dropped before the next run; `check` copies the machine again before
    /// its next slice.
    pub fn machine_changed(&mut self, board: &Board) {
        match self {
            Engine::Interp => {}
            Engine::Jit(blocks) => blocks.host_wrote(board.host_writes()),
            Engine::Check(check) => check.machine_changed(board),
        }
    }
}
