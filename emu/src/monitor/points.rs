//! Breakpoints, watchpoints and break-on conditions: `break`, `tbreak`, `watch`, `points`,
//! `enable`, `disable`, `delete`, `condition`, `ignore`, `commands`, `catch`.
//!
//! The monitor numbers them (one sequence for both kinds, as gdb does), keeps whether each is
//! enabled and how often it was hit, and keeps the CPU's own sets equal to the enabled ones.
//! A point may have a condition (an expression of [`super::expr`], tested when the CPU reaches
//! it: false, and the run goes on uncounted), an ignore count (hits that count but do not
//! stop), be temporary (deleted at its first stop) and have commands run at each stop, as
//! gdb's do.

use std::collections::HashSet;

use super::expr::{self, Expr};
use super::memory;
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

/// A condition as written, and parsed.
pub(super) type Test = (String, Expr);

/// A breakpoint or watchpoint of the monitor.
pub(super) struct Point {
    pub number: u32,
    pub enabled: bool,
    pub hits: u64,
    pub kind: Kind,
    /// The condition, as written and parsed.
    pub condition: Option<Test>,
    /// Hits still to pass without stopping.
    pub ignore: u64,
    /// Deleted when it stops the machine (`tbreak`).
    pub temporary: bool,
    /// Monitor commands run when it stops the machine.
    pub commands: Vec<String>,
}

/// A point that stopped the machine, as the stop report tells it.
#[derive(Clone, Debug)]
pub(super) struct Hit {
    pub number: u32,
    pub hits: u64,
    pub temporary: bool,
    /// Why its condition could not be evaluated (the machine stops, as gdb's does).
    pub error: Option<String>,
}

/// What the points at a stop decided.
pub(super) struct Decision {
    /// Those that stop the machine.
    pub hits: Vec<Hit>,
    /// Whether any enabled point of the monitor is there (a false condition or an ignore count
    /// then lets the run go on).
    pub any: bool,
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
            Kind::Watch(w) if !watchpoints.contains(&w) => watchpoints.push(w),
            Kind::Watch(_) => {}
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

/// Adds a point and returns its number. Two points may watch the same place only if their
/// conditions differ.
fn add(
    monitor: &mut Monitor,
    machine: &mut Machine,
    kind: Kind,
    condition: Option<Test>,
    temporary: bool,
) -> Result<u32, String> {
    let text = condition.as_ref().map(|c| c.0.clone());
    if let Some(point) = monitor
        .points
        .iter()
        .find(|p| p.kind == kind && p.condition.as_ref().map(|c| &c.0) == text.as_ref())
    {
        return Err(format!("number {} is already that", point.number));
    }
    let number = monitor.next_number;
    monitor.next_number += 1;
    monitor.points.push(Point {
        number,
        enabled: true,
        hits: 0,
        kind,
        condition,
        ignore: 0,
        temporary,
        commands: Vec::new(),
    });
    monitor.sync(machine);
    Ok(number)
}

/// Splits the words of a command at `if`: what comes before, and the condition after it,
/// parsed (names resolved now).
fn split_condition<'a>(
    machine: &Machine,
    words: Vec<&'a str>,
) -> Result<(Vec<&'a str>, Option<Test>), String> {
    match words.iter().position(|w| *w == "if") {
        None => Ok((words, None)),
        Some(at) => {
            let text = words[at + 1..].join(" ");
            if text.is_empty() {
                return Err("'if' needs a condition".to_string());
            }
            let parsed = parse_condition(machine, &text)?;
            Ok((words[..at].to_vec(), Some((text, parsed))))
        }
    }
}

fn parse_condition(machine: &Machine, text: &str) -> Result<Expr, String> {
    expr::parse(text, &|name| machine.symbols.address_of(name))
        .map_err(|e| format!("the condition: {e}"))
}

/// Where `break` puts a breakpoint: a function's name (alone) past the function's prologue
/// where the line table says where that ends, as gdb does; `*EXPR` exactly at EXPR (gdb's form:
/// the `*` reads no memory here); any other address exactly there.
fn location(machine: &Machine, word: &str) -> Result<u32, String> {
    match word.strip_prefix('*') {
        Some(exact) => parse::eval(machine, exact),
        None => match machine.symbols.after_prologue(word) {
            Some(addr) => Ok(addr),
            None => parse::eval(machine, word),
        },
    }
}

/// `break [-p] ADDR [if COND]` and, `temporary`, `tbreak`.
pub(super) fn add_break(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
    temporary: bool,
) -> Result<String, String> {
    let physical = args.flag("-p");
    let (mut words, condition) = split_condition(machine, args.rest())?;
    if words.is_empty() {
        return Err("missing address".to_string());
    }
    let addr = location(machine, words.remove(0))?;
    Args::new(words).finish()?;
    let breakpoint = Breakpoint { addr, physical };
    let number = add(
        monitor,
        machine,
        Kind::Break(breakpoint),
        condition,
        temporary,
    )?;
    let at = if physical {
        describe(&Kind::Break(breakpoint))
    } else {
        memory::addr_text(machine, addr)
    };
    let what = if temporary {
        "temporary breakpoint"
    } else {
        "breakpoint"
    };
    Ok(format!("{what} {number} at {at}\n"))
}

/// `watch [-r|-w|-a] [-p] ADDR [LEN] [if COND]`.
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
    let (words, condition) = split_condition(machine, args.rest())?;
    let mut args = Args::new(words);
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
    let number = add(monitor, machine, Kind::Watch(watchpoint), condition, false)?;
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

/// `points` (and `info break`).
pub(super) fn list(monitor: &Monitor, machine: &Machine, args: Args) -> Result<String, String> {
    args.finish()?;
    let mut out = String::new();
    if monitor.points.is_empty() {
        out.push_str("no breakpoints or watchpoints\n");
    } else {
        out.push_str("num  on  hits  what\n");
        for p in &monitor.points {
            let what = match &p.kind {
                Kind::Break(_) if p.temporary => "tbreak",
                Kind::Break(_) => "break",
                Kind::Watch(_) => "watch",
            };
            let name = match p.kind {
                Kind::Break(b) if !b.physical => machine
                    .symbols
                    .name_of(b.addr)
                    .map_or(String::new(), |n| format!(" <{n}>")),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{:<4} {:<3} {:<5} {what} {}{name}\n",
                p.number,
                if p.enabled { "y" } else { "n" },
                p.hits,
                describe(&p.kind)
            ));
            if let Some((text, _)) = &p.condition {
                out.push_str(&format!("     if {text}\n"));
            }
            if p.ignore > 0 {
                out.push_str(&format!("     ignore the next {}\n", hits_text(p.ignore)));
            }
            for command in &p.commands {
                out.push_str(&format!("     > {command}\n"));
            }
        }
    }
    out.push_str(&conditions_text(monitor));
    Ok(out)
}

fn hits_text(n: u64) -> String {
    if n == 1 {
        "hit".to_string()
    } else {
        format!("{n} hits")
    }
}

/// The point a command names by number.
fn point_mut<'m>(monitor: &'m mut Monitor, word: &str) -> Result<&'m mut Point, String> {
    let n = parse::count(word)?;
    monitor
        .points
        .iter_mut()
        .find(|p| u64::from(p.number) == n)
        .ok_or_else(|| format!("no breakpoint or watchpoint {word}"))
}

/// `condition N [COND]`: sets the condition of point N, or removes it.
pub(super) fn condition(
    monitor: &mut Monitor,
    machine: &Machine,
    mut args: Args,
) -> Result<String, String> {
    let which = args.required("a number")?;
    let text = args.rest().join(" ");
    let condition = if text.is_empty() {
        None
    } else {
        Some((text.clone(), parse_condition(machine, &text)?))
    };
    let point = point_mut(monitor, which)?;
    point.condition = condition;
    Ok(if text.is_empty() {
        format!("{} stops unconditionally\n", point.number)
    } else {
        format!("{} stops if {text}\n", point.number)
    })
}

/// `ignore N COUNT`.
pub(super) fn ignore(monitor: &mut Monitor, mut args: Args) -> Result<String, String> {
    let which = args.required("a number")?;
    let count = parse::count(args.required("a count")?)?;
    args.finish()?;
    let point = point_mut(monitor, which)?;
    point.ignore = count;
    Ok(if count == 0 {
        format!("{} stops at its next hit\n", point.number)
    } else {
        format!("{} ignores its next {}\n", point.number, hits_text(count))
    })
}

/// `commands N`: the lines that follow, up to `end`, become point N's commands (the monitor
/// collects them, see [`Monitor::execute`]).
pub(super) fn commands(monitor: &mut Monitor, mut args: Args) -> Result<String, String> {
    let which = args.required("a number")?;
    args.finish()?;
    let number = point_mut(monitor, which)?.number;
    monitor.collecting = Some((number, Vec::new()));
    Ok(format!(
        "commands for {number}, one a line, ended by 'end':\n"
    ))
}

/// Gives point `number` these commands.
pub(super) fn set_commands(monitor: &mut Monitor, number: u32, lines: Vec<String>) {
    if let Some(p) = monitor.points.iter_mut().find(|p| p.number == number) {
        p.commands = lines;
    }
}

/// The commands of point `number`.
pub(super) fn commands_of(monitor: &Monitor, number: u32) -> Vec<String> {
    monitor
        .points
        .iter()
        .find(|p| p.number == number)
        .map_or(Vec::new(), |p| p.commands.clone())
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

/// Decides for the points `matches` selects (enabled ones at the stop): a point whose
/// condition is false does not count; one with an ignore count counts without stopping; the
/// others stop the machine (a temporary one is deleted then).
fn decide(monitor: &mut Monitor, machine: &Machine, matches: impl Fn(&Point) -> bool) -> Decision {
    let mut hits = Vec::new();
    let mut any = false;
    for p in monitor
        .points
        .iter_mut()
        .filter(|p| p.enabled && matches(p))
    {
        any = true;
        let mut error = None;
        if let Some((text, condition)) = &p.condition {
            match condition.eval(&expr::Live(machine)) {
                Ok(0) => continue,
                Ok(_) => {}
                Err(e) => error = Some(format!("the condition '{text}' failed: {e}")),
            }
        }
        p.hits += 1;
        if p.ignore > 0 && error.is_none() {
            p.ignore -= 1;
            continue;
        }
        hits.push(Hit {
            number: p.number,
            hits: p.hits,
            temporary: p.temporary,
            error,
        });
    }
    let gone: Vec<u32> = hits
        .iter()
        .filter(|h| h.temporary)
        .map(|h| h.number)
        .collect();
    if !gone.is_empty() {
        monitor.points.retain(|p| !gone.contains(&p.number));
    }
    Decision { hits, any }
}

/// The enabled breakpoints at `pc` (virtual, or physical through the current translation as
/// the CPU checks it), decided.
pub(super) fn breakpoint_hits(monitor: &mut Monitor, machine: &Machine, pc: u32) -> Decision {
    let cpu = &machine.cpu;
    let user = !cpu.mode().is_privileged();
    let pa = cpu
        .translate(&machine.board, pc, Access::Fetch, user)
        .result
        .ok();
    decide(monitor, machine, |p| match p.kind {
        Kind::Break(b) if b.physical => pa == Some(b.addr),
        Kind::Break(b) => b.addr == pc,
        Kind::Watch(_) => false,
    })
}

/// The enabled watchpoints equal to `watchpoint`, decided.
pub(super) fn watchpoint_hits(
    monitor: &mut Monitor,
    machine: &Machine,
    watchpoint: Watchpoint,
) -> Decision {
    decide(monitor, machine, |p| p.kind == Kind::Watch(watchpoint))
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
