//! Gamepads as the CX's keypad in the window.
//!
//! gilrs reads the pads (on Linux their evdev nodes, found through udev, hot-plugged ones too)
//! and names their buttons after SDL's mapping database for each model, so `South` is the
//! bottom face button of any pad it knows (A on an Xbox pad, the cross on a PlayStation one).
//! Each button held presses a CX key: [`DPAD`] and [`DEFAULTS`], changed button by button by
//! the settings file's `buttons` ([`ButtonMap`]). The CX keys the buttons hold reach the
//! machine through the host keys' path (`window::Keyboard::set_pad`), so the drawn keypad
//! lights them and the run's key journal (replays, `--record-keys`, reverse execution) has
//! them.
//!
//! [`Buttons`] turns button events into the CX keys held, with no pad or gilrs in sight (the
//! tests give it events made by hand); [`Pads`] feeds it from gilrs each host frame. Without
//! gilrs (no udev, no epoll) or without a pad, the window runs as it does without this module:
//! one line at debug level says so, and a poll of no pads is one `epoll_wait` that returns at
//! once.

use std::collections::VecDeque;
use std::fmt::Write;

use gilrs::{Button, EventType, Gilrs};
use minifb::Key;

use super::keymap::{self, CxKey};

/// The d-pad presses what the host's arrow keys press: the touchpad's arrows running an Ndless
/// program, 8, 2, 4 and 6 running a ROM (see `keymap`).
pub const DPAD: [(Button, Key); 4] = [
    (Button::DPadUp, Key::Up),
    (Button::DPadDown, Key::Down),
    (Button::DPadLeft, Key::Left),
    (Button::DPadRight, Key::Right),
];

/// The other buttons' CX keys: the keys that move about the CX's screens (enter to choose,
/// esc to go back, the touchpad's click, del, tab between fields), its modifiers on the
/// shoulders, and its menus on the pad's own.
pub const DEFAULTS: &[(Button, &str)] = &[
    (Button::South, "enter"),
    (Button::East, "esc"),
    (Button::West, "click"),
    (Button::North, "del"),
    (Button::LeftTrigger, "tab"),
    (Button::RightTrigger, "ctrl"),
    (Button::LeftTrigger2, "shift"),
    (Button::RightTrigger2, "space"),
    (Button::Select, "doc"),
    (Button::Start, "menu"),
    (Button::Mode, "on"),
];

/// Every button gilrs names, in the order `emu keys` prints them (`Unknown`, a button SDL's
/// database has no name for, presses nothing and cannot be named).
pub const BUTTONS: [Button; 19] = [
    Button::DPadUp,
    Button::DPadDown,
    Button::DPadLeft,
    Button::DPadRight,
    Button::South,
    Button::East,
    Button::West,
    Button::North,
    Button::LeftTrigger,
    Button::RightTrigger,
    Button::LeftTrigger2,
    Button::RightTrigger2,
    Button::Select,
    Button::Start,
    Button::Mode,
    Button::LeftThumb,
    Button::RightThumb,
    Button::C,
    Button::Z,
];

/// A button by its gilrs name (`South`, `DPadUp`, `LeftTrigger2`...).
pub fn button_named(name: &str) -> Option<Button> {
    BUTTONS
        .iter()
        .copied()
        .find(|button| format!("{button:?}") == name)
}

/// The buttons as the defaults and the settings make them.
#[derive(Clone, Debug, Default)]
pub struct ButtonMap {
    /// The settings' buttons and what each presses (`None`: nothing).
    overrides: Vec<(Button, Option<CxKey>)>,
}

impl ButtonMap {
    /// Makes `button` press `key` (or nothing).
    pub fn set(&mut self, button: Button, key: Option<CxKey>) {
        self.overrides.retain(|&(b, _)| b != button);
        self.overrides.push((button, key));
    }

    /// The CX key `button` presses, running an Ndless program (`ndless`) or a ROM.
    pub fn cx_key(&self, button: Button, ndless: bool) -> Option<CxKey> {
        match self.overrides.iter().find(|&&(b, _)| b == button) {
            Some(&(_, key)) => key,
            None => default_key(button, ndless),
        }
    }

    /// The map in force, a button a line, for `emu keys`.
    pub fn describe(&self) -> String {
        let mut out = String::from(
            "Gamepad button  CX key (the settings' `buttons` change them; see the README)\n",
        );
        for button in BUTTONS {
            let name = format!("{button:?}");
            let arrow = DPAD.iter().find(|&&(b, _)| b == button);
            let key = match (self.overrides.iter().find(|&&(b, _)| b == button), arrow) {
                (Some((_, key)), _) => key.map_or("none", CxKey::name).to_string(),
                (None, Some(_)) => format!(
                    "{} (Ndless), {} (ROMs)",
                    default_key(button, true).map_or("none", CxKey::name),
                    default_key(button, false).map_or("none", CxKey::name)
                ),
                (None, None) => default_key(button, false)
                    .map_or("none", CxKey::name)
                    .to_string(),
            };
            writeln!(out, "{name:<15} {key}").ok();
        }
        out
    }
}

/// What `button` presses when the settings leave it alone.
fn default_key(button: Button, ndless: bool) -> Option<CxKey> {
    if let Some(&(_, arrow)) = DPAD.iter().find(|&&(b, _)| b == button) {
        return keymap::cx_key_in(arrow, ndless);
    }
    DEFAULTS
        .iter()
        .find(|&&(b, _)| b == button)
        .and_then(|(_, name)| CxKey::from_name(name))
}

/// What a pad did, as far as the keypad cares. `pad` tells pads apart while they are
/// connected (gilrs's id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PadEvent {
    Button {
        pad: usize,
        button: Button,
        down: bool,
    },
    /// The pad was disconnected: its buttons are let go.
    Gone { pad: usize },
}

/// The buttons held on the pads, and the CX keys they press.
#[derive(Debug, Default)]
pub struct Buttons {
    map: ButtonMap,
    /// Events not applied yet, in order.
    waiting: VecDeque<PadEvent>,
    /// Each button held that presses a CX key: its pad, and the key it pressed (kept, so that
    /// its release lets go of that key even if a reset has since changed what it presses).
    held: Vec<(usize, Button, CxKey)>,
}

impl Buttons {
    pub fn new(map: ButtonMap) -> Buttons {
        Buttons {
            map,
            ..Buttons::default()
        }
    }

    /// An event to apply at the next [`Buttons::apply`].
    pub fn push(&mut self, event: PadEvent) {
        self.waiting.push_back(event);
    }

    /// Applies the waiting events in order, up to the release of a button one of them pressed
    /// (or its pad's disconnection): that waits, with the events after it, for the next call,
    /// a host frame later, so that a button tapped between two frames holds its key for one,
    /// as a host key tapped does (`window::Keyboard::apply`).
    pub fn apply(&mut self, ndless: bool) {
        let mut pressed_now: Vec<(usize, Button)> = Vec::new();
        while let Some(&event) = self.waiting.front() {
            let undoes_a_press = match event {
                PadEvent::Button {
                    pad,
                    button,
                    down: false,
                } => pressed_now.contains(&(pad, button)),
                PadEvent::Gone { pad } => pressed_now.iter().any(|&(p, _)| p == pad),
                PadEvent::Button { down: true, .. } => false,
            };
            if undoes_a_press {
                break;
            }
            self.waiting.pop_front();
            match event {
                PadEvent::Button {
                    pad,
                    button,
                    down: true,
                } => {
                    let held = self.held.iter().any(|&(p, b, _)| (p, b) == (pad, button));
                    if let Some(key) = self.map.cx_key(button, ndless).filter(|_| !held) {
                        self.held.push((pad, button, key));
                        pressed_now.push((pad, button));
                    }
                }
                PadEvent::Button {
                    pad,
                    button,
                    down: false,
                } => self.held.retain(|&(p, b, _)| (p, b) != (pad, button)),
                PadEvent::Gone { pad } => self.held.retain(|&(p, _, _)| p != pad),
            }
        }
    }

    /// The CX keys the buttons held press, each once, in the order first pressed.
    pub fn keys(&self) -> Vec<CxKey> {
        let mut keys: Vec<CxKey> = Vec::new();
        for &(_, _, key) in &self.held {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }
}

/// The pads connected to the host, read through gilrs.
pub struct Pads {
    /// None when gilrs could not start (no udev, say): no pads, then.
    gilrs: Option<Gilrs>,
    pub buttons: Buttons,
}

impl Pads {
    /// Starts gilrs, which finds the pads connected now and watches for more. It failing, or
    /// finding none, is said at debug level: a window without pads is the usual case.
    pub fn open(map: ButtonMap) -> Pads {
        let gilrs = match Gilrs::new() {
            Ok(gilrs) => Some(gilrs),
            Err(e) => {
                log::debug!("gamepads: none, gilrs did not start: {e}");
                None
            }
        };
        if let Some(gilrs) = &gilrs {
            let mut pads = gilrs.gamepads().peekable();
            if pads.peek().is_none() {
                log::debug!(
                    "gamepads: none connected (or none this user may open in /dev/input); \
                     one plugged in later is used"
                );
            }
            for (_, pad) in pads {
                log::info!("gamepad: {}", pad.name());
            }
        }
        Pads {
            gilrs,
            buttons: Buttons::new(map),
        }
    }

    /// Reads what the pads did since the last call and applies it (see [`Buttons::apply`]);
    /// returns a note for the picture when a pad was connected or disconnected.
    pub fn poll(&mut self, ndless: bool) -> Option<String> {
        let mut note = None;
        if let Some(gilrs) = &mut self.gilrs {
            while let Some(event) = gilrs.next_event() {
                let pad = usize::from(event.id);
                let button = |button, down| PadEvent::Button { pad, button, down };
                match event.event {
                    EventType::ButtonPressed(b, _) => self.buttons.push(button(b, true)),
                    EventType::ButtonReleased(b, _) => self.buttons.push(button(b, false)),
                    EventType::Connected => {
                        note = Some(format!(
                            "gamepad connected: {}",
                            gilrs.gamepad(event.id).name()
                        ))
                    }
                    EventType::Disconnected => {
                        self.buttons.push(PadEvent::Gone { pad });
                        note = Some(format!("gamepad gone: {}", gilrs.gamepad(event.id).name()));
                    }
                    _ => {}
                }
            }
        }
        self.buttons.apply(ndless);
        note
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::keymap::PadKey;

    fn press(pad: usize, button: Button) -> PadEvent {
        PadEvent::Button {
            pad,
            button,
            down: true,
        }
    }

    fn release(pad: usize, button: Button) -> PadEvent {
        PadEvent::Button {
            pad,
            button,
            down: false,
        }
    }

    fn key(name: &str) -> CxKey {
        CxKey::from_name(name).unwrap()
    }

    fn buttons_after(events: &[PadEvent], ndless: bool) -> Buttons {
        let mut buttons = Buttons::default();
        for &event in events {
            buttons.push(event);
        }
        buttons.apply(ndless);
        buttons
    }

    /// Every default names a CX key, each button once.
    #[test]
    fn the_defaults_name_cx_keys_and_buttons_once() {
        for (button, name) in DEFAULTS {
            assert!(CxKey::from_name(name).is_some(), "{button:?} -> {name}");
            assert!(DPAD.iter().all(|(b, _)| b != button), "{button:?} twice");
            let times = DEFAULTS.iter().filter(|(b, _)| b == button).count();
            assert_eq!(times, 1, "{button:?}");
        }
        for button in BUTTONS {
            assert_eq!(button_named(&format!("{button:?}")), Some(button));
        }
        assert_eq!(button_named("Unknown"), None);
        assert_eq!(button_named("south"), None);
    }

    /// The d-pad presses the touchpad's arrows in an Ndless program and 8 2 4 6 in a ROM, as the
    /// host's arrow keys do; the face buttons their CX keys either way.
    #[test]
    fn the_dpad_presses_what_the_arrow_keys_press() {
        let map = ButtonMap::default();
        assert_eq!(
            map.cx_key(Button::DPadUp, true),
            Some(CxKey::Pad(PadKey::Up))
        );
        assert_eq!(map.cx_key(Button::DPadUp, false), Some(key("n8")));
        assert_eq!(map.cx_key(Button::DPadLeft, false), Some(key("n4")));
        assert_eq!(map.cx_key(Button::South, true), Some(key("enter")));
        assert_eq!(map.cx_key(Button::East, false), Some(key("esc")));
        assert_eq!(map.cx_key(Button::C, false), None);
    }

    #[test]
    fn the_settings_change_a_button_and_leave_the_rest() {
        let mut map = ButtonMap::default();
        map.set(Button::South, Some(key("ctrl")));
        map.set(Button::DPadUp, Some(key("n5")));
        map.set(Button::East, None);
        map.set(Button::South, Some(key("shift")));
        assert_eq!(map.cx_key(Button::South, false), Some(key("shift")));
        assert_eq!(map.cx_key(Button::DPadUp, true), Some(key("n5")));
        assert_eq!(map.cx_key(Button::East, true), None);
        assert_eq!(map.cx_key(Button::Start, true), Some(key("menu")));
        let text = map.describe();
        assert!(text.contains("\nSouth           shift\n"), "{text}");
        assert!(text.contains("\nEast            none\n"), "{text}");
        assert!(text.contains("\nDPadUp          n5\n"), "{text}");
        assert!(
            text.contains("\nDPadDown        down (Ndless), n2 (ROMs)\n"),
            "{text}"
        );
        assert!(text.contains("\nZ               none\n"), "{text}");
    }

    /// Held buttons hold their keys; a release lets go; two buttons on one key hold it until
    /// both are up; a button with no key holds nothing.
    #[test]
    fn buttons_hold_their_keys_until_the_last_is_released() {
        let mut map = ButtonMap::default();
        map.set(Button::North, Some(key("enter")));
        let mut buttons = Buttons::new(map);
        buttons.push(press(0, Button::South));
        buttons.push(press(0, Button::North));
        buttons.push(press(0, Button::C));
        buttons.push(press(0, Button::East));
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("enter"), key("esc")]);
        buttons.push(release(0, Button::South));
        buttons.push(release(0, Button::East));
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("enter")]);
        buttons.push(release(0, Button::North));
        buttons.push(release(0, Button::C));
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![]);
    }

    /// A press and its release between two frames: the release waits for the next frame, with
    /// what came after it, so the key is held for one.
    #[test]
    fn a_tap_between_frames_holds_its_key_for_one() {
        let mut buttons = buttons_after(
            &[
                press(0, Button::South),
                release(0, Button::South),
                press(0, Button::East),
            ],
            false,
        );
        assert_eq!(buttons.keys(), vec![key("enter")]);
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("esc")]);
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("esc")]);
    }

    /// Two pads: the same button on each holds the key until both are up; a pad disconnected
    /// lets go of its own buttons only (a press just before waits a frame, as a tap does).
    #[test]
    fn pads_hold_keys_apart_and_a_pad_gone_lets_go() {
        let mut buttons = buttons_after(
            &[
                press(0, Button::South),
                press(1, Button::South),
                press(1, Button::Start),
            ],
            false,
        );
        buttons.push(release(0, Button::South));
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("enter"), key("menu")]);
        buttons.push(press(0, Button::Select));
        buttons.push(PadEvent::Gone { pad: 1 });
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("doc")]);
        buttons.push(press(0, Button::South));
        buttons.push(press(1, Button::North));
        buttons.push(PadEvent::Gone { pad: 1 });
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("doc"), key("enter"), key("del")]);
        buttons.apply(false);
        assert_eq!(buttons.keys(), vec![key("doc"), key("enter")]);
    }

    /// A repeated press changes nothing; a release of a button never pressed (held before the
    /// window opened) changes nothing.
    #[test]
    fn repeats_and_stray_releases_change_nothing() {
        let mut buttons = buttons_after(&[release(0, Button::South)], false);
        assert!(buttons.keys().is_empty());
        buttons.push(press(0, Button::DPadUp));
        buttons.push(press(0, Button::DPadUp));
        buttons.apply(true);
        assert_eq!(buttons.keys(), vec![CxKey::Pad(PadKey::Up)]);
        buttons.push(release(0, Button::DPadUp));
        buttons.apply(false);
        assert!(buttons.keys().is_empty());
    }

    /// Through the window's keyboard the buttons press and release the machine's keys, recorded
    /// in the run's key journal as host keys are; a key a host key holds too stays down until
    /// both let go; a window without the focus lets go of the pad's keys.
    #[test]
    fn buttons_reach_the_machine_as_host_keys_do() {
        use crate::frontend::script::Script;
        use crate::frontend::session::{busy_machine, Session};
        use crate::frontend::settings::KeyMap;
        use crate::frontend::window::{KeyEvents, Keyboard};
        use minifb::InputCallback;

        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut events = KeyEvents::default();
        let mut keyboard = Keyboard::new(events.clone(), KeyMap::default(), false);
        let mut buttons = Buttons::default();
        let frame = |buttons: &mut Buttons, keyboard: &mut Keyboard, session: &mut Session| {
            buttons.apply(false);
            keyboard.apply(session);
            keyboard.set_pad(buttons.keys(), session);
            session.run_frame();
        };
        buttons.push(press(0, Button::South));
        buttons.push(press(0, Button::DPadUp));
        frame(&mut buttons, &mut keyboard, &mut session);
        assert!(session.holds(key("enter")) && session.holds(key("n8")));
        events.set_key_state(Key::Enter, true);
        buttons.push(release(0, Button::South));
        frame(&mut buttons, &mut keyboard, &mut session);
        assert!(session.holds(key("enter")));
        events.set_key_state(Key::Enter, false);
        frame(&mut buttons, &mut keyboard, &mut session);
        assert!(!session.holds(key("enter")));
        // The focus lost: the window gives the keyboard no pad keys.
        keyboard.set_pad(Vec::new(), &mut session);
        session.run_frame();
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press enter\n0 press n8\n2 release enter\n3 release n8\n"
        );
    }

    /// With no pad (this machine and CI have none, and no /dev/uinput to make one), gilrs
    /// starts or fails quietly and a poll finds nothing and does not wait.
    #[test]
    fn no_pad_polls_nothing_at_once() {
        let mut pads = Pads::open(ButtonMap::default());
        let start = std::time::Instant::now();
        for _ in 0..600 {
            assert_eq!(pads.poll(false), None);
        }
        assert!(pads.buttons.keys().is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }
}
