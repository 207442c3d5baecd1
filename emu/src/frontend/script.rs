//! Scripted key presses (`--keys SCRIPT`), for runs that must see the same input every time.
//!
//! The format: one event a line, `FRAME press KEY` or `FRAME release KEY`, where FRAME counts
//! frames of the machine's time from 0 (a frame is 1/60 s: see [`super::session`]) and KEY is a
//! name from `emu keys` (`devices::keypad::KEYS`, and `on`). An event applies when its frame
//! starts, before the frame runs. `#` starts a comment; blank lines are ignored. Frames must
//! not decrease from one line to the next, so a script reads in time order.

use std::fmt;

use super::keymap::CxKey;

/// One scripted key event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    pub frame: u64,
    pub key: CxKey,
    pub pressed: bool,
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
            let [frame, verb, name] = words[..] else {
                if words.is_empty() {
                    continue;
                }
                return Err(fail(format!(
                    "expected `FRAME press KEY` or `FRAME release KEY`, found `{}`",
                    line.trim()
                )));
            };
            let frame: u64 = frame
                .parse()
                .map_err(|_| fail(format!("`{frame}` is not a frame number")))?;
            let pressed = match verb {
                "press" => true,
                "release" => false,
                _ => return Err(fail(format!("`{verb}` is neither `press` nor `release`"))),
            };
            let key = CxKey::from_name(name).ok_or_else(|| {
                fail(format!(
                    "no key named `{name}` (`emu keys` lists the names)"
                ))
            })?;
            if let Some(last) = events.last() {
                if frame < last.frame {
                    return Err(fail(format!(
                        "frame {frame} comes before the previous line's frame {}",
                        last.frame
                    )));
                }
            }
            events.push(KeyEvent {
                frame,
                key,
                pressed,
            });
        }
        Ok(Script { events })
    }

    /// The script as `parse` reads it, one event a line.
    pub fn to_text(&self) -> String {
        self.events
            .iter()
            .map(|e| {
                let verb = if e.pressed { "press" } else { "release" };
                format!("{} {verb} {}\n", e.frame, e.key.name())
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
                KeyEvent {
                    frame: 10,
                    key: menu,
                    pressed: true
                },
                KeyEvent {
                    frame: 12,
                    key: menu,
                    pressed: false
                },
                KeyEvent {
                    frame: 12,
                    key: CxKey::On,
                    pressed: true
                },
            ]
        );
    }

    /// Every key's name reads back as that key, and a script written out reads back the same.
    #[test]
    fn scripts_are_written_as_they_are_read() {
        let mut events = Vec::new();
        let keys = devices::keypad::KEYS.iter().flatten().flatten();
        for (frame, name) in keys.chain(["on"].iter()).enumerate() {
            let key = CxKey::from_name(name).unwrap();
            assert_eq!(key.name(), *name);
            events.push(KeyEvent {
                frame: frame as u64 / 2,
                key,
                pressed: frame % 3 != 0,
            });
        }
        let script = Script { events };
        assert_eq!(Script::parse(&script.to_text()).unwrap(), script);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("1 press aa\nten press ab\n", 2, "not a frame number"),
            ("1 push aa\n", 1, "neither"),
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
