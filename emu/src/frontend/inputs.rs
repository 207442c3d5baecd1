//! The CX keys and the finger a person (or a key script) holds, given to a machine: the keys
//! of the matrix and the ON key as they are, the touchpad as its keys (the arrows and the
//! click, pressed at its edges and middle) and the finger on it say. Everything goes through
//! [`Machine::set_key`], [`Machine::set_on_key`] and [`Machine::set_touch`], which journal it
//! for reverse execution.
//!
//! A machine that comes back from elsewhere (the monitor ran it, it took a saved state, it
//! went back in time) may hold other keys than the person does: [`give_keys`] gives it the
//! person's again, the changes only, as mGBA applies the keyboard's state when emulation
//! resumes.

use devices::keypad::{COLS, ROWS};
use devices::touchpad::{self, Touch};

use super::keymap::{CxKey, PadKey};
use super::script::Finger;
use crate::machine::Machine;

/// Presses or releases a key of the machine's matrix, or its ON key (the touchpad's keys are
/// [`pad_touch`]'s).
pub(super) fn set_machine_key(machine: &mut Machine, key: CxKey, pressed: bool) {
    match key {
        CxKey::Matrix { row, col } => machine.set_key(row, col, pressed),
        CxKey::On => machine.set_on_key(pressed),
        CxKey::Pad(_) => {}
    }
}

/// Makes the machine's matrix keys and ON key held exactly where `held` says, pressing and
/// releasing only those that differ.
pub(super) fn give_keys(machine: &mut Machine, held: impl Fn(CxKey) -> bool) {
    for row in 0..ROWS {
        for col in 0..COLS {
            let wanted = held(CxKey::Matrix { row, col });
            if machine.board.key_down(row, col) != wanted {
                machine.set_key(row, col, wanted);
            }
        }
    }
    let wanted = held(CxKey::On);
    if machine.board.on_key_down() != wanted {
        machine.set_on_key(wanted);
    }
}

/// What the touchpad reports with the pad's `keys` held and the finger so, `last` being what
/// it reports now: the keys, pressing it at its edges or middle, come first; a lifted finger
/// leaves the last position readable.
pub(super) fn pad_touch(keys: &[PadKey], finger: Finger, last: Touch) -> Touch {
    match finger {
        _ if !keys.is_empty() => pad_key_touch(keys),
        Finger::Lifted => Touch {
            contact: false,
            pressed: false,
            ..last
        },
        Finger::Touching { x, y } => Touch {
            contact: true,
            pressed: false,
            x,
            y,
        },
        Finger::Pushing { x, y } => Touch {
            contact: true,
            pressed: true,
            x,
            y,
        },
    }
}

/// Gives the machine's touchpad `touch` if it reports something else; false without a pad.
pub(super) fn give_touch(machine: &mut Machine, touch: impl FnOnce(Touch) -> Touch) -> bool {
    let Some(last) = machine.board.touchpad().map(|pad| pad.touch()) else {
        return false;
    };
    let wanted = touch(last);
    if wanted != last {
        machine.set_touch(wanted);
    }
    true
}

/// Where the touchpad is pressed for its keys held: an arrow at the middle of its edge, two
/// arrows at a corner, the click (or opposite arrows) in the middle. The spots lie in the
/// outer and middle thirds that libndls's `touchpad_getarrow` tells apart.
fn pad_key_touch(keys: &[PadKey]) -> Touch {
    let has = |key| keys.contains(&key);
    let spot = |low: bool, high: bool, size: u16| match (low, high) {
        (true, false) => size / 6,
        (false, true) => size - size / 6,
        _ => size / 2,
    };
    Touch {
        contact: true,
        pressed: true,
        x: spot(has(PadKey::Left), has(PadKey::Right), touchpad::WIDTH),
        y: spot(has(PadKey::Down), has(PadKey::Up), touchpad::HEIGHT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::busy_machine;

    /// Only the keys that differ are given: the ON key and one key of the matrix held by the
    /// machine, another wanted; afterwards the machine holds exactly the one wanted.
    #[test]
    fn giving_keys_changes_only_what_differs() {
        let mut machine = busy_machine();
        machine.set_key(1, 2, true);
        machine.set_on_key(true);
        let wanted = CxKey::Matrix { row: 3, col: 4 };
        give_keys(&mut machine, |key| key == wanted);
        let down: Vec<(usize, usize)> = (0..ROWS)
            .flat_map(|row| (0..COLS).map(move |col| (row, col)))
            .filter(|&(row, col)| machine.board.key_down(row, col))
            .collect();
        assert_eq!(down, [(3, 4)]);
        assert!(!machine.board.on_key_down());
    }

    /// A touch equal to the pad's is not given again; another is.
    #[test]
    fn a_touch_is_given_when_it_differs() {
        let mut machine = busy_machine();
        let touched = Touch {
            contact: true,
            pressed: false,
            x: 10,
            y: 20,
        };
        assert!(give_touch(&mut machine, |last| Touch {
            contact: true,
            x: 10,
            y: 20,
            ..last
        }));
        assert_eq!(machine.board.touchpad().unwrap().touch(), touched);
        let lifted = pad_touch(&[], Finger::Lifted, touched);
        assert_eq!(
            lifted,
            Touch {
                contact: false,
                ..touched
            }
        );
    }
}
