//! A machine's past states, kept compact: the store both the window's rewind ring
//! (`frontend/rewind.rs`, a state a frame) and reverse execution's checkpoints (`reverse/`, a
//! state every so many instructions) keep their states in, each with its own policy of how
//! many to keep.
//!
//! A state is the CPU's and the devices' text, as [`snapshot::text`] writes it, deflated, and
//! memory. Memory is kept whole once, as it is at the newest state (the copy); each older
//! state keeps only the 4 KiB pages that differ from the state after it, as they were (its undo
//! record). A state taken compares with the copy only the pages written since the last one
//! ([`crate::dirty`]: the CPU tells the board of the first store to each page after the taking
//! emptied the TLB's write tables, and the host's writes are the board's own), so taking a
//! state costs what the machine changed, not the size of memory.
//!
//! Going back to state `i` applies the undo records from the newest down to `i` to the copy:
//! on a copy of the copy to visit it ([`Deltas::restore`]), or on the copy itself to forget the
//! states after it ([`Deltas::truncate`]).

use std::collections::VecDeque;
use std::io::{Read, Write};

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use crate::bus::{Bus, PAGE_SIZE};
use crate::dirty::Taker;
use crate::machine::Machine;
use crate::snapshot;

const PAGE: usize = PAGE_SIZE as usize;

/// How an undo record keeps its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pages {
    /// As they are: cheapest to take, for a state every frame.
    Raw,
    /// Deflated: smallest, for states far apart, which differ in many pages.
    Deflated,
}

/// One state: what its owner notes of it, its text, and its undo record.
struct State<M> {
    note: M,
    /// The CPU's and the devices' text, deflated.
    text: Vec<u8>,
    /// The pages that differ between this state and the next, by number, as they are here.
    /// Empty for the newest.
    pages: Vec<u32>,
    /// Their bytes, one after the other, deflated if the store says so.
    bytes: Vec<u8>,
}

impl<M> State<M> {
    /// The bytes this state holds.
    fn size(&self) -> usize {
        self.text.len() + self.bytes.len() + 4 * self.pages.len() + 64
    }
}

/// The states, oldest first.
pub struct Deltas<M> {
    taker: Taker,
    packing: Pages,
    states: VecDeque<State<M>>,
    /// The states' size in bytes, the copy of memory apart.
    bytes: usize,
    /// Memory as at the newest state (empty before the first).
    memory: Vec<u8>,
    /// Pages of the copy changed by forgetting states, which the machine's memory may not
    /// match though nothing wrote them: compared at the next state as if written.
    stale: Vec<u32>,
    /// The pages to compare, kept to spare an allocation a state.
    written: Vec<u32>,
}

impl<M> Deltas<M> {
    /// An empty store, taking the pages written as `taker`, keeping undo records as `packing`.
    pub fn new(taker: Taker, packing: Pages) -> Deltas<M> {
        Deltas {
            taker,
            packing,
            states: VecDeque::new(),
            bytes: 0,
            memory: Vec::new(),
            stale: Vec::new(),
            written: Vec::new(),
        }
    }

    /// The states held.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The bytes the states hold, the copy of memory apart.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The bytes the copy of memory holds.
    pub fn memory_bytes(&self) -> usize {
        self.memory.len()
    }

    /// What the owner noted of state `index` (oldest first).
    pub fn note(&self, index: usize) -> &M {
        &self.states[index].note
    }

    /// What the owner noted of each state, oldest first.
    pub fn notes(&self) -> impl DoubleEndedIterator<Item = &M> + ExactSizeIterator {
        self.states.iter().map(|state| &state.note)
    }

    /// Takes `machine`'s present as the newest state, noted as `note`. The first (or the first
    /// of a machine of another size) copies memory whole.
    pub fn push(&mut self, machine: &mut Machine, note: M) -> Result<(), String> {
        let text = deflate(snapshot::text(machine)?.as_bytes());
        machine.board.take_written(self.taker, &mut self.written);
        machine.cpu.drop_write_entries();
        let ram = machine.board.ram();
        if self.memory.len() != ram.len() {
            self.clear();
            self.memory = ram.to_vec();
        } else {
            self.written.append(&mut self.stale);
            self.written.sort_unstable();
            self.written.dedup();
            let (mut pages, mut bytes) = (Vec::new(), Vec::new());
            for &index in &self.written {
                let at = index as usize * PAGE;
                let (old, new) = (&mut self.memory[at..at + PAGE], &ram[at..at + PAGE]);
                if old != new {
                    pages.push(index);
                    bytes.extend_from_slice(old);
                    old.copy_from_slice(new);
                }
            }
            if let Some(previous) = self.states.back_mut() {
                previous.bytes = match self.packing {
                    Pages::Raw => bytes,
                    Pages::Deflated => deflate(&bytes),
                };
                previous.bytes.shrink_to_fit();
                previous.pages = pages;
                self.bytes += previous.bytes.len() + 4 * previous.pages.len();
            }
        }
        let state = State {
            note,
            text,
            pages: Vec::new(),
            bytes: Vec::new(),
        };
        self.bytes += state.size();
        self.states.push_back(state);
        Ok(())
    }

    /// Forgets the oldest state.
    pub fn drop_oldest(&mut self) {
        if let Some(state) = self.states.pop_front() {
            self.bytes -= state.size();
        }
    }

    /// Forgets the states after the first `keep`, bringing the copy of memory back to the
    /// newest kept. With none kept, the copy stays as it was: the next state is compared with
    /// it as with the one before.
    pub fn truncate(&mut self, keep: usize) {
        while self.states.len() > keep {
            let Some(newest) = self.states.pop_back() else {
                break;
            };
            self.bytes -= newest.size();
            if let Some(previous) = self.states.back_mut() {
                let (pages, bytes) = (std::mem::take(&mut previous.pages), &previous.bytes);
                undo(&mut self.memory, &pages, &self.packing.unpack(bytes));
                self.bytes -= previous.bytes.len() + 4 * pages.len();
                previous.bytes = Vec::new();
                self.stale.extend(pages);
            }
        }
    }

    /// Puts `machine` back in state `index` (oldest first), which stays, as do those after it.
    pub fn restore(&self, machine: &mut Machine, index: usize) -> Result<(), String> {
        let state = &self.states[index];
        let text = String::from_utf8(inflate(&state.text))
            .map_err(|_| "a kept state is damaged".to_string())?;
        if index + 1 == self.states.len() {
            return snapshot::restore(machine, &text, &self.memory);
        }
        let mut memory = self.memory.clone();
        for older in self.states.range(index..).rev().skip(1) {
            undo(
                &mut memory,
                &older.pages,
                &self.packing.unpack(&older.bytes),
            );
        }
        snapshot::restore(machine, &text, &memory)
    }

    /// Forgets every state and the copy of memory: the next state starts again, whole. (A
    /// machine built anew, by a reset, must be taken so: its pages differ from the copy
    /// without having been written.)
    pub fn clear(&mut self) {
        self.states.clear();
        self.bytes = 0;
        self.memory = Vec::new();
        self.stale.clear();
    }
}

impl Pages {
    /// An undo record's bytes as they were before packing.
    fn unpack(self, bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
        match self {
            Pages::Raw => bytes.into(),
            Pages::Deflated => inflate(bytes).into(),
        }
    }
}

/// Puts an undo record's `pages`, whose contents are `bytes`, into `memory`.
fn undo(memory: &mut [u8], pages: &[u32], bytes: &[u8]) {
    for (&page, old) in pages.iter().zip(bytes.chunks(PAGE)) {
        let at = page as usize * PAGE;
        memory[at..at + old.len()].copy_from_slice(old);
    }
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    let mut out = encoder.finish().unwrap_or_default();
    // Held for long: no room to spare beyond what the store counts.
    out.shrink_to_fit();
    out
}

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // Only what `deflate` made comes here.
    let _ = DeflateDecoder::new(bytes).read_to_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CX whose boot ROM stores a count to a page after page of the first MiB of RAM, for
    /// ever (the CPU's stores, going the slow way after each state taken).
    fn storing_machine() -> Machine {
        let mut machine = Machine::nspire_cx(0);
        let rom: Vec<u8> = [
            0xE3A0_1201u32, // mov r1, #0x10000000
            0xE280_0001,    // add r0, r0, #1
            0xE581_0000,    // str r0, [r1]
            0xE281_1A01,    // add r1, r1, #0x1000
            0xE3C1_16FF,    // bic r1, r1, #0x0ff00000
            0xEAFF_FFFA,    // b the add
        ]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
        assert!(machine.board.load(0, &rom));
        machine
    }

    /// `machine`'s state: its text and its memory, byte for byte.
    fn state(machine: &Machine) -> (String, Vec<u8>) {
        (
            snapshot::text(machine).unwrap(),
            machine.board.ram().to_vec(),
        )
    }

    /// States taken between the CPU's stores and a debugger's and a device's writes come back
    /// byte for byte, in any order, with either packing; and so do they after the later ones
    /// were forgotten and others taken instead.
    #[test]
    fn every_state_kept_comes_back_as_it_was() {
        for packing in [Pages::Raw, Pages::Deflated] {
            let mut machine = storing_machine();
            let mut deltas = Deltas::new(Taker::Reverse, packing);
            let mut seen = Vec::new();
            for i in 0..6 {
                machine.run_cycles(2000 + 700 * i);
                if i == 3 {
                    let cpu = &machine.cpu;
                    cpu.debug_write(&mut machine.board, 0x1020_0ffe, &[9; 5])
                        .unwrap();
                    assert!(machine.board.write_ram(0x1030_0000, &[7; 3]));
                }
                deltas.push(&mut machine, i).unwrap();
                seen.push(state(&machine));
            }
            assert!(seen[0].1 != seen[5].1, "the machine wrote memory");
            for index in [2, 5, 0, 4, 1, 3] {
                deltas.restore(&mut machine, index).unwrap();
                assert!(state(&machine) == seen[index], "state {index}");
                assert_eq!(*deltas.note(index), index as u64);
            }

            // Forgetting the states after the third brings the copy back to it: the state
            // taken next (the machine as at the sixth) is compared with the third, and the
            // third undoes what differs.
            deltas.restore(&mut machine, 5).unwrap();
            deltas.push(&mut machine, 6).unwrap();
            seen.push(state(&machine));
            deltas.truncate(3);
            deltas.push(&mut machine, 7).unwrap();
            seen.truncate(3);
            seen.push(state(&machine));
            assert_eq!(deltas.len(), 4);
            for index in [0, 3, 2, 1] {
                deltas.restore(&mut machine, index).unwrap();
                assert!(
                    state(&machine) == seen[index],
                    "state {index} after forgetting"
                );
            }

            // Dropping the oldest keeps the rest; the bytes they hold go with them.
            let before = deltas.bytes();
            deltas.drop_oldest();
            assert!(deltas.bytes() < before);
            deltas.restore(&mut machine, 0).unwrap();
            assert!(state(&machine) == seen[1], "the oldest kept");
        }
    }
}
