//! LCD pictures as PNG files: 320x240, 8-bit RGB, one file pixel per LCD pixel.
//!
//! A file is written whole or not at all: the picture goes to a temporary file beside the
//! target, which is renamed over it once complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use devices::pl111::{HEIGHT, WIDTH};

use super::session::Frame;

/// Writes `frame` to `path` as a PNG. The error names the file.
pub fn save_png(frame: &Frame, path: &Path) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let name = path
        .file_name()
        .ok_or_else(|| fail(&"not a file name"))?
        .to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = write_png(frame, &temp).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        // Nothing useful can be done if the partial file cannot be removed either.
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(|e| fail(&e))
}

fn write_png(frame: &Frame, path: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut encoder = png::Encoder::new(&mut out, WIDTH as u32, HEIGHT as u32);
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

/// Checks, before a long run, that `path` can be written at its end: its directory exists.
pub fn check_destination(path: &Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!("{}: not a directory", dir.display())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// A new file name in `dir` (`""`: the current directory) for a screenshot taken now: `emu-YYYYMMDD-HHMMSS.png` (UTC), with
/// `-2`, `-3`... added when that name is taken.
pub fn timestamped_path(dir: &Path) -> PathBuf {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = format!("emu-{}", utc_stamp(seconds));
    let mut path = dir.join(format!("{stem}.png"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.png"));
        n += 1;
    }
    path
}

/// `YYYYMMDD-HHMMSS` for a count of seconds since 1970 (UTC), by the days-to-civil algorithm
/// of H. Hinnant's "chrono-Compatible Low-Level Date Algorithms".
fn utc_stamp(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let time = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::blank_frame;

    #[test]
    fn utc_stamps() {
        assert_eq!(utc_stamp(0), "19700101-000000");
        assert_eq!(utc_stamp(1_767_225_600), "20260101-000000");
        assert_eq!(utc_stamp(951_782_400 + 3661), "20000229-010101");
    }

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
        assert!(check_destination(&missing).is_err());
        assert!(check_destination(&path).is_ok());
        assert!(check_destination(Path::new("plain.png")).is_ok());

        let first = timestamped_path(&dir);
        std::fs::write(&first, b"taken").unwrap();
        assert_ne!(timestamped_path(&dir), first);
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
