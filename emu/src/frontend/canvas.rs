//! Drawing into the window's picture: a buffer of 0x00RRGGBB pixels with rectangles, text in
//! the emulator's font ([`crate::font`]), blending and a scaled copy of the LCD. Everything is
//! clipped to the buffer, so no rectangle or string, however placed, writes outside it.

use crate::font::Font;

/// A rectangle of pixels: its top left corner and its size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub const fn new(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect { x, y, w, h }
    }

    /// Whether the point (x, y) is inside.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        (self.x..self.x + self.w).contains(&x) && (self.y..self.y + self.h).contains(&y)
    }

    /// Smaller by `by` on every side.
    pub fn inset(&self, by: i32) -> Rect {
        Rect::new(
            self.x + by,
            self.y + by,
            (self.w - 2 * by).max(0),
            (self.h - 2 * by).max(0),
        )
    }

    /// The part inside `other` (an empty rectangle at 0, 0 if none).
    fn within(&self, other: &Rect) -> Rect {
        let (x0, y0) = (self.x.max(other.x), self.y.max(other.y));
        let x1 = (self.x + self.w).min(other.x + other.w);
        let y1 = (self.y + self.h).min(other.y + other.h);
        if x1 <= x0 || y1 <= y0 {
            return Rect::default();
        }
        Rect::new(x0, y0, x1 - x0, y1 - y0)
    }
}

/// A picture being drawn.
pub struct Canvas<'a> {
    pixels: &'a mut [u32],
    width: usize,
    height: usize,
}

impl<'a> Canvas<'a> {
    /// A canvas over `pixels`, `width` pixels a row (`pixels` holds at least `height` rows).
    pub fn new(pixels: &'a mut [u32], width: usize, height: usize) -> Canvas<'a> {
        let height = height.min(pixels.len() / width.max(1));
        Canvas {
            pixels,
            width,
            height,
        }
    }

    fn bounds(&self) -> Rect {
        Rect::new(0, 0, self.width as i32, self.height as i32)
    }

    /// Each pixel of `rect` (clipped to the picture) given to `paint`.
    fn each(&mut self, rect: Rect, mut paint: impl FnMut(&mut u32)) {
        let r = rect.within(&self.bounds());
        for y in r.y..r.y + r.h {
            let row = y as usize * self.width;
            let line = &mut self.pixels[row + r.x as usize..row + (r.x + r.w) as usize];
            line.iter_mut().for_each(&mut paint);
        }
    }

    /// Fills `rect` with `colour`.
    pub fn fill(&mut self, rect: Rect, colour: u32) {
        self.each(rect, |p| *p = colour);
    }

    /// Mixes `colour` into `rect`, `alpha` of 256 of it.
    pub fn blend(&mut self, rect: Rect, colour: u32, alpha: u32) {
        let alpha = alpha.min(256);
        self.each(rect, |p| *p = mix(*p, colour, alpha));
    }

    /// A frame one pixel wide just inside `rect`.
    pub fn outline(&mut self, rect: Rect, colour: u32) {
        let Rect { x, y, w, h } = rect;
        self.fill(Rect::new(x, y, w, 1), colour);
        self.fill(Rect::new(x, y + h - 1, w, 1), colour);
        self.fill(Rect::new(x, y, 1, h), colour);
        self.fill(Rect::new(x + w - 1, y, 1, h), colour);
    }

    /// A key's shape: `rect` filled, framed by `edge`, its corner pixels left as they were.
    pub fn key(&mut self, rect: Rect, fill: u32, edge: u32) {
        let inner = rect.inset(1);
        self.fill(inner, fill);
        let Rect { x, y, w, h } = rect;
        self.fill(Rect::new(x + 1, y, w - 2, 1), edge);
        self.fill(Rect::new(x + 1, y + h - 1, w - 2, 1), edge);
        self.fill(Rect::new(x, y + 1, 1, h - 2), edge);
        self.fill(Rect::new(x + w - 1, y + 1, 1, h - 2), edge);
    }

    /// Draws `text` in `font` with its line's top left at (x, y), nothing outside `clip`.
    pub fn text(&mut self, text: &str, font: &Font, (x, y): (i32, i32), colour: u32, clip: Rect) {
        let s = font.scale();
        for (i, c) in text.chars().enumerate() {
            let pen = x + i as i32 * font.advance();
            let code = u16::try_from(u32::from(c)).unwrap_or(u16::MAX);
            for (gx, gy) in font.pixels(code) {
                let dot = Rect::new(pen + gx, y + gy, s, s).within(&clip);
                self.fill(dot, colour);
            }
        }
    }

    /// Draws `text` in `font` centred in `rect`, clipped to it.
    pub fn centred_text(&mut self, text: &str, font: &Font, rect: Rect, colour: u32) {
        let width = font.width(text.chars().count()) - font.scale();
        // The capitals' rows (1 to 7 of the line) centred.
        let ink = 7 * font.scale();
        let x = rect.x + (rect.w - width) / 2;
        let y = rect.y + (rect.h - ink) / 2 - font.scale();
        self.text(text, font, (x, y), colour, rect);
    }

    /// Copies `source` (`width` pixels a row) into `rect`, scaled nearest neighbour.
    pub fn picture(&mut self, source: &[u32], width: usize, rect: Rect) {
        let height = source.len() / width.max(1);
        if rect.w <= 0 || rect.h <= 0 || height == 0 {
            return;
        }
        let visible = rect.within(&self.bounds());
        let (x0, x1) = (visible.x as usize, (visible.x + visible.w) as usize);
        // The source column of each column drawn, worked out once.
        let columns: Vec<usize> = (visible.x..visible.x + visible.w)
            .map(|x| (x - rect.x) as usize * width / rect.w as usize)
            .collect();
        let mut previous: Option<(usize, usize)> = None;
        for y in visible.y..visible.y + visible.h {
            let sy = (y - rect.y) as usize * height / rect.h as usize;
            let row = y as usize * self.width;
            match previous {
                // The same source row as the line above: a copy of it.
                Some((last_sy, last_row)) if last_sy == sy => {
                    self.pixels
                        .copy_within(last_row + x0..last_row + x1, row + x0);
                }
                _ => {
                    let from = &source[sy * width..(sy + 1) * width];
                    let line = &mut self.pixels[row + x0..row + x1];
                    for (pixel, &sx) in line.iter_mut().zip(&columns) {
                        *pixel = from[sx];
                    }
                }
            }
            previous = Some((sy, row));
        }
    }
}

/// `over` mixed into `under`, `alpha` of 256 of it, channel by channel.
fn mix(under: u32, over: u32, alpha: u32) -> u32 {
    let channel = |shift: u32| {
        let (a, b) = ((under >> shift) & 0xFF, (over >> shift) & 0xFF);
        ((a * (256 - alpha) + b * alpha) >> 8) << shift
    };
    channel(16) | channel(8) | channel(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_is_clipped_to_the_picture() {
        let mut pixels = vec![0u32; 4 * 3];
        let mut canvas = Canvas::new(&mut pixels, 4, 3);
        canvas.fill(Rect::new(-2, -2, 4, 4), 1);
        canvas.fill(Rect::new(3, 2, 10, 10), 2);
        canvas.outline(Rect::new(-100, -100, 50, 50), 3);
        canvas.fill(Rect::new(100, 1, 10, 1), 3);
        canvas.text("W", &Font::plain(1), (2, -3), 4, Rect::new(0, 0, 100, 100));
        assert_eq!(&pixels[..4], &[1, 1, 4, 0]);
        assert_eq!(pixels[11], 2);
    }

    #[test]
    fn the_picture_scales_by_nearest_neighbour() {
        let source = [1, 2, 3, 4];
        let mut pixels = vec![0u32; 5 * 4];
        Canvas::new(&mut pixels, 5, 4).picture(&source, 2, Rect::new(1, 0, 4, 4));
        assert_eq!(&pixels[..5], &[0, 1, 1, 2, 2]);
        assert_eq!(&pixels[15..], &[0, 3, 3, 4, 4]);
        // Shrunk: every other pixel.
        let mut small = vec![0u32; 1];
        Canvas::new(&mut small, 1, 1).picture(&source, 2, Rect::new(0, 0, 1, 1));
        assert_eq!(small, [1]);
    }

    #[test]
    fn blending_mixes_each_channel() {
        assert_eq!(mix(0x00_00_00, 0xFF_FF_FF, 128), 0x7F_7F_7F);
        assert_eq!(mix(0x10_20_30, 0xFF_00_00, 0), 0x10_20_30);
        assert_eq!(mix(0x10_20_30, 0xFF_00_00, 256), 0xFF_00_00);
    }
}
