//! Building the machine a run asks for: the machine description, the image (a ROM, the
//! built-in demo, a Linux kernel, a saved state), semihosting, and the host's end of the
//! console.

use std::path::{Path, PathBuf};

use super::file_kind::{self, Role};
use super::options::RunOptions;
use super::script::Script;
use super::slots::Origin;
use crate::config::MachineConfig;
use crate::files;
use crate::loader::{self, Image};
use crate::machine::{self, Machine};
use crate::ndless::{self, program::Program, Ndless};
use crate::semihosting::{Config, Semihosting};
use crate::snapshot;
use crate::symbols::Symbols;
use crate::terminal;

/// The demo ROM run when no ROM is given: whatever it draws on the LCD is what a newcomer
/// sees in the window, and what it prints through semihosting goes to stdout.
pub(crate) const DEMO_ROM: &[u8] = include_bytes!("../../../roms/demo/demo.bin");

/// Reads `path`; the error names it.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a file given as `role`, refusing one that belongs elsewhere with a hint.
fn read_as(path: &Path, role: Role) -> Result<Vec<u8>, String> {
    let bytes = read(path)?;
    file_kind::check(path, &bytes, role)?;
    Ok(bytes)
}

/// What a ROM file holds: an image the machine boots, or an Ndless program.
pub enum Guest {
    Image(Image),
    Ndless(Program),
}

/// Reads and parses a ROM (or an Ndless program), or the built-in demo; also gives the name
/// runs call it by.
pub fn load_guest(rom: Option<&Path>) -> Result<(Guest, String), String> {
    match rom {
        Some(path) => parse_guest(path, &read_rom(path)?),
        None => demo_guest(),
    }
}

/// Reads a ROM file (or an Ndless program).
fn read_rom(path: &Path) -> Result<Vec<u8>, String> {
    loader::read_file(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the ROM (or Ndless program) `bytes` read from `path`; also gives the name runs call
/// it by.
fn parse_guest(path: &Path, bytes: &[u8]) -> Result<(Guest, String), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    file_kind::check(path, bytes, Role::Rom)?;
    let name = path.display().to_string();
    if ndless::program::is_program(bytes) {
        let program = ndless::program::parse(bytes).map_err(|e| fail(&e))?;
        return Ok((Guest::Ndless(program), name));
    }
    loader::parse(bytes)
        .map(|image| (Guest::Image(image), name))
        .map_err(|e| fail(&e))
}

/// The built-in demo, and its name.
fn demo_guest() -> Result<(Guest, String), String> {
    loader::parse(DEMO_ROM)
        .map(|image| (Guest::Image(image), "demo".to_string()))
        .map_err(|e| format!("built-in demo: {e}"))
}

/// A machine running an Ndless program from `path`, with these arguments after `argv[0]`,
/// and `/documents` the host directory `documents` (None: a read-only one holding only the
/// program).
pub fn prepare_ndless(
    config: MachineConfig,
    rtc: u32,
    program: &Program,
    path: &Path,
    args: &[String],
    documents: Option<&Path>,
    io: HostIo,
) -> Result<Machine, String> {
    let mut machine = Machine::new(config, rtc);
    // The program sees itself in TI-OS's documents folder, as Ndless starts it.
    let file = path
        .file_name()
        .map_or("program.tns".into(), |n| n.to_string_lossy());
    let argv: Vec<String> = std::iter::once(format!("/documents/{file}"))
        .chain(args.iter().cloned())
        .collect();
    let (_, stdout, stderr) = io.streams();
    let mut service = Ndless::new(stdout, stderr);
    service = match documents {
        Some(dir) => service
            .with_documents(dir)
            .map_err(|e| format!("--documents {e}"))?,
        None => service.with_scratch_documents(path)?,
    };
    machine
        .boot_ndless(program, &argv, service)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    machine.attach_console(io.uart(true));
    Ok(machine)
}

/// The machine description: the built-in CX or a file.
pub fn machine_config(path: Option<&Path>) -> Result<MachineConfig, String> {
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
pub fn rtc_start(given: Option<u32>) -> u32 {
    given.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as u32)
    })
}

/// What a guest reads and writes on the host.
pub enum HostIo {
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

impl HostIo {
    /// The guest's stdin, stdout and stderr (semihosting's, an Ndless program's).
    fn streams(&self) -> Streams {
        match self {
            HostIo::Process => (
                Box::new(std::io::stdin()),
                Box::new(std::io::stdout()),
                Box::new(std::io::stderr()),
            ),
            HostIo::NoInput | HostIo::UartInput => (
                Box::new(std::io::empty()),
                Box::new(std::io::stdout()),
                Box::new(std::io::stderr()),
            ),
            HostIo::Captured(buffer) => (
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
            HostIo::Process => machine::Console {
                input: with_input.then(terminal::uart_input),
                output: Box::new(std::io::stdout()),
            },
            HostIo::UartInput => machine::Console {
                input: Some(terminal::uart_input()),
                output: Box::new(std::io::stdout()),
            },
            HostIo::NoInput => machine::Console {
                input: None,
                output: Box::new(std::io::stdout()),
            },
            HostIo::Captured(buffer) => machine::Console {
                input: None,
                output: Box::new(buffer.clone()),
            },
        }
    }
}

/// The most output a [`SharedBuffer`] keeps: a guest that writes without end (an `emu test` ROM
/// printing in a loop until its instruction limit) cannot grow the host's memory past it.
const CAPTURE_LIMIT: usize = 4 << 20;

/// An output stream that collects what is written, shared with the code that reads it: the first
/// [`CAPTURE_LIMIT`] bytes, and a count of those dropped after them.
#[derive(Clone, Default)]
pub struct SharedBuffer(std::rc::Rc<std::cell::RefCell<Captured>>);

#[derive(Default)]
struct Captured {
    kept: Vec<u8>,
    dropped: u64,
}

impl SharedBuffer {
    /// What was written so far, as text, with a last line saying how much was dropped if any was.
    pub fn text(&self) -> String {
        let captured = self.0.borrow();
        let mut text = String::from_utf8_lossy(&captured.kept).into_owned();
        if captured.dropped > 0 {
            text.push_str(&format!(
                "\n[emu: {} more bytes of output dropped: only the first {CAPTURE_LIMIT} are kept]\n",
                captured.dropped
            ));
        }
        text
    }
}

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut captured = self.0.borrow_mut();
        let room = CAPTURE_LIMIT - captured.kept.len();
        let (kept, dropped) = buf.split_at(room.min(buf.len()));
        captured.kept.extend_from_slice(kept);
        captured.dropped += dropped.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Semihosting settings: the host root and the guest's arguments.
pub struct SemihostingArgs {
    pub root: Option<PathBuf>,
    pub args: Vec<String>,
}

/// A machine with `image` loaded, semihosting if asked (else semihosting calls end the run
/// with a hint), and the console connected.
pub fn prepare(
    config: MachineConfig,
    rtc: u32,
    image: &Image,
    name: &str,
    semihosting: Option<SemihostingArgs>,
    io: HostIo,
) -> Result<Machine, String> {
    let mut machine = Machine::new(config, rtc);
    machine.load(image).map_err(|e| format!("{name}: {e}"))?;
    let with_input = semihosting.is_none();
    match semihosting {
        Some(SemihostingArgs { root, args }) => {
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
            let (stdin, stdout, stderr) = io.streams();
            machine.enable_semihosting(Semihosting::new(config, stdin, stdout, stderr));
        }
        None => machine.trap_semihosting(),
    }
    machine.attach_console(io.uart(with_input));
    Ok(machine)
}

/// A machine booting Linux from `kernel_bytes` (`--kernel`'s), its console on the UART.
fn prepare_linux(
    config: MachineConfig,
    rtc: u32,
    kernel_bytes: &[u8],
    options: &RunOptions,
) -> Result<Machine, String> {
    let Some(dtb) = &options.dtb else {
        return Err("--kernel needs --dtb".to_string());
    };
    let dtb_bytes = read_as(dtb, Role::DeviceTree)?;
    let initrd = options.initrd.as_deref().map(read).transpose()?;
    let mut machine = Machine::new(config, rtc);
    machine
        .boot_linux(
            kernel_bytes,
            &dtb_bytes,
            initrd.as_deref(),
            options.append.as_deref(),
        )
        .map_err(|e| format!("{}: {e}", dtb.display()))?;
    machine.attach_console(HostIo::Process.uart(!options.monitor_owns_stdin()));
    Ok(machine)
}

/// A machine as the options describe it, with its name and the file it starts from.
pub struct Built {
    pub machine: Machine,
    /// The ROM's, the kernel's or the saved state's path, or `demo`.
    pub name: String,
    /// The file the run starts from, as its save-state slots know it.
    pub origin: Origin,
}

/// The machine the options describe. Each file is read once.
pub fn build(options: &RunOptions, config: &MachineConfig) -> Result<Built, String> {
    let config = config.clone();
    let rtc = rtc_start(options.rtc);
    let mut rom_bytes = None;
    let (mut machine, name, origin) = if let Some(kernel) = &options.kernel {
        let kernel_bytes = read_as(kernel, Role::Kernel)?;
        let machine = prepare_linux(config, rtc, &kernel_bytes, options)?;
        let origin = Origin::file(kernel, &kernel_bytes);
        (machine, kernel.display().to_string(), origin)
    } else {
        let ((guest, name), origin) = match options.rom.as_deref() {
            Some(path) => {
                let bytes = read_rom(path)?;
                let guest = parse_guest(path, &bytes)?;
                let origin = Origin::file(path, &bytes);
                rom_bytes = Some(bytes);
                (guest, origin)
            }
            None => (demo_guest()?, Origin::demo()),
        };
        let machine = match guest {
            Guest::Ndless(program) => {
                let io = if options.monitor_owns_stdin() {
                    HostIo::NoInput
                } else {
                    HostIo::Process
                };
                let path = Path::new(&name);
                let documents = options.documents.as_deref();
                let mut machine =
                    prepare_ndless(config, rtc, &program, path, &options.args, documents, io)?;
                if let Some(service) = machine.ndless_mut() {
                    service.set_msgbox_answer(options.msgbox_answer.unwrap_or(1));
                }
                machine
            }
            Guest::Image(image) => {
                // A saved state's machine (first built as the demo's) has semihosting for
                // when its CPU uses it, as the state says.
                let semihosting =
                    (options.semihosting || options.rom.is_none()).then(|| SemihostingArgs {
                        root: options.semihosting_root.clone(),
                        args: options.args.clone(),
                    });
                let io = if options.monitor_owns_stdin() {
                    HostIo::NoInput
                } else if options.uart_has_stdin() && semihosting.is_some() {
                    HostIo::UartInput
                } else {
                    HostIo::Process
                };
                prepare(config, rtc, &image, &name, semihosting, io)?
            }
        };
        (machine, name, origin)
    };
    machine.reboot = !options.no_reboot;
    machine.set_engine(options.engine);
    machine.symbols = symbols(options, rom_bytes.as_deref())?;
    match &options.load_state {
        Some(path) => {
            let bytes = read(path)?;
            file_kind::check(path, &bytes, Role::State)?;
            snapshot::load_from(&mut machine, bytes.as_slice())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            machine.forget_boot();
            Ok(Built {
                machine,
                name: path.display().to_string(),
                origin: Origin::file(path, &bytes),
            })
        }
        None => Ok(Built {
            machine,
            name,
            origin,
        }),
    }
}

/// The names the monitor shows: `--symbols FILE`'s, else an ELF ROM's own (`rom`, the ROM's
/// bytes; a ROM whose symbol table cannot be read runs without names).
fn symbols(options: &RunOptions, rom: Option<&[u8]>) -> Result<Symbols, String> {
    if let Some(path) = &options.symbols {
        return Symbols::load(path).map_err(|e| format!("--symbols {e}"));
    }
    let (Some(path), Some(bytes)) = (options.rom.as_deref(), rom) else {
        return Ok(Symbols::default());
    };
    if !bytes.starts_with(b"\x7fELF") {
        return Ok(Symbols::default());
    }
    Ok(
        Symbols::from_elf(bytes, &path.display().to_string()).unwrap_or_else(|e| {
            log::warn!("{}: no symbols: {e}", path.display());
            Symbols::default()
        }),
    )
}

/// Reads a `--keys` script; the error names the file and the line.
pub fn read_script(path: &Path) -> Result<Script, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Script::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Everything `emu run` reads before it starts: the key script, the machine description, the
/// machine built from them and its name. Also refuses, before the run, an output file that
/// could not be written at its end and a semihosting root that is not a directory.
pub fn prepare_run(options: &RunOptions) -> Result<(Script, MachineConfig, Built), String> {
    let script = options.keys.as_deref().map(read_script).transpose()?;
    if let Some(path) = &options.screenshot {
        let png = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if !png {
            return Err(format!(
                "--screenshot {}: screenshots are PNG files: give a name ending in .png",
                path.display()
            ));
        }
    }
    if let Some(path) = &options.record {
        let gif = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gif"));
        if !gif {
            return Err(format!(
                "--record {}: recordings are animated GIFs: give a name ending in .gif",
                path.display()
            ));
        }
    }
    for path in [
        &options.screenshot,
        &options.record,
        &options.record_keys,
        &options.save_state,
    ]
    .into_iter()
    .flatten()
    {
        files::check_destination(path)?;
    }
    if let Some(root) = &options.semihosting_root {
        if !root.is_dir() {
            return Err(format!(
                "--semihosting-root {}: not a directory",
                root.display()
            ));
        }
    }
    let config = machine_config(options.machine.as_deref())?;
    let built = build(options, &config)?;
    Ok((script.unwrap_or_default(), config, built))
}
