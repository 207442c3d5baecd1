//! The monitor's command lines, read on a thread of their own so that the window stays live
//! while the monitor waits for one: the window asks for a line with the monitor's prompt, then
//! looks once a host frame whether it has come, drawing the picture and taking keys meanwhile.
//!
//! The thread reads as the monitor would on the main one ([`monitor::prompted_reader`]): with
//! the stdin thread's lines when the UART has the terminal, else with a line editor, whose
//! history lasts as long as the thread. A run that ends while the line editor has the
//! terminal (the window closed at the prompt) puts the terminal's settings back as they were
//! before the prompt: the editor, blocked in its read, never will.

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use nix::sys::termios::{self, SetArg, Termios};

use crate::machine::Machine;
use crate::monitor::{self, Leave, LineReader, Monitor, Watch};

/// What the reading thread has for the window.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// Nothing yet.
    Waiting,
    /// A line, without its newline.
    Typed(String),
    /// The input ended (or there is no line editor): the session is over.
    Ended,
}

/// A thread reading the monitor's lines.
pub struct Prompter {
    prompts: Sender<&'static str>,
    lines: Receiver<Option<String>>,
    /// Whether a prompt is out and its line not yet taken.
    asked: bool,
    /// Whether the thread reads with the line editor, which takes the terminal over.
    editor: bool,
    /// The terminal's settings when the prompt out was asked, while the line editor has it.
    terminal: Option<Termios>,
}

impl Prompter {
    /// Starts the thread, reading with `source` ([`crate::monitor::Monitor::line_source`]).
    pub fn start(source: Option<LineReader>) -> Prompter {
        let (prompts, asked) = mpsc::channel::<&'static str>();
        let (typed, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut read = match monitor::prompted_reader(source) {
                Ok(read) => read,
                Err(e) => {
                    println!("{e}");
                    return;
                }
            };
            while let Ok(prompt) = asked.recv() {
                let line = read(prompt);
                let ended = line.is_none();
                if typed.send(line).is_err() || ended {
                    return;
                }
            }
        });
        Prompter {
            prompts,
            lines,
            asked: false,
            editor: source.is_none(),
            terminal: None,
        }
    }

    /// Shows `prompt` and starts reading a line, unless a prompt is out already.
    pub fn ask(&mut self, prompt: &'static str) {
        if self.asked {
            return;
        }
        let stdin = std::io::stdin();
        self.terminal = (self.editor && stdin.is_terminal())
            .then(|| termios::tcgetattr(stdin.as_fd()).ok())
            .flatten();
        // A thread gone (no line editor) is seen by `poll`.
        let _ = self.prompts.send(prompt);
        self.asked = true;
    }

    /// The line asked for, if it has come.
    pub fn poll(&mut self) -> Line {
        if !self.asked {
            return Line::Waiting;
        }
        let line = match self.lines.try_recv() {
            Err(TryRecvError::Empty) => return Line::Waiting,
            Ok(Some(line)) => Line::Typed(line),
            Ok(None) | Err(TryRecvError::Disconnected) => Line::Ended,
        };
        self.asked = false;
        self.terminal = None;
        line
    }
}

impl Drop for Prompter {
    /// Ends a prompt left out: the line editor's terminal settings go back as they were, and
    /// what is printed next starts a line of its own.
    fn drop(&mut self) {
        if !self.asked {
            return;
        }
        if let Some(settings) = &self.terminal {
            let _ = termios::tcsetattr(std::io::stdin().as_fd(), SetArg::TCSADRAIN, settings);
        }
        println!();
    }
}

/// The interactive monitor as the window runs it, a line at a time: while it is at its prompt
/// the machine is the monitor's, and the window draws it and takes keys without running it.
#[derive(Default)]
pub struct MonitorPrompt {
    /// The reading thread, from the first time the monitor is entered.
    prompter: Option<Prompter>,
    /// Whether the monitor has the machine.
    active: bool,
    /// The line before, which an empty line repeats if it was `step` or `next`.
    last: String,
}

impl MonitorPrompt {
    /// Whether the monitor has the machine.
    pub fn active(&self) -> bool {
        self.active
    }

    /// The monitor takes the machine: says where it stands; the next [`MonitorPrompt::poll`]
    /// asks for a line.
    pub fn enter(&mut self, monitor: &Monitor, machine: &Machine) {
        print!("{}", monitor.location(machine));
        let _ = std::io::stdout().flush();
        self.active = true;
        self.last.clear();
        self.prompter
            .get_or_insert_with(|| Prompter::start(monitor.line_source()));
    }

    /// Asks for a line unless one is asked for already, and runs the line typed, if one has,
    /// keeping `watch` live while it runs the machine: `Some` when the monitor gives the
    /// machine back (`continue`) or the session ends (`quit`, the end of input).
    ///
    /// The next line is asked for at the next poll, not as a command ends: the window first
    /// takes what came meanwhile, so that F12 or a close that stopped the command ends the run
    /// before the line editor takes the terminal (its thread, racing the run's end, could put
    /// the terminal in raw mode after the end had put it back).
    pub fn poll(
        &mut self,
        monitor: &mut Monitor,
        machine: &mut Machine,
        watch: &mut dyn Watch,
    ) -> Option<Leave> {
        if !self.active {
            return None;
        }
        let prompter = self.prompter.as_mut()?;
        prompter.ask(monitor.prompt());
        let leave = match prompter.poll() {
            Line::Waiting => return None,
            Line::Ended => Leave::Quit,
            Line::Typed(line) => monitor.take_line(machine, line, &mut self.last, watch)?,
        };
        self.active = false;
        Some(leave)
    }
}
