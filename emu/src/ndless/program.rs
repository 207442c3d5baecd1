//! Ndless program files: Zehn (bare, or zlib-compressed) and PRG, read and relocated as Ndless's
//! loader does, from the format as the SDK's public-domain `include/zehn.h` describes it.
//!
//! A Zehn file is a header of eight little-endian words ("Zehn", version 1, file size, relocation
//! count, flag count, extra-data size, allocation size, entry offset), the relocations and the
//! flags (a type in the low byte, a 24-bit value above), the extra data (strings the flags point
//! into), then the image: the program's sections at their link addresses from 0, the trailing
//! .bss left out (the allocation size covers it). Ndless finds the header anywhere in the first
//! 20 KiB of a file (wrappers put a loader in front). A PRG file starts with "PRG\0" and is loaded
//! whole, entered at offset 4, and relocates itself.

use std::io::Read;

/// "Zehn", little-endian.
const ZEHN_SIGNATURE: u32 = 0x6E68_655A;
const ZEHN_VERSION: u32 = 1;
/// How far into a file Ndless looks for the Zehn header.
const ZEHN_SEARCH: usize = 20 * 1024;
const PRG_SIGNATURE: &[u8; 4] = b"PRG\0";
/// The largest program this loader takes: more than the CX's SDRAM could hold anyway.
const MAX_ALLOC: u32 = 48 << 20;

/// Relocation types (`Zehn_reloc_type`).
const ADD_BASE: u8 = 0;
const ADD_BASE_GOT: u8 = 1;
const SET_ZERO: u8 = 2;
const FILE_COMPRESSED: u8 = 3;
const UNALIGNED_RELOC: u8 = 4;

/// Flag types (`Zehn_flag_type`) the emulator reports.
const EXECUTABLE_NAME: u8 = 8;

/// A program ready to be placed in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The image, its .bss included, relocated for address 0 (see [`Program::relocated`]).
    image: Vec<u8>,
    /// Where the program starts, from the image's first byte.
    pub entry: u32,
    relocations: Vec<Relocation>,
    /// The name the program gives itself (Zehn's EXECUTABLE_NAME flag), if any.
    pub name: Option<String>,
    /// A PRG file, which relocates its own data (with `nl_relocdatab`).
    pub prg: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relocation {
    /// Add the load address to the word at this offset.
    AddBase(u32),
    /// Add the load address to each word from this offset up to a 0xFFFFFFFF marker (a GOT).
    AddBaseGot(u32),
    /// Clear the word at this offset.
    SetZero(u32),
}

/// Whether `bytes` look like a program Ndless runs: a Zehn header in the first 20 KiB, or a PRG.
pub fn is_program(bytes: &[u8]) -> bool {
    find_zehn(bytes).is_some() || bytes.starts_with(PRG_SIGNATURE)
}

/// The offset of the Zehn header: "Zehn" then version 1, at a word boundary of the first 20 KiB.
fn find_zehn(bytes: &[u8]) -> Option<usize> {
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    (0..bytes.len().min(ZEHN_SEARCH))
        .step_by(4)
        .find(|&at| word(at) == Some(ZEHN_SIGNATURE) && word(at + 4) == Some(ZEHN_VERSION))
}

/// Reads a program file; the error says in a few words what is wrong.
pub fn parse(bytes: &[u8]) -> Result<Program, String> {
    if let Some(at) = find_zehn(bytes) {
        return parse_zehn(&bytes[at..]);
    }
    if bytes.starts_with(PRG_SIGNATURE) {
        return Ok(Program {
            image: bytes.to_vec(),
            entry: 4,
            relocations: Vec::new(),
            name: None,
            prg: true,
        });
    }
    Err("not an Ndless program (no Zehn header in its first 20 KiB, no PRG signature)".into())
}

/// The little-endian word at `at` of `bytes` (which holds it).
fn word_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn parse_zehn(file: &[u8]) -> Result<Program, String> {
    if file.len() < 32 {
        return Err("the Zehn header is truncated".into());
    }
    let [file_size, relocs, flags, extra, alloc, entry] =
        [2, 3, 4, 5, 6, 7].map(|i| word_at(file, 4 * i));
    let tables = 32u64 + 4 * (u64::from(relocs) + u64::from(flags)) + u64::from(extra);
    if u64::from(file_size) > file.len() as u64 || tables > u64::from(file_size) {
        return Err(format!(
            "the Zehn header says {file_size} bytes with {relocs} relocations, {flags} flags and \
             {extra} bytes of extra data, but the file holds {} bytes",
            file.len()
        ));
    }
    let tables = tables as usize;
    // Relocations and flags: a type in the low byte, a 24-bit value above.
    let words = |from: usize, count: u32| -> Vec<(u8, u32)> {
        (0..count as usize)
            .map(|i| word_at(file, from + 4 * i))
            .map(|w| ((w & 0xFF) as u8, w >> 8))
            .collect()
    };
    let reloc_words = words(32, relocs);
    let flag_words = words(32 + 4 * relocs as usize, flags);
    let extra_at = 32 + 4 * (relocs + flags) as usize;
    let extra_data = &file[extra_at..tables];
    let stored = &file[tables..file_size as usize];

    let image_size = alloc
        .checked_sub(tables as u32)
        .filter(|&size| size <= MAX_ALLOC)
        .ok_or_else(|| {
            format!("the Zehn allocation size {alloc} does not fit its headers or memory")
        })?;
    let mut image = if reloc_words.first().map(|&(t, _)| t) == Some(FILE_COMPRESSED) {
        if reloc_words[0].1 != 0 {
            return Err(format!("unknown Zehn compression {}", reloc_words[0].1));
        }
        inflate(stored, image_size as usize)?
    } else {
        stored.to_vec()
    };
    if image.len() > image_size as usize {
        return Err(format!(
            "the Zehn image is {} bytes, more than its allocation of {image_size}",
            image.len()
        ));
    }
    image.resize(image_size as usize, 0);
    if entry >= image_size {
        return Err(format!(
            "the Zehn entry offset {entry:#x} lies outside its image"
        ));
    }

    let mut relocations = Vec::new();
    for (index, &(kind, value)) in reloc_words.iter().enumerate() {
        let relocation = match kind {
            ADD_BASE => Relocation::AddBase(value),
            ADD_BASE_GOT => Relocation::AddBaseGot(value),
            SET_ZERO => Relocation::SetZero(value),
            FILE_COMPRESSED if index == 0 => continue,
            UNALIGNED_RELOC => continue,
            // Ndless refuses a type it does not know, and so must a loader that is to agree.
            _ => {
                return Err(format!(
                    "unknown Zehn relocation type {kind} (entry {index})"
                ))
            }
        };
        let offset = match relocation {
            Relocation::AddBase(o) | Relocation::AddBaseGot(o) | Relocation::SetZero(o) => o,
        };
        if offset as usize + 4 > image.len() {
            return Err(format!(
                "Zehn relocation {index} at {offset:#x} lies outside the image"
            ));
        }
        relocations.push(relocation);
    }
    let name = flag_words
        .iter()
        .find(|&&(kind, _)| kind == EXECUTABLE_NAME)
        .and_then(|&(_, offset)| extra_data.get(offset as usize..))
        .map(|s| {
            let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
            String::from_utf8_lossy(&s[..end]).into_owned()
        });
    Ok(Program {
        image,
        entry,
        relocations,
        name,
        prg: false,
    })
}

/// Inflates a zlib stream of at most `limit` bytes.
fn inflate(stored: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(stored)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the compressed Zehn image is damaged: {e}"))?;
    Ok(out)
}

impl Program {
    /// The bytes of the image, its .bss included, as they must be at address `base`.
    pub fn relocated(&self, base: u32) -> Vec<u8> {
        let mut image = self.image.clone();
        let put = |image: &mut [u8], at: usize, value: u32| {
            image[at..at + 4].copy_from_slice(&value.to_le_bytes());
        };
        // Every offset was checked to hold a word when the file was read.
        for relocation in &self.relocations {
            match *relocation {
                Relocation::AddBase(at) => {
                    let at = at as usize;
                    let value = word_at(&image, at).wrapping_add(base);
                    put(&mut image, at, value);
                }
                Relocation::AddBaseGot(at) => {
                    let mut at = at as usize;
                    while at + 4 <= image.len() && word_at(&image, at) != u32::MAX {
                        let value = word_at(&image, at).wrapping_add(base);
                        put(&mut image, at, value);
                        at += 4;
                    }
                }
                Relocation::SetZero(at) => put(&mut image, at as usize, 0),
            }
        }
        image
    }

    /// The image's size in memory, its .bss included.
    pub fn size(&self) -> u32 {
        self.image.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Zehn file of `image` with these relocation and flag words and extra data.
    fn zehn(
        image: &[u8],
        relocs: &[u32],
        flags: &[u32],
        extra: &[u8],
        bss: u32,
        entry: u32,
    ) -> Vec<u8> {
        let tables = 32 + 4 * (relocs.len() + flags.len()) + extra.len();
        let file_size = (tables + image.len()) as u32;
        let mut file = Vec::new();
        for w in [
            ZEHN_SIGNATURE,
            ZEHN_VERSION,
            file_size,
            relocs.len() as u32,
            flags.len() as u32,
            extra.len() as u32,
            file_size + bss,
            entry,
        ] {
            file.extend(w.to_le_bytes());
        }
        for w in relocs.iter().chain(flags) {
            file.extend(w.to_le_bytes());
        }
        file.extend(extra);
        file.extend(image);
        file
    }

    fn words(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn every_relocation_type_is_applied() {
        // 0: a pointer to offset 8; 4: a GOT of two entries ending at 12; 16: a weak symbol's slot.
        let image = words(&[8, 0x10, 0x20, 0xFFFF_FFFF, 0x1234, 0]);
        let relocs = [
            ADD_BASE as u32,
            (4 << 8) | ADD_BASE_GOT as u32,
            (16 << 8) | SET_ZERO as u32,
            UNALIGNED_RELOC as u32,
        ];
        let extra = b"demo\0\0\0\0";
        let file = zehn(&image, &relocs, &[EXECUTABLE_NAME as u32], extra, 64, 20);
        let program = parse(&file).unwrap();
        assert_eq!(program.entry, 20);
        assert_eq!(program.name.as_deref(), Some("demo"));
        assert_eq!(program.size() as usize, image.len() + 64);
        let at = program.relocated(0x1100_0000);
        assert_eq!(
            &at[..24],
            &words(&[0x1100_0008, 0x1100_0010, 0x1100_0020, 0xFFFF_FFFF, 0, 0])[..]
        );
        assert!(at[24..].iter().all(|&b| b == 0), "the .bss is zero");
    }

    #[test]
    fn a_compressed_image_is_inflated_and_a_wrapper_in_front_is_skipped() {
        let image = words(&[4, 0xE12F_FF1E]);
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut encoder, &image).unwrap();
        let compressed = encoder.finish().unwrap();
        let relocs = [FILE_COMPRESSED as u32, ADD_BASE as u32];
        let mut file = b"PRG\0wrapper code.".to_vec();
        file.resize(512, 0);
        let tables = 32 + 8;
        let mut zehn_file = zehn(&compressed, &relocs, &[], &[], 0, 4);
        // The allocation covers the inflated image, not the stored one.
        let alloc = (tables + image.len()) as u32;
        zehn_file[24..28].copy_from_slice(&alloc.to_le_bytes());
        file.extend(zehn_file);
        let program = parse(&file).unwrap();
        assert_eq!(program.relocated(0x1000), words(&[0x1004, 0xE12F_FF1E]));
    }

    #[test]
    fn a_prg_is_loaded_whole_and_entered_at_offset_4() {
        let program = parse(b"PRG\0\x1e\xff\x2f\xe1").unwrap();
        assert_eq!(program.entry, 4);
        assert_eq!(program.relocated(0x2000), b"PRG\0\x1e\xff\x2f\xe1");
    }

    #[test]
    fn damaged_files_are_refused_in_a_few_words() {
        assert!(parse(b"hello")
            .unwrap_err()
            .contains("not an Ndless program"));
        let image = words(&[0]);
        let mut truncated = zehn(&image, &[ADD_BASE as u32], &[], &[], 0, 0);
        truncated.truncate(truncated.len() - 2);
        assert!(parse(&truncated).unwrap_err().contains("holds"));
        let unknown = zehn(&image, &[9], &[], &[], 0, 0);
        assert!(parse(&unknown)
            .unwrap_err()
            .contains("unknown Zehn relocation type 9"));
        let outside = zehn(&image, &[(64 << 8) | ADD_BASE as u32], &[], &[], 0, 0);
        assert!(parse(&outside).unwrap_err().contains("outside"));
        let entry = zehn(&image, &[], &[], &[], 0, 100);
        assert!(parse(&entry).unwrap_err().contains("entry"));
        let mut huge = zehn(&image, &[], &[], &[], 0, 0);
        huge[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse(&huge).unwrap_err().contains("allocation"));
        let bomb = zehn(
            &[0x78, 0x9C, 1, 2, 3],
            &[FILE_COMPRESSED as u32],
            &[],
            &[],
            0,
            0,
        );
        assert!(parse(&bomb).is_err());
    }
}
