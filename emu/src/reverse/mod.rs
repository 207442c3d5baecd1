//! Reverse execution: the machine's past kept as checkpoints taken every so many instructions,
//! plus the journal of the host's inputs since the first ([`journal`]), so that any past
//! instruction count can be reached again by loading the checkpoint before it and running on:
//! a run is a function of its inputs (docs/design.md section 10), and the journal gives them
//! back.
//!
//! Checkpoints are compact, kept in a [`Deltas`] store: memory whole once, as it is at the
//! latest checkpoint; each older checkpoint keeps only the pages that differ from the
//! checkpoint after it, as they were (an undo record, deflated: checkpoints are far apart), and
//! the CPU and devices as the saved state's text (deflated). A checkpoint compares only the
//! pages written since the one before. Going back to checkpoint `i` copies memory and undoes
//! the records from the latest down to `i`. The oldest checkpoints are dropped when the
//! history outgrows its budget.
//!
//! What is not reversible: what the host did outside the guest. A semihosting call's or an
//! Ndless OS call's answer is journaled and given again, but a host file it wrote stays written;
//! the guest's output is not printed again. Changing the machine in the past (a register or
//! memory written by a debugger, a key pressed) starts a new future there: the old one is
//! forgotten. That is refused before an Ndless program's OS calls, whose host side (open files,
//! the programs `nl_exec` runs) cannot go back with the machine. A front end's run between two
//! debugger commands (frames in the window, with keys) is taken on, though without checkpoints
//! inside it.

pub mod journal;

use crate::cpu::{Breakpoint, Exception, Watchpoint};
use crate::deltas::{Deltas, Pages};
use crate::dirty::Taker;
use crate::machine::{DebugStop, Exit, Machine};
use journal::{Journal, Mark, Position};

/// Instructions between two checkpoints by default: 1/16 s of the CX's 132 MHz, a few
/// hundredths of a second to run again on the interpreter.
pub const INTERVAL: u64 = 1 << 23;
/// The bytes the checkpoints may hold (beyond the reference copy of memory) before the oldest
/// are dropped.
pub const BUDGET: usize = 256 << 20;

/// Where a checkpoint stands (its state is the store's).
struct Checkpoint {
    instructions: u64,
    cycles: u64,
    /// Where the journal stood.
    mark: Mark,
}

/// Where a history found the machine, for the monitor and the GDB stub to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A breakpoint or watchpoint stop, at this instruction count (the machine stands there).
    Hit(DebugStop),
    /// Nothing before: the machine stands at the start of the history.
    Start,
}

/// The past of a run.
pub struct History {
    checkpoints: Deltas<Checkpoint>,
    interval: u64,
    budget: usize,
    /// The latest instruction count a run reached: how far forward `goto` goes.
    furthest: u64,
    /// Where the machine stood when the history last let it go: if it is elsewhere when the
    /// history is next asked, something else ran or changed it.
    left_at: (u64, u64),
}

fn position(machine: &Machine) -> (u64, u64) {
    (machine.cpu.instructions(), machine.cpu.cycles())
}

impl History {
    /// Starts a history at the machine's present, with a checkpoint every `interval`
    /// instructions and at most `budget` bytes of checkpoints.
    pub fn start(machine: &mut Machine, interval: u64, budget: usize) -> Result<History, String> {
        machine.journal = Some(Journal::new(machine.cpu.cycles()));
        let mut history = History {
            checkpoints: Deltas::new(Taker::Reverse, Pages::Deflated),
            interval: interval.max(1),
            budget,
            furthest: machine.cpu.instructions(),
            left_at: position(machine),
        };
        history.push(machine)?;
        Ok(history)
    }

    /// Why the machine cannot be changed where it stands (a register, memory), if it cannot:
    /// in the past of an Ndless program's OS calls.
    pub fn may_change(&self, machine: &Machine) -> Result<(), String> {
        match machine.journal.as_ref() {
            Some(journal) if self.is_current(machine) && journal.os_calls_ahead() => Err(format!(
                "the machine cannot be changed here: the Ndless program's OS calls after \
                 this point changed the host's side (files, programs run) for good; `goto {}` \
                 first",
                self.furthest
            )),
            _ => Ok(()),
        }
    }

    /// The oldest instruction count the history reaches, and the latest a run reached.
    pub fn span(&self) -> (u64, u64) {
        let first = self
            .checkpoints
            .notes()
            .next()
            .map_or(0, |c| c.instructions);
        (first, self.furthest)
    }

    /// Checkpoints kept, and the bytes they and the journal hold (the reference copy of memory
    /// apart).
    pub fn cost(&self, machine: &Machine) -> (usize, usize) {
        let journal = machine.journal.as_ref().map_or(0, Journal::size);
        (self.checkpoints.len(), self.checkpoints.bytes() + journal)
    }

    /// The bytes of memory the reference copy holds.
    pub fn reference_bytes(&self) -> usize {
        self.checkpoints.memory_bytes()
    }

    /// Whether the machine is where the history left it (nothing else ran or changed it).
    pub fn is_current(&self, machine: &Machine) -> bool {
        machine
            .journal
            .as_ref()
            .is_some_and(|journal| !journal.diverged())
            && position(machine) == self.left_at
    }

    /// Takes on a run the history did not watch (a front end's frames between two monitor
    /// commands, keys pressed in them) if it can replay it: the machine went only forward, with
    /// the journal taking the host's inputs. A key given in the past started a new future
    /// there, which the history follows. Returns whether the history covers the machine now.
    pub fn adopt(&mut self, machine: &mut Machine) -> bool {
        let (instructions, cycles) = position(machine);
        let forward = instructions >= self.left_at.0 && cycles >= self.left_at.1;
        let Some(journal) = machine.journal.as_mut().filter(|_| forward) else {
            return false;
        };
        if let Some(at) = journal.take_divergence() {
            self.forget_after(at);
            self.furthest = at.0;
        }
        self.ran(machine).is_ok()
    }

    /// Forgets the checkpoints at and after `at` (keeping the first): the run after it is
    /// another.
    fn forget_after(&mut self, at: Position) {
        let keep = self
            .checkpoints
            .notes()
            .take_while(|c| (c.instructions, c.cycles) < at)
            .count()
            .max(1);
        self.checkpoints.truncate(keep);
    }

    /// Notes that the machine ran forward under the history's watch: takes a checkpoint if the
    /// latest is `interval` instructions behind and the machine is past it.
    pub fn ran(&mut self, machine: &mut Machine) -> Result<(), String> {
        let latest = self
            .checkpoints
            .notes()
            .last()
            .map_or(0, |c| c.instructions);
        if machine.cpu.instructions() >= latest + self.interval {
            self.push(machine)?;
        }
        self.furthest = self.furthest.max(machine.cpu.instructions());
        self.left_at = position(machine);
        Ok(())
    }

    /// A debugger changed the machine (a register, memory): its present becomes the end of
    /// the history, whose later checkpoints and journal are forgotten, and a checkpoint holds
    /// the change. Before an Ndless program's OS calls ([`History::may_change`]) the history
    /// ends instead, and the machine keeps no journal.
    pub fn changed(&mut self, machine: &mut Machine) -> Result<(), String> {
        if let Err(e) = self.may_change(machine) {
            // Changed anyway (gdb writes first): the journal's future is not this machine's.
            machine.journal = None;
            return Err(e);
        }
        let (instructions, cycles) = position(machine);
        self.forget_after((instructions, cycles));
        if let Some(journal) = machine.journal.as_mut() {
            journal.truncate(cycles);
        }
        if self.checkpoints.len() == 1 && self.checkpoints.note(0).instructions == instructions {
            // The change is at the history's start: it starts again with it.
            self.checkpoints.truncate(0);
        }
        self.push(machine)?;
        self.furthest = instructions;
        self.left_at = position(machine);
        Ok(())
    }

    /// Takes a checkpoint of the machine's present.
    fn push(&mut self, machine: &mut Machine) -> Result<(), String> {
        let mark = machine.journal.as_ref().map(Journal::mark);
        let checkpoint = Checkpoint {
            instructions: machine.cpu.instructions(),
            cycles: machine.cpu.cycles(),
            mark: mark.ok_or("the machine keeps no journal")?,
        };
        self.checkpoints.push(machine, checkpoint)?;
        // The oldest go when the history outgrows its budget; the latest two always stay.
        while self.checkpoints.len() > 2 && self.checkpoints.bytes() > self.budget {
            self.checkpoints.drop_oldest();
        }
        Ok(())
    }

    /// Puts the machine back at checkpoint `index`.
    fn restore(&self, machine: &mut Machine, index: usize) -> Result<(), String> {
        self.checkpoints.restore(machine, index)?;
        if let Some(journal) = machine.journal.as_mut() {
            journal.rewind(self.checkpoints.note(index).mark);
        }
        Ok(())
    }

    /// The latest checkpoint at or before instruction count `n`.
    fn checkpoint_before(&self, n: u64) -> usize {
        self.checkpoints
            .notes()
            .rposition(|c| c.instructions <= n)
            .unwrap_or(0)
    }

    /// Takes the machine to instruction count `n` (at most the present's), by loading the
    /// checkpoint before it and running on with breakpoints and watchpoints lifted. Before the
    /// history's start it goes to the start. Returns the count reached.
    pub fn goto(&mut self, machine: &mut Machine, n: u64) -> Result<u64, String> {
        let index = self.checkpoint_before(n);
        let now = machine.cpu.instructions();
        // Running on from the present is quicker when no checkpoint lies between.
        if !(self.checkpoints.note(index).instructions <= now && now <= n) {
            self.restore(machine, index)?;
        }
        let lifted = Lifted::take(machine);
        let stop = machine.run_debug(Some(n));
        lifted.put_back(machine);
        self.left_at = position(machine);
        match stop {
            DebugStop::Exit(Exit::InstructionLimit) => Ok(machine.cpu.instructions()),
            // The guest exited at n, as it did the first time.
            DebugStop::Exit(_) if machine.cpu.instructions() == n => Ok(n),
            other => Err(format!(
                "running again from the checkpoint at {} instructions stopped at {} ({other:?}) \
                 before {n}",
                self.checkpoints.note(index).instructions,
                machine.cpu.instructions()
            )),
        }
    }

    /// Finds the last stop of the machine's breakpoints, watchpoints (and break-on
    /// conditions) before the present, and takes the machine there; or to the history's start
    /// if there is none. `accept` may refuse a stop (a `next`'s frame condition), given the
    /// machine as it stands there. `keep_going` is asked between the runs the search makes (a
    /// front end kept live meanwhile); false stops the search, taking the machine back to the
    /// present, with an error saying so.
    pub fn find_last_stop(
        &mut self,
        machine: &mut Machine,
        accept: impl FnMut(&Machine, DebugStop) -> bool,
        keep_going: impl FnMut(&Machine) -> bool,
    ) -> Result<Found, String> {
        // A profile counts what the guest does, not what the history runs again.
        let mut profiler = machine.profiler.take();
        let found = self.search(machine, accept, keep_going);
        if let Some(profiler) = profiler.as_mut() {
            profiler.travelled();
        }
        machine.profiler = profiler;
        found
    }

    fn search(
        &mut self,
        machine: &mut Machine,
        mut accept: impl FnMut(&Machine, DebugStop) -> bool,
        mut keep_going: impl FnMut(&Machine) -> bool,
    ) -> Result<Found, String> {
        let now = machine.cpu.instructions();
        let mut end = now;
        let mut index = self.checkpoint_before(now.saturating_sub(1));
        loop {
            self.restore(machine, index)?;
            // A breakpoint stops before its instruction, a watchpoint after: a later segment
            // owns a breakpoint at its start and a watchpoint at its end, the present neither.
            let owns_end = end != now;
            let mut last = None;
            let start = machine.cpu.instructions();
            let pc = machine.cpu.pc();
            let at_start = DebugStop::Breakpoint(pc);
            let breakpoint_here = machine
                .cpu
                .breakpoints()
                .iter()
                .any(|b| !b.physical && b.addr == pc);
            if start < end && breakpoint_here && accept(machine, at_start) {
                last = Some((start, at_start));
            }
            while machine.cpu.instructions() < end {
                if !keep_going(machine) {
                    self.goto(machine, now)?;
                    return Err(format!("interrupted, back at instruction {now}"));
                }
                let stop = step_past(machine, end);
                let here = machine.cpu.instructions();
                let within = match stop {
                    DebugStop::Exit(Exit::InstructionLimit) => false,
                    DebugStop::Exit(_) => break,
                    DebugStop::Breakpoint(_) => here < end,
                    _ => here < end || (owns_end && here == end),
                };
                if within && accept(machine, stop) {
                    last = Some((here, stop));
                }
            }
            if let Some((count, stop)) = last {
                self.goto(machine, count)?;
                return Ok(Found::Hit(stop));
            }
            if index == 0 {
                self.goto(machine, self.checkpoints.note(0).instructions)?;
                return Ok(Found::Start);
            }
            end = self.checkpoints.note(index).instructions;
            index -= 1;
        }
    }
}

/// Runs from the present toward `end`, first stepping one instruction with any breakpoint at
/// the PC lifted (so a breakpoint where the machine stands does not stop it again).
fn step_past(machine: &mut Machine, end: u64) -> DebugStop {
    let pc = machine.cpu.pc();
    let at_pc: Vec<Breakpoint> = machine
        .cpu
        .breakpoints()
        .into_iter()
        .filter(|b| !b.physical && b.addr == pc)
        .collect();
    for b in &at_pc {
        machine.cpu.remove_breakpoint(*b);
    }
    let first = machine.run_debug(Some(machine.cpu.instructions() + 1));
    for b in at_pc {
        machine.cpu.add_breakpoint(b);
    }
    match first {
        DebugStop::Exit(Exit::InstructionLimit) if machine.cpu.instructions() < end => {
            machine.run_debug(Some(end))
        }
        other => other,
    }
}

/// A debugger's breakpoints, watchpoints and break-on conditions, lifted while the history
/// runs the machine to a point.
struct Lifted {
    breakpoints: Vec<Breakpoint>,
    watchpoints: Vec<Watchpoint>,
    break_on: Vec<Exception>,
    unclaimed: bool,
    /// A profile being taken counts what the guest does, not what the history runs again.
    profiler: Option<Box<crate::profile::Profiler>>,
}

impl Lifted {
    fn take(machine: &mut Machine) -> Lifted {
        let cpu = &mut machine.cpu;
        let lifted = Lifted {
            breakpoints: cpu.breakpoints(),
            watchpoints: cpu.watchpoints(),
            break_on: std::mem::take(&mut cpu.break_on),
            unclaimed: std::mem::take(&mut machine.break_on_unclaimed),
            profiler: machine.profiler.take(),
        };
        for &b in &lifted.breakpoints {
            cpu.remove_breakpoint(b);
        }
        for &w in &lifted.watchpoints {
            cpu.remove_watchpoint(w);
        }
        lifted
    }

    fn put_back(self, machine: &mut Machine) {
        for b in self.breakpoints {
            machine.cpu.add_breakpoint(b);
        }
        for w in self.watchpoints {
            machine.cpu.add_watchpoint(w);
        }
        machine.cpu.break_on = self.break_on;
        machine.break_on_unclaimed = self.unclaimed;
        machine.profiler = self.profiler.map(|mut profiler| {
            profiler.travelled();
            profiler
        });
    }
}
