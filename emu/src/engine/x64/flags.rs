//! The guest's flags through a block: which flag writes anything reads before they are
//! overwritten, and which ARM conditions x86's flags answer just after the instruction that set
//! them.
//!
//! A flag written by one instruction and written again by a later one before anything reads it
//! need not reach the CPSR. Reads are counted conservatively: a conditional instruction reads
//! every flag, and so does a handler call, and a branch, which ends the block, where the CPSR
//! must be whole. A load or store reads none on its native path, but its slow path calls the
//! handler, which may take an abort and save the CPSR: a flag write only such slow paths read
//! is owed, kept aside where it costs little and written to the CPSR on the way into a slow
//! path ([`Live::owed`]).

use super::lower::{Native, Operand};
use crate::cpu::alu::Shift;
use crate::cpu::psr;

/// N Z C V.
pub const ALL: u32 = psr::N | psr::Z | psr::C | psr::V;

/// Whether a data-processing opcode is a logical one (N Z from the result, C from the shifter).
pub fn logical(opcode: u32) -> bool {
    matches!(opcode, 0x0 | 0x1 | 0x8 | 0x9 | 0xC | 0xD | 0xE | 0xF)
}

/// Whether an operand leaves the shifter's carry-out as the C flag (A5.1: an immediate without
/// rotation, a register shifted LSL #0).
fn keeps_carry(op2: Operand) -> bool {
    matches!(
        op2,
        Operand::Imm { carry: None, .. }
            | Operand::Shifted {
                shift: Shift::Lsl,
                amount: 0,
                ..
            }
    )
}

/// The flags an instruction writes whenever it runs (a conditional one may not run: none).
pub fn writes(cond: u32, native: &Native) -> u32 {
    if cond != 0xE {
        return 0;
    }
    match *native {
        Native::Alu {
            opcode,
            s: true,
            op2,
            ..
        } => {
            if !logical(opcode) {
                ALL
            } else if keeps_carry(op2) {
                psr::N | psr::Z
            } else {
                psr::N | psr::Z | psr::C
            }
        }
        Native::Mul { s: true, .. } | Native::MulLong { s: true, .. } => psr::N | psr::Z,
        _ => 0,
    }
}

/// The flags an instruction may read, on its native path or also on its slow path (`slow`).
pub fn reads(cond: u32, native: &Native, slow: bool) -> u32 {
    if cond != 0xE {
        return ALL;
    }
    match *native {
        Native::Alu { opcode, s, op2, .. } => {
            let carry_in = matches!(opcode, 0x5..=0x7);
            // A register shift by 0 leaves C as the shifter's carry-out.
            let by_reg = s && logical(opcode) && matches!(op2, Operand::ByReg { .. });
            let rrx = matches!(
                op2,
                Operand::Shifted {
                    shift: Shift::Ror,
                    amount: 0,
                    ..
                }
            );
            if carry_in || rrx || by_reg {
                psr::C
            } else {
                0
            }
        }
        Native::Mul { .. } | Native::MulLong { .. } | Native::Halfword { .. } => 0,
        // A load of the PC is a branch.
        Native::Mem { rd: 15, .. } => ALL,
        Native::Multi {
            load: true, list, ..
        } if list & 0x8000 != 0 => ALL,
        Native::Mem { .. } | Native::Multi { .. } if !slow => 0,
        Native::Mem { .. }
        | Native::Multi { .. }
        | Native::Branch { .. }
        | Native::Jump { .. }
        | Native::Exchange { .. }
        | Native::Call => ALL,
    }
}

/// The flags live after an instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Live {
    /// Read by a later instruction (or the block's end) before being written again.
    pub read: u32,
    /// Read before being written again only by the slow path of a load or store.
    pub owed: u32,
}

/// For each of a block's instructions (its condition and its lowered form), the flags live
/// after it, the block's end reading them all.
pub fn live_after(insns: &[(u32, Native)]) -> Vec<Live> {
    let (mut read, mut any) = (ALL, ALL);
    let mut after = vec![Live::default(); insns.len()];
    for (i, (cond, native)) in insns.iter().enumerate().rev() {
        after[i] = Live {
            read,
            owed: any & !read,
        };
        let written = !writes(*cond, native);
        read = (read & written) | reads(*cond, native, false);
        any = (any & written) | reads(*cond, native, true);
    }
    after
}

/// An x86 condition code, as `setcc` tests it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    E,
    Ne,
    S,
    Ns,
    O,
    No,
    B,
    Ae,
    A,
    Be,
    L,
    Ge,
    G,
    Le,
}

/// The x86 condition that answers ARM condition `cond` (A3.2) from x86's flags just after the
/// flag-setting instruction `native` computed its result (an arithmetic one leaves SF ZF OF as
/// N Z V and CF as C, inverted for subtraction; a logical one or a multiply answers only from N
/// and Z, once the result is tested). `None`: the CPSR must be read.
pub fn host_condition(native: &Native, cond: u32) -> Option<Host> {
    let (arithmetic, inverted) = match *native {
        Native::Alu {
            opcode, s: true, ..
        } if !logical(opcode) => (true, matches!(opcode, 0x2 | 0x3 | 0x6 | 0x7 | 0xA)),
        Native::Alu { s: true, .. }
        | Native::Mul { s: true, .. }
        | Native::MulLong { s: true, .. } => (false, false),
        _ => return None,
    };
    let host = match cond {
        0x0 => Host::E,
        0x1 => Host::Ne,
        0x4 => Host::S,
        0x5 => Host::Ns,
        _ if !arithmetic => return None,
        0x2 if inverted => Host::Ae,
        0x2 => Host::B,
        0x3 if inverted => Host::B,
        0x3 => Host::Ae,
        0x6 => Host::O,
        0x7 => Host::No,
        0x8 if inverted => Host::A,
        0x9 if inverted => Host::Be,
        0xA => Host::Ge,
        0xB => Host::L,
        0xC => Host::G,
        0xD => Host::Le,
        _ => return None,
    };
    Some(host)
}
