//! The function symbols of an ELF file, to name what the profiler counts.
//!
//! A small reader of the `.symtab` section (the ELF specification's "Symbol Table"): the
//! `STT_FUNC` symbols defined in a section, their addresses (bit 0, a Thumb function's mark,
//! cleared) and sizes. Every read is bounds-checked; a file that is not a 32-bit little-endian
//! ELF, or has no symbol table, has no symbols. (A symbols module of the debugger's may take
//! its place.)

/// A function: where it starts, how long it is (0 if the symbol does not say), its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub addr: u32,
    pub size: u32,
    pub name: String,
}

/// Functions sorted by address, to find the one holding an address.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    functions: Vec<Function>,
}

const SHT_SYMTAB: u32 = 2;
const STT_FUNC: u8 = 2;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl Symbols {
    /// The function symbols of the ELF file `bytes` (none if it is not one or has none).
    pub fn from_elf(bytes: &[u8]) -> Symbols {
        let mut functions = read_functions(bytes).unwrap_or_default();
        functions.sort_by_key(|f| f.addr);
        functions.dedup_by_key(|f| f.addr);
        Symbols { functions }
    }

    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }

    /// The function holding `addr`: the last starting at or before it, if `addr` lies within
    /// its size (or it has none).
    pub fn function_at(&self, addr: u32) -> Option<&Function> {
        let index = self.functions.partition_point(|f| f.addr <= addr);
        let function = self.functions.get(index.checked_sub(1)?)?;
        (function.size == 0 || addr - function.addr < function.size).then_some(function)
    }
}

fn read_functions(bytes: &[u8]) -> Option<Vec<Function>> {
    if !bytes.starts_with(b"\x7fELF") || bytes.get(4) != Some(&1) || bytes.get(5) != Some(&1) {
        return None;
    }
    let shoff = u32_at(bytes, 32)? as usize;
    let shentsize = u16_at(bytes, 46)? as usize;
    let shnum = u16_at(bytes, 48)? as usize;
    if shentsize < 40 {
        return None;
    }
    let section = |n: usize| -> Option<(u32, usize, usize, u32, usize)> {
        let at = shoff.checked_add(n.checked_mul(shentsize)?)?;
        Some((
            u32_at(bytes, at + 4)?,
            u32_at(bytes, at + 16)? as usize,
            u32_at(bytes, at + 20)? as usize,
            u32_at(bytes, at + 24)?,
            u32_at(bytes, at + 36)? as usize,
        ))
    };
    let mut functions = Vec::new();
    for n in 0..shnum {
        let (kind, offset, size, link, entsize) = section(n)?;
        if kind != SHT_SYMTAB || entsize < 16 {
            continue;
        }
        let (_, str_offset, str_size, _, _) = section(link as usize)?;
        let strings = bytes.get(str_offset..str_offset.checked_add(str_size)?)?;
        let table = bytes.get(offset..offset.checked_add(size)?)?;
        for entry in table.chunks_exact(entsize) {
            let name = u32_at(entry, 0)? as usize;
            let value = u32_at(entry, 4)?;
            let size = u32_at(entry, 8)?;
            let info = entry[12];
            let shndx = u16_at(entry, 14)?;
            if info & 0xF != STT_FUNC || shndx == 0 {
                continue;
            }
            let name = strings.get(name..).unwrap_or_default();
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            functions.push(Function {
                addr: value & !1,
                size,
                name: String::from_utf8_lossy(&name[..end]).into_owned(),
            });
        }
    }
    Some(functions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_but_an_elf_has_no_symbols() {
        assert!(Symbols::from_elf(b"").is_empty());
        assert!(Symbols::from_elf(b"\x7fELF\x01\x01").is_empty());
        assert!(Symbols::from_elf(&[0xFF; 100]).is_empty());
    }
}
