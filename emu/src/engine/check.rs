//! `--engine check`: the `jit` engine runs the machine while the interpreter runs a copy of it,
//! slice by slice, and the run stops at the first difference.
//!
//! The copy (a CPU and a board with its devices and memory) is made from the machine whenever
//! the machine was changed outside a run (see [`super::Engine::machine_changed`]), so host
//! services (semihosting, OS calls, input) happen once, in the machine, and never twice. In
//! between, both sides fire the same device events at the same cycles and run the same
//! budgets: they can differ only by how their engines execute. After each slice the check
//! compares why each stopped, the instruction count, every register of every mode, the CPSR and
//! SPSRs, CP15, and the stores each CPU made, in order (both CPUs log their stores, which takes
//! every store off the TLB's fast path: the slow path does the same thing, and it is logged).

use crate::board::Board;
use crate::bus::Bus;
use crate::config::MachineConfig;
use crate::cpu::{Cpu, Mode, Stop, Store};

use super::blocks::Blocks;

/// Where the engines first differed: after `insns` instructions, at `pc` (the interpreter's
/// next instruction), and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub insns: u64,
    pub pc: u32,
    pub what: Difference,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The slices stopped for different reasons, or after different instruction counts.
    Stop {
        interp: Stop,
        jit: Stop,
    },
    Count {
        interp: u64,
        jit: u64,
    },
    /// The clocks differ: the instructions took different cycles.
    Cycles {
        interp: u64,
        jit: u64,
    },
    /// A register (named as the monitor names them) differs.
    Register {
        name: &'static str,
        interp: u32,
        jit: u32,
    },
    /// CP15's registers differ.
    Cp15,
    /// The `index`th store of the slice differs (`None`: that side made fewer).
    Store {
        index: usize,
        interp: Option<Store>,
        jit: Option<Store>,
    },
    /// The copy of the machine could not be made (a state the interpreter's side refused).
    Copy,
}

impl Divergence {
    /// One line for a person.
    pub fn reason(&self) -> String {
        let what = match self.what {
            Difference::Stop { interp, jit } => {
                format!("the interpreter stopped for {interp:?}, the jit for {jit:?}")
            }
            Difference::Count { interp, jit } => {
                format!("the interpreter ran {interp} instructions, the jit {jit}")
            }
            Difference::Cycles { interp, jit } => {
                format!("the interpreter's clock is at cycle {interp}, the jit's at {jit}")
            }
            Difference::Register { name, interp, jit } => {
                format!("{name} is {interp:#010x} in the interpreter, {jit:#010x} in the jit")
            }
            Difference::Cp15 => "CP15's registers differ".to_string(),
            Difference::Store { index, interp, jit } => {
                let show = |store: Option<Store>| match store {
                    Some(s) => format!("{}-byte {:#x} to {:#010x}", s.bytes, s.value, s.addr),
                    None => "none".to_string(),
                };
                format!(
                    "store {index} of the slice: the interpreter's {}, the jit's {}",
                    show(interp),
                    show(jit)
                )
            }
            Difference::Copy => "the interpreter's copy of the machine could not be made".into(),
        };
        format!(
            "the engines differ after {} instructions, at pc {:#010x}: {what}",
            self.insns, self.pc
        )
    }
}

/// The jit engine and the interpreter's copy of the machine.
pub struct Check {
    blocks: Blocks<Board>,
    config: MachineConfig,
    rtc_start: u32,
    /// The interpreter's CPU and board; `None` until made, and after the machine changed.
    copy: Option<(Cpu, Board)>,
    /// A board kept for the next copy (its memory allocated once).
    spare: Option<Board>,
}

impl Check {
    pub fn new(config: &MachineConfig, rtc_start: u32) -> Check {
        Check {
            blocks: Blocks::default(),
            config: config.clone(),
            rtc_start,
            copy: None,
            spare: None,
        }
    }

    /// How the jit side's blocks ran.
    pub fn block_stats(&self) -> super::blocks::Stats {
        self.blocks.stats()
    }

    pub fn machine_changed(&mut self, board: &Board) {
        self.blocks.host_wrote(board.host_writes());
        if let Some((_, board)) = self.copy.take() {
            self.spare = Some(board);
        }
    }

    /// A copy of the machine's CPU and board, for the interpreter.
    fn copy(&mut self, cpu: &mut Cpu, board: &Board) -> Result<(Cpu, Board), String> {
        let mut copy_board = self
            .spare
            .take()
            .unwrap_or_else(|| Board::new(&self.config, self.rtc_start));
        copy_board.restore(board.state(), board.ram(), cpu.cycles())?;
        let text = ron::to_string(&*cpu).map_err(|e| e.to_string())?;
        let saved: Cpu = ron::from_str(&text).map_err(|e| e.to_string())?;
        let mut copy_cpu = Cpu::new();
        copy_cpu.restore(saved)?;
        copy_cpu.break_on = cpu.break_on.clone();
        copy_cpu.log_stores(true);
        cpu.log_stores(true);
        Ok((copy_cpu, copy_board))
    }

    pub fn run(
        &mut self,
        cpu: &mut Cpu,
        board: &mut Board,
        budget: u64,
        deadline: u64,
    ) -> Result<Stop, Divergence> {
        if self.copy.is_none() {
            match self.copy(cpu, board) {
                Ok(copy) => self.copy = Some(copy),
                Err(_) => {
                    return Err(Divergence {
                        insns: cpu.instructions(),
                        pc: cpu.pc(),
                        what: Difference::Copy,
                    })
                }
            }
        }
        let Some((copy_cpu, copy_board)) = self.copy.as_mut() else {
            unreachable!("the copy was just made");
        };
        // The machine fired its due events, set the CPU's interrupt lines and let a waiting
        // CPU's time pass before this slice: the copy does the same.
        copy_cpu.idle_until(cpu.cycles());
        copy_board.fire_due_events(copy_cpu.cycles());
        let (irq, fiq) = copy_board.interrupt_outputs();
        copy_cpu.set_irq_line(irq);
        copy_cpu.set_fiq_line(fiq);

        let stop = cpu.run_with(board, budget, deadline, &mut self.blocks);
        let reference = copy_cpu.run_until(copy_board, budget, deadline);
        // What the guest transmitted reaches the host from the machine only.
        copy_board.take_uart_output();
        let (insns, pc) = (copy_cpu.instructions(), copy_cpu.pc());
        let diverged = |what| Err(Divergence { insns, pc, what });
        if let Some(what) = compare(copy_cpu, cpu) {
            return diverged(what);
        }
        if reference != stop {
            return diverged(Difference::Stop {
                interp: reference,
                jit: stop,
            });
        }
        let (theirs, ours) = (copy_cpu.take_stores(), cpu.take_stores());
        if theirs != ours {
            let index = theirs
                .iter()
                .zip(&ours)
                .position(|(a, b)| a != b)
                .unwrap_or(theirs.len().min(ours.len()));
            return diverged(Difference::Store {
                index,
                interp: theirs.get(index).copied(),
                jit: ours.get(index).copied(),
            });
        }
        Ok(stop)
    }
}

/// The first difference between the interpreter's CPU and the jit's, if any.
pub(crate) fn compare(interp: &Cpu, jit: &Cpu) -> Option<Difference> {
    if interp.instructions() != jit.instructions() {
        return Some(Difference::Count {
            interp: interp.instructions(),
            jit: jit.instructions(),
        });
    }
    // The clock, and the interlock the next instruction may wait for.
    if interp.cycles() != jit.cycles() {
        return Some(Difference::Cycles {
            interp: interp.cycles(),
            jit: jit.cycles(),
        });
    }
    let differ = |name, a: u32, b: u32| {
        (a != b).then_some(Difference::Register {
            name,
            interp: a,
            jit: b,
        })
    };
    const NAMES: [&str; 16] = [
        "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp",
        "lr", "pc",
    ];
    for (n, name) in NAMES.iter().enumerate() {
        if let Some(d) = differ(name, interp.reg(n), jit.reg(n)) {
            return Some(d);
        }
    }
    if let Some(d) = differ("cpsr", interp.cpsr(), jit.cpsr()) {
        return Some(d);
    }
    for mode in Mode::ALL {
        for (n, name) in NAMES.iter().enumerate().take(15).skip(8) {
            if let Some(d) = differ(name, interp.reg_of(mode, n), jit.reg_of(mode, n)) {
                return Some(d);
            }
        }
        if let (Some(a), Some(b)) = (interp.spsr_of(mode), jit.spsr_of(mode)) {
            if let Some(d) = differ("spsr", a, b) {
                return Some(d);
            }
        }
    }
    if interp.cp15 != jit.cp15 {
        return Some(Difference::Cp15);
    }
    if let Some(d) = differ("interlock", interp.interlock(), jit.interlock()) {
        return Some(d);
    }
    if interp.is_waiting() != jit.is_waiting() {
        return Some(Difference::Register {
            name: "waiting",
            interp: interp.is_waiting() as u32,
            jit: jit.is_waiting() as u32,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const STR_R0_R1: u32 = 0xE581_0000;
    const STR_R0_R1_4: u32 = 0xE581_0004;

    /// A machine running a loop that counts in r0 and stores it: `add r0, r0, #1; str r0, [r1];
    /// b .-8`, with r1 in SDRAM.
    fn machine() -> (Cpu, Board, Check) {
        let config = MachineConfig::nspire_cx();
        let mut board = Board::new(&config, 0);
        for (i, word) in [0xE280_0001u32, STR_R0_R1, 0xEAFF_FFFC].iter().enumerate() {
            assert!(board.load(0x1000_0000 + 4 * i as u32, &word.to_le_bytes()));
        }
        let mut cpu = Cpu::new();
        cpu.set_pc(0x1000_0000);
        cpu.set_reg(1, 0x1000_1000);
        cpu.invalidate_tlb();
        (cpu, board, Check::new(&config, 0))
    }

    #[test]
    fn the_engines_agree_and_a_wrong_register_is_caught() {
        let (mut cpu, mut board, mut check) = machine();
        assert_eq!(
            check.run(&mut cpu, &mut board, 100, u64::MAX),
            Ok(Stop::Budget)
        );
        assert_eq!(
            check.run(&mut cpu, &mut board, 100, u64::MAX),
            Ok(Stop::Budget)
        );
        assert_eq!(cpu.reg(0), 67, "200 instructions, a third of them adds");
        // A jit that computed r0 wrongly, as the checker sees it: the CPU it runs changed
        // behind its back.
        cpu.set_reg(0, cpu.reg(0) + 7);
        let divergence = check.run(&mut cpu, &mut board, 100, u64::MAX).unwrap_err();
        assert!(
            matches!(divergence.what, Difference::Register { name: "r0", .. }),
            "{divergence:?}"
        );
        assert!(
            divergence.reason().contains("r0 is"),
            "{}",
            divergence.reason()
        );
    }

    #[test]
    fn a_wrong_store_is_caught() {
        let (mut cpu, mut board, mut check) = machine();
        assert_eq!(
            check.run(&mut cpu, &mut board, 3, u64::MAX),
            Ok(Stop::Budget)
        );
        // The interpreter's copy now stores 4 bytes further on; registers stay the same.
        let (_, copy_board) = check.copy.as_mut().unwrap();
        assert!(copy_board.load(0x1000_0004, &STR_R0_R1_4.to_le_bytes()));
        let divergence = check.run(&mut cpu, &mut board, 3, u64::MAX).unwrap_err();
        let Difference::Store { index, interp, jit } = divergence.what else {
            panic!("{divergence:?}");
        };
        assert_eq!(index, 0);
        assert_eq!(interp.map(|s| s.addr), Some(0x1000_1004));
        assert_eq!(jit.map(|s| s.addr), Some(0x1000_1000));
    }
}
