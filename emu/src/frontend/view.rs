//! What the window shows, and where: the LCD, the keypad beside it (unless hidden), a status
//! line along the bottom, and the overlay's note on the LCD.
//!
//! The LCD and the keypad keep their shape whatever the window's size: they grow by whole
//! multiples of the LCD's pixels while they fit (each LCD pixel a square of the same number of
//! window pixels), are centred, and the rest of the window is black (letterboxed). A window
//! too small for one multiple shrinks them instead, still in shape.

use devices::pl111::{HEIGHT, WIDTH};
use devices::touchpad::Touch;

use super::canvas::{Canvas, Rect};
use super::keymap::CxKey;
use super::keypad_view;
use super::overlay::Note;
use super::slots::{THUMB_HEIGHT, THUMB_WIDTH};
use crate::font::Font;

/// The keypad's width beside the LCD, in LCD pixels (its height is the LCD's).
const PANEL_WIDTH: usize = 200;
/// The status line's height, in window pixels: a line of the font at scale 1 and a pixel above
/// and below.
pub const STATUS_HEIGHT: usize = 13;
const STATUS_BACK: u32 = 0x10_12_18;
const STATUS_INK: u32 = 0xC8_CC_D4;

/// Where the parts of the window lie, for a window of a size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub size: (usize, usize),
    pub lcd: Rect,
    /// The keypad, if shown.
    pub panel: Option<Rect>,
    pub status: Rect,
}

/// The window's size for LCD pixels of `scale` window pixels each way.
pub fn window_size(scale: usize, keypad: bool) -> (usize, usize) {
    let width = WIDTH + if keypad { PANEL_WIDTH } else { 0 };
    (width * scale, HEIGHT * scale + STATUS_HEIGHT)
}

/// The parts of a window of `size` pixels, the keypad shown or not.
pub fn layout(size: (usize, usize), keypad: bool) -> Layout {
    let (width, height) = (size.0 as i64, size.1 as i64);
    let room_h = (height - STATUS_HEIGHT as i64).max(1);
    let content_w = (WIDTH + if keypad { PANEL_WIDTH } else { 0 }) as i64;
    let content_h = HEIGHT as i64;
    // Whole multiples where one fits; else the largest fraction that fits, in shape.
    let whole = (width / content_w).min(room_h / content_h);
    let (num, den) = if whole >= 1 {
        (whole, 1)
    } else if width * content_h <= room_h * content_w {
        (width, content_w)
    } else {
        (room_h, content_h)
    };
    let (w, h) = (content_w * num / den, content_h * num / den);
    let (x, y) = ((width - w) / 2, (room_h - h) / 2);
    let lcd_w = WIDTH as i64 * num / den;
    let lcd = Rect::new(x as i32, y as i32, lcd_w as i32, h as i32);
    let panel =
        keypad.then(|| Rect::new((x + lcd_w) as i32, y as i32, (w - lcd_w) as i32, h as i32));
    let status = Rect::new(0, room_h as i32, width as i32, STATUS_HEIGHT as i32);
    Layout {
        size,
        lcd,
        panel,
        status,
    }
}

/// What a picture of the window shows, besides the LCD.
pub struct Scene<'a> {
    /// Whether a CX key is held.
    pub held: &'a dyn Fn(CxKey) -> bool,
    /// The touchpad's finger.
    pub touch: Option<Touch>,
    /// The status line's text.
    pub status: &'a str,
    /// The note over the LCD, if any.
    pub note: Option<Note<'a>>,
    /// A save-state slot's thumbnail (`slots::THUMB_WIDTH` pixels wide), shown in the LCD's
    /// top right corner while the slot is being chosen.
    pub thumbnail: Option<&'a [u32]>,
}

/// Draws the window of `layout` into `pixels` (`layout.size`): the LCD's picture `lcd`, and
/// what `scene` says.
pub fn draw(pixels: &mut [u32], layout: &Layout, lcd: &[u32], scene: &Scene) {
    let mut canvas = Canvas::new(pixels, layout.size.0, layout.size.1);
    let whole = Rect::new(0, 0, layout.size.0 as i32, layout.size.1 as i32);
    canvas.fill(whole, 0);
    canvas.picture(lcd, WIDTH, layout.lcd);
    if let Some(panel) = layout.panel {
        keypad_view::draw(&mut canvas, panel, scene.held, scene.touch);
    }
    canvas.fill(layout.status, STATUS_BACK);
    let font = Font::plain(1);
    let at = (layout.status.x + 4, layout.status.y + 1);
    canvas.text(scene.status, &font, at, STATUS_INK, layout.status);
    if let Some(note) = &scene.note {
        note.draw(&mut canvas, layout.lcd);
    }
    if let Some(thumbnail) = scene.thumbnail {
        // As many window pixels per thumbnail pixel as the LCD has per LCD pixel, framed white.
        let scale = (layout.lcd.w / WIDTH as i32).max(1);
        let (w, h) = (THUMB_WIDTH as i32 * scale, THUMB_HEIGHT as i32 * scale);
        let frame = Rect::new(
            layout.lcd.x + layout.lcd.w - w - 4,
            layout.lcd.y + 2,
            w + 2,
            h + 2,
        );
        canvas.fill(frame, 0x00FF_FFFF);
        canvas.picture(
            thumbnail,
            THUMB_WIDTH,
            Rect::new(frame.x + 1, frame.y + 1, w, h),
        );
    }
}

/// What the pointer at (x, y) of the window is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A key of the drawn keypad.
    Key(CxKey),
    /// The touchpad at this point of its own (the drawn one, or the LCD, which stands for it).
    Pad(u16, u16),
    Nothing,
}

/// What the point (x, y) of the window is on.
pub fn target(layout: &Layout, (x, y): (i32, i32)) -> Target {
    if let Some(panel) = layout.panel {
        if let Some(key) = keypad_view::key_at(panel, (x, y)) {
            return Target::Key(key);
        }
        if let Some((px, py)) = keypad_view::pad_point(panel, (x, y)) {
            return Target::Pad(px, py);
        }
    }
    if layout.lcd.contains(x, y) {
        let (px, py) = keypad_view::pad_fraction(layout.lcd, (x, y));
        return Target::Pad(px, py);
    }
    Target::Nothing
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The starting size fits exactly; a larger window grows by whole multiples and centres;
    /// one too small for a multiple shrinks in shape.
    #[test]
    fn the_lcd_keeps_its_shape_and_whole_multiples() {
        let size = window_size(2, true);
        assert_eq!(size, (1040, 493));
        let at_2 = layout(size, true);
        assert_eq!(at_2.lcd, Rect::new(0, 0, 640, 480));
        assert_eq!(at_2.panel, Some(Rect::new(640, 0, 400, 480)));
        assert_eq!(at_2.status, Rect::new(0, 480, 1040, 13));
        // Wider than three LCDs and their keypad, but only two high: letterboxed at 2.
        let wide = layout((1700, 493), true);
        assert_eq!(wide.lcd, Rect::new(330, 0, 640, 480));
        // The keypad hidden: the LCD alone, three times, centred.
        let alone = layout((1040, 733), false);
        assert_eq!(alone.lcd, Rect::new(40, 0, 960, 720));
        assert_eq!(alone.panel, None);
        // Too small for 1: shrunk, 4:3 kept.
        let small = layout((160, 200), false);
        assert_eq!(small.lcd, Rect::new(0, 33, 160, 120));
    }

    /// Any size a person can drag the window to draws, the keypad shown or not.
    #[test]
    fn tiny_and_thin_windows_draw() {
        let lcd = vec![0x00FF_FFFFu32; WIDTH * HEIGHT];
        let thumbnail = vec![0x0000_00FFu32; THUMB_WIDTH * THUMB_HEIGHT];
        let note = Note {
            text: "a note longer than the window is wide",
            alpha: 256,
        };
        for size in [(0, 0), (1, 1), (5, 900), (900, 5), (40, 30), (3000, 14)] {
            for keypad in [false, true] {
                let layout = layout(size, keypad);
                let mut pixels = vec![0u32; size.0 * size.1];
                let scene = Scene {
                    held: &|_| true,
                    touch: None,
                    status: "status",
                    note: Some(note),
                    thumbnail: Some(&thumbnail),
                };
                draw(&mut pixels, &layout, &lcd, &scene);
                let _ = target(&layout, (size.0 as i32 / 2, size.1 as i32 / 2));
            }
        }
    }

    #[test]
    fn the_pointer_finds_keys_the_pad_and_the_lcd() {
        let at_2 = layout(window_size(2, true), true);
        assert_eq!(
            target(&at_2, (0, 0)),
            Target::Pad(0, devices::touchpad::HEIGHT)
        );
        assert_eq!(
            target(&at_2, (640 + 8 + 10, 14 + 10)),
            Target::Key(CxKey::from_name("esc").unwrap())
        );
        assert_eq!(target(&at_2, (639, 490)), Target::Nothing);
    }
}
