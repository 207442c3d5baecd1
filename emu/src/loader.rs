//! Parsing of the images people hand the emulator: raw binaries and ELF32 executables.
//!
//! A file that starts with the ELF magic (`\x7fELF`) must be a little-endian ELF32 executable
//! for ARM; its `PT_LOAD` segments load at their physical addresses (`p_paddr`). Anything else
//! is a raw binary, mapped whole at address 0 (execution starts at the reset vector).
//!
//! Parsing never panics, whatever the bytes: every read is bounds-checked, all address and
//! offset arithmetic is done in 64 bits, and every problem becomes a [`LoadError`] whose
//! `Display` is one lowercase line without the file name (the caller prefixes it).

use std::fmt;
use std::path::Path;

/// What kind of file an [`Image`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// A raw binary, loaded whole at address 0.
    Raw,
    /// An ELF32 executable, loaded segment by segment.
    Elf,
}

/// One piece of an image, to be copied into memory before the guest starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// physical load address (ELF p_paddr)
    pub addr: u32,
    /// file bytes
    pub data: Vec<u8>,
    /// size in memory (>= data.len(); the rest is zero-filled, i.e. .bss)
    pub mem_size: u32,
}

/// A parsed image: where its bytes go and where execution starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Whether this came from a raw binary or an ELF file.
    pub kind: ImageKind,
    /// ELF e_entry (bit 0 set = Thumb entry); None for raw images (they start at the reset vector)
    pub entry: Option<u32>,
    /// The segments to load, in program header order (raw images have exactly one).
    pub segments: Vec<Segment>,
}

/// A loadable ELF segment, identified for error messages by its program header index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentSpan {
    /// Index of the segment's entry in the program header table.
    pub index: usize,
    /// Physical load address.
    pub addr: u32,
    /// Size in memory.
    pub mem_size: u32,
}

impl fmt::Display for SegmentSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "segment {} ({})",
            self.index,
            Range::new(self.addr, u64::from(self.mem_size))
        )
    }
}

/// A named memory region, as passed to [`Image::check_fits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// What the region is ("boot ROM", "SDRAM").
    pub name: String,
    /// First address.
    pub start: u32,
    /// Size in bytes.
    pub size: u32,
}

impl Region {
    fn end(&self) -> u64 {
        u64::from(self.start) + u64::from(self.size)
    }
}

/// Why a piece of an image does not fit the memory map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// It overlaps this region but is larger than the whole region.
    LargerThan(Region),
    /// It overlaps this region and is no larger, but crosses the region's start or end.
    Crosses(Region),
    /// It overlaps none of these regions (all of those given).
    Outside(Vec<Region>),
}

/// Everything that can go wrong reading or parsing an image.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is empty.
    Empty,
    /// The file is too large for the 32-bit address space.
    TooLarge {
        /// File length in bytes.
        len: u64,
    },
    /// The file starts with the ELF magic but ends before the 52-byte ELF32 header does.
    TruncatedElfHeader {
        /// File length in bytes.
        len: usize,
    },
    /// An ELF64 file (EI_CLASS = 2).
    Elf64,
    /// An EI_CLASS that is neither ELF32 nor ELF64.
    BadClass(u8),
    /// A big-endian ELF file (EI_DATA = 2).
    BigEndian,
    /// An EI_DATA that is neither little- nor big-endian.
    BadEncoding(u8),
    /// An EI_VERSION or e_version other than 1.
    BadVersion(u32),
    /// An e_machine other than EM_ARM.
    WrongMachine(u16),
    /// An e_type other than ET_EXEC.
    WrongType(u16),
    /// An e_phentsize too small to hold an ELF32 program header.
    BadPhEntSize(u16),
    /// The program header table extends past the end of the file.
    TruncatedProgramHeaders {
        /// e_phoff.
        offset: u32,
        /// e_phnum.
        count: u16,
        /// e_phentsize.
        entry_size: u16,
        /// File length in bytes.
        file_len: usize,
    },
    /// A segment's file bytes extend past the end of the file.
    TruncatedSegment {
        /// Program header index.
        index: usize,
        /// p_offset.
        offset: u32,
        /// p_filesz.
        file_size: u32,
        /// File length in bytes.
        file_len: usize,
    },
    /// A segment with more file bytes than memory (p_filesz > p_memsz).
    FileSizeExceedsMemSize {
        /// Program header index.
        index: usize,
        /// p_filesz.
        file_size: u32,
        /// p_memsz.
        mem_size: u32,
    },
    /// A segment that runs past the top of the 32-bit address space.
    AddressOverflow {
        /// Program header index.
        index: usize,
        /// p_paddr.
        addr: u32,
        /// p_memsz.
        mem_size: u32,
    },
    /// No PT_LOAD segment with a non-zero memory size.
    NoLoadableSegments,
    /// Two loadable segments share memory.
    Overlap(SegmentSpan, SegmentSpan),
    /// The loadable segments reuse file bytes, claiming more data than the file holds.
    SharedFileData {
        /// Sum of p_filesz over the loadable segments.
        total: u64,
        /// File length in bytes.
        file_len: usize,
    },
    /// A raw image, which is the boot ROM, for a machine without a read-only region at 0.
    NoBootRom,
    /// A piece of the image does not fit the memory map (from [`Image::check_fits`]).
    DoesNotFit {
        /// Raw images are described as "image", ELF ones by segment.
        kind: ImageKind,
        /// Load address.
        addr: u32,
        /// Size in memory.
        len: u64,
        /// Which region it fails to fit, and how.
        misfit: Misfit,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "cannot read file: {}", lowercase_first(&e.to_string())),
            LoadError::Empty => f.write_str("empty file"),
            LoadError::TooLarge { len } => write!(
                f,
                "file of {len} bytes is larger than the 4 GiB address space"
            ),
            LoadError::TruncatedElfHeader { len } => write!(
                f,
                "truncated ELF header: file is {len} bytes, an ELF32 header needs {EHDR_SIZE}"
            ),
            LoadError::Elf64 => f.write_str("64-bit ELF, expected ELF32"),
            LoadError::BadClass(c) => {
                write!(f, "invalid ELF class {c}, expected 1 (ELF32)")
            }
            LoadError::BigEndian => f.write_str("big-endian ELF, expected little-endian"),
            LoadError::BadEncoding(d) => write!(
                f,
                "invalid ELF data encoding {d}, expected 1 (little-endian)"
            ),
            LoadError::BadVersion(v) => write!(f, "unsupported ELF version {v}, expected 1"),
            LoadError::WrongMachine(m) => match machine_name(*m) {
                Some(name) => write!(f, "ELF for machine {m} ({name}), expected ARM ({EM_ARM})"),
                None => write!(f, "ELF for machine {m}, expected ARM ({EM_ARM})"),
            },
            LoadError::WrongType(t) => match *t {
                ET_REL => f.write_str(
                    "relocatable object file (ET_REL), expected an executable (ET_EXEC): link it first",
                ),
                ET_DYN => f.write_str(
                    "shared object or position-independent executable (ET_DYN), \
                     expected a static executable (ET_EXEC)",
                ),
                ET_CORE => f.write_str("core dump (ET_CORE), expected an executable (ET_EXEC)"),
                _ => write!(f, "ELF of type {t}, expected an executable (ET_EXEC)"),
            },
            LoadError::BadPhEntSize(size) => write!(
                f,
                "program header entry size {size} is smaller than the {PHDR_SIZE} bytes of an ELF32 program header"
            ),
            LoadError::TruncatedProgramHeaders {
                offset,
                count,
                entry_size,
                file_len,
            } => write!(
                f,
                "truncated program header table: {count} entries of {entry_size} bytes at offset \
                 {offset:#x} extend past the end of the file ({file_len} bytes)"
            ),
            LoadError::TruncatedSegment {
                index,
                offset,
                file_size,
                file_len,
            } => write!(
                f,
                "truncated segment data: segment {index} has {file_size} bytes at offset {offset:#x}, \
                 past the end of the file ({file_len} bytes)"
            ),
            LoadError::FileSizeExceedsMemSize {
                index,
                file_size,
                mem_size,
            } => write!(
                f,
                "segment {index} has more file bytes ({file_size}) than memory size ({mem_size})"
            ),
            LoadError::AddressOverflow {
                index,
                addr,
                mem_size,
            } => write!(
                f,
                "segment {index} at {addr:#010x} with memory size {mem_size:#x} runs past the end \
                 of the 32-bit address space"
            ),
            LoadError::NoLoadableSegments => f.write_str("ELF has no loadable (PT_LOAD) segments"),
            LoadError::Overlap(a, b) => write!(f, "overlapping segments: {a} and {b}"),
            LoadError::SharedFileData { total, file_len } => write!(
                f,
                "loadable segments claim {total} bytes of file data but the file has only \
                 {file_len} bytes (segments share file bytes)"
            ),
            LoadError::NoBootRom => f.write_str(
                "a raw image is loaded as the boot ROM, and this machine has no read-only memory \
                 region at 0x00000000 (give its description one, or load an ELF image)",
            ),
            LoadError::DoesNotFit {
                kind,
                addr,
                len,
                misfit,
            } => {
                let range = Range::new(*addr, *len);
                match kind {
                    ImageKind::Raw => write!(f, "image of {len} bytes at {range}")?,
                    ImageKind::Elf => write!(f, "segment at {range} ({len} bytes)")?,
                }
                match misfit {
                    Misfit::LargerThan(r) => write!(
                        f,
                        " is larger than the {} {} at {:#010x}",
                        Size(u64::from(r.size)),
                        r.name,
                        r.start
                    ),
                    Misfit::Crosses(r) => write!(
                        f,
                        " crosses the {} of the {} {} at {}",
                        if *addr < r.start { "start" } else { "end" },
                        Size(u64::from(r.size)),
                        r.name,
                        Range::new(r.start, u64::from(r.size))
                    ),
                    Misfit::Outside(regions) if regions.is_empty() => {
                        f.write_str(" lies outside memory (no memory regions are defined)")
                    }
                    Misfit::Outside(regions) => {
                        f.write_str(" lies outside every memory region (")?;
                        for (i, r) in regions.iter().enumerate() {
                            let sep = if i == 0 { "" } else { ", " };
                            let range = Range::new(r.start, u64::from(r.size));
                            write!(f, "{sep}{} {range}", r.name)?;
                        }
                        f.write_str(")")
                    }
                }
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// An address range shown as "0xSTART-0xLAST" (inclusive), or "empty at 0xSTART".
struct Range {
    start: u32,
    len: u64,
}

impl Range {
    fn new(start: u32, len: u64) -> Self {
        Range { start, len }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len.checked_sub(1) {
            Some(last) => write!(
                f,
                "{:#010x}-{:#010x}",
                self.start,
                u64::from(self.start) + last
            ),
            None => write!(f, "empty at {:#010x}", self.start),
        }
    }
}

/// A byte count shown in the largest binary unit that divides it ("512 KiB", "64 MiB").
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (shift, name) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
            if n != 0 && n.trailing_zeros() >= shift {
                return write!(f, "{} {name}", n >> shift);
            }
        }
        write!(f, "{n}-byte")
    }
}

/// "No such file" -> "no such file"; leaves acronyms ("IO error") alone.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_owned(),
    }
}

const ELF_MAGIC: &[u8; 4] = b"\x7fELF";
const EI_CLASS: usize = 4;
const EI_DATA: usize = 5;
const EI_VERSION: usize = 6;
const ELFCLASS32: u8 = 1;
const ELFCLASS64: u8 = 2;
const ELFDATA2LSB: u8 = 1;
const ELFDATA2MSB: u8 = 2;
const EV_CURRENT: u32 = 1;
const ET_REL: u16 = 1;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const ET_CORE: u16 = 4;
const EM_ARM: u16 = 40;
const PT_LOAD: u32 = 1;
const EHDR_SIZE: usize = 52;
const PHDR_SIZE: usize = 32;

fn machine_name(machine: u16) -> Option<&'static str> {
    Some(match machine {
        0 => "none",
        2 => "SPARC",
        3 => "x86",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "s390",
        42 => "SuperH",
        43 => "SPARC64",
        50 => "IA-64",
        62 => "x86-64",
        83 => "AVR",
        94 => "Xtensa",
        183 => "AArch64",
        243 => "RISC-V",
        258 => "LoongArch",
        _ => return None,
    })
}

// The offsets passed to these are constants within the fixed-size header arrays.
fn le16<const N: usize>(b: &[u8; N], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}

fn le32<const N: usize>(b: &[u8; N], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// Parses an image: an ELF32 ARM executable if it starts with the ELF magic, else a raw binary.
pub fn parse(bytes: &[u8]) -> Result<Image, LoadError> {
    if bytes.is_empty() {
        Err(LoadError::Empty)
    } else if bytes.starts_with(ELF_MAGIC) {
        parse_elf(bytes)
    } else {
        parse_raw(bytes)
    }
}

/// Reads and parses an image file.
pub fn load_file(path: &Path) -> Result<Image, LoadError> {
    parse(&read_file(path)?)
}

/// Reads an image file, refusing one too large for the address space before reading it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let len = std::fs::metadata(path).map_err(LoadError::Io)?.len();
    if len > u64::from(u32::MAX) {
        return Err(LoadError::TooLarge { len });
    }
    std::fs::read(path).map_err(LoadError::Io)
}

fn parse_raw(bytes: &[u8]) -> Result<Image, LoadError> {
    let mem_size = u32::try_from(bytes.len()).map_err(|_| LoadError::TooLarge {
        len: bytes.len() as u64,
    })?;
    Ok(Image {
        kind: ImageKind::Raw,
        entry: None,
        segments: vec![Segment {
            addr: 0,
            data: bytes.to_vec(),
            mem_size,
        }],
    })
}

/// A validated PT_LOAD entry whose data has not been copied yet.
struct Loadable {
    span: SegmentSpan,
    offset: usize,
    file_size: usize,
}

/// Checks what every ELF file the emulator reads must be (ELF32, little-endian, version 1,
/// for ARM) and returns its header. The symbol table ([`crate::symbols`]) reads any such file;
/// the loader then wants an executable.
pub(crate) fn check_elf_header(bytes: &[u8]) -> Result<&[u8; EHDR_SIZE], LoadError> {
    let file_len = bytes.len();
    let truncated = || LoadError::TruncatedElfHeader { len: file_len };
    // Class and byte order first, so an ELF64 or big-endian file is named as such even when it
    // is shorter than an ELF32 header.
    match bytes.get(EI_CLASS).copied() {
        None => return Err(truncated()),
        Some(ELFCLASS32) => {}
        Some(ELFCLASS64) => return Err(LoadError::Elf64),
        Some(c) => return Err(LoadError::BadClass(c)),
    }
    match bytes.get(EI_DATA).copied() {
        None => return Err(truncated()),
        Some(ELFDATA2LSB) => {}
        Some(ELFDATA2MSB) => return Err(LoadError::BigEndian),
        Some(d) => return Err(LoadError::BadEncoding(d)),
    }
    let ehdr: &[u8; EHDR_SIZE] = bytes
        .get(..EHDR_SIZE)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(truncated)?;
    let ident_version = u32::from(ehdr[EI_VERSION]);
    if ident_version != EV_CURRENT {
        return Err(LoadError::BadVersion(ident_version));
    }
    let e_machine = le16(ehdr, 18);
    if e_machine != EM_ARM {
        return Err(LoadError::WrongMachine(e_machine));
    }
    Ok(ehdr)
}

fn parse_elf(bytes: &[u8]) -> Result<Image, LoadError> {
    let file_len = bytes.len();
    let ehdr = check_elf_header(bytes)?;
    let e_type = le16(ehdr, 16);
    let e_version = le32(ehdr, 20);
    let e_entry = le32(ehdr, 24);
    let e_phoff = le32(ehdr, 28);
    let e_phentsize = le16(ehdr, 42);
    let e_phnum = le16(ehdr, 44);
    if e_type != ET_EXEC {
        return Err(LoadError::WrongType(e_type));
    }
    if e_version != EV_CURRENT {
        return Err(LoadError::BadVersion(e_version));
    }
    if e_phnum == 0 {
        return Err(LoadError::NoLoadableSegments);
    }
    if usize::from(e_phentsize) < PHDR_SIZE {
        return Err(LoadError::BadPhEntSize(e_phentsize));
    }

    let truncated_table = || LoadError::TruncatedProgramHeaders {
        offset: e_phoff,
        count: e_phnum,
        entry_size: e_phentsize,
        file_len,
    };
    let table_end = u64::from(e_phoff) + u64::from(e_phnum) * u64::from(e_phentsize);
    let table = usize::try_from(e_phoff)
        .ok()
        .zip(usize::try_from(table_end).ok())
        .and_then(|(start, end)| bytes.get(start..end))
        .ok_or_else(truncated_table)?;

    let mut loadables = Vec::new();
    for (index, entry) in table.chunks_exact(usize::from(e_phentsize)).enumerate() {
        let phdr: &[u8; PHDR_SIZE] = entry
            .get(..PHDR_SIZE)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(truncated_table)?;
        let p_type = le32(phdr, 0);
        if p_type != PT_LOAD {
            log::debug!("ELF program header {index}: type {p_type:#x} ignored");
            continue;
        }
        let p_offset = le32(phdr, 4);
        let p_paddr = le32(phdr, 12);
        let p_filesz = le32(phdr, 16);
        let p_memsz = le32(phdr, 20);
        if p_filesz > p_memsz {
            return Err(LoadError::FileSizeExceedsMemSize {
                index,
                file_size: p_filesz,
                mem_size: p_memsz,
            });
        }
        if p_memsz == 0 {
            log::debug!("ELF program header {index}: empty PT_LOAD skipped");
            continue;
        }
        if u64::from(p_paddr) + u64::from(p_memsz) > 1 << 32 {
            return Err(LoadError::AddressOverflow {
                index,
                addr: p_paddr,
                mem_size: p_memsz,
            });
        }
        let truncated_segment = || LoadError::TruncatedSegment {
            index,
            offset: p_offset,
            file_size: p_filesz,
            file_len,
        };
        let (offset, file_size) = if p_filesz == 0 {
            (0, 0)
        } else {
            let offset = usize::try_from(p_offset).map_err(|_| truncated_segment())?;
            let file_size = usize::try_from(p_filesz).map_err(|_| truncated_segment())?;
            match offset.checked_add(file_size) {
                Some(end) if end <= file_len => (offset, file_size),
                _ => return Err(truncated_segment()),
            }
        };
        loadables.push(Loadable {
            span: SegmentSpan {
                index,
                addr: p_paddr,
                mem_size: p_memsz,
            },
            offset,
            file_size,
        });
    }
    if loadables.is_empty() {
        return Err(LoadError::NoLoadableSegments);
    }

    let mut spans: Vec<SegmentSpan> = loadables.iter().map(|l| l.span).collect();
    spans.sort_by_key(|s| s.addr);
    for pair in spans.windows(2) {
        if let [a, b] = pair {
            if u64::from(b.addr) < u64::from(a.addr) + u64::from(a.mem_size) {
                return Err(LoadError::Overlap(*a, *b));
            }
        }
    }

    // Segments never overlap in memory, but their file ranges may coincide; bound the copying
    // so a small crafted file cannot make us allocate many times its size.
    let total: u64 = loadables.iter().map(|l| l.file_size as u64).sum();
    if total > file_len as u64 {
        return Err(LoadError::SharedFileData { total, file_len });
    }

    let segments = loadables
        .iter()
        .map(|l| {
            let data = bytes
                .get(l.offset..l.offset + l.file_size)
                .unwrap_or_default()
                .to_vec();
            log::debug!(
                "ELF segment {}: {} bytes of file data, {} in memory at {:#010x}",
                l.span.index,
                data.len(),
                l.span.mem_size,
                l.span.addr
            );
            Segment {
                addr: l.span.addr,
                data,
                mem_size: l.span.mem_size,
            }
        })
        .collect();
    Ok(Image {
        kind: ImageKind::Elf,
        entry: Some(e_entry),
        segments,
    })
}

impl Image {
    /// Checks every segment lies within one of the given regions (start, size, name) and returns
    /// the first that doesn't fit, as a LoadError naming the segment's address range and, when it
    /// overlaps a region but is larger or crosses its boundary, that region.
    pub fn check_fits(&self, regions: &[(u32, u32, &str)]) -> Result<(), LoadError> {
        let regions: Vec<Region> = regions
            .iter()
            .map(|&(start, size, name)| Region {
                name: name.to_owned(),
                start,
                size,
            })
            .collect();
        for seg in &self.segments {
            // The fields are public; never trust mem_size to cover the data.
            let len = u64::from(seg.mem_size).max(seg.data.len() as u64);
            if len == 0 {
                continue;
            }
            let start = u64::from(seg.addr);
            let end = start + len;
            if regions
                .iter()
                .any(|r| u64::from(r.start) <= start && end <= r.end())
            {
                continue;
            }
            let misfit = match regions
                .iter()
                .find(|r| start < r.end() && u64::from(r.start) < end)
            {
                Some(r) if len > u64::from(r.size) => Misfit::LargerThan(r.clone()),
                Some(r) => Misfit::Crosses(r.clone()),
                None => Misfit::Outside(regions.clone()),
            };
            return Err(LoadError::DoesNotFit {
                kind: self.kind,
                addr: seg.addr,
                len,
                misfit,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A program header: (p_type, p_offset, p_paddr, p_filesz, p_memsz).
    type Ph = (u32, u32, u32, u32, u32);

    fn put16(v: &mut [u8], off: usize, val: u16) {
        v[off..off + 2].copy_from_slice(&val.to_le_bytes());
    }

    fn put32(v: &mut [u8], off: usize, val: u32) {
        v[off..off + 4].copy_from_slice(&val.to_le_bytes());
    }

    /// Where `elf` puts its payload: right after the header and `phnum` program headers.
    fn payload_offset(phnum: usize) -> u32 {
        (EHDR_SIZE + PHDR_SIZE * phnum) as u32
    }

    /// Assembles an ELF32 little-endian ARM executable: header, program headers, payload.
    fn elf(entry: u32, phdrs: &[Ph], payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0u8; EHDR_SIZE];
        v[..4].copy_from_slice(ELF_MAGIC);
        v[EI_CLASS] = ELFCLASS32;
        v[EI_DATA] = ELFDATA2LSB;
        v[EI_VERSION] = 1;
        put16(&mut v, 16, ET_EXEC);
        put16(&mut v, 18, EM_ARM);
        put32(&mut v, 20, EV_CURRENT);
        put32(&mut v, 24, entry);
        put32(&mut v, 28, EHDR_SIZE as u32);
        put32(&mut v, 36, 0x0500_0200);
        put16(&mut v, 40, EHDR_SIZE as u16);
        put16(&mut v, 42, PHDR_SIZE as u16);
        put16(&mut v, 44, phdrs.len() as u16);
        for &(p_type, offset, paddr, filesz, memsz) in phdrs {
            let mut ph = [0u8; PHDR_SIZE];
            for (i, val) in [p_type, offset, paddr, paddr, filesz, memsz, 7, 4]
                .into_iter()
                .enumerate()
            {
                put32(&mut ph, i * 4, val);
            }
            v.extend_from_slice(&ph);
        }
        v.extend_from_slice(payload);
        v
    }

    /// A valid image: 8 bytes of code at 0x10000000, then 4 bytes of data and 12 of .bss.
    fn sample() -> Vec<u8> {
        let off = payload_offset(2);
        elf(
            0x1000_0000,
            &[
                (PT_LOAD, off, 0x1000_0000, 8, 8),
                (PT_LOAD, off + 8, 0x1000_1000, 4, 16),
            ],
            &[0xfe, 0xff, 0xff, 0xea, 1, 2, 3, 4, 5, 0, 0, 0],
        )
    }

    fn err(bytes: &[u8]) -> LoadError {
        match parse(bytes) {
            Ok(image) => panic!("expected an error, parsed {image:?}"),
            Err(e) => e,
        }
    }

    fn assert_one_line(e: &LoadError) {
        let msg = e.to_string();
        assert!(
            !msg.is_empty() && !msg.contains('\n') && !msg.ends_with('.'),
            "{msg:?}"
        );
        let first = msg.chars().next().unwrap_or(' ');
        assert!(!first.is_uppercase() || msg.starts_with("ELF"), "{msg:?}");
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("emu-loader-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        dir
    }

    #[test]
    fn raw_binary_is_one_segment_at_zero() {
        let image = parse(&[0x12, 0x34, 0x56]).expect("raw");
        assert_eq!(image.kind, ImageKind::Raw);
        assert_eq!(image.entry, None);
        assert_eq!(
            image.segments,
            vec![Segment {
                addr: 0,
                data: vec![0x12, 0x34, 0x56],
                mem_size: 3
            }]
        );
        // Only a file starting with the whole magic is an ELF.
        assert_eq!(parse(b"\x7fEL").expect("raw").kind, ImageKind::Raw);
    }

    #[test]
    fn empty_file_is_an_error() {
        let e = err(&[]);
        assert!(matches!(e, LoadError::Empty));
        assert_eq!(e.to_string(), "empty file");
    }

    #[test]
    fn valid_elf_loads_segments_at_physical_addresses() {
        let image = parse(&sample()).expect("valid");
        assert_eq!(image.kind, ImageKind::Elf);
        assert_eq!(image.entry, Some(0x1000_0000));
        assert_eq!(
            image.segments,
            vec![
                Segment {
                    addr: 0x1000_0000,
                    data: vec![0xfe, 0xff, 0xff, 0xea, 1, 2, 3, 4],
                    mem_size: 8
                },
                Segment {
                    addr: 0x1000_1000,
                    data: vec![5, 0, 0, 0],
                    mem_size: 16
                },
            ]
        );
        assert_eq!(
            image.check_fits(&[(0x1000_0000, 64 << 20, "SDRAM")]).ok(),
            Some(())
        );
    }

    #[test]
    fn paddr_not_vaddr_and_thumb_entry_kept() {
        let off = payload_offset(1);
        let mut v = elf(0x8001, &[(PT_LOAD, off, 0x8000, 2, 2)], &[0x70, 0x47]);
        put32(&mut v, EHDR_SIZE + 8, 0xc000_8000); // p_vaddr differs
        let image = parse(&v).expect("valid");
        assert_eq!(image.entry, Some(0x8001));
        assert_eq!(image.segments[0].addr, 0x8000);
    }

    #[test]
    fn other_segments_and_empty_loads_are_ignored() {
        let off = payload_offset(4);
        let v = elf(
            0,
            &[
                (4, off, 0, 4, 4),                     // PT_NOTE
                (PT_LOAD, 0xffff_ffff, 0x100, 0, 0),   // empty PT_LOAD: offset never read
                (PT_LOAD, 0xffff_ffff, 0x2000, 0, 64), // pure .bss: offset never read
                (0x7000_0001, off, 0, 4, 4),           // PT_ARM_EXIDX
            ],
            &[1, 2, 3, 4],
        );
        let image = parse(&v).expect("valid");
        assert_eq!(
            image.segments,
            vec![Segment {
                addr: 0x2000,
                data: vec![],
                mem_size: 64
            }]
        );
    }

    #[test]
    fn larger_program_header_entries_are_accepted() {
        let off = payload_offset(1) + 8;
        let mut v = elf(0, &[(PT_LOAD, off, 0, 4, 4)], &[0; 12]);
        put16(&mut v, 42, 40);
        assert_eq!(parse(&v).expect("valid").segments[0].mem_size, 4);
    }

    #[test]
    fn truncated_elf_header() {
        let v = sample();
        for len in [4, 5, 6, 30, EHDR_SIZE - 1] {
            let e = err(&v[..len]);
            assert!(
                matches!(e, LoadError::TruncatedElfHeader { len: l } if l == len),
                "{len}: {e:?}"
            );
            assert_one_line(&e);
        }
        assert_eq!(
            err(&v[..20]).to_string(),
            "truncated ELF header: file is 20 bytes, an ELF32 header needs 52"
        );
    }

    #[test]
    fn elf64_is_rejected_even_when_short() {
        let mut v = sample();
        v[EI_CLASS] = ELFCLASS64;
        assert!(matches!(err(&v), LoadError::Elf64));
        assert!(matches!(err(&v[..5]), LoadError::Elf64));
        assert_eq!(err(&v).to_string(), "64-bit ELF, expected ELF32");
    }

    #[test]
    fn bad_class_and_encoding() {
        for class in [0, 3, 0xff] {
            let mut v = sample();
            v[EI_CLASS] = class;
            let e = err(&v);
            assert!(matches!(e, LoadError::BadClass(c) if c == class), "{e:?}");
            assert_one_line(&e);
        }
        let mut v = sample();
        v[EI_DATA] = ELFDATA2MSB;
        let e = err(&v);
        assert!(matches!(e, LoadError::BigEndian));
        assert_eq!(e.to_string(), "big-endian ELF, expected little-endian");
        v[EI_DATA] = 0;
        let e = err(&v);
        assert!(matches!(e, LoadError::BadEncoding(0)));
        assert_one_line(&e);
    }

    #[test]
    fn bad_version() {
        let mut v = sample();
        v[EI_VERSION] = 0;
        assert!(matches!(err(&v), LoadError::BadVersion(0)));
        let mut v = sample();
        put32(&mut v, 20, 2);
        let e = err(&v);
        assert!(matches!(e, LoadError::BadVersion(2)));
        assert_eq!(e.to_string(), "unsupported ELF version 2, expected 1");
    }

    #[test]
    fn wrong_machine_is_named() {
        let mut v = sample();
        put16(&mut v, 18, 62);
        let e = err(&v);
        assert!(matches!(e, LoadError::WrongMachine(62)));
        assert_eq!(
            e.to_string(),
            "ELF for machine 62 (x86-64), expected ARM (40)"
        );
        put16(&mut v, 18, 183);
        assert!(err(&v).to_string().contains("(AArch64)"));
        put16(&mut v, 18, 9999);
        assert_eq!(
            err(&v).to_string(),
            "ELF for machine 9999, expected ARM (40)"
        );
    }

    #[test]
    fn wrong_type() {
        for (t, needle) in [
            (ET_DYN, "ET_DYN"),
            (ET_REL, "ET_REL"),
            (ET_CORE, "ET_CORE"),
            (0, "type 0"),
            (0xfe00, "type 65024"),
        ] {
            let mut v = sample();
            put16(&mut v, 16, t);
            let e = err(&v);
            assert!(matches!(e, LoadError::WrongType(x) if x == t), "{e:?}");
            assert!(e.to_string().contains(needle), "{e}");
            assert_one_line(&e);
        }
    }

    #[test]
    fn no_loadable_segments() {
        let mut v = sample();
        put16(&mut v, 44, 0);
        assert!(matches!(err(&v), LoadError::NoLoadableSegments));
        let off = payload_offset(2);
        let v = elf(0, &[(4, off, 0, 0, 0), (PT_LOAD, off, 0x100, 0, 0)], &[]);
        let e = err(&v);
        assert!(matches!(e, LoadError::NoLoadableSegments));
        assert_eq!(e.to_string(), "ELF has no loadable (PT_LOAD) segments");
    }

    #[test]
    fn small_program_header_entries() {
        let mut v = sample();
        put16(&mut v, 42, 16);
        let e = err(&v);
        assert!(matches!(e, LoadError::BadPhEntSize(16)));
        assert_one_line(&e);
    }

    #[test]
    fn truncated_program_header_table() {
        let v = sample();
        for (phoff, phnum) in [
            (v.len() as u32 - 10, 1),
            (0xffff_ffff, 2),
            (0xffff_ffe0, 1),
            (EHDR_SIZE as u32, 0xffff),
        ] {
            let mut v = v.clone();
            put32(&mut v, 28, phoff);
            put16(&mut v, 44, phnum);
            let e = err(&v);
            assert!(
                matches!(e, LoadError::TruncatedProgramHeaders { offset, count, .. }
                    if offset == phoff && count == phnum),
                "{e:?}"
            );
            assert!(e.to_string().starts_with("truncated program header table:"));
            assert_one_line(&e);
        }
        // Cut inside the table.
        let e = err(&v[..EHDR_SIZE + 40]);
        assert!(
            matches!(e, LoadError::TruncatedProgramHeaders { .. }),
            "{e:?}"
        );
    }

    #[test]
    fn truncated_segment_data() {
        let full = sample();
        let e = err(&full[..full.len() - 1]);
        assert!(
            matches!(e, LoadError::TruncatedSegment { index: 1, .. }),
            "{e:?}"
        );
        assert!(e
            .to_string()
            .starts_with("truncated segment data: segment 1 "));
        assert_one_line(&e);
        for (offset, filesz) in [
            (0xffff_ffff, 1),
            (0xffff_ffff, 0xffff_ffff),
            (0, 0x8000_0000),
        ] {
            let mut v = full.clone();
            put32(&mut v, EHDR_SIZE + 4, offset);
            put32(&mut v, EHDR_SIZE + 16, filesz);
            put32(&mut v, EHDR_SIZE + 20, 0xffff_ffff);
            put32(&mut v, EHDR_SIZE + 12, 0);
            let e = err(&v);
            assert!(
                matches!(e, LoadError::TruncatedSegment { index: 0, .. }),
                "{e:?}"
            );
        }
    }

    #[test]
    fn file_size_larger_than_memory_size() {
        let mut v = sample();
        put32(&mut v, EHDR_SIZE + PHDR_SIZE + 20, 3);
        let e = err(&v);
        assert!(matches!(
            e,
            LoadError::FileSizeExceedsMemSize {
                index: 1,
                file_size: 4,
                mem_size: 3
            }
        ));
        assert_eq!(
            e.to_string(),
            "segment 1 has more file bytes (4) than memory size (3)"
        );
    }

    #[test]
    fn address_overflow() {
        let off = payload_offset(1);
        let v = elf(0, &[(PT_LOAD, off, 0xffff_f000, 4, 0x2000)], &[0; 4]);
        let e = err(&v);
        assert!(
            matches!(e, LoadError::AddressOverflow { index: 0, .. }),
            "{e:?}"
        );
        assert_one_line(&e);
        // Ending exactly at the top of the address space is fine.
        let v = elf(0, &[(PT_LOAD, off, 0xffff_f000, 4, 0x1000)], &[0; 4]);
        let image = parse(&v).expect("valid");
        assert_eq!(
            image.check_fits(&[(0xffff_0000, 0x1_0000, "top")]).ok(),
            Some(())
        );
    }

    #[test]
    fn overlapping_segments() {
        let off = payload_offset(3);
        // Segment 2's .bss runs into segment 0.
        let v = elf(
            0,
            &[
                (PT_LOAD, off, 0x1000, 4, 4),
                (PT_LOAD, off, 0x3000, 0, 4),
                (PT_LOAD, off, 0x0800, 4, 0x801),
            ],
            &[0; 4],
        );
        let e = err(&v);
        assert_eq!(
            e.to_string(),
            "overlapping segments: segment 2 (0x00000800-0x00001000) and \
             segment 0 (0x00001000-0x00001003)"
        );
        // Adjacent is fine.
        let off = payload_offset(2);
        let v = elf(
            0,
            &[
                (PT_LOAD, off, 0x1000, 4, 4),
                (PT_LOAD, off, 0x0800, 4, 0x800),
            ],
            &[0; 4],
        );
        assert_eq!(parse(&v).expect("adjacent").segments.len(), 2);
    }

    #[test]
    fn segments_may_share_file_bytes_but_not_beyond_the_file_size() {
        let off = payload_offset(2);
        let v = elf(
            0,
            &[(PT_LOAD, off, 0x1000, 4, 4), (PT_LOAD, off, 0x2000, 4, 4)],
            &[9; 4],
        );
        let image = parse(&v).expect("shared bytes within the file size");
        assert_eq!(image.segments[0].data, image.segments[1].data);

        let len = payload_offset(3) + 4;
        let v = elf(
            0,
            &[
                (PT_LOAD, 0, 0x1000, len, len),
                (PT_LOAD, 0, 0x2000, len, len),
                (PT_LOAD, 0, 0x3000, len, len),
            ],
            &[0; 4],
        );
        let e = err(&v);
        assert!(matches!(e, LoadError::SharedFileData { .. }), "{e:?}");
        assert_one_line(&e);
    }

    #[test]
    fn check_fits_names_the_region() {
        let rom = (0, 512 << 10, "boot ROM");
        let sdram = (0x1000_0000, 64 << 20, "SDRAM");
        let big = parse(&vec![0; 600_000]).expect("raw");
        let e = big.check_fits(&[rom, sdram]).expect_err("too big");
        assert_eq!(
            e.to_string(),
            "image of 600000 bytes at 0x00000000-0x000927bf is larger than \
             the 512 KiB boot ROM at 0x00000000"
        );
        assert_one_line(&e);
        assert_eq!(
            parse(&[0; 1024]).expect("raw").check_fits(&[rom]).ok(),
            Some(())
        );

        let seg = |addr, mem_size| Image {
            kind: ImageKind::Elf,
            entry: Some(addr),
            segments: vec![Segment {
                addr,
                data: vec![],
                mem_size,
            }],
        };
        let e = seg(0x13ff_f000, 0x2000)
            .check_fits(&[rom, sdram])
            .expect_err("end");
        assert_eq!(
            e.to_string(),
            "segment at 0x13fff000-0x14000fff (8192 bytes) crosses the end of \
             the 64 MiB SDRAM at 0x10000000-0x13ffffff"
        );
        let e = seg(0x0fff_f000, 0x2000)
            .check_fits(&[rom, sdram])
            .expect_err("start");
        assert!(
            e.to_string()
                .contains("crosses the start of the 64 MiB SDRAM"),
            "{e}"
        );
        let e = seg(0x2000_0000, 16)
            .check_fits(&[rom, sdram])
            .expect_err("outside");
        assert_eq!(
            e.to_string(),
            "segment at 0x20000000-0x2000000f (16 bytes) lies outside every memory region \
             (boot ROM 0x00000000-0x0007ffff, SDRAM 0x10000000-0x13ffffff)"
        );
        let e = seg(0, 16).check_fits(&[]).expect_err("no regions");
        assert!(
            e.to_string().ends_with("(no memory regions are defined)"),
            "{e}"
        );
        let e = seg(0x100, 16)
            .check_fits(&[(0x100, 10, "odd")])
            .expect_err("odd");
        assert!(
            e.to_string()
                .ends_with("than the 10-byte odd at 0x00000100"),
            "{e}"
        );
        // Data longer than mem_size (a hand-built image) still counts.
        let mut image = seg(0, 0);
        image.segments[0].data = vec![0; 32];
        assert!(image.check_fits(&[(0, 16, "small")]).is_err());
        // A zero-sized segment fits anywhere.
        assert_eq!(seg(0xdead_0000, 0).check_fits(&[]).ok(), Some(()));
        // The second of two segments is checked too.
        let mut image = parse(&sample()).expect("valid");
        image.segments[1].addr = 0x2000_0000;
        let e = image.check_fits(&[sdram]).expect_err("second");
        assert!(
            e.to_string()
                .starts_with("segment at 0x20000000-0x2000000f"),
            "{e}"
        );
    }

    #[test]
    fn load_file_reads_and_reports_io_errors() {
        let dir = scratch_dir("io");
        let path = dir.join("rom.elf");
        std::fs::write(&path, sample()).expect("write");
        assert_eq!(
            load_file(&path).expect("load"),
            parse(&sample()).expect("parse")
        );

        let e = load_file(&dir.join("missing.bin")).expect_err("missing");
        assert!(matches!(e, LoadError::Io(_)));
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(
            e.to_string(),
            "cannot read file: no such file or directory (os error 2)"
        );
        assert!(matches!(load_file(&dir), Err(LoadError::Io(_))));

        // A sparse file larger than the address space is refused before it is read.
        let huge = dir.join("huge.bin");
        let sparse = std::fs::File::create(&huge).and_then(|f| f.set_len((1 << 32) + 1));
        match sparse {
            Ok(()) => {
                let e = load_file(&huge).expect_err("too large");
                assert!(
                    matches!(e, LoadError::TooLarge { len: 0x1_0000_0001 }),
                    "{e:?}"
                );
                assert_eq!(
                    e.to_string(),
                    "file of 4294967297 bytes is larger than the 4 GiB address space"
                );
            }
            Err(err) => println!("note: cannot create a sparse file ({err}); skipped"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn host_binary_is_rejected() {
        let path = Path::new("/bin/true");
        let Ok(bytes) = std::fs::read(path) else {
            println!("note: no /bin/true; skipped");
            return;
        };
        if !bytes.starts_with(ELF_MAGIC) {
            println!("note: /bin/true is not an ELF; skipped");
            return;
        }
        let e = err(&bytes);
        assert_one_line(&e);
        if bytes.get(EI_CLASS) == Some(&ELFCLASS64) {
            assert!(matches!(e, LoadError::Elf64), "{e:?}");
        }
    }

    #[test]
    fn real_arm_none_eabi_gcc_output() {
        let gcc = Path::new("/usr/bin/arm-none-eabi-gcc");
        if !gcc.exists() {
            println!("note: {} not installed; skipped", gcc.display());
            return;
        }
        let dir = scratch_dir("gcc");
        let src = dir.join("t.c");
        std::fs::write(
            &src,
            "void _start(void) { for (;;); }\nint bss_words[16];\nint data_word = 0x12345678;\n",
        )
        .expect("write source");
        for (flags, entry) in [
            (&["-marm"][..], 0x1000_0000),
            (&["-mthumb"][..], 0x1000_0001),
        ] {
            let out = dir.join("t.elf");
            let status = std::process::Command::new(gcc)
                .args([
                    "-mcpu=arm926ej-s",
                    "-O1",
                    "-nostdlib",
                    "-Wl,-Ttext=0x10000000",
                ])
                .args(flags)
                .arg(&src)
                .arg("-o")
                .arg(&out)
                .status()
                .expect("run arm-none-eabi-gcc");
            assert!(status.success(), "arm-none-eabi-gcc {flags:?} failed");
            let image = load_file(&out).expect("parse gcc output");
            assert_eq!(image.kind, ImageKind::Elf);
            assert_eq!(image.entry, Some(entry), "{flags:?}");
            let text = image
                .segments
                .iter()
                .find(|s| s.addr == 0x1000_0000)
                .expect("text segment");
            let branch_self: &[u8] = if entry & 1 == 0 {
                &[0xfe, 0xff, 0xff, 0xea] // b .
            } else {
                &[0xfe, 0xe7] // b .
            };
            assert!(text.data.starts_with(branch_self), "{:x?}", text.data);
            let data = image
                .segments
                .iter()
                .find(|s| s.data.starts_with(&0x1234_5678u32.to_le_bytes()))
                .expect("data segment");
            assert!(data.mem_size as usize >= data.data.len() + 64, "{data:?}");
            let sdram = (0x1000_0000, 64 << 20, "SDRAM");
            assert_eq!(image.check_fits(&[sdram]).ok(), Some(()));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_error_is_one_line() {
        let span = SegmentSpan {
            index: 0,
            addr: 0,
            mem_size: 0,
        };
        let region = Region {
            name: "ROM".into(),
            start: 0,
            size: 0,
        };
        let all = [
            LoadError::Io(std::io::Error::other("IO failure")),
            LoadError::Empty,
            LoadError::TooLarge { len: 1 << 33 },
            LoadError::TruncatedElfHeader { len: 4 },
            LoadError::Elf64,
            LoadError::BadClass(9),
            LoadError::BigEndian,
            LoadError::BadEncoding(9),
            LoadError::BadVersion(9),
            LoadError::WrongMachine(9),
            LoadError::WrongType(9),
            LoadError::BadPhEntSize(9),
            LoadError::TruncatedProgramHeaders {
                offset: 1,
                count: 2,
                entry_size: 3,
                file_len: 4,
            },
            LoadError::TruncatedSegment {
                index: 1,
                offset: 2,
                file_size: 3,
                file_len: 4,
            },
            LoadError::FileSizeExceedsMemSize {
                index: 1,
                file_size: 2,
                mem_size: 1,
            },
            LoadError::AddressOverflow {
                index: 1,
                addr: u32::MAX,
                mem_size: u32::MAX,
            },
            LoadError::NoLoadableSegments,
            LoadError::Overlap(span, span),
            LoadError::SharedFileData {
                total: 5,
                file_len: 4,
            },
            LoadError::DoesNotFit {
                kind: ImageKind::Raw,
                addr: 0,
                len: 0,
                misfit: Misfit::Crosses(region.clone()),
            },
            LoadError::DoesNotFit {
                kind: ImageKind::Elf,
                addr: u32::MAX,
                len: u64::from(u32::MAX),
                misfit: Misfit::LargerThan(region),
            },
        ];
        for e in &all {
            assert_one_line(e);
        }
        assert_eq!(all[0].to_string(), "cannot read file: IO failure");
    }
}
