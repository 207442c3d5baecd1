//! A symbol table written as an ELF file that debuggers load (`symbol-file` in gdb), for names
//! that come in a form they cannot read: a Linux System.map.
//!
//! The file has no program headers and no contents: one `SHT_NOBITS` section, `.text`
//! (allocated, executable), spans every symbol, and `.symtab` names them as functions (a
//! Thumb one with its address's bit 0 set) or data objects with their sizes (System.map
//! symbols take the distance to the next name). Layout as the ELF specification (System V
//! ABI, chapter 4) and ELF for the ARM Architecture give it: the local symbols first,
//! `sh_info` the first global's index, EABI version 5 in `e_flags`.

use super::Symbols;

const SHT_SYMTAB: u32 = 2;
const SHT_STRTAB: u32 = 3;
const SHT_NOBITS: u32 = 8;
const SHF_ALLOC: u32 = 2;
const SHF_EXECINSTR: u32 = 4;
const EF_ARM_EABI_VER5: u32 = 0x0500_0000;

/// A string table being built: offsets of NUL-terminated names.
struct Strings(Vec<u8>);

impl Strings {
    fn add(&mut self, s: &str) -> u32 {
        let at = self.0.len() as u32;
        self.0.extend_from_slice(s.as_bytes());
        self.0.push(0);
        at
    }
}

fn push16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn align4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// One section header's fields, in order.
struct Header {
    name: u32,
    kind: u32,
    flags: u32,
    addr: u32,
    offset: u32,
    size: u32,
    link: u32,
    info: u32,
    align: u32,
    entsize: u32,
}

/// The ELF file naming `symbols`.
pub fn elf(symbols: &Symbols) -> Vec<u8> {
    let mut list: Vec<&super::Symbol> = symbols.iter().collect();
    // Locals before globals (stable: each group stays by address).
    list.sort_by_key(|s| s.global);
    let first_global = 1 + list.iter().take_while(|s| !s.global).count() as u32;
    let low = symbols.iter().map(|s| s.addr).min().unwrap_or(0);
    let high = symbols
        .iter()
        .map(|s| u64::from(s.addr) + u64::from(s.size))
        .max()
        .unwrap_or(0)
        .min(1 << 32);
    let span = (high - u64::from(low)).min(u64::from(u32::MAX)) as u32;

    let mut strtab = Strings(vec![0]);
    let mut symtab = vec![0u8; 16];
    for s in &list {
        let name = strtab.add(&s.name);
        push32(&mut symtab, name);
        push32(&mut symtab, if s.thumb { s.addr | 1 } else { s.addr });
        push32(&mut symtab, s.size);
        let binding: u8 = if s.global { 1 } else { 0 };
        let kind: u8 = if s.code {
            2
        } else if s.data {
            1
        } else {
            0
        };
        symtab.push(binding << 4 | kind);
        symtab.push(0);
        push16(&mut symtab, 1); // .text
    }
    let mut shstrtab = Strings(vec![0]);
    let text_name = shstrtab.add(".text");
    let symtab_name = shstrtab.add(".symtab");
    let strtab_name = shstrtab.add(".strtab");
    let shstrtab_name = shstrtab.add(".shstrtab");

    let mut out = vec![0u8; 52];
    let symtab_at = out.len() as u32;
    out.extend_from_slice(&symtab);
    let strtab_at = out.len() as u32;
    out.extend_from_slice(&strtab.0);
    let shstrtab_at = out.len() as u32;
    out.extend_from_slice(&shstrtab.0);
    align4(&mut out);
    let shoff = out.len() as u32;
    let headers = [
        Header {
            name: 0,
            kind: 0,
            flags: 0,
            addr: 0,
            offset: 0,
            size: 0,
            link: 0,
            info: 0,
            align: 0,
            entsize: 0,
        },
        Header {
            name: text_name,
            kind: SHT_NOBITS,
            flags: SHF_ALLOC | SHF_EXECINSTR,
            addr: low,
            offset: symtab_at,
            size: span,
            link: 0,
            info: 0,
            align: 4,
            entsize: 0,
        },
        Header {
            name: symtab_name,
            kind: SHT_SYMTAB,
            flags: 0,
            addr: 0,
            offset: symtab_at,
            size: symtab.len() as u32,
            link: 3,
            info: first_global,
            align: 4,
            entsize: 16,
        },
        Header {
            name: strtab_name,
            kind: SHT_STRTAB,
            flags: 0,
            addr: 0,
            offset: strtab_at,
            size: strtab.0.len() as u32,
            link: 0,
            info: 0,
            align: 1,
            entsize: 0,
        },
        Header {
            name: shstrtab_name,
            kind: SHT_STRTAB,
            flags: 0,
            addr: 0,
            offset: shstrtab_at,
            size: shstrtab.0.len() as u32,
            link: 0,
            info: 0,
            align: 1,
            entsize: 0,
        },
    ];
    for h in &headers {
        for v in [
            h.name, h.kind, h.flags, h.addr, h.offset, h.size, h.link, h.info, h.align, h.entsize,
        ] {
            push32(&mut out, v);
        }
    }
    // The ELF header: ELF32, little-endian, version 1, an executable for ARM.
    let mut header = Vec::with_capacity(52);
    header.extend_from_slice(b"\x7fELF\x01\x01\x01");
    header.resize(16, 0);
    push16(&mut header, 2); // ET_EXEC
    push16(&mut header, 40); // EM_ARM
    push32(&mut header, 1);
    push32(&mut header, 0); // e_entry
    push32(&mut header, 0); // e_phoff
    push32(&mut header, shoff);
    push32(&mut header, EF_ARM_EABI_VER5);
    push16(&mut header, 52);
    push16(&mut header, 32);
    push16(&mut header, 0);
    push16(&mut header, 40);
    push16(&mut header, headers.len() as u16);
    push16(&mut header, 4);
    out[..52].copy_from_slice(&header);
    out
}

#[cfg(test)]
mod tests {
    use super::super::Symbols;

    /// The written file reads back as the same names and addresses (the reader is the one the
    /// monitor uses; gdb-multiarch reading it is tested in emu/tests/gdb_symbols.rs).
    #[test]
    fn reads_back() {
        let map = "c0008000 T stext\nc0008400 t __turn_mmu_on\nc03d2acc T start_kernel\n\
                   c0500000 D jiffies\nc0500010 b buffer\n";
        let table = Symbols::from_system_map(map, "map").unwrap();
        let again = Symbols::from_elf(&super::elf(&table), "elf").unwrap();
        let names = |t: &Symbols| {
            let mut v: Vec<(String, u32, bool)> =
                t.iter().map(|s| (s.name.clone(), s.addr, s.code)).collect();
            v.sort();
            v
        };
        assert_eq!(names(&table), names(&again));
        assert_eq!(
            again.name_of(0xc03d_2ad0).as_deref(),
            Some("start_kernel+0x4")
        );
    }
}
