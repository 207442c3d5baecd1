//! Recording the LCD to an animated GIF (`--record FILE.gif`, Ctrl+F3 in the window): one GIF
//! frame per frame of the machine's time, 60 a second.
//!
//! GIF counts delays in hundredths of a second, so 1/60 s cannot be one delay: frame N is
//! shown from `N * 100 / 60` hundredths (rounded down) to frame N+1's start, which gives
//! delays of 1 and 2 hundredths whose sum is exact (5 every 3 frames). A frame holds only the
//! rectangle of pixels that changed since the one before (at least one pixel), drawn over it,
//! so a still picture costs a few bytes a frame. Each frame has its own palette: its own
//! colours when it has 256 or fewer (the pixels exactly as the screenshot has them),
//! otherwise the nearest of 256 colours of 3 bits of red, 3 of green and 2 of blue. The file is written to a temporary name beside the target and renamed when
//! the recording ends, so it is never half written.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use devices::pl111::{HEIGHT, WIDTH};

use super::session::{blank_frame, Frame, FRAME_RATE};
use crate::files;
use crate::machine::Machine;

/// An animated GIF being written.
pub struct Recorder {
    path: PathBuf,
    temp: PathBuf,
    encoder: gif::Encoder<BufWriter<File>>,
    frames: u64,
    /// The frame's pixels as palette indices, kept to spare an allocation a frame.
    indices: Vec<u8>,
    /// The LCD's picture, kept likewise, and the one before it (none before the first).
    picture: Box<Frame>,
    previous: Option<Box<Frame>>,
    /// The changed rectangle's pixels, kept likewise.
    region: Vec<u32>,
    /// The first error writing the file: nothing more is recorded, and `finish` says it.
    error: Option<String>,
}

impl Recorder {
    /// Starts a recording to `path`. The error names the file.
    pub fn start(path: &Path) -> Result<Recorder, String> {
        let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let temp = files::temp_beside(path).map_err(|e| fail(&e))?;
        let file = File::create(&temp).map_err(|e| fail(&e))?;
        let mut encoder = gif::Encoder::new(BufWriter::new(file), WIDTH as u16, HEIGHT as u16, &[])
            .map_err(|e| fail(&e))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| fail(&e))?;
        Ok(Recorder {
            path: path.to_path_buf(),
            temp,
            encoder,
            frames: 0,
            indices: Vec::with_capacity(WIDTH * HEIGHT),
            picture: blank_frame(),
            previous: None,
            region: Vec::new(),
            error: None,
        })
    }

    /// Where the recording goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds `machine`'s LCD picture now, at the end of a frame. An error ends the recording
    /// (the file is left unfinished) and is kept for `finish`.
    pub fn capture(&mut self, machine: &Machine) {
        if self.error.is_none() {
            machine.board.render_lcd(&mut self.picture);
            let picture = std::mem::replace(&mut self.picture, blank_frame());
            if let Err(e) = self.add(&picture) {
                self.error = Some(e);
            }
            self.picture = picture;
        }
    }

    /// Adds a picture as the next frame.
    pub fn add(&mut self, frame: &Frame) -> Result<(), String> {
        let (left, top, width, height) = match &self.previous {
            None => (0, 0, WIDTH, HEIGHT),
            Some(previous) => changed(previous, frame),
        };
        self.region.clear();
        for row in frame.chunks_exact(WIDTH).skip(top).take(height) {
            self.region.extend_from_slice(&row[left..left + width]);
        }
        let palette = palette_of(&self.region, &mut self.indices);
        let n = self.frames;
        let delay = (n + 1) * 100 / FRAME_RATE - n * 100 / FRAME_RATE;
        let gif_frame = gif::Frame {
            left: left as u16,
            top: top as u16,
            width: width as u16,
            height: height as u16,
            delay: delay as u16,
            dispose: gif::DisposalMethod::Keep,
            palette: Some(palette),
            buffer: std::borrow::Cow::Borrowed(&self.indices),
            ..gif::Frame::default()
        };
        self.encoder
            .write_frame(&gif_frame)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        self.frames += 1;
        match &mut self.previous {
            Some(previous) => previous.copy_from_slice(frame),
            None => self.previous = Some(Box::new(*frame)),
        }
        Ok(())
    }

    /// Ends the recording: the file is complete under its name (or, after an error, not
    /// there at all). The frames recorded.
    pub fn finish(self) -> Result<u64, String> {
        let result = match self.error {
            Some(e) => Err(e),
            None => self
                .encoder
                .into_inner()
                .map_err(std::io::Error::other)
                .and_then(|mut out| {
                    out.flush()?;
                    out.get_ref().sync_all()
                })
                .and_then(|()| std::fs::rename(&self.temp, &self.path))
                .map_err(|e| format!("{}: {e}", self.path.display())),
        };
        if let Err(e) = result {
            // Nothing more can be done if the partial file cannot be removed either.
            let _ = std::fs::remove_file(&self.temp);
            return Err(e);
        }
        Ok(self.frames)
    }
}

/// The rectangle (left, top, width, height) holding every pixel that differs between `before`
/// and `after`; the top left pixel if none does.
fn changed(before: &Frame, after: &Frame) -> (usize, usize, usize, usize) {
    let (mut x0, mut y0, mut x1, mut y1) = (WIDTH, HEIGHT, 0, 0);
    for (y, (a, b)) in before
        .chunks_exact(WIDTH)
        .zip(after.chunks_exact(WIDTH))
        .enumerate()
    {
        if a == b {
            continue;
        }
        let first = a.iter().zip(b).position(|(p, q)| p != q).unwrap_or(0);
        let last = a.iter().zip(b).rposition(|(p, q)| p != q).unwrap_or(0);
        (x0, x1) = (x0.min(first), x1.max(last + 1));
        (y0, y1) = (y0.min(y), y + 1);
    }
    match x1 {
        0 => (0, 0, 1, 1),
        _ => (x0, y0, x1 - x0, y1 - y0),
    }
}

/// The palette (RGB triples) of `frame`'s pixels, and the pixels as indices into it in
/// `indices`: their own colours in the order they first appear if there are 256 or fewer,
/// else 3-3-2 RGB.
fn palette_of(frame: &[u32], indices: &mut Vec<u8>) -> Vec<u8> {
    indices.clear();
    let mut colours: HashMap<u32, u8> = HashMap::new();
    let mut palette = Vec::new();
    for &pixel in frame.iter() {
        let next = colours.len();
        let index = *colours.entry(pixel).or_insert_with(|| {
            palette.extend([(pixel >> 16) as u8, (pixel >> 8) as u8, pixel as u8]);
            next.min(255) as u8
        });
        if colours.len() > 256 {
            return reduced(frame, indices);
        }
        indices.push(index);
    }
    palette
}

/// The 3-3-2 RGB palette, and `frame`'s pixels as its nearest colours.
fn reduced(frame: &[u32], indices: &mut Vec<u8>) -> Vec<u8> {
    indices.clear();
    indices.extend(frame.iter().map(|&p| {
        let (r, g, b) = ((p >> 21) & 7, (p >> 13) & 7, (p >> 6) & 3);
        (r << 5 | g << 2 | b) as u8
    }));
    let level = |value: u32, bits: u32| (value * 255 / ((1 << bits) - 1)) as u8;
    (0..=255u32)
        .flat_map(|i| [level(i >> 5, 3), level(i >> 2 & 7, 3), level(i & 3, 2)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::blank_frame;

    /// Decoded by the gif crate's decoder: the frames, their rectangles (the whole picture,
    /// then what changed, a pixel when nothing did) and delays (summing to 5 hundredths every
    /// 3 frames), and the pixels of both kinds of palette.
    #[test]
    fn frames_come_back_with_their_pixels_and_delays() {
        let dir = std::env::temp_dir().join(format!("emu-record-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.gif");
        let mut few = blank_frame();
        few[0] = 0x00FF_8000;
        few[WIDTH * HEIGHT - 1] = 0x0012_3456;
        let mut many = blank_frame();
        for (i, pixel) in many.iter_mut().enumerate() {
            *pixel = (i as u32).wrapping_mul(0x0001_0307) & 0x00FF_FFFF;
        }
        let mut dot = few.clone();
        dot[20 * WIDTH + 10] = 0x00FF_FFFF;
        let mut recorder = Recorder::start(&path).unwrap();
        for frame in [&few, &many, &few, &few, &dot] {
            recorder.add(frame).unwrap();
        }
        assert_eq!(recorder.finish().unwrap(), 5);

        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut decoder = options.read_info(File::open(&path).unwrap()).unwrap();
        let mut delays = Vec::new();
        let mut pictures = Vec::new();
        let mut rectangles = Vec::new();
        while let Some(frame) = decoder.read_next_frame().unwrap() {
            rectangles.push((frame.left, frame.top, frame.width, frame.height));
            delays.push(frame.delay);
            pictures.push(frame.buffer.to_vec());
        }
        let whole = (0, 0, 320, 240);
        assert_eq!(
            rectangles,
            [whole, whole, whole, (0, 0, 1, 1), (10, 20, 1, 1)]
        );
        assert_eq!(delays, [1, 2, 2, 1, 2]);
        assert_eq!(&pictures[4][..4], &[255, 255, 255, 255]);
        let rgb = |picture: &[u8], i: usize| {
            let p = &picture[i * 4..i * 4 + 3];
            u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2])
        };
        for i in [0, 1, WIDTH * HEIGHT - 1] {
            assert_eq!(rgb(&pictures[0], i), few[i], "pixel {i}");
            assert_eq!(rgb(&pictures[2], i), few[i], "pixel {i}");
        }
        // Pixel 1000 is 0xF3D358: red 111, green 110, blue 01 of 3-3-2, which are 255, 218
        // (6 * 255 / 7) and 85 (255 / 3).
        assert_eq!(rgb(&pictures[1], 1000), 0x00FF_DA55);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
