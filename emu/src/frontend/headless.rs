//! Runs without a window: the machine frame by frame, with scripted keys, until the frames
//! asked for have run or the machine stops, the monitor at hand.
//!
//! A breakpoint, a watchpoint, a `--break-on` condition or Ctrl-A c enters the monitor, whose
//! `continue` runs on and whose `quit` ends the run. Ctrl-C enters it too, unless the run is
//! bounded by `--frames` or `--keys` (then it ends the run), or the UART has the terminal (then
//! the terminal is raw and Ctrl-C is a byte for the guest). Ctrl-A x ends the run.
//!
//! An interactive run is paced: the machine's time follows the host's clock, so `sleep 10` in
//! the guest takes ten seconds and an idle guest leaves the host idle. Other runs go as fast as
//! the host can; while their guest can only be woken by the host's input, they wait for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::pace::Pacer;
use super::session::{Session, Stop};
use crate::machine::DebugStop;
use crate::monitor::{Leave, Monitor};
use crate::terminal::{self, Request};

/// How long an unpaced run waits for the host's input before it looks at the terminal's
/// requests again.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// How a headless run goes.
pub struct Headless {
    /// Stop after this many frames.
    pub frames: Option<u64>,
    /// Pace the machine's time to the host's clock.
    pub paced: bool,
    /// Whether Ctrl-C enters the monitor (else it ends the run).
    pub interrupt_enters_monitor: bool,
    /// Start in the monitor (`--monitor`).
    pub start_in_monitor: bool,
}

impl Headless {
    /// Runs `session` until the frames have run, the machine stops, or the person ends the run;
    /// `interrupt` is the flag Ctrl-C sets.
    pub fn run(
        &self,
        session: &mut Session,
        monitor: &mut Monitor,
        interrupt: &AtomicBool,
    ) -> Stop {
        let hz = session.machine.config.cpu_hz;
        let mut pacer = self
            .paced
            .then(|| Pacer::new(hz, session.machine.cpu.cycles()));
        if self.start_in_monitor {
            if let Some(stop) = enter(monitor, session) {
                return stop;
            }
        }
        loop {
            if self.frames.is_some_and(|frames| session.frames() >= frames) {
                return Stop::Frames;
            }
            let mut wants_monitor = false;
            match terminal::take_request() {
                Some(Request::Quit) => return Stop::Quit,
                Some(Request::Monitor) => wants_monitor = true,
                None => {}
            }
            if interrupt.swap(false, Ordering::Relaxed) {
                if !self.interrupt_enters_monitor {
                    return Stop::Interrupted;
                }
                println!("interrupted");
                wants_monitor = true;
            }
            if wants_monitor {
                if let Some(stop) = enter(monitor, session) {
                    return stop;
                }
                if let Some(pacer) = &mut pacer {
                    pacer.restart(session.machine.cpu.cycles());
                }
            }
            match session.run_frame() {
                None => {}
                Some(DebugStop::Exit(exit)) => return Stop::Machine(exit),
                Some(stop) => {
                    // None: a breakpoint whose condition is false; the run goes on.
                    if let Some(report) = monitor.stopped(&mut session.machine, stop, &mut ()) {
                        print!("{report}");
                        if let Some(stop) = enter(monitor, session) {
                            return stop;
                        }
                        if let Some(pacer) = &mut pacer {
                            pacer.restart(session.machine.cpu.cycles());
                        }
                    }
                }
            }
            match &mut pacer {
                Some(pacer) => pacer.wait(session.machine.cpu.cycles()),
                None if session.machine.waits_for_host() => {
                    session.machine.wait_for_input(INPUT_POLL)
                }
                None => {}
            }
        }
    }
}

/// The monitor on the terminal; how the run ends if the person leaves it with `quit`.
fn enter(monitor: &mut Monitor, session: &mut Session) -> Option<Stop> {
    match monitor.run_interactive(&mut session.machine) {
        Leave::Quit => Some(monitor.exit().map_or(Stop::Quit, Stop::Machine)),
        Leave::Resume => None,
    }
}
