//! The parts of an ELF32 file the symbol table needs: the section headers, the symbol table
//! (`.symtab`, with its string table) and the DWARF sections by name.
//!
//! The loader ([`crate::loader`]) reads the program headers of executables it loads; this
//! reads the section headers of any little-endian ARM ELF32 file (an executable, a vmlinux, or
//! a file of symbols alone), with the loader's header checks. Every read is bounds-checked: a
//! damaged table is an error or is skipped, never a panic.

use crate::loader::{self, LoadError};

const SHT_SYMTAB: u32 = 2;
const SHDR_SIZE: usize = 40;
const SYM_SIZE: usize = 16;
const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const STT_SECTION: u8 = 3;
const STT_FILE: u8 = 4;
const STB_LOCAL: u8 = 0;
const SHN_UNDEF: u16 = 0;
const SHN_ABS: u16 = 0xFFF1;

fn u16_at(bytes: &[u8], off: usize) -> Option<u16> {
    let b = bytes.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], off: usize) -> Option<u32> {
    let b = bytes.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// One section header.
struct Section {
    name: u32,
    kind: u32,
    addr: u32,
    offset: u32,
    size: u32,
    link: u32,
}

/// What the symbol table takes from an ELF file.
pub(super) struct ElfSymbols {
    pub symbols: Vec<super::Symbol>,
    /// `.debug_line`, `.debug_info` and the other DWARF sections, by name.
    pub sections: Vec<(String, Vec<u8>)>,
    /// Where `.ARM.exidx` is in memory: its address and size.
    pub exidx: Option<(u32, u32)>,
}

/// A NUL-terminated string at `offset` of a string table.
fn string_at(table: &[u8], offset: u32) -> Option<&str> {
    let rest = table.get(offset as usize..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    std::str::from_utf8(&rest[..end]).ok()
}

/// Reads the symbols and DWARF sections of an ELF32 ARM file.
pub(super) fn read(bytes: &[u8]) -> Result<ElfSymbols, String> {
    loader::check_elf_header(bytes).map_err(|e: LoadError| e.to_string())?;
    let bad = || "damaged section headers".to_string();
    let shoff = u32_at(bytes, 32).ok_or_else(bad)? as usize;
    let shentsize = u16_at(bytes, 46).ok_or_else(bad)? as usize;
    let shnum = u16_at(bytes, 48).ok_or_else(bad)? as usize;
    let shstrndx = u16_at(bytes, 50).ok_or_else(bad)? as usize;
    if shnum == 0 {
        return Err("no section headers: the file keeps no symbols".to_string());
    }
    if shentsize < SHDR_SIZE {
        return Err(bad());
    }
    let sections: Vec<Section> = (0..shnum)
        .map(|i| {
            let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
            Some(Section {
                name: u32_at(bytes, at)?,
                kind: u32_at(bytes, at + 4)?,
                addr: u32_at(bytes, at + 12)?,
                offset: u32_at(bytes, at + 16)?,
                size: u32_at(bytes, at + 20)?,
                link: u32_at(bytes, at + 24)?,
            })
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let data = |s: &Section| -> Option<&[u8]> {
        let start = s.offset as usize;
        bytes.get(start..start.checked_add(s.size as usize)?)
    };
    let names = sections.get(shstrndx).and_then(data).unwrap_or_default();

    let mut symbols = Vec::new();
    for table in sections.iter().filter(|s| s.kind == SHT_SYMTAB) {
        let entries =
            data(table).ok_or_else(|| "the symbol table ends past the file".to_string())?;
        let strings = sections
            .get(table.link as usize)
            .and_then(data)
            .ok_or_else(|| "the symbol table's strings end past the file".to_string())?;
        for entry in entries.chunks_exact(SYM_SIZE) {
            let (Some(name), Some(value), Some(size), Some(shndx)) = (
                u32_at(entry, 0),
                u32_at(entry, 4),
                u32_at(entry, 8),
                u16_at(entry, 14),
            ) else {
                continue;
            };
            let info = entry[12];
            let kind = info & 0xF;
            let binding = info >> 4;
            let Some(name) = string_at(strings, name) else {
                continue;
            };
            // Undefined and absolute symbols (`.equ I_BIT, 0x80`) are not places in memory.
            if shndx == SHN_UNDEF || shndx == SHN_ABS || matches!(kind, STT_SECTION | STT_FILE) {
                continue;
            }
            // ARM mapping symbols ($a, $t, $d) mark where code and data start, and are no
            // names (ELF for the ARM Architecture, 5.5.5 "Mapping symbols").
            if name.is_empty() || name.starts_with('$') || name.starts_with(".L") {
                continue;
            }
            let function = kind == STT_FUNC;
            symbols.push(super::Symbol {
                name: name.to_string(),
                // A Thumb function's value has bit 0 set (ELF for the ARM Architecture,
                // 5.5.3 "Symbol values").
                addr: if function { value & !1 } else { value },
                size,
                code: function,
                thumb: function && value & 1 != 0,
                global: binding != STB_LOCAL,
                data: kind == STT_OBJECT,
            });
        }
    }
    let mut dwarf = Vec::new();
    let mut exidx = None;
    for s in &sections {
        let Some(name) = string_at(names, s.name) else {
            continue;
        };
        if name == ".ARM.exidx" && s.size > 0 {
            exidx = Some((s.addr, s.size));
        }
        if name.starts_with(".debug_") {
            if let Some(bytes) = data(s) {
                dwarf.push((name.to_string(), bytes.to_vec()));
            }
        }
    }
    Ok(ElfSymbols {
        symbols,
        sections: dwarf,
        exidx,
    })
}
