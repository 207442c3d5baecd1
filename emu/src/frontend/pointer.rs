//! The mouse in the window: a button pressed on a key of the drawn keypad holds that key until
//! it is released (wherever the pointer goes meanwhile); on the drawn touchpad, or on the LCD,
//! which stands for it, the left button touches the pad where the pointer is and the right
//! button pushes it down there. Released, or off the pad, the finger is lifted, or where a
//! gamepad's stick puts it.
//!
//! The window reads each press and release of a button, in order ([`super::clicks`]): a click
//! shorter than a host frame presses the key, or touches the pad, for a frame of the machine's
//! time, as a quick tap of a host key does.

use super::keymap::CxKey;
use super::script::Finger;
use super::view::Target;

/// What the mouse's buttons do now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pointer {
    /// The key a button holds.
    pub key: Option<CxKey>,
    pub finger: Finger,
    /// Whether a button was down.
    down: bool,
}

impl Pointer {
    /// The pointer over `target`, with the left and right buttons as they are now, and
    /// `stick` the finger a gamepad's stick puts on the pad.
    pub fn update(&mut self, target: Target, left: bool, right: bool, stick: Finger) {
        let down = left || right;
        if !down {
            self.key = None;
        } else if !self.down {
            self.key = match target {
                Target::Key(key) => Some(key),
                _ => None,
            };
        }
        self.down = down;
        self.finger = match target {
            Target::Pad(x, y) if down && self.key.is_none() => match right {
                true => Finger::Pushing { x, y },
                false => Finger::Touching { x, y },
            },
            _ => stick,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_held_from_press_to_release_and_the_pad_is_touched_or_pushed() {
        let esc = CxKey::from_name("esc").unwrap();
        let mut pointer = Pointer::default();
        pointer.update(Target::Key(esc), false, false, Finger::Lifted);
        assert_eq!(pointer.key, None);
        pointer.update(Target::Key(esc), true, false, Finger::Lifted);
        assert_eq!(pointer.key, Some(esc));
        // Dragged onto the pad, the key stays held and the pad untouched.
        pointer.update(Target::Pad(5, 6), true, false, Finger::Lifted);
        assert_eq!((pointer.key, pointer.finger), (Some(esc), Finger::Lifted));
        pointer.update(Target::Pad(5, 6), false, false, Finger::Lifted);
        assert_eq!(pointer.key, None);
        pointer.update(Target::Pad(5, 6), true, false, Finger::Lifted);
        assert_eq!(pointer.finger, Finger::Touching { x: 5, y: 6 });
        pointer.update(Target::Pad(7, 8), false, true, Finger::Lifted);
        assert_eq!(pointer.finger, Finger::Pushing { x: 7, y: 8 });
        // Pressed off everything, then moved onto a key: nothing.
        pointer.update(Target::Nothing, false, false, Finger::Lifted);
        pointer.update(Target::Nothing, true, false, Finger::Lifted);
        pointer.update(Target::Key(esc), true, false, Finger::Lifted);
        assert_eq!((pointer.key, pointer.finger), (None, Finger::Lifted));
        // A stick's finger where the mouse puts none: the mouse's comes first.
        let stick = Finger::Touching { x: 9, y: 9 };
        pointer.update(Target::Key(esc), true, false, stick);
        assert_eq!(pointer.finger, stick);
        pointer.update(Target::Pad(1, 2), false, true, stick);
        assert_eq!(pointer.finger, Finger::Pushing { x: 1, y: 2 });
        pointer.update(Target::Pad(1, 2), false, false, stick);
        assert_eq!(pointer.finger, stick);
    }
}
