//! The window while a GDB client debugs the machine (`--gdb PORT --window`): the stub
//! ([`crate::gdb`]) runs the machine as the client asks and pumps this window about 60 times a
//! second while it waits, and between the slices it runs. The picture, the title and the
//! status line stay live, saying whether gdb has the machine stopped; the machine runs at the
//! real machine's speed. F12 or closing the window ends the run (gdb's connection is closed);
//! F3, F7 and F11 work as in the window's own runs, and the other emulator keys, whose
//! machine is gdb's, say so. Ctrl-C on emu's terminal (Ctrl-A c while the guest has it) does
//! what gdb's own Ctrl-C does: it stops the machine gdb lets run, which gdb reports as SIGINT;
//! it does not end emu (Ctrl-A x, like F12, does).
//!
//! The host keyboard and the drawn keypad's keys press the CX's keys as they go down and up,
//! while gdb has the machine stopped too: the keypad reports a key pressed and released
//! between two of its scans at the next scan all the same (`devices::keypad`), so the guest
//! sees a tap once the machine runs. The mouse on the drawn touchpad (or the LCD) touches and
//! pushes it as in the window's own runs, and so do the touchpad's keys (the arrows of an
//! Ndless program); the touchpad has no scan to remember a touch by, so a touch is held until
//! the machine has run a frame of its time, however quickly the finger was lifted (a click
//! while gdb has the machine stopped, or one shorter than a host frame). When gdb lets the
//! machine run again, it is given the keys held then ([`inputs::give_keys`]): gdb may have
//! taken it back to a time when others were held. Gamepads press keys, touch the touchpad and
//! do the emulator's actions as in the window's own runs ([`Pads::frame`]).

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::gamepad::Pads;
use super::inputs;
use super::keymap::{Action, CxKey, PadKey};
use super::overlay::{Overlay, Status};
use super::pace::Pacer;
use super::pointer::Pointer;
use super::screen::Screen;
use super::screenshot;
use super::script::Finger;
use super::session::{blank_frame, Frame, FRAME_RATE};
use super::settings::KeyMap;
use super::view::{self, Scene};
use super::window::{read_pointer, show, KeyEvents, KeySink, Keyboard};
use crate::gdb::Pump;
use crate::machine::Machine;
use crate::terminal::{self, Request};

/// The window a GDB client's machine is shown in.
pub struct GdbWindow {
    screen: Screen,
    keyboard: Keyboard,
    pads: Pads,
    pointer: Pointer,
    /// The touchpad's keys held (by host keys or the mouse).
    pad: HashSet<PadKey>,
    /// The finger the mouse puts on the touchpad.
    finger: Finger,
    /// The cycle the touchpad was touched at, until the machine has run a frame since: a
    /// lift waits until then.
    touched_at: Option<u64>,
    overlay: Overlay,
    keypad: bool,
    name: String,
    pixels: Vec<u32>,
    frame: Box<Frame>,
    title: String,
    pacer: Pacer,
    /// When the picture was last shown.
    shown: Instant,
    /// Whether the machine ran at the last pump.
    running: bool,
    /// Set by Ctrl-C on emu's terminal (and Ctrl-A c): stop the machine for gdb.
    interrupt: Arc<AtomicBool>,
}

impl GdbWindow {
    /// Opens the window for `machine`, named `name` in its title, `scale` window pixels per
    /// LCD pixel, the drawn keypad shown or not; the error is one line.
    pub fn open(
        machine: &Machine,
        name: &str,
        scale: usize,
        keypad: bool,
        keys: KeyMap,
    ) -> Result<GdbWindow, String> {
        let events = KeyEvents::default();
        let size = view::window_size(scale, keypad);
        let screen = Screen::open(&format!("{name} - emu"), size, events.clone())?;
        Ok(GdbWindow {
            screen,
            pads: Pads::open(keys.pad.clone()),
            keyboard: Keyboard::new(events, keys, machine.runs_ndless()),
            pointer: Pointer::default(),
            pad: HashSet::new(),
            finger: Finger::Lifted,
            touched_at: None,
            overlay: Overlay::default(),
            keypad,
            name: name.to_string(),
            pixels: Vec::new(),
            frame: blank_frame(),
            title: String::new(),
            pacer: Pacer::new(machine.config.cpu_hz, machine.cpu.cycles()),
            shown: Instant::now(),
            running: false,
            interrupt: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The flag that Ctrl-C on emu's terminal sets (a handler the front end installs): the
    /// stub stops the machine for gdb, as gdb's own Ctrl-C does.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }

    /// Acts on an emulator key; false for F12.
    fn act(&mut self, action: Action) -> Result<bool, String> {
        match action {
            Action::Quit => return Ok(false),
            Action::Keypad => self.keypad = !self.keypad,
            Action::Fullscreen => {
                let note = self.screen.toggle_fullscreen()?;
                self.overlay.show(note);
                self.title.clear();
                self.keyboard.release_all();
            }
            Action::Screenshot => {
                let path = crate::files::timestamped_path(Path::new(""), "png");
                let text = match screenshot::save_png(&self.frame, &path) {
                    Ok(()) => format!("saved {}", path.display()),
                    Err(e) => e,
                };
                self.overlay.show(text);
            }
            _ => self
                .overlay
                .show("gdb has the machine: F3, F7, F11 and F12 work here"),
        }
        Ok(true)
    }

    /// One host frame of the window: keys, the mouse, the picture, the title. False when the
    /// run is to end.
    fn frame(&mut self, machine: &mut Machine, running: bool) -> Result<bool, String> {
        if !self.screen.window.is_open() {
            return Ok(false);
        }
        let pad_before = self.pad.clone();
        let mut sink = MachineKeys {
            machine,
            pad: &mut self.pad,
        };
        let focused = self.screen.window.is_active();
        let (pad_actions, stick) =
            self.pads
                .frame(focused, &mut self.keyboard, &mut sink, &mut self.overlay);
        let mut actions = self.keyboard.apply(&mut sink);
        actions.extend(pad_actions);
        // Only on a change: a machine gdb took back replays its own touches.
        if self.pad != pad_before {
            self.touch(machine);
        }
        for action in actions {
            if !self.act(action)? {
                return Ok(false);
            }
        }
        let layout = view::layout(self.screen.window.get_size(), self.keypad);
        let mut before = self.pointer;
        for now in read_pointer(&mut self.pointer, &mut self.screen, &layout, stick) {
            if now.key != before.key {
                let mut sink = MachineKeys {
                    machine,
                    pad: &mut self.pad,
                };
                self.keyboard.set_mouse(now.key, &mut sink);
            }
            if now.finger != before.finger {
                self.finger = now.finger;
                self.touch(machine);
            }
            before = now;
        }
        machine.board.render_lcd(&mut self.frame);
        let state = match running {
            true => "running under gdb",
            false => "stopped by gdb",
        };
        let status = Status::held(state);
        let now = Instant::now();
        let line = status.line();
        let keyboard = &self.keyboard;
        let touch = machine.board.touchpad().map(|pad| pad.touch());
        let scene = Scene {
            held: &|key| keyboard.holds(key),
            touch,
            status: &line,
            note: self.overlay.note(now),
            thumbnail: None,
        };
        show(
            &mut self.screen.window,
            &mut self.pixels,
            &layout,
            self.frame.as_slice(),
            &scene,
        )?;
        let title = status.title(&self.name, self.overlay.text(now));
        if title != self.title {
            self.screen.window.set_title(&title);
            self.title = title;
        }
        Ok(true)
    }

    /// Gives the touchpad what the touchpad's keys held and the mouse's finger do, except
    /// that a lift waits until the machine has run a frame since the touch.
    fn touch(&mut self, machine: &mut Machine) {
        let keys: Vec<PadKey> = self.pad.iter().copied().collect();
        let finger = self.finger;
        let now = machine.cpu.cycles();
        let frame = machine.config.cpu_hz / FRAME_RATE;
        let held_for_a_frame = self.touched_at.is_none_or(|at| now >= at + frame);
        let touched_at = &mut self.touched_at;
        inputs::give_touch(machine, |last| {
            let wanted = inputs::pad_touch(&keys, finger, last);
            if !wanted.contact && last.contact && !held_for_a_frame {
                return last;
            }
            *touched_at = match wanted.contact {
                true if !last.contact => Some(now),
                true => *touched_at,
                false => None,
            };
            wanted
        });
    }
}

impl Pump for GdbWindow {
    fn interrupted(&mut self) -> bool {
        self.interrupt.swap(false, Ordering::Relaxed)
    }

    fn pump(&mut self, machine: &mut Machine, running: bool) -> bool {
        // The terminal's escape key: Ctrl-A x acts as F12, Ctrl-A c as Ctrl-C.
        match terminal::take_request() {
            Some(Request::Quit) => return false,
            Some(Request::Monitor) => self.interrupt.store(true, Ordering::Relaxed),
            None => {}
        }
        let period = Duration::from_secs_f64(1.0 / FRAME_RATE as f64);
        if running {
            if !self.running {
                self.pacer.restart(machine.cpu.cycles());
                let keyboard = &self.keyboard;
                inputs::give_keys(machine, |key| keyboard.holds(key));
                self.touch(machine);
            }
            if self.touched_at.is_some() {
                // A lift may have waited for this.
                self.touch(machine);
            }
            // The machine's time held to the host's, as in the window's own runs: the stub
            // runs it no more than a frame of its time at a slice (an idle guest's million
            // instructions span seconds), which is waited for a millisecond at a time, the
            // window shown a host frame at a time meanwhile, and no longer once Ctrl-C asks
            // gdb's Ctrl-C of it.
            while !self.pacer.behind(machine.cpu.cycles())
                && !self.interrupt.load(Ordering::Relaxed)
            {
                if self.shown.elapsed() >= period && !self.show(machine, true) {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        self.running = running;
        if running && self.shown.elapsed() < period {
            return true;
        }
        self.show(machine, running)
    }
}

impl GdbWindow {
    /// One host frame of the window, from now; false when the run is to end.
    fn show(&mut self, machine: &mut Machine, running: bool) -> bool {
        self.shown = Instant::now();
        match self.frame(machine, running) {
            Ok(going_on) => going_on,
            Err(e) => {
                log::warn!("{e}");
                false
            }
        }
    }
}

/// The machine's keypad, pressed by the window's keys and mouse; the touchpad's keys are
/// gathered for [`GdbWindow::touch`].
struct MachineKeys<'a> {
    machine: &'a mut Machine,
    pad: &'a mut HashSet<PadKey>,
}

impl KeySink for MachineKeys<'_> {
    fn set_key(&mut self, key: CxKey, pressed: bool) {
        match key {
            CxKey::Pad(pad) if pressed => {
                self.pad.insert(pad);
            }
            CxKey::Pad(pad) => {
                self.pad.remove(&pad);
            }
            _ => inputs::set_machine_key(self.machine, key, pressed),
        }
    }
}
