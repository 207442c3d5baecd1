//! The journal: every input from the host a run took, at the cycle it took it, so that running
//! again from a checkpoint gives the guest the same inputs and the same run.
//!
//! A run depends only on its inputs (docs/design.md section 10). Those that come from the host
//! while a debugger drives the machine are the UART's input and the semihosting calls, whose
//! answers come from the host's files, clock and terminal: both are journaled here, the UART's
//! bytes as given to the receiver, a semihosting call as what it did to the guest (r0 and the
//! bytes it wrote to guest memory, or the exit it asked for). Replaying gives back the same
//! bytes and the same answers without asking the host again: a file is not read twice, a line
//! typed is not waited for again, the guest's output is not printed twice.
//!
//! The journal's frontier is the latest cycle a run reached: before it the machine replays,
//! at it the host's inputs are live again and journaled.

use crate::guest::{GuestMemory, MemoryError};

/// One input from the host.
#[derive(Clone, Debug)]
enum Entry {
    /// Bytes given to the UART's receiver at the start of the slice at `cycles`.
    Uart { cycles: u64, bytes: Vec<u8> },
    /// A semihosting call made at `cycles`, as what it did.
    Call { cycles: u64, effect: CallEffect },
}

impl Entry {
    fn cycles(&self) -> u64 {
        match self {
            Entry::Uart { cycles, .. } | Entry::Call { cycles, .. } => *cycles,
        }
    }
}

/// What a semihosting call did to the guest.
#[derive(Clone, Debug, Default)]
pub struct CallEffect {
    /// Guest memory written, by virtual address, in order.
    pub writes: Vec<(u32, Vec<u8>)>,
    /// r0 on return, or the guest's exit status if it asked to exit.
    pub result: CallResult,
}

#[derive(Clone, Copy, Debug)]
pub enum CallResult {
    Return(u32),
    Exit(i32),
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

    /// The UART input journaled for the slice starting at `cycles`, in order.
    pub fn replay_uart(&mut self, cycles: u64) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(Entry::Uart { cycles: at, bytes }) = self.entries.get(self.next) {
            if *at > cycles {
                break;
            }
            out.push(bytes.clone());
            self.next += 1;
        }
        out
    }

    /// Notes live UART input given at `cycles`.
    pub fn record_uart(&mut self, cycles: u64, bytes: &[u8]) {
        self.entries.truncate(self.next);
        self.entries.push(Entry::Uart {
            cycles,
            bytes: bytes.to_vec(),
        });
        self.next = self.entries.len();
    }

    /// The journaled answer of the semihosting call made at `cycles`, if the run comes to one
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

    /// Notes what a live semihosting call at `cycles` did.
    pub fn record_call(&mut self, cycles: u64, effect: CallEffect) {
        self.entries.truncate(self.next);
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
        self.entries.truncate(self.next);
        self.frontier = cycles;
        self.shown = self.output;
    }

    /// The journal's bytes, for the history's cost.
    pub fn size(&self) -> usize {
        self.entries
            .iter()
            .map(|e| match e {
                Entry::Uart { bytes, .. } => bytes.len() + 16,
                Entry::Call { effect, .. } => {
                    effect
                        .writes
                        .iter()
                        .map(|(_, b)| b.len() + 8)
                        .sum::<usize>()
                        + 24
                }
            })
            .sum()
    }

    /// The cycle of the last entry, if any (for tests and reports).
    pub fn last_cycles(&self) -> Option<u64> {
        self.entries.last().map(Entry::cycles)
    }
}

/// Guest memory that notes what is written through it (a semihosting call's effect).
pub struct Noting<'m, M: GuestMemory> {
    pub memory: &'m mut M,
    pub writes: Vec<(u32, Vec<u8>)>,
}

impl<M: GuestMemory> GuestMemory for Noting<'_, M> {
    fn read_bytes(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), MemoryError> {
        self.memory.read_bytes(addr, buf)
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), MemoryError> {
        self.memory.write_bytes(addr, data)?;
        self.writes.push((addr, data.to_vec()));
        Ok(())
    }

    fn board(&mut self) -> Option<&mut crate::board::Board> {
        self.memory.board()
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
        journal.record_uart(10, b"a");
        journal.record_call(
            20,
            CallEffect {
                writes: vec![],
                result: CallResult::Return(7),
            },
        );
        journal.record_uart(20, b"b");
        journal.reached(30);
        journal.rewind(start);
        assert!(journal.replaying(0));
        assert!(journal.replay_uart(5).is_empty());
        assert_eq!(journal.replay_uart(10), vec![b"a".to_vec()]);
        assert!(journal.replay_call(19).is_none());
        assert!(matches!(
            journal.replay_call(20).map(|e| e.result),
            Some(CallResult::Return(7))
        ));
        assert_eq!(journal.replay_uart(20), vec![b"b".to_vec()]);
        assert!(journal.replaying(29));
        assert!(!journal.replaying(30));
    }
}
