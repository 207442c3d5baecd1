//! One block of instructions run compiled and by the interpreter, from the same state, for the
//! tests and the fuzz harness (`fuzz/fuzz_targets/jit_block.rs`) that hold the code generator
//! to the interpreter, its reference.
//!
//! The block's words lie at [`CODE`], in the RAM of a small machine (a vector ROM and 1 MiB of
//! RAM, no devices), followed by a branch back to its start; the registers and flags are the
//! trial's. Each side runs the block `runs` times, one slice of exactly its length each
//! (compiled from its first run on the jit's side), and after every slice the instruction
//! counts, the stop, every register, the CPSR and the SPSRs (an abort saves the flags there)
//! must agree; at the end, all of memory.

use crate::board::Board;
use crate::bus::Bus;
use crate::config::{MachineConfig, MemoryConfig};
use crate::cpu::psr::Mode;
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
            for mode in Mode::ALL {
                let (spsr, ispsr) = (cpu.spsr_of(mode), icpu.spsr_of(mode));
                if spsr != ispsr {
                    return Err(format!(
                        "{at}: the SPSR of {mode:?} is {spsr:#010x?} in the jit, {ispsr:#010x?} \
                         in the interpreter"
                    ));
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A trial from r0-r7 as given (the rest 0), the flags N Z C V clear or set.
    fn trial(thumb: bool, code: &[u32], low: [u32; 8], flags: u32) -> Trial {
        let mut regs = [0; 15];
        regs[..8].copy_from_slice(&low);
        Trial {
            thumb,
            code: code.to_vec(),
            regs,
            flags,
            data: Vec::new(),
        }
    }

    /// A flag write that only a load's or store's slow path reads (the next flag-setting
    /// instruction writes them all again) is owed, not written; when that load aborts, the
    /// abort saves the CPSR to SPSR_abt, which must hold the owed flags. r6 points at no
    /// memory (a bus error: an external abort), r7 into RAM. Each block runs from flags all
    /// clear and all set, so every flag the owed write changes shows. Each starts with a
    /// no-op (MOV r8, r8): the first fetch from the page misses the TLB, and the interpreter
    /// runs that instruction; the block compiled is the rest.
    #[test]
    fn owed_flags_reach_the_spsr_of_an_abort() {
        let nowhere = 0x2000_0000;
        let ram = CODE + 0x1000;
        let low = [5, 0x8000_0000, 3, 0xFFFF_FFFF, 0, 0, nowhere, ram];
        let blocks: [(bool, &[u32]); 8] = [
            // MOVS r0, #0 (logical, C kept); LDR r1, [r6]; CMP r0, r0.
            (true, &[0x46C0, 0x2000, 0x6831, 0x4280]),
            // LSLS r0, r1, #1 (C from the shifter); STR r0, [r6]; CMP r0, r0.
            (true, &[0x46C0, 0x0048, 0x6030, 0x4280]),
            // ADDS r0, r3, r3 (arithmetic); LDRB r1, [r7]; LDRH r1, [r6]; CMP r0, r0.
            (true, &[0x46C0, 0x18D8, 0x7839, 0x8831, 0x4280]),
            // CMP r2, r0 (subtraction: C inverted on x86); POP {r0} from r6; CMP r0, r0.
            (true, &[0x46C0, 0x4282, 0x46B5, 0xBC01, 0x4280]),
            // MULS r0, r3; LDR r1, [r6, #4]; CMP r0, r0.
            (true, &[0x46C0, 0x4358, 0x6871, 0x4280]),
            // ADDS r0, r1, r1 (V and C), MOVS r2, #0 (N Z only: the ADDS's C and V stay owed
            // beside it, so it is written first); LDR r1, [r6]; CMP r0, r0.
            (true, &[0x46C0, 0x1848, 0x2200, 0x6831, 0x4280]),
            // ARM: SUBS r0, r2, #5; LDR r1, [r6]; CMP r0, r0.
            (false, &[0xE1A0_8008, 0xE252_0005, 0xE596_1000, 0xE150_0000]),
            // ARM: MOVS r0, r1, ASR #31 (C from the shifter); LDMIA r6, {r1, r2}; CMP r0, r0.
            (false, &[0xE1A0_8008, 0xE1B0_0FC1, 0xE896_0006, 0xE150_0000]),
        ];
        for (thumb, code) in blocks {
            for flags in [0, 0xF000_0000] {
                if let Err(difference) = trial(thumb, code, low, flags).run(3) {
                    panic!("{code:04x?} from flags {flags:#x}: {difference}");
                }
            }
        }
    }

    /// The computed branches compiled natively, each after a no-op (see above) and run six
    /// times, so that compiled blocks branch to compiled blocks: Thumb's MOV PC, Rm (bit 0
    /// of Rm ignored, the state kept), ARM's BLX Rm, and ARM's LDR of the PC (post-indexed,
    /// scaled, conditional, and loading a Thumb address, which the handler takes). The words
    /// in memory past the code are the `data` given.
    #[test]
    fn computed_branches_run_as_the_interpreter_runs_them() {
        let data = |word: u32| word.to_le_bytes().to_vec();
        // r5: where MOV PC and BLX go; r7: where LDR loads from.
        let low = [0, 1, 2, 3, 4, CODE + 3, 6, CODE + 0x1000];
        let cases: [(bool, &[u32], u32, Vec<u8>); 7] = [
            // MOV r8, r8; MOV PC, r5: to CODE + 2, itself.
            (true, &[0x46C0, 0x46AF], 0, Vec::new()),
            // MOV r8, r8; ADDS r0, #1; MOV PC, r5.
            (true, &[0x46C0, 0x3001, 0x46AF, 0x46C0], 0, Vec::new()),
            // MOV r8, r8; SUB r5, r5, #3; BLX r5: to CODE, LR the BLX's address + 4.
            (
                false,
                &[0xE1A0_8008, 0xE245_5003, 0xE12F_FF35],
                0,
                Vec::new(),
            ),
            // MOV r8, r8; LDR PC, [r7], #4: every word is CODE.
            (false, &[0xE1A0_8008, 0xE497_F004], 0, data(CODE)),
            // MOV r8, r8; ADD r0, r0, #1; LDR PC, [r7, r0, LSL #2].
            (
                false,
                &[0xE1A0_8008, 0xE280_0001, 0xE797_F100],
                0,
                data(CODE),
            ),
            // MOV r8, r8; LDRNE PC, [r7], taken or not by Z.
            (false, &[0xE1A0_8008, 0x1597_F000], 0, data(CODE)),
            (false, &[0xE1A0_8008, 0x1597_F000], 0x4000_0000, data(CODE)),
        ];
        for (thumb, code, flags, data) in cases {
            let mut case = trial(thumb, code, low, flags);
            case.data = data;
            if let Err(difference) = case.run(6) {
                panic!("{code:04x?}: {difference}");
            }
        }
        // LDR PC loading a Thumb address (bit 0 set): the handler's.
        let mut case = trial(false, &[0xE1A0_8008, 0xE497_F004], low, 0);
        case.data = data(CODE + 0x101);
        if let Err(difference) = case.run(6) {
            panic!("LDR PC to Thumb code: {difference}");
        }
    }

    /// The data operations writing the PC from a register compiled natively, each after a
    /// no-op and run six times so that compiled blocks branch to compiled blocks: ARM's MOV PC,
    /// Rm (bits 1:0 of Rm ignored) and ADD PC, PC, Rm (a switch's jump, taken or not by its
    /// condition), Thumb's ADD PC, Rm (bit 0 ignored); and ARM's MOVS PC, Rm, which is not a
    /// plain branch: it copies the SPSR to the CPSR (A4.1.35, an exception return), here
    /// flags the block ran without, so a MOVS run as a MOV shows in the CPSR.
    #[test]
    fn register_moves_to_the_pc_run_as_the_interpreter_runs_them() {
        // r5: CODE with bits 1:0 set; r6: the SPSR to return to (N Z C V set, SVC, I and F
        // set); r7: back to the block's start from an ADD PC, PC at CODE + 8 (which reads
        // CODE + 16), or from Thumb's ADD PC at CODE + 2 (which reads CODE + 6), bit 0 set.
        let low = [0, 1, 2, 3, 4, CODE + 3, 0xF000_00D3, 0];
        let cases: [(bool, &[u32], u32, u32); 6] = [
            // MOV r8, r8; ADD r0, r0, #1; MOV PC, r5.
            (false, &[0xE1A0_8008, 0xE280_0001, 0xE1A0_F005], 0, 0),
            // MOV r8, r8; ADD r0, r0, #1; ADD PC, PC, r7.
            (
                false,
                &[0xE1A0_8008, 0xE280_0001, 0xE08F_F007],
                0,
                -16i32 as u32,
            ),
            // MOV r8, r8; ADD r0, r0, #1; ADDNE PC, PC, r7, taken or not by Z.
            (
                false,
                &[0xE1A0_8008, 0xE280_0001, 0x108F_F007],
                0,
                -16i32 as u32,
            ),
            (
                false,
                &[0xE1A0_8008, 0xE280_0001, 0x108F_F007],
                0x4000_0000,
                -16i32 as u32,
            ),
            // MOV r8, r8; ADD PC, r7.
            (true, &[0x46C0, 0x44BF], 0, -5i32 as u32),
            // MOV r8, r8; MSR SPSR_fc, r6; MOVS PC, r5.
            (false, &[0xE1A0_8008, 0xE169_F006, 0xE1B0_F005], 0, 0),
        ];
        for (thumb, code, flags, r7) in cases {
            let mut case = trial(thumb, code, low, flags);
            case.regs[7] = r7;
            if let Err(difference) = case.run(6) {
                panic!("{code:04x?} from flags {flags:#x}: {difference}");
            }
        }
    }

    /// Register-specified shifts (A5.1.6-A5.1.12) at every amount whose meaning differs: 0 (the
    /// value and C kept), 1-31, 32 (LSL's carry bit 0, LSR's bit 31), above 32, a bottom byte
    /// of 0 with higher bits set (no shift), and ROR by multiples of 32; ARM's with S and
    /// without, logical (C from the shifter) and arithmetic, and Thumb's LSL, LSR, ASR, ROR
    /// Rd, Rs; each followed by MOVCS and MOVEQ, which read the flags it left.
    #[test]
    fn register_shifts_run_as_the_interpreter_runs_them() {
        let amounts = [0, 1, 4, 31, 32, 33, 64, 255, 0x100, 0xFFFF_FF20, 0x3F];
        let values = [0x8000_0002, 0x4000_0001, 0, 0xFFFF_FFFF];
        for shift in 0..4u32 {
            for (&amount, &value) in amounts
                .iter()
                .flat_map(|a| values.iter().map(move |v| (a, v)))
            {
                let low = [7, value, amount, 0x1234_5678, 0, 0, 0, 0];
                let arm = |opcode: u32, s: u32| {
                    0xE000_0010 | opcode << 21 | s << 20 | 3 << 16 | 2 << 8 | shift << 5 | 1
                };
                let thumb_op = [0x2, 0x3, 0x4, 0x7][shift as usize];
                let cases: [(bool, Vec<u32>); 6] = [
                    // MOVS r0, r1, <shift> r2; MOVCS r4, #1; MOVEQ r5, #1.
                    (
                        false,
                        vec![0xE1A0_8008, arm(0xD, 1), 0x23A0_4001, 0x03A0_5001],
                    ),
                    // ORRS, EORS (logical), ADDS (arithmetic) r0, r3, r1, <shift> r2.
                    (
                        false,
                        vec![0xE1A0_8008, arm(0xC, 1), 0x23A0_4001, 0x03A0_5001],
                    ),
                    (false, vec![0xE1A0_8008, arm(0x1, 1), 0x23A0_4001]),
                    (
                        false,
                        vec![0xE1A0_8008, arm(0x4, 1), 0x23A0_4001, 0x03A0_5001],
                    ),
                    // Without S: the flags stay.
                    (false, vec![0xE1A0_8008, arm(0xD, 0), 0x23A0_4001]),
                    // Thumb: <shift> r1, r2 (MOVS r1, r1, <shift> r2); then BCS +0 and
                    // MOV r8, r8.
                    (
                        true,
                        vec![0x46C0, 0x4000 | thumb_op << 6 | 2 << 3 | 1, 0xD2FF, 0x46C0],
                    ),
                ];
                for (thumb, code) in cases {
                    for flags in [0, 0xF000_0000] {
                        if let Err(difference) = trial(thumb, &code, low, flags).run(3) {
                            panic!(
                                "{code:08x?} with r1 {value:#x}, r2 {amount:#x}, flags \
                                 {flags:#x}: {difference}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// UMULL, SMULL, UMLAL, SMLAL with and without S, from operands at the signed and
    /// unsigned edges, each followed by MOVEQ and MOVMI, which read the flags it left (N and Z
    /// from all 64 bits; C and V kept, A4.1.129), and RdHi = RdLo (UNPREDICTABLE: the high
    /// word written last, as the interpreter does).
    #[test]
    fn long_multiplies_run_as_the_interpreter_runs_them() {
        let values = [0, 1, 0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 0x1234_5678];
        // The accumulator's halves: none, or so that SMLAL/UMLAL can reach zero.
        for (&a, &b) in values
            .iter()
            .flat_map(|a| values.iter().map(move |b| (a, b)))
        {
            for (lo, hi) in [(0, 0), (1, 0xFFFF_FFFF), (0xFFFF_FFFF, 0xFFFF_FFFF), (5, 0)] {
                let low = [lo, hi, a, b, 0, 0, 0, 0];
                for kind in 0..4u32 {
                    for s in 0..2u32 {
                        // <kind>{S} r0, r1, r2, r3: RdLo r0, RdHi r1, Rm r2, Rs r3.
                        let insn = 0xE080_0092 | kind << 21 | s << 20 | 1 << 16 | 3 << 8;
                        // The same into r0 alone: RdHi = RdLo.
                        let same = insn & !(0xF << 16);
                        for word in [insn, same] {
                            let code = [0xE1A0_8008, word, 0x03A0_4001, 0x43A0_5001];
                            for flags in [0, 0xF000_0000] {
                                if let Err(difference) = trial(false, &code, low, flags).run(3) {
                                    panic!(
                                        "{word:08x} with r0-r3 {:x?}, flags {flags:#x}: \
                                         {difference}",
                                        &low[..4]
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// SMLAxy, SMULxy, SMLAWy, SMULWy, SMLALxy at every x and y, from halves at the signed
    /// edges and accumulators that overflow (Q set, A4.1.74) or not, RdHi = RdLo too for
    /// SMLALxy, each run from Q clear.
    #[test]
    fn halfword_multiplies_run_as_the_interpreter_runs_them() {
        let values = [0x8000_7FFF, 0x7FFF_8000, 0xFFFF_0001, 0x1234_8000, 0];
        let accumulators = [0x7FFF_FFFF, 0x8000_0000, 0, 0xFFFF_FFFF];
        for (&a, &b) in values
            .iter()
            .flat_map(|a| values.iter().map(move |b| (a, b)))
        {
            for &acc in &accumulators {
                for hi in [0, 0x7FFF_FFFF] {
                    let low = [hi, acc, a, b, 0, 0, 0, 0];
                    for op in 0..4u32 {
                        for xy in 0..4u32 {
                            // Rd (RdHi) r0, Rn (RdLo) r1, Rs r2, Rm r3; and Rn r0.
                            let word = 0xE100_0083 | op << 21 | 1 << 12 | 2 << 8 | xy << 5;
                            for word in [word, word & !(0xF << 12)] {
                                let code = [0xE1A0_8008, word, 0xE1A0_8008];
                                if let Err(difference) = trial(false, &code, low, 0).run(3) {
                                    panic!("{word:08x} with r0-r3 {:x?}: {difference}", &low[..4]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
