//! The built-in monitor: a debugger that drives a [`Machine`] through typed commands, one line
//! each, and returns what it prints, so the same commands serve the interactive prompt, scripts
//! (`--script FILE`) and tests.
//!
//! Looking never changes the machine: registers come from the CPU's getters, memory through
//! [`crate::mmu::translate`] (a side-effect-free walk, no TLB fill) and [`Bus::peek`] (no device
//! side effects), the page tables through [`crate::mmu::dump`].
//!
//! The monitor owns the debugging state the CPU does not: breakpoint and watchpoint numbers,
//! whether each is enabled, hit counts, the break-on conditions, the trace file. It keeps the
//! CPU's breakpoint and watchpoint sets equal to its enabled ones, and puts them on a new
//! machine after `reset`.
//!
//! `reset` rebuilds the machine with the factory given to [`Monitor::with_reset`] (the front end
//! builds machines from its options; the window's reset key uses the same factory), so a reset
//! from the monitor is the same as a fresh start: image reloaded, devices and semihosting new.
//! Without a factory `reset` is refused.
//!
//! gdb's `monitor CMD` runs commands through [`Monitor::execute_for_gdb`], which refuses those
//! that would run or change the machine behind the GDB stub's back (see [`help::Gdb`]).

mod backtrace;
mod expr;
mod find;
mod help;
mod info;
mod memory;
mod parse;
mod points;
mod profile;
mod registers;
mod reverse;
mod run;
mod system;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::bus::Bus;
use crate::machine::{DebugStop, Exit, Machine};
use parse::Args;
use points::{Condition, Point};
pub use profile::symbols_of;
use run::Trace;

/// What ends the normal flow of commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Break {
    /// The command was refused or failed: the message (the machine is as it was, or as far as
    /// the command got).
    Error(String),
    /// `quit`.
    Quit,
    /// `continue` in a monitor made [`Monitor::returning_on_continue`]: the front end resumes
    /// the machine itself.
    Resume,
}

/// How an interactive session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// `quit`, or the end of input (Ctrl-D).
    Quit,
    /// `continue` with [`Monitor::returning_on_continue`].
    Resume,
}

/// A script line that failed; the script stops there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Builds a fresh machine, for `reset`.
pub type Factory<'a> = Box<dyn FnMut() -> Result<Machine, String> + 'a>;

/// The prompt of the interactive monitor.
pub const PROMPT: &str = "(emu) ";

/// The monitor's state between commands.
pub struct Monitor<'a> {
    /// Breakpoints and watchpoints, in number order.
    points: Vec<Point>,
    next_number: u32,
    /// Break-on conditions, in the order given.
    conditions: Vec<Condition>,
    trace: Option<Trace>,
    reset: Option<Factory<'a>>,
    interrupt: Arc<AtomicBool>,
    /// How the guest's run ended, once it has; running again needs a reset.
    exit: Option<Exit>,
    returns_on_continue: bool,
    /// Where interactive lines come from when not from the terminal's line editor.
    line_reader: Option<LineReader>,
    /// The run's past, for going backwards.
    history: Option<crate::reverse::History>,
    profiling: profile::Profiling,
    /// `commands N` being read: the point's number and the lines so far, until `end`.
    collecting: Option<(u32, Vec<String>)>,
    /// Points that stopped the machine and whose commands are still to run.
    due: Vec<u32>,
    /// The last `find`, for `find next`.
    search: Option<find::Search>,
    /// The instruction count no run of the monitor's goes past (`--max-insns`).
    limit: Option<u64>,
}

/// A front end kept live while a command runs the machine (the window, which would otherwise
/// look hung for as long as a far `continue`, a `step 100000000` or a `reverse-continue`
/// takes): called between the slices of instructions the command runs (a million at most)
/// and between the stretches of the past it runs again going backwards. It may look at the
/// machine, not change it; false stops the command as Ctrl-C does ("interrupted").
pub trait Watch {
    fn watch(&mut self, machine: &Machine) -> bool;
}

/// No front end to keep live: the terminal's monitor, scripts, gdb's `monitor` command.
impl Watch for () {
    fn watch(&mut self, _: &Machine) -> bool {
        true
    }
}

/// Shows a prompt and reads one line (without its newline); `None` at the end of input.
pub type LineReader = fn(&str) -> Option<String>;

/// A [`LineReader`] or the line editor, as the interactive session reads with it.
pub type PromptedReader = Box<dyn FnMut(&str) -> Option<String>>;

/// Reads lines with `reader`, or (`None`) with a line editor on the terminal, keeping its
/// history; the error is one line.
pub fn prompted_reader(reader: Option<LineReader>) -> Result<PromptedReader, String> {
    if let Some(reader) = reader {
        return Ok(Box::new(reader));
    }
    let mut editor =
        rustyline::DefaultEditor::new().map_err(|e| format!("monitor: no line editor ({e})"))?;
    Ok(Box::new(move |prompt| loop {
        match editor.readline(prompt) {
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                return Some(line);
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => return None,
        }
    }))
}

impl Default for Monitor<'_> {
    fn default() -> Self {
        Monitor::new()
    }
}

impl<'a> Monitor<'a> {
    /// A monitor with no breakpoints, no break-on conditions and no way to reset.
    pub fn new() -> Monitor<'a> {
        Monitor {
            points: Vec::new(),
            next_number: 1,
            conditions: Vec::new(),
            trace: None,
            reset: None,
            interrupt: Arc::new(AtomicBool::new(false)),
            exit: None,
            returns_on_continue: false,
            line_reader: None,
            history: None,
            profiling: profile::Profiling::default(),
            collecting: None,
            due: Vec::new(),
            search: None,
            limit: None,
        }
    }

    /// Ends every run the commands make (`step`, `next`, `continue`, `until`, `trace`) once the
    /// machine has executed `limit` instructions in all (`--max-insns`), as the guest's exit
    /// would: the command says so, and [`Monitor::exit`] is the limit until `reset`, `load` or
    /// going back.
    pub fn with_instruction_limit(mut self, limit: Option<u64>) -> Monitor<'a> {
        self.limit = limit;
        self
    }

    /// Reads the interactive session's lines with `reader` instead of a line editor on the
    /// terminal (when another reader owns the terminal: the UART's stdin thread).
    pub fn reading_lines_with(mut self, reader: LineReader) -> Monitor<'a> {
        self.line_reader = Some(reader);
        self
    }

    /// Names the functions `profile start` counts by the ELF file at `path` (the ROM).
    pub fn with_symbols_file(mut self, path: &std::path::Path) -> Monitor<'a> {
        self.profiling.symbols_file = Some(path.to_path_buf());
        self
    }

    /// Lets `reset` replace the machine with one `factory` builds.
    pub fn with_reset(
        mut self,
        factory: impl FnMut() -> Result<Machine, String> + 'a,
    ) -> Monitor<'a> {
        self.reset = Some(Box::new(factory));
        self
    }

    /// For a front end that runs the machine itself (the window): `continue` runs only the
    /// instruction at the PC (with any breakpoint there lifted, so that continuing from a
    /// breakpoint goes on) and ends the command with [`Break::Resume`] (and an interactive
    /// session with [`Leave::Resume`]). The front end then runs the machine, and hands any
    /// [`DebugStop`] it meets to [`Monitor::stopped`].
    pub fn returning_on_continue(mut self) -> Monitor<'a> {
        self.returns_on_continue = true;
        self
    }

    /// The flag that stops a running command (`continue`, `step 1000000`) between two slices of
    /// instructions: a Ctrl-C handler sets it. Commands clear it when they start.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }

    /// Sets the conditions that stop a run (`--break-on`): names separated by commas or
    /// spaces, as the `catch` command takes them.
    pub fn set_break_on(&mut self, machine: &mut Machine, conditions: &str) -> Result<(), String> {
        let words: Vec<&str> = conditions
            .split([',', ' '])
            .filter(|w| !w.is_empty())
            .collect();
        points::add_conditions(self, machine, &words).map(|_| ())
    }

    /// How the guest's run ended, if it has (its exit status, or a CPU halted for good).
    pub fn exit(&self) -> Option<Exit> {
        self.exit
    }

    /// The instruction at the PC, as the monitor shows where the machine stands:
    /// `=> 0x10000944:  e59f0004  ldr r0, [pc, #4]`.
    pub fn location(&self, machine: &Machine) -> String {
        memory::location(machine)
    }

    /// Says why the front end's own run stopped (a breakpoint, a watchpoint, a break-on
    /// condition), counting the breakpoint's or watchpoint's hit as `continue` would, and runs
    /// the commands of the points that stopped it. `None` when the stop does not count (a
    /// condition false, a hit ignored): the machine has then run on past the breakpoint's
    /// instruction, and the front end goes on running it. Where the machine stands is left to
    /// [`Monitor::run_interactive`], which shows it first. `watch` is kept live while those
    /// commands run the machine.
    pub fn stopped(
        &mut self,
        machine: &mut Machine,
        stop: DebugStop,
        watch: &mut dyn Watch,
    ) -> Option<String> {
        let mut out = String::new();
        let stopped = match run::classify(self, machine, stop, None) {
            Some(stopped) => stopped,
            None => match run::step_off(self, machine) {
                Ok(Some(report)) => {
                    out.push_str(&report);
                    out.push_str(&self.run_due(machine, watch));
                    return Some(out);
                }
                Ok(None) => return None,
                Err(e) => return Some(format!("error: {e}\n")),
            },
        };
        run::reason(machine, &stopped, &mut out);
        out.push_str(&self.run_due(machine, watch));
        Some(out)
    }

    /// Runs one command line and returns what it prints. Empty lines and `#` comments print
    /// nothing.
    pub fn execute(&mut self, machine: &mut Machine, line: &str) -> Result<String, Break> {
        self.execute_watched(machine, line, &mut ())
    }

    /// [`Monitor::execute`], keeping `watch` live while the command runs the machine.
    pub fn execute_watched(
        &mut self,
        machine: &mut Machine,
        line: &str,
        watch: &mut dyn Watch,
    ) -> Result<String, Break> {
        if let Some((number, mut lines)) = self.collecting.take() {
            let trimmed = line.trim();
            if trimmed == "end" {
                let n = lines.len();
                points::set_commands(self, number, lines);
                return Ok(format!("{number} runs {n} command(s) when it stops\n"));
            }
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                // Checked now, run at each stop.
                parse_line(trimmed).map_err(Break::Error)?;
                lines.push(trimmed.to_string());
            }
            self.collecting = Some((number, lines));
            return Ok(String::new());
        }
        let Some(parsed) = parse_line(line).map_err(Break::Error)? else {
            return Ok(String::new());
        };
        let leave = match parsed.command.name {
            "quit" => Some(Break::Quit),
            "continue" if self.returns_on_continue => Some(Break::Resume),
            _ => None,
        };
        if let Some(leave) = leave {
            let name = parsed.command.name;
            parsed
                .args
                .finish()
                .map_err(|e| Break::Error(format!("{name}: {e}")))?;
            if let Break::Resume = leave {
                if let Some(report) = run::step_off(self, machine).map_err(Break::Error)? {
                    return Ok(report);
                }
            }
            return Err(leave);
        }
        let mut out = self
            .dispatch(machine, parsed, false, watch)
            .map_err(Break::Error)?;
        out.push_str(&self.run_due(machine, watch));
        Ok(out)
    }

    /// Runs the commands of the points that stopped the machine, and of those their commands
    /// stop it at (`continue` among them), one stop after another rather than nested, until
    /// none is due, a command fails or the guest has exited.
    fn run_due(&mut self, machine: &mut Machine, watch: &mut dyn Watch) -> String {
        let mut out = String::new();
        while !self.due.is_empty() {
            let numbers = std::mem::take(&mut self.due);
            let lines: Vec<String> = numbers
                .iter()
                .flat_map(|&n| points::commands_of(self, n))
                .collect();
            for line in lines {
                out.push_str(&format!("> {line}\n"));
                let result = match parse_line(&line) {
                    Ok(Some(parsed)) => self.dispatch(machine, parsed, false, watch),
                    Ok(None) => Ok(String::new()),
                    Err(e) => Err(e),
                };
                match result {
                    Ok(text) => out.push_str(&text),
                    Err(e) => {
                        out.push_str(&format!("error: {e}\n"));
                        self.due.clear();
                        return out;
                    }
                }
                if self.exit.is_some() || self.interrupt.load(Ordering::Relaxed) {
                    self.due.clear();
                    return out;
                }
            }
        }
        out
    }

    /// Runs one command line for gdb's `monitor` command (the stub's qRcmd) and returns what it
    /// prints. Commands that would run or change the machine behind gdb's back, or touch the
    /// CPU's breakpoints and watchpoints (which are gdb's), are refused with what to use in gdb
    /// instead; `help` says which.
    pub fn execute_for_gdb(&mut self, machine: &mut Machine, line: &str) -> Result<String, String> {
        let Some(parsed) = parse_line(line)? else {
            return Ok(String::new());
        };
        if let help::Gdb::Refused(reason) = parsed.command.gdb {
            let name = parsed.command.name;
            return Err(format!("{name} is refused under gdb: {reason}"));
        }
        self.dispatch(machine, parsed, true, &mut ())
    }

    /// Runs a command found by [`parse_line`]; an error is prefixed with the command's name.
    fn dispatch(
        &mut self,
        machine: &mut Machine,
        parsed: Parsed,
        under_gdb: bool,
        watch: &mut dyn Watch,
    ) -> Result<String, String> {
        let Parsed {
            command,
            format,
            args,
        } = parsed;
        self.interrupt.store(false, Ordering::Relaxed);
        let result = match command.name {
            "help" => help::help(args, under_gdb),
            "regs" => registers::regs(machine, args),
            "set" => reverse::may_change(self, machine)
                .and_then(|()| registers::set(machine, args))
                .inspect(|_| reverse::changed(self, machine)),
            "step" => run::step(self, machine, args, watch),
            "next" => run::next(self, machine, args, watch),
            "continue" => run::cont(self, machine, args, watch),
            "until" => run::until(self, machine, args, watch),
            "break" => points::add_break(self, machine, args, false),
            "tbreak" => points::add_break(self, machine, args, true),
            "condition" => points::condition(self, machine, args),
            "ignore" => points::ignore(self, args),
            "commands" => points::commands(self, args),
            "info" => info::info(self, machine, args),
            "find" => find::find(self, machine, args),
            "watch" => points::add_watch(self, machine, args),
            "points" => points::list(self, machine, args),
            "enable" => points::set_enabled(self, machine, args, true),
            "disable" => points::set_enabled(self, machine, args, false),
            "delete" => points::delete(self, machine, args),
            "catch" => points::catch(self, machine, args),
            "x" => memory::examine(machine, format, args),
            "poke" => reverse::may_change(self, machine)
                .and_then(|()| memory::poke(machine, args))
                .inspect(|_| reverse::changed(self, machine)),
            "dis" => memory::disassemble(machine, args),
            "translate" => memory::translate(machine, args),
            "pagetable" => memory::pagetable(machine, args),
            "cp15" => system::cp15(machine, args),
            "devices" => system::devices(machine, args),
            "irq" => system::interrupts(machine, args),
            "bt" => backtrace::backtrace(machine, args),
            "trace" => run::trace(self, machine, args, watch),
            "reset" => run::reset(self, machine, args).inspect(|_| reverse::forget(self, machine)),
            "save" => run::save(machine, args),
            "load" => run::load(self, machine, args).inspect(|_| reverse::forget(self, machine)),
            "reverse-step" => reverse::reverse_step(self, machine, args),
            "reverse-next" => reverse::reverse_next(self, machine, args, watch),
            "reverse-continue" => reverse::reverse_continue(self, machine, args, watch),
            "goto" => reverse::goto(self, machine, args),
            "history" => reverse::show(self, machine, args),
            "profile" => profile::profile(self, machine, args),
            other => Err(format!("'{other}' has no handler")),
        };
        result.map_err(|message| format!("{}: {message}", command.name))
    }

    /// Runs a script: one command per line, each echoed after the prompt and followed by its
    /// output. Blank lines and `#` comments are skipped. The script ends after its last line or
    /// at `quit`; a line that fails prints `error: ...` and stops the script with that error
    /// (so a CI run fails on it).
    pub fn run_script(
        &mut self,
        machine: &mut Machine,
        text: &str,
        out: &mut dyn Write,
    ) -> Result<(), ScriptError> {
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let io_error = |e: std::io::Error| ScriptError {
                line: number,
                message: format!("writing the output: {e}"),
            };
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let prompt = if self.collecting.is_some() {
                "> "
            } else {
                PROMPT
            };
            writeln!(out, "{prompt}{trimmed}").map_err(io_error)?;
            match self.execute(machine, trimmed) {
                Ok(text) => out.write_all(text.as_bytes()).map_err(io_error)?,
                Err(Break::Quit) | Err(Break::Resume) => break,
                Err(Break::Error(message)) => {
                    writeln!(out, "error: line {number}: {message}").map_err(io_error)?;
                    return Err(ScriptError {
                        line: number,
                        message,
                    });
                }
            }
        }
        out.flush().map_err(|e| ScriptError {
            line: 0,
            message: format!("writing the output: {e}"),
        })
    }

    /// The interactive monitor on the terminal: shows where the machine stands, then reads
    /// commands with line editing and history until `quit` or the end of input. Ctrl-C at the
    /// prompt clears the line; an empty line repeats `step` or `next`.
    pub fn run_interactive(&mut self, machine: &mut Machine) -> Leave {
        let mut stdout = std::io::stdout();
        let _ = write!(stdout, "{}", self.location(machine));
        let mut read_line = match prompted_reader(self.line_reader) {
            Ok(reader) => reader,
            Err(e) => {
                let _ = writeln!(stdout, "{e}");
                return Leave::Quit;
            }
        };
        let mut last = String::new();
        loop {
            let Some(line) = read_line(self.prompt()) else {
                return Leave::Quit;
            };
            if let Some(leave) = self.take_line(machine, line, &mut last, &mut ()) {
                return leave;
            }
        }
    }

    /// Where the interactive session's lines come from: the reader given to
    /// [`Monitor::reading_lines_with`], or (`None`) a line editor on the terminal.
    pub fn line_source(&self) -> Option<LineReader> {
        self.line_reader
    }

    /// The prompt for the interactive session's next line: gdb's `> ` for the lines of
    /// `commands N`, else [`PROMPT`].
    pub fn prompt(&self) -> &'static str {
        if self.collecting.is_some() {
            "> "
        } else {
            PROMPT
        }
    }

    /// Runs a line typed at the interactive prompt, printing its output, with `watch` kept
    /// live while it runs the machine; `last` is the line before, which an empty line repeats
    /// if it was `step` or `next`. `Some` when the session ends.
    pub fn take_line(
        &mut self,
        machine: &mut Machine,
        line: String,
        last: &mut String,
        watch: &mut dyn Watch,
    ) -> Option<Leave> {
        let mut stdout = std::io::stdout();
        let line = if line.trim().is_empty() && is_repeatable(last) {
            last.clone()
        } else {
            line
        };
        match self.execute_watched(machine, &line, watch) {
            Ok(text) => {
                let _ = stdout.write_all(text.as_bytes());
            }
            Err(Break::Error(message)) => {
                let _ = writeln!(stdout, "error: {message}");
            }
            Err(Break::Quit) => return Some(Leave::Quit),
            Err(Break::Resume) => return Some(Leave::Resume),
        }
        let _ = stdout.flush();
        if !line.trim().is_empty() {
            *last = line;
        }
        None
    }

    /// Puts the enabled breakpoints and watchpoints, and the break-on conditions, on the CPU
    /// (and only those): after `reset`, and for a machine the front end rebuilt (F2).
    pub(crate) fn sync(&self, machine: &mut Machine) {
        points::sync(self, machine);
    }

    /// Whether a running command is to stop: Ctrl-C, or `watch` says so. Keeps `watch`
    /// live.
    fn interrupted(&self, machine: &Machine, watch: &mut dyn Watch) -> bool {
        !keep_going(&self.interrupt, machine, watch)
    }
}

/// Whether a running command goes on: no Ctrl-C (`interrupt`, which this clears), and `watch`
/// does not stop it. Keeps `watch` live.
fn keep_going(interrupt: &AtomicBool, machine: &Machine, watch: &mut dyn Watch) -> bool {
    let going_on = watch.watch(machine);
    !interrupt.swap(false, Ordering::Relaxed) && going_on
}

/// A command line, parsed.
struct Parsed<'a> {
    command: &'static help::Command,
    /// What follows a `/` after the command's name (`x/4b`).
    format: Option<&'a str>,
    args: Args<'a>,
}

/// Parses a command line; `None` for an empty line or a `#` comment.
fn parse_line(line: &str) -> Result<Option<Parsed<'_>>, String> {
    let mut words = line.split_whitespace();
    let Some(first) = words.next().filter(|w| !w.starts_with('#')) else {
        return Ok(None);
    };
    let (name, format) = match first.split_once('/') {
        Some((name, format)) => (name, Some(format)),
        None => (first, None),
    };
    let command = help::find(name)
        .ok_or_else(|| format!("unknown command '{name}' ('help' lists the commands)"))?;
    if format.is_some() && command.name != "x" {
        return Err(format!("{}: only x takes a /FORMAT", command.name));
    }
    Ok(Some(Parsed {
        command,
        format,
        args: Args::new(words.collect()),
    }))
}

/// Whether an empty line repeats `line` (stepping commands, as in gdb).
fn is_repeatable(line: &str) -> bool {
    let name = line.split_whitespace().next().unwrap_or("");
    help::find(name).is_some_and(|c| c.name == "step" || c.name == "next")
}

/// A 32-bit side-effect-free physical read.
fn peek_word(machine: &Machine, pa: u32) -> Option<u32> {
    machine.board.peek(pa, crate::bus::Size::Word)
}
