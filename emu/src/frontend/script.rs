//! Scripted key presses (`--keys SCRIPT`), for runs that must see the same input every time.
//!
//! The format: one event a line, where FRAME counts frames of the machine's time from 0 (a
//! frame is 1/60 s: see [`super::session`]):
//!
//! - `FRAME press KEY`, `FRAME release KEY`: KEY is a name from `emu keys`
//!   (`devices::keypad::KEYS`, `on`, and the touchpad's keys `up`, `down`, `left`, `right`,
//!   `click`: the pad pressed at an edge or in its middle).
//! - `FRAME touch X Y`: a finger on the touchpad at X, Y (the pad's units: X from 0 at the left
//!   to 2328, Y from 0 at the bottom to 1691), `FRAME push X Y`: the pad pushed down there,
//!   `FRAME untouch`: the finger lifted.
//!
//! An event applies when its frame starts, before the frame runs. `#` starts a comment; blank
//! lines are ignored. Frames must not decrease from one line to the next, so a script reads in
//! time order.

use std::fmt;

use devices::touchpad;

use super::keymap::CxKey;

/// One scripted event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    pub frame: u64,
    pub input: Input,
}

/// What an event does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A key pressed or released.
    Key { key: CxKey, pressed: bool },
    /// The finger on the touchpad.
    Finger(Finger),
}

/// A finger on the touchpad, as the mouse or a script moves it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Finger {
    /// Off the pad.
    #[default]
    Lifted,
    /// On the pad at (x, y), the pad's units: x from the left, y from the bottom.
    Touching { x: u16, y: u16 },
    /// Pushing the pad down there: a click, or at an edge an arrow.
    Pushing { x: u16, y: u16 },
}

impl KeyEvent {
    /// A key's event.
    pub fn key(frame: u64, key: CxKey, pressed: bool) -> KeyEvent {
        KeyEvent {
            frame,
            input: Input::Key { key, pressed },
        }
    }
}

/// A parsed script: events in frame order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub events: Vec<KeyEvent>,
}

/// A line the parser could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

impl Script {
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        let mut events: Vec<KeyEvent> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let fail = |message: String| ScriptError {
                line: index + 1,
                message,
            };
            let line = line.split('#').next().unwrap_or("");
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some((frame, words)) = words.split_first() else {
                continue;
            };
            let frame: u64 = frame
                .parse()
                .map_err(|_| fail(format!("`{frame}` is not a frame number")))?;
            let coordinate = |word: &str, max: u16, axis: &str| {
                word.parse::<u16>()
                    .ok()
                    .filter(|&v| v <= max)
                    .ok_or_else(|| {
                        fail(format!(
                            "`{word}` is not a touchpad {axis} (a whole number, 0 to {max})"
                        ))
                    })
            };
            let input = match *words {
                [verb @ ("press" | "release"), name] => {
                    let key = CxKey::from_name(name).ok_or_else(|| {
                        fail(format!(
                            "no key named `{name}` (`emu keys` lists the names)"
                        ))
                    })?;
                    Input::Key {
                        key,
                        pressed: verb == "press",
                    }
                }
                [verb @ ("touch" | "push"), x, y] => {
                    let x = coordinate(x, touchpad::WIDTH, "x")?;
                    let y = coordinate(y, touchpad::HEIGHT, "y")?;
                    Input::Finger(match verb {
                        "touch" => Finger::Touching { x, y },
                        _ => Finger::Pushing { x, y },
                    })
                }
                ["untouch"] => Input::Finger(Finger::Lifted),
                [verb, ..] if !["press", "release", "touch", "push", "untouch"].contains(&verb) => {
                    return Err(fail(format!(
                        "`{verb}` is none of `press`, `release`, `touch`, `push`, `untouch`"
                    )))
                }
                _ => {
                    return Err(fail(format!(
                        "expected `FRAME press KEY`, `FRAME release KEY`, `FRAME touch X Y`, \
                         `FRAME push X Y` or `FRAME untouch`, found `{}`",
                        line.trim()
                    )))
                }
            };
            if let Some(last) = events.last() {
                if frame < last.frame {
                    return Err(fail(format!(
                        "frame {frame} comes before the previous line's frame {}",
                        last.frame
                    )));
                }
            }
            events.push(KeyEvent { frame, input });
        }
        Ok(Script { events })
    }

    /// The script as `parse` reads it, one event a line.
    pub fn to_text(&self) -> String {
        self.events
            .iter()
            .map(|e| {
                let what = match e.input {
                    Input::Key { key, pressed: true } => format!("press {}", key.name()),
                    Input::Key {
                        key,
                        pressed: false,
                    } => format!("release {}", key.name()),
                    Input::Finger(Finger::Touching { x, y }) => format!("touch {x} {y}"),
                    Input::Finger(Finger::Pushing { x, y }) => format!("push {x} {y}"),
                    Input::Finger(Finger::Lifted) => "untouch".to_string(),
                };
                format!("{} {what}\n", e.frame)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events_comments_and_blank_lines() {
        let script = Script::parse(
            "# open the menu\n\n10 press menu   # hold it\n12 release menu\n12 press on\n",
        )
        .unwrap();
        let menu = CxKey::from_name("menu").unwrap();
        assert_eq!(
            script.events,
            vec![
                KeyEvent::key(10, menu, true),
                KeyEvent::key(12, menu, false),
                KeyEvent::key(12, CxKey::On, true),
            ]
        );
    }

    /// Every key's name reads back as that key, and a script written out reads back the same.
    #[test]
    fn scripts_are_written_as_they_are_read() {
        let mut events = Vec::new();
        let keys = devices::keypad::KEYS.iter().flatten().flatten();
        let others = ["on", "up", "down", "left", "right", "click"];
        for (frame, name) in keys.chain(others.iter()).enumerate() {
            let key = CxKey::from_name(name).unwrap();
            assert_eq!(key.name(), *name);
            events.push(KeyEvent::key(frame as u64 / 2, key, frame % 3 != 0));
        }
        for finger in [
            Finger::Touching { x: 0, y: 1691 },
            Finger::Pushing { x: 2328, y: 0 },
            Finger::Lifted,
        ] {
            events.push(KeyEvent {
                frame: 100,
                input: Input::Finger(finger),
            });
        }
        let script = Script { events };
        assert_eq!(Script::parse(&script.to_text()).unwrap(), script);
    }

    /// The touchpad's lines: keys, a finger touching, pushing, lifted.
    #[test]
    fn parses_the_touchpads_lines() {
        let script =
            Script::parse("0 press up\n2 touch 100 200\n3 push 2328 1691\n4 untouch\n").unwrap();
        let inputs: Vec<Input> = script.events.iter().map(|e| e.input).collect();
        assert_eq!(
            inputs,
            [
                Input::Key {
                    key: CxKey::from_name("up").unwrap(),
                    pressed: true
                },
                Input::Finger(Finger::Touching { x: 100, y: 200 }),
                Input::Finger(Finger::Pushing { x: 2328, y: 1691 }),
                Input::Finger(Finger::Lifted),
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("1 press aa\nten press ab\n", 2, "not a frame number"),
            ("1 push aa\n", 1, "expected"),
            ("1 tap aa\n", 1, "none of"),
            (
                "1 touch 2329 0\n",
                1,
                "not a touchpad x (a whole number, 0 to 2328)",
            ),
            ("1 push 0 1692\n", 1, "not a touchpad y"),
            ("1 touch -1 0\n", 1, "not a touchpad x"),
            ("1 untouch 5\n", 1, "expected"),
            ("\n\n1 press nosuchkey\n", 3, "no key named `nosuchkey`"),
            ("1 press\n", 1, "expected"),
            ("1 press aa extra\n", 1, "expected"),
            ("5 press aa\n4 release aa\n", 2, "comes before"),
            ("-1 press aa\n", 1, "not a frame number"),
        ];
        for (text, line, problem) in cases {
            let error = Script::parse(text).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.to_string().contains(problem), "{text:?}: {error}");
        }
    }
}
