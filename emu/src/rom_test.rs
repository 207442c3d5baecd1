//! `emu test`: runs every ROM under the given paths headless, with semihosting (an Ndless
//! program's `/documents`) rooted in an empty directory of its own and the RTC at a fixed
//! time, and reports PASS or FAIL (with the reason and the last lines of output) for each,
//! then `N passed, N failed`.
//!
//! A ROM passes when it exits through semihosting with status 0. It fails when it exits
//! otherwise, stops for good, or does not finish within its instruction limit or its time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::MachineConfig;
use crate::engine::EngineKind;
use crate::frontend::setup::{self, Guest, HostIo, SemihostingArgs, SharedBuffer};
use crate::machine::{DebugStop, Exit};

/// The RTC's count for `emu test` runs, so they are reproducible: 2026-01-01 00:00:00 UTC.
pub const TEST_RTC: u32 = 1_767_225_600;

/// Cycles run between looks at the clock: a few milliseconds of the host's time.
const SLICE_CYCLES: u64 = 1 << 20;

/// How each ROM is bounded.
pub struct Limits {
    /// Instructions.
    pub instructions: u64,
    /// The host's time.
    pub time: Duration,
}

/// How one ROM ended.
enum Verdict {
    /// The machine stopped, after this many instructions.
    Finished(Exit, u64),
    OutOfTime,
}

/// The ROM files under `paths`, sorted, directories searched recursively for `*.elf`, `*.bin`
/// and Ndless programs `*.tns` (skipping `*.qemu.elf`, built for QEMU's memory map, and the ELF
/// a `.tns` was packed from).
pub fn find_roms(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(path: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            let entries =
                std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut children: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            children.sort();
            for child in children {
                let name = child.file_name().unwrap_or_default().to_string_lossy();
                // An ELF beside a .tns of its name is that program's link, not a ROM.
                let packed = child.with_extension("tns").exists();
                let is_rom = (name.ends_with(".elf") && !name.ends_with(".qemu.elf") && !packed)
                    || name.ends_with(".bin")
                    || name.ends_with(".tns");
                if child.is_dir() || is_rom {
                    walk(&child, found)?;
                }
            }
        } else {
            found.push(path.to_path_buf());
        }
        Ok(())
    }
    let mut found = Vec::new();
    for path in paths {
        walk(path, &mut found)?;
    }
    if found.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!("no ROMs (*.elf, *.bin) under {}", names.join(", ")));
    }
    Ok(found)
}

/// Runs one ROM; its output goes to `output`.
fn run_rom(
    rom: &Path,
    files: &Path,
    output: &SharedBuffer,
    limits: &Limits,
    engine: EngineKind,
) -> Result<Verdict, String> {
    let io = HostIo::Captured(output.clone());
    let mut machine = match setup::load_guest(Some(rom))? {
        (Guest::Image(image), name) => setup::prepare(
            MachineConfig::nspire_cx(),
            TEST_RTC,
            &image,
            &name,
            Some(SemihostingArgs {
                root: Some(files.to_path_buf()),
                args: Vec::new(),
            }),
            io,
        )?,
        (Guest::Ndless(program), _) => setup::prepare_ndless(
            MachineConfig::nspire_cx(),
            TEST_RTC,
            &program,
            rom,
            &[],
            Some(files),
            io,
        )?,
    };
    machine.set_engine(engine);
    let started = Instant::now();
    loop {
        let left = limits
            .instructions
            .saturating_sub(machine.cpu.instructions());
        if left == 0 {
            return Ok(Verdict::Finished(
                Exit::InstructionLimit,
                limits.instructions,
            ));
        }
        if started.elapsed() >= limits.time {
            return Ok(Verdict::OutOfTime);
        }
        // An instruction takes at least a cycle, so this slice cannot pass the limit.
        match machine.run_cycles(SLICE_CYCLES.min(left)) {
            None => {}
            Some(DebugStop::Exit(exit)) => {
                return Ok(Verdict::Finished(exit, machine.cpu.instructions()))
            }
            // Only a debugger sets what else could stop the run.
            Some(_) => {}
        }
    }
}

/// Runs every ROM under `paths` with `engine`; true if all passed.
pub fn run(paths: &[PathBuf], limits: &Limits, engine: EngineKind) -> Result<bool, String> {
    let roms = find_roms(paths)?;
    let (mut passed, mut failed) = (0, 0);
    for (index, rom) in roms.iter().enumerate() {
        let output = SharedBuffer::default();
        // Each ROM gets an empty directory of its own for semihosting file I/O, removed after.
        let files = std::env::temp_dir().join(format!("emu-test-{}-{index}", std::process::id()));
        std::fs::create_dir_all(&files).map_err(|e| format!("{}: {e}", files.display()))?;
        let verdict = run_rom(rom, &files, &output, limits, engine);
        let _ = std::fs::remove_dir_all(&files);
        let problem = match verdict {
            Ok(Verdict::Finished(Exit::Guest(0), insns)) => {
                println!("PASS {} ({insns} instructions)", rom.display());
                passed += 1;
                continue;
            }
            Ok(Verdict::Finished(Exit::InstructionLimit, _)) => format!(
                "no exit after {} instructions (--max-insns)",
                limits.instructions
            ),
            Ok(Verdict::OutOfTime) => {
                format!("no exit after {} s (--timeout)", limits.time.as_secs_f64())
            }
            Ok(Verdict::Finished(exit, _)) => exit.reason(),
            Err(message) => message,
        };
        failed += 1;
        println!("FAIL {}: {problem}", rom.display());
        let text = output.text();
        let lines: Vec<&str> = text.lines().collect();
        for line in &lines[lines.len().saturating_sub(10)..] {
            println!("    | {line}");
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}
