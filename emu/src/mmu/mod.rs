//! The ARM926EJ-S MMU: the ARMv5 translation table walk, domains and access permissions
//! (ARM ARM, ARMv5 edition, chapter B4 "Virtual Memory System Architecture"; ARM926EJ-S TRM
//! chapter 3 "Memory Management Unit").
//!
//! The walk is a pure function of the CP15 registers and physical memory, and never changes
//! anything. [`translate`] returns the whole walk, step by step (for the debugger);
//! [`translation`] only its outcome (for the CPU, which caches successful results in its
//! software TLB), so that a TLB refill builds no record of the steps.

use crate::cpu::cp15::{control, Cp15};

pub mod dump;

/// Fault status codes (ARM ARM table B4-1; ARM926EJ-S TRM table 3-9).
pub mod status {
    pub const ALIGNMENT: u32 = 0b0001;
    pub const EXTERNAL_ON_TRANSLATION_FIRST: u32 = 0b1100;
    pub const EXTERNAL_ON_TRANSLATION_SECOND: u32 = 0b1110;
    pub const TRANSLATION_SECTION: u32 = 0b0101;
    pub const TRANSLATION_PAGE: u32 = 0b0111;
    pub const DOMAIN_SECTION: u32 = 0b1001;
    pub const DOMAIN_PAGE: u32 = 0b1011;
    pub const PERMISSION_SECTION: u32 = 0b1101;
    pub const PERMISSION_PAGE: u32 = 0b1111;
    /// External abort on a non-translation access: the bus answered with an error.
    pub const EXTERNAL: u32 = 0b1000;
    /// A debug event (BKPT), as ARMv6 encodes it in the IFSR and QEMU reports it.
    pub const DEBUG_EVENT: u32 = 0b0010;

    /// The ARM ARM's name for a status code.
    pub fn name(status: u32) -> &'static str {
        match status {
            ALIGNMENT | 0b0011 => "alignment fault",
            EXTERNAL_ON_TRANSLATION_FIRST => "external abort on translation (first level)",
            EXTERNAL_ON_TRANSLATION_SECOND => "external abort on translation (second level)",
            TRANSLATION_SECTION => "translation fault (section)",
            TRANSLATION_PAGE => "translation fault (page)",
            DOMAIN_SECTION => "domain fault (section)",
            DOMAIN_PAGE => "domain fault (page)",
            PERMISSION_SECTION => "permission fault (section)",
            PERMISSION_PAGE => "permission fault (page)",
            EXTERNAL => "external abort",
            DEBUG_EVENT => "debug event",
            _ => "unknown fault",
        }
    }
}

/// A memory access the MMU or the bus refused: what the FSR and FAR record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// FSR bits 3:0.
    pub status: u32,
    /// FSR bits 7:4: the domain of the descriptor that faulted.
    pub domain: u32,
    /// The modified virtual address that faulted (what the FAR holds, ARM926EJ-S TRM 3.6.2).
    pub addr: u32,
}

impl Fault {
    pub fn new(status: u32, domain: u32, addr: u32) -> Fault {
        Fault {
            status,
            domain,
            addr,
        }
    }

    /// The FSR value: domain in bits 7:4, status in bits 3:0.
    pub fn fsr(&self) -> u32 {
        (self.domain << 4) | self.status
    }
}

/// The kind of access, which decides the permission needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// An instruction fetch: needs read permission (ARMv5 has no execute-never).
    Fetch,
}

/// What a first- or second-level descriptor maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// 1 MiB.
    Section,
    /// 64 KiB, four 16 KiB subpages.
    Large,
    /// 4 KiB, four 1 KiB subpages.
    Small,
    /// 1 KiB (fine tables only).
    Tiny,
}

impl PageKind {
    pub fn size(self) -> u32 {
        match self {
            PageKind::Section => 1 << 20,
            PageKind::Large => 1 << 16,
            PageKind::Small => 1 << 12,
            PageKind::Tiny => 1 << 10,
        }
    }
}

/// What the CPU's TLB needs of a walk: its outcome, and how much of it may be cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// The address after FCSE relocation.
    pub mva: u32,
    /// The physical address, or the fault.
    pub result: Result<u32, Fault>,
    /// What mapped the address (`None` with the MMU off, or when no descriptor maps it).
    pub kind: Option<PageKind>,
    /// The domain of the descriptor that mapped it (`None` as for `kind`).
    pub domain: Option<u32>,
    /// Whether the AP bits that apply permit the access, whatever the domain's access: then
    /// it is permitted as long as the domain is a client or a manager.
    pub ap_permits: bool,
    /// Whether the aligned 4 KiB page holding the address maps to one physical 4 KiB page with
    /// one set of permissions, so that the CPU may cache it whole (false for tiny pages and
    /// for small pages whose subpages differ).
    pub uniform_4k: bool,
}

impl Translation {
    /// log2 of the size of the mapping that translated the address: a section's, a large
    /// page's, or 4 KiB for a small or tiny page and with the MMU off.
    pub fn span(&self) -> u8 {
        match self.kind {
            Some(kind) => kind.size().max(1 << 12).trailing_zeros() as u8,
            None => 12,
        }
    }
}

/// A domain's two DACR bits (ARM ARM B4.6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainAccess {
    NoAccess,
    Client,
    /// 0b10: reserved; the MMU treats it as no access (a domain fault), as QEMU does.
    Reserved,
    Manager,
}

impl DomainAccess {
    /// The access a DACR field (its two low bits) gives.
    pub fn from_bits(bits: u32) -> DomainAccess {
        match bits & 3 {
            0 => DomainAccess::NoAccess,
            1 => DomainAccess::Client,
            2 => DomainAccess::Reserved,
            _ => DomainAccess::Manager,
        }
    }
}

/// The whole of one translation, step by step: what the debugger's `translate` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub va: u32,
    /// The address after FCSE relocation.
    pub mva: u32,
    /// Whether the MMU was on; when off, only the FCSE and alignment apply.
    pub mmu_enabled: bool,
    pub ttbr: u32,
    /// First-level descriptor address and value (None: the read hit nothing).
    pub l1: Option<(u32, Option<u32>)>,
    /// Second-level descriptor address and value.
    pub l2: Option<(u32, Option<u32>)>,
    pub kind: Option<PageKind>,
    pub domain: Option<(u32, DomainAccess)>,
    /// The AP bits that applied (the subpage's for large and small pages).
    pub ap: Option<u32>,
    /// The physical address, or the fault.
    pub result: Result<u32, Fault>,
}

/// Whether an access is permitted by AP bits, for privileged or User mode, with the S and R bits
/// of the control register (ARM ARM table B4-1 "MMU access permissions").
pub fn permitted(ap: u32, s: bool, r: bool, user: bool, write: bool) -> bool {
    match ap & 3 {
        0 => match (s, r) {
            (true, false) => !user && !write,
            (false, true) => !write,
            // Neither: no access. Both: UNPREDICTABLE; no access, as QEMU does.
            _ => false,
        },
        1 => !user,
        2 => !user || !write,
        _ => true,
    }
}

/// Whether an access of `size` bytes at `addr` needs an alignment fault when CP15 c1 A is set.
pub fn misaligned(addr: u32, size: u32) -> bool {
    addr & (size - 1) != 0
}

/// Relocates a virtual address below 32 MiB by the FCSE PID (ARM ARM B8, "Fast Context
/// Switch Extension"). Applied whether or not the MMU is on, as QEMU does.
pub fn fcse(cp15: &Cp15, va: u32) -> u32 {
    if va < 1 << 25 {
        va | cp15.fcse_pid
    } else {
        va
    }
}

/// Where a walk's steps go as it takes them: the debugger's [`Walk`] records them; `()`, the
/// CPU's TLB refills, drops them, so that a refill builds no record (one walk,
/// [`translate_with`], serves both).
pub trait Steps {
    /// A descriptor read: its level (1 or 2), its address, and its value (`None`: nothing
    /// answered at that address).
    fn descriptor(&mut self, level: u8, addr: u32, value: Option<u32>);
    /// The domain of a descriptor that maps the address, and what the DACR gives it.
    fn domain(&mut self, domain: u32, access: DomainAccess);
    /// The AP bits that apply (a client's or a manager's).
    fn ap(&mut self, ap: u32);
}

impl Steps for () {
    #[inline(always)]
    fn descriptor(&mut self, _: u8, _: u32, _: Option<u32>) {}
    #[inline(always)]
    fn domain(&mut self, _: u32, _: DomainAccess) {}
    #[inline(always)]
    fn ap(&mut self, _: u32) {}
}

impl Steps for Walk {
    fn descriptor(&mut self, level: u8, addr: u32, value: Option<u32>) {
        match level {
            1 => self.l1 = Some((addr, value)),
            _ => self.l2 = Some((addr, value)),
        }
    }

    fn domain(&mut self, domain: u32, access: DomainAccess) {
        self.domain = Some((domain, access));
    }

    fn ap(&mut self, ap: u32) {
        self.ap = Some(ap);
    }
}

/// Translates `va` for `access` (as User mode if `user`) by walking the tables in physical
/// memory through `read_phys` (a 32-bit read; `None` if nothing answers there), and records
/// the whole walk.
pub fn translate(
    cp15: &Cp15,
    va: u32,
    access: Access,
    user: bool,
    read_phys: impl FnMut(u32) -> Option<u32>,
) -> Walk {
    let mut walk = Walk {
        va,
        mva: va,
        mmu_enabled: cp15.control & control::M != 0,
        ttbr: cp15.ttbr,
        l1: None,
        l2: None,
        kind: None,
        domain: None,
        ap: None,
        result: Ok(va),
    };
    let outcome = translate_with(cp15, va, access, user, read_phys, &mut walk);
    Walk {
        mva: outcome.mva,
        kind: outcome.kind,
        result: outcome.result,
        ..walk
    }
}

/// The translation of `va` without the walk's record: what the CPU's TLB refill needs.
#[inline]
pub fn translation(
    cp15: &Cp15,
    va: u32,
    access: Access,
    user: bool,
    read_phys: impl FnMut(u32) -> Option<u32>,
) -> Translation {
    translate_with(cp15, va, access, user, read_phys, &mut ())
}

/// The table walk itself, telling `steps` each step it takes.
#[inline(always)]
pub fn translate_with(
    cp15: &Cp15,
    va: u32,
    access: Access,
    user: bool,
    mut read_phys: impl FnMut(u32) -> Option<u32>,
    steps: &mut impl Steps,
) -> Translation {
    let mva = fcse(cp15, va);
    let mut outcome = Translation {
        mva,
        result: Ok(mva),
        kind: None,
        domain: None,
        ap_permits: false,
        uniform_4k: true,
    };
    if cp15.control & control::M == 0 {
        return outcome;
    }
    let write = access == Access::Write;
    let s = cp15.control & control::S != 0;
    let r = cp15.control & control::R != 0;

    // First level: one word per MiB, indexed by MVA[31:20] (ARM ARM B4.7.5).
    let l1_addr = (cp15.ttbr & 0xFFFF_C000) | ((mva >> 20) << 2);
    let l1 = read_phys(l1_addr);
    steps.descriptor(1, l1_addr, l1);
    let Some(l1) = l1 else {
        outcome.result = Err(Fault::new(status::EXTERNAL_ON_TRANSLATION_FIRST, 0, mva));
        return outcome;
    };
    let domain = (l1 >> 5) & 0xF;
    let domain_access = DomainAccess::from_bits(cp15.dacr >> (2 * domain));
    let fault = |status| Err(Fault::new(status, domain, mva));

    let (kind, base, ap, uniform) = match l1 & 3 {
        0 => {
            outcome.result = fault(status::TRANSLATION_SECTION);
            return outcome;
        }
        2 => (PageKind::Section, l1 & 0xFFF0_0000, (l1 >> 10) & 3, true),
        table => {
            // Coarse (0b01): 256 entries of 4 KiB, base bits 31:10; fine (0b11): 1024 entries
            // of 1 KiB, base bits 31:12 (ARM ARM B4.7.6, B4.7.7).
            let l2_addr = if table == 1 {
                (l1 & 0xFFFF_FC00) | (((mva >> 12) & 0xFF) << 2)
            } else {
                (l1 & 0xFFFF_F000) | (((mva >> 10) & 0x3FF) << 2)
            };
            let l2 = read_phys(l2_addr);
            steps.descriptor(2, l2_addr, l2);
            let Some(l2) = l2 else {
                outcome.result = fault(status::EXTERNAL_ON_TRANSLATION_SECOND);
                return outcome;
            };
            // The four AP fields of large and small pages, one per subpage.
            let subpage_ap = |index: u32| (l2 >> (4 + 2 * index)) & 3;
            let all_equal = (l2 >> 4) & 0xFF == ((l2 >> 4) & 3) * 0x55;
            let page = match l2 & 3 {
                0 => None,
                1 => Some((
                    PageKind::Large,
                    l2 & 0xFFFF_0000,
                    subpage_ap((mva >> 14) & 3),
                    true,
                )),
                2 => Some((
                    PageKind::Small,
                    l2 & 0xFFFF_F000,
                    subpage_ap((mva >> 10) & 3),
                    all_equal,
                )),
                // Tiny pages exist only in fine tables; in a coarse table the encoding is a
                // translation fault on the ARM926EJ-S (TRM 3.2.3; QEMU does the same).
                _ if table == 1 => None,
                _ => Some((PageKind::Tiny, l2 & 0xFFFF_FC00, (l2 >> 4) & 3, false)),
            };
            let Some(page) = page else {
                outcome.result = fault(status::TRANSLATION_PAGE);
                return outcome;
            };
            page
        }
    };
    steps.domain(domain, domain_access);
    outcome.kind = Some(kind);
    outcome.domain = Some(domain);
    outcome.ap_permits = permitted(ap, s, r, user, write);
    outcome.uniform_4k = uniform;
    let section = kind == PageKind::Section;
    match domain_access {
        DomainAccess::NoAccess | DomainAccess::Reserved => {
            outcome.result = fault(if section {
                status::DOMAIN_SECTION
            } else {
                status::DOMAIN_PAGE
            });
            return outcome;
        }
        DomainAccess::Client => {
            steps.ap(ap);
            if !outcome.ap_permits {
                outcome.result = fault(if section {
                    status::PERMISSION_SECTION
                } else {
                    status::PERMISSION_PAGE
                });
                return outcome;
            }
        }
        DomainAccess::Manager => steps.ap(ap),
    }
    outcome.result = Ok(base | (mva & (kind.size() - 1)));
    outcome
}

#[cfg(test)]
mod tests;
