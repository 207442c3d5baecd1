//! A machine's time cut into frames, with scripted keys applied as frames start: what the
//! window and headless runs share.
//!
//! A frame is 1/60 s of the machine's time: `cpu_hz / 60` CPU cycles (2,200,000 on the
//! 132 MHz CX), whatever the LCD controller's own timing says, so that frame counts mean the
//! same for every ROM.

use std::collections::HashSet;

use devices::pl111::{HEIGHT, WIDTH};

use super::inputs::{self, set_machine_key};
use super::keymap::{CxKey, PadKey};
use super::record::Recorder;
use super::rewind::Rewind;
use super::script::{Finger, Input, KeyEvent, Script};
use crate::machine::{DebugStop, Exit, Machine};

/// Frames per second of the machine's time.
pub const FRAME_RATE: u64 = 60;

/// One LCD picture, 320x240 pixels of 0x00RRGGBB.
pub type Frame = [u32; WIDTH * HEIGHT];

/// A black frame on the heap (a frame is too large to pass around on the stack).
pub fn blank_frame() -> Box<Frame> {
    Box::new([0; WIDTH * HEIGHT])
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The machine stopped: the guest exited, the instruction limit, a halt.
    Machine(Exit),
    /// The requested number of frames ran.
    Frames,
    /// The person ended the run: the monitor's `quit`, Ctrl-A x, the window's F12.
    Quit,
    /// Ctrl-C ended a run that has no monitor to enter: one by --frames or --keys, or a
    /// window whose input is not a terminal.
    Interrupted,
}

/// A machine run frame by frame.
pub struct Session {
    pub machine: Machine,
    frame_cycles: u64,
    /// The cycle frame 0 started at.
    start: u64,
    /// Frames completed.
    frame: u64,
    script: Script,
    /// The next script event to apply.
    next_event: usize,
    /// The instruction limit (`--max-insns`), counted from power-on.
    limit: Option<u64>,
    /// The CX keys held down.
    held: HashSet<CxKey>,
    /// Every key event applied so far, scripted or not, at the frame it applied to: a script
    /// that replays this session (`--record-keys`).
    applied: Script,
    /// Whether a person may press keys at any time (a window): keypad interrupts can then
    /// always wake the guest.
    pub host_keys: bool,
    /// Keys released in the frame they were pressed in, before it ran: released as it ends.
    releases: Vec<CxKey>,
    /// The finger on the touchpad (the mouse's, a script's).
    finger: Finger,
    /// Whether the finger was lifted in the frame it touched the pad in, before it ran: it is
    /// lifted as the frame ends.
    lift_at_end: bool,
    /// The LCD recorded as each frame ends (`--record`, the window's Ctrl+F3).
    pub recorder: Option<Recorder>,
    /// The states of the frames run, to go back to (`--rewind`).
    pub rewind: Option<Rewind>,
    /// The cycle the session last left the machine at: found elsewhere, the machine was run
    /// or moved by someone else meanwhile (see [`Session::machine_moved`]).
    left_at: u64,
}

impl Session {
    pub fn new(machine: Machine, script: Script, limit: Option<u64>) -> Session {
        let machine_cycles = machine.cpu.cycles();
        Session {
            frame_cycles: (machine.config.cpu_hz / FRAME_RATE).max(1),
            start: machine.cpu.cycles(),
            machine,
            frame: 0,
            script,
            next_event: 0,
            limit,
            held: HashSet::new(),
            applied: Script::default(),
            host_keys: false,
            releases: Vec::new(),
            finger: Finger::Lifted,
            lift_at_end: false,
            recorder: None,
            rewind: None,
            left_at: machine_cycles,
        }
    }

    /// Frames completed since frame 0 (or the last state loaded).
    pub fn frames(&self) -> u64 {
        self.frame
    }

    /// Presses or releases a CX key before the frame about to run (a host key in the window,
    /// or a script's event). A key released in the frame it was pressed in is released when
    /// that frame has run: a quick tap is held for one frame, long enough for the guest to see
    /// it (devices::keypad's scan reports it for longer than that).
    pub fn set_key(&mut self, key: CxKey, pressed: bool) {
        if pressed {
            // Pressed again before its release: it stays down.
            self.releases.retain(|&k| k != key);
        } else if self.pressed_this_frame(key) {
            if !self.releases.contains(&key) {
                self.releases.push(key);
            }
            return;
        }
        let changed = if pressed {
            self.held.insert(key)
        } else {
            self.held.remove(&key)
        };
        if changed {
            set_machine_key(&mut self.machine, key, pressed);
            self.applied
                .events
                .push(KeyEvent::key(self.frame, key, pressed));
            if let CxKey::Pad(_) = key {
                self.update_touchpad();
            }
        }
    }

    /// Whether the CX key `key` is held down (by a host key, the mouse or the script).
    pub fn holds(&self, key: CxKey) -> bool {
        self.held.contains(&key)
    }

    /// Whether `key` was last pressed in the frame about to run (or running).
    fn pressed_this_frame(&self, key: CxKey) -> bool {
        let last = self
            .applied
            .events
            .iter()
            .rev()
            .find_map(|e| match e.input {
                Input::Key { key: k, pressed } if k == key => Some((e.frame, pressed)),
                _ => None,
            });
        last.is_some_and(|(frame, pressed)| pressed && frame == self.frame)
    }

    /// Puts the finger on the touchpad, moves it, pushes it or lifts it before the frame about
    /// to run (the mouse in the window, or a script's event). Lifted in the frame it touched
    /// the pad in, it is lifted when that frame has run, as a quick tap of a key is.
    pub fn set_finger(&mut self, finger: Finger) {
        if finger == Finger::Lifted && self.finger != Finger::Lifted {
            let last = self
                .applied
                .events
                .iter()
                .rev()
                .find_map(|e| match e.input {
                    Input::Finger(_) => Some(e.frame),
                    _ => None,
                });
            if last == Some(self.frame) {
                self.lift_at_end = true;
                return;
            }
        }
        self.lift_at_end = false;
        if finger != self.finger {
            self.finger = finger;
            self.applied.events.push(KeyEvent {
                frame: self.frame,
                input: Input::Finger(finger),
            });
            self.update_touchpad();
        }
    }

    /// Gives the touchpad what its keys held and the finger do ([`inputs::pad_touch`]).
    fn update_touchpad(&mut self) {
        let keys: Vec<PadKey> = self
            .held
            .iter()
            .filter_map(|key| match key {
                CxKey::Pad(pad) => Some(*pad),
                _ => None,
            })
            .collect();
        let finger = self.finger;
        inputs::give_touch(&mut self.machine, |last| {
            inputs::pad_touch(&keys, finger, last)
        });
    }

    /// The machine was run or moved while the session did not have it. Run on (the monitor's
    /// `step`, `next`, `until`), the frames it ran count as run. Taken back (a saved state
    /// loaded, the monitor's reverse commands, the rewind ring, a slot), the frames count
    /// from there ([`Session::took_a_state`]). Either way it may now hold other keys than
    /// those held here (a state's, the past's, or none of those given while the monitor ran
    /// it), so it is given these again: the guest's keys and touchpad follow the person's
    /// whenever the session runs the machine again.
    fn machine_moved(&mut self) {
        let now = self.machine.cpu.cycles();
        if now < self.start + self.frame * self.frame_cycles {
            self.took_a_state();
        } else {
            self.frame = (now - self.start) / self.frame_cycles;
        }
        let held = &self.held;
        inputs::give_keys(&mut self.machine, |key| held.contains(&key));
        self.update_touchpad();
    }

    /// The machine went back to a saved state or an earlier time: frames count from here,
    /// the key script's events are done with (and the keys and finger it holds let go), a tap
    /// waiting for its frame's end is over, and the recorded keys start again from the keys
    /// and finger still held.
    fn took_a_state(&mut self) {
        self.start = self.machine.cpu.cycles();
        self.frame = 0;
        let (script_keys, script_finger) = self.script_holds();
        self.next_event = self.script.events.len();
        for key in std::mem::take(&mut self.releases) {
            self.held.remove(&key);
        }
        self.held.retain(|key| !script_keys.contains(key));
        if std::mem::take(&mut self.lift_at_end) || self.finger == script_finger {
            self.finger = Finger::Lifted;
        }
        let mut held: Vec<CxKey> = self.held.iter().copied().collect();
        held.sort_by_key(|key| key.name());
        let mut applied: Vec<KeyEvent> = held
            .into_iter()
            .map(|key| KeyEvent::key(0, key, true))
            .collect();
        if self.finger != Finger::Lifted {
            applied.push(KeyEvent {
                frame: 0,
                input: Input::Finger(self.finger),
            });
        }
        self.applied = Script { events: applied };
    }

    /// The keys the key script holds down after the events applied so far, and its finger.
    fn script_holds(&self) -> (HashSet<CxKey>, Finger) {
        let mut keys = HashSet::new();
        let mut finger = Finger::Lifted;
        for event in &self.script.events[..self.next_event] {
            match event.input {
                Input::Key { key, pressed: true } => {
                    keys.insert(key);
                }
                Input::Key {
                    key,
                    pressed: false,
                } => {
                    keys.remove(&key);
                }
                Input::Finger(f) => finger = f,
            }
        }
        (keys, finger)
    }

    /// The key events applied so far, as a script that replays them.
    pub fn applied_keys(&self) -> &Script {
        &self.applied
    }

    /// Applies the script's events for the frame about to start, then runs the machine to
    /// the end of that frame. Returns why the machine stopped, if it did before: it ended
    /// (`DebugStop::Exit`), or a debugger's condition stopped it mid-frame (the rest of the
    /// frame runs at the next call).
    pub fn run_frame(&mut self) -> Option<DebugStop> {
        if self.machine.cpu.cycles() != self.left_at {
            self.machine_moved();
        }
        let stop = self.run_to_frame_end();
        self.left_at = self.machine.cpu.cycles();
        stop
    }

    /// [`Session::run_frame`]'s work, from the machine where the session left it.
    fn run_to_frame_end(&mut self) -> Option<DebugStop> {
        while let Some(&event) = self.script.events.get(self.next_event) {
            if event.frame > self.frame {
                break;
            }
            match event.input {
                Input::Key { key, pressed } => self.set_key(key, pressed),
                Input::Finger(finger) => self.set_finger(finger),
            }
            self.next_event += 1;
        }
        self.machine.host_keys = self.host_keys || self.next_event < self.script.events.len();
        let end = self.start + (self.frame + 1) * self.frame_cycles;
        while self.machine.cpu.cycles() < end {
            let mut cycles = end - self.machine.cpu.cycles();
            if let Some(limit) = self.limit {
                let done = self.machine.cpu.instructions();
                if done >= limit {
                    return Some(DebugStop::Exit(Exit::InstructionLimit));
                }
                // An instruction takes at least a cycle, so this cannot pass the limit.
                cycles = cycles.min(limit - done);
            }
            if let Some(stop) = self.machine.run_cycles(cycles) {
                return Some(stop);
            }
        }
        self.frame += 1;
        for key in std::mem::take(&mut self.releases) {
            self.set_key(key, false);
        }
        if std::mem::take(&mut self.lift_at_end) {
            self.set_finger(Finger::Lifted);
        }
        if let Some(rewind) = &mut self.rewind {
            if let Err(e) = rewind.capture(&mut self.machine) {
                log::warn!("rewind: {e}");
            }
        }
        if let Some(recorder) = &mut self.recorder {
            recorder.capture(&self.machine);
        }
        None
    }

    /// Takes the machine back one frame of the rewind ring, recording the picture it shows;
    /// false when there is nothing (more) to go back to. Frames count from there, as after a
    /// state loaded.
    pub fn step_back(&mut self) -> bool {
        let Some(rewind) = &mut self.rewind else {
            return false;
        };
        match rewind.step_back(&mut self.machine) {
            Ok(true) => {}
            Ok(false) => return false,
            Err(e) => {
                log::warn!("rewind: {e}");
                rewind.clear();
                return false;
            }
        }
        if let Some(recorder) = &mut self.recorder {
            recorder.capture(&self.machine);
        }
        true
    }

    /// The LCD's picture now.
    pub fn render(&self, frame: &mut Frame) {
        self.machine.board.render_lcd(frame);
    }
}

/// A CX whose boot ROM spins in a two-instruction loop (MOV r0, r0; B back) for ever: a
/// machine whose frames always run, for tests.
#[cfg(test)]
pub(crate) fn busy_machine() -> Machine {
    let mut machine = Machine::nspire_cx(0);
    let rom: Vec<u8> = [0xE1A0_0000u32, 0xEAFF_FFFD]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    assert!(machine.board.load(0, &rom));
    machine
}

#[cfg(test)]
mod tests {
    use devices::touchpad::Touch;

    use super::*;
    use crate::snapshot;

    /// A session of a CX whose boot ROM spins for ever (see [`busy_machine`]).
    fn busy_session(script: Script) -> Session {
        Session::new(busy_machine(), script, None)
    }

    /// Where a CX key of the matrix is.
    fn position(name: &str) -> (usize, usize) {
        match CxKey::from_name(name) {
            Some(CxKey::Matrix { row, col }) => (row, col),
            other => panic!("{name}: {other:?}"),
        }
    }

    /// A session whose machine goes back to a saved state (the monitor's `load`) counts its
    /// frames from there: the next frame is a whole frame of the state's time. The machine is
    /// given the keys held now, not the state's (aa held when it was saved, ON since), and the
    /// keys recorded start again from those held.
    #[test]
    fn frames_count_from_a_loaded_state() {
        let mut session = busy_session(Script::default());
        let frame = session.frame_cycles;
        let aa = CxKey::from_name("aa").unwrap();
        session.set_key(aa, true);
        session.run_frame();
        let path = std::env::temp_dir().join(format!("emu-session-{}.state", std::process::id()));
        snapshot::save(&session.machine, &path).unwrap();
        let saved_at = session.machine.cpu.cycles();
        session.set_key(aa, false);
        session.set_key(CxKey::On, true);
        for _ in 0..3 {
            session.run_frame();
        }
        assert_eq!(session.applied_keys().events.len(), 3);
        snapshot::load(&mut session.machine, &path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let (row, col) = position("aa");
        assert!(session.machine.board.key_down(row, col));
        assert!(!session.machine.board.on_key_down());
        assert_eq!(session.run_frame(), None);
        assert_eq!(session.machine.cpu.cycles(), saved_at + frame);
        assert!(!session.machine.board.key_down(row, col));
        assert!(session.machine.board.on_key_down());
        assert_eq!(session.applied_keys().to_text(), "0 press on\n");
    }

    /// A machine run on while the session did not have it (the monitor's `until`): the
    /// frames it ran count, the key script goes on from there, and a key tapped before, which
    /// the machine held meanwhile, is released as the next frame ends.
    #[test]
    fn frames_run_elsewhere_count() {
        let mut session = busy_session(Script::parse("3 press on\n").unwrap());
        let frame = session.frame_cycles;
        session.run_frame();
        let aa = CxKey::from_name("aa").unwrap();
        session.set_key(aa, true);
        session.set_key(aa, false);
        // Into the middle of frame 2.
        assert_eq!(session.machine.run_cycles(frame * 3 / 2), None);
        let (row, col) = position("aa");
        assert!(session.machine.board.key_down(row, col));
        assert_eq!(session.run_frame(), None);
        assert_eq!(session.frames(), 3);
        assert!((3 * frame..3 * frame + 64).contains(&session.machine.cpu.cycles()));
        assert!(!session.machine.board.key_down(row, col));
        assert!(!session.machine.board.on_key_down());
        session.run_frame();
        assert!(session.machine.board.on_key_down());
        assert_eq!(
            session.applied_keys().to_text(),
            "1 press aa\n3 release aa\n3 press on\n"
        );
    }

    /// The touchpad's keys press the pad at its edges (two arrows at a corner), the finger
    /// touches and pushes it where it is; a push lifted in its own frame lasts the frame; the
    /// lifted finger leaves its last position. Everything is recorded as it applied.
    #[test]
    fn pad_keys_and_the_finger_drive_the_touchpad() {
        let script = "0 press up\n0 press left\n1 release up\n2 release left\n\
                      3 touch 100 200\n4 push 2000 300\n4 untouch\n";
        let mut session = busy_session(Script::parse(script).unwrap());
        let mut touches = Vec::new();
        for _ in 0..6 {
            session.run_frame();
            touches.push(session.machine.board.touchpad().unwrap().touch());
        }
        let touch = |contact, pressed, x, y| Touch {
            contact,
            pressed,
            x,
            y,
        };
        assert_eq!(
            touches,
            [
                touch(true, true, 388, 1410),   // up and left: the top left corner
                touch(true, true, 388, 845),    // left
                touch(false, false, 388, 845),  // nothing held: the position stays
                touch(true, false, 100, 200),   // touched
                touch(false, false, 2000, 300), // pushed during frame 4, lifted after it
                touch(false, false, 2000, 300),
            ]
        );
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press up\n0 press left\n1 release up\n2 release left\n3 touch 100 200\n\
             4 push 2000 300\n5 untouch\n"
        );
    }

    /// A key released in the frame it was pressed in is held until that frame has run, and
    /// recorded so: a script's tap within one frame, or one typed while the machine is paused.
    /// Pressed again before then, it stays down.
    #[test]
    fn a_tap_within_a_frame_is_held_for_the_frame() {
        let mut session = busy_session(Script::parse("0 press aa\n0 release aa\n").unwrap());
        session.run_frame();
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press aa\n1 release aa\n"
        );
        session.set_key(CxKey::On, true);
        session.set_key(CxKey::On, false);
        assert!(session.held.contains(&CxKey::On));
        session.set_key(CxKey::On, true);
        session.run_frame();
        assert!(session.held.contains(&CxKey::On));
        session.set_key(CxKey::On, false);
        assert!(session.held.is_empty());
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press aa\n1 release aa\n1 press on\n2 release on\n"
        );
    }
}
