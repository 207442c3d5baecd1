//! Gamepads as the CX's keypad and touchpad in the window.
//!
//! gilrs reads the pads (on Linux their evdev nodes, found through udev, hot-plugged ones too)
//! and names their buttons after SDL's mapping database for each model, so `South` is the
//! bottom face button of any pad it knows (A on an Xbox pad, the cross on a PlayStation one).
//! Each button held presses a CX key, or does an emulator action as the host keys do (pause,
//! rewind, a slot...): [`DPAD`] and [`DEFAULTS`], changed button by button by the settings
//! file's `buttons` ([`PadMap`]). The sticks ([`super::stick`]) press the arrows or put a
//! finger on the touchpad, as the settings' `sticks` say. The CX keys and actions the pads
//! hold reach the machine through the host keys' path (`window::Keyboard::set_pad`), so the
//! drawn keypad lights them and the run's key journal (replays, `--record-keys`, reverse
//! execution) has them; the stick's finger goes the mouse's way (`window::read_pointer`).
//!
//! [`Controls`] turns pad events into the CX keys, actions and finger held, with no pad or
//! gilrs in sight (the tests give it events made by hand); [`Pads`] feeds it from gilrs each
//! host frame, in the plain window and in gdb's alike ([`Pads::frame`]). Without gilrs (no
//! udev, no epoll) or without a pad, the window runs as it does without this module: one
//! line at debug level says so, and a poll of no pads is one `epoll_wait` that returns at
//! once.

use std::collections::VecDeque;
use std::fmt::Write;

use gilrs::{Axis, Button, EventType, Gilrs};
use minifb::Key;

use super::keymap::{self, Action, Binding, CxKey};
use super::overlay::Overlay;
use super::script::Finger;
use super::stick::{Side, Stick, Use};
use super::window::{KeySink, Keyboard};

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
/// shoulders, and its menus on the pad's own. No button does an emulator action unless the
/// settings say so: every button a pad is sure to have already presses a key a program
/// needs, and a pause or a rewind pressed by chance in a game costs more than a trip to the
/// keyboard (mGBA, too, gives pads no shortcuts of its own).
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

/// The buttons and sticks as the defaults and the settings make them.
#[derive(Clone, Debug)]
pub struct PadMap {
    /// The settings' buttons and what each does.
    overrides: Vec<(Button, Binding)>,
    /// What each stick does, in [`Side::ALL`]'s order.
    sticks: [Use; 2],
}

impl Default for PadMap {
    fn default() -> PadMap {
        PadMap {
            overrides: Vec::new(),
            sticks: Side::ALL.map(Use::default_for),
        }
    }
}

impl PadMap {
    /// Makes `button` do `binding`.
    pub fn set(&mut self, button: Button, binding: Binding) {
        self.overrides.retain(|&(b, _)| b != button);
        self.overrides.push((button, binding));
    }

    /// Makes the stick on `side` do `what`.
    pub fn set_stick(&mut self, side: Side, what: Use) {
        self.sticks[side as usize] = what;
    }

    /// What the stick on `side` does.
    pub fn stick(&self, side: Side) -> Use {
        self.sticks[side as usize]
    }

    /// What `button` does, running an Ndless program (`ndless`) or a ROM.
    pub fn binding(&self, button: Button, ndless: bool) -> Binding {
        match self.overrides.iter().find(|&&(b, _)| b == button) {
            Some(&(_, binding)) => binding,
            None => default_key(button, ndless).map_or(Binding::Nothing, Binding::Cx),
        }
    }

    /// The map in force, a button a line, then a stick a line, for `emu keys`.
    pub fn describe(&self) -> String {
        let mut out = String::from(
            "Gamepad button  CX key or action (the settings' `buttons` change them; see the README)\n",
        );
        for button in BUTTONS {
            let name = format!("{button:?}");
            let arrow = DPAD.iter().find(|&&(b, _)| b == button);
            let key = match (self.overrides.iter().find(|&&(b, _)| b == button), arrow) {
                (Some(&(_, binding)), _) => binding.name(),
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
        out.push_str("\nGamepad stick   what it does (the settings' `sticks` change them)\n");
        for side in Side::ALL {
            writeln!(out, "{:<15} {}", side.name(), self.stick(side).describe()).ok();
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

/// What a pad did, as far as the keypad and the touchpad care. `pad` tells pads apart while
/// they are connected (gilrs's id).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PadEvent {
    Button {
        pad: usize,
        button: Button,
        down: bool,
    },
    /// An axis moved to `value`, -1 to 1.
    Axis { pad: usize, axis: Axis, value: f32 },
    /// The pad was disconnected: its buttons are let go, its sticks back at rest.
    Gone { pad: usize },
}

/// What holds a CX key or an action on a pad: a button, or a stick pushed toward an arrow
/// (named by the host's arrow key, which presses the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Control {
    Button(Button),
    Arrow(Key),
}

/// What an event does: on which pad, the controls it presses (true) and releases, and the
/// stick it moves (its side, before and after).
struct Effect {
    pad: usize,
    changes: Vec<(Control, bool)>,
    moved: Option<(Side, Stick, Stick)>,
}

/// The buttons held and the sticks' places on the pads, and the CX keys, actions and finger
/// they hold.
#[derive(Debug, Default)]
pub struct Controls {
    map: PadMap,
    /// Events not applied yet, in order.
    waiting: VecDeque<PadEvent>,
    /// Each control held that presses a CX key or does an action: its pad, and what it does
    /// (kept, so that its release lets go of that key even if a reset has since changed what
    /// it presses).
    held: Vec<(usize, Control, Binding)>,
    /// Each stick off its rest, by pad.
    sticks: Vec<(usize, Side, Stick)>,
    /// The actions pressed since the last [`Controls::take_actions`].
    pressed: Vec<Action>,
}

impl Controls {
    pub fn new(map: PadMap) -> Controls {
        Controls {
            map,
            ..Controls::default()
        }
    }

    /// An event to apply at the next [`Controls::apply`].
    pub fn push(&mut self, event: PadEvent) {
        self.waiting.push_back(event);
    }

    /// Applies the waiting events in order, up to the release of a control one of them pressed
    /// (or a stick's lift of a finger it put down, or its pad's disconnection): that waits,
    /// with the events after it, for the next call, a host frame later, so that a button
    /// tapped between two frames holds its key for one, as a host key tapped does
    /// (`window::Keyboard::apply`).
    pub fn apply(&mut self, ndless: bool) {
        let mut pressed_now: Vec<(usize, Control)> = Vec::new();
        let mut touched_now: Vec<(usize, Side)> = Vec::new();
        while let Some(&event) = self.waiting.front() {
            let effect = self.effect(event);
            let pad = effect.pad;
            let undoes_a_press = match event {
                PadEvent::Gone { .. } => {
                    pressed_now.iter().any(|&(p, _)| p == pad)
                        || touched_now.iter().any(|&(p, _)| p == pad)
                }
                _ => {
                    let releases = |&(control, down): &(Control, bool)| {
                        !down && pressed_now.contains(&(pad, control))
                    };
                    let lifts = |(side, _, after): (Side, Stick, Stick)| {
                        after.finger() == Finger::Lifted && touched_now.contains(&(pad, side))
                    };
                    effect.changes.iter().any(releases) || effect.moved.is_some_and(lifts)
                }
            };
            if undoes_a_press {
                break;
            }
            self.waiting.pop_front();
            if let PadEvent::Gone { pad } = event {
                self.held.retain(|&(p, _, _)| p != pad);
                self.sticks.retain(|&(p, _, _)| p != pad);
            }
            for (control, down) in effect.changes {
                if !down {
                    self.held.retain(|&(p, c, _)| (p, c) != (pad, control));
                } else if self.press(pad, control, ndless) {
                    pressed_now.push((pad, control));
                }
            }
            if let Some((side, before, after)) = effect.moved {
                let touches = self.map.stick(side) == Use::Touchpad;
                if touches && before.finger() == Finger::Lifted && after.finger() != Finger::Lifted
                {
                    touched_now.push((pad, side));
                }
                self.sticks.retain(|&(p, s, _)| (p, s) != (pad, side));
                self.sticks.push((pad, side, after));
            }
        }
    }

    /// What `event` would do, applied now.
    fn effect(&self, event: PadEvent) -> Effect {
        match event {
            PadEvent::Button { pad, button, down } => Effect {
                pad,
                changes: vec![(Control::Button(button), down)],
                moved: None,
            },
            PadEvent::Axis { pad, axis, value } => {
                let mut effect = Effect {
                    pad,
                    changes: Vec::new(),
                    moved: None,
                };
                if let Some((side, y)) = Side::of_axis(axis) {
                    let before = self.stick(pad, side);
                    let after = before.moved(y, value);
                    if self.map.stick(side) == Use::Arrows {
                        let (old, new) = (before.arrows(), after.arrows());
                        let gone = old.iter().filter(|k| !new.contains(k));
                        let come = new.iter().filter(|k| !old.contains(k));
                        let changes = &mut effect.changes;
                        changes.extend(gone.map(|&k| (Control::Arrow(k), false)));
                        changes.extend(come.map(|&k| (Control::Arrow(k), true)));
                    }
                    effect.moved = Some((side, before, after));
                }
                effect
            }
            PadEvent::Gone { pad } => Effect {
                pad,
                changes: Vec::new(),
                moved: None,
            },
        }
    }

    /// Presses `control` on `pad`: true if it holds a CX key or an action now that it did not
    /// (a repeat, or a control that does nothing, holds nothing more).
    fn press(&mut self, pad: usize, control: Control, ndless: bool) -> bool {
        if self.held.iter().any(|&(p, c, _)| (p, c) == (pad, control)) {
            return false;
        }
        let binding = match control {
            Control::Button(button) => self.map.binding(button, ndless),
            Control::Arrow(arrow) => {
                keymap::cx_key_in(arrow, ndless).map_or(Binding::Nothing, Binding::Cx)
            }
        };
        match binding {
            Binding::Nothing => return false,
            Binding::Action(action) => self.pressed.push(action),
            Binding::Cx(_) => {}
        }
        self.held.push((pad, control, binding));
        true
    }

    /// The stick on `side` of `pad` as it is now.
    fn stick(&self, pad: usize, side: Side) -> Stick {
        self.sticks
            .iter()
            .find(|&&(p, s, _)| (p, s) == (pad, side))
            .map_or(Stick::default(), |&(_, _, stick)| stick)
    }

    /// The CX keys the controls held press, each once, in the order first pressed.
    pub fn keys(&self) -> Vec<CxKey> {
        let mut keys: Vec<CxKey> = Vec::new();
        for &(_, _, binding) in &self.held {
            match binding {
                Binding::Cx(key) if !keys.contains(&key) => keys.push(key),
                _ => {}
            }
        }
        keys
    }

    /// The actions the controls held do (fast forward and rewind act while held).
    pub fn held_actions(&self) -> Vec<Action> {
        let actions = self
            .held
            .iter()
            .filter_map(|&(_, _, binding)| match binding {
                Binding::Action(action) => Some(action),
                _ => None,
            });
        actions.collect()
    }

    /// The actions pressed since the last call, in order.
    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.pressed)
    }

    /// The finger a stick puts on the touchpad: the lowest pad's, the left stick's before
    /// the right's, if several touch.
    pub fn finger(&self) -> Finger {
        let touching = self.sticks.iter().filter(|&&(_, side, stick)| {
            self.map.stick(side) == Use::Touchpad && stick.finger() != Finger::Lifted
        });
        touching
            .min_by_key(|&&(pad, side, _)| (pad, side as usize))
            .map_or(Finger::Lifted, |(_, _, stick)| stick.finger())
    }

    /// Gives `keyboard` the CX keys and actions held (pressing and releasing the keys on
    /// `sink`) and returns the actions pressed and the stick's finger, while the window has the
    /// focus (`focused`); without it, nothing is held and the actions pressed are dropped, as
    /// the window's own keys are let go.
    pub(super) fn give(
        &mut self,
        focused: bool,
        keyboard: &mut Keyboard,
        sink: &mut impl KeySink,
    ) -> (Vec<Action>, Finger) {
        let actions = self.take_actions();
        if !focused {
            keyboard.set_pad(Vec::new(), Vec::new(), sink);
            return (Vec::new(), Finger::Lifted);
        }
        keyboard.set_pad(self.keys(), self.held_actions(), sink);
        (actions, self.finger())
    }
}

/// The pads connected to the host, read through gilrs.
pub struct Pads {
    /// None when gilrs could not start (no udev, say): no pads, then.
    gilrs: Option<Gilrs>,
    pub controls: Controls,
}

impl Pads {
    /// Starts gilrs, which finds the pads connected now and watches for more. It failing, or
    /// finding none, is said at debug level: a window without pads is the usual case.
    pub fn open(map: PadMap) -> Pads {
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
            controls: Controls::new(map),
        }
    }

    /// Reads what the pads did since the last call and applies it (see [`Controls::apply`]);
    /// returns a note for the picture when a pad was connected or disconnected.
    pub fn poll(&mut self, ndless: bool) -> Option<String> {
        let mut note = None;
        if let Some(gilrs) = &mut self.gilrs {
            while let Some(event) = gilrs.next_event() {
                let pad = usize::from(event.id);
                let button = |button, down| PadEvent::Button { pad, button, down };
                match event.event {
                    EventType::ButtonPressed(b, _) => self.controls.push(button(b, true)),
                    EventType::ButtonReleased(b, _) => self.controls.push(button(b, false)),
                    EventType::AxisChanged(axis, value, _) => {
                        self.controls.push(PadEvent::Axis { pad, axis, value })
                    }
                    EventType::Connected => {
                        note = Some(format!(
                            "gamepad connected: {}",
                            gilrs.gamepad(event.id).name()
                        ))
                    }
                    EventType::Disconnected => {
                        self.controls.push(PadEvent::Gone { pad });
                        note = Some(format!("gamepad gone: {}", gilrs.gamepad(event.id).name()));
                    }
                    _ => {}
                }
            }
        }
        self.controls.apply(ndless);
        note
    }

    /// A host frame of a window's pads, the plain window's and gdb's: reads them, shows a pad
    /// come or gone on `overlay`, and gives the CX keys and actions they hold to `keyboard`
    /// ([`Controls::give`]); returns the actions pressed, for the window to do as it does the
    /// keyboard's, and the finger a stick puts on the touchpad, for `window::read_pointer`.
    pub(super) fn frame(
        &mut self,
        focused: bool,
        keyboard: &mut Keyboard,
        sink: &mut impl KeySink,
        overlay: &mut Overlay,
    ) -> (Vec<Action>, Finger) {
        if let Some(note) = self.poll(keyboard.ndless) {
            overlay.show(note);
        }
        self.controls.give(focused, keyboard, sink)
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

    fn axis(pad: usize, axis: Axis, value: f32) -> PadEvent {
        PadEvent::Axis { pad, axis, value }
    }

    fn cx(name: &str) -> Binding {
        Binding::Cx(key(name))
    }

    fn buttons_after(events: &[PadEvent], ndless: bool) -> Controls {
        let mut buttons = Controls::default();
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
        let map = PadMap::default();
        assert_eq!(
            map.binding(Button::DPadUp, true),
            Binding::Cx(CxKey::Pad(PadKey::Up))
        );
        assert_eq!(map.binding(Button::DPadUp, false), cx("n8"));
        assert_eq!(map.binding(Button::DPadLeft, false), cx("n4"));
        assert_eq!(map.binding(Button::South, true), cx("enter"));
        assert_eq!(map.binding(Button::East, false), cx("esc"));
        assert_eq!(map.binding(Button::C, false), Binding::Nothing);
        assert_eq!(map.stick(Side::Left), Use::Arrows);
        assert_eq!(map.stick(Side::Right), Use::Touchpad);
    }

    #[test]
    fn the_settings_change_a_button_and_leave_the_rest() {
        let mut map = PadMap::default();
        map.set(Button::South, cx("ctrl"));
        map.set(Button::DPadUp, cx("n5"));
        map.set(Button::East, Binding::Nothing);
        map.set(Button::South, cx("shift"));
        map.set(Button::C, Binding::Action(Action::ChooseSlot(3)));
        map.set_stick(Side::Left, Use::Nothing);
        assert_eq!(map.binding(Button::South, false), cx("shift"));
        assert_eq!(map.binding(Button::DPadUp, true), cx("n5"));
        assert_eq!(map.binding(Button::East, true), Binding::Nothing);
        assert_eq!(map.binding(Button::Start, true), cx("menu"));
        let text = map.describe();
        assert!(text.contains("\nC               slot-3\n"), "{text}");
        assert!(text.contains("\nLeft            none\n"), "{text}");
        assert!(
            text.contains("\nRight           touchpad: a finger where the stick points"),
            "{text}"
        );
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
        let mut map = PadMap::default();
        map.set(Button::North, cx("enter"));
        let mut buttons = Controls::new(map);
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
        let mut buttons = Controls::default();
        let frame = |buttons: &mut Controls, keyboard: &mut Keyboard, session: &mut Session| {
            buttons.apply(false);
            keyboard.apply(session);
            buttons.give(true, keyboard, session);
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
        buttons.give(false, &mut keyboard, &mut session);
        session.run_frame();
        assert_eq!(
            session.applied_keys().to_text(),
            "0 press enter\n0 press n8\n2 release enter\n3 release n8\n"
        );
    }

    /// The left stick presses what the arrow keys press past half way and lets go back under
    /// 30% (a stick resting off centre presses nothing); a corner presses two; the right
    /// stick's touch presses no key.
    #[test]
    fn the_left_stick_presses_the_arrows() {
        let mut sticks = buttons_after(
            &[
                axis(0, Axis::LeftStickX, 0.2),
                axis(0, Axis::RightStickX, 0.9),
            ],
            false,
        );
        assert!(sticks.keys().is_empty());
        sticks.push(axis(0, Axis::LeftStickX, 0.6));
        sticks.push(axis(0, Axis::LeftStickY, 0.8));
        sticks.apply(true);
        let right_up = vec![CxKey::Pad(PadKey::Right), CxKey::Pad(PadKey::Up)];
        assert_eq!(sticks.keys(), right_up);
        sticks.push(axis(0, Axis::LeftStickX, 0.35));
        sticks.push(axis(0, Axis::LeftStickY, 0.31));
        sticks.apply(true);
        assert_eq!(sticks.keys(), right_up);
        sticks.push(axis(0, Axis::LeftStickX, 0.25));
        sticks.apply(true);
        assert_eq!(sticks.keys(), vec![CxKey::Pad(PadKey::Up)]);
        sticks.push(axis(0, Axis::LeftStickY, -1.0));
        sticks.apply(false);
        assert_eq!(sticks.keys(), vec![key("n2")]);
        sticks.push(axis(0, Axis::LeftStickY, 0.0));
        sticks.apply(false);
        assert!(sticks.keys().is_empty());
    }

    /// A flick of the stick between two frames holds its arrow for one, as a tap does; the
    /// d-pad and the stick on one key hold it until both let go.
    #[test]
    fn a_flick_holds_its_arrow_for_a_frame_and_shares_it_with_the_dpad() {
        let mut sticks = buttons_after(
            &[
                axis(0, Axis::LeftStickX, -0.9),
                axis(0, Axis::LeftStickX, 0.0),
                press(0, Button::DPadLeft),
            ],
            false,
        );
        assert_eq!(sticks.keys(), vec![key("n4")]);
        sticks.apply(false);
        assert_eq!(sticks.keys(), vec![key("n4")]);
        sticks.push(axis(0, Axis::LeftStickX, -0.9));
        sticks.push(release(0, Button::DPadLeft));
        sticks.apply(false);
        assert_eq!(sticks.keys(), vec![key("n4")]);
        sticks.push(PadEvent::Gone { pad: 0 });
        sticks.apply(false);
        assert!(sticks.keys().is_empty());
        // Back, the stick at rest until it moves.
        sticks.push(axis(0, Axis::LeftStickY, 0.1));
        sticks.apply(false);
        assert!(sticks.keys().is_empty());
    }

    /// The right stick puts a finger on the touchpad where it points, past a quarter of the
    /// way from the centre, and lifts it back within 15%; a flick touches for a frame; the
    /// settings may swap the sticks, or turn one off.
    #[test]
    fn the_right_stick_touches_the_touchpad() {
        let mut sticks = buttons_after(&[axis(0, Axis::RightStickX, 0.2)], false);
        assert_eq!(sticks.finger(), Finger::Lifted);
        sticks.push(axis(0, Axis::RightStickY, -1.0));
        sticks.apply(false);
        // x 0.2 and y -1 of the pad's 2328 by 1691 (y from its bottom edge).
        assert_eq!(sticks.finger(), Finger::Touching { x: 1397, y: 0 });
        sticks.push(axis(0, Axis::RightStickY, 0.0));
        sticks.push(axis(0, Axis::RightStickX, 0.1));
        sticks.apply(false);
        assert_eq!(sticks.finger(), Finger::Lifted);
        sticks.push(axis(1, Axis::RightStickX, 1.0));
        sticks.push(axis(1, Axis::RightStickX, 0.0));
        sticks.apply(false);
        assert_eq!(sticks.finger(), Finger::Touching { x: 2328, y: 846 });
        sticks.apply(false);
        assert_eq!(sticks.finger(), Finger::Lifted);
        assert!(sticks.keys().is_empty());

        let mut map = PadMap::default();
        map.set_stick(Side::Left, Use::Touchpad);
        map.set_stick(Side::Right, Use::Nothing);
        let mut swapped = Controls::new(map);
        swapped.push(axis(0, Axis::RightStickX, 1.0));
        swapped.push(axis(0, Axis::LeftStickX, -1.0));
        swapped.apply(false);
        assert_eq!(swapped.finger(), Finger::Touching { x: 0, y: 846 });
        assert!(swapped.keys().is_empty());
    }

    /// A button set to an action does it once a press (a repeat, none), and holds it while held
    /// (fast forward and rewind act so); a button set to `none` does nothing.
    #[test]
    fn buttons_do_actions_as_the_settings_say() {
        let mut map = PadMap::default();
        map.set(Button::LeftThumb, Binding::Action(Action::Rewind));
        map.set(Button::Mode, Binding::Action(Action::Pause));
        map.set(Button::South, Binding::Nothing);
        let mut buttons = Controls::new(map);
        buttons.push(press(0, Button::Mode));
        buttons.push(press(0, Button::LeftThumb));
        buttons.push(press(0, Button::LeftThumb));
        buttons.push(press(0, Button::South));
        buttons.apply(false);
        assert_eq!(buttons.take_actions(), [Action::Pause, Action::Rewind]);
        assert_eq!(buttons.take_actions(), []);
        assert_eq!(buttons.held_actions(), [Action::Pause, Action::Rewind]);
        assert!(buttons.keys().is_empty());
        buttons.push(release(0, Button::Mode));
        buttons.apply(false);
        assert_eq!(buttons.held_actions(), [Action::Rewind]);
        buttons.push(release(0, Button::LeftThumb));
        buttons.push(press(0, Button::Mode));
        buttons.apply(false);
        assert_eq!(buttons.take_actions(), [Action::Pause]);
        assert_eq!(buttons.held_actions(), [Action::Pause]);
    }

    /// Through the window's keyboard a button's action is the window's to do, a rewind held is
    /// the keyboard's rewinding, and the stick's finger reaches the machine's touchpad, recorded
    /// in the run's journal as the mouse's is; without the focus none of them.
    #[test]
    fn actions_and_the_finger_reach_the_window() {
        use crate::frontend::script::Script;
        use crate::frontend::session::{busy_machine, Session};
        use crate::frontend::settings::KeyMap;
        use crate::frontend::window::{KeyEvents, Keyboard};

        let mut session = Session::new(busy_machine(), Script::default(), None);
        let mut keyboard = Keyboard::new(KeyEvents::default(), KeyMap::default(), false);
        let mut map = PadMap::default();
        map.set(Button::LeftThumb, Binding::Action(Action::Rewind));
        map.set(Button::C, Binding::Action(Action::Screenshot));
        let mut controls = Controls::new(map);
        controls.push(press(0, Button::LeftThumb));
        controls.push(press(0, Button::C));
        controls.push(axis(0, Axis::RightStickY, 1.0));
        controls.apply(false);
        let (actions, finger) = controls.give(true, &mut keyboard, &mut session);
        assert_eq!(actions, [Action::Rewind, Action::Screenshot]);
        assert!(keyboard.holds_action(Action::Rewind));
        assert_eq!(finger, Finger::Touching { x: 1164, y: 1691 });
        session.set_finger(finger);
        session.run_frame();
        let touch = session.machine.board.touchpad().unwrap().touch();
        assert!(touch.contact && !touch.pressed, "{touch:?}");
        assert_eq!((touch.x, touch.y), (1164, 1691));
        controls.push(press(0, Button::C));
        controls.push(release(0, Button::C));
        controls.apply(false);
        let (actions, finger) = controls.give(false, &mut keyboard, &mut session);
        assert_eq!((actions, finger), (vec![], Finger::Lifted));
        assert!(!keyboard.holds_action(Action::Rewind));
        session.set_finger(finger);
        session.run_frame();
        assert_eq!(
            session.applied_keys().to_text(),
            "0 touch 1164 1691\n1 untouch\n"
        );
    }

    /// With no pad (this machine and CI have none, and no /dev/uinput to make one), gilrs
    /// starts or fails quietly and a poll finds nothing and does not wait.
    #[test]
    fn no_pad_polls_nothing_at_once() {
        let mut pads = Pads::open(PadMap::default());
        let start = std::time::Instant::now();
        for _ in 0..600 {
            assert_eq!(pads.poll(false), None);
        }
        assert!(pads.controls.keys().is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }
}
