//! One block of instructions run compiled and by the interpreter, from the same state, for the
//! tests and the fuzz harness (`fuzz/fuzz_targets/jit_block.rs`) that hold the code generator
//! to the interpreter, its reference.
//!
//! The block's words lie at [`CODE`], in the RAM of a small machine (a vector ROM and 1 MiB of
//! RAM, no devices), followed by a branch back to its start; the registers and flags are the
//! trial's. Each side runs the block `runs` times, one slice of exactly its length each
//! (compiled from its first run on the jit's side), and after every slice the instruction
//! counts, the stop, every register and the CPSR must agree; at the end, all of memory.

use crate::board::Board;
use crate::bus::Bus;
use crate::config::{MachineConfig, MemoryConfig};
use crate::cpu::Cpu;
use crate::engine::{blocks::Stats, Engine, EngineKind};

/// Where the block's code starts.
pub const CODE: u32 = 0x1000_0000;
/// The RAM's size (the data the block loads and stores lies in it too).
pub const RAM: u32 = 0x10_0000;

/// A block and the state it starts from.
#[derive(Clone, Debug)]
pub struct Trial {
    pub thumb: bool,
    /// Instruction words (Thumb: halfwords in the low 16 bits).
    pub code: Vec<u32>,
    /// r0-r14.
    pub regs: [u32; 15],
    /// N Z C V in bits 31-28.
    pub flags: u32,
    /// What memory holds at [`CODE`] + `code`'s length onwards, repeated to the RAM's end.
    pub data: Vec<u8>,
}

fn config() -> MachineConfig {
    let region = |name: &str, base, size, read_only| MemoryConfig {
        name: name.into(),
        base,
        size,
        read_only,
    };
    MachineConfig {
        name: "jit trial".into(),
        cpu_hz: 1_000_000,
        memory: vec![
            region("ROM", 0, 0x1000, true),
            region("RAM", CODE, RAM, false),
        ],
        devices: Vec::new(),
    }
}

impl Trial {
    /// The block's length in instructions, with the branch back.
    fn len(&self) -> u64 {
        self.code.len() as u64 + 1
    }

    /// The machine the trial starts from.
    fn machine(&self) -> (Cpu, Board) {
        let mut board = Board::new(&config(), 0);
        let mut image = Vec::with_capacity(RAM as usize);
        let n = self.code.len() as u32;
        if self.thumb {
            for &half in &self.code {
                image.extend_from_slice(&(half as u16).to_le_bytes());
            }
            // B to the start: offset from this branch's address + 4, in halfwords.
            let offset = (-(2 * n as i32) - 4) >> 1;
            image.extend_from_slice(&(0xE000 | (offset as u32 & 0x7FF) as u16).to_le_bytes());
        } else {
            for &word in &self.code {
                image.extend_from_slice(&word.to_le_bytes());
            }
            let offset = (-(4 * n as i32) - 8) >> 2;
            image.extend_from_slice(&(0xEA00_0000 | (offset as u32 & 0xFF_FFFF)).to_le_bytes());
        }
        if !self.data.is_empty() {
            while image.len() < RAM as usize {
                let take = self.data.len().min(RAM as usize - image.len());
                image.extend_from_slice(&self.data[..take]);
            }
        }
        image.truncate(RAM as usize);
        board.load(CODE, &image);
        let mut cpu = Cpu::new();
        let mode = cpu.cpsr() & 0x1F;
        cpu.set_cpsr(self.flags & 0xF000_0000 | mode | if self.thumb { 1 << 5 } else { 0 });
        for (n, &value) in self.regs.iter().enumerate() {
            cpu.set_reg(n, value);
        }
        cpu.set_pc(CODE);
        cpu.invalidate_tlb();
        (cpu, board)
    }

    /// Runs the block `runs` times each way; the first difference, or the jit's block counts.
    pub fn run(&self, runs: u32) -> Result<Stats, String> {
        let config = config();
        let (mut cpu, mut board) = self.machine();
        let (mut icpu, mut iboard) = self.machine();
        let mut jit = Engine::new(EngineKind::Jit, &config, 0);
        if let Engine::Jit(blocks) = &mut jit {
            blocks.compile_after(Some(0));
        }
        let mut interp = Engine::new(EngineKind::Interp, &config, 0);
        for run in 0..runs {
            let stop = jit.run(&mut cpu, &mut board, self.len(), u64::MAX);
            let istop = interp.run(&mut icpu, &mut iboard, self.len(), u64::MAX);
            let at = format!("run {run}");
            if stop != istop {
                return Err(format!(
                    "{at}: the jit stopped {stop:?}, the interpreter {istop:?}"
                ));
            }
            if cpu.instructions() != icpu.instructions() {
                return Err(format!(
                    "{at}: the jit ran {} instructions, the interpreter {}",
                    cpu.instructions(),
                    icpu.instructions()
                ));
            }
            for n in 0..16 {
                if cpu.reg(n) != icpu.reg(n) {
                    return Err(format!(
                        "{at}: r{n} is {:#010x} in the jit, {:#010x} in the interpreter",
                        cpu.reg(n),
                        icpu.reg(n)
                    ));
                }
            }
            if (cpu.cycles(), cpu.interlock()) != (icpu.cycles(), icpu.interlock()) {
                return Err(format!(
                    "{at}: the jit's clock is at cycle {} (interlock {:#x}), the \
                     interpreter's at {} ({:#x})",
                    cpu.cycles(),
                    cpu.interlock(),
                    icpu.cycles(),
                    icpu.interlock()
                ));
            }
            if cpu.cpsr() != icpu.cpsr() {
                return Err(format!(
                    "{at}: the CPSR is {:#010x} in the jit, {:#010x} in the interpreter",
                    cpu.cpsr(),
                    icpu.cpsr()
                ));
            }
        }
        // Compared whole first (memcmp): a search byte by byte calls a comparison hook per
        // byte in a fuzz build (-sanitizer-coverage-trace-compares), a million per input.
        if board.ram() != iboard.ram() {
            let at = board
                .ram()
                .iter()
                .zip(iboard.ram())
                .position(|(a, b)| a != b);
            return Err(format!(
                "memory differs at arena offset {:#x}",
                at.unwrap_or(0)
            ));
        }
        Ok(jit.block_stats().unwrap_or_default())
    }
}
