//! `emu run`: builds the machine the options describe, runs it under the front end they ask
//! for (the window, headless, the monitor's script, a GDB client), then does what is asked at
//! the end (statistics, a saved state, the keys, a screenshot) however the run ended, and
//! turns how it ended into the exit status.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use super::gdb_window::GdbWindow;
use super::headless::Headless;
use super::options::RunOptions;
use super::pace::{self, Speed};
use super::record::Recorder;
use super::rewind::{self, Rewind};
use super::script::Script;
use super::session::{blank_frame, Session, Stop};
use super::settings::{Loaded, Settings};
use super::slots::Slots;
use super::{screenshot, setup, window, xdg};
use crate::config::MachineConfig;
use crate::files;
use crate::gdb::{GdbServer, Pump};
use crate::machine::{Exit, Machine};
use crate::monitor::Monitor;
use crate::profile::{self, symbols::Symbols, Profiler};
use crate::snapshot;
use crate::terminal;

/// Exit status of a run that ended well: the guest exited with success, the frames ran,
/// the person quit (the window closed, Ctrl-A x, the monitor's `quit`), the guest reset the
/// machine under `--no-reboot`.
pub const EXIT_OK: u8 = 0;
/// Exit status for bad input (unreadable or invalid files, a file in the wrong place) and for
/// a semihosting call in a run without `--semihosting` that the guest cannot handle itself.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit status when an Ndless program makes an OS call the emulator cannot answer.
pub const EXIT_OS_CALL: u8 = 3;
/// Exit status when `--max-insns` ends a run (as timeout(1) uses).
pub const EXIT_INSN_LIMIT: u8 = 124;
/// Exit status when the guest stopped for good (see [`crate::machine::Halt`]).
pub const EXIT_HALTED: u8 = 125;
/// `--engine check` found the engines differ.
pub const EXIT_DIVERGED: u8 = 126;
/// Exit status when Ctrl-C ended a run (128 + SIGINT, as a shell reports it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit statuses, for `--help` (lines short enough not to be wrapped again).
pub const EXIT_STATUSES: &str = "\
Exit status:
  0    the guest exited with 0, the --frames ran out, you quit (window
       closed, F12, Ctrl-A x, the monitor's quit), or the guest reset
       the machine under --no-reboot
  N    the guest's own status through semihosting
  2    bad input: a file it cannot use or in the wrong place, a bad
       value, or a semihosting call without --semihosting that the
       guest has no handler for
  3    an Ndless program made an OS call emu does not answer
  124  --max-insns ended the run
  125  the guest stopped for good: a wait for an interrupt nothing
       enabled can raise, a branch to itself with interrupts masked
       (Linux halt, poweroff), or code where nothing was loaded
  126  --engine check: the engines differed (the line says where)
  130  Ctrl-C ended a run by --frames or --keys, or a window whose
       input is not a terminal";

/// Prints one line on stderr and gives `status`.
pub fn fail(message: &str, status: u8) -> ExitCode {
    eprintln!("emu: {message}");
    ExitCode::from(status)
}

/// How a front end left the machine.
struct Ran {
    stop: Option<Stop>,
    machine: Machine,
    /// The keys the run applied: only runs by frames (the window, headless) have any.
    keys: Script,
    /// The recording going on at the end (`--record`, Ctrl+F3), to finish.
    recorder: Option<Recorder>,
    /// The rewind ring, for `--stats`.
    rewind: Option<Rewind>,
}

/// Runs `emu run` with these options; the terminal is as it was afterwards.
pub fn run(options: RunOptions) -> ExitCode {
    let status = run_options(&options);
    terminal::restore();
    status
}

fn run_options(options: &RunOptions) -> ExitCode {
    let (script, config, built) = match setup::prepare_run(options) {
        Ok(prepared) => prepared,
        Err(message) => return fail(&message, EXIT_BAD_INPUT),
    };
    let setup::Built {
        mut machine,
        name,
        origin,
    } = built;
    let settings = Loaded::from_config_dir();
    if let Some(problem) = &settings.problem {
        eprintln!("emu: {problem}");
    }
    let mut slots = slots_root(&settings.settings).map(|root| Slots::in_folder(&root, &origin));
    if options.load_last_state {
        if let Err(message) = load_last_state(&mut slots, &mut machine) {
            return fail(&message, EXIT_BAD_INPUT);
        }
    }
    if let Err(message) = start_profile(options, &mut machine) {
        return fail(&message, EXIT_BAD_INPUT);
    }
    let start = Instant::now();
    let ran = match run_front_end(options, &config, machine, script, &name, slots, settings) {
        Ok(ran) => ran,
        Err(message) => return fail(&message, EXIT_BAD_INPUT),
    };
    let Ran {
        stop,
        machine,
        keys,
        recorder,
        rewind,
    } = ran;
    if options.stats {
        let seconds = start.elapsed().as_secs_f64();
        let insns = machine.cpu.instructions();
        eprintln!(
            "emu: {insns} instructions in {seconds:.3} s: {:.1} MIPS",
            insns as f64 / seconds / 1e6
        );
        if let Some(rewind) = &rewind {
            eprintln!("emu: {}", rewind.summary());
        }
        if let Some(blocks) = machine.block_stats() {
            eprintln!(
                "emu: blocks: {} decoded, {} runs by the op runner; {} compiled, {} compiled \
                 runs, code cache emptied {} times",
                blocks.decoded,
                blocks.op_runs,
                blocks.compiled,
                blocks.compiled_runs,
                blocks.flushes
            );
            eprintln!(
                "emu: blocks: {} op runs of compiled blocks that did not fit, {} instructions \
                 left to the interpreter, {} returns to the run loop",
                blocks.unfit, blocks.steps, blocks.returns
            );
            let exits: Vec<String> = blocks
                .exits
                .iter()
                .filter(|(_, count)| *count != 0)
                .map(|(name, count)| format!("{name} {count}"))
                .collect();
            if !exits.is_empty() {
                eprintln!(
                    "emu: compiled code left for the run loop: {}",
                    exits.join(", ")
                );
            }
        }
    }
    if let Some(Err(message)) = recorder.map(Recorder::finish) {
        return fail(&message, EXIT_BAD_INPUT);
    }
    if let Err(message) = write_outputs(options, &machine, &keys) {
        return fail(&message, EXIT_BAD_INPUT);
    }
    status(stop, &machine, &name)
}

/// Runs the machine under the front end the options ask for.
fn run_front_end(
    options: &RunOptions,
    config: &MachineConfig,
    mut machine: Machine,
    script: Script,
    name: &str,
    slots: Result<Slots, String>,
    settings: Loaded,
) -> Result<Ran, String> {
    let rewind = options.rewind || settings.settings.rewind;
    // A machine built again as the options say, for a reset (the monitor's, F2).
    let mut make = || setup::build(options, config).map(|built| built.machine);
    if let Some(address) = &options.gdb {
        let mut window = match options.window {
            true => Some(GdbWindow::open(
                &machine,
                &window_name(name),
                window_scale(options, &settings),
                settings.settings.keypad.unwrap_or(true),
                settings.keys,
            )?),
            false => None,
        };
        if let Some(window) = &window {
            // Ctrl-C stops the machine for gdb, as gdb's own Ctrl-C does, instead of ending
            // emu (headless, nothing else ends it: Ctrl-C still does).
            let interrupt = window.interrupt_flag();
            let _ = ctrlc::set_handler(move || interrupt.store(true, Ordering::Relaxed));
        }
        let pump = window.as_mut().map(|w| w as &mut (dyn Pump + 'static));
        let (exit, machine) = serve_gdb(machine, address, pump)?;
        return Ok(Ran {
            // None: the window ended the run.
            stop: exit.map(Stop::Machine),
            machine,
            keys: Script::default(),
            recorder: None,
            rewind: None,
        });
    }
    if let Some(path) = &options.script {
        let mut monitor =
            configure_monitor(Monitor::new().with_reset(make), options, &mut machine)?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        monitor
            .run_script(&mut machine, &text, &mut std::io::stdout())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(Ran {
            stop: monitor.exit().map(Stop::Machine),
            machine,
            keys: Script::default(),
            recorder: None,
            rewind: None,
        });
    }
    terminal::end_on_termination();
    if options.headless || (options.monitor && !options.window) {
        // Frames or keys make a run a bounded, reproducible one: Ctrl-C ends it.
        let bounded = options.frames.is_some() || options.keys.is_some();
        let mut monitor = Monitor::new().returning_on_continue();
        if !bounded {
            monitor = monitor.with_reset(make);
        }
        let mut monitor = configure_monitor(monitor, options, &mut machine)?;
        let interrupt = monitor.interrupt_flag();
        let handler_flag = Arc::clone(&interrupt);
        // Only one handler per process; a second run in the same process keeps the first.
        let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::Relaxed));
        let headless = Headless {
            frames: options.frames,
            paced: options.paced_headless(),
            interrupt_enters_monitor: !bounded,
            start_in_monitor: options.monitor,
        };
        let mut session = Session::new(machine, script, options.max_insns);
        session.recorder = options.record.as_deref().map(Recorder::start).transpose()?;
        session.rewind = rewind.then(new_rewind);
        let stop = headless.run(&mut session, &mut monitor, &interrupt);
        return Ok(Ran {
            stop: Some(stop),
            keys: session.applied_keys().clone(),
            machine: session.machine,
            recorder: session.recorder,
            rewind: session.rewind,
        });
    }
    let window_options = window::Options {
        name: window_name(name),
        scale: window_scale(options, &settings),
        turbo: options.turbo,
        frames: options.frames,
        limit: options.max_insns,
        script,
        record: options.record.clone(),
        rewind,
        slots,
        keys: settings.keys,
        keypad: settings.settings.keypad.unwrap_or(true),
        speeds: pace::presets(
            &settings
                .settings
                .speeds
                .iter()
                .flatten()
                .map(|&p| Speed::from_percent(p))
                .collect::<Vec<_>>(),
        ),
        monitor: options.monitor,
    };
    // F5 opens the monitor on the terminal; `continue` there returns to the window. Its
    // `reset` is F2's job, so it has no machine factory of its own.
    let mut monitor = configure_monitor(
        Monitor::new().returning_on_continue(),
        options,
        &mut machine,
    )?;
    // Ctrl-C stops the monitor's commands, and in the window opens the monitor.
    let interrupt = monitor.interrupt_flag();
    let _ = ctrlc::set_handler(move || interrupt.store(true, Ordering::Relaxed));
    let outcome = window::run(machine, &mut make, &mut monitor, window_options)?;
    Ok(Ran {
        stop: outcome.stop,
        machine: outcome.machine,
        keys: outcome.keys,
        recorder: outcome.recorder,
        rewind: outcome.rewind,
    })
}

/// The ROM's name as the window's title shows it: its file's name.
fn window_name(name: &str) -> String {
    Path::new(name)
        .file_name()
        .map_or(name.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The window's starting scale: `--scale`, the settings', or 2.
fn window_scale(options: &RunOptions, settings: &Loaded) -> usize {
    usize::from(options.scale.or(settings.settings.scale).unwrap_or(2))
}

/// A rewind ring of the default size: 30 seconds.
pub fn new_rewind() -> Rewind {
    Rewind::new(rewind::DEFAULT_FRAMES, rewind::DEFAULT_BYTES)
}

/// The folder holding every ROM's save-state slots: the settings', or the user's data folder's.
fn slots_root(settings: &Settings) -> Result<std::path::PathBuf, String> {
    if let Some(folder) = &settings.slots {
        return Ok(folder.clone());
    }
    xdg::data_dir()
        .map(|dir| dir.join("states"))
        .map_err(|e| format!("no folder for the save-state slots: {e}"))
}

/// `--load-last-state`: loads the state saved last in `slots` into `machine`, and chooses its
/// slot; with none saved, says so and leaves the machine at power-on.
fn load_last_state(slots: &mut Result<Slots, String>, machine: &mut Machine) -> Result<(), String> {
    let slots = slots
        .as_mut()
        .map_err(|e| format!("--load-last-state: {e}"))?;
    match slots.latest() {
        Some(slot) => {
            slots.chosen = slot;
            snapshot::load(machine, &slots.state_path(slot))
        }
        None => {
            eprintln!(
                "emu: no saved state in {}: starting from power-on",
                slots.dir().display()
            );
            Ok(())
        }
    }
}

/// `monitor` with the options' `--break-on` conditions, reading its lines through the stdin
/// thread when the UART has the terminal.
fn configure_monitor<'a>(
    mut monitor: Monitor<'a>,
    options: &RunOptions,
    machine: &mut Machine,
) -> Result<Monitor<'a>, String> {
    monitor = monitor.with_instruction_limit(options.max_insns);
    if options.uart_has_stdin() {
        monitor = monitor.reading_lines_with(terminal::monitor_line);
    }
    if let Some(rom) = &options.rom {
        monitor = monitor.with_symbols_file(rom);
    }
    if let Some(conditions) = &options.break_on {
        monitor
            .set_break_on(machine, conditions)
            .map_err(|e| format!("--break-on: {e}"))?;
    }
    if options.reverse {
        monitor.record_from_start(machine)?;
    }
    Ok(monitor)
}

/// Serves GDB clients on `address` (`PORT` or `ADDR:PORT`) until the machine exits or a client
/// kills it, or the window (`pump`) ends the run (`None`).
fn serve_gdb(
    mut machine: Machine,
    address: &str,
    pump: Option<&mut (dyn Pump + 'static)>,
) -> Result<(Option<Exit>, Machine), String> {
    let address = if address.contains(':') {
        address.to_string()
    } else {
        format!("127.0.0.1:{address}")
    };
    let mut server = GdbServer::bind(&address).map_err(|e| format!("--gdb {address}: {e}"))?;
    let local = server
        .local_addr()
        .map_err(|e| format!("--gdb {address}: {e}"))?;
    eprintln!("emu: waiting for gdb on {local}");
    let exit = server.serve_pumping(&mut machine, pump);
    Ok((exit, machine))
}

/// With `--profile FILE`: checks that FILE can be written, and puts a profiler naming
/// functions by the ROM's symbols (if it is an ELF that has them) on the machine.
fn start_profile(options: &RunOptions, machine: &mut Machine) -> Result<(), String> {
    let Some(path) = &options.profile else {
        return Ok(());
    };
    files::check_destination(path)?;
    let symbols = match &options.rom {
        Some(rom) => crate::monitor::symbols_of(rom)?,
        None => Symbols::default(),
    };
    machine.profiler = Some(Box::new(Profiler::new(symbols)));
    Ok(())
}

/// Writes what the options ask for at the end of a run: the saved state, the keys, the
/// screenshot, the profile.
fn write_outputs(options: &RunOptions, machine: &Machine, keys: &Script) -> Result<(), String> {
    if let (Some(path), Some(profiler)) = (&options.profile, &machine.profiler) {
        let object = options
            .rom
            .as_deref()
            .and_then(Path::file_name)
            .map_or("guest".to_string(), |n| n.to_string_lossy().into_owned());
        profile::report::save(&profiler.snapshot(), path, &object)?;
    }
    if let Some(path) = &options.save_state {
        snapshot::save(machine, path)?;
    }
    if let Some(path) = &options.record_keys {
        let text = format!(
            "# keys recorded by emu (--record-keys); replay with the same ROM and RTC:\n\
             # emu run --rtc {} --keys {} ...\n{}",
            machine.rtc_start(),
            path.display(),
            keys.to_text()
        );
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &options.screenshot {
        let mut frame = blank_frame();
        machine.board.render_lcd(&mut frame);
        screenshot::save_png(&frame, path)?;
    }
    Ok(())
}

/// The exit status for how the run ended, with one line on stderr saying why when it did not
/// end as asked.
fn status(stop: Option<Stop>, machine: &Machine, name: &str) -> ExitCode {
    let exit = match stop {
        None | Some(Stop::Frames | Stop::Quit) => return ExitCode::from(EXIT_OK),
        Some(Stop::Interrupted) => return fail("interrupted (Ctrl-C)", EXIT_INTERRUPTED),
        Some(Stop::Machine(exit)) => exit,
    };
    match exit {
        Exit::Guest(status) => ExitCode::from(status as u8),
        Exit::InstructionLimit => fail(
            &format!(
                "{name}: stopped after {} instructions (--max-insns) at pc {:#010x}",
                machine.cpu.instructions(),
                machine.cpu.pc()
            ),
            EXIT_INSN_LIMIT,
        ),
        Exit::Halted(halt) => fail(&format!("{name}: {}", halt.reason()), EXIT_HALTED),
        Exit::Reset => fail(&format!("{name}: {}", exit.reason()), EXIT_OK),
        Exit::NoSemihosting { .. } => fail(&format!("{name}: {}", exit.reason()), EXIT_BAD_INPUT),
        Exit::OsCall { .. } => fail(&format!("{name}: {}", exit.reason()), EXIT_OS_CALL),
        Exit::Diverged(_) => fail(&format!("{name}: {}", exit.reason()), EXIT_DIVERGED),
    }
}
