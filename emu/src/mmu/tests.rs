//! The walk for every descriptor kind and every fault, with descriptors built by hand from the
//! ARM ARM's figures (B4-4 to B4-9) and expected results worked out from them.

use super::*;
use std::collections::HashMap;

const TTBR: u32 = 0x0010_0000;
const COARSE: u32 = 0x0020_0400;
const FINE: u32 = 0x0020_3000;

/// Physical memory of page-table words.
#[derive(Default)]
struct Tables(HashMap<u32, u32>);

impl Tables {
    fn set(&mut self, addr: u32, value: u32) -> &mut Tables {
        self.0.insert(addr, value);
        self
    }

    fn l1(&mut self, va: u32, desc: u32) -> &mut Tables {
        self.set(TTBR | ((va >> 20) << 2), desc)
    }

    /// The debugger's walk, with the CPU's lean translation of the same access, which must
    /// agree with it.
    fn walk(&self, cp15: &Cp15, va: u32, access: Access, user: bool) -> Walked {
        let read = |pa| self.0.get(&pa).copied();
        let walk = translate(cp15, va, access, user, read);
        let lean = translation(cp15, va, access, user, read);
        assert_eq!(
            (lean.mva, lean.result, lean.kind),
            (walk.mva, walk.result, walk.kind),
            "the lean translation of {va:#010x} differs from the walk"
        );
        Walked {
            walk,
            uniform_4k: lean.uniform_4k,
        }
    }
}

/// A walk, and whether the TLB may cache its 4 KiB page whole.
struct Walked {
    walk: Walk,
    uniform_4k: bool,
}

impl std::ops::Deref for Walked {
    type Target = Walk;

    fn deref(&self) -> &Walk {
        &self.walk
    }
}

/// MMU on, TTBR at 0x00100000, every domain a client unless changed.
fn cp15() -> Cp15 {
    let mut cp15 = Cp15::new();
    cp15.control |= control::M;
    cp15.ttbr = TTBR;
    cp15.dacr = 0x5555_5555;
    cp15
}

/// A section descriptor: base, AP, domain (ARM ARM figure B4-4).
fn section(base: u32, ap: u32, domain: u32) -> u32 {
    base | (ap << 10) | (domain << 5) | 0b10
}

#[test]
fn mmu_off_is_flat_and_fcse_still_relocates() {
    let mut cp = Cp15::new();
    let tables = Tables::default();
    let walk = tables.walk(&cp, 0x1234_5678, Access::Read, true);
    assert_eq!(walk.result, Ok(0x1234_5678));
    assert!(!walk.mmu_enabled && walk.l1.is_none());
    cp.fcse_pid = 3 << 25;
    assert_eq!(
        tables.walk(&cp, 0x0000_8000, Access::Read, false).result,
        Ok(0x0600_8000)
    );
    assert_eq!(
        tables.walk(&cp, 0x0200_0000, Access::Read, false).result,
        Ok(0x0200_0000)
    );
}

#[test]
fn section_translation() {
    let cp = cp15();
    let mut tables = Tables::default();
    tables.l1(0xC012_3456, section(0x1230_0000, 0b01, 3));
    let walk = tables.walk(&cp, 0xC012_3456, Access::Write, false);
    assert_eq!(walk.result, Ok(0x1232_3456));
    assert_eq!(walk.l1, Some((0x0010_3004, Some(0x1230_0462))));
    assert_eq!(walk.kind, Some(PageKind::Section));
    assert_eq!(walk.domain, Some((3, DomainAccess::Client)));
    assert_eq!(walk.ap, Some(1));
    assert!(walk.uniform_4k);
    // AP 01 is privileged only: a User read is a section permission fault in domain 3.
    let walk = tables.walk(&cp, 0xC012_3456, Access::Read, true);
    assert_eq!(walk.result, Err(Fault::new(0b1101, 3, 0xC012_3456)));
    assert_eq!(walk.result.unwrap_err().fsr(), 0x3D);
}

#[test]
fn translation_faults_at_both_levels() {
    let cp = cp15();
    let mut tables = Tables::default();
    // An invalid first-level descriptor, with domain bits set: the FSR carries them (as QEMU
    // reports; the ARM ARM leaves the domain of a section translation fault unpredictable).
    tables.l1(0x0040_0000, 0x0000_01E0);
    let walk = tables.walk(&cp, 0x0040_0010, Access::Read, false);
    assert_eq!(walk.result, Err(Fault::new(0b0101, 15, 0x0040_0010)));
    // A coarse table whose entry is invalid: page translation fault, domain of the L1 entry.
    tables.l1(0x0050_0000, COARSE | (2 << 5) | 0b01);
    let walk = tables.walk(&cp, 0x0050_3000, Access::Read, false);
    assert_eq!(walk.l2, Some((COARSE | (3 << 2), None)));
    assert_eq!(walk.result, Err(Fault::new(0b1110, 2, 0x0050_3000)));
    tables.set(COARSE | (3 << 2), 0);
    let walk = tables.walk(&cp, 0x0050_3000, Access::Read, false);
    assert_eq!(walk.result, Err(Fault::new(0b0111, 2, 0x0050_3000)));
}

#[test]
fn a_walk_that_hits_nothing_is_an_external_abort_on_translation() {
    let cp = cp15();
    let tables = Tables::default();
    let walk = tables.walk(&cp, 0x8000_0000, Access::Fetch, false);
    assert_eq!(walk.l1, Some((0x0010_2000, None)));
    assert_eq!(walk.result, Err(Fault::new(0b1100, 0, 0x8000_0000)));
}

#[test]
fn coarse_table_large_and_small_pages_with_subpages() {
    let cp = cp15();
    let mut tables = Tables::default();
    tables.l1(0x0050_0000, COARSE | (1 << 5) | 0b01);
    // A large page at 0x00510000 (entries 16..31 of the coarse table all hold it), subpage APs
    // 3, 2, 1, 0 from low to high (figure B4-7).
    let large = 0x3456_0000 | (0b00_01_10_11 << 4) | 0b01;
    for i in 16..32 {
        tables.set(COARSE | (i << 2), large);
    }
    let walk = tables.walk(&cp, 0x0051_4321, Access::Write, true);
    assert_eq!(walk.kind, Some(PageKind::Large));
    // MVA[15:14] = 1: subpage 1, AP 10: a User write is refused.
    assert_eq!(walk.ap, Some(0b10));
    assert_eq!(walk.result, Err(Fault::new(0b1111, 1, 0x0051_4321)));
    let walk = tables.walk(&cp, 0x0051_0321, Access::Write, true);
    assert_eq!(walk.result, Ok(0x3456_0321));
    assert!(walk.uniform_4k);
    // A small page with one AP for all subpages, and one with differing subpages.
    tables.set(COARSE | (2 << 2), 0x0ABC_D000 | (0xFF << 4) | 0b10);
    let walk = tables.walk(&cp, 0x0050_2FFF, Access::Write, true);
    assert_eq!(
        (walk.kind, walk.result),
        (Some(PageKind::Small), Ok(0x0ABC_DFFF))
    );
    assert!(walk.uniform_4k);
    tables.set(COARSE | (4 << 2), 0x0ABC_E000 | (0b11_11_01_11 << 4) | 0b10);
    let walk = tables.walk(&cp, 0x0050_4400, Access::Read, true);
    assert_eq!(walk.result, Err(Fault::new(0b1111, 1, 0x0050_4400)));
    assert!(!walk.uniform_4k);
    assert_eq!(
        tables.walk(&cp, 0x0050_4800, Access::Read, true).result,
        Ok(0x0ABC_E800)
    );
    // The tiny-page encoding in a coarse table is a translation fault.
    tables.set(COARSE | (5 << 2), 0x0ABC_F000 | 0b11);
    let walk = tables.walk(&cp, 0x0050_5000, Access::Read, false);
    assert_eq!(walk.result, Err(Fault::new(0b0111, 1, 0x0050_5000)));
}

#[test]
fn fine_table_tiny_and_small_pages() {
    let cp = cp15();
    let mut tables = Tables::default();
    tables.l1(0x0060_0000, FINE | (4 << 5) | 0b11);
    // Tiny page: MVA[19:10] indexes 1024 entries (figure B4-9).
    tables.set(FINE | (0x1C3 << 2), 0x7654_3C00 | (0b11 << 4) | 0b11);
    let walk = tables.walk(&cp, 0x0067_0DEF, Access::Write, true);
    assert_eq!(walk.l2, Some((FINE | (0x1C3 << 2), Some(0x7654_3C33))));
    assert_eq!(walk.kind, Some(PageKind::Tiny));
    assert_eq!(walk.result, Ok(0x7654_3DEF));
    assert!(!walk.uniform_4k);
    // A small page in a fine table is found through any of its four entries.
    tables.set(FINE | (0x10 << 2), 0x1111_1000 | (0xAA << 4) | 0b10);
    let walk = tables.walk(&cp, 0x0060_4010, Access::Read, true);
    assert_eq!(walk.result, Ok(0x1111_1010));
    assert_eq!(walk.result.map(|_| walk.ap), Ok(Some(0b10)));
}

#[test]
fn domains_no_access_reserved_and_manager() {
    let mut cp = cp15();
    let mut tables = Tables::default();
    tables.l1(0x0070_0000, section(0x0070_0000, 0b00, 5));
    tables.l1(0x0080_0000, COARSE | (5 << 5) | 0b01);
    tables.set(COARSE, 0x0080_0000 | 0b10);
    // Manager: AP 00 is ignored, even for User writes.
    cp.dacr = 0b11 << 10;
    assert_eq!(
        tables.walk(&cp, 0x0070_0004, Access::Write, true).result,
        Ok(0x0070_0004)
    );
    // No access: section and page domain faults.
    cp.dacr = 0;
    assert_eq!(
        tables.walk(&cp, 0x0070_0004, Access::Read, false).result,
        Err(Fault::new(0b1001, 5, 0x0070_0004))
    );
    assert_eq!(
        tables.walk(&cp, 0x0080_0004, Access::Read, false).result,
        Err(Fault::new(0b1011, 5, 0x0080_0004))
    );
    // Reserved (0b10) behaves as no access.
    cp.dacr = 0b10 << 10;
    assert_eq!(
        tables.walk(&cp, 0x0070_0004, Access::Read, false).result,
        Err(Fault::new(0b1001, 5, 0x0070_0004))
    );
}

#[test]
fn the_page_translation_fault_outranks_the_domain_fault() {
    // ARM926EJ-S TRM 3.6.3: translation faults are checked before domain faults.
    let mut cp = cp15();
    cp.dacr = 0;
    let mut tables = Tables::default();
    tables.l1(0x0080_0000, COARSE | (5 << 5) | 0b01);
    tables.set(COARSE, 0);
    assert_eq!(
        tables.walk(&cp, 0x0080_0000, Access::Read, false).result,
        Err(Fault::new(0b0111, 5, 0x0080_0000))
    );
}

#[test]
fn access_permission_table() {
    // ARM ARM table B4-1: (AP, S, R) -> (privileged read, privileged write, user read, user write)
    let table: [(u32, bool, bool, [bool; 4]); 7] = [
        (0, false, false, [false, false, false, false]),
        (0, true, false, [true, false, false, false]),
        (0, false, true, [true, false, true, false]),
        (0, true, true, [false, false, false, false]),
        (1, false, false, [true, true, false, false]),
        (2, false, false, [true, true, true, false]),
        (3, false, false, [true, true, true, true]),
    ];
    for (ap, s, r, expected) in table {
        let got = [
            permitted(ap, s, r, false, false),
            permitted(ap, s, r, false, true),
            permitted(ap, s, r, true, false),
            permitted(ap, s, r, true, true),
        ];
        assert_eq!(got, expected, "AP={ap} S={s} R={r}");
    }
}

#[test]
fn s_and_r_bits_come_from_the_control_register() {
    let mut cp = cp15();
    let mut tables = Tables::default();
    tables.l1(0x0090_0000, section(0x0090_0000, 0b00, 0));
    assert!(tables
        .walk(&cp, 0x0090_0000, Access::Read, false)
        .result
        .is_err());
    cp.control |= control::S;
    assert!(tables
        .walk(&cp, 0x0090_0000, Access::Read, false)
        .result
        .is_ok());
    assert!(tables
        .walk(&cp, 0x0090_0000, Access::Read, true)
        .result
        .is_err());
    cp.control ^= control::S | control::R;
    assert!(tables
        .walk(&cp, 0x0090_0000, Access::Fetch, true)
        .result
        .is_ok());
    assert!(tables
        .walk(&cp, 0x0090_0000, Access::Write, false)
        .result
        .is_err());
}

#[test]
fn fcse_relocates_before_the_walk_and_the_fault_reports_the_mva() {
    let mut cp = cp15();
    cp.fcse_pid = 1 << 25;
    let mut tables = Tables::default();
    tables.l1(0x0200_0000, section(0x3000_0000, 0b11, 0));
    tables.l1(0x0210_0000, 0);
    assert_eq!(
        tables.walk(&cp, 0x0000_1234, Access::Read, true).result,
        Ok(0x3000_1234)
    );
    let walk = tables.walk(&cp, 0x0010_0000, Access::Read, true);
    assert_eq!(walk.mva, 0x0210_0000);
    assert_eq!(walk.result, Err(Fault::new(0b0101, 0, 0x0210_0000)));
}

#[test]
fn status_names() {
    assert_eq!(status::name(0b1111), "permission fault (page)");
    assert_eq!(status::name(0b0001), "alignment fault");
}
