//! Rewind: a ring of the machine's states, one a frame, from which time runs backwards a
//! frame at a time (the window's Ctrl+Backspace held; `--rewind`).
//!
//! The states are kept in a [`Deltas`] store: each as the difference from the one after it,
//! against one whole copy of memory as it was at the last capture, a capture comparing with
//! the copy only the pages written since the one before. (Comparing the whole of memory
//! instead cost 12 ms a frame on the CX's 64 MiB.) Undo records are kept as they are, not
//! deflated: a capture each frame must be cheap.
//!
//! The ring holds at most `frames` frames back and `bytes` bytes of states (the copy of
//! memory apart); the oldest go first.

use std::time::{Duration, Instant};

use crate::deltas::{Deltas, Pages};
use crate::dirty::Taker;
use crate::machine::Machine;

/// The frames a ring keeps by default: 30 seconds at 60 frames a second.
pub const DEFAULT_FRAMES: usize = 30 * 60;
/// The bytes of records a ring keeps by default, the copy of memory apart.
pub const DEFAULT_BYTES: usize = 256 << 20;

/// The ring of states.
pub struct Rewind {
    max_frames: usize,
    max_bytes: usize,
    states: Deltas<()>,
    /// Captures made, and the host's time they took (for `--stats`).
    captures: u64,
    spent: Duration,
}

impl Rewind {
    /// A ring of at most `max_frames` frames back and `max_bytes` bytes of records.
    pub fn new(max_frames: usize, max_bytes: usize) -> Rewind {
        Rewind {
            max_frames,
            max_bytes,
            states: Deltas::new(Taker::Rewind, Pages::Raw),
            captures: 0,
            spent: Duration::ZERO,
        }
    }

    /// Frames the ring can go back: the states before the newest.
    pub fn frames(&self) -> usize {
        self.states.len().saturating_sub(1)
    }

    /// The memory the ring holds: its states and its copy of the machine's memory.
    pub fn bytes(&self) -> usize {
        self.states.bytes() + self.states.memory_bytes()
    }

    /// What the ring holds and what its captures cost, in one line (`--stats`).
    pub fn summary(&self) -> String {
        let mean = self.spent.as_secs_f64() * 1e3 / self.captures.max(1) as f64;
        format!(
            "rewind: {} frames back, {:.1} MiB ({:.1} MiB of them the copy of memory), \
             {mean:.2} ms a capture",
            self.frames(),
            self.bytes() as f64 / f64::from(1 << 20),
            self.states.memory_bytes() as f64 / f64::from(1 << 20),
        )
    }

    /// Takes `machine`'s state now (at the end of a frame) as the newest.
    pub fn capture(&mut self, machine: &mut Machine) -> Result<(), String> {
        let start = Instant::now();
        let result = self.states.push(machine, ());
        // The newest stays: the next capture is compared with it.
        while self.frames() > 0
            && (self.frames() > self.max_frames || self.states.bytes() > self.max_bytes)
        {
            self.states.drop_oldest();
        }
        self.captures += 1;
        self.spent += start.elapsed();
        result
    }

    /// Puts `machine` back to the frame before the newest state, which is dropped; false (and
    /// the machine unchanged) when there is none left.
    pub fn step_back(&mut self, machine: &mut Machine) -> Result<bool, String> {
        if self.frames() == 0 {
            return Ok(false);
        }
        let keep = self.states.len() - 1;
        self.states.truncate(keep);
        self.states.restore(machine, keep - 1)?;
        Ok(true)
    }

    /// Forgets every state: the next capture starts again. (A machine built anew, by a reset,
    /// must be captured so: its pages differ from the copy without having been written.)
    pub fn clear(&mut self) {
        self.states.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Bus;
    use crate::config::MachineConfig;
    use crate::frontend::options::RunOptions;
    use crate::frontend::script::Script;
    use crate::frontend::session::Session;
    use crate::frontend::setup;
    use crate::snapshot;

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
        let machine = setup::build(&options, &MachineConfig::nspire_cx())
            .unwrap()
            .machine;
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
