//! Going backwards: `reverse-step`, `reverse-next`, `reverse-continue`, `goto` and `history`,
//! on the history of [`crate::reverse`] the monitor keeps while it runs the machine.
//!
//! The history starts when the monitor first runs the machine (or at the start, with
//! `--reverse`), and starts again when the machine was changed behind it (`reset`, `load`); a
//! front end's run between two commands (the window's frames, a key script's keys) is taken
//! on. `set` and `poke` in the past start a new future there, except before an Ndless program's
//! OS calls.

use super::keep_going;
use super::memory;
use super::parse::{self, Args};
use super::points::Kind;
use super::run::{self, Stopped};
use super::{Monitor, Watch};
use crate::cpu::Breakpoint;
use crate::machine::{DebugStop, Machine};
use crate::reverse::{Found, History, BUDGET, INTERVAL};

impl Monitor<'_> {
    /// Starts the history where the machine stands (`--reverse`: at power-on), so that what
    /// the machine runs before the monitor is entered is in it.
    pub fn record_from_start(&mut self, machine: &mut Machine) -> Result<(), String> {
        self.history = Some(History::start(machine, INTERVAL, BUDGET)?);
        Ok(())
    }
}

/// Before the monitor runs the machine: keeps the history going, or starts one.
pub(super) fn before_run(monitor: &mut Monitor, machine: &mut Machine) {
    if monitor
        .history
        .as_mut()
        .is_some_and(|h| h.is_current(machine) || h.adopt(machine))
    {
        return;
    }
    monitor.history = History::start(machine, INTERVAL, BUDGET).ok();
}

/// After the monitor ran the machine (a slice, a step): a checkpoint if one is due.
pub(super) fn ran(monitor: &mut Monitor, machine: &mut Machine) {
    if let Some(history) = monitor.history.as_mut() {
        if let Err(e) = history.ran(machine) {
            log::warn!("reverse execution stops: {e}");
            monitor.history = None;
        }
    }
}

/// Before a command changes the machine (`set`, `poke`): whether it may.
pub(super) fn may_change(monitor: &Monitor, machine: &Machine) -> Result<(), String> {
    monitor
        .history
        .as_ref()
        .map_or(Ok(()), |h| h.may_change(machine))
}

/// After a command changed the machine (`set`, `poke`): the history's future starts here.
pub(super) fn changed(monitor: &mut Monitor, machine: &mut Machine) {
    if let Some(history) = monitor.history.as_mut() {
        if !history.is_current(machine) {
            monitor.history = None;
        } else if let Err(e) = history.changed(machine) {
            log::warn!("reverse execution stops: {e}");
            monitor.history = None;
        }
    }
}

/// After a command replaced the machine's state (`reset`, `load`): the history is of another
/// run.
pub(super) fn forget(monitor: &mut Monitor, machine: &mut Machine) {
    monitor.history = None;
    machine.journal = None;
}

/// The history, if it covers the machine as it stands.
fn history<'m>(monitor: &'m mut Monitor, machine: &mut Machine) -> Result<&'m mut History, String> {
    let covers = monitor
        .history
        .as_mut()
        .is_some_and(|h| h.is_current(machine) || h.adopt(machine));
    match monitor.history.as_mut() {
        Some(history) if covers => Ok(history),
        _ => Err(
            "no history: the machine has not run under the monitor since it started, \
                  was reset or loaded"
                .to_string(),
        ),
    }
}

/// `reverse-step [N]`.
pub(super) fn reverse_step(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
) -> Result<String, String> {
    let n = run::optional_count(args)?;
    let history = history(monitor, machine)?;
    let (start, _) = history.span();
    let target = machine.cpu.instructions().saturating_sub(n).max(start);
    let reached = history.goto(machine, target)?;
    monitor.exit = None;
    Ok(arrived(machine, reached, start))
}

/// Where a backward move left the machine.
fn arrived(machine: &Machine, reached: u64, start: u64) -> String {
    let note = if reached == start {
        " (the start of the history)"
    } else {
        ""
    };
    format!(
        "at instruction {reached}{note}\n{}",
        memory::location(machine)
    )
}

/// `goto N`.
pub(super) fn goto(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let n = parse::count(args.required("an instruction count")?)?;
    args.finish()?;
    let history = history(monitor, machine)?;
    let (start, furthest) = history.span();
    if n > furthest {
        return Err(format!(
            "the run has reached instruction {furthest}; step or continue to go further"
        ));
    }
    let reached = history.goto(machine, n.max(start))?;
    monitor.exit = None;
    Ok(arrived(machine, reached, start))
}

/// The call instruction just before `pc` whose return address is `pc`, if there is one: a
/// previous instruction elsewhere then means the machine came back from the call.
fn call_before(machine: &Machine, pc: u32) -> Option<u32> {
    let thumb = machine.cpu.is_thumb();
    let sizes: &[u32] = if thumb { &[4, 2] } else { &[4] };
    sizes
        .iter()
        .map(|&k| pc.wrapping_sub(k))
        .find(|&at| run::call_return_at(machine, at, thumb) == Some(pc))
}

/// `reverse-next [N]`: back one instruction, over a whole call if the machine came back from
/// one.
pub(super) fn reverse_next(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    let n = run::optional_count(args)?;
    let interrupt = monitor.interrupt_flag();
    let mut out = String::new();
    for _ in 0..n {
        let pc = machine.cpu.pc();
        let sp = machine.cpu.reg(13);
        let history = history(monitor, machine)?;
        let (start, _) = history.span();
        let now = machine.cpu.instructions();
        if now <= start {
            break;
        }
        history.goto(machine, now - 1)?;
        let previous = machine.cpu.pc();
        let Some(call) = call_before(machine, pc) else {
            continue;
        };
        if previous.wrapping_sub(call) < pc.wrapping_sub(call) {
            // The instruction before it (or the call's first half): no call came back.
            continue;
        }
        // Came back from the call at `call`: find the last time the machine stood on it in
        // this frame, stopping at a breakpoint or watchpoint met on the way back.
        let temporary = Breakpoint {
            addr: call,
            physical: false,
        };
        let added = !machine.cpu.breakpoints().contains(&temporary);
        machine.cpu.add_breakpoint(temporary);
        let found = history.find_last_stop(
            machine,
            |m, stop| stop != DebugStop::Breakpoint(call) || m.cpu.reg(13) >= sp,
            |m| keep_going(&interrupt, m, watch),
        );
        if added {
            machine.cpu.remove_breakpoint(temporary);
        }
        match found? {
            Found::Hit(DebugStop::Breakpoint(at)) if at == call && added => {}
            Found::Hit(stop) => {
                monitor.exit = None;
                report(monitor, machine, stop, &mut out);
                return Ok(out);
            }
            Found::Start => break,
        }
    }
    monitor.exit = None;
    let start = monitor.history.as_ref().map_or(0, |h| h.span().0);
    out.push_str(&arrived(machine, machine.cpu.instructions(), start));
    Ok(out)
}

/// `reverse-continue`.
pub(super) fn reverse_continue(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    args.finish()?;
    let interrupt = monitor.interrupt_flag();
    let history = history(monitor, machine)?;
    let (start, _) = history.span();
    let found =
        history.find_last_stop(machine, |_, _| true, |m| keep_going(&interrupt, m, watch))?;
    monitor.exit = None;
    let mut out = String::new();
    match found {
        Found::Hit(stop) => report(monitor, machine, stop, &mut out),
        Found::Start => {
            out.push_str("no breakpoint or watchpoint stop before: ");
            out.push_str(&arrived(machine, machine.cpu.instructions(), start));
        }
    }
    Ok(out)
}

/// Says which of the monitor's breakpoints a stop found going back is (hit counts are of
/// forward runs and are not counted again), or why else it stopped, and where the machine
/// stands.
fn report(monitor: &Monitor, machine: &Machine, stop: DebugStop, out: &mut String) {
    out.push_str(&format!("at instruction {}: ", machine.cpu.instructions()));
    let stopped = match stop {
        DebugStop::Breakpoint(pc) => {
            let numbers: Vec<String> = monitor
                .points
                .iter()
                .filter(|p| p.enabled)
                .filter(|p| matches!(p.kind, Kind::Break(b) if !b.physical && b.addr == pc))
                .map(|p| p.number.to_string())
                .collect();
            let which = match numbers.len() {
                0 => "a breakpoint".to_string(),
                1 => format!("breakpoint {}", numbers[0]),
                _ => format!("breakpoints {}", numbers.join(", ")),
            };
            out.push_str(&format!("{which} at {}\n", memory::addr_text(machine, pc)));
            Stopped::Finished
        }
        DebugStop::Watchpoint(hit) => Stopped::Watchpoint {
            hit,
            hits: Vec::new(),
        },
        DebugStop::Exception(exception) => Stopped::Exception(exception),
        DebugStop::Unclaimed(unclaimed) => Stopped::Unclaimed(unclaimed),
        DebugStop::Exit(exit) => Stopped::Exited(exit),
    };
    run::report(machine, &stopped, out);
}

/// `history`: what the history covers and holds.
pub(super) fn show(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
) -> Result<String, String> {
    args.finish()?;
    let history = history(monitor, machine)?;
    let (start, furthest) = history.span();
    let (checkpoints, bytes) = history.cost(machine);
    let plural = if checkpoints == 1 { "" } else { "s" };
    Ok(format!(
        "instructions {start} to {furthest}, now at {}\n{checkpoints} checkpoint{plural}, {} \
         KiB, and a copy of memory ({} KiB)\n",
        machine.cpu.instructions(),
        bytes.div_ceil(1024),
        history.reference_bytes() / 1024
    ))
}
