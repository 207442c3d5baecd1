//! The device ROMs of `roms/tests/devices` (see `roms/README.md`): self-checking guest programs
//! for the TI-Nspire CX's devices (timers and the VIC, the RTC, the UART, the LCD controller,
//! the keypad, the watchdog, the power/misc/GPIO blocks). Each prints what it checks through
//! semihosting and exits 0 only when every check passed. This runs every one of them under the
//! built `emu` binary, as `emu run --headless --semihosting --rtc 1767225600 ROM`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The RTC start the ROMs expect (2026-01-01 00:00:00 UTC, the value `emu test` uses).
const RTC: &str = "1767225600";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every device ROM, sorted.
fn device_roms() -> Vec<PathBuf> {
    let dir = root().join("roms/tests/devices");
    let mut roms: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "elf"))
        .collect();
    roms.sort();
    roms
}

/// What a run printed (stdout then stderr) and its exit status.
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(rom: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_emu"))
        .args(["run", "--headless", "--semihosting", "--rtc", RTC])
        .args(["--max-insns", "500000000"])
        .arg(rom)
        .current_dir(root())
        .stdin(Stdio::null())
        .env_remove("RUST_LOG")
        .output()
        .expect("emu starts");
    Run {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn name(rom: &Path) -> String {
    rom.file_stem().unwrap().to_string_lossy().into_owned()
}

fn report(name: &str, why: &str, run: &Run) -> String {
    format!(
        "{name}: {why} (exit status {:?})\n--- output of {name} ---\n{}{}--- end of {name} ---",
        run.status, run.stdout, run.stderr
    )
}

/// Checks one ROM's run; `Err` holds a report with the ROM's output.
fn check(rom: &Path, run: &Run) -> Result<(), String> {
    let name = name(rom);
    if run.status != Some(0) {
        return Err(report(&name, "failed", run));
    }
    if run.stdout.contains("FAIL") || !run.stdout.contains(&format!("{name}: all ")) {
        return Err(report(&name, "exited 0 without its summary line", run));
    }
    Ok(())
}

#[test]
fn every_device_rom_passes_on_emu() {
    let roms = device_roms();
    let expected = [
        "keypad",
        "lcd",
        "rtc",
        "system",
        "timer_vic",
        "uart",
        "watchdog",
    ];
    let names: Vec<String> = roms.iter().map(|r| name(r)).collect();
    for want in expected {
        assert!(
            names.iter().any(|n| n == want),
            "roms/tests/devices/{want}.elf is missing (found {names:?})"
        );
    }
    let failures: Vec<String> = roms
        .iter()
        .filter_map(|rom| check(rom, &run(rom)).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} device ROMs failed:\n\n{}",
        failures.len(),
        roms.len(),
        failures.join("\n\n")
    );
}

/// The UART ROM's transmitter reaches the console (stdout); its loopback traffic does not.
#[test]
fn uart_rom_transmits_to_the_console_and_loopback_stays_inside() {
    let rom = root().join("roms/tests/devices/uart.elf");
    let run = run(&rom);
    check(&rom, &run).unwrap_or_else(|e| panic!("{e}"));
    for line in [
        "[UART] polled transmission through the PL011\n",
        "[UART] interrupt-driven transmission, one byte per interrupt\n",
        "[UART] back on the console after loopback\n",
    ] {
        assert!(
            run.stdout.contains(line),
            "{}",
            report("uart", &format!("{line:?} missing from stdout"), &run)
        );
    }
    assert!(
        !run.stdout.contains("LOOPBACK"),
        "{}",
        report("uart", "loopback bytes reached the console", &run)
    );
}

/// Same ROM, same output: the ROMs print measured times, which must not vary between runs.
#[test]
fn device_roms_are_deterministic() {
    for rom in device_roms() {
        let (a, b) = (run(&rom), run(&rom));
        assert_eq!(
            (a.status, &a.stdout),
            (b.status, &b.stdout),
            "{}: two runs differ",
            name(&rom)
        );
    }
}
