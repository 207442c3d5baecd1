//! What the code generator compiles natively: each instruction of a block either lowers to one
//! of a few [`Native`] forms, shared by ARM and Thumb (most Thumb instructions are ARM operations
//! with fixed fields, ARM ARM A6.1), or stays a call to the interpreter's handler.
//!
//! Lowering is conservative: an instruction lowers only where the native form does exactly what
//! the handler does in every state the CPU can be in when it runs; everything else (the PC as a
//! destination, UNPREDICTABLE encodings, the T forms of loads and stores, a register-specified
//! shift reading the PC...) is a call. Reads of the PC are resolved here to the constant they read, so the
//! emitter never sees register 15.

use crate::cpu::alu::Shift;
use crate::cpu::thumb_op as op;
use crate::cpu::timing;

/// A source operand: a register (never the PC), or a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    Reg(u8),
    Imm(u32),
}

/// The second operand of a data-processing operation, or a load's or store's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// A constant, with the shifter's carry-out: `None` leaves C as it is.
    Imm { value: u32, carry: Option<bool> },
    /// Register `rm` (never the PC) shifted by a constant, with the ARM encoding's meaning of an
    /// amount of 0 (ARM ARM A5.1.4-A5.1.13: LSL #0 no shift, LSR/ASR #0 by 32, ROR #0 RRX).
    Shifted { rm: u8, shift: Shift, amount: u32 },
    /// Register `rm` shifted by the bottom byte of register `rs` (neither the PC), with the
    /// ARM ARM's meaning of amounts 0, 32 and above (A5.1.6-A5.1.12: 0 leaves the value and C
    /// as they are).
    ByReg { rm: u8, shift: Shift, rs: u8 },
}

/// The size and extension of a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    Byte,
    Half,
    Word,
    SignedByte,
    SignedHalf,
}

impl Width {
    pub fn bytes(self) -> u32 {
        match self {
            Width::Byte | Width::SignedByte => 1,
            Width::Half | Width::SignedHalf => 2,
            Width::Word => 4,
        }
    }
}

/// Which signed halfword multiply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Halfword {
    /// SMLAxy: Rd = Rm.x * Rs.y + Rn.
    Smla,
    /// SMULxy: Rd = Rm.x * Rs.y.
    Smul,
    /// SMLAWy: Rd = (Rm * Rs.y) >> 16 + Rn.
    Smlaw,
    /// SMULWy: Rd = (Rm * Rs.y) >> 16.
    Smulw,
    /// SMLALxy: RdHi:RdLo += Rm.x * Rs.y.
    Smlal,
}

/// One instruction lowered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Native {
    /// Data-processing `opcode` (the ARM encoding, A4.1): Rd = Rn op Operand, the flags set if
    /// `s` (N Z C V for arithmetic, N Z and the shifter's C for the logical operations). `rd` is
    /// `None` for TST, TEQ, CMP and CMN, never 15.
    Alu {
        opcode: u32,
        s: bool,
        rd: Option<u8>,
        rn: Src,
        op2: Operand,
    },
    /// LDR, STR, LDRB, STRB with the current mode's permissions (A5.2): the address is the base
    /// plus or minus the offset if `pre`, else the base; with `writeback` the base register
    /// takes the moved address (a loaded value to the same register wins). `rd` is 15 only
    /// for an ARM LDR of a word: a branch, the block's last instruction, that may not change
    /// the state (a word with bit 0 or 1 set is the handler's: ARMv5's LDR interworks,
    /// A4.1.23).
    Mem {
        load: bool,
        width: Width,
        rd: u8,
        base: Src,
        offset: Operand,
        up: bool,
        pre: bool,
        writeback: bool,
    },
    /// MUL, MLA (A4.1.40, A4.1.34): Rd = Rm * Rs (+ Racc), N and Z set if `s` (C and V
    /// unaffected in ARMv5). No operand is the PC.
    Mul {
        rd: u8,
        rm: u8,
        rs: u8,
        acc: Option<u8>,
        s: bool,
    },
    /// UMULL, SMULL, UMLAL, SMLAL (A4.1.129, A4.1.87, A4.1.128, A4.1.76): RdHi:RdLo = Rm *
    /// Rs (+ RdHi:RdLo), signed if `signed`; N and Z from the 64-bit result if `s` (C and V
    /// unaffected in ARMv5). No operand is the PC; RdLo is written first (RdHi = RdLo is
    /// UNPREDICTABLE: the high word wins, as in the handler).
    MulLong {
        lo: u8,
        hi: u8,
        rm: u8,
        rs: u8,
        signed: bool,
        acc: bool,
        s: bool,
    },
    /// The ARMv5TE signed halfword multiplies (A4.1.74-A4.1.90), none with an operand the PC;
    /// `x` and `y` take the top halves of Rm and Rs. A sum's signed overflow sets Q (the
    /// accumulating forms but SMLALxy); no other flag changes.
    Halfword {
        op: Halfword,
        rd: u8,
        /// The accumulator (SMLAxy, SMLAWy), or RdLo (SMLALxy, whose `rd` is RdHi).
        rn: u8,
        rm: u8,
        rs: u8,
        x: bool,
        y: bool,
    },
    /// LDM, STM without the ^ forms (A5.4), PUSH and POP: the registers of `list` to or from
    /// ascending words from the base plus `start`, the base plus `new_base` written back if
    /// `writeback` (after the loads, so a loaded base wins; an STM stores the base's old
    /// value). A stored PC stores `pc_value`; a loaded one is a branch, the block's last
    /// instruction, that may not change the state (a word in the other state is the
    /// handler's, A4.1.20: ARMv5 interworks).
    Multi {
        load: bool,
        list: u16,
        base: u8,
        start: i32,
        new_base: i32,
        writeback: bool,
        pc_value: u32,
    },
    /// A branch to a constant target, the block's last instruction; with `link`, r14 takes it.
    Branch { target: u32, link: Option<u32> },
    /// BX Rm (ARM, Thumb) and BLX Rm (r14 takes `link`): to the address in `rm` (never the
    /// PC) plus `plus`, in the state its bit 0 says if `exchange`; else in the same state, the
    /// bits below the state's alignment ignored (ARM's MOV PC, Rm and ADD PC, PC, Rm without
    /// S, A4.1.35, A4.1.3: ARMv5's data processing does not interwork; Thumb's MOV PC, Rm and
    /// ADD PC, Rm, A7.1.42, A7.1.6). The block's last instruction.
    Jump {
        rm: u8,
        plus: u32,
        link: Option<u32>,
        exchange: bool,
    },
    /// Thumb's BL/BLX pair ending in BLX: r14 takes `link`, and the ARM code at the constant
    /// `target` runs next; the block's last instruction.
    Exchange { target: u32, link: u32 },
    /// Anything else: the interpreter's handler.
    Call,
}

/// An ARM instruction at `pc` (condition aside: the caller checks it).
pub fn arm(insn: u32, pc: u32) -> Native {
    let cond = insn >> 28;
    if cond == 0xF {
        return Native::Call;
    }
    let pc_read = pc.wrapping_add(8);
    let field = |lsb: u32| ((insn >> lsb) & 0xF) as u8;
    let src = |n: u8| {
        if n == 15 {
            Src::Imm(pc_read)
        } else {
            Src::Reg(n)
        }
    };
    match (insn >> 25) & 7 {
        // BX Rm, BLX Rm (A4.1.10, A4.1.9).
        0b000 if insn & 0x0FFF_FFD0 == 0x012F_FF10 && field(0) != 15 => Native::Jump {
            rm: field(0),
            plus: 0,
            link: (insn & 1 << 5 != 0).then_some(pc.wrapping_add(4)),
            exchange: true,
        },
        // MUL, MLA.
        0b000 if insn & 0x0FC0_00F0 == 0x0000_0090 => {
            let (rd, acc, rs, rm) = (field(16), field(12), field(8), field(0));
            let acc = (insn & 1 << 21 != 0).then_some(acc);
            if [rd, rs, rm].contains(&15) || acc == Some(15) {
                return Native::Call;
            }
            Native::Mul {
                rd,
                rm,
                rs,
                acc,
                s: insn & 1 << 20 != 0,
            }
        }
        // UMULL, SMULL, UMLAL, SMLAL.
        0b000 if insn & 0x0F80_00F0 == 0x0080_0090 => {
            let (hi, lo, rs, rm) = (field(16), field(12), field(8), field(0));
            if [hi, lo, rs, rm].contains(&15) {
                return Native::Call;
            }
            Native::MulLong {
                lo,
                hi,
                rm,
                rs,
                signed: insn & 1 << 22 != 0,
                acc: insn & 1 << 21 != 0,
                s: insn & 1 << 20 != 0,
            }
        }
        // LDRH, STRH, LDRSB, LDRSH (not LDRD, STRD; not the multiplies and swaps).
        0b000 if insn & 0x90 == 0x90 && insn & 0x60 != 0 => {
            let (pre, up, imm, w, load) = (
                insn & 1 << 24 != 0,
                insn & 1 << 23 != 0,
                insn & 1 << 22 != 0,
                insn & 1 << 21 != 0,
                insn & 1 << 20 != 0,
            );
            let width = match ((insn >> 5) & 3, load) {
                (1, _) => Width::Half,
                (2, true) => Width::SignedByte,
                (3, true) => Width::SignedHalf,
                _ => return Native::Call,
            };
            let (rn, rd, rm) = (field(16), field(12), field(0));
            let writeback = !pre || w;
            if rd == 15 || (writeback && rn == 15) || (!imm && rm == 15) {
                return Native::Call;
            }
            let offset = if imm {
                Operand::Imm {
                    value: ((insn >> 4) & 0xF0) | (insn & 0xF),
                    carry: None,
                }
            } else {
                Operand::Shifted {
                    rm,
                    shift: Shift::Lsl,
                    amount: 0,
                }
            };
            Native::Mem {
                load,
                width,
                rd,
                base: src(rn),
                offset,
                up,
                pre,
                writeback,
            }
        }
        // SMLAxy, SMLAWy, SMULWy, SMLALxy, SMULxy: in the miscellaneous space, bit 7 set and
        // bit 4 clear (A3.16.3).
        0b000 if insn & 0x0190_0090 == 0x0100_0080 => {
            let (rd, rn, rs, rm) = (field(16), field(12), field(8), field(0));
            let op = match ((insn >> 21) & 3, insn & 1 << 5 != 0) {
                (0, _) => Halfword::Smla,
                (1, false) => Halfword::Smlaw,
                (1, true) => Halfword::Smulw,
                (2, _) => Halfword::Smlal,
                _ => Halfword::Smul,
            };
            // The multiplies without an accumulator ignore Rn (should be zero).
            let reads_rn = !matches!(op, Halfword::Smul | Halfword::Smulw);
            if [rd, rs, rm].contains(&15) || (reads_rn && rn == 15) {
                return Native::Call;
            }
            Native::Halfword {
                op,
                rd,
                rn,
                rm,
                rs,
                x: insn & 1 << 5 != 0,
                y: insn & 1 << 6 != 0,
            }
        }
        // MOV PC, Rm and ADD PC, PC, Rm, unshifted and without S (MOVS PC and ADDS PC copy
        // the SPSR to the CPSR, an exception return: the handler's): branches to a register
        // that do not interwork.
        0b000 if insn & 0x0FFF_FFF0 == 0x01A0_F000 && field(0) != 15 => Native::Jump {
            rm: field(0),
            plus: 0,
            link: None,
            exchange: false,
        },
        0b000 if insn & 0x0FFF_FFF0 == 0x008F_F000 && field(0) != 15 => Native::Jump {
            rm: field(0),
            plus: pc_read,
            link: None,
            exchange: false,
        },
        // Data processing, immediate shift (bit 4 clear, not the miscellaneous space).
        0b000 if insn & 0x10 == 0 && !misc_space(insn) => {
            let Some(op2) = shifted(
                field(0),
                Shift::from_bits(insn >> 5),
                (insn >> 7) & 31,
                pc_read,
            ) else {
                return Native::Call;
            };
            data_processing(insn, src(field(16)), op2)
        }
        // Data processing, register shift (bit 4 set, bit 7 clear, not the miscellaneous
        // space): a PC operand reads as the address + 12 (A5.1.1: UNPREDICTABLE), the handler's.
        0b000 if insn & 0x90 == 0x10 && !misc_space(insn) => {
            let (rn, rs, rm) = (field(16), field(8), field(0));
            if [rn, rs, rm].contains(&15) {
                return Native::Call;
            }
            let op2 = Operand::ByReg {
                rm,
                shift: Shift::from_bits(insn >> 5),
                rs,
            };
            data_processing(insn, Src::Reg(rn), op2)
        }
        // Data processing, immediate (not MSR or the undefined space beside it).
        0b001 if !misc_space(insn) => {
            let rotate = ((insn >> 8) & 0xF) * 2;
            let value = (insn & 0xFF).rotate_right(rotate);
            let carry = (rotate != 0).then_some(value >> 31 != 0);
            data_processing(insn, src(field(16)), Operand::Imm { value, carry })
        }
        // LDR, STR, LDRB, STRB: immediate offset, or register offset (bit 4 clear).
        op @ (0b010 | 0b011) if op == 0b010 || insn & 0x10 == 0 => {
            let (pre, up, byte, w, load) = (
                insn & 1 << 24 != 0,
                insn & 1 << 23 != 0,
                insn & 1 << 22 != 0,
                insn & 1 << 21 != 0,
                insn & 1 << 20 != 0,
            );
            let (rn, rd) = (field(16), field(12));
            let writeback = !pre || w;
            // Post-indexed with W: the T forms (User permissions). The PC stored, or loaded
            // by a byte, or as a written-back base: the handler.
            if (!pre && w) || (rd == 15 && (!load || byte)) || (writeback && rn == 15) {
                return Native::Call;
            }
            let offset = if op == 0b010 {
                Operand::Imm {
                    value: insn & 0xFFF,
                    carry: None,
                }
            } else {
                match shifted(
                    field(0),
                    Shift::from_bits(insn >> 5),
                    (insn >> 7) & 31,
                    pc_read,
                ) {
                    Some(offset @ Operand::Shifted { .. }) => offset,
                    _ => return Native::Call,
                }
            };
            Native::Mem {
                load,
                width: if byte { Width::Byte } else { Width::Word },
                rd,
                base: src(rn),
                offset,
                up,
                pre,
                writeback,
            }
        }
        // LDM, STM (not the ^ forms, not loading the PC, not an empty list or a PC base).
        0b100 => {
            let (pre, up, s, w, load) = (
                insn & 1 << 24 != 0,
                insn & 1 << 23 != 0,
                insn & 1 << 22 != 0,
                insn & 1 << 21 != 0,
                insn & 1 << 20 != 0,
            );
            let list = insn as u16;
            let rn = field(16);
            if s || list == 0 || rn == 15 {
                return Native::Call;
            }
            let bytes = 4 * list.count_ones() as i32;
            let (start, new_base) = match (up, pre) {
                (true, false) => (0, bytes),
                (true, true) => (4, bytes),
                (false, false) => (4 - bytes, -bytes),
                (false, true) => (-bytes, -bytes),
            };
            Native::Multi {
                load,
                list,
                base: rn,
                start,
                new_base,
                writeback: w,
                pc_value: pc_read,
            }
        }
        // B, BL (A4.1.5): the target is the PC read plus the offset.
        0b101 => {
            let offset = (((insn << 8) as i32) >> 6) as u32;
            Native::Branch {
                target: pc_read.wrapping_add(offset),
                link: (insn & 1 << 24 != 0).then_some(pc.wrapping_add(4)),
            }
        }
        _ => Native::Call,
    }
}

/// Whether a data-processing encoding is one of the miscellaneous instructions (a TST, TEQ,
/// CMP or CMN without S: MRS, MSR, BX, CLZ... A3.16.3).
fn misc_space(insn: u32) -> bool {
    insn & 0x0190_0000 == 0x0100_0000
}

/// Register `rm` shifted by `amount` as an operand; the PC is folded into a constant where the
/// shift does not read the C flag.
fn shifted(rm: u8, shift: Shift, amount: u32, pc_read: u32) -> Option<Operand> {
    if rm != 15 {
        return Some(Operand::Shifted { rm, shift, amount });
    }
    match (shift, amount) {
        (Shift::Lsl, 0) => {
            return Some(Operand::Imm {
                value: pc_read,
                carry: None,
            })
        }
        // RRX reads the C flag.
        (Shift::Ror, 0) => return None,
        _ => {}
    }
    let (value, carry) = crate::cpu::alu::shift_imm(shift, pc_read, amount, 0);
    Some(Operand::Imm {
        value,
        carry: Some(carry != 0),
    })
}

/// An ARM data-processing instruction with its operands lowered.
fn data_processing(insn: u32, rn: Src, op2: Operand) -> Native {
    let opcode = (insn >> 21) & 0xF;
    let s = insn & 1 << 20 != 0;
    let rd = ((insn >> 12) & 0xF) as u8;
    if rd == 15 {
        // A write to the PC (a branch, an exception return with S), or a compare with Rd = 15
        // (undefined here): the handler.
        return Native::Call;
    }
    Native::Alu {
        opcode,
        s,
        rd: (!(0x8..=0xB).contains(&opcode)).then_some(rd),
        rn,
        op2,
    }
}

/// A Thumb instruction at `pc` (ARM ARM A6, A7).
pub fn thumb(insn: u32, pc: u32) -> Native {
    let pc_read = pc.wrapping_add(4);
    let low = |lsb: u32| ((insn >> lsb) & 7) as u8;
    let imm = |value: u32| Operand::Imm { value, carry: None };
    let reg = |rm: u8| Operand::Shifted {
        rm,
        shift: Shift::Lsl,
        amount: 0,
    };
    let alu = |opcode: u32, s: bool, rd: u8, rn: Src, op2: Operand| Native::Alu {
        opcode,
        s,
        rd: (!(0x8..=0xB).contains(&opcode)).then_some(rd),
        rn,
        op2,
    };
    let mem = |load: bool, width: Width, rd: u8, base: Src, offset: Operand| Native::Mem {
        load,
        width,
        rd,
        base,
        offset,
        up: true,
        pre: true,
        writeback: false,
    };
    match insn >> 11 {
        // LSL, LSR, ASR by an immediate: MOVS Rd, Rm, <shift> #n (A7.1.38, A7.1.40, A7.1.11).
        0b00000..=0b00010 => alu(
            op::MOV,
            true,
            low(0),
            Src::Imm(0),
            Operand::Shifted {
                rm: low(3),
                shift: Shift::from_bits(insn >> 11),
                amount: (insn >> 6) & 31,
            },
        ),
        // ADD, SUB with a register or a 3-bit immediate.
        0b00011 => {
            let opcode = if insn & 1 << 9 != 0 { op::SUB } else { op::ADD };
            let op2 = if insn & 1 << 10 != 0 {
                imm((insn >> 6) & 7)
            } else {
                reg(low(6))
            };
            alu(opcode, true, low(0), Src::Reg(low(3)), op2)
        }
        // MOV, CMP, ADD, SUB with an 8-bit immediate.
        0b00100..=0b00111 => {
            let opcode = [op::MOV, op::CMP, op::ADD, op::SUB][((insn >> 11) & 3) as usize];
            let rd = low(8);
            alu(opcode, true, rd, Src::Reg(rd), imm(insn & 0xFF))
        }
        // Register data processing (format 4).
        0b01000 if insn & 1 << 10 == 0 => {
            let (rd, rm) = (low(0), low(3));
            let by = |shift| Operand::ByReg {
                rm: rd,
                shift,
                rs: rm,
            };
            let opcode = match (insn >> 6) & 0xF {
                // LSL, LSR, ASR, ROR Rd, Rs: MOVS Rd, Rd, <shift> Rs (A7.1.39, A7.1.41,
                // A7.1.12, A7.1.54).
                0x2 => return alu(op::MOV, true, rd, Src::Imm(0), by(Shift::Lsl)),
                0x3 => return alu(op::MOV, true, rd, Src::Imm(0), by(Shift::Lsr)),
                0x4 => return alu(op::MOV, true, rd, Src::Imm(0), by(Shift::Asr)),
                0x7 => return alu(op::MOV, true, rd, Src::Imm(0), by(Shift::Ror)),
                0x0 => op::AND,
                0x1 => op::EOR,
                0x5 => op::ADC,
                0x6 => op::SBC,
                0x8 => op::TST,
                0x9 => return alu(op::RSB, true, rd, Src::Reg(rm), imm(0)),
                0xA => op::CMP,
                0xB => op::CMN,
                0xC => op::ORR,
                0xE => op::BIC,
                0xF => op::MVN,
                0xD => {
                    return Native::Mul {
                        rd,
                        rm: rd,
                        rs: rm,
                        acc: None,
                        s: true,
                    }
                }
                _ => return Native::Call,
            };
            alu(opcode, true, rd, Src::Reg(rd), reg(rm))
        }
        // ADD, CMP, MOV with high registers (not to the PC, not BX/BLX).
        0b01000 => {
            let rd = low(0) | (((insn >> 7) & 1) << 3) as u8;
            let rm = ((insn >> 3) & 0xF) as u8;
            let op2 = if rm == 15 { imm(pc_read) } else { reg(rm) };
            match (insn >> 8) & 3 {
                0 if rd != 15 => {
                    let rn = Src::Reg(rd);
                    alu(op::ADD, false, rd, rn, op2)
                }
                1 if rd != 15 => alu(op::CMP, true, rd, Src::Reg(rd), op2),
                2 if rd != 15 => alu(op::MOV, false, rd, Src::Imm(0), op2),
                // ADD PC, Rm: to the PC read plus Rm.
                0 if rm != 15 => Native::Jump {
                    rm,
                    plus: pc_read,
                    link: None,
                    exchange: false,
                },
                // MOV PC, Rm.
                2 if rm != 15 => Native::Jump {
                    rm,
                    plus: 0,
                    link: None,
                    exchange: false,
                },
                // BX, BLX (A7.1.20, A7.1.18).
                3 if rm != 15 => Native::Jump {
                    rm,
                    plus: 0,
                    link: (insn & 1 << 7 != 0).then_some(pc.wrapping_add(2) | 1),
                    exchange: true,
                },
                _ => Native::Call,
            }
        }
        // LDR (literal): the word-aligned PC plus a word offset.
        0b01001 => mem(
            true,
            Width::Word,
            low(8),
            Src::Imm(pc_read & !3),
            imm((insn & 0xFF) * 4),
        ),
        // Register offset: STR, STRH, STRB, LDRSB, LDR, LDRH, LDRB, LDRSH.
        0b01010 | 0b01011 => {
            let (width, load) = match (insn >> 9) & 7 {
                0 => (Width::Word, false),
                1 => (Width::Half, false),
                2 => (Width::Byte, false),
                3 => (Width::SignedByte, true),
                4 => (Width::Word, true),
                5 => (Width::Half, true),
                6 => (Width::Byte, true),
                _ => (Width::SignedHalf, true),
            };
            mem(load, width, low(0), Src::Reg(low(3)), reg(low(6)))
        }
        // STR, LDR, STRB, LDRB with a 5-bit immediate (words scaled by 4).
        0b01100..=0b01111 => {
            let (byte, load) = (insn & 1 << 12 != 0, insn & 1 << 11 != 0);
            let offset = (insn >> 6) & 31;
            let (width, offset) = if byte {
                (Width::Byte, offset)
            } else {
                (Width::Word, offset * 4)
            };
            mem(load, width, low(0), Src::Reg(low(3)), imm(offset))
        }
        // STRH, LDRH with a 5-bit immediate scaled by 2.
        0b10000 | 0b10001 => mem(
            insn & 1 << 11 != 0,
            Width::Half,
            low(0),
            Src::Reg(low(3)),
            imm(((insn >> 6) & 31) * 2),
        ),
        // STR, LDR relative to SP.
        0b10010 | 0b10011 => mem(
            insn & 1 << 11 != 0,
            Width::Word,
            low(8),
            Src::Reg(13),
            imm((insn & 0xFF) * 4),
        ),
        // ADD Rd, PC, #imm (the PC word-aligned), ADD Rd, SP, #imm.
        0b10100 => alu(
            op::MOV,
            false,
            low(8),
            Src::Imm(0),
            imm((pc_read & !3).wrapping_add((insn & 0xFF) * 4)),
        ),
        0b10101 => alu(op::ADD, false, low(8), Src::Reg(13), imm((insn & 0xFF) * 4)),
        // ADD SP, #imm and SUB SP, #imm.
        0b10110 if (insn >> 8) & 0xF == 0 => {
            let opcode = if insn & 1 << 7 != 0 { op::SUB } else { op::ADD };
            alu(opcode, false, 13, Src::Reg(13), imm((insn & 0x7F) * 4))
        }
        // PUSH {list, LR} (STMDB SP!), POP {list, PC} (LDMIA SP!).
        0b10110 | 0b10111 if matches!((insn >> 9) & 3, 2) && insn & 0x1FF != 0 => {
            let load = insn & 1 << 11 != 0;
            let extra = match (insn & 1 << 8 != 0, load) {
                (false, _) => 0,
                (true, false) => 1 << 14,
                (true, true) => 1 << 15,
            };
            let list = (insn & 0xFF) as u16 | extra;
            let bytes = 4 * list.count_ones() as i32;
            let (start, new_base) = if load { (0, bytes) } else { (-bytes, -bytes) };
            Native::Multi {
                load,
                list,
                base: 13,
                start,
                new_base,
                writeback: true,
                pc_value: pc_read,
            }
        }
        // STMIA, LDMIA Rn! (an LDMIA with the base in its list does not write back, A7.1.27).
        0b11000 | 0b11001 if insn & 0xFF != 0 => {
            let load = insn & 1 << 11 != 0;
            let (list, base) = ((insn & 0xFF) as u16, low(8));
            Native::Multi {
                load,
                list,
                base,
                start: 0,
                new_base: 4 * list.count_ones() as i32,
                writeback: !load || list & 1 << base == 0,
                pc_value: pc_read,
            }
        }
        // The BL/BLX prefix: LR = PC + (offset << 12).
        0b11110 => alu(
            op::MOV,
            false,
            14,
            Src::Imm(0),
            imm(pc_read.wrapping_add((((insn << 21) as i32) >> 9) as u32)),
        ),
        // B<cond> (0b1110 is undefined and 0b1111 SWI: calls).
        0b11010 | 0b11011 if (insn >> 8) & 0xF < 0xE => Native::Branch {
            target: pc_read.wrapping_add(((insn as i8) as i32 as u32) << 1),
            link: None,
        },
        // B.
        0b11100 => Native::Branch {
            target: pc_read.wrapping_add((((insn << 21) as i32) >> 20) as u32),
            link: None,
        },
        _ => Native::Call,
    }
}

/// A Thumb BL or BLX suffix at `pc` right after its prefix `prefix` in the same block
/// (A7.1.17, A7.1.18): a branch to a constant, with the link; BLX's to ARM code, word-aligned
/// (its encoding with bit 0 set is undefined: the handler's).
pub fn thumb_bl(prefix: u32, suffix: u32, pc: u32) -> Option<Native> {
    if prefix >> 11 != 0b11110 {
        return None;
    }
    // The prefix, at pc - 2, leaves LR = its PC read (pc + 2) plus its offset << 12.
    let lr = pc
        .wrapping_add(2)
        .wrapping_add((((prefix << 21) as i32) >> 9) as u32);
    let target = lr.wrapping_add((suffix & 0x7FF) << 1);
    let link = pc.wrapping_add(2) | 1;
    match suffix >> 11 {
        0b11111 => Some(Native::Branch {
            target: target & !1,
            link: Some(link),
        }),
        0b11101 if suffix & 1 == 0 => Some(Native::Exchange {
            target: target & !3,
            link,
        }),
        _ => None,
    }
}

/// The condition a Thumb B<cond> tests (its ops carry AL, as every Thumb op does).
pub fn thumb_branch_condition(insn: u32) -> Option<u32> {
    (insn >> 12 == 0xD && (insn >> 8) & 0xF < 0xE).then_some((insn >> 8) & 0xF)
}

/// A load from a constant address (a literal: LDR Rd, [PC, #imm]) in the block's own virtual
/// page `vpage`, whose bytes are `page`, as the constant it loads: `MOV Rd, #value`. The block
/// runs only where its first instruction was fetched through the current mode's TLB read
/// entry for that page, the one a load in the same mode hits, so the load would read these
/// bytes (nothing in a block changes the mode or the TLB but a handler call, which ends it where
/// it must); and a block is dropped when its page's bytes change, so the constant stays true.
/// A misaligned literal (an ARM offset not a multiple of the size) stays a load: it rotates or
/// faults.
pub fn literal(native: Native, vpage: u32, page: &[u8]) -> Native {
    let Native::Mem {
        load: true,
        width,
        rd,
        base: Src::Imm(base),
        offset: Operand::Imm { value: offset, .. },
        up,
        pre: true,
        writeback: false,
    } = native
    else {
        return native;
    };
    // A load of the PC stays a branch.
    if rd == 15 {
        return native;
    }
    let addr = if up {
        base.wrapping_add(offset)
    } else {
        base.wrapping_sub(offset)
    };
    let at = (addr & (crate::bus::PAGE_SIZE - 1)) as usize;
    if addr & !(crate::bus::PAGE_SIZE - 1) != vpage || addr % width.bytes() != 0 {
        return native;
    }
    let read = |size| crate::bus::ram_read(page, at, size);
    let value = match width {
        Width::Byte => read(crate::bus::Size::Byte),
        Width::SignedByte => read(crate::bus::Size::Byte).map(|v| v as u8 as i8 as u32),
        Width::Half => read(crate::bus::Size::Half),
        Width::SignedHalf => read(crate::bus::Size::Half).map(|v| v as u16 as i16 as u32),
        Width::Word => read(crate::bus::Size::Word),
    };
    let Some(value) = value else {
        return native;
    };
    Native::Alu {
        opcode: op::MOV,
        s: false,
        rd: Some(rd),
        rn: Src::Imm(0),
        op2: Operand::Imm { value, carry: None },
    }
}

/// What the native form of the instruction `word` costs in cycles ([`timing`]), as its
/// interpreter's handler charges them: the extra cycles of its native path (a branch's when
/// taken), and the load-use interlock a native load leaves for the next instruction.
/// Handler calls (`Native::Call`, and a native form's slow path) charge their own.
pub fn cycles(word: u32, thumb: bool, native: &Native) -> (u64, u32) {
    match *native {
        Native::Alu {
            op2: Operand::ByReg { .. },
            ..
        } => (timing::REGISTER_SHIFT, 0),
        Native::Alu { .. } | Native::Call => (0, 0),
        Native::Mem {
            load, width, rd, ..
        } => {
            // ARM LDR/STR with a register offset shifted (bits 11:5 not clear).
            let scaled = !thumb && (word >> 25) & 7 == 0b011 && word & 0xFE0 != 0;
            let extra = if scaled { timing::SCALED_OFFSET } else { 0 };
            if rd == 15 {
                // A loaded PC is a branch: no register waits after it.
                return (extra + timing::LOAD_PC, 0);
            }
            // The native path's accesses are aligned.
            let pend = if load {
                timing::load_use(rd as usize, width == Width::Word)
            } else {
                0
            };
            (extra, pend)
        }
        Native::Mul { s, .. } => (timing::multiply(false, s), 0),
        Native::MulLong { s, .. } => (timing::multiply(true, s), 0),
        Native::Halfword {
            op: Halfword::Smlal,
            ..
        } => (timing::HALFWORD_MULTIPLY_LONG, 0),
        Native::Halfword { .. } => (0, 0),
        Native::Multi { load, list, .. } => {
            let n = list.count_ones();
            let pc = list & 0x8000 != 0;
            if !load {
                (timing::store_multiple(n), 0)
            } else if pc {
                // A loaded PC is a branch: no register waits after it.
                (timing::load_multiple(n, true), 0)
            } else {
                (
                    timing::load_multiple(n, false),
                    timing::load_multiple_use(list as u32),
                )
            }
        }
        // ARM's MOV PC and ADD PC cost what a data operation writing the PC does.
        Native::Jump {
            exchange: false, ..
        } if !thumb => (timing::data_to_pc((word >> 21) & 0xF, false), 0),
        Native::Branch { .. } | Native::Jump { .. } | Native::Exchange { .. } => {
            (timing::BRANCH, 0)
        }
    }
}
