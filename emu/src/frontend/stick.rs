//! A gamepad's sticks: one as the arrow keys, one as a finger on the CX's touchpad (or either
//! as either, or nothing; the settings' `sticks`).
//!
//! gilrs gives each stick as two axes from -1 to 1, x to the right and y upwards (it turns
//! evdev's y round), already clear of the pad's own dead zone where SDL's database gives one.
//! A worn stick still rests a little off centre and wavers near a threshold, so each use has
//! a dead zone and hysteresis of its own: an arrow is pressed when its axis passes
//! [`PRESS`] and let go only back under [`RELEASE`]; the finger touches when the stick leaves
//! the circle of [`TOUCH`] and lifts only back inside [`LIFT`]. Each axis presses its own
//! arrow, so a stick pushed into a corner presses two (as the arrow keys and the d-pad do).

use devices::touchpad::{HEIGHT, WIDTH};
use gilrs::Axis;
use minifb::Key;

use super::script::Finger;

/// How far an axis must be pushed to press its arrow.
pub const PRESS: f32 = 0.5;
/// How far back it must come to let go of it.
pub const RELEASE: f32 = 0.3;
/// How far from the centre the stick must be pushed to touch the touchpad.
pub const TOUCH: f32 = 0.25;
/// How near the centre it must come back to lift the finger.
pub const LIFT: f32 = 0.15;

/// One of a pad's two sticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub const ALL: [Side; 2] = [Side::Left, Side::Right];

    /// The stick and the direction (false: x, true: y) of a gilrs axis; None for the
    /// triggers' and the d-pad's axes (gilrs makes the d-pad's buttons).
    pub fn of_axis(axis: Axis) -> Option<(Side, bool)> {
        Some(match axis {
            Axis::LeftStickX => (Side::Left, false),
            Axis::LeftStickY => (Side::Left, true),
            Axis::RightStickX => (Side::Right, false),
            Axis::RightStickY => (Side::Right, true),
            _ => return None,
        })
    }

    /// Its name in the settings file and `emu keys`.
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "Left",
            Side::Right => "Right",
        }
    }

    pub fn named(name: &str) -> Option<Side> {
        Side::ALL.into_iter().find(|side| side.name() == name)
    }
}

/// What a stick does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Presses what the host's arrow keys press.
    Arrows,
    /// Puts a finger on the touchpad where it points.
    Touchpad,
    Nothing,
}

impl Use {
    const NAMES: [(&'static str, Use); 3] = [
        ("arrows", Use::Arrows),
        ("touchpad", Use::Touchpad),
        ("none", Use::Nothing),
    ];

    /// What a stick does when the settings leave it alone: the left stick, under the left
    /// thumb as the d-pad is, the arrows; the right the touchpad.
    pub fn default_for(side: Side) -> Use {
        match side {
            Side::Left => Use::Arrows,
            Side::Right => Use::Touchpad,
        }
    }

    pub fn named(name: &str) -> Option<Use> {
        Use::NAMES.iter().find(|(n, _)| *n == name).map(|&(_, u)| u)
    }

    pub fn name(self) -> &'static str {
        Use::NAMES
            .iter()
            .find(|&&(_, u)| u == self)
            .map_or("?", |(name, _)| name)
    }

    /// What it does, in words, for `emu keys`.
    pub fn describe(self) -> String {
        match self {
            Use::Arrows => format!(
                "arrows: what the arrow keys press, past {}% each way (two in a corner), let \
                 go under {}%",
                percent(PRESS),
                percent(RELEASE)
            ),
            Use::Touchpad => format!(
                "touchpad: a finger where the stick points, past {}% from the centre, lifted \
                 within {}%",
                percent(TOUCH),
                percent(LIFT)
            ),
            Use::Nothing => "none".to_string(),
        }
    }
}

fn percent(fraction: f32) -> u32 {
    (fraction * 100.0).round() as u32
}

/// A stick as it is now: where it points, the arrows it holds, whether it touches.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stick {
    at: [f32; 2],
    /// The arrow held along x and along y: -1 (left, down), 0, 1 (right, up).
    arrows: [i8; 2],
    touching: bool,
}

impl Stick {
    /// The stick after its y axis (or its x) moved to `value`.
    pub fn moved(self, y: bool, value: f32) -> Stick {
        let axis = usize::from(y);
        let mut after = self;
        after.at[axis] = value.clamp(-1.0, 1.0);
        let value = after.at[axis];
        let held = self.arrows[axis];
        let toward = if value > 0.0 { 1 } else { -1 };
        after.arrows[axis] = match held {
            _ if held != 0 && value * f32::from(held) >= RELEASE => held,
            _ if value.abs() >= PRESS => toward,
            _ => 0,
        };
        let [x, y] = after.at;
        let radius = x.hypot(y);
        after.touching = match self.touching {
            true => radius >= LIFT,
            false => radius >= TOUCH,
        };
        after
    }

    /// The arrow keys it holds, as host keys (what they press is the keyboard's arrows').
    pub fn arrows(&self) -> Vec<Key> {
        let mut keys = Vec::new();
        match self.arrows[0] {
            -1 => keys.push(Key::Left),
            1 => keys.push(Key::Right),
            _ => {}
        }
        match self.arrows[1] {
            -1 => keys.push(Key::Down),
            1 => keys.push(Key::Up),
            _ => {}
        }
        keys
    }

    /// The finger it puts on the touchpad: where it points, the pad's centre for the stick's,
    /// its edges for the stick's reach.
    pub fn finger(&self) -> Finger {
        if !self.touching {
            return Finger::Lifted;
        }
        let place = |value: f32, size: u16| ((value + 1.0) / 2.0 * f32::from(size)).round() as u16;
        Finger::Touching {
            x: place(self.at[0], WIDTH),
            y: place(self.at[1], HEIGHT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arrow held after each value of the x axis: L, R, or `.` for none.
    fn along_x(values: &[f32]) -> String {
        let mut stick = Stick::default();
        values
            .iter()
            .map(|&value| {
                stick = stick.moved(false, value);
                match stick.arrows()[..] {
                    [Key::Left] => 'L',
                    [Key::Right] => 'R',
                    [] => '.',
                    _ => '?',
                }
            })
            .collect()
    }

    /// Resting off centre presses nothing; past PRESS the arrow goes down, and stays down
    /// wavering above RELEASE; under it, it is let go, and not pressed again until past PRESS.
    #[test]
    fn an_arrow_has_a_dead_zone_and_hysteresis() {
        assert_eq!(
            along_x(&[0.1, 0.49, 0.5, 0.35, 0.45, 0.31, 0.29, 0.45, 0.49, 0.6, 1.0, 0.0]),
            "..RRRR...RR."
        );
        assert_eq!(along_x(&[-0.2, -0.5, -0.3, -0.29]), ".LL.");
    }

    /// From one side to the other in one event: the one arrow let go, the other pressed; a
    /// value beyond the axis's range is the range's end.
    #[test]
    fn a_stick_thrown_across_changes_its_arrow_at_once() {
        assert_eq!(along_x(&[-1.0, 1.0, 0.2, -7.0]), "LR.L");
    }

    /// Each axis has its own arrow: a corner holds two; y upwards is up.
    #[test]
    fn a_corner_holds_two_arrows() {
        let stick = Stick::default().moved(false, 0.7).moved(true, 0.7);
        assert_eq!(stick.arrows(), [Key::Right, Key::Up]);
        let stick = stick.moved(true, -0.8);
        assert_eq!(stick.arrows(), [Key::Right, Key::Down]);
        let stick = stick.moved(false, 0.0);
        assert_eq!(stick.arrows(), [Key::Down]);
    }

    /// The finger touches once the stick leaves the circle of TOUCH (in any direction),
    /// lifts only inside LIFT, and lies where the stick points: the centre of the pad for
    /// the stick's, its edges and corners for the stick's reach.
    #[test]
    fn the_finger_follows_the_stick_with_hysteresis() {
        let stick = Stick::default().moved(false, 0.2);
        assert_eq!(stick.finger(), Finger::Lifted);
        let stick = stick.moved(true, 0.2);
        // 0.2 each way: 0.28 from the centre, at 60% of the pad's 2328 by 1691 each way.
        assert_eq!(stick.finger(), Finger::Touching { x: 1397, y: 1015 });
        let stick = stick.moved(false, 0.0).moved(true, 0.16);
        assert_eq!(stick.finger(), Finger::Touching { x: 1164, y: 981 });
        let stick = stick.moved(true, 0.14);
        assert_eq!(stick.finger(), Finger::Lifted);
        let stick = stick.moved(true, 0.2);
        assert_eq!(stick.finger(), Finger::Lifted);
        let stick = stick.moved(false, -1.0).moved(true, 1.0);
        assert_eq!(stick.finger(), Finger::Touching { x: 0, y: HEIGHT });
        let stick = stick.moved(false, 1.0).moved(true, -1.0);
        assert_eq!(stick.finger(), Finger::Touching { x: WIDTH, y: 0 });
        let stick = stick.moved(false, 0.0).moved(true, 0.0);
        assert_eq!(stick.finger(), Finger::Lifted);
    }

    #[test]
    fn sides_and_uses_go_by_their_names() {
        for side in Side::ALL {
            assert_eq!(Side::named(side.name()), Some(side));
        }
        for (name, u) in Use::NAMES {
            assert_eq!(Use::named(name), Some(u));
            assert_eq!(u.name(), name);
        }
        assert_eq!(Side::named("left"), None);
        assert_eq!(Use::named("mouse"), None);
        assert_eq!(Side::of_axis(Axis::RightStickY), Some((Side::Right, true)));
        assert_eq!(Side::of_axis(Axis::LeftZ), None);
    }
}
