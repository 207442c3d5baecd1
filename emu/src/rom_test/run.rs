//! One ROM's run, headless and bounded, and its verdict against what its manifest expects.
//!
//! The guest's files (semihosting's root, an Ndless program's `/documents`) are an empty
//! temporary folder of its own, removed after the run; an Ndless program finds its own file
//! there, as on a calculator, and a manifest's `documents` folder is copied in first. The run
//! goes frame by frame (the key script applies as frames start) until the guest stops, the
//! frames asked for have run, or a limit is reached.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::manifest::Expect;
use super::{picture, Limits};
use crate::config::MachineConfig;
use crate::engine::EngineKind;
use crate::frontend::screenshot::save_png;
use crate::frontend::session::{blank_frame, Frame, Session};
use crate::frontend::setup::{self, Guest, HostIo, SemihostingArgs, SharedBuffer};
use crate::machine::{DebugStop, Exit, Machine};

/// One ROM to run.
pub struct Case {
    pub rom: PathBuf,
    pub expect: Expect,
    /// Its place in the sorted list of every ROM found (names its temporary folder).
    pub index: usize,
}

/// What every run shares.
pub struct Settings {
    pub limits: Limits,
    /// Rewrite the expected pictures and outputs from the runs instead of comparing.
    pub update: bool,
    /// Where a failing picture's actual and difference images go.
    pub out: PathBuf,
    pub engine: EngineKind,
}

/// How a ROM's run went.
pub struct Outcome {
    pub rom: PathBuf,
    /// Why it failed, one line each; empty if it passed.
    pub failures: Vec<String>,
    /// The expectation files `--update` rewrote.
    pub updated: Vec<PathBuf>,
    pub instructions: u64,
    /// The host's time the run took.
    pub seconds: f64,
    /// What the guest printed (console, semihosting, stdout and stderr).
    pub output: String,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Why it failed, in one line.
    pub fn reason(&self) -> Option<String> {
        (!self.failures.is_empty()).then(|| self.failures.join("; "))
    }
}

/// How the run ended.
enum End {
    Machine(Exit),
    /// The frames asked for ran.
    Frames,
    /// The host's time ran out.
    OutOfTime,
}

/// Runs `case` and judges it. A panic of the emulator (a bug: no guest or file may cause
/// one) fails this ROM, and the other ROMs still run.
pub fn run(case: &Case, settings: &Settings) -> Outcome {
    std::panic::catch_unwind(AssertUnwindSafe(|| judge(case, settings))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Outcome {
            rom: case.rom.clone(),
            failures: vec![format!("emu panicked: {message}")],
            updated: Vec::new(),
            instructions: 0,
            seconds: 0.0,
            output: String::new(),
        }
    })
}

/// Runs `case` and judges it.
fn judge(case: &Case, settings: &Settings) -> Outcome {
    let started = Instant::now();
    let output = SharedBuffer::default();
    let files =
        std::env::temp_dir().join(format!("emu-test-{}-{}", std::process::id(), case.index));
    let played = std::fs::create_dir_all(&files)
        .map_err(|e| format!("{}: {e}", files.display()))
        .and_then(|()| play(case, settings, &files, &output));
    // Nothing more can be done if the folder cannot be removed.
    let _ = std::fs::remove_dir_all(&files);
    let mut outcome = Outcome {
        rom: case.rom.clone(),
        failures: Vec::new(),
        updated: Vec::new(),
        instructions: 0,
        seconds: 0.0,
        output: output.text(),
    };
    match played {
        Err(message) => outcome.failures.push(message),
        Ok((end, instructions, frame)) => {
            outcome.instructions = instructions;
            let ended_as_expected = check_end(&end, &case.expect, &settings.limits, &mut outcome);
            let update = settings.update && ended_as_expected;
            check_output(&case.expect, update, &mut outcome);
            if let Some(golden) = &case.expect.screenshot {
                check_picture(&frame, golden, settings, update, &mut outcome);
            }
        }
    }
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome
}

/// Builds the machine and runs it: how it ended, the instructions it ran, its last picture.
fn play(
    case: &Case,
    settings: &Settings,
    files: &Path,
    output: &SharedBuffer,
) -> Result<(End, u64, Box<Frame>), String> {
    if let Some(documents) = &case.expect.documents {
        copy_folder(documents, files)?;
    }
    let limits = &settings.limits;
    let mut machine = build(case, files, output)?;
    machine.set_engine(settings.engine);
    let mut session = Session::new(machine, case.expect.keys.clone(), Some(limits.instructions));
    let started = Instant::now();
    let end = loop {
        if case.expect.frames.is_some_and(|n| session.frames() >= n) {
            break End::Frames;
        }
        if started.elapsed() >= limits.time {
            break End::OutOfTime;
        }
        // Only a debugger sets what else could stop a frame.
        if let Some(DebugStop::Exit(exit)) = session.run_frame() {
            break End::Machine(exit);
        }
    };
    let mut frame = blank_frame();
    if case.expect.screenshot.is_some() {
        session.render(&mut frame);
    }
    Ok((end, session.machine.cpu.instructions(), frame))
}

/// The machine for `case`: a ROM with semihosting rooted in `files`, or an Ndless program with
/// `files` as its `/documents`, holding its own file.
fn build(case: &Case, files: &Path, output: &SharedBuffer) -> Result<Machine, String> {
    let io = HostIo::Captured(output.clone());
    let expect = &case.expect;
    match setup::load_guest(Some(&case.rom))? {
        (Guest::Image(image), name) => setup::prepare(
            MachineConfig::nspire_cx(),
            expect.rtc,
            &image,
            &name,
            Some(SemihostingArgs {
                root: Some(files.to_path_buf()),
                args: expect.args.clone(),
            }),
            io,
        ),
        (Guest::Ndless(program), _) => {
            // argv[0] names the program's file in /documents: programs open it, or run it again
            // with nl_exec.
            if let Some(name) = case.rom.file_name() {
                std::fs::copy(&case.rom, files.join(name))
                    .map_err(|e| format!("{}: {e}", case.rom.display()))?;
            }
            setup::prepare_ndless(
                MachineConfig::nspire_cx(),
                expect.rtc,
                &program,
                &case.rom,
                &expect.args,
                Some(files),
                io,
            )
        }
    }
}

/// Copies the regular files and folders under `from` into `to` (symbolic links and other
/// kinds are left out, as the guest's file services would refuse them).
fn copy_folder(from: &Path, to: &Path) -> Result<(), String> {
    let fail = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    for entry in std::fs::read_dir(from).map_err(|e| fail(from, e))? {
        let entry = entry.map_err(|e| fail(from, e))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| fail(&source, e))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| fail(&target, e))?;
            copy_folder(&source, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source, &target).map_err(|e| fail(&source, e))?;
        }
    }
    Ok(())
}

/// Checks how the run ended; true if as expected.
fn check_end(end: &End, expect: &Expect, limits: &Limits, outcome: &mut Outcome) -> bool {
    let wanted = if expect.status == 0 {
        String::new()
    } else {
        format!(", expected status {}", expect.status)
    };
    let problem = match end {
        End::Frames if expect.status == 0 => return true,
        End::Machine(Exit::Guest(status)) if *status == expect.status => return true,
        End::Frames => format!(
            "the {} frames ran out (status 0){wanted}",
            expect.frames.unwrap_or(0)
        ),
        End::Machine(Exit::InstructionLimit) => format!(
            "no exit after {} instructions (--max-insns){wanted}",
            limits.instructions
        ),
        End::OutOfTime => format!(
            "no exit after {} s (--timeout){wanted}",
            limits.time.as_secs_f64()
        ),
        End::Machine(exit) => format!("{}{wanted}", exit.reason()),
    };
    outcome.failures.push(problem);
    false
}

/// Checks the output against the expected file and lines (or rewrites the file).
fn check_output(expect: &Expect, update: bool, outcome: &mut Outcome) {
    for line in &expect.contains {
        if !outcome.output.contains(line.as_str()) {
            outcome
                .failures
                .push(format!("the output lacks `{}`", line.escape_debug()));
        }
    }
    let Some(path) = &expect.output else {
        return;
    };
    let expected = std::fs::read_to_string(path);
    if update {
        if expected.as_deref().ok() != Some(outcome.output.as_str()) {
            match crate::files::write_whole(path, |temp| std::fs::write(temp, &outcome.output)) {
                Ok(()) => outcome.updated.push(path.clone()),
                Err(e) => outcome.failures.push(e),
            }
        }
        return;
    }
    match expected {
        Err(e) => outcome.failures.push(format!(
            "{}: {e} (--update writes it from the run)",
            path.display()
        )),
        Ok(expected) if expected != outcome.output => {
            let (mut actual_lines, mut expected_lines) = (outcome.output.lines(), expected.lines());
            let mut line = 1;
            let (got, want) = loop {
                match (actual_lines.next(), expected_lines.next()) {
                    (Some(a), Some(e)) if a == e => line += 1,
                    (a, e) => break (a, e),
                }
            };
            let show = |text: Option<&str>| {
                text.map_or("the end".to_string(), |t| format!("`{}`", t.escape_debug()))
            };
            outcome.failures.push(format!(
                "the output differs from {} at line {line}: {}, expected {}",
                path.display(),
                show(got),
                show(want)
            ));
        }
        Ok(_) => {}
    }
}

/// Checks the last picture against the golden one (or rewrites it); a failure leaves the
/// actual picture and the difference image in the output folder and says where.
fn check_picture(
    frame: &Frame,
    golden: &Path,
    settings: &Settings,
    update: bool,
    outcome: &mut Outcome,
) {
    let expected = picture::read_golden(golden);
    if update {
        let same = expected
            .as_ref()
            .is_ok_and(|e| picture::compare(frame, e).is_none());
        if !same {
            match save_png(frame, golden) {
                Ok(()) => outcome.updated.push(golden.to_path_buf()),
                Err(e) => outcome.failures.push(e),
            }
        }
        return;
    }
    let stem = out_name(&outcome.rom);
    let actual_path = settings.out.join(format!("{stem}.actual.png"));
    let problem = match expected {
        Err(e) => format!("{e} (--update writes it from the run)"),
        Ok(expected) => match picture::compare(frame, &expected) {
            None => return,
            Some(difference) => {
                let diff_path = settings.out.join(format!("{stem}.diff.png"));
                let image = picture::difference_image(frame, &expected);
                if let Err(e) = save_png(&image, &diff_path) {
                    outcome.failures.push(e);
                }
                format!(
                    "the picture differs from {}: {difference}; difference in {}",
                    golden.display(),
                    diff_path.display()
                )
            }
        },
    };
    match save_png(frame, &actual_path) {
        Ok(()) => outcome.failures.push(format!(
            "{problem}; actual picture in {}",
            actual_path.display()
        )),
        Err(e) => outcome.failures.extend([problem, e]),
    }
}

/// A file name made of a ROM's path, for the pictures it leaves: `roms/a/b.bin` gives
/// `roms_a_b.bin`.
fn out_name(rom: &Path) -> String {
    let name = rom.display().to_string().replace(['/', '\\'], "_");
    name.trim_start_matches(['.', '_']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_names_flatten_the_path() {
        assert_eq!(out_name(Path::new("roms/a/b.bin")), "roms_a_b.bin");
        assert_eq!(out_name(Path::new("../x/c.tns")), "x_c.tns");
    }
}
