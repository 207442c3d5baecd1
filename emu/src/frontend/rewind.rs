//! Rewind: a ring of the machine's states, one a frame, from which time runs backwards a
//! frame at a time (the window's Ctrl+Backspace held; `--rewind`).
//!
//! A state is kept compact as the difference from the one after it: the RON text of the CPU
//! and the devices (a few KB, compressed) and the 4 KiB pages of memory that the next frame
//! changed, as they were. The ring keeps one whole copy of memory, as it was at the last
//! capture. A capture asks the board which pages were written since the last one
//! ([`crate::dirty`]: the CPU tells it of the first store to each page after the capture
//! emptied the TLB's write tables, and the host's writes are the board's own), compares just
//! those with the copy, keeps the old contents of the pages that differ in the record of the
//! frame before, and brings the copy up to date. Going back one frame puts those pages back
//! into the copy and restores the machine from the copy and the record's text. (Comparing
//! the whole of memory instead cost 12 ms a frame on the CX's 64 MiB.)
//!
//! The ring holds at most `frames` records and `bytes` bytes of them (the copy of memory
//! apart); the oldest go first.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use crate::bus::{Bus, PAGE_SIZE};
use crate::machine::Machine;
use crate::snapshot;

const PAGE: usize = PAGE_SIZE as usize;

/// The frames a ring keeps by default: 30 seconds at 60 frames a second.
pub const DEFAULT_FRAMES: usize = 30 * 60;
/// The bytes of records a ring keeps by default, the copy of memory apart.
pub const DEFAULT_BYTES: usize = 256 << 20;

/// One frame's state, as the difference from the next one's.
struct Record {
    /// The CPU's and the devices' RON text, deflated.
    text: Vec<u8>,
    /// The pages the next frame changed, by index, as they were in this one.
    pages: Vec<(u32, Box<[u8]>)>,
}

impl Record {
    fn bytes(&self) -> usize {
        self.text.len() + self.pages.len() * (PAGE + 16)
    }
}

/// The ring of states.
pub struct Rewind {
    max_frames: usize,
    max_bytes: usize,
    records: VecDeque<Record>,
    /// The records' size in bytes.
    bytes: usize,
    /// Memory as it was at the last capture (empty before the first).
    memory: Vec<u8>,
    /// The text of the last capture, deflated.
    text: Vec<u8>,
    /// Captures made, and the host's time they took (for `--stats`).
    captures: u64,
    spent: Duration,
    /// The pages written since the last capture, kept to spare an allocation a frame.
    written: Vec<u32>,
}

impl Rewind {
    /// A ring of at most `max_frames` frames back and `max_bytes` bytes of records.
    pub fn new(max_frames: usize, max_bytes: usize) -> Rewind {
        Rewind {
            max_frames,
            max_bytes,
            records: VecDeque::new(),
            bytes: 0,
            memory: Vec::new(),
            text: Vec::new(),
            captures: 0,
            spent: Duration::ZERO,
            written: Vec::new(),
        }
    }

    /// Frames the ring can go back.
    pub fn frames(&self) -> usize {
        self.records.len()
    }

    /// The memory the ring holds: its records and its copy of the machine's memory.
    pub fn bytes(&self) -> usize {
        self.bytes + self.memory.len() + self.text.len()
    }

    /// What the ring holds and what its captures cost, in one line (`--stats`).
    pub fn summary(&self) -> String {
        let mean = self.spent.as_secs_f64() * 1e3 / self.captures.max(1) as f64;
        format!(
            "rewind: {} frames back, {:.1} MiB ({:.1} MiB of them the copy of memory), \
             {mean:.2} ms a capture",
            self.frames(),
            self.bytes() as f64 / f64::from(1 << 20),
            self.memory.len() as f64 / f64::from(1 << 20),
        )
    }

    /// Takes `machine`'s state now (at the end of a frame) as the newest.
    pub fn capture(&mut self, machine: &mut Machine) -> Result<(), String> {
        let start = Instant::now();
        let result = self.take(machine);
        self.captures += 1;
        self.spent += start.elapsed();
        result
    }

    fn take(&mut self, machine: &mut Machine) -> Result<(), String> {
        let text = deflate(snapshot::text(machine)?.as_bytes());
        machine.board.take_written(&mut self.written);
        machine.cpu.drop_write_entries();
        let ram = machine.board.ram();
        if self.memory.len() != ram.len() {
            // The first capture (or a machine of another size): nothing to go back to yet.
            self.clear();
            self.memory = ram.to_vec();
            self.text = text;
            return Ok(());
        }
        let mut pages = Vec::new();
        for &index in &self.written {
            let at = index as usize * PAGE;
            let (old, new) = (&mut self.memory[at..at + PAGE], &ram[at..at + PAGE]);
            if old != new {
                pages.push((index, Box::from(&*old)));
                old.copy_from_slice(new);
            }
        }
        let record = Record {
            text: std::mem::replace(&mut self.text, text),
            pages,
        };
        self.bytes += record.bytes();
        self.records.push_back(record);
        while self.records.len() > self.max_frames || self.bytes > self.max_bytes {
            let Some(old) = self.records.pop_front() else {
                break;
            };
            self.bytes -= old.bytes();
        }
        Ok(())
    }

    /// Puts `machine` back to the frame before the newest state, which is dropped; false (and
    /// the machine unchanged) when there is none left.
    pub fn step_back(&mut self, machine: &mut Machine) -> Result<bool, String> {
        let Some(record) = self.records.pop_back() else {
            return Ok(false);
        };
        self.bytes -= record.bytes();
        for (index, page) in &record.pages {
            let at = *index as usize * PAGE;
            self.memory[at..at + PAGE].copy_from_slice(page);
        }
        self.text = record.text;
        let text = String::from_utf8(inflate(&self.text)).map_err(|e| e.to_string())?;
        snapshot::restore(machine, &text, &self.memory)?;
        Ok(true)
    }

    /// Forgets every state: the next capture starts again. (A machine built anew, by a reset,
    /// must be captured so: its pages differ from the copy without having been written.)
    pub fn clear(&mut self) {
        self.records.clear();
        self.bytes = 0;
        self.memory = Vec::new();
        self.text = Vec::new();
    }
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
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
    use crate::config::MachineConfig;
    use crate::frontend::options::RunOptions;
    use crate::frontend::script::Script;
    use crate::frontend::session::Session;
    use crate::frontend::setup;

    /// The state of `machine`: its text and its memory, byte for byte.
    fn state(machine: &Machine) -> (String, Vec<u8>) {
        (
            snapshot::text(machine).unwrap(),
            machine.board.ram().to_vec(),
        )
    }

    /// A session of the ROM at `rom` (under the repository), its RTC fixed, with `keys`.
    fn session(rom: &str, keys: &str) -> Session {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let options = RunOptions {
            rom: Some(root.join(rom)),
            rtc: Some(1_767_225_600),
            ..RunOptions::default()
        };
        let (machine, _) = setup::build(&options, &MachineConfig::nspire_cx()).unwrap();
        Session::new(machine, Script::parse(keys).unwrap(), None)
    }

    /// Runs `session` for N frames, capturing each, then goes back M frames: the machine is
    /// as it was at frame N - M, its text and its memory byte for byte.
    fn go_back(session: &mut Session, n: usize, m: usize) {
        let mut rewind = Rewind::new(DEFAULT_FRAMES, DEFAULT_BYTES);
        let (mut target, mut last) = (None, None);
        for frame in 1..=n {
            assert_eq!(session.run_frame(), None);
            rewind.capture(&mut session.machine).unwrap();
            if frame == n - m {
                target = Some(state(&session.machine));
            }
            last = Some(state(&session.machine));
        }
        let (target, last) = (target.unwrap(), last.unwrap());
        assert_eq!(rewind.frames(), n - 1);
        for _ in 0..m {
            assert!(rewind.step_back(&mut session.machine).unwrap());
        }
        let back = state(&session.machine);
        assert_eq!(back.0, target.0);
        assert!(back.1 == target.1, "memory differs");
        assert_ne!(target.1, last.1, "the frames changed memory");
    }

    /// The snake demo, steered: the CPU's stores.
    #[test]
    fn going_back_m_frames_gives_the_state_of_frame_n_minus_m() {
        let keys = "20 press n6\n30 release n6\n50 press n2\n52 release n2\n";
        let mut session = session("roms/demos/snake/snake.bin", keys);
        go_back(&mut session, 90, 37);

        // The ring is bounded: a ring of 10 frames goes back 10 frames and no more.
        let mut small = Rewind::new(10, DEFAULT_BYTES);
        for _ in 0..15 {
            session.run_frame();
            small.capture(&mut session.machine).unwrap();
        }
        assert_eq!(small.frames(), 10);
        for _ in 0..10 {
            assert!(small.step_back(&mut session.machine).unwrap());
        }
        assert!(!small.step_back(&mut session.machine).unwrap());
    }

    /// Writes of the host's (a debugger's, a host service's through the board) are taken back
    /// as the CPU's stores are.
    #[test]
    fn host_writes_are_taken_back_too() {
        let mut machine = crate::frontend::session::busy_machine();
        let mut rewind = Rewind::new(DEFAULT_FRAMES, DEFAULT_BYTES);
        rewind.capture(&mut machine).unwrap();
        machine
            .cpu
            .debug_write(&mut machine.board, 0x1000_5000, &[1, 2, 3])
            .unwrap();
        assert!(machine.board.write_ram(0x1000_9ffe, &[7; 4]));
        rewind.capture(&mut machine).unwrap();
        let written = state(&machine);
        machine.run_cycles(1000);
        rewind.capture(&mut machine).unwrap();
        assert!(rewind.step_back(&mut machine).unwrap());
        assert!(state(&machine).1 == written.1, "memory differs");
    }

    /// The Ndless game gems, played by its golden key script: what the OS calls emu answers
    /// write into guest memory (the drawing API, the screen) comes back too.
    #[test]
    fn going_back_through_an_ndless_programs_host_calls() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let keys = std::fs::read_to_string(root.join("emu/tests/golden/gems.keys")).unwrap();
        let mut session = session("roms/ndless/gems.tns", &keys);
        go_back(&mut session, 120, 50);
    }
}
