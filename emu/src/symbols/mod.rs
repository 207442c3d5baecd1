//! The guest's names: symbols from an ELF file's symbol table or a Linux `System.map`, and,
//! where the ELF file has DWARF, its line tables (address <-> `file.c:line`) and call frame
//! information (for `bt` through frames without a frame pointer).
//!
//! The table is the host's knowledge about the image, not part of the machine's state: it is
//! read when an ELF ROM is loaded or from `--symbols FILE`, is never saved in a state, and
//! looking things up in it changes nothing. The monitor uses it to take names where addresses
//! are expected (`main`, `main+8`, `target.c:14`) and to show `name+offset` beside addresses.

mod dwarf;
mod elf;
mod exidx;
mod map;
pub mod write;

use std::collections::HashMap;
use std::path::Path;

pub use dwarf::{Frames, LineTable, Unwound};

/// One named address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The address (a Thumb function's without its bit 0).
    pub addr: u32,
    /// Its size in bytes; 0 if the file does not say (a System.map, an assembler label).
    pub size: u32,
    /// Whether it is code (an ELF function, a System.map text symbol).
    pub code: bool,
    /// A Thumb function.
    pub thumb: bool,
    /// Visible outside its file.
    pub global: bool,
    /// A data object (an ELF `STT_OBJECT`, a System.map data symbol).
    pub data: bool,
}

/// An offset past a symbol's start beyond which an address of unknown extent (the last
/// symbol, sized 0) is not called by its name.
const UNSIZED_REACH: u32 = 0x1000;

/// The names of one image.
#[derive(Default)]
pub struct Symbols {
    /// By address, then by preference for a name (see [`rank`]).
    by_addr: Vec<Symbol>,
    /// Where each name is in `by_addr` (the preferred one where a name repeats).
    by_name: HashMap<String, usize>,
    lines: Option<LineTable>,
    frames: Option<Frames>,
    /// Where the exception-handling index (`.ARM.exidx`) is in memory: start and end.
    exidx: Option<(u32, u32)>,
    /// Where the names came from, for messages.
    source: String,
}

/// Which of several names at one address to show: functions before other symbols, global
/// before local, fewer leading underscores, then by name.
fn rank(s: &Symbol) -> (bool, bool, usize, String) {
    let underscores = s.name.chars().take_while(|&c| c == '_').count();
    (!s.code, !s.global, underscores, s.name.clone())
}

impl Symbols {
    /// A table of these symbols, with no line or frame information.
    pub fn from_list(mut symbols: Vec<Symbol>, source: &str) -> Symbols {
        symbols.sort_by(|a, b| a.addr.cmp(&b.addr).then_with(|| rank(a).cmp(&rank(b))));
        symbols.dedup_by(|a, b| a.name == b.name && a.addr == b.addr);
        // A symbol of unknown size reaches to the next address that has a name.
        let starts: Vec<u32> = symbols.iter().map(|s| s.addr).collect();
        for (i, s) in symbols.iter_mut().enumerate() {
            if s.size == 0 {
                if let Some(&next) = starts[i..].iter().find(|&&a| a > s.addr) {
                    s.size = next - s.addr;
                }
            }
        }
        let mut by_name = HashMap::new();
        for (i, s) in symbols.iter().enumerate() {
            let better = match by_name.get(&s.name) {
                None => true,
                Some(&j) => {
                    let other: &Symbol = &symbols[j];
                    (s.global && !other.global)
                        || (s.code && !other.code && s.global == other.global)
                }
            };
            if better {
                by_name.insert(s.name.clone(), i);
            }
        }
        // The index's bounds as the Linux kernel's link names them (a System.map, a vmlinux).
        let bound = |name: &str| by_name.get(name).map(|&i: &usize| symbols[i].addr);
        let exidx = bound("__start_unwind_idx").zip(bound("__stop_unwind_idx"));
        Symbols {
            by_addr: symbols,
            by_name,
            lines: None,
            frames: None,
            exidx,
            source: source.to_string(),
        }
    }

    /// The symbols, line table and frame information of an ELF file.
    pub fn from_elf(bytes: &[u8], source: &str) -> Result<Symbols, String> {
        let elf = elf::read(bytes)?;
        let mut table = Symbols::from_list(elf.symbols, source);
        let section = |name: &str| {
            elf.sections
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, b)| b.as_slice())
        };
        // Damaged DWARF costs the line table, not the symbols.
        table.lines = dwarf::LineTable::read(&section).unwrap_or_else(|e| {
            log::warn!("{source}: the DWARF line tables cannot be read: {e}");
            None
        });
        table.frames = section(".debug_frame").map(|b| Frames::new(b.to_vec()));
        if let Some((addr, size)) = elf.exidx {
            table.exidx = Some((addr, addr.saturating_add(size)));
        }
        Ok(table)
    }

    /// The symbols of a Linux `System.map` (`c03d2acc T start_kernel` a line).
    pub fn from_system_map(text: &str, source: &str) -> Result<Symbols, String> {
        Ok(Symbols::from_list(map::parse(text)?, source))
    }

    /// Reads a file of symbols: an ELF file (a ROM, a vmlinux) or a System.map.
    pub fn load(path: &Path) -> Result<Symbols, String> {
        let fail = |e: String| format!("{}: {e}", path.display());
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let source = path.display().to_string();
        if bytes.starts_with(b"\x7fELF") {
            return Symbols::from_elf(&bytes, &source).map_err(fail);
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| fail("neither an ELF file nor a System.map (text)".to_string()))?;
        Symbols::from_system_map(text, &source).map_err(fail)
    }

    /// Whether there are no symbols at all.
    pub fn is_empty(&self) -> bool {
        self.by_addr.is_empty() && self.lines.is_none()
    }

    /// How many symbols there are.
    pub fn len(&self) -> usize {
        self.by_addr.len()
    }

    /// Where the names came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every symbol, by address.
    pub fn iter(&self) -> impl Iterator<Item = &Symbol> {
        self.by_addr.iter()
    }

    /// The symbol of this name.
    pub fn get(&self, name: &str) -> Option<&Symbol> {
        self.by_name.get(name).map(|&i| &self.by_addr[i])
    }

    /// The symbol whose extent holds `addr`, and the offset of `addr` in it.
    pub fn containing(&self, addr: u32) -> Option<(&Symbol, u32)> {
        let end = self.by_addr.partition_point(|s| s.addr <= addr);
        let last = self.by_addr.get(end.checked_sub(1)?)?;
        // The preferred name at that address is the first of its run.
        let first = self.by_addr[..end].partition_point(|s| s.addr < last.addr);
        let run = &self.by_addr[first..end];
        let offset = addr - last.addr;
        let reach = |s: &Symbol| if s.size == 0 { UNSIZED_REACH } else { s.size };
        run.iter()
            .any(|s| offset < reach(s))
            .then(|| (&run[0], offset))
    }

    /// `name` or `name+0x10` for an address inside a symbol.
    pub fn name_of(&self, addr: u32) -> Option<String> {
        self.containing(addr).map(|(s, off)| {
            if off == 0 {
                s.name.clone()
            } else {
                format!("{}+0x{off:x}", s.name)
            }
        })
    }

    /// The source file and line of the instruction at `addr`.
    pub fn line_of(&self, addr: u32) -> Option<(&str, u32)> {
        self.lines.as_ref()?.line_of(addr)
    }

    /// The lowest address of code for `line` of a source file (its path, or the path's end:
    /// `target.c`, `gdb/target.c`); if no code is on that line, the next line's that has some.
    pub fn address_of_line(&self, file: &str, line: u32) -> Result<u32, String> {
        let Some(lines) = &self.lines else {
            return Err(format!(
                "no line table ({} has no DWARF .debug_line)",
                self.source_name()
            ));
        };
        lines.address_of(file, line)
    }

    /// Unwinds the frame of the code at `addr` by the exception-handling index in guest memory
    /// (`.ARM.exidx`: an ELF's section, or the Linux kernel's `__start_unwind_idx` to
    /// `__stop_unwind_idx`), if the image has one.
    pub fn unwind_by_index(
        &self,
        addr: u32,
        regs: &dwarf::Registers,
        read: &dyn Fn(u32) -> Option<u32>,
    ) -> Option<Result<Unwound, String>> {
        let (start, end) = self.exidx?;
        Some(exidx::unwind(start, end, addr, regs, read))
    }

    /// Whether the image has an exception-handling index.
    pub fn has_unwind_index(&self) -> bool {
        self.exidx.is_some()
    }

    /// The call frame information (`.debug_frame`), if the file has it.
    pub fn frames(&self) -> Option<&Frames> {
        self.frames.as_ref()
    }

    fn source_name(&self) -> &str {
        if self.source.is_empty() {
            "the image"
        } else {
            &self.source
        }
    }

    /// Where `break NAME` stops for the function `name`: past its prologue, where the line
    /// table says where that ends (gdb's habit: the breakpoint stops with the frame built and
    /// the arguments in their places); `None` if `name` is no function with line rows.
    pub fn after_prologue(&self, name: &str) -> Option<u32> {
        let symbol = self.get(name).filter(|s| s.code && s.size > 0)?;
        let end = symbol.addr.checked_add(symbol.size)?;
        self.lines.as_ref()?.after_prologue(symbol.addr, end)
    }

    /// A name's address, or why there is none.
    pub fn address_of(&self, name: &str) -> Result<u32, String> {
        match self.get(name) {
            Some(s) => Ok(s.addr),
            None if self.by_addr.is_empty() => Err(format!(
                "'{name}' is not a number, a register or a symbol (no symbols are loaded: an \
                 ELF ROM brings its own; --symbols FILE reads an ELF file or a System.map)"
            )),
            None => Err(format!(
                "'{name}' is not a number, a register or a symbol of {}",
                self.source_name()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(name: &str, addr: u32, size: u32, code: bool) -> Symbol {
        Symbol {
            name: name.to_string(),
            addr,
            size,
            code,
            thumb: false,
            global: true,
            data: !code,
        }
    }

    #[test]
    fn names_by_address() {
        let table = Symbols::from_list(
            vec![
                sym("main", 0x100, 0x20, true),
                sym("_start", 0x0, 0, true),
                sym("table", 0x200, 8, false),
                sym("__main_alias", 0x100, 0x20, true),
            ],
            "test",
        );
        assert_eq!(table.name_of(0x100).as_deref(), Some("main"));
        assert_eq!(table.name_of(0x11c).as_deref(), Some("main+0x1c"));
        // Past main's 0x20 bytes and before table: no name.
        assert_eq!(table.name_of(0x120), None);
        // _start has no size: it reaches the next name.
        assert_eq!(table.name_of(0xfc).as_deref(), Some("_start+0xfc"));
        assert_eq!(table.name_of(0x204).as_deref(), Some("table+0x4"));
        assert_eq!(table.name_of(0x208), None);
        assert_eq!(table.address_of("table"), Ok(0x200));
        assert!(table.address_of("nothing").is_err());
    }

    /// Every prefix of a ROM with DWARF, and the ROM with each byte of its headers and
    /// tables changed, reads as a table or an error: never a panic.
    #[test]
    fn damaged_elf_files_are_errors_not_panics() {
        let rom = include_bytes!("../../../roms/tests/unwind/unwind.elf");
        for len in 0..rom.len() {
            let _ = Symbols::from_elf(&rom[..len], "prefix");
        }
        let mut bytes = rom.to_vec();
        for i in (0..bytes.len()).step_by(3) {
            let old = bytes[i];
            bytes[i] = old.wrapping_add(0x55);
            if let Ok(table) = Symbols::from_elf(&bytes, "changed") {
                let _ = (table.name_of(0x300), table.line_of(0x300));
                let _ = table.address_of_line("unwind.c", 23);
            }
            bytes[i] = old;
        }
        let table = Symbols::from_elf(rom, "rom").unwrap();
        let leaf = table.get("leaf").unwrap().addr;
        assert_eq!(table.name_of(leaf).as_deref(), Some("leaf"));
    }

    #[test]
    fn an_empty_table_says_how_to_get_names() {
        let table = Symbols::default();
        assert_eq!(table.name_of(0), None);
        let e = table.address_of("main").unwrap_err();
        assert!(e.contains("--symbols"), "{e}");
    }
}
