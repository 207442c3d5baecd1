//! Program status registers: the CPSR/SPSR bits, the processor modes and the condition codes
//! (ARM ARM, ARMv5 edition, A2.5 "Program status registers" and A3.2 "The condition field").

use serde::{Deserialize, Serialize};

/// Negative flag.
pub const N: u32 = 1 << 31;
/// Zero flag.
pub const Z: u32 = 1 << 30;
/// Carry flag.
pub const C: u32 = 1 << 29;
/// Overflow flag.
pub const V: u32 = 1 << 28;
/// Sticky saturation flag of the DSP extensions (ARMv5TE).
pub const Q: u32 = 1 << 27;
/// Jazelle state bit (ARMv5TEJ). BXJ behaves as BX here, so it is never set by execution.
pub const J: u32 = 1 << 24;
/// IRQ disable.
pub const I: u32 = 1 << 7;
/// FIQ disable.
pub const F: u32 = 1 << 6;
/// Thumb state.
pub const T: u32 = 1 << 5;
/// The mode field.
pub const MODE_MASK: u32 = 0x1F;

/// The bits an ARMv5TE(J) PSR holds; the rest read as zero (ARM ARM A2.5, "Reserved bits").
pub const IMPLEMENTED: u32 = N | Z | C | V | Q | J | I | F | T | MODE_MASK;

/// The seven processor modes (ARM ARM A2.2) with their CPSR M[4:0] encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    User = 0x10,
    Fiq = 0x11,
    Irq = 0x12,
    Supervisor = 0x13,
    Abort = 0x17,
    Undefined = 0x1B,
    System = 0x1F,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::User,
        Mode::Fiq,
        Mode::Irq,
        Mode::Supervisor,
        Mode::Abort,
        Mode::Undefined,
        Mode::System,
    ];

    /// The mode a CPSR value names, or `None` for the reserved M[4:0] encodings.
    pub fn from_bits(bits: u32) -> Option<Mode> {
        Some(match bits & MODE_MASK {
            0x10 => Mode::User,
            0x11 => Mode::Fiq,
            0x12 => Mode::Irq,
            0x13 => Mode::Supervisor,
            0x17 => Mode::Abort,
            0x1B => Mode::Undefined,
            0x1F => Mode::System,
            _ => return None,
        })
    }

    /// Index of the register bank this mode uses for r13/r14 and its SPSR
    /// (User and System share bank 0, which has no SPSR).
    pub fn bank(self) -> usize {
        match self {
            Mode::User | Mode::System => 0,
            Mode::Fiq => 1,
            Mode::Irq => 2,
            Mode::Supervisor => 3,
            Mode::Abort => 4,
            Mode::Undefined => 5,
        }
    }

    pub fn is_privileged(self) -> bool {
        self != Mode::User
    }

    /// Whether the mode has an SPSR (every mode but User and System).
    pub fn has_spsr(self) -> bool {
        self.bank() != 0
    }

    /// The short name the ARM ARM and assemblers use.
    pub fn name(self) -> &'static str {
        match self {
            Mode::User => "usr",
            Mode::Fiq => "fiq",
            Mode::Irq => "irq",
            Mode::Supervisor => "svc",
            Mode::Abort => "abt",
            Mode::Undefined => "und",
            Mode::System => "sys",
        }
    }

    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// For each condition code, a 16-bit set indexed by the NZCV nibble: bit `nzcv` is set when the
/// condition passes. Condition 0xF (the unconditional space) is decoded before this table is used.
const COND_TABLE: [u16; 16] = build_cond_table();

const fn build_cond_table() -> [u16; 16] {
    let mut table = [0u16; 16];
    let mut cond = 0;
    while cond < 16 {
        let mut flags = 0;
        while flags < 16 {
            let n = flags & 8 != 0;
            let z = flags & 4 != 0;
            let c = flags & 2 != 0;
            let v = flags & 1 != 0;
            let pass = match cond {
                0x0 => z,
                0x1 => !z,
                0x2 => c,
                0x3 => !c,
                0x4 => n,
                0x5 => !n,
                0x6 => v,
                0x7 => !v,
                0x8 => c && !z,
                0x9 => !c || z,
                0xA => n == v,
                0xB => n != v,
                0xC => !z && n == v,
                0xD => z || n != v,
                _ => true,
            };
            if pass {
                table[cond] |= 1 << flags;
            }
            flags += 1;
        }
        cond += 1;
    }
    table
}

/// Whether condition `cond` (0..=14, 15 treated as always) passes for the flags of `cpsr`.
#[inline(always)]
pub fn condition_passed(cond: u32, cpsr: u32) -> bool {
    (COND_TABLE[(cond & 0xF) as usize] >> (cpsr >> 28)) & 1 != 0
}

/// A PSR written out the way debuggers show it: `nZCv q IFT svc`.
pub fn describe(psr: u32) -> String {
    let flag = |bit: u32, ch: char| {
        if psr & bit != 0 {
            ch.to_ascii_uppercase()
        } else {
            ch
        }
    };
    let mode = Mode::from_bits(psr).map_or("???", Mode::name);
    format!(
        "{}{}{}{}{} {}{}{} {}",
        flag(N, 'n'),
        flag(Z, 'z'),
        flag(C, 'c'),
        flag(V, 'v'),
        flag(Q, 'q'),
        flag(I, 'i'),
        flag(F, 'f'),
        flag(T, 't'),
        mode
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_follow_the_arm_arm_table() {
        // ARM ARM A3.2, table A3-1.
        assert!(condition_passed(0x0, Z));
        assert!(!condition_passed(0x0, 0));
        assert!(condition_passed(0x8, C));
        assert!(!condition_passed(0x8, C | Z));
        assert!(condition_passed(0x9, Z | C));
        assert!(condition_passed(0xA, N | V));
        assert!(!condition_passed(0xA, N));
        assert!(condition_passed(0xB, V));
        assert!(condition_passed(0xC, 0));
        assert!(!condition_passed(0xC, Z));
        assert!(condition_passed(0xD, N));
        assert!(condition_passed(0xE, 0));
    }

    #[test]
    fn modes_round_trip_and_reserved_encodings_are_rejected() {
        for mode in Mode::ALL {
            assert_eq!(Mode::from_bits(mode as u32), Some(mode));
            assert_eq!(Mode::from_name(mode.name()), Some(mode));
        }
        assert_eq!(Mode::from_bits(0x00), None);
        assert_eq!(Mode::from_bits(0x14), None);
        assert_eq!(Mode::from_bits(0x1A), None);
    }

    #[test]
    fn describe_shows_flags_and_mode() {
        assert_eq!(describe(Z | C | I | F | 0x13), "nZCvq IFt svc");
    }
}
