//! The desktop window: the LCD scaled up with the CX's keypad drawn beside it
//! ([`super::view`]), the host keyboard and the mouse as the keypad and the touchpad, the
//! machine's time paced to real time or a preset speed ([`super::pace`]), a note on the
//! picture for what just happened and a status line ([`super::overlay`]).
//!
//! Each host frame (60 a second) runs the machine's frames that are due at the speed in force
//! (none at 25% three host frames in four, two at 200%), shows the picture, then sleeps until
//! the next; a host too slow for that falls behind without trying to catch up, which the
//! status line shows. Unlimited (turbo, or the fast-forward key held), the machine runs frames
//! for the whole host frame and the picture is shown once at its end. When the machine stops
//! (the guest exits, or the instruction limit) the window stays open on the last picture until
//! it is closed.
//!
//! The window can be resized; the picture keeps its shape ([`super::view::layout`]). Full
//! screen is a borderless window the size of the screen at its top left, above the others
//! ([`super::screen`]): minifb has no full-screen mode on X11, so this is not the window
//! manager's full-screen state (a panel may stay above it).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use minifb::{InputCallback, Key, Window};

use super::gamepad::Pads;
use super::keymap::{self, Action, CxKey};
use super::overlay::{Overlay, Status};
use super::pace::{Speed, Throttle};
use super::pointer::Pointer;
use super::prompter::MonitorPrompt;
use super::record::Recorder;
use super::rewind::Rewind;
use super::screen::Screen;
use super::screenshot;
use super::script::{Finger, Script};
use super::session::{blank_frame, Frame, Session, Stop, FRAME_RATE};
use super::settings::KeyMap;
use super::slots::{self, Slots};
use super::view::{self, Layout, Scene};
use crate::machine::{DebugStop, Exit, Machine};
use crate::monitor::{Leave, Monitor, Watch};
use crate::terminal::{self, Request};

/// A host frame: how often the window shows a picture.
const PERIOD: Duration = Duration::from_nanos(1_000_000_000 / FRAME_RATE);

/// How the window was asked to run.
pub struct Options {
    /// The ROM's name, for the title.
    pub name: String,
    /// Window pixels per LCD pixel, each way.
    pub scale: usize,
    /// Start unthrottled.
    pub turbo: bool,
    /// Close after this many frames of the machine's time shown: run forwards, run backwards
    /// by rewind, or shown stopped (see [`Outcome`]).
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
    /// Whether the drawn keypad shows at the start (F7 toggles it).
    pub keypad: bool,
    /// The speed presets F9 and F10 step through, sorted.
    pub speeds: Vec<Speed>,
    /// Start in the monitor (`--monitor`).
    pub monitor: bool,
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
pub(super) struct KeyEvents(Rc<RefCell<VecDeque<(Key, bool)>>>);

impl InputCallback for KeyEvents {
    fn add_char(&mut self, _: u32) {}

    fn set_key_state(&mut self, key: Key, down: bool) {
        self.0.borrow_mut().push_back((key, down));
    }
}

/// What the window's keys and mouse press CX keys on: a session run by frames, or the machine
/// a debugger runs.
pub(super) trait KeySink {
    fn set_key(&mut self, key: CxKey, pressed: bool);
}

impl KeySink for Session {
    fn set_key(&mut self, key: CxKey, pressed: bool) {
        Session::set_key(self, key, pressed);
    }
}

/// The host keys held down, and the CX keys they press.
pub(super) struct Keyboard {
    events: KeyEvents,
    held: HashSet<Key>,
    /// Keys held that were pressed with Ctrl for an emulator action: the CX does not see them.
    chords: HashSet<Key>,
    /// What each host key does (the defaults and the settings file).
    keys: KeyMap,
    /// Whether the machine runs an Ndless program (the arrows press the touchpad).
    pub(super) ndless: bool,
    /// The CX key the mouse holds on the drawn keypad.
    mouse: Option<CxKey>,
    /// The CX keys the gamepads' buttons and sticks hold.
    pad: Vec<CxKey>,
    /// The emulator actions the gamepads' buttons hold.
    pad_actions: Vec<Action>,
}

impl Keyboard {
    pub(super) fn new(events: KeyEvents, keys: KeyMap, ndless: bool) -> Keyboard {
        Keyboard {
            events,
            held: HashSet::new(),
            chords: HashSet::new(),
            keys,
            ndless,
            mouse: None,
            pad: Vec::new(),
            pad_actions: Vec::new(),
        }
    }

    /// Applies the host's key events to the session's machine, and returns the emulator keys
    /// pressed. A key pressed and released within one host frame is released at the next one,
    /// with the events after it, so that keys typed quickly reach the guest in their order (the
    /// session holds the tap for a frame of the machine's time).
    pub(super) fn apply(&mut self, session: &mut impl KeySink) -> Vec<Action> {
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
                session.set_key(cx, self.holds(cx));
            }
        }
        actions
    }

    /// Where the first press of a key doing `action` (without Ctrl) is among the events not
    /// yet applied, if there is one.
    fn first_press(&self, action: Action) -> Option<usize> {
        self.events.0.borrow().iter().position(|&(key, down)| {
            down && !self.held.contains(&key) && self.keys.action(key, false) == Some(action)
        })
    }

    /// Takes the first press of a key doing `action` (without Ctrl) out of the events not yet
    /// applied, if there is one; its release, left, changes nothing (the key was never held).
    fn take_press(&mut self, action: Action) -> bool {
        let at = self.first_press(action);
        at.is_some_and(|at| self.events.0.borrow_mut().remove(at).is_some())
    }

    /// Whether a host key, the mouse or a gamepad holds the CX key `cx`.
    pub(super) fn holds(&self, cx: CxKey) -> bool {
        self.mouse == Some(cx)
            || self.pad.contains(&cx)
            || self.held.iter().any(|&k| self.cx_key(k) == Some(cx))
    }

    /// Whether a host key or a gamepad's button held does `action`.
    pub(super) fn holds_action(&self, action: Action) -> bool {
        self.pad_actions.contains(&action)
            || self
                .held
                .iter()
                .any(|&k| self.keys.action(k, false) == Some(action))
    }

    /// The mouse holds `key` now (or none): the key it held before is released unless a host
    /// key holds it too.
    pub(super) fn set_mouse(&mut self, key: Option<CxKey>, session: &mut impl KeySink) {
        let before = std::mem::replace(&mut self.mouse, key);
        if before == key {
            return;
        }
        if let Some(old) = before.filter(|&old| !self.holds(old)) {
            session.set_key(old, false);
        }
        if let Some(new) = key {
            session.set_key(new, true);
        }
    }

    /// The gamepads hold `keys` and `actions` now: the keys they held before are released
    /// unless something else holds them too.
    pub(super) fn set_pad(
        &mut self,
        keys: Vec<CxKey>,
        actions: Vec<Action>,
        session: &mut impl KeySink,
    ) {
        self.pad_actions = actions;
        let before = std::mem::replace(&mut self.pad, keys);
        for &old in before.iter().filter(|&&old| !self.holds(old)) {
            session.set_key(old, false);
        }
        for &new in self.pad.iter().filter(|new| !before.contains(new)) {
            session.set_key(new, true);
        }
    }

    /// Lets go of every key, after the events waiting, when the window loses the focus:
    /// minifb reports no key events until it has the focus again, so a key released meanwhile
    /// would stay down.
    pub(super) fn release_all(&mut self) {
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

    /// Whether the key that rewinds is held (with Ctrl when it was pressed), or a gamepad's
    /// button that does.
    fn rewinding(&self) -> bool {
        self.holds_action(Action::Rewind)
            || self
                .chords
                .iter()
                .any(|&key| self.keys.action(key, true) == Some(Action::Rewind))
    }

    /// Presses, in a new session, the CX keys still held.
    fn press_held(&self, session: &mut Session) {
        let keys = self.held.iter().filter_map(|&k| self.cx_key(k));
        for cx in keys.chain(self.mouse).chain(self.pad.iter().copied()) {
            session.set_key(cx, true);
        }
    }

    /// The CX key a host key presses in this run.
    fn cx_key(&self, key: Key) -> Option<keymap::CxKey> {
        self.keys.cx_key(key, self.ndless)
    }
}

/// The mouse over `layout`, from the window: the key it holds and the finger it moves after
/// each press and release of a button since the last look, in order, then now; where it
/// moves none, the finger is `stick`'s (a gamepad's).
pub(super) fn read_pointer(
    pointer: &mut Pointer,
    screen: &mut Screen,
    layout: &Layout,
    stick: Finger,
) -> Vec<Pointer> {
    let states = screen.buttons().into_iter().map(|buttons| {
        let target = buttons
            .at
            .map_or(view::Target::Nothing, |at| view::target(layout, at));
        pointer.update(target, buttons.left, buttons.right, stick);
        *pointer
    });
    states.collect()
}

/// The emulation speed over the last half second, as a percentage of real time, and the
/// pictures shown a second.
struct SpeedMeter {
    since: Instant,
    frames: u64,
    shown: u64,
    percent: f64,
    fps: f64,
}

impl SpeedMeter {
    fn new() -> SpeedMeter {
        SpeedMeter {
            since: Instant::now(),
            frames: 0,
            shown: 0,
            percent: 100.0,
            fps: FRAME_RATE as f64,
        }
    }

    /// Counts frames run and a picture shown; true when the figures changed.
    fn count(&mut self, frames: u64) -> bool {
        self.frames += frames;
        self.shown += 1;
        let elapsed = self.since.elapsed().as_secs_f64();
        if elapsed < 0.5 {
            return false;
        }
        self.percent = self.frames as f64 / FRAME_RATE as f64 / elapsed * 100.0;
        self.fps = self.shown as f64 / elapsed;
        self.since = Instant::now();
        self.frames = 0;
        self.shown = 0;
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
    let events = KeyEvents::default();
    let mut keypad = options.keypad;
    let size = view::window_size(options.scale, keypad);
    let mut screen = Screen::open(&format!("{} - emu", options.name), size, events.clone())?;
    let mut pads = Pads::open(options.keys.pad.clone());
    let mut keyboard = Keyboard::new(
        events,
        std::mem::take(&mut options.keys),
        machine.runs_ndless(),
    );
    let mut session = window_session(machine, &options);
    session.recorder = options.record.as_deref().map(Recorder::start).transpose()?;
    session.rewind = options.rewind.then(super::run::new_rewind);
    let mut slots = std::mem::replace(&mut options.slots, Err(String::new()));
    // The chosen slot's thumbnail, shown on the picture for a while after it is chosen.
    let mut thumbnail: Option<(slots::Thumbnail, Instant)> = None;
    let mut pointer = Pointer::default();
    let mut pixels = Vec::new();
    let mut frame = blank_frame();
    let mut stopped: Option<Exit> = None;
    let mut paused = false;
    let mut throttle = Throttle::new(
        session.machine.config.cpu_hz,
        session.machine.cpu.cycles(),
        options.turbo,
        options.speeds.clone(),
    );
    // Frames asked for by frame advance, run one a host frame.
    let mut advance = 0u32;
    let mut frames_done = 0u64;
    let mut meter = SpeedMeter::new();
    let mut overlay = Overlay::default();
    let mut title = String::new();
    let mut next = Instant::now();
    let mut focused = false;
    // While the monitor has the machine, the window draws it and takes keys without running
    // it, and looks for the monitor's next command line once a host frame.
    let mut prompt = MonitorPrompt::default();
    let interrupt = monitor.interrupt_flag();
    let bounded = options.frames.is_some() || !options.script.events.is_empty();
    if options.monitor {
        prompt.enter(monitor, &session.machine);
    }
    while screen.window.is_open() {
        let active = screen.window.is_active();
        if focused && !active {
            keyboard.release_all();
        }
        focused = active;
        // The terminal's escape key (Ctrl-A x, Ctrl-A c) acts as F12 and F5 do.
        let escape = terminal::take_request().map(|request| match request {
            Request::Quit => Action::Quit,
            Request::Monitor => Action::Monitor,
        });
        // Ctrl-C on the terminal acts as F5 does, as in headless runs; it ends a run bounded
        // by --frames or --keys, or one with no terminal for the monitor.
        let interrupted = interrupt.swap(false, Ordering::Relaxed);
        if interrupted && (bounded || !std::io::stdin().is_terminal()) {
            return Ok(outcome(stopped, Some(Stop::Interrupted), session));
        }
        let ctrl_c = interrupted.then_some(Action::Monitor);
        // The pads press keys and do actions while the window has the focus, as the keyboard
        // does.
        let (pad_actions, stick) = pads.frame(active, &mut keyboard, &mut session, &mut overlay);
        for action in keyboard
            .apply(&mut session)
            .into_iter()
            .chain(pad_actions)
            .chain(escape)
            .chain(ctrl_c)
        {
            let cycles = session.machine.cpu.cycles();
            if prompt.active()
                && matches!(action, Action::Monitor | Action::Reset | Action::LoadSlot)
            {
                overlay.show("in the monitor: its continue gives the machine back");
                continue;
            }
            match action {
                Action::Quit => return Ok(outcome(stopped, None, session)),
                Action::Pause => {
                    paused = !paused;
                    overlay.show(if paused { "paused" } else { "running" });
                }
                Action::Monitor => {
                    if !std::io::stdin().is_terminal() {
                        overlay.show("no monitor: emu's input is not a terminal");
                        continue;
                    }
                    prompt.enter(monitor, &session.machine);
                }
                Action::Turbo => {
                    overlay.show(format!("speed {}", throttle.toggle_turbo(cycles)));
                }
                Action::Slower => overlay.show(format!("speed {}", throttle.step(-1, cycles))),
                Action::Faster => overlay.show(format!("speed {}", throttle.step(1, cycles))),
                // Held, not pressed: see below.
                Action::FastForward => {}
                Action::FrameAdvance => {
                    paused = true;
                    advance += 1;
                }
                Action::Keypad => {
                    keypad = !keypad;
                    overlay.show(if keypad {
                        "keypad shown"
                    } else {
                        "keypad hidden (F7 shows it)"
                    });
                }
                Action::Fullscreen => {
                    overlay.show(screen.toggle_fullscreen()?);
                    // A new window: its title is set afresh, and the keys held in the old
                    // one are let go (their releases went to it).
                    title.clear();
                    keyboard.release_all();
                }
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
                        pointer = Pointer::default();
                        stopped = None;
                        throttle.restart(session.machine.cpu.cycles());
                        overlay.show("reset");
                    }
                    Err(e) => {
                        log::warn!("reset failed: {e}");
                        overlay.show(format!("reset failed: {e}"));
                    }
                },
                Action::Screenshot => {
                    let path = crate::files::timestamped_path(Path::new(""), "png");
                    let text = match screenshot::save_png(&frame, &path) {
                        Ok(()) => format!("saved {}", path.display()),
                        Err(e) => e,
                    };
                    log::info!("screenshot: {text}");
                    overlay.show(text);
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
                    overlay.show(text);
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
                    overlay.show(text);
                }
                // Acted on while held, below.
                Action::Rewind => {}
            }
        }

        let layout = view::layout(screen.window.get_size(), keypad);
        // A press and its release within this host frame press the key (or touch the pad)
        // for the frame about to run (see Session::set_key).
        let mut before = pointer;
        for now in read_pointer(&mut pointer, &mut screen, &layout, stick) {
            if now.key != before.key {
                keyboard.set_mouse(now.key, &mut session);
            }
            if now.finger != before.finger {
                session.set_finger(now.finger);
            }
            before = now;
        }
        // What keeps the window live while the monitor runs a command (a `Watch`): it borrows
        // the loop's window state for the length of one monitor call.
        macro_rules! busy {
            () => {
                Busy {
                    screen: &mut screen,
                    keyboard: &mut keyboard,
                    pixels: &mut pixels,
                    frame: &mut frame,
                    keypad,
                    overlay: &overlay,
                    name: &options.name,
                    title: &mut title,
                    shown: Instant::now(),
                }
            };
        }
        let mut busy = busy!();
        match prompt.poll(monitor, &mut session.machine, &mut busy) {
            Some(Leave::Quit) => return Ok(outcome(stopped, None, session)),
            Some(Leave::Resume) => throttle.restart(session.machine.cpu.cycles()),
            None => {}
        }
        let in_monitor = prompt.active();
        let fast = keyboard.holds_action(Action::FastForward);
        if throttle.hold_fast_forward(fast, session.machine.cpu.cycles()) {
            overlay.show(if fast {
                "fast forward"
            } else {
                "speed back to normal"
            });
        }

        let frame_start = Instant::now();
        let mut ran = 0;
        let rewinding = keyboard.rewinding();
        let step = !rewinding && paused && advance > 0 && !in_monitor;
        advance -= u32::from(step);
        if in_monitor {
            // The monitor has the machine: nothing runs.
        } else if rewinding {
            if session.step_back() {
                stopped = None;
                overlay.show("rewinding");
                // A frame shown, run backwards: `--frames` counts it.
                ran = 1;
            } else if session.rewind.is_none() {
                overlay.show("rewind is off: run with --rewind");
            }
        } else if stopped.is_none() && (!paused || step) {
            loop {
                if !step && !throttle.due(session.machine.cpu.cycles()) {
                    break;
                }
                match session.run_frame() {
                    None => {}
                    Some(DebugStop::Exit(exit)) => stopped = Some(exit),
                    // A breakpoint, watchpoint or break-on condition: the monitor takes over.
                    // None: a breakpoint whose condition is false; the run goes on.
                    Some(stop) => {
                        let mut busy = busy!();
                        if let Some(report) = monitor.stopped(&mut session.machine, stop, &mut busy)
                        {
                            print!("{report}");
                            prompt.enter(monitor, &session.machine);
                            break;
                        }
                    }
                }
                ran += 1;
                let done = frames_done + ran;
                let enough = options.frames.is_some_and(|n| done >= n);
                if step || stopped.is_some() || enough || frame_start.elapsed() >= PERIOD {
                    break;
                }
            }
        } else if stopped.is_some() {
            // A stopped machine's frames still count, so `--frames` always ends the run.
            ran = 1;
        }
        frames_done += ran;
        session.render(&mut frame);
        let now = Instant::now();
        let speed_changed = meter.count(if stopped.is_none() { ran } else { 0 });
        let state = match in_monitor {
            true => IN_MONITOR.to_string(),
            false => state(stopped, paused, &session),
        };
        let status = Status {
            state: &state,
            paused,
            stopped: stopped.is_some() || in_monitor,
            fast_forward: fast,
            speed: throttle.speed(),
            percent: meter.percent,
            fps: meter.fps,
        };
        let line = status.line();
        let touch = session.machine.board.touchpad().map(|pad| pad.touch());
        let scene = Scene {
            held: &|key| session.holds(key),
            touch,
            status: &line,
            note: overlay.note(now),
            thumbnail: thumbnail
                .as_ref()
                .filter(|(_, at)| at.elapsed().as_secs() < 3)
                .map(|(picture, _)| picture.as_slice()),
        };
        show(
            &mut screen.window,
            &mut pixels,
            &layout,
            frame.as_slice(),
            &scene,
        )?;
        if options.frames.is_some_and(|n| frames_done >= n) {
            return Ok(outcome(stopped, Some(Stop::Frames), session));
        }

        let new_title = status.title(&options.name, overlay.text(now));
        if new_title != title || speed_changed {
            screen.window.set_title(&new_title);
            title = new_title;
        }

        if throttle.unpaced() && stopped.is_none() && !paused && !in_monitor {
            next = Instant::now();
        } else {
            next += PERIOD;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            } else if now - next > 4 * PERIOD {
                // Too far behind to catch up: carry on from now.
                next = now;
            }
        }
    }
    Ok(outcome(stopped, None, session))
}

/// The status line and the title while the monitor has the machine.
const IN_MONITOR: &str = "in the monitor, on the terminal (continue returns here)";
/// The status line and the title while a monitor command runs the machine.
const MONITOR_RUNNING: &str = "the monitor runs a command (F5 or Ctrl-C stops it)";

/// The window while a monitor command runs the machine (a far `until`, `step 100000000`, a
/// point's `continue`, `reverse-continue`): the machine is the monitor's, so the window shows
/// it at the host's frame rate without running it or giving it keys (the keys typed meanwhile
/// wait for the command's end, and the machine gets those held when the window runs it
/// again). F5, F12 or closing the window stops the command, "interrupted" as Ctrl-C on the
/// terminal does; F12 and the closed window then end the run.
struct Busy<'w> {
    screen: &'w mut Screen,
    keyboard: &'w mut Keyboard,
    pixels: &'w mut Vec<u32>,
    frame: &'w mut Frame,
    keypad: bool,
    overlay: &'w Overlay,
    name: &'w str,
    title: &'w mut String,
    /// When the picture was last shown.
    shown: Instant,
}

impl Watch for Busy<'_> {
    fn watch(&mut self, machine: &Machine) -> bool {
        if self.shown.elapsed() < PERIOD {
            return true;
        }
        self.shown = Instant::now();
        let stop = !self.screen.window.is_open()
            || self.keyboard.first_press(Action::Quit).is_some()
            || self.keyboard.take_press(Action::Monitor);
        if stop {
            return false;
        }
        machine.board.render_lcd(self.frame);
        let status = Status::held(MONITOR_RUNNING);
        let now = Instant::now();
        let line = status.line();
        let keyboard = &*self.keyboard;
        let scene = Scene {
            held: &|key| keyboard.holds(key),
            // The board lends its touchpad only to change it.
            touch: None,
            status: &line,
            note: self.overlay.note(now),
            thumbnail: None,
        };
        let layout = view::layout(self.screen.window.get_size(), self.keypad);
        let shown = show(
            &mut self.screen.window,
            self.pixels,
            &layout,
            self.frame.as_slice(),
            &scene,
        );
        if let Err(e) = shown {
            log::warn!("{e}");
            return false;
        }
        let title = status.title(self.name, self.overlay.text(now));
        if title != *self.title {
            self.screen.window.set_title(&title);
            *self.title = title;
        }
        true
    }
}

/// The machine's state in words, for the title bar: how it stopped, or paused (at which frame
/// since power-on, the last reset or state loaded); empty while it runs.
fn state(stopped: Option<Exit>, paused: bool, session: &Session) -> String {
    match stopped {
        Some(Exit::Guest(status)) => format!("exited with status {status}"),
        Some(Exit::InstructionLimit) => format!(
            "stopped after {} instructions",
            session.machine.cpu.instructions()
        ),
        Some(Exit::Halted(_)) => "halted".to_string(),
        Some(Exit::Reset) => "reset (--no-reboot)".to_string(),
        Some(Exit::NoSemihosting { .. }) => "stopped: semihosting is off".to_string(),
        Some(Exit::OsCall { .. }) => "stopped: an OS call emu does not answer".to_string(),
        Some(Exit::Diverged(_)) => "stopped: the engines differ".to_string(),
        None if paused => format!("paused at frame {}", session.frames()),
        None => String::new(),
    }
}

/// Draws the window's picture of `layout` and `scene` with the LCD's `frame`, and shows it.
pub(super) fn show(
    window: &mut Window,
    pixels: &mut Vec<u32>,
    layout: &Layout,
    frame: &[u32],
    scene: &Scene,
) -> Result<(), String> {
    let (width, height) = layout.size;
    if width == 0 || height == 0 {
        // Nothing to show in a window of no size; minifb would refuse the buffer.
        window.update();
        return Ok(());
    }
    pixels.resize(width * height, 0);
    view::draw(pixels, layout, frame, scene);
    window
        .update_with_buffer(pixels, width, height)
        .map_err(|e| format!("window: {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::busy_machine;

    #[test]
    fn a_quick_tap_is_held_for_a_frame_and_repeats_act_once() {
        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut keyboard = Keyboard::new(KeyEvents::default(), KeyMap::default(), false);
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
        let mut keyboard = Keyboard::new(KeyEvents::default(), KeyMap::default(), false);
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
        let mut keyboard = Keyboard::new(KeyEvents::default(), KeyMap::default(), true);
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

    /// A key the mouse holds stays down while a host key holds it too, and the other way.
    #[test]
    fn the_mouse_and_the_keyboard_hold_keys_together() {
        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut keyboard = Keyboard::new(KeyEvents::default(), KeyMap::default(), false);
        let aa = CxKey::from_name("aa");
        keyboard.set_mouse(aa, &mut session);
        session.run_frame();
        keyboard.events.clone().set_key_state(Key::A, true);
        keyboard.apply(&mut session);
        keyboard.set_mouse(None, &mut session);
        assert!(session.holds(aa.unwrap()));
        keyboard.set_mouse(aa, &mut session);
        keyboard.events.clone().set_key_state(Key::A, false);
        keyboard.apply(&mut session);
        assert!(session.holds(aa.unwrap()));
        keyboard.set_mouse(None, &mut session);
        assert!(!session.holds(aa.unwrap()));
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press aa\n1 release aa\n"
        );
    }
}
