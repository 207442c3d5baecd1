//! The end-of-run picture compared with a golden PNG, pixel for pixel, and what a failing
//! comparison leaves to look at: the actual picture and a difference image.

use std::path::Path;

use devices::pl111::{HEIGHT, WIDTH};

use crate::frontend::session::{blank_frame, Frame};

/// Reads a golden picture: an 8-bit RGB or RGBA PNG of the LCD's size, as 0x00RRGGBB.
pub fn read_golden(path: &Path) -> Result<Box<Frame>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| fail(&e))?;
    let (width, height) = (reader.info().width, reader.info().height);
    if (width as usize, height as usize) != (WIDTH, HEIGHT) {
        return Err(fail(&format!(
            "{width}x{height} pixels, not the LCD's {WIDTH}x{HEIGHT}"
        )));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| fail(&"too large"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| fail(&e))?;
    let channels = match (info.color_type, info.bit_depth) {
        (png::ColorType::Rgb, png::BitDepth::Eight) => 3,
        (png::ColorType::Rgba, png::BitDepth::Eight) => 4,
        (colour, depth) => {
            return Err(fail(&format!(
                "{colour:?} pixels of {depth:?} bits, not 8-bit RGB"
            )))
        }
    };
    let mut frame = blank_frame();
    for (pixel, bytes) in frame
        .iter_mut()
        .zip(buf[..info.buffer_size()].chunks_exact(channels))
    {
        *pixel = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
    }
    Ok(frame)
}

/// How two pictures differ.
#[derive(Debug, PartialEq, Eq)]
pub struct Difference {
    /// Pixels that differ.
    pub pixels: usize,
    /// The first that differs (in reading order): x, y, actual, expected.
    pub first: (usize, usize, u32, u32),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let (x, y, actual, expected) = self.first;
        match self.pixels {
            1 => write!(f, "1 pixel differs"),
            n => write!(f, "{n} pixels differ, the first"),
        }?;
        write!(f, " at ({x}, {y}): {actual:#08x}, expected {expected:#08x}")
    }
}

/// Where `actual` differs from `expected`: `None` if nowhere.
pub fn compare(actual: &Frame, expected: &Frame) -> Option<Difference> {
    let mut differing = actual
        .iter()
        .zip(expected.iter())
        .enumerate()
        .filter(|(_, (a, e))| a != e);
    let (index, (&a, &e)) = differing.next()?;
    Some(Difference {
        pixels: 1 + differing.count(),
        first: (index % WIDTH, index / WIDTH, a, e),
    })
}

/// The difference image: pixels that differ in red, over the actual picture dimmed to a
/// quarter of its brightness.
pub fn difference_image(actual: &Frame, expected: &Frame) -> Box<Frame> {
    let mut image = blank_frame();
    for ((out, &a), &e) in image.iter_mut().zip(actual.iter()).zip(expected.iter()) {
        *out = if a == e {
            (a >> 2) & 0x003F_3F3F
        } else {
            0x00FF_0000
        };
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::screenshot;

    #[test]
    fn differences_are_counted_and_drawn_in_red() {
        let expected = blank_frame();
        let mut actual = blank_frame();
        assert_eq!(compare(&actual, &expected), None);
        actual[WIDTH + 2] = 0x00FF_FFFF;
        actual[5 * WIDTH] = 0x0000_0010;
        actual[7] = 0x0080_8080;
        let mut golden = blank_frame();
        golden[7] = 0x0080_8080;
        let difference = compare(&actual, &golden).unwrap();
        assert_eq!(difference.pixels, 2);
        assert_eq!(difference.first, (2, 1, 0x00FF_FFFF, 0));
        let image = difference_image(&actual, &golden);
        assert_eq!(image[WIDTH + 2], 0x00FF_0000);
        assert_eq!(image[5 * WIDTH], 0x00FF_0000);
        assert_eq!(image[7], 0x0020_2020);
    }

    #[test]
    fn goldens_read_back_as_written() {
        let path = std::env::temp_dir().join(format!("emu-golden-{}.png", std::process::id()));
        let mut frame = blank_frame();
        frame[123] = 0x0012_3456;
        screenshot::save_png(&frame, &path).unwrap();
        assert_eq!(compare(&read_golden(&path).unwrap(), &frame), None);
        std::fs::write(&path, b"not a png").unwrap();
        assert!(read_golden(&path).unwrap_err().contains(".png"));
        std::fs::remove_file(&path).unwrap();
    }
}
