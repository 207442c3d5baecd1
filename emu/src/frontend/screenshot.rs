//! LCD pictures as PNG files: 320x240, 8-bit RGB, one file pixel per LCD pixel; and pictures
//! of other sizes (the window's).
//!
//! A file is written whole or not at all ([`crate::files::write_whole`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use devices::pl111::{HEIGHT, WIDTH};

use super::session::Frame;

/// Writes `frame` to `path` as a PNG. The error names the file.
pub fn save_png(frame: &Frame, path: &Path) -> Result<(), String> {
    save_picture(frame.as_slice(), WIDTH, HEIGHT, path)
}

/// Writes a picture of `width` x `height` pixels (0x00RRGGBB, row by row) to `path` as a PNG.
/// The error names the file.
pub fn save_picture(
    pixels: &[u32],
    width: usize,
    height: usize,
    path: &Path,
) -> Result<(), String> {
    let pixels = pixels.get(..width * height).ok_or_else(|| {
        format!(
            "{}: the picture is smaller than {width}x{height}",
            path.display()
        )
    })?;
    crate::files::write_whole(path, |temp| write_png(pixels, width, height, temp))
}

fn write_png(frame: &[u32], width: usize, height: usize, path: &Path) -> std::io::Result<()> {
    let size = |n: usize| u32::try_from(n).map_err(std::io::Error::other);
    let mut out = BufWriter::new(File::create(path)?);
    let mut encoder = png::Encoder::new(&mut out, size(width)?, size(height)?);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let data: Vec<u8> = frame
        .iter()
        .flat_map(|&pixel| [(pixel >> 16) as u8, (pixel >> 8) as u8, pixel as u8])
        .collect();
    writer.write_image_data(&data)?;
    writer.finish()?;
    out.flush()?;
    out.get_ref().sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::blank_frame;

    #[test]
    fn png_round_trip_and_no_partial_file_on_failure() {
        let dir = std::env::temp_dir().join(format!("emu-shot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut frame = blank_frame();
        frame[0] = 0x00FF_8000;
        frame[WIDTH * HEIGHT - 1] = 0x0000_00FF;
        let path = dir.join("a.png");
        save_png(&frame, &path).unwrap();
        let decoder = png::Decoder::new(std::io::BufReader::new(File::open(&path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (320, 240));
        assert_eq!(&buf[..3], &[0xFF, 0x80, 0x00]);
        assert_eq!(&buf[buf.len() - 3..], &[0, 0, 0xFF]);

        let missing = dir.join("no/such/dir/b.png");
        let error = save_png(&frame, &missing).unwrap_err();
        assert!(error.contains("no/such/dir/b.png"), "{error}");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
