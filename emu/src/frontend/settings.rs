//! The settings file, `$XDG_CONFIG_HOME/emu/settings.ron` (default `~/.config/emu`): the key
//! map's changes, the gamepad buttons' and sticks' changes, the window's scale, the keypad
//! view, the speed presets, the slots' folder and the rewind ring. Every field may be left out. A file that cannot be read or used is
//! reported in one line with its line and column, and the defaults are used instead: a
//! mistake in the settings never stops the emulator.
//!
//! Keys are named as minifb names them (`A`, `Key1`, `F6`, `NumPad0`, `Backspace`,
//! `LeftBracket`...) or as `emu keys` prints them (`1`, `keypad 0`, `[`), `Ctrl+` in front for
//! a chord; each maps to a CX key (as `emu keys` names it), an emulator action (`pause`,
//! `reset`, `screenshot`, `turbo`, `monitor`, `quit`, `save-slot`, `load-slot`, `slot-1` to
//! `slot-10`, `record`, `rewind`, the names of `keymap::Binding`) or `none`. Gamepad buttons
//! are named as gilrs names them (`South`, `DPadUp`, `LeftTrigger2`...) and map as host keys
//! do; the sticks, `Left` and `Right`, to `arrows`, `touchpad` or `none`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use minifb::Key;
use serde::Deserialize;

use super::gamepad::{self, PadMap};
use super::keymap::{self, Action, Binding, CxKey};
use super::stick::{self, Side};
use super::xdg;

/// The settings as the file gives them.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Host key (or `Ctrl+` chord) -> CX key, action or `none`.
    pub keys: BTreeMap<String, String>,
    /// Gamepad button -> CX key, action or `none`.
    pub buttons: BTreeMap<String, String>,
    /// Gamepad stick (`Left`, `Right`) -> `arrows`, `touchpad` or `none`.
    pub sticks: BTreeMap<String, String>,
    /// The window's scale when `--scale` is not given, 1 to 8.
    pub scale: Option<u8>,
    /// Whether the window shows the drawn keypad beside the LCD.
    pub keypad: Option<bool>,
    /// The speed presets, in percent of the real machine's (0: as fast as the host can).
    pub speeds: Option<Vec<u32>>,
    /// The folder of the save-state slots, instead of `$XDG_DATA_HOME/emu/states`.
    pub slots: Option<PathBuf>,
    /// Keep the rewind ring in every run, as `--rewind` does.
    pub rewind: bool,
}

/// The settings in force and where they came from.
pub struct Loaded {
    pub settings: Settings,
    pub keys: KeyMap,
    /// The file, and whether it was there.
    pub path: Option<PathBuf>,
    pub found: bool,
    /// Why the file was not used, in one line.
    pub problem: Option<String>,
}

impl Loaded {
    /// The settings file of the user's config folder, or the defaults; a problem is kept, for
    /// the caller to print.
    pub fn from_config_dir() -> Loaded {
        match xdg::config_dir() {
            Ok(dir) => Loaded::from_file(&dir.join("settings.ron")),
            Err(e) => Loaded {
                settings: Settings::default(),
                keys: KeyMap::default(),
                path: None,
                found: false,
                problem: Some(format!("no settings folder: {e}")),
            },
        }
    }

    /// The settings in `path` (the defaults if it does not exist).
    pub fn from_file(path: &Path) -> Loaded {
        let mut loaded = Loaded {
            settings: Settings::default(),
            keys: KeyMap::default(),
            path: Some(path.to_path_buf()),
            found: false,
            problem: None,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return loaded,
            Err(e) => {
                loaded.problem = Some(format!("{}: {e}; using the defaults", path.display()));
                return loaded;
            }
        };
        loaded.found = true;
        match parse(&text) {
            Ok((settings, keys)) => {
                loaded.settings = settings;
                loaded.keys = keys;
            }
            Err(e) => loaded.problem = Some(format!("{}:{e}; using the defaults", path.display())),
        }
        loaded
    }

    /// Where the key map came from, and its changes, for `emu keys`.
    pub fn describe(&self) -> String {
        let mut out = keymap::describe();
        write!(out, "\n{}", self.keys.pad.describe()).ok();
        let place = self
            .path
            .as_ref()
            .map_or("(no settings folder)".to_string(), |p| {
                p.display().to_string()
            });
        match (&self.problem, self.found) {
            (Some(problem), _) => writeln!(out, "\nSettings: {problem}"),
            (None, false) => writeln!(out, "\nSettings: none at {place}; the keys above"),
            (None, true) if self.keys.changes.is_empty() => {
                writeln!(out, "\nSettings: {place}, with no key changes")
            }
            (None, true) => writeln!(out, "\nSettings: {place} changes these keys:"),
        }
        .ok();
        for (name, target) in &self.keys.changes {
            writeln!(out, "{name:<14} {target}").ok();
        }
        out
    }
}

/// Reads settings text; the error is `LINE:COL: what` (the position of what is wrong).
fn parse(text: &str) -> Result<(Settings, KeyMap), String> {
    // `scale: 3` rather than `scale: Some(3)`: the file is for people.
    let settings: Settings = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| format!("{}:{}: {}", e.position.line, e.position.col, e.code))?;
    let at = |what: &str| position(text, &format!("\"{what}\""));
    if let Some(scale) = settings.scale.filter(|s| !(1..=8).contains(s)) {
        return Err(format!(
            "{}: scale {scale}: give 1 to 8",
            position(text, "scale")
        ));
    }
    if let Some(speed) = settings.speeds.iter().flatten().find(|&&s| s > 1000) {
        return Err(format!(
            "{}: speed {speed}%: give 1 to 1000, or 0 for as fast as the host can",
            position(text, "speeds")
        ));
    }
    let mut keys = KeyMap::default();
    for (name, target) in &settings.keys {
        let (ctrl, key) =
            host_key(name).ok_or_else(|| format!("{}: no host key named {name:?}", at(name)))?;
        let target_value = binding(target, &at)?;
        if ctrl && matches!(target_value, Binding::Cx(_)) {
            return Err(format!(
                "{}: a Ctrl chord cannot press a CX key (the CX has its own ctrl)",
                at(name)
            ));
        }
        keys.overrides.insert((ctrl, key), target_value);
        keys.changes.push((name.clone(), target.clone()));
    }
    for (name, target) in &settings.buttons {
        let button = gamepad::button_named(name).ok_or_else(|| {
            format!(
                "{}: no gamepad button named {name:?} (gilrs's names: South, East, West, \
                 North, DPadUp, LeftTrigger, LeftTrigger2, Start, Select, Mode...)",
                at(name)
            )
        })?;
        keys.pad.set(button, binding(target, &at)?);
        keys.changes.push((name.clone(), target.clone()));
    }
    for (name, what) in &settings.sticks {
        let side = Side::named(name).ok_or_else(|| {
            format!(
                "{}: no gamepad stick named {name:?} (Left or Right)",
                at(name)
            )
        })?;
        let what_value = stick::Use::named(what).ok_or_else(|| {
            format!(
                "{}: a stick does arrows, touchpad or none, not {what:?}",
                at(what)
            )
        })?;
        keys.pad.set_stick(side, what_value);
        keys.changes.push((format!("{name} stick"), what.clone()));
    }
    Ok((settings, keys))
}

/// What `name` binds a host key or a pad's button to; the error says where (`at`) it is.
fn binding(name: &str, at: &dyn Fn(&str) -> String) -> Result<Binding, String> {
    Binding::from_name(name).ok_or_else(|| {
        format!(
            "{}: {name:?} is neither a CX key, an action nor none",
            at(name)
        )
    })
}

/// `line:col` of the first `needle` in `text` (1-based, as RON's errors count).
fn position(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or(0);
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{line}:{col}")
}

/// Every host key minifb reports.
#[rustfmt::skip]
const ALL_KEYS: &[Key] = &[
    Key::Key0, Key::Key1, Key::Key2, Key::Key3, Key::Key4, Key::Key5, Key::Key6, Key::Key7,
    Key::Key8, Key::Key9, Key::A, Key::B, Key::C, Key::D, Key::E, Key::F, Key::G, Key::H,
    Key::I, Key::J, Key::K, Key::L, Key::M, Key::N, Key::O, Key::P, Key::Q, Key::R, Key::S,
    Key::T, Key::U, Key::V, Key::W, Key::X, Key::Y, Key::Z, Key::F1, Key::F2, Key::F3,
    Key::F4, Key::F5, Key::F6, Key::F7, Key::F8, Key::F9, Key::F10, Key::F11, Key::F12,
    Key::F13, Key::F14, Key::F15, Key::Down, Key::Left, Key::Right, Key::Up, Key::Apostrophe,
    Key::Backquote, Key::Backslash, Key::Comma, Key::Equal, Key::LeftBracket, Key::Minus,
    Key::Period, Key::RightBracket, Key::Semicolon, Key::Slash, Key::Backspace, Key::Delete,
    Key::End, Key::Enter, Key::Escape, Key::Home, Key::Insert, Key::Menu, Key::PageDown,
    Key::PageUp, Key::Pause, Key::Space, Key::Tab, Key::NumLock, Key::CapsLock,
    Key::ScrollLock, Key::LeftShift, Key::RightShift, Key::LeftCtrl, Key::RightCtrl,
    Key::NumPad0, Key::NumPad1, Key::NumPad2, Key::NumPad3, Key::NumPad4, Key::NumPad5,
    Key::NumPad6, Key::NumPad7, Key::NumPad8, Key::NumPad9, Key::NumPadDot, Key::NumPadSlash,
    Key::NumPadAsterisk, Key::NumPadMinus, Key::NumPadPlus, Key::NumPadEnter, Key::LeftAlt,
    Key::RightAlt, Key::LeftSuper, Key::RightSuper,
];

/// A host key by name, with `Ctrl+` in front for a chord.
fn host_key(name: &str) -> Option<(bool, Key)> {
    let (ctrl, name) = match name.strip_prefix("Ctrl+") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let key = ALL_KEYS
        .iter()
        .find(|&&key| format!("{key:?}") == name || keymap::host_name(key) == name)?;
    Some((ctrl, *key))
}

/// The host keys as the defaults and the settings make them.
#[derive(Default, Debug)]
pub struct KeyMap {
    overrides: HashMap<(bool, Key), Binding>,
    /// The settings' lines, as written, for `emu keys`.
    changes: Vec<(String, String)>,
    /// What each gamepad button and stick does.
    pub pad: PadMap,
}

impl KeyMap {
    /// The action of `key` (pressed with Ctrl if `ctrl`), if any.
    pub fn action(&self, key: Key, ctrl: bool) -> Option<Action> {
        match self.overrides.get(&(ctrl, key)) {
            Some(Binding::Action(action)) => Some(*action),
            Some(_) => None,
            None if ctrl => keymap::ctrl_action(key),
            None => keymap::action(key),
        }
    }

    /// The CX key `key` presses, if any (running an Ndless program if `ndless`).
    pub fn cx_key(&self, key: Key, ndless: bool) -> Option<CxKey> {
        match self.overrides.get(&(false, key)) {
            Some(Binding::Cx(cx)) => Some(*cx),
            Some(_) => None,
            None => keymap::cx_key_in(key, ndless),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's keys, scale, keypad, speeds, slots and rewind are read; keys change the map
    /// as they say, and the rest of the map is the default.
    #[test]
    fn a_settings_file_changes_what_it_names() {
        let text = r#"(
            keys: {"Q": "enter", "F6": "none", "Key1": "pause", "Ctrl+S": "save-slot",
                   "keypad 5": "slot-5"},
            buttons: {"South": "ctrl", "Start": "none", "DPadUp": "n5", "LeftThumb": "rewind",
                      "C": "slot-2"},
            sticks: {"Left": "touchpad", "Right": "none"},
            scale: 3, keypad: false, speeds: [50, 100, 0], slots: "/tmp/slots", rewind: true,
        )"#;
        let (settings, keys) = parse(text).unwrap();
        assert_eq!(settings.scale, Some(3));
        assert_eq!(settings.keypad, Some(false));
        assert_eq!(settings.speeds, Some(vec![50, 100, 0]));
        assert_eq!(settings.slots, Some(PathBuf::from("/tmp/slots")));
        assert!(settings.rewind);
        assert_eq!(keys.cx_key(Key::Q, false), CxKey::from_name("enter"));
        assert_eq!(keys.cx_key(Key::F6, false), None);
        assert_eq!(keys.cx_key(Key::Key1, false), None);
        assert_eq!(keys.action(Key::Key1, false), Some(Action::Pause));
        assert_eq!(keys.action(Key::S, true), Some(Action::SaveSlot));
        assert_eq!(keys.cx_key(Key::S, false), CxKey::from_name("as"));
        assert_eq!(
            keys.action(Key::NumPad5, false),
            Some(Action::ChooseSlot(5))
        );
        assert_eq!(keys.action(Key::F1, true), Some(Action::SaveSlot));
        assert_eq!(keys.cx_key(Key::A, false), CxKey::from_name("aa"));
        use gilrs::Button;
        let pad = &keys.pad;
        let cx = |name| Binding::Cx(CxKey::from_name(name).unwrap());
        assert_eq!(pad.binding(Button::South, false), cx("ctrl"));
        assert_eq!(pad.binding(Button::Start, false), Binding::Nothing);
        assert_eq!(pad.binding(Button::DPadUp, true), cx("n5"));
        assert_eq!(pad.binding(Button::East, false), cx("esc"));
        assert_eq!(
            pad.binding(Button::LeftThumb, false),
            Binding::Action(Action::Rewind)
        );
        assert_eq!(
            pad.binding(Button::C, false),
            Binding::Action(Action::ChooseSlot(2))
        );
        assert_eq!(pad.stick(Side::Left), stick::Use::Touchpad);
        assert_eq!(pad.stick(Side::Right), stick::Use::Nothing);
        let text = Loaded {
            settings,
            keys,
            path: Some(PathBuf::from("/tmp/settings.ron")),
            found: true,
            problem: None,
        }
        .describe();
        assert!(text.contains("\nLeftThumb       rewind\n"), "{text}");
        assert!(text.contains("\nLeft            touchpad: "), "{text}");
        assert!(text.contains("\nRight           none\n"), "{text}");
        assert!(text.contains("\nLeft stick     touchpad\n"), "{text}");
    }

    /// What cannot be used is said with its line and column: RON's own errors, and names
    /// that RON reads but that mean nothing here.
    #[test]
    fn mistakes_give_their_line_and_column() {
        let cases = [
            (
                "(scale: 2,\n  colour: 3)",
                "2:9: Unexpected field named `colour`",
            ),
            ("(scale: 2,\n speeds: [1,)", "2:13: "),
            (
                "(keys: {\n  \"Hyper\": \"aa\"})",
                "2:3: no host key named \"Hyper\"",
            ),
            (
                "(keys: {\"A\":\n \"nothing\"})",
                "2:2: \"nothing\" is neither",
            ),
            ("(keys: {\"Ctrl+A\": \"ab\"})", "1:9: a Ctrl chord cannot"),
            ("(\n scale: 9)", "2:2: scale 9: give 1 to 8"),
            (
                "(keys: {\"A\": \"ab\"},\n buttons: {\"Triangle\": \"ab\"})",
                "2:12: no gamepad button named \"Triangle\"",
            ),
            (
                "(buttons: {\"C\":\n  \"xyz\"})",
                "2:3: \"xyz\" is neither a CX key, an action nor none",
            ),
            (
                "(buttons: {\"C\": \"slot-11\"})",
                "1:17: \"slot-11\" is neither",
            ),
            (
                "(scale: 2,\n sticks: {\"Middle\": \"arrows\"})",
                "2:11: no gamepad stick named \"Middle\" (Left or Right)",
            ),
            (
                "(sticks: {\n \"Left\": \"mouse\"})",
                "2:10: a stick does arrows, touchpad or none, not \"mouse\"",
            ),
            ("(sticks: [\"Left\"])", "1:10: "),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }

    /// The README's example settings file is read as it is, its keys, buttons and sticks too.
    #[test]
    fn the_readmes_example_is_read() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("```ron file=settings.ron\n").unwrap();
        let block = &readme[start..].split_once('\n').unwrap().1;
        let text = &block[..block.find("```").unwrap()];
        let (settings, keys) = parse(text).unwrap();
        assert!(
            !settings.keys.is_empty()
                && !settings.buttons.is_empty()
                && !settings.sticks.is_empty(),
            "{text}"
        );
        assert_eq!(
            keys.changes.len(),
            settings.keys.len() + settings.buttons.len() + settings.sticks.len()
        );
    }

    /// A missing file is the defaults with no problem; a bad one is the defaults with one line
    /// naming the file, its line and column.
    #[test]
    fn files_missing_or_bad_give_the_defaults() {
        let dir = std::env::temp_dir().join(format!("emu-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("settings.ron");
        let missing = Loaded::from_file(&path);
        assert!(!missing.found && missing.problem.is_none());
        std::fs::write(&path, "(scale: 3,\n keys: {\"A\": 7})").unwrap();
        let bad = Loaded::from_file(&path);
        let problem = bad.problem.unwrap();
        assert!(
            problem.starts_with(&format!("{}:2:", path.display())),
            "{problem}"
        );
        assert!(problem.ends_with("; using the defaults"), "{problem}");
        assert_eq!(bad.settings.scale, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
