//! CP15, the system control coprocessor of the ARM926EJ-S (ARM926EJ-S TRM r0p5, chapter 2
//! "Programmer's Model", section 2.3 "Register descriptions").
//!
//! This module keeps the registers. What they do to translation belongs to the MMU; what the
//! cache operations do is nothing, since the emulator has no caches to keep coherent.

use serde::{Deserialize, Serialize};

/// c0, opcode2 0: main ID. ARM (0x41), variant 0, ARMv5TEJ (6), part 0x926, revision 4: the value
/// a TI-Nspire CX reports.
pub const MAIN_ID: u32 = 0x4106_9264;
/// c0, opcode2 1: cache type. Write-back caches with register 7 cleaning, lockdown format C,
/// separate 16 KiB 4-way instruction and data caches with 8-word lines
/// (ARM926EJ-S TRM 2.3.2 "Cache Type Register").
pub const CACHE_TYPE: u32 = 0x1D15_2152;
/// c0, opcode2 2: TCM status; the CX's ARM926EJ-S has no tightly coupled memory.
pub const TCM_STATUS: u32 = 0;

/// c1 bits (ARM926EJ-S TRM 2.3.3 "Control Register").
pub mod control {
    /// MMU enable.
    pub const M: u32 = 1 << 0;
    /// Alignment fault checking.
    pub const A: u32 = 1 << 1;
    /// Data cache enable.
    pub const C: u32 = 1 << 2;
    /// Big-endian (kept, but this machine is little-endian; see `WRITABLE`).
    pub const B: u32 = 1 << 7;
    /// System protection.
    pub const S: u32 = 1 << 8;
    /// ROM protection.
    pub const R: u32 = 1 << 9;
    /// Instruction cache enable.
    pub const I: u32 = 1 << 12;
    /// High exception vectors (0xFFFF0000).
    pub const V: u32 = 1 << 13;
    /// Round-robin cache replacement.
    pub const RR: u32 = 1 << 14;
    /// Loads to PC do not set the T bit (ARMv4 behaviour).
    pub const L4: u32 = 1 << 15;
    /// Bits that read as one whatever is written: bits 6:3 and 16, 18 (TRM table 2-10).
    pub const SBO: u32 = 0x0005_0078;
    /// Bits a write changes. The B bit is kept as written; the bus stays little-endian, as the
    /// CX's is (the TI-Nspire never sets it).
    pub const WRITABLE: u32 = M | A | C | B | S | R | I | V | RR | L4;
}

/// The registers of CP15 that hold state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cp15 {
    /// c1: control register.
    pub control: u32,
    /// c2: translation table base (bits 31:14).
    pub ttbr: u32,
    /// c3: domain access control, two bits per domain.
    pub dacr: u32,
    /// c5, opcode2 0: data fault status.
    pub dfsr: u32,
    /// c5, opcode2 1: instruction fault status.
    pub ifsr: u32,
    /// c6: fault address.
    pub far: u32,
    /// c9, c0, opcode2 0/1: data and instruction cache lockdown.
    pub dcache_lockdown: u32,
    pub icache_lockdown: u32,
    /// c10: TLB lockdown.
    pub tlb_lockdown: u32,
    /// c13, opcode2 0: FCSE process ID (bits 31:25).
    pub fcse_pid: u32,
    /// c13, opcode2 1: context ID.
    pub context_id: u32,
}

/// What a CP15 write asks of the rest of the CPU besides storing a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Translation or alignment checking may have changed: TTBR, FCSE PID, or the control
    /// register's M, A, S or R bits.
    TranslationChanged,
    /// The DACR changed the access of these domains (bit N: domain N). A translation cached
    /// for a page of another domain still holds: the DACR is not part of a TLB entry, it is
    /// checked at each access (ARM ARM B4.6.4).
    DomainsChanged(u16),
    /// c8: invalidate the whole TLB (or its instruction/data half; ours is unified).
    InvalidateTlb,
    /// c8: invalidate the TLB entry for one modified virtual address.
    InvalidateTlbEntry(u32),
    /// c7, c0, 4: wait for interrupt.
    WaitForInterrupt,
}

/// An MRC/MCR to a register the ARM926EJ-S does not have: the CPU takes the undefined
/// instruction exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoSuchRegister;

/// A CP15 register address: MRC/MCR p15, opcode1, Rd, CRn, CRm, opcode2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegAddr {
    pub opc1: u32,
    pub crn: u32,
    pub crm: u32,
    pub opc2: u32,
}

impl RegAddr {
    /// The fields of an MRC/MCR encoding.
    pub fn from_insn(insn: u32) -> RegAddr {
        RegAddr {
            opc1: (insn >> 21) & 7,
            crn: (insn >> 16) & 0xF,
            crm: insn & 0xF,
            opc2: (insn >> 5) & 7,
        }
    }
}

impl Default for Cp15 {
    fn default() -> Self {
        Cp15::new()
    }
}

impl Cp15 {
    /// The state after reset (TRM table 2-1: the control register resets to 0x00050078 with the
    /// V bit from the VINITHI pin, low on the CX).
    pub fn new() -> Cp15 {
        Cp15 {
            control: control::SBO,
            ttbr: 0,
            dacr: 0,
            dfsr: 0,
            ifsr: 0,
            far: 0,
            dcache_lockdown: 0,
            icache_lockdown: 0,
            tlb_lockdown: 0,
            fcse_pid: 0,
            context_id: 0,
        }
    }

    /// Base of the exception vectors (ARM ARM A2.6 "Exceptions", high vectors with c1 V).
    pub fn vector_base(&self) -> u32 {
        if self.control & control::V != 0 {
            0xFFFF_0000
        } else {
            0
        }
    }

    /// MRC p15: the value of a register.
    pub fn read(&self, reg: RegAddr) -> Result<u32, NoSuchRegister> {
        let RegAddr {
            opc1,
            crn,
            crm,
            opc2,
        } = reg;
        if opc1 != 0 {
            return Err(NoSuchRegister);
        }
        Ok(match (crn, crm, opc2) {
            (0, 0, 0) => MAIN_ID,
            (0, 0, 1) => CACHE_TYPE,
            (0, 0, 2) => TCM_STATUS,
            // "Reading any other opcode2 value returns the main ID" (TRM 2.3.2).
            (0, 0, _) => MAIN_ID,
            (1, 0, 0) => self.control,
            (2, 0, 0) => self.ttbr,
            (3, 0, 0) => self.dacr,
            (5, 0, 0) => self.dfsr,
            (5, 0, 1) => self.ifsr,
            (6, 0, 0) => self.far,
            // Test and clean (and invalidate) DCache: with no dirty lines the cache is always
            // clean, so the result sets Z and the guest's `MRC p15, 0, r15, c7, c10, 3` loop ends
            // at once (TRM 2.3.8, "Test and clean operations").
            (7, 10, 3) | (7, 14, 3) => 1 << 30,
            (9, 0, 0) => self.dcache_lockdown,
            (9, 0, 1) => self.icache_lockdown,
            // No TCMs: the region registers read as disabled, size 0.
            (9, 1, 0) | (9, 1, 1) => 0,
            (10, 0, 0) => self.tlb_lockdown,
            (13, 0, 0) => self.fcse_pid,
            (13, 0, 1) => self.context_id,
            // Test and debug registers (TRM 2.3.16): read as zero, with no effect.
            (15, _, _) => 0,
            _ => return Err(NoSuchRegister),
        })
    }

    /// MCR p15: write a register or perform an operation.
    pub fn write(&mut self, reg: RegAddr, value: u32) -> Result<Effect, NoSuchRegister> {
        let RegAddr {
            opc1,
            crn,
            crm,
            opc2,
        } = reg;
        if opc1 != 0 {
            return Err(NoSuchRegister);
        }
        Ok(match (crn, crm, opc2) {
            // The ID registers are read-only; writes are ignored.
            (0, 0, _) => Effect::None,
            (1, 0, 0) => {
                let old = self.control;
                self.control = (value & control::WRITABLE) | control::SBO;
                let cached_bits = control::M | control::A | control::S | control::R;
                if (old ^ self.control) & cached_bits != 0 {
                    Effect::TranslationChanged
                } else {
                    Effect::None
                }
            }
            (2, 0, 0) => {
                self.ttbr = value & 0xFFFF_C000;
                Effect::TranslationChanged
            }
            (3, 0, 0) => {
                let changed = std::mem::replace(&mut self.dacr, value) ^ value;
                let domains = (0..16)
                    .filter(|domain| (changed >> (2 * domain)) & 3 != 0)
                    .fold(0u16, |domains, domain| domains | 1 << domain);
                match domains {
                    0 => Effect::None,
                    domains => Effect::DomainsChanged(domains),
                }
            }
            (5, 0, 0) => {
                self.dfsr = value & 0x1FF;
                Effect::None
            }
            (5, 0, 1) => {
                self.ifsr = value & 0xFF;
                Effect::None
            }
            (6, 0, 0) => {
                self.far = value;
                Effect::None
            }
            (7, 0, 4) | (7, 8, 2) => Effect::WaitForInterrupt,
            // Every other c7 operation (cache and write-buffer maintenance, prefetch-buffer flush)
            // has nothing to act on.
            (7, _, _) => Effect::None,
            (8, 5..=7, 0) => Effect::InvalidateTlb,
            (8, 5..=7, 1) => Effect::InvalidateTlbEntry(value),
            (9, 0, 0) => {
                self.dcache_lockdown = value;
                Effect::None
            }
            (9, 0, 1) => {
                self.icache_lockdown = value;
                Effect::None
            }
            (9, 1, 0) | (9, 1, 1) => Effect::None,
            (10, 0, 0) => {
                self.tlb_lockdown = value;
                Effect::None
            }
            (13, 0, 0) => {
                self.fcse_pid = value & 0xFE00_0000;
                Effect::TranslationChanged
            }
            (13, 0, 1) => {
                self.context_id = value;
                Effect::None
            }
            (15, _, _) => Effect::None,
            _ => return Err(NoSuchRegister),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(crn: u32, crm: u32, opc2: u32) -> RegAddr {
        RegAddr {
            opc1: 0,
            crn,
            crm,
            opc2,
        }
    }

    #[test]
    fn id_registers_report_the_cx_core() {
        let cp = Cp15::new();
        assert_eq!(cp.read(at(0, 0, 0)), Ok(0x4106_9264));
        assert_eq!(cp.read(at(0, 0, 1)), Ok(0x1D15_2152));
        assert_eq!(cp.read(at(1, 0, 0)), Ok(0x0005_0078));
    }

    #[test]
    fn control_keeps_writable_bits_and_forces_sbo() {
        let mut cp = Cp15::new();
        assert_eq!(
            cp.write(at(1, 0, 0), 0xFFFF_FFFF),
            Ok(Effect::TranslationChanged)
        );
        // M A C B S R I V RR L4 kept, bits 6:3, 16 and 18 read as one.
        assert_eq!(cp.control, 0x0005_F3FF);
        assert_eq!(cp.vector_base(), 0xFFFF_0000);
        assert_eq!(cp.write(at(1, 0, 0), 0), Ok(Effect::TranslationChanged));
        assert_eq!(cp.control, 0x0005_0078);
        assert_eq!(cp.write(at(1, 0, 0), control::I), Ok(Effect::None));
        // The A bit alone matters too: the CPU caches it.
        assert_eq!(
            cp.write(at(1, 0, 0), control::I | control::A),
            Ok(Effect::TranslationChanged)
        );
    }

    /// The DACR holds domain N's access in bits 2N+1:2N (ARM ARM B4.6.4): a write names the
    /// domains whose two bits it changed, and a write of the same value changes nothing.
    #[test]
    fn a_dacr_write_names_the_domains_it_changes() {
        let mut cp = Cp15::new();
        assert_eq!(cp.write(at(3, 0, 0), 0), Ok(Effect::None));
        // Domain 0 client, domain 1 manager: 0b1101.
        assert_eq!(cp.write(at(3, 0, 0), 0xD), Ok(Effect::DomainsChanged(0b11)));
        assert_eq!(cp.write(at(3, 0, 0), 0xD), Ok(Effect::None));
        // Domain 1 from manager to no access, domain 15 to client (bits 31:30 = 01).
        assert_eq!(
            cp.write(at(3, 0, 0), 0x4000_0001),
            Ok(Effect::DomainsChanged(0x8002))
        );
        assert_eq!(cp.dacr, 0x4000_0001);
    }

    #[test]
    fn translation_registers_mask_their_reserved_bits() {
        let mut cp = Cp15::new();
        cp.write(at(2, 0, 0), 0x1234_5678).unwrap();
        assert_eq!(cp.ttbr, 0x1234_4000);
        cp.write(at(13, 0, 0), 0xFFFF_FFFF).unwrap();
        assert_eq!(cp.read(at(13, 0, 0)), Ok(0xFE00_0000));
    }

    #[test]
    fn cache_operations_are_accepted_and_test_and_clean_reports_clean() {
        let mut cp = Cp15::new();
        assert_eq!(cp.write(at(7, 7, 0), 0), Ok(Effect::None));
        assert_eq!(cp.write(at(7, 10, 4), 0), Ok(Effect::None));
        assert_eq!(cp.read(at(7, 10, 3)), Ok(1 << 30));
        assert_eq!(cp.write(at(7, 0, 4), 0), Ok(Effect::WaitForInterrupt));
        assert_eq!(cp.write(at(8, 7, 0), 0), Ok(Effect::InvalidateTlb));
        assert_eq!(
            cp.write(at(8, 5, 1), 0x8000),
            Ok(Effect::InvalidateTlbEntry(0x8000))
        );
    }

    #[test]
    fn unknown_registers_are_refused() {
        let mut cp = Cp15::new();
        assert_eq!(cp.read(at(4, 0, 0)), Err(NoSuchRegister));
        assert_eq!(cp.write(at(11, 0, 0), 0), Err(NoSuchRegister));
        let mut other = at(1, 0, 0);
        other.opc1 = 1;
        assert_eq!(cp.read(other), Err(NoSuchRegister));
        assert_eq!(cp.read(at(15, 1, 0)), Ok(0));
    }
}
