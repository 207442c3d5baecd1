//! The window while a GDB client debugs the machine (`--gdb PORT --window`): the stub
//! ([`crate::gdb`]) runs the machine as the client asks and pumps this window about 60 times a
//! second while it waits, and between the slices it runs. The picture, the title and the
//! status line stay live, saying whether gdb has the machine stopped; the machine runs at the
//! real machine's speed. F12 or closing the window ends the run (gdb's connection is closed);
//! F3, F7 and F11 work as in the window's own runs, and the other emulator keys, whose
//! machine is gdb's, say so.
//!
//! The host keyboard and the drawn keypad's keys press the CX's keys; a key released less than
//! a frame of the machine's time after it was pressed (a tap, or any key while gdb has the
//! machine stopped) is released once the machine has run that frame, so the guest can see it.
//! The touchpad is not driven here.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use super::keymap::{Action, CxKey};
use super::overlay::{Overlay, Status};
use super::pace::{Pacer, Speed};
use super::pointer::Pointer;
use super::screen::Screen;
use super::screenshot;
use super::session::{self, blank_frame, Frame, FRAME_RATE};
use super::settings::KeyMap;
use super::view::{self, Scene};
use super::window::{read_pointer, show, KeyEvents, KeySink, Keyboard};
use crate::gdb::Pump;
use crate::machine::Machine;

/// The window a GDB client's machine is shown in.
pub struct GdbWindow {
    screen: Screen,
    keyboard: Keyboard,
    keys: HeldKeys,
    pointer: Pointer,
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
            keyboard: Keyboard::new(events, keys, machine.runs_ndless()),
            keys: HeldKeys {
                frame_cycles: (machine.config.cpu_hz / FRAME_RATE).max(1),
                ..HeldKeys::default()
            },
            pointer: Pointer::default(),
            overlay: Overlay::default(),
            keypad,
            name: name.to_string(),
            pixels: Vec::new(),
            frame: blank_frame(),
            title: String::new(),
            pacer: Pacer::new(machine.config.cpu_hz, machine.cpu.cycles()),
            shown: Instant::now(),
            running: false,
        })
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
        self.keys.machine_ran(machine);
        let mut sink = MachineKeys {
            keys: &mut self.keys,
            machine,
        };
        for action in self.keyboard.apply(&mut sink) {
            if !self.act(action)? {
                return Ok(false);
            }
        }
        let layout = view::layout(self.screen.window.get_size(), self.keypad);
        let mut sink = MachineKeys {
            keys: &mut self.keys,
            machine,
        };
        let mut before = self.pointer;
        for now in read_pointer(&mut self.pointer, &mut self.screen, &layout) {
            if now.key != before.key {
                self.keyboard.set_mouse(now.key, &mut sink);
            }
            before = now;
        }
        machine.board.render_lcd(&mut self.frame);
        let state = match running {
            true => "running under gdb",
            false => "stopped by gdb",
        };
        let status = Status {
            state,
            paused: false,
            stopped: true,
            fast_forward: false,
            speed: Speed::Percent(100),
            percent: 0.0,
            fps: 0.0,
        };
        let now = Instant::now();
        let line = status.line();
        let keyboard = &self.keyboard;
        let scene = Scene {
            held: &|key| keyboard.holds(key),
            touch: None,
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
}

impl Pump for GdbWindow {
    fn pump(&mut self, machine: &mut Machine, running: bool) -> bool {
        let period = Duration::from_secs_f64(1.0 / FRAME_RATE as f64);
        if running {
            if !self.running {
                self.pacer.restart(machine.cpu.cycles());
            }
            // The machine's time held to the host's, as in the window's own runs.
            self.pacer.wait(machine.cpu.cycles());
        }
        self.running = running;
        if running && self.shown.elapsed() < period {
            return true;
        }
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

/// The CX keys the window holds on a machine run by a debugger, and the releases that wait
/// for the machine to have run a frame since their key was pressed.
#[derive(Default)]
struct HeldKeys {
    frame_cycles: u64,
    /// The machine's cycle at each held key's press.
    pressed_at: HashMap<CxKey, u64>,
    /// Keys released too soon, and the cycle they are released at.
    late: Vec<(CxKey, u64)>,
}

impl HeldKeys {
    /// Releases the keys whose frame the machine has run.
    fn machine_ran(&mut self, machine: &mut Machine) {
        let now = machine.cpu.cycles();
        self.late.retain(|&(key, due)| {
            if due > now {
                return true;
            }
            session::set_machine_key(machine, key, false);
            false
        });
    }
}

/// [`HeldKeys`] pressing keys on a machine.
struct MachineKeys<'a> {
    keys: &'a mut HeldKeys,
    machine: &'a mut Machine,
}

impl KeySink for MachineKeys<'_> {
    fn set_key(&mut self, key: CxKey, pressed: bool) {
        let now = self.machine.cpu.cycles();
        let keys = &mut *self.keys;
        if pressed {
            keys.late.retain(|&(late, _)| late != key);
            keys.pressed_at.insert(key, now);
            session::set_machine_key(self.machine, key, true);
            return;
        }
        let due = keys
            .pressed_at
            .remove(&key)
            .map_or(now, |at| at + keys.frame_cycles);
        if due > now {
            keys.late.push((key, due));
        } else {
            session::set_machine_key(self.machine, key, false);
        }
    }
}
