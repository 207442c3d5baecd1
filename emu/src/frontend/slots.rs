//! Save-state slots: ten saved states for each ROM, each with a thumbnail of the LCD and the
//! time it was saved, in the user's data folder (`$XDG_DATA_HOME/emu/states`, or the settings'
//! `slots` folder).
//!
//! A run's slots are in a folder of their own, named for the file the run started from (the
//! ROM, the kernel or the saved state; `demo` for the built-in demo) and the CRC-32 of its
//! contents, so a ROM rebuilt under the same name gets fresh slots and two ROMs of one name
//! do not share theirs. Slot N is `slot-N.state` (as `--save-state` writes it) beside
//! `slot-N.png`, an 80x60 picture of the LCD (each pixel the mean of 4x4); the time shown is
//! the state file's.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use devices::pl111::{HEIGHT, WIDTH};

use super::session::Frame;
use super::setup;
use crate::files;
use crate::machine::Machine;
use crate::snapshot;

/// How many slots a ROM has, numbered 1 to `COUNT` (the keys 1 to 9 and 0 choose them).
pub const COUNT: u8 = 10;

/// A thumbnail's size: the LCD's divided by `SHRINK` each way.
const SHRINK: usize = 4;
pub const THUMB_WIDTH: usize = WIDTH / SHRINK;
pub const THUMB_HEIGHT: usize = HEIGHT / SHRINK;

/// A thumbnail's pixels, 0x00RRGGBB, row by row.
pub type Thumbnail = Vec<u32>;

/// The slots of one ROM, and the one chosen.
pub struct Slots {
    dir: PathBuf,
    /// The slot the save and load keys act on, 1 to `COUNT`.
    pub chosen: u8,
}

/// The file a run starts from (the ROM, the kernel or the saved state), as its slots' folder
/// is named: its file name and the CRC-32 of its contents, taken from the bytes the run was
/// built from, so that the file is read once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    name: String,
    crc: u32,
}

impl Origin {
    /// The file at `path`, which holds `bytes`.
    pub fn file(path: &Path, bytes: &[u8]) -> Origin {
        let name = path
            .file_name()
            .map_or("rom".into(), |n| n.to_string_lossy().into_owned());
        Origin::named(&name, bytes)
    }

    /// The built-in demo.
    pub fn demo() -> Origin {
        Origin::named("demo", setup::DEMO_ROM)
    }

    /// A file called `name` holding `bytes`.
    pub fn named(name: &str, bytes: &[u8]) -> Origin {
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        Origin {
            name: name.to_string(),
            crc: crc.sum(),
        }
    }
}

impl Slots {
    /// The slots of the run that started from `origin`, under `root`.
    pub fn in_folder(root: &Path, origin: &Origin) -> Slots {
        // Only what every file system takes: a name of letters, digits, `.`, `-` and `_`.
        let safe: String = origin
            .name
            .chars()
            .map(|c| match c.is_ascii_alphanumeric() || "._-".contains(c) {
                true => c,
                false => '_',
            })
            .collect();
        Slots {
            dir: root.join(format!("{safe}-{:08x}", origin.crc)),
            chosen: 1,
        }
    }

    /// The folder holding this ROM's slots.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Slot `slot`'s state file.
    pub fn state_path(&self, slot: u8) -> PathBuf {
        self.dir.join(format!("slot-{slot}.state"))
    }

    fn thumbnail_path(&self, slot: u8) -> PathBuf {
        self.dir.join(format!("slot-{slot}.png"))
    }

    /// Saves `machine` in the chosen slot with `frame` (the LCD now) as its thumbnail; what
    /// happened, for the person.
    pub fn save(&self, machine: &Machine, frame: &Frame) -> Result<String, String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        snapshot::save(machine, &self.state_path(self.chosen))?;
        save_thumbnail(&shrink(frame), &self.thumbnail_path(self.chosen))?;
        Ok(format!("saved slot {}", self.chosen))
    }

    /// Loads the chosen slot into `machine` (unchanged on an error); what happened.
    pub fn load(&self, machine: &mut Machine) -> Result<String, String> {
        let path = self.state_path(self.chosen);
        if !path.exists() {
            return Err(format!("slot {} is empty", self.chosen));
        }
        snapshot::load(machine, &path)?;
        Ok(format!("loaded slot {}", self.chosen))
    }

    /// The chosen slot as the person is told of it: its number and when it was saved.
    pub fn describe(&self) -> String {
        match saved_at(&self.state_path(self.chosen)) {
            Some(seconds) => format!(
                "slot {}: saved {} UTC",
                self.chosen,
                files::utc_stamp(seconds)
            ),
            None => format!("slot {}: empty", self.chosen),
        }
    }

    /// The slot saved last, if any is saved.
    pub fn latest(&self) -> Option<u8> {
        (1..=COUNT)
            .filter_map(|slot| saved_at(&self.state_path(slot)).map(|at| (at, slot)))
            .max()
            .map(|(_, slot)| slot)
    }

    /// The chosen slot's thumbnail, if it has one that reads as one.
    pub fn thumbnail(&self) -> Option<Thumbnail> {
        read_thumbnail(&self.thumbnail_path(self.chosen)).ok()
    }
}

/// When the file at `path` was last written, in seconds since 1970, if it exists.
fn saved_at(path: &Path) -> Option<u64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(
        modified
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}

/// `frame` shrunk `SHRINK` times each way, each pixel the mean of the block it stands for.
fn shrink(frame: &Frame) -> Thumbnail {
    let mut out = Vec::with_capacity(THUMB_WIDTH * THUMB_HEIGHT);
    for ty in 0..THUMB_HEIGHT {
        for tx in 0..THUMB_WIDTH {
            let mut sum = [0u32; 3];
            for y in ty * SHRINK..(ty + 1) * SHRINK {
                for &pixel in &frame[y * WIDTH + tx * SHRINK..y * WIDTH + (tx + 1) * SHRINK] {
                    for (channel, total) in sum.iter_mut().enumerate() {
                        *total += pixel >> (16 - 8 * channel) & 0xFF;
                    }
                }
            }
            let n = (SHRINK * SHRINK) as u32;
            out.push((sum[0] / n) << 16 | (sum[1] / n) << 8 | (sum[2] / n));
        }
    }
    out
}

fn save_thumbnail(thumbnail: &Thumbnail, path: &Path) -> Result<(), String> {
    files::write_whole(path, |temp| {
        let mut out = BufWriter::new(File::create(temp)?);
        let mut encoder = png::Encoder::new(&mut out, THUMB_WIDTH as u32, THUMB_HEIGHT as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        let data: Vec<u8> = thumbnail
            .iter()
            .flat_map(|&p| [(p >> 16) as u8, (p >> 8) as u8, p as u8])
            .collect();
        writer.write_image_data(&data)?;
        writer.finish()?;
        out.flush()
    })
}

/// A thumbnail as `save_thumbnail` writes it; anything else is refused.
fn read_thumbnail(path: &Path) -> Result<Thumbnail, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = File::open(path).map_err(|e| fail(&e))?;
    let mut reader = png::Decoder::new(BufReader::new(file))
        .read_info()
        .map_err(|e| fail(&e))?;
    let info = reader.info();
    let expected = (THUMB_WIDTH as u32, THUMB_HEIGHT as u32, png::ColorType::Rgb);
    if (info.width, info.height, info.color_type) != expected
        || info.bit_depth != png::BitDepth::Eight
    {
        return Err(fail(&"not a thumbnail of emu's"));
    }
    let mut data = vec![0; THUMB_WIDTH * THUMB_HEIGHT * 3];
    reader.next_frame(&mut data).map_err(|e| fail(&e))?;
    Ok(data
        .chunks_exact(3)
        .map(|p| u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::session::{blank_frame, busy_machine};

    /// A slot saved holds the machine's state and a thumbnail of the mean colours; the slot
    /// saved last is the latest; an empty slot says so and loads nothing.
    #[test]
    fn slots_save_load_and_describe() {
        let root = std::env::temp_dir().join(format!("emu-slots-{}", std::process::id()));
        let mut slots = Slots::in_folder(&root, &Origin::named("my rom.bin", b"bytes"));
        // The CRC-32 of "bytes", as zlib.crc32(b"bytes") gives it.
        assert!(
            slots.dir().ends_with("my_rom.bin-b19943ce"),
            "{:?}",
            slots.dir()
        );
        assert_eq!(slots.latest(), None);
        assert_eq!(slots.describe(), "slot 1: empty");

        let mut machine = busy_machine();
        machine.run_cycles(1000);
        let mut frame = blank_frame();
        // The first block: half white, half black; the second: all 0x102030.
        for y in 0..SHRINK {
            frame[y * WIDTH..y * WIDTH + SHRINK / 2].fill(0x00FF_FFFF);
            frame[y * WIDTH + SHRINK..y * WIDTH + 2 * SHRINK].fill(0x0010_2030);
        }
        slots.chosen = 3;
        assert_eq!(slots.save(&machine, &frame).unwrap(), "saved slot 3");
        assert_eq!(slots.latest(), Some(3));
        assert!(slots.describe().starts_with("slot 3: saved 20"));
        let thumbnail = slots.thumbnail().unwrap();
        assert_eq!(&thumbnail[..3], &[0x007F_7F7F, 0x0010_2030, 0]);

        let saved = snapshot::text(&machine).unwrap();
        machine.run_cycles(1000);
        assert_ne!(snapshot::text(&machine).unwrap(), saved);
        assert_eq!(slots.load(&mut machine).unwrap(), "loaded slot 3");
        assert_eq!(snapshot::text(&machine).unwrap(), saved);

        slots.chosen = 10;
        assert_eq!(slots.load(&mut machine).unwrap_err(), "slot 10 is empty");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
