//! The host keyboard as the CX keypad, and the keys of the emulator itself.
//!
//! Every CX key of the matrix (`devices::keypad::KEYS`) has a host key, and the ON key, which
//! the CX wires to the power block, has Home (the CX labels it "on / home"). The function keys
//! are the emulator's, so the CX keys a PC keyboard has no place for (trig, x², ^, eˣ, 10ˣ,
//! EE, templates) take the keys it has spare: the lock keys, the Windows keys, Menu, the
//! keypad's Enter and the right Shift. F13 to F15 would do, but minifb's X11 backend never
//! reports them ([`UNREPORTED`]). The CX's arrows
//! are its touchpad pressed at an edge ([`PadKey`]): running an Ndless program, whose libndls
//! reads them so, the host's arrow keys press the touchpad; running a ROM (the kit's, Linux)
//! they press 8, 2, 4 and 6, the directions on the digit block, which ROMs read for directions.

use std::fmt::Write;

use devices::keypad;
use minifb::Key;

/// A key of the CX: one of the matrix, the ON key, or the touchpad pressed as a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CxKey {
    Matrix { row: usize, col: usize },
    On,
    Pad(PadKey),
}

/// The touchpad pressed down as the CX's arrows and click are: at the middle of an edge, or in
/// its middle. Two arrows held at once press a corner (libndls reads `UPRIGHT` and the like).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PadKey {
    Up,
    Down,
    Left,
    Right,
    Click,
}

/// The touchpad's keys by name.
const PAD_KEYS: [(&str, PadKey); 5] = [
    ("up", PadKey::Up),
    ("down", PadKey::Down),
    ("left", PadKey::Left),
    ("right", PadKey::Right),
    ("click", PadKey::Click),
];

impl CxKey {
    /// The key with this name in `devices::keypad::KEYS` (`on` is the ON key; `up`, `down`,
    /// `left`, `right` and `click` the touchpad's).
    pub fn from_name(name: &str) -> Option<CxKey> {
        if name == "on" {
            return Some(CxKey::On);
        }
        if let Some(&(_, pad)) = PAD_KEYS.iter().find(|(n, _)| *n == name) {
            return Some(CxKey::Pad(pad));
        }
        keypad::key_position(name).map(|(row, col)| CxKey::Matrix { row, col })
    }

    /// Its name, as `from_name` takes it.
    pub fn name(self) -> &'static str {
        match self {
            CxKey::On => "on",
            CxKey::Pad(pad) => PAD_KEYS
                .iter()
                .find(|(_, p)| *p == pad)
                .map_or("?", |(name, _)| name),
            CxKey::Matrix { row, col } => keypad::KEYS
                .get(row)
                .and_then(|keys| keys.get(col).copied().flatten())
                .unwrap_or("?"),
        }
    }
}

/// Host key to CX key name, in the order `emu keys` prints them.
#[rustfmt::skip]
pub const BINDINGS: &[(Key, &str)] = &[
    (Key::A, "aa"), (Key::B, "ab"), (Key::C, "ac"), (Key::D, "ad"), (Key::E, "ae"),
    (Key::F, "af"), (Key::G, "ag"), (Key::H, "ah"), (Key::I, "ai"), (Key::J, "aj"),
    (Key::K, "ak"), (Key::L, "al"), (Key::M, "am"), (Key::N, "an"), (Key::O, "ao"),
    (Key::P, "ap"), (Key::Q, "aq"), (Key::R, "ar"), (Key::S, "as"), (Key::T, "at"),
    (Key::U, "au"), (Key::V, "av"), (Key::W, "aw"), (Key::X, "ax"), (Key::Y, "ay"),
    (Key::Z, "az"),
    (Key::Key0, "n0"), (Key::NumPad0, "n0"), (Key::Key1, "n1"), (Key::NumPad1, "n1"),
    (Key::Key2, "n2"), (Key::NumPad2, "n2"), (Key::Down, "n2"),
    (Key::Key3, "n3"), (Key::NumPad3, "n3"),
    (Key::Key4, "n4"), (Key::NumPad4, "n4"), (Key::Left, "n4"),
    (Key::Key5, "n5"), (Key::NumPad5, "n5"),
    (Key::Key6, "n6"), (Key::NumPad6, "n6"), (Key::Right, "n6"),
    (Key::Key7, "n7"), (Key::NumPad7, "n7"),
    (Key::Key8, "n8"), (Key::NumPad8, "n8"), (Key::Up, "n8"),
    (Key::Key9, "n9"), (Key::NumPad9, "n9"),
    (Key::Enter, "enter"),
    (Key::Backslash, "ret"),
    (Key::Space, "space"),
    (Key::Backspace, "del"), (Key::Delete, "del"),
    (Key::Escape, "esc"),
    (Key::Tab, "tab"),
    (Key::LeftShift, "shift"),
    (Key::LeftCtrl, "ctrl"), (Key::RightCtrl, "ctrl"),
    (Key::Home, "on"),
    (Key::Insert, "doc"),
    (Key::PageUp, "menu"),
    (Key::PageDown, "cat"),
    (Key::End, "var"),
    (Key::Semicolon, "plus"), (Key::NumPadPlus, "plus"),
    (Key::Minus, "minus"), (Key::NumPadMinus, "minus"),
    (Key::Apostrophe, "mult"), (Key::NumPadAsterisk, "mult"),
    (Key::Slash, "div"), (Key::NumPadSlash, "div"),
    (Key::Equal, "equ"),
    (Key::Period, "dot"), (Key::NumPadDot, "dot"),
    (Key::Comma, "comma"),
    (Key::LeftBracket, "pleft"), (Key::RightBracket, "pright"),
    (Key::Backquote, "neg"),
    (Key::RightAlt, "pi"),
    (Key::LeftAlt, "pad"),
    (Key::Pause, "punct"),
    (Key::ScrollLock, "flag"),
    (Key::RightShift, "metrix"),
    (Key::CapsLock, "trig"),
    (Key::LeftSuper, "squ"),
    (Key::RightSuper, "pow"),
    (Key::Menu, "exp"),
    (Key::NumLock, "pow10"),
    (Key::NumPadEnter, "ee"),
];

/// Keys minifb names that its X11 backend never reports (its table of X key symbols has no
/// F13, F14 or F15): no use in the map.
pub const UNREPORTED: [Key; 3] = [Key::F13, Key::F14, Key::F15];

/// Host keys that press another CX key running an Ndless program: the arrows press the
/// touchpad's, as libndls reads them.
pub const NDLESS_BINDINGS: &[(Key, &str)] = &[
    (Key::Up, "up"),
    (Key::Down, "down"),
    (Key::Left, "left"),
    (Key::Right, "right"),
];

/// What the emulator does for a key of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Pause,
    Reset,
    Screenshot,
    Turbo,
    Monitor,
    /// Unlimited speed while the key is held.
    FastForward,
    /// One frame, while paused.
    FrameAdvance,
    /// Show or hide the drawn keypad.
    Keypad,
    /// The preset speed below or above the one in force.
    Slower,
    Faster,
    Fullscreen,
    Quit,
    /// Save the state in the chosen slot.
    SaveSlot,
    /// Load the chosen slot's state.
    LoadSlot,
    /// Choose a slot, 1 to 10.
    ChooseSlot(u8),
    /// Start or stop recording the LCD to a GIF.
    Record,
    /// Run time backwards while held.
    Rewind,
}

/// The actions by the names the settings file gives them (`slot-1` to `slot-10` choose a
/// slot, [`Action::ChooseSlot`]).
const ACTION_NAMES: &[(&str, Action)] = &[
    ("pause", Action::Pause),
    ("reset", Action::Reset),
    ("screenshot", Action::Screenshot),
    ("turbo", Action::Turbo),
    ("monitor", Action::Monitor),
    ("fast-forward", Action::FastForward),
    ("frame-advance", Action::FrameAdvance),
    ("keypad", Action::Keypad),
    ("slower", Action::Slower),
    ("faster", Action::Faster),
    ("fullscreen", Action::Fullscreen),
    ("quit", Action::Quit),
    ("save-slot", Action::SaveSlot),
    ("load-slot", Action::LoadSlot),
    ("record", Action::Record),
    ("rewind", Action::Rewind),
];

impl Action {
    /// The action named `name` in the settings file.
    pub fn from_name(name: &str) -> Option<Action> {
        let slot = name
            .strip_prefix("slot-")
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=10).contains(n));
        if let Some(slot) = slot {
            return Some(Action::ChooseSlot(slot));
        }
        ACTION_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, action)| action)
    }

    /// Its name, as `from_name` takes it.
    pub fn name(self) -> String {
        match self {
            Action::ChooseSlot(slot) => format!("slot-{slot}"),
            _ => ACTION_NAMES
                .iter()
                .find(|&&(_, a)| a == self)
                .map_or("?", |(name, _)| name)
                .to_string(),
        }
    }
}

/// What a host key or a gamepad's button does: press a CX key, do an emulator action, or
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Cx(CxKey),
    Action(Action),
    Nothing,
}

impl Binding {
    /// The binding named `name` in the settings file: an action's name, a CX key's (as
    /// `emu keys` prints them) or `none`.
    pub fn from_name(name: &str) -> Option<Binding> {
        if name == "none" {
            return Some(Binding::Nothing);
        }
        Action::from_name(name)
            .map(Binding::Action)
            .or_else(|| CxKey::from_name(name).map(Binding::Cx))
    }

    /// Its name, as `from_name` takes it.
    pub fn name(self) -> String {
        match self {
            Binding::Cx(key) => key.name().to_string(),
            Binding::Action(action) => action.name(),
            Binding::Nothing => "none".to_string(),
        }
    }
}

/// The emulator's own keys.
pub const ACTIONS: &[(Key, Action, &str)] = &[
    (Key::F1, Action::Pause, "pause / resume"),
    (
        Key::F2,
        Action::Reset,
        "reset: reload the ROM and restart the machine",
    ),
    (
        Key::F3,
        Action::Screenshot,
        "screenshot: emu-YYYYMMDD-HHMMSS.png (UTC) in the current directory",
    ),
    (
        Key::F4,
        Action::Turbo,
        "turbo on / off (run as fast as the host can)",
    ),
    (
        Key::F5,
        Action::Monitor,
        "the monitor, on the terminal (its `continue` returns to the window)",
    ),
    (
        Key::F6,
        Action::FastForward,
        "fast forward: unlimited speed while held",
    ),
    (
        Key::F7,
        Action::Keypad,
        "show / hide the keypad beside the LCD",
    ),
    (
        Key::F8,
        Action::FrameAdvance,
        "frame advance: pause, then one frame (1/60 s) a press",
    ),
    (
        Key::F9,
        Action::Slower,
        "slower: the speed preset below (25%, 50%, 100%, 200%, unlimited)",
    ),
    (Key::F10, Action::Faster, "faster: the speed preset above"),
    (
        Key::F11,
        Action::Fullscreen,
        "full screen on / off (a borderless window the size of the screen)",
    ),
    (Key::F12, Action::Quit, "quit (as closing the window does)"),
];

/// The emulator's keys pressed with Ctrl (either): the save-state slots, recording and rewind.
/// The CX sees its ctrl key pressed, but not the key pressed with it.
#[rustfmt::skip]
pub const CTRL_ACTIONS: &[(Key, Action, &str)] = &[
    (Key::F1, Action::SaveSlot, "save the state in the chosen slot"),
    (Key::F2, Action::LoadSlot, "load the chosen slot's state"),
    (Key::F3, Action::Record, "start / stop recording the LCD: emu-YYYYMMDD-HHMMSS.gif"),
    (Key::Backspace, Action::Rewind, "held: run time backwards (with --rewind)"),
    (Key::Key1, Action::ChooseSlot(1), "choose slot 1"),
    (Key::Key2, Action::ChooseSlot(2), "choose slot 2"),
    (Key::Key3, Action::ChooseSlot(3), "choose slot 3"),
    (Key::Key4, Action::ChooseSlot(4), "choose slot 4"),
    (Key::Key5, Action::ChooseSlot(5), "choose slot 5"),
    (Key::Key6, Action::ChooseSlot(6), "choose slot 6"),
    (Key::Key7, Action::ChooseSlot(7), "choose slot 7"),
    (Key::Key8, Action::ChooseSlot(8), "choose slot 8"),
    (Key::Key9, Action::ChooseSlot(9), "choose slot 9"),
    (Key::Key0, Action::ChooseSlot(10), "choose slot 10"),
];

/// The emulator action of a host key pressed with Ctrl, if any.
pub fn ctrl_action(key: Key) -> Option<Action> {
    CTRL_ACTIONS
        .iter()
        .find(|(host, _, _)| *host == key)
        .map(|(_, action, _)| *action)
}

/// The CX key a host key presses, if any, running a ROM.
pub fn cx_key(key: Key) -> Option<CxKey> {
    BINDINGS
        .iter()
        .find(|(host, _)| *host == key)
        .and_then(|(_, name)| CxKey::from_name(name))
}

/// The CX key a host key presses, if any, running an Ndless program (`ndless`) or a ROM.
pub fn cx_key_in(key: Key, ndless: bool) -> Option<CxKey> {
    let ndless_key = ndless
        .then(|| NDLESS_BINDINGS.iter().find(|(host, _)| *host == key))
        .flatten();
    match ndless_key {
        Some((_, name)) => CxKey::from_name(name),
        None => cx_key(key),
    }
}

/// The emulator action of a host key, if any.
pub fn action(key: Key) -> Option<Action> {
    ACTIONS
        .iter()
        .find(|(host, _, _)| *host == key)
        .map(|(_, action, _)| *action)
}

/// What is printed on a CX key, where its name does not say.
fn label(name: &str) -> &'static str {
    match name {
        "ret" => "return (the key beside the letters)",
        "enter" => "enter",
        "neg" => "(-)",
        "punct" => "?!>",
        "on" => "on / home",
        "pi" => "pi",
        "pow10" => "10^x",
        "ee" => "EE",
        "squ" => "x^2",
        "exp" => "e^x",
        "pow" => "^",
        "div" => "/",
        "mult" => "*",
        "minus" => "-",
        "plus" => "+",
        "equ" => "=",
        "dot" => ".",
        "comma" => ",",
        "pleft" => "(",
        "pright" => ")",
        "cat" => "catalogue",
        "metrix" => "templates",
        "pad" => "scratchpad",
        "var" => "var (sto)",
        _ => "",
    }
}

/// A host key as a person would name it.
pub(crate) fn host_name(key: Key) -> String {
    let name = format!("{key:?}");
    match key {
        Key::Key0
        | Key::Key1
        | Key::Key2
        | Key::Key3
        | Key::Key4
        | Key::Key5
        | Key::Key6
        | Key::Key7
        | Key::Key8
        | Key::Key9 => name[3..].to_string(),
        Key::NumPadEnter => "keypad Enter".to_string(),
        Key::NumPadPlus => "keypad +".to_string(),
        Key::NumPadMinus => "keypad -".to_string(),
        Key::NumPadAsterisk => "keypad *".to_string(),
        Key::NumPadSlash => "keypad /".to_string(),
        Key::NumPadDot => "keypad .".to_string(),
        Key::Semicolon => ";".to_string(),
        Key::Apostrophe => "'".to_string(),
        Key::Minus => "-".to_string(),
        Key::Slash => "/".to_string(),
        Key::Equal => "=".to_string(),
        Key::Period => ".".to_string(),
        Key::Comma => ",".to_string(),
        Key::LeftBracket => "[".to_string(),
        Key::RightBracket => "]".to_string(),
        Key::Backquote => "`".to_string(),
        Key::Backslash => "\\".to_string(),
        Key::Up | Key::Down | Key::Left | Key::Right => format!("{name} arrow"),
        _ => match name.strip_prefix("NumPad") {
            Some(digit) => format!("keypad {digit}"),
            None => name,
        },
    }
}

/// The table `emu keys` prints: each CX key with the host keys that press it, then the
/// emulator's keys.
pub fn describe() -> String {
    let mut out = String::from("CX key   host keys\n");
    let mut seen: Vec<&str> = Vec::new();
    for (_, name) in BINDINGS {
        if seen.contains(name) {
            continue;
        }
        seen.push(name);
        let hosts: Vec<String> = BINDINGS
            .iter()
            .filter(|(_, n)| n == name)
            .map(
                |(key, _)| match NDLESS_BINDINGS.iter().any(|(k, _)| k == key) {
                    true => format!("{} (ROMs)", host_name(*key)),
                    false => host_name(*key),
                },
            )
            .collect();
        let hosts = hosts.join(", ");
        match label(name) {
            "" => writeln!(out, "{name:<8} {hosts}"),
            label => writeln!(out, "{name:<8} {hosts:<28} {label}"),
        }
        .ok();
    }
    for (key, name) in NDLESS_BINDINGS {
        let hosts = format!("{} (Ndless)", host_name(*key));
        writeln!(out, "{name:<8} {hosts:<28} the touchpad's {name} arrow").ok();
    }
    out.push_str(
        "\nThe CX's arrows are its touchpad pressed at an edge. Running an Ndless program, the arrow\n\
         keys press it so (two at once, a corner); running a ROM they press 8, 2, 4 and 6.\n\
         \nThe mouse: a click on a key of the keypad drawn beside the LCD presses it (held while the\n\
         button is). On the drawn touchpad, or on the LCD, which stands for it, the left button\n\
         touches the pad, the right button pushes it down (a click; at an edge, an arrow).\n",
    );
    out.push_str("\nEmulator keys\n");
    for (key, _, what) in ACTIONS {
        writeln!(out, "{:<8} {what}", format!("{key:?}")).ok();
    }
    for (key, _, what) in CTRL_ACTIONS {
        let chord = format!("Ctrl+{}", host_name(*key));
        writeln!(out, "{chord:<14} {what}").ok();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each CX key of the matrix, and ON, has a host key the window can report, that is not
    /// an emulator key.
    #[test]
    fn every_binding_names_a_cx_key_and_every_cx_key_has_a_host_key() {
        for (key, name) in BINDINGS {
            assert!(CxKey::from_name(name).is_some(), "{key:?} -> {name}");
            assert!(action(*key).is_none(), "{key:?} is also an emulator key");
            assert!(
                !UNREPORTED.contains(key),
                "{key:?} never reaches the window"
            );
        }
        let names = keypad::KEYS.iter().flatten().flatten().chain(&["on"]);
        for name in names {
            let bound = BINDINGS.iter().any(|(_, n)| n == name);
            assert!(bound, "no host key presses {name}");
        }
    }

    #[test]
    fn host_keys_map_as_documented() {
        assert_eq!(cx_key(Key::A), CxKey::from_name("aa"));
        assert_eq!(cx_key(Key::Z), CxKey::from_name("az"));
        assert_eq!(cx_key(Key::NumPad7), CxKey::from_name("n7"));
        assert_eq!(cx_key(Key::Up), CxKey::from_name("n8"));
        assert_eq!(cx_key(Key::Home), Some(CxKey::On));
        assert_eq!(cx_key(Key::Enter), Some(CxKey::Matrix { row: 0, col: 1 }));
        assert_eq!(cx_key(Key::F1), None);
        assert_eq!(action(Key::F12), Some(Action::Quit));
    }

    /// Running an Ndless program the arrows press the touchpad; other keys are as for ROMs.
    #[test]
    fn arrows_press_the_touchpad_for_ndless_programs() {
        assert_eq!(cx_key_in(Key::Up, true), Some(CxKey::Pad(PadKey::Up)));
        assert_eq!(cx_key_in(Key::Left, true), Some(CxKey::Pad(PadKey::Left)));
        assert_eq!(cx_key_in(Key::Up, false), CxKey::from_name("n8"));
        assert_eq!(cx_key_in(Key::A, true), CxKey::from_name("aa"));
        for name in ["up", "down", "left", "right", "click"] {
            let key = CxKey::from_name(name).unwrap();
            assert_eq!(key.name(), name);
        }
    }

    /// Every action and slot goes by a name and comes back from it; names that are not
    /// actions are CX keys, `none`, or nothing.
    #[test]
    fn bindings_go_by_their_names() {
        let slots = (1..=10).map(Action::ChooseSlot);
        let actions = ACTION_NAMES.iter().map(|&(_, action)| action).chain(slots);
        for action in actions {
            let name = action.name();
            assert_eq!(Action::from_name(&name), Some(action), "{name}");
            assert_eq!(Binding::from_name(&name), Some(Binding::Action(action)));
        }
        for name in ["slot-0", "slot-11", "slot-x", "Pause", "n12"] {
            assert_eq!(Binding::from_name(name), None, "{name}");
        }
        let n8 = CxKey::from_name("n8").unwrap();
        assert_eq!(Binding::from_name("n8"), Some(Binding::Cx(n8)));
        assert_eq!(Binding::from_name("none"), Some(Binding::Nothing));
        assert_eq!(Binding::Cx(n8).name(), "n8");
        assert_eq!(Binding::Nothing.name(), "none");
        assert_eq!(Action::ChooseSlot(10).name(), "slot-10");
    }

    #[test]
    fn description_lists_each_cx_key_once() {
        let text = describe();
        assert!(text.contains("aa       A\n"), "{text}");
        assert!(
            text.contains("n8       8, keypad 8, Up arrow (ROMs)\n"),
            "{text}"
        );
        assert!(
            text.contains("up       Up arrow (Ndless)            the touchpad's up arrow\n"),
            "{text}"
        );
        assert!(text.contains("F3       screenshot"), "{text}");
        assert!(text.contains("trig     CapsLock\n"), "{text}");
        assert!(
            text.contains("ee       keypad Enter                 EE\n"),
            "{text}"
        );
        let lines = text.lines().filter(|l| l.starts_with("enter ")).count();
        assert_eq!(lines, 1, "{text}");
    }
}
