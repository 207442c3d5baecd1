//! The execution engines (`--engine`) against the interpreter, their reference: `check` runs
//! the translation-block engine and the interpreter in lockstep and ends the run with status 126
//! at the first difference, so each test here fails on any divergence. It runs every ROM under
//! `roms/tests`, the benchmark and the CoreMark-style workloads in ARM and Thumb with the MMU
//! on, and Linux to its shell prompt.
//! No test here times anything.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::rc::Rc;
use std::sync::mpsc::channel;

use emu::engine::EngineKind;
use emu::machine::{Console, Machine};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn emu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("emu starts")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn every_test_rom_runs_the_same_in_both_engines() {
    // A generous time limit: check runs both engines and logs every store.
    let out = emu(&[
        "test",
        "--engine",
        "check",
        "--timeout",
        "600",
        "roms/tests",
    ]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    let passed = report.lines().filter(|l| l.starts_with("PASS ")).count();
    assert!(passed >= 30, "only {passed} ROMs passed:\n{report}");
    assert!(report.contains(" passed, 0 failed"), "{report}");
}

/// `emu run --headless --semihosting --stats` of the newlib program `rom` under `engine`, with
/// the program's arguments `args`.
fn run_with_stats(rom: &str, args: &[&str], engine: &str) -> Output {
    emu(&[
        &[
            "run",
            "--headless",
            "--semihosting",
            "--stats",
            "--engine",
            engine,
            rom,
            "--",
        ],
        args,
    ]
    .concat())
}

/// A newlib program's output and instruction count (from `--stats`) under `engine`, given
/// `args`.
fn bench(rom: &str, args: &[&str], engine: &str) -> (String, u64) {
    let out = run_with_stats(rom, args, engine);
    let report = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{rom} under {engine}:\n{report}"
    );
    let stats = report
        .lines()
        .find_map(|l| l.strip_prefix("emu: "))
        .unwrap_or_else(|| panic!("no --stats line:\n{report}"));
    let count = stats
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {stats:?}"));
    (String::from_utf8_lossy(&out.stdout).into_owned(), count)
}

#[test]
fn the_benchmark_runs_the_same_in_every_engine_arm_and_thumb() {
    for rom in ["roms/bench/bench.elf", "roms/bench/bench-thumb.elf"] {
        let args = ["--mmu", "3"];
        let (output, count) = bench(rom, &args, "interp");
        assert!(output.contains("bench: checksum 0x"), "{rom}: {output}");
        for engine in ["jit", "check"] {
            assert_eq!(
                bench(rom, &args, engine),
                (output.clone(), count),
                "{rom} under {engine}"
            );
        }
    }
}

/// The CoreMark-style workloads (roms/workloads), every kernel, ARM and Thumb, MMU on: the same
/// output and instruction count in every engine, and under `check` no difference at any slice.
/// (Their results are checked by the program itself and against QEMU's by `emu test`'s
/// manifest.)
#[test]
fn the_workloads_run_the_same_in_every_engine_arm_and_thumb() {
    for rom in [
        "roms/workloads/workloads.elf",
        "roms/workloads/workloads-thumb.elf",
    ] {
        let args = ["--mmu", "all", "2"];
        let (output, count) = bench(rom, &args, "interp");
        assert!(output.contains("workloads: checksum 0x"), "{rom}: {output}");
        for engine in ["jit", "check"] {
            assert_eq!(
                bench(rom, &args, engine),
                (output.clone(), count),
                "{rom} under {engine}"
            );
        }
    }
}

/// On x86-64 the benchmark's hot blocks run compiled, under `jit` and under `check`: the
/// `--stats` line on the blocks counts blocks compiled, runs by the op runner and entries into
/// compiled code from the run loop (compiled blocks go on to one another without it, so there
/// are few). The op runner runs at most 64 instructions a run: what it did not run ran
/// compiled.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_benchmark_runs_compiled_blocks() {
    for rom in ["roms/bench/bench.elf", "roms/bench/bench-thumb.elf"] {
        for engine in ["jit", "check"] {
            let out = run_with_stats(rom, &["--mmu", "3"], engine);
            let report = text(&out);
            // The numbers of the line starting with `prefix` and holding `words`.
            let numbers = |prefix: &str, words: &str| -> Vec<u64> {
                let line = report
                    .lines()
                    .filter(|l| l.contains(words))
                    .find_map(|l| l.strip_prefix(prefix))
                    .unwrap_or_else(|| panic!("no line {prefix:?}:\n{report}"));
                line.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse().ok())
                    .collect()
            };
            let instructions = numbers("emu: ", " instructions in ")[0];
            // "N decoded, N runs by the op runner; N compiled, N compiled runs, ..."
            let blocks = numbers("emu: blocks: ", "");
            let (op_runs, compiled, entries) = (blocks[1], blocks[2], blocks[3]);
            assert!(
                compiled > 100 && entries > 100 && op_runs * 64 * 10 < instructions,
                "{rom} under {engine}: {instructions} instructions; blocks: {blocks:?}"
            );
        }
    }
}

#[derive(Clone, Default)]
struct Buffer(Rc<RefCell<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn linux_boots_to_its_shell_prompt_the_same_in_both_engines() {
    let dir = root().join("guests/linux-nspire");
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("the Linux guest: {}: {e}", path.display()))
    };
    let mut machine = Machine::nspire_cx(1_767_225_600);
    machine
        .boot_linux(&read("zImage"), &read("nspire-cx.dtb"), None, None)
        .unwrap();
    machine.set_engine(EngineKind::Check);
    let (_input, receiver) = channel::<Vec<u8>>();
    let output = Buffer::default();
    machine.attach_console(Console {
        input: Some(receiver),
        output: Box::new(output.clone()),
    });
    // 100 ms of the machine's time at a time, up to 3e9 instructions.
    let slice = machine.config.cpu_hz / 10;
    while !String::from_utf8_lossy(&output.0.borrow()).contains("/ # ") {
        let all = || String::from_utf8_lossy(&output.0.borrow()).into_owned();
        assert!(
            machine.cpu.instructions() < 3_000_000_000,
            "no prompt; output so far:\n{}",
            all()
        );
        if let Some(stop) = machine.run_cycles(slice) {
            panic!("the machine stopped ({stop:?}); output so far:\n{}", all());
        }
    }
}

/// A deterministic xorshift generator for the random streams.
struct Random(u32);

impl Random {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// Random instruction streams, ARM and Thumb, under `check`: a page of ARM words at
/// 0x10000000 and one of Thumb halfwords at 0x10001000, half wholly random and half of the
/// forms compiled natively ([`random_arm`], [`random_thumb`]), entered from every exception
/// vector through a trampoline that points r0-r12 back into the code pages (so that stores
/// land in pages the engines hold decoded code from) and jumps to one of the vector's landing points
/// (odd ones Thumb: an LDR to the pc interworks on ARMv5). The page after them is SWIs, so
/// that code running off the end comes back. Every undefined instruction, abort, SWI, mode
/// change and store to the code runs in both engines, which must agree after every slice.
#[test]
fn random_instruction_streams_run_the_same_in_both_engines() {
    use emu::board::Board;
    use emu::bus::{Bus, Size};
    use emu::config::MachineConfig;
    use emu::cpu::{Cpu, Stop};
    use emu::engine::Engine;

    const ARM_PAGE: u32 = 0x1000_0000;
    const THUMB_PAGE: u32 = 0x1000_1000;
    const LDR_PC: u32 = 0xE59F_F000; // ldr pc, [pc, #imm]
    const LDR_R0: u32 = 0xE59F_0000; // ldr r0, [pc, #imm]
                                     // Many short streams: a stream soon falls into a loop of exceptions.
    const SEEDS: u32 = 200;
    let config = MachineConfig::nspire_cx();
    let (mut slices, mut rewritten) = (0, 0);
    for seed in 1..=SEEDS {
        let mut random = Random(seed.wrapping_mul(0x9E37_79B9) | 1);
        let mut board = Board::new(&config, 0);
        // The vectors, each `ldr pc, [pc, #24]` to its trampoline at 0x100 + 0x80 * i: 13
        // loads of r0-r12 and one of the pc, each from the literal pool 0x40 bytes on.
        let mut rom = vec![0u8; 0x500];
        let mut put = |at: usize, word: u32| rom[at..at + 4].copy_from_slice(&word.to_le_bytes());
        for i in 0..8 {
            put(4 * i, LDR_PC | 24);
            let trampoline = 0x100 + 0x80 * i;
            put(0x20 + 4 * i, trampoline as u32);
            for n in 0..14 {
                let at = trampoline + 4 * n;
                let (load, value) = if n < 13 {
                    (
                        LDR_R0 | (n as u32) << 12,
                        ARM_PAGE + (random.next() & 0x1FFC),
                    )
                } else if i % 2 == 0 {
                    (LDR_PC, ARM_PAGE + (random.next() & 0xFFC))
                } else {
                    (LDR_PC, THUMB_PAGE + (random.next() & 0xFFE) + 1)
                };
                put(at, load | (0x40 - 8));
                put(at + 0x40, value);
            }
        }
        assert!(board.load(0, &rom));
        // Half the words and halfwords wholly random, half of the forms compiled natively.
        let favourite = random.next() % 15;
        let mut arm = Vec::new();
        while arm.len() < 0x1000 / 4 {
            let random_word = random.next();
            arm.push(if random_word & 1 == 0 {
                random_arm(&mut random, favourite)
            } else {
                random.next()
            });
        }
        let mut thumb = Vec::new();
        while thumb.len() < 0x1000 / 2 {
            if random.next() & 1 == 0 {
                random_thumb(&mut random, &mut thumb);
            } else {
                thumb.push(random.next() & 0xFFFF);
            }
        }
        thumb.truncate(0x1000 / 2);
        let code: Vec<u8> = arm
            .iter()
            .flat_map(|word| word.to_le_bytes())
            .chain(thumb.iter().flat_map(|&half| (half as u16).to_le_bytes()))
            .chain((0..0x1000 / 4).flat_map(|_| 0xEF00_0000u32.to_le_bytes()))
            .collect();
        assert!(board.load(ARM_PAGE, &code));
        let mut cpu = Cpu::new();
        cpu.set_pc(if seed % 2 == 0 { ARM_PAGE } else { THUMB_PAGE });
        if seed % 2 == 1 {
            cpu.set_cpsr(cpu.cpsr() | 1 << 5);
        }
        cpu.invalidate_tlb();
        let mut engine = Engine::new(EngineKind::Check, &config, 0);
        while cpu.instructions() < 10_000 {
            slices += 1;
            match engine.run(&mut cpu, &mut board, 97, u64::MAX) {
                Ok(Stop::WaitForInterrupt) => break,
                Ok(_) => {}
                Err(divergence) => panic!("seed {seed}: {}", divergence.reason()),
            }
        }
        rewritten += (0..0x2000)
            .filter(|&i| board.peek(ARM_PAGE + i, Size::Byte) != Some(code[i as usize] as u32))
            .count();
    }
    assert!(
        slices > SEEDS * 50,
        "the streams stopped early: {slices} slices"
    );
    // The streams stored into their own code pages (the self-modifying code test proper is
    // roms/tests/cpu/selfmod, which the test of every ROM runs under check).
    assert!(rewritten > 500, "only {rewritten} bytes of code rewritten");
}

/// The registers the ARM generator writes: all but the bases r8-r11 (which point into the
/// trial's RAM) and the PC.
const DESTINATIONS: [u32; 11] = [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14];

/// A destination register, never the PC.
fn destination(random: &mut Random) -> u32 {
    DESTINATIONS[random.next() as usize % DESTINATIONS.len()]
}

/// Two different destination registers.
fn destinations(random: &mut Random) -> (u32, u32) {
    let a = destination(random);
    let b = destination(random);
    (a, if a == b { a ^ 1 } else { b })
}

/// A source register, any but the PC.
fn source(random: &mut Random) -> u32 {
    random.next() % 15
}

/// A multiplicand: half the time r0-r3 (small values), else a register holding any value
/// (ARM's r4-r7, r12, r14), not a pointer.
fn multiplicand(random: &mut Random) -> u32 {
    [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 12, 14][random.next() as usize % 14]
}

/// A register holding a shift amount: mostly r0-r3, whose starting values the trials choose
/// to be amounts of every meaning ([`shift_amount`]).
fn amount_register(random: &mut Random) -> u32 {
    let r = random.next();
    if r.is_multiple_of(4) {
        (r >> 2) % 15
    } else {
        (r >> 2) % 4
    }
}

/// A value for a register that a register-specified shift may take its amount from, all
/// under 0x1000 (the same registers are small offsets of loads and stores): the amounts
/// whose meanings differ (A5.1.6-A5.1.12) are 0, 1-31, 32, above 32, multiples of 32 (ROR),
/// and a bottom byte of 0 or 32 with higher bits set.
fn shift_amount(random: &mut Random) -> u32 {
    let r = random.next();
    let n = r >> 3;
    match r % 11 {
        0 | 1 => 0,
        2 | 3 => 32,
        4..=6 => 1 + n % 31,
        7 => 32 * (2 + n % 6),
        8 => 33 + n % 223,
        9 => (1 + n % 15) << 8 | [0, 1, 31, 32][(n >> 8) as usize % 4],
        _ => n & 0xFFF,
    }
}

/// A small signed branch offset, in instructions: most targets stay in the block or the
/// data after it.
fn branch_offset(random: &mut Random) -> u32 {
    (random.next() % 48).wrapping_sub(16)
}

/// A random ARM instruction, mostly of the forms the x86-64 backend compiles natively
/// (`engine/x64/lower.rs`): data processing with an immediate, an immediate shift or a
/// register shift; LDR/STR/LDRB/STRB with an immediate or a shifted register offset; the
/// halfword and signed loads and stores; MUL/MLA, UMULL/SMULL/UMLAL/SMLAL and the ARMv5TE
/// halfword multiplies; LDM/STM; B/BL; BX/BLX Rm. Now and then one the interpreter's handler
/// runs (MRS, MSR, CLZ, QADD and kin), or a wholly random word. A quarter run under a random
/// condition. Loads and stores mostly take r8-r11 as their base, which point into the
/// trial's RAM; shift amounts mostly come from r0-r3.
///
/// The forms generated on purpose leave out their UNPREDICTABLE encodings (ARM ARM), where
/// the engines may differ and both be right: the PC as any register of a register shift
/// (A5.1.1), of a multiply (A4.1.40, A4.1.76, A4.1.87, A4.1.128, A4.1.129, A4.1.74-A4.1.90),
/// of CLZ, the saturating additions or MRS; Rd = Rm in MUL/MLA and RdHi, RdLo, Rm not all
/// different in the long multiplies (ARMv5's restriction), RdHi = RdLo in SMLALxy; a
/// non-zero should-be-zero Rn in SMULxy and SMULWy; a base in the list of an LDM or STM that
/// writes it back (A4.1.20, A4.1.97); BLX to the PC (A4.1.9); MSR writing the T bit or a mode
/// that does not exist (A4.1.39).
fn random_arm(random: &mut Random, favourite: u32) -> u32 {
    let r = random.next();
    let cond = match r & 7 {
        0 => (r >> 3) % 15,
        1 => favourite,
        _ => 0xE,
    };
    let x = random.next();
    // Destinations other than the bases, and the PC now and then.
    let rd = if x & 0x3F00 == 0 {
        15
    } else {
        DESTINATIONS[(x >> 12) as usize % 11]
    };
    // The data-processing opcode, with S always for TST..CMN (without, the miscellaneous
    // space).
    let opcode = (x >> 21) & 0xF;
    let s = ((0x8..=0xB).contains(&opcode) || x & 1 << 20 != 0) as u32;
    let base = 8 + (x >> 16) % 4;
    let body = match (r >> 8) % 64 {
        // Data processing, immediate.
        0..=7 => 1 << 25 | opcode << 21 | s << 20 | x & 0xF_0000 | rd << 12 | x & 0xFFF,
        // Data processing, immediate shift.
        8..=13 => opcode << 21 | s << 20 | x & 0xF_0000 | rd << 12 | x & 0xFEF,
        // Data processing, register shift: <opcode>{S} Rd, Rn, Rm, <shift> Rs.
        14..=19 => {
            let (rd, rn, rm) = (destination(random), source(random), source(random));
            let rs = amount_register(random);
            opcode << 21 | s << 20 | rn << 16 | rd << 12 | rs << 8 | x & 0x60 | 0x10 | rm
        }
        // LDR/STR (P U B W L from x), a 12-bit offset; one in eight to or from the PC.
        20..=30 => {
            let rd = if random.next().is_multiple_of(8) {
                15
            } else {
                rd
            };
            2 << 25 | x & 0x1F0_0000 | base << 16 | rd << 12 | x & 0xFFF
        }
        // Register offset r0-r3, shifted: LSL by 0-3, LSR and ASR by 1-32, ROR by 1-31 or
        // RRX.
        31..=36 => {
            let shift = (x >> 5) & 3;
            let amount = if shift == 0 {
                (x >> 7) & 3
            } else {
                (x >> 7) & 31
            };
            3 << 25 | x & 0x1F0_0000 | base << 16 | rd << 12 | amount << 7 | shift << 5 | x & 3
        }
        // LDRH, STRH, LDRSB, LDRSH (and LDRD, STRD), immediate or register offset.
        37..=40 => x & 0x1F0_0F0F & !(1 << 3) | base << 16 | rd << 12 | 0x90 | (1 + x % 3) << 5,
        // MUL, MLA (A S from x).
        41 | 42 => {
            let (rd, rm) = destinations(random);
            let (rn, rs) = (source(random), multiplicand(random));
            x & 0x30_0000 | rd << 16 | rn << 12 | rs << 8 | 0x90 | rm
        }
        // UMULL, UMLAL, SMULL, SMLAL (U A S from x): RdHi, RdLo, Rm all different.
        43..=45 => {
            let (hi, lo) = destinations(random);
            let (rm, rs) = (multiplicand(random), multiplicand(random));
            // Rm moved off RdHi and RdLo to r8-r11, never destinations.
            let rm = if rm == hi || rm == lo { 8 + rm % 4 } else { rm };
            0x80_0090 | x & 0x70_0000 | hi << 16 | lo << 12 | rs << 8 | rm
        }
        // SMLAxy, SMLAWy, SMULWy, SMLALxy, SMULxy (x y from x).
        46..=48 => {
            let op = (x >> 21) & 3;
            let (rd, rn) = destinations(random);
            let (rm, rs) = (multiplicand(random), multiplicand(random));
            let rn = if op == 3 || (op == 1 && x & 0x20 != 0) {
                0
            } else {
                rn
            };
            0x100_0080 | op << 21 | rd << 16 | rn << 12 | rs << 8 | x & 0x60 | rm
        }
        // LDM, STM (P U W L from x, not S), a few registers among r0-r7, r12, r14 and now and
        // then the PC; the base too when it is not written back.
        49..=51 => {
            let mut list = x & 0x50FF | if (x >> 9) & 3 == 0 { 0x8000 } else { 0 };
            if x & 1 << 21 == 0 && x & 1 << 8 != 0 {
                list |= 1 << base;
            }
            4 << 25 | x & 0x1B0_0000 | base << 16 | list
        }
        // B, BL.
        52 | 53 => 5 << 25 | x & 1 << 24 | branch_offset(random) & 0xFF_FFFF,
        // BX, BLX Rm: to the trial's RAM, or wherever r0-r3 or r14 point.
        54 | 55 => 0x12F_FF10 | x & 0x20 | [8, 9, 10, 11, 13, 14, 0, 1][x as usize % 8],
        // Run by the handler: MRS; MSR of the flags (immediate or register), or of the control
        // field with a mode that exists, ARM state; CLZ; QADD, QSUB, QDADD, QDSUB.
        56..=59 => {
            let (rd, rm) = (destination(random), source(random));
            let spsr = x & 1 << 22;
            match (x >> 4) % 6 {
                0 => 0x10F_0000 | spsr | rd << 12,
                1 => 0x328_F000 | spsr | x & 0xFFF,
                2 => 0x128_F000 | spsr | rm,
                3 => {
                    let mode = [0x10, 0x11, 0x12, 0x13, 0x17, 0x1B, 0x1F][x as usize % 7];
                    0x321_F000 | spsr | x & 0xC0 | mode
                }
                4 => 0x16F_0F10 | rd << 12 | rm,
                _ => 0x100_0050 | x & 0x60_0000 | source(random) << 16 | rd << 12 | rm,
            }
        }
        _ => return random.next(),
    };
    cond << 28 | body
}

/// A random Thumb instruction or BL/BLX pair to the end of `code`, mostly of the formats the
/// x86-64 backend compiles natively: shifts by an immediate or a register, additions and
/// subtractions, the register data processing, the high-register ADD, CMP and MOV, MOV PC,
/// BX, BLX; loads and stores of every width with an immediate or a register offset, relative
/// to the PC or SP; ADD to SP or PC; PUSH, POP (with LR and the PC), LDMIA, STMIA; B<cond>,
/// B, BL, BLX. Now and then a wholly random halfword. Low-register fields are steered:
/// destinations to r0-r3, bases to r4-r7, which point into the trial's RAM; shift amounts
/// come from r0-r3.
///
/// Left out as UNPREDICTABLE (ARM ARM A7.1): the high-register ADD, CMP and MOV with two low
/// registers, or CMP to the PC; BX and BLX with non-zero should-be-zero bits or (BLX) to the
/// PC; an empty register list; STMIA with its base in the list (not its lowest); MUL with
/// Rd = Rm.
fn random_thumb(random: &mut Random, code: &mut Vec<u32>) {
    let r = random.next();
    let x = random.next() & 0xFFFF;
    let x = if r >> 28 == 0 {
        x
    } else {
        x & !(1 << 2 | 1 << 10) | 1 << 5
    };
    let base = 4 + (x >> 8) % 4;
    // r4-r11 and r13 point into RAM; as the Rm field of a high-register form (bits 6, 5:3).
    let pointer = [4, 5, 6, 7, 8, 9, 10, 11, 13][(x >> 3) as usize % 9];
    let pointer = (pointer & 8) << 3 | (pointer & 7) << 3;
    let half = match r % 64 {
        0..=2 => x & 0x17FF,          // LSL, LSR, ASR #imm
        3 | 4 => 0x1800 | x & 0x7FF,  // ADD/SUB register or imm3
        5..=8 => 0x2000 | x & 0x1FFF, // MOV/CMP/ADD/SUB #imm8
        9..=12 => {
            // Data processing, register (MUL with Rd = Rm moved off it).
            let insn = 0x4000 | x & 0x3FF;
            if insn & 0x3C0 == 0x340 && (insn >> 3) & 7 == insn & 7 {
                insn ^ 1
            } else {
                insn
            }
        }
        13..=17 => {
            // LSL, LSR, ASR, ROR Rd, Rs: Rs r0-r3.
            let op = [0x2, 0x3, 0x4, 0x7][(x >> 6) as usize % 4];
            0x4000 | op << 6 | (amount_register(random) % 4) << 3 | (x >> 12) & 3
        }
        18 | 19 => {
            // ADD, CMP, MOV with a high register (H1 H2 not both clear; Rd not the PC).
            let op = (x >> 8) % 3;
            let h = 1 + (x >> 6) % 3;
            let rd = if h & 2 != 0 { x % 7 } else { x & 7 };
            0x4400 | op << 8 | h << 6 | ((x >> 3) & 7) << 3 | rd
        }
        // MOV PC, Rm; or ADD PC, Rm (the handler's).
        20 => 0x4487 | (x & 1 << 12) >> 3 | pointer,
        // BX, BLX Rm.
        21 | 22 => 0x4700 | (x & 1 << 12) >> 5 | pointer,
        23 => 0x4800 | x & 0x7FF,       // LDR literal
        24..=30 => 0x5000 | x & 0xFFF,  // register offset
        31..=37 => 0x6000 | x & 0x1FFF, // immediate offset, word and byte
        38..=40 => 0x8000 | x & 0xFFF,  // immediate offset, halfword
        41 | 42 => 0x9000 | x & 0xFFF,  // SP-relative
        43 => 0xA000 | x & 0xFFF,       // ADD Rd, PC/SP
        44 => 0xB000 | x & 0xFF,        // ADD/SUB SP, #imm
        45..=47 => {
            // PUSH {r0-r7, LR}, POP {r0-r3, PC}: never empty.
            if x & 1 << 11 == 0 {
                0xB400 | x & 0x1FF | if x & 0x1FF == 0 { 1 } else { 0 }
            } else {
                0xBC00 | x & 0x10F | if x & 0x10F == 0 { 1 << 8 } else { 0 }
            }
        }
        48..=50 => {
            // STMIA, LDMIA Rn! (base r4-r7) of r0-r3; LDMIA's list holding its base now and
            // then (it is not written back then, A7.1.27).
            let list = (x & 0xF).max(1);
            if x & 1 << 11 == 0 {
                0xC000 | base << 8 | list
            } else {
                let own = if x & 0x30 == 0 { 1 << base } else { 0 };
                0xC800 | base << 8 | list | own
            }
        }
        51..=53 => 0xD000 | ((x >> 4) % 14) << 8 | branch_offset(random) & 0xFF, // B<cond>
        54 => 0xE000 | branch_offset(random) & 0x7FF,                            // B
        55 | 56 => {
            // BL or BLX: the prefix's offset 0 or -1 (<< 12), the suffix's small.
            let back = x & 1 != 0;
            let (high, low) = if back {
                (0x7FF, 0x7E0 | x >> 11)
            } else {
                (0, x >> 11)
            };
            code.push(0xF000 | high);
            if x & 2 == 0 {
                0xF800 | low
            } else {
                0xE800 | low & !1
            }
        }
        _ => x,
    };
    code.push(half);
}

/// Random blocks compiled by the x86-64 backend against the interpreter: ARM and Thumb, from
/// random registers and flags, each run four times (the first run's loads and stores fill
/// the TLB through the handlers, the later ones hit it inline). Every register, the CPSR, the
/// counts and all of memory must agree. The blocks are many and short, so that rare
/// sequences (a flag write, then a register shift by 0 that keeps its C; a condition held
/// across a handler call) come up; a census of the generated instructions, lowered as the
/// backend lowers them, checks that every form it compiles natively came up many times.
#[cfg(target_arch = "x86_64")]
#[test]
fn random_blocks_compiled_run_as_the_interpreter_runs_them() {
    use emu::engine::x64::lower;
    use emu::engine::x64::trial::{Trial, CODE};

    let mut compiled_runs = 0;
    let mut census = std::collections::BTreeMap::new();
    for seed in 1..=3000u32 {
        let mut random = Random(seed.wrapping_mul(0x9E37_79B9) | 1);
        let thumb = seed % 2 == 0;
        let len = 1 + random.next() % 40;
        let favourite = random.next() % 15;
        let mut code = Vec::new();
        while code.len() < len as usize {
            if thumb {
                random_thumb(&mut random, &mut code);
            } else {
                code.push(random_arm(&mut random, favourite));
            }
        }
        let mut regs = [0; 15];
        for (n, reg) in regs.iter_mut().enumerate() {
            let value = random.next();
            // Pointers aligned to words but one time in eight.
            let aligned = if value.is_multiple_of(8) {
                0x7_FFFF
            } else {
                0x7_FFFC
            };
            *reg = match n {
                // r8-r11 and r13 point into RAM, and Thumb's r4-r7; Thumb's r8-r11, no
                // bases, at any byte (BX and MOV PC to them, to either state).
                8..=11 if thumb => CODE + 0x1000 + (value & 0x7_FFFF),
                8..=11 | 13 => CODE + 0x1000 + (value & aligned),
                4..=7 if thumb => CODE + 0x1000 + (value & aligned),
                // Thumb's r2 and r3 (destinations) hold any value, some negative.
                2 | 3 if thumb => value,
                // Shift amounts, small offsets.
                0..=3 => shift_amount(&mut random),
                _ => value,
            };
        }
        // Small words, so that a loaded value used as an offset stays in RAM, and one in
        // eight an address in the code in the trial's state, for a loaded PC.
        let mut data = Vec::new();
        for _ in 0..16 {
            let r = random.next();
            let word = if r.is_multiple_of(8) {
                CODE + (((r >> 3) % (4 * len)) & !3) + thumb as u32
            } else {
                shift_amount(&mut random)
            };
            data.extend(word.to_le_bytes());
        }
        for (i, &insn) in code.iter().enumerate() {
            let native = if thumb {
                let pc = CODE + 2 * i as u32;
                let pair = i
                    .checked_sub(1)
                    .and_then(|p| lower::thumb_bl(code[p], insn, pc));
                pair.unwrap_or_else(|| lower::thumb(insn, pc))
            } else {
                lower::arm(insn, CODE + 4 * i as u32)
            };
            *census.entry(form(&native)).or_insert(0) += 1;
        }
        let trial = Trial {
            thumb,
            code,
            regs,
            flags: random.next() & 0xF000_0000,
            data,
        };
        match trial.run(4) {
            Ok(stats) => compiled_runs += stats.compiled_runs,
            Err(difference) => panic!("seed {seed}: {difference}\n{trial:x?}"),
        }
    }
    assert!(compiled_runs > 800, "only {compiled_runs} compiled runs");
    // Every form the backend compiles natively was generated, many times.
    let rare: Vec<_> = NATIVE_FORMS
        .iter()
        .filter(|&&f| census.get(f).copied().unwrap_or(0) < 20)
        .collect();
    assert!(
        rare.is_empty(),
        "forms seldom generated: {rare:?}\n{census:#?}"
    );
}

/// The forms the x86-64 backend compiles natively (`engine/x64/lower.rs`), as [`form`] names
/// them.
#[cfg(target_arch = "x86_64")]
const NATIVE_FORMS: &[&str] = &[
    "ALU immediate",
    "ALU immediate shift",
    "ALU register Lsl",
    "ALU register Lsr",
    "ALU register Asr",
    "ALU register Ror",
    "load Word immediate",
    "load Word register",
    "store Word immediate",
    "store Word register",
    "load Byte immediate",
    "load Byte register",
    "store Byte immediate",
    "store Byte register",
    "load Half immediate",
    "load Half register",
    "store Half immediate",
    "store Half register",
    "load SignedByte immediate",
    "load SignedByte register",
    "load SignedHalf immediate",
    "load SignedHalf register",
    "load PC",
    "MUL",
    "MLA",
    "UMULL",
    "UMLAL",
    "SMULL",
    "SMLAL",
    "Smla",
    "Smul",
    "Smlaw",
    "Smulw",
    "Smlal",
    "LDM",
    "LDM with the PC",
    "STM",
    "STM with the PC",
    "B",
    "BL",
    "BX",
    "BLX",
    "MOV PC",
    "BL, BLX pair to ARM",
];

/// The name of a lowered instruction's form, for the census of the forms generated.
#[cfg(target_arch = "x86_64")]
fn form(native: &emu::engine::x64::lower::Native) -> String {
    use emu::engine::x64::lower::{Native, Operand};
    match *native {
        Native::Alu { op2, .. } => match op2 {
            Operand::Imm { .. } => "ALU immediate".into(),
            Operand::Shifted { .. } => "ALU immediate shift".into(),
            Operand::ByReg { shift, .. } => format!("ALU register {shift:?}"),
        },
        Native::Mem {
            load: true, rd: 15, ..
        } => "load PC".into(),
        Native::Mem {
            load,
            width,
            offset,
            ..
        } => format!(
            "{} {width:?} {}",
            if load { "load" } else { "store" },
            if let Operand::Imm { .. } = offset {
                "immediate"
            } else {
                "register"
            }
        ),
        Native::Mul { acc, .. } => if acc.is_some() { "MLA" } else { "MUL" }.into(),
        Native::MulLong { signed, acc, .. } => {
            ["UMULL", "UMLAL", "SMULL", "SMLAL"][2 * signed as usize + acc as usize].into()
        }
        Native::Halfword { op, .. } => format!("{op:?}"),
        Native::Multi { load, list, .. } => format!(
            "{}{}",
            if load { "LDM" } else { "STM" },
            if list & 0x8000 != 0 {
                " with the PC"
            } else {
                ""
            }
        ),
        Native::Branch { link, .. } => if link.is_some() { "BL" } else { "B" }.into(),
        Native::Jump {
            link,
            exchange: true,
            ..
        } => if link.is_some() { "BLX" } else { "BX" }.into(),
        Native::Jump { .. } => "MOV PC".into(),
        Native::Exchange { .. } => "BL, BLX pair to ARM".into(),
        Native::Call => "handler".into(),
    }
}
