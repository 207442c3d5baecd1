//! A picture of an address space: the translation tables CP15 points at, read as a list of
//! mapped ranges with their attributes, neighbouring pieces with the same attributes (and
//! physically contiguous) merged into one range.
//!
//! Like [`super::translate`], this is a pure function of the CP15 registers and of a
//! side-effect-free physical reader; it applies the same descriptor formats (ARM ARM B4.7), so
//! every address of a listed range translates as listed when its domain and AP allow it.
//! Addresses are modified virtual addresses (after the FCSE relocation, which the tables map).

use super::{permitted, DomainAccess, PageKind};
use crate::cpu::cp15::{control, Cp15};

/// What one kind of processor mode may do in a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    None,
    ReadOnly,
    ReadWrite,
}

impl Permission {
    /// `--`, `ro` or `rw`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::None => "--",
            Permission::ReadOnly => "ro",
            Permission::ReadWrite => "rw",
        }
    }
}

/// What privileged and User modes may do under AP bits `ap` with the control register's S and
/// R bits, in a client domain (ARM ARM table B4-1).
pub fn permissions(ap: u32, s: bool, r: bool) -> (Permission, Permission) {
    let one = |user: bool| {
        if permitted(ap, s, r, user, true) {
            Permission::ReadWrite
        } else if permitted(ap, s, r, user, false) {
            Permission::ReadOnly
        } else {
            Permission::None
        }
    };
    (one(false), one(true))
}

/// One mapped range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// First modified virtual address.
    pub va: u32,
    /// Length in bytes (up to 4 GiB).
    pub size: u64,
    /// First physical address.
    pub pa: u32,
    /// The kind of descriptor that maps it.
    pub kind: PageKind,
    pub domain: u32,
    /// The domain's DACR field.
    pub access: DomainAccess,
    /// The AP bits of the range (a subpage's, where subpages differ).
    pub ap: u32,
    /// The C (cacheable) and B (bufferable) bits.
    pub cacheable: bool,
    pub bufferable: bool,
}

impl Mapping {
    /// The last virtual address of the range.
    pub fn va_end(&self) -> u32 {
        (self.va as u64 + self.size - 1) as u32
    }

    /// What privileged and User modes may do here, domain included: nothing in a no-access (or
    /// reserved) domain, everything in a manager domain, as AP says in a client domain.
    pub fn permissions(&self, s: bool, r: bool) -> (Permission, Permission) {
        match self.access {
            DomainAccess::NoAccess | DomainAccess::Reserved => (Permission::None, Permission::None),
            DomainAccess::Manager => (Permission::ReadWrite, Permission::ReadWrite),
            DomainAccess::Client => permissions(self.ap, s, r),
        }
    }

    /// Whether `next` continues this range: adjacent virtually and physically, same attributes.
    fn continued_by(&self, next: &Mapping) -> bool {
        let end = self.va as u64 + self.size;
        end == next.va as u64
            && self.pa as u64 + self.size == next.pa as u64
            && (self.kind, self.domain, self.access, self.ap)
                == (next.kind, next.domain, next.access, next.ap)
            && (self.cacheable, self.bufferable) == (next.cacheable, next.bufferable)
    }
}

/// A second-level table the walk could not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The first virtual address the table maps.
    pub va: u32,
    /// The physical address of the descriptor that could not be read.
    pub descriptor: u32,
}

/// The whole address space the tables describe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dump {
    /// Mapped ranges in address order.
    pub mappings: Vec<Mapping>,
    /// Tables (first or second level) that nothing answered for.
    pub unreadable: Vec<Unreadable>,
}

impl Dump {
    fn push(&mut self, piece: Mapping) {
        match self.mappings.last_mut() {
            Some(last) if last.continued_by(&piece) => last.size += piece.size,
            _ => self.mappings.push(piece),
        }
    }
}

/// Reads the tables at CP15's TTBR through `read_phys` (a 32-bit physical read with no side
/// effects; `None` where nothing answers) and lists what they map. Whether the MMU is on does not
/// matter: this shows what the tables say.
pub fn dump(cp15: &Cp15, mut read_phys: impl FnMut(u32) -> Option<u32>) -> Dump {
    let mut out = Dump::default();
    let base = cp15.ttbr & 0xFFFF_C000;
    for index in 0..4096u32 {
        let va = index << 20;
        let l1_addr = base | (index << 2);
        let Some(l1) = read_phys(l1_addr) else {
            out.unreadable.push(Unreadable {
                va,
                descriptor: l1_addr,
            });
            continue;
        };
        let domain = (l1 >> 5) & 0xF;
        let access = DomainAccess::from_bits(cp15.dacr >> (2 * domain));
        let piece = |va: u32, size: u32, pa: u32, kind: PageKind, ap: u32, desc: u32| Mapping {
            va,
            size: size as u64,
            pa,
            kind,
            domain,
            access,
            ap,
            cacheable: desc & (1 << 3) != 0,
            bufferable: desc & (1 << 2) != 0,
        };
        match l1 & 3 {
            0 => {}
            2 => out.push(piece(
                va,
                PageKind::Section.size(),
                l1 & 0xFFF0_0000,
                PageKind::Section,
                (l1 >> 10) & 3,
                l1,
            )),
            table => {
                // Coarse: 256 entries of 4 KiB; fine: 1024 entries of 1 KiB (ARM ARM B4.7.6-7).
                let (entries, step, table_base) = if table == 1 {
                    (256, 1 << 12, l1 & 0xFFFF_FC00)
                } else {
                    (1024, 1 << 10, l1 & 0xFFFF_F000)
                };
                for entry in 0..entries {
                    let at = va | (entry * step);
                    let l2_addr = table_base | (entry << 2);
                    let Some(l2) = read_phys(l2_addr) else {
                        out.unreadable.push(Unreadable {
                            va: at,
                            descriptor: l2_addr,
                        });
                        continue;
                    };
                    let subpage_ap = |index: u32| (l2 >> (4 + 2 * index)) & 3;
                    // Each entry covers `step` bytes; a page larger than that is repeated in
                    // the table, and each copy maps the part of the page its entry covers.
                    // Subpages (16 KiB of a large page, 1 KiB of a small one) may differ in AP,
                    // so a piece never spans two of them.
                    let (kind, page_base, subpage_shift) = match l2 & 3 {
                        0 => continue,
                        1 => (PageKind::Large, l2 & 0xFFFF_0000, 14),
                        2 => (PageKind::Small, l2 & 0xFFFF_F000, 10),
                        // Tiny pages exist only in fine tables (the same choice as translate).
                        _ if table == 1 => continue,
                        _ => (PageKind::Tiny, l2 & 0xFFFF_FC00, 10),
                    };
                    let piece_size = step.min(1 << subpage_shift);
                    let mut offset = 0;
                    while offset < step {
                        let piece_va = at + offset;
                        let ap = if kind == PageKind::Tiny {
                            (l2 >> 4) & 3
                        } else {
                            subpage_ap((piece_va >> subpage_shift) & 3)
                        };
                        let pa = page_base | (piece_va & (kind.size() - 1));
                        out.push(piece(piece_va, piece_size, pa, kind, ap, l2));
                        offset += piece_size;
                    }
                }
            }
        }
    }
    out
}

/// The S and R bits of the control register, which decide what AP 0 means.
pub fn s_r_bits(cp15: &Cp15) -> (bool, bool) {
    (
        cp15.control & control::S != 0,
        cp15.control & control::R != 0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mmu::{translate, Access};
    use std::collections::HashMap;

    /// Physical memory as a map of words; absent words read as nothing.
    struct Memory(HashMap<u32, u32>);

    impl Memory {
        fn read(&self, addr: u32) -> Option<u32> {
            self.0.get(&addr).copied()
        }
    }

    const TTBR: u32 = 0x1000_0000;

    /// A table with every L1 entry zero (readable), plus `entries`.
    fn tables(entries: &[(u32, u32)]) -> Memory {
        let mut words: HashMap<u32, u32> = (0..4096).map(|i| (TTBR + 4 * i, 0)).collect();
        words.extend(entries.iter().copied());
        Memory(words)
    }

    fn cp15(dacr: u32) -> Cp15 {
        Cp15 {
            ttbr: TTBR,
            dacr,
            control: control::M | control::SBO,
            ..Cp15::new()
        }
    }

    fn l1(va: u32) -> u32 {
        TTBR + ((va >> 20) << 2)
    }

    #[test]
    fn empty_tables_map_nothing() {
        let dump = dump(&cp15(!0), |a| tables(&[]).read(a));
        assert_eq!(dump, Dump::default());
    }

    #[test]
    fn identical_contiguous_sections_merge_and_different_ones_do_not() {
        // Three sections 0x000-0x2FF MiB -> 0x100.., AP 3, domain 0, C B; the third is in
        // domain 1; then a section whose physical address does not follow.
        let memory = tables(&[
            (l1(0x0000_0000), 0x1000_0C0E),
            (l1(0x0010_0000), 0x1010_0C0E),
            (l1(0x0020_0000), 0x1020_0C2E),
            (l1(0x0030_0000), 0x2000_0802),
        ]);
        let dump = dump(&cp15(0b1101), |a| memory.read(a));
        let m = &dump.mappings;
        assert_eq!(m.len(), 3, "{m:#?}");
        assert_eq!((m[0].va, m[0].size, m[0].pa), (0, 2 << 20, 0x1000_0000));
        assert_eq!((m[0].kind, m[0].domain, m[0].ap), (PageKind::Section, 0, 3));
        assert!(m[0].cacheable && m[0].bufferable);
        assert_eq!(m[0].access, DomainAccess::Client);
        assert_eq!(
            (m[1].va, m[1].domain, m[1].access),
            (0x20_0000, 1, DomainAccess::Manager)
        );
        assert_eq!((m[2].va, m[2].pa, m[2].ap), (0x30_0000, 0x2000_0000, 2));
        assert!(!m[2].cacheable && !m[2].bufferable);
        assert_eq!(m[2].va_end(), 0x3F_FFFF);
    }

    #[test]
    fn coarse_tables_with_small_and_large_pages() {
        let table = 0x1000_8000;
        let mut entries = vec![(l1(0x4000_0000), table | 1)];
        // A large page at 0x40000000 (16 copies), AP 3 for every subpage.
        for i in 0..16 {
            entries.push((table + 4 * i, 0x2000_0000 | 0xFF0 | 1));
        }
        // Two small pages at 0x40010000 and 0x40011000 mapping contiguous memory, AP 1.
        entries.push((table + 4 * 16, 0x3000_0000 | 0x550 | 2));
        entries.push((table + 4 * 17, 0x3000_1000 | 0x550 | 2));
        // A small page at 0x40020000 whose subpages differ: 0, 1, 2, 3.
        entries.push((table + 4 * 32, 0x3100_0000 | 0b11_10_01_00 << 4 | 2));
        let memory = tables(&entries);
        let mut words = memory.0;
        words.extend(
            (0..256)
                .map(|i| (table + 4 * i, 0))
                .filter(|(a, _)| !entries.iter().any(|e| e.0 == *a)),
        );
        let memory = Memory(words);
        let dump = dump(&cp15(1), |a| memory.read(a));
        let m = &dump.mappings;
        assert_eq!(m.len(), 6, "{m:#?}");
        assert_eq!(
            (m[0].va, m[0].size, m[0].pa, m[0].kind),
            (0x4000_0000, 0x10000, 0x2000_0000, PageKind::Large)
        );
        assert_eq!(
            (m[1].va, m[1].size, m[1].pa, m[1].ap),
            (0x4001_0000, 0x2000, 0x3000_0000, 1)
        );
        for (i, piece) in m[2..].iter().enumerate() {
            assert_eq!(piece.va, 0x4002_0000 + 0x400 * i as u32);
            assert_eq!(
                (piece.size, piece.ap, piece.kind),
                (0x400, i as u32, PageKind::Small)
            );
        }
        assert!(dump.unreadable.is_empty());
    }

    #[test]
    fn fine_tables_map_tiny_pages_and_unreadable_tables_are_reported() {
        let table = 0x1000_C000;
        let mut words = tables(&[(l1(0x5000_0000), table | 3), (l1(0x6000_0000), 0x9000_0001)]).0;
        words.extend((0..1024).map(|i| (table + 4 * i, 0)));
        words.insert(table, 0x4000_0000 | 0x30 | 3);
        words.insert(table + 4, 0x4000_0400 | 0x30 | 3);
        let memory = Memory(words);
        let dump = dump(&cp15(1), |a| memory.read(a));
        assert_eq!(dump.mappings.len(), 1);
        let tiny = dump.mappings[0];
        assert_eq!(
            (tiny.va, tiny.size, tiny.pa, tiny.kind, tiny.ap),
            (0x5000_0000, 0x800, 0x4000_0000, PageKind::Tiny, 3)
        );
        // The coarse table at 0x90000000 does not exist: all 256 entries are unreadable.
        assert_eq!(dump.unreadable.len(), 256);
        assert_eq!(
            dump.unreadable[0],
            Unreadable {
                va: 0x6000_0000,
                descriptor: 0x9000_0000
            }
        );
    }

    #[test]
    fn permissions_follow_table_b4_1() {
        use Permission::*;
        assert_eq!(permissions(0, false, false), (None, None));
        assert_eq!(permissions(0, true, false), (ReadOnly, None));
        assert_eq!(permissions(0, false, true), (ReadOnly, ReadOnly));
        assert_eq!(permissions(1, false, false), (ReadWrite, None));
        assert_eq!(permissions(2, false, false), (ReadWrite, ReadOnly));
        assert_eq!(permissions(3, false, false), (ReadWrite, ReadWrite));
    }

    /// Every address of every listed range translates (as a manager) to the listed place.
    #[test]
    fn the_dump_agrees_with_translate() {
        let table = 0x1000_8000;
        let fine = 0x1000_C000;
        let mut words = tables(&[
            (l1(0x0000_0000), 0x0000_0C02),
            (l1(0x0010_0000), table | 1 | (2 << 5)),
            (l1(0x0020_0000), fine | 3),
        ])
        .0;
        let mut seed = 0x1234_5678u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for i in 0..256 {
            words.insert(table + 4 * i, next());
        }
        for i in 0..1024 {
            words.insert(fine + 4 * i, next());
        }
        let memory = Memory(words);
        let cp = cp15(!0);
        let dump = dump(&cp, |a| memory.read(a));
        assert!(dump.mappings.len() > 10);
        for m in &dump.mappings {
            for offset in (0..m.size).step_by(0x100) {
                let va = m.va + offset as u32;
                let walk = translate(&cp, va, Access::Read, false, |a| memory.read(a));
                assert_eq!(walk.result, Ok(m.pa + offset as u32), "{va:#x} in {m:?}");
                assert_eq!(walk.kind, Some(m.kind));
                assert_eq!(walk.ap, Some(m.ap), "{va:#x} in {m:?}");
            }
        }
        // And what is not listed does not translate.
        for va in (0..0x30_0000).step_by(0x100) {
            let listed = dump
                .mappings
                .iter()
                .any(|m| (m.va..=m.va_end()).contains(&va));
            let walk = translate(&cp, va, Access::Read, false, |a| memory.read(a));
            assert_eq!(walk.result.is_ok(), listed, "{va:#x}");
        }
    }
}
