//! Feedback on the picture: a short note of what just happened (paused, a screenshot saved,
//! the speed changed, a reset...), drawn on the LCD's top left and fading out, and the text of
//! the status line (the speed, the frame rate, paused, in the monitor).

use std::time::{Duration, Instant};

use super::canvas::{Canvas, Rect};
use super::pace::Speed;
use crate::font::Font;

/// How long a note stays, the last part of it fading.
const SHOWN: Duration = Duration::from_millis(2000);
const FADE: Duration = Duration::from_millis(500);
const BACK: u32 = 0x00_00_00;
const INK: u32 = 0xFF_FF_FF;

/// A note as drawn: its text and how opaque it is (256 is fully).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note<'a> {
    pub text: &'a str,
    pub alpha: u32,
}

impl Note<'_> {
    /// Draws the note on the top left of `lcd`: a dark box, the text in it (a line; what does
    /// not fit the LCD's width is cut).
    pub fn draw(&self, canvas: &mut Canvas, lcd: Rect) {
        let scale = (lcd.h / 240).max(1);
        let font = Font::plain(scale);
        let pad = 3 * scale;
        let chars = self.text.chars().count();
        let width = (font.width(chars) + 2 * pad).min(lcd.w - 2 * pad);
        let rect = Rect::new(lcd.x + pad, lcd.y + pad, width, font.height() + 2 * pad);
        canvas.blend(rect, BACK, self.alpha * 7 / 8);
        // The text fades over the box as the box over the picture: blended glyph by glyph.
        let mut ink = vec![BACK; (rect.w.max(0) * rect.h.max(0)) as usize];
        let mut text = Canvas::new(&mut ink, rect.w.max(0) as usize, rect.h.max(0) as usize);
        let inner = Rect::new(0, 0, rect.w, rect.h);
        text.text(self.text, &font, (pad, pad), INK, inner.inset(pad));
        for (i, &pixel) in ink.iter().enumerate() {
            if pixel == INK {
                let (x, y) = (i as i32 % rect.w, i as i32 / rect.w);
                canvas.blend(Rect::new(rect.x + x, rect.y + y, 1, 1), INK, self.alpha);
            }
        }
    }
}

/// The note shown now, if any.
#[derive(Default)]
pub struct Overlay {
    note: Option<(String, Instant)>,
}

impl Overlay {
    /// Shows `text` from now, in place of the note before.
    pub fn show(&mut self, text: impl Into<String>) {
        self.note = Some((text.into(), Instant::now()));
    }

    /// The note to draw at `now`, with its opacity.
    pub fn note(&self, now: Instant) -> Option<Note<'_>> {
        let (text, at) = self.note.as_ref()?;
        let age = now.saturating_duration_since(*at);
        let left = SHOWN.checked_sub(age).filter(|left| !left.is_zero())?;
        let alpha = if left >= FADE {
            256
        } else {
            (256 * left.as_millis() / FADE.as_millis()) as u32
        };
        Some(Note { text, alpha })
    }

    /// The note's text, while it is shown (for the title bar).
    pub fn text(&self, now: Instant) -> Option<&str> {
        self.note(now).map(|note| note.text)
    }
}

/// What the status line and the title bar say of the run.
pub struct Status<'a> {
    /// How the machine stopped, or where it is paused; empty while it runs.
    pub state: &'a str,
    pub paused: bool,
    pub stopped: bool,
    pub fast_forward: bool,
    /// The preset in force.
    pub speed: Speed,
    /// The speed reached, as a percentage of real time.
    pub percent: f64,
    /// Pictures shown a second.
    pub fps: f64,
}

impl<'a> Status<'a> {
    /// The status of a machine a debugger holds (gdb, a monitor command): its state alone.
    pub fn held(state: &'a str) -> Self {
        Status {
            state,
            paused: false,
            stopped: true,
            fast_forward: false,
            speed: Speed::Percent(100),
            percent: 0.0,
            fps: 0.0,
        }
    }

    /// The status line's text.
    pub fn line(&self) -> String {
        if self.stopped {
            return self.state.to_string();
        }
        if self.paused {
            return format!(
                "{}: F1 runs, F8 one frame  (speed {})",
                self.state, self.speed
            );
        }
        let speed = match self.fast_forward {
            true => "fast forward".to_string(),
            false => format!("speed {}", self.speed),
        };
        format!(
            "{speed}  running at {:.0}%  {:.0} fps",
            self.percent, self.fps
        )
    }

    /// The window's title for the ROM `name`, with the note shown, if any.
    pub fn title(&self, name: &str, note: Option<&str>) -> String {
        let mut title = format!("{name} - emu - {}", self.state);
        if !self.stopped && !self.paused {
            title.push_str(&format!("{:.0}%", self.percent));
            match (self.fast_forward, self.speed) {
                (true, _) => title.push_str(" (fast forward)"),
                (false, Speed::Unlimited) => title.push_str(" (turbo)"),
                (false, Speed::Percent(100)) => {}
                (false, speed) => title.push_str(&format!(" (speed {speed})")),
            }
        }
        if let Some(text) = note {
            title.push_str(&format!(" - {text}"));
        }
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_shows_then_fades_then_goes() {
        let mut overlay = Overlay::default();
        let start = Instant::now();
        assert_eq!(overlay.note(start), None);
        overlay.show("paused");
        let at = overlay.note.as_ref().unwrap().1;
        assert_eq!(overlay.note(at).map(|n| n.alpha), Some(256));
        let fading = overlay.note(at + SHOWN - FADE / 2).unwrap();
        assert_eq!((fading.text, fading.alpha), ("paused", 128));
        assert_eq!(overlay.note(at + SHOWN), None);
        assert_eq!(overlay.text(at + Duration::from_millis(10)), Some("paused"));
    }

    #[test]
    fn the_status_line_and_title_say_the_speed_or_the_state() {
        let mut status = Status {
            state: "",
            paused: false,
            stopped: false,
            fast_forward: false,
            speed: Speed::Percent(100),
            percent: 99.6,
            fps: 60.0,
        };
        assert_eq!(status.line(), "speed 100%  running at 100%  60 fps");
        assert_eq!(status.title("a.bin", None), "a.bin - emu - 100%");
        status.speed = Speed::Percent(25);
        assert_eq!(
            status.title("a.bin", Some("x")),
            "a.bin - emu - 100% (speed 25%) - x"
        );
        status.fast_forward = true;
        assert_eq!(
            status.title("a.bin", None),
            "a.bin - emu - 100% (fast forward)"
        );
        assert!(status.line().starts_with("fast forward  running at 100%"));
        let paused = Status {
            state: "paused at frame 7",
            paused: true,
            ..status
        };
        assert_eq!(
            paused.title("a.bin", None),
            "a.bin - emu - paused at frame 7"
        );
        assert_eq!(
            paused.line(),
            "paused at frame 7: F1 runs, F8 one frame  (speed 25%)"
        );
    }

    /// The box darkens the picture under it; its text is white; nothing outside changes.
    #[test]
    fn a_note_is_drawn_on_the_lcds_corner() {
        let (w, h) = (320usize, 240usize);
        let mut pixels = vec![0x80_80_80u32; w * h];
        let mut canvas = Canvas::new(&mut pixels, w, h);
        let note = Note {
            text: "I",
            alpha: 256,
        };
        note.draw(&mut canvas, Rect::new(0, 0, 320, 240));
        assert_eq!(
            pixels[w * 3 + 3],
            0x10_10_10,
            "the box, an eighth of the grey"
        );
        assert!(pixels.contains(&0xFF_FF_FF), "the text");
        assert_eq!(pixels[w * 100 + 100], 0x80_80_80);
    }
}
