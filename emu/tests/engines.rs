//! The execution engines (`--engine`) against the interpreter, their reference: `check` runs
//! the translation-block engine and the interpreter in lockstep and ends the run with status 126
//! at the first difference, so each test here fails on any divergence. It runs every ROM under
//! `roms/tests`, the benchmark in ARM and Thumb with the MMU on, and Linux to its shell prompt.
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

/// The benchmark's output and instruction count (from `--stats`) under `engine`.
fn bench(rom: &str, engine: &str) -> (String, u64) {
    let out = emu(&[
        "run",
        "--headless",
        "--semihosting",
        "--stats",
        "--engine",
        engine,
        rom,
        "--",
        "--mmu",
        "3",
    ]);
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
        let (output, count) = bench(rom, "interp");
        assert!(output.contains("bench: checksum 0x"), "{rom}: {output}");
        for engine in ["jit", "check"] {
            assert_eq!(
                bench(rom, engine),
                (output.clone(), count),
                "{rom} under {engine}"
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
            match engine.run(&mut cpu, &mut board, 97) {
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
