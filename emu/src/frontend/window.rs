//! The desktop window: the LCD scaled up, the host keyboard as the keypad, the mouse as the
//! touchpad, the machine's time paced to real time.
//!
//! The window stands for the touchpad: with the left button held the mouse's finger is on the
//! pad where the pointer is (the window's left edge the pad's, its bottom the pad's), with the
//! right button held it pushes the pad down there; released, or outside the window, it is off.
//!
//! Each host frame (60 a second) runs one frame of the machine's time, shows the LCD, then
//! sleeps until the next; a host too slow for that falls behind without trying to catch up,
//! which the title's speed shows. In turbo the machine runs frames for the whole host frame
//! and the picture is shown once at its end. When the machine stops (the guest exits, or the
//! instruction limit) the window stays open on the last picture until it is closed.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use devices::pl111::{HEIGHT, WIDTH};
use devices::touchpad;
use minifb::{InputCallback, Key, MouseButton, MouseMode, Window, WindowOptions};

use super::keymap::{self, Action};
use super::record::Recorder;
use super::rewind::Rewind;
use super::screenshot;
use super::script::{Finger, Script};
use super::session::{blank_frame, Frame, Session, Stop, FRAME_RATE};
use super::settings::KeyMap;
use super::slots::{self, Slots};
use crate::machine::{DebugStop, Exit, Machine};
use crate::monitor::{Leave, Monitor};
use crate::terminal::{self, Request};

/// How the window was asked to run.
pub struct Options {
    /// The ROM's name, for the title.
    pub name: String,
    /// Window pixels per LCD pixel, each way.
    pub scale: usize,
    /// Start unthrottled.
    pub turbo: bool,
    /// Close after this many frames (see [`Outcome`]).
    pub frames: Option<u64>,
    /// The instruction limit (`--max-insns`).
    pub limit: Option<u64>,
    /// Scripted key presses, as in headless runs.
    pub script: Script,
    /// Record the LCD to this GIF from the start (`--record`).
    pub record: Option<PathBuf>,
    /// Keep the rewind ring (`--rewind`).
    pub rewind: bool,
    /// The ROM's save-state slots, or why it has none.
    pub slots: Result<Slots, String>,
    /// What each host key does.
    pub keys: KeyMap,
}

/// How the window ended, and the machine as it was (its LCD shows the last picture).
pub struct Outcome {
    /// `None` when closed while the machine ran; `Stop::Frames` when `frames` ran out first;
    /// otherwise how the machine had stopped.
    pub stop: Option<Stop>,
    pub machine: Machine,
    /// Every key event of the run since the last reset (F2) or `load`, host keys and scripted
    /// ones, as a script that replays it.
    pub keys: Script,
    /// The recording going on, to finish.
    pub recorder: Option<Recorder>,
    /// The rewind ring, for `--stats`.
    pub rewind: Option<Rewind>,
}

/// Host key events as the window reports them, in order.
#[derive(Clone, Default)]
struct KeyEvents(Rc<RefCell<VecDeque<(Key, bool)>>>);

impl InputCallback for KeyEvents {
    fn add_char(&mut self, _: u32) {}

    fn set_key_state(&mut self, key: Key, down: bool) {
        self.0.borrow_mut().push_back((key, down));
    }
}

/// The host keys held down, and the CX keys they press.
struct Keyboard {
    events: KeyEvents,
    held: HashSet<Key>,
    /// Keys held that were pressed with Ctrl for an emulator action: the CX does not see them.
    chords: HashSet<Key>,
    /// What each host key does (the defaults and the settings file).
    keys: KeyMap,
    /// Whether the machine runs an Ndless program (the arrows press the touchpad).
    ndless: bool,
}

impl Keyboard {
    /// Applies the host's key events to the session's machine, and returns the emulator keys
    /// pressed. A key pressed and released within one host frame is released at the next one,
    /// with the events after it, so that keys typed quickly reach the guest in their order (the
    /// session holds the tap for a frame of the machine's time).
    fn apply(&mut self, session: &mut Session) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut pressed_now = HashSet::new();
        let mut queue = self.events.0.borrow_mut();
        while let Some(&(key, down)) = queue.front() {
            if !down && pressed_now.contains(&key) {
                break;
            }
            queue.pop_front();
            let ctrl = self.held.contains(&Key::LeftCtrl) || self.held.contains(&Key::RightCtrl);
            let chord = ctrl.then(|| self.keys.action(key, true)).flatten();
            if let Some(action) = chord.filter(|_| down && !self.held.contains(&key)) {
                if self.chords.insert(key) {
                    actions.push(action);
                }
                continue;
            }
            if self.chords.contains(&key) {
                if !down {
                    self.chords.remove(&key);
                }
                continue;
            }
            // Auto-repeat presses of a held key change nothing.
            let changed = if down {
                self.held.insert(key)
            } else {
                self.held.remove(&key)
            };
            if !changed {
                continue;
            }
            if down {
                pressed_now.insert(key);
                actions.extend(self.keys.action(key, false));
            }
            if let Some(cx) = self.cx_key(key) {
                let held = self.held.iter().any(|&k| self.cx_key(k) == Some(cx));
                session.set_key(cx, held);
            }
        }
        actions
    }

    /// Lets go of every key, after the events waiting, when the window loses the focus:
    /// minifb reports no key events until it has the focus again, so a key released meanwhile
    /// would stay down.
    fn release_all(&mut self) {
        let mut queue = self.events.0.borrow_mut();
        let mut down: BTreeSet<Key> = self.held.iter().chain(&self.chords).copied().collect();
        for &(key, pressed) in queue.iter() {
            if pressed {
                down.insert(key);
            } else {
                down.remove(&key);
            }
        }
        queue.extend(down.into_iter().map(|key| (key, false)));
    }

    /// Whether the key that rewinds is held (with Ctrl when it was pressed).
    fn rewinding(&self) -> bool {
        self.chords
            .iter()
            .any(|&key| self.keys.action(key, true) == Some(Action::Rewind))
    }

    /// Presses, in a new session, the CX keys still held.
    fn press_held(&self, session: &mut Session) {
        for cx in self.held.iter().filter_map(|&k| self.cx_key(k)) {
            session.set_key(cx, true);
        }
    }

    /// The CX key a host key presses in this run.
    fn cx_key(&self, key: Key) -> Option<keymap::CxKey> {
        self.keys.cx_key(key, self.ndless)
    }
}

/// The mouse's finger on the touchpad: where the pointer is in the window of `width` x
/// `height` pixels, if a button is held (the right one pushes the pad).
fn finger_at(pointer: Option<(f32, f32)>, size: (usize, usize), left: bool, right: bool) -> Finger {
    let Some((x, y)) = pointer.filter(|_| left || right) else {
        return Finger::Lifted;
    };
    let along = |at: f32, size: usize, max: u16| {
        let fraction = (at / size.max(1) as f32).clamp(0.0, 1.0);
        (fraction * max as f32).round() as u16
    };
    let x = along(x, size.0, touchpad::WIDTH);
    let y = touchpad::HEIGHT - along(y, size.1, touchpad::HEIGHT);
    if right {
        Finger::Pushing { x, y }
    } else {
        Finger::Touching { x, y }
    }
}

/// The mouse's finger, from the window.
fn mouse_finger(window: &Window) -> Finger {
    finger_at(
        window.get_mouse_pos(MouseMode::Discard),
        window.get_size(),
        window.get_mouse_down(MouseButton::Left),
        window.get_mouse_down(MouseButton::Right),
    )
}

/// The emulation speed over the last half second, as a percentage of real time.
struct SpeedMeter {
    since: Instant,
    frames: u64,
    percent: f64,
}

impl SpeedMeter {
    fn new() -> SpeedMeter {
        SpeedMeter {
            since: Instant::now(),
            frames: 0,
            percent: 100.0,
        }
    }

    /// Counts frames run; true when the percentage changed.
    fn count(&mut self, frames: u64) -> bool {
        self.frames += frames;
        let elapsed = self.since.elapsed().as_secs_f64();
        if elapsed < 0.5 {
            return false;
        }
        self.percent = self.frames as f64 / FRAME_RATE as f64 / elapsed * 100.0;
        self.since = Instant::now();
        self.frames = 0;
        true
    }
}

/// Runs `machine` in a window until the window is closed, F12, or `options.frames`. `make`
/// builds the machine again for a reset. The error is one line: no display, or the window
/// could not be opened or updated.
pub fn run(
    machine: Machine,
    make: &mut dyn FnMut() -> Result<Machine, String>,
    monitor: &mut Monitor,
    mut options: Options,
) -> Result<Outcome, String> {
    let mut window = open(&options)?;
    let events = KeyEvents::default();
    window.set_input_callback(Box::new(events.clone()));
    let mut keyboard = Keyboard {
        events,
        held: HashSet::new(),
        chords: HashSet::new(),
        keys: std::mem::take(&mut options.keys),
        ndless: machine.runs_ndless(),
    };
    let mut session = window_session(machine, &options);
    session.recorder = options.record.as_deref().map(Recorder::start).transpose()?;
    session.rewind = options.rewind.then(super::run::new_rewind);
    let mut slots = std::mem::replace(&mut options.slots, Err(String::new()));
    // The chosen slot's thumbnail, shown on the picture for a while after it is chosen.
    let mut thumbnail: Option<(slots::Thumbnail, Instant)> = None;
    let mut finger = Finger::Lifted;
    let period = Duration::from_secs_f64(1.0 / FRAME_RATE as f64);
    let (width, height) = (WIDTH * options.scale, HEIGHT * options.scale);
    let mut pixels = vec![0u32; width * height];
    let mut frame = blank_frame();
    let mut stopped: Option<Exit> = None;
    let (mut paused, mut turbo) = (false, options.turbo);
    let mut frames_done = 0u64;
    let mut meter = SpeedMeter::new();
    let mut note: Option<(String, Instant)> = None;
    let mut title = String::new();
    let mut next = Instant::now();
    let mut focused = false;
    while window.is_open() {
        let active = window.is_active();
        if focused && !active {
            keyboard.release_all();
        }
        focused = active;
        // The terminal's escape key (Ctrl-A x, Ctrl-A c) acts as F12 and F5 do.
        let escape = terminal::take_request().map(|request| match request {
            Request::Quit => Action::Quit,
            Request::Monitor => Action::Monitor,
        });
        for action in keyboard.apply(&mut session).into_iter().chain(escape) {
            match action {
                Action::Quit => return Ok(outcome(stopped, None, session)),
                Action::Pause => paused = !paused,
                Action::Monitor => {
                    if let Leave::Quit = monitor.run_interactive(&mut session.machine) {
                        return Ok(outcome(stopped, None, session));
                    }
                }
                Action::Turbo => turbo = !turbo,
                Action::Reset => match make() {
                    Ok(mut machine) => {
                        monitor.sync(&mut machine);
                        keyboard.ndless = machine.runs_ndless();
                        let (recorder, rewind) = (session.recorder.take(), session.rewind.take());
                        session = window_session(machine, &options);
                        session.recorder = recorder;
                        // A machine built anew: its memory differs from the ring's copy.
                        session.rewind = rewind.map(|mut rewind| {
                            rewind.clear();
                            rewind
                        });
                        keyboard.press_held(&mut session);
                        finger = Finger::Lifted;
                        stopped = None;
                        note = Some(("reset".to_string(), Instant::now()));
                    }
                    Err(e) => {
                        log::warn!("reset failed: {e}");
                        note = Some((format!("reset failed: {e}"), Instant::now()));
                    }
                },
                Action::Screenshot => {
                    let path = crate::files::timestamped_path(Path::new(""), "png");
                    let text = match screenshot::save_png(&frame, &path) {
                        Ok(()) => format!("saved {}", path.display()),
                        Err(e) => e,
                    };
                    log::info!("screenshot: {text}");
                    note = Some((text, Instant::now()));
                }
                Action::SaveSlot | Action::LoadSlot | Action::ChooseSlot(_) => {
                    let text = match &mut slots {
                        Err(e) => e.clone(),
                        Ok(slots) => {
                            let done = match action {
                                Action::SaveSlot => slots.save(&session.machine, &frame),
                                Action::LoadSlot => slots.load(&mut session.machine),
                                _ => Ok(String::new()),
                            };
                            if let Action::ChooseSlot(slot) = action {
                                slots.chosen = slot;
                                thumbnail = slots.thumbnail().map(|t| (t, Instant::now()));
                            }
                            match done {
                                Ok(done) if done.is_empty() => slots.describe(),
                                Ok(done) => {
                                    stopped = None;
                                    done
                                }
                                Err(e) => e,
                            }
                        }
                    };
                    note = Some((text, Instant::now()));
                }
                Action::Record => {
                    let text = match session.recorder.take() {
                        Some(recorder) => {
                            let path = recorder.path().display().to_string();
                            match recorder.finish() {
                                Ok(frames) => format!("recorded {frames} frames to {path}"),
                                Err(e) => e,
                            }
                        }
                        None => {
                            let path = crate::files::timestamped_path(Path::new(""), "gif");
                            match Recorder::start(&path) {
                                Ok(recorder) => {
                                    session.recorder = Some(recorder);
                                    format!("recording to {}", path.display())
                                }
                                Err(e) => e,
                            }
                        }
                    };
                    note = Some((text, Instant::now()));
                }
                // Acted on while held, below.
                Action::Rewind => {}
            }
        }

        let now_finger = mouse_finger(&window);
        if now_finger != finger {
            finger = now_finger;
            session.set_finger(finger);
        }

        let frame_start = Instant::now();
        let mut ran = 0;
        if keyboard.rewinding() {
            if session.step_back() {
                stopped = None;
                note = Some(("rewinding".to_string(), Instant::now()));
            } else if session.rewind.is_none() {
                note = Some((
                    "rewind is off: run with --rewind".to_string(),
                    Instant::now(),
                ));
            }
        } else if stopped.is_none() && !paused {
            loop {
                match session.run_frame() {
                    None => {}
                    Some(DebugStop::Exit(exit)) => stopped = Some(exit),
                    // A breakpoint, watchpoint or break-on condition: the monitor takes over.
                    // None: a breakpoint whose condition is false; the run goes on.
                    Some(stop) => {
                        if let Some(report) = monitor.stopped(&mut session.machine, stop) {
                            print!("{report}");
                            if let Leave::Quit = monitor.run_interactive(&mut session.machine) {
                                return Ok(outcome(stopped, None, session));
                            }
                            break;
                        }
                    }
                }
                ran += 1;
                let done = frames_done + ran;
                let enough = options.frames.is_some_and(|n| done >= n);
                if stopped.is_some() || enough || !turbo || frame_start.elapsed() >= period {
                    break;
                }
            }
        } else if stopped.is_some() {
            // A stopped machine's frames still count, so `--frames` always ends the run.
            ran = 1;
        }
        frames_done += ran;
        session.render(&mut frame);
        scale(&frame, options.scale, &mut pixels);
        if let Some((picture, _)) = thumbnail
            .as_ref()
            .filter(|(_, at)| at.elapsed().as_secs() < 3)
        {
            slots::draw_thumbnail(picture, options.scale, &mut pixels, width);
        }
        window
            .update_with_buffer(&pixels, width, height)
            .map_err(|e| format!("window: {e}"))?;
        if options.frames.is_some_and(|n| frames_done >= n) {
            return Ok(outcome(stopped, Some(Stop::Frames), session));
        }

        let speed_changed = meter.count(if stopped.is_none() && !paused { ran } else { 0 });
        if note
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed().as_secs() >= 3)
        {
            note = None;
        }
        let state = match (stopped, paused) {
            (Some(Exit::Guest(status)), _) => format!("exited with status {status}"),
            (Some(Exit::InstructionLimit), _) => format!(
                "stopped after {} instructions",
                session.machine.cpu.instructions()
            ),
            (Some(Exit::Halted(_)), _) => "halted".to_string(),
            (Some(Exit::Reset), _) => "reset (--no-reboot)".to_string(),
            (Some(Exit::NoSemihosting { .. }), _) => "stopped: semihosting is off".to_string(),
            (Some(Exit::OsCall { .. }), _) => "stopped: an OS call emu does not answer".to_string(),
            (Some(Exit::Diverged(_)), _) => "stopped: the engines differ".to_string(),
            (None, true) => "paused".to_string(),
            (None, false) if turbo => format!("{:.0}% (turbo)", meter.percent),
            (None, false) => format!("{:.0}%", meter.percent),
        };
        let mut new_title = format!("{} - emu - {state}", options.name);
        if let Some((text, _)) = &note {
            new_title = format!("{new_title} - {text}");
        }
        if new_title != title || speed_changed {
            window.set_title(&new_title);
            title = new_title;
        }

        if turbo && stopped.is_none() && !paused {
            next = Instant::now();
        } else {
            next += period;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            } else if now - next > 4 * period {
                // Too far behind to catch up: carry on from now.
                next = now;
            }
        }
    }
    Ok(outcome(stopped, None, session))
}

/// A session of the window's: the person may press keys at any time.
fn window_session(machine: Machine, options: &Options) -> Session {
    let mut session = Session::new(machine, options.script.clone(), options.limit);
    session.host_keys = true;
    session
}

fn outcome(stopped: Option<Exit>, otherwise: Option<Stop>, session: Session) -> Outcome {
    Outcome {
        stop: stopped.map(Stop::Machine).or(otherwise),
        keys: session.applied_keys().clone(),
        machine: session.machine,
        recorder: session.recorder,
        rewind: session.rewind,
    }
}

/// Opens the window, or says in one line why there is none.
fn open(options: &Options) -> Result<Window, String> {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    if display.is_empty() {
        return Err(
            "no display to open a window on (DISPLAY is unset); run with --headless".to_string(),
        );
    }
    let title = format!("{} - emu", options.name);
    let mut window = Window::new(
        &title,
        WIDTH * options.scale,
        HEIGHT * options.scale,
        WindowOptions::default(),
    )
    .map_err(|e| format!("cannot open a window on display {display} ({e}); run with --headless"))?;
    // The pacing here decides when frames are shown; minifb must not sleep as well.
    window.set_target_fps(0);
    Ok(window)
}

/// Scales `frame` up `factor` times each way into `out`, nearest neighbour.
fn scale(frame: &Frame, factor: usize, out: &mut [u32]) {
    let width = WIDTH * factor;
    for (y, row) in frame.chunks_exact(WIDTH).enumerate() {
        let first = y * factor * width;
        let line = &mut out[first..first + width];
        for (x, &pixel) in row.iter().enumerate() {
            line[x * factor..(x + 1) * factor].fill(pixel);
        }
        for copy in 1..factor {
            out.copy_within(first..first + width, first + copy * width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::busy_machine;

    #[test]
    fn a_quick_tap_is_held_for_a_frame_and_repeats_act_once() {
        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut keyboard = Keyboard {
            events: KeyEvents::default(),
            held: HashSet::new(),
            chords: HashSet::new(),
            keys: KeyMap::default(),
            ndless: false,
        };
        let send = |key, down| keyboard.events.clone().set_key_state(key, down);
        send(Key::A, true);
        send(Key::F2, true);
        send(Key::F2, true);
        send(Key::A, false);
        send(Key::F2, false);
        assert_eq!(keyboard.apply(&mut session), vec![Action::Reset]);
        assert!(keyboard.held.contains(&Key::A));
        assert_eq!(keyboard.events.0.borrow().len(), 2);
        assert_eq!(keyboard.apply(&mut session), vec![]);
        assert!(keyboard.held.is_empty());
        assert!(keyboard.events.0.borrow().is_empty());
        // The session has the CX key's press, and its release once the frame has run (not the
        // emulator's F2).
        session.run_frame();
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press aa\n1 release aa\n"
        );
    }

    /// When the window loses the focus, every key is let go, after the events waiting: one
    /// held, one pressed since; a key already released stays so.
    #[test]
    fn losing_the_focus_lets_go_of_every_key() {
        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut keyboard = Keyboard {
            events: KeyEvents::default(),
            held: HashSet::new(),
            chords: HashSet::new(),
            keys: KeyMap::default(),
            ndless: false,
        };
        let events = keyboard.events.clone();
        let send = |key, down| events.clone().set_key_state(key, down);
        send(Key::A, true);
        send(Key::Home, true);
        keyboard.apply(&mut session);
        session.run_frame();
        send(Key::Home, false);
        send(Key::Left, true);
        keyboard.release_all();
        keyboard.apply(&mut session);
        // Left's release waits for the next host frame, as a quick tap's does.
        assert_eq!(keyboard.held, HashSet::from([Key::Left]));
        session.run_frame();
        keyboard.apply(&mut session);
        assert!(keyboard.held.is_empty());
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press aa\n0 press on\n1 release on\n1 press n4\n1 release aa\n2 release n4\n"
        );
    }

    /// Running an Ndless program the arrows press the touchpad's keys, recorded so.
    #[test]
    fn arrows_press_the_touchpad_for_ndless_programs() {
        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut keyboard = Keyboard {
            events: KeyEvents::default(),
            held: HashSet::new(),
            chords: HashSet::new(),
            keys: KeyMap::default(),
            ndless: true,
        };
        keyboard.events.clone().set_key_state(Key::Up, true);
        keyboard.apply(&mut session);
        session.run_frame();
        keyboard.events.clone().set_key_state(Key::Up, false);
        keyboard.apply(&mut session);
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press up\n1 release up\n"
        );
    }

    /// The window stands for the pad: its top left corner is the pad's (0, HEIGHT).
    #[test]
    fn the_mouse_touches_the_pad_where_it_is_in_the_window() {
        let size = (640, 480);
        assert_eq!(
            finger_at(Some((1.0, 1.0)), size, false, false),
            Finger::Lifted
        );
        assert_eq!(finger_at(None, size, true, false), Finger::Lifted);
        assert_eq!(
            finger_at(Some((0.0, 0.0)), size, true, false),
            Finger::Touching {
                x: 0,
                y: touchpad::HEIGHT
            }
        );
        assert_eq!(
            finger_at(Some((640.0, 480.0)), size, true, true),
            Finger::Pushing {
                x: touchpad::WIDTH,
                y: 0
            }
        );
        assert_eq!(
            finger_at(Some((320.0, 240.0)), size, false, true),
            Finger::Pushing { x: 1164, y: 845 }
        );
    }

    #[test]
    fn scaling_repeats_each_pixel() {
        let mut frame = blank_frame();
        frame[0] = 1;
        frame[1] = 2;
        frame[WIDTH] = 3;
        let mut out = vec![0; WIDTH * HEIGHT * 9];
        scale(&frame, 3, &mut out);
        let w = WIDTH * 3;
        assert_eq!(&out[..7], &[1, 1, 1, 2, 2, 2, 0]);
        assert_eq!(&out[w..w + 7], &[1, 1, 1, 2, 2, 2, 0]);
        assert_eq!(&out[2 * w..2 * w + 4], &[1, 1, 1, 2]);
        assert_eq!(&out[3 * w..3 * w + 4], &[3, 3, 3, 0]);
        assert_eq!(out[out.len() - 1], 0);
    }
}
