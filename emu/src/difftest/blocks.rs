//! The `jit` engine's side of a replay: the case's instructions run as translation blocks.
//!
//! A case's memory is a few listed bytes, never a whole page of RAM, so the `jit` engine's own
//! block cache ([`crate::engine::blocks`]), which decodes from whole RAM pages the TLB hands it,
//! would leave every case to the interpreter. Here each instruction the run reaches is decoded
//! from the case's bytes into a block of its own, as the engine decodes one, and run compiled
//! to host code on x86-64 hosts (by the op runner elsewhere, or if no code can be made): the
//! same ops, the same code generator and the same entry as the engine's. One instruction a
//! block, so that in a case of two steps a store into the second instruction's bytes is seen,
//! as the interpreter sees it. An instruction whose bytes are not listed is
//! left to the interpreter, whose fetch takes the prefetch abort, as the engine leaves a fetch
//! the TLB cannot serve.

use super::SparseBus;
use crate::bus::Size;
use crate::cpu::{Cpu, Op, Straight};

/// The code generator's cache, kept across the cases of a replay, and its count of runs.
#[derive(Default)]
pub(super) struct CaseBlocks {
    #[cfg(target_arch = "x86_64")]
    code: crate::engine::x64::Code,
    /// Blocks run as compiled code.
    pub compiled_runs: u64,
}

impl Straight<SparseBus> for CaseBlocks {
    fn run_straight(&mut self, cpu: &mut Cpu, bus: &mut SparseBus, end: u64) {
        while cpu.instructions() < end {
            let (pc, thumb) = (cpu.pc(), cpu.is_thumb());
            let size = if thumb { Size::Half } else { Size::Word };
            match bus.load(pc, size) {
                Some(insn) => {
                    let op = [if thumb {
                        Op::thumb(insn)
                    } else {
                        Op::arm(insn)
                    }];
                    if !self.run_compiled(cpu, bus, &op, end) {
                        cpu.run_ops(bus, &op, pc, end);
                    }
                }
                None => cpu.step(bus),
            }
            if cpu.needs_attention() {
                return;
            }
        }
    }
}

impl CaseBlocks {
    /// Compiles the block `ops` at the PC and runs it; false if no code could be made.
    #[cfg(target_arch = "x86_64")]
    fn run_compiled(
        &mut self,
        cpu: &mut Cpu,
        bus: &mut SparseBus,
        ops: &[Op<SparseBus>],
        end: u64,
    ) -> bool {
        // A case's memory is never a whole page: no literal load is folded to a constant.
        let Some(compiled) = self.code.compile(ops, cpu.pc(), cpu.is_thumb(), &[]) else {
            return false;
        };
        let ran = self.code.run(&compiled, ops.len(), cpu, bus, end).is_some();
        self.compiled_runs += ran as u64;
        ran
    }

    /// No code generator on this host: the op runner runs every block.
    #[cfg(not(target_arch = "x86_64"))]
    fn run_compiled(
        &mut self,
        _cpu: &mut Cpu,
        _bus: &mut SparseBus,
        _ops: &[Op<SparseBus>],
        _end: u64,
    ) -> bool {
        false
    }
}
