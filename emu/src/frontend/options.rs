//! What `emu run` is asked to do: its options as the command line gives them, and what follows
//! from them (who reads the terminal, whether the run is paced to real time).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::engine::EngineKind;

/// The options of `emu run` (and of plain `emu`, which runs the demo in a window).
#[derive(Args, Default, Clone)]
pub struct RunOptions {
    /// Run without a window: the picture is only seen through --screenshot.
    #[arg(long)]
    pub headless: bool,
    /// Window pixels per LCD pixel, each way, 1 to 8 [default: 2].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8),
          conflicts_with = "headless")]
    pub scale: Option<u8>,
    /// Run as fast as the host can instead of at the real machine's speed (F4 toggles it in
    /// the window). Headless runs are paced only when interactive (see --help's last part).
    #[arg(long)]
    pub turbo: bool,
    /// Stop after N frames of the machine's time (a frame is 1/60 s: cpu_hz/60 cycles), with
    /// exit status 0 unless the machine stopped first.
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = count)]
    pub frames: Option<u64>,
    /// Press and release keys as a script says: lines `FRAME press KEY` or `FRAME release KEY`
    /// (KEY as `emu keys` names them, or the touchpad's `up`, `down`, `left`, `right`, `click`),
    /// and for the touchpad `FRAME touch X Y`, `FRAME push X Y`, `FRAME untouch` (X 0-2328 from
    /// the left, Y 0-1691 from the bottom); # starts a comment.
    #[arg(long, value_name = "SCRIPT")]
    pub keys: Option<PathBuf>,
    /// At exit, write every key pressed and released and every touch of the touchpad (in the
    /// window, and by --keys) as a key script that replays the run with --keys (since the last
    /// reset, F2, or the monitor's `load`).
    #[arg(long, value_name = "SCRIPT")]
    pub record_keys: Option<PathBuf>,
    /// At exit, write the LCD's last picture to this PNG file (320x240, one pixel per LCD
    /// pixel, whatever --scale says).
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Record the LCD to this animated GIF, a frame for each frame of the machine's time,
    /// from the start to the end of the run (in the window, Ctrl+F3 stops it and starts
    /// another).
    #[arg(long, value_name = "FILE.gif")]
    pub record: Option<PathBuf>,
    /// Keep the last 30 seconds of frames to go back through (in the window, Ctrl+Backspace
    /// held runs time backwards); with --stats, what the ring holds and costs is printed.
    #[arg(long)]
    pub rewind: bool,
    /// Start from the state saved last in this ROM's save-state slots (Ctrl+F1 in the window),
    /// if it has any.
    #[arg(long, conflicts_with = "load_state")]
    pub load_last_state: bool,
    /// Enable ARM semihosting (SVC 0x123456, SVC 0xAB in Thumb, BKPT 0xAB). Always on for the
    /// demo. Without it, the host's stdin goes to the UART, and a ROM's first semihosting call
    /// is reported in one line and goes to the guest's own SVC handler (a guest with none ends
    /// the run, status 2).
    #[arg(long)]
    pub semihosting: bool,
    /// Host directory the guest may open files in through semihosting (default: none, only
    /// the console).
    #[arg(long, value_name = "DIR")]
    pub semihosting_root: Option<PathBuf>,
    /// The host directory an Ndless program sees as /documents, to read and change (names
    /// cannot leave it, by .. or symbolic links). Default: a /documents holding only the
    /// program itself and refusing writes, so a program sees and changes nothing of the host
    /// unless given one.
    #[arg(long, value_name = "DIR")]
    pub documents: Option<PathBuf>,
    /// Stop after this many instructions (exit status 124).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = count)]
    pub max_insns: Option<u64>,
    /// Print instructions executed, seconds and MIPS to stderr at exit, however the run ends.
    #[arg(long)]
    pub stats: bool,
    /// What runs the guest's instructions: interp (the interpreter), jit (translation blocks)
    /// or check (both in lockstep, stopping with status 126 at the first difference).
    #[arg(long, value_enum, default_value_t = EngineKind::default())]
    pub engine: EngineKind,
    /// Wait for a GDB client on [ADDR:]PORT (127.0.0.1 unless ADDR is given), stopped at the
    /// first instruction until it resumes the machine. Runs headless unless --window is given.
    #[arg(long, value_name = "[ADDR:]PORT", conflicts_with_all = ["scale", "turbo", "frames", "keys"])]
    pub gdb: Option<String>,
    /// With --monitor or --gdb, run in the window (they run headless without it); the picture
    /// stays live while the debugger has the machine stopped.
    #[arg(long, conflicts_with_all = ["headless", "script"])]
    pub window: bool,
    /// Start in the monitor, stopped at the first instruction (runs headless unless --window is
    /// given; `help` lists the commands).
    #[arg(long, conflicts_with_all = ["gdb", "script", "scale", "frames", "keys"])]
    pub monitor: bool,
    /// Run monitor commands from FILE, one a line, printing their output (runs headless).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["gdb", "scale", "turbo", "frames", "keys"])]
    pub script: Option<PathBuf>,
    /// Stop in the monitor when one of these happens (comma-separated): undef, swi, pabort,
    /// dabort, irq, fiq, unclaimed (an access nothing answers), all. In the window, and in
    /// headless runs without --frames or --keys.
    #[arg(long, value_name = "CONDS", conflicts_with_all = ["gdb", "scale"])]
    pub break_on: Option<String>,
    /// Keep reverse execution's history from the start of the run, so that the monitor's
    /// reverse commands reach back to power-on when it is entered later (F5, Ctrl-C, a
    /// --break-on condition) after the machine ran in the window or headless (with --monitor,
    /// --script and --gdb the history starts at power-on anyway).
    #[arg(long)]
    pub reverse: bool,
    /// Answer an Ndless program's message boxes with button N, 1 to 3 (a box with fewer buttons
    /// gets its last; 2 cancels a numeric input) [default: 1, the first]. Boxes are printed on
    /// stderr.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3))]
    pub msgbox_answer: Option<u32>,
    /// A machine description in RON instead of the built-in TI-Nspire CX.
    #[arg(long, value_name = "FILE.ron")]
    pub machine: Option<PathBuf>,
    /// The real-time clock's count at power-on, in seconds since 1970 (default: the host's
    /// time), for reproducible runs.
    #[arg(long, value_name = "SECONDS")]
    pub rtc: Option<u32>,
    /// Start from a state saved by --save-state (or the monitor's `save`) instead of
    /// a ROM: the run goes on where it was saved.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["rom", "kernel"])]
    pub load_state: Option<PathBuf>,
    /// At exit, save the machine's state to this file (--load-state takes the run up again).
    #[arg(long, value_name = "FILE")]
    pub save_state: Option<PathBuf>,
    /// Profile the run (one instruction at a time: slower): at exit, write instructions and
    /// cycles per function (by the ELF ROM's symbols) and address, calls and exceptions to
    /// FILE: in callgrind's format if it is named callgrind.out* or *.callgrind, as folded
    /// stacks (for flame graphs) if *.folded, as text otherwise.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Boot a Linux zImage (with --dtb) instead of a ROM.
    #[arg(long, value_name = "FILE", conflicts_with = "rom", requires = "dtb")]
    pub kernel: Option<PathBuf>,
    /// The device tree blob for --kernel.
    #[arg(long, value_name = "FILE", requires = "kernel")]
    pub dtb: Option<PathBuf>,
    /// An initial ramdisk for --kernel.
    #[arg(long, value_name = "FILE", requires = "kernel")]
    pub initrd: Option<PathBuf>,
    /// The kernel command line, replacing the device tree's /chosen bootargs.
    #[arg(long, value_name = "ARGS", requires = "kernel")]
    pub append: Option<String>,
    /// When the guest resets the machine (Linux `reboot`, the watchdog), end the run (status 0)
    /// instead of starting the ROM or kernel again.
    #[arg(long)]
    pub no_reboot: bool,
    /// Names for the monitor from FILE: an ELF file (a ROM built with symbols, a vmlinux) or a
    /// Linux System.map, instead of an ELF ROM's own symbols.
    #[arg(long, value_name = "FILE")]
    pub symbols: Option<PathBuf>,
    /// The ROM: a raw binary (mapped at 0x00000000) or an ELF32 ARM executable.
    pub rom: Option<PathBuf>,
    /// Arguments for the guest (semihosting SYS_GET_CMDLINE), after `--`.
    #[arg(last = true)]
    pub args: Vec<String>,
}

/// A count of frames or instructions: a whole number, 0 or more.
fn count(text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("'{text}' is not a count: give a whole number, 0 or more"))
}

impl RunOptions {
    /// Whether the monitor reads the terminal from the start, so the UART must not.
    pub fn monitor_owns_stdin(&self) -> bool {
        self.monitor || self.script.is_some()
    }

    /// Whether the UART reads the terminal: neither semihosting (always on for the demo) nor
    /// the monitor has it.
    pub fn uart_has_stdin(&self) -> bool {
        !self.monitor_owns_stdin() && !self.semihosting_owns_stdin()
    }

    /// Whether semihosting reads the terminal: when it is on (always for the demo), except in a
    /// saved state's run without `--semihosting`, whose guest may be anything (Linux, say).
    pub fn semihosting_owns_stdin(&self) -> bool {
        match self.load_state {
            Some(_) => self.semihosting,
            None => self.semihosting || self.runs_the_demo(),
        }
    }

    /// Whether the run is the built-in demo (no ROM, no kernel, no saved state).
    pub fn runs_the_demo(&self) -> bool {
        self.rom.is_none() && self.kernel.is_none() && self.load_state.is_none()
    }

    /// Whether a headless run is paced to real time: a person at a terminal drives it (stdin
    /// is a terminal), nothing bounds it (no --frames, --max-insns or --keys, which ask for a
    /// deterministic run), and --turbo was not given.
    pub fn paced_headless(&self) -> bool {
        !self.turbo
            && self.frames.is_none()
            && self.max_insns.is_none()
            && self.keys.is_none()
            && self.script.is_none()
            && std::io::stdin().is_terminal()
    }
}
