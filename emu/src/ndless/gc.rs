//! TI's drawing API, `gui_gc_*` (the SDK's `ngc.h`, OS calls 299-331), drawn by the host
//! ([`raster`], [`crate::font`]) into guest memory.
//!
//! A graphics context (`Gc`) is a block of guest memory: what TI-OS keeps in its own is not
//! known, but libndls's `gui_gc_blit_to_screen` and programs reach the pixels through
//! `gc[9][0][8]`, a table of row pointers into a 16-bit 5:6:5 buffer, which the block's words 9
//! and 10 lead to (word 9 points at word 10, which points at word 11, whose eighth word after
//! is the table). The block's other words hold the context's state, so a saved state holds it:
//!
//! ```text
//! word 0 "GCem"  1 width  2 height  3 colour (0xRRGGBB)  4 alpha  5 font  6 pen size
//!      7 pen mode  8 clip x0  9 -> word 10  10 -> word 11  11 clip y0  12 clip x1  13 clip y1
//!      14 origin x  15 origin y  16 region x0  17 region y0  18 region x1  19 -> row table
//!      20 region y1  21-23 zero; then the row table (a word a row), then the pixels
//! ```
//!
//! `gui_gc_global_GC_ptr` (OS variable 298) is the address of a word holding the screen's
//! context, 320 by 240, made when the program starts, white (an empty document's page). Its
//! pixels reach the LCD when the program copies them (libndls's `gui_gc_blit_to_screen`).
//! `gui_gc_copy` makes another context from the program's heap; `gui_gc_free` returns it.
//!
//! What the calls do (TI documents none of them; the SDK's header and sample say this much):
//! colours are RGB, drawn with the alpha of `gui_gc_setAlpha` (255 opaque, 128 half); the pen
//! is 1, 2 or 3 pixels wide (thin, medium, thick) and solid, dotted or dashed; clip operations
//! reset, set, intersect or empty the clip rectangle; `gui_gc_setRegion(xs, ys, ws, hs, x, y,
//! w, h)` moves the origin of lines, rectangles, polygons, sprites and images to (xs + x,
//! ys + y) and keeps them within w by h from there and within (xs, ys, ws, hs), and, as the
//! header warns, does not move strings or arcs; angles are tenths of a degree; a gradient's
//! last argument, when not 0, makes the colour change down the rows rather than across.
//! A sprite is 8-bit coverage (0 drawn in the colour, 255 not drawn); a `TI.Image` is 16-bit
//! 1:5:5:5 with the top bit saying whether the pixel is drawn. Strings are UTF-16 in
//! the emulator's own font ([`crate::font`]), placed by their anchor (top, baseline, bottom or
//! middle; mode 0 is the top) and turned by their rotation (right, down, left: a quarter
//! turn clockwise each); the header's horizontal modes (shrink, overlap) draw as normal. Of
//! the metrics, the height of a string or a font is a line's, a string's "small" height and a
//! character's height are the rows their glyphs ink. TI-OS's icons are TI's: `gui_gc_drawIcon`
//! draws nothing and `gui_gc_getIconSize` gives 0 by 0. `gui_gc_blit_gc` scales by nearest
//! pixels; `gui_gc_blit_buffer` copies a 5:6:5 buffer of the context's size, and nothing of
//! another size, as the header says.

mod raster;

use crate::font::Font;
use raster::{Dash, Pen, Plot};

use super::{argument, layout, read, utf16, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const FREE: u32 = 299;
const COPY: u32 = 300;
const BEGIN: u32 = 301;
const FINISH: u32 = 302;
const CLIP_RECT: u32 = 303;
const SET_COLOR_RGB: u32 = 304;
const SET_COLOR: u32 = 305;
const SET_ALPHA: u32 = 306;
const SET_FONT: u32 = 307;
const GET_FONT: u32 = 308;
const SET_PEN: u32 = 309;
const SET_REGION: u32 = 310;
const DRAW_ARC: u32 = 311;
const DRAW_ICON: u32 = 312;
const DRAW_SPRITE: u32 = 313;
const DRAW_LINE: u32 = 314;
const DRAW_RECT: u32 = 315;
const DRAW_STRING: u32 = 316;
const DRAW_POLY: u32 = 317;
const FILL_ARC: u32 = 318;
const FILL_POLY: u32 = 319;
const FILL_RECT: u32 = 320;
const FILL_GRADIENT: u32 = 321;
const DRAW_IMAGE: u32 = 322;
const GET_STRING_WIDTH: u32 = 323;
const GET_CHAR_WIDTH: u32 = 324;
const GET_STRING_SMALL_HEIGHT: u32 = 325;
const GET_CHAR_HEIGHT: u32 = 326;
const GET_STRING_HEIGHT: u32 = 327;
const GET_FONT_HEIGHT: u32 = 328;
const GET_ICON_SIZE: u32 = 329;
const BLIT_GC: u32 = 330;
const BLIT_BUFFER: u32 = 331;

/// The OS calls answered here: every one of TI's drawing API (299 to 331).
pub const NUMBERS: &[u32] = &[
    FREE,
    COPY,
    BEGIN,
    FINISH,
    CLIP_RECT,
    SET_COLOR_RGB,
    SET_COLOR,
    SET_ALPHA,
    SET_FONT,
    GET_FONT,
    SET_PEN,
    SET_REGION,
    DRAW_ARC,
    DRAW_ICON,
    DRAW_SPRITE,
    DRAW_LINE,
    DRAW_RECT,
    DRAW_STRING,
    DRAW_POLY,
    FILL_ARC,
    FILL_POLY,
    FILL_RECT,
    FILL_GRADIENT,
    DRAW_IMAGE,
    GET_STRING_WIDTH,
    GET_CHAR_WIDTH,
    GET_STRING_SMALL_HEIGHT,
    GET_CHAR_HEIGHT,
    GET_STRING_HEIGHT,
    GET_FONT_HEIGHT,
    GET_ICON_SIZE,
    BLIT_GC,
    BLIT_BUFFER,
];

/// The screen's context.
pub const SCREEN_WIDTH: i32 = 320;
pub const SCREEN_HEIGHT: i32 = 240;

// The block's words.
const MAGIC: usize = 0;
const WIDTH: usize = 1;
const HEIGHT: usize = 2;
const COLOUR: usize = 3;
const ALPHA: usize = 4;
const FONT: usize = 5;
const PEN_SIZE: usize = 6;
const PEN_MODE: usize = 7;
const CLIP_X0: usize = 8;
const LINK_1: usize = 9;
const LINK_2: usize = 10;
const CLIP_Y0: usize = 11;
const CLIP_X1: usize = 12;
const CLIP_Y1: usize = 13;
const ORIGIN_X: usize = 14;
const ORIGIN_Y: usize = 15;
const REGION_X0: usize = 16;
const REGION_Y0: usize = 17;
const REGION_X1: usize = 18;
const ROWS: usize = 19;
const REGION_Y1: usize = 20;
const WORDS: usize = 24;
const BLOCK: u32 = 4 * WORDS as u32;
const GC_MAGIC: u32 = u32::from_le_bytes(*b"GCem");
/// A new context's font: TI's Regular 10.
const DEFAULT_FONT: u32 = 10;
/// The largest context `gui_gc_copy` makes, a side.
const SIDE_MAX: i32 = 4096;
/// The most of a sprite or an image drawn, a side (past it, nothing).
const PICTURE_MAX: i32 = 1024;
/// The most points of a polygon read.
const POINTS_MAX: u32 = 1 << 16;

/// A rectangle: x0, y0 in it, x1, y1 just past it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rect {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Rect {
    /// The w by h pixels from (x, y).
    fn sized(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x.saturating_add(w.max(0)),
            y1: y.saturating_add(h.max(0)),
        }
    }

    fn meet(self, other: Rect) -> Rect {
        Rect {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        }
    }

    const EMPTY: Rect = Rect {
        x0: 0,
        y0: 0,
        x1: 0,
        y1: 0,
    };
}

/// A context's state, as its block holds it.
struct Gc {
    addr: u32,
    words: [u32; WORDS],
}

impl Gc {
    /// The context at `addr`; an error if there is none there.
    fn load(mem: &mut dyn GuestMemory, addr: u32) -> Result<Gc, MemoryError> {
        let bytes = read(mem, addr, BLOCK)?;
        let mut words = [0; WORDS];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes(chunk.try_into().unwrap_or_default());
        }
        let (width, height) = (words[WIDTH] as i32, words[HEIGHT] as i32);
        if words[MAGIC] != GC_MAGIC
            || !(1..=SIDE_MAX).contains(&width)
            || !(1..=SIDE_MAX).contains(&height)
        {
            return Err(MemoryError);
        }
        Ok(Gc { addr, words })
    }

    fn store(&self, mem: &mut dyn GuestMemory) -> Result<(), MemoryError> {
        let bytes: Vec<u8> = self.words.iter().flat_map(|w| w.to_le_bytes()).collect();
        mem.write_bytes(self.addr, &bytes)
    }

    fn width(&self) -> i32 {
        self.words[WIDTH] as i32
    }

    fn height(&self) -> i32 {
        self.words[HEIGHT] as i32
    }

    fn whole(&self) -> Rect {
        Rect::sized(0, 0, self.width(), self.height())
    }

    fn rect(&self, [x0, y0, x1, y1]: [usize; 4]) -> Rect {
        let w = |i: usize| self.words[i] as i32;
        Rect {
            x0: w(x0),
            y0: w(y0),
            x1: w(x1),
            y1: w(y1),
        }
    }

    fn set_rect(&mut self, [x0, y0, x1, y1]: [usize; 4], r: Rect) {
        for (i, v) in [(x0, r.x0), (y0, r.y0), (x1, r.x1), (y1, r.y1)] {
            self.words[i] = v as u32;
        }
    }

    fn clip(&self) -> Rect {
        self.rect([CLIP_X0, CLIP_Y0, CLIP_X1, CLIP_Y1])
    }

    fn region(&self) -> Rect {
        self.rect([REGION_X0, REGION_Y0, REGION_X1, REGION_Y1])
    }

    fn origin(&self) -> (i32, i32) {
        (self.words[ORIGIN_X] as i32, self.words[ORIGIN_Y] as i32)
    }

    fn colour(&self) -> u32 {
        self.words[COLOUR] & 0xFF_FFFF
    }

    fn font(&self) -> Font {
        Font::from_id(self.words[FONT])
    }

    fn pen(&self) -> Pen {
        Pen {
            size: (self.words[PEN_SIZE].min(2) + 1) as i32,
            dash: match self.words[PEN_MODE] {
                1 => Dash::Dotted,
                2 => Dash::Dashed,
                _ => Dash::Solid,
            },
        }
    }

    /// The state of a new context of w by h at `addr`, with pixels at `pixels`: black, opaque,
    /// Regular 10, a thin solid pen, clipped to itself, no region.
    fn new(addr: u32, width: i32, height: i32) -> Gc {
        let mut gc = Gc {
            addr,
            words: [0; WORDS],
        };
        gc.words[MAGIC] = GC_MAGIC;
        gc.words[WIDTH] = width as u32;
        gc.words[HEIGHT] = height as u32;
        gc.words[ALPHA] = 255;
        gc.words[FONT] = DEFAULT_FONT;
        gc.words[LINK_1] = addr + 4 * LINK_2 as u32;
        gc.words[LINK_2] = addr + 4 * (LINK_2 as u32 + 1);
        gc.words[ROWS] = addr + BLOCK;
        gc.reset_clip_and_region();
        gc
    }

    fn reset_clip_and_region(&mut self) {
        let whole = self.whole();
        self.set_rect([CLIP_X0, CLIP_Y0, CLIP_X1, CLIP_Y1], whole);
        self.set_rect([REGION_X0, REGION_Y0, REGION_X1, REGION_Y1], whole);
        self.words[ORIGIN_X] = 0;
        self.words[ORIGIN_Y] = 0;
    }

    /// The bytes a context of w by h takes: the block, the row table, the pixels (8-aligned).
    fn size(width: i32, height: i32) -> u32 {
        let table = (4 * height as u32 + 7) & !7;
        BLOCK + table + 2 * (width * height) as u32
    }

    /// Writes a new context of w by h at `addr` with its row table, its pixels `fill`.
    fn create(
        mem: &mut dyn GuestMemory,
        addr: u32,
        width: i32,
        height: i32,
        fill: u16,
    ) -> Result<Gc, MemoryError> {
        let gc = Gc::new(addr, width, height);
        let pixels = addr + Gc::size(width, height) - 2 * (width * height) as u32;
        let table: Vec<u8> = (0..height as u32)
            .flat_map(|y| (pixels + 2 * width as u32 * y).to_le_bytes())
            .collect();
        gc.store(mem)?;
        mem.write_bytes(gc.words[ROWS], &table)?;
        // In pieces of a few hundred KiB: few writes, little host memory.
        let row = 2 * width as u32;
        let rows = (0x4_0000 / row).max(1);
        for first in (0..height as u32).step_by(rows as usize) {
            let count = rows.min(height as u32 - first);
            let piece: Vec<u8> = (0..count * row / 2)
                .flat_map(|_| fill.to_le_bytes())
                .collect();
            mem.write_bytes(pixels + row * first, &piece)?;
        }
        Ok(gc)
    }

    /// Where row y's pixels are, from the row table.
    fn row_address(&self, mem: &mut dyn GuestMemory, y: i32) -> Result<u32, MemoryError> {
        mem.read_u32(self.words[ROWS].wrapping_add(4 * y as u32))
    }

    /// Row y's pixels.
    fn read_row(&self, mem: &mut dyn GuestMemory, y: i32) -> Result<Vec<u16>, MemoryError> {
        let at = self.row_address(mem, y)?;
        let bytes = read(mem, at, 2 * self.width() as u32)?;
        Ok(bytes
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect())
    }
}

/// Makes the screen's context (at [`layout::GLOBAL_GC`], white) and the variable that holds
/// it, as the program starts.
pub fn create_global(mem: &mut dyn GuestMemory) -> Result<(), MemoryError> {
    Gc::create(mem, layout::GLOBAL_GC, SCREEN_WIDTH, SCREEN_HEIGHT, 0xFFFF)?;
    mem.write_u32(layout::GLOBAL_GC_VARIABLE, layout::GLOBAL_GC)
}

/// A context's pixels as drawing reaches them: rows read when first drawn on and written back
/// at the end, clipped, blended with the context's alpha.
struct Surface<'a> {
    mem: &'a mut dyn GuestMemory,
    gc: &'a Gc,
    clip: Rect,
    alpha: u32,
    rows: Vec<Option<Vec<u16>>>,
    error: Option<MemoryError>,
}

impl<'a> Surface<'a> {
    /// The context's surface within `clip` (cut to the context).
    fn new(mem: &'a mut dyn GuestMemory, gc: &'a Gc, clip: Rect) -> Surface<'a> {
        Surface {
            mem,
            gc,
            clip: clip.meet(gc.whole()),
            alpha: gc.words[ALPHA].min(255),
            rows: vec![None; gc.height() as usize],
            error: None,
        }
    }

    fn row(&mut self, y: i32) -> Option<&mut Vec<u16>> {
        let slot = y as usize;
        if self.rows[slot].is_none() {
            match self.gc.read_row(self.mem, y) {
                Ok(row) => self.rows[slot] = Some(row),
                Err(e) => {
                    self.error = Some(e);
                    return None;
                }
            }
        }
        self.rows[slot].as_mut()
    }

    /// Pixel (x, y) in `colour` with `alpha` (255 opaque), within the clip.
    fn put(&mut self, x: i32, y: i32, colour: u32, alpha: u32) {
        let c = self.clip;
        if x < c.x0 || x >= c.x1 || y < c.y0 || y >= c.y1 || alpha == 0 {
            return;
        }
        if let Some(row) = self.row(y) {
            let pixel = &mut row[x as usize];
            *pixel = blend(*pixel, colour, alpha);
        }
    }

    /// Writes the rows drawn on back.
    fn finish(self) -> Result<(), MemoryError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        for (y, row) in self.rows.iter().enumerate() {
            if let Some(row) = row {
                let at = self.gc.row_address(self.mem, y as i32)?;
                let bytes: Vec<u8> = row.iter().flat_map(|p| p.to_le_bytes()).collect();
                self.mem.write_bytes(at, &bytes)?;
            }
        }
        Ok(())
    }
}

impl Plot for Surface<'_> {
    fn bounds(&self) -> (i32, i32, i32, i32) {
        (self.clip.x0, self.clip.y0, self.clip.x1, self.clip.y1)
    }

    fn span(&mut self, y: i32, x0: i32, x1: i32, colour: u32) {
        let c = self.clip;
        if y < c.y0 || y >= c.y1 {
            return;
        }
        let alpha = self.alpha;
        let (from, to) = (x0.max(c.x0), x1.min(c.x1 - 1));
        if from > to || alpha == 0 {
            return;
        }
        if let Some(row) = self.row(y) {
            for pixel in &mut row[from as usize..=to as usize] {
                *pixel = blend(*pixel, colour, alpha);
            }
        }
    }
}

/// 0xRRGGBB as 5:6:5.
fn rgb565(colour: u32) -> u16 {
    ((colour >> 8 & 0xF800) | (colour >> 5 & 0x07E0) | (colour >> 3 & 0x001F)) as u16
}

/// 5:6:5 as 0xRRGGBB, each channel's high bits repeated into its low ones.
fn rgb888(pixel: u16) -> u32 {
    let p = u32::from(pixel);
    let (r, g, b) = (p >> 11 & 0x1F, p >> 5 & 0x3F, p & 0x1F);
    (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2)
}

/// `colour` over `pixel` with `alpha` of 255.
fn blend(pixel: u16, colour: u32, alpha: u32) -> u16 {
    if alpha >= 255 {
        return rgb565(colour);
    }
    let under = rgb888(pixel);
    let mix = |shift: u32| {
        let (a, b) = (colour >> shift & 0xFF, under >> shift & 0xFF);
        ((a * alpha + b * (255 - alpha) + 127) / 255) << shift
    };
    rgb565(mix(16) | mix(8) | mix(0))
}

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let arg = |mem: &mut dyn GuestMemory, n: u32| argument(mem, call, n).map(|v| v as i32);
    let [addr, a, b, c] = call.args;
    let value = match index {
        FREE => {
            Gc::load(mem, addr)?;
            if addr != layout::GLOBAL_GC {
                ndless.heap.free(mem, addr)?;
            }
            0
        }
        COPY => copy(ndless, mem, addr, a as i32, b as i32)?,
        // Drawing needs no preparation here.
        BEGIN | FINISH => {
            Gc::load(mem, addr)?;
            u32::from(index == BEGIN)
        }
        GET_FONT => Gc::load(mem, addr)?.words[FONT],
        GET_STRING_WIDTH | GET_STRING_SMALL_HEIGHT | GET_STRING_HEIGHT => {
            let font = Font::from_id(a);
            let whole = utf16(mem, b)?;
            let text = substring(&whole, c as i32, arg(mem, 4)?);
            match index {
                GET_STRING_WIDTH => font.width(text.len()) as u32,
                GET_STRING_HEIGHT => font.height() as u32,
                _ => {
                    let rows = text.iter().filter_map(|&ch| font.inked_rows(ch));
                    let top = rows.clone().map(|(first, _)| first).min();
                    let bottom = rows.map(|(_, last)| last).max();
                    match (top, bottom) {
                        (Some(top), Some(bottom)) => (bottom - top + 1) as u32,
                        _ => 0,
                    }
                }
            }
        }
        GET_CHAR_WIDTH => Font::from_id(a).advance() as u32,
        GET_CHAR_HEIGHT => Font::from_id(a)
            .inked_rows(b as u16)
            .map_or(0, |(first, last)| (last - first + 1) as u32),
        GET_FONT_HEIGHT => Font::from_id(a).height() as u32,
        GET_ICON_SIZE => {
            for at in [c, arg(mem, 4)? as u32] {
                if at != 0 {
                    mem.write_u32(at, 0)?;
                }
            }
            0
        }
        BLIT_GC => {
            let mut args = [0; 10];
            for (n, slot) in args.iter_mut().enumerate() {
                *slot = arg(mem, n as u32)?;
            }
            blit_gc(mem, args)?;
            0
        }
        _ => {
            let mut gc = Gc::load(mem, addr)?;
            set_or_draw(&mut gc, index, call, mem)?;
            0
        }
    };
    Ok(Answer::Value(value))
}

/// The calls that set a context's state or draw in it.
fn set_or_draw(
    gc: &mut Gc,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<(), MemoryError> {
    let mut args = [0i32; 9];
    let count = match index {
        SET_REGION => 9,
        FILL_GRADIENT => 8,
        DRAW_ARC | FILL_ARC => 7,
        CLIP_RECT => 6,
        BLIT_BUFFER => 6,
        DRAW_ICON | DRAW_STRING | DRAW_LINE | DRAW_RECT | FILL_RECT => 5,
        _ => 4,
    };
    for (n, slot) in args.iter_mut().enumerate().take(count) {
        *slot = argument(mem, call, n as u32)? as i32;
    }
    let [_, a, b, c, d, e, f, g, h] = args;
    let clamp = |v: i32| v.clamp(0, 255) as u32;
    match index {
        CLIP_RECT => {
            let r = Rect::sized(a, b, c, d);
            let clip = match e {
                0 => gc.whole(),
                1 => r,
                2 => gc.clip().meet(r),
                _ => Rect::EMPTY,
            };
            gc.set_rect([CLIP_X0, CLIP_Y0, CLIP_X1, CLIP_Y1], clip);
        }
        SET_COLOR_RGB => gc.words[COLOUR] = clamp(a) << 16 | clamp(b) << 8 | clamp(c),
        SET_COLOR => gc.words[COLOUR] = a as u32 & 0xFF_FFFF,
        SET_ALPHA => gc.words[ALPHA] = clamp(a),
        SET_FONT => gc.words[FONT] = a as u32,
        SET_PEN => {
            gc.words[PEN_SIZE] = a as u32;
            gc.words[PEN_MODE] = b as u32;
        }
        SET_REGION => {
            let (ox, oy) = (a.saturating_add(e), b.saturating_add(f));
            let region = Rect::sized(ox, oy, g, h).meet(Rect::sized(a, b, c, d));
            gc.set_rect([REGION_X0, REGION_Y0, REGION_X1, REGION_Y1], region);
            gc.words[ORIGIN_X] = ox as u32;
            gc.words[ORIGIN_Y] = oy as u32;
        }
        DRAW_ICON => {}
        _ => return draw(gc, index, &args, mem),
    }
    gc.store(mem)
}

/// The drawing calls, with their arguments (the context first).
fn draw(
    gc: &Gc,
    index: u32,
    args: &[i32; 9],
    mem: &mut dyn GuestMemory,
) -> Result<(), MemoryError> {
    let [_, a, b, c, d, e, f, g, _] = *args;
    let (ox, oy) = gc.origin();
    let at = |x: i32, y: i32| (x.saturating_add(ox), y.saturating_add(oy));
    // Strings and arcs are placed and clipped as if there were no region.
    let unmoved = matches!(index, DRAW_STRING | DRAW_ARC | FILL_ARC);
    let clip = if unmoved {
        gc.clip()
    } else {
        gc.clip().meet(gc.region())
    };
    let (colour, pen) = (gc.colour(), gc.pen());
    // What the call reads from guest memory, before the surface borrows it.
    let points = match index {
        DRAW_POLY | FILL_POLY => polygon(mem, a as u32, b as u32)?,
        _ => Vec::new(),
    };
    let text = match index {
        DRAW_STRING => utf16(mem, a as u32)?,
        _ => Vec::new(),
    };
    let picture = match index {
        DRAW_SPRITE => Some(sprite(mem, a as u32)?),
        DRAW_IMAGE => Some(image(mem, a as u32)?),
        BLIT_BUFFER => Some(buffer(mem, a as u32, gc, d, e)?),
        _ => None,
    };
    let mut surface = Surface::new(mem, gc, clip);
    let s = &mut surface;
    match index {
        DRAW_LINE => raster::line(s, at(a, b), at(c, d), pen, colour),
        DRAW_RECT => {
            let (x, y) = at(a, b);
            raster::rect(s, (x, y, c, d), pen, colour);
        }
        FILL_RECT => {
            let (x, y) = at(a, b);
            raster::fill_rect(s, x, y, c, d, colour);
        }
        FILL_GRADIENT => {
            let (x, y) = at(a, b);
            let (from, to) = (e as u32 & 0xFF_FFFF, f as u32 & 0xFF_FFFF);
            raster::gradient(s, (x, y, c, d), from, to, g != 0);
        }
        DRAW_ARC | FILL_ARC => {
            raster::ellipse(s, (a, b, c, d), (e, f), index == FILL_ARC, pen, colour)
        }
        DRAW_POLY => {
            let moved: Vec<(i32, i32)> = points.iter().map(|&(x, y)| at(x, y)).collect();
            raster::polyline(s, &moved, pen, colour);
        }
        FILL_POLY => {
            let moved: Vec<(i32, i32)> = points.iter().map(|&(x, y)| at(x, y)).collect();
            raster::fill_polygon(s, &moved, colour);
        }
        DRAW_STRING => draw_string(s, &gc.font(), &text, (b, c), d as u32, colour),
        DRAW_SPRITE | DRAW_IMAGE => {
            let (x, y) = at(b, c);
            if let Some(picture) = picture {
                picture.draw(s, x, y, colour);
            }
        }
        BLIT_BUFFER => {
            // A copy: the context's alpha does not apply.
            s.alpha = 255;
            if let Some(picture) = picture {
                picture.draw(s, b, c, colour);
            }
        }
        _ => {}
    }
    surface.finish()
}

/// The `count` points at `addr`, pairs of words (x, y).
fn polygon(
    mem: &mut dyn GuestMemory,
    addr: u32,
    count: u32,
) -> Result<Vec<(i32, i32)>, MemoryError> {
    if count > POINTS_MAX {
        return Err(MemoryError);
    }
    let bytes = read(mem, addr, 8 * count)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|p| {
            let word = |i: usize| i32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]]);
            (word(0), word(4))
        })
        .collect())
}

/// The characters `start..start + length` of `text` (a negative length: to its end), cut to
/// it.
fn substring(text: &[u16], start: i32, length: i32) -> &[u16] {
    let from = (start.max(0) as usize).min(text.len());
    let to = match length {
        ..0 => text.len(),
        n => from.saturating_add(n as usize).min(text.len()),
    };
    &text[from..to]
}

/// A string in `font` anchored at (x, y) by `mode`'s vertical anchor and turned by its
/// rotation.
fn draw_string(
    plot: &mut dyn Plot,
    font: &Font,
    text: &[u16],
    (x, y): (i32, i32),
    mode: u32,
    colour: u32,
) {
    let top = match mode >> 4 & 0xF {
        1 => -font.baseline(),
        2 => -font.height(),
        3 => -font.height() / 2,
        _ => 0,
    };
    let s = font.scale();
    for (i, &ch) in text.iter().enumerate() {
        let pen = i as i32 * font.advance();
        for (gx, gy) in font.pixels(ch) {
            // The glyph pixel's square in the line (u along it, v down), turned.
            let (u, v) = (pen + gx, top + gy);
            let (u, v) = (i64::from(u), i64::from(v));
            let (x, y, s) = (i64::from(x), i64::from(y), i64::from(s));
            let (px, py) = match mode >> 8 & 3 {
                0 => (x + u, y + v),
                1 => (x - v - s + 1, y + u),
                2 => (x - u - s + 1, y - v - s + 1),
                _ => (x + v, y - u - s + 1),
            };
            let clamp = |c: i64| c.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
            raster::fill_rect(plot, clamp(px), clamp(py), s as i32, s as i32, colour);
        }
    }
}

/// Pixels to put: w by h, each a colour (or `None`: the context's colour) and an alpha.
struct Picture {
    width: i32,
    pixels: Vec<(Option<u32>, u32)>,
}

impl Picture {
    fn draw(&self, surface: &mut Surface, x: i32, y: i32, colour: u32) {
        let gc_alpha = surface.alpha;
        for (i, &(pixel, alpha)) in self.pixels.iter().enumerate() {
            let (px, py) = (i as i32 % self.width, i as i32 / self.width);
            let alpha = alpha * gc_alpha / 255;
            surface.put(
                x.saturating_add(px),
                y.saturating_add(py),
                pixel.unwrap_or(colour),
                alpha,
            );
        }
    }
}

/// A `gui_gc_Sprite` (short width, short height, char *pixels): a byte a pixel, 0 drawn in the
/// context's colour, 255 not drawn, what lies between partly.
fn sprite(mem: &mut dyn GuestMemory, addr: u32) -> Result<Picture, MemoryError> {
    let header = read(mem, addr, 8)?;
    let side =
        |i: usize| i32::from(i16::from_le_bytes([header[i], header[i + 1]])).clamp(0, SIDE_MAX);
    let (width, height) = (side(0), side(2));
    let pixels = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let bytes = read(mem, pixels, (width * height) as u32)?;
    Ok(Picture {
        width: width.max(1),
        pixels: bytes.iter().map(|&b| (None, 255 - u32::from(b))).collect(),
    })
}

/// A `TI.Image`: a header of 20 bytes (width, height, a word of zero, the bytes of a row, the
/// bits of a pixel, the planes), then the rows of 16-bit 1:5:5:5 pixels, drawn where the top
/// bit is set.
fn image(mem: &mut dyn GuestMemory, addr: u32) -> Result<Picture, MemoryError> {
    let header = read(mem, addr, 20)?;
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (width, height) = (
        word(0).min(PICTURE_MAX as u32),
        word(4).min(PICTURE_MAX as u32),
    );
    let stride = match word(12) {
        0 => 2 * width,
        n => n.max(2 * width),
    };
    let mut pixels = Vec::new();
    for y in 0..height {
        let at = u64::from(addr) + 20 + u64::from(y) * u64::from(stride);
        let row = read(mem, u32::try_from(at).map_err(|_| MemoryError)?, 2 * width)?;
        pixels.extend(row.chunks_exact(2).map(|p| {
            let v = u32::from(u16::from_le_bytes([p[0], p[1]]));
            let five = |shift: u32| (v >> shift & 0x1F) * 255 / 31;
            (
                Some(five(10) << 16 | five(5) << 8 | five(0)),
                if v & 0x8000 != 0 { 255 } else { 0 },
            )
        }));
    }
    Ok(Picture {
        width: width.max(1) as i32,
        pixels,
    })
}

/// `gui_gc_blit_buffer`'s 5:6:5 buffer of w by h: the context's size, or nothing.
fn buffer(
    mem: &mut dyn GuestMemory,
    addr: u32,
    gc: &Gc,
    w: i32,
    h: i32,
) -> Result<Picture, MemoryError> {
    if (w, h) != (gc.width(), gc.height()) {
        return Ok(Picture {
            width: 1,
            pixels: Vec::new(),
        });
    }
    let bytes = read(mem, addr, 2 * (w * h) as u32)?;
    Ok(Picture {
        width: w,
        pixels: bytes
            .chunks_exact(2)
            .map(|p| (Some(rgb888(u16::from_le_bytes([p[0], p[1]]))), 255))
            .collect(),
    })
}

/// `gui_gc_copy`: a new context of w by h from the heap, with `addr`'s state and as much of
/// its picture as fits; 0 when the heap has no room or the size is not one.
fn copy(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    addr: u32,
    w: i32,
    h: i32,
) -> Result<u32, MemoryError> {
    let source = Gc::load(mem, addr)?;
    if !(1..=SIDE_MAX).contains(&w) || !(1..=SIDE_MAX).contains(&h) {
        return Ok(0);
    }
    let new = ndless.heap.alloc(mem, Gc::size(w, h))?;
    if new == 0 {
        return Ok(0);
    }
    let mut gc = Gc::create(mem, new, w, h, 0)?;
    for word in [COLOUR, ALPHA, FONT, PEN_SIZE, PEN_MODE] {
        gc.words[word] = source.words[word];
    }
    gc.store(mem)?;
    let (cw, ch) = (w.min(source.width()), h.min(source.height()));
    for y in 0..ch {
        let row = source.read_row(mem, y)?;
        let bytes: Vec<u8> = row[..cw as usize]
            .iter()
            .flat_map(|p| p.to_le_bytes())
            .collect();
        let at = gc.row_address(mem, y)?;
        mem.write_bytes(at, &bytes)?;
    }
    Ok(new)
}

/// `gui_gc_blit_gc(source, xs, ys, ws, hs, dest, xd, yd, wd, hd)`: the source's rectangle
/// scaled to the destination's, by nearest pixels, within the destination's clip.
fn blit_gc(
    mem: &mut dyn GuestMemory,
    [source, xs, ys, ws, hs, dest, xd, yd, wd, hd]: [i32; 10],
) -> Result<(), MemoryError> {
    let from = Gc::load(mem, source as u32)?;
    let to = Gc::load(mem, dest as u32)?;
    if ws <= 0 || hs <= 0 || wd <= 0 || hd <= 0 {
        return Ok(());
    }
    let target = Rect::sized(xd, yd, wd, hd).meet(to.clip()).meet(to.whole());
    // The source's rows are read from memory, as they were before the copy: the destination's
    // (even when it is the source) are written back at the end.
    let mut surface = Surface::new(mem, &to, target);
    for y in target.y0..target.y1 {
        let sy = i64::from(ys) + i64::from(y - yd) * i64::from(hs) / i64::from(hd);
        if !(0..i64::from(from.height())).contains(&sy) {
            continue;
        }
        let row = from.read_row(surface.mem, sy as i32)?;
        for x in target.x0..target.x1 {
            let sx = i64::from(xs) + i64::from(x - xd) * i64::from(ws) / i64::from(wd);
            if let Some(&pixel) = usize::try_from(sx).ok().and_then(|sx| row.get(sx)) {
                surface.put(x, y, rgb888(pixel), 255);
            }
        }
    }
    surface.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;
    use crate::ndless::boot::PhysicalMemory;
    use crate::ndless::heap::Heap;
    use std::time::{Duration, Instant};

    /// The words an argument is made of: the extremes, a valid context, a valid pointer to
    /// something else (the page table), small values of both signs.
    const VALUES: [u32; 8] = [
        0,
        1,
        u32::MAX,
        0x8000_0000,
        0x7FFF_FFFF,
        layout::GLOBAL_GC,
        layout::PAGE_TABLE,
        100,
    ];

    /// Every call with every argument (registers and stack) one of [`VALUES`], on the screen's
    /// context or on one of them: each returns an answer (an error for a context that is not
    /// one), none panics, and all of them together take a bounded time.
    #[test]
    fn no_arguments_make_a_call_panic_or_take_long() {
        let mut machine = Machine::nspire_cx(0);
        let mut mem = PhysicalMemory(&mut machine.board);
        let mut ndless = Ndless::new(Box::new(std::io::sink()), Box::new(std::io::sink()));
        ndless.heap = Heap {
            start: 0x1100_0000,
            end: 0x1200_0000,
        };
        ndless.heap.init(&mut mem).unwrap();
        create_global(&mut mem).unwrap();
        let stack = 0x1300_0000;
        let start = Instant::now();
        for &index in NUMBERS {
            for &gc in &[layout::GLOBAL_GC, 0, layout::PAGE_TABLE] {
                for &v in &VALUES {
                    // Afresh each time: a call may write through a pointer it is given.
                    create_global(&mut mem).unwrap();
                    let words: Vec<u8> = (0..8).flat_map(|_| v.to_le_bytes()).collect();
                    mem.write_bytes(stack, &words).unwrap();
                    let call = Call::with(index, [gc, v, v, v], stack);
                    let answer = super::call(&mut ndless, index, &call, &mut mem);
                    if gc != layout::GLOBAL_GC
                        && !(GET_STRING_WIDTH..=GET_ICON_SIZE).contains(&index)
                    {
                        assert_eq!(answer, Err(MemoryError), "call {index}, gc {gc:#x}, {v:#x}");
                    }
                }
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
        // The screen's context is still one.
        assert!(Gc::load(&mut mem, layout::GLOBAL_GC).is_ok());
    }

    #[test]
    fn colours_convert_to_and_from_565() {
        assert_eq!(rgb565(0xFF0000), 0xF800);
        assert_eq!(rgb565(0x00FF00), 0x07E0);
        assert_eq!(rgb565(0x0000FF), 0x001F);
        assert_eq!(rgb888(0xFFFF), 0xFFFFFF);
        assert_eq!(rgb888(0xF800), 0xFF0000);
        // Half of black over white: (0 * 128 + 255 * 127 + 127) / 255 = 127 a channel.
        assert_eq!(blend(0xFFFF, 0x000000, 128), rgb565(0x7F7F7F));
        assert_eq!(blend(0x1234, 0xABCDEF, 255), rgb565(0xABCDEF));
    }

    #[test]
    fn substrings_are_cut_to_the_text() {
        let text: Vec<u16> = "hello".encode_utf16().collect();
        assert_eq!(substring(&text, 1, 3), &text[1..4]);
        assert_eq!(substring(&text, 3, -1), &text[3..]);
        assert_eq!(substring(&text, 4, 100), &text[4..]);
        assert!(substring(&text, 9, 2).is_empty());
        assert_eq!(substring(&text, -5, 2), &text[..2]);
    }
}
