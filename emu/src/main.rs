//! `emu`: the command line of the TI-Nspire CX emulator.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use std::io::Read;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Mutex, Once};

use clap::{Args, Parser, Subcommand};
use emu::config::MachineConfig;
use emu::files;
use emu::frontend::script::Script;
use emu::frontend::session::{blank_frame, Session, Stop};
use emu::frontend::{keymap, screenshot, window};
use emu::gdb::GdbServer;
use emu::loader::{self, Image};
use emu::machine::DebugStop;
use emu::machine::{self, Exit, Machine};
use emu::monitor::{Leave, Monitor};
use emu::semihosting::{Config, Semihosting};
use emu::snapshot;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The demo ROM run when no ROM is given: whatever it draws on the LCD is what a newcomer
/// sees in the window, and what it prints through semihosting goes to stdout.
const DEMO_ROM: &[u8] = include_bytes!("../../roms/demo/demo.bin");

/// Exit status when `--max-insns` ends a run (as timeout(1) uses).
const EXIT_INSN_LIMIT: u8 = 124;
/// Exit status when the CPU waits for an interrupt nothing can raise.
const EXIT_HALTED: u8 = 125;
/// Exit status for bad input: unreadable or invalid files.
const EXIT_BAD_INPUT: u8 = 2;
/// The RTC's count for `emu test` runs, so they are reproducible: 2026-01-01 00:00:00 UTC.
const TEST_RTC: u32 = 1_767_225_600;

/// An emulator of the TI-Nspire CX: an ARM926EJ-S handheld.
///
/// With no command it runs the built-in demo ROM in a window (`emu run`).
#[derive(Parser)]
#[command(name = "emu", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a ROM (a raw boot ROM image or an ARM ELF executable), or the demo if none is given,
    /// in a window (or headless with --headless).
    Run(Box<RunArgs>),
    /// Print which host keys press which keys of the CX, and the emulator's own keys.
    Keys,
    /// Run every ROM under the given paths headless, with semihosting, and report pass/fail.
    Test(TestArgs),
    /// Replay single-instruction test cases (JSON lines, optionally gzipped) and compare.
    Difftest {
        /// Case files (`.jsonl` or `.jsonl.gz`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Args, Default)]
struct RunArgs {
    /// Run without a window: the picture is only seen through --screenshot.
    #[arg(long)]
    headless: bool,
    /// Window pixels per LCD pixel, each way, 1 to 8 [default: 2].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8),
          conflicts_with = "headless")]
    scale: Option<u8>,
    /// Run as fast as the host can instead of at the real machine's speed (F4 toggles it).
    #[arg(long, conflicts_with = "headless")]
    turbo: bool,
    /// Stop after N frames of the machine's time (a frame is 1/60 s: cpu_hz/60 cycles), with
    /// exit status 0 unless the machine stopped first.
    #[arg(long, value_name = "N")]
    frames: Option<u64>,
    /// Press and release keys as a script says: lines `FRAME press KEY` or `FRAME release KEY`
    /// (KEY as `emu keys` names them; # starts a comment).
    #[arg(long, value_name = "SCRIPT")]
    keys: Option<PathBuf>,
    /// At exit, write every key pressed and released (in the window, and by --keys) as a key
    /// script that replays the run with --keys (since the last reset, F2, or the monitor's
    /// `load`).
    #[arg(long, value_name = "SCRIPT")]
    record_keys: Option<PathBuf>,
    /// At exit, write the LCD's last picture to this PNG file (320x240, one pixel per LCD
    /// pixel, whatever --scale says).
    #[arg(long, value_name = "FILE.png")]
    screenshot: Option<PathBuf>,
    /// Enable ARM semihosting (SVC 0x123456, SVC 0xAB in Thumb, BKPT 0xAB). Always on for the demo.
    /// Without it, the host's stdin goes to the UART.
    #[arg(long)]
    semihosting: bool,
    /// Host directory the guest may open files in through semihosting (default: none, only
    /// the console).
    #[arg(long, value_name = "DIR")]
    semihosting_root: Option<PathBuf>,
    /// Stop after this many instructions (exit status 124).
    #[arg(long, value_name = "N")]
    max_insns: Option<u64>,
    /// Print instructions executed, seconds and MIPS to stderr at exit.
    #[arg(long)]
    stats: bool,
    /// Wait for a GDB client on [ADDR:]PORT (127.0.0.1 unless ADDR is given), stopped at the
    /// first instruction until it resumes the machine. Runs headless.
    #[arg(long, value_name = "[ADDR:]PORT", conflicts_with_all = ["scale", "turbo", "frames", "keys"])]
    gdb: Option<String>,
    /// Start in the monitor, stopped at the first instruction (runs headless; `help` lists
    /// the commands).
    #[arg(long, conflicts_with_all = ["gdb", "script", "scale", "turbo", "frames", "keys"])]
    monitor: bool,
    /// Run monitor commands from FILE, one a line, printing their output (runs headless).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["gdb", "scale", "turbo", "frames", "keys"])]
    script: Option<PathBuf>,
    /// Stop in the monitor when one of these happens (comma-separated): undef, swi, pabort,
    /// dabort, irq, fiq, unclaimed (an access nothing answers), all. In the window, and in
    /// headless runs without --frames or --keys.
    #[arg(long, value_name = "CONDS", conflicts_with_all = ["gdb", "scale", "turbo"])]
    break_on: Option<String>,
    /// A machine description in RON instead of the built-in TI-Nspire CX.
    #[arg(long, value_name = "FILE.ron")]
    machine: Option<PathBuf>,
    /// The real-time clock's count at power-on, in seconds since 1970 (default: the host's
    /// time), for reproducible runs.
    #[arg(long, value_name = "SECONDS")]
    rtc: Option<u32>,
    /// Start from a state saved by --save-state (or the monitor's `save`) instead of
    /// a ROM: the run goes on where it was saved.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["rom", "kernel"])]
    load_state: Option<PathBuf>,
    /// At exit, save the machine's state to this file (--load-state takes the run up again).
    #[arg(long, value_name = "FILE")]
    save_state: Option<PathBuf>,
    /// Boot a Linux zImage (with --dtb) instead of a ROM.
    #[arg(long, value_name = "FILE", conflicts_with = "rom", requires = "dtb")]
    kernel: Option<PathBuf>,
    /// The device tree blob for --kernel.
    #[arg(long, value_name = "FILE", requires = "kernel")]
    dtb: Option<PathBuf>,
    /// An initial ramdisk for --kernel.
    #[arg(long, value_name = "FILE", requires = "kernel")]
    initrd: Option<PathBuf>,
    /// The kernel command line, replacing the device tree's /chosen bootargs.
    #[arg(long, value_name = "ARGS", requires = "kernel")]
    append: Option<String>,
    /// The ROM: a raw binary (mapped at 0x00000000) or an ELF32 ARM executable.
    rom: Option<PathBuf>,
    /// Arguments for the guest (semihosting SYS_GET_CMDLINE), after `--`.
    #[arg(last = true)]
    args: Vec<String>,
}

#[derive(Args)]
struct TestArgs {
    /// ROM files, or directories searched for `*.elf` and `*.bin` (skipping `*.qemu.elf`, which
    /// are built for QEMU's memory map).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Instruction limit per ROM; a ROM that reaches it fails.
    #[arg(long, value_name = "N", default_value_t = 2_000_000_000)]
    max_insns: u64,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match cli.command {
        None => run(RunArgs::default()),
        Some(Command::Run(args)) => run(*args),
        Some(Command::Keys) => {
            print!("{}", keymap::describe());
            ExitCode::SUCCESS
        }
        Some(Command::Test(args)) => test(args),
        Some(Command::Difftest { files }) => difftest(&files),
    }
}

/// Reads and parses a ROM, or the built-in demo.
fn load_image(rom: Option<&Path>) -> Result<(Image, String), String> {
    match rom {
        Some(path) => loader::load_file(path)
            .map(|image| (image, path.display().to_string()))
            .map_err(|e| format!("{}: {e}", path.display())),
        None => loader::parse(DEMO_ROM)
            .map(|image| (image, "demo".to_string()))
            .map_err(|e| format!("built-in demo: {e}")),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The machine description: the built-in CX or a file.
fn machine_config(path: Option<&Path>) -> Result<MachineConfig, String> {
    match path {
        None => Ok(MachineConfig::nspire_cx()),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            MachineConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

/// The RTC's starting count: given, or the host's time.
fn rtc_start(given: Option<u32>) -> u32 {
    given.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as u32)
    })
}

/// What a guest reads and writes on the host.
enum Console {
    /// The emulator's own stdin, stdout and stderr.
    Process,
    /// stdout and stderr, but no stdin: the monitor reads the terminal.
    NoInput,
    /// stdout and stderr, and stdin for the UART only, even with semihosting on (a saved
    /// state's run).
    UartInput,
    /// No input; output collected in a buffer (for `emu test`).
    Captured(SharedBuffer),
}

type Streams = (
    Box<dyn std::io::Read>,
    Box<dyn std::io::Write>,
    Box<dyn std::io::Write>,
);

impl Console {
    fn semihosting_streams(&self) -> Streams {
        match self {
            Console::Process => (
                Box::new(std::io::stdin()),
                Box::new(std::io::stdout()),
                Box::new(std::io::stderr()),
            ),
            Console::NoInput | Console::UartInput => (
                Box::new(std::io::empty()),
                Box::new(std::io::stdout()),
                Box::new(std::io::stderr()),
            ),
            Console::Captured(buffer) => (
                Box::new(std::io::empty()),
                Box::new(buffer.clone()),
                Box::new(buffer.clone()),
            ),
        }
    }

    /// The UART's connection: its output to stdout (or the buffer), and stdin to its receiver
    /// unless semihosting has stdin.
    fn uart(&self, with_input: bool) -> machine::Console {
        match self {
            Console::Process => machine::Console {
                input: with_input.then(stdin_reader),
                output: Box::new(std::io::stdout()),
            },
            Console::UartInput => machine::Console {
                input: Some(stdin_reader()),
                output: Box::new(std::io::stdout()),
            },
            Console::NoInput => machine::Console {
                input: None,
                output: Box::new(std::io::stdout()),
            },
            Console::Captured(buffer) => machine::Console {
                input: None,
                output: Box::new(buffer.clone()),
            },
        }
    }
}

/// Where the stdin thread hands what it reads: the monitor while it waits for a line, else
/// the latest machine's UART (a reset in the window builds a new machine); nobody once stdin
/// has ended.
enum StdinSink {
    Open {
        uart: Option<Sender<Vec<u8>>>,
        monitor: Option<Sender<Vec<u8>>>,
    },
    Ended,
}

static STDIN_SINK: Mutex<StdinSink> = Mutex::new(StdinSink::Open {
    uart: None,
    monitor: None,
});
/// What the stdin thread read past the end of the monitor's last line.
static MONITOR_PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static STDIN_THREAD: Once = Once::new();

fn stdin_sink() -> std::sync::MutexGuard<'static, StdinSink> {
    STDIN_SINK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The host's stdin, read on one thread and handed over in chunks as it comes to the latest
/// receiver made here. A receiver made after stdin ended is disconnected at once.
fn stdin_reader() -> Receiver<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    if let StdinSink::Open { uart, .. } = &mut *stdin_sink() {
        *uart = Some(sender);
    }
    STDIN_THREAD.call_once(|| {
        std::thread::spawn(|| {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdin.read(&mut buf) {
                if let StdinSink::Open { uart, monitor } = &*stdin_sink() {
                    // A receiver dropped with its machine loses nothing that matters.
                    if let Some(sender) = monitor.as_ref().or(uart.as_ref()) {
                        let _ = sender.send(buf[..n].to_vec());
                    }
                }
            }
            *stdin_sink() = StdinSink::Ended;
        });
    });
    receiver
}

/// The monitor's line reader when the UART has stdin: only one reader may own the terminal,
/// so the monitor takes its lines from the stdin thread, which hands them to the monitor
/// instead of the UART while it waits for one (the terminal's own line editing applies).
fn monitor_line(prompt: &str) -> Option<String> {
    let mut pending = MONITOR_PENDING.lock().unwrap_or_else(|e| e.into_inner());
    let (sender, receiver) = std::sync::mpsc::channel();
    match &mut *stdin_sink() {
        StdinSink::Open { monitor, .. } => *monitor = Some(sender),
        // Past the end of input only what is pending is left.
        StdinSink::Ended => drop(sender),
    }
    // The prompt once the input is the monitor's: what is typed after it is a command.
    print!("{prompt}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    // Ends when the line is complete, or when stdin ends (the thread drops the sender).
    let newline = loop {
        if let Some(at) = pending.iter().position(|&b| b == b'\n') {
            break Some(at);
        }
        match receiver.recv() {
            Ok(chunk) => pending.extend(chunk),
            Err(_) => break None,
        }
    };
    if let StdinSink::Open { monitor, .. } = &mut *stdin_sink() {
        *monitor = None;
    }
    let line: Vec<u8> = match newline {
        Some(at) => pending.drain(..=at).collect(),
        None if pending.is_empty() => return None,
        None => std::mem::take(&mut *pending),
    };
    Some(
        String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string(),
    )
}

/// An output stream that collects what is written, shared with the code that reads it.
#[derive(Clone, Default)]
struct SharedBuffer(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Semihosting settings: the host root and the guest's arguments.
struct SemihostingArgs {
    root: Option<PathBuf>,
    args: Vec<String>,
}

/// A machine with `image` loaded, semihosting if asked, and the console connected.
fn prepare(
    config: MachineConfig,
    rtc: u32,
    image: &Image,
    name: &str,
    semihosting: Option<SemihostingArgs>,
    console: Console,
) -> Result<Machine, String> {
    let mut machine = Machine::new(config, rtc);
    machine.load(image).map_err(|e| format!("{name}: {e}"))?;
    let with_input = semihosting.is_none();
    if let Some(SemihostingArgs { root, args }) = semihosting {
        let cmdline = std::iter::once(name.to_string())
            .chain(args)
            .collect::<Vec<_>>()
            .join(" ");
        let config = Config {
            root,
            cmdline,
            heap: machine.heap_info(image),
            time_base: None,
        };
        let (stdin, stdout, stderr) = console.semihosting_streams();
        machine.enable_semihosting(Semihosting::new(config, stdin, stdout, stderr));
    }
    machine.attach_console(console.uart(with_input));
    Ok(machine)
}

/// A machine booting Linux, its console on the UART.
fn prepare_linux(config: MachineConfig, rtc: u32, args: &RunArgs) -> Result<Machine, String> {
    let (Some(kernel), Some(dtb)) = (&args.kernel, &args.dtb) else {
        return Err("--kernel needs --dtb".to_string());
    };
    let kernel = read(kernel)?;
    let dtb_bytes = read(dtb)?;
    let initrd = args.initrd.as_deref().map(read).transpose()?;
    let mut machine = Machine::new(config, rtc);
    machine
        .boot_linux(
            &kernel,
            &dtb_bytes,
            initrd.as_deref(),
            args.append.as_deref(),
        )
        .map_err(|e| format!("{}: {e}", dtb.display()))?;
    machine.attach_console(Console::Process.uart(!monitor_owns_stdin(args)));
    Ok(machine)
}

/// Whether the monitor reads the terminal from the start, so the UART must not.
fn monitor_owns_stdin(args: &RunArgs) -> bool {
    args.monitor || args.script.is_some()
}

/// Whether the UART reads the terminal: neither semihosting (always on for the demo) nor the
/// monitor has it.
fn uart_has_stdin(args: &RunArgs) -> bool {
    !monitor_owns_stdin(args) && !semihosting_owns_stdin(args)
}

/// Whether semihosting reads the terminal: when it is on (always for the demo), except in a
/// saved state's run without `--semihosting`, whose guest may be anything (Linux, say).
fn semihosting_owns_stdin(args: &RunArgs) -> bool {
    match args.load_state {
        Some(_) => args.semihosting,
        None => args.semihosting || (args.rom.is_none() && args.kernel.is_none()),
    }
}

/// A machine as the options describe it, and its name (the ROM's, or the kernel's).
fn build(args: &RunArgs, config: &MachineConfig) -> Result<(Machine, String), String> {
    let config = config.clone();
    let rtc = rtc_start(args.rtc);
    if let Some(kernel) = &args.kernel {
        return prepare_linux(config, rtc, args).map(|m| (m, kernel.display().to_string()));
    }
    let (image, name) = load_image(args.rom.as_deref())?;
    // A saved state's machine (first built as the demo's) has semihosting for when its CPU
    // uses it, as the state says.
    let semihosting = (args.semihosting || args.rom.is_none()).then(|| SemihostingArgs {
        root: args.semihosting_root.clone(),
        args: args.args.clone(),
    });
    let console = if monitor_owns_stdin(args) {
        Console::NoInput
    } else if uart_has_stdin(args) && semihosting.is_some() {
        Console::UartInput
    } else {
        Console::Process
    };
    let mut machine = prepare(config, rtc, &image, &name, semihosting, console)?;
    match &args.load_state {
        Some(path) => {
            snapshot::load(&mut machine, path)?;
            Ok((machine, path.display().to_string()))
        }
        None => Ok((machine, name)),
    }
}

/// Reads a `--keys` script; the error names the file and the line.
fn read_script(path: &Path) -> Result<Script, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Script::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Everything `emu run` reads before it starts: the key script, the machine description, the
/// machine built from them and its name. Also refuses a screenshot that could not be written
/// and a semihosting root that is not a directory.
fn prepare_run(args: &RunArgs) -> Result<(Script, MachineConfig, Machine, String), String> {
    let script = args.keys.as_deref().map(read_script).transpose()?;
    for path in [&args.screenshot, &args.record_keys, &args.save_state]
        .into_iter()
        .flatten()
    {
        files::check_destination(path)?;
    }
    if let Some(root) = &args.semihosting_root {
        if !root.is_dir() {
            return Err(format!(
                "--semihosting-root {}: not a directory",
                root.display()
            ));
        }
    }
    let config = machine_config(args.machine.as_deref())?;
    let (machine, name) = build(args, &config)?;
    Ok((script.unwrap_or_default(), config, machine, name))
}

fn run(args: RunArgs) -> ExitCode {
    let (script, config, machine, name) = match prepare_run(&args) {
        Ok(prepared) => prepared,
        Err(message) => return fail(&message, EXIT_BAD_INPUT),
    };
    let start = Instant::now();
    // The keys the run applied: only runs by frames (the window, --frames, --keys) have any.
    let mut keys = Script::default();
    let (stop, machine) = if let Some(address) = &args.gdb {
        match serve_gdb(machine, address) {
            Ok((exit, machine)) => (Some(Stop::Machine(exit)), machine),
            Err(message) => return fail(&message, EXIT_BAD_INPUT),
        }
    } else if args.monitor
        || args.script.is_some()
        || (args.headless && args.frames.is_none() && args.keys.is_none())
    {
        match run_monitored(&args, &config, machine) {
            Ok(outcome) => outcome,
            Err(message) => return fail(&message, EXIT_BAD_INPUT),
        }
    } else if args.headless {
        let mut machine = machine;
        let mut monitor = match front_end_monitor(&args, &mut machine) {
            Ok(monitor) => monitor,
            Err(message) => return fail(&message, EXIT_BAD_INPUT),
        };
        let mut session = Session::new(machine, script, args.max_insns);
        let stop = session.run_headless(args.frames, &mut monitor);
        keys = session.applied_keys().clone();
        (Some(stop), session.machine)
    } else {
        let options = window::Options {
            name: Path::new(&name)
                .file_name()
                .map_or(name.clone(), |n| n.to_string_lossy().into_owned()),
            scale: usize::from(args.scale.unwrap_or(2)),
            turbo: args.turbo,
            frames: args.frames,
            limit: args.max_insns,
            script,
        };
        let mut make = || build(&args, &config).map(|(machine, _)| machine);
        // F5 opens the monitor on the terminal; `continue` there returns to the window. Its
        // `reset` is F2's job, so it has no machine factory of its own.
        let mut machine = machine;
        let mut monitor = match front_end_monitor(&args, &mut machine) {
            Ok(monitor) => monitor,
            Err(message) => return fail(&message, EXIT_BAD_INPUT),
        };
        match window::run(machine, &mut make, &mut monitor, options) {
            Ok(outcome) => {
                keys = outcome.keys;
                (outcome.stop, outcome.machine)
            }
            Err(message) => return fail(&message, EXIT_BAD_INPUT),
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    if args.stats {
        let insns = machine.cpu.instructions();
        eprintln!(
            "emu: {insns} instructions in {seconds:.3} s: {:.1} MIPS",
            insns as f64 / seconds / 1e6
        );
    }
    if let Some(path) = &args.save_state {
        if let Err(message) = snapshot::save(&machine, path) {
            return fail(&message, EXIT_BAD_INPUT);
        }
    }
    if let Some(path) = &args.record_keys {
        let text = format!(
            "# keys recorded by emu (--record-keys); replay with the same ROM and RTC:\n\
             # emu run --rtc {} --keys {} ...\n{}",
            machine.rtc_start(),
            path.display(),
            keys.to_text()
        );
        if let Err(e) = std::fs::write(path, text) {
            return fail(&format!("{}: {e}", path.display()), EXIT_BAD_INPUT);
        }
    }
    if let Some(path) = &args.screenshot {
        let mut frame = blank_frame();
        machine.board.render_lcd(&mut frame);
        if let Err(message) = screenshot::save_png(&frame, path) {
            return fail(&message, EXIT_BAD_INPUT);
        }
    }
    match stop {
        None | Some(Stop::Frames | Stop::Quit) => ExitCode::SUCCESS,
        Some(Stop::Machine(Exit::Guest(status))) => ExitCode::from(status as u8),
        Some(Stop::Machine(Exit::InstructionLimit)) => fail(
            &format!(
                "{name}: stopped after {} instructions (--max-insns) at pc {:#010x}",
                machine.cpu.instructions(),
                machine.cpu.pc()
            ),
            EXIT_INSN_LIMIT,
        ),
        Some(Stop::Machine(Exit::Halted)) => fail(
            &format!(
                "{name}: the CPU waits for an interrupt at pc {:#010x} and nothing can raise one",
                machine.cpu.pc()
            ),
            EXIT_HALTED,
        ),
    }
}

/// How a headless run under the monitor's watch ended up out of the CPU.
enum Halt {
    /// The run is over.
    Finished(Exit),
    /// A breakpoint, watchpoint or `--break-on` condition.
    Debug(DebugStop),
    /// Ctrl-C.
    Interrupted,
}

/// Instructions run between looks at the Ctrl-C flag.
const INTERRUPT_SLICE: u64 = 1 << 20;

/// Runs until the machine stops: the run is over, a debugger condition, or Ctrl-C.
fn run_until_halt(machine: &mut Machine, limit: Option<u64>, interrupt: &AtomicBool) -> Halt {
    loop {
        let slice_end = machine.cpu.instructions() + INTERRUPT_SLICE;
        let end = limit.map_or(slice_end, |limit| limit.min(slice_end));
        match machine.run_debug(Some(end)) {
            DebugStop::Exit(Exit::InstructionLimit)
                if limit.is_some_and(|limit| machine.cpu.instructions() >= limit) =>
            {
                return Halt::Finished(Exit::InstructionLimit)
            }
            DebugStop::Exit(Exit::InstructionLimit) => {
                if interrupt.swap(false, Ordering::Relaxed) {
                    return Halt::Interrupted;
                }
            }
            DebugStop::Exit(exit) => return Halt::Finished(exit),
            stop => return Halt::Debug(stop),
        }
    }
}

/// The monitor of a front end that runs the machine itself (the window, a headless run by
/// frames): `continue` hands the run back.
fn front_end_monitor(args: &RunArgs, machine: &mut Machine) -> Result<Monitor<'static>, String> {
    configure_monitor(Monitor::new().returning_on_continue(), args, machine)
}

/// `monitor` with the options' `--break-on` conditions, reading its lines through the stdin
/// thread when the UART has the terminal.
fn configure_monitor<'a>(
    mut monitor: Monitor<'a>,
    args: &RunArgs,
    machine: &mut Machine,
) -> Result<Monitor<'a>, String> {
    if uart_has_stdin(args) {
        monitor = monitor.reading_lines_with(monitor_line);
    }
    if let Some(conditions) = &args.break_on {
        monitor
            .set_break_on(machine, conditions)
            .map_err(|e| format!("--break-on: {e}"))?;
    }
    Ok(monitor)
}

/// A headless run the monitor watches: `--script` runs its commands; `--monitor` starts at its
/// prompt; otherwise the machine runs, and Ctrl-C or a `--break-on` condition enters the
/// monitor, whose `continue` runs on. Quitting the monitor ends the run (status 0 unless the
/// guest had exited).
fn run_monitored(
    args: &RunArgs,
    config: &MachineConfig,
    mut machine: Machine,
) -> Result<(Option<Stop>, Machine), String> {
    let finished = |exit: Option<Exit>, machine| Ok((exit.map(Stop::Machine), machine));
    let monitor = Monitor::new().with_reset(|| build(args, config).map(|(machine, _)| machine));
    // A script's `continue` runs in place; at the prompt it hands the run back to this loop,
    // which watches --max-insns and Ctrl-C.
    let monitor = if args.script.is_some() {
        monitor
    } else {
        monitor.returning_on_continue()
    };
    let mut monitor = configure_monitor(monitor, args, &mut machine)?;
    if let Some(path) = &args.script {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        monitor
            .run_script(&mut machine, &text, &mut std::io::stdout())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return finished(monitor.exit(), machine);
    }
    let interrupt = monitor.interrupt_flag();
    let handler_flag = Arc::clone(&interrupt);
    // Only one handler per process; a second run in the same process keeps the first.
    let _ = ctrlc::set_handler(move || handler_flag.store(true, Ordering::Relaxed));
    if args.monitor {
        if let Leave::Quit = monitor.run_interactive(&mut machine) {
            return finished(monitor.exit(), machine);
        }
    }
    // When the UART has the terminal (a Linux console, say), Ctrl-C is the guest's, as on a
    // serial line: it arrives as the byte 0x03.
    let uart_has_stdin = uart_has_stdin(args);
    loop {
        match run_until_halt(&mut machine, args.max_insns, &interrupt) {
            Halt::Finished(exit) => return finished(Some(exit), machine),
            Halt::Debug(stop) => print!("{}", monitor.stopped(&machine, stop)),
            Halt::Interrupted if uart_has_stdin => {
                let now = machine.cpu.cycles();
                machine.board.push_uart_input(&[0x03], now);
                continue;
            }
            Halt::Interrupted => println!("interrupted"),
        }
        if let Leave::Quit = monitor.run_interactive(&mut machine) {
            return finished(monitor.exit(), machine);
        }
    }
}

/// Serves GDB clients on `address` (`PORT` or `ADDR:PORT`) until the machine exits or a client
/// kills it.
fn serve_gdb(mut machine: Machine, address: &str) -> Result<(Exit, Machine), String> {
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
    let exit = server.serve(&mut machine);
    Ok((exit, machine))
}

fn fail(message: &str, status: u8) -> ExitCode {
    eprintln!("emu: {message}");
    ExitCode::from(status)
}

/// The ROM files under `paths`, sorted, directories searched recursively.
fn find_roms(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
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
                let is_rom = (name.ends_with(".elf") && !name.ends_with(".qemu.elf"))
                    || name.ends_with(".bin");
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
    Ok(found)
}

fn test(args: TestArgs) -> ExitCode {
    let roms = match find_roms(&args.paths) {
        Ok(roms) => roms,
        Err(message) => return fail(&message, EXIT_BAD_INPUT),
    };
    let (mut passed, mut failed) = (0, 0);
    for (index, rom) in roms.iter().enumerate() {
        let output = SharedBuffer::default();
        // Each ROM gets an empty directory of its own for semihosting file I/O, removed after.
        let files = std::env::temp_dir().join(format!("emu-test-{}-{index}", std::process::id()));
        if let Err(e) = std::fs::create_dir_all(&files) {
            return fail(&format!("{}: {e}", files.display()), EXIT_BAD_INPUT);
        }
        let verdict = load_image(Some(rom))
            .and_then(|(image, name)| {
                prepare(
                    MachineConfig::nspire_cx(),
                    TEST_RTC,
                    &image,
                    &name,
                    Some(SemihostingArgs {
                        root: Some(files.clone()),
                        args: Vec::new(),
                    }),
                    Console::Captured(output.clone()),
                )
            })
            .map(|mut machine| {
                (
                    machine.run(Some(args.max_insns)),
                    machine.cpu.instructions(),
                )
            });
        let _ = std::fs::remove_dir_all(&files);
        let problem = match verdict {
            Ok((Exit::Guest(0), insns)) => {
                println!("PASS {} ({insns} instructions)", rom.display());
                passed += 1;
                continue;
            }
            Ok((Exit::Guest(status), _)) => format!("exit status {status}"),
            Ok((Exit::InstructionLimit, _)) => {
                format!("no exit after {} instructions", args.max_insns)
            }
            Ok((Exit::Halted, _)) => "waits for an interrupt nothing can raise".to_string(),
            Err(message) => message,
        };
        failed += 1;
        println!("FAIL {}: {problem}", rom.display());
        let text = String::from_utf8_lossy(&output.0.borrow()).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        for line in &lines[lines.len().saturating_sub(10)..] {
            println!("    | {line}");
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn difftest(files: &[PathBuf]) -> ExitCode {
    let mut out = std::io::stdout();
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        match emu::difftest::replay_file(file, &mut out) {
            Ok(summary) => {
                passed += summary.passed;
                failed += summary.failed;
            }
            Err(message) => return fail(&format!("{}: {message}", file.display()), EXIT_BAD_INPUT),
        }
    }
    // Each file ends with its own summary line; several files get a total.
    if files.len() > 1 {
        println!("{passed} passed, {failed} failed");
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
