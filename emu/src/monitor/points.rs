//! Breakpoints, watchpoints and break-on conditions: `break`, `watch`, `points`, `enable`,
//! `disable`, `delete`, `catch`.
//!
//! The monitor numbers them (one sequence for both kinds, as gdb does), keeps whether each is
//! enabled and how often it was hit, and keeps the CPU's own sets equal to the enabled ones.

use std::collections::HashSet;

use super::parse::{self, Args};
use super::Monitor;
use crate::cpu::{Breakpoint, Exception, WatchKind, Watchpoint};
use crate::machine::Machine;
use crate::mmu::Access;

/// What a numbered point stops on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Break(Breakpoint),
    Watch(Watchpoint),
}

/// A breakpoint or watchpoint of the monitor.
pub(super) struct Point {
    pub number: u32,
    pub enabled: bool,
    pub hits: u64,
    pub kind: Kind,
}

/// A condition that stops a run: entering an exception, or an access nothing answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Condition {
    Exception(Exception),
    Unclaimed,
}

/// Condition names, as `catch` and `--break-on` take them.
const CONDITIONS: [(&str, Condition); 7] = [
    ("undef", Condition::Exception(Exception::Undefined)),
    ("swi", Condition::Exception(Exception::Swi)),
    ("pabort", Condition::Exception(Exception::PrefetchAbort)),
    ("dabort", Condition::Exception(Exception::DataAbort)),
    ("irq", Condition::Exception(Exception::Irq)),
    ("fiq", Condition::Exception(Exception::Fiq)),
    ("unclaimed", Condition::Unclaimed),
];

impl Condition {
    fn name(self) -> &'static str {
        CONDITIONS
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("?", |(name, _)| name)
    }
}

/// The conditions a word names (`all` names every one).
fn conditions_named(word: &str) -> Result<Vec<Condition>, String> {
    let word = word.to_ascii_lowercase();
    if word == "all" {
        return Ok(CONDITIONS.iter().map(|(_, c)| *c).collect());
    }
    CONDITIONS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, c)| vec![*c])
        .ok_or_else(|| {
            format!("no condition '{word}' (undef swi pabort dabort irq fiq unclaimed all)")
        })
}

/// Adds the conditions `words` name; all or nothing.
pub(super) fn add_conditions(
    monitor: &mut Monitor,
    machine: &mut Machine,
    words: &[&str],
) -> Result<String, String> {
    let mut wanted = Vec::new();
    for word in words {
        wanted.extend(conditions_named(word)?);
    }
    for condition in wanted {
        if !monitor.conditions.contains(&condition) {
            monitor.conditions.push(condition);
        }
    }
    monitor.sync(machine);
    Ok(conditions_text(monitor))
}

fn conditions_text(monitor: &Monitor) -> String {
    if monitor.conditions.is_empty() {
        "catching nothing\n".to_string()
    } else {
        let names: Vec<&str> = monitor.conditions.iter().map(|c| c.name()).collect();
        format!("catching: {}\n", names.join(" "))
    }
}

/// Makes the CPU's breakpoints, watchpoints and break-on conditions the monitor's.
pub(super) fn sync(monitor: &Monitor, machine: &mut Machine) {
    let mut breakpoints = HashSet::new();
    let mut watchpoints = Vec::new();
    for point in monitor.points.iter().filter(|p| p.enabled) {
        match point.kind {
            Kind::Break(b) => {
                breakpoints.insert(b);
            }
            Kind::Watch(w) => watchpoints.push(w),
        }
    }
    let cpu = &mut machine.cpu;
    for b in cpu.breakpoints() {
        if !breakpoints.contains(&b) {
            cpu.remove_breakpoint(b);
        }
    }
    let existing: HashSet<Breakpoint> = cpu.breakpoints().into_iter().collect();
    for b in breakpoints.difference(&existing) {
        cpu.add_breakpoint(*b);
    }
    for w in cpu.watchpoints() {
        if !watchpoints.contains(&w) {
            cpu.remove_watchpoint(w);
        }
    }
    let existing = cpu.watchpoints();
    for w in watchpoints {
        if !existing.contains(&w) {
            cpu.add_watchpoint(w);
        }
    }
    cpu.break_on = monitor
        .conditions
        .iter()
        .filter_map(|c| match c {
            Condition::Exception(e) => Some(*e),
            Condition::Unclaimed => None,
        })
        .collect();
    machine.break_on_unclaimed = monitor.conditions.contains(&Condition::Unclaimed);
}

/// Adds a point and returns its number.
fn add(monitor: &mut Monitor, machine: &mut Machine, kind: Kind) -> Result<u32, String> {
    if let Some(point) = monitor.points.iter().find(|p| p.kind == kind) {
        return Err(format!("number {} is already that", point.number));
    }
    let number = monitor.next_number;
    monitor.next_number += 1;
    monitor.points.push(Point {
        number,
        enabled: true,
        hits: 0,
        kind,
    });
    monitor.sync(machine);
    Ok(number)
}

/// `break [-p] ADDR`.
pub(super) fn add_break(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let physical = args.flag("-p");
    let addr = parse::eval(machine, args.required("address")?)?;
    args.finish()?;
    let breakpoint = Breakpoint { addr, physical };
    let number = add(monitor, machine, Kind::Break(breakpoint))?;
    Ok(format!(
        "breakpoint {number} at {}\n",
        describe(&Kind::Break(breakpoint))
    ))
}

/// `watch [-r|-w|-a] [-p] ADDR [LEN]`.
pub(super) fn add_watch(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let read = args.flag("-r");
    let write = args.flag("-w");
    let access = args.flag("-a");
    let physical = args.flag("-p");
    let kind = match (read, write, access) {
        (false, _, false) => WatchKind::Write,
        (true, false, false) => WatchKind::Read,
        (_, _, true) | (true, true, false) => WatchKind::Access,
    };
    let addr = parse::eval(machine, args.required("address")?)?;
    let len = match args.next() {
        Some(text) => parse::count(text)?,
        None => 4,
    };
    args.finish()?;
    if len == 0 || (addr as u64).saturating_add(len) > 1 << 32 {
        return Err("the range must hold 1 byte or more and end by 0xffffffff".to_string());
    }
    let watchpoint = Watchpoint {
        addr,
        len: len as u32,
        kind,
        physical,
    };
    let number = add(monitor, machine, Kind::Watch(watchpoint))?;
    Ok(format!(
        "watchpoint {number}: {}\n",
        describe(&Kind::Watch(watchpoint))
    ))
}

fn kind_name(kind: WatchKind) -> &'static str {
    match kind {
        WatchKind::Read => "read",
        WatchKind::Write => "write",
        WatchKind::Access => "access",
    }
}

/// `0x10000944`, `physical 0x10000944`, `write 0x10000100-0x10000103`.
pub(super) fn describe(kind: &Kind) -> String {
    let space = |physical: bool| if physical { "physical " } else { "" };
    match kind {
        Kind::Break(b) => format!("{}0x{:08x}", space(b.physical), b.addr),
        Kind::Watch(w) => {
            let last = w.addr.wrapping_add(w.len.saturating_sub(1));
            format!(
                "{} {}0x{:08x}-0x{last:08x}",
                kind_name(w.kind),
                space(w.physical),
                w.addr
            )
        }
    }
}

/// `points`.
pub(super) fn list(monitor: &Monitor, args: Args) -> Result<String, String> {
    args.finish()?;
    let mut out = String::new();
    if monitor.points.is_empty() {
        out.push_str("no breakpoints or watchpoints\n");
    } else {
        out.push_str("num  on  hits  what\n");
        for p in &monitor.points {
            let what = match &p.kind {
                Kind::Break(_) => "break",
                Kind::Watch(_) => "watch",
            };
            out.push_str(&format!(
                "{:<4} {:<3} {:<5} {what} {}\n",
                p.number,
                if p.enabled { "y" } else { "n" },
                p.hits,
                describe(&p.kind)
            ));
        }
    }
    out.push_str(&conditions_text(monitor));
    Ok(out)
}

/// The numbers a command names; every one must exist.
fn numbers(monitor: &Monitor, words: &[&str]) -> Result<Vec<u32>, String> {
    words
        .iter()
        .map(|w| {
            let n = parse::count(w)?;
            monitor
                .points
                .iter()
                .find(|p| p.number as u64 == n)
                .map(|p| p.number)
                .ok_or_else(|| format!("no breakpoint or watchpoint {w}"))
        })
        .collect()
}

/// `enable N...` and `disable N...`.
pub(super) fn set_enabled(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
    enabled: bool,
) -> Result<String, String> {
    let words = args.rest();
    if words.is_empty() {
        return Err("which? (numbers as 'points' shows them)".to_string());
    }
    let chosen = numbers(monitor, &words)?;
    for p in monitor
        .points
        .iter_mut()
        .filter(|p| chosen.contains(&p.number))
    {
        p.enabled = enabled;
    }
    monitor.sync(machine);
    Ok(String::new())
}

/// `delete [N...]`.
pub(super) fn delete(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let words = args.rest();
    let out = if words.is_empty() {
        let n = monitor.points.len();
        monitor.points.clear();
        format!("deleted {n}\n")
    } else {
        let chosen = numbers(monitor, &words)?;
        monitor.points.retain(|p| !chosen.contains(&p.number));
        String::new()
    };
    monitor.sync(machine);
    Ok(out)
}

/// `catch [-d] [CONDITION...]`.
pub(super) fn catch(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let remove = args.flag("-d");
    let words = args.rest();
    if !remove {
        return add_conditions(monitor, machine, &words);
    }
    let mut gone = Vec::new();
    for word in &words {
        gone.extend(conditions_named(word)?);
    }
    monitor.conditions.retain(|c| !gone.contains(c));
    monitor.sync(machine);
    Ok(conditions_text(monitor))
}

/// Counts a hit on every enabled breakpoint at `pc` (virtual, or physical through the current
/// translation as the CPU checks it) and returns their numbers.
pub(super) fn breakpoint_hits(monitor: &mut Monitor, machine: &Machine, pc: u32) -> Vec<u32> {
    let cpu = &machine.cpu;
    let user = !cpu.mode().is_privileged();
    let pa = cpu
        .translate(&machine.board, pc, Access::Fetch, user)
        .result
        .ok();
    let mut hit = Vec::new();
    for p in monitor.points.iter_mut().filter(|p| p.enabled) {
        if let Kind::Break(b) = p.kind {
            let matches = if b.physical {
                pa == Some(b.addr)
            } else {
                b.addr == pc
            };
            if matches {
                p.hits += 1;
                hit.push(p.number);
            }
        }
    }
    hit
}

/// Counts a hit on the enabled watchpoints equal to `watchpoint` and returns their numbers.
pub(super) fn watchpoint_hits(monitor: &mut Monitor, watchpoint: Watchpoint) -> Vec<u32> {
    let mut hit = Vec::new();
    for p in monitor.points.iter_mut().filter(|p| p.enabled) {
        if p.kind == Kind::Watch(watchpoint) {
            p.hits += 1;
            hit.push(p.number);
        }
    }
    hit
}

/// The hit count of point `number`.
pub(super) fn hits(monitor: &Monitor, number: u32) -> u64 {
    monitor
        .points
        .iter()
        .find(|p| p.number == number)
        .map_or(0, |p| p.hits)
}

/// Whether an enabled breakpoint of the monitor is the virtual breakpoint at `addr`.
pub(super) fn has_virtual_breakpoint(monitor: &Monitor, addr: u32) -> bool {
    monitor.points.iter().any(|p| {
        p.enabled
            && p.kind
                == Kind::Break(Breakpoint {
                    addr,
                    physical: false,
                })
    })
}
