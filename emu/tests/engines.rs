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

/// Random instruction streams, ARM and Thumb, under `check`: a page of random ARM words at
/// 0x10000000 and one of random Thumb halfwords at 0x10001000, entered from every exception
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
        let code: Vec<u8> = (0..0x2000 / 4)
            .flat_map(|_| random.next().to_le_bytes())
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

/// A random ARM instruction of the kinds the code generator compiles natively (data
/// processing with an immediate or an immediate shift, LDR/STR/LDRB/STRB with an immediate or
/// a small register offset, the halfword and signed forms, MUL/MLA, LDM/STM), under a random condition one time in four, with now and then a wholly
/// random word (whatever it is, the interpreter's handler runs it). Loads and stores mostly
/// take r8-r11 as their base, which point into the trial's RAM.
fn random_arm(random: &mut Random) -> u32 {
    let r = random.next();
    let cond = if r & 3 == 0 { (r >> 2) % 15 } else { 0xE };
    let x = random.next();
    // Destinations other than the bases, and the PC now and then.
    let rd = if x & 0x3F00 == 0 {
        15
    } else {
        [0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14][(x >> 12) as usize % 11]
    };
    let body = match (r >> 8) % 32 {
        0..=4 => {
            // Data processing, immediate; TST..CMN always with S (without, the miscellaneous
            // space).
            let opcode = (x >> 21) & 0xF;
            let s = (0x8..=0xB).contains(&opcode) || x & 1 << 20 != 0;
            1 << 25 | opcode << 21 | (s as u32) << 20 | x & 0xF_0000 | rd << 12 | x & 0xFFF
        }
        5..=8 => {
            let opcode = (x >> 21) & 0xF;
            let s = (0x8..=0xB).contains(&opcode) || x & 1 << 20 != 0;
            opcode << 21 | (s as u32) << 20 | x & 0xF_0000 | rd << 12 | x & 0xFEF
        }
        9..=20 => {
            // LDR/STR (P U B W L from x), base r8-r11, a 12-bit offset.
            let rn = 8 + (x >> 16) % 4;
            2 << 25 | x & 0x1F0_0000 | rn << 16 | rd << 12 | x & 0xFFF
        }
        21..=24 => {
            // Register offset: a small register r0-r3, by LSL #0 or #2 or LSR #32 (zero) or #2.
            let rn = 8 + (x >> 16) % 4;
            3 << 25 | x & 0x1F0_0000 | rn << 16 | rd << 12 | x & 0x120 | (x & 3)
        }
        25 | 26 => {
            // LDRH, STRH, LDRSB, LDRSH (and LDRD, STRD), immediate or register offset.
            let rn = 8 + (x >> 16) % 4;
            x & 0x1F0_0F0F & !(1 << 3) | rn << 16 | rd << 12 | 0x90 | (1 + x % 3) << 5
        }
        27 => {
            // MUL, MLA.
            x & 0x0030_FF0F | rd << 16 | 0x90
        }
        28 | 29 => {
            // LDM, STM on r8-r11, a few registers among r0-r7, r12, r14 and now and then the PC.
            let rn = 8 + (x >> 16) % 4;
            let list = x & 0x50FF | if x & 0x7000 == 0 { 0x8000 } else { 0 };
            4 << 25 | x & 0x1F0_0000 | rn << 16 | list
        }
        _ => return random.next(),
    };
    cond << 28 | body
}

/// A random Thumb instruction, mostly of the formats compiled natively. Their low-register
/// fields are steered: destinations (bits 2:0, and 10:8 of the immediate forms) to r0-r3, bases
/// (bits 5:3) to r4-r7, which point into the trial's RAM.
fn random_thumb(random: &mut Random) -> u32 {
    let r = random.next();
    let x = random.next() & 0xFFFF;
    let x = if r >> 28 == 0 {
        x
    } else {
        x & !(1 << 2 | 1 << 10) | 1 << 5
    };
    match r % 32 {
        0 => x & 0x17FF,                // LSL, LSR, ASR #imm
        1 => 0x1800 | x & 0x7FF,        // ADD/SUB register or imm3
        2 | 3 => 0x2000 | x & 0x1FFF,   // MOV/CMP/ADD/SUB #imm8
        4 | 5 => 0x4000 | x & 0x3FF,    // data processing, register
        6 => 0x4400 | x & 0x2FF,        // ADD/MOV high registers
        7 => 0x4500 | x & 0xFF,         // CMP high registers
        8 => 0x4800 | x & 0x7FF,        // LDR literal
        9 | 10 => 0x5000 | x & 0xFFF,   // register offset
        11 | 12 => 0x6000 | x & 0x1FFF, // immediate offset
        13 => 0x9000 | x & 0xFFF,       // SP-relative
        14 => 0xA000 | x & 0xFFF,       // ADD Rd, PC/SP
        15..=30 => 0x5000 | x & 0x2FFF, // loads and stores again (offsets and immediates)
        _ => x,
    }
}

/// Random blocks compiled by the x86-64 backend against the interpreter: ARM and Thumb, from
/// random registers and flags, each run four times (the first run's loads and stores fill
/// the TLB through the handlers, the later ones hit it inline). Every register, the CPSR, the
/// counts and all of memory must agree.
#[cfg(target_arch = "x86_64")]
#[test]
fn random_blocks_compiled_run_as_the_interpreter_runs_them() {
    use emu::engine::x64::trial::{Trial, CODE};

    let mut compiled_runs = 0;
    for seed in 1..=600u32 {
        let mut random = Random(seed.wrapping_mul(0x9E37_79B9) | 1);
        let thumb = seed % 2 == 0;
        let len = 1 + random.next() % 40;
        let code = (0..len)
            .map(|_| {
                if thumb {
                    random_thumb(&mut random)
                } else {
                    random_arm(&mut random)
                }
            })
            .collect();
        let mut regs = [0; 15];
        for (n, reg) in regs.iter_mut().enumerate() {
            let value = random.next();
            *reg = match n {
                // Thumb's r4-r7 and ARM's r8-r11 point into RAM; r13 too.
                4..=7 if thumb => CODE + 0x1000 + (value & 0x7_FFFF),
                8..=11 | 13 => CODE + 0x1000 + (value & 0x7_FFFF),
                0..=3 => value & 0xFFF,
                _ => value,
            };
        }
        let trial = Trial {
            thumb,
            code,
            regs,
            flags: random.next() & 0xF000_0000,
            // Small words, so that a loaded value used as an offset stays in RAM.
            data: (0..16)
                .flat_map(|_| (random.next() & 0x0FFF).to_le_bytes())
                .collect(),
        };
        match trial.run(4) {
            Ok(stats) => compiled_runs += stats.compiled_runs,
            Err(difference) => panic!("seed {seed}: {difference}\n{trial:x?}"),
        }
    }
    assert!(compiled_runs > 800, "only {compiled_runs} compiled runs");
}
