//! The TI-Nspire CX's keypad drawn beside the LCD: every key in its place with its legend, the
//! touchpad above them, the keys held lit; and which key or touchpad point a pointer is on.
//!
//! The places follow the CX's face (as Firebird's keypad, `qml/Keypad.qml`, places them):
//! the touchpad at the top between esc, scratchpad and tab on its left and on, doc and menu on
//! its right; below it ctrl, shift, var and del; the paired keys down each side (= trig, ^ x²,
//! eˣ 10ˣ, ( ) on the left; templates catalogue, × ÷, + − and enter on the right) around the
//! digits; the letters in four rows of nine at the bottom. A legend is what the key shows,
//! spelt in ASCII where it is a symbol or a picture (x², the catalogue's book).
//!
//! The panel is laid out on a grid of [`UNITS`]: at the window's default scale (2) a unit is a
//! pixel; the panel stretches with the window.

use devices::touchpad::{self, Touch};

use super::canvas::{Canvas, Rect};
use super::keymap::{CxKey, PadKey};
use crate::font::Font;

/// The panel's size in its own units.
pub const UNITS: (i32, i32) = (400, 480);

/// How a key looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    /// Dark with a white legend: most keys.
    Dark,
    /// Light with a dark legend: the digits, the point and (-).
    Light,
    /// The ctrl key's blue.
    Ctrl,
}

/// A key on the panel: its name (as `CxKey::from_name` takes it), its legend, its place in
/// units, and its look.
struct Cap {
    name: &'static str,
    legend: &'static str,
    at: Rect,
    look: Look,
}

const fn cap(name: &'static str, legend: &'static str, at: Rect, look: Look) -> Cap {
    Cap {
        name,
        legend,
        at,
        look,
    }
}

/// The three keys each side of the touchpad.
const fn side(column: i32, row: i32, name: &'static str, legend: &'static str) -> Cap {
    cap(
        name,
        legend,
        Rect::new(8 + 324 * column, 14 + 48 * row, 60, 32),
        Look::Dark,
    )
}

/// The keys' rows of the middle block, from the row of ctrl: y.
const fn middle_y(row: i32) -> i32 {
    166 + 34 * row
}

/// A key of a pair, down the left (`right` false) or right side, `second` the pair's right one.
const fn pair(
    right: bool,
    row: i32,
    second: bool,
    name: &'static str,
    legend: &'static str,
) -> Cap {
    let x = 8 + 276 * right as i32 + 56 * second as i32;
    cap(
        name,
        legend,
        Rect::new(x, middle_y(row), 52, 28),
        Look::Dark,
    )
}

/// A key of the digits' block: column 0 to 2, row 1 to 4.
const fn digit(column: i32, row: i32, name: &'static str, legend: &'static str, look: Look) -> Cap {
    cap(
        name,
        legend,
        Rect::new(128 + 50 * column, middle_y(row), 44, 28),
        look,
    )
}

/// A key of the letters' rows: column 0 to 8, row 0 to 3, `span` columns wide.
const fn letter(column: i32, row: i32, span: i32, name: &'static str, legend: &'static str) -> Cap {
    cap(
        name,
        legend,
        Rect::new(8 + 43 * column, 344 + 32 * row, 43 * span - 4, 28),
        Look::Dark,
    )
}

/// Every key of the CX, in rows from the top.
#[rustfmt::skip]
const CAPS: [Cap; 70] = [
    side(0, 0, "esc", "esc"), side(0, 1, "pad", "pad"), side(0, 2, "tab", "tab"),
    side(1, 0, "on", "on"), side(1, 1, "doc", "doc"), side(1, 2, "menu", "menu"),
    cap("ctrl", "ctrl", Rect::new(8, 166, 60, 28), Look::Ctrl),
    // shift and var share the digits' three columns above them, wide enough for "shift".
    cap("shift", "shift", Rect::new(128, 166, 66, 28), Look::Dark),
    cap("var", "var", Rect::new(206, 166, 66, 28), Look::Dark),
    cap("del", "del", Rect::new(332, 166, 60, 28), Look::Dark),
    pair(false, 1, false, "equ", "="), pair(false, 1, true, "trig", "trig"),
    pair(false, 2, false, "pow", "^"), pair(false, 2, true, "squ", "x^2"),
    pair(false, 3, false, "exp", "e^x"), pair(false, 3, true, "pow10", "10^x"),
    pair(false, 4, false, "pleft", "("), pair(false, 4, true, "pright", ")"),
    pair(true, 1, false, "metrix", "tmpl"), pair(true, 1, true, "cat", "cat"),
    pair(true, 2, false, "mult", "*"), pair(true, 2, true, "div", "/"),
    pair(true, 3, false, "plus", "+"), pair(true, 3, true, "minus", "-"),
    cap("enter", "enter", Rect::new(284, middle_y(4), 108, 28), Look::Dark),
    digit(0, 1, "n7", "7", Look::Light), digit(1, 1, "n8", "8", Look::Light),
    digit(2, 1, "n9", "9", Look::Light),
    digit(0, 2, "n4", "4", Look::Light), digit(1, 2, "n5", "5", Look::Light),
    digit(2, 2, "n6", "6", Look::Light),
    digit(0, 3, "n1", "1", Look::Light), digit(1, 3, "n2", "2", Look::Light),
    digit(2, 3, "n3", "3", Look::Light),
    digit(0, 4, "n0", "0", Look::Light), digit(1, 4, "dot", ".", Look::Light),
    digit(2, 4, "neg", "(-)", Look::Light),
    letter(0, 0, 1, "ee", "EE"), letter(1, 0, 1, "aa", "A"), letter(2, 0, 1, "ab", "B"),
    letter(3, 0, 1, "ac", "C"), letter(4, 0, 1, "ad", "D"), letter(5, 0, 1, "ae", "E"),
    letter(6, 0, 1, "af", "F"), letter(7, 0, 1, "ag", "G"), letter(8, 0, 1, "punct", "?!>"),
    letter(0, 1, 1, "pi", "pi"), letter(1, 1, 1, "ah", "H"), letter(2, 1, 1, "ai", "I"),
    letter(3, 1, 1, "aj", "J"), letter(4, 1, 1, "ak", "K"), letter(5, 1, 1, "al", "L"),
    letter(6, 1, 1, "am", "M"), letter(7, 1, 1, "an", "N"), letter(8, 1, 1, "flag", "flag"),
    letter(0, 2, 1, "comma", ","), letter(1, 2, 1, "ao", "O"), letter(2, 2, 1, "ap", "P"),
    letter(3, 2, 1, "aq", "Q"), letter(4, 2, 1, "ar", "R"), letter(5, 2, 1, "as", "S"),
    letter(6, 2, 1, "at", "T"), letter(7, 2, 1, "au", "U"), letter(8, 2, 1, "ret", "ret"),
    letter(0, 3, 1, "av", "V"), letter(1, 3, 1, "aw", "W"), letter(2, 3, 1, "ax", "X"),
    letter(3, 3, 1, "ay", "Y"), letter(4, 3, 1, "az", "Z"), letter(5, 3, 2, "space", "space"),
];

/// The touchpad, in units.
const PAD: Rect = Rect::new(96, 8, 208, 148);

/// Colours, 0xRRGGBB.
const BODY: u32 = 0x1C_20_2B;
const DARK: (u32, u32, u32) = (0x33_37_42, 0x5C_62_70, 0xF2_F2_F2);
const LIGHT: (u32, u32, u32) = (0xD9_DC_E0, 0x8E_96_A0, 0x12_12_12);
const CTRL: (u32, u32, u32) = (0x2C_6C_A6, 0x5E_9A_D0, 0xF2_F2_F2);
const LIT: (u32, u32, u32) = (0xF2_C0_1C, 0xFF_FF_FF, 0x12_12_12);
const PAD_FILL: u32 = 0x2A_2F_3A;
const PAD_EDGE: u32 = 0xAE_B6_C0;
const PAD_MARK: u32 = 0x6E_76_84;
const FINGER: u32 = 0x80_80_FF;

/// Where a rectangle of units lies on the panel at `panel` (pixels).
fn place(at: Rect, panel: Rect) -> Rect {
    let x = |u: i32| panel.x + u * panel.w / UNITS.0;
    let y = |u: i32| panel.y + u * panel.h / UNITS.1;
    Rect::new(
        x(at.x),
        y(at.y),
        x(at.x + at.w) - x(at.x),
        y(at.y + at.h) - y(at.y),
    )
}

/// The font for `legend` on a key of `rect` on a panel of `panel` pixels: glyph pixels of
/// two units at most, smaller for a legend that would not fit the key; at least one pixel.
fn legend_font(legend: &str, rect: Rect, panel: Rect) -> Font {
    let chars = legend.chars().count() as i32;
    let largest = (2 * panel.h / UNITS.1).max(1);
    let fits = |scale: &i32| chars * 6 * scale <= rect.w - 2 * scale;
    Font::plain((1..=largest).rev().find(fits).unwrap_or(1))
}

/// Draws the keypad on the panel at `panel`: the keys `held` lit, the touchpad with the
/// finger `touch` (when it is on the pad) and the pad's arrows held.
pub fn draw(canvas: &mut Canvas, panel: Rect, held: &dyn Fn(CxKey) -> bool, touch: Option<Touch>) {
    canvas.fill(panel, BODY);
    for cap in &CAPS {
        let lit = CxKey::from_name(cap.name).is_some_and(held);
        let (fill, edge, ink) = match (lit, cap.look) {
            (true, _) => LIT,
            (false, Look::Dark) => DARK,
            (false, Look::Light) => LIGHT,
            (false, Look::Ctrl) => CTRL,
        };
        let rect = place(cap.at, panel);
        canvas.key(rect, fill, edge);
        let font = legend_font(cap.legend, rect, panel);
        canvas.centred_text(cap.legend, &font, rect, ink);
    }
    draw_pad(canvas, panel, held, touch);
}

/// The touchpad: its frame, a mark for its middle, its arrows (lit when held), the finger.
fn draw_pad(canvas: &mut Canvas, panel: Rect, held: &dyn Fn(CxKey) -> bool, touch: Option<Touch>) {
    let pad = place(PAD, panel);
    canvas.key(pad, PAD_FILL, PAD_EDGE);
    let middle = Rect::new(PAD.x + 80, PAD.y + 50, 48, 48);
    let click = held(CxKey::Pad(PadKey::Click));
    canvas.outline(place(middle, panel), if click { LIT.0 } else { PAD_MARK });
    let arrows = [
        (PadKey::Up, "^", Rect::new(PAD.x + 92, PAD.y + 6, 24, 24)),
        (
            PadKey::Down,
            "v",
            Rect::new(PAD.x + 92, PAD.y + 118, 24, 24),
        ),
        (PadKey::Left, "<", Rect::new(PAD.x + 6, PAD.y + 62, 24, 24)),
        (
            PadKey::Right,
            ">",
            Rect::new(PAD.x + 178, PAD.y + 62, 24, 24),
        ),
    ];
    for (key, mark, at) in arrows {
        let colour = if held(CxKey::Pad(key)) {
            LIT.0
        } else {
            PAD_MARK
        };
        let rect = place(at, panel);
        canvas.centred_text(mark, &legend_font(mark, rect, panel), rect, colour);
    }
    if let Some(touch) = touch.filter(|t| t.contact) {
        // The pad's y grows upwards (touchpad.rs).
        let ux =
            PAD.x + i32::from(touch.x.min(touchpad::WIDTH)) * PAD.w / i32::from(touchpad::WIDTH);
        let uy = PAD.y + PAD.h
            - i32::from(touch.y.min(touchpad::HEIGHT)) * PAD.h / i32::from(touchpad::HEIGHT);
        let colour = if touch.pressed { LIT.0 } else { FINGER };
        canvas.fill(place(Rect::new(ux - 6, uy - 6, 12, 12), panel), colour);
    }
}

/// The key at the point (x, y) of the window, on the panel at `panel`.
pub fn key_at(panel: Rect, (x, y): (i32, i32)) -> Option<CxKey> {
    CAPS.iter()
        .find(|cap| place(cap.at, panel).contains(x, y))
        .and_then(|cap| CxKey::from_name(cap.name))
}

/// Where the point (x, y) of the window touches the touchpad drawn on the panel at `panel`,
/// in the pad's coordinates, if it is on it.
pub fn pad_point(panel: Rect, (x, y): (i32, i32)) -> Option<(u16, u16)> {
    let pad = place(PAD, panel);
    pad.contains(x, y).then(|| pad_fraction(pad, (x, y)))
}

/// The point (x, y) in `area` as a point of the touchpad: the area's left edge the pad's, its
/// bottom the pad's.
pub fn pad_fraction(area: Rect, (x, y): (i32, i32)) -> (u16, u16) {
    let along = |at: i32, start: i32, size: i32, max: u16| {
        let fraction = f64::from(at - start) / f64::from(size.max(1));
        (fraction.clamp(0.0, 1.0) * f64::from(max)).round() as u16
    };
    let px = along(x, area.x, area.w, touchpad::WIDTH);
    let py = touchpad::HEIGHT - along(y, area.y, area.h, touchpad::HEIGHT);
    (px, py)
}

#[cfg(test)]
mod tests {
    use super::*;
    use devices::keypad;

    /// Every key of the matrix is on the panel once, with the ON key; no two keys overlap, and
    /// none overlaps the touchpad or leaves the panel.
    #[test]
    fn every_key_is_on_the_panel_once_and_apart() {
        for name in keypad::KEYS.iter().flatten().flatten() {
            let count = CAPS.iter().filter(|c| c.name == *name).count();
            assert_eq!(count, 1, "{name}");
        }
        let whole = Rect::new(0, 0, UNITS.0, UNITS.1);
        let overlap = |a: &Rect, b: &Rect| {
            a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
        };
        for (i, a) in CAPS.iter().enumerate() {
            assert!(CxKey::from_name(a.name).is_some(), "{}", a.name);
            let inside = a.at.x >= 0 && a.at.y >= 0;
            assert!(inside && a.at.x + a.at.w <= whole.w && a.at.y + a.at.h <= whole.h);
            assert!(!overlap(&a.at, &PAD), "{} on the pad", a.name);
            for b in &CAPS[i + 1..] {
                assert!(!overlap(&a.at, &b.at), "{} and {}", a.name, b.name);
            }
        }
    }

    /// A point finds the key drawn there at any panel size; the pad's corners map to its own.
    #[test]
    fn points_find_keys_and_the_touchpad() {
        for panel in [Rect::new(640, 0, 400, 480), Rect::new(10, 20, 200, 240)] {
            for cap in &CAPS {
                let r = place(cap.at, panel);
                let middle = (r.x + r.w / 2, r.y + r.h / 2);
                assert_eq!(key_at(panel, middle), CxKey::from_name(cap.name));
            }
            let pad = place(PAD, panel);
            assert_eq!(key_at(panel, (pad.x + 1, pad.y + 1)), None);
            assert_eq!(
                pad_point(panel, (pad.x, pad.y)),
                Some((0, touchpad::HEIGHT))
            );
            let corner = (pad.x + pad.w - 1, pad.y + pad.h - 1);
            let (x, y) = pad_point(panel, corner).unwrap();
            let near = |size: u16| size / 50;
            assert!(x > touchpad::WIDTH - near(touchpad::WIDTH), "{x}");
            assert!(y < near(touchpad::HEIGHT), "{y}");
            assert_eq!(pad_point(panel, (pad.x - 1, pad.y)), None);
        }
    }
}
