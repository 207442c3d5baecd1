//! The disassembler (`emu::disasm`) against GNU objdump, line by line.
//!
//! Corpora: every executable section of every ELF under `roms/` and every `roms/**/*.bin`
//! (found at test time, each read as ARM words and as a Thumb halfword stream), and a large
//! deterministic set of random encodings biased to reach every instruction class.
//!
//! The oracle is Debian's `arm-none-eabi-objdump` (binutils 2.40), run on each corpus as a raw
//! binary: `-D -z -b binary -m armv5tej -EL [-M force-thumb] --adjust-vma=BASE`. ARMv5TEJ rather
//! than ARMv5TE because the ARM926EJ-S has BXJ, the only difference between the two to objdump.
//! When objdump is not installed (set `DISASM_OBJDUMP` to use another binary, or to `none` to
//! force this), the comparison is against `tests/data/disasm/objdump-{arm,thumb}.txt.gz`, objdump's
//! listings of the random corpora and of the ROMs as they were then (see [`Recorded`]); a ROM
//! added or changed since fails, saying to install objdump and record it. `DISASM_BLESS=1`
//! rewrites those files from a live objdump.
//!
//! The two must agree on every instruction but where [`Allowed`] lists a difference and why.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use emu::disasm::{disassemble_arm, disassemble_thumb};

const RANDOM_ARM_WORDS: usize = 200_000;
const RANDOM_THUMB_HALFWORDS: usize = 100_000;
/// Where the random corpora sit; the Thumb one near the top of the address space so that
/// branch targets wrap.
const RANDOM_ARM_BASE: u32 = 0;
const RANDOM_THUMB_BASE: u32 = 0xFFFC_0000;
/// Mismatches printed in full before the rest are only counted.
const REPORT: usize = 60;

/// Where the disassembler may disagree with objdump, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Allowed {
    /// objdump enables every coprocessor extension whatever `-m` says, and prints coprocessor 0
    /// as XScale DSP (MIA, MAR, MRA), 1 and 2 as FPA, 4 to 6 as Maverick and 10 and 11 as
    /// VFP/Advanced SIMD instructions, and LDC/STC to coprocessor 15 with bit 7 set as
    /// Armv8.1-M's VLDR/VSTR of the FP system registers. The ARM926EJ-S has none of these; the
    /// disassembler prints what objdump's generic coprocessor table does (CDP, LDC, MCR, ...,
    /// or UNDEFINED where that table skips 10 and 11).
    CoprocessorExtension,
    /// Advanced SIMD in the unconditional space (0xF2, 0xF3 and 0xF4 in bits 31:24), and the
    /// ARMv8.2-8.6 dot product, BF16 and Int8 matrix instructions on coprocessors 8, 12 and 13
    /// of the "2" space (0xFC-0xFE): UNDEFINED on ARMv5TE and printed so, or as the generic
    /// CDP2/LDC2/MCR2/... forms.
    AdvancedSimd,
    /// objdump prints PLD for any word of the form 1111 01x1 x101 xxxx 1111 (its entry does not
    /// check P, bit 24, nor bit 4 of the register form). ARMv5TE has no post-indexed PLD and no
    /// register-shifted offset: with P clear, or with a register offset and bit 4 set (the
    /// architecturally undefined space), the word is UNDEFINED, as the CPU executes it, and is
    /// printed so.
    Pld,
    /// A halfword from 0xE800 up that is not half of a BL/BLX pair: objdump reads it and the next
    /// as a 32-bit Thumb-2 instruction (it decodes those whatever `-m` says), ARMv5T executes it
    /// as a 16-bit instruction of its own (a BL/BLX prefix or suffix alone, or UNDEFINED).
    Thumb2,
    /// Inside the block of a Thumb-2 IT instruction objdump adds the block's conditions to the
    /// instructions; that needs the preceding instructions, and the disassembler sees one.
    ItBlock,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Arm,
    Thumb,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Arm => "arm",
            Mode::Thumb => "thumb",
        }
    }
}

/// A run of bytes to disassemble from `base`.
struct Corpus {
    name: String,
    base: u32,
    bytes: Vec<u8>,
}

impl Corpus {
    /// Identifies the corpus's contents in the expected file.
    fn hash(&self, mode: Mode) -> u64 {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        let header = [mode.name().as_bytes(), &self.base.to_le_bytes()].concat();
        for &b in header.iter().chain(&self.bytes) {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3);
        }
        h
    }
}

/// objdump's listing of a corpus: the size in bytes and the text of each instruction, in order.
type Listing = Vec<(u32, String)>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn expected_path(mode: Mode) -> PathBuf {
    root()
        .join("tests/data/disasm")
        .join(format!("objdump-{}.txt.gz", mode.name()))
}

/// xorshift64*: deterministic across platforms and runs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// ARM templates `(mask, value)`: a word is `value` with the bits outside `mask` random. One per
/// instruction class, some several times over (weighted), and the exact encodings objdump names.
const ARM_TEMPLATES: &[(u32, u32)] = &[
    // Data processing: immediate, immediate shift, register shift; MOV and friends with Rn = 0.
    (0x0E00_0000, 0x0200_0000),
    (0x0E00_0010, 0x0000_0000),
    (0x0E00_0010, 0x0000_0000),
    (0x0E00_0090, 0x0000_0010),
    (0x0FEF_0000, 0x01A0_0000),
    (0x0FEF_0000, 0x03A0_0000),
    (0x0FEF_0FF0, 0x01A0_0000),
    (0x0E00_0F00, 0x0200_0000),
    // The TST..CMN space without S: MRS, MSR, the miscellaneous instructions.
    (0x0F90_0000, 0x0100_0000),
    (0x0F90_0000, 0x0100_0000),
    (0x0FB0_0CFF, 0x0100_0000),
    (0x0DB0_F000, 0x0120_F000),
    (0x0FB0_FFF0, 0x0120_F000),
    (0x0FFF_FFC0, 0x012F_FF00),
    (0x0FFF_0FF0, 0x016F_0F10),
    (0xFFF0_00F0, 0xE120_0070),
    (0xFFF0_00F0, 0xE100_0070),
    (0x0F90_0090, 0x0100_0080),
    (0x0F90_0FF0, 0x0100_0050),
    // Multiplies, swaps, load-acquire/store-release, extra loads and stores.
    (0x0F00_00F0, 0x0000_0090),
    (0x0F00_00F0, 0x0100_0090),
    (0x0F80_0FFF, 0x0180_0C9F),
    (0x0F80_0FF0, 0x0180_0E90),
    (0x0F80_FFF0, 0x0180_FC90),
    (0x0E00_0090, 0x0000_0090),
    (0x0E00_0090, 0x0000_0090),
    (0x0E40_0F90, 0x0000_0090),
    (0x0E4F_0090, 0x004F_0090),
    // Loads and stores of words and bytes, PC-relative, PUSH/POP of one register, UDF.
    (0x0C00_0000, 0x0400_0000),
    (0x0C00_0000, 0x0400_0000),
    (0x0E00_0010, 0x0600_0000),
    (0x0C0F_0000, 0x040F_0000),
    (0x0FFF_0FFF, 0x052D_0004),
    (0x0FFF_0FFF, 0x049D_0004),
    (0xFFF0_00F0, 0xE7F0_00F0),
    (0x0E00_0010, 0x0600_0010),
    // Block transfers, with SP and writeback, one register, or none.
    (0x0E00_0000, 0x0800_0000),
    (0x0FDF_0000, 0x089D_0000),
    (0x0FDF_0000, 0x090D_0000),
    (0x0FFF_FFFF, 0x08BD_0000),
    // Branches, SWI (and the two IMB numbers).
    (0x0E00_0000, 0x0A00_0000),
    (0x0F00_0000, 0x0F00_0000),
    (0x0FFF_FFFE, 0x0FF0_0000),
    // Coprocessors: LDC/STC, MCRR/MRRC, CDP, MCR/MRC.
    (0x0E00_0000, 0x0C00_0000),
    (0x0FE0_0000, 0x0C40_0000),
    (0x0F00_0010, 0x0E00_0000),
    (0x0F00_0010, 0x0E00_0010),
    (0x0F00_0010, 0x0E00_0010),
    (0x0F10_F010, 0x0E10_F010),
    (0x0E0F_0000, 0x0C0F_0000),
    // Unconditional: BLX, PLD, the coprocessor "2" forms, and the rest.
    (0xFE00_0000, 0xFA00_0000),
    (0xFC70_F000, 0xF450_F000),
    (0xFC50_F000, 0xF450_F000),
    (0xFE00_0000, 0xFC00_0000),
    (0xFF00_0000, 0xFE00_0000),
    (0xF000_0000, 0xF000_0000),
    // Exact encodings.
    (0xFFFF_FFFF, 0xE1A0_0000),
    (0xFFFF_FFFF, 0xE320_F014),
    (0xFFFF_FFFF, 0xF57F_F040),
    (0xFFFF_FFFF, 0xF57F_F044),
    (0xFFFF_FFFF, 0xE320_F000),
];

fn random_arm(rng: &mut Rng) -> u32 {
    if rng.below(5) == 0 {
        return rng.next();
    }
    let (mask, value) = ARM_TEMPLATES[rng.below(ARM_TEMPLATES.len() as u32) as usize];
    let mut w = (rng.next() & !mask) | value;
    if mask & 0xF000_0000 == 0 {
        // Mostly AL; never 0b1111, which is another space.
        w = (w & 0x0FFF_FFFF)
            | if rng.below(3) == 0 {
                rng.below(15) << 28
            } else {
                0xE000_0000
            };
    }
    // Bias the register fields to the PC and to each other, and small immediates.
    match rng.below(12) {
        0 => w |= 0x000F_0000 & !mask,
        1 => w |= 0x0000_F000 & !mask,
        2 => w |= 0x0000_000F & !mask,
        3 => w = (w & !(0x0000_F000 & !mask)) | (((w >> 16) & 15) << 12 & !mask),
        4 => w = (w & !(0x0000_000F & !mask)) | (((w >> 12) & 15) & !mask),
        5 => w &= !(0x0000_0F00 & !mask),
        _ => {}
    }
    w
}

/// Thumb templates `(mask, value)`, as for ARM.
const THUMB_TEMPLATES: &[(u16, u16)] = &[
    (0xE000, 0x0000),
    (0xF800, 0x1800),
    (0xE000, 0x2000),
    (0xFC00, 0x4000),
    (0xFC00, 0x4400),
    (0xFF00, 0x4700),
    (0xF800, 0x4800),
    (0xF000, 0x5000),
    (0xE000, 0x6000),
    (0xF000, 0x8000),
    (0xF000, 0x9000),
    (0xF000, 0xA000),
    (0xF000, 0xB000),
    (0xF000, 0xB000),
    (0xFF00, 0xB600),
    (0xF000, 0xC000),
    (0xF000, 0xD000),
    (0xFE00, 0xDE00),
    (0xF800, 0xE000),
    (0xFFFF, 0x46C0),
    (0xFF0F, 0xBF00),
];

/// A Thumb halfword stream: templates, random halfwords, BL/BLX pairs and lone halves, and
/// the odd IT.
fn random_thumb(rng: &mut Rng, n: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        match rng.below(16) {
            0..=2 => out.push(rng.below(0xE800) as u16),
            3 => {
                // A BL or BLX pair.
                out.push(0xF000 | rng.below(0x800) as u16);
                let suffix = if rng.below(2) == 0 { 0xF800 } else { 0xE800 };
                out.push(suffix | rng.below(0x800) as u16);
            }
            4 if rng.below(4) == 0 => out.push(0xE800 | rng.below(0x1800) as u16),
            5 if rng.below(8) == 0 => out.push(0xBF00 | rng.below(0x100) as u16),
            _ => {
                let (mask, value) =
                    THUMB_TEMPLATES[rng.below(THUMB_TEMPLATES.len() as u32) as usize];
                out.push((rng.next() as u16 & !mask) | value);
            }
        }
    }
    out.truncate(n);
    out
}

/// Every executable section of the ROMs: ELF sections with SHF_EXECINSTR, and `.bin` files whole
/// (from address 0, where a raw ROM is mapped).
fn rom_corpora() -> Vec<Corpus> {
    let mut files = Vec::new();
    collect_files(&root().join("roms"), &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let Ok(bytes) = fs::read(&path) else { continue };
        if name.ends_with(".bin") {
            out.push(Corpus {
                name,
                base: 0,
                bytes,
            });
        } else {
            for (section, base, code) in elf_code_sections(&bytes) {
                out.push(Corpus {
                    name: format!("{name}:{section}"),
                    base,
                    bytes: code,
                });
            }
        }
    }
    out
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "bin" || e == "elf") {
            out.push(path);
        }
    }
}

/// `(name, address, bytes)` of each SHF_EXECINSTR PROGBITS section of a little-endian ELF32.
fn elf_code_sections(elf: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let u16_at = |o: usize| {
        elf.get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |o: usize| {
        elf.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if elf.get(0..6) != Some(b"\x7fELF\x01\x01") {
        return Vec::new();
    }
    let (Some(shoff), Some(shentsize), Some(shnum), Some(shstrndx)) =
        (u32_at(0x20), u16_at(0x2E), u16_at(0x30), u16_at(0x32))
    else {
        return Vec::new();
    };
    let header = |i: usize| shoff as usize + i * shentsize;
    let names = u32_at(header(shstrndx) + 0x10).unwrap_or(0) as usize;
    let mut out = Vec::new();
    for i in 0..shnum {
        let h = header(i);
        let (Some(name), Some(kind), Some(flags), Some(addr), Some(offset), Some(size)) = (
            u32_at(h),
            u32_at(h + 4),
            u32_at(h + 8),
            u32_at(h + 0x0C),
            u32_at(h + 0x10),
            u32_at(h + 0x14),
        ) else {
            continue;
        };
        const SHT_PROGBITS: u32 = 1;
        const SHF_EXECINSTR: u32 = 4;
        if kind != SHT_PROGBITS || flags & SHF_EXECINSTR == 0 {
            continue;
        }
        let Some(code) = elf.get(offset as usize..(offset as usize).saturating_add(size as usize))
        else {
            continue;
        };
        let name: String = elf[names + name as usize..]
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| b as char)
            .collect();
        out.push((name, addr, code.to_vec()));
    }
    out
}

/// The corpora of one mode, the bytes trimmed to whole instructions. A Thumb stream does not
/// end on a halfword from 0xE800 up, which objdump would read past the end.
fn corpora(mode: Mode) -> Vec<Corpus> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let random = match mode {
        Mode::Arm => Corpus {
            name: "random".into(),
            base: RANDOM_ARM_BASE,
            bytes: (0..RANDOM_ARM_WORDS)
                .flat_map(|_| random_arm(&mut rng).to_le_bytes())
                .collect(),
        },
        Mode::Thumb => Corpus {
            name: "random".into(),
            base: RANDOM_THUMB_BASE,
            bytes: random_thumb(&mut rng, RANDOM_THUMB_HALFWORDS)
                .into_iter()
                .flat_map(u16::to_le_bytes)
                .collect(),
        },
    };
    let mut all = vec![random];
    all.extend(rom_corpora());
    for c in &mut all {
        match mode {
            Mode::Arm => c.bytes.truncate(c.bytes.len() & !3),
            Mode::Thumb => {
                c.bytes.truncate(c.bytes.len() & !1);
                while c.bytes.len() >= 2 && c.bytes[c.bytes.len() - 1] >= 0xE8 {
                    c.bytes.truncate(c.bytes.len() - 2);
                }
            }
        }
    }
    all
}

/// The objdump to run, if any.
fn objdump_program() -> Option<String> {
    let program = std::env::var("DISASM_OBJDUMP").unwrap_or("arm-none-eabi-objdump".into());
    if program == "none" {
        return None;
    }
    Command::new(&program)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| program)
}

/// Runs objdump on a corpus and parses its listing.
fn run_objdump(program: &str, mode: Mode, corpus: &Corpus) -> Listing {
    let dir =
        std::env::temp_dir().join(format!("emu-disasm-{}-{}", std::process::id(), mode.name()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("corpus.bin");
    fs::write(&file, &corpus.bytes).unwrap();
    let mut cmd = Command::new(program);
    cmd.args(["-D", "-z", "-b", "binary", "-m", "armv5tej", "-EL"]);
    if mode == Mode::Thumb {
        cmd.args(["-M", "force-thumb"]);
    }
    cmd.arg(format!("--adjust-vma={:#x}", corpus.base))
        .arg(&file);
    let output = cmd.output().expect("objdump runs");
    fs::remove_file(&file).ok();
    fs::remove_dir(&dir).ok();
    assert!(
        output.status.success(),
        "{program} failed on {}: {}",
        corpus.name,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("objdump prints UTF-8");
    let listing = parse_listing(&text);
    check_bytes(mode, corpus, &listing, &text);
    listing.into_iter().map(|(size, _, t)| (size, t)).collect()
}

/// Parses objdump's `  addr:\t<hex> \t<text>` lines into (size, hex, text).
fn parse_listing(text: &str) -> Vec<(u32, String, String)> {
    let mut out = Vec::new();
    let body = text.split_once(">:\n").map_or("", |(_, b)| b);
    for line in body.lines() {
        let Some((addr, rest)) = line.split_once(":\t") else {
            assert!(line.trim().is_empty(), "unexpected objdump line {line:?}");
            continue;
        };
        assert!(
            addr.trim().chars().all(|c| c.is_ascii_hexdigit()),
            "unexpected objdump line {line:?}"
        );
        let (hex, text) = rest.split_once('\t').unwrap_or((rest, ""));
        let size = hex.split_whitespace().map(|t| t.len() as u32 / 2).sum();
        out.push((size, hex.trim().to_string(), text.to_string()));
    }
    out
}

/// objdump's hex column must be the corpus's bytes, instruction by instruction.
fn check_bytes(mode: Mode, corpus: &Corpus, listing: &[(u32, String, String)], raw: &str) {
    let mut offset = 0;
    for (size, hex, _) in listing {
        let units: Vec<String> = match mode {
            Mode::Arm => vec![format!("{:08x}", le32(&corpus.bytes, offset))],
            Mode::Thumb => (0..*size as usize / 2)
                .map(|i| format!("{:04x}", le16(&corpus.bytes, offset + 2 * i)))
                .collect(),
        };
        assert_eq!(
            hex,
            &units.join(" "),
            "{}: objdump listing out of step at offset {offset:#x}:\n{raw:.2000}",
            corpus.name
        );
        offset += *size as usize;
    }
    assert_eq!(
        offset,
        corpus.bytes.len(),
        "{}: objdump listing short",
        corpus.name
    );
}

fn le32(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn le16(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}

/// Instructions per checksum in a recorded listing.
const BLOCK: usize = 256;

/// objdump's listing of a corpus as recorded: a checksum of each block of [`BLOCK`] entries, and
/// in full only the entries where the disassembler printed something else when it was recorded
/// (by byte offset). Everywhere else objdump printed what the disassembler prints, so the
/// listing is rebuilt from the disassembler and checked against the checksums.
struct Recorded {
    corpus_hash: u64,
    blocks: Vec<u64>,
    differences: HashMap<usize, (u32, String)>,
}

/// The disassembler's (size, text) at a byte offset of a corpus.
fn ours_at(mode: Mode, corpus: &Corpus, offset: usize) -> (u32, String) {
    let addr = corpus.base.wrapping_add(offset as u32);
    match mode {
        Mode::Arm => (4, disassemble_arm(le32(&corpus.bytes, offset), addr)),
        Mode::Thumb => {
            let next = (offset + 4 <= corpus.bytes.len()).then(|| le16(&corpus.bytes, offset + 2));
            let (text, size) = disassemble_thumb(le16(&corpus.bytes, offset), next, addr);
            (size, text)
        }
    }
}

fn block_checksums(listing: &Listing) -> Vec<u64> {
    listing
        .chunks(BLOCK)
        .map(|block| {
            let mut h: u64 = 0xCBF2_9CE4_8422_2325;
            for (size, text) in block {
                for b in format!("{size}\t{text}\n").bytes() {
                    h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3);
                }
            }
            h
        })
        .collect()
}

/// Rebuilds objdump's listing of a corpus from a recording, or says which entries of it the
/// disassembler no longer reproduces.
fn rebuild(mode: Mode, corpus: &Corpus, recorded: &Recorded) -> Result<Listing, String> {
    let mut listing = Listing::new();
    let mut offset = 0;
    while offset < corpus.bytes.len() {
        let entry = match recorded.differences.get(&offset) {
            Some(entry) => entry.clone(),
            None => ours_at(mode, corpus, offset),
        };
        offset += entry.0 as usize;
        listing.push(entry);
    }
    let checksums = block_checksums(&listing);
    let bad = (0..checksums.len().max(recorded.blocks.len()))
        .find(|&i| checksums.get(i) != recorded.blocks.get(i) || offset != corpus.bytes.len());
    match bad {
        None => Ok(listing),
        Some(i) => {
            let first = i * BLOCK;
            let offset: u32 = listing[..first.min(listing.len())]
                .iter()
                .map(|e| e.0)
                .sum();
            Err(format!(
                "{}: the disassembly of the {BLOCK} instructions from {:#010x} differs from \
                 objdump's recorded listing; run with arm-none-eabi-objdump installed to see how",
                corpus.name,
                corpus.base.wrapping_add(offset)
            ))
        }
    }
}

fn read_expected(mode: Mode) -> HashMap<String, Recorded> {
    let mut out = HashMap::new();
    let Ok(file) = fs::File::open(expected_path(mode)) else {
        return out;
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("the recorded listings are gzip text");
    let mut current: Option<(String, Recorded)> = None;
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("corpus ") {
            out.extend(current.take());
            let (hash, name) = header.split_once(' ').expect("corpus header");
            let recorded = Recorded {
                corpus_hash: u64::from_str_radix(hash, 16).expect("corpus hash"),
                blocks: Vec::new(),
                differences: HashMap::new(),
            };
            current = Some((name.to_string(), recorded));
        } else if let Some((_, recorded)) = current.as_mut() {
            if let Some(blocks) = line.strip_prefix("blocks ") {
                recorded.blocks = blocks
                    .split(' ')
                    .map(|h| u64::from_str_radix(h, 16).expect("block checksum"))
                    .collect();
            } else {
                // "offset size text"
                let (offset, rest) = line.split_once(' ').expect("recorded entry");
                let offset = offset.parse().expect("recorded offset");
                let size = if rest.starts_with('4') { 4 } else { 2 };
                recorded
                    .differences
                    .insert(offset, (size, rest[1..].to_string()));
            }
        }
    }
    out.extend(current);
    out
}

fn write_expected(mode: Mode, recorded: &[(&Corpus, Listing)]) {
    let mut text = String::new();
    for (corpus, listing) in recorded {
        writeln!(text, "corpus {:016x} {}", corpus.hash(mode), corpus.name).unwrap();
        let blocks: Vec<String> = block_checksums(listing)
            .iter()
            .map(|h| format!("{h:016x}"))
            .collect();
        writeln!(text, "blocks {}", blocks.join(" ")).unwrap();
        let mut offset = 0;
        for entry in listing {
            if ours_at(mode, corpus, offset) != *entry {
                writeln!(text, "{offset} {}{}", entry.0, entry.1).unwrap();
            }
            offset += entry.0 as usize;
        }
    }
    let path = expected_path(mode);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(text.as_bytes()).unwrap();
    fs::write(&path, gz.finish().unwrap()).unwrap();
}

/// Whether a difference on an ARM word is one of the [`Allowed`] ones: objdump printed an
/// extension's instruction, or PLD, where the disassembler printed a generic coprocessor form or
/// UNDEFINED.
fn allowed_arm(word: u32, ours: &str, theirs: &str) -> Option<Allowed> {
    let generic = [
        "cdp",
        "ldc",
        "stc",
        "mcr",
        "mrc",
        "mrrc",
        "\t\t@ <UNDEFINED>",
    ];
    if !generic.iter().any(|g| ours.starts_with(g)) || generic.iter().any(|g| theirs.starts_with(g))
    {
        return None;
    }
    if theirs.starts_with("pld\t") && (word & 0x0100_0000 == 0 || word & 0x0200_0010 == 0x0200_0010)
    {
        return Some(Allowed::Pld);
    }
    let coprocessor_space = (word >> 25) & 7 == 0b110 || (word >> 24) & 15 == 0b1110;
    let unconditional = word >> 28 == 0xF;
    let cp = (word >> 8) & 15;
    if coprocessor_space && [0, 1, 2, 4, 5, 6, 10, 11].contains(&cp) {
        return Some(Allowed::CoprocessorExtension);
    }
    // Armv8.1-M's VLDR/VSTR of the FP system registers: LDC/STC to coprocessor 15 with bit 7
    // set, bit 12 clear and P or W set.
    if word & 0xFE00_1F80 == 0xEC00_0F80 && word & 0x0120_0000 != 0 {
        return Some(Allowed::CoprocessorExtension);
    }
    // ARMv8.2-8.6 dot products, BF16 and Int8 matrix multiplies in the "2" coprocessor space,
    // and Advanced SIMD proper.
    if unconditional && coprocessor_space && [8, 12, 13].contains(&cp)
        || matches!(word >> 24, 0xF2..=0xF4)
    {
        return Some(Allowed::AdvancedSimd);
    }
    None
}

#[derive(Default)]
struct Report {
    compared: usize,
    agreed: usize,
    allowed: BTreeMap<(Allowed, String), usize>,
    /// Halfwords objdump read as the second half of a 32-bit instruction.
    not_compared: usize,
    failures: Vec<String>,
}

impl Report {
    fn allow(&mut self, why: Allowed, corpus: &str) {
        let key = if corpus == "random" { "random" } else { "roms" };
        *self.allowed.entry((why, key.to_string())).or_default() += 1;
    }

    fn fail(&mut self, corpus: &Corpus, addr: u32, hex: String, ours: &str, theirs: &str) {
        self.failures.push(format!(
            "{} {addr:#010x}: {hex}\n    ours:    {ours:?}\n    objdump: {theirs:?}",
            corpus.name
        ));
    }
}

fn compare_arm(corpus: &Corpus, listing: &Listing, report: &mut Report) {
    assert_eq!(listing.len() * 4, corpus.bytes.len(), "{}", corpus.name);
    for (i, (_, theirs)) in listing.iter().enumerate() {
        let word = le32(&corpus.bytes, i * 4);
        let addr = corpus.base.wrapping_add(4 * i as u32);
        let ours = disassemble_arm(word, addr);
        report.compared += 1;
        if ours == *theirs {
            report.agreed += 1;
        } else if let Some(why) = allowed_arm(word, &ours, theirs) {
            report.allow(why, &corpus.name);
        } else {
            report.fail(corpus, addr, format!("{word:08x}"), &ours, theirs);
        }
    }
}

fn compare_thumb(corpus: &Corpus, listing: &Listing, report: &mut Report) {
    let halfwords: Vec<u16> = (0..corpus.bytes.len() / 2)
        .map(|i| le16(&corpus.bytes, 2 * i))
        .collect();
    // objdump's instructions by offset, and which of them an IT block governs.
    let mut by_offset = HashMap::new();
    let (mut offset, mut it_left) = (0usize, 0u32);
    for (size, text) in listing {
        let hw = halfwords[offset / 2];
        by_offset.insert(offset, (*size, text.as_str(), it_left > 0));
        it_left = it_left.saturating_sub(1);
        if hw & 0xFF00 == 0xBF00 && hw & 0xF != 0 && text.starts_with("it") {
            // IT, ITT, ITTT, ITTTT (and E variants): that many conditional instructions.
            it_left = 4 - (hw & 0xF).trailing_zeros();
        }
        offset += *size as usize;
    }
    let mut i = 0;
    while i < halfwords.len() {
        let addr = corpus.base.wrapping_add(2 * i as u32);
        let (ours, size) = disassemble_thumb(halfwords[i], halfwords.get(i + 1).copied(), addr);
        let hex = halfwords[i..(i + size as usize / 2).min(halfwords.len())]
            .iter()
            .map(|h| format!("{h:04x}"))
            .collect::<Vec<_>>()
            .join(" ");
        match by_offset.get(&(2 * i)) {
            None => report.not_compared += 1,
            Some(&(their_size, theirs, in_it)) => {
                report.compared += 1;
                if their_size == size && ours == theirs {
                    report.agreed += 1;
                } else if in_it {
                    report.allow(Allowed::ItBlock, &corpus.name);
                } else if halfwords[i] >= 0xE800 && size == 2 && their_size == 4 {
                    report.allow(Allowed::Thumb2, &corpus.name);
                } else {
                    report.fail(corpus, addr, hex, &ours, theirs);
                }
            }
        }
        i += size as usize / 2;
    }
}

fn check(mode: Mode) {
    let start = Instant::now();
    let program = objdump_program();
    let bless = std::env::var("DISASM_BLESS").is_ok_and(|v| v == "1");
    assert!(
        program.is_some() || !bless,
        "DISASM_BLESS needs objdump; set DISASM_OBJDUMP"
    );
    let expected = if program.is_none() {
        read_expected(mode)
    } else {
        HashMap::new()
    };
    let mut report = Report::default();
    let corpora = corpora(mode);
    let mut recorded = Vec::new();
    for corpus in &corpora {
        let listing = match &program {
            Some(p) => run_objdump(p, mode, corpus),
            None => match expected.get(&corpus.name) {
                Some(r) if r.corpus_hash == corpus.hash(mode) => match rebuild(mode, corpus, r) {
                    Ok(listing) => listing,
                    Err(e) => {
                        report.failures.push(e);
                        continue;
                    }
                },
                _ => {
                    report.failures.push(format!(
                        "{}: no recording of objdump's listing of it as it is now: install \
                         arm-none-eabi-objdump (binutils-arm-none-eabi) to compare live, and \
                         record it with DISASM_BLESS=1",
                        corpus.name
                    ));
                    continue;
                }
            },
        };
        match mode {
            Mode::Arm => compare_arm(corpus, &listing, &mut report),
            Mode::Thumb => compare_thumb(corpus, &listing, &mut report),
        }
        recorded.push((corpus, listing));
    }
    if bless {
        write_expected(mode, &recorded);
    }

    let source = match &program {
        Some(p) => format!("live {p}"),
        None => format!("recorded {}", expected_path(mode).display()),
    };
    eprintln!(
        "{} ({source}): {} instructions compared in {} corpora, {} identical, {} halfwords \
         inside objdump's 32-bit Thumb-2 instructions not compared, {:.1?}",
        mode.name(),
        report.compared,
        recorded.len(),
        report.agreed,
        report.not_compared,
        start.elapsed()
    );
    for ((why, corpus), n) in &report.allowed {
        eprintln!("  allowed difference {why:?} ({corpus}): {n}");
    }
    for failure in report.failures.iter().take(REPORT) {
        eprintln!("{failure}");
    }
    assert!(
        report.failures.is_empty(),
        "{}: {} differences from objdump ({} instructions compared)",
        mode.name(),
        report.failures.len(),
        report.compared
    );
    let random = match mode {
        Mode::Arm => RANDOM_ARM_WORDS,
        Mode::Thumb => RANDOM_THUMB_HALFWORDS / 2,
    };
    assert!(report.compared >= random, "too few instructions compared");
}

#[test]
fn arm_agrees_with_objdump() {
    check(Mode::Arm);
}

#[test]
fn thumb_agrees_with_objdump() {
    check(Mode::Thumb);
}
