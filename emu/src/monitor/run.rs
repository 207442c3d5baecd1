//! Running the machine under the monitor: `step`, `next`, `continue`, `until`, `trace`,
//! `reset`, and the reports of why a run stopped.
//!
//! A run first executes one instruction with any breakpoint at the PC lifted (so that resuming
//! from a breakpoint does not stop at once), then runs on in slices, looking at the interrupt
//! flag (Ctrl-C) and keeping the front end's [`Watch`] live between them. While an instruction trace is open, or when each instruction is
//! printed (`step`), it runs one instruction at a time.

use std::fs::File;
use std::io::{BufWriter, Write};

use super::memory::{self, line};
use super::parse::{self, Args};
use super::points::{self, Hit, Kind};
use super::registers::psr_text;
use super::reverse;
use super::{Monitor, Watch};
use crate::board::Unclaimed;
use crate::bus::Size;
use crate::cpu::{Breakpoint, Exception, Mode, WatchHit, WatchKind};
use crate::machine::{DebugStop, Exit, Machine};
use crate::mmu::{status, Access};

/// Instructions run between two looks at the interrupt flag.
const SLICE: u64 = 1 << 20;
/// Instructions `step` prints at most (the rest run without being shown).
const ECHO_LIMIT: u64 = 10_000;

/// An open instruction trace.
pub(super) struct Trace {
    file: BufWriter<File>,
    path: String,
    /// Instructions written.
    count: u64,
    /// The first write error, which ends the trace.
    error: Option<String>,
}

impl Trace {
    fn write(&mut self, text: &str) {
        if self.error.is_none() {
            match writeln!(self.file, "{text}") {
                Ok(()) => self.count += 1,
                Err(e) => self.error = Some(e.to_string()),
            }
        }
    }
}

/// Why a run stopped.
pub(super) enum Stopped {
    /// The command got where it was going (its steps, its address).
    Finished,
    /// These breakpoints (none: a breakpoint the monitor did not set).
    Breakpoint {
        pc: u32,
        hits: Vec<Hit>,
    },
    Watchpoint {
        hit: WatchHit,
        hits: Vec<Hit>,
    },
    /// A break-on condition: the CPU entered this exception.
    Exception(Exception),
    /// A break-on condition: an access nothing answered.
    Unclaimed(Unclaimed),
    /// The guest exited or halted for good.
    Exited(Exit),
    /// Ctrl-C.
    Interrupted,
}

/// A one-time stop: at `addr`, once the stack pointer is at least `sp_min`.
#[derive(Clone, Copy)]
pub(super) struct Target {
    addr: u32,
    sp_min: Option<u32>,
}

/// Decides what a stop of the machine means for the command running: `None` to run on (a
/// breakpoint whose condition is false or which ignores this hit, a one-time stop not yet
/// reached). The points that stop it are counted, their commands made due, and a temporary
/// one deleted.
pub(super) fn classify(
    monitor: &mut Monitor,
    machine: &mut Machine,
    stop: DebugStop,
    target: Option<Target>,
) -> Option<Stopped> {
    let stopped = match stop {
        // The end of a slice, or of the monitor's instruction limit (which ends the run as an
        // exit does).
        DebugStop::Exit(Exit::InstructionLimit)
            if monitor
                .limit
                .is_none_or(|limit| machine.cpu.instructions() < limit) =>
        {
            return None
        }
        DebugStop::Exit(exit) => {
            monitor.exit = Some(exit);
            return Some(Stopped::Exited(exit));
        }
        DebugStop::Breakpoint(pc) => {
            let decision = points::breakpoint_hits(monitor, machine, pc);
            if !decision.hits.is_empty() {
                Stopped::Breakpoint {
                    pc,
                    hits: decision.hits,
                }
            } else {
                match target.filter(|t| t.addr == pc) {
                    Some(t) if t.sp_min.is_some_and(|min| machine.cpu.reg(13) < min) => {
                        return None
                    }
                    Some(_) => return Some(Stopped::Finished),
                    None if decision.any => return None,
                    None => return Some(Stopped::Breakpoint { pc, hits: vec![] }),
                }
            }
        }
        DebugStop::Watchpoint(hit) => {
            let decision = points::watchpoint_hits(monitor, machine, hit.watchpoint);
            if decision.hits.is_empty() && decision.any {
                return None;
            }
            Stopped::Watchpoint {
                hit,
                hits: decision.hits,
            }
        }
        DebugStop::Exception(exception) => return Some(Stopped::Exception(exception)),
        DebugStop::Unclaimed(unclaimed) => return Some(Stopped::Unclaimed(unclaimed)),
    };
    if let Stopped::Breakpoint { hits, .. } | Stopped::Watchpoint { hits, .. } = &stopped {
        if hits.iter().any(|h| h.temporary) {
            monitor.sync(machine);
        }
        monitor.due.extend(hits.iter().map(|h| h.number));
    }
    Some(stopped)
}

/// The state before an instruction, to describe what it did.
struct Before {
    pc: u32,
    insns: u64,
    mode: Mode,
    cpsr: u32,
    regs: [u32; 15],
    line: String,
    /// The first half of a Thumb BL/BLX pair, followed by its second half.
    bl_prefix: bool,
}

impl Before {
    fn take(machine: &Machine) -> Before {
        let cpu = &machine.cpu;
        let pc = cpu.pc();
        let thumb = cpu.is_thumb();
        let half = |addr: u32| memory::read(machine, addr, Size::Half, false).ok();
        let bl_prefix = thumb
            && half(pc).is_some_and(|h| h & 0xF800 == 0xF000)
            && half(pc.wrapping_add(2)).is_some_and(|h| h & 0xE800 == 0xE800);
        Before {
            pc,
            insns: cpu.instructions(),
            mode: cpu.mode(),
            cpsr: cpu.cpsr(),
            regs: std::array::from_fn(|n| cpu.reg(n)),
            line: line(machine, pc, thumb).0,
            bl_prefix,
        }
    }

    /// What executed since: the instruction (or an interrupt and its vector's instruction),
    /// and the registers it changed.
    fn executed(&self, machine: &Machine) -> (String, String) {
        let cpu = &machine.cpu;
        let mode = cpu.mode();
        // An interrupt taken before the instruction: the CPU entered IRQ or FIQ mode with the
        // interrupted instruction + 4 in lr and the old CPSR in the SPSR, then executed the
        // vector's instruction.
        let interrupt = (mode == Mode::Irq || mode == Mode::Fiq)
            && mode != self.mode
            && cpu.reg(14) == self.pc.wrapping_add(4)
            && cpu.spsr_of(mode) == Some(self.cpsr);
        let text = if interrupt {
            let (name, offset) = if mode == Mode::Irq {
                ("IRQ", 0x18)
            } else {
                ("FIQ", 0x1C)
            };
            let vector = cpu.cp15.vector_base().wrapping_add(offset);
            format!(
                "-- {name} taken before 0x{:08x} --\n{}",
                self.pc,
                line(machine, vector, false).0
            )
        } else {
            self.line.clone()
        };
        let mut changed: Vec<String> = (0..15)
            .filter(|&n| cpu.reg(n) != self.regs[n])
            .map(|n| format!("{}={:08x}", reg_name(n), cpu.reg(n)))
            .collect();
        if cpu.cpsr() != self.cpsr {
            changed.push(format!("cpsr={}", psr_text(cpu.cpsr())));
        }
        (text, changed.join(" "))
    }
}

fn reg_name(n: usize) -> String {
    match n {
        13 => "sp".to_string(),
        14 => "lr".to_string(),
        n => format!("r{n}"),
    }
}

/// The instruction count a run that would go to `want` stops at: the monitor's limit, if
/// nearer.
fn capped(monitor: &Monitor, want: u64) -> u64 {
    monitor.limit.map_or(want, |limit| want.min(limit))
}

/// Runs one instruction (a whole Thumb BL/BLX pair), lifting the breakpoints at the PC first
/// if `lift`; none if the monitor's limit is reached.
fn single(monitor: &Monitor, machine: &mut Machine, lift: bool, before: &Before) -> DebugStop {
    let lifted: Vec<Breakpoint> = if lift {
        let cpu = &machine.cpu;
        let pc = cpu.pc();
        let user = !cpu.mode().is_privileged();
        let pa = cpu
            .translate(&machine.board, pc, Access::Fetch, user)
            .result
            .ok();
        cpu.breakpoints()
            .into_iter()
            .filter(|b| {
                if b.physical {
                    pa == Some(b.addr)
                } else {
                    b.addr == pc
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    for b in &lifted {
        machine.cpu.remove_breakpoint(*b);
    }
    let mut stop = machine.run_debug(Some(capped(monitor, machine.cpu.instructions() + 1)));
    if before.bl_prefix
        && stop == DebugStop::Exit(Exit::InstructionLimit)
        && machine.cpu.pc() == before.pc.wrapping_add(2)
        && machine.cpu.instructions() > before.insns
    {
        stop = machine.run_debug(Some(capped(monitor, machine.cpu.instructions() + 1)));
    }
    for b in lifted {
        machine.cpu.add_breakpoint(b);
    }
    stop
}

/// How far a run goes.
struct Goal {
    /// Instructions to execute (a Thumb BL/BLX pair counts as one).
    steps: Option<u64>,
    target: Option<Target>,
    /// Print each instruction executed.
    echo: bool,
}

/// Runs the machine toward `goal`, writing executed instructions to `out` (with `echo`) and to
/// the trace.
fn run(
    monitor: &mut Monitor,
    machine: &mut Machine,
    goal: Goal,
    out: &mut String,
    watch: &mut dyn Watch,
) -> Result<Stopped, String> {
    check_running(monitor)?;
    reverse::before_run(monitor, machine);
    let temporary = goal
        .target
        .map(|t| t.addr)
        .filter(|&addr| !points::has_virtual_breakpoint(monitor, addr));
    if let Some(addr) = temporary {
        machine.cpu.add_breakpoint(Breakpoint {
            addr,
            physical: false,
        });
    }
    let stopped = if goal.echo || monitor.trace.is_some() {
        run_single(monitor, machine, &goal, out, watch)
    } else {
        run_slices(monitor, machine, &goal, watch)
    };
    if let Some(addr) = temporary {
        machine.cpu.remove_breakpoint(Breakpoint {
            addr,
            physical: false,
        });
    }
    if let Some(trace) = monitor.trace.as_mut() {
        if let Err(e) = trace.file.flush() {
            trace.error.get_or_insert(e.to_string());
        }
        if let Some(error) = trace.error.take() {
            let path = trace.path.clone();
            monitor.trace = None;
            out.push_str(&format!("trace to {path} stopped: {error}\n"));
        }
    }
    Ok(stopped)
}

/// Refuses to run a guest that has exited.
fn check_running(monitor: &Monitor) -> Result<(), String> {
    match monitor.exit {
        Some(Exit::Guest(status)) => Err(format!(
            "the guest has exited (status {status}); 'reset' starts it again"
        )),
        _ => Ok(()),
    }
}

/// `continue` when the front end runs the machine: runs the instruction at the PC with any
/// breakpoint on it lifted, so that the front end's run, which stops at a breakpoint before
/// its instruction, does not stop there at once. The report if that instruction stopped the
/// machine already (a watchpoint, a break-on exception, the guest's exit).
pub(super) fn step_off(
    monitor: &mut Monitor,
    machine: &mut Machine,
) -> Result<Option<String>, String> {
    check_running(monitor)?;
    reverse::before_run(monitor, machine);
    let before = Before::take(machine);
    let stop = single(monitor, machine, true, &before);
    reverse::ran(monitor, machine);
    Ok(classify(monitor, machine, stop, None).map(|stopped| {
        let mut out = String::new();
        report(machine, &stopped, &mut out);
        out
    }))
}

/// One instruction at a time, each printed or traced.
fn run_single(
    monitor: &mut Monitor,
    machine: &mut Machine,
    goal: &Goal,
    out: &mut String,
    watch: &mut dyn Watch,
) -> Stopped {
    let mut done = 0;
    // The breakpoints at the PC are lifted for the first instruction, and after a breakpoint
    // that let the run go on (its condition false).
    let mut lift = true;
    let stopped = loop {
        if goal.steps.is_some_and(|n| done >= n) {
            break Stopped::Finished;
        }
        if monitor.interrupted(machine, watch) {
            break Stopped::Interrupted;
        }
        let before = Before::take(machine);
        let stop = single(monitor, machine, lift, &before);
        reverse::ran(monitor, machine);
        lift = matches!(stop, DebugStop::Breakpoint(_));
        if machine.cpu.instructions() > before.insns {
            done += 1;
            let (text, changed) = before.executed(machine);
            if goal.echo && done <= ECHO_LIMIT {
                out.push_str(&text);
                out.push('\n');
            }
            if let Some(trace) = monitor.trace.as_mut() {
                trace.write(&format!("{text:<60}  {changed}"));
            }
        }
        if let Some(stopped) = classify(monitor, machine, stop, goal.target) {
            break stopped;
        }
    };
    if goal.echo && done > ECHO_LIMIT {
        out.push_str(&format!(
            "({} more instructions not shown)\n",
            done - ECHO_LIMIT
        ));
    }
    stopped
}

/// The first instruction on its own (breakpoints at the PC lifted), then slices; after a
/// breakpoint that lets the run go on, again one instruction with it lifted.
fn run_slices(
    monitor: &mut Monitor,
    machine: &mut Machine,
    goal: &Goal,
    watch: &mut dyn Watch,
) -> Stopped {
    let mut lift = true;
    loop {
        let stop = if lift {
            let before = Before::take(machine);
            single(monitor, machine, true, &before)
        } else {
            if monitor.interrupted(machine, watch) {
                return Stopped::Interrupted;
            }
            let limit = capped(monitor, machine.cpu.instructions() + SLICE);
            machine.run_debug(Some(limit))
        };
        reverse::ran(monitor, machine);
        if let Some(stopped) = classify(monitor, machine, stop, goal.target) {
            return stopped;
        }
        lift = matches!(stop, DebugStop::Breakpoint(_));
    }
}

fn times(n: u64) -> String {
    if n == 1 {
        "1 time".to_string()
    } else {
        format!("{n} times")
    }
}

/// Says why a run stopped, then where the machine stands.
pub(super) fn report(machine: &Machine, stopped: &Stopped, out: &mut String) {
    reason(machine, stopped, out);
    out.push_str(&memory::location(machine));
}

/// Says why a run stopped (nothing if it simply finished).
pub(super) fn reason(machine: &Machine, stopped: &Stopped, out: &mut String) {
    let cpu = &machine.cpu;
    let lr = cpu.reg(14);
    let spsr_thumb = cpu
        .spsr_of(cpu.mode())
        .is_some_and(|s| s & crate::cpu::psr::T != 0);
    match stopped {
        Stopped::Finished => {}
        Stopped::Breakpoint { pc, hits } if hits.is_empty() => {
            out.push_str(&format!(
                "stopped at a breakpoint at {}\n",
                memory::addr_text(machine, *pc)
            ));
        }
        Stopped::Breakpoint { pc, hits } => {
            for h in hits {
                let what = if h.temporary {
                    "temporary breakpoint"
                } else {
                    "breakpoint"
                };
                out.push_str(&format!(
                    "{what} {} at {}, hit {}{}\n",
                    h.number,
                    memory::addr_text(machine, *pc),
                    times(h.hits),
                    if h.temporary { " (deleted)" } else { "" }
                ));
                if let Some(error) = &h.error {
                    out.push_str(&format!("{error}\n"));
                }
            }
        }
        Stopped::Watchpoint { hit, hits } => {
            let w = hit.watchpoint;
            let access = match hit.access {
                WatchKind::Write => "write",
                _ => "read",
            };
            let value = watched_value(machine, w.addr, w.len, w.physical);
            let what = points::describe(&Kind::Watch(w));
            let which = if hits.is_empty() {
                format!("a watchpoint ({what})")
            } else {
                hits.iter()
                    .map(|h| format!("watchpoint {} ({what}), hit {}", h.number, times(h.hits)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let at = if w.physical {
                format!("0x{:08x}", hit.addr)
            } else {
                memory::addr_text(machine, hit.addr)
            };
            out.push_str(&format!("{which}: {access} at {at}; {value}\n"));
            for error in hits.iter().filter_map(|h| h.error.as_ref()) {
                out.push_str(&format!("{error}\n"));
            }
        }
        Stopped::Exception(exception) => {
            let text = match exception {
                Exception::Undefined => format!(
                    "undefined instruction at 0x{:08x}",
                    lr.wrapping_sub(if spsr_thumb { 2 } else { 4 })
                ),
                Exception::Swi => format!(
                    "SWI at 0x{:08x}",
                    lr.wrapping_sub(if spsr_thumb { 2 } else { 4 })
                ),
                Exception::PrefetchAbort => format!(
                    "prefetch abort at 0x{:08x}: IFSR 0x{:03x}, {}",
                    lr.wrapping_sub(4),
                    cpu.cp15.ifsr,
                    status::name(cpu.cp15.ifsr & 0xF)
                ),
                Exception::DataAbort => format!(
                    "data abort by the instruction at 0x{:08x}: DFSR 0x{:03x}, {} (domain {}), FAR 0x{:08x}",
                    lr.wrapping_sub(8),
                    cpu.cp15.dfsr,
                    status::name(cpu.cp15.dfsr & 0xF),
                    (cpu.cp15.dfsr >> 4) & 0xF,
                    cpu.cp15.far
                ),
                Exception::Irq => format!("IRQ taken; it returns to 0x{:08x}", lr.wrapping_sub(4)),
                Exception::Fiq => format!("FIQ taken; it returns to 0x{:08x}", lr.wrapping_sub(4)),
                Exception::Reset => "reset".to_string(),
            };
            out.push_str(&format!("caught: {text}\n"));
        }
        Stopped::Unclaimed(u) => out.push_str(&format!(
            "caught: {} of physical 0x{:08x}, which nothing answers, by the instruction at 0x{:08x} (the CPU took the abort)\n",
            if u.write { "write" } else { "read" },
            u.addr,
            u.pc
        )),
        Stopped::Exited(Exit::Guest(status)) => {
            out.push_str(&format!("the guest exited with status {status}\n"));
        }
        Stopped::Exited(
            exit @ (Exit::Halted(_)
            | Exit::Reset
            | Exit::NoSemihosting { .. }
            | Exit::OsCall { .. }
            | Exit::Diverged(_)),
        ) => {
            out.push_str(&format!("{}\n", exit.reason()));
        }
        Stopped::Exited(exit @ Exit::InstructionLimit) => {
            out.push_str(&format!("{} (--max-insns)\n", exit.reason()));
        }
        Stopped::Interrupted => out.push_str("interrupted\n"),
    }
}

/// The value of a watched range, as `value 0x0000002a` (its first word, halfword or byte).
fn watched_value(machine: &Machine, addr: u32, len: u32, physical: bool) -> String {
    let size = if len >= 4 && addr.is_multiple_of(4) {
        Size::Word
    } else if len >= 2 && addr.is_multiple_of(2) {
        Size::Half
    } else {
        Size::Byte
    };
    match memory::read(machine, addr, size, physical) {
        Ok(value) => format!("value now 0x{value:0w$x}", w = 2 * size.bytes() as usize),
        Err(e) => format!("value unreadable ({e})"),
    }
}

/// Runs toward `goal` and reports.
fn go(
    monitor: &mut Monitor,
    machine: &mut Machine,
    goal: Goal,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    let mut out = String::new();
    let stopped = run(monitor, machine, goal, &mut out, watch)?;
    report(machine, &stopped, &mut out);
    Ok(out)
}

/// An optional count argument (1 when absent).
pub(super) fn optional_count(mut args: Args) -> Result<u64, String> {
    let n = match args.next() {
        Some(text) => parse::count(text)?,
        None => 1,
    };
    args.finish()?;
    Ok(n)
}

/// `step [N]`.
pub(super) fn step(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    let n = optional_count(args)?;
    go(
        monitor,
        machine,
        Goal {
            steps: Some(n),
            target: None,
            echo: true,
        },
        watch,
    )
}

/// The return address of the call at the PC, if the instruction there is one.
fn call_return(machine: &Machine) -> Option<u32> {
    call_return_at(machine, machine.cpu.pc(), machine.cpu.is_thumb())
}

/// The return address of the call at `pc` (Thumb if `thumb`), if the instruction there is one.
pub(super) fn call_return_at(machine: &Machine, pc: u32, thumb: bool) -> Option<u32> {
    if thumb {
        let half = |addr: u32| memory::read(machine, addr, Size::Half, false).ok();
        let first = half(pc)?;
        if first & 0xF800 == 0xF000
            && half(pc.wrapping_add(2)).is_some_and(|h| h & 0xE800 == 0xE800)
        {
            return Some(pc.wrapping_add(4));
        }
        // BLX register (format 5, H1 set).
        (first & 0xFF87 == 0x4780).then(|| pc.wrapping_add(2))
    } else {
        let word = memory::read(machine, pc, Size::Word, false).ok()?;
        let cond = word >> 28;
        let bl = cond != 0xF && (word >> 24) & 0xF == 0xB;
        let blx_label = word >> 25 == 0b111_1101;
        let blx_register = cond != 0xF && word & 0x0FFF_FFF0 == 0x012F_FF30;
        (bl || blx_label || blx_register).then(|| pc.wrapping_add(4))
    }
}

/// `next [N]`.
pub(super) fn next(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    let n = optional_count(args)?;
    let mut out = String::new();
    for _ in 0..n {
        let stopped = match call_return(machine) {
            Some(ret) => {
                out.push_str(&line(machine, machine.cpu.pc(), machine.cpu.is_thumb()).0);
                out.push('\n');
                let goal = Goal {
                    steps: None,
                    target: Some(Target {
                        addr: ret,
                        sp_min: Some(machine.cpu.reg(13)),
                    }),
                    echo: false,
                };
                run(monitor, machine, goal, &mut out, watch)?
            }
            None => {
                let goal = Goal {
                    steps: Some(1),
                    target: None,
                    echo: true,
                };
                run(monitor, machine, goal, &mut out, watch)?
            }
        };
        if !matches!(stopped, Stopped::Finished) {
            report(machine, &stopped, &mut out);
            return Ok(out);
        }
    }
    out.push_str(&memory::location(machine));
    Ok(out)
}

/// `continue`.
pub(super) fn cont(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    args.finish()?;
    go(
        monitor,
        machine,
        Goal {
            steps: None,
            target: None,
            echo: false,
        },
        watch,
    )
}

/// `until ADDR`.
pub(super) fn until(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    let addr = parse::eval(machine, args.required("address")?)?;
    args.finish()?;
    go(
        monitor,
        machine,
        Goal {
            steps: None,
            target: Some(Target { addr, sp_min: None }),
            echo: false,
        },
        watch,
    )
}

/// Closes the trace, saying how much it wrote.
fn close_trace(monitor: &mut Monitor) -> Result<String, String> {
    let Some(mut trace) = monitor.trace.take() else {
        return Ok(String::new());
    };
    trace
        .file
        .flush()
        .map_err(|e| format!("{}: {e}", trace.path))?;
    Ok(format!(
        "trace to {} closed: {} instructions\n",
        trace.path, trace.count
    ))
}

/// `trace FILE [N]` and `trace off`.
pub(super) fn trace(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
    watch: &mut dyn Watch,
) -> Result<String, String> {
    let what = args.required("a file or 'off'")?;
    let count = args.next().map(parse::count).transpose()?;
    args.finish()?;
    let mut out = close_trace(monitor)?;
    if what == "off" {
        if count.is_some() {
            return Err("'trace off' takes nothing more".to_string());
        }
        if out.is_empty() {
            out.push_str("no trace is open\n");
        }
        return Ok(out);
    }
    let file = File::create(what).map_err(|e| format!("{what}: {e}"))?;
    monitor.trace = Some(Trace {
        file: BufWriter::new(file),
        path: what.to_string(),
        count: 0,
        error: None,
    });
    let Some(n) = count else {
        out.push_str(&format!("tracing to {what}\n"));
        return Ok(out);
    };
    let goal = Goal {
        steps: Some(n),
        target: None,
        echo: false,
    };
    let stopped = run(monitor, machine, goal, &mut out, watch);
    out.push_str(&close_trace(monitor)?);
    report(machine, &stopped?, &mut out);
    Ok(out)
}

/// `save FILE`.
pub(super) fn save(machine: &Machine, mut args: Args) -> Result<String, String> {
    let path = args.required("file")?;
    args.finish()?;
    crate::snapshot::save(machine, std::path::Path::new(path))?;
    Ok(format!("saved the state to {path}\n"))
}

/// `load FILE`.
pub(super) fn load(
    monitor: &mut Monitor,
    machine: &mut Machine,
    mut args: Args,
) -> Result<String, String> {
    let path = args.required("file")?;
    args.finish()?;
    crate::snapshot::load(machine, std::path::Path::new(path))?;
    monitor.exit = None;
    Ok(format!(
        "loaded the state in {path}\n{}",
        memory::location(machine)
    ))
}

/// `reset`.
pub(super) fn reset(
    monitor: &mut Monitor,
    machine: &mut Machine,
    args: Args,
) -> Result<String, String> {
    args.finish()?;
    let Some(factory) = monitor.reset.as_mut() else {
        return Err("this monitor has no way to rebuild the machine".to_string());
    };
    *machine = factory()?;
    monitor.exit = None;
    monitor.sync(machine);
    let cpu = &machine.cpu;
    Ok(format!(
        "reset: {} mode, cpsr {}\n{}",
        cpu.mode().name(),
        psr_text(cpu.cpsr()),
        memory::location(machine)
    ))
}
