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
