//! The journal: every input from the host a run took, where it took it, so that running again
//! from a checkpoint gives the guest the same inputs and the same run.
//!
//! A run depends only on its inputs (docs/design.md section 10). Those that come from the host
//! are the UART's input, the keys and the touchpad (from a window, a key script or a test),
//! and the calls the host answers: semihosting, and an Ndless program's OS calls, whose answers
//! come from the host's files, clock and terminal. All are journaled here. A device's input is
//! kept with the position it was given at (instruction count and cycle) and whether the
//! devices' events due there had fired yet, so that a replay stops the CPU at that very point
//! and gives it in the same order; a call is kept as what it did to the guest (its answer, the
//! bytes it wrote to guest memory, the device registers it set). Replaying gives back the same
//! inputs and answers without asking the host again: a file is not read twice, a line typed is
//! not waited for again, the guest's output is not printed twice.
//!
//! The journal's frontier is the latest cycle a run reached: before it the machine replays,
//! at it the host's inputs are live again and journaled. A key pressed while the machine
//! replays its past starts a new future there: the journal forgets what came after, and says
//! where ([`Journal::take_divergence`]) so the history forgets its later checkpoints too.

use devices::touchpad::Touch;

use crate::guest::{DeviceWrite, GuestMemory, MemoryError};
use crate::ndless::Answer;

/// A position in a run: instructions executed, cycles elapsed.
pub type Position = (u64, u64);

/// An input the host gives a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Bytes to the UART's receiver.
    Uart(Vec<u8>),
    /// A key of the keypad's matrix pressed or released.
    Key {
        row: usize,
        col: usize,
        pressed: bool,
    },
    /// The ON key pressed or released.
    On(bool),
    /// What the finger does on the touchpad.
    Touch(Touch),
}

/// One input from the host.
#[derive(Clone, Debug)]
enum Entry {
    /// An input given to a device at `at`, before the devices' events due there fired if
    /// `before_events`.
    Input {
        at: Position,
        before_events: bool,
        input: Input,
    },
    /// A call the host answered (semihosting, an Ndless OS call) at `cycles`, as what it did.
    Call { cycles: u64, effect: CallEffect },
}

/// What a host call did to the guest.
#[derive(Clone, Debug, Default)]
pub struct CallEffect {
    /// Guest memory and devices written, in order.
    pub writes: Vec<Write>,
    /// What the call answered.
    pub result: CallResult,
}

/// A write a host call made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// Bytes at a virtual address, through the CPU's translation.
    Virtual(u32, Vec<u8>),
    /// A device's state or RAM, by physical address.
    Device(DeviceWrite),
}

impl Write {
    fn size(&self) -> usize {
        match self {
            Write::Virtual(_, bytes) | Write::Device(DeviceWrite::Ram(_, bytes)) => bytes.len() + 8,
            Write::Device(_) => 8,
        }
    }

    /// Does the write again through `memory`.
    pub fn apply(&self, memory: &mut dyn GuestMemory) {
        // Each was made at this point of the run before, through the same mapping.
        let _ = match self {
            Write::Virtual(addr, bytes) => memory.write_bytes(*addr, bytes),
            Write::Device(write) => memory.write_device(write),
        };
    }
}

#[derive(Clone, Copy, Debug)]
pub enum CallResult {
    /// Semihosting: r0 on return.
    Return(u32),
    /// Semihosting: the guest asked to exit with this status.
    Exit(i32),
    /// An Ndless OS call's answer.
    Os(Answer),
}

impl Default for CallResult {
    fn default() -> Self {
        CallResult::Return(0)
    }
}

/// Where a checkpoint stands in the journal, to take up the journal there again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    next: usize,
    output: u64,
}

/// The host's inputs of a run, in order.
#[derive(Debug)]
pub struct Journal {
    entries: Vec<Entry>,
    /// The next entry the machine's run comes to.
    next: usize,
    /// The latest cycle a run reached: the present.
    frontier: u64,
    /// Bytes the guest has sent to the UART so far in this run...
    output: u64,
    /// ...and how many of them the host has been shown (replayed output is not shown again).
    shown: u64,
    /// Where a live input given in the past started a new future, not yet told the history.
    diverged: Option<Position>,
    /// The index of the last input among the entries, if there is one.
    last_input: Option<usize>,
}

impl Journal {
    /// An empty journal whose present is `cycles`.
    pub fn new(cycles: u64) -> Journal {
        Journal {
            entries: Vec::new(),
            next: 0,
            frontier: cycles,
            output: 0,
            shown: 0,
            diverged: None,
            last_input: None,
        }
    }

    /// Whether a machine at `cycles` replays its past (host input is not taken, output not
    /// shown, journaled answers are given).
    pub fn replaying(&self, cycles: u64) -> bool {
        cycles < self.frontier || self.next < self.entries.len()
    }

    /// The machine ran to `cycles`.
    pub fn reached(&mut self, cycles: u64) {
        if self.next == self.entries.len() {
            self.frontier = self.frontier.max(cycles);
        }
    }

    /// The next input due at `now` (the CPU waiting for an interrupt if `waiting`), if the run
    /// comes to one there; with `before_events`, only one given before the devices' events.
    pub fn replay_input(
        &mut self,
        now: Position,
        waiting: bool,
        before_events: bool,
    ) -> Option<Input> {
        let Some(Entry::Input {
            at,
            before_events: before,
            input,
        }) = self.entries.get(self.next)
        else {
            return None;
        };
        // A running CPU passes an instruction count at one cycle; a waiting one stays on it
        // while the cycles pass.
        let due = at.0 < now.0 || (at.0 == now.0 && (at.1 <= now.1 || !waiting));
        if !due || (before_events && !before) {
            return None;
        }
        let input = input.clone();
        self.next += 1;
        Some(input)
    }

    /// Where the next input is due, if the run comes to one before any call: the replay stops
    /// the CPU there.
    pub fn next_input(&self) -> Option<Position> {
        match self.entries.get(self.next) {
            Some(Entry::Input { at, .. }) => Some(*at),
            _ => None,
        }
    }

    /// Whether inputs are still to come from the journal (they may wake a waiting CPU).
    pub fn inputs_ahead(&self) -> bool {
        self.last_input.is_some_and(|last| last >= self.next)
    }

    /// Notes a live input given at `at`, before the devices' events due there fired if
    /// `before_events`. Given while the machine replays its past, it starts a new future there.
    pub fn record_input(&mut self, at: Position, before_events: bool, input: Input) {
        if self.replaying(at.1) {
            self.diverged = Some(at);
            self.truncate(at.1);
        }
        self.forget_ahead();
        self.last_input = Some(self.entries.len());
        self.entries.push(Entry::Input {
            at,
            before_events,
            input,
        });
        self.next = self.entries.len();
    }

    /// Whether an Ndless program's OS calls lie ahead: their host side (files written, programs
    /// run) stands as the present has it, so the past cannot start another future.
    pub fn os_calls_ahead(&self) -> bool {
        self.entries[self.next.min(self.entries.len())..]
            .iter()
            .any(|e| {
                matches!(
                    e,
                    Entry::Call {
                        effect: CallEffect {
                            result: CallResult::Os(_),
                            ..
                        },
                        ..
                    }
                )
            })
    }

    /// Whether a live input given in the past started a new future the history was not told of.
    pub fn diverged(&self) -> bool {
        self.diverged.is_some()
    }

    /// Where a live input given in the past started a new future since the last call, if one
    /// did.
    pub fn take_divergence(&mut self) -> Option<Position> {
        self.diverged.take()
    }

    /// The journaled answer of the host call made at `cycles`, if the run comes to one
    /// there.
    pub fn replay_call(&mut self, cycles: u64) -> Option<CallEffect> {
        match self.entries.get(self.next) {
            Some(Entry::Call { cycles: at, effect }) if *at == cycles => {
                self.next += 1;
                Some(effect.clone())
            }
            _ => None,
        }
    }

    /// Notes what a live host call at `cycles` did.
    pub fn record_call(&mut self, cycles: u64, effect: CallEffect) {
        self.forget_ahead();
        self.entries.push(Entry::Call { cycles, effect });
        self.next = self.entries.len();
    }

    /// Of `len` bytes the guest just sent to the UART, how many at the end the host has not
    /// been shown yet (a replay sends again what was shown).
    pub fn output(&mut self, len: usize) -> usize {
        let start = self.output;
        self.output += len as u64;
        let fresh = self.output.saturating_sub(self.shown.max(start));
        self.shown = self.shown.max(self.output);
        fresh as usize
    }

    /// Where the machine stands in the journal now.
    pub fn mark(&self) -> Mark {
        Mark {
            next: self.next,
            output: self.output,
        }
    }

    /// Takes up the journal at `mark` (the machine went back to a checkpoint).
    pub fn rewind(&mut self, mark: Mark) {
        self.next = mark.next.min(self.entries.len());
        self.output = mark.output;
    }

    /// Makes the machine's present, at `cycles`, the journal's: what the old run did after it
    /// is forgotten (a debugger changed the machine; its past stays as it was).
    pub fn truncate(&mut self, cycles: u64) {
        self.forget_ahead();
        self.frontier = cycles;
        self.shown = self.output;
    }

    /// Forgets the entries the run has not come to.
    fn forget_ahead(&mut self) {
        self.entries.truncate(self.next);
        if self.last_input.is_some_and(|last| last >= self.next) {
            self.last_input = self
                .entries
                .iter()
                .rposition(|e| matches!(e, Entry::Input { .. }));
        }
    }

    /// The journal's bytes, for the history's cost.
    pub fn size(&self) -> usize {
        self.entries
            .iter()
            .map(|e| match e {
                Entry::Input {
                    input: Input::Uart(bytes),
                    ..
                } => bytes.len() + 32,
                Entry::Input { .. } => 32,
                Entry::Call { effect, .. } => {
                    effect.writes.iter().map(Write::size).sum::<usize>() + 24
                }
            })
            .sum()
    }
}

/// Guest memory that notes what is written through it (a host call's effect).
pub struct Noting<'m, M: GuestMemory + ?Sized> {
    pub memory: &'m mut M,
    pub writes: Vec<Write>,
}

impl<M: GuestMemory + ?Sized> GuestMemory for Noting<'_, M> {
    fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError> {
        self.memory.read_bytes(addr, buf)
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
        self.memory.write_bytes(addr, data)?;
        self.writes.push(Write::Virtual(addr, data.to_vec()));
        Ok(())
    }

    fn board(&mut self) -> Option<&mut crate::board::Board> {
        self.memory.board()
    }

    fn write_device(&mut self, write: &DeviceWrite) -> Result<(), MemoryError> {
        self.memory.write_device(write)?;
        self.writes.push(Write::Device(write.clone()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_shown_once_across_a_replay() {
        let mut journal = Journal::new(0);
        assert_eq!(journal.output(5), 5);
        let mark = journal.mark();
        assert_eq!(journal.output(3), 3);
        journal.rewind(mark);
        // Bytes 5 to 8 were shown: a replay sending 2 (5 to 7) then 4 (7 to 11) shows only
        // the 3 beyond them.
        assert_eq!(journal.output(2), 0);
        assert_eq!(journal.output(4), 3);
    }

    #[test]
    fn entries_replay_in_order_and_only_when_due() {
        let mut journal = Journal::new(0);
        let start = journal.mark();
        let key = Input::Key {
            row: 1,
            col: 2,
            pressed: true,
        };
        journal.record_input((10, 10), false, Input::Uart(b"a".to_vec()));
        journal.record_call(
            20,
            CallEffect {
                writes: vec![],
                result: CallResult::Return(7),
            },
        );
        // Given while the CPU waited at instruction 20, from cycle 20 to 25.
        journal.record_input((20, 25), true, key.clone());
        journal.reached(30);
        journal.rewind(start);
        assert!(journal.replaying(0));
        assert_eq!(journal.next_input(), Some((10, 10)));
        assert!(journal.replay_input((9, 9), false, false).is_none());
        // Given after the events: not before them.
        assert!(journal.replay_input((10, 10), false, true).is_none());
        let uart = journal.replay_input((10, 10), false, false);
        assert_eq!(uart, Some(Input::Uart(b"a".to_vec())));
        assert_eq!(journal.next_input(), None);
        assert!(journal.replay_call(19).is_none());
        assert!(matches!(
            journal.replay_call(20).map(|e| e.result),
            Some(CallResult::Return(7))
        ));
        assert!(journal.inputs_ahead());
        assert!(journal.replay_input((20, 21), true, true).is_none());
        assert_eq!(journal.replay_input((20, 25), true, true), Some(key));
        assert!(!journal.inputs_ahead());
        assert!(journal.replaying(29));
        assert!(!journal.replaying(30));
        assert_eq!(journal.take_divergence(), None);
    }

    #[test]
    fn an_input_given_in_the_past_forgets_the_future() {
        let mut journal = Journal::new(0);
        let start = journal.mark();
        journal.record_input((10, 10), true, Input::On(true));
        journal.record_input((20, 20), true, Input::On(false));
        journal.reached(30);
        journal.rewind(start);
        assert!(journal.replay_input((10, 10), false, true).is_some());
        journal.record_input((15, 15), true, Input::On(false));
        assert_eq!(journal.take_divergence(), Some((15, 15)));
        assert_eq!(journal.take_divergence(), None);
        // The press at 20 is forgotten, the run is live from 15.
        assert!(!journal.inputs_ahead());
        assert!(!journal.replaying(15));
    }
}
